/* The heat kernels: explicit steps of the heat equation in 2D (5-point) and 3D (7-point), stencil-shaped kernels. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel.h"
#include "word.h"

/*
 * The grid: n cells a side (indices 1..n) inside a ring (2D) or shell (3D) of
 * cells fixed at 0, stored with the last axis fastest. Cells are addressed on
 * three axes z, y, x; a 2D grid has one z layer and no neighbours along z.
 * Each step every interior cell becomes
 *     2D  v = c + r * ((((N + S) + W) + E) - 4c),                   r = 0.2
 *     3D  v = c + r * ((((((U + D) + N) + S) + W) + E) - 6c),       r = 0.15
 * always in that order, whoever computes it (r <= 1/(2 dims): stable, and the
 * update a convex combination). Two grids alternate: step s reads grid s % 2
 * and writes the other. --chunks cuts the cells into a block grid as close to
 * a square (cube) as the count allows, the first axis cut most.
 *
 * Diagnostics of each step, per block: the energy sum of v^2 and the maximum
 * |v| of the new values. A block's energy is its inside cells' sum (the
 * cells that read no halo; each row along x in four lanes by column, the
 * lanes joined in a fixed order, rows in order) plus its edge cells' (rows in
 * order; a row on the block's boundary whole, any other its two ends), the
 * same order whether the inside and the edge ran together or apart. The
 * blocks' histories then combine in the fixed tree (+ and max), so the result
 * does not depend on who ran which block.
 *
 * Verification. The start is the discrete eigenmode u0 = prod over the axes
 * of s_i, s_i = sin(pi i / (n+1)); the update keeps it an eigenmode with
 * factor lambda = 1 - 4 dims r sin^2(pi / (2(n+1))) (r being the double the
 * arithmetic uses), so after k steps exactly u = lambda^k u0, whose energy is
 * lambda^(2k) ((n+1)/2)^dims (the sum of sin^2 over i is (n+1)/2) and whose
 * maximum is lambda^k M0 (M0 the largest s_i to the power dims: 1 for odd n).
 * Both are computed in long double. The computed grid differs from u by e_k,
 * bounded in max norm (u the unit roundoff, T = 2 dims the neighbours):
 *   start   s_i from an argument at most pi/2 (the sine's symmetry), rounded
 *           thrice (pi, times i, over n+1) and once more by sin: 6u relative;
 *           the product of dims of them: (7 dims - 1)u, so |e_0| <= that.
 *   a step  rounds the T-term sum (gamma_(T-1) T M), the difference with Tc
 *           (|q| <= 2T M), the product with r and the final sum (|v| <= M):
 *           at most (1 + T(T+3) r) u M to first order (28r + 1 in 2D, 54r + 1
 *           in 3D); (2 + T(T+3) r) u M covers the rest, with M <= 1.01 while
 *           the whole bound stays under 0.01.
 *   steps   the update's max-norm is (1 - T r) + T r = 1, so the local errors
 *           add: |e_k| <= eps_k = ((7 dims - 1) + 1.01 k (2 + T(T+3) r)) u.
 * The maximum is then within eps_k of lambda^k M0. The energy of the computed
 * cells is within eps_k (2 sqrt(n^dims E) + n^dims eps_k) of E (Cauchy-Schwarz
 * on sum |u|), and its summation (squares, lanes, rows, the edge, the tree:
 * fewer than L + D + 8 roundings for blocks of at most L cells and a tree of
 * depth D) adds gamma_(L+D+8) of it. The long double references add
 * (k + 8) LDBL_EPSILON relative. A cell that goes astray by more than that (a
 * lost or corrupted halo, a wrong block) fails verification.
 */

#define HEAT_DEFAULT_STEPS 100
#define HEAT_STEPS_MAX 1000000

/* What tells the 2D kernel from the 3D one. */
struct shape {
    const char *name;
    unsigned dims;
    double r;
    uint64_t n_max;
    uint64_t side_blocks; /* the default block grid: this many a side, fewer for small n */
};

static const struct shape shape_2d = {"heat", 2, 0.2, 1ULL << 20, 16};
static const struct shape shape_3d = {"heat3d", 3, 0.15, 1ULL << 12, 8};

