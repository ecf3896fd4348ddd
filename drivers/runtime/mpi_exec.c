/* MPI ranks with pinned OpenMP teams: item hand-out, the cross-rank tree, agreement. */
#include "mpi_exec.h"

#include <fcntl.h>
#include <limits.h>
#include <mpi.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "message.h"
#include "omp_team.h"
#include "pin.h"
#include "row.h"

enum { TAG_REQUEST = 1, TAG_GRANT = 2, TAG_PARTIAL = 3 };
#define SET_TEXT 256    /* a process's CPU list, as exchanged */
#define REPORT_TEXT 200 /* one worker's --show-binding line */
#define PLACE_TEXT 96   /* one rank's placement, for the header */

struct fault {
    int rank;      /* -1: none */
    uint64_t item; /* UINT64_MAX: the first item the rank ran */
    int wrong;     /* double the partial instead of failing */
};

struct cs_mpi {
    int rank, size, local_rank, local_size;
    MPI_Comm work; /* hand-out and partials, apart from cpu_run's collectives */
    MPI_Comm node; /* the ranks sharing this machine */
    cs_team team;
    enum cs_schedule schedule;
    unsigned node_workers, node_cores;
    unsigned known;     /* warning bits over all ranks so far */
    unsigned warned;    /* those already said on stderr */
    char warnings[128]; /* the CSV column (ex->warnings) */
    char binding[512];  /* the header's binding text */
    struct fault fault;
};

/* A failed MPI call leaves this rank unable to take part: say so, end the job. */
static void mpi_ok(const cs_mpi *m, int rc, const char *call)
{
    if (rc == MPI_SUCCESS)
        return;
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, text, &len);
    cs_error("rank %d: %s failed: %s", m ? m->rank : -1, call, text);
    MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
}

/* CS_FAULT=RANK:ITEM[:wrong], ITEM a number or '*' (the first item RANK ran). */
static void read_fault(struct fault *f)
{
    f->rank = -1;
    const char *spec = getenv("CS_FAULT");
    char *end;
    if (!spec || !*spec)
        return;
    long rank = strtol(spec, &end, 10);
    if (end == spec || *end != ':')
        return;
    const char *item = end + 1;
    if (*item == '*') {
        f->item = UINT64_MAX;
        end = (char *)item + 1;
    } else {
        f->item = strtoull(item, &end, 10);
        if (end == item)
            return;
    }
    f->wrong = strcmp(end, ":wrong") == 0;
    f->rank = (int)rank;
}

cs_mpi *cs_mpi_start(int *argc, char ***argv, const char *program)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        cs_error("MPI cannot start (is this run under mpirun?)");
        return NULL;
    }
    cs_mpi *m = calloc(1, sizeof *m);
    if (!m) {
        cs_error("out of memory starting %s", program);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
        return NULL;
    }
    mpi_ok(m, MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
           "MPI_Comm_set_errhandler");
    mpi_ok(m, MPI_Comm_rank(MPI_COMM_WORLD, &m->rank), "MPI_Comm_rank");
    mpi_ok(m, MPI_Comm_size(MPI_COMM_WORLD, &m->size), "MPI_Comm_size");
    if (provided < MPI_THREAD_FUNNELED) {
        if (m->rank == 0)
            cs_error("this MPI library cannot run threads beside MPI (it provides level %d)",
                     provided);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    mpi_ok(m, MPI_Comm_dup(MPI_COMM_WORLD, &m->work), "MPI_Comm_dup");
    mpi_ok(m, MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank, MPI_INFO_NULL,
                                  &m->node),
           "MPI_Comm_split_type");
    mpi_ok(m, MPI_Comm_rank(m->node, &m->local_rank), "MPI_Comm_rank");
    mpi_ok(m, MPI_Comm_size(m->node, &m->local_size), "MPI_Comm_size");
    read_fault(&m->fault);
    return m;
}

int cs_mpi_rank(const cs_mpi *m)
{
    return m->rank;
}

