/* A fuzz target: libFuzzer's entry point, built as a fuzzer with clang (CS_FUZZ) or as a replayer. */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* One input: returns 0. A property broken calls cs_fuzz_fail, which aborts
 * (the fuzzer then saves the input; the replayer names the file). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Called once before the first input (by libFuzzer, and by the replayer): the
 * messages the code under test prints are named after the target (common.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Prints "fuzz: <what>" and aborts: a finding, not an error to handle. */
void cs_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
