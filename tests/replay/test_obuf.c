/* test_obuf.c - the exports' number formatting (obuf_fmt_u64, obuf_fmt_i64)
 * writes what printf writes, for every length and its edges, and nothing
 * past the room it is given (20 bytes, 21 with a sign). */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "obuf.h"

static void check_u64(uint64_t v)
{
	char want[32], got[32];
	size_t n;

	memset(got, 'x', sizeof(got));
	snprintf(want, sizeof(want), "%" PRIu64, v);
	n = obuf_fmt_u64(got, v);
	cr_assert_eq(n, strlen(want), "%s: %zu digits", want, n);
	cr_assert_eq(memcmp(got, want, n), 0, "%s: %.*s", want, (int)n, got);
	for (size_t i = 20; i < sizeof(got); i++) /* its room is 20 bytes */
		cr_assert_eq(got[i], 'x', "%s: byte %zu written", want, i);
}

Test(obuf, u64_as_printf_writes_it)
{
	uint64_t x = 0x9E3779B97F4A7C15ull, p = 1;

	for (uint64_t v = 0; v < 200000; v++)
		check_u64(v);
	for (int k = 0; k < 20; k++, p *= 10) /* each length's edges */
		for (int d = -3; d <= 3; d++)
			check_u64(p + (uint64_t)(int64_t)d);
	for (int b = 0; b < 64; b++) {
		check_u64(1ull << b);
		check_u64((1ull << b) - 1);
	}
	/* every four digits in each group of four (digits are made four at
	 * a time, then two, then one) */
	for (uint64_t k = 0; k < 10000; k++)
		for (uint64_t g = 1; g <= 10000000000000000ull && k <= UINT64_MAX / g; g *= 10000) {
			check_u64(k * g);
			check_u64(k * g + (k * 7919 % g));
		}
	check_u64(UINT64_MAX);
	check_u64(UINT64_MAX - 1);
	for (int i = 0; i < 1000000; i++) { /* and a spread of every size */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		check_u64(x >> (x & 63));
	}
}

Test(obuf, i64_as_printf_writes_it)
{
	const int64_t v[] = { 0, -1, 1, -9, -10, 99, -100, INT32_MIN, INT64_MAX, INT64_MIN,
			      -1234567890123456789ll };
	char want[32], got[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n;
		memset(got, 'x', sizeof(got));
		n = obuf_fmt_i64(got, v[i]);
		snprintf(want, sizeof(want), "%" PRId64, v[i]);
		cr_assert_eq(n, strlen(want));
		cr_assert_eq(memcmp(got, want, n), 0, "%s", want);
		for (size_t k = 21; k < sizeof(got); k++) /* its room is 21 bytes */
			cr_assert_eq(got[k], 'x', "%s: byte %zu written", want, k);
	}
}
