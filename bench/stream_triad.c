/* stream_triad: the machine's own triad bandwidth, by STREAM's method, for the triad kernel to face. */
#define _GNU_SOURCE
#include <hwloc.h>
#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "args.h"
#include "build_info.h"
#include "clock.h"
#include "message.h"
#include "options.h"
#include "thread_room.h"

/*
 * STREAM's method (McCalpin, stream.c 5.10), for the triad alone:
 *  - three arrays of n doubles, laid out as STREAM's static arrays are: one
 *    block, a then b then c, each followed by OFFSET spare doubles;
 *  - for every thread count its own fresh block (new pages from the kernel),
 *    first touched by that many threads with schedule(static), the schedule
 *    the passes use, so each thread's pages are where that thread runs;
 *  - PASSES timed passes of a[j] = b[j] + 3 c[j], each timed around its
 *    parallel loop (fork and join included, as STREAM does), the first not
 *    counted; best, average, least and most time of the rest;
 *  - 24 bytes per element (a written, b and c read; no write-allocate);
 *  - the clock's granularity measured, a warning under 20 ticks a pass;
 *  - validation: every a[j] against b[j] + 3 c[j], and b and c unchanged,
 *    with STREAM's 1e-13 average relative error; a failure exits 1.
 * What may make a run slower than STREAM is printed per thread count: the
 * NUMA nodes holding the arrays, their huge pages, where each thread ran and
 * whether it was bound, and what an empty parallel region costs.
 */

#define TRIAD_SCALAR 3.0
#define EPSILON 1e-13 /* STREAM's for doubles */
#define MAX_RUNS 64
#define LEAST_TICKS 20
#define STREAM_CACHE_FACTOR 4 /* STREAM: each array at least 4x the last-level cache */

enum layout { LAYOUT_STREAM, LAYOUT_MALLOC };

struct config {
    uint64_t n, passes, offset;
    uint64_t *threads;
    size_t runs;
    enum layout layout;
    long long fault; /* CS_FAULT's element, or -1 */
};

/* One thread count's arrays: a, b, c and how to give them back. */
struct arrays {
    double *a, *b, *c;
    void *block; /* the mapping (LAYOUT_STREAM) */
    size_t block_bytes;
};

/* Where the threads of one team ran: cpu at first touch and after the passes. */
struct placement {
    int *cpu_before, *cpu_after;
    int bound; /* threads whose affinity is a single cpu */
    int team;  /* threads OpenMP gave (it may give fewer than asked) */
};

struct timing {
    double best, avg, least, most, fork_join;
};

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: stream_triad [OPTION]...\n"
            "The machine's triad bandwidth by STREAM's method: a[j] = b[j] + 3 c[j] over three\n"
            "arrays of doubles, counted as 24 bytes per element, for each thread count in its own\n"
            "fresh arrays first touched by the threads that use them (schedule static).\n\n"
            "Options:\n"
            "  --n N            elements per array (default 50000000, triad class A; STREAM\n"
            "                   asks each array to be at least 4x the last-level cache)\n"
            "  --threads LIST   thread counts, comma-separated (default 1 and every processor)\n"
            "  --passes P       timed passes per thread count, the first not counted (default\n"
            "                   10, as STREAM; at least 2)\n"
            "  --offset D       spare doubles after each array, STREAM's OFFSET (default 0)\n"
            "  --layout KIND    stream: one block, a b c in turn (default); malloc: three\n"
            "                   malloc'd arrays, as this tool had them before, to compare\n"
            "  --help           this help\n"
            "The older form 'stream_triad ELEMENTS [THREADS_LIST [PASSES]]' means the same.\n\n"
            "Pin threads with OpenMP's own settings: OMP_PROC_BIND=spread OMP_PLACES=cores.\n"
            "Output: '#' lines on the arrays, cache, clock and huge pages, then per thread count\n"
            "  threads T best_GB/s X avg_GB/s Y min_s .. avg_s .. max_s .. numa NODES\n"
            "  hugepage_MB H bound B/T moved M cpus LIST fork_join_us F\n"
            "Options are long only, never abbreviated, each given once. CS_FAULT=J (a test\n"
            "hook) spoils a[J] after the passes; a J outside the arrays is refused.\n"
            "Exit status: 0 measured and validated, 1 validation or memory failed, 2 the\n"
            "command line was wrong.\n");
}

