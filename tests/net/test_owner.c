/* test_owner.c - every flow is attributed to the process that owns its
 * socket, exactly. The test's own processes (ownergen) talk across a veth
 * pair between two namespaces it makes, while ebpfrec records both ends:
 * a TCP server with an IPv4 and an IPv6 client, a UDP sender that exits at
 * once, a connection made before the recording started, a socket handed
 * to a forked child, and a client inside a (fake) container's cgroup. The
 * ground truth is tcpdump's capture of the link: for each process, the
 * packets and bytes of its own local endpoint. What no process owns (the
 * kernel's ICMP replies, datagrams to a closed port) must be unowned. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../record/recorder.h"
#include "netns.h"
#include "pcap.h"

#define SERVER_PORT 7000 /* S, in A */
#define TARGET_PORT 7200 /* T, in B */
#define CLOSED_PORT 7300 /* nothing listens there, in B */

static struct netpair np;
static char cgroup_dir[1024]; /* the fake container's cgroup, while it exists */
static char slice_dir[1024]; /* system.slice, if the test made it */

/* One of the test's processes, and the side of the link it lives on. */
struct party {
	const char *name;
	pid_t child; /* what we forked (ip netns exec, then ownergen in it) */
	FILE *in, *out;
	uint32_t pid; /* as it reported */
	int lport, proto;
	int side_a; /* in namespace A (else B) */
	uint64_t from_us, to_us; /* wall-clock window of its packets (0, 0: all) */
};

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	cr_assert_eq(system("command -v tcpdump >/dev/null"), 0,
		     "tcpdump is needed (scripts/setup.sh --tests installs it)");
	netpair_up(&np);
}

static pid_t started[16]; /* ours, to end if the test failed half way */
static int nstarted;

static void teardown(void)
{
	for (int i = 0; i < nstarted; i++)
		if (started[i] > 0 && waitpid(started[i], NULL, WNOHANG) == 0) {
			kill(started[i], SIGKILL);
			waitpid(started[i], NULL, 0);
		}
	nstarted = 0;
	for (int i = 0; cgroup_dir[0] && i < 50 && rmdir(cgroup_dir) && errno == EBUSY; i++)
		usleep(100000); /* its last process is being reaped */
	if (slice_dir[0])
		rmdir(slice_dir);
	cgroup_dir[0] = slice_dir[0] = 0;
	netpair_down(&np);
}

static uint64_t now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

/* Start `ownergen ARGS` in namespace ns with pipes to its stdin and stdout
 * (and, if procs is set, in that cgroup); wait for its "pid P lport L". */
