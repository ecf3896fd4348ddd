/* bignum's division by a many-limb divisor: Newton reciprocals and quotients from them. */
#include <assert.h>

#include "bignum_impl.h"

/* rp = a*b for arrays in either order (an, bn >= 1). */
static void mul_any(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                    bn_limb *scratch)
{
    if (an >= bn)
        bn_mul(rp, ap, an, bp, bn, scratch);
    else
        bn_mul(rp, bp, bn, ap, an, scratch);
}

/*
 * Scratch for X = floor((B^2n - 1)/D) at n limbs: X_h (h + 1 limbs, kept
 * across the recursion) plus the larger of the recursion's own need and this
 * level's products, P0 (n + h + 1), the correction (n + 2), P and P + D
 * (2n + 1 each) and their multiplication scratch. 16n + 64 + M(n+1) covers
 * (h + 1) + max(S(h), 7n + 5 + M(n+1)) for every n >= 2.
 */
size_t bn_invert_scratch(size_t n)
{
    return 16 * n + 64 + bn_mul_scratch(n + 1, n + 1);
}

/*
 * xp[0..n] = X = B^n + I. One Newton step from the reciprocal X_h of D's top
 * h = ceil(n/2) limbs: with E = B^(n+h) - D X_h (|E| < 2 B^n),
 *   X ~ X_h B^(n-h) + X_h E / B^2h,
 * which is within a few units of the true X; an exact check with P = D X then
 * moves X by single steps until D X <= B^2n - 1 < D (X + 1).
 */
static void invert_rec(bn_limb *xp, const bn_limb *dp, size_t n, bn_limb *ws)
{
    if (n == 1) {
        xp[0] = bn_reciprocal_word(dp[0]);
        xp[1] = 1;
        return;
    }
    size_t h = (n + 1) / 2;
    bn_limb *xh = ws, *rest = ws + h + 1;
    invert_rec(xh, dp + (n - h), h, rest);

    bn_limb *p0 = rest, *corr = p0 + n + h + 1, *p = corr + n + 2, *t = p + 2 * n + 1;
    bn_limb *mws = t + 2 * n + 1;
    bn_mul(p0, dp, n, xh, h + 1, mws);
    /* |E| in p0[0..n+h): E = B^(n+h) - P0 is positive when P0 < B^(n+h). */
    int e_positive = p0[n + h] == 0;
    if (e_positive) {
        for (size_t i = 0; i < n + h; i++)
            p0[i] = ~p0[i];
        bn_add_1(p0, p0, n + h, 1);
    }
    /* Only E's top limbs matter: |E| / B^h has n - h + 1 limbs. */
    mul_any(corr, xh, h + 1, p0 + h, n - h + 1, mws);
    const bn_limb *c = corr + h; /* X_h E / B^2h, n - h + 2 limbs */
    size_t cn = n - h + 2;

    /* X = X_h B^(n-h) +- c, in n + 1 limbs */
    bn_zero(xp, n - h);
    bn_copy(xp + (n - h), xh, h + 1);
    if (e_positive)
        bn_add(xp, xp, n + 1, c, cn > n + 1 ? n + 1 : cn);
    else
        bn_sub(xp, xp, n + 1, c, cn > n + 1 ? n + 1 : cn);

    bn_mul(p, xp, n + 1, dp, n, mws);
    while (p[2 * n] != 0) { /* D X >= B^2n: X too large */
        bn_sub_1(xp, xp, n + 1, 1);
        bn_sub(p, p, 2 * n + 1, dp, n);
    }
    for (;;) { /* D (X + 1) <= B^2n - 1: X too small */
        bn_add(t, p, 2 * n + 1, dp, n);
        if (t[2 * n] != 0)
            break;
        bn_copy(p, t, 2 * n + 1);
        bn_add_1(xp, xp, n + 1, 1);
    }
}

void bn_invert(bn_limb *ip, const bn_limb *dp, size_t n, bn_limb *scratch)
{
    assert(n >= 1 && (dp[n - 1] >> (BN_LIMB_BITS - 1)) == 1);
    bn_limb *xp = scratch, *ws = scratch + n + 1;
    invert_rec(xp, dp, n, ws);
    assert(xp[n] == 1);
    bn_copy(ip, xp, n);
}

size_t bn_div_preinv_scratch(size_t dn)
{
    return 6 * dn + 8 + bn_mul_scratch(dn + 1, dn + 1);
}

/*
 * With N = N1 B^dn + N0, N1 < D and I = floor((B^2dn - 1)/D) - B^dn, the
 * estimate q = N1 + floor(N1 I / B^dn) is never above the true quotient and at
 * most a few below it, so r = N - q D needs only its low dn + 1 limbs and a
 * few subtractions of D.
 */
void bn_div_qr_preinv(bn_limb *qp, bn_limb *rp, const bn_limb *np, size_t nn, const bn_limb *dp,
                      size_t dn, const bn_limb *ip, bn_limb *scratch)
{
    assert(dn >= 1 && nn >= dn && nn <= 2 * dn);
    assert((dp[dn - 1] >> (BN_LIMB_BITS - 1)) == 1);
    size_t qn = nn - dn;
    if (qn == 0) { /* N < B^dn <= 2D */
        int ge = bn_cmp(np, dp, dn) >= 0;
        qp[0] = (bn_limb)ge;
        if (ge)
            bn_sub_n(rp, np, dp, dn);
        else
            bn_copy(rp, np, dn);
        return;
    }
    const bn_limb *n1 = np + dn;
    assert(qn < dn || bn_cmp(n1, dp, dn) < 0);
    bn_limb *t = scratch, *q = t + dn + qn, *qd = q + qn + 1, *r = qd + qn + 1 + dn;
    bn_limb *mws = r + dn + 1;

    bn_mul(t, ip, dn, n1, qn, mws);
    q[qn] = bn_add_n(q, n1, t + dn, qn);
    size_t qlen = qn + 1 - (q[qn] == 0);
    mul_any(qd, dp, dn, q, qlen, mws);
    bn_sub_n(r, np, qd, dn + 1); /* modulo B^(dn+1): the true remainder is below 5D */
    while (r[dn] != 0 || bn_cmp(r, dp, dn) >= 0) {
        r[dn] -= bn_sub_n(r, r, dp, dn);
        bn_add_1(q, q, qn + 1, 1);
    }
    bn_copy(qp, q, qn + 1);
    bn_copy(rp, r, dn);
}
