/* test_ipfix_cli.c - `ebpfreport replay --ipfix/--netflow9` end to end on
 * loopback: the real binary sends a session's flow rows to a UDP socket
 * the test binds on 127.0.0.1, and the test decodes what arrived with its
 * own reader (ipfix_decode.c). Also the options' and addresses' errors.
 * (With nfcapd and a session of the real recorder: tests/net/test_ipfix.c.) */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "ipfix_decode.h"

#define OFFSET_NS 1700000000000000000ll
#define OFFSET "1700000000000000000"

/* A UDP socket on 127.0.0.1 standing in for a collector. */
static int collector(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), big = 4 << 20;

	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port nothing listens on (bound, then closed). */
static int closed_port(void)
{
	int port, fd = collector(&port);
	close(fd);
	return port;
}

/* Everything that arrived (the sender has exited): decoded into d, the
 * messages' sizes in size[] and headers in ms[]. @return the count. */
static size_t drain(int fd, struct decoder *d, struct dec_msg *ms, size_t *size, size_t max)
{
	static uint8_t buf[65536];
	size_t n = 0;
	ssize_t len;
	char why[256];

	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		struct dec_msg m;
		cr_assert_eq(dec_message(d, buf, (size_t)len, &m, why, sizeof(why)), 0,
		             "message %zu: %s", n, why);
		cr_assert_lt(n, max);
		if (ms)
			ms[n] = m;
		if (size)
			size[n] = (size_t)len;
		n++;
	}
	cr_assert(errno == EAGAIN || errno == EWOULDBLOCK);
	close(fd);
	return n;
}

struct row {
	int dir, fam, proto;
	const char *src, *dst;
	int sport, dport;
	uint64_t pk, by;
};

