/* Random operands for the bignum benchmarks: the same numbers from the same seed. */
#ifndef CS_BENCH_OPERANDS_H
#define CS_BENCH_OPERANDS_H

#include <stddef.h>
#include <stdint.h>

#include "bignum.h"

/* xorshift64: the next word of the stream in *state (never 0 from a non-zero seed). */
uint64_t cs_bench_rand(uint64_t *state);

/* x = a random number of exactly `limbs` limbs from *state; BN_ENOMEM on failure. */
int cs_bench_random_bignum(bignum *x, size_t limbs, uint64_t *state);

#endif
