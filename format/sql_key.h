/* sql_key.h - rows' values as hash keys, for the SQL tables' grouping
 * (sql_group.c, sql_rows.c): values serialized into bytes (a tag, then 8
 * bytes or a length and the text) and a map from such keys to a count, the
 * row that came first in time, and an index in insertion order. Private
 * to the SQL tables. */
#ifndef FMT_SQL_KEY_H
#define FMT_SQL_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "sql_table.h"

/* Where a row comes in time order: wall clock, file, chunk id, position
 * (in a chunk, time order follows (ts, storage position)). */
struct sql_first {
	int64_t wall;
	uint32_t src;
	uint32_t j;
	int64_t chunk;
};
int sql_first_less(const struct sql_first *a, const struct sql_first *b);

struct sql_key_block;

struct sql_key_entry {
	uint64_t hash, count;
	struct sql_first first;
	uint32_t len;
	uint32_t index; /* the n-th key added */
	unsigned char *key; /* NULL: a free slot */
};

struct sql_key_map {
	struct sql_key_entry *e;
	size_t n, cap;
	struct sql_key_block *blocks; /* the keys' bytes */
};

uint64_t sql_key_hash(const unsigned char *p, size_t n);
/* Add count under key (first: keep the earlier). @return the key's index,
 * or -1 when out of memory; *kept (if not NULL) the key's bytes as the map
 * keeps them (they stay where they are). */
int64_t sql_key_add(struct sql_key_map *m, const unsigned char *key, size_t len, uint64_t hash,
		    uint64_t count, const struct sql_first *first, const unsigned char **kept);
void sql_key_map_free(struct sql_key_map *m);

/* A row's values in a chunk as a tuple of codes: per column a tag (0 a
 * dictionary id, 1 the value, 2 NULL, 3 a static text) and the code; equal
 * codes in one chunk, equal values. */
struct sql_code {
	uint64_t v;
	uint8_t tag;
};
void sql_codes_of(int stream, int ncols, const int *cols, const struct sql_row *r,
		  struct sql_scratch *sc, struct sql_code *out);
uint64_t sql_codes_hash(const struct sql_code *c, int n);
int sql_codes_same(const struct sql_code *a, const struct sql_code *b, int n);

/* A growable byte buffer for one key. */
struct sql_key_buf {
	unsigned char *p;
	size_t len, cap;
};
/* Append v. @return 0 or -1 (out of memory). */
int sql_key_put(struct sql_key_buf *k, const struct sqlv *v);
/* The n values of a key (text pointing into it). */
void sql_key_values(const unsigned char *p, int n, struct sqlv *v);

#endif
