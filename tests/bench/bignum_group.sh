#!/usr/bin/env bash
# bignum_group's outputs on a small product over 2, 5 and 7 ranks (oversubscribed past the
# cores, and said so): the serial row and a row per way (as chosen, then by primes up to 16 ranks)
# with median, speedup, efficiency, exchange seconds, the busiest rank's CPU seconds and
# megabytes, and the --group-cost line cs_profile takes, from the CPU seconds, with each rank's
# CPU seconds and the factor were they even; --chosen-only
# times the chosen way alone; bad options answered once, by rank 0. Timings are printed, never
# judged. Usage: bignum_group.sh MPIRUN PROG
set -u
mpirun=$1 prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
cores=$(getconf _NPROCESSORS_ONLN)
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
num='[0-9]+\.[0-9]+'
for np in 2 5 7; do
  f= # this run's factor only: the even factor's check below is against it
  "$mpirun" -q -np $np --bind-to none "$prog" --bits 400000 --reps 3 >"$tmp/out" 2>"$tmp/err"
  code=$?
  [ $code = 0 ] || { fail "$np ranks exited $code: $(cat "$tmp/err")"; continue; }
  grep -qE "^bignum_mul, rank 0 alone +$num +1\.00 +1\.00 +- +$num\$" "$tmp/out" ||
    fail "$np ranks: no serial row"
  ways="by.primes by.slices by.transform as.chosen" # primes up to sixteen ranks: all of these
  for way in $ways; do
    grep -qE "^bignum_mul_group ${way/./ } +$num +$num +$num +$num +$num +$num\$" "$tmp/out" ||
      fail "$np ranks: no row for the way ${way/./ }"
  done
  # the factor is the way taken's busiest rank's CPU seconds times the ranks over rank 0's
  # alone: check it from the rows
  line=$(grep -E "^# for predictions: cs_profile --group-cost $np:$num \(as chosen: the busiest rank's $num cpu s x $np ranks / $num cpu s alone\)\$" "$tmp/out")
  if [ -z "$line" ]; then
    fail "$np ranks: no --group-cost line"
  else
    read -r f c alone < <(sed -E "s/.*--group-cost [0-9]+:([0-9.]+) \(as chosen: the busiest rank's ([0-9.]+) cpu s x [0-9]+ ranks \/ ([0-9.]+) cpu s alone\)/\1 \2 \3/" <<<"$line")
    awk -v f="$f" -v c="$c" -v a="$alone" -v n=$np 'BEGIN {
      w = c * n / a; d = f - w; d = d < 0 ? -d : d; exit !(d <= 0.005 + 0.005 * w) }' ||
      fail "$np ranks: --group-cost $f is not $c x $np / $alone"
    awk -v c="$c" '/^bignum_mul_group as chosen / { d = $8 - c; found = d < 0.00006 && d > -0.00006 }
      END { exit !found }' "$tmp/out" || fail "$np ranks: the factor's CPU seconds are not the 'as chosen' row's"
    awk -v a="$alone" '/^bignum_mul, rank 0 alone / { d = $9 - a; found = d < 0.00006 && d > -0.00006 }
      END { exit !found }' "$tmp/out" || fail "$np ranks: the factor's serial CPU seconds are not the serial row's"
  fi
  # each rank's CPU seconds in the chosen way, np of them, and the factor were they even: their
  # sum over the serial CPU seconds, no more than the busiest rank's factor
  line=$(grep -E "^# as chosen, each rank's cpu s:( $num){$np}; even, it would cost $np:$num\$" "$tmp/out")
  if [ -z "$line" ]; then
    fail "$np ranks: no line of each rank's CPU seconds"
  elif [ -n "${f:-}" ]; then
    awk -v line="$line" -v f="$f" -v a="$alone" -v n=$np 'BEGIN {
      sub(/.*cpu s: /, "", line); split(line, v, /[ ;:]+/); s = 0
      for (i = 1; i <= n; i++) s += v[i]
      even = v[n + 6]; d = even - s / a; d = d < 0 ? -d : d
      exit !(d <= 0.005 + 0.005 * even && even <= f + 0.01) }' ||
      fail "$np ranks: the even factor is not the ranks' sum over the serial, at most $f: $line"
  fi
  if [ "$np" -gt "$cores" ]; then
    grep -qE "^# oversubscribed: $np ranks on $cores cores here take turns" "$tmp/out" ||
      fail "$np ranks on $cores cores: not said to be oversubscribed"
  else
    grep -q "oversubscribed" "$tmp/out" && fail "$np ranks on $cores cores: said to be oversubscribed"
  fi
  grep -qE "^# $np ranks; exchanges" "$tmp/out" || fail "$np ranks: the footnote does not say $np ranks"
done
# --chosen-only: the serial row and the chosen way's, no other
"$mpirun" -q -np 2 --bind-to none "$prog" --bits 400000 --reps 2 --chosen-only >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 0 ] || fail "--chosen-only exited $code: $(cat "$tmp/err")"
[ "$(grep -c '^bignum_mul' "$tmp/out")" = 2 ] && grep -q "^bignum_mul_group as chosen " "$tmp/out" ||
  fail "--chosen-only: not the serial and the chosen rows alone: $(cat "$tmp/out")"
"$mpirun" -q -np 2 --bind-to none "$prog" --reps 0 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 2 ] || fail "--reps 0 exited $code, expected 2"
[ "$(grep -c "bignum_group: --reps '0': too small (at least 1)" "$tmp/err")" = 1 ] ||
  fail "--reps 0: not one message from rank 0: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "--reps 0 wrote to stdout"

[ $failures = 0 ] || { echo "$failures check(s) failed"; cat "$tmp/out"; exit 1; }
echo "ok: bignum_group rows, on 2, 5 and 7 ranks"
