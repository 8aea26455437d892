/* test_tools.c - the commands for bug-report captures: verify, slice,
 * merge, redact, export (jsonl, csv, sqlite, perfetto) and sql, each run as
 * the real ebpfreport binary on session files written through the format
 * library, the outputs read back with the reader, SQLite or a JSON parser. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "fixture.h"
#include "fmt.h"
#include "json_path.h"

#define S 1000000000ull

static char *out, *err;
static int rc;

static void fini(void)
{
	free(out);
	free(err);
	out = err = NULL;
}

#define run(...) (rc = report_runf(&out, &err, __VA_ARGS__))

/* A path for this test's own file (tests run in parallel processes). */
static const char *path(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%d-%s", fixture_dir(), getpid(), name);
	unlink(buf[k]);
	return buf[k];
}

static int contains(const void *hay, size_t n, const void *needle, size_t m)
{
	return m && memmem(hay, n, needle, m) != NULL;
}

/* ---- verify ------------------------------------------------------------ */

Test(verify, good_files_unclean_and_garbage, .fini = fini)
{
	const char *unclean = path("unclean.db"), *junk = path("junk.db");
	struct fmt_writer *w;
	FILE *f;

	run("verify %s %s", fixture_alpha(), fixture_beta());
	cr_assert_eq(rc, 0, "%s%s", out, err);
	cr_assert_not_null(strstr(out, "alpha.db: OK  3 chunks, 10 records (4 exec, 2 exit, 4 flow), "
					"closed cleanly"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "beta.db: OK"), "%s", out);
	run("verify --quiet %s", fixture_alpha());
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(out, "");
	run("verify --json %s", fixture_alpha());
	char v[64];
	cr_assert_eq(json_path(out, "0.ok", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "true");

	/* killed recorder: readable, flagged, a problem only with --strict */
	w = fixture_writer(unclean, "u", "0", 1, 2);
	fixture_exec(w, 5, 9, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
	cr_assert_eq(fmt_writer_flush(w), 0);
	fmt_writer_abandon(w);
	run("verify %s", unclean);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "1 exec, 0 exit, 0 flow), not closed cleanly"), "%s", out);
	run("verify --strict %s", unclean);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "BAD: not closed cleanly"), "%s", out);

	f = fopen(junk, "w");
	fputs("not a session", f);
	fclose(f);
	run("verify %s %s", fixture_alpha(), junk);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "alpha.db: OK"), "%s", out);
	cr_assert_not_null(strstr(out, "junk.db: BAD: "), "%s", out);
}

/* A writer holds its file's lock while it writes: readers say the session
 * is being recorded, not that its recorder was killed; once the writer is
 * gone unclosed, they say that. */
Test(verify, being_recorded_then_killed, .fini = fini, .timeout = 60)
{
	const char *live = path("live.db");
	int go[2], done[2];
	pid_t pid;

	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(done), 0);
	pid = fork();
	if (pid == 0) { /* a recorder that flushed and goes on recording */
		struct fmt_writer *w = fixture_writer(live, "l", "0", 1, 2);
		char c;
		fixture_exec(w, 5, 9, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
		fmt_writer_flush(w);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(1);
		_exit(0); /* never closed */
	}
	cr_assert_eq(read(go[0], &(char){ 0 }, 1), 1);
	run("%s", live);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "lost: being recorded (not closed yet)"), "%s", out);
	run("verify %s", live);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "1 exec, 0 exit, 0 flow), being recorded"), "%s", out);
	run("verify --strict %s", live);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "still being recorded"), "%s", out);
	run("%s --json", live);
	cr_assert_not_null(strstr(out, "\"closed_clean\":false,\"being_recorded\":true"), "%s", out);
	cr_assert_eq(write(done[1], "x", 1), 1);
	cr_assert_eq(waitpid(pid, &(int){ 0 }, 0), pid);
	run("%s", live);
	cr_assert_not_null(strstr(out, "lost: not closed cleanly (recorder killed?)"), "%s", out);
	/* replay --follow of a file nobody writes any more ends */
	run("replay --follow %s", live);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(err, "stopped following"), "%s", err);
	cr_assert_not_null(strstr(out, " exec "), "%s", out);
}

/* A killed recorder's .db copied without its -wal holds nothing yet: the
 * message says where the data is. */
