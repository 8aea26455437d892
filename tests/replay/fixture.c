/* fixture.c - see fixture.h.
 *
 * alpha (wall clock = boot + 1699999990 s, so boot 10 s = 2023-11-14
 * 22:13:20 UTC): make runs two cc, one of which is killed, and a command
 * that is not found; a TCP flow in two intervals, a DNS query out, an
 * ICMPv6 echo in. beta (wall = boot + 1699999995.25 s): an ls at boot 5 s,
 * i.e. 0.25 s after alpha's start, and one UDP flow.
 *
 * owned (format 1.1, wall = boot + 1700000000 s, recorded from boot 1 s to
 * 6 s): a process table of systemd (1), sshd (600), cron (650, exits at
 * 4 s) and bash (500), all started before; bash's children: 700 looks wc up in PATH (3 failures,
 * then /usr/bin/wc with an empty and a blank argument), 701 curl with
 * hostile arguments (bytes that are not UTF-8, markup, control bytes, a
 * right-to-left override) whose forked child 702 sends on its socket, and
 * 703 that finds no "nope" in two places and exits 127. Flows (eth0, 1 s
 * intervals): 701 sent 3 packets / 180 bytes and received 5 / 4000 then
 * 2 / 3000; 702 sent 2 / 120; sshd sent 4 / 400 and received 4 / 300; one
 * ICMP packet of 60 bytes arrived for no local socket.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "fmt.h"
#include "tmpdir.h"

char *out, *err;
int rc;

static char dir[64];

void fini(void)
{
	free(out);
	free(err);
	out = err = NULL;
}

void fixture_exec(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid,
		     uint32_t uid, const char *comm, const char *pcomm, const char *file, int ret,
		     const char *const *argv)
{
	struct fmt_exec e = { .ts_ns = ts, .pid = pid, .tid = pid, .ppid = ppid, .uid = uid,
			      .gid = uid, .cgroup_id = 7, .ret = ret, .comm = comm,
			      .pcomm = pcomm, .filename = file, .argv = argv };
	while (argv[e.argc])
		e.argc++;
	cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
}

void fixture_flow(struct fmt_writer *w, uint64_t ts, int dir_, int fam, int proto,
		     const char *src, int sport, const char *dst, int dport, uint64_t pk,
		     uint64_t by)
{
	struct fmt_flow f = { .ts_ns = ts, .interval_ns = S, .packets = pk, .bytes = by };
	f.key.ifindex = 2;
	f.key.dir = (uint8_t)dir_;
	f.key.family = (uint8_t)fam;
	f.key.proto = (uint8_t)proto;
	inet_pton(fam == 4 ? 2 /* AF_INET */ : 10 /* AF_INET6 */, src, f.key.src);
	inet_pton(fam == 4 ? 2 : 10, dst, f.key.dst);
	f.key.sport = (uint16_t)sport;
	f.key.dport = (uint16_t)dport;
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
}

/* fixture_writer with writer options (NULL: the defaults) */
static struct fmt_writer *writer_opts(const char *path, const char *host, const char *offset,
				      uint64_t start_ns, uint64_t end_ns,
				      const struct fmt_writer_opts *opts)
{
	struct fmt_writer *w;
	char *err;

	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, opts, &w, &err), 0);
	fmt_writer_set_meta(w, "hostname", host);
	fmt_writer_set_meta(w, "kernel_release", "6.1.0-test");
	fmt_writer_set_meta(w, "clock_offset_ns", offset);
	fmt_writer_set_meta_u64(w, "start_ns", start_ns);
	fmt_writer_set_meta_u64(w, "end_ns", end_ns);
	fmt_writer_set_meta(w, "interfaces",
			    "[{\"index\":2,\"name\":\"eth0\",\"addresses\":[],\"ingress\":\"xdp-native\","
			    "\"egress\":\"tcx\",\"gone\":false}]");
	return w;
}

