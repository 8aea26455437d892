/* ipfix_udp.h - the way to a flow collector: its address as typed
 * (HOST:PORT, [IPV6]:PORT), a connected UDP socket, the largest message
 * the path takes, and sending at most a given number of records a second.
 * Errors are one line in u->err (lowercase, the address quoted). */
#ifndef IPFIX_UDP_H
#define IPFIX_UDP_H

#include <stddef.h>
#include <stdint.h>

#define IPFIX_PORT 4739        /* IANA's port for IPFIX */
#define NF9_PORT 2055          /* NetFlow's customary port */
#define IPFIX_DEFAULT_MTU 1500 /* the largest IP packet sent, unless --mtu */
#define IPFIX_SEND_TIMEOUT_S 5 /* a send that blocks this long is an error */

struct ipfix_udp {
	int fd;
	char addr[300];     /* the collector as given, for messages */
	size_t max_message; /* UDP payload that fits the path MTU (and --mtu) */
	unsigned path_mtu;  /* what the kernel reported for the route, 0 if nothing */
	double rate;        /* records a second, 0: no limit */
	double next_due;    /* monotonic seconds: when the next message may go */
	char err[512];
};

/* Split text into host and port: "HOST:PORT", "[IPV6]:PORT", or HOST or
 * an IPv6 address alone (default_port). @return 0, or -1 with err set. */
int ipfix_udp_parse(const char *text, int default_port, char *host, size_t hostlen, int *port,
                    char *err, size_t errlen);

/* Resolve text, connect a UDP socket to it and size messages to the path
 * MTU (at most mtu bytes per IP packet; 0: IPFIX_DEFAULT_MTU). rate: records
 * a second (0: no limit). @return 0; -EINVAL for an address that is not
 * valid or does not resolve, another negative errno when the collector
 * cannot be reached; u->err says why. */
int ipfix_udp_open(struct ipfix_udp *u, const char *text, int default_port, unsigned mtu,
                   double rate);

/* Send one message of `records` data records, first waiting as long as the
 * rate asks. @return 0, or a negative errno with u->err set:
 * -ECONNREFUSED when an ICMP port unreachable said nothing listens. */
int ipfix_udp_send(struct ipfix_udp *u, const uint8_t *msg, size_t len, uint32_t records);

/* After the last message: give an ICMP error up to wait_ms to arrive (a
 * collector that is not there refuses the last messages too). @return 0 or
 * a negative errno with u->err set. */
int ipfix_udp_finish(struct ipfix_udp *u, int wait_ms);

void ipfix_udp_close(struct ipfix_udp *u);

#endif
