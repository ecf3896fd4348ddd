/* A leak-checking test allocator with red zones and failure injection, for the bignum hooks. */
#ifndef CS_TEST_ALLOC_H
#define CS_TEST_ALLOC_H

#include <stddef.h>

/*
 * Every block carries a header and red zones of a known pattern on both
 * sides; freeing checks the zones and that the size the caller passes is the
 * size it asked for, and poisons the memory. Live blocks are counted, so a
 * suite can require that everything it allocated was freed. Any call can be
 * made to fail, to test that allocation failure is reported and harmless.
 * Thread-safe (one mutex): kernels may allocate from several threads.
 */

/* Routes bignum's allocations here (bignum_set_allocator); uninstall restores malloc. */
void test_alloc_install(void);
void test_alloc_uninstall(void);

/* The hooks themselves, for other modules' own hook points. */
void *test_alloc(size_t bytes);
void *test_realloc(void *p, size_t old_bytes, size_t new_bytes);
void test_free(void *p, size_t bytes);

/* Blocks and bytes currently allocated. */
size_t test_alloc_live_blocks(void);
size_t test_alloc_live_bytes(void);
/* Allocation and reallocation calls so far (failed ones included). */
unsigned long test_alloc_calls(void);

/* Make the n-th allocation or reallocation call from now fail (n >= 1), and
 * every one after it when `sticky`; n = 0 turns failure injection off. */
void test_alloc_fail_at(unsigned long n, int sticky);
/* Calls refused by injection so far. */
unsigned long test_alloc_failures(void);

/* Problems seen so far (red zone damage, wrong sizes or pointers passed to
 * free or realloc): their count, and the first one described. */
unsigned long test_alloc_problems(void);
const char *test_alloc_first_problem(void);

/* Forgets the problems seen so far (for tests of this allocator itself). */
void test_alloc_clear_problems(void);

/* 0 when no block is live and no problem was seen; otherwise prints what is
 * wrong (live blocks with their sizes, the first problem) to stderr and
 * returns 1. For a suite's end. */
int test_alloc_report(const char *suite);

#endif
