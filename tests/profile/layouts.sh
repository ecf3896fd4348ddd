#!/usr/bin/env bash
# cs_profile --workers RANKSxTHREADS and --serial on a two-rank profile whose one message
# (4000 bytes, at 0.5 s + bytes / 1000 B/s: 4.5 s) joins two 1 ms items to a 1 ms combine:
# as 2 ranks (a plain 2 keeps the recorded one thread per rank, as 2x1 says) the message is
# paid; as one rank of two threads (1x2) it is not, and the items run at once. --serial
# changes what the speedups are against. Usage: layouts.sh CS_PROFILE FIXTURE
set -u
tool=$1 fixture=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect OPTIONS... -- LINE...: every LINE is a line of the output
expect() {
  local opts=() out
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  out=$("$tool" --latency 0.5 --bandwidth 1000 "${opts[@]}" "$fixture") ||
    { fail "${opts[*]}: exit $?"; return; }
  for line in "$@"; do
    grep -qxF -- "$line" <<<"$out" || fail "${opts[*]}: no line '$line' in:
$out"
  done
}
p='# profile product n=2: predicted'
# Against the work (3 ms at one worker): the message makes 2 ranks slower than one.
expect --workers 2,2x1,1x2 -- \
  "$p        2     4.502000      0.00       0.00" \
  "$p      2x1     4.502000      0.00       0.00" \
  "$p      1x2     0.002000      1.50       0.75"
# Against a serial time of 2.4 ms: 1x2 is 1.2 times faster than it.
expect --workers 1x2 --serial 0.0024 -- \
  "# profile product n=2: speedups against cpu_serial's 0.002400 s (given); the work is 1.25x that" \
  "$p      1x2     0.002000      1.20       0.60"
[ $failures = 0 ] && echo "ok: cs_profile predicts layouts of ranks x threads, against a given serial time"
exit $((failures > 0))
