/* flowsum.h - sums over the flow rows of a capture, for the flow tests. */
#ifndef TEST_FLOWSUM_H
#define TEST_FLOWSUM_H

#include <stdint.h>

#include "../record/recorder.h"

/* Packets (and, if bytes is not NULL, bytes) of the rows on ifindex in
 * direction dir with protocol proto to address dst (text, IPv4 or IPv6)
 * and a destination port in [dport_lo, dport_hi] (-1, -1: any port). */
uint64_t flows_sum(const struct capture *c, uint32_t ifindex, int dir, int proto, const char *dst,
		   int dport_lo, int dport_hi, uint64_t *bytes);
/* Packets and bytes of every row on ifindex in direction dir. */
void flows_totals(const struct capture *c, uint32_t ifindex, int dir, uint64_t *pk, uint64_t *by);

#endif
