#!/usr/bin/env bash
# plot.sh refuses what is not a sweep with exit 2 and a message naming it.
# Usage: plot_options.sh SOURCE_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1
plot=$src/scripts/plot.sh

refused() { # WANT-CODE WANT-MESSAGE ARGS...
  local code_want=$1 want=$2; shift 2
  "$plot" "$@" >"$scratch/out" 2>"$scratch/err"
  expect_eq "exit status of plot.sh $*" "$code_want" "$?"
  expect_grep "message of plot.sh $*" "$want" "$scratch/err"
}
refused 2 "plot: '$scratch/none': no such directory" "$scratch/none"
mkdir -p "$scratch/empty"
refused 2 "plot: '$scratch/empty': no rows.csv in it" "$scratch/empty"
mkdir -p "$scratch/alien"
printf 'a,b,c\n1,2,3\n' >"$scratch/alien/rows.csv"
refused 2 "plot: $scratch/alien/rows.csv: not corescale's CSV: no column 'driver'" "$scratch/alien"
refused 2 "plot: --formats 'gif': not png, svg or png,svg" --formats gif "$scratch/alien"
refused 2 "plot: --cores 'two': not a whole number" --cores two "$scratch/alien"
refused 2 "plot: --cores '99999999999999999999': too large (at most 1048576)" --cores 99999999999999999999 "$scratch/alien"
refused 2 "plot: unexpected argument 'b'" a b

# Rows whose numbers cannot be right are skipped, each named by file and line on stderr, and
# counted in summary.md; nothing reads nan or inf into the summary.
mkdir -p "$scratch/bad"
awk -F, -v OFS=, 'NR == 3 { $13 = "nan" } NR == 4 { $13 = "0" } NR == 5 { $13 = "-0.5" }
  NR == 6 { $13 = "inf" } NR == 7 { $13 = "1e999" } NR == 8 { $13 = "-nan" } NR == 9 { $9 = "x" } { print }' \
  "$src/tests/sweep/canned.csv" >"$scratch/bad/rows.csv"
"$plot" --formats png --cores 2 "$scratch/bad" >"$scratch/out" 2>"$scratch/err"
expect_eq "exit status of plot.sh on bad rows" 0 "$?"
for line in 3:"wall_s 'nan'" 4:"wall_s '0'" 5:"wall_s '-0.5'" 6:"wall_s 'inf'" 7:"wall_s '1e999'" \
            8:"wall_s '-nan'" 9:"workers 'x'"; do
  expect_grep "row ${line%%:*} named" "$scratch/bad/rows.csv:${line%%:*}: ${line#*:}" "$scratch/err"
done
expect_grep "skipped rows counted in summary.md" "**Skipped**: 7 row(s)" "$scratch/bad/summary.md"
grep -Eiq '(^|[^a-z])(-?nan|inf)([^a-z]|$)' "$scratch/bad/summary.md" &&
  fail "summary.md holds nan or inf: $(grep -Ei '(^|[^a-z])(-?nan|inf)([^a-z]|$)' "$scratch/bad/summary.md" | head -n 1)"
finish
