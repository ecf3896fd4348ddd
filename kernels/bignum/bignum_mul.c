/* bignum's products below the transform range: schoolbook, Karatsuba, Toom-3, unbalanced cuts. */
#include <assert.h>

#include "bignum_impl.h"

/*
 * Scratch: every algorithm here needs at most 8n + 512 limbs for an n-limb
 * larger operand, counting its recursion (Toom-3 uses 8k+8 for k = ceil(n/3)
 * plus its sub-products' 8(k+1) + 512, which stays under 8n + 512 for n >= 10;
 * Karatsuba 2h plus 8h + 512 for h = ceil(n/2); a cut 2m plus 8m + 512 for
 * pieces of m <= n/1.25 limbs). The transform product has its own size.
 */
#define BN_REC_SCRATCH(n) (8 * (n) + 512)

/*
 * Thresholds (bignum.h), tuned on the development machine (Xeon, Sapphire
 * Rapids, 2 cores under KVM, gcc 12 -O3): each is the size n at which using
 * the next algorithm for the top level of an n x n product (the levels below
 * by the thresholds as set) stopped being slower. The faster schoolbook and
 * add/sub moved the first three (the fourth stayed); these figures are the
 * time with the next algorithm over the time with the old, the median over
 * 100-200 alternated pairs of runs of thread CPU time (best times moved
 * 10-30% between runs on the shared machine, these ratios about 0.03):
 *   Karatsuba   n=24: 1.03  n=26: 1.02-1.06  n=28: 0.99-1.01  n=30: 0.98-1.01
 *               n=32: 0.95-0.96                                                -> 30
 *   sqr Kar.    n=16: 1.03-1.07  n=18: 0.95-0.98  n=20: 0.92  n=24-32: 0.86-0.91
 *               but n=34-38: 1.06-1.11 (halves of 17-19 limbs, the schoolbook
 *               square's slowest sizes), n=48: 0.91, n=64: 0.81-0.85          -> 20
 *   Toom-3      n=160: 1.03  n=170: 1.00  n=180: 0.98  n=200: 0.97  n=220: 0.95 -> 180
 *   sqr Toom-3  n=220: 1.07  n=240: 1.02  n=260: 0.94  n=280: 0.85 (n=320: 1.05) -> 250
 * The transform thresholds, time per product, best of 25 alternated runs of
 * thread CPU time, "old" the algorithm below the threshold:
 *   NTT         n=400: 45.9 vs 55.1 us n=500: 81.2 vs 68.3  n=600: 114 vs 115
 *               n=700: 171 vs 122 us   n=1000: 291 vs 151                    -> 500
 *   sqr NTT     n=500: 65.0 vs 55.0 us n=600: 86.4 vs 92.5  n=700: 108 vs 92.7
 *               n=800: 137 vs 93.2 us                                        -> 700
 * The NTT figures are for the AVX2 transforms; with the scalar ones (CPUs
 * without AVX2) the crossing is near 1500 for both, so there sizes from the
 * threshold to 1500 run about 1.2x slower than they could. The transform's
 * cost moves in steps (its lengths are 2^k and 3 2^k), so near the NTT
 * threshold either side can win by 20% depending on n. The machine is
 * shared, so single figures carry +-10% noise. Rechecked with the thresholds
 * above (median ratios, transform over Toom-3): mul n=400: 1.39, n=500: 0.72;
 * sqr n=600: 1.30, n=700: 0.94, n=800: 0.70; so both stay.
 */

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

/* Scratch of one transform product, run alone or by helpers. */
static size_t ntt_scratch(size_t an, size_t bn, int helped)
{
    return helped ? bn_ntt_scratch_helped(an, bn) : bn_ntt_scratch(an, bn);
}

/* Scratch of mul_big, case by case (see there). */
static size_t big_scratch(size_t an, size_t bn, int helped)
{
    size_t max = bn_ntt_max_limbs();
    if (an + bn <= max)
        return ntt_scratch(an, bn, helped);
    if (2 * bn <= max) {
        /* a last piece too short for the transform goes to mul_rec: its
         * larger operand is b or that piece, below BN_NTT_THRESHOLD */
        size_t piece = max - bn, rec = max_size(bn, BN_NTT_THRESHOLD);
        return piece + bn + max_size(ntt_scratch(piece, bn, helped), BN_REC_SCRATCH(rec));
    }
    size_t h = (bn + 1) / 2;
    return max_size(big_scratch(an, h, helped), an + bn - h + big_scratch(an, bn - h, helped));
}

