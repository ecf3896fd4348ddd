#!/usr/bin/env bash
# Sweeps worker counts over drivers and kernels; every row lands in results/<host>-<UTC>/.
#
# A point is one driver run at one worker count for one kernel (or, for the fetch drivers, one
# concurrency level). A failing point is recorded (a row with rep 0 and a status word in
# warnings, plus its line in points.csv) and the sweep goes on. results/README.md documents
# every file and column. Exit: 0 every point verified, 1 some point failed, 2 bad command line.
set -uo pipefail

prog=sweep
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${BASH_VERSINFO[0]}" -lt 4 ]; then
  echo "$prog: needs bash 4 or newer (this is $BASH_VERSION)" >&2
  exit 2
fi

usage() {
  cat <<'EOF'
Usage: scripts/sweep.sh [OPTION]...
Run every driver over worker counts (CPU kernels) and concurrency levels (fetch drivers),
record every repetition as a CSV row, and keep going past failing points.

What to run:
  --drivers LIST       drivers to sweep (default: every C driver:
                       cpu_serial,cpu_omp,cpu_mpi,cpu_hybrid,io_serial,io_threads,io_async,io_mpi);
                       the Python peers too when named: py_serial, py_threads, py_processes
                       (the product only, cut as cpu_serial cuts it), py_serial_tasks,
                       py_threads_tasks, py_processes_tasks (one task per n, as the lesson's
                       program), py_fetch_serial, py_fetch_threads, py_fetch_async
  --kernels LIST       CPU kernels, each NAME or NAME:CLASS (default product,pi,primes,triad,heat)
  --class CLASS        problem class for kernels given without one: S, W, A, B or C (default W;
                       C is about 4x B's work, for machines past 16 cores: cpu_serial --help
                       says what it costs), or auto: triad's smallest class whose arrays are at
                       least 4x the last-level cache hwloc reports (STREAM's rule), W for the
                       other kernels; the rows say the class chosen
  --n LIST             explicit sizes for every kernel instead of a class
  --scaling KIND       strong (default): the same sizes at every worker count; weak: the sizes
                       grow with the workers so that each worker has the work one had, by each
                       kernel's own model of its work (scripts/lib/weak.sh: pi and triad n,
                       primes n^1.5/ln n, product b log b of the result's bits); the n each
                       point ran is in its rows (case) and in points.csv; fetch drivers, which
                       have no size to grow, are not run
  --chunks N           work items per case (default: each kernel's own)
  --workers LIST       worker counts (default: 1,2,4,... up to the physical cores, and the
                       core count itself); counts above the cores run oversubscribed, marked
  --hybrid-threads T   cpu_hybrid runs ranks x threads with threads the largest divisor of the
                       worker count that is at most T (default 2)
  --schedule KIND      passed to the parallel CPU drivers (default: theirs, dynamic); not to
                       a stencil kernel's runs (heat), whose blocks stay with their workers
  --bind KIND          passed to the parallel CPU drivers: core, pu or none (default: theirs)
  --concurrency LIST   fetch concurrency levels (default 1,2,4,...,64, at most --requests)
  --requests N         requests per fetch run (default 100)
  --delay-ms MS        the embedded server's delay per request (default 100)
  --fetch-max-ranks N  io_mpi runs only levels up to N processes (default 8)

How to run it:
  --repeat R           timed repetitions per point (default 3)
  --warmup W           untimed repetitions first (default 1)
  --rounds N           run the whole grid N times, interleaved: on shared cores a burst of
                       other work then touches every point a little (default 1)
  --launcher L         how MPI drivers start: mpirun, srun, or a template with {ranks} and
                       {threads}, e.g. 'mpirun -np {ranks} --map-by node --bind-to none';
                       {per_node} is the ranks of {threads} cores that fit on one node (its
                       cores / threads, at least 1), to fill nodes one by one:
                       'mpirun -np {ranks} --map-by ppr:{per_node}:node:PE={threads}'
                       (default mpirun = 'mpirun -np {ranks} --bind-to none': the drivers pin)
  --nodes N            nodes the MPI drivers may span (default $SLURM_JOB_NUM_NODES or 1);
                       the cores to sweep and to call oversubscribed are per node times N
  --hosts LIST         run the MPI drivers on these hosts (comma list of names), outside a
                       batch system: the grid is then nodes x ranks per node x threads, the
                       node counts 1, 2, 4, ... up to the hosts, --workers the workers per
                       node (default 1, 2, 4, ... up to the cores per node), each point's
                       ranks on its first hosts, filled evenly; the launcher gets them as
                       {hosts} ("h1:2,h2:2"), by default 'mpirun -np {ranks} --host {hosts}
                       --bind-to none'. cpu_serial and cpu_omp run here, as without hosts
  --hostfile FILE      the hosts, one per line (a name first; the rest of the line, such as
                       slots=N, and '#' comments are ignored)
  --timeout S          give up on a point after S seconds, recorded as timeout (default 1800)
  --build DIR          build tree holding drivers/ (default build/)
  --python PATH        the interpreter the Python peers run on (default: the one they were
                       built for); a free-threaded one (3.13t) shows gil=off in the rows
  --out DIR            where to write (default results/<host>-<UTC date-time>/); results/latest
                       points at the newest run under results/
  --dry-run            list the points and their commands, run nothing
  --check              check the options and exit (0 good, 2 not); the build need not exist
  --help               this help

Every value is checked before anything runs or any directory is made, against the limits the
drivers apply (scripts/lib/limits.sh): --n in each kernel's range (product 2..1048576, pi
1..2^50, primes 1..4294967295, triad 1..2^40), worker counts and --hybrid-threads at most 4096
(per node), --concurrency at most 100000 (4096 with io_threads), --requests at most 10000000,
--delay-ms at most 60000, --repeat and --warmup at most 1000000; and the sweep's own: --nodes at
most 65536, --rounds at most 1000 and 100000 points in all, --timeout at most 604800 s. With
cpu_serial built, it is asked too whether it takes each kernel's sizes and --chunks (it stops
before any work). A bad value: exit 2 and one message naming the option and the value.

Before and after each CPU point, every worker of the point runs a short chain of dependent
multiplies at once (build/drivers/cs_clock, pinned as the driver pins; a few ms): the rows get
ghz, the median effective clock over the workers, and points.csv the clock before and after.

Every row says where its ranks ran (column hosts: "node1:0-1;node2:2-3", each host with the
ranks it ran; the MPI drivers are started through scripts/lib/rank_host.sh to learn it).
Files written in the run directory: rows.csv, points.csv, meta.txt, sweep.log, logs/.
Then: scripts/plot.sh DIR draws speedup, efficiency and fetch plots and writes summary.md.
EOF
}

