/* The product kernel: total = prod over i,j,k in 1..n-1 of i*j*k, exactly. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bignum.h"
#include "kernel.h"

/*
 * The iteration space is the m^3 triples (i, j, k), m = n-1, in loop order
 * (i slowest), numbered t = ((i-1)*m + (j-1))*m + (k-1). Item c of C covers
 * the contiguous run of t whose factors' bits fill the c-th C-th of the
 * result's: it starts at the first t where the bits of the factors before it
 * reach c/C of all (item_start), counting 256 log2 of each of i, j and k,
 * rounded down, in integers, so the cut is decided by n and C alone, and
 * every rank and machine makes it alike. An item's cost follows its bits,
 * and so do the combines above it: cut into equal numbers of triples, the
 * last items (i near m) had 1.6 times the first's bits, and with them every
 * rank's subtree that of the rank before it, which the ranks sharing the node
 * above waited for. An item multiplies its factors into one accumulator in
 * loop order, packing as many
 * consecutive factors into a 64-bit word as fit before each bignum pass (it
 * is still the triple loop: every factor is multiplied in). With C = 1 that
 * is the classic single accumulator. Partials combine by multiplication.
 *
 * Verification is by two independent paths: exact equality with the closed
 * form ((n-1)!)^(3(n-1)^2) built by factorial and powering, and residues
 * modulo two primes taken from the triple loop itself in word arithmetic.
 */

#define PRODUCT_DEFAULT_CHUNKS 1024
#define PRODUCT_N_MAX (1u << 20) /* keeps m^3 and every factor inside 64 bits */

/* Residues from the loop: a Mersenne prime and the largest 64-bit prime. */
static const uint64_t residue_primes[] = {0x1fffffffffffffffULL, 0xffffffffffffffc5ULL};
#define RESIDUE_COUNT (sizeof residue_primes / sizeof residue_primes[0])

struct cs_problem {
    uint64_t n, m;     /* loop bound and m = n-1 */
    uint64_t space;    /* m^3 iterations */
    uint64_t items;
    uint64_t *log_sum; /* log_sum[x]: the sum of log2_256(v) for v in 1..x, x <= m */
    unsigned __int128 bits; /* bits_before(space): the whole loop's, in 1/256 bits */
};

struct cs_partial {
    bignum value;
    uint64_t shift; /* limbs: the partial is value * 2^(64 shift); nonzero only for a
                       piece of a split partial and products with one */
};

/* 256 log2(v), rounded down, in integers alone (so that every rank and every machine cuts
 * the items alike): the exponent, then eight bits of the mantissa by repeated squaring. */
static uint64_t log2_256(uint64_t v)
{
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    assert(v >= 1 && e <= 62);
    unsigned __int128 y = (unsigned __int128)v << (62 - e); /* v / 2^e in [1, 2), 62 bits */
    uint64_t frac = 0;
    for (int b = 0; b < 8; b++) {
        y = (y * y) >> 62;
        frac <<= 1;
        if (y >> 63) {
            frac |= 1;
            y >>= 1;
        }
    }
    return 256 * (uint64_t)e + frac;
}

static double result_bits_estimate(uint64_t m)
{
    /* bits of (m!)^(3m^2) = 3 m^2 log2(m!) */
    return 3.0 * (double)m * (double)m * lgamma((double)m + 1.0) / log(2.0);
}

typedef unsigned __int128 u128;

/* The bits of the factors of triples [0, t), in 1/256 bits: the sum of log2_256 of each
 * triple's i, j and k, exactly, from whole i planes, whole j rows, then single k. */
