#!/usr/bin/env bash
# bignum_group's outputs on a small product over 2 and 5 ranks (oversubscribed): the serial row
# and a row per way (by primes only at 2) with median, speedup, efficiency, exchange seconds and
# megabytes; bad options
# answered once, by rank 0. Timings are printed, never judged. Usage: bignum_group.sh MPIRUN PROG
set -u
mpirun=$1 prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
num='[0-9]+\.[0-9]+'
for np in 2 5; do
  "$mpirun" -q -np $np --bind-to none "$prog" --bits 400000 --reps 3 >"$tmp/out" 2>"$tmp/err"
  code=$?
  [ $code = 0 ] || { fail "$np ranks exited $code: $(cat "$tmp/err")"; continue; }
  grep -qE "^bignum_mul, rank 0 alone +$num +1\.00\$" "$tmp/out" || fail "$np ranks: no serial row"
  ways="slices transform"
  [ $np -le 3 ] && ways="primes $ways"
  for way in $ways; do
    grep -qE "^bignum_mul_group by $way +$num +$num +$num +$num +$num\$" "$tmp/out" ||
      fail "$np ranks: no row for the way by $way"
  done
  [ $np -gt 3 ] && grep -q "by primes" "$tmp/out" && fail "$np ranks: a row by primes (two or three ranks only)"
  grep -qE "^# $np ranks; exchanges" "$tmp/out" || fail "$np ranks: the footnote does not say $np ranks"
done
"$mpirun" -q -np 2 --bind-to none "$prog" --reps 0 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 2 ] || fail "--reps 0 exited $code, expected 2"
[ "$(grep -c "bignum_group: --reps '0': too small (at least 1)" "$tmp/err")" = 1 ] ||
  fail "--reps 0: not one message from rank 0: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "--reps 0 wrote to stdout"

[ $failures = 0 ] || { echo "$failures check(s) failed"; cat "$tmp/out"; exit 1; }
echo "ok: bignum_group rows, on 2 and 5 ranks"