say() { printf '%s\n' "$*"; [ -n "${sweep_log:-}" ] && printf '%s\n' "$*" >>"$sweep_log"; return 0; }
# Part of a progress line: the rest follows when the point is done.
say_part() { printf '%s' "$*"; [ -n "${sweep_log:-}" ] && printf '%s' "$*" >>"$sweep_log"; return 0; }
# shellcheck source=scripts/lib/check.sh
. "$top/scripts/lib/check.sh"
# shellcheck source=scripts/lib/limits.sh
. "$top/scripts/lib/limits.sh"
# shellcheck source=scripts/lib/weak.sh
. "$top/scripts/lib/weak.sh"
die_usage() { cs_die_usage "$*"; }

# Physical cores this process may use: hwloc first, then lstopo, then the OS.
detect_cores() {
  local n=""
  if command -v hwloc-calc >/dev/null; then
    n=$(hwloc-calc --number-of core all 2>/dev/null)
  fi
  if ! [[ $n =~ ^[1-9][0-9]*$ ]] && command -v lstopo-no-graphics >/dev/null; then
    n=$(lstopo-no-graphics --only core 2>/dev/null | wc -l | tr -d ' ')
  fi
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    n=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
  fi
  echo "$n"
}

detect_pus() {
  local n=""
  command -v hwloc-calc >/dev/null && n=$(hwloc-calc --number-of pu all 2>/dev/null)
  [[ $n =~ ^[1-9][0-9]*$ ]] || n=$(nproc 2>/dev/null || echo 1)
  echo "$n"
}

