/* The heat kernel: explicit steps of the 2D heat equation (5-point stencil), a stencil-shaped kernel. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel.h"
#include "word.h"

/*
 * The grid: n x n interior cells (i, j = 1..n) inside a ring of cells fixed
 * at 0, stored row-major with a row stride of n + 2. Each step every interior
 * cell becomes
 *     v = c + r * ((((N + S) + W) + E) - 4c),     r = 0.2 (dt = r h^2)
 * always in that order, whoever computes it. Two grids alternate: step s reads
 * grid s % 2 and writes the other. --chunks cuts the interior into a block
 * grid of rows x cols blocks (rows >= cols, as square as the count allows).
 *
 * Diagnostics of each step, per block: the energy sum of v^2 and the maximum
 * |v| of the new values. A block's energy is its inside cells' sum (each row
 * in four lanes by column, the lanes joined in a fixed order, rows in order)
 * plus its edge ring's (top row, bottom row, then each middle row's two ends);
 * the same order whether the inside and the edge ran together or apart. The
 * blocks' histories then combine in the fixed tree (+ and max), so the result
 * does not depend on who ran which block.
 *
 * Verification. The start is the discrete eigenmode u0 = s_i s_j,
 * s_i = sin(pi i / (n+1)); the update keeps it an eigenmode with factor
 *     lambda = 1 - 8 r sin^2(pi / (2(n+1)))
 * (r being the double nearest 0.2, the one the arithmetic uses), so after k
 * steps exactly u = lambda^k u0, whose energy is lambda^(2k) ((n+1)/2)^2
 * (the sum of sin^2 over i is (n+1)/2) and whose maximum is lambda^k M0
 * (M0 = 1 for odd n, cos^2(pi / (2(n+1))) for even). Both are computed in long
 * double. The computed grid differs from u by e_k, bounded in max norm:
 *   start   s_i from an argument at most pi/2 (the sine's symmetry), rounded
 *           thrice (pi, times i, over n+1) and once more by sin: 6u relative;
 *           the product 13u: |e_0| <= 13u.
 *   a step  rounds the four-term sum (gamma_3 * 4M), the difference with 4c
 *           (8M), the product with r and the final sum (|v| <= M, the update
 *           being a convex combination for r <= 1/4): at most (1 + 28r) u M
 *           to first order; (2 + 28r) u M covers the rest, with M <= 1.01 as
 *           long as the whole bound stays under 0.01.
 *   steps   the update's max-norm is (1 - 4r) + 4r = 1, so the local errors
 *           add: |e_k| <= eps_k = (13 + 1.01 k (2 + 28r)) u.
 * The maximum is then within eps_k of lambda^k M0. The energy of the computed
 * cells is within eps_k (2 n sqrt(E) + n^2 eps_k) of E (Cauchy-Schwarz on
 * sum |u|), and its summation (squares, lanes, rows, the edge, the tree:
 * fewer than L + D + 8 roundings for blocks of at most L cells and a tree of
 * depth D) adds gamma_(L+D+8) of it. The long double references add
 * (k + 8) LDBL_EPSILON relative. A cell that goes astray by more than that (a
 * lost or corrupted halo, a wrong block) fails verification.
 */

#define HEAT_R 0.2
#define HEAT_DEFAULT_STEPS 100
#define HEAT_STEPS_MAX 1000000
#define HEAT_N_MAX (1ULL << 20)
#define HEAT_SIDE_BLOCKS 16 /* the default block grid: 16 x 16, fewer a side for small n */

struct cs_problem {
    uint64_t n, steps, rows, cols; /* rows x cols blocks */
    size_t stride;                 /* n + 2 */
    double *grid[2];               /* each (n+2)^2 cells, mapped lazily: a process touches
                                      only its blocks and their halos */
    size_t grid_bytes;
    double *s;                     /* s_i, i = 0..n+1 */
    double *history;               /* per block, per step: energy, maximum */
    double *inside;                /* per block: the current step's inside energy, maximum */
};

struct cs_partial {
    uint64_t steps;
    double v[]; /* per step: energy, maximum */
};

/* ---- the case ------------------------------------------------------------------ */

