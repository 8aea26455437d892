/* exectest.c - see exectest.h. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exectest.h"

struct exectest xt;

void start_with(const char *const *args)
{
	if (geteuid() != 0)
		cr_assert_fail("these tests load BPF programs and must run as root (scripts/test.sh)");
	recorder_start(&xt.rec, rec_tmp_path("exec.db"), args);
}

void start(void)
{
	start_with(NULL);
}

void finish(void)
{
	int st = recorder_stop(&xt.rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ebpfrec ended with status %d", st);
	capture_load(&xt.cap, xt.rec.path);
	cr_assert(xt.cap.clean, "a SIGINT-stopped session must be closed cleanly");
}

void teardown(void)
{
	capture_free(&xt.cap);
}

pid_t run(const char *path, const char *const argv[], int *status)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* a caller has just built its argv: its pages are mapped. A
		 * forked child may not have them mapped yet (fork does not
		 * copy the page tables of every mapping), and the recorder
		 * reads a failed exec's argv where it is, unable to fault a
		 * page in: it would record the exec cut and flagged. */
		volatile char sink = 0;
		for (const char *const *a = argv; *a; a++)
			for (const char *c = *a; *c; c++)
				sink ^= *c;
		(void)sink;
		execv(path, (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, status, 0), pid);
	return pid;
}

void assert_argv(const struct fmt_exec *e, const char *const *want, uint32_t n)
{
	cr_assert_eq(e->argc, n, "argc %u, expected %u", e->argc, n);
	for (uint32_t i = 0; i < n; i++)
		cr_assert_str_eq(e->argv[i], want[i], "argv[%u]", i);
}

void my_comm(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, (int)len, f));
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}
