/* bignum's linear-time limb primitives: carries, word products, shifts, word division. */
#include <assert.h>

#include "bignum_impl.h"

#include <stdatomic.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* One limb of an add or subtract chain, stored to an array's limb. On x86-64
 * the intrinsics let gcc keep the carry in the flags (adc/sbb); elsewhere a
 * double-limb sum carries it. The intrinsic stores straight to *out: its
 * store is the builtin's, which gcc emits without type-based alias
 * information, so a uint64_t may be written through the unsigned long long
 * pointer it takes. (Through a local temporary gcc 12 adds a dead stack store
 * per limb; for a local result, as in the word products below, bn_addcarry.) */
static inline unsigned char bn_addcarry_to(unsigned char c, bn_limb a, bn_limb b, bn_limb *out)
{
#if defined(__x86_64__)
    return _addcarry_u64(c, a, b, (unsigned long long *)out);
#else
    bn_dlimb t = (bn_dlimb)a + b + c;
    *out = (bn_limb)t;
    return (unsigned char)(t >> 64);
#endif
}

static inline unsigned char bn_subborrow_to(unsigned char c, bn_limb a, bn_limb b, bn_limb *out)
{
#if defined(__x86_64__)
    return _subborrow_u64(c, a, b, (unsigned long long *)out);
#else
    bn_dlimb t = (bn_dlimb)a - b - c;
    *out = (bn_limb)t;
    return (unsigned char)(t >> 64) & 1;
#endif
}

/*
 * Eight limbs per pass: gcc keeps the carry in the flags through the eight
 * adc (or sbb) and saves it to a register only between passes. A double-limb
 * sum per limb instead carries through a register, a two-instruction chain.
 * bn_add_n at 20-1000 limbs on the development machine, best of 20 alternated
 * runs: 0.90-1.28 ns per limb that way, 0.36-0.45 this way (GMP's assembly
 * 0.31-0.41). Karatsuba and Toom-3 lean on these. rp may equal ap or bp:
 * each limb is read before it is written.
 */
bn_limb bn_add_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n)
{
    unsigned char c = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
#pragma GCC unroll 8
        for (size_t j = 0; j < 8; j++)
            c = bn_addcarry_to(c, ap[i + j], bp[i + j], &rp[i + j]);
    }
    for (; i < n; i++)
        c = bn_addcarry_to(c, ap[i], bp[i], &rp[i]);
    return c;
}

bn_limb bn_sub_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n)
{
    unsigned char c = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
#pragma GCC unroll 8
        for (size_t j = 0; j < 8; j++)
            c = bn_subborrow_to(c, ap[i + j], bp[i + j], &rp[i + j]);
    }
    for (; i < n; i++)
        c = bn_subborrow_to(c, ap[i], bp[i], &rp[i]);
    return c;
}

bn_limb bn_add_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    size_t i = 0;
    for (; i < n && b; i++) {
        bn_limb s = ap[i] + b;
        b = s < b;
        rp[i] = s;
    }
    if (rp != ap)
        bn_copy(rp + i, ap + i, n - i);
    return b;
}

bn_limb bn_sub_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    size_t i = 0;
    for (; i < n && b; i++) {
        bn_limb a = ap[i];
        rp[i] = a - b;
        b = a < b;
    }
    if (rp != ap)
        bn_copy(rp + i, ap + i, n - i);
    return b;
}

bn_limb bn_add(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn)
{
    assert(an >= bn);
    bn_limb carry = bn_add_n(rp, ap, bp, bn);
    return bn_add_1(rp + bn, ap + bn, an - bn, carry);
}

bn_limb bn_sub(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn)
{
    assert(an >= bn);
    bn_limb borrow = bn_sub_n(rp, ap, bp, bn);
    return bn_sub_1(rp + bn, ap + bn, an - bn, borrow);
}

/*
 * The word products are the product kernel's inner loop (three fifths of a
 * serial product B run). With a `mul` instruction, which clobbers the flags,
 * the carry has to travel through a register: t = a*b + carry is
 * mul/add/adc with a two-instruction chain per limb. With BMI2's mulx, which
 * leaves the flags alone, four products can be formed first and joined by one
 * add/adc chain (1.25 instructions per limb). So on x86-64 each body is
 * compiled twice, for the baseline and with BMI2, and the first call picks
 * the one this CPU runs; both are exported (bignum_impl.h) so that the tests
 * check both.
 */
static inline unsigned char bn_addcarry(unsigned char c, bn_limb a, bn_limb b, bn_limb *out)
{
#if defined(__x86_64__)
    unsigned long long r;
    c = _addcarry_u64(c, a, b, &r);
    *out = r;
    return c;
#else
    bn_dlimb t = (bn_dlimb)a + b + c;
    *out = (bn_limb)t;
    return (unsigned char)(t >> 64);
#endif
}

