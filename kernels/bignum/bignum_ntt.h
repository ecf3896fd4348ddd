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
    unsigned top;    /* radix-2 stages above the blocks, run in groups (ntt_group_at) */
    unsigned groups; /* how many groups hold them; 0 when top is */
    unsigned lead;   /* 0, or the first group's stages, the rest sized alike after it (a
                        group product's stages across its members: bignum_ntt_group.c) */
} ntt_transform;

/*
 * How a product is cut into parts for helpers (bn_ntt_mul_helped), the same
 * cut alone (bn_ntt_mul). Per prime and operand a transform of length
 * n = m M runs as: the radix-3 step (m = 3) in column ranges; the top
 * radix-2 stages (len = M/2 down to the sub-transform length S), up to
 * BN_NTT_GROUP_STAGES of them in one pass, in ranges of butterfly groups, the
 * limbs loaded in the first; then
 * per block of S points the rest of both forward transforms, the pointwise
 * product and the inverse's first stages, one part each; then the inverse's
 * top stages and radix-3 step in ranges, leaving words. Helped, in the
 * vector build and for m = 1, the inverse's last group instead runs fused
 * with the unwrapping and Garner's step (ntt_fused below), leaving limbs of
 * the product. Tests lower these so that tiny transforms are cut at every
 * step too.
 */
#ifndef BN_NTT_SUB_POINTS
#define BN_NTT_SUB_POINTS 8192 /* S at most; a power of two >= 16 */
#endif
#ifndef BN_NTT_WHOLE_ALONE
#define BN_NTT_WHOLE_ALONE 65536 /* alone (bn_ntt_mul), M up to this is one block */
#endif
#ifndef BN_NTT_RANGE
#define BN_NTT_RANGE 32768 /* points per part of a top-stage or radix-3 step; a multiple of 16 */
#endif
#ifndef BN_NTT_TABLE_RANGE
#define BN_NTT_TABLE_RANGE 16384 /* table entries per part; a multiple of 4 */
#endif
#ifndef BN_NTT_STREAM_POINTS
#define BN_NTT_STREAM_POINTS 2097152 /* transforms this long write their groups' rows past the caches */
#endif
#ifndef BN_NTT_CRT_RANGE
#define BN_NTT_CRT_RANGE 4096 /* coefficients per part of Garner's step; a multiple of 8 */
#endif
_Static_assert((BN_NTT_SUB_POINTS & (BN_NTT_SUB_POINTS - 1)) == 0 && BN_NTT_SUB_POINTS >= 16,
               "sub-transforms are powers of two of at least 16 points");
_Static_assert(BN_NTT_RANGE % 16 == 0 && BN_NTT_CRT_RANGE % 8 == 0 && BN_NTT_TABLE_RANGE % 4 == 0,
               "ranges must keep vectors whole");

/* Top radix-2 stages done in one pass over the data, at most: 2^21 points
 * with 8192-point blocks take one pass, not two (measured alone: 0.155 s
 * per 1.1M-limb product against 0.18-0.2 with passes of four stages). */
#ifndef BN_NTT_GROUP_STAGES
#define BN_NTT_GROUP_STAGES 8
#endif
/* Points a piece of a group works on at once, gathered into a buffer on the
 * stack (128 KiB, in L2) with its twiddles (64 KiB): rows of at least 64
 * points (512 bytes), runs long enough for the hardware prefetchers. */
#define NTT_CHUNK_POINTS 16384

/* A run of table entries: entry k < count, at word `at` of the tables, is
 * W^((e0 + k es) mod n); `shoup`: the scalar twiddles (value, and its Shoup
 * companion M words further), otherwise the value (scalar: in Montgomery
 * form; vector: as a double). `below`: a radix-2 level L0 of at most
 * BN_NTT_TABLE_RANGE entries, filled by one part that also derives every
 * level below it from it (w_{2len}^j = w_{2 L0}^(j L0 / len)), instead of
 * a part per tiny level each starting from a power computed afresh. */
typedef struct ntt_segment {
    size_t at, count, e0, es;
    int shoup, below;
} ntt_segment;

/* The radix-2 level whose segment derives the levels below it. */
static inline size_t ntt_low_level(size_t M)
{
    size_t L0 = M / 2;
    while (L0 > BN_NTT_TABLE_RANGE)
        L0 /= 2;
    return L0;
}
/* The low level's, four per level above it (a group's level: its first twiddles and its rows'
 * starts, of tw and ntw), four radix-3 tables: M <= 2^21 has at most 21 levels. */
