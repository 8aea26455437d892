/* test_sql.c - `ebpfreport sql` and the SQLite extension: results equal the
 * reader's, time constraints decode only their chunks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "json_path.h"

static long long sql_number(const char *file, const char *query)
{
	char v[64];

	run("sql %s --json \"%s\"", file, query);
	cr_assert_eq(rc, 0, "%s: %s", query, err);
	cr_assert_eq(json_path(out, "0.n", v, sizeof(v)), 1, "%s -> %s", query, out);
	return atoll(v);
}

static long reader_count(const char *file, unsigned mask, uint64_t from, uint64_t to,
			 uint64_t *packets)
{
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	long n = 0;

	*packets = 0;
	cr_assert_eq(fmt_reader_open(file, &r, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_iter_open(&r, 1, mask, from, to, &it), 0);
	while (fmt_iter_next(it, &ev) > 0) {
		n++;
		if (ev.stream == FMT_STREAM_FLOW)
			*packets += ev.flow.packets;
	}
	fmt_iter_free(it);
	fmt_reader_close(r);
	return n;
}

Test(sql, results_equal_the_reader, .fini = fini)
{
	const char *b = fixture_busy();
	uint64_t pk;

	cr_assert_eq(sql_number(b, "SELECT count(*) AS n FROM exec"),
		     reader_count(b, 1u << FMT_STREAM_EXEC, 0, UINT64_MAX, &pk));
	cr_assert_eq(sql_number(b, "SELECT count(*) AS n FROM flow"),
		     reader_count(b, 1u << FMT_STREAM_FLOW, 0, UINT64_MAX, &pk));
	cr_assert_eq(sql_number(b, "SELECT sum(packets) AS n FROM flow"), (long long)pk);
	reader_count(b, 1u << FMT_STREAM_FLOW, 2 * S, 2 * S, &pk);
	cr_assert_eq(sql_number(b, "SELECT sum(packets) AS n FROM flow WHERE ts_ns = 2000000000"),
		     (long long)pk);
	cr_assert_eq(sql_number(b, "SELECT count(*) AS n FROM exec WHERE comm = 'cmd03'"), 9);

	run("sql %s --csv \"SELECT argv, ret FROM exec WHERE pid = 102\"", fixture_alpha());
	cr_assert_str_eq(out, "argv,ret\n\"[\"\"cc\"\",\"\"-c\"\",\"\"b c.c\"\"]\",0\n");
	run("sql %s %s --csv \"SELECT source, comm FROM exec ORDER BY wall_ns\"", fixture_alpha(),
	    fixture_beta());
	cr_assert_str_eq(out, "source,comm\n0,make\n1,ls\n0,cc\n0,cc\n0,make\n");
	run("sql %s \"SELECT nope FROM exec\"", fixture_alpha());
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(err, "no such column"), "%s", err);
}

Test(sql, time_range_decodes_only_its_chunks, .fini = fini)
{
	const char *p = fixture_path("chunks.db");
	struct fmt_writer_opts o = { .chunk_records = 100 };
	struct fmt_writer *w;
	uint64_t pk;
	long want;

	cr_assert_eq(fmt_writer_create(p, 0, &o, &w, &(char *){ NULL }), 0);
	for (uint32_t i = 0; i < 20000; i++) {
		struct fmt_exec e = { .ts_ns = S + i * 1000000ull, .pid = i, .comm = "c",
				      .filename = "/c", .argv = (const char *[]){ "c" }, .argc = 1 };
		cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);

	want = reader_count(p, 1u << FMT_STREAM_EXEC, 5 * S, 5 * S + 250000000ull, &pk);
	cr_assert_eq(want, 251);
	run("sql %s --stats --csv \"SELECT count(*) FROM exec WHERE ts_ns BETWEEN 5000000000 AND "
	    "5250000000\"",
	    p);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(out, "count(*)\n251\n");
	/* 251 records span 3 or 4 chunks of 100; the whole file is 200 */
	cr_assert_not_null(strstr(err, "ebpfreport: 3 chunks decoded") ?: strstr(err, "4 chunks"),
			   "%s", err);
	run("sql %s --stats --csv \"SELECT count(*) FROM exec WHERE wall_ns >= 20999000000\"", p);
	cr_assert_str_eq(out, "count(*)\n1\n"); /* offset 0: wall = boot */
	cr_assert_not_null(strstr(err, ": 1 chunks decoded"), "%s", err);
	run("sql %s --stats --csv \"SELECT count(*) FROM exec\"", p);
	cr_assert_str_eq(out, "count(*)\n20000\n");
	cr_assert_not_null(strstr(err, ": 200 chunks decoded"), "%s", err);
}