struct cs_problem {
    const struct shape *shape;
    uint64_t n, steps;
    uint64_t along[3];  /* blocks along z, y, x (z: 1 in 2D) */
    size_t stride[3];   /* cells between neighbours along z, y, x */
    size_t cells;       /* in one grid, the fixed shell included */
    double *grid[2];    /* mapped lazily: a process touches only its blocks and halos */
    size_t grid_bytes;
    double *s;          /* s_i, i = 0..n+1 */
    double *history;    /* per block, per step: energy, maximum */
    double *inside;     /* per block: the current step's inside energy, maximum */
};

struct cs_partial {
    uint64_t steps;
    double v[]; /* per step: energy, maximum */
};

/* A box of cells: [lo[a], hi[a]) on each axis. */
struct box {
    size_t lo[3], hi[3];
};

/* ---- the case ------------------------------------------------------------------ */

/* The largest divisor of v at most its k-th root. */
static uint64_t root_divisor(uint64_t v, unsigned k)
{
    uint64_t best = 1;
    for (uint64_t d = 1;; d++) {
        uint64_t pow = k == 2 ? d * d : d * d * d;
        if (pow > v)
            break;
        if (v % d == 0)
            best = d;
    }
    return best;
}

/* The block grid for `blocks` blocks on the axes in use (z only in 3D): the fastest axis
 * gets the largest divisor at most the count's square (cube) root, the slowest the rest. */
static void block_shape(unsigned dims, uint64_t blocks, uint64_t *along)
{
    along[0] = along[1] = along[2] = 1;
    uint64_t rest = blocks;
    if (dims == 3) {
        along[2] = root_divisor(rest, 3);
        rest /= along[2];
        along[1] = root_divisor(rest, 2);
        along[0] = rest / along[1];
    } else {
        along[2] = root_divisor(rest, 2);
        along[1] = rest / along[2];
    }
}

static int heat_new_shape(const struct shape *sh, uint64_t n, uint64_t chunks, uint64_t steps,
                          cs_problem **out, cs_err *err)
{
    unsigned dims = sh->dims;
    if (n < 1 || n > sh->n_max) {
        cs_err_set(err, "--n %llu: %s needs 1 <= n <= %llu cells a side",
                   (unsigned long long)n, sh->name, (unsigned long long)sh->n_max);
        return CS_EINVAL;
    }
    if (steps == 0)
        steps = HEAT_DEFAULT_STEPS;
    if (steps > HEAT_STEPS_MAX) {
        cs_err_set(err, "--steps %llu: %s takes at most %d steps", (unsigned long long)steps,
                   sh->name, HEAT_STEPS_MAX);
        return CS_EINVAL;
    }
    uint64_t side = n < sh->side_blocks ? n : sh->side_blocks;
    uint64_t blocks = chunks ? chunks : (dims == 3 ? side * side * side : side * side);
    uint64_t along[3];
    block_shape(dims, blocks, along);
    if (along[0] > n || along[1] > n || along[2] > n) {
        if (dims == 2)
            cs_err_set(err, "--chunks %llu: heat cuts the grid into %llu x %llu blocks, more "
                            "than n=%llu cells a side", (unsigned long long)blocks,
                       (unsigned long long)along[1], (unsigned long long)along[2],
                       (unsigned long long)n);
        else
            cs_err_set(err, "--chunks %llu: heat3d cuts the grid into %llu x %llu x %llu "
                            "blocks, more than n=%llu cells a side",
                       (unsigned long long)blocks, (unsigned long long)along[0],
                       (unsigned long long)along[1], (unsigned long long)along[2],
                       (unsigned long long)n);
        return CS_EINVAL;
    }
    size_t w = (size_t)n + 2, cells = dims == 3 ? w * w * w : w * w;
    size_t grid_bytes = cells * sizeof(double);
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
    *p = (cs_problem){.shape = sh, .n = n, .steps = steps, .along = {along[0], along[1], along[2]},
                      .stride = {dims == 3 ? w * w : 0, w, 1}, .cells = cells,
                      .grid_bytes = grid_bytes};
    p->s = malloc(w * sizeof *p->s);
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

static int heat_new(uint64_t n, uint64_t chunks, uint64_t steps, cs_problem **out, cs_err *err)
{
    return heat_new_shape(&shape_2d, n, chunks, steps, out, err);
}

static int heat3d_new(uint64_t n, uint64_t chunks, uint64_t steps, cs_problem **out, cs_err *err)
{
    return heat_new_shape(&shape_3d, n, chunks, steps, out, err);
}

static int heat_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    return heat_new(n, chunks, 0, out, err);
}

