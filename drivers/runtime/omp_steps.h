/* A pinned OpenMP team stepping a stencil's blocks, halos brought in by whoever owns the exchange. */
#ifndef CS_OMP_STEPS_H
#define CS_OMP_STEPS_H

#include <stdint.h>

#include "kernel.h"
#include "omp_team.h"
#include "stencil_plan.h"

/*
 * The team shares one grid: a thread reads its neighbours' cells in place,
 * and a barrier ends every step. What does not live in this process (other
 * ranks' blocks) comes through an exchange that the team's first thread runs
 * (MPI_THREAD_FUNNELED): post before the step (pack and send this process's
 * faces, post receives), finish before the cells that read halos (wait and
 * unpack). Without overlap a step is post, finish, barrier, every block
 * whole; with it, post, every block's inside, finish, barrier, every edge, so
 * the messages travel while the insides update.
 */
typedef struct cs_halo_exchange {
    void (*post)(void *ctx, uint64_t step);
    void (*finish)(void *ctx, uint64_t step);
    void *ctx;
} cs_halo_exchange;

/* This process's blocks and who steps them: thread t the blocks
 * blocks[start[t] .. start[t + 1]). */
typedef struct cs_step_share {
    const uint64_t *blocks;
    const uint64_t *start; /* team.threads + 1 */
} cs_step_share;

/* Starts the listed blocks (block_start) on the threads that will step them
 * (first touch). Returns CS_OK, or the first failure (a team that OpenMP
 * could not start whole included). */
int cs_team_start_blocks(const cs_team *t, const cs_kernel *k, cs_problem *p,
                         const cs_step_share *share, cs_err *err);

/* Every step of the started blocks. exchange NULL: no halos to bring (every
 * block is here). *exchange_s: the first thread's seconds inside post and
 * finish. rec: NULL, or where each block-step's seconds (its inside and edge
 * together) and each step's exchange go. Cannot fail: the exchange's own
 * failures end the job. */
void cs_team_steps(const cs_team *t, const cs_kernel *k, cs_problem *p,
                   const cs_step_share *share, const cs_halo_exchange *exchange, int overlap,
                   const cs_step_record *rec, double *exchange_s);

#endif
