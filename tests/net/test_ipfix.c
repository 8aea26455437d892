/* test_ipfix.c - issue 19's acceptance: a session the real ebpfrec
 * recorded (IPv4 and IPv6 UDP, TCP, ICMP and ICMPv6, and non-IP frames
 * between two namespaces the test makes) replayed with --ipfix and with
 * --netflow9 into Debian's nfcapd, listening on the loopback of the
 * receiving namespace; what `nfdump -o csv` reads back must equal, flow
 * by flow and row by row, what `ebpfreport top --by flow --json` and the
 * jsonl export say. Root; nfdump from scripts/setup.sh --tests. */
#define _GNU_SOURCE /* asprintf, getdelim */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../record/recorder.h"
#include "../replay/json_path.h"
#include "netns.h"
#include "tmpdir.h"

#define NFCAPD "/usr/bin/nfcapd"
#define NFDUMP "/usr/bin/nfdump"
#define MAX_ROWS 4096

static struct netpair np;
static char dir[64]; /* this test's files */
static pid_t collector; /* nfcapd while it runs */

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	cr_assert_eq(access(NFCAPD, X_OK) | access(NFDUMP, X_OK), 0,
		     "nfdump is not installed (scripts/setup.sh --tests installs it)");
	cr_assert_not_null(tmpdir_make(dir, sizeof(dir), "ebpfrec-ipfix"));
	netpair_up(&np);
}

static void teardown(void)
{
	if (collector > 0 && kill(collector, SIGKILL) == 0) /* a test failed while it ran */
		waitpid(collector, NULL, 0);
	collector = 0;
	netpair_down(&np);
}

/* Run a command, which must succeed; @return its whole stdout (malloc'd). */
static char *output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *output(const char *fmt, ...)
{
	char cmd[2048], *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_not_null(f = popen(cmd, "r"));
	if (getdelim(&buf, &len, 0, f) < 0) { /* no output (buf may be allocated) */
		free(buf);
		buf = strdup("");
	}
	st = pclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "failed (%d): %s", st, cmd);
	return buf;
}

/* Record the test's traffic on B's side of the pair; @return the path. */
static const char *record(void)
{
	static char path[128];
	const char *args[] = { "--no-exec", "-i", np.if_b, "--interval", "200ms", NULL };
	struct recorder rec;
	char cmd[512], line[32];
	FILE *server;
	int st;

	snprintf(path, sizeof(path), "%s/session.db", dir);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s tcpserve 5001", np.ns_b, NETGEN_BIN);
	server = popen(cmd, "r");
	cr_assert_not_null(fgets(line, sizeof(line), server), "tcp server did not start");
	recorder_start_in(&rec, np.ns_b, path, args);
	ns_run(np.ns_a, "%s udp 10.99.0.2 20000 50 3", NETGEN_BIN);
	ns_run(np.ns_a, "%s udp fd99::2 30000 20 2", NETGEN_BIN);
	ns_run(np.ns_a, "%s tcp 10.99.0.2 5001 20", NETGEN_BIN);
	/* 2 ms apart: the echo flows span several 200 ms intervals, rows */
	ns_run(np.ns_a, "%s icmp 10.99.0.2 200", NETGEN_BIN);
	ns_run(np.ns_a, "%s icmp fd99::2 200", NETGEN_BIN);
	ns_run(np.ns_a, "%s raw %s %s trunc 5", NETGEN_BIN, np.if_a,
	       netpair_mac(np.ns_b, np.if_b)); /* not IP: left out, counted */
	pclose(server);
	usleep(500000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	return path;
}

/* nfcapd on 127.0.0.1:port inside B, writing into d; @return its pid once
 * it listens. */
static pid_t nfcapd_start(const char *d, int port)
{
	char log[160], cmd[256];
	pid_t pid;

	snprintf(log, sizeof(log), "%s.log", d);
	cr_assert_eq(mkdir(d, 0700), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	collector = pid;
	if (pid == 0) {
		char p[8];
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		snprintf(p, sizeof(p), "%d", port);
		/* ip netns exec execs nfcapd: pid is nfcapd's */
		execl("/usr/sbin/ip", "ip", "netns", "exec", np.ns_b, NFCAPD, "-b", "127.0.0.1", "-p",
		      p, "-w", d, (char *)NULL);
		_exit(127);
	}
	snprintf(cmd, sizeof(cmd), "ip netns exec %s ss -Hlun 'sport = :%d'", np.ns_b, port);
	for (int i = 0; i < 200; i++) {
		char *s = output("%s", cmd);
		int up = strstr(s, "127.0.0.1") != NULL;
		free(s);
		if (up)
			return collector = pid;
		cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "nfcapd exited (see %s)", log);
		usleep(50000);
	}
	cr_assert_fail("nfcapd does not listen after 10 s (see %s)", log);
	return -1;
}

/* SIGTERM: nfcapd writes its file and exits */
static void nfcapd_stop(pid_t pid)
{
	int st;

	cr_assert_eq(kill(pid, SIGTERM), 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	collector = 0;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "nfcapd status %d", st);
}

static int proto_number(const char *s)
{
	static const struct {
		const char *name;
		int n;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "icmp6", 58 } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].n;
	if (!strncmp(s, "ip", 2))
		s += 2;
	return atoi(s);
}

