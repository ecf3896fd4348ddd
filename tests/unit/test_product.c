/* The product kernel against GMP: closed form, chunk independence, digests, bad cases. */
#include <CUnit/Basic.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "tree.h"

static const cs_kernel *K;

/* Runs a case serially: every item, then the fixed tree. */
static cs_partial *run_case(uint64_t n, uint64_t chunks, cs_problem **problem)
{
    cs_err err = {{0}};
    cs_problem *p = NULL;
    CU_ASSERT_EQUAL_FATAL(K->problem_new(n, chunks, &p, &err), CS_OK);
    uint64_t items = K->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    for (uint64_t i = 0; i < items; i++)
        CU_ASSERT_EQUAL_FATAL(K->item_run(p, i, &leaves[i], &err), CS_OK);
    cs_partial *result = NULL;
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(K, p, leaves, 0, items, &result, &err), CS_OK);
    free(leaves);
    *problem = p;
    return result;
}

/* The value as GMP sees it, through the packed form (count, then limbs). */
static void to_mpz(cs_problem *p, const cs_partial *x, mpz_t out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_err err;
    CU_ASSERT_EQUAL_FATAL(K->pack(p, x, &buf, &len, &err), CS_OK);
    mpz_import(out, (len - 8) / 8, -1, 8, -1, 0, buf + 8);
    free(buf);
}

/* GMP's own closed form: ((n-1)!)^(3(n-1)^2). */
static void closed_form(uint64_t n, mpz_t out)
{
    mpz_fac_ui(out, n - 1);
    mpz_pow_ui(out, out, 3 * (n - 1) * (n - 1));
}

static void test_small_n_equal_gmp_closed_form(void)
{
    for (uint64_t n = 2; n <= 24; n++) {
        cs_problem *p;
        cs_partial *x = run_case(n, 0, &p);
        mpz_t got, want;
        mpz_inits(got, want, NULL);
        to_mpz(p, x, got);
        closed_form(n, want);
        CU_ASSERT_EQUAL(mpz_cmp(got, want), 0);
        cs_err err = {{0}};
        CU_ASSERT_EQUAL(K->verify(p, x, &err), CS_OK);
        mpz_clears(got, want, NULL);
        K->partial_free(x);
        K->problem_free(p);
    }
}

static void test_class_w_bit_counts(void)
{
    /* The figures: 1,502,289, 3,275,295 and 324,809 bits. */
    const uint64_t n[] = {50, 63, 32};
    const size_t bits[] = {1502289, 3275295, 324809};
    for (int i = 0; i < 3; i++) {
        mpz_t v;
        mpz_init(v);
        closed_form(n[i], v);
        CU_ASSERT_EQUAL(mpz_sizeinbase(v, 2), bits[i]);
        mpz_clear(v);
    }
    cs_problem *p;
    cs_partial *x = run_case(32, 0, &p);
    cs_digest d;
    cs_err err;
    CU_ASSERT_EQUAL(K->describe(p, x, &d, &err), CS_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.digest, "bits=324809;"));
    K->partial_free(x);
    K->problem_free(p);
}

static void test_every_chunk_count_gives_the_same_value(void)
{
    const uint64_t n = 13, space = 12 * 12 * 12;
    const uint64_t chunks[] = {1, 2, 3, 5, 7, 64, 100, 1000, space};
    uint8_t *first = NULL;
    size_t first_len = 0;
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        cs_problem *p;
        cs_partial *x = run_case(n, chunks[c], &p);
        CU_ASSERT_EQUAL(K->item_count(p), chunks[c]);
        uint8_t *buf = NULL;
        size_t len = 0;
        cs_err err;
        CU_ASSERT_EQUAL_FATAL(K->pack(p, x, &buf, &len, &err), CS_OK);
        if (!first) {
            first = buf;
            first_len = len;
        } else {
            CU_ASSERT_EQUAL(len, first_len);
            CU_ASSERT(len == first_len && memcmp(buf, first, len) == 0);
            free(buf);
        }
        K->partial_free(x);
        K->problem_free(p);
    }
    free(first);
}

/* GMP's product of i*j*k over the triples [t0, t1) in loop order (i slowest). */
static void triples_product(uint64_t m, uint64_t t0, uint64_t t1, mpz_t out)
{
    mpz_set_ui(out, 1);
    for (uint64_t t = t0; t < t1; t++)
        mpz_mul_ui(out, out, (t / (m * m) + 1) * (t / m % m + 1) * (t % m + 1));
}

