#!/usr/bin/env bash
# End-to-end checks of the fetch clients and io_server on loopback, one case per CTest test:
#   io_e2e.sh CASE DRIVER_DIR PROBE        (MPIEXEC names mpirun for the io_mpi cases)
set -u
CASE=$1 D=$2 PROBE=$3
MPIEXEC=${MPIEXEC:-mpirun}
HERE=$(cd "$(dirname "$0")" && pwd)
# io_mpi on two ranks; under LeakSanitizer, Open MPI's own leaks are suppressed
# (lsan_openmpi.supp), for these runs only.
MPIRUN="env LSAN_OPTIONS=suppressions=$HERE/lsan_openmpi.supp:print_suppressions=0:fast_unwind_on_malloc=0 \
OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1 \
$MPIEXEC -np 2"
TMP=$(mktemp -d)
SERVER_PID=
URL=

HOLDERS=()
cleanup() {
    local h
    for h in "${HOLDERS[@]}"; do kill "$h" 2>/dev/null; done
    if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    printf 'FAIL [%s]: %b\n' "$CASE" "$*" >&2
    exit 1
}

# io_server on a free loopback port; URL is its address, ending in '/'.
start_server() { start_server_with --listen 127.0.0.1:0 "$@"; }
start_server_with() {
    # The background shell truncates server.out only when it gets to run: a
    # previous server's "listening on" line must not be read as this one's.
    rm -f "$TMP/server.out" "$TMP/server.err"
    "$D/io_server" "$@" >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 200); do
        URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$TMP/server.out" 2>/dev/null)
        [ -n "$URL" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || fail "io_server died: $(cat "$TMP/server.err")"
        sleep 0.05
    done
    fail "io_server printed no URL within 10 s"
}

# SIGNAL the server and wait (bounded) for it; SERVER_RC is its exit code.
stop_server() {
    kill -"${1:-TERM}" "$SERVER_PID"
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$SERVER_PID" 2>/dev/null && fail "io_server still runs 5 s after SIG${1:-TERM}"
    wait "$SERVER_PID"
    SERVER_RC=$?
    SERVER_PID=
}

# run WANT_RC COMMAND...: stdout to $TMP/out, stderr to $TMP/err, bounded in time.
run() {
    local want=$1
    shift
    timeout -k 5 60 "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    [ "$got" = "$want" ] ||
        fail "exit $got, expected $want: $*\n--- stdout\n$(cat "$TMP/out")\n--- stderr\n$(cat "$TMP/err")"
    # In a sanitizer build a report can come with the very exit code a fault case expects.
    ! grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$TMP/err" ||
        fail "a sanitizer report: $*\n$(cat "$TMP/err")"
}

has_out() { grep -qF -- "$1" "$TMP/out" || fail "stdout lacks '$1':\n$(cat "$TMP/out")"; }
has_err_line() { grep -qxF -- "$1" "$TMP/err" || fail "stderr lacks the line '$1':\n$(cat "$TMP/err")"; }
has_err_start() { grep -q "^$(printf '%s' "$1" | sed 's/[][\.*^$/]/\\&/g')" "$TMP/err" || fail "stderr lacks a line starting '$1':\n$(cat "$TMP/err")"; }

# The server's own count of something (/stats), the tests' independent oracle.
server_stat() {
    "$PROBE" "${URL}stats" | awk -v k="$1" '$1 == k { print $2 }'
}
expect_stat() {
    local got
    got=$(server_stat "$1")
    [ "$got" = "$2" ] || fail "server $1 is '$got', expected $2"
}

# The command that runs client NAME (io_mpi on two ranks).
client() {
    case $1 in
    io_mpi) echo "$MPIRUN $D/io_mpi" ;;
    io_threads) echo "$D/io_threads --threads 3" ;;
    io_async) echo "$D/io_async --concurrency 4" ;;
    *) echo "$D/$1" ;;
    esac
}

# csv_field FILE ROW COLUMN: a field by column name, ROW counted from 1 after the header.
csv_field() {
    awk -F, -v row="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
        NR == row + 1 { print $c }' "$1"
}

CLIENTS="io_serial io_threads io_async io_mpi"

