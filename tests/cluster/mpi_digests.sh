#!/usr/bin/env bash
# cpu_mpi and cpu_hybrid with ranks on 2 and 3 hosts, started by mpirun with a hostfile and by
# srun --mpi=pmix: the product's digests are cpu_serial's, and the partials really crossed
# between the hosts (the hosts' interfaces sent at least the comm_bytes the rows count). Then
# 2 ranks on each of 2 hosts: each host pins its own ranks apart (the local rank split), both
# hosts alike.
# Usage: mpi_digests.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"

# Class W: its partials are hundreds of kB, so the bytes on the links are the partials', not
# the launchers' few kB of chatter; a run takes a second. Static blocks, so that every rank
# has items and sends its partials (dynamically, the first rank may take them all).
product=(--kernel product --class W --repeat 1 --warmup 0 --quiet)
"$drivers/cpu_serial" "${product[@]}" --csv "$tmp/serial.csv" || { fail "cpu_serial failed"; finish; }
case_digests "$tmp/serial.csv" >"$tmp/serial.digests"

# run_on LAUNCHER HOSTS DRIVER: one rank per host on node1..nodeHOSTS, rows in $tmp/rows.csv.
run_on() {
  local launcher=$1 hosts=$2 driver=$3 cmd=()
  case $launcher in
    mpirun) cmd=(mpirun -np "$hosts" --host "$(seq -s, -f 'node%g' 1 "$hosts")" --bind-to none) ;;
    srun) cmd=(srun -N "$hosts" --ntasks-per-node=1 --mpi=pmix) ;;
  esac
  cmd+=("$drivers/$driver" "${product[@]}" --schedule static --csv "$tmp/rows.csv")
  [ "$driver" = cpu_hybrid ] && cmd+=(--threads 2)
  rm -f "$tmp/rows.csv"
  timeout 120 "$top/scripts/cluster/on.sh" --state "$state" head "${cmd[@]}" >"$tmp/out" 2>&1
}

for launcher in mpirun srun; do
  for hosts in 2 3; do
    [ "$hosts" -le "$nodes" ] || continue
    for driver in cpu_mpi cpu_hybrid; do
      name="$driver by $launcher on $hosts hosts"
      host_list=$(seq -f 'node%g' 1 "$hosts" | tr '\n' ' ')
      # shellcheck disable=SC2086
      before=$(sent_bytes $host_list)
      run_on "$launcher" "$hosts" "$driver"
      code=$?
      # shellcheck disable=SC2086
      sent=$(($(sent_bytes $host_list) - before))
      if [ $code -ne 0 ]; then
        fail "$name: exit $code"; tail -n 5 "$tmp/out"; continue
      fi
      if ! diff <(case_digests "$tmp/rows.csv") "$tmp/serial.digests" >"$tmp/diff"; then
        fail "$name: digests differ from cpu_serial's:"; cat "$tmp/diff"; continue
      fi
      comm=$(column "$tmp/rows.csv" comm_bytes | awk '{ s += $1 } END { print s + 0 }')
      if [ "$comm" -le 100000 ]; then
        fail "$name: comm_bytes $comm: the partials of class W are far larger"
      elif [ "$sent" -lt "$comm" ]; then
        fail "$name: the hosts' interfaces sent $sent bytes, less than the rows' comm_bytes $comm: the ranks did not talk across hosts"
      else
        ok "$name: digests equal cpu_serial's; comm_bytes $comm, interfaces sent $sent"
      fi
    done
  done
done

# The local rank split: 2 ranks on each of node1 and node2, ranks 0,1 on node1 and 2,3 on node2
# (mpirun by slot, srun by block). Each host must pin its two ranks to different PUs, and
# the second host as the first, since each host pins within itself.
if [ "$(nproc)" -lt 2 ]; then
  echo "note: one CPU here: two ranks on a host cannot be pinned apart; pinning not checked"
  finish
fi
for launcher in mpirun srun; do
  case $launcher in
    mpirun) cmd=(mpirun -np 4 --host node1:2,node2:2 --map-by slot --bind-to none) ;;
    srun) cmd=(srun -N 2 --ntasks-per-node=2 --distribution=block --mpi=pmix) ;;
  esac
  timeout 120 "$top/scripts/cluster/on.sh" --state "$state" head "${cmd[@]}" \
    "$drivers/cpu_mpi" --kernel pi --class S --repeat 1 --warmup 0 --bind core >"$tmp/out" 2>&1
  code=$?
  binding=$(sed -n 's/^# workers.*binding core: //p' "$tmp/out")
  # "r0{P#0} r1{P#1} r2{P#0} r3{P#1}" -> the four sets.
  read -r p0 p1 p2 p3 <<<"$(echo "$binding" | sed 's/r[0-9]*{\([^}]*\)}/\1/g')"
  if [ $code -ne 0 ] || [ -z "${p3:-}" ]; then
    fail "pinning by $launcher: exit $code, binding '$binding'"; tail -n 5 "$tmp/out"
  elif [ "$p0" = "$p1" ] || [ "$p0" != "$p2" ] || [ "$p1" != "$p3" ]; then
    fail "pinning by $launcher: '$binding': want each host's two ranks apart, both hosts alike"
  else
    ok "pinning by $launcher: $binding"
  fi
done
finish
