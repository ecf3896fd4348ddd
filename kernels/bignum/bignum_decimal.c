/* bignum's decimal conversion, both ways, by divide and conquer over powers 10^(19 2^i). */
#include <assert.h>
#include <string.h>

#include "bignum_impl.h"

/*
 * A limb holds 19 decimal digits (10^19 < 2^64), so numbers are cut at the
 * powers P_i = 10^(19 2^i) = P_{i-1}^2. To decimal: x < P_i^2 splits into
 * x = q P_i + r with q, r < P_i, each converted into its 19 2^i digits, down
 * to a few limbs where repeated division by 10^19 is fastest. The quotients
 * come from a Newton reciprocal of each power, computed once per conversion,
 * so a split costs two multiplications and the whole conversion
 * O(M(n) log n) instead of the O(n^2) of dividing the whole number by 10^19
 * again and again. From decimal runs the same tree upwards: value = high P_i + low.
 */

#define DEC_CHUNK 10000000000000000000ULL /* 10^19 */
#define DEC_CHUNK_DIGITS 19
#define DEC_MAX_LEVELS 48

/* Below this many limbs a number is converted by repeated division by 10^19
 * (quadratic, but with a small constant). */
#ifndef BN_DECIMAL_DC_THRESHOLD
#define BN_DECIMAL_DC_THRESHOLD 24
#endif
/* Below this many chunks of 19 digits, from_decimal multiplies and adds chunk by chunk. */
#ifndef BN_FROM_DECIMAL_DC_THRESHOLD
#define BN_FROM_DECIMAL_DC_THRESHOLD 32
#endif

/* ---- the powers P_i ------------------------------------------------------ */

typedef struct dec_powers {
    size_t levels;                  /* P_0 .. P_{levels-1} */
    bn_limb *limbs[DEC_MAX_LEVELS]; /* P_i, normalized (no high zero limb) */
    size_t size[DEC_MAX_LEVELS];
    size_t alloc[DEC_MAX_LEVELS];
} dec_powers;

static void powers_free(dec_powers *pw)
{
    for (size_t i = 0; i < pw->levels; i++)
        bignum_free_limbs(pw->limbs[i], pw->alloc[i]);
    pw->levels = 0;
}

/* Appends the next power: P_0 = 10^19, then P_i = P_{i-1}^2. */
static int powers_push(dec_powers *pw)
{
    size_t i = pw->levels;
    if (i == DEC_MAX_LEVELS)
        return BN_ENOMEM;
    if (i == 0) {
        bn_limb *p0 = bignum_alloc_limbs(1);
        if (!p0)
            return BN_ENOMEM;
        p0[0] = DEC_CHUNK;
        pw->limbs[0] = p0;
        pw->size[0] = pw->alloc[0] = 1;
        pw->levels = 1;
        return BN_OK;
    }
    size_t m = pw->size[i - 1], sn = bn_sqr_scratch(m);
    bn_limb *sq = bignum_alloc_limbs(2 * m), *scratch = bignum_alloc_limbs(sn);
    if (!sq || !scratch) {
        bignum_free_limbs(sq, 2 * m);
        bignum_free_limbs(scratch, sn);
        return BN_ENOMEM;
    }
    bn_sqr(sq, pw->limbs[i - 1], m, scratch);
    bignum_free_limbs(scratch, sn);
    pw->limbs[i] = sq;
    pw->alloc[i] = 2 * m;
    pw->size[i] = bn_normalized_size(sq, 2 * m);
    pw->levels++;
    return BN_OK;
}

/* ---- to decimal ---------------------------------------------------------- */

/* Per level i >= 1 of the split: the normalized divisor, its reciprocal, and
 * room for one split at a time (the recursion is depth first). */
typedef struct dec_level {
    bn_limb *dn;   /* P_i << shift, m limbs */
    bn_limb *inv;  /* bn_invert(dn) */
    unsigned shift;
    size_t m;
    bn_limb *num;  /* x << shift: 2m limbs */
    bn_limb *q;    /* m + 1 limbs */
    bn_limb *r;    /* m limbs */
} dec_level;

typedef struct dec_out {
    dec_level level[DEC_MAX_LEVELS];
    size_t levels;
    bn_limb *scratch; /* division scratch for the largest level */
    bn_limb *base;    /* repeated-division buffer */
    bn_limb *block;   /* everything above in one allocation */
    size_t block_limbs;
} dec_out;

static void write_chunk(char *s, bn_limb chunk)
{
    for (int i = DEC_CHUNK_DIGITS; i-- > 0;) {
        s[i] = (char)('0' + chunk % 10);
        chunk /= 10;
    }
}