# Every byte counted, every body checked, rows written: against the server's own counts.
case_counts() {
    local name=$1 cmd
    cmd=$(client "$name")
    start_server --delay-ms 5 --bytes 3000
    printf '# a comment\n\n  %sbytes/100  \n%s?bytes=5000&delay_ms=1\n# another\n%sbytes/0\n' \
        "$URL" "$URL" "$URL" >"$TMP/urls.txt"
    # per repetition: 777 + 100 + 5000 + 0 + 10 x 3000 = 35877 bytes in 14 requests
    run 0 $cmd --repeat 2 --warmup 1 --csv "$TMP/rows.csv" --url-file "$TMP/urls.txt" \
        --url "$URL" --requests 10 "${URL}bytes/777"
    has_out "# verdict: all 42 requests of 3 repetitions succeeded; 42 pattern bodies checked"
    [ "$(wc -l <"$TMP/rows.csv")" = 3 ] || fail "rows.csv should hold a header and 2 rows:\n$(cat "$TMP/rows.csv")"
    for row in 1 2; do
        [ "$(csv_field "$TMP/rows.csv" $row kernel)" = fetch ] || fail "row $row: kernel is not fetch"
        [ "$(csv_field "$TMP/rows.csv" $row driver)" = "$name" ] || fail "row $row: driver is not $name"
        [ "$(csv_field "$TMP/rows.csv" $row requests)" = 14 ] || fail "row $row: requests is not 14"
        [ "$(csv_field "$TMP/rows.csv" $row errors)" = 0 ] || fail "row $row: errors is not 0"
        [ "$(csv_field "$TMP/rows.csv" $row bytes)" = 35877 ] || fail "row $row: bytes is not 35877"
        [ "$(csv_field "$TMP/rows.csv" $row verified)" = 1 ] || fail "row $row: not verified"
        [ "$(csv_field "$TMP/rows.csv" $row rep)" = $row ] || fail "row $row: rep is not $row"
        [ "$(csv_field "$TMP/rows.csv" $row case)" = "requests=14;urls=5" ] || fail "row $row: case"
        # 13 of the 14 requests wait 5 ms at the server: no latency figure can be less;
        # percentiles rise, and the rate is the requests over the wall time.
        awk -F, -v row="$row" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            NR == row + 1 { w = $c["wall_s"]; r = $c["req_per_s"]; p50 = $c["p50_ms"]
                p90 = $c["p90_ms"]; p99 = $c["p99_ms"]; mx = $c["max_ms"]
                d = r * w - 14; if (d < 0) d = -d
                exit !(p50 >= 5 && p50 <= p90 && p90 <= p99 && p99 <= mx && d < 0.01) }' \
            "$TMP/rows.csv" || fail "row $row: latencies or rate do not hold:\n$(cat "$TMP/rows.csv")"
    done
    expect_stat served 42
    expect_stat status_2xx 42
    expect_stat bytes $((3 * 35877))
    expect_stat inflight 0
    # With no URL the client serves itself: the classic requests, offline.
    run 0 $cmd --requests 12 --delay-ms 20 --bytes 500 --repeat 1 --warmup 0
    has_out "# fetch 12 requests: the embedded server http://127.0.0.1:"
    has_out "(delay 20 ms, body 500 bytes)"
    has_out "# embedded server: served 12, at most "
    has_out "# verdict: all 12 requests of 1 repetitions succeeded; 12 pattern bodies checked"
}

# One fault kind through every client: counted, listed, exit 1; 0 with --allow-failures.
case_fault() {
    local kind=$1 url extra=""
    start_server --delay-ms 0
    case $kind in
    refused) url="http://127.0.0.1:$("$PROBE" --closed-port)/" ;;
    unknown-host) url="http://no-such-host.invalid/" ;;
    timeout) url="${URL}delay/3000"; extra="--timeout-ms 300" ;;
    status) url="${URL}status/503" ;;
    short-body) url="${URL}?short=1&bytes=2000" ;;
    bad-body) url="${URL}?corrupt=1&bytes=2000" ;;
    esac
    for name in $CLIENTS; do
        local cmd
        cmd=$(client "$name")
        run 1 $cmd --repeat 1 --warmup 0 $extra --url "$url" --requests 2
        has_err_line "$name: 2 of 2 requests failed ($kind 2)"
        has_out "# faults: $kind 2"
        has_out "#   $kind: first at request 1 ($url): "
        has_out "# verdict: 2 of 2 requests of 1 repetitions FAILED"
        run 0 $cmd --repeat 1 --warmup 0 $extra --url "$url" --requests 2 --allow-failures
        has_err_line "$name: warning: 2 of 2 requests failed ($kind 2); accepted by --allow-failures"
    done
    case $kind in
    status) has_out "#   status: first at request 1 ($url): HTTP status 503" ;;
    bad-body) has_out "#   bad-body: first at request 1 ($url): body byte 1000 differs from the pattern" ;;
    esac
}

