#!/usr/bin/env bash
# bignum_group's outputs on a small product over 2, 5 and 7 ranks (oversubscribed): the serial
# row and a row per way (as chosen, then by primes up to 6 ranks) with median, speedup, efficiency,
# exchange seconds and megabytes, and the --group-cost line cs_profile takes; bad options
# answered once, by rank 0. Timings are printed, never judged. Usage: bignum_group.sh MPIRUN PROG
set -u
mpirun=$1 prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
num='[0-9]+\.[0-9]+'
for np in 2 5 7; do
  "$mpirun" -q -np $np --bind-to none "$prog" --bits 400000 --reps 3 >"$tmp/out" 2>"$tmp/err"
  code=$?
  [ $code = 0 ] || { fail "$np ranks exited $code: $(cat "$tmp/err")"; continue; }
  grep -qE "^bignum_mul, rank 0 alone +$num +1\.00\$" "$tmp/out" || fail "$np ranks: no serial row"
  ways="by.slices by.transform as.chosen"
  [ $np -le 16 ] && ways="by.primes $ways"
  for way in $ways; do
    grep -qE "^bignum_mul_group ${way/./ } +$num +$num +$num +$num +$num\$" "$tmp/out" ||
      fail "$np ranks: no row for the way ${way/./ }"
  done
  # the factor is what the way taken costs in all beside rank 0 alone: check it from the rows
  line=$(grep -E "^# for predictions: cs_profile --group-cost $np:$num \(as chosen: \($num - $num\) s x $np ranks / $num s alone\)\$" "$tmp/out")
  if [ -z "$line" ]; then
    fail "$np ranks: no --group-cost line"
  else
    read -r f p x alone < <(sed -E 's/.*--group-cost [0-9]+:([0-9.]+) \(as chosen: \(([0-9.]+) - ([0-9.]+)\) s x [0-9]+ ranks \/ ([0-9.]+) s alone\)/\1 \2 \3 \4/' <<<"$line")
    awk -v f="$f" -v p="$p" -v x="$x" -v a="$alone" -v n=$np 'BEGIN {
      w = (p - x) * n / a; d = f - w; d = d < 0 ? -d : d; exit !(d <= 0.005 + 0.005 * w) }' ||
      fail "$np ranks: --group-cost $f is not ($p - $x) x $np / $alone"
    awk -v p="$p" '/^bignum_mul_group as chosen / { d = $4 - p; found = d < 0.00006 && d > -0.00006 }
      END { exit !found }' "$tmp/out" || fail "$np ranks: the factor is not from the 'as chosen' row"
  fi
  [ $np -gt 16 ] && grep -q "by primes" "$tmp/out" && fail "$np ranks: a row by primes (two to sixteen ranks only)"
  grep -qE "^# $np ranks; exchanges" "$tmp/out" || fail "$np ranks: the footnote does not say $np ranks"
done
"$mpirun" -q -np 2 --bind-to none "$prog" --reps 0 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 2 ] || fail "--reps 0 exited $code, expected 2"
[ "$(grep -c "bignum_group: --reps '0': too small (at least 1)" "$tmp/err")" = 1 ] ||
  fail "--reps 0: not one message from rank 0: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "--reps 0 wrote to stdout"

[ $failures = 0 ] || { echo "$failures check(s) failed"; cat "$tmp/out"; exit 1; }
echo "ok: bignum_group rows, on 2, 5 and 7 ranks"
