#!/usr/bin/env bash
# A rank that fails on one host ends the whole job with a message, never a hang, on both
# launchers (mpirun with hosts, srun --mpi=pmix): an item failing there (CS_FAULT, exit 1 and the
# rank's own message), and the rank's process killed there (SIGKILL from outside: the launcher
# says which rank or task died and exits non-zero); also mpirun inside a Slurm allocation.
# Usage: faults.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"

# launch LAUNCHER: the command words that start one rank on each of node1 and node2 (an
# allocation of the first two nodes for salloc: only the test's job runs on the cluster).
launch() {
  case $1 in
    mpirun) echo "mpirun -np 2 --host node1,node2 --bind-to none -x CS_FAULT" ;;
    # Without --kill-on-bad-exit, srun waits for the other tasks of a step whose task died.
    srun) echo "srun -N 2 --ntasks-per-node=1 --mpi=pmix --kill-on-bad-exit=1" ;;
    # mpirun inside an allocation, as the mpirun batch job starts ranks: its daemons by srun.
    salloc-mpirun) echo "salloc -N 2 --ntasks-per-node=1 --quiet mpirun -np 2 --map-by node --bind-to none -x CS_FAULT" ;;
  esac
}

# The item fault: static blocks of pi's 1024 items, so rank 1 (on node2) runs item 600.
for launcher in mpirun srun salloc-mpirun; do
  name="$launcher: item 600 fails on node2's rank"
  # shellcheck disable=SC2046
  CS_FAULT=1:600 timeout 60 "$top/scripts/cluster/on.sh" --state "$state" head $(launch "$launcher") \
    "$drivers/cpu_mpi" --kernel pi --class S --schedule static --quiet >"$tmp/out" 2>"$tmp/err"
  code=$?
  if [ $code -eq 124 ]; then fail "$name: the job hung (killed after 60 s)"
  elif [ $code -ne 1 ]; then fail "$name: exit $code, want 1"; cat "$tmp/err"
  elif ! grep -qF "rank 1: item 600 failed (injected by CS_FAULT)" "$tmp/err"; then
    fail "$name: no 'rank 1: item 600 failed (injected by CS_FAULT)' on stderr:"; cat "$tmp/err"
  else ok "$name: exit 1, $(grep -F 'item 600' "$tmp/err" | head -n 1)"; fi
done

# The process killed: a run of many seconds, its rank on node2 killed as soon as it is there.
# The rank is found among node2's processes (only this test's job runs there now).
rank_on_node2() {
  local p
  for p in $(ip netns pids "$tag-node2" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = cpu_mpi ] && { echo "$p"; return; }
  done
}
for launcher in mpirun srun salloc-mpirun; do
  name="$launcher: node2's rank killed"
  # shellcheck disable=SC2046
  timeout 60 "$top/scripts/cluster/on.sh" --state "$state" head $(launch "$launcher") \
    "$drivers/cpu_mpi" --kernel pi --class A --repeat 50 --quiet >"$tmp/out" 2>"$tmp/err" &
  job=$!
  victim=""
  for _ in $(seq 300); do
    victim=$(rank_on_node2)
    [ -n "$victim" ] && break
    sleep 0.1
  done
  if [ -z "$victim" ]; then
    fail "$name: no cpu_mpi appeared on node2 within 30 s"; wait "$job"; cat "$tmp/err"; continue
  fi
  sleep 0.5
  kill -KILL "$victim"
  wait "$job"
  code=$?
  # mpirun: "... process rank 1 ... on node node2 exited on signal 9 (Killed)";
  # srun: "srun: error: node2: task 1: Killed".
  if [ $code -eq 124 ]; then fail "$name: the job hung (killed after 60 s)"
  elif [ $code -eq 0 ]; then fail "$name: exit 0 although a rank died"
  elif ! grep -Eq "rank 1.*node2.*signal 9|node2: task 1: Killed" "$tmp/err"; then
    fail "$name: exit $code but no message naming rank 1 on node2 and its signal:"; cat "$tmp/err"
  else ok "$name: exit $code, $(grep -Em 1 "signal 9|task 1: Killed" "$tmp/err")"; fi
done
finish
