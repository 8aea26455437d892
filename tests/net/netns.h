/* netns.h - two network namespaces joined by a veth pair, made and
 * removed by a test. Names carry the test's pid so that
 * concurrent runs do not collide. */
#ifndef TEST_NETNS_H
#define TEST_NETNS_H

#include <stdint.h>

struct netpair {
	char ns_a[32], ns_b[32]; /* sender, receiver */
	char if_a[16], if_b[16];
};

/* A: 10.99.0.1/24, fd99::1/64 on if_a; B: the same with .2 / ::2.
 * Neighbours are static and autoconfiguration is off: no chatter. */
void netpair_up(struct netpair *p);
void netpair_down(struct netpair *p);
/* (Re)create the veth pair with its addresses and neighbours, in the
 * namespaces netpair_up made (after the pair was deleted). */
void netpair_link(struct netpair *p);
/* Run a shell command in a namespace; fails the test if it fails. */
void ns_run(const char *ns, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An interface counter (rx_packets, tx_bytes, ...) read inside ns. */
uint64_t ns_counter(const char *ns, const char *ifname, const char *counter);
/* ifindex of ifname inside ns. */
uint32_t ns_ifindex(const char *ns, const char *ifname);
/* Move the calling thread into network namespace ns (its programs then
 * attach to that namespace's interfaces by index). */
void ns_enter(const char *ns);
/* MAC address of ifname inside ns (static buffer, 4 in rotation). */
const char *netpair_mac(const char *ns, const char *ifname);

#endif
