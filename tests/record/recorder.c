/* recorder.c - see recorder.h. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "recorder.h"
#include "tmpdir.h"

static const char *next_out; /* stdout of the next recorder started (else /dev/null) */

const char *rec_tmp_path(const char *name)
{
	static char dir[128];
	static char path[256];

	if (!dir[0]) {
		cr_assert_not_null(tmpdir_make(dir, sizeof(dir), "ebpfrec-it"));
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static int attached(const char *path)
{
	struct fmt_reader *r;
	uint64_t v;
	int ok;

	if (fmt_reader_open(path, &r, NULL))
		return 0;
	ok = fmt_reader_meta_u64(r, "attached_ns", &v) == 0;
	fmt_reader_close(r);
	return ok;
}

/* Exec tests record execs only: no hooks on the host's interfaces. */
void recorder_start(struct recorder *rec, const char *path, const char *const *args)
{
	const char *with[32] = { "--no-net" };
	int n = 1;

	for (; args && *args && n < 31; args++)
		with[n++] = *args;
	with[n] = NULL;
	recorder_start_in(rec, NULL, path, with);
}

static const char *next_log; /* stderr of the next recorder started */

void recorder_start_logged(struct recorder *rec, const char *path, const char *const *args,
			   const char *log)
{
	next_log = log;
	recorder_start(rec, path, args);
	next_log = NULL;
}

void recorder_start_in_logged(struct recorder *rec, const char *ns, const char *path,
			      const char *const *args, const char *log)
{
	next_log = log;
	recorder_start_in(rec, ns, path, args);
	next_log = NULL;
}

/* Fork and exec argv (stdout to next_out or /dev/null, stderr to
 * next_log if set), then wait until ready(ctx). */
static void spawn(struct recorder *rec, const char *const *argv, int (*ready)(void *ctx),
		  void *ctx)
{
	rec->pid = fork();
	cr_assert_geq(rec->pid, 0);
	if (rec->pid == 0) {
		int devnull = next_out ? open(next_out, O_WRONLY | O_CREAT | O_TRUNC, 0600) :
					 open("/dev/null", O_WRONLY);
		/* a recorder never outlives its test, even a failed one */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		if (next_log) {
			int log = open(next_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (log >= 0)
				dup2(log, STDERR_FILENO);
		}
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	for (int i = 0; i < 2000; i++) {
		int status;
		if (waitpid(rec->pid, &status, WNOHANG) == rec->pid)
			cr_assert_fail("ebpfrec exited early with status %d", status);
		if (ready(ctx))
			return;
		usleep(10000);
	}
	kill(rec->pid, SIGKILL);
	cr_assert_fail("ebpfrec did not attach within 20 s");
}

static int attached_ready(void *path)
{
	return attached(path);
}

/* argv[0..] = [ip netns exec NS] ebpfrec; @return the count */
static int begin_argv(const char **argv, const char *ns)
{
	int n = 0;

	if (ns) {
		argv[n++] = "/usr/sbin/ip";
		argv[n++] = "netns";
		argv[n++] = "exec";
		argv[n++] = ns;
	}
	argv[n++] = EBPFREC_BIN;
	return n;
}

void recorder_start_in(struct recorder *rec, const char *ns, const char *path,
		       const char *const *args)
{
	const char *argv[40];
	int n = begin_argv(argv, ns);

	argv[n++] = "-o";
	argv[n++] = path;
	argv[n++] = "--force";
	argv[n++] = "--no-progress";
	for (; args && *args && n < 38; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	snprintf(rec->path, sizeof(rec->path), "%s", path);
	unlink(path);
	spawn(rec, argv, attached_ready, rec->path);
}

void recorder_spawn(struct recorder *rec, const char *ns, const char *const *args,
		    const char *log, int (*ready)(void *ctx), void *ctx)
{
	const char *argv[64];
	int n = begin_argv(argv, ns);

	for (; args && *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	rec->path[0] = 0;
	next_log = log;
	spawn(rec, argv, ready, ctx);
	next_log = NULL;
}

int recorder_log_ready(void *log_path)
{
	char line[1024];
	int found = 0;
	FILE *f = fopen(log_path, "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "ebpfrec: recording ") != NULL;
	if (f)
		fclose(f);
	return found;
}

int recorder_stop(struct recorder *rec, int sig)
{
	int status = 0;

	kill(rec->pid, sig);
	cr_assert_eq(waitpid(rec->pid, &status, 0), rec->pid);
	return status;
}

static char *dup_or_fail(const char *s)
{
	char *d = strdup(s);
	cr_assert_not_null(d);
	return d;
}

void capture_load(struct capture *c, const char *path)
{
	struct fmt_iter *it;
	struct fmt_event ev;
	char *err = NULL;
	size_t cap_e = 0, cap_x = 0, cap_f = 0, cap_c = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	cr_assert_eq(fmt_reader_open(path, &c->r, &err), 0, "%s", err ? err : "");
	c->clean = fmt_reader_closed_clean(c->r);
	cr_assert_eq(fmt_iter_open(&c->r, 1, FMT_STREAM_MASK_ALL, 0, UINT64_MAX, &it), 0);
	while ((rc = fmt_iter_next(it, &ev)) == 1) {
		if (ev.stream == FMT_STREAM_EXEC) {
			struct fmt_exec *e;
			char **argv;
			if (c->nexec == cap_e) {
				cap_e = cap_e ? cap_e * 2 : 1024;
				c->execs = realloc(c->execs, cap_e * sizeof(*c->execs));
				cr_assert_not_null(c->execs);
			}
			e = &c->execs[c->nexec++];
			*e = ev.exec;
			e->comm = dup_or_fail(ev.exec.comm);
			e->pcomm = dup_or_fail(ev.exec.pcomm);
			e->filename = dup_or_fail(ev.exec.filename);
			argv = calloc(ev.exec.argc + 1, sizeof(*argv));
			for (uint32_t i = 0; i < ev.exec.argc; i++)
				argv[i] = dup_or_fail(ev.exec.argv[i]);
			e->argv = (const char *const *)argv;
		} else if (ev.stream == FMT_STREAM_EXIT) {
			if (c->nexit == cap_x) {
				cap_x = cap_x ? cap_x * 2 : 1024;
				c->exits = realloc(c->exits, cap_x * sizeof(*c->exits));
				cr_assert_not_null(c->exits);
			}
			c->exits[c->nexit++] = ev.exit;
		} else if (ev.stream == FMT_STREAM_PROC || ev.stream == FMT_STREAM_CGROUP) {
			struct fmt_event *copy = malloc(sizeof(*copy) + fmt_event_extra(&ev));
			cr_assert_not_null(copy);
			fmt_event_copy(copy, &ev, copy + 1);
			if (c->nctx == cap_c) {
				cap_c = cap_c ? cap_c * 2 : 1024;
				c->ctx = realloc(c->ctx, cap_c * sizeof(*c->ctx));
				cr_assert_not_null(c->ctx);
			}
			c->ctx[c->nctx++] = copy;
		} else if (ev.stream == FMT_STREAM_FLOW) {
			if (c->nflow == cap_f) {
				cap_f = cap_f ? cap_f * 2 : 1024;
				c->flows = realloc(c->flows, cap_f * sizeof(*c->flows));
				cr_assert_not_null(c->flows);
			}
			c->flows[c->nflow++] = ev.flow;
		}
	}
	cr_assert_eq(rc, 0, "reading %s: %s", path, fmt_reader_errmsg(c->r));
	fmt_iter_free(it);
}

void capture_free(struct capture *c)
{
	for (size_t i = 0; i < c->nexec; i++) {
		free((char *)c->execs[i].comm);
		free((char *)c->execs[i].pcomm);
		free((char *)c->execs[i].filename);
		for (uint32_t a = 0; a < c->execs[i].argc; a++)
			free((char *)c->execs[i].argv[a]);
		free((void *)c->execs[i].argv);
	}
	free(c->execs);
	for (size_t i = 0; i < c->nctx; i++)
		free(c->ctx[i]);
	free(c->ctx);
	free(c->exits);
	free(c->flows);
	fmt_reader_close(c->r);
	memset(c, 0, sizeof(*c));
}

const struct fmt_proc *capture_proc_by_pid(const struct capture *c, uint32_t pid)
{
	for (size_t i = 0; i < c->nctx; i++)
		if (c->ctx[i]->stream == FMT_STREAM_PROC && c->ctx[i]->proc.pid == pid)
			return &c->ctx[i]->proc;
	return NULL;
}

const char *capture_cgroup_path(const struct capture *c, uint64_t id)
{
	const char *path = NULL;

	for (size_t i = 0; i < c->nctx; i++)
		if (c->ctx[i]->stream == FMT_STREAM_CGROUP && c->ctx[i]->cgroup.cgroup_id == id)
			path = c->ctx[i]->cgroup.path;
	return path;
}

const struct fmt_exec *capture_exec_by_pid(const struct capture *c, uint32_t pid)
{
	for (size_t i = 0; i < c->nexec; i++)
		if (c->execs[i].pid == pid)
			return &c->execs[i];
	return NULL;
}

const struct fmt_exit *capture_exit_by_pid(const struct capture *c, uint32_t pid)
{
	for (size_t i = 0; i < c->nexit; i++)
		if (c->exits[i].pid == pid)
			return &c->exits[i];
	return NULL;
}

uint64_t capture_meta_u64(const struct capture *c, const char *key)
{
	uint64_t v = 0;
	cr_assert_eq(fmt_reader_meta_u64(c->r, key, &v), 0, "meta %s missing", key);
	return v;
}

void recorder_start_printing(struct recorder *rec, const char *path, const char *const *args,
			     const char *out)
{
	next_out = out;
	recorder_start(rec, path, args);
	next_out = NULL;
}
