#!/usr/bin/env bash
# scripts/compare.sh on synthetic sweep folders: the same rows -> no change anywhere, exit 0; one
# point made 20% slower -> "slower", exit 1 (and exit 0 under a threshold above 20%); a point that
# failed in NEW -> exit 1; points in one run only are listed, not compared.
# Usage: compare_runs.sh SOURCE_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1
compare=$src/scripts/compare.sh
header="time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s,compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,work_s,span_s,scaling,ghz"

# rows DIR SLOWER_POINT FACTOR: three points of cpu_omp pi class S (1, 2, 4 workers), 7 repetitions
# each with a little spread; the times of point SLOWER_POINT (a worker count) multiplied by FACTOR.
rows() {
  mkdir -p "$1"
  awk -v h="$header" -v slow="$2" -v f="$3" 'BEGIN {
    print h
    split("1.000 1.013 0.994 1.021 0.987 1.006 1.017", jitter, " ")
    for (w = 1; w <= 4; w *= 2)
      for (r = 1; r <= 7; r++) {
        t = 2.0 / w * jitter[r] * (w == slow ? f : 1)
        printf "2026-12-04T00:00:00Z,h,cpu_omp,pi,n=1000000,S,1,%d,%d,core,1024,%d,%.6f,,,,0,1,d,v,c,f,dynamic,,,,,,,,,,,,strong,3.0\n", w, w, r, t
      }
  }' >"$1/rows.csv"
}

rows "$scratch/old" 0 1
rows "$scratch/same" 0 1
"$compare" "$scratch/old" "$scratch/same" >"$scratch/same.out" 2>&1
expect_eq "identical runs: exit" 0 $?
expect_eq "identical runs: points with no detectable change" 3 "$(grep -c '^  .*no detectable change$' "$scratch/same.out")"
expect_grep "identical runs: the summary line" "3 points: 0 slower (0 beyond 5%), 0 faster, 3 no detectable change" "$scratch/same.out"

rows "$scratch/slow" 2 1.2
"$compare" "$scratch/old" "$scratch/slow" >"$scratch/slow.out" 2>&1
expect_eq "one point 20% slower: exit" 1 $?
expect_eq "one point 20% slower: its verdict" 1 "$(grep -cE '^  cpu_omp +pi +S +strong +2 +7/7 .* \+20\.0% .* slower \(beyond 5%\)$' "$scratch/slow.out")"
expect_eq "one point 20% slower: the others unchanged" 2 "$(grep -c '^  .*no detectable change$' "$scratch/slow.out")"

"$compare" --threshold 25% "$scratch/old" "$scratch/slow" >"$scratch/lenient.out" 2>&1
expect_eq "20% slower under a 25% threshold: exit" 0 $?
expect_eq "20% slower under a 25% threshold: still slower" 1 "$(grep -c 'slower$' "$scratch/lenient.out")"

rows "$scratch/fast" 4 0.7
"$compare" "$scratch/old" "$scratch/fast" >"$scratch/fast.out" 2>&1
expect_eq "one point faster: exit" 0 $?
expect_eq "one point faster: its verdict" 1 "$(grep -cE ' -30\.0% .* faster$' "$scratch/fast.out")"

# Three repetitions each cannot reach p < 0.05: said, and no gate.
mkdir -p "$scratch/few-old" "$scratch/few-new"
awk -F, 'NR == 1 || $12 <= 3' "$scratch/old/rows.csv" >"$scratch/few-old/rows.csv"
awk -F, 'NR == 1 || $12 <= 3' "$scratch/slow/rows.csv" >"$scratch/few-new/rows.csv"
"$compare" "$scratch/few-old" "$scratch/few-new" >"$scratch/few.out" 2>&1
expect_eq "3 against 3 repetitions: exit" 0 $?
expect_grep "3 against 3 repetitions: said" "too few repetitions to decide" "$scratch/few.out"

# A point that failed in NEW (sweep.sh's rep-0 row) fails the comparison; a point in one run is listed.
rows "$scratch/broken" 0 1
awk -F, -v OFS=, '$9 == 4 { next } { print }' "$scratch/broken/rows.csv" >"$scratch/broken/r" && mv "$scratch/broken/r" "$scratch/broken/rows.csv"
echo "2026-12-04T00:00:00Z,h,cpu_omp,pi,,S,1,4,4,core,,0,3.1,,,,,0,,,,,dynamic,failed,,,,,,,,,,,strong," >>"$scratch/broken/rows.csv"
echo "2026-12-04T00:00:00Z,h,cpu_omp,pi,n=1000000,S,1,8,8,core,1024,1,0.3,,,,0,1,d,v,c,f,dynamic,,,,,,,,,,,,strong,3.0" >>"$scratch/broken/rows.csv"
"$compare" "$scratch/old" "$scratch/broken" >"$scratch/broken.out" 2>&1
expect_eq "a point failed in NEW: exit" 1 $?
expect_grep "a point failed in NEW: said" "FAILED in NEW" "$scratch/broken.out"
expect_grep "a point only in NEW: said" "only in NEW" "$scratch/broken.out"
finish