static int worst_over_ranks(const cs_mpi *m, int value)
{
    int worst = value;
    mpi_ok(m, MPI_Allreduce(&value, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
           "MPI_Allreduce");
    return worst;
}

enum cs_parse_result cs_mpi_parse(cs_mpi *m, cs_options *o, const cs_program_info *info,
                                  int argc, char **argv)
{
    /* Every rank parses the same argv; only rank 0's words reach the user. */
    int saved_out = -1, saved_err = -1;
    if (m->rank != 0) {
        int null = open("/dev/null", O_WRONLY);
        fflush(stdout);
        fflush(stderr);
        saved_out = dup(STDOUT_FILENO);
        saved_err = dup(STDERR_FILENO);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
    }
    enum cs_parse_result mine = cs_options_parse(o, info, argc, argv);
    if (m->rank != 0) {
        fflush(stdout);
        fflush(stderr);
        if (saved_out >= 0)
            dup2(saved_out, STDOUT_FILENO), close(saved_out);
        if (saved_err >= 0)
            dup2(saved_err, STDERR_FILENO), close(saved_err);
        cs_message_set_silent(1);
    }
    enum cs_parse_result all = (enum cs_parse_result)worst_over_ranks(m, (int)mine);
    if (mine == CS_PARSE_RUN && all != CS_PARSE_RUN)
        cs_options_free(o);
    return all;
}

/* ---- pinning and warnings ------------------------------------------------ */

/* Warnings join the CSV column at once, and reach stderr once work starts
 * (so that a usage error stays the only message). */
static void note_warnings(cs_mpi *m, unsigned bits_all_ranks)
{
    m->known |= bits_all_ranks;
    cs_pin_warning_words(m->known, m->warnings, sizeof m->warnings);
}

static void say_warnings(cs_mpi *m)
{
    unsigned fresh = m->known & ~m->warned;
    if (fresh && m->rank == 0) {
        cs_pin_warn(fresh, m->node_workers, m->node_cores, cs_pin_failure(m->team.pin));
        unsigned machine = cs_pin_cores_allowed(m->team.pin);
        if ((fresh & CS_PIN_WARN_OVERSUBSCRIBED) && m->node_cores < machine)
            cs_warn("mpirun gave this node's ranks %u of its %u cores; corescale pins ranks "
                    "itself, so run mpirun --bind-to none (or --map-by slot:PE=THREADS)",
                    m->node_cores, machine);
    }
    m->warned |= fresh;
}

/* A broken binding found on another rank is said there: its detail lives there. */
static void say_local_breakage(cs_mpi *m, unsigned local_before)
{
    unsigned bits = cs_pin_warnings(m->team.pin);
    if (m->rank != 0 && (bits & CS_PIN_WARN_BROKEN) && !(local_before & CS_PIN_WARN_BROKEN)) {
        cs_message_set_silent(0);
        cs_warn("rank %d: %s", m->rank, cs_pin_failure(m->team.pin));
        cs_message_set_silent(1);
    }
}

static unsigned bits_over_ranks(const cs_mpi *m, unsigned bits)
{
    unsigned all = bits;
    mpi_ok(m, MPI_Allreduce(&bits, &all, 1, MPI_UNSIGNED, MPI_BOR, MPI_COMM_WORLD),
           "MPI_Allreduce");
    return all;
}

/* Where this rank's workers plan: its own cores, or a slice of the node's. */
static int plan_pinning(cs_mpi *m, const cs_options *o, unsigned *threads, cs_err *err)
{
    char mine[SET_TEXT] = "", *all = malloc((size_t)m->local_size * SET_TEXT);
    const char **sets = malloc((size_t)m->local_size * sizeof *sets);
    char *share = NULL, *node = NULL;
    int rc = CS_OK;
    if (!all || !sets) {
        cs_err_set(err, "out of memory for the node's CPU sets");
        rc = CS_ENOMEM;
        goto out;
    }
    if (strlen(cs_pin_process_set(m->team.pin)) >= SET_TEXT) {
        cs_err_set(err, "this process's CPU list is longer than %d characters", SET_TEXT - 1);
        rc = CS_EINVAL;
    } else
        snprintf(mine, sizeof mine, "%s", cs_pin_process_set(m->team.pin));
    mpi_ok(m, MPI_Allgather(mine, SET_TEXT, MPI_CHAR, all, SET_TEXT, MPI_CHAR, m->node),
           "MPI_Allgather");
    for (int r = 0; r < m->local_size; r++)
        sets[r] = all + (size_t)r * SET_TEXT;
    unsigned before = 0, sharing = 1;
    if (rc == CS_OK)
        rc = cs_pin_node_share(sets, (unsigned)m->local_size, (unsigned)m->local_rank, &share,
                               &node, &before, &sharing, err);
    /* Every rank must run the same number of threads: the smallest share. */
    unsigned want = *threads;
    if (!want && rc == CS_OK) {
        unsigned cores = cs_pin_cores_in(m->team.pin, share) / sharing;
        want = cores ? cores : 1;
    }
    int least = (int)(want ? want : 1);
    mpi_ok(m, MPI_Allreduce(MPI_IN_PLACE, &least, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD),
           "MPI_Allreduce");
    *threads = (unsigned)least;
    if (rc == CS_OK)
        rc = cs_pin_plan(m->team.pin, o->bind, share, sharing * *threads, before * *threads,
                         *threads, err);
    if (rc == CS_OK) {
        m->node_workers = (unsigned)m->local_size * *threads;
        m->node_cores = cs_pin_cores_in(m->team.pin, node);
    }
out:
    free(all);
    free(sets);
    free(share);
    free(node);
    return rc;
}

/* "core: r0{P#0} r1{P#1}": each rank's planned PUs, gathered for the header. */
static void gather_binding(cs_mpi *m, enum cs_bind bind)
{
    char place[PLACE_TEXT];
    size_t len = (size_t)snprintf(place, sizeof place, "r%d{", m->rank);
    for (unsigned w = 0; w < m->team.threads && len < sizeof place; w++) {
        int pu = cs_pin_worker_pu(m->team.pin, w);
        if (pu >= 0)
            len += (size_t)snprintf(place + len, sizeof place - len, "%sP#%d", w ? "," : "", pu);
        else
            len += (size_t)snprintf(place + len, sizeof place - len, "%s-", w ? "," : "");
    }
    if (len + 2 >= sizeof place)
        snprintf(place + sizeof place - 5, 5, "...}");
    else
        snprintf(place + len, sizeof place - len, "}");
    char *all = m->rank == 0 ? malloc((size_t)m->size * PLACE_TEXT) : NULL;
    if (m->rank == 0 && !all)
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    mpi_ok(m, MPI_Gather(place, PLACE_TEXT, MPI_CHAR, all, PLACE_TEXT, MPI_CHAR, 0, MPI_COMM_WORLD),
           "MPI_Gather");
    if (m->rank != 0)
        return;
    if (bind == CS_BIND_NONE) {
        snprintf(m->binding, sizeof m->binding, "none (not pinned)");
    } else {
        size_t at = (size_t)snprintf(m->binding, sizeof m->binding, "%s%s:", cs_bind_name(bind),
                                     (cs_pin_warnings(m->team.pin) & CS_PIN_WARN_UNSUPPORTED)
                                         ? " (not supported here)"
                                         : "");
        for (int r = 0; r < m->size; r++) {
            const char *one = all + (size_t)r * PLACE_TEXT;
            if (at + strlen(one) + 6 >= sizeof m->binding) {
                snprintf(m->binding + at, sizeof m->binding - at, " ...");
                break;
            }
            at += (size_t)snprintf(m->binding + at, sizeof m->binding - at, " %s", one);
        }
    }
    free(all);
}

/* ---- items: static blocks or rank 0's hand-out ---------------------------- */

#define RING 4
#define QUEUE_DEPTH 4
struct pool {
    cs_mpi *m;
    uint64_t items;
    unsigned workers; /* over all ranks, for the guided share */
    int guided;
    int *owner;       /* rank 0: who got each item */
    /* rank 0: what is left of each rank's own block, under critical(cs_pool_root) */
    uint64_t *own_lo, *own_hi;
    uint64_t left;    /* items not handed out yet */
    int told_done;    /* ranks sent their last, empty grant */
    /* other ranks: grants not yet run, filled by thread 0 only */
    struct { uint64_t lo, hi; } ring[RING];
    unsigned head, count;
    uint64_t queued;  /* items in the ring */
    int done;         /* rank 0 said: no more */
    int waiting;      /* a request is in flight */
    MPI_Request grant_req;
    uint64_t grant[2];
    uint64_t wanted;  /* the request in flight (sent from here: keep it alive) */
};

/* How many of the `left` items one take gets. Rank 0's own threads (wanted 0)
 * take one (dynamic) or the guided share. A rank asking for `wanted` gets that
 * many while plenty are left, but no more than its fair part of what is left
 * (at least one per thread), so the hand-out still ends evenly; guided gives
 * at least the guided share. */
static uint64_t take_size(const struct pool *pl, uint64_t left, uint64_t wanted)
{
    uint64_t share = cs_guided_share(left, pl->workers), take;
    if (pl->guided)
        take = wanted > share ? wanted : share;
    else if (wanted == 0)
        take = 1;
    else {
        uint64_t fair = left / pl->workers, least = pl->m->team.threads;
        fair = fair > least ? fair : least;
        take = wanted < fair ? wanted : fair;
    }
    return take < left ? take : left;
}

/* Takes items for rank `to`: [*lo, *hi), or 0 when all are handed out. A rank
 * gets its own static block first, from the front: the items it first-touched
 * (triad's arrays live there). When its block is done it takes from the back
 * of the block with most left, at most half of it, so the owner keeps going. */
static int take_global(struct pool *pl, uint64_t wanted, uint64_t *lo, uint64_t *hi, int to)
{
    int got = 0;
#pragma omp critical(cs_pool_root)
    if (pl->left) {
        uint64_t take = take_size(pl, pl->left, wanted);
        if (pl->own_lo[to] < pl->own_hi[to]) {
            uint64_t mine = pl->own_hi[to] - pl->own_lo[to];
            take = take < mine ? take : mine;
            *lo = pl->own_lo[to];
            *hi = *lo + take;
            pl->own_lo[to] = *hi;
        } else {
            int from = 0;
            for (int r = 1; r < pl->m->size; r++)
                if (pl->own_hi[r] - pl->own_lo[r] > pl->own_hi[from] - pl->own_lo[from])
                    from = r;
            uint64_t theirs = pl->own_hi[from] - pl->own_lo[from];
            uint64_t half = theirs > 1 ? theirs / 2 : 1;
            take = take < half ? take : half;
            *hi = pl->own_hi[from];
            *lo = *hi - take;
            pl->own_hi[from] = *lo;
        }
        pl->left -= take;
        for (uint64_t i = *lo; i < *hi; i++)
            pl->owner[i] = to;
        got = 1;
    }
    return got;
}

/* Rank 0's master thread answers one request: a grant, empty when none are left. */
static void serve(struct pool *pl, int to, uint64_t wanted)
{
    uint64_t grant[2] = {0, 0};
    if (!take_global(pl, wanted ? wanted : 1, &grant[0], &grant[1], to))
        pl->told_done++;
    mpi_ok(pl->m, MPI_Send(grant, 2, MPI_UINT64_T, to, TAG_GRANT, pl->m->work), "MPI_Send");
}

static void serve_waiting(struct pool *pl, int block)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (block)
            mpi_ok(pl->m, MPI_Probe(MPI_ANY_SOURCE, TAG_REQUEST, pl->m->work, &st), "MPI_Probe");
        else
            mpi_ok(pl->m, MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, pl->m->work, &flag, &st),
                   "MPI_Iprobe");
        if (!block && !flag)
            return;
        uint64_t wanted = 0;
        mpi_ok(pl->m, MPI_Recv(&wanted, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_REQUEST, pl->m->work,
                               MPI_STATUS_IGNORE),
               "MPI_Recv");
        serve(pl, st.MPI_SOURCE, wanted);
        if (block && pl->told_done == pl->m->size - 1)
            return;
    }
}