static int heat3d_problem_new(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err)
{
    return heat3d_new(n, chunks, 0, out, err);
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
    return p->along[0] * p->along[1] * p->along[2];
}

static uint64_t heat_steps(const cs_problem *p)
{
    return p->steps;
}

static void heat_block_grid(const cs_problem *p, cs_block_grid *g)
{
    unsigned dims = p->shape->dims, first = 3 - dims;
    g->dims = dims;
    for (unsigned d = 0; d < CS_GRID_DIMS_MAX; d++)
        g->extent[d] = d < dims ? p->along[first + d] : 1;
}

/* The block's cells, 1-based on the axes in use, [0, 1) on z in 2D. */
static struct box block_box(const cs_problem *p, uint64_t block)
{
    struct box b;
    uint64_t at[3];
    at[2] = block % p->along[2];
    at[1] = block / p->along[2] % p->along[1];
    at[0] = block / p->along[2] / p->along[1];
    for (unsigned a = 0; a < 3; a++) {
        if (p->shape->dims == 2 && a == 0) {
            b.lo[a] = 0;
            b.hi[a] = 1;
            continue;
        }
        b.lo[a] = 1 + (size_t)(p->n * at[a] / p->along[a]);
        b.hi[a] = 1 + (size_t)(p->n * (at[a] + 1) / p->along[a]);
    }
    return b;
}

static size_t cell_at(const cs_problem *p, size_t z, size_t y, size_t x)
{
    return z * p->stride[0] + y * p->stride[1] + x;
}

static int heat_block_start(cs_problem *p, uint64_t block, cs_err *err)
{
    (void)err;
    struct box b = block_box(p, block);
    int three = p->shape->dims == 3;
    for (size_t z = b.lo[0]; z < b.hi[0]; z++)
        for (size_t y = b.lo[1]; y < b.hi[1]; y++)
            for (size_t x = b.lo[2]; x < b.hi[2]; x++) {
                size_t at = cell_at(p, z, y, x);
                p->grid[0][at] = three ? (p->s[z] * p->s[y]) * p->s[x] : p->s[y] * p->s[x];
                p->grid[1][at] = 0.0; /* touched here, by the block's worker */
            }
    return CS_OK;
}

/* ---- one step ------------------------------------------------------------------ */

/* The one update, the same wherever a cell is (the inside rows spell it out: the same
 * operations in the same order). */
static inline double cell_new(const cs_problem *p, const double *old, size_t at)
{
    size_t w = p->stride[1];
    double c = old[at], r = p->shape->r;
    if (p->shape->dims == 2)
        return c + r * ((((old[at - w] + old[at + w]) + old[at - 1]) + old[at + 1]) - 4.0 * c);
    size_t l = p->stride[0];
    return c + r * ((((((old[at - l] + old[at + l]) + old[at - w]) + old[at + w]) + old[at - 1]) +
                     old[at + 1]) - 6.0 * c);
}

static inline double abs_max(double m, double v)
{
    double a = fabs(v);
    return a > m ? a : m;
}

/* Cells x0 .. x1-1 of the row at `row` (its x = 0 cell): all of whose neighbours are
 * the block's. The two grids never overlap: restrict lets the row vectorize unchecked. */
