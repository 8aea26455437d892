/* test_verify.c - `ebpfreport verify`: good files, a killed recorder's file, one still
 * being recorded, garbage, and a copy without its -wal. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "json_path.h"

Test(verify, good_files_unclean_and_garbage, .fini = fini)
{
	const char *unclean = fixture_path("unclean.db"), *junk = fixture_path("junk.db");
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
	const char *live = fixture_path("live.db");
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
	const char *killed = fixture_path("walkilled.db"), *copy = fixture_path("walcopy.db");
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
