/* Items across MPI ranks: static blocks, or rank 0 handing them out on request. */
#ifndef CS_MPI_HANDOUT_H
#define CS_MPI_HANDOUT_H

#include <mpi.h>
#include <stdint.h>

#include "omp_team.h"
#include "options.h"

/*
 * --schedule static gives global worker w = rank * threads + thread the
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
 * Only each rank's thread 0 (the one that called MPI_Init_thread) calls MPI.
 */

typedef struct cs_handout cs_handout;

/* One run's hand-out of `items` items over the ranks of comm, `threads`
 * threads each. NULL when out of memory. */
cs_handout *cs_handout_new(MPI_Comm comm, unsigned threads, uint64_t items,
                           enum cs_schedule schedule);

/* What this rank's team draws its items from (cs_team_run drains it). */
cs_source cs_handout_source(cs_handout *h);

/* Collective, once every rank's team has drained its source: owner[item] is
 * the rank that ran item, the same map on every rank (held by h). */
const int *cs_handout_owners(cs_handout *h);

void cs_handout_free(cs_handout *h);

#endif
