/* io_server's engine: connections on bufferevents, bounded in memory, header size, body size and
 * number; timers delay answers, and clients that go are dropped with their work. */
#include "fetch_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fetch_body.h"
#include "message.h"
#include "server_request.h"
#include "server_spec.h"

/* A head must arrive whole within this long of the connection's start or its last
 * answer (idle keep-alive included): a client that trickles bytes is cut off. */
#define HEAD_DEADLINE_S 30
/* A client that reads nothing of an answer for this long is gone. */
#define WRITE_STALL_S 30
/* After an answer that closes, what the client still sends is read and dropped
 * this long, so that the answer reaches it instead of a reset. */
#define LINGER_MS 2000
/* Over the connection bound, this many more are kept long enough to hear 503;
 * beyond them a connection is closed at once. */
#define REFUSING_MAX 256
/* Out of descriptors: try accepting again after this long. */
#define ACCEPT_PAUSE_MS 100
/* Event priorities: bulk transfer (bodies past their first window, input dropped while
 * lingering) runs only when nothing else is ready, so one more small request is answered
 * promptly however many big ones stream. Everything else, the listener and timers
 * included, takes the middle one, libevent's default. */
#define PRIORITIES 3
#define PRIORITY_NORMAL 1
#define PRIORITY_BULK 2
#define BULK_BATCH 32

enum conn_state {
    CONN_HEAD,   /* reading a request head */
    CONN_WAIT,   /* the delay runs */
    CONN_SEND,   /* the answer is going out */
    CONN_LINGER, /* answered, write side shut: dropping input until the client closes */
};

struct conn {
    struct fetch_server *server;
    struct bufferevent *bev;
    struct event *timer; /* head deadline, delay or linger, by state */
    enum conn_state state;
    int refusing;        /* over the connection bound: counted apart */
    int keep_alive, head_only, close_after, accepted;
    int input_ended;     /* the client shut its write side: what it sent is all there is */
    uint64_t body_left;  /* request body bytes still to drop */
    size_t head_scanned; /* input bytes searched for the next head's end (server_request_head_in) */
    server_spec spec;
    uint64_t send_off, send_end; /* body bytes queued so far, and where to stop */
    uint64_t reserved;   /* of the memory bound */
    struct conn *prev, *next;
};

struct fetch_server {
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *stop_event, *sigint, *sigterm, *resume;
    uint64_t delay_ms, bytes;
    fetch_server_limits lim;
    char url[128];
    unsigned port;
    struct conn *conns; /* doubly linked, server thread only */
    uint64_t refusing;
    int accept_paused;
    time_t date_second;
    char date[40];
    pthread_t thread_id;
    int thread_running;
    _Atomic uint64_t served, by_class[6], rejected, bytes_out, inflight, inflight_max,
        connections, open, open_max, memory, memory_max, too_large, header_too_large, busy,
        refused, malformed, dropped, accept_pauses;
};

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static int threads_ok;

static void threads_init(void)
{
    /* Locking in libevent, so another thread may stop the loop. */
    threads_ok = evthread_use_pthreads() == 0;
    /* A client that hangs up must not kill the process when we write. */
    signal(SIGPIPE, SIG_IGN);
}

#define ADD(field, n) atomic_fetch_add_explicit(&(field), (n), memory_order_relaxed)
#define SUB(field, n) atomic_fetch_sub_explicit(&(field), (n), memory_order_relaxed)
#define LOAD(field) atomic_load_explicit(&(field), memory_order_relaxed)

static void raise_max(_Atomic uint64_t *max, uint64_t now)
{
    uint64_t m = atomic_load_explicit(max, memory_order_relaxed);
    while (now > m && !atomic_compare_exchange_weak_explicit(max, &m, now, memory_order_relaxed,
                                                             memory_order_relaxed))
        ;
}

