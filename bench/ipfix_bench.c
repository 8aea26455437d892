/* ipfix_bench.c - writes the session of the IPFIX replay benchmark: N flow
 * rows of bench/synth.h's 5,000 flows (IPv4 and IPv6; TCP, UDP, ICMP),
 * for bench/ipfix_bench.sh to send to nfcapd.
 *
 * usage: ipfix_bench N SESSION.db
 */
#include <stdio.h>
#include <stdlib.h>

#include "fmt.h"
#include "fmt_meta.h"
#include "synth.h"

int main(int argc, char **argv)
{
	struct fmt_writer *w;
	struct synth *s;
	char *err = NULL;
	long n;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: ipfix_bench N SESSION.db\n");
		return 2;
	}
	if (fmt_writer_create(argv[2], FMT_CREATE_FORCE, NULL, &w, &err)) {
		fprintf(stderr, "ipfix_bench: %s\n", err ? err : argv[2]);
		return 1;
	}
	fmt_writer_set_meta(w, FMT_META_HOSTNAME, "bench");
	fmt_writer_set_meta(w, FMT_META_CLOCK_OFFSET_NS, "1700000000000000000");
	s = synth_new(7, 5000);
	for (long i = 0; i < n; i++) {
		struct fmt_flow f;

		synth_flow(s, &f);
		if (fmt_writer_append_flow(w, &f)) {
			fprintf(stderr, "ipfix_bench: %s\n", fmt_writer_errmsg(w));
			return 1;
		}
	}
	synth_free(s);
	if (fmt_writer_close(w, &err)) {
		fprintf(stderr, "ipfix_bench: %s\n", err ? err : argv[2]);
		return 1;
	}
	return 0;
}
