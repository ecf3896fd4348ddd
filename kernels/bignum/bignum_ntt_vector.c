/* bignum's transform product, vector build: the same transforms in AVX2 (and AVX-512) doubles. */
#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "bignum_ntt.h"

/*
 * Residues below p < 2^50 are exact in doubles, and so is a product of two of
 * them split as h + l with h = fl(x w) and l = fma(x, w, -h), an integer of
 * at most 2^46 (half an ulp of h < 2^100). For |x| < p and 0 <= w < p:
 *  - q = round(fl(h fl(1/p))) carries three roundings, so the quotient it
 *    rounds is within 3 2^-53 |x w| / p < 3 2^-53 2^50 = 0.375 of x w / p,
 *    and q within 0.875: x w - q p lies in (-p, p).
 *  - fma(-q, p, h) = x w - q p - l is an integer below 2^51, exact in its one
 *    rounding; adding l gives x w - q p, below 2^50, exact too.
 * One conditional addition of p then makes it canonical. The bound assumes
 * rounding to nearest, the default: in any other mode bn_ntt_avx2_usable()
 * says no. Every value stays in [0, p), integers that also convert to words
 * exactly through 2^52.
 *
 * The transforms mirror the scalar ones (bignum_ntt.c): decimation in
 * frequency forward (bit-reversed out), in time inverse, a radix-3 step
 * first for lengths 3M. Stages with len >= 4 run four butterflies per
 * instruction; the two smallest stages work on 4 x 4 blocks transposed in
 * registers. Where AVX-512F runs, stages of len >= 8 and the pointwise
 * products take eight at a time. Measured on the development machine for one
 * radix-2 stage of 32768 points: 0.52 ns per butterfly (AVX2), 0.35
 * (AVX-512) against 1.2 for the scalar Shoup ones.
 */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) /* gcc's target pragmas */

#include <immintrin.h>

/* The proof above needs rounding to nearest, and inexact results must not
 * trap: both are the defaults of MXCSR, which a thread may change. */
static int mxcsr_as_proved(void) { return (_mm_getcsr() & 0x7000) == 0x1000; }

/* What the CPU runs (BN_NTT_SCALAR, _AVX2 with FMA, or _AVX512 with AVX-512F
 * too), asked once; racing first askers store the same answer. */
static int cpu_level(void)
{
    static _Atomic int known; /* 0: not asked yet; otherwise the level + 1 */
    int k = atomic_load_explicit(&known, memory_order_relaxed);
    if (k == 0) {
        __builtin_cpu_init();
        int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        k = 1 + avx2 + (avx2 && __builtin_cpu_supports("avx512f"));
        atomic_store_explicit(&known, k, memory_order_relaxed);
    }
    return k - 1;
}

int bn_ntt_avx2_usable(void) { return cpu_level() >= BN_NTT_AVX2 && mxcsr_as_proved(); }
int bn_ntt_avx512_usable(void) { return cpu_level() >= BN_NTT_AVX512 && mxcsr_as_proved(); }

/* ---- the widest stages, eight butterflies at a time (AVX-512F) ----------- */

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")

typedef __m512d wd;

