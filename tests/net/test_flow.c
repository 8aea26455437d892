/* test_flow.c - the real ebpfrec counts every packet of every flow, on
 * both sides of a veth pair between two namespaces the test makes. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../record/recorder.h"
#include "fmt_meta.h"
#include "flowsum.h"
#include "netns.h"

static struct netpair np;

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	netpair_up(&np);
}

static void teardown(void)
{
	netpair_down(&np);
}

static void gen(const char *ns, const char *args)
{
	ns_run(ns, "%s %s", NETGEN_BIN, args);
}

/* Packets of rows matching ifindex/dir/proto/dst/dport (dport -1: any). */
static uint64_t sum_to(const struct capture *c, uint32_t ifindex, int dir, int proto,
		       const char *dst, int dport)
{
	return flows_sum(c, ifindex, dir, proto, dst, dport, dport, NULL);
}

static uint64_t other_packets(const struct capture *c, uint32_t ifindex, int dir)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->nflow; i++)
		if (c->flows[i].key.ifindex == ifindex && c->flows[i].key.dir == dir &&
		    c->flows[i].key.family == FMT_FAMILY_OTHER)
			n += c->flows[i].packets;
	return n;
}

static void check_udp(const struct capture *c, uint32_t ifindex, int dir, const char *dst,
		      int base, int flows, int per)
{
	for (int f = 0; f < flows; f++) {
		uint64_t got = sum_to(c, ifindex, dir, 17, dst, base + f);
		cr_assert_eq(got, (uint64_t)per, "%s %s:%d: %llu packets recorded, %d sent",
			     dir ? "egress" : "ingress", dst, base + f, (unsigned long long)got, per);
	}
}

static const char *const flow_only[] = { "--no-exec", "-i", NULL, NULL };

