/* bignum's transform product: number-theoretic transforms modulo three word primes, joined by CRT. */
#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "bignum_ntt.h"

/*
 * Limbs are the coefficients: a product coefficient is below N B^2, and the
 * three primes multiply to more than that for N up to BN_NTT_MAX_COEFFS, so
 * the CRT recovers it exactly. The primes are c * 3 * 2^22 + 1 just below
 * 2^50: lengths 2^k and 3 * 2^k have roots of unity, values up to 4p fit a
 * word with plenty to spare (Harvey's lazy butterflies keep them in [0, 2p)
 * or [0, 4p) and reduce only where a bound would be exceeded), and products
 * of two residues are exact in a double's 53 bits after splitting, which the
 * vector transforms (bignum_ntt_vector.c) use.
 *
 * Forward transforms are decimation in frequency (natural order in,
 * bit-reversed out), inverse ones decimation in time (bit-reversed in,
 * natural out), so no permutation pass is needed. Twiddle factors multiply by
 * Shoup's method (a precomputed floor(w 2^64 / p) turns the reduction into
 * two low multiplies); pointwise products use Montgomery reduction. Where
 * the CPU runs them, bignum_ntt_vector.c does the transforms and Garner's step
 * instead; this file chooses the lengths, the primes' roots, cuts the
 * product into rounds of independent parts (the same cut for both builds,
 * helped or not: see "the product" below) and joins the residues into limbs.
 */

typedef struct ntt_prime {
    bn_limb p, g; /* the prime and a generator of its multiplicative group */
} ntt_prime;

#define NTT_P0 0x3fffff5400001ULL /* 89478471 * 3 * 2^22 + 1 */
#define NTT_P1 0x3ffffe5800001ULL /* 89478450 * 3 * 2^22 + 1 */
#define NTT_P2 0x3ffffe4000001ULL /* 89478448 * 3 * 2^22 + 1 */
static const ntt_prime ntt_primes[3] = {{NTT_P0, 5}, {NTT_P1, 7}, {NTT_P2, 5}};
/* The vector transforms' exactness and their 2^52 conversions need p < 2^50
 * (bignum_ntt_vector.c); Garner's reductions need p0 > p1 > p2 > p0 / 2. */
_Static_assert(NTT_P0 < (1ULL << 50) && NTT_P0 > NTT_P1 && NTT_P1 > NTT_P2 && 2 * NTT_P2 > NTT_P0,
               "the transform primes must be below 2^50, falling, within a factor 2");
/* A product coefficient sums at most min(an, bn) <= BN_NTT_MAX_COEFFS terms
 * below (2^64 - 1)^2, and p0 p1 p2 / (2^64 - 1)^2 = 4194299.9: so up to that
 * many the CRT recovers every coefficient itself, not only its residues. The
 * transform lengths up to there (2^22 at most) divide p - 1 = c 3 2^22. */
_Static_assert(BN_NTT_MAX_COEFFS <= 4194299, "the three primes cannot hold such coefficients");

/* Constants of one prime for one transform length. */
typedef struct ntt_field {
    bn_limb p, p2;     /* p and 2p */
    bn_limb pinv;      /* p^-1 mod 2^64 */
    bn_limb r2;        /* 2^128 mod p: multiplying by it enters Montgomery form */
} ntt_field;

static inline bn_limb mulhi(bn_limb a, bn_limb b) { return (bn_limb)(((bn_dlimb)a * b) >> 64); }

/* x w mod p in [0, 2p) for any word x, w < p, wq = floor(w 2^64 / p). */
static inline bn_limb shoup_mul(bn_limb x, bn_limb w, bn_limb wq, bn_limb p)
{
    return x * w - mulhi(x, wq) * p;
}

/* a b 2^-64 mod p in (0, 2p) for a b < 2^64 p. */
static inline bn_limb mont_mul(bn_limb a, bn_limb b, const ntt_field *f)
{
    bn_dlimb t = (bn_dlimb)a * b;
    bn_limb m = (bn_limb)t * f->pinv;
    return (bn_limb)(t >> 64) - mulhi(m, f->p) + f->p;
}

static inline bn_limb reduce_once(bn_limb x, bn_limb bound) { return x >= bound ? x - bound : x; }

static void field_init(ntt_field *f, bn_limb p)
{
    f->p = p;
    f->p2 = 2 * p;
    bn_limb inv = p; /* Newton's iteration doubles the correct low bits: 3 -> 6 -> ... -> 96 */
    for (int i = 0; i < 5; i++)
        inv *= 2 - p * inv;
    f->pinv = inv;
    bn_limb r = (bn_limb)(((bn_dlimb)1 << 64) % p);
    f->r2 = (bn_limb)(((bn_dlimb)r * r) % p);
}

/* x mod p from Montgomery arithmetic: x 2^64 mod p, fully reduced. */
static bn_limb to_mont(bn_limb x, const ntt_field *f)
{
    return reduce_once(mont_mul(x, f->r2, f), f->p);
}

static bn_limb from_mont(bn_limb x, const ntt_field *f)
{
    return reduce_once(mont_mul(x, 1, f), f->p);
}

/* Shoup's companion floor(w 2^64 / p) without a division: w 2^64 - (w 2^64 mod p)
 * is an exact multiple of p, so dividing it is multiplying by p^-1 mod 2^64. */
static inline bn_limb shoup_companion(bn_limb w, const ntt_field *f)
{
    return (bn_limb)0 - to_mont(w, f) * f->pinv;
}

static bn_limb pow_mod(bn_limb base, uint64_t e, const ntt_field *f)
{
    bn_limb r = to_mont(1, f), b = to_mont(base, f);
    while (e) {
        if (e & 1)
            r = reduce_once(mont_mul(r, b, f), f->p);
        b = reduce_once(mont_mul(b, b, f), f->p);
        e >>= 1;
    }
    return from_mont(r, f);
}

/* ---- twiddle tables ------------------------------------------------------ */

/*
 * out[j] = c r^j for j < count, in Montgomery form (c, r too), each in
 * [0, p). They are products of a baby step c r^(j mod 64) and a giant step
 * r^(64 floor(j/64)), so that they are independent multiplications instead of
 * one long chain whose latency would dominate.
 */
#define NTT_BABY 64

static void mont_geometric(bn_limb *out, size_t count, bn_limb c, bn_limb r, const ntt_field *f)
{
    size_t baby = count < NTT_BABY ? count : NTT_BABY;
    out[0] = c;
    for (size_t j = 1; j < baby; j++)
        out[j] = reduce_once(mont_mul(out[j - 1], r, f), f->p);
    if (baby < NTT_BABY)
        return;
    bn_limb step = to_mont(1, f);
    for (int k = 0; k < NTT_BABY; k++)
        step = reduce_once(mont_mul(step, r, f), f->p);
    bn_limb giant = step;
    for (size_t base = NTT_BABY; base < count; base += NTT_BABY) {
        size_t end = count - base < NTT_BABY ? count - base : NTT_BABY;
        for (size_t j = 0; j < end; j++)
            out[base + j] = reduce_once(mont_mul(out[j], giant, f), f->p);
        giant = reduce_once(mont_mul(giant, step, f), f->p);
    }
}

/*
 * The scalar tables: pw[j] = W^j 2^64 mod p for j < n (m = 3: the radix-3
 * step's factors), then tw[len + j] = w_{2len}^j = W^(j n / 2len) for each
 * radix-2 stage len = 1, 2, ..., M/2 and j < len, with Shoup companions in
 * twq. Each level is a segment of its own, so that any range of it can be
 * filled from W^start. A Montgomery-form value r = w 2^64 mod p gives
 * w = r 2^-64 and, because w 2^64 - r is an exact multiple of p, the
 * companion floor(w 2^64 / p) = -r p^-1 mod 2^64. The inverse transform uses
 * w^-j = -w^(len-j), so needs no table of its own.
 */
static unsigned scalar_segments(const ntt_transform *t, ntt_segment *seg)
{
    size_t n = t->s.n, M = t->s.M;
    unsigned k = 0;
    if (t->s.m == 3) {
        ntt_segment pw = {0, n, 0, 1, 0, 0};
        seg[k++] = pw;
    }
    size_t L0 = ntt_low_level(M);
    ntt_segment low = {n + L0, L0, 0, n / (2 * L0), 1, 1};
    seg[k++] = low;
    for (size_t len = 2 * L0; len < M; len *= 2) {
        ntt_segment tw = {n + len, len, 0, n / (2 * len), 1, 0};
        seg[k++] = tw;
    }
    assert(k <= NTT_MAX_SEGMENTS);
    return k;
}

static void scalar_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count)
{
    ntt_field f;
    field_init(&f, t->p);
    size_t n = t->s.n;
    bn_limb start = to_mont(pow_mod(t->W, (seg->e0 + k0 % n * seg->es) % n, &f), &f);
    bn_limb *out = t->tables + seg->at + k0;
    mont_geometric(out, count, start, to_mont(pow_mod(t->W, seg->es, &f), &f), &f);
    if (!seg->shoup)
        return;
    bn_limb *q = out + t->s.M;
    for (size_t k = 0; k < count; k++) {
        bn_limb r = out[k];
        out[k] = from_mont(r, &f);
        q[k] = (bn_limb)0 - r * f.pinv;
    }
    if (!seg->below)
        return;
    bn_limb *tw = t->tables + n, *twq = tw + t->s.M; /* the levels below L0 from it */
    for (size_t len = seg->count / 2; len >= 1; len /= 2)
        for (size_t j = 0; j < len; j++) {
            tw[len + j] = tw[2 * len + 2 * j];
            twq[len + j] = twq[2 * len + 2 * j];
        }
}

/* ---- radix-2 passes ------------------------------------------------------ */

/* Sub-transforms of this many points fit in L1 together with their twiddles. */
#define NTT_BLOCK 1024

