/* The tree across ranks under any owner map: every partial meets its own node, failures end it. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "kernel.h"
#include "mpi_tree.h"
#include "tree.h"

/*
 * Run under mpirun with two or more ranks. A toy kernel whose partial is a range
 * [lo, hi) of items, a hash of how it was combined (toy_combine checks that
 * its inputs are the halves of a cs_tree_mid node) and a 2x2 matrix modulo a
 * prime: the product of the items' matrices in order, so a partial delivered
 * to the wrong node changes it. Matrices multiply linearly, so split (x =
 * lo + hi, matrices) and join (a sum) are exact, and the root's two owners
 * really share it. Packed partials carry PAD bytes, more than an eager
 * message, so that sends wait for their receivers. The owner maps are the
 * ones the hand-out makes and worse: blocks, blocks backwards (the root's
 * owner is not rank 0), interleaved items, random runs, one rank holding
 * everything, ranks holding nothing.
 */
#define P 1000003u
#define PAD 100000

struct cs_problem {
    uint64_t items;
    int rank;
    int fail_split;        /* this rank's split fails */
    uint64_t fail_combine; /* this rank's combines of a node this wide fail (0: none) */
    unsigned splits, joins;
    int triggered; /* an injected failure happened here */
    int slow_pack; /* packing takes 10 ms: phases counted twice would show */
};

struct cs_partial {
    uint64_t lo, hi, shape;
    uint64_t m[4];
    int piece; /* a piece of a split, or a product with one */
};

static void mat_mul(uint64_t *r, const uint64_t *a, const uint64_t *b)
{
    uint64_t t[4] = {(a[0] * b[0] + a[1] * b[2]) % P, (a[0] * b[1] + a[1] * b[3]) % P,
                     (a[2] * b[0] + a[3] * b[2]) % P, (a[2] * b[1] + a[3] * b[3]) % P};
    memcpy(r, t, sizeof t);
}

static int toy_run(cs_problem *p, uint64_t i, cs_partial **out, cs_err *err)
{
    (void)p, (void)err;
    cs_partial *x = calloc(1, sizeof *x);
    *x = (cs_partial){i, i + 1, i * 0x9e3779b97f4a7c15ULL + 1, {i % P + 2, 1, (3 * i + 1) % P, i % P + 5}, 0};
    *out = x;
    return CS_OK;
}

static unsigned bad_nodes; /* combines or joins that were not what the tree asks */

static int toy_combine(const cs_problem *pc, cs_partial *a, cs_partial *b, cs_partial **out,
                       cs_err *err)
{
    if (a->hi != b->lo || cs_tree_mid(a->lo, b->hi) != a->hi || a->piece)
        bad_nodes++;
    if (pc->fail_combine && b->hi - a->lo == pc->fail_combine) {
        ((cs_problem *)pc)->triggered = 1;
        cs_err_set(err, "rank %d: combine of [%llu, %llu) failed", pc->rank,
                   (unsigned long long)a->lo, (unsigned long long)b->hi);
        free(a), free(b);
        return CS_ENOMEM;
    }
    a->shape = (a->shape * 31 + 7) ^ (b->shape * 0xff51afd7ed558ccdULL + (a->hi - a->lo));
    a->hi = b->hi;
    mat_mul(a->m, a->m, b->m);
    a->piece = b->piece;
    free(b);
    *out = a;
    return CS_OK;
}

/* x = lo + hi with hi a matrix taken from x's shape; both keep x's range and shape. */
static int toy_split(const cs_problem *pc, cs_partial *x, cs_partial **lo, cs_partial **hi,
                     cs_err *err)
{
    cs_problem *p = (cs_problem *)pc;
    p->splits++;
    if (p->fail_split) {
        p->triggered = 1;
        cs_err_set(err, "rank %d: split failed", p->rank);
        free(x);
        return CS_ENOMEM;
    }
    cs_partial *h = malloc(sizeof *h);
    *h = *x;
    for (int i = 0; i < 4; i++) {
        h->m[i] = (x->shape >> (8 * i)) % P;
        x->m[i] = (x->m[i] + P - h->m[i]) % P;
    }
    x->piece = h->piece = 1;
    *lo = x;
    *hi = h;
    return CS_OK;
}