/* one of each kind of record, and the two kinds of rows that have none */
static const struct row rows[] = {
	{ 0, 4, 6, "10.0.0.1", "10.0.0.2", 443, 5000, 10, 1000 },
	{ 1, 4, 17, "10.0.0.2", "10.0.0.53", 53000, 53, 2, 140 },
	{ 0, 6, 17, "fd00::1", "fd00::2", 5353, 5353, 3, 330 },
	{ 1, 4, 1, "10.0.0.2", "10.0.0.1", 8, 0, 4, 336 },
	{ 0, 6, 58, "fd00::1", "fd00::2", 129, 0, 5, 520 },
	{ 0, 0, 0, "::", "::", 0, 0, 6, 360 },   /* not IP */
	{ 1, 255, 0, "::", "::", 7, 0, 8, 800 }, /* flow-table overflow */
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define NIP 5

/* rows[], each at 2 s + i ms (interval 1 s) */
static const char *kinds_session(void)
{
	const char *p = fixture_path("kinds.db");
	struct fmt_writer *w = fixture_writer(p, "gamma", OFFSET, S, 5 * S);

	for (size_t i = 0; i < NROWS; i++)
		fixture_flow(w, 2 * S + i * 1000000, rows[i].dir, rows[i].fam, rows[i].proto,
		             rows[i].src, rows[i].sport, rows[i].dst, rows[i].dport, rows[i].pk,
		             rows[i].by);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void check_kinds(const char *opt)
{
	struct decoder d = { 0 };
	struct dec_msg ms[16];
	int port, fd = collector(&port);
	size_t n;
	uint8_t a[16];

	run("replay %s --%s 127.0.0.1:%d", kinds_session(), opt, port);
	cr_assert_eq(rc, 0, "%s", err);
	n = drain(fd, &d, ms, NULL, 16);
	cr_assert_eq(n, 1, "5 records fit one message");
	cr_assert_eq(ms[0].version, strcmp(opt, "ipfix") ? 9 : 10);
	cr_assert_eq(ms[0].domain, fnv1a("gamma"), "domain: FNV-1a of the hostname");
	cr_assert_eq(ms[0].templates, 4);
	cr_assert_eq(d.nrec, NIP);
	for (size_t i = 0; i < NIP; i++) {
		const struct dec_record *r = &d.rec[i];
		const struct row *w = &rows[i];
		uint64_t end = (uint64_t)(OFFSET_NS / 1000000) + 2000 + i;

		cr_assert_eq(r->packets, w->pk, "row %zu", i);
		cr_assert_eq(r->bytes, w->by, "row %zu", i);
		cr_assert_eq(r->proto, w->proto, "row %zu", i);
		cr_assert_eq(r->family, w->fam, "row %zu", i);
		cr_assert_eq(inet_pton(w->fam == 4 ? AF_INET : AF_INET6, w->src, a), 1);
		cr_assert_arr_eq(r->src, a, w->fam == 4 ? 4 : 16, "row %zu", i);
		cr_assert_eq(inet_pton(w->fam == 4 ? AF_INET : AF_INET6, w->dst, a), 1);
		cr_assert_arr_eq(r->dst, a, w->fam == 4 ? 4 : 16, "row %zu", i);
		if (w->proto == 1 || w->proto == 58) {
			cr_assert_eq(r->icmp, w->sport << 8 | w->dport, "row %zu", i);
			cr_assert_eq(r->sport, -1);
		} else {
			cr_assert_eq(r->sport, w->sport, "row %zu", i);
			cr_assert_eq(r->dport, w->dport, "row %zu", i);
		}
		cr_assert_eq(r->end_ms, end, "row %zu", i);
		cr_assert_eq(r->start_ms, end - 1000, "row %zu: the interval's start", i);
		cr_assert_eq(r->dir, w->dir, "row %zu", i);
		cr_assert_eq(r->in_if, w->dir ? 0u : 2u, "row %zu", i);
		cr_assert_eq(r->out_if, w->dir ? 2u : 0u, "row %zu", i);
	}
	cr_assert(strstr(err, "sent 5 flow records in 1 "), "%s", err);
	cr_assert(strstr(err, "left out 2 rows without IP addresses (1 non-IP, 1 flow-table "
	                      "overflow): 14 packets, 1160 bytes\n"),
	          "%s", err);
	cr_assert_str_empty(out, "nothing on stdout");
	dec_free(&d);
}

Test(ipfix_cli, every_ip_row_sent_and_the_rest_counted, .fini = fini)
{
	check_kinds("ipfix");
}

Test(ipfix_cli, netflow9_the_same, .fini = fini)
{
	check_kinds("netflow9");
}

Test(ipfix_cli, filters_choose_the_rows, .fini = fini)
{
	struct decoder d = { 0 };
	int port, fd = collector(&port);

	run("replay %s --proto udp --dir egress --ipfix 127.0.0.1:%d", kinds_session(), port);
	cr_assert_eq(rc, 0, "%s", err);
	drain(fd, &d, NULL, NULL, 16);
	cr_assert_eq(d.nrec, 1);
	cr_assert_eq(d.rec[0].dport, 53);
	cr_assert(strstr(err, "sent 1 flow record in 1 IPFIX message to 127.0.0.1:"), "%s", err);
	cr_assert_null(strstr(err, "left out"), "%s", err);
	dec_free(&d);
}

/* every row of two hosts, as two files and as one merged file: one domain
 * per host, each with its own sequence */
Test(ipfix_cli, observation_domain_per_host, .fini = fini)
{
	const char *m = fixture_path("alpha-beta.db");
	uint32_t alpha = fnv1a("alpha"), beta = fnv1a("beta");

	run("merge %s %s -o %s", fixture_alpha(), fixture_beta(), m);
	cr_assert_eq(rc, 0, "%s", err);
	for (int merged = 0; merged < 2; merged++) {
		struct decoder d = { 0 };
		struct dec_msg ms[16];
		int port, fd = collector(&port);
		size_t n, na = 0, nb = 0;

		if (merged)
			run("replay %s --netflow9 127.0.0.1:%d", m, port);
		else
			run("replay %s %s --netflow9 127.0.0.1:%d", fixture_alpha(), fixture_beta(),
			    port);
		cr_assert_eq(rc, 0, "%s", err);
		n = drain(fd, &d, ms, NULL, 16);
		cr_assert_eq(n, 2);
		for (size_t i = 0; i < n; i++) {
			cr_assert(ms[i].domain == alpha || ms[i].domain == beta);
			cr_assert_eq(ms[i].seq, 0, "each source id's first packet");
		}
		for (size_t i = 0; i < d.nrec; i++) {
			na += d.rec[i].domain == alpha;
			nb += d.rec[i].domain == beta;
		}
		cr_assert_eq(na, 4, "alpha's rows");
		cr_assert_eq(nb, 1, "beta's row");
		cr_assert(strstr(err, "= host 'alpha'") && strstr(err, "= host 'beta'"), "%s", err);
		dec_free(&d);
	}
}

/* 30 rows: several messages when they are small */
Test(ipfix_cli, messages_within_mtu_and_templates_refreshed, .fini = fini)
{
	const char *busy = fixture_busy();
	struct decoder d = { 0 };
	struct dec_msg ms[64];
	size_t size[64], n;
	int port, fd = collector(&port);

	run("replay %s --ipfix 127.0.0.1:%d --mtu 576 --template-refresh 2p --rate 0", busy, port);
	cr_assert_eq(rc, 0, "%s", err);
	n = drain(fd, &d, ms, size, 64);
	cr_assert_eq(d.nrec, 30);
	cr_assert_geq(n, 4);
	for (size_t i = 0; i < n; i++) {
		cr_assert_leq(size[i], 576 - 28, "message %zu: %zu bytes", i, size[i]);
		cr_assert_eq(ms[i].template_sets, i % 2 == 0, "message %zu", i);
	}

	fd = collector(&port);
	run("replay %s --ipfix 127.0.0.1:%d", busy, port);
	cr_assert_eq(rc, 0, "%s", err);
	dec_free(&d);
	n = drain(fd, &d, ms, size, 64);
	cr_assert_eq(n, 2, "30 records of 54 bytes: 1472-byte messages");
	cr_assert_leq(size[0], 1472);
	cr_assert_eq(ms[1].seq, ms[0].records);
	dec_free(&d);
}

#define CONTAINER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CGROUP "/system.slice/docker-" CONTAINER ".scope"

/* A session whose flows carry owners: nginx (pid 4242, from the process
 * table, in a docker container's cgroup) sends one row, a process whose
 * name and argv are not UTF-8 another; one row has no local socket. */
static const char *owned_session(void)
{
	const char *p = fixture_path("ipfix-owned.db");
	struct fmt_writer *w = fixture_writer(p, "delta", OFFSET, S, 5 * S);
	struct fmt_flow f = { .ts_ns = 3 * S, .interval_ns = S, .packets = 7, .bytes = 700,
			      .owner = { .pid = 4242, .start_ns = S / 2, .cgroup_id = 9 } };

	fmt_writer_set_meta(w, "owners", "sockets");
	cr_assert_eq(fmt_writer_append(w, &(struct fmt_event){
				.stream = FMT_STREAM_CGROUP,
				.cgroup = { .ts_ns = S, .cgroup_id = 9, .path = CGROUP } }), 0);
	fixture_proc(w, S, 4242, 1, S / 2, "nginx", "/usr/sbin/nginx", "/",
		     (const char *[]){ "nginx:", "worker", "process", NULL });
	f.key.ifindex = 2;
	f.key.dir = 1;
	f.key.family = 4;
	f.key.proto = 6;
	inet_pton(AF_INET, "10.0.0.2", f.key.src);
	inet_pton(AF_INET, "10.0.0.9", f.key.dst);
	f.key.sport = 8080;
	f.key.dport = 40000;
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	fixture_proc(w, S, 4243, 1, S / 3, "bad\xff", "/x", "/", (const char *[]){ "x\xfey", NULL });
	f.owner = (struct fmt_owner){ .pid = 4243, .start_ns = S / 3 };
	f.key.sport = 8081;
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	fixture_flow(w, 4 * S, 0, 4, 1, "10.0.0.9", 3, "10.0.0.2", 3, 1, 98); /* unowned */
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

/* IPFIX carries the owner in ebpfrec's enterprise elements (docs/ipfix.md);
 * a row without one sends pid 0 and empty strings; NetFlow v9, which has
 * no enterprise elements, sends what it always did. */
Test(ipfix_cli, owners_in_enterprise_elements, .fini = fini)
{
	struct decoder d = { 0 };
	struct dec_msg ms[16];
	size_t size[16], n;
	int port, fd = collector(&port);
	const struct dec_record *a, *b;

	run("replay %s --ipfix 127.0.0.1:%d", owned_session(), port);
	cr_assert_eq(rc, 0, "%s", err);
	n = drain(fd, &d, ms, size, 16);
	cr_assert_eq(n, 1);
	cr_assert_eq(d.nrec, 3);
	a = &d.rec[0];
	b = &d.rec[2];
	/* IPFIX strings are UTF-8: other bytes in the exports' lossless form */
	cr_assert_str_eq(d.rec[1].comm, "bad\\xff", "%s", d.rec[1].comm);
	cr_assert_str_eq(d.rec[1].cmdline, "x\\xfey", "%s", d.rec[1].cmdline);
	cr_assert_str_empty(d.rec[1].cgroup, "a cgroup the session does not name");
	cr_assert(a->owned && b->owned, "every template has the owner elements");
	cr_assert_eq(a->packets, 7);
	cr_assert_eq(a->pid, 4242);
	cr_assert_eq(a->proc_start_ms, (uint64_t)(OFFSET_NS / 1000000) + 500);
	cr_assert_str_eq(a->comm, "nginx");
	cr_assert_str_eq(a->cmdline, "nginx: worker process");
	cr_assert_str_eq(a->cgroup, CGROUP);
	cr_assert_str_eq(a->container, CONTAINER);
	cr_assert_eq(b->packets, 1);
	cr_assert_eq(b->pid, 0, "no local socket: pid 0");
	cr_assert_eq(b->proc_start_ms, 0);
	cr_assert_str_empty(b->comm);
	cr_assert_str_empty(b->cmdline);
	cr_assert_str_empty(b->cgroup);
	cr_assert_str_empty(b->container);
	dec_free(&d);

	/* the smallest messages: the strings are cut to fit, never the rows */
	fd = collector(&port);
	run("replay %s --ipfix 127.0.0.1:%d --mtu 576", owned_session(), port);
	cr_assert_eq(rc, 0, "%s", err);
	n = drain(fd, &d, ms, size, 16);
	cr_assert_eq(d.nrec, 3);
	for (size_t i = 0; i < n; i++)
		cr_assert_leq(size[i], 576 - 28, "message %zu: %zu bytes", i, size[i]);
	cr_assert_eq(d.rec[0].pid, 4242);
	cr_assert_eq(strncmp(d.rec[0].comm, "nginx", strlen(d.rec[0].comm)), 0, "a cut, not garbage");
	dec_free(&d);

	fd = collector(&port);
	run("replay %s --netflow9 127.0.0.1:%d", owned_session(), port);
	cr_assert_eq(rc, 0, "%s", err);
	drain(fd, &d, ms, size, 16);
	cr_assert_eq(d.nrec, 3);
	cr_assert(!d.rec[0].owned && !d.rec[2].owned, "v9: no enterprise elements");
	dec_free(&d);
}

Test(ipfix_cli, paced_and_following_send_the_same, .fini = fini)
{
	struct decoder d = { 0 };
	int port, fd = collector(&port);

	/* the fixture spans 2 s: a second at 2x */
	run("replay %s --ipfix 127.0.0.1:%d --speed 2 --follow", fixture_alpha(), port);
	cr_assert_eq(rc, 0, "%s", err);
	drain(fd, &d, NULL, NULL, 16);
	cr_assert_eq(d.nrec, 4);
	dec_free(&d);
}

Test(ipfix_cli, nothing_listening_is_an_error, .fini = fini)
{
	int port = closed_port();

	run("replay %s --ipfix 127.0.0.1:%d", fixture_alpha(), port);
	cr_assert_eq(rc, 1, "%s", err);
	cr_assert(strstr(err, "ebpfreport: collector '127.0.0.1:") && strstr(err, "' refused the "
	                                                                          "messages"),
	          "%s", err);
	/* a replay long enough to be refused while it sends stops there */
	run("replay %s --ipfix 127.0.0.1:%d --mtu 576 --rate 0", fixture_busy(), port);
	cr_assert_eq(rc, 1, "%s", err);
	cr_assert(strstr(err, "refused the messages"), "%s", err);
	cr_assert(strstr(err, "stopped after sending"), "%s", err);
}

/* The collector goes away after the first message of a replay that takes
 * seconds (--rate 20): the next send is refused and the replay stops. */
Test(ipfix_cli, collector_gone_mid_replay_stops_it, .fini = fini, .timeout = 60)
{
	const char *p = fixture_path("long.db"), *log = fixture_path("long.err");
	struct fmt_writer *w = fixture_writer(p, "gamma", OFFSET, S, 200 * S);
	struct timeval tv = { .tv_sec = 20 };
	uint8_t buf[2048];
	char addr[64];
	int port, fd = collector(&port), st;
	pid_t pid;

	for (int i = 0; i < 100; i++)
		fixture_flow(w, 2 * S + (uint64_t)i * S, 0, 4, 17, "10.0.0.1", 1000 + i, "10.0.0.2",
			     53, 1, 100);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int e = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(e, 2);
		execl(EBPFREPORT_BIN, "ebpfreport", "replay", p, "--ipfix", addr, "--rate", "20",
		      "--mtu", "576", (char *)NULL);
		_exit(127);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cr_assert_gt(recv(fd, buf, sizeof(buf), 0), 0, "no first message");
	close(fd);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	free(err);
	err = fixture_slurp(log, NULL);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, err);
	cr_assert(strstr(err, "refused the messages"), "%s", err);
	cr_assert(strstr(err, "stopped after sending"), "%s", err);
	cr_assert_null(strstr(err, "sending 100 flow records"), "stopped early: %s", err);
}

Test(ipfix_cli, bad_addresses_and_options, .fini = fini)
{
	const char *a = fixture_alpha();

	run("replay %s --ipfix 127.0.0.1:99999", a);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: '127.0.0.1:99999': the port must be a number from 1 to "
	                      "65535\n");
	run("replay %s --ipfix '[::1'", a);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: '[::1': use [IPV6]:PORT\n");
	/* a name the resolver refuses without asking a DNS server */
	run("replay %s --ipfix 'no host name:4739'", a);
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "ebpfreport: cannot resolve 'no host name'"), "%s", err);
	run("replay %s --rate 100", a);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: --rate needs --ipfix or --netflow9\n");
	run("replay %s --ipfix 127.0.0.1:1 --rate -5", a);
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "invalid --rate '-5'"), "%s", err);
	run("replay %s --ipfix 127.0.0.1:1 --template-refresh 0", a);
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "invalid --template-refresh '0'"), "%s", err);
	run("replay %s --ipfix 127.0.0.1:1 --template-refresh xp", a);
	cr_assert_eq(rc, 2);
	run("replay %s --ipfix 127.0.0.1:1 --mtu 100", a);
	cr_assert_eq(rc, 2);
	cr_assert(strstr(err, "invalid --mtu '100'"), "%s", err);
	run("replay %s --ipfix 127.0.0.1:1 --json", a);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: --ipfix and --json cannot be used together\n");
	run("replay %s --ipfix 127.0.0.1:1 --netflow9 127.0.0.1:2", a);
	cr_assert_eq(rc, 2);
	run("replay %s --ipfix 127.0.0.1:1 --type exec", a);
	cr_assert_eq(rc, 2);
	cr_assert_str_eq(err, "ebpfreport: --ipfix sends flow rows, and --type leaves none\n");
	run("top %s --ipfix 127.0.0.1:1", a);
	cr_assert_eq(rc, 2, "only replay sends");
}