/* Refuses n whose arrays would not fit, as the triad kernel does (ulimit -v and -d too). */
static int check_memory(const struct config *c)
{
    char where[160];
    double need = 3.0 * 8.0 * (double)(c->n + c->offset), have = cs_memory_room(where, sizeof where);
    if (have > 0 && need > 0.8 * have) {
        cs_error("--n %llu: three arrays of %llu doubles need %.2f GiB, more than 80%% of %s",
                 (unsigned long long)c->n, (unsigned long long)c->n, need / (1 << 30), where);
        return -1;
    }
    return 0;
}

/* The largest thread count must be one OpenMP and the system can start, found before
 * any array is made: else the runtime ends the run with its own words. */
static int check_threads(const struct config *c)
{
    uint64_t most = 0;
    for (size_t r = 0; r < c->runs; r++)
        most = c->threads[r] > most ? c->threads[r] : most;
    int limit = omp_get_thread_limit();
    if (limit > 0 && most > (uint64_t)limit) {
        cs_error("--threads %llu: more than OpenMP's thread limit here, %d (OMP_THREAD_LIMIT)",
                 (unsigned long long)most, limit);
        return -1;
    }
    char why[256];
    unsigned room = cs_thread_room((unsigned)most, why, sizeof why);
    if (room < most) {
        cs_error("--threads %llu: only %u threads could be started here (%s)",
                 (unsigned long long)most, room, why);
        return -1;
    }
    return 0;
}

/* A test hook, unset in normal runs: CS_FAULT=J spoils a[J] after the passes, so that
 * the tests see validation fail. A value that could not fire (not a number, or J past
 * the arrays) is refused before any work. */
static int read_fault(struct config *c)
{
    const char *f = getenv("CS_FAULT");
    c->fault = -1;
    if (!f)
        return 0;
    uint64_t j;
    int ok = *f != '\0' && strspn(f, "0123456789") == strlen(f) && strlen(f) <= 19;
    if (ok && (j = strtoull(f, NULL, 10)) < c->n) {
        c->fault = (long long)j;
        return 0;
    }
    if (ok)
        cs_error("CS_FAULT '%s': no such element in arrays of --n %llu (0 to n-1)", cs_show(f),
                 (unsigned long long)c->n);
    else
        cs_error("CS_FAULT '%s': give the element J to spoil, a number from 0 to n-1",
                 cs_show(f));
    return -1;
}

/* 1 and the processors OpenMP would use: the default thread list. */
static int default_threads(struct config *c)
{
    uint64_t most = (uint64_t)omp_get_max_threads();
    c->runs = most > 1 ? 2 : 1;
    c->threads = malloc(c->runs * sizeof *c->threads);
    if (!c->threads) {
        cs_error("out of memory");
        return -1;
    }
    c->threads[0] = 1;
    if (most > 1)
        c->threads[1] = most;
    return 0;
}

static int parse_layout(const char *text, enum layout *out)
{
    if (strcmp(text, "stream") == 0)
        *out = LAYOUT_STREAM;
    else if (strcmp(text, "malloc") == 0)
        *out = LAYOUT_MALLOC;
    else {
        cs_error("--layout '%s': must be one of stream, malloc", cs_show(text));
        return -1;
    }
    return 0;
}

/* --threads LIST into c. */
static int parse_threads(const char *text, struct config *c)
{
    free(c->threads);
    c->threads = NULL;
    int rc = cs_parse_u64_list("threads", text, 1, 4096, &c->threads, &c->runs);
    if (rc == 0 && c->runs > MAX_RUNS) {
        cs_error("--threads '%s': at most %d thread counts", cs_show(text), MAX_RUNS);
        rc = -1;
    }
    return rc;
}

/* The older form, ELEMENTS [THREADS_LIST [PASSES]], which scripts made for
 * earlier revisions (the bundle's run16.sh) still call: the same values, so each
 * may come one way only. */
