#!/usr/bin/env bash
# Benchmarks: corescale beside its peers, measured side by side in one run.
# Not tests: the figures go in notes and results, never into pass/fail.
# Usage: scripts/bench.sh [--only product|bignum|cpu|io|halo]... [BUILD_DIR]
# Every argument is checked before anything is installed or built (exit 2, one message).
set -euo pipefail
prog=bench
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"

only=()
build="$top/build" build_given=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only)
      [ $# -ge 2 ] || cs_die_usage "option '--only' needs a value (see --help)"
      cs_check_choice only "$2" product bignum cpu io halo
      only+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) cs_die_usage "unknown option '$1' (see --help)" ;;
    *) [ -z "$build_given" ] || cs_die_usage "unexpected argument '$(cs_shown "$1")': one BUILD_DIR only (see --help)"
       cs_check_path BUILD_DIR "$1"
       build=$1 build_given=1; shift ;;
  esac
done
wanted() { [ ${#only[@]} -eq 0 ] || printf '%s\n' "${only[@]}" | grep -qx "$1"; }

scripts/deps.sh
scripts/build.sh "$build"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "# corescale benchmarks on $(hostname), $(date -u +%Y-%m-%dT%H:%M:%SZ), revision $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores visible"

if wanted product; then
  echo; echo "## product kernel against GMP (class W)"
  "$build/bench/product_vs_gmp" 50,63,32 5
fi
if wanted bignum && [ -x "$build/bench/bignum_vs_gmp" ]; then
  echo; echo "## bignum against GMP"
  "$build/bench/bignum_vs_gmp"
fi
if wanted bignum && [ -x "$build/bench/bignum_parallel" ]; then
  echo; echo "## one 70-million-bit product: serial, helped by threads, GMP; its work/span"
  "$build/bench/bignum_parallel"
fi
if wanted bignum && [ -x "$build/bench/bignum_group" ]; then
  echo; echo "## the same product shared by MPI ranks (bignum_mul_group), beside rank 0 alone"
  for np in 2 4; do
    OMPI_MCA_rmaps_base_oversubscribe=1 mpirun -q -np $np --bind-to none "$build/bench/bignum_group"
  done
fi
if wanted cpu && [ -x scripts/bench_cpu.sh ]; then
  echo; echo "## CPU drivers: speedup and efficiency"
  scripts/bench_cpu.sh "$build"
fi
if wanted io && [ -x scripts/bench_io.sh ]; then
  echo; echo "## I/O drivers"
  scripts/bench_io.sh "$build"
fi
if wanted halo && [ -x scripts/bench_halo.sh ]; then
  echo; echo "## the heat stencil's halos over a limited link: hidden by --overlap?"
  scripts/bench_halo.sh "$build"
fi
if wanted io && [ -x scripts/bench_server.sh ]; then
  echo; echo "## io_server under 1,000 hostile clients: memory against its bound, a normal client's latency"
  scripts/bench_server.sh "$build"
fi
