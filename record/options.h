/* options.h - ebpfrec's command line, parsed and checked. */
#ifndef REC_OPTIONS_H
#define REC_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

enum xdp_mode { XDP_MODE_AUTO, XDP_MODE_NATIVE, XDP_MODE_GENERIC };

#define REC_MAX_IFACE_ARGS 64

struct rec_options {
	const char *output;
	double duration; /* seconds; 0 = until interrupted */
	bool force;
	bool no_exec;
	bool no_net;
	bool print;
	bool verbose;
	int progress; /* -1 auto (terminal), 0 off, 1 on */
	uint64_t ringbuf_size; /* bytes, power of two */
	uint64_t queue_size; /* bytes waiting for the writer thread */
	unsigned max_args;
	int64_t filter_uid; /* -1: any */
	uint64_t filter_cgroup; /* 0: any */
	const char *filter_cgroup_arg;
	const char *filter_comm;
	bool no_failed; /* do not trace failed execs (skips the sys_exit hook) */
	bool no_exit; /* do not trace process exits */
	const char *ifaces[REC_MAX_IFACE_ARGS]; /* -i, repeatable */
	unsigned nifaces;
	uint64_t interval_ns;
	uint32_t max_flows;
	enum xdp_mode xdp_mode;
};

/* Parse argv into o. Exits with status 2 and a usage message on bad input
 * (like every CLI), 0 after --help/--version. */
void rec_options_parse(int argc, char **argv, struct rec_options *o);

/* The effective options as a JSON object (malloc'd), for meta. */
char *rec_options_json(const struct rec_options *o);

#endif