static u128 bits_before(const cs_problem *p, uint64_t t)
{
    const uint64_t m = p->m, *ls = p->log_sum;
    uint64_t i0 = t / (m * m), rest = t % (m * m), j0 = rest / m, k0 = rest % m;
    u128 w = (u128)m * m * ls[i0] + (u128)i0 * 2 * m * ls[m]; /* whole i planes */
    if (i0 == m)
        return w;
    uint64_t wi = ls[i0 + 1] - ls[i0];
    w += (u128)j0 * m * wi + (u128)m * ls[j0] + (u128)j0 * ls[m]; /* whole j rows */
    uint64_t wj = ls[j0 + 1] - ls[j0];
    return w + (u128)k0 * (wi + wj) + ls[k0];
}

static int product_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    if (n < 2 || n > PRODUCT_N_MAX) {
        cs_err_set(err, "--n %llu: the product needs 2 <= n <= %u", (unsigned long long)n,
                   PRODUCT_N_MAX);
        return CS_EINVAL;
    }
    uint64_t m = n - 1;
    /* The result, the two halves of the last multiplication, its scratch and
     * the closed form for verification: about eight results' worth. */
    char where[160];
    double bytes = result_bits_estimate(m) / 8.0, need = 8.0 * bytes;
    double have = cs_memory_room(where, sizeof where);
    if (have > 0 && need > have) {
        cs_err_set(err, "--n %llu: the result has about %.3g bits; computing and verifying it "
                        "needs about %.1f GiB, more than %s",
                   (unsigned long long)n, bytes * 8.0, need / (1 << 30), where);
        return CS_EINVAL;
    }
    uint64_t space = m * m * m;
    if (chunks > space) {
        cs_err_set(err, "--chunks %llu: n=%llu has only %llu iterations to cut into items",
                   (unsigned long long)chunks, (unsigned long long)n, (unsigned long long)space);
        return CS_EINVAL;
    }
    cs_problem *p = calloc(1, sizeof *p);
    if (!p) {
        cs_err_set(err, "out of memory");
        return CS_ENOMEM;
    }
    p->n = n;
    p->m = m;
    p->space = space;
    p->items = chunks ? chunks : (space < PRODUCT_DEFAULT_CHUNKS ? space : PRODUCT_DEFAULT_CHUNKS);
    p->log_sum = malloc((m + 1) * sizeof *p->log_sum);
    if (!p->log_sum) {
        free(p);
        cs_err_set(err, "out of memory");
        return CS_ENOMEM;
    }
    p->log_sum[0] = 0;
    for (uint64_t v = 1; v <= m; v++)
        p->log_sum[v] = p->log_sum[v - 1] + log2_256(v);
    p->bits = bits_before(p, space);
    *out = p;
    return CS_OK;
}

static void product_problem_free(cs_problem *p)
{
    if (p)
        free(p->log_sum);
    free(p);
}

static uint64_t product_item_count(const cs_problem *p)
{
    return p->items;
}

/* The first triple of `item`: the first t whose factors before it hold item/items of the
 * loop's bits; the end of the loop for item == items (the triple (1, 1, 1) weighs nothing, so
 * for n = 2 the search would stop before it). Tiny loops may leave an item empty. */