Test(verify, copy_without_its_wal_says_so, .fini = fini)
{
	const char *killed = path("walkilled.db"), *copy = path("walcopy.db");
	char cmd[1200];
	pid_t pid = fork();

	if (pid == 0) {
		struct fmt_writer *w = fixture_writer(killed, "k", "0", 1, 2);
		fixture_exec(w, 5, 9, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
		fmt_writer_flush(w);
		kill(getpid(), SIGKILL);
	}
	cr_assert_eq(waitpid(pid, &(int){ 0 }, 0), pid);
	snprintf(cmd, sizeof(cmd), "cp %s %s", killed, copy);
	cr_assert_eq(system(cmd), 0);
	run("%s", copy);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(err, "-wal file is missing"), "%s", err);
	cr_assert_not_null(strstr(err, "walcopy.db-wal"), "%s", err);
	run("%s", killed); /* with its -wal: readable */
	cr_assert_eq(rc, 0, "%s", err);
}

/* ---- slice ------------------------------------------------------------- */

Test(slice, keeps_exactly_the_window, .fini = fini)
{
	const char *cut = path("cut.db");
	char *want;

	run("replay --json %s --since +1s --until +2s", fixture_alpha());
	cr_assert_eq(rc, 0);
	want = strdup(out);
	cr_assert_gt(strlen(want), 0);
	run("slice %s --since +1s --until +2s -o %s", fixture_alpha(), cut);
	cr_assert_eq(rc, 0, "%s", err);
	run("verify %s", cut);
	cr_assert_eq(rc, 0, "%s", out);
	run("replay --json %s", cut);
	cr_assert_str_eq(out, want);
	free(want);
	run("sql %s --csv \"SELECT value FROM meta WHERE key = 'slice'\"", cut);
	cr_assert_not_null(strstr(out, "\"\"source\"\":\"\"alpha.db\"\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"\"from_ns\"\":11000000000"), "%s", out);
	run("sql %s --csv \"SELECT value FROM meta WHERE key = 'hostname'\"", cut);
	cr_assert_str_eq(out, "value\nalpha\n");

	/* an existing output is kept unless --force; an input is never an output */
	run("slice %s --since +1s -o %s", fixture_alpha(), cut);
	cr_assert_neq(rc, 0);
	cr_assert_not_null(strstr(err, "--force"), "%s", err);
	run("slice %s --since +1s -o %s --force", fixture_alpha(), cut);
	cr_assert_eq(rc, 0, "%s", err);
	run("slice %s -o %s --force", fixture_alpha(), fixture_alpha());
	cr_assert_eq(rc, 2);
	cr_assert_not_null(strstr(err, "also an input"), "%s", err);
	run("slice %s", fixture_alpha());
	cr_assert_eq(rc, 2);
}

/* ---- merge ------------------------------------------------------------- */

static void host_session(const char *p, const char *host, const char *offset, uint32_t pid0,
			 uint64_t lost)
{
	struct fmt_writer *w = fixture_writer(p, host, offset, 1 * S, 4 * S);

	fmt_writer_set_meta_u64(w, "lost_ringbuf", lost);
	for (uint32_t i = 0; i < 30; i++)
		fixture_exec(w, 1 * S + i * (S / 10), pid0 + i, 1, 0, "job", "sh", "/bin/job", 0,
			     (const char *[]){ "job", host, NULL });
	fixture_flow(w, 2 * S, 0, 4, 6, "192.0.2.1", 80, "192.0.2.2", 4000, 7, 700);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
}

/* (wall_ns, pid) of every exec in a JSON lines text, in order */
static size_t walls(const char *text, int64_t *wall, long *pid, size_t max)
{
	size_t n = 0;
	char *copy = strdup(text), *save, *line, v[64];

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cr_assert_eq(json_path(line, "type", v, sizeof(v)), 1, "%s", line);
		if (strcmp(v, "exec") || n == max)
			continue;
		json_path(line, "wall_ns", v, sizeof(v));
		wall[n] = atoll(v);
		json_path(line, "pid", v, sizeof(v));
		pid[n++] = atol(v);
	}
	free(copy);
	return n;
}