static inline wd wmulmod(wd x, wd w, wd P, wd Pinv)
{
    wd h = _mm512_mul_pd(x, w);
    wd l = _mm512_fmsub_pd(x, w, h);
    wd q = _mm512_roundscale_pd(_mm512_mul_pd(h, Pinv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    wd r = _mm512_add_pd(_mm512_fnmadd_pd(q, P, h), l);
    return _mm512_mask_add_pd(r, _mm512_cmp_pd_mask(r, _mm512_setzero_pd(), _CMP_LT_OQ), r, P);
}

static inline wd waddmod(wd a, wd b, wd P)
{
    wd s = _mm512_add_pd(a, b), t = _mm512_sub_pd(s, P);
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(t, _mm512_setzero_pd(), _CMP_LT_OQ), t, s);
}

static inline wd wsubmod(wd a, wd b, wd P)
{
    wd d = _mm512_sub_pd(a, b);
    return _mm512_mask_add_pd(d, _mm512_cmp_pd_mask(d, _mm512_setzero_pd(), _CMP_LT_OQ), d, P);
}

/* The butterflies x0[j], x1[j] for j < count (a multiple of 8) of one
 * radix-2 stage, w their twiddles: as dif_run and dit_run below. */
static void dif_run512(double *x0, double *x1, const double *w, size_t count, double p)
{
    wd P = _mm512_set1_pd(p), Pinv = _mm512_set1_pd(1.0 / p);
    for (size_t j = 0; j < count; j += 8) {
        wd u = _mm512_loadu_pd(x0 + j), v = _mm512_loadu_pd(x1 + j);
        _mm512_storeu_pd(x0 + j, waddmod(u, v, P));
        _mm512_storeu_pd(x1 + j, wmulmod(_mm512_sub_pd(u, v), _mm512_loadu_pd(w + j), P, Pinv));
    }
}

static void dit_run512(double *x0, double *x1, const double *nw, size_t count, double p)
{
    wd P = _mm512_set1_pd(p), Pinv = _mm512_set1_pd(1.0 / p);
    for (size_t j = 0; j < count; j += 8) {
        wd u = _mm512_loadu_pd(x0 + j);
        wd t = wmulmod(_mm512_loadu_pd(x1 + j), _mm512_loadu_pd(nw + j), P, Pinv);
        _mm512_storeu_pd(x0 + j, wsubmod(u, t, P));
        _mm512_storeu_pd(x1 + j, waddmod(u, t, P));
    }
}

/* x[j] = x[j] y[j] mod p, n a multiple of 8 */
static void pointwise512(double *x, const double *y, size_t n, double p)
{
    wd P = _mm512_set1_pd(p), Pinv = _mm512_set1_pd(1.0 / p);
    for (size_t j = 0; j < n; j += 8)
        _mm512_storeu_pd(x + j, wmulmod(_mm512_loadu_pd(x + j), _mm512_loadu_pd(y + j), P, Pinv));
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")

typedef __m256d vd;

typedef struct vfield {
    vd P, Pinv;
    double p, pinv;
    int wide; /* stages of len >= 8 and pointwise products in AVX-512 */
} vfield;

static inline vd vset(double v) { return _mm256_set1_pd(v); }

static void vfield_init(vfield *f, bn_limb p)
{
    f->wide = 0;
    f->p = (double)p;
    f->pinv = 1.0 / (double)p;
    f->P = vset(f->p);
    f->Pinv = vset(f->pinv);
}

/* x w mod p in [0, p) for |x| < p, 0 <= w < p */
static inline vd mulmod(vd x, vd w, const vfield *f)
{
    vd h = _mm256_mul_pd(x, w);
    vd l = _mm256_fmsub_pd(x, w, h);
    vd q = _mm256_round_pd(_mm256_mul_pd(h, f->Pinv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vd r = _mm256_add_pd(_mm256_fnmadd_pd(q, f->P, h), l);
    return _mm256_blendv_pd(r, _mm256_add_pd(r, f->P), r); /* r < 0: r + p */
}

/* a + b and a - b mod p for a, b in [0, p) */
static inline vd addmod(vd a, vd b, const vfield *f)
{
    vd s = _mm256_add_pd(a, b), t = _mm256_sub_pd(s, f->P);
    return _mm256_blendv_pd(t, s, t); /* t < 0: s */
}

static inline vd submod(vd a, vd b, const vfield *f)
{
    vd d = _mm256_sub_pd(a, b);
    return _mm256_blendv_pd(d, _mm256_add_pd(d, f->P), d);
}

static inline vd ld(const double *p) { return _mm256_loadu_pd(p); }
static inline void st(double *p, vd v) { _mm256_storeu_pd(p, v); }

/* One value, through lane 0 of the vector code. */
static double smulmod(double x, double w, const vfield *f)
{
    return _mm256_cvtsd_f64(mulmod(vset(x), vset(w), f));
}

static inline void transpose4(vd *r0, vd *r1, vd *r2, vd *r3)
{
    vd t0 = _mm256_unpacklo_pd(*r0, *r1), t1 = _mm256_unpackhi_pd(*r0, *r1);
    vd t2 = _mm256_unpacklo_pd(*r2, *r3), t3 = _mm256_unpackhi_pd(*r2, *r3);
    *r0 = _mm256_permute2f128_pd(t0, t2, 0x20);
    *r1 = _mm256_permute2f128_pd(t1, t3, 0x20);
    *r2 = _mm256_permute2f128_pd(t0, t2, 0x31);
    *r3 = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* ---- tables -------------------------------------------------------------- */

#define GEO_LANES 32 /* independent products in flight: eight vectors */

/* b^e, by squaring. */
static double vpow(double b, size_t e, const vfield *f)
{
    double r = 1;
    for (; e; e >>= 1) {
        if (e & 1)
            r = smulmod(r, b, f);
        b = smulmod(b, b, f);
    }
    return r;
}

/* out[j] = c r^j for j < count (a multiple of 4 beyond GEO_LANES). */
static void geometric(double *out, size_t count, double c, double r, const vfield *f)
{
    double baby[GEO_LANES];
    baby[0] = c;
    for (int j = 1; j < GEO_LANES; j++)
        baby[j] = smulmod(baby[j - 1], r, f);
    size_t head = count < GEO_LANES ? count : GEO_LANES;
    memcpy(out, baby, head * sizeof *out);
    if (count <= GEO_LANES)
        return;
    vd step = vset(vpow(r, GEO_LANES, f));
    vd v[GEO_LANES / 4];
    for (int k = 0; k < GEO_LANES / 4; k++)
        v[k] = ld(baby + 4 * k);
    for (size_t base = GEO_LANES; base < count; base += GEO_LANES) {
        for (int k = 0; k < GEO_LANES / 4; k++) {
            v[k] = mulmod(v[k], step, f);
            if (base + 4 * k < count)
                st(out + base + 4 * k, v[k]);
        }
    }
}

/*
 * The tables, all powers of W, each level its own segment so that any range
 * of any of them can be filled on its own (from W^start, by squaring):
 * tw[len + j] = w_{2len}^j = W^(j n / 2len) for the radix-2 stages, and
 * ntw[len + j] = -w_{2len}^-j = w_{2len}^(len-j) = W^(n/2 - j n / 2len),
 * which the inverse multiplies by so that its butterflies are u -+ t; for
 * m = 3 also W^j and W^-j for j < M (f1, i1); the radix-3 steps square
 * them for W^2j and W^-2j, a multiplication per four points that costs less
 * than reading two more tables as long as the data.
 */
unsigned bn_ntt_vector_segments(const ntt_transform *t, ntt_segment *seg)
{
    size_t n = t->s.n, M = t->s.M;
    unsigned k = 0;
    size_t L0 = ntt_low_level(M);
    ntt_segment low = {L0, L0, 0, n / (2 * L0), 0, 1};
    seg[k++] = low;
    for (size_t len = 2 * L0; len < M; len *= 2) {
        size_t step = n / (2 * len), g = ntt_group_width(t, len);
        if (!ntt_level_packed(t, len)) { /* read whole */
            ntt_segment w = {len, len, 0, step, 0, 0};
            ntt_segment nw = {M + len, len, n / 2, n - step, 0, 0};
            seg[k++] = w;
            seg[k++] = nw;
            continue;
        }
        /* A group's level: its first g twiddles, and the len / g at multiples
         * of g packed after them, tw[len + g + r] = w_{2len}^(r g) (and so
         * for ntw), in the room of the rest, which nothing reads: a level's
         * table then costs g + len / g words, not len. */
        ntt_segment fine = {len, g, 0, step, 0, 0};
        ntt_segment nfine = {M + len, g, n / 2, n - step, 0, 0};
        ntt_segment coarse = {len + g, len / g, 0, g * step, 0, 0};
        ntt_segment ncoarse = {M + len + g, len / g, n / 2, n - g * step, 0, 0};
        seg[k++] = fine;
        seg[k++] = nfine;
        seg[k++] = coarse;
        seg[k++] = ncoarse;
    }
    if (t->s.m == 3) {
        ntt_segment f1 = {2 * M, M, 0, 1, 0, 0}, i1 = {3 * M, M, 0, n - 1, 0, 0};
        seg[k++] = f1;
        seg[k++] = i1;
    }
    assert(k <= NTT_MAX_SEGMENTS);
    return k;
}

/* ---- radix-2 passes ------------------------------------------------------ */

#define VBLOCK 1024

/* The butterflies x0[j], x1[j] for j < count (a multiple of 4) of one
 * forward stage: x0 + x1 and (x0 - x1) w[j]. */
static void dif_run(double *x0, double *x1, const double *w, size_t count, const vfield *f)
{
    if (f->wide && count % 8 == 0) {
        dif_run512(x0, x1, w, count, f->p);
        return;
    }
    for (size_t j = 0; j < count; j += 4) {
        vd u = ld(x0 + j), v = ld(x1 + j);
        st(x0 + j, addmod(u, v, f));
        st(x1 + j, mulmod(_mm256_sub_pd(u, v), ld(w + j), f));
    }
}

static void dif_stage(double *x, size_t n, size_t len, const double *tw, const vfield *f)
{
    for (size_t s = 0; s < n; s += 2 * len)
        dif_run(x + s, x + s + len, tw + len, len, f);
}

/* The stages len = 2 and 1 on blocks of 16: four groups of four, transposed
 * so that each butterfly pairs two vectors. */
static void dif_last2(double *x, size_t n, const double *tw, const vfield *f)
{
    vd w4 = vset(tw[3]);
    for (size_t s = 0; s < n; s += 16) {
        vd c0 = ld(x + s), c1 = ld(x + s + 4), c2 = ld(x + s + 8), c3 = ld(x + s + 12);
        transpose4(&c0, &c1, &c2, &c3);
        vd a0 = addmod(c0, c2, f), a2 = submod(c0, c2, f);
        vd a1 = addmod(c1, c3, f), a3 = mulmod(_mm256_sub_pd(c1, c3), w4, f);
        c0 = addmod(a0, a1, f);
        c1 = submod(a0, a1, f);
        c2 = addmod(a2, a3, f);
        c3 = submod(a2, a3, f);
        transpose4(&c0, &c1, &c2, &c3);
        st(x + s, c0), st(x + s + 4, c1), st(x + s + 8, c2), st(x + s + 12, c3);
    }
}

static void dif(double *x, size_t n, const double *tw, const vfield *f)
{
    if (n <= VBLOCK) {
        for (size_t len = n / 2; len >= 4; len /= 2)
            dif_stage(x, n, len, tw, f);
        dif_last2(x, n, tw, f);
        return;
    }
    dif_stage(x, n, n / 2, tw, f);
    dif(x, n / 2, tw, f);
    dif(x + n / 2, n / 2, tw, f);
}

/* The inverse's butterflies: t = x1[j] nw[j], then x0 - t and x0 + t. */
static void dit_run(double *x0, double *x1, const double *nw, size_t count, const vfield *f)
{
    if (f->wide && count % 8 == 0) {
        dit_run512(x0, x1, nw, count, f->p);
        return;
    }
    for (size_t j = 0; j < count; j += 4) {
        vd u = ld(x0 + j), t = mulmod(ld(x1 + j), ld(nw + j), f);
        st(x0 + j, submod(u, t, f));
        st(x1 + j, addmod(u, t, f));
    }
}

static void dit_stage(double *x, size_t n, size_t len, const double *ntw, const vfield *f)
{
    for (size_t s = 0; s < n; s += 2 * len)
        dit_run(x + s, x + s + len, ntw + len, len, f);
}

/* The stages len = 1 and 2 (twiddles -1, and -1 and w4) on blocks of 16. */
static void dit_first2(double *x, size_t n, const double *ntw, const vfield *f)
{
    vd w4 = vset(ntw[3]);
    for (size_t s = 0; s < n; s += 16) {
        vd c0 = ld(x + s), c1 = ld(x + s + 4), c2 = ld(x + s + 8), c3 = ld(x + s + 12);
        transpose4(&c0, &c1, &c2, &c3);
        vd a0 = addmod(c0, c1, f), a1 = submod(c0, c1, f);
        vd a2 = addmod(c2, c3, f), a3 = submod(c2, c3, f);
        vd t = mulmod(a3, w4, f);
        c0 = addmod(a0, a2, f);
        c2 = submod(a0, a2, f);
        c1 = submod(a1, t, f);
        c3 = addmod(a1, t, f);
        transpose4(&c0, &c1, &c2, &c3);
        st(x + s, c0), st(x + s + 4, c1), st(x + s + 8, c2), st(x + s + 12, c3);
    }
}

static void dit(double *x, size_t n, const double *ntw, const vfield *f)
{
    if (n <= VBLOCK) {
        dit_first2(x, n, ntw, f);
        for (size_t len = 4; len < n; len *= 2)
            dit_stage(x, n, len, ntw, f);
        return;
    }
    dit(x, n / 2, ntw, f);
    dit(x + n / 2, n / 2, ntw, f);
    dit_stage(x, n, n / 2, ntw, f);
}

/* ---- radix-3 steps ------------------------------------------------------- */

/* See forward_radix3 in bignum_ntt.c: for columns j0 <= j < j1 (multiples of
 * 4), y0 = x0 + x1 + x2, y1 = (x0 + w x1 + w^2 x2) W^j, y2 = (x0 + w^2 x1 +
 * w x2) W^2j, with w^2 x = -x - w x. */
static void radix3_forward(double *x, size_t M, size_t j0, size_t j1, const double *f1,
                           double omega, const vfield *f)
{
    vd om = vset(omega);
    for (size_t j = j0; j < j1; j += 4) {
        vd x0 = ld(x + j), x1 = ld(x + j + M), x2 = ld(x + j + 2 * M);
        vd a1 = mulmod(x1, om, f), a2 = mulmod(x2, om, f);
        st(x + j, addmod(addmod(x0, x1, f), x2, f));
        vd s1 = submod(addmod(x0, a1, f), addmod(x2, a2, f), f); /* x0 + w x1 + w^2 x2 */
        vd s2 = submod(addmod(x0, a2, f), addmod(x1, a1, f), f); /* x0 + w^2 x1 + w x2 */
        vd w1 = ld(f1 + j);
        st(x + j + M, mulmod(s1, w1, f));
        st(x + j + 2 * M, mulmod(s2, mulmod(w1, w1, f), f));
    }
}

/* Undoes it: z_k = Y_k W^-jk, then x0 = u0 + z1 + z2, x1 = u0 + w^2 z1 + w z2,
 * x2 = u0 + w z1 + w^2 z2. */
static void radix3_inverse(double *x, size_t M, size_t j0, size_t j1, const double *i1,
                           double omega, const vfield *f)
{
    vd om = vset(omega);
    for (size_t j = j0; j < j1; j += 4) {
        vd u0 = ld(x + j);
        vd v1 = ld(i1 + j);
        vd z1 = mulmod(ld(x + j + M), v1, f), z2 = mulmod(ld(x + j + 2 * M), mulmod(v1, v1, f), f);
        vd b1 = mulmod(z1, om, f), b2 = mulmod(z2, om, f);
        st(x + j, addmod(addmod(u0, z1, f), z2, f));
        st(x + j + M, submod(addmod(u0, b2, f), addmod(z1, b1, f), f));
        st(x + j + 2 * M, submod(addmod(u0, b1, f), addmod(z2, b2, f), f));
    }
}

/* ---- words in and out ---------------------------------------------------- */

/* x[j] = a[j] mod p for j < an, zero up to n. A limb is hi 2^32 + lo, both
 * exact as doubles (through the 2^52 trick), and hi (2^32 mod p) + lo < 2p. */
static void load_limbs(double *x, size_t n, const bn_limb *ap, size_t an, bn_limb p,
                       const vfield *f)
{
    const __m256i magic_bits = _mm256_set1_epi64x(0x4330000000000000LL); /* 2^52 */
    const __m256i low32 = _mm256_set1_epi64x(0xffffffffLL);
    const vd magic = vset(4503599627370496.0), c32 = vset((double)(((bn_limb)1 << 32) % p));
    size_t j = 0;
    for (; j + 4 <= an; j += 4) {
        __m256i a;
        memcpy(&a, ap + j, sizeof a);
        __m256i lo = _mm256_and_si256(a, low32), hi = _mm256_srli_epi64(a, 32);
        vd dlo = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(lo, magic_bits)), magic);
        vd dhi = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(hi, magic_bits)), magic);
        vd r = _mm256_add_pd(mulmod(dhi, c32, f), dlo); /* [0, p + 2^32) */
        vd t = _mm256_sub_pd(r, f->P);
        st(x + j, _mm256_blendv_pd(t, r, t));
    }
    for (; j < an; j++)
        x[j] = (double)(ap[j] % p);
    memset(x + j, 0, (n - j) * sizeof *x);
}

/* The doubles x[0..n) (integers in [0, p)) as words, in place. */
static void store_words(double *x, size_t n)
{
    const vd magic = vset(4503599627370496.0);
    const __m256i magic_bits = _mm256_set1_epi64x(0x4330000000000000LL);
    for (size_t j = 0; j < n; j += 4) {
        __m256i w = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(ld(x + j), magic)),
                                     magic_bits);
        _mm256_storeu_si256((__m256i *)(void *)(x + j), w);
    }
}