static int toy_join(const cs_problem *pc, cs_partial *a, cs_partial *b, cs_partial **out,
                    cs_err *err)
{
    (void)err;
    cs_problem *p = (cs_problem *)pc;
    p->joins++;
    if (a->lo != b->lo || a->hi != b->hi || a->shape != b->shape || !a->piece || !b->piece)
        bad_nodes++;
    for (int i = 0; i < 4; i++)
        a->m[i] = (a->m[i] + b->m[i]) % P;
    a->piece = 0;
    free(b);
    *out = a;
    return CS_OK;
}

static void toy_free(cs_partial *x) { free(x); }

static int toy_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                    cs_err *err)
{
    (void)err;
    if (p->slow_pack) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    *len = sizeof *x + PAD;
    *buf = calloc(1, *len);
    memcpy(*buf, x, sizeof *x);
    return CS_OK;
}

static int toy_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                      cs_err *err)
{
    (void)p;
    if (len != sizeof **out + PAD) {
        cs_err_set(err, "a packed partial of %zu bytes is corrupt", len);
        return CS_ECORRUPT;
    }
    *out = malloc(sizeof **out);
    memcpy(*out, buf, sizeof **out);
    return CS_OK;
}

static const cs_kernel toy = {
    .name = "toy", .combine = toy_combine, .split = toy_split, .join = toy_join,
    .partial_free = toy_free, .pack = toy_pack, .unpack = toy_unpack,
};

/* A kernel whose ranks multiply shared nodes together (combine_group): each member brings its
 * pieces (here each of left and right is whole on one member, or on none) to member 0, which
 * combines them and holds the result. Its trees send every item to its block's rank first
 * (cs_handout_home), so every map but blocks moves leaves before the walk. */
#define SLOT (1 + (sizeof(cs_partial) + 7) / 8)
static int toy_group(const cs_problem *p, cs_partial *left, cs_partial *right, const cs_group *g,
                     const cs_helpers *h, int whole, cs_partial **out, cs_err *err)
{
    (void)h, (void)whole;
    *out = NULL;
    uint64_t send[2 * SLOT] = {0}, *recv = calloc(2 * SLOT * g->size, sizeof *recv);
    size_t *sw = calloc(g->size, sizeof *sw), *rw = calloc(g->size, sizeof *rw);
    cs_partial *mine[2] = {left, right};
    for (int k = 0; k < 2; k++)
        if (mine[k]) {
            send[k * SLOT] = 1;
            memcpy(&send[k * SLOT + 1], mine[k], sizeof *mine[k]);
            free(mine[k]);
        }
    sw[0] = 2 * SLOT;
    for (unsigned q = 0; g->rank == 0 && q < g->size; q++)
        rw[q] = 2 * SLOT;
    int rc = g->exchange(g->ctx, 0, send, sw, recv, rw) ? CS_EGROUP : CS_OK;
    cs_partial *got[2] = {NULL, NULL};
    for (unsigned q = 0; rc == CS_OK && g->rank == 0 && q < g->size; q++)
        for (int k = 0; k < 2; k++)
            if (recv[(2 * q + k) * SLOT] && !got[k]) {
                got[k] = malloc(sizeof *got[k]);
                memcpy(got[k], &recv[(2 * q + k) * SLOT + 1], sizeof *got[k]);
            }
    free(recv), free(sw), free(rw);
    if (rc != CS_OK) {
        cs_err_set(err, "rank %d: another member failed", p->rank);
        return rc;
    }
    if (g->rank != 0)
        return CS_OK;
    if (!got[0] || !got[1]) {
        free(got[0]), free(got[1]);
        cs_err_set(err, "rank %d: a shared node came without both operands", p->rank);
        return CS_EINVAL;
    }
    return toy_combine(p, got[0], got[1], out, err);
}

static const cs_kernel toy_grouped = {
    .name = "toy", .combine = toy_combine, .combine_group = toy_group,
    .partial_free = toy_free, .pack = toy_pack, .unpack = toy_unpack,
};

enum { MAP_BLOCKS, MAP_BACKWARDS, MAP_INTERLEAVED, MAP_PAIRS, MAP_RANDOM, MAP_RANDOM_NOT_0,
       MAP_ALL_ON_LAST, MAP_ALL_BUT_LAST_ON_0, MAP_COUNT };
static const char *const map_names[MAP_COUNT] = {
    "blocks", "blocks backwards", "interleaved", "pairs", "random runs",
    "random runs without rank 0", "all on the last rank", "all but the last item on rank 0"};

