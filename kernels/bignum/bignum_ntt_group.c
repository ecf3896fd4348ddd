/* bignum_mul_group by the split transform: each member transforms its columns, then its blocks, with exchanges between. */
#include <assert.h>
#include <string.h>

#include "bignum_group.h"

/*
 * The transform of n = m M points (m 1 or 3) with `cross` of its top radix-2
 * stages taken across the members. The points form B = m 2^cross blocks of
 * w = M / 2^cross; column c < w is the set of points c + k w, k < B. The
 * forward's radix-3 step and its top `cross` stages mix only the points of
 * one column; every later stage, the pointwise product and the inverse up to
 * those stages only the points of one block. So each member:
 *   1. gets the operands' limbs of its columns from the members holding them;
 *   2. runs the radix-3 step and the top stages on its columns (the
 *      transform's first group, ntt_transform.lead);
 *   3. trades columns for blocks: every member's share of its blocks;
 *   4. runs the rest of both forward transforms, the pointwise product and
 *      the inverse's stages below the top on its blocks;
 *   5. trades blocks back for columns, runs the inverse's top stages there
 *      and Garner's step on each column's runs of coefficients;
 *   6. sends each run's limbs and carries to the member that holds those
 *      limbs of the product, which adds the carries in; and what overflows a
 *      member's limbs reaches the next through one small exchange, in which
 *      every member learns enough of the others to add its own carry in.
 * Every step runs the transform's own code (bignum_ntt.c) on the points the
 * member holds, in full-length arrays of which it touches only its share, so
 * the residues are those of the product made in one process, and the limbs
 * bignum_mul's. Each step's ranges are parts for the member's threads.
 *
 * Six exchanges in all, every member taking part in each, the same six for
 * every member: the pieces' places (bignum_group.c), the operands, the
 * forward's blocks, the inverse's columns, the product's limbs, its
 * overflows (bignum_group.c).
 *
 * Where one member's product would take the wrapped layout (bignum_ntt.c: a
 * transform n shorter than the product's coefficients, the cyclic product
 * holding c_r + c_(n+r) below the wrap d, and a small product of the low d
 * limbs giving c_r alone), a group of four or more takes it too, instead of
 * the next length (up to half as many points again): the first three
 * members also get the operands' low d limbs and each makes one prime of the
 * small product, sending its residues below d to the column owners inside
 * the inverse's trade; the owners unwrap before Garner's step, whose runs
 * then reach the rows past n. The small members take as much less of the
 * columns and blocks as their prime of the small product costs.
 */

/* Stages across members: enough blocks for about four per member (the
 * small product's members too, which take blocks by their weight), so that
 * uneven counts still balance, within one group's stages, with blocks of
 * at least 16 points (the vector build's smallest). 0: too small to split. */
static unsigned cross_stages(ntt_shape s, unsigned g)
{
    unsigned cross = 1;
    while (cross < BN_NTT_GROUP_STAGES && (s.m << cross) < 4 * (size_t)g)
        cross++;
    while (cross > 0 && (s.M >> cross) < 16)
        cross--;
    return cross;
}

/* The wrapped layout from this many members on: three make the small product's primes, and
 * all split the transform, the three with smaller shares. */
#define WRAP_MEMBERS 4
#define WRAP_SMALL 3

/* A small member's share of the columns and blocks, in 256ths of another's: a share of
 * the whole less its prime of the small product, by the transforms' costs (bn_ntt_cost;
 * the split transform's points taken 1.5 times as dear, as measured: bench/bignum_group). */
static unsigned small_weight(unsigned g, size_t n, size_t d)
{
    double small = bn_ntt_cost(bn_ntt_shape_for(2 * d - 1).n), big = 1.5 * bn_ntt_cost(n);
    double left = 1.0 - g * small / (3 * (big + small));
    return left <= 0 ? 0 : (unsigned)(256 * left + 0.5);
}

/* Whether the transform can be split for this plan: one transform holds the
 * product, and its blocks are large enough; if so its shape, set in pl. */
