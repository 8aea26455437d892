/* ch_native.h - rows of one stream gathered into ClickHouse Native blocks:
 * a column at a time, with its row count up front, which the server reads
 * about a quarter faster than RowBinary (measured on 18.16) and stores
 * without growing its columns row by row.
 *
 * A block is: varint columns, varint rows, then per column its name, its
 * type and its data: fixed-width values little-endian back to back;
 * strings as varint length + bytes; FixedString(16) as 16 bytes; Nullable
 * as a byte per row (1: null) then the values (a default where null);
 * Array(String) as cumulative UInt64 offsets then the strings. Columns:
 * session_id (FixedString(32)), host, then the export schema's (fmt_row.h), with the types
 * of ch_schema.c. Strings in the lossless encoding. */
#ifndef CH_NATIVE_H
#define CH_NATIVE_H

#include <stdint.h>

#include "fmt.h"
#include "fmt_row.h"
#include "obuf.h"

struct ch_block {
	enum fmt_stream stream;
	uint32_t rows;
	const char *session_id, *host; /* the same in every row */
	uint64_t items[FMT_ROW_MAX_COLUMNS]; /* Array columns: strings so far */
	struct obuf data[FMT_ROW_MAX_COLUMNS + 2];
	struct obuf aux[FMT_ROW_MAX_COLUMNS + 2]; /* null maps, array offsets */
	struct obuf tmp; /* an encoded string */
	/* ch_block_add_batch's: the encoded strings of one batch's
	 * dictionaries, where each is (string ids, then command lines' argv;
	 * len 0: not yet), and that batch's serial */
	struct obuf enc;
	struct ch_enc {
		size_t off, len;
	} *memo;
	size_t memo_cap;
	uint64_t memo_serial;
	/* the block as sent: the headers in head, the columns' bytes read in
	 * place (not copied into one buffer first) */
	struct obuf head;
	struct {
		size_t head_off; /* in head; NULL p: from head */
		const char *p;
		size_t n;
	} piece[3 * (FMT_ROW_MAX_COLUMNS + 2)];
	unsigned npieces, at;
	size_t off;
};

/* Start an empty block of stream s whose rows all belong to session_id
 * and host (memory is kept from earlier use; the strings must outlive the
 * block's use). */
void ch_block_reset(struct ch_block *b, enum fmt_stream s, const char *session_id,
		    const char *host);
/* Append a row. */
void ch_block_add(struct ch_block *b, const struct fmt_row *r);
/* Append records [from, from + n) of batch bt (storage order) as
 * ch_block_add would, row by row, but a column at a time and each
 * dictionary entry's strings encoded once (ch_columns.c): exec and flow
 * batches with every column loaded. iface(ctx, ifindex) names a flow's
 * interface (NULL: "ifN"). @return 0, 1 for a batch it does not encode
 * (add its rows one by one), -1 if memory ran out. */
int ch_block_add_batch(struct ch_block *b, const struct fmt_batch *bt, uint32_t from, uint32_t n,
		       int64_t clock_offset, const char *(*iface)(void *ctx, uint32_t ifindex),
		       void *ctx);
/* A string as a String column holds it: varint length, then the bytes in
 * the lossless encoding. */
void ch_put_str(struct ch_block *b, struct obuf *o, const char *s);
/* Close the block for sending. @return 0, or -1 if memory ran out on the
 * way (a column's err set). */
int ch_block_emit(struct ch_block *b);
/* The emitted block's length in bytes (0 before it is emitted). */
size_t ch_block_size(const struct ch_block *b);
/* The next bytes of the emitted block into buf (len at most). @return
 * their count, 0 when it is all read. */
size_t ch_block_read(struct ch_block *b, char *buf, size_t len);
void ch_block_free(struct ch_block *b);

#endif
