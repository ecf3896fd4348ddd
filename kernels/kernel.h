/* The contract between a kernel (the work) and a driver (how it is run). */
#ifndef CS_KERNEL_H
#define CS_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A kernel knows nothing of threads, processes or clocks; a driver knows
 * nothing of any particular kernel. The honest-speedup rules (DESIGN.md):
 *  1. A case (one size n) is cut into work items by the problem alone
 *     (kernel, n, chunk count), never by the number of workers.
 *  2. Each item yields a partial; partials combine with an associative
 *     operation in one fixed binary tree over item indices (cs_tree_mid).
 *  3. So every driver does the same arithmetic and gets bit-identical results.
 *  4. The final result is verified by an independent check.
 *
 * Thread-safety: item_run, combine and combine_helped may be called
 * concurrently on the same problem for different items / partials;
 * item_prepare and partial_free likewise. Everything else is called by one
 * thread at a time.
 *
 * Every function returning int returns CS_OK or one of cs_status, and on
 * failure writes a one-line reason into err (never prints).
 */

enum cs_status {
    CS_OK = 0,
    CS_ENOMEM = 1,   /* allocation failed */
    CS_EINVAL = 2,   /* bad size or option for this kernel */
    CS_ECORRUPT = 3, /* a packed partial is malformed */
    CS_EVERIFY = 4,  /* the result is wrong */
    CS_EGROUP = 5,   /* a combine shared by a group stopped: another member failed */
};

/* S for tests, W the classic sizes, A and B for sweeps, C (about 4x B's work) for sweeps
 * past 16 cores. */
enum cs_class { CS_CLASS_S, CS_CLASS_W, CS_CLASS_A, CS_CLASS_B, CS_CLASS_C, CS_CLASS_COUNT };

typedef struct cs_problem cs_problem; /* defined by each kernel */
typedef struct cs_partial cs_partial; /* defined by each kernel */
typedef struct cs_stencil cs_stencil; /* a stencil's steps: below the kernel */

typedef struct cs_err {
    char msg[256];
} cs_err;

/* What a result looks like, for people and for comparisons. */
typedef struct cs_digest {
    char digest[160]; /* compact, comma-free: the CSV digest column; equal
                         digests mean equal results */
    char summary[96]; /* short, for the people's table: "3275295 bits, 985964 digits" */
} cs_digest;

/* Idle workers a driver lends to one combine: the top of the tree, where
 * fewer nodes are left than workers. run(ctx, parts, fn, arg) calls
 * fn(arg, i) exactly once for each i < parts, in any order, on any of its
 * threads, and returns when all have returned. */
typedef struct cs_helpers {
    void (*run)(void *ctx, unsigned parts, void (*fn)(void *arg, unsigned part), void *arg);
    void *ctx;
} cs_helpers;

/* Workers that share no memory (a job's ranks) lent to one combine: `size`
 * members, this one `rank`. exchange() is called by all members at once, the
 * same number of times: member i sends send_words[j] words to member j (send
 * holds them in member order, its own included) and receives recv_words[j]
 * from each j into recv, likewise. failed: this member has failed and brings
 * no data. It returns 0 when every member came without failing and the
 * words moved, otherwise not 0, to every member alike. */
typedef struct cs_group {
    unsigned rank, size;
    int (*exchange)(void *ctx, int failed, const uint64_t *send, const size_t *send_words,
                    uint64_t *recv, const size_t *recv_words);
    void *ctx;
} cs_group;

