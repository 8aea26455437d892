/* test_parse.c - the values people type: numbers, durations and times,
 * each a table of inputs with the value or the refusal expected. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <time.h>

#include "parse.h"

/* Parameters hold no pointers: Criterion hands them to another process. */
struct int_case {
	char in[32];
	int64_t min, max, want; /* want -1: refused */
};

ParameterizedTestParameters(parse, int)
{
	static struct int_case cases[] = {
		{ "0", 0, 10, 0 },	   { "10", 0, 10, 10 },	 { "11", 0, 10, -1 },
		{ "-1", 0, 10, -1 },	   { "", 0, 10, -1 },	 { "1x", 0, 10, -1 },
		{ " 1", 0, 10, 1 },	   { "4294967295", 0, 4294967295ll, 4294967295ll },
		{ "99999999999999999999", 0, 10, -1 }, /* out of range of strtoll */
		{ "0x10", 0, 100, -1 },	   { "1.0", 0, 10, -1 },
	};
	return cr_make_param_array(struct int_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct int_case *c, parse, int)
{
	int64_t v = -2;
	int rc = parse_int(c->in, c->min, c->max, &v);

	if (c->want < 0) {
		cr_assert_eq(rc, -1, "'%s' accepted as %lld", c->in, (long long)v);
	} else {
		cr_assert_eq(rc, 0, "'%s' refused", c->in);
		cr_assert_eq(v, c->want, "'%s'", c->in);
	}
}

struct duration_case {
	char in[32];
	int64_t want; /* ns, or -1: refused */
};

ParameterizedTestParameters(parse, duration)
{
	static struct duration_case cases[] = {
		{ "1s", 1000000000ll },
		{ "500ms", 500000000ll },
		{ "10us", 10000ll },
		{ "7ns", 7 },
		{ "2m", 120000000000ll },
		{ "1h", 3600000000000ll },
		{ "1d", 86400000000000ll },
		{ "1m30s", 90000000000ll },
		{ "1.5s", 1500000000ll },
		{ "3", 3000000000ll }, /* a bare number is seconds */
		{ "0.25", 250000000ll },
		{ "", -1 },
		{ "s", -1 },
		{ "-1s", -1 },
		{ "1x", -1 },
		{ "1s2", -1 }, /* a bare number only alone */
		{ "1 s", -1 },
		{ "9e18s", -1 }, /* beyond the int64 range */
		{ "5e18ns5e18ns", -1 }, /* each part fits, the sum does not */
	};
	return cr_make_param_array(struct duration_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct duration_case *c, parse, duration)
{
	cr_assert_eq(parse_duration(c->in), c->want, "'%s'", c->in);
}

struct time_case {
	char in[48];
	int64_t want; /* ns (wall clock, or after the start if rel), -1: refused */
	int rel;
};

ParameterizedTestParameters(parse, time)
{
	static struct time_case cases[] = {
		{ "+30s", 30000000000ll, 1 },
		{ "+1m30s", 90000000000ll, 1 },
		{ "+500ms", 500000000ll, 1 },
		{ "+", -1, 1 },
		{ "@1700000000", 1700000000000000000ll, 0 },
		{ "@1700000000.5", 1700000000500000000ll, 0 },
		{ "@-1", -1, 0 },
		{ "@", -1, 0 },
		{ "2023-11-14 22:13:20", 1700000000000000000ll, 0 }, /* TZ=UTC below */
		{ "2023-11-14T22:13:20Z", 1700000000000000000ll, 0 },
		{ "2023-11-14 22:13:20.25", 1700000000250000000ll, 0 },
		{ "2023-11-14T22:13:20.000001Z", 1700000000000001000ll, 0 },
		{ "2023-11-14 22:13:20 junk", -1, 0 },
		{ "2023-13-14 22:13:20", -1, 0 },
		{ "yesterday-ish", -1, 0 },
		{ "", -1, 0 },
	};
	return cr_make_param_array(struct time_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct time_case *c, parse, time)
{
	int rel = -1;
	int64_t v;

	setenv("TZ", "UTC", 1);
	tzset();
	v = parse_time(c->in, &rel);
	cr_assert_eq(v, c->want, "'%s': %lld", c->in, (long long)v);
	if (c->want >= 0)
		cr_assert_eq(rel, c->rel, "'%s'", c->in);
}

/* "14:02:11" is a time of today. */
Test(parse, time_of_day_is_today)
{
	time_t now = time(NULL);
	struct tm tm;
	int rel;
	int64_t v;

	setenv("TZ", "UTC", 1);
	tzset();
	v = parse_time("12:00:00", &rel);
	gmtime_r(&now, &tm);
	tm.tm_hour = 12, tm.tm_min = 0, tm.tm_sec = 0;
	cr_assert_eq(v, (int64_t)timegm(&tm) * 1000000000ll);
	cr_assert_eq(rel, 0);
}