int bn_group_transform_plan(group_plan *pl)
{
    if (pl->coeffs > BN_NTT_MAX_COEFFS)
        return 0;
    pl->s = bn_ntt_shape_for(pl->coeffs);
    pl->wrap = 0, pl->small = 0;
    ntt_shape big;
    size_t d = pl->g >= WRAP_MEMBERS ? bn_ntt_wrap(pl->na, pl->nb, &big) : 0;
    if (d && cross_stages(big, pl->g)) {
        pl->s = big;
        pl->wrap = d, pl->small = WRAP_SMALL;
        pl->small_weight = small_weight(pl->g, big.n, d);
    }
    pl->cross = cross_stages(pl->s, pl->g);
    if (pl->cross == 0)
        return 0;
    pl->w = pl->s.M >> pl->cross;
    pl->B = pl->s.m << pl->cross;
    pl->rows = pl->B + group_ceil_div(pl->wrap, pl->w);
    pl->S = pl->w < BN_NTT_SUB_POINTS ? pl->w : BN_NTT_SUB_POINTS;
    size_t cols = (BN_NTT_RANGE / pl->B) & ~(size_t)7;
    pl->cols = cols < 8 ? 8 : cols;
    return 1;
}

/* ---- moving runs between full-length arrays and messages ----------------- */

enum run_move { RUNS_COUNT, RUNS_OUT, RUNS_IN, RUNS_ZERO };

/* One run of c words: out of run into buf, in from buf (gathered in copies, for the
 * member's threads, or NULL: at once), zeroed, or only counted. */
static size_t move_run(bn_limb *run, bn_limb *buf, size_t c, enum run_move how,
                       group_copies *copies)
{
    if (how == RUNS_OUT)
        bn_group_copy(copies, buf, run, c);
    else if (how == RUNS_IN)
        bn_group_copy(copies, run, buf, c);
    else if (how == RUNS_ZERO)
        bn_group_zero(copies, run, c);
    return c;
}

/* Member q's column runs [k w + c0, k w + c1), k < rows (B, then the rows of
 * the wrapped layout's coefficients past the transform), within [lo, hi):
 * copied out of or into arr (its element for point j at arr[j - at]) from or
 * to buf in that order, or zeroed, or only counted. Returns the words. */
static size_t column_runs(const group_plan *pl, unsigned q, size_t lo, size_t hi, bn_limb *arr,
                          size_t at, bn_limb *buf, enum run_move how, group_copies *copies)
{
    const member_share *m = &pl->m[q];
    size_t words = 0;
    for (size_t k = 0; k < pl->rows; k++) {
        size_t r0 = k * pl->w + m->c0, r1 = k * pl->w + m->c1;
        if (r0 < lo)
            r0 = lo;
        if (r1 > hi)
            r1 = hi;
        if (r0 < r1)
            words += move_run(arr ? arr + (r0 - at) : NULL, buf ? buf + words : NULL, r1 - r0,
                              how, copies);
    }
    return words;
}

/* The words of member `blocks`'s blocks [k0, k1) in member `cols`'s columns: the
 * points a column-holder and a block-holder trade (transform_runs moves them). */
static size_t block_words(const group_plan *pl, unsigned blocks, unsigned cols)
{
    const member_share *b = &pl->m[blocks], *c = &pl->m[cols];
    return (b->k1 - b->k0) * (c->c1 - c->c0);
}

/* The wrapped layout's small product: member q, if it makes one of its primes, wants the
 * operands' low wrap limbs, [0, wrap) within [lo, hi): as column_runs. */
static size_t small_runs(const group_plan *pl, unsigned q, size_t lo, size_t hi, bn_limb *arr,
                         size_t at, bn_limb *buf, enum run_move how, group_copies *copies)
{
    size_t r0 = lo, r1 = hi < pl->wrap ? hi : pl->wrap;
    if (q >= pl->small || r0 >= r1)
        return 0;
    return move_run(arr ? arr + (r0 - at) : NULL, buf, r1 - r0, how, copies);
}

/* What member q wants of the operands' range [lo, hi): its columns' limbs, or the small
 * product's; moved as column_runs moves them, the small product's at once: its low limbs
 * overlap the columns' first rows, and two threads must not write one limb, even alike. */
static size_t operand_runs(const group_plan *pl, unsigned q, size_t lo, size_t hi, bn_limb *arr,
                           size_t at, bn_limb *buf, enum run_move how, group_copies *copies)
{
    size_t words = column_runs(pl, q, lo, hi, arr, at, buf, how, copies);
    return words + small_runs(pl, q, lo, hi, arr, at, buf ? buf + words : NULL, how, NULL);
}

/* ---- the member's steps, as parts for its threads ------------------------ */