static void dif_stage(bn_limb *x, size_t n, size_t len, const bn_limb *tw, const bn_limb *twq,
                      const ntt_field *f)
{
    const bn_limb p = f->p, p2 = f->p2;
    const bn_limb *w = tw + len, *wq = twq + len;
    for (size_t s = 0; s < n; s += 2 * len) {
        bn_limb *x0 = x + s, *x1 = x + s + len;
        /* w^0 = 1: no product, a reduction keeps the output below 2p */
        bn_limb u = x0[0], v = x1[0];
        x0[0] = reduce_once(u + v, p2);
        x1[0] = reduce_once(u - v + p2, p2);
        for (size_t j = 1; j < len; j++) {
            u = x0[j], v = x1[j];
            x0[j] = reduce_once(u + v, p2);
            x1[j] = shoup_mul(u - v + p2, w[j], wq[j], p);
        }
    }
}

/* The butterflies x0[k], x1[k] for k < count of a forward stage, w and wq
 * their twiddles: inputs and outputs in [0, 2p). */
static void dif_run(bn_limb *x0, bn_limb *x1, const bn_limb *w, const bn_limb *wq, size_t count,
                    const ntt_field *f)
{
    const bn_limb p = f->p, p2 = f->p2;
    for (size_t k = 0; k < count; k++) {
        bn_limb u = x0[k], v = x1[k];
        x0[k] = reduce_once(u + v, p2);
        x1[k] = shoup_mul(u - v + p2, w[k], wq[k], p);
    }
}

/* The inverse's butterflies j <= k < j + count of stage len (as dit_stage):
 * inputs and outputs in [0, 4p). */
static void dit_run(bn_limb *x0, bn_limb *x1, size_t len, size_t j, size_t count,
                    const bn_limb *tw, const bn_limb *twq, const ntt_field *f)
{
    const bn_limb p = f->p, p2 = f->p2;
    const bn_limb *w = tw + 2 * len, *wq = twq + 2 * len; /* w[-j] = -w_{2len}^-j */
    for (size_t k = 0; k < count; k++, j++) {
        bn_limb u = reduce_once(x0[k], p2);
        if (j == 0) { /* w^0: no product */
            bn_limb t = reduce_once(x1[k], p2);
            x0[k] = u + t;
            x1[k] = u - t + p2;
            continue;
        }
        bn_limb t = shoup_mul(x1[k], w[-(ptrdiff_t)j], wq[-(ptrdiff_t)j], p);
        x0[k] = u - t + p2;
        x1[k] = u + t;
    }
}

/* Inputs in [0, 2p), outputs in [0, 2p), bit-reversed. */
static void dif(bn_limb *x, size_t n, const bn_limb *tw, const bn_limb *twq, const ntt_field *f)
{
    if (n <= NTT_BLOCK) {
        for (size_t len = n / 2; len >= 1; len /= 2)
            dif_stage(x, n, len, tw, twq, f);
        return;
    }
    dif_stage(x, n, n / 2, tw, twq, f);
    dif(x, n / 2, tw, twq, f);
    dif(x + n / 2, n / 2, tw, twq, f);
}

static void dit_stage(bn_limb *x, size_t n, size_t len, const bn_limb *tw, const bn_limb *twq,
                      const ntt_field *f)
{
    const bn_limb p = f->p, p2 = f->p2;
    const bn_limb *w = tw + 2 * len, *wq = twq + 2 * len; /* w[-j] = -w_{2len}^-j */
    for (size_t s = 0; s < n; s += 2 * len) {
        bn_limb *x0 = x + s, *x1 = x + s + len;
        bn_limb u = reduce_once(x0[0], p2), t = reduce_once(x1[0], p2);
        x0[0] = u + t;
        x1[0] = u - t + p2;
        for (size_t j = 1; j < len; j++) {
            u = reduce_once(x0[j], p2);
            t = shoup_mul(x1[j], w[-(ptrdiff_t)j], wq[-(ptrdiff_t)j], p);
            x0[j] = u - t + p2;
            x1[j] = u + t;
        }
    }
}

/* Inputs in [0, 4p) bit-reversed, outputs in [0, 4p) natural, times n. */
static void dit(bn_limb *x, size_t n, const bn_limb *tw, const bn_limb *twq, const ntt_field *f)
{
    if (n <= NTT_BLOCK) {
        for (size_t len = 1; len < n; len *= 2)
            dit_stage(x, n, len, tw, twq, f);
        return;
    }
    dit(x, n / 2, tw, twq, f);
    dit(x + n / 2, n / 2, tw, twq, f);
    dit_stage(x, n, n / 2, tw, twq, f);
}

/* ---- transform lengths --------------------------------------------------- */

/* The smallest of 4, 8, 12, 16, 24, 32, 48, ... holding coeffs points: with
 * lengths 3 2^k besides 2^k, padding wastes at most a third, not a half. */
static ntt_shape ntt_shape_for(size_t coeffs)
{
    ntt_shape s = {4, 1, 4};
    while (s.n < coeffs) {
        if (s.m == 1 && s.M >= 8) { /* 2^k -> 3 2^(k-1) */
            s.m = 3;
            s.M /= 2;
        } else if (s.m == 3) { /* 3 2^(k-1) -> 2^(k+1) */
            s.m = 1;
            s.M *= 4;
        } else {
            s.M *= 2;
        }
        s.n = s.m * s.M;
    }
    return s;
}

size_t bn_ntt_max_limbs(void)
{
    return BN_NTT_MAX_COEFFS + 1; /* an + bn - 1 coefficients */
}

/* The largest length below coeffs (0 if none). */
static ntt_shape ntt_shape_below(size_t coeffs)
{
    ntt_shape below = {0, 1, 0}, s = {4, 1, 4};
    while (s.n < coeffs) {
        below = s;
        s = ntt_shape_for(s.n + 1);
    }
    return below;
}

/*
 * A product of c coefficients just above an available length N would double
 * (or add a third to) the transform. Instead, transform at N: the cyclic
 * product then holds c_k + c_(k+N) at k < d = c - N, and a second, small
 * product of the operands' low d limbs gives c_k there on its own, so
 * c_(k+N) is the difference. Chosen when the two cost less (n log n).
 */
typedef struct ntt_choice {
    ntt_shape big;   /* the main transform */
    ntt_shape small; /* the low coefficients' transform; small.n == 0 when unused */
    size_t coeffs;   /* an + bn - 1 */
    size_t wrap;     /* d: coefficients that wrap around the main transform */
} ntt_choice;

static double ntt_cost(size_t n)
{
    double lg = 0;
    for (size_t k = n; k > 1; k /= 2)
        lg += 1;
    return (double)n * (lg + 3);
}

static ntt_choice ntt_choose(size_t an, size_t bn)
{
    ntt_choice c;
    c.coeffs = an + bn - 1;
    c.big = ntt_shape_for(c.coeffs);
    c.small.n = 0;
    c.wrap = 0;
    ntt_shape lo = ntt_shape_below(c.coeffs);
    if (lo.n >= 64) {
        size_t d = c.coeffs - lo.n;
        ntt_shape small = ntt_shape_for(2 * d - 1);
        /* each operand must fit the main transform (it is not folded) */
        if (8 * d <= lo.n && an <= lo.n &&
            ntt_cost(lo.n) + ntt_cost(small.n) < ntt_cost(c.big.n)) {
            c.big = lo;
            c.small = small;
            c.wrap = d;
        }
    }
    return c;
}

/* ---- one prime: its steps over ranges ------------------------------------ */

typedef struct ntt_plan {
    ntt_shape s;
    ntt_field f;
    bn_limb *pw;             /* W^j in Montgomery form, j < n (m = 3) */
    bn_limb *tw, *twq;       /* radix-2 tables */
    bn_limb one_q;           /* Shoup companion of 1 */
    bn_limb omega, omega_q;  /* a primitive cube root of unity (m = 3) */
} ntt_plan;

/* The scalar tables: the powers of W (n words), then tw and twq (M each). */
static void plan_set(ntt_plan *pl, const ntt_transform *t)
{
    pl->s = t->s;
    field_init(&pl->f, t->p);
    pl->pw = t->tables;
    pl->tw = pl->pw + t->s.n;
    pl->twq = pl->tw + t->s.M;
    pl->one_q = shoup_companion(1, &pl->f);
    pl->omega = t->omega;
    pl->omega_q = shoup_companion(t->omega, &pl->f);
}

/* The limb ap[i] (zero beyond an) reduced into [0, 2p): Shoup's product with 1. */
static inline bn_limb load_limb(ntt_operand a, size_t i, bn_limb one_q, bn_limb p)
{
    return i < a.n ? shoup_mul(a.p[i], 1, one_q, p) : 0;
}

static void load_at(bn_limb *x, size_t from, size_t count, ntt_operand a, const ntt_plan *pl)
{
    for (size_t k = from; k < from + count; k++)
        x[k] = load_limb(a, k, pl->one_q, pl->f.p);
}

/*
 * Length 3M: with n = 3M, j = j1 + M j2 and k = 3 k1 + k2,
 *   X[3 k1 + k2] = sum_j1 (W^3)^(j1 k1) W^(j1 k2) sum_j2 x[j1 + M j2] w^(j2 k2)
 * for the cube root w = W^M: a three-point transform of each column, a
 * twiddle W^(j1 k2), then three M-point transforms. With w^2 = -1 - w,
 *   y0 = x0 + x1 + x2,  y1 = x0 + w x1 - x2 - w x2,  y2 = x0 - x1 - w x1 + w x2.
 * Here the columns j0 <= j < j1, reading the limbs a; outputs in [0, 2p).
 */
static void forward_radix3(bn_limb *x, ntt_operand a, size_t j0, size_t j1, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    const bn_limb p = f->p, p2 = f->p2, one_q = pl->one_q, om = pl->omega, om_q = pl->omega_q;
    size_t M = pl->s.M;
    const bn_limb *pw = pl->pw;
    for (size_t j = j0; j < j1; j++) {
        bn_limb x0 = reduce_once(load_limb(a, j, one_q, p), p);
        bn_limb x1 = reduce_once(load_limb(a, j + M, one_q, p), p);
        bn_limb x2 = reduce_once(load_limb(a, j + 2 * M, one_q, p), p);
        bn_limb a1 = reduce_once(shoup_mul(x1, om, om_q, p), p);
        bn_limb a2 = reduce_once(shoup_mul(x2, om, om_q, p), p);
        x[j] = reduce_once(x0 + x1 + x2, p2);               /* [0, 2p) */
        bn_limb y1 = x0 + a1 + p2 - (x2 + a2);              /* (0, 4p) */
        bn_limb y2 = x0 + a2 + p2 - (x1 + a1);              /* (0, 4p) */
        x[j + M] = mont_mul(y1, pw[j], f);                  /* times W^j, (0, 2p) */
        x[j + 2 * M] = mont_mul(y2, pw[2 * j], f);          /* times W^2j */
    }
}

