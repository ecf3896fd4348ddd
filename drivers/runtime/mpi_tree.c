/* The fixed tree across ranks: single-rank subtrees by each team, then partials rank to rank. */
#include "mpi_tree.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "handout.h"
#include "mpi_check.h"
#include "profile.h"
#include "tree.h"

/* Partials of nodes that span ranks go in walk order under TAG_PARTIAL; the
 * single-rank partials a rank owes another go earlier, under TAG_PURE; before
 * both, leaves to their homes (cs_handout_home) in item order under TAG_HOME.
 * MPI keeps each (sender, tag) stream in order, and both sides list the
 * streams in the same order, so every receive meets its own node. */
enum { TAG_PARTIAL = 3, TAG_PURE = 4, TAG_SHARE = 5, TAG_GRAPH = 6, TAG_HOME = 7 };

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
    int grouped;        /* nodes that span ranks are combined by all their ranks together */
    unsigned group_nodes; /* such nodes walked so far: each one's own tag */
    int ranks;
    MPI_Group world;    /* comm's group, for the groups' communicators */
    struct group_comm *comms; /* the groups' communicators, made once per set of ranks */
    unsigned comm_count, comm_cap;
};

/* A group's communicator, kept for the next node with the same ranks: every
 * member made it together, so every member finds it again. */
struct group_comm {
    int *ranks;
    int count;
    MPI_Comm comm;
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
    /* grouped, every rank keeps its own: it is a member of the parent's group */
    int to = x->owner[lo] != x->rank && !shared && !x->grouped ? x->owner[lo] : -1;
    collect_pure(x, mid, hi, to, owed, kept);
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
    if (tag != TAG_HOME) /* a leaf sent home is no message of the graph (move_home) */
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
    uint64_t bytes = len > 0 ? (uint64_t)len - 1 : 0;
    cs_task_id got = tag == TAG_HOME ? 0 : cs_prof_recv(from, tag, t_wait, bytes);
    if (task)
        *task = got;
    return part;
}

/* Leaves whose home (cs_handout_home) is not the rank that ran them go there before the
 * tree, so that the walk sees each node's items on the ranks that combine them. A profile
 * does not record these moves: the combine that takes such a leaf depends on its item, on
 * another rank (the replay charges that edge as a message: span.c). */
