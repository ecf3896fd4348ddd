/* cpu_hybrid: MPI ranks x pinned OpenMP threads, the same items and tree as cpu_serial. */
#include "mpi_exec.h"
#include "options.h"

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "cpu_hybrid",
        .purpose = "Run a CPU kernel on MPI ranks of pinned OpenMP threads (mpirun -np P "
                   "cpu_hybrid --threads T); results are identical to cpu_serial's.\nstatic: "
                   "each thread a block of items; dynamic/guided: rank 0 hands items out.",
        .fault_hook = 1,
        .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_THREADS | CS_OPTS_SCHEDULE |
                  CS_OPTS_BIND | CS_OPTS_DECOMP | CS_OPTS_OVERLAP,
        .threads_default = "threads per rank (default: the rank's share of its node's "
                           "cores)",
    };
    return cs_mpi_main(argc, argv, &info);
}
