#!/usr/bin/env bash
# Compares two sweeps point by point: the change in median time, its interval, a rank-test verdict.
set -uo pipefail

prog=compare
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<'EOF_USAGE'
Usage: scripts/compare.sh [--threshold P%] [--alpha A] OLD NEW
Compare two sweep directories (each holding rows.csv) point by point: for every point (driver,
kernel, class, scaling, ranks x threads, workers, schedule) in both, the median time of each,
the change in median with its bootstrap 95% interval (2000 resamples of each side's
repetitions), and the two-sided Mann-Whitney U test's p-value and verdict: slower or faster
when p < A, else no detectable change. With few repetitions the test cannot reach A (3 against
3 never goes below p = 0.1): the verdict then says so; sweep with --repeat 5 or more to gate.

  --threshold P   how much slower a point may get before it fails the comparison, in percent
                  ("5%" or "5"; 0 to 1000, default 5%)
  --alpha A       the U test's level, 0.001 to 0.5 (default 0.05)
  --help          this help

Exit: 0 no point slower beyond the threshold; 1 some point is slower beyond it (a U test
verdict and a median change above P), or failed in NEW; 2 bad command line or input.
EOF_USAGE
}

# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"

threshold=5 alpha=0.05 dirs=()
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --threshold|--alpha)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      case $1 in --threshold) threshold=$2 ;; --alpha) alpha=$2 ;; esac
      shift 2 ;;
    --*=*) cs_die_usage "option '$1': give the value as a separate word, '${1%%=*} ${1#*=}' (see --help)" ;;
    -*) cs_die_usage "unknown option '$1' (see --help)" ;;
    *) cs_check_path DIR "$1"; dirs+=("$1"); shift ;;
  esac
done
shown_threshold=$threshold
t=${threshold%\%}
[[ $t =~ ^[0-9]+([.][0-9]+)?$ ]] || cs_bad_value threshold "$shown_threshold" "not a percentage (5% or 5)"
awk -v t="$t" 'BEGIN { exit !(t + 0 <= 1000) }' || cs_bad_value threshold "$shown_threshold" "too large (at most 1000%)"
threshold=$t
if ! [[ $alpha =~ ^0?[.][0-9]+$ ]] || ! awk -v a="$alpha" 'BEGIN { exit !(a >= 0.001 && a <= 0.5) }'; then
  cs_bad_value alpha "$alpha" "not a level between 0.001 and 0.5"
fi
[ ${#dirs[@]} -eq 2 ] || cs_die_usage "expected two sweep directories, OLD and NEW, got ${#dirs[@]} (see --help)"
for d in "${dirs[@]}"; do
  [ -d "$d" ] || cs_die_usage "'$(cs_shown "$d")': no such directory"
  [ -s "$d/rows.csv" ] || cs_die_usage "'$(cs_shown "$d")': no rows.csv in it (is it a sweep directory?)"
done

title="# compare ${dirs[0]} -> ${dirs[1]}: threshold $threshold%, two-sided Mann-Whitney U at alpha $alpha, bootstrap 95% interval of the change in median"
awk -v threshold="$threshold" -v alpha="$alpha" -v title="$title" -f "$top/scripts/plot/stats.awk" -f "$top/scripts/plot/compare.awk" \
  "${dirs[0]}/rows.csv" "${dirs[1]}/rows.csv"