/* out[0..count) = a[from..from+count) mod p (zero beyond the limbs). */
static void load_into(double *out, size_t from, size_t count, ntt_operand a, bn_limb p,
                      const vfield *f)
{
    size_t have = a.n > from ? a.n - from : 0;
    if (have > count)
        have = count;
    load_limbs(out, count, have ? a.p + from : a.p, have, p, f);
}

/* ---- the cyclic product -------------------------------------------------- */

typedef struct vplan {
    ntt_shape s;
    vfield f;
    double *tw, *ntw;         /* radix-2 */
    double *f1, *i1; /* radix-3: W^j, W^-j */
    double omega;
    bn_limb p;
} vplan;

/* The plan's pointers and constants; the tables are filled by segments. */
static void vplan_set(vplan *pl, const ntt_transform *t)
{
    size_t M = t->s.M;
    double *tables = (double *)(void *)t->tables;
    pl->s = t->s;
    pl->p = t->p;
    vfield_init(&pl->f, t->p);
    pl->f.wide = t->level >= BN_NTT_AVX512;
    pl->omega = (double)t->omega;
    pl->tw = tables;
    pl->ntw = tables + M;
    pl->f1 = pl->i1 = NULL;
    if (t->s.m == 3) {
        pl->f1 = tables + 2 * M;
        pl->i1 = pl->f1 + M;
    }
}

