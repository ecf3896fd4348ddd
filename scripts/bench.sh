#!/usr/bin/env bash
# Benchmarks: corescale beside its peers, measured side by side in one run.
# Not tests: the figures go in notes and results, never into pass/fail.
# Usage: scripts/bench.sh [--only product|bignum|cpu|io]... [BUILD_DIR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

only=()
build="$top/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only+=("${2:?--only needs product, bignum, cpu or io}"); shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
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
if wanted cpu && [ -x scripts/bench_cpu.sh ]; then
  echo; echo "## CPU drivers: speedup and efficiency"
  scripts/bench_cpu.sh "$build"
fi
if wanted io && [ -x scripts/bench_io.sh ]; then
  echo; echo "## I/O drivers"
  scripts/bench_io.sh "$build"
fi
if wanted io && [ -x scripts/bench_server.sh ]; then
  echo; echo "## io_server under 1,000 hostile clients: memory against its bound, a normal client's latency"
  scripts/bench_server.sh "$build"
fi
