/* row_out.h - rows of the export schema (fmt_row.h) as JSON objects and
 * CSV records: what `export --format jsonl|csv` and `replay --json`
 * write. Strings are written in the lossless encoding. */
#ifndef ROW_OUT_H
#define ROW_OUT_H

#include <stdbool.h>

#include "fmt.h"
#include "fmt_row.h"
#include "obuf.h"

/* Text of one batch's dictionary entries, rendered once (row_*_at) */
#define ROW_MEMOS 4 /* batches remembered: chunks that overlap in time alternate */
struct row_memo {
	uint64_t serial; /* the batch (fmt_batch_serial); 0: none */
	unsigned used; /* when last used, by row_out's clock */
	size_t *off; /* by id x run of columns: where its text starts in text */
	size_t *len; /* ... and its length (0: not rendered yet) */
	size_t cap;
	struct obuf text;
};

/* The last kept text of one stream's leading columns (its scalars before
 * the first run of dictionary columns: ts_ns, wall_ns, time, ...), for
 * one kind (JSON, CSV) and the values it was rendered from: the flows of
 * one interval share them, so a row with the same values copies it */
struct row_lead {
	int key; /* 1 + (was the row's first column) (JSON); 0: nothing kept */
	bool used; /* copied since it was kept */
	unsigned misses; /* rows since it was kept */
	uint16_t len;
	bool null[FMT_ROW_MAX_COLUMNS];
	uint64_t u[FMT_ROW_MAX_COLUMNS];
	char text[512];
};

struct row_out {
	struct obuf *o; /* where rows go */
	struct obuf tmp; /* scratch: an encoded string */
	struct obuf arr; /* scratch: argv as JSON for CSV */
	struct fmt_time_cache tc;
	/* ,"name": of each column, made once per stream (at most 31
	 * characters; 40 so that 32 bytes from offset 1 stay inside) */
	bool keyed[FMT_STREAM_MAX + 1];
	char key[FMT_STREAM_MAX + 1][FMT_ROW_MAX_COLUMNS][40];
	uint8_t keylen[FMT_STREAM_MAX + 1][FMT_ROW_MAX_COLUMNS];
	struct row_memo memo[2][ROW_MEMOS]; /* [0] JSON, [1] CSV */
	/* each stream's runs of columns that follow from one dictionary
	 * entry, [from, to), found once */
	bool ran[FMT_STREAM_MAX + 1];
	uint8_t nrun[FMT_STREAM_MAX + 1], run[FMT_STREAM_MAX + 1][4][2];
	uint8_t nlead[FMT_STREAM_MAX + 1]; /* its leading columns, [0, nlead) */
	struct row_lead lead[FMT_STREAM_MAX + 1][2]; /* [stream][JSON, CSV] */
	unsigned clock;
};

/* One JSON object and a newline: "type" first if type is not NULL, then
 * "file" if file is not NULL, then the stream's columns. */
void row_jsonl(struct row_out *w, const struct fmt_row *r, const char *type, const char *file);
/* The CSV header of stream s (with a leading "file" column if file). */
void row_csv_header(struct obuf *o, enum fmt_stream s, bool file);
/* One CSV record (RFC 4180): null is an empty field, an empty string "". */
void row_csv(struct row_out *w, const struct fmt_row *r, const char *file);
/* The same, for the record at storage position j of batch b (NULL: as
 * above): the runs of columns that follow from one dictionary entry
 * (fmt_column.by) are rendered once per entry and copied, and so are the
 * leading columns (struct row_lead) when they hold the row before's. */
void row_jsonl_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b,
		  uint32_t j, const char *type, const char *file);
void row_csv_at(struct row_out *w, const struct fmt_row *r, const struct fmt_batch *b, uint32_t j,
		const char *file);
/* A JSON string of the raw bytes s, in the lossless encoding. */
void row_json_str(struct row_out *w, struct obuf *o, const char *s, size_t len);
void row_out_free(struct row_out *w);

#endif
