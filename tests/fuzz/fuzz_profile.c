/*
 * Fuzz target: the profile reader (cs_profile, predict.sh), which takes any
 * file a user names. What it accepts must hold together: the span is no
 * longer than the work allows, a replay on one worker is the work, the
 * prediction at p workers is never below work/p or the span, and the
 * blocks written back read again to the same work and span.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "profile_file.h"
#include "span.h"

/* Relative slack for sums taken in another order. */
static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(a) + fabs(b)); }

static void check_block(const cs_graph *g, unsigned i)
{
    cs_message_model m = cs_message_fit(g);
    cs_span_stats s;
    if (cs_span_stats_of(g, &m, &s) != 0)
        return; /* refused: a dependency not earlier than its task */
    if (!(s.work_s >= 0) || !(s.span_s >= 0))
        cs_fuzz_fail("block %u: work %g s, span %g s: not both >= 0", i, s.work_s, s.span_s);
    double one = cs_span_replay(g, &m, 1);
    if (!close_to(one, s.work_s) && one < s.work_s)
        cs_fuzz_fail("block %u: one worker's replay %.17g s is less than the work %.17g s", i, one,
                     s.work_s);
    static const unsigned workers[] = {2, 3, 64};
    for (unsigned k = 0; k < sizeof workers / sizeof *workers; k++) {
        unsigned p = workers[k];
        double t = cs_span_predict(g, &m, &s, p);
        if (!(t >= s.work_s / p || close_to(t, s.work_s / p)) ||
            !(t >= s.span_s || close_to(t, s.span_s)))
            cs_fuzz_fail("block %u: %u workers predicted %.17g s, under work/p %.17g or span %.17g",
                         i, p, t, s.work_s / p, s.span_s);
    }
}

/* Writes the blocks and reads them back: the same count and the same work. */
static void check_round_trip(cs_graph *blocks, unsigned count)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return;
    cs_profile_write_start(out);
    for (unsigned i = 0; i < count; i++)
        if (cs_profile_write_block(out, &blocks[i]) != 0)
            cs_fuzz_fail("block %u did not write", i);
    fclose(out);
    FILE *in = fmemopen(text, len, "r");
    cs_graph *again = NULL;
    unsigned again_count = 0;
    char why[256];
    if (!in)
        cs_fuzz_fail("fmemopen failed");
    int rc = cs_profile_read(in, &again, &again_count, why, sizeof why);
    fclose(in);
    if (rc != 0)
        cs_fuzz_fail("blocks written from an accepted file are refused: %s", why);
    if (again_count != count)
        cs_fuzz_fail("%u blocks written, %u read back", count, again_count);
    for (unsigned i = 0; i < count; i++) {
        if (again[i].count != blocks[i].count || again[i].dep_count != blocks[i].dep_count)
            cs_fuzz_fail("block %u: tasks or dependencies changed in writing", i);
        for (uint32_t t = 0; t < blocks[i].count; t++)
            if (again[i].task[t].kind != blocks[i].task[t].kind ||
                again[i].task[t].bytes != blocks[i].task[t].bytes)
                cs_fuzz_fail("block %u task %u changed in writing", i, t + 1);
        cs_graph_free(&again[i]);
    }
    free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    cs_graph *blocks = NULL;
    unsigned count = 0;
    char why[256];
    int rc = cs_profile_read(f, &blocks, &count, why, sizeof why);
    fclose(f);
    if (rc != 0)
        return 0;
    for (unsigned i = 0; i < count; i++)
        check_block(&blocks[i], i);
    check_round_trip(blocks, count);
    for (unsigned i = 0; i < count; i++)
        cs_graph_free(&blocks[i]);
    free(blocks);
    return 0;
}
