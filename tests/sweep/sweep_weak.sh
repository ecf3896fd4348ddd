#!/usr/bin/env bash
# --scaling weak: each worker count runs the n its kernel's model of work gives (pi n x w, primes
# n^1.5 / ln n grown w times), in the rows' case column and points.csv's n; rows keep the class
# the sizes grew from and say scaling weak; cpu_serial runs the one-worker size.
# Usage: sweep_weak.sh SOURCE_DIR BUILD_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2

out=$scratch/run
"$src/scripts/sweep.sh" --build "$build" --drivers cpu_serial,cpu_omp,io_async --kernels pi,primes --class S \
  --workers 1,2,3 --scaling weak --repeat 1 --warmup 0 --out "$out" >"$scratch/stdout" 2>&1
code=$?
expect_eq "sweep exit status (output in $scratch/stdout)" 0 "$code"
[ $code -eq 0 ] || cat "$scratch/stdout" >&2
csv=$out/rows.csv

# Class S: pi 1000000 intervals, primes up to 100000 (cpu_serial --help).
for spec in "pi 1 1000000" "pi 2 2000000" "pi 3 3000000" "primes 1 100000" "primes 2 163212" "primes 3 217252"; do
  read -r k w n <<<"$spec"
  expect_eq "$k rows at $w workers run n=$n, class S, scaling weak" 1 \
    "$(count_rows "$csv" driver cpu_omp kernel "$k" workers "$w" case "n=$n" class S scaling weak verified 1)"
  expect_eq "$k point at $w workers in points.csv with n $n" 1 "$(awk -F, -v k="$k" -v w="$w" -v n="$n" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["driver"] == "cpu_omp" && $c["kernel"] == k && $c["workers"] == w && $c["n"] == n && $c["scaling"] == "weak" { m++ }
    END { print m + 0 }' "$out/points.csv")"
done
expect_eq "cpu_serial runs the one-worker size" 1 "$(count_rows "$csv" driver cpu_serial kernel primes case n=100000 scaling weak)"
# The grown primes sizes really carry w times the work: n^1.5 / ln n, within rounding.
awk 'function w(x) { return x ^ 1.5 / log(x) }
  BEGIN { r2 = w(163212) / w(100000); r3 = w(217252) / w(100000); exit !(r2 > 1.999 && r2 < 2.001 && r3 > 2.999 && r3 < 3.001) }' ||
  fail "primes sizes 163212 and 217252 are not 2 and 3 times the work of 100000"
expect_eq "no fetch rows in a weak sweep" 0 "$(count_rows "$csv" kernel fetch)"
expect_grep "the fetch driver skipped, said why" "not run: io_async: weak scaling grows a CPU kernel's size" "$out/sweep.log"
expect_grep "meta.txt names the scaling" "scaling: weak" "$out/meta.txt"
expect_grep "meta.txt states pi's model" "weak_model_pi: W(n) = n" "$out/meta.txt"
finish
