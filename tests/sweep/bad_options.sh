#!/usr/bin/env bash
# Every row of bad_options.tsv is a malformed invocation of a script: it must exit with the
# row's code (2) and one message holding the row's text, before any work: no results folder, no
# file in its working directory, no package manager, build tool, MPI launcher or plotter started
# (they are stubs on PATH that leave a mark), and within 20 s (a hang fails, not a slow machine).
# Usage: bad_options.sh SOURCE_DIR BUILD_DIR
# Rows: CODE <tab> TEXT <tab> COMMAND, the command run by bash; in TEXT and COMMAND @SRC@,
# @BUILD@, @OUT@ (an output folder that must never appear), @SCRATCH@ and @PROFILE@ (a readable
# corescale profile) stand for those paths.
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2
table=$(dirname "$0")/bad_options.tsv

stubs=$scratch/stubs
mkdir -p "$stubs" "$scratch/cwd"
for tool in apt-get apt sudo dpkg-query cmake make ctest mpirun mpiexec srun gnuplot wrk; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/started"\necho "stub %s: must not run here" >&2\nexit 99\n' \
    "$tool" "$scratch" "$tool" >"$stubs/$tool"
  chmod +x "$stubs/$tool"
done
cp "$src/tests/profile/good.txt" "$scratch/profile.txt"
mkdir -p "$scratch/alien"
printf 'a,b,c\n1,2,3\n' >"$scratch/alien/rows.csv"
results_before=$(ls -A "$src/results")

subst() {
  local t=$1
  t=${t//@SRC@/$src}
  t=${t//@BUILD@/$build}
  t=${t//@OUT@/$scratch/out}
  t=${t//@PROFILE@/$scratch/profile.txt}
  printf '%s' "${t//@SCRATCH@/$scratch}"
}

rows=0
while IFS=$'\t' read -r want_code want_text command; do
  case $want_code in ''|'#'*) continue ;; esac
  rows=$((rows + 1))
  want_text=$(subst "$want_text")
  command=$(subst "$command")
  rm -f "$scratch/started"
  (cd "$scratch/cwd" &&
   exec env -u SLURM_JOB_NUM_NODES -u SLURM_NTASKS_PER_NODE -u SLURM_SUBMIT_DIR -u CS_BUILD_DIR \
     -u CS_BUILD_TYPE -u CS_RESULTS_DIR -u OUT -u QUICK -u DRIVERS -u KERNELS \
     PATH="$stubs:$PATH" timeout -k 5 20 bash -c "$command") </dev/null >"$scratch/stdout" 2>"$scratch/stderr"
  code=$?
  what="row $rows ($command)"
  if [ $code -eq 124 ] || [ $code -eq 137 ]; then
    fail "$what: still running after 20 s"
  else
    expect_eq "$what: exit status" "$want_code" "$code"
  fi
  lines=$(wc -l <"$scratch/stderr")
  [ "$lines" -eq 1 ] || fail "$what: $lines lines on stderr, one message expected: $(head -c 600 "$scratch/stderr")"
  grep -qF -- "$want_text" "$scratch/stderr" || fail "$what: '$want_text' not in the message: $(head -c 300 "$scratch/stderr")"
  [ -e "$scratch/started" ] && fail "$what: started $(tr '\n' ';' <"$scratch/started")"
  [ -e "$scratch/out" ] && { fail "$what: created @OUT@"; rm -rf "$scratch/out"; }
  if [ -n "$(ls -A "$scratch/cwd")" ]; then
    fail "$what: left files in its working directory: $(ls -A "$scratch/cwd" | tr '\n' ' ')"
    rm -rf "${scratch:?}/cwd" && mkdir "$scratch/cwd"
  fi
  [ "$(ls -A "$src/results")" = "$results_before" ] || { fail "$what: created something in $src/results"; results_before=$(ls -A "$src/results"); }
done <"$table"
# Every script has rows: a new one cannot slip past the table.
for script in "$src"/scripts/*.sh "$src"/scripts/slurm/*.sbatch "$src"/scripts/bundle/*.sh; do
  grep -qF "@SRC@/${script#"$src"/}" "$table" || fail "no row runs ${script#"$src"/}"
done
[ $rows -ge 100 ] || fail "the table has $rows rows; the issue asks for at least 100"
echo "$test_name: $rows malformed invocations checked"
finish
