/* test_fileset.c - ebpfreport on rotated series and flight-recorder
 * dumps written through the format library: a directory is its session
 * files, a series reads as one session (one header, losses summed, times
 * relative to the series' start), verify finds a missing, repeated,
 * overlapping or gapped file, and summary shows a dump's trigger. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "json_path.h"

/* A directory of its own for a test. */
static const char *dir_of(const char *name)
{
	static char dir[512];
	char cmd[1100];

	snprintf(dir, sizeof(dir), "%s/%d-%s", fixture_dir(), getpid(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	cr_assert_eq(system(cmd), 0);
	return dir;
}

/* File seq of series id in dir, [start, end) seconds, one exec at start
 * and one lost_ringbuf per file; prev names the file before. */
static void series_file(const char *dir, const char *id, unsigned seq, uint64_t start,
			uint64_t end, const char *prev)
{
	char path[600], name[32];
	struct fmt_writer *w;
	char *err;

	snprintf(name, sizeof(name), "s-%06u.db", seq);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	w = fixture_writer(path, "alpha", "1700000000000000000", start * S, end * S);
	fmt_writer_set_meta(w, "series", id);
	fmt_writer_set_meta_u64(w, "series_seq", seq);
	fmt_writer_set_meta_u64(w, "lost_ringbuf", 1);
	if (prev)
		fmt_writer_set_meta(w, "series_prev", prev);
	fixture_exec(w, start * S, 100 + seq, 1, 0, "job", "init", "/bin/job", 0,
		     (const char *[]){ "job", NULL });
	cr_assert_eq(fmt_writer_close(w, &err), 0, "%s", err);
}

/* A series of n files of 2 s each, from second 10. */
static void series(const char *dir, const char *id, unsigned n)
{
	char prev[32];

	for (unsigned i = 1; i <= n; i++) {
		snprintf(prev, sizeof(prev), "s-%06u.db", i - 1);
		series_file(dir, id, i, 10 + 2 * (i - 1), 12 + 2 * (i - 1), i > 1 ? prev : NULL);
	}
}

Test(fileset, a_directory_is_its_session_files, .fini = fini)
{
	const char *dir = dir_of("dir");
	char path[600], v[64];
	FILE *f;

	series(dir, "abc", 3);
	snprintf(path, sizeof(path), "%s/notes.txt", dir); /* not a session: left out */
	f = fopen(path, "w");
	fputs("not a session", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/.hidden.db", dir);
	cr_assert_eq(link(fixture_alpha(), path), 0);

	run("verify %s", dir);
	cr_assert_eq(rc, 0, "%s%s", out, err);
	cr_assert_not_null(strstr(out, "s-000001.db: OK  1 chunks, 1 records (1 exec, 0 exit, 0 "
					"flow), closed cleanly; file 1 of series abc"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "s-000003.db: OK"), "%s", out);
	cr_assert_null(strstr(out, "notes.txt"), "%s", out);
	cr_assert_null(strstr(out, "hidden"), "%s", out);

	/* one session: one header line, losses summed, counts of all files */
	run("%s", dir);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "s-000001.db .. "), "%s", out);
	cr_assert_not_null(strstr(out, "s-000003.db (3 files of a series, 1 to 3)  host alpha  "
					"kernel 6.1.0-test  2023-11-14 22:13:30 -> 22:13:36 (6.0s)"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "execs 3 (0 failed)"), "%s", out);
	cr_assert_not_null(strstr(out, "lost: 3 ring buffer drops"), "%s", out);
	cr_assert_null(strstr(out, "s-000002.db"), "one line for the series: %s", out);

	/* relative times count from the series' start, not each file's */
	run("%s --since +2s --until +3s --json", dir);
	cr_assert_eq(json_path(out, "counts.execs", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "1"); /* only file 2's exec, at +2 s */
	run("%s --json", dir);
	cr_assert_eq(json_path(out, "files.1.series.seq", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "2");
	cr_assert_eq(json_path(out, "files.1.series.prev", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "s-000001.db");
}

Test(fileset, an_empty_directory_is_an_error, .fini = fini)
{
	const char *dir = dir_of("empty");

	run("%s", dir);
	cr_assert_eq(rc, 2);
	cr_assert_not_null(strstr(err, "no session files in '"), "%s", err);
}

Test(fileset, verify_finds_missing_and_out_of_order_files, .fini = fini)
{
	const char *dir = dir_of("bad");
	char path[600];

	series(dir, "abc", 5);
	snprintf(path, sizeof(path), "%s/s-000002.db", dir);
	cr_assert_eq(unlink(path), 0);
	run("verify %s", dir);
	cr_assert_eq(rc, 1, "%s", out);
	cr_assert_not_null(strstr(out, "s-000003.db: BAD: the file before it in its series is "
					"missing (file 2, 's-000002.db')"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "s-000001.db: OK"), "%s", out);
	cr_assert_not_null(strstr(out, "s-000004.db: OK"), "%s", out);

	snprintf(path, sizeof(path), "%s/s-000003.db", dir);
	cr_assert_eq(unlink(path), 0);
	run("verify --json %s", dir);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "2 files before it in its series are missing (files 2 to 3, "
					"the last 's-000003.db')"),
			   "%s", out);

	/* a file that begins before the one before it ends; one after a gap */
	dir = dir_of("order");
	series_file(dir, "xyz", 1, 10, 12, NULL);
	series_file(dir, "xyz", 2, 11, 14, "s-000001.db");
	series_file(dir, "xyz", 3, 15, 16, "s-000002.db");
	run("verify %s", dir);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "s-000002.db: BAD: out of order: it begins 1.000s before"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "s-000003.db: BAD: a gap of 1.000s in its series"), "%s",
			   out);

	/* the same file twice (a copy) */
	dir = dir_of("twice");
	series(dir, "abc", 2);
	snprintf(path, sizeof(path), "cp %s/s-000002.db %s/copy.db", dir, dir);
	cr_assert_eq(system(path), 0);
	run("verify %s", dir);
	cr_assert_eq(rc, 1);
	cr_assert_not_null(strstr(out, "file 2 of its series is also"), "%s", out);

	/* files of another series, or none, are not checked against it */
	dir = dir_of("two");
	series(dir, "abc", 2);
	run("verify %s %s %s", dir, fixture_alpha(), fixture_beta());
	cr_assert_eq(rc, 0, "%s", out);
}

