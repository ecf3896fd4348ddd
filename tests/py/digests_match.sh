#!/usr/bin/env bash
# The Python peers' product equals cpu_serial's, bit for bit: for classes S and W and several
# --chunks, every row a peer writes is verified and carries cpu_serial's digest for its case.
# Usage: digests_match.sh BUILD_DIR
. "$(dirname "$0")/../sweep/lib.sh"
bin=$1/drivers
# The digest of each case in FILE's rows of DRIVER, "case digest" lines, sorted and unique.
digests() { awk -F, -v d="$2" '$3 == d && $18 == 1 { print $5, $19 }' "$1" | sort -u; }
# Every row of DRIVER in FILE verified (verified is column 18).
unverified() { awk -F, -v d="$2" '$3 == d && $18 != 1' "$1" | wc -l; }

check() { # CLASS CHUNKS PEER [PEER OPTION]...
  local class=$1 chunks=$2 peer=$3
  shift 3
  local opts=(--class "$class" --repeat 2 --warmup 0 --quiet)
  [ "$chunks" = default ] || opts+=(--chunks "$chunks")
  local ref=$scratch/ref-$class-$chunks.csv got=$scratch/$peer-$class-$chunks.csv
  [ -s "$ref" ] || "$bin/cpu_serial" "${opts[@]}" --csv "$ref" || fail "cpu_serial ${opts[*]}: exit $?"
  "$bin/$peer" "${opts[@]}" "$@" --csv "$got"
  local code=$?
  expect_eq "$peer ${opts[*]} $*: exit" 0 "$code"
  expect_eq "$peer ${opts[*]}: unverified rows" 0 "$(unverified "$got" "$peer")"
  expect_eq "$peer ${opts[*]}: rows" 6 "$(($(wc -l <"$got") - 1))"
  expect_eq "$peer ${opts[*]} $*: digests" "$(digests "$ref" cpu_serial)" "$(digests "$got" "$peer")"
}

for chunks in default 1 7 64; do
  check S "$chunks" py_serial
  check S "$chunks" py_threads --threads 3
  check S "$chunks" py_processes --workers 2
done
check W default py_serial
check W 100 py_threads --threads 2
check W 1000 py_processes --workers 2

# The peers cut the items as product.c does, by their factors' bits (the starts test_product
# checks against GMP, for n = 9 in 5 items and n = 12 in 7).
starts=$("$(head -n 1 "$bin/py_serial" | cut -c3-)" -c "
import sys; sys.path.insert(0, '$bin')
import cspy_product as p
print(*[p.item_start(n, c, i) for n, c in ((9, 5), (12, 7)) for i in range(c + 1)])")
expect_eq "cspy_product.item_start" "0 138 243 340 429 512 0 261 464 657 832 1008 1173 1331" "$starts"

# The lesson's decomposition: one row per repetition over all sizes, the digests joined by ' + '.
"$bin/cpu_serial" --class S --repeat 1 --warmup 0 --quiet --csv "$scratch/s.csv"
want=$(awk -F, '$3 == "cpu_serial" { d = d (d ? " + " : "") $19 } END { print d }' "$scratch/s.csv")
for peer in py_serial_tasks py_threads_tasks py_processes_tasks; do
  "$bin/$peer" --class S --repeat 2 --warmup 0 --quiet --csv "$scratch/$peer.csv"
  expect_eq "$peer: exit" 0 $?
  expect_eq "$peer: rows" "2" "$(count_rows "$scratch/$peer.csv" driver "$peer" verified 1 case n=5+10+16 chunks 3)"
  expect_eq "$peer: digests" "$want" "$(awk -F, -v d="$peer" '$3 == d { print $19; exit }' "$scratch/$peer.csv")"
done
# --python PATH: the peer runs itself again on that interpreter, and its rows say which one.
other=$scratch/other-python
ln -s "$(head -n 1 "$bin/py_serial" | cut -c3-)" "$other"
"$bin/py_serial" --python "$other" --class S --repeat 1 --warmup 0 --quiet --csv "$scratch/other.csv"
expect_eq "py_serial --python: exit" 0 $?
expect_eq "py_serial --python: rows naming the interpreter" 3 \
  "$(awk -F, -v p="$other" '$3 == "py_serial" && $18 == 1 && ($22 == "gil=on " p || $22 == "gil=off " p)' "$scratch/other.csv" | wc -l)"
finish
