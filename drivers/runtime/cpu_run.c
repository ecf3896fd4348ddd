/* The case loop of every CPU driver: the same steps, whatever runs the items. */
#include "cpu_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "cache.h"
#include "clock.h"
#include "heap.h"
#include "message.h"
#include "profile_file.h"
#include "row.h"
#include "span.h"
#include "stencil_plan.h"
#include "stencil_profile.h"

/* A run shorter than this many clock ticks, or than 10 ms, is flagged. */
#define SHORT_RUN_TICKS 20
#define SHORT_RUN_S 0.010

struct case_times {
    double *wall, *compute, *combine;
};

static int agree(const cs_exec *ex, int status)
{
    return ex->agree ? ex->agree(ex->ctx, status) : status;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, unsigned count)
{
    double sorted[count];
    memcpy(sorted, v, count * sizeof *v);
    qsort(sorted, count, sizeof *sorted, cmp_double);
    return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

static double min_of(const double *v, unsigned count)
{
    double m = v[0];
    for (unsigned i = 1; i < count; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static double max_of(const double *v, unsigned count)
{
    double m = v[0];
    for (unsigned i = 1; i < count; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

/* Every case is checked before any work runs, so a bad size exits 2 at once.
 * Every rank checks; only the root says why, so a job prints one message. */
static int validate_cases(const cs_exec *ex, const cs_options *o, uint64_t chunks)
{
    for (size_t i = 0; i < o->n_count; i++) {
        cs_problem *p = NULL;
        cs_err err = {{0}};
        int rc = cs_case_new(o->kernel, o->n[i], chunks, o->steps, &p, &err);
        if (rc != CS_OK) {
            if (ex->is_root)
                cs_error("%s", err.msg);
            return rc == CS_ENOMEM ? CS_EXIT_FAIL : CS_EXIT_USAGE;
        }
        o->kernel->problem_free(p);
    }
    return CS_EXIT_OK;
}

/* The schedule means something only to drivers that take --schedule; for a
 * stencil the column says how its blocks were shared (--decomp, --overlap). */
static const char *schedule_label(const cs_options *o)
{
    static char decomp[16]; /* "blocks+overlap": the profile's schedule field holds 16 */
    if (o->kernel->stencil) {
        if (!(o->groups & CS_OPTS_DECOMP))
            return "";
        cs_block_plan_label(o->decomp, o->overlap, decomp, sizeof decomp);
        return decomp;
    }
    return (o->groups & CS_OPTS_SCHEDULE) ? cs_schedule_name(o->schedule) : "";
}

static void print_header(const cs_exec *ex, const cs_options *o, double tick)
{
    char utc[32];
    cs_clock_utc(utc, sizeof utc);
    printf("# %s (corescale %s, revision %s)\n", ex->driver, CS_VERSION, CS_REVISION);
    printf("# kernel %s: %s; n = the %s\n", o->kernel->name, o->kernel->what,
           o->kernel->n_meaning);
    printf("# sizes n =");
    for (size_t i = 0; i < o->n_count; i++)
        printf("%s%llu", i ? "," : " ", (unsigned long long)o->n[i]);
    printf(" (class %s); chunks %s", o->class_name, o->chunks ? "" : "default");
    if (o->chunks)
        printf("%llu", (unsigned long long)o->chunks);
    if (o->kernel->stencil)
        printf("; steps %llu", (unsigned long long)(o->steps ? o->steps
                                                             : o->kernel->stencil->default_steps));
    printf("\n# workers %u (ranks %u x threads %u), %s %s, binding %s\n", ex->workers,
           ex->ranks, ex->threads, o->kernel->stencil ? "decomp" : "schedule",
           *schedule_label(o) ? schedule_label(o) : "none", ex->binding);
    if (ex->warnings && *ex->warnings)
        printf("# warnings: %s\n", ex->warnings);
    printf("# built with %s, flags %s\n", CS_COMPILER, CS_FLAGS);
    printf("# host %s, %s; repeat %u, warmup %u; clock tick %.1e s\n", cs_host_name(), utc,
           o->repeat, o->warmup, tick);
    printf("# %-12s %7s %-32s %-8s %10s %10s %10s %11s %11s%s\n", "case", "items", "result",
           "verified", "wall_min", "wall_med", "wall_max", "compute_med", "combine_med",
           o->kernel->bytes_moved ? "   best_GB/s" : "");
    fflush(stdout);
}

/* bytes > 0 (kernels with bytes_moved): the best bandwidth joins the line. */
static void print_case(const cs_options *o, const char *case_name, uint64_t items,
                       const char *summary, int verified, const struct case_times *t,
                       double bytes)
{
    unsigned r = o->repeat;
    printf("  %-12s %7llu %-32s %-8s %10.6f %10.6f %10.6f %11.6f %11.6f", case_name,
           (unsigned long long)items, summary, verified ? "yes" : "NO", min_of(t->wall, r),
           median(t->wall, r), max_of(t->wall, r), median(t->compute, r), median(t->combine, r));
    if (bytes > 0)
        printf(" %12.2f", bytes / min_of(t->wall, r) / 1e9);
    printf("\n");
    fflush(stdout);
}

static int is_short_run(double wall, double tick)
{
    return wall < SHORT_RUN_TICKS * tick || wall < SHORT_RUN_S;
}

/* Warnings for one repetition: the run-wide ones plus a short run. */
static void rep_warnings(const cs_exec *ex, double wall, double tick, int in_cache, char *buf,
                         size_t size)
{
    snprintf(buf, size, "%s", ex->warnings ? ex->warnings : "");
    if (in_cache)
        snprintf(buf + strlen(buf), size - strlen(buf), "%sin-cache", *buf ? ";" : "");
    if (is_short_run(wall, tick))
        snprintf(buf + strlen(buf), size - strlen(buf), "%sshort-run", *buf ? ";" : "");
}

/* State of one case on the root: the verified result's bytes and digest. */
struct reference {
    uint8_t *bytes;
    size_t len;
    cs_digest digest;
    int verified;
};

/* The first result is verified by the kernel's independent check; every
 * later one must be bit-identical to it. */
static int check_result(const cs_kernel *k, cs_problem *p, const cs_partial *result,
                        struct reference *ref, cs_err *err)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = k->pack(p, result, &bytes, &len, err);
    if (rc != CS_OK)
        return rc;
    if (!ref->bytes) {
        ref->bytes = bytes;
        ref->len = len;
        rc = k->verify(p, result, err);
        ref->verified = rc == CS_OK;
        if (rc != CS_OK && rc != CS_EVERIFY)
            return rc;
        int drc = k->describe(p, result, &ref->digest, err);
        return drc != CS_OK ? drc : rc;
    }
    int same = len == ref->len && memcmp(bytes, ref->bytes, len) == 0;
    free(bytes);
    if (!same) {
        ref->verified = 0;
        cs_err_set(err, "a repetition's result differs from the first one's");
        return CS_EVERIFY;
    }
    return ref->verified ? CS_OK : CS_EVERIFY;
}

/* "n=63 <value>": the verified result, rebuilt from its bytes. */
static int write_value(FILE *f, const cs_kernel *k, cs_problem *p, const char *case_name,
                       const struct reference *ref)
{
    cs_err err = {{0}};
    cs_partial *x = NULL;
    int rc = k->unpack(p, ref->bytes, ref->len, &x, &err);
    if (rc == CS_OK) {
        fprintf(f, "%s ", case_name);
        rc = k->write_value(p, x, f, &err);
        fputc('\n', f);
        k->partial_free(x);
    }
    if (rc != CS_OK)
        cs_error("%s: --result-file: %s", case_name, err.msg);
    return rc;
}

struct run_state {
    const cs_exec *ex;
    const cs_options *o;
    cs_rows rows; /* --csv, --json */
    FILE *result_file;
    double tick;
    cs_profile *profile;  /* --profile, on every rank */
    FILE *profile_file;   /* on the root */
};

/* The workers the printed prediction is for. */
static const unsigned predicted_workers[] = {2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

/* After timed repetition r: every rank's tasks to the root, which writes them
 * as a block and fills g (the analysis reads it). Collective. Returns 0, or
 * CS_EXIT_FAIL after a message on the root. */
static int take_profile(struct run_state *s, const char *case_name, unsigned r, cs_graph *g)
{
    const cs_exec *ex = s->ex;
    const cs_options *o = s->o;
    int rc = ex->gather_profile ? ex->gather_profile(ex->ctx, s->profile) : 0;
    if (!ex->is_root)
        return rc ? CS_EXIT_FAIL : 0;
    memset(g, 0, sizeof *g);
    if (rc == 0)
        rc = cs_profile_graph(s->profile, g);
    if (rc != 0) {
        cs_error("--profile '%s': %s %s rep %u: the tasks did not come together into a graph "
                 "(out of memory, or a rank's tasks missing)", cs_show(o->profile_path), o->kernel->name,
                 case_name, r + 1);
        return CS_EXIT_FAIL;
    }
    snprintf(g->driver, sizeof g->driver, "%s", ex->driver);
    snprintf(g->kernel, sizeof g->kernel, "%s", o->kernel->name);
    snprintf(g->case_name, sizeof g->case_name, "%s", case_name);
    snprintf(g->class_name, sizeof g->class_name, "%s", o->class_name);
    snprintf(g->schedule, sizeof g->schedule, "%s",
             *schedule_label(o) ? schedule_label(o) : "none");
    g->rep = r + 1;
    g->reps = o->repeat;
    g->ranks = ex->ranks;
    g->threads = ex->threads;
    if (cs_profile_write_block(s->profile_file, g) != 0) {
        cs_error("--profile '%s': cannot write: %s", cs_show(o->profile_path), strerror(errno));
        return CS_EXIT_FAIL;
    }
    return 0;
}

/* The repetition whose wall time is the median (the lower of two). */
static unsigned median_rep(const double *wall, unsigned count)
{
    unsigned order[count];
    for (unsigned i = 0; i < count; i++)
        order[i] = i;
    for (unsigned i = 1; i < count; i++) /* by wall time; a few repetitions */
        for (unsigned j = i; j > 0 && wall[order[j]] < wall[order[j - 1]]; j--) {
            unsigned t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    return order[(count - 1) / 2];
}

/* "# profile n=63: ..." lines after the case's line: the median repetition's graph. */
static void print_profile(const char *case_name, const cs_graph *graphs, const double *wall,
                          unsigned count)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "# profile %s", case_name);
    enum { N = sizeof predicted_workers / sizeof predicted_workers[0] };
    cs_layout layouts[N];
    for (unsigned i = 0; i < N; i++)
        layouts[i] = (cs_layout){predicted_workers[i], 0};
    const cs_span_given nothing = CS_SPAN_NOT_GIVEN;
    cs_span_print(stdout, prefix, &graphs[median_rep(wall, count)], layouts, N, &nothing);
    fflush(stdout);
}

/* ---- --profile of a stencil (stencil_profile.h) ---------------------------------------- */

/* A working record on every rank (the driver fills it, the root's for all ranks), and on
 * the root each timed repetition's copy: its block seconds, then its exchange seconds. */
struct step_profile {
    cs_step_record rec;
    double *reps;
    size_t per_rep; /* doubles in one repetition's copy */
    unsigned repeat;
};

/* Returns 0, or -1 after a message on the root (out of memory). */
static int step_profile_open(struct step_profile *sp, const cs_exec *ex, const cs_kernel *k,
                             const cs_problem *p, unsigned repeat, const char *case_name)
{
    memset(sp, 0, sizeof *sp);
    sp->rec.blocks = k->item_count(p);
    sp->rec.steps = k->stencil->steps(p);
    sp->per_rep = (size_t)(sp->rec.blocks * sp->rec.steps + sp->rec.steps);
    sp->repeat = repeat;
    sp->rec.block_s = sp->per_rep <= (1u << 30) ? malloc(sp->per_rep * sizeof(double)) : NULL;
    sp->rec.exchange_s = sp->rec.block_s ? sp->rec.block_s + sp->rec.blocks * sp->rec.steps : NULL;
    if (ex->is_root && sp->rec.block_s)
        sp->reps = malloc((size_t)repeat * sp->per_rep * sizeof(double));
    if (!sp->rec.block_s || (ex->is_root && !sp->reps)) {
        if (ex->is_root)
            cs_error("%s: --profile: no memory to record %llu blocks x %llu steps", case_name,
                     (unsigned long long)sp->rec.blocks, (unsigned long long)sp->rec.steps);
        free(sp->rec.block_s);
        free(sp->reps);
        return -1;
    }
    return 0;
}

static cs_step_record *step_profile_begin(struct step_profile *sp)
{
    memset(sp->rec.block_s, 0, sp->per_rep * sizeof(double));
    return &sp->rec;
}

/* On the root after timed repetition r: its work and span for the row, its copy, its block
 * in the --profile file. Returns 0, or CS_EXIT_FAIL after a message. */
static int step_profile_keep(struct run_state *s, struct step_profile *sp, const char *case_name,
                             unsigned r, cs_span_stats *stats)
{
    const cs_exec *ex = s->ex;
    const cs_options *o = s->o;
    cs_step_stats st;
    cs_step_stats_of(&sp->rec, &st);
    stats->work_s = st.work_s;
    stats->span_s = st.span_s;
    memcpy(sp->reps + (size_t)r * sp->per_rep, sp->rec.block_s, sp->per_rep * sizeof(double));
    char head[320];
    snprintf(head, sizeof head, "driver=%s kernel=%s case=%s class=%s rep=%u reps=%u ranks=%u "
             "threads=%u decomp=%s", ex->driver, o->kernel->name, case_name, o->class_name, r + 1,
             o->repeat, ex->ranks, ex->threads, cs_decomp_name(o->decomp));
    if (cs_step_write(s->profile_file, head, &sp->rec) != 0) {
        cs_error("--profile '%s': cannot write: %s", cs_show(o->profile_path), strerror(errno));
        return CS_EXIT_FAIL;
    }
    return 0;
}

/* "# profile n=64: ..." lines: the median repetition's record. */
static void step_profile_print(const struct step_profile *sp, const cs_kernel *k, cs_problem *p,
                               const cs_options *o, const char *case_name, const double *wall)
{
    cs_step_record rec = sp->rec;
    rec.block_s = sp->reps + (size_t)median_rep(wall, sp->repeat) * sp->per_rep;
    rec.exchange_s = rec.block_s + rec.blocks * rec.steps;
    cs_block_grid g;
    k->stencil->block_grid(p, &g);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "# profile %s", case_name);
    cs_step_print(stdout, prefix, &rec, &g, o->decomp, predicted_workers,
                  sizeof predicted_workers / sizeof predicted_workers[0]);
    fflush(stdout);
}

static void step_profile_close(struct step_profile *sp)
{
    free(sp->rec.block_s);
    free(sp->reps);
}

/* One case: warm-up, timed repetitions, a row each, a line for people. */
static int run_case(struct run_state *s, uint64_t n, uint64_t chunks)
{
    const cs_exec *ex = s->ex;
    const cs_options *o = s->o;
    const cs_kernel *k = o->kernel;
    cs_err err = {{0}};
    cs_problem *p = NULL;
    int rc = cs_case_new(k, n, chunks, o->steps, &p, &err);
    rc = agree(ex, rc);
    if (rc != CS_OK) {
        if (ex->is_root)
            cs_error("n=%llu: %s", (unsigned long long)n, err.msg[0] ? err.msg : "failed on another rank");
        if (p)
            k->problem_free(p);
        return CS_EXIT_FAIL;
    }
    if (ex->prepare) {
        rc = agree(ex, ex->prepare(ex->ctx, k, p, &err));
        if (rc != CS_OK) {
            if (ex->is_root)
                cs_error("n=%llu: preparing items: %s", (unsigned long long)n, err.msg);
            k->problem_free(p);
            return CS_EXIT_FAIL;
        }
    }
    char case_name[32];
    snprintf(case_name, sizeof case_name, "n=%llu", (unsigned long long)n);
    /* A memory-bound case whose arrays a cache could hold measures the cache (STREAM's rule). */
    char llc_what[96];
    uint64_t llc = k->array_bytes ? cs_llc_bytes(llc_what, sizeof llc_what) : 0;
    int in_cache = cs_cache_too_small(k, n, llc);
    if (in_cache && ex->is_root)
        cs_warn("%s %s: each array is %.1f MB, under %dx the last-level cache (%s): the "
                "bandwidth measured is partly the cache's; a larger class (or --class auto) "
                "measures memory",
                k->name, case_name, k->array_bytes(n) / 1e6, CS_CACHE_RULE, llc_what);
    unsigned total = o->warmup + o->repeat;
    double *times = calloc(3 * (size_t)o->repeat, sizeof *times);
    if (!times) {
        cs_error("%s: out of memory for %u repetitions", case_name, o->repeat);
        k->problem_free(p);
        return CS_EXIT_FAIL;
    }
    double *wall = times, *compute = times + o->repeat, *combine = times + 2 * o->repeat;
    if (k->stencil && o->steps) /* steps other than the default are part of the case */
        snprintf(case_name + strlen(case_name), sizeof case_name - strlen(case_name),
                 ";steps=%llu", (unsigned long long)o->steps);
    /* --profile: each timed repetition's graph, on the root; a stencil's steps instead */
    struct step_profile steps = {0};
    int stepped = o->profile_path && k->stencil;
    if (stepped && agree(ex, step_profile_open(&steps, ex, k, p, o->repeat, case_name)) != 0) {
        step_profile_close(&steps);
        free(times);
        k->problem_free(p);
        return CS_EXIT_FAIL;
    }
    cs_graph *graphs = s->profile && !stepped && ex->is_root ? calloc(o->repeat, sizeof *graphs)
                                                             : NULL;
    if (s->profile && !stepped && ex->is_root && !graphs) {
        cs_error("%s: out of memory for %u repetitions' profiles", case_name, o->repeat);
        free(times);
        k->problem_free(p);
        return CS_EXIT_FAIL;
    }
    struct reference ref = {0};
    int failed = 0, wrong = 0; /* failed: stop the case; wrong: rows say verified=0 */
    for (unsigned rep = 0; rep < total && !failed; rep++) {
        cs_partial *result = NULL;
        cs_phase phase = {0, 0, 0, 0, NULL};
        if (ex->barrier)
            ex->barrier(ex->ctx);
        int profiled = s->profile && !stepped && rep >= o->warmup;
        if (stepped && rep >= o->warmup)
            phase.record = step_profile_begin(&steps);
        /* the recorder's buffers are reserved before the clock starts, not inside the run */
        if (profiled)
            cs_profile_rep_begin(s->profile, cs_clock_now(), k->item_count(p));
        double t0 = cs_clock_now();
        rc = ex->run(ex->ctx, k, p, &result, &phase, &err);
        double t1 = cs_clock_now();
        if (profiled)
            cs_profile_rep_end(s->profile);
        if (ex->is_root && rc == CS_OK && result)
            rc = check_result(k, p, result, &ref, &err);
        if (result)
            k->partial_free(result);
        int all = agree(ex, rc);
        if (all != CS_OK) {
            if (ex->is_root)
                cs_error("%s %s: %s", k->name, case_name,
                         err.msg[0] ? err.msg : "a rank failed (see its message)");
            if (all == CS_EVERIFY)
                wrong = 1;
            else
                failed = 1;
        }
        if (failed)
            break;
        cs_span_stats stats = {0};
        if (profiled) {
            cs_graph *g = ex->is_root ? &graphs[rep - o->warmup] : NULL;
            failed = agree(ex, take_profile(s, case_name, rep - o->warmup, g)) != 0;
            if (g && !failed) {
                cs_message_model model = cs_message_fit(g);
                cs_span_stats_of(g, &model, &stats);
            }
        }
        if (phase.record && ex->is_root)
            failed = step_profile_keep(s, &steps, case_name, rep - o->warmup, &stats) != 0;
        if (phase.record)
            failed = agree(ex, failed) != 0;
        if (failed)
            break;
        if (rep < o->warmup || !ex->is_root)
            continue;
        unsigned r = rep - o->warmup;
        wall[r] = t1 - t0;
        compute[r] = phase.compute_s;
        combine[r] = phase.combine_s;
        if (cs_rows_wanted(&s->rows)) {
            char warnings[256];
            rep_warnings(ex, wall[r], s->tick, in_cache, warnings, sizeof warnings);
            cs_row row = {
                .driver = ex->driver, .kernel = k->name, .case_name = case_name,
                .class_name = o->class_name, .bind = cs_bind_name(o->bind),
                .schedule = schedule_label(o), .ranks = ex->ranks,
                .threads = ex->threads, .workers = ex->workers, .chunks = k->item_count(p),
                .rep = r + 1, .wall_s = wall[r], .compute_s = phase.compute_s,
                .combine_s = phase.combine_s, .comm_s = phase.comm_s,
                .comm_bytes = phase.comm_bytes, .verified = ref.verified,
                .digest = ref.digest.digest, .warnings = warnings,
                .has_profile = profiled || phase.record, .work_s = stats.work_s,
                .span_s = stats.span_s,
            };
            if (cs_rows_write(&s->rows, &row) != 0)
                failed = 1;
        }
    }
    if (ex->is_root && !failed) {
        struct case_times t = {wall, compute, combine};
        if (!o->quiet && is_short_run(min_of(wall, o->repeat), s->tick))
            cs_warn("%s %s: a run took %.2g s, under %d clock ticks or %g ms: too short to "
                    "time well (short-run); try a larger --n or --class",
                    k->name, case_name, min_of(wall, o->repeat), SHORT_RUN_TICKS,
                    SHORT_RUN_S * 1e3);
        if (!o->quiet)
            print_case(o, case_name, k->item_count(p), ref.digest.summary, ref.verified, &t,
                       k->bytes_moved ? k->bytes_moved(p) : 0.0);
        if (!o->quiet && graphs)
            print_profile(case_name, graphs, wall, o->repeat);
        if (!o->quiet && stepped)
            step_profile_print(&steps, k, p, o, case_name, wall);
        if (s->result_file && write_value(s->result_file, k, p, case_name, &ref) != CS_OK)
            failed = 1;
    }
    for (unsigned i = 0; graphs && i < o->repeat; i++)
        cs_graph_free(&graphs[i]);
    free(graphs);
    if (stepped)
        step_profile_close(&steps);
    free(times);
    free(ref.bytes);
    k->problem_free(p);
    return failed || wrong ? CS_EXIT_FAIL : CS_EXIT_OK;
}

int cs_cpu_run(const cs_exec *ex, const cs_options *o)
{
    cs_heap_keep();
    int code = agree(ex, validate_cases(ex, o, o->chunks));
    if (code != CS_EXIT_OK)
        return code;
    struct run_state s = {ex, o, {-1, -1}, NULL, cs_clock_tick(), NULL, NULL};
    int open_rc = CS_OK;
    if (ex->is_root && cs_rows_open(&s.rows, o->csv_path, o->json_path) != 0)
        open_rc = CS_EXIT_USAGE;
    if (ex->is_root && open_rc == CS_OK && o->result_path &&
        !(s.result_file = fopen(o->result_path, "w"))) {
        cs_error("--result-file '%s': cannot open: %s", cs_show(o->result_path), strerror(errno));
        open_rc = CS_EXIT_USAGE;
    }
    if (ex->is_root && open_rc == CS_OK && o->profile_path) {
        if (!(s.profile_file = fopen(o->profile_path, "w"))) {
            cs_error("--profile '%s': cannot open: %s", cs_show(o->profile_path), strerror(errno));
            open_rc = CS_EXIT_USAGE;
        } else {
            cs_profile_write_start(s.profile_file);
        }
    }
    if (open_rc == CS_OK && o->profile_path && !(s.profile = cs_profile_new(ex->rank))) {
        cs_error("--profile: out of memory for the recorder");
        open_rc = CS_EXIT_FAIL;
    }
    code = agree(ex, open_rc);
    if (code != CS_EXIT_OK)
        goto out;
    if (ex->is_root && !o->quiet)
        print_header(ex, o, s.tick);
    if (ex->is_root && o->profile_path && ex->warnings && strstr(ex->warnings, "oversubscribed"))
        cs_warn("--profile: recorded oversubscribed, so every task's time holds its waits for a "
                "core and the work and predictions read high; record one worker (one rank of one "
                "thread) and predict layouts with cs_profile --workers");
    for (size_t i = 0; i < o->n_count; i++) {
        int rc = run_case(&s, o->n[i], o->chunks);
        code = rc > code ? rc : code;
    }
out:
    if (s.result_file && fclose(s.result_file) != 0 && code == CS_EXIT_OK) {
        cs_error("--result-file '%s': cannot write: %s", cs_show(o->result_path), strerror(errno));
        code = CS_EXIT_FAIL;
    }
    if (s.profile_file && fclose(s.profile_file) != 0 && code == CS_EXIT_OK) {
        cs_error("--profile '%s': cannot write: %s", cs_show(o->profile_path), strerror(errno));
        code = CS_EXIT_FAIL;
    }
    cs_profile_free(s.profile);
    cs_rows_close(&s.rows);
    return code;
}
