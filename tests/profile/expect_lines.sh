# Sourced by the cs_profile scripts. expect OPTIONS... -- LINE...: runs "$tool" OPTIONS...
# "$fixture" and checks that every LINE is a whole line of its output; fail counts what failed.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect() {
  local opts=() out
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  out=$("$tool" "${opts[@]}" "$fixture") || { fail "${opts[*]}: exit $?"; return; }
  for line in "$@"; do
    grep -qxF -- "$line" <<<"$out" || fail "${opts[*]:-(no options)}: no line '$line' in:
$out"
  done
}
