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
/* A hint that the entry for hash will be looked up soon: fetch its first
 * slot (what 0), or the key that slot holds (what 1: once the slot is in
 * the cache). */
static inline void agg_prefetch(const struct agg *a, uint64_t hash, int what)
{
	const struct agg_entry *e;

	if (!a->nslots)
		return;
	e = &a->slots[hash & (a->nslots - 1)];
	if (!what)
		__builtin_prefetch(e);
	else if (e->key)
		__builtin_prefetch(e->key);
}
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

/* Clear a's entries, keeping its slots' room (and its keys' first block). */
void agg_clear(struct agg *a);
/* agg_get_hashed without copying the key: a new entry points at key,
 * which must outlive the entry (agg_spill's buffers). */
struct agg_entry *agg_get_borrowed(struct agg *a, const void *key, size_t klen, uint64_t hash);

/* A spilled count, for keys too many for one table in cache (command
 * lines: about one per exec): threads append (key, count) through writers
 * of their own, each into buffers by the key's hash, and agg_spill_top adds
 * them up one partition at a time, exactly (keys compared, not hashes). */
struct agg_spill;
struct agg_spill_writer;
struct agg_spill *agg_spill_new(void);
/* A writer for one thread, freed with s. @return NULL on oom. */
struct agg_spill_writer *agg_spill_writer(struct agg_spill *s);
/* Count key `count` times. @return 0, or -1 on oom. */
int agg_spill_add(struct agg_spill_writer *w, const void *key, size_t klen, uint64_t count);
/* Keys of up to AGG_SHORT_MAX bytes are counted as one word: the key's
 * bytes from the lowest up, and its length + 1 in the top byte (never 0;
 * at most 8, so the top 4 bits are 0: the spill keeps small counts there).
 * agg_spill_add makes it; a caller that builds it in a register (no
 * bytes stored and loaded again) adds it with agg_spill_add_shorts. */
#define AGG_SHORT_MAX 7
static inline uint64_t agg_short_key(const void *key, size_t klen)
{
	const unsigned char *p = key;
	uint64_t k = (uint64_t)(klen + 1) << 56;

	for (size_t i = 0; i < klen; i++)
		k |= (uint64_t)p[i] << (8 * i);
	return k;
}
/* A short key's bytes into buf (8 bytes). @return their length. */
static inline size_t agg_short_bytes(uint64_t k, unsigned char *buf)
{
	size_t klen = (size_t)(k >> 56) - 1;

	for (size_t i = 0; i < 8; i++)
		buf[i] = (unsigned char)(k >> (8 * i));
	return klen;
}
/* Count n short keys, key[i] count[i] times. @return 0, or -1 on oom. */
int agg_spill_add_shorts(struct agg_spill_writer *w, const uint64_t *key, const uint64_t *count,
			 size_t n);
/* The partition key is counted in (tests). */
unsigned agg_spill_partition(const void *key, size_t klen);
/* Add into dst the first `limit` of each partition in agg_top's order by
 * count: dst's first `limit` are then the whole count's. Runs on `threads`
 * threads; no writer may add meanwhile. @return 0, or -1 on oom. */
int agg_spill_top(struct agg_spill *s, size_t limit, unsigned threads, struct agg *dst);
/* The same when the spilled keys stand for other keys, and the top is the
 * first `limit` by count then by those (command lines counted as ids of
 * words, shown as text): rekey writes the key that key stands for into buf
 * (AGG_REKEY_MAX bytes) and returns its length. Two spilled keys must not
 * stand for the same key. */
#define AGG_REKEY_MAX 8192
typedef size_t (*agg_rekey_fn)(void *ctx, const void *key, size_t klen, unsigned char *buf);
int agg_spill_top_rekeyed(struct agg_spill *s, size_t limit, unsigned threads, struct agg *dst,
			  agg_rekey_fn rekey, void *ctx);
/* Call fn with every record held (a key and a count; a key may come more
 * than once). No writer may add meanwhile. @return 0 or fn's first
 * non-zero return. */
typedef int (*agg_spill_fn)(void *ctx, const void *key, size_t klen, uint64_t count);
int agg_spill_each(struct agg_spill *s, agg_spill_fn fn, void *ctx);
void agg_spill_free(struct agg_spill *s);
/* The bytes of records the writers hold. A writer adds its records up in
 * place (one per key) when they reach agg_spill_fold_min bytes, then twice
 * what was left: memory follows the distinct keys, not the records
 * (tests may lower it before adding). */
size_t agg_spill_bytes(const struct agg_spill *s);
extern size_t agg_spill_fold_min;

#endif
