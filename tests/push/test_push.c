/* test_push.c - `ebpfreport push` into a real ClickHouse (Debian's
 * clickhouse-server, started per test by chserver.c): the fleet queries
 * of docs/fleet.md answer what `ebpfreport a.db b.db --top 10 --json`
 * answers, exactly; pushing again adds nothing; a push killed half-way and
 * run again ends with one copy of each row; strings arrive without loss;
 * the loss counters are those ebpfreport reports; unreachable servers, refused users and foreign schemas are one-line
 * errors. Serial (JOBS 1): each test starts a server. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chserver.h"
#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"
#include "json_path.h"

static struct chserver srv;

static void start(void)
{
	chserver_start(&srv);
}

static void stop(void)
{
	chserver_stop(&srv);
	fini();
}

/* A session of host `host` with ncmd commands (command k runs base + 2k
 * times; one of them has a name that is not UTF-8) and nflow flows (flow
 * k: fbase + 7k packets). */
static const char *fleet_session(const char *name, const char *host, int ncmd, int base,
				 int nflow, int fbase)
{
	const char *p = fixture_path(name);
	struct fmt_writer *w = fixture_writer(p, host, "1700000000000000000", 1 * S, 9 * S);
	char comm[16], src[32];
	uint64_t ts = S;

	for (int c = 0; c < ncmd; c++) {
		if (c == 3)
			snprintf(comm, sizeof(comm), "caf\xe9");
		else
			snprintf(comm, sizeof(comm), "cmd%02d", c);
		for (int k = 0; k < base + 2 * c; k++)
			fixture_exec(w, ts += 1000, 100 + (uint32_t)c, 1, 0, comm, "sh", "/bin/x", 0,
				     (const char *[]){ comm, "-x", NULL });
	}
	for (int f = 0; f < nflow; f++) {
		snprintf(src, sizeof(src), "10.1.0.%d", f + 1);
		fixture_flow(w, 2 * S, f % 2, 4, f % 3 ? 17 : 6, src, 1000 + f, "10.2.0.1", 53,
			     (uint64_t)(fbase + 7 * f), 1000 + (uint64_t)f);
		fixture_flow(w, 3 * S, f % 2, 4, f % 3 ? 17 : 6, src, 1000 + f, "10.2.0.1", 53, 1,
			     100);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

/* The SQL under "-- fleet: NAME" in docs/fleet.md, up to the code block's
 * end: the test runs what the documentation shows. */
static char *doc_query(const char *name)
{
	char *doc = fixture_slurp(DOCS_DIR "/fleet.md", NULL), mark[64], *p, *e, *q;

	snprintf(mark, sizeof(mark), "-- fleet: %s\n", name);
	cr_assert_not_null(p = strstr(doc, mark), "docs/fleet.md has no query %s", name);
	p += strlen(mark);
	cr_assert_not_null(e = strstr(p, "```"));
	q = strndup(p, (size_t)(e - p));
	free(doc);
	return q;
}

/* Field i (tab-separated) of line l of a TSV answer, into buf. */
static const char *tsv(const char *ans, int l, int i, char *buf, size_t len)
{
	const char *p = ans;

	for (int k = 0; k < l; k++) {
		cr_assert_not_null(p = strchr(p, '\n'), "no line %d in %s", l, ans);
		p++;
	}
	for (int k = 0; k < i; k++) {
		p += strcspn(p, "\t\n");
		cr_assert_eq(*p, '\t', "no field %d in line %d of %s", i, l, ans);
		p++;
	}
	size_t n = strcspn(p, "\t\n");
	cr_assert_lt(n, len);
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

static int nlines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The i-th "key" string of the top_commands table in a summary document,
 * its bytes as they were recorded, in hex */
static void json_key_hex(const char *doc, int i, char *hex)
{
	const char *p = strstr(doc, "\"top_commands\"");
	char raw[256], dec[256];
	long n;

	for (int k = 0; k <= i; k++) {
		cr_assert_not_null(p = strstr(p, "\"key\":"));
		p += 6;
	}
	n = json_unstring(&p, raw);
	cr_assert_geq(n, 0);
	n = lossless_decode(raw, (size_t)n, dec);
	cr_assert_geq(n, 0);
	fmt_str_encode(dec, (size_t)n, raw); /* as ClickHouse holds it */
	n = (long)fmt_str_encode(dec, (size_t)n, raw);
	for (long k = 0; k < n; k++)
		sprintf(hex + 2 * k, "%02X", (unsigned char)raw[k]);
	hex[2 * n] = 0;
}

static void expect_same_number(const char *a, const char *b, const char *what, int row)
{
	cr_assert_eq(strtod(a, NULL), strtod(b, NULL), "%s of row %d: ClickHouse %s, ebpfreport %s",
		     what, row, a, b);
}

Test(push, fleet_top10_equal_ebpfreport_and_a_second_push_adds_nothing, .init = start,
     .fini = stop, .timeout = 300)
{
	const char *a = fleet_session("fleet-a.db", "alpha-host", 12, 3, 12, 100);
	const char *b = fleet_session("fleet-b.db", "beta-host", 14, 1, 11, 103);
	char *doc, *ans, *q, key[64], v[256], w[256], hex[256];
	long long counts[6];
	static const char *const tables[] = { "exec", "exit", "flow", "proc", "cgroup", "sessions" };

	run("push %s %s --clickhouse %s", a, b, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "loaded"), "%s", out);
	run("%s %s --top 10 --json", a, b);
	cr_assert_eq(rc, 0, "%s", err);
	doc = strdup(out);

	q = doc_query("top-commands");
	ans = chserver_query(&srv, "SELECT hex(command), execs, share FROM (%s) FORMAT TabSeparated",
			     q);
	cr_assert_eq(nlines(ans), 10, "%s", ans);
	for (int i = 0; i < 10; i++) {
		json_key_hex(doc, i, hex);
		cr_assert_str_eq(tsv(ans, i, 0, v, sizeof(v)), hex, "command %d", i);
		snprintf(key, sizeof(key), "top_commands.rows.%d.execs", i);
		cr_assert_eq(json_path(doc, key, w, sizeof(w)), 1);
		cr_assert_str_eq(tsv(ans, i, 1, v, sizeof(v)), w, "execs of %d", i);
		snprintf(key, sizeof(key), "top_commands.rows.%d.share", i);
		cr_assert_eq(json_path(doc, key, w, sizeof(w)), 1);
		expect_same_number(tsv(ans, i, 2, v, sizeof(v)), w, "share", i);
	}
	free(ans);
	free(q);

	static const char *const flow_fields[] = { "iface",   "dir",   "proto",   "src",
						   "sport",   "dst",   "dport",   "packets",
						   "bytes",   "rows",  "share" };
	q = doc_query("top-flows");
	ans = chserver_query(&srv,
			     "SELECT iface, dir, proto, src_ip, sport, dst_ip, dport, flow_packets,"
			     " flow_bytes, flow_rows, share FROM (%s) FORMAT TabSeparated",
			     q);
	cr_assert_eq(nlines(ans), 10, "%s", ans);
	for (int i = 0; i < 10; i++)
		for (int f = 0; f < 11; f++) {
			snprintf(key, sizeof(key), "top_flows.rows.%d.%s", i, flow_fields[f]);
			cr_assert_eq(json_path(doc, key, w, sizeof(w)), 1, "%s", key);
			if (f == 10)
				expect_same_number(tsv(ans, i, f, v, sizeof(v)), w, "share", i);
			else
				cr_assert_str_eq(tsv(ans, i, f, v, sizeof(v)), w, "%s", key);
		}
	free(ans);
	free(q);

	/* the fleet summary adds up to ebpfreport's counts */
	q = doc_query("summary");
	ans = chserver_query(&srv, "SELECT sum(execs), sum(failed), sum(exits), sum(flow_rows),"
				   " sum(packets), sum(bytes) FROM (%s) FORMAT TabSeparated",
			     q);
	static const char *const count_keys[] = { "execs", "failed_execs", "exits", "flow_rows",
						  "packets", "bytes" };
	for (int f = 0; f < 6; f++) {
		snprintf(key, sizeof(key), "counts.%s", count_keys[f]);
		cr_assert_eq(json_path(doc, key, w, sizeof(w)), 1);
		cr_assert_str_eq(tsv(ans, 0, f, v, sizeof(v)), w, "%s", key);
	}
	free(ans);
	free(q);
	/* the other documented queries run on this server */
	static const char *const others[] = { "timeline", "losses" };
	for (size_t k = 0; k < 2; k++) {
		q = doc_query(others[k]);
		free(chserver_query(&srv, "%s", q));
		free(q);
	}
	ans = chserver_query(&srv, "SELECT host, records_exec, records_flow FROM ebpfrec.sessions"
				   " ORDER BY host FORMAT TabSeparated");
	cr_assert_str_eq(ans, "alpha-host\t168\t24\nbeta-host\t196\t22\n");
	free(ans);

	/* pushing again changes no count */
	for (int t = 0; t < 6; t++)
		counts[t] = chserver_number(&srv, "SELECT count() FROM ebpfrec.%s", tables[t]);
	run("push %s %s --clickhouse %s", a, b, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(nlines(out), 2);
	cr_assert_not_null(strstr(out, "already loaded"), "%s", out);
	for (int t = 0; t < 6; t++)
		cr_assert_eq(chserver_number(&srv, "SELECT count() FROM ebpfrec.%s", tables[t]),
			     counts[t], "%s", tables[t]);
	/* a directory stands for its sessions: nothing new either */
	run("push %s --clickhouse %s -q", fixture_dir(), srv.url);
	cr_assert_eq(chserver_number(&srv, "SELECT count() FROM ebpfrec.exec WHERE host IN"
					   " ('alpha-host', 'beta-host')"),
		     counts[0]);
	free(doc);
}

Test(push, a_push_killed_half_way_and_run_again_leaves_one_copy, .init = start, .fini = stop,
     .timeout = 300)
{
	const char *a = fleet_session("killed.db", "k", 8, 2, 20, 50); /* 72 execs, 40 flows */
	char *ans;

	setenv("EBPFREPORT_TEST_KILL_AFTER_INSERTS", "3", 1);
	run("push %s --clickhouse %s --batch 10 -j 2", a, srv.url);
	unsetenv("EBPFREPORT_TEST_KILL_AFTER_INSERTS");
	cr_assert_neq(rc, 0, "the push was not killed: %s", out);
	/* three INSERTs of 10 rows made it, maybe one more of the other loader
	 * (-j 2: two INSERTs at once), the rest and the mark did not */
	long long part = chserver_number(&srv, "SELECT (SELECT count() FROM ebpfrec.exec) +"
						" (SELECT count() FROM ebpfrec.flow)");
	cr_assert(part >= 30 && part <= 40, "%lld rows after the kill", part);
	cr_assert_eq(chserver_number(&srv, "SELECT count() FROM ebpfrec.sessions"), 0);
	run("push %s --clickhouse %s --batch 10", a, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	ans = chserver_query(&srv, "SELECT count(), uniqExact(pid, ts_ns) FROM ebpfrec.exec"
				   " FORMAT TabSeparated");
	cr_assert_str_eq(ans, "72\t72\n");
	free(ans);
	ans = chserver_query(&srv, "SELECT count(), uniqExact(ts_ns, src) FROM ebpfrec.flow"
				   " FORMAT TabSeparated");
	cr_assert_str_eq(ans, "40\t40\n");
	free(ans);
	cr_assert_eq(chserver_number(&srv, "SELECT count() FROM ebpfrec.sessions"), 1);
	/* the same file into another database: loaded there too */
	run("push %s --clickhouse %s --database other --batch 100", a, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(chserver_number(&srv, "SELECT count() FROM other.exec"), 72);
}

/* Rows, distinct rows and a checksum of every column of a stream table. */
static char *table_digest(const char *db, const char *table, const char *key)
{
	return chserver_query(&srv, "SELECT count(), uniqExact(%s), sum(cityHash64(%s)) FROM %s.%s"
				    " FORMAT TabSeparated",
			      key, key, db, table);
}

Test(push, any_batch_and_connection_count_load_the_same_rows, .init = start, .fini = stop,
     .timeout = 300)
{
	const char *p = fixture_path("pieces.db");
	struct fmt_writer *w = fixture_writer(p, "piece-host", "1700000000000000000", 1 * S, 9 * S);
	static const char *const db[] = { "one", "four", "whole" };
	static const char *const how[] = { "--batch 7 -j 1", "--batch 7 -j 4", "-j 1" };
	char *want[2] = { NULL, NULL };
	uint64_t ts = S;

	/* execs and flows in several chunks, so pieces of 7 rows start inside
	 * chunks and cross from one chunk into the next */
	for (int c = 0; c < 5; c++) {
		for (int k = 0; k < 23; k++)
			fixture_exec(w, ts += 1000, 100 + (uint32_t)(23 * c + k), 1, 0, "cmd", "sh",
				     "/bin/x", 0, (const char *[]){ "cmd", "-n", NULL });
		cr_assert_eq(fmt_writer_flush(w), 0);
	}
	for (int i = 0; i < 4; i++)
		for (int f = 0; f < 9; f++) {
			char src[32];
			snprintf(src, sizeof(src), "10.3.%d.%d", i, f + 1);
			fixture_flow(w, (uint64_t)(2 + i) * S, f % 2, 4, 6, src, 1000 + f, "10.2.0.1",
				     53, 1 + (uint64_t)f, 100);
		}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	for (int d = 0; d < 3; d++) {
		run("push %s --clickhouse %s --database %s %s -q", p, srv.url, db[d], how[d]);
		cr_assert_eq(rc, 0, "%s", err);
		char *e = table_digest(db[d], "exec", "pid, ts_ns, comm, argv");
		char *f = table_digest(db[d], "flow", "ts_ns, src, sport, packets, dir");
		if (!d) {
			/* every row once (then the checksum) */
			cr_assert(!strncmp(e, "115\t115\t", 8), "%s", e);
			cr_assert(!strncmp(f, "36\t36\t", 6), "%s", f);
			want[0] = e, want[1] = f;
			continue;
		}
		cr_assert_str_eq(e, want[0], "%s", how[d]);
		cr_assert_str_eq(f, want[1], "%s", how[d]);
		free(e);
		free(f);
	}
	free(want[0]);
	free(want[1]);
}

Test(push, strings_arrive_without_loss, .init = start, .fini = stop, .timeout = 300)
{
	const char *src = hard_session();
	char *ans, *line, *save = NULL, raw[4096], dec[4096], hexbuf[8192];

	run("push %s --clickhouse %s", src, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	ans = chserver_query(&srv, "SELECT hex(comm), hex(assumeNotNull(cwd)),"
				   " arrayStringConcat(arrayMap(x -> hex(x), argv), ',')"
				   " FROM ebpfrec.exec ORDER BY ts_ns FORMAT TabSeparated");
	line = strtok_r(ans, "\n", &save);
	for (int k = 0; k < NHARD; k++, line = strtok_r(NULL, "\n", &save)) {
		cr_assert_not_null(line, "exec %d missing", k);
		char *f = line;
		for (int col = 0; col < 2 + NHARD; col++) {
			size_t n = strcspn(f, col < 2 ? "\t" : ",\t");
			size_t m = 0;
			for (size_t i = 0; i + 1 < n; i += 2) {
				unsigned x;
				sscanf(f + i, "%2X", &x);
				raw[m++] = (char)x;
			}
			long d = lossless_decode(raw, m, dec);
			const char *want = col < 2 ? hard[k] : hard[col - 2];
			cr_assert_eq(d, (long)strlen(want), "exec %d column %d", k, col);
			cr_assert(!memcmp(dec, want, (size_t)d), "exec %d column %d", k, col);
			f += n + (f[n] != 0);
		}
	}
	free(ans);
	/* null where nothing was recorded; IPv4 mapped into 16 bytes */
	ans = chserver_query(&srv, "SELECT count(), countIf(isNull(src)), countIf(isNull(owner_pid)),"
				   " any(IPv6NumToString(assumeNotNull(src))) FROM"
				   " (SELECT * FROM ebpfrec.flow ORDER BY ts_ns LIMIT 1)"
				   " FORMAT TabSeparated");
	cr_assert_str_eq(ans, "1\t0\t1\t::ffff:10.0.0.1\n");
	free(ans);
	ans = chserver_query(&srv, "SELECT countIf(isNull(src)), countIf(isNotNull(owner_pid))"
				   " FROM ebpfrec.flow FORMAT TabSeparated");
	cr_assert_str_eq(ans, "2\t1\n");
	free(ans);
	(void)hexbuf;
}

Test(push, bad_servers_users_and_schemas_are_one_line_errors, .init = start, .fini = stop,
     .timeout = 300)
{
	const char *a = fixture_alpha();
	const char *pw = fixture_path("pw");
	FILE *f;

	run("push %s --clickhouse http://127.0.0.1:1", a);
	cr_assert_eq(rc, 1);
	cr_assert_str_eq(err, "ebpfreport: cannot reach ClickHouse at 'http://127.0.0.1:1': "
			      "Couldn't connect to server\n");
	cr_assert_not_null(f = fopen(pw, "w"));
	fputs("wrong\n", f);
	fclose(f);
	run("push %s --clickhouse %s --user pushy --password-file %s", a, srv.url, pw);
	cr_assert_eq(rc, 1);
	cr_assert(!strncmp(err, "ebpfreport: ClickHouse at '", 27), "%s", err);
	cr_assert_not_null(strstr(err, "refused user 'pushy': wrong user or password"), "%s", err);
	cr_assert_eq(nlines(err), 1, "%s", err);
	cr_assert_not_null(f = fopen(pw, "w"));
	fputs("s3cret\n", f);
	fclose(f);
	run("push %s --clickhouse %s --user pushy --password-file %s -q", a, srv.url, pw);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(out, "");
	run("push %s --clickhouse %s --user pushy --password-file %s/none", a, srv.url,
	    fixture_dir());
	cr_assert_eq(rc, 2);
	cr_assert_not_null(strstr(err, "cannot read password file"), "%s", err);
	/* a schema of another version, and tables not made by push */
	free(chserver_query(&srv, "INSERT INTO ebpfrec.schema_version VALUES (99)"));
	run("push %s --clickhouse %s", a, srv.url);
	cr_assert_eq(rc, 1);
	cr_assert_str_eq(err, "ebpfreport: ClickHouse database 'ebpfrec' holds ebpfrec schema "
			      "version '99'; this ebpfreport writes version 2: push to another "
			      "--database\n");
	free(chserver_query(&srv, "CREATE DATABASE mine"));
	free(chserver_query(&srv, "CREATE TABLE mine.flow (x UInt8) ENGINE = TinyLog"));
	run("push %s --clickhouse %s --database mine", a, srv.url);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(err, "has a table 'flow' but no schema_version"), "%s", err);
	run("push %s --clickhouse %s --database 'a-b'", a, srv.url);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: invalid --database 'a-b': use letters, digits and _\n");
	run("push %s/nope.db --clickhouse %s --database fresh", fixture_dir(), srv.url);
	cr_assert_eq(rc, 1);
}

/* The loss counters in `sessions`, and the documented losses query, are
 * those `ebpfreport FILE --json` reports as files[].lost, the flight
 * recorder's lost_ring included. */
Test(push, losses_are_what_ebpfreport_reports, .init = start, .fini = stop, .timeout = 300)
{
	static const char *const keys[] = { "lost_ringbuf",	  "lost_queue",	  "lost_flow_overflow",
					    "argv_truncated",	  "lost_ring",	  "lost_owners",
					    "lost_cgroups",	  "cgroup_walk_errors", "procs_unnamed" };
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	const char *p = fixture_path("lossy.db");
	struct fmt_writer *w = fixture_writer(p, "lossy-host", "1700000000000000000", 1 * S, 9 * S);
	char key[64], v[64], want[64], *q, *ans;

	for (size_t k = 0; k < nkeys; k++)
		cr_assert_eq(fmt_writer_set_meta_u64(w, keys[k], 3 + k), 0);
	fixture_exec(w, 2 * S, 100, 1, 0, "sh", "init", "/bin/sh", 0,
		     (const char *[]){ "sh", NULL });
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	run("push %s --clickhouse %s -q", p, srv.url);
	cr_assert_eq(rc, 0, "%s", err);
	run("%s --json", p);
	cr_assert_eq(rc, 0, "%s", err);
	ans = chserver_query(&srv, "SELECT lost_ringbuf, lost_queue, lost_flow_overflow,"
				   " argv_truncated, lost_ring, lost_owners, lost_cgroups,"
				   " cgroup_walk_errors, procs_unnamed FROM ebpfrec.sessions"
				   " FORMAT TabSeparated");
	for (int k = 0; k < (int)nkeys; k++) {
		snprintf(key, sizeof(key), "files.0.lost.%s", keys[k]);
		cr_assert_eq(json_path(out, key, want, sizeof(want)), 1, "%s", key);
		cr_assert_str_eq(tsv(ans, 0, k, v, sizeof(v)), want, "%s", keys[k]);
	}
	free(ans);
	q = doc_query("losses");
	ans = chserver_query(&srv, "SELECT ringbuf_drops, queue_drops, overflow_packets,"
				   " argv_truncated, ring_dropped, unowned_sockets, cgroups_lost,"
				   " cgroup_walk_errors, procs_unnamed FROM (%s) FORMAT TabSeparated", q);
	cr_assert_str_eq(ans, "3\t4\t5\t6\t7\t8\t9\t10\t11\n");
	free(ans);
	free(q);
}
