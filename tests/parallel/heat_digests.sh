#!/usr/bin/env bash
# A stencil kernel under every driver: 1-4 threads, 1-4 ranks, 2x2 hybrid, --decomp rows and
# blocks, --overlap on and off. Each run verifies, and its digests (every step's energy and
# maximum, bit for bit) equal cpu_serial's; then a rank whose halos or diagnostics go wrong
# fails the job. heat3d (the same drivers, 3D blocks) runs a shorter list.
# Usage: heat_digests.sh DRIVER_DIR [heat|heat3d]
# (mpirun as root and with more ranks than cores needs OMPI_ALLOW_RUN_AS_ROOT=1,
#  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 and OMPI_MCA_rmaps_base_oversubscribe=1.)
set -u
dir=$1 kernel=${2:-heat}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# shellcheck source=tests/parallel/digests.sh
. "$(dirname "$0")/digests.sh"

# run NAME CASE_OPTIONS COMMAND...: the case is --class S plus CASE_OPTIONS (word-split).
run() {
  local name=$1 case_opts=$2
  shift 2
  # shellcheck disable=SC2086
  if ! "$@" --kernel "$kernel" --class S $case_opts --repeat 1 --warmup 0 --quiet \
      --csv "$tmp/$name.csv" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
    echo "FAIL: $name exited non-zero: $*"; cat "$tmp/$name.err"; failures=$((failures + 1))
    return
  fi
  judge "$name" "$tmp/$name.csv" "$@"
}

mpi() { mpirun -q -np "$1" --bind-to none "${@:2}"; }

if [ "$kernel" = heat3d ]; then
  # 8 x 8 x 8 blocks of 2 x 2 x 2 cells, then 3 x 2 x 2 uneven ones.
  run serial "" "$dir/cpu_serial"
  run omp_t3_blocks "" "$dir/cpu_omp" --threads 3
  run mpi_np2_rows_overlap "" mpi 2 "$dir/cpu_mpi" --decomp rows --overlap
  run mpi_np4_blocks "" mpi 4 "$dir/cpu_mpi" --decomp blocks
  run hybrid_2x2_blocks_overlap "" mpi 2 "$dir/cpu_hybrid" --threads 2 --overlap
  uneven="--chunks 12 --steps 7"
  run serial_uneven "$uneven" "$dir/cpu_serial"
  run mpi_np3_uneven_blocks_overlap "$uneven" mpi 3 "$dir/cpu_mpi" --overlap
  run omp_t4_uneven_rows "$uneven" "$dir/cpu_omp" --threads 4 --decomp rows
  [ $failures = 0 ] || { echo "$failures configurations differ or failed"; exit 1; }
  echo "ok: heat3d: every driver tried matches cpu_serial"
  exit 0
fi

# The default blocks (16 x 16 of 4 x 4 cells).
run serial "" "$dir/cpu_serial"
for threads in 1 2 3 4; do
  for decomp in rows blocks; do
    run "omp_t${threads}_$decomp" "" "$dir/cpu_omp" --threads $threads --decomp $decomp
  done
done
for ranks in 1 2 3 4; do
  for decomp in rows blocks; do
    run "mpi_np${ranks}_$decomp" "" mpi $ranks "$dir/cpu_mpi" --decomp $decomp
    run "mpi_np${ranks}_${decomp}_overlap" "" mpi $ranks "$dir/cpu_mpi" --decomp $decomp --overlap
  done
done
for decomp in rows blocks; do
  run "hybrid_2x2_$decomp" "" mpi 2 "$dir/cpu_hybrid" --threads 2 --decomp $decomp
  run "hybrid_2x2_${decomp}_overlap" "" mpi 2 "$dir/cpu_hybrid" --threads 2 --decomp $decomp --overlap
done

# Uneven blocks (4 x 3 of 16 x 21 or 22 cells), few steps: parts of unequal size and shape.
uneven="--chunks 12 --steps 7"
run serial_uneven "$uneven" "$dir/cpu_serial"
run omp_t3_uneven_rows "$uneven" "$dir/cpu_omp" --threads 3 --decomp rows
run mpi_np3_uneven_blocks_overlap "$uneven" mpi 3 "$dir/cpu_mpi" --decomp blocks --overlap
run mpi_np4_uneven_blocks "$uneven" mpi 4 "$dir/cpu_mpi" --decomp blocks
run hybrid_2x2_uneven_rows_overlap "$uneven" mpi 2 "$dir/cpu_hybrid" --threads 2 --decomp rows --overlap

