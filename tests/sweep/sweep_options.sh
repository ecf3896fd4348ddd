#!/usr/bin/env bash
# Bad command lines exit 2 with a message naming the option and value; --dry-run runs nothing.
# Usage: sweep_options.sh SOURCE_DIR BUILD_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2
sweep=$src/scripts/sweep.sh

refused() { # EXPECTED-MESSAGE ARGS...
  local want=$1; shift
  "$sweep" --build "$build" --out "$scratch/never" "$@" >"$scratch/out" 2>"$scratch/err"
  local code=$?
  expect_eq "exit status of sweep $*" 2 "$code"
  expect_grep "message of sweep $*" "$want" "$scratch/err"
}
refused "sweep: --workers '0': item '0': too small (at least 1)" --workers 0
refused "sweep: --workers '1,,2': empty item in the list" --workers 1,,2
refused "sweep: --drivers 'cpu_fast': unknown driver 'cpu_fast'" --drivers cpu_fast
refused "sweep: --class 'D': not one of S, W, A, B, C" --class D
refused "sweep: --kernels 'pi:D': class 'D' is not one of S, W, A, B, C" --kernels pi:D
refused "sweep: --repeat '0': too small (at least 1)" --repeat 0
refused "sweep: --launcher 'qsub': not mpirun, srun, or a template containing {ranks}" --launcher qsub
refused "sweep: unknown option '--fast'" --fast
refused "sweep: option '--out' needs a value" --out
[ -e "$scratch/never" ] && fail "a refused sweep created its output directory"

"$sweep" --build "$build" --drivers cpu_serial,cpu_mpi,cpu_hybrid,io_async --kernels pi:A --workers 1,4 \
  --concurrency 3 --hybrid-threads 2 --dry-run --out "$scratch/dry" >"$scratch/out" 2>&1
expect_eq "exit status of --dry-run" 0 "$?"
expect_eq "points listed by --dry-run" 6 "$(grep -c '^\[[0-9]*/6\] ' "$scratch/out")"
# The MPI drivers start through rank_host.sh, which notes each rank's host in the point's .hosts.
expect_grep "cpu_mpi launched by mpirun" "mpirun -np 4 --bind-to none $src/scripts/lib/rank_host.sh $scratch/dry/logs/" "$scratch/out"
expect_grep "cpu_mpi launched by mpirun" ".hosts $build/drivers/cpu_mpi --kernel pi --class A" "$scratch/out"
expect_grep "cpu_hybrid split 4 workers as 2 ranks x 2 threads" "mpirun -np 2 --bind-to none $src/scripts/lib/rank_host.sh" "$scratch/out"
expect_grep "cpu_hybrid split 4 workers as 2 ranks x 2 threads" ".hosts $build/drivers/cpu_hybrid --kernel pi --class A --threads 2" "$scratch/out"
expect_grep "io_async at concurrency 3" "io_async --requests 100 --delay-ms 100 --concurrency 3" "$scratch/out"
[ -e "$scratch/dry" ] && fail "--dry-run created its output directory"

# Class C is taken, by --class and by NAME:C, and passed on (listed, not run: tens of seconds).
"$sweep" --build "$build" --drivers cpu_serial,cpu_omp --kernels product:C,pi --class C --workers 2 \
  --dry-run >"$scratch/out" 2>&1
expect_eq "exit status of --dry-run with class C" 0 "$?"
expect_grep "product:C" "[1/4] $build/drivers/cpu_serial --kernel product --class C --repeat" "$scratch/out"
expect_grep "--class C for pi" "[4/4] $build/drivers/cpu_omp --kernel pi --class C --threads 2 --repeat" "$scratch/out"

"$sweep" --build "$build" --drivers cpu_mpi --kernels pi --workers 3 --launcher srun --dry-run >"$scratch/out" 2>&1
expect_grep "srun launcher" "srun --kill-on-bad-exit=1 --ntasks=3 --cpus-per-task=1 --cpu-bind=cores $src/scripts/lib/rank_host.sh" "$scratch/out"

# Hosts: the grid is nodes (1, 2, 3) x workers per node (1, 2); the ranks go to the first hosts
# by {hosts}, filled evenly. Bad host lists are refused before anything runs.
printf 'h1 slots=2\n# a comment\nh2\n\nh3 slots=2\n' >"$scratch/hostfile"
"$sweep" --build "$build" --drivers cpu_mpi,cpu_hybrid --kernels pi:S --workers 1,2 --hybrid-threads 2 \
  --hostfile "$scratch/hostfile" --dry-run >"$scratch/out" 2>&1
expect_eq "exit status of --dry-run on hosts" 0 "$?"
expect_eq "points on hosts: 3 node counts x 2 per node x 2 drivers" 12 "$(grep -c '^\[[0-9]*/12\] ' "$scratch/out")"
expect_grep "cpu_mpi 2 per node on 2 hosts" "mpirun -np 4 --host h1:2,h2:2 --bind-to none" "$scratch/out"
expect_grep "cpu_mpi 1 per node on 3 hosts" "mpirun -np 3 --host h1:1,h2:1,h3:1 --bind-to none" "$scratch/out"
expect_grep "cpu_hybrid a rank of 2 threads per node on 3 hosts" "mpirun -np 3 --host h1:1,h2:1,h3:1 --bind-to none $src/scripts/lib/rank_host.sh" "$scratch/out"
refused "sweep: --hosts 'a,,b': not a list of host names (letters, digits, '.', '_', '-')" --hosts a,,b
refused "sweep: --hosts 'a,b,a': host 'a' named twice" --hosts a,b,a
refused "sweep: --hostfile '$scratch/none': not a readable file" --hostfile "$scratch/none"
refused "sweep: give the hosts once, by --hosts or by --hostfile (given: --hosts --hostfile)" --hosts a --hostfile "$scratch/hostfile"
refused "sweep: --launcher 'srun -n {ranks}': has no {hosts} to start the ranks on the --hosts hosts" --hosts a,b --launcher 'srun -n {ranks}'
refused "sweep: --nodes '3': --hosts gives 2 hosts: leave --nodes out" --hosts a,b --nodes 3

# A class letter in either case, as the drivers take it.
"$sweep" --build "$build" --drivers cpu_serial --kernels pi:s,primes --class a --dry-run >"$scratch/out" 2>&1
expect_eq "exit status of --dry-run with lower-case classes" 0 "$?"
expect_grep "pi:s taken as class S" "cpu_serial --kernel pi --class S " "$scratch/out"
expect_grep "--class a taken as A" "cpu_serial --kernel primes --class A " "$scratch/out"

# --check (what run.sh asks before installing or building): good options exit 0, make nothing,
# and need no build yet; a bad one is refused as always.
"$sweep" --check --build "$scratch/no-build-yet" --out "$scratch/checked" --kernels pi:S --workers 1,2 \
  >"$scratch/out" 2>"$scratch/err"
expect_eq "exit status of --check with good options" 0 "$?"
expect_eq "output of --check with good options" "" "$(cat "$scratch/out" "$scratch/err")"
[ -e "$scratch/checked" ] && fail "--check created its output directory"
refused "sweep: --rounds '0': too small (at least 1)" --check --rounds 0
finish
