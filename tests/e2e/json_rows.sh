#!/usr/bin/env bash
# --json FILE writes the rows --csv writes, as one JSON object a line: the same keys in the same
# order as the CSV header, each value the CSV's field (text as strings, numbers as numbers, an
# empty field as null), for a CPU driver, a fetch driver and the Python peers (where built).
# Usage: json_rows.sh DRIVER_DIR
set -u
d=$1
scratch=$(mktemp -d "${TMPDIR:-/tmp}/corescale-json.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() { echo "FAIL: json_rows: $*" >&2; failures=$((failures + 1)); }

# check NAME: $scratch/NAME.csv and $scratch/NAME.json hold the same rows.
check() {
  python3 - "$scratch/$1.csv" "$scratch/$1.json" <<'PY' || fail "$1: the JSON rows differ from the CSV's (above)"
import json, sys
csv_lines = open(sys.argv[1]).read().splitlines()
json_lines = open(sys.argv[2]).read().splitlines()
header = csv_lines[0].split(",")
rows = csv_lines[1:]
assert len(rows) == len(json_lines) > 0, "%d CSV rows, %d JSON rows" % (len(rows), len(json_lines))
for n, (line, text) in enumerate(zip(rows, json_lines), 1):
    obj = json.loads(text)
    assert list(obj) == header, "row %d: keys %s" % (n, list(obj))
    for name, field in zip(header, line.split(",")):
        value = obj[name]
        if field == "":
            assert value in (None, ""), "row %d %s: %r for an empty field" % (n, name, value)
        elif isinstance(value, str):
            assert value == field, "row %d %s: %r against %r" % (n, name, value, field)
        else:
            assert isinstance(value, (int, float)) and value == float(field), \
                "row %d %s: %r against %r" % (n, name, value, field)
print("ok: %d rows" % len(rows))
PY
}

"$d/cpu_serial" --kernel pi --class S --repeat 2 --warmup 0 --quiet --csv "$scratch/cpu.csv" --json "$scratch/cpu.json" ||
  fail "cpu_serial exited $?"
check cpu
if [ -x "$d/io_serial" ]; then
  "$d/io_serial" --requests 4 --delay-ms 1 --repeat 2 --warmup 0 --quiet --csv "$scratch/io.csv" --json "$scratch/io.json" ||
    fail "io_serial exited $?"
  check io
fi
if [ -x "$d/py_serial" ]; then
  "$d/py_serial" --class S --repeat 1 --warmup 0 --quiet --csv "$scratch/py.csv" --json "$scratch/py.json" ||
    fail "py_serial exited $?"
  check py
  "$d/py_fetch_serial" --requests 3 --delay-ms 1 --repeat 1 --warmup 0 --quiet --csv "$scratch/pyf.csv" --json "$scratch/pyf.json" ||
    fail "py_fetch_serial exited $?"
  check pyf
fi
# A second run appends to the same files: still one object a line, still equal.
"$d/cpu_serial" --kernel primes --class S --repeat 1 --warmup 0 --quiet --csv "$scratch/cpu.csv" --json "$scratch/cpu.json" ||
  fail "cpu_serial (appending) exited $?"
check cpu
[ $failures -eq 0 ] || exit 1
echo "json_rows: passed"
