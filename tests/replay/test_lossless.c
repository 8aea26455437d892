/* test_lossless.c - exports lose nothing: the lossless string encoding
 * (valid UTF-8 as it is, anything else reversible and told apart), and
 * every string field of every stream round-tripped byte for byte through
 * jsonl, csv and the plain SQLite database; nulls for what was not
 * recorded, in each the same way. (ClickHouse: tests/push.) */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"

Test(lossless, encoding_keeps_utf8_and_reverses_the_rest)
{
	char enc[2048], dec[2048];

	hard_session(); /* fills hard[NHARD - 1] */
	for (int k = 0; k < NHARD; k++) {
		size_t len = strlen(hard[k]), n = fmt_str_encode(hard[k], len, enc);
		if (fmt_utf8_valid(hard[k], len)) {
			cr_assert_eq(n, len, "string %d", k);
			cr_assert(!memcmp(enc, hard[k], len), "valid UTF-8 %d changed", k);
		} else {
			cr_assert_eq(enc[n - 1], 0, "string %d: no mark", k);
			cr_assert_null(memchr(enc, 0, n - 1));
			cr_assert(fmt_utf8_valid(enc, n), "string %d: encoding not UTF-8", k);
		}
		cr_assert_eq(lossless_decode(enc, n, dec), (long)len, "string %d", k);
		cr_assert(!memcmp(dec, hard[k], len), "string %d", k);
	}
	cr_assert(fmt_utf8_valid(hard[1], strlen(hard[1])));
	cr_assert(!fmt_utf8_valid(hard[0], strlen(hard[0])));
	cr_assert(!fmt_utf8_valid(hard[4], 3) && !fmt_utf8_valid(hard[5], 2) &&
		  !fmt_utf8_valid(hard[6], 4) && !fmt_utf8_valid(hard[9], 2));
	/* "caf\xe9" reads caf\xe9 + the mark; a real "\xff" text is itself */
	cr_assert_eq(fmt_str_encode("caf\xe9", 4, enc), 8);
	cr_assert(!memcmp(enc, "caf\\xe9", 8)); /* and the NUL mark */
	/* fmt_str_export: the string itself when valid, else the encoding,
	 * in one buffer it grows and keeps */
	{
		char *buf = NULL;
		size_t cap = 0;
		for (int k = 0; k < NHARD; k++) {
			size_t len = strlen(hard[k]), n = fmt_str_encode(hard[k], len, enc);
			const char *e = fmt_str_export(hard[k], &len, &buf, &cap);
			cr_assert_not_null(e);
			cr_assert_eq(len, n, "string %d", k);
			cr_assert(!memcmp(e, enc, n), "string %d", k);
			cr_assert_eq(e == hard[k], fmt_utf8_valid(hard[k], strlen(hard[k])) != 0,
				     "string %d: copied only when encoded", k);
			cr_assert(e == hard[k] || (e == buf && cap >= n), "string %d", k);
		}
		free(buf);
	}
	cr_assert_eq(lossless_decode("a\\x4", 5, dec), -1, "a cut escape is invalid");
	cr_assert_eq(lossless_decode("\\q", 3, dec), -1);
}

/* the JSON string value of "key": in line, decoded twice (JSON, then the
 * lossless encoding) into out */
static long json_field(const char *line, const char *key, char *out)
{
	char pat[64], *raw = malloc(strlen(line) + 1);
	const char *p;
	long n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	cr_assert_not_null(p, "no %s in %s", key, line);
	p += strlen(pat);
	if (!strncmp(p, "null", 4)) {
		free(raw);
		return -2;
	}
	n = json_unstring(&p, raw);
	cr_assert_geq(n, 0, "bad JSON string for %s in %s", key, line);
	n = lossless_decode(raw, (size_t)n, out);
	free(raw);
	return n;
}

static void expect_bytes(const char *got, long n, const char *want, const char *what, int k)
{
	cr_assert_eq(n, (long)strlen(want), "%s %d: length %ld", what, k, n);
	cr_assert(!memcmp(got, want, (size_t)n), "%s %d differs", what, k);
}

