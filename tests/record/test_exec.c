/* test_exec.c - the real ebpfrec records execs and exits with the right
 * fields (root only: loads the BPF programs into this kernel). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exectest.h"

extern char **environ;

Test(exec, plain_command_with_arguments, .init = start, .fini = teardown, .timeout = 60)
{
	const char *argv[] = { "echo", "alpha", "beta", NULL };
	char comm[32];
	int st;
	pid_t pid = run("/bin/echo", argv, &st);
	const struct fmt_exec *e;
	const struct fmt_exit *x;

	finish();
	my_comm(comm, sizeof(comm));
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e, "exec of pid %d not recorded", pid);
	cr_assert_str_eq(e->filename, "/bin/echo");
	cr_assert_str_eq(e->comm, "echo");
	cr_assert_str_eq(e->pcomm, comm);
	assert_argv(e, argv, 3);
	cr_assert_eq(e->tid, (uint32_t)pid);
	cr_assert_eq(e->ppid, (uint32_t)getpid());
	cr_assert_eq(e->uid, getuid());
	cr_assert_eq(e->gid, getgid());
	cr_assert_eq(e->ret, 0);
	cr_assert_eq(e->flags, 0);
	cr_assert_neq(e->cgroup_id, 0);
	x = capture_exit_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(x, "exit of pid %d not recorded", pid);
	cr_assert_eq(x->exit_code, 0);
	cr_assert_eq(x->signal, 0);
	cr_assert_eq(x->ppid, (uint32_t)getpid());
	cr_assert_leq(x->start_ns, e->ts_ns);
	cr_assert_geq(x->ts_ns, e->ts_ns);
	cr_assert_eq(capture_meta_u64(&xt.cap, "lost_ringbuf"), 0);
	/* the cgroup hierarchy was listed whole (and the count is stored) */
	cr_assert_eq(capture_meta_u64(&xt.cap, "cgroup_walk_errors"), 0);
}

Test(exec, spaces_and_empty_arguments, .init = start, .fini = teardown, .timeout = 60)
{
	const char *argv[] = { "true", "a b", "", "c", "", NULL }; /* empty last one too */
	int st;
	pid_t pid = run("/bin/true", argv, &st);
	const struct fmt_exec *e;

	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e);
	assert_argv(e, argv, 5);
	cr_assert_eq(e->flags, 0);
}

static int thread_pipe[2];

static void *exec_from_thread(void *arg)
{
	const char *argv[] = { "true", "from-thread", NULL };
	pid_t tid = (pid_t)syscall(SYS_gettid);

	(void)arg;
	if (write(thread_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	execv("/bin/true", (char *const *)argv);
	_exit(127);
}

Test(exec, exec_from_non_main_thread, .init = start, .fini = teardown, .timeout = 60)
{
	pid_t pid, tid = 0;
	int st;
	const struct fmt_exec *e;

	cr_assert_eq(pipe(thread_pipe), 0);
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exec_from_thread, NULL);
		for (;;)
			pause(); /* the exec replaces us */
	}
	cr_assert_eq(read(thread_pipe[0], &tid, sizeof(tid)), (ssize_t)sizeof(tid));
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e, "exec from a thread of pid %d not recorded", pid);
	cr_assert_neq(tid, pid);
	cr_assert_eq(e->tid, (uint32_t)tid, "tid %u, expected the thread's %d", e->tid, tid);
	cr_assert_str_eq(e->argv[1], "from-thread");
}

Test(exec, execveat_with_empty_path, .init = start, .fini = teardown, .timeout = 60)
{
	const char *argv[] = { "true", "via-execveat", NULL };
	pid_t pid = fork();
	int st;
	const struct fmt_exec *e;

	if (pid == 0) {
		int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
		syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "execveat failed: %d", st);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e);
	assert_argv(e, argv, 2);
	cr_assert_str_eq(e->comm, "true");
	cr_assert_eq(e->ret, 0);
	cr_assert_not_null(strstr(e->filename, "/dev/fd/"), "filename %s", e->filename);
}

Test(exec, shebang_script, .init = start, .fini = teardown, .timeout = 60)
{
	char script[256];
	const char *argv[] = { NULL, "arg1", NULL };
	FILE *f;
	int st;
	pid_t pid;
	const struct fmt_exec *e;

	snprintf(script, sizeof(script), "%s", rec_tmp_path("hello.sh"));
	f = fopen(script, "w");
	cr_assert_not_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(script, 0755);
	argv[0] = script;
	pid = run(script, argv, &st);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e);
	cr_assert_str_eq(e->filename, script);
	cr_assert_eq(e->argc, 3);
	cr_assert_str_eq(e->argv[0], "/bin/sh");
	cr_assert_str_eq(e->argv[1], script);
	cr_assert_str_eq(e->argv[2], "arg1");
	cr_assert_str_eq(e->comm, "hello.sh");
}

