/* CSV rows with the columns of CS_ROW_COLUMNS, appended whole. */
#include "row.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_info.h"
#include "clock.h"
#include "message.h"

const char *cs_host_name(void)
{
    static char host[256];
    if (host[0] == '\0') {
        if (gethostname(host, sizeof host - 1) != 0)
            snprintf(host, sizeof host, "unknown");
        host[strcspn(host, ".")] = '\0';
    }
    return host;
}

static int header_matches(int fd)
{
    char buf[sizeof CS_ROW_COLUMNS];
    ssize_t got = pread(fd, buf, sizeof buf, 0);
    return got == (ssize_t)sizeof buf && memcmp(buf, CS_ROW_COLUMNS, sizeof buf - 1) == 0 &&
           buf[sizeof buf - 1] == '\n';
}

int cs_csv_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        cs_error("--csv '%s': cannot open: %s", cs_show(path), strerror(errno));
        return -1;
    }
    int rfd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (rfd < 0 || flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0) {
        cs_error("--csv '%s': cannot lock or read: %s", cs_show(path), strerror(errno));
        goto fail;
    }
    if (st.st_size == 0) {
        static const char header[] = CS_ROW_COLUMNS "\n";
        if (write(fd, header, sizeof header - 1) != (ssize_t)(sizeof header - 1)) {
            cs_error("--csv '%s': cannot write the header: %s", cs_show(path), strerror(errno));
            goto fail;
        }
    } else if (!header_matches(rfd)) {
        cs_error("--csv '%s': the file exists and its first line is not corescale's header", cs_show(path));
        goto fail;
    }
    flock(fd, LOCK_UN);
    close(rfd);
    return fd;
fail:
    if (rfd >= 0)
        close(rfd);
    close(fd);
    return -1;
}

/* Appends to a fixed buffer; too long a row is caught once, at the end. */
struct line {
    char buf[4096];
    size_t len;
    int overflow;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof l->buf - l->len)
        l->overflow = 1;
    else
        l->len += (size_t)n;
}

/* Text fields must not break the CSV: commas and newlines become ';' and ' '. */
static void put_text(struct line *l, const char *s)
{
    char clean[1024];
    size_t i = 0;
    for (; s && s[i] && i + 1 < sizeof clean; i++)
        clean[i] = s[i] == ',' ? ';' : (s[i] == '\n' || s[i] == '"') ? ' ' : s[i];
    clean[i] = '\0';
    put(l, "%s,", clean);
}

static void put_seconds(struct line *l, double s)
{
    if (s < 0)
        put(l, ",");
    else
        put(l, "%.9f,", s);
}

int cs_csv_write(int fd, const cs_row *r)
{
    struct line l = {.len = 0};
    char utc[32];
    cs_clock_utc(utc, sizeof utc);
    put(&l, "%s,", utc);
    put_text(&l, cs_host_name());
    put_text(&l, r->driver);
    put_text(&l, r->kernel);
    put_text(&l, r->case_name);
    put_text(&l, r->class_name);
    put(&l, "%u,%u,%u,", r->ranks, r->threads, r->workers);
    put_text(&l, r->bind);
    if (r->chunks)
        put(&l, "%llu,", (unsigned long long)r->chunks);
    else
        put(&l, ",");
    put(&l, "%u,", r->rep);
    put_seconds(&l, r->wall_s);
    put_seconds(&l, r->compute_s);
    put_seconds(&l, r->combine_s);
    put_seconds(&l, r->comm_s);
    put(&l, "%llu,%d,", (unsigned long long)r->comm_bytes, r->verified);
    put_text(&l, r->digest);
    put_text(&l, CS_VERSION "+" CS_REVISION);
    put_text(&l, CS_COMPILER);
    put_text(&l, CS_FLAGS);
    put_text(&l, r->schedule);
    put_text(&l, r->warnings);
    if (r->has_fetch)
        put(&l, "%llu,%llu,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,", (unsigned long long)r->requests,
            (unsigned long long)r->errors, (unsigned long long)r->bytes, r->req_per_s, r->p50_ms,
            r->p90_ms, r->p99_ms, r->max_ms);
    else
        put(&l, ",,,,,,,,");
    if (r->has_profile)
        put(&l, "%.9f,%.9f,,\n", r->work_s, r->span_s);
    else
        put(&l, ",,,\n");
    if (l.overflow) {
        cs_error("a CSV row is longer than %zu bytes; not written", sizeof l.buf);
        return -1;
    }
    ssize_t wrote = write(fd, l.buf, l.len);
    if (wrote != (ssize_t)l.len) {
        cs_error("cannot append a CSV row: %s", wrote < 0 ? strerror(errno) : "short write");
        return -1;
    }
    return 0;
}

void cs_csv_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
