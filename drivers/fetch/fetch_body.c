/* The pattern body: one period computed once, then copied or compared. */
#include "fetch_body.h"

#include <pthread.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

unsigned char fetch_body_byte(uint64_t i)
{
    /* A mixed hash of the offset: no shorter period hides inside the prime one. */
    uint32_t x = (uint32_t)(i % FETCH_BODY_PERIOD) * 0x9E3779B1u;
    x ^= x >> 15;
    x *= 0x85EBCA77u;
    x ^= x >> 13;
    return (unsigned char)alphabet[x % (sizeof alphabet - 1)];
}

static unsigned char period[FETCH_BODY_PERIOD];
static pthread_once_t period_once = PTHREAD_ONCE_INIT;

static void period_build(void)
{
    for (uint64_t i = 0; i < FETCH_BODY_PERIOD; i++)
        period[i] = fetch_body_byte(i);
}

const unsigned char *fetch_body_period(void)
{
    pthread_once(&period_once, period_build);
    return period;
}

void fetch_body_fill(unsigned char *buf, size_t len, uint64_t off)
{
    const unsigned char *p = fetch_body_period();
    while (len > 0) {
        size_t at = (size_t)(off % FETCH_BODY_PERIOD);
        size_t run = FETCH_BODY_PERIOD - at < len ? FETCH_BODY_PERIOD - at : len;
        memcpy(buf, p + at, run);
        buf += run;
        off += run;
        len -= run;
    }
}

int fetch_body_matches(const unsigned char *data, size_t len, uint64_t off)
{
    const unsigned char *p = fetch_body_period();
    while (len > 0) {
        size_t at = (size_t)(off % FETCH_BODY_PERIOD);
        size_t run = FETCH_BODY_PERIOD - at < len ? FETCH_BODY_PERIOD - at : len;
        if (memcmp(data, p + at, run) != 0)
            return 0;
        data += run;
        off += run;
        len -= run;
    }
    return 1;
}
