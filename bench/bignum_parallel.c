/* bignum_parallel: one huge product, serial beside helped by 1, 2, 4, ... OpenMP threads and GMP, with its work/span profile. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef CS_BENCH_HAVE_GMP
#include <gmp.h>
#endif

#include "args.h"
#include "bignum.h"
#include "build_info.h"
#include "ceiling.h"
#include "clock.h"
#include "heap.h"
#include "message.h"
#include "operands.h"
#include "options.h"
#include "thread_room.h"

/*
 * The product at the top of the product kernel's class B tree: two numbers
 * of about 70 million bits each (random, from a fixed seed). Every way of
 * computing it runs once per round, in turn, for --reps rounds, and each
 * reports its median: a noisy neighbour on a shared machine then slows all
 * of them alike. The helped products run their parts on an OpenMP team
 * (a parallel for over the parts, as the drivers' team does outside a
 * region) and must equal the serial product limb for limb.
 *
 * A speedup short of the thread count may be the machine's, not the
 * product's: virtual CPUs that share a core, a busy neighbour. So each
 * round also runs the ceiling probes (ceiling.h) at every thread count: the
 * same fixed integer work on 1 and T threads, about as long as the serial
 * product. `of_ceiling` is the product's speedup over the probe's, measured
 * in the same rounds: 1.00 is all that compute on this machine gives.
 *
 * The profile says how far the product can scale at all, whatever the
 * machine: a recording runner runs every part on one thread, timing each.
 * work = every part + the serial stretches between run() calls (before the
 * first, between, after the last); span = the serial stretches + the longest
 * part of each run() call, the time with unlimited threads; parallelism =
 * work / span. The profile is timed in the thread's CPU time, not wall time:
 * on a shared machine a part the scheduler interrupts would otherwise count
 * the other processes' time, and one such part is the span of its call.
 */

#define DEFAULT_BITS 70000000ULL
#define DEFAULT_REPS 5
#define MAX_THREAD_COUNTS 16
#define MAX_RUN_CALLS 4096 /* a product of 2^34 bits runs some 600 */

/* ---- the OpenMP runner --------------------------------------------------- */

static void omp_run(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    int threads = *(const int *)ctx;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (unsigned i = 0; i < parts; i++)
        fn(arg, i);
}

/* ---- the per-call clock: each run() call's wall time on the OpenMP team --- */

/* Where a product's time goes as threads are added: the calls that scale
 * worst (on a large machine, those that stream memory) show up here, where
 * the profile, timed on one thread, cannot see them. */
typedef struct call_clock {
    int threads;
    unsigned count, dropped;
    unsigned parts[MAX_RUN_CALLS];
    double wall[MAX_RUN_CALLS];
} call_clock;

static void clocked_run(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    call_clock *c = ctx;
    double t0 = cs_clock_now();
    omp_run(&c->threads, parts, fn, arg);
    double t = cs_clock_now() - t0;
    if (c->count < MAX_RUN_CALLS) {
        c->parts[c->count] = parts;
        c->wall[c->count++] = t;
    } else {
        c->dropped++;
    }
}

/* ---- the recording runner ------------------------------------------------ */

/* This thread's CPU time in seconds (the wall clock where there is none). */
static double thread_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return cs_clock_now();
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct run_call {
    unsigned parts;
    double start, end; /* of the whole call */
    double longest, sum;
} run_call;

typedef struct recorder {
    run_call calls[MAX_RUN_CALLS];
    unsigned count, dropped;
} recorder;

static void record_run(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    recorder *rec = ctx;
    run_call c = {parts, thread_seconds(), 0, 0, 0};
    for (unsigned i = 0; i < parts; i++) {
        double t0 = thread_seconds();
        fn(arg, i);
        double t = thread_seconds() - t0;
        c.sum += t;
        if (t > c.longest)
            c.longest = t;
    }
    c.end = thread_seconds();
    if (rec->count < MAX_RUN_CALLS)
        rec->calls[rec->count++] = c;
    else
        rec->dropped++;
}

typedef struct profile {
    double total, serial, parts, span, work;
    unsigned calls;
    unsigned long part_count;
    unsigned fewest; /* parts in the run() call that had the fewest */
} profile;

