/* bignum's number layer: naturals that own their limbs, the allocator hooks, the packed form. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bignum_impl.h"

/* ---- allocator hooks ----------------------------------------------------- */

static void *bn_default_alloc(size_t bytes) { return malloc(bytes); }
static void *bn_default_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
    (void)old_bytes;
    return realloc(p, new_bytes);
}
static void bn_default_free(void *p, size_t bytes)
{
    (void)bytes;
    free(p);
}

static bignum_alloc_fn bn_alloc = bn_default_alloc;
static bignum_realloc_fn bn_realloc = bn_default_realloc;
static bignum_free_fn bn_free = bn_default_free;

void bignum_set_allocator(bignum_alloc_fn alloc_fn, bignum_realloc_fn realloc_fn,
                          bignum_free_fn free_fn)
{
    bn_alloc = alloc_fn ? alloc_fn : bn_default_alloc;
    bn_realloc = realloc_fn ? realloc_fn : bn_default_realloc;
    bn_free = free_fn ? free_fn : bn_default_free;
}

void *bignum_alloc_bytes(size_t bytes) { return bn_alloc(bytes); }
void bignum_free_bytes(void *p, size_t bytes)
{
    if (p)
        bn_free(p, bytes);
}

bn_limb *bignum_alloc_limbs(size_t n)
{
    if (n > SIZE_MAX / sizeof(bn_limb))
        return NULL;
    return bn_alloc(n * sizeof(bn_limb));
}

void bignum_free_limbs(bn_limb *p, size_t n)
{
    if (p)
        bn_free(p, n * sizeof(bn_limb));
}

/* ---- number layer -------------------------------------------------------- */

void bignum_init(bignum *x)
{
    x->limbs = NULL;
    x->size = 0;
    x->alloc = 0;
}

void bignum_clear(bignum *x)
{
    if (x->limbs)
        bn_free(x->limbs, x->alloc * sizeof(bn_limb));
    bignum_init(x);
}

void bignum_swap(bignum *a, bignum *b)
{
    bignum t = *a;
    *a = *b;
    *b = t;
}

int bignum_reserve(bignum *x, size_t limbs)
{
    if (limbs <= x->alloc)
        return BN_OK;
    if (limbs > SIZE_MAX / sizeof(bn_limb))
        return BN_ENOMEM;
    bn_limb *p;
    if (x->limbs)
        p = bn_realloc(x->limbs, x->alloc * sizeof(bn_limb), limbs * sizeof(bn_limb));
    else
        p = bn_alloc(limbs * sizeof(bn_limb));
    if (!p)
        return BN_ENOMEM;
    x->limbs = p;
    x->alloc = limbs;
    return BN_OK;
}

int bignum_set_u64(bignum *r, uint64_t v)
{
    if (v == 0) {
        r->size = 0;
        return BN_OK;
    }
    int st = bignum_reserve(r, 1);
    if (st)
        return st;
    r->limbs[0] = v;
    r->size = 1;
    return BN_OK;
}

int bignum_copy(bignum *r, const bignum *a)
{
    if (r == a)
        return BN_OK;
    int st = bignum_reserve(r, a->size);
    if (st)
        return st;
    if (a->size)
        memcpy(r->limbs, a->limbs, a->size * sizeof(bn_limb));
    r->size = a->size;
    return BN_OK;
}

int bignum_mul_u64(bignum *r, const bignum *a, uint64_t b)
{
    if (a->size == 0 || b == 0) {
        r->size = 0;
        return BN_OK;
    }
    /* Reserving may move a's limbs when r == a; bn_mul_1 allows rp == ap. */
    int st = bignum_reserve(r, a->size + 1);
    if (st)
        return st;
    size_t n = a->size;
    bn_limb hi = bn_mul_1(r->limbs, a->limbs, n, b);
    r->limbs[n] = hi;
    r->size = n + (hi != 0);
    return BN_OK;
}

/* Scratch up to this many limbs lives on the stack: small products then
 * allocate nothing but their result. */
