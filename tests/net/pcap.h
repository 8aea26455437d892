/* pcap.h - the peer's view, as ground truth for the flow tests: tcpdump
 * run inside a test's namespace, and its capture file read back packet by
 * packet (frame length, time, addresses, ports). */
#ifndef TEST_PCAP_H
#define TEST_PCAP_H

#include <stdint.h>
#include <sys/types.h>

struct pcap_run {
	pid_t pid;
	char path[256], log[256];
};

/* Start tcpdump on ifname inside ns with a filter ("" for everything),
 * capturing into a fresh file; @return once it is listening. */
void pcap_start(struct pcap_run *c, const char *ns, const char *ifname, const char *filter);
/* Stop it once its file has stopped growing, and fail the test unless it
 * captured everything it received. */
void pcap_stop(struct pcap_run *c);

/* One captured Ethernet frame carrying IPv4 or IPv6 (others: family 0). */
struct pcap_pkt {
	uint64_t ts_us; /* wall clock */
	uint32_t len; /* on the wire */
	uint8_t family; /* 4, 6, or 0 */
	uint8_t proto;
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport; /* TCP and UDP */
};

/* Every frame of a capture file (free *out). @return how many. */
size_t pcap_load(const char *path, struct pcap_pkt **out);
/* Packets and bytes (frame lengths on the wire) of a capture file. */
void pcap_totals(const char *path, uint64_t *pk, uint64_t *by);

#endif
