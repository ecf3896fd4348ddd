/* The seed a randomized suite runs with (CS_TEST_SEED, or the suite's own default), and the
 * stream of numbers it draws from that seed. */
#ifndef CS_TEST_SEED_H
#define CS_TEST_SEED_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A bad CS_TEST_SEED ends the suite with exit 2 and a message naming it. */
static inline uint64_t test_seed(const char *suite, uint64_t fallback)
{
    const char *env = getenv("CS_TEST_SEED");
    if (!env || !*env)
        return fallback;
    char *end;
    unsigned long long v = strtoull(env, &end, 0);
    if (*end != '\0' || v == 0) {
        fprintf(stderr, "%s: CS_TEST_SEED '%s': not a positive whole number\n", suite, env);
        exit(2);
    }
    return v;
}

/* The next number of a xorshift64* stream: fast, and every seed but 0 gives a full period. */
static inline uint64_t test_xorshift(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dULL;
}

#endif
