/* obuf.c - see obuf.h. */
#include <stdlib.h>
#include <string.h>

#include "obuf.h"

int obuf_grow(struct obuf *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 65536;
	char *p;

	if (o->err)
		return -1;
	while (cap - o->len < n)
		cap *= 2;
	if (!(p = realloc(o->buf, cap))) {
		o->err = 1;
		return -1;
	}
	o->buf = p;
	o->cap = cap;
	return 0;
}

/* The 8 decimal digits of v < 10^8 (leading zeros included) as ASCII in
 * the order they are stored in memory: each half split in two, each
 * quarter in two again, in the lanes of one word at a time (a multiply
 * and a shift divide every lane at once), no loop and no branch. */
static inline uint64_t digits8(uint32_t v)
{
	uint64_t x = v / 10000 | (uint64_t)(v % 10000) << 32; /* < 10^4 per 32-bit lane */
	uint64_t y = (x * 10486 >> 20) & 0x0000007f0000007full; /* x / 100 (x < 10^4) */
	y |= (x - y * 100) << 16; /* < 100 per 16-bit lane */
	uint64_t z = (y * 103 >> 10) & 0x000f000f000f000full; /* y / 10 (y < 100) */
	z |= (y - z * 10) << 8; /* < 10 per byte */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	z = __builtin_bswap64(z);
#endif
	return z + 0x3030303030303030ull;
}

/* The last n of those 8 digits at p (8 bytes stored) */
static inline void put_digits(char *p, uint32_t v, unsigned n)
{
	uint64_t d = digits8(v);

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	d <<= 8 * (8 - n);
#else
	d >>= 8 * (8 - n);
#endif
	memcpy(p, &d, 8);
}

size_t obuf_fmt_u64(char *p, uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	/* digits: log10 from the bit length, corrected by one comparison */
	unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	unsigned n = t + (t < 20 && v >= pow10[t]);

	if (!n)
		n = 1;
	if (n <= 8) { /* stores 8 bytes: the room for 20 covers them */
		put_digits(p, (uint32_t)v, n);
		return n;
	}
	if (n <= 16) {
		put_digits(p, (uint32_t)(v / 100000000), n - 8);
		put_digits(p + n - 8, (uint32_t)(v % 100000000), 8);
		return n;
	}
	put_digits(p, (uint32_t)(v / 10000000000000000ull), n - 16);
	v %= 10000000000000000ull;
	put_digits(p + n - 16, (uint32_t)(v / 100000000), 8);
	put_digits(p + n - 8, (uint32_t)(v % 100000000), 8);
	return n;
}

size_t obuf_fmt_i64(char *p, int64_t v)
{
	if (v >= 0)
		return obuf_fmt_u64(p, (uint64_t)v);
	*p = '-';
	return 1 + obuf_fmt_u64(p + 1, (uint64_t)0 - (uint64_t)v);
}

int obuf_flush(struct obuf *o, size_t at)
{
	if (o->err)
		return -1;
	if (o->len < at || !o->len || !o->f)
		return 0;
	if (fwrite(o->buf, 1, o->len, o->f) != o->len) {
		o->err = 1;
		return -1;
	}
	o->len = 0;
	return 0;
}

void obuf_free(struct obuf *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}