static void row_inside(const cs_problem *p, const double *old, double *new, size_t row,
                       size_t x0, size_t x1)
{
    size_t w = p->stride[1], l = p->stride[0];
    double r = p->shape->r;
    const double *restrict mid = old + row, *restrict north = mid - w, *restrict south = mid + w;
    double *restrict out = new + row;
    if (p->shape->dims == 2) {
        for (size_t x = x0; x < x1; x++) {
            double c = mid[x];
            out[x] = c + r * ((((north[x] + south[x]) + mid[x - 1]) + mid[x + 1]) - 4.0 * c);
        }
        return;
    }
    const double *restrict up = mid - l, *restrict down = mid + l;
    for (size_t x = x0; x < x1; x++) {
        double c = mid[x];
        out[x] = c + r * ((((((up[x] + down[x]) + north[x]) + south[x]) + mid[x - 1]) +
                           mid[x + 1]) - 6.0 * c);
    }
}

/* Does the row (z, y) lie inside the block on its non-x axes? */
static int row_is_inside(const cs_problem *p, const struct box *b, size_t z, size_t y)
{
    int z_in = p->shape->dims == 2 || (z > b->lo[0] && z + 1 < b->hi[0]);
    return z_in && y > b->lo[1] && y + 1 < b->hi[1];
}

static void step_inside(const cs_problem *p, const double *old, double *new, const struct box *b,
                        double *energy, double *max)
{
    double e = 0.0, m = 0.0;
    size_t x0 = b->lo[2] + 1, x1 = b->hi[2] - 1;
    for (size_t z = b->lo[0]; z < b->hi[0]; z++)
        for (size_t y = b->lo[1]; y < b->hi[1]; y++) {
            if (!row_is_inside(p, b, z, y) || x1 <= x0)
                continue;
            size_t row = cell_at(p, z, y, 0);
            row_inside(p, old, new, row, x0, x1);
            /* a second pass over the row just written (in L1): the update above
             * vectorizes, and four lanes keep the sums from one long chain */
            double lane[4] = {0.0, 0.0, 0.0, 0.0};
            const double *v = new + row + x0;
            size_t count = x1 - x0, j = 0;
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

static inline void edge_cell(const cs_problem *p, const double *old, double *new, size_t at,
                             double *e, double *m)
{
    double v = cell_new(p, old, at);
    new[at] = v;
    *e += v * v;
    *m = abs_max(*m, v);
}

/* The rest of the block, row by row: a row on the block's boundary whole, any other its ends. */
static void step_edge(const cs_problem *p, const double *old, double *new, const struct box *b,
                      double *energy, double *max)
{
    double e = 0.0, m = 0.0;
    for (size_t z = b->lo[0]; z < b->hi[0]; z++)
        for (size_t y = b->lo[1]; y < b->hi[1]; y++) {
            size_t row = cell_at(p, z, y, 0);
            if (!row_is_inside(p, b, z, y)) {
                for (size_t x = b->lo[2]; x < b->hi[2]; x++)
                    edge_cell(p, old, new, row + x, &e, &m);
                continue;
            }
            edge_cell(p, old, new, row + b->lo[2], &e, &m);
            if (b->hi[2] - 1 > b->lo[2])
                edge_cell(p, old, new, row + b->hi[2] - 1, &e, &m);
        }
    *energy = e;
    *max = m;
}

static void heat_block_step(cs_problem *p, uint64_t block, uint64_t step, enum cs_block_part part)
{
    struct box b = block_box(p, block);
    const double *old = p->grid[step % 2];
    double *new = p->grid[(step + 1) % 2];
    double *inside = &p->inside[2 * block];
    if (part != CS_PART_EDGE)
        step_inside(p, old, new, &b, &inside[0], &inside[1]);
    if (part == CS_PART_INSIDE)
        return;
    double e, m;
    step_edge(p, old, new, &b, &e, &m);
    double *h = &p->history[2 * (block * p->steps + step)];
    h[0] = inside[0] + e;
    h[1] = inside[1] > m ? inside[1] : m;
}

/* ---- halos --------------------------------------------------------------------- */

/* Face f's layer of cells: the block's own outermost layer on that side, or
 * (`across`) the neighbour's cells just outside it. */
static struct box face_box(const cs_problem *p, uint64_t block, unsigned face, int across)
{
    struct box b = block_box(p, block);
    unsigned a = face / 2 + (3 - p->shape->dims); /* the axis the face looks along */
    if (face % 2 == 0)
        b.lo[a] = across ? b.lo[a] - 1 : b.lo[a];
    else
        b.lo[a] = across ? b.hi[a] : b.hi[a] - 1;
    b.hi[a] = b.lo[a] + 1;
    return b;
}

static size_t box_cells(const struct box *b)
{
    return (b->hi[0] - b->lo[0]) * (b->hi[1] - b->lo[1]) * (b->hi[2] - b->lo[2]);
}

static size_t heat_face_bytes(const cs_problem *p, uint64_t block, unsigned face)
{
    struct box b = face_box(p, block, face, 0);
    return box_cells(&b) * sizeof(double);
}

/* Copies a face's box between the grid and buf, z, y, x order. */
static void copy_box(const cs_problem *p, const struct box *b, double *g, uint8_t *buf, int to_buf)
{
    size_t at = 0, run = (b->hi[2] - b->lo[2]) * sizeof(double);
    for (size_t z = b->lo[0]; z < b->hi[0]; z++)
        for (size_t y = b->lo[1]; y < b->hi[1]; y++, at += run) {
            double *cells = g + cell_at(p, z, y, b->lo[2]);
            if (to_buf)
                memcpy(buf + at, cells, run);
            else
                memcpy(cells, buf + at, run);
        }
}

static void heat_face_pack(const cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                           uint8_t *buf)
{
    struct box b = face_box(p, block, face, 0);
    copy_box(p, &b, p->grid[step % 2], buf, 1);
}

static void heat_halo_unpack(cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                             const uint8_t *buf)
{
    struct box b = face_box(p, block, face, 1);
    copy_box(p, &b, p->grid[step % 2], (uint8_t *)buf, 0);
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
        cs_err_set(err, "a packed %s partial of %zu bytes, not %llu (16 a step)", p->shape->name,
                   len, (unsigned long long)p->steps * 16);
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
            cs_err_set(err, "a packed %s partial holds %g at step %zu, not a sum of squares "
                            "or a maximum", p->shape->name, x->v[i], i / 2 + 1);
            free(x);
            return CS_ECORRUPT;
        }
    }
    *out = x;
    return CS_OK;
}

