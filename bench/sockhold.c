/* sockhold.c - holds N open sockets for owner_bench.sh: N/2 TCP
 * connections over loopback, both ends in this process (and a listener),
 * so that ebpfrec has N sockets to find when it starts. Prints "ready" and
 * waits for the end of its stdin.
 *
 *   sockhold N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc == 2 ? strtol(argv[1], NULL, 10) : -1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct rlimit rl;
	char c;
	int l;

	if (n < 0) {
		fprintf(stderr, "usage: sockhold N\n");
		return 2;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("sockhold: setrlimit (need root for many sockets)");
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4096) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return perror("sockhold: listen"), 1;
	for (long i = 0; i < n / 2; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) || accept(l, NULL, NULL) < 0)
			return perror("sockhold: connection"), 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0) {
	}
	return 0;
}
