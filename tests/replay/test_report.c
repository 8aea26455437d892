/* test_report.c - golden tests of ebpfreport: every command and filter on
 * fixed sessions (fixture.c), outputs compared exactly (times in UTC). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <unistd.h>

#include "fixture.h"
#include "json_path.h"


/* Lines of out that contain s. */
static int lines_with(const char *s)
{
	int n = 0;
	char *copy = strdup(out), *save, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n += strstr(line, s) != NULL;
	free(copy);
	return n;
}

static int nlines(void)
{
	int n = 0;
	for (const char *p = out; *p; p++)
		n += *p == '\n';
	return n;
}

/* out with the fixture's directory replaced by DIR, for stable goldens */
static const char *norm(void)
{
	static char buf[65536];
	const char *a = fixture_alpha();
	size_t dlen = strrchr(a, '/') - a, o = 0;

	for (const char *p = out; *p && o < sizeof(buf) - 4; p++) {
		if (!strncmp(p, a, dlen)) {
			memcpy(buf + o, "DIR", 3);
			o += 3;
			p += dlen - 1;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
	return buf;
}

Test(summary, header_losses_and_top_tables, .fini = fini)
{
	run("%s", fixture_alpha());
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(norm(),
		"DIR/alpha.db  host alpha  kernel 6.1.0-test  2023-11-14 22:13:20 -> 22:13:23 (3.0s)\n"
		"execs 4 (1 failed)  exits 2  flows 4  packets 18  bytes 1.7 kB  lost: none\n"
		"\n"
		"TOP COMMANDS                                                EXECS   SHARE\n"
		"cc                                                              2   50.0%\n"
		"make                                                            2   50.0%\n"
		"\n"
		"TOP FLOWS (packets)                                       PACKETS      BYTES   SHARE\n"
		"eth0 in  tcp 10.0.0.1:443 -> 10.0.0.2:5000                     15     1.5 kB   83.3%\n"
		"eth0 out udp 10.0.0.2:53000 -> 10.0.0.53:53                     2      140 B   11.1%\n"
		"eth0 in  icmpv6 fd00::1 -> fd00::2 type 128 code 0              1      100 B    5.6%\n");
}

/* The value at path in JSON text (the test fails on invalid JSON). */
static const char *jv(const char *doc, const char *path)
{
	static char buf[4][512];
	static int next;
	char *v = buf[next++ % 4];
	int rc = json_path(doc, path, v, sizeof(buf[0]));

	cr_assert_neq(rc, -1, "not valid JSON: %s", doc);
	cr_assert_eq(rc, 1, "no %s in %s", path, doc);
	return v;
}

Test(summary, json_fields, .fini = fini)
{
	static const char *const want[][2] = {
		{ "files.0.hostname", "alpha" }, { "files.1.hostname", "beta" },
		{ "files.0.kernel_release", "6.1.0-test" },
		{ "files.0.start_wall_ns", "1700000000000000000" },
		{ "files.1.start_wall_ns", "1700000000250000000" }, { "files.0.duration_s", "3" },
		{ "files.0.closed_clean", "true" }, { "files.0.lost.lost_ringbuf", "0" },
		{ "files.0.lost.lost_flow_overflow", "0" }, { "files.0.lost_text", "none" },
		{ "counts.execs", "5" }, { "counts.failed_execs", "1" }, { "counts.exits", "2" },
		{ "counts.flow_rows", "5" }, { "counts.packets", "21" }, { "counts.bytes", "1950" },
		{ "top_commands.by", "comm" }, { "top_commands.total", "5" },
		{ "top_commands.rows.0.key", "cc" }, { "top_commands.rows.0.execs", "2" },
		{ "top_commands.rows.2.key", "ls" }, { "top_flows.sort", "packets" },
		{ "top_flows.rows.0.iface", "eth0" }, { "top_flows.rows.0.dir", "ingress" },
		{ "top_flows.rows.0.proto", "tcp" }, { "top_flows.rows.0.src", "10.0.0.1" },
		{ "top_flows.rows.0.sport", "443" }, { "top_flows.rows.0.dst", "10.0.0.2" },
		{ "top_flows.rows.0.dport", "5000" }, { "top_flows.rows.0.packets", "15" },
		{ "top_flows.rows.0.bytes", "1500" }, { "top_flows.rows.0.rows", "2" },
		{ "top_flows.rows.3.src", "fd00::1" }, { "chunks_skipped", "0" },
	};

	run("%s %s --json", fixture_alpha(), fixture_beta());
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(nlines(), 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_str_eq(jv(out, want[i][0]), want[i][1], "%s", want[i][0]);
	cr_assert_eq(json_path(out, "top_commands.rows.3", (char[8]){ 0 }, 8), 0,
		     "only three commands");
	cr_assert_not_null(strstr(out, "\"counts\":{\"execs\":5,\"failed_execs\":1,\"exits\":2,"
				       "\"flow_rows\":5,\"packets\":21,\"bytes\":1950}"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "\"hostname\":\"alpha\""));
	cr_assert_not_null(strstr(out, "\"hostname\":\"beta\""));
	cr_assert_not_null(strstr(out, "\"start_wall_ns\":1700000000250000000"));
	cr_assert_not_null(strstr(out, "\"rows\":[{\"key\":\"cc\",\"execs\":2,"));
	cr_assert_not_null(strstr(out, "{\"key\":\"ls\",\"execs\":1,"));
	cr_assert_not_null(strstr(out, "\"iface\":\"eth0\",\"dir\":\"ingress\",\"proto\":\"tcp\","
				       "\"src\":\"10.0.0.1\",\"sport\":443,\"dst\":\"10.0.0.2\","
				       "\"dport\":5000,\"packets\":15,\"bytes\":1500,\"rows\":2"));
	cr_assert_not_null(strstr(out, "\"lost\":{\"lost_ringbuf\":0,\"lost_queue\":0,"
				       "\"lost_flow_overflow\":0,\"argv_truncated\":0,\"lost_ring\":0,"
				       "\"lost_owners\":0,\"lost_cgroups\":0,\"cgroup_walk_errors\":0,"
				       "\"procs_unnamed\":0}"));
}

/* Every counter of something not recorded is shown, in the text and in
 * the JSON: the owner table, the cgroup records and listings, processes
 * the table could not name, besides the ring buffers and queues. */
Test(summary, every_loss_counter_is_shown, .fini = fini)
{
	static const struct {
		const char *key, *text;
	} loss[] = {
		{ "lost_owners", "3 sockets without an owner (--max-sockets full)" },
		{ "lost_cgroups", "4 cgroup records lost" },
		{ "cgroup_walk_errors", "5 cgroup listings incomplete" },
		{ "procs_unnamed", "6 processes unnamed (exited while the table was read)" },
	};
	const char *path = fixture_path("losses.db");
	struct fmt_writer *w = fixture_writer(path, "alpha", "1700000000000000000", 1 * S, 2 * S);
	char key[64], v[64], *e;

	for (size_t i = 0; i < sizeof(loss) / sizeof(loss[0]); i++)
		cr_assert_eq(fmt_writer_set_meta_u64(w, loss[i].key, 3 + i), 0);
	cr_assert_eq(fmt_writer_close(w, &e), 0);
	run("%s", path);
	cr_assert_eq(rc, 0, "%s", err);
	for (size_t i = 0; i < sizeof(loss) / sizeof(loss[0]); i++)
		cr_assert_not_null(strstr(out, loss[i].text), "%s: %s", loss[i].key, out);
	run("%s --json", path);
	for (size_t i = 0; i < sizeof(loss) / sizeof(loss[0]); i++) {
		snprintf(key, sizeof(key), "files.0.lost.%s", loss[i].key);
		cr_assert_eq(json_path(out, key, v, sizeof(v)), 1, "%s: %s", key, out);
		cr_assert_eq(strtoull(v, NULL, 10), 3 + i, "%s", key);
	}
}

Test(top, every_by, .fini = fini)
{
	static const struct {
		const char *by, *first;
		int rows;
	} cases[] = {
		{ "comm", "cc ", 2 },
		{ "path", "/usr/bin/cc ", 3 },
		{ "cmdline", "cc -c a.c ", 4 },
		{ "uid", "1000 ", 2 },
		{ "parent", "make ", 2 },
		{ "flow", "eth0 in  tcp 10.0.0.1:443 -> 10.0.0.2:5000 ", 3 },
		{ "src", "10.0.0.1 ", 3 },
		{ "dst", "10.0.0.2 ", 3 },
		{ "port", "tcp/5000 ", 3 },
		{ "proto", "tcp ", 3 },
		{ "iface", "eth0 ", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run("top %s --by %s", fixture_alpha(), cases[i].by);
		cr_assert_eq(rc, 0, "--by %s: %s", cases[i].by, err);
		cr_assert_eq(nlines(), 1 + cases[i].rows, "--by %s:\n%s", cases[i].by, out);
		cr_assert_eq(strncmp(strchr(out, '\n') + 1, cases[i].first, strlen(cases[i].first)), 0,
			     "--by %s: first row is not '%s':\n%s", cases[i].by, cases[i].first, out);
	}
	run("top %s --by flow --sort bytes --csv", fixture_alpha());
	cr_assert_str_eq(out, "flow,packets,bytes,rows,share\n"
			      "eth0 in  tcp 10.0.0.1:443 -> 10.0.0.2:5000,15,1500,2,0.8621\n"
			      "eth0 out udp 10.0.0.2:53000 -> 10.0.0.53:53,2,140,1,0.0805\n"
			      "eth0 in  icmpv6 fd00::1 -> fd00::2 type 128 code 0,1,100,1,0.0575\n");
	run("top %s --by comm -n 1", fixture_alpha());
	cr_assert_eq(nlines(), 2, "%s", out); /* ties: deterministic, by key */
	cr_assert_not_null(strstr(out, "\ncc "));
}

Test(replay, merged_in_wall_clock_order_across_streams_and_files, .fini = fini)
{
	run("replay %s %s", fixture_alpha(), fixture_beta());
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(out,
		"2023-11-14 22:13:20.000000 [alpha] exec     100 ppid 1       uid 1000  make            make -j2\n"
		"2023-11-14 22:13:20.250000 [beta] exec     200 ppid 1       uid 1000  ls              ls -l\n"
		"2023-11-14 22:13:20.500000 [alpha] exec     101 ppid 100     uid 1000  cc              cc -c a.c\n"
		"2023-11-14 22:13:21.000000 [alpha] exec     102 ppid 100     uid 1000  cc              cc -c 'b c.c'\n"
		"2023-11-14 22:13:21.000000 [alpha] flow eth0 in  tcp 10.0.0.1:443 -> 10.0.0.2:5000 +10 pkts +1000 bytes\n"
		"2023-11-14 22:13:21.200000 [alpha] exec     103 ppid 100     uid 0     make            [failed: No such file or directory] nope\n"
		"2023-11-14 22:13:21.250000 [beta] flow eth0 out udp 10.0.1.5:40000 -> 10.0.0.53:53 +3 pkts +210 bytes\n"
		"2023-11-14 22:13:21.500000 [alpha] exit     101 ppid 100     code 0 after 1.0s\n"
		"2023-11-14 22:13:22.000000 [alpha] exit     102 ppid 100     killed by SIGKILL after 1.0s\n"
		"2023-11-14 22:13:22.000000 [alpha] flow eth0 in  tcp 10.0.0.1:443 -> 10.0.0.2:5000 +5 pkts +500 bytes\n"
		"2023-11-14 22:13:22.000000 [alpha] flow eth0 out udp 10.0.0.2:53000 -> 10.0.0.53:53 +2 pkts +140 bytes\n"
		"2023-11-14 22:13:22.000000 [alpha] flow eth0 in  icmpv6 fd00::1 -> fd00::2 type 128 code 0 +1 pkts +100 bytes\n");
}

Test(replay, json_lines_and_csv, .fini = fini)
{
	run("replay %s %s --json", fixture_alpha(), fixture_beta());
	cr_assert_eq(nlines(), 12);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		cr_assert_neq(json_path(line, "type", (char[16]){ 0 }, 16), -1, "invalid: %s", line);
	run("replay %s --json --type exec --pid 102", fixture_alpha());
	cr_assert_str_eq(jv(out, "argv.2"), "b c.c");
	cr_assert_str_eq(jv(out, "pcomm"), "make");
	cr_assert_str_eq(out,
		"{\"type\":\"exec\",\"ts_ns\":11000000000,\"wall_ns\":1700000001000000000,"
		"\"time\":\"2023-11-14T22:13:21.000Z\",\"pid\":102,"
		"\"tid\":102,\"ppid\":100,\"uid\":1000,\"gid\":1000,\"cgroup_id\":7,\"comm\":\"cc\","
		"\"pcomm\":\"make\",\"filename\":\"/usr/bin/cc\",\"argc\":3,"
		"\"argv\":[\"cc\",\"-c\",\"b c.c\"],"
		"\"argv_truncated\":false,\"ret\":0,\"interp\":null,\"cwd\":null,"
		"\"cwd_truncated\":false,\"start_ns\":null}\n");
	run("replay %s --csv --type exit,flow --proto udp", fixture_alpha());
	cr_assert_str_eq(out,
		"type,ts_ns,time,pid,tid,ppid,uid,gid,comm,pcomm,filename,argv,argv_truncated,ret,"
		"exit_code,signal,start_ns,iface,dir,proto,src,sport,dst,dport,packets,bytes\n"
		"flow,12000000000,2023-11-14 22:13:22.000000,,,,,,,,,,,,,,,eth0,egress,udp,10.0.0.2,"
		"53000,10.0.0.53,53,2,140\n");
}

/* A flow row counts the interval that ends at its timestamp: the rows
 * stamped 22:13:21 and 22:13:22 count in the seconds before, and with
 * 500 ms buckets each second's packets are halved between two buckets
 * (series.c, shared with html and perfetto). */
Test(timeline, buckets, .fini = fini)
{
	run("timeline %s --csv", fixture_alpha());
	cr_assert_str_eq(out, "start_wall_ns,time,execs,exits,packets,bytes\n"
			      "1700000000000000000,2023-11-14 22:13:20.000000,2,0,10,1000\n"
			      "1700000001000000000,2023-11-14 22:13:21.000000,2,1,8,740\n"
			      "1700000002000000000,2023-11-14 22:13:22.000000,0,1,0,0\n");
	run("timeline %s --bucket 500ms --json", fixture_alpha());
	cr_assert_str_eq(jv(out, "bucket_ns"), "500000000");
	cr_assert_str_eq(jv(out, "buckets.0.packets"), "5");
	cr_assert_str_eq(jv(out, "buckets.1.packets"), "5");
	cr_assert_str_eq(jv(out, "buckets.2.execs"), "2");
	cr_assert_not_null(strstr(out, "{\"start_wall_ns\":1700000001000000000,\"execs\":2,"
				       "\"exits\":0,\"packets\":4,\"bytes\":370},"
				       "{\"start_wall_ns\":1700000001500000000,\"execs\":0,"
				       "\"exits\":1,\"packets\":4,\"bytes\":370}"), "%s", out);
	cr_assert_str_eq(jv(out, "buckets.4.packets"), "0");
	run("timeline %s", fixture_alpha());
	cr_assert_eq(lines_with("\u2588"), 4, "2 sparklines and 2 bars expected:\n%s", out);
}

/* The numbers of column col (0-based) of a CSV text without its header. */
static size_t csv_column(const char *text, int col, uint64_t *v, size_t max)
{
	size_t n = 0;
	const char *line = strchr(text, '\n');

	while (line && line[1] && n < max) {
		const char *f = line + 1;
		for (int c = 0; c < col; c++)
			f = strchr(f, ',') + 1;
		v[n++] = strtoull(f, NULL, 10);
		line = strchr(line + 1, '\n');
	}
	return n;
}

/* One session, three readers of it: timeline, the html charts and the
 * perfetto counters show the same packets per bucket (series.c), also
 * when flow rows end between bucket boundaries. */
Test(timeline, html_and_perfetto_count_the_same_packets, .fini = fini)
{
	char db[256], page[256], trace[256], *doc, *p, key[128];
	uint64_t tl[64], html[64];
	size_t ntl, nhtml = 0;
	struct fmt_writer *w;

	snprintf(db, sizeof(db), "%s/rates-%d.db", fixture_dir(), getpid());
	snprintf(page, sizeof(page), "%s/rates-%d.html", fixture_dir(), getpid());
	snprintf(trace, sizeof(trace), "%s/rates-%d.json", fixture_dir(), getpid());
	w = fixture_writer(db, "r", "1700000000000000000", 10 * S, 14 * S);
	fixture_flow(w, 10 * S + 3 * S / 10, 0, 4, 6, "10.0.0.1", 1, "10.0.0.2", 2, 10, 1000);
	fixture_flow(w, 11 * S + 3 * S / 10, 0, 4, 6, "10.0.0.1", 1, "10.0.0.2", 2, 20, 2000);
	fixture_flow(w, 12 * S + 3 * S / 10, 0, 4, 6, "10.0.0.1", 1, "10.0.0.2", 2, 30, 3000);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);

	/* the html page picks 100 ms buckets for a 4 s session */
	run("timeline %s --bucket 100ms --csv", db);
	cr_assert_eq(rc, 0, "%s", err);
	ntl = csv_column(out, 4, tl, 64);
	cr_assert_eq(ntl, 23, "%s", out);
	run("html %s -o %s --force", db, page);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(page, NULL);
	p = strstr(doc, "data-series=\"eth0\" data-dir=\"received\" data-sum=\"60\" "
			"data-values=\"");
	cr_assert_not_null(p, "no packets series in the page");
	for (p = strchr(strstr(p, "data-values"), '"') + 1; *p != '"'; p += *p == ',')
		html[nhtml++] = strtoull(p, &p, 10);
	for (size_t i = 0; i < ntl; i++)
		cr_assert_eq(html[i], tl[i], "bucket %zu: html %llu, timeline %llu", i,
			     (unsigned long long)html[i], (unsigned long long)tl[i]);
	for (size_t i = ntl; i < nhtml; i++)
		cr_assert_eq(html[i], 0);
	cr_assert_eq(tl[5], 2); /* 20 packets over [10.3 s, 11.3 s): 2 per 100 ms */
	cr_assert_eq(tl[0], 8); /* 10 over [9.3 s, 10.3 s): what precedes the start, here */
	free(doc);

	run("timeline %s --csv", db);
	ntl = csv_column(out, 4, tl, 64);
	cr_assert_eq(ntl, 3, "%s", out);
	run("export --format perfetto %s -o %s --force", db, trace);
	cr_assert_eq(rc, 0, "%s", err);
	doc = fixture_slurp(trace, NULL);
	for (size_t i = 0; i < ntl; i++) {
		snprintf(key, sizeof(key), "\"name\":\"eth0 packets/s\",\"pid\":1073741824,"
					   "\"tid\":1073741824,\"ts\":%llu,\"args\":{\"packets/s\":%llu}",
			 (unsigned long long)(1700000010000000ull + i * 1000000), (unsigned long long)tl[i]);
		cr_assert_not_null(strstr(doc, key), "perfetto lacks %s", key);
	}
	free(doc);
}

/* Each filter keeps exactly the expected records (counted in replay). */
Test(filters, each_filter, .fini = fini)
{
	static const struct {
		const char *args;
		int lines;
	} cases[] = {
		{ "--since +1s", 8 },				 /* boot >= 11 s */
		{ "--until +1s", 4 },				 /* <= 11 s */
		{ "--since '2023-11-14 22:13:21.5' --until 2023-11-14T22:13:21.9Z", 1 },
		{ "--since @1700000002", 4 },
		{ "--pid 101", 2 },				 /* exec and exit */
		{ "--ppid 100", 5 },
		{ "--uid 0", 1 },
		{ "--comm 'c*'", 2 },
		{ "--path '/usr/bin/*'", 3 },
		{ "--ip 10.0.0.0/24", 3 },
		{ "--ip fd00::/16", 1 },
		{ "--ip 10.0.0.53", 1 },
		{ "--port 53", 1 },
		{ "--proto tcp", 2 },
		{ "--iface eth0", 4 },
		{ "--iface 2", 4 },
		{ "--iface eth1", 0 },
		{ "--dir egress", 1 },
		{ "--type exit", 2 },
		{ "--type exec,exit", 6 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run("replay %s %s", fixture_alpha(), cases[i].args);
		cr_assert_eq(rc, 0, "%s: %s", cases[i].args, err);
		cr_assert_eq(nlines(), cases[i].lines, "%s: %d lines, expected %d:\n%s",
			     cases[i].args, nlines(), cases[i].lines, out);
	}
}

Test(errors, one_clear_line_and_nonzero_exit, .fini = fini)
{
	static const struct {
		const char *args, *words;
		int code;
	} cases[] = {
		{ "%s --port 70000", "invalid --port '70000'", 2 },
		{ "%s --since yesterday-ish", "invalid --since 'yesterday-ish'", 2 },
		{ "%s --ip 10.0.0.0/33", "invalid --ip", 2 },
		{ "%s --proto carrier-pigeon", "invalid --proto", 2 },
		{ "%s --dir sideways", "invalid --dir", 2 },
		{ "%s --type nope", "invalid --type", 2 },
		{ "top %s --by colour", "invalid --by 'colour'", 2 },
		{ "timeline %s --bucket 0", "invalid --bucket", 2 },
		{ "frobnicate %s", "unknown command 'frobnicate'", 2 },
		{ "t %s", "ambiguous command 't'", 2 },
		/* each command takes its own options, and says which it does not */
		{ "top %s --ips", "top does not take --ips", 2 },
		{ "verify %s --since +1s", "verify does not take --since", 2 },
		{ "sql %s --type exec 'SELECT 1'", "sql does not take --type", 2 },
		{ "%s --json --csv", "--json and --csv cannot be used together", 2 },
		{ "replay %s --progress --no-progress", "--progress and --no-progress cannot", 2 },
		{ "%s --since +2s --until +1s", "--since '+2s' is later than --until '+1s'", 2 },
		{ "%s --since @1700000002 --until +1s", "later than --until '+1s'", 2 },
		{ "%s --since 2023-11-14T22:13:23Z --until 2023-11-14T22:13:22Z", "is later than", 2 },
		{ "top %s --bogus", "unknown option '--bogus'", 2 },
		{ "top %s --by", "missing value for option '--by'", 2 },
		{ "help frobnicate", "unknown command 'frobnicate'", 2 },
	};
	char args[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(args, sizeof(args), cases[i].args, fixture_alpha());
		run("%s", args);
		cr_assert_eq(rc, cases[i].code, "%s: exit %d", args, rc);
		cr_assert_not_null(strstr(err, cases[i].words), "%s: stderr '%s'", args, err);
		cr_assert_eq(strchr(err, '\n') - err + 1, (long)strlen(err), "%s: more than one line: %s",
			     args, err);
	}
	run("/nonexistent/x.db");
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
	run("/etc/passwd");
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(err, "not a session file"), "%s", err);
	/* files that cannot be read among good ones: a line each, the good
	 * ones reported, exit 1 (and each path freed once: this aborted) */
	run("top /etc/passwd /nonexistent/x.db %s /etc/passwd --by comm", fixture_alpha());
	cr_assert_eq(rc, 1, "exit %d: %s", rc, err);
	cr_assert_not_null(strstr(strstr(err, "not a session file") + 1, "not a session file"),
			   "%s", err);
	cr_assert_not_null(strstr(err, "No such file"), "%s", err);
	cr_assert_not_null(strstr(out, "TOP COMM"), "%s", out);
}

/* help CMD and CMD --help print that command's usage, with only its
 * options; the general help lists the commands. */
Test(help, per_command_usage, .fini = fini)
{
	char *first;

	run("help top");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(strncmp(out, "usage: ebpfreport top FILE... [OPTIONS]\n", 40), 0, "%s", out);
	cr_assert_not_null(strstr(out, "--by KEY"), "%s", out);
	cr_assert_not_null(strstr(out, "--comm GLOB"), "%s", out);
	cr_assert_null(strstr(out, "--ips"), "top's usage lists redact's options:\n%s", out);
	cr_assert_null(strstr(out, "--speed"), "%s", out);
	first = strdup(out);
	run("top --help");
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(out, first);
	free(first);
	run("help redact");
	cr_assert_not_null(strstr(out, "--argv drop|hash"), "%s", out);
	cr_assert_null(strstr(out, "--bucket"), "%s", out);
	run("help sql");
	cr_assert_null(strstr(out, "Filters"), "sql takes no filters:\n%s", out);
	run("help");
	cr_assert_eq(rc, 0);
	for (const char *c = "summary\0top\0replay\0timeline\0verify\0slice\0merge\0redact\0"
			     "export\0sql\0html\0";
	     *c; c += strlen(c) + 1)
		cr_assert_not_null(strstr(out, c), "general help lacks %s", c);
}

Test(errors, corrupt_chunk_is_skipped_and_reported, .fini = fini)
{
	char copy[256], sql[1024];

	snprintf(copy, sizeof(copy), "%s.bad", fixture_alpha());
	snprintf(sql, sizeof(sql),
		 "cp %s %s && sqlite3 %s \"UPDATE chunk SET checksum = checksum + 1 WHERE stream = 3\"",
		 fixture_alpha(), copy, copy);
	cr_assert_eq(system(sql), 0);
	run("%s %s", copy, fixture_beta());
	cr_assert_eq(rc, 1, "a skipped chunk must make the exit status non-zero");
	cr_assert_not_null(strstr(err, "checksum mismatch (skipped)"), "%s", err);
	cr_assert_not_null(strstr(out, "execs 5"), "the readable rest is still reported:\n%s", out);
	run("%s %s --ignore-errors", copy, fixture_beta());
	cr_assert_eq(rc, 0);
}

Test(output, write_error_is_reported)
{
	char cmd[512];
	FILE *f;
	char msg[256] = "";
	int st;

	snprintf(cmd, sizeof(cmd), "%s replay %s 2>&1 >/dev/full", EBPFREPORT_BIN, fixture_alpha());
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	if (!fgets(msg, sizeof(msg), f))
		msg[0] = 0;
	st = pclose(f);
	cr_assert_eq(WEXITSTATUS(st), 1, "a full disk must fail the command");
	cr_assert_not_null(strstr(msg, "write error"), "%s", msg);
}

Test(json_path, rejects_invalid_documents)
{
	char v[64];

	cr_assert_eq(json_path("{\"a\":[1,{\"b\":\"x\\\"y\"}]}", "a.1.b", v, sizeof(v)), 1);
	cr_assert_str_eq(v, "x\"y");
	cr_assert_eq(json_path("{\"a\":1,}", "a", v, sizeof(v)), -1);
	cr_assert_eq(json_path("{\"a\":1} x", "a", v, sizeof(v)), -1);
	cr_assert_eq(json_path("{\"a\":\"\x01\"}", "a", v, sizeof(v)), -1);
	cr_assert_eq(json_path("[1,2]", "5", v, sizeof(v)), 0);
}