/* ---- verification ---------------------------------------------------------------- */

#define HEAT_PI_L 3.141592653589793238462643383279502884L

static long double decay(const cs_problem *p)
{
    long double sn = sinl(HEAT_PI_L / (2.0L * (long double)(p->n + 1)));
    return 1.0L - 4.0L * p->shape->dims * (long double)p->shape->r * sn * sn;
}

static long double power(long double x, unsigned k)
{
    long double y = 1.0L;
    while (k--)
        y *= x;
    return y;
}

static long double start_max(const cs_problem *p)
{
    if (p->n % 2)
        return 1.0L;
    return power(cosl(HEAT_PI_L / (2.0L * (long double)(p->n + 1))), p->shape->dims);
}

/* eps_k: the max-norm bound on the grid's error after k steps (top of the file). */
static double grid_bound(const cs_problem *p, uint64_t k)
{
    double u = DBL_EPSILON / 2, dims = p->shape->dims, t = 2 * dims;
    return ((7.0 * dims - 1.0) + 1.01 * (double)k * (2.0 + t * (t + 3.0) * p->shape->r)) * u;
}

static int heat_verify(cs_problem *p, const cs_partial *result, cs_err *err)
{
    unsigned dims = p->shape->dims;
    long double lam = decay(p), m0 = start_max(p);
    long double e0 = power((long double)(p->n + 1) / 2.0L, dims), lam_k = 1.0L;
    double u = DBL_EPSILON / 2, cells_all = pow((double)p->n, dims);
    /* blocks hold n/along cells a side, each side rounded down or up */
    double cells = 1.0;
    for (unsigned a = 3 - dims; a < 3; a++)
        cells *= (double)((p->n + p->along[a] - 1) / p->along[a]);
    double ku = (cells + cs_tree_depth(heat_item_count(p)) + 8.0) * u, gamma = ku / (1.0 - ku);
    for (uint64_t s = 0; s < p->steps; s++) {
        lam_k *= lam;
        uint64_t k = s + 1;
        double ref_rel = (double)(k + 8) * LDBL_EPSILON;
        double eps = grid_bound(p, k);
        if (eps > 0.01) {
            cs_err_set(err, "verification impossible: after %llu steps the rounding bound "
                            "%.3g is too loose to check", (unsigned long long)k, eps);
            return CS_EVERIFY;
        }
        double want_e = (double)(lam_k * lam_k * e0), want_m = (double)(lam_k * m0);
        double got_e = result->v[2 * s], got_m = result->v[2 * s + 1];
        double spread = eps * (2.0 * sqrt(cells_all * want_e) + cells_all * eps);
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

/* Energy in the continuous norm: h^dims times the sum, h = 1/(n+1). */
static double energy_of(const cs_problem *p, double sum)
{
    return sum * pow(1.0 / (double)(p->n + 1), p->shape->dims);
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
    snprintf(d->digest, sizeof d->digest, "%s=%llu;energy=%.17g;max=%.17g;steps_fnv=%016llx",
             p->shape->name, (unsigned long long)p->steps, e, m, (unsigned long long)h);
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
    return 16.0 * pow((double)p->n, p->shape->dims) * (double)p->steps;
}

/* Each grid (the old and the new): (n + 2)^dims doubles, the fixed border included; a
 * step streams both, so the cache rule looks at one. */
static double heat_array_bytes(uint64_t n)
{
    return 8.0 * ((double)n + 2) * ((double)n + 2);
}

static double heat3d_array_bytes(uint64_t n)
{
    return heat_array_bytes(n) * ((double)n + 2);
}

/* Both kernels' steps and reduction: only their case (the shape) differs. */
#define HEAT_STENCIL_OPS                                                                         \
    .default_steps = HEAT_DEFAULT_STEPS, .steps_max = HEAT_STEPS_MAX, .steps = heat_steps,       \
    .block_grid = heat_block_grid, .block_start = heat_block_start,                              \
    .block_step = heat_block_step, .face_bytes = heat_face_bytes, .face_pack = heat_face_pack,   \
    .halo_unpack = heat_halo_unpack
#define HEAT_KERNEL_OPS                                                                          \
    .n_min = 1, .problem_free = heat_problem_free, .item_count = heat_item_count,                \
    .item_run = heat_item_run, .combine = heat_combine, .partial_free = heat_partial_free,       \
    .pack = heat_pack, .unpack = heat_unpack, .verify = heat_verify, .describe = heat_describe,  \
    .write_value = heat_write_value, .bytes_moved = heat_bytes_moved

static const cs_stencil heat_stencil = {.problem_new = heat_new, HEAT_STENCIL_OPS};
static const cs_stencil heat3d_stencil = {.problem_new = heat3d_new, HEAT_STENCIL_OPS};

const cs_kernel cs_kernel_heat = {
    .name = "heat",
    .what = "2D heat equation, explicit 5-point steps from a sine eigenmode (--steps, default 100)",
    .n_meaning = "grid side (n x n cells)",
    .class_sizes = {"64", "1024", "2048", "8192", "16384"},
    .class_c_cost = "two 2 GiB grids, 100 steps of 268M cells: about a minute on one core",
    .n_max = 1ULL << 20,
    .default_chunks = 16 * 16,
    .problem_new = heat_problem_new,
    .stencil = &heat_stencil,
    .array_bytes = heat_array_bytes,
    HEAT_KERNEL_OPS,
};

/* The same kernel in 3D: the contract's faces 4 and 5, and no driver change. */
const cs_kernel cs_kernel_heat3d = {
    .name = "heat3d",
    .what = "3D heat equation, explicit 7-point steps from a sine eigenmode (--steps, default 100)",
    .n_meaning = "grid side (n x n x n cells)",
    .class_sizes = {"16", "128", "256", "512", "1024"},
    .class_c_cost = "two 8 GiB grids, 100 steps of 1.07G cells: minutes on one core",
    .n_max = 1ULL << 12,
    .default_chunks = 8 * 8 * 8,
    .problem_new = heat3d_problem_new,
    .stencil = &heat3d_stencil,
    .array_bytes = heat3d_array_bytes,
    HEAT_KERNEL_OPS,
};
