#!/usr/bin/env bash
# What the parallel drivers print and record: the default MPI job, CSV columns,
# warnings (on a synthetic topology, so the same everywhere), --show-binding.
# Usage: outputs.sh DRIVER_DIR
set -u
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
# column NAME FILE: that column of the last row of a corescale CSV
column() {
  awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c }' "$2"
}

# `mpirun -np 4 cpu_mpi` with no options: the class W product, three cases verified.
if mpirun -np 4 "$dir/cpu_mpi" >"$tmp/w.out" 2>"$tmp/w.err"; then
  grep -q '^# sizes n = 50,63,32 (class W)' "$tmp/w.out" || fail "default job is not class W"
  grep -q '^# workers 4 (ranks 4 x threads 1)' "$tmp/w.out" || fail "default job: workers line"
  [ "$(grep -c '^  n=.* yes ' "$tmp/w.out")" = 3 ] || fail "default job: 3 verified cases"
  ok "mpirun -np 4 cpu_mpi runs the class W product"
else
  fail "mpirun -np 4 cpu_mpi exited non-zero"; cat "$tmp/w.err"
fi

# CSV rows from cpu_mpi: ranks, workers, and partials that really moved.
mpirun -np 3 --bind-to none "$dir/cpu_mpi" --kernel product --class S --repeat 1 --quiet \
  --schedule static --csv "$tmp/mpi.csv" || fail "cpu_mpi --csv"
[ "$(column ranks "$tmp/mpi.csv"),$(column threads "$tmp/mpi.csv"),$(column workers "$tmp/mpi.csv")" = 3,1,3 ] ||
  fail "cpu_mpi rows: ranks,threads,workers"
[ "$(column comm_bytes "$tmp/mpi.csv")" -gt 0 ] || fail "cpu_mpi rows: comm_bytes is 0"
[ -n "$(column comm_s "$tmp/mpi.csv")" ] || fail "cpu_mpi rows: comm_s empty"
[ "$(column schedule "$tmp/mpi.csv")" = static ] || fail "cpu_mpi rows: schedule"
ok "cpu_mpi rows"

mpirun -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --kernel pi --class S --repeat 1 --quiet \
  --csv "$tmp/hybrid.csv" || fail "cpu_hybrid --csv"
[ "$(column ranks "$tmp/hybrid.csv"),$(column threads "$tmp/hybrid.csv"),$(column workers "$tmp/hybrid.csv")" = 2,2,4 ] ||
  fail "cpu_hybrid rows: ranks,threads,workers"
ok "cpu_hybrid rows"

# Warnings on a synthetic machine of 2 cores x 2 PUs (nothing can be bound there).
warnings_of() { # EXPECTED ARGS...: the warnings column and one stderr line per word
  local want=$1
  shift
  rm -f "$tmp/syn.csv"
  HWLOC_SYNTHETIC="core:2 pu:2" "$@" --kernel pi --class S --repeat 1 --warmup 0 \
    --csv "$tmp/syn.csv" >/dev/null 2>"$tmp/syn.err" || { fail "$* exited non-zero"; return; }
  local got
  got=$(column warnings "$tmp/syn.csv")
  [ "${got%;short-run}" = "$want" ] || fail "$*: warnings '$got', expected '$want'"
  for word in ${want//;/ }; do
    grep -q "($word)\|: $word;" "$tmp/syn.err" || fail "$*: no stderr warning for $word"
  done
  ok "warnings $want: $*"
}
warnings_of "bind-unsupported" "$dir/cpu_omp" --threads 2 --bind core
warnings_of "smt;bind-unsupported" "$dir/cpu_omp" --threads 4 --bind pu
warnings_of "oversubscribed;smt;bind-unsupported" "$dir/cpu_omp" --threads 5 --bind pu
warnings_of "oversubscribed;bind-unsupported" "$dir/cpu_omp" --threads 3 --bind core
warnings_of "smt" "$dir/cpu_omp" --threads 3 --bind none
warnings_of "oversubscribed;bind-unsupported" mpirun -x HWLOC_SYNTHETIC -np 3 --bind-to none "$dir/cpu_mpi"
warnings_of "smt;bind-unsupported" mpirun -x HWLOC_SYNTHETIC -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --bind pu

# --show-binding: one line per worker, and where it ran when that can be checked.
"$dir/cpu_omp" --threads 2 --kernel pi --class S --repeat 1 --show-binding >"$tmp/show.out" 2>/dev/null ||
  fail "cpu_omp --show-binding"
[ "$(grep -c '^#   thread [01] -> ' "$tmp/show.out")" = 2 ] || fail "--show-binding: two thread lines"
grep -q '^# workers 2 (ranks 1 x threads 2), schedule dynamic, binding ' "$tmp/show.out" ||
  fail "header: workers and binding"
mpirun -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --kernel pi --class S --repeat 1 \
  --show-binding >"$tmp/hshow.out" 2>/dev/null || fail "cpu_hybrid --show-binding"
[ "$(grep -c '^#   rank [01] thread [01] on ' "$tmp/hshow.out")" = 4 ] || fail "hybrid --show-binding: four lines"
ok "--show-binding"

# Bandwidth for triad: the people's table says GB/s.
"$dir/cpu_omp" --threads 2 --kernel triad --class S --repeat 1 >"$tmp/triad.out" 2>/dev/null ||
  fail "cpu_omp triad"
grep -q 'best_GB/s' "$tmp/triad.out" || fail "triad: no GB/s column"
ok "triad reports GB/s"

# Only rank 0 speaks: help once, and the result file is cpu_serial's.
[ "$(mpirun -q -np 3 "$dir/cpu_mpi" --help | grep -c '^Usage: cpu_mpi')" = 1 ] || fail "cpu_mpi --help not printed once"
"$dir/cpu_serial" --n 5,3 --repeat 1 --warmup 0 --quiet --result-file "$tmp/serial.txt"
mpirun -np 3 --bind-to none "$dir/cpu_mpi" --n 5,3 --repeat 1 --warmup 0 --quiet \
  --result-file "$tmp/mpi.txt" || fail "cpu_mpi --result-file"
cmp -s "$tmp/serial.txt" "$tmp/mpi.txt" || fail "cpu_mpi's result file differs from cpu_serial's"
ok "rank 0 alone prints and writes"

# --help lists every kernel with its classes.
"$dir/cpu_omp" --help >"$tmp/help.out" || fail "cpu_omp --help"
for k in product pi primes triad heat heat3d; do grep -q "^  $k " "$tmp/help.out" || fail "--help lacks $k"; done
ok "--help lists the kernels"

[ $failures = 0 ] || { echo "$failures output checks failed"; exit 1; }
echo "ok: parallel driver outputs"
