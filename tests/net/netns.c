/* netns.c - see netns.h. */
#define _GNU_SOURCE /* setns */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static void sh(const char *cmd)
{
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "command failed (%d): %s", rc, cmd);
}

void ns_run(const char *ns, const char *fmt, ...)
{
	char inner[2048], cmd[2300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s sh -c '%s'", ns, inner);
	sh(cmd);
}

static uint64_t read_number(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	unsigned long long v = 0;

	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%llu", &v), 1, "no number from: %s", cmd);
	pclose(f);
	return v;
}

uint64_t ns_counter(const char *ns, const char *ifname, const char *counter)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/%s/statistics/%s", ns,
		 ifname, counter);
	return read_number(cmd);
}

uint32_t ns_ifindex(const char *ns, const char *ifname)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/%s/ifindex", ns, ifname);
	return (uint32_t)read_number(cmd);
}

void ns_enter(const char *ns)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "cannot open %s", path);
	cr_assert_eq(setns(fd, CLONE_NEWNET), 0, "setns %s", ns);
	close(fd);
}

const char *netpair_mac(const char *ns, const char *ifname)
{
	static char mac[4][32];
	static int next;
	char cmd[256];
	FILE *f;
	char *m = mac[next++ % 4];

	snprintf(cmd, sizeof(cmd), "ip netns exec %s cat /sys/class/net/%s/address", ns, ifname);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(m, 32, f));
	m[strcspn(m, "\n")] = 0;
	pclose(f);
	return m;
}

static struct netpair *registered;

/* Namespaces go even when a failed assertion skips the test's teardown. */
static void down_at_exit(void)
{
	if (registered)
		netpair_down(registered);
}

void netpair_link(struct netpair *p)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s netns %s type veth peer name %s netns %s", p->if_a, p->ns_a,
		 p->if_b, p->ns_b);
	sh(cmd);
	for (int side = 0; side < 2; side++) {
		const char *ns = side ? p->ns_b : p->ns_a, *ifn = side ? p->if_b : p->if_a;
		int host = side + 1;
		ns_run(ns,
		       /* MLD reports for the new addresses go out at once,
			* not at random moments during the measurement */
		       "sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 "
		       "net.ipv6.conf.%s.mldv1_unsolicited_report_interval=0 "
		       "net.ipv6.conf.%s.mldv2_unsolicited_report_interval=0 && "
		       "ip link set lo up && "
		       "ip addr add 10.99.0.%d/24 dev %s && ip addr add fd99::%d/64 dev %s nodad && "
		       "ip link set %s addrgenmode none && ip link set %s up",
		       ifn, ifn, host, ifn, host, ifn, ifn, ifn);
	}
	/* neighbours resolved now, so no ARP/ND during the measurements */
	ns_run(p->ns_a, "ip neigh replace 10.99.0.2 lladdr %s dev %s nud permanent && "
			"ip neigh replace fd99::2 lladdr %s dev %s nud permanent",
	       netpair_mac(p->ns_b, p->if_b), p->if_a, netpair_mac(p->ns_b, p->if_b), p->if_a);
	ns_run(p->ns_b, "ip neigh replace 10.99.0.1 lladdr %s dev %s nud permanent && "
			"ip neigh replace fd99::1 lladdr %s dev %s nud permanent",
	       netpair_mac(p->ns_a, p->if_a), p->if_b, netpair_mac(p->ns_a, p->if_a), p->if_b);
}

void netpair_up(struct netpair *p)
{
	char cmd[1024];
	int id = getpid() % 100000;

	if (!registered)
		atexit(down_at_exit);
	registered = p;

	snprintf(p->ns_a, sizeof(p->ns_a), "ebra%d", id);
	snprintf(p->ns_b, sizeof(p->ns_b), "ebrb%d", id);
	snprintf(p->if_a, sizeof(p->if_a), "eva%d", id);
	snprintf(p->if_b, sizeof(p->if_b), "evb%d", id);
	netpair_down(p);
	snprintf(cmd, sizeof(cmd), "ip netns add %s && ip netns add %s", p->ns_a, p->ns_b);
	sh(cmd);
	netpair_link(p);
	/* wait out the link-up chatter (MLD reports for the new addresses):
	 * both sides quiet for 1.5 s, at most 10 s */
	for (int quiet = 0, i = 0; quiet < 15 && i < 100; i++) {
		uint64_t a = ns_counter(p->ns_a, p->if_a, "tx_packets");
		uint64_t b = ns_counter(p->ns_b, p->if_b, "tx_packets");
		usleep(100000);
		if (a == ns_counter(p->ns_a, p->if_a, "tx_packets") &&
		    b == ns_counter(p->ns_b, p->if_b, "tx_packets"))
			quiet++;
		else
			quiet = 0;
	}
}

void netpair_down(struct netpair *p)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; true",
		 p->ns_a, p->ns_b);
	if (system(cmd)) {
	}
}
