#!/usr/bin/env bash
# A point made to fail is recorded (a rep-0 row, its status in points.csv) and the sweep goes on;
# so are a driver not built, a kernel a driver does not register and a point that hangs past
# --timeout. (A kernel no driver knows is refused before the sweep starts: bad_options.tsv.)
# Usage: sweep_failures.sh SOURCE_DIR BUILD_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2

# A build tree of our own: the real cpu_serial, a cpu_omp that fails, a cpu_hybrid that hangs,
# and no cpu_mpi at all. MPI drivers start without mpirun here, so the timeout reaches the hang.
mkdir -p "$scratch/build/drivers"
ln -s "$build/drivers/cpu_serial" "$scratch/build/drivers/cpu_serial"
# Both list cpu_serial's kernels on --help, as a real driver would, less one if asked.
fake() { # NAME BODY [KERNEL-NOT-REGISTERED]
  printf '#!/bin/sh\ncase " $* " in *" --help "*) "%s" --help | grep -v "^  %s "; exit 0 ;; esac\n%s\n' \
    "$build/drivers/cpu_serial" "${3:-no-kernel-left-out}" "$2" >"$scratch/build/drivers/$1"
  chmod +x "$scratch/build/drivers/$1"
}
fake cpu_omp 'echo "cpu_omp: made to fail for the test" >&2; exit 1' pi
fake cpu_hybrid 'exec sleep 30'

out=$scratch/run
"$src/scripts/sweep.sh" --build "$scratch/build" --drivers cpu_serial,cpu_omp,cpu_mpi,cpu_hybrid \
  --kernels product,pi --class S --workers 2 --repeat 1 --warmup 0 --timeout 2 \
  --launcher "env CS_TEST_RANKS={ranks}" \
  --out "$out" >"$scratch/stdout" 2>&1
expect_eq "sweep exit status when points failed" 1 "$?"
csv=$out/rows.csv
status_of() { awk -F, -v d="$1" -v k="$2" '$2 == d && $3 == k { print $9 }' "$out/points.csv"; }

expect_eq "cpu_omp product's status" failed "$(status_of cpu_omp product)"
expect_eq "cpu_mpi product's status" not-built "$(status_of cpu_mpi product)"
expect_eq "cpu_hybrid product's status" timeout "$(status_of cpu_hybrid product)"
expect_eq "cpu_omp pi's status (its --help leaves pi out)" not-registered "$(status_of cpu_omp pi)"
expect_eq "cpu_serial pi's status, after the failures" ok "$(status_of cpu_serial pi)"
expect_eq "failure row of cpu_omp product" 1 "$(count_rows "$csv" driver cpu_omp kernel product rep 0 verified 0 warnings failed)"
expect_eq "failure row of cpu_mpi product" 1 "$(count_rows "$csv" driver cpu_mpi kernel product rep 0 warnings not-built)"
expect_eq "failure row of cpu_hybrid product" 1 "$(count_rows "$csv" driver cpu_hybrid kernel product rep 0 warnings timeout)"
expect_eq "failure row of cpu_omp pi" 1 "$(count_rows "$csv" driver cpu_omp kernel pi rep 0 warnings not-registered)"
[ "$(count_rows "$csv" driver cpu_serial kernel pi rep 1 verified 1)" -ge 1 ] || fail "cpu_serial pi has no verified row after the failures"
expect_grep "the failing driver's own message in its log" "made to fail for the test" "$out/logs/002-cpu_omp-product-w2.log"
expect_grep "the progress line says FAILED and why" "FAILED (failed, exit 1)" "$out/sweep.log"
expect_grep "the not-built message names the driver" "cpu_mpi: not built" "$out/sweep.log"
expect_grep "meta.txt counts the failures" "failed_points: 6" "$out/meta.txt"
finish
