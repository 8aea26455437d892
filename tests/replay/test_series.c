/* test_series.c - the time series behind timeline, html and perfetto: how
 * a flow row's interval is spread over buckets (a table of cases), that
 * the parts add up and do not depend on the order rows come in, and the
 * edges (before the origin, past the last bucket). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "series.h"

struct spread_case {
	int64_t end;
	uint64_t interval, packets;
	size_t max;
	bool clamp;
	uint64_t want[4]; /* buckets 0..3 */
	bool too_many;
};

/* origin 0, buckets of 1000 ns */
ParameterizedTestParameters(series, spreads_a_row_over_its_interval)
{
	static struct spread_case cases[] = {
		{ 1000, 1000, 10, 8, false, { 10, 0, 0, 0 }, false }, /* ends on a boundary */
		{ 1500, 1000, 10, 8, false, { 5, 5, 0, 0 }, false },
		{ 1250, 1000, 7, 8, false, { 5, 2, 0, 0 }, false }, /* floor(7 * 750/1000) */
		{ 3000, 3000, 3, 8, false, { 1, 1, 1, 0 }, false },
		{ 3001, 3000, 4, 8, false, { 1, 1, 1, 1 }, false },
		{ 2000, 1000, 1, 8, false, { 0, 1, 0, 0 }, false },
		{ 500, 2000, 4, 8, false, { 4, 0, 0, 0 }, false }, /* starts before the origin */
		{ 1000, 0, 6, 8, false, { 0, 6, 0, 0 }, false }, /* no interval: its instant */
		{ 5000, 1000, 9, 2, true, { 0, 9, 0, 0 }, false }, /* past the last: clamped */
		{ 2500, 2000, 8, 2, true, { 2, 6, 0, 0 }, false },
		{ 5000, 1000, 9, 2, false, { 0, 0, 0, 0 }, true }, /* ... or too many */
	};
	return cr_make_param_array(struct spread_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct spread_case *c, series, spreads_a_row_over_its_interval)
{
	struct series s;

	series_init(&s, 0, 1000, c->max, c->clamp);
	series_add_flow(&s, c->end, c->interval, c->packets, c->packets);
	series_finish(&s);
	cr_assert_eq(s.too_many, c->too_many, "end %lld interval %llu", (long long)c->end,
		     (unsigned long long)c->interval);
	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(series_at(&s, i).packets, c->want[i], "end %lld interval %llu bucket %zu",
			     (long long)c->end, (unsigned long long)c->interval, i);
		cr_assert_eq(series_at(&s, i).bytes, c->want[i]);
	}
	series_free(&s);
}

/* Random rows in two orders: the same buckets, and nothing lost. */
Test(series, parts_add_up_whatever_the_order)
{
	enum { N = 2000 };
	static int64_t end[N];
	static uint64_t iv[N], pk[N];
	struct series a, b;
	uint64_t x = 88172645463325252ull, total = 0, sum_a = 0;

	for (int i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		end[i] = (int64_t)(x % 50000);
		iv[i] = (x >> 20) % 4 == 0 ? 0 : (x >> 24) % 7000;
		pk[i] = (x >> 40) % 1000;
		total += pk[i];
	}
	series_init(&a, 0, 1000, 100, false);
	series_init(&b, 0, 1000, 100, false);
	for (int i = 0; i < N; i++) {
		series_add_flow(&a, end[i], iv[i], pk[i], 1);
		series_add_flow(&b, end[N - 1 - i], iv[N - 1 - i], pk[N - 1 - i], 1);
	}
	series_finish(&a);
	series_finish(&b);
	cr_assert_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		cr_assert_eq(a.b[i].packets, b.b[i].packets, "bucket %zu", i);
		sum_a += a.b[i].packets;
	}
	cr_assert_eq(sum_a, total);
	cr_assert_eq(a.packets, total);
	series_free(&a);
	series_free(&b);
}

Test(series, events_by_their_time)
{
	struct series s;

	series_init(&s, 1000, 100, 3, true);
	series_add_event(&s, FMT_STREAM_EXEC, 500); /* before the origin: bucket 0 */
	series_add_event(&s, FMT_STREAM_EXEC, 1099);
	series_add_event(&s, FMT_STREAM_EXIT, 1100);
	series_add_event(&s, FMT_STREAM_EXEC, 9999); /* past the last: clamped */
	series_add_event(&s, FMT_STREAM_FLOW, 1000); /* not an event: ignored */
	series_finish(&s);
	cr_assert_eq(series_at(&s, 0).execs, 2);
	cr_assert_eq(series_at(&s, 1).exits, 1);
	cr_assert_eq(series_at(&s, 2).execs, 1);
	cr_assert_eq(series_at(&s, 7).execs, 0); /* beyond: zero */
	cr_assert_eq(s.n, 3);
	series_free(&s);
}

/* A hostile interval (2^63 ns) is spread over at most SERIES_MAX_SPREAD
 * buckets: the reader never loops for ages. */
Test(series, huge_interval_is_bounded, .timeout = 10)
{
	struct series s;

	series_init(&s, 0, 1, 1u << 20, false);
	series_add_flow(&s, (int64_t)(1u << 19), UINT64_MAX / 2, 1000000, 0);
	series_finish(&s);
	cr_assert(!s.too_many);
	cr_assert_eq(s.n, 1u << 19);
	uint64_t sum = 0;
	for (size_t i = 0; i < s.n; i++)
		sum += s.b[i].packets;
	cr_assert_eq(sum, 1000000);
	cr_assert_eq(series_at(&s, 0).packets, 0); /* before the last 65,536 */
	series_free(&s);
}
