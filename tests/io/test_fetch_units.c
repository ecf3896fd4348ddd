/* Unit specifications of the fetch modules: percentiles, the body pattern, fault tallies, URL lists. */
#include <CUnit/Basic.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_body.h"
#include "fetch_fault.h"
#include "fetch_latency.h"
#include "fetch_urls.h"
#include "message.h"

/* --- latency: nearest rank, checked against hand-computed tables --- */

static void percentiles_of_1_to_100_are_the_ranks(void)
{
    double ms[100];
    for (int i = 0; i < 100; i++)
        ms[i] = (double)((i * 37) % 100 + 1); /* 1..100, shuffled */
    fetch_latency l;
    fetch_latency_summarize(ms, 100, &l);
    CU_ASSERT_DOUBLE_EQUAL(l.p50_ms, 50, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.p90_ms, 90, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.p99_ms, 99, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.max_ms, 100, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.mean_ms, 50.5, 1e-12);
}

static void percentiles_of_ten_round_up(void)
{
    double ms[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    fetch_latency l;
    fetch_latency_summarize(ms, 10, &l);
    CU_ASSERT_DOUBLE_EQUAL(l.p50_ms, 5, 0);  /* rank ceil(5) = 5 */
    CU_ASSERT_DOUBLE_EQUAL(l.p90_ms, 9, 0);  /* rank ceil(9) = 9 */
    CU_ASSERT_DOUBLE_EQUAL(l.p99_ms, 10, 0); /* rank ceil(9.9) = 10 */
    double three[3] = {30, 10, 20};
    fetch_latency_summarize(three, 3, &l);
    CU_ASSERT_DOUBLE_EQUAL(l.p50_ms, 20, 0); /* rank ceil(1.5) = 2 */
}

static void percentiles_of_one_and_none(void)
{
    double one[1] = {7.5};
    fetch_latency l;
    fetch_latency_summarize(one, 1, &l);
    CU_ASSERT_DOUBLE_EQUAL(l.p50_ms, 7.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.p99_ms, 7.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(l.max_ms, 7.5, 0);
    fetch_latency_summarize(one, 0, &l);
    CU_ASSERT_DOUBLE_EQUAL(l.max_ms, 0, 0);
}

/* --- the body pattern --- */

static void body_fill_agrees_with_byte_across_periods(void)
{
    unsigned char buf[3 * FETCH_BODY_PERIOD];
    uint64_t off = FETCH_BODY_PERIOD - 5;
    fetch_body_fill(buf, sizeof buf, off);
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != fetch_body_byte(off + i)) {
            CU_FAIL("fill differs from byte");
            break;
        }
    CU_ASSERT_TRUE(fetch_body_matches(buf, sizeof buf, off));
    CU_ASSERT_EQUAL(fetch_body_byte(12345), fetch_body_byte(12345 + FETCH_BODY_PERIOD));
}

static void body_pattern_is_alphanumeric_without_short_period(void)
{
    for (uint64_t i = 0; i < FETCH_BODY_PERIOD; i++) {
        CU_ASSERT_TRUE(isalnum(fetch_body_byte(i)));
        CU_ASSERT_NOT_EQUAL(fetch_body_byte(i), '#');
    }
    /* No shift short of the period maps the pattern onto itself for long. */
    for (uint64_t shift = 1; shift < 200; shift++) {
        int same = 0;
        for (uint64_t i = 0; i < 64; i++)
            same += fetch_body_byte(i) == fetch_body_byte(i + shift);
        CU_ASSERT_TRUE(same < 16);
    }
}

static void body_mismatch_is_found(void)
{
    unsigned char buf[5000];
    fetch_body_fill(buf, sizeof buf, 0);
    CU_ASSERT_TRUE(fetch_body_matches(buf, sizeof buf, 0));
    CU_ASSERT_FALSE(fetch_body_matches(buf, sizeof buf, 1)); /* shifted */
    CU_ASSERT_TRUE(fetch_body_matches(buf + 100, 50, 100));
    buf[4321] = '#';
    CU_ASSERT_FALSE(fetch_body_matches(buf, sizeof buf, 0));
    CU_ASSERT_TRUE(fetch_body_matches(buf, 4321, 0));
}

/* --- fault tallies --- */

static void faults_count_by_kind_and_keep_the_earliest(void)
{
    fetch_faults a, b;
    fetch_faults_init(&a);
    fetch_faults_init(&b);
    fetch_faults_add(&a, FETCH_TIMEOUT, 7, "seven");
    fetch_faults_add(&a, FETCH_TIMEOUT, 9, "nine");
    fetch_faults_add(&a, FETCH_OK, 1, "not a fault");
    fetch_faults_add(&b, FETCH_TIMEOUT, 3, "three");
    fetch_faults_add(&b, FETCH_REFUSED, 4, "four");
    CU_ASSERT_EQUAL(fetch_faults_total(&a), 2);
    CU_ASSERT_STRING_EQUAL(a.first_msg[FETCH_TIMEOUT], "seven");
    fetch_faults_merge(&a, &b);
    CU_ASSERT_EQUAL(fetch_faults_total(&a), 4);
    CU_ASSERT_EQUAL(a.count[FETCH_TIMEOUT], 3);
    CU_ASSERT_EQUAL(a.first_index[FETCH_TIMEOUT], 3);
    CU_ASSERT_STRING_EQUAL(a.first_msg[FETCH_TIMEOUT], "three");
    CU_ASSERT_STRING_EQUAL(a.first_msg[FETCH_REFUSED], "four");
    CU_ASSERT_EQUAL(a.first_index[FETCH_STATUS], FETCH_NO_INDEX);
    CU_ASSERT_STRING_EQUAL(fetch_fault_name(FETCH_SHORT_BODY), "short-body");
    CU_ASSERT_STRING_EQUAL(fetch_fault_name(FETCH_UNKNOWN_HOST), "unknown-host");
}

/* --- URL lists --- */

static void urls_accept_http_and_https_only(void)
{
    int reserved = -1;
    CU_ASSERT_EQUAL(fetch_url_check("http://127.0.0.1:1/x?y=1", "URL", &reserved), 0);
    CU_ASSERT_EQUAL(reserved, 0);
    CU_ASSERT_EQUAL(fetch_url_check("HTTPS://localhost/", "URL", NULL), 0);
    CU_ASSERT_EQUAL(fetch_url_check("ftp://localhost/", "URL", NULL), -1);
    CU_ASSERT_EQUAL(fetch_url_check("localhost/x", "URL", NULL), -1);
    CU_ASSERT_EQUAL(fetch_url_check("http://", "URL", NULL), -1);
    CU_ASSERT_EQUAL(fetch_url_check("http://a b/", "URL", NULL), -1);
    CU_ASSERT_EQUAL(fetch_url_check("", "URL", NULL), -1);
}

static void urls_under_invalid_are_reserved(void)
{
    const char *yes[] = {"http://x.invalid/", "http://a.b.INVALID:80/", "http://invalid/",
                         "http://x.invalid./"};
    const char *no[] = {"http://invalidx/", "http://xinvalid/", "http://invalid.x/"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        int r = 0;
        CU_ASSERT_EQUAL(fetch_url_check(yes[i], "URL", &r), 0);
        CU_ASSERT_EQUAL(r, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        int r = 1;
        CU_ASSERT_EQUAL(fetch_url_check(no[i], "URL", &r), 0);
        CU_ASSERT_EQUAL(r, 0);
    }
}

static void urls_repeat_shares_one_text_and_packs_whole(void)
{
    fetch_urls u, v;
    fetch_urls_init(&u);
    CU_ASSERT_EQUAL(fetch_urls_add(&u, "http://a/", 3, "URL"), 0);
    CU_ASSERT_EQUAL(fetch_urls_add(&u, "http://a/", 2, "URL"), 0);
    CU_ASSERT_EQUAL(fetch_urls_add(&u, "http://b.invalid/", 1, "URL"), 0);
    CU_ASSERT_EQUAL(fetch_urls_add(&u, "gopher://c/", 1, "URL"), CS_EXIT_USAGE);
    CU_ASSERT_EQUAL(u.count, 6);
    CU_ASSERT_EQUAL(u.text_count, 2);
    CU_ASSERT_STRING_EQUAL(fetch_urls_at(&u, 4), "http://a/");
    CU_ASSERT_STRING_EQUAL(fetch_urls_at(&u, 5), "http://b.invalid/");
    CU_ASSERT_TRUE(fetch_urls_reserved(&u, 5));
    uint8_t *buf = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(fetch_urls_pack(&u, &buf, &len), 0);
    CU_ASSERT_EQUAL(fetch_urls_unpack(&v, buf, len), 0);
    CU_ASSERT_EQUAL(v.count, 6);
    for (uint64_t i = 0; i < v.count; i++)
        CU_ASSERT_STRING_EQUAL(fetch_urls_at(&v, i), fetch_urls_at(&u, i));
    CU_ASSERT_TRUE(fetch_urls_reserved(&v, 5));
    fetch_urls_free(&v);
    CU_ASSERT_EQUAL(fetch_urls_unpack(&v, buf, len - 1), CS_EXIT_FAIL); /* truncated */
    buf[16] = 'f'; /* "http" -> "fttp": a bad URL inside */
    CU_ASSERT_EQUAL(fetch_urls_unpack(&v, buf, len), CS_EXIT_USAGE);
    free(buf);
    fetch_urls_free(&u);
}

int main(void)
{
    cs_message_init("io_units");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("fetch", NULL, NULL);
    CU_ADD_TEST(s, percentiles_of_1_to_100_are_the_ranks);
    CU_ADD_TEST(s, percentiles_of_ten_round_up);
    CU_ADD_TEST(s, percentiles_of_one_and_none);
    CU_ADD_TEST(s, body_fill_agrees_with_byte_across_periods);
    CU_ADD_TEST(s, body_pattern_is_alphanumeric_without_short_period);
    CU_ADD_TEST(s, body_mismatch_is_found);
    CU_ADD_TEST(s, faults_count_by_kind_and_keep_the_earliest);
    CU_ADD_TEST(s, urls_accept_http_and_https_only);
    CU_ADD_TEST(s, urls_under_invalid_are_reserved);
    CU_ADD_TEST(s, urls_repeat_shares_one_text_and_packs_whole);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
