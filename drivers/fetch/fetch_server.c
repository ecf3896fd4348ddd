/* io_server's engine: evhttp answers, timers delay, counters watch what is in flight. */
#include "fetch_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
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
#include <sys/queue.h>
#include <sys/socket.h>

#include "fetch_body.h"
#include "message.h"

/* One answer waiting for its delay to run out. */
struct pending {
    struct fetch_server *server;
    struct evhttp_request *req;
    struct event *timer;
    struct reply_spec {
        uint64_t delay_ms, bytes;
        int status, short_body, corrupt;
    } spec;
    struct pending *prev, *next;
};

struct fetch_server {
    struct event_base *base;
    struct evhttp *http;
    struct evconnlistener *listener;
    struct event *stop_event, *sigint, *sigterm;
    uint64_t delay_ms, bytes;
    char url[128];
    unsigned port;
    struct pending *pending; /* doubly linked, server thread only */
    pthread_t thread;
    int thread_running;
    _Atomic uint64_t served, by_class[6], rejected, bytes_out, inflight, inflight_max,
        connections;
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

static void count_arrival(struct fetch_server *s)
{
    uint64_t now = atomic_fetch_add_explicit(&s->inflight, 1, memory_order_relaxed) + 1;
    uint64_t max = atomic_load_explicit(&s->inflight_max, memory_order_relaxed);
    while (now > max && !atomic_compare_exchange_weak_explicit(&s->inflight_max, &max, now,
                                                               memory_order_relaxed,
                                                               memory_order_relaxed))
        ;
}

/* evhttp asks for a bufferevent once per accepted connection: made as evhttp
 * would make it, and counted, so that keep-alive and reuse can be checked. */
static struct bufferevent *on_connection(struct event_base *base, void *arg)
{
    struct fetch_server *s = arg;
    atomic_fetch_add_explicit(&s->connections, 1, memory_order_relaxed);
    return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static void count_answer(struct fetch_server *s, int status, uint64_t body)
{
    atomic_fetch_sub_explicit(&s->inflight, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->served, 1, memory_order_relaxed);
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add_explicit(&s->by_class[cls], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->bytes_out, body, memory_order_relaxed);
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    }
    static const char *const by_class[] = {"Status", "Informational", "Success", "Redirection",
                                           "Client Error", "Server Error"};
    return by_class[status / 100 <= 5 ? status / 100 : 0];
}

/* Pattern bytes 0..n-1: references to the one static period, nothing copied. */
static int add_pattern(struct evbuffer *b, uint64_t n)
{
    const unsigned char *period = fetch_body_period();
    while (n > 0) {
        size_t run = n < FETCH_BODY_PERIOD ? (size_t)n : FETCH_BODY_PERIOD;
        if (evbuffer_add_reference(b, period, run, NULL, NULL) != 0)
            return -1;
        n -= run;
    }
    return 0;
}

static int add_corrupt_pattern(struct evbuffer *b, uint64_t n)
{
    unsigned char *copy = malloc(n ? (size_t)n : 1);
    if (!copy)
        return -1;
    fetch_body_fill(copy, (size_t)n, 0);
    if (n > 0)
        copy[n / 2] = '#'; /* never a pattern byte */
    int rc = evbuffer_add(b, copy, (size_t)n);
    free(copy);
    return rc;
}

static void send_text(struct fetch_server *s, struct evhttp_request *req, int status,
                      const char *text, int counted)
{
    struct evbuffer *b = evbuffer_new();
    if (b)
        evbuffer_add(b, text, strlen(text));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
    evhttp_send_reply(req, status, reason_of(status), b);
    if (counted)
        count_answer(s, status, strlen(text));
    if (b)
        evbuffer_free(b);
}

static void respond(struct fetch_server *s, struct evhttp_request *req,
                    const struct reply_spec *sp)
{
    if (sp->status < 200 || sp->status > 299) {
        char text[64];
        snprintf(text, sizeof text, "status %d\n", sp->status);
        send_text(s, req, sp->status, text, 1);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    struct evbuffer *b = evbuffer_new();
    uint64_t send = sp->short_body ? sp->bytes / 2 : sp->bytes;
    if (!b || (sp->corrupt ? add_corrupt_pattern(b, send) : add_pattern(b, send)) != 0) {
        if (b)
            evbuffer_free(b);
        send_text(s, req, 500, "out of memory for the body\n", 1);
        return;
    }
    evhttp_add_header(h, "Content-Type", "application/octet-stream");
    evhttp_add_header(h, FETCH_BODY_HEADER, FETCH_BODY_MARK);
    if (sp->short_body) {
        /* Promise more than is sent, then close: the client sees a short body. */
        char promised[32];
        snprintf(promised, sizeof promised, "%llu",
                 (unsigned long long)(sp->bytes ? sp->bytes : 1));
        evhttp_add_header(h, "Content-Length", promised);
        evhttp_add_header(h, "Connection", "close");
    }
    evhttp_send_reply(req, sp->status, reason_of(sp->status), b);
    count_answer(s, sp->status, send);
    evbuffer_free(b);
}

/* Digits only, at most max: "delay_ms '70000': at most 60000" otherwise. */
static int parse_value(const char *name, const char *text, uint64_t min, uint64_t max,
                       uint64_t *out, char *why, size_t whylen)
{
    uint64_t v = 0;
    if (*text == '\0') {
        snprintf(why, whylen, "%s '': a number is needed\n", name);
        return -1;
    }
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9') {
            snprintf(why, whylen, "%s '%.40s': not a whole number\n", name, text);
            return -1;
        }
        if (v > (UINT64_MAX - 9) / 10) {
            v = UINT64_MAX;
            break;
        }
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (v > max || v < min) {
        snprintf(why, whylen, "%s '%.40s': must be %llu..%llu\n", name, text,
                 (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_path(const char *path, struct reply_spec *sp, char *why, size_t whylen)
{
    uint64_t v;
    if (strncmp(path, "/delay/", 7) == 0) {
        if (parse_value("delay", path + 7, 0, FETCH_SERVER_MAX_DELAY_MS, &v, why, whylen))
            return -1;
        sp->delay_ms = v;
    } else if (strncmp(path, "/bytes/", 7) == 0) {
        if (parse_value("bytes", path + 7, 0, FETCH_SERVER_MAX_BYTES, &v, why, whylen))
            return -1;
        sp->bytes = v;
    } else if (strncmp(path, "/status/", 8) == 0) {
        if (parse_value("status", path + 8, 200, 599, &v, why, whylen))
            return -1;
        sp->status = (int)v;
    }
    return 0;
}

static int parse_query(const char *query, struct reply_spec *sp, char *why, size_t whylen)
{
    if (!query || !*query)
        return 0;
    struct evkeyvalq kv;
    TAILQ_INIT(&kv);
    if (evhttp_parse_query_str(query, &kv) != 0) {
        snprintf(why, whylen, "query '%.80s': malformed\n", query);
        evhttp_clear_headers(&kv);
        return -1;
    }
    uint64_t v;
    const char *t;
    int rc = 0;
    if (rc == 0 && (t = evhttp_find_header(&kv, "delay_ms")) &&
        (rc = parse_value("delay_ms", t, 0, FETCH_SERVER_MAX_DELAY_MS, &v, why, whylen)) == 0)
        sp->delay_ms = v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "bytes")) &&
        (rc = parse_value("bytes", t, 0, FETCH_SERVER_MAX_BYTES, &v, why, whylen)) == 0)
        sp->bytes = v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "status")) &&
        (rc = parse_value("status", t, 200, 599, &v, why, whylen)) == 0)
        sp->status = (int)v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "short")) &&
        (rc = parse_value("short", t, 0, 1, &v, why, whylen)) == 0)
        sp->short_body = (int)v;
    if (rc == 0 && (t = evhttp_find_header(&kv, "corrupt")) &&
        (rc = parse_value("corrupt", t, 0, 1, &v, why, whylen)) == 0)
        sp->corrupt = (int)v;
    if (rc == 0 && sp->corrupt && sp->bytes == 0) {
        /* Otherwise the fault asked for would silently not happen. */
        snprintf(why, whylen, "corrupt '1': no body byte to change (bytes is 0)\n");
        rc = -1;
    }
    evhttp_clear_headers(&kv);
    return rc;
}

