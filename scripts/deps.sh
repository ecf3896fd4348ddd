#!/usr/bin/env bash
# Installs the Debian packages corescale needs, only those missing; idempotent.
# Usage: scripts/deps.sh [--check]   (--check: list what is missing, install nothing)
# Anything else on the command line is refused before anything is looked up (exit 2).
set -euo pipefail
prog=deps
# shellcheck source=scripts/lib/check.sh
. "$(cd "$(dirname "$0")" && pwd)/lib/check.sh"
check_only=0
case $#:${1-} in
  0:) ;;
  1:--check) check_only=1 ;;
  1:-h|1:--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  1:-*) cs_die_usage "unknown option '$1' (see --help)" ;;
  *) [ "${1-}" = --check ] && shift
     cs_die_usage "unexpected argument '$(cs_shown "$1")': deps.sh takes only --check (see --help)" ;;
esac

# package: what it gives corescale
PACKAGES=(
  build-essential   # gcc (with OpenMP's libgomp) and make
  cmake
  pkg-config
  libopenmpi-dev    # MPI headers and libraries
  openmpi-bin       # mpirun
  libhwloc-dev      # pinning workers to cores
  hwloc             # lstopo, for the sweep's record of the machine
  libcunit1-dev     # unit tests
  libcurl4-openssl-dev # fetch clients
  libevent-dev      # HTTP server and event loop
  libgmp-dev        # oracle in tests, peer in benchmarks
  gnuplot-nox       # speedup plots
  wrk               # HTTP load peer in benchmarks
  clang             # fuzz targets (scripts/fuzz.sh): libFuzzer comes with clang
  libclang-rt-dev   # libFuzzer's and the sanitizers' runtimes for clang
  libomp-dev        # OpenMP for the clang build the fuzz targets live in
  python3           # the Python peers (drivers/py): the lesson beside the C drivers
  python3-requests  # py_fetch_serial, py_fetch_threads
  python3-aiohttp   # py_fetch_async
)

# The cluster tests (tests/cluster, scripts/cluster) need root and network namespaces; only
# where both are there is their Slurm worth installing.
CLUSTER_PACKAGES=(
  munge             # the cluster's authentication
  slurmctld         # the controller
  slurmd            # a node's daemon (several on one machine: one per namespace)
  slurm-client      # srun, sbatch, sinfo
  slurm-wlm-basic-plugins # srun --mpi=pmix
  iproute2          # ip netns, veth, bridge, tc (rate limits)
  util-linux        # nsenter, unshare, runuser
)
if [ "$(id -u)" -eq 0 ] && unshare --net true 2>/dev/null; then
  PACKAGES+=("${CLUSTER_PACKAGES[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: everything corescale needs is installed"
  exit 0
fi
echo "deps: missing: ${missing[*]}"
[ $check_only -eq 1 ] && exit 1

if ! command -v apt-get >/dev/null; then
  echo "deps: no apt-get here; install the packages above by hand (README.md names them for Fedora and Homebrew)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: not root and no sudo: install as root: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "deps: installing with apt-get: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# munge's and Slurm's packages start their daemons on install where nothing forbids it: system
# daemons nobody asked for (the cluster scripts start their own), and slurmctld fails without a
# configuration, failing the install. A policy that forbids starting any service, only for this
# install and only where the machine has none of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e $policy ] && printf '%s\n' "${missing[@]}" | grep -qx -e munge -e slurmctld -e slurmd; then
  printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs\nexit 101\n' | $SUDO tee $policy >/dev/null
  $SUDO chmod 755 $policy
  trap '$SUDO rm -f $policy' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
