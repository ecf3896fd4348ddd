/* bignum's transform product: number-theoretic transforms modulo three word primes, joined by CRT. */
#include <assert.h>
#include <stdatomic.h>

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
 * instead; this file chooses the lengths, the primes' roots, and joins the
 * residues into limbs.
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
 * pw[j] = W^j 2^64 mod p (Montgomery form, in [0, p)) for j < count. The
 * powers are products of a baby step W^(j mod 64) and a giant step
 * W^(64 floor(j/64)), so that they are independent multiplications instead
 * of one long chain whose latency would dominate.
 */
#define NTT_BABY 64

static void power_table(bn_limb *pw, size_t count, bn_limb W, const ntt_field *f)
{
    size_t baby = count < NTT_BABY ? count : NTT_BABY;
    bn_limb w = to_mont(W, f);
    pw[0] = to_mont(1, f);
    for (size_t j = 1; j < baby; j++)
        pw[j] = reduce_once(mont_mul(pw[j - 1], w, f), f->p);
    if (baby < NTT_BABY)
        return;
    bn_limb step = reduce_once(mont_mul(pw[NTT_BABY - 1], w, f), f->p), giant = step;
    for (size_t base = NTT_BABY; base < count; base += NTT_BABY) {
        size_t end = count - base < NTT_BABY ? count - base : NTT_BABY;
        for (size_t j = 0; j < end; j++)
            pw[base + j] = reduce_once(mont_mul(pw[j], giant, f), f->p);
        giant = reduce_once(mont_mul(giant, step, f), f->p);
    }
}

/*
 * tw[len + j] = w_{2len}^j for each radix-2 stage len = 1, 2, ..., M/2 and
 * j < len, with Shoup companions in twq. The top stage's w_M^j = W^(mj) come
 * from the power table: a Montgomery-form value r = w 2^64 mod p gives
 * w = r 2^-64 and, because w 2^64 - r is an exact multiple of p, the
 * companion floor(w 2^64 / p) = -r p^-1 mod 2^64. The inverse transform uses
 * w^-j = -w^(len-j), so needs no table of its own.
 */
