#!/usr/bin/env bash
# Halo exchange over a network link: does --overlap hide it? The heat stencil on two hosts of a
# throw-away cluster on this machine (scripts/cluster: network namespaces, links limited by tc),
# one rank each, rows decomposition, with and without --overlap, alternated round by round.
# A benchmark, not a test: it needs root and namespaces, and its figures are times.
#
# Usage: scripts/bench_halo.sh BUILD_DIR [--rate RATE] [--class CLASS] [--rounds R]
#   --rate RATE    each link's limit each way, as start.sh takes it (default 20mbit: class A's
#                  16 KiB halos then take about as long as a rank's update of its strip)
#   --class CLASS  S, W, A or B (default A)
#   --rounds R     alternated rounds, 1 to 100 (default 3), each a run of --repeat 3
# Prints each configuration's median wall_s and comm_s over every repetition. Where no cluster
# can run here it says why and exits 0 (nothing measured). Exit 1 when a run fails.
set -euo pipefail
prog=bench_halo
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "$prog: $*" >&2; exit 1; }
case ${1:-} in
  -h|--help) usage; exit 0 ;;
  "") cs_die_usage "no BUILD_DIR given (see --help)" ;;
  -*) cs_die_usage "unknown option '$1' before BUILD_DIR (see --help)" ;;
esac
cs_check_path BUILD_DIR "$1"
build=$(cd "$1" && pwd)
shift
rate=20mbit class=A rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rate|--class|--rounds)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      case $1 in
        --rate) [[ $2 =~ ^[1-9][0-9]*(kbit|mbit|gbit)$ ]] ||
                  cs_die_usage "--rate '$(cs_shown "$2")': a number and kbit, mbit or gbit, e.g. 20mbit"
                rate=$2 ;;
        --class) cs_check_choice class "$2" S W A B; class=$2 ;;
        --rounds) cs_check_uint rounds "$2" 1 100; rounds=$2 ;;
      esac
      shift 2 ;;
    -*) cs_die_usage "unknown option '$1' (see --help)" ;;
    *) cs_die_usage "unexpected argument '$(cs_shown "$1")' (see --help)" ;;
  esac
done
driver=$build/drivers/cpu_mpi
[ -x "$driver" ] || die "no $driver: build first (scripts/build.sh $build)"

if ! why=$("$top/scripts/cluster/start.sh" --check 2>&1); then
  echo "$prog: skipped, no cluster can run here: $why"
  exit 0
fi
state=$(mktemp -d /tmp/cs-halo.XXXXXX)
rows=$state/rows.csv
trap '"$top/scripts/cluster/stop.sh" --state "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT
"$top/scripts/cluster/start.sh" --state "$state" --nodes 2 --rate "$rate" >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

for round in $(seq "$rounds"); do
  for overlap in "" --overlap; do
    timeout 600 "$top/scripts/cluster/on.sh" --state "$state" head mpirun -np 2 \
      --host node1,node2 --bind-to none "$driver" --kernel heat --class "$class" --decomp rows \
      $overlap --repeat 3 --quiet --csv "$rows" >"$state/out" 2>&1 ||
      { cat "$state/out" >&2; die "round $round${overlap:+ $overlap}: the run failed"; }
  done
done

echo "# heat class $class, 2 hosts (1 rank each), rows, links at $rate each way; $rounds rounds x 3 repetitions"
# The medians of wall_s and comm_s per decomposition (the rows' schedule: rows, rows+overlap),
# read by column name.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  { k = $col["schedule"]; n[k]++; w[k, n[k]] = $col["wall_s"]; c[k, n[k]] = $col["comm_s"]
    b[k] = $col["comm_bytes"] }
  function median(a, k, m,   i, j, t, v) {
    for (i = 1; i <= m; i++) v[i] = a[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
  END { printf "%-14s %6s %10s %10s %12s\n", "schedule", "runs", "wall_s", "comm_s", "comm_bytes"
        for (k in n) printf "%-14s %6d %10.4f %10.4f %12d\n", k, n[k], median(w, k, n[k]), median(c, k, n[k]), b[k] }' "$rows"