Test(flows, every_packet_counted_on_both_sides, .init = setup, .fini = teardown, .timeout = 180)
{
	struct recorder ra, rb;
	struct capture ca, cb;
	const char *args_a[] = { "--no-exec", "-i", np.if_a, "--interval", "200ms", NULL };
	const char *args_b[] = { "--no-exec", "-i", np.if_b, "--interval", "300ms", NULL };
	char path_a[256], path_b[256], cmd[512];
	uint64_t rx0, tx0, rx1, tx1, arx0, atx0, arx1, atx1, pk, by, rxb0, rxb1, txb0, txb1;
	uint32_t ifa = ns_ifindex(np.ns_a, np.if_a), ifb = ns_ifindex(np.ns_b, np.if_b);
	FILE *server;
	char line[32];
	int st;

	(void)flow_only;
	snprintf(path_a, sizeof(path_a), "%s", rec_tmp_path("side-a.db"));
	snprintf(path_b, sizeof(path_b), "%s", rec_tmp_path("side-b.db"));
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s tcpserve 5001", np.ns_b, NETGEN_BIN);
	server = popen(cmd, "r");
	cr_assert_not_null(fgets(line, sizeof(line), server), "tcp server did not start");

	recorder_start_in(&ra, np.ns_a, path_a, args_a);
	recorder_start_in(&rb, np.ns_b, path_b, args_b);
	usleep(300000);
	rx0 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	/* a packet tc saw can still be dropped by veth later (peer backlog
	 * full): the kernel counts it in tx_dropped, not tx_packets */
	tx0 = ns_counter(np.ns_b, np.if_b, "tx_packets") + ns_counter(np.ns_b, np.if_b, "tx_dropped");
	arx0 = ns_counter(np.ns_a, np.if_a, "rx_packets");
	rxb0 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	txb0 = ns_counter(np.ns_b, np.if_b, "tx_bytes");
	atx0 = ns_counter(np.ns_a, np.if_a, "tx_packets") + ns_counter(np.ns_a, np.if_a, "tx_dropped");

	gen(np.ns_a, "udp 10.99.0.2 20000 2000 3");	 /* 2,000 IPv4 flows x 3 */
	gen(np.ns_a, "udp fd99::2 30000 500 2");	 /* 500 IPv6 flows x 2 */
	snprintf(cmd, sizeof(cmd), "raw %s %s vlan 30", np.if_a, netpair_mac(np.ns_b, np.if_b));
	gen(np.ns_a, cmd); /* 802.1Q-tagged */
	snprintf(cmd, sizeof(cmd), "raw %s %s qinq 20", np.if_a, netpair_mac(np.ns_b, np.if_b));
	gen(np.ns_a, cmd); /* 802.1ad + 802.1Q */
	snprintf(cmd, sizeof(cmd), "raw %s %s trunc 10", np.if_a, netpair_mac(np.ns_b, np.if_b));
	gen(np.ns_a, cmd); /* IPv4 header cut short: "other", never misparsed */
	gen(np.ns_a, "udp 10.99.0.2 50000 20 5 ipopt"); /* IPv4 with options */
	gen(np.ns_a, "icmp 10.99.0.2 20");
	gen(np.ns_a, "tcp 10.99.0.2 5001 50");
	pclose(server);
	usleep(500000);

	rx1 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	tx1 = ns_counter(np.ns_b, np.if_b, "tx_packets") + ns_counter(np.ns_b, np.if_b, "tx_dropped");
	arx1 = ns_counter(np.ns_a, np.if_a, "rx_packets");
	rxb1 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	txb1 = ns_counter(np.ns_b, np.if_b, "tx_bytes");
	atx1 = ns_counter(np.ns_a, np.if_a, "tx_packets") + ns_counter(np.ns_a, np.if_a, "tx_dropped");
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder B status %d", st);
	st = recorder_stop(&ra, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder A status %d", st);
	capture_load(&cb, path_b);
	capture_load(&ca, path_a);

		/* ingress on B and egress on A: every flow, exactly */
	check_udp(&cb, ifb, FMT_DIR_INGRESS, "10.99.0.2", 20000, 2000, 3);
	check_udp(&ca, ifa, FMT_DIR_EGRESS, "10.99.0.2", 20000, 2000, 3);
	check_udp(&cb, ifb, FMT_DIR_INGRESS, "fd99::2", 30000, 500, 2);
	check_udp(&ca, ifa, FMT_DIR_EGRESS, "fd99::2", 30000, 500, 2);
	check_udp(&cb, ifb, FMT_DIR_INGRESS, "10.99.0.2", 41000, 1, 30);
	check_udp(&ca, ifa, FMT_DIR_EGRESS, "10.99.0.2", 41000, 1, 30);
	check_udp(&cb, ifb, FMT_DIR_INGRESS, "10.99.0.2", 42000, 1, 20);
	check_udp(&ca, ifa, FMT_DIR_EGRESS, "10.99.0.2", 42000, 1, 20);
	cr_assert_geq(other_packets(&cb, ifb, FMT_DIR_INGRESS), 10, "truncated frames as other");
	check_udp(&cb, ifb, FMT_DIR_INGRESS, "10.99.0.2", 50000, 20, 5);
	check_udp(&ca, ifa, FMT_DIR_EGRESS, "10.99.0.2", 50000, 20, 5);
	cr_assert_eq(sum_to(&cb, ifb, FMT_DIR_INGRESS, 1, "10.99.0.2", 0), 20, "echo requests in");
	cr_assert_eq(sum_to(&cb, ifb, FMT_DIR_EGRESS, 1, "10.99.0.1", 0), 20, "echo replies out");
	cr_assert_geq(sum_to(&cb, ifb, FMT_DIR_INGRESS, 6, "10.99.0.2", 5001), 51,
		      "tcp: SYN + 50 data segments at least");
	cr_assert_eq(sum_to(&cb, ifb, FMT_DIR_INGRESS, 6, "10.99.0.2", 5001),
		     sum_to(&ca, ifa, FMT_DIR_EGRESS, 6, "10.99.0.2", 5001),
		     "tcp segments seen leaving A and arriving at B differ");

	/* per-interface totals equal the kernel's counters */
	flows_totals(&cb, ifb, FMT_DIR_INGRESS, &pk, &by);
	cr_assert_eq(pk, rx1 - rx0, "B ingress: %llu recorded, kernel rx %llu",
		     (unsigned long long)pk, (unsigned long long)(rx1 - rx0));
	cr_assert_eq(by, rxb1 - rxb0, "B ingress: %llu bytes recorded, kernel rx %llu",
		     (unsigned long long)by, (unsigned long long)(rxb1 - rxb0));
	flows_totals(&cb, ifb, FMT_DIR_EGRESS, &pk, &by);
	cr_assert_eq(pk, tx1 - tx0, "B egress: %llu recorded, kernel tx %llu",
		     (unsigned long long)pk, (unsigned long long)(tx1 - tx0));
	if (pk == tx1 - tx0 && ns_counter(np.ns_b, np.if_b, "tx_dropped") == 0)
		cr_assert_eq(by, txb1 - txb0, "B egress: %llu bytes recorded, kernel tx %llu",
			     (unsigned long long)by, (unsigned long long)(txb1 - txb0));
	if (getenv("NET_DEBUG"))
		for (size_t i = 0; i < ca.nflow; i++)
			if (ca.flows[i].key.dir == FMT_DIR_INGRESS || ca.flows[i].key.proto != 17)
				cr_log_info("A row ts %llu dir %d fam %d proto %d sport %d dport %d pk %llu",
					    (unsigned long long)ca.flows[i].ts_ns, ca.flows[i].key.dir,
					    ca.flows[i].key.family, ca.flows[i].key.proto,
					    ca.flows[i].key.sport, ca.flows[i].key.dport,
					    (unsigned long long)ca.flows[i].packets);
	if (getenv("NET_DEBUG"))
		for (size_t i = 0; i < cb.nflow; i++)
			if (cb.flows[i].key.dir == FMT_DIR_EGRESS)
				cr_log_info("B row ts %llu dir %d fam %d proto %d sport %d dport %d pk %llu",
					    (unsigned long long)cb.flows[i].ts_ns, cb.flows[i].key.dir,
					    cb.flows[i].key.family, cb.flows[i].key.proto,
					    cb.flows[i].key.sport, cb.flows[i].key.dport,
					    (unsigned long long)cb.flows[i].packets);
	flows_totals(&ca, ifa, FMT_DIR_INGRESS, &pk, &by);
	cr_assert_eq(pk, arx1 - arx0, "A ingress: %llu recorded, kernel rx %llu",
		     (unsigned long long)pk, (unsigned long long)(arx1 - arx0));
	flows_totals(&ca, ifa, FMT_DIR_EGRESS, &pk, &by);
	cr_assert_eq(pk, atx1 - atx0, "A egress: %llu recorded, kernel tx %llu",
		     (unsigned long long)pk, (unsigned long long)(atx1 - atx0));
	cr_assert_eq(capture_meta_u64(&cb, "lost_flow_overflow"), 0);
	capture_free(&ca);
	capture_free(&cb);
}

Test(flows, overflow_accounts_for_every_packet, .init = setup, .fini = teardown, .timeout = 120)
{
	struct recorder rb;
	struct capture cb;
	const char *args[] = { "--no-exec", "-i", np.if_b, "--max-flows", "64", NULL };
	uint32_t ifb = ns_ifindex(np.ns_b, np.if_b);
	uint64_t udp = 0, over = 0;
	int st;

	recorder_start_in(&rb, np.ns_b, rec_tmp_path("overflow.db"), args);
	gen(np.ns_a, "udp 10.99.0.2 20000 1000 4");
	usleep(300000);
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&cb, rb.path);
	for (size_t i = 0; i < cb.nflow; i++) {
		const struct fmt_flow *f = &cb.flows[i];
		if (f->key.ifindex != ifb || f->key.dir != FMT_DIR_INGRESS)
			continue;
		if (f->key.family == FMT_FAMILY_OVERFLOW)
			over += f->packets;
		else if (f->key.proto == 17)
			udp += f->packets;
	}
	cr_log_info("%llu packets in flows + %llu in overflow = %d sent", (unsigned long long)udp,
		    (unsigned long long)over, 4000);
	cr_assert_gt(over, 0, "1,000 flows in a 64-entry table must overflow");
	cr_assert_eq(udp + over, 4000, "flows %llu + overflow %llu != 4000 sent",
		     (unsigned long long)udp, (unsigned long long)over);
	cr_assert_geq(capture_meta_u64(&cb, "lost_flow_overflow"), over);
	capture_free(&cb);
}

