# shellcheck shell=bash
# What start.sh, stop.sh and on.sh share: where a cluster's state lives, the names of its
# namespaces, and whether this machine can run one at all.
#
# A cluster is one state directory. Its namespaces are named from a tag that the directory's
# path gives (so two checkouts can each run their own, and stop.sh finds a half-built one
# from the path alone): TAG-sw holds the bridge, TAG-head the controller and the clients,
# TAG-node1..TAG-nodeN one slurmd each. Addresses live only inside those namespaces.

# shellcheck source=scripts/lib/check.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/check.sh"

CS_CLUSTER_STATE_DEFAULT=${CS_CLUSTER_STATE:-/tmp/corescale-cluster}
CS_CLUSTER_NET=10.250.0      # the /24 every cluster uses inside its own switch namespace
CS_CLUSTER_HEAD_ADDR=$CS_CLUSTER_NET.2
CS_CLUSTER_NODES_MAX=16
CS_CLUSTER_PORT_CTLD=6817
CS_CLUSTER_PORT_SLURMD=6818

# cs_cluster_paths DIR: sets state (absolute), tag and the paths below it. DIR need not exist.
cs_cluster_paths() {
  local d=$1
  case $d in /*) ;; *) d=$PWD/$d ;; esac
  state=${d%/}
  # Short enough for interface and namespace names; the same path gives the same tag.
  tag=cs$(printf '%s' "$state" | cksum | cut -c1-6)
  conf=$state/etc/slurm.conf
  env_file=$state/cluster.env
  munge_dir=$state/munge
  munge_socket=$munge_dir/munge.socket
  log_dir=$state/log
  run_dir=$state/run
  uts_dir=$state/ns
}

cs_cluster_addr() { # HOST -> its address (head, node1..nodeN)
  case $1 in
    head) echo "$CS_CLUSTER_HEAD_ADDR" ;;
    node*) echo "$CS_CLUSTER_NET.$((10 + ${1#node}))" ;;
  esac
}

# Why this machine cannot run a cluster, one line, or nothing when it can.
cs_cluster_unsupported() {
  local p
  [ "$(id -u)" -eq 0 ] || { echo "not root: network namespaces and the daemons need root"; return; }
  for p in ip nsenter unshare tc munged slurmctld slurmd srun sbatch sinfo scontrol mpirun; do
    command -v "$p" >/dev/null 2>&1 ||
      { echo "no $p (scripts/deps.sh installs it: iproute2, util-linux, munge, slurmctld, slurmd, slurm-client, openmpi-bin)"; return; }
  done
  [ -f /usr/lib/x86_64-linux-gnu/slurm-wlm/mpi_pmix.so ] || ls /usr/lib/*/slurm*/mpi_pmix.so >/dev/null 2>&1 ||
    { echo "Slurm has no pmix plugin (mpi_pmix.so): srun cannot start Open MPI ranks"; return; }
  id munge >/dev/null 2>&1 || { echo "no munge user (the munge package makes it)"; return; }
  cs_cluster_probe
}

# What a cluster is made of, tried once in a throw-away namespace of its own (nothing of the
# machine's network is touched): a named network namespace, a veth pair, a bridge, a tbf rate
# limit, and a hostname namespace kept by a mount. Prints why not, or nothing.
cs_cluster_probe() {
  local ns=csprobe$$ dir why=""
  ip netns add "$ns" 2>/dev/null || { echo "cannot make a named network namespace here (ip netns add failed)"; return; }
  if ! ip -n "$ns" link add va type veth peer name vb 2>/dev/null; then why="no veth pairs in this kernel"
  elif ! ip -n "$ns" link add br0 type bridge 2>/dev/null; then why="no bridges in this kernel"
  elif ! tc -n "$ns" qdisc add dev va root tbf rate 1mbit burst 64kb latency 500ms 2>/dev/null; then
    why="no tbf rate limits in this kernel (tc qdisc tbf failed)"
  fi
  ip netns del "$ns" 2>/dev/null
  [ -z "$why" ] || { echo "$why"; return; }
  dir=$(mktemp -d) || { echo "no temporary directory for the hostname probe"; return; }
  touch "$dir/uts"
  if unshare --uts="$dir/uts" hostname csprobe 2>/dev/null; then umount "$dir/uts" 2>/dev/null
  else why="cannot keep a hostname namespace here (unshare --uts=FILE failed)"; fi
  rm -rf "$dir"
  [ -z "$why" ] || echo "$why"
}

# The pid in FILE if that process is alive and runs PROGRAM (so a pid reused by another
# process is never taken for ours), else nothing.
cs_cluster_pid() {
  local file=$1 program=$2 pid
  [ -r "$file" ] || return 0
  read -r pid <"$file" 2>/dev/null || return 0
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$program" && echo "$pid"
  return 0
}

# The namespaces of the cluster in state, those that exist now.
cs_cluster_namespaces() {
  ip netns list 2>/dev/null | awk -v t="$tag-" 'index($1, t) == 1 { print $1 }'
}
