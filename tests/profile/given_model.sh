#!/usr/bin/env bash
# cs_profile --latency and --bandwidth: a two-rank profile whose one message (4000 bytes) lies on
# the span is costed as given, each value alone or both, and the fit or defaults stand for what
# is not given. Usage: given_model.sh CS_PROFILE FIXTURE
set -u
tool=$1 fixture=$2
. "$(dirname "$0")/expect_lines.sh"
p='# profile product n=2'
# No option: the defaults (one message is too few to fit): 2 us + 4000 B / 5e9 B/s is 2.8 us.
expect --workers 2 -- "$p: messages cost 2e-06 s + bytes / 5e+09 B/s (default)" \
  "$p: work 0.003000 s, span 0.002003 s, parallelism 1.50; 5 tasks: 2 item 1 combine 1 send 1 recv"
# Both: 0.5 s + 4000 B / 1000 B/s = 4.5 s between the item and the combine (1 ms each); two
# ranks paying it are far slower than one worker, which pays none (3 ms, the work).
expect --workers 2 --latency 0.5 --bandwidth 1000 -- "$p: messages cost 0.5 s + bytes / 1e+03 B/s (given)" \
  "$p: work 0.003000 s, span 4.502000 s, parallelism 0.00; 5 tasks: 2 item 1 combine 1 send 1 recv" \
  "$p: predicted        2     4.502000      0.00       0.00"
# One at a time: the other keeps its default.
expect --workers 2 --latency 0.5 -- "$p: messages cost 0.5 s (given) + bytes / 5e+09 B/s (default)" \
  "$p: work 0.003000 s, span 0.502001 s, parallelism 0.01; 5 tasks: 2 item 1 combine 1 send 1 recv"
expect --workers 2 --bandwidth 1000 -- "$p: messages cost 2e-06 s (default) + bytes / 1e+03 B/s (given)" \
  "$p: work 0.003000 s, span 4.002002 s, parallelism 0.00; 5 tasks: 2 item 1 combine 1 send 1 recv"
[ $failures = 0 ] && echo "ok: cs_profile costs messages as --latency and --bandwidth say"
exit $((failures > 0))
