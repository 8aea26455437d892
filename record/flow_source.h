/* flow_source.h - the flow probe: loads bpf/flow.bpf.c, hooks interfaces
 * (XDP ingress, tcx egress) and drains exact per-interval deltas. */
#ifndef REC_FLOW_SOURCE_H
#define REC_FLOW_SOURCE_H

#include <stdint.h>

#include "ifaces.h"
#include "options.h"

struct flow_source;
struct sink;
struct printer;
struct owner_source;

struct flow_counts {
	uint64_t rows, packets, bytes;
	uint64_t overflow_packets; /* counted in the overflow buckets */
	uint64_t drains;
	uint64_t last_drain_ns, max_drain_ns; /* user-space cost of one interval */
	uint64_t last_sync_ns, last_read_ns; /* of which: swap, and reading the tables */
	uint64_t last_flows;
};

/* Load and attach to every interface in ifs (their hook modes are filled
 * in). With owners, egress flows are tagged with their sockets and every
 * interval's rows get their owners. @return NULL with a message in err on
 * failure. */
struct flow_source *flow_source_open(const struct rec_options *o, struct iface_list *ifs,
				     struct sink *sink, struct printer *pr,
				     struct owner_source *owners, char *err, size_t errlen);
/* The first interval starts at now_ns (after attaching). */
void flow_source_start(struct flow_source *f, uint64_t now_ns);
/* End the interval at now_ns: swap tables, drain the idle one into the
 * sink. @return 0 or -1 (message in err). */
int flow_source_drain(struct flow_source *f, uint64_t now_ns, char *err, size_t errlen);
/* Mark interfaces that disappeared; @return 1 if the list changed. */
int flow_source_check_ifaces(struct flow_source *f);
void flow_source_counts(const struct flow_source *f, struct flow_counts *c);
/* The flow table of a slot (0/1) and family (IPv4 and other: v4 = 1, with
 * struct flow_key4 keys), and the active slot, for benchmarks that fill a
 * table directly. */
int flow_source_table_fd(const struct flow_source *f, int slot, int v4);
int flow_source_active_slot(const struct flow_source *f);
/* The XDP program's fd, for BPF_PROG_TEST_RUN. */
int flow_source_xdp_fd(const struct flow_source *f);
/* Detach everything, drain what is left into the sink (at now_ns; 0: do not
 * drain), copy the final counts to *out if not NULL, free. */
void flow_source_close(struct flow_source *f, uint64_t now_ns, struct flow_counts *out);

#endif
