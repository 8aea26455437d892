/* test_col_decode.c - the column loops of col_decode.h (every chunk's
 * columns go through them) against a plain reading of the same varints
 * with fmt_cur_varint: each kind of column, values of every length mixed
 * as real columns mix them, columns of every size (the unchecked loads
 * stop 16 bytes before the end), a range check failing wherever its value
 * sits, and bytes that make one value too few or too many. The buffers are
 * exactly as long as they must be, so that ASan sees any read or write
 * past them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "col_decode.h"
#include "helpers.h"

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A value whose varint takes len bytes (1 to 10) */
static uint64_t of_length(uint64_t *rng, unsigned len)
{
	uint64_t lo;

	if (len == 1)
		return rnd(rng) % 128;
	if (len == 10)
		return rnd(rng) | 1ull << 63;
	lo = 1ull << (7 * (len - 1));
	return lo + rnd(rng) % (127 * lo);
}

/* The length of the next value of a column of this mix */
static unsigned next_length(uint64_t *rng, int mix)
{
	switch (mix) {
	case 0: /* small counts: one byte */
		return 1;
	case 1: /* one or two bytes */
		return 1 + (unsigned)(rnd(rng) % 2);
	case 2: /* one to three (packets and bytes residuals) */
		return 1 + (unsigned)(rnd(rng) % 3);
	case 3: /* mostly short, now and then a long one */
		return rnd(rng) % 16 ? 1 + (unsigned)(rnd(rng) % 3) : 4 + (unsigned)(rnd(rng) % 7);
	default: /* anything */
		return 1 + (unsigned)(rnd(rng) % 10);
	}
}

/* What col_run must make of the raw values x[0..n) as kind, the plain
 * way. @return 0 if every value passes its check, else -1. */
static int expected(enum col_kind kind, const uint64_t *x, uint32_t n, const struct col_args *a,
		    uint64_t *out64, uint32_t *out32)
{
	uint64_t v = a->base;
	int bad = 0;

	for (uint32_t i = 0; i < n; i++) {
		int64_t d = fmt_unzigzag(x[i]);
		switch (kind) {
		case COL_PLAIN64:
			out64[i] = x[i];
			break;
		case COL_PLAIN32:
			bad |= x[i] >= a->limit;
			out32[i] = (uint32_t)x[i];
			break;
		case COL_ZZ_I32:
			bad |= d < INT32_MIN || d > INT32_MAX;
			out32[i] = (uint32_t)(int32_t)d;
			break;
		case COL_MINUS_ZZ:
			out64[i] = a->ref64[i] - (uint64_t)d;
			break;
		case COL_PLUS_ZZ32: {
			int64_t t = (int64_t)a->ref32[i] + d;
			bad |= d < -(int64_t)UINT32_MAX || d > (int64_t)UINT32_MAX || t < 0 ||
			       t > (int64_t)UINT32_MAX;
			out32[i] = (uint32_t)t;
			break;
		}
		case COL_DELTA64:
			v += (uint64_t)d;
			out64[i] = v;
			break;
		case COL_DELTA32:
			v += (uint64_t)d;
			bad |= v >> 32 != 0;
			out32[i] = (uint32_t)v;
			break;
		case COL_KEYDELTA:
			v += (uint64_t)d;
			bad |= v >= a->limit;
			out32[i] = (uint32_t)v;
			break;
		}
	}
	return bad ? -1 : 0;
}

/* col_run with kind as a constant, as chunk_decode.c calls it */
static int run(enum col_kind kind, const uint8_t *p, size_t len, uint32_t n,
	       const struct col_args *a)
{
	switch (kind) {
	case COL_PLAIN64:
		return col_run(COL_PLAIN64, p, len, n, a);
	case COL_PLAIN32:
		return col_run(COL_PLAIN32, p, len, n, a);
	case COL_ZZ_I32:
		return col_run(COL_ZZ_I32, p, len, n, a);
	case COL_MINUS_ZZ:
		return col_run(COL_MINUS_ZZ, p, len, n, a);
	case COL_PLUS_ZZ32:
		return col_run(COL_PLUS_ZZ32, p, len, n, a);
	case COL_DELTA64:
		return col_run(COL_DELTA64, p, len, n, a);
	case COL_DELTA32:
		return col_run(COL_DELTA32, p, len, n, a);
	default:
		return col_run(COL_KEYDELTA, p, len, n, a);
	}
}

