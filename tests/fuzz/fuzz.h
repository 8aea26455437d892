/* fuzz.h - one entry point per fuzz target: LLVMFuzzerTestOneInput when
 * built for libFuzzer, a named function when the regression test replays
 * saved inputs through the same code. */
#ifndef TEST_FUZZ_H
#define TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

int FUZZ_ENTRY(const uint8_t *data, size_t size);

#endif