struct fmt_writer *fixture_writer(const char *path, const char *host, const char *offset,
				  uint64_t start_ns, uint64_t end_ns)
{
	return writer_opts(path, host, offset, start_ns, end_ns, NULL);
}

static void make(void)
{
	char path[128];
	struct fmt_writer *w;
	char *err;

	if (dir[0])
		return;
	cr_assert_not_null(tmpdir_make(dir, sizeof(dir), "ebpfreport-golden"));

	snprintf(path, sizeof(path), "%s/alpha.db", dir);
	w = fixture_writer(path, "alpha", "1699999990000000000", 10 * S, 13 * S);
	fixture_exec(w, 10 * S, 100, 1, 1000, "make", "bash", "/usr/bin/make", 0,
		 (const char *[]){ "make", "-j2", NULL });
	fixture_exec(w, 10 * S + S / 2, 101, 100, 1000, "cc", "make", "/usr/bin/cc", 0,
		 (const char *[]){ "cc", "-c", "a.c", NULL });
	fixture_exec(w, 11 * S, 102, 100, 1000, "cc", "make", "/usr/bin/cc", 0,
		 (const char *[]){ "cc", "-c", "b c.c", NULL });
	fixture_exec(w, 11 * S + S / 5, 103, 100, 0, "make", "make", "/bin/nope", -2,
		 (const char *[]){ "nope", NULL });
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 11 * S + S / 2,
								   .start_ns = 10 * S + S / 2,
								   .pid = 101, .ppid = 100 }),
		     0);
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 12 * S, .start_ns = 11 * S,
								   .pid = 102, .ppid = 100,
								   .signal = 9 }),
		     0);
	fixture_flow(w, 11 * S, 0, 4, 6, "10.0.0.1", 443, "10.0.0.2", 5000, 10, 1000);
	fixture_flow(w, 12 * S, 0, 4, 6, "10.0.0.1", 443, "10.0.0.2", 5000, 5, 500);
	fixture_flow(w, 12 * S, 1, 4, 17, "10.0.0.2", 53000, "10.0.0.53", 53, 2, 140);
	fixture_flow(w, 12 * S, 0, 6, 58, "fd00::1", 128, "fd00::2", 0, 1, 100);
	cr_assert_eq(fmt_writer_close(w, &err), 0);

	snprintf(path, sizeof(path), "%s/beta.db", dir);
	w = fixture_writer(path, "beta", "1699999995250000000", 5 * S, 8 * S);
	fixture_exec(w, 5 * S, 200, 1, 1000, "ls", "bash", "/usr/bin/ls", 0,
		 (const char *[]){ "ls", "-l", NULL });
	fixture_flow(w, 6 * S, 1, 4, 17, "10.0.1.5", 40000, "10.0.0.53", 53, 3, 210);
	cr_assert_eq(fmt_writer_close(w, &err), 0);
}

const char *fixture_alpha(void)
{
	static char p[128];
	make();
	snprintf(p, sizeof(p), "%s/alpha.db", dir);
	return p;
}

const char *fixture_dir(void)
{
	make();
	return dir;
}

const char *fixture_beta(void)
{
	static char p[128];
	make();
	snprintf(p, sizeof(p), "%s/beta.db", dir);
	return p;
}

const char *fixture_path(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%d-%s", fixture_dir(), getpid(), name);
	unlink(buf[k]);
	return buf[k];
}

