/*
 * Fuzz target: io_server's reading of what a client sends, byte for byte:
 * where the head ends (also as it arrives in pieces), the request line and headers, then the target's path
 * and query against the bounds. The first byte picks the bounds (the
 * defaults, or a small body and delay bound). What is accepted must stay in
 * the head and under the bounds; what is refused must say why, with one of
 * the statuses the server answers with.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>

#include "fetch_server.h"
#include "fuzz.h"
#include "server_request.h"
#include "server_spec.h"

#define HEAD_LIMIT 8192     /* the head bound the server is given in this target */
#define SERVED_DELAY_MS 100 /* what / serves: io_server's defaults, within either bound */

static void check_refusal(int status, const char *why, const int *allowed, const char *what)
{
    for (const int *a = allowed; *a; a++)
        if (status == *a) {
            if (!why[0])
                cs_fuzz_fail("%s refused with %d and no reason", what, status);
            return;
        }
    cs_fuzz_fail("%s refused with status %d, not one it may answer", what, status);
}

static void check_spec(const server_request *rq, const fetch_server_limits *lim, uint64_t bytes)
{
    server_spec sp = {SERVED_DELAY_MS, bytes, 200, 0, 0, 0}; /* as io_server starts each */
    char why[256] = "";
    int st = server_spec_parse(rq->target, rq->target_len, lim, &sp, why, sizeof why);
    if (st) {
        static const int spec_statuses[] = {400, 413, 0};
        check_refusal(st, why, spec_statuses, "the target");
        return;
    }
    if (sp.bytes > lim->max_body)
        cs_fuzz_fail("bytes=%llu accepted over the body bound %llu", (unsigned long long)sp.bytes,
                     (unsigned long long)lim->max_body);
    if (sp.delay_ms > lim->max_delay_ms)
        cs_fuzz_fail("delay %llu ms accepted over the bound %llu",
                     (unsigned long long)sp.delay_ms, (unsigned long long)lim->max_delay_ms);
    if (sp.status < 100 || sp.status > 599)
        cs_fuzz_fail("status %d accepted", sp.status);
}

/* The server's search, fed the bytes in pieces as a slow client sends them (sizes from
 * the input), must find the head where the plain reading does, and only once it is in. */
static void check_pieces(const char *text, size_t len, size_t want)
{
    struct evbuffer *in = evbuffer_new();
    if (!in)
        return;
    size_t scanned = 0, at = 0, found = 0;
    while (at < len && !found) {
        size_t piece = 1 + (unsigned char)text[at] % 7;
        if (piece > len - at)
            piece = len - at;
        evbuffer_add(in, text + at, piece);
        at += piece;
        found = server_request_head_in(in, HEAD_LIMIT, &scanned);
        if (found && found != server_request_head_length(text, at, HEAD_LIMIT))
            cs_fuzz_fail("the piecewise search found a head of %zu bytes in %zu, the plain one %zu",
                         found, at, server_request_head_length(text, at, HEAD_LIMIT));
    }
    if (found != want)
        cs_fuzz_fail("the piecewise search found a head of %zu bytes, the plain one %zu", found,
                     want);
    evbuffer_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fetch_server_limits lim;
    memset(&lim, 0, sizeof lim);
    uint64_t bytes = 1024;
    if (data[0] & 1) { /* a small machine's bounds, and what / serves within them */
        lim.max_body = 1000;
        lim.max_delay_ms = 500;
        bytes = 1000;
    }
    lim.max_header = HEAD_LIMIT;
    if (fetch_server_limits_resolve(&lim, SERVED_DELAY_MS, bytes) != 0)
        cs_fuzz_fail("the target's own bounds are refused");
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    size_t head = server_request_head_length(text, len, HEAD_LIMIT);
    check_pieces(text, len, head);
    if (head == 0)
        return 0;
    if (head > len || head > HEAD_LIMIT)
        cs_fuzz_fail("a head of %zu bytes found in %zu (limit %d)", head, len, HEAD_LIMIT);
    server_request rq;
    char why[256] = "";
    int st = server_request_parse(text, head, &rq, why, sizeof why);
    if (st) {
        static const int head_statuses[] = {400, 405, 501, 505, 0};
        check_refusal(st, why, head_statuses, "the head");
        return 0;
    }
    if (rq.target < text || rq.target_len > head || rq.target > text + head - rq.target_len)
        cs_fuzz_fail("the target lies outside the head");
    check_spec(&rq, &lim, bytes);
    return 0;
}
