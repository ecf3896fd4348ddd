/* io_server's reading of one HTTP/1.x request head: pure, no I/O, so that it can be tested alone. */
#ifndef SERVER_REQUEST_H
#define SERVER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct server_request {
    int head_only;           /* HEAD: the answer's headers, never its body */
    const char *target;      /* points into the parsed head; not terminated */
    size_t target_len;
    int keep_alive;          /* 1.1 unless "Connection: close"; 1.0 only with keep-alive */
    uint64_t content_length; /* request body bytes that follow the head (read, then dropped) */
} server_request;

struct evbuffer;

/* The length of the head at the start of data (request line, header lines and the
 * empty line, CRLF-terminated), or 0 when no complete head lies within the first
 * limit bytes. A bare LF (one not after a CR) ends what is to be read there: no head
 * may hold one, and server_request_parse refuses the bytes up to it at once. */
size_t server_request_head_length(const char *data, size_t len, size_t limit);

/* The same, of the bytes in a connection's input buffer, where a head may come a byte
 * at a time: *scanned (0 for a new head) says how far earlier calls searched, and the
 * search resumes there, so a head of h bytes costs O(h) in all, never O(h^2); nor is
 * the buffer copied into one piece. Sets *scanned back to 0 when it finds the head. */
size_t server_request_head_in(struct evbuffer *in, size_t limit, size_t *scanned);

/* Reads the head data[0..len) (a complete one, as server_request_head_length found).
 * Returns 0, or the status to answer with and the reason in why:
 *   400 malformed, 405 a method other than GET or HEAD, 501 a Transfer-Encoding
 *   (request bodies must come with Content-Length), 505 an HTTP version not 1.0 or 1.1. */
int server_request_parse(const char *data, size_t len, server_request *out, char *why,
                         size_t whylen);

#endif
