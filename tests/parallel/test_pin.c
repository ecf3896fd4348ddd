/* Pinning: plans on known topologies, and real binding checked where it can be. */
#include <CUnit/Basic.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omp_team.h"
#include "pin.h"

static cs_pin *open_synthetic(const char *description)
{
    cs_pin *pin = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_pin_open(&pin, description, &err), CS_OK);
    return pin;
}

/* Plans `total` workers (all kept here) and returns the warning bits. */
static unsigned plan(cs_pin *pin, enum cs_bind bind, const char *set, unsigned total)
{
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_pin_plan(pin, bind, set, total, 0, total, &err), CS_OK);
    return cs_pin_warnings(pin) & ~CS_PIN_WARN_UNSUPPORTED; /* synthetic: never bindable */
}

static int distinct_pus(const cs_pin *pin, unsigned total)
{
    for (unsigned i = 0; i < total; i++)
        for (unsigned j = i + 1; j < total; j++)
            if (cs_pin_worker_pu(pin, i) == cs_pin_worker_pu(pin, j))
                return 0;
    return 1;
}

/* Two packages of four cores of two PUs: PUs 2c and 2c+1 share core c. */
#define TWO_BY_FOUR_SMT "pack:2 core:4 pu:2"

static void test_counts_cores_and_pus(void)
{
    cs_pin *pin = open_synthetic(TWO_BY_FOUR_SMT);
    CU_ASSERT_EQUAL(cs_pin_cores_in(pin, NULL), 8);
    CU_ASSERT_EQUAL(cs_pin_pus_in(pin, NULL), 16);
    CU_ASSERT_EQUAL(cs_pin_cores_in(pin, "0-3"), 2);
    CU_ASSERT_EQUAL(cs_pin_cores_in(pin, "1,2"), 2); /* one PU each of two cores */
    CU_ASSERT_EQUAL(cs_pin_cores_in(pin, "not a list"), 0);
    CU_ASSERT_STRING_EQUAL(cs_pin_process_set(pin), "0-15");
    cs_pin_close(pin);
}

static void test_core_binding_gives_each_worker_its_own_core(void)
{
    cs_pin *pin = open_synthetic(TWO_BY_FOUR_SMT);
    for (unsigned total = 1; total <= 8; total++) {
        CU_ASSERT_EQUAL(plan(pin, CS_BIND_CORE, NULL, total), 0);
        CU_ASSERT(distinct_pus(pin, total));
        /* one PU per core: no two workers on SMT siblings */
        for (unsigned i = 0; i < total; i++)
            for (unsigned j = i + 1; j < total; j++)
                CU_ASSERT_NOT_EQUAL(cs_pin_worker_pu(pin, i) / 2, cs_pin_worker_pu(pin, j) / 2);
    }
    /* two workers spread over both packages, not packed on the first */
    plan(pin, CS_BIND_CORE, NULL, 2);
    CU_ASSERT(cs_pin_worker_pu(pin, 0) < 8 && cs_pin_worker_pu(pin, 1) >= 8);
    cs_pin_close(pin);
}

static void test_more_workers_than_cores_is_oversubscribed(void)
{
    cs_pin *pin = open_synthetic(TWO_BY_FOUR_SMT);
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_CORE, NULL, 9), CS_PIN_WARN_OVERSUBSCRIBED);
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_PU, NULL, 17), CS_PIN_WARN_OVERSUBSCRIBED | CS_PIN_WARN_SMT);
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_NONE, NULL, 17), CS_PIN_WARN_OVERSUBSCRIBED);
    cs_pin_close(pin);
}

static void test_pu_binding_uses_siblings_only_beyond_the_cores(void)
{
    cs_pin *pin = open_synthetic(TWO_BY_FOUR_SMT);
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_PU, NULL, 8), 0);
    CU_ASSERT(distinct_pus(pin, 8));
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_PU, NULL, 16), CS_PIN_WARN_SMT);
    CU_ASSERT(distinct_pus(pin, 16));
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_NONE, NULL, 8), 0);
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_NONE, NULL, 9), CS_PIN_WARN_SMT);
    cs_pin_close(pin);
}

static void test_plan_stays_inside_the_given_set(void)
{
    cs_pin *pin = open_synthetic("core:8 pu:1");
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_CORE, "2-5", 4), 0);
    for (unsigned w = 0; w < 4; w++) {
        int pu = cs_pin_worker_pu(pin, w);
        CU_ASSERT(pu >= 2 && pu <= 5);
    }
    CU_ASSERT(distinct_pus(pin, 4));
    CU_ASSERT_EQUAL(plan(pin, CS_BIND_CORE, "2-5", 5), CS_PIN_WARN_OVERSUBSCRIBED);
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(cs_pin_plan(pin, CS_BIND_CORE, "40-41", 1, 0, 1, &err), CS_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "40-41"));
    cs_pin_close(pin);
}

static void test_a_slice_of_the_plan_keeps_its_numbering(void)
{
    /* Rank 1 of two sharing eight cores, two threads each: workers 2 and 3. */
    cs_pin *whole = open_synthetic("core:8 pu:1"), *slice = open_synthetic("core:8 pu:1");
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(cs_pin_plan(whole, CS_BIND_CORE, NULL, 4, 0, 4, &err), CS_OK);
    CU_ASSERT_EQUAL(cs_pin_plan(slice, CS_BIND_CORE, NULL, 4, 2, 2, &err), CS_OK);
    CU_ASSERT_EQUAL(cs_pin_worker_pu(slice, 0), cs_pin_worker_pu(whole, 2));
    CU_ASSERT_EQUAL(cs_pin_worker_pu(slice, 1), cs_pin_worker_pu(whole, 3));
    char text[128];
    cs_pin_describe(slice, text, sizeof text);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "2->P#"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "not supported here"));
    cs_pin_close(whole);
    cs_pin_close(slice);
}