static void make_map(int *owner, uint64_t items, int ranks, int map, uint64_t seed)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 12345;
    int run = 0;
    for (uint64_t i = 0; i < items; i++) {
        int block = (int)((unsigned __int128)i * (unsigned)ranks / items);
        switch (map) {
        case MAP_BLOCKS: owner[i] = block; break;
        case MAP_BACKWARDS: owner[i] = ranks - 1 - block; break;
        case MAP_INTERLEAVED: owner[i] = (int)(i % (unsigned)ranks); break;
        case MAP_PAIRS: owner[i] = (int)(i / 2 % (unsigned)ranks); break;
        case MAP_RANDOM:
        case MAP_RANDOM_NOT_0:
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            if (i == 0 || (s >> 60) < 5) /* runs of about three items */
                run = map == MAP_RANDOM ? (int)((s >> 33) % (unsigned)ranks)
                                        : 1 + (int)((s >> 33) % (unsigned)(ranks - 1));
            owner[i] = run;
            break;
        case MAP_ALL_ON_LAST: owner[i] = ranks - 1; break;
        default: owner[i] = i + 1 == items && items > 1 ? ranks - 1 : 0; break;
        }
    }
}

/* The root as one process computes it. */
static cs_partial *serial_root(uint64_t items)
{
    cs_problem p = {items, 0, 0, 0, 0, 0, 0, 0};
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    cs_err err = {{0}};
    for (uint64_t i = 0; i < items; i++)
        toy_run(&p, i, &leaves[i], &err);
    cs_tree_combine(&toy, &p, leaves, 0, items, &root, &err);
    free(leaves);
    return root;
}

struct trial {
    int map;
    uint64_t items;
    unsigned threads;
    int fail_rank;         /* -1: none; this rank enters the tree failed */
    int fail_split_rank;   /* -1: none */
    int fail_combine_rank; /* -1: none; its combines of the root's halves fail */
    int slow_pack;
    int grouped;           /* toy_grouped: shared nodes by their groups, leaves sent home */
};

/* One tree over the ranks: 0 when it came out as it should on every rank. */
static int run_trial(int rank, int ranks, const struct trial *t, uint64_t seed, int *failing)
{
    uint64_t items = t->items;
    int *owner = malloc(items * sizeof *owner);
    make_map(owner, items, ranks, t->map, seed);
    uint64_t mid = items >= 2 ? cs_tree_mid(0, items) : 0;
    cs_problem p = {items, rank, rank == t->fail_split_rank,
                    rank == t->fail_combine_rank ? items - mid : 0, 0, 0, rank == t->fail_rank,
                    t->slow_pack};
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    cs_err err = {{0}};
    for (uint64_t i = 0; i < items; i++)
        if (owner[i] == rank)
            toy_run(&p, i, &leaves[i], &err);
    cs_mpi_tree_outcome out = {CS_OK, 0, {{0}}, 0, 0, 0, 0};
    if (rank == t->fail_rank) {
        /* as a rank whose items failed: some leaves never made */
        for (uint64_t i = 0; i < items; i += 2)
            if (leaves[i])
                toy_free(leaves[i]), leaves[i] = NULL;
        out.status = CS_ENOMEM;
        out.origin = 1;
        cs_err_set(&out.err, "rank %d: injected", rank);
    }
    bad_nodes = 0;
    cs_team team = {t->threads, NULL};
    double t0 = cs_clock_now(); /* the clock the phases are counted on */
    cs_mpi_tree_combine(MPI_COMM_WORLD, &team, t->grouped ? &toy_grouped : &toy, &p, owner,
                        items, leaves, &root, &out);
    double wall = cs_clock_now() - t0;

    /* the phases are parts of the tree's time, none counted twice */
    int bad = bad_nodes != 0 || out.combine_s + out.comm_s > wall + 1e-3;
    int shared = items >= 2 && owner[0] != owner[mid] && !t->grouped; /* split and joined */
    unsigned counts[3] = {p.splits, p.joins, (unsigned)p.triggered}, all[3] = {0, 0, 0};
    MPI_Allreduce(counts, all, 3, MPI_UNSIGNED, MPI_SUM, MPI_COMM_WORLD);
    *failing = all[2] != 0;
    /* the injected failure happens where it should: the split on the root's
     * right owner, combines of the root's halves (as wide as each other when
     * items are even) on their owners */
    int expect = t->fail_rank >= 0 || (shared && owner[mid] == t->fail_split_rank) ||
                 (t->fail_combine_rank >= 0 && (owner[0] == t->fail_combine_rank ||
                                                owner[mid] == t->fail_combine_rank));
    bad |= *failing != expect;
    /* after a failure, rank 0 surely knows, and has no root */
    if (*failing) {
        if (rank == 0 && (out.status == CS_OK || root))
            bad = 1;
    } else {
        bad |= out.status != CS_OK || all[0] != (unsigned)shared || all[1] != (unsigned)shared;
        if (rank == 0) {
            cs_partial *want = serial_root(items);
            bad |= !root || root->lo != 0 || root->hi != items || root->shape != want->shape ||
                   root->piece || memcmp(root->m, want->m, sizeof want->m) != 0;
            toy_free(want);
        } else {
            bad |= root != NULL;
        }
    }
    if (root)
        toy_free(root);
    if (bad)
        fprintf(stderr, "rank %d: FAIL: %s, %llu items, %u threads, fail %d/%d/%d: status %d (%s)\n",
                rank, map_names[t->map], (unsigned long long)items, t->threads, t->fail_rank,
                t->fail_split_rank, t->fail_combine_rank, out.status, out.err.msg);
    if (out.combine_s + out.comm_s > wall + 1e-3)
        fprintf(stderr, "rank %d: FAIL: combine %.4f s + comm %.4f s > the tree's %.4f s\n", rank,
                out.combine_s, out.comm_s, wall);
    free(leaves);
    free(owner);
    int any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return any;
}

