/* cpu_omp: one process, OpenMP threads pinned to cores, the same items and tree as cpu_serial. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cpu_run.h"
#include "message.h"
#include "omp_steps.h"
#include "omp_team.h"
#include "options.h"
#include "pin.h"
#include "stencil_plan.h"
#include "tree.h"

/*
 * Items go to threads by --schedule: static gives thread t the block it
 * first-touched (cs_static_start); dynamic runs that block too, one item at a
 * time, then takes items one at a time from the blocks of threads still busy
 * (so triad's arrays are read where they were made, and the load still
 * balances); guided a shrinking share of what is left, in index order. Then
 * the fixed tree combines the leaves, the two halves of each upper node as
 * parallel tasks.
 *
 * A stencil's blocks go to threads by --decomp instead, and stay with them
 * every step: the threads share one grid, read each other's cells in place,
 * and meet at a barrier a step. Its blocks' diagnostics then combine in the
 * same tree.
 */

struct omp_driver {
    cs_team team;
    enum cs_schedule schedule;
    enum cs_decomp decomp;
    unsigned cores;
    unsigned warned;    /* warning bits already said on stderr */
    char warnings[128]; /* the CSV column: ex.warnings points here */
};

/* Warnings join every later row at once; they reach stderr once work starts
 * (so that a usage error stays the only message), each said once. */
static void note_warnings(struct omp_driver *d)
{
    cs_pin_warning_words(cs_pin_warnings(d->team.pin), d->warnings, sizeof d->warnings);
}

static void say_warnings(struct omp_driver *d)
{
    unsigned bits = cs_pin_warnings(d->team.pin);
    note_warnings(d);
    if (bits & ~d->warned)
        cs_pin_warn(bits & ~d->warned, d->team.threads, d->cores, cs_pin_failure(d->team.pin));
    d->warned |= bits;
}

/* The leaves through the fixed tree after work that began at t0 and ended with status rc
 * (the leaves are freed either way); the phases of the run. Frees the leaves' array. */
static int combine_leaves(struct omp_driver *d, const cs_kernel *k, cs_problem *p,
                          cs_partial **leaves, uint64_t items, int rc, double t0,
                          cs_partial **result, cs_phase *phase, cs_err *err)
{
    double t1 = cs_clock_now();
    if (rc == CS_OK) {
        uint64_t lo = 0;
        rc = cs_team_tree(&d->team, k, p, leaves, &lo, &items, 1, result, err);
    } else {
        cs_tree_free_leaves(k, leaves, items);
    }
    phase->compute_s = t1 - t0;
    phase->combine_s = cs_clock_now() - t1;
    free(leaves);
    return rc;
}

/* A stencil: blocks to threads by --decomp, every step, then the tree. */
static int omp_steps(struct omp_driver *d, const cs_kernel *k, cs_problem *p, cs_partial **result,
                     cs_phase *phase, cs_err *err)
{
    cs_block_grid g;
    k->stencil->block_grid(p, &g);
    cs_block_plan plan;
    int rc = cs_block_plan_make(&g, d->decomp, d->team.threads, &plan, err);
    if (rc != CS_OK)
        return rc;
    cs_block_plan_warn_idle(&plan, &g, d->decomp, k->name);
    uint64_t items = plan.blocks;
    cs_partial **leaves = calloc(items, sizeof *leaves);
    if (!leaves) {
        cs_block_plan_free(&plan);
        cs_err_set(err, "out of memory for %llu partials", (unsigned long long)items);
        return CS_ENOMEM;
    }
    cs_step_share share = {plan.order, plan.start};
    double t0 = cs_clock_now(), exchange_s = 0.0;
    rc = cs_team_start_blocks(&d->team, k, p, &share, err);
    if (rc == CS_OK) {
        cs_team_steps(&d->team, k, p, &share, NULL, 0, phase->record, &exchange_s);
        rc = cs_stencil_leaves(k, p, plan.order, items, leaves, err);
    }
    rc = combine_leaves(d, k, p, leaves, items, rc, t0, result, phase, err);
    cs_block_plan_free(&plan);
    say_warnings(d);
    return rc;
}

