/* spool.c - fmt_spool and fmt_segment (fmt_spool.h): chunks in memory.
 *
 * A spool drives one appender per stream, as the writer does; its store
 * callback compresses each sealed chunk and appends it to the segment being
 * filled. A cut seals every stream's growing chunk for good and hands the
 * segment over. fmt_writer_put_segment copies a segment's chunks into a
 * file through writer_put_chunk, or, for a chunk that crosses the window,
 * decodes it and appends the records inside the window again.
 */
#include <stdlib.h>
#include <string.h>

#include "appender.h"
#include "compress.h"
#include "flow_order.h"
#include "fmt_spool.h"
#include "writer_int.h"

#define SPOOL_BUILDER_KEEP (1u << 20) /* builder memory kept from one segment to the next */

struct spool_chunk {
	struct spool_chunk *next;
	struct stored_chunk sc; /* sc.data points at bytes[] */
	uint8_t bytes[];
};

struct fmt_segment {
	struct spool_chunk *head, *tail;
	struct fmt_segment_info info;
};

struct fmt_spool {
	struct appender app[FMT_STREAM_MAX + 1];
	int64_t next_id; /* the appenders want row ids; a spool has no rows */
	ZSTD_CCtx *zc;
	struct fmt_buf zbuf;
	struct fmt_segment *cur; /* being filled: the chunks sealed since the last cut */
	uint64_t pending; /* records appended since the last cut */
};

static struct fmt_segment *segment_new(void)
{
	struct fmt_segment *sg = calloc(1, sizeof(*sg));

	if (sg) {
		sg->info.t_first = UINT64_MAX;
		sg->info.mem = sizeof(*sg);
	}
	return sg;
}

void fmt_segment_free(struct fmt_segment *sg)
{
	if (!sg)
		return;
	for (struct spool_chunk *c = sg->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(sg);
}

void fmt_segment_info(const struct fmt_segment *sg, struct fmt_segment_info *info)
{
	*info = sg->info;
	if (!info->records)
		info->t_first = info->t_last = 0;
}

/* The appenders' store callback: keep the chunk, compressed, in the segment
 * being filled. Only final seals come here (a spool never snapshots). */
static int keep_chunk(void *ctx, const struct fmt_chunk *c)
{
	struct fmt_spool *sp = ctx;
	struct spool_chunk *k;
	const char *why;
	uint32_t crc;
	int rc;

	if (!c->records)
		return FMT_OK;
	if ((rc = chunk_compress(sp->zc, c, &sp->zbuf, &crc, &why)))
		return rc;
	if (!(k = malloc(sizeof(*k) + sp->zbuf.len)))
		return FMT_ENOMEM;
	memcpy(k->bytes, sp->zbuf.data, sp->zbuf.len);
	k->next = NULL;
	k->sc = (struct stored_chunk){ .stream = c->stream, .records = c->records, .crc = crc,
				       .t_first = c->t_first, .t_last = c->t_last,
				       .raw_size = c->payload.len, .data = k->bytes,
				       .len = sp->zbuf.len };
	if (sp->cur->tail)
		sp->cur->tail->next = k;
	else
		sp->cur->head = k;
	sp->cur->tail = k;
	sp->cur->info.chunks++;
	sp->cur->info.records += c->records;
	sp->cur->info.mem += sizeof(*k) + sp->zbuf.len;
	if (c->t_first < sp->cur->info.t_first)
		sp->cur->info.t_first = c->t_first;
	if (c->t_last > sp->cur->info.t_last)
		sp->cur->info.t_last = c->t_last;
	return FMT_OK;
}

int fmt_spool_new(const struct fmt_writer_opts *opts, struct fmt_spool **out)
{
	struct fmt_writer_opts o = opts ? *opts : (struct fmt_writer_opts){ 0 };
	struct fmt_spool *sp = calloc(1, sizeof(*sp));
	int rc = FMT_OK;

	*out = NULL;
	if (!sp)
		return FMT_ENOMEM;
	if (!o.chunk_records || o.chunk_records > FMT_MAX_CHUNK_RECORDS)
		o.chunk_records = FMT_CHUNK_RECORDS;
	if (!o.chunk_span_ns)
		o.chunk_span_ns = FMT_CHUNK_SPAN_NS;
	sp->next_id = 1;
	if (!(sp->zc = chunk_cctx_new(o.zstd_level ? o.zstd_level : WRITER_ZSTD_LEVEL)) ||
	    !(sp->cur = segment_new()))
		rc = FMT_ENOMEM;
	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		rc = appender_init(&sp->app[s], s, o.chunk_records, o.chunk_span_ns, &sp->next_id,
				   keep_chunk, sp);
	if (rc) {
		fmt_spool_free(sp);
		return rc;
	}
	*out = sp;
	return FMT_OK;
}

void fmt_spool_free(struct fmt_spool *sp)
{
	if (!sp)
		return;
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++)
		appender_free(&sp->app[s]);
	ZSTD_freeCCtx(sp->zc);
	fmt_buf_free(&sp->zbuf);
	fmt_segment_free(sp->cur);
	free(sp);
}

