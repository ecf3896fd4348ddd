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
grep -qxF "# speedups against each curve's own one-worker time (the profile's work; the driver's median)" "$dir/out" ||
  fail "without cpu_serial rows, the baseline line should say each curve's own one-worker time"
# With cpu_serial in the sweep, both curves are against its median time. Two runs into the
# same rows.csv: their repetitions 1-3 count as six, not as three of twice the time.
for round in 1 2; do
  "$build/drivers/cpu_serial" --kernel pi --class S --repeat 3 --warmup 0 --quiet --csv "$dir/run/rows.csv" ||
    fail "cpu_serial"
done
serial=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["driver"] == "cpu_serial" { print $c["wall_s"] }' \
  "$dir/run/rows.csv" | sort -g | awk '{ v[NR] = $1 } END { printf "%.9f", (v[3] + v[4]) / 2 }')
"$src/scripts/predict.sh" --build "$build" --workers 2 "$dir/pi.prof" "$dir/run" >"$dir/out2" 2>&1 ||
  { cat "$dir/out2"; fail "predict.sh with cpu_serial rows exited $?"; }
cat "$dir/out2"
grep -qxF "# speedups against cpu_serial's $serial s (the median of its repetitions in $dir/run)" "$dir/out2" ||
  fail "the baseline line should name cpu_serial's median, $serial s"
# measured at 2 workers: speedup = serial / its time
awk -v s="$serial" '$1 == 2 { d = s / $5 - $6; ok = d < 0.01 && d > -0.01 } END { exit !ok }' "$dir/out2" ||
  fail "the measured speedup at 2 workers is not cpu_serial's time over its own"
if command -v gnuplot >/dev/null; then
  for f in png svg; do
    [ -s "$dir/run/plots/predict-pi-S-cpu_omp.$f" ] || fail "no predict-pi-S-cpu_omp.$f"
  done
fi
echo "ok: predict.sh table and plots"
