/* pi, primes and triad: each verification accepts the right answer and rejects wrong ones. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "tree.h"

/* The primes kernel's verifying sieve, exported for tests. */
uint64_t cs_primes_sieve_count(uint64_t n);

/* Runs every item of a case serially and combines them along the tree. */
static cs_partial *run_case(const cs_kernel *k, cs_problem *p)
{
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    cs_err err = {{0}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(leaves);
    for (uint64_t i = 0; i < items; i++) {
        if (k->item_prepare)
            CU_ASSERT_EQUAL_FATAL(k->item_prepare(p, i, &err), CS_OK);
        CU_ASSERT_EQUAL_FATAL(k->item_run(p, i, &leaves[i], &err), CS_OK);
    }
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(k, p, leaves, 0, items, &root, &err), CS_OK);
    free(leaves);
    return root;
}

static cs_problem *new_case(const cs_kernel *k, uint64_t n, uint64_t chunks)
{
    cs_problem *p = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(k->problem_new(n, chunks, &p, &err), CS_OK);
    return p;
}

/* The whole case's verdict when it is computed honestly. */
static int verify_honest_run(const char *name, uint64_t n, uint64_t chunks)
{
    const cs_kernel *k = cs_kernel_find(name);
    cs_problem *p = new_case(k, n, chunks);
    cs_partial *root = run_case(k, p);
    cs_err err = {{0}};
    int rc = k->verify(p, root, &err);
    if (rc != CS_OK)
        printf("\n  %s n=%llu chunks=%llu: %s", name, (unsigned long long)n,
               (unsigned long long)chunks, err.msg);
    k->partial_free(root);
    k->problem_free(p);
    return rc;
}

/* A partial of eight little-endian bytes: these kernels' packed form. */
static cs_partial *partial_of_word(const cs_kernel *k, cs_problem *p, uint64_t word, int *rc)
{
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(word >> (8 * i));
    cs_partial *x = NULL;
    cs_err err = {{0}};
    *rc = k->unpack(p, bytes, sizeof bytes, &x, &err);
    return x;
}

static cs_partial *partial_of_double(const cs_kernel *k, cs_problem *p, double v, int *rc)
{
    uint64_t word;
    memcpy(&word, &v, sizeof word);
    return partial_of_word(k, p, word, rc);
}

/* verify's verdict on a made-up result. */
static int verdict_on(const cs_kernel *k, cs_problem *p, cs_partial *x)
{
    cs_err err = {{0}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    int rc = k->verify(p, x, &err);
    if (rc == CS_EVERIFY)
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed"));
    k->partial_free(x);
    return rc;
}

/* ---- pi ------------------------------------------------------------------- */

static void test_pi_verifies_for_every_cut(void)
{
    static const uint64_t sizes[] = {1, 2, 3, 10, 97, 1000, 99991, 1000000};
    static const uint64_t chunk_counts[] = {1, 2, 7, 64, 1024};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t c = 0; c < sizeof chunk_counts / sizeof chunk_counts[0]; c++)
            if (chunk_counts[c] <= sizes[s])
                CU_ASSERT_EQUAL(verify_honest_run("pi", sizes[s], chunk_counts[c]), CS_OK);
}

/* Few intervals: the midpoint rule's own error (about h^2/12) dominates; the
 * bound h^2/3 must hold it at every n, not only where a tolerance was tried. */
static void test_pi_bound_holds_where_truncation_dominates(void)
{
    for (uint64_t n = 1; n <= 300; n++)
        CU_ASSERT_EQUAL(verify_honest_run("pi", n, 1), CS_OK);
}

