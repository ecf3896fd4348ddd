/* The heat stencil through its contract: verification, halos, parts of a step, and the plans that share blocks out. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "stencil_plan.h"
#include "tree.h"

/* The kernel under test: heat, or heat3d for the tests that say so. */
static const char *current = "heat";

static const cs_kernel *heat(void)
{
    const cs_kernel *k = cs_kernel_find(current);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_PTR_NOT_NULL_FATAL(k->stencil);
    return k;
}

static cs_problem *new_case(uint64_t n, uint64_t chunks, uint64_t steps)
{
    cs_problem *p = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(heat()->stencil->problem_new(n, chunks, steps, &p, &err), CS_OK);
    return p;
}

/* Every block's diagnostics combined along the fixed tree. */
static cs_partial *combine_blocks(cs_problem *p)
{
    const cs_kernel *k = heat();
    uint64_t items = k->item_count(p);
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    cs_err err = {{0}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(leaves);
    for (uint64_t b = 0; b < items; b++)
        CU_ASSERT_EQUAL_FATAL(k->item_run(p, b, &leaves[b], &err), CS_OK);
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(k, p, leaves, 0, items, &root, &err), CS_OK);
    free(leaves);
    return root;
}

static cs_partial *run_serial(cs_problem *p)
{
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_stencil_steps_serial(heat(), p, NULL, &err), CS_OK);
    return combine_blocks(p);
}

/* The result's bytes, for bit-for-bit comparisons. */
static uint8_t *bytes_of(cs_problem *p, cs_partial *x, size_t *len)
{
    uint8_t *buf = NULL;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(heat()->pack(p, x, &buf, len, &err), CS_OK);
    return buf;
}

/* Every size with every cut the kernel takes (a cut finer than n is refused, and skipped). */
static void verify_every_cut(const uint64_t *sizes, size_t ns, const uint64_t *cuts, size_t nc,
                             uint64_t steps)
{
    for (size_t i = 0; i < ns; i++)
        for (size_t c = 0; c < nc; c++) {
            cs_problem *p = NULL;
            cs_err err = {{0}};
            if (heat()->stencil->problem_new(sizes[i], cuts[c], steps, &p, &err) == CS_EINVAL)
                continue;
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            cs_partial *root = run_serial(p);
            int rc = heat()->verify(p, root, &err);
            if (rc != CS_OK)
                printf("\n  %s n=%llu chunks=%llu: %s", current, (unsigned long long)sizes[i],
                       (unsigned long long)cuts[c], err.msg);
            CU_ASSERT_EQUAL(rc, CS_OK);
            heat()->partial_free(root);
            heat()->problem_free(p);
        }
}

static void test_heat_verifies_for_every_size_and_cut(void)
{
    static const uint64_t sizes[] = {1, 2, 3, 7, 8, 33, 64};
    static const uint64_t cuts[] = {1, 4, 6, 12, 0};
    verify_every_cut(sizes, 7, cuts, 5, 30);
}

/* A step run as every block's inside, then every block's edge (as --overlap does) gives
 * the same bits as each block whole. */
static void test_inside_then_edge_is_the_whole_step(void)
{
    const cs_stencil *st = heat()->stencil;
    cs_problem *a = new_case(50, 12, 15), *b = new_case(50, 12, 15);
    cs_partial *whole = run_serial(a);
    cs_err err = {{0}};
    uint64_t blocks = heat()->item_count(b);
    for (uint64_t i = 0; i < blocks; i++)
        CU_ASSERT_EQUAL_FATAL(st->block_start(b, i, &err), CS_OK);
    for (uint64_t s = 0; s < 15; s++) {
        for (uint64_t i = 0; i < blocks; i++)
            st->block_step(b, i, s, CS_PART_INSIDE);
        for (uint64_t i = blocks; i-- > 0;)
            st->block_step(b, i, s, CS_PART_EDGE);
    }
    cs_partial *parts = combine_blocks(b);
    size_t la, lb;
    uint8_t *x = bytes_of(a, whole, &la), *y = bytes_of(b, parts, &lb);
    CU_ASSERT_EQUAL(la, lb);
    CU_ASSERT(la == lb && memcmp(x, y, la) == 0);
    free(x);
    free(y);
    heat()->partial_free(whole);
    heat()->partial_free(parts);
    heat()->problem_free(a);
    heat()->problem_free(b);
}