#define NTT_MAX_SEGMENTS 96

/* Top radix-2 stages len, len/2, ... (`stages` of them, at most
 * BN_NTT_GROUP_STAGES) in one pass: a block of 2 len points is 2^stages rows of
 * w = len / 2^(stages-1) points, and butterfly group g < n / 2^stages is
 * column i = g mod w of block g / w, every stage's butterflies between its
 * rows. load: the forward's first group, which reads the limbs; store: the
 * inverse's last, which leaves words; stream: its rows are written past the
 * caches (vector build), where a round writes more than stays cached until
 * the next round reads it: a store that skips the caches does not first read
 * the line it replaces, nor leave it to be written back in the next round. */
typedef struct ntt_group {
    size_t len;
    unsigned stages;
    int load, store, stream;
} ntt_group;

/* Groups of at most this many rows run in place (vector build), more are
 * gathered into a buffer first (bn_ntt_vector_group). Rows a power of two
 * apart share cache sets, but up to 32 of them the conflicts cost less than
 * a gather's copy in and out of each piece. Measured on one core: helped
 * products of 2^14-2^16 points (2-8 rows) 8-12% faster in place, products
 * of 2^17 and 2^18 (16, 32 rows), helped or not, 4-7%; 64 and 128 rows were
 * no faster beyond the noise, so those keep the gather and its prefetch of
 * the rows ahead. */
#ifndef BN_NTT_IN_PLACE_ROWS
#define BN_NTT_IN_PLACE_ROWS 32
#endif

static inline int ntt_group_in_place(const ntt_group *gr)
{
    return ((size_t)1 << gr->stages) <= BN_NTT_IN_PLACE_ROWS && !gr->stream;
}

/* The limbs of an operand (zero beyond n). */
typedef struct ntt_operand {
    const bn_limb *p;
    size_t n;
} ntt_operand;

/* Group g's place: its block's start (block * 2 len) and its column i, and
 * how many groups from g on (up to g1) share that block's rows, at most a
 * chunk's worth. */
/* Group g of the transform's top stages, from the top: as few groups of at
 * most BN_NTT_GROUP_STAGES as hold them, sized alike (load and store unset). */
static inline ntt_group ntt_group_at(const ntt_transform *t, unsigned g)
{
    unsigned lead = t->lead, top = t->top - lead, groups = t->groups - (lead != 0);
    if (lead && g == 0) {
        ntt_group gr = {t->s.M >> 1, lead, 0, 0, 0};
        return gr;
    }
    g -= lead != 0;
    unsigned each = top / groups, extra = top % groups;
    unsigned first = lead + g * each + (g < extra ? g : extra);
    ntt_group gr = {t->s.M >> (first + 1), each + (g < extra), 0, 0, 0};
    return gr;
}

/* Of level len's twiddles (tw[len + j], j < len), a group reads only the
 * first w (its columns) and the multiples of w (its rows' starts), where w
 * is the group's lowest level: this w, or 0 when len is no group's (a
 * block's level, read whole). */
static inline size_t ntt_group_width(const ntt_transform *t, size_t len)
{
    for (unsigned g = 0; g < t->groups; g++) {
        ntt_group gr = ntt_group_at(t, g);
        size_t w = gr.len >> (gr.stages - 1);
        if (len <= gr.len && len >= w)
            return w;
    }
    return 0;
}

/* Is level len's table packed (its group's w first twiddles, then its rows'
 * starts)? Only the levels above the low one, which derives those below it
 * from its own whole table, and only those a group reads. */
static inline int ntt_level_packed(const ntt_transform *t, size_t len)
{
    size_t g = ntt_group_width(t, len);
    return len >= 2 * ntt_low_level(t->s.M) && g != 0 && g != len;
}

static inline size_t ntt_group_piece(const ntt_group *gr, size_t g, size_t g1, size_t *base,
                                     size_t *i)
{
    size_t w = gr->len >> (gr->stages - 1), chunk = NTT_CHUNK_POINTS >> gr->stages;
    *base = g / w * 2 * gr->len;
    *i = g % w;
    size_t c = w - *i;
    if (c > g1 - g)
        c = g1 - g;
    return c < chunk ? c : chunk;
}

