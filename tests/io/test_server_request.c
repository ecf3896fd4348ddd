/* Unit specifications of io_server's request reading: the head's end, its parse, the target's spec. */
#include <CUnit/Basic.h>
#include <event2/buffer.h>
#include <string.h>

#include "message.h"
#include "server_request.h"
#include "server_spec.h"

static int parse(const char *head, server_request *rq, char *why)
{
    return server_request_parse(head, strlen(head), rq, why, 192);
}

static void head_ends_at_the_empty_line_within_the_limit(void)
{
    const char *h = "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next";
    size_t whole = strlen("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    CU_ASSERT_EQUAL(server_request_head_length(h, strlen(h), 1000), whole);
    CU_ASSERT_EQUAL(server_request_head_length(h, strlen(h), whole), whole);     /* exactly */
    CU_ASSERT_EQUAL(server_request_head_length(h, strlen(h), whole - 1), 0);     /* one short */
    CU_ASSERT_EQUAL(server_request_head_length(h, whole - 1, 1000), 0);          /* not yet in */
}

/* A bare LF ends what is read: no head may hold one, so it is refused at once, not
 * after the head deadline or as a head too large. */
static void bare_lf_is_refused_where_it_stands(void)
{
    server_request rq;
    char why[192];
    const char *h = "GET / HTTP/1.1\nHost: a\n\n";
    CU_ASSERT_EQUAL(server_request_head_length(h, strlen(h), 100), 15);
    CU_ASSERT_EQUAL(server_request_parse(h, 15, &rq, why, sizeof why), 400);
    CU_ASSERT_STRING_EQUAL(why, "line 'GET / HTTP/1.1': not ended by CRLF\n");
    h = "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n";
    CU_ASSERT_EQUAL(server_request_head_length(h, strlen(h), 100), strlen("GET / HTTP/1.1\r\nHost: a\n"));
    CU_ASSERT_EQUAL(server_request_head_length("\n", 1, 100), 1);
    CU_ASSERT_EQUAL(server_request_head_length("\r\n\n", 3, 100), 3);
    CU_ASSERT_EQUAL(server_request_head_length("\r\n\r\n", 4, 100), 4);
    CU_ASSERT_EQUAL(server_request_head_length("GET / HTTP/1.1\r\n", 16, 100), 0); /* not yet */
}

/* The input buffer's search, over a head in many pieces (one chain each, more than one
 * peek takes) and searched again as each comes, ends where the plain search does. */
static void head_in_pieces_ends_where_the_whole_does(void)
{
    static const char *const heads[] = {
        "GET /bytes/1 HTTP/1.1\r\nHost: t\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
        "X-B: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n\r\nGET /n",
        "GET /bytes/1 HTTP/1.1\r\nHost: t\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
        "X-B: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nX-C: c\r\n\r\n",
    };
    for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
        const char *text = heads[h];
        size_t len = strlen(text), want = server_request_head_length(text, len, 1000);
        CU_ASSERT_TRUE(want > 100);
        for (size_t piece = 1; piece <= 5; piece++) {
            struct evbuffer *in = evbuffer_new();
            size_t scanned = 0, found = 0, at = 0;
            while (at < len && !found) {
                size_t n = len - at < piece ? len - at : piece;
                evbuffer_add_reference(in, text + at, n, NULL, NULL); /* a chain of its own */
                at += n;
                found = server_request_head_in(in, 1000, &scanned);
            }
            CU_ASSERT_EQUAL(found, want);
            CU_ASSERT_EQUAL(at >= want && at < want + piece, 1); /* found as soon as it was in */
            /* and in one search of it all, as over 16 chains */
            scanned = 0;
            CU_ASSERT_EQUAL(server_request_head_in(in, 1000, &scanned), want);
            evbuffer_free(in);
        }
    }
}

