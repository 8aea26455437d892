/* test_chain.c - ebpfrec never disturbs the other programs on an interface:
 * programs attached after its tc/tcx programs still run (it returns
 * TCX_NEXT / TC_ACT_UNSPEC, not TC_ACT_OK, which ends the chain), two
 * recorders on one interface both count everything, and falling back from
 * a taken XDP hook is announced on stderr. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chain_counter.skel.h"
#include "flowsum.h"
#include "netns.h"

#define ATTACH_TCX_INGRESS 46 /* enum bpf_attach_type, kernel 6.6+ */
#define ATTACH_TCX_EGRESS 47
#define PORT_IN 47000 /* A -> B: ingress at B */
#define PORT_OUT 47050 /* B -> A: egress at B */
#define FLOWS 10
#define PER_FLOW 10

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

/* The test's traffic both ways through B's interface. */
static void traffic(void)
{
	ns_run(np.ns_a, "%s udp 10.99.0.2 %d %d %d", NETGEN_BIN, PORT_IN, FLOWS, PER_FLOW);
	ns_run(np.ns_b, "%s udp 10.99.0.1 %d %d %d", NETGEN_BIN, PORT_OUT, FLOWS, PER_FLOW);
	usleep(300000);
}

/* B's ingress and egress of the test's traffic as a recorder saw them. */
static void check_capture(const char *path, uint32_t ifb, const char *who)
{
	struct capture c;
	uint64_t in, out;

	capture_load(&c, path);
	in = flows_sum(&c, ifb, FMT_DIR_INGRESS, 17, "10.99.0.2", PORT_IN, PORT_IN + FLOWS - 1, NULL);
	out = flows_sum(&c, ifb, FMT_DIR_EGRESS, 17, "10.99.0.1", PORT_OUT, PORT_OUT + FLOWS - 1,
			NULL);
	cr_assert_eq(in, FLOWS * PER_FLOW, "%s: %llu of %d ingress packets", who,
		     (unsigned long long)in, FLOWS * PER_FLOW);
	cr_assert_eq(out, FLOWS * PER_FLOW, "%s: %llu of %d egress packets", who,
		     (unsigned long long)out, FLOWS * PER_FLOW);
	capture_free(&c);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = 0;
	if (f)
		fclose(f);
	return buf;
}

Test(chain, programs_attached_after_ebpfrec_still_run, .init = setup, .fini = teardown,
     .timeout = 120)
{
	struct chain_counter_bpf *cc = chain_counter_bpf__open();
	const char *args[] = { "--no-exec", "-i", np.if_b, "--interval", "200ms", NULL };
	char log[256];
	struct recorder rec;
	uint64_t seen[3];
	uint32_t ifb;
	int xdp, tcx_in, tcx_out, st;

	cr_assert_not_null(cc);
	cc->rodata->port_lo = PORT_IN;
	cc->rodata->port_hi = PORT_OUT + FLOWS - 1;
	cr_assert_eq(chain_counter_bpf__load(cc), 0);
	ns_enter(np.ns_b);
	ifb = if_nametoindex(np.if_b);
	cr_assert_neq(ifb, 0);

	/* XDP is ours first: ebpfrec must count ingress with tcx, and say so */
	LIBBPF_OPTS(bpf_link_create_opts, generic, .flags = XDP_FLAGS_SKB_MODE);
	xdp = bpf_link_create(bpf_program__fd(cc->progs.chain_xdp), (int)ifb, BPF_XDP, &generic);
	cr_assert_geq(xdp, 0, "attaching the test's XDP program");
	snprintf(log, sizeof(log), "%s", rec_tmp_path("chain.log"));
	recorder_start_in_logged(&rec, np.ns_b, rec_tmp_path("chain.db"), args, log);
	/* then tcx programs of ours after ebpfrec's, on both sides */
	tcx_in = bpf_link_create(bpf_program__fd(cc->progs.chain_tc_ingress), (int)ifb,
				 ATTACH_TCX_INGRESS, NULL);
	tcx_out = bpf_link_create(bpf_program__fd(cc->progs.chain_tc_egress), (int)ifb,
				  ATTACH_TCX_EGRESS, NULL);
	cr_assert(tcx_in >= 0 && tcx_out >= 0, "attaching the test's tcx programs");

	traffic();
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	for (uint32_t i = 0; i < 3; i++)
		cr_assert_eq(bpf_map__lookup_elem(cc->maps.seen, &i, sizeof(i), &seen[i],
						  sizeof(seen[i]), 0),
			     0);
	cr_assert_eq(seen[0], FLOWS * PER_FLOW, "XDP before ebpfrec saw %llu packets",
		     (unsigned long long)seen[0]);
	cr_assert_eq(seen[1], FLOWS * PER_FLOW,
		     "tcx ingress after ebpfrec saw %llu of %d packets: ebpfrec ended the chain",
		     (unsigned long long)seen[1], FLOWS * PER_FLOW);
	cr_assert_eq(seen[2], FLOWS * PER_FLOW,
		     "tcx egress after ebpfrec saw %llu of %d packets: ebpfrec ended the chain",
		     (unsigned long long)seen[2], FLOWS * PER_FLOW);
	check_capture(rec.path, ifb, "ebpfrec");
	cr_assert_not_null(strstr(slurp(log), "XDP is in use by another program; counting ingress "
					      "with tcx instead"),
			   "the fallback was not announced: %s", slurp(log));
	close(tcx_in);
	close(tcx_out);
	close(xdp);
	chain_counter_bpf__destroy(cc);
}

Test(chain, two_recorders_on_one_interface_both_count_everything, .init = setup,
     .fini = teardown, .timeout = 120)
{
	const char *args[] = { "--no-exec", "-i", np.if_b, "--interval", "300ms", NULL };
	struct recorder first, second;
	char log[256];
	uint32_t ifb = ns_ifindex(np.ns_b, np.if_b);
	int st;

	recorder_start_in(&first, np.ns_b, rec_tmp_path("first.db"), args);
	snprintf(log, sizeof(log), "%s", rec_tmp_path("second.log"));
	recorder_start_in_logged(&second, np.ns_b, rec_tmp_path("second.db"), args, log);
	traffic();
	st = recorder_stop(&second, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "second recorder status %d", st);
	st = recorder_stop(&first, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "first recorder status %d", st);
	check_capture(first.path, ifb, "first recorder");
	check_capture(second.path, ifb, "second recorder");
	cr_assert_not_null(strstr(slurp(log), "XDP is in use"), "%s", slurp(log));
}
