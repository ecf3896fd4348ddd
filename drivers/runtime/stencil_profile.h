/* --profile for a stencil: work, span and predicted times from each block's every step. */
#ifndef CS_STENCIL_PROFILE_H
#define CS_STENCIL_PROFILE_H

#include <stdio.h>

#include "kernel.h"
#include "options.h"
#include "stencil_plan.h"

/*
 * A stencil runs in supersteps: every block's step s reads the step before,
 * so no block's step s + 1 starts before its neighbours' step s ends. The
 * record (one repetition's seconds per block per step, and per step in the
 * halo exchange) gives
 *   work   T1 = the sum over every block's every step,
 *   span   Tinf = the sum over steps of the slowest block's step (with as many
 *          workers as blocks, each step waits for its slowest block),
 *   T(p)   the sum over steps of the busiest worker's blocks when --decomp
 *          shares the blocks among p workers (no exchange, no contention for
 *          memory: what the cut alone allows), never below T1/p nor Tinf.
 * The exchange is reported beside them: measured, per step, the slowest
 * rank's; with one process it is 0.
 */
typedef struct cs_step_stats {
    double work_s, span_s, exchange_s;
} cs_step_stats;

void cs_step_stats_of(const cs_step_record *rec, cs_step_stats *out);

/* T(p) for `parts` workers sharing the blocks of grid g by d. -1 when out of memory. */
double cs_step_predict(const cs_step_record *rec, const cs_block_grid *g, enum cs_decomp d,
                       const cs_step_stats *s, unsigned parts);

/* "# profile n=64: ..." lines for people: work, span, exchange, predicted speedups (for the
 * worker counts up to the blocks: beyond, workers would only wait). */
void cs_step_print(FILE *f, const char *prefix, const cs_step_record *rec, const cs_block_grid *g,
                   enum cs_decomp d, const unsigned *workers, unsigned count);

/* The repetition into the --profile file: a '#' header and a '#' line a step (the file's
 * readers skip them; cs_profile reads reductions' graphs). Returns 0 or -1 (write error). */
int cs_step_write(FILE *f, const char *head, const cs_step_record *rec);

/* cs_profile's reading of a file's stencil blocks: for each, its head and its work, span,
 * parallelism and halo exchange from the step lines (which keep no block's own time, so no
 * prediction), printed to out. Returns the blocks read; f is read to its end. */
unsigned cs_step_summarise(FILE *f, FILE *out);

#endif
