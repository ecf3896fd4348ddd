/* bignum's transform product: number-theoretic transforms modulo three word primes, joined by CRT. */
#include <assert.h>

#include "bignum_impl.h"

/*
 * Limbs are the coefficients: a product coefficient is below N B^2 < 2^185
 * for any length N we can hold, and the three primes multiply to more than
 * 2^185, so the CRT recovers it exactly. The primes are c * 3 * 2^40 + 1 just
 * below 2^62: lengths 2^k and 3 * 2^k up to 3 * 2^40 have roots of unity, and
 * values up to 4p still fit a word (Harvey's lazy butterflies keep them in
 * [0, 2p) or [0, 4p) and reduce only where a bound would be exceeded).
 *
 * Forward transforms are decimation in frequency (natural order in,
 * bit-reversed out), inverse ones decimation in time (bit-reversed in,
 * natural out), so no permutation pass is needed. Twiddle factors multiply by
 * Shoup's method (a precomputed floor(w 2^64 / p) turns the reduction into
 * two low multiplies); pointwise products use Montgomery reduction, whose
 * factor 2^-64 is undone together with 1/N in the CRT step.
 */

typedef struct ntt_prime {
    bn_limb p, g; /* the prime and a generator of its multiplicative group */
} ntt_prime;

static const ntt_prime ntt_primes[3] = {
    {0x3fffc00000000001ULL, 11}, /* 1398080 * 3 * 2^40 + 1 */
    {0x3fff840000000001ULL, 19}, /* 1398060 * 3 * 2^40 + 1 */
    {0x3fff810000000001ULL, 5},  /* 1398059 * 3 * 2^40 + 1 */
};
#define NTT_LOG2_MAX 40

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
 * tw[len + j] = w_{2len}^j for each radix-2 stage len = 1, 2, ..., M/2 and
 * j < len, with Shoup companions in twq; tw[M] = 1 serves the inverse's index
 * 2len - j at len = M/2. The inverse transform uses w^-j = -w^(len-j).
 */
