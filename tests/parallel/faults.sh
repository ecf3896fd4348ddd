#!/usr/bin/env bash
# A rank that fails (an item that cannot be computed, or a wrong partial) ends the
# whole job with exit status 1 and a message naming the failure, within seconds.
# Usage: faults.sh DRIVER_DIR
set -u
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_status NAME STATUS FAULT MESSAGE COMMAND...: exit STATUS, MESSAGE somewhere on stderr.
expect_status() {
  local name=$1 status=$2 fault=$3 message=$4
  shift 4
  CS_FAULT=$fault timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ $code = 124 ]; then
    echo "FAIL: $name: the job hung (killed after 60 s)"; failures=$((failures + 1))
  elif [ $code != "$status" ]; then
    echo "FAIL: $name: exit status $code, expected $status"; cat "$tmp/err"; failures=$((failures + 1))
  elif ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL: $name: no '$message' on stderr:"; cat "$tmp/err"; failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}

# expect_failure NAME FAULT MESSAGE COMMAND...: exit 1, MESSAGE somewhere on stderr.
expect_failure() { local name=$1; shift; expect_status "$name" 1 "$@"; }

pi="--kernel pi --class S --quiet"
# Static blocks of 1024 items: with 3 ranks, rank 2 runs items 682..1023.
expect_failure mpi_static_rank_fails 2:700 "rank 2: item 700 failed (injected by CS_FAULT)" \
  mpirun -q -np 3 --bind-to none "$dir/cpu_mpi" $pi --schedule static
# Dynamic hand-out: rank 1 fails on the first item it gets; nobody waits forever. (Class W,
# so that even a rank that starts late on oversubscribed cores surely gets items.)
piw="--kernel pi --class W --quiet"
expect_failure mpi_dynamic_rank_fails '1:*' "rank 1: item" \
  mpirun -q -np 3 --bind-to none "$dir/cpu_mpi" $piw --schedule dynamic
# The root itself failing says so without a rank number.
expect_failure mpi_root_fails 0:3 "cpu_mpi: pi n=1000000: item 3 failed (injected by CS_FAULT)" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
# A wrong partial from rank 1 is caught by the root's verification.
expect_failure mpi_wrong_partial 1:900:wrong "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
# Hybrid: rank 1's threads run items 512..1023 under static blocks.
expect_failure hybrid_rank_fails 1:600 "rank 1: item 600 failed (injected by CS_FAULT)" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 $pi --schedule static
expect_failure hybrid_dynamic_wrong '1:*:wrong' "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 $piw --schedule dynamic

# The product's nodes that span ranks are multiplied by those ranks together: a rank
# whose items failed comes to them failed, and a wrong partial is still caught.
product="--kernel product --n 5 --quiet"
expect_failure mpi_product_shared_rank_fails 1:40 "rank 1: item 40 failed (injected by CS_FAULT)" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $product --schedule static
expect_failure mpi_product_shared_wrong 1:40:wrong "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $product --schedule static
expect_failure hybrid_product_shared_wrong 1:700:wrong "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --kernel product --n 50 --quiet --schedule static
# A rank failing midway through a shared transform product (n=50's top products are
# split across the ranks: columns, blocks, exchanges) ends the job, with its message,
# on every launcher and whichever rank it is, the root's included.
product50="--kernel product --n 50 --quiet"
for r in 0 1 2; do
  expect_failure "mpi_shared_product_rank${r}_fails" "$r:shared" "the combine of items" \
    mpirun -q -np 3 --bind-to none "$dir/cpu_mpi" $product50 --schedule static
done
expect_failure mpi_dynamic_shared_product_fails 1:shared "rank 1: the combine of items" \
  mpirun -q -np 4 --bind-to none "$dir/cpu_mpi" $product50 --schedule dynamic
expect_failure hybrid_shared_product_fails 1:shared "rank 1: the combine of items" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 $product50 --schedule static
expect_status fault_shared_never 1 '0:shared' "cpu_mpi: CS_FAULT '0:shared': never fired: rank 0 ran no combine shared with other ranks" \
  mpirun -q -np 1 --bind-to none "$dir/cpu_mpi" $product50

# The hook cannot silently not fire: a malformed value or a rank the job lacks is refused
# before any work (exit 2), and a fault whose rank never ran its item fails the job at the end.
expect_status fault_malformed 2 '1:x' "cpu_mpi: CS_FAULT '1:x': give RANK:ITEM, RANK:ITEM:wrong (ITEM a number, or * for the first item the rank runs) or RANK:shared" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
expect_status fault_trailing_junk 2 '1:5:wrongly' "cpu_mpi: CS_FAULT '1:5:wrongly': give RANK:ITEM" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
expect_status fault_no_such_rank 2 '2:5' "cpu_mpi: CS_FAULT '2:5': there is no rank 2 in a job of 2 ranks" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
expect_status fault_item_never_run 1 '1:5000' "cpu_mpi: CS_FAULT '1:5000': never fired: rank 1 ran no item 5000" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $pi --schedule static
# Static blocks: item 3 is rank 0's, so rank 1 never runs it.
expect_status fault_item_on_another_rank 1 '1:3' "cpu_hybrid: CS_FAULT '1:3': never fired: rank 1 ran no item 3" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 1 $pi --schedule static

[ $failures = 0 ] || { echo "$failures fault cases failed"; exit 1; }
echo "ok: every failing rank ends its job with status 1"
