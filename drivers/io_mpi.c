/* io_mpi: ranks share the request list, each fetching its share serially: the process-pool contrast. */
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch_easy.h"
#include "fetch_nofile.h"
#include "fetch_plan.h"
#include "fetch_run.h"
#include "message.h"
#include "options.h"

struct ranks {
    int rank, size;
    fetch_easy easy;
    fetch_tally *all; /* on the root: every rank's tally, gathered */
};

/* 0, or a message naming the call and MPI's reason, and -1. */
static int mpi_ok(int rc, const char *what)
{
    if (rc == MPI_SUCCESS)
        return 0;
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    cs_error("%s failed: %s", what, text);
    return -1;
}

/* Request i belongs to rank i mod size: the split depends on the list alone. */
static int ranks_run(void *ctx, const fetch_urls *u, double *ms, fetch_tally *t)
{
    struct ranks *r = ctx;
    for (uint64_t i = (uint64_t)r->rank; i < u->count; i += (uint64_t)r->size)
        fetch_easy_run_one(&r->easy, u, i, ms, t);
    return 0;
}

static int ranks_agree(void *ctx, int status)
{
    (void)ctx;
    int worst = status;
    if (mpi_ok(MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
               "MPI_Allreduce (status)") != 0)
        return CS_EXIT_FAIL;
    return worst;
}

