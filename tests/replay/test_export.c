/* test_export.c - `ebpfreport export`: jsonl and csv round trips, the plain
 * SQLite database (top tables, process runs) and the Perfetto trace, read
 * back with the reader, SQLite or a JSON parser. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "json_path.h"

/* A session with strings that need quoting in CSV and escaping in JSON. */
static const char *tricky_session(void)
{
	const char *p = fixture_path("tricky.db");
	struct fmt_writer *w = fixture_writer(p, "t", "1700000000000000000", 1 * S, 3 * S);

	fixture_exec(w, 1 * S, 10, 1, 5, "we,ird", "par \"ent\"", "/tmp/a b,c", 0,
		     (const char *[]){ "sh", "-c", "echo \"a,b\" \\ x", "", NULL });
	fixture_exec(w, 1 * S + 7, 11, 10, 5, "x", "y", "/nope", -13, (const char *[]){ NULL });
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 2 * S, .start_ns = S / 2,
								   .pid = 10, .ppid = 1,
								   .exit_code = 3 }),
		     0);
	fixture_flow(w, 2 * S, 1, 6, 17, "2001:db8::5", 53, "2001:db8::6", 999, 1, 80);
	fixture_flow(w, 2 * S, 0, 4, 1, "192.0.2.7", 8, "192.0.2.8", 0, 2, 168);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

static const char *proto_name(int p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 1 ? "icmp" : p == 58 ? "icmpv6" : "?";
}

static void expect_field(const char *doc, const char *key, const char *want)
{
	char v[1024];

	cr_assert_eq(json_path(doc, key, v, sizeof(v)), 1, "no %s in %s", key, doc);
	cr_assert_str_eq(v, want, "%s in %s", key, doc);
}

static void expect_u(const char *doc, const char *key, long long want)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", want);
	expect_field(doc, key, buf);
}

/* Compare one exported JSON object with the event the reader gives. */
static void expect_event(const char *doc, const struct fmt_event *ev)
{
	char key[32], a[64];

	expect_u(doc, "ts_ns", (long long)fmt_event_ts(ev));
	expect_u(doc, "wall_ns", (long long)fmt_event_ts(ev) + 1700000000000000000ll);
	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		expect_field(doc, "type", "exec");
		expect_u(doc, "pid", e->pid);
		expect_u(doc, "tid", e->tid);
		expect_u(doc, "ppid", e->ppid);
		expect_u(doc, "uid", e->uid);
		expect_u(doc, "gid", e->gid);
		expect_u(doc, "cgroup_id", (long long)e->cgroup_id);
		expect_u(doc, "ret", e->ret);
		expect_field(doc, "comm", e->comm);
		expect_field(doc, "pcomm", e->pcomm);
		expect_field(doc, "filename", e->filename);
		for (uint32_t i = 0; i < e->argc; i++) {
			snprintf(key, sizeof(key), "argv.%u", i);
			expect_field(doc, key, e->argv[i]);
		}
		snprintf(key, sizeof(key), "argv.%u", e->argc);
		cr_assert_eq(json_path(doc, key, a, sizeof(a)), 0, "argv longer than argc");
		expect_field(doc, "argv_truncated", "false");
	} else if (ev->stream == FMT_STREAM_EXIT) {
		expect_field(doc, "type", "exit");
		expect_u(doc, "pid", ev->exit.pid);
		expect_u(doc, "ppid", ev->exit.ppid);
		expect_u(doc, "exit_code", ev->exit.exit_code);
		expect_u(doc, "signal", ev->exit.signal);
		expect_u(doc, "start_ns", (long long)ev->exit.start_ns);
	} else {
		const struct fmt_flow_key *k = &ev->flow.key;
		int af = k->family == 4 ? AF_INET : AF_INET6;
		expect_field(doc, "type", "flow");
		expect_u(doc, "interval_ns", (long long)ev->flow.interval_ns);
		expect_u(doc, "ifindex", k->ifindex);
		expect_field(doc, "dir", k->dir ? "egress" : "ingress");
		expect_u(doc, "family", k->family);
		expect_field(doc, "proto", proto_name(k->proto));
		expect_field(doc, "src", inet_ntop(af, k->src, a, sizeof(a)));
		expect_field(doc, "dst", inet_ntop(af, k->dst, a, sizeof(a)));
		expect_u(doc, "sport", k->sport);
		expect_u(doc, "dport", k->dport);
		expect_u(doc, "packets", (long long)ev->flow.packets);
		expect_u(doc, "bytes", (long long)ev->flow.bytes);
	}
}