static void get_and_head_keep_alive_by_version(void)
{
    server_request rq;
    char why[192];
    CU_ASSERT_EQUAL(parse("GET /bytes/5?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", &rq, why), 0);
    CU_ASSERT_FALSE(rq.head_only);
    CU_ASSERT_TRUE(rq.keep_alive);
    CU_ASSERT_EQUAL(rq.target_len, strlen("/bytes/5?x=1"));
    CU_ASSERT_EQUAL(strncmp(rq.target, "/bytes/5?x=1", rq.target_len), 0);
    CU_ASSERT_EQUAL(parse("HEAD / HTTP/1.1\r\nhost: a\r\nConnection: Upgrade, close\r\n\r\n", &rq, why), 0);
    CU_ASSERT_TRUE(rq.head_only);
    CU_ASSERT_FALSE(rq.keep_alive);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.0\r\n\r\n", &rq, why), 0); /* 1.0 needs no Host */
    CU_ASSERT_FALSE(rq.keep_alive);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &rq, why), 0);
    CU_ASSERT_TRUE(rq.keep_alive);
    CU_ASSERT_EQUAL(parse("\r\nGET / HTTP/1.0\r\n\r\n", &rq, why), 0); /* one empty line first */
}

static void content_length_is_read_exactly(void)
{
    server_request rq;
    char why[192];
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551615\r\n\r\n", &rq, why), 0);
    CU_ASSERT_EQUAL(rq.content_length, UINT64_MAX);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n", &rq, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "Content-Length '18446744073709551616': not a length\n");
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", &rq, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "Content-Length '4': differs from the first\n");
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &rq, why), 0);
    CU_ASSERT_EQUAL(rq.content_length, 3);
}

static void refusals_name_their_status_and_reason(void)
{
    server_request rq;
    char why[192];
    CU_ASSERT_EQUAL(parse("POST / HTTP/1.1\r\nHost: a\r\n\r\n", &rq, why), 405);
    CU_ASSERT_STRING_EQUAL(why, "method 'POST': only GET and HEAD are served\n");
    CU_ASSERT_EQUAL(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &rq, why), 505);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &rq, why), 501);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\n\r\n", &rq, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "request '/': HTTP/1.1 without a Host header\n");
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost : a\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", &rq, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "request target '/?': a byte that is not allowed\n");
    CU_ASSERT_EQUAL(parse("GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", &rq, why), 400);
    CU_ASSERT_EQUAL(parse("\r\n\r\n", &rq, why), 400);
}

static void spec_reads_the_target_against_the_bounds(void)
{
    fetch_server_limits lim = {.max_body = 1000, .max_delay_ms = 500};
    CU_ASSERT_EQUAL(fetch_server_limits_resolve(&lim, 0, 0), 0);
    server_spec sp = {100, 10, 200, 0, 0, 0};
    char why[192];
    const char *t = "/bytes/1000?delay_ms=500&status=201";
    CU_ASSERT_EQUAL(server_spec_parse(t, strlen(t), &lim, &sp, why, sizeof why), 0);
    CU_ASSERT_EQUAL(sp.bytes, 1000);
    CU_ASSERT_EQUAL(sp.delay_ms, 500);
    CU_ASSERT_EQUAL(sp.status, 201);
    t = "/bytes/1001";
    CU_ASSERT_EQUAL(server_spec_parse(t, strlen(t), &lim, &sp, why, sizeof why), 413);
    CU_ASSERT_STRING_EQUAL(why, "bytes '1001': more than this server's bound of 1000 (--max-body)\n");
    t = "/?bytes=99999999999999999999999";
    CU_ASSERT_EQUAL(server_spec_parse(t, strlen(t), &lim, &sp, why, sizeof why), 413);
    t = "/delay/501";
    CU_ASSERT_EQUAL(server_spec_parse(t, strlen(t), &lim, &sp, why, sizeof why), 400);
    CU_ASSERT_STRING_EQUAL(why, "delay '501': must be 0..500\n");
    t = "http://host:1/stats";
    CU_ASSERT_EQUAL(server_spec_parse(t, strlen(t), &lim, &sp, why, sizeof why), 0);
    CU_ASSERT_TRUE(sp.stats);
}

/* A query means one thing or is refused: a parameter given twice, or a value holding a
 * byte that a C string would cut it at (%00), is not guessed at; and a reason never
 * carries the control bytes a value decodes to. */
