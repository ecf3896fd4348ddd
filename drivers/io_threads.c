/* io_threads: a pool of threads, a handle each, taking the next request as they free up. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_easy.h"
#include "fetch_nofile.h"
#include "fetch_plan.h"
#include "fetch_run.h"
#include "message.h"
#include "options.h"
#include "thread_room.h"

#define DEFAULT_THREADS 10

struct pool {
    unsigned threads;
    fetch_easy *handles;
    /* per run */
    const fetch_urls *urls;
    double *ms;
    fetch_tally *tallies;
    _Atomic uint64_t next;
};

struct worker {
    struct pool *pool;
    unsigned id;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    for (;;) {
        uint64_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->urls->count)
            break;
        fetch_easy_run_one(&p->handles[w->id], p->urls, i, p->ms, &p->tallies[w->id]);
    }
    return NULL;
}

static int pool_run(void *ctx, const fetch_urls *u, double *ms, fetch_tally *t)
{
    struct pool *p = ctx;
    pthread_t *tids = calloc(p->threads, sizeof *tids);
    struct worker *ws = calloc(p->threads, sizeof *ws);
    p->tallies = calloc(p->threads, sizeof *p->tallies);
    if (!tids || !ws || !p->tallies) {
        cs_error("out of memory for %u threads", p->threads);
        free(tids);
        free(ws);
        free(p->tallies);
        return -1;
    }
    p->urls = u;
    p->ms = ms;
    atomic_store(&p->next, 0);
    unsigned started = 0;
    int rc = 0;
    for (; started < p->threads; started++) {
        fetch_tally_init(&p->tallies[started]);
        ws[started] = (struct worker){p, started};
        int err = pthread_create(&tids[started], NULL, worker_main, &ws[started]);
        if (err != 0) {
            /* The threads already started finish the list; the run is still wrong. */
            cs_error("--threads %u: cannot start thread %u: %s", p->threads, started + 1,
                     strerror(err));
            rc = -1;
            break;
        }
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        fetch_tally_merge(t, &p->tallies[i]);
    }
    free(tids);
    free(ws);
    free(p->tallies);
    p->tallies = NULL;
    return rc;
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "io_threads",
        .purpose = "Fetch URLs on a pool of threads, one libcurl handle each.\n"
                   "With no URL it serves --requests requests of --delay-ms itself, on loopback.",
        .groups = CS_OPTS_COMMON | CS_OPTS_FETCH | CS_OPTS_THREADS,
        .threads_default = "pool size (default 10)",
    };
    cs_message_init(info.name);
    cs_options o;
    enum cs_parse_result parsed = cs_options_parse(&o, &info, argc, argv);
    if (parsed != CS_PARSE_RUN)
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;
    struct pool pool = {.threads = o.threads ? o.threads : DEFAULT_THREADS};
    char why[256];
    unsigned room = cs_thread_room(pool.threads, why, sizeof why);
    if (room < pool.threads) {
        cs_error("--threads %u: only %u threads could be started here (%s)", pool.threads, room,
                 why);
        cs_options_free(&o);
        return CS_EXIT_USAGE;
    }
    if (fetch_easy_global_init() != 0) {
        cs_options_free(&o);
        return CS_EXIT_FAIL;
    }
    fetch_plan plan;
    int code = fetch_plan_build(&plan, &o);
    unsigned made = 0;
    if (code == CS_EXIT_OK) {
        /* A connection per thread, and as many again when the server is ours. */
        char what[48];
        snprintf(what, sizeof what, "--threads %u", pool.threads);
        if (fetch_nofile_need(what, (plan.server ? 2 : 1) * (uint64_t)pool.threads + 16) != 0)
            code = CS_EXIT_USAGE;
        pool.handles = code == CS_EXIT_OK ? calloc(pool.threads, sizeof *pool.handles) : NULL;
        if (code == CS_EXIT_OK && !pool.handles) {
            cs_error("--threads %u: out of memory for the handles", pool.threads);
            code = CS_EXIT_FAIL;
        }
        fetch_limits lim = {o.timeout_ms, o.connect_timeout_ms};
        for (; code == CS_EXIT_OK && made < pool.threads; made++)
            if (fetch_easy_init(&pool.handles[made], &lim) != 0)
                code = CS_EXIT_FAIL;
    }
    if (code == CS_EXIT_OK) {
        char text[64];
        snprintf(text, sizeof text, "threads %u, a handle each", pool.threads);
        fetch_exec ex = {
            .driver = info.name, .ranks = 1, .threads = pool.threads, .workers = pool.threads,
            .workers_text = text, .is_root = 1, .ctx = &pool, .run = pool_run,
        };
        code = fetch_run(&ex, &o, &plan);
    }
    for (unsigned i = 0; i < made; i++)
        fetch_easy_cleanup(&pool.handles[i]);
    free(pool.handles);
    fetch_plan_free(&plan);
    fetch_easy_global_cleanup();
    cs_options_free(&o);
    return code;
}