/* The block grid for `blocks` blocks: rows x cols, cols the largest divisor <= sqrt. */
static void block_shape(uint64_t blocks, uint64_t *rows, uint64_t *cols)
{
    uint64_t c = 1;
    for (uint64_t d = 1; d * d <= blocks; d++)
        if (blocks % d == 0)
            c = d;
    *cols = c;
    *rows = blocks / c;
}

static int heat_new(uint64_t n, uint64_t chunks, uint64_t steps, cs_problem **out, cs_err *err)
{
    if (n < 1 || n > HEAT_N_MAX) {
        cs_err_set(err, "--n %llu: heat needs 1 <= n <= %llu cells a side",
                   (unsigned long long)n, (unsigned long long)HEAT_N_MAX);
        return CS_EINVAL;
    }
    if (steps == 0)
        steps = HEAT_DEFAULT_STEPS;
    if (steps > HEAT_STEPS_MAX) {
        cs_err_set(err, "--steps %llu: heat takes at most %d steps", (unsigned long long)steps,
                   HEAT_STEPS_MAX);
        return CS_EINVAL;
    }
    uint64_t side = n < HEAT_SIDE_BLOCKS ? n : HEAT_SIDE_BLOCKS;
    uint64_t blocks = chunks ? chunks : side * side, rows, cols;
    block_shape(blocks, &rows, &cols);
    if (rows > n) {
        cs_err_set(err, "--chunks %llu: heat cuts the grid into %llu x %llu blocks, more than "
                        "n=%llu cells a side",
                   (unsigned long long)blocks, (unsigned long long)rows,
                   (unsigned long long)cols, (unsigned long long)n);
        return CS_EINVAL;
    }
    size_t stride = (size_t)n + 2, grid_bytes = stride * stride * sizeof(double);
    double hist = (double)blocks * (double)steps * 2 * sizeof(double);
    char where[160];
    double need = 2.0 * (double)grid_bytes + hist + (double)steps * 16.0,
           room = cs_memory_room(where, sizeof where);
    if (room > 0 && need > room) {
        cs_err_set(err, "--n %llu: two grids of %.2f GiB and the diagnostics need more than %s",
                   (unsigned long long)n, (double)grid_bytes / (1 << 30), where);
        return CS_EINVAL;
    }
    cs_problem *p = calloc(1, sizeof *p);
    if (!p) {
        cs_err_set(err, "out of memory");
        return CS_ENOMEM;
    }
    *p = (cs_problem){.n = n, .steps = steps, .rows = rows, .cols = cols, .stride = stride,
                      .grid_bytes = grid_bytes};
    p->s = malloc(stride * sizeof *p->s);
    p->history = malloc((size_t)blocks * (size_t)steps * 2 * sizeof *p->history);
    p->inside = calloc((size_t)blocks * 2, sizeof *p->inside);
    /* Mapped, not allocated: the zero pages are the fixed boundary, and only
     * the pages a process's workers touch become memory (first touch). */
    for (int g = 0; g < 2; g++) {
        p->grid[g] = mmap(NULL, grid_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
        if (p->grid[g] == MAP_FAILED)
            p->grid[g] = NULL;
    }
    if (!p->s || !p->history || !p->inside || !p->grid[0] || !p->grid[1]) {
        for (int g = 0; g < 2; g++)
            if (p->grid[g])
                munmap(p->grid[g], grid_bytes);
        free(p->s);
        free(p->history);
        free(p->inside);
        free(p);
        cs_err_set(err, "--n %llu: out of memory for the grid", (unsigned long long)n);
        return CS_ENOMEM;
    }
    for (uint64_t i = 0; i <= n + 1; i++) {
        uint64_t k = i <= n + 1 - i ? i : n + 1 - i; /* sin(pi - x) = sin(x): argument <= pi/2 */
        p->s[i] = sin(M_PI * (double)k / (double)(n + 1));
    }
    p->s[0] = p->s[n + 1] = 0.0;
    *out = p;
    return CS_OK;
}

static int heat_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    return heat_new(n, chunks, 0, out, err);
}

static void heat_problem_free(cs_problem *p)
{
    if (!p)
        return;
    for (int g = 0; g < 2; g++)
        munmap(p->grid[g], p->grid_bytes);
    free(p->s);
    free(p->history);
    free(p->inside);
    free(p);
}

