/* flowsum.c - see flowsum.h. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "flowsum.h"

static uint8_t family_of(const char *addr, uint8_t *bytes)
{
	memset(bytes, 0, 16);
	if (inet_pton(AF_INET, addr, bytes) == 1)
		return FMT_FAMILY_IPV4;
	cr_assert_eq(inet_pton(AF_INET6, addr, bytes), 1, "bad address '%s'", addr);
	return FMT_FAMILY_IPV6;
}

uint64_t flows_sum(const struct capture *c, uint32_t ifindex, int dir, int proto, const char *dst,
		   int dport_lo, int dport_hi, uint64_t *bytes)
{
	uint8_t a[16];
	uint8_t fam = family_of(dst, a);
	uint64_t n = 0, b = 0;

	for (size_t i = 0; i < c->nflow; i++) {
		const struct fmt_flow_key *k = &c->flows[i].key;
		if (k->ifindex == ifindex && k->dir == dir && k->proto == proto && k->family == fam &&
		    !memcmp(k->dst, a, 16) &&
		    (dport_lo < 0 || (k->dport >= dport_lo && k->dport <= dport_hi))) {
			n += c->flows[i].packets;
			b += c->flows[i].bytes;
		}
	}
	if (bytes)
		*bytes = b;
	return n;
}

void flows_totals(const struct capture *c, uint32_t ifindex, int dir, uint64_t *pk, uint64_t *by)
{
	*pk = *by = 0;
	for (size_t i = 0; i < c->nflow; i++)
		if (c->flows[i].key.ifindex == ifindex && c->flows[i].key.dir == dir) {
			*pk += c->flows[i].packets;
			*by += c->flows[i].bytes;
		}
}