static int ranks_barrier(void *ctx)
{
    (void)ctx;
    return mpi_ok(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

/* Each latency was written by exactly one rank and is 0 elsewhere: a sum
 * brings them together. Tallies travel whole, as bytes. */
static int ranks_gather(void *ctx, double *ms, uint64_t n, fetch_tally *t)
{
    struct ranks *r = ctx;
    int root = r->rank == 0;
    if (mpi_ok(MPI_Reduce(root ? MPI_IN_PLACE : ms, ms, (int)n, MPI_DOUBLE, MPI_SUM, 0,
                          MPI_COMM_WORLD),
               "MPI_Reduce (latencies)") != 0)
        return -1;
    if (mpi_ok(MPI_Gather(t, (int)sizeof *t, MPI_BYTE, r->all, (int)sizeof *t, MPI_BYTE, 0,
                          MPI_COMM_WORLD),
               "MPI_Gather (tallies)") != 0)
        return -1;
    if (root) {
        fetch_tally_init(t);
        for (int i = 0; i < r->size; i++)
            fetch_tally_merge(t, &r->all[i]);
    }
    return 0;
}

/* Only rank 0 speaks while the command line is read: the other ranks parse
 * the same argv and reach the same verdict in silence. */
static enum cs_parse_result parse_quietly(cs_options *o, const cs_program_info *info,
                                          int argc, char **argv, int rank)
{
    int saved_out = -1, saved_err = -1, null_fd = -1;
    if (rank != 0) {
        fflush(stdout);
        fflush(stderr);
        null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        saved_out = dup(1);
        saved_err = dup(2);
        if (null_fd >= 0 && saved_out >= 0 && saved_err >= 0) {
            dup2(null_fd, 1);
            dup2(null_fd, 2);
        }
    }
    enum cs_parse_result parsed = cs_options_parse(o, info, argc, argv);
    if (rank != 0) {
        fflush(stdout);
        fflush(stderr);
        if (saved_out >= 0 && saved_err >= 0) {
            dup2(saved_out, 1);
            dup2(saved_err, 2);
        }
        if (saved_out >= 0)
            close(saved_out);
        if (saved_err >= 0)
            close(saved_err);
        if (null_fd >= 0)
            close(null_fd);
    }
    return parsed;
}

/* The root's plan (URLs checked, embedded server started) reaches every rank. */
static int share_plan(struct ranks *r, fetch_plan *plan, const cs_options *o)
{
    int code = CS_EXIT_OK;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (r->rank == 0) {
        code = fetch_plan_build(plan, o);
        if (code == CS_EXIT_OK)
            code = fetch_urls_pack(&plan->urls, &buf, &len);
    } else {
        fetch_plan_init(plan);
    }
    if (mpi_ok(MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast (plan status)") != 0)
        code = CS_EXIT_FAIL;
    if (code != CS_EXIT_OK) {
        free(buf);
        return code;
    }
    uint64_t len64 = len;
    if (mpi_ok(MPI_Bcast(&len64, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast (list size)"))
        code = CS_EXIT_FAIL;
    if (code == CS_EXIT_OK && r->rank != 0 && !(buf = malloc((size_t)len64))) {
        cs_error("out of memory for a URL list of %llu bytes", (unsigned long long)len64);
        code = CS_EXIT_FAIL;
    }
    code = ranks_agree(r, code);
    if (code == CS_EXIT_OK &&
        (mpi_ok(MPI_Bcast(buf, (int)len64, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast (URLs)") ||
         mpi_ok(MPI_Bcast(plan->source, sizeof plan->source, MPI_CHAR, 0, MPI_COMM_WORLD),
                "MPI_Bcast (source)") ||
         mpi_ok(MPI_Bcast(plan->case_name, sizeof plan->case_name, MPI_CHAR, 0, MPI_COMM_WORLD),
                "MPI_Bcast (case)")))
        code = CS_EXIT_FAIL;
    if (code == CS_EXIT_OK && r->rank != 0)
        code = fetch_urls_unpack(&plan->urls, buf, (size_t)len64);
    free(buf);
    return ranks_agree(r, code);
}

/* The embedded server listens on rank 0's loopback: every rank must be on its host. */
static int check_one_host(struct ranks *r)
{
    char mine[MPI_MAX_PROCESSOR_NAME] = "", root[MPI_MAX_PROCESSOR_NAME] = "";
    int len = 0, elsewhere = 0, any = 0;
    if (mpi_ok(MPI_Get_processor_name(mine, &len), "MPI_Get_processor_name"))
        return CS_EXIT_FAIL;
    memcpy(root, mine, sizeof root);
    if (mpi_ok(MPI_Bcast(root, sizeof root, MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast (host)"))
        return CS_EXIT_FAIL;
    elsewhere = strcmp(root, mine) != 0;
    if (mpi_ok(MPI_Allreduce(&elsewhere, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
               "MPI_Allreduce (hosts)"))
        return CS_EXIT_FAIL;
    if (any && r->rank == 0)
        cs_error("ranks run on several hosts but no URL was given: the embedded server "
                 "listens on rank 0's loopback only (give --url)");
    return any ? CS_EXIT_USAGE : CS_EXIT_OK;
}

int main(int argc, char **argv)
{
    static const cs_program_info info = {
        .name = "io_mpi",
        .purpose = "Fetch URLs on MPI ranks, each rank its share one at a time (request i on\n"
                   "rank i mod ranks). With no URL rank 0 serves --requests requests of\n"
                   "--delay-ms itself, on loopback (all ranks on its host).",
        .groups = CS_OPTS_COMMON | CS_OPTS_FETCH,
    };
    cs_message_init(info.name);
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cs_error("MPI cannot start (is this run under mpirun?)");
        return CS_EXIT_FAIL;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    struct ranks r = {0};
    MPI_Comm_rank(MPI_COMM_WORLD, &r.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r.size);
    char name[64];
    snprintf(name, sizeof name, r.rank == 0 ? "%s" : "%s rank %d", info.name, r.rank);
    cs_message_init(name);
    cs_message_set_silent(r.rank != 0);

    cs_options o;
    enum cs_parse_result parsed = parse_quietly(&o, &info, argc, argv, r.rank);
    if (parsed != CS_PARSE_RUN) {
        MPI_Finalize();
        return parsed == CS_PARSE_DONE ? CS_EXIT_OK : CS_EXIT_USAGE;
    }
    int code = ranks_agree(&r, fetch_easy_global_init() == 0 ? CS_EXIT_OK : CS_EXIT_FAIL);
    if (code != CS_EXIT_OK) {
        cs_options_free(&o);
        MPI_Finalize();
        return code;
    }
    fetch_plan plan;
    code = share_plan(&r, &plan, &o);
    if (code == CS_EXIT_OK) {
        /* Given URLs work from any host; the embedded server only from rank 0's. */
        int embedded = r.rank == 0 && plan.server != NULL;
        if (mpi_ok(MPI_Bcast(&embedded, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast (embedded)"))
            code = CS_EXIT_FAIL;
        if (code == CS_EXIT_OK && embedded)
            code = check_one_host(&r);
    }
    if (code == CS_EXIT_OK) {
        fetch_nofile_raise(64);
        fetch_limits lim = {o.timeout_ms, o.connect_timeout_ms};
        int ok = fetch_easy_init(&r.easy, &lim) == 0;
        if (ok && r.rank == 0 && !(r.all = calloc((size_t)r.size, sizeof *r.all))) {
            cs_error("out of memory for %d ranks' tallies", r.size);
            ok = 0;
        }
        code = ranks_agree(&r, ok ? CS_EXIT_OK : CS_EXIT_FAIL);
    }
    if (code == CS_EXIT_OK) {
        char text[64];
        snprintf(text, sizeof text, "ranks %d, one handle each, serial", r.size);
        fetch_exec ex = {
            .driver = info.name, .ranks = (unsigned)r.size, .threads = 1,
            .workers = (unsigned)r.size, .workers_text = text, .is_root = r.rank == 0,
            .ctx = &r, .run = ranks_run, .agree = ranks_agree, .barrier = ranks_barrier,
            .gather = ranks_gather,
        };
        code = fetch_run(&ex, &o, &plan);
    }
    fetch_easy_cleanup(&r.easy);
    free(r.all);
    fetch_plan_free(&plan);
    fetch_easy_global_cleanup();
    cs_options_free(&o);
    MPI_Finalize();
    return code;
}