/* A flow as both sides can say it: nfdump shows ICMP's type and code as
 * destination port type * 256 + code, and source port 0. */
static void flow_key(char *buf, size_t len, int dir, int proto, const char *src, long sport,
		     const char *dst, long dport)
{
	if (proto == 1 || proto == 58) {
		dport = sport << 8 | dport;
		sport = 0;
	}
	snprintf(buf, len, "%s %d %s %ld %s %ld", dir ? "out" : "in", proto, src, sport, dst, dport);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of text, split in place. @return their count. */
static size_t lines(char *text, char **v, size_t max)
{
	size_t n = 0;
	char *save, *l;

	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_assert_lt(n, max);
		v[n++] = l;
	}
	return n;
}

/* CSV field i of line l (nfdump's fields have no commas in them) */
static const char *field(const char *l, int i, char *buf, size_t len)
{
	const char *p = l, *e;

	while (i-- > 0) {
		cr_assert_not_null(p = strchr(p, ','), "short line: %s", l);
		p++;
	}
	e = strchr(p, ',');
	snprintf(buf, len, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return buf;
}

/* nfdump -o csv: 3 sa, 4 da, 5 sp, 6 dp, 7 pr, 11 ipkt, 12 ibyt, 15 in,
 * 16 out, 22 dir */
static char *nfdump_row(const char *l)
{
	char sa[64], da[64], sp[16], dp[16], pr[16], pk[32], by[32], in[16], out[16], dir[8];
	char key[256], *row;
	int d = atoi(field(l, 22, dir, sizeof(dir)));

	flow_key(key, sizeof(key), d, proto_number(field(l, 7, pr, sizeof(pr))),
		 field(l, 3, sa, sizeof(sa)), atol(field(l, 5, sp, sizeof(sp))),
		 field(l, 4, da, sizeof(da)), atol(field(l, 6, dp, sizeof(dp))));
	cr_assert(asprintf(&row, "%s if %s pk %s by %s", key,
			   field(l, d ? 16 : 15, d ? out : in, sizeof(in)), field(l, 11, pk, sizeof(pk)),
			   field(l, 12, by, sizeof(by))) > 0);
	cr_assert_str_eq(field(l, d ? 15 : 16, in, sizeof(in)), "0", "the other interface: %s", l);
	return row;
}

/* one row of the jsonl export, as nfdump_row says it */
static char *export_row(const char *l, int *ip)
{
	char fam[8], pr[16], src[64], dst[64], sp[16], dp[16], dir[16], ifx[16], pk[32], by[32];
	char key[256], *row;

	cr_assert_eq(json_path(l, "family", fam, sizeof(fam)), 1, "%s", l);
	*ip = !strcmp(fam, "4") || !strcmp(fam, "6");
	if (!*ip)
		return NULL;
	json_path(l, "proto", pr, sizeof(pr));
	json_path(l, "src", src, sizeof(src));
	json_path(l, "dst", dst, sizeof(dst));
	json_path(l, "sport", sp, sizeof(sp));
	json_path(l, "dport", dp, sizeof(dp));
	json_path(l, "dir", dir, sizeof(dir));
	json_path(l, "ifindex", ifx, sizeof(ifx));
	json_path(l, "packets", pk, sizeof(pk));
	json_path(l, "bytes", by, sizeof(by));
	flow_key(key, sizeof(key), !strcmp(dir, "egress"), proto_number(pr), src, atol(sp), dst,
		 atol(dp));
	cr_assert(asprintf(&row, "%s if %s pk %s by %s", key, ifx, pk, by) > 0);
	return row;
}

static void check_collector(const char *session, const char *opt, int port)
{
	char d[96], key[256], v[6][64], path[128];
	char **got = calloc(MAX_ROWS, sizeof(char *)), **want = calloc(MAX_ROWS, sizeof(char *));
	char *nf, *ex, *top, *sum, *l[MAX_ROWS];
	size_t ngot, nex, nwant = 0, nother = 0, nflows = 0, nnf;
	uint64_t other_pk = 0;
	pid_t pid;
	int ip;

	snprintf(d, sizeof(d), "%s/%s", dir, opt);
	pid = nfcapd_start(d, port);
	sum = output("ip netns exec %s %s replay %s --%s 127.0.0.1:%d 2>&1", np.ns_b,
		     EBPFREPORT_BIN, session, opt, port);
	nfcapd_stop(pid);

	/* every IP row a record, the others left out and counted */
	ex = output("%s export %s --format jsonl --type flow", EBPFREPORT_BIN, session);
	nex = lines(ex, l, MAX_ROWS);
	for (size_t i = 0; i < nex; i++) {
		char *row = export_row(l[i], &ip);
		if (ip) {
			want[nwant++] = row;
		} else {
			nother++;
			json_path(l[i], "packets", v[0], sizeof(v[0]));
			other_pk += strtoull(v[0], NULL, 10);
		}
	}
	cr_assert_geq(nwant, 70, "the session has its rows: 50 + 20 UDP flows and more");
	cr_assert_gt(nother, 0, "and rows of non-IP frames");
	snprintf(key, sizeof(key), "sent %zu flow records in ", nwant);
	cr_assert(strstr(sum, key), "%s", sum);
	snprintf(key, sizeof(key), "left out %zu row%s without IP addresses (%zu non-IP, 0 flow-table "
				   "overflow): %llu packets",
		 nother, nother == 1 ? "" : "s", nother, (unsigned long long)other_pk);
	cr_assert(strstr(sum, key), "want '%s' in: %s", key, sum);

	/* what nfcapd stored: exactly those rows */
	nf = output("%s -R %s -q -N -o csv", NFDUMP, d);
	nnf = lines(nf, l, MAX_ROWS);
	cr_assert_eq(nnf, nwant, "%zu records in nfcapd's file, %zu flow rows in the session", nnf,
		     nwant);
	ngot = nnf;
	for (size_t i = 0; i < nnf; i++)
		got[i] = nfdump_row(l[i]);
	qsort(got, ngot, sizeof(*got), cmp_str);
	qsort(want, nwant, sizeof(*want), cmp_str);
	for (size_t i = 0; i < nwant; i++)
		cr_assert_str_eq(got[i], want[i], "row %zu of %zu (sorted)", i, nwant);

	/* the TCP server's rows have an owner: with --ipfix, nfcapd took
	 * templates with ebpfrec's enterprise elements (variable-length
	 * strings included) and counted those rows like the rest */
	top = output("%s top %s --by process --json", EBPFREPORT_BIN, session);
	cr_assert(strstr(top, "\"key\":\"netgen "), "no owned rows: %s", top);
	free(top);

	/* and flow by flow, the packets and bytes top says */
	top = output("%s top %s --by flow --json -n 1000000", EBPFREPORT_BIN, session);
	for (size_t i = 0;; i++) {
		uint64_t pk = 0, by = 0;
		char p[64];

		snprintf(p, sizeof(p), "top.rows.%zu.src", i);
		if (json_path(top, p, v[0], sizeof(v[0])) != 1)
			break;
		snprintf(p, sizeof(p), "top.rows.%zu.dst", i);
		json_path(top, p, v[1], sizeof(v[1]));
		if (!strcmp(v[0], "-")) /* the non-IP bucket */
			continue;
		snprintf(p, sizeof(p), "top.rows.%zu.sport", i);
		json_path(top, p, v[2], sizeof(v[2]));
		snprintf(p, sizeof(p), "top.rows.%zu.dport", i);
		json_path(top, p, v[3], sizeof(v[3]));
		snprintf(p, sizeof(p), "top.rows.%zu.proto", i);
		json_path(top, p, v[4], sizeof(v[4]));
		snprintf(p, sizeof(p), "top.rows.%zu.dir", i);
		json_path(top, p, v[5], sizeof(v[5]));
		flow_key(key, sizeof(key), !strcmp(v[5], "egress"), proto_number(v[4]), v[0],
			 atol(v[2]), v[1], atol(v[3]));
		for (size_t k = 0; k < ngot; k++) {
			if (strncmp(got[k], key, strlen(key)) || got[k][strlen(key)] != ' ')
				continue;
			pk += strtoull(strstr(got[k], " pk ") + 4, NULL, 10);
			by += strtoull(strstr(got[k], " by ") + 4, NULL, 10);
		}
		snprintf(p, sizeof(p), "top.rows.%zu.packets", i);
		json_path(top, p, v[2], sizeof(v[2]));
		cr_assert_eq(pk, strtoull(v[2], NULL, 10), "packets of %s", key);
		snprintf(p, sizeof(p), "top.rows.%zu.bytes", i);
		json_path(top, p, v[2], sizeof(v[2]));
		cr_assert_eq(by, strtoull(v[2], NULL, 10), "bytes of %s", key);
		nflows++;
	}
	cr_assert_gt(nflows, 70, "50 UDP + 20 UDP6 flows and more");
	cr_assert_geq(nwant, nflows + 4, "flows of several rows: top adds them up");
	/* each kind of traffic is there */
	for (int k = 0; k < 5; k++) {
		static const char *const has[] = { " 6 10.99.0.1 ", " 17 10.99.0.1 ", " 17 fd99::1 ",
						   "in 1 10.99.0.1 0 10.99.0.2 2048 ",
						   "in 58 fd99::1 0 fd99::2 32768 " };
		size_t n = 0;
		for (size_t i = 0; i < ngot; i++)
			n += strstr(got[i], has[k]) != NULL;
		cr_assert_gt(n, 0, "no record with '%s'", has[k]);
	}
	cr_log_info("--%s: %zu records = %zu flow rows, %zu flows, %zu non-IP rows left out; %s",
		    opt, ngot, nwant, nflows, nother, sum);
	snprintf(path, sizeof(path), "%s.log", d);
	free(output("grep -q 'Sequence Errors: 0, Bad Packets: 0' %s", path));
	for (size_t i = 0; i < nwant; i++) {
		free(got[i]);
		free(want[i]);
	}
	free(got);
	free(want);
	free(nf);
	free(ex);
	free(top);
	free(sum);
}

Test(ipfix_nfcapd, ipfix_records_equal_the_session, .init = setup, .fini = teardown,
     .timeout = 300)
{
	check_collector(record(), "ipfix", 4739);
}

Test(ipfix_nfcapd, netflow9_records_equal_the_session, .init = setup, .fini = teardown,
     .timeout = 300)
{
	check_collector(record(), "netflow9", 2055);
}

/* One UDP row, written with the format library. */
static const char *tiny_session(void)
{
	static char path[128];
	struct fmt_writer *w;
	struct fmt_flow f = { .ts_ns = 2000000000, .interval_ns = 1000000000, .packets = 1,
			      .bytes = 60 };

	snprintf(path, sizeof(path), "%s/tiny.db", dir);
	cr_assert_eq(fmt_writer_create(path, 0, NULL, &w, NULL), 0);
	f.key.family = FMT_FAMILY_IPV4;
	f.key.proto = 17;
	inet_pton(AF_INET, "10.99.0.1", f.key.src);
	inet_pton(AF_INET, "10.99.0.2", f.key.dst);
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	cr_assert_eq(fmt_writer_close(w, NULL), 0);
	return path;
}

/* B has routes for 10.99.0.0/24 and fd99::/64 only: nothing leaves */
Test(ipfix_nfcapd, unreachable_collector_is_one_line, .init = setup, .fini = teardown,
     .timeout = 60)
{
	char *err = output("ip netns exec %s %s replay %s --ipfix 10.98.7.7:4739 2>&1; echo rc=$?",
			   np.ns_b, EBPFREPORT_BIN, tiny_session());

	cr_assert_str_eq(err, "ebpfreport: cannot reach '10.98.7.7:4739': Network is unreachable\n"
			      "rc=1\n");
	free(err);
}
