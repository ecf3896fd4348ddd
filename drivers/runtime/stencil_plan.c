/* A stencil's blocks shared out to workers, and the one-thread stepping that every plan must match. */
#include "stencil_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "message.h"
#include "tree.h"

/* The parts' grid for `parts` over the block grid: every factorisation with no
 * dimension cut finer than its blocks, the one with the least halo per part
 * (the sum of 1/parts along each dimension: a part's faces, relative). */
static void parts_grid(const cs_block_grid *g, enum cs_decomp d, unsigned parts, unsigned *out)
{
    for (unsigned i = 0; i < CS_GRID_DIMS_MAX; i++)
        out[i] = 1;
    out[0] = parts;
    if (d == CS_DECOMP_ROWS || g->dims < 2)
        return;
    double best = -1.0;
    /* from the most cuts along the first dimension down: on a tie, the slabs
     * that are contiguous in memory and in block order win */
    for (unsigned a = parts; a >= 1; a--) {
        if (parts % a || a > g->extent[0])
            continue;
        unsigned rest = parts / a;
        for (unsigned b = 1; b <= rest; b++) {
            if (rest % b || b > g->extent[1])
                continue;
            unsigned c = rest / b;
            if ((g->dims < 3 && c != 1) || (g->dims == 3 && c > g->extent[2]))
                continue;
            double halo = 1.0 / a + 1.0 / b + (g->dims == 3 ? 1.0 / c : 0.0);
            if (best < 0 || halo < best - 1e-12) {
                best = halo;
                out[0] = a;
                out[1] = b;
                out[2] = c;
            }
        }
    }
    /* no factorisation fits (a prime count above the block grid's side): rows */
}

/* Which of `parts` ranges of `extent` (cs_static_start) holds index i. */
static unsigned range_of(uint64_t extent, unsigned parts, uint64_t i)
{
    unsigned q = 0;
    while (q + 1 < parts && cs_static_start(extent, parts, q + 1) <= i)
        q++;
    return q;
}

int cs_block_plan_make(const cs_block_grid *g, enum cs_decomp d, unsigned parts,
                       cs_block_plan *plan, cs_err *err)
{
    memset(plan, 0, sizeof *plan);
    uint64_t blocks = 1;
    for (unsigned i = 0; i < g->dims; i++)
        blocks *= g->extent[i];
    plan->blocks = blocks;
    plan->parts = parts;
    plan->part = malloc(blocks * sizeof *plan->part);
    plan->order = malloc(blocks * sizeof *plan->order);
    plan->start = calloc((size_t)parts + 1, sizeof *plan->start);
    if (!plan->part || !plan->order || !plan->start) {
        cs_block_plan_free(plan);
        cs_err_set(err, "out of memory for the plan of %llu blocks", (unsigned long long)blocks);
        return CS_ENOMEM;
    }
    parts_grid(g, d, parts, plan->grid);
    for (uint64_t b = 0; b < blocks; b++) {
        uint64_t rest = b, at[CS_GRID_DIMS_MAX] = {0, 0, 0};
        for (unsigned i = g->dims; i-- > 0;) {
            at[i] = rest % g->extent[i];
            rest /= g->extent[i];
        }
        unsigned q = 0;
        for (unsigned i = 0; i < g->dims; i++)
            q = q * plan->grid[i] + range_of(g->extent[i], plan->grid[i], at[i]);
        plan->part[b] = q;
        plan->start[q + 1]++;
    }
    for (unsigned q = 0; q < parts; q++) {
        plan->idle += plan->start[q + 1] == 0;
        plan->start[q + 1] += plan->start[q];
    }
    uint64_t *fill = malloc(((size_t)parts + 1) * sizeof *fill);
    if (!fill) {
        cs_block_plan_free(plan);
        cs_err_set(err, "out of memory for the plan of %llu blocks", (unsigned long long)blocks);
        return CS_ENOMEM;
    }
    memcpy(fill, plan->start, ((size_t)parts + 1) * sizeof *fill);
    for (uint64_t b = 0; b < blocks; b++)
        plan->order[fill[plan->part[b]]++] = b;
    free(fill);
    return CS_OK;
}

void cs_block_plan_free(cs_block_plan *plan)
{
    free(plan->part);
    free(plan->order);
    free(plan->start);
    memset(plan, 0, sizeof *plan);
}

void cs_block_plan_warn_idle(const cs_block_plan *plan, const cs_block_grid *g, enum cs_decomp d,
                             const char *kernel)
{
    static int said;
    if (!plan->idle || said)
        return;
    said = 1;
    char grid[64];
    int at = snprintf(grid, sizeof grid, "%llu", (unsigned long long)g->extent[0]);
    for (unsigned i = 1; i < g->dims && at > 0 && (size_t)at < sizeof grid; i++)
        at += snprintf(grid + at, sizeof grid - (size_t)at, " x %llu",
                       (unsigned long long)g->extent[i]);
    cs_warn("%s: %u of %u workers own no block under --decomp %s (a %s block grid); they only "
            "wait: give more --chunks%s", kernel, plan->idle, plan->parts, cs_decomp_name(d), grid,
            d == CS_DECOMP_ROWS ? " or --decomp blocks" : "");
}

void cs_block_plan_label(enum cs_decomp d, int overlap, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", cs_decomp_name(d), overlap ? "+overlap" : "");
}

int cs_stencil_steps_serial(const cs_kernel *k, cs_problem *p, const cs_step_record *rec,
                            cs_err *err)
{
    const cs_stencil *st = k->stencil;
    uint64_t blocks = k->item_count(p), steps = st->steps(p);
    for (uint64_t b = 0; b < blocks; b++) {
        int rc = st->block_start(p, b, err);
        if (rc != CS_OK)
            return rc;
    }
    for (uint64_t s = 0; s < steps; s++)
        for (uint64_t b = 0; b < blocks; b++) {
            double t0 = rec ? cs_clock_now() : 0.0;
            st->block_step(p, b, s, CS_PART_ALL);
            if (rec)
                rec->block_s[b * steps + s] = cs_clock_now() - t0;
        }
    return CS_OK;
}

int cs_stencil_leaves(const cs_kernel *k, cs_problem *p, const uint64_t *blocks, uint64_t count,
                      cs_partial **leaves, cs_err *err)
{
    for (uint64_t i = 0; i < count; i++) {
        int rc = k->item_run(p, blocks[i], &leaves[blocks[i]], err);
        if (rc != CS_OK)
            return rc;
    }
    return CS_OK;
}
