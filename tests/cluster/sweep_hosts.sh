#!/usr/bin/env bash
# sweep.sh --hostfile on the cluster's hosts: the grid is nodes x ranks per node x threads, every
# point verified, and each row says on which host each of its ranks ran (column hosts).
# Usage: sweep_hosts.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
[ "$(nproc)" -ge 2 ] || { echo "SKIP: one CPU here: no grid of 2 ranks per node to check"; exit 77; }

out=$tmp/sweep
"$top/scripts/cluster/on.sh" --state "$state" head timeout 240 "$top/scripts/sweep.sh" \
  --build "$build" --hostfile "$hostfile" --drivers cpu_serial,cpu_mpi,cpu_hybrid --kernels product:S \
  --workers 1,2 --hybrid-threads 2 --repeat 1 --warmup 0 --out "$out" >"$tmp/log" 2>&1
code=$?
[ $code -eq 0 ] || { fail "sweep --hostfile: exit $code"; tail -n 15 "$tmp/log"; finish; }

# Each point's "driver ranks threads -> hosts", as the rows say it.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         { print $c["driver"], $c["ranks"], $c["threads"], $c["hosts"] }' "$out/rows.csv" | sort -u >"$tmp/got"
# Node counts 1, 2, 3 (the hostfile's three) x 1, 2 workers per node; cpu_hybrid's 2 workers on a
# node are one rank of 2 threads. Ranks fill the first hosts evenly, in order.
last=node$nodes
{
  echo "cpu_serial 1 1 head:0"
  echo "cpu_mpi 1 1 node1:0"
  echo "cpu_mpi 2 1 node1:0-1"
  echo "cpu_mpi 2 1 node1:0;node2:1"
  echo "cpu_mpi 4 1 node1:0-1;node2:2-3"
  echo "cpu_mpi 3 1 node1:0;node2:1;node3:2"
  echo "cpu_mpi 6 1 node1:0-1;node2:2-3;node3:4-5"
  echo "cpu_hybrid 1 1 node1:0"
  echo "cpu_hybrid 1 2 node1:0"
  echo "cpu_hybrid 2 1 node1:0;node2:1"
  echo "cpu_hybrid 2 2 node1:0;node2:1"
  echo "cpu_hybrid 3 1 node1:0;node2:1;node3:2"
  echo "cpu_hybrid 3 2 node1:0;node2:1;node3:2"
} | sort -u >"$tmp/want"
[ "$last" = node3 ] || { fail "the cluster has $nodes nodes; this test is written for 3"; finish; }
if diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then
  ok "sweep --hostfile: $(wc -l <"$tmp/want") points, each row's ranks on the hosts expected"
else
  fail "sweep --hostfile: the rows' ranks, threads and hosts differ from the grid expected (< want, > got):"
  cat "$tmp/diff"
fi
bad=$(awk -F, 'NR > 1 && $9 != "ok"' "$out/points.csv" | wc -l)
[ "$bad" -eq 0 ] || fail "sweep --hostfile: $bad points not ok (points.csv)"
finish