size_t bn_mul_scratch(size_t an, size_t bn)
{
    assert(an >= bn && bn >= 1);
    size_t need = an == bn ? bn_sqr_scratch(an) : 0; /* bn_mul squares one array given twice */
    if (bn >= BN_NTT_THRESHOLD)
        return max_size(need, big_scratch(an, bn, 0));
    return max_size(need, BN_REC_SCRATCH(an));
}

size_t bn_sqr_scratch(size_t n)
{
    if (n >= BN_SQR_NTT_THRESHOLD)
        return big_scratch(n, n, 0);
    return BN_REC_SCRATCH(n);
}

/* ---- schoolbook ---------------------------------------------------------- */

/*
 * Column by column (product scanning): output limb k is the sum of the
 * products a_i b_j with i + j = k in a three-limb accumulator, which gcc turns
 * into mul, add, adc, adc per product with no store in between (rows of
 * bn_addmul_1 load and store every limb of the result once per row). What
 * one column at a time lost was its start and end: for bn <= 8 each column is
 * unrolled code, beyond that two columns share a pass. n x n on the
 * development machine, ns per limb product, best of 80 alternated runs, one
 * column at a time -> now (GMP's mpn_mul_basecase):
 *   n=4: 1.53 -> 0.64 (0.60)  n=8: 0.96 -> 0.64 (0.56)  n=10: 0.85 -> 0.71 (0.55)
 *   n=16: 0.71 -> 0.62 (0.59) n=24: 0.65 -> 0.59 (0.60) n=32: 0.63 -> 0.57 (0.60)
 *   n=48: 0.61 -> 0.55 (0.63) n=64: 0.59 -> 0.55 (0.65)
 * Squares, ns per n(n+1)/2 products: n=4: 3.48 -> 1.50 (GMP 1.24), n=8:
 * 1.82 -> 0.74 (0.74), n=16: 1.08 -> 0.77 (0.70), n=32: 0.88 -> 0.74 (0.67),
 * n=64: 0.78 -> 0.62 (0.66). A BMI2 build (mulx) measured no faster, so
 * there is none.
 */

/* acc, a two-limb accumulator, and top, its third limb, += x y. */
#define BN_MAC(acc, top, x, y)                                                                    \
    do {                                                                                          \
        bn_dlimb p_ = (bn_dlimb)(x) * (y);                                                        \
        (acc) += p_;                                                                              \
        (top) += (acc) < p_;                                                                      \
    } while (0)

/* A finished column: its low limb goes out, the rest is where the next starts. */
#define BN_COLUMN_OUT(out, acc, top)                                                              \
    do {                                                                                          \
        (out) = (bn_limb)(acc);                                                                   \
        (acc) = ((acc) >> 64) | ((bn_dlimb)(top) << 64);                                          \
    } while (0)

/*
 * A constant bn: every column's products are unrolled, so no column pays for
 * a loop; the price is code, about bn^2 products' worth (6 KB for bn 2 to 8).
 */
static inline __attribute__((always_inline)) void mul_fixed(bn_limb *rp, const bn_limb *ap,
                                                            size_t an, const bn_limb *bp,
                                                            const size_t bn)
{
    bn_dlimb acc = 0;
    bn_limb top;
#pragma GCC unroll 8
    for (size_t k = 0; k + 1 < bn; k++) { /* the low columns: i = 0..k */
        top = 0;
#pragma GCC unroll 8
        for (size_t i = 0; i <= k; i++)
            BN_MAC(acc, top, ap[i], bp[k - i]);
        BN_COLUMN_OUT(rp[k], acc, top);
    }
    for (size_t k = bn - 1; k < an; k++) { /* full columns: bn products */
        const bn_limb *x = ap + k - (bn - 1);
        top = 0;
#pragma GCC unroll 8
        for (size_t j = 0; j < bn; j++)
            BN_MAC(acc, top, x[j], bp[bn - 1 - j]);
        BN_COLUMN_OUT(rp[k], acc, top);
    }
    const bn_limb *a_top = ap + an - 1;
#pragma GCC unroll 8
    for (size_t t = 1; t < bn; t++) { /* the high columns: b_j for j = t..bn-1 */
        top = 0;
#pragma GCC unroll 8
        for (size_t j = t; j < bn; j++)
            BN_MAC(acc, top, *(a_top - (j - t)), bp[j]);
        BN_COLUMN_OUT(rp[an - 1 + t], acc, top);
    }
    rp[an + bn - 1] = (bn_limb)acc;
}

