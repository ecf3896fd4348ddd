/* cpu_hybrid: MPI ranks x pinned OpenMP threads, the same items and tree as cpu_serial. */
#include "cpu_run.h"
#include "message.h"
#include "mpi_exec.h"
#include "options.h"

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "cpu_hybrid",
        .purpose = "Run a CPU kernel on MPI ranks of pinned OpenMP threads (mpirun -np P "
                   "cpu_hybrid --threads T); results are identical to cpu_serial's.\nstatic: "
                   "each thread a block of items; dynamic/guided: rank 0 hands items out.",
        .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_THREADS | CS_OPTS_SCHEDULE |
                  CS_OPTS_BIND,
        .threads_default = "threads per rank (default: the rank's share of its node's "
                           "cores)",
    };
    cs_message_init(info.name);
    cs_mpi *m = cs_mpi_start(&argc, &argv, info.name);
    if (!m)
        return CS_EXIT_FAIL;
    cs_options o;
    enum cs_parse_result parsed = cs_mpi_parse(m, &o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return cs_mpi_finish(m, parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE);
    if (o.quiet)
        cs_message_set_silent(1);

    cs_exec ex;
    int code = cs_mpi_setup(m, &o, o.threads, info.name, &ex);
    if (code == CS_EXIT_OK) {
        code = cs_cpu_run(&ex, &o);
        if (o.show_binding)
            cs_mpi_show_binding(m);
    }
    cs_options_free(&o);
    return cs_mpi_finish(m, code);
}