/* A range of the tables a member fills: (prime, segment, first entry, count). */
typedef struct table_range {
    unsigned prime, seg;
    size_t k0, count;
} table_range;

typedef struct group_job {
    const group_plan *pl;
    ntt_transform t[3];
    unsigned nseg[3];
    ntt_segment seg[3][NTT_MAX_SEGMENTS];
    table_range *tables; /* the ranges of them this member fills */
    size_t table_count;
    bn_limb *x[3], *y[3]; /* a's and b's transforms, full length; the product in x */
    ntt_operand a, b;     /* full length; only this member's columns are read */
    bn_limb *rp;          /* the product's limbs at this member's runs, full length */
    bn_limb *low[3];      /* wrapped: the small product's residues below the wrap, at this
                           * member's columns (a small member: its prime's) */
    size_t n_low;         /* the small product's transform length: low's residues' factor */
    ntt_crt *crt;
    bn_limb *carry; /* per column part and row: two words */
    /* the round running */
    unsigned group;  /* ntt_group_at's index: the round's group */
    int inverse;
    size_t per_side; /* parts per prime and operand */
    size_t range;    /* units per part */
} group_job;

/*
 * The tables: every member needs the levels below the lead group's whole,
 * but of the radix-3 step's twiddles (W^j, j < M) and of the lead group's
 * levels' first twiddles only those of its own columns: entry k where k mod w
 * is one of them. Those segments (the vector build's: bn_ntt_vector_segments)
 * are filled in the member's runs only, a 1/g share, instead of whole on
 * every member. The scalar build fills everything.
 */
static int column_segment(const group_job *j, const ntt_segment *seg)
{
    const group_plan *pl = j->pl;
    size_t M = pl->s.M, w = pl->w;
    if (j->t[0].level < BN_NTT_AVX2 || w <= 2 * ntt_low_level(M))
        return 0;
    if (pl->s.m == 3 && seg->count == M && (seg->at == 2 * M || seg->at == 3 * M))
        return 1; /* the radix-3 step's W^j and W^-j */
    for (size_t len = w; len <= M / 2; len *= 2)
        if (seg->count == w && (seg->at == len || seg->at == M + len))
            return 1; /* a lead level's first twiddles (or its whole, len = w) */
    return 0;
}

/* Lists them into r (NULL: counts them). */
static size_t table_ranges(const group_job *j, table_range *r)
{
    const member_share *m = &j->pl->m[j->pl->me];
    size_t count = 0, w = j->pl->w;
    for (unsigned i = 0; i < 3; i++)
        for (unsigned s = 0; s < j->nseg[i]; s++) {
            const ntt_segment *seg = &j->seg[i][s];
            int by_column = column_segment(j, seg);
            size_t runs = by_column ? seg->count / w : 1;
            for (size_t run = 0; run < runs; run++) {
                size_t lo = by_column ? run * w + m->c0 : 0;
                size_t hi = by_column ? run * w + m->c1 : seg->count;
                for (size_t k = lo; k < hi; k += BN_NTT_TABLE_RANGE) {
                    if (r) {
                        table_range x = {i, s, k, hi - k < BN_NTT_TABLE_RANGE ? hi - k
                                                                             : BN_NTT_TABLE_RANGE};
                        r[count] = x;
                    }
                    count++;
                }
            }
        }
    return count;
}

static void part_tables(void *arg, unsigned part)
{
    group_job *j = arg;
    const table_range *r = &j->tables[part];
    bn_ntt_fill(&j->t[r->prime], &j->seg[r->prime][r->seg], r->k0, r->count);
}

static ntt_group lead_group(const group_job *j, int inverse)
{
    ntt_group gr = ntt_group_at(&j->t[0], 0);
    gr.load = !inverse && j->pl->s.m == 1;
    gr.store = inverse && j->pl->s.m == 1;
    return gr;
}

/* This member's columns [i0, i1) of part `part` (of per_side). */
static void part_columns(const group_job *j, size_t part, size_t *i0, size_t *i1)
{
    const member_share *m = &j->pl->m[j->pl->me];
    *i0 = m->c0 + part * j->pl->cols;
    *i1 = m->c1 - *i0 < j->pl->cols ? m->c1 : *i0 + j->pl->cols;
}

