/* The kernel registry: every kernel corescale knows, by name. */
#include <string.h>

#include "kernel.h"

extern const cs_kernel cs_kernel_product;
extern const cs_kernel cs_kernel_pi;
extern const cs_kernel cs_kernel_primes;
extern const cs_kernel cs_kernel_triad;
extern const cs_kernel cs_kernel_heat;
extern const cs_kernel cs_kernel_heat3d;

static const cs_kernel *const kernels[] = {
    &cs_kernel_product,
    &cs_kernel_pi,
    &cs_kernel_primes,
    &cs_kernel_triad,
    &cs_kernel_heat,
    &cs_kernel_heat3d,
};
#define KERNEL_COUNT (sizeof kernels / sizeof kernels[0])

const cs_kernel *cs_kernel_find(const char *name)
{
    for (size_t i = 0; i < KERNEL_COUNT; i++)
        if (strcmp(kernels[i]->name, name) == 0)
            return kernels[i];
    return NULL;
}

size_t cs_kernel_count(void)
{
    return KERNEL_COUNT;
}

const cs_kernel *cs_kernel_at(size_t i)
{
    return i < KERNEL_COUNT ? kernels[i] : NULL;
}

const char *cs_kernel_names(void)
{
    static char names[256];
    if (names[0] == '\0')
        for (size_t i = 0; i < KERNEL_COUNT; i++) {
            strncat(names, kernels[i]->name, sizeof names - strlen(names) - 1);
            if (i + 1 < KERNEL_COUNT)
                strncat(names, ", ", sizeof names - strlen(names) - 1);
        }
    return names;
}