static int our_links(void);

/* Links are released asynchronously after the last fd closes: poll. */
static int links_after_exit(void)
{
	int n = our_links();

	for (int i = 0; i < 40 && n; i++) {
		usleep(50000);
		n = our_links();
	}
	return n;
}

/* Links in the kernel whose program is one of ours (by name). */
static int our_links(void)
{
	__u32 id = 0;
	int n = 0;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info li = { 0 };
		struct bpf_prog_info pi = { 0 };
		__u32 len = sizeof(li);
		int lfd = bpf_link_get_fd_by_id(id), pfd;

		if (lfd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(lfd, &li, &len) == 0 &&
		    (pfd = bpf_prog_get_fd_by_id(li.prog_id)) >= 0) {
			len = sizeof(pi);
			if (bpf_obj_get_info_by_fd(pfd, &pi, &len) == 0 &&
			    (!strcmp(pi.name, "flow_xdp") || !strncmp(pi.name, "flow_tc_", 8)))
				n++;
			close(pfd);
		}
		close(lfd);
	}
	return n;
}

Test(flows, nothing_left_attached_after_exit_or_sigkill, .init = setup, .fini = teardown,
     .timeout = 120)
{
	struct recorder rb;
	const char *args[] = { "--no-exec", "-i", np.if_b, NULL };
	char cmd[256];
	int st;

	recorder_start_in(&rb, np.ns_b, rec_tmp_path("detach.db"), args);
	cr_assert_geq(our_links(), 2, "xdp and tcx links expected while recording");
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(links_after_exit(), 0, "links left after a clean exit");

	recorder_start_in(&rb, np.ns_b, rec_tmp_path("detach2.db"), args);
	cr_assert_geq(our_links(), 2);
	st = recorder_stop(&rb, SIGKILL);
	cr_assert(WIFSIGNALED(st));
	cr_assert_eq(links_after_exit(), 0, "links left after SIGKILL");
	snprintf(cmd, sizeof(cmd), "ip -n %s link show %s | grep -q xdp", np.ns_b, np.if_b);
	cr_assert_neq(system(cmd), 0, "an XDP program is still attached");
}

