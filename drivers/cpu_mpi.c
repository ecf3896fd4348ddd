/* cpu_mpi: MPI ranks share out the items and combine along the fixed tree; results match cpu_serial. */
#include "mpi_exec.h"
#include "options.h"

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "cpu_mpi",
        .purpose = "Run a CPU kernel on MPI ranks, one pinned worker each (mpirun -np P "
                   "cpu_mpi); results are identical to cpu_serial's.\nstatic: each rank a "
                   "block of items; dynamic/guided: rank 0 hands items out and computes too.",
        .fault_hook = 1,
        .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_SCHEDULE | CS_OPTS_BIND |
                  CS_OPTS_DECOMP | CS_OPTS_OVERLAP,
    };
    return cs_mpi_main(argc, argv, &info);
}
