#!/bin/bash
# product16.sh: the product kernel's scaling on a machine of 16 cores, from a bundle
# (scripts/bundle/extras.sh). From the folder holding the bundle:
#   OUT=/some/dir bash devbundle/product16.sh        (about 2.5 minutes on 16 Xeon cores)
# Product B under cpu_serial, cpu_omp 16/8/4/2 and cpu_hybrid 2x8/4x4, twice, alternated;
# work/span profiles of cpu_omp at 8 and 16 threads; cpu_mpi 16; product A; the 70-million-bit
# product alone (bench/bignum_parallel); product C at 16 threads. QUICK=1: small classes, seconds.
# Writes $OUT/{rows.csv,log.txt,progress.txt,prof-*.txt.gz}; a failed point is logged, the rest go on.
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
case ${1-} in -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
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
    echo "+$(($(date +%s) - T0))s rc=$? $*" >>"$P"
}
RW="--repeat 3 --warmup 1 --bind core --csv $R"
for round in 1 2; do
    step 60 cpu_serial --kernel product --class $CB --repeat 3 --warmup 1 --csv "$R"
    for t in 16 8 4 2; do step 60 cpu_omp --threads $t --kernel product --class $CB $RW; done
    step 60 mpirun -np 2 --bind-to none cpu_hybrid --threads 8 --kernel product --class $CB $RW
    step 60 mpirun -np 4 --bind-to none cpu_hybrid --threads 4 --kernel product --class $CB $RW
done
for t in 16 8; do
    step 60 cpu_omp --threads $t --kernel product --class $CB --repeat 1 --warmup 1 --bind core \
        --profile "$OUT/prof-omp$t-$CB.txt" --csv "$R"
done
step 60 mpirun -np 16 --bind-to none cpu_mpi --kernel product --class $CB $RW
step 60 cpu_omp --threads 16 --kernel product --class $CA $RW
step 60 cpu_serial --kernel product --class $CA --repeat 3 --warmup 1 --csv "$R"
step 90 bignum_parallel --threads-max 16 $BITS
step 90 cpu_omp --threads 16 --kernel product --class $CC --repeat 2 --warmup 1 --bind core --csv "$R"
for f in "$OUT"/prof-*.txt; do [ -f "$f" ] && step 30 cs_profile --workers 1,2,4,8,16,32,64 "$f"; done
gzip -f "$OUT"/prof-*.txt 2>/dev/null
echo "# done in $(($(date +%s) - T0))s" >>"$P"
