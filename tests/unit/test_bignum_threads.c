/* bignum from several threads at once: first calls race to pick the CPU-specific builds. */
#include <CUnit/Basic.h>
#include <gmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bignum.h"
#include "test_alloc.h"

/*
 * The word products and the transforms choose their build (baseline or BMI2;
 * scalar, AVX2 or AVX-512) on first use, and the drivers' threads all start
 * multiplying at once. So this suite runs in a process of its own, and its
 * threads meet at a barrier before their first bignum call: every product
 * must still equal GMP's. Built with -fsanitize=thread it also shows any data
 * race on those one-time choices.
 */

#define THREADS 4
#define ROUNDS 3

/* Sizes that reach the schoolbook, Karatsuba, Toom-3 and the transforms. */
static const size_t sizes[] = {3, 2 * BN_KARATSUBA_THRESHOLD, 2 * BN_TOOM3_THRESHOLD,
                               4 * BN_NTT_THRESHOLD, 3 * BN_SQR_NTT_THRESHOLD};
#define SIZES (sizeof sizes / sizeof sizes[0])

typedef struct job {
    pthread_barrier_t *start;
    unsigned seed;
    bignum a[SIZES], b[SIZES];  /* operands, made before the barrier */
    bignum ab[SIZES], sq[SIZES]; /* a b and a^2, from the thread */
    char *decimal;               /* the largest a in decimal */
    size_t decimal_len;
    int failures;                /* bignum calls that did not return BN_OK */
} job;

/* Operands are filled by hand: making them must not call into bignum's code. */
static void fill(bignum *x, size_t n, unsigned *seed)
{
    x->limbs = malloc(n * sizeof *x->limbs);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x->limbs);
    for (size_t i = 0; i < n; i++)
        x->limbs[i] = (bn_limb)rand_r(seed) << 40 ^ (bn_limb)rand_r(seed) << 20 ^ (bn_limb)rand_r(seed);
    x->limbs[n - 1] |= 1;
    x->size = x->alloc = n;
}

static void *run_job(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(j->start);
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t k = 0; k < SIZES; k++) {
            j->failures += bignum_mul(&j->ab[k], &j->a[k], &j->b[k]) != BN_OK;
            j->failures += bignum_mul(&j->sq[k], &j->a[k], &j->a[k]) != BN_OK;
        }
    }
    j->failures += bignum_to_decimal(&j->a[SIZES - 1], &j->decimal, &j->decimal_len) != BN_OK;
    return NULL;
}

static int equals_gmp_product(const bignum *r, const bignum *a, const bignum *b)
{
    mpz_t za, zb, zr, got;
    mpz_inits(za, zb, zr, got, NULL);
    mpz_import(za, a->size, -1, sizeof(bn_limb), 0, 0, a->limbs);
    mpz_import(zb, b->size, -1, sizeof(bn_limb), 0, 0, b->limbs);
    mpz_import(got, r->size, -1, sizeof(bn_limb), 0, 0, r->limbs);
    mpz_mul(zr, za, zb);
    int eq = mpz_cmp(zr, got) == 0;
    mpz_clears(za, zb, zr, got, NULL);
    return eq;
}

static void test_first_calls_from_several_threads_agree_with_gmp(void)
{
    pthread_barrier_t start;
    CU_ASSERT_EQUAL_FATAL(pthread_barrier_init(&start, NULL, THREADS), 0);
    static job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        job *j = &jobs[t];
        memset(j, 0, sizeof *j);
        j->start = &start;
        j->seed = 1234u + (unsigned)t;
        for (size_t k = 0; k < SIZES; k++) {
            fill(&j->a[k], sizes[k], &j->seed);
            fill(&j->b[k], sizes[k] - sizes[k] / 3, &j->seed);
        }
    }
    int started = 0;
    for (int t = 0; t < THREADS; t++)
        started += pthread_create(&threads[t], NULL, run_job, &jobs[t]) == 0;
    CU_ASSERT_EQUAL_FATAL(started, THREADS);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&start);

    for (int t = 0; t < THREADS; t++) {
        job *j = &jobs[t];
        CU_ASSERT_EQUAL(j->failures, 0);
        for (size_t k = 0; k < SIZES; k++) {
            int ok = equals_gmp_product(&j->ab[k], &j->a[k], &j->b[k]) &&
                     equals_gmp_product(&j->sq[k], &j->a[k], &j->a[k]);
            if (!ok)
                fprintf(stderr, "\n  thread %d: a product of %zu limbs differs from GMP\n", t,
                        sizes[k]);
            CU_ASSERT(ok);
        }
        const bignum *last = &j->a[SIZES - 1];
        mpz_t z;
        mpz_init(z);
        mpz_import(z, last->size, -1, sizeof(bn_limb), 0, 0, last->limbs);
        char *g = mpz_get_str(NULL, 10, z);
        CU_ASSERT(j->decimal != NULL && strcmp(j->decimal, g) == 0);
        free(g);
        mpz_clear(z);
        bignum_free_string(j->decimal, j->decimal_len + 1);
        for (size_t k = 0; k < SIZES; k++) {
            free(j->a[k].limbs), free(j->b[k].limbs);
            bignum_clear(&j->ab[k]), bignum_clear(&j->sq[k]);
        }
    }
}

int main(void)
{
    test_alloc_install();
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("bignum_threads", NULL, NULL);
    CU_add_test(s, "first calls from several threads agree with GMP",
                test_first_calls_from_several_threads_agree_with_gmp);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    int leaked = test_alloc_report("test_bignum_threads");
    test_alloc_uninstall();
    return failed || leaked ? 1 : 0;
}