/* A step may run on a thread other than the one that chose the vector build
 * (a helper): it runs under the MXCSR the proof assumes and puts back the
 * thread's own afterwards. */
static unsigned enter_proved_mode(void)
{
    unsigned saved = _mm_getcsr();
    _mm_setcsr((saved & ~0x7000u) | 0x1000u);
    return saved;
}

void bn_ntt_vector_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count)
{
    assert(k0 + count <= seg->count && !seg->shoup);
    unsigned saved = enter_proved_mode();
    vfield f;
    vfield_init(&f, t->p);
    double W = (double)t->W;
    size_t n = t->s.n;
    double start = vpow(W, (seg->e0 + k0 % n * seg->es) % n, &f);
    double *tables = (double *)(void *)t->tables;
    geometric(tables + seg->at + k0, count, start, vpow(W, seg->es, &f), &f);
    if (seg->below) { /* tw levels below L0 from it, then ntw up to L0 from tw */
        size_t L0 = seg->count, M = t->s.M;
        double *tw = tables, *ntw = tables + M;
        for (size_t len = L0 / 2; len >= 1; len /= 2)
            for (size_t j = 0; j < len; j++)
                tw[len + j] = tw[2 * len + 2 * j];
        for (size_t len = 1; len <= L0; len *= 2) {
            ntw[len] = f.p - 1;
            for (size_t j = 1; j < len; j++)
                ntw[len + j] = tw[2 * len - j];
        }
    }
    _mm_setcsr(saved);
}