/* Columns k and k+1 take x_i y_(-i) and x_i y_(1-i), i = 0..m-1. */
#define BN_PAIR_TERMS(x, y, m)                                                                    \
    do {                                                                                          \
        const bn_limb *x_ = (x), *x_end_ = x_ + (m), *y_ = (y);                                   \
        for (; x_ != x_end_; x_++, y_--) {                                                        \
            bn_limb v_ = *x_;                                                                     \
            BN_MAC(acc, top, v_, y_[0]);                                                          \
            BN_MAC(acc1, top1, v_, y_[1]);                                                        \
        }                                                                                         \
    } while (0)

/* Both columns out: column k+1 starts from what column k carries. */
#define BN_PAIR_OUT(k)                                                                            \
    do {                                                                                          \
        BN_COLUMN_OUT(rp[k], acc, top);                                                           \
        acc1 += acc;                                                                              \
        top1 += acc1 < acc;                                                                       \
        acc = acc1;                                                                               \
        BN_COLUMN_OUT(rp[(k) + 1], acc, top1);                                                    \
    } while (0)

/*
 * Two columns per pass, an >= bn >= 2: each a_i is loaded once for columns k
 * and k+1, and the two accumulators are independent chains, so the
 * processor overlaps them (a single column's adds form one chain).
 */
static void mul_column_pairs(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp,
                             size_t bn)
{
    bn_dlimb acc = 0, acc1;
    bn_limb top, top1;
    size_t k = 0, last = an + bn - 1;
    for (; k + 1 < bn; k += 2) { /* column k: i = 0..k; column k+1: i = 0..k+1 */
        acc1 = 0, top = top1 = 0;
        BN_PAIR_TERMS(ap, bp + k, k + 1);
        BN_MAC(acc1, top1, ap[k + 1], bp[0]);
        BN_PAIR_OUT(k);
    }
    for (; k + 1 < an; k += 2) { /* column k: i = k-bn+1..k; column k+1: i = k-bn+2..k+1 */
        size_t lo = k - bn + 1;
        acc1 = 0, top = top1 = 0;
        BN_MAC(acc, top, ap[lo], bp[bn - 1]);
        BN_PAIR_TERMS(ap + lo + 1, bp + bn - 2, bn - 1);
        BN_MAC(acc1, top1, ap[k + 1], bp[0]);
        BN_PAIR_OUT(k);
    }
    for (; k + 2 <= last; k += 2) { /* column k: i = k-bn+1..an-1; column k+1: from k-bn+2 */
        size_t lo = k - bn + 1;
        acc1 = 0, top = top1 = 0;
        BN_MAC(acc, top, ap[lo], bp[bn - 1]);
        BN_PAIR_TERMS(ap + lo + 1, bp + bn - 2, an - 1 - lo);
        BN_PAIR_OUT(k);
    }
    if (k < last) { /* one column left, the top one: a_(an-1) b_(bn-1) */
        top = 0;
        BN_MAC(acc, top, ap[an - 1], bp[bn - 1]);
        BN_COLUMN_OUT(rp[k], acc, top);
    }
    rp[last] = (bn_limb)acc;
}

