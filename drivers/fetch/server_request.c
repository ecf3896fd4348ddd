/* Reading an HTTP/1.x request head strictly: anything ambiguous is refused, never guessed. */
#include "server_request.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Is the LF at data[i] the end of what to read: the head's empty line, or a bare LF,
 * which no head may hold? before holds the up to three bytes ahead of it, nearest last. */
static int ends_head(size_t i, unsigned before)
{
    if (i == 0 || (before & 0xff) != '\r')
        return 1; /* bare: the parse refuses it now, rather than waiting for an end never sent */
    return i >= 3 && (before & 0xffffff) == (('\r' << 16) | ('\n' << 8) | '\r');
}

size_t server_request_head_length(const char *data, size_t len, size_t limit)
{
    size_t n = len < limit ? len : limit;
    unsigned before = 0;
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n' && ends_head(i, before))
            return i + 1;
        before = (before << 8) | (unsigned char)data[i];
    }
    return 0;
}

size_t server_request_head_in(struct evbuffer *in, size_t limit, size_t *scanned)
{
    size_t have = evbuffer_get_length(in), look = have < limit ? have : limit;
    /* the three bytes before the old edge are read again, as the new bytes' context */
    size_t start = *scanned > 3 ? *scanned - 3 : 0, judged = *scanned > 3 ? *scanned : 0;
    struct evbuffer_ptr at;
    if (start >= look || evbuffer_ptr_set(in, &at, start, EVBUFFER_PTR_SET) != 0)
        return 0;
    unsigned before = 0;
    size_t i = start;
    while (i < look) {
        struct evbuffer_iovec v[16];
        int n = evbuffer_peek(in, (ev_ssize_t)(look - i), &at, v, 16);
        if (n <= 0)
            break;
        size_t from = i;
        for (int k = 0; k < n && k < 16 && i < look; k++) {
            const unsigned char *b = v[k].iov_base;
            for (size_t j = 0; j < v[k].iov_len && i < look; j++, i++) {
                if (b[j] == '\n' && i >= judged && ends_head(i, before)) {
                    *scanned = 0;
                    return i + 1;
                }
                before = (before << 8) | b[j];
            }
        }
        if (i < look && evbuffer_ptr_set(in, &at, i - from, EVBUFFER_PTR_ADD) != 0)
            break;
    }
    *scanned = i;
    return 0;
}

/* RFC 9110 token characters: what a method or a header name may hold. */
static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A field value may hold visible bytes, spaces, tabs and obs-text; no other control byte. */
static int is_value_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int refuse(int status, char *why, size_t whylen, const char *fmt, const char *a,
                  size_t alen)
{
    char shown[48];
    size_t n = alen < sizeof shown - 1 ? alen : sizeof shown - 1;
    /* Only printable bytes go into a message: a request must not write on a terminal. */
    for (size_t i = 0; i < n; i++)
        shown[i] = (a[i] >= 0x20 && a[i] < 0x7f) ? a[i] : '?';
    shown[n] = '\0';
    snprintf(why, whylen, fmt, shown);
    return status;
}

/* "Connection: close, Upgrade": does the comma list hold the token? */
static int list_has(const char *v, size_t len, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && v[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (end - start == tl && strncasecmp(v + start, token, tl) == 0)
            return 1;
    }
    return 0;
}

