#!/usr/bin/env bash
# io_server under hostile clients: its memory against its bound and a normal client's latency.
# Usage: scripts/bench_server.sh [--clients N] [--seconds S] [--nice K] [BUILD_DIR]
#   N hostile clients at once (default 1000: big bodies, 1 MiB heads, readers that never
#   read, clients that vanish while their answer waits) for S seconds (default 20), the crowd
#   at nice K (default 10; the server and the normal client at 0), while a normal client asks
#   for 1 KiB every 10 ms on one keep-alive connection. Then SIGTERM: it must exit 0.
# A benchmark, not a test: the figures go to notes (goal: peak memory under the bound, every
# normal answer within 50 ms).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
prog=bench_server
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
clients=1000 seconds=20 nice=10 build=build
while [ $# -gt 0 ]; do
  case $1 in
    --clients|--seconds|--nice) [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)" ;;
  esac
  case $1 in
    --clients) cs_check_uint clients "$2" 1 20000; clients=$cs_value; shift 2 ;;
    --seconds) cs_check_uint seconds "$2" 1 3600; seconds=$cs_value; shift 2 ;;
    --nice) cs_check_uint nice "$2" 0 19; nice=$cs_value; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) cs_die_usage "unknown option '$(cs_shown "$1")' (see --help)" ;;
    *) cs_check_path BUILD_DIR "$1"; build=$1; shift ;;
  esac
done
case $build in /*) ;; *) build="$PWD/$build" ;; esac
server="$build/drivers/io_server" probe="$build/tests/io_probe"
for p in "$server" "$probe"; do
  [ -x "$p" ] || { echo "bench_server: '$p' is missing: build first (scripts/build.sh $build)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "bench_server: python3 is needed for the clients" >&2; exit 2; }
tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=scripts/lib/server.sh
. "$top/scripts/lib/server.sh"
cs_server_start "$tmp/server.out" "$server" --delay-ms 0 ||
  { echo "bench_server: io_server did not start: $(cat "$tmp/server.out")" >&2; exit 1; }
port=${url##*:}
port=${port%/}
stat() { "$probe" "${url}stats" 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

echo "# io_server $url under $clients hostile clients for $seconds s (crowd at nice $nice), $(nproc) cores"
echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^# bounds' "$tmp/server.out" | sed 's/^# /# io_server /'
rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status")
t0=$(ticks)
python3 "$top/tests/io/io_hostile.py" load "$port" "$server_pid" "$seconds" "$clients" "$nice" |
  sed 's/^/# /'
t1=$(ticks)
max_memory=$(stat max_memory)
memory_max=$(stat memory_max)
echo "# io_server at rest before: RSS $((rss0 / 1024)) MiB; CPU during the run $(( (t1 - t0) / $(getconf CLK_TCK) )) s of $seconds"
echo "# bodies in flight: at most $memory_max bytes held of the $max_memory bound (--max-memory)"
start=$(date +%s%N)
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
echo "# SIGTERM: exit $rc after $(( ($(date +%s%N) - start) / 1000000 )) ms"
grep '^# served\|^# bounds hit' "$tmp/server.out" | sed 's/^# /# io_server /'
grep -v '^listening on \|^# ' "$tmp/server.out" | sed 's/^/# io_server said: /' | head -5
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$rc" = 0 ]