static int root_next(struct pool *pl, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    if (tid == 0)
        serve_waiting(pl, 0);
    if (take_global(pl, 0, lo, hi, 0))
        return 1;
    if (tid == 0 && pl->told_done < pl->m->size - 1)
        serve_waiting(pl, 1);
    return 0;
}

/* A grant arrived: queue it, or learn that the hand-out is over. */
static void accept_grant(struct pool *pl)
{
    pl->waiting = 0;
#pragma omp critical(cs_pool)
    {
        if (pl->grant[0] >= pl->grant[1]) {
            pl->done = 1;
        } else {
            unsigned slot = (pl->head + pl->count) % RING;
            pl->ring[slot].lo = pl->grant[0];
            pl->ring[slot].hi = pl->grant[1];
            pl->count++;
            pl->queued += pl->grant[1] - pl->grant[0];
        }
    }
}

/* The master thread keeps one request in flight whenever fewer than QUEUE_DEPTH
 * items per thread wait, asking for QUEUE_DEPTH per thread: the next items are
 * here before the threads need them, even when rank 0 is busy (or descheduled)
 * for a few items' time. Rank 0 grants less as the items run out. */
static void pump(struct pool *pl, int block)
{
    if (pl->waiting) {
        int flag = 0;
        if (block)
            mpi_ok(pl->m, MPI_Wait(&pl->grant_req, MPI_STATUS_IGNORE), "MPI_Wait");
        else
            mpi_ok(pl->m, MPI_Test(&pl->grant_req, &flag, MPI_STATUS_IGNORE), "MPI_Test");
        if (block || flag)
            accept_grant(pl);
    }
    uint64_t queued;
    unsigned count;
#pragma omp critical(cs_pool)
    {
        queued = pl->queued;
        count = pl->count;
    }
    uint64_t depth = QUEUE_DEPTH * (uint64_t)pl->m->team.threads;
    if (!pl->done && !pl->waiting && queued < depth && count < RING) {
        mpi_ok(pl->m, MPI_Irecv(pl->grant, 2, MPI_UINT64_T, 0, TAG_GRANT, pl->m->work,
                                &pl->grant_req),
               "MPI_Irecv");
        pl->wanted = depth;
        mpi_ok(pl->m, MPI_Send(&pl->wanted, 1, MPI_UINT64_T, 0, TAG_REQUEST, pl->m->work),
               "MPI_Send");
        pl->waiting = 1;
    }
}

