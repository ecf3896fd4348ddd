/* cs_heap_keep: large blocks, from any thread, come from the heap and stay there. */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#define CS_HEAP_TESTABLE 1
#else
#define CS_HEAP_TESTABLE 0
#endif

/* Larger than a thread arena's 64 MiB heaps: the top combines' scratch at class A. */
#define BIG ((size_t)100 << 20)

#if CS_HEAP_TESTABLE
struct twice {
    size_t mapped_while_held; /* bytes glibc had mapped directly while the block was held */
    void *first, *second;
};

/* A big block, touched and freed, then one of the same size again. */
static void *alloc_twice(void *arg)
{
    struct twice *t = arg;
    char *p = malloc(BIG);
    if (!p)
        return NULL;
    memset(p, 1, BIG);
    t->mapped_while_held = mallinfo2().hblkhd;
    t->first = p;
    free(p);
    t->second = malloc(BIG);
    free(t->second);
    return NULL;
}

static void check_on(int own_thread)
{
    struct twice t = {0, NULL, NULL};
    if (own_thread) {
        pthread_t th;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, alloc_twice, &t), 0);
        pthread_join(th, NULL);
    } else {
        alloc_twice(&t);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(t.first);
    CU_ASSERT_EQUAL(t.mapped_while_held, 0); /* from the heap, not a mapping of its own */
    CU_ASSERT_PTR_EQUAL(t.second, t.first);  /* and the same block again */
}
#endif

static void test_big_blocks_come_from_the_heap_on_every_thread(void)
{
#if CS_HEAP_TESTABLE
    check_on(0);
    check_on(1);
#else
    printf("(skipped: not glibc's malloc here) ");
#endif
}

int main(void)
{
    cs_heap_keep();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("heap", NULL, NULL);
    CU_add_test(s, "big blocks come from the heap on every thread",
                test_big_blocks_come_from_the_heap_on_every_thread);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
