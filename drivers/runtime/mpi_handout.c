/* Items across MPI ranks: each rank's static block, or rank 0's hand-out with stealing. */
#include "mpi_handout.h"

#include <sched.h>
#include <stdlib.h>

#include "handout.h"
#include "mpi_check.h"

enum { TAG_REQUEST = 1, TAG_GRANT = 2 };

struct cs_handout {
    MPI_Comm comm;
    int rank, ranks;
    unsigned threads; /* per rank */
    uint64_t items;
    unsigned workers; /* over all ranks, for the guided share */
    enum cs_schedule schedule;
    int *owner;       /* who ran each item: rank 0 fills it as it hands out */
    /* static: per thread of this rank, its block was handed out */
    uint8_t *given;
    cs_static_source fixed;
    /* rank 0: what is left of each rank's own block, under critical(cs_pool_root) */
    uint64_t *own_lo, *own_hi;
    uint64_t left;    /* items not handed out yet */
    int told_done;    /* ranks sent their last, empty grant */
    /* other ranks: grants not yet run, filled by thread 0 only */
    struct { uint64_t lo, hi; } ring[CS_HANDOUT_RING];
    unsigned head, count;
    uint64_t queued;  /* items in the ring */
    int done;         /* rank 0 said: no more */
    int waiting;      /* a request is in flight */
    MPI_Request grant_req;
    uint64_t grant[2];
};

/* Takes items for rank `to` (cs_handout_take, cs_handout_cut): [*lo, *hi), or 0 when all
 * are handed out. */
static int take_global(cs_handout *h, uint64_t wanted, uint64_t *lo, uint64_t *hi, int to)
{
    int got = 0;
#pragma omp critical(cs_pool_root)
    if (h->left) {
        uint64_t take = cs_handout_take(h->schedule == CS_SCHEDULE_GUIDED, h->left, wanted,
                                        h->workers, h->threads);
        cs_handout_cut(h->own_lo, h->own_hi, (unsigned)h->ranks, (unsigned)to, take, lo, hi);
        h->left -= *hi - *lo;
        for (uint64_t i = *lo; i < *hi; i++)
            h->owner[i] = to;
        got = 1;
    }
    return got;
}

/* Rank 0's master thread answers one request: a grant, empty when none are left. */
static void serve(cs_handout *h, int to, uint64_t wanted)
{
    uint64_t grant[2] = {0, 0};
    if (!take_global(h, wanted ? wanted : 1, &grant[0], &grant[1], to))
        h->told_done++;
    cs_mpi_check(MPI_Send(grant, 2, MPI_UINT64_T, to, TAG_GRANT, h->comm), "MPI_Send");
}

static void serve_waiting(cs_handout *h, int block)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (block)
            cs_mpi_check(MPI_Probe(MPI_ANY_SOURCE, TAG_REQUEST, h->comm, &st), "MPI_Probe");
        else
            cs_mpi_check(MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, h->comm, &flag, &st),
                         "MPI_Iprobe");
        if (!block && !flag)
            return;
        uint64_t wanted = 0;
        cs_mpi_check(MPI_Recv(&wanted, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_REQUEST, h->comm,
                              MPI_STATUS_IGNORE),
                     "MPI_Recv");
        serve(h, st.MPI_SOURCE, wanted);
        if (block && h->told_done == h->ranks - 1)
            return;
    }
}

static int root_next(cs_handout *h, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    if (tid == 0)
        serve_waiting(h, 0);
    if (take_global(h, 0, lo, hi, 0))
        return 1;
    if (tid == 0 && h->told_done < h->ranks - 1)
        serve_waiting(h, 1);
    return 0;
}

/* A grant arrived: queue it, or learn that the hand-out is over. */
static void accept_grant(cs_handout *h)
{
    h->waiting = 0;
#pragma omp critical(cs_pool)
    {
        if (h->grant[0] >= h->grant[1]) {
            h->done = 1;
        } else {
            unsigned slot = (h->head + h->count) % CS_HANDOUT_RING;
            h->ring[slot].lo = h->grant[0];
            h->ring[slot].hi = h->grant[1];
            h->count++;
            h->queued += h->grant[1] - h->grant[0];
        }
    }
}

/* The master thread keeps one request in flight whenever fewer than CS_HANDOUT_DEPTH
 * items per thread wait, asking for CS_HANDOUT_DEPTH per thread: the next items are
 * here before the threads need them, even when rank 0 is busy (or descheduled)
 * for a few items' time. Rank 0 grants less as the items run out. */