static void start(struct party *p, const char *name, const char *ns, const char *procs,
		  const char *args)
{
	int to[2], from[2];
	char line[128];

	/* close-on-exec: a process started later must not hold this one's
	 * stdin open, or it never sees the end of it */
	cr_assert_eq(pipe2(to, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(from, O_CLOEXEC), 0);
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->side_a = !strcmp(ns, np.ns_a);
	p->proto = strstr(args, "udp") == args ? 17 : 6;
	p->child = fork();
	cr_assert_geq(p->child, 0);
	if (p->child == 0) {
		char cmd[512];
		dup2(to[0], STDIN_FILENO);
		dup2(from[1], STDOUT_FILENO);
		close(to[1]);
		close(from[0]);
		/* now: ip netns exec mounts a sysfs of its own, without the
		 * cgroup hierarchy */
		FILE *cg = procs ? fopen(procs, "w") : NULL;
		if (procs && (!cg || fprintf(cg, "%d\n", getpid()) < 0 || fclose(cg)))
			_exit(126);
		snprintf(cmd, sizeof(cmd), "exec ip netns exec %s %s %s", ns, OWNERGEN_BIN, args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (nstarted < 16)
		started[nstarted++] = p->child;
	close(to[0]);
	close(from[1]);
	p->in = fdopen(to[1], "w");
	p->out = fdopen(from[0], "r");
	cr_assert(p->in && p->out);
	setvbuf(p->in, NULL, _IOLBF, 0);
	cr_assert_not_null(fgets(line, sizeof(line), p->out), "%s did not start", name);
	cr_assert_eq(sscanf(line, "pid %u lport %d", &p->pid, &p->lport), 2, "%s: %s", name, line);
}

static void expect_line(struct party *p, const char *prefix, char *line, size_t len)
{
	cr_assert_not_null(fgets(line, (int)len, p->out), "%s: no '%s'", p->name, prefix);
	cr_assert_eq(strncmp(line, prefix, strlen(prefix)), 0, "%s: '%s', not '%s'", p->name, line,
		     prefix);
}

static void finish(struct party *p)
{
	int st;

	if (p->in)
		fclose(p->in);
	cr_assert_eq(waitpid(p->child, &st, 0), p->child);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s exited with status %d", p->name, st);
	fclose(p->out);
	p->in = p->out = NULL;
}

static int is_a(const struct pcap_pkt *k)
{
	static const uint8_t a4[4] = { 10, 99, 0, 1 };
	static const uint8_t a6[16] = { 0xfd, 0x99, [15] = 1 };

	return k->family == 4 ? !memcmp(k->src, a4, 4) : !memcmp(k->src, a6, 16);
}

/* Does captured packet k belong to p's local endpoint? */
static int owns(const struct party *p, const struct pcap_pkt *k)
{
	int from_side = is_a(k) == p->side_a;

	if (!k->family || k->proto != p->proto || (from_side ? k->sport : k->dport) != p->lport)
		return 0;
	return !p->to_us || (k->ts_us >= p->from_us && k->ts_us < p->to_us);
}

/* A table of the capture's packets by who owns them on one side. */
static void truth(const struct pcap_pkt *v, size_t n, const struct party *p, uint64_t *pk,
		  uint64_t *by)
{
	*pk = *by = 0;
	for (size_t i = 0; i < n; i++)
		if (owns(p, &v[i]))
			(*pk)++, *by += v[i].len;
}

static void attributed(const struct capture *c, uint32_t ifindex, uint32_t pid, uint64_t *pk,
		       uint64_t *by)
{
	*pk = *by = 0;
	for (size_t i = 0; i < c->nflow; i++)
		if (c->flows[i].key.ifindex == ifindex && c->flows[i].owner.pid == pid)
			*pk += c->flows[i].packets, *by += c->flows[i].bytes;
}

/* The cgroup v2 mount (never assumed: /sys/fs/cgroup/unified here). */
static void cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/mounts", "r");
	char dev[256], dir[512], type[64];

	cr_assert_not_null(f);
	buf[0] = 0;
	while (fscanf(f, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2") && !buf[0])
			snprintf(buf, len, "%s", dir);
	fclose(f);
	cr_assert(buf[0], "no cgroup2 mount");
}

/* A fake container: system.slice/docker-<64 hex>.scope. @return its id. */
static uint64_t make_container(char *hex, char *procs, size_t len)
{
	char mnt[512];
	struct stat st;

	cgroup2_mount(mnt, sizeof(mnt));
	for (int i = 0; i < 4; i++)
		sprintf(hex + 16 * i, "%016llx", 0xeb9f0000c0de0000ull + (unsigned)getpid() + (unsigned)i);
	snprintf(slice_dir, sizeof(slice_dir), "%s/system.slice", mnt);
	if (mkdir(slice_dir, 0755)) {
		cr_assert_eq(errno, EEXIST, "mkdir %s: %s", slice_dir, strerror(errno));
		slice_dir[0] = 0; /* not ours */
	}
	snprintf(cgroup_dir, sizeof(cgroup_dir), "%s/system.slice/docker-%s.scope", mnt, hex);
	cr_assert_eq(mkdir(cgroup_dir, 0755), 0, "mkdir %s: %s", cgroup_dir, strerror(errno));
	cr_assert_eq(stat(cgroup_dir, &st), 0);
	snprintf(procs, len, "%s/cgroup.procs", cgroup_dir);
	return st.st_ino; /* a cgroup's id is its directory's inode number */
}

/* The output of `ebpfreport ARGS` (static buffer). */
static const char *report(const char *args)
{
	static char out[1 << 20];
	char cmd[1300];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s %s", EBPFREPORT_BIN, args);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	cr_assert_eq(pclose(f), 0, "%s failed", cmd);
	return out;
}

static int report_has(const char *args, const char *needle)
{
	return strstr(report(args), needle) != NULL;
}

/* The packets of the row whose key starts with key in `ebpfreport top
 * ARGS --json` (-1: no such row). */
static long long top_packets(const char *args, const char *key)
{
	char a[1100], k[600];
	const char *at;

	snprintf(a, sizeof(a), "top %s --json --top 1000", args);
	snprintf(k, sizeof(k), "{\"key\":\"%s", key);
	at = strstr(report(a), k);
	if (!at || !(at = strstr(at, "\"packets\":")))
		return -1;
	return strtoll(at + 10, NULL, 10);
}

Test(owner, every_process_gets_exactly_its_traffic, .init = setup, .fini = teardown,
     .timeout = 180)
{
	const char *args[] = { "--netns", np.ns_a, "--netns", np.ns_b, "--interval", "200ms", NULL };
	uint32_t ida = 1u << 24 | ns_ifindex(np.ns_a, np.if_a);
	uint32_t idb = 2u << 24 | ns_ifindex(np.ns_b, np.if_b);
	struct party t, h, s, c1, c2, u, fp, fc, g;
	struct party *all[] = { &t, &h, &s, &c1, &c2, &u, &fp, &fc, &g };
	char line[256], hex[65], procs[1100], a[1024], want[512];
	uint64_t pk, by, tpk, tby, mid, cgid, sum_a = 0, sum_b = 0, tot_a = 0, tot_b = 0;
	uint64_t own_a = 0, own_b = 0, icmp = 0, closed = 0;
	struct pcap_run peer;
	struct recorder rec;
	struct capture cap;
	struct pcap_pkt *v;
	size_t n;
	int st;

	/* before the recording: T serves, H is connected and has talked */
	start(&t, "T (server in B)", np.ns_b, NULL, "server 7200 3");
	start(&h, "H (started before ebpfrec)", np.ns_a, NULL, "hold 10.99.0.2 7200");
	fprintf(h.in, "3\n");
	expect_line(&h, "ok", line, sizeof(line));
	usleep(500000); /* its delayed ACK goes out before the capture starts */
	pcap_start(&peer, np.ns_b, np.if_b, "");
	recorder_start_in(&rec, NULL, rec_tmp_path("owner.db"), args);

	/* S with an IPv4 and an IPv6 client */
	snprintf(a, sizeof(a), "server %d 2", SERVER_PORT);
	start(&s, "S (server in A)", np.ns_a, NULL, a);
	start(&c1, "C1 (IPv4 client)", np.ns_b, NULL, "client 10.99.0.1 7000 5");
	finish(&c1);
	start(&c2, "C2 (IPv6 client)", np.ns_b, NULL, "client fd99::1 7000 7");
	finish(&c2);
	finish(&s);
	/* H keeps talking on its old connection */
	fprintf(h.in, "4\n");
	expect_line(&h, "ok", line, sizeof(line));
	/* U sends to a closed port and is gone within the interval */
	snprintf(a, sizeof(a), "udp 10.99.0.2 %d 9", CLOSED_PORT);
	start(&u, "U (UDP, exits at once)", np.ns_a, NULL, a);
	finish(&u);
	/* F talks, forks; after a quiet second its child talks on the socket */
	start(&fp, "F (parent)", np.ns_a, NULL, "fork 10.99.0.2 7200 3");
	expect_line(&fp, "forked ", line, sizeof(line));
	fc = fp;
	fc.name = "F's child (inherited socket)";
	fc.pid = (uint32_t)atoi(line + 7);
	usleep(1000000);
	mid = now_us();
	fp.to_us = mid;
	fc.from_us = mid, fc.to_us = UINT64_MAX;
	fprintf(fp.in, "go\n");
	finish(&fp);
	/* G in a container's cgroup, made now (followed as it is created) */
	cgid = make_container(hex, procs, sizeof(procs));
	start(&g, "G (in a container)", np.ns_a, procs, "client fd99::2 7200 6");
	finish(&g);
	finish(&h); /* H exits during the recording */
	finish(&t);
	usleep(600000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	pcap_stop(&peer);

	capture_load(&cap, rec.path);
	n = pcap_load(peer.path, &v);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct party *p = all[i];
		uint32_t id = p->side_a ? ida : idb;
		truth(v, n, p, &tpk, &tby);
		attributed(&cap, id, p->pid, &pk, &by);
		cr_log_info("%s pid %u port %d: captured %llu packets %llu B, attributed %llu "
			    "packets %llu B",
			    p->name, p->pid, p->lport, (unsigned long long)tpk,
			    (unsigned long long)tby, (unsigned long long)pk, (unsigned long long)by);
		cr_assert_gt(tpk, 0, "%s: nothing captured", p->name);
		cr_assert_eq(pk, tpk, "%s: %llu packets attributed, %llu its own", p->name,
			     (unsigned long long)pk, (unsigned long long)tpk);
		cr_assert_eq(by, tby, "%s: %llu bytes attributed, %llu its own", p->name,
			     (unsigned long long)by, (unsigned long long)tby);
		*(p->side_a ? &sum_a : &sum_b) += tpk;
	}
	/* every row is owned or not; the unowned are what no process sent or
	 * received here: the kernel's ICMP, datagrams to the closed port */
	for (size_t i = 0; i < cap.nflow; i++) {
		const struct fmt_flow *f = &cap.flows[i];
		cr_assert(f->key.ifindex == ida || f->key.ifindex == idb);
		*(f->key.ifindex == ida ? &tot_a : &tot_b) += f->packets;
		if (f->owner.pid)
			*(f->key.ifindex == ida ? &own_a : &own_b) += f->packets;
		else if (f->key.ifindex == ida)
			cr_assert(f->key.proto == 1, "an unowned non-ICMP row in A: proto %u port %u",
				  f->key.proto, f->key.dport);
		else
			cr_assert(f->key.proto == 1 || (f->key.proto == 17 &&
							f->key.dport == CLOSED_PORT),
				  "an unowned row in B: proto %u port %u", f->key.proto,
				  f->key.dport);
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].proto == 1)
			icmp++;
		else if (v[i].proto == 17 && v[i].dport == CLOSED_PORT)
			closed++; /* in B, no socket: unowned (in A, U's) */
	}
	cr_assert_eq(tot_a, n, "A's rows hold %llu packets, the link carried %zu",
		     (unsigned long long)tot_a, n);
	cr_assert_eq(tot_b, n, "B's rows hold %llu packets, the link carried %zu",
		     (unsigned long long)tot_b, n);
	cr_assert_eq(own_a, sum_a, "owned in A: %llu, the processes' own %llu",
		     (unsigned long long)own_a, (unsigned long long)sum_a);
	cr_assert_eq(own_b, sum_b);
	cr_assert_eq(tot_a - own_a, icmp, "unowned in A: %llu, ICMP %llu",
		     (unsigned long long)(tot_a - own_a), (unsigned long long)icmp);
	cr_assert_eq(tot_b - own_b, icmp + closed, "unowned in B: %llu, ICMP %llu + to port %d %llu",
		     (unsigned long long)(tot_b - own_b), (unsigned long long)icmp, CLOSED_PORT,
		     (unsigned long long)closed);
	cr_assert_gt(icmp, 0, "no port unreachable came back");

	/* owners name their process: the exec's start time, or the table's */
	for (size_t i = 0; i < cap.nflow; i++) {
		const struct fmt_flow *f = &cap.flows[i];
		const struct fmt_exec *e = capture_exec_by_pid(&cap, f->owner.pid);
		const struct fmt_proc *pr = capture_proc_by_pid(&cap, f->owner.pid);
		if (f->owner.pid == h.pid || f->owner.pid == t.pid) {
			cr_assert_not_null(pr, "pid %u is not in the process table", f->owner.pid);
			cr_assert_eq(f->owner.start_ns, pr->start_ns);
		} else if (f->owner.pid && f->owner.pid != fc.pid) {
			cr_assert_not_null(e, "owner %u has no exec", f->owner.pid);
			cr_assert_eq(f->owner.start_ns, e->start_ns, "owner %u: start %llu, exec's %llu",
				     f->owner.pid, (unsigned long long)f->owner.start_ns,
				     (unsigned long long)e->start_ns);
		}
		if (f->owner.pid == g.pid)
			cr_assert_eq(f->owner.cgroup_id, cgid, "G's cgroup %llu, not %llu",
				     (unsigned long long)f->owner.cgroup_id, (unsigned long long)cgid);
	}

	/* the process table has H, with its argv; its exit has its name */
	{
		const struct fmt_proc *pr = capture_proc_by_pid(&cap, h.pid);
		cr_assert_not_null(pr, "H (pid %u) is not in the process table", h.pid);
		cr_assert_str_eq(pr->comm, "ownergen");
		cr_assert_eq(pr->argc, 4);
		cr_assert_str_eq(pr->argv[1], "hold");
		cr_assert_str_eq(pr->argv[2], "10.99.0.2");
		cr_assert_str_eq(pr->argv[3], "7200");
		cr_assert_not_null(capture_exit_by_pid(&cap, h.pid), "H's exit is missing");
	}
	snprintf(a, sizeof(a), "replay %s --pid %u --type exit", rec.path, h.pid);
	snprintf(want, sizeof(want), " %u ppid ", h.pid);
	cr_assert(report_has(a, want), "no exit line for H");
	cr_assert(report_has(a, "ownergen"), "H's exit line does not name it");

	/* the cgroup is named, and from it the unit and the container */
	snprintf(want, sizeof(want), "/system.slice/docker-%s.scope", hex);
	cr_assert_not_null(capture_cgroup_path(&cap, cgid), "cgroup %llu is not named",
			   (unsigned long long)cgid);
	cr_assert_str_eq(capture_cgroup_path(&cap, cgid), want);
	truth(v, n, &g, &tpk, &tby);
	snprintf(a, sizeof(a), "%s --by container", rec.path);
	cr_assert_eq(top_packets(a, hex), (long long)tpk, "top --by container");
	snprintf(a, sizeof(a), "%s --by unit", rec.path);
	snprintf(want, sizeof(want), "docker-%s.scope", hex);
	cr_assert_eq(top_packets(a, want), (long long)tpk, "top --by unit");
	snprintf(a, sizeof(a), "%s --by process --container %.12s", rec.path, hex);
	snprintf(want, sizeof(want), "ownergen %u ", g.pid);
	cr_assert_eq(top_packets(a, want), (long long)tpk, "top --by process --container");
	snprintf(a, sizeof(a), "top %s --by process --container %.12s", rec.path, hex);
	cr_assert_not_null(strstr(report(a), "ownergen client fd99::2 7200 6"), "G's argv");

	/* by process, with the filters on the owner: every process's packets */
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct party *p = all[i];
		if (p == &fp || p == &fc)
			continue; /* two owners of one port: by time, checked above */
		truth(v, n, p, &tpk, &tby);
		snprintf(a, sizeof(a), "%s --by process --pid %u", rec.path, p->pid);
		snprintf(want, sizeof(want), "ownergen %u ", p->pid);
		cr_assert_eq(top_packets(a, want), (long long)tpk, "top --by process --pid: %s",
			     p->name);
	}
	cr_assert(report_has(rec.path, "TOP PROCESSES (packets)"), "summary: no top talkers");
	snprintf(a, sizeof(a), "top %s --by process --comm ownergen --type flow --json --top 1000",
		 rec.path);
	cr_assert_null(strstr(report(a), "no local socket"), "--comm keeps unowned flows");
	free(v);
	capture_free(&cap);
}