# Every kind at once, each counted once, beside a request that succeeds.
case_faults_mixed() {
    start_server --delay-ms 0
    local port
    port=$("$PROBE" --closed-port)
    printf '%s\n' "${URL}bytes/10" "http://127.0.0.1:$port/" "http://x.invalid/" "${URL}delay/3000" \
        "${URL}status/404" "${URL}?short=1" "${URL}?corrupt=1" >"$TMP/urls.txt"
    for name in $CLIENTS; do
        run 1 $(client "$name") --repeat 1 --warmup 0 --timeout-ms 300 --url-file "$TMP/urls.txt"
        has_err_line "$name: 6 of 7 requests failed (refused 1, unknown-host 1, timeout 1, status 1, short-body 1, bad-body 1)"
        has_out "#   unknown-host: first at request 3 (http://x.invalid/): "
        has_out "#   short-body: first at request 6 (${URL}?short=1): "
    done
}

# Bad URLs stop the run before any request, with exit 2 and a message naming the URL.
case_bad_urls() {
    start_server
    run 2 "$D/io_serial" "${URL}bytes/1" ftp://127.0.0.1/x
    has_err_line "io_serial: URL 'ftp://127.0.0.1/x': scheme 'ftp' is not http or https"
    run 2 "$D/io_async" --url 'http://' --requests 3
    has_err_line "io_async: --url 'http://': no host"
    run 2 "$D/io_threads" 'localhost:8080/x'
    has_err_line "io_threads: URL 'localhost:8080/x': no scheme: give http:// or https://"
    run 2 "$D/io_serial" 'http://bad host/'
    has_err_start "io_serial: URL 'http://bad host/': not a valid URL ("
    run 2 "$D/io_threads" "${URL}bytes/1" --requests 3
    has_err_line "io_threads: URL '--requests': an option after a URL; give the options first"
    run 2 "$D/io_serial" --url-file "$TMP/none.txt"
    has_err_line "io_serial: --url-file '$TMP/none.txt': cannot open: No such file or directory"
    printf '# only\n\n   # comments\n' >"$TMP/empty.txt"
    run 2 "$D/io_async" --url-file "$TMP/empty.txt"
    has_err_line "io_async: --url-file '$TMP/empty.txt': no URL in the file"
    printf '%s\n# two\ngopher://x/\n' "${URL}bytes/1" >"$TMP/bad.txt"
    run 2 "$D/io_threads" --url-file "$TMP/bad.txt"
    has_err_line "io_threads: --url-file '$TMP/bad.txt' line 3: URL 'gopher://x/': scheme 'gopher' is not http or https"
    run 2 $MPIRUN "$D/io_mpi" "${URL}bytes/1" 'file:///etc/passwd'
    has_err_line "io_mpi: URL 'file:///etc/passwd': scheme 'file' is not http or https"
    [ "$(grep -c "scheme 'file'" "$TMP/err")" = 1 ] || fail "only rank 0 should print:\n$(cat "$TMP/err")"
    expect_stat served 0
}

# The server counts requests in flight: no client exceeds its workers, and each reaches them.
case_concurrency() {
    start_server --delay-ms 150 --bytes 10
    run 0 "$D/io_async" --concurrency 5 --url "$URL" --requests 30 --repeat 1 --warmup 0
    expect_stat inflight_max 5
    stop_server
    # past one multi handle's 32 handles: the bound holds across them
    start_server --delay-ms 150 --bytes 10
    run 0 "$D/io_async" --concurrency 40 --url "$URL" --requests 120 --repeat 1 --warmup 0
    has_out "# verdict: all 120 requests of 1 repetitions succeeded; 120 pattern bodies checked"
    expect_stat inflight_max 40
    stop_server
    start_server --delay-ms 150 --bytes 10
    run 0 "$D/io_threads" --threads 3 --url "$URL" --requests 12 --repeat 1 --warmup 0
    expect_stat inflight_max 3
    stop_server
    start_server --delay-ms 100 --bytes 10
    run 0 "$D/io_serial" --url "$URL" --requests 5 --repeat 1 --warmup 0
    expect_stat inflight_max 1
    stop_server
    start_server --delay-ms 150 --bytes 10
    run 0 $MPIRUN "$D/io_mpi" --url "$URL" --requests 8 --repeat 1 --warmup 0
    expect_stat inflight_max 2
}

# Connections are kept alive and reused, across repetitions too: the server counts
# each one it accepts (the /stats probe's own among them).
case_connections() {
    local name want
    for name in $CLIENTS; do
        case $name in
        io_serial) want=1 ;;
        io_threads) want=3 ;;
        io_async) want=4 ;;
        io_mpi) want=2 ;;
        esac
        start_server --delay-ms 5 --bytes 10
        run 0 $(client "$name") --url "$URL" --requests 12 --repeat 2 --warmup 1
        expect_stat served 36
        expect_stat connections $((want + 2)) # the probe above, and this one
        stop_server
    done
    # past one multi handle's 32 handles, each connection still serves many requests
    start_server --delay-ms 5 --bytes 10
    run 0 "$D/io_async" --concurrency 40 --url "$URL" --requests 200 --repeat 2 --warmup 1
    expect_stat connections 41
}