void bn_mul_basecase(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn)
{
    assert(an >= bn && bn >= 1);
    switch (bn) {
    case 1:
        rp[an] = bn_mul_1(rp, ap, an, bp[0]);
        return;
    case 2: mul_fixed(rp, ap, an, bp, 2); return;
    case 3: mul_fixed(rp, ap, an, bp, 3); return;
    case 4: mul_fixed(rp, ap, an, bp, 4); return;
    case 5: mul_fixed(rp, ap, an, bp, 5); return;
    case 6: mul_fixed(rp, ap, an, bp, 6); return;
    case 7: mul_fixed(rp, ap, an, bp, 7); return;
    case 8: mul_fixed(rp, ap, an, bp, 8); return;
    default:
        mul_column_pairs(rp, ap, an, bp, bn);
    }
}

/*
 * Columns k and k+1 (k even) per pass as in mul_column_pairs, with b = a: the
 * products a_i a_j with i < j once, doubled, and a_(k/2)^2 across both
 * columns. n >= 1.
 */
static void sqr_column_pairs(bn_limb *rp, const bn_limb *ap, size_t n)
{
    bn_dlimb carry = 0; /* into column k, below 2^128 */
    for (size_t k = 0; k < 2 * n; k += 2) {
        size_t half = k / 2, from = 0;
        bn_dlimb acc = 0, acc1 = 0;
        bn_limb top = 0, top1 = 0;
        if (k + 1 >= n) { /* column k's first product has no partner in column k+1 */
            from = k - n + 1;
            if (from < half)
                BN_MAC(acc, top, ap[from], ap[n - 1]);
            from++;
        }
        if (from < half)
            BN_PAIR_TERMS(ap + from, ap + k - from, half - from);
        if (half + 1 < n)
            BN_MAC(acc1, top1, ap[half], ap[half + 1]);
        /* twice the sums (their tops stay below n, so this cannot overflow) */
        top = (top << 1) | (bn_limb)(acc >> 127);
        acc <<= 1;
        top1 = (top1 << 1) | (bn_limb)(acc1 >> 127);
        acc1 <<= 1;
        /* the square a_(k/2)^2, and what the columns below carry */
        bn_dlimb sq = (bn_dlimb)ap[half] * ap[half];
        acc += (bn_limb)sq;
        top += acc < (bn_limb)sq;
        acc += carry;
        top += acc < carry;
        acc1 += (bn_limb)(sq >> 64);
        top1 += acc1 < (bn_limb)(sq >> 64);
        BN_PAIR_OUT(k);
        carry = acc;
    }
}

/* A constant n, every column unrolled: one column at a time, its products
 * a_i a_(k-i) with i < k-i once, doubled, plus a_(k/2)^2 in even columns. */
static inline __attribute__((always_inline)) void sqr_fixed(bn_limb *rp, const bn_limb *ap,
                                                            const size_t n)
{
    bn_dlimb carry = 0; /* what the previous columns left, below 2^128 */
#pragma GCC unroll 16
    for (size_t k = 0; k + 1 < 2 * n; k++) {
        bn_dlimb acc = 0;
        bn_limb top = 0;
#pragma GCC unroll 8
        for (size_t i = k >= n ? k - n + 1 : 0; i < k - i; i++)
            BN_MAC(acc, top, ap[i], ap[k - i]);
        top = (top << 1) | (bn_limb)(acc >> 127);
        acc <<= 1;
        if (k % 2 == 0)
            BN_MAC(acc, top, ap[k / 2], ap[k / 2]);
        acc += carry;
        top += acc < carry;
        BN_COLUMN_OUT(rp[k], acc, top);
        carry = acc;
    }
    rp[2 * n - 1] = (bn_limb)carry;
}

static void sqr_small(bn_limb *rp, const bn_limb *ap, size_t n)
{
    switch (n) {
    case 1: sqr_fixed(rp, ap, 1); return;
    case 2: sqr_fixed(rp, ap, 2); return;
    case 3: sqr_fixed(rp, ap, 3); return;
    case 4: sqr_fixed(rp, ap, 4); return;
    case 5: sqr_fixed(rp, ap, 5); return;
    case 6: sqr_fixed(rp, ap, 6); return;
    case 7: sqr_fixed(rp, ap, 7); return;
    case 8: sqr_fixed(rp, ap, 8); return;
    }
    assert(0);
}

