#!/usr/bin/env bash
# A rank that fails (an item that cannot be computed, or a wrong partial) ends the
# whole job with exit status 1 and a message naming the failure, within seconds.
# Usage: faults.sh DRIVER_DIR
set -u
dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect_failure NAME FAULT MESSAGE COMMAND...: exit 1, MESSAGE somewhere on stderr.
expect_failure() {
  local name=$1 fault=$2 message=$3
  shift 3
  CS_FAULT=$fault timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ $code = 124 ]; then
    echo "FAIL: $name: the job hung (killed after 60 s)"; failures=$((failures + 1))
  elif [ $code != 1 ]; then
    echo "FAIL: $name: exit status $code, expected 1"; cat "$tmp/err"; failures=$((failures + 1))
  elif ! grep -qF -- "$message" "$tmp/err"; then
    echo "FAIL: $name: no '$message' on stderr:"; cat "$tmp/err"; failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}

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

# The product's root is shared by its two owners (split, join): a failure or a wrong
# partial on the right owner's side still ends the job cleanly.
product="--kernel product --n 5 --quiet"
expect_failure mpi_product_shared_root_rank_fails 1:40 "rank 1: item 40 failed (injected by CS_FAULT)" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $product --schedule static
expect_failure mpi_product_shared_root_wrong 1:40:wrong "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_mpi" $product --schedule static
expect_failure hybrid_product_shared_root_wrong 1:700:wrong "verification failed" \
  mpirun -q -np 2 --bind-to none "$dir/cpu_hybrid" --threads 2 --kernel product --n 50 --quiet --schedule static

[ $failures = 0 ] || { echo "$failures fault cases failed"; exit 1; }
echo "ok: every failing rank ends its job with status 1"