Test(sql, loadable_extension_in_the_sqlite3_shell, .fini = fini)
{
	char cmd[2048], buf[256] = "";
	FILE *f;

#ifndef SQLITE3_PRELOAD
#define SQLITE3_PRELOAD ""
#endif
	snprintf(cmd, sizeof(cmd),
		 SQLITE3_PRELOAD " sqlite3 '%s' '.load %s' 'SELECT count(*), sum(packets) FROM flow;"
		 " SELECT group_concat(comm) FROM (SELECT comm FROM exec ORDER BY ts_ns);' 2>&1",
		 fixture_alpha(), EBPFREC_SQL_EXT);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	fread(buf, 1, sizeof(buf) - 1, f);
	cr_assert_eq(pclose(f), 0, "sqlite3 failed (is the sqlite3 package installed?): %s", buf);
	cr_assert_str_eq(buf, "4|18\nmake,cc,cc,make\n");
}

/* What the tables do for a query (decode some columns, filter rows by
 * column = value, hand GROUP BY rows over grouped) gives what SQLite gives
 * when it does it all itself: the same query with each column made an
 * expression (+col), which the tables are never told about. */
Test(sql, pushed_down_equals_sqlite_alone, .fini = fini, .timeout = 120)
{
	static const char *const q[][2] = {
		{ "SELECT comm, count(*) n FROM exec GROUP BY comm ORDER BY n DESC",
		  "SELECT +comm, count(*) n FROM exec GROUP BY +comm ORDER BY n DESC" },
		{ "SELECT comm, filename, count(*) FROM exec GROUP BY 1, 2",
		  "SELECT +comm, +filename, count(*) FROM exec GROUP BY 1, 2" },
		{ "SELECT DISTINCT comm FROM exec", "SELECT DISTINCT +comm FROM exec" },
		{ "SELECT DISTINCT comm FROM exec WHERE pid > 110",
		  "SELECT DISTINCT +comm FROM exec WHERE +pid > 110" },
		{ "SELECT comm FROM exec ORDER BY comm DESC", "SELECT +comm FROM exec ORDER BY +comm DESC" },
		{ "SELECT comm, group_concat(pid), sum(ts_ns) FROM exec GROUP BY comm",
		  "SELECT +comm, group_concat(pid), sum(ts_ns) FROM exec GROUP BY +comm" },
		{ "SELECT src, dst, sum(packets), group_concat(bytes) FROM flow GROUP BY 1, 2",
		  "SELECT +src, +dst, sum(packets), group_concat(bytes) FROM flow GROUP BY 1, 2" },
		{ "SELECT dir, proto, count(*) FROM flow GROUP BY 1, 2 ORDER BY 3, 1 DESC",
		  "SELECT +dir, +proto, count(*) FROM flow GROUP BY 1, 2 ORDER BY 3, 1 DESC" },
		{ "SELECT * FROM exec WHERE comm = 'cmd03'", "SELECT * FROM exec WHERE +comm = 'cmd03'" },
		{ "SELECT * FROM exec WHERE pid = 103 AND uid = 0",
		  "SELECT * FROM exec WHERE +pid = 103 AND +uid = 0" },
		{ "SELECT * FROM flow WHERE src = '10.1.0.3' AND dir = 'ingress'",
		  "SELECT * FROM flow WHERE +src = '10.1.0.3' AND +dir = 'ingress'" },
		{ "SELECT count(*) FROM exec WHERE comm = 'nope'", "SELECT count(*) FROM exec WHERE +comm = 'nope'" },
		{ "SELECT count(*) FROM exec WHERE pid = '103'", /* text made a number */
		  "SELECT count(*) FROM exec WHERE +pid = 103" },
		{ "SELECT count(*) FROM exec WHERE comm = 'CMD03' COLLATE NOCASE",
		  "SELECT count(*) FROM exec WHERE +comm = 'CMD03' COLLATE NOCASE" },
		{ "SELECT source, count(*) FROM exec WHERE source = 1 GROUP BY 1",
		  "SELECT +source, count(*) FROM exec WHERE +source = 1 GROUP BY 1" },
	};
	char files[1024], *first;

	snprintf(files, sizeof(files), "%s %s", fixture_busy(), fixture_alpha());
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		run("sql %s --csv \"%s\"", files, q[i][0]);
		cr_assert_eq(rc, 0, "%s: %s", q[i][0], err);
		cr_assert_not_null(strchr(out, '\n'), "%s: %s", q[i][0], out);
		first = strdup(out);
		run("sql %s --csv \"%s\"", files, q[i][1]);
		cr_assert_eq(rc, 0, "%s: %s", q[i][1], err);
		/* the header names the expressions: compare from the first row */
		cr_assert_str_eq(strchr(first, '\n'), strchr(out, '\n'), "%s", q[i][0]);
		free(first);
	}
}
