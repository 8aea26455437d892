/* ifaces.h - which interfaces to hook: -i names, or every interface that
 * is up (loopback only with -i any), with their addresses for the meta. */
#ifndef REC_IFACES_H
#define REC_IFACES_H

#include <stdbool.h>
#include <stdint.h>

#define IFACES_MAX 256

struct iface {
	uint32_t index;
	char name[32];
	bool veth_or_lo; /* native XDP on these drops traffic; use generic */
	bool virtual; /* no bus device: hands GSO packets on whole (veth, lo, tun...) */
	char ingress[24]; /* hook used: "xdp-native", "xdp-generic", "tcx", "tc" */
	char egress[24];
	bool gone; /* disappeared during the recording */
	bool named; /* asked for with -i NAME: failing to hook it is an error */
};

struct iface_list {
	struct iface v[IFACES_MAX];
	unsigned n;
};

/* Resolve the names given with -i (NULL/0: every up interface but lo;
 * "any": every up interface). @return 0, or -1 with a message in err. */
int ifaces_select(struct iface_list *l, const char *const *names, unsigned nnames, char *err,
		  size_t errlen);
/* Append interface `name` again under its current index (it was deleted
 * and re-created). @return its position, or -1 if it does not exist (or is
 * listed already, or the list is full). */
int ifaces_readd(struct iface_list *l, const char *name);
/* The list as JSON for meta "interfaces" (malloc'd). */
char *ifaces_json(const struct iface_list *l);

#endif
