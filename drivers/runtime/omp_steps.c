/* A pinned OpenMP team stepping a stencil's blocks, with a barrier a step. */
#include "omp_steps.h"

#include <omp.h>

#include "clock.h"
#include "profile.h"

static void run_part(const cs_stencil *st, cs_problem *p, const cs_step_share *share,
                     unsigned tid, uint64_t step, enum cs_block_part part,
                     const cs_step_record *rec)
{
    for (uint64_t i = share->start[tid]; i < share->start[tid + 1]; i++) {
        uint64_t b = share->blocks[i];
        double t0 = rec ? cs_clock_now() : 0.0;
        st->block_step(p, b, step, part);
        if (rec) /* a block's inside and edge add up: one thread steps it */
            rec->block_s[b * rec->steps + step] += cs_clock_now() - t0;
    }
}

/* The first thread's time in the exchange: the run's total, and the step's for --profile. */
static void note_exchange(const cs_step_record *rec, uint64_t step, double seconds, double *total)
{
    *total += seconds;
    if (rec)
        rec->exchange_s[step] += seconds;
}

int cs_team_start_blocks(const cs_team *t, const cs_kernel *k, cs_problem *p,
                         const cs_step_share *share, cs_err *err)
{
    const cs_stencil *st = k->stencil;
    int status = CS_OK, short_team = 0;
    cs_err first = {{0}};
#pragma omp parallel num_threads(t->threads)
    {
        unsigned tid = (unsigned)omp_get_thread_num();
        /* OpenMP may give fewer threads than asked: blocks would go unstepped (every thread
         * reads the verdict after the barrier below) */
        if (omp_get_num_threads() != (int)t->threads) {
#pragma omp atomic write
            short_team = 1;
        }
        if (t->pin)
            cs_pin_bind_self(t->pin, tid);
#pragma omp barrier
        cs_err mine = {{0}};
        for (uint64_t i = share->start[tid]; i < share->start[tid + 1] && !short_team; i++) {
            int rc = st->block_start(p, share->blocks[i], &mine);
            if (rc != CS_OK) {
#pragma omp critical(cs_steps_error)
                if (status == CS_OK) {
                    status = rc;
                    first = mine;
                }
            }
        }
    }
    if (short_team) {
        cs_err_set(err, "OpenMP started fewer threads than %u (is OMP_THREAD_LIMIT set?)",
                   t->threads);
        return CS_EINVAL;
    }
    if (status != CS_OK)
        *err = first;
    return status;
}

void cs_team_steps(const cs_team *t, const cs_kernel *k, cs_problem *p,
                   const cs_step_share *share, const cs_halo_exchange *exchange, int overlap,
                   const cs_step_record *rec, double *exchange_s)
{
    const cs_stencil *st = k->stencil;
    uint64_t steps = st->steps(p);
    double in_exchange = 0.0;
    /* the team's size was checked when its blocks started: every thread is here */
#pragma omp parallel num_threads(t->threads)
    {
        unsigned tid = (unsigned)omp_get_thread_num();
        if (t->pin)
            cs_pin_bind_self(t->pin, tid);
        for (uint64_t s = 0; s < steps; s++) {
            if (exchange && tid == 0) {
                double t0 = cs_clock_now();
                exchange->post(exchange->ctx, s);
                if (!overlap)
                    exchange->finish(exchange->ctx, s);
                note_exchange(rec, s, cs_clock_now() - t0, &in_exchange);
            }
            if (exchange && overlap) {
                run_part(st, p, share, tid, s, CS_PART_INSIDE, rec);
                if (tid == 0) {
                    double t0 = cs_clock_now();
                    exchange->finish(exchange->ctx, s);
                    note_exchange(rec, s, cs_clock_now() - t0, &in_exchange);
                }
#pragma omp barrier
                run_part(st, p, share, tid, s, CS_PART_EDGE, rec);
            } else {
                if (exchange) {
#pragma omp barrier
                }
                run_part(st, p, share, tid, s, CS_PART_ALL, rec);
            }
#pragma omp barrier
        }
        if (t->pin)
            cs_pin_check_self(t->pin, tid);
    }
    *exchange_s = in_exchange;
}