static int parse_length(const char *v, size_t len, uint64_t *out)
{
    if (len == 0)
        return -1;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        unsigned d = (unsigned)(v[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            return -1; /* overflows: a length nobody can mean */
        n = n * 10 + d;
    }
    *out = n;
    return 0;
}

static int parse_request_line(const char *p, size_t len, server_request *out, int *minor,
                              char *why, size_t whylen)
{
    size_t m = 0;
    while (m < len && is_tchar((unsigned char)p[m]))
        m++;
    if (m == 0 || m == len || p[m] != ' ')
        return refuse(400, why, whylen, "request line '%s': malformed\n", p, len);
    const char *t = p + m + 1;
    const char *sp = memchr(t, ' ', len - m - 1);
    if (!sp || sp == t)
        return refuse(400, why, whylen, "request line '%s': malformed\n", p, len);
    for (const char *c = t; c < sp; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return refuse(400, why, whylen, "request target '%s': a byte that is not allowed\n", t,
                          (size_t)(sp - t));
    const char *v = sp + 1;
    size_t vlen = len - (size_t)(v - p);
    if (vlen != 8 || strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return refuse(400, why, whylen, "version '%s': malformed\n", v, vlen);
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
        return refuse(505, why, whylen, "version '%s': only HTTP/1.0 and HTTP/1.1 are served\n",
                      v, vlen);
    *minor = v[7] - '0';
    if (m == 4 && strncmp(p, "HEAD", 4) == 0)
        out->head_only = 1;
    else if (!(m == 3 && strncmp(p, "GET", 3) == 0))
        return refuse(405, why, whylen, "method '%s': only GET and HEAD are served\n", p, m);
    out->target = t;
    out->target_len = (size_t)(sp - t);
    return 0;
}

int server_request_parse(const char *data, size_t len, server_request *out, char *why,
                         size_t whylen)
{
    memset(out, 0, sizeof *out);
    /* One empty line before the request line is tolerated, as RFC 9112 asks. */
    if (len >= 2 && data[0] == '\r' && data[1] == '\n') {
        data += 2;
        len -= 2;
    }
    const char *end = data + len, *line = data;
    int minor = 1, has_host = 0, has_length = 0, closes = 0, keeps = 0;
    int first = 1;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        if (!nl || nl == line || nl[-1] != '\r')
            return refuse(400, why, whylen, "line '%s': not ended by CRLF\n", line,
                          nl ? (size_t)(nl - line) : (size_t)(end - line));
        size_t llen = (size_t)(nl - 1 - line);
        if (first) {
            int rc = parse_request_line(line, llen, out, &minor, why, whylen);
            if (rc != 0)
                return rc;
            first = 0;
        } else if (llen == 0) {
            break; /* the empty line: the head is over */
        } else {
            if (line[0] == ' ' || line[0] == '\t')
                return refuse(400, why, whylen, "header line '%s': folded lines are refused\n",
                              line, llen);
            const char *colon = memchr(line, ':', llen);
            size_t nlen = colon ? (size_t)(colon - line) : 0;
            for (size_t i = 0; i < nlen; i++)
                if (!is_tchar((unsigned char)line[i]))
                    nlen = 0;
            if (nlen == 0)
                return refuse(400, why, whylen, "header line '%s': malformed\n", line, llen);
            const char *v = colon + 1, *vend = line + llen;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
                vend--;
            for (const char *c = v; c < vend; c++)
                if (!is_value_char((unsigned char)*c))
                    return refuse(400, why, whylen, "header '%s': a control byte in the value\n",
                                  line, nlen);
            size_t vlen = (size_t)(vend - v);
            if (nlen == 4 && strncasecmp(line, "Host", 4) == 0) {
                if (has_host++)
                    return refuse(400, why, whylen, "header '%s': given twice\n", line, nlen);
            } else if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                uint64_t n;
                if (parse_length(v, vlen, &n) != 0)
                    return refuse(400, why, whylen, "Content-Length '%s': not a length\n", v, vlen);
                if (has_length++ && n != out->content_length)
                    return refuse(400, why, whylen, "Content-Length '%s': differs from the first\n",
                                  v, vlen);
                out->content_length = n;
            } else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
                return refuse(501, why, whylen,
                              "Transfer-Encoding '%s': request bodies need a Content-Length\n", v,
                              vlen);
            } else if (nlen == 10 && strncasecmp(line, "Connection", 10) == 0) {
                closes |= list_has(v, vlen, "close");
                keeps |= list_has(v, vlen, "keep-alive");
            }
        }
        line = nl + 1;
    }
    if (first)
        return refuse(400, why, whylen, "request '%s': no request line\n", data, len);
    if (minor == 1 && !has_host)
        return refuse(400, why, whylen, "request '%s': HTTP/1.1 without a Host header\n",
                      out->target, out->target_len);
    out->keep_alive = minor == 1 ? !closes : (keeps && !closes);
    return 0;
}