# Out-of-range and malformed values get 400 with the reason; the bounds themselves pass.
case_server_400() {
    start_server --delay-ms 0
    local path want
    while IFS='|' read -r path want; do
        run 0 "$PROBE" "$URL$path"
        has_out "$want"
        has_out "status 400"
    done <<EOF_CASES
delay/abc|delay 'abc': not a whole number
delay/60001|delay '60001': must be 0..60000
bytes/1x|bytes '1x': not a whole number
status/99|status '99': must be 200..599
?delay_ms=-5|delay_ms '-5': not a whole number
?bytes=12x|bytes '12x': not a whole number
?status=600|status '600': must be 200..599
?short=2|short '2': must be 0..1
?delay_ms=|delay_ms '': a number is needed
bytes/0?corrupt=1|corrupt '1': no body byte to change (bytes is 0)
EOF_CASES
    expect_stat rejected 10
    run 0 "$PROBE" "${URL}status/599"
    has_out "status 599"
    run 0 "$PROBE" "${URL}x/y?status=201&bytes=3"
    has_out "status 201"
    expect_stat served 12
}

# 10,000 delayed requests at once: all held, none refused for want of descriptors.
case_server_10k() {
    local hard
    hard=$(ulimit -Hn)
    if [ "$hard" != unlimited ] && [ "$hard" -lt 10240 ]; then
        echo "skipped: the hard descriptor limit $hard is below the 10240 this case needs"
        exit 77
    fi
    start_server --delay-ms 3000 --bytes 16
    run 0 "$D/io_async" --concurrency 10000 --url "$URL" --requests 10000 --repeat 1 \
        --warmup 0 --timeout-ms 30000 --connect-timeout-ms 20000 --quiet
    expect_stat served 10000
    expect_stat inflight_max 10000
    expect_stat status_2xx 10000
}

# SIGINT and SIGTERM stop the server cleanly, with what it served.
case_server_signals() {
    local sig
    for sig in INT TERM; do
        start_server --delay-ms 0 --bytes 7
        run 0 "$PROBE" "${URL}"
        # one request waits when the signal comes: it must not hold the server up
        ("$PROBE" "${URL}delay/30000" >/dev/null 2>&1 &)
        for _ in $(seq 100); do
            [ "$(server_stat inflight)" = 1 ] && break
            sleep 0.05
        done
        expect_stat inflight 1
        stop_server "$sig"
        [ "$SERVER_RC" = 0 ] || fail "io_server exited $SERVER_RC on SIG$sig"
        grep -qF "# served 1 (2xx 1, 3xx 0, 4xx 0, 5xx 0; bad parameters 0), 7 body bytes, at most 1 in flight" \
            "$TMP/server.out" || fail "no served line after SIG$sig:\n$(cat "$TMP/server.out")"
    done
}

# Help, version and bad options: exit 0 or 2, before any work.
case_cli() {
    run 0 "$D/io_async" --help
    has_out "--concurrency C"
    has_out "Usage: io_async [OPTION]... [URL]..."
    run 0 "$D/io_server" --help
    has_out "--listen ADDR:PORT"
    run 0 "$D/io_threads" --version
    has_out "io_threads (corescale"
    run 2 "$D/io_server" --listen nonsense
    has_err_line "io_server: --listen 'nonsense': give ADDR:PORT (port 0 picks one)"
    run 2 "$D/io_server" --listen 127.0.0.1:70000
    has_err_line "io_server: --listen '127.0.0.1:70000': the port '70000' is not a number from 0 to 65535"
    run 2 "$D/io_server" --listen 192.0.2.1:0
    has_err_start "io_server: --listen '192.0.2.1:0': cannot listen: "
    run 2 "$D/io_async" --concurrency 0
    has_err_line "io_async: --concurrency '0': too small (at least 1)"
    run 2 "$D/io_server" --csv rows.csv
    has_err_line "io_server: unknown option '--csv' (see --help)"
    run 2 "$D/io_server" http://127.0.0.1/
    has_err_line "io_server: unexpected argument 'http://127.0.0.1/' (see --help)"
    # No --listen: loopback, on a port the system picks; --quiet leaves only that line.
    start_server_with --quiet
    case $URL in http://127.0.0.1:[1-9]*/) ;; *) fail "default address: '$URL'" ;; esac
    [ "$(wc -l <"$TMP/server.out")" = 1 ] || fail "--quiet printed more:\n$(cat "$TMP/server.out")"
    stop_server
    [ "$SERVER_RC" = 0 ] || fail "io_server exited $SERVER_RC on SIGTERM"
}