static void send_stats(struct fetch_server *s, struct evhttp_request *req)
{
    fetch_server_stats st;
    fetch_server_get_stats(s, &st);
    char text[512];
    snprintf(text, sizeof text,
             "served %llu\ninflight %llu\ninflight_max %llu\nstatus_2xx %llu\n"
             "status_3xx %llu\nstatus_4xx %llu\nstatus_5xx %llu\nrejected %llu\nbytes %llu\n"
             "connections %llu\n",
             (unsigned long long)st.served, (unsigned long long)st.inflight,
             (unsigned long long)st.inflight_max, (unsigned long long)st.by_class[2],
             (unsigned long long)st.by_class[3], (unsigned long long)st.by_class[4],
             (unsigned long long)st.by_class[5], (unsigned long long)st.rejected,
             (unsigned long long)st.bytes, (unsigned long long)st.connections);
    send_text(s, req, 200, text, 0);
}

static void unlink_pending(struct fetch_server *s, struct pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        s->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
}

static void on_delay_over(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pending *p = arg;
    struct fetch_server *s = p->server;
    unlink_pending(s, p);
    /* If the client hung up meanwhile, evhttp frees the request on reply. */
    respond(s, p->req, &p->spec);
    event_free(p->timer);
    free(p);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct fetch_server *s = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path || !*path)
        path = "/";
    if (strcmp(path, "/stats") == 0) {
        send_stats(s, req);
        return;
    }
    count_arrival(s);
    struct reply_spec spec = {s->delay_ms, s->bytes, 200, 0, 0};
    char why[192];
    if (parse_path(path, &spec, why, sizeof why) != 0 ||
        parse_query(uri ? evhttp_uri_get_query(uri) : NULL, &spec, why, sizeof why) != 0) {
        atomic_fetch_add_explicit(&s->rejected, 1, memory_order_relaxed);
        send_text(s, req, 400, why, 1);
        return;
    }
    if (spec.delay_ms == 0) {
        respond(s, req, &spec);
        return;
    }
    struct timeval tv = {(time_t)(spec.delay_ms / 1000), (suseconds_t)(spec.delay_ms % 1000) * 1000};
    struct pending *p = calloc(1, sizeof *p);
    if (p)
        p->timer = evtimer_new(s->base, on_delay_over, p);
    if (!p || !p->timer || evtimer_add(p->timer, &tv) != 0) {
        /* Answered now rather than never. */
        if (p && p->timer)
            event_free(p->timer);
        free(p);
        send_text(s, req, 503, "cannot hold a delayed answer\n", 1);
        return;
    }
    p->server = s;
    p->req = req;
    p->spec = spec;
    p->next = s->pending;
    if (s->pending)
        s->pending->prev = p;
    s->pending = p;
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