void bn_ntt_vector_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a,
                          size_t j0, size_t j1)
{
    assert(t->s.m == 3 && j0 % 4 == 0 && j1 % 4 == 0 && j1 <= t->s.M);
    unsigned saved = enter_proved_mode();
    vplan pl;
    vplan_set(&pl, t);
    double *dx = (double *)(void *)x;
    size_t M = t->s.M;
    const size_t chunk = NTT_CHUNK_POINTS / 4; /* three rows of it in L1 */
    for (size_t j = j0; j < j1; j += chunk) {
        size_t c = j1 - j < chunk ? j1 - j : chunk;
        if (!inverse) {
            for (size_t b = 0; b < 3; b++)
                load_into(dx + j + b * M, j + b * M, c, a, pl.p, &pl.f);
            radix3_forward(dx, M, j, j + c, pl.f1, pl.omega, &pl.f);
        } else {
            radix3_inverse(dx, M, j, j + c, pl.i1, pl.omega, &pl.f);
            for (size_t b = 0; b < 3; b++)
                store_words(dx + j + b * M, c);
        }
    }
    _mm_setcsr(saved);
}

/*
 * One piece of a group: columns i..i+c of the block at base, every stage
 * between the rows it pairs (the forward's from the top, the inverse's from
 * the bottom). The rows lie a power of two apart, so in place they would
 * all fall in the same few cache sets and evict one another (16 rows, 8
 * ways); they are copied into one contiguous buffer instead, and the limbs
 * loaded straight into it, the words stored straight from it. Up to
 * BN_NTT_IN_PLACE_ROWS rows those conflicts cost less than the copy, and the
 * piece stays in place.
 *
 * A row's run is a few lines (64 columns: 8), too short for the hardware
 * prefetchers to learn before it ends, so each row would wait on memory in
 * turn; the gather asks for the row NTT_PREFETCH_ROWS ahead while it copies
 * this one, so that that many rows' lines are on their way at once.
 */
#define NTT_PREFETCH_ROWS 8

static void prefetch_run(const void *p, size_t bytes)
{
    for (size_t e = 0; e < bytes; e += 64)
        _mm_prefetch((const char *)p + e, _MM_HINT_T0);
}

static void group_gather(const vplan *pl, const ntt_group *gr, const double *x, ntt_operand a,
                         size_t base, size_t i, size_t c, double *buf)
{
    size_t rows = (size_t)1 << gr->stages, w = gr->len >> (gr->stages - 1);
    for (size_t r = 0; r < rows; r++) {
        if (r + NTT_PREFETCH_ROWS < rows) {
            size_t ahead = base + (r + NTT_PREFETCH_ROWS) * w + i;
            if (!gr->load)
                prefetch_run(x + ahead, c * sizeof *x);
            else if (ahead < a.n)
                prefetch_run(a.p + ahead, (a.n - ahead < c ? a.n - ahead : c) * sizeof *a.p);
        }
        if (gr->load)
            load_into(buf + r * c, base + r * w + i, c, a, pl->p, &pl->f);
        else
            memcpy(buf + r * c, x + base + r * w + i, c * sizeof *buf);
    }
}

/* The group's stages on a piece whose row r is buf + r stride (gathered:
 * stride c; in place: the group's width); tws holds c doubles. */
static void group_stages(const vplan *pl, const ntt_group *gr, const unsigned char *packed,
                         int inverse, size_t i, size_t c, double *buf, size_t stride,
                         double *tws)
{
    unsigned stages = gr->stages;
    size_t rows = (size_t)1 << stages, w = gr->len >> (stages - 1);
    const vfield *f = &pl->f;
    /* Row pairs of a stage differ in their twiddles' start, w_{2len}^(r w):
     * w_{2len}^(r w + i) = w_{2len}^(r w) tw[len + i], and for the inverse
     * ntw[len + r w + i] = ntw[len + i] w_{2len}^(-r w) = -ntw[len + r w]
     * ntw[len + i]. Products with one constant, made here, read a chunk of
     * twiddles per stage instead of one per row pair, where the tables'
     * traffic would be nearly the data's. The constants w_{2len}^(r w) sit
     * packed after the first w twiddles (bn_ntt_vector_segments). */
    for (unsigned k = 0; k < stages; k++) {
        unsigned s = inverse ? stages - 1 - k : k, bit = stages - 1 - s;
        size_t len = gr->len >> s, half = (size_t)1 << bit;
        const double *base_tw = (inverse ? pl->ntw : pl->tw) + len;
        size_t row_at = packed[s] ? w : 0, row_step = packed[s] ? 1 : w;
        for (size_t rp = 0; rp < half; rp++) {
            const double *t = base_tw + i;
            if (rp) {
                double k0 = base_tw[row_at + rp * row_step];
                vd kv = vset(inverse ? pl->f.p - k0 : k0);
                for (size_t e = 0; e < c; e += 4)
                    st(tws + e, mulmod(ld(base_tw + i + e), kv, f));
                t = tws;
            }
            for (size_t r = rp; r < rows; r += 2 * half) {
                double *x0 = buf + r * stride, *x1 = x0 + half * stride;
                if (inverse)
                    dit_run(x0, x1, t, c, f);
                else
                    dif_run(x0, x1, t, c, f);
            }
        }
    }
}

/* out[0..count) = in[0..count): streamed past the caches when asked and the
 * run is whole lines (as a product's scratch lays them out), else stored. */
static void row_store(double *out, const double *in, size_t count, int stream)
{
    if (!stream || (uintptr_t)out % 64 != 0 || count % 8 != 0) {
        memcpy(out, in, count * sizeof *out);
        return;
    }
    for (size_t j = 0; j < count; j += 8) {
        _mm256_stream_pd(out + j, ld(in + j));
        _mm256_stream_pd(out + j + 4, ld(in + j + 4));
    }
}

/* A piece of a group of few rows, in place: the limbs loaded into the rows,
 * the stages run there, the words left there (ntt_group_in_place). */
static void group_piece_in_place(const vplan *pl, const ntt_group *gr,
                                 const unsigned char *packed, int inverse, double *x,
                                 ntt_operand a, size_t base, size_t i, size_t c)
{
    size_t rows = (size_t)1 << gr->stages, w = gr->len >> (gr->stages - 1);
    _Alignas(64) double tws[NTT_CHUNK_POINTS >> 1];
    double *row0 = x + base + i;
    if (gr->load)
        for (size_t r = 0; r < rows; r++)
            load_into(row0 + r * w, base + r * w + i, c, a, pl->p, &pl->f);
    group_stages(pl, gr, packed, inverse, i, c, row0, w, tws);
    if (gr->store)
        for (size_t r = 0; r < rows; r++)
            store_words(row0 + r * w, c);
}

