#!/usr/bin/env bash
# Fuzzing: builds every fuzz target (tests/fuzz/fuzz_*.c) with clang, libFuzzer, ASan and UBSan,
# and runs each from its seed corpus for a bounded time or number of executions.
# Usage: scripts/fuzz.sh [--seconds S | --runs N] [--seed K] [--build DIR] [TARGET...]
#   --seconds S   per target (default 20); --runs N: N executions per target instead
#   --seed K      libFuzzer's random seed (default: a new one each run); with --runs, a fixed
#                 seed repeats the same executions (scripts/test.sh uses --runs 200000 --seed 1)
#   --build DIR   the clang build (default build-fuzz)
#   TARGET        unpack, urls, ... (default: every target in tests/fuzz/)
# Prints per target: executions, their rate, coverage (cov: edges, ft: features) and corpus size.
# An input that breaks a target is saved as DIR/found/TARGET/crash-*; the script then exits 1.
# Copy it to tests/fuzz/found/TARGET/ (a name that says what it broke): every build then replays
# it as a unit test (fuzz_TARGET_inputs). Exit 0 clean, 1 a finding or a failed build, 2 usage.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

prog=fuzz
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# the targets: tests/fuzz/fuzz_NAME.c
all_targets() { for f in tests/fuzz/fuzz_*.c; do f=${f#tests/fuzz/fuzz_}; echo "${f%.c}"; done; }

seconds=20 runs="" seed="" build="$top/build-fuzz" targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds|--runs|--seed|--build)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)" ;;
  esac
  case "$1" in
    --seconds) cs_check_uint seconds "$2" 1 86400; seconds=$cs_value; runs=""; shift 2 ;;
    --runs) cs_check_uint runs "$2" 1 1000000000000; runs=$cs_value; shift 2 ;;
    --seed) cs_check_uint seed "$2" 1 4294967295; seed=$cs_value; shift 2 ;;
    --build) cs_check_path build "$2"; build=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) cs_die_usage "unknown option '$(cs_shown "$1")' (see --help)" ;;
    *) [[ $1 =~ ^[a-z0-9_]+$ ]] && [ -f "tests/fuzz/fuzz_$1.c" ] ||
         cs_die_usage "no fuzz target '$(cs_shown "$1")': the targets are $(all_targets | tr '\n' ' ' | sed 's/ $//')"
       targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)

command -v clang >/dev/null || { echo "fuzz: clang not found (scripts/deps.sh installs it)" >&2; exit 1; }
mkdir -p "$build"
CC=clang cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCS_FUZZ=ON >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; echo "fuzz: cmake configure failed (log above)" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >"$build/build.log" 2>&1 ||
  { tail -30 "$build/build.log" >&2; echo "fuzz: build failed (log: $build/build.log)" >&2; exit 1; }

limit=(-max_total_time="$seconds")
[ -n "$runs" ] && limit=(-runs="$runs")
[ -n "$seed" ] && limit+=(-seed="$seed")
printf '%-8s %12s %10s %8s %8s %8s %s\n' target executions per_s cov ft corpus result
status=0
for t in "${targets[@]}"; do
  work="$build/corpus/$t" found="$build/found/$t" log="$build/fuzz-$t.log"
  mkdir -p "$work" "$found"
  # new inputs go to the working corpus (first folder); the seeds in the tree stay as they are
  set +e
  started=$(date +%s%N)
  "$build/tests/fuzz_$t" "${limit[@]}" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$found/" \
    "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # per second of the whole run (libFuzzer's own figure counts whole seconds: 0 under one)
  elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 + 1 ))
  rate=
  [ -n "$execs" ] && rate=$(( execs * 1000 / elapsed_ms ))
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  result=clean
  if [ $rc -ne 0 ]; then
    result="FOUND: $(ls "$found" | head -1) (log: $log)"
    status=1
  fi
  printf '%-8s %12s %10s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$result"
done
[ $status -eq 0 ] || echo "fuzz: a target broke: see the log; keep the input in tests/fuzz/found/TARGET/" >&2
exit $status