static uint64_t item_start(const cs_problem *p, uint64_t item)
{
    if (item >= p->items)
        return p->space;
    u128 q = p->bits / p->items, r = p->bits % p->items;
    u128 target = q * item + r * item / p->items; /* bits * item / items, without overflow */
    uint64_t lo = 0, hi = p->space;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (bits_before(p, mid) >= target)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static cs_partial *partial_new(void)
{
    cs_partial *x = malloc(sizeof *x);
    if (x) {
        bignum_init(&x->value);
        x->shift = 0;
    }
    return x;
}

static void product_partial_free(cs_partial *x)
{
    if (!x)
        return;
    bignum_clear(&x->value);
    free(x);
}

static int nomem(cs_err *err, const char *what)
{
    cs_err_set(err, "out of memory %s", what);
    return CS_ENOMEM;
}

static int product_item_run(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err)
{
    uint64_t t = item_start(p, item), end = item_start(p, item + 1), m = p->m;
    cs_partial *x = partial_new();
    if (!x || bignum_set_u64(&x->value, 1) != BN_OK) {
        product_partial_free(x);
        return nomem(err, "for an item's partial");
    }
    /* Room for every factor at full width: growth is then one allocation. */
    double bits = (double)(end - t) * log2((double)m * (double)m * (double)m) + 64.0;
    if (bignum_reserve(&x->value, (size_t)(bits / 64.0) + 2) != BN_OK) {
        product_partial_free(x);
        return nomem(err, "for an item's partial");
    }
    uint64_t i = t / (m * m) + 1, j = t / m % m + 1, k = t % m + 1;
    uint64_t word = 1;
    for (; t < end; t++) {
        uint64_t factor = i * j * k, packed;
        if (__builtin_mul_overflow(word, factor, &packed)) {
            if (bignum_mul_u64(&x->value, &x->value, word) != BN_OK) {
                product_partial_free(x);
                return nomem(err, "growing an item's partial");
            }
            packed = factor;
        }
        word = packed;
        if (++k > m) {
            k = 1;
            if (++j > m) {
                j = 1;
                i++;
            }
        }
    }
    if (bignum_mul_u64(&x->value, &x->value, word) != BN_OK) {
        product_partial_free(x);
        return nomem(err, "growing an item's partial");
    }
    *out = x;
    return CS_OK;
}

/* left * right, its transform steps given to h when there is one (bignum_helpers
 * has cs_helpers' shape): the tree's top multiplications are its largest. */
static int multiply(cs_partial *left, cs_partial *right, const cs_helpers *h, cs_partial **out,
                    cs_err *err)
{
    bignum_helpers bh = {h ? h->run : NULL, h ? h->ctx : NULL};
    int rc = bignum_mul_helped(&left->value, &left->value, &right->value, h ? &bh : NULL);
    left->shift += right->shift;
    product_partial_free(right);
    if (rc != BN_OK) {
        product_partial_free(left);
        return nomem(err, "multiplying two partials");
    }
    *out = left;
    return CS_OK;
}

static int product_combine(const cs_problem *p, cs_partial *left, cs_partial *right,
                           cs_partial **out, cs_err *err)
{
    (void)p;
    return multiply(left, right, NULL, out, err);
}

static int product_combine_helped(const cs_problem *p, cs_partial *left, cs_partial *right,
                                  const cs_helpers *h, cs_partial **out, cs_err *err)
{
    (void)p;
    return multiply(left, right, h, out, err);
}

/* A combine shared by a group of processes (bignum_mul_group): each brings
 * its pieces of left and right, and leaves with its piece of the product. */
static int product_combine_group(const cs_problem *p, cs_partial *left, cs_partial *right,
                                 const cs_group *g, const cs_helpers *h, int whole,
                                 cs_partial **out, cs_err *err)
{
    (void)p;
    bignum_group bg = {g->rank, g->size, g->exchange, g->ctx};
    bignum_helpers bh = {h ? h->run : NULL, h ? h->ctx : NULL};
    cs_partial *x = partial_new();
    uint64_t at = 0;
    int rc = x ? BN_OK : BN_ENOMEM;
    /* a member that cannot start still comes to the group's first exchange, failed */
    if (rc == BN_OK)
        rc = bignum_mul_group(&x->value, &at, left ? &left->value : NULL, left ? left->shift : 0,
                              right ? &right->value : NULL, right ? right->shift : 0, whole, &bg,
                              h ? &bh : NULL);
    else
        g->exchange(g->ctx, 1, NULL, NULL, NULL, NULL);
    product_partial_free(left);
    product_partial_free(right);
    if (rc != BN_OK) {
        product_partial_free(x);
        if (rc == BN_EGROUP) {
            cs_err_set(err, "a product shared by %u processes stopped: another failed", g->size);
            return CS_EGROUP;
        }
        return nomem(err, "for a product shared by a group");
    }
    if (x->value.size == 0) { /* this member holds none of it */
        product_partial_free(x);
        x = NULL;
    } else {
        x->shift = at;
    }
    *out = x;
    return CS_OK;
}

/* bignum's packed form (a limb count, then the limbs, little-endian); a
 * shifted piece is packed as the number it stands for, its low limbs zero,
 * so a receiver always unpacks a plain value. */
/* Its limbs' bytes: the shift's zeros are no part of what an exchange moves. */
static uint64_t product_partial_bytes(const cs_partial *x)
{
    return 8 * (uint64_t)x->value.size;
}

static int product_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                        cs_err *err)
{
    (void)p;
    size_t size = bignum_packed_size(&x->value), zeros = 0;
    if (x->value.size && x->shift) {
        if (x->shift > (SIZE_MAX - size) / 8)
            return nomem(err, "packing a partial");
        zeros = (size_t)x->shift * 8;
    }
    uint8_t *b = malloc(size + zeros);
    if (!b)
        return nomem(err, "packing a partial");
    if (bignum_pack(&x->value, b + zeros, size) != BN_OK) {
        free(b);
        cs_err_set(err, "packing a partial failed");
        return CS_EINVAL;
    }
    if (zeros) {
        uint64_t count = x->value.size + x->shift;
        memset(b, 0, zeros + 8); /* the count and the zero limbs, over the value's own count */
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(count >> (8 * i));
    }
    *buf = b;
    *len = size + zeros;
    return CS_OK;
}

