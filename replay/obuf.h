/* obuf.h - a growable output buffer written to a FILE in large blocks:
 * what the exports append to, a value at a time, instead of stdio's
 * per-call locking and formatting. */
#ifndef OBUF_H
#define OBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "varint.h"

struct obuf {
	char *buf;
	size_t len, cap;
	FILE *f; /* where obuf_flush writes; NULL: the caller takes buf */
	int err; /* out of memory or a write error: nothing more is kept */
};

/* Make room for n more bytes. @return 0, or -1 (err set). */
int obuf_grow(struct obuf *o, size_t n);

static inline int obuf_room(struct obuf *o, size_t n)
{
	return o->cap - o->len >= n ? 0 : obuf_grow(o, n);
}

static inline void obuf_put(struct obuf *o, const void *s, size_t n)
{
	if (!n || obuf_room(o, n))
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void obuf_putc(struct obuf *o, char c)
{
	if (obuf_room(o, 1))
		return;
	o->buf[o->len++] = c;
}

/* v as an unsigned LEB128 varint (ClickHouse's string lengths) */
static inline void obuf_varint(struct obuf *o, uint64_t v)
{
	if (obuf_room(o, 10))
		return;
	o->len = (size_t)((char *)varint_put((unsigned char *)o->buf + o->len, v) - o->buf);
}

/* The low n bytes of v, little-endian (this host's order: x86, arm64) */
static inline void obuf_le(struct obuf *o, uint64_t v, size_t n)
{
	if (obuf_room(o, 8))
		return;
	memcpy(o->buf + o->len, &v, 8);
	o->len += n;
}

/* A string with its varint length in front */
static inline void obuf_lstr(struct obuf *o, const char *s, size_t len)
{
	obuf_varint(o, len);
	obuf_put(o, s, len);
}

/* Decimal digits of v at p (room for 20). @return the count. */
size_t obuf_fmt_u64(char *p, uint64_t v);
/* The same with a sign (room for 21). */
size_t obuf_fmt_i64(char *p, int64_t v);

/* Write what is buffered to o->f once it holds at least `at` bytes (0:
 * always). @return 0, or -1 on a write error (err set, errno kept). */
int obuf_flush(struct obuf *o, size_t at);
void obuf_free(struct obuf *o);

#endif
