/* outopts.c - see outopts.h: the rotation and flight-recorder options,
 * each value checked, and the combinations that make no sense refused. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "options.h"
#include "outopts.h"

#define NS 1000000000ull

enum {
	OPT_ROTATE_EVERY = 2000,
	OPT_ROTATE_SIZE,
	OPT_KEEP,
	OPT_RING,
	OPT_RING_SIZE,
	OPT_AFTER,
	OPT_TRIGGER_EXIT,
	OPT_TRIGGER_EXEC,
	OPT_TRIGGER_FAILED,
};

static const struct argp_option options[] = {
	{ "rotate-every", OPT_ROTATE_EVERY, "DURATION", 0,
	  "Start a new file every DURATION (1s to 7d: 30s, 10m, 1h, 1d), on the wall clock's "
	  "boundaries (10m: at :00, :10, ...); -o FILE is then a PATTERN",
	  0 },
	{ "rotate-size", OPT_ROTATE_SIZE, "SIZE", 0,
	  "Start a new file when this one holds SIZE of data (16K to 1T; K, M, G)", 0 },
	{ "keep", OPT_KEEP, "N", 0,
	  "Keep the newest N files of the PATTERN (rotated files or dumps), delete older ones",
	  0 },
	{ "ring", OPT_RING, "DURATION", 0,
	  "Flight recorder: keep only the last DURATION in memory (1s to 1d) and write it to a "
	  "file (-o PATTERN) on SIGUSR1 or on a trigger",
	  0 },
	{ "ring-size", OPT_RING_SIZE, "SIZE", 0,
	  "Memory the flight recorder may hold (default 64M; 256K to 64G); when full, its "
	  "oldest records go first, counted",
	  0 },
	{ "after", OPT_AFTER, "DURATION", 0,
	  "A triggered dump also holds DURATION after its trigger (default 10s; 0 to 1h)", 0 },
	{ "trigger-exit-nonzero", OPT_TRIGGER_EXIT, "GLOB", 0,
	  "Dump when a process whose comm matches GLOB exits non-zero or is killed by a signal "
	  "(repeatable)",
	  0 },
	{ "trigger-exec", OPT_TRIGGER_EXEC, "GLOB", 0,
	  "Dump when a program whose comm (or, for a GLOB with a '/', path) matches GLOB is "
	  "executed (repeatable)",
	  0 },
	{ "trigger-failed-exec", OPT_TRIGGER_FAILED, NULL, 0, "Dump when an exec fails", 0 },
	{ 0 },
};

int outopts_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		double unit;
	} units[] = { { "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "m", 60e9 }, { "h", 3600e9 },
		      { "d", 86400e9 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || *s == '-' || *s == '+')
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (v * units[i].unit > 1e18)
			return -1;
		*ns = (uint64_t)llround(v * units[i].unit);
		return 0;
	}
	return -1;
}

static uint64_t duration(struct argp_state *st, const char *opt, const char *arg, uint64_t min,
			 uint64_t max, const char *range)
{
	uint64_t ns;

	if (outopts_duration(arg, &ns))
		argp_error(st, "invalid %s '%s': use 30s, 10m, 1h, 1d", opt, arg);
	if (ns < min || ns > max)
		argp_error(st, "invalid %s '%s': must be between %s", opt, arg, range);
	return ns;
}

static void add_glob(struct argp_state *st, const char *opt, const char **v, unsigned *n,
		     const char *arg)
{
	if (!*arg)
		argp_error(st, "invalid %s '': empty pattern", opt);
	if (*n == OUT_MAX_TRIGGERS)
		argp_error(st, "too many %s options (at most %d)", opt, OUT_MAX_TRIGGERS);
	v[(*n)++] = arg;
}

static void check(struct argp_state *st, const struct out_options *o, const unsigned *given)
{
	int rotating = o->rotate_every_ns || o->rotate_size;
	int triggers = o->ntrigger_exit || o->ntrigger_exec || o->trigger_failed_exec;

	if (o->ring_ns && rotating)
		argp_error(st, "--ring and --rotate-%s exclude each other: the flight recorder "
			       "writes files only when asked",
			   o->rotate_every_ns ? "every" : "size");
	if (o->keep && !rotating && !o->ring_ns)
		argp_error(st, "--keep needs --rotate-every, --rotate-size or --ring");
	if (!o->ring_ns && (triggers || given[OPT_RING_SIZE - OPT_ROTATE_EVERY] ||
			    given[OPT_AFTER - OPT_ROTATE_EVERY]))
		argp_error(st, "--%s needs --ring",
			   triggers ? "trigger-*" :
			   given[OPT_AFTER - OPT_ROTATE_EVERY] ? "after" : "ring-size");
}

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	static unsigned given[OPT_TRIGGER_FAILED - OPT_ROTATE_EVERY + 1];
	struct out_options *o = st->input;

	if (key >= OPT_ROTATE_EVERY && key <= OPT_TRIGGER_FAILED)
		given[key - OPT_ROTATE_EVERY]++;
	switch (key) {
	case ARGP_KEY_INIT:
		memset(given, 0, sizeof(given));
		o->ring_size = 64ull << 20;
		o->after_ns = 10 * NS;
		break;
	case OPT_ROTATE_EVERY:
		o->rotate_every_ns = duration(st, "--rotate-every", arg, NS, 7 * 86400 * NS,
					      "1s and 7d");
		if (o->rotate_every_ns % NS)
			argp_error(st, "invalid --rotate-every '%s': use whole seconds", arg);
		break;
	case OPT_ROTATE_SIZE:
		o->rotate_size = rec_options_bytes(st, "--rotate-size", arg, 16u << 10, 1ull << 40);
		break;
	case OPT_KEEP:
		o->keep = (unsigned)rec_options_bytes(st, "--keep", arg, 1, 1000000);
		break;
	case OPT_RING:
		o->ring_ns = duration(st, "--ring", arg, NS, 86400 * NS, "1s and 1d");
		break;
	case OPT_RING_SIZE:
		o->ring_size = rec_options_bytes(st, "--ring-size", arg, 256u << 10, 64ull << 30);
		break;
	case OPT_AFTER:
		o->after_ns = duration(st, "--after", arg, 0, 3600 * NS, "0 and 1h");
		break;
	case OPT_TRIGGER_EXIT:
		add_glob(st, "--trigger-exit-nonzero", o->trigger_exit, &o->ntrigger_exit, arg);
		break;
	case OPT_TRIGGER_EXEC:
		add_glob(st, "--trigger-exec", o->trigger_exec, &o->ntrigger_exec, arg);
		break;
	case OPT_TRIGGER_FAILED:
		o->trigger_failed_exec = true;
		break;
	case ARGP_KEY_END:
		check(st, o, given);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp outopts_argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

void outopts_json(struct json *j, const struct out_options *o)
{
	if (o->rotate_every_ns)
		json_kv_u64(j, "rotate_every_ns", o->rotate_every_ns);
	if (o->rotate_size)
		json_kv_u64(j, "rotate_size", o->rotate_size);
	if (o->keep)
		json_kv_u64(j, "keep", o->keep);
	if (!o->ring_ns)
		return;
	json_kv_u64(j, "ring_ns", o->ring_ns);
	json_kv_u64(j, "ring_size", o->ring_size);
	json_kv_u64(j, "after_ns", o->after_ns);
	json_key(j, "trigger_exit_nonzero");
	json_str_array(j, o->trigger_exit, o->ntrigger_exit);
	json_key(j, "trigger_exec");
	json_str_array(j, o->trigger_exec, o->ntrigger_exec);
	json_kv_bool(j, "trigger_failed_exec", o->trigger_failed_exec);
}
