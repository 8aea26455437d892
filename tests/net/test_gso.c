/* test_gso.c - packets are the packets on the wire: a bulk TCP transfer
 * through a veth pair, with segmentation and receive offloads off (the
 * stack's GSO splits each large skb after the tc hook) and on (the veth
 * hands the large skb to its peer whole). The flow's packets and bytes in
 * the session equal the peer's capture (tcpdump) and the interface
 * counters, exactly. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "chain_counter.skel.h"
#include "flowsum.h"
#include "netns.h"
#include "pcap.h"

#define PORT 5555
#define BYTES "20000000"

static struct netpair np;

static void setup(void)
{
	cr_assert_eq(geteuid(), 0, "run as root (scripts/test.sh)");
	cr_assert_eq(system("command -v tcpdump >/dev/null && command -v ethtool >/dev/null"), 0,
		     "tcpdump and ethtool are needed (scripts/setup.sh --tests installs them)");
	netpair_up(&np);
}

static void teardown(void)
{
	netpair_down(&np);
}

static void offloads(const char *ns, const char *ifn, const char *on)
{
	ns_run(ns, "ethtool -K %s tso %s gso %s gro %s >/dev/null 2>&1; true", ifn, on, on, on);
}

/* One transfer A -> B to dst with offloads on or off on both sides,
 * recorded on A's interface (egress) and B's (ingress). */