#define BN_STACK_SCRATCH 2048

/* rp = a*b (or a^2 when square), an >= bn >= 1, with scratch from the stack or the hooks. */
static int mul_limbs(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
                     int square)
{
    size_t sn = square ? bn_sqr_scratch(an) : bn_mul_scratch(an, bn);
    bn_limb stack[BN_STACK_SCRATCH];
    bn_limb *scratch = stack;
    if (sn > BN_STACK_SCRATCH) {
        scratch = bignum_alloc_limbs(sn);
        if (!scratch)
            return BN_ENOMEM;
    }
    if (square)
        bn_sqr(rp, ap, an, scratch);
    else
        bn_mul(rp, ap, an, bp, bn, scratch);
    if (scratch != stack)
        bignum_free_limbs(scratch, sn);
    return BN_OK;
}

/* Products whose schoolbook fits this many limbs skip the scratch, and when r
 * is an operand they are built on the stack instead of in a new allocation. */
#define BN_STACK_PRODUCT 256

/* r = a*b (or a^2 when square) by schoolbook, rn = an + bn <= BN_STACK_PRODUCT. */
static int mul_small(bignum *r, const bignum *a, const bignum *b, int square)
{
    size_t an = a->size, bn = b->size, rn = an + bn;
    bn_limb stack[BN_STACK_PRODUCT];
    int aliased = r == a || r == b;
    if (!aliased && bignum_reserve(r, rn))
        return BN_ENOMEM;
    bn_limb *dst = aliased ? stack : r->limbs;
    if (square)
        bn_sqr_basecase(dst, a->limbs, an);
    else
        bn_mul_basecase(dst, a->limbs, an, b->limbs, bn);
    if (aliased) { /* the operands are read: r may move now */
        if (bignum_reserve(r, rn))
            return BN_ENOMEM;
        memcpy(r->limbs, stack, rn * sizeof *stack);
    }
    r->size = rn - (r->limbs[rn - 1] == 0);
    return BN_OK;
}

int bignum_mul(bignum *r, const bignum *a, const bignum *b)
{
    if (a->size == 0 || b->size == 0) {
        r->size = 0;
        return BN_OK;
    }
    if (a->size < b->size) {
        const bignum *t = a;
        a = b;
        b = t;
    }
    size_t an = a->size, bn = b->size, rn = an + bn;
    int square = a->limbs == b->limbs && an == bn;
    if (rn < an || rn > SIZE_MAX / 64) /* sizes whose scratch would overflow */
        return BN_ENOMEM;
    if (rn <= BN_STACK_PRODUCT &&
        (square ? an < BN_SQR_KARATSUBA_THRESHOLD : bn < BN_KARATSUBA_THRESHOLD))
        return mul_small(r, a, b, square);
    /* Write straight into r when it is neither input and has room; otherwise
     * build in a temporary and swap, so that r may alias a or b. */
    int in_place = r != a && r != b && r->alloc >= rn;
    bignum t;
    bignum_init(&t);
    bignum *dst = in_place ? r : &t;
    if (!in_place && bignum_reserve(&t, rn))
        return BN_ENOMEM;
    if (mul_limbs(dst->limbs, a->limbs, an, b->limbs, bn, square)) {
        bignum_clear(&t);
        return BN_ENOMEM;
    }
    dst->size = rn - (dst->limbs[rn - 1] == 0);
    if (!in_place)
        bignum_swap(r, &t);
    bignum_clear(&t);
    return BN_OK;
}