/* Forward, on columns: the radix-3 step (loading the limbs) and the lead group. */
static void part_forward_columns(void *arg, unsigned part)
{
    group_job *j = arg;
    const group_plan *pl = j->pl;
    unsigned i = (unsigned)(part / (2 * j->per_side));
    int side_b = (part / j->per_side) % 2;
    size_t i0, i1;
    part_columns(j, part % j->per_side, &i0, &i1);
    bn_limb *x = side_b ? j->y[i] : j->x[i];
    ntt_operand a = side_b ? j->b : j->a;
    if (pl->s.m == 3)
        for (size_t k = 0; k < (pl->B / 3); k++)
            bn_ntt_radix3(&j->t[i], 0, x, a, k * pl->w + i0, k * pl->w + i1);
    ntt_group gr = lead_group(j, 0);
    for (size_t third = 0; third < pl->s.m; third++)
        bn_ntt_group(&j->t[i], &gr, 0, x, a, third * pl->w + i0, third * pl->w + i1);
}

/* The wrapped layout's coefficients [r0, r1) (below the wrap) and n + r, for all three
 * primes: the cyclic product holds c_r + c_(n+r) at r, the small product c_r alone. */
static void unwrap_run(const group_job *j, size_t r0, size_t r1)
{
    for (int i = 0; i < 3; i++)
        bn_ntt_unwrap(j->x[i], j->pl->s.n, j->low[i], j->n_low, r0, r1, i);
}

/* Inverse, on columns: the lead group and the radix-3 step (leaving words),
 * for all three primes; the wrapped layout's unwrapping; then Garner's step on
 * the columns' runs (those of the coefficients past the transform too). */
static void part_inverse_columns(void *arg, unsigned part)
{
    group_job *j = arg;
    const group_plan *pl = j->pl;
    size_t i0, i1;
    part_columns(j, part, &i0, &i1);
    ntt_group gr = lead_group(j, 1);
    for (int i = 0; i < 3; i++) {
        for (size_t third = 0; third < pl->s.m; third++)
            bn_ntt_group(&j->t[i], &gr, 1, j->x[i], j->a, third * pl->w + i0, third * pl->w + i1);
        if (pl->s.m == 3)
            for (size_t k = 0; k < (pl->B / 3); k++)
                bn_ntt_radix3(&j->t[i], 1, j->x[i], j->a, k * pl->w + i0, k * pl->w + i1);
    }
    for (size_t k = 0; pl->wrap && k * pl->w + i0 < pl->wrap; k++)
        unwrap_run(j, k * pl->w + i0, k * pl->w + i1 < pl->wrap ? k * pl->w + i1 : pl->wrap);
    for (size_t k = 0; k < pl->rows; k++) {
        bn_limb *carry = j->carry + 2 * (part * pl->rows + k);
        size_t r0 = k * pl->w + i0, r1 = k * pl->w + i1;
        if (r1 > pl->coeffs)
            r1 = pl->coeffs;
        carry[0] = carry[1] = 0;
        if (r0 < r1)
            bn_ntt_crt_range(j->crt, j->rp, j->x, r0, r1, carry);
    }
}

/* This member's blocks as points [P0, P1). */
static void member_points(const group_job *j, size_t *P0, size_t *P1)
{
    const member_share *m = &j->pl->m[j->pl->me];
    *P0 = m->k0 * j->pl->w;
    *P1 = m->k1 * j->pl->w;
}

/* One of the groups below the lead on this member's blocks: units of the
 * group in ranges, per prime and (forward) operand. */
static size_t local_group_units(const group_job *j, unsigned group, size_t *first)
{
    ntt_group gr = ntt_group_at(&j->t[0], group);
    size_t P0, P1;
    member_points(j, &P0, &P1);
    *first = P0 >> gr.stages;
    return (P1 - P0) >> gr.stages;
}

static void part_local_group(void *arg, unsigned part)
{
    group_job *j = arg;
    unsigned sides = j->inverse ? 1 : 2;
    unsigned i = (unsigned)(part / (sides * j->per_side));
    int side_b = (part / j->per_side) % sides == 1;
    size_t first, units = local_group_units(j, j->group, &first);
    size_t lo = part % j->per_side * j->range, hi = units - lo < j->range ? units : lo + j->range;
    ntt_group gr = ntt_group_at(&j->t[i], j->group);
    bn_ntt_group(&j->t[i], &gr, j->inverse, side_b ? j->y[i] : j->x[i], side_b ? j->b : j->a,
                 first + lo, first + hi);
}