/* Items are cut by the bits of their factors, not by their count of triples: item c starts
 * at the first triple whose factors before it hold c/C of the loop's bits, counting 256 log2
 * of each of i, j and k rounded down. The starts below came from floating log2 (an independent
 * path); each item's partial must be GMP's product over its range. The Python peer cuts alike
 * (tests/py/digests_match.sh checks the same starts). */
static void test_items_are_cut_by_bits(void)
{
    static const struct {
        uint64_t n, chunks, start[9];
    } cut[] = {{9, 5, {0, 138, 243, 340, 429, 512}},
               {12, 7, {0, 261, 464, 657, 832, 1008, 1173, 1331}},
               {3, 8, {0, 3, 4, 5, 6, 7, 7, 8, 8}}, /* two items empty: (1,1,1) weighs 0 */
               {2, 1, {0, 1}}};
    for (size_t c = 0; c < sizeof cut / sizeof cut[0]; c++) {
        cs_problem *p = NULL;
        cs_err err = {{0}};
        CU_ASSERT_EQUAL_FATAL(K->problem_new(cut[c].n, cut[c].chunks, &p, &err), CS_OK);
        mpz_t got, want;
        mpz_inits(got, want, NULL);
        for (uint64_t i = 0; i < cut[c].chunks; i++) {
            cs_partial *x = NULL;
            CU_ASSERT_EQUAL_FATAL(K->item_run(p, i, &x, &err), CS_OK);
            to_mpz(p, x, got);
            triples_product(cut[c].n - 1, cut[c].start[i], cut[c].start[i + 1], want);
            CU_ASSERT_EQUAL(mpz_cmp(got, want), 0);
            K->partial_free(x);
        }
        mpz_clears(got, want, NULL);
        K->problem_free(p);
    }
}

/* So the items are alike in size, and so in cost: at n = 100 cut in 128, each item's partial
 * is within 64 bits of the mean (about 119,000 bits; a triple's factor is at most 20). Cut by
 * equal counts of triples, the first held 42,000 bits fewer than the mean. */
static void test_items_share_the_bits_evenly(void)
{
    cs_problem *p = NULL;
    cs_err err = {{0}};
    const uint64_t items = 128;
    CU_ASSERT_EQUAL_FATAL(K->problem_new(100, items, &p, &err), CS_OK);
    mpz_t all, x_mpz;
    mpz_inits(all, x_mpz, NULL);
    closed_form(100, all);
    double mean = (double)mpz_sizeinbase(all, 2) / (double)items;
    for (uint64_t i = 0; i < items; i++) {
        cs_partial *x = NULL;
        CU_ASSERT_EQUAL_FATAL(K->item_run(p, i, &x, &err), CS_OK);
        to_mpz(p, x, x_mpz);
        double bits = (double)mpz_sizeinbase(x_mpz, 2);
        CU_ASSERT(bits > mean - 64 && bits < mean + 64);
        K->partial_free(x);
    }
    mpz_clears(all, x_mpz, NULL);
    K->problem_free(p);
}

static void test_default_chunks_capped_by_the_problem(void)
{
    cs_problem *p = NULL;
    cs_err err;
    CU_ASSERT_EQUAL_FATAL(K->problem_new(5, 0, &p, &err), CS_OK);
    CU_ASSERT_EQUAL(K->item_count(p), 64); /* 4^3 iterations < the default */
    K->problem_free(p);
    CU_ASSERT_EQUAL_FATAL(K->problem_new(63, 0, &p, &err), CS_OK);
    CU_ASSERT_EQUAL(K->item_count(p), K->default_chunks);
    K->problem_free(p);
}

