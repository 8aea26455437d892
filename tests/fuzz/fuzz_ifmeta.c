/* fuzz_ifmeta.c - libFuzzer target: the parser of the `interfaces` meta
 * value (merge and redact rewrite it). Parsed lists are written back and
 * parsed again: the round trip must give the same list. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ifmeta.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	static struct ifmeta a[64], b[64];
	char *text = malloc(size + 1), *again;
	int n, m;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	n = ifmeta_parse(text, a, 64);
	free(text);
	if (n < 0)
		return 0;
	again = ifmeta_format(a, (size_t)n);
	if (!again)
		return 0;
	m = ifmeta_parse(again, b, 64);
	if (m != n || memcmp(a, b, (size_t)n * sizeof(*a)))
		abort(); /* what we write we must read back */
	free(again);
	return 0;
}
