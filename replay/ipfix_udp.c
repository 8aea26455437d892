/* ipfix_udp.c - see ipfix_udp.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipfix_enc.h"
#include "ipfix_udp.h"

/* how far ahead of the rate sending may run before it sleeps */
#define RATE_SLACK_S 0.001

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ipfix_udp_parse(const char *text, int default_port, char *host, size_t hostlen, int *port,
                    char *err, size_t errlen)
{
	const char *h = text, *colon = strrchr(text, ':'), *p = NULL;
	size_t n;

	if (text[0] == '[') { /* [IPV6] or [IPV6]:PORT */
		const char *close = strchr(text, ']');
		if (!close || (close[1] && close[1] != ':')) {
			snprintf(err, errlen, "'%s': use [IPV6]:PORT", text);
			return -1;
		}
		h = text + 1;
		n = (size_t)(close - h);
		p = close[1] ? close + 2 : NULL;
	} else if (colon && strchr(text, ':') == colon) { /* HOST:PORT */
		n = (size_t)(colon - text);
		p = colon + 1;
	} else { /* HOST, or an IPv6 address alone */
		n = strlen(text);
	}
	if (!n || n >= hostlen) {
		snprintf(err, errlen, "'%s': %s", text, n ? "host name too long" : "no host");
		return -1;
	}
	memcpy(host, h, n);
	host[n] = 0;
	*port = default_port;
	if (p) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (!*p || *end || errno || v < 1 || v > 65535) {
			snprintf(err, errlen, "'%s': the port must be a number from 1 to 65535",
			         text);
			return -1;
		}
		*port = (int)v;
	}
	return 0;
}

/* The path MTU the kernel knows for the connected socket, 0 if none. */
static unsigned path_mtu(int fd, int family)
{
	int mtu = 0;
	socklen_t len = sizeof(mtu);

	if (family == AF_INET6 ? getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len)
	                       : getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len))
		return 0;
	return mtu > 0 ? (unsigned)mtu : 0;
}

/* Connect u->fd to one of the addresses. @return 0 or -errno of the last. */
static int connect_any(struct ipfix_udp *u, const struct addrinfo *ai, int *family)
{
	struct timeval tv = { .tv_sec = IPFIX_SEND_TIMEOUT_S };
	int rc = -EADDRNOTAVAIL;

	for (; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			u->fd = fd;
			*family = ai->ai_family;
			return 0;
		}
		rc = -errno;
		close(fd);
	}
	return rc;
}

int ipfix_udp_open(struct ipfix_udp *u, const char *text, int default_port, unsigned mtu,
                   double rate)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[256], port[8];
	int p, rc, family = AF_INET;
	unsigned ip_max;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->rate = rate;
	snprintf(u->addr, sizeof(u->addr), "%s", text);
	if (ipfix_udp_parse(text, default_port, host, sizeof(host), &p, u->err, sizeof(u->err)))
		return -EINVAL;
	snprintf(port, sizeof(port), "%d", p);
	/* messages name it with its port, as the collector is told it */
	snprintf(u->addr, sizeof(u->addr), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, p);
	if ((rc = getaddrinfo(host, port, &hints, &ai))) {
		snprintf(u->err, sizeof(u->err), "cannot resolve '%s': %s", host,
		         rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -EINVAL;
	}
	rc = connect_any(u, ai, &family);
	freeaddrinfo(ai);
	if (rc) {
		snprintf(u->err, sizeof(u->err), "cannot reach '%s': %s", u->addr, strerror(-rc));
		return rc;
	}
	ip_max = mtu ? mtu : IPFIX_DEFAULT_MTU;
	u->path_mtu = path_mtu(u->fd, family);
	if (u->path_mtu && u->path_mtu < ip_max)
		ip_max = u->path_mtu;
	/* IP header without options, and UDP's */
	u->max_message = ip_max - (family == AF_INET6 ? 40u : 20u) - 8u;
	if (u->max_message > IPFIX_MAX_MESSAGE)
		u->max_message = IPFIX_MAX_MESSAGE;
	if (u->max_message < IPFIX_MIN_MESSAGE) {
		snprintf(u->err, sizeof(u->err),
		         "'%s': packets of %u bytes leave less than %d bytes for a message", u->addr,
		         ip_max, IPFIX_MIN_MESSAGE);
		ipfix_udp_close(u);
		return -EMSGSIZE;
	}
	return 0;
}

static void wait_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t };

	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	/* a signal ends the wait early: the caller sees its flag next */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int send_error(struct ipfix_udp *u, int e, size_t len)
{
	if (e == ECONNREFUSED)
		snprintf(u->err, sizeof(u->err),
		         "collector '%s' refused the messages (ICMP port unreachable: is a "
		         "collector listening there?)",
		         u->addr);
	else if (e == EAGAIN || e == EWOULDBLOCK)
		snprintf(u->err, sizeof(u->err), "sending to '%s' blocked for %d s", u->addr,
		         IPFIX_SEND_TIMEOUT_S);
	else if (e == EMSGSIZE)
		snprintf(u->err, sizeof(u->err),
		         "a message of %zu bytes is too big for the path to '%s' (try --mtu)", len,
		         u->addr);
	else
		snprintf(u->err, sizeof(u->err), "cannot send to '%s': %s", u->addr, strerror(e));
	return -e;
}

int ipfix_udp_send(struct ipfix_udp *u, const uint8_t *msg, size_t len, uint32_t records)
{
	int busy = 0;

	if (u->rate > 0) {
		double t = mono();
		if (u->next_due < t) /* idle: no burst to catch up */
			u->next_due = t;
		else if (u->next_due > t + RATE_SLACK_S) /* a sleep costs ~60 us: not per message */
			wait_until(u->next_due);
		u->next_due += records / u->rate;
	}
	while (send(u->fd, msg, len, 0) < 0) {
		if (errno == EINTR)
			continue;
		/* the device queue is full: give it a moment, a few times */
		if (errno == ENOBUFS && busy++ < 1000) {
			usleep(1000);
			continue;
		}
		return send_error(u, errno, len);
	}
	return 0;
}

int ipfix_udp_finish(struct ipfix_udp *u, int wait_ms)
{
	struct pollfd pfd = { .fd = u->fd, .events = 0 };
	int e = 0;
	socklen_t elen = sizeof(e);

	if (poll(&pfd, 1, wait_ms) == 1 && (pfd.revents & POLLERR) &&
	    getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e)
		return send_error(u, e, 0);
	return 0;
}

void ipfix_udp_close(struct ipfix_udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}