/* A raw value for kind that passes its check (given the running value v
 * for the deltas), of about len bytes; now and then (one in `odds`) one
 * that fails it, counted in *fails. */
static uint64_t value_for(enum col_kind kind, uint64_t *rng, unsigned len, uint64_t *v,
			  const struct col_args *a, uint32_t i, unsigned odds, unsigned *fails)
{
	uint64_t x = of_length(rng, len);
	bool fail = odds && rnd(rng) % odds == 0;

	switch (kind) {
	case COL_PLAIN32:
		if (!fail)
			return x % a->limit;
		x = a->limit + x % 1000;
		break;
	case COL_ZZ_I32:
		if (!fail)
			return zigzag((int32_t)(uint32_t)x);
		x = zigzag((int64_t)INT32_MAX + 1 + (int64_t)(x % 1000));
		break;
	case COL_PLUS_ZZ32: /* a tid near its pid */
		if (!fail)
			return zigzag((int64_t)(x % ((uint64_t)UINT32_MAX + 1)) - a->ref32[i]);
		x = zigzag((int64_t)UINT32_MAX + 1 - a->ref32[i] + (int64_t)(x % 1000));
		break;
	case COL_DELTA32:
	case COL_KEYDELTA: {
		uint64_t lim = kind == COL_DELTA32 ? (uint64_t)UINT32_MAX + 1 : a->limit;
		uint64_t to = fail ? lim + x % 1000 : x % lim;
		x = zigzag((int64_t)(to - *v));
		*v = to;
		break;
	}
	default:
		return x; /* every value is good */
	}
	*fails += fail;
	return x;
}

static const enum col_kind kinds[] = { COL_PLAIN64,   COL_PLAIN32, COL_ZZ_I32,   COL_MINUS_ZZ,
				       COL_PLUS_ZZ32, COL_DELTA64, COL_DELTA32, COL_KEYDELTA };

Test(col_decode, every_kind_and_length_equals_the_plain_reading, .timeout = 120)
{
	uint64_t rng = 2024;
	unsigned good = 0, bad = 0;

	for (int round = 0; round < 30000; round++) {
		enum col_kind kind = kinds[rnd(&rng) % 8];
		int mix = (int)(rnd(&rng) % 5);
		uint32_t n = (uint32_t)(rnd(&rng) % (round % 4 ? 40 : 700));
		unsigned fails = 0, odds = round % 3 ? 0 : 1 + (unsigned)(n * 2);
		uint64_t *x = malloc((n + 1) * sizeof(*x)), v = 0;
		uint64_t *ref64 = malloc((n + 1) * 8), *want64 = malloc((n + 1) * 8);
		uint32_t *ref32 = malloc((n + 1) * 4), *want32 = malloc((n + 1) * 4);
		uint8_t *raw = malloc((size_t)n * 10 + 1);
		struct col_args a = { .limit = 1 + rnd(&rng) % (rnd(&rng) % 2 ? 300 : 1ull << 40),
				      .ref64 = ref64, .ref32 = ref32 };
		size_t len = 0;

		for (uint32_t i = 0; i < n; i++) {
			ref64[i] = rnd(&rng);
			ref32[i] = (uint32_t)rnd(&rng);
		}
		for (uint32_t i = 0; i < n; i++) {
			x[i] = value_for(kind, &rng, next_length(&rng, mix), &v, &a, i, odds, &fails);
			len += put_varint(raw + len, x[i]);
		}
		/* exactly the column's bytes, in memory of their own */
		uint8_t *p = malloc(len ? len : 1);
		uint64_t *out64 = malloc(n ? n * 8 : 1);
		uint32_t *out32 = malloc(n ? n * 4 : 1);
		memcpy(p, raw, len);
		a.out64 = out64;
		a.out32 = out32;
		int want = expected(kind, x, n, &a, want64, want32);
		int got = run(kind, p, len, n, &a);
		cr_assert_eq(got, want, "kind %d mix %d n %u: %d, expected %d (%u bad values)", kind,
			     mix, n, got, want, fails);
		cr_assert_eq(want, fails ? -1 : 0);
		if (!want) {
			bool wide = kind == COL_PLAIN64 || kind == COL_MINUS_ZZ || kind == COL_DELTA64;
			for (uint32_t i = 0; i < n; i++)
				if (wide)
					cr_assert_eq(out64[i], want64[i], "kind %d mix %d n %u: value %u",
						     kind, mix, n, i);
				else
					cr_assert_eq(out32[i], want32[i], "kind %d mix %d n %u: value %u",
						     kind, mix, n, i);
			good++;
			/* one byte less, or the values asked for one more or one
			 * less: the bytes do not make exactly n values */
			if (n && len)
				cr_assert_eq(run(kind, p, len - 1, n, &a), -1, "kind %d n %u: short",
					     kind, n);
			if (n)
				cr_assert_eq(run(kind, p, len, n - 1, &a), -1, "kind %d n %u: n - 1",
					     kind, n);
		} else {
			bad++;
		}
		free(x);
		free(ref64);
		free(want64);
		free(ref32);
		free(want32);
		free(raw);
		free(p);
		free(out64);
		free(out32);
	}
	cr_assert_gt(good, 10000);
	cr_assert_gt(bad, 1000);
}