/* The three-point step undone for columns j0 <= j < j1, with W^-j = W^(n-j)
 * and w^-1 = w^2, inputs and outputs in [0, 4p):
 *   x0 = u0 + u1 + u2,  x1 = u0 + w^2 u1 + w u2,  x2 = u0 + w u1 + w^2 u2. */
static void inverse_radix3(bn_limb *x, size_t j0, size_t j1, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    size_t M = pl->s.M, n = pl->s.n;
    const bn_limb p = f->p, p2 = f->p2, om = pl->omega, om_q = pl->omega_q;
    const bn_limb *pw = pl->pw;
    for (size_t j = j0; j < j1; j++) {
        bn_limb u0 = reduce_once(reduce_once(x[j], p2), p);
        bn_limb u1 = x[j + M], u2 = x[j + 2 * M];
        if (j > 0) {
            u1 = mont_mul(u1, pw[n - j], f);
            u2 = mont_mul(u2, pw[n - 2 * j], f);
        } else {
            u1 = reduce_once(u1, p2);
            u2 = reduce_once(u2, p2);
        }
        u1 = reduce_once(u1, p);
        u2 = reduce_once(u2, p);
        bn_limb b1 = reduce_once(shoup_mul(u1, om, om_q, p), p);
        bn_limb b2 = reduce_once(shoup_mul(u2, om, om_q, p), p);
        x[j] = u0 + u1 + u2;                  /* [0, 3p) */
        x[j + M] = u0 + b2 + p2 - (u1 + b1);  /* (0, 4p) */
        x[j + 2 * M] = u0 + b1 + p2 - (u2 + b2);
    }
}

/* Columns i..i+c of the block at base (see ntt_group), every stage between
 * the rows it pairs: the forward's from the top, the inverse's from the
 * bottom. */
static void group_piece(const ntt_plan *pl, const ntt_group *gr, int inverse, bn_limb *x,
                        ntt_operand a, size_t base, size_t i, size_t c)
{
    const ntt_field *f = &pl->f;
    const bn_limb *tw = pl->tw, *twq = pl->twq;
    unsigned st = gr->stages;
    size_t rows = (size_t)1 << st, w = gr->len >> (st - 1);
    bn_limb *row = x + base + i;
    if (gr->load)
        for (size_t r = 0; r < rows; r++)
            load_at(x, base + r * w + i, c, a, pl);
    for (unsigned k = 0; k < st; k++) {
        unsigned s = inverse ? st - 1 - k : k, bit = st - 1 - s;
        size_t len = gr->len >> s, half = (size_t)1 << bit;
        for (size_t r = 0; r < rows; r++) {
            if (r & half)
                continue;
            bn_limb *x0 = row + r * w, *x1 = x0 + half * w;
            size_t j = (r & (half - 1)) * w + i; /* the column within the stage's block */
            if (inverse)
                dit_run(x0, x1, len, j, c, tw, twq, f);
            else
                dif_run(x0, x1, tw + len + j, twq + len + j, c, f);
        }
    }
}

/* Plain products (a Montgomery product, then one by 2^128 to undo its 2^-64),
 * so that scalar and vector transforms leave residues in the same terms. */
static void pointwise(bn_limb *x, const bn_limb *y, size_t n, const ntt_field *f)
{
    for (size_t i = 0; i < n; i++)
        x[i] = mont_mul(mont_mul(x[i], y[i], f), f->r2, f);
}

static void pointwise_sqr(bn_limb *x, size_t n, const ntt_field *f)
{
    for (size_t i = 0; i < n; i++)
        x[i] = mont_mul(mont_mul(x[i], x[i], f), f->r2, f);
}

/* ---- the steps, in the build the transform chose ------------------------- */

static unsigned step_segments(const ntt_transform *t, ntt_segment *seg)
{
    return t->level >= BN_NTT_AVX2 ? bn_ntt_vector_segments(t, seg) : scalar_segments(t, seg);
}

/* Entries k0 <= k < k0 + count of the segment. */
static void step_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count)
{
    if (t->level >= BN_NTT_AVX2)
        bn_ntt_vector_fill(t, seg, k0, count);
    else
        scalar_fill(t, seg, k0, count);
}

/* The radix-3 step over columns [j0, j1): forward reading the limbs a. */
static void step_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a, size_t j0,
                        size_t j1)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_radix3(t, inverse, x, a, j0, j1);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    if (inverse)
        inverse_radix3(x, j0, j1, &pl);
    else
        forward_radix3(x, a, j0, j1, &pl);
}

/* The butterfly groups [g0, g1) of a group of top stages. */
static void step_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                       ntt_operand a, size_t g0, size_t g1)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_group(t, gr, inverse, x, a, g0, g1);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    for (size_t g = g0; g < g1;) {
        size_t base, i, c = ntt_group_piece(gr, g, g1, &base, &i);
        group_piece(&pl, gr, inverse, x, a, base, i, c);
        g += c;
    }
}

/* Block b of S points: the rest of both forward transforms (load: all of
 * them, from the limbs), the pointwise product, the inverse's stages below
 * S. y == x squares. */
static void step_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                       ntt_operand a, ntt_operand bo, int load, int store)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_block(t, S, b, x, y, a, bo, load, store);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    bn_limb *xb = x + b * S, *yb = y + b * S;
    if (load) {
        load_at(xb, 0, S, a, &pl);
        if (y != x)
            load_at(yb, 0, S, bo, &pl);
    }
    dif(xb, S, pl.tw, pl.twq, &pl.f);
    if (y != x) {
        dif(yb, S, pl.tw, pl.twq, &pl.f);
        pointwise(xb, yb, S, &pl.f);
    } else {
        pointwise_sqr(xb, S, &pl.f);
    }
    dit(xb, S, pl.tw, pl.twq, &pl.f);
    (void)store; /* the scalar residues are words throughout */
}

/* Tests lower this to run narrower transforms than the CPU could. */
static atomic_int widest = BN_NTT_AVX512;

void bn_ntt_limit(int level) { atomic_store(&widest, level); }

static int ntt_level(void)
{
    int w = atomic_load_explicit(&widest, memory_order_relaxed);
    if (w >= BN_NTT_AVX512 && bn_ntt_avx512_usable())
        return BN_NTT_AVX512;
    if (w >= BN_NTT_AVX2 && bn_ntt_avx2_usable())
        return BN_NTT_AVX2;
    return BN_NTT_SCALAR;
}

/* ---- CRT ----------------------------------------------------------------- */

/* A constant with its Shoup companion, modulo one prime. */
typedef struct ntt_const {
    bn_limb c, q;
} ntt_const;

static ntt_const make_const(bn_limb c, const ntt_field *f)
{
    ntt_const k = {c, shoup_companion(c, f)};
    return k;
}

static bn_limb inv_mod(bn_limb a, const ntt_field *f)
{
    return pow_mod(a, f->p - 2, f);
}

/* c mod p in [0, p) for c in [0, 2^64). */
static inline bn_limb mulc_full(bn_limb x, ntt_const k, bn_limb p)
{
    return reduce_once(shoup_mul(x, k.c, k.q, p), p);
}

/* Garner's constants for one transform length, with Shoup companions. */
typedef struct ntt_crt {
    ntt_garner g;
    ntt_const s[3];                 /* 1/n mod p_i */
    ntt_const inv_p0_mod_p1, p0_mod_p2, inv_p01_mod_p2;
    int vector;
} ntt_crt;

static void crt_init(ntt_crt *c, size_t n, int level)
{
    ntt_field f[3];
    for (int i = 0; i < 3; i++) {
        field_init(&f[i], ntt_primes[i].p);
        c->g.p[i] = f[i].p;
        /* the transforms leave n c_k: multiply by 1/n */
        c->g.inv_n[i] = inv_mod(n % f[i].p, &f[i]);
        c->s[i] = make_const(c->g.inv_n[i], &f[i]);
    }
    const bn_limb p0 = f[0].p, p1 = f[1].p, p2 = f[2].p;
    c->g.inv_p0_mod_p1 = inv_mod(p0 % p1, &f[1]);
    c->g.p0_mod_p2 = p0 % p2;
    c->g.inv_p01_mod_p2 = inv_mod((bn_limb)(((bn_dlimb)p0 * p1) % p2), &f[2]);
    c->inv_p0_mod_p1 = make_const(c->g.inv_p0_mod_p1, &f[1]);
    c->p0_mod_p2 = make_const(c->g.p0_mod_p2, &f[2]);
    c->inv_p01_mod_p2 = make_const(c->g.inv_p01_mod_p2, &f[2]);
    c->vector = level >= BN_NTT_AVX2;
}

/*
 * Garner: with r_i the residues of coefficient c,
 *   v0 = r0,  v1 = (r1 - v0) / p0 mod p1,  v2 = (r2 - v0 - v1 p0) / (p0 p1) mod p2,
 *   c = v0 + v1 p0 + v2 p0 p1 < p0 p1 p2,
 * which is c itself (the assertion beside the primes). Each r_i first gets
 * the factor 1/n that undoes the transform's scale; v0 < p0 < 2 p1 and
 * v1 < p1 < 2 p2, so one conditional subtraction reduces each modulo the next
 * prime. A coefficient (below 2^150) spans three limbs from its position j;
 * the carry into j + 1, floor((carry + c) / 2^64), stays below 2^87, because
 * carry + c < 2^151 at every step: two limbs hold it.
 *
 * This does the coefficients j0 <= j < j1 on their own, as if no carry came
 * in: rp[j0..j1) get the low limbs of their sum c_j B^(j - j0), carry[0..1]
 * what is left above (the same bound holds). Ranges are independent; the
 * caller adds each range's carry at the next range's start. The digits
 * take the residues' place in x.
 */
