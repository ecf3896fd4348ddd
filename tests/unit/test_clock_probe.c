/* The clock probe is what it claims: a chain of dependent multiplies whose time grows with its length. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "clock_probe.h"

#define M 0x9e3779b97f4a7c15ULL

/* The chain computes seed * m^n (seed made odd): every multiply is done, none folded away. */
static void test_chain_is_the_product_of_its_multiplies(void)
{
    CU_ASSERT_EQUAL(cs_probe_chain(0, 6), 7u);
    CU_ASSERT_EQUAL(cs_probe_chain(1, 7), 7u * M);
    uint64_t x = 5;
    for (int i = 0; i < 1000; i++)
        x *= M;
    CU_ASSERT_EQUAL(cs_probe_chain(1000, 5), x);
}

/* Seconds of one chain on this thread's CPU-time clock: time the thread was preempted (a shared
 * machine, ctest -j) does not count, so the ratio below is the chain's own. */
static double chain_cpu_seconds(uint64_t n)
{
    struct timespec a, b;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
    volatile uint64_t keep = cs_probe_chain(n, 3);
    (void)keep;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    return (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
}

/* A length that takes about 2 ms here: far above the clock's granularity. */
static uint64_t calibrated_length(void)
{
    uint64_t n = 1u << 12;
    while (chain_cpu_seconds(n) < 0.002 && n < (1ULL << 36))
        n *= 2;
    return n;
}

/* Latency-bound: twice the chain, about twice the time (a ratio, generous bounds, no threshold
 * on the time itself). A chain the compiler or the core shortened would not scale so. */
static void test_twice_the_chain_takes_about_twice_as_long(void)
{
    uint64_t n = calibrated_length();
    /* The least of many runs, the two lengths alternated so that a busy spell (a sibling
     * hyperthread, a cache flushed by a neighbour) touches both. */
    double one = INFINITY, two = INFINITY;
    for (int i = 0; i < 25; i++) {
        double a = chain_cpu_seconds(n), b = chain_cpu_seconds(2 * n);
        one = a < one ? a : one;
        two = b < two ? b : two;
    }
    double ratio = two / one;
    printf("\n    chain %llu: %.6f s, twice: %.6f s, ratio %.3f, clock %.3f GHz\n",
           (unsigned long long)n, one, two, ratio, cs_probe_chain_ghz(n, one));
    /* The probe's own wall-clock timing, once: a chain takes time, and reads a clock. */
    CU_ASSERT(cs_probe_chain_seconds(n) > 0);
    CU_ASSERT(ratio > 1.5 && ratio < 2.6);
}

static void test_ghz_is_cycles_over_seconds(void)
{
    /* 1e9 multiplies of 3 cycles in 1 s: 3 GHz. */
    CU_ASSERT_DOUBLE_EQUAL(cs_probe_chain_ghz(1000000000ULL, 1.0), 3.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(cs_probe_chain_ghz(1000000000ULL, 0.0), 0.0, 0);
    CU_ASSERT_DOUBLE_EQUAL(cs_probe_chain_ghz(1000000000ULL, -1.0), 0.0, 0);
}

/* Where the system counts cycles, the chain costs about CS_PROBE_CYCLES_PER_MULTIPLY each: the
 * probe's one assumption, checked by the better counter. Without a counter there is nothing to
 * check it against, and the test says so. */
static void test_chain_costs_its_cycles_where_counted(void)
{
    int fd = cs_probe_cycles_open();
    if (fd < 0) {
        printf("\n    no cycle counter here (perf's cycles event): not checked\n");
        return;
    }
    uint64_t n = 1u << 22;
    double best = INFINITY;
    for (int i = 0; i < 5; i++) {
        int64_t c0 = cs_probe_cycles_read(fd);
        cs_probe_chain_seconds(n);
        int64_t c1 = cs_probe_cycles_read(fd);
        double per = (double)(c1 - c0) / (double)n;
        best = per < best ? per : best;
    }
    cs_probe_cycles_close(fd);
    printf("\n    %.3f cycles per multiply\n", best);
    CU_ASSERT(best > CS_PROBE_CYCLES_PER_MULTIPLY * 0.8 && best < CS_PROBE_CYCLES_PER_MULTIPLY * 1.5);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("clock_probe", NULL, NULL);
    CU_add_test(s, "the chain is the product of its multiplies", test_chain_is_the_product_of_its_multiplies);
    CU_add_test(s, "twice the chain takes about twice as long", test_twice_the_chain_takes_about_twice_as_long);
    CU_add_test(s, "ghz is cycles over seconds", test_ghz_is_cycles_over_seconds);
    CU_add_test(s, "the chain costs its cycles where counted", test_chain_costs_its_cycles_where_counted);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