/*
 * Two processes' worth in one: two copies of the case, each stepping only its
 * part's blocks of a plan, the faces between the parts packed from one copy
 * and unpacked into the other before every step, as the MPI drivers do. The
 * result must be the serial one's, bit for bit; `corrupt_step` (when below the
 * step count) changes one halo value by a relative `by` at that step.
 */
static int run_two_copies(uint64_t n, uint64_t chunks, uint64_t steps, enum cs_decomp decomp,
                          uint64_t corrupt_step, double by, cs_err *verdict)
{
    const cs_kernel *k = heat();
    const cs_stencil *st = k->stencil;
    cs_problem *copy[2] = {new_case(n, chunks, steps), new_case(n, chunks, steps)};
    cs_block_grid g;
    st->block_grid(copy[0], &g);
    cs_block_plan plan;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_block_plan_make(&g, decomp, 2, &plan, &err), CS_OK);
    for (uint64_t b = 0; b < plan.blocks; b++)
        CU_ASSERT_EQUAL_FATAL(st->block_start(copy[plan.part[b]], b, &err), CS_OK);
    uint8_t buf[8 * 1024];
    int corrupted = 0;
    for (uint64_t s = 0; s < steps; s++) {
        for (uint64_t b = 0; b < plan.blocks; b++)
            for (unsigned f = 0; f < 2 * g.dims; f++) {
                uint64_t nb = cs_block_neighbour(&g, b, f);
                if (nb == CS_NO_BLOCK || plan.part[nb] == plan.part[b])
                    continue;
                size_t len = st->face_bytes(copy[plan.part[b]], b, f);
                CU_ASSERT_FATAL(len <= sizeof buf);
                CU_ASSERT_EQUAL(len, st->face_bytes(copy[0], nb, cs_face_opposite(f)));
                st->face_pack(copy[plan.part[b]], b, f, s, buf);
                if (s == corrupt_step && !corrupted) {
                    double v;
                    memcpy(&v, buf + len / 2 / 8 * 8, 8);
                    v *= 1.0 + by;
                    memcpy(buf + len / 2 / 8 * 8, &v, 8);
                    corrupted = 1;
                }
                st->halo_unpack(copy[plan.part[nb]], nb, cs_face_opposite(f), s, buf);
            }
        for (uint64_t b = 0; b < plan.blocks; b++)
            st->block_step(copy[plan.part[b]], b, s, CS_PART_ALL);
    }
    uint64_t items = plan.blocks;
    cs_partial **leaves = calloc(items, sizeof *leaves), *root = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(leaves);
    for (uint64_t b = 0; b < items; b++)
        CU_ASSERT_EQUAL_FATAL(k->item_run(copy[plan.part[b]], b, &leaves[b], &err), CS_OK);
    CU_ASSERT_EQUAL_FATAL(cs_tree_combine(k, copy[0], leaves, 0, items, &root, &err), CS_OK);
    free(leaves);
    int rc = k->verify(copy[0], root, verdict);
    if (corrupt_step >= steps) { /* honest: the serial bits */
        cs_problem *ref = new_case(n, chunks, steps);
        cs_partial *want = run_serial(ref);
        size_t la, lb;
        uint8_t *x = bytes_of(ref, want, &la), *y = bytes_of(copy[0], root, &lb);
        CU_ASSERT(la == lb && memcmp(x, y, la) == 0);
        free(x);
        free(y);
        k->partial_free(want);
        k->problem_free(ref);
    }
    k->partial_free(root);
    cs_block_plan_free(&plan);
    k->problem_free(copy[0]);
    k->problem_free(copy[1]);
    return rc;
}

