/* compress.c - see compress.h. */
#include "compress.h"
#include "crc32.h"

ZSTD_CCtx *chunk_cctx_new(int level)
{
	ZSTD_CCtx *zc = ZSTD_createCCtx();

	if (!zc)
		return NULL;
	ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, level);
	/* no zstd frame checksum: the CRC-32C of the blob is checked before
	 * decompressing, and the decoder validates every field */
	ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setParameter(zc, ZSTD_c_contentSizeFlag, 1);
	return zc;
}

int chunk_compress(ZSTD_CCtx *zc, const struct fmt_chunk *c, struct fmt_buf *out, uint32_t *crc,
		   const char **why)
{
	size_t bound = ZSTD_compressBound(c->payload.len), zlen;

	if (c->payload.len > FMT_MAX_CHUNK_RAW || bound > FMT_MAX_CHUNK_BLOB) {
		*why = "the chunk exceeds the format limit";
		return FMT_ELIMIT;
	}
	out->len = 0;
	if (!fmt_buf_reserve(out, bound)) {
		*why = "out of memory";
		return FMT_ENOMEM;
	}
	zlen = ZSTD_compress2(zc, out->data, bound, c->payload.data, c->payload.len);
	if (ZSTD_isError(zlen)) {
		*why = ZSTD_getErrorName(zlen);
		return FMT_EIO;
	}
	out->len = zlen;
	*crc = fmt_crc32c(0, out->data, zlen);
	return FMT_OK;
}
