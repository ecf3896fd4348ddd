/* A leak-checking test allocator with red zones and failure injection, for the bignum hooks. */
#include "test_alloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum.h"

#define ZONE 32               /* red-zone bytes on each side */
#define ZONE_BYTE 0xa5
#define FRESH_BYTE 0xcd       /* new memory: never zero, so nothing relies on it */
#define FREED_BYTE 0xdd
#define HEADER_MAGIC 0x62696e756d616c63ULL
#define FREED_MAGIC 0x66726565646d656dULL

/* Laid out as: header, front zone, the caller's bytes, back zone. */
typedef struct block {
    uint64_t magic;
    size_t bytes;
    struct block *prev, *next;
} block;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static block *live;
static size_t live_blocks, live_bytes;
static unsigned long calls, fail_at, failures, problems;
static int fail_sticky;
static char first_problem[256];

static unsigned char *user_of(block *b) { return (unsigned char *)(b + 1) + ZONE; }
static block *block_of(void *p) { return (block *)((unsigned char *)p - ZONE) - 1; }

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
    if (problems++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(first_problem, sizeof first_problem, fmt, ap);
        va_end(ap);
    }
}

static int zones_intact(block *b)
{
    const unsigned char *front = (unsigned char *)(b + 1), *back = user_of(b) + b->bytes;
    for (size_t i = 0; i < ZONE; i++)
        if (front[i] != ZONE_BYTE || back[i] != ZONE_BYTE)
            return 0;
    return 1;
}

/* Called with the lock held: counts the call and says whether it must fail. */
static int injected_failure(void)
{
    calls++;
    if (fail_at == 0)
        return 0;
    if (fail_at > 1) {
        fail_at--;
        return 0;
    }
    if (!fail_sticky)
        fail_at = 0;
    failures++;
    return 1;
}

static void *new_block(size_t bytes)
{
    if (bytes > SIZE_MAX - sizeof(block) - 2 * ZONE)
        return NULL;
    block *b = malloc(sizeof(block) + 2 * ZONE + bytes);
    if (!b)
        return NULL;
    b->magic = HEADER_MAGIC;
    b->bytes = bytes;
    memset(b + 1, ZONE_BYTE, ZONE);
    memset(user_of(b), FRESH_BYTE, bytes);
    memset(user_of(b) + bytes, ZONE_BYTE, ZONE);
    b->prev = NULL;
    b->next = live;
    if (live)
        live->prev = b;
    live = b;
    live_blocks++;
    live_bytes += bytes;
    return user_of(b);
}

/* Checks p against the size the caller believes it has; 0 if it is not ours. */
static block *checked_block(void *p, size_t bytes)
{
    block *b = block_of(p);
    if (b->magic != HEADER_MAGIC) {
        problem("%p: %s", p,
                b->magic == FREED_MAGIC ? "freed twice" : "not a block from this allocator");
        return NULL;
    }
    if (b->bytes != bytes)
        problem("%p: freed or resized as %zu bytes but allocated as %zu", p, bytes, b->bytes);
    if (!zones_intact(b))
        problem("%p: red zone damaged around a block of %zu bytes", p, b->bytes);
    return b;
}

static void drop_block(block *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        live = b->next;
    if (b->next)
        b->next->prev = b->prev;
    live_blocks--;
    live_bytes -= b->bytes;
    b->magic = FREED_MAGIC;
    memset(user_of(b), FREED_BYTE, b->bytes);
    free(b);
}

void *test_alloc(size_t bytes)
{
    pthread_mutex_lock(&lock);
    void *p = injected_failure() ? NULL : new_block(bytes);
    pthread_mutex_unlock(&lock);
    return p;
}

void *test_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
    pthread_mutex_lock(&lock);
    void *q = NULL;
    if (!injected_failure()) {
        block *b = p ? checked_block(p, old_bytes) : NULL;
        if (!p || b) {
            /* Always move, so that a caller holding the old pointer is caught. */
            q = new_block(new_bytes);
            if (q && b) {
                memcpy(q, p, old_bytes < new_bytes ? old_bytes : new_bytes);
                drop_block(b);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return q;
}

void test_free(void *p, size_t bytes)
{
    if (!p)
        return;
    pthread_mutex_lock(&lock);
    block *b = checked_block(p, bytes);
    if (b)
        drop_block(b);
    pthread_mutex_unlock(&lock);
}

void test_alloc_install(void) { bignum_set_allocator(test_alloc, test_realloc, test_free); }
void test_alloc_uninstall(void) { bignum_set_allocator(NULL, NULL, NULL); }

#define LOCKED(type, expr)                                                                         \
    do {                                                                                           \
        pthread_mutex_lock(&lock);                                                                 \
        type v_ = (expr);                                                                          \
        pthread_mutex_unlock(&lock);                                                               \
        return v_;                                                                                 \
    } while (0)

size_t test_alloc_live_blocks(void) { LOCKED(size_t, live_blocks); }
size_t test_alloc_live_bytes(void) { LOCKED(size_t, live_bytes); }
unsigned long test_alloc_calls(void) { LOCKED(unsigned long, calls); }
unsigned long test_alloc_failures(void) { LOCKED(unsigned long, failures); }
unsigned long test_alloc_problems(void) { LOCKED(unsigned long, problems); }

void test_alloc_fail_at(unsigned long n, int sticky)
{
    pthread_mutex_lock(&lock);
    fail_at = n;
    fail_sticky = sticky;
    pthread_mutex_unlock(&lock);
}

void test_alloc_clear_problems(void)
{
    pthread_mutex_lock(&lock);
    problems = 0;
    first_problem[0] = '\0';
    pthread_mutex_unlock(&lock);
}

const char *test_alloc_first_problem(void)
{
    /* first_problem is written once, under the lock, when problems leaves 0 */
    LOCKED(const char *, problems ? first_problem : "none");
}

int test_alloc_report(const char *suite)
{
    pthread_mutex_lock(&lock);
    int bad = 0;
    /* A live block's zones may have been damaged after its last check. */
    for (block *b = live; b; b = b->next)
        if (!zones_intact(b))
            problem("%p: red zone damaged around a live block of %zu bytes", (void *)user_of(b),
                    b->bytes);
    if (live_blocks) {
        fprintf(stderr, "%s: memory leaked: %zu blocks, %zu bytes still allocated\n", suite,
                live_blocks, live_bytes);
        int shown = 0;
        for (block *b = live; b && shown < 10; b = b->next, shown++)
            fprintf(stderr, "  %p: %zu bytes\n", (void *)user_of(b), b->bytes);
        bad = 1;
    }
    if (problems) {
        fprintf(stderr, "%s: %lu allocator problem(s); the first: %s\n", suite, problems,
                first_problem);
        bad = 1;
    }
    pthread_mutex_unlock(&lock);
    return bad;
}
