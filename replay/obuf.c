/* obuf.c - see obuf.h. */
#include <stdlib.h>

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

static const char pairs[] = "00010203040506070809101112131415161718192021222324"
			   "25262728293031323334353637383940414243444546474849"
			   "50515253545556575859606162636465666768697071727374"
			   "75767778798081828384858687888990919293949596979899";

/* v < 10^8 as its last n digits, ending at e, two at a time */
static inline void tail(char *e, uint32_t v, int n)
{
	for (; n >= 2; n -= 2) {
		e -= 2;
		memcpy(e, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (n)
		*--e = (char)('0' + v);
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
	size_t n = t + (t < 20 && v >= pow10[t]);
	char *e;

	if (!n)
		n = 1;
	e = p + n;
	while (v >= 100000000) { /* 8 digits at a time in 32-bit arithmetic */
		tail(e, (uint32_t)(v % 100000000), 8);
		v /= 100000000;
		e -= 8;
	}
	tail(e, (uint32_t)v, (int)(e - p));
	return n;
}

void obuf_i64(struct obuf *o, int64_t v)
{
	if (obuf_room(o, 21))
		return;
	if (v < 0) {
		o->buf[o->len++] = '-';
		o->len += obuf_fmt_u64(o->buf + o->len, (uint64_t)0 - (uint64_t)v);
	} else {
		o->len += obuf_fmt_u64(o->buf + o->len, (uint64_t)v);
	}
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