static uint64_t heat_item_count(const cs_problem *p)
{
    return p->rows * p->cols;
}

static uint64_t heat_steps(const cs_problem *p)
{
    return p->steps;
}

static void heat_block_grid(const cs_problem *p, cs_block_grid *g)
{
    *g = (cs_block_grid){2, {p->rows, p->cols, 1}};
}

/* The block's cells: rows [*r0, *r1), columns [*c0, *c1), 1-based. */
static void block_cells(const cs_problem *p, uint64_t block, size_t *r0, size_t *r1, size_t *c0,
                        size_t *c1)
{
    uint64_t br = block / p->cols, bc = block % p->cols;
    *r0 = 1 + (size_t)(p->n * br / p->rows);
    *r1 = 1 + (size_t)(p->n * (br + 1) / p->rows);
    *c0 = 1 + (size_t)(p->n * bc / p->cols);
    *c1 = 1 + (size_t)(p->n * (bc + 1) / p->cols);
}

static int heat_block_start(cs_problem *p, uint64_t block, cs_err *err)
{
    (void)err;
    size_t r0, r1, c0, c1, w = p->stride;
    block_cells(p, block, &r0, &r1, &c0, &c1);
    for (size_t i = r0; i < r1; i++)
        for (size_t j = c0; j < c1; j++) {
            p->grid[0][i * w + j] = p->s[i] * p->s[j];
            p->grid[1][i * w + j] = 0.0; /* touched here, by the block's worker */
        }
    return CS_OK;
}

/* ---- one step ------------------------------------------------------------------ */

/* The one update, the same wherever a cell is (step_inside spells it out for its rows:
 * the same operations in the same order). */
static inline double cell_new(const double *old, size_t at, size_t w)
{
    double c = old[at];
    return c + HEAT_R * ((((old[at - w] + old[at + w]) + old[at - 1]) + old[at + 1]) - 4.0 * c);
}

static inline double abs_max(double m, double v)
{
    double a = fabs(v);
    return a > m ? a : m;
}

/* Rows r0+1 .. r1-2, columns c0+1 .. c1-2: cells whose neighbours are all the block's. */
static void step_inside(const cs_problem *p, const double *old, double *new, size_t r0,
                        size_t r1, size_t c0, size_t c1, double *energy, double *max)
{
    size_t w = p->stride;
    double e = 0.0, m = 0.0;
    for (size_t i = r0 + 1; i + 1 < r1; i++) {
        double lane[4] = {0.0, 0.0, 0.0, 0.0};
        size_t row = i * w;
        /* the two grids never overlap: restrict lets the row vectorize unchecked */
        const double *restrict up = old + row - w, *restrict mid = old + row,
                               *restrict down = old + row + w;
        double *restrict out = new + row;
        for (size_t j = c0 + 1; j + 1 < c1; j++) {
            double c = mid[j];
            out[j] = c + HEAT_R * ((((up[j] + down[j]) + mid[j - 1]) + mid[j + 1]) - 4.0 * c);
        }
        /* a second pass over the row just written (in L1): the update above
         * vectorizes, and four lanes keep the sums from one long chain */
        const double *v = new + row + c0 + 1;
        size_t count = c1 - c0 - 2, j = 0;
        for (; j + 4 <= count; j += 4) { /* cell j goes to lane j % 4 */
            lane[0] += v[j] * v[j];
            lane[1] += v[j + 1] * v[j + 1];
            lane[2] += v[j + 2] * v[j + 2];
            lane[3] += v[j + 3] * v[j + 3];
            m = abs_max(abs_max(m, v[j]), v[j + 1]);
            m = abs_max(abs_max(m, v[j + 2]), v[j + 3]);
        }
        for (; j < count; j++) {
            lane[j % 4] += v[j] * v[j];
            m = abs_max(m, v[j]);
        }
        e += (lane[0] + lane[1]) + (lane[2] + lane[3]);
    }
    *energy = e;
    *max = m;
}

static inline void edge_cell(const double *old, double *new, size_t at, size_t w, double *e,
                             double *m)
{
    double v = cell_new(old, at, w);
    new[at] = v;
    *e += v * v;
    *m = abs_max(*m, v);
}

