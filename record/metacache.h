/* metacache.h - a copy of every meta key the recorder set, so that each
 * file an output starts (a rotated file, a dump) gets the session's meta,
 * whatever keys it holds; and loss counters per file.
 *
 * A key the format marks as a sum (FMT_META_SUMMED in fmt_meta.h: the
 * loss counters) is set by the recorder as a count since the recording
 * began; a file holds the count since it began (since the last rebase, or
 * since a snapshot), so the files of a recording add up to the total. */
#ifndef REC_METACACHE_H
#define REC_METACACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fmt_writer;

struct metacache {
	struct mc_entry {
		char *key, *value;
		bool summed; /* a count: num and base are used */
		uint64_t num, base;
	} *v;
	size_t n, cap;
};

/* The counts of the summed keys at one moment (by entry index; keys are
 * never removed, so indexes stay). */
struct mc_snapshot {
	uint64_t *num;
	size_t n;
};

/* Store key = value. @return 0 or -1 (out of memory) */
int metacache_set(struct metacache *m, const char *key, const char *value);
/* @return the value stored for key, or NULL */
const char *metacache_get(const struct metacache *m, const char *key);
/* The value a file that began at the last rebase holds for key (the count
 * since then for a summed key, in buf). NULL if the key is not stored. */
const char *metacache_file_value(const struct metacache *m, const char *key, char *buf,
				 size_t len);
/* A new file begins: summed keys count from here. */
void metacache_rebase(struct metacache *m);
/* Write every key into w as a file that began at the last rebase holds it,
 * or, with since, as one that began when the snapshot was taken.
 * @return 0 or a FMT_E* code */
int metacache_write(const struct metacache *m, struct fmt_writer *w,
		    const struct mc_snapshot *since);
/* @return 0 or -1 (out of memory) */
int metacache_snapshot(const struct metacache *m, struct mc_snapshot *s);
void mc_snapshot_free(struct mc_snapshot *s);
void metacache_free(struct metacache *m);

#endif
