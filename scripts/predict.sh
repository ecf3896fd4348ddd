#!/usr/bin/env bash
# Draws the speedup a --profile file predicts (gnuplot: PNG and SVG), beside a sweep's measured
# medians for the same kernel, class and driver when a results directory is given.
set -uo pipefail

prog=predict
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<'EOF2'
Usage: scripts/predict.sh [OPTION]... PROFILE [RESULTS_DIR]
Predicted speedup from PROFILE (written by any CPU driver's --profile FILE), analysed by
build/drivers/cs_profile; with RESULTS_DIR, the measured speedup of the same driver, kernel and
class from RESULTS_DIR/rows.csv beside it (medians over repetitions, a point's time being the
sum of its cases' wall_s, as plot.sh computes them).

The predicted time of the job at p workers is the sum over its cases of each case's predicted
time (the median over the profile's repetitions). Speedups are against cpu_serial's time of the
same kernel and class where RESULTS_DIR has it (the median over its repetitions of their cases'
summed wall_s), as plot.sh's are; otherwise T(1) / T(p), against the prediction at one worker
(the work) and the driver's own one-worker median. It is what the task graph allows (results/README.md, "Profiles"):
memory bandwidth, clock changes and caches are left out, so it bounds the measured curve from
above where the model holds.

  --workers LIST   worker counts to predict (default 1,2,4,...,1024; 1 is always added): at
                   most 1023 counts, each at most 65536 (cs_profile's limits)
  --build DIR      where cs_profile is built (default build)
  --out DIR        where the plot goes (default RESULTS_DIR/plots, else PROFILE's directory)
  --formats LIST   png, svg or png,svg (default png,svg)
  --help           this help

Writes predict-<kernel>-<class>-<driver>.{png,svg}, and under data/ the .dat files and the
gnuplot script. Prints the table of predicted and measured speedups. Exit: 0 done, 1 cs_profile
or gnuplot failed, 2 bad command line.
EOF2
}

# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# shellcheck source=scripts/lib/limits.sh
. "$top/scripts/lib/limits.sh"
die_usage() { cs_die_usage "$*"; }

workers=1,2,4,8,16,32,64,128,256,512,1024 build=$top/build out="" formats=png,svg profile="" results=""
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --workers|--build|--out|--formats)
      [ $# -ge 2 ] || die_usage "option '$1' needs a value (see --help)"
      case $1 in
        --workers) workers=$2 ;;
        --build) build=$2 ;;
        --out) out=$2 out_given=1 ;;
        --formats) formats=$2 ;;
      esac
      shift 2 ;;
    -*) die_usage "unknown option '$1' (see --help)" ;;
    *) cs_check_path "argument" "$1"
       if [ -z "$profile" ]; then profile=$1
       elif [ -z "$results" ]; then results=$1
       else die_usage "unexpected argument '$(cs_shown "$1")': a profile and at most one results directory (see --help)"; fi
       shift ;;
  esac
done
[ -n "$profile" ] || die_usage "no profile given (see --help)"
[ -f "$profile" ] && [ -r "$profile" ] || die_usage "'$(cs_shown "$profile")': cannot read it as a file"
# cs_profile's own limits; one count more is taken by the 1 always added.
cs_check_uint_list workers "$workers" 1 "$CS_PROFILE_WORKERS_MAX" $((CS_PROFILE_WORKERS_COUNT_MAX - 1))
workers=$cs_value
[[ $formats =~ ^(png|svg)(,(png|svg))?$ ]] || cs_bad_value formats "$formats" "not png, svg or png,svg"
cs_check_path build "$build"
[ -z "${out_given:-}" ] || cs_check_path out "$out"
if [ -n "$results" ]; then
  [ -d "$results" ] || die_usage "'$(cs_shown "$results")': no such directory"
  [ -s "$results/rows.csv" ] || die_usage "'$(cs_shown "$results")': no rows.csv in it (is it a sweep directory?)"
fi
tool=$build/drivers/cs_profile
[ -x "$tool" ] || die_usage "'$tool' is not built (scripts/build.sh $build, or --build DIR)"
[ -n "$out" ] || { [ -n "$results" ] && out=$results/plots; } || true
[ -n "$out" ] || out=$(dirname "$profile")
data=$out/data
mkdir -p "$data" || die_usage "--out '$out': cannot create it"

# What the profile is of: its first block's driver, kernel and class.
read -r driver kernel class < <(awk '/^# block / { for (f = 3; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
  print v["driver"], v["kernel"], v["class"]; exit }' "$profile")
[ -n "${driver:-}" ] || { echo "$prog: '$profile': no '# block' line: not a corescale profile" >&2; exit 1; }
name=predict-$kernel-$class-$driver

analysis=$(mktemp)
trap 'rm -f "$analysis"' EXIT
"$tool" --workers "1,$workers" "$profile" >"$analysis" || { echo "$prog: cs_profile failed on '$profile'" >&2; exit 1; }

# Predicted: per case the median time over repetitions, summed over cases, per worker count.
awk '
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j] + 0 < a[j - 1] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  $1 == "#" && $2 == "profile" && $5 == "predicted" && $6 ~ /^[0-9]+$/ {
    c = $4; sub(/:$/, "", c); key = c SUBSEP $6
    times[key] = times[key] " " $7; cases[c] = 1; w[$6] = 1
  }
  END {
    for (p in w) { total = 0; for (c in cases) total += median(times[c, p]); t[p] = total }
    for (p in w) printf "%d %.9f %.6f\n", p, t[p], t[1] / t[p]
  }' "$analysis" | sort -n >"$data/$name-predicted.dat"
