/* argv.c - see argv.h. */
#include <string.h>

#include "argv.h"

uint32_t argv_split(const char *args, size_t len, const char **argv, unsigned max, int *cut)
{
	size_t pos = 0;
	uint32_t n = 0;

	while (pos < len && n < max) {
		argv[n++] = args + pos;
		pos += strlen(args + pos) + 1;
	}
	*cut = pos < len;
	return n;
}
