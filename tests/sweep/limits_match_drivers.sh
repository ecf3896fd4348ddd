#!/usr/bin/env bash
# scripts/lib/limits.sh against the built drivers, at every boundary: each limit the scripts
# check is one the driver's own validation takes, and one past it is refused by the driver with
# exit 2 and a message naming the option. So the scripts and the drivers cannot drift apart.
# No work runs: a CPU or fetch driver is stopped after its checks by a --csv it cannot open
# (exit 2 naming --csv means every option before it passed); io_server and cs_profile check
# their options before --help.
# Usage: limits_match_drivers.sh SOURCE_DIR BUILD_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2
# shellcheck source=scripts/lib/limits.sh
. "$src/scripts/lib/limits.sh"
drivers=$build/drivers
nowhere=/dev/null/corescale-limits.csv

# The fetch drivers refuse a concurrency that ulimit -n cannot hold (about two descriptors a
# request); the limits are the options' own, so the drivers run with room for the largest.
descriptors=$((2 * CS_CONCURRENCY_MAX + 1024))
# run DRIVER ARGS...: the driver's exit status in code, its stderr in said.
run() {
  local d=$1; shift
  said=$(ulimit -n "$descriptors" 2>/dev/null; timeout -k 5 60 "$drivers/$d" "$@" 2>&1 >/dev/null </dev/null)
  code=$?
}
# takes DRIVER OPT VALUE ARGS...: the driver's checks pass VALUE (only the --csv is refused).
takes() {
  local d=$1 opt=$2 value=$3; shift 3
  run "$d" "$@" "--$opt" "$value" --csv "$nowhere"
  [ $code -eq 2 ] && [[ $said == *"--csv '$nowhere'"* ]] ||
    fail "$d --$opt $value: the limit should pass the driver's checks; exit $code: $said"
}
# refuses DRIVER OPT VALUE ARGS...: exit 2, a message naming the option and the value.
refuses() {
  local d=$1 opt=$2 value=$3; shift 3
  run "$d" "$@" "--$opt" "$value" --csv "$nowhere"
  [ $code -eq 2 ] && [[ $said == *"--$opt '$value'"* ]] ||
    fail "$d --$opt $value: one past the limit should be refused naming it; exit $code: $said"
}
# boundary DRIVER OPT MIN MAX ARGS...: MIN and MAX taken, MIN-1 (when MIN > 0) and MAX+1 refused.
boundary() {
  local d=$1 opt=$2 min=$3 max=$4; shift 4
  takes "$d" "$opt" "$min" "$@"
  takes "$d" "$opt" "$max" "$@"
  [ "$min" -eq 0 ] || refuses "$d" "$opt" $((min - 1)) "$@"
  refuses "$d" "$opt" $((max + 1)) "$@"
}

small=(--kernel pi --n 1)
boundary cpu_serial repeat "$CS_REPEAT_MIN" "$CS_REPEAT_MAX" "${small[@]}"
boundary cpu_serial warmup "$CS_WARMUP_MIN" "$CS_WARMUP_MAX" "${small[@]}"
for d in cpu_omp cpu_hybrid; do
  [ -x "$drivers/$d" ] && boundary "$d" threads "$CS_THREADS_MIN" "$CS_THREADS_MAX" "${small[@]}"
done
boundary io_threads threads "$CS_THREADS_MIN" "$CS_THREADS_MAX"
boundary io_serial requests "$CS_REQUESTS_MIN" "$CS_REQUESTS_MAX"
boundary io_serial delay-ms "$CS_DELAY_MS_MIN" "$CS_DELAY_MS_MAX"
boundary io_serial bytes "$CS_BYTES_MIN" "$CS_BYTES_MAX"
boundary io_serial timeout-ms "$CS_TIMEOUT_MS_MIN" "$CS_TIMEOUT_MS_MAX"
boundary io_serial connect-timeout-ms "$CS_TIMEOUT_MS_MIN" "$CS_TIMEOUT_MS_MAX"
if (ulimit -n "$descriptors") 2>/dev/null; then
  boundary io_async concurrency "$CS_CONCURRENCY_MIN" "$CS_CONCURRENCY_MAX"