int fetch_server_new(const fetch_server_config *cfg, fetch_server **out)
{
    pthread_once(&threads_once, threads_init);
    if (!threads_ok) {
        cs_error("libevent has no thread support here (evthread_use_pthreads failed)");
        return CS_EXIT_FAIL;
    }
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
    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    s->stop_event = s->base ? event_new(s->base, -1, 0, on_stop, s) : NULL;
    if (!s->http || !s->stop_event) {
        cs_error("cannot create the server's event loop");
        goto fail;
    }
    int backlog = cfg->backlog > 0 ? cfg->backlog : 16384;
    s->listener = evconnlistener_new_bind(
        s->base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        backlog, (struct sockaddr *)&ss, (int)sslen);
    if (!s->listener) {
        cs_error("--listen '%s:%u': cannot listen: %s", address, cfg->port, strerror(errno));
        code = CS_EXIT_USAGE;
        goto fail;
    }
    if (!evhttp_bind_listener(s->http, s->listener)) {
        cs_error("--listen '%s:%u': evhttp cannot take the socket", address, cfg->port);
        goto fail;
    }
    /* evhttp_free closes the listener from now on. */
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (getsockname(evconnlistener_get_fd(s->listener), (struct sockaddr *)&bound, &blen) != 0) {
        cs_error("--listen '%s:%u': cannot read the port: %s", address, cfg->port, strerror(errno));
        s->listener = NULL;
        goto fail;
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
    s->listener = NULL;
    /* Longer than the longest delay, so waiting answers are not cut. */
    evhttp_set_timeout(s->http, (int)(FETCH_SERVER_MAX_DELAY_MS / 1000) * 2);
    evhttp_set_max_body_size(s->http, 1 << 20);
    evhttp_set_gencb(s->http, on_request, s);
    evhttp_set_bevcb(s->http, on_connection, s);
    *out = s;
    return 0;
fail:
    if (s->listener)
        evconnlistener_free(s->listener);
    s->listener = NULL;
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
    if (event_base_dispatch(s->base) < 0) {
        cs_error("the server's event loop failed");
        return -1;
    }
    return 0;
}

static void *serve_thread(void *arg)
{
    fetch_server *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

int fetch_server_start(fetch_server *s)
{
    /* The thread takes no signals: they belong to the client's main thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, serve_thread, s);
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
    out->served = atomic_load_explicit(&m->served, memory_order_relaxed);
    for (int i = 0; i < 6; i++)
        out->by_class[i] = atomic_load_explicit(&m->by_class[i], memory_order_relaxed);
    out->rejected = atomic_load_explicit(&m->rejected, memory_order_relaxed);
    out->bytes = atomic_load_explicit(&m->bytes_out, memory_order_relaxed);
    out->inflight = atomic_load_explicit(&m->inflight, memory_order_relaxed);
    out->inflight_max = atomic_load_explicit(&m->inflight_max, memory_order_relaxed);
    out->connections = atomic_load_explicit(&m->connections, memory_order_relaxed);
}

void fetch_server_free(fetch_server *s)
{
    if (!s)
        return;
    if (s->thread_running) {
        fetch_server_stop(s);
        pthread_join(s->thread, NULL);
    }
    /* Waiting answers are dropped: requests whose client left are ours to
     * free; the others go with their connections in evhttp_free. */
    while (s->pending) {
        struct pending *p = s->pending;
        s->pending = p->next;
        event_free(p->timer);
        if (!evhttp_request_get_connection(p->req))
            evhttp_request_free(p->req);
        free(p);
    }
    if (s->http)
        evhttp_free(s->http);
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
