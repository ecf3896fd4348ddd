#!/usr/bin/env bash
# Draws a sweep's speedup, efficiency and fetch plots (gnuplot: PNG and SVG) and writes summary.md.
set -uo pipefail

prog=plot
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<'EOF'
Usage: scripts/plot.sh [OPTION]... [DIR]
Summarise and plot a sweep directory (default results/latest): DIR/rows.csv in, DIR/summary.md
and DIR/plots/*.png, *.svg out (DIR/plots/data/ holds the numbers each plot draws).

  --cores N        physical cores of the sweep, 1 to 1048576 (default: meta.txt's, else the
                   largest worker count whose rows are not marked oversubscribed)
  --model-to P     draw the fitted Amdahl model out to P workers (default 4 x cores; at most
                   4 x 1048576)
  --formats LIST   png, svg or png,svg (default png,svg)
  --help           this help

Per kernel and class: speedup against the same driver at one worker (ideal line, medians with
min/max bars, the Amdahl fit with its serial fraction, dashed past the measured cores as a model),
speedup against cpu_serial, and efficiency. For the fetch drivers: wall time against
concurrency, log-log, with the ideal. A row whose numbers cannot be right (wall_s zero,
negative, nan, inf or not a number; workers not a whole number; ...) is skipped: each is named
by file and line on stderr and summary.md counts them.
Exit: 0 done, 1 a plot failed, 2 bad command line (one message naming the option and value).
EOF
}

# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# shellcheck source=scripts/lib/limits.sh
. "$top/scripts/lib/limits.sh"
die_usage() { cs_die_usage "$*"; }

cores="" model_to="" formats=png,svg dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --help|-h) usage; exit 0 ;;
    --cores|--model-to|--formats)
      [ $# -ge 2 ] || die_usage "option '$1' needs a value (see --help)"
      case $1 in
        --cores) cores=$2 cores_given=1 ;;
        --model-to) model_to=$2 model_to_given=1 ;;
        --formats) formats=$2 ;;
      esac
      shift 2 ;;
    -*) die_usage "unknown option '$1' (see --help)" ;;
    *) [ -z "$dir" ] || die_usage "unexpected argument '$(cs_shown "$1")': one directory only (see --help)"
       cs_check_path DIR "$1"
       dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || dir=$top/results/latest
if [ -n "${cores_given:-}" ]; then cs_check_uint cores "$cores" 1 "$CS_CORES_MAX"; cores=$cs_value; fi
if [ -n "${model_to_given:-}" ]; then cs_check_uint model-to "$model_to" 1 $((4 * CS_CORES_MAX)); model_to=$cs_value; fi
[[ $formats =~ ^(png|svg)(,(png|svg))?$ ]] || cs_bad_value formats "$formats" "not png, svg or png,svg"
[ -d "$dir" ] || die_usage "'$(cs_shown "$dir")': no such directory (run scripts/sweep.sh first)"
dir=$(cd "$dir" && pwd)
csv=$dir/rows.csv
[ -s "$csv" ] || die_usage "'$dir': no rows.csv in it (is it a sweep directory?)"

meta=$dir/meta.txt
meta_value() { [ -r "$meta" ] && sed -n "s/^$1: //p" "$meta" | head -n 1; }

if [ -z "$cores" ]; then
  cores=$(meta_value cores)
  if ! cs_uint_ok "$cores" 1 "$CS_CORES_MAX"; then
    # Without a meta file, the largest worker count nobody called oversubscribed.
    cores=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      $c["kernel"] != "fetch" && $c["warnings"] !~ /oversubscribed/ && $c["workers"] + 0 > m { m = $c["workers"] + 0 }
      END { print m + 0 }' "$csv")
    cs_uint_ok "$cores" 1 "$CS_CORES_MAX" || cores=1
    echo "$prog: no cores in $meta; taking $cores (the largest worker count not oversubscribed)" >&2
  fi
fi
cs_uint_ok "$cores" 1 "$CS_CORES_MAX" && cores=$cs_value
[ -n "$model_to" ] || model_to=$((4 * cores))
requests=$(meta_value fetch_requests)
delay_ms=$(meta_value fetch_delay_ms)
host=$(meta_value host)
[ -n "$host" ] || host=$(awk -F, 'NR == 2 { print $2 }' "$csv")

plots=$dir/plots
data=$plots/data
mkdir -p "$data" || die_usage "'$dir': cannot create plots/ in it"
rm -f "$data"/*.dat "$data"/*.gp "$data"/index.txt "$data"/headline.txt "$data"/gnuplot.log

# ---- summary.md and the numbers to plot --------------------------------------------------------
# The counter the clock probe read (points.csv), for summary.md's clock warning.
clock_counter=""
[ -r "$dir/points.csv" ] && clock_counter=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  ("clock_counter" in c) && $c["clock_counter"] != "" && !seen[$c["clock_counter"]]++ { l = l (l ? "+" : "") $c["clock_counter"] }
  END { print l }' "$dir/points.csv")
title="corescale sweep on ${host:-unknown host}, ${cores} cores$([ -r "$meta" ] && echo ", $(meta_value started_utc)")"
# The run's facts under the title: only those meta.txt has.
meta_md=""
md_line() { [ -n "$2" ] && meta_md+=$'\n'"- $1: $2"; return 0; }
if [ -r "$meta" ]; then
  m_cpu=$(meta_value cpu_model)
  [ -n "$m_cpu" ] && m_cpu+=", $(meta_value cores_per_node) physical cores ($(meta_value pus_per_node) PUs) per node x $(meta_value nodes) node(s); governor: $(meta_value governor)"
  m_build=$(meta_value build)
  [ -n "$m_build" ] && m_build+=" (revision $(meta_value git_revision)$([ "$(meta_value git_dirty)" = yes ] && echo ", with local changes"))"
  m_mpi=$(meta_value mpi)
  [ -n "$m_mpi" ] && m_mpi+="; launcher \`$(meta_value launcher)\`"
  m_load=$(meta_value load_at_start)
  [ -n "$m_load" ] && m_load+=" / $(meta_value load_at_end)"
  m_cmd=$(meta_value command)
  [ -n "$m_cmd" ] && m_cmd="\`$m_cmd\`"
  m_points=$(meta_value points)
  [ -n "$m_points" ] && m_points+=", failed: $(meta_value failed_points)"
  m_reps=$(meta_value repeat)
  [ -n "$m_reps" ] && m_reps+=" timed, after $(meta_value warmup) warm-up"
  m_rounds=$(meta_value rounds)
  [ -n "$m_reps" ] && cs_uint_ok "${m_rounds:-1}" 2 "$CS_ROUNDS_MAX" && m_reps+=", in each of $m_rounds rounds of the grid"
  md_line Machine "$m_cpu"
  md_line Build "$m_build"
  md_line MPI "$m_mpi"
  md_line "Load average at start / end" "$m_load"
  if [ -r "$dir/points.csv" ]; then
    busy=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      ("others_running" in c) && $c["others_running"] != "" { n++; if ($c["others_running"] > 0) b++ }
      END { if (b > 0) printf "%d of %d points", b, n }' "$dir/points.csv")
    [ -n "$busy" ] && md_line "**Note**" "other work was running on these cores when $busy started (points.csv, column others_running): their times and speedups are worse than the code's own"
  fi
  md_line Command "$m_cmd"
  md_line Points "$m_points"
  md_line "Repetitions per point" "$m_reps"
  [ -n "$clock_counter" ] && md_line "Clock probe" "every worker of each CPU point ran a chain of dependent multiplies at once, before and after the point (build/drivers/cs_clock); counter: $clock_counter (imul-chain: 3 cycles a multiply; perf-cycles: the core's own cycle count)"
  md_line Files "rows.csv (every repetition), points.csv (every point's status), meta.txt (the machine, lstopo, versions), logs/"
fi
awk -v data="$data" -v summary="$dir/summary.md" -v cores="$cores" \
    -v requests="${requests:-0}" -v delay_ms="${delay_ms:-0}" -v figs=plots \
    -v title="$title" -v meta_md="$meta_md" -v clock_counter="$clock_counter" \
    -f "$top/scripts/plot/stats.awk" -f "$top/scripts/plot/summarise.awk" "$csv"
code=$?
[ $code -eq 0 ] || { echo "$prog: could not summarise $csv (see above)" >&2; exit $code; }

# The lesson (scripts/run.sh's pass into DIR/lesson/): its table joins summary.md.
lesson_csv=$dir/lesson/rows.csv
if [ -s "$lesson_csv" ]; then
  if awk -v data="$data" -f "$top/scripts/plot/lesson.awk" "$lesson_csv"; then
    lesson_busy=""
    [ -r "$dir/lesson/points.csv" ] && lesson_busy=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
      ("others_running" in c) && $c["others_running"] != "" { n++; if ($c["others_running"] > 0) b++ }
      END { if (b > 0) printf "%d of %d lesson points", b, n }' "$dir/lesson/points.csv")
    {
      echo; cat "$data/lesson.md"
      [ -z "$lesson_busy" ] || echo "- **Note**: other work was running on these cores when $lesson_busy started (lesson/points.csv, column others_running): each point ran once, so a busy core can reorder the models; rerun on idle cores before drawing a conclusion"
      echo; echo "![the lesson](plots/lesson.png)"
    } >>"$dir/summary.md"
    [ -s "$data/lesson-headline.txt" ] && cat "$data/lesson-headline.txt" >>"$data/headline.txt"
  else
    echo "$prog: could not summarise the lesson's $lesson_csv (see above)" >&2
  fi
fi

if ! command -v gnuplot >/dev/null; then
  echo "$prog: gnuplot is not installed (apt-get install gnuplot-nox): wrote $dir/summary.md, no plots" >&2
  exit 1
fi
png_term='pngcairo size 960,640 noenhanced font "sans,11"'
gnuplot -e 'set terminal pngcairo' </dev/null 2>/dev/null || png_term='png size 960,640 noenhanced'
svg_term='svg size 960,640 dynamic noenhanced font "sans,11" background rgb "white"'

# ---- gnuplot scripts ---------------------------------------------------------------------------
# One look per driver, the same in every plot.
style_of() {
  case $1 in
    cpu_serial|io_serial) echo 'lc rgb "#222222" pt 5' ;;
    cpu_omp|io_threads) echo 'lc rgb "#1f77b4" pt 7' ;;
    cpu_mpi|io_mpi) echo 'lc rgb "#d62728" pt 9' ;;
    cpu_hybrid|io_async) echo 'lc rgb "#2ca02c" pt 13' ;;
    *) echo 'lc rgb "#9467bd" pt 11' ;;
  esac
}

# Writes gnuplot commands that render the plot in $body to NAME.png and NAME.svg.
render() {
  local name=$1 body=$2 gp=$data/$1.gp
  {
    echo "# $name: drawn by scripts/plot.sh from the .dat files beside this one"
    echo 'set datafile missing "NaN"'
    echo "$body"
  } >"$gp"
  local script=""
  case ",$formats," in *,png,*) script+="set terminal $png_term; set output \"$plots/$name.png\"; load \"$gp\"; unset output;" ;; esac
  case ",$formats," in *,svg,*) script+="set terminal $svg_term; set output \"$plots/$name.svg\"; load \"$gp\"; unset output;" ;; esac
  if ! (cd "$data" && gnuplot -e "$script" </dev/null 2>>"$data/gnuplot.log"); then
    echo "$prog: gnuplot failed on $gp (see $data/gnuplot.log)" >&2
    failed=1
    return
  fi
  made+=("$name")
}

# Shared look of the worker-count plots.
axes_common() {
  local xmax=$1
  cat <<EOF
set grid lc rgb "#dddddd"
set key top left box opaque Left reverse samplen 3 spacing 1.1 width 1
set border lc rgb "#444444"
set xlabel "workers (threads, ranks, or ranks x threads)"
set xrange [0.8:$xmax]
set xtics 1
set mxtics 1
set object 1 rectangle from $cores, graph 0 to graph 1, graph 1 fillcolor rgb "#f2f2f2" fillstyle solid 1.0 noborder behind
set label 1 "more workers than the $cores cores: points are oversubscribed,\ndashed curves are the fitted model (not measured)" at graph 0.98, graph 0.08 right font ",9" textcolor rgb "#666666"
amdahl(p, f) = 1.0 / (f + (1.0 - f) / p)
gustafson(p, s) = p - s * (p - 1.0)
EOF
  [ "$xmax" -gt 16 ] && echo "set xtics autofreq"
}

# Whether a data file holds a number in column COL (failed points leave none).
has_values() { [ -s "$1" ] && awk -v c="$2" '!/^#/ && $c != "NaN" { found = 1 } END { exit !found }' "$1"; }

# What a plot without a single verified point says, instead of failing.
no_data() {
  echo "set yrange [0:$1]"
  echo 'set label 2 "no verified point to plot: summary.md says what failed" at graph 0.5, graph 0.5 center font ",14" textcolor rgb "#aa0000"'
}

# The plot elements of one kind (speedup, serial or efficiency) for every series of a group.
series_elements() {
  local kind=$1 k=$2 c=$3 xmax=$4 elems="" name driver file f s1 style ycol title fit nudge
  local drawn=0
  while IFS="|" read -r tag sk sc name driver file f _ s1 clamp law; do
    [ "$tag" = series ] && [ "$sk" = "$k" ] && [ "$sc" = "$c" ] || continue
    [ "$driver" = cpu_serial ] && continue
    style=$(style_of "$driver")
    # Strong scaling: Amdahl's law; weak: Gustafson's (the scaled speedup p - s (p - 1)).
    case $law in gustafson) model=gustafson lawname="Gustafson s" ;; *) model=amdahl lawname="Amdahl f" ;; esac
    case $kind in
      speedup) ycol='8:9:10'; fit="$model(x, $f)" ;;
      serial) ycol='11:12:13'; fit="${s1:-1} * $model(x, $f)"; [ -n "$s1" ] || f="" ;;
      efficiency) ycol='14:15:16'; fit="$model(x, $f) / x" ;;
    esac
    has_values "$data/$file" "${ycol%%:*}" || continue
    title=$name
    [ -n "$f" ] && title+=" ($lawname = $(printf '%.3f' "$f")${clamp:+, clamped: $clamp})"
    # Each driver's points sit a little apart, so that bars at one worker count do not hide each other.
    nudge=$(awk -v i="$drawn" 'BEGIN { printf "%.3f", 1 + 0.03 * (i - 1) }')
    drawn=$((drawn + 1))
    elems+=", \"$file\" using (\$1 * $nudge):$ycol with yerrorlines $style lw 2 ps 1.2 title \"$title\""
    if [ -n "$f" ]; then
      elems+=", [x=1:$cores] $fit with lines ${style% pt*} lw 1 notitle"
      elems+=", [x=$cores:$xmax] $fit with lines ${style% pt*} lw 2 dt (10,6) notitle"
    fi
  done <"$data/index.txt"
  echo "$elems"
}

failed=0
made=()
while IFS='|' read -r tag k c label maxw tser scaling; do
  [ "$tag" = group ] || continue
  xmax=$((model_to > maxw ? model_to : maxw))
  # Weak scaling (class token CLASS-weak): the same plots, of the scaled speedup p T(1) / T(p)
  # and the weak efficiency T(1) / T(p), with Gustafson's law for the model.
  law=Amdahl what_s="speedup against the same driver at 1 worker" ylab_s="speedup T(1) / T(p), same driver"
  what_e="parallel efficiency: speedup against the same driver at 1 worker, per worker" ylab_e="efficiency S(p) / p"
  what_ser="speedup against cpu_serial" ylab_ser="speedup T(cpu_serial) / T(p)"
  if [ "$scaling" = weak ]; then
    law=Gustafson what_s="weak scaling, p times the work at p workers: scaled speedup p T(1) / T(p)" ylab_s="scaled speedup p T(1) / T(p), same driver"
    what_e="weak-scaling efficiency T(1) / T(p): the same time at every p is ideal" ylab_e="weak efficiency T(1) / T(p)"
    what_ser="weak scaling: scaled speedup against cpu_serial" ylab_ser="scaled speedup p T(cpu_serial) / T(p)"
  fi
  model_key=", NaN with lines lc rgb \"#888888\" lw 2 dt (10,6) title \"$law model past $cores cores (extrapolated)\""
  fk=$(printf '%s-%s' "$k" "$c" | tr -c 'A-Za-z0-9_.\n-' '-')

  elems=$(series_elements speedup "$k" "$c" "$xmax")
  body="$(axes_common "$xmax")
set title \"$k, class $c ($label) on $host\n$what_s (median, bars min-max)\"
set ylabel \"$ylab_s\"
set yrange [0:*]
$([ -n "$elems" ] || no_data "$xmax")
plot sample [x=1:$xmax] x with lines lc rgb \"#999999\" lw 1 noautoscale title \"ideal (linear)\"$elems$model_key"
  render "speedup-$fk" "$body"

  if [ -n "$tser" ]; then
    elems=$(series_elements serial "$k" "$c" "$xmax")
    body="$(axes_common "$xmax")
set title \"$k, class $c ($label) on $host\n$what_ser (median $(printf '%.4g' "$tser") s; bars min-max)\"
set ylabel \"$ylab_ser\"
set yrange [0:*]
$([ -n "$elems" ] || no_data "$xmax")
plot sample [x=1:$xmax] x with lines lc rgb \"#999999\" lw 1 noautoscale title \"ideal (linear)\"$elems$model_key"
    render "speedup-serial-$fk" "$body"
  fi

  body="$(axes_common "$xmax")
set title \"$k, class $c ($label) on $host\n$what_e\"
set ylabel \"$ylab_e\"
set yrange [0:1.2]
set key bottom left
set label 1 at graph 0.98, graph 0.96
$([ -n "$(series_elements efficiency "$k" "$c" "$xmax")" ] || no_data 1.2)
plot sample [x=1:$xmax] 1 with lines lc rgb \"#999999\" lw 1 title \"ideal (1)\"$(series_elements efficiency "$k" "$c" "$xmax")$model_key"
  render "efficiency-$fk" "$body"
done <"$data/index.txt"

while IFS='|' read -r tag maxc t1 floor_s nreq delay ideal_file; do
  [ "$tag" = fetch ] || continue
  elems=""
  drawn=0
  while IFS='|' read -r stag name driver file; do
    [ "$stag" = fseries ] && has_values "$data/$file" 3 || continue
    nudge=$(awk -v i="$drawn" 'BEGIN { printf "%.3f", 1 + 0.02 * (i - 1) }')
    drawn=$((drawn + 1))
    elems+=", \"$file\" using (\$1 * $nudge):3:4:5 with yerrorlines $(style_of "$driver") lw 2 ps 1.2 title \"$name\""
  done <"$data/index.txt"
  nodata=""
  [ -n "$elems" ] || { elems=", NaN notitle"; nodata=$(no_data 10 | sed 's/\[0:10\]/[0.01:10]/'); }
  xmax=$((maxc > 2 ? maxc : 2))
  if [ -n "$t1" ]; then ideal_title="ideal: ceil(requests / concurrency) x io_serial's time per request"
  else ideal_title="ideal: ceil(requests / concurrency) x the delay"; fi
  # The ideal is drawn last, dashed, so it shows even where a client sits right on it.
  floor_elem=""
  [ -n "$floor_s" ] && floor_elem=", $floor_s with lines lc rgb \"#888888\" dt 3 lw 1.5 title \"one request's delay ($delay ms): the floor\""
  ideal_elem=""
  [ -s "$data/$ideal_file" ] && ideal_elem=", \"$ideal_file\" using 1:2 with lines lc rgb \"#444444\" dt (10,6) lw 1.5 title \"$ideal_title\""
  ymin=""
  [ -n "$floor_s" ] && ymin=$(awk -v f="$floor_s" 'BEGIN { print f / 2 }')
  body="set grid lc rgb \"#dddddd\"
set key top right box opaque Left reverse samplen 3 spacing 1.1 width 1
set logscale x 2
set logscale y 10
set xrange [0.8:$((xmax * 5 / 4))]
set yrange [${ymin}:*]
set title \"fetch: ${nreq:-?} requests at ${delay:-?} ms on $host\nwall time against concurrency (log-log; median, bars min-max)\"
set xlabel \"concurrency (io_threads: threads, io_async: requests in flight, io_mpi: processes)\"
set ylabel \"wall time, seconds\"
set arrow 1 from $cores, graph 0 to $cores, graph 1 nohead lc rgb \"#aaaaaa\" dt 2
set label 1 \"$cores cores: waiting scales past them\" at $cores, graph 0.04 offset 0.5, 0 font \",9\" textcolor rgb \"#666666\"
$nodata
plot ${elems#, }$floor_elem$ideal_elem"
  render fetch "$body"
done <"$data/index.txt"

# The lesson in one picture: the same product and the same requests, per language and model,
# log time, each bar's speedup over Python serial written on it.
lesson_panel() {
  local ymin
  ymin=$(awk -F'\t' '!/^#/ && (m == "" || $3 < m) { m = $3 } END { printf "%g", m / 4 }' "$data/$1")
  cat <<EOF
set title "$2"
set logscale y 10
set ylabel "seconds (log scale)"
set xtics rotate by -35 left font ",9" nomirror
set grid ytics lc rgb "#dddddd"
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.7
set offsets 0.6, 0.6, 0, 0
set key off
set yrange [$ymin:*]
plot "$1" using 1:3:(\$5 > 0.5 ? 0x3572A5 : 0x777777):xticlabels(2) with boxes lc rgb variable, \\
     "$1" using 1:(\$3 * 1.5):4 with labels font ",10" textcolor rgb "#222222"
EOF
}
if [ -s "$data/lesson-product.dat" ] && [ -s "$data/lesson-fetch.dat" ]; then
  body="set multiplot layout 1,2 title \"the lesson on $host: Python (blue) beside C (grey); on each bar its speedup over Python serial, in brackets its workers\" font \",12\"
set bmargin 12
$(lesson_panel lesson-product.dat "the class W product (n = 50, 63, 32)")
$(lesson_panel lesson-fetch.dat "$(sed -n 's/^fetch_requests: //p' "$dir/lesson/meta.txt") requests at $(sed -n 's/^fetch_delay_ms: //p' "$dir/lesson/meta.txt") ms against io_server")
unset multiplot"
  render lesson "$body"
fi

[ -s "$data/gnuplot.log" ] || rm -f "$data/gnuplot.log"
sed 's/^/  /' "$data/headline.txt"
echo "$prog: summary: $dir/summary.md"
for n in "${made[@]}"; do
  echo "$prog: plot: $plots/$n.${formats/,/ and .}"
done
exit $failed