static void test_ranks_with_their_own_cores_keep_them(void)
{
    const char *sets[] = {"0-1", "2-3", "4-5"};
    char *share = NULL, *node = NULL;
    unsigned before = 9, sharing = 9;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(cs_pin_node_share(sets, 3, 1, &share, &node, &before, &sharing, &err), CS_OK);
    CU_ASSERT_STRING_EQUAL(share, "2-3");
    CU_ASSERT_STRING_EQUAL(node, "0-5");
    CU_ASSERT_EQUAL(before, 0);
    CU_ASSERT_EQUAL(sharing, 1);
    free(share);
    free(node);
}

static void test_ranks_given_the_same_cores_split_them(void)
{
    const char *sets[] = {"0-7", "0-7", "0-7", "0-7"};
    char *share = NULL;
    unsigned before = 9, sharing = 9;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(cs_pin_node_share(sets, 4, 2, &share, NULL, &before, &sharing, &err), CS_OK);
    CU_ASSERT_STRING_EQUAL(share, "0-7");
    CU_ASSERT_EQUAL(before, 2);
    CU_ASSERT_EQUAL(sharing, 4);
    free(share);
    const char *bad[] = {"0-1", "x"};
    CU_ASSERT_EQUAL(cs_pin_node_share(bad, 2, 0, &share, NULL, &before, &sharing, &err),
                    CS_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'x'"));
}

static void test_warning_words(void)
{
    char words[96];
    cs_pin_warning_words(0, words, sizeof words);
    CU_ASSERT_STRING_EQUAL(words, "");
    cs_pin_warning_words(CS_PIN_WARN_OVERSUBSCRIBED | CS_PIN_WARN_UNSUPPORTED, words, sizeof words);
    CU_ASSERT_STRING_EQUAL(words, "oversubscribed;bind-unsupported");
    cs_pin_warning_words(CS_PIN_WARN_SMT | CS_PIN_WARN_BROKEN, words, sizeof words);
    CU_ASSERT_STRING_EQUAL(words, "smt;bind-broken");
}

/* On this machine: as many threads as cores, each bound, each found on its own core. */
static void test_threads_run_on_their_own_cores_here(void)
{
    cs_pin *pin = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_pin_open(&pin, NULL, &err), CS_OK);
    unsigned cores = cs_pin_cores_in(pin, NULL);
    CU_ASSERT_FATAL(cores >= 1);
    CU_ASSERT_EQUAL_FATAL(cs_pin_plan(pin, CS_BIND_CORE, NULL, cores, 0, cores, &err), CS_OK);
    if (cs_pin_warnings(pin) & CS_PIN_WARN_UNSUPPORTED) {
        printf("\n  skipped: binding threads is not supported here\n");
        cs_pin_close(pin);
        return;
    }
    CU_ASSERT(distinct_pus(pin, cores));
    cs_team team = {cores, pin};
#pragma omp parallel num_threads(cores)
    {
        unsigned tid = (unsigned)omp_get_thread_num();
        cs_pin_bind_self(pin, tid);
        /* some work, so the scheduler has moved the thread where it belongs */
        volatile double x = 0;
        for (int i = 0; i < 2000000; i++)
            x += i * 0.5;
        cs_pin_check_self(pin, tid);
    }
    (void)team;
    CU_ASSERT_EQUAL(cs_pin_warnings(pin) & CS_PIN_WARN_BROKEN, 0);
    for (unsigned w = 0; w < cores; w++) {
        CU_ASSERT_EQUAL(cs_pin_worker_ran_on(pin, w), cs_pin_worker_pu(pin, w));
        char report[160];
        cs_pin_worker_report(pin, w, report, sizeof report);
        printf("\n  thread %u -> %s", w, report);
    }
    printf("\n");
    cs_pin_close(pin);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("pin", NULL, NULL);
    CU_add_test(s, "counts cores and PUs", test_counts_cores_and_pus);
    CU_add_test(s, "core binding gives each worker its own core",
                test_core_binding_gives_each_worker_its_own_core);
    CU_add_test(s, "more workers than cores is oversubscribed",
                test_more_workers_than_cores_is_oversubscribed);
    CU_add_test(s, "pu binding uses siblings only beyond the cores",
                test_pu_binding_uses_siblings_only_beyond_the_cores);
    CU_add_test(s, "the plan stays inside the given set", test_plan_stays_inside_the_given_set);
    CU_add_test(s, "a slice of the plan keeps its numbering",
                test_a_slice_of_the_plan_keeps_its_numbering);
    CU_add_test(s, "ranks with their own cores keep them", test_ranks_with_their_own_cores_keep_them);
    CU_add_test(s, "ranks given the same cores split them",
                test_ranks_given_the_same_cores_split_them);
    CU_add_test(s, "warning words", test_warning_words);
    CU_add_test(s, "threads run on their own cores here", test_threads_run_on_their_own_cores_here);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
