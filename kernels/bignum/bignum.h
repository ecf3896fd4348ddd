/* corescale's bundled arbitrary-precision naturals: a limb layer and a number layer. */
#ifndef CS_BIGNUM_H
#define CS_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Two layers, as in mini-gmp:
 *  - bn_*: pure functions over little-endian arrays of 64-bit limbs. They never
 *    allocate; functions that need room take a caller-provided scratch area
 *    whose size a bn_*_scratch() function returns. Preconditions are asserts.
 *  - bignum_*: a natural number that owns its limbs, grows them lazily through
 *    the allocator hooks, and reports allocation failure as BN_ENOMEM (never
 *    aborts). Outputs may alias inputs.
 * Every function is thread-safe apart from bignum_set_allocator().
 */

typedef uint64_t bn_limb;
#define BN_LIMB_BITS 64

enum bn_status {
    BN_OK = 0,
    BN_ENOMEM = 1,   /* an allocation failed; the output is left unchanged */
    BN_ECORRUPT = 2, /* a packed buffer is short, long or malformed */
    BN_EINVAL = 3,   /* an argument is out of its domain (zero modulus, bad digit) */
    BN_EGROUP = 4,   /* a group product stopped: another member failed, or the exchange did */
};

/* ---- limb layer ---------------------------------------------------------- */

/* rp[0..n) = ap + bp; returns the carry (0 or 1). rp may equal ap or bp. */
bn_limb bn_add_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n);
/* rp[0..n) = ap - bp; returns the borrow (0 or 1). rp may equal ap or bp. */
bn_limb bn_sub_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n);
/* rp[0..n) = ap[0..n) * b; returns the high limb. rp may equal ap. */
bn_limb bn_mul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
/* rp[0..n) += ap[0..n) * b; returns the carry limb. */
bn_limb bn_addmul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);
/* rp[0..n) -= ap[0..n) * b; returns the borrow limb. */
bn_limb bn_submul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b);

/* Algorithm thresholds, in limbs of the smaller operand, tuned on the
 * development machine (the measurements are in bignum_mul.c). */
#ifndef BN_KARATSUBA_THRESHOLD
#define BN_KARATSUBA_THRESHOLD 30
#endif
#ifndef BN_TOOM3_THRESHOLD
#define BN_TOOM3_THRESHOLD 180
#endif
#ifndef BN_NTT_THRESHOLD
#define BN_NTT_THRESHOLD 500
#endif
#ifndef BN_SQR_KARATSUBA_THRESHOLD
#define BN_SQR_KARATSUBA_THRESHOLD 20
#endif
#ifndef BN_SQR_TOOM3_THRESHOLD
#define BN_SQR_TOOM3_THRESHOLD 250
#endif
#ifndef BN_SQR_NTT_THRESHOLD
#define BN_SQR_NTT_THRESHOLD 700
#endif

/* Scratch limbs bn_mul needs for an an x bn product (an >= bn >= 1). */
size_t bn_mul_scratch(size_t an, size_t bn);
/* rp[0..an+bn) = ap[0..an) * bp[0..bn); an >= bn >= 1; rp overlaps neither
 * input. Schoolbook below BN_KARATSUBA_THRESHOLD limbs, Karatsuba (and Toom-3
 * above BN_TOOM3_THRESHOLD) above; unbalanced operands are cut into bn-sized
 * pieces; from BN_NTT_THRESHOLD on, a number-theoretic transform. */
void bn_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
            bn_limb *scratch);

/* Scratch limbs bn_sqr needs for an n-limb square (n >= 1). */
size_t bn_sqr_scratch(size_t n);
/* rp[0..2n) = ap[0..n)^2; rp does not overlap ap. Cheaper than bn_mul (which
 * calls it when both operands are the same array). */
void bn_sqr(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb *scratch);

/* Compare two n-limb numbers: -1, 0 or 1. */
int bn_cmp(const bn_limb *ap, const bn_limb *bp, size_t n);
/* The limb count without high zero limbs (0 for zero). */
size_t bn_normalized_size(const bn_limb *ap, size_t n);
/* ap mod d for d != 0. */
bn_limb bn_mod_1(const bn_limb *ap, size_t n, bn_limb d);
/* qp[0..n) = ap / d, returns ap mod d; d != 0; qp may equal ap. */
bn_limb bn_divrem_1(bn_limb *qp, const bn_limb *ap, size_t n, bn_limb d);

/* ---- number layer -------------------------------------------------------- */

typedef struct bignum {
    bn_limb *limbs; /* little-endian; limbs[size-1] != 0 unless size == 0 */
    size_t size;    /* used limbs; 0 is the number zero */
    size_t alloc;   /* allocated limbs */
} bignum;

void bignum_init(bignum *x);
void bignum_clear(bignum *x);            /* frees, and leaves x as zero */
void bignum_swap(bignum *a, bignum *b);
int bignum_reserve(bignum *x, size_t limbs); /* room for limbs without changing the value */

