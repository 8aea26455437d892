/* ownergen.c - the processes of the flow-owner tests: each says who it is
 * (its pid and local port, one line on stdout) and exchanges a known
 * amount of traffic, so that the test knows which process owns which
 * packets. Run inside a test's own network namespace; addresses must be
 * those of the veth peer.
 *
 *   ownergen server PORT N         TCP echo server on [::]:PORT (IPv4 and
 *                                  IPv6), N clients at once; exits when all
 *                                  N have closed
 *   ownergen client DST PORT ROUNDS   ROUNDS round trips of SIZE bytes, then
 *                                     close and exit
 *   ownergen udp DST PORT COUNT    COUNT datagrams, then exit at once
 *   ownergen hold DST PORT         connect; then for each line "N" on stdin
 *                                  N round trips and "ok"; exit at EOF
 *   ownergen fork DST PORT ROUNDS  ROUNDS round trips, "forked PID" for the
 *                                  child, which inherits the socket: at the
 *                                  line "go" on stdin it does ROUNDS round
 *                                  trips and closes the last reference
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 200 /* bytes per write: far below any segmentation */
#define MAX_CLIENTS 16

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static socklen_t resolve(const char *s, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return sizeof(*a6);
	}
	fprintf(stderr, "ownergen: bad address '%s'\n", s);
	exit(2);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					      ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int dial(const char *dst, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = resolve(dst, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	/* each write its own segment, sent at once: the counts the test
	 * expects do not depend on Nagle's timing */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int read_full(int fd, char *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void rounds(int fd, int n)
{
	char buf[SIZE];

	memset(buf, 'o', sizeof(buf));
	for (int i = 0; i < n; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) || read_full(fd, buf, sizeof(buf)))
			die("round trip");
}

static int server(int port, int n)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct pollfd p[MAX_CLIENTS + 1];
	int lfd = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0, accepted = 0, open = 0;
	char buf[4096];

	if (n > MAX_CLIENTS)
		n = MAX_CLIENTS;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 16))
		die("listen");
	printf("pid %d lport %d\n", getpid(), port);
	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (int i = 1; i <= n; i++)
		p[i] = (struct pollfd){ .fd = -1 };
	while (accepted < n || open > 0) {
		if (poll(p, (nfds_t)n + 1, -1) < 0)
			die("poll");
		if (p[0].revents & POLLIN) {
			int fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				die("accept");
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			p[++accepted].fd = fd;
			p[accepted].events = POLLIN;
			open++;
			if (accepted == n)
				p[0].fd = -1;
		}
		for (int i = 1; i <= n; i++) {
			ssize_t r;
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0 && write(p[i].fd, buf, (size_t)r) == r)
				continue;
			close(p[i].fd);
			p[i].fd = -1;
			open--;
		}
	}
	close(lfd);
	return 0;
}

static int udp(const char *dst, int port, int count)
{
	struct sockaddr_storage ss, any = { 0 };
	socklen_t len = resolve(dst, port, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	char payload[SIZE] = "ebpfrec owner test";

	/* unconnected: the port unreachables that come back must not stop it */
	any.ss_family = ss.ss_family;
	if (fd < 0 || bind(fd, (struct sockaddr *)&any, len))
		die("udp");
	printf("pid %d lport %d\n", getpid(), local_port(fd));
	for (int i = 0; i < count; i++)
		if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&ss, len) < 0)
			die("sendto");
	return 0; /* and gone before the interval ends */
}

static int hold(const char *dst, int port)
{
	int fd = dial(dst, port), n;
	char line[64];

	printf("pid %d lport %d\n", getpid(), local_port(fd));
	while (fgets(line, sizeof(line), stdin)) {
		n = atoi(line);
		rounds(fd, n);
		puts("ok");
	}
	close(fd);
	return 0;
}

static int forked(const char *dst, int port, int n)
{
	int fd = dial(dst, port), st;
	char line[64];
	pid_t child;

	printf("pid %d lport %d\n", getpid(), local_port(fd));
	rounds(fd, n);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (!fgets(line, sizeof(line), stdin) || strncmp(line, "go", 2))
			_exit(1);
		rounds(fd, n);
		close(fd);
		_exit(0);
	}
	close(fd); /* the child holds the last reference */
	printf("forked %d\n", child);
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* the test reads each line as it comes */
	if (argc == 4 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "client")) {
		int fd = dial(argv[2], atoi(argv[3]));
		printf("pid %d lport %d\n", getpid(), local_port(fd));
		rounds(fd, atoi(argv[4]));
		close(fd);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "udp"))
		return udp(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "fork"))
		return forked(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: ownergen server|client|udp|hold|fork ... (see ownergen.c)\n");
	return 2;
}