/* Calls check(line, event) for each event of file p in time order, the
 * lines taken from text in the same order. @return the count. */
static int pair_lines(const char *p, unsigned mask, const char *text,
		      void (*check)(const char *, const struct fmt_event *))
{
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	char *copy = strdup(text), *save = NULL, *line = strtok_r(copy, "\n", &save);
	int n = 0;

	cr_assert_eq(fmt_reader_open(p, &r, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_iter_open(&r, 1, mask, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) > 0) {
		cr_assert_not_null(line, "fewer lines than events");
		check(line, &ev);
		line = strtok_r(NULL, "\n", &save);
		n++;
	}
	cr_assert_null(line, "more lines than events: %s", line);
	fmt_iter_free(it);
	fmt_reader_close(r);
	free(copy);
	return n;
}

Test(export, jsonl_round_trips, .fini = fini)
{
	const char *t = tricky_session();

	run("export --format jsonl %s", t);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(pair_lines(t, FMT_STREAM_MASK_ALL, out, expect_event), 5);
	run("export --format jsonl %s --type exit -o %s", t, fixture_path("x.jsonl"));
	cr_assert_eq(rc, 0, "%s", err);
}

/* Split one CSV record (RFC 4180) into fields; @return the count. */
static int csv_split(const char *line, char fields[][512], int max)
{
	int n = 0;
	const char *p = line;

	for (;;) {
		size_t o = 0;
		cr_assert_lt(n, max);
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				fields[n][o++] = *p;
			}
			cr_assert_eq(*p, '"', "unterminated quote in %s", line);
			p++;
		} else {
			while (*p && *p != ',')
				fields[n][o++] = *p++;
		}
		fields[n++][o] = 0;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

static void expect_csv(const char *line, const struct fmt_event *ev)
{
	static char f[32][512];
	char want[512], a[64];
	int n = csv_split(line, f, 32);

	snprintf(want, sizeof(want), "%llu", (unsigned long long)fmt_event_ts(ev));
	cr_assert_str_eq(f[0], want);
	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		cr_assert_eq(n, 18, "%s", line); /* interp, cwd, cwd_truncated, start_ns too */
		cr_assert_str_eq(f[8], e->comm);
		cr_assert_str_eq(f[9], e->pcomm);
		cr_assert_str_eq(f[10], e->filename);
		for (uint32_t i = 0; i < e->argc; i++) { /* argv is a JSON array */
			snprintf(a, sizeof(a), "%u", i);
			cr_assert_eq(json_path(f[11], a, want, sizeof(want)), 1, "%s", f[11]);
			cr_assert_str_eq(want, e->argv[i]);
		}
		snprintf(want, sizeof(want), "%d", e->ret);
		cr_assert_str_eq(f[13], want);
	} else if (ev->stream == FMT_STREAM_EXIT) {
		cr_assert_eq(n, 7, "%s", line);
		char got[2600];
		snprintf(want, sizeof(want), "%u,%u,%u,%u,%llu", ev->exit.pid, ev->exit.ppid,
			 ev->exit.exit_code, ev->exit.signal, (unsigned long long)ev->exit.start_ns);
		snprintf(got, sizeof(got), "%s,%s,%s,%s,%s", f[2], f[3], f[4], f[5], f[6]);
		cr_assert_str_eq(got, want);
	} else {
		const struct fmt_flow_key *k = &ev->flow.key;
		cr_assert_eq(n, 17, "%s", line); /* owner_pid, owner_start_ns, owner_cgroup_id too */
		cr_assert_str_eq(f[8], inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->src, a,
						 sizeof(a)));
		snprintf(want, sizeof(want), "%u", k->proto);
		cr_assert_str_eq(f[7], want);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)ev->flow.bytes);
		cr_assert_str_eq(f[13], want);
	}
}