/* Digits of x (xn limbs, x < 10^(19 chunks)) into s[0 .. 19 chunks), zero padded. */
static void to_decimal_base(char *s, size_t chunks, const bn_limb *xp, size_t xn, bn_limb *buf)
{
    bn_copy(buf, xp, xn);
    size_t c = chunks;
    while (xn > 0) {
        assert(c > 0);
        bn_limb chunk = bn_divrem_1(buf, buf, xn, DEC_CHUNK);
        xn = bn_normalized_size(buf, xn);
        write_chunk(s + (--c) * DEC_CHUNK_DIGITS, chunk);
    }
    memset(s, '0', c * DEC_CHUNK_DIGITS);
}

/* Digits of x < P_{i+1} into s, exactly 19 * 2^(i+1) of them, zero padded. */
static void to_decimal_rec(dec_out *o, char *s, size_t i, const bn_limb *xp, size_t xn)
{
    size_t half = (size_t)DEC_CHUNK_DIGITS << i; /* digits per half */
    xn = bn_normalized_size(xp, xn);
    if (xn == 0) {
        memset(s, '0', 2 * half);
        return;
    }
    if (i == 0 || xn <= BN_DECIMAL_DC_THRESHOLD) {
        to_decimal_base(s, (size_t)2 << i, xp, xn, o->base);
        return;
    }
    dec_level *lv = &o->level[i];
    size_t m = lv->m;
    if (xn < m) { /* x < P_i: the high half is zero */
        memset(s, '0', half);
        to_decimal_rec(o, s + half, i - 1, xp, xn);
        return;
    }
    /* x P_i-normalized: x 2^shift < P_i^2 2^shift < B^2m */
    size_t nn = xn;
    if (lv->shift) {
        bn_limb out = bn_lshift(lv->num, xp, xn, lv->shift);
        if (out)
            lv->num[nn++] = out;
    } else {
        bn_copy(lv->num, xp, xn);
    }
    size_t qn = nn - m + 1;
    bn_div_qr_preinv(lv->q, lv->r, lv->num, nn, lv->dn, m, lv->inv, o->scratch);
    if (lv->shift)
        bn_rshift(lv->r, lv->r, m, lv->shift);
    to_decimal_rec(o, s, i - 1, lv->q, qn);
    to_decimal_rec(o, s + half, i - 1, lv->r, m);
}

static void dec_out_free(dec_out *o)
{
    bignum_free_limbs(o->block, o->block_limbs);
    o->block = NULL;
}

/* Levels 1 .. top: normalized powers, reciprocals and buffers, in one block. */
static int dec_out_init(dec_out *o, const dec_powers *pw, size_t top)
{
    o->levels = top + 1;
    size_t total = 2 * BN_DECIMAL_DC_THRESHOLD + 2;
    size_t scratch = 0;
    for (size_t i = 1; i <= top; i++) {
        size_t m = pw->size[i];
        total += m + m + 2 * m + (m + 1) + m;
        size_t s = bn_invert_scratch(m);
        if (bn_div_preinv_scratch(m) > s)
            s = bn_div_preinv_scratch(m);
        if (s > scratch)
            scratch = s;
    }
    total += scratch;
    o->block_limbs = total;
    o->block = bignum_alloc_limbs(total);
    if (!o->block)
        return BN_ENOMEM;
    bn_limb *p = o->block;
    o->base = p;
    p += 2 * BN_DECIMAL_DC_THRESHOLD + 2;
    o->scratch = p;
    p += scratch;
    for (size_t i = 1; i <= top; i++) {
        dec_level *lv = &o->level[i];
        size_t m = pw->size[i];
        lv->m = m;
        lv->shift = (unsigned)__builtin_clzll(pw->limbs[i][m - 1]);
        lv->dn = p;
        p += m;
        lv->inv = p;
        p += m;
        lv->num = p;
        p += 2 * m;
        lv->q = p;
        p += m + 1;
        lv->r = p;
        p += m;
        if (lv->shift)
            bn_lshift(lv->dn, pw->limbs[i], m, lv->shift);
        else
            bn_copy(lv->dn, pw->limbs[i], m);
        bn_invert(lv->inv, lv->dn, m, o->scratch);
    }
    return BN_OK;
}

void bignum_free_string(char *s, size_t bytes)
{
    if (s)
        bignum_free_bytes(s, bytes);
}

static int string_of(const char *digits, size_t len, char **out, size_t *out_len)
{
    char *s = bignum_alloc_bytes(len + 1);
    if (!s)
        return BN_ENOMEM;
    memcpy(s, digits, len);
    s[len] = '\0';
    *out = s;
    *out_len = len;
    return BN_OK;
}

