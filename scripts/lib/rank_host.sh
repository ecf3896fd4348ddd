#!/bin/sh
# Runs COMMAND as one MPI rank after noting, in FILE, the host this rank runs on: one line
# "RANK HOST", appended in one short write, so that ranks on many hosts never interleave.
# scripts/sweep.sh puts it between the launcher and a driver, to say in the rows where each
# rank ran. The rank comes from the launcher's environment (Open MPI, PMIx, Slurm, MPICH).
# Usage: rank_host.sh FILE COMMAND [ARG]...
file=$1
shift
rank=${OMPI_COMM_WORLD_RANK:-${PMIX_RANK:-${SLURM_PROCID:-${PMI_RANK:-unknown}}}}
host=$(uname -n)
printf '%s %s\n' "$rank" "${host%%.*}" >>"$file"
exec "$@"