/*
 * Up to 8 limbs every column is unrolled; up to 16, a = lo + hi B^h squares
 * as lo^2 + hi^2 B^2h + 2 lo hi B^h, all three pieces unrolled code (column
 * pairs, whose passes start and end with more work, are slower there, and
 * faster from about 20 limbs on).
 */
void bn_sqr_basecase(bn_limb *rp, const bn_limb *ap, size_t n)
{
    assert(n >= 1);
    if (n <= 8) {
        sqr_small(rp, ap, n);
    } else if (n <= 16) {
        size_t h = n - n / 2, m = n / 2;
        bn_limb mid[16];
        sqr_small(rp, ap, h);
        sqr_small(rp + 2 * h, ap + h, m);
        bn_mul_basecase(mid, ap, h, ap + h, m);
        bn_limb carry = bn_add_n(rp + h, rp + h, mid, n);
        carry += bn_add_n(rp + h, rp + h, mid, n);
        carry = bn_add_1(rp + h + n, rp + h + n, m, carry);
        assert(carry == 0);
        (void)carry;
    } else {
        sqr_column_pairs(rp, ap, n);
    }
}

/* ---- helpers ------------------------------------------------------------- */

/* rp[0..an) = |a - b| for an >= bn; returns 1 when a < b. */
static int bn_abs_diff(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn)
{
    size_t i = an;
    while (i > bn) {
        if (ap[i - 1] != 0) {
            bn_sub(rp, ap, an, bp, bn);
            return 0;
        }
        i--;
    }
    if (bn_cmp(ap, bp, bn) >= 0) {
        bn_sub_n(rp, ap, bp, bn);
        bn_zero(rp + bn, an - bn);
        return 0;
    }
    bn_sub_n(rp, bp, ap, bn);
    bn_zero(rp + bn, an - bn);
    return 1;
}

/* rp[0..rn) += wp[0..wn); the sum fits (the caller knows the total). */
static void bn_add_into(bn_limb *rp, size_t rn, const bn_limb *wp, size_t wn)
{
    if (wn > rn) {
        assert(bn_normalized_size(wp + rn, wn - rn) == 0);
        wn = rn;
    }
    bn_limb carry = bn_add(rp, rp, rn, wp, wn);
    assert(carry == 0);
    (void)carry;
}

/* Joins a partial product tp[0..lo+hi) that starts lo limbs below the top of
 * what rp already holds: rp[0..lo) += tp[0..lo), rp[lo..lo+hi) = the rest
 * plus the carry. The total fits (the caller knows it). */
static void add_partial_product(bn_limb *rp, const bn_limb *tp, size_t lo, size_t hi)
{
    bn_limb carry = bn_add_n(rp, rp, tp, lo);
    carry = bn_add_1(rp + lo, tp + lo, hi, carry);
    assert(carry == 0);
    (void)carry;
}

static void mul_rec(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                    bn_limb *ws);
static void sqr_rec(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *ws);

/* ---- Karatsuba ----------------------------------------------------------- */

/* an >= bn > h = ceil(an/2): a = a1 B^h + a0, b = b1 B^h + b0, and
 * a*b = z0 + (z0 + z2 - (a0-a1)(b0-b1)) B^h + z2 B^2h. */
static void mul_karatsuba(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                          bn_limb *ws)
{
    size_t h = (an + 1) / 2, a1n = an - h, b1n = bn - h, rn = an + bn;
    assert(bn > h);
    bn_limb *zm = ws, *next = ws + 2 * h;
    /* The differences live in rp until z0 overwrites them. */
    int neg = bn_abs_diff(rp, ap, h, ap + h, a1n) ^ bn_abs_diff(rp + h, bp, h, bp + h, b1n);
    mul_rec(zm, rp, h, rp + h, h, next);
    mul_rec(rp, ap, h, bp, h, next);
    mul_rec(rp + 2 * h, ap + h, a1n, bp + h, b1n, next);

    long cy;
    if (neg)
        cy = (long)bn_add_n(zm, rp, zm, 2 * h);
    else
        cy = -(long)bn_sub_n(zm, rp, zm, 2 * h);
    cy += (long)bn_add(zm, zm, 2 * h, rp + 2 * h, a1n + b1n);
    assert(cy >= 0 && cy <= 1); /* the middle term a0 b1 + a1 b0 is below 2 B^2h */
    bn_limb carry = bn_add_n(rp + h, rp + h, zm, 2 * h) + (bn_limb)cy;
    carry = bn_add_1(rp + 3 * h, rp + 3 * h, rn - 3 * h, carry);
    assert(carry == 0);
    (void)carry;
}