static void group_piece_gathered(const vplan *pl, const ntt_group *gr,
                                 const unsigned char *packed, int inverse, double *x,
                                 ntt_operand a, size_t base, size_t i, size_t c)
{
    size_t rows = (size_t)1 << gr->stages, w = gr->len >> (gr->stages - 1);
    _Alignas(64) double buf[NTT_CHUNK_POINTS];
    _Alignas(64) double tws[NTT_CHUNK_POINTS >> 1];
    assert(rows * c <= NTT_CHUNK_POINTS);
    group_gather(pl, gr, x, a, base, i, c, buf);
    group_stages(pl, gr, packed, inverse, i, c, buf, c, tws);
    for (size_t r = 0; r < rows; r++) {
        if (gr->store)
            store_words(buf + r * c, c);
        row_store(x + base + r * w + i, buf + r * c, c, gr->stream);
    }
    if (gr->stream) /* the streamed lines reach memory before another thread reads them */
        _mm_sfence();
}

static void group_piece(const vplan *pl, const ntt_group *gr, const unsigned char *packed,
                        int inverse, double *x, ntt_operand a, size_t base, size_t i, size_t c)
{
    if (ntt_group_in_place(gr))
        group_piece_in_place(pl, gr, packed, inverse, x, a, base, i, c);
    else
        group_piece_gathered(pl, gr, packed, inverse, x, a, base, i, c);
}

/* Per stage of the group: is its level's table packed? */
static void group_packed(const ntt_transform *t, const ntt_group *gr, unsigned char *packed,
                         size_t room)
{
    assert(gr->stages <= room);
    (void)room;
    for (unsigned st = 0; st < gr->stages; st++)
        packed[st] = (unsigned char)ntt_level_packed(t, gr->len >> st);
}

void bn_ntt_vector_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                         ntt_operand a, size_t g0, size_t g1)
{
    assert(g0 % 8 == 0 && g1 % 8 == 0 && (gr->len >> (gr->stages - 1)) >= 16);
    unsigned saved = enter_proved_mode();
    vplan pl;
    vplan_set(&pl, t);
    unsigned char packed[64];
    group_packed(t, gr, packed, sizeof packed);
    double *dx = (double *)(void *)x;
    for (size_t g = g0; g < g1;) {
        size_t base, i, c = ntt_group_piece(gr, g, g1, &base, &i);
        group_piece(&pl, gr, packed, inverse, dx, a, base, i, c);
        g += c;
    }
    _mm_setcsr(saved);
}

void bn_ntt_vector_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                         ntt_operand a, ntt_operand bo, int load, int store)
{
    assert(S >= 16 && (b + 1) * S <= t->s.n);
    unsigned saved = enter_proved_mode();
    vplan pl;
    vplan_set(&pl, t);
    double *dx = (double *)(void *)x + b * S, *dy = (double *)(void *)y + b * S;
    if (load) {
        load_into(dx, 0, S, a, pl.p, &pl.f);
        if (y != x)
            load_into(dy, 0, S, bo, pl.p, &pl.f);
    }
    dif(dx, S, pl.tw, &pl.f);
    if (y != x)
        dif(dy, S, pl.tw, &pl.f);
    if (pl.f.wide) {
        pointwise512(dx, dy, S, pl.f.p);
    } else {
        for (size_t j = 0; j < S; j += 4)
            st(dx + j, mulmod(ld(dx + j), ld(dy + j), &pl.f));
    }
    dit(dx, S, pl.ntw, &pl.f);
    if (store)
        store_words(dx, S);
    _mm_setcsr(saved);
}

/* ---- Garner ------------------------------------------------------------- */

/* Words below 2^52 as doubles, and back. */
static inline vd from_words(const bn_limb *x)
{
    __m256i w;
    memcpy(&w, x, sizeof w);
    return _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(w, _mm256_set1_epi64x(0x4330000000000000LL))),
        vset(4503599627370496.0));
}

static inline void to_words(bn_limb *x, vd v)
{
    __m256i w = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(v, vset(4503599627370496.0))),
                                 _mm256_set1_epi64x(0x4330000000000000LL));
    memcpy(x, &w, sizeof w);
}

/* v - m when v >= m, for v < 2m */
static inline vd below(vd v, vd m)
{
    vd t = _mm256_sub_pd(v, m);
    return _mm256_blendv_pd(t, v, t);
}

/* Garner's constants as vectors. */
typedef struct vgarner {
    vfield f[3];
    vd two_p[3], s[3];  /* 2 p_i, 1/n mod p_i */
    vd c01, p0m2, c012; /* p0^-1 mod p1, p0 mod p2, (p0 p1)^-1 mod p2 */
} vgarner;

/* Run in the proved mode: 1/p too is computed as the proof assumes. */
static void vgarner_init(vgarner *vg, const ntt_garner *g)
{
    for (int i = 0; i < 3; i++) {
        vfield_init(&vg->f[i], g->p[i]);
        vg->two_p[i] = vset(2.0 * vg->f[i].p);
        vg->s[i] = vset((double)g->inv_n[i]);
    }
    vg->c01 = vset((double)g->inv_p0_mod_p1);
    vg->p0m2 = vset((double)g->p0_mod_p2);
    vg->c012 = vset((double)g->inv_p01_mod_p2);
}

/* Residues r_i in [0, p_i) (times n) to Garner's digits, stored as words at d0, d1, d2. */
static inline void garner4(const vgarner *vg, vd r0, vd r1, vd r2, bn_limb *d0, bn_limb *d1,
                           bn_limb *d2)
{
    const vfield *f0 = &vg->f[0], *f1 = &vg->f[1], *f2 = &vg->f[2];
    vd v0 = mulmod(r0, vg->s[0], f0);
    vd v1 = mulmod(submod(mulmod(r1, vg->s[1], f1), below(v0, f1->P), f1), vg->c01, f1);
    vd u = addmod(below(v0, f2->P), mulmod(below(v1, f2->P), vg->p0m2, f2), f2);
    vd v2 = mulmod(submod(mulmod(r2, vg->s[2], f2), u, f2), vg->c012, f2);
    to_words(d0, v0);
    to_words(d1, v1);
    to_words(d2, v2);
}