typedef struct cs_kernel {
    const char *name;      /* "product" */
    const char *what;      /* one line for --help */
    const char *n_meaning; /* what --n means for it: "loop bound n" */
    /* --class sizes: a comma list of n for S (tests, milliseconds), W, A, B, C. */
    const char *class_sizes[CS_CLASS_COUNT];
    /* One line for --help: what class C costs (time, memory), so no one starts it blind. */
    const char *class_c_cost;
    uint64_t n_min, n_max;   /* valid n */
    uint64_t default_chunks; /* used when --chunks is not given (capped at the
                                case's natural item limit, a fact of the problem) */
    /* NULL for a reduction; a stencil's steps otherwise (its shape, below). Its
     * items are its blocks, and item_run gives a block's diagnostics once every
     * step ran. */
    const cs_stencil *stencil;

    /* Validate n and chunks and build the case. chunks == 0 means the default. */
    int (*problem_new)(uint64_t n, uint64_t chunks, cs_problem **out, cs_err *err);
    void (*problem_free)(cs_problem *p);
    uint64_t (*item_count)(const cs_problem *p);
    /* Optional (NULL if unused): set up item's memory on the worker that will
     * run it (first touch), outside the timed region. */
    int (*item_prepare)(cs_problem *p, uint64_t item, cs_err *err);
    /* Run one item into a new partial. */
    int (*item_run)(cs_problem *p, uint64_t item, cs_partial **out, cs_err *err);
    /* *out = left (op) right. Consumes left and right, also on failure. */
    int (*combine)(const cs_problem *p, cs_partial *left, cs_partial *right,
                   cs_partial **out, cs_err *err);
    /* Optional: combine with helpers' threads working on parts of it; the
     * result is combine's, bit for bit. */
    int (*combine_helped)(const cs_problem *p, cs_partial *left, cs_partial *right,
                          const cs_helpers *h, cs_partial **out, cs_err *err);
    /* Optional, both or neither: a combine shared by two workers that share
     * no memory (MPI ranks). split cuts x into lo and hi such that
     * combine(l, x) == join(combine(l, lo), combine(l, hi)) bit for bit;
     * join consumes both. Pieces and the products with them pack and unpack
     * like any partial. split consumes x, also on failure. */
    int (*split)(const cs_problem *p, cs_partial *x, cs_partial **lo, cs_partial **hi,
                 cs_err *err);
    int (*join)(const cs_problem *p, cs_partial *a, cs_partial *b, cs_partial **out, cs_err *err);
    /* Optional: a combine shared by a group. Every member calls it at once with
     * its piece of left and of right (NULL: it holds none), pieces as split
     * makes them (they pack, unpack and join alike); *out is its piece of the
     * result (NULL: none), or with `whole` member 0's is all of it. h: this
     * member's threads, or NULL. Consumes left and right. CS_EGROUP when it
     * stopped because another member failed (whose message says why). */
    int (*combine_group)(const cs_problem *p, cs_partial *left, cs_partial *right,
                         const cs_group *g, const cs_helpers *h, int whole, cs_partial **out,
                         cs_err *err);
    void (*partial_free)(cs_partial *x);
    /* Bytes for MPI: pack into a malloc'd buffer; unpack rejects bad buffers. */
    int (*pack)(const cs_problem *p, const cs_partial *x, uint8_t **buf, size_t *len,
                cs_err *err);
    int (*unpack)(const cs_problem *p, const uint8_t *buf, size_t len, cs_partial **out,
                  cs_err *err);
    /* Is the final (root) partial right? CS_EVERIFY with the reason if not. */
    int (*verify)(cs_problem *p, const cs_partial *result, cs_err *err);
    int (*describe)(cs_problem *p, const cs_partial *result, cs_digest *d, cs_err *err);
    /* The full value, one line without the newline ("<decimal digits>"). */
    int (*write_value)(cs_problem *p, const cs_partial *result, FILE *f, cs_err *err);
    /* Optional: bytes of memory the case streams per run (triad reports GB/s). */
    double (*bytes_moved)(const cs_problem *p);
    /* Optional: bytes of each array size n streams through (triad: 8n). Drivers warn when
     * that is under 4x the last-level cache (STREAM's rule), and --class auto picks the
     * smallest class that meets it. */
    double (*array_bytes)(uint64_t n);
    /* Optional: the bytes of x's value, cheaply (no packing): --profile records a combine's
     * operands' bytes, from which the replay tells what ranks sharing it would exchange. */
    uint64_t (*partial_bytes)(const cs_partial *x);
} cs_kernel;

/* A case of either shape: steps is the stencil's step count (0: its default)
 * and must be 0 for a reduction. */
int cs_case_new(const cs_kernel *k, uint64_t n, uint64_t chunks, uint64_t steps,
                cs_problem **out, cs_err *err);

/*
 * The second shape of work: iterative and neighbour-coupled (a stencil). The
 * problem is a grid cut into blocks by the problem alone (n, --chunks); the
 * blocks form a block grid of 2 or 3 dimensions, numbered row-major (the last
 * dimension fastest). Each step, every block updates its cells from the
 * previous step's values of its own cells and of the cells just across its
 * faces (its halo: a 5-point or 7-point stencil reads no corners). A driver
 * owns who updates which block and how halos travel; the kernel owns the
 * cells. Within one process every block's cells live in one grid, so workers
 * sharing memory read their neighbours' cells in place; a process that does
 * not own a neighbour gets its face's cells as bytes (face_pack on the owner,
 * halo_unpack here) before the step that reads them.
 *
 * Each block's part of the step's diagnostics is kept by the kernel; after the
 * last step item_run(block) hands the block's whole history over as an
 * ordinary partial, and the partials combine in the fixed tree like any
 * reduction's. So results are bit-identical whoever updated which block.
 *
 * Thread-safety: block_start, block_step, face_pack and halo_unpack may run
 * concurrently for different blocks; for one step every block's CS_PART_INSIDE
 * may run while halos of that step are unpacked (it reads no halo).
 */
