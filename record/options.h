/* options.h - ebpfrec's command line, parsed and checked. */
#ifndef REC_OPTIONS_H
#define REC_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>

#include "outopts.h"

enum xdp_mode { XDP_MODE_AUTO, XDP_MODE_NATIVE, XDP_MODE_GENERIC };
/* how failed execs are caught: the exec syscalls' exit tracepoints where
 * they can be used, or the raw tracepoint on every syscall's exit */
enum failed_hook { FAILED_HOOK_AUTO, FAILED_HOOK_SYS_EXIT };

#define REC_MAX_IFACE_ARGS 64
/* The kernel's own bounds on an exec's arguments: a string is at most
 * MAX_ARG_STRLEN (32 pages), the argv and environment together at most a
 * quarter of the stack limit, capped at 6 MiB. */
#define REC_MAX_ARGV_BYTES (6u << 20)
#define REC_MAX_ARGS (1u << 20) /* FMT_MAX_ARGC: what one exec record can hold */

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
	unsigned max_args; /* strings kept per exec */
	uint32_t max_argv_bytes; /* bytes of argv read per exec */
	int64_t filter_uid; /* -1: any */
	uint64_t filter_cgroup; /* 0: any */
	const char *filter_cgroup_arg;
	const char *filter_comm;
	bool no_failed; /* do not trace failed execs (no syscall hook at all) */
	enum failed_hook failed_hook;
	bool no_exit; /* do not trace process exits */
	const char *ifaces[REC_MAX_IFACE_ARGS]; /* -i, repeatable */
	unsigned nifaces;
	const char *netns[REC_MAX_IFACE_ARGS]; /* --netns, repeatable */
	unsigned nnetns;
	uint64_t interval_ns;
	uint32_t max_flows;
	bool no_owners; /* do not attribute flows to processes */
	uint32_t max_sockets; /* sockets whose owner is kept */
	enum xdp_mode xdp_mode;
	struct out_options out; /* rotation, flight recorder (outopts.c) */
};

/* Parse argv into o. Exits with status 2 and a usage message on bad input
 * (like every CLI), 0 after --help/--version. */
void rec_options_parse(int argc, char **argv, struct rec_options *o);

/* The effective options as a JSON object (malloc'd), for meta. */
char *rec_options_json(const struct rec_options *o);

/* A number of bytes (or a count) with K, M, G suffixes, checked against
 * [min, max]; a bad one is a usage error (exit 2). For child parsers. */
uint64_t rec_options_bytes(struct argp_state *st, const char *opt, const char *arg, uint64_t min,
			   uint64_t max);

#endif
