/* Random operands for the bignum benchmarks. */
#include "operands.h"

uint64_t cs_bench_rand(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

int cs_bench_random_bignum(bignum *x, size_t limbs, uint64_t *state)
{
    if (bignum_reserve(x, limbs))
        return BN_ENOMEM;
    for (size_t i = 0; i < limbs; i++)
        x->limbs[i] = cs_bench_rand(state);
    x->limbs[limbs - 1] |= 1; /* exactly `limbs` limbs */
    x->size = limbs;
    return BN_OK;
}