else # no room for the largest here: the range alone, below and above it
  echo "limits_match_drivers: ulimit -n cannot reach $descriptors here: --concurrency's largest value is not run"
  takes io_async concurrency "$CS_CONCURRENCY_MIN"
  refuses io_async concurrency $((CS_CONCURRENCY_MIN - 1))
  refuses io_async concurrency $((CS_CONCURRENCY_MAX + 1))
fi

# io_server and cs_profile: their checks run before --help answers.
help_takes() {
  local d=$1 opt=$2 value=$3
  run "$d" "--$opt" "$value" --help
  [ $code -eq 0 ] || fail "$d --$opt $value --help: the limit should be taken; exit $code: $said"
}
help_refuses() {
  local d=$1 opt=$2 value=$3
  run "$d" "--$opt" "$value" --help
  [ $code -eq 2 ] && [[ $said == *"--$opt '$value'"* ]] ||
    fail "$d --$opt $value --help: one past the limit should be refused naming it; exit $code: $said"
}
help_takes io_server delay-ms "$CS_DELAY_MS_MAX"
help_refuses io_server delay-ms $((CS_DELAY_MS_MAX + 1))
help_takes io_server bytes "$CS_BYTES_MAX"
help_refuses io_server bytes $((CS_BYTES_MAX + 1))
help_takes cs_profile workers "$CS_PROFILE_WORKERS_MAX"
help_refuses cs_profile workers $((CS_PROFILE_WORKERS_MAX + 1))
help_takes cs_profile workers "$(seq -s, 1 "$CS_PROFILE_WORKERS_COUNT_MAX")"
run cs_profile --workers "$(seq -s, 1 $((CS_PROFILE_WORKERS_COUNT_MAX + 1)))" "$src/tests/profile/good.txt"
[ $code -eq 2 ] && [[ $said == *"at most $CS_PROFILE_WORKERS_COUNT_MAX"* ]] ||
  fail "cs_profile with $((CS_PROFILE_WORKERS_COUNT_MAX + 1)) worker counts should be refused; exit $code: $said"

# The kernels: the same names, and each one's n range. At n_max the option parser passes the
# size (the kernel may still refuse it for this machine's memory); one past, the parser refuses.
registered=$("$drivers/cpu_serial" --help | awk '/^Kernels/ { on = 1; next }
  on && /^  [a-z][a-z0-9_]* / { printf "%s%s", sep, $1; sep = " " } on && /^$/ { on = 0 }')
expect_eq "kernels cpu_serial registers against CS_KERNELS" "$CS_KERNELS" "$registered"
for k in $CS_KERNELS; do
  lo_var=CS_N_MIN_$k hi_var=CS_N_MAX_$k
  lo=${!lo_var} hi=${!hi_var}
  takes cpu_serial n "$lo" --kernel "$k"
  refuses cpu_serial n $((lo - 1)) --kernel "$k"
  run cpu_serial --kernel "$k" --n "$hi" --csv "$nowhere"
  [ $code -ne 0 ] && [[ $said != *"--n '$hi'"* ]] ||
    fail "cpu_serial --kernel $k --n $hi: the parser should pass n_max (exit 2 naming the --csv or the memory); exit $code: $said"
  refuses cpu_serial n $((hi + 1)) --kernel "$k"
  # Every class letter is a class (a big one may be refused for this machine's memory, not as a name).
  for c in $CS_CLASSES; do
    run cpu_serial --kernel "$k" --class "$c" --csv "$nowhere"
    [ $code -ne 0 ] && [[ $said != *"--class '$c'"* ]] ||
      fail "cpu_serial --kernel $k --class $c: the class should be taken; exit $code: $said"
  done
done
refuses cpu_serial class D --kernel pi
finish