static void crt_range(const ntt_crt *c, bn_limb *rp, bn_limb *const x[3], size_t j0, size_t j1,
                      bn_limb carry[2])
{
    bn_limb *x0 = x[0], *x1 = x[1], *x2 = x[2];
    const bn_limb p0 = c->g.p[0], p1 = c->g.p[1], p2 = c->g.p[2];
    size_t j = j0;
    if (c->vector)
        j += bn_ntt_vector_garner(x0 + j0, x1 + j0, x2 + j0, j1 - j0, &c->g);
    for (; j < j1; j++) {
        bn_limb v0 = mulc_full(x0[j], c->s[0], p0);
        bn_limb r1 = mulc_full(x1[j], c->s[1], p1);
        bn_limb v1 = mulc_full(r1 - reduce_once(v0, p1) + p1, c->inv_p0_mod_p1, p1);
        bn_limb r2 = mulc_full(x2[j], c->s[2], p2);
        bn_limb u = reduce_once(
            reduce_once(v0, p2) + mulc_full(reduce_once(v1, p2), c->p0_mod_p2, p2), p2);
        x0[j] = v0;
        x1[j] = v1;
        x2[j] = mulc_full(r2 - u + p2, c->inv_p01_mod_p2, p2);
    }
    carry[0] = carry[1] = 0;
    bn_ntt_crt_join(&c->g, rp + j0, x0 + j0, x1 + j0, x2 + j0, j1 - j0, carry);
}

void bn_ntt_crt_join(const ntt_garner *g, bn_limb *rp, const bn_limb *v0, const bn_limb *v1,
                     const bn_limb *v2, size_t count, bn_limb carry[2])
{
    const bn_limb p0 = g->p[0];
    const bn_dlimb p01 = (bn_dlimb)p0 * g->p[1];
    const bn_limb p01_lo = (bn_limb)p01, p01_hi = (bn_limb)(p01 >> 64);
    bn_limb c0 = carry[0], c1 = carry[1]; /* the carry into position k */
    for (size_t k = 0; k < count; k++) {
        /* c = v0 + v1 p0 + v2 p0 p1 */
        bn_dlimb t = (bn_dlimb)v1[k] * p0 + v0[k];
        bn_dlimb lo = (bn_dlimb)v2[k] * p01_lo;
        bn_dlimb hi = (bn_dlimb)v2[k] * p01_hi;
        bn_dlimb s = (bn_dlimb)(bn_limb)t + (bn_limb)lo + c0;
        rp[k] = (bn_limb)s;
        s = (s >> 64) + (bn_limb)(t >> 64) + (bn_limb)(lo >> 64) + (bn_limb)hi + c1;
        c0 = (bn_limb)s;
        c1 = (bn_limb)(s >> 64) + (bn_limb)(hi >> 64);
    }
    carry[0] = c0;
    carry[1] = c1;
}

/* rp[j..rn) += v, stopping where the carry does; the sum fits rn limbs. */
static void add_limb_at(bn_limb *rp, size_t rn, size_t j, bn_limb v)
{
    for (; v && j < rn; j++) {
        rp[j] += v;
        v = rp[j] < v;
    }
    assert(v == 0);
}

/* ---- the product --------------------------------------------------------- */

/*
 * One product as rounds of independent parts (see bignum_ntt.h for the cut):
 * the tables; the forward transforms' steps; the blocks; the inverse's
 * steps; the wrapped layout's unwrapping; Garner's step in ranges (helped
 * and fused, the last three in one round: job_fuses). Helped,
 * each round is one run() call holding the parts of all three primes, of
 * both operands, and of the small product of the wrapped layout beside the
 * main one. Alone, the same rounds run prime by prime, so that the primes
 * share one y and table area and the small product follows the main one in
 * it. Every part writes only its own range, so any order gives the same
 * words.
 */

/* One prime's cyclic product of one length. */
typedef struct ntt_product {
    ntt_transform t;
    bn_limb *x, *y;          /* y == x: a square */
    ntt_operand a, b;
    size_t S;                /* the sub-transform length */
    unsigned top;            /* radix-2 stages above S */
    unsigned steps;          /* forward steps (radix-3, groups); as many inverse */
    int fused;               /* its last inverse step runs fused with Garner's (job_fused) */
    int stream;              /* its groups write their rows past the caches (ntt_group) */
    unsigned nseg;
    ntt_segment seg[NTT_MAX_SEGMENTS];
} ntt_product;

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* whole: a transform of M up to this is one block (alone); otherwise blocks
 * of BN_NTT_SUB_POINTS. */
static void product_init(ntt_product *pr, int i, ntt_shape s, int level, size_t whole,
                         bn_limb *tables, bn_limb *x, bn_limb *y, ntt_operand a, ntt_operand b)
{
    ntt_field f;
    field_init(&f, ntt_primes[i].p);
    ntt_transform t = {s, f.p, 0, 0, tables, s.M >= 16 ? level : BN_NTT_SCALAR, 0, 0, 0};
    t.W = pow_mod(ntt_primes[i].g, (f.p - 1) / s.n, &f);
    t.omega = s.m == 3 ? pow_mod(t.W, s.M, &f) : 0;
    pr->t = t;
    pr->x = x, pr->y = y, pr->a = a, pr->b = b;
    pr->S = s.M <= whole || s.M < BN_NTT_SUB_POINTS ? s.M : BN_NTT_SUB_POINTS;
    pr->top = 0;
    for (size_t M = s.M; M > pr->S; M /= 2)
        pr->top++;
    pr->steps = (s.m == 3) + (pr->top + BN_NTT_GROUP_STAGES - 1) / BN_NTT_GROUP_STAGES;
    pr->t.top = pr->top;
    pr->t.groups = pr->steps - (s.m == 3);
    pr->nseg = step_segments(&pr->t, pr->seg);
    pr->fused = 0;
    pr->stream = 0;
}

/* Forward step k (inverse steps undo them in the opposite order) is the
 * radix-3 step (k = 0 when m = 3) or a group of top stages, as few groups
 * of at most BN_NTT_GROUP_STAGES as hold them, sized alike, from the top. */
static int product_group(const ntt_product *pr, unsigned k, int inverse, ntt_group *gr)
{
    unsigned r3 = pr->t.s.m == 3;
    if (r3 && k == 0)
        return 0;
    unsigned g = k - r3;
    *gr = ntt_group_at(&pr->t, g);
    gr->load = !inverse && !r3 && g == 0;
    gr->store = inverse && !r3 && g == 0;
    gr->stream = pr->stream;
    return 1;
}

/* Butterfly groups or radix-3 columns forward step k covers, and how many
 * of them a part takes (a multiple of 8, so that vectors stay whole): a
 * part of BN_NTT_RANGE points, or 2^-finer of that in a round that would
 * otherwise have too few parts. */
static size_t product_units(const ntt_product *pr, unsigned k, unsigned finer, size_t *per_part)
{
    ntt_group gr;
    size_t units, range;
    if (!product_group(pr, k, 0, &gr)) {
        units = pr->t.s.M;
        range = BN_NTT_RANGE / 4;
    } else {
        units = pr->t.s.n >> gr.stages;
        range = BN_NTT_RANGE >> gr.stages;
    }
    range >>= finer;
    *per_part = range < 8 ? 8 : range & ~(size_t)7;
    return units;
}

static size_t product_table_parts(const ntt_product *pr)
{
    size_t parts = 0;
    for (unsigned s = 0; s < pr->nseg; s++)
        parts += ceil_div(pr->seg[s].count, BN_NTT_TABLE_RANGE);
    return parts;
}

static void product_table_part(ntt_product *pr, size_t part)
{
    for (unsigned s = 0;; s++) {
        size_t here = ceil_div(pr->seg[s].count, BN_NTT_TABLE_RANGE);
        if (part < here) {
            size_t k0 = part * BN_NTT_TABLE_RANGE, left = pr->seg[s].count - k0;
            step_fill(&pr->t, &pr->seg[s], k0, left < BN_NTT_TABLE_RANGE ? left : BN_NTT_TABLE_RANGE);
            return;
        }
        part -= here;
    }
}

enum round_kind { ROUND_TABLES, ROUND_FORWARD, ROUND_BLOCKS, ROUND_INVERSE };

static size_t product_parts(const ntt_product *pr, enum round_kind kind, unsigned k,
                            unsigned finer)
{
    switch (kind) {
    case ROUND_TABLES: return product_table_parts(pr);
    case ROUND_BLOCKS: return pr->t.s.n / pr->S;
    default:
        if (k >= pr->steps || (kind == ROUND_INVERSE && pr->fused && k == pr->steps - 1))
            return 0;
        size_t range, units =
            product_units(pr, kind == ROUND_INVERSE ? pr->steps - 1 - k : k, finer, &range);
        return ceil_div(units, range);
    }
}

/* The operands a forward round transforms: a into x, b into y, or both. */
enum { SIDE_X = 1, SIDE_Y = 2, SIDE_BOTH = 3 };

/* Step k's range `part`: of x (operand a), or, in a forward step, of y (b),
 * after all of x's when the round does both. */
static void product_step_part(ntt_product *pr, enum round_kind kind, unsigned k, int sides,
                              unsigned finer, size_t part)
{
    int inverse = kind == ROUND_INVERSE;
    unsigned fk = inverse ? pr->steps - 1 - k : k;
    size_t range, units = product_units(pr, fk, finer, &range), per = ceil_div(units, range);
    bn_limb *x = pr->x;
    ntt_operand a = pr->a;
    if (!inverse && (sides == SIDE_Y || part >= per)) {
        if (sides != SIDE_Y)
            part -= per;
        x = pr->y;
        a = pr->b;
    }
    size_t lo = part * range, hi = units - lo < range ? units : lo + range;
    ntt_group gr;
    if (product_group(pr, fk, inverse, &gr))
        step_group(&pr->t, &gr, inverse, x, a, lo, hi);
    else
        step_radix3(&pr->t, inverse, x, a, lo, hi);
}

