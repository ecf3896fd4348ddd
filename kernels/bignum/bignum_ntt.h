/* Internal: what the scalar and the vector builds of bignum's transform product share. */
#ifndef CS_BIGNUM_NTT_H
#define CS_BIGNUM_NTT_H

#include <stddef.h>

#include "bignum_impl.h"

/* A transform length n = m M: m is 1 or 3, M a power of two >= 4. */
typedef struct ntt_shape {
    size_t n, m, M;
} ntt_shape;

/* One transform length modulo one prime: what the steps of a transform
 * product for that prime share. The tables (at most 2n + 2M words) are
 * written by the tables step and only read afterwards, so the forward
 * transforms of both operands may run at once. */
typedef struct ntt_transform {
    ntt_shape s;
    bn_limb p;       /* the prime */
    bn_limb W;       /* a primitive n-th root of unity modulo p */
    bn_limb omega;   /* W^M, a primitive cube root of unity (m = 3) */
    bn_limb *tables;
    int level;       /* BN_NTT_SCALAR, _AVX2, or _AVX512 (stages and products eight at a time) */
} ntt_transform;

/*
 * The vector build (AVX2 and FMA, doubles), only when bn_ntt_avx2_usable()
 * and s.M >= 16, and level BN_NTT_AVX512 only when bn_ntt_avx512_usable().
 * The steps: fill t's tables; x[0..n) = the transform of the limbs a (zero
 * beyond an); then, given the transforms of both operands in x and y (y == x
 * squares), x = n (a b mod (X^n - 1)) modulo p, as words in [0, p).
 */
/* Whether the vector build can run here and now: the CPU has AVX2 and FMA
 * (for AVX-512, AVX-512F too), and this thread's floating point mode is the
 * default its exactness proof assumes. A step run on another thread sets
 * that mode for itself. */
int bn_ntt_avx2_usable(void);
int bn_ntt_avx512_usable(void);
void bn_ntt_vector_tables(const ntt_transform *t);
void bn_ntt_vector_forward(const ntt_transform *t, bn_limb *x, const bn_limb *ap, size_t an);
void bn_ntt_vector_finish(const ntt_transform *t, bn_limb *x, const bn_limb *y);

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