# Raw and hostile clients (and lying servers): tests/io/io_hostile.py, on the system python3.
HOSTILE="python3 $HERE/io_hostile.py"
hostile() {
    command -v python3 >/dev/null || { echo "skipped: no python3 for io_hostile.py"; exit 77; }
    $HOSTILE "$@"
}
# hold OUT N [REQUEST]: N connections that never read, in the background until the case
# ends; returns once they are all open.
hold() {
    local out=$TMP/$1
    shift
    $HOSTILE hold "$(url_port)" "$@" >"$out" &
    HOLDERS+=($!)
    for _ in $(seq 200); do grep -q holding "$out" 2>/dev/null && return 0; sleep 0.05; done
    fail "the holding clients did not connect"
}
release_holders() {
    local h
    for h in "${HOLDERS[@]}"; do kill "$h" 2>/dev/null; wait "$h" 2>/dev/null; done
    HOLDERS=()
}
# The port of $URL.
url_port() { printf '%s' "$URL" | sed 's|^http://[^:]*:\([0-9]*\)/$|\1|'; }

# ask WANT_LINE REQUEST...: the answers on one connection, one line of them must be WANT_LINE's start.
ask() {
    local want=$1
    shift
    run 0 $HOSTILE ask "$(url_port)" "$@"
    grep -qF -- "$want" "$TMP/out" || fail "no answer '$want':\n$(cat "$TMP/out")"
}

# Bodies: --max-body bytes pass, one more is 413, asked for (bytes=) or sent (Content-Length).
case_server_413() {
    start_server --delay-ms 0 --bytes 10 --max-body 1000
    ask "answer 1: HTTP/1.1 200 OK; content-length 1000, connection keep-alive; body 1000 bytes" "GET /bytes/1000"
    ask "answer 1: HTTP/1.1 413 Content Too Large; content-length " "GET /bytes/1001"
    has_out "bytes '1001': more than this server's bound of 1000 (--max-body)"
    ask "answer 1: HTTP/1.1 413 Content Too Large" "GET /?bytes=1001"
    # an answer, not a closed connection: the next request on it is served
    run 0 $HOSTILE ask "$(url_port)" "GET /?bytes=1001" "GET /bytes/7"
    has_out "answer 2: HTTP/1.1 200 OK; content-length 7, connection keep-alive; body 7 bytes"
    # a request body: read and dropped up to the bound, refused past it
    local body
    body=$(head -c 1000 /dev/zero | tr '\0' b)
    ask "answer 1: HTTP/1.1 200 OK; content-length 3" "GET /bytes/3 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n$body"
    ask "answer 1: HTTP/1.1 413 Content Too Large; content-length 79, connection close" \
        "GET /bytes/3 HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n"
    has_out "request body of 1001 bytes: more than this server's bound of 1000 (--max-body)"
    expect_stat too_large 4
    expect_stat status_2xx 3
}

# Heads: --max-header bytes pass, one more is 431 and the connection closes.
case_server_431() {
    start_server --delay-ms 0 --max-header 1024
    run 0 $HOSTILE head "$(url_port)" 1024
    has_out "HTTP/1.1 200 OK"
    run 0 $HOSTILE head "$(url_port)" 1025
    has_out "HTTP/1.1 431 Request Header Fields Too Large"
    # a head far over the bound costs the server one bounded read, not the whole head
    run 0 $HOSTILE head "$(url_port)" 8000000
    has_out "HTTP/1.1 431 Request Header Fields Too Large"
    expect_stat header_too_large 2
    expect_stat status_2xx 1
}

# Queries mean one thing or are refused, and reading one costs no more than its size:
# a parameter twice or a %00 in a value is 400; a 1 MiB head of 350,000 empty pairs is
# read without an allocation per pair (it took the server's peak memory up by 40 MB).
case_server_query() {
    start_server --delay-ms 0 --max-header 1048576
    ask "answer 1: HTTP/1.1 400 Bad Request" "GET /?bytes=1&bytes=99999999"
    has_out "query: 'bytes' given twice"
    ask "answer 1: HTTP/1.1 400 Bad Request" "GET /?bytes=1%00junk"
    has_out "bytes '1?junk': not a whole number"
    ask "answer 1: HTTP/1.1 200 OK; content-length 3" "GET /?x=1&x=2&byt%65s=3"
    local before after
    before=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
    run 0 $HOSTILE query "$(url_port)" 1048576
    has_out "HTTP/1.1 200 OK"
    after=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
    [ "$((after - before))" -lt 32768 ] ||
        fail "one 1 MiB query took the server's peak memory from $before kB to $after kB"
    expect_stat rejected 2
}

