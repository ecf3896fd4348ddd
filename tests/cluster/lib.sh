# shellcheck shell=bash
# What the cluster tests share. Each is run as: TEST.sh SOURCE_DIR BUILD_DIR STATE_DIR, against
# the cluster that cluster_start (setup.sh) started in STATE_DIR and cluster_stop removes.
# Where no cluster can run here, a test says why in one line and exits 77 (CTest: skipped).
set -u
top=$1
build=$2
state=$3
drivers=$build/drivers
# shellcheck source=scripts/cluster/lib.sh
. "$top/scripts/cluster/lib.sh"
cs_cluster_paths "$state"
why=$(cs_cluster_unsupported)
if [ -n "$why" ]; then
  echo "SKIP: no cluster here: $why"
  exit 77
fi
if [ ! -r "$env_file" ]; then
  echo "FAIL: no cluster in $state: cluster_start (tests/cluster/setup.sh) should have started it"
  exit 1
fi
nodes=$(sed -n 's/^CS_CLUSTER_NODES=//p' "$env_file")
hostfile=$state/etc/hostfile
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

on() { "$top/scripts/cluster/on.sh" --state "$state" "$@"; }
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
finish() {
  if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed; the cluster's logs: $log_dir"
    exit 1
  fi
  exit 0
}

# Bytes HOSTS' eth0 have sent so far, summed: what crossed between the namespaces.
sent_bytes() {
  local h total=0 b
  for h in "$@"; do
    b=$(ip -n "$tag-$h" -s link show eth0 | awk '/TX:/ { getline; print $1; exit }')
    total=$((total + b))
  done
  echo "$total"
}

# The value of column NAME in each data row of CSV, one a line.
column() {
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                         c { print $c }' "$1"
}
# "case digest" lines of CSV, sorted: what must be equal between drivers.
case_digests() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "case") c = i; if ($i == "digest") d = i }; next }
           { print $c, $d }' "$1" | sort -u
}
