#!/usr/bin/env bash
# A class S sweep over a small grid writes one row per case per repetition for every point.
# Usage: sweep_rows.sh SOURCE_DIR BUILD_DIR CPU_DRIVERS [FETCH_DRIVER]  (drivers: comma list)
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1 build=$2 cpu_drivers=$3 fetch_driver=${4:-}
repeat=2
drivers=$cpu_drivers${fetch_driver:+,$fetch_driver}

out=$scratch/run
"$src/scripts/sweep.sh" --build "$build" --drivers "$drivers" --kernels product,pi --class S \
  --workers 1,2 --concurrency 1,2 --requests 6 --delay-ms 1 --repeat $repeat --warmup 0 \
  --out "$out" >"$scratch/stdout" 2>&1
code=$?
expect_eq "sweep exit status (output in $scratch/stdout)" 0 "$code"
[ $code -eq 0 ] || cat "$scratch/stdout" >&2

csv=$out/rows.csv
expect_eq "rows.csv header" \
  "time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s,compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,work_s,span_s,scaling,ghz,hosts" \
  "$(head -n 1 "$csv")"

# Cases per kernel in class S, as the driver lists them: "S=5,10,16" is three.
cases_of() {
  "$build/drivers/cpu_serial" --help | awk -v k="$1" '
    $1 == k { want = 1; next } want && $1 ~ /^S=/ { n = split(substr($1, 3), a, ","); print n; exit }'
}
points=0
for k in product pi; do
  cases=$(cases_of $k)
  [ -n "$cases" ] || { fail "cpu_serial --help lists no class S sizes for $k"; continue; }
  for d in ${cpu_drivers//,/ }; do
    workers="1 2"
    [ "$d" = cpu_serial ] && workers=1
    for w in $workers; do
      points=$((points + 1))
      expect_eq "rows of $d $k workers=$w" $((cases * repeat)) \
        "$(count_rows "$csv" driver "$d" kernel "$k" class S workers "$w")"
      expect_eq "verified rows of $d $k workers=$w" $((cases * repeat)) \
        "$(count_rows "$csv" driver "$d" kernel "$k" workers "$w" verified 1)"
    done
  done
done
if [ -n "$fetch_driver" ]; then
  for c in 1 2; do
    points=$((points + 1))
    expect_eq "rows of $fetch_driver concurrency=$c" $repeat \
      "$(count_rows "$csv" driver "$fetch_driver" kernel fetch workers "$c" verified 1)"
  done
fi
expect_eq "rows recording a failed point" 0 "$(count_rows "$csv" rep 0)"
# The clock under load: every CPU row carries its point's probe (a clock a CPU could have) and
# scaling strong; fetch rows neither.
expect_eq "CPU rows without a plausible ghz or scaling strong" 0 "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["kernel"] != "fetch" && !($c["ghz"] ~ /^[0-9]+[.][0-9]+$/ && $c["ghz"] > 0.1 && $c["ghz"] < 10 && $c["scaling"] == "strong") { n++ }
  END { print n + 0 }' "$csv")"
expect_eq "fetch rows with ghz or scaling" 0 "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["kernel"] == "fetch" && ($c["ghz"] != "" || $c["scaling"] != "") { n++ } END { print n + 0 }' "$csv")"
# Where the ranks ran: here, every one of them: "HOST:0" for one process, "HOST:0-R" for R + 1
# ranks (rank_host.sh's notes, gathered per point).
here=$(uname -n)
here=${here%%.*}
expect_eq "rows whose hosts is not this host with the row's ranks" 0 "$(awk -F, -v h="$here" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { r = $c["ranks"]; want = h ":" (r > 1 ? "0-" (r - 1) : "0") } $c["hosts"] != want { n++ }
  END { print n + 0 }' "$csv")"
expect_eq "CPU points without a clock before, after and its counter" 0 "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["kernel"] != "fetch" && !($c["ghz_before"] > 0 && $c["ghz_after"] > 0 && $c["clock_counter"] ~ /^(imul-chain|perf-cycles)$/) { n++ }
  END { print n + 0 }' "$out/points.csv")"

expect_eq "points.csv lines" $((points + 1)) "$(wc -l <"$out/points.csv" | tr -d ' ')"
expect_eq "points.csv points not ok" 0 "$(awk -F, 'NR > 1 && $9 != "ok"' "$out/points.csv" | wc -l | tr -d ' ')"
expect_grep "progress line of the last point" "[$points/$points] " "$out/sweep.log"
expect_grep "progress line's time left" "left" "$out/sweep.log"
for key in host started_utc finished_utc git_revision cpu_model cores compiler; do
  grep -q "^$key: ." "$out/meta.txt" || grep -q "^c_$key: ." "$out/meta.txt" || fail "meta.txt has no '$key:'"
done
expect_grep "meta.txt's record of the machine" "## lstopo" "$out/meta.txt"
if command -v lstopo-no-graphics >/dev/null; then expect_grep "lstopo's view in meta.txt" "Machine" "$out/meta.txt"; fi
[ -f "$out/logs/001-${cpu_drivers%%,*}-product-w1.log" ] || fail "no log of the first point in $out/logs"
finish