static int omp_run(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
                   cs_phase *phase, cs_err *err)
{
    struct omp_driver *d = ctx;
    if (k->stencil)
        return omp_steps(d, k, p, result, phase, err);
    unsigned threads = d->team.threads;
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    uint8_t *given = calloc(threads, 1);
    uint64_t *next = calloc(threads, sizeof *next);
    if (!leaves || !given || !next) {
        free(leaves);
        free(given);
        free(next);
        cs_err_set(err, "out of memory for %llu partials", (unsigned long long)items);
        return CS_ENOMEM;
    }
    cs_static_source fixed = {items, threads, 0, given};
    cs_owned_source owned = {items, threads, next};
    cs_owned_start(&owned);
    cs_guided_source guided = {0, items, threads};
    cs_source src = d->schedule == CS_SCHEDULE_STATIC    ? (cs_source){cs_static_next, &fixed}
                    : d->schedule == CS_SCHEDULE_DYNAMIC ? (cs_source){cs_owned_next, &owned}
                                                         : (cs_source){cs_guided_next, &guided};
    double t0 = cs_clock_now();
    int rc = cs_team_run(&d->team, k, p, &src, leaves, err);
    rc = combine_leaves(d, k, p, leaves, items, rc, t0, result, phase, err);
    free(given);
    free(next);
    say_warnings(d);
    return rc;
}

static int omp_prepare(void *ctx, const cs_kernel *k, cs_problem *p, cs_err *err)
{
    struct omp_driver *d = ctx;
    say_warnings(d);
    return cs_team_prepare(&d->team, k, p, d->team.threads, 0, err);
}

static void show_binding(const struct omp_driver *d)
{
    printf("# binding checked after the work: thread -> core, and where it last ran\n");
    for (unsigned w = 0; w < d->team.threads; w++) {
        char line[160];
        cs_pin_worker_report(d->team.pin, w, line, sizeof line);
        printf("#   thread %u -> %s\n", w, line);
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "cpu_omp",
        .purpose = "Run a CPU kernel on OpenMP threads pinned to cores; results are identical "
                   "to cpu_serial's.",
        .groups = CS_OPTS_COMMON | CS_OPTS_KERNEL | CS_OPTS_THREADS | CS_OPTS_SCHEDULE |
                  CS_OPTS_BIND | CS_OPTS_DECOMP,
        .threads_default = "worker threads (default: every physical core this process may use)",
    };
    cs_message_init(info.name);
    cs_options o;
    enum cs_parse_result parsed = cs_options_parse(&o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;
    cs_message_set_silent(o.quiet);

    struct omp_driver d = {.schedule = o.schedule, .decomp = o.decomp};
    cs_err err = {{0}};
    int code = CS_EXIT_FAIL;
    if (cs_pin_open(&d.team.pin, NULL, &err) != CS_OK) {
        cs_error("%s", err.msg);
        goto out;
    }
    d.cores = cs_pin_cores_in(d.team.pin, NULL);
    d.team.threads = o.threads ? o.threads : (d.cores ? d.cores : 1);
    if (cs_team_room(d.team.threads, o.threads != 0) != 0) {
        code = CS_EXIT_USAGE;
        goto out;
    }
    if (cs_pin_plan(d.team.pin, o.bind, NULL, d.team.threads, 0, d.team.threads, &err) != CS_OK) {
        cs_error("--bind '%s': %s", cs_bind_name(o.bind), err.msg);
        goto out;
    }
    omp_set_dynamic(0);
    cs_team_bind(&d.team);
    note_warnings(&d);

    char binding[512];
    cs_pin_describe(d.team.pin, binding, sizeof binding);
    cs_exec ex = {
        .driver = info.name, .ranks = 1, .threads = d.team.threads, .workers = d.team.threads,
        .is_root = 1, .binding = binding, .warnings = d.warnings, .ctx = &d,
        .run = omp_run, .prepare = omp_prepare,
    };
    code = cs_cpu_run(&ex, &o);
    if (o.show_binding)
        show_binding(&d);
out:
    cs_pin_close(d.team.pin);
    cs_options_free(&o);
    return code;
}
