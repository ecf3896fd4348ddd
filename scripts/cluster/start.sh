#!/usr/bin/env bash
# Starts a throw-away Slurm cluster on this machine: N hosts that are network namespaces.
set -uo pipefail
prog=cluster-start
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/cluster/lib.sh
. "$here/lib.sh"

usage() {
  cat <<EOF
Usage: scripts/cluster/start.sh [--nodes N] [--state DIR] [--rate RATE] [--cpus C]
       scripts/cluster/start.sh --check
Start a throw-away cluster on this machine, as root: a head host (slurmctld, where jobs are
submitted from) and N compute hosts node1..nodeN (one slurmd each). Each host is a network
namespace with its own UTS namespace (hostname), joined by a veth pair to a bridge in a
switch namespace, with its own address in $CS_CLUSTER_NET.0/24: that range exists only inside
those namespaces, so the machine's own network is not touched. One munged serves them all.

  --nodes N     compute hosts, 1..$CS_CLUSTER_NODES_MAX (default 2)
  --state DIR   everything the cluster writes: configuration, keys, logs, spool, pid files
                (default \$CS_CLUSTER_STATE, else /tmp/corescale-cluster)
  --rate RATE   limit every link to RATE each way (tc tbf: a number and kbit, mbit or gbit,
                e.g. 100mbit), or none (default: none, no limit)
  --cpus C      CPUs each node offers Slurm (default: this machine's, $(nproc))
  --check       say whether a cluster can run here (exit 0) or why not (exit 1); start nothing
  --help        this help

Idempotent: with a cluster of N nodes already running from DIR, it only sets the rate given
(so --rate none lifts a limit); anything else there (a half-built or different cluster) is
stopped first (scripts/cluster/stop.sh). Then run commands on a host with
scripts/cluster/on.sh HOST COMMAND..., e.g. on.sh head sinfo, or on.sh head mpirun
--hostfile DIR/etc/hostfile ... . DIR/etc/hosts lists each host's address; the machine's own
/etc/hosts is left alone, so the names do not resolve: connect to the addresses.
Exit: 0 the cluster runs, every node idle; 1 it could not be started (the message names the
step and its log; what was started is stopped); 2 bad command line.
EOF
}

nodes=2
state_arg=$CS_CLUSTER_STATE_DEFAULT
rate=none
cpus=$(nproc)
check_only=0
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --check) check_only=1; shift; continue ;;
    --nodes|--state|--rate|--cpus)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      case $1 in
        --nodes) nodes=$2 ;;
        --state) state_arg=$2 ;;
        --rate) rate=$2 ;;
        --cpus) cpus=$2 ;;
      esac
      shift 2 ;;
    -*) cs_die_usage "unknown option '$(cs_shown "$1")' (see --help)" ;;
    *) cs_die_usage "unexpected argument '$(cs_shown "$1")' (see --help)" ;;
  esac
done
cs_check_uint nodes "$nodes" 1 "$CS_CLUSTER_NODES_MAX"
nodes=$cs_value
cs_check_uint cpus "$cpus" 1 4096
cpus=$cs_value
cs_check_path state "$state_arg"
[[ $state_arg != *[[:space:]]* ]] || cs_bad_value state "$state_arg" "holds white space (Slurm's configuration cannot quote it)"
[[ $rate =~ ^(none|[1-9][0-9]{0,8}(kbit|mbit|gbit))$ ]] ||
  cs_bad_value rate "$rate" "not none or a number with kbit, mbit or gbit (e.g. 100mbit)"
cs_cluster_paths "$state_arg"

why=$(cs_cluster_unsupported)
if [ $check_only -eq 1 ]; then
  [ -z "$why" ] && { echo "$prog: a cluster can run here"; exit 0; }
  echo "$prog: cannot run a cluster here: $why" >&2
  exit 1
fi
[ -z "$why" ] || { echo "$prog: cannot run a cluster here: $why" >&2; exit 1; }

hosts=(head)
for ((i = 1; i <= nodes; i++)); do hosts+=("node$i"); done
in_ns() { local h=$1; shift; nsenter --net="/run/netns/$tag-$h" --uts="$uts_dir/$h" -- "$@"; }
sinfo_states() { in_ns head env SLURM_CONF="$conf" sinfo -h -N -o '%N %T' 2>/dev/null; }

# STEP failed: say so with its log, stop what was started, exit 1.
fail() {
  echo "$prog: $1${2:+ (log: $2)}" >&2
  [ -n "${2:-}" ] && [ -r "$2" ] && tail -n 5 "$2" | sed 's/^/    /' >&2
  "$here/stop.sh" --state "$state" --keep-logs >/dev/null 2>&1
  exit 1
}