int bignum_set_u64(bignum *r, uint64_t v);
int bignum_copy(bignum *r, const bignum *a);
int bignum_mul_u64(bignum *r, const bignum *a, uint64_t b);
int bignum_mul(bignum *r, const bignum *a, const bignum *b);
/* Threads a caller lends to one large product; the number layer starts none
 * of its own. run(ctx, parts, fn, arg) calls fn(arg, i) exactly once for each
 * i < parts, in any order, on any of its threads, at once or not, and returns
 * when all have returned. */
/* A part may use up to 404 KiB of its thread's stack (the transforms' top
 * stages gather their rows into a contiguous buffer there, the inverse's
 * last for three primes at once): run()'s threads need at least 512 KiB.
 * glibc's and libgomp's defaults (ulimit -s, 8 MiB here) have it;
 * OMP_STACKSIZE=256K does not. cs_bignum is built with stack
 * clash protection, so a thread short of it faults at once rather than
 * writing past its stack. */
typedef struct bignum_helpers {
    void (*run)(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg);
    void *ctx;
} bignum_helpers;
/* r = a * b, bignum_mul's value limb for limb, with a transform product's
 * steps cut into many independent parts (ranges of the tables, of the
 * transforms' stages and blocks, of the CRT; all three primes and both
 * operands in each call) given to h, about ten run() calls per transform.
 * Products beyond one transform run their pieces' transforms one after
 * another, each helped. It needs about 2.5 times bignum_mul's scratch.
 * Products below the transform threshold are bignum_mul's; h NULL: bignum_mul. */
int bignum_mul_helped(bignum *r, const bignum *a, const bignum *b, const bignum_helpers *h);
int bignum_pow_u64(bignum *r, const bignum *a, uint64_t e); /* 0^0 = 1 */

/* Members of a group that share no memory (a job's processes), as the caller
 * connects them: `size` members, this one `rank`. exchange() is called by all
 * members at once, the same number of times: member i sends send_words[j]
 * words to member j (send holds them in member order, its own share
 * included) and receives recv_words[j] from each j into recv, likewise.
 * failed: this member has failed and brings no data. It returns 0 when
 * every member came without failing and the words moved; otherwise not 0,
 * to every member alike, so that all stop at the same point. */
typedef struct bignum_group {
    unsigned rank, size;
    int (*exchange)(void *ctx, int failed, const uint64_t *send, const size_t *send_words,
                    uint64_t *recv, const size_t *recv_words);
    void *ctx;
} bignum_group;
/* A product shared by a group: every member calls it at once with its piece
 * of each operand, a value standing for value B^at (NULL or zero: it holds
 * none), the pieces of one operand being disjoint limb ranges whose sum is
 * the operand. *r (B^*r_at) is this member's piece of the product: members
 * hold disjoint ranges of about equal size, or member 0 all of it when
 * whole. Large products are a transform product split across the members
 * (each transforms its share of columns, then of blocks, with exchanges
 * between) and across h's threads on each; the others are made by member 0.
 * The value is bignum_mul's, limb for limb, for any number of members.
 * BN_ENOMEM here, or BN_EGROUP when another member failed. */
int bignum_mul_group(bignum *r, uint64_t *r_at, const bignum *a, uint64_t a_at, const bignum *b,
                     uint64_t b_at, int whole, const bignum_group *g, const bignum_helpers *h);

int bignum_cmp(const bignum *a, const bignum *b);  /* -1, 0, 1 */
int bignum_is_zero(const bignum *a);
uint64_t bignum_bits(const bignum *a);              /* 0 for zero */
uint64_t bignum_mod_u64(const bignum *a, uint64_t m); /* m != 0 (asserted) */

/* Packed form: an 8-byte little-endian limb count L, then L little-endian
 * 8-byte limbs, the top one non-zero. bignum_packed_size() gives its length. */
size_t bignum_packed_size(const bignum *a);
/* Writes exactly bignum_packed_size(a) bytes; BN_EINVAL when cap is smaller. */
int bignum_pack(const bignum *a, uint8_t *buf, size_t cap);
/* BN_ECORRUPT for a short or over-long buffer, a count that disagrees with the
 * length, or a zero top limb; r is unchanged on any error. */
int bignum_unpack(bignum *r, const uint8_t *buf, size_t len);

/* Decimal digits of a ("0" for zero) in a NUL-terminated string allocated
 * through the hooks; free it with bignum_free_string(s, *len + 1). */
int bignum_to_decimal(const bignum *a, char **out, size_t *len);
void bignum_free_string(char *s, size_t bytes);
/* Parses decimal digits only (no sign, no spaces); BN_EINVAL otherwise. */
int bignum_from_decimal(bignum *r, const char *digits);

/* Memory hooks: every allocation of this module goes through them and is told
 * the old size, so a test allocator can add red zones and count leaks.
 * realloc_fn and alloc_fn return NULL on failure. NULL restores the defaults. */
typedef void *(*bignum_alloc_fn)(size_t bytes);
typedef void *(*bignum_realloc_fn)(void *p, size_t old_bytes, size_t new_bytes);
typedef void (*bignum_free_fn)(void *p, size_t bytes);
void bignum_set_allocator(bignum_alloc_fn alloc_fn, bignum_realloc_fn realloc_fn,
                          bignum_free_fn free_fn);

#endif