/* Two processes can share a combine l * x: x = lo + hi B^h, so l x is
 * l lo + (l hi) B^h; split gives the pieces, join adds the products. */
static int product_split(const cs_problem *p, cs_partial *x, cs_partial **lo, cs_partial **hi,
                         cs_err *err)
{
    (void)p;
    size_t h = x->value.size / 2;
    cs_partial *top = partial_new();
    if (!top || bignum_reserve(&top->value, x->value.size - h) != BN_OK) {
        product_partial_free(top);
        product_partial_free(x);
        return nomem(err, "splitting a partial");
    }
    memcpy(top->value.limbs, x->value.limbs + h, (x->value.size - h) * sizeof *x->value.limbs);
    top->value.size = x->value.size - h;
    top->shift = x->shift + h;
    x->value.size = h;
    while (x->value.size && x->value.limbs[x->value.size - 1] == 0)
        x->value.size--;
    *lo = x;
    *hi = top;
    return CS_OK;
}

static int product_join(const cs_problem *p, cs_partial *a, cs_partial *b, cs_partial **out,
                        cs_err *err)
{
    (void)p;
    if (a->shift > b->shift) {
        cs_partial *t = a;
        a = b;
        b = t;
    }
    /* a + b B^d with d = b.shift - a.shift, in a */
    uint64_t d = b->shift - a->shift;
    bignum *x = &a->value, *y = &b->value;
    int rc = BN_OK;
    if (y->size) {
        size_t end = (size_t)d + y->size, top = end > x->size ? end : x->size;
        rc = d > SIZE_MAX / 16 ? BN_ENOMEM : bignum_reserve(x, top + 1);
        if (rc == BN_OK) {
            if (x->size < top)
                memset(x->limbs + x->size, 0, (top - x->size) * sizeof *x->limbs);
            bn_limb carry = bn_add_n(x->limbs + d, x->limbs + d, y->limbs, y->size);
            for (size_t i = end; carry && i < top; i++)
                carry = ++x->limbs[i] == 0;
            x->limbs[top] = carry;
            x->size = top + carry;
        }
    }
    product_partial_free(b);
    if (rc != BN_OK) {
        product_partial_free(a);
        return nomem(err, "joining two partials");
    }
    *out = a;
    return CS_OK;
}

