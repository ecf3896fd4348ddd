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
refused 2 "plot: --cores 'two': not a whole number >= 1" --cores two "$scratch/alien"
refused 2 "plot: unexpected argument 'b'" a b
finish
