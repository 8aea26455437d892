/* ifaces.c - see ifaces.h. */
#include <arpa/inet.h>
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

static bool is_veth_or_lo(const char *name, unsigned flags)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { 0 };
	int fd;
	bool yes = false;

	if (flags & IFF_LOOPBACK)
		return true;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		yes = !strcmp(info.driver, "veth");
	close(fd);
	return yes;
}

static int add(struct iface_list *l, const char *name, unsigned flags, char *err, size_t len)
{
	unsigned idx = if_nametoindex(name);

	if (!idx) {
		snprintf(err, len, "no such interface '%s'", name);
		return -1;
	}
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].index == idx)
			return 0;
	if (l->n == IFACES_MAX) {
		snprintf(err, len, "more than %d interfaces", IFACES_MAX);
		return -1;
	}
	l->v[l->n] = (struct iface){ .index = idx };
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%s", name);
	l->v[l->n].veth_or_lo = is_veth_or_lo(name, flags);
	l->n++;
	return 0;
}

int ifaces_readd(struct iface_list *l, const char *name)
{
	char err[128];
	unsigned n = l->n;

	if (add(l, name, 0, err, sizeof(err)) || l->n == n)
		return -1;
	return (int)n;
}

int ifaces_select(struct iface_list *l, const char *const *names, unsigned nnames, char *err,
		  size_t errlen)
{
	struct if_nameindex *all, *p;
	bool any = false;

	l->n = 0;
	for (unsigned i = 0; i < nnames; i++) {
		if (!strcmp(names[i], "any")) {
			any = true;
			continue;
		}
		if (add(l, names[i], 0, err, errlen))
			return -1;
	}
	if (nnames && !any)
		return 0;
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
		if (add(l, p->if_name, flags, err, errlen)) {
			if_freenameindex(all);
			return -1;
		}
	}
	if_freenameindex(all);
	return 0;
}

/* The addresses getifaddrs lists for interface name, as text in store[],
 * pointed to by addr[]. @return how many (at most max). */
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

#define ADDRS_MAX 256 /* per interface */

char *ifaces_json(const struct iface_list *l)
{
	struct fmt_iface *v = calloc(l->n ? l->n : 1, sizeof(*v));
	const char **addr = calloc((size_t)(l->n ? l->n : 1) * ADDRS_MAX, sizeof(*addr));
	char (*store)[INET6_ADDRSTRLEN] = calloc((size_t)(l->n ? l->n : 1) * ADDRS_MAX, sizeof(*store));
	struct ifaddrs *ifa = NULL;
	char *text = NULL;

	if (v && addr && store) {
		getifaddrs(&ifa);
		for (unsigned i = 0; i < l->n; i++) {
			const struct iface *f = &l->v[i];
			size_t at = (size_t)i * ADDRS_MAX;
			v[i] = (struct fmt_iface){ .index = f->index, .name = f->name,
						   .ingress = f->ingress, .egress = f->egress,
						   .gone = f->gone, .addr = addr + at };
			v[i].naddr = addresses_of(ifa, f->name, addr + at, store + at, ADDRS_MAX);
		}
		text = fmt_ifaces_format(v, l->n);
		if (ifa)
			freeifaddrs(ifa);
	}
	free(v);
	free(addr);
	free(store);
	return text;
}
