/* flow_order.c - see flow_order.h. A radix sort of 64-bit hashes takes a
 * few ms for 100,000 rows, where qsort over 44-byte keys took tens. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_order.h"

struct order {
	uint64_t h;
	uint32_t i;
};

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* A row's identity: its key and its owner (a flow of two owners in one
 * interval stays two rows). */
static uint64_t row_hash(const struct fmt_flow *r)
{
	uint64_t h = fnv(0xcbf29ce484222325ull, &r->key, sizeof(r->key));

	h = fnv(h, &r->owner.pid, sizeof(r->owner.pid));
	h = fnv(h, &r->owner.start_ns, sizeof(r->owner.start_ns));
	return fnv(h, &r->owner.cgroup_id, sizeof(r->owner.cgroup_id));
}

static int same_row(const struct fmt_flow *a, const struct fmt_flow *b)
{
	return !memcmp(&a->key, &b->key, sizeof(a->key)) && a->owner.pid == b->owner.pid &&
	       a->owner.start_ns == b->owner.start_ns && a->owner.cgroup_id == b->owner.cgroup_id;
}

/* LSD radix sort by h, 16 bits a pass; stable. @return v or NULL. */
static struct order *radix_sort(struct order *v, size_t n)
{
	struct order *tmp = malloc((n ? n : 1) * sizeof(*tmp)), *src = v, *dst = tmp, *t;
	size_t *count = malloc((1u << 16) * sizeof(*count));

	if (!tmp || !count) {
		free(tmp);
		free(count);
		return NULL;
	}
	for (unsigned shift = 0; shift < 64; shift += 16) {
		size_t sum = 0;
		memset(count, 0, (1u << 16) * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(src[i].h >> shift) & 0xffff]++;
		for (size_t d = 0; d < (1u << 16); d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].h >> shift) & 0xffff]++] = src[i];
		t = src, src = dst, dst = t;
	}
	free(tmp); /* four passes: the result is back in v */
	free(count);
	return v;
}

size_t flow_rows_order(struct fmt_flow *rows, size_t n)
{
	struct order *o = malloc((n ? n : 1) * sizeof(*o));
	struct fmt_flow *out = malloc((n ? n : 1) * sizeof(*out));
	size_t m = 0;

	if (!o || !out || n > UINT32_MAX) {
		free(o);
		free(out);
		return n; /* unordered is still correct */
	}
	for (size_t i = 0; i < n; i++)
		o[i] = (struct order){ row_hash(&rows[i]), (uint32_t)i };
	if (!radix_sort(o, n)) {
		free(o);
		free(out);
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct fmt_flow *r = &rows[o[i].i];
		/* equal rows are adjacent (equal hash, stable sort) */
		if (m && o[i].h == o[i - 1].h && same_row(&out[m - 1], r)) {
			out[m - 1].packets += r->packets;
			out[m - 1].bytes += r->bytes;
		} else {
			out[m++] = *r;
		}
	}
	memcpy(rows, out, m * sizeof(*out));
	free(o);
	free(out);
	return m;
}