const char *fixture_busy(void)
{
	const char *p = fixture_path("busy.db");
	struct fmt_writer *w = fixture_writer(p, "b", "1700000000000000000", 1 * S, 9 * S);
	char comm[16], src[32];
	uint64_t ts = S;

	for (int c = 0; c < 25; c++) {
		snprintf(comm, sizeof(comm), "cmd%02d", c);
		for (int k = 0; k < 1 + (c * 7) % 13; k++)
			fixture_exec(w, ts += 1000, 100 + (uint32_t)c, 1, 0, comm, "sh", "/bin/x", 0,
				     (const char *[]){ comm, NULL });
	}
	for (int f = 0; f < 15; f++) {
		snprintf(src, sizeof(src), "10.1.0.%d", f + 1);
		fixture_flow(w, 2 * S, f % 2, 4, 17, src, 1000 + f, "10.2.0.1", 53, 100 + f * 37 % 101,
			     1000);
		fixture_flow(w, 3 * S, f % 2, 4, 17, src, 1000 + f, "10.2.0.1", 53, 3, 100);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

char *fixture_slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	cr_assert_not_null(f);
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	buf[len] = 0;
	fclose(f);
	if (len_out)
		*len_out = len;
	return buf;
}

int report_runf(char **out, char **err, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	free(*out);
	free(*err);
	return report_run(cmd, out, err);
}

int report_run(const char *args, char **out, char **err)
{
	char cmd[4096], o[128], e[128];
	int st;

	make();
	snprintf(o, sizeof(o), "%s/out.%d", dir, getpid());
	snprintf(e, sizeof(e), "%s/err.%d", dir, getpid());
	snprintf(cmd, sizeof(cmd), "TZ=UTC %s %s >%s 2>%s", EBPFREPORT_BIN, args, o, e);
	st = system(cmd);
	*out = fixture_slurp(o, NULL);
	*err = fixture_slurp(e, NULL);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

void fixture_proc(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		  const char *comm, const char *exe, const char *cwd, const char *const *argv)
{
	struct fmt_proc p = { .ts_ns = ts, .start_ns = start, .cgroup_id = 7, .pid = pid,
			      .ppid = ppid, .uid = pid == 500 ? 1000 : 0, .comm = comm, .exe = exe,
			      .argv = argv, .cwd = cwd };
	while (argv[p.argc])
		p.argc++;
	cr_assert_eq(fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_PROC, .proc = p }),
		     0);
}

void fixture_exec_at(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid,
		     uint64_t start, const char *comm, const char *file, int ret, const char *cwd,
		     const char *const *argv)
{
	struct fmt_exec e = { .ts_ns = ts, .pid = pid, .tid = pid, .ppid = ppid, .uid = 1000,
			      .gid = 1000, .cgroup_id = 7, .ret = ret, .comm = comm, .pcomm = "bash",
			      .filename = file, .argv = argv, .cwd = cwd, .start_ns = start };
	while (argv[e.argc])
		e.argc++;
	cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
}

void fixture_exit(struct fmt_writer *w, uint64_t ts, uint32_t pid, uint32_t ppid, uint64_t start,
		  uint32_t code, uint32_t sig)
{
	struct fmt_exit x = { .ts_ns = ts, .start_ns = start, .pid = pid, .ppid = ppid,
			      .exit_code = code, .signal = sig };
	cr_assert_eq(fmt_writer_append_exit(w, &x), 0);
}

void fixture_owned_flow(struct fmt_writer *w, uint64_t ts, int dir_, uint32_t pid, uint64_t start,
			int lport, int rport, uint64_t pk, uint64_t by)
{
	struct fmt_flow f = { .ts_ns = ts, .interval_ns = S, .packets = pk, .bytes = by,
			      .owner = { .pid = pid, .start_ns = start, .cgroup_id = pid ? 7 : 0 } };
	const char *l = "10.0.0.2", *r = "10.0.0.9";

	f.key.ifindex = 2;
	f.key.dir = (uint8_t)dir_;
	f.key.family = 4;
	f.key.proto = 6;
	inet_pton(2 /* AF_INET */, dir_ ? l : r, f.key.src);
	inet_pton(2, dir_ ? r : l, f.key.dst);
	f.key.sport = (uint16_t)(dir_ ? lport : rport);
	f.key.dport = (uint16_t)(dir_ ? rport : lport);
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
}