Test(export, csv_per_stream_round_trips, .fini = fini)
{
	const char *t = tricky_session(), *dir = fixture_path("csv");
	static const char *const names[] = { "", "exec", "exit", "flow" };
	static const int counts[] = { 0, 2, 1, 2 };
	char p[600];

	run("export --format csv %s -o %s", t, dir);
	cr_assert_eq(rc, 0, "%s", err);
	for (int s = 1; s <= 3; s++) {
		char *text, *body;
		snprintf(p, sizeof(p), "%s/%s.csv", dir, names[s]);
		text = fixture_slurp(p, NULL);
		body = strchr(text, '\n') + 1; /* past the header */
		cr_assert_eq(pair_lines(t, 1u << s, body, expect_csv), counts[s]);
		free(text);
	}
	run("export --format csv %s", t);
	cr_assert_eq(rc, 2);
	run("export --format csv --type flow %s", t);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert(!strncmp(out, "ts_ns,wall_ns,interval_ns,ifindex", 33), "%s", out);
}

Test(export, sqlite_answers_the_same_top10, .fini = fini)
{
	const char *b = fixture_busy(), *db_path = fixture_path("plain.sqlite");
	sqlite3 *db;
	sqlite3_stmt *st;
	char key[64], v[128];
	int i = 0;

	run("export --format sqlite %s -o %s", b, db_path);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

	run("top %s --by comm --top 10 --json", b);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT comm, count(*) FROM exec GROUP BY comm"
					    " ORDER BY 2 DESC, comm LIMIT 10",
					-1, &st, NULL),
		     SQLITE_OK);
	for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
		snprintf(key, sizeof(key), "top.rows.%d.key", i);
		cr_assert_eq(json_path(out, key, v, sizeof(v)), 1, "%s", out);
		cr_assert_str_eq(v, (const char *)sqlite3_column_text(st, 0));
		snprintf(key, sizeof(key), "top.rows.%d.execs", i);
		json_path(out, key, v, sizeof(v));
		cr_assert_eq(atoll(v), sqlite3_column_int64(st, 1));
	}
	cr_assert_eq(i, 10);
	sqlite3_finalize(st);

	run("top %s --by flow --top 10 --json", b);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT src, sport, packets, bytes FROM flow_totals"
					    " LIMIT 10",
					-1, &st, NULL),
		     SQLITE_OK);
	for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++) {
		snprintf(key, sizeof(key), "top.rows.%d.src", i);
		cr_assert_eq(json_path(out, key, v, sizeof(v)), 1, "%s", out);
		cr_assert_str_eq(v, (const char *)sqlite3_column_text(st, 0));
		snprintf(key, sizeof(key), "top.rows.%d.packets", i);
		json_path(out, key, v, sizeof(v));
		cr_assert_eq(atoll(v), sqlite3_column_int64(st, 2));
	}
	cr_assert_eq(i, 10);
	sqlite3_finalize(st);
	/* the process view pairs exec and exit */
	sqlite3_close(db);
	cr_assert_eq(sqlite3_open_v2(fixture_path("p2.sqlite"), &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_CANTOPEN);
	sqlite3_close(db);
	run("export --format sqlite %s -o %s", fixture_alpha(), db_path);
	cr_assert_neq(rc, 0, "an existing output was overwritten");
	run("export --format sqlite %s -o %s --force", fixture_alpha(), db_path);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT pid, exit_code, signal, run_ns FROM process"
					    " WHERE exit_time IS NOT NULL ORDER BY pid",
					-1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 101);
	cr_assert_eq(sqlite3_column_int64(st, 3), 1000000000);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 102);
	cr_assert_eq(sqlite3_column_int(st, 2), 9);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ---- perfetto ---------------------------------------------------------- */

