/* What every fuzz target shares: its start (messages named after it) and its way to fail. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "message.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *name = *argc > 0 ? (*argv)[0] : "fuzz";
    const char *slash = strrchr(name, '/');
    cs_message_init(slash ? slash + 1 : name);
    return 0;
}

void cs_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
