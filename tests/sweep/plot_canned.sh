#!/usr/bin/env bash
# plot.sh turns the canned sweep (numbers chosen by hand) into valid PNG and SVG files and a
# summary whose figures match the hand computation.
# Usage: plot_canned.sh SOURCE_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1
here=$(cd "$(dirname "$0")" && pwd)
run=$scratch/run
mkdir -p "$run"
cp "$here/canned.csv" "$run/rows.csv"
cp "$here/canned-meta.txt" "$run/meta.txt"

"$src/scripts/plot.sh" "$run" >"$scratch/out" 2>&1
code=$?
expect_eq "plot.sh exit status (output: $(tr '\n' ' ' <"$scratch/out"))" 0 "$code"

png_magic=$(printf '\211PNG\r\n\032\n' | od -An -tx1 | tr -d ' \n')
for name in speedup-product-W speedup-serial-product-W efficiency-product-W \
            speedup-pi-A speedup-serial-pi-A efficiency-pi-A fetch; do
  png=$run/plots/$name.png svg=$run/plots/$name.svg
  if [ ! -s "$png" ]; then fail "$name.png missing or empty"
  else expect_eq "$name.png magic bytes" "$png_magic" "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')"; fi
  if [ ! -s "$svg" ]; then fail "$name.svg missing or empty"; continue; fi
  # The root element is <svg> (after the XML declaration, comments and doctype) ...
  root=$(grep -v '^<?xml\|^<!--\|^<!DOCTYPE\|^ *$\|^ *"http' "$svg" | head -n 1 | cut -c1-4)
  expect_eq "$name.svg root element" "<svg" "$root"
  expect_eq "$name.svg ends its root" "</svg>" "$(grep -v '^ *$' "$svg" | tail -n 1 | tr -d ' ')"
  # ... and the whole file is well-formed XML, where a checker is installed.
  if command -v xmllint >/dev/null; then
    xmllint --noout "$svg" 2>"$scratch/xml" || fail "$name.svg is not well-formed: $(head -n 2 "$scratch/xml")"
  fi
done
grep -q 'Amdahl f = 0.100' "$run/plots/data/speedup-product-W.gp" ||
  fail "the product speedup plot's legend does not print cpu_omp's serial fraction 0.100"
expect_grep "the model is labelled as one" "Amdahl model past 2 cores (extrapolated)" "$run/plots/data/speedup-product-W.gp"
expect_grep "the vs-serial plot says so" "speedup against cpu_serial" "$run/plots/data/speedup-serial-product-W.gp"

s=$run/summary.md
[ -s "$s" ] || fail "no summary.md"
# cpu_omp product: median of 5.5,5.4,5.6 = 5.5 s; S = 10.0/5.5 = 1.82; E = 0.91;
# Karp-Flatt (1/1.818 - 1/2)/(1 - 1/2) = 0.100; fastest runs 9.9 / 5.4 = 1.83.
expect_grep "cpu_omp product at 2 workers" "| cpu_omp | 1 x 2 | 2 | 3 | 5.500 | [5.400, 5.600] | 5.400 | 5.600 | 1.82 | [1.77, 1.89] | 1.83 | 1.82 | 0.91 | - | - | 0.100 | yes |" "$s"
# cpu_mpi product: T(1) 10.5, T(2) 5.7: S = 1.84; fastest 10.4 / 5.6 = 1.86; against cpu_serial's
# 10.0: 1.75; e = 0.086.
expect_grep "cpu_mpi product at 2 workers" "| cpu_mpi | 2 x 1 | 2 | 3 | 5.700 | [5.600, 5.800] | 5.600 | 5.800 | 1.84 | [1.79, 1.89] | 1.86 | 1.75 | 0.92 | - | - | 0.086 | yes |" "$s"
# Oversubscribed: 10/5.8 = 1.72 (fastest 9.9 / 5.7 = 1.74), E = 0.43, flagged.
expect_grep "cpu_omp product at 4 workers" "| cpu_omp | 1 x 4 | 4 | 3 | 5.800 | [5.700, 5.900] | 5.700 | 5.900 | 1.72 | [1.68, 1.79] | 1.74 | 1.72 | 0.43 | - | - | 0.440 | yes | oversubscribed |" "$s"
expect_grep "Amdahl fit from the points within the cores only" "cpu_omp: f = 0.100 from 1 point within 2 cores; Amdahl's limit 1/f = 10.0" "$s"
expect_grep "a case's median" "| cpu_omp | 2 | 1.650 | 3.300 | 0.5500 |" "$s"
expect_grep "the failed point in its table" "| cpu_hybrid | 2 x 2 | 4 | 0 | - | - | - | - | - | - | - | - | - | - | - | - | FAILED: the run failed (exit 1) | oversubscribed |" "$s"
expect_grep "the failed points section" "| cpu_hybrid | product | W | 2 x 2 | 4 | the run failed (exit 1) |" "$s"
# pi: cpu_omp 4.0 / 2.02 = 1.98; fastest 4.0 / 2.0 = 2.00.
expect_grep "cpu_omp pi at 2 workers" "| cpu_omp | 1 x 2 | 2 | 3 | 2.020 | [2.000, 2.050] | 2.000 | 2.050 | 1.98 | [1.95, 2.05] | 2.00 | 1.98 | 0.99 | - | - | 0.010 | yes |" "$s"
# fetch: io_serial 10.3 s for 100 requests; at 64 in flight, ceil(100/64) = 2 rounds: 0.206 s.
expect_grep "io_async at 64 in flight" "| io_async | 64 | 3 | 0.1600 | 0.1592 | 0.1616 | 0.2060 | 625 |" "$s"
expect_grep "io_mpi at 8 processes" "| io_mpi | 8 | 3 | 1.450 | 1.421 | 1.479 | 1.339 |" "$s"
expect_grep "the machine from meta.txt" "Canned CPU, 2 physical cores" "$s"
expect_grep "the summary shows the plots" "![speedup of product against cpu_serial](plots/speedup-serial-product-W.png)" "$s"