static void test_halos_between_copies_give_the_serial_bits(void)
{
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(run_two_copies(40, 16, 12, CS_DECOMP_ROWS, UINT64_MAX, 0.0, &err), CS_OK);
    CU_ASSERT_EQUAL(run_two_copies(40, 16, 12, CS_DECOMP_BLOCKS, UINT64_MAX, 0.0, &err), CS_OK);
    CU_ASSERT_EQUAL(run_two_copies(37, 6, 9, CS_DECOMP_BLOCKS, UINT64_MAX, 0.0, &err), CS_OK);
}

static void test_a_corrupted_halo_fails_verification(void)
{
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(run_two_copies(40, 16, 12, CS_DECOMP_ROWS, 5, 1e-9, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed: step 6's"));
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(run_two_copies(40, 16, 12, CS_DECOMP_BLOCKS, 0, 1e-9, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed: step 1's"));
}

/* The same checks in 3D: faces 4 and 5, plane-shaped halos, a cube of parts. */
static void test_heat3d_verifies_and_its_halos_give_the_serial_bits(void)
{
    current = "heat3d";
    static const uint64_t sizes[] = {1, 2, 5, 9, 16};
    static const uint64_t cuts[] = {1, 8, 12, 0};
    verify_every_cut(sizes, 5, cuts, 4, 20);
    cs_err err = {{0}};
    CU_ASSERT_EQUAL(run_two_copies(12, 27, 8, CS_DECOMP_BLOCKS, UINT64_MAX, 0.0, &err), CS_OK);
    CU_ASSERT_EQUAL(run_two_copies(11, 12, 8, CS_DECOMP_ROWS, UINT64_MAX, 0.0, &err), CS_OK);
    /* the first face sent here is near the boundary, where cells are a few percent of the
     * maximum: a relative 1e-7 is far outside the bound there, 1e-9 would not be */
    CU_ASSERT_EQUAL(run_two_copies(12, 27, 8, CS_DECOMP_BLOCKS, 3, 1e-7, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed: step 4's"));
    current = "heat";
}

/* A block's diagnostics counted twice, as a wrong leaf would make them, fail too. */
static void test_a_block_counted_twice_fails_verification(void)
{
    const cs_kernel *k = heat();
    cs_problem *p = new_case(32, 4, 10);
    cs_partial *root = run_serial(p);
    cs_err err = {{0}};
    cs_partial *extra = NULL;
    CU_ASSERT_EQUAL_FATAL(k->item_run(p, 2, &extra, &err), CS_OK);
    CU_ASSERT_EQUAL_FATAL(k->combine(p, root, extra, &root, &err), CS_OK);
    CU_ASSERT_EQUAL(k->verify(p, root, &err), CS_EVERIFY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "verification failed: step 1's energy"));
    k->partial_free(root);
    k->problem_free(p);
}

static void test_unpack_rejects_what_no_diagnostics_can_be(void)
{
    const cs_kernel *k = heat();
    cs_problem *p = new_case(8, 4, 3);
    cs_partial *x = NULL;
    cs_err err = {{0}};
    uint8_t buf[48] = {0};
    CU_ASSERT_EQUAL(k->unpack(p, buf, 40, &x, &err), CS_ECORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "40 bytes, not 48"));
    buf[7] = 0x80; /* -0.0 is fine, -1 is not */
    buf[15] = 0xbf;
    buf[14] = 0xf0;
    CU_ASSERT_EQUAL(k->unpack(p, buf, 48, &x, &err), CS_ECORRUPT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a sum of squares"));
    k->problem_free(p);
}

static void test_rows_cut_whole_block_rows(void)
{
    cs_block_grid g = {2, {16, 16, 1}};
    cs_block_plan plan;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_block_plan_make(&g, CS_DECOMP_ROWS, 4, &plan, &err), CS_OK);
    for (uint64_t b = 0; b < 256; b++)
        CU_ASSERT_EQUAL(plan.part[b], (unsigned)(b / 16 / 4));
    CU_ASSERT_EQUAL(plan.start[4], 256);
    cs_block_plan_free(&plan);
}

static void test_blocks_cut_a_square_of_parts(void)
{
    cs_block_grid g = {2, {16, 16, 1}};
    cs_block_plan plan;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_block_plan_make(&g, CS_DECOMP_BLOCKS, 4, &plan, &err), CS_OK);
    CU_ASSERT_EQUAL(plan.grid[0], 2);
    CU_ASSERT_EQUAL(plan.grid[1], 2);
    for (uint64_t b = 0; b < 256; b++)
        CU_ASSERT_EQUAL(plan.part[b], (unsigned)(b / 16 / 8 * 2 + b % 16 / 8));
    for (unsigned q = 0; q < 4; q++)
        CU_ASSERT_EQUAL(plan.start[q + 1] - plan.start[q], 64);
    cs_block_plan_free(&plan);
    /* a prime count that fits no square: slabs, every block still somewhere */
    CU_ASSERT_EQUAL_FATAL(cs_block_plan_make(&g, CS_DECOMP_BLOCKS, 17, &plan, &err), CS_OK);
    CU_ASSERT_EQUAL(plan.grid[0], 17);
    CU_ASSERT_EQUAL(plan.start[17], 256);
    cs_block_plan_free(&plan);
}

/* The contract's neighbours in three dimensions, for a 7-point kernel to come. */
static void test_neighbours_in_three_dimensions(void)
{
    cs_block_grid g = {3, {2, 3, 4}};
    uint64_t b = 1 * 12 + 1 * 4 + 2; /* (1, 1, 2) */
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 0), b - 12);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 1), CS_NO_BLOCK);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 2), b - 4);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 3), b + 4);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 4), b - 1);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, b, 5), b + 1);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, 0, 0), CS_NO_BLOCK);
    CU_ASSERT_EQUAL(cs_block_neighbour(&g, 0, 4), CS_NO_BLOCK);
    cs_block_plan plan;
    cs_err err = {{0}};
    CU_ASSERT_EQUAL_FATAL(cs_block_plan_make(&g, CS_DECOMP_BLOCKS, 8, &plan, &err), CS_OK);
    CU_ASSERT_EQUAL(plan.grid[0] * plan.grid[1] * plan.grid[2], 8);
    CU_ASSERT_EQUAL(plan.grid[0], 2);
    CU_ASSERT_EQUAL(plan.start[8], 24);
    cs_block_plan_free(&plan);
}

int main(void)
{
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("heat", NULL, NULL);
    CU_add_test(s, "heat verifies for every size and cut",
                test_heat_verifies_for_every_size_and_cut);
    CU_add_test(s, "inside then edge is the whole step", test_inside_then_edge_is_the_whole_step);
    CU_add_test(s, "halos between copies give the serial bits",
                test_halos_between_copies_give_the_serial_bits);
    CU_add_test(s, "a corrupted halo fails verification", test_a_corrupted_halo_fails_verification);
    CU_add_test(s, "heat3d verifies and its halos give the serial bits",
                test_heat3d_verifies_and_its_halos_give_the_serial_bits);
    CU_add_test(s, "a block counted twice fails verification",
                test_a_block_counted_twice_fails_verification);
    CU_add_test(s, "unpack rejects what no diagnostics can be",
                test_unpack_rejects_what_no_diagnostics_can_be);
    CU_add_test(s, "rows cut whole block rows", test_rows_cut_whole_block_rows);
    CU_add_test(s, "blocks cut a square of parts", test_blocks_cut_a_square_of_parts);
    CU_add_test(s, "neighbours in three dimensions", test_neighbours_in_three_dimensions);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
