/* The fixed tree across ranks: single-rank subtrees by each team, then partials rank to rank. */
#include "mpi_tree.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "mpi_check.h"
#include "profile.h"
#include "tree.h"

/* Partials of nodes that span ranks go in walk order under TAG_PARTIAL; the
 * single-rank partials a rank owes another go earlier, under TAG_PURE. MPI
 * keeps each (sender, tag) stream in order, and both sides list both
 * streams in the same order, so every receive meets its own node. */
enum { TAG_PARTIAL = 3, TAG_PURE = 4, TAG_SHARE = 5 };

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
    MPI_Request *sends; /* the early sends of owed partials, and their messages */
    uint8_t **sent;
    unsigned send_count;
    uint64_t items;
    int share_root;     /* the root's two owners share its combine (split, join) */
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

/* A list of single-rank nodes, left to right. */
struct node_list {
    uint64_t *lo, *hi;
    int *to; /* owed nodes: the rank that combines the parent */
    unsigned count;
};

static void list_add(struct node_list *l, uint64_t lo, uint64_t hi, int to)
{
    l->lo[l->count] = lo;
    l->hi[l->count] = hi;
    l->to[l->count] = to;
    l->count++;
}

/* This rank's largest nodes whose items all ran here: `owed` the right
 * halves of nodes another rank combines (they are sent), `kept` the rest.
 * Left to right is the order in which the walk's post-order reaches their
 * parents, so both ends of TAG_PURE agree on it. */
