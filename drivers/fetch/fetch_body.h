/* The deterministic body io_server sends and the clients check, byte by byte. */
#ifndef FETCH_BODY_H
#define FETCH_BODY_H

#include <stddef.h>
#include <stdint.h>

/* A response carrying this header (value FETCH_BODY_MARK) has a pattern body;
 * clients check the bodies of such responses only. */
#define FETCH_BODY_HEADER "X-Corescale-Body"
#define FETCH_BODY_MARK "pattern-v1"
/* ...and this one the body's size as the server meant it, whatever the framing says:
 * a body that ends early or runs on is caught even without a Content-Length. */
#define FETCH_BODY_SIZE_HEADER "X-Corescale-Bytes"

/* The pattern repeats every FETCH_BODY_PERIOD bytes: a prime, so a body
 * shifted, truncated inside or spliced shows up as a mismatch. */
#define FETCH_BODY_PERIOD 4093u

/* The byte at offset i of every pattern body. */
unsigned char fetch_body_byte(uint64_t i);
/* One period of the pattern, built on first use (thread-safe). */
const unsigned char *fetch_body_period(void);
/* Fills buf with the pattern bytes at offsets off..off+len-1. */
void fetch_body_fill(unsigned char *buf, size_t len, uint64_t off);
/* 1 if data equals the pattern at offsets off..off+len-1, else 0. */
int fetch_body_matches(const unsigned char *data, size_t len, uint64_t off);

#endif
