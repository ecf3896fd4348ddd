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

/* The row as one CSV line, newline included; -1 with a message when it does not fit. */
static int format_row(const cs_row *r, struct line *l_out)
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
    *l_out = l;
    return 0;
}

/* One write(2) of a whole line, so that lines of concurrent runs never interleave. */
static int append_line(int fd, const struct line *l, const char *what)
{
    ssize_t wrote = write(fd, l->buf, l->len);
    if (wrote != (ssize_t)l->len) {
        cs_error("cannot append a %s row: %s", what, wrote < 0 ? strerror(errno) : "short write");
        return -1;
    }
    return 0;
}

int cs_csv_write(int fd, const cs_row *r)
{
    struct line l;
    if (format_row(r, &l) != 0)
        return -1;
    return append_line(fd, &l, "CSV");
}

void cs_csv_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* ---- JSON Lines: one object per row, the CSV's columns and values ---------------------------- */

int cs_json_open(const char *path)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        cs_error("--json '%s': cannot open: %s", cs_show(path), strerror(errno));
        return -1;
    }
    /* Appending to a file of other things would leave neither readable. */
    char first;
    ssize_t got = pread(fd, &first, 1, 0);
    if (got < 0 || (got == 1 && first != '{')) {
        cs_error("--json '%s': the file exists and is not corescale's JSON rows (one object a line)",
                 cs_show(path));
        close(fd);
        return -1;
    }
    return fd;
}

/* The columns whose values are text; every other column is a number, or null when empty. */
static int is_text_column(const char *name, size_t len)
{
    static const char *const text[] = {"time_utc", "host",    "driver",  "kernel",   "case",
                                       "class",    "bind",    "digest",  "version",  "compiler",
                                       "flags",    "schedule", "warnings", "scaling"};
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        if (strlen(text[i]) == len && memcmp(text[i], name, len) == 0)
            return 1;
    return 0;
}

static void put_json_text(struct line *l, const char *s, size_t len)
{
    put(l, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            put(l, "\\%c", c);
        else if (c < 0x20)
            put(l, "\\u%04x", c);
        else
            put(l, "%c", c);
    }
    put(l, "\"");
}

int cs_json_write(int fd, const cs_row *r)
{
    struct line csv, j = {.len = 0};
    if (format_row(r, &csv) != 0)
        return -1;
    csv.buf[--csv.len] = '\0'; /* the newline */
    /* Text fields hold no commas (put_text), so the line splits where the header does. */
    const char *name = CS_ROW_COLUMNS, *value = csv.buf;
    put(&j, "{");
    for (int first = 1; *name; first = 0) {
        size_t nlen = strcspn(name, ","), vlen = strcspn(value, ",");
        put(&j, "%s\"%.*s\":", first ? "" : ",", (int)nlen, name);
        if (is_text_column(name, nlen))
            put_json_text(&j, value, vlen);
        else if (vlen == 0)
            put(&j, "null");
        else
            put(&j, "%.*s", (int)vlen, value);
        name += nlen + (name[nlen] == ',');
        value += vlen + (value[vlen] == ',');
    }
    put(&j, "}\n");
    if (j.overflow) {
        cs_error("a JSON row is longer than %zu bytes; not written", sizeof j.buf);
        return -1;
    }
    return append_line(fd, &j, "JSON");
}

int cs_rows_open(cs_rows *rows, const char *csv_path, const char *json_path)
{
    rows->csv_fd = rows->json_fd = -1;
    if (csv_path && (rows->csv_fd = cs_csv_open(csv_path)) < 0)
        return -1;
    if (json_path && (rows->json_fd = cs_json_open(json_path)) < 0) {
        cs_rows_close(rows);
        return -1;
    }
    return 0;
}

int cs_rows_wanted(const cs_rows *rows) { return rows->csv_fd >= 0 || rows->json_fd >= 0; }

int cs_rows_write(const cs_rows *rows, const cs_row *row)
{
    int rc = 0;
    if (rows->csv_fd >= 0 && cs_csv_write(rows->csv_fd, row) != 0)
        rc = -1;
    if (rows->json_fd >= 0 && cs_json_write(rows->json_fd, row) != 0)
        rc = -1;
    return rc;
}

void cs_rows_close(cs_rows *rows)
{
    cs_csv_close(rows->csv_fd);
    cs_csv_close(rows->json_fd);
    rows->csv_fd = rows->json_fd = -1;
}
