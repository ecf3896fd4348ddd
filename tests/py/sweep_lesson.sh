#!/usr/bin/env bash
# scripts/sweep.sh takes the Python peers like any driver (the product only: other kernels are
# listed as not run), and plot.sh turns a lesson directory into its table and picture.
# Usage: sweep_lesson.sh SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/../sweep/lib.sh"
src=$1 build=$2
out=$scratch/run

# A main sweep of one point, then the lesson pass into out/lesson as run.sh makes it (class S).
"$src/scripts/sweep.sh" --build "$build" --drivers cpu_serial --kernels product --class S \
  --repeat 1 --warmup 0 --out "$out" >"$scratch/main.out" 2>&1 || fail "main sweep: exit $?"
peers=py_serial,py_threads,py_processes,py_serial_tasks,py_threads_tasks,py_processes_tasks
fetchers=py_fetch_serial,py_fetch_threads,py_fetch_async
"$src/scripts/sweep.sh" --build "$build" --out "$out/lesson" \
  --drivers cpu_serial,cpu_omp,$peers,io_serial,io_threads,io_async,$fetchers \
  --kernels product:S,pi:S --workers 2 --concurrency 3 --requests 6 --delay-ms 1 --repeat 2 \
  --warmup 0 >"$scratch/lesson.out" 2>&1
code=$?
expect_eq "lesson sweep exit (output in $scratch/lesson.out)" 0 "$code"
[ $code -eq 0 ] || cat "$scratch/lesson.out" >&2
csv=$out/lesson/rows.csv
for d in ${peers//,/ }; do
  rows=6
  case $d in *_tasks) rows=2 ;; esac
  expect_eq "$d: verified product rows" $rows "$(count_rows "$csv" driver "$d" kernel product class S verified 1)"
  expect_grep "$d: pi not run, said why" "# not run: $d pi: the Python peers run the product only" "$out/lesson/sweep.log"
done
expect_eq "py_threads runs --threads 2" 6 "$(count_rows "$csv" driver py_threads ranks 1 threads 2 workers 2)"
expect_eq "py_processes runs --workers 2" 6 "$(count_rows "$csv" driver py_processes ranks 2 threads 1 workers 2)"
expect_eq "py_fetch_async at concurrency 3" 2 "$(count_rows "$csv" driver py_fetch_async workers 3 errors 0 verified 1)"
expect_eq "py_fetch_threads at concurrency 3" 2 "$(count_rows "$csv" driver py_fetch_threads threads 3 errors 0 verified 1)"
expect_eq "points not ok" 0 "$(awk -F, 'NR > 1 && $9 != "ok"' "$out/lesson/points.csv" | wc -l)"

# plot.sh: the lesson's table in summary.md, its numbers and its picture.
"$src/scripts/plot.sh" "$out" >"$scratch/plot.out" 2>&1 || fail "plot.sh: exit $? ($(tail -3 "$scratch/plot.out"))"
summary=$out/summary.md
expect_grep "summary: the lesson's section" "## The lesson: Python's threads, processes and asyncio beside C" "$summary"
for d in ${peers//,/ } cpu_serial cpu_omp io_serial io_threads io_async ${fetchers//,/ }; do
  expect_grep "summary: a line for $d" "| $d |" "$summary"
done
expect_grep "summary: the lesson's program is the base" "| py_serial_tasks | 1 |" "$summary"
expect_grep "summary: the verdict on C" "C serial " "$summary"
expect_grep "summary: the picture" "![the lesson](plots/lesson.png)" "$summary"
expect_eq "lesson bars: product" 8 "$(grep -vc '^#' "$out/plots/data/lesson-product.dat")"
expect_eq "lesson bars: fetch" 6 "$(grep -vc '^#' "$out/plots/data/lesson-fetch.dat")"
if command -v gnuplot >/dev/null; then
  [ -s "$out/plots/lesson.png" ] || fail "plots/lesson.png not drawn ($(cat "$out/plots/data/gnuplot.log" 2>/dev/null))"
fi
finish
