#!/usr/bin/env bash
# --help lists every kernel's sizes for every class, S to C, and what class C costs.
# Usage: help_classes.sh DRIVER
set -u
drv=$1
help=$("$drv" --help) || { echo "FAIL: $drv --help exited $?"; exit 1; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The line after a kernel's own: its class sizes, exactly.
sizes_of() { printf '%s\n' "$help" | awk -v k="$1" '$1 == k { getline; sub(/^ +/, ""); print; exit }'; }
expect_sizes() {
  local got
  got=$(sizes_of "$1")
  [ "$got" = "$2" ] || fail "$1's classes: expected '$2', got '$got'"
}
expect_sizes product "S=5,10,16 W=50,63,32 A=150 B=200 C=300"
expect_sizes pi "S=1000000 W=100000000 A=1000000000 B=4000000000 C=16000000000"
expect_sizes primes "S=100000 W=2000000 A=10000000 B=50000000 C=134217728"
expect_sizes triad "S=1000000 W=20000000 A=50000000 B=200000000 C=800000000"
expect_sizes heat "S=64 W=1024 A=2048 B=8192 C=16384"
expect_sizes heat3d "S=16 W=128 A=256 B=512 C=1024"
[ "$(printf '%s\n' "$help" | grep -c '^ *C costs ')" = 6 ] || fail "not one 'C costs' line per kernel"
printf '%s\n' "$help" | grep -q '^ *C costs 19.2 GB of memory' || fail "triad's C cost does not say its memory"
printf '%s\n' "$help" | grep -q -- '--class S|W|A|B|C|auto ' || fail "--class's argument does not list C and auto"
[ $failures = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "ok: --help lists classes S to C for every kernel"
