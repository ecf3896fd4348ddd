/* MPI ranks (each with a pinned OpenMP team) as a cs_exec: hand-out, cross-rank tree, agreement. */
#ifndef CS_MPI_EXEC_H
#define CS_MPI_EXEC_H

#include "cpu_run.h"
#include "options.h"

/*
 * Items: --schedule static gives global worker w = rank * threads + thread the
 * block cs_static_start(items, ranks * threads, w), the block it first-touched.
 * dynamic and guided: rank 0 hands out items on request, and computes too (it
 * serves requests between its own items, and its threads take items one at a
 * time). A rank is given the items of its own static block first, front to
 * back (the ones it first-touched: triad's arrays stay where they were
 * made); once that is done it takes from the back of the block with most
 * left (work stealing, through rank 0). The other ranks keep up to four items
 * per thread queued, with one request in flight, so they rarely wait for rank
 * 0; a grant is what they ask for (dynamic), shrinking as the items run out,
 * or at least a shrinking share of what is left (guided), so a rank's items
 * come in contiguous runs, and its threads take them one by one.
 *
 * Tree: every rank learns which rank ran each item. A node whose items all
 * ran on one rank is combined there (by its OpenMP team); a node spanning
 * ranks is combined by the rank that ran its first item, which receives the
 * right half's packed partial from the rank that holds it. Every rank walks
 * the spanning nodes in the same post-order, so the sends and receives pair
 * up without deadlock, and the arithmetic is exactly cs_tree_mid's.
 *
 * Phases (root's row): compute_s, combine_s and comm_s are each the largest
 * over the ranks. Compute ends at a barrier once every rank has run its
 * items; comm_s is then the time spent sharing the item map and packing,
 * moving (waiting for a partner's combine included) and unpacking partials;
 * comm_bytes is every packed partial byte sent, summed over ranks.
 *
 * Failures: every MPI call is checked, and a failed call aborts the job with
 * exit status 1 after a message from the rank that saw it. A rank whose
 * kernel fails says why, sends "failed" instead of partials, and all ranks
 * agree on the status, so the job exits 1 and never hangs.
 *
 * Fault injection for tests: CS_FAULT=RANK:ITEM makes item ITEM fail on rank
 * RANK (when that rank runs it; ITEM '*' is the first item it runs) as an
 * allocation would; CS_FAULT=RANK:ITEM:wrong doubles that item's partial
 * instead, so the root's verification fails.
 */

typedef struct cs_mpi cs_mpi;

/* MPI_Init_thread (FUNNELED: only each rank's master thread calls MPI) with
 * errors returned, not fatal. NULL after a message when MPI cannot start. */
cs_mpi *cs_mpi_start(int *argc, char ***argv, const char *program);
int cs_mpi_rank(const cs_mpi *m);

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

#endif
