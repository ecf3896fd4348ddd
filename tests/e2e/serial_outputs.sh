#!/usr/bin/env bash
# cpu_serial's outputs: the result file, CSV rows, and CSV rows from concurrent runs.
# Usage: serial_outputs.sh CPU_SERIAL
set -eu
drv=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# --result-file: 'n=N VALUE'; 24^48 and 1^3 from an independent table.
"$drv" --n 5,2 --repeat 1 --warmup 0 --quiet --result-file "$dir/value.txt"
printf 'n=5 1778851122450430889808135593631174089945225899275983120948501938176\nn=2 1\n' >"$dir/want.txt"
cmp -s "$dir/value.txt" "$dir/want.txt" || { diff "$dir/value.txt" "$dir/want.txt"; fail "result file"; }

# --csv: one header, one row per case per timed repetition, every row whole.
"$drv" --class S --repeat 2 --warmup 1 --quiet --csv "$dir/rows.csv"
[ "$(wc -l <"$dir/rows.csv")" = 7 ] || fail "expected 1 header + 3 cases x 2 reps"
columns=$(head -1 "$dir/rows.csv" | awk -F, '{print NF}')
[ "$columns" -ge 22 ] || fail "only $columns columns"
awk -F, -v c="$columns" 'NF != c { bad = 1 } END { exit bad }' "$dir/rows.csv" || fail "ragged rows"
grep -q ',cpu_serial,product,n=16,S,1,1,1,none,1024,2,' "$dir/rows.csv" || fail "row fields"
grep -q 'bits=27169;' "$dir/rows.csv" || fail "digest of n=16"

# Four runs appending to one file at once: one header, whole rows only.
for i in 1 2 3 4; do "$drv" --class S --repeat 5 --warmup 0 --quiet --csv "$dir/shared.csv" & done
wait
[ "$(grep -c '^time_utc' "$dir/shared.csv")" = 1 ] || fail "header written more than once"
[ "$(wc -l <"$dir/shared.csv")" = 61 ] || fail "expected 1 + 4 x 3 x 5 lines"
awk -F, -v c="$columns" 'NF != c { bad = 1 } END { exit bad }' "$dir/shared.csv" || fail "interleaved rows"
echo "ok: result file, CSV rows, concurrent appends"
