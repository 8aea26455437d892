/* netgen.c - bounded test traffic for the flow tests, run inside a test's
 * own network namespace (ip netns exec). Never sends anywhere else: the
 * destination must be an address of that namespace's veth peer.
 *
 *   netgen udp DST BASE_PORT FLOWS PER_FLOW [ipopt]   UDP, FLOWS dst ports
 *   netgen icmp DST COUNT                               ICMP (DST IPv6: ICMPv6)
 *                                                       echo requests
 *   netgen tcpserve PORT                                echo server, 1 client
 *   netgen tcp DST PORT WRITES                          WRITES round trips
 *   netgen sink PORT                                    reads 1 client to EOF,
 *                                                       prints the bytes read
 *   netgen bulk DST PORT BYTES [nopace]                 sends BYTES, one stream
 *   netgen raw IFACE DSTMAC KIND COUNT                  raw Ethernet frames:
 *        KIND vlan (802.1Q) or qinq (802.1ad + 802.1Q) UDP to 10.99.0.2 port
 *        41000 (vlan) / 42000 (qinq); trunc: an IPv4 header cut short
 */
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int resolve(const char *s, struct sockaddr_storage *ss, socklen_t *len, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "netgen: bad address '%s'\n", s);
	exit(2);
}

static int udp(char **argv, int argc)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(argv[0], &ss, &len, 0), base = atoi(argv[1]);
	int flows = atoi(argv[2]), per = atoi(argv[3]), fd = socket(fam, SOCK_DGRAM, 0);
	char payload[32] = "ebpfrec test payload";

	if (fd < 0)
		return perror("netgen: socket"), 1;
	if (argc > 4 && !strcmp(argv[4], "ipopt")) {
		/* 4 bytes of options (NOP NOP NOP END): ihl 6, so a parser that
		 * ignores ihl would read the wrong ports */
		unsigned char opt[4] = { IPOPT_NOP, IPOPT_NOP, IPOPT_NOP, IPOPT_END };
		if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opt, sizeof(opt)))
			return perror("netgen: IP_OPTIONS"), 1;
	}
	for (int p = 0; p < per; p++) {
		for (int f = 0; f < flows; f++) {
			if (fam == AF_INET)
				((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)(base + f));
			else
				((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)(base + f));
			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&ss, len) < 0)
				return perror("netgen: sendto"), 1;
			if ((p * flows + f) % 64 == 63)
				usleep(1000); /* stay below the receive backlog */
		}
	}
	close(fd);
	return 0;
}

/* The Internet checksum of n bytes at p, in network order as stored. The
 * words are read with memcpy: reading a struct through a uint16_t pointer
 * breaks strict aliasing, and -O3 then sums bytes not yet written. */
static uint16_t csum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t s = 0;
	uint16_t w;

	for (; n > 1; n -= 2, b += 2) {
		memcpy(&w, b, 2);
		s += w;
	}
	if (n)
		s += *b;
	s = (s >> 16) + (s & 0xffff);
	s += s >> 16;
	return (uint16_t)~s;
}

static int icmp(char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int count = atoi(argv[1]), fd, fam = resolve(argv[0], &ss, &len, 0);

	fd = socket(fam, SOCK_RAW, fam == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	if (fd < 0)
		return perror("netgen: raw socket"), 1;
	for (int i = 0; i < count; i++) {
		struct icmphdr h = { .type = ICMP_ECHO, .un.echo.id = htons(0xeb), .un.echo.sequence = htons((uint16_t)i) };
		if (fam == AF_INET6) /* the kernel sums ICMPv6 itself */
			h.type = ICMP6_ECHO_REQUEST;
		else
			h.checksum = csum(&h, sizeof(h));
		if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&ss, len) < 0)
			return perror("netgen: sendto"), 1;
		usleep(2000);
	}
	close(fd);
	return 0;
}

static int tcpserve(char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(argv[0])) };
	int one = 1, fd = socket(AF_INET6, SOCK_STREAM, 0), c;
	char buf[4096];
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return perror("netgen: bind"), 1;
	printf("ready\n");
	fflush(stdout);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return 1;
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write(c, buf, (size_t)n) != n)
			break;
	close(c);
	close(fd);
	return 0;
}

static int tcp(char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(argv[0], &ss, &len, atoi(argv[1])), writes = atoi(argv[2]), one = 1;
	int fd = socket(fam, SOCK_STREAM, 0);
	char buf[100] = "ping";

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		return perror("netgen: connect"), 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (int i = 0; i < writes; i++) {
		if (write(fd, buf, sizeof(buf)) != sizeof(buf) || read(fd, buf, sizeof(buf)) <= 0)
			return perror("netgen: tcp"), 1;
	}
	close(fd);
	return 0;
}