# Tasks running or runnable right now besides this check itself: other work on the cores.
# The least of three looks a tenth of a second apart, so a passing blip does not count.
others_running() {
  [ -r /proc/loadavg ] || { echo ""; return; }
  local least="" n look
  for look in 1 2 3; do
    # A builtin read, so the only task this look adds is the shell itself.
    read -r _ _ _ n _ </proc/loadavg
    n=${n%%/*}
    n=$((n > 0 ? n - 1 : 0))
    { [ -z "$least" ] || [ "$n" -lt "$least" ]; } && least=$n
    [ $look -lt 3 ] && sleep 0.1
  done
  echo "$least"
}

# 1, 2, 4, ... below MAX, then MAX itself.
doubling_list() {
  local max=$1 w=1 list=""
  while [ "$w" -lt "$max" ]; do list+="${list:+,}$w"; w=$((w * 2)); done
  echo "${list:+$list,}$max"
}

# 62 -> "1m02s".
fmt_secs() {
  local s=${1%.*}
  [ -z "$s" ] && s=0
  if [ "$s" -ge 3600 ]; then printf '%dh%02dm' $((s / 3600)) $((s % 3600 / 60))
  elif [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60))
  else printf '%ds' "$s"; fi
}

# Milliseconds since the epoch: bash 5 has it built in; else date (GNU), else whole seconds.
now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then local us=${EPOCHREALTIME/[.,]/}; echo $((us / 1000)); return; fi
  local ns
  ns=$(date +%s%N 2>/dev/null)
  if [[ $ns =~ ^[0-9]+$ ]]; then echo $((ns / 1000000)); else echo $(($(date +%s) * 1000)); fi
}
# A stencil kernel takes --decomp, not --schedule.
is_stencil() { [[ " $CS_STENCIL_KERNELS " == *" $1 "* ]]; }
# 1234 -> "1.2".
fmt_ms() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# ---- options ---------------------------------------------------------------------------------
cpu_drivers_all=(cpu_serial cpu_omp cpu_mpi cpu_hybrid
                 py_serial py_threads py_processes py_serial_tasks py_threads_tasks py_processes_tasks)
fetch_drivers_all=(io_serial io_threads io_async io_mpi py_fetch_serial py_fetch_threads py_fetch_async)
drivers="cpu_serial,cpu_omp,cpu_mpi,cpu_hybrid,io_serial,io_threads,io_async,io_mpi"
kernels="product,pi,primes,triad,heat"
class=W
sizes=""
chunks=""
workers=""
hybrid_threads=2
schedule=""
bind=""
concurrency=""
requests=100
delay_ms=100
fetch_max_ranks=8
repeat=3
warmup=1
rounds=1
launcher=mpirun
nodes=${SLURM_JOB_NUM_NODES:-1}
timeout_s=1800
build_dir=${CS_BUILD_DIR:-$top/build}
out=""
dry_run=0
check_only=0
sizes_given=0 chunks_given=0 workers_given=0 schedule_given=0 bind_given=0 concurrency_given=0
python="" python_given=0
scaling=strong
hosts_arg="" hosts_from="" hosts_given=() hosts=()
nodes_from=""
[ -n "${SLURM_JOB_NUM_NODES:-}" ] && nodes_from="(the default, from SLURM_JOB_NUM_NODES)"
columns="time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s,compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,work_s,span_s,scaling,ghz,hosts"
command_line="scripts/sweep.sh $*"

while [ $# -gt 0 ]; do
  opt=$1
  case $opt in
    --help|-h) usage; exit 0 ;;
    --dry-run) dry_run=1; shift; continue ;;
    --check) check_only=1; shift; continue ;;
    --drivers|--kernels|--class|--n|--chunks|--workers|--hybrid-threads|--schedule|--bind|\
    --concurrency|--requests|--delay-ms|--fetch-max-ranks|--repeat|--warmup|--launcher|--nodes|\
    --timeout|--build|--out|--rounds|--python|--scaling|--hosts|--hostfile)
      [ $# -ge 2 ] || die_usage "option '$opt' needs a value (see --help)"
      val=$2; shift 2 ;;
    --*=*) die_usage "option '$opt': give the value as a separate word, '${opt%%=*} ${opt#*=}' (see --help)" ;;
    *) die_usage "unknown option '$opt' (see --help)" ;;
  esac
  case $opt in
    --drivers) drivers=$val ;;
    --kernels) kernels=$val ;;
    --class) class=$val ;;
    --n) sizes=$val; sizes_given=1 ;;
    --chunks) chunks=$val; chunks_given=1 ;;
    --workers) workers=$val; workers_given=1 ;;
    --hybrid-threads) hybrid_threads=$val ;;
    --schedule) schedule=$val; schedule_given=1 ;;
    --bind) bind=$val; bind_given=1 ;;
    --concurrency) concurrency=$val; concurrency_given=1 ;;
    --requests) requests=$val ;;
    --delay-ms) delay_ms=$val ;;
    --fetch-max-ranks) fetch_max_ranks=$val ;;
    --repeat) repeat=$val ;;
    --rounds) rounds=$val ;;
    --warmup) warmup=$val ;;
    --launcher) launcher=$val ;;
    --nodes) nodes=$val; nodes_from="" ;;
    --timeout) timeout_s=$val ;;
    --build) build_dir=$val ;;
    --out) out=$val ;;
    --python) python=$val; python_given=1 ;;
    --scaling) scaling=$val ;;
    --hosts) hosts_arg=$val; hosts_from=hosts ;;
    --hostfile) hosts_arg=$val; hosts_from=hostfile ;;
  esac
  case $opt in --hosts|--hostfile) hosts_given+=("$opt") ;; esac
done

# ---- every value checked before any work -----------------------------------------------------
# Against the limits the drivers apply (scripts/lib/limits.sh), so that no point is started on
# a value its driver would refuse; the first bad one is the one message.
if [ $python_given -eq 1 ]; then
  cs_check_path python "$python"
  [ -x "$python" ] && [ -f "$python" ] || cs_bad_value python "$python" "not an executable file"
fi
[[ $drivers =~ ^[a-z0-9_]+(,[a-z0-9_]+)*$ ]] || cs_bad_value drivers "$drivers" "not a comma list of driver names"
for d in ${drivers//,/ }; do
  case " ${cpu_drivers_all[*]} ${fetch_drivers_all[*]} " in
    *" $d "*) ;;
    *) cs_bad_value drivers "$drivers" "unknown driver '$d' (known: ${cpu_drivers_all[*]} ${fetch_drivers_all[*]})" ;;
  esac
done
wanted() { case ",$drivers," in *",$1,"*) return 0 ;; esac; return 1; }
wants_cpu=0 wants_fetch=0
for d in "${cpu_drivers_all[@]}"; do wanted "$d" && wants_cpu=1; done
for d in "${fetch_drivers_all[@]}"; do wanted "$d" && wants_fetch=1; done

# A class letter in either case, as the drivers take it, or auto (each driver picks triad's
# smallest class whose arrays outgrow the last-level cache; W for the other kernels).
[[ $class =~ ^[swabc]$ ]] && class=${class^^}
[ "${class,,}" = auto ] && class=auto
case " $CS_CLASSES auto " in *" $class "*) ;; *) cs_bad_value class "$class" "not one of ${CS_CLASSES// /, }, auto" ;; esac
[[ $kernels =~ ^[a-z0-9_]+(:[A-Za-z]+)?(,[a-z0-9_]+(:[A-Za-z]+)?)*$ ]] ||
  cs_bad_value kernels "$kernels" "not a comma list of NAME or NAME:CLASS"
normal=""
for spec in ${kernels//,/ }; do
  case $spec in *:[swabc]) c=${spec##*:}; spec=${spec%:*}:${c^^} ;; esac
  case ${spec,,} in *:auto) spec=${spec%:*}:auto ;; esac
  normal+="${normal:+,}$spec"
done
kernels=$normal
for spec in ${kernels//,/ }; do
  case " $CS_KERNELS " in
    *" ${spec%%:*} "*) ;;
    *) cs_bad_value kernels "$kernels" "unknown kernel '${spec%%:*}' (known: ${CS_KERNELS// /, })" ;;
  esac
  case $spec in
    *:*) case " $CS_CLASSES auto " in *" ${spec#*:} "*) ;; *)
           cs_bad_value kernels "$kernels" "class '${spec#*:}' is not one of ${CS_CLASSES// /, }, auto" ;; esac ;;
  esac
done
if [ $sizes_given -eq 1 ]; then
  # Each kernel's own range: the sizes go to every kernel swept.
  cs_check_uint_list n "$sizes" 1 999999999999999999
  sizes=$cs_value
  for spec in ${kernels//,/ }; do
    k=${spec%%:*} lo_var=CS_N_MIN_${spec%%:*} hi_var=CS_N_MAX_${spec%%:*}
    for s in ${sizes//,/ }; do
      cs_uint_ok "$s" "${!lo_var}" "${!hi_var}" ||
        cs_bad_value n "$sizes" "$s for kernel $k: $cs_why"
    done
  done
fi
cs_check_choice scaling "$scaling" strong weak
if [ "$scaling" = weak ]; then
  [ $wants_cpu -eq 1 ] || cs_bad_value scaling "$scaling" "no CPU driver in --drivers: weak scaling grows a kernel's size"
  for spec in ${kernels//,/ }; do
    c=$class
    [ "$spec" != "${spec%%:*}" ] && c=${spec#*:}
    [ "$c" != auto ] || [ $sizes_given -eq 1 ] ||
      cs_bad_value scaling "$scaling" "kernel ${spec%%:*}: class auto is chosen by each driver, so its sizes cannot be grown here (give a class or --n)"
    [ -n "$(cs_weak_model "${spec%%:*}")" ] ||
      cs_bad_value scaling "$scaling" "kernel '${spec%%:*}' states no model of how its work grows with n (scripts/lib/weak.sh)"
  done
fi
if [ $chunks_given -eq 1 ]; then
  cs_check_uint chunks "$chunks" 1 999999999999999999
  chunks=$cs_value
fi

# --hosts or --hostfile: the names, each a plain host name; their count is the nodes.
if [ ${#hosts_given[@]} -gt 1 ]; then
  die_usage "give the hosts once, by --hosts or by --hostfile (given: ${hosts_given[*]})"
fi
if [ "$hosts_from" = hostfile ]; then
  cs_check_path hostfile "$hosts_arg"
  [ -f "$hosts_arg" ] && [ -r "$hosts_arg" ] || cs_bad_value hostfile "$hosts_arg" "not a readable file"
  hosts_list=$(sed 's/#.*//' "$hosts_arg" | awk 'NF { print $1 }' | paste -sd, -)
  [ -n "$hosts_list" ] || cs_bad_value hostfile "$hosts_arg" "names no host"
elif [ "$hosts_from" = hosts ]; then
  hosts_list=$hosts_arg
fi
if [ -n "$hosts_from" ]; then
  [[ $hosts_list =~ ^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$ ]] ||
    cs_bad_value "$hosts_from" "$hosts_arg" "not a list of host names (letters, digits, '.', '_', '-')"
  IFS=, read -r -a hosts <<<"$hosts_list"
  [ ${#hosts[@]} -le "$CS_NODES_MAX" ] || cs_bad_value "$hosts_from" "$hosts_arg" "${#hosts[@]} hosts, at most $CS_NODES_MAX"
  [ -z "$(printf '%s\n' "${hosts[@]}" | sort | uniq -d)" ] ||
    cs_bad_value "$hosts_from" "$hosts_arg" "host '$(printf '%s\n' "${hosts[@]}" | sort | uniq -d | head -n 1)' named twice"
  if [ -z "$nodes_from" ] && [ "$nodes" != "${#hosts[@]}" ] && [[ " $command_line " == *" --nodes "* ]]; then
    cs_bad_value nodes "$nodes" "--$hosts_from gives ${#hosts[@]} hosts: leave --nodes out"
  fi
  nodes=${#hosts[@]} nodes_from=""
fi
cs_check_uint nodes "$nodes" 1 "$CS_NODES_MAX" "$nodes_from"
nodes=$cs_value
workers_max=$((CS_THREADS_MAX * nodes))
if [ $workers_given -eq 1 ]; then
  cs_check_uint_list workers "$workers" 1 "$workers_max"
  workers=$cs_value
fi
cs_check_uint hybrid-threads "$hybrid_threads" "$CS_THREADS_MIN" "$CS_THREADS_MAX"
hybrid_threads=$cs_value
case $schedule in ""|static|dynamic|guided) ;; *) cs_bad_value schedule "$schedule" "not one of static, dynamic, guided" ;; esac
[ $schedule_given -eq 0 ] || [ -n "$schedule" ] || cs_bad_value schedule "$schedule" "empty: one of static, dynamic, guided"
case $bind in ""|core|pu|none) ;; *) cs_bad_value bind "$bind" "not one of core, pu, none" ;; esac
[ $bind_given -eq 0 ] || [ -n "$bind" ] || cs_bad_value bind "$bind" "empty: one of core, pu, none"

cs_check_uint requests "$requests" "$CS_REQUESTS_MIN" "$CS_REQUESTS_MAX"
requests=$cs_value
cs_check_uint delay-ms "$delay_ms" "$CS_DELAY_MS_MIN" "$CS_DELAY_MS_MAX"
delay_ms=$cs_value
if [ $concurrency_given -eq 1 ]; then
  # io_threads and py_fetch_threads take the level as --threads, the async ones as --concurrency.
  concurrency_max=$CS_CONCURRENCY_MAX
  { wanted io_threads || wanted py_fetch_threads; } && concurrency_max=$CS_THREADS_MAX
  cs_check_uint_list concurrency "$concurrency" 1 "$concurrency_max"
  concurrency=$cs_value
fi
cs_check_uint fetch-max-ranks "$fetch_max_ranks" 1 "$workers_max"
fetch_max_ranks=$cs_value

cs_check_uint repeat "$repeat" "$CS_REPEAT_MIN" "$CS_REPEAT_MAX"
repeat=$cs_value
cs_check_uint warmup "$warmup" "$CS_WARMUP_MIN" "$CS_WARMUP_MAX"
warmup=$cs_value
cs_check_uint rounds "$rounds" 1 "$CS_ROUNDS_MAX"
rounds=$cs_value
cs_check_uint timeout "$timeout_s" 1 "$CS_TIMEOUT_S_MAX"
timeout_s=$cs_value
if [ ${#hosts[@]} -gt 0 ] && [ "$launcher" = mpirun ]; then
  launcher='mpirun -np {ranks} --host {hosts} --bind-to none'
fi
case $launcher in
  mpirun) launcher='mpirun -np {ranks} --bind-to none' ;;
  srun) launcher='srun --kill-on-bad-exit=1 --ntasks={ranks} --cpus-per-task={threads} --cpu-bind=cores' ;;
  *$'\n'*|*[[:cntrl:]]*) cs_bad_value launcher "$launcher" "holds control characters" ;;
  *'{ranks}'*) ;;
  *) cs_bad_value launcher "$launcher" "not mpirun, srun, or a template containing {ranks}" ;;