static int profile_product(bignum *r, const bignum *a, const bignum *b, recorder *rec, profile *p)
{
    memset(rec, 0, sizeof *rec);
    bignum_helpers h = {record_run, rec};
    double t0 = thread_seconds();
    int st = bignum_mul_helped(r, a, b, &h);
    double t1 = thread_seconds();
    if (st != BN_OK || rec->dropped)
        return 1;
    memset(p, 0, sizeof *p);
    p->total = t1 - t0;
    p->calls = rec->count;
    p->fewest = ~0u;
    double inside = 0;
    for (unsigned i = 0; i < rec->count; i++) {
        const run_call *c = &rec->calls[i];
        inside += c->end - c->start;
        p->parts += c->sum;
        p->span += c->longest;
        p->part_count += c->parts;
        if (c->parts < p->fewest)
            p->fewest = c->parts;
    }
    /* outside the calls, and inside them what is not a part (the runner's own clock reads) */
    p->serial = p->total - inside;
    p->work = p->parts + p->serial;
    p->span += p->serial;
    return 0;
}

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    unsigned long long bits;
    int reps, threads_max;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: bignum_parallel [--bits B] [--reps R] [--threads-max T]\n"
            "  One product of two B-bit numbers (default %llu, class B's root), timed\n"
            "  serially (bignum_mul), helped by 1, 2, 4, ... T OpenMP threads\n"
            "  (bignum_mul_helped; T defaults to the online CPUs), and by GMP; medians of\n"
            "  R alternated rounds (default %d), beside the machine's ceiling; each run()\n"
            "  call's wall time per thread count; then the product's work/span profile.\n"
            "  Options are long only, never abbreviated, each given once.\n"
            "  Exit 0 done, 1 a helped product differed or memory ran out, 2 bad options.\n",
            DEFAULT_BITS, DEFAULT_REPS);
}

static int parse_options(int argc, char **argv, options *o)
{
    enum { OPT_BITS, OPT_REPS, OPT_THREADS_MAX, OPT_HELP };
    static const cs_arg_option table[] = {
        [OPT_BITS] = {"bits", 1, 0}, [OPT_REPS] = {"reps", 1, 0},
        [OPT_THREADS_MAX] = {"threads-max", 1, 0}, [OPT_HELP] = {"help", 0, 0},
    };
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    o->bits = DEFAULT_BITS;
    o->reps = DEFAULT_REPS;
    o->threads_max = online > 0 ? (int)online : 1;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    int id, help = 0;
    const char *v;
    uint64_t n;
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_BITS:
            if (cs_parse_u64("bits", v, 64 * 600, 1ULL << 34, &n))
                return CS_EXIT_USAGE;
            o->bits = n;
            break;
        case OPT_REPS:
            if (cs_parse_u64("reps", v, 1, 1000, &n))
                return CS_EXIT_USAGE;
            o->reps = (int)n;
            break;
        case OPT_THREADS_MAX:
            if (cs_parse_u64("threads-max", v, 1, 4096, &n))
                return CS_EXIT_USAGE;
            o->threads_max = (int)n;
            break;
        case OPT_HELP: help = 1; break;
        case CS_ARGS_POSITIONAL:
            cs_error("unexpected argument '%s': takes no arguments (see --help)", cs_show(v));
            return CS_EXIT_USAGE;
        default: return CS_EXIT_USAGE;
        }
    }
    if (help) {
        usage(stdout);
        return -1;
    }
    /* Operands and products, ours and GMP's (8 operand sizes), and the helped product's
     * scratch (bignum.h: about 2.5 times bignum_mul's): refused before any is made. */
    size_t limbs = (size_t)((o->bits + 63) / 64);
    double need = 8.0 * (8.0 * (double)limbs + 2.5 * (double)bn_mul_scratch(limbs, limbs));
    char where[160];
    double have = cs_memory_room(where, sizeof where);
    if (have > 0 && need > have) {
        cs_error("--bits %llu: the operands, products and scratch need about %.1f GiB, more than %s",
                 o->bits, need / (1 << 30), where);
        return CS_EXIT_USAGE;
    }
    char why[256];
    unsigned room = cs_thread_room((unsigned)o->threads_max, why, sizeof why);
    int limit = omp_get_thread_limit();
    if (limit > 0 && o->threads_max > limit) {
        cs_error("--threads-max %d: more than OpenMP's thread limit here, %d (OMP_THREAD_LIMIT)",
                 o->threads_max, limit);
        return CS_EXIT_USAGE;
    }
    if (room < (unsigned)o->threads_max) {
        cs_error("--threads-max %d: only %u threads could be started here (%s)", o->threads_max,
                 room, why);
        return CS_EXIT_USAGE;
    }
    return CS_EXIT_OK;
}

