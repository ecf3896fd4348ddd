/*
 * Fuzz target: the URL lists a fetch driver reads before any request. The
 * first byte picks the reader: one URL as given on the command line, a
 * --url-file (the rest of the input is the file), or the bytes rank 0 sends
 * the other ranks. Whatever a reader accepts must hold URLs that pass the
 * check again, and a list must pack and unpack to the same list.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fetch_urls.h"
#include "fuzz.h"

#define MAX_URL_TEXT 65536 /* one URL as a command-line argument */

static void check_list(const fetch_urls *u)
{
    for (uint64_t i = 0; i < u->count; i++) {
        int reserved = -1;
        if (fetch_url_check(fetch_urls_at(u, i), "fuzz", &reserved) != 0)
            cs_fuzz_fail("request %llu's URL was accepted once, refused the second time",
                         (unsigned long long)i);
        if (reserved != fetch_urls_reserved(u, i))
            cs_fuzz_fail("request %llu: the reserved-host flag changed", (unsigned long long)i);
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    if (fetch_urls_pack(u, &buf, &len) != 0)
        return; /* out of memory */
    fetch_urls back;
    fetch_urls_init(&back);
    if (fetch_urls_unpack(&back, buf, len) != 0)
        cs_fuzz_fail("a packed list of %llu requests does not unpack", (unsigned long long)u->count);
    if (back.count != u->count)
        cs_fuzz_fail("unpacked %llu requests of %llu", (unsigned long long)back.count,
                     (unsigned long long)u->count);
    for (uint64_t i = 0; i < u->count; i++)
        if (strcmp(fetch_urls_at(&back, i), fetch_urls_at(u, i)) != 0)
            cs_fuzz_fail("request %llu's URL changed in packing", (unsigned long long)i);
    fetch_urls_free(&back);
    free(buf);
}

static void one_url(const uint8_t *data, size_t size)
{
    if (size > MAX_URL_TEXT)
        return;
    char *url = malloc(size + 1);
    if (!url)
        return;
    memcpy(url, data, size);
    url[size] = '\0'; /* an argument ends at its first NUL, as argv's do */
    fetch_urls u;
    fetch_urls_init(&u);
    if (fetch_urls_add(&u, url, 3, "URL") == 0)
        check_list(&u);
    fetch_urls_free(&u);
    free(url);
}

/* The input as a file the reader opens by name (a memory file: nothing on disk). */
static void url_file(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-url-file", 0);
    if (fd < 0)
        cs_fuzz_fail("memfd_create failed");
    if (size && write(fd, data, size) != (ssize_t)size)
        cs_fuzz_fail("could not write the memory file");
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    fetch_urls u;
    fetch_urls_init(&u);
    if (fetch_urls_read_file(&u, path) == 0)
        check_list(&u);
    fetch_urls_free(&u);
    close(fd);
}

static void packed(const uint8_t *data, size_t size)
{
    fetch_urls u;
    fetch_urls_init(&u);
    if (fetch_urls_unpack(&u, data, size) == 0)
        check_list(&u);
    fetch_urls_free(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0: one_url(data + 1, size - 1); break;
    case 1: url_file(data + 1, size - 1); break;
    default: packed(data + 1, size - 1); break;
    }
    return 0;
}
