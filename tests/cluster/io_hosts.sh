#!/usr/bin/env bash
# io_mpi with its ranks on node2 and node3 fetching from an io_server on node1, started by
# mpirun and by srun: every request answered and checked, the server counts them as served, and
# the bodies crossed node1's interface.
# Usage: io_hosts.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"
[ "$nodes" -ge 3 ] || { fail "the cluster has $nodes nodes; this test needs 3"; finish; }

requests=30
# The server listens on node1's own address, so only the cluster's network reaches it.
# on.sh execs the server, so $! is the server itself.
"$top/scripts/cluster/on.sh" --state "$state" node1 "$drivers/io_server" \
  --listen "$(cs_cluster_addr node1):0" --delay-ms 20 >"$tmp/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$tmp/server.log" 2>/dev/null)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { fail "io_server on node1 said no URL within 5 s:"; cat "$tmp/server.log"; finish; }

served() { on node2 curl -s --max-time 5 "${url}stats" | awk '$1 == "served" { print $2 }'; }

for launcher in mpirun srun; do
  case $launcher in
    mpirun) cmd=(mpirun -np 2 --host node2,node3 --bind-to none) ;;
    srun) cmd=(srun -N 2 -w node2,node3 --ntasks-per-node=1 --mpi=pmix --kill-on-bad-exit=1) ;;
  esac
  name="io_mpi by $launcher on node2,node3 against node1"
  served_before=$(served)
  sent_before=$(sent_bytes node1)
  rm -f "$tmp/rows.csv"
  timeout 60 "$top/scripts/cluster/on.sh" --state "$state" head "${cmd[@]}" "$drivers/io_mpi" \
    --url "$url" --requests $requests --repeat 1 --warmup 0 --quiet --csv "$tmp/rows.csv" >"$tmp/out" 2>&1
  code=$?
  sent=$(($(sent_bytes node1) - sent_before))
  served_now=$(($(served) - served_before))
  got=$(column "$tmp/rows.csv" requests 2>/dev/null)
  errors=$(column "$tmp/rows.csv" errors 2>/dev/null)
  if [ $code -ne 0 ]; then fail "$name: exit $code"; tail -n 5 "$tmp/out"
  elif [ "$got" != $requests ] || [ "$errors" != 0 ]; then
    fail "$name: rows say requests '$got' errors '$errors', want $requests and 0"
  elif [ "$served_now" -ne $requests ]; then
    fail "$name: the server on node1 served $served_now requests, want $requests"
  elif [ "$sent" -lt $((requests * 1024)) ]; then
    fail "$name: node1's interface sent $sent bytes, less than the $requests bodies of 1024"
  else
    ok "$name: $requests requests, none failed, served on node1; node1 sent $sent bytes"
  fi
done
finish