const char *fixture_owned(void)
{
	static char p[128];
	const char *wc[] = { "wc", "-l", "", "  ", NULL };
	const char *curl[] = { "curl", "\xff\xfeok", "<script>alert(1)</script>", "a\nb\x1b[31m",
			       "\xe2\x80\xae" "evil", "it's", NULL };
	struct fmt_writer *w;

	make();
	snprintf(p, sizeof(p), "%s/owned.db", dir);
	if (access(p, F_OK) == 0)
		return p;
	w = fixture_writer(p, "owned", "1700000000000000000", 1 * S, 6 * S);
	fmt_writer_set_meta(w, "owners", "sockets");
	fixture_proc(w, S, 1, 0, S / 10, "systemd", "/usr/lib/systemd/systemd", "/",
		     (const char *[]){ "/sbin/init", NULL });
	fixture_proc(w, S, 650, 1, 3 * S / 10, "cron", "/usr/sbin/cron", "/",
		     (const char *[]){ "/usr/sbin/cron", "-f", NULL });
	fixture_proc(w, S, 500, 1, S / 2, "bash", "/usr/bin/bash", "/home/u",
		     (const char *[]){ "-bash", NULL });
	fixture_proc(w, S, 600, 1, S / 5, "sshd", "/usr/sbin/sshd", "/",
		     (const char *[]){ "sshd: u [priv]", NULL });
	fixture_exec_at(w, 2 * S, 700, 500, 19 * S / 10, "bash", "/usr/local/sbin/wc", -2, "/home/u", wc);
	fixture_exec_at(w, 2 * S + 1000000, 700, 500, 19 * S / 10, "bash", "/usr/local/bin/wc", -2,
			"/home/u", wc);
	fixture_exec_at(w, 2 * S + 2000000, 700, 500, 19 * S / 10, "bash", "/usr/sbin/wc", -13,
			"/home/u", wc);
	fixture_exec_at(w, 2 * S + 3000000, 700, 500, 19 * S / 10, "wc", "/usr/bin/wc", 0, "/home/u", wc);
	fixture_exec_at(w, 2 * S + S / 2, 701, 500, 24 * S / 10, "curl", "/usr/bin/curl", 0, "/tmp",
			curl);
	fixture_exec_at(w, 3 * S, 703, 500, 29 * S / 10, "bash", "/usr/bin/nope", -2, "/home/u",
			(const char *[]){ "nope", NULL });
	fixture_exec_at(w, 3 * S + 1000000, 703, 500, 29 * S / 10, "bash", "/bin/nope", -2, "/home/u",
			(const char *[]){ "nope", NULL });
	fixture_exit(w, 2 * S + 8 * S / 10, 700, 500, 19 * S / 10, 0, 0);
	fixture_exit(w, 3 * S + S / 10, 703, 500, 29 * S / 10, 127, 0);
	fixture_exit(w, 4 * S, 650, 1, 3 * S / 10, 0, 0);
	fixture_exit(w, 4 * S + S / 2, 702, 701, 32 * S / 10, 0, 0);
	fixture_exit(w, 5 * S, 701, 500, 24 * S / 10, 0, 15);
	fixture_owned_flow(w, 3 * S, 1, 701, 24 * S / 10, 40000, 443, 3, 180);
	fixture_owned_flow(w, 3 * S, 0, 701, 24 * S / 10, 40000, 443, 5, 4000);
	fixture_owned_flow(w, 3 * S, 1, 600, S / 5, 22, 50000, 4, 400);
	fixture_owned_flow(w, 3 * S, 0, 600, S / 5, 22, 50000, 4, 300);
	fixture_owned_flow(w, 4 * S, 1, 702, 32 * S / 10, 40000, 443, 2, 120);
	fixture_owned_flow(w, 4 * S, 0, 701, 24 * S / 10, 40000, 443, 2, 3000);
	fixture_owned_flow(w, 5 * S, 0, 0, 0, 0, 0, 1, 60);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

/* A session of varied execs and flows: a clock offset that puts the first
 * records before 1970 (wall times clamped to 0), strings of 127, 128 and
 * 300 bytes and with bytes above 0x7f, working directories and start times
 * on some execs, no arguments on one, IPv4, IPv6 and a protocol without a
 * name, on two interfaces (one the file does not name). */
const char *fixture_varied(void)
{
	static char p[4096];
	struct fmt_writer *w;
	char s127[128], s128[129], s300[301], hi[8] = "caf\xc3\xa9\xff";
	const char *none[] = { NULL };

	if (p[0])
		return p;
	snprintf(p, sizeof(p), "%s/varied.ebpfrec", fixture_dir());
	/* chunks of 500 records: six of each stream */
	w = writer_opts(p, "varied", "-3000000000", 1 * S, 900 * S,
			&(struct fmt_writer_opts){ .chunk_records = 500, .chunk_span_ns = 3600 * S });
	memset(s127, 'a', 127), s127[127] = 0;
	memset(s128, 'b', 128), s128[128] = 0;
	memset(s300, 'c', 300), s300[300] = 0;
	for (uint32_t i = 0; i < 3000; i++) {
		const char *argv[] = { i % 5 ? "make" : s300, i % 3 ? "-j2" : hi, s127 + i % 10, NULL };
		uint64_t ts = (1 + i / 10) * S + i;
		if (i % 7 == 3)
			fixture_exec_at(w, ts, 100 + i, 1, ts - 5, i % 2 ? "sh" : s128, "/bin/sh", i % 4,
					i % 3 ? "/tmp" : NULL, argv);
		else if (i % 11 == 5)
			fixture_exec(w, ts, 100 + i, 1, 1000, "true", hi, "/bin/true", 0, none);
		else
			fixture_exec(w, ts, 100 + i, 1, 1000 + i % 3, i % 2 ? "make" : hi,
				     i % 4 ? "bash" : "make", /* not the command line's */
				     i % 9 ? "/usr/bin/make" : s300, -(int)(i % 3), argv);
	}
	for (uint32_t i = 0; i < 3000; i++) { /* 97 flows, an interval each 97 rows */
		char src[64], dst[64];
		uint32_t k = i % 97;
		int v6 = k % 4 == 0;
		snprintf(src, sizeof(src), v6 ? "fd00::%x" : "10.0.%u.%u", k / 20, k % 20);
		snprintf(dst, sizeof(dst), v6 ? "fd00::1:%x" : "10.9.0.%u", k % 50);
		struct fmt_flow f = { .ts_ns = (1 + i / 97) * S, .interval_ns = S,
				      .packets = 1 + i % 300, .bytes = 60 + i * 7 };
		f.key.ifindex = 2 + k % 2; /* eth0, and one the file does not name */
		f.key.dir = (uint8_t)(k % 2);
		f.key.family = v6 ? 6 : 4;
		f.key.proto = k % 13 ? 6 : 132;
		inet_pton(v6 ? AF_INET6 : AF_INET, src, f.key.src);
		inet_pton(v6 ? AF_INET6 : AF_INET, dst, f.key.dst);
		f.key.sport = (uint16_t)(1000 + k % 70);
		f.key.dport = 443;
		cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	}
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

void fixture_flow_key(uint32_t i, struct fmt_flow_key *k)
{
	*k = (struct fmt_flow_key){ .ifindex = 2 + i % 2, .dir = i % 2, .family = 4,
				    .proto = i % 3 ? 6 : 17, .sport = (uint16_t)(1000 + i % 11),
				    .dport = i % 4 ? 443 : 53 };
	k->src[0] = 10, k->src[3] = (uint8_t)(i % 17);
	k->dst[0] = 192, k->dst[3] = (uint8_t)(i % 5);
}
