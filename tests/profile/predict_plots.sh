#!/usr/bin/env bash
# scripts/predict.sh on a fresh profile and a fresh two-point "sweep" of the same driver:
# the table has predicted and measured speedups at 1 and 2 workers, and the plot files exist.
# Usage: predict_plots.sh SOURCE_DIR BUILD_DIR
set -u
src=$1 build=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$build/drivers/cpu_omp" --threads 1 --kernel pi --class S --repeat 1 --warmup 0 --quiet \
  --profile "$dir/pi.prof" || fail "cpu_omp --profile"
mkdir "$dir/run"
for t in 1 2; do
  "$build/drivers/cpu_omp" --threads $t --kernel pi --class S --repeat 3 --warmup 0 --quiet \
    --csv "$dir/run/rows.csv" || fail "cpu_omp --threads $t"
done
"$src/scripts/predict.sh" --build "$build" --workers 2,4 "$dir/pi.prof" "$dir/run" >"$dir/out" 2>&1 ||
  { cat "$dir/out"; fail "predict.sh exited $?"; }
cat "$dir/out"
awk '$1 == 2 && $2 + 0 > 0 && $5 + 0 > 0 { ok = 1 } END { exit !ok }' "$dir/out" ||
  fail "no predicted and measured times at 2 workers"
awk '$1 == 4 && $5 == "-" { ok = 1 } END { exit !ok }' "$dir/out" || fail "4 workers: measured should be '-'"
if command -v gnuplot >/dev/null; then
  for f in png svg; do
    [ -s "$dir/run/plots/predict-pi-S-cpu_omp.$f" ] || fail "no predict-pi-S-cpu_omp.$f"
  done
fi
echo "ok: predict.sh table and plots"