static void radix2_tables(bn_limb *tw, bn_limb *twq, size_t M, bn_limb root_M,
                          const ntt_field *f)
{
    size_t half = M / 2;
    bn_limb rq = shoup_companion(root_M, f), w = 1;
    for (size_t j = 0; j < half; j++) {
        tw[half + j] = w;
        w = reduce_once(shoup_mul(w, root_M, rq, f->p), f->p);
    }
    for (size_t j = 0; j < half; j++)
        twq[half + j] = shoup_companion(tw[half + j], f);
    for (size_t len = half / 2; len >= 1; len /= 2)
        for (size_t j = 0; j < len; j++) {
            tw[len + j] = tw[2 * len + 2 * j];
            twq[len + j] = twq[2 * len + 2 * j];
        }
    tw[M] = 1;
    twq[M] = shoup_companion(1, f);
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
        for (size_t j = 0; j < len; j++) {
            bn_limb u = x0[j], v = x1[j];
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

/* The smallest power of two >= 4 holding coeffs points. */
static size_t ntt_length(size_t coeffs)
{
    size_t n = 4;
    while (n < coeffs)
        n *= 2;
    return n;
}

size_t bn_ntt_max_limbs(void)
{
    return (size_t)1 << NTT_LOG2_MAX; /* a length above any memory this will see */
}

size_t bn_ntt_scratch(size_t an, size_t bn)
{
    size_t n = ntt_length(an + bn - 1);
    /* three residue arrays, the second operand, the radix-2 tables */
    return 4 * n + 2 * (n + 1);
}

/* ---- one prime ----------------------------------------------------------- */

typedef struct ntt_plan {
    size_t n;
    ntt_field f;
    bn_limb *tw, *twq;
    bn_limb one_q; /* Shoup companion of 1 */
} ntt_plan;

static void plan_init(ntt_plan *pl, const ntt_prime *pr, size_t n, bn_limb *tw, bn_limb *twq)
{
    pl->n = n;
    field_init(&pl->f, pr->p);
    pl->tw = tw;
    pl->twq = twq;
    pl->one_q = shoup_companion(1, &pl->f);
    bn_limb root = pow_mod(pr->g, (pr->p - 1) / n, &pl->f);
    radix2_tables(tw, twq, n, root, &pl->f);
}

/* x = transform of the limbs a (zero beyond an), values in [0, 2p). The
 * first stage is fused with loading: each limb enters [0, 2p) by Shoup's
 * product with 1. */
static void forward(bn_limb *x, const bn_limb *ap, size_t an, const ntt_plan *pl)
{
    const ntt_field *f = &pl->f;
    const bn_limb p = f->p, p2 = f->p2, one_q = pl->one_q;
    size_t half = pl->n / 2;
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
    for (size_t j = lo; j < half; j++) {
        x[j] = 0;
        x[j + half] = 0;
    }
    dif(x, half, pl->tw, pl->twq, f);
    dif(x + half, half, pl->tw, pl->twq, f);
}

static void pointwise(bn_limb *x, const bn_limb *y, size_t n, const ntt_field *f)
{
    for (size_t i = 0; i < n; i++)
        x[i] = mont_mul(x[i], y[i], f);
}

static void pointwise_sqr(bn_limb *x, size_t n, const ntt_field *f)
{
    for (size_t i = 0; i < n; i++)
        x[i] = mont_mul(x[i], x[i], f);
}

/* x = n * 2^-64 * (a * b mod (X^n - 1, p)) in [0, 4p). */
static void cyclic_product(bn_limb *x, bn_limb *y, const bn_limb *ap, size_t an,
                           const bn_limb *bp, size_t bn, int square, const ntt_plan *pl)
{
    forward(x, ap, an, pl);
    if (square) {
        pointwise_sqr(x, pl->n, &pl->f);
    } else {
        forward(y, bp, bn, pl);
        pointwise(x, y, pl->n, &pl->f);
    }
    dit(x, pl->n, pl->tw, pl->twq, &pl->f);
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

/*
 * Garner: with r_i the residues of coefficient c,
 *   v0 = r0,  v1 = (r1 - v0) / p0 mod p1,  v2 = (r2 - v0 - v1 p0) / (p0 p1) mod p2,
 *   c = v0 + v1 p0 + v2 p0 p1 < p0 p1 p2.
 * Each r_i first gets the factor 2^64 / n that undoes Montgomery and the
 * transform's scale. The coefficients overlap by two limbs as they are added
 * into the result, so a three-limb running carry joins them.
 */
static void crt_join(bn_limb *rp, size_t rn, const bn_limb *x0, const bn_limb *x1,
                     const bn_limb *x2, size_t n)
{
    ntt_field f0, f1, f2;
    field_init(&f0, ntt_primes[0].p);
    field_init(&f1, ntt_primes[1].p);
    field_init(&f2, ntt_primes[2].p);
    const bn_limb p0 = f0.p, p1 = f1.p, p2 = f2.p;
    /* 2^64 / n mod p_i: from_mont of the inverse of n in Montgomery terms */
    ntt_const s0 = make_const(to_mont(inv_mod(n % p0, &f0), &f0), &f0);
    ntt_const s1 = make_const(to_mont(inv_mod(n % p1, &f1), &f1), &f1);
    ntt_const s2 = make_const(to_mont(inv_mod(n % p2, &f2), &f2), &f2);
    ntt_const inv_p0_mod_p1 = make_const(inv_mod(p0 % p1, &f1), &f1);
    ntt_const p0_mod_p2 = make_const(p0 % p2, &f2);
    ntt_const inv_p01_mod_p2 =
        make_const(inv_mod((bn_limb)(((bn_dlimb)p0 * p1) % p2), &f2), &f2);
    bn_dlimb p01 = (bn_dlimb)p0 * p1;
    bn_limb p01_lo = (bn_limb)p01, p01_hi = (bn_limb)(p01 >> 64);

    bn_limb c0 = 0, c1 = 0, c2 = 0; /* the running sum above position j */
    size_t coeffs = rn - 1;
    for (size_t j = 0; j < coeffs; j++) {
        bn_limb v0 = mulc_full(x0[j], s0, p0);
        bn_limb r1 = mulc_full(x1[j], s1, p1);
        bn_limb v1 = mulc_full(r1 - reduce_once(v0, p1) + p1, inv_p0_mod_p1, p1);
        bn_limb r2 = mulc_full(x2[j], s2, p2);
        bn_limb u = reduce_once(reduce_once(v0, p2) + mulc_full(reduce_once(v1, p2), p0_mod_p2, p2), p2);
        bn_limb v2 = mulc_full(r2 - u + p2, inv_p01_mod_p2, p2);
        /* c = v0 + v1 p0 + v2 p0 p1 */
        bn_dlimb t = (bn_dlimb)v1 * p0 + v0;
        bn_dlimb lo = (bn_dlimb)v2 * p01_lo;
        bn_dlimb hi = (bn_dlimb)v2 * p01_hi;
        bn_dlimb s = (bn_dlimb)(bn_limb)t + (bn_limb)lo + c0;
        rp[j] = (bn_limb)s;
        s = (s >> 64) + (bn_limb)(t >> 64) + (bn_limb)(lo >> 64) + (bn_limb)hi + c1;
        c0 = (bn_limb)s;
        s = (s >> 64) + (bn_limb)(hi >> 64) + c2;
        c1 = (bn_limb)s;
        c2 = (bn_limb)(s >> 64);
    }
    rp[coeffs] = c0;
    assert(c1 == 0 && c2 == 0);
}

/* ---- the product --------------------------------------------------------- */

void bn_ntt_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                bn_limb *scratch)
{
    assert(an >= bn && bn >= 1 && an + bn <= bn_ntt_max_limbs());
    size_t n = ntt_length(an + bn - 1);
    int square = ap == bp && an == bn;
    bn_limb *x[3] = {scratch, scratch + n, scratch + 2 * n};
    bn_limb *y = scratch + 3 * n, *tw = scratch + 4 * n, *twq = tw + n + 1;
    for (int i = 0; i < 3; i++) {
        ntt_plan pl;
        plan_init(&pl, &ntt_primes[i], n, tw, twq);
        cyclic_product(x[i], y, ap, an, bp, bn, square, &pl);
    }
    crt_join(rp, an + bn, x[0], x[1], x[2], n);
}