static void product_part(ntt_product *pr, enum round_kind kind, unsigned k, int sides,
                         unsigned finer, size_t part)
{
    if (kind == ROUND_TABLES) {
        product_table_part(pr, part);
    } else if (kind == ROUND_BLOCKS) {
        /* no top stages and m = 1: the block is the whole transform, from limbs to words */
        int whole = pr->steps == 0;
        step_block(&pr->t, pr->S, part, pr->x, pr->y, pr->a, pr->b, whole, whole);
    } else {
        product_step_part(pr, kind, k, sides, finer, part);
    }
}

/* The parts of one kind of round over several products. */
#define NTT_MAX_PRODUCTS 6

typedef struct ntt_round {
    enum round_kind kind;
    unsigned k;
    int sides;
    unsigned finer; /* ranges 2^finer times shorter than BN_NTT_RANGE */
    unsigned count;
    ntt_product *pr[NTT_MAX_PRODUCTS];
    size_t first[NTT_MAX_PRODUCTS + 1]; /* product i's parts start at first[i] */
    unsigned lanes; /* the first `lanes` products' parts are numbered in turn */
} ntt_round;

static void round_part(void *arg, unsigned part)
{
    ntt_round *r = arg;
    unsigned i = 0;
    if (part < r->first[r->lanes]) { /* the leading products' parts, taken in turn */
        product_part(r->pr[part % r->lanes], r->kind, r->k, r->sides, r->finer, part / r->lanes);
        return;
    }
    while (part >= r->first[i + 1])
        i++;
    product_part(r->pr[i], r->kind, r->k, r->sides, r->finer, part - r->first[i]);
}

/*
 * Each product's parts in the round, numbered one after another; but in a
 * forward round, the leading products with as many parts as the first (the
 * three primes of one length) take turns, part k of each prime after part
 * k - 1 of all three: parts that run together then read the same limbs, and
 * only the first of them reads them from memory (helped, the 70M-bit
 * product's operands are 17.5 MB, read once where they were read three
 * times, a prime's whole pass apart).
 */
static size_t count_parts(ntt_round *r)
{
    r->first[0] = 0;
    for (unsigned i = 0; i < r->count; i++) {
        const ntt_product *pr = r->pr[i];
        size_t parts = product_parts(pr, r->kind, r->k, r->finer);
        if (r->kind == ROUND_FORWARD) /* each operand's transform; a square has one */
            parts *= (unsigned)((r->sides & SIDE_X) != 0) + ((r->sides & SIDE_Y) && pr->y != pr->x);
        r->first[i + 1] = r->first[i] + parts;
    }
    r->lanes = 1;
    while (r->kind == ROUND_FORWARD && r->lanes < r->count &&
           r->first[r->lanes + 1] - r->first[r->lanes] == r->first[1])
        r->lanes++;
    return r->first[r->count];
}

/* A round of steps has at least NTT_MIN_PARTS parts where its ranges can be
 * made that short: a step of a small product (the wrapped layout's, run on
 * its own while the main one has fewer steps) still feeds many threads. */
#define NTT_MIN_PARTS 32

static void run_round(ntt_round *r, enum round_kind kind, unsigned k, int sides,
                      const bignum_helpers *h)
{
    r->kind = kind;
    r->k = k;
    r->sides = sides;
    r->finer = 0;
    size_t parts = count_parts(r);
    if (kind == ROUND_FORWARD || kind == ROUND_INVERSE) {
        while (parts && parts < NTT_MIN_PARTS && r->finer < 8) {
            r->finer++;
            size_t more = count_parts(r);
            if (more == parts) { /* no range can be shorter */
                r->finer--;
                count_parts(r);
                break;
            }
            parts = more;
        }
    }
    assert(parts <= ~0u);
    if (parts)
        h->run(h->ctx, (unsigned)parts, round_part, r);
}

/* Every round of the products given, in order. by_operand: the forward
 * rounds of all of a first, then of all of b, so that alone, one operand's
 * transform (16 MiB for 2^21 points) stays in the last-level cache from
 * one pass over it to the next, instead of both operands' passes taking
 * turns to evict each other; with helpers, both in every call. */
static void run_products(ntt_product **pr, unsigned count, int by_operand,
                         const bignum_helpers *h)
{
    ntt_round r;
    memset(&r, 0, sizeof r);
    r.count = count;
    unsigned steps = 0;
    for (unsigned i = 0; i < count; i++) {
        r.pr[i] = pr[i];
        if (pr[i]->steps > steps)
            steps = pr[i]->steps;
    }
    run_round(&r, ROUND_TABLES, 0, SIDE_BOTH, h);
    static const int alone[] = {SIDE_X, SIDE_Y}, together[] = {SIDE_BOTH};
    const int *sides = by_operand ? alone : together;
    for (int i = 0; i < (by_operand ? 2 : 1); i++)
        for (unsigned k = 0; k < steps; k++)
            run_round(&r, ROUND_FORWARD, k, sides[i], h);
    run_round(&r, ROUND_BLOCKS, 0, SIDE_BOTH, h);
    for (unsigned k = 0; k < steps; k++)
        run_round(&r, ROUND_INVERSE, k, SIDE_BOTH, h);
}

/* Parts that add a fused product's carries. */
#define NTT_CARRY_PARTS 64

typedef struct ntt_job {
    ntt_operand a, b;
    int square;
    ntt_choice c;
    ntt_product big[3], small[3];
    bn_limb *x[3];
    bn_limb *rp;
    ntt_crt crt;
    ntt_field field[3];
    ntt_const unwrap_k[3];    /* N / n_small modulo each prime */
    unsigned unwrap_from;     /* the first prime the unwrap round is for */
    size_t run;               /* coefficients per range of Garner's step */
    size_t ranges;            /* of Garner's step: ceil(coeffs / run) */
    bn_limb *carry;           /* two words per range */
    int fused;                /* the last inverse group, unwrapping and Garner's step at once */
    ntt_fused fz;
    size_t carry_group;       /* fused: runs whose carries one part adds (run_carries) */
    bn_limb carry_out[NTT_CARRY_PARTS]; /* what carries out of each part's region */
} ntt_job;

/* x[0..d) holds c_k + c_(k+N) and lw[0..d) holds c_k times n_small, both
 * modulo p; multiplying lw by k = N / n_small puts it in x's terms.
 * Afterwards x[k] = c_k and x[N + k] = c_(k+N); here for lo <= i < hi. */
static void unwrap(bn_limb *x, size_t N, const bn_limb *lw, size_t lo, size_t hi, ntt_const k,
                   const ntt_field *f)
{
    for (size_t i = lo; i < hi; i++) {
        bn_limb low = shoup_mul(lw[i], k.c, k.q, f->p);  /* [0, 2p) */
        bn_limb both = reduce_once(x[i], f->p2);        /* [0, 2p) */
        x[N + i] = both + f->p2 - low;                  /* (0, 4p) */
        x[i] = low;
    }
}

/* N / n_small mod p, unwrap's k (not an integer ratio when one length has the factor 3). */
static ntt_const unwrap_const(size_t N, size_t n_small, const ntt_field *f)
{
    return make_const(reduce_once(mont_mul(to_mont(N, f), inv_mod(n_small, f), f), f->p), f);
}

/* Unwrapped coefficients per part: a sixteenth of them, so that the round
 * has parts for many threads however small the wrap, at most a CRT range. */
static size_t unwrap_range(size_t d)
{
    size_t r = (ceil_div(d, 16) + 7) & ~(size_t)7;
    return r < BN_NTT_CRT_RANGE ? r : BN_NTT_CRT_RANGE;
}

static void job_unwrap(void *arg, unsigned part)
{
    ntt_job *j = arg;
    size_t d = j->c.wrap, range = unwrap_range(d), per = ceil_div(d, range);
    unsigned i = j->unwrap_from + (unsigned)(part / per);
    size_t lo = part % per * range, hi = d - lo < range ? d : lo + range;
    unwrap(j->x[i], j->c.big.n, j->small[i].x, lo, hi, j->unwrap_k[i], &j->field[i]);
}

static void run_unwrap(ntt_job *j, unsigned from, unsigned to, const bignum_helpers *h)
{
    j->unwrap_from = from;
    size_t parts = (to - from) * ceil_div(j->c.wrap, unwrap_range(j->c.wrap));
    h->run(h->ctx, (unsigned)parts, job_unwrap, j);
}

static void crt_bounds(const ntt_job *j, size_t r, size_t *lo, size_t *hi)
{
    *lo = r * j->run;
    *hi = j->c.coeffs - *lo < j->run ? j->c.coeffs : *lo + j->run;
}

static void job_crt(void *arg, unsigned r)
{
    ntt_job *j = arg;
    size_t lo, hi;
    crt_bounds(j, r, &lo, &hi);
    crt_range(&j->crt, j->rp, j->x, lo, hi, j->carry + 2 * (size_t)r);
}

/*
 * Fused (the vector build, m = 1, helped, top stages): the inverse's last
 * group, the unwrapping and Garner's step are one round, whose part takes a
 * range of the group's columns for all three primes and leaves limbs
 * (bn_ntt_vector_group_crt): no prime's x is stored as words and read back
 * (for 2^21 points about 96 MB of the product's 450 MB of memory traffic).
 * Its ranges are then runs of the columns, each row's with a carry of its
 * own: tens of coefficients, not BN_NTT_CRT_RANGE. Elsewhere (m = 3: the
 * last inverse step is the radix-3 one; the scalar build; a transform of
 * one block; alone, where the primes share one table area) the steps stay
 * apart.
 */
static int job_fuses(const ntt_job *j, int helped)
{
    const ntt_product *big = &j->big[0];
    return helped && big->t.level >= BN_NTT_AVX2 && big->t.s.m == 1 && big->steps > 0;
}

/* The fewest columns in a fused range: as many parts as NTT_MIN_PARTS from
 * the narrowest group (S columns), but no fewer than a vector's 4 and no
 * more than 64; so that the carries' room follows from the length alone. */