static void bulk(const char *dst, const char *on)
{
	const char *args_a[] = { "--no-exec", "-i", np.if_a, "--interval", "200ms", NULL };
	const char *args_b[] = { "--no-exec", "-i", np.if_b, "--interval", "200ms", NULL };
	char cmd[1024], line[64], filter[64];
	uint32_t ifa = ns_ifindex(np.ns_a, np.if_a), ifb = ns_ifindex(np.ns_b, np.if_b);
	uint64_t tx0, txb0, tx1, txb1, rx0, rxb0, rx1, rxb1, pk, by, cpk, cby, ipk, iby;
	struct recorder ra, rb;
	struct capture ca, cb;
	struct pcap_run peer;
	FILE *sink;
	int st;

	offloads(np.ns_a, np.if_a, on);
	offloads(np.ns_b, np.if_b, on);
	snprintf(filter, sizeof(filter), "tcp and dst port %d", PORT);
	pcap_start(&peer, np.ns_b, np.if_b, filter);
	recorder_start_in(&ra, np.ns_a, rec_tmp_path("gso-a.db"), args_a);
	recorder_start_in(&rb, np.ns_b, rec_tmp_path("gso-b.db"), args_b);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s sink %d", np.ns_b, NETGEN_BIN, PORT);
	sink = popen(cmd, "r");
	cr_assert_not_null(fgets(line, sizeof(line), sink), "sink did not start");
	tx0 = ns_counter(np.ns_a, np.if_a, "tx_packets");
	txb0 = ns_counter(np.ns_a, np.if_a, "tx_bytes");
	rx0 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	rxb0 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	ns_run(np.ns_a, "%s bulk %s %d " BYTES, NETGEN_BIN, dst, PORT);
	cr_assert_not_null(fgets(line, sizeof(line), sink));
	cr_assert_eq(strtoull(line, NULL, 10), strtoull(BYTES, NULL, 10), "sink read %s", line);
	pclose(sink);
	usleep(500000);
	tx1 = ns_counter(np.ns_a, np.if_a, "tx_packets");
	txb1 = ns_counter(np.ns_a, np.if_a, "tx_bytes");
	rx1 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	rxb1 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	st = recorder_stop(&ra, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder A status %d", st);
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder B status %d", st);
	pcap_stop(&peer);

	capture_load(&ca, ra.path);
	capture_load(&cb, rb.path);
	pcap_totals(peer.path, &cpk, &cby);
	pk = flows_sum(&ca, ifa, FMT_DIR_EGRESS, 6, dst, PORT, PORT, &by);
	ipk = flows_sum(&cb, ifb, FMT_DIR_INGRESS, 6, dst, PORT, PORT, &iby);
	cr_log_info("offloads %s, to %s: A egress %llu packets %llu B; B ingress %llu packets %llu "
		    "B; peer capture %llu packets %llu B; A tx %llu / %llu B",
		    on, dst, (unsigned long long)pk, (unsigned long long)by,
		    (unsigned long long)ipk, (unsigned long long)iby, (unsigned long long)cpk,
		    (unsigned long long)cby, (unsigned long long)(tx1 - tx0),
		    (unsigned long long)(txb1 - txb0));
	cr_assert_eq(pk, cpk, "offloads %s: egress %llu packets, the peer captured %llu", on,
		     (unsigned long long)pk, (unsigned long long)cpk);
	cr_assert_eq(by, cby, "offloads %s: egress %llu bytes, the peer captured %llu", on,
		     (unsigned long long)by, (unsigned long long)cby);
	cr_assert_eq(ipk, cpk, "offloads %s: ingress %llu packets, the peer captured %llu", on,
		     (unsigned long long)ipk, (unsigned long long)cpk);
	cr_assert_eq(iby, cby, "offloads %s: ingress %llu bytes, the peer captured %llu", on,
		     (unsigned long long)iby, (unsigned long long)cby);
	cr_assert_eq(ns_counter(np.ns_a, np.if_a, "tx_dropped"), 0,
		     "the veth dropped packets: the peer cannot have captured them");
	/* A sends nothing but this flow; B receives nothing else */
	flows_totals(&ca, ifa, FMT_DIR_EGRESS, &pk, &by);
	cr_assert_eq(pk, tx1 - tx0, "A egress %llu packets, tx counter %llu",
		     (unsigned long long)pk, (unsigned long long)(tx1 - tx0));
	cr_assert_eq(by, txb1 - txb0, "A egress %llu bytes, tx counter %llu",
		     (unsigned long long)by, (unsigned long long)(txb1 - txb0));
	flows_totals(&cb, ifb, FMT_DIR_INGRESS, &pk, &by);
	cr_assert_eq(pk, rx1 - rx0, "B ingress %llu packets, rx counter %llu",
		     (unsigned long long)pk, (unsigned long long)(rx1 - rx0));
	cr_assert_eq(by, rxb1 - rxb0, "B ingress %llu bytes, rx counter %llu",
		     (unsigned long long)by, (unsigned long long)(rxb1 - rxb0));
	capture_free(&ca);
	capture_free(&cb);
}

Test(gso, offloads_off_ipv4, .init = setup, .fini = teardown, .timeout = 120)
{
	bulk("10.99.0.2", "off");
}

Test(gso, offloads_off_ipv6, .init = setup, .fini = teardown, .timeout = 120)
{
	bulk("fd99::2", "off");
}

Test(gso, offloads_on_ipv4, .init = setup, .fini = teardown, .timeout = 120)
{
	bulk("10.99.0.2", "on");
}

Test(gso, offloads_on_ipv6, .init = setup, .fini = teardown, .timeout = 120)
{
	bulk("fd99::2", "on");
}

/* XDP on B is taken (by the test's program): ebpfrec counts B's ingress with
 * tc, which sees what GRO merged. Each merged packet counts as the segments
 * that arrived; they equal what A sent and B's receive counter. */
Test(gso, gro_merged_packets_count_as_their_segments, .init = setup, .fini = teardown,
     .timeout = 120)
{
	const char *args_a[] = { "--no-exec", "-i", np.if_a, "--interval", "200ms", NULL };
	const char *args_b[] = { "--no-exec", "-i", np.if_b, "--interval", "200ms", NULL };
	struct chain_counter_bpf *cc = chain_counter_bpf__open_and_load();
	uint32_t ifa = ns_ifindex(np.ns_a, np.if_a), ifb = ns_ifindex(np.ns_b, np.if_b);
	uint64_t rx0, rxb0, rx1, rxb1, pk, by, ipk, iby;
	struct recorder ra, rb;
	struct capture ca, cb;
	char cmd[256], line[64], log[256];
	FILE *sink;
	int xdp, st;

	cr_assert_not_null(cc);
	offloads(np.ns_a, np.if_a, "off");
	ns_run(np.ns_b, "ethtool -K %s gro on", np.if_b);
	ns_enter(np.ns_b);
	/* native: generic XDP would switch GRO off (netif_elide_gro) */
	LIBBPF_OPTS(bpf_link_create_opts, native, .flags = XDP_FLAGS_DRV_MODE);
	xdp = bpf_link_create(bpf_program__fd(cc->progs.chain_xdp), (int)ifb, BPF_XDP, &native);
	cr_assert_geq(xdp, 0);
	snprintf(log, sizeof(log), "%s", rec_tmp_path("gro-b.log"));
	recorder_start_in(&ra, np.ns_a, rec_tmp_path("gro-a.db"), args_a);
	recorder_start_in_logged(&rb, np.ns_b, rec_tmp_path("gro-b.db"), args_b, log);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s sink %d", np.ns_b, NETGEN_BIN, PORT);
	sink = popen(cmd, "r");
	cr_assert_not_null(fgets(line, sizeof(line), sink), "sink did not start");
	rx0 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	rxb0 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	ns_run(np.ns_a, "%s bulk 10.99.0.2 %d " BYTES, NETGEN_BIN, PORT);
	cr_assert_not_null(fgets(line, sizeof(line), sink));
	pclose(sink);
	usleep(500000);
	rx1 = ns_counter(np.ns_b, np.if_b, "rx_packets");
	rxb1 = ns_counter(np.ns_b, np.if_b, "rx_bytes");
	st = recorder_stop(&ra, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	st = recorder_stop(&rb, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	capture_load(&ca, ra.path);
	capture_load(&cb, rb.path);
	cr_assert_not_null(strstr(fmt_reader_meta(cb.r, "interfaces"), "tcx (xdp busy)"));
	pk = flows_sum(&ca, ifa, FMT_DIR_EGRESS, 6, "10.99.0.2", PORT, PORT, &by);
	ipk = flows_sum(&cb, ifb, FMT_DIR_INGRESS, 6, "10.99.0.2", PORT, PORT, &iby);
	cr_log_info("A egress %llu packets %llu B; B ingress (tc) %llu packets %llu B; B rx %llu / "
		    "%llu B",
		    (unsigned long long)pk, (unsigned long long)by, (unsigned long long)ipk,
		    (unsigned long long)iby, (unsigned long long)(rx1 - rx0),
		    (unsigned long long)(rxb1 - rxb0));
	cr_assert_eq(ipk, pk, "B ingress %llu packets, A sent %llu", (unsigned long long)ipk,
		     (unsigned long long)pk);
	cr_assert_eq(iby, by, "B ingress %llu bytes, A sent %llu", (unsigned long long)iby,
		     (unsigned long long)by);
	flows_totals(&cb, ifb, FMT_DIR_INGRESS, &pk, &by);
	cr_assert_eq(pk, rx1 - rx0, "B ingress %llu packets, rx counter %llu",
		     (unsigned long long)pk, (unsigned long long)(rx1 - rx0));
	/* a veth whose peer receives through NAPI (GRO on) counts bytes after
	 * the 14-byte Ethernet header was pulled, on both ends; a session
	 * counts frames */
	cr_assert_eq(by, rxb1 - rxb0 + 14 * pk, "B ingress %llu bytes, rx counter %llu + 14 x %llu",
		     (unsigned long long)by, (unsigned long long)(rxb1 - rxb0),
		     (unsigned long long)pk);
	capture_free(&ca);
	capture_free(&cb);
	close(xdp);
	chain_counter_bpf__destroy(cc);
}
