/* owner_source.h - socket owners: loads bpf/owner.bpf.c, attaches it at the
 * cgroup v2 root, seeds it with the sockets open at start, and tells the
 * flow drain which process each flow row belongs to. */
#ifndef REC_OWNER_SOURCE_H
#define REC_OWNER_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"
#include "ifaces.h"
#include "options.h"

struct owner_source;

struct owner_counts {
	uint64_t seeded; /* sockets known when recording began (open then) */
	uint64_t seed_ns; /* how long finding them took */
	uint64_t owners_full, endpoints_full; /* sockets whose owner was not kept */
};

/* Load, attach, and seed with the sockets open now in the network
 * namespaces of ifs. @return NULL with a message in err. */
struct owner_source *owner_source_open(const struct rec_options *o, const struct iface_list *ifs,
				       char *err, size_t errlen);
/* Set the owner of each of the n flow rows of one interval: egress rows
 * by their socket's cookie (cookies[i], 0 if none), ingress rows by their
 * connection's other direction or the local endpoint they reached; rows of
 * no local socket stay unowned. */
void owner_source_resolve(struct owner_source *s, struct fmt_flow *rows, const uint64_t *cookies,
			  size_t n);
/* Forget sockets closed before before_ns (their last interval drained). */
void owner_source_expire(struct owner_source *s, uint64_t before_ns);
void owner_source_counts(struct owner_source *s, struct owner_counts *c);
void owner_source_close(struct owner_source *s);

#endif