static void collect_pure(const struct xtree *x, uint64_t lo, uint64_t hi, int owed_to,
                         struct node_list *owed, struct node_list *kept)
{
    if (is_pure(x, lo, hi)) {
        if (x->owner[lo] == x->rank)
            list_add(owed_to >= 0 ? owed : kept, lo, hi, owed_to);
        return;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    int shared = lo == 0 && hi == x->items && x->share_root; /* its halves go by share_root */
    collect_pure(x, lo, mid, -1, owed, kept);
    collect_pure(x, mid, hi, x->owner[lo] != x->rank && !shared ? x->owner[lo] : -1, owed, kept);
}

/* A good partial's message: a status byte 0, then the packed partial. Consumes
 * part unless keep. NULL when this rank has failed (now or before): send
 * FAILED_MARK. */
static const uint8_t FAILED_MARK = 1;
static uint8_t *message_of(struct xtree *x, cs_partial *part, size_t *size, int keep)
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
    if (part && !keep)
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

/* The single-rank nodes of a list, by this rank's team, into pure[lo]. */
static void combine_list(struct xtree *x, const cs_team *team, cs_partial **leaves,
                         const struct node_list *l)
{
    if (x->out->status != CS_OK || l->count == 0)
        return;
    cs_partial **outs = calloc(l->count, sizeof *outs);
    if (!outs)
        cs_mpi_fatal("out of memory for the tree's %u subtrees", l->count);
    cs_err e = {{0}};
    int rc = cs_team_tree(team, x->k, x->p, leaves, l->lo, l->hi, l->count, outs, &e);
    if (rc != CS_OK)
        fail_here(x, rc, &e);
    for (unsigned i = 0; rc == CS_OK && i < l->count; i++)
        x->pure[l->lo[i]] = outs[i];
    free(outs);
}

/* Starts sending part (consumed unless keep; the failed mark after a
 * failure) without waiting for the receiver; *msg is freed once *req is done. */
static void post_partial(struct xtree *x, cs_partial *part, cs_task_id made_by, int keep, int to,
                         int tag, MPI_Request *req, uint8_t **msg)
{
    double t0 = cs_clock_now();
    size_t size = 0;
    *msg = message_of(x, part, &size, keep);
    x->out->comm_s += cs_clock_now() - t0;
    cs_prof_send(made_by, to, tag, t0, *msg ? size - 1 : 0);
    if (*msg) {
        cs_mpi_check(MPI_Isend(*msg, (int)size, MPI_BYTE, to, tag, x->comm, req), "MPI_Isend");
        x->out->comm_bytes += size - 1;
    } else {
        cs_mpi_check(MPI_Isend(&FAILED_MARK, 1, MPI_BYTE, to, tag, x->comm, req), "MPI_Isend");
    }
}

/* Owed partials leave as soon as they exist, without waiting for the walk
 * to reach them: the rank that combines their parent can start while this
 * one goes on with its own subtrees. A failed rank sends its mark instead. */
static void send_owed(struct xtree *x, const struct node_list *owed)
{
    for (unsigned i = 0; i < owed->count; i++) {
        uint64_t lo = owed->lo[i];
        post_partial(x, x->pure[lo], cs_prof_node(lo, owed->hi[i]), 0, owed->to[i], TAG_PURE,
                     &x->sends[x->send_count], &x->sent[x->send_count]);
        x->pure[lo] = NULL;
        x->send_count++;
    }
}

/* The single-rank nodes: the owed ones first, sent at once; then the rest.
 * Leaves are consumed. */
static void combine_pure(struct xtree *x, const cs_team *team, cs_partial **leaves,
                         uint64_t items)
{
    struct node_list owed = {calloc(items, sizeof(uint64_t)), calloc(items, sizeof(uint64_t)),
                             calloc(items, sizeof(int)), 0};
    struct node_list kept = {calloc(items, sizeof(uint64_t)), calloc(items, sizeof(uint64_t)),
                             calloc(items, sizeof(int)), 0};
    x->sends = calloc(items, sizeof *x->sends);
    x->sent = calloc(items, sizeof *x->sent);
    if (!owed.lo || !owed.hi || !owed.to || !kept.lo || !kept.hi || !kept.to || !x->sends ||
        !x->sent)
        cs_mpi_fatal("out of memory for the tree of %llu items", (unsigned long long)items);
    collect_pure(x, 0, items, -1, &owed, &kept);
    combine_list(x, team, leaves, &owed);
    send_owed(x, &owed);
    combine_list(x, team, leaves, &kept);
    cs_tree_free_leaves(x->k, leaves, items);
    free(owed.lo), free(owed.hi), free(owed.to), free(kept.lo), free(kept.hi), free(kept.to);
}

/* The early sends are complete once their receivers took them: waiting for
 * that is waiting for partners still combining (tree time). */
static void finish_sends(struct xtree *x)
{
    double t0 = cs_clock_now();
    cs_mpi_check(MPI_Waitall((int)x->send_count, x->sends, MPI_STATUSES_IGNORE), "MPI_Waitall");
    x->out->combine_s += cs_clock_now() - t0;
    for (unsigned i = 0; i < x->send_count; i++)
        free(x->sent[i]);
    free(x->sends);
    free(x->sent);
}

/* A large partial leaves MPI_Send only once the receiver takes it: the time
 * before is the receiver's combine still running (tree time); the move itself
 * is counted once, by the receiver. */
static void send_partial(struct xtree *x, cs_partial *part, cs_task_id made_by, int to, int tag)
{
    double t0 = cs_clock_now();
    size_t size = 0;
    uint8_t *msg = message_of(x, part, &size, 0);
    double t_send = cs_clock_now();
    x->out->comm_s += t_send - t0;
    cs_prof_send(made_by, to, tag, t0, msg ? size - 1 : 0);
    if (msg) {
        cs_mpi_check(MPI_Send(msg, (int)size, MPI_BYTE, to, tag, x->comm), "MPI_Send");
        x->out->comm_bytes += size - 1;
    } else {
        cs_mpi_check(MPI_Send(&FAILED_MARK, 1, MPI_BYTE, to, tag, x->comm), "MPI_Send");
    }
    x->out->combine_s += cs_clock_now() - t_send;
    free(msg);
}

/* The wait until the partial is sent is the sender's combine still running:
 * tree time, as under cpu_omp; receiving and unpacking it is communication. */
static cs_partial *recv_partial(struct xtree *x, int from, int tag, cs_task_id *task)
{
    double t_wait = cs_clock_now();
    MPI_Status st;
    int len = 0;
    cs_mpi_check(MPI_Probe(from, tag, x->comm, &st), "MPI_Probe");
    double t0 = cs_clock_now();
    x->out->combine_s += t0 - t_wait;
    cs_mpi_check(MPI_Get_count(&st, MPI_BYTE, &len), "MPI_Get_count");
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    if (!buf)
        cs_mpi_fatal("out of memory receiving a partial of %d bytes", len);
    cs_mpi_check(MPI_Recv(buf, len, MPI_BYTE, from, tag, x->comm, MPI_STATUS_IGNORE),
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
    cs_task_id got = cs_prof_recv(from, tag, t_wait, len > 0 ? (uint64_t)len - 1 : 0);
    if (task)
        *task = got;
    return part;
}

/* left op right here, op the kernel's combine (helped by this rank's team)
 * or its join; NULL after a failure, now or before. Consumes both. For the
 * profile it is task `id` on deps (this rank's operand's first). */
static cs_partial *apply_here(struct xtree *x, cs_partial *left, cs_partial *right, int join,
                              const cs_task_id deps[2], cs_task_id id)
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
    int rc = join ? x->k->join(x->p, left, right, &out, &e)
                  : cs_team_combine_node(x->team, 1, x->k, x->p, left, right, deps, id, &out, &e);
    if (join)
        cs_prof_task(CS_TASK_JOIN, id, t0, 0, deps, 2);
    if (rc != CS_OK)
        fail_here(x, rc, &e);
    x->out->combine_s += cs_clock_now() - t0;
    return out;
}

static cs_partial *combine_here(struct xtree *x, cs_partial *left, cs_partial *right,
                                cs_task_id dep_left, cs_task_id dep_right, cs_task_id id)
{
    cs_task_id deps[2] = {dep_left, dep_right};
    return apply_here(x, left, right, 0, deps, id);
}

static cs_partial *join_here(struct xtree *x, cs_partial *a, cs_partial *b, cs_task_id dep_a,
                             cs_task_id dep_b, cs_task_id id)
{
    cs_task_id deps[2] = {dep_a, dep_b};
    return apply_here(x, a, b, 1, deps, id);
}

/* Waiting for a started send is waiting for the partner to take it. */
static void finish_send(struct xtree *x, MPI_Request *req, uint8_t *msg)
{
    double t0 = cs_clock_now();
    cs_mpi_check(MPI_Wait(req, MPI_STATUS_IGNORE), "MPI_Wait");
    x->out->combine_s += cs_clock_now() - t0;
    free(msg);
}

/*
 * The root is the tree's largest combine, and with one rank per process
 * nothing else is left to run beside it. So its two owners share it: the
 * right owner splits its half r into lo and hi and sends lo; the left
 * owner sends a copy of its half l; the left owner makes l lo, the right
 * owner l hi, which it sends back to be joined. Three messages, in an order
 * both sides know, each started before the wait for the other's.
 */
static cs_partial *share_root_left(struct xtree *x, cs_partial *left, int partner)
{
    uint64_t mid = cs_tree_mid(0, x->items);
    cs_task_id mine = cs_prof_node(0, mid), lo_task = 0, high_task = 0;
    MPI_Request req;
    uint8_t *msg = NULL;
    post_partial(x, left, mine, 1, partner, TAG_SHARE, &req, &msg);
    cs_partial *lo = recv_partial(x, partner, TAG_SHARE, &lo_task);
    cs_partial *low_product = combine_here(x, left, lo, mine, lo_task, cs_prof_piece(1));
    finish_send(x, &req, msg);
    cs_partial *high_product = recv_partial(x, partner, TAG_SHARE, &high_task);
    return join_here(x, low_product, high_product, cs_prof_piece(1), high_task,
                     cs_prof_node(0, x->items));
}

static void share_root_right(struct xtree *x, cs_partial *right, int partner)
{
    cs_partial *lo = NULL, *hi = NULL;
    cs_task_id mine = cs_prof_node(cs_tree_mid(0, x->items), x->items), left_task = 0;
    if (x->out->status == CS_OK && right) {
        cs_err e = {{0}};
        double t0 = cs_prof_start();
        int rc = x->k->split(x->p, right, &lo, &hi, &e);
        cs_prof_task(CS_TASK_SPLIT, cs_prof_piece(0), t0, 0, &mine, 1);
        if (rc != CS_OK)
            fail_here(x, rc, &e);
    } else if (right) {
        x->k->partial_free(right);
    }
    MPI_Request req;
    uint8_t *msg = NULL;
    post_partial(x, lo, cs_prof_piece(0), 0, partner, TAG_SHARE, &req, &msg);
    cs_partial *left = recv_partial(x, partner, TAG_SHARE, &left_task);
    /* the split's piece is this rank's operand: first among the deps */
    cs_partial *high_product =
        combine_here(x, left, hi, cs_prof_piece(0), left_task, cs_prof_piece(2));
    finish_send(x, &req, msg);
    send_partial(x, high_product, cs_prof_piece(2), partner, TAG_SHARE);
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
    if (lo == 0 && hi == x->items && x->share_root) {
        if (me == left_owner)
            *out = share_root_left(x, left, right_owner);
        else if (me == right_owner)
            share_root_right(x, right, left_owner);
        return left_owner;
    }
    cs_task_id right_task = cs_prof_node(mid, hi);
    if (left_owner != right_owner) {
        int early = is_pure(x, mid, hi); /* sent by combine_pure already */
        if (me == right_owner && !early) {
            send_partial(x, right, right_task, left_owner, TAG_PARTIAL);
            right = NULL;
        } else if (me == left_owner) {
            right = recv_partial(x, right_owner, early ? TAG_PURE : TAG_PARTIAL, &right_task);
        }
    }
    if (me == left_owner)
        *out = combine_here(x, left, right, cs_prof_node(lo, mid), right_task,
                            cs_prof_node(lo, hi));
    return left_owner;
}

void cs_mpi_tree_combine(MPI_Comm comm, const cs_team *team, const cs_kernel *k,
                         const cs_problem *p, const int *owner, uint64_t items,
                         cs_partial **leaves, cs_partial **root, cs_mpi_tree_outcome *out)
{
    double t0 = cs_clock_now();
    struct xtree x = {comm, 0, team, k, p, owner, calloc(items, sizeof *x.run_end),
                      calloc(items, sizeof *x.pure), out, NULL, NULL, 0, 0, 0};
    if (!x.run_end || !x.pure)
        cs_mpi_fatal("out of memory for the tree of %llu items", (unsigned long long)items);
    cs_mpi_check(MPI_Comm_rank(comm, &x.rank), "MPI_Comm_rank");
    x.run_end[items - 1] = items;
    for (uint64_t i = items - 1; i-- > 0;)
        x.run_end[i] = owner[i] == owner[i + 1] ? x.run_end[i + 1] : i + 1;
    x.items = items;
    x.share_root = k->split && k->join && items >= 2 && owner[0] != owner[cs_tree_mid(0, items)];

    /* This rank's own subtrees, by its team; then the nodes that span ranks.
     * Packing the owed ones on the way is communication, counted there. */
    double packing_before = out->comm_s;
    combine_pure(&x, team, leaves, items);
    out->combine_s += cs_clock_now() - t0 - (out->comm_s - packing_before);
    cs_partial *top = NULL;
    int top_owner = walk(&x, 0, items, &top);
    if (top_owner != 0) {
        if (x.rank == top_owner)
            send_partial(&x, top, cs_prof_node(0, items), 0, TAG_PARTIAL), top = NULL;
        else if (x.rank == 0)
            top = recv_partial(&x, top_owner, TAG_PARTIAL, NULL);
    }
    finish_sends(&x);
    cs_tree_free_leaves(k, x.pure, items);
    if (top && (out->status != CS_OK || x.rank != 0)) {
        k->partial_free(top);
        top = NULL;
    }
    *root = top;
    free(x.run_end);
    free(x.pure);
}