static inline __attribute__((always_inline)) bn_limb mul_1_body(bn_limb *rp, const bn_limb *ap,
                                                                 size_t n, bn_limb b)
{
    bn_limb hi = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        bn_dlimb p0 = (bn_dlimb)ap[i] * b, p1 = (bn_dlimb)ap[i + 1] * b;
        bn_dlimb p2 = (bn_dlimb)ap[i + 2] * b, p3 = (bn_dlimb)ap[i + 3] * b;
        unsigned char c = bn_addcarry(0, (bn_limb)p0, hi, &rp[i]);
        c = bn_addcarry(c, (bn_limb)p1, (bn_limb)(p0 >> 64), &rp[i + 1]);
        c = bn_addcarry(c, (bn_limb)p2, (bn_limb)(p1 >> 64), &rp[i + 2]);
        c = bn_addcarry(c, (bn_limb)p3, (bn_limb)(p2 >> 64), &rp[i + 3]);
        hi = (bn_limb)(p3 >> 64) + c; /* a*b + hi < B^2: no overflow */
    }
    for (; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + hi;
        rp[i] = (bn_limb)t;
        hi = (bn_limb)(t >> 64);
    }
    return hi;
}

static inline __attribute__((always_inline)) bn_limb addmul_1_body(bn_limb *rp,
                                                                    const bn_limb *ap, size_t n,
                                                                    bn_limb b)
{
    bn_limb hi = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        bn_dlimb p0 = (bn_dlimb)ap[i] * b, p1 = (bn_dlimb)ap[i + 1] * b;
        bn_dlimb p2 = (bn_dlimb)ap[i + 2] * b, p3 = (bn_dlimb)ap[i + 3] * b;
        bn_limb s0, s1, s2, s3;
        unsigned char c = bn_addcarry(0, (bn_limb)p0, hi, &s0);
        c = bn_addcarry(c, (bn_limb)p1, (bn_limb)(p0 >> 64), &s1);
        c = bn_addcarry(c, (bn_limb)p2, (bn_limb)(p1 >> 64), &s2);
        c = bn_addcarry(c, (bn_limb)p3, (bn_limb)(p2 >> 64), &s3);
        hi = (bn_limb)(p3 >> 64) + c;
        c = bn_addcarry(0, rp[i], s0, &rp[i]);
        c = bn_addcarry(c, rp[i + 1], s1, &rp[i + 1]);
        c = bn_addcarry(c, rp[i + 2], s2, &rp[i + 2]);
        c = bn_addcarry(c, rp[i + 3], s3, &rp[i + 3]);
        hi += c; /* r + a*b + hi over four limbs is below B^5: no overflow */
    }
    for (; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + rp[i] + hi;
        rp[i] = (bn_limb)t;
        hi = (bn_limb)(t >> 64);
    }
    return hi;
}

bn_limb bn_mul_1_generic(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return mul_1_body(rp, ap, n, b);
}

bn_limb bn_addmul_1_generic(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return addmul_1_body(rp, ap, n, b);
}

#if BN_HAVE_BMI2_VARIANTS
/*
 * The BMI2 bodies state their four-limb step in assembly. From the C bodies
 * above gcc 12 keeps the carry between steps in a stack slot, so every step
 * waits for a store to reach a load: bn_mul_1 ran at 3.4 cycles per limb on
 * the development machine's EPYC (0.91 ns, GMP's mpn_mul_1 0.69 ns). With
 * the carry in a register the step is the mulx four and one add/adc chain:
 * 1.84 cycles per limb (bench/bignum_vs_gmp's mul_1 row). Each step reads
 * its four limbs of ap before it writes rp, so rp may equal ap; the tail
 * (n mod 4 limbs) stays in C. The step asks for ten registers at most: an
 * -O0 build (the sanitizers') has no more to give.
 */
#define BN_MUL_4_STEP                                                                       \
    "mulx (%[a]), %[l0], %[h0]\n\t"                                                       \
    "add %[hi], %[l0]\n\t"                                                                \
    "mulx 8(%[a]), %[l1], %[h1]\n\t"                                                      \
    "adc %[h0], %[l1]\n\t"                                                                \
    "mulx 16(%[a]), %[l2], %[h0]\n\t"                                                     \
    "adc %[h1], %[l2]\n\t"                                                                \
    "mulx 24(%[a]), %[l3], %[hi]\n\t"                                                     \
    "adc %[h0], %[l3]\n\t"                                                                \
    "adc $0, %[hi]\n\t" /* a*b + carry < B^5: no carry out */

