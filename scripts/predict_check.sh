#!/usr/bin/env bash
# Checks --profile's predictions against this machine: for each driver and kernel, profiles a
# one-worker run, then measures the same driver at 2 and 4 workers (4 is oversubscribed on a
# 2-core machine), and prints predicted against measured times (medians; a point's time is the
# sum of its cases' wall_s). cpu_serial's predictions are compared with cpu_omp's measurements.
# Usage: scripts/predict_check.sh [BUILD_DIR [REPEAT [OUT_DIR]]]   (defaults: build 3 a temp dir;
# REPEAT 1 to 1000000, the drivers' --repeat)
# DRIVERS and KERNELS in the environment narrow the grid (default: every CPU driver;
# product:A,product:B,pi:A,primes:A,triad:A).
# Every argument and both variables are checked before anything runs (exit 2, one message).
set -uo pipefail
prog=predict_check
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# shellcheck source=scripts/lib/limits.sh
. "$top/scripts/lib/limits.sh"
case ${1:-} in
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) cs_die_usage "unknown option '$1' (see --help)" ;;
esac
[ $# -le 3 ] || cs_die_usage "unexpected argument '$(cs_shown "$4")': at most BUILD_DIR REPEAT OUT_DIR (see --help)"
[ $# -lt 1 ] || cs_check_path BUILD_DIR "$1"
build=${1:-$top/build} repeat=${2:-3} out=${3:-}
cs_check_uint REPEAT "$repeat" "$CS_REPEAT_MIN" "$CS_REPEAT_MAX"
repeat=$cs_value
[ $# -lt 3 ] || cs_check_path OUT_DIR "$out"
for d in ${DRIVERS:-cpu_serial cpu_omp cpu_mpi cpu_hybrid}; do
  case $d in cpu_serial|cpu_omp|cpu_mpi|cpu_hybrid) ;;
    *) cs_die_usage "DRIVERS '$(cs_shown "$DRIVERS")': '$(cs_shown "$d")' is not one of cpu_serial, cpu_omp, cpu_mpi, cpu_hybrid" ;; esac
done
for kc in ${KERNELS:-product:A product:B pi:A primes:A triad:A}; do
  [[ $kc =~ ^[a-z]+:[SWABC]$ ]] && [[ " $CS_KERNELS " == *" ${kc%:*} "* ]] ||
    cs_die_usage "KERNELS '$(cs_shown "$KERNELS")': '$(cs_shown "$kc")' is not KERNEL:CLASS (kernels: $CS_KERNELS; classes: $CS_CLASSES)"
done
[ -d "$build/drivers" ] || cs_die_usage "BUILD_DIR '$(cs_shown "$build")': no drivers/ in it (build first: scripts/build.sh)"
[ -n "$out" ] || out=$(mktemp -d)
drivers=$build/drivers
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$out" || cs_die_usage "OUT_DIR '$(cs_shown "$out")': cannot create it"

launch() { # DRIVER WORKERS ARGS...: the driver at that many workers
  local d=$1 w=$2
  shift 2
  case $d in
    cpu_serial) "$drivers/cpu_serial" "$@" ;;
    cpu_omp) "$drivers/cpu_omp" --threads "$w" "$@" ;;
    cpu_mpi) mpirun -q -np "$w" --bind-to none "$drivers/cpu_mpi" "$@" ;;
    cpu_hybrid) mpirun -q -np "$w" --bind-to none "$drivers/cpu_hybrid" --threads 1 "$@" ;;
  esac
}
median_job() { # CSV: the median over repetitions of the sum of the cases' wall_s
  awk -F, 'NR > 1 && $18 == 1 { s[$12] += $13 } END { n = 0; for (r in s) v[++n] = s[r]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] < v[j - 1]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    printf "%.4f", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }' "$1"
}
min_job() { # CSV: the fastest repetition (the least disturbed by other work on shared cores)
  awk -F, 'NR > 1 && $18 == 1 { s[$12] += $13 } END { m = -1; for (r in s) if (m < 0 || s[r] < m) m = s[r]; printf "%.4f", m }' "$1"
}
predicted() { # PROFILE WORKERS: per case the median predicted time over repetitions, summed
  "$drivers/cs_profile" --workers "$2" "$1" | awk -v p="$2" '
    $5 == "predicted" && $6 == p { c = $4; t[c] = t[c] " " $7 }
    END { total = 0; for (c in t) { n = split(t[c], v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] + 0 < v[j - 1] + 0; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
      total += n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
      printf "%.4f", total }'
}
work_of() { # PROFILE: the median work over repetitions, summed over cases
  "$drivers/cs_profile" --workers 1 "$1" | awk '$5 == "work" { c = $4; w = $6; t[c] = t[c] " " w }
    END { total = 0; for (c in t) { n = split(t[c], v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j] + 0 < v[j - 1] + 0; j--) { x = v[j]; v[j] = v[j - 1]; v[j - 1] = x }
      total += n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
      printf "%.4f", total }'
}

echo "| driver | kernel | T1 measured | T1 profiled run | work | pred T(2) | meas T(2) | best T(2) | pred/meas | pred T(4) | meas T(4) | best T(4) | pred/meas | pred E(16) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in ${DRIVERS:-cpu_serial cpu_omp cpu_mpi cpu_hybrid}; do
  for kc in ${KERNELS:-product:A product:B pi:A primes:A triad:A}; do
    k=${kc%:*} c=${kc#*:} tag=$d-$k-$c
    common=(--kernel "$k" --class "$c" --repeat "$repeat" --warmup 1 --quiet)
    launch $d 1 "${common[@]}" --csv "$out/$tag-1.csv" || echo "# $tag: 1 worker failed" >&2
    launch $d 1 "${common[@]}" --profile "$out/$tag.prof" --csv "$out/$tag-prof.csv" ||
      echo "# $tag: profile failed" >&2
    m=$d
    [ $d = cpu_serial ] && m=cpu_omp
    for w in 2 4; do
      [ -s "$out/$m-$k-$c-$w.csv" ] || launch $m $w "${common[@]}" --csv "$out/$m-$k-$c-$w.csv" ||
        echo "# $m $k $c: $w workers failed" >&2
    done
    p2=$(predicted "$out/$tag.prof" 2) p4=$(predicted "$out/$tag.prof" 4)
    m2=$(median_job "$out/$m-$k-$c-2.csv") m4=$(median_job "$out/$m-$k-$c-4.csv")
    p1=$(predicted "$out/$tag.prof" 1) p16=$(predicted "$out/$tag.prof" 16)
    printf '| %s | %s %s | %s | %s | %s | %s | %s | %s | %.2f | %s | %s | %s | %.2f | %.2f |\n' "$d" "$k" "$c" \
      "$(median_job "$out/$tag-1.csv")" "$(median_job "$out/$tag-prof.csv")" "$(work_of "$out/$tag.prof")" \
      "$p2" "$m2" "$(min_job "$out/$m-$k-$c-2.csv")" "$(echo "$p2 / $m2" | bc -l)" \
      "$p4" "$m4" "$(min_job "$out/$m-$k-$c-4.csv")" "$(echo "$p4 / $m4" | bc -l)" \
      "$(echo "$p1 / $p16 / 16" | bc -l)"
  done
done
echo "(files in $out; 4 workers on 2 cores are oversubscribed: the measurement shows turn-taking;"
echo " pred/meas uses the medians; on a shared machine the best repetition is the least disturbed)"