/* Index of the first trace event whose fields match "k=v" pairs, or -1. */
static int find_event(const char *doc, int nkv, ...)
{
	char key[96], v[256];

	for (int i = 0;; i++) {
		int ok = 1;
		va_list ap;
		snprintf(key, sizeof(key), "traceEvents.%d.ph", i);
		if (json_path(doc, key, v, sizeof(v)) != 1)
			return -1;
		va_start(ap, nkv);
		for (int k = 0; k < nkv && ok; k++) {
			const char *field = va_arg(ap, const char *), *want = va_arg(ap, const char *);
			snprintf(key, sizeof(key), "traceEvents.%d.%s", i, field);
			ok = json_path(doc, key, v, sizeof(v)) == 1 && !strcmp(v, want);
		}
		va_end(ap);
		if (ok)
			return i;
	}
}

Test(export, perfetto_tracks, .fini = fini)
{
	const char *p = fixture_path("trace.json");
	char *doc, v[64];

	run("export --format perfetto %s -o %s", fixture_alpha(), p);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(p, NULL);
	cr_assert_geq(json_path(doc, "displayTimeUnit", v, sizeof(v)), 0, "not JSON");
	/* a track per process, named, with exec -> exit slices */
	cr_assert_geq(find_event(doc, 3, "ph", "M", "pid", "101", "args.name", "cc"), 0);
	cr_assert_geq(find_event(doc, 4, "ph", "B", "pid", "101", "ts", "1700000000500000",
				 "args.argv.2", "a.c"),
		      0);
	cr_assert_geq(find_event(doc, 4, "ph", "E", "pid", "101", "ts", "1700000001500000",
				 "args.exit_code", "0"),
		      0);
	cr_assert_geq(find_event(doc, 3, "ph", "E", "pid", "102", "args.signal", "9"), 0);
	cr_assert_geq(find_event(doc, 3, "ph", "B", "pid", "103", "cat", "exec-failed"), 0);
	/* counters per interface, as timeline counts them: a row counts the
	 * second before its timestamp, so 10 packets in 22:13:20, 8 in the
	 * next second, then back to 0 */
	cr_assert_geq(find_event(doc, 4, "ph", "C", "name", "eth0 packets/s", "ts",
				 "1700000000000000", "args.packets/s", "10"),
		      0);
	cr_assert_geq(find_event(doc, 4, "ph", "C", "name", "eth0 packets/s", "ts",
				 "1700000001000000", "args.packets/s", "8"),
		      0);
	cr_assert_geq(find_event(doc, 3, "ph", "C", "name", "eth0 bytes/s", "args.bytes/s", "740"),
		      0);
	cr_assert_geq(find_event(doc, 4, "ph", "C", "name", "eth0 packets/s", "ts",
				 "1700000002000000", "args.packets/s", "0"),
		      0);
	free(doc);
}

/* Every "C" event's value of key arg, summed by (name, ts) into sum[ts
 * second - first]: the ts of the events are whole seconds from first. */
static void sum_counters(const char *doc, const char *name, const char *arg, uint64_t first,
			 double *sum, size_t n)
{
	char key[96], v[256];

	for (int i = 0;; i++) {
		uint64_t ts;
		snprintf(key, sizeof(key), "traceEvents.%d.ph", i);
		if (json_path(doc, key, v, sizeof(v)) != 1)
			return;
		if (strcmp(v, "C"))
			continue;
		snprintf(key, sizeof(key), "traceEvents.%d.name", i);
		if (json_path(doc, key, v, sizeof(v)) != 1 || strcmp(v, name))
			continue;
		snprintf(key, sizeof(key), "traceEvents.%d.ts", i);
		cr_assert_eq(json_path(doc, key, v, sizeof(v)), 1);
		ts = strtoull(v, NULL, 10);
		cr_assert_eq((ts - first) % 1000000, 0, "%s at %s", name, v);
		cr_assert_lt((ts - first) / 1000000, n);
		snprintf(key, sizeof(key), "traceEvents.%d.args.%s", i, arg);
		cr_assert_eq(json_path(doc, key, v, sizeof(v)), 1);
		sum[(ts - first) / 1000000] += strtod(v, NULL);
	}
}