static int parse_positional(int count, char **args, struct config *c, const cs_args *a)
{
    static const char *const names[] = {"ELEMENTS", "THREADS_LIST", "PASSES"};
    static const char *const opts[] = {"n", "threads", "passes"};
    for (int i = 1; i < count; i++)
        if (args[i][0] == '-' && args[i][1] != '\0') {
            cs_error("'%s': an option after ELEMENTS; give the options first", cs_show(args[i]));
            return -1;
        }
    if (count > 3) {
        cs_error("unexpected argument '%s': at most ELEMENTS THREADS_LIST PASSES (see --help)",
                 cs_show(args[3]));
        return -1;
    }
    for (int i = 0; i < count; i++)
        for (size_t k = 0; k < a->count; k++)
            if (strcmp(a->opts[k].name, opts[i]) == 0 && cs_args_given(a, k)) {
                cs_error("%s '%s' and --%s '%s' both give it: give one", names[i],
                         cs_show(args[i]), opts[i], cs_show(a->first[k]));
                return -1;
            }
    int rc = cs_parse_u64("n", args[0], 1, 1ULL << 40, &c->n);
    if (rc == 0 && count > 1)
        rc = parse_threads(args[1], c);
    if (rc == 0 && count > 2)
        rc = cs_parse_u64("passes", args[2], 2, 100000, &c->passes);
    return rc;
}

/* The command line into c: 0 to run, 1 help printed, -1 after a message (exit 2). */
static int parse_args(int argc, char **argv, struct config *c)
{
    enum { OPT_N, OPT_THREADS, OPT_PASSES, OPT_OFFSET, OPT_LAYOUT, OPT_HELP };
    static const cs_arg_option table[] = {
        [OPT_N] = {"n", 1, 0},           [OPT_THREADS] = {"threads", 1, 0},
        [OPT_PASSES] = {"passes", 1, 0}, [OPT_OFFSET] = {"offset", 1, 0},
        [OPT_LAYOUT] = {"layout", 1, 0}, [OPT_HELP] = {"help", 0, 0},
    };
    *c = (struct config){.n = 50000000, .passes = 10, .layout = LAYOUT_STREAM, .fault = -1};
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    int id, rc = 0, help = 0, first_positional = 0;
    const char *v;
    while (rc == 0 && !first_positional && (id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_N: rc = cs_parse_u64("n", v, 1, 1ULL << 40, &c->n); break;
        case OPT_PASSES: rc = cs_parse_u64("passes", v, 2, 100000, &c->passes); break;
        case OPT_OFFSET: rc = cs_parse_u64("offset", v, 0, 1u << 20, &c->offset); break;
        case OPT_LAYOUT: rc = parse_layout(v, &c->layout); break;
        case OPT_THREADS: rc = parse_threads(v, c); break;
        case OPT_HELP: help = 1; break;
        case CS_ARGS_POSITIONAL: first_positional = a.next - 1; break;
        default: rc = -1;
        }
    }
    if (rc == 0 && help) {
        usage(stdout);
        return 1;
    }
    if (rc == 0 && first_positional)
        rc = parse_positional(argc - first_positional, argv + first_positional, c, &a);
    if (rc == 0 && !c->threads)
        rc = default_threads(c);
    if (rc == 0)
        rc = check_memory(c);
    if (rc == 0)
        rc = check_threads(c);
    if (rc == 0)
        rc = read_fault(c);
    return rc;
}

/* STREAM's layout: a fresh anonymous mapping (pages no one touched yet),
 * page-aligned, a, b, c in turn, each n + offset doubles long. */
static int arrays_stream(const struct config *c, struct arrays *x)
{
    size_t stride = (size_t)(c->n + c->offset);
    x->block_bytes = 3 * stride * sizeof(double);
    x->block = mmap(NULL, x->block_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                    -1, 0);
    if (x->block == MAP_FAILED) {
        x->block = NULL;
        return -1;
    }
    x->a = x->block;
    x->b = x->a + stride;
    x->c = x->b + stride;
    return 0;
}

/* The layout this tool had: three malloc'd arrays (glibc maps each apart,
 * 16 bytes past a page boundary). Kept to compare against. */
static int arrays_malloc(const struct config *c, struct arrays *x)
{
    size_t bytes = (size_t)(c->n + c->offset) * sizeof(double);
    x->a = malloc(bytes);
    x->b = malloc(bytes);
    x->c = malloc(bytes);
    return x->a && x->b && x->c ? 0 : -1;
}