static void move_home(struct xtree *x, cs_partial **leaves, const int *ran, const int *home)
{
    unsigned sends = 0, n = 0;
    for (uint64_t i = 0; i < x->items; i++)
        sends += ran[i] == x->rank && home[i] != x->rank;
    MPI_Request *req = calloc(sends + 1, sizeof *req);
    uint8_t **msg = calloc(sends + 1, sizeof *msg);
    if (!req || !msg)
        cs_mpi_fatal("out of memory sending %u leaves home", sends);
    for (uint64_t i = 0; i < x->items; i++)
        if (ran[i] == x->rank && home[i] != x->rank) {
            post_partial(x, leaves[i], 0, 0, home[i], TAG_HOME, &req[n], &msg[n]);
            leaves[i] = NULL;
            n++;
        }
    for (uint64_t i = 0; i < x->items; i++)
        if (home[i] == x->rank && ran[i] != x->rank)
            leaves[i] = recv_partial(x, ran[i], TAG_HOME, NULL);
    double t0 = cs_clock_now();
    cs_mpi_check(MPI_Waitall((int)n, req, MPI_STATUSES_IGNORE), "MPI_Waitall");
    x->out->comm_s += cs_clock_now() - t0;
    for (unsigned k = 0; k < n; k++)
        free(msg[k]);
    free(req);
    free(msg);
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

/* ---- nodes shared by their ranks (the kernel's combine_group) ------------ */

/*
 * Grouped, a node that spans ranks is combined by every rank that ran one of
 * its items, together (the kernel's combine_group, a product's transform
 * split across them), each leaving with its piece of the result; the
 * children's pieces are on those same ranks, so no partial travels whole.
 * Groups follow the tree: the root's ranks are all that ran items, its
 * halves' are the ranks of each half. Each group gets a communicator of its
 * own (MPI_Comm_create_group, collective over the group only), so disjoint
 * groups work at once, and a rank in two groups (its items in both halves)
 * serves them in the walk's order, as every rank does. Only the root's
 * result is gathered, on its group's first rank.
 */

struct group_call {
    struct xtree *x;
    MPI_Comm comm;
    int peer_failed; /* an exchange stopped for another rank's failure */
    int calls;       /* exchanges so far */
    int fail_at;     /* CS_FAULT: the exchange this rank comes to failed, -1: none */
};

/* The kernel's exchange over the group's communicator: first whether any
 * member failed (waiting for the others there is tree time), then the words
 * (communication). */
static int group_exchange(void *ctx, int failed, const uint64_t *send, const size_t *send_words,
                          uint64_t *recv, const size_t *recv_words)
{
    struct group_call *c = ctx;
    struct xtree *x = c->x;
    if (c->calls++ == c->fail_at)
        failed = 1;
    double t0 = cs_clock_now();
    int any = failed != 0;
    cs_mpi_check(MPI_Allreduce(MPI_IN_PLACE, &any, 1, MPI_INT, MPI_MAX, c->comm),
                 "MPI_Allreduce");
    double t1 = cs_clock_now();
    x->out->combine_s += t1 - t0;
    if (any) {
        if (!failed)
            c->peer_failed = 1;
        return 1;
    }
    int size = 0, me = 0;
    cs_mpi_check(MPI_Comm_size(c->comm, &size), "MPI_Comm_size");
    cs_mpi_check(MPI_Comm_rank(c->comm, &me), "MPI_Comm_rank");
    int *counts = malloc(4 * (size_t)size * sizeof *counts);
    if (!counts)
        cs_mpi_fatal("out of memory for an exchange among %d ranks", size);
    int *sdispl = counts + size, *rcounts = sdispl + size, *rdispl = rcounts + size;
    size_t sat = 0, rat = 0;
    uint64_t bytes = 0;
    for (int q = 0; q < size; q++) {
        if (send_words[q] > INT_MAX || recv_words[q] > INT_MAX || sat > INT_MAX || rat > INT_MAX)
            cs_mpi_fatal("an exchange of %zu words is too large for MPI's counts",
                         send_words[q] > recv_words[q] ? send_words[q] : recv_words[q]);
        counts[q] = (int)send_words[q], sdispl[q] = (int)sat;
        rcounts[q] = (int)recv_words[q], rdispl[q] = (int)rat;
        sat += send_words[q];
        rat += recv_words[q];
        if (q != me)
            bytes += 8 * (uint64_t)send_words[q];
    }
    cs_mpi_check(MPI_Alltoallv(send, counts, sdispl, MPI_UINT64_T, recv, rcounts, rdispl,
                               MPI_UINT64_T, c->comm),
                 "MPI_Alltoallv");
    free(counts);
    x->out->comm_s += cs_clock_now() - t1;
    x->out->comm_bytes += bytes;
    return 0;
}

/* The ranks that ran items of [lo, hi), rising; their count. */
static int node_ranks(const struct xtree *x, uint64_t lo, uint64_t hi, int *ranks)
{
    char *in = calloc((size_t)x->ranks, 1);
    if (!in)
        cs_mpi_fatal("out of memory for a group of %d ranks", x->ranks);
    for (uint64_t i = lo; i < hi; i = x->run_end[i] < hi ? x->run_end[i] : hi)
        in[x->owner[i]] = 1;
    int count = 0;
    for (int r = 0; r < x->ranks; r++)
        if (in[r])
            ranks[count++] = r;
    free(in);
    return count;
}

/* The communicator of the group of `count` ranks (rising), made the first time
 * (MPI_Comm_create_group: collective over the group only, so disjoint groups
 * make theirs at once). */
static MPI_Comm group_comm_of(struct xtree *x, const int *ranks, int count)
{
    for (unsigned i = 0; i < x->comm_count; i++) {
        struct group_comm *c = &x->comms[i];
        if (c->count == count && memcmp(c->ranks, ranks, (size_t)count * sizeof *ranks) == 0)
            return c->comm;
    }
    if (x->comm_count == x->comm_cap) {
        unsigned cap = 2 * x->comm_cap + 8;
        struct group_comm *grown = realloc(x->comms, cap * sizeof *grown);
        if (!grown)
            cs_mpi_fatal("out of memory for %u groups' communicators", cap);
        x->comms = grown;
        x->comm_cap = cap;
    }
    struct group_comm *c = &x->comms[x->comm_count];
    c->ranks = malloc((size_t)count * sizeof *ranks);
    if (!c->ranks)
        cs_mpi_fatal("out of memory for a group of %d ranks", count);
    memcpy(c->ranks, ranks, (size_t)count * sizeof *ranks);
    c->count = count;
    MPI_Group grp;
    cs_mpi_check(MPI_Group_incl(x->world, count, ranks, &grp), "MPI_Group_incl");
    /* the tag tells apart groups made at once by overlapping ranks: the node's
     * number in the walk, which every rank counts alike */
    int tag = 16 + (int)(x->group_nodes % 30000u);
    cs_mpi_check(MPI_Comm_create_group(x->comm, grp, tag, &c->comm), "MPI_Comm_create_group");
    cs_mpi_check(MPI_Group_free(&grp), "MPI_Group_free");
    x->comm_count++;
    return c->comm;
}

static void group_comms_free(struct xtree *x)
{
    for (unsigned i = 0; i < x->comm_count; i++) {
        cs_mpi_check(MPI_Comm_free(&x->comms[i].comm), "MPI_Comm_free");
        free(x->comms[i].ranks);
    }
    free(x->comms);
}

/* The rank that holds what the profile names node [lo, hi): a subtree's
 * owner, or a group's first rank. */
static int graph_rank(const struct xtree *x, uint64_t lo, uint64_t hi)
{
    if (is_pure(x, lo, hi))
        return x->owner[lo];
    int first = x->ranks;
    for (uint64_t i = lo; i < hi; i = x->run_end[i] < hi ? x->run_end[i] : hi)
        first = x->owner[i] < first ? x->owner[i] : first;
    return first;
}

/*
 * For --profile, a group's combine is a helped combine of its first rank
 * whose parts ran on the group's ranks: the first rank forks them (a combine
 * on the two children, brought to it as messages from the ranks that hold
 * them), each rank's share is a part (its time in the combine, exchanges
 * included), and a segment joins them as the node. So the replay runs the
 * shares side by side, as the ranks did.
 */
static void graph_group_fork(const struct xtree *x, uint64_t lo, uint64_t hi, int first)
{
    uint64_t mid = cs_tree_mid(lo, hi);
    uint64_t child[2][2] = {{lo, mid}, {mid, hi}};
    cs_task_id deps[2];
    for (int c = 0; c < 2; c++) {
        cs_task_id made = cs_prof_node(child[c][0], child[c][1]);
        int holder = graph_rank(x, child[c][0], child[c][1]);
        deps[c] = made;
        if (holder == first)
            continue;
        if (x->rank == holder)
            cs_prof_send(made, first, TAG_GRAPH, cs_clock_now(), 0);
        else if (x->rank == first)
            deps[c] = cs_prof_recv(holder, TAG_GRAPH, cs_clock_now(), 0);
    }
    if (x->rank == first)
        cs_prof_task(CS_TASK_COMBINE, cs_prof_group_part(lo, hi, CS_PROF_GROUP_START),
                     cs_clock_now(), 0, deps, 2);
}

/* sent: the bytes this rank's share sent to the others in the exchanges. */
static void graph_group_join(uint64_t lo, uint64_t hi, int me, int count, double start,
                             uint64_t sent)
{
    cs_task_id fork = cs_prof_group_part(lo, hi, CS_PROF_GROUP_START);
    cs_prof_task(CS_TASK_PART, cs_prof_group_part(lo, hi, (unsigned)me), start, sent, &fork, 1);
    if (me != 0)
        return;
    cs_task_id *parts = malloc((size_t)count * sizeof *parts);
    if (!parts)
        cs_mpi_fatal("out of memory recording a group of %d ranks", count);
    for (int i = 0; i < count; i++)
        parts[i] = cs_prof_group_part(lo, hi, (unsigned)i);
    cs_prof_task(CS_TASK_SEGMENT, cs_prof_node(lo, hi), cs_clock_now(), 0, parts,
                 (unsigned)count);
    free(parts);
}

/* Node [lo, hi), this rank one of its group's `count` ranks: its piece of
 * left op right. A rank that failed (now or before) comes failed, so the
 * whole group stops at once. */
static cs_partial *group_combine(struct xtree *x, uint64_t lo, uint64_t hi, const int *ranks,
                                 int count, cs_partial *left, cs_partial *right)
{
    double t0 = cs_clock_now();
    int recording = cs_prof_recording && x->out->status == CS_OK;
    if (recording)
        graph_group_fork(x, lo, hi, ranks[0]);
    /* CS_FAULT: the second exchange is inside the product whichever way it is made */
    struct group_call call = {x, group_comm_of(x, ranks, count), 0, 0,
                              x->out->fail_shared ? 1 : -1};
    x->out->fail_shared = 0;
    int me = 0;
    cs_mpi_check(MPI_Comm_rank(call.comm, &me), "MPI_Comm_rank");
    double t1 = cs_clock_now();
    x->out->comm_s += t1 - t0;
    cs_group g = {(unsigned)me, (unsigned)count, group_exchange, &call};
    cs_partial *out = NULL;
    if (x->out->status != CS_OK) {
        if (left)
            x->k->partial_free(left);
        if (right)
            x->k->partial_free(right);
        group_exchange(&call, 1, NULL, NULL, NULL, NULL);
    } else {
        cs_helpers h = cs_team_helpers(x->team);
        cs_err e = {{0}};
        double before = x->out->comm_s + x->out->combine_s;
        uint64_t bytes_before = x->out->comm_bytes;
        int rc = x->k->combine_group(x->p, left, right, &g, h.run ? &h : NULL,
                                     lo == 0 && hi == x->items, &out, &e);
        if (call.fail_at >= 0 && call.calls > call.fail_at) {
            cs_err_set(&e, "the combine of items %llu..%llu shared by %d ranks failed midway "
                           "(injected by CS_FAULT)", (unsigned long long)lo,
                       (unsigned long long)hi - 1, count);
            fail_here(x, CS_ENOMEM, &e);
        } else if (rc != CS_OK && call.peer_failed) {
            x->out->status = CS_EGROUP; /* the rank that failed says why */
            cs_err_set(&x->out->err, "%s", e.msg);
        } else if (rc != CS_OK) {
            fail_here(x, rc, &e);
        }
        /* the time outside the exchanges is this rank's share of the combine */
        x->out->combine_s += cs_clock_now() - t1 - (x->out->comm_s + x->out->combine_s - before);
        if (recording && rc == CS_OK)
            graph_group_join(lo, hi, me, count, t0, x->out->comm_bytes - bytes_before);
    }
    return out;
}

/* Post-order over the tree; returns this rank's piece of the node (NULL:
 * none). Every rank walks every node, so each counts the groups alike. */
static cs_partial *walk_group(struct xtree *x, uint64_t lo, uint64_t hi, int *ranks)
{
    if (is_pure(x, lo, hi)) {
        cs_partial *mine = NULL;
        if (x->owner[lo] == x->rank) {
            mine = x->pure[lo];
            x->pure[lo] = NULL;
        }
        return mine;
    }
    uint64_t mid = cs_tree_mid(lo, hi);
    cs_partial *left = walk_group(x, lo, mid, ranks);
    cs_partial *right = walk_group(x, mid, hi, ranks);
    int count = node_ranks(x, lo, hi, ranks), member = 0;
    for (int i = 0; i < count; i++)
        member |= ranks[i] == x->rank;
    x->group_nodes++;
    if (!member) {
        assert(!left && !right);
        return NULL;
    }
    return group_combine(x, lo, hi, ranks, count, left, right);
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
                      calloc(items, sizeof *x.pure), out, NULL, NULL, 0, 0, 0, 0, 0, 0,
                      MPI_GROUP_NULL, NULL, 0, 0};
    if (!x.run_end || !x.pure)
        cs_mpi_fatal("out of memory for the tree of %llu items", (unsigned long long)items);
    cs_mpi_check(MPI_Comm_rank(comm, &x.rank), "MPI_Comm_rank");
    x.items = items;
    cs_mpi_check(MPI_Comm_size(comm, &x.ranks), "MPI_Comm_size");
    x.grouped = k->combine_group && x.ranks >= 2;
    /* From here to the team's subtrees all is combine time but for the moves counted as
     * communication (leaves sent home, owed partials packed); the waits recv_partial counts
     * as combine time lie inside that span, so they are counted by it, once. */
    double comm_before = out->comm_s, combine_before = out->combine_s;
    /* groups: stolen items go home first, and the tree follows the homes */
    int *home = NULL;
    if (x.grouped) {
        home = malloc(items * sizeof *home);
        if (!home)
            cs_mpi_fatal("out of memory for the homes of %llu items", (unsigned long long)items);
        cs_handout_home(items, (unsigned)x.ranks, team->threads, home);
        move_home(&x, leaves, owner, home);
        owner = x.owner = home;
    }
    x.run_end[items - 1] = items;
    for (uint64_t i = items - 1; i-- > 0;)
        x.run_end[i] = owner[i] == owner[i + 1] ? x.run_end[i + 1] : i + 1;
    x.share_root = !x.grouped && k->split && k->join && items >= 2 &&
                   owner[0] != owner[cs_tree_mid(0, items)];

    /* This rank's own subtrees, by its team; then the nodes that span ranks.
     * Packing the owed ones on the way is communication, counted there. */
    combine_pure(&x, team, leaves, items);
    out->combine_s = combine_before + (cs_clock_now() - t0) - (out->comm_s - comm_before);
    cs_partial *top = NULL;
    int top_owner;
    if (x.grouped) {
        /* the root's group's first rank holds it whole */
        int *ranks = malloc((size_t)x.ranks * sizeof *ranks);
        if (!ranks)
            cs_mpi_fatal("out of memory for the groups of %d ranks", x.ranks);
        cs_mpi_check(MPI_Comm_group(comm, &x.world), "MPI_Comm_group");
        top = walk_group(&x, 0, items, ranks);
        node_ranks(&x, 0, items, ranks);
        top_owner = ranks[0];
        free(ranks);
        cs_mpi_check(MPI_Group_free(&x.world), "MPI_Group_free");
        group_comms_free(&x);
    } else {
        top_owner = walk(&x, 0, items, &top);
    }
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
    free(home);
}