/* End to end: record execs and traffic, read them back with ebpfreport. */
Test(report, end_to_end_top_10, .init = setup, .fini = teardown, .timeout = 120)
{
	struct recorder rb;
	const char *args[] = { "-i", np.if_b, "--interval", "200ms", NULL };
	char prog[256], cmd[1024], line[512];
	int st, seen_cmd = 0, seen_flow = 0;
	struct capture c;
	FILE *f;

	snprintf(prog, sizeof(prog), "%s", rec_tmp_path("e2etruexyz"));
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	cr_assert_eq(system(cmd), 0);
	recorder_start_in(&rb, np.ns_b, rec_tmp_path("e2e.db"), args);
	for (int i = 0; i < 7; i++)
		cr_assert_eq(system(prog), 0);
	gen(np.ns_a, "udp 10.99.0.2 7777 1 50");
	usleep(500000);
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* the whole host's execs are recorded: other builds and tests running
	 * at the same time can push ours out of a top 10 */
	snprintf(cmd, sizeof(cmd), "%s %s --top 1000", EBPFREPORT_BIN, rb.path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long n;
		if (sscanf(line, "%63s %lu", name, &n) == 2 && !strcmp(name, "e2etruexyz")) {
			cr_assert_eq(n, 7, "e2etruexyz ran 7 times: %s", line);
			seen_cmd = 1;
		}
		if (strstr(line, "-> 10.99.0.2:7777") && strstr(line, " in  udp 10.99.0.1:")) {
			char *p = strstr(line, ":7777") + 5;
			cr_assert_eq(strtoul(p, NULL, 10), 50, "50 packets sent: %s", line);
			seen_flow = 1;
		}
	}
	cr_assert_eq(pclose(f), 0);
	cr_assert(seen_cmd, "the command is missing from ebpfreport's top");
	cr_assert(seen_flow, "the flow is missing from ebpfreport's top");
	/* ip netns exec mounts a /sys without the cgroup hierarchy: owners
	 * are attributed all the same */
	capture_load(&c, rb.path);
	cr_assert_str_eq(fmt_reader_meta(c.r, FMT_META_OWNERS), "sockets");
	capture_free(&c);
}

