/* test_security.c - the reader never writes the files it reads: every
 * command, on a closed file and on a killed recorder's WAL-mode file. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

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
	const char *killed = fixture_path("killed.db"), *files[2] = { fixture_alpha(), killed };
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