/* a JSON array holding hard[] in order */
static void expect_argv(const char *a)
{
	char raw[4096], dec[4096];

	cr_assert_eq(*a++, '[', "%s", a);
	for (int i = 0; i < NHARD; i++) {
		long m = json_unstring(&a, raw);
		cr_assert_geq(m, 0);
		expect_bytes(dec, lossless_decode(raw, (size_t)m, dec), hard[i], "argv", i);
		cr_assert_eq(*a++, i + 1 < NHARD ? ',' : ']');
	}
}

/* the lines of a file (NUL bytes are not expected in JSON lines) */
static char **lines_of(const char *path, int *n)
{
	char *text = fixture_slurp(path, NULL), **v = calloc(4096, sizeof(*v));
	*n = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		v[(*n)++] = l;
	return v;
}

/* Line k of DIR/STREAM.jsonl has hard[k] as KEY. */
static void expect_each_line(const char *dir, const char *stream, const char *key)
{
	char path[600], out_[4096];
	char **l;
	int n;

	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, stream);
	l = lines_of(path, &n);
	cr_assert_eq(n, NHARD);
	for (int k = 0; k < NHARD; k++)
		expect_bytes(out_, json_field(l[k], key, out_), hard[k], key, k);
	free(l[0]);
	free(l);
}

Test(lossless, jsonl_round_trips_every_string, .fini = fini)
{
	const char *src = hard_session(), *dir = fixture_path("hard-jsonl");
	char path[600], out_[4096];
	int n;
	char **l;

	run("export --format jsonl %s -o %s", src, dir);
	cr_assert_eq(rc, 0, "%s", err);
	snprintf(path, sizeof(path), "%s/exec.jsonl", dir);
	l = lines_of(path, &n);
	cr_assert_eq(n, NHARD);
	for (int k = 0; k < NHARD; k++) {
		static const char *const keys[] = { "comm", "pcomm", "filename", "interp", "cwd" };
		const char *p;
		cr_assert_null(strstr(l[k], "\"type\""), "a file per stream needs no type");
		for (size_t f = 0; f < 5; f++)
			expect_bytes(out_, json_field(l[k], keys[f], out_), hard[k], keys[f], k);
		p = strstr(l[k], "\"argv\":[") + 8;
		for (int a = 0; a < NHARD; a++) {
			char raw[2048];
			long m = json_unstring(&p, raw);
			cr_assert_geq(m, 0);
			expect_bytes(out_, lossless_decode(raw, (size_t)m, out_), hard[a], "argv", a);
			cr_assert_eq(*p, a + 1 < NHARD ? ',' : ']');
			p++;
		}
	}
	free(l[0]);
	free(l);
	expect_each_line(dir, "proc", "exe");
	expect_each_line(dir, "cgroup", "path");
	/* nulls: no address for non-IP and overflow rows, no owner */
	snprintf(path, sizeof(path), "%s/flow.jsonl", dir);
	l = lines_of(path, &n);
	cr_assert_eq(n, 4);
	cr_assert_not_null(strstr(l[0], "\"src\":\"10.0.0.1\""), "%s", l[0]);
	cr_assert_not_null(strstr(l[0], "\"owner_pid\":null,\"owner_start_ns\":null,"
					 "\"owner_cgroup_id\":null"), "%s", l[0]);
	cr_assert_not_null(strstr(l[1], "\"src\":\"fd00::1\""), "%s", l[1]);
	cr_assert_not_null(strstr(l[1], "\"owner_pid\":10,\"owner_start_ns\":1000000000,"
					 "\"owner_cgroup_id\":101"), "%s", l[1]);
	for (int k = 2; k < 4; k++)
		cr_assert_not_null(strstr(l[k], "\"src\":null,\"sport\":0,\"dst\":null"), "%s", l[k]);
	free(l[0]);
	free(l);
}

/* Split CSV text (RFC 4180, NUL bytes allowed) into records of fields;
 * @return the number of fields of the record at *p, advancing past it. */