static void test_bad_cases_are_refused_with_reasons(void)
{
    cs_problem *p = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(K->problem_new(3, 9, &p, &err), CS_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.msg, "--chunks 9: n=3 has only 8 iterations to cut into items");
    CU_ASSERT_EQUAL(K->problem_new(1, 0, &p, &err), CS_EINVAL);
    CU_ASSERT_EQUAL(K->problem_new(200000, 0, &p, &err), CS_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more than this machine's"));
}

static void test_wrong_results_fail_verification(void)
{
    cs_problem *p;
    cs_partial *x = run_case(9, 0, &p);
    cs_partial *two = NULL;
    cs_err err = {{0}};
    /* x * 2, built through the packed form: one limb of value 2. */
    uint8_t packed[16] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    CU_ASSERT_EQUAL_FATAL(K->unpack(p, packed, sizeof packed, &two, &err), CS_OK);
    cs_partial *wrong = NULL;
    CU_ASSERT_EQUAL_FATAL(K->combine(p, x, two, &wrong, &err), CS_OK);
    CU_ASSERT_EQUAL(K->verify(p, wrong, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed: n=9"));
    K->partial_free(wrong);
    K->problem_free(p);
}

static void test_corrupt_packed_partials_are_rejected(void)
{
    cs_problem *p;
    cs_partial *x = run_case(7, 0, &p);
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_err err;
    CU_ASSERT_EQUAL_FATAL(K->pack(p, x, &buf, &len, &err), CS_OK);
    cs_partial *y = NULL;
    for (size_t cut = 0; cut < len; cut++) {
        CU_ASSERT_EQUAL(K->unpack(p, buf, cut, &y, &err), CS_ECORRUPT);
    }
    memset(buf + len - 8, 0, 8); /* a zero top limb */
    CU_ASSERT_EQUAL(K->unpack(p, buf, len, &y, &err), CS_ECORRUPT);
    free(buf);
    K->partial_free(x);
    K->problem_free(p);
}

/* A partial copied through its packed form, as MPI moves it. */
static cs_partial *copy_of(cs_problem *p, const cs_partial *x)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cs_err err;
    cs_partial *y = NULL;
    CU_ASSERT_EQUAL_FATAL(K->pack(p, x, &buf, &len, &err), CS_OK);
    CU_ASSERT_EQUAL_FATAL(K->unpack(p, buf, len, &y, &err), CS_OK);
    free(buf);
    return y;
}

/* Two ranks share the root: combine(l, x) == join(combine(l, lo), combine(l, hi))
 * for split(x) = lo, hi, with the high product joined as it is and after a
 * trip through the packed form (the way it travels); a piece packs as the
 * number it stands for. Sizes from one limb (an empty low piece) up. */
static void test_split_combines_join_to_the_whole_combine(void)
{
    static const uint64_t ns[][2] = {{3, 3}, {7, 5}, {9, 20}, {20, 9}, {33, 40}};
    for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++) {
        cs_problem *pl, *px;
        cs_partial *l = run_case(ns[c][0], 0, &pl), *x = run_case(ns[c][1], 0, &px);
        cs_err err = {{0}};
        mpz_t want, got, piece, xv;
        mpz_inits(want, got, piece, xv, NULL);
        to_mpz(px, x, xv);
        cs_partial *whole = NULL;
        CU_ASSERT_EQUAL_FATAL(K->combine(px, copy_of(px, l), copy_of(px, x), &whole, &err), CS_OK);
        to_mpz(px, whole, want);
        for (int travel = 0; travel < 2; travel++) {
            cs_partial *lo = NULL, *hi = NULL, *plo = NULL, *phi = NULL, *joined = NULL;
            CU_ASSERT_EQUAL_FATAL(K->split(px, copy_of(px, x), &lo, &hi, &err), CS_OK);
            /* the pieces stand for x: lo + hi */
            to_mpz(px, lo, got);
            to_mpz(px, hi, piece);
            mpz_add(got, got, piece);
            CU_ASSERT(mpz_cmp(got, xv) == 0);
            CU_ASSERT_EQUAL_FATAL(K->combine(px, copy_of(px, l), lo, &plo, &err), CS_OK);
            CU_ASSERT_EQUAL_FATAL(K->combine(px, copy_of(px, l), hi, &phi, &err), CS_OK);
            if (travel) {
                cs_partial *moved = copy_of(px, phi);
                K->partial_free(phi);
                phi = moved;
            }
            CU_ASSERT_EQUAL_FATAL(K->join(px, plo, phi, &joined, &err), CS_OK);
            to_mpz(px, joined, got);
            CU_ASSERT(mpz_cmp(got, want) == 0);
            K->partial_free(joined);
        }
        K->partial_free(whole);
        mpz_clears(want, got, piece, xv, NULL);
        K->partial_free(l), K->partial_free(x);
        K->problem_free(pl), K->problem_free(px);
    }
}

/* A whole result never carries a shift: a piece offered as one fails. */
static void test_a_split_piece_fails_verification(void)
{
    cs_problem *p;
    cs_partial *x = run_case(9, 0, &p), *lo = NULL, *hi = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(K->split(p, x, &lo, &hi, &err), CS_OK);
    CU_ASSERT_EQUAL(K->verify(p, hi, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is a piece shifted by"));
    K->partial_free(lo), K->partial_free(hi);
    K->problem_free(p);
}

/* describe()'s digits and leading digits come from logarithms; check them
 * against GMP's decimal string, including values at digit boundaries where
 * the exact fallback must decide. */
static void check_digest_against_gmp(cs_problem *p, const mpz_t v)
{
    size_t limbs = mpz_size(v);
    size_t len = 8 + 8 * limbs;
    uint8_t *buf = calloc(1, len);
    uint64_t count = limbs;
    memcpy(buf, &count, 8);
    mpz_export(buf + 8, NULL, -1, 8, -1, 0, v);
    cs_partial *x = NULL;
    cs_err err;
    CU_ASSERT_EQUAL_FATAL(K->unpack(p, buf, len, &x, &err), CS_OK);
    cs_digest d;
    CU_ASSERT_EQUAL_FATAL(K->describe(p, x, &d, &err), CS_OK);
    char *s = mpz_get_str(NULL, 10, v);
    char want[96];
    snprintf(want, sizeof want, "bits=%zu;digits=%zu;lead=%.8s;", mpz_sizeinbase(v, 2), strlen(s), s);
    CU_ASSERT_EQUAL(strncmp(d.digest, want, strlen(want)), 0);
    if (strncmp(d.digest, want, strlen(want)) != 0)
        fprintf(stderr, "\n  digest %s, want %s\n", d.digest, want);
    free(s);
    free(buf);
    K->partial_free(x);
}

static void test_digest_digits_and_lead_match_gmp(void)
{
    cs_problem *p;
    cs_err err;
    CU_ASSERT_EQUAL_FATAL(K->problem_new(5, 0, &p, &err), CS_OK);
    mpz_t v;
    mpz_init(v);
    for (unsigned long k = 8; k < 4000; k = k * 3 + 1) {
        mpz_ui_pow_ui(v, 10, k); /* 10^k: a boundary */
        check_digest_against_gmp(p, v);
        mpz_sub_ui(v, v, 1); /* 99..9 */
        check_digest_against_gmp(p, v);
        mpz_ui_pow_ui(v, 10, k);
        mpz_mul_ui(v, v, 12345678);
        mpz_add_ui(v, v, 1); /* leading digits 12345678 then 0..01 */
        check_digest_against_gmp(p, v);
    }
    for (uint64_t n = 20; n <= 40; n += 7) {
        closed_form(n, v);
        check_digest_against_gmp(p, v);
    }
    mpz_clear(v);
    K->problem_free(p);
}

static void test_write_value_is_the_decimal_value(void)
{
    cs_problem *p;
    cs_partial *x = run_case(5, 0, &p);
    char text[256] = {0};
    FILE *f = fmemopen(text, sizeof text - 1, "w");
    cs_err err;
    CU_ASSERT_EQUAL(K->write_value(p, x, f, &err), CS_OK);
    fclose(f);
    /* 24^48, from a table computed independently. */
    CU_ASSERT_STRING_EQUAL(text, "1778851122450430889808135593631174089945225899275983120948501938176");
    K->partial_free(x);
    K->problem_free(p);
}

int main(void)
{
    K = cs_kernel_find("product");
    if (!K || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("product", NULL, NULL);
    CU_add_test(s, "small n equal GMP's closed form", test_small_n_equal_gmp_closed_form);
    CU_add_test(s, "class W bit counts", test_class_w_bit_counts);
    CU_add_test(s, "every chunk count gives the same value", test_every_chunk_count_gives_the_same_value);
    CU_add_test(s, "items are cut by bits", test_items_are_cut_by_bits);
    CU_add_test(s, "items share the bits evenly", test_items_share_the_bits_evenly);
    CU_add_test(s, "default chunks capped by the problem", test_default_chunks_capped_by_the_problem);
    CU_add_test(s, "bad cases are refused with reasons", test_bad_cases_are_refused_with_reasons);
    CU_add_test(s, "wrong results fail verification", test_wrong_results_fail_verification);
    CU_add_test(s, "corrupt packed partials are rejected", test_corrupt_packed_partials_are_rejected);
    CU_add_test(s, "split combines join to the whole combine", test_split_combines_join_to_the_whole_combine);
    CU_add_test(s, "a split piece fails verification", test_a_split_piece_fails_verification);
    CU_add_test(s, "digest digits and lead match GMP", test_digest_digits_and_lead_match_gmp);
    CU_add_test(s, "write_value is the decimal value", test_write_value_is_the_decimal_value);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