static void sqr_karatsuba(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *ws)
{
    size_t h = (n + 1) / 2, a1n = n - h;
    bn_limb *zm = ws, *next = ws + 2 * h;
    bn_abs_diff(rp, ap, h, ap + h, a1n);
    sqr_rec(zm, rp, h, next);
    sqr_rec(rp, ap, h, next);
    sqr_rec(rp + 2 * h, ap + h, a1n, next);

    long cy = -(long)bn_sub_n(zm, rp, zm, 2 * h);
    cy += (long)bn_add(zm, zm, 2 * h, rp + 2 * h, 2 * a1n);
    assert(cy >= 0 && cy <= 1);
    bn_limb carry = bn_add_n(rp + h, rp + h, zm, 2 * h) + (bn_limb)cy;
    carry = bn_add_1(rp + 3 * h, rp + 3 * h, 2 * n - 3 * h, carry);
    assert(carry == 0);
    (void)carry;
}

/* ---- Toom-3 -------------------------------------------------------------- */

/*
 * a = a2 X^2 + a1 X + a0 with X = B^k, likewise b; the product's five
 * coefficients come from its values at 0, 1, -1, 2 and infinity. The
 * interpolation works in L = 2k+2 limb two's complement, where every
 * intermediate (at most about 50 B^2k in size) keeps its sign, and exact
 * division by 3 and by 2 are a Hensel division and a shift:
 *   t3 = (W2 - Wm1)/3 = c1 + c2 + 3c3 + 5c4    t1 = (W1 - Wm1)/2 = c1 + c3
 *   t2 = Wm1 - W0     = -c1 + c2 - c3 + c4     t3 = (t3 - t2)/2  = c1 + 2c3 + 2c4
 *   c2 = t2 + t1 - W∞    c3 = t3 - t1 - 2W∞    c1 = t1 - c3
 */
static void toom3_interpolate(bn_limb *rp, size_t k, size_t rn, bn_limb *w1, bn_limb *wm1,
                              int wm1_negative, bn_limb *w2)
{
    size_t L = 2 * k + 2, winf_n = rn - 4 * k;
    const bn_limb *w0 = rp, *winf = rp + 4 * k;
    if (wm1_negative) {
        bn_add_n(w2, w2, wm1, L);
        bn_add_n(w1, w1, wm1, L);
    } else {
        bn_sub_n(w2, w2, wm1, L);
        bn_sub_n(w1, w1, wm1, L);
    }
    bn_divexact_by3(w2, w2, L);
    bn_rshift(w1, w1, L, 1);
    if (wm1_negative) { /* t2 = -M - W0: negate M in place first */
        for (size_t i = 0; i < L; i++)
            wm1[i] = ~wm1[i];
        bn_add_1(wm1, wm1, L, 1);
    }
    bn_sub(wm1, wm1, L, w0, 2 * k);
    bn_sub_n(w2, w2, wm1, L);
    bn_rshift(w2, w2, L, 1);
    bn_add_n(wm1, wm1, w1, L);
    bn_sub(wm1, wm1, L, winf, winf_n);
    bn_sub_n(w2, w2, w1, L);
    bn_sub(w2, w2, L, winf, winf_n);
    bn_sub(w2, w2, L, winf, winf_n);
    bn_sub_n(w1, w1, w2, L);

    /* rp holds c0 in [0, 2k) and c4 in [4k, rn); add c1, c2, c3 at k, 2k, 3k. */
    bn_zero(rp + 2 * k, 2 * k);
    bn_add_into(rp + k, rn - k, w1, L);
    bn_add_into(rp + 2 * k, rn - 2 * k, wm1, L);
    bn_add_into(rp + 3 * k, rn - 3 * k, w2, L);
}

