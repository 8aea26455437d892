/* argv.h - an argv area as the kernel keeps it (NUL-separated strings)
 * split into an array, for execs and the process table alike. */
#ifndef REC_ARGV_H
#define REC_ARGV_H

#include <stddef.h>
#include <stdint.h>

/* Split the len bytes at args (args[len] must be 0) into at most max
 * strings in argv; empty strings, and an empty last one, are kept.
 * @return the count, and *cut = 1 when strings were left over. */
uint32_t argv_split(const char *args, size_t len, const char **argv, unsigned max, int *cut);

#endif