static void run_local_group(group_job *j, unsigned group, int inverse, const bignum_helpers *h)
{
    size_t first, units = local_group_units(j, group, &first);
    ntt_group gr = ntt_group_at(&j->t[0], group);
    size_t range = (BN_NTT_RANGE >> gr.stages) & ~(size_t)7;
    j->group = group;
    j->inverse = inverse;
    j->range = range < 8 ? 8 : range;
    j->per_side = group_ceil_div(units, j->range);
    bn_group_run_parts(h, 3 * (inverse ? 1 : 2) * j->per_side, part_local_group, j);
}

static void part_block(void *arg, unsigned part)
{
    group_job *j = arg;
    size_t P0, P1;
    member_points(j, &P0, &P1);
    size_t per = (P1 - P0) / j->pl->S;
    unsigned i = (unsigned)(part / per);
    bn_ntt_block(&j->t[i], j->pl->S, P0 / j->pl->S + part % per, j->x[i], j->y[i], j->a, j->b, 0,
                 0);
}

/* Steps 4: everything on this member's blocks. */
static void run_blocks(group_job *j, const bignum_helpers *h)
{
    unsigned groups = j->t[0].groups;
    for (unsigned g = 1; g < groups; g++)
        run_local_group(j, g, 0, h);
    size_t P0, P1;
    member_points(j, &P0, &P1);
    bn_group_run_parts(h, 3 * ((P1 - P0) / j->pl->S), part_block, j);
    for (unsigned g = groups; g-- > 1;)
        run_local_group(j, g, 1, h);
}

/* ---- the job's memory ------------------------------------------------------ */

static size_t member_parts(const group_plan *pl)
{
    const member_share *m = &pl->m[pl->me];
    return group_ceil_div(m->c1 - m->c0, pl->cols);
}

static void job_free(group_job *j)
{
    const group_plan *pl = j->pl;
    size_t n = pl->s.n, tw = bn_ntt_table_words(pl->s), nw = n + pl->wrap;
    for (int i = 0; i < 3; i++) {
        bignum_free_limbs(j->x[i], nw);
        bignum_free_limbs(j->y[i], n);
        if (j->t[i].tables)
            bignum_free_limbs(j->t[i].tables, tw);
        bignum_free_limbs(j->low[i], pl->wrap);
    }
    bignum_free_limbs((bn_limb *)j->a.p, pl->na);
    bignum_free_limbs((bn_limb *)j->b.p, pl->nb);
    bignum_free_limbs(j->rp, nw);
    bignum_free_limbs(j->carry, 2 * member_parts(pl) * pl->rows + 1);
    bn_ntt_crt_free(j->crt);
    bignum_free_bytes(j->tables, j->table_count * sizeof *j->tables + 1);
}

/* The arrays are full length, but this member writes (and so the system
 * backs with memory) only its columns and blocks: about 2/g of each. */
static int job_new(group_job *j, const group_plan *pl)
{
    memset(j, 0, sizeof *j);
    j->pl = pl;
    size_t n = pl->s.n, tw = bn_ntt_table_words(pl->s), nw = n + pl->wrap;
    int level = bn_ntt_level(), ok = 1;
    for (int i = 0; i < 3; i++) {
        j->x[i] = bignum_alloc_limbs(nw);
        j->y[i] = bignum_alloc_limbs(n);
        bn_limb *tables = bignum_alloc_limbs(tw);
        ok = ok && j->x[i] && j->y[i] && tables;
        if (pl->wrap) { /* touched only at this member's columns (or its prime's, small) */
            j->low[i] = bignum_alloc_limbs(pl->wrap);
            ok = ok && j->low[i];
        }
        bn_ntt_transform_init(&j->t[i], i, pl->s, level, tables);
        ntt_transform *t = &j->t[i];
        for (size_t M = pl->s.M; M > pl->S; M /= 2)
            t->top++;
        t->lead = pl->cross;
        t->groups = 1 + (unsigned)group_ceil_div(t->top - pl->cross, BN_NTT_GROUP_STAGES);
    }
    j->a.p = bignum_alloc_limbs(pl->na);
    j->a.n = pl->na;
    j->b.p = bignum_alloc_limbs(pl->nb);
    j->b.n = pl->nb;
    j->n_low = pl->wrap ? bn_ntt_residues_length(pl->wrap, pl->wrap) : 0;
    j->rp = bignum_alloc_limbs(nw);
    j->carry = bignum_alloc_limbs(2 * member_parts(pl) * pl->rows + 1);
    j->crt = bn_ntt_crt_new(n, j->t[0].level);
    ok = ok && j->a.p && j->b.p && j->rp && j->carry && j->crt;
    if (!ok) {
        job_free(j);
        return BN_ENOMEM;
    }
    for (int i = 0; i < 3; i++)
        j->nseg[i] = bn_ntt_segments(&j->t[i], j->seg[i]);
    j->table_count = table_ranges(j, NULL);
    j->tables = bignum_alloc_bytes(j->table_count * sizeof *j->tables + 1);
    if (!j->tables) {
        job_free(j);
        return BN_ENOMEM;
    }
    table_ranges(j, j->tables);
    return BN_OK;
}