/* ---- timing -------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct timings {
    int counts[MAX_THREAD_COUNTS], ncounts; /* counts[0] is 1 */
    double *serial, *helped[MAX_THREAD_COUNTS], *gmp;
    uint64_t probe_size[2];                        /* multiplies, per probe */
    double *probe[2][MAX_THREAD_COUNTS];           /* [probe][count][round] */
} timings;

/* Each probe at every thread count, once: a round's share of the ceiling. */
static void run_probes(timings *t, int rep)
{
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < t->ncounts; k++)
            t->probe[p][k][rep] = cs_bench_ceiling((enum cs_ceiling_probe)p, t->counts[k],
                                                   t->probe_size[p]);
}

static int run_rounds(const options *o, const bignum *a, const bignum *b, bignum *r_serial,
                      timings *t)
{
    bignum r;
    bignum_init(&r);
#ifdef CS_BENCH_HAVE_GMP
    mpz_t ga, gb, gr;
    mpz_inits(ga, gb, gr, NULL);
    mpz_import(ga, a->size, -1, sizeof(bn_limb), 0, 0, a->limbs);
    mpz_import(gb, b->size, -1, sizeof(bn_limb), 0, 0, b->limbs);
#endif
    int rc = 0;
    for (int rep = 0; rep < o->reps && !rc; rep++) {
        double t0 = cs_clock_now();
        if (bignum_mul(r_serial, a, b)) {
            cs_error("serial product: out of memory");
            rc = 1;
            break;
        }
        t->serial[rep] = cs_clock_now() - t0;
        for (int k = 0; k < t->ncounts && !rc; k++) {
            int threads = t->counts[k];
            bignum_helpers h = {omp_run, &threads};
            t0 = cs_clock_now();
            int st = bignum_mul_helped(&r, a, b, &h);
            t->helped[k][rep] = cs_clock_now() - t0;
            if (st != BN_OK) {
                cs_error("helped product at %d threads: out of memory", threads);
                rc = 1;
            } else if (bignum_cmp(&r, r_serial) != 0) {
                cs_error("helped product at %d threads differs from the serial one", threads);
                rc = 1;
            }
        }
#ifdef CS_BENCH_HAVE_GMP
        t0 = cs_clock_now();
        mpz_mul(gr, ga, gb);
        t->gmp[rep] = cs_clock_now() - t0;
#endif
        run_probes(t, rep);
    }
#ifdef CS_BENCH_HAVE_GMP
    mpz_clears(ga, gb, gr, NULL);
#endif
    bignum_clear(&r);
    return rc;
}

static void print_times(const options *o, timings *t)
{
    double ceiling[2][MAX_THREAD_COUNTS];
    for (int p = 0; p < 2; p++)
        for (int k = 0; k < t->ncounts; k++)
            ceiling[p][k] = median(t->probe[p][k], o->reps);
    double serial = median(t->serial, o->reps);
    printf("# %-22s %10s %10s %10s\n", "way", "median_s", "speedup", "of_ceiling");
    printf("  %-22s %10.4f %10.2f\n", "bignum_mul serial", serial, 1.0);
    for (int k = 0; k < t->ncounts; k++) {
        char name[48];
        snprintf(name, sizeof name, "helped, %d thread%s", t->counts[k], t->counts[k] > 1 ? "s" : "");
        double m = median(t->helped[k], o->reps);
        double probe = ceiling[CS_CEILING_THROUGHPUT][0] / ceiling[CS_CEILING_THROUGHPUT][k];
        printf("  %-22s %10.4f %10.2f %10.2f\n", name, m, serial / m, serial / m / probe);
    }
#ifdef CS_BENCH_HAVE_GMP
    double g = median(t->gmp, o->reps);
    printf("  %-22s %10.4f %10.2f\n", "GMP mpz_mul", g, serial / g);
#endif
    printf("\n# the machine's ceiling, in the same rounds: the same multiplies on 1 and T threads "
           "(bench/ceiling.h)\n");
    printf("# %7s %14s %14s %12s %12s\n", "threads", "throughput_s", "speedup", "latency_s",
           "speedup");
    for (int k = 0; k < t->ncounts; k++)
        printf("  %7d %14.4f %14.2f %12.4f %12.2f\n", t->counts[k],
               ceiling[CS_CEILING_THROUGHPUT][k],
               ceiling[CS_CEILING_THROUGHPUT][0] / ceiling[CS_CEILING_THROUGHPUT][k],
               ceiling[CS_CEILING_LATENCY][k],
               ceiling[CS_CEILING_LATENCY][0] / ceiling[CS_CEILING_LATENCY][k]);
}

