#!/usr/bin/env bash
# Stops a cluster that scripts/cluster/start.sh started, whatever state it is in.
set -uo pipefail
prog=cluster-stop
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/cluster/lib.sh
. "$here/lib.sh"

usage() {
  cat <<'EOF'
Usage: scripts/cluster/stop.sh [--state DIR] [--keep-logs]
Stop the cluster of DIR (default $CS_CLUSTER_STATE, else /tmp/corescale-cluster) whatever state
it is in, also half-built: every process inside its namespaces (slurmd, slurmstepd, the job's
ranks, slurmctld), then munged by its pid file, then the namespaces, links and the hostname
mounts, then what start.sh wrote in DIR (DIR too, once empty). Nothing outside the cluster is
touched: a process is ended only when it lives in one of the cluster's namespaces or is the
munged its pid file names.
  --keep-logs   keep DIR/log and DIR/munge/munged.log (the rest goes)
Idempotent: with nothing running it does nothing and exits 0.
Exit: 0 nothing of the cluster is left; 1 something could not be removed (named); 2 bad usage.
EOF
}

state_arg=$CS_CLUSTER_STATE_DEFAULT
keep_logs=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --keep-logs) keep_logs=1; shift ;;
    --state)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      state_arg=$2; shift 2 ;;
    -*) cs_die_usage "unknown option '$(cs_shown "$1")' (see --help)" ;;
    *) cs_die_usage "unexpected argument '$(cs_shown "$1")' (see --help)" ;;
  esac
done
cs_check_path state "$state_arg"
cs_cluster_paths "$state_arg"
[ "$(id -u)" -eq 0 ] || { echo "$prog: not root: only root can stop a cluster (its namespaces and daemons are root's)" >&2; exit 1; }

left=()
# Every process in the cluster's namespaces is the cluster's: TERM, a few seconds, then KILL.
namespaces=$(cs_cluster_namespaces)
ns_pids() { local ns; for ns in $namespaces; do ip netns pids "$ns" 2>/dev/null; done | sort -u; }
pids=$(ns_pids)
if [ -n "$pids" ]; then
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null
  for _ in $(seq 50); do pids=$(ns_pids); [ -z "$pids" ] && break; sleep 0.1; done
  # shellcheck disable=SC2086
  [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
  for _ in $(seq 30); do pids=$(ns_pids); [ -z "$pids" ] && break; sleep 0.1; done
  [ -n "$pids" ] && left+=("processes ${pids//$'\n'/ } in the cluster's namespaces")
fi

pid=$(cs_cluster_pid "$munge_dir/munged.pid" munged)
if [ -n "$pid" ]; then
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null && sleep 0.2
  [ -d "/proc/$pid" ] && left+=("munged (pid $pid)")
fi

# Deleting a namespace deletes its ends of the links; the bridge goes with the switch's.
for ns in $namespaces; do
  ip netns del "$ns" 2>/dev/null || left+=("namespace $ns")
done
# unshare --uts=FILE keeps the namespace alive by a mount on FILE.
if [ -d "$uts_dir" ]; then
  for f in "$uts_dir"/*; do
    [ -e "$f" ] || continue
    if awk -v f="$f" '$5 == f { found = 1 } END { exit !found }' /proc/self/mountinfo; then
      umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || left+=("the mount on $f")
    fi
  done
fi

if [ ${#left[@]} -gt 0 ]; then
  echo "$prog: could not remove: ${left[*]} (cluster $state)" >&2
  exit 1
fi
# Only what start.sh makes is removed, so a --state given by mistake loses nothing else.
ours=(etc bin run ns spool tmp slurmctld cluster.env cluster.env.new)
[ $keep_logs -eq 1 ] || ours+=(log munge)
for f in "${ours[@]}"; do
  [ -e "$state/$f" ] || continue
  rm -rf "${state:?}/$f" || { echo "$prog: could not remove $state/$f" >&2; exit 1; }
done
if [ $keep_logs -eq 1 ] && [ -d "$munge_dir" ]; then
  find "$munge_dir" -mindepth 1 ! -name munged.log -exec rm -rf {} + 2>/dev/null
fi
[ -d "$state" ] && rmdir "$state" 2>/dev/null
echo "$prog: nothing of the cluster in $state is left running"