size_t bn_ntt_vector_garner(bn_limb *x0, bn_limb *x1, bn_limb *x2, size_t count,
                          const ntt_garner *g)
{
    /* before the constants: 1/p too is computed as the proof assumes, and
     * must not trap where the helper's own mode traps inexact results */
    unsigned saved = enter_proved_mode();
    vgarner vg;
    vgarner_init(&vg, g);
    size_t j = 0;
    for (; j + 4 <= count; j += 4) {
        vd r0 = below(below(from_words(x0 + j), vg.two_p[0]), vg.f[0].P); /* [0, 4p) -> [0, p) */
        vd r1 = below(below(from_words(x1 + j), vg.two_p[1]), vg.f[1].P);
        vd r2 = below(below(from_words(x2 + j), vg.two_p[2]), vg.f[2].P);
        garner4(&vg, r0, r1, r2, x0 + j, x1 + j, x2 + j);
    }
    _mm_setcsr(saved);
    return j;
}

/* ---- a twist: words times successive powers ------------------------------ */

/* Chains of powers in flight: eight vectors, so that each mulmod's latency
 * hides behind the others'. */
#define TWIST_LANES 32

size_t bn_ntt_vector_twist(bn_limb *v, size_t count, bn_limb p, bn_limb first, bn_limb r)
{
    size_t done = count - count % TWIST_LANES;
    if (!done)
        return 0;
    unsigned saved = enter_proved_mode();
    vfield f;
    vfield_init(&f, p);
    vd two_p = vset(2.0 * f.p);
    /* lane t of chain k holds first r^(4k + t); each pass moves every chain on by r^32 */
    double start[TWIST_LANES];
    start[0] = (double)first;
    for (int t = 1; t < TWIST_LANES; t++)
        start[t] = smulmod(start[t - 1], (double)r, &f);
    vd w[TWIST_LANES / 4], step = vset(vpow((double)r, TWIST_LANES, &f));
    for (int k = 0; k < TWIST_LANES / 4; k++)
        w[k] = ld(start + 4 * k);
    for (size_t j = 0; j < done; j += TWIST_LANES)
        for (int k = 0; k < TWIST_LANES / 4; k++) {
            bn_limb *at = v + j + 4 * (size_t)k;
            vd x = below(below(from_words(at), two_p), f.P); /* [0, 4p) -> [0, p) */
            to_words(at, mulmod(x, w[k], &f));
            w[k] = mulmod(w[k], step, &f);
        }
    _mm_setcsr(saved);
    return done;
}

/* ---- the last inverse group, unwrapping and Garner at once --------------- */

/* The doubles b_i[0..count) (residues in [0, p_i), count a multiple of 4)
 * become Garner's digits, as words in the same places. */
static void garner_doubles(const vgarner *vg, bn_limb *b0, bn_limb *b1, bn_limb *b2, size_t count)
{
    for (size_t j = 0; j < count; j += 4) {
        const double *d0 = (const double *)(void *)(b0 + j), *d1 = (const double *)(void *)(b1 + j),
                     *d2 = (const double *)(void *)(b2 + j);
        garner4(vg, ld(d0), ld(d1), ld(d2), b0 + j, b1 + j, b2 + j);
    }
}

/* The small product's word (below 4p: its build may be the scalar one) as a
 * residue in x's terms, times k. */
static inline vd low_residue(const bn_limb *lw, vd k, vd two_p, const vfield *f)
{
    return mulmod(below(below(from_words(lw), two_p), f->P), k, f);
}

/* Coefficients per step of a wrapped run: its three primes' values sit in
 * a small buffer of their own. */
#define WRAP_STEP 64

/*
 * A wrapped run's coefficients k0 <= k < k0 + count (below d) of one prime:
 * row holds c_k + c_(k+N), low c_k (the small product's words); row gets c_k
 * and high c_(k+N), as residues in [0, p) (count rounded up to 4: high past
 * count gets zeros, row keeps its own values there).
 */
static void unwrap_run(double *row, const bn_limb *low, size_t count, vd k, vd two_p,
                       const vfield *f, double *high)
{
    size_t j = 0;
    for (; j + 4 <= count; j += 4) {
        vd lo = low_residue(low + j, k, two_p, f);
        st(high + j, submod(ld(row + j), lo, f));
        st(row + j, lo);
    }
    if (j == count)
        return;
    /* the last lanes: those past count keep row's value and give high zero */
    bn_limb lw[4] = {0, 0, 0, 0};
    memcpy(lw, low + j, (count - j) * sizeof *lw);
    vd in = _mm256_cmp_pd(_mm256_set_pd(3, 2, 1, 0), vset((double)(count - j)), _CMP_LT_OQ);
    vd lo = low_residue(lw, k, two_p, f), v = ld(row + j);
    st(high + j, _mm256_and_pd(submod(v, lo, f), in));
    st(row + j, _mm256_blendv_pd(v, lo, in));
}

/* Rows r of the part at columns i..i+c whose coefficients k = r w + i + e
 * fall below d: their high coefficients N + k, through Garner, joined with
 * the carry of the run starting at N + r w + i; row r (at buf + r stride)
 * keeps c_k in place of c_k + c_(k+N). */
static void fused_unwrap(const ntt_fused *fz, const vgarner *vg, double *const buf[3],
                         size_t stride, size_t rows, size_t w, size_t i, size_t c)
{
    size_t N = fz->t[0]->s.n, d = fz->wrap;
    vd k[3], two_p[3];
    for (int q = 0; q < 3; q++) {
        k[q] = vset((double)fz->unwrap_k[q]);
        two_p[q] = vset(2.0 * vg->f[q].p);
    }
    _Alignas(64) bn_limb high[3][WRAP_STEP];
    for (size_t r = 0; r < rows && r * w + i < d; r++) {
        size_t k0 = r * w + i, end = d - k0 < c ? d - k0 : c;
        bn_limb *carry = fz->carry + 2 * ((N + k0) / c);
        carry[0] = carry[1] = 0;
        for (size_t e = 0; e < end; e += WRAP_STEP) {
            size_t count = end - e < WRAP_STEP ? end - e : WRAP_STEP;
            for (int q = 0; q < 3; q++)
                unwrap_run(buf[q] + r * stride + e, fz->low[q] + k0 + e, count, k[q], two_p[q],
                           &vg->f[q], (double *)(void *)high[q]);
            garner_doubles(vg, high[0], high[1], high[2], (count + 3) & ~(size_t)3);
            bn_ntt_crt_join(&fz->g, fz->rp + N + k0 + e, high[0], high[1], high[2], count,
                            carry);
        }
    }
}