#define NTT_SPAN_MIN (BN_NTT_SUB_POINTS / NTT_MIN_PARTS)
#define NTT_RUN_MIN (NTT_SPAN_MIN < 4 ? 4 : NTT_SPAN_MIN > 64 ? 64 : NTT_SPAN_MIN)
_Static_assert((NTT_FUSED_POINTS >> BN_NTT_GROUP_STAGES) >= NTT_RUN_MIN &&
                   NTT_RUN_MIN <= BN_NTT_SUB_POINTS && NTT_RUN_MIN <= NTT_FUSED_COLUMNS,
               "a fused part is one piece, of whole vectors in every row");

/* Columns per fused part, one piece gathered on its stack: a power of two,
 * half of BN_NTT_RANGE points of each prime at most (a part of three primes
 * then takes 1.5 times a part of another step: for 2^21 points 64 columns,
 * 0.3 ms where 128 took 0.6, the longest of the product's parts), shorter
 * while the round would have fewer than NTT_MIN_PARTS parts, never below
 * NTT_RUN_MIN. w is a power of two at least S, so the ranges tile it. */
static size_t fused_run(const ntt_group *gr)
{
    size_t w = gr->len >> (gr->stages - 1), run = NTT_RUN_MIN;
    size_t piece = (size_t)NTT_FUSED_POINTS >> gr->stages;
    if (piece > NTT_FUSED_COLUMNS)
        piece = NTT_FUSED_COLUMNS;
    while (4 * run <= ((size_t)BN_NTT_RANGE >> gr->stages) && 2 * run <= w && 2 * run <= piece)
        run *= 2;
    while (w / run < NTT_MIN_PARTS && run / 2 >= (size_t)NTT_RUN_MIN)
        run /= 2;
    assert(w % run == 0);
    return run;
}

static void job_fuse(ntt_job *j)
{
    ntt_fused *fz = &j->fz;
    int wrapped = j->c.wrap > 0;
    for (int i = 0; i < 3; i++) {
        j->big[i].fused = 1;
        fz->t[i] = &j->big[i].t;
        fz->x[i] = j->x[i];
        fz->low[i] = wrapped ? j->small[i].x : NULL;
        fz->unwrap_k[i] = wrapped ? j->unwrap_k[i].c : 0;
    }
    fz->gr = ntt_group_at(&j->big[0].t, 0);
    fz->gr.store = 1;
    fz->wrap = j->c.wrap;
    fz->coeffs = j->c.coeffs;
    fz->run = fused_run(&fz->gr);
    fz->g = j->crt.g;
    fz->rp = j->rp;
    fz->carry = j->carry;
    j->run = fz->run;
    j->ranges = ceil_div(j->c.coeffs, j->run);
}

static void job_fused(void *arg, unsigned part)
{
    ntt_job *j = arg;
    size_t g0 = part * j->run;
    bn_ntt_vector_group_crt(&j->fz, g0, g0 + j->run);
}

static void run_fused(ntt_job *j, const bignum_helpers *h)
{
    const ntt_group *gr = &j->fz.gr;
    size_t w = gr->len >> (gr->stages - 1), parts = w / j->run;
    assert(parts <= ~0u);
    h->run(h->ctx, (unsigned)parts, job_fused, j);
}

/*
 * The scratch, from its first cache line on (each piece below starts on
 * one): three residue arrays of len = n + d words; the carries of
 * Garner's ranges; then y and the tables (2n + 2M words: room for the
 * scalar build's n + 2M at the wrapped layout's length N, which may be
 * 2^k where the plain one is 3 2^(k-1)), once, or once per prime when helped, each
 * then followed by the small product of the wrapped layout (its x, y and
 * tables: d <= N / 8 makes its length at most N / 4). Sized for the plain
 * length, which the wrapped layout (N + d <= that length, the rest for the
 * smaller N) never exceeds; so the size only grows with an + bn.
 */
static size_t small_words(ntt_shape plain)
{
    ntt_shape s = ntt_shape_for(plain.n / 4);
    return 2 * s.n + 2 * s.n + 2 * s.M;
}

static size_t area_words(ntt_shape plain, int helped)
{
    return plain.n + 2 * plain.n + 2 * plain.M + (helped ? small_words(plain) : 0);
}

/* Two words per range of Garner's step: helped, as short as a fused run may be. */
static size_t carry_words(ntt_shape plain, int helped)
{
    size_t run = helped && NTT_RUN_MIN < BN_NTT_CRT_RANGE ? NTT_RUN_MIN : BN_NTT_CRT_RANGE;
    return 2 * ceil_div(plain.n, run);
}

/* Words of a cache line: each prime's x, the carries and the areas start on
 * one, so that a piece's rows of whole lines are whole lines in memory too
 * (written past the caches: ntt_group's stream). */
#define NTT_LINE_WORDS 8

static size_t line_words(size_t words)
{
    return (words + NTT_LINE_WORDS - 1) & ~(size_t)(NTT_LINE_WORDS - 1);
}

static bn_limb *line_start(bn_limb *p)
{
    uintptr_t at = (uintptr_t)p, line = NTT_LINE_WORDS * sizeof *p;
    return p + ((line - at % line) % line) / sizeof *p;
}

static size_t scratch_words(size_t an, size_t bn, int helped)
{
    ntt_shape s = ntt_shape_for(an + bn - 1);
    return NTT_LINE_WORDS + 3 * line_words(s.n) + line_words(carry_words(s, helped)) +
           (helped ? 3 : 1) * line_words(area_words(s, helped));
}

size_t bn_ntt_scratch(size_t an, size_t bn) { return scratch_words(an, bn, 0); }

size_t bn_ntt_scratch_helped(size_t an, size_t bn) { return scratch_words(an, bn, 1); }

static void job_init(ntt_job *j, bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp,
                     size_t bn, bn_limb *scratch, int helped)
{
    ntt_operand a = {ap, an}, b = {bp, bn};
    j->a = a, j->b = b;
    j->square = ap == bp && an == bn;
    j->rp = rp;
    j->c = ntt_choose(an, bn);
    size_t n = j->c.big.n, d = j->c.wrap, len = line_words(n + d);
    ntt_shape plain = ntt_shape_for(an + bn - 1);
    size_t area = line_words(area_words(plain, helped));
    int level = ntt_level();
    /* Helped, blocks small enough for parts of tens of microseconds. Alone,
     * a transform that fits L2 with its twin is one block, as before the
     * cut (1e4-5e4 limbs: 5-10% faster than in blocks of 8192); larger
     * ones take the helped cut, whose single pass over the top stages then
     * beats the recursion (1.1M limbs: 0.15 s against 0.165). */
    size_t whole = helped ? 0 : BN_NTT_WHOLE_ALONE;
    scratch = line_start(scratch);
    j->carry = scratch + 3 * len;
    bn_limb *areas = j->carry + line_words(carry_words(plain, helped));
    for (int i = 0; i < 3; i++) {
        bn_limb *own = areas + (helped ? (size_t)i * area : 0);
        j->x[i] = scratch + (size_t)i * len;
        field_init(&j->field[i], ntt_primes[i].p);
        product_init(&j->big[i], i, j->c.big, level, whole, own + plain.n, j->x[i],
                     j->square ? j->x[i] : own, a, b);
        if (!d)
            continue;
        /* the low d limbs' product: helped, in its own room after the area;
         * alone, in y and the tables, which the main product is done with */
        ntt_shape s = j->c.small;
        bn_limb *sx = helped ? own + 3 * plain.n + 2 * plain.M : own;
        bn_limb *tables = helped ? sx + 2 * s.n : own + plain.n;
        /* its x, y and tables fit the room sized for it (or y and the tables) */
        assert(helped ? tables + 2 * s.n + 2 * s.M <= own + area
                      : 2 * s.n <= plain.n && 2 * s.n + 2 * s.M <= 2 * plain.n + 2 * plain.M);
        ntt_operand la = {ap, an < d ? an : d}, lb = {bp, bn < d ? bn : d};
        product_init(&j->small[i], i, s, level, whole, tables, sx, j->square ? sx : sx + s.n, la,
                     lb);
        const ntt_field *f = &j->field[i];
        j->unwrap_k[i] = unwrap_const(n, s.n, f);
    }
    crt_init(&j->crt, n, level);
    j->run = BN_NTT_CRT_RANGE;
    j->ranges = ceil_div(j->c.coeffs, j->run);
    j->fused = job_fuses(j, helped);
    if (j->fused)
        job_fuse(j);
    /* a fused run is never shorter than the carries' room was sized for */
    assert(2 * j->ranges <= carry_words(plain, helped));
}

/* Each range's carry, added where the next range starts: the add stops
 * where the carry does, so this costs a few words per range, not a pass. */
static void job_carries(ntt_job *j)
{
    size_t rn = j->a.n + j->b.n;
    bn_limb *rp = j->rp;
    for (size_t r = 0; r + 1 < j->ranges; r++) {
        size_t lo, hi;
        crt_bounds(j, r, &lo, &hi);
        add_limb_at(rp, rn, hi, j->carry[2 * r]);
        add_limb_at(rp, rn, hi + 1, j->carry[2 * r + 1]);
    }
}

/*
 * Fused, the runs are tens of limbs: some 34000 carries for a 70M-bit
 * product, each on a line (and a page every eight) of its own, 0.3-0.6 ms
 * serially. So they are added in parallel: part p adds those that land in
 * its region, runs [p G, (p + 1) G), stopping at the region's end; what
 * carries out of a region (rarely anything) is added serially afterwards.
 */
static size_t carry_region_end(const ntt_job *j, size_t p)
{
    size_t end = (p + 1) * j->carry_group * j->run;
    return end < j->c.coeffs ? end : j->c.coeffs;
}

/* rp[k..end) += v, stopping where the carry does; returns the carry out of end. */
static bn_limb add_limb_until(bn_limb *rp, size_t k, size_t end, bn_limb v)
{
    for (; v && k < end; k++) {
        rp[k] += v;
        v = rp[k] < v;
    }
    return v;
}