__attribute__((target("bmi2"))) bn_limb bn_mul_1_bmi2(bn_limb *rp, const bn_limb *ap, size_t n,
                                                       bn_limb b)
{
    bn_limb hi = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        bn_limb l0, l1, l2, l3, h0, h1;
        __asm__(BN_MUL_4_STEP
                "mov %[l0], (%[r])\n\t"
                "mov %[l1], 8(%[r])\n\t"
                "mov %[l2], 16(%[r])\n\t"
                "mov %[l3], 24(%[r])"
                : [l0] "=&r"(l0), [l1] "=&r"(l1), [l2] "=&r"(l2), [l3] "=&r"(l3),
                  [h0] "=&r"(h0), [h1] "=&r"(h1), [hi] "+&r"(hi)
                : [a] "r"(ap + i), [r] "r"(rp + i), "d"(b)
                : "cc", "memory");
    }
    for (; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + hi;
        rp[i] = (bn_limb)t;
        hi = (bn_limb)(t >> 64);
    }
    return hi;
}

/* rp += ap * b: the step above, then a second chain adds its four limbs to
 * rp's in place. 2.2-2.8 cycles per limb against the C body's 3.0 (GMP's
 * mpn_addmul_1 2.6), on the same machine. */
__attribute__((target("bmi2"))) bn_limb bn_addmul_1_bmi2(bn_limb *rp, const bn_limb *ap,
                                                          size_t n, bn_limb b)
{
    bn_limb hi = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        bn_limb l0, l1, l2, l3, h0, h1;
        __asm__(BN_MUL_4_STEP
                "add %[l0], (%[r])\n\t"
                "adc %[l1], 8(%[r])\n\t"
                "adc %[l2], 16(%[r])\n\t"
                "adc %[l3], 24(%[r])\n\t"
                "adc $0, %[hi]" /* r + a*b + carry < B^5: no carry out */
                : [l0] "=&r"(l0), [l1] "=&r"(l1), [l2] "=&r"(l2), [l3] "=&r"(l3),
                  [h0] "=&r"(h0), [h1] "=&r"(h1), [hi] "+&r"(hi)
                : [a] "r"(ap + i), [r] "r"(rp + i), "d"(b)
                : "cc", "memory");
    }
    for (; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + rp[i] + hi;
        rp[i] = (bn_limb)t;
        hi = (bn_limb)(t >> 64);
    }
    return hi;
}
#undef BN_MUL_4_STEP

int bn_cpu_has_bmi2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi2");
}

typedef bn_limb (*bn_word_product_fn)(bn_limb *, const bn_limb *, size_t, bn_limb);

/* The build this CPU runs, chosen on first use; racing first uses store the
 * same pointer. (An ifunc would do the same through the GOT, but its resolver
 * runs before the sanitizers are set up.) */
static inline bn_word_product_fn chosen(_Atomic(bn_word_product_fn) *slot,
                                        bn_word_product_fn bmi2, bn_word_product_fn generic)
{
    bn_word_product_fn f = atomic_load_explicit(slot, memory_order_relaxed);
    if (!f) {
        f = bn_cpu_has_bmi2() ? bmi2 : generic;
        atomic_store_explicit(slot, f, memory_order_relaxed);
    }
    return f;
}

static _Atomic(bn_word_product_fn) mul_1_impl, addmul_1_impl;

bn_limb bn_mul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return chosen(&mul_1_impl, bn_mul_1_bmi2, bn_mul_1_generic)(rp, ap, n, b);
}

bn_limb bn_addmul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return chosen(&addmul_1_impl, bn_addmul_1_bmi2, bn_addmul_1_generic)(rp, ap, n, b);
}
#else
int bn_cpu_has_bmi2(void) { return 0; }

bn_limb bn_mul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return mul_1_body(rp, ap, n, b);
}

bn_limb bn_addmul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    return addmul_1_body(rp, ap, n, b);
}
#endif

bn_limb bn_submul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    bn_limb borrow = 0;
    for (size_t i = 0; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + borrow;
        bn_limb lo = (bn_limb)t, r = rp[i];
        borrow = (bn_limb)(t >> 64) + (r < lo);
        rp[i] = r - lo;
    }
    return borrow;
}

bn_limb bn_lshift(bn_limb *rp, const bn_limb *ap, size_t n, unsigned s)
{
    assert(s > 0 && s < BN_LIMB_BITS);
    if (n == 0)
        return 0;
    bn_limb out = ap[n - 1] >> (BN_LIMB_BITS - s);
    for (size_t i = n - 1; i > 0; i--)
        rp[i] = (ap[i] << s) | (ap[i - 1] >> (BN_LIMB_BITS - s));
    rp[0] = ap[0] << s;
    return out;
}

