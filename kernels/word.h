/* A partial that is one 64-bit word (a count, a double's bits) as bytes for MPI. */
#ifndef CS_WORD_H
#define CS_WORD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

/* Eight bytes, little-endian whatever the host's order, so ranks on any
 * machines agree. */
#define CS_WORD_BYTES 8

static inline void cs_word_store(uint8_t *b, uint64_t word)
{
    for (int i = 0; i < CS_WORD_BYTES; i++)
        b[i] = (uint8_t)(word >> (8 * i));
}

static inline uint64_t cs_word_load(const uint8_t *b)
{
    uint64_t w = 0;
    for (int i = 0; i < CS_WORD_BYTES; i++)
        w |= (uint64_t)b[i] << (8 * i);
    return w;
}

static inline int cs_word_pack(uint64_t word, uint8_t **buf, size_t *len, cs_err *err)
{
    uint8_t *b = malloc(CS_WORD_BYTES);
    if (!b) {
        cs_err_set(err, "out of memory packing a partial");
        return CS_ENOMEM;
    }
    cs_word_store(b, word);
    *buf = b;
    *len = CS_WORD_BYTES;
    return CS_OK;
}

/* The word in buf; CS_ECORRUPT unless buf is exactly one word ("a packed
 * <kernel> partial has 5 bytes, not 8"). */
static inline int cs_word_unpack(const uint8_t *buf, size_t len, const char *kernel,
                                 uint64_t *word, cs_err *err)
{
    if (len != CS_WORD_BYTES) {
        cs_err_set(err, "a packed %s partial has %zu bytes, not %d", kernel, len, CS_WORD_BYTES);
        return CS_ECORRUPT;
    }
    *word = cs_word_load(buf);
    return CS_OK;
}

static inline uint64_t cs_word_of_double(double v)
{
    uint64_t w;
    memcpy(&w, &v, sizeof w);
    return w;
}

static inline double cs_double_of_word(uint64_t w)
{
    double v;
    memcpy(&v, &w, sizeof v);
    return v;
}

#endif
