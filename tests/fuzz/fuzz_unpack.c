/*
 * Fuzz target: every kernel's unpack, the bytes a rank receives from another.
 * The first byte picks the kernel, the rest is the packed partial. A buffer
 * unpack accepts must be a partial like any other: it packs, unpacks again
 * to the same bytes, and combines with itself. A buffer it refuses must be
 * refused with CS_ECORRUPT (or CS_ENOMEM) and a reason.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kernel.h"

#define MAX_KERNELS 16

/* Each kernel's class S case, made once: unpack needs a problem. */
static cs_problem *problems[MAX_KERNELS];

static cs_problem *problem_of(const cs_kernel *k, size_t i)
{
    if (problems[i])
        return problems[i];
    uint64_t n = strtoull(k->class_sizes[CS_CLASS_S], NULL, 10);
    cs_err err = {{0}};
    if (k->problem_new(n, 0, &problems[i], &err) != CS_OK)
        cs_fuzz_fail("%s: class S (n=%llu) did not build: %s", k->name, (unsigned long long)n,
                     err.msg);
    return problems[i];
}

static void check_refusal(const cs_kernel *k, int rc, const cs_err *err, size_t len)
{
    if (rc != CS_ECORRUPT && rc != CS_ENOMEM)
        cs_fuzz_fail("%s: unpack of %zu bytes returned %d, not CS_ECORRUPT or CS_ENOMEM", k->name,
                     len, rc);
    if (!err->msg[0])
        cs_fuzz_fail("%s: unpack refused %zu bytes without a reason", k->name, len);
}

/* pack(x): the bytes, malloc'd; fails the run if pack does. */
static uint8_t *pack_or_fail(const cs_kernel *k, const cs_problem *p, const cs_partial *x,
                             size_t *len)
{
    uint8_t *buf = NULL;
    cs_err err = {{0}};
    if (k->pack(p, x, &buf, len, &err) != CS_OK)
        cs_fuzz_fail("%s: an unpacked partial does not pack: %s", k->name, err.msg);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || cs_kernel_count() > MAX_KERNELS)
        return 0;
    size_t ki = data[0] % cs_kernel_count();
    const cs_kernel *k = cs_kernel_at(ki);
    cs_problem *p = problem_of(k, ki);
    const uint8_t *buf = data + 1;
    size_t len = size - 1;

    cs_partial *x = NULL;
    cs_err err = {{0}};
    int rc = k->unpack(p, buf, len, &x, &err);
    if (rc != CS_OK) {
        check_refusal(k, rc, &err, len);
        return 0;
    }
    /* accepted: the partial round-trips to bytes that are stable from then on */
    size_t len1, len2;
    uint8_t *once = pack_or_fail(k, p, x, &len1);
    cs_partial *y = NULL;
    if (k->unpack(p, once, len1, &y, &err) != CS_OK)
        cs_fuzz_fail("%s: its own packing of an accepted partial is refused: %s", k->name,
                     err.msg);
    uint8_t *twice = pack_or_fail(k, p, y, &len2);
    if (len1 != len2 || memcmp(once, twice, len1) != 0)
        cs_fuzz_fail("%s: pack(unpack(pack(x))) differs from pack(x) (%zu against %zu bytes)",
                     k->name, len2, len1);
    free(once);
    free(twice);
    /* and combines like any partial (combine consumes both) */
    cs_partial *z = NULL;
    rc = k->combine(p, x, y, &z, &err);
    if (rc == CS_OK)
        k->partial_free(z);
    else if (rc != CS_ENOMEM)
        cs_fuzz_fail("%s: two accepted partials do not combine (%d): %s", k->name, rc, err.msg);
    return 0;
}
