/* options.c - argp parsing of ebpfrec's options, with every value checked. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "options.h"

const char *argp_program_version = "ebpfrec " EBPFREC_VERSION;
const char *argp_program_bug_address = "<https://github.com/ebpfrec/ebpfrec/issues>";

static const char doc[] =
	"Record every exec and process exit on this host, and per-flow packet and "
	"byte counts per interval (XDP ingress, tc egress), into a compressed SQLite "
	"session file that ebpfreport reads offline, on any machine.\n"
	"\n"
	"USAGE: ebpfrec [-o FILE|PATTERN] [--duration SECONDS] [OPTIONS]   (as root)\n"
	"\n"
	"EXAMPLES:\n"
	"  ebpfrec -o session.db                 # record until Ctrl-C\n"
	"  ebpfrec -o s.db --duration 30 --force # 30 s, replace s.db\n"
	"  ebpfrec --print --uid 1000            # print uid 1000's execs live\n"
	"  ebpfrec --comm make -o build.db       # only processes named make\n"
	"  ebpfrec -i eth0 --no-exec --interval 5s  # only flows on eth0\n"
	"  ebpfrec --netns web -o web.db         # a container's interfaces (ip netns)\n"
	"  ebpfrec -o 'h-%Y%m%d-%H%M%S.db' --rotate-every 10m --keep 144\n"
	"                                        # a file every 10 minutes, a day kept\n"
	"  ebpfrec --ring 5m --trigger-exit-nonzero 'nginx*' -o 'crash-%H%M%S.db'\n"
	"                                        # the 5 minutes before nginx fails\n"
	"  ebpfreport session.db --top 10        # read it, no root needed\n"
	"\n"
	"Stop with Ctrl-C or SIGTERM: the file is flushed and closed cleanly. A second "
	"Ctrl-C exits at once; the file stays readable, with everything flushed (at "
	"least once a second).\v"
	"Needs root, or CAP_BPF + CAP_PERFMON (+ CAP_NET_ADMIN for network hooks). "
	"The file is created with mode 0600 and, under sudo, owned by the invoking "
	"user. With rotation or --ring, -o names files by a PATTERN: strftime fields "
	"(%Y%m%d-%H%M%S), or without fields a sequence number before the extension "
	"(s.db: s-000001.db, s-000002.db, ...). SIGUSR1 makes the flight recorder write "
	"its window at once. See ebpfrec(8).";

enum {
	OPT_NO_EXEC = 1000,
	OPT_NO_NET,
	OPT_RINGBUF,
	OPT_MAX_ARGS,
	OPT_UID,
	OPT_CGROUP,
	OPT_COMM,
	OPT_PROGRESS,
	OPT_NO_PROGRESS,
	OPT_NO_FAILED,
	OPT_NO_EXIT,
	OPT_INTERVAL,
	OPT_MAX_FLOWS,
	OPT_XDP_MODE,
	OPT_QUEUE,
	OPT_MAX_ARGV_BYTES,
	OPT_FAILED_HOOK,
	OPT_NETNS,
	OPT_NO_OWNERS,
	OPT_MAX_SOCKETS,
};

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0,
	  "Session file to create (default: session.db); with rotation or --ring, the PATTERN "
	  "of the files",
	  0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (default: until interrupted)", 0 },
	{ "force", 'f', NULL, 0, "Overwrite FILE if it exists", 0 },
	{ "print", 'p', NULL, 0, "Also print each event on stdout, one line each", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages and more detail in errors", 0 },
	{ NULL, 0, NULL, 0, "What to record:", 1 },
	{ "no-exec", OPT_NO_EXEC, NULL, 0, "Do not record execs and exits", 1 },
	{ "no-net", OPT_NO_NET, NULL, 0, "Do not record network flows", 1 },
	{ "no-failed", OPT_NO_FAILED, NULL, 0,
	  "Do not record failed execs (no syscall hook at all)", 1 },
	{ "failed-hook", OPT_FAILED_HOOK, "HOOK", 0,
	  "How failed execs are caught: auto (default: the execve/execveat exit "
	  "tracepoints, else sys-exit) or sys-exit (a raw tracepoint on the exit of every "
	  "syscall: costs every syscall of the host)",
	  1 },
	{ "no-exit", OPT_NO_EXIT, NULL, 0, "Do not record process exits", 1 },
	{ "no-owners", OPT_NO_OWNERS, NULL, 0,
	  "Do not attribute flows to the processes that own their sockets (no cgroup hooks)", 1 },
	{ "interface", 'i', "IFACE", 0,
	  "Hook this interface (repeatable; default: every interface that is up, except "
	  "loopback; 'any' adds loopback)",
	  1 },
	{ "netns", OPT_NETNS, "NAME|PATH", 0,
	  "Also hook every interface that is up (but loopback) in this network namespace: "
	  "a name under /run/netns (ip netns) or a path such as /proc/PID/ns/net "
	  "(repeatable; without -i, only these namespaces are recorded)",
	  1 },
	{ "interval", OPT_INTERVAL, "DURATION", 0,
	  "Flow interval: 1s (default), 500ms, 10s... (100ms to 1h)", 1 },
	{ "max-flows", OPT_MAX_FLOWS, "N", 0,
	  "Flow table size per interval (default 65536); more flows go to a counted "
	  "overflow bucket",
	  1 },
	{ "max-sockets", OPT_MAX_SOCKETS, "N", 0,
	  "Sockets whose owner is kept at once (default 65536); more are counted "
	  "(lost_owners) and their flows unowned",
	  3 },
	{ "xdp-mode", OPT_XDP_MODE, "MODE", 0,
	  "auto (default: generic on veth and loopback, native elsewhere where the "
	  "driver has it), native or generic",
	  1 },
	{ NULL, 0, NULL, 0, "Filters (applied in the kernel):", 2 },
	{ "uid", OPT_UID, "UID", 0, "Only processes of this user id", 2 },
	{ "cgroup", OPT_CGROUP, "PATH|ID", 0, "Only processes in this cgroup (v2 path or id)", 2 },
	{ "comm", OPT_COMM, "NAME", 0, "Only processes whose comm is NAME (exact, 15 chars)", 2 },
	{ NULL, 0, NULL, 0, "Tuning:", 3 },
	{ "ringbuf-size", OPT_RINGBUF, "BYTES", 0,
	  "Ring buffer size, a power of two, K/M suffixes (default: 8M)", 3 },
	{ "queue-size", OPT_QUEUE, "BYTES", 0,
	  "Memory for records waiting for a slow disk (default 256M; K, M, G); "
	  "beyond it records are dropped and counted",
	  3 },
	{ "max-args", OPT_MAX_ARGS, "N", 0,
	  "Keep at most N arguments per exec (default 1024, up to 1048576); more are cut, "
	  "flagged and counted",
	  3 },
	{ "max-argv-bytes", OPT_MAX_ARGV_BYTES, "BYTES", 0,
	  "Read at most BYTES of each exec's arguments (default 64K, 4K to 6M, the "
	  "kernel's own limit; K, M); the ring buffer must be larger",
	  3 },
	{ "progress", OPT_PROGRESS, NULL, 0, "Show the status line even if stderr is not a terminal",
	  3 },
	{ "no-progress", OPT_NO_PROGRESS, NULL, 0, "Never show the status line", 3 },
	{ 0 },
};

static uint64_t parse_u64(struct argp_state *st, const char *opt, const char *arg, uint64_t min,
			  uint64_t max, int suffixes)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*arg || *arg == '-')
		argp_error(st, "invalid %s '%s': not a positive number", opt, arg);
	v = strtoull(arg, &end, 10);
	if (suffixes && (*end == 'K' || *end == 'k') && !end[1] && v <= ULLONG_MAX >> 10)
		v <<= 10, end++;
	else if (suffixes && (*end == 'M' || *end == 'm') && !end[1] && v <= ULLONG_MAX >> 20)
		v <<= 20, end++;
	else if (suffixes && (*end == 'G' || *end == 'g') && !end[1] && v <= ULLONG_MAX >> 30)
		v <<= 30, end++;
	if (errno || *end || end == arg)
		argp_error(st, "invalid %s '%s': not a number", opt, arg);
	if (v < min || v > max)
		argp_error(st, "invalid %s '%s': must be between %llu and %llu", opt, arg,
			   (unsigned long long)min, (unsigned long long)max);
	return v;
}

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	struct rec_options *o = st->input;
	char *end;

	switch (key) {
	case 'o':
		if (!*arg)
			argp_error(st, "invalid --output '': empty file name");
		o->output = arg;
		break;
	case 'd':
		errno = 0;
		o->duration = strtod(arg, &end);
		if (errno || *end || end == arg || !(o->duration > 0) || o->duration > 1e9)
			argp_error(st, "invalid --duration '%s': need a positive number of seconds",
				   arg);
		break;
	case 'f':
		o->force = true;
		break;
	case 'p':
		o->print = true;
		break;
	case 'v':
		o->verbose = true;
		break;
	case OPT_NO_EXEC:
		o->no_exec = true;
		break;
	case OPT_NO_NET:
		o->no_net = true;
		break;
	case OPT_NO_FAILED:
		o->no_failed = true;
		break;
	case OPT_NO_EXIT:
		o->no_exit = true;
		break;
	case OPT_NO_OWNERS:
		o->no_owners = true;
		break;
	case OPT_MAX_SOCKETS:
		o->max_sockets = (uint32_t)parse_u64(st, "--max-sockets", arg, 64, 16u << 20, 0);
		break;
	case OPT_FAILED_HOOK:
		if (!strcmp(arg, "auto"))
			o->failed_hook = FAILED_HOOK_AUTO;
		else if (!strcmp(arg, "sys-exit"))
			o->failed_hook = FAILED_HOOK_SYS_EXIT;
		else
			argp_error(st, "invalid --failed-hook '%s': use auto or sys-exit", arg);
		break;
	case 'i':
		if (o->nifaces == REC_MAX_IFACE_ARGS)
			argp_error(st, "too many -i options (at most %d)", REC_MAX_IFACE_ARGS);
		o->ifaces[o->nifaces++] = arg;
		break;
	case OPT_NETNS:
		if (o->nnetns == REC_MAX_IFACE_ARGS)
			argp_error(st, "too many --netns options (at most %d)", REC_MAX_IFACE_ARGS);
		if (!*arg)
			argp_error(st, "invalid --netns '': empty name");
		o->netns[o->nnetns++] = arg;
		break;
	case OPT_INTERVAL: {
		double v = strtod(arg, &end), unit = 1e9;
		if (end == arg)
			argp_error(st, "invalid --interval '%s': use 1s, 500ms, 2m", arg);
		if (!strcmp(end, "ms"))
			unit = 1e6;
		else if (!strcmp(end, "m"))
			unit = 60e9;
		else if (*end && strcmp(end, "s"))
			argp_error(st, "invalid --interval '%s': use 1s, 500ms, 2m", arg);
		if (!(v * unit >= 1e8 && v * unit <= 3600e9))
			argp_error(st, "invalid --interval '%s': must be between 100ms and 1h", arg);
		o->interval_ns = (uint64_t)(v * unit);
		break;
	}
	case OPT_MAX_FLOWS:
		o->max_flows = (uint32_t)parse_u64(st, "--max-flows", arg, 16, 16u << 20, 0);
		break;
	case OPT_XDP_MODE:
		if (!strcmp(arg, "auto"))
			o->xdp_mode = XDP_MODE_AUTO;
		else if (!strcmp(arg, "native"))
			o->xdp_mode = XDP_MODE_NATIVE;
		else if (!strcmp(arg, "generic"))
			o->xdp_mode = XDP_MODE_GENERIC;
		else
			argp_error(st, "invalid --xdp-mode '%s': use auto, native or generic", arg);
		break;
	case OPT_UID:
		o->filter_uid = (int64_t)parse_u64(st, "--uid", arg, 0, UINT32_MAX - 1, 0);
		break;
	case OPT_CGROUP: {
		struct stat sb;
		o->filter_cgroup_arg = arg;
		if (arg[0] == '/') {
			/* a cgroup v2 directory's inode number is its id */
			if (stat(arg, &sb) || !S_ISDIR(sb.st_mode))
				argp_error(st, "invalid --cgroup '%s': not a cgroup directory", arg);
			o->filter_cgroup = sb.st_ino;
		} else {
			o->filter_cgroup = parse_u64(st, "--cgroup", arg, 1, UINT64_MAX, 0);
		}
		break;
	}
	case OPT_COMM:
		if (!*arg || strlen(arg) > 15)
			argp_error(st, "invalid --comm '%s': must be 1-15 characters", arg);
		o->filter_comm = arg;
		break;
	case OPT_RINGBUF:
		o->ringbuf_size = parse_u64(st, "--ringbuf-size", arg, 4096, 1ull << 30, 1);
		if (o->ringbuf_size & (o->ringbuf_size - 1))
			argp_error(st, "invalid --ringbuf-size '%s': must be a power of two", arg);
		break;
	case OPT_QUEUE:
		o->queue_size = parse_u64(st, "--queue-size", arg, 64u << 10, 64ull << 30, 1);
		break;
	case OPT_MAX_ARGS:
		o->max_args = (unsigned)parse_u64(st, "--max-args", arg, 1, REC_MAX_ARGS, 0);
		break;
	case OPT_MAX_ARGV_BYTES:
		o->max_argv_bytes =
			(uint32_t)parse_u64(st, "--max-argv-bytes", arg, 4096, REC_MAX_ARGV_BYTES, 1);
		break;
	case OPT_PROGRESS:
		o->progress = 1;
		break;
	case OPT_NO_PROGRESS:
		o->progress = 0;
		break;
	case ARGP_KEY_INIT:
		st->child_inputs[0] = &o->out; /* outopts.c */
		break;
	case ARGP_KEY_ARG:
		argp_error(st, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void rec_options_parse(int argc, char **argv, struct rec_options *o)
{
	static const struct argp_child children[] = {
		{ &outopts_argp, 0, "Rotation and flight recorder:", 4 },
		{ 0 },
	};
	static const struct argp argp = { options, parse_opt, NULL, doc, children, NULL, NULL };

	*o = (struct rec_options){
		.output = "session.db",
		.progress = -1,
		.ringbuf_size = 8u << 20,
		.queue_size = 256u << 20,
		.max_args = 1024,
		.max_argv_bytes = 64u << 10,
		.filter_uid = -1,
		.interval_ns = 1000000000ull,
		.max_flows = 65536,
		.max_sockets = 65536,
	};
	argp_err_exit_status = 2; /* usage errors, like other tools */
	argp_parse(&argp, argc, argv, 0, NULL, o);
	if (o->no_exec && o->no_net) {
		fprintf(stderr, "ebpfrec: --no-exec and --no-net leave nothing to record\n");
		exit(2);
	}
	if (o->no_net && (o->nnetns || o->nifaces)) {
		fprintf(stderr, "ebpfrec: %s and --no-net contradict each other\n",
			o->nnetns ? "--netns" : "-i");
		exit(2);
	}
	/* the largest exec record (header and two paths take under 2 KiB) must
	 * fit in the ring buffer, or it could never be sent */
	if (o->ringbuf_size < (uint64_t)o->max_argv_bytes + 2048) {
		fprintf(stderr,
			"ebpfrec: --ringbuf-size %llu is too small for --max-argv-bytes %u: "
			"use at least %llu, or a smaller --max-argv-bytes\n",
			(unsigned long long)o->ringbuf_size, o->max_argv_bytes,
			(unsigned long long)o->max_argv_bytes + 2048);
		exit(2);
	}
}

char *rec_options_json(const struct rec_options *o)
{
	struct json j = { 0 };

	json_begin_object(&j);
	json_kv_str(&j, "output", o->output);
	json_kv_double(&j, "duration_s", o->duration);
	json_kv_bool(&j, "exec", !o->no_exec);
	json_kv_bool(&j, "net", !o->no_net);
	json_kv_bool(&j, "failed_execs", !o->no_failed);
	json_kv_str(&j, "failed_hook", o->failed_hook == FAILED_HOOK_SYS_EXIT ? "sys-exit" : "auto");
	json_kv_bool(&j, "exits", !o->no_exit);
	json_kv_u64(&j, "ringbuf_size", o->ringbuf_size);
	json_kv_u64(&j, "queue_size", o->queue_size);
	json_kv_u64(&j, "max_args", o->max_args);
	json_kv_u64(&j, "max_argv_bytes", o->max_argv_bytes);
	json_kv_u64(&j, "interval_ns", o->interval_ns);
	json_kv_u64(&j, "max_flows", o->max_flows);
	json_kv_bool(&j, "owners", !o->no_net && !o->no_owners);
	json_kv_u64(&j, "max_sockets", o->max_sockets);
	json_kv_str(&j, "xdp_mode", o->xdp_mode == XDP_MODE_NATIVE ? "native" :
				    o->xdp_mode == XDP_MODE_GENERIC ? "generic" : "auto");
	json_key(&j, "interfaces");
	json_str_array(&j, o->ifaces, o->nifaces);
	json_key(&j, "netns");
	json_str_array(&j, o->netns, o->nnetns);
	if (o->filter_uid >= 0)
		json_kv_u64(&j, "filter_uid", (uint64_t)o->filter_uid);
	if (o->filter_cgroup)
		json_kv_u64(&j, "filter_cgroup", o->filter_cgroup);
	if (o->filter_comm)
		json_kv_str(&j, "filter_comm", o->filter_comm);
	outopts_json(&j, &o->out);
	json_end_object(&j);
	return json_take(&j);
}

uint64_t rec_options_bytes(struct argp_state *st, const char *opt, const char *arg, uint64_t min,
			   uint64_t max)
{
	return parse_u64(st, opt, arg, min, max, 1);
}