# A head with a bare LF is refused at once (400, closed), not left unanswered until the
# head deadline; what follows it on the connection is not served.
case_server_bare_lf() {
    start_server --delay-ms 0
    # the second request is never answered: ask says so and exits 1
    run 1 $HOSTILE ask "$(url_port)" "GET /bytes/1 HTTP/1.1\nHost: t\n\n" "GET /bytes/2"
    has_out "answer 1: HTTP/1.1 400 Bad Request; content-length 48, connection close"
    has_out "line 'GET /bytes/1 HTTP/1.1': not ended by CRLF"
    has_out "answer 2: none (connection closed)"
    ask "answer 1: HTTP/1.1 400 Bad Request" "GET /bytes/1 HTTP/1.1\r\nHost: t\nX: y"
    has_out "line 'Host: t': not ended by CRLF"
    expect_stat malformed 2
}

# A client that sends its requests and then shuts its write side (a half-close) while the
# first answer streams still gets an answer to each request it sent, then the end.
case_server_half_close() {
    start_server --delay-ms 0
    run 0 $HOSTILE ask-then-close "$(url_port)" "GET /bytes/16000000" "GET /bytes/2" "GET /status/204"
    has_out "answer 1: HTTP/1.1 200 OK; content-length 16000000, connection keep-alive; body 16000000 bytes"
    has_out "answer 2: HTTP/1.1 200 OK; content-length 2, connection keep-alive; body 2 bytes: b'Aw'"
    has_out "answer 3: HTTP/1.1 204 No Content; connection keep-alive; body 0 bytes"
    has_out "left over: 0 bytes"
    expect_stat status_2xx 3
    expect_stat dropped 0
}

# Memory: bodies in flight hold min(size, 32768) each; past --max-memory, 503 with Retry-After.
case_server_503_memory() {
    start_server --delay-ms 0 --max-memory 33768
    # a reader that never reads holds one window of a long body
    hold h1 1 "GET /bytes/50000000"
    for _ in $(seq 100); do
        [ "$(server_stat memory)" = 32768 ] && break
        sleep 0.05
    done
    expect_stat memory 32768
    ask "answer 1: HTTP/1.1 200 OK; content-length 1000, connection keep-alive; body 1000 bytes" "GET /bytes/1000"
    ask "answer 1: HTTP/1.1 503 Service Unavailable; content-length " "GET /bytes/1001"
    has_out "retry-after 1"
    has_out "busy: 32768 bytes of bodies in flight, this one would pass the bound of 33768 (--max-memory)"
    # no body, nothing held: still served
    ask "answer 1: HTTP/1.1 200 OK; content-length 0" "GET /bytes/0"
    expect_stat busy 1
    expect_stat memory_max 33768
}

# Connections: --max-connections open at once are served; one more hears 503 and is closed.
case_server_503_connections() {
    start_server --delay-ms 0 --max-connections 3
    hold h1 2
    ask "answer 1: HTTP/1.1 200 OK; content-length 4, connection keep-alive" "GET /bytes/4" # the 3rd
    hold h2 1
    ask "answer 1: HTTP/1.1 503 Service Unavailable; content-length 38, retry-after 1, connection close" "GET /bytes/4"
    has_out "too many connections: try again later"
    release_holders
    # the held ones gone, the bound has room again
    for _ in $(seq 100); do [ "$(hostile ask "$(url_port)" "GET /bytes/1" 2>/dev/null | head -1 | cut -c1-25)" = "answer 1: HTTP/1.1 200 OK" ] && break; sleep 0.05; done
    ask "answer 1: HTTP/1.1 200 OK" "GET /bytes/1"
}