int bignum_mul_helped(bignum *r, const bignum *a, const bignum *b, const bignum_helpers *h)
{
    if (a->size < b->size) {
        const bignum *t = a;
        a = b;
        b = t;
    }
    size_t an = a->size, bn = b->size, rn = an + bn;
    int square = a->limbs == b->limbs && an == bn;
    /* The cases that take a transform in bn_mul, and no others; sizes whose
     * scratch would overflow are bignum_mul's to refuse. */
    if (!h || bn == 0 || bn < (square ? BN_SQR_NTT_THRESHOLD : BN_NTT_THRESHOLD) ||
        rn < an || rn > SIZE_MAX / 64)
        return bignum_mul(r, a, b);
    size_t sn = bn_mul_helped_scratch(an, bn);
    bignum t;
    bignum_init(&t);
    bn_limb *scratch = bignum_alloc_limbs(sn);
    if (!scratch || bignum_reserve(&t, rn)) {
        bignum_free_limbs(scratch, sn);
        return BN_ENOMEM;
    }
    bn_mul_helped(t.limbs, a->limbs, an, b->limbs, bn, scratch, h);
    bignum_free_limbs(scratch, sn);
    t.size = rn - (t.limbs[rn - 1] == 0);
    bignum_swap(r, &t);
    bignum_clear(&t);
    return BN_OK;
}

int bignum_pow_u64(bignum *r, const bignum *a, uint64_t e)
{
    if (e == 0)
        return bignum_set_u64(r, 1);
    if (a->size == 0) {
        r->size = 0;
        return BN_OK;
    }
    /* The result has at most bits(a) * e bits: refuse what cannot exist. */
    uint64_t bits = bignum_bits(a);
    if (bits > 1 && e > (uint64_t)SIZE_MAX / 8 / bits)
        return BN_ENOMEM;
    /* Left to right: square for every bit below the top one, multiply by a for the set ones. */
    bignum acc;
    bignum_init(&acc);
    int st = bignum_copy(&acc, a);
    int top = 63 - __builtin_clzll(e);
    for (int i = top - 1; !st && i >= 0; i--) {
        st = bignum_mul(&acc, &acc, &acc);
        if (!st && (e >> i & 1))
            st = bignum_mul(&acc, &acc, a);
    }
    if (!st)
        bignum_swap(r, &acc);
    bignum_clear(&acc);
    return st;
}

int bignum_cmp(const bignum *a, const bignum *b)
{
    if (a->size != b->size)
        return a->size < b->size ? -1 : 1;
    return bn_cmp(a->limbs, b->limbs, a->size);
}

int bignum_is_zero(const bignum *a) { return a->size == 0; }

uint64_t bignum_bits(const bignum *a)
{
    if (a->size == 0)
        return 0;
    return (uint64_t)a->size * BN_LIMB_BITS - (uint64_t)__builtin_clzll(a->limbs[a->size - 1]);
}

uint64_t bignum_mod_u64(const bignum *a, uint64_t m)
{
    assert(m != 0);
    return bn_mod_1(a->limbs, a->size, m);
}

/* ---- packed form --------------------------------------------------------- */

static void bn_store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t bn_load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

size_t bignum_packed_size(const bignum *a) { return 8 + 8 * a->size; }

int bignum_pack(const bignum *a, uint8_t *buf, size_t cap)
{
    if (cap < bignum_packed_size(a))
        return BN_EINVAL;
    bn_store_le64(buf, a->size);
    for (size_t i = 0; i < a->size; i++)
        bn_store_le64(buf + 8 + 8 * i, a->limbs[i]);
    return BN_OK;
}

int bignum_unpack(bignum *r, const uint8_t *buf, size_t len)
{
    if (len < 8 || (len - 8) % 8 != 0)
        return BN_ECORRUPT;
    uint64_t count = bn_load_le64(buf);
    if (count != (len - 8) / 8)
        return BN_ECORRUPT;
    if (count > 0 && bn_load_le64(buf + 8 * count) == 0)
        return BN_ECORRUPT;
    bignum t;
    bignum_init(&t);
    if (bignum_reserve(&t, count))
        return BN_ENOMEM;
    for (size_t i = 0; i < count; i++)
        t.limbs[i] = bn_load_le64(buf + 8 + 8 * i);
    t.size = count;
    bignum_swap(r, &t);
    bignum_clear(&t);
    return BN_OK;
}

