/* builder.h - the chunk builder (chunk_encode.c), private to the library:
 * records of one stream in, a sealed uncompressed chunk out. Only the
 * appender (appender.h) drives it; nothing outside format/ sees either.
 */
#ifndef FMT_BUILDER_H
#define FMT_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "chunk_codec.h"

struct fmt_builder;

/* @return a builder for stream, or NULL (bad stream, out of memory) */
struct fmt_builder *builder_new(enum fmt_stream stream);
void builder_free(struct fmt_builder *b);
/* Add one record of the builder's stream.
 * @return 0; FMT_ELIMIT if the chunk cannot take it (seal, then retry);
 * FMT_EINVAL for a record of another stream or one the format cannot hold;
 * FMT_ENOMEM. */
int builder_add(struct fmt_builder *b, const struct fmt_event *ev);
uint32_t builder_count(const struct fmt_builder *b);
/* @return the heap memory the builder holds (its buffers keep their
 * capacity from chunk to chunk) */
size_t builder_mem(const struct fmt_builder *b);
/* @return 1 when the chunk holds `records` records or spans span_ns */
int builder_due(const struct fmt_builder *b, uint32_t records, uint64_t span_ns);
/* Seal the records added so far into a chunk stored under row chunk_id.
 * With reset the builder starts a new chunk; without, it keeps growing and
 * a later seal under the same id replaces this one. @return the chunk
 * (free with chunk_free) or NULL when out of memory. */
struct fmt_chunk *builder_seal(struct fmt_builder *b, int64_t chunk_id, int reset);
void chunk_free(struct fmt_chunk *c);

#endif