# HEAD, 204 and 304 carry no body, so the answers after them on the connection are whole.
case_server_no_body() {
    start_server --delay-ms 0
    run 0 $HOSTILE ask "$(url_port)" "HEAD /bytes/5" "GET /bytes/5" "GET /status/204" "GET /bytes/3" \
        "GET /status/304" "GET /bytes/2" "HEAD /status/404" "GET /bytes/1"
    cat >"$TMP/want" <<'EOF_WANT'
answer 1: HTTP/1.1 200 OK; content-length 5, connection keep-alive; body 0 bytes: b''
answer 2: HTTP/1.1 200 OK; content-length 5, connection keep-alive; body 5 bytes: b'AwCTA'
answer 3: HTTP/1.1 204 No Content; connection keep-alive; body 0 bytes: b''
answer 4: HTTP/1.1 200 OK; content-length 3, connection keep-alive; body 3 bytes: b'AwC'
answer 5: HTTP/1.1 304 Not Modified; connection keep-alive; body 0 bytes: b''
answer 6: HTTP/1.1 200 OK; content-length 2, connection keep-alive; body 2 bytes: b'Aw'
answer 7: HTTP/1.1 404 Not Found; content-length 11, connection keep-alive; body 0 bytes: b''
answer 8: HTTP/1.1 200 OK; content-length 1, connection keep-alive; body 1 bytes: b'A'
left over: 0 bytes
EOF_WANT
    diff "$TMP/want" "$TMP/out" >/dev/null || fail "answers differ:\n$(diff "$TMP/want" "$TMP/out")"
    # the fetch clients agree, on the same connection
    run 0 "$D/io_serial" --repeat 1 --warmup 0 "${URL}status/204" "${URL}bytes/10" "${URL}status/204" "${URL}bytes/20"
    has_out "# verdict: all 4 requests of 1 repetitions succeeded; 2 pattern bodies checked"
}

# Clients that go while their answer waits: dropped at once with their descriptors.
case_server_vanished() {
    start_server --delay-ms 0
    local fds
    run 0 "$PROBE" "${URL}bytes/1"
    fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    run 0 $HOSTILE vanish "$(url_port)" 50 "GET /delay/30000?bytes=67108864&corrupt=1"
    for _ in $(seq 100); do
        [ "$(server_stat dropped)" = 50 ] && break
        sleep 0.05
    done
    expect_stat dropped 50
    expect_stat inflight 0
    expect_stat memory 0
    expect_stat open 1 # the /stats probe's own
    local now
    now=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    [ "$now" -le "$((fds + 1))" ] || fail "the server holds $now descriptors, $fds before the 50 clients"
    if command -v ss >/dev/null; then
        [ -z "$(ss -Htn state close-wait "( sport = :$(url_port) )")" ] ||
            fail "connections in CLOSE-WAIT:\n$(ss -tn state close-wait "( sport = :$(url_port) )")"
    fi
}

# Out of descriptors: accepting pauses (one warning, little CPU), and resumes when some are free.
case_server_emfile() {
    rm -f "$TMP/server.out" "$TMP/server.err"
    (ulimit -n 32 && exec "$D/io_server" --listen 127.0.0.1:0 --delay-ms 0) >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    for _ in $(seq 200); do
        URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$TMP/server.out" 2>/dev/null)
        [ -n "$URL" ] && break
        sleep 0.05
    done
    [ -n "$URL" ] || fail "io_server did not start: $(cat "$TMP/server.err")"
    hold h1 60
    for _ in $(seq 100); do grep -q "pausing accepts" "$TMP/server.err" && break; sleep 0.05; done
    grep -q "pausing accepts" "$TMP/server.err" || fail "no pause:\n$(cat "$TMP/server.err")"
    local t0 t1
    t0=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    sleep 2
    t1=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    # a spinning server would burn the whole 2 s (200 ticks); paused, it retries 10 times a second
    [ $((t1 - t0)) -lt 50 ] || fail "the server used $((t1 - t0)) ticks of CPU in 2 s out of descriptors"
    [ "$(grep -c "cannot accept" "$TMP/server.err")" = 1 ] ||
        fail "one warning per episode expected:\n$(head -20 "$TMP/server.err")"
    grep -qF "io_server: warning: cannot accept: Too many open files, with " "$TMP/server.err" ||
        fail "the warning does not say why:\n$(cat "$TMP/server.err")"
    release_holders
    for _ in $(seq 100); do grep -q "accepting again" "$TMP/server.err" && break; sleep 0.05; done
    run 0 "$PROBE" "${URL}bytes/3"
    has_out "status 200"
    grep -q "accepting again" "$TMP/server.err" || fail "no resume note:\n$(cat "$TMP/server.err")"
    stop_server TERM
    [ "$SERVER_RC" = 0 ] || fail "io_server exited $SERVER_RC on SIGTERM"
}

# SIGTERM amid hostile clients (waiting, never reading, trickling): exit 0, counts printed.
case_server_hostile_sigterm() {
    start_server --delay-ms 0
    hold h1 20 "GET /bytes/50000000"
    hold h2 20 "GET /delay/30000"
    hold h3 20 "GET / HTTP/1.1\r\nHost: half"
    for _ in $(seq 100); do [ "$(server_stat open)" = 61 ] && break; sleep 0.05; done
    expect_stat open 61
    stop_server TERM
    [ "$SERVER_RC" = 0 ] || fail "io_server exited $SERVER_RC on SIGTERM"
    grep -q "^# bounds hit: .* dropped 40, " "$TMP/server.out" || fail "no bounds line:\n$(cat "$TMP/server.out")"
}