static int spec(const char *t, server_spec *sp, char *why)
{
    fetch_server_limits lim = {0};
    fetch_server_limits_resolve(&lim, 0, 0);
    *sp = (server_spec){100, 10, 200, 0, 0, 0};
    why[0] = '\0';
    return server_spec_parse(t, strlen(t), &lim, sp, why, 192);
}

static void query_parameters_are_unambiguous(void)
{
    server_spec sp;
    char why[192];
    CU_ASSERT_EQUAL(spec("/?bytes=1&bytes=99", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "query: 'bytes' given twice\n");
    CU_ASSERT_EQUAL(spec("/?status=201&x=1&st%61tus=202", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "query: 'status' given twice\n");
    CU_ASSERT_EQUAL(spec("/?bytes=1%00junk", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "bytes '1?junk': not a whole number\n");
    CU_ASSERT_EQUAL(spec("/delay/5?delay_ms=7%00", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "delay_ms '7?': not a whole number\n");
    CU_ASSERT_EQUAL(spec("/?status=%1b[2J%0d%0a", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "status '?[2J?" "?': not a whole number\n");
    /* what stays as it was: decoding, unknown names ignored, pairs need a name and '=' */
    CU_ASSERT_EQUAL(spec("/?byt%65s=3&x=1&x=2&short=%31", &sp, why), 0);
    CU_ASSERT_EQUAL(sp.bytes, 3);
    CU_ASSERT_EQUAL(sp.short_body, 1);
    CU_ASSERT_EQUAL(spec("/?bytes=+1", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "bytes ' 1': not a whole number\n");
    CU_ASSERT_EQUAL(spec("/?bytes", &sp, why), 400);
    CU_ASSERT_STRING_EQUAL(why, "query 'bytes': malformed\n");
    CU_ASSERT_EQUAL(spec("/?=1", &sp, why), 400);
    CU_ASSERT_EQUAL(spec("/?a=1&&b=2", &sp, why), 400);
    CU_ASSERT_EQUAL(spec("/?delay_ms=000000000000000000000000000000000000000000000000000007", &sp, why), 0);
    CU_ASSERT_EQUAL(sp.delay_ms, 7);
    CU_ASSERT_EQUAL(spec("/?", &sp, why), 0);
    CU_ASSERT_EQUAL(spec("/?bytes=5&", &sp, why), 0);
    CU_ASSERT_EQUAL(sp.bytes, 5);
}

static void limits_refuse_what_cannot_hold_together(void)
{
    fetch_server_limits lim = {0};
    CU_ASSERT_EQUAL(fetch_server_limits_resolve(&lim, 100, 1024), 0);
    CU_ASSERT_EQUAL(lim.max_memory, FETCH_SERVER_DEFAULT_MAX_MEMORY);
    CU_ASSERT_EQUAL(lim.max_header, FETCH_SERVER_DEFAULT_MAX_HEADER);
    fetch_server_limits small = {.max_body = 100, .max_memory = 100};
    CU_ASSERT_EQUAL(fetch_server_limits_resolve(&small, 0, 100), 0);
    fetch_server_limits less = {.max_body = 100, .max_memory = 99};
    CU_ASSERT_EQUAL(fetch_server_limits_resolve(&less, 0, 0), -1);
    fetch_server_limits body = {.max_body = 100};
    CU_ASSERT_EQUAL(fetch_server_limits_resolve(&body, 0, 101), -1);
}

int main(void)
{
    cs_message_init("io_server_units");
    cs_message_set_silent(1);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("server_request", NULL, NULL);
    CU_ADD_TEST(s, head_ends_at_the_empty_line_within_the_limit);
    CU_ADD_TEST(s, bare_lf_is_refused_where_it_stands);
    CU_ADD_TEST(s, head_in_pieces_ends_where_the_whole_does);
    CU_ADD_TEST(s, get_and_head_keep_alive_by_version);
    CU_ADD_TEST(s, content_length_is_read_exactly);
    CU_ADD_TEST(s, refusals_name_their_status_and_reason);
    CU_ADD_TEST(s, spec_reads_the_target_against_the_bounds);
    CU_ADD_TEST(s, query_parameters_are_unambiguous);
    CU_ADD_TEST(s, limits_refuse_what_cannot_hold_together);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
