/* test_redact.c - `ebpfreport redact`: nothing original survives in the
 * file, not even compressed; keyed pseudonyms are stable; meta is kept by
 * privacy class, unknown keys dropped. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fixture.h"

static int contains(const void *hay, size_t n, const void *needle, size_t m)
{
	return m && memmem(hay, n, needle, m) != NULL;
}

#define SECRET_ARG "arg-SECRET-1"
#define SECRET_PW "--password=hunter2"
#define SECRET_HOST "host-SECRET-7q"
#define SECRET_UID 31337u

static const char *secret_session(void)
{
	const char *p = fixture_path("secret.db");
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
	/* format 1.1: a working directory, the process table, cgroup paths */
	{
		static const char *const argv[] = { "sshd", SECRET_ARG, SECRET_PW };
		struct fmt_event ev = { .stream = FMT_STREAM_EXEC };
		ev.exec = (struct fmt_exec){ .ts_ns = 1 * S + 50000, .pid = 400, .uid = SECRET_UID,
					     .gid = SECRET_UID, .comm = "make", .pcomm = "bash",
					     .filename = "/usr/bin/make", .argc = 1,
					     .argv = (const char *[]){ "make" },
					     .cwd = "/home/alice-SECRET/src", .start_ns = 1 * S };
		cr_assert_eq(fmt_writer_append(w, &ev), 0);
		ev = (struct fmt_event){ .stream = FMT_STREAM_PROC };
		ev.proc = (struct fmt_proc){ .ts_ns = 1 * S, .pid = 42, .ppid = 1, .uid = SECRET_UID,
					     .gid = SECRET_UID, .start_ns = 1, .comm = "sshd",
					     .exe = "/usr/sbin/sshd", .argc = 3, .argv = argv,
					     .cwd = "/home/alice-SECRET" };
		cr_assert_eq(fmt_writer_append(w, &ev), 0);
		ev = (struct fmt_event){ .stream = FMT_STREAM_CGROUP };
		ev.cgroup = (struct fmt_cgroup){ .ts_ns = 1 * S, .cgroup_id = 77,
						 .path = "/user.slice/user-31337.slice/session-2.scope" };
		cr_assert_eq(fmt_writer_append(w, &ev), 0);
	}
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
	const char *src = secret_session(), *o1 = fixture_path("red1.db"), *o2 = fixture_path("red2.db");
	const char *o3 = fixture_path("red3.db");
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
			cr_assert(!strcmp(ev.exec.argv[0], "curl") || !strcmp(ev.exec.argv[0], "make"));
			cr_assert_neq(ev.exec.uid, SECRET_UID);
			cr_assert_neq(ev.exec.gid, SECRET_UID);
			cr_assert_null(ev.exec.cwd, "--argv drop drops the working directory");
		} else if (ev.stream == FMT_STREAM_PROC) {
			cr_assert_eq(ev.proc.argc, 1);
			cr_assert_str_eq(ev.proc.argv[0], "sshd");
			cr_assert_null(ev.proc.cwd);
			cr_assert_neq(ev.proc.uid, SECRET_UID);
		} else if (ev.stream == FMT_STREAM_CGROUP) {
			/* the user's uid is pseudonymised like the records' */
			cr_assert_not_null(strstr(ev.cgroup.path, "/user.slice/user-"), "%s",
					   ev.cgroup.path);
			cr_assert_null(strstr(ev.cgroup.path, "31337"), "%s", ev.cgroup.path);
		} else if (ev.stream == FMT_STREAM_FLOW && ev.flow.key.family == 4) {
			memcpy(flows++ ? a78 : a77, ev.flow.key.src, 4);
		}
	}
	fmt_iter_free(it);
	fmt_reader_close(r);
	cr_assert_eq(n, 26);
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
	const char *src = fixture_path("meta-src.db"), *o1 = fixture_path("meta-red1.db"), *o2 = fixture_path("meta-red2.db");
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

#define CONTAINER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD_UID "8c1a2f1e-3b6d-4c5e-9f70-112233445566"
#define POD_SLICE "8c1a2f1e_3b6d_4c5e_9f70_112233445566"

/* --containers: container ids and pod UIDs in cgroup paths become keyed
 * pseudonyms, the same id the same pseudonym (so `top --by container`
 * still groups), the rest of the path untouched. */
Test(redact, container_ids_and_pod_uids_become_pseudonyms, .fini = fini)
{
	static const char *const paths[] = {
		"/system.slice/docker-" CONTAINER ".scope",
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_SLICE
		".slice/cri-containerd-" CONTAINER ".scope",
		"/kubepods/burstable/pod" POD_UID "/" CONTAINER,
		"/system.slice/ssh.service",
	};
	const char *src = fixture_path("pods.db"), *o1 = fixture_path("pods-red.db");
	struct fmt_writer *w = fixture_writer(src, "h", "1700000000000000000", 1 * S, 5 * S);
	char pseudo[3][512];
	struct fmt_reader *r;
	const char *c;

	for (unsigned i = 0; i < 4; i++) {
		struct fmt_event ev = { .stream = FMT_STREAM_CGROUP };
		ev.cgroup = (struct fmt_cgroup){ .ts_ns = 1 * S, .cgroup_id = 100 + i,
						 .path = paths[i] };
		cr_assert_eq(fmt_writer_append(w, &ev), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	run("redact %s -o %s --users --key " KEY, src, o1);
	run("replay %s --type cgroup", o1);
	cr_assert_not_null(strstr(out, CONTAINER), "--users alone keeps container ids: %s", out);
	run("redact %s -o %s --containers --force --key " KEY, src, o1);
	cr_assert_eq(rc, 0, "%s", err);
	run("replay %s --type cgroup", o1);
	cr_assert_null(strstr(out, "0123456789abcdef0123"), "%s", out);
	cr_assert_null(strstr(out, "8c1a2f1e"), "%s", out);
	cr_assert_null(strstr(out, "112233445566"), "%s", out);
	cr_assert_not_null(strstr(out, "/system.slice/ssh.service"), "%s", out);
	/* the same container id in each path, the same pod UID in both forms */
	c = strstr(out, "/system.slice/docker-");
	cr_assert_not_null(c, "%s", out);
	cr_assert_eq(sscanf(c + 21, "%64[0-9a-f].scope", pseudo[0]), 1, "%s", out);
	cr_assert_eq(strlen(pseudo[0]), 64);
	c = strstr(out, "cri-containerd-");
	cr_assert_not_null(c);
	cr_assert_eq(strncmp(c + 15, pseudo[0], 64), 0, "%s", out);
	cr_assert_not_null(strstr(out, pseudo[0]), "%s", out);
	c = strstr(out, "besteffort-pod");
	cr_assert_not_null(c);
	cr_assert_eq(sscanf(c + 14, "%36[0-9a-f_]", pseudo[1]), 1);
	c = strstr(out, "/kubepods/burstable/pod");
	cr_assert_not_null(c);
	cr_assert_eq(sscanf(c + 23, "%36[0-9a-f-]", pseudo[2]), 1);
	cr_assert_eq(strlen(pseudo[1]), 36);
	for (char *p = pseudo[1]; *p; p++)
		*p = *p == '_' ? '-' : *p;
	cr_assert_str_eq(pseudo[1], pseudo[2], "one pod, one pseudonym: %s", out);
	cr_assert_eq(fmt_reader_open(o1, &r, &(char *){ NULL }), 0);
	cr_assert_not_null(strstr(fmt_reader_meta(r, "redaction"),
				  "\"containers\":\"keyed pseudonyms\""));
	fmt_reader_close(r);
}