int main(int argc, char **argv)
{
    int provided = 0, rank = 0, ranks = 1;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (ranks < 2) {
        fprintf(stderr, "test_mpi_tree: run it under mpirun with 2 or more ranks\n");
        MPI_Finalize();
        return 1;
    }
    /* every map, by the toy and (sizes whose blocks leave items to send home) by groups */
    static const uint64_t sizes[] = {1, 2, 3, 5, 8, 13, 64, 100}, group_sizes[] = {13, 100, 400};
    unsigned trials = 0, failed = 0;
    int failing = 0;
    for (int grouped = 0; grouped < 2; grouped++)
        for (int map = 0; map < MAP_COUNT; map++)
            for (size_t s = 0; s < (grouped ? 3 : sizeof sizes / sizeof sizes[0]); s++)
                for (unsigned threads = 1; threads <= 2; threads++) {
                    struct trial t = {map, grouped ? group_sizes[s] : sizes[s], threads, -1, -1,
                                      -1, 0, grouped};
                    trials++;
                    failed += run_trial(rank, ranks, &t, s, &failing);
                }
    /* Failures: each rank entering the tree failed, or its split or its
     * combines of the root's halves failing (where it is an owner of one),
     * under maps where the root is shared. */
    static const int fail_maps[] = {MAP_BLOCKS, MAP_BACKWARDS, MAP_INTERLEAVED, MAP_RANDOM};
    for (size_t m = 0; m < sizeof fail_maps / sizeof fail_maps[0]; m++)
        for (int r = 0; r < ranks; r++)
            for (int kind = 0; kind < 3; kind++) {
                struct trial t = {fail_maps[m], 100, 1 + (unsigned)(r % 2), kind == 0 ? r : -1,
                                  kind == 1 ? r : -1, kind == 2 ? r : -1, 0, 0};
                trials++;
                failed += run_trial(rank, ranks, &t, 7, &failing);
            }
    /* slow packing, in every kind of send: owed, in the walk, shared, to rank 0 */
    for (int map = MAP_BLOCKS; map <= MAP_INTERLEAVED; map++) {
        struct trial t = {map, 13, 1, -1, -1, -1, 1, 0};
        trials++;
        failed += run_trial(rank, ranks, &t, 3, &failing);
    }
    /* groups, after leaves went home: a rank entering failed (its failed leaves among those
     * sent home), and slow packing (moves counted once) */
    for (int r = 0; r < ranks; r++) {
        struct trial t = {r % 2 ? MAP_INTERLEAVED : MAP_RANDOM, 400, 1, r, -1, -1, 0, 1};
        trials++;
        failed += run_trial(rank, ranks, &t, 5, &failing);
    }
    for (int map = MAP_INTERLEAVED; map <= MAP_PAIRS; map++) {
        struct trial t = {map, 100, 1, -1, -1, -1, 1, 1};
        trials++;
        failed += run_trial(rank, ranks, &t, 3, &failing);
    }
    if (rank == 0)
        printf("%s: %u of %u trees over %d ranks came out as the serial tree or failed as they "
               "should\n", failed ? "FAIL" : "ok", trials - failed, trials, ranks);
    MPI_Finalize();
    return failed ? 1 : 0;
}