# The rate on both ends of every link: a host's eth0 limits what it sends, the switch's end
# what it receives. tbf's burst must hold at least one full-size packet at that rate.
set_rate() {
  local h
  for h in "${hosts[@]}"; do
    if [ "$rate" = none ]; then
      ip -n "$tag-$h" link show eth0 >/dev/null 2>&1 || return 1
      tc -n "$tag-$h" qdisc del dev eth0 root 2>/dev/null
      tc -n "$tag-sw" qdisc del dev "v-$h" root 2>/dev/null
    else
      tc -n "$tag-$h" qdisc replace dev eth0 root tbf rate "$rate" burst 64kb latency 500ms || return 1
      tc -n "$tag-sw" qdisc replace dev "v-$h" root tbf rate "$rate" burst 64kb latency 500ms || return 1
    fi
  done
  sed -i "s/^CS_CLUSTER_RATE=.*/CS_CLUSTER_RATE=$rate/" "$env_file"
}

# ---- already running? ------------------------------------------------------------------------
running_nodes=""
[ -r "$env_file" ] && running_nodes=$(sed -n 's/^CS_CLUSTER_NODES=//p' "$env_file")
if [ -n "$running_nodes" ]; then
  healthy=1
  [ -n "$(cs_cluster_pid "$munge_dir/munged.pid" munged)" ] || healthy=0
  [ -n "$(cs_cluster_pid "$run_dir/slurmctld.pid" slurmctld)" ] || healthy=0
  for ((i = 1; i <= running_nodes; i++)); do
    [ -n "$(cs_cluster_pid "$run_dir/slurmd-node$i.pid" slurmd)" ] || healthy=0
  done
  if [ $healthy -eq 1 ] && [ "$running_nodes" = "$nodes" ]; then
    set_rate || fail "setting the rate $rate on the links failed"
    echo "$prog: the cluster of $nodes nodes in $state is already running; links: rate $rate"
    exit 0
  fi
  if [ $healthy -eq 1 ]; then
    echo "$prog: a cluster of $running_nodes nodes runs in $state; stopping it for $nodes"
  else
    echo "$prog: the cluster in $state is not whole; stopping what is left of it"
  fi
fi
# Leftovers of a failed start or of a crash (namespaces, daemons, mounts) go first.
"$here/stop.sh" --state "$state" >/dev/null || fail "could not clear what was left in $state"

# ---- the network -----------------------------------------------------------------------------
mkdir -p "$state"/{etc,bin,log,run,ns,spool,tmp,slurmctld} "$munge_dir" || fail "cannot create $state"
state=$(cd "$state" && pwd)
cs_cluster_paths "$state"
{
  echo "# written by scripts/cluster/start.sh; read by on.sh and stop.sh"
  echo "CS_CLUSTER_STATE=$state"
  echo "CS_CLUSTER_TAG=$tag"
  echo "CS_CLUSTER_NODES=$nodes"
  echo "CS_CLUSTER_RATE=none"
  echo "SLURM_CONF=$conf"
} >"$env_file.new" && mv "$env_file.new" "$env_file"
netlog=$log_dir/network.log
: >"$netlog"
{
  ip netns add "$tag-sw" &&
    ip -n "$tag-sw" link add br0 type bridge &&
    ip -n "$tag-sw" link set br0 up
} >>"$netlog" 2>&1 || fail "making the switch namespace $tag-sw failed" "$netlog"
echo "127.0.0.1 localhost" >"$state/etc/hosts"
: >"$state/etc/hostfile"
for h in "${hosts[@]}"; do
  addr=$(cs_cluster_addr "$h")
  {
    ip netns add "$tag-$h" &&
      ip link add eth0 netns "$tag-$h" type veth peer name "v-$h" netns "$tag-sw" &&
      ip -n "$tag-sw" link set "v-$h" master br0 up &&
      ip -n "$tag-$h" addr add "$addr/24" dev eth0 &&
      ip -n "$tag-$h" link set eth0 up &&
      ip -n "$tag-$h" link set lo up &&
      touch "$uts_dir/$h" &&
      unshare --uts="$uts_dir/$h" hostname "$h"
  } >>"$netlog" 2>&1 || fail "making host $h ($addr) failed" "$netlog"
  echo "$addr $h" >>"$state/etc/hosts"
  [ "$h" = head ] || echo "$h slots=$cpus" >>"$state/etc/hostfile"
done
set_rate >>"$netlog" 2>&1 || fail "setting the rate $rate on the links failed" "$netlog"

# mpirun's remote start (plm_rsh_agent): "rsh HOST COMMAND" runs COMMAND, a shell line, on HOST.
cat >"$state/bin/rsh" <<EOF
#!/bin/sh
# Written by scripts/cluster/start.sh: mpirun's remote start into a host's namespaces.
host=\$1
shift
[ -e "/run/netns/$tag-\$host" ] || { echo "cluster rsh: no host '\$host' in $state" >&2; exit 255; }
exec nsenter --net="/run/netns/$tag-\$host" --uts="$uts_dir/\$host" -- /bin/sh -c "\$*"
EOF
chmod 755 "$state/bin/rsh"