static void arrays_free(struct arrays *x)
{
    if (x->block)
        munmap(x->block, x->block_bytes);
    else {
        free(x->a);
        free(x->b);
        free(x->c);
    }
    *x = (struct arrays){0};
}

static int arrays_new(const struct config *c, struct arrays *x)
{
    *x = (struct arrays){0};
    int rc = c->layout == LAYOUT_STREAM ? arrays_stream(c, x) : arrays_malloc(c, x);
    if (rc != 0) {
        arrays_free(x);
        cs_error("out of memory for three arrays of %llu doubles", (unsigned long long)c->n);
    }
    return rc;
}

static double b_value(long j)
{
    return (double)(j % 1000);
}

static double c_value(long j)
{
    return (double)(j % 777);
}

/* Is the calling thread allowed on one cpu only? */
static int bound_to_one_cpu(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1;
}

/* First touch, by the team and with the schedule the passes use; each thread
 * notes where it ran. */
static void first_touch(struct arrays *x, long n, int threads, struct placement *p)
{
    double *a = x->a, *b = x->b, *c = x->c;
    int bound = 0;
#pragma omp parallel num_threads(threads) reduction(+ : bound)
    {
        p->cpu_before[omp_get_thread_num()] = sched_getcpu();
#pragma omp single nowait
        p->team = omp_get_num_threads();
        bound += bound_to_one_cpu();
#pragma omp for schedule(static)
        for (long j = 0; j < n; j++) {
            a[j] = 0.0;
            b[j] = b_value(j);
            c[j] = c_value(j);
        }
    }
    p->bound = bound;
}

static void where_after(int threads, struct placement *p)
{
#pragma omp parallel num_threads(threads)
    p->cpu_after[omp_get_thread_num()] = sched_getcpu();
}

/* The least time of an empty parallel region of this team: the fork and
 * join every timed pass includes. */
static double fork_join_cost(int threads)
{
    double least = 1e30;
    for (int k = 0; k < 100; k++) {
        double t0 = cs_clock_now();
#pragma omp parallel num_threads(threads)
        __asm__ __volatile__("" ::: "memory"); /* nothing the compiler may drop: the region's
                                                  own cost is what is measured */
        double t = cs_clock_now() - t0;
        least = t < least ? t : least;
    }
    return least;
}

static double triad_pass(struct arrays *x, long n, int threads)
{
    double *restrict a = x->a;
    const double *restrict b = x->b, *restrict c = x->c;
    double t0 = cs_clock_now();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long j = 0; j < n; j++)
        a[j] = b[j] + TRIAD_SCALAR * c[j];
    return cs_clock_now() - t0;
}

/* STREAM's statistics: the first pass is not counted. */
static void time_passes(struct arrays *x, const struct config *c, int threads, struct timing *t)
{
    double sum = 0;
    t->least = 1e30;
    t->most = 0;
    for (uint64_t k = 0; k < c->passes; k++) {
        double s = triad_pass(x, (long)c->n, threads);
        if (k == 0)
            continue;
        sum += s;
        t->least = s < t->least ? s : t->least;
        t->most = s > t->most ? s : t->most;
    }
    t->best = t->least;
    t->avg = sum / (double)(c->passes - 1);
}

/* Every a[j] against b[j] + 3 c[j], and b, c unchanged: STREAM's average
 * relative error against EPSILON, and the first element off, if any. */
static int validate(const struct arrays *x, long n, int threads)
{
    double err_sum = 0;
    long wrong = 0, first = -1;
    for (long j = 0; j < n; j++) {
        double want = b_value(j) + TRIAD_SCALAR * c_value(j);
        double e = x->a[j] - want;
        e = (e < 0 ? -e : e) / (want > 0 ? want : 1.0);
        err_sum += e;
        if (e > EPSILON || x->b[j] != b_value(j) || x->c[j] != c_value(j)) {
            wrong++;
            first = first < 0 ? j : first;
        }
    }
    if (err_sum / (double)n > EPSILON || wrong) {
        first = first < 0 ? 0 : first;
        cs_error("validation failed at threads=%d: %ld of %ld elements wrong (average relative "
                 "error %.3g, STREAM's bound %.0e), the first at j=%ld: a %.17g, b %.17g, c %.17g",
                 threads, wrong, n, err_sum / (double)n, EPSILON, first, x->a[first],
                 x->b[first], x->c[first]);
        return -1;
    }
    return 0;
}