Test(fileset, summary_shows_a_dumps_trigger, .fini = fini)
{
	const char *path = fixture_path("dump.db");
	struct fmt_writer *w = fixture_writer(path, "alpha", "1700000000000000000", 10 * S, 14 * S);
	char *e, v[64];

	fmt_writer_set_meta(w, "trigger", "exit-nonzero");
	fmt_writer_set_meta_u64(w, "trigger_ns", 13 * S);
	fmt_writer_set_meta(w, "trigger_pid", "4242");
	fmt_writer_set_meta(w, "trigger_comm", "nginx");
	fmt_writer_set_meta(w, "trigger_pattern", "ngin*");
	fmt_writer_set_meta(w, "trigger_detail", "signal 11 (SIGSEGV)");
	fmt_writer_set_meta(w, "triggers", "2");
	fmt_writer_set_meta(w, "lost_ring", "7");
	cr_assert_eq(fmt_writer_close(w, &e), 0);
	run("%s --utc", path);
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_not_null(strstr(out, "  trigger: exit-nonzero of 'nginx' (pid 4242, signal 11 "
					"(SIGSEGV), matched 'ngin*') at 2023-11-14 22:13:33.000000, "
					"3.0s into the file; 2 triggers in its window\n"),
			   "%s", out);
	cr_assert_not_null(strstr(out, "lost: 7 records dropped for the flight recorder's memory "
					"bound"),
			   "%s", out);
	run("%s --json", path);
	cr_assert_eq(json_path(out, "files.0.trigger.comm", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "nginx");
	cr_assert_eq(json_path(out, "files.0.trigger.wall_ns", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "1700000013000000000");
	cr_assert_eq(json_path(out, "files.0.lost.lost_ring", v, sizeof(v)), 1, "%s", out);
	cr_assert_str_eq(v, "7");
}