# ---- munge -----------------------------------------------------------------------------------
# munged runs as munge and insists that its key and directories are munge's alone (the
# socket's directory open to all for the clients to reach it, but writable by munge only).
mlog=$munge_dir/munged.log
{
  dd if=/dev/urandom of="$munge_dir/munge.key" bs=1024 count=1 status=none &&
    chown -R munge:munge "$munge_dir" && chmod 0711 "$munge_dir" && chmod 0600 "$munge_dir/munge.key" &&
    runuser -u munge -- munged --socket="$munge_socket" --key-file="$munge_dir/munge.key" \
      --log-file="$mlog" --pid-file="$munge_dir/munged.pid" --seed-file="$munge_dir/munged.seed" \
      </dev/null
} >>"$log_dir/munge-start.log" 2>&1 || fail "munged did not start" "$log_dir/munge-start.log"

# ---- Slurm -----------------------------------------------------------------------------------
plugin_dir=$(dirname "$(ls /usr/lib/*/slurm*/mpi_pmix.so 2>/dev/null | head -n 1)")
{
  echo "# A throw-away cluster on one machine, written by scripts/cluster/start.sh."
  echo "ClusterName=corescale"
  echo "SlurmctldHost=head($CS_CLUSTER_HEAD_ADDR)"
  echo "SlurmctldPort=$CS_CLUSTER_PORT_CTLD"
  echo "SlurmUser=root"
  echo "SlurmdUser=root"
  echo "AuthType=auth/munge"
  echo "CredType=cred/munge"
  echo "AuthInfo=socket=$munge_socket"
  echo "PluginDir=$plugin_dir"
  echo "StateSaveLocation=$state/slurmctld"
  echo "SlurmdSpoolDir=$state/spool/%n"
  # srun --mpi=pmix puts each node's PMIx files under TmpFS: one directory per node, or the
  # second slurmd on this machine finds the first one's there.
  echo "TmpFS=$state/tmp/%n"
  echo "SlurmctldPidFile=$run_dir/slurmctld.pid"
  echo "SlurmdPidFile=$run_dir/slurmd-%n.pid"
  echo "SlurmctldLogFile=$log_dir/slurmctld.log"
  echo "SlurmdLogFile=$log_dir/slurmd-%n.log"
  # No cgroups: the nodes share this machine's, and a namespace sees them as the host does.
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "AccountingStorageType=accounting_storage/none"
  echo "JobCompType=jobcomp/none"
  echo "SchedulerType=sched/backfill"
  # Jobs come one after another in the tests: a job submitted while the last one's nodes are
  # still completing would otherwise wait up to 30 s for the next scheduling pass.
  echo "SchedulerParameters=bf_interval=1,sched_interval=1"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_CPU"
  echo "MpiDefault=none"
  echo "ReturnToService=2"
  echo "SlurmdTimeout=60"
  echo "InactiveLimit=0"
  echo "KillWait=5"
  echo "MinJobAge=60"
  echo "SlurmctldDebug=info"
  echo "SlurmdDebug=info"
  for ((i = 1; i <= nodes; i++)); do
    echo "NodeName=node$i NodeHostname=node$i NodeAddr=$(cs_cluster_addr "node$i") Port=$((CS_CLUSTER_PORT_SLURMD + i - 1)) CPUs=$cpus State=UNKNOWN"
  done
  echo "PartitionName=cluster Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4"
} >"$conf"
for ((i = 1; i <= nodes; i++)); do mkdir -p "$state/spool/node$i" "$state/tmp/node$i"; done

in_ns head env SLURM_CONF="$conf" slurmctld -f "$conf" </dev/null >>"$log_dir/slurmctld-start.log" 2>&1 ||
  fail "slurmctld did not start" "$log_dir/slurmctld.log"
for ((i = 1; i <= nodes; i++)); do
  in_ns "node$i" env SLURM_CONF="$conf" slurmd -f "$conf" -N "node$i" </dev/null >>"$log_dir/slurmd-start.log" 2>&1 ||
    fail "slurmd of node$i did not start" "$log_dir/slurmd-node$i.log"
done

# Up when every node is idle (a node registers within a second or two; 60 s is for a loaded machine).
for ((t = 0; t < 600; t++)); do
  states=$(sinfo_states)
  idle=$(printf '%s\n' "$states" | grep -c ' idle$')
  [ "$idle" -eq "$nodes" ] && break
  # A node whose registration was refused (more --cpus than it has, say) never comes up.
  printf '%s\n' "$states" | grep -q ' inval$' && break
  sleep 0.1
done
[ "$idle" -eq "$nodes" ] ||
  fail "the nodes did not come up idle (sinfo: $(printf '%s' "$states" | tr '\n' ' '); waited $((t / 10)) s of 60)" "$log_dir/slurmctld.log"
echo "$prog: cluster of $nodes nodes up in $state (head $CS_CLUSTER_HEAD_ADDR, nodes $(cs_cluster_addr node1)..; links: rate $rate)"
