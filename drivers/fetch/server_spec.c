/* Reading /delay/MS, /bytes/N, /status/CODE and ?delay_ms=&bytes=&status=&short=&corrupt=. */
#include "server_spec.h"

#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value as a reason shows it: its first 40 bytes, each control or non-ASCII byte as '?'
 * (a decoded query value may hold any byte, and the reason goes back in a body). */
static void shown(const char *text, size_t len, char out[41])
{
    size_t n = len < 40 ? len : 40;
    for (size_t i = 0; i < n; i++)
        out[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
    out[n] = '\0';
}

/* Digits only, min..max: "delay_ms '70000': must be 0..60000" otherwise. text[0..len)
 * may hold a NUL (a decoded %00), which is not a digit like any other. */
static int parse_value(const char *name, const char *text, size_t len, uint64_t min,
                       uint64_t max, uint64_t *out, char *why, size_t whylen)
{
    char show[41];
    shown(text, len, show);
    uint64_t v = 0;
    if (len == 0) {
        snprintf(why, whylen, "%s '': a number is needed\n", name);
        return 400;
    }
    for (size_t i = 0; i < len; i++)
        if (text[i] < '0' || text[i] > '9') {
            snprintf(why, whylen, "%s '%s': not a whole number\n", name, show);
            return 400;
        }
    for (size_t i = 0; i < len && v != UINT64_MAX; i++)
        v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(text[i] - '0');
    if (v > max || v < min) {
        snprintf(why, whylen, "%s '%s': must be %llu..%llu\n", name, show,
                 (unsigned long long)min, (unsigned long long)max);
        return 400;
    }
    *out = v;
    return 0;
}

/* A body size: well formed or 400; then over the bound, 413 (too large, not wrong). */
static int parse_bytes(const char *name, const char *text, size_t len,
                       const fetch_server_limits *lim, uint64_t *out, char *why, size_t whylen)
{
    uint64_t v;
    int rc = parse_value(name, text, len, 0, UINT64_MAX, &v, why, whylen);
    if (rc != 0)
        return rc;
    if (v > lim->max_body) {
        char show[41];
        shown(text, len, show);
        snprintf(why, whylen, "%s '%s': more than this server's bound of %llu (--max-body)\n",
                 name, show, (unsigned long long)lim->max_body);
        return 413;
    }
    *out = v;
    return 0;
}

static int parse_path(const char *path, const fetch_server_limits *lim, server_spec *sp,
                      char *why, size_t whylen)
{
    uint64_t v;
    int rc = 0;
    if (strncmp(path, "/delay/", 7) == 0) {
        if ((rc = parse_value("delay", path + 7, strlen(path + 7), 0, lim->max_delay_ms, &v, why,
                              whylen)) == 0)
            sp->delay_ms = v;
    } else if (strncmp(path, "/bytes/", 7) == 0) {
        if ((rc = parse_bytes("bytes", path + 7, strlen(path + 7), lim, &v, why, whylen)) == 0)
            sp->bytes = v;
    } else if (strncmp(path, "/status/", 8) == 0) {
        if ((rc = parse_value("status", path + 8, strlen(path + 8), 200, 599, &v, why,
                              whylen)) == 0)
            sp->status = (int)v;
    }
    return rc;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Form decoding of text[0..len) into out (at least len bytes): %XY is the byte XY, '+' a
 * space, a '%' not followed by two hex digits itself. Returns the decoded length. */
static size_t form_decode(const char *text, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (text[i] == '%' && i + 2 < len && (hi = hex_digit(text[i + 1])) >= 0 &&
            (lo = hex_digit(text[i + 2])) >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[n++] = text[i] == '+' ? ' ' : text[i];
        }
    }
    return n;
}

/* The parameters read, in the order they are checked. */
enum { Q_DELAY_MS, Q_BYTES, Q_STATUS, Q_SHORT, Q_CORRUPT, Q_COUNT };
static const char *const query_names[Q_COUNT] = {"delay_ms", "bytes", "status", "short",
                                                 "corrupt"};

/* Which parameter a (still encoded) name is, or -1 for one not read. The longest name
 * read, 8 bytes, is at most 24 encoded. */
static int query_name(const char *name, size_t len)
{
    char decoded[24];
    if (len > sizeof decoded)
        return -1;
    size_t n = form_decode(name, len, decoded);
    for (int i = 0; i < Q_COUNT; i++)
        if (strlen(query_names[i]) == n && memcmp(query_names[i], decoded, n) == 0)
            return i;
    return -1;
}

/* The query, read in place: name=value pairs split at '&', each name decoded and compared,
 * each value of a parameter read decoded once. Nothing is allocated per pair, so a head of
 * many pairs costs no more memory than its own size. */
static int parse_query(const char *query, const fetch_server_limits *lim, server_spec *sp,
                       char *why, size_t whylen)
{
    if (!query || !*query)
        return 0;
    const char *value[Q_COUNT] = {NULL};
    size_t value_len[Q_COUNT] = {0};
    size_t qlen = strlen(query);
    for (const char *p = query, *end = query + qlen; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        if (!eq || eq == p) {
            snprintf(why, whylen, "query '%.80s': malformed\n", query);
            return 400;
        }
        int q = query_name(p, (size_t)(eq - p));
        if (q >= 0) {
            if (value[q]) {
                snprintf(why, whylen, "query: '%s' given twice\n", query_names[q]);
                return 400;
            }
            value[q] = eq + 1;
            value_len[q] = (size_t)(pair_end - eq - 1);
        }
        p = amp ? amp + 1 : end;
    }
    char *decoded = malloc(qlen + 1);
    if (!decoded) {
        snprintf(why, whylen, "out of memory for the query\n");
        return 503;
    }
    uint64_t v;
    int rc = 0;
    for (int q = 0; q < Q_COUNT && rc == 0; q++) {
        if (!value[q])
            continue;
        size_t n = form_decode(value[q], value_len[q], decoded);
        const char *name = query_names[q];
        switch (q) {
        case Q_DELAY_MS:
            if ((rc = parse_value(name, decoded, n, 0, lim->max_delay_ms, &v, why, whylen)) == 0)
                sp->delay_ms = v;
            break;
        case Q_BYTES:
            if ((rc = parse_bytes(name, decoded, n, lim, &v, why, whylen)) == 0)
                sp->bytes = v;
            break;
        case Q_STATUS:
            if ((rc = parse_value(name, decoded, n, 200, 599, &v, why, whylen)) == 0)
                sp->status = (int)v;
            break;
        case Q_SHORT:
            if ((rc = parse_value(name, decoded, n, 0, 1, &v, why, whylen)) == 0)
                sp->short_body = (int)v;
            break;
        default:
            if ((rc = parse_value(name, decoded, n, 0, 1, &v, why, whylen)) == 0)
                sp->corrupt = (int)v;
            break;
        }
    }
    free(decoded);
    if (rc == 0 && sp->corrupt && sp->bytes == 0) {
        /* Otherwise the fault asked for would silently not happen. */
        snprintf(why, whylen, "corrupt '1': no body byte to change (bytes is 0)\n");
        rc = 400;
    }
    return rc;
}

int server_spec_parse(const char *target, size_t len, const fetch_server_limits *lim,
                      server_spec *sp, char *why, size_t whylen)
{
    char *copy = malloc(len + 1);
    if (!copy) {
        snprintf(why, whylen, "out of memory for the request target\n");
        return 503;
    }
    memcpy(copy, target, len);
    copy[len] = '\0';
    struct evhttp_uri *uri = evhttp_uri_parse_with_flags(copy, EVHTTP_URI_NONCONFORMANT);
    int rc = 0;
    if (!uri) {
        snprintf(why, whylen, "target '%.80s': malformed\n", copy);
        rc = 400;
    } else {
        const char *path = evhttp_uri_get_path(uri);
        if (!path || !*path)
            path = "/";
        sp->stats = strcmp(path, "/stats") == 0;
        if (!sp->stats && (rc = parse_path(path, lim, sp, why, whylen)) == 0)
            rc = parse_query(evhttp_uri_get_query(uri), lim, sp, why, whylen);
        evhttp_uri_free(uri);
    }
    free(copy);
    return rc;
}
