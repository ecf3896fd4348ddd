/* The case loop every CPU driver shares: validate, repeat, time, verify, report. */
#ifndef CS_CPU_RUN_H
#define CS_CPU_RUN_H

#include <stdint.h>

#include "kernel.h"
#include "options.h"
#include "profile.h"
#include "stencil_plan.h"

/* What one run of a case cost, phase by phase (seconds; bytes sent). */
typedef struct cs_phase {
    double compute_s, combine_s, comm_s;
    uint64_t comm_bytes;
    cs_step_record *record; /* --profile of a stencil: the driver fills it; else NULL */
} cs_phase;

/* How a driver runs work; the case loop knows nothing else about it. */
typedef struct cs_exec {
    const char *driver;            /* "cpu_serial" */
    unsigned ranks, threads, workers;
    int is_root;                   /* this process prints and writes */
    const char *binding;           /* for the header: "core (0->0 1->1)" or "none" */
    const char *warnings;          /* run-wide: "oversubscribed;smt" or "" */
    void *ctx;
    /* Every item of the case, combined through the fixed tree. On the root
     * *result is the tree's root partial; on other ranks NULL. */
    int (*run)(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
               cs_phase *phase, cs_err *err);
    /* Optional: item_prepare on the workers that will run each item. */
    int (*prepare)(void *ctx, const cs_kernel *k, cs_problem *p, cs_err *err);
    /* Optional (multi-process): the worst status over all ranks. */
    int (*agree)(void *ctx, int status);
    /* Optional (multi-process): all ranks start the clock together. */
    void (*barrier)(void *ctx);
    /* Optional (multi-process), --profile: every rank's recorded tasks to the
     * root's recorder (cs_profile_export, cs_profile_import). Collective;
     * returns 0, or -1 when a rank's tasks could not come. */
    int (*gather_profile)(void *ctx, cs_profile *pr);
    int rank; /* this process's rank: it stamps the profile's tasks */
} cs_exec;

/* Runs every case of o with ex. Returns the exit code: 0 all verified,
 * 1 a run failed, 2 a case is invalid (found before any work runs). */
int cs_cpu_run(const cs_exec *ex, const cs_options *o);

#endif