Test(exec, command_not_found_is_recorded_with_errno, .init = start, .fini = teardown,
     .timeout = 60)
{
	const char *argv[] = { "nope", "x y", NULL };
	int st;
	pid_t pid = run("/nonexistent/nope", argv, &st);
	const struct fmt_exec *e;

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)pid);
	cr_assert_not_null(e, "failed exec not recorded");
	cr_assert_eq(e->ret, -ENOENT);
	cr_assert_str_eq(e->filename, "/nonexistent/nope");
	assert_argv(e, argv, 2);
	cr_assert_geq(capture_meta_u64(&xt.cap, "failed_execs"), 1);
}

Test(exec, exit_code_and_kill_signal, .init = start, .fini = teardown, .timeout = 60)
{
	const char *sh[] = { "sh", "-c", "exit 3", NULL };
	const char *sleeper[] = { "sleep", "30", NULL };
	int st;
	pid_t p1 = run("/bin/sh", sh, &st), p2;
	const struct fmt_exit *x;

	cr_assert_eq(WEXITSTATUS(st), 3);
	p2 = fork();
	if (p2 == 0) {
		execv("/bin/sleep", (char *const *)sleeper);
		_exit(127);
	}
	usleep(200000);
	kill(p2, SIGKILL);
	cr_assert_eq(waitpid(p2, &st, 0), p2);
	finish();
	x = capture_exit_by_pid(&xt.cap, (uint32_t)p1);
	cr_assert_not_null(x);
	cr_assert_eq(x->exit_code, 3);
	cr_assert_eq(x->signal, 0);
	x = capture_exit_by_pid(&xt.cap, (uint32_t)p2);
	cr_assert_not_null(x);
	cr_assert_eq(x->signal, SIGKILL);
	cr_assert_geq(x->ts_ns - x->start_ns, 150000000ull, "lifetime should be ~200 ms");
}

Test(exec, double_fork_parent_exits_first, .init = start, .fini = teardown, .timeout = 60)
{
	int fds[2], st;
	pid_t child, grandchild = 0;
	const struct fmt_exec *e;

	cr_assert_eq(pipe(fds), 0);
	child = fork();
	if (child == 0) {
		pid_t g = fork();
		if (g == 0) {
			const char *argv[] = { "true", "orphan", NULL };
			usleep(200000); /* let the parent exit first */
			execv("/bin/true", (char *const *)argv);
			_exit(127);
		}
		if (write(fds[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(0);
	}
	cr_assert_eq(read(fds[0], &grandchild, sizeof(grandchild)), (ssize_t)sizeof(grandchild));
	cr_assert_eq(waitpid(child, &st, 0), child);
	for (int i = 0; i < 300 && kill(grandchild, 0) == 0; i++)
		usleep(10000); /* reaped by init or a subreaper, not us */
	usleep(100000);
	finish();
	e = capture_exec_by_pid(&xt.cap, (uint32_t)grandchild);
	cr_assert_not_null(e, "orphan's exec not recorded");
	cr_assert_str_eq(e->argv[1], "orphan");
	cr_assert_neq(e->ppid, (uint32_t)child, "the orphan was reparented before its exec");
	cr_assert_not_null(capture_exit_by_pid(&xt.cap, (uint32_t)child));
	cr_assert_not_null(capture_exit_by_pid(&xt.cap, (uint32_t)grandchild));
}

Test(exec, sigkill_leaves_readable_unclean_file, .init = start, .fini = teardown,
     .timeout = 60)
{
	const char *argv[] = { "true", "before-kill", NULL };
	int st;
	pid_t pid = run("/bin/true", argv, &st);

	usleep(1500000); /* a flush happens at least once a second */
	st = recorder_stop(&xt.rec, SIGKILL);
	cr_assert(WIFSIGNALED(st));
	capture_load(&xt.cap, xt.rec.path);
	cr_assert_not(xt.cap.clean, "a killed session must not look clean");
	cr_assert_not_null(capture_exec_by_pid(&xt.cap, (uint32_t)pid),
			   "an exec flushed before the kill is lost");
}

Test(exec, sigterm_closes_cleanly, .init = start, .fini = teardown, .timeout = 60)
{
	int st = recorder_stop(&xt.rec, SIGTERM);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&xt.cap, xt.rec.path);
	cr_assert(xt.cap.clean);
}