static int product_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                          cs_err *err)
{
    (void)p;
    cs_partial *x = partial_new();
    if (!x)
        return nomem(err, "unpacking a partial");
    int rc = bignum_unpack(&x->value, buf, len);
    if (rc != BN_OK) {
        product_partial_free(x);
        if (rc == BN_ENOMEM)
            return nomem(err, "unpacking a partial");
        cs_err_set(err, "a packed partial of %zu bytes is corrupt", len);
        return CS_ECORRUPT;
    }
    *out = x;
    return CS_OK;
}

/* prod i*j*k mod q over the whole loop, in word arithmetic: no bignum. */
static uint64_t loop_residue(uint64_t m, uint64_t q)
{
    uint64_t r = 1 % q;
    for (uint64_t i = 1; i <= m; i++)
        for (uint64_t j = 1; j <= m; j++) {
            uint64_t ij = (uint64_t)((unsigned __int128)i * j % q);
            for (uint64_t k = 1; k <= m; k++)
                r = (uint64_t)((unsigned __int128)r * ((unsigned __int128)ij * k % q) % q);
        }
    return r;
}

/* ((n-1)!)^(3(n-1)^2) by factorial and powering. */
static int closed_form(uint64_t m, bignum *r)
{
    bignum f;
    bignum_init(&f);
    int rc = bignum_set_u64(&f, 1);
    for (uint64_t i = 2; i <= m && rc == BN_OK; i++)
        rc = bignum_mul_u64(&f, &f, i);
    if (rc == BN_OK)
        rc = bignum_pow_u64(r, &f, 3 * m * m);
    bignum_clear(&f);
    return rc;
}

static int product_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    if (result->shift) { /* only pieces of a split carry one, never a whole result */
        cs_err_set(err, "verification failed: n=%llu result is a piece shifted by %llu limbs",
                   (unsigned long long)p->n, (unsigned long long)result->shift);
        return CS_EVERIFY;
    }
    for (size_t q = 0; q < RESIDUE_COUNT; q++) {
        uint64_t want = loop_residue(p->m, residue_primes[q]);
        uint64_t got = bignum_mod_u64(&result->value, residue_primes[q]);
        if (got != want) {
            cs_err_set(err, "verification failed: n=%llu result mod %llu is %llu, the loop gives %llu",
                       (unsigned long long)p->n, (unsigned long long)residue_primes[q],
                       (unsigned long long)got, (unsigned long long)want);
            return CS_EVERIFY;
        }
    }
    bignum expected;
    bignum_init(&expected);
    if (closed_form(p->m, &expected) != BN_OK) {
        bignum_clear(&expected);
        return nomem(err, "computing the closed form");
    }
    int cmp = bignum_cmp(&result->value, &expected);
    uint64_t want_bits = bignum_bits(&expected);
    bignum_clear(&expected);
    if (cmp != 0) {
        cs_err_set(err, "verification failed: n=%llu result (%llu bits) differs from "
                        "((n-1)!)^(3(n-1)^2) (%llu bits)",
                   (unsigned long long)p->n, (unsigned long long)bignum_bits(&result->value),
                   (unsigned long long)want_bits);
        return CS_EVERIFY;
    }
    return CS_OK;
}

/*
 * Decimal digit count and leading digits from log10 of the top limbs. In
 * long double, log10 of a 10^8-bit value is off by under 1e-12, and of class
 * C's 5.5*10^8-bit one by under 4e-11 (log10(2) and the last roundings, each
 * relative 2^-64), so eight leading digits are off by under 1e-3 of a unit:
 * exact unless the value sits that close to a boundary; then, and only then,
 * the full decimal conversion decides. (Converting every result would cost
 * seconds per large case.) Near 7*10^8 bits the margin is gone.
 */