static int rank_next(struct pool *pl, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    for (;;) {
        if (tid == 0)
            pump(pl, 0);
        int got = 0, over = 0;
#pragma omp critical(cs_pool)
        {
            if (pl->count) {
                *lo = pl->ring[pl->head].lo++;
                *hi = *lo + 1;
                pl->queued--;
                if (pl->ring[pl->head].lo == pl->ring[pl->head].hi) {
                    pl->head = (pl->head + 1) % RING;
                    pl->count--;
                }
                got = 1;
            } else {
                over = pl->done;
            }
        }
        if (got)
            return 1;
        if (over)
            return 0;
        if (tid == 0)
            pump(pl, 1);
        else
            sched_yield();
    }
}

static int pool_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    struct pool *pl = ctx;
    return pl->m->rank == 0 ? root_next(pl, tid, lo, hi) : rank_next(pl, tid, lo, hi);
}

/* Who runs each item under the static mapping. */
static void static_owners(const cs_mpi *m, uint64_t items, int *owner)
{
    unsigned threads = m->team.threads, workers = (unsigned)m->size * threads;
    for (int r = 0; r < m->size; r++) {
        uint64_t lo = cs_static_start(items, workers, (unsigned)r * threads);
        uint64_t hi = cs_static_start(items, workers, (unsigned)(r + 1) * threads);
        for (uint64_t i = lo; i < hi; i++)
            owner[i] = r;
    }
}

