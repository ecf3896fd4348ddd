/* cpu_serial: every item on one thread, then the fixed tree: the reference run. */
#include <stdlib.h>

#include "clock.h"
#include "cpu_run.h"
#include "message.h"
#include "options.h"
#include "profile.h"
#include "stencil_plan.h"
#include "tree.h"

/* A stencil's every step of every block, then each block's diagnostics as a leaf. */
static int serial_steps(const cs_kernel *k, cs_problem *p, cs_partial **leaves,
                        const cs_step_record *rec, cs_err *err)
{
    uint64_t items = k->item_count(p);
    int rc = cs_stencil_steps_serial(k, p, rec, err);
    for (uint64_t i = 0; i < items && rc == CS_OK; i++)
        rc = k->item_run(p, i, &leaves[i], err);
    return rc;
}

static int serial_run(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
                      cs_phase *phase, cs_err *err)
{
    (void)ctx;
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    if (!leaves) {
        cs_err_set(err, "out of memory for %llu partials", (unsigned long long)items);
        return CS_ENOMEM;
    }
    double t0 = cs_clock_now();
    int rc = k->stencil ? serial_steps(k, p, leaves, phase->record, err) : CS_OK;
    for (uint64_t i = 0; i < items && rc == CS_OK && !k->stencil; i++) {
        double start = cs_prof_start();
        rc = k->item_run(p, i, &leaves[i], err);
        cs_prof_item(i, start);
    }
    double t1 = cs_clock_now();
    if (rc == CS_OK)
        rc = cs_tree_combine(k, p, leaves, 0, items, result, err);
    else
        cs_tree_free_leaves(k, leaves, items);
    phase->compute_s = t1 - t0;
    phase->combine_s = cs_clock_now() - t1;
    free(leaves);
    return rc;
}

static int serial_prepare(void *ctx, const cs_kernel *k, cs_problem *p, cs_err *err)
{
    (void)ctx;
    if (!k->item_prepare)
        return CS_OK;
    uint64_t items = k->item_count(p);
    for (uint64_t i = 0; i < items; i++) {
        int rc = k->item_prepare(p, i, err);
        if (rc != CS_OK)
            return rc;
    }
    return CS_OK;
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "cpu_serial",
        .purpose = "Run a CPU kernel on one thread: the reference for every parallel driver.",
        .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL,
    };
    cs_message_init(info.name);
    cs_options o;
    enum cs_parse_result parsed = cs_options_parse(&o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;

    cs_exec ex = {
        .driver = info.name, .ranks = 1, .threads = 1, .workers = 1, .is_root = 1,
        .binding = "none (one thread, not pinned)", .warnings = "",
        .run = serial_run, .prepare = serial_prepare,
    };
    o.bind = CS_BIND_NONE;
    int code = cs_cpu_run(&ex, &o);
    cs_options_free(&o);
    return code;
}
