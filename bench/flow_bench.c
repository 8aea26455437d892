/* flow_bench.c - costs of the flow probe, side by side with the reference
 * post's XDP counter (ref_xdp.bpf.c).
 *
 *   flow_bench prog            ns per packet via BPF_PROG_TEST_RUN
 *   flow_bench drain N...      user-space cost of one interval with N flows
 *   flow_bench ref IFACE SECS [udp]
 *                              attach the reference program to IFACE (XDP
 *                              generic) for SECS or until SIGINT, then print
 *                              what it counted ("udp": count UDP too)
 */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/types.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events.h"
#include "flow_source.h"
#include "fmt.h"
#include "ifaces.h"
#include "options.h"
#include "ref_xdp.skel.h"
#include "output.h"
#include "sink.h"

#define REPEAT 1000000

static void die(const char *what)
{
	fprintf(stderr, "flow_bench: %s\n", what);
	exit(1);
}

/* 64-byte frames: Ethernet + IPv4/UDP, IPv4/TCP, IPv6/TCP */
static size_t frame(unsigned char *f, int v6, int proto)
{
	memset(f, 0, 64);
	memset(f, 0x02, 12);
	if (!v6) {
		f[12] = 0x08, f[13] = 0x00;
		f[14] = 0x45, f[16] = 0, f[17] = 50, f[22] = 64, f[23] = (unsigned char)proto;
		f[26] = 10, f[27] = 1, f[28] = 2, f[29] = 3; /* src */
		f[30] = 10, f[31] = 1, f[32] = 9, f[33] = 9; /* dst */
		f[34] = 0x12, f[35] = 0x34, f[36] = 0x01, f[37] = 0xbb; /* ports */
	} else {
		f[12] = 0x86, f[13] = 0xdd;
		f[14] = 0x60, f[19] = 10, f[20] = (unsigned char)proto, f[21] = 64;
		f[22] = 0xfd, f[37] = 1, f[38] = 0xfd, f[53] = 2;
		f[54] = 0x12, f[55] = 0x34, f[56] = 0x01, f[57] = 0xbb;
	}
	return 64;
}

static double test_run(int prog_fd, const unsigned char *f, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = (__u32)len,
		    .repeat = REPEAT);
	if (bpf_prog_test_run_opts(prog_fd, &o))
		die("BPF_PROG_TEST_RUN failed");
	return o.duration; /* average ns per run */
}

static struct sink *temp_sink(const char *name)
{
	char path[256];
	struct rec_options o = { .output = path, .force = true };
	struct output *out;
	char *err;

	snprintf(path, sizeof(path), "/tmp/flow-bench-%d-%s.db", getpid(), name);
	if (!(out = output_open(&o, &err)))
		die(err);
	unlink(path); /* the data is not the point */
	return sink_new(out, 1ull << 30);
}

static struct flow_source *bare_source(uint32_t max_flows, struct sink *s)
{
	static struct iface_list none;
	struct rec_options o = { .max_flows = max_flows, .interval_ns = 1000000000 };
	char err[256];
	struct flow_source *f = flow_source_open(&o, &none, s, NULL, NULL, err, sizeof(err));

	if (!f)
		die(err);
	return f;
}

static int prog(void)
{
	struct sink *s = temp_sink("prog");
	struct flow_source *f = bare_source(65536, s);
	struct ref_xdp_bpf *ref = ref_xdp_bpf__open(), *ref_udp = ref_xdp_bpf__open();
	unsigned char fr[64];
	char *err;
	static const struct {
		const char *name;
		int v6, proto;
	} frames[] = { { "64B IPv4/UDP", 0, 17 }, { "64B IPv4/TCP", 0, 6 }, { "64B IPv6/TCP", 1, 6 } };

	if (!ref || !ref_udp)
		die("cannot open the reference program");
	ref_udp->rodata->count_udp = true;
	if (ref_xdp_bpf__load(ref) || ref_xdp_bpf__load(ref_udp))
		die("cannot load the reference program");
	printf("per-packet cost, BPF_PROG_TEST_RUN, repeat %d (ns per packet)\n", REPEAT);
	printf("%-14s %10s %12s %16s %8s\n", "frame", "ebpfrec", "reference", "reference+udp", "empty");
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		size_t len = frame(fr, frames[i].v6, frames[i].proto);
		double ours = test_run(flow_source_xdp_fd(f), fr, len);
		double theirs = test_run(bpf_program__fd(ref->progs.xdp_prog_func), fr, len);
		double theirs_udp = test_run(bpf_program__fd(ref_udp->progs.xdp_prog_func), fr, len);
		double empty = test_run(bpf_program__fd(ref->progs.xdp_empty), fr, len);
		printf("%-14s %10.1f %12.1f %16.1f %8.1f\n", frames[i].name, ours, theirs, theirs_udp,
		       empty);
	}
	printf("(the reference counts TCP only and IPv4 only: on IPv4/UDP and IPv6 frames it does "
	       "no map work; 'reference+udp' also counts UDP)\n");
	ref_xdp_bpf__destroy(ref);
	ref_xdp_bpf__destroy(ref_udp);
	flow_source_close(f, 0, NULL);
	sink_close(s, &err);
	return 0;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Fill the active table with n flows (values on every CPU), then time one
 * interval: swap, synchronize, drain, sum CPUs, sort, hand to the sink. */
