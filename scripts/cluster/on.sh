#!/usr/bin/env bash
# Runs a command on one host of a cluster that scripts/cluster/start.sh started.
set -uo pipefail
prog=cluster-on
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/cluster/lib.sh
. "$here/lib.sh"

usage() {
  cat <<'EOF2'
Usage: scripts/cluster/on.sh [--state DIR] HOST COMMAND [ARG]...
Run COMMAND on HOST (head, node1, node2, ...) of the cluster of DIR (default $CS_CLUSTER_STATE,
else /tmp/corescale-cluster): inside that host's network and hostname namespaces, in this
directory, with SLURM_CONF set for the cluster's sinfo, srun, sbatch, and Open MPI told how to
reach the other hosts (OMPI_MCA_plm_rsh_agent: DIR/bin/rsh enters a host's namespaces;
TCP only over the cluster's network). For mpirun, give --hostfile DIR/etc/hostfile.
  e.g. scripts/cluster/on.sh head srun -N 2 hostname
Exit: COMMAND's; 1 no such cluster or host; 2 bad command line.
EOF2
}

state_arg=$CS_CLUSTER_STATE_DEFAULT
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --state)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      state_arg=$2; shift 2 ;;
    -*) cs_die_usage "unknown option '$(cs_shown "$1")' (see --help)" ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || cs_die_usage "give a HOST and a COMMAND (see --help)"
cs_check_path state "$state_arg"
cs_cluster_paths "$state_arg"
host=$1
shift
[ -r "$env_file" ] || { echo "$prog: no cluster in $state (start one: scripts/cluster/start.sh --state $state)" >&2; exit 1; }
[[ $host =~ ^(head|node[1-9][0-9]*)$ ]] && [ -e "/run/netns/$tag-$host" ] ||
  { echo "$prog: HOST '$(cs_shown "$host")': not a host of the cluster in $state (head, node1..node$(sed -n 's/^CS_CLUSTER_NODES=//p' "$env_file"))" >&2; exit 1; }
export SLURM_CONF=$conf
export OMPI_MCA_plm_rsh_agent=$state/bin/rsh
# Every host starts its own daemon: no daemon starts another through the agent from a host.
export OMPI_MCA_plm_rsh_no_tree_spawn=1
export OMPI_MCA_oob_tcp_if_include=$CS_CLUSTER_NET.0/24
export OMPI_MCA_btl_tcp_if_include=$CS_CLUSTER_NET.0/24
# Not OMPI_MCA_mpi_yield_when_idle=1, though the hosts share this machine's cores and a rank
# that spins while it waits takes the core from one with work: with it, Open MPI 4.1.4 ranks
# started by srun --mpi=pmix crashed in MPI_Init (a null call in the TCP transport) about once
# in 25 starts of 6 ranks on 3 hosts; without it, none in 120.
exec nsenter --net="/run/netns/$tag-$host" --uts="$uts_dir/$host" -- "$@"
