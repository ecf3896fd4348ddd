/* corescale's bundled arbitrary-precision naturals: limb layer and number layer. */
#include "bignum.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 bn_dlimb;

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

/* ---- limb layer ---------------------------------------------------------- */

bn_limb bn_add_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n)
{
    bn_limb carry = 0;
    for (size_t i = 0; i < n; i++) {
        bn_limb a = ap[i], s = a + bp[i];
        bn_limb c1 = s < a;
        bn_limb r = s + carry;
        carry = c1 | (r < s);
        rp[i] = r;
    }
    return carry;
}

bn_limb bn_sub_n(bn_limb *rp, const bn_limb *ap, const bn_limb *bp, size_t n)
{
    bn_limb borrow = 0;
    for (size_t i = 0; i < n; i++) {
        bn_limb a = ap[i], b = bp[i];
        bn_limb d = a - b;
        bn_limb b1 = a < b;
        bn_limb r = d - borrow;
        borrow = b1 | (d < borrow);
        rp[i] = r;
    }
    return borrow;
}

bn_limb bn_mul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    bn_limb carry = 0;
    for (size_t i = 0; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + carry;
        rp[i] = (bn_limb)t;
        carry = (bn_limb)(t >> 64);
    }
    return carry;
}

bn_limb bn_addmul_1(bn_limb *rp, const bn_limb *ap, size_t n, bn_limb b)
{
    bn_limb carry = 0;
    for (size_t i = 0; i < n; i++) {
        bn_dlimb t = (bn_dlimb)ap[i] * b + carry + rp[i];
        rp[i] = (bn_limb)t;
        carry = (bn_limb)(t >> 64);
    }
    return carry;
}

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

size_t bn_mul_scratch(size_t an, size_t bn)
{
    (void)an;
    (void)bn;
    return 0;
}