static int drain(int argc, char **argv)
{
	int ncpu = libbpf_num_possible_cpus();

	printf("user-space cost of one interval (swap + drain + sum CPUs + sort + queue), %d CPUs\n",
	       ncpu);
	for (int a = 0; a < argc; a++) {
		uint32_t n = (uint32_t)strtoul(argv[a], NULL, 10);
		struct sink *s = temp_sink("drain");
		struct flow_source *f = bare_source(n + 1024, s);
		struct flow_key4 *keys = calloc(n, sizeof(*keys));
		struct flow_val *vals = calloc((size_t)n * ncpu, sizeof(*vals));
		double best = 1e9, total = 0;
		char *err;
		int runs = 3;

		if (!keys || !vals)
			die("out of memory");
		for (int r = 0; r < runs; r++) {
			LIBBPF_OPTS(bpf_map_batch_opts, bo);
			uint32_t count = n;
			double t0;
			char msg[256];
			for (uint32_t i = 0; i < n; i++) {
				keys[i].ifindex = 2;
				keys[i].family = FLOW_FAMILY_IPV4;
				keys[i].proto = 17;
				memcpy(keys[i].src, &i, 4);
				keys[i].dport = (uint16_t)(r + 1);
				for (int c = 0; c < ncpu; c++)
					vals[(size_t)i * ncpu + c] = (struct flow_val){ 1 + c, 100 };
			}
			if (bpf_map_update_batch(flow_source_table_fd(f, flow_source_active_slot(f), 1),
						 keys, vals, &count, &bo) || count != n)
				die("cannot fill the flow table");
			t0 = now_ms();
			if (flow_source_drain(f, (uint64_t)(r + 1) * 1000000000ull, msg, sizeof(msg)))
				die(msg);
			t0 = now_ms() - t0;
			{
				struct flow_counts fc;
				flow_source_counts(f, &fc);
				printf("  run %d: %.1f ms = swap %.1f + read tables %.1f + sort and queue %.1f\n",
				       r + 1, t0, fc.last_sync_ns / 1e6, fc.last_read_ns / 1e6,
				       t0 - (fc.last_sync_ns + fc.last_read_ns) / 1e6);
			}
			total += t0;
			if (t0 < best)
				best = t0;
		}
		printf("%8u flows: %.1f ms best, %.1f ms mean of %d  (%.2f M flows/s)\n", n, best,
		       total / runs, runs, n / best / 1e3);
		free(keys);
		free(vals);
		flow_source_close(f, 0, NULL);
		sink_close(s, &err);
	}
	return 0;
}

static void on_sigint(int sig)
{
	(void)sig;
}

static int ref(const char *ifname, int secs, int udp)
{
	struct ref_xdp_bpf *r = ref_xdp_bpf__open();
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_SKB_MODE);
	__u64 key, next;
	__u32 val;
	unsigned long long pk = 0, flows = 0;
	int idx = (int)if_nametoindex(ifname), fd, map;

	if (!r || !idx)
		die("cannot open the reference program or find the interface");
	r->rodata->count_udp = udp;
	if (ref_xdp_bpf__load(r))
		die("cannot load the reference program");
	fd = bpf_link_create(bpf_program__fd(r->progs.xdp_prog_func), idx, BPF_XDP, &lo);
	if (fd < 0)
		die("cannot attach the reference program");
	printf("ready\n");
	fflush(stdout);
	signal(SIGINT, on_sigint); /* SIGINT ends the wait early */
	sleep((unsigned)secs);
	close(fd);
	map = bpf_map__fd(r->maps.xdp_stats_map);
	for (int rc = bpf_map_get_next_key(map, NULL, &next); !rc;
	     rc = bpf_map_get_next_key(map, &key, &next)) {
		if (!bpf_map_lookup_elem(map, &next, &val)) {
			pk += val;
			flows++;
		}
		key = next;
	}
	printf("counted %llu flows %llu\n", pk, flows);
	ref_xdp_bpf__destroy(r);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	if (argc >= 2 && !strcmp(argv[1], "prog"))
		return prog();
	if (argc >= 3 && !strcmp(argv[1], "drain"))
		return drain(argc - 2, argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "ref"))
		return ref(argv[2], atoi(argv[3]), argc > 4 && !strcmp(argv[4], "udp"));
	fprintf(stderr, "usage: flow_bench prog | drain N... | ref IFACE SECS [udp]\n");
	return 2;
}