/* 2: the operands' limbs of every member's columns, from their holders. */
static int trade_operands(const bignum_group *g, const group_plan *pl, group_job *j,
                          const bignum *a, const bignum *b, int st, const bignum_helpers *h)
{
    const member_share *me = &pl->m[pl->me];
    trade t = {0};
    group_copies copies = {.h = h};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        const member_share *m = &pl->m[q];
        t.sw[q] =
            operand_runs(pl, q, me->a_at, me->a_at + me->a_len, NULL, 0, NULL, RUNS_COUNT, NULL) +
            operand_runs(pl, q, me->b_at, me->b_at + me->b_len, NULL, 0, NULL, RUNS_COUNT, NULL);
        t.rw[q] = operand_runs(pl, pl->me, m->a_at, m->a_at + m->a_len, NULL, 0, NULL,
                               RUNS_COUNT, NULL) +
                  operand_runs(pl, pl->me, m->b_at, m->b_at + m->b_len, NULL, 0, NULL,
                               RUNS_COUNT, NULL);
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        if (me->a_len)
            out += operand_runs(pl, q, me->a_at, me->a_at + me->a_len, a->limbs, me->a_at, out,
                               RUNS_OUT, &copies);
        if (me->b_len)
            out += operand_runs(pl, q, me->b_at, me->b_at + me->b_len, b->limbs, me->b_at, out,
                               RUNS_OUT, &copies);
    }
    bn_group_copies_run(&copies);
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    if (rc == BN_OK) {
        /* limbs no piece holds (a piece's top zeros) are zero */
        bn_limb *A = (bn_limb *)j->a.p, *Bv = (bn_limb *)j->b.p;
        operand_runs(pl, pl->me, 0, pl->na, A, 0, NULL, RUNS_ZERO, &copies);
        operand_runs(pl, pl->me, 0, pl->nb, Bv, 0, NULL, RUNS_ZERO, &copies);
        bn_group_copies_run(&copies); /* zeroed before the limbs arrive */
        bn_limb *in = t.recv;
        for (unsigned q = 0; q < g->size; q++) {
            const member_share *m = &pl->m[q];
            in += operand_runs(pl, pl->me, m->a_at, m->a_at + m->a_len, A, 0, in, RUNS_IN,
                               &copies);
            in += operand_runs(pl, pl->me, m->b_at, m->b_at + m->b_len, Bv, 0, in, RUNS_IN,
                               &copies);
        }
        bn_group_copies_run(&copies);
    }
    bn_trade_free(&t, g->size);
    return rc;
}

/* The words member `from` sends member `to` in a trade of the transforms: forward,
 * its columns of to's blocks, both operands of the three primes; inverse the
 * other way round, the product only, and from a member making the wrapped
 * layout's small product its prime's residues at to's columns below the wrap.
 * None to itself: its columns of its blocks are already in place. */
static size_t transform_words(const group_plan *pl, unsigned from, unsigned to, int forward)
{
    if (from == to)
        return 0;
    size_t small = !forward && from < pl->small
                       ? column_runs(pl, to, 0, pl->wrap, NULL, 0, NULL, RUNS_COUNT, NULL)
                       : 0;
    return small + (forward ? 6 * block_words(pl, to, from) : 3 * block_words(pl, from, to));
}

/* The transforms' points this member sends (out) or gets, member by member, as
 * transform_words counts them: the blocks' runs listed in copies, for the member's threads
 * (some 28 MB each way at four members of a 73.5-Mbit product: 5-6 ms of one thread's
 * copying, an eighth of the member's work), the wrapped layout's few residues below the
 * wrap moved at once. */