int fetch_server_limits_resolve(fetch_server_limits *lim, uint64_t delay_ms, uint64_t bytes)
{
    if (!lim->max_body)
        lim->max_body = FETCH_SERVER_MAX_BYTES;
    if (!lim->max_delay_ms)
        lim->max_delay_ms = FETCH_SERVER_MAX_DELAY_MS;
    if (!lim->max_memory)
        lim->max_memory = FETCH_SERVER_DEFAULT_MAX_MEMORY;
    if (!lim->max_header)
        lim->max_header = FETCH_SERVER_DEFAULT_MAX_HEADER;
    if (!lim->max_connections)
        lim->max_connections = FETCH_SERVER_DEFAULT_MAX_CONNECTIONS;
    uint64_t one = lim->max_body < FETCH_SERVER_WINDOW ? lim->max_body : FETCH_SERVER_WINDOW;
    if (lim->max_memory < one) {
        cs_error("--max-memory '%llu': less than one body in flight needs (%llu: the smaller of "
                 "--max-body and %u)", (unsigned long long)lim->max_memory,
                 (unsigned long long)one, FETCH_SERVER_WINDOW);
        return -1;
    }
    if (bytes > lim->max_body) {
        cs_error("--bytes '%llu': more than --max-body %llu", (unsigned long long)bytes,
                 (unsigned long long)lim->max_body);
        return -1;
    }
    if (delay_ms > lim->max_delay_ms) {
        cs_error("--delay-ms '%llu': more than --max-delay-ms %llu", (unsigned long long)delay_ms,
                 (unsigned long long)lim->max_delay_ms);
        return -1;
    }
    return 0;
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    }
    static const char *const by_class[] = {"Status", "Informational", "Success", "Redirection",
                                           "Client Error", "Server Error"};
    return by_class[status / 100 <= 5 ? status / 100 : 0];
}

/* ---- connections: life and death ---- */

static void release_memory(struct conn *c)
{
    if (c->reserved) {
        SUB(c->server->memory, c->reserved);
        c->reserved = 0;
    }
}

/* The request was taken in and will now never be answered. */
static void abandon(struct conn *c)
{
    if (c->accepted) {
        SUB(c->server->inflight, 1);
        ADD(c->server->dropped, 1);
        c->accepted = 0;
    }
}

static void conn_free(struct conn *c)
{
    struct fetch_server *s = c->server;
    abandon(c);
    release_memory(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->refusing)
        s->refusing--;
    else
        SUB(s->open, 1);
    if (c->timer)
        event_free(c->timer);
    if (c->bev)
        bufferevent_free(c->bev); /* closes the descriptor: nothing waits in CLOSE-WAIT */
    free(c);
}

static void arm_timer(struct conn *c, uint64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

/* Write side done: shut it, so the client sees the end, and drop what it still sends. */
static void conn_linger(struct conn *c)
{
    c->state = CONN_LINGER;
    bufferevent_priority_set(c->bev, PRIORITY_BULK);
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    evbuffer_drain(bufferevent_get_input(c->bev), evbuffer_get_length(bufferevent_get_input(c->bev)));
    bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
    bufferevent_enable(c->bev, EV_READ);
    arm_timer(c, LINGER_MS);
}

/* ---- answers ---- */

static void count_answer(struct fetch_server *s, struct conn *c, int status, uint64_t body)
{
    if (c->accepted) {
        SUB(s->inflight, 1);
        c->accepted = 0;
    }
    ADD(s->served, 1);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        ADD(s->by_class[cls], 1);
    ADD(s->bytes_out, body);
}

/* RFC 9110's Date, formatted once a second: the loop's cached time is enough. */
static const char *http_date(struct fetch_server *s)
{
    struct timeval tv;
    event_base_gettimeofday_cached(s->base, &tv);
    if (tv.tv_sec != s->date_second) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        strftime(s->date, sizeof s->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        s->date_second = tv.tv_sec;
    }
    return s->date;
}

static void put_head(struct conn *c, int status, const char *type, int with_length,
                     uint64_t length, const char *extra)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nServer: corescale-io_server\r\nDate: %s\r\n",
                        status, reason_of(status), http_date(c->server));
    if (type)
        evbuffer_add_printf(out, "Content-Type: %s\r\n", type);
    if (with_length)
        evbuffer_add_printf(out, "Content-Length: %llu\r\n", (unsigned long long)length);
    if (extra)
        evbuffer_add(out, extra, strlen(extra));
    evbuffer_add_printf(out, "Connection: %s\r\n\r\n", c->close_after ? "close" : "keep-alive");
}

/* A short text answer (errors, statuses, /stats). counted: into served and by_class. */
static void send_text(struct conn *c, int status, const char *text, const char *extra,
                      int counted)
{
    size_t len = strlen(text);
    put_head(c, status, "text/plain", 1, len, extra);
    if (!c->head_only)
        evbuffer_add(bufferevent_get_output(c->bev), text, len);
    if (counted)
        count_answer(c->server, c, status, c->head_only ? 0 : len);
    c->send_off = c->send_end = 0;
    c->state = CONN_SEND;
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
}