/* One connection read to its end (the receiving side of a bulk transfer). */
static int sink(char **argv)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(argv[0])) };
	int one = 1, fd = socket(AF_INET6, SOCK_STREAM, 0), c;
	static char buf[1 << 16];
	unsigned long long total = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return perror("netgen: bind"), 1;
	printf("ready\n");
	fflush(stdout);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		return 1;
	while ((n = read(c, buf, sizeof(buf))) > 0)
		total += (unsigned long long)n;
	printf("%llu\n", total);
	close(c);
	close(fd);
	return 0;
}

/* BYTES sent in large writes, so the stack builds GSO packets where the
 * device allows it, paced at 200 MB/s: a veth peer's backlog then never
 * overflows (a dropped segment would be sent twice but arrive once).
 * "nopace" after BYTES: as fast as the stack goes (loopback benchmarks). */
static int bulk(char **argv, int argc)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = resolve(argv[0], &ss, &len, atoi(argv[1]));
	long long left = atoll(argv[2]);
	int fd = socket(fam, SOCK_STREAM, 0);
	static char buf[1 << 16];

	unsigned rate = 200u << 20;

	memset(buf, 'b', sizeof(buf));
	if (argc > 3 && !strcmp(argv[3], "nopace"))
		rate = ~0u;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate)) ||
	    connect(fd, (struct sockaddr *)&ss, len))
		return perror("netgen: connect"), 1;
	while (left > 0) {
		ssize_t n = write(fd, buf, left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n <= 0)
			return perror("netgen: write"), 1;
		left -= n;
	}
	close(fd);
	return 0;
}

/* Ethernet frames built by hand, sent on IFACE with a packet socket. */
static int raw(char **argv)
{
	const char *ifname = argv[0], *kind = argv[2];
	int count = atoi(argv[3]), fd = socket(AF_PACKET, SOCK_RAW, 0);
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	unsigned char f[128] = { 0 }, *p = f;
	unsigned mac[6];
	struct iphdr ipb = { 0 }, *ip = &ipb; /* built aligned, copied into the frame */
	size_t len;

	if (fd < 0)
		return perror("netgen: packet socket"), 1;
	ll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sscanf(argv[1], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
		   &mac[5]) != 6)
		return fprintf(stderr, "netgen: bad mac\n"), 2;
	for (int i = 0; i < 6; i++)
		p[i] = (unsigned char)mac[i], ll.sll_addr[i] = (unsigned char)mac[i];
	p[6] = 0x02; /* a locally administered source */
	p += 12;
	if (!strcmp(kind, "qinq")) {
		*p++ = 0x88, *p++ = 0xa8, *p++ = 0, *p++ = 200; /* 802.1ad, S-VLAN 200 */
	}
	if (!strcmp(kind, "qinq") || !strcmp(kind, "vlan")) {
		*p++ = 0x81, *p++ = 0x00, *p++ = 0, *p++ = 100; /* 802.1Q, VLAN 100 */
	}
	*p++ = 0x08, *p++ = 0x00;
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = inet_addr("10.99.0.1");
	ip->daddr = inet_addr("10.99.0.2");
	ip->tot_len = htons(20 + 8 + 4);
	if (!strcmp(kind, "trunc"))
		ip->ihl = 15; /* claims 60 bytes; the (padded) frame holds fewer */
	ip->check = csum(ip, 20);
	memcpy(p, ip, 20);
	p += 20;
	if (!strcmp(kind, "trunc")) {
		len = (size_t)(p - f);
	} else {
		uint16_t port = htons(!strcmp(kind, "qinq") ? 42000 : 41000);
		memcpy(p, &port, 2); /* sport */
		memcpy(p + 2, &port, 2); /* dport */
		p[5] = 12;
		len = (size_t)(p - f) + 12;
	}
	if (len < 60)
		len = 60; /* Ethernet minimum; the IP header says what counts */
	for (int i = 0; i < count; i++) {
		if (sendto(fd, f, len, 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
			return perror("netgen: sendto"), 1;
		usleep(500);
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(120); /* bounded in time, whatever happens to the test */
	if (argc == 6 && !strcmp(argv[1], "raw"))
		return raw(argv + 2);
	if (argc >= 6 && !strcmp(argv[1], "udp"))
		return udp(argv + 2, argc - 2);
	if (argc == 4 && !strcmp(argv[1], "icmp"))
		return icmp(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "tcpserve"))
		return tcpserve(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "tcp"))
		return tcp(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(argv + 2);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "bulk"))
		return bulk(argv + 2, argc - 2);
	fprintf(stderr, "usage: see the comment at the top of netgen.c\n");
	return 2;
}
