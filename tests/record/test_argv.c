/* test_argv.c - whole command lines: real build and CI lines are recorded
 * whole by default (1,024 arguments, 64 KiB), failed execs too, and every
 * cut at a bound is flagged and counted, failed execs included. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exectest.h"

/* A gcc link line as collect2 gets it: 150 arguments, about 6 KiB. */
static const char **link_line(int n)
{
	static char buf[200][64];
	static const char *argv[201];

	argv[0] = "/bin/true"; /* runs true, argv as collect2 would get it */
	for (int i = 1; i < n; i++) {
		if (i % 3 == 0)
			snprintf(buf[i], sizeof(buf[i]), "-L/usr/lib/gcc/x86_64-linux-gnu/12/../lib%d", i);
		else if (i % 3 == 1)
			snprintf(buf[i], sizeof(buf[i]), "obj/src/module_%03d/unit_%03d.o", i, i);
		else
			snprintf(buf[i], sizeof(buf[i]), "%s", i % 2 ? "--as-needed" : "");
		argv[i] = buf[i];
	}
	argv[n] = NULL;
	return argv;
}

Test(argv, long_command_lines_are_recorded_whole, .init = start, .fini = teardown,
     .timeout = 60)
{
	static char big[40 * 1024 + 1];
	const char *huge[] = { "true", "--define", big, "end", NULL };
	const char **link = link_line(150);
	const char *echo[103] = { "echo" };
	char num[101][8];
	const struct fmt_exec *e;
	pid_t p1, p2, p3;
	int st;

	memset(big, 'x', sizeof(big) - 1);
	for (int i = 0; i < 101; i++) {
		snprintf(num[i], sizeof(num[i]), "%d", i);
		echo[i + 1] = num[i];
	}
	p1 = run("/bin/true", link, &st);
	p2 = run("/bin/true", huge, &st);
	p3 = run("/bin/true", echo, &st);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)p1);
	cr_assert_not_null(e);
	assert_argv(e, link, 150);
	cr_assert_eq(e->flags, 0, "a 150-argument link line is not cut");
	e = capture_exec_by_pid(&xt.cap, (uint32_t)p2);
	cr_assert_not_null(e);
	assert_argv(e, huge, 4);
	cr_assert_eq(strlen(e->argv[2]), sizeof(big) - 1);
	cr_assert_eq(e->flags, 0, "a 40 KiB argument is not cut");
	e = capture_exec_by_pid(&xt.cap, (uint32_t)p3);
	cr_assert_not_null(e);
	assert_argv(e, echo, 102);
	cr_assert_eq(capture_meta_u64(&xt.cap, "argv_truncated"), 0);
}

Test(argv, failed_exec_with_100_arguments_is_recorded_whole, .init = start, .fini = teardown,
     .timeout = 60)
{
	const char *argv[102] = { "/nonexistent/x" };
	char num[100][8];
	const struct fmt_exec *e;
	pid_t pid;
	int st;

	for (int i = 0; i < 100; i++) {
		snprintf(num[i], sizeof(num[i]), "%d", i + 1);
		argv[i + 1] = num[i];
	}
	pid = run("/nonexistent/x", argv, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e, "the failed exec of pid %d was not recorded", pid);
	cr_assert_eq(e->ret, -ENOENT);
	assert_argv(e, argv, 101);
	cr_assert_eq(e->flags, 0);
}

static const char *const small_bounds[] = { "--max-args", "8", "--max-argv-bytes", "4096", NULL };