#define CLOCKED_PRODUCTS 3 /* per thread count; each call's fastest of them is shown */

/* Each run() call's wall time at every thread count (the fastest of a few
 * products), and its speedup from one thread to the most. */
static int print_calls(const bignum *a, const bignum *b, const bignum *want, const timings *t)
{
    static call_clock best[MAX_THREAD_COUNTS], one;
    bignum r;
    bignum_init(&r);
    int rc = 0;
    for (int k = 0; k < t->ncounts && !rc; k++) {
        for (int i = 0; i < CLOCKED_PRODUCTS && !rc; i++) {
            memset(&one, 0, sizeof one);
            one.threads = t->counts[k];
            bignum_helpers h = {clocked_run, &one};
            if (bignum_mul_helped(&r, a, b, &h) != BN_OK || one.dropped) {
                cs_error("clocked product at %d threads: out of memory or over %d run() calls",
                         t->counts[k], MAX_RUN_CALLS);
                rc = 1;
            } else if (bignum_cmp(&r, want) != 0) {
                cs_error("clocked product at %d threads differs from the serial one", t->counts[k]);
                rc = 1;
            } else if (i == 0) {
                best[k] = one;
            } else {
                for (unsigned c = 0; c < one.count && c < best[k].count; c++)
                    if (one.wall[c] < best[k].wall[c])
                        best[k].wall[c] = one.wall[c];
            }
        }
    }
    bignum_clear(&r);
    if (rc)
        return rc;
    int last = t->ncounts - 1;
    printf("\n# per run() call, wall ms on the team (fastest of %d products per thread count)\n",
           CLOCKED_PRODUCTS);
    printf("# %4s %7s", "call", "parts");
    for (int k = 0; k < t->ncounts; k++) {
        char head[16];
        snprintf(head, sizeof head, "ms_%d", t->counts[k]);
        printf(" %9s", head);
    }
    printf(" %10s\n", "speedup");
    double sum[MAX_THREAD_COUNTS] = {0};
    for (unsigned c = 0; c < best[0].count; c++) {
        printf("  %4u %7u", c, best[0].parts[c]);
        for (int k = 0; k < t->ncounts; k++) {
            double ms = c < best[k].count ? best[k].wall[c] * 1e3 : 0;
            sum[k] += ms;
            printf(" %9.3f", ms);
        }
        double top = c < best[last].count ? best[last].wall[c] : 0;
        printf(" %10.2f\n", top > 0 ? best[0].wall[c] / top : 0);
    }
    printf("  %4s %7s", "all", "");
    for (int k = 0; k < t->ncounts; k++)
        printf(" %9.3f", sum[k]);
    printf(" %10.2f\n", sum[last] > 0 ? sum[0] / sum[last] : 0);
    return 0;
}

