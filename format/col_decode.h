/* col_decode.h - the column loops of the chunk decoder: n LEB128 varints
 * (or fixed-width ids) of one section turned into an array, every value
 * checked, as fast as plain loads allow.
 *
 * A section is untrusted bytes [p, end). Each loop runs in two parts:
 * while at least COL_SLACK bytes remain, values are read with unchecked
 * loads (a varint is at most 10 bytes; eight one-byte varints, the common
 * case, are recognised in one 64-bit load and decoded together, and so are
 * up to four short ones); the last bytes go through the checked cursor of
 * bytes.h. Range checks are OR-ed into a flag instead of branching per
 * value, and tested once per column: a column is good only if every value
 * was well formed, every value passed its check and the n values used the
 * section's bytes exactly.
 *
 * Private to chunk_decode.c.
 */
#ifndef FMT_COL_DECODE_H
#define FMT_COL_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"

#define COL_SLACK 16 /* bytes that must remain for unchecked reads */
#define COL_HIGH 0x8080808080808080ull

static inline uint64_t col_load64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* One varint at p, with at least COL_SLACK bytes readable. Sets *bad for
 * an overlong value (as fmt_cur_varint does). Values of up to three bytes
 * (nearly all) are read without a branch on their length. @return the
 * value; *pp advanced. */
static inline uint64_t col_varint(const uint8_t **pp, uint64_t *bad)
{
	const uint8_t *p = *pp;
	uint64_t w = col_load64(p), stop, x;

	if ((w & 0x808080) != 0x808080) { /* it ends in its first three bytes */
		uint64_t c1 = w >> 7 & 1, c2 = c1 & w >> 15; /* a second, a third byte */
		*pp = p + 1 + c1 + c2;
		return (w & 0x7f) | (w >> 1 & 0x3f80 & -c1) | (w >> 2 & 0x1fc000 & -c2);
	}
	stop = ~w & COL_HIGH;
	x = w;
	if (stop) { /* ends within 8 bytes: keep those, squeeze out the high bits */
		unsigned tz = (unsigned)__builtin_ctzll(stop);
		x &= ~0ull >> (63 - tz);
		*pp = p + (tz >> 3) + 1;
	}
	x = (x & 0x007f007f007f007full) | ((x & 0x7f007f007f007f00ull) >> 1);
	x = (x & 0x00003fff00003fffull) | ((x & 0x3fff00003fff0000ull) >> 2);
	x = (x & 0x000000000fffffffull) | ((x & 0x0fffffff00000000ull) >> 4);
	if (!stop) { /* 9 or 10 bytes; the 10th may only hold bit 63 */
		uint64_t b8 = p[8], b9 = p[9];
		x |= (b8 & 0x7f) << 56;
		if (b8 < 0x80) {
			*pp = p + 9;
		} else {
			*bad |= b9 > 1;
			x |= b9 << 63;
			*pp = p + 10;
		}
	}
	return x;
}

/* Four varints of one or two bytes at once: what the continuation bits of
 * an 8-byte word say about where its first four values start (the table
 * is made once, by col_table()). */
struct col_four {
	uint8_t ok; /* the first four values are 1 or 2 bytes each */
	uint8_t used; /* bytes they take */
	uint8_t shift[4]; /* bit offset of each */
	uint16_t hi[4]; /* 0x3f80 for a two-byte value, else 0 */
};
extern struct col_four col_fours[256];

/* For the columns whose values do not depend on the one before: the
 * values of one to three bytes that start in a word's first eight bytes
 * and end in them, up to four. A column of mixed lengths takes them as
 * they come, without a branch on how many (made by col_table()). */
struct col_some {
	uint8_t n; /* values (0: the first is longer than three bytes) */
	uint8_t used; /* bytes they take */
	uint8_t shift[4]; /* bit offset of each (0 past n) */
	uint32_t hi2[4], hi3[4]; /* 0x3f80, 0x1fc000 for a second, a third byte */
};
extern struct col_some col_somes[256];

/* The continuation bits of w's eight bytes, byte i as bit i. */
static inline unsigned col_cmask(uint64_t w)
{
	return (unsigned)(((w >> 7) & 0x0101010101010101ull) * 0x0102040810204080ull >> 56);
}

/* How a column's raw varints become values (a constant in each caller, so
 * the loop below is specialised for it). */
enum col_kind {
	COL_DELTA64, /* out64: v += unzigzag(x), v starting at base */
	COL_DELTA32, /* out32: the same, every v below 2^32 */
	COL_PLAIN32, /* out32: x, below limit */
	COL_PLAIN64, /* out64: x */
	COL_MINUS_ZZ, /* out64: ref64[i] - unzigzag(x) (start times from ts) */
	COL_PLUS_ZZ32, /* out32: ref32[i] + unzigzag(x), below 2^32 (tid from pid) */
	COL_ZZ_I32, /* out32: unzigzag(x), in the int32 range (ret) */
	COL_KEYDELTA, /* out32: v += unzigzag(x), every v below limit (flow key ids) */
};

struct col_args {
	uint64_t base, limit;
	const uint64_t *ref64;
	const uint32_t *ref32;
	uint64_t *out64;
	uint32_t *out32;
};

