#!/usr/bin/env bash
# One kernel under cpu_omp, cpu_mpi and cpu_hybrid, for 1 to 4 workers and every
# schedule: each run verifies, and its digests equal cpu_serial's, case by case.
# Usage: same_digests.sh DRIVER_DIR KERNEL [CLASS [RANKS]]
# RANKS ("5 6 7"): only cpu_mpi, at those rank counts (and cpu_hybrid at the first, 2
# threads a rank), every schedule.
# (mpirun as root and with more ranks than cores needs OMPI_ALLOW_RUN_AS_ROOT=1,
#  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 and OMPI_MCA_rmaps_base_oversubscribe=1.)
set -u
dir=$1 kernel=$2 class=${3:-S} only_ranks=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# shellcheck source=tests/parallel/digests.sh
. "$(dirname "$0")/digests.sh"

run() {
  local name=$1
  shift
  if ! "$@" --kernel "$kernel" --class "$class" --repeat 1 --warmup 0 --quiet \
      --csv "$tmp/$name.csv" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
    echo "FAIL: $name exited non-zero: $*"; cat "$tmp/$name.err"; failures=$((failures + 1))
    return
  fi
  judge "$name" "$tmp/$name.csv" "$@"
}

run serial "$dir/cpu_serial"
if [ -n "$only_ranks" ]; then
  for ranks in $only_ranks; do
    for schedule in static dynamic guided; do
      run "mpi_np${ranks}_$schedule" mpirun -np $ranks --bind-to none "$dir/cpu_mpi" --schedule $schedule
    done
  done
  first=${only_ranks%% *}
  run "hybrid_${first}x2" mpirun -np $first --bind-to none "$dir/cpu_hybrid" --threads 2 --schedule dynamic
  [ $failures = 0 ] || { echo "$failures configurations differ or failed"; exit 1; }
  echo "ok: $kernel class $class: cpu_mpi at $only_ranks ranks matches cpu_serial"
  exit 0
fi
for threads in 1 2 3 4; do
  for schedule in static dynamic guided; do
    run "omp_t${threads}_$schedule" "$dir/cpu_omp" --threads $threads --schedule $schedule
  done
done
for ranks in 1 2 3 4; do
  for schedule in static dynamic guided; do
    run "mpi_np${ranks}_$schedule" mpirun -np $ranks --bind-to none "$dir/cpu_mpi" --schedule $schedule
  done
done
for schedule in static dynamic guided; do
  run "hybrid_2x2_$schedule" mpirun -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --schedule $schedule
done
run "hybrid_3x1" mpirun -np 3 --bind-to none "$dir/cpu_hybrid" --threads 1 --schedule dynamic

[ $failures = 0 ] || { echo "$failures configurations differ or failed"; exit 1; }
echo "ok: $kernel class $class: every configuration matches cpu_serial"
