/* test_hooks.c - what ebpfrec hooks for execs: failed execs through the
 * execve/execveat exit tracepoints only, never a program that runs on every
 * syscall of the host (raw_tp/sys_exit); nothing at all with --no-failed. */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recorder.h"

/* Does process pid hold (through a program or link fd) a BPF program
 * named name? Names are cut at 15 characters by the kernel. */
static int holds_program(pid_t pid, const char *name)
{
	char dir[64], path[320], line[256];
	struct dirent *d;
	DIR *fds;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	fds = opendir(dir);
	cr_assert_not_null(fds);
	while (!found && (d = readdir(fds))) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned id;
			struct bpf_prog_info info = { 0 };
			__u32 len = sizeof(info);
			int fd;
			if (sscanf(line, "prog_id: %u", &id) != 1)
				continue;
			fd = bpf_prog_get_fd_by_id(id);
			if (fd < 0)
				continue;
			if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
			    !strncmp(info.name, name, sizeof(info.name) - 1))
				found = 1;
			close(fd);
		}
		fclose(f);
	}
	closedir(fds);
	return found;
}

static void check_hooks(const char *const *args, int failed_tracepoints, int sys_exit)
{
	struct recorder rec;
	int st;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	recorder_start(&rec, rec_tmp_path("hooks.db"), args);
	cr_assert(holds_program(rec.pid, "on_exec"), "the exec program is not loaded");
	cr_assert_eq(holds_program(rec.pid, "on_sys_exit"), sys_exit, "%s",
		     sys_exit ? "--failed-hook sys-exit was not honoured" :
				"a program runs on the exit of every syscall of the host");
	cr_assert_eq(holds_program(rec.pid, "on_execve_exit"), failed_tracepoints);
	cr_assert_eq(holds_program(rec.pid, "on_execveat_exi"), failed_tracepoints);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

Test(hooks, failed_execs_hook_only_the_exec_syscalls, .timeout = 60)
{
	check_hooks(NULL, 1, 0);
}

Test(hooks, no_failed_loads_no_syscall_hook, .timeout = 60)
{
	static const char *const args[] = { "--no-failed", NULL };
	check_hooks(args, 0, 0);
}

/* The fallback, chosen by hand, still records failed execs. */
Test(hooks, sys_exit_fallback_records_failed_execs, .timeout = 60)
{
	static const char *const args[] = { "--failed-hook", "sys-exit", NULL };
	struct recorder rec;
	struct capture cap;
	const struct fmt_exec *e;
	pid_t pid;
	int st;

	check_hooks(args, 0, 1);
	recorder_start(&rec, rec_tmp_path("fallback.db"), args);
	pid = fork();
	if (pid == 0) {
		execl("/nonexistent/fallback", "fallback", "x", (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&cap, rec.path);
	e = capture_exec_by_pid(&cap, (uint32_t)pid);
	cr_assert_not_null(e, "the failed exec was not recorded");
	cr_assert_eq(e->ret, -2);
	cr_assert_str_eq(e->argv[1], "x");
	capture_free(&cap);
}