esac
if [ ${#hosts[@]} -gt 0 ] && [[ $launcher != *'{hosts}'* ]]; then
  cs_bad_value launcher "$launcher" "has no {hosts} to start the ranks on the --$hosts_from hosts"
fi
cs_check_path build "$build_dir"
[ -z "$out" ] || cs_check_path out "$out"
if [ -n "$out" ] && [ -e "$out" ]; then
  [ -d "$out" ] || cs_bad_value out "$out" "exists and is not a directory"
  if [ -s "$out/rows.csv" ] && [ "$(head -n 1 "$out/rows.csv")" != "$columns" ]; then
    cs_bad_value out "$out" "rows.csv exists and its header is not corescale's"
  fi
fi
# --check: run.sh asks before it installs or builds anything; the build need not exist yet.
[ $check_only -eq 1 ] && exit 0
[ -d "$build_dir" ] || cs_bad_value build "$build_dir" "no such directory (build first: scripts/build.sh)"
build_dir=$(cd "$build_dir" && pwd)
driver_dir=$build_dir/drivers

# What only a kernel knows (--chunks against each size, the memory a size needs): asked of the
# built cpu_serial, which checks its options and the cases, then is stopped before any work by a
# --csv it cannot open. Any other refusal is the one this sweep's points would all meet.
if [ $wants_cpu -eq 1 ] && [ -x "$driver_dir/cpu_serial" ]; then
  for spec in ${kernels//,/ }; do
    k=${spec%%:*} c=$class
    [ "$spec" != "$k" ] && c=${spec#*:}
    probe=("$driver_dir/cpu_serial" --kernel "$k" --repeat "$repeat" --warmup "$warmup" --quiet)
    if [ -n "$sizes" ]; then probe+=(--n "$sizes"); else probe+=(--class "$c"); fi
    [ -n "$chunks" ] && probe+=(--chunks "$chunks")
    probe+=(--csv /dev/null/corescale-sweep-check.csv)
    said=$("${probe[@]}" 2>&1 </dev/null >/dev/null)
    code=$?
    case $code:$said in
      2:*"--csv '/dev/null/corescale-sweep-check.csv'"*) ;;
      2:*) said=${said#cpu_serial: }
           if [ -n "$chunks" ] && [[ $said == *--chunks* ]]; then cs_bad_value chunks "$chunks" "kernel $k: ${said#"--chunks $chunks: "}"
           elif [ -n "$sizes" ]; then cs_bad_value n "$sizes" "kernel $k: $said"
           else cs_bad_value kernels "$kernels" "kernel $k class $c: $said"; fi ;;
    esac
  done
fi

cores_per_node=$(detect_cores)
pus_per_node=$(detect_pus)
cores=$((cores_per_node * nodes))
if [ ${#hosts[@]} -gt 0 ]; then
  # Workers per node; the node counts are the other axis of the grid.
  [ -n "$workers" ] || workers=$(doubling_list "$cores_per_node")
  node_counts=$(doubling_list "${#hosts[@]}")
fi
[ -n "$workers" ] || workers=$(doubling_list "$cores")
if [ -z "$concurrency" ]; then
  concurrency=$(doubling_list "$((requests < 64 ? requests : 64))")
fi

host=$(hostname 2>/dev/null || uname -n)
host=${host%%.*}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
[ -n "$out" ] || out=$top/results/$host-$stamp

# ---- weak scaling: the sizes each worker count runs ------------------------------------------
# The one-worker sizes (--n, else the class's, as cpu_serial --help lists them), grown by the
# kernel's model so that w workers have w times the work; each checked against the kernel's range.
class_sizes() {
  "$driver_dir/cpu_serial" --help 2>/dev/null | awk -v k="$1" -v c="$2" '
    $1 == k { want = 1; next }
    want { for (i = 1; i <= NF; i++) if (index($i, c "=") == 1) { print substr($i, 3); exit } }'
}
weak_sizes() { # KERNEL CLASS WORKERS -> the comma list in cs_value
  local k=$1 c=$2 w=$3 base s grown list="" hi_var=CS_N_MAX_$1
  base=$sizes
  if [ -z "$base" ]; then
    [ -x "$driver_dir/cpu_serial" ] ||
      cs_bad_value scaling "$scaling" "the sizes of class $c need $driver_dir/cpu_serial (build first, or give --n)"
    base=$(class_sizes "$k" "$c")
    [ -n "$base" ] || cs_bad_value scaling "$scaling" "cpu_serial --help lists no class $c sizes for kernel $k"
  fi
  for s in ${base//,/ }; do
    cs_weak_n "$k" "$s" "$w"
    grown=$cs_value
    cs_uint_ok "$grown" 1 "${!hi_var}" ||
      cs_bad_value scaling "$scaling" "kernel $k at $w workers needs n=$grown (from $s), above its limit ${!hi_var}"
    list+="${list:+,}$cs_value"
  done
  cs_value=$list
}

# ---- the points ------------------------------------------------------------------------------
# Each point: driver|kernel|class|ranks|threads|workers|n (kernel "fetch", class "-" for I/O;
# n the sizes of a weak-scaling point, empty otherwise).
points=()
skipped=()

for spec in ${kernels//,/ }; do
  k=${spec%%:*}
  c=$class
  [ "$spec" != "$k" ] && c=${spec#*:}
  for d in "${cpu_drivers_all[@]}"; do
    wanted "$d" || continue
    case $d:$k in
      py_*:product) ;;
      py_*) skipped+=("$d $k: the Python peers run the product only"); continue ;;
    esac
    nl=""
    if [ "$scaling" = weak ]; then weak_sizes "$k" "$c" 1; nl=$cs_value; fi
    case $d in cpu_serial|py_serial|py_serial_tasks) points+=("$d|$k|$c|1|1|1|$nl"); continue ;; esac
    for w in ${workers//,/ }; do
      if [ "$scaling" = weak ]; then weak_sizes "$k" "$c" "$w"; nl=$cs_value; fi
      case $d in
        py_threads|py_threads_tasks) points+=("$d|$k|$c|1|$w|$w|$nl") ;;
        py_processes|py_processes_tasks) points+=("$d|$k|$c|$w|1|$w|$nl") ;;
        cpu_omp)
          # Threads share one process, so they cannot span nodes.
          if [ "$nodes" -gt 1 ] && [ "$w" -gt "$cores_per_node" ]; then
            skipped+=("$d $k workers=$w: threads cannot span nodes ($cores_per_node cores per node)")
            continue
          fi
          points+=("$d|$k|$c|1|$w|$w|$nl") ;;
        cpu_mpi|cpu_hybrid) [ ${#hosts[@]} -gt 0 ] && continue ;;&
        cpu_mpi) points+=("$d|$k|$c|$w|1|$w|$nl") ;;
        cpu_hybrid)
          t=$hybrid_threads
          [ "$nodes" -gt 1 ] && [ "$t" -gt "$cores_per_node" ] && t=$cores_per_node
          [ "$t" -gt "$w" ] && t=$w
          while [ $((w % t)) -ne 0 ]; do t=$((t - 1)); done
          points+=("$d|$k|$c|$((w / t))|$t|$w|$nl") ;;
      esac
    done
    # On hosts: nodes x workers per node, a rank of cpu_hybrid with the threads chosen as above.
    if [ ${#hosts[@]} -gt 0 ]; then
      case $d in cpu_mpi|cpu_hybrid) ;; *) continue ;; esac
      for n in ${node_counts//,/ }; do
        for w in ${workers//,/ }; do
          t=1
          if [ "$d" = cpu_hybrid ]; then
            t=$hybrid_threads
            [ "$t" -gt "$w" ] && t=$w
            while [ $((w % t)) -ne 0 ]; do t=$((t - 1)); done
          fi
          nl=""
          if [ "$scaling" = weak ]; then weak_sizes "$k" "$c" "$((n * w))"; nl=$cs_value; fi
          points+=("$d|$k|$c|$((n * w / t))|$t|$((n * w))|$nl|$n")
        done
      done
    fi
  done
done
for d in "${fetch_drivers_all[@]}"; do
  wanted "$d" || continue
  if [ "$scaling" = weak ]; then skipped+=("$d: weak scaling grows a CPU kernel's size; fetch has none"); continue; fi
  case $d in io_serial|py_fetch_serial) points+=("$d|fetch|-|1|1|1|"); continue ;; esac
  for w in ${concurrency//,/ }; do
    case $d in
      io_threads|py_fetch_threads) points+=("$d|fetch|-|1|$w|$w|") ;;
      io_async|py_fetch_async) points+=("$d|fetch|-|1|1|$w|") ;;
      io_mpi) [ "$w" -le "$fetch_max_ranks" ] && points+=("$d|fetch|-|$w|1|$w||${#hosts[@]}") ;;
    esac
  done
done
[ ${#points[@]} -gt 0 ] || cs_bad_value drivers "$drivers" "with --kernels '$(cs_shown "$kernels")': nothing to run"
[ $((${#points[@]} * rounds)) -le "$CS_POINTS_MAX" ] ||
  cs_bad_value rounds "$rounds" "$((${#points[@]} * rounds)) points in all (${#points[@]} per round), at most $CS_POINTS_MAX"
# Rounds run the whole grid again, so that a burst of other work on shared cores lands on
# every point a little rather than on a few a lot.
grid=("${points[@]}")
points=()
for ((round = 1; round <= rounds; round++)); do
  for p in "${grid[@]}"; do
    # Every point has its node count (empty: not on --hosts) before its round.
    pipes=${p//[^|]/}
    [ ${#pipes} -eq 6 ] && p+="|"
    points+=("$p|$round")
  done
done

# The command of one point, as words in the array cmd.
build_command() {
  local d=$1 k=$2 c=$3 r=$4 t=$5 w=$6 nl=${7:-} nn=${8:-} sizes=$sizes
  [ -n "$nl" ] && sizes=$nl
  cmd=()
  case $d in
    cpu_mpi|cpu_hybrid|io_mpi)
      local l=${launcher//\{ranks\}/$r}
      l=${l//\{threads\}/$t}
      local per_node=$((cores_per_node / t))
      l=${l//\{per_node\}/$((per_node > 0 ? per_node : 1))}
      if [ -n "$nn" ] && [ "$nn" -gt 0 ]; then
        # The first nn hosts, the ranks spread evenly (the first ones one more when uneven).
        local on="" h
        for ((h = 0; h < nn; h++)); do on+="${on:+,}${hosts[h]}:$(((r + nn - 1 - h) / nn))"; done
        l=${l//\{hosts\}/$on}
      fi
      read -r -a cmd <<<"$l"
      cmd+=("$top/scripts/lib/rank_host.sh" "$where") ;;
  esac
  cmd+=("$driver_dir/$d")
  case $d in
    cpu_*)
      cmd+=(--kernel "$k")
      if [ -n "$sizes" ]; then cmd+=(--n "$sizes"); else cmd+=(--class "$c"); fi
      [ -n "$chunks" ] && cmd+=(--chunks "$chunks")
      case $d in cpu_omp|cpu_hybrid) cmd+=(--threads "$t") ;; esac
      if [ "$d" != cpu_serial ]; then
        [ -n "$schedule" ] && ! is_stencil "$k" && cmd+=(--schedule "$schedule")
        [ -n "$bind" ] && cmd+=(--bind "$bind")
      fi ;;
    py_fetch_*|io_*)
      cmd+=(--requests "$requests" --delay-ms "$delay_ms")
      case $d in py_*) [ -n "$python" ] && cmd+=(--python "$python") ;; esac
      case $d in
        io_threads|py_fetch_threads) cmd+=(--threads "$w") ;;
        io_async|py_fetch_async) cmd+=(--concurrency "$w") ;;
      esac ;;
    py_*)
      # The product only (no --kernel); the lesson's form cuts by n alone (no --chunks).
      if [ -n "$sizes" ]; then cmd+=(--n "$sizes"); else cmd+=(--class "$c"); fi
      case $d in *_tasks) ;; *) [ -n "$chunks" ] && cmd+=(--chunks "$chunks") ;; esac
      [ -n "$python" ] && cmd+=(--python "$python")
      case $d in
        py_threads*) cmd+=(--threads "$t") ;;
        py_processes*) cmd+=(--workers "$r") ;;
      esac ;;
  esac
  cmd+=(--repeat "$repeat" --warmup "$warmup" --csv "$point_csv")
}

# The kernels a driver registers, from its --help ("  NAME  what...").
registered_kernels() {
  "$driver_dir/$1" --help 2>/dev/null |
    awk '/^Kernels/ { on = 1; next } on && /^  [a-z][a-z0-9_]* / { print $1 } on && /^$/ { on = 0 }'
}

csv=$out/rows.csv
if [ $dry_run -eq 1 ]; then
  for note in ${skipped[@]+"${skipped[@]}"}; do echo "# not run: $note"; done
  i=0
  for p in "${points[@]}"; do
    i=$((i + 1))
    IFS='|' read -r d k c r t w nl nn rnd <<<"$p"
    point_csv=$out/logs/$(printf '%03d' "$i").csv where=${point_csv%.csv}.hosts
    build_command "$d" "$k" "$c" "$r" "$t" "$w" "$nl" "$nn"
    printf '[%d/%d] %s\n' "$i" "${#points[@]}" "${cmd[*]}"
  done
  exit 0
fi

mkdir -p "$out/logs" || die_usage "--out '$out': cannot create the directory"
out=$(cd "$out" && pwd)
csv=$out/rows.csv
sweep_log=$out/sweep.log
: >"$sweep_log"
if [ -s "$csv" ]; then
  [ "$(head -n 1 "$csv")" = "$columns" ] || die_usage "--out '$out': rows.csv exists and its header is not corescale's"
else
  echo "$columns" >"$csv"
fi
[ -s "$out/points.csv" ] ||
  echo "point,driver,kernel,class,ranks,threads,workers,oversubscribed,status,exit,seconds,rows,log,others_running,round,scaling,n,ghz,ghz_before,ghz_after,clock_counter" >"$out/points.csv"

# Open MPI refuses root and more ranks than slots unless told; say so rather than fail.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1}
  export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
fi

# ---- meta: what ran, on what -----------------------------------------------------------------
driver_version() {
  local d
  for d in cpu_serial cpu_omp io_serial; do
    [ -x "$driver_dir/$d" ] && { "$driver_dir/$d" --version 2>/dev/null | sed -n 2p; return; }
  done
  echo "unknown (no driver built)"
}
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build_dir/CMakeCache.txt" 2>/dev/null | head -n 1; }
first_line() { "$@" 2>/dev/null | head -n 1 | tr -d '\r'; }

write_meta() {
  local m=$out/meta.txt gov="unavailable (no cpufreq in /sys)" rev dirty
  [ -r /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor ] &&
    gov=$(sort -u /sys/devices/system/cpu/cpu*/cpufreq/scaling_governor | tr '\n' ' ')
  rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=no
  [ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=yes
  {
    echo "# corescale sweep: what ran and on what (scripts/sweep.sh; results/README.md)"
    echo "host: $host"
    echo "started_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "command: $command_line"
    echo "git_revision: $rev"
    echo "git_dirty: $dirty"
    echo "cpu_model: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || sysctl -n machdep.cpu.brand_string 2>/dev/null)"
    echo "cores_per_node: $cores_per_node"
    echo "pus_per_node: $pus_per_node"
    echo "nodes: $nodes"
    echo "hosts: ${hosts[*]:-none given (the launcher places the ranks)}"
    echo "cores: $cores"
    echo "governor: $gov"
    echo "os: $(uname -srm)"
    echo "load_at_start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
    echo "others_running_at_start: $busy_at_start"
    echo "build_dir: $build_dir"
    echo "build: $(driver_version)"
    echo "build_type: $(cache_value CMAKE_BUILD_TYPE)"
    echo "c_compiler: $(cache_value CMAKE_C_COMPILER) ($(first_line "$(cache_value CMAKE_C_COMPILER)" --version))"
    echo "mpi: $(first_line mpirun --version)"
    echo "hwloc: $(first_line lstopo-no-graphics --version)"
    echo "openmp: libgomp of $(first_line gcc --version)"
    echo "libcurl: $(first_line curl-config --version)"
    echo "libevent: $(pkg-config --modversion libevent 2>/dev/null || echo unknown)"
    echo "gmp: $(cat /usr/include/gmp.h /usr/include/*/gmp.h 2>/dev/null |
      awk '$2 ~ /^__GNU_MP_VERSION(_MINOR|_PATCHLEVEL)?$/ { v = v (v ? "." : "") $3 } END { print v ? v : "unknown" }')"
    echo "gnuplot: $(first_line gnuplot --version)"
    echo "drivers: $drivers"
    echo "kernels: $kernels"
    echo "class: ${sizes:+n=$sizes (explicit)}${sizes:-$class}"
    echo "workers: $workers"
    echo "hybrid_threads: $hybrid_threads"
    echo "schedule: ${schedule:-driver default}"
    echo "bind: ${bind:-driver default}"
    echo "repeat: $repeat"
    echo "warmup: $warmup"
    echo "rounds: $rounds"
    echo "scaling: $scaling"
    if [ "$scaling" = weak ]; then
      for spec in ${kernels//,/ }; do echo "weak_model_${spec%%:*}: $(cs_weak_model "${spec%%:*}")"; done
    fi
    echo "clock_probe: $([ -x "$driver_dir/cs_clock" ] && echo "$driver_dir/cs_clock, before and after each CPU point" || echo "none (cs_clock not built)")"
    echo "launcher: $launcher"
    echo "fetch_concurrency: $concurrency"
    echo "fetch_requests: $requests"
    echo "fetch_delay_ms: $delay_ms"
    echo "environment: $(env | grep -E '^(OMP_|OMPI_|GOMP_|SLURM_JOB_ID|SLURM_NODELIST|SLURM_JOB_NODELIST)' | sort | tr '\n' ' ')"
    echo "## lstopo (hwloc's view of the machine)"
    lstopo-no-graphics --of console 2>/dev/null || lstopo --of console 2>/dev/null || echo "(lstopo not installed: apt-get install hwloc)"
  } >"$m"
}
busy_at_start=$(others_running)
write_meta

# ---- running ---------------------------------------------------------------------------------
# The clock under load: every worker of the point (those of one node) runs the multiply chain at
# once, pinned as the driver pins (cpu_serial and the Python peers: unpinned). Prints each
# worker's GHz, one a line, then "counter NAME"; nothing when cs_clock is not built.
clock_probe() {
  local d=$1 w=$2 b=${bind:-core}
  [ -x "$driver_dir/cs_clock" ] || return 0
  case $d in cpu_serial|py_*) b=none ;; esac
  w=$(((w + nodes - 1) / nodes))
  "$driver_dir/cs_clock" --workers "$w" --bind "$b" 2>/dev/null </dev/null |
    awk '/^ / { print $4 } /^ghz / { print "counter", $NF }'
}
# The median of the GHz lines of its arguments' text ("" for none).
median_ghz() {
  printf '%s\n' "$@" | awk '$1 ~ /^[0-9.]+$/ { v[++n] = $1 }
    END { if (!n) exit
          for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
          printf "%.3f\n", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}
# The point's rows (its own CSV, which the driver wrote with the drivers' columns) join rows.csv
# with scaling, ghz and hosts; a weak point's rows get back the class its sizes were grown from
# (the driver, given --n, wrote custom). Prints how many rows joined.
add_rows() {
  local from=$1 sc=$2 g=$3 cls=$4 where=$5
  [ -s "$from" ] || { echo 0; return; }
  awk -F, -v OFS=, -v sc="$sc" -v g="$g" -v cls="$cls" -v where="$where" -v csv="$csv" '
    FNR > 1 && NF >= 3 { $(NF - 1) = sc; $NF = g; if (cls != "") $6 = cls; print $0, where >>csv; n++ }
    END { print n + 0 }' "$from"
}
# "node1:0-1;node2:2-3": the hosts of rank_host.sh's lines ("RANK HOST"), each with its ranks,
# in the order of their first rank; runs of ranks as FIRST-LAST, others joined by '/'.
hosts_of_ranks() {
  [ -s "$1" ] || return 0
  sort -n "$1" | awk '
    { if (!($2 in seen)) { seen[$2] = ++nh; name[nh] = $2 }
      h = seen[$2]
      if (last[h] != "" && $1 == last[h] + 1) { last[h] = $1; next }
      if (last[h] != "") list[h] = list[h] (first[h] == last[h] ? first[h] : first[h] "-" last[h]) "/"
      first[h] = $1; last[h] = $1 }
    END { for (h = 1; h <= nh; h++) {
            list[h] = list[h] (first[h] == last[h] ? first[h] : first[h] "-" last[h])
            printf "%s%s:%s", (h > 1 ? ";" : ""), name[h], list[h] }
          print "" }'
}
# A row for a point that produced no verified rows: rep 0, the status word in warnings; the
# point's scaling and ghz, and the hosts its ranks ran on (argument 10).
failure_row() {
  local d=$1 k=$2 c=$3 r=$4 t=$5 w=$6 status=$7 secs=$8 words=$7
  [ "$9" = yes ] && words+=";oversubscribed"
  # The schedule the driver would have written (its default is dynamic), so the row joins its series.
  local sched=${schedule:-dynamic}
  is_stencil "$k" && sched=blocks # the drivers' default --decomp
  [ "$k" = fetch ] && sched=""
  printf '%s,%s,%s,%s,,%s,%s,%s,%s,%s,,0,%s,,,,,0,,,,,%s,%s,,,,,,,,,,,%s,%s,%s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$host" "$d" "$k" "$c" "$r" "$t" "$w" "${bind:-}" \
    "$secs" "$sched" "$words" "$pscaling" "$ghz" "${10:-}" >>"$csv"
}

declare -A kernel_ms kernel_done registered
total=${#points[@]}
failed=0
sweep_t0=$(now_ms)
say "# sweep: $total points -> $out"
say "# cores $cores (per node $cores_per_node x $nodes nodes), workers $workers, repeat $repeat, warmup $warmup"
for note in ${skipped[@]+"${skipped[@]}"}; do say "# not run: $note"; done
# Other work on the cores slows every point; say so now rather than let the curves mislead.
if [ -n "$busy_at_start" ] && [ "$busy_at_start" -gt 0 ]; then
  say "# warning: $busy_at_start other task(s) running on these $cores_per_node cores: they will slow the points (points.csv counts them at each point's start)"
fi

# Stopped by hand (or by a batch system's time limit): say where, keep what was measured.
child=""
trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null
      echo; say "# sweep: interrupted at point $i of $total; the rows so far are in $csv"; exit 130' INT TERM
point_kernels=()
for p in "${points[@]}"; do q=${p#*|}; point_kernels+=("${q%%|*}"); done
i=0
for p in "${points[@]}"; do
  i=$((i + 1))
  IFS='|' read -r d k c r t w nl nn rnd <<<"$p"
  point_csv=$out/logs/$(printf '%03d' "$i").csv where=$out/logs/$(printf '%03d' "$i").hosts
  rm -f "$point_csv" "$where"
  # Waiting on the network is not oversubscription: only CPU points can be.
  over=no
  [ "$k" != fetch ] && [ "$w" -gt "$cores" ] && over=yes
  if [ "$k" = fetch ]; then label="$d fetch concurrency=$w"
  else label="$d $k class=$c ranks=$r threads=$t"; fi
  [ $over = yes ] && label+=" (oversubscribed)"
  [ "$rounds" -gt 1 ] && label+=" round $rnd/$rounds"
  say_part "[$i/$total] $label ... "
  log=logs/$(printf '%03d' "$i")-$d-$k-w$w.log
  build_command "$d" "$k" "$c" "$r" "$t" "$w" "$nl" "$nn"
  status="" code=""
  if [ ! -x "$driver_dir/$d" ]; then
    status=not-built
    echo "$prog: $d: not built ($driver_dir/$d missing); recorded as failed" >"$out/$log"
  elif [ "$k" != fetch ]; then
    [ -n "${registered[$d]+x}" ] || registered[$d]=" $(registered_kernels "$d" | tr '\n' ' ')"
    case "${registered[$d]}" in
      *" $k "*) ;;
      *) status=not-registered
         echo "$prog: $d: kernel '$k' is not registered (it has:${registered[$d]% }); recorded as failed" >"$out/$log" ;;
    esac
  fi
  busy=""
  [ -z "$status" ] && busy=$(others_running)
  clock_before="" clock_after=""
  [ -z "$status" ] && [ "$k" != fetch ] && clock_before=$(clock_probe "$d" "$w")
  t0=$(now_ms)
  if [ -z "$status" ]; then
    env_cmd=(env)
    # Open MPI refuses more ranks than slots (cores) unless told.
    [ "$r" -gt "$cores" ] && env_cmd+=(OMPI_MCA_rmaps_base_oversubscribe=1)
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) ${cmd[*]}" >"$out/$log"
    tmo=()
    command -v timeout >/dev/null && tmo=(timeout --kill-after=10 "$timeout_s")
    # In the background and waited for, so that an interrupted sweep can stop the point too.
    "${tmo[@]}" "${env_cmd[@]}" "${cmd[@]}" </dev/null >>"$out/$log" 2>&1 &
    child=$!
    wait "$child"
    code=$?
    child=""
    case $code in
      0) status=ok ;;
      1) status=failed ;;
      2) status=usage ;;
      124|137) status=timeout ;;
      *) status=crashed ;;
    esac
  fi
  ms=$(($(now_ms) - t0))
  [ -n "$clock_before" ] && clock_after=$(clock_probe "$d" "$w")
  secs=$(fmt_ms "$ms")
  ghz=$(median_ghz "$clock_before" "$clock_after")
  counter=$(printf '%s\n' "$clock_before" | sed -n 's/^counter //p')
  pscaling=$scaling
  [ "$k" = fetch ] && pscaling=""
  weak_class=""
  [ -n "$nl" ] && [ -z "$sizes" ] && weak_class=$c
  # Where the ranks ran (rank_host.sh's lines), or this host for a driver of one process.
  case $d in
    cpu_mpi|cpu_hybrid|io_mpi) ran_on=$(hosts_of_ranks "$where") ;;
    *) ran_on=$host:0 ;;
  esac
  rows=$(add_rows "$point_csv" "$pscaling" "$ghz" "$weak_class" "$ran_on")
  rm -f "$point_csv" "$where"
  [ "$status" = ok ] && [ "$rows" -eq 0 ] && status=no-rows
  if [ "$status" != ok ]; then
    failed=$((failed + 1))
    failure_row "$d" "$k" "$c" "$r" "$t" "$w" "$status" "$secs" "$over" "$ran_on"
  fi
  echo "$i,$d,$k,$c,$r,$t,$w,$over,$status,${code:-},$secs,$rows,$log,$busy,$rnd,$pscaling,${nl//,/+},$ghz,$(median_ghz "$clock_before"),$(median_ghz "$clock_after"),$counter" >>"$out/points.csv"

  # Time left: a remaining point costs what this kernel's points have cost on average so far.
  kernel_ms[$k]=$(( ${kernel_ms[$k]:-0} + ms ))
  kernel_done[$k]=$(( ${kernel_done[$k]:-0} + 1 ))
  elapsed=$(($(now_ms) - sweep_t0))
  left=0
  for qk in "${point_kernels[@]:$i}"; do
    if [ -n "${kernel_done[$qk]:-}" ]; then left=$((left + kernel_ms[$qk] / kernel_done[$qk]))
    else left=$((left + elapsed / i)); fi
  done
  if [ "$status" = ok ]; then
    say "ok ${secs}s | elapsed $(fmt_secs $((elapsed / 1000))), about $(fmt_secs $((left / 1000))) left"
  else
    say "FAILED ($status${code:+, exit $code}) ${secs}s | elapsed $(fmt_secs $((elapsed / 1000))), about $(fmt_secs $((left / 1000))) left"
    grep -v '^# ' "$out/$log" | tail -n 3 | while IFS= read -r line; do say "    $line"; done
    [ -n "$code" ] && say "    (whole output: $out/$log)"
  fi
done

# The closing facts go above the lstopo section, so meta.txt reads top-down.
awk -v fin="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v load="$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" \
    -v pts="$total" -v bad="$failed" \
    '/^## lstopo/ && !done { print "finished_utc: " fin; print "load_at_end: " load
                              print "points: " pts; print "failed_points: " bad; print ""; done = 1 }
     { print }' "$out/meta.txt" >"$out/meta.txt.new" && mv "$out/meta.txt.new" "$out/meta.txt"

case $out in
  "$top"/results/*) ln -sfn "$(basename "$out")" "$top/results/latest" ;;
esac
if [ $failed -gt 0 ]; then
  say "# sweep: $failed of $total points FAILED (points.csv and logs/ say why); rows in $csv"
  exit 1
fi
say "# sweep: all $total points verified; rows in $csv"
exit 0