/*
 * The vector build (AVX2 and FMA, doubles), only when bn_ntt_avx2_usable()
 * and s.M >= 16, and level BN_NTT_AVX512 only when bn_ntt_avx512_usable().
 * Its steps, each over a range, in any order the cut above allows: the
 * tables' segments; the radix-3 step over columns [j0, j1) (forward:
 * loading the limbs a; inverse: leaving words); a group's butterflies
 * [g0, g1); the block b of S points (load: the limbs of a and b first, as
 * whole transforms; store: words last). y == x squares. The result, n (a b
 * mod (X^n - 1)) modulo p, is left as words in [0, p).
 */
/* Whether the vector build can run here and now: the CPU has AVX2 and FMA
 * (for AVX-512, AVX-512F too), and this thread's floating point mode is the
 * default its exactness proof assumes. A step run on another thread sets
 * that mode for itself. */
int bn_ntt_avx2_usable(void);
int bn_ntt_avx512_usable(void);
unsigned bn_ntt_vector_segments(const ntt_transform *t, ntt_segment *seg);
void bn_ntt_vector_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count);
void bn_ntt_vector_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a,
                          size_t j0, size_t j1);
void bn_ntt_vector_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                         ntt_operand a, size_t g0, size_t g1);
void bn_ntt_vector_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                         ntt_operand a, ntt_operand bo, int load, int store);

/* ---- the steps, whichever build runs them (bignum_ntt.c), for bignum_ntt_group.c ---- */

/* The smallest length m 2^k (m 1 or 3) holding coeffs points. */
ntt_shape bn_ntt_shape_for(size_t coeffs);
/* The widest build that runs here (BN_NTT_SCALAR, _AVX2 or _AVX512), within bn_ntt_limit. */
int bn_ntt_level(void);
/* Prime i's transform of shape s (its root, its cube root): top and groups still unset.
 * tables: bn_ntt_table_words(s) words. */
void bn_ntt_transform_init(ntt_transform *t, int i, ntt_shape s, int level, bn_limb *tables);
size_t bn_ntt_table_words(ntt_shape s);
unsigned bn_ntt_segments(const ntt_transform *t, ntt_segment *seg);
void bn_ntt_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count);
void bn_ntt_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a, size_t j0,
                   size_t j1);
void bn_ntt_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                  ntt_operand a, size_t g0, size_t g1);
void bn_ntt_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                  ntt_operand a, ntt_operand bo, int load, int store);

/* A group product by primes: the residues of a b's coefficients (times the transform's
 * length *n, below 4p) modulo each prime in the set `primes` (bit i: prime i), and a part of
 * another prime (part, NULL: none), as one product's rounds with h's threads, in scratch
 * (bn_ntt_scratch_helped(an, bn) words), which they lie in: res[i] for a prime this member
 * makes, NULL for the others. Part q of d (2: halves, 4: quarters) is the prime's cyclic
 * product modulo X^(n/d) - c_q, c_q = zeta_d^q (bignum_ntt.c), with the wrapped layout's small
 * product when `small`: members making parts that cover the prime once (d parts of d, or
 * half q and quarters q + 1 and q + 3 mod 4; one of them with small) leave words in [0, 2p) whose
 * sums are the prime's residues. an >= bn, an + bn <= bn_ntt_max_limbs(), and the parts fit
 * (bn_ntt_parts_fit). */
typedef struct ntt_part_share {
    int prime;            /* 0, 1 or 2 */
    unsigned parts, part; /* part q of d: parts d, part q */
    int small;
} ntt_part_share;
void bn_ntt_prime_residues(unsigned primes, const ntt_part_share *part, const bn_limb *ap,
                           size_t an, const bn_limb *bp, size_t bn, bn_limb *scratch,
                           const bignum_helpers *h, bn_limb *res[3], size_t *n);
/* Whether an a b product's transform (either order) cuts into `parts` parts (2 or 4): each
 * part's transform of n/parts points is one the transform takes (M/parts >= 4). */
int bn_ntt_parts_fit(size_t an, size_t bn, unsigned parts);
/* The transform length n that bn_ntt_prime_residues's residues are times (either order). */
size_t bn_ntt_residues_length(size_t an, size_t bn);
/* Prime i (0, 1, 2) of the transform product: a part's contributions are below 2 p. */
bn_limb bn_ntt_prime(int i);
/* A transform product of n points' cost, n (log2 n + 3): what ntt_choose weighs. */
double bn_ntt_cost(size_t n);
/* The wrapped layout of an x bn limbs (either longer): the coefficients d past its transform
 * (0: none, the plain layout), and in *big that transform's shape (bignum_ntt.c, ntt_choose). */