/* The block's ring: top row, bottom row, then each middle row's first and last cell. */
static void step_edge(const cs_problem *p, const double *old, double *new, size_t r0, size_t r1,
                      size_t c0, size_t c1, double *energy, double *max)
{
    size_t w = p->stride;
    double e = 0.0, m = 0.0;
    for (size_t j = c0; j < c1; j++)
        edge_cell(old, new, r0 * w + j, w, &e, &m);
    if (r1 - 1 > r0)
        for (size_t j = c0; j < c1; j++)
            edge_cell(old, new, (r1 - 1) * w + j, w, &e, &m);
    for (size_t i = r0 + 1; i + 1 < r1; i++) {
        edge_cell(old, new, i * w + c0, w, &e, &m);
        if (c1 - 1 > c0)
            edge_cell(old, new, i * w + c1 - 1, w, &e, &m);
    }
    *energy = e;
    *max = m;
}

static void heat_block_step(cs_problem *p, uint64_t block, uint64_t step, enum cs_block_part part)
{
    size_t r0, r1, c0, c1;
    block_cells(p, block, &r0, &r1, &c0, &c1);
    const double *old = p->grid[step % 2];
    double *new = p->grid[(step + 1) % 2];
    double *inside = &p->inside[2 * block];
    if (part != CS_PART_EDGE)
        step_inside(p, old, new, r0, r1, c0, c1, &inside[0], &inside[1]);
    if (part == CS_PART_INSIDE)
        return;
    double e, m;
    step_edge(p, old, new, r0, r1, c0, c1, &e, &m);
    double *h = &p->history[2 * (block * p->steps + step)];
    h[0] = inside[0] + e;
    h[1] = inside[1] > m ? inside[1] : m;
}

/* ---- halos --------------------------------------------------------------------- */

/* Face f's cells: a row (faces 0, 1) or a column (2, 3); `across` picks the
 * neighbour's cells just outside the block instead of the block's own. */
static void face_cells(const cs_problem *p, uint64_t block, unsigned face, int across,
                       size_t *first, size_t *count, size_t *step)
{
    size_t r0, r1, c0, c1, w = p->stride;
    block_cells(p, block, &r0, &r1, &c0, &c1);
    switch (face) {
    case 0: *first = (across ? r0 - 1 : r0) * w + c0; break;
    case 1: *first = (across ? r1 : r1 - 1) * w + c0; break;
    case 2: *first = r0 * w + (across ? c0 - 1 : c0); break;
    default: *first = r0 * w + (across ? c1 : c1 - 1); break;
    }
    *count = face < 2 ? c1 - c0 : r1 - r0;
    *step = face < 2 ? 1 : w;
}

static size_t heat_face_bytes(const cs_problem *p, uint64_t block, unsigned face)
{
    size_t first, count, step;
    face_cells(p, block, face, 0, &first, &count, &step);
    return count * sizeof(double);
}

static void heat_face_pack(const cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                           uint8_t *buf)
{
    size_t first, count, stride;
    face_cells(p, block, face, 0, &first, &count, &stride);
    const double *g = p->grid[step % 2];
    for (size_t i = 0; i < count; i++)
        memcpy(buf + i * sizeof(double), &g[first + i * stride], sizeof(double));
}

static void heat_halo_unpack(cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                             const uint8_t *buf)
{
    size_t first, count, stride;
    face_cells(p, block, face, 1, &first, &count, &stride);
    double *g = p->grid[step % 2];
    for (size_t i = 0; i < count; i++)
        memcpy(&g[first + i * stride], buf + i * sizeof(double), sizeof(double));
}

/* ---- the reduction over blocks ----------------------------------------------------- */

static cs_partial *partial_new(uint64_t steps)
{
    cs_partial *x = malloc(sizeof *x + (size_t)steps * 2 * sizeof(double));
    if (x)
        x->steps = steps;
    return x;
}

static int heat_item_run(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err)
{
    cs_partial *x = partial_new(p->steps);
    if (!x) {
        cs_err_set(err, "out of memory for block %llu's diagnostics", (unsigned long long)item);
        return CS_ENOMEM;
    }
    memcpy(x->v, &p->history[2 * item * p->steps], (size_t)p->steps * 2 * sizeof(double));
    *out = x;
    return CS_OK;
}

