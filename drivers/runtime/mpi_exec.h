/* MPI ranks (each with a pinned OpenMP team) as a cs_exec: start, pin, run, agree, finish. */
#ifndef CS_MPI_EXEC_H
#define CS_MPI_EXEC_H

#include "cpu_run.h"
#include "options.h"

/*
 * Items reach the ranks as mpi_handout.h says (static blocks, or rank 0's
 * hand-out), and their partials combine along the fixed tree as mpi_tree.h
 * says.
 *
 * Phases (root's row): compute_s, combine_s and comm_s are each the largest
 * over the ranks. Compute ends at a barrier once every rank has run its
 * items. comm_s is then the time spent sharing the item map, and packing,
 * receiving (once the partial is on its way) and unpacking partials: the
 * price of processes, each move counted once, by its receiver. Waiting for a
 * partner that is still combining (a receiver for the partial to come, a
 * sender for the receiver to take it) counts as combine_s, as cpu_omp counts
 * threads waiting inside the tree; so on rank 0, combine_s + comm_s is about
 * the tree's wall time. comm_bytes is every packed partial byte sent, summed
 * over ranks.
 *
 * Failures: every MPI call is checked, and a failed call aborts the job with
 * exit status 1 after a message from the rank that saw it. A rank whose
 * kernel fails says why, sends "failed" instead of partials, and all ranks
 * agree on the status, so the job exits 1 and never hangs.
 *
 * Fault injection for tests: CS_FAULT=RANK:ITEM makes item ITEM fail on rank
 * RANK (when that rank runs it; ITEM '*' is the first item it runs) as an
 * allocation would; CS_FAULT=RANK:ITEM:wrong doubles that item's partial
 * instead, so the root's verification fails. A malformed value or a rank the job
 * lacks exits 2 before any work; a fault that never fired (its rank never ran
 * that item) is said at the end and the job exits 1, so the hook cannot silently
 * do nothing.
 */

typedef struct cs_mpi cs_mpi;

/* MPI_Init_thread (FUNNELED: only each rank's master thread calls MPI) with
 * errors returned, not fatal. NULL after a message when MPI cannot start. */
cs_mpi *cs_mpi_start(int *argc, char ***argv, const char *program);

/* cs_options_parse on every rank; only rank 0's output (help, messages) is
 * shown. Non-root ranks are silent from here on, errors apart. */
enum cs_parse_result cs_mpi_parse(cs_mpi *m, cs_options *o, const cs_program_info *info,
                                  int argc, char **argv);

/* Pinning, teams and the exec. threads == 0: this rank's share of its node's
 * cores. Returns CS_OK, or an exit code after a message on rank 0. */
int cs_mpi_setup(cs_mpi *m, const cs_options *o, unsigned threads, const char *driver,
                 cs_exec *ex);

/* --show-binding: every rank's workers, printed by rank 0. */
void cs_mpi_show_binding(cs_mpi *m);

/* Frees, MPI_Finalize, and returns code (the worst over all ranks). */
int cs_mpi_finish(cs_mpi *m, int code);

/* The whole main() of an MPI CPU driver: start, parse, set up, run every
 * case, show the binding, finish. Ranks run --threads threads when the
 * driver offers that option (cpu_hybrid), one otherwise (cpu_mpi). */
int cs_mpi_main(int argc, char **argv, const cs_program_info *info);

#endif