size_t bn_ntt_wrap(size_t an, size_t bn, ntt_shape *big);
/* The wrapped layout's unwrapping, modulo prime `prime`, for coefficients lo <= r < hi
 * (below the wrap): x[r] holds c_r + c_(n+r) (times n, below 4p), low[r] c_r (times n_low, the
 * small product's length, below 4p); afterwards x[r] = c_r and x[n + r] = c_(n+r), times n
 * and below 4p, as Garner's step takes them. */
void bn_ntt_unwrap(bn_limb *x, size_t n, const bn_limb *low, size_t n_low, size_t lo,
                   size_t hi, int prime);

/* Garner's step for one transform length n (bn_ntt_crt_new, bn_ntt_crt_free): coefficients
 * j0 <= j < j1 of the three primes' inverse transforms x[i] (left as words) as if no
 * carry came in: rp[j0..j1) the low limbs of their sum c_j B^(j - j0), carry[0..1]
 * what is left above. */
typedef struct ntt_crt ntt_crt;
ntt_crt *bn_ntt_crt_new(size_t n, int level);
void bn_ntt_crt_free(ntt_crt *c);
void bn_ntt_crt_range(const ntt_crt *c, bn_limb *rp, bn_limb *const x[3], size_t j0, size_t j1,
                      bn_limb carry[2]);

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

/* A twist, for the group product's parts of a prime: v[t] = v[t] first r^t mod p (words
 * below 4p in, in [0, p) out, p one of the three primes, first and r below p) for t below
 * the returned count, a multiple of 32 at most count (0 in the scalar build). For a
 * transform whose level is BN_NTT_AVX2 or wider. */
size_t bn_ntt_vector_twist(bn_limb *v, size_t count, bn_limb p, bn_limb first, bn_limb r);

/* The coefficients v0[k] + v1[k] p0 + v2[k] p0 p1 (Garner's digits) times
 * B^k for k < count, added to the two-word carry[0..1] (a run's own carry
 * so far, zero at its start): rp[k] gets each sum's low limb, carry what is
 * left above. Scalar; both builds join their digits through it. */
void bn_ntt_crt_join(const ntt_garner *g, bn_limb *rp, const bn_limb *v0, const bn_limb *v1,
                     const bn_limb *v2, size_t count, bn_limb carry[2]);

/*
 * The inverse's last group fused with the unwrapping and Garner's step
 * (vector build, m = 1, helped): a part takes columns [g0, g1) of the group
 * for all three primes at once, gathered on its stack, and
 * turns each row's run of columns into limbs of the product, so that no
 * prime's x is written as words and read again. Row r's run is coefficients
 * r w + [g0, g1) (w the group's width); with the wrapped layout (wrap = d >
 * 0), a run below d also yields coefficients N + r w + [g0, g1) below
 * coeffs, from the small product's words `low` (its own transform finished
 * in an earlier call). The run starting at coefficient k (a multiple of run
 * = g1 - g0) leaves its carry at carry[2 k / run], for the caller to add
 * where the next run starts.
 */
typedef struct ntt_fused {
    const ntt_transform *t[3];
    ntt_group gr;           /* the group: the top one, store set */
    bn_limb *x[3];          /* each prime's residues, as the blocks left them */
    const bn_limb *low[3];  /* the small product's words per prime (wrap > 0) */
    bn_limb unwrap_k[3];    /* N / n_small modulo each prime: low in x's terms */
    size_t wrap, coeffs;    /* d; the product's coefficients, N + d or fewer */
    size_t run;             /* columns per part: one carry per row's run */
    ntt_garner g;
    bn_limb *rp, *carry;
} ntt_fused;

/* Points per prime a fused piece gathers (three on the stack: 384 KiB), and
 * columns at most, so that its twiddle products take 4 KiB, not 64. Rows of
 * 64 points at 2^21 (eight stages), not 32: a piece reads each row's run
 * from three primes' x and writes the product's limbs, 1024 pages apart,
 * and with runs half as long the round took 8% more time than the three
 * steps it replaces, not 5% less (its CPU time on a loaded machine). */
#define NTT_FUSED_POINTS 16384
#define NTT_FUSED_COLUMNS 512
void bn_ntt_vector_group_crt(const ntt_fused *fz, size_t g0, size_t g1);

#endif