/* The fused part's work once its three primes' rows lie at buf[q] + r
 * stride (gathered, or in place): the stages, the unwrapping, Garner's
 * digits and each row's run of limbs, below coeffs, with a carry of its own. */
static void group_crt_rows(const ntt_fused *fz, const vplan pl[3], const unsigned char *packed,
                           double *const buf[3], size_t stride, size_t g0, size_t c)
{
    const ntt_group *gr = &fz->gr;
    size_t rows = (size_t)1 << gr->stages, w = gr->len >> (gr->stages - 1);
    vgarner vg;
    vgarner_init(&vg, &fz->g);
    _Alignas(64) double tws[NTT_FUSED_COLUMNS];
    for (int q = 0; q < 3; q++)
        group_stages(&pl[q], gr, packed, 1, g0, c, buf[q], stride, tws);
    if (fz->wrap)
        fused_unwrap(fz, &vg, buf, stride, rows, w, g0, c);
    for (size_t r = 0; r < rows && r * w + g0 < fz->coeffs; r++) {
        size_t k = r * w + g0, count = fz->coeffs - k < c ? fz->coeffs - k : c;
        bn_limb *v[3];
        for (int q = 0; q < 3; q++)
            v[q] = (bn_limb *)(void *)(buf[q] + r * stride);
        garner_doubles(&vg, v[0], v[1], v[2], c);
        bn_limb *carry = fz->carry + 2 * (k / c);
        carry[0] = carry[1] = 0;
        bn_ntt_crt_join(&fz->g, fz->rp + k, v[0], v[1], v[2], count, carry);
    }
}

/* The gathered fused part: its rows copied onto the stack first. */
static void group_crt_gathered(const ntt_fused *fz, const vplan pl[3],
                               const unsigned char *packed, size_t g0, size_t c)
{
    _Alignas(64) double buf[3][NTT_FUSED_POINTS];
    double *const dbuf[3] = {buf[0], buf[1], buf[2]};
    const ntt_operand none = {NULL, 0}; /* the inverse reads no limbs */
    for (int q = 0; q < 3; q++)
        group_gather(&pl[q], &fz->gr, (const double *)(void *)fz->x[q], none, 0, g0, c, dbuf[q]);
    group_crt_rows(fz, pl, packed, dbuf, c, g0, c);
}

void bn_ntt_vector_group_crt(const ntt_fused *fz, size_t g0, size_t g1)
{
    const ntt_group *gr = &fz->gr;
    size_t w = gr->len >> (gr->stages - 1), c = g1 - g0;
    assert(fz->t[0]->s.m == 1 && gr->store && 2 * gr->len == fz->t[0]->s.n);
    assert(c == fz->run && g0 % c == 0 && g1 <= w && c % 4 == 0);
    assert(((size_t)1 << gr->stages) * c <= NTT_FUSED_POINTS && c <= NTT_FUSED_COLUMNS);
    unsigned saved = enter_proved_mode();
    vplan pl[3];
    for (int q = 0; q < 3; q++)
        vplan_set(&pl[q], fz->t[q]);
    unsigned char packed[64];
    group_packed(fz->t[0], gr, packed, sizeof packed);
    if (ntt_group_in_place(gr)) { /* x is not read again: its rows take the digits */
        double *const rows_at[3] = {(double *)(void *)fz->x[0] + g0,
                                    (double *)(void *)fz->x[1] + g0,
                                    (double *)(void *)fz->x[2] + g0};
        group_crt_rows(fz, pl, packed, rows_at, w, g0, c);
    } else {
        group_crt_gathered(fz, pl, packed, g0, c);
    }
    _mm_setcsr(saved);
}

#pragma GCC pop_options

#else /* no vector build here */

int bn_ntt_avx2_usable(void) { return 0; }
int bn_ntt_avx512_usable(void) { return 0; }

/* Never called: bn_ntt_avx2_usable() says no. */
unsigned bn_ntt_vector_segments(const ntt_transform *t, ntt_segment *seg)
{
    (void)t, (void)seg;
    assert(0 && "no vector transforms in this build");
    return 0;
}

void bn_ntt_vector_fill(const ntt_transform *t, const ntt_segment *seg, size_t k0, size_t count)
{
    (void)t, (void)seg, (void)k0, (void)count;
    assert(0 && "no vector transforms in this build");
}

void bn_ntt_vector_radix3(const ntt_transform *t, int inverse, bn_limb *x, ntt_operand a,
                          size_t j0, size_t j1)
{
    (void)t, (void)inverse, (void)x, (void)a, (void)j0, (void)j1;
    assert(0 && "no vector transforms in this build");
}

void bn_ntt_vector_group(const ntt_transform *t, const ntt_group *gr, int inverse, bn_limb *x,
                         ntt_operand a, size_t g0, size_t g1)
{
    (void)t, (void)gr, (void)inverse, (void)x, (void)a, (void)g0, (void)g1;
    assert(0 && "no vector transforms in this build");
}

void bn_ntt_vector_block(const ntt_transform *t, size_t S, size_t b, bn_limb *x, bn_limb *y,
                         ntt_operand a, ntt_operand bo, int load, int store)
{
    (void)t, (void)S, (void)b, (void)x, (void)y, (void)a, (void)bo, (void)load, (void)store;
    assert(0 && "no vector transforms in this build");
}

size_t bn_ntt_vector_garner(bn_limb *x0, bn_limb *x1, bn_limb *x2, size_t count,
                          const ntt_garner *g)
{
    (void)x0, (void)x1, (void)x2, (void)count, (void)g;
    return 0;
}

void bn_ntt_vector_group_crt(const ntt_fused *fz, size_t g0, size_t g1)
{
    (void)fz, (void)g0, (void)g1;
    assert(0 && "no vector transforms in this build");
}

size_t bn_ntt_vector_twist(bn_limb *v, size_t count, bn_limb p, bn_limb first, bn_limb r)
{
    (void)v, (void)count, (void)p, (void)first, (void)r;
    return 0;
}

#endif