/* replay --follow prints what a running recorder writes, and ends when the
 * recorder closes the file. */
Test(report, follow_a_live_session, .timeout = 120)
{
	struct recorder rec;
	const char *args[] = { "--no-net", NULL };
	char prog[256], cmd[1024], line[512];
	FILE *f;
	int seen = 0, st;

	cr_assert_eq(geteuid(), 0);
	snprintf(prog, sizeof(prog), "%s", rec_tmp_path("followxyz"));
	snprintf(cmd, sizeof(cmd), "cp /bin/true %s", prog);
	cr_assert_eq(system(cmd), 0);
	recorder_start_in(&rec, NULL, rec_tmp_path("follow.db"), args);
	snprintf(cmd, sizeof(cmd), "timeout 60 %s replay %s --follow --type exec 2>&1", EBPFREPORT_BIN,
		 rec.path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	sleep(1);
	cr_assert_eq(system(prog), 0);
	sleep(2); /* at least one flush and one follow round */
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char all[8192] = "";
	while (fgets(line, sizeof(line), f)) {
		seen += strstr(line, " followxyz ") != NULL;
		if (strstr(line, "ebpfreport:"))
			strncat(all, line, sizeof(all) - strlen(all) - 1);
	}
	st = pclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "replay --follow must end when the "
							  "session is closed (status %d): %s", st, all);
	cr_assert_eq(seen, 1, "the exec made while following was printed %d times", seen);
}

/* A veth deleted and created again while recording (a container restart):
 * the recording goes on, the old interface is listed as gone and the new
 * one is hooked under its new index, with its traffic counted. */
Test(flows, interface_deleted_and_recreated, .init = setup, .fini = teardown, .timeout = 120)
{
	const char *args[] = { "--no-exec", "-i", np.if_a, "--interval", "200ms", NULL };
	uint32_t old_if = ns_ifindex(np.ns_a, np.if_a), new_if;
	struct recorder rec;
	struct capture cap;
	const char *ifs;
	char cmd[256];
	int st;

	recorder_start_in(&rec, np.ns_a, rec_tmp_path("churn.db"), args);
	gen(np.ns_a, "udp 10.99.0.2 20000 2 5");
	usleep(500000);
	snprintf(cmd, sizeof(cmd), "ip link del %s", np.if_a);
	ns_run(np.ns_a, "%s", cmd);
	sleep(2); /* the recorder notices within a second */
	cr_assert_eq(kill(rec.pid, 0), 0, "the recorder stopped when its interface went away");
	netpair_link(&np);
	new_if = ns_ifindex(np.ns_a, np.if_a);
	cr_assert_neq(new_if, old_if);
	sleep(2); /* ... and hooks the new one within a second */
	gen(np.ns_a, "udp 10.99.0.2 21000 3 7");
	usleep(600000);
	cr_assert_eq(kill(rec.pid, 0), 0, "the recorder stopped");
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d", st);

	capture_load(&cap, rec.path);
	cr_assert_eq(sum_to(&cap, old_if, FMT_DIR_EGRESS, 17, "10.99.0.2", -1), 10);
	cr_assert_eq(sum_to(&cap, new_if, FMT_DIR_EGRESS, 17, "10.99.0.2", -1), 21);
	ifs = fmt_reader_meta(cap.r, "interfaces");
	cr_assert_not_null(ifs);
	snprintf(cmd, sizeof(cmd), "{\"index\":%u,\"name\":\"%s\"", old_if, np.if_a);
	cr_assert_not_null(strstr(ifs, cmd), "%s", ifs);
	cr_assert_not_null(strstr(strstr(ifs, cmd), "\"gone\":true"), "%s", ifs);
	snprintf(cmd, sizeof(cmd), "{\"index\":%u,\"name\":\"%s\"", new_if, np.if_a);
	cr_assert_not_null(strstr(ifs, cmd), "new interface not listed: %s", ifs);
	capture_free(&cap);
}
