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
 * bn_ntt_avx2_usable() and s.M >= 16, and `wide` only when bn_ntt_avx512_usable().
 */
/* Whether the vector build can run here and now: the CPU has AVX2 and FMA
 * (for `wide`, stages and products eight at a time, AVX-512F too), and this
 * thread's floating point mode is the default its exactness proof assumes. */
int bn_ntt_avx2_usable(void);
int bn_ntt_avx512_usable(void);
void bn_ntt_vector_cyclic(bn_limb *x, bn_limb *y, const bn_limb *ap, size_t an, const bn_limb *bp,
                        size_t bn, int square, ntt_shape s, bn_limb p, bn_limb W, bn_limb omega,
                        void *tables, int wide);

/* Garner's constants for the three primes and one transform length n. */
typedef struct ntt_garner {
    bn_limb p[3];
    bn_limb inv_n[3];                   /* 1/n mod p_i */
    bn_limb inv_p0_mod_p1, p0_mod_p2;   /* p0^-1 mod p1, p0 mod p2 */
    bn_limb inv_p01_mod_p2;             /* (p0 p1)^-1 mod p2 */
} ntt_garner;

/* In place, for j below the returned count (a multiple of 4, at most count):
 * x0[j], x1[j], x2[j] (residues times n, each below 4 p_i) become Garner's
 * digits v0 < p0, v1 < p1, v2 < p2 of the coefficient v0 + v1 p0 + v2 p0 p1. */
size_t bn_ntt_vector_garner(bn_limb *x0, bn_limb *x1, bn_limb *x2, size_t count,
                          const ntt_garner *g);

#endif
