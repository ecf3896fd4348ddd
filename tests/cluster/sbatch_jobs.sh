#!/usr/bin/env bash
# Both batch files of scripts/slurm/ submitted as they ship, with the edits their heads document
# (the #SBATCH lines: partition, nodes, tasks per node, time; the sweep's kernels, product and
# pi of class S, and one repetition), from a scratch copy of the checkout: the job completes, and
# its results folder holds every point verified, rows from every node, summary.md and the plots.
# Usage: sbatch_jobs.sh SOURCE_DIR BUILD_DIR STATE_DIR
# shellcheck source=tests/cluster/lib.sh
. "$(dirname "$0")/lib.sh"

for job in sweep-mpirun sweep-srun; do
  # A checkout of its own: the job writes results/ there, and the build is this one.
  co=$tmp/$job
  mkdir -p "$co"
  cp -r "$top/scripts" "$co/"
  ln -s "$build" "$co/build"
  file=$co/scripts/slurm/$job.sbatch
  sed -i -e 's/^##SBATCH --partition=.*/#SBATCH --partition=cluster/' \
         -e "s/^#SBATCH --nodes=.*/#SBATCH --nodes=$nodes/" \
         -e "s/^#SBATCH --ntasks-per-node=.*/#SBATCH --ntasks-per-node=$(nproc)/" \
         -e 's/^#SBATCH --time=.*/#SBATCH --time=00:05:00/' \
         -e 's/--kernels [^ ]*/--kernels product:S,pi:S/' \
         -e 's/--repeat [0-9]* --warmup [0-9]*/--repeat 1 --warmup 0/' "$file"
  for edit in "partition=cluster" "nodes=$nodes" "ntasks-per-node=$(nproc)" "kernels product:S,pi:S"; do
    grep -q -- "$edit" "$file" || fail "$job: the documented edit '$edit' found no line to change"
  done
  # Watched every half second (sbatch --wait would look only every 30 s or so at the end).
  id=$(cd "$co" && on head sbatch --parsable "scripts/slurm/$job.sbatch" 2>"$tmp/submit.out")
  id=${id%%;*}
  [[ $id =~ ^[0-9]+$ ]] || { fail "$job: sbatch gave no job id:"; cat "$tmp/submit.out"; continue; }
  # Two minutes for the job (it takes about fifteen seconds); the controller not answering
  # three times in a row ends the wait too.
  job_state="" deadline=$((SECONDS + 120)) silent=0
  while [ $SECONDS -lt $deadline ] && [ $silent -lt 3 ]; do
    if on head timeout 15 scontrol show job "$id" >"$tmp/job" 2>&1; then silent=0; else silent=$((silent + 1)); fi
    job_state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' "$tmp/job")
    case $job_state in PENDING|CONFIGURING|RUNNING|COMPLETING|"") sleep 0.5 ;; *) break ;; esac
  done
  [ $silent -lt 3 ] || job_state="unknown: scontrol got no answer from the controller three times"
  code=0
  [ "$job_state" = COMPLETED ] || code=1
  [ "$code" -eq 0 ] || { on head timeout 15 scancel "$id" 2>/dev/null; echo "job $id: state $job_state" >>"$tmp/submit.out"; }
  out=$(ls "$co"/corescale-sweep-*.out 2>/dev/null | head -n 1)
  run=$co/results/latest
  if [ $code -ne 0 ]; then
    fail "$job: the job did not complete"; cat "$tmp/submit.out"; [ -n "$out" ] && tail -n 20 "$out"; continue
  fi
  if [ ! -s "$run/rows.csv" ] || [ ! -s "$run/points.csv" ]; then
    fail "$job: no results/latest/rows.csv and points.csv came back"; [ -n "$out" ] && tail -n 20 "$out"; continue
  fi
  bad=$(column "$run/points.csv" status | grep -vc '^ok$')
  points=$(column "$run/points.csv" status | wc -l)
  [ "$bad" -eq 0 ] || { fail "$job: $bad of $points points failed:"; grep -v ',ok,' "$run/points.csv"; }
  for d in cpu_serial cpu_omp cpu_mpi cpu_hybrid; do
    column "$run/rows.csv" driver | grep -qx "$d" || fail "$job: no row of $d"
  done
  # Rows from every node: the hosts column lists the hosts a point's ranks ran on.
  for ((i = 1; i <= nodes; i++)); do
    column "$run/rows.csv" hosts | grep -q "node$i" || fail "$job: no row says a rank ran on node$i"
  done
  [ -s "$run/summary.md" ] || fail "$job: no summary.md"
  for k in product pi; do
    [ -s "$run/plots/speedup-$k-S.png" ] || fail "$job: no speedup plot of $k (plots/speedup-$k-S.png)"
  done
  plots=$(ls "$run"/plots/*.png 2>/dev/null | wc -l)
  [ $failures -eq 0 ] && ok "$job: completed; $points points verified, rows from all $nodes nodes, $plots plots"
done
finish
