/* test_cli.c - ebpfrec's command line: one clear line and a non-zero exit for
 * every bad input, nothing left behind, and what --print writes. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recorder.h"
#include "tmpdir.h"

/* Run ebpfrec with args (as uid if uid >= 0); @return exit status, stderr in err. */
static int run_rec(const char *const *args, int uid, char *err, size_t len)
{
	int fds[2], st;
	const char *argv[16] = { EBPFREC_BIN };
	int n = 1;
	ssize_t got;
	pid_t pid;

	for (; *args && n < 15; args++)
		argv[n++] = *args;
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		if (uid >= 0 && (setgid((gid_t)uid) || setuid((uid_t)uid)))
			_exit(99);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t used = 0;
	while (used < len - 1 && (got = read(fds[0], err + used, len - 1 - used)) > 0)
		used += (size_t)got;
	err[used] = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void expect(const char *const *args, int uid, int code, const char *words)
{
	char err[4096];
	int rc = run_rec(args, uid, err, sizeof(err));

	cr_assert_eq(rc, code, "exit %d (expected %d): %s", rc, code, err);
	cr_assert_not_null(strstr(err, words), "stderr lacks '%s': %s", words, err);
}

Test(cli, bad_option_values)
{
	expect((const char *[]){ "--duration", "-3", NULL }, -1, 2, "--duration");
	expect((const char *[]){ "--ringbuf-size", "5000", NULL }, -1, 2, "power of two");
	expect((const char *[]){ "--max-args", "0", NULL }, -1, 2, "--max-args");
	expect((const char *[]){ "--uid", "abc", NULL }, -1, 2, "--uid");
	expect((const char *[]){ "--comm", "a-very-long-command-name", NULL }, -1, 2, "--comm");
	expect((const char *[]){ "--frobnicate", NULL }, -1, 2, "frobnicate");
	expect((const char *[]){ "--no-exec", "--no-net", NULL }, -1, 2, "nothing to record");
}

Test(cli, output_problems)
{
	const char *existing = strdup(rec_tmp_path("exists.db"));
	FILE *f = fopen(existing, "w");

	fclose(f);
	expect((const char *[]){ "-o", existing, "--duration", "1", NULL }, -1, 1, "--force");
	expect((const char *[]){ "-o", "/nonexistent-dir/x.db", "--duration", "1", NULL }, -1, 1,
	       "No such file or directory");
	free((void *)existing);
}

static char *slurp_small(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "%s is gone", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The /tmp attacks: -o through a symlink someone planted, or --force over
 * someone else's file in a world-writable directory. Both refused, and the
 * victim files are untouched. */
Test(cli, output_never_through_symlinks_or_over_foreign_files, .timeout = 60)
{
	char dir[64], victim[128], link[128], planted[128];
	FILE *f;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	cr_assert_not_null(tmpdir_make(dir, sizeof(dir), "ebpfrec-shared"));
	cr_assert_eq(chmod(dir, 01777), 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(link, sizeof(link), "%s/session.db", dir);
	snprintf(planted, sizeof(planted), "%s/planted.db", dir);
	f = fopen(victim, "w");
	fputs("victim data", f);
	fclose(f);
	cr_assert_eq(symlink(victim, link), 0);
	f = fopen(planted, "w");
	fputs("someone else's", f);
	fclose(f);
	cr_assert_eq(chown(planted, 65534, 65534), 0);

	expect((const char *[]){ "-o", link, "--duration", "1", NULL }, -1, 1, "exists");
	expect((const char *[]){ "-o", link, "--duration", "1", "--force", NULL }, -1, 1,
	       "not a regular file");
	cr_assert_str_eq(slurp_small(victim), "victim data");
	expect((const char *[]){ "-o", planted, "--duration", "1", "--force", NULL }, -1, 1,
	       "world-writable");
	cr_assert_str_eq(slurp_small(planted), "someone else's");
	/* ebpfreport's outputs are created the same way */
	char cmd[1024], mine[256];
	snprintf(mine, sizeof(mine), "%s", rec_tmp_path("mine.db"));
	snprintf(cmd, sizeof(cmd), "%s -o %s --no-net --duration 1 --no-progress", EBPFREC_BIN, mine);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s export %s --format jsonl -o %s -f 2>/dev/null", EBPFREPORT_BIN,
		 mine, planted);
	cr_assert_neq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s slice %s -o %s -f 2>/dev/null", EBPFREPORT_BIN, mine, planted);
	cr_assert_neq(system(cmd), 0);
	cr_assert_str_eq(slurp_small(planted), "someone else's");
}

Test(cli, not_root)
{
	expect((const char *[]){ "-o", "/tmp/never.db", NULL }, 65534, 1, "CAP_BPF");
	cr_assert_neq(access("/tmp/never.db", F_OK), 0, "no file may be left behind");
}

Test(cli, help_and_version)
{
	char out[8192];
	int rc = run_rec((const char *[]){ "--version", NULL }, -1, out, sizeof(out));

	cr_assert_eq(rc, 0);
	expect((const char *[]){ "--help", NULL }, -1, 0, "");
}

Test(cli, file_is_private_and_given_to_sudo_user, .timeout = 60)
{
	const char *path = strdup(rec_tmp_path("owned.db"));
	char err[4096];
	struct stat st;
	int rc;

	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "65534", 1);
	rc = run_rec((const char *[]){ "-o", path, "--duration", "0.5", "--no-progress", NULL }, -1,
		     err, sizeof(err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(st.st_uid, 65534u);
	cr_assert_eq(st.st_gid, 65534u);
	free((void *)path);
}

/* A whole (small) file, NUL-terminated (malloc'd). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	cr_assert_not_null(f);
	cr_assert_not_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* --print writes, as it records, the lines `ebpfreport replay` writes for
 * the file afterwards: one renderer (fmt_text_event), one clock offset. */
Test(cli, print_lines_are_the_replay_lines, .timeout = 60)
{
	static const char *const args[] = { "--print", "--comm", "printlinexyz", NULL };
	char prog[256], out[256], cmd[1024], line[4096], *printed;
	char *const argv[] = { "printlinexyz", "a b", "", "it's", NULL };
	struct recorder rec;
	FILE *f;
	int st, n = 0;

	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	snprintf(prog, sizeof(prog), "%s", rec_tmp_path("printlinexyz"));
	snprintf(out, sizeof(out), "%s", rec_tmp_path("print.out"));
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	cr_assert_eq(system(cmd), 0);
	recorder_start_printing(&rec, rec_tmp_path("print.db"), args, out);
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			execv(prog, argv);
			_exit(127);
		}
		cr_assert_eq(waitpid(pid, &st, 0), pid);
	}
	usleep(200000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ebpfrec ended with status %d", st);
	printed = slurp(out);
	snprintf(cmd, sizeof(cmd), "%s replay %s", EBPFREPORT_BIN, rec.path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		cr_assert_not_null(strstr(printed, line), "--print lacks the replay line\n%s in\n%s",
				   line, printed);
		if (strstr(line, " exec ") || strstr(line, " exit ")) /* not the cgroup names */
			n++;
	}
	cr_assert_eq(pclose(f), 0);
	free(printed);
	cr_assert_eq(n, 6, "3 execs and 3 exits expected, replay gave %d lines", n);
	cr_assert_not_null(strstr(line, " exit "), "%s", line);
}