Test(argv, cuts_are_flagged_and_counted_failed_execs_too, .init = NULL, .fini = teardown,
     .timeout = 60)
{
	const char *many[22] = { "true" };
	static char big[6000];
	const char *huge[] = { "true", big, NULL };
	char num[20][8];
	const struct fmt_exec *e;
	pid_t p1, p2, p3;
	int st;

	start_with(small_bounds);
	for (int i = 1; i <= 20; i++) {
		snprintf(num[i - 1], sizeof(num[0]), "a%d", i);
		many[i] = num[i - 1];
	}
	memset(big, 'x', sizeof(big) - 1);
	p1 = run("/bin/true", many, &st);
	p2 = run("/bin/true", huge, &st);
	p3 = run("/nonexistent/many", many, &st); /* fails: argv from the caller */
	finish();

	e = capture_exec_by_pid(&xt.cap, (uint32_t)p1);
	cr_assert_not_null(e);
	assert_argv(e, many, 8);
	cr_assert(e->flags & FMT_EXEC_ARGV_TRUNCATED, "more than --max-args must be flagged");
	e = capture_exec_by_pid(&xt.cap, (uint32_t)p2);
	cr_assert_not_null(e);
	cr_assert(e->flags & FMT_EXEC_ARGV_TRUNCATED, "argv over --max-argv-bytes must be flagged");
	cr_assert_str_eq(e->argv[0], "true");
	e = capture_exec_by_pid(&xt.cap, (uint32_t)p3);
	cr_assert_not_null(e);
	cr_assert_eq(e->ret, -ENOENT);
	assert_argv(e, many, 8);
	cr_assert(e->flags & FMT_EXEC_ARGV_TRUNCATED, "a failed exec cut at --max-args is flagged");
	/* the counter counts every flagged record: ours, and any exec of the
	 * host with more than 8 arguments meanwhile */
	{
		uint64_t flagged = 0;
		for (size_t i = 0; i < xt.cap.nexec; i++)
			flagged += (xt.cap.execs[i].flags & FMT_EXEC_ARGV_TRUNCATED) != 0;
		cr_assert_geq(flagged, 3);
		cr_assert_eq(capture_meta_u64(&xt.cap, "argv_truncated"), flagged);
	}
}

/* The kernel refuses 200,001 arguments (E2BIG): the failed exec keeps the
 * first 1,024 and says it was cut. */
Test(argv, e2big_exec_is_cut_flagged_and_counted, .init = start, .fini = teardown,
     .timeout = 60)
{
	const size_t n = 200001;
	const char **argv = calloc(n + 2, sizeof(*argv));
	const struct fmt_exec *e;
	pid_t pid;
	int st;

	cr_assert_not_null(argv);
	argv[0] = "/bin/true";
	for (size_t i = 1; i <= n; i++)
		argv[i] = "e2big";
	pid = run("/bin/true", argv, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 127, "the exec should have failed");
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e, "the failed exec of pid %d was not recorded", pid);
	cr_assert_eq(e->ret, -E2BIG);
	assert_argv(e, argv, 1024);
	cr_assert(e->flags & FMT_EXEC_ARGV_TRUNCATED);
	cr_assert_geq(capture_meta_u64(&xt.cap, "argv_truncated"), 1);
	free(argv);
}

/* A failed exec: argv NULL; argv at an address that cannot be read. */
static pid_t failed_raw_exec(const char *path, const void *argv)
{
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		syscall(SYS_execve, path, argv, NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return pid;
}

/* An argv array the recorder cannot read is recorded as cut, flagged and
 * counted, not as an exec without arguments; a NULL argv (no arguments)
 * is not a cut. */
Test(argv, unreadable_argv_of_a_failed_exec_is_flagged, .init = start, .fini = teardown,
     .timeout = 60)
{
	pid_t bad = failed_raw_exec("/nonexistent/bad-argv", (const void *)16);
	pid_t none = failed_raw_exec("/nonexistent/no-argv", NULL);
	const struct fmt_exec *e;

	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)bad);
	cr_assert_not_null(e, "the failed exec of pid %d was not recorded", bad);
	cr_assert_lt(e->ret, 0);
	cr_assert_eq(e->argc, 0);
	cr_assert(e->flags & FMT_EXEC_ARGV_TRUNCATED, "an argv out of reach is a cut");
	e = capture_exec_by_pid(&xt.cap, (uint32_t)none);
	cr_assert_not_null(e, "the failed exec of pid %d was not recorded", none);
	cr_assert_eq(e->argc, 0);
	cr_assert_not(e->flags & FMT_EXEC_ARGV_TRUNCATED, "no argv is no cut");
	cr_assert_geq(capture_meta_u64(&xt.cap, "argv_truncated"), 1);
}
