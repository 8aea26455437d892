/* fuzz_interfaces.c - libFuzzer target: the parser of the `interfaces` meta
 * value (every reader parses it at open; merge and redact write it back).
 * Parsed lists are written back and parsed again: the round trip must give
 * the same list. */
#include <stdlib.h>
#include <string.h>

#include "fmt_interfaces.h"
#include "fuzz.h"

static int same_str(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static int same(const struct fmt_iface *a, const struct fmt_iface *b)
{
	if (a->index != b->index || a->gone != b->gone || a->naddr != b->naddr ||
	    !same_str(a->name, b->name) || !same_str(a->ingress, b->ingress) ||
	    !same_str(a->egress, b->egress) || !a->netns != !b->netns ||
	    (a->netns && (strcmp(a->netns, b->netns) || a->ifindex != b->ifindex)))
		return 0;
	for (unsigned i = 0; i < a->naddr; i++)
		if (strcmp(a->addr[i], b->addr[i]))
			return 0;
	return 1;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	struct fmt_ifaces *a, *b;
	struct fmt_iface *v;
	char *text = malloc(size + 1), *again;
	size_t n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (fmt_ifaces_parse(text, &a)) {
		free(text);
		return 0;
	}
	free(text);
	n = fmt_ifaces_count(a);
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = *fmt_ifaces_at(a, i);
	again = fmt_ifaces_format(v, n);
	if (!again || fmt_ifaces_parse(again, &b))
		abort(); /* what we write we must read back */
	if (fmt_ifaces_count(b) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!same(fmt_ifaces_at(a, i), fmt_ifaces_at(b, i)))
			abort();
	free(again);
	free(v);
	fmt_ifaces_free(a);
	fmt_ifaces_free(b);
	return 0;
}
