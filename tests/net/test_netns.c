/* test_netns.c - --netns records the interfaces of other network
 * namespaces (containers) from the recorder's own, without ip netns exec;
 * interfaces of two namespaces with the same ifindex stay apart. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

Test(netns, interfaces_of_other_namespaces, .init = setup, .fini = teardown, .timeout = 120)
{
	const char *args[] = { "--no-exec", "--netns", np.ns_a, "--netns", np.ns_b, "--interval",
			       "200ms", NULL };
	uint32_t ifa = ns_ifindex(np.ns_a, np.if_a), ifb = ns_ifindex(np.ns_b, np.if_b);
	uint32_t ida = 1u << 24 | ifa, idb = 2u << 24 | ifb;
	struct recorder rec;
	struct capture cap;
	char want[128];
	const char *ifs;
	int st;

	recorder_start_in(&rec, NULL, rec_tmp_path("netns.db"), args); /* in our namespace */
	ns_run(np.ns_a, "%s udp 10.99.0.2 46000 4 5", NETGEN_BIN);
	ns_run(np.ns_a, "%s udp fd99::2 46100 2 5", NETGEN_BIN);
	usleep(400000);
	st = recorder_stop(&rec, SIGINT);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "recorder status %d", st);
	capture_load(&cap, rec.path);
	cr_assert_eq(flows_sum(&cap, ida, FMT_DIR_EGRESS, 17, "10.99.0.2", 46000, 46003, NULL), 20);
	cr_assert_eq(flows_sum(&cap, idb, FMT_DIR_INGRESS, 17, "10.99.0.2", 46000, 46003, NULL), 20);
	cr_assert_eq(flows_sum(&cap, ida, FMT_DIR_EGRESS, 17, "fd99::2", 46100, 46101, NULL), 10);
	cr_assert_eq(flows_sum(&cap, idb, FMT_DIR_INGRESS, 17, "fd99::2", 46100, 46101, NULL), 10);
	for (size_t i = 0; i < cap.nflow; i++)
		cr_assert(cap.flows[i].key.ifindex == ida || cap.flows[i].key.ifindex == idb,
			  "a flow on interface %u: only the two namespaces were asked for",
			  cap.flows[i].key.ifindex);
	ifs = fmt_reader_meta(cap.r, "interfaces");
	cr_assert_not_null(ifs);
	snprintf(want, sizeof(want), "\"name\":\"%s\",\"netns\":\"%s\",\"ifindex\":%u", np.if_a,
		 np.ns_a, ifa);
	cr_assert_not_null(strstr(ifs, want), "%s not in %s", want, ifs);
	snprintf(want, sizeof(want), "\"name\":\"%s\",\"netns\":\"%s\",\"ifindex\":%u", np.if_b,
		 np.ns_b, ifb);
	cr_assert_not_null(strstr(ifs, want), "%s not in %s", want, ifs);
	capture_free(&cap);
	/* reports name them with their namespace (eth0 is in every container),
	 * and --iface takes either name */
	{
		char cmd[1024], line[512];
		int labelled = 0, lines = 0;
		FILE *f;
		snprintf(want, sizeof(want), " flow %s/%s ", np.ns_a, np.if_a);
		snprintf(cmd, sizeof(cmd), "%s replay %s --type flow --iface %s", EBPFREPORT_BIN, rec.path,
			 np.if_a);
		f = popen(cmd, "r");
		cr_assert_not_null(f);
		while (fgets(line, sizeof(line), f))
			lines++, labelled += strstr(line, want) != NULL;
		cr_assert_eq(pclose(f), 0);
		cr_assert_gt(lines, 0);
		cr_assert_eq(labelled, lines, "%d of %d lines say '%s'", labelled, lines, want);
	}
}

Test(netns, unknown_namespace_is_an_error, .timeout = 30)
{
	char cmd[512];
	FILE *f;
	char line[512] = "";
	int st;

	snprintf(cmd, sizeof(cmd), "%s -o %s --force --no-exec --netns no-such-ns-xyz 2>&1",
		 EBPFREC_BIN, rec_tmp_path("nons.db"));
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof(line), f));
	st = pclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %d: %s", st, line);
	cr_assert_not_null(strstr(line, "no network namespace 'no-such-ns-xyz'"), "%s", line);
	cr_assert_eq(access(rec_tmp_path("nons.db"), F_OK), -1, "an empty session was left behind");
}