bn_limb bn_rshift(bn_limb *rp, const bn_limb *ap, size_t n, unsigned s)
{
    assert(s > 0 && s < BN_LIMB_BITS);
    if (n == 0)
        return 0;
    bn_limb out = ap[0] << (BN_LIMB_BITS - s);
    for (size_t i = 0; i + 1 < n; i++)
        rp[i] = (ap[i] >> s) | (ap[i + 1] << (BN_LIMB_BITS - s));
    rp[n - 1] = ap[n - 1] >> s;
    return out;
}

void bn_divexact_by3(bn_limb *rp, const bn_limb *ap, size_t n)
{
    /* Hensel division: q = (a - borrow) * 3^-1 mod B, limb by limb from the
     * bottom; the borrow into the next limb is the high limb of 3q. */
    const bn_limb inv3 = 0xaaaaaaaaaaaaaaabULL; /* 3 * inv3 == 1 mod 2^64 */
    bn_limb borrow = 0;
    for (size_t i = 0; i < n; i++) {
        bn_limb a = ap[i];
        bn_limb s = a - borrow;
        bn_limb b1 = a < borrow;
        bn_limb q = s * inv3;
        rp[i] = q;
        borrow = (bn_limb)(((bn_dlimb)q * 3) >> 64) + b1;
    }
}

int bn_cmp(const bn_limb *ap, const bn_limb *bp, size_t n)
{
    while (n-- > 0) {
        if (ap[n] != bp[n])
            return ap[n] < bp[n] ? -1 : 1;
    }
    return 0;
}

size_t bn_normalized_size(const bn_limb *ap, size_t n)
{
    while (n > 0 && ap[n - 1] == 0)
        n--;
    return n;
}

/*
 * Division by a word: multiply by a precomputed reciprocal of the normalized
 * divisor (bn_reciprocal_word) instead of a hardware 128/64 division per limb
 * (which costs tens of cycles); see the quotient estimate in bn_udiv_preinv.
 */

/* Divide (u1, u0) by normalized d with u1 < d; returns the quotient, *r the remainder. */
static inline bn_limb bn_udiv_preinv(bn_limb *r, bn_limb u1, bn_limb u0, bn_limb d, bn_limb v)
{
    bn_dlimb q = (bn_dlimb)v * u1;
    q += ((bn_dlimb)u1 << 64) | u0;
    bn_limb q1 = (bn_limb)(q >> 64) + 1, q0 = (bn_limb)q;
    bn_limb rem = u0 - q1 * d;
    if (rem > q0) { /* the estimate was one too large */
        q1--;
        rem += d;
    }
    if (rem >= d) { /* rare: one too small */
        q1++;
        rem -= d;
    }
    *r = rem;
    return q1;
}

/* qp[0..n) = ap / d unless qp is NULL; returns ap mod d. Inlined into both
 * callers, so that bn_mod_1's loop has no stores and no test of qp. */
static inline __attribute__((always_inline)) bn_limb divrem_1_body(bn_limb *qp, const bn_limb *ap,
                                                                    size_t n, bn_limb d)
{
    assert(d != 0);
    if (n == 0)
        return 0;
    unsigned s = (unsigned)__builtin_clzll(d);
    bn_limb dn = d << s, v = bn_reciprocal_word(dn), r = 0, q;
    if (s == 0) {
        for (size_t i = n; i-- > 0;) {
            q = bn_udiv_preinv(&r, r, ap[i], dn, v);
            if (qp)
                qp[i] = q;
        }
        return r;
    }
    /* Shift the dividend on the fly: quotients are unchanged, the remainder is r >> s. */
    bn_limb top = ap[n - 1];
    r = top >> (BN_LIMB_BITS - s);
    for (size_t i = n - 1; i > 0; i--) {
        bn_limb lo = (top << s) | (ap[i - 1] >> (BN_LIMB_BITS - s));
        top = ap[i - 1]; /* read before qp[i] is written: qp may be ap */
        q = bn_udiv_preinv(&r, r, lo, dn, v);
        if (qp)
            qp[i] = q;
    }
    q = bn_udiv_preinv(&r, r, top << s, dn, v);
    if (qp)
        qp[0] = q;
    return r >> s;
}

bn_limb bn_divrem_1(bn_limb *qp, const bn_limb *ap, size_t n, bn_limb d)
{
    return divrem_1_body(qp, ap, n, d);
}

bn_limb bn_mod_1(const bn_limb *ap, size_t n, bn_limb d) { return divrem_1_body(NULL, ap, n, d); }
