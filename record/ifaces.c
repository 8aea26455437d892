/* ifaces.c - see ifaces.h. */
#define _GNU_SOURCE /* setns */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fmt_interfaces.h"
#include "ifaces.h"

/* What the driver says of interface `name`: whether it is a veth or the
 * loopback, and whether it is virtual. A NIC (PCI, USB, virtio, platform)
 * names its bus; veth, bonds, VLANs and macvlans leave bus_info empty, tun
 * says "tun"/"tap", bridges "N/A", and loopback has no driver info. */
static void driver_kind(struct iface *f, const char *name, unsigned flags)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	f->veth_or_lo = flags & IFF_LOOPBACK;
	f->virtual = true;
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		f->veth_or_lo |= !strcmp(info.driver, "veth");
		f->virtual = !info.bus_info[0] || !strcmp(info.bus_info, "tun") ||
			     !strcmp(info.bus_info, "tap") || !strcmp(info.bus_info, "N/A");
	}
	close(fd);
}

static int add(struct iface_list *l, const char *name, unsigned flags, bool named, unsigned ns,
	       char *err, size_t len)
{
	unsigned idx = if_nametoindex(name);

	if (!idx) {
		snprintf(err, len, "no such interface '%s'", name);
		return -1;
	}
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].index == idx && l->v[i].netns == ns) {
			l->v[i].named |= named;
			return 0;
		}
	if (l->n == IFACES_MAX) {
		snprintf(err, len, "more than %d interfaces", IFACES_MAX);
		return -1;
	}
	if (l->nnetns && idx >> NETNS_ID_SHIFT) {
		snprintf(err, len, "interface '%s' has index %u: with --netns, indexes must be below %u",
			 name, idx, 1u << NETNS_ID_SHIFT);
		return -1;
	}
	l->v[l->n] = (struct iface){ .index = idx, .named = named, .netns = (uint8_t)ns,
				     .id = (uint32_t)ns << NETNS_ID_SHIFT | idx };
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%s", name);
	driver_kind(&l->v[l->n], name, flags);
	l->n++;
	return 0;
}

int ifaces_readd(struct iface_list *l, const char *name, unsigned ns)
{
	char err[128];
	unsigned n = l->n;

	if (add(l, name, 0, false, ns, err, sizeof(err)) || l->n == n)
		return -1;
	return (int)n;
}

int ifaces_enter(const struct iface_list *l, unsigned ns)
{
	if (ns > l->nnetns || l->netns_fd[ns] < 0) {
		errno = EINVAL;
		return -1;
	}
	return setns(l->netns_fd[ns], CLONE_NEWNET);
}

void ifaces_release(struct iface_list *l)
{
	for (unsigned i = 0; i <= l->nnetns; i++)
		if (l->netns_fd[i] >= 0)
			close(l->netns_fd[i]);
	l->nnetns = 0;
	l->netns_fd[0] = -1;
}

/* Every up interface of the current namespace (loopback only if any). */
static int add_up(struct iface_list *l, bool any, unsigned ns, char *err, size_t errlen)
{
	struct if_nameindex *all, *p;

	all = if_nameindex();
	if (!all) {
		snprintf(err, errlen, "cannot list interfaces");
		return -1;
	}
	for (p = all; p->if_index; p++) {
		struct ifreq ifr = { 0 };
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		unsigned flags = 0;
		if (fd >= 0) {
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->if_name);
			if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
				flags = (unsigned)ifr.ifr_flags;
			close(fd);
		}
		if (!(flags & IFF_UP) || ((flags & IFF_LOOPBACK) && !any))
			continue;
		if (add(l, p->if_name, flags, false, ns, err, errlen)) {
			if_freenameindex(all);
			return -1;
		}
	}
	if_freenameindex(all);
	return 0;
}

/* Open namespace `spec` (a name under /run/netns or a path) as number ns,
 * and add its up interfaces. */
static int add_netns(struct iface_list *l, const char *spec, unsigned ns, char *err, size_t errlen)
{
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), strchr(spec, '/') ? "%s" : "/run/netns/%s", spec);
	l->netns_fd[ns] = open(path, O_RDONLY | O_CLOEXEC);
	if (l->netns_fd[ns] < 0) {
		snprintf(err, errlen, "no network namespace '%s' (%s: %s)", spec, path, strerror(errno));
		return -1;
	}
	l->netns_name[ns] = spec;
	l->nnetns = ns;
	if (ifaces_enter(l, ns)) {
		snprintf(err, errlen, "cannot enter network namespace '%s': %s", spec, strerror(errno));
		return -1;
	}
	rc = add_up(l, false, ns, err, errlen);
	if (ifaces_enter(l, 0)) {
		snprintf(err, errlen, "cannot return to the recorder's network namespace: %s",
			 strerror(errno));
		return -1;
	}
	return rc;
}