Test(merge, two_hosts_in_wall_clock_order, .fini = fini)
{
	const char *a = path("gamma.db"), *b = path("delta.db"), *m = path("merged.db");
	int64_t wa[64], wb[64], wm[128];
	long pa[64], pb[64], pm[128];
	size_t na, nb, nm, ia = 0, ib = 0;
	char v[256];

	/* delta's clock is 150 ms ahead of gamma's: their execs interleave */
	host_session(a, "gamma", "1700000000000000000", 1000, 3);
	host_session(b, "delta", "1700000000150000000", 5000, 4);
	run("export --format jsonl %s", a);
	na = walls(out, wa, pa, 64);
	run("export --format jsonl %s", b);
	nb = walls(out, wb, pb, 64);
	run("merge %s %s -o %s", a, b, m);
	cr_assert_eq(rc, 0, "%s", err);
	run("verify %s", m);
	cr_assert_eq(rc, 0, "%s", out);
	run("export --format jsonl %s", m);
	nm = walls(out, wm, pm, 128);
	cr_assert_eq(nm, na + nb);
	/* the merge of two sorted lists, wall-clock times unchanged */
	for (size_t i = 0; i < nm; i++) {
		int from_a = ib == nb || (ia < na && wa[ia] <= wb[ib]);
		cr_assert_eq(wm[i], from_a ? wa[ia] : wb[ib], "record %zu", i);
		cr_assert_eq(pm[i], from_a ? pa[ia] : pb[ib], "record %zu", i);
		from_a ? ia++ : ib++;
	}
	run("sql %s --json \"SELECT (SELECT value FROM meta WHERE key='lost_ringbuf') AS total,"
	    " (SELECT value FROM meta WHERE key='source0.lost_ringbuf') AS a,"
	    " (SELECT value FROM meta WHERE key='source1.hostname') AS b,"
	    " (SELECT value FROM meta WHERE key='hostname') AS h\"",
	    m);
	cr_assert_eq(json_path(out, "0.total", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "7");
	json_path(out, "0.a", v, sizeof(v));
	cr_assert_str_eq(v, "3");
	json_path(out, "0.b", v, sizeof(v));
	cr_assert_str_eq(v, "delta");
	json_path(out, "0.h", v, sizeof(v));
	cr_assert_str_eq(v, "gamma,delta");
	/* interfaces of both hosts stay apart */
	run("top %s --by iface --json", m);
	cr_assert_not_null(strstr(out, "gamma:eth0"), "%s", out);
	cr_assert_not_null(strstr(out, "delta:eth0"), "%s", out);
	run("%s --utc", m);
	cr_assert_not_null(strstr(out, "7 ring buffer drops"), "%s", out);
}

/* ---- redact ------------------------------------------------------------ */

#define SECRET_ARG "arg-SECRET-1"
#define SECRET_PW "--password=hunter2"
#define SECRET_HOST "host-SECRET-7q"
#define SECRET_UID 31337u

static const char *secret_session(void)
{
	const char *p = path("secret.db");
	struct fmt_writer *w = fixture_writer(p, SECRET_HOST, "1700000000000000000", 1 * S, 5 * S);

	fmt_writer_set_meta(w, "boot_id", "boot-SECRET-0b");
	fmt_writer_set_meta(w, "cmdline", "ebpfrec -o /home/alice-SECRET/x.db --uid 31337");
	fmt_writer_set_meta(w, "interfaces",
			    "[{\"index\":2,\"name\":\"eth0\",\"addresses\":[\"198.51.100.1\","
			    "\"2001:db8:77::1\"],\"ingress\":\"xdp\",\"egress\":\"tcx\",\"gone\":false}]");
	for (int i = 0; i < 20; i++)
		fixture_exec(w, 1 * S + (uint64_t)i * 1000, 300 + (uint32_t)i, 1, SECRET_UID, "curl",
			     "bash", "/usr/bin/curl", 0,
			     (const char *[]){ "curl", SECRET_ARG, SECRET_PW, NULL });
	fixture_flow(w, 2 * S, 1, 4, 6, "198.51.100.77", 40000, "203.0.113.9", 443, 9, 900);
	fixture_flow(w, 2 * S, 1, 4, 6, "198.51.100.78", 40001, "203.0.113.9", 443, 3, 300);
	fixture_flow(w, 3 * S, 0, 6, 6, "2001:db8:77::77", 443, "2001:db8:77::99", 5000, 4, 400);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

/* Everything a redacted file could leak through: its raw bytes, and every
 * chunk payload decompressed (compression would hide strings from a plain
 * byte search). @return how many secrets were found. */
static int leaks(const char *p)
{
	static const char *const strings[] = { SECRET_ARG, "hunter2", SECRET_HOST, "SECRET",
					       "198.51.100.", "2001:db8:77", "31337" };
	uint8_t a4[4], a6[16];
	size_t len;
	char *raw = fixture_slurp(p, &len);
	int found = 0;
	sqlite3 *db;
	sqlite3_stmt *st;

	inet_pton(AF_INET, "198.51.100.77", a4);
	inet_pton(AF_INET6, "2001:db8:77::77", a6);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		found += contains(raw, len, strings[i], strlen(strings[i]));
	found += contains(raw, len, a4, 4) + contains(raw, len, a6, 16);
	free(raw);
	cr_assert_eq(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT data FROM chunk", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const void *blob = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		unsigned long long size = ZSTD_getFrameContentSize(blob, n);
		char *plain = malloc(size + 1);
		cr_assert_eq(ZSTD_decompress(plain, size, blob, n), size);
		for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			found += contains(plain, size, strings[i], strlen(strings[i]));
		found += contains(plain, size, a4, 4) + contains(plain, size, a6, 16);
		free(plain);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return found;
}

#define KEY "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

Test(redact, nothing_original_survives, .fini = fini)
{
	const char *src = secret_session(), *o1 = path("red1.db"), *o2 = path("red2.db");
	const char *o3 = path("red3.db");
	struct fmt_reader *r;
	struct fmt_iter *it;
	struct fmt_event ev;
	uint8_t a77[4], a78[4];
	int n = 0, flows = 0;
	char *first;

	/* the check has teeth: the original leaks through it */
	cr_assert_geq(leaks(src), 8);
	run("redact %s -o %s --ips --argv drop --users --host --key " KEY, src, o1);
	cr_assert_eq(rc, 0, "%s", err);
	run("verify %s", o1);
	cr_assert_eq(rc, 0, "%s", out);
	cr_assert_eq(leaks(o1), 0);

	cr_assert_eq(fmt_reader_open(o1, &r, &(char *){ NULL }), 0);
	cr_assert_null(fmt_reader_meta(r, "hostname"));
	cr_assert_null(fmt_reader_meta(r, "boot_id"));
	cr_assert_null(fmt_reader_meta(r, "cmdline"));
	cr_assert_not_null(strstr(fmt_reader_meta(r, "redaction"), "\"ips\":\"crypto-pan\""));
	cr_assert_eq(fmt_iter_open(&r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while (fmt_iter_next(it, &ev) > 0) {
		n++;
		if (ev.stream == FMT_STREAM_EXEC) {
			cr_assert_eq(ev.exec.argc, 1); /* argv[0] kept */
			cr_assert_str_eq(ev.exec.argv[0], "curl");
			cr_assert_neq(ev.exec.uid, SECRET_UID);
			cr_assert_neq(ev.exec.gid, SECRET_UID);
		} else if (ev.stream == FMT_STREAM_FLOW && ev.flow.key.family == 4) {
			memcpy(flows++ ? a78 : a77, ev.flow.key.src, 4);
		}
	}
	fmt_iter_free(it);
	fmt_reader_close(r);
	cr_assert_eq(n, 23);
	/* prefix-preserving: .77 and .78 share 30 bits, so do their images */
	cr_assert_eq(flows, 2);
	cr_assert(!memcmp(a77, a78, 3) && (a77[3] & 0xfc) == (a78[3] & 0xfc));

	/* same key, same output; another key, another output */
	run("export --format jsonl %s", o1);
	first = strdup(out);
	run("redact %s -o %s --ips --argv drop --users --host --key " KEY, src, o2);
	cr_assert_eq(rc, 0, "%s", err);
	run("export --format jsonl %s", o2);
	cr_assert_str_eq(out, first);
	run("redact %s -o %s --ips --argv drop --users --host", src, o3);
	cr_assert_eq(rc, 0, "%s", err);
	run("export --format jsonl %s", o3);
	cr_assert_str_neq(out, first);
	free(first);

	/* hashing keeps the arguments' identity but not their text */
	run("redact %s -o %s --argv hash --key " KEY " --force", src, o2);
	cr_assert_eq(rc, 0, "%s", err);
	run("replay %s --type exec", o2);
	cr_assert_null(strstr(out, "SECRET"), "%s", out);
	cr_assert_not_null(strstr(out, "curl h:"), "%s", out);
	run("redact %s -o %s", src, o3);
	cr_assert_eq(rc, 2);
	cr_assert_not_null(strstr(err, "nothing to redact"), "%s", err);
}

/* Redaction keeps meta by allow-list: a key this version does not know
 * (a working directory, say, added by a later recorder) is dropped, known
 * safe keys are kept, host identity only goes with --host. */
Test(redact, unknown_meta_keys_are_dropped_known_safe_ones_kept, .fini = fini)
{
	const char *src = path("meta-src.db"), *o1 = path("meta-red1.db"), *o2 = path("meta-red2.db");
	struct fmt_writer *w = fixture_writer(src, "host-a", "1700000000000000000", 1 * S, 2 * S);
	struct fmt_reader *r;

	fmt_writer_set_meta(w, "cwd", "/home/alice-SECRET");
	fmt_writer_set_meta(w, "source1.cwd", "/home/bob-SECRET");
	fmt_writer_set_meta(w, "lost_queue", "5");
	fmt_writer_set_meta(w, "source0.kernel_release", "6.6.6");
	fmt_writer_set_meta(w, "options", "{\"filter_uid\":1000}");
	fixture_exec(w, 1 * S, 10, 1, 1000, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);

	run("redact %s -o %s --users --key " KEY, src, o1);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(fmt_reader_open(o1, &r, &(char *){ NULL }), 0);
	cr_assert_null(fmt_reader_meta(r, "cwd"), "an unknown key was copied");
	cr_assert_null(fmt_reader_meta(r, "source1.cwd"), "an unknown key was copied");
	cr_assert_null(fmt_reader_meta(r, "options"));
	cr_assert_str_eq(fmt_reader_meta(r, "lost_queue"), "5");
	cr_assert_str_eq(fmt_reader_meta(r, "source0.kernel_release"), "6.6.6");
	cr_assert_str_eq(fmt_reader_meta(r, "kernel_release"), "6.1.0-test");
	cr_assert_str_eq(fmt_reader_meta(r, "hostname"), "host-a"); /* no --host */
	cr_assert_not_null(strstr(fmt_reader_meta(r, "redaction"), "\"unknown_meta\":\"dropped\""));
	fmt_reader_close(r);

	run("redact %s -o %s --host --key " KEY, src, o2);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(fmt_reader_open(o2, &r, &(char *){ NULL }), 0);
	cr_assert_null(fmt_reader_meta(r, "hostname"));
	cr_assert_null(fmt_reader_meta(r, "cwd"));
	cr_assert_str_eq(fmt_reader_meta(r, "lost_queue"), "5");
	fmt_reader_close(r);
}

/* ---- export ------------------------------------------------------------ */

/* A session with strings that need quoting in CSV and escaping in JSON. */
static const char *tricky_session(void)
{
	const char *p = path("tricky.db");
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
	run("export --format jsonl %s --type exit -o %s", t, path("x.jsonl"));
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
		cr_assert_eq(n, 14, "%s", line);
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
		cr_assert_eq(n, 14, "%s", line);
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
	const char *t = tricky_session(), *dir = path("csv");
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

/* A session where top tables have 10+ rows and ties. */
static const char *busy_session(void)
{
	const char *p = path("busy.db");
	struct fmt_writer *w = fixture_writer(p, "b", "1700000000000000000", 1 * S, 9 * S);
	char comm[16], src[32];
	uint64_t ts = S;

	for (int c = 0; c < 25; c++) {
		snprintf(comm, sizeof(comm), "cmd%02d", c);
		for (int k = 0; k < 1 + (c * 7) % 13; k++)
			fixture_exec(w, ts += 1000, 100 + (uint32_t)c, 1, 0, comm, "sh", "/bin/x", 0,
				     (const char *[]){ comm, NULL });
	}
	for (int f = 0; f < 15; f++) {
		snprintf(src, sizeof(src), "10.1.0.%d", f + 1);
		fixture_flow(w, 2 * S, f % 2, 4, 17, src, 1000 + f, "10.2.0.1", 53, 100 + f * 37 % 101,
			     1000);
		fixture_flow(w, 3 * S, f % 2, 4, 17, src, 1000 + f, "10.2.0.1", 53, 3, 100);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

Test(export, sqlite_answers_the_same_top10, .fini = fini)
{
	const char *b = busy_session(), *db_path = path("plain.sqlite");
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
	cr_assert_eq(sqlite3_open_v2(path("p2.sqlite"), &db, SQLITE_OPEN_READONLY, NULL),
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
	const char *p = path("trace.json");
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

/* A process that execs twice, a failed exec's child and a subshell: html,
 * perfetto and the plain export pair them the same way (proctrack.c). */
static const char *process_session(void)
{
	const char *p = path("procs.db");
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
	const char *src = process_session(), *trace = path("procs.json");
	const char *page = path("procs.html"), *plain = path("procs.sqlite");
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
	cr_assert_not_null(strstr(doc, "<td class=\"cmd\">sh</td><td>exec'd again</td><td>1.0s</td>"),
			   "%s", doc);
	cr_assert_not_null(strstr(doc, "<td class=\"cmd\">ls</td><td class=\"\">0</td><td>1.0s</td>"),
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

/* ---- sql --------------------------------------------------------------- */

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
	const char *b = busy_session();
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
	const char *p = path("chunks.db");
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

/* ---- the reader never writes ------------------------------------------- */

struct fingerprint {
	uint64_t hash;
	off_t size;
	struct timespec mtime;
	int exists;
};

static void fingerprint(const char *p, struct fingerprint *fp)
{
	struct stat st;
	size_t len;
	char *data;

	memset(fp, 0, sizeof(*fp));
	if (stat(p, &st))
		return;
	fp->exists = 1;
	fp->size = st.st_size;
	fp->mtime = st.st_mtim;
	data = fixture_slurp(p, &len);
	fp->hash = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		fp->hash = (fp->hash ^ (uint8_t)data[i]) * 1099511628211ull;
	free(data);
}

static void expect_same(const char *p, const struct fingerprint *a, const char *after)
{
	struct fingerprint b;

	fingerprint(p, &b);
	cr_assert_eq(a->exists, b.exists, "%s appeared or vanished after %s", p, after);
	cr_assert_eq(a->hash, b.hash, "%s changed after %s", p, after);
	cr_assert_eq(a->size, b.size, "%s changed size after %s", p, after);
	cr_assert(a->mtime.tv_sec == b.mtime.tv_sec && a->mtime.tv_nsec == b.mtime.tv_nsec,
		  "%s was written (mtime) after %s", p, after);
}

/* Every command, on a closed file and on a killed recorder's WAL-mode file
 * (the case where SQLite would be most tempted to write: recovery,
 * checkpoint). The files and their -wal must be bit-identical after. */
Test(security, reader_never_writes_the_files_it_reads, .fini = fini, .timeout = 120)
{
	static const char *const cmds[] = {
		"", "top --by path", "replay --json", "timeline", "verify", "export --format jsonl",
		"export --format perfetto", "html", "sql",
	};
	const char *killed = path("killed.db"), *files[2] = { fixture_alpha(), killed };
	char wal[600], shm[600];
	struct fingerprint fp[2], fpw;
	pid_t pid = fork();

	if (pid == 0) { /* a recorder that dies mid-recording */
		struct fmt_writer *w = fixture_writer(killed, "k", "0", 1, 2);
		fixture_exec(w, 5, 9, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
		fmt_writer_flush(w);
		fixture_exec(w, 6, 10, 1, 0, "sh", "init", "/bin/sh", 0, (const char *[]){ "sh", NULL });
		fmt_writer_flush(w);
		kill(getpid(), SIGKILL);
	}
	cr_assert_eq(waitpid(pid, &(int){ 0 }, 0), pid);
	snprintf(wal, sizeof(wal), "%s-wal", killed);
	snprintf(shm, sizeof(shm), "%s-shm", killed);
	cr_assert_eq(access(wal, F_OK), 0, "the killed writer left no WAL");
	for (int f = 0; f < 2; f++)
		fingerprint(files[f], &fp[f]);
	fingerprint(wal, &fpw);
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		for (int f = 0; f < 2; f++) {
			run("%s %s %s >/dev/null", cmds[c], files[f],
			    strcmp(cmds[c], "sql") ? "" : "\"SELECT count(*) FROM exec\"");
			cr_assert_eq(rc, 0, "%s %s: %s", cmds[c], files[f], err);
			expect_same(files[f], &fp[f], cmds[c]);
		}
		expect_same(wal, &fpw, cmds[c]);
	}
	run("replay %s", killed);
	cr_assert_not_null(strstr(out, "exec      10"), "%s", out); /* it did read the WAL */
}
