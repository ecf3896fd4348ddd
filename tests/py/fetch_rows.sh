#!/usr/bin/env bash
# The Python fetch peers against io_server: with no URL they start it themselves and every
# pattern body is checked; a corrupted body, a failing status and a missing module are failures
# that name themselves. Usage: fetch_rows.sh BUILD_DIR
. "$(dirname "$0")/../sweep/lib.sh"
bin=$1/drivers

"$bin/io_serial" --requests 1 --delay-ms 0 --repeat 1 --warmup 0 --quiet --csv "$scratch/c.csv" ||
  fail "io_serial: exit $?"
for peer in py_fetch_serial py_fetch_threads py_fetch_async; do
  csv=$scratch/$peer.csv
  "$bin/$peer" --requests 12 --delay-ms 5 --bytes 5000 --repeat 2 --warmup 0 --quiet --csv "$csv"
  expect_eq "$peer: exit" 0 $?
  expect_eq "$peer: verified rows" 2 "$(count_rows "$csv" driver "$peer" kernel fetch \
    case 'requests=12;delay_ms=5;bytes=5000' requests 12 errors 0 bytes 60000 digest 'ok=12;checked=12' verified 1)"
  expect_eq "$peer: header and columns as io_serial's" "$(sed -n 1p "$scratch/c.csv")" "$(sed -n 1p "$csv")"
  expect_eq "$peer: fields per row as the header's" "$(awk -F, 'NR == 1 { print NF }' "$scratch/c.csv")" \
    "$(awk -F, 'NR == 2 { print NF }' "$csv")"
done

# A server of our own for the URLs that fail.
"$bin/io_server" --listen 127.0.0.1:0 --delay-ms 1 --quiet >"$scratch/server.out" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do grep -q '^listening on' "$scratch/server.out" && break; sleep 0.1; done
url=$(awk '/^listening on/ { print $3 }' "$scratch/server.out")
[ -n "$url" ] || fail "io_server did not say where it listens"

for peer in py_fetch_serial py_fetch_threads py_fetch_async; do
  "$bin/$peer" --url "${url}bytes/9000?corrupt=1" --requests 3 --repeat 1 --warmup 0 --quiet \
    2>"$scratch/err"
  expect_eq "$peer corrupt body: exit" 1 $?
  expect_eq "$peer corrupt body: message" "$peer: 3 of 3 requests failed (bad-body 3)" "$(head -n 1 "$scratch/err")"
  "$bin/$peer" --url "${url}status/503" --requests 2 --repeat 1 --warmup 0 --quiet --allow-failures \
    --csv "$scratch/fail.csv" 2>"$scratch/err"
  expect_eq "$peer 503 allowed: exit" 0 $?
  expect_grep "$peer 503 allowed: warning" "$peer: warning: 2 of 2 requests failed (status 2)" "$scratch/err"
  expect_eq "$peer 503: unverified row" 1 "$(count_rows "$scratch/fail.csv" driver "$peer" errors 2 verified 0)"
done

# A missing module: a stub on PYTHONPATH that fails to import stands for an uninstalled one.
mkdir -p "$scratch/stub"
echo 'raise ImportError("not installed (test stub)")' >"$scratch/stub/aiohttp.py"
echo 'raise ImportError("not installed (test stub)")' >"$scratch/stub/requests.py"
for peer in py_fetch_serial py_fetch_async; do
  module=requests
  [ $peer = py_fetch_async ] && module=aiohttp
  PYTHONPATH=$scratch/stub "$bin/$peer" --url "$url" --requests 1 2>"$scratch/err" >/dev/null
  expect_eq "$peer without $module: exit" 1 $?
  expect_grep "$peer without $module: message" "$peer: the Python module '$module' is missing" "$scratch/err"
  expect_grep "$peer without $module: package" "python3-$module" "$scratch/err"
done
finish