int ifaces_select(struct iface_list *l, const char *const *names, unsigned nnames,
		  const char *const *netns, unsigned nnetns, char *err, size_t errlen)
{
	bool any = false;

	l->n = 0;
	l->nnetns = 0;
	l->netns_name[0] = NULL;
	l->netns_fd[0] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (l->netns_fd[0] < 0) {
		snprintf(err, errlen, "cannot open this network namespace: %s", strerror(errno));
		return -1;
	}
	if (nnetns > NETNS_MAX) {
		snprintf(err, errlen, "more than %d --netns", NETNS_MAX);
		return -1;
	}
	for (unsigned i = 0; i < nnetns; i++)
		l->netns_fd[i + 1] = -1;
	/* the namespaces first: with --netns, ids of this namespace's
	 * interfaces must fit below the tag too, which add() checks */
	for (unsigned i = 0; i < nnetns; i++)
		if (add_netns(l, netns[i], i + 1, err, errlen))
			return -1;
	for (unsigned i = 0; i < nnames; i++) {
		if (!strcmp(names[i], "any")) {
			any = true;
			continue;
		}
		if (add(l, names[i], 0, true, 0, err, errlen))
			return -1;
	}
	if ((nnames && !any) || (!nnames && nnetns))
		return 0;
	return add_up(l, any, 0, err, errlen);
}

#define ADDRS_MAX 256 /* per interface */

/* The addresses of interface `name` among ifa, as text in store. */
static unsigned addresses_of(const struct ifaddrs *ifa, const char *name, const char **addr,
			     char (*store)[INET6_ADDRSTRLEN], unsigned max)
{
	unsigned n = 0;

	for (const struct ifaddrs *a = ifa; a && n < max; a = a->ifa_next) {
		const void *bin;
		if (!a->ifa_addr || strcmp(a->ifa_name, name))
			continue;
		if (a->ifa_addr->sa_family == AF_INET)
			bin = &((const struct sockaddr_in *)a->ifa_addr)->sin_addr;
		else if (a->ifa_addr->sa_family == AF_INET6)
			bin = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		else
			continue;
		inet_ntop(a->ifa_addr->sa_family, bin, store[n], sizeof(store[n]));
		addr[n] = store[n];
		n++;
	}
	return n;
}

char *ifaces_json(const struct iface_list *l)
{
	size_t n = l->n ? l->n : 1;
	struct fmt_iface *v = calloc(n, sizeof(*v));
	const char **addr = calloc(n * ADDRS_MAX, sizeof(*addr));
	char (*store)[INET6_ADDRSTRLEN] = calloc(n * ADDRS_MAX, sizeof(*store));
	struct ifaddrs *ifa[NETNS_MAX + 1] = { NULL };
	char *text = NULL;

	if (v && addr && store) {
		/* addresses are read inside each namespace */
		for (unsigned ns = 0; ns <= l->nnetns; ns++) {
			if (ns && ifaces_enter(l, ns))
				continue;
			if (getifaddrs(&ifa[ns]))
				ifa[ns] = NULL;
		}
		if (l->nnetns)
			ifaces_enter(l, 0);
		for (unsigned i = 0; i < l->n; i++) {
			const struct iface *f = &l->v[i];
			size_t at = (size_t)i * ADDRS_MAX;
			v[i] = (struct fmt_iface){ .index = f->id, .name = f->name,
						   .netns = f->netns ? l->netns_name[f->netns] : NULL,
						   .ifindex = f->index, .ingress = f->ingress,
						   .egress = f->egress, .gone = f->gone,
						   .addr = addr + at };
			v[i].naddr = addresses_of(ifa[f->netns], f->name, addr + at, store + at,
						  ADDRS_MAX);
		}
		text = fmt_ifaces_format(v, l->n);
		for (unsigned ns = 0; ns <= l->nnetns; ns++)
			if (ifa[ns])
				freeifaddrs(ifa[ns]);
	}
	free(v);
	free(addr);
	free(store);
	return text;
}