static void test_pi_rejects_a_missing_item(void)
{
    const cs_kernel *k = cs_kernel_find("pi");
    cs_problem *p = new_case(k, 100000, 64);
    cs_partial *root = run_case(k, p);
    uint8_t *bytes = NULL;
    size_t len = 0;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(k->pack(p, root, &bytes, &len, &err), CS_OK);
    double sum;
    uint64_t word = 0;
    for (int i = 0; i < 8; i++)
        word |= (uint64_t)bytes[i] << (8 * i);
    memcpy(&sum, &word, sizeof sum);
    int rc;
    /* One item of 64 is about a sixty-fourth of the sum. */
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum * 63.0 / 64.0, &rc)),
                    CS_EVERIFY);
    /* Far smaller errors are still far beyond the bound (about 3e-11 here). */
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum * (1.0 + 1e-9), &rc)),
                    CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum, &rc)), CS_OK);
    free(bytes);
    k->partial_free(root);
    k->problem_free(p);
}

static void test_pi_unpack_rejects_what_no_sum_can_be(void)
{
    const cs_kernel *k = cs_kernel_find("pi");
    cs_problem *p = new_case(k, 1000, 0);
    cs_partial *x = NULL;
    cs_err err = {{0}};
    uint8_t seven[7] = {0};
    CU_ASSERT_EQUAL(k->unpack(p, seven, sizeof seven, &x, &err), CS_ECORRUPT);
    int rc;
    CU_ASSERT_PTR_NULL(partial_of_double(k, p, -1.0, &rc));
    CU_ASSERT_EQUAL(rc, CS_ECORRUPT);
    CU_ASSERT_PTR_NULL(partial_of_double(k, p, NAN, &rc));
    CU_ASSERT_EQUAL(rc, CS_ECORRUPT);
    k->problem_free(p);
}

/* ---- primes --------------------------------------------------------------- */

/* pi(N) from the published tables, written here independently of the kernel's. */
static const struct {
    uint64_t n, count;
} published[] = {
    {1, 0},           {2, 1},           {10, 4},             {100, 25},
    {1000, 168},      {10000, 1229},    {100000, 9592},      {1000000, 78498},
    {2000000, 148933}, {5000000, 348513}, {10000000, 664579}, {1ULL << 16, 6542},
    {1ULL << 20, 82025}, {1ULL << 24, 1077871},
};

static void test_sieve_matches_the_published_counts(void)
{
    for (size_t i = 0; i < sizeof published / sizeof published[0]; i++)
        CU_ASSERT_EQUAL(cs_primes_sieve_count(published[i].n), published[i].count);
}

/* The sieve's segments are 2^18 odd numbers: counts across their seams. */
static void test_sieve_counts_across_segment_seams(void)
{
    uint64_t seam = 2 * (1ULL << 18); /* odd numbers 1..2^19-1 fill one segment */
    uint64_t below = cs_primes_sieve_count(seam - 2), at = cs_primes_sieve_count(seam + 1);
    uint64_t by_hand = below;
    for (uint64_t v = seam - 1; v <= seam + 1; v++) {
        int prime = v > 1;
        for (uint64_t d = 2; d * d <= v && prime; d++)
            prime = v % d != 0;
        by_hand += (uint64_t)prime;
    }
    CU_ASSERT_EQUAL(at, by_hand);
}

/* Trial division by items and the sieve agree at every small N, for uneven cuts. */
static void test_primes_verifies_at_every_small_n(void)
{
    for (uint64_t n = 1; n <= 3000; n++)
        CU_ASSERT_EQUAL(verify_honest_run("primes", n, n < 7 ? n : 7), CS_OK);
}

static void test_primes_rejects_a_count_off_by_one(void)
{
    const cs_kernel *k = cs_kernel_find("primes");
    int rc;
    cs_problem *tabled = new_case(k, 100000, 0); /* in the kernel's table */
    CU_ASSERT_EQUAL(verdict_on(k, tabled, partial_of_word(k, tabled, 9593, &rc)), CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, tabled, partial_of_word(k, tabled, 9591, &rc)), CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, tabled, partial_of_word(k, tabled, 9592, &rc)), CS_OK);
    k->problem_free(tabled);
    cs_problem *untabled = new_case(k, 99999, 0); /* the sieve alone decides */
    CU_ASSERT_EQUAL(verdict_on(k, untabled, partial_of_word(k, untabled, 9593, &rc)), CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, untabled, partial_of_word(k, untabled, 9592, &rc)), CS_OK);
    CU_ASSERT_PTR_NULL(partial_of_word(k, untabled, 100000, &rc)); /* more primes than numbers */
    CU_ASSERT_EQUAL(rc, CS_ECORRUPT);
    k->problem_free(untabled);
}