/* Store raw varint x as value i. @return the updated running value. */
static inline __attribute__((always_inline)) uint64_t
col_put(enum col_kind kind, const struct col_args *a, uint32_t i, uint64_t x, uint64_t v,
	uint64_t *bad)
{
	switch (kind) {
	case COL_DELTA64:
		v += (uint64_t)fmt_unzigzag(x);
		a->out64[i] = v;
		break;
	case COL_DELTA32:
		v += (uint64_t)fmt_unzigzag(x);
		*bad |= v >> 32;
		a->out32[i] = (uint32_t)v;
		break;
	case COL_PLAIN32:
		*bad |= x >= a->limit;
		a->out32[i] = (uint32_t)x;
		break;
	case COL_PLAIN64:
		a->out64[i] = x;
		break;
	case COL_MINUS_ZZ:
		a->out64[i] = a->ref64[i] - (uint64_t)fmt_unzigzag(x);
		break;
	case COL_PLUS_ZZ32: {
		/* the sum of a 32-bit value and any int64 delta, in 65 bits:
		 * good only if it lands in [0, 2^32) */
		int64_t d = fmt_unzigzag(x);
		uint64_t t = (uint64_t)a->ref32[i] + (uint64_t)d;
		*bad |= (d < -(int64_t)UINT32_MAX) | (d > (int64_t)UINT32_MAX) | (t >> 32);
		a->out32[i] = (uint32_t)t;
		break;
	}
	case COL_ZZ_I32: {
		int64_t r = fmt_unzigzag(x);
		*bad |= (r < INT32_MIN) | (r > INT32_MAX);
		a->out32[i] = (uint32_t)(int32_t)r;
		break;
	}
	case COL_KEYDELTA:
		/* wrapping: a step out of [0, limit) is caught whatever its size */
		v += (uint64_t)fmt_unzigzag(x);
		*bad |= v >= a->limit;
		a->out32[i] = (uint32_t)v;
		break;
	}
	return v;
}

/* Values whose decoding does not carry from one to the next */
static inline bool col_stateless(enum col_kind kind)
{
	return kind != COL_DELTA64 && kind != COL_DELTA32 && kind != COL_KEYDELTA;
}

/* Decode the n values of section [p, p + len) as kind. @return 0 if the
 * column is good, -1 if not. */
static inline __attribute__((always_inline)) int
col_run(enum col_kind kind, const uint8_t *p, size_t len, uint32_t n, const struct col_args *a)
{
	const uint8_t *end = p + len;
	uint64_t v = a->base, bad = 0;
	uint32_t i = 0;
	struct fmt_cursor c;

	while (i < n && end - p >= COL_SLACK) {
		uint64_t w = col_load64(p);
		const struct col_four *f;
		if (!(w & COL_HIGH) && n - i >= 8) { /* eight one-byte values */
			for (unsigned k = 0; k < 8; k++)
				v = col_put(kind, a, i + k, (w >> (8 * k)) & 0xff, v, &bad);
			i += 8;
			p += 8;
			continue;
		}
		if (col_stateless(kind) && n - i >= 4) {
			/* up to four of one to three bytes; all four stored, the
			 * ones past the word's written again next time */
			const struct col_some *m = &col_somes[col_cmask(w)];
			if (m->n) {
				for (unsigned k = 0; k < 4; k++) {
					uint64_t x = w >> m->shift[k], kbad = 0;
					col_put(kind, a, i + k,
						(x & 0x7f) | (x >> 1 & m->hi2[k]) | (x >> 2 & m->hi3[k]),
						v, &kbad);
					bad |= kbad & -(uint64_t)(k < m->n);
				}
				i += m->n;
				p += m->used;
				continue;
			}
		} else if ((f = &col_fours[col_cmask(w)])->ok && n - i >= 4) {
			/* four of one or two bytes: no chain of lengths */
			for (unsigned k = 0; k < 4; k++) {
				uint64_t x = w >> f->shift[k];
				v = col_put(kind, a, i + k, (x & 0x7f) | (x >> 1 & f->hi[k]), v, &bad);
			}
			i += 4;
			p += f->used;
			continue;
		}
		v = col_put(kind, a, i, col_varint(&p, &bad), v, &bad);
		i++;
	}
	c = (struct fmt_cursor){ p, end, 0 };
	for (; i < n && !c.bad; i++)
		v = col_put(kind, a, i, fmt_cur_varint(&c), v, &bad);
	return bad || c.bad || c.p != end ? -1 : 0;
}

/* Fixed-width ids (width 1-4 bytes, little endian) of [p, p + n * width),
 * each below count. @return 0 or -1. */
static inline __attribute__((always_inline)) int
col_ids_of(const uint8_t *p, unsigned width, uint32_t n, uint32_t count, uint32_t *out)
{
	uint32_t bad = 0;

	for (uint32_t i = 0; i < n; i++) {
		out[i] = fmt_id_at(p + (size_t)i * width, width);
		bad |= out[i] >= count;
	}
	return bad ? -1 : 0;
}

/* The same, one loop per width. */
static inline int col_ids_run(const uint8_t *p, unsigned width, uint32_t n, uint32_t count,
			      uint32_t *out)
{
	switch (width) {
	case 1:
		return col_ids_of(p, 1, n, count, out);
	case 2:
		return col_ids_of(p, 2, n, count, out);
	case 3:
		return col_ids_of(p, 3, n, count, out);
	default:
		return col_ids_of(p, 4, n, count, out);
	}
}

#endif
