#!/usr/bin/env bash
# mpi_pingpong's outputs on 2 ranks: a row per size from 8 bytes to --max-bytes by factors of 8,
# and the line of cs_profile options, which cs_profile then takes; 1 rank and bad options
# refused once, by rank 0. Timings are printed, never judged. Usage: mpi_pingpong.sh MPIRUN PROG CS_PROFILE FIXTURE
set -u
mpirun=$1 prog=$2 profile=$3 fixture=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
num='[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?'
"$mpirun" -q -np 2 --bind-to none "$prog" --max-bytes 4096 >"$tmp/out" 2>"$tmp/err" ||
  fail "2 ranks exited $?: $(cat "$tmp/err")"
for bytes in 8 64 512 4096; do
  grep -qE "^ +$bytes +[0-9]+\.[0-9]{3} +[0-9]+\.[0-9]$" "$tmp/out" || fail "no row for $bytes bytes"
done
[ "$(grep -cE '^ +[0-9]+ ' "$tmp/out")" = 4 ] || fail "not 4 rows (8 to 4096 bytes)"
opts=$(grep -E "^cs_profile --latency $num --bandwidth $num\$" "$tmp/out")
if [ -n "$opts" ]; then
  # shellcheck disable=SC2086 # the printed options, word by word
  "$profile" ${opts#cs_profile } --workers 2 "$fixture" >"$tmp/profile" 2>&1 ||
    fail "cs_profile refused the printed options '$opts': $(cat "$tmp/profile")"
  grep -q "(given)" "$tmp/profile" || fail "cs_profile did not use the printed options"
else
  grep -q "raise --max-bytes" "$tmp/out" || fail "neither the options line nor the reason it is missing"
fi
check_refusal() { # CODE MESSAGE NP ARGS...
  local code=$1 msg=$2 np=$3
  shift 3
  "$mpirun" -q -np "$np" --bind-to none "$prog" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ $got = "$code" ] || fail "$* on $np ranks exited $got, expected $code"
  [ "$(grep -cF "$msg" "$tmp/err")" = 1 ] || fail "$* on $np ranks: not once '$msg' in: $(cat "$tmp/err")"
}
check_refusal 2 "mpi_pingpong: 1 rank: a ping-pong needs 2 (mpirun -np 2)" 1
check_refusal 2 "mpi_pingpong: --max-bytes '1': too small (at least 64)" 2 --max-bytes 1
check_refusal 2 "mpi_pingpong: unexpected argument 'x': takes no arguments (see --help)" 2 x
[ $failures = 0 ] && echo "ok: mpi_pingpong's rows, its cs_profile options, its refusals"
exit $((failures > 0))