static void job_carry_part(void *arg, unsigned p)
{
    ntt_job *j = arg;
    size_t q0 = p * j->carry_group, q1 = q0 + j->carry_group, end = carry_region_end(j, p);
    if (q0 == 0)
        q0 = 1; /* nothing carries into the first run */
    if (q1 > j->ranges)
        q1 = j->ranges;
    bn_limb out = 0;
    for (size_t q = q0; q < q1; q++) { /* run q - 1's carry where run q starts */
        size_t k = q * j->run;
        out += add_limb_until(j->rp, k, end, j->carry[2 * (q - 1)]);
        out += add_limb_until(j->rp, k + 1, end, j->carry[2 * (q - 1) + 1]);
    }
    j->carry_out[p] = out;
}

static void run_carries(ntt_job *j, const bignum_helpers *h)
{
    j->carry_group = ceil_div(j->ranges, NTT_CARRY_PARTS);
    size_t parts = ceil_div(j->ranges, j->carry_group), rn = j->a.n + j->b.n;
    h->run(h->ctx, (unsigned)parts, job_carry_part, j);
    for (size_t p = 0; p < parts; p++)
        add_limb_at(j->rp, rn, carry_region_end(j, p), j->carry_out[p]);
}

/* A runner that runs every part here, in order: the product alone. */
static void run_here(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg)
{
    (void)ctx;
    for (unsigned i = 0; i < parts; i++)
        fn(arg, i);
}

static void ntt_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                    bn_limb *scratch, const bignum_helpers *h)
{
    assert(an >= bn && bn >= 1 && an + bn <= bn_ntt_max_limbs());
    ntt_job j;
    job_init(&j, rp, ap, an, bp, bn, scratch, h != NULL);
    int wrapped = j.c.wrap > 0;
    /* A round over transforms this long writes more than stays cached until
     * the next round reads it (helped, all three primes' both operands: 100
     * MB at 2^21 points; alone, one operand's 16 MB, then the other's): its
     * groups' rows go past the caches (ntt_group's stream). */
    for (int i = 0; i < 3; i++)
        j.big[i].stream = j.c.big.n >= BN_NTT_STREAM_POINTS;
    if (h) {
        ntt_product *all[NTT_MAX_PRODUCTS];
        unsigned count = 0;
        for (int i = 0; i < 3; i++)
            all[count++] = &j.big[i];
        for (int i = 0; wrapped && i < 3; i++)
            all[count++] = &j.small[i];
        /* fused: every step but the main transforms' last (the small product's too) */
        run_products(all, count, 0, h);
        if (j.fused)
            run_fused(&j, h);
        else if (wrapped)
            run_unwrap(&j, 0, 3, h);
    } else {
        static const bignum_helpers here = {run_here, NULL};
        h = &here;
        for (unsigned i = 0; i < 3; i++) { /* one prime at a time: y and the tables are shared */
            ntt_product *big = &j.big[i], *small = &j.small[i];
            run_products(&big, 1, 1, h);
            if (!wrapped)
                continue;
            run_products(&small, 1, 1, h);
            run_unwrap(&j, i, i + 1, h);
        }
    }
    assert(j.ranges <= ~0u);
    if (!j.fused)
        h->run(h->ctx, (unsigned)j.ranges, job_crt, &j);
    size_t last = j.ranges - 1;
    rp[j.c.coeffs] = j.carry[2 * last];
    assert(j.carry[2 * last + 1] == 0);
    if (j.fused)
        run_carries(&j, h);
    else
        job_carries(&j);
}

void bn_ntt_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                bn_limb *scratch)
{
    ntt_mul(rp, ap, an, bp, bn, scratch, NULL);
}

void bn_ntt_mul_helped(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                       bn_limb *scratch, const bignum_helpers *h)
{
    assert(h);
    ntt_mul(rp, ap, an, bp, bn, scratch, h);
}

/* ---- the steps for a group product (bignum_ntt_group.c) ----------------- */

ntt_shape bn_ntt_shape_for(size_t coeffs) { return ntt_shape_for(coeffs); }

int bn_ntt_level(void) { return ntt_level(); }

void bn_ntt_transform_init(ntt_transform *t, int i, ntt_shape s, int level, bn_limb *tables)
{
    ntt_field f;
    field_init(&f, ntt_primes[i].p);
    ntt_transform init = {s, f.p, 0, 0, tables, s.M >= 16 ? level : BN_NTT_SCALAR, 0, 0, 0};
    init.W = pow_mod(ntt_primes[i].g, (f.p - 1) / s.n, &f);
    init.omega = s.m == 3 ? pow_mod(init.W, s.M, &f) : 0;
    *t = init;
}

size_t bn_ntt_table_words(ntt_shape s) { return 2 * s.n + 2 * s.M; }

unsigned bn_ntt_segments(const ntt_transform *t, ntt_segment *seg)
{
    return step_segments(t, seg);
}

void bn_ntt_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count)
{
    step_fill(t, seg, k0, count);
}

void bn_ntt_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a, size_t j0,
                   size_t j1)
{
    step_radix3(t, inverse, x, a, j0, j1);
}

void bn_ntt_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                  ntt_operand a, size_t g0, size_t g1)
{
    step_group(t, gr, inverse, x, a, g0, g1);
}

void bn_ntt_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                  ntt_operand a, ntt_operand bo, int load, int store)
{
    step_block(t, S, b, x, y, a, bo, load, store);
}

ntt_crt *bn_ntt_crt_new(size_t n, int level)
{
    ntt_crt *c = bignum_alloc_bytes(sizeof *c);
    if (c)
        crt_init(c, n, level);
    return c;
}

void bn_ntt_crt_free(ntt_crt *c) { bignum_free_bytes(c, sizeof *c); }

void bn_ntt_crt_range(const ntt_crt *c, bn_limb *rp, bn_limb *const x[3], size_t j0, size_t j1,
                      bn_limb carry[2])
{
    crt_range(c, rp, x, j0, j1, carry);
}

/* ---- a part of one prime's product, for a group by primes (bignum_group_primes.c) ---- */

/*
 * X^N - 1 is the product of the d factors X^h - c_q (h = N/d, q < d), c_q = psi^(qh) = zeta^q
 * for psi a primitive N-th root of unity and zeta = psi^h a primitive d-th one, so a b mod
 * (X^N - 1) follows from its d residues R_q = a b mod (X^h - c_q):
 *   c_(k+th) = (1/d) sum_q c_q^-t R_(q,k)   (k < h, t < d).
 * With X = r Y, r = psi^q (r^h = c_q), X^h - c_q is c_q (Y^h - 1): R_q's coefficients times r^k
 * are the cyclic product of the operands folded and twisted, a'_j = r^j sum_t c_q^t a_(j+th).
 * Its transform product of h points leaves h r^k R_(q,k); untwisted, h R_(q,k), and part q's
 * contribution to coefficient k + t h is h c_q^-t R_(q,k): the d parts' contributions add up
 * to N c_(k+th), the terms of the whole product's residues. d = 2 are the halves (c_q = 1,
 * -1), d = 4 the quarters (1, i, -1, -i); half q is quarters q and q + 2 at once (X^(N/2) -
 * c^2 = (X^h - c)(X^h + c)), so a prime may be made as a half and two quarters. A part is a
 * little under 1/d of the prime's transforms' work (log2 d stages fewer), for a pass over the
 * operands before and one over the results after: the fold's weights c_q^t ride on the
 * reduction every limb's load makes anyway, and the twist (part q > 0) costs two products a
 * word. Each part leaves, for every coefficient, its contribution in [0, 2p), the wrapped
 * layout's unwrapping included (its small product made by one of the parts).
 */
typedef struct part_job {
    ntt_field f;
    unsigned d, q;       /* part q of d */
    size_t h, N, wrap;
    ntt_operand a, b;
    bn_limb *fa, *fb;    /* the folded operands, h words each (fb == fa: a square) */
    bn_limb *x;          /* the part product's words, then the contributions */
    const bn_limb *low;  /* the small product's words, or NULL (another part's) */
    ntt_const unwrap_k;  /* N / n_small */
    ntt_const weight[4]; /* the fold's: c_q^t, t < d */
    ntt_const back[2];   /* the contributions': c_q^-t, t < d/2 */
    int odd;             /* q odd: c_q^(d/2) = -1, so c_q^-(t + d/2) = -c_q^-t */
    bn_limb r;           /* psi^q, or its inverse for the untwist */
    int vector;          /* the twists in vectors (bn_ntt_vector_twist) */
    ntt_const baby[NTT_BABY]; /* r^t, t < NTT_BABY */
} part_job;

/* Points per part of the fold and of the contributions: a multiple of NTT_BABY. */
#define PART_RANGE 16384
_Static_assert(PART_RANGE % NTT_BABY == 0, "a part starts a run of baby steps");

static void part_powers(part_job *pj, bn_limb r)
{
    pj->r = r;
    for (unsigned t = 0; t < NTT_BABY; t++)
        pj->baby[t] = make_const(pow_mod(r, t, &pj->f), &pj->f);
}

/* v[j - j0] r^j for j in [j0, j0 + count), in place (words in [0, 2p)): a baby step, then
 * the giant one of its run. */
static void part_twist(const part_job *pj, bn_limb *v, size_t j0, size_t count)
{
    const ntt_field *f = &pj->f;
    bn_limb giant = pow_mod(pj->r, j0, f);
    size_t done = pj->vector ? bn_ntt_vector_twist(v, count, f->p, giant, pj->r) : 0;
    if (done) { /* the scalar steps for the rest */
        v += done, j0 += done, count -= done;
        giant = pow_mod(pj->r, j0, f);
    }
    ntt_const step = make_const(pow_mod(pj->r, NTT_BABY, f), f);
    for (size_t b = 0; b < count; b += NTT_BABY) {
        ntt_const g = make_const(giant, f);
        size_t n = count - b < NTT_BABY ? count - b : NTT_BABY;
        for (size_t t = 0; t < n; t++) {
            bn_limb w = shoup_mul(v[b + t], pj->baby[t].c, pj->baby[t].q, f->p);
            v[b + t] = shoup_mul(w, g.c, g.q, f->p);
        }
        giant = mulc_full(giant, step, f->p);
    }
}