/* The profile of the median of three recorded products (by parallelism). */
static int print_profile(const bignum *a, const bignum *b, const bignum *want)
{
    static recorder rec[3];
    profile p[3];
    bignum r;
    bignum_init(&r);
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        if (profile_product(&r, a, b, &rec[i], &p[i])) {
            cs_error("recorded product: out of memory or over %d run() calls", MAX_RUN_CALLS);
            rc = 1;
        } else if (bignum_cmp(&r, want) != 0) {
            cs_error("recorded product differs from the serial one");
            rc = 1;
        }
    }
    bignum_clear(&r);
    if (rc)
        return rc;
    int order[3] = {0, 1, 2};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (p[order[j]].work / p[order[j]].span < p[order[i]].work / p[order[i]].span) {
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
    const profile *m = &p[order[1]];
    const recorder *mr = &rec[order[1]];
    printf("\n# work/span profile (recording runner: every part on one thread, timed in its CPU "
           "time; median of 3 by parallelism)\n");
    printf("  work %.4f s, span %.5f s, parallelism %.1f\n", m->work, m->span, m->work / m->span);
    printf("  run() calls %u, parts %lu (fewest in one call: %u), serial stretches %.5f s\n",
           m->calls, m->part_count, m->fewest, m->serial);
    printf("# %4s %7s %12s %12s %12s\n", "call", "parts", "sum_ms", "longest_us", "mean_us");
    for (unsigned i = 0; i < mr->count; i++) {
        const run_call *c = &mr->calls[i];
        printf("  %4u %7u %12.3f %12.1f %12.1f\n", i, c->parts, c->sum * 1e3, c->longest * 1e6,
               c->sum / c->parts * 1e6);
    }
    return 0;
}

int main(int argc, char **argv)
{
    cs_message_init("bignum_parallel");
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc < 0 ? CS_EXIT_OK : rc;
    cs_heap_keep(); /* as the drivers do: no page fault per 4 KiB of reused scratch */
    timings t;
    memset(&t, 0, sizeof t);
    for (int c = 1; c <= o.threads_max && t.ncounts < MAX_THREAD_COUNTS; c *= 2)
        t.counts[t.ncounts++] = c;
    if (t.counts[t.ncounts - 1] != o.threads_max && t.ncounts < MAX_THREAD_COUNTS)
        t.counts[t.ncounts++] = o.threads_max;
    t.serial = calloc((size_t)o.reps, sizeof(double));
    t.gmp = calloc((size_t)o.reps, sizeof(double));
    int ok = t.serial && t.gmp;
    for (int k = 0; k < t.ncounts; k++) {
        ok = ok && (t.helped[k] = calloc((size_t)o.reps, sizeof(double)));
        for (int p = 0; p < 2; p++)
            ok = ok && (t.probe[p][k] = calloc((size_t)o.reps, sizeof(double)));
    }
    bignum a, b, r;
    bignum_init(&a), bignum_init(&b), bignum_init(&r);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    size_t limbs = (size_t)((o.bits + 63) / 64);
    if (!ok || cs_bench_random_bignum(&a, limbs, &seed) ||
        cs_bench_random_bignum(&b, limbs, &seed)) {
        cs_error("out of memory for two %llu-bit operands", o.bits);
        return CS_EXIT_FAIL;
    }
    printf("# bignum_parallel: %zu x %zu limbs (%llu bits each), %d rounds, threads up to %d\n",
           limbs, limbs, o.bits, o.reps, o.threads_max);
    printf("# corescale %s (%s), %s, %s\n", CS_VERSION, CS_REVISION, CS_COMPILER, CS_FLAGS);
#ifndef CS_BENCH_HAVE_GMP
    printf("# GMP not found at build time: no peer\n");
#endif
    fflush(stdout);
    /* An untimed serial product first: it warms the heap, and the probes are
     * sized to last about as long as it does. */
    double t0 = cs_clock_now();
    if (bignum_mul(&r, &a, &b)) {
        cs_error("serial product: out of memory");
        return CS_EXIT_FAIL;
    }
    double product_s = cs_clock_now() - t0;
    for (int p = 0; p < 2; p++)
        t.probe_size[p] = cs_bench_ceiling_size((enum cs_ceiling_probe)p, product_s);
    rc = run_rounds(&o, &a, &b, &r, &t);
    if (!rc) {
        print_times(&o, &t);
        rc = print_calls(&a, &b, &r, &t);
        if (!rc)
            rc = print_profile(&a, &b, &r);
    }
    for (int k = 0; k < t.ncounts; k++) {
        free(t.helped[k]);
        for (int p = 0; p < 2; p++)
            free(t.probe[p][k]);
    }
    free(t.serial);
    free(t.gmp);
    bignum_clear(&a), bignum_clear(&b), bignum_clear(&r);
    return rc ? CS_EXIT_FAIL : CS_EXIT_OK;
}