static int csv_record(const char **p, const char *end, char **field, size_t *flen, int max)
{
	int n = 0;

	for (;;) {
		size_t o = 0;
		cr_assert_lt(n, max);
		field[n] = malloc((size_t)(end - *p) + 1);
		if (*p < end && **p == '"') {
			for ((*p)++; *p < end && !(**p == '"' && (*p + 1 >= end || (*p)[1] != '"')); (*p)++) {
				if (**p == '"')
					(*p)++;
				field[n][o++] = **p;
			}
			cr_assert_lt(*p, end, "unterminated quote");
			(*p)++;
		} else {
			while (*p < end && **p != ',' && **p != '\n')
				field[n][o++] = *(*p)++;
		}
		field[n][o] = 0;
		flen[n++] = o;
		if (*p >= end || **p == '\n') {
			(*p)++;
			return n;
		}
		(*p)++;
	}
}

Test(lossless, csv_round_trips_every_string, .fini = fini)
{
	const char *src = hard_session(), *dir = fixture_path("hard-csv");
	char path[600], dec[4096];
	char *f[32];
	size_t fl[32], len;
	const char *p, *end, *text;
	int n;

	run("export --format csv %s -o %s", src, dir);
	cr_assert_eq(rc, 0, "%s", err);
	snprintf(path, sizeof(path), "%s/exec.csv", dir);
	text = fixture_slurp(path, &len);
	p = text, end = text + len;
	n = csv_record(&p, end, f, fl, 32);
	cr_assert_eq(n, 20);
	cr_assert_str_eq(f[9], "comm");
	for (int k = 0; k < NHARD; k++) {
		n = csv_record(&p, end, f, fl, 32);
		cr_assert_eq(n, 20, "record %d", k);
		for (int c = 9; c <= 11; c++) /* comm, pcomm, filename */
			expect_bytes(dec, lossless_decode(f[c], fl[c], dec), hard[k], "csv field", c);
		expect_bytes(dec, lossless_decode(f[16], fl[16], dec), hard[k], "interp", k);
		expect_argv(f[13]); /* argv: a JSON array in the field */
		cr_assert_str_eq(f[14], "false");
	}
	cr_assert_eq(p, end, "trailing data");
	snprintf(path, sizeof(path), "%s/flow.csv", dir);
	text = fixture_slurp(path, &len);
	p = text, end = text + len;
	csv_record(&p, end, f, fl, 32);
	for (int k = 0; k < 4; k++) {
		n = csv_record(&p, end, f, fl, 32);
		cr_assert_eq(n, 19);
		if (k >= 2) /* no addresses: null, an empty unquoted field */
			cr_assert(fl[10] == 0 && fl[12] == 0);
	}
}

Test(lossless, sqlite_round_trips_every_string, .fini = fini)
{
	const char *src = hard_session(), *db_path = fixture_path("hard.sqlite");
	sqlite3 *db;
	sqlite3_stmt *st;
	char dec[4096];
	int k = 0;

	run("export --format sqlite %s -o %s", src, db_path);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT comm, pcomm, filename, interp, cwd, argv,"
					    " argv_truncated, typeof(start_ns) FROM exec ORDER BY ts_ns",
					-1, &st, NULL),
		     SQLITE_OK);
	for (; sqlite3_step(st) == SQLITE_ROW; k++) {
		for (int c = 0; c < 5; c++)
			expect_bytes(dec,
				     lossless_decode((const char *)sqlite3_column_text(st, c),
						     (size_t)sqlite3_column_bytes(st, c), dec),
				     hard[k], "sqlite column", c);
		expect_argv((const char *)sqlite3_column_text(st, 5));
		cr_assert_eq(sqlite3_column_int(st, 6), 0);
		cr_assert_str_eq((const char *)sqlite3_column_text(st, 7), "integer");
	}
	cr_assert_eq(k, NHARD);
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*), count(src), count(owner_pid),"
					    " sum(family = 6 AND src = 'fd00::1') FROM flow",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 4);
	cr_assert_eq(sqlite3_column_int(st, 1), 2, "non-IP rows have a NULL address");
	cr_assert_eq(sqlite3_column_int(st, 2), 1);
	cr_assert_eq(sqlite3_column_int(st, 3), 1);
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT path FROM cgroup ORDER BY rowid", -1, &st, NULL),
		     SQLITE_OK);
	for (k = 0; sqlite3_step(st) == SQLITE_ROW; k++)
		expect_bytes(dec,
			     lossless_decode((const char *)sqlite3_column_text(st, 0),
					     (size_t)sqlite3_column_bytes(st, 0), dec),
			     hard[k], "cgroup path", k);
	cr_assert_eq(k, NHARD);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
