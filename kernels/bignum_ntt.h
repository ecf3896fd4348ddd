/* Internal: what the scalar and the vector builds of bignum's transform product share. */
#ifndef CS_BIGNUM_NTT_H
#define CS_BIGNUM_NTT_H

#include <stddef.h>

#include "bignum_impl.h"

/* A transform length n = m M: m is 1 or 3, M a power of two >= 4. */
typedef struct ntt_shape {
    size_t n, m, M;
} ntt_shape;

/*
 * The vector build (AVX2 and FMA, doubles): x[0..n) = n (a b mod (X^n - 1))
 * modulo p, as words in [0, p), for the limbs a and b (zero beyond an, bn;
 * b ignored when square). W is a primitive n-th root of unity modulo p,
 * omega = W^M. y holds n words, tables 2n + 2M. Only when
 * bn_ntt_avx2_usable() and s.M >= 16.
 */
int bn_ntt_avx2_usable(void);
void bn_ntt_avx2_cyclic(bn_limb *x, bn_limb *y, const bn_limb *ap, size_t an, const bn_limb *bp,
                        size_t bn, int square, ntt_shape s, bn_limb p, bn_limb W, bn_limb omega,
                        void *tables);

#endif
