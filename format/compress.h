/* compress.h - a sealed chunk as it is stored: one zstd frame that declares
 * its content size (no frame checksum) and the CRC-32C of those bytes
 * (docs/FORMAT.md section 3). The writer stores chunks this way, the spool
 * keeps them this way in memory. Private to the library. */
#ifndef FMT_COMPRESS_H
#define FMT_COMPRESS_H

#include <stdint.h>

#include <zstd.h>

#include "bytes.h"
#include "chunk_codec.h"

/* @return a compression context at level (with the format's frame
 * parameters), or NULL when out of memory */
ZSTD_CCtx *chunk_cctx_new(int level);

/* Compress c's payload into out (replacing its contents) and compute the
 * CRC-32C of the result. @return 0, or FMT_ELIMIT (the chunk is over the
 * format's limits), FMT_ENOMEM or FMT_EIO, with a static reason in *why. */
int chunk_compress(ZSTD_CCtx *zc, const struct fmt_chunk *c, struct fmt_buf *out, uint32_t *crc,
		   const char **why);

#endif
