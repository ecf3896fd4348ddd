#!/usr/bin/env bash
# I/O benchmark: the fetch clients side by side against one io_server on loopback, and wrk beside io_async.
# Usage: scripts/bench_io.sh [BUILD_DIR]   (from anywhere; BUILD_DIR defaults to ./build)
# Rows go to results/<host>-<date>/bench_io.csv (or $CS_RESULTS_DIR); the table to stdout.
# The arguments are checked before anything starts (exit 2, one message naming the value).
set -euo pipefail
prog=bench_io
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
case ${1:-} in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) cs_die_usage "unknown option '$1' (see --help)" ;;
esac
[ $# -le 1 ] || cs_die_usage "unexpected argument '$(cs_shown "$2")': one BUILD_DIR only (see --help)"
[ $# -eq 0 ] || cs_check_path BUILD_DIR "$1"
[ -z "${CS_RESULTS_DIR+x}" ] || cs_check_path CS_RESULTS_DIR "$CS_RESULTS_DIR"
build=${1:-build}
case $build in /*) ;; *) build="$PWD/$build" ;; esac
d="$build/drivers"
for p in io_server io_serial io_threads io_async io_mpi; do
  [ -x "$d/$p" ] || cs_die_usage "BUILD_DIR '$(cs_shown "$build")': $p is not built in it (scripts/build.sh $build)"
done
command -v wrk >/dev/null || { echo "bench_io: wrk is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpiexec=$(command -v mpirun || command -v mpiexec)

results=${CS_RESULTS_DIR:-$top/results/$(hostname -s)-$(date -u +%Y%m%d)}
mkdir -p "$results"
csv="$results/bench_io.csv"
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# One io_server for every run: the clients meet the same server, in another process.
# shellcheck source=scripts/lib/server.sh
. "$top/scripts/lib/server.sh"
cs_server_start "$tmp/server.out" "$d/io_server" --delay-ms 100 --bytes 1024 ||
  { echo "bench_io: io_server did not start: $(cat "$tmp/server.out")" >&2; exit 1; }

# median COLUMN FILE: the median of a CSV column over a run's rows.
median() {
  awk -F, -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } { print $c }' "$2" |
    sort -g | awk '{ v[NR] = $1 } END { printf "%s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '# io_server %s: / waits 100 ms, answers 1024 pattern bytes; clients on the same host, %s cores\n' \
  "$url" "$(nproc)"
# Server and clients share the cores with whatever else runs: say how busy they were.
printf '# load average at the start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %5s %10s %11s %9s %9s %7s  %s\n' "run" "reps" "wall_s" "req_per_s" "p50_ms" "p99_ms" "errors" "goal"

# run NAME GOAL COMMAND...: one client run, its rows kept, its medians printed.
run() {
  local name=$1 goal=$2
  shift 2
  local rows="$tmp/rows.csv"
  rm -f "$rows"
  if ! timeout -k 5 300 "$@" --quiet --csv "$rows" 2>"$tmp/err"; then
    echo "bench_io: $name failed: $(cat "$tmp/err")" >&2
    exit 1
  fi
  tail -n +2 "$rows" >>"$tmp/all.csv"
  [ -s "$csv" ] || head -1 "$rows" >"$csv"
  tail -n +2 "$rows" >>"$csv"
  printf '%-44s %5s %10.4f %11.1f %9.3f %9.3f %7s  %s\n' "$name" "$(($(wc -l <"$rows") - 1))" \
    "$(median wall_s "$rows")" "$(median req_per_s "$rows")" "$(median p50_ms "$rows")" \
    "$(median p99_ms "$rows")" "$(median errors "$rows")" "$goal"
  LAST_RATE=$(median req_per_s "$rows")
  LAST_WALL=$(median wall_s "$rows")
}

run "io_serial, 100 requests" "about 10 s" \
  "$d/io_serial" --url "$url" --requests 100 --repeat 1 --warmup 0
serial_wall=$LAST_WALL
run "io_threads --threads 10, 100 requests" "about 1 s" \
  "$d/io_threads" --threads 10 --url "$url" --requests 100 --repeat 3 --warmup 1
run "io_mpi -np 10, 100 requests" "(process pool)" \
  $mpiexec -np 10 "$d/io_mpi" --url "$url" --requests 100 --repeat 3 --warmup 1
run "io_async --concurrency 100, 100 requests" "at most 0.12 s" \
  "$d/io_async" --concurrency 100 --url "$url" --requests 100 --repeat 5 --warmup 1
async_wall=$LAST_WALL
run "io_async --concurrency 1000, 1000 requests" "at most 0.15 s" \
  "$d/io_async" --concurrency 1000 --url "$url" --requests 1000 --repeat 5 --warmup 1
run "io_async (embedded server), 100 requests" "(offline classic)" \
  "$d/io_async" --concurrency 100 --requests 100 --delay-ms 100 --repeat 5 --warmup 1

# Zero delay: requests per second with 50 connections, io_async beside wrk.
zero="${url}?delay_ms=0"
wrk_rates=()
for t in 1 2; do
  out=$(timeout -k 5 60 wrk -t"$t" -c50 -d5s "$zero")
  rate=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
  errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ { print }')
  wrk_rates+=("$rate")
  printf '%-44s %5s %10s %11.1f %9s %9s %7s  %s\n' "wrk -t$t -c50 -d5s, zero delay" 1 "5 (fixed)" \
    "$rate" "-" "-" "${errs:+see wrk}" "(peer)"
done
run "io_async --concurrency 50, zero delay" "at least half of wrk" \
  "$d/io_async" --concurrency 50 --url "$zero" --requests 50000 --repeat 3 --warmup 1
best_wrk=$(printf '%s\n' "${wrk_rates[@]}" | sort -g | tail -1)
echo
awk -v a="$LAST_RATE" -v w="$best_wrk" -v s="$serial_wall" -v c="$async_wall" 'BEGIN {
  printf "# io_async / best wrk at zero delay: %.1f / %.1f req/s = %.2f (goal at least 0.50)\n", a, w, a / w
  printf "# io_serial / io_async at 100 ms: %.2f s / %.4f s = %.0fx\n", s, c, s / c }'
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=
grep '^# served' "$tmp/server.out" | sed 's/^# /# io_server /'
printf '# load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "# rows: $csv"
