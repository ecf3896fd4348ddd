/* Internal limb-layer helpers shared by the bignum_*.c files (not part of the API). */
#ifndef CS_BIGNUM_IMPL_H
#define CS_BIGNUM_IMPL_H

#include <stddef.h>
#include <string.h>

#include "bignum.h"

typedef unsigned __int128 bn_dlimb;

static inline void bn_copy(bn_limb *rp, const bn_limb *ap, size_t n)
{
    if (n)
        memmove(rp, ap, n * sizeof *rp);
}

static inline void bn_zero(bn_limb *rp, size_t n)
{
    if (n)
        memset(rp, 0, n * sizeof *rp);
}

/* bn_mul_1 and bn_addmul_1 run, chosen at their first call, a baseline
 * x86-64 build or a BMI2 one (mulx); both are here for the tests.
 * bn_cpu_has_bmi2() says whether the BMI2 ones can run (0 where they do not exist). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define BN_HAVE_BMI2_VARIANTS 1
bn_limb bn_mul_1_bmi2(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
bn_limb bn_addmul_1_bmi2(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
#else
#define BN_HAVE_BMI2_VARIANTS 0
#endif
bn_limb bn_mul_1_generic(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
bn_limb bn_addmul_1_generic(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
int bn_cpu_has_bmi2(void);

/* rp[0..an) = ap[0..an) + bp[0..bn), an >= bn; returns the carry. */
bn_limb bn_add(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn);
/* rp[0..an) = ap[0..an) - bp[0..bn), an >= bn; returns the borrow. */
bn_limb bn_sub(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn);
/* rp[0..n) = ap[0..n) + b; returns the carry. rp may equal ap. */
bn_limb bn_add_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
/* rp[0..n) = ap[0..n) - b; returns the borrow. rp may equal ap. */
bn_limb bn_sub_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
/* rp[0..n) = ap << s, 0 < s < 64; returns the bits shifted out. rp >= ap allowed. */
bn_limb bn_lshift(bn_limb *rp, const bn_limb *ap, size_t n, unsigned s);
/* rp[0..n) = ap >> s, 0 < s < 64; returns the bits shifted out (in the top). rp <= ap allowed. */
bn_limb bn_rshift(bn_limb *rp, const bn_limb *ap, size_t n, unsigned s);
/* rp[0..n) = ap / 3 modulo B^n (exact when 3 divides ap, also for two's
 * complement negatives). rp may equal ap. */
void bn_divexact_by3(bn_limb *rp, const bn_limb *ap, size_t n);

/* Schoolbook products: rp[0..an+bn) and rp[0..2n); rp overlaps no input. */
void bn_mul_basecase(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn);
void bn_sqr_basecase(bn_limb *rp, const bn_limb *ap, size_t n);

/* Number-theoretic transform product (three primes, CRT): rp[0..an+bn) = a*b;
 * bp == ap with an == bn squares. an >= bn >= 1 and an+bn <= bn_ntt_max_limbs(),
 * that is at most BN_NTT_MAX_COEFFS product coefficients (bn_mul cuts larger
 * products into pieces). */
#ifndef BN_NTT_MAX_COEFFS
#define BN_NTT_MAX_COEFFS (3 * ((size_t)1 << 20))
#endif
size_t bn_ntt_max_limbs(void);
/* The transforms bn_ntt_mul may use, narrowest first; it takes the widest the
 * CPU runs up to the limit (BN_NTT_AVX512, the default). For tests. */
enum { BN_NTT_SCALAR = 0, BN_NTT_AVX2 = 1, BN_NTT_AVX512 = 2 };
void bn_ntt_limit(int level);
size_t bn_ntt_scratch(size_t an, size_t bn);
void bn_ntt_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                bn_limb *scratch);
/* The same product, its steps run by h (bignum.h); scratch: bn_ntt_scratch_helped. */
size_t bn_ntt_scratch_helped(size_t an, size_t bn);
void bn_ntt_mul_helped(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                       bn_limb *scratch, const bignum_helpers *h);

/* bn_mul from the transform threshold on (bn >= BN_NTT_THRESHOLD; a square
 * from BN_SQR_NTT_THRESHOLD), every transform's steps run by h, also for
 * products beyond one transform (their pieces' transforms one after another).
 * Scratch: bn_mul_helped_scratch(an, bn). */
size_t bn_mul_helped_scratch(size_t an, size_t bn);
void bn_mul_helped(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                   bn_limb *scratch, const bignum_helpers *h);

/* floor((B^2 - 1) / d) - B for a normalized word d (top bit set): the
 * reciprocal that turns division by d into multiplications. */
static inline bn_limb bn_reciprocal_word(bn_limb d)
{
    return (bn_limb)((((bn_dlimb)~d << 64) | ~(bn_limb)0) / d);
}

/* Division by a normalized divisor (top bit of dp[dn-1] set), dn >= 1.
 * ip[0..n) = floor((B^2n - 1) / dp) - B^n for a normalized n-limb dp: the
 * reciprocal that bn_div_qr_preinv uses. Scratch: bn_invert_scratch(n). */
size_t bn_invert_scratch(size_t n);
void bn_invert(bn_limb *ip, const bn_limb *dp, size_t n, bn_limb *scratch);
/* qp[0..nn-dn+1), rp[0..dn) for nn <= 2dn, given ip from bn_invert(dp);
 * np unchanged. Scratch: bn_div_preinv_scratch(dn). */
size_t bn_div_preinv_scratch(size_t dn);
void bn_div_qr_preinv(bn_limb *qp, bn_limb *rp, const bn_limb *np, size_t nn, const bn_limb *dp,
                      size_t dn, const bn_limb *ip, bn_limb *scratch);

/* How bignum_mul_group shares a product, for benchmarks and tests: as it
 * chooses (0), by slices of the longer operand, by splitting the transform, or
 * by its primes (each where the sizes and the members allow it; slices else). */
enum { BN_GROUP_CHOOSE = 0, BN_GROUP_SLICES = 1, BN_GROUP_TRANSFORM = 2, BN_GROUP_PRIMES = 3 };
/* The most members that share a product by its primes (bignum_group_primes.c: twelve
 * units, three primes in quarters; members past twelve make none), at most 16. */
#define BN_GROUP_PRIMES_MEMBERS 16
void bn_group_force(int way);
/* The way bignum_mul_group takes for g members and an na x nb limb product (BN_GROUP_PRIMES,
 * _TRANSFORM or _SLICES; 0 when one member makes it alone), as bn_group_force leaves it. */
int bn_group_way(unsigned g, size_t na, size_t nb);
/* By the split transform, the points of the transform the group splits (in the wrapped
 * layout shorter than the product's coefficients); 0 for the other ways. */
size_t bn_group_transform_points(unsigned g, size_t na, size_t nb);
/* The words the busiest member receives in that way's exchanges, operands held evenly, and
 * how many exchanges (*exchanges): what the profile's replay charges a shared product
 * (drivers/runtime/span.c). By slices and alone: 0 and 0 (not modelled). */
double bn_group_words(unsigned g, size_t na, size_t nb, unsigned *exchanges);

/* The number layer's allocator, for the modules that build strings and tables.
 * bignum_alloc_limbs gives NULL also when the byte count would overflow. */
void *bignum_alloc_bytes(size_t bytes);
void bignum_free_bytes(void *p, size_t bytes);
bn_limb *bignum_alloc_limbs(size_t n);
void bignum_free_limbs(bn_limb *p, size_t n);

#endif
