/* agg.h - group-by for top tables: a hash map from a key (bytes) to
 * counters. Memory grows with distinct keys, not with records. */
#ifndef AGG_H
#define AGG_H

#include <stddef.h>
#include <stdint.h>

struct agg_entry {
	uint64_t count, packets, bytes;
	uint32_t klen;
	unsigned char *key;
};

struct agg {
	struct agg_entry *slots;
	size_t nslots, n;
	int oom;
};

/* @return the entry for key (created zeroed if new), NULL on oom */
struct agg_entry *agg_get(struct agg *a, const void *key, size_t klen);
/* Entries sorted by the metric (0 count, 1 packets, 2 bytes) descending,
 * ties by key ascending; *n set. Caller frees the array (not the keys). */
struct agg_entry **agg_sorted(struct agg *a, int metric, size_t *n);
void agg_free(struct agg *a);

#endif