/* CS_FAULT (read_fault): a[J] spoiled after the passes. */
static void inject_fault(struct arrays *x, long long j)
{
    if (j >= 0)
        x->a[j] += 1.0;
}

/* "0" or "0-1": the NUMA nodes holding [p, p + bytes), or "?" when hwloc cannot tell. */
static void numa_of(hwloc_topology_t topo, const void *p, size_t bytes, char *buf, size_t size)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    snprintf(buf, size, "?");
    if (topo && set &&
        hwloc_get_area_memlocation(topo, p, bytes, set, HWLOC_MEMBIND_BYNODESET) == 0 &&
        !hwloc_bitmap_iszero(set))
        hwloc_bitmap_list_snprintf(buf, size, set);
    hwloc_bitmap_free(set);
}

/* The process's anonymous memory in transparent huge pages, MB (-1: unknown). */
static double huge_page_mb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024.0;
}

/* "0,1,8" for the cpus the threads ran on, and how many moved. */
static int cpu_list(const struct placement *p, int threads, char *buf, size_t size)
{
    int moved = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < threads; i++) {
        moved += p->cpu_before[i] != p->cpu_after[i];
        int w = snprintf(buf + used, size - used, "%s%d", i ? "," : "", p->cpu_before[i]);
        if (w < 0 || (size_t)w >= size - used) {
            snprintf(buf + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "...");
            break;
        }
        used += (size_t)w;
    }
    return moved;
}

static void print_line(const struct config *c, const struct arrays *x, int threads,
                       const struct timing *t, const struct placement *p, hwloc_topology_t topo)
{
    double bytes = 24.0 * (double)c->n;
    char numa[64], cpus[4096];
    numa_of(topo, x->a, (size_t)c->n * sizeof(double) * (x->block ? 3 : 1), numa, sizeof numa);
    int moved = cpu_list(p, threads, cpus, sizeof cpus);
    printf("threads %d best_GB/s %.2f avg_GB/s %.2f min_s %.6f avg_s %.6f max_s %.6f numa %s "
           "hugepage_MB %.0f bound %d/%d moved %d cpus %s fork_join_us %.2f\n",
           threads, bytes / t->best / 1e9, bytes / t->avg / 1e9, t->least, t->avg, t->most, numa,
           huge_page_mb(), p->bound, threads, moved, cpus, t->fork_join * 1e6);
    fflush(stdout);
}

/* One thread count, start to end: fresh arrays, first touch, passes, checks. */
static int run_one(const struct config *c, int threads, double tick, hwloc_topology_t topo)
{
    struct arrays x;
    struct placement p = {.cpu_before = calloc((size_t)threads, sizeof(int)),
                          .cpu_after = calloc((size_t)threads, sizeof(int))};
    struct timing t;
    if (!p.cpu_before || !p.cpu_after || arrays_new(c, &x) != 0) {
        free(p.cpu_before);
        free(p.cpu_after);
        return -1;
    }
    first_touch(&x, (long)c->n, threads, &p);
    time_passes(&x, c, threads, &t);
    t.fork_join = fork_join_cost(threads);
    where_after(threads, &p);
    inject_fault(&x, c->fault);
    int rc = validate(&x, (long)c->n, threads);
    if (rc == 0 && p.team != threads)
        cs_warn("asked for %d threads, OpenMP gave %d (OMP_THREAD_LIMIT? OMP_DYNAMIC?): the "
                "line counts what ran", threads, p.team);
    if (rc == 0) {
        print_line(c, &x, threads, &t, &p, topo);
        if (t.best < LEAST_TICKS * tick)
            cs_warn("at %d threads the best pass took %.0f clock ticks, under %d: too short to "
                    "time well; use a larger --n", threads, t.best / tick, LEAST_TICKS);
    }
    arrays_free(&x);
    free(p.cpu_before);
    free(p.cpu_after);
    return rc;
}