static void move_transforms(const group_plan *pl, group_job *j, int forward, int out,
                            bn_limb *buf, group_copies *copies)
{
    unsigned me = pl->me, arrays = forward ? 6 : 3;
    for (unsigned q = 0; q < pl->g; q++) {
        if (q == me)
            continue;
        unsigned from = out ? me : q, to = out ? q : me;
        if (!forward && from < pl->small)
            buf += column_runs(pl, to, 0, pl->wrap, j->low[from], 0, buf,
                               out ? RUNS_OUT : RUNS_IN, copies);
        /* (blocks, columns): the sender's columns when forward, its blocks otherwise */
        const member_share *b = &pl->m[forward == out ? q : me];
        const member_share *c = &pl->m[forward == out ? me : q];
        size_t width = c->c1 - c->c0;
        for (unsigned k = 0; width && k < arrays; k++) {
            bn_limb *arr = k % 2 && forward ? j->y[k / 2] : j->x[forward ? k / 2 : k];
            for (size_t row = b->k0; row < b->k1; row++, buf += width) {
                bn_limb *at = arr + row * pl->w + c->c0;
                if (out)
                    bn_group_copy(copies, buf, at, width);
                else
                    bn_group_copy(copies, at, buf, width);
            }
        }
    }
}

/* 3 (forward: columns to blocks, both operands) and 4 (inverse: blocks to
 * columns, the product). */
static int trade_transforms(const bignum_group *g, const group_plan *pl, group_job *j,
                            int forward, int st, const bignum_helpers *h)
{
    unsigned me = pl->me;
    trade t = {0};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        t.sw[q] = transform_words(pl, me, q, forward);
        t.rw[q] = transform_words(pl, q, me, forward);
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    group_copies copies = {.h = h};
    if (rc == BN_OK)
        move_transforms(pl, j, forward, 1, t.send, &copies);
    bn_group_copies_run(&copies);
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    if (rc == BN_OK)
        move_transforms(pl, j, forward, 0, t.recv, &copies);
    bn_group_copies_run(&copies);
    bn_trade_free(&t, g->size);
    return rc;
}

/* Member q's runs of Garner's step whose carry lands in [lo, hi): their
 * count, or (out) each as three words: the place, the carry's two words. */
static size_t carry_records(const group_plan *pl, const group_job *j, unsigned q, size_t lo,
                            size_t hi, bn_limb *out)
{
    const member_share *m = &pl->m[q];
    size_t parts = group_ceil_div(m->c1 - m->c0, pl->cols), count = 0;
    for (size_t p = 0; p < parts; p++) {
        size_t i0 = m->c0 + p * pl->cols, i1 = m->c1 - i0 < pl->cols ? m->c1 : i0 + pl->cols;
        for (size_t k = 0; k < pl->rows; k++) {
            size_t r0 = k * pl->w + i0, r1 = k * pl->w + i1;
            if (r1 > pl->coeffs)
                r1 = pl->coeffs;
            if (r0 >= r1 || r1 < lo || r1 >= hi)
                continue;
            if (out) {
                const bn_limb *c = j->carry + 2 * (p * pl->rows + k);
                out[3 * count] = r1, out[3 * count + 1] = c[0], out[3 * count + 2] = c[1];
            }
            count++;
        }
    }
    return count;
}

/* 5: every run's limbs and carries to the member holding those limbs of the
 * product: its limbs, and what overflows them, in R (zeroed, len + 5 words). */
