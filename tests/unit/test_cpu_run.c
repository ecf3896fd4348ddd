/* The case loop and the tree, with toy kernels whose answers are known. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu_run.h"
#include "kernel.h"
#include "message.h"
#include "row.h"
#include "tree.h"

/* ---- a toy kernel: the sum 1 + 2 + ... + n, one item per term ---------- */

struct cs_problem {
    uint64_t n;
    int lie; /* verify() claims failure: a stand-in for a wrong result */
};
struct cs_partial {
    uint64_t v;
    char shape[256]; /* how the tree combined it: "((0 1) 2)" */
};

static int sum_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    (void)chunks;
    (void)err;
    *out = calloc(1, sizeof **out);
    (*out)->n = n;
    return CS_OK;
}
static int liar_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    sum_new(n, chunks, out, err);
    (*out)->lie = 1;
    return CS_OK;
}
static void sum_free(cs_problem *p) { free(p); }
static uint64_t sum_items(const cs_problem *p) { return p->n; }
static int sum_item(cs_problem *p, uint64_t i, cs_partial **out, cs_err *err)
{
    (void)p;
    (void)err;
    *out = calloc(1, sizeof **out);
    (*out)->v = i + 1;
    snprintf((*out)->shape, sizeof (*out)->shape, "%llu", (unsigned long long)i);
    return CS_OK;
}
static int sum_combine(const cs_problem *p, cs_partial *a, cs_partial *b, cs_partial **out,
                       cs_err *err)
{
    (void)p;
    (void)err;
    char shape[520];
    snprintf(shape, sizeof shape, "(%s %s)", a->shape, b->shape);
    shape[sizeof a->shape - 1] = '\0';
    a->v += b->v;
    memcpy(a->shape, shape, sizeof a->shape);
    free(b);
    *out = a;
    return CS_OK;
}
static void sum_partial_free(cs_partial *x) { free(x); }
static int sum_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len, cs_err *e)
{
    (void)p;
    (void)e;
    *buf = malloc(8);
    memcpy(*buf, &x->v, 8);
    *len = 8;
    return CS_OK;
}
static int sum_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out, cs_err *e)
{
    (void)p;
    if (len != 8) {
        cs_err_set(e, "bad length");
        return CS_ECORRUPT;
    }
    *out = calloc(1, sizeof **out);
    memcpy(&(*out)->v, buf, 8);
    return CS_OK;
}
static int sum_verify(cs_problem *p, const cs_partial *x, cs_err *err)
{
    if (p->lie || x->v != p->n * (p->n + 1) / 2) {
        cs_err_set(err, "verification failed: the sum is wrong");
        return CS_EVERIFY;
    }
    return CS_OK;
}
static int sum_describe(cs_problem *p, const cs_partial *x, cs_digest *d, cs_err *err)
{
    (void)p;
    (void)err;
    snprintf(d->digest, sizeof d->digest, "sum=%llu", (unsigned long long)x->v);
    snprintf(d->summary, sizeof d->summary, "%llu", (unsigned long long)x->v);
    return CS_OK;
}
static int sum_write(cs_problem *p, const cs_partial *x, FILE *f, cs_err *err)
{
    (void)p;
    (void)err;
    fprintf(f, "%llu", (unsigned long long)x->v);
    return CS_OK;
}

static cs_kernel toy = {
    .name = "sum", .what = "toy", .n_meaning = "terms", .n_min = 1, .n_max = 1000,
    .problem_new = sum_new, .problem_free = sum_free, .item_count = sum_items,
    .item_run = sum_item, .combine = sum_combine, .partial_free = sum_partial_free,
    .pack = sum_pack, .unpack = sum_unpack, .verify = sum_verify, .describe = sum_describe,
    .write_value = sum_write,
};

static int serial_run(void *ctx, const cs_kernel *k, cs_problem *p, cs_partial **result,
                      cs_phase *phase, cs_err *err)
{
    (void)ctx;
    (void)phase;
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves);
    for (uint64_t i = 0; i < items; i++)
        k->item_run(p, i, &leaves[i], err);
    int rc = cs_tree_combine(k, p, leaves, 0, items, result, err);
    free(leaves);
    return rc;
}