[ -s "$data/$name-predicted.dat" ] || { echo "$prog: no predictions in cs_profile's output" >&2; exit 1; }

# Measured: the same driver, kernel and class in rows.csv (verified rows, rep > 0).
measured=$data/$name-measured.dat
: >"$measured"
if [ -n "$results" ]; then
  awk -F, -v d="$driver" -v k="$kernel" -v cl="$class" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["driver"] == d && $c["kernel"] == k && $c["class"] == cl && $c["verified"] == 1 && $c["rep"] > 0 &&
    !(("scaling" in c) && $c["scaling"] == "weak") {
      # A point'"'"'s repetition: its cases share workers and rep; sum their wall_s. The same
      # point, case and repetition again (a later round or run into the same directory)
      # counts as a further repetition, as plot.sh counts it, not as more of the same one.
      r = $c["rep"] "." (++again[$c["workers"], $c["ranks"], $c["case"], $c["rep"]])
      rk = $c["workers"] SUBSEP r SUBSEP $c["ranks"]
      sum[rk] += $c["wall_s"]; seen[$c["workers"]] = 1
    }
    END {
      for (rk in sum) { split(rk, a, SUBSEP); all[a[1]] = all[a[1]] " " sum[rk] }
      for (p in all) {
        n = split(all[p], v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] + 0 < v[j - 1] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        med[p] = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      }
      if (!(1 in med)) exit
      for (p in med) printf "%d %.9f %.6f\n", p, med[p], med[1] / med[p]
    }' "$results/rows.csv" | sort -n >"$measured"
  [ -s "$measured" ] || echo "$prog: '$results/rows.csv' has no verified $driver $kernel class $class rows at 1 worker: no measured curve" >&2
fi

# The baseline: cpu_serial's time of the same kernel and class where the sweep has it (a point's
# cases summed per repetition, the median of those), as plot.sh's speedups are; else each curve's
# own time at one worker (the profile's work, the driver's one-worker median).
serial=""
if [ -n "$results" ]; then
  serial=$(awk -F, -v k="$kernel" -v cl="$class" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["driver"] == "cpu_serial" && $c["kernel"] == k && $c["class"] == cl && $c["verified"] == 1 && $c["rep"] > 0 &&
    !(("scaling" in c) && $c["scaling"] == "weak") {
      sum[$c["rep"] "." (++again[$c["case"], $c["rep"]])] += $c["wall_s"] }
    END { for (r in sum) printf "%.9f\n", sum[r] }' "$results/rows.csv" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.9f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
fi
if [ -n "$serial" ]; then
  for f in "$data/$name-predicted.dat" "$measured"; do
    [ -s "$f" ] || continue
    awk -v s="$serial" '{ printf "%s %s %.6f\n", $1, $2, s / $2 }' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
  done
fi

# The table.
echo "# $driver $kernel class $class: predicted from $profile${results:+, measured in $results}"
if [ -n "$serial" ]; then
  echo "# speedups against cpu_serial's $serial s (the median of its repetitions in $results)"
else
  echo "# speedups against each curve's own one-worker time (the profile's work; the driver's median)"
fi
printf '# %8s %12s %9s %10s %12s %9s\n' workers pred_time_s pred_S pred_E meas_time_s meas_S
join -a 1 -e - -o 0,1.2,1.3,2.2,2.3 "$data/$name-predicted.dat" "$measured" 2>/dev/null |
  awk '{ printf "  %8d %12s %9.2f %10.2f %12s %9s\n", $1, $2, $3, $3 / $1, $4, $5 }'

command -v gnuplot >/dev/null || { echo "$prog: gnuplot is not installed (apt-get install gnuplot-nox): no plot" >&2; exit 0; }
png_term='pngcairo size 960,640 noenhanced font "sans,11"'
gnuplot -e 'set terminal pngcairo' </dev/null 2>/dev/null || png_term='png size 960,640 noenhanced'
svg_term='svg size 960,640 dynamic noenhanced font "sans,11" background rgb "white"'
maxp=$(tail -n 1 "$data/$name-predicted.dat" | cut -d' ' -f1)
gp=$data/$name.gp
{
  echo "set title \"$kernel class $class, $driver: speedup the profile predicts (a model: no memory bandwidth, clock or cache effects)\""
  echo "set xlabel 'workers'; set ylabel 'speedup ${serial:+against cpu_serial}'; set logscale xy 2; set grid; set key top left"
  echo "set xrange [1:$maxp]; set yrange [0.5:$maxp]"
  plot="plot x title 'ideal' with lines dt 2 lc rgb 'gray', '$name-predicted.dat' using 1:3 title 'predicted (profile replay)' with linespoints lw 2"
  [ -s "$measured" ] && plot+=", '$name-measured.dat' using 1:3 title 'measured (medians)' with points pt 7 ps 1.5"
  echo "$plot"
} >"$gp"
script=""
case ",$formats," in *,png,*) script+="set terminal $png_term; set output \"$out/$name.png\"; load \"$gp\"; unset output;" ;; esac
case ",$formats," in *,svg,*) script+="set terminal $svg_term; set output \"$out/$name.svg\"; load \"$gp\"; unset output;" ;; esac
if ! (cd "$data" && gnuplot -e "$script" </dev/null 2>"$data/gnuplot.log"); then
  echo "$prog: gnuplot failed on $gp (see $data/gnuplot.log)" >&2
  exit 1
fi
[ -s "$data/gnuplot.log" ] || rm -f "$data/gnuplot.log"
echo "$prog: wrote $out/$name.{${formats//,/,}}"