/* The first line of a small file, or "unknown". */
static void read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)size, f))
        snprintf(buf, size, "unknown");
    if (f)
        fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

/* The arrays' page offsets say whether they share them (STREAM's OFFSET exists for that). */
static void print_layout(const struct config *c)
{
    size_t stride = (size_t)(c->n + c->offset) * sizeof(double);
    if (c->layout == LAYOUT_STREAM)
        printf("# arrays: one fresh page-aligned mapping per thread count, a b c in turn, %llu "
               "spare doubles after each (STREAM's static layout); page offsets a 0 b %zu c %zu\n",
               (unsigned long long)c->offset, stride % 4096, 2 * stride % 4096);
    else
        printf("# arrays: three malloc'd arrays per thread count (--layout malloc: this tool's "
               "old layout)\n");
}

/* STREAM's rule counts the sum of the last-level caches: hwloc's (sysfs), since
 * a virtual machine's cpuid may describe the host's. 0 when unknown. */
static double last_level_cache_bytes(hwloc_topology_t topo)
{
    static const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L2CACHE};
    double sum = 0;
    for (size_t i = 0; topo && i < sizeof levels / sizeof levels[0] && sum == 0; i++) {
        hwloc_obj_t o = NULL;
        while ((o = hwloc_get_next_obj_by_type(topo, levels[i], o)) != NULL)
            sum += (double)o->attr->cache.size;
    }
    return sum;
}

static void print_header(const struct config *c, double tick, hwloc_topology_t topo)
{
    double array_mb = 8.0 * (double)c->n / 1e6;
    double llc = last_level_cache_bytes(topo);
    char thp[128];
    const char *bind = getenv("OMP_PROC_BIND"), *places = getenv("OMP_PLACES");
    read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    printf("# stream_triad (corescale %s, revision %s): STREAM's triad a[j] = b[j] + 3 c[j]\n",
           CS_VERSION, CS_REVISION);
    printf("# n = %llu elements per array, %.1f MB each; %llu passes per thread count, the first "
           "not counted; 24 bytes per element\n",
           (unsigned long long)c->n, array_mb, (unsigned long long)c->passes);
    print_layout(c);
    if (llc > 0)
        printf("# last-level cache %.1f MB: an array is %.1f times it (STREAM asks at least %d)\n",
               llc / 1e6, array_mb * 1e6 / llc, STREAM_CACHE_FACTOR);
    else
        printf("# last-level cache: unknown\n");
    printf("# clock granularity %.1e s; transparent huge pages: %s; OMP_PROC_BIND=%s "
           "OMP_PLACES=%s\n",
           tick, thp, bind ? bind : "(unset)", places ? places : "(unset)");
    printf("# per thread count: fresh arrays first touched by that many threads, schedule "
           "static; numa: nodes holding the arrays; bound: threads allowed on one cpu only; "
           "moved: threads on another cpu after the passes\n");
    fflush(stdout);
    if (llc > 0 && array_mb * 1e6 < STREAM_CACHE_FACTOR * llc)
        cs_warn("--n %llu: an array (%.1f MB) is under %d times the last-level cache (%.1f MB), "
                "STREAM's rule: caches may flatter the figures",
                (unsigned long long)c->n, array_mb, STREAM_CACHE_FACTOR, llc / 1e6);
}

int main(int argc, char **argv)
{
    cs_message_init("stream_triad");
    struct config c = {0};
    int parsed = parse_args(argc, argv, &c);
    if (parsed != 0) {
        free(c.threads);
        return parsed > 0 ? 0 : 2;
    }
    double tick = cs_clock_tick();
    hwloc_topology_t topo = NULL;
    if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
        if (topo)
            hwloc_topology_destroy(topo);
        topo = NULL;
    }
    print_header(&c, tick, topo);
    int status = 0;
    for (size_t r = 0; r < c.runs && status == 0; r++)
        status = run_one(&c, (int)c.threads[r], tick, topo) == 0 ? 0 : 1;
    if (status == 0)
        printf("# validated: at every thread count every a[j] is b[j] + 3 c[j] (average relative "
               "error under %.0e), b and c unchanged\n", EPSILON);
    if (topo)
        hwloc_topology_destroy(topo);
    free(c.threads);
    return status;
}