# Two rounds of the same grid into one directory: six repetitions per point, same medians.
twice=$scratch/twice
mkdir -p "$twice"
{ cat "$here/canned.csv"; tail -n +2 "$here/canned.csv"; } >"$twice/rows.csv"
cp "$here/canned-meta.txt" "$twice/meta.txt"
"$src/scripts/plot.sh" --formats svg "$twice" >"$scratch/out" 2>&1
expect_eq "plot.sh exit status on two rounds" 0 "$?"
expect_grep "two rounds count as six repetitions" "| cpu_omp | 1 x 2 | 2 | 6 | 5.500 | [5.400, 5.600] | 5.400 | 5.600 | 1.82 | [1.78, 1.87] | 1.83 | 1.82 | 0.91 | - | - | 0.100 | yes |" "$twice/summary.md"
[ -e "$twice/plots/fetch.png" ] && fail "--formats svg wrote a PNG"
[ -s "$twice/plots/fetch.svg" ] || fail "--formats svg wrote no SVG"

# Class C is plotted and summarised like any other: the canned pi rows, relabelled C.
class_c=$scratch/class-c
mkdir -p "$class_c"
sed 's/,pi,n=100000000,A,/,pi,n=100000000,C,/' "$here/canned.csv" >"$class_c/rows.csv"
cp "$here/canned-meta.txt" "$class_c/meta.txt"
"$src/scripts/plot.sh" --formats svg "$class_c" >"$scratch/out" 2>&1
expect_eq "plot.sh exit status with class C rows" 0 "$?"
[ -s "$class_c/plots/speedup-pi-C.svg" ] || fail "no plots/speedup-pi-C.svg for class C"
[ -e "$class_c/plots/speedup-pi-A.svg" ] && fail "class C rows drew a class A plot"
expect_grep "class C's section" "## pi, class C" "$class_c/summary.md"
expect_grep "cpu_omp pi class C at 2 workers" "| cpu_omp | 1 x 2 | 2 | 3 | 2.020 | [2.000, 2.050] | 2.000 | 2.050 | 1.98 | [1.95, 2.05] | 2.00 | 1.98 | 0.99 | - | - | 0.010 | yes |" "$class_c/summary.md"

# A sweep where every parallel point failed still gets its plots (saying so) and a summary.
failed_run=$scratch/failed
mkdir -p "$failed_run"
{ head -n 1 "$here/canned.csv"
  grep ',cpu_serial,product,' "$here/canned.csv"
  echo "2026-11-21T12:00:00Z,canned,cpu_omp,product,,W,1,2,2,,,0,0.1,,,,,0,,,,,dynamic,crashed,,,,,,,,"
} >"$failed_run/rows.csv"
"$src/scripts/plot.sh" --cores 2 "$failed_run" >"$scratch/out" 2>&1
expect_eq "plot.sh exit status when every parallel point failed ($(tr '\n' ' ' <"$scratch/out"))" 0 "$?"
expect_eq "speedup plot of failed points, magic bytes" "$png_magic" \
  "$(head -c 8 "$failed_run/plots/speedup-product-W.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
expect_grep "the empty plot says why" "no verified point to plot" "$failed_run/plots/data/speedup-product-W.gp"
expect_grep "the crash in the summary" "| cpu_omp | product | W | 1 x 2 | 2 | crashed (killed by a signal) |" "$failed_run/summary.md"
finish