/* Refusals of the request itself: answered, then the connection closes, since
 * what follows on it cannot be trusted to be a request. */
static void refuse_request(struct conn *c, int status, const char *why)
{
    struct fetch_server *s = c->server;
    if (status == 413)
        ADD(s->too_large, 1);
    else if (status == 431)
        ADD(s->header_too_large, 1);
    else
        ADD(s->malformed, 1);
    c->close_after = 1;
    c->head_only = 0;
    bufferevent_disable(c->bev, EV_READ);
    send_text(c, status, why, status == 405 ? "Allow: GET, HEAD\r\n" : NULL, 1);
}

/* Queues body bytes up to one window ahead of the client: memory grows with the
 * window, never with the body. */
static int fill_window(struct conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    while (c->send_off < c->send_end && evbuffer_get_length(out) < FETCH_SERVER_WINDOW) {
        uint64_t left = c->send_end - c->send_off;
        size_t room = FETCH_SERVER_WINDOW - evbuffer_get_length(out);
        size_t run = left < room ? (size_t)left : room;
        struct evbuffer_iovec v;
        if (evbuffer_reserve_space(out, run, &v, 1) < 1)
            return -1;
        if (v.iov_len < run)
            run = v.iov_len;
        fetch_body_fill(v.iov_base, run, c->send_off);
        uint64_t bad = c->spec.bytes / 2;
        if (c->spec.corrupt && bad >= c->send_off && bad < c->send_off + run)
            ((unsigned char *)v.iov_base)[bad - c->send_off] = '#'; /* never a pattern byte */
        v.iov_len = run;
        if (evbuffer_commit_space(out, &v, 1) != 0)
            return -1;
        c->send_off += run;
        ADD(c->server->bytes_out, run);
        if (c->send_off > FETCH_SERVER_WINDOW)
            bufferevent_priority_set(c->bev, PRIORITY_BULK);
    }
    if (c->send_off == c->send_end)
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0); /* the next call: all written */
    return 0;
}

static void answer(struct conn *c)
{
    const server_spec *sp = &c->spec;
    c->state = CONN_SEND;
    if (sp->status == 204 || sp->status == 304) {
        /* No body and no length: nothing may follow the head. */
        put_head(c, sp->status, NULL, 0, 0, NULL);
        count_answer(c->server, c, sp->status, 0);
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        return;
    }
    if (sp->status < 200 || sp->status > 299 || sp->status == 205) {
        char text[64] = "";
        if (sp->status != 205)
            snprintf(text, sizeof text, "status %d\n", sp->status);
        send_text(c, sp->status, text, NULL, 1);
        return;
    }
    uint64_t send = sp->short_body ? sp->bytes / 2 : sp->bytes;
    char extra[128];
    snprintf(extra, sizeof extra, "%s: %s\r\n%s: %llu\r\n", FETCH_BODY_HEADER, FETCH_BODY_MARK,
             FETCH_BODY_SIZE_HEADER, (unsigned long long)sp->bytes);
    if (sp->short_body)
        c->close_after = 1; /* promise more than is sent, then close: a short body */
    put_head(c, sp->status, "application/octet-stream", 1,
             sp->short_body ? (sp->bytes ? sp->bytes : 1) : sp->bytes, extra);
    c->send_off = 0;
    c->send_end = c->head_only ? 0 : send;
    count_answer(c->server, c, sp->status, 0); /* body bytes count as they are queued */
    bufferevent_setwatermark(c->bev, EV_WRITE, FETCH_SERVER_WINDOW / 2, 0);
    if (fill_window(c) != 0) {
        /* No memory for the body: it ends short, and so does the connection. */
        ADD(c->server->dropped, 1);
        c->send_end = c->send_off;
        c->close_after = 1;
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
    }
}

