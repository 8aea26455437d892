/* test_full_disk.c - every ebpfreport command that writes a file, onto a
 * disk that fills while it writes (a 512 KiB tmpfs), with one thread and
 * with two: exit status 1, one error line that names the output and why (a
 * session output also gets its "removed (incomplete)" note, and is gone),
 * and nothing written in the input's place. Also: two threads writing an
 * output each (both fail, one line), a write error after a skipped chunk
 * (said as well), and standard output on /dev/full (one line, not one of
 * the command's and one of main's). Mounting needs root; CI runs it as
 * root, and anywhere else it says loudly that it did not run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static char mnt[512];

static void unmount(void)
{
	if (mnt[0])
		umount2(mnt, MNT_DETACH);
	fini();
}

/* A 512 KiB tmpfs at mnt, the test's own; or the test skipped, loudly,
 * without root */
static void mount_small(const char *name)
{
	if (geteuid() != 0) {
		fprintf(stderr, "\n*** full_disk: NOT RUN: mounting a small tmpfs needs root "
				"(CI runs it as root) ***\n\n");
		cr_skip_test("needs root to mount a tmpfs");
	}
	snprintf(mnt, sizeof(mnt), "%s", fixture_path(name));
	cr_assert_eq(mkdir(mnt, 0700), 0);
	cr_assert_eq(mount("tmpfs", mnt, "tmpfs", 0, "size=512k"), 0, "cannot mount a tmpfs");
}

/* The lines of s that are not the note about a removed output */
static int error_lines(const char *s, const char *removed)
{
	int n = 0;

	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		n += !(removed && len >= strlen(removed) && !strncmp(p, removed, strlen(removed)));
		p += len + (nl != NULL);
	}
	return n;
}

/* n execs with random command lines over ten minutes, far more than the
 * tmpfs holds: 30,000 fill it when a session output is committed at its
 * close, 60,000 while records are still being added; and a flow every
 * ten execs (a flow and an exec output: two writing threads) */
static const char *noisy(const char *name, uint32_t n)
{
	const char *path = fixture_path(name);
	struct fmt_writer *w = fixture_writer(path, "noisy", "0", S, 700 * S);
	uint64_t rng = 5;

	for (uint32_t i = 0; i < n; i++) {
		char arg[96];
		for (size_t k = 0; k + 1 < sizeof(arg); k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			arg[k] = (char)('a' + (rng >> 33) % 26);
		}
		arg[sizeof(arg) - 1] = 0;
		const char *argv[] = { "cc", arg, NULL };
		fixture_exec(w, S + i * (600 * S / n), 100 + i, 1, 1000, "cc", "make", "/usr/bin/cc", 0,
			     argv);
		if (i % 10 == 0) {
			struct fmt_flow f = { .ts_ns = S + i * (600 * S / n), .interval_ns = S,
					      .packets = 1 + i % 7, .bytes = 60 + i };
			fixture_flow_key(i, &f.key);
			cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
		}
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return path;
}

Test(full_disk, one_error_line_and_status_1_for_every_writer, .fini = unmount, .timeout = 120)
{
	static const struct {
		const char *args; /* %1$s the session, %2$s the output */
		bool session; /* a session file: removed when incomplete */
	} cmds[] = {
		{ "export %1$s --format sqlite -o %2$s", true },
		{ "export %1$s --format jsonl -o %2$s", false }, /* a directory */
		{ "export %1$s --format jsonl -o %2$s.jsonl", false },
		{ "export %1$s --format csv -o %2$s", false },
		{ "export %1$s %1$s --format csv -o %2$s", false }, /* a thread per output */
		{ "export %1$s --format perfetto -o %2$s", false },
		{ "html %1$s -o %2$s", false },
		{ "slice %1$s -o %2$s", true },
		{ "merge %1$s %1$s -o %2$s", true },
		{ "redact %1$s --ips -o %2$s", true },
	};
	const char *ins[2];

	ins[0] = noisy("noisy-30k.db", 30000);
	ins[1] = noisy("noisy-60k.db", 60000);
	mount_small("full-mnt");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]) * 4; i++) {
		const char *in = ins[i % 2];
		int j = 1 + i / 2 % 2;
		char args[1024], outp[600], removed[700];
		struct stat st;
		snprintf(outp, sizeof(outp), "%s/out%zu", mnt, i);
		snprintf(args, sizeof(args), cmds[i / 4].args, in, outp);
		run("%s -j %d", args, j);
		cr_assert_eq(rc, 1, "%s -j %d: status %d\n%s", args, j, rc, err);
		snprintf(removed, sizeof(removed), "ebpfreport: %s removed (incomplete)", outp);
		cr_assert_eq(error_lines(err, cmds[i / 4].session ? removed : NULL), 1,
			     "%s -j %d: one error line expected:\n%s", args, j, err);
		if (cmds[i / 4].session) { /* named (the note aside), and gone */
			const char *nl = strchr(err, '\n'), *at = strstr(err, outp);
			cr_assert(at && (!nl || at < nl), "%s -j %d: which file?\n%s", args, j, err);
			cr_assert_neq(stat(outp, &st), 0, "%s -j %d: incomplete output left",
				      args, j);
		} else {
			cr_assert(strstr(err, outp) && strstr(err, "No space left on device"),
				  "%s -j %d: the error should say where and why:\n%s", args, j, err);
		}
		/* room again for the next */
		run("verify %s", in);
		cr_assert_eq(rc, 0, "the input changed:\n%s", err);
		char rm[700];
		snprintf(rm, sizeof(rm), "rm -rf %s/*", mnt);
		cr_assert_eq(system(rm), 0);
	}
}

