/* Task graphs to text and back; the reader names the line of whatever it refuses. */
#include "profile_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cs_profile_write_start(FILE *f)
{
    fprintf(f, "# corescale profile, format 1: a block per case and repetition; "
               "results/README.md says what each field means\n");
}

int cs_profile_write_block(FILE *f, const cs_graph *g)
{
    fprintf(f,
            "# block driver=%s kernel=%s case=%s class=%s rep=%u reps=%u ranks=%u threads=%u "
            "schedule=%s items=%" PRIu64 " tasks=%u\n",
            g->driver, g->kernel, g->case_name, g->class_name, g->rep, g->reps, g->ranks,
            g->threads, g->schedule, g->items, g->count);
    fprintf(f, "# id kind rank thread start_s end_s bytes deps\n");
    for (uint32_t i = 0; i < g->count; i++) {
        const cs_task *t = &g->task[i];
        fprintf(f, "%u %s %d %d %.9f %.9f %" PRIu64 " ", i + 1, cs_task_kind_name(t->kind),
                t->rank, t->thread, t->start, t->end, t->bytes);
        if (!t->deps)
            fputc('-', f);
        for (uint32_t d = 0; d < t->deps; d++)
            fprintf(f, "%s%u", d ? "," : "", g->dep[t->dep_at + d] + 1);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- reading -------------------------------------------------------------------------- */

struct reader {
    cs_graph *blocks;
    unsigned count, cap;
    uint32_t task_cap, dep_cap; /* of the last block */
    uint32_t declared;          /* its tasks= */
    unsigned long line;
    char *why;
    size_t why_size;
};

static int refuse(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct reader *r, const char *fmt, ...)
{
    int at = snprintf(r->why, r->why_size, "line %lu: ", r->line);
    va_list ap;
    va_start(ap, fmt);
    if (at >= 0 && (size_t)at < r->why_size)
        vsnprintf(r->why + at, r->why_size - (size_t)at, fmt, ap);
    va_end(ap);
    return 1;
}

static int out_of_memory(struct reader *r)
{
    snprintf(r->why, r->why_size, "line %lu: out of memory", r->line);
    return -1;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s)
        return -1;
    for (const char *c = s; *c; c++)
        if (*c < '0' || *c > '9')
            return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return (end == s || *end || errno || !(*out >= 0) || *out > 1e9) ? -1 : 0;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* A block is done: does it hold what its header said? */
static int close_block(struct reader *r)
{
    if (!r->count)
        return 0;
    cs_graph *g = &r->blocks[r->count - 1];
    if (g->count != r->declared)
        return refuse(r, "the block before this line has %u tasks, its header says tasks=%u",
                      g->count, r->declared);
    if (g->items > g->count)
        return refuse(r, "the block before this line says items=%" PRIu64 " but has %u tasks",
                      g->items, g->count);
    return 0;
}

/* "# block key=value ...": a new graph. */
static int open_block(struct reader *r, char *text)
{
    int rc = close_block(r);
    if (rc)
        return rc;
    if (r->count == r->cap) {
        unsigned cap = r->cap ? 2 * r->cap : 4;
        cs_graph *b = realloc(r->blocks, cap * sizeof *b);
        if (!b)
            return out_of_memory(r);
        r->blocks = b;
        r->cap = cap;
    }
    cs_graph *g = &r->blocks[r->count++];
    memset(g, 0, sizeof *g);
    r->task_cap = r->dep_cap = 0;
    int seen = 0;
    for (char *save = NULL, *kv = strtok_r(text, " \t", &save); kv;
         kv = strtok_r(NULL, " \t", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return refuse(r, "'%s' in the block header is not key=value", kv);
        *eq = '\0';
        const char *key = kv, *val = eq + 1;
        uint64_t v = 0;
        if (!strcmp(key, "driver"))
            copy_text(g->driver, sizeof g->driver, val), seen |= 1;
        else if (!strcmp(key, "kernel"))
            copy_text(g->kernel, sizeof g->kernel, val);
        else if (!strcmp(key, "case"))
            copy_text(g->case_name, sizeof g->case_name, val);
        else if (!strcmp(key, "class"))
            copy_text(g->class_name, sizeof g->class_name, val);
        else if (!strcmp(key, "schedule"))
            copy_text(g->schedule, sizeof g->schedule, val);
        else if (!strcmp(key, "rep") || !strcmp(key, "reps") || !strcmp(key, "ranks") ||
                 !strcmp(key, "threads") || !strcmp(key, "items") || !strcmp(key, "tasks")) {
            if (parse_uint(val, UINT32_MAX, &v) != 0)
                return refuse(r, "%s='%s' in the block header is not a whole number", key, val);
            if (!strcmp(key, "rep"))
                g->rep = (unsigned)v;
            else if (!strcmp(key, "reps"))
                g->reps = (unsigned)v;
            else if (!strcmp(key, "ranks"))
                g->ranks = (unsigned)v, seen |= 2;
            else if (!strcmp(key, "threads"))
                g->threads = (unsigned)v, seen |= 4;
            else if (!strcmp(key, "items"))
                g->items = v, seen |= 8;
            else
                r->declared = (uint32_t)v, seen |= 16;
        }
        /* other keys: later versions may add them */
    }
    if (seen != 31)
        return refuse(r, "the block header lacks one of driver=, ranks=, threads=, items=, "
                         "tasks=");
    if (!g->ranks || !g->threads)
        return refuse(r, "ranks= and threads= must be at least 1");
    if (!g->schedule[0])
        copy_text(g->schedule, sizeof g->schedule, "dynamic");
    return 0;
}

static int add_dep(struct reader *r, cs_graph *g, uint32_t dep)
{
    if (g->dep_count == r->dep_cap) {
        uint32_t cap = r->dep_cap ? 2 * r->dep_cap : 256;
        uint32_t *d = realloc(g->dep, cap * sizeof *d);
        if (!d)
            return out_of_memory(r);
        g->dep = d;
        r->dep_cap = cap;
    }
    g->dep[g->dep_count++] = dep;
    return 0;
}

/* "id kind rank thread start_s end_s bytes deps" */
static int task_line(struct reader *r, char *text)
{
    if (!r->count)
        return refuse(r, "a task before any '# block' header");
    cs_graph *g = &r->blocks[r->count - 1];
    char *field[9];
    int n = 0;
    for (char *save = NULL, *w = strtok_r(text, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        if (n < 9)
            field[n++] = w;
        else
            n++;
    if (n != 8)
        return refuse(r, "%d fields, expected 8 (id kind rank thread start_s end_s bytes deps)", n);
    uint64_t id, rank, thread, bytes;
    if (parse_uint(field[0], UINT32_MAX, &id) != 0 || id != (uint64_t)g->count + 1)
        return refuse(r, "id '%s': expected %u (ids count up from 1 in each block)", field[0],
                      g->count + 1);
    int kind = cs_task_kind_parse(field[1]);
    if (kind < 0)
        return refuse(r, "kind '%s': not item, combine, part, segment, split, join, send or recv",
                      field[1]);
    if ((id <= g->items) != (kind == CS_TASK_ITEM))
        return refuse(r, "task %" PRIu64 " is a %s: the first items=%" PRIu64
                         " tasks are the items, and only they",
                      id, field[1], g->items);
    if (parse_uint(field[2], INT32_MAX, &rank) != 0)
        return refuse(r, "rank '%s': not a whole number", field[2]);
    /* The replay places tasks by rank and thread: one outside the header's
     * layout would run on a worker the recorded run never had. */
    if (rank >= g->ranks)
        return refuse(r, "rank %" PRIu64 ": the block's header says ranks=%u", rank, g->ranks);
    if (parse_uint(field[3], INT32_MAX, &thread) != 0)
        return refuse(r, "thread '%s': not a whole number", field[3]);
    if (thread >= g->threads)
        return refuse(r, "thread %" PRIu64 ": the block's header says threads=%u", thread,
                      g->threads);
    cs_task t = {.kind = (enum cs_task_kind)kind, .rank = (int)rank, .thread = (int)thread};
    if (parse_seconds(field[4], &t.start) != 0)
        return refuse(r, "start_s '%s': not a time in seconds", field[4]);
    if (parse_seconds(field[5], &t.end) != 0 || t.end < t.start)
        return refuse(r, "end_s '%s': not a time in seconds at or after start_s", field[5]);
    if (parse_uint(field[6], UINT64_MAX, &bytes) != 0)
        return refuse(r, "bytes '%s': not a whole number", field[6]);
    t.bytes = bytes;
    t.dep_at = g->dep_count;
    if (strcmp(field[7], "-") != 0) {
        for (char *save = NULL, *d = strtok_r(field[7], ",", &save); d;
             d = strtok_r(NULL, ",", &save)) {
            uint64_t dep;
            if (parse_uint(d, UINT32_MAX, &dep) != 0 || dep < 1 || dep >= id)
                return refuse(r, "dependency '%s': not the id of an earlier task", d);
            int rc = add_dep(r, g, (uint32_t)(dep - 1));
            if (rc)
                return rc;
            t.deps++;
        }
        if (field[7][strlen(field[7]) - 1] == ',' || !t.deps)
            return refuse(r, "deps '%s': a comma list of ids, or '-'", field[7]);
    }
    if (g->count == r->task_cap) {
        uint32_t cap = r->task_cap ? 2 * r->task_cap : 256;
        cs_task *tasks = realloc(g->task, cap * sizeof *tasks);
        if (!tasks)
            return out_of_memory(r);
        g->task = tasks;
        r->task_cap = cap;
    }
    g->task[g->count++] = t;
    return 0;
}

int cs_profile_read(FILE *f, cs_graph **blocks, unsigned *count, char *why, size_t why_size)
{
    struct reader r = {.why = why, .why_size = why_size};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        r.line++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (strlen(line) != (size_t)len)
            rc = refuse(&r, "a NUL byte: not a text file");
        else if (strncmp(line, "# block ", 8) == 0)
            rc = open_block(&r, line + 8);
        else if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
            continue;
        else
            rc = task_line(&r, line);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(why, why_size, "line %lu: cannot read: %s", r.line + 1, strerror(errno));
        rc = -1;
    }
    if (rc == 0) {
        r.line++;
        rc = close_block(&r);
    }
    if (rc == 0 && r.count == 0) {
        snprintf(why, why_size, "line %lu: no '# block' header: not a corescale profile",
                 r.line);
        rc = 1;
    }
    free(line);
    if (rc != 0) {
        for (unsigned i = 0; i < r.count; i++)
            cs_graph_free(&r.blocks[i]);
        free(r.blocks);
        return rc;
    }
    *blocks = r.blocks;
    *count = r.count;
    return 0;
}