/* ---- triad ---------------------------------------------------------------- */

static void test_triad_verifies_for_every_cut(void)
{
    static const uint64_t chunk_counts[] = {1, 2, 13, 1000, 10007};
    for (size_t c = 0; c < sizeof chunk_counts / sizeof chunk_counts[0]; c++)
        CU_ASSERT_EQUAL(verify_honest_run("triad", 10007, chunk_counts[c]), CS_OK);
}

static void test_triad_rejects_a_wrong_total(void)
{
    const cs_kernel *k = cs_kernel_find("triad");
    cs_problem *p = new_case(k, 10007, 13);
    cs_partial *root = run_case(k, p);
    cs_digest d;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(k->describe(p, root, &d, &err), CS_OK);
    double sum = strtod(strstr(d.digest, "sum_a=") + 6, NULL);
    int rc;
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum + 1.0, &rc)), CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum - 3327.0, &rc)), CS_EVERIFY);
    CU_ASSERT_EQUAL(verdict_on(k, p, partial_of_double(k, p, sum, &rc)), CS_OK);
    k->partial_free(root);
    k->problem_free(p);
}

/* Under MPI a process replays only the items it ran; the others' sums still count. */
static void test_triad_replays_the_items_this_process_ran(void)
{
    const cs_kernel *k = cs_kernel_find("triad");
    cs_problem *here = new_case(k, 5000, 10), *there = new_case(k, 5000, 10);
    cs_partial *leaves[10], *root = NULL;
    cs_err err = {{0}};
    for (uint64_t i = 0; i < 10; i++) {
        cs_problem *runner = i % 2 ? there : here;
        CU_ASSERT_EQUAL_FATAL(k->item_run(runner, i, &leaves[i], &err), CS_OK);
    }
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(k, here, leaves, 0, 10, &root, &err), CS_OK);
    CU_ASSERT_EQUAL(k->verify(here, root, &err), CS_OK);
    k->partial_free(root);
    k->problem_free(here);
    k->problem_free(there);
}

/* STREAM's count: per element, b and c are read and a is written. */
static void test_triad_counts_three_arrays_of_doubles(void)
{
    const cs_kernel *k = cs_kernel_find("triad");
    cs_problem *p = new_case(k, 12345, 0);
    CU_ASSERT_DOUBLE_EQUAL(k->bytes_moved(p), 3.0 * 8.0 * 12345.0, 0.0);
    k->problem_free(p);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("kernels", NULL, NULL);
    CU_add_test(s, "pi verifies for every cut", test_pi_verifies_for_every_cut);
    CU_add_test(s, "pi's bound holds where truncation dominates",
                test_pi_bound_holds_where_truncation_dominates);
    CU_add_test(s, "pi rejects a missing item", test_pi_rejects_a_missing_item);
    CU_add_test(s, "pi's unpack rejects what no sum can be",
                test_pi_unpack_rejects_what_no_sum_can_be);
    CU_add_test(s, "the sieve matches the published counts",
                test_sieve_matches_the_published_counts);
    CU_add_test(s, "the sieve counts across segment seams", test_sieve_counts_across_segment_seams);
    CU_add_test(s, "primes verifies at every small n", test_primes_verifies_at_every_small_n);
    CU_add_test(s, "primes rejects a count off by one", test_primes_rejects_a_count_off_by_one);
    CU_add_test(s, "triad verifies for every cut", test_triad_verifies_for_every_cut);
    CU_add_test(s, "triad rejects a wrong total", test_triad_rejects_a_wrong_total);
    CU_add_test(s, "triad replays the items this process ran",
                test_triad_replays_the_items_this_process_ran);
    CU_add_test(s, "triad counts three arrays of doubles", test_triad_counts_three_arrays_of_doubles);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