/* an >= bn > 2k, k = ceil(an/3). Scratch 8k + 8 plus the sub-products'. */
static void mul_toom3(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                      bn_limb *ws)
{
    size_t k = (an + 2) / 3, L = 2 * k + 2, a2n = an - 2 * k, b2n = bn - 2 * k;
    assert(bn > 2 * k && a2n >= b2n);
    const bn_limb *a0 = ap, *a1 = ap + k, *a2 = ap + 2 * k;
    const bn_limb *b0 = bp, *b1 = bp + k, *b2 = bp + 2 * k;
    bn_limb *w1 = ws, *wm1 = ws + L, *w2 = ws + 2 * L;
    bn_limb *ea = ws + 3 * L, *eb = ea + k + 1, *next = eb + k + 1;

    ea[k] = bn_add(ea, a0, k, a2, a2n); /* a0 + a2 */
    eb[k] = bn_add(eb, b0, k, b2, b2n);
    /* Values at -1 sit in w2 until W2 is computed. */
    int negm1 = bn_abs_diff(w2, ea, k + 1, a1, k) ^ bn_abs_diff(w2 + k + 1, eb, k + 1, b1, k);
    mul_rec(wm1, w2, k + 1, w2 + k + 1, k + 1, next);
    ea[k] += bn_add_n(ea, ea, a1, k); /* a0 + a1 + a2 */
    eb[k] += bn_add_n(eb, eb, b1, k);
    mul_rec(w1, ea, k + 1, eb, k + 1, next);
    /* a(2) = 2 (a(1) + a2) - a0 */
    bn_add(ea, ea, k + 1, a2, a2n);
    bn_lshift(ea, ea, k + 1, 1);
    bn_sub(ea, ea, k + 1, a0, k);
    bn_add(eb, eb, k + 1, b2, b2n);
    bn_lshift(eb, eb, k + 1, 1);
    bn_sub(eb, eb, k + 1, b0, k);
    mul_rec(w2, ea, k + 1, eb, k + 1, next);
    mul_rec(rp, a0, k, b0, k, next);
    mul_rec(rp + 4 * k, a2, a2n, b2, b2n, next);
    toom3_interpolate(rp, k, an + bn, w1, wm1, negm1, w2);
}

static void sqr_toom3(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *ws)
{
    size_t k = (n + 2) / 3, L = 2 * k + 2, a2n = n - 2 * k;
    const bn_limb *a0 = ap, *a1 = ap + k, *a2 = ap + 2 * k;
    bn_limb *w1 = ws, *wm1 = ws + L, *w2 = ws + 2 * L;
    bn_limb *ea = ws + 3 * L, *next = ea + k + 1;

    ea[k] = bn_add(ea, a0, k, a2, a2n);
    bn_abs_diff(w2, ea, k + 1, a1, k);
    sqr_rec(wm1, w2, k + 1, next);
    ea[k] += bn_add_n(ea, ea, a1, k);
    sqr_rec(w1, ea, k + 1, next);
    bn_add(ea, ea, k + 1, a2, a2n);
    bn_lshift(ea, ea, k + 1, 1);
    bn_sub(ea, ea, k + 1, a0, k);
    sqr_rec(w2, ea, k + 1, next);
    sqr_rec(rp, a0, k, next);
    sqr_rec(rp + 4 * k, a2, a2n, next);
    toom3_interpolate(rp, k, 2 * n, w1, wm1, 0, w2);
}

/* ---- unbalanced operands ------------------------------------------------- */

/* an >= 2bn - 1: cut a into bn-limb pieces and add up the piece products. */
static void mul_pieces(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                       bn_limb *ws)
{
    bn_limb *tmp = ws, *next = ws + 2 * bn;
    mul_rec(rp, ap, bn, bp, bn, next);
    for (size_t done = bn; done < an;) {
        size_t len = an - done < bn ? an - done : bn;
        mul_rec(tmp, bp, bn, ap + done, len, next);
        add_partial_product(rp + done, tmp, bn, len);
        done += len;
    }
}

/* ---- dispatch ------------------------------------------------------------ */

