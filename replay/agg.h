/* agg.h - group-by for top tables: a hash map from a key (bytes) to
 * counters. Memory grows with distinct keys, not with records. Maps built
 * on several threads are added together with agg_merge. */
#ifndef AGG_H
#define AGG_H

#include <stddef.h>
#include <stdint.h>

struct agg_entry {
	uint64_t count, packets, bytes;
	uint64_t hash;
	uint32_t klen;
	unsigned char *key; /* NULL: a free slot */
};

struct agg_block; /* where the keys are kept */

struct agg {
	struct agg_entry *slots;
	size_t nslots, n;
	struct agg_block *blocks;
	int oom;
};

/* @return the hash agg_get_hashed wants for key */
uint64_t agg_hash(const void *key, size_t klen);
/* @return the entry for key (created zeroed if new), NULL on oom */
struct agg_entry *agg_get(struct agg *a, const void *key, size_t klen);
/* The same with its hash (agg_hash) already known. */
struct agg_entry *agg_get_hashed(struct agg *a, const void *key, size_t klen, uint64_t hash);
/* Add src's counters into dst (src may be left empty). @return 0 or -1
 * on oom. */
int agg_merge(struct agg *dst, struct agg *src);
/* Entries sorted by the metric (0 count, 1 packets, 2 bytes) descending,
 * ties by key ascending; *n set. Caller frees the array (not the keys). */
struct agg_entry **agg_sorted(struct agg *a, int metric, size_t *n);
/* The first `limit` of agg_sorted's order only (what a top table shows),
 * found without sorting the rest. */
struct agg_entry **agg_top(struct agg *a, int metric, size_t limit, size_t *n);
void agg_free(struct agg *a);

/* A table several threads add into at once: its entries spread over
 * AGG_STRIPES tables by hash, each behind a lock of its own, so that the
 * threads rarely wait and every key is kept once (a table per thread,
 * added up at the end, holds most keys once per thread when they are
 * many: command lines). */
#define AGG_STRIPES 64
struct agg_stripes;
struct agg_stripes *agg_stripes_new(void);
/* Add the counters under key. @return 0, or -1 on oom. */
int agg_stripes_add(struct agg_stripes *s, const void *key, size_t klen, uint64_t count,
		    uint64_t packets, uint64_t bytes);
/* Add into dst the first `limit` entries of each stripe in agg_top's
 * order: dst's first `limit` are then the whole table's. @return 0, or -1
 * on oom. */
int agg_stripes_top(struct agg_stripes *s, int metric, size_t limit, struct agg *dst);
void agg_stripes_free(struct agg_stripes *s);

#endif