static void send_stats(struct conn *c)
{
    fetch_server_stats st;
    fetch_server_get_stats(c->server, &st);
    char text[1024];
    snprintf(text, sizeof text,
             "served %llu\ninflight %llu\ninflight_max %llu\nstatus_2xx %llu\n"
             "status_3xx %llu\nstatus_4xx %llu\nstatus_5xx %llu\nrejected %llu\nbytes %llu\n"
             "connections %llu\nopen %llu\nopen_max %llu\nmemory %llu\nmemory_max %llu\n"
             "max_memory %llu\ntoo_large %llu\nheader_too_large %llu\nbusy %llu\nrefused %llu\n"
             "malformed %llu\ndropped %llu\naccept_pauses %llu\n",
             (unsigned long long)st.served, (unsigned long long)st.inflight,
             (unsigned long long)st.inflight_max, (unsigned long long)st.by_class[2],
             (unsigned long long)st.by_class[3], (unsigned long long)st.by_class[4],
             (unsigned long long)st.by_class[5], (unsigned long long)st.rejected,
             (unsigned long long)st.bytes, (unsigned long long)st.connections,
             (unsigned long long)st.open, (unsigned long long)st.open_max,
             (unsigned long long)st.memory, (unsigned long long)st.memory_max,
             (unsigned long long)st.max_memory, (unsigned long long)st.too_large,
             (unsigned long long)st.header_too_large, (unsigned long long)st.busy,
             (unsigned long long)st.refused, (unsigned long long)st.malformed,
             (unsigned long long)st.dropped, (unsigned long long)st.accept_pauses);
    send_text(c, 200, text, NULL, 0);
}

/* A whole request is in (head, and body dropped): decide, reserve, then wait or answer. */
static void dispatch(struct conn *c, const server_request *rq)
{
    struct fetch_server *s = c->server;
    server_spec *sp = &c->spec;
    *sp = (server_spec){s->delay_ms, s->bytes, 200, 0, 0, 0};
    char why[192];
    int rc = server_spec_parse(rq->target, rq->target_len, &s->lim, sp, why, sizeof why);
    if (rc == 0 && sp->stats) {
        send_stats(c);
        return;
    }
    uint64_t now = ADD(s->inflight, 1) + 1;
    raise_max(&s->inflight_max, now);
    c->accepted = 1;
    if (rc == 413) {
        ADD(s->too_large, 1);
        send_text(c, 413, why, NULL, 1);
        return;
    }
    if (rc != 0) {
        ADD(s->rejected, 1);
        send_text(c, rc, why, NULL, 1);
        return;
    }
    int has_body = sp->status >= 200 && sp->status <= 299 && sp->status != 204 &&
                   sp->status != 205;
    uint64_t body = has_body && !c->head_only ? (sp->short_body ? sp->bytes / 2 : sp->bytes) : 0;
    uint64_t want = body < FETCH_SERVER_WINDOW ? body : FETCH_SERVER_WINDOW;
    uint64_t held = ADD(s->memory, want) + want;
    if (held > s->lim.max_memory) {
        SUB(s->memory, want);
        ADD(s->busy, 1);
        snprintf(why, sizeof why,
                 "busy: %llu bytes of bodies in flight, this one would pass the bound of %llu "
                 "(--max-memory)\n", (unsigned long long)(held - want),
                 (unsigned long long)s->lim.max_memory);
        send_text(c, 503, why, "Retry-After: 1\r\n", 1);
        return;
    }
    raise_max(&s->memory_max, held);
    c->reserved = want;
    if (sp->delay_ms == 0) {
        answer(c);
        return;
    }
    c->state = CONN_WAIT;
    arm_timer(c, sp->delay_ms);
}

/* A request's body is read and dropped as it comes, whatever the state. */
static void drop_body(struct conn *c, struct evbuffer *in)
{
    size_t have = evbuffer_get_length(in);
    size_t drop = have < c->body_left ? have : (size_t)c->body_left;
    evbuffer_drain(in, drop);
    c->body_left -= drop;
}