static int heat_combine(const cs_problem *p, cs_partial *left, cs_partial *right,
                        cs_partial **out, cs_err *err)
{
    (void)p;
    (void)err;
    for (uint64_t s = 0; s < left->steps; s++) {
        left->v[2 * s] += right->v[2 * s];
        left->v[2 * s + 1] = right->v[2 * s + 1] > left->v[2 * s + 1] ? right->v[2 * s + 1]
                                                                       : left->v[2 * s + 1];
    }
    free(right);
    *out = left;
    return CS_OK;
}

static void heat_partial_free(cs_partial *x)
{
    free(x);
}

static int heat_pack(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                     cs_err *err)
{
    (void)p;
    size_t words = (size_t)x->steps * 2;
    uint8_t *b = malloc(words * 8);
    if (!b) {
        cs_err_set(err, "out of memory packing %llu steps' diagnostics",
                   (unsigned long long)x->steps);
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < words; i++)
        cs_word_store(b + 8 * i, cs_word_of_double(x->v[i]));
    *buf = b;
    *len = words * 8;
    return CS_OK;
}

static int heat_unpack(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                       cs_err *err)
{
    if (len != (size_t)p->steps * 16) {
        cs_err_set(err, "a packed heat partial of %zu bytes, not %llu (16 a step)", len,
                   (unsigned long long)p->steps * 16);
        return CS_ECORRUPT;
    }
    cs_partial *x = partial_new(p->steps);
    if (!x) {
        cs_err_set(err, "out of memory unpacking a partial");
        return CS_ENOMEM;
    }
    for (size_t i = 0; i < (size_t)p->steps * 2; i++) {
        x->v[i] = cs_double_of_word(cs_word_load(buf + 8 * i));
        /* energies and maxima are sums of squares and absolute values */
        if (!isfinite(x->v[i]) || x->v[i] < 0.0) {
            cs_err_set(err, "a packed heat partial holds %g at step %zu, not a sum of squares "
                            "or a maximum", x->v[i], i / 2 + 1);
            free(x);
            return CS_ECORRUPT;
        }
    }
    *out = x;
    return CS_OK;
}

/* ---- verification ---------------------------------------------------------------- */

static unsigned tree_depth(uint64_t items)
{
    unsigned d = 0;
    while ((1ULL << d) < items)
        d++;
    return d;
}

static long double decay(const cs_problem *p)
{
    long double sn = sinl(3.141592653589793238462643383279502884L / (2.0L * (long double)(p->n + 1)));
    return 1.0L - 8.0L * (long double)HEAT_R * sn * sn;
}

static long double start_max(const cs_problem *p)
{
    if (p->n % 2)
        return 1.0L;
    long double c = cosl(3.141592653589793238462643383279502884L / (2.0L * (long double)(p->n + 1)));
    return c * c;
}

/* eps_k: the max-norm bound on the grid's error after k steps (top of the file). */
static double grid_bound(uint64_t k)
{
    double u = DBL_EPSILON / 2;
    return (13.0 + 1.01 * (double)k * (2.0 + 28.0 * HEAT_R)) * u;
}

static int heat_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    long double lam = decay(p), m0 = start_max(p), half = (long double)(p->n + 1) / 2.0L;
    long double e0 = half * half, lam_k = 1.0L;
    double u = DBL_EPSILON / 2, n = (double)p->n;
    /* blocks hold n/rows x n/cols cells, each side rounded down or up */
    double cells = (double)((p->n + p->rows - 1) / p->rows) * (double)((p->n + p->cols - 1) / p->cols);
    double ku = (cells + tree_depth(heat_item_count(p)) + 8.0) * u, gamma = ku / (1.0 - ku);
    for (uint64_t s = 0; s < p->steps; s++) {
        lam_k *= lam;
        uint64_t k = s + 1;
        double ref_rel = (double)(k + 8) * LDBL_EPSILON;
        double eps = grid_bound(k);
        if (eps > 0.01) {
            cs_err_set(err, "verification impossible: after %llu steps the rounding bound "
                            "%.3g is too loose to check", (unsigned long long)k, eps);
            return CS_EVERIFY;
        }
        double want_e = (double)(lam_k * lam_k * e0), want_m = (double)(lam_k * m0);
        double got_e = result->v[2 * s], got_m = result->v[2 * s + 1];
        double spread = eps * (2.0 * n * sqrt(want_e) + n * n * eps);
        double bound_e = spread + gamma * (want_e + spread) + ref_rel * want_e;
        double bound_m = eps + ref_rel * want_m;
        if (!(fabs(got_m - want_m) <= bound_m)) {
            cs_err_set(err, "verification failed: step %llu's maximum is %.17g, %.3g from the "
                            "eigenmode's %.17g, beyond the rounding bound %.3g",
                       (unsigned long long)k, got_m, fabs(got_m - want_m), want_m, bound_m);
            return CS_EVERIFY;
        }
        if (!(fabs(got_e - want_e) <= bound_e)) {
            cs_err_set(err, "verification failed: step %llu's energy is %.17g, %.3g from the "
                            "eigenmode's %.17g, beyond the rounding bound %.3g",
                       (unsigned long long)k, got_e, fabs(got_e - want_e), want_e, bound_e);
            return CS_EVERIFY;
        }
    }
    return CS_OK;
}