static void mul_rec(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                    bn_limb *ws)
{
    if (an < bn) {
        const bn_limb *t = ap;
        ap = bp;
        bp = t;
        size_t tn = an;
        an = bn;
        bn = tn;
    }
    if (bn < BN_KARATSUBA_THRESHOLD) {
        bn_mul_basecase(rp, ap, an, bp, bn);
        return;
    }
    size_t h = (an + 1) / 2, k = (an + 2) / 3;
    if (bn >= BN_TOOM3_THRESHOLD && bn > 2 * k)
        mul_toom3(rp, ap, an, bp, bn, ws);
    else if (bn > h)
        mul_karatsuba(rp, ap, an, bp, bn, ws);
    else
        mul_pieces(rp, ap, an, bp, bn, ws);
}

static void sqr_rec(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *ws)
{
    if (n < BN_SQR_KARATSUBA_THRESHOLD)
        bn_sqr_basecase(rp, ap, n);
    else if (n < BN_SQR_TOOM3_THRESHOLD)
        sqr_karatsuba(rp, ap, n, ws);
    else
        sqr_toom3(rp, ap, n, ws);
}

/* One transform product, alone (h NULL) or with its steps run by h. */
static void ntt_product(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                        bn_limb *ws, const bignum_helpers *h)
{
    if (h)
        bn_ntt_mul_helped(rp, ap, an, bp, bn, ws, h);
    else
        bn_ntt_mul(rp, ap, an, bp, bn, ws);
}

/*
 * From the transform threshold on: one transform when the product has at
 * most BN_NTT_MAX_COEFFS coefficients; otherwise a is cut into pieces that
 * fit beside b, or, when b alone is too long for that, b is cut in two. The
 * pieces' transforms run one after another, each helped when h is given.
 */
static void mul_big(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                    bn_limb *ws, const bignum_helpers *h)
{
    size_t max = bn_ntt_max_limbs();
    if (an + bn <= max) {
        ntt_product(rp, ap, an, bp, bn, ws, h);
        return;
    }
    if (2 * bn <= max) {
        size_t piece = max - bn; /* >= bn */
        bn_limb *tmp = ws, *next = ws + piece + bn;
        ntt_product(rp, ap, piece, bp, bn, next, h);
        for (size_t done = piece; done < an;) {
            size_t len = an - done < piece ? an - done : piece;
            if (len < BN_NTT_THRESHOLD)
                mul_rec(tmp, ap + done, len, bp, bn, next);
            else if (len >= bn)
                ntt_product(tmp, ap + done, len, bp, bn, next, h);
            else
                ntt_product(tmp, bp, bn, ap + done, len, next, h);
            add_partial_product(rp + done, tmp, bn, len);
            done += len;
        }
        return;
    }
    size_t h2 = (bn + 1) / 2, b1n = bn - h2;
    bn_limb *tmp = ws, *next = ws + an + b1n;
    mul_big(rp, ap, an, bp, h2, ws, h);
    mul_big(tmp, ap, an, bp + h2, b1n, next, h);
    add_partial_product(rp + h2, tmp, an, b1n);
}

size_t bn_mul_helped_scratch(size_t an, size_t bn)
{
    assert(an >= bn && bn >= 1);
    return big_scratch(an, bn, 1);
}

void bn_mul_helped(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                   bn_limb *scratch, const bignum_helpers *h)
{
    assert(an >= bn && bn >= 1 && h);
    assert(bn >= (ap == bp && an == bn ? BN_SQR_NTT_THRESHOLD : BN_NTT_THRESHOLD));
    mul_big(rp, ap, an, bp, bn, scratch, h);
}

void bn_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
            bn_limb *scratch)
{
    assert(an >= bn && bn >= 1);
    if (ap == bp && an == bn)
        bn_sqr(rp, ap, an, scratch);
    else if (bn >= BN_NTT_THRESHOLD)
        mul_big(rp, ap, an, bp, bn, scratch, NULL);
    else
        mul_rec(rp, ap, an, bp, bn, scratch);
}

void bn_sqr(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *scratch)
{
    assert(n >= 1);
    if (n >= BN_SQR_NTT_THRESHOLD)
        mul_big(rp, ap, n, ap, n, scratch, NULL); /* one transform squares */
    else
        sqr_rec(rp, ap, n, scratch);
}
