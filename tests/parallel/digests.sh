# shellcheck shell=bash
# Sourced by same_digests.sh and heat_digests.sh: the digests a run wrote, and one run's verdict
# against cpu_serial's. Uses the caller's $tmp (the reference is $tmp/want) and $failures.

# "case digest verified" per row of a corescale CSV (columns 5, 19, 18).
digests() { awk -F, 'NR > 1 { print $5, $19, $18 }' "$1" | sort -u; }

# judge NAME CSV COMMAND...: a run named serial* becomes the reference (and must verify); any
# other says ok, or FAIL with the difference and counts a failure.
judge() {
  local name=$1 csv=$2
  shift 2
  if [[ $name = serial* ]]; then
    digests "$csv" >"$tmp/want"
    grep -qv ' 1$' "$tmp/want" && { echo "FAIL: cpu_serial did not verify"; exit 1; }
    return
  fi
  if ! digests "$csv" | cmp -s - "$tmp/want"; then
    echo "FAIL: $name: digests differ from cpu_serial's: $*"
    diff <(digests "$csv") "$tmp/want"
    failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}
