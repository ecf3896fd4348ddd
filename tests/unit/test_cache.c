/* STREAM's rule against the last-level cache, and --class auto's choice, for given caches. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"

static void test_triad_arrays_under_four_caches_are_too_small(void)
{
    const cs_kernel *triad = cs_kernel_find("triad");
    /* 8 bytes per element: n = 1e6 is 8 MB per array. */
    CU_ASSERT_TRUE(cs_cache_too_small(triad, 1000000, 4000000));  /* 8 MB < 16 MB */
    CU_ASSERT_FALSE(cs_cache_too_small(triad, 1000000, 2000000)); /* 8 MB = 4 x 2 MB */
    CU_ASSERT_FALSE(cs_cache_too_small(triad, 1000000, 0));       /* no cache known: no claim */
}

static void test_kernels_without_arrays_never_warn(void)
{
    CU_ASSERT_FALSE(cs_cache_too_small(cs_kernel_find("pi"), 1, 1ULL << 40));
    CU_ASSERT_FALSE(cs_cache_too_small(cs_kernel_find("product"), 2, 1ULL << 40));
}

static enum cs_class pick(const char *kernel, uint64_t llc, char *why, size_t size)
{
    return cs_class_auto_for(cs_kernel_find(kernel), llc, "given", why, size);
}

/* The machine: 300 MB of L3; class A's 400 MB arrays are under 1.2 GB, B's 1.6 GB not. */
static void test_auto_picks_the_smallest_class_that_meets_the_rule(void)
{
    char why[256];
    CU_ASSERT_EQUAL(pick("triad", 300000000, why, sizeof why), CS_CLASS_B);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "class B for triad, the smallest"));
    CU_ASSERT_EQUAL(pick("triad", 32u << 20, why, sizeof why), CS_CLASS_W); /* 160 MB >= 134 MB */
    CU_ASSERT_EQUAL(pick("triad", 1u << 20, why, sizeof why), CS_CLASS_S);  /* 8 MB >= 4 MiB */
}

static void test_auto_says_when_no_class_meets_the_rule(void)
{
    char why[256];
    CU_ASSERT_EQUAL(pick("triad", 4000000000ULL, why, sizeof why), CS_CLASS_C);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "though even its arrays are under 4x"));
}

static void test_auto_is_w_without_arrays_or_a_known_cache(void)
{
    char why[256];
    CU_ASSERT_EQUAL(pick("pi", 300000000, why, sizeof why), CS_CLASS_W);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "no arrays for the cache to hold"));
    CU_ASSERT_EQUAL(pick("triad", 0, why, sizeof why), CS_CLASS_W);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("cache", NULL, NULL);
    CU_add_test(s, "triad arrays under 4x the cache are too small", test_triad_arrays_under_four_caches_are_too_small);
    CU_add_test(s, "kernels without arrays never warn", test_kernels_without_arrays_never_warn);
    CU_add_test(s, "auto picks the smallest class that meets the rule", test_auto_picks_the_smallest_class_that_meets_the_rule);
    CU_add_test(s, "auto says when no class meets the rule", test_auto_says_when_no_class_meets_the_rule);
    CU_add_test(s, "auto is W without arrays or a known cache", test_auto_is_w_without_arrays_or_a_known_cache);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
