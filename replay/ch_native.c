/* ch_native.c - see ch_native.h. Column 0 is session_id, 1 host, 2 + i
 * the export schema's column i. */
#include <stdlib.h>
#include <string.h>

#include "ch_native.h"
#include "ch_schema.h"

void ch_block_reset(struct ch_block *b, enum fmt_stream s)
{
	b->stream = s;
	b->rows = 0;
	memset(b->items, 0, sizeof(b->items));
	for (int i = 0; i < FMT_ROW_MAX_COLUMNS + 2; i++)
		b->data[i].len = b->aux[i].len = 0;
}

/* a string in the lossless encoding */
static void str(struct ch_block *b, struct obuf *o, const char *s)
{
	size_t len = strlen(s);

	if (fmt_utf8_valid(s, len)) {
		obuf_lstr(o, s, len);
		return;
	}
	b->tmp.len = 0;
	if (obuf_room(&b->tmp, FMT_STR_ENCODED_MAX(len))) {
		o->err = 1;
		return;
	}
	obuf_lstr(o, b->tmp.buf, fmt_str_encode(s, len, b->tmp.buf));
}

void ch_block_add(struct ch_block *b, const char *session_id, const char *host,
		  const struct fmt_row *r)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(r->stream, &n);

	obuf_lstr(&b->data[0], session_id, strlen(session_id));
	obuf_lstr(&b->data[1], host, strlen(host));
	for (unsigned i = 0; i < r->n; i++) {
		const struct fmt_value *v = &r->v[i];
		struct obuf *d = &b->data[i + 2];
		if (c[i].nullable)
			obuf_putc(&b->aux[i + 2], v->null ? 1 : 0);
		switch (c[i].type) {
		case FMT_COL_U8:
		case FMT_COL_BOOL:
		case FMT_COL_ENUM:
			obuf_le(d, v->null ? 0 : v->u, 1);
			break;
		case FMT_COL_U16:
			obuf_le(d, v->null ? 0 : v->u, 2);
			break;
		case FMT_COL_U32:
			obuf_le(d, v->null ? 0 : v->u, 4);
			break;
		case FMT_COL_I32:
			obuf_le(d, v->null ? 0 : (uint64_t)v->i, 4);
			break;
		case FMT_COL_TIME: {
			uint64_t sec = v->u / 1000000000u;
			obuf_le(d, sec > UINT32_MAX ? UINT32_MAX : sec, 4);
			break;
		}
		case FMT_COL_STR:
			str(b, d, v->null ? "" : v->s);
			break;
		case FMT_COL_STRS:
			for (uint32_t k = 0; k < v->strs.n; k++)
				str(b, d, v->strs.v[k]);
			b->items[i] += v->strs.n;
			obuf_le(&b->aux[i + 2], b->items[i], 8); /* offsets: where each ends */
			break;
		case FMT_COL_ADDR:
			if (v->null) {
				obuf_put(d, zero, 16);
			} else if (v->addr.family == 4) { /* IPv4-mapped IPv6 */
				obuf_put(d, mapped, sizeof(mapped));
				obuf_put(d, v->addr.bytes, 4);
			} else {
				obuf_put(d, v->addr.bytes, 16);
			}
			break;
		default:
			obuf_le(d, v->null ? 0 : v->u, 8);
		}
	}
	b->rows++;
}

int ch_block_emit(struct ch_block *b, struct obuf *out)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(b->stream, &n);
	char type[256];

	obuf_varint(out, n + 2);
	obuf_varint(out, b->rows);
	for (unsigned i = 0; i < n + 2; i++) {
		if (b->data[i].err || b->aux[i].err)
			return -1;
		if (i < 2) {
			obuf_lstr(out, i ? "host" : "session_id", i ? 4 : 10);
			obuf_lstr(out, "String", 6);
		} else {
			obuf_lstr(out, c[i - 2].name, strlen(c[i - 2].name));
			obuf_lstr(out, type, ch_schema_type(type, sizeof(type), &c[i - 2]));
		}
		obuf_put(out, b->aux[i].buf, b->aux[i].len);
		obuf_put(out, b->data[i].buf, b->data[i].len);
	}
	ch_block_reset(b, b->stream);
	return out->err ? -1 : 0;
}

void ch_block_free(struct ch_block *b)
{
	for (int i = 0; i < FMT_ROW_MAX_COLUMNS + 2; i++) {
		obuf_free(&b->data[i]);
		obuf_free(&b->aux[i]);
	}
	obuf_free(&b->tmp);
}
