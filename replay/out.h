/* out.h - formatting shared by the subcommands: numbers, interface names,
 * CSV quoting (times, addresses and flows are fmt_text.h's, shared with
 * ebpfrec). Buffers are the caller's; each function returns it. */
#ifndef OUT_H
#define OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt.h"

char *out_count(char *buf, size_t len, uint64_t v); /* 4,812 */
char *out_si(char *buf, size_t len, uint64_t v); /* 2.24M */
char *out_bytes(char *buf, size_t len, uint64_t v); /* 1.9 GB */
/* The interface's name in r's meta, else "ifN". */
const char *out_iface(struct fmt_reader *r, uint32_t ifindex, char *buf, size_t len);
/* Flows' interface names remembered by (file, ifindex), a few at once:
 * a lookup and a copy when a flow's interface changes, not per row (the
 * inner loop of exports and push). Start it zeroed. */
struct out_ifaces {
	struct {
		unsigned source;
		uint32_t ifindex;
		bool set;
		char name[256];
	} slot[16];
};
/* out_iface's name of ifindex in file `source` (read from r). */
const char *out_iface_cached(struct out_ifaces *c, struct fmt_reader *r, unsigned source,
			     uint32_t ifindex);
/* "eth0 in  tcp 10.1.2.3:443 -> 10.1.9.9:51022", named as in r */
char *out_flow(char *buf, size_t len, struct fmt_reader *r, const struct fmt_flow_key *k);
/* Quote a CSV field if needed (RFC 4180). */
void out_csv_field(FILE *f, const char *s);

#endif