/* Varints longer than their value needs (a zero top byte) read as the
 * plain reader reads them, and ten-byte ones past 2^64 rejected: at the
 * start of a column, where the unchecked reads take them, and at its end,
 * where the checked cursor does */
Test(col_decode, long_and_overlong_varints)
{
	uint8_t p[64];
	uint64_t out[16];
	struct col_args a = { .out64 = out };
	size_t len = put_varint(p, UINT64_MAX), first = len - 1; /* ten bytes, the last 0x01 */

	for (int k = 0; k < 3; k++) { /* 0x81 0x80 0x00: 1 in three bytes */
		p[len++] = 0x81;
		p[len++] = 0x80;
		p[len++] = 0x00;
	}
	for (int k = 0; k < 8; k++)
		p[len++] = (uint8_t)k;
	len += put_varint(p + len, UINT64_MAX);
	cr_assert_eq(run(COL_PLAIN64, p, len, 13, &a), 0);
	cr_assert_eq(out[0], UINT64_MAX);
	cr_assert_eq(out[1], 1);
	cr_assert_eq(out[3], 1);
	cr_assert_eq(out[11], 7);
	cr_assert_eq(out[12], UINT64_MAX);
	p[first] = 0x02; /* bit 64, read unchecked */
	cr_assert_eq(run(COL_PLAIN64, p, len, 13, &a), -1);
	p[first] = 0x01;
	p[len - 1] = 0x02; /* bit 64, read by the cursor */
	cr_assert_eq(run(COL_PLAIN64, p, len, 13, &a), -1);
}

/* Up to four values are decoded from a word whatever it holds; those past
 * the values that end in it are decoded again from its next word and must
 * not be checked now. Here the word holds one (a tid one below its pid),
 * then one of four bytes: the three extra take the first one's bytes with
 * the next tids' pids, 0, where it would fall below 0. */
Test(col_decode, values_past_a_word_are_not_checked)
{
	enum { N = 16 };
	uint8_t p[N * 4];
	uint32_t pid[N], tid[N];
	struct col_args a = { .ref32 = pid, .out32 = tid };
	size_t len = 0;

	for (int i = 0; i < N; i++) {
		pid[i] = i % 2 ? 0 : 5;
		len += put_varint(p + len, i % 2 ? zigzag(1 << 21) : zigzag(-1));
	}
	cr_assert_eq(run(COL_PLUS_ZZ32, p, len, N, &a), 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(tid[i], i % 2 ? 1u << 21 : 4u, "tid %d", i);
}