# On two ranks: a rank whose diagnostics come out wrong (CS_FAULT doubles block 200's) fails
# verification, and a rank that cannot finish its block fails the job: exit 1 and the reason,
# no hang.
expect_failure() {
  local name=$1 fault=$2 message=$3
  shift 3
  CS_FAULT=$fault timeout 120 mpirun -q -np 2 --bind-to none "$@" --kernel "$kernel" --class S --quiet >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ $code != 1 ]; then
    echo "FAIL: $name: exit status $code, expected 1"; cat "$tmp/err"; failures=$((failures + 1))
  elif ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL: $name: no '$message' on stderr:"; cat "$tmp/err"; failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}
expect_failure mpi_wrong_block_fails_verification 1:200:wrong "verification failed: step 1's energy" \
  "$dir/cpu_mpi" --decomp rows --overlap
expect_failure hybrid_failed_block_fails_the_job 1:200 "rank 1: item 200 failed (injected by CS_FAULT)" \
  "$dir/cpu_hybrid" --threads 2

# --profile: every timed repetition's steps in the file (one '# step' line a step), work and span
# in the rows, and the median repetition's lines for people; with ranks, the exchange too.
profile_check() {
  local name=$1 want_exchange=$2
  shift 2
  rm -f "$tmp/prof.txt" "$tmp/prof.csv"
  if ! "$@" --kernel heat --class S --steps 20 --repeat 2 --warmup 0 --profile "$tmp/prof.txt" \
      --csv "$tmp/prof.csv" >"$tmp/prof.out" 2>"$tmp/prof.err"; then
    echo "FAIL: $name: exit status not 0"; cat "$tmp/prof.err"; failures=$((failures + 1)); return
  fi
  local blocks steps work exchange
  blocks=$(grep -c '^# stencil .*kernel=heat case=n=64;steps=20 .*blocks=256 steps=20$' "$tmp/prof.txt")
  steps=$(grep -c '^# step [0-9]' "$tmp/prof.txt")
  work=$(awk -F, 'NR > 1 && $33 + 0 > 0 && $34 + 0 > 0' "$tmp/prof.csv" | wc -l)
  exchange=$(sed -n 's/^# profile n=64;steps=20: work .* halo exchange \([0-9.]*\) s.*/\1/p' "$tmp/prof.out")
  if [ "$blocks" != 2 ] || [ "$steps" != 40 ] || [ "$work" != 2 ] ||
     ! grep -q '^# profile n=64;steps=20: predicted speedup under --decomp .* p=2 ' "$tmp/prof.out" ||
     [ -z "$exchange" ] || { [ "$want_exchange" = yes ] && [ "$exchange" = 0.000000 ]; } ||
     { [ "$want_exchange" = no ] && [ "$exchange" != 0.000000 ]; }; then
    echo "FAIL: $name: $blocks blocks, $steps step lines, $work rows with work and span, exchange '$exchange'"
    cat "$tmp/prof.out"; failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}
profile_check omp_profile no "$dir/cpu_omp" --threads 2
profile_check mpi_profile_overlap yes mpi 2 "$dir/cpu_mpi" --decomp rows --overlap

# More workers than the decomposition can cut: the run still verifies, and says who waits.
"$dir/cpu_omp" --threads 4 --kernel heat --n 8 --chunks 2 --repeat 1 --warmup 0 >/dev/null \
  2>"$tmp/idle.err" || { echo "FAIL: idle workers: exit $?"; failures=$((failures + 1)); }
if grep -qF "heat: 2 of 4 workers own no block under --decomp blocks (a 2 x 1 block grid)" "$tmp/idle.err"; then
  echo "ok: idle workers are named"
else
  echo "FAIL: idle workers: no warning:"; cat "$tmp/idle.err"; failures=$((failures + 1))
fi

[ $failures = 0 ] || { echo "$failures configurations differ or failed"; exit 1; }
echo "ok: heat: every driver, decomposition and overlap matches cpu_serial"
