#!/usr/bin/env bash
# cs_profile --workers RANKSxTHREADS and --serial on a two-rank profile whose one message
# (4000 bytes, at 0.5 s + bytes / 1000 B/s: 4.5 s) joins two 1 ms items to a 1 ms combine:
# as 2 ranks (a plain 2 keeps the recorded one thread per rank, as 2x1 says) the message is
# paid; as one rank of two threads (1x2) it is not, and the items run at once. --serial
# changes what the speedups are against. --group-cost charges the shared nodes of a profile
# one rank recorded (one-rank-shared.txt: two 1 ms items, then three 1 ms parts of their
# node), not those two ranks recorded; with --serial, a combine a thread runs alone costs
# what cpu_serial's did, in a profile one rank recorded. Usage: layouts.sh CS_PROFILE FIXTURE_DIR
set -u
tool=$1 fixture=$2/two-ranks.txt one_rank=$2/one-rank-shared.txt
. "$(dirname "$0")/expect_lines.sh"
p='# profile product n=2: predicted'
# Against the work (3 ms at one worker): the message makes 2 ranks slower than one.
slow=(--latency 0.5 --bandwidth 1000)
expect "${slow[@]}" --workers 2,2x1,1x2 -- \
  "$p        2     4.502000      0.00       0.00" \
  "$p      2x1     4.502000      0.00       0.00" \
  "$p      1x2     0.002000      1.50       0.75"
# Against a serial time of 2.4 ms: 1x2 is 1.2 times faster than it.
expect "${slow[@]}" --workers 1x2 --serial 0.0024 -- \
  "# profile product n=2: speedups against cpu_serial's 0.002400 s (given); the work is 1.25x that" \
  "$p      1x2     0.002000      1.20       0.60"
# Two ranks recorded the node: their times hold the ways' work, and the factor is not applied.
expect "${slow[@]}" --workers 2 --group-cost 2:2 -- \
  "# profile product n=2: --group-cost not applied: 2 ranks recorded their shared nodes, the ways' work in their times" \
  "$p        2     4.502000      0.00       0.00"
# One rank recorded it: at 2 ranks its three parts take 2 ms, or at twice the cost 4 ms.
fixture=$one_rank
expect --workers 2 --latency 0 --bandwidth 1e15 -- "$p        2     0.003000      1.67       0.83"
expect --workers 2 --latency 0 --bandwidth 1e15 --group-cost 2:2,4:3 -- \
  "# profile product n=2: a node shared by ranks costs its parts' time x 2 from 2 ranks, 3 from 4 ranks (given)" \
  "$p        2     0.005000      1.00       0.50"
# A serial time of 3.5 ms prices a node a rank of one thread holds alone at half its recorded
# parts ((3.5 - 2) / 3): one such rank takes cpu_serial's time. Two share the node, whose parts
# stay as recorded (1 ms of items, then three 1 ms parts on two workers), as does one rank of
# two threads, which multiplies helped.
expect --workers 1,2,1x2 --latency 0 --bandwidth 1e15 --serial 0.0035 -- \
  "# profile product n=2: a combine a rank of one thread holds alone runs unhelped, at 0.500 of its recorded time: cpu_serial's 0.003500 s less the items' 0.002000 s, over the combines' 0.003000 s" \
  "$p        1     0.003500      1.00       1.00" \
  "$p        2     0.003000      1.17       0.58" \
  "$p      1x2     0.003000      1.17       0.58"
# Two ranks recorded two-ranks.txt: its shared nodes' times hold their exchanges and the ways'
# work, which would read the combines' ratio low, so one rank of one thread runs the two 1 ms
# items and the 1 ms combine as recorded, not the combine at 1.5 ms.
fixture=$2/two-ranks.txt
expect --workers 1 --latency 0 --bandwidth 1e15 --serial 0.0035 -- \
  "# profile product n=2: combines priced as recorded: 2 ranks recorded their shared nodes, exchanges and the ways' work in the combines' time" \
  "$p        1     0.003000      1.17       1.17"
fixture=$one_rank
# A serial time below the items' work says nothing of the combines: they cost as recorded.
expect --workers 2 --latency 0 --bandwidth 1e15 --serial 0.0015 -- \
  "# profile product n=2: combines priced as recorded: cpu_serial's 0.001500 s is not above the items' work, 0.002000 s" \
  "$p        2     0.003000      0.50       0.25"
# A one-process profile shares no nodes: the factor is not applied, and it says so.
fixture=$2/good.txt
expect --workers 2 --group-cost 2:1.5 -- \
  "# profile product n=2: --group-cost not applied: cpu_serial runs one process, whose nodes no ranks share"
# Past 64 ranks the replay cannot see shared nodes, and says its rows are no prediction.
fixture=$2/two-ranks.txt
expect --workers 2,128 -- \
  "# profile product n=2: past 64 ranks (up to 128 here) the replay does not see nodes shared by ranks 64 and up: their parts run on one rank, without their exchanges or --group-cost, so those rows are no prediction"
[ $failures = 0 ] && echo "ok: cs_profile predicts layouts of ranks x threads, against a given serial time, shared nodes at a given cost, unhelped combines at cpu_serial's"
exit $((failures > 0))
