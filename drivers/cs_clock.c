/* cs_clock: the effective clock of W workers running at once, pinned as the CPU drivers pin them. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "build_info.h"
#include "clock.h"
#include "clock_probe.h"
#include "message.h"
#include "options.h"
#include "pin.h"

#define DEFAULT_MULTIPLIES (1u << 21) /* about 2 ms at 3 GHz: cheap beside any point */
#define PIECES 5 /* the chain is timed in pieces; the fastest reads the clock */

static void usage(void)
{
    printf("Usage: cs_clock [--workers W] [--bind KIND] [--multiplies M]\n"
           "Start W threads pinned as cpu_omp pins them; at once, each runs a chain of M\n"
           "dependent 64-bit multiplies (3 cycles each on x86-64), timed in %d pieces, the\n"
           "fastest kept (a piece cut by preemption reads too slow a clock). Prints each\n"
           "worker's effective clock and, last, one line for scripts:\n"
           "  ghz MEDIAN min MIN max MAX counter COUNTER\n"
           "COUNTER is perf-cycles when the system counts this thread's core cycles (perf's\n"
           "cycles event, user mode; the clock is then cycles / seconds), else imul-chain\n"
           "(the chain's cycles / seconds). scripts/sweep.sh runs it before and after each\n"
           "point: a clock that falls as workers are added explains lost efficiency.\n\n"
           "Options:\n"
           "  --workers W      threads, 1 to 4096 (default 1)\n"
           "  --bind KIND      core, pu or none (default core)\n"
           "  --multiplies M   chain length per worker, 1000 to 10000000000 (default %u)\n"
           "  --help           this help\n"
           "  --version        version and build\n\n"
           "Exit status: 0 done, 1 a worker measured nothing, 2 the command line was wrong.\n",
           PIECES, DEFAULT_MULTIPLIES);
}

typedef struct probe_result {
    double seconds, ghz;
    int64_t cycles; /* -1: no counter */
} probe_result;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Every worker binds, meets the others, warms up, meets again, then times its chain in
 * PIECES pieces and keeps the fastest: a piece the OS preempted (other work on a shared machine)
 * would read a slower clock than the core ran at, and others_running in points.csv already
 * counts that work. */
static void run_workers(cs_pin *pin, unsigned workers, uint64_t multiplies, probe_result *r)
{
#pragma omp parallel num_threads(workers)
    {
        unsigned w = (unsigned)omp_get_thread_num();
        if (pin)
            cs_pin_bind_self(pin, w);
        int fd = cs_probe_cycles_open();
        cs_probe_chain_seconds(multiplies / 4);
#pragma omp barrier
        r[w].seconds = INFINITY;
        r[w].cycles = -1;
        for (int piece = 0; piece < PIECES; piece++) {
            int64_t c0 = cs_probe_cycles_read(fd);
            double s = cs_probe_chain_seconds(multiplies / PIECES);
            int64_t c1 = cs_probe_cycles_read(fd);
            if (s < r[w].seconds) {
                r[w].seconds = s;
                r[w].cycles = fd >= 0 && c0 >= 0 && c1 > c0 ? c1 - c0 : -1;
            }
        }
        cs_probe_cycles_close(fd);
        if (pin)
            cs_pin_check_self(pin, w);
    }
}

static int parse_bind(const char *v, enum cs_bind *out)
{
    static const char *const names[] = {"core", "pu", "none"};
    static const enum cs_bind kinds[] = {CS_BIND_CORE, CS_BIND_PU, CS_BIND_NONE};
    for (int i = 0; i < 3; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = kinds[i];
            return 0;
        }
    cs_error("--bind '%s': not one of core, pu, none", cs_show(v));
    return -1;
}