void bn_mul(bn_limb *rp, const bn_limb *ap, size_t an, const bn_limb *bp, size_t bn,
            bn_limb *scratch)
{
    (void)scratch;
    assert(an >= bn && bn >= 1);
    rp[an] = bn_mul_1(rp, ap, an, bp[0]);
    for (size_t i = 1; i < bn; i++)
        rp[an + i] = bn_addmul_1(rp + i, ap, an, bp[i]);
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

bn_limb bn_mod_1(const bn_limb *ap, size_t n, bn_limb d)
{
    assert(d != 0);
    bn_limb r = 0;
    while (n-- > 0)
        r = (bn_limb)((((bn_dlimb)r << 64) | ap[n]) % d);
    return r;
}

bn_limb bn_divrem_1(bn_limb *qp, const bn_limb *ap, size_t n, bn_limb d)
{
    assert(d != 0);
    bn_limb r = 0;
    while (n-- > 0) {
        bn_dlimb t = ((bn_dlimb)r << 64) | ap[n];
        qp[n] = (bn_limb)(t / d);
        r = (bn_limb)(t % d);
    }
    return r;
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
    size_t sn = bn_mul_scratch(an, bn);
    bn_limb *scratch = NULL;
    if (sn) {
        scratch = bn_alloc(sn * sizeof(bn_limb));
        if (!scratch)
            return BN_ENOMEM;
    }
    bignum t;
    bignum_init(&t);
    if (bignum_reserve(&t, rn)) {
        if (scratch)
            bn_free(scratch, sn * sizeof(bn_limb));
        return BN_ENOMEM;
    }
    bn_mul(t.limbs, a->limbs, an, b->limbs, bn, scratch);
    if (scratch)
        bn_free(scratch, sn * sizeof(bn_limb));
    t.size = rn - (t.limbs[rn - 1] == 0);
    bignum_swap(r, &t);
    bignum_clear(&t);
    return BN_OK;
}

int bignum_pow_u64(bignum *r, const bignum *a, uint64_t e)
{
    bignum acc, base;
    bignum_init(&acc);
    bignum_init(&base);
    int st = bignum_set_u64(&acc, 1);
    if (!st)
        st = bignum_copy(&base, a);
    while (!st && e) {
        if (e & 1)
            st = bignum_mul(&acc, &acc, &base);
        e >>= 1;
        if (!st && e)
            st = bignum_mul(&base, &base, &base);
    }
    if (!st)
        bignum_swap(r, &acc);
    bignum_clear(&acc);
    bignum_clear(&base);
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

/* ---- decimal ------------------------------------------------------------- */

#define BN_DEC_CHUNK 10000000000000000000ULL /* 10^19, the largest power of 10 in a limb */
#define BN_DEC_CHUNK_DIGITS 19

void bignum_free_string(char *s, size_t bytes)
{
    if (s)
        bn_free(s, bytes);
}

int bignum_to_decimal(const bignum *a, char **out, size_t *len)
{
    size_t n = a->size;
    /* 64 bits carry at most 19.27 digits: 20 per limb is always enough. */
    size_t cap = n * 20 + 2;
    char *s = bn_alloc(cap);
    if (!s)
        return BN_ENOMEM;
    if (n == 0) {
        s[0] = '0';
        s[1] = '\0';
        *out = s;
        *len = 1;
        return BN_OK;
    }
    bn_limb *q = bn_alloc(n * sizeof(bn_limb));
    if (!q) {
        bn_free(s, cap);
        return BN_ENOMEM;
    }
    memcpy(q, a->limbs, n * sizeof(bn_limb));
    /* Digits are produced least significant first, from the end of s. */
    size_t pos = cap - 1;
    s[pos] = '\0';
    while (n > 0) {
        bn_limb chunk = bn_divrem_1(q, q, n, BN_DEC_CHUNK);
        n = bn_normalized_size(q, n);
        for (int i = 0; i < BN_DEC_CHUNK_DIGITS; i++) {
            if (n == 0 && chunk == 0)
                break;
            s[--pos] = (char)('0' + chunk % 10);
            chunk /= 10;
        }
    }
    bn_free(q, a->size * sizeof(bn_limb));
    size_t digits = cap - 1 - pos;
    memmove(s, s + pos, digits + 1);
    /* Shrink to exactly digits + 1 bytes, so that the caller's free size is right. */
    char *shrunk = bn_realloc(s, cap, digits + 1);
    if (!shrunk) {
        bn_free(s, cap);
        return BN_ENOMEM;
    }
    *out = shrunk;
    *len = digits;
    return BN_OK;
}

int bignum_from_decimal(bignum *r, const char *digits)
{
    size_t nd = strlen(digits);
    if (nd == 0)
        return BN_EINVAL;
    for (size_t i = 0; i < nd; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return BN_EINVAL;
    bignum t;
    bignum_init(&t);
    if (bignum_reserve(&t, nd / BN_DEC_CHUNK_DIGITS + 1))
        return BN_ENOMEM;
    size_t first = nd % BN_DEC_CHUNK_DIGITS;
    if (first == 0)
        first = BN_DEC_CHUNK_DIGITS;
    for (size_t i = 0; i < nd;) {
        size_t take = i == 0 ? first : BN_DEC_CHUNK_DIGITS;
        bn_limb chunk = 0, scale = 1;
        for (size_t k = 0; k < take; k++) {
            chunk = chunk * 10 + (bn_limb)(digits[i + k] - '0');
            scale *= 10;
        }
        i += take;
        bn_limb carry = bn_mul_1(t.limbs, t.limbs, t.size, scale);
        /* add chunk */
        for (size_t k = 0; k < t.size && chunk; k++) {
            bn_limb s = t.limbs[k] + chunk;
            chunk = s < chunk;
            t.limbs[k] = s;
        }
        carry += chunk;
        if (carry)
            t.limbs[t.size++] = carry;
    }
    bignum_swap(r, &t);
    bignum_clear(&t);
    return BN_OK;
}
