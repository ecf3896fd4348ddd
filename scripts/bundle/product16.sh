#!/bin/bash
# product16.sh: the product kernel's scaling on a machine of 16 cores, from a bundle
# (scripts/bundle/extras.sh). From the folder holding the bundle:
#   OUT=/some/dir bash devbundle/product16.sh        (about 3 minutes on 16 Xeon cores)
# Product B under cpu_serial, cpu_omp 16/8/4/2 and cpu_hybrid 2x8/4x4, twice, alternated;
# work/span profiles of cpu_omp at 1, 8 and 16 threads and of cpu_hybrid 1x1 (its predictions
# for 16, 4x4 and 2x8 against the measured cpu_serial, to set beside the measured points);
# cpu_mpi 16; product A; the 70-million-bit product alone (bench/bignum_parallel); product C
# at 16 threads. QUICK=1: small classes, seconds.
# Writes $OUT/{rows.csv,rows-profiled.csv,log.txt,progress.txt,prof-*.txt.gz}; a failed point is
# logged, the rest go on.
set -u
B=$(cd "$(dirname "$0")" && pwd)
# OUT and QUICK are checked before anything runs (exit 2, one message naming the value); this
# runs from a bundle, without the checkout's scripts/lib, so the checks are its own.
bad() {
    local LC_ALL=C m out="" c i
    m="$*"
    for ((i = 0; i < ${#m}; i++)); do
        c=${m:i:1}
        [[ $c == [[:cntrl:]] ]] && printf -v c '\\x%02x' "'$c"
        out+=$c
    done
    printf 'product16.sh: %s\n' "$out" >&2
    exit 2
}
case ${1-} in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 0 ] || bad "unexpected argument '$1': set OUT (and QUICK=1) in the environment instead"
[ -n "${OUT:-}" ] || bad "OUT '': set OUT to the folder for the results"
case $OUT in *[[:cntrl:]]*) bad "OUT '$OUT': holds control characters" ;; esac
case ${QUICK:-0} in 0|1) ;; *) bad "QUICK '$QUICK': not 0 or 1" ;; esac
[ ! -e "$OUT" ] || [ -d "$OUT" ] || bad "OUT '$OUT': exists and is not a directory"
mkdir -p "$OUT" || bad "OUT '$OUT': cannot create it"
chmod +x "$B"/bin/* "$B"/*.sh 2>/dev/null
for v in $(compgen -e | grep -E '^(OMP_|GOMP_|KMP_)'); do unset "$v"; done
. "$B/env.sh" "$B"
L=$OUT/log.txt R=$OUT/rows.csv P=$OUT/progress.txt
T0=$(date +%s)
CB=B CA=A CC=C BITS=
[ "${QUICK:-0}" = 1 ] && CB=W CA=S CC=S BITS="--bits 100000"
step() {  # step LIMIT_S CMD...: one point, its output in log.txt, how it ended in progress.txt
    local lim=$1; shift
    echo "=== +$(($(date +%s) - T0))s \$ $*" >>"$L"
    timeout -k 5 "$lim" "$@" >>"$L" 2>&1
    local rc=$? # before the line below, whose $(date) would reset it
    echo "+$(($(date +%s) - T0))s rc=$rc $*" >>"$P"
}
RW="--repeat 3 --warmup 1 --bind core --csv $R"
for round in 1 2; do
    step 60 cpu_serial --kernel product --class $CB --repeat 3 --warmup 1 --csv "$R"
    for t in 16 8 4 2; do step 60 cpu_omp --threads $t --kernel product --class $CB $RW; done
    step 60 mpirun -np 2 --bind-to none cpu_hybrid --threads 8 --kernel product --class $CB $RW
    step 60 mpirun -np 4 --bind-to none cpu_hybrid --threads 4 --kernel product --class $CB $RW
done
# Profiled runs carry the recorder's cost: their rows go apart, so plots and medians leave them out.
for t in 16 8 1; do
    step 60 cpu_omp --threads $t --kernel product --class $CB --repeat 1 --warmup 1 --bind core \
        --profile "$OUT/prof-omp$t-$CB.txt" --csv "$OUT/rows-profiled.csv"
done
step 60 mpirun -np 1 --bind-to none cpu_hybrid --threads 1 --kernel product --class $CB \
    --repeat 1 --warmup 1 --profile "$OUT/prof-hybrid1x1-$CB.txt" --csv "$OUT/rows-profiled.csv"
step 60 mpirun -np 16 --bind-to none cpu_mpi --kernel product --class $CB $RW
step 60 cpu_omp --threads 16 --kernel product --class $CA $RW
step 60 cpu_serial --kernel product --class $CA --repeat 3 --warmup 1 --csv "$R"
step 90 bignum_parallel --threads-max 16 $BITS
step 90 cpu_omp --threads 16 --kernel product --class $CC --repeat 2 --warmup 1 --bind core --csv "$R"
# Predictions against this machine's cpu_serial (the median of its timed rows), as the rows are;
# a class of several cases (QUICK's) has no one serial time, so its speedups stay against the work.
serial=$(awk -F, -v cl="$CB" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["driver"] == "cpu_serial" && $c["class"] == cl && $c["verified"] == 1 { print $c["case"], $c["wall_s"] }' \
    "$R" 2>/dev/null | sort -k2,2g |
    awk '{ cases[$1] = 1; t[NR] = $2 } END { n = 0; for (k in cases) n++; if (n == 1) print t[int((NR + 1) / 2)] }')
for f in "$OUT"/prof-*.txt; do
    [ -f "$f" ] || continue
    layouts=1,2,4,8,16,32,64
    case $f in *hybrid*) layouts+=,4x4,2x8,16x1 ;; esac
    step 30 cs_profile --workers "$layouts" ${serial:+--serial "$serial"} "$f"
done
gzip -f "$OUT"/prof-*.txt 2>/dev/null
echo "# done in $(($(date +%s) - T0))s" >>"$P"