/* out[j] = sum_t c_q^t a_(j+th) for j in [j0, j1), below 4p (as the halves' fold leaves
 * them), then twisted: term by term over the range, each pass without a test per limb. */
static void part_fold_one(const part_job *pj, bn_limb *out, ntt_operand a, size_t j0, size_t j1)
{
    const ntt_field *f = &pj->f;
    const bn_limb p = f->p, *ap = a.p;
    const size_t h = pj->h, n = a.n;
    ntt_const w = pj->weight[0];
    size_t end = n < j1 ? (n > j0 ? n : j0) : j1; /* [j0, end): the operand's limbs */
    for (size_t j = j0; j < end; j++)
        out[j] = shoup_mul(ap[j], w.c, w.q, p);
    for (size_t j = end; j < j1; j++)
        out[j] = 0;
    for (unsigned t = 1; t < pj->d; t++) {
        size_t at = t * h;
        w = pj->weight[t];
        end = n > at + j0 ? (n - at < j1 ? n - at : j1) : j0;
        for (size_t j = j0; j < end; j++)
            out[j] += shoup_mul(ap[j + at], w.c, w.q, p); /* d terms in [0, 2p) */
    }
    if (pj->d > 2) /* up to four terms: below 8p */
        for (size_t j = j0; j < j1; j++)
            out[j] = reduce_once(out[j], 2 * f->p2);
    if (pj->q)
        part_twist(pj, out + j0, j0, j1 - j0);
}

static void part_fold(void *arg, unsigned part)
{
    part_job *pj = arg;
    size_t per = ceil_div(pj->h, PART_RANGE), k = part % per, j0 = k * PART_RANGE;
    size_t j1 = pj->h - j0 < PART_RANGE ? pj->h : j0 + PART_RANGE;
    part_fold_one(pj, part < per ? pj->fa : pj->fb, part < per ? pj->a : pj->b, j0, j1);
}

/* Coefficients k + t h (t < d) for k in the part's range of [0, h), and N + k below the wrap
 * (at most N/8, so below h: part_init). */
static void part_contribute(void *arg, unsigned part)
{
    part_job *pj = arg;
    const ntt_field *f = &pj->f;
    size_t h = pj->h, k0 = (size_t)part * PART_RANGE;
    size_t k1 = h - k0 < PART_RANGE ? h : k0 + PART_RANGE;
    const unsigned half = pj->d / 2;
    const int odd = pj->odd;
    const ntt_const back = pj->back[1 % half]; /* quarters: c_q^-1 */
    const bn_limb p2 = f->p2;
    bn_limb *x = pj->x;
    for (size_t k = k0; k < k1; k++)
        x[k] = reduce_once(x[k], p2);
    if (pj->q)
        part_twist(pj, x + k0, k0, k1 - k0);
    /* t and t + d/2: c_q^-(t + d/2) = -c_q^-t for q odd */
    for (size_t k = k0; k < k1; k++) {
        bn_limb v = x[k];
        x[k + half * h] = odd ? reduce_once(p2 - v, p2) : v;
    }
    if (half == 2)
        for (size_t k = k0; k < k1; k++) {
            bn_limb u = shoup_mul(x[k], back.c, back.q, f->p);
            x[k + h] = u;
            x[k + 3 * h] = odd ? reduce_once(p2 - u, p2) : u;
        }
    for (size_t k = k0; k < k1 && k < pj->wrap; k++) {
        /* c_k is the small product's alone; c_(N+k) the whole's less it */
        bn_limb w = pj->low ? shoup_mul(pj->low[k], pj->unwrap_k.c, pj->unwrap_k.q, f->p) : 0;
        x[pj->N + k] = reduce_once(x[k] + reduce_once(f->p2 - w, f->p2), f->p2);
        x[k] = w;
    }
}

/* Whether the main transform of an a b product (either order) cuts into `parts` parts: each
 * part's transform a shape of its own (M/parts at least 4). */
static int parts_fit(ntt_choice c, unsigned parts)
{
    return c.big.M % parts == 0 && c.big.M / parts >= 4;
}

int bn_ntt_parts_fit(size_t an, size_t bn, unsigned parts)
{
    assert(an >= 1 && bn >= 1 && (parts == 2 || parts == 4));
    return parts_fit(an >= bn ? ntt_choose(an, bn) : ntt_choose(bn, an), parts);
}

size_t bn_ntt_residues_length(size_t an, size_t bn)
{
    return (an >= bn ? ntt_choose(an, bn) : ntt_choose(bn, an)).big.n;
}

bn_limb bn_ntt_prime(int i)
{
    assert(i >= 0 && i < 3);
    return ntt_primes[i].p;
}

double bn_ntt_cost(size_t n) { return ntt_cost(n); }

size_t bn_ntt_wrap(size_t an, size_t bn, ntt_shape *big)
{
    ntt_choice c = an >= bn ? ntt_choose(an, bn) : ntt_choose(bn, an);
    *big = c.big;
    return c.wrap;
}

void bn_ntt_unwrap(bn_limb *x, size_t n, const bn_limb *low, size_t n_low, size_t lo,
                   size_t hi, int prime)
{
    ntt_field f;
    field_init(&f, ntt_primes[prime].p);
    unwrap(x, n, low, lo, hi, unwrap_const(n, n_low, &f), &f);
}

/* The part product's job: its folded operands in the room of the prime's own x and y (the
 * first h words of each hold the transforms). */
static void part_init(part_job *pj, ntt_product *pr, const ntt_job *j,
                      const ntt_part_share *share)
{
    int i = share->prime;
    const ntt_product *big = &j->big[i];
    unsigned d = share->parts, q = share->part;
    assert((d == 2 || d == 4) && q < d && parts_fit(j->c, d));
    size_t N = j->c.big.n, h = N / d;
    memset(pj, 0, sizeof *pj);
    field_init(&pj->f, ntt_primes[i].p);
    const ntt_field *f = &pj->f;
    pj->d = d, pj->q = q;
    pj->h = h, pj->N = N, pj->wrap = j->c.wrap;
    pj->a = j->a, pj->b = j->b;
    pj->x = big->x;
    pj->fa = big->x + h;
    pj->fb = j->square ? pj->fa : big->y + h;
    pj->low = share->small && j->c.wrap ? j->small[i].x : NULL;
    pj->unwrap_k = j->unwrap_k[i];
    pj->vector = big->t.level >= BN_NTT_AVX2;
    bn_limb r = pow_mod(big->t.W, q, f), c = pow_mod(r, h, f); /* psi = W for N points */
    for (unsigned t = 0; t < d; t++)
        pj->weight[t] = make_const(pow_mod(c, t, f), f);
    for (unsigned t = 0; t < d / 2; t++)
        pj->back[t] = make_const(pow_mod(c, d - t, f), f); /* c^d = 1 */
    pj->odd = q & 1;
    ntt_shape hs = {h, big->t.s.m, big->t.s.M / d};
    /* the wrapped layout's d is at most N/8 (ntt_choose): only coefficients below h wrap */
    assert(j->a.n <= N && pj->wrap <= h);
    ntt_operand fa = {pj->fa, h}, fb = {pj->fb, h};
    product_init(pr, i, hs, big->t.level, 0, big->t.tables, pj->x, j->square ? pj->x : big->y,
                 fa, fb);
    if (q)
        part_powers(pj, r);
}

/* A group product by primes (bignum_group_primes.c): the residues of a b's coefficients
 * modulo each prime in the set `primes` (bit i: prime i), and `part`'s share of another
 * (NULL: none), made as one product's rounds, as the helped product makes all three: each
 * round holds the parts of every product (big, small, part), and one unwrap round serves the
 * whole primes. res[i]: where prime i's lie in scratch (bn_ntt_scratch_helped(an, bn) words),
 * NULL for a prime this member makes nothing of. */
void bn_ntt_prime_residues(unsigned primes, const ntt_part_share *part, const bn_limb *ap,
                           size_t an, const bn_limb *bp, size_t bn, bn_limb *scratch,
                           const bignum_helpers *h, bn_limb *res[3], size_t *n)
{
    assert(an >= bn && bn >= 1 && an + bn <= bn_ntt_max_limbs() && primes < 8);
    assert(!part || (part->prime >= 0 && part->prime < 3 && !(primes >> part->prime & 1)));
    static const bignum_helpers here = {run_here, NULL};
    if (!h)
        h = &here;
    ntt_job j;
    job_init(&j, NULL, ap, an, bp, bn, scratch, 1);
    /* the residues are wanted, so the inverse's last step runs on its own */
    j.fused = 0;
    ntt_product *mine[NTT_MAX_PRODUCTS], split;
    part_job pj;
    unsigned count = 0;
    for (int k = 0; k < 3; k++) {
        j.big[k].fused = 0;
        res[k] = primes >> k & 1 ? j.x[k] : NULL;
        if (primes >> k & 1)
            mine[count++] = &j.big[k];
    }
    for (int k = 0; j.c.wrap && k < 3; k++)
        if (primes >> k & 1)
            mine[count++] = &j.small[k];
    if (part) {
        part_init(&pj, &split, &j, part);
        res[part->prime] = pj.x;
        mine[count++] = &split;
        if (pj.low)
            mine[count++] = &j.small[part->prime];
        size_t per = ceil_div(pj.h, PART_RANGE);
        h->run(h->ctx, (unsigned)(per * (j.square ? 1 : 2)), part_fold, &pj);
    }
    run_products(mine, count, 0, h);
    /* an unwrap round per run of primes in the set: one, but for {0, 2} */
    for (unsigned k = 0; j.c.wrap && k < 3;) {
        unsigned end = k;
        while (end < 3 && (primes >> end & 1))
            end++;
        if (end > k)
            run_unwrap(&j, k, end, h);
        k = end + 1;
    }
    if (part) {
        if (pj.q) /* the untwist: r^-k */
            part_powers(&pj, pow_mod(pj.r, pj.N - 1, &pj.f));
        h->run(h->ctx, (unsigned)ceil_div(pj.h, PART_RANGE), part_contribute, &pj);
    }
    *n = j.c.big.n;
    assert(*n == bn_ntt_residues_length(an, bn));
}
