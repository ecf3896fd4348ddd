#!/usr/bin/env bash
# --profile end to end: every CPU driver writes a block per case and timed repetition whose
# graph is the fixed tree (check_graph.awk says what is checked), the CSV gains work_s and
# span_s, the driver prints its "# profile" lines, and profiling changes no result.
# Usage: recorder.sh DRIVER_DIR MPIRUN   (OMPI_* settings from the environment, see parallel.cmake)
set -u
drivers=$1 mpirun=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
check() { # NAME PROFILE BLOCKS [parts|messages]: the graph checks, the block count, and what must be there
  local out
  out=$(awk -f "$here/check_graph.awk" "$2") || { fail "$1: $out"; return; }
  echo "ok: $1: $out"
  [[ $out == *"blocks=$3 "* ]] || fail "$1: expected $3 blocks"
  case ${4:-} in
    parts) [[ $out == *"parts=0 "* ]] && fail "$1: no helped parts recorded" ;;
    messages) [[ $out == *"messages=0" ]] && fail "$1: no messages recorded" ;;
  esac
}
csv_profile_columns() { # CSV: work_s and span_s are the two columns before scaling and ghz, filled, span <= work for threads
  local csv=$1 name=$2
  [[ $(head -n 1 "$csv") == *,max_ms,work_s,span_s,scaling,ghz ]] || fail "$name: the header does not end in work_s,span_s,scaling,ghz"
  awk -F, 'NR > 1 && !($(NF-3) ~ /^[0-9.]+$/ && $(NF-2) ~ /^[0-9.]+$/ && $(NF-3) > 0) { bad = 1 } END { exit bad }' "$csv" ||
    fail "$name: a row without work_s or span_s"
}

# cpu_serial, class S product: 3 cases x 2 repetitions; no parts at these sizes.
"$drivers/cpu_serial" --kernel product --class S --repeat 2 --warmup 1 --profile "$dir/serial.txt" \
  --csv "$dir/serial.csv" >"$dir/serial.out" 2>"$dir/serial.err" || fail "cpu_serial exited $?"
check "cpu_serial product S" "$dir/serial.txt" 6
csv_profile_columns "$dir/serial.csv" cpu_serial
awk -F, 'NR > 1 && $(NF-2) > $(NF-3) + 1e-9 { bad = 1 } END { exit bad }' "$dir/serial.csv" ||
  fail "cpu_serial: a row's span_s exceeds its work_s"
for n in 5 10 16; do
  grep -q "^# profile n=$n: work .* s, span .* s, parallelism" "$dir/serial.out" || fail "no '# profile n=$n: work' line"
  grep -q "^# profile n=$n: predicted *1024 " "$dir/serial.out" || fail "no prediction at 1024 workers for n=$n"
done
# The analyzer prints the same numbers from the file.
"$drivers/cs_profile" --workers 2,1024 "$dir/serial.txt" >"$dir/analyzed.out" || fail "cs_profile exited $?"
want=$(grep '^# profile n=16: work' "$dir/serial.out" | sed 's/^# profile n=16//')
grep -qF -- "$want" "$dir/analyzed.out" || fail "cs_profile does not print the driver's line '$want'"

# Without --profile: no profile columns filled, and the same digests (profiling changes no result).
"$drivers/cpu_serial" --kernel product --class S --repeat 1 --warmup 0 --quiet --csv "$dir/plain.csv" || fail "plain run"
awk -F, 'NR > 1 && ($(NF-3) != "" || $(NF-2) != "") { bad = 1 } END { exit bad }' "$dir/plain.csv" ||
  fail "work_s/span_s filled without --profile"
digests() { awk -F, 'NR > 1 { print $5, $19 }' "$1" | sort -u; }
[ "$(digests "$dir/plain.csv")" = "$(digests "$dir/serial.csv")" ] || fail "digests differ with --profile"

# A helped product (n=24: transform products at the top): parts and segments, even on one thread.
"$drivers/cpu_serial" --n 24 --repeat 1 --warmup 0 --quiet --profile "$dir/helped1.txt" || fail "cpu_serial n=24"
check "cpu_serial product n=24" "$dir/helped1.txt" 1 parts
# Each combine carries its operands' bytes (for the replay: what ranks sharing it would exchange).
awk '$2 == "combine" && $7 < 16 { bad = 1 } END { exit bad }' "$dir/helped1.txt" ||
  fail "cpu_serial n=24: a combine without its operands' bytes"

# cpu_omp with 3 threads: oversubscribed on a 2-core machine, on purpose (turn-taking, same graph).
"$drivers/cpu_omp" --threads 3 --kernel product --class S --repeat 2 --warmup 0 --quiet \
  --profile "$dir/omp.txt" --csv "$dir/omp.csv" || fail "cpu_omp exited $?"