int bignum_to_decimal(const bignum *a, char **out, size_t *len)
{
    size_t n = a->size;
    if (n == 0)
        return string_of("0", 1, out, len);
    /* The smallest top with a < P_top^2: P_top^2 >= B^(2 size - 2) >= B^n > a. */
    dec_powers pw;
    pw.levels = 0;
    int st = BN_OK;
    while (st == BN_OK && (pw.levels < 2 || 2 * pw.size[pw.levels - 1] - 2 < n))
        st = powers_push(&pw);
    char *buf = NULL;
    size_t top = 0, digits_cap = 0;
    dec_out o;
    memset(&o, 0, sizeof o);
    if (st == BN_OK) {
        top = pw.levels - 1;
        digits_cap = (size_t)DEC_CHUNK_DIGITS << (top + 1);
        buf = bignum_alloc_bytes(digits_cap);
        st = buf ? dec_out_init(&o, &pw, top) : BN_ENOMEM;
    }
    if (st == BN_OK) {
        to_decimal_rec(&o, buf, top, a->limbs, n);
        size_t lead = 0;
        while (lead + 1 < digits_cap && buf[lead] == '0')
            lead++;
        st = string_of(buf + lead, digits_cap - lead, out, len);
    }
    dec_out_free(&o);
    if (buf)
        bignum_free_bytes(buf, digits_cap);
    powers_free(&pw);
    return st;
}

/* ---- from decimal -------------------------------------------------------- */

/* Value of the 19-digit chunks c[0..n) (c[0] least significant) into rp, n + 1
 * limbs; returns its size. Horner's rule. */
static size_t from_chunks_base(bn_limb *rp, const bn_limb *c, size_t n)
{
    size_t rn = 0;
    for (size_t j = n; j-- > 0;) {
        bn_limb hi = bn_mul_1(rp, rp, rn, DEC_CHUNK);
        if (hi)
            rp[rn++] = hi;
        bn_limb carry = bn_add_1(rp, rp, rn, c[j]);
        if (rn == 0 && c[j])
            rp[rn++] = c[j];
        else if (carry)
            rp[rn++] = carry;
    }
    return rn;
}

/* Value of c[0..n) into rp (n + 1 limbs: P_i has at most 2^i limbs, so n chunks
 * fit n limbs); returns its size. ws: 2n + scratch for the level products. */
static size_t from_chunks_rec(bn_limb *rp, const bn_limb *c, size_t n, const dec_powers *pw,
                              bn_limb *ws)
{
    if (n <= BN_FROM_DECIMAL_DC_THRESHOLD)
        return from_chunks_base(rp, c, n);
    size_t i = 0;
    while (((size_t)2 << i) < n)
        i++;
    size_t lo_n = (size_t)1 << i; /* low part: 2^i chunks, below P_i */
    bn_limb *hi = ws, *next = ws + (n - lo_n) + 1;
    size_t hn = from_chunks_rec(hi, c + lo_n, n - lo_n, pw, next);
    size_t ln = from_chunks_rec(rp, c, lo_n, pw, next);
    if (hn == 0)
        return ln;
    /* rp = hi P_i + low */
    bn_limb *prod = next, *mws = prod + hn + pw->size[i];
    size_t pn = hn + pw->size[i];
    if (hn >= pw->size[i])
        bn_mul(prod, hi, hn, pw->limbs[i], pw->size[i], mws);
    else
        bn_mul(prod, pw->limbs[i], pw->size[i], hi, hn, mws);
    bn_limb carry = bn_add(prod, prod, pn, rp, ln);
    assert(carry == 0);
    (void)carry;
    bn_copy(rp, prod, pn);
    return bn_normalized_size(rp, pn);
}

int bignum_from_decimal(bignum *r, const char *digits)
{
    size_t nd = strlen(digits);
    if (nd == 0)
        return BN_EINVAL;
    for (size_t i = 0; i < nd; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return BN_EINVAL;
    size_t n = (nd + DEC_CHUNK_DIGITS - 1) / DEC_CHUNK_DIGITS;
    /* Workspace: the high parts down the recursion (about 2n), a product and its scratch. */
    size_t ws_n = 3 * n + 64 + bn_mul_scratch(n + 1, n + 1);
    bn_limb *chunks = bignum_alloc_limbs(n), *ws = bignum_alloc_limbs(ws_n);
    bignum t;
    bignum_init(&t);
    dec_powers pw;
    pw.levels = 0;
    int st = chunks && ws ? bignum_reserve(&t, n + 1) : BN_ENOMEM;
    /* P_i for every split: 2^i < n */
    while (st == BN_OK && ((size_t)1 << pw.levels) < n)
        st = powers_push(&pw);
    if (st == BN_OK) {
        /* chunks[0] holds the last 19 digits */
        for (size_t j = 0; j < n; j++) {
            size_t end = nd - j * DEC_CHUNK_DIGITS;
            size_t start = end >= DEC_CHUNK_DIGITS ? end - DEC_CHUNK_DIGITS : 0;
            bn_limb v = 0;
            for (size_t k = start; k < end; k++)
                v = v * 10 + (bn_limb)(digits[k] - '0');
            chunks[j] = v;
        }
        t.size = from_chunks_rec(t.limbs, chunks, n, &pw, ws);
        bignum_swap(r, &t);
    }
    powers_free(&pw);
    bignum_clear(&t);
    bignum_free_limbs(chunks, n);
    bignum_free_limbs(ws, ws_n);
    return st;
}
