#!/usr/bin/env bash
# bignum_parallel's outputs on a small product: a row per way with its speedup and share of the
# machine's ceiling, the ceiling probes per thread count (1 thread exactly 1.00), each run()
# call's wall time per thread count, and the profile.
# Timings are printed, never judged. Usage: bignum_parallel.sh BIGNUM_PARALLEL
set -u
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$prog" --bits 200000 --reps 3 --threads-max 3 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 0 ] || fail "a small product exited $code: $(cat "$tmp/err")"
num='[0-9]+\.[0-9]+'
for k in 1 2 3; do
  s=$([ $k = 1 ] && echo thread || echo threads)
  grep -qE "^  helped, $k $s +$num +$num +$num\$" "$tmp/out" ||
    fail "no helped row with median, speedup and of_ceiling for $k $s"
  grep -qE "^ +$k +$num +$num +$num +$num\$" "$tmp/out" || fail "no ceiling row for $k $s"
done
grep -qE "^ +1 +$num +1\.00 +$num +1\.00\$" "$tmp/out" || fail "the ceiling at 1 thread is not 1.00"
grep -qE "^  bignum_mul serial +$num +1\.00\$" "$tmp/out" || fail "no serial row"
grep -qE "^# +call +parts +ms_1 +ms_2 +ms_3 +speedup\$" "$tmp/out" || fail "no per-call header"
grep -qE "^ +0 +[0-9]+ +$num +$num +$num +$num\$" "$tmp/out" || fail "no per-call row for call 0"
grep -qE "^ +all +$num +$num +$num +$num\$" "$tmp/out" || fail "no per-call total"
grep -qE "^  work $num s, span $num s, parallelism $num\$" "$tmp/out" || fail "no profile line"

[ $failures = 0 ] || { echo "$failures check(s) failed"; cat "$tmp/out"; exit 1; }
echo "ok: bignum_parallel rows, ceiling, profile"
