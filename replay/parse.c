/* parse.c - see parse.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"

int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	if (!*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int64_t parse_duration(const char *s)
{
	int64_t total = 0;

	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		int64_t unit;

		errno = 0;
		v = strtod(s, &end);
		if (errno || end == s || v < 0)
			return -1;
		if (!strncmp(end, "ns", 2))
			unit = 1, end += 2;
		else if (!strncmp(end, "us", 2))
			unit = 1000, end += 2;
		else if (!strncmp(end, "ms", 2))
			unit = 1000000, end += 2;
		else if (*end == 's')
			unit = 1000000000, end += 1;
		else if (*end == 'm')
			unit = 60000000000ll, end += 1;
		else if (*end == 'h')
			unit = 3600000000000ll, end += 1;
		else if (*end == 'd')
			unit = 86400000000000ll, end += 1;
		else if (!*end && total == 0)
			unit = 1000000000; /* bare number: seconds */
		else
			return -1;
		if (v * (double)unit > 9e18 || (int64_t)(v * (double)unit) > INT64_MAX - total)
			return -1;
		total += (int64_t)(v * (double)unit);
		s = end;
	}
	return total;
}

int64_t parse_time(const char *s, int *rel)
{
	struct tm tm;
	const char *rest;
	int64_t frac = 0;
	int utc = 0;
	time_t t;

	*rel = 0;
	if (*s == '+') {
		*rel = 1;
		return parse_duration(s + 1);
	}
	if (*s == '@') {
		char *end;
		double v;
		errno = 0;
		v = strtod(s + 1, &end);
		if (errno || *end || end == s + 1 || v < 0 || v > 9e9)
			return -1;
		return (int64_t)(v * 1e9);
	}
	memset(&tm, 0, sizeof(tm));
	rest = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!rest)
		rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest) {
		/* a time of day: today */
		time_t now = time(NULL);
		struct tm today;
		localtime_r(&now, &today);
		memset(&tm, 0, sizeof(tm));
		rest = strptime(s, "%H:%M:%S", &tm);
		if (!rest)
			return -1;
		tm.tm_year = today.tm_year;
		tm.tm_mon = today.tm_mon;
		tm.tm_mday = today.tm_mday;
	}
	if (*rest == '.') {
		int64_t scale = 100000000;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			frac += (*rest - '0') * scale;
	}
	if (*rest == 'Z')
		utc = 1, rest++;
	if (*rest)
		return -1;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t < 0)
		return -1;
	return (int64_t)t * 1000000000 + frac;
}