int fmt_spool_append(struct fmt_spool *sp, const struct fmt_event *ev)
{
	int rc;

	if (ev->stream < FMT_STREAM_EXEC || ev->stream > FMT_STREAM_MAX)
		return FMT_EINVAL;
	rc = appender_add(&sp->app[ev->stream], ev);
	if (rc == FMT_OK)
		sp->pending++;
	return rc;
}

int fmt_spool_append_flows(struct fmt_spool *sp, struct fmt_flow *rows, size_t n)
{
	struct fmt_event ev = { .stream = FMT_STREAM_FLOW };
	int rc = FMT_OK;

	n = flow_rows_order(rows, n);
	for (size_t i = 0; i < n && rc == FMT_OK; i++) {
		ev.flow = rows[i];
		rc = fmt_spool_append(sp, &ev);
	}
	return rc;
}

int fmt_spool_cut(struct fmt_spool *sp, struct fmt_segment **out)
{
	struct fmt_segment *next;
	int rc = FMT_OK;

	*out = NULL;
	for (int s = FMT_STREAM_EXEC; rc == FMT_OK && s <= FMT_STREAM_MAX; s++)
		rc = appender_store(&sp->app[s], 1);
	if (rc == FMT_OK && !(next = segment_new()))
		rc = FMT_ENOMEM;
	if (rc)
		return rc; /* what was sealed stays in the segment being filled */
	/* builders keep their capacity: after a burst, give it back */
	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++) {
		struct appender fresh;
		if (builder_mem(sp->app[s].b) > SPOOL_BUILDER_KEEP &&
		    appender_init(&fresh, s, sp->app[s].max_records, sp->app[s].max_span_ns,
				  &sp->next_id, keep_chunk, sp) == FMT_OK) {
			appender_free(&sp->app[s]);
			sp->app[s] = fresh;
		}
	}
	if (sp->cur->info.records)
		*out = sp->cur;
	else
		fmt_segment_free(sp->cur);
	sp->cur = next;
	sp->pending = 0;
	return FMT_OK;
}

size_t fmt_spool_mem(const struct fmt_spool *sp)
{
	size_t n = sizeof(*sp) + sp->zbuf.cap + (sp->cur ? sp->cur->info.mem : 0);

	for (int s = FMT_STREAM_EXEC; s <= FMT_STREAM_MAX; s++)
		n += builder_mem(sp->app[s].b);
	return n;
}

uint64_t fmt_spool_pending(const struct fmt_spool *sp)
{
	return sp->pending;
}

/* Decode a chunk that crosses [from, to] and append its records inside. */
static int put_part(struct fmt_writer *w, const struct stored_chunk *sc, uint64_t from,
		    uint64_t to, struct fmt_buf *raw, struct fmt_batch **b, uint64_t *stored)
{
	struct fmt_event ev;
	const char *why;
	size_t n;
	int rc;

	raw->len = 0;
	if (!fmt_buf_reserve(raw, sc->raw_size))
		return writer_set_err(w, FMT_ENOMEM, "out of memory");
	n = ZSTD_decompress(raw->data, sc->raw_size, sc->data, sc->len);
	if (ZSTD_isError(n) || n != sc->raw_size)
		return writer_set_err(w, FMT_ECORRUPT, "a chunk in memory does not decompress");
	rc = chunk_decode(raw->data, n, sc->stream, sc->records, b, &why);
	if (rc)
		return writer_set_err(w, rc, "a chunk in memory: %s", why);
	for (uint32_t i = 0; i < fmt_batch_count(*b) && rc == FMT_OK; i++) {
		uint64_t ts = fmt_batch_ts(*b, i);
		if (ts < from || ts > to)
			continue;
		fmt_batch_get(*b, i, &ev);
		if ((rc = fmt_writer_append(w, &ev)) == FMT_OK)
			(*stored)++;
	}
	return rc;
}

int fmt_writer_put_segment(struct fmt_writer *w, const struct fmt_segment *sg, uint64_t from,
			   uint64_t to, uint64_t *stored)
{
	struct fmt_buf raw = { 0 };
	struct fmt_batch *b = NULL;
	uint64_t n = 0;
	int rc = FMT_OK;

	for (const struct spool_chunk *c = sg->head; c && rc == FMT_OK; c = c->next) {
		const struct stored_chunk *sc = &c->sc;
		if (sc->t_last < from || sc->t_first > to)
			continue;
		if (sc->t_first >= from && sc->t_last <= to) {
			if ((rc = writer_put_chunk(w, sc)) == FMT_OK)
				n += sc->records;
		} else {
			rc = put_part(w, sc, from, to, &raw, &b, &n);
		}
	}
	fmt_batch_free(b);
	fmt_buf_free(&raw);
	if (stored)
		*stored = n;
	return rc;
}
