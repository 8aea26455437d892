/* sysloop.c - what one syscall costs: N getppid() calls, timed, REPS times;
 * prints the fastest repetition's nanoseconds per call (the least
 * disturbed by the rest of the machine).
 *
 *   sysloop [N] [REPS]      (default 2000000 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000, reps = argc > 2 ? atol(argv[2]) : 5;
	double best = 1e30;

	if (n <= 0 || reps <= 0) {
		fprintf(stderr, "usage: sysloop [N] [REPS]\n");
		return 2;
	}
	for (long r = 0; r < reps; r++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid); /* not cached by libc, a real syscall each */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
		if (ns < best)
			best = ns;
	}
	printf("%.2f\n", best);
	return 0;
}