#define CS_GRID_DIMS_MAX 3
#define CS_NO_BLOCK UINT64_MAX

typedef struct cs_block_grid {
    unsigned dims;                     /* 2 or 3 */
    uint64_t extent[CS_GRID_DIMS_MAX]; /* blocks along each dimension, slowest first */
} cs_block_grid;

/* Face f of a block looks along dimension f / 2, to lower (f even) or higher
 * (f odd) indices: 2 * dims faces. */
static inline unsigned cs_face_opposite(unsigned face)
{
    return face ^ 1u;
}

/* The cells of one step of one block: those that read no halo, and the rest.
 * A step of a block is INSIDE then EDGE (ALL does both, in that order). */
enum cs_block_part { CS_PART_ALL, CS_PART_INSIDE, CS_PART_EDGE };

struct cs_stencil {
    uint64_t default_steps; /* when --steps is not given */
    uint64_t steps_max;
    /* problem_new with the step count (0: default_steps). Builds no cells yet:
     * cases are checked before any work, and every process builds the case. */
    int (*problem_new)(uint64_t n, uint64_t chunks, uint64_t steps, cs_problem **out,
                       cs_err *err);
    uint64_t (*steps)(const cs_problem *p);
    void (*block_grid)(const cs_problem *p, cs_block_grid *g);
    /* The block's cells at their initial state: called before each run by the
     * worker that will update the block (first touch). */
    int (*block_start)(cs_problem *p, uint64_t block, cs_err *err);
    /* Step `step` (0-based) of the block: reads step's old cells and halo,
     * writes the new ones, keeps the block's diagnostics for the step. */
    void (*block_step)(cs_problem *p, uint64_t block, uint64_t step, enum cs_block_part part);
    /* Halo bytes across face f of the block (what the neighbour there sends);
     * the same count as face_bytes(neighbour, opposite face). */
    size_t (*face_bytes)(const cs_problem *p, uint64_t block, unsigned face);
    /* The block's own cells along face f at the start of `step`, for the neighbour there. */
    void (*face_pack)(const cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                      uint8_t *buf);
    /* The neighbour's cells across face f, as face_pack made them, into this
     * process's grid before `step` reads them. */
    void (*halo_unpack)(cs_problem *p, uint64_t block, unsigned face, uint64_t step,
                        const uint8_t *buf);
};

/* The block across face f, or CS_NO_BLOCK at the grid's edge. */
static inline uint64_t cs_block_neighbour(const cs_block_grid *g, uint64_t block, unsigned face)
{
    uint64_t stride = 1;
    unsigned dim = face / 2;
    for (unsigned d = g->dims; d-- > dim + 1;)
        stride *= g->extent[d];
    uint64_t at = block / stride % g->extent[dim];
    if (face % 2 == 0)
        return at == 0 ? CS_NO_BLOCK : block - stride;
    return at + 1 == g->extent[dim] ? CS_NO_BLOCK : block + stride;
}

/* The fixed tree: node [lo, hi) with hi - lo >= 2 splits at cs_tree_mid. Every
 * driver combines exactly these nodes, so results do not depend on workers. */
static inline uint64_t cs_tree_mid(uint64_t lo, uint64_t hi)
{
    return lo + (hi - lo + 1) / 2;
}

/* The fixed tree's depth over `items` leaves (levels of combines a leaf goes through, at
 * most): rounding bounds count one rounding a level. */
static inline unsigned cs_tree_depth(uint64_t items)
{
    unsigned d = 0;
    while (d < 64 && (1ULL << d) < items)
        d++;
    return d;
}

/* The registry: name -> kernel. */
const cs_kernel *cs_kernel_find(const char *name);
size_t cs_kernel_count(void);
const cs_kernel *cs_kernel_at(size_t i);
/* "product, pi, primes, triad" for messages. */
const char *cs_kernel_names(void);

/* Helpers shared by kernels. */
void cs_err_set(cs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The bytes a problem may count on: physical memory, or less where ulimit -v (what is
 * left of it) or ulimit -d says so; what says which, for a message ("this machine's
 * 7.8 GiB"). 0 when nothing is known. */
double cs_memory_room(char *what, size_t size);
uint64_t cs_fnv1a64(uint64_t h, const void *data, size_t len);
#define CS_FNV1A64_INIT 0xcbf29ce484222325ULL

#endif
