/* The fetch clients' loop: the same header, table, rows and verdict whatever makes the requests. */
#include "fetch_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_info.h"
#include "clock.h"
#include "fetch_latency.h"
#include "message.h"
#include "row.h"

#define SHORT_RUN_S 0.010

static int agree(const fetch_exec *ex, int status)
{
    return ex->agree ? ex->agree(ex->ctx, status) : status;
}

static int barrier(const fetch_exec *ex)
{
    return ex->barrier ? ex->barrier(ex->ctx) : 0;
}

static void print_header(const fetch_exec *ex, const cs_options *o, const fetch_plan *plan)
{
    char utc[32];
    cs_clock_utc(utc, sizeof utc);
    printf("# %s (corescale %s, revision %s)\n", ex->driver, CS_VERSION, CS_REVISION);
    printf("# fetch %llu requests: %s\n", (unsigned long long)plan->urls.count, plan->source);
    printf("# workers %u (%s); timeout %llu ms, connect timeout %llu ms\n", ex->workers,
           ex->workers_text, (unsigned long long)o->timeout_ms,
           (unsigned long long)o->connect_timeout_ms);
    printf("# built with %s, flags %s; libcurl %s\n", CS_COMPILER, CS_FLAGS,
           curl_version_info(CURLVERSION_NOW)->version);
    printf("# host %s, %s; repeat %u, warmup %u; latency over every request, failed ones "
           "included\n",
           cs_host_name(), utc, o->repeat, o->warmup);
    printf("# %4s %9s %7s %12s %10s %11s %9s %9s %9s %9s\n", "rep", "requests", "errors",
           "bytes", "wall_s", "req_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms");
    fflush(stdout);
}

struct rep_result {
    double wall_s, req_per_s;
    uint64_t errors;
    fetch_latency lat;
};

static void print_rep(unsigned rep, const fetch_tally *t, const struct rep_result *r)
{
    printf("  %4u %9llu %7llu %12llu %10.6f %11.1f %9.3f %9.3f %9.3f %9.3f\n", rep,
           (unsigned long long)t->requests, (unsigned long long)r->errors,
           (unsigned long long)t->bytes, r->wall_s, r->req_per_s, r->lat.p50_ms, r->lat.p90_ms,
           r->lat.p99_ms, r->lat.max_ms);
    fflush(stdout);
}

static int write_row(const cs_rows *rows, const fetch_exec *ex, const fetch_plan *plan, unsigned rep,
                     const fetch_tally *t, const struct rep_result *r)
{
    char digest[96];
    snprintf(digest, sizeof digest, "ok=%llu;checked=%llu",
             (unsigned long long)(t->requests - r->errors), (unsigned long long)t->checked);
    cs_row row = {
        .driver = ex->driver, .kernel = "fetch", .case_name = plan->case_name,
        .class_name = "", .bind = "none", .schedule = "", .ranks = ex->ranks,
        .threads = ex->threads, .workers = ex->workers, .chunks = 0, .rep = rep,
        .wall_s = r->wall_s, .compute_s = -1, .combine_s = -1, .comm_s = -1, .comm_bytes = 0,
        .verified = r->errors == 0, .digest = digest,
        .warnings = r->wall_s < SHORT_RUN_S ? "short-run" : "", .has_fetch = 1,
        .requests = t->requests, .errors = r->errors, .bytes = t->bytes,
        .req_per_s = r->req_per_s, .p50_ms = r->lat.p50_ms, .p90_ms = r->lat.p90_ms,
        .p99_ms = r->lat.p99_ms, .max_ms = r->lat.max_ms,
    };
    return cs_rows_write(rows, &row);
}

static void print_summary(const fetch_plan *plan, double *walls,
                          double *rates, unsigned n, const fetch_tally *all, unsigned reps)
{
    if (n > 0) {
        fetch_latency_sort(walls, n);
        fetch_latency_sort(rates, n);
        printf("# wall_s min %.6f med %.6f max %.6f; req_per_s med %.1f\n", walls[0],
               walls[n / 2], walls[n - 1], rates[n / 2]);
    }
    if (plan->server) {
        fetch_server_stats st;
        fetch_server_get_stats(plan->server, &st);
        printf("# embedded server: served %llu, at most %llu in flight, %llu connection%s\n",
               (unsigned long long)st.served, (unsigned long long)st.inflight_max,
               (unsigned long long)st.connections, st.connections == 1 ? "" : "s");
    }
    const char **urls = fetch_urls_table(&plan->urls);
    fetch_faults_print(stdout, &all->faults, urls);
    free(urls);
    uint64_t failed = fetch_faults_total(&all->faults);
    if (failed == 0)
        printf("# verdict: all %llu requests of %u repetitions succeeded; %llu pattern bodies "
               "checked\n",
               (unsigned long long)all->requests, reps, (unsigned long long)all->checked);
    else
        printf("# verdict: %llu of %llu requests of %u repetitions FAILED\n",
               (unsigned long long)failed, (unsigned long long)all->requests, reps);
    fflush(stdout);
}

