/* appender.h - one stream's way into the file: its growing chunk (a
 * builder), the row id that chunk is stored under, and the policy of when
 * it is sealed: when it is full (a reader limit), when it is due (record
 * count or time span), at every flush as a snapshot that a later store
 * replaces, and at close. The writer keeps one per stream; every record
 * written to a session goes through one. Private to the library. */
#ifndef FMT_APPENDER_H
#define FMT_APPENDER_H

#include <stdint.h>

#include "builder.h"

/* Where sealed chunks go: compressed and stored by id (insert or replace).
 * @return 0 or a FMT_E* code. */
typedef int (*appender_store_fn)(void *ctx, const struct fmt_chunk *c);

struct appender {
	struct fmt_builder *b;
	int64_t open_id; /* row of the growing chunk; 0 until it is first stored */
	int64_t *next_id; /* the file's chunk id counter, shared by the streams */
	uint32_t max_records;
	uint64_t max_span_ns;
	appender_store_fn store;
	void *ctx;
	uint64_t records; /* accepted */
	uint64_t chunks; /* sealed for good */
};

/* @return 0, FMT_EINVAL (bad stream) or FMT_ENOMEM */
int appender_init(struct appender *a, enum fmt_stream stream, uint32_t max_records,
		  uint64_t max_span_ns, int64_t *next_id, appender_store_fn store, void *ctx);
void appender_free(struct appender *a);
/* Add a record of the appender's stream; a full chunk is stored and a new
 * one started, a due chunk is stored. @return 0 or a FMT_E* code. */
int appender_add(struct appender *a, const struct fmt_event *ev);
/* Store the growing chunk as it is, to be replaced as it grows (final = 0),
 * or for good (final = 1). Nothing to do if it is empty. */
int appender_store(struct appender *a, int final);

#endif