/* Each process's traffic as counters on its own track: sent and received
 * packets/s and bytes/s per flow interval, back to 0 after its last;
 * processes of the process table named by it. */
Test(export, perfetto_traffic_per_process, .fini = fini)
{
	static const struct {
		const char *name, *pid, *ts, *sent, *received;
	} want[] = {
		{ "packets/s", "701", "1700000002000000", "3", "5" },
		{ "bytes/s", "701", "1700000002000000", "180", "4000" },
		{ "packets/s", "701", "1700000003000000", "0", "2" },
		{ "packets/s", "701", "1700000004000000", "0", "0" }, /* after its last */
		/* the forked child that sent on its parent's socket has its own */
		{ "bytes/s", "702", "1700000003000000", "120", "0" },
		{ "packets/s", "600", "1700000002000000", "4", "4" },
	};
	const char *p = fixture_path("owned.json");
	double procs[6] = { 0 }, iface[6] = { 0 };
	char *doc;

	run("export --format perfetto %s -o %s", fixture_owned(), p);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(p, NULL);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_geq(find_event(doc, 6, "ph", "C", "name", want[i].name, "pid", want[i].pid,
					 "ts", want[i].ts, "args.sent", want[i].sent, "args.received",
					 want[i].received),
			      0, "no %s %s of %s at %s", want[i].name, want[i].sent, want[i].pid,
			      want[i].ts);
	/* sshd never exec'd nor exited while recording: named by the table */
	cr_assert_geq(find_event(doc, 3, "ph", "M", "pid", "600", "args.name", "sshd"), 0);
	/* and a process of the table that exits is named too */
	cr_assert_geq(find_event(doc, 4, "ph", "X", "pid", "650", "name", "cron", "cat", "before"), 0);
	/* per second, the processes' packets and the one packet of no local
	 * socket (at 22:13:24) are the interface's */
	sum_counters(doc, "packets/s", "sent", 1700000001000000, procs, 6);
	sum_counters(doc, "packets/s", "received", 1700000001000000, procs, 6);
	sum_counters(doc, "eth0 packets/s", "packets/s", 1700000001000000, iface, 6);
	procs[3] += 1;
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(procs[i], iface[i], "second %zu: %g by processes, %g on eth0", i,
			     procs[i], iface[i]);
	cr_assert_eq(iface[1], 16);
	free(doc);

	/* flows without owners: no process counters */
	run("export --format perfetto %s -o %s --force", fixture_alpha(), p);
	doc = fixture_slurp(p, NULL);
	cr_assert_lt(find_event(doc, 2, "ph", "C", "name", "packets/s"), 0);
	free(doc);
}

/* A process that execs twice, a failed exec's child and a subshell: html,
 * perfetto and the plain export pair them the same way (proctrack.c). */
static const char *process_session(void)
{
	const char *p = fixture_path("procs.db");
	struct fmt_writer *w = fixture_writer(p, "p", "1700000000000000000", 1 * S, 5 * S);

	fixture_exec(w, 2 * S, 300, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
	fixture_exec(w, 2 * S + S / 2, 301, 300, 0, "sh", "sh", "/bin/nope", -2,
		     (const char *[]){ "nope", NULL });
	fixture_exec(w, 3 * S, 300, 1, 0, "ls", "init", "/bin/ls", 0, (const char *[]){ "ls", NULL });
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 2 * S + 6 * S / 10,
								   .start_ns = 2 * S + 4 * S / 10,
								   .pid = 301, .ppid = 300,
								   .exit_code = 127 }),
		     0);
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 3 * S + S / 2,
								   .start_ns = 2 * S + S / 5,
								   .pid = 302, .ppid = 300 }),
		     0);
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 4 * S,
								   .start_ns = S / 2, .pid = 300,
								   .ppid = 1 }),
		     0);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