#define LEAD_DIGITS 8
static int decimal_shape(const bignum *v, uint64_t *digits, char lead[LEAD_DIGITS + 1])
{
    size_t l = v->size;
    long double top = (long double)v->limbs[l - 1];
    if (l >= 2)
        top = top * 18446744073709551616.0L + (long double)v->limbs[l - 2];
    long double lg = log10l(top) + (long double)(l >= 2 ? l - 2 : 0) * 64.0L * log10l(2.0L);
    long double whole = floorl(lg), frac = lg - whole;
    long double scaled = powl(10.0L, frac + (LEAD_DIGITS - 1));
    long double lead_frac = scaled - floorl(scaled);
    int near_edge = frac < 1e-6L || frac > 1 - 1e-6L || lead_frac < 1e-3L || lead_frac > 1 - 1e-3L;
    if (!near_edge) {
        *digits = (uint64_t)whole + 1;
        snprintf(lead, LEAD_DIGITS + 1, "%.0Lf", floorl(scaled));
        return CS_OK;
    }
    char *s = NULL;
    size_t len = 0;
    if (bignum_to_decimal(v, &s, &len) != BN_OK)
        return CS_ENOMEM;
    *digits = len;
    snprintf(lead, LEAD_DIGITS + 1, "%.*s", LEAD_DIGITS, s);
    bignum_free_string(s, len + 1);
    return CS_OK;
}

static int product_describe(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err)
{
    (void)p;
    const bignum *v = &result->value;
    uint64_t bits = bignum_bits(v), digits = 1;
    char lead[LEAD_DIGITS + 1] = "0";
    if (v->size && decimal_shape(v, &digits, lead) != CS_OK)
        return nomem(err, "for the decimal digits");
    uint64_t hash = cs_fnv1a64(CS_FNV1A64_INIT, v->limbs, v->size * sizeof *v->limbs);
    snprintf(d->digest, sizeof d->digest, "bits=%llu;digits=%llu;lead=%s;fnv1a=%016llx",
             (unsigned long long)bits, (unsigned long long)digits, lead, (unsigned long long)hash);
    snprintf(d->summary, sizeof d->summary, "%llu bits, %llu digits", (unsigned long long)bits,
             (unsigned long long)digits);
    return CS_OK;
}

static int product_write_value(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err)
{
    (void)p;
    char *s = NULL;
    size_t len = 0;
    if (bignum_to_decimal(&result->value, &s, &len) != BN_OK)
        return nomem(err, "for the decimal digits");
    size_t wrote = fwrite(s, 1, len, f);
    bignum_free_string(s, len + 1);
    if (wrote != len) {
        cs_err_set(err, "writing %zu digits failed", len);
        return CS_EINVAL;
    }
    return CS_OK;
}

const cs_kernel cs_kernel_product = {
    .name = "product",
    .what = "big-integer product of i*j*k over the triple loop 1..n-1",
    .n_meaning = "loop bound n (i, j, k run 1..n-1)",
    /* A ~1 s, B ~5 s serially here; C = 300: a 545,269,797-bit result, whose top products
     * are beyond one transform (bignum cuts them into pieces). */
    .class_sizes = {"5,10,16", "50,63,32", "150", "200", "300"},
    .class_c_cost = "a 545-million-bit result: about 0.7 GB of memory, 31 s with 2 threads on a "
                    "2-core EPYC VM (verification included), near a minute serially",
    .n_min = 2,
    .n_max = PRODUCT_N_MAX,
    .default_chunks = PRODUCT_DEFAULT_CHUNKS,
    .problem_new = product_problem_new,
    .problem_free = product_problem_free,
    .item_count = product_item_count,
    .item_run = product_item_run,
    .combine = product_combine,
    .combine_helped = product_combine_helped,
    .split = product_split,
    .join = product_join,
    .combine_group = product_combine_group,
    .partial_free = product_partial_free,
    .partial_bytes = product_partial_bytes,
    .pack = product_pack,
    .unpack = product_unpack,
    .verify = product_verify,
    .describe = product_describe,
    .write_value = product_write_value,
};
