/* The fixed tree across ranks: single-rank subtrees by each team, then partials rank to rank. */
#include "mpi_tree.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mpi_check.h"
#include "tree.h"

enum { TAG_PARTIAL = 3 };

struct xtree {
    MPI_Comm comm;
    int rank;
    const cs_team *team; /* helps combine the nodes that span ranks */
    const cs_kernel *k;
    const cs_problem *p;
    const int *owner;
    uint64_t *run_end;  /* run_end[i]: the first item after i run by another rank */
    cs_partial **pure;  /* pure[lo]: this rank's single-rank nodes, combined */
    cs_mpi_tree_outcome *out;
};

static int is_pure(const struct xtree *x, uint64_t lo, uint64_t hi)
{
    return x->run_end[lo] >= hi;
}

static void fail_here(struct xtree *x, int rc, const cs_err *err)
{
    if (x->out->status == CS_OK) {
        x->out->status = rc;
        x->out->origin = 1;
        x->out->err = *err;
    }
}

/* This rank's largest nodes whose items all ran here. */
static void collect_pure(const struct xtree *x, uint64_t lo, uint64_t hi, uint64_t *los,
                         uint64_t *his, unsigned *count)
{
    if (is_pure(x, lo, hi)) {
        if (x->owner[lo] == x->rank) {
            los[*count] = lo;
            his[*count] = hi;
            (*count)++;
        }
        return;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    collect_pure(x, lo, mid, los, his, count);
    collect_pure(x, mid, hi, los, his, count);
}

/* The single-rank nodes, each by this rank's team; leaves are consumed. */
static void combine_pure(struct xtree *x, const cs_team *team, cs_partial **leaves,
                         uint64_t items)
{
    uint64_t *los = calloc(items, sizeof *los), *his = calloc(items, sizeof *his);
    cs_partial **outs = calloc(items, sizeof *outs);
    if (!los || !his || !outs)
        cs_mpi_fatal("out of memory for the tree of %llu items", (unsigned long long)items);
    unsigned count = 0;
    collect_pure(x, 0, items, los, his, &count);
    if (x->out->status == CS_OK && count) {
        cs_err e = {{0}};
        int rc = cs_team_tree(team, x->k, x->p, leaves, los, his, count, outs, &e);
        if (rc != CS_OK)
            fail_here(x, rc, &e);
        for (unsigned i = 0; rc == CS_OK && i < count; i++)
            x->pure[los[i]] = outs[i];
    }
    cs_tree_free_leaves(x->k, leaves, items);
    free(los);
    free(his);
    free(outs);
}

/* A good partial's message: a status byte 0, then the packed partial. Consumes
 * part. NULL when this rank has failed (now or before): send FAILED_MARK. */
static const uint8_t FAILED_MARK = 1;
static uint8_t *message_of(struct xtree *x, cs_partial *part, size_t *size)
{
    uint8_t *packed = NULL, *msg = NULL;
    size_t len = 0;
    cs_err e = {{0}};
    assert(part || x->out->status != CS_OK); /* only a failure leaves a node without one */
    if (x->out->status == CS_OK) {
        int rc = x->k->pack(x->p, part, &packed, &len, &e);
        if (rc == CS_OK && len + 1 > INT_MAX) {
            cs_err_set(&e, "a packed partial of %zu bytes is too large for one MPI message", len);
            rc = CS_EINVAL;
        }
        if (rc == CS_OK && !(msg = malloc(len + 1))) {
            cs_err_set(&e, "out of memory sending a partial of %zu bytes", len);
            rc = CS_ENOMEM;
        }
        if (rc != CS_OK)
            fail_here(x, rc, &e);
    }
    if (part)
        x->k->partial_free(part);
    if (x->out->status == CS_OK) {
        msg[0] = 0;
        memcpy(msg + 1, packed, len);
        *size = len + 1;
    } else {
        free(msg);
        msg = NULL;
    }
    free(packed);
    return msg;
}

/* A large partial leaves MPI_Send only once the receiver takes it: the time
 * before is the receiver's combine still running (tree time); the move itself
 * is counted once, by the receiver. */
static void send_partial(struct xtree *x, cs_partial *part, int to)
{
    double t0 = cs_clock_now();
    size_t size = 0;
    uint8_t *msg = message_of(x, part, &size);
    double t_send = cs_clock_now();
    x->out->comm_s += t_send - t0;
    if (msg) {
        cs_mpi_check(MPI_Send(msg, (int)size, MPI_BYTE, to, TAG_PARTIAL, x->comm), "MPI_Send");
        x->out->comm_bytes += size - 1;
    } else {
        cs_mpi_check(MPI_Send(&FAILED_MARK, 1, MPI_BYTE, to, TAG_PARTIAL, x->comm), "MPI_Send");
    }
    x->out->combine_s += cs_clock_now() - t_send;
    free(msg);
}

/* The wait until the partial is sent is the sender's combine still running:
 * tree time, as under cpu_omp; receiving and unpacking it is communication. */
static cs_partial *recv_partial(struct xtree *x, int from)
{
    double t_wait = cs_clock_now();
    MPI_Status st;
    int len = 0;
    cs_mpi_check(MPI_Probe(from, TAG_PARTIAL, x->comm, &st), "MPI_Probe");
    double t0 = cs_clock_now();
    x->out->combine_s += t0 - t_wait;
    cs_mpi_check(MPI_Get_count(&st, MPI_BYTE, &len), "MPI_Get_count");
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    if (!buf)
        cs_mpi_fatal("out of memory receiving a partial of %d bytes", len);
    cs_mpi_check(MPI_Recv(buf, len, MPI_BYTE, from, TAG_PARTIAL, x->comm, MPI_STATUS_IGNORE),
                 "MPI_Recv");
    cs_partial *part = NULL;
    if (len < 1 || buf[0] != 0) {
        if (x->out->status == CS_OK) {
            x->out->status = CS_EINVAL;
            cs_err_set(&x->out->err, "a partial from rank %d did not come: a rank failed (its "
                                     "message says why)", from);
        }
    } else if (x->out->status == CS_OK) {
        cs_err e = {{0}};
        int rc = x->k->unpack(x->p, buf + 1, (size_t)len - 1, &part, &e);
        if (rc != CS_OK)
            fail_here(x, rc, &e);
    }
    free(buf);
    x->out->comm_s += cs_clock_now() - t0;
    return part;
}

static cs_partial *combine_here(struct xtree *x, cs_partial *left, cs_partial *right)
{
    if (x->out->status != CS_OK || !left || !right) {
        if (left)
            x->k->partial_free(left);
        if (right)
            x->k->partial_free(right);
        return NULL;
    }
    double t0 = cs_clock_now();
    cs_partial *out = NULL;
    cs_err e = {{0}};
    int rc = cs_team_combine(x->team, 1, x->k, x->p, left, right, &out, &e);
    if (rc != CS_OK)
        fail_here(x, rc, &e);
    x->out->combine_s += cs_clock_now() - t0;
    return out;
}

/* Post-order over the nodes that span ranks; returns the node's owner (the
 * rank of its first item), and on the owner its partial in *out. */
static int walk(struct xtree *x, uint64_t lo, uint64_t hi, cs_partial **out)
{
    int me = x->rank;
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

void cs_mpi_tree_combine(MPI_Comm comm, const cs_team *team, const cs_kernel *k,
                         const cs_problem *p, const int *owner, uint64_t items,
                         cs_partial **leaves, cs_partial **root, cs_mpi_tree_outcome *out)
{
    double t0 = cs_clock_now();
    struct xtree x = {comm, 0, team, k, p, owner, calloc(items, sizeof *x.run_end),
                      calloc(items, sizeof *x.pure), out};
    if (!x.run_end || !x.pure)
        cs_mpi_fatal("out of memory for the tree of %llu items", (unsigned long long)items);
    cs_mpi_check(MPI_Comm_rank(comm, &x.rank), "MPI_Comm_rank");
    x.run_end[items - 1] = items;
    for (uint64_t i = items - 1; i-- > 0;)
        x.run_end[i] = owner[i] == owner[i + 1] ? x.run_end[i + 1] : i + 1;

    /* This rank's own subtrees, by its team; then the nodes that span ranks. */
    combine_pure(&x, team, leaves, items);
    out->combine_s += cs_clock_now() - t0;
    cs_partial *top = NULL;
    int top_owner = walk(&x, 0, items, &top);
    if (top_owner != 0) {
        if (x.rank == top_owner)
            send_partial(&x, top, 0), top = NULL;
        else if (x.rank == 0)
            top = recv_partial(&x, top_owner);
    }
    cs_tree_free_leaves(k, x.pure, items);
    if (top && (out->status != CS_OK || x.rank != 0)) {
        k->partial_free(top);
        top = NULL;
    }
    *root = top;
    free(x.run_end);
    free(x.pure);
}