# Servers that lie about the length: an overflowing Content-Length, or more body than meant.
case_fault_bad_length() {
    local mode
    for mode in overflow runs-on; do
        $HOSTILE serve "$mode" >"$TMP/fake.out" &
        local fake=$!
        HOLDERS+=($fake)
        # 20 s: a loaded machine (ctest -j) can take seconds to start it
        for _ in $(seq 400); do grep -q listening "$TMP/fake.out" && break; sleep 0.05; done
        local url
        url=$(sed -n 's/^listening on //p' "$TMP/fake.out")
        [ -n "$url" ] || { fail "the lying server ($mode) printed no address within 20 s"; return; }
        for name in io_serial io_threads io_async; do
            run 1 $(client "$name") --repeat 1 --warmup 0 --url "$url" --requests 2
            has_err_line "$name: 2 of 2 requests failed (bad-length 2)"
            case $mode in
            overflow) has_out "#   bad-length: first at request 1 ($url): Content-Length '99999999999999999999999' is not a length a body can have" ;;
            runs-on) has_out "#   bad-length: first at request 1 ($url): 10 body bytes, more than the 5 the server meant" ;;
            esac
        done
        kill "$fake"
        wait "$fake" 2>/dev/null
    done
}

# The bounds' own options: bad values and contradictions exit 2 before anything listens.
case_server_cli() {
    run 0 "$D/io_server" --help
    has_out "--max-body N"
    has_out "--max-memory N"
    has_out "--max-header N"
    has_out "--max-connections C"
    has_out "--max-delay-ms MS"
    run 2 "$D/io_server" --max-body 0
    has_err_line "io_server: --max-body '0': too small (at least 1)"
    run 2 "$D/io_server" --max-body 67108865
    has_err_line "io_server: --max-body '67108865': too large (at most 67108864)"
    run 2 "$D/io_server" --max-header 63
    has_err_line "io_server: --max-header '63': too small (at least 64)"
    run 2 "$D/io_server" --max-connections 99999999999999999999
    has_err_line "io_server: --max-connections '99999999999999999999': too large (at most 1000000)"
    run 2 "$D/io_server" --bytes 2000 --max-body 1000
    has_err_line "io_server: --bytes '2000': more than --max-body 1000"
    run 2 "$D/io_server" --delay-ms 500 --max-delay-ms 100
    has_err_line "io_server: --delay-ms '500': more than --max-delay-ms 100"
    run 2 "$D/io_server" --max-memory 32767
    has_err_line "io_server: --max-memory '32767': less than one body in flight needs (32768: the smaller of --max-body and 32768)"
    run 2 "$D/io_server" --max-memory 999 --max-body 1000
    has_err_line "io_server: --max-memory '999': less than one body in flight needs (1000: the smaller of --max-body and 32768)"
    # at the bounds themselves: it runs
    start_server --max-memory 1000 --max-body 1000 --bytes 1000 --delay-ms 100 --max-delay-ms 100
    grep -qF "# bounds: body 1000 bytes, delay 100 ms, bodies in flight 1000 bytes, head 8192 bytes, 10000 connections" \
        "$TMP/server.out" || fail "no bounds line:\n$(cat "$TMP/server.out")"
    run 0 "$PROBE" "${URL}delay/101"
    has_out "delay '101': must be 0..100"
}

case $CASE in
server_413) case_server_413 ;;
server_431) case_server_431 ;;
server_503_memory) case_server_503_memory ;;
server_503_connections) case_server_503_connections ;;
server_no_body) case_server_no_body ;;
server_vanished) case_server_vanished ;;
server_emfile) case_server_emfile ;;
server_hostile_sigterm) case_server_hostile_sigterm ;;
fault_bad-length) case_fault_bad_length ;;
server_cli) case_server_cli ;;
server_query) case_server_query ;;
server_bare_lf) case_server_bare_lf ;;
server_half_close) case_server_half_close ;;
counts_*) case_counts "io_${CASE#counts_}" ;;
fault_*) case_fault "${CASE#fault_}" ;;
faults_mixed) case_faults_mixed ;;
bad_urls) case_bad_urls ;;
concurrency) case_concurrency ;;
connections) case_connections ;;
server_400) case_server_400 ;;
server_10k) case_server_10k ;;
server_signals) case_server_signals ;;
cli) case_cli ;;
*) fail "unknown case" ;;
esac
echo "ok [$CASE]"
