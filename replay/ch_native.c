/* ch_native.c - see ch_native.h. Column 0 is session_id, 1 host, 2 + i
 * the export schema's column i. This is push's inner loop: a row costs
 * one pass over its values, strings one pass over their bytes. */
#include <stdlib.h>
#include <string.h>

#include "ch_native.h"
#include "ch_schema.h"

void ch_block_reset(struct ch_block *b, enum fmt_stream s, const char *session_id,
		    const char *host)
{
	b->stream = s;
	b->rows = 0;
	b->session_id = session_id;
	b->host = host;
	b->npieces = b->at = 0;
	b->off = 0;
	memset(b->items, 0, sizeof(b->items));
	for (int i = 0; i < FMT_ROW_MAX_COLUMNS + 2; i++)
		b->data[i].len = b->aux[i].len = 0;
}

void ch_put_str(struct ch_block *b, struct obuf *o, const char *s)
{
	size_t len;

	/* the usual short ASCII string: copied while its length is found,
	 * behind a one-byte length */
	if (!obuf_room(o, 128)) {
		char *p = o->buf + o->len + 1;
		unsigned char hi = 0;
		size_t n = 0;
		while (n < 127 && s[n]) {
			p[n] = s[n];
			hi |= (unsigned char)s[n];
			n++;
		}
		if (!s[n] && hi < 0x80) {
			p[-1] = (char)n;
			o->len += n + 1;
			return;
		}
	}
	len = strlen(s);
	if (!(s = fmt_str_export(s, &len, &b->tmp.buf, &b->tmp.cap))) {
		o->err = 1;
		return;
	}
	obuf_lstr(o, s, len);
}

void ch_block_add(struct ch_block *b, const struct fmt_row *r)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(r->stream, &n);

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
			ch_put_str(b, d, v->null ? "" : v->s);
			break;
		case FMT_COL_STRS:
			for (uint32_t k = 0; k < v->strs.n; k++)
				ch_put_str(b, d, v->strs.v[k]);
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

/* A column holding s in every row (with its length in front for a
 * String, as it is for a FixedString): one copy, then doubled. */
static void constant(struct obuf *o, const char *s, size_t len, bool fixed, uint32_t rows)
{
	size_t one;

	o->len = 0;
	if (!rows)
		return;
	if (fixed)
		obuf_put(o, s, len);
	else
		obuf_lstr(o, s, len);
	one = o->len;
	if (obuf_room(o, one * rows))
		return;
	for (size_t have = 1; have < rows;) {
		size_t k = have <= rows - have ? have : rows - have;
		memcpy(o->buf + have * one, o->buf, k * one);
		have += k;
	}
	o->len = one * rows;
}

static void add_piece(struct ch_block *b, const char *p, size_t n, size_t head_off)
{
	if (!n)
		return;
	b->piece[b->npieces].p = p;
	b->piece[b->npieces].head_off = head_off;
	b->piece[b->npieces++].n = n;
}

int ch_block_emit(struct ch_block *b)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(b->stream, &n);
	struct obuf *h = &b->head;
	size_t from = 0;
	char type[256];

	constant(&b->data[0], b->session_id, CH_SESSION_ID_LEN, true, b->rows);
	constant(&b->data[1], b->host, strlen(b->host), false, b->rows);
	h->len = 0;
	b->npieces = b->at = 0;
	b->off = 0;
	obuf_varint(h, n + 2);
	obuf_varint(h, b->rows);
	for (unsigned i = 0; i < n + 2; i++) {
		if (b->data[i].err || b->aux[i].err)
			return -1;
		if (i < 2) {
			obuf_lstr(h, i ? "host" : "session_id", i ? 4 : 10);
			obuf_lstr(h, i ? "String" : "FixedString(32)", i ? 6 : 15);
		} else {
			obuf_lstr(h, c[i - 2].name, strlen(c[i - 2].name));
			obuf_lstr(h, type, ch_schema_type(type, sizeof(type), &c[i - 2]));
		}
		add_piece(b, NULL, h->len - from, from);
		from = h->len;
		add_piece(b, b->aux[i].buf, b->aux[i].len, 0);
		add_piece(b, b->data[i].buf, b->data[i].len, 0);
	}
	return h->err ? -1 : 0;
}

size_t ch_block_size(const struct ch_block *b)
{
	size_t n = 0;

	for (unsigned i = 0; i < b->npieces; i++)
		n += b->piece[i].n;
	return n;
}

size_t ch_block_read(struct ch_block *b, char *buf, size_t len)
{
	size_t done = 0;

	while (done < len && b->at < b->npieces) {
		const char *p = b->piece[b->at].p ? b->piece[b->at].p :
						    b->head.buf + b->piece[b->at].head_off;
		size_t k = b->piece[b->at].n - b->off;
		if (k > len - done)
			k = len - done;
		memcpy(buf + done, p + b->off, k);
		done += k;
		if ((b->off += k) == b->piece[b->at].n) {
			b->at++;
			b->off = 0;
		}
	}
	return done;
}

void ch_block_free(struct ch_block *b)
{
	for (int i = 0; i < FMT_ROW_MAX_COLUMNS + 2; i++) {
		obuf_free(&b->data[i]);
		obuf_free(&b->aux[i]);
	}
	obuf_free(&b->tmp);
	obuf_free(&b->enc);
	free(b->memo);
	b->memo = NULL;
	b->memo_cap = 0;
	obuf_free(&b->head);
}