Test(export, processes_paired_alike_in_html_perfetto_and_sqlite, .fini = fini)
{
	const char *src = process_session(), *trace = fixture_path("procs.json");
	const char *page = fixture_path("procs.html"), *plain = fixture_path("procs.sqlite");
	char *doc;
	sqlite3 *db;
	sqlite3_stmt *st;

	run("export --format perfetto %s -o %s", src, trace);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(trace, NULL);
	/* sh's slice ends where ls's begins, ls's at the exit */
	cr_assert_geq(find_event(doc, 4, "ph", "B", "pid", "300", "ts", "1700000002000000", "name",
				 "sh"),
		      0);
	cr_assert_geq(find_event(doc, 3, "ph", "E", "pid", "300", "ts", "1700000003000000"), 0);
	cr_assert_geq(find_event(doc, 4, "ph", "E", "pid", "300", "ts", "1700000004000000",
				 "args.exit_code", "0"),
		      0);
	/* started inside the recording without an exec: not "(started before
	 * recording)", and named: by its failed exec, by its parent */
	cr_assert_geq(find_event(doc, 4, "ph", "X", "pid", "301", "name", "sh", "cat", "forked"), 0);
	cr_assert_geq(find_event(doc, 3, "ph", "M", "pid", "301", "args.name", "sh"), 0);
	cr_assert_geq(find_event(doc, 5, "ph", "X", "pid", "302", "name", "ls", "ts",
				 "1700000002200000", "dur", "1300000"),
		      0);
	cr_assert_geq(find_event(doc, 3, "ph", "M", "pid", "302", "args.name", "ls"), 0);
	cr_assert_lt(find_event(doc, 2, "name", "(started before recording)", "pid", "302"), 0);
	free(doc);

	run("html %s -o %s --utc", src, page);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(page, NULL);
	/* one row per process, its programs in it: sh, then ls until the exit */
	cr_assert_not_null(strstr(doc, "<div class=\"prog\" data-ts-ns=\"2000000000\"><span "
				       "class=\"argv\">sh</span>"),
			   "%s", doc);
	cr_assert_not_null(strstr(doc, "<div class=\"prog\" data-ts-ns=\"3000000000\"><span "
				       "class=\"when\">then at <time title=\"2023-11-14 "
				       "22:13:23.000000\">22:13:23.000</time></span> <span "
				       "class=\"argv\">ls</span>"),
			   "%s", doc);
	cr_assert_not_null(strstr(doc, "<td class=\"num\">3.5s</td><td class=\"\">0</td>"), "%s", doc);
	/* the subshell forked while 300 ran sh (perfetto names it by what
	 * 300 ran when it exited) */
	cr_assert_not_null(strstr(doc, "<span class=\"leaf\"></span>sh</td><td class=\"num\">302"),
			   "%s", doc);
	free(doc);

	run("export --format sqlite %s -o %s", src, plain);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(sqlite3_open_v2(plain, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT comm, ended, run_ns, exit_code IS NULL FROM process"
					    " ORDER BY rowid",
					-1, &st, NULL),
		     SQLITE_OK);
	static const struct {
		const char *comm, *ended;
		long long run_ns;
		int no_exit;
	} want[] = { { "sh", "exec", 1000000000, 1 }, { "sh", "failed", 0, 1 },
		     { "ls", "exit", 1000000000, 0 } };
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), want[i].comm);
		cr_assert_str_eq((const char *)sqlite3_column_text(st, 1), want[i].ended);
		cr_assert_eq(sqlite3_column_int64(st, 2), want[i].run_ns, "row %zu", i);
		cr_assert_eq(sqlite3_column_int(st, 3), want[i].no_exit, "row %zu", i);
	}
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
