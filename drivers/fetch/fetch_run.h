/* The repetition loop every fetch client shares: run, time, count, report. */
#ifndef FETCH_RUN_H
#define FETCH_RUN_H

#include <stdint.h>

#include "fetch_easy.h"
#include "fetch_plan.h"
#include "options.h"

/* How a client makes its requests; the loop knows nothing else about it. */
typedef struct fetch_exec {
    const char *driver;       /* "io_async" */
    unsigned ranks, threads, workers;
    const char *workers_text; /* for the header: "concurrency 10 (one thread)" */
    int is_root;              /* this process prints and writes */
    void *ctx;
    /* Makes, once, every request of u this process is responsible for:
     * ms[i] gets request i's latency, t the counts. 0, or -1 with a message. */
    int (*run)(void *ctx, const fetch_urls *u, double *ms, fetch_tally *t);
    /* Optional (multi-process): the worst status over all ranks. */
    int (*agree)(void *ctx, int status);
    /* Optional (multi-process): all ranks start and stop the clock together.
     * 0, or -1 with a message. */
    int (*barrier)(void *ctx);
    /* Optional (multi-process): every rank's ms and t, combined on the root. */
    int (*gather)(void *ctx, double *ms, uint64_t n, fetch_tally *t);
} fetch_exec;

/* Warm-up and timed repetitions of the whole list. Returns the exit code:
 * 0 every request succeeded (or --allow-failures), 1 otherwise. */
int fetch_run(const fetch_exec *ex, const cs_options *o, const fetch_plan *plan);

#endif
