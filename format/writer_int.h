/* writer_int.h - what the rest of the library may do with a writer beyond
 * fmt.h: store a chunk that is already compressed (the spool's, spool.c)
 * and say why something failed. Private to the library. */
#ifndef FMT_WRITER_INT_H
#define FMT_WRITER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define WRITER_ZSTD_LEVEL 4 /* measured: level 9 is 4% smaller, 35% slower to write */

/* A compressed chunk and its index fields, as the chunk table stores them. */
struct stored_chunk {
	int stream;
	uint32_t records;
	uint32_t crc; /* CRC-32C of data */
	uint64_t t_first, t_last;
	uint64_t raw_size; /* the zstd frame's content size */
	const uint8_t *data;
	size_t len;
};

/* Store sc under a new chunk id; committed with the next flush.
 * @return 0 or a FMT_E* code (fmt_writer_errmsg says why). */
int writer_put_chunk(struct fmt_writer *w, const struct stored_chunk *sc);

/* Set w's error message. @return rc */
int writer_set_err(struct fmt_writer *w, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