check "cpu_omp --threads 3 product S" "$dir/omp.txt" 6
csv_profile_columns "$dir/omp.csv" cpu_omp
[ "$(digests "$dir/omp.csv")" = "$(digests "$dir/plain.csv")" ] || fail "cpu_omp digests differ with --profile"
awk '/^# block/ && !/threads=3/ { bad = 1 } END { exit bad }' "$dir/omp.txt" || fail "cpu_omp blocks do not say threads=3"
awk '$1 ~ /^[0-9]+$/ { t[$4] = 1 } END { exit !(length(t) >= 2) }' "$dir/omp.txt" || fail "cpu_omp: all tasks on one thread"
for s in static guided; do
  "$drivers/cpu_omp" --threads 2 --schedule $s --n 24 --repeat 1 --warmup 0 --quiet --profile "$dir/omp-$s.txt" ||
    fail "cpu_omp --schedule $s"
  check "cpu_omp --threads 2 --schedule $s product n=24" "$dir/omp-$s.txt" 1 parts
done

# cpu_mpi on 3 ranks (oversubscribed): messages, and the nodes the ranks share as parts on each.
"$mpirun" -q -np 3 --bind-to none "$drivers/cpu_mpi" --kernel product --class S --repeat 2 --warmup 0 \
  --quiet --profile "$dir/mpi.txt" --csv "$dir/mpi.csv" || fail "cpu_mpi exited $?"
check "cpu_mpi -np 3 product S" "$dir/mpi.txt" 6 messages
csv_profile_columns "$dir/mpi.csv" cpu_mpi
[ "$(digests "$dir/mpi.csv")" = "$(digests "$dir/plain.csv")" ] || fail "cpu_mpi digests differ with --profile"
awk '$2 == "part" { r[$3] = 1 } END { exit !(length(r) == 3) }' "$dir/mpi.txt" ||
  fail "cpu_mpi: the shared nodes' parts are not on all 3 ranks"
awk '$1 ~ /^[0-9]+$/ { r[$3] = 1 } END { exit !(length(r) == 3) }' "$dir/mpi.txt" || fail "cpu_mpi: tasks not from all 3 ranks"
"$mpirun" -q -np 3 --bind-to none "$drivers/cpu_mpi" --kernel pi --class S --schedule static --repeat 1 \
  --warmup 0 --quiet --profile "$dir/mpi-pi.txt" || fail "cpu_mpi pi exited $?"
check "cpu_mpi -np 3 pi S static" "$dir/mpi-pi.txt" 1 messages
# cs_profile reads what the ranks wrote: a rank that left the starting barrier before the root
# (every time, three ranks on two cores) must not bring times before the repetition's start.
for f in mpi mpi-pi; do
  "$drivers/cs_profile" --workers 2,3 "$dir/$f.txt" >"$dir/$f.analyzed" 2>&1 ||
    fail "cs_profile refuses cpu_mpi -np 3's $f.txt: $(cat "$dir/$f.analyzed")"
done

# cpu_hybrid: 2 ranks x 2 threads, helped parts on the ranks' teams.
"$mpirun" -q -np 2 --bind-to none "$drivers/cpu_hybrid" --threads 2 --schedule static --n 24 --repeat 1 --warmup 0 \
  --quiet --profile "$dir/hybrid.txt" || fail "cpu_hybrid exited $?"
check "cpu_hybrid -np 2 --threads 2 --schedule static product n=24" "$dir/hybrid.txt" 1 messages

# Recorded with more threads than cores, the driver says that the times hold turn-taking; with
# one thread it says nothing of the kind.
cores=$(nproc)
"$drivers/cpu_omp" --threads $((cores + 1)) --kernel product --n 5 --repeat 1 --warmup 0 \
  --profile "$dir/over.txt" >/dev/null 2>"$dir/over.err" || fail "cpu_omp --threads $((cores + 1)) exited $?"
grep -q "warning: --profile: recorded oversubscribed, so every task's time holds its waits" "$dir/over.err" ||
  fail "no --profile warning with $((cores + 1)) threads on $cores cores: $(cat "$dir/over.err")"
"$drivers/cpu_omp" --threads 1 --kernel product --n 5 --repeat 1 --warmup 0 --profile "$dir/one.txt" \
  >/dev/null 2>"$dir/one.err" || fail "cpu_omp --threads 1 exited $?"
grep -q "recorded oversubscribed" "$dir/one.err" && fail "a --profile warning with one thread"

# The checker itself catches a broken graph: a combine on one child only.
awk '!done && $2 == "combine" { sub(/,[0-9]+$/, "", $8); done = 1 } { print }' "$dir/serial.txt" >"$dir/broken.txt"
awk -f "$here/check_graph.awk" "$dir/broken.txt" >/dev/null && fail "check_graph.awk accepted a combine with one dependency"

[ $failed = 0 ] && echo "ok: every driver's profile"
exit $failed
