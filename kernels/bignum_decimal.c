/* bignum's decimal conversion. */
#include <string.h>

#include "bignum_impl.h"


#define BN_DEC_CHUNK 10000000000000000000ULL /* 10^19, the largest power of 10 in a limb */
#define BN_DEC_CHUNK_DIGITS 19

void bignum_free_string(char *s, size_t bytes)
{
    if (s)
        bignum_free_bytes(s, bytes);
}

int bignum_to_decimal(const bignum *a, char **out, size_t *len)
{
    size_t n = a->size;
    /* 64 bits carry at most 19.27 digits: 20 per limb is always enough. */
    size_t cap = n * 20 + 2;
    char *s = bignum_alloc_bytes(cap);
    if (!s)
        return BN_ENOMEM;
    if (n == 0) {
        s[0] = '0';
        s[1] = '\0';
        *out = s;
        *len = 1;
        return BN_OK;
    }
    bn_limb *q = bignum_alloc_bytes(n * sizeof(bn_limb));
    if (!q) {
        bignum_free_bytes(s, cap);
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
    bignum_free_bytes(q, a->size * sizeof(bn_limb));
    size_t digits = cap - 1 - pos;
    memmove(s, s + pos, digits + 1);
    /* Shrink to exactly digits + 1 bytes, so that the caller's free size is right. */
    char *shrunk = bignum_alloc_bytes(digits + 1);
    if (shrunk)
        memcpy(shrunk, s, digits + 1);
    bignum_free_bytes(s, cap);
    if (!shrunk)
        return BN_ENOMEM;
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