static const cs_exec exec = {
    .driver = "test", .ranks = 1, .threads = 1, .workers = 1, .is_root = 1,
    .binding = "none", .warnings = "", .run = serial_run,
};

static char csv_path[64];

static cs_options options_for(const cs_kernel *k, uint64_t *n, size_t count, unsigned repeat)
{
    cs_options o;
    memset(&o, 0, sizeof o);
    o.kernel = k;
    o.n = n;
    o.n_count = count;
    o.repeat = repeat;
    o.warmup = 1;
    o.quiet = 1;
    o.csv_path = csv_path;
    snprintf(o.class_name, sizeof o.class_name, "custom");
    return o;
}

static int count_lines(const char *path, const char *containing)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    int count = 0;
    while (f && fgets(line, sizeof line, f))
        count += strstr(line, containing) != NULL;
    if (f)
        fclose(f);
    return count;
}

static void test_tree_shape_follows_cs_tree_mid(void)
{
    cs_partial *leaves[5];
    cs_err err;
    for (int i = 0; i < 5; i++)
        sum_item(NULL, (uint64_t)i, &leaves[i], &err);
    cs_partial *root = NULL;
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(&toy, NULL, leaves, 0, 5, &root, &err), CS_OK);
    CU_ASSERT_STRING_EQUAL(root->shape, "(((0 1) 2) (3 4))");
    CU_ASSERT_EQUAL(root->v, 15);
    free(root);
}

static void test_verified_run_exits_0_with_a_row_per_repetition(void)
{
    unlink(csv_path);
    uint64_t n[] = {4, 10};
    cs_options o = options_for(&toy, n, 2, 3);
    CU_ASSERT_EQUAL(cs_cpu_run(&exec, &o), CS_EXIT_OK);
    CU_ASSERT_EQUAL(count_lines(csv_path, "time_utc,host,driver"), 1);
    CU_ASSERT_EQUAL(count_lines(csv_path, ",sum,n=4,custom,"), 3);
    CU_ASSERT_EQUAL(count_lines(csv_path, ",sum=55,"), 3);
    /* a second run appends rows, never a second header */
    CU_ASSERT_EQUAL(cs_cpu_run(&exec, &o), CS_EXIT_OK);
    CU_ASSERT_EQUAL(count_lines(csv_path, "time_utc,host,driver"), 1);
    CU_ASSERT_EQUAL(count_lines(csv_path, ",sum,n=10,custom,"), 6);
}

static void test_failed_verification_exits_1_and_rows_say_so(void)
{
    unlink(csv_path);
    cs_kernel liar = toy;
    liar.problem_new = liar_new;
    uint64_t n[] = {6};
    cs_options o = options_for(&liar, n, 1, 2);
    CU_ASSERT_EQUAL(cs_cpu_run(&exec, &o), CS_EXIT_FAIL);
    CU_ASSERT_EQUAL(count_lines(csv_path, ",sum,n=6,custom,"), 2);
    CU_ASSERT_EQUAL(count_lines(csv_path, ",0,sum=21,"), 2); /* verified=0 */
}

static void test_foreign_csv_is_refused_before_work(void)
{
    FILE *f = fopen(csv_path, "w");
    fputs("a,b,c\n1,2,3\n", f);
    fclose(f);
    uint64_t n[] = {3};
    cs_options o = options_for(&toy, n, 1, 1);
    CU_ASSERT_EQUAL(cs_cpu_run(&exec, &o), CS_EXIT_USAGE);
    CU_ASSERT_EQUAL(count_lines(csv_path, "sum"), 0);
}

int main(void)
{
    snprintf(csv_path, sizeof csv_path, "/tmp/cs_test_cpu_run_%d.csv", (int)getpid());
    cs_message_init("test_cpu_run");
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("cpu_run", NULL, NULL);
    CU_add_test(s, "tree shape follows cs_tree_mid", test_tree_shape_follows_cs_tree_mid);
    CU_add_test(s, "verified run exits 0 with a row per repetition",
                test_verified_run_exits_0_with_a_row_per_repetition);
    CU_add_test(s, "failed verification exits 1 and rows say so",
                test_failed_verification_exits_1_and_rows_say_so);
    CU_add_test(s, "foreign CSV is refused before work", test_foreign_csv_is_refused_before_work);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    unlink(csv_path);
    return failed ? 1 : 0;
}