/* ---- the tree across ranks ------------------------------------------------ */

struct xtree {
    cs_mpi *m;
    const cs_kernel *k;
    const cs_problem *p;
    const int *owner;
    uint64_t *run_end;  /* run_end[i]: the first item after i run by another rank */
    cs_partial **pure;  /* pure[lo]: this rank's single-rank nodes, combined */
    int status;         /* CS_OK until something failed here or reached us */
    int origin;         /* the failure started on this rank: it says why */
    cs_err err;
    double combine_s, comm_s;
    uint64_t comm_bytes;
};

static int is_pure(const struct xtree *x, uint64_t lo, uint64_t hi)
{
    return x->run_end[lo] >= hi;
}

static void fail_here(struct xtree *x, int rc, const cs_err *err)
{
    if (x->status == CS_OK) {
        x->status = rc;
        x->origin = 1;
        x->err = *err;
    }
}

/* This rank's largest nodes whose items all ran here. */
static int collect_pure(const struct xtree *x, uint64_t lo, uint64_t hi, uint64_t *los,
                        uint64_t *his, unsigned *count)
{
    if (is_pure(x, lo, hi)) {
        if (x->owner[lo] == x->m->rank) {
            los[*count] = lo;
            his[*count] = hi;
            (*count)++;
        }
        return 0;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    collect_pure(x, lo, mid, los, his, count);
    return collect_pure(x, mid, hi, los, his, count);
}

/* One message: a status byte (0 good, 1 failed upstream), then the packed partial. */
static void send_partial(struct xtree *x, cs_partial *part, int to)
{
    double t0 = cs_clock_now();
    uint8_t *packed = NULL, *buf = NULL, failed_mark = 1;
    size_t len = 0;
    cs_err e = {{0}};
    if (x->status == CS_OK && part) {
        int rc = x->k->pack(x->p, part, &packed, &len, &e);
        if (rc == CS_OK && len + 1 > INT_MAX) {
            cs_err_set(&e, "a packed partial of %zu bytes is too large for one MPI message", len);
            rc = CS_EINVAL;
        }
        if (rc == CS_OK && !(buf = malloc(len + 1))) {
            cs_err_set(&e, "out of memory sending a partial of %zu bytes", len);
            rc = CS_ENOMEM;
        }
        if (rc != CS_OK)
            fail_here(x, rc, &e);
    }
    if (part)
        x->k->partial_free(part);
    if (x->status == CS_OK) {
        buf[0] = 0;
        memcpy(buf + 1, packed, len);
        mpi_ok(x->m, MPI_Send(buf, (int)(len + 1), MPI_BYTE, to, TAG_PARTIAL, x->m->work),
               "MPI_Send");
        x->comm_bytes += len;
    } else {
        mpi_ok(x->m, MPI_Send(&failed_mark, 1, MPI_BYTE, to, TAG_PARTIAL, x->m->work),
               "MPI_Send");
    }
    free(packed);
    free(buf);
    x->comm_s += cs_clock_now() - t0;
}

static cs_partial *recv_partial(struct xtree *x, int from)
{
    double t0 = cs_clock_now();
    MPI_Status st;
    int len = 0;
    mpi_ok(x->m, MPI_Probe(from, TAG_PARTIAL, x->m->work, &st), "MPI_Probe");
    mpi_ok(x->m, MPI_Get_count(&st, MPI_BYTE, &len), "MPI_Get_count");
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    if (!buf) {
        cs_error("rank %d: out of memory receiving a partial of %d bytes", x->m->rank, len);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    mpi_ok(x->m, MPI_Recv(buf, len, MPI_BYTE, from, TAG_PARTIAL, x->m->work, MPI_STATUS_IGNORE),
           "MPI_Recv");
    cs_partial *part = NULL;
    if (len < 1 || buf[0] != 0) {
        if (x->status == CS_OK) {
            x->status = CS_EINVAL;
            cs_err_set(&x->err, "a partial from rank %d did not come: a rank failed (its "
                                "message says why)", from);
        }
    } else if (x->status == CS_OK) {
        cs_err e = {{0}};
        int rc = x->k->unpack(x->p, buf + 1, (size_t)len - 1, &part, &e);
        if (rc != CS_OK)
            fail_here(x, rc, &e);
    }
    free(buf);
    x->comm_s += cs_clock_now() - t0;
    return part;
}

static cs_partial *combine_here(struct xtree *x, cs_partial *left, cs_partial *right)
{
    if (x->status != CS_OK || !left || !right) {
        if (left)
            x->k->partial_free(left);
        if (right)
            x->k->partial_free(right);
        return NULL;
    }
    double t0 = cs_clock_now();
    cs_partial *out = NULL;
    cs_err e = {{0}};
    int rc = x->k->combine(x->p, left, right, &out, &e);
    if (rc != CS_OK)
        fail_here(x, rc, &e);
    x->combine_s += cs_clock_now() - t0;
    return out;
}

/* Post-order over the nodes that span ranks; returns the node's owner (the
 * rank of its first item), and on the owner its partial in *out. */
static int walk(struct xtree *x, uint64_t lo, uint64_t hi, cs_partial **out)
{
    int me = x->m->rank;
    *out = NULL;
    if (is_pure(x, lo, hi)) {
        int own = x->owner[lo];
        if (own == me) {
            *out = x->pure[lo];
            x->pure[lo] = NULL;
        }
        return own;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    cs_partial *left = NULL, *right = NULL;
    int left_owner = walk(x, lo, mid, &left);
    int right_owner = walk(x, mid, hi, &right);
    if (left_owner != right_owner) {
        if (me == right_owner) {
            send_partial(x, right, left_owner);
            right = NULL;
        } else if (me == left_owner) {
            right = recv_partial(x, right_owner);
        }
    }
    if (me == left_owner)
        *out = combine_here(x, left, right);
    return left_owner;
}

/* ---- the exec ---------------------------------------------------------------- */

static int mpi_agree(void *ctx, int status)
{
    return worst_over_ranks(ctx, status);
}

static void mpi_barrier(void *ctx)
{
    cs_mpi *m = ctx;
    mpi_ok(m, MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

static int mpi_prepare(void *ctx, const cs_kernel *k, cs_problem *p, cs_err *err)
{
    cs_mpi *m = ctx;
    say_warnings(m);
    int rc = cs_team_prepare(&m->team, k, p, (unsigned)m->size * m->team.threads,
                             (unsigned)m->rank * m->team.threads, err);
    if (rc != CS_OK && m->rank != 0)
        cs_error("rank %d: preparing items: %s", m->rank, err->msg);
    int all = worst_over_ranks(m, rc);
    if (all != CS_OK && rc == CS_OK)
        cs_err_set(err, "another rank failed (its message says why)");
    return all;
}

/* CS_FAULT: this rank's copy of one item fails, or comes out doubled. */
static int inject_fault(cs_mpi *m, const cs_kernel *k, cs_problem *p, cs_partial **leaves,
                        uint64_t items, cs_err *err)
{
    struct fault *f = &m->fault;
    uint64_t item = f->item;
    for (uint64_t i = 0; item == UINT64_MAX && i < items; i++)
        item = leaves[i] ? i : item;
    if (f->rank != m->rank || item >= items || !leaves[item])
        return CS_OK;
    cs_partial *x = leaves[item];
    if (!f->wrong) {
        k->partial_free(x);
        leaves[item] = NULL;
        cs_err_set(err, "item %llu failed (injected by CS_FAULT)", (unsigned long long)item);
        return CS_ENOMEM;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_partial *copy = NULL;
    int rc = k->pack(p, x, &buf, &len, err);
    if (rc == CS_OK)
        rc = k->unpack(p, buf, len, &copy, err);
    free(buf);
    leaves[item] = NULL;
    if (rc == CS_OK)
        rc = k->combine(p, x, copy, &leaves[item], err);
    else
        k->partial_free(x);
    return rc;
}

struct run_stats {
    double compute_s, combine_s, comm_s;
};

static int mpi_run(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
                   cs_phase *phase, cs_err *err)
{
    cs_mpi *m = ctx;
    uint64_t items = k->item_count(p);
    unsigned threads = m->team.threads;
    unsigned pins_before = cs_pin_warnings(m->team.pin);
    if (items > INT_MAX) {
        cs_err_set(err, "%llu items are more than MPI can count", (unsigned long long)items);
        return CS_EINVAL;
    }
    cs_partial **leaves = calloc(items, sizeof *leaves);
    cs_partial **pure = calloc(items, sizeof *pure);
    int *owner = calloc(items, sizeof *owner);
    uint64_t *run_end = calloc(items, sizeof *run_end);
    uint64_t *los = calloc(items, sizeof *los), *his = calloc(items, sizeof *his);
    cs_partial **outs = calloc(items, sizeof *outs);
    uint8_t *given = calloc(threads, 1);
    uint64_t *own_lo = calloc((size_t)m->size, sizeof *own_lo);
    uint64_t *own_hi = calloc((size_t)m->size, sizeof *own_hi);
    if (!leaves || !pure || !owner || !run_end || !los || !his || !outs || !given || !own_lo ||
        !own_hi) {
        cs_error("rank %d: out of memory for %llu items", m->rank, (unsigned long long)items);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    struct xtree x = {m, k, p, owner, run_end, pure, CS_OK, 0, {{0}}, 0, 0, 0};

    /* Compute. */
    double t0 = cs_clock_now();
    struct pool pl = {.m = m, .items = items, .workers = (unsigned)m->size * threads,
                      .guided = m->schedule == CS_SCHEDULE_GUIDED, .owner = owner,
                      .own_lo = own_lo, .own_hi = own_hi, .left = items};
    for (int r = 0; r < m->size; r++) {
        own_lo[r] = cs_static_start(items, pl.workers, (unsigned)r * threads);
        own_hi[r] = cs_static_start(items, pl.workers, (unsigned)(r + 1) * threads);
    }
    cs_static_source fixed = {items, (unsigned)m->size * threads, (unsigned)m->rank * threads,
                              given};
    cs_source src = m->schedule == CS_SCHEDULE_STATIC ? (cs_source){cs_static_next, &fixed}
                                                      : (cs_source){pool_next, &pl};
    cs_err e = {{0}};
    int rc = cs_team_run(&m->team, k, p, &src, leaves, &e);
    if (rc == CS_OK)
        rc = inject_fault(m, k, p, leaves, items, &e);
    if (rc != CS_OK)
        fail_here(&x, rc, &e);
    /* Compute ends when the last rank is done, so comm_s measures moving
     * partials, not waiting for a slower rank's items. */
    mpi_ok(m, MPI_Barrier(m->work), "MPI_Barrier");
    double t1 = cs_clock_now();

    /* Who ran what: every rank needs the whole map to walk the tree. */
    if (m->schedule == CS_SCHEDULE_STATIC)
        static_owners(m, items, owner);
    else
        mpi_ok(m, MPI_Bcast(owner, (int)items, MPI_INT, 0, m->work), "MPI_Bcast");
    run_end[items - 1] = items;
    for (uint64_t i = items - 1; i-- > 0;)
        run_end[i] = owner[i] == owner[i + 1] ? run_end[i + 1] : i + 1;
    double t2 = cs_clock_now();
    x.comm_s += t2 - t1;

    /* This rank's own subtrees, by its team; then the nodes that span ranks. */
    unsigned count = 0;
    collect_pure(&x, 0, items, los, his, &count);
    if (x.status == CS_OK && count) {
        rc = cs_team_tree(&m->team, k, p, leaves, los, his, count, outs, &e);
        if (rc != CS_OK)
            fail_here(&x, rc, &e);
        for (unsigned i = 0; rc == CS_OK && i < count; i++)
            pure[los[i]] = outs[i];
    }
    for (uint64_t i = 0; i < items; i++)
        if (leaves[i])
            k->partial_free(leaves[i]);
    x.combine_s += cs_clock_now() - t2;
    cs_partial *root = NULL;
    int root_owner = walk(&x, 0, items, &root);
    if (root_owner != 0) {
        if (m->rank == root_owner)
            send_partial(&x, root, 0), root = NULL;
        else if (m->rank == 0)
            root = recv_partial(&x, root_owner);
    }
    for (uint64_t i = 0; i < items; i++)
        if (pure[i])
            k->partial_free(pure[i]);

    /* The root's row: the slowest rank's phases, every rank's bytes and warnings. */
    struct run_stats mine = {t1 - t0, x.combine_s, x.comm_s}, worst = mine;
    uint64_t bytes = 0;
    mpi_ok(m, MPI_Reduce(&mine, &worst, 3, MPI_DOUBLE, MPI_MAX, 0, m->work), "MPI_Reduce");
    mpi_ok(m, MPI_Reduce(&x.comm_bytes, &bytes, 1, MPI_UINT64_T, MPI_SUM, 0, m->work),
           "MPI_Reduce");
    say_local_breakage(m, pins_before);
    unsigned pins = cs_pin_warnings(m->team.pin), all_pins = pins;
    mpi_ok(m, MPI_Reduce(&pins, &all_pins, 1, MPI_UNSIGNED, MPI_BOR, 0, m->work), "MPI_Reduce");
    if (m->rank == 0) {
        note_warnings(m, all_pins);
        say_warnings(m);
    }
    phase->compute_s = worst.compute_s;
    phase->combine_s = worst.combine_s;
    phase->comm_s = worst.comm_s;
    phase->comm_bytes = bytes;

    if (x.status != CS_OK) {
        if (x.origin && m->rank != 0)
            cs_error("rank %d: %s", m->rank, x.err.msg);
        *err = x.err;
        if (root)
            k->partial_free(root);
        root = NULL;
    }
    *result = m->rank == 0 ? root : NULL;
    if (m->rank != 0 && root)
        k->partial_free(root);
    free(leaves);
    free(pure);
    free(owner);
    free(run_end);
    free(los);
    free(his);
    free(outs);
    free(given);
    free(own_lo);
    free(own_hi);
    return x.status;
}

int cs_mpi_setup(cs_mpi *m, const cs_options *o, unsigned threads, const char *driver,
                 cs_exec *ex)
{
    cs_err err = {{0}};
    m->schedule = o->schedule;
    int rc = cs_pin_open(&m->team.pin, NULL, &err);
    if (worst_over_ranks(m, rc) != CS_OK) {
        if (rc != CS_OK)
            cs_error("rank %d: %s", m->rank, err.msg);
        return CS_EXIT_FAIL;
    }
    rc = plan_pinning(m, o, &threads, &err);
    if (worst_over_ranks(m, rc) != CS_OK) {
        if (rc != CS_OK)
            cs_error("rank %d: --bind '%s': %s", m->rank, cs_bind_name(o->bind), err.msg);
        return CS_EXIT_FAIL;
    }
    m->team.threads = threads;
    omp_set_dynamic(0);
    cs_team_bind(&m->team);
    say_local_breakage(m, 0);
    note_warnings(m, bits_over_ranks(m, cs_pin_warnings(m->team.pin)));
    gather_binding(m, o->bind);
    *ex = (cs_exec){
        .driver = driver, .ranks = (unsigned)m->size, .threads = threads,
        .workers = (unsigned)m->size * threads, .is_root = m->rank == 0,
        .binding = m->binding, .warnings = m->warnings, .ctx = m,
        .run = mpi_run, .prepare = mpi_prepare, .agree = mpi_agree, .barrier = mpi_barrier,
    };
    return CS_OK;
}

void cs_mpi_show_binding(cs_mpi *m)
{
    unsigned threads = m->team.threads;
    size_t mine_len = (size_t)threads * REPORT_TEXT;
    char *mine = calloc(threads, REPORT_TEXT);
    char *all = m->rank == 0 ? calloc((size_t)m->size, mine_len) : NULL;
    if (!mine || (m->rank == 0 && !all)) {
        cs_error("rank %d: out of memory for the binding report", m->rank);
        MPI_Abort(MPI_COMM_WORLD, CS_EXIT_FAIL);
    }
    for (unsigned w = 0; w < threads; w++) {
        char report[160];
        cs_pin_worker_report(m->team.pin, w, report, sizeof report);
        snprintf(mine + (size_t)w * REPORT_TEXT, REPORT_TEXT, "rank %d thread %u on %s -> %s",
                 m->rank, w, cs_host_name(), report);
    }
    mpi_ok(m, MPI_Gather(mine, (int)mine_len, MPI_CHAR, all, (int)mine_len, MPI_CHAR, 0,
                         MPI_COMM_WORLD),
           "MPI_Gather");
    if (m->rank == 0) {
        printf("# binding checked after the work: worker -> core, and where it last ran\n");
        for (size_t i = 0; i < (size_t)m->size * threads; i++)
            printf("#   %s\n", all + i * REPORT_TEXT);
        fflush(stdout);
    }
    free(mine);
    free(all);
}

int cs_mpi_finish(cs_mpi *m, int code)
{
    code = worst_over_ranks(m, code);
    cs_pin_close(m->team.pin);
    MPI_Comm_free(&m->work);
    MPI_Comm_free(&m->node);
    MPI_Finalize();
    free(m);
    return code;
}