/* Starts on the next request, if its head has come in whole. */
static void conn_process(struct conn *c)
{
    struct fetch_server *s = c->server;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    drop_body(c, in);
    if (c->state != CONN_HEAD || c->body_left > 0)
        return;
    size_t have = evbuffer_get_length(in);
    if (have == 0)
        return;
    size_t head = server_request_head_in(in, (size_t)s->lim.max_header, &c->head_scanned);
    /* only a whole head is made one piece, once */
    const char *data = head ? (const char *)evbuffer_pullup(in, (ev_ssize_t)head) : NULL;
    char why[192];
    if (head && !data) {
        refuse_request(c, 503, "request head: out of memory\n");
        return;
    }
    if (head == 0) {
        if (have >= s->lim.max_header) {
            snprintf(why, sizeof why,
                     "request head: more than this server's bound of %llu bytes (--max-header)\n",
                     (unsigned long long)s->lim.max_header);
            refuse_request(c, 431, why);
        }
        return; /* the rest may come, within the head deadline */
    }
    server_request rq;
    int rc = server_request_parse(data, head, &rq, why, sizeof why);
    if (rc != 0) {
        refuse_request(c, rc, why);
        return;
    }
    if (rq.content_length > s->lim.max_body) {
        snprintf(why, sizeof why,
                 "request body of %llu bytes: more than this server's bound of %llu "
                 "(--max-body)\n", (unsigned long long)rq.content_length,
                 (unsigned long long)s->lim.max_body);
        refuse_request(c, 413, why);
        return;
    }
    evtimer_del(c->timer);
    c->head_only = rq.head_only;
    c->close_after = !rq.keep_alive;
    /* The target points into the head: decided on before the head is dropped. */
    dispatch(c, &rq);
    evbuffer_drain(in, head);
    c->body_left = rq.content_length;
    drop_body(c, in);
}

