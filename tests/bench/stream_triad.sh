#!/usr/bin/env bash
# stream_triad's outputs: a line per thread count with every field, validation of both layouts,
# and a spoiled element (CS_FAULT) failing validation with exit 1 and a message naming it.
# Timings are printed, never judged. Usage: stream_triad.sh STREAM_TRIAD
set -u
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$prog" --n 1000 --threads 1,2 --passes 3 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 0 ] || fail "a small run exited $code: $(cat "$tmp/err")"
[ "$(grep -c '^threads ' "$tmp/out")" = 2 ] || fail "expected one line per thread count"
fields='^threads [12] best_GB/s [0-9.]+ avg_GB/s [0-9.]+ min_s [0-9.]+ avg_s [0-9.]+ max_s [0-9.]+ numa [^ ]+ hugepage_MB -?[0-9]+ bound [0-2]/[12] moved [0-2] cpus [0-9,]+ fork_join_us [0-9.]+$'
[ "$(grep -cE "$fields" "$tmp/out")" = 2 ] || { fail "a line lacks a field:"; grep '^threads ' "$tmp/out"; }
grep -q '^threads 2 ' "$tmp/out" || fail "no line for 2 threads"
grep -q '^# validated: ' "$tmp/out" || fail "no validation line"
grep -q '^# arrays: one fresh page-aligned mapping per thread count, a b c in turn, 0 spare doubles after each' \
  "$tmp/out" || fail "the layout is not described"
grep -q 'page offsets a 0 b 3904 c 3712$' "$tmp/out" || fail "page offsets of 1000 doubles: b at 8000 mod 4096"

"$prog" --n 1000 --threads 2 --passes 2 --layout malloc --offset 8 >"$tmp/out" 2>"$tmp/err" ||
  fail "--layout malloc exited $?: $(cat "$tmp/err")"
grep -q "^# arrays: three malloc'd arrays" "$tmp/out" || fail "--layout malloc not described"

CS_FAULT=17 "$prog" --n 1000 --threads 1 --passes 2 >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 1 ] || fail "a spoiled a[17] exited $code, expected 1"
want="stream_triad: validation failed at threads=1: 1 of 1000 elements wrong (average relative error 1.47e-05, STREAM's bound 1e-13), the first at j=17: a 69, b 17, c 17"
grep -qxF "$want" "$tmp/err" || fail "validation message: expected '$want', got '$(cat "$tmp/err")'"
grep -q '^threads ' "$tmp/out" && fail "a run that failed validation printed a result line"

[ $failures = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "ok: stream_triad lines, layouts, validation"
