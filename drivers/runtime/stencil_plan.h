/* A stencil's blocks shared out to workers (--decomp), the same map on every process. */
#ifndef CS_STENCIL_PLAN_H
#define CS_STENCIL_PLAN_H

#include <stdint.h>

#include "kernel.h"
#include "options.h"

/*
 * The blocks are the problem's (--chunks); a plan only says which part (a
 * rank, or a thread) updates each. rows: the block grid's first dimension is
 * cut into `parts` strips, each a whole slab of block rows, so a part's halo
 * is the grid's full width. blocks: the parts form a grid of their own, as
 * close to square as the block grid allows, so the halo shrinks with the
 * parts' side. Either way each part's blocks touch, and a part's blocks are
 * listed in index order.
 */
typedef struct cs_block_plan {
    uint64_t blocks;
    unsigned parts;
    unsigned *part;  /* per block: who updates it */
    uint64_t *order; /* the blocks by part, then index */
    uint64_t *start; /* part q's blocks are order[start[q] .. start[q + 1]) */
    unsigned grid[CS_GRID_DIMS_MAX]; /* the parts' own grid (rows: parts x 1) */
    unsigned idle;   /* parts with no block: more parts than the decomposition can cut */
} cs_block_plan;

/* Returns CS_OK, or CS_ENOMEM with err set. */
int cs_block_plan_make(const cs_block_grid *g, enum cs_decomp d, unsigned parts,
                       cs_block_plan *plan, cs_err *err);
void cs_block_plan_free(cs_block_plan *plan);

/* Once per process, on stderr: some of the plan's parts own no block (their workers wait). */
void cs_block_plan_warn_idle(const cs_block_plan *plan, const cs_block_grid *g, enum cs_decomp d,
                             const char *kernel);

/* "rows", "blocks 2x2", with "+overlap": what the rows' schedule column says. */
void cs_block_plan_label(enum cs_decomp d, int overlap, char *buf, size_t size);

/* --profile of a stencil: what each block's every step cost, and the halo exchange's every
 * step (the first thread's time in it). The drivers fill it (on the root for every rank). */
typedef struct cs_step_record {
    uint64_t blocks, steps;
    double *block_s;    /* [block * steps + step] seconds */
    double *exchange_s; /* [step] seconds; the slowest rank's */
} cs_step_record;

/* One process, one thread: every block, every step, in index order. rec: NULL, or where
 * to record each block-step's seconds. */
int cs_stencil_steps_serial(const cs_kernel *k, cs_problem *p, const cs_step_record *rec,
                            cs_err *err);

/* leaves[b] = item_run(b) for the listed blocks, once the steps are done. */
int cs_stencil_leaves(const cs_kernel *k, cs_problem *p, const uint64_t *blocks, uint64_t count,
                      cs_partial **leaves, cs_err *err);

#endif