/* An answer is written out whole: the next request, or the end. */
static void conn_answered(struct conn *c)
{
    release_memory(c);
    bufferevent_priority_set(c->bev, PRIORITY_NORMAL);
    if (c->close_after) {
        conn_linger(c);
        return;
    }
    c->state = CONN_HEAD;
    arm_timer(c, HEAD_DEADLINE_S * 1000);
    conn_process(c);
    /* After a half-close, the requests it sent whole are answered, one by one; with
     * none left, nothing more can come. */
    if (c->input_ended && c->state == CONN_HEAD)
        conn_linger(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct conn *c = arg;
    if (c->state == CONN_LINGER) {
        struct evbuffer *in = bufferevent_get_input(c->bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    /* Waiting or sending, what comes is the next request: it stays in the buffer,
     * whose high watermark bounds it, until this answer is out. */
    conn_process(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    if (c->state != CONN_SEND)
        return;
    if (c->send_off < c->send_end) {
        if (fill_window(c) != 0) {
            ADD(c->server->dropped, 1);
            conn_free(c);
        }
        return;
    }
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_answered(c);
}

/* Ends a connection mid-answer: what it was owed counts as dropped. */
static void conn_drop(struct conn *c)
{
    if (c->state == CONN_SEND && !c->accepted && !c->refusing)
        ADD(c->server->dropped, 1); /* answered, but not all of it was taken */
    conn_free(c); /* and abandon() counts one still waiting */
}

/* The client closed, failed, or stopped reading: whatever it asked for is dropped
 * with its descriptor, at once. */
static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    if ((what & BEV_EVENT_EOF) && c->state == CONN_SEND) {
        /* The end of its requests, maybe not of its reading (a half-close): the answer
         * under way is finished, and the requests already in are answered after it; a
         * client that has really gone fails the writes. */
        bufferevent_disable(bev, EV_READ);
        c->input_ended = 1;
        return;
    }
    conn_drop(c);
}

/* The loop is over: every connection goes, before anyone reads the counts. */
static void drop_all(struct fetch_server *s)
{
    while (s->conns)
        conn_drop(s->conns);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct conn *c = arg;
    switch (c->state) {
    case CONN_WAIT: answer(c); return;
    case CONN_HEAD: /* no whole head in time: idle keep-alive or a trickle */
    case CONN_LINGER:
    case CONN_SEND: conn_free(c); return;
    }
}

/* ---- accepting ---- */

static const char busy_text[] = "too many connections: try again later\n";

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    (void)l;
    (void)sa;
    (void)salen;
    struct fetch_server *s = arg;
    if (s->accept_paused) {
        cs_note("accepting again (%llu connections open)", (unsigned long long)LOAD(s->open));
        s->accept_paused = 0;
    }
    int refusing = LOAD(s->open) >= s->lim.max_connections;
    if (refusing && s->refusing >= REFUSING_MAX) {
        ADD(s->refused, 1);
        evutil_closesocket(fd);
        return;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (c) {
        c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
        c->timer = evtimer_new(s->base, on_timer, c);
    }
    if (!c || !c->bev || !c->timer) {
        if (c && c->bev)
            bufferevent_free(c->bev);
        else
            evutil_closesocket(fd);
        if (c && c->timer)
            event_free(c->timer);
        free(c);
        ADD(s->refused, 1);
        return;
    }
    c->server = s;
    c->refusing = refusing;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    bufferevent_priority_set(c->bev, PRIORITY_NORMAL);
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    /* A head longer than the bound is refused, so more is never read ahead. */
    bufferevent_setwatermark(c->bev, EV_READ, 0, (size_t)s->lim.max_header + 4096);
    struct timeval stall = {WRITE_STALL_S, 0};
    bufferevent_set_timeouts(c->bev, NULL, &stall);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    if (refusing) {
        s->refusing++;
        ADD(s->refused, 1);
        c->close_after = 1;
        c->state = CONN_SEND;
        send_text(c, 503, busy_text, "Retry-After: 1\r\n", 0);
        return;
    }
    ADD(s->connections, 1);
    raise_max(&s->open_max, ADD(s->open, 1) + 1);
    c->state = CONN_HEAD;
    arm_timer(c, HEAD_DEADLINE_S * 1000);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    evconnlistener_enable(((struct fetch_server *)arg)->listener);
}

/* Out of descriptors (or kernel memory) accept fails at once, again and again:
 * pause instead of spinning, and say so once per episode. */
static void on_accept_error(struct evconnlistener *l, void *arg)
{
    struct fetch_server *s = arg;
    int err = EVUTIL_SOCKET_ERROR();
    evconnlistener_disable(l);
    if (!s->accept_paused) {
        cs_warn("cannot accept: %s, with %llu connections open; pausing accepts, retrying every "
                "%d ms", strerror(err), (unsigned long long)LOAD(s->open), ACCEPT_PAUSE_MS);
        s->accept_paused = 1;
        ADD(s->accept_pauses, 1);
    }
    struct timeval tv = {0, ACCEPT_PAUSE_MS * 1000};
    evtimer_add(s->resume, &tv);
}

/* fetch_server_stop, SIGINT and SIGTERM: leave the loop, answers waiting or not. */
static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(((struct fetch_server *)arg)->base);
}

static int resolve_listen(const char *address, unsigned port, struct sockaddr_storage *ss,
                          socklen_t *len)
{
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(address, service, &hints, &res);
    if (rc != 0) {
        cs_error("--listen '%s:%u': cannot use the address: %s", address, port, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int read_port(struct fetch_server *s, const char *address, unsigned port)
{
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(evconnlistener_get_fd(s->listener), (struct sockaddr *)&bound, &blen) != 0) {
        cs_error("--listen '%s:%u': cannot read the port: %s", address, port, strerror(errno));
        return -1;
    }
    char host[INET6_ADDRSTRLEN] = "?";
    if (bound.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&bound;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        s->port = ntohs(a->sin6_port);
        snprintf(s->url, sizeof s->url, "http://[%s]:%u/", host, s->port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&bound;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        s->port = ntohs(a->sin_port);
        snprintf(s->url, sizeof s->url, "http://%s:%u/", host, s->port);
    }
    return 0;
}

int fetch_server_new(const fetch_server_config *cfg, fetch_server **out)
{
    pthread_once(&threads_once, threads_init);
    if (!threads_ok) {
        cs_error("libevent has no thread support here (evthread_use_pthreads failed)");
        return CS_EXIT_FAIL;
    }
    fetch_server_limits lim = cfg->limits;
    if (fetch_server_limits_resolve(&lim, cfg->delay_ms, cfg->bytes) != 0)
        return CS_EXIT_USAGE;
    const char *address = cfg->address ? cfg->address : "127.0.0.1";
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve_listen(address, cfg->port, &ss, &sslen) != 0)
        return CS_EXIT_USAGE;
    struct fetch_server *s = calloc(1, sizeof *s);
    if (!s) {
        cs_error("out of memory for the server");
        return CS_EXIT_FAIL;
    }
    int code = CS_EXIT_FAIL;
    s->delay_ms = cfg->delay_ms;
    s->bytes = cfg->bytes;
    s->lim = lim;
    /* Between bulk callbacks, new events are looked at every BULK_BATCH of them. */
    struct event_config *ec = event_config_new();
    if (ec)
        event_config_set_max_dispatch_interval(ec, NULL, BULK_BATCH, PRIORITY_BULK);
    s->base = ec ? event_base_new_with_config(ec) : NULL;
    if (ec)
        event_config_free(ec);
    if (s->base && event_base_priority_init(s->base, PRIORITIES) != 0) {
        cs_error("cannot give the server's event loop %d priorities", PRIORITIES);
        goto fail;
    }
    s->stop_event = s->base ? event_new(s->base, -1, 0, on_stop, s) : NULL;
    s->resume = s->base ? evtimer_new(s->base, on_resume, s) : NULL;
    if (!s->stop_event || !s->resume) {
        cs_error("cannot create the server's event loop");
        goto fail;
    }
    int backlog = cfg->backlog > 0 ? cfg->backlog : 16384;
    s->listener = evconnlistener_new_bind(
        s->base, on_accept, s, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        backlog, (struct sockaddr *)&ss, (int)sslen);
    if (!s->listener) {
        cs_error("--listen '%s:%u': cannot listen: %s", address, cfg->port, strerror(errno));
        code = CS_EXIT_USAGE;
        goto fail;
    }
    evconnlistener_set_error_cb(s->listener, on_accept_error);
    if (read_port(s, address, cfg->port) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    fetch_server_free(s);
    return code;
}

const char *fetch_server_url(const fetch_server *s)
{
    return s->url;
}

unsigned fetch_server_port(const fetch_server *s)
{
    return s->port;
}

int fetch_server_run(fetch_server *s, int stop_on_signals)
{
    if (stop_on_signals) {
        s->sigint = evsignal_new(s->base, SIGINT, on_stop, s);
        s->sigterm = evsignal_new(s->base, SIGTERM, on_stop, s);
        if (!s->sigint || !s->sigterm || evsignal_add(s->sigint, NULL) != 0 ||
            evsignal_add(s->sigterm, NULL) != 0) {
            cs_error("cannot watch SIGINT and SIGTERM");
            return -1;
        }
    }
    int rc = event_base_dispatch(s->base);
    drop_all(s);
    if (rc < 0) {
        cs_error("the server's event loop failed");
        return -1;
    }
    return 0;
}

static void *serve_thread(void *arg)
{
    fetch_server *s = arg;
    event_base_dispatch(s->base);
    drop_all(s);
    return NULL;
}

int fetch_server_start(fetch_server *s)
{
    /* The thread takes no signals: they belong to the client's main thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread_id, NULL, serve_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        cs_error("cannot start the embedded server's thread: %s", strerror(rc));
        return -1;
    }
    s->thread_running = 1;
    return 0;
}

void fetch_server_stop(fetch_server *s)
{
    /* Activated, not broken: a stop before the loop starts is not lost. */
    event_active(s->stop_event, EV_READ, 0);
}

void fetch_server_get_stats(const fetch_server *s, fetch_server_stats *out)
{
    fetch_server *m = (fetch_server *)s;
    out->served = LOAD(m->served);
    for (int i = 0; i < 6; i++)
        out->by_class[i] = LOAD(m->by_class[i]);
    out->rejected = LOAD(m->rejected);
    out->bytes = LOAD(m->bytes_out);
    out->inflight = LOAD(m->inflight);
    out->inflight_max = LOAD(m->inflight_max);
    out->connections = LOAD(m->connections);
    out->open = LOAD(m->open);
    out->open_max = LOAD(m->open_max);
    out->memory = LOAD(m->memory);
    out->memory_max = LOAD(m->memory_max);
    out->too_large = LOAD(m->too_large);
    out->header_too_large = LOAD(m->header_too_large);
    out->busy = LOAD(m->busy);
    out->refused = LOAD(m->refused);
    out->malformed = LOAD(m->malformed);
    out->dropped = LOAD(m->dropped);
    out->accept_pauses = LOAD(m->accept_pauses);
    out->max_memory = m->lim.max_memory;
}

void fetch_server_free(fetch_server *s)
{
    if (!s)
        return;
    if (s->thread_running) {
        fetch_server_stop(s);
        pthread_join(s->thread_id, NULL);
    }
    /* Waiting and unfinished answers are dropped with their connections. */
    drop_all(s);
    if (s->listener)
        evconnlistener_free(s->listener);
    if (s->resume)
        event_free(s->resume);
    if (s->sigint)
        event_free(s->sigint);
    if (s->sigterm)
        event_free(s->sigterm);
    if (s->stop_event)
        event_free(s->stop_event);
    if (s->base)
        event_base_free(s->base);
    free(s);
}
