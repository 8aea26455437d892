/* bytes.h - growable byte buffers and bounded varint/zigzag coding.
 *
 * Writing side: struct fmt_buf grows on demand (callers check buf->oom once
 * at the end instead of after every put). Reading side: struct fmt_cursor
 * never reads past its end; a failed read sets cur->bad and returns 0, so a
 * decoder can check once per column that the input was well formed.
 */
#ifndef FMT_BYTES_H
#define FMT_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fmt_buf {
	uint8_t *data;
	size_t len, cap;
	int oom; /* an allocation failed; contents are incomplete */
};

void fmt_buf_free(struct fmt_buf *b);
/* Make room for n more bytes. @return pointer to the free space or NULL. */
uint8_t *fmt_buf_reserve(struct fmt_buf *b, size_t n);

static inline void fmt_buf_put(struct fmt_buf *b, const void *p, size_t n)
{
	uint8_t *dst = fmt_buf_reserve(b, n);
	if (dst) {
		if (n) /* p may be an empty buffer's NULL data */
			memcpy(dst, p, n);
		b->len += n;
	}
}

static inline void fmt_buf_put_u8(struct fmt_buf *b, uint8_t v)
{
	fmt_buf_put(b, &v, 1);
}

/* LEB128: 7 bits per byte, least significant first, high bit = more. */
static inline void fmt_buf_put_varint(struct fmt_buf *b, uint64_t v)
{
	uint8_t *p = fmt_buf_reserve(b, 10);
	size_t n = 0;

	if (!p)
		return;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	b->len += n;
}

static inline uint64_t fmt_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t fmt_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Signed difference of two unsigned values, wrapping like the hardware. */
static inline void fmt_buf_put_delta(struct fmt_buf *b, uint64_t cur, uint64_t prev)
{
	fmt_buf_put_varint(b, fmt_zigzag((int64_t)(cur - prev)));
}

/* Dictionary ids are stored little-endian in the fewest bytes that hold
 * every id of their dictionary: fixed width decodes without branches. */
static inline unsigned fmt_id_width(uint64_t count)
{
	return count <= 0x100 ? 1 : count <= 0x10000 ? 2 : count <= 0x1000000 ? 3 : 4;
}

static inline void fmt_buf_put_id(struct fmt_buf *b, uint32_t v, unsigned width)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	fmt_buf_put(b, le, width);
}

struct fmt_cursor {
	const uint8_t *p, *end;
	int bad; /* set by any read past the end or overlong varint */
};

static inline uint64_t fmt_cur_varint_slow(struct fmt_cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (c->p < c->end) {
		uint8_t byte = *c->p++;
		if (shift == 63 && byte > 1)
			break; /* more than 64 bits */
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
		shift += 7;
		if (shift > 63)
			break;
	}
	c->bad = 1;
	c->p = c->end;
	return 0;
}

/* With at least 10 bytes left no per-byte bounds check is needed; most
 * values are one byte, so test that first. */
static inline uint64_t fmt_cur_varint(struct fmt_cursor *c)
{
	const uint8_t *p = c->p;
	uint64_t v;

	if (c->end - p < 10)
		return fmt_cur_varint_slow(c);
	v = p[0];
	if (v < 0x80) {
		c->p = p + 1;
		return v;
	}
	v &= 0x7f;
	for (unsigned i = 1; i < 10; i++) {
		uint64_t byte = p[i];
		v |= (byte & 0x7f) << (7 * i);
		if (byte < 0x80) {
			if (i == 9 && byte > 1)
				break; /* more than 64 bits */
			c->p = p + i + 1;
			return v;
		}
	}
	c->bad = 1;
	c->p = c->end;
	return 0;
}

static inline uint8_t fmt_cur_u8(struct fmt_cursor *c)
{
	if (c->p >= c->end) {
		c->bad = 1;
		return 0;
	}
	return *c->p++;
}

/* @return the little-endian id of width 1-4 at p (width bytes readable) */
static inline __attribute__((always_inline)) uint32_t fmt_id_at(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1:
		return p[0];
	case 2:
		return p[0] | (uint32_t)p[1] << 8;
	case 3:
		return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	default:
		return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	}
}

/* @return a fixed-width id (width 1-4), or 0 with bad set. */
static inline uint32_t fmt_cur_id(struct fmt_cursor *c, unsigned width)
{
	const uint8_t *p = c->p;

	if ((size_t)(c->end - p) < width) {
		c->bad = 1;
		c->p = c->end;
		return 0;
	}
	c->p += width;
	return fmt_id_at(p, width);
}

/* @return pointer to n bytes, or NULL (and bad set) if fewer remain. */
static inline const uint8_t *fmt_cur_bytes(struct fmt_cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if ((size_t)(c->end - c->p) < n) {
		c->bad = 1;
		c->p = c->end;
		return NULL;
	}
	c->p += n;
	return p;
}

#endif