/* Energy in the continuous norm: h^2 times the sum, h = 1/(n+1). */
static double energy_of(const cs_problem *p, double sum)
{
    double h = 1.0 / (double)(p->n + 1);
    return sum * h * h;
}

static int heat_describe(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err)
{
    (void)err;
    uint64_t last = p->steps - 1, h = CS_FNV1A64_INIT;
    for (size_t i = 0; i < (size_t)p->steps * 2; i++) {
        uint64_t word = cs_word_of_double(result->v[i]);
        h = cs_fnv1a64(h, &word, sizeof word);
    }
    double e = energy_of(p, result->v[2 * last]), m = result->v[2 * last + 1];
    snprintf(d->digest, sizeof d->digest, "heat=%llu;energy=%.17g;max=%.17g;steps_fnv=%016llx",
             (unsigned long long)p->steps, e, m, (unsigned long long)h);
    snprintf(d->summary, sizeof d->summary, "%llu steps E %.6e max %.6f",
             (unsigned long long)p->steps, e, m);
    return CS_OK;
}

static int heat_write_value(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err)
{
    uint64_t last = p->steps - 1;
    if (fprintf(f, "steps=%llu energy=%.17g max=%.17g", (unsigned long long)p->steps,
                energy_of(p, result->v[2 * last]), result->v[2 * last + 1]) < 0) {
        cs_err_set(err, "writing the value failed");
        return CS_EINVAL;
    }
    return CS_OK;
}

/* Each step reads the old grid and writes the new one: 16 bytes a cell. */
static double heat_bytes_moved(const cs_problem *p)
{
    return 16.0 * (double)p->n * (double)p->n * (double)p->steps;
}

static const cs_stencil heat_stencil = {
    .default_steps = HEAT_DEFAULT_STEPS,
    .steps_max = HEAT_STEPS_MAX,
    .problem_new = heat_new,
    .steps = heat_steps,
    .block_grid = heat_block_grid,
    .block_start = heat_block_start,
    .block_step = heat_block_step,
    .face_bytes = heat_face_bytes,
    .face_pack = heat_face_pack,
    .halo_unpack = heat_halo_unpack,
};

const cs_kernel cs_kernel_heat = {
    .name = "heat",
    .what = "2D heat equation, explicit 5-point steps from a sine eigenmode (--steps, default 100)",
    .n_meaning = "grid side (n x n cells)",
    .class_sizes = {"64", "1024", "2048", "8192", "16384"},
    .class_c_cost = "two 2 GiB grids, 100 steps of 268M cells: about a minute on one core",
    .n_min = 1,
    .n_max = HEAT_N_MAX,
    .default_chunks = HEAT_SIDE_BLOCKS * HEAT_SIDE_BLOCKS,
    .problem_new = heat_problem_new,
    .problem_free = heat_problem_free,
    .item_count = heat_item_count,
    .item_run = heat_item_run,
    .combine = heat_combine,
    .partial_free = heat_partial_free,
    .pack = heat_pack,
    .unpack = heat_unpack,
    .verify = heat_verify,
    .describe = heat_describe,
    .write_value = heat_write_value,
    .bytes_moved = heat_bytes_moved,
    .stencil = &heat_stencil,
};