/* "refused 2, timeout 1" for the one-line error. */
static void fault_counts(const fetch_faults *f, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 1; k < FETCH_FAULT_KINDS && at < n; k++)
        if (f->count[k])
            at += (size_t)snprintf(buf + at, n - at, "%s%s %llu", at ? ", " : "",
                                   fetch_fault_name(k), (unsigned long long)f->count[k]);
}

int fetch_run(const fetch_exec *ex, const cs_options *o, const fetch_plan *plan)
{
    uint64_t n = plan->urls.count;
    unsigned total = o->warmup + o->repeat;
    int code = CS_EXIT_OK;
    cs_rows rows = {-1, -1};
    if (ex->is_root && cs_rows_open(&rows, o->csv_path, o->json_path) != 0)
        code = CS_EXIT_USAGE;
    double *ms = malloc((size_t)(n ? n : 1) * sizeof *ms);
    double *walls = calloc(o->repeat, sizeof *walls), *rates = calloc(o->repeat, sizeof *rates);
    if (code == CS_EXIT_OK && (!ms || !walls || !rates)) {
        cs_error("out of memory for %llu latencies", (unsigned long long)n);
        code = CS_EXIT_FAIL;
    }
    code = agree(ex, code);
    if (code != CS_EXIT_OK)
        goto out;
    if (ex->is_root && !o->quiet)
        print_header(ex, o, plan);
    fetch_tally all;
    fetch_tally_init(&all);
    unsigned timed = 0;
    for (unsigned rep = 0; rep < total; rep++) {
        fetch_tally t;
        fetch_tally_init(&t);
        memset(ms, 0, (size_t)n * sizeof *ms);
        int rc = barrier(ex);
        double t0 = cs_clock_now();
        if (rc == 0)
            rc = ex->run(ex->ctx, &plan->urls, ms, &t);
        if (barrier(ex) != 0)
            rc = -1;
        double t1 = cs_clock_now();
        if (agree(ex, rc == 0 ? CS_EXIT_OK : CS_EXIT_FAIL) != CS_EXIT_OK) {
            if (ex->is_root)
                cs_error("repetition %u could not run (see the message above)", rep + 1);
            code = CS_EXIT_FAIL;
            goto out;
        }
        if (ex->gather && agree(ex, ex->gather(ex->ctx, ms, n, &t) == 0 ? 0 : 1) != 0) {
            if (ex->is_root)
                cs_error("repetition %u: cannot gather the ranks' results", rep + 1);
            code = CS_EXIT_FAIL;
            goto out;
        }
        if (!ex->is_root)
            continue;
        fetch_tally_merge(&all, &t);
        if (rep < o->warmup)
            continue;
        struct rep_result r = {.wall_s = t1 - t0, .errors = fetch_faults_total(&t.faults)};
        r.req_per_s = r.wall_s > 0 ? (double)t.requests / r.wall_s : 0;
        fetch_latency_summarize(ms, (size_t)n, &r.lat);
        walls[timed] = r.wall_s;
        rates[timed] = r.req_per_s;
        timed++;
        if (!o->quiet)
            print_rep(rep - o->warmup + 1, &t, &r);
        if (cs_rows_wanted(&rows) && write_row(&rows, ex, plan, rep - o->warmup + 1, &t, &r) != 0)
            code = CS_EXIT_FAIL;
    }
    if (ex->is_root) {
        if (!o->quiet)
            print_summary(plan, walls, rates, timed, &all, total);
        uint64_t failed = fetch_faults_total(&all.faults);
        if (failed) {
            char counts[256];
            fault_counts(&all.faults, counts, sizeof counts);
            if (o->allow_failures)
                cs_warn("%llu of %llu requests failed (%s); accepted by --allow-failures",
                        (unsigned long long)failed, (unsigned long long)all.requests, counts);
            else {
                cs_error("%llu of %llu requests failed (%s)", (unsigned long long)failed,
                         (unsigned long long)all.requests, counts);
                code = CS_EXIT_FAIL;
            }
        }
    }
    code = agree(ex, code);
out:
    cs_rows_close(&rows);
    free(ms);
    free(walls);
    free(rates);
    return code;
}