static void radix2_tables(bn_limb *tw, bn_limb *twq, size_t M, size_t m, const bn_limb *pw,
                          const ntt_field *f)
{
    size_t half = M / 2;
    for (size_t j = 0; j < half; j++) {
        bn_limb r = pw[m * j];
        tw[half + j] = from_mont(r, f);
        twq[half + j] = (bn_limb)0 - r * f->pinv;
    }
    for (size_t len = half / 2; len >= 1; len /= 2)
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

/* ---- one prime ----------------------------------------------------------- */

typedef struct ntt_plan {
    ntt_shape s;
    ntt_field f;
    bn_limb *pw;             /* W^j in Montgomery form: j < n for m = 3, j < n/2 for m = 1 */
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

static void plan_fill(const ntt_plan *pl, bn_limb W)
{
    ntt_shape s = pl->s;
    power_table(pl->pw, s.m == 3 ? s.n : s.n / 2, W, &pl->f);
    radix2_tables(pl->tw, pl->twq, s.M, s.m, pl->pw, &pl->f);
}

/* The limb ap[i] (zero beyond an) reduced into [0, 2p): Shoup's product with 1. */
static inline bn_limb load_limb(const bn_limb *ap, size_t an, size_t i, bn_limb one_q, bn_limb p)
{
    return i < an ? shoup_mul(ap[i], 1, one_q, p) : 0;
}

/* Length 2^k: the first stage is fused with loading. */
static void forward_radix2(bn_limb *x, const bn_limb *ap, size_t an, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    const bn_limb p = f->p, p2 = f->p2, one_q = pl->one_q;
    size_t half = pl->s.n / 2;
    const bn_limb *w = pl->tw + half, *wq = pl->twq + half;
    size_t both = an > half ? an - half : 0; /* j < both: both halves hold limbs */
    for (size_t j = 0; j < both; j++) {
        bn_limb u = shoup_mul(ap[j], 1, one_q, p), v = shoup_mul(ap[j + half], 1, one_q, p);
        x[j] = reduce_once(u + v, p2);
        x[j + half] = shoup_mul(u - v + p2, w[j], wq[j], p);
    }
    size_t lo = an < half ? an : half;
    for (size_t j = both; j < lo; j++) {
        bn_limb u = shoup_mul(ap[j], 1, one_q, p);
        x[j] = u;
        x[j + half] = shoup_mul(u, w[j], wq[j], p);
    }
    bn_zero(x + lo, half - lo);
    bn_zero(x + half + lo, half - lo);
    dif(x, half, pl->tw, pl->twq, f);
    dif(x + half, half, pl->tw, pl->twq, f);
}

/*
 * Length 3M: with n = 3M, j = j1 + M j2 and k = 3 k1 + k2,
 *   X[3 k1 + k2] = sum_j1 (W^3)^(j1 k1) W^(j1 k2) sum_j2 x[j1 + M j2] w^(j2 k2)
 * for the cube root w = W^M: a three-point transform of each column, a
 * twiddle W^(j1 k2), then three M-point transforms. With w^2 = -1 - w,
 *   y0 = x0 + x1 + x2,  y1 = x0 + w x1 - x2 - w x2,  y2 = x0 - x1 - w x1 + w x2.
 */
static void forward_radix3(bn_limb *x, const bn_limb *ap, size_t an, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    const bn_limb p = f->p, p2 = f->p2, one_q = pl->one_q, om = pl->omega, om_q = pl->omega_q;
    size_t M = pl->s.M;
    const bn_limb *pw = pl->pw;
    for (size_t j = 0; j < M; j++) {
        bn_limb x0 = reduce_once(load_limb(ap, an, j, one_q, p), p);
        bn_limb x1 = reduce_once(load_limb(ap, an, j + M, one_q, p), p);
        bn_limb x2 = reduce_once(load_limb(ap, an, j + 2 * M, one_q, p), p);
        bn_limb a1 = reduce_once(shoup_mul(x1, om, om_q, p), p);
        bn_limb a2 = reduce_once(shoup_mul(x2, om, om_q, p), p);
        x[j] = reduce_once(x0 + x1 + x2, p2);               /* [0, 2p) */
        bn_limb y1 = x0 + a1 + p2 - (x2 + a2);              /* (0, 4p) */
        bn_limb y2 = x0 + a2 + p2 - (x1 + a1);              /* (0, 4p) */
        x[j + M] = mont_mul(y1, pw[j], f);                  /* times W^j, (0, 2p) */
        x[j + 2 * M] = mont_mul(y2, pw[2 * j], f);          /* times W^2j */
    }
    for (size_t b = 0; b < 3; b++)
        dif(x + b * M, M, pl->tw, pl->twq, f);
}

/* x = transform of the limbs ap (zero beyond an), values in [0, 2p), in the
 * order the inverse expects. */
static void forward(bn_limb *x, const bn_limb *ap, size_t an, const ntt_plan *pl)
{
    if (pl->s.m == 1)
        forward_radix2(x, ap, an, pl);
    else
        forward_radix3(x, ap, an, pl);
}

/* The inverse of forward, times n; values in [0, 4p). The three-point step
 * is undone with W^-j = W^(n-j) and w^-1 = w^2:
 *   x0 = u0 + u1 + u2,  x1 = u0 + w^2 u1 + w u2,  x2 = u0 + w u1 + w^2 u2. */
static void inverse(bn_limb *x, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    size_t M = pl->s.M, n = pl->s.n;
    if (pl->s.m == 1) {
        dit(x, M, pl->tw, pl->twq, f);
        return;
    }
    for (size_t b = 0; b < 3; b++)
        dit(x + b * M, M, pl->tw, pl->twq, f);
    const bn_limb p = f->p, p2 = f->p2, om = pl->omega, om_q = pl->omega_q;
    const bn_limb *pw = pl->pw;
    for (size_t j = 0; j < M; j++) {
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

/* ---- the steps of one prime's cyclic product ----------------------------- */

/* Fill t's tables. */
static void step_tables(const ntt_transform *t)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_tables(t);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    plan_fill(&pl, t->W);
}

/* x = the transform of the limbs a (zero beyond an). */
static void step_forward(const ntt_transform *t, bn_limb *x, const bn_limb *ap, size_t an)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_forward(t, x, ap, an);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    forward(x, ap, an, &pl);
}

/* Given the transforms of a in x and of b in y (y == x: b = a), x = n (a b
 * mod (X^n - 1)) modulo p: in [0, 4p) from the scalar build, [0, p) from the
 * vector one; both leave the same residues. */
static void step_finish(const ntt_transform *t, bn_limb *x, const bn_limb *y)
{
    if (t->level >= BN_NTT_AVX2) {
        bn_ntt_vector_finish(t, x, y);
        return;
    }
    ntt_plan pl;
    plan_set(&pl, t);
    if (y == x)
        pointwise_sqr(x, t->s.n, &pl.f);
    else
        pointwise(x, y, t->s.n, &pl.f);
    inverse(x, &pl);
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
    bn_limb p01_lo, p01_hi;         /* p0 p1 */
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
    bn_dlimb p01 = (bn_dlimb)p0 * p1;
    c->p01_lo = (bn_limb)p01;
    c->p01_hi = (bn_limb)(p01 >> 64);
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
 * caller adds each range's carry at the next range's start.
 */
static void crt_range(const ntt_crt *c, bn_limb *rp, bn_limb *const x[3], size_t j0, size_t j1,
                      bn_limb carry[2])
{
    bn_limb *x0 = x[0], *x1 = x[1], *x2 = x[2];
    const bn_limb p0 = c->g.p[0], p1 = c->g.p[1], p2 = c->g.p[2];
    size_t done = j0;
    if (c->vector)
        done += bn_ntt_vector_garner(x0 + j0, x1 + j0, x2 + j0, j1 - j0, &c->g);
    bn_limb c0 = 0, c1 = 0; /* the carry into position j */
    for (size_t j = j0; j < j1; j++) {
        bn_limb v0, v1, v2;
        if (j < done) {
            v0 = x0[j], v1 = x1[j], v2 = x2[j];
        } else {
            v0 = mulc_full(x0[j], c->s[0], p0);
            bn_limb r1 = mulc_full(x1[j], c->s[1], p1);
            v1 = mulc_full(r1 - reduce_once(v0, p1) + p1, c->inv_p0_mod_p1, p1);
            bn_limb r2 = mulc_full(x2[j], c->s[2], p2);
            bn_limb u = reduce_once(
                reduce_once(v0, p2) + mulc_full(reduce_once(v1, p2), c->p0_mod_p2, p2), p2);
            v2 = mulc_full(r2 - u + p2, c->inv_p01_mod_p2, p2);
        }
        /* c = v0 + v1 p0 + v2 p0 p1 */
        bn_dlimb t = (bn_dlimb)v1 * p0 + v0;
        bn_dlimb lo = (bn_dlimb)v2 * c->p01_lo;
        bn_dlimb hi = (bn_dlimb)v2 * c->p01_hi;
        bn_dlimb s = (bn_dlimb)(bn_limb)t + (bn_limb)lo + c0;
        rp[j] = (bn_limb)s;
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

/* x[0..d) holds c_k + c_(k+N) and lw[0..d) holds c_k, both modulo p; the
 * small transform's scale is n_small, the main one's N: multiply lw by
 * N / n_small first. Afterwards x[k] = c_k and x[N + k] = c_(k+N). */
static void unwrap(bn_limb *x, size_t N, const bn_limb *lw, size_t d, size_t n_small,
                   const ntt_field *f)
{
    /* n / n_small mod p (not an integer ratio when one length has the factor 3) */
    ntt_const k = make_const(reduce_once(mont_mul(to_mont(N, f), inv_mod(n_small, f), f), f->p), f);
    for (size_t i = 0; i < d; i++) {
        bn_limb low = shoup_mul(lw[i], k.c, k.q, f->p);  /* [0, 2p) */
        bn_limb both = reduce_once(x[i], f->p2);        /* [0, 2p) */
        x[N + i] = both + f->p2 - low;                  /* (0, 4p) */
        x[i] = low;
    }
}

/*
 * One product as steps: per prime the tables, the forward transform of each
 * operand, then the pointwise product and the inverse (with the small
 * product of the wrapped layout); last Garner's step over ranges of
 * coefficients. Every step writes only its own arrays, so the steps of one
 * kind may run at once on helpers; alone, they run prime by prime in one
 * shared y and table area. Either way the arithmetic is the same.
 */
#define NTT_CRT_RANGES 16

typedef struct ntt_job {
    const bn_limb *ap, *bp;
    size_t an, bn;
    int square;
    ntt_choice c;
    ntt_transform big[3], small[3];
    bn_limb *x[3], *y[3];
    bn_limb *rp;
    ntt_crt crt;
    unsigned ranges;
    bn_limb carry[NTT_CRT_RANGES][2];
} ntt_job;

static ntt_transform transform_for(int i, ntt_shape s, int level, bn_limb *tables)
{
    ntt_field f;
    field_init(&f, ntt_primes[i].p);
    ntt_transform t = {s, f.p, 0, 0, tables, s.M >= 16 ? level : BN_NTT_SCALAR};
    t.W = pow_mod(ntt_primes[i].g, (f.p - 1) / s.n, &f);
    t.omega = s.m == 3 ? pow_mod(t.W, s.M, &f) : 0;
    return t;
}

static void job_tables(void *arg, unsigned i)
{
    ntt_job *j = arg;
    step_tables(&j->big[i]);
}

/* Parts 0-2: a for each prime; 3-5: b. */
static void job_forward(void *arg, unsigned part)
{
    ntt_job *j = arg;
    unsigned i = part % 3;
    if (part < 3)
        step_forward(&j->big[i], j->x[i], j->ap, j->an);
    else
        step_forward(&j->big[i], j->y[i], j->bp, j->bn);
}

static void job_finish(void *arg, unsigned i)
{
    ntt_job *j = arg;
    bn_limb *x = j->x[i], *y = j->y[i];
    step_finish(&j->big[i], x, j->square ? x : y);
    size_t d = j->c.wrap;
    if (!d)
        return;
    /* the low coefficients, in y and the tables, which the main product is done with */
    ntt_transform *t = &j->small[i];
    size_t la = j->an < d ? j->an : d, lb = j->bn < d ? j->bn : d;
    bn_limb *lx = y, *ly = y + t->s.n;
    step_tables(t);
    step_forward(t, lx, j->ap, la);
    if (!j->square)
        step_forward(t, ly, j->bp, lb);
    step_finish(t, lx, j->square ? lx : ly);
    ntt_field f;
    field_init(&f, t->p);
    unwrap(x, j->big[i].s.n, lx, d, t->s.n, &f);
}

static void crt_bounds(const ntt_job *j, unsigned r, size_t *lo, size_t *hi)
{
    size_t coeffs = j->c.coeffs;
    *lo = r == 0 ? 0 : (size_t)((bn_dlimb)coeffs * r / j->ranges) & ~(size_t)7;
    *hi = r + 1 == j->ranges ? coeffs : (size_t)((bn_dlimb)coeffs * (r + 1) / j->ranges) & ~(size_t)7;
}

static void job_crt(void *arg, unsigned r)
{
    ntt_job *j = arg;
    size_t lo, hi;
    crt_bounds(j, r, &lo, &hi);
    crt_range(&j->crt, j->rp, j->x, lo, hi, j->carry[r]);
}

/* The scratch: three residue arrays of len = n + d words, then y and the
 * tables (2n + 2M words: the vector build's; the scalar one needs n + 2M),
 * once, or once per prime when helped. Sized for the plain length, which
 * the wrapped layout (N + d <= that length, the rest for the smaller N) never
 * exceeds; so the size only grows with an + bn. */
static size_t scratch_words(size_t an, size_t bn, int helped)
{
    ntt_shape s = ntt_shape_for(an + bn - 1);
    size_t copies = helped ? 3 : 1;
    return 3 * s.n + copies * (s.n + 2 * s.n + 2 * s.M);
}

size_t bn_ntt_scratch(size_t an, size_t bn) { return scratch_words(an, bn, 0); }

size_t bn_ntt_scratch_helped(size_t an, size_t bn) { return scratch_words(an, bn, 1); }

static void job_init(ntt_job *j, bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp,
                     size_t bn, bn_limb *scratch, int helped)
{
    j->ap = ap, j->an = an, j->bp = bp, j->bn = bn;
    j->square = ap == bp && an == bn;
    j->rp = rp;
    j->c = ntt_choose(an, bn);
    size_t n = j->c.big.n, len = n + j->c.wrap;
    ntt_shape plain = ntt_shape_for(an + bn - 1);
    size_t area = plain.n + 2 * plain.n + 2 * plain.M; /* y, then the tables */
    int level = ntt_level();
    for (int i = 0; i < 3; i++) {
        bn_limb *own = scratch + 3 * len + (helped ? (size_t)i * area : 0);
        j->x[i] = scratch + (size_t)i * len;
        j->y[i] = own;
        j->big[i] = transform_for(i, j->c.big, level, own + plain.n);
        if (j->c.wrap)
            j->small[i] = transform_for(i, j->c.small, level, own + plain.n);
    }
    crt_init(&j->crt, n, level);
    j->ranges = helped ? NTT_CRT_RANGES : 1;
}

/* Each range's carry, added where the next range starts. */
static void job_carries(ntt_job *j)
{
    size_t rn = j->an + j->bn;
    for (unsigned r = 0; r + 1 < j->ranges; r++) {
        size_t lo, hi;
        crt_bounds(j, r, &lo, &hi);
        add_limb_at(j->rp, rn, hi, j->carry[r][0]);
        add_limb_at(j->rp, rn, hi + 1, j->carry[r][1]);
    }
}

void bn_ntt_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                bn_limb *scratch)
{
    assert(an >= bn && bn >= 1 && an + bn <= bn_ntt_max_limbs());
    ntt_job j;
    job_init(&j, rp, ap, an, bp, bn, scratch, 0);
    for (unsigned i = 0; i < 3; i++) { /* one prime at a time: y and the tables are shared */
        job_tables(&j, i);
        job_forward(&j, i);
        if (!j.square)
            job_forward(&j, i + 3);
        job_finish(&j, i);
    }
    job_crt(&j, 0);
    rp[j.c.coeffs] = j.carry[0][0];
    assert(j.carry[0][1] == 0);
}

void bn_ntt_mul_helped(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                       bn_limb *scratch, const bignum_helpers *h)
{
    assert(an >= bn && bn >= 1 && an + bn <= bn_ntt_max_limbs());
    ntt_job j;
    job_init(&j, rp, ap, an, bp, bn, scratch, 1);
    h->run(h->ctx, 3, job_tables, &j);
    h->run(h->ctx, j.square ? 3 : 6, job_forward, &j);
    h->run(h->ctx, 3, job_finish, &j);
    h->run(h->ctx, j.ranges, job_crt, &j);
    unsigned last = j.ranges - 1;
    rp[j.c.coeffs] = j.carry[last][0];
    assert(j.carry[last][1] == 0);
    job_carries(&j);
}
