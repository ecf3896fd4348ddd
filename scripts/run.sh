#!/usr/bin/env bash
# The main job: install what is missing, build, sweep every driver over this machine's cores, plot.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

usage() {
  cat <<'EOF'
Usage: scripts/run.sh [--no-deps] [--no-lesson] [--build DIR] [SWEEP OPTION]...
The main job, under 5 minutes on 2 cores:
  1. install the Debian packages that are missing (scripts/deps.sh; skip with --no-deps)
  2. build into build/ (or --build DIR)
  3. sweep the class W product and heat and the class A pi, primes and triad with cpu_serial,
     cpu_omp, cpu_mpi and cpu_hybrid over 1, 2, 4, ... up to the physical cores; then io_serial,
     io_threads, io_async and io_mpi over concurrency 1..64 against the embedded server
     (100 requests at 20 ms)
  4. the lesson (skip with --no-lesson): the class W product and 100 requests at 20 ms, once
     each, by the Python peers (py_serial, py_threads, py_processes, in corescale's items and in
     the lesson's one task per n; py_fetch_serial, py_fetch_threads, py_fetch_async) and by the
     C drivers at this machine's cores (cpu_serial, cpu_omp; io_serial, io_threads, io_async at
     concurrency 10), into DIR/lesson/: Python's threads, processes and asyncio beside C
  5. plot, and print where the pictures and summary.md are (the lesson: plots/lesson.png)

Any sweep option (scripts/sweep.sh --help) overrides these defaults. To scale it up:
  scripts/run.sh --kernels product:A,pi:B,primes:B,triad:B --repeat 5
  scripts/run.sh --workers 1,2,4,8 --delay-ms 100     # also oversubscribed points, marked
  scripts/run.sh --drivers cpu_serial,cpu_omp --kernels pi:A
  scripts/run.sh --rounds 3          # cores shared with other work: the grid 3 times, interleaved
Every option is checked (scripts/sweep.sh --check) before anything is installed or built: a
bad one exits 2 with one message naming it and its value.
Exit: 0 every point verified, 1 some point failed (the rest still ran and was plotted), 2 usage.
EOF
}

prog=run
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
deps=1
lesson=1
build=$top/build
out=""
sweep_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --no-deps) deps=0; shift ;;
    --no-lesson) lesson=0; shift ;;
    --build|--out)
      [ $# -ge 2 ] || cs_die_usage "option '$1' needs a value (see --help)"
      cs_check_path "${1#--}" "$2"
      if [ "$1" = --build ]; then build=$2; else out=$2; fi
      shift 2 ;;
    --dry-run) cs_die_usage "--dry-run: use scripts/sweep.sh --dry-run to list the points" ;;
    *) sweep_args+=("$1"); shift ;;
  esac
done
# The sweep's options, every one, before anything is installed or built; its message is ours.
defaults=(--drivers cpu_serial,cpu_omp,cpu_mpi,cpu_hybrid,io_serial,io_threads,io_async,io_mpi
          --kernels product:W,pi:A,primes:A,triad:A,heat:W
          --concurrency 1,2,4,8,16,32,64 --requests 100 --delay-ms 20 --repeat 3 --warmup 1)
said=$(scripts/sweep.sh --check --build "$build" ${out:+--out "$out"} "${defaults[@]}" \
       ${sweep_args[@]+"${sweep_args[@]}"} 2>&1 >/dev/null)
case $? in
  0) ;;
  2) printf 'run: %s\n' "${said#sweep: }" >&2; exit 2 ;;
  *) printf 'run: could not check the sweep options: %s\n' "$said" >&2; exit 1 ;;
esac
lesson_drivers=cpu_serial,cpu_omp,py_serial,py_threads,py_processes,py_serial_tasks,py_threads_tasks,py_processes_tasks,io_serial,io_threads,io_async,py_fetch_serial,py_fetch_threads,py_fetch_async
if [ -z "$out" ]; then
  host=$(hostname 2>/dev/null || uname -n)
  out=$top/results/${host%%.*}-$(date -u +%Y%m%dT%H%M%SZ)
fi

start=$(date +%s)
step() { echo; echo "== run: $*"; }

if [ $deps -eq 1 ]; then
  step "1/5 dependencies"
  scripts/deps.sh || { echo "run: could not install the dependencies (above)" >&2; exit 1; }
fi

step "2/5 build into $build"
scripts/build.sh "$build" || { echo "run: the build failed (above)" >&2; exit 1; }

step "3/5 sweep into $out"
# The defaults come first so that the caller's options win.
scripts/sweep.sh --build "$build" --out "$out" "${defaults[@]}" ${sweep_args[@]+"${sweep_args[@]}"}
sweep_status=$?
[ $sweep_status -eq 2 ] && exit 2

lesson_status=0
if [ $lesson -eq 1 ]; then
  step "4/5 the lesson into $out/lesson"
  # Every worker count is the machine's cores, as the lesson's program ran on them; each point
  # once, as the lesson timed it (the one-task-per-n forms take most of the pass).
  cores=$(hwloc-calc --number-of core all 2>/dev/null)
  [[ $cores =~ ^[1-9][0-9]*$ ]] || cores=$(nproc 2>/dev/null || echo 1)
  scripts/sweep.sh --build "$build" --out "$out/lesson" --drivers "$lesson_drivers" \
    --kernels product:W --workers "$cores" --concurrency 10 --requests 100 --delay-ms 20 \
    --repeat 1 --warmup 0
  lesson_status=$?
fi

step "5/5 plots and summary"
scripts/plot.sh "$out"
plot_status=$?

took=$(($(date +%s) - start))
echo
echo "== run: done in $((took / 60))m$(printf '%02d' $((took % 60)))s"
if [ -s "$out/summary.md" ]; then
  echo "   summary:  $out/summary.md"
  echo "   pictures: $out/plots/*.png (and .svg)"
  echo "   rows:     $out/rows.csv; machine and versions: $out/meta.txt"
fi
[ $sweep_status -eq 0 ] ||
  echo "run: some points failed; summary.md lists them under 'Failed points', logs/ says why" >&2
[ $lesson_status -eq 0 ] ||
  echo "run: some lesson points failed; $out/lesson/points.csv and its logs/ say why" >&2
[ $sweep_status -eq 0 ] && [ $lesson_status -eq 0 ] || exit 1
exit $plot_status