/* A chunk skipped and then a full disk: the skip and the write error are
 * both said, once each. 4,000 execs: with one thread their text is still
 * buffered when the export closes its files, and fails there. */
Test(full_disk, a_write_error_after_a_skipped_chunk_is_said, .fini = unmount, .timeout = 60)
{
	const char *in = noisy("noisy-bad.db", 4000);
	char sql[1200], outp[600];

	snprintf(sql, sizeof(sql),
		 "sqlite3 %s \"UPDATE chunk SET checksum = checksum + 1 WHERE id = (SELECT min(id) "
		 "FROM chunk WHERE stream = 1)\"",
		 in);
	cr_assert_eq(system(sql), 0);
	mount_small("full-mnt2");
	for (int j = 1; j <= 2; j++) {
		snprintf(outp, sizeof(outp), "%s/out%d", mnt, j);
		run("export %s --format csv -o %s -j %d", in, outp, j);
		cr_assert_eq(rc, 1, "-j %d: status %d\n%s", j, rc, err);
		cr_assert_eq(error_lines(err, NULL), 2, "-j %d: the skip and the write error:\n%s", j,
			     err);
		cr_assert_not_null(strstr(err, "(skipped)"), "-j %d: %s", j, err);
		cr_assert_not_null(strstr(err, "write error: No space left on device"), "-j %d: %s",
				   j, err);
	}
}

/* Standard output on a full disk: one line, whatever writes it */
Test(full_disk, standard_output_is_one_error_line, .fini = fini, .timeout = 60)
{
	static const char *const cmds[] = {
		"export %s --format jsonl -j 1",	  "export %s --format jsonl -j 2",
		"export %s %s --format jsonl -j 2",	  "export %s --format csv --type exec -j 2",
		"export %s --format perfetto",		  "html %s",
		"replay %s",				  "%s --top 5",
	};
	const char *in = noisy("noisy-out.db", 4000), *e = fixture_path("full-err");

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char args[1200];
		char cmd[1600], *msg;
		int st;
		snprintf(args, sizeof(args), cmds[i], in, in);
		snprintf(cmd, sizeof(cmd), "%s %s >/dev/full 2>%s", EBPFREPORT_BIN, args, e);
		st = system(cmd);
		msg = fixture_slurp(e, NULL);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s: status %d\n%s", args, st, msg);
		cr_assert_eq(error_lines(msg, NULL), 1, "%s: one error line expected:\n%s", args, msg);
		cr_assert_not_null(strstr(msg, "write error"), "%s: %s", args, msg);
		free(msg);
	}
}