int main(int argc, char **argv)
{
    cs_message_init("cs_clock");
    enum { OPT_WORKERS, OPT_BIND, OPT_MULTIPLIES, OPT_HELP, OPT_VERSION };
    static const cs_arg_option table[] = {
        [OPT_WORKERS] = {"workers", 1, 0},       [OPT_BIND] = {"bind", 1, 0},
        [OPT_MULTIPLIES] = {"multiplies", 1, 0}, [OPT_HELP] = {"help", 0, 0},
        [OPT_VERSION] = {"version", 0, 0},
    };
    uint64_t workers = 1, multiplies = DEFAULT_MULTIPLIES;
    enum cs_bind bind = CS_BIND_CORE;
    const char *v;
    int id, help = 0, version = 0;
    cs_args a;
    cs_args_init(&a, argc, argv, table, sizeof table / sizeof table[0]);
    while ((id = cs_args_next(&a, &v)) != CS_ARGS_END) {
        switch (id) {
        case OPT_WORKERS:
            if (cs_parse_u64("workers", v, 1, 4096, &workers) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_BIND:
            if (parse_bind(v, &bind) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_MULTIPLIES:
            if (cs_parse_u64("multiplies", v, 1000, 10000000000ULL, &multiplies) != 0)
                return CS_EXIT_USAGE;
            break;
        case OPT_HELP: help = 1; break;
        case OPT_VERSION: version = 1; break;
        case CS_ARGS_POSITIONAL:
            cs_error("unexpected argument '%s' (see --help)", cs_show(v));
            return CS_EXIT_USAGE;
        default: return CS_EXIT_USAGE;
        }
    }
    if (help) {
        usage();
        return CS_EXIT_OK;
    }
    if (version) {
        printf("cs_clock (corescale) %s, revision %s\n", CS_VERSION, CS_REVISION);
        return CS_EXIT_OK;
    }

    /* Pinned as cpu_omp pins W threads; where binding is not possible the probe still runs. */
    cs_pin *pin = NULL;
    cs_err err = {0};
    if (bind != CS_BIND_NONE) {
        if (cs_pin_open(&pin, NULL, &err) != CS_OK ||
            cs_pin_plan(pin, bind, NULL, (unsigned)workers, 0, (unsigned)workers, &err) != CS_OK) {
            cs_warn("cannot pin (%s): the workers run unpinned", err.msg);
            cs_pin_close(pin);
            pin = NULL;
        }
    }
    probe_result *r = calloc(workers, sizeof *r);
    double *ghz = calloc(workers, sizeof *ghz);
    if (!r || !ghz) {
        cs_error("out of memory for %llu workers", (unsigned long long)workers);
        return CS_EXIT_FAIL;
    }
    run_workers(pin, (unsigned)workers, multiplies, r);

    /* One counter for every worker: cycles only if every worker had them. */
    int counted = 1;
    for (unsigned w = 0; w < workers; w++)
        counted &= r[w].cycles > 0;
    const char *counter = counted ? "perf-cycles" : "imul-chain";
    printf("# cs_clock (corescale) %s: %llu worker%s at once, bind %s, %llu multiplies each, "
           "counter %s\n",
           CS_VERSION, (unsigned long long)workers, workers == 1 ? "" : "s", cs_bind_name(bind),
           (unsigned long long)multiplies, counter);
    printf("# %6s %5s %12s %8s %8s\n", "worker", "pu", "piece_s", "ghz", "chain");
    int status = CS_EXIT_OK;
    for (unsigned w = 0; w < workers; w++) {
        double chain = cs_probe_chain_ghz(multiplies / PIECES, r[w].seconds);
        ghz[w] = counted ? (double)r[w].cycles / r[w].seconds / 1e9 : chain;
        if (!(ghz[w] > 0) || !isfinite(ghz[w])) {
            cs_error("worker %u measured nothing (%.9f s)", w, r[w].seconds);
            status = CS_EXIT_FAIL;
        }
        printf("  %6u %5d %12.6f %8.3f %8.3f\n", w, pin ? cs_pin_worker_ran_on(pin, w) : -1,
               r[w].seconds, ghz[w], chain);
    }
    qsort(ghz, workers, sizeof *ghz, by_value);
    double median = workers % 2 ? ghz[workers / 2] : (ghz[workers / 2 - 1] + ghz[workers / 2]) / 2;
    printf("ghz %.3f min %.3f max %.3f counter %s\n", median, ghz[0], ghz[workers - 1], counter);
    free(r);
    free(ghz);
    cs_pin_close(pin);
    return status;
}
