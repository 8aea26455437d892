/* ifaces.h - which interfaces to hook: -i names, or every interface that
 * is up (loopback only with -i any), in the recorder's network namespace
 * and in those named with --netns; with their addresses for the meta. */
#ifndef REC_IFACES_H
#define REC_IFACES_H

#include <stdbool.h>
#include <stdint.h>

#define IFACES_MAX 256
#define NETNS_MAX 127 /* --netns namespaces */
/* An interface of the n-th --netns namespace is stored under the id
 * (n << NETNS_ID_SHIFT) | ifindex: indexes of different namespaces collide.
 * Its ifindex must be below 1 << NETNS_ID_SHIFT (as must those of the
 * recorder's own namespace when --netns is used). */
#define NETNS_ID_SHIFT 24

struct iface {
	uint32_t index; /* ifindex in its namespace */
	uint32_t id; /* what flow records carry: index, tagged with the namespace */
	uint8_t netns; /* 0: the recorder's namespace; n: the n-th --netns */
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
	/* namespaces: [0] the recorder's own, [1..nnetns] the --netns ones */
	int netns_fd[NETNS_MAX + 1];
	const char *netns_name[NETNS_MAX + 1];
	unsigned nnetns;
};

/* Resolve the names given with -i (NULL/0: every up interface but lo;
 * "any": every up interface) in the recorder's namespace, unless --netns
 * namespaces are given without -i; then every up interface but lo of each
 * namespace in netns (names under /run/netns, or paths such as
 * /proc/PID/ns/net). @return 0, or -1 with a message in err. */
int ifaces_select(struct iface_list *l, const char *const *names, unsigned nnames,
		  const char *const *netns, unsigned nnetns, char *err, size_t errlen);
/* Move the calling thread into namespace ns of the list (0: back to the
 * recorder's own). @return 0, or -1 with errno. */
int ifaces_enter(const struct iface_list *l, unsigned ns);
/* Close the namespace handles. */
void ifaces_release(struct iface_list *l);
/* Append interface `name` of namespace ns again under its current index
 * (it was deleted and re-created); the caller is inside ns. @return its
 * position, or -1 if it does not exist (or is listed already, or the list
 * is full). */
int ifaces_readd(struct iface_list *l, const char *name, unsigned ns);
/* The list as JSON for meta "interfaces" (malloc'd). */
char *ifaces_json(const struct iface_list *l);

#endif
