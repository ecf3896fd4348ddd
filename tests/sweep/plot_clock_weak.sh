#!/usr/bin/env bash
# summary.md on hand-made rows: bootstrap intervals beside medians and speedups, a repetition far
# from its median flagged as an outlier, the clock warning when the probed clock fell more than 5%
# from one worker to p (with efficiency at the measured clock), and a weak-scaling group with
# Gustafson's fit beside a strong group's Amdahl fit.
# Usage: plot_clock_weak.sh SOURCE_DIR
# shellcheck source=tests/sweep/lib.sh
. "$(dirname "$0")/lib.sh"
src=$1
run=$scratch/run
mkdir -p "$run"
header="time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s,compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,work_s,span_s,scaling,ghz"
# row DRIVER KERNEL CASE WORKERS REP WALL SCALING GHZ
row() { echo "2026-12-04T00:00:00Z,h,$1,$2,$3,S,1,$4,$4,core,1024,$5,$6,,,,0,1,d,v,c,f,dynamic,,,,,,,,,,,,$7,$8"; }
{
  echo "$header"
  # Strong: 2 workers take 0.553 s against one's 1.03 (speedup 1.86) while the clock fell from 3.6 to 3.0 GHz.
  for r in 1 2 3 4 5; do row cpu_omp pi n=1000000 1 $r 1.0$r strong 3.6; done
  for r in 1 2 3 4 5; do row cpu_omp pi n=1000000 2 $r 0.55$r strong 3.0; done
  # Weak: 2 workers on twice the work take 1.05 of one's time (weak efficiency 0.95; s = 0.095).
  for r in 1 2 3 4 5; do row cpu_omp primes n=100000 1 $r 1.00 weak 3.6; done
  r2=0
  for t in 1.04 1.05 1.06 1.05; do r2=$((r2 + 1)); row cpu_omp primes n=163212 2 $r2 $t weak 3.6; done
  # One repetition far from the rest.
  row cpu_omp primes n=163212 2 5 1.90 weak 3.6
} >"$run/rows.csv"
echo "cores: 2" >"$run/meta.txt"
printf 'point,clock_counter\n1,imul-chain\n' >"$run/points.csv"
"$src/scripts/plot.sh" --formats svg "$run" >"$scratch/out" 2>&1
expect_eq "plot.sh exit status (output: $(tr '\n' ' ' <"$scratch/out"))" 0 $?
s=$run/summary.md
expect_grep "strong: median with its interval, speedup with its interval, GHz and efficiency at clock" \
  "| cpu_omp | 1 x 2 | 2 | 5 | 0.5530 | [0.5510, 0.5550] | 0.5510 | 0.5550 | 1.86 | [1.83, 1.90] | 1.83 | - | 0.93 | 3.00 | 1.12 | 0.074 | yes |" "$s"
expect_grep "the run's facts name the probe's counter" "- Clock probe: every worker of each CPU point ran a chain of dependent multiplies at once, before and after the point (build/drivers/cs_clock); counter: imul-chain" "$s"
expect_grep "the clock warning names the counter" "(clock probe, counter imul-chain; more than 5% below one worker's)" "$s"
expect_grep "the clock warning's numbers" "- cpu_omp at 2 workers: 3.00 GHz against 3.60 GHz at one worker (-17%): efficiency at the measured clock is 1.12, against 0.93 plain" "$s"
expect_grep "strong: Amdahl's fit" "Amdahl fit (serial fraction f" "$s"
expect_grep "weak: its own section" "## primes, class S (sizes grown with the workers: the n column), weak scaling" "$s"
expect_grep "weak: the point's n, scaled speedup and weak efficiency; the outlier flagged" \
  "| cpu_omp | 1 x 2 | 2 | 163212 | 5 | 1.050 | [1.040, 1.900] | 1.040 | 1.900 | 1.90 | [1.05, 1.92] | 1.92 | - | 0.95 | 3.60 | 0.95 | yes | outliers: 1 of 5 reps |" "$s"
expect_grep "weak: Gustafson's fit" "- cpu_omp: s = 0.095 from 1 point within 2 cores" "$s"
expect_grep "the outlier note" "**Outliers**: 1 point had repetitions far from their median" "$s"
expect_grep "the weak plot draws Gustafson's law" "Gustafson s = 0.095" "$run/plots/data/speedup-primes-S-weak.gp"
finish
