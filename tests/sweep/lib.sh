# Shared by the sweep and plot tests: a scratch directory and assertions that say what broke.
# shellcheck shell=bash
set -uo pipefail
test_name=$(basename "$0" .sh)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/corescale-$test_name.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() { echo "FAIL: $test_name: $*" >&2; failures=$((failures + 1)); }
# expect_eq WHAT EXPECTED ACTUAL
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }
# expect_grep WHAT FIXED-STRING FILE
expect_grep() { grep -qF -- "$2" "$3" || fail "$1: '$2' not in $3"; }
finish() {
  if [ $failures -gt 0 ]; then echo "$test_name: $failures check(s) failed" >&2; exit 1; fi
  echo "$test_name: passed"
  exit 0
}
# Number of rows where column NAME equals VALUE (pairs of NAME VALUE may repeat).
count_rows() {
  local file=$1; shift
  awk -F, -v spec="$*" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; n = split(spec, s, " "); next }
    { ok = 1; for (i = 1; i < n; i += 2) if ($c[s[i]] != s[i + 1]) ok = 0; if (ok) m++ }
    END { print m + 0 }' "$file"
}