static int trade_product(const bignum_group *g, const group_plan *pl, group_job *j, bn_limb *R,
                         int st, const bignum_helpers *h)
{
    const member_share *me = &pl->m[pl->me];
    size_t top = pl->coeffs;
    trade t = {0};
    group_copies copies = {.h = h};
    int rc = st == BN_OK ? bn_trade_counts(&t, g->size) : st;
    for (unsigned q = 0; rc == BN_OK && q < g->size; q++) {
        const member_share *m = &pl->m[q];
        size_t hi = m->o1 < top ? m->o1 : top, my_hi = me->o1 < top ? me->o1 : top;
        t.sw[q] = column_runs(pl, pl->me, m->o0, hi, NULL, 0, NULL, RUNS_COUNT, NULL) +
                  3 * carry_records(pl, j, pl->me, m->o0, m->o1, NULL);
        t.rw[q] = column_runs(pl, q, me->o0, my_hi, NULL, 0, NULL, RUNS_COUNT, NULL) +
                  3 * carry_records(pl, j, q, me->o0, me->o1, NULL);
    }
    if (rc == BN_OK)
        rc = bn_trade_buffers(&t, g->size);
    bn_limb *out = rc == BN_OK ? t.send : NULL;
    for (unsigned q = 0; out && q < g->size; q++) {
        const member_share *m = &pl->m[q];
        out += column_runs(pl, pl->me, m->o0, m->o1 < top ? m->o1 : top, j->rp, 0, out,
                           RUNS_OUT, &copies);
        out += 3 * carry_records(pl, j, pl->me, m->o0, m->o1, out);
    }
    bn_group_copies_run(&copies);
    int traded = bn_trade_run(g, &t, rc != BN_OK);
    rc = bn_after_trade(rc, traded);
    bn_limb *in = rc == BN_OK ? t.recv : NULL;
    size_t len = me->o1 - me->o0, cap = len + BN_GROUP_OVERFLOW_WORDS;
    /* every member's limbs first: a carry lands on another member's run */
    bn_limb *records = in;
    for (unsigned q = 0; in && q < g->size; q++) {
        in += column_runs(pl, q, me->o0, me->o1 < top ? me->o1 : top, R, me->o0, in, RUNS_IN,
                          &copies);
        in += 3 * carry_records(pl, j, q, me->o0, me->o1, NULL);
    }
    bn_group_copies_run(&copies); /* the limbs in place before the carries land on them */
    for (unsigned q = 0; records && q < g->size; q++) {
        records += column_runs(pl, q, me->o0, me->o1 < top ? me->o1 : top, NULL, 0, NULL,
                               RUNS_COUNT, NULL);
        size_t count = carry_records(pl, j, q, me->o0, me->o1, NULL);
        for (size_t k = 0; k < count; k++, records += 3) {
            size_t at = (size_t)records[0] - me->o0;
            bn_group_add_at(R, cap, at, records[1]);
            bn_group_add_at(R, cap, at + 1, records[2]);
        }
    }
    bn_trade_free(&t, g->size);
    return rc;
}

/* ---- the product ------------------------------------------------------------ */

/* The wrapped layout's small product, on a member making one of its primes (its number):
 * the low wrap limbs of both operands multiplied modulo that prime (bignum_ntt.c's own
 * product, with its threads), the residues of the coefficients below the wrap kept in low
 * (times n_low, which the unwrapping scales). */
static int small_product(group_job *j, const bignum_helpers *h)
{
    const group_plan *pl = j->pl;
    size_t d = pl->wrap, sn = bn_ntt_scratch_helped(d, d), n_small = 0;
    bn_limb *scratch = bignum_alloc_limbs(sn);
    if (!scratch)
        return BN_ENOMEM;
    bn_limb *res[3];
    int i = (int)pl->me;
    bn_ntt_prime_residues(1u << i, NULL, j->a.p, d, j->b.p, d, scratch, h, res, &n_small);
    bn_copy(j->low[i], res[i], d);
    bignum_free_limbs(scratch, sn);
    return BN_OK;
}

int bn_group_by_transform(const bignum_group *g, const group_plan *pl, const bignum *a,
                          const bignum *b, bignum *r, const bignum_helpers *h)
{
    group_job j;
    int st = job_new(&j, pl), started = st == BN_OK;
    st = trade_operands(g, pl, &j, a, b, st, h);
    /* a small member makes its prime of the small product first, then its share */
    if (st == BN_OK && pl->me < pl->small)
        st = small_product(&j, h);
    if (st == BN_OK) {
        bn_group_run_parts(h, j.table_count, part_tables, &j);
        j.per_side = member_parts(pl);
        bn_group_run_parts(h, 3 * 2 * j.per_side, part_forward_columns, &j);
    }
    st = trade_transforms(g, pl, &j, 1, st, h);
    if (st == BN_OK)
        run_blocks(&j, h);
    st = trade_transforms(g, pl, &j, 0, st, h);
    if (st == BN_OK)
        bn_group_run_parts(h, member_parts(pl), part_inverse_columns, &j);
    size_t len, cap;
    bn_limb *R = bn_group_limbs(pl, &len, &cap, &st, h);
    st = trade_product(g, pl, &j, R, st, h);
    if (started)
        job_free(&j);
    st = bn_group_overflow(g, pl, R, st);
    st = bn_group_piece(r, R, len, pl, st, h);
    bignum_free_limbs(R, cap);
    return st;
}