static void pump(cs_handout *h, int block)
{
    if (h->waiting) {
        int flag = 0;
        if (block)
            cs_mpi_check(MPI_Wait(&h->grant_req, MPI_STATUS_IGNORE), "MPI_Wait");
        else
            cs_mpi_check(MPI_Test(&h->grant_req, &flag, MPI_STATUS_IGNORE), "MPI_Test");
        if (block || flag)
            accept_grant(h);
    }
    uint64_t queued;
    unsigned count;
#pragma omp critical(cs_pool)
    {
        queued = h->queued;
        count = h->count;
    }
    uint64_t depth = CS_HANDOUT_DEPTH * (uint64_t)h->threads;
    if (!h->done && !h->waiting && queued < depth && count < CS_HANDOUT_RING) {
        cs_mpi_check(MPI_Irecv(h->grant, 2, MPI_UINT64_T, 0, TAG_GRANT, h->comm, &h->grant_req),
                     "MPI_Irecv");
        cs_mpi_check(MPI_Send(&depth, 1, MPI_UINT64_T, 0, TAG_REQUEST, h->comm), "MPI_Send");
        h->waiting = 1;
    }
}

static int rank_next(cs_handout *h, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    for (;;) {
        if (tid == 0)
            pump(h, 0);
        int got = 0, over = 0;
#pragma omp critical(cs_pool)
        {
            if (h->count) {
                *lo = h->ring[h->head].lo++;
                *hi = *lo + 1;
                h->queued--;
                if (h->ring[h->head].lo == h->ring[h->head].hi) {
                    h->head = (h->head + 1) % CS_HANDOUT_RING;
                    h->count--;
                }
                got = 1;
            } else {
                over = h->done;
            }
        }
        if (got)
            return 1;
        if (over)
            return 0;
        if (tid == 0)
            pump(h, 1);
        else
            sched_yield();
    }
}

static int pool_next(void *ctx, unsigned tid, uint64_t *lo, uint64_t *hi)
{
    cs_handout *h = ctx;
    return h->rank == 0 ? root_next(h, tid, lo, hi) : rank_next(h, tid, lo, hi);
}

cs_handout *cs_handout_new(MPI_Comm comm, unsigned threads, uint64_t items,
                           enum cs_schedule schedule)
{
    cs_handout *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    cs_mpi_check(MPI_Comm_rank(comm, &h->rank), "MPI_Comm_rank");
    cs_mpi_check(MPI_Comm_size(comm, &h->ranks), "MPI_Comm_size");
    h->comm = comm;
    h->threads = threads;
    h->items = items;
    h->workers = (unsigned)h->ranks * threads;
    h->schedule = schedule;
    h->left = items;
    h->owner = calloc(items, sizeof *h->owner);
    h->given = calloc(threads, 1);
    h->own_lo = calloc((size_t)h->ranks, sizeof *h->own_lo);
    h->own_hi = calloc((size_t)h->ranks, sizeof *h->own_hi);
    if (!h->owner || !h->given || !h->own_lo || !h->own_hi) {
        cs_handout_free(h);
        return NULL;
    }
    for (int r = 0; r < h->ranks; r++) {
        h->own_lo[r] = cs_static_start(items, h->workers, (unsigned)r * threads);
        h->own_hi[r] = cs_static_start(items, h->workers, (unsigned)(r + 1) * threads);
    }
    h->fixed = (cs_static_source){items, h->workers, (unsigned)h->rank * threads, h->given};
    return h;
}

cs_source cs_handout_source(cs_handout *h)
{
    return h->schedule == CS_SCHEDULE_STATIC ? (cs_source){cs_static_next, &h->fixed}
                                             : (cs_source){pool_next, h};
}

const int *cs_handout_owners(cs_handout *h)
{
    if (h->schedule == CS_SCHEDULE_STATIC) {
        /* Every rank knows the static blocks: nothing to send. */
        for (int r = 0; r < h->ranks; r++)
            for (uint64_t i = h->own_lo[r]; i < h->own_hi[r]; i++)
                h->owner[i] = r;
    } else {
        cs_mpi_check(MPI_Bcast(h->owner, (int)h->items, MPI_INT, 0, h->comm), "MPI_Bcast");
    }
    return h->owner;
}

void cs_handout_free(cs_handout *h)
{
    if (!h)
        return;
    free(h->owner);
    free(h->given);
    free(h->own_lo);
    free(h->own_hi);
    free(h);
}
