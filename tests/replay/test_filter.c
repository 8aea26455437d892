/* test_filter.c - the record filters: values refused with a reason, and a
 * table of filters against records of each stream (a filter on a field a
 * record lacks excludes it). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "fmt_meta.h"

struct value_case {
	enum filter_id id;
	char val[40];
	int ok;
};

ParameterizedTestParameters(filter, values)
{
	static struct value_case cases[] = {
		{ FILTER_SINCE, "+30s", 1 },	   { FILTER_SINCE, "yesterday", 0 },
		{ FILTER_UNTIL, "@1700000000", 1 }, { FILTER_PID, "4294967295", 1 },
		{ FILTER_PID, "4294967296", 0 },   { FILTER_PID, "-1", 0 },
		{ FILTER_UID, "0", 1 },		   { FILTER_COMM, "c*", 1 },
		{ FILTER_IP, "10.0.0.0/8", 1 },	   { FILTER_IP, "10.0.0.0/33", 0 },
		{ FILTER_IP, "fd00::/16", 1 },	   { FILTER_IP, "fd00::/129", 0 },
		{ FILTER_IP, "10.0.0.1/", 0 },	   { FILTER_IP, "host.example", 0 },
		{ FILTER_PORT, "65535", 1 },	   { FILTER_PORT, "65536", 0 },
		{ FILTER_PROTO, "TCP", 1 },	   { FILTER_PROTO, "icmp6", 1 },
		{ FILTER_PROTO, "255", 1 },	   { FILTER_PROTO, "256", 0 },
		{ FILTER_PROTO, "carrier-pigeon", 0 }, { FILTER_IFACE, "", 0 },
		{ FILTER_DIR, "out", 1 },	   { FILTER_DIR, "sideways", 0 },
		{ FILTER_TYPE, "exec,flow", 1 },   { FILTER_TYPE, "exec,", 1 },
		{ FILTER_TYPE, ",", 0 },	   { FILTER_TYPE, "exec,nope", 0 },
	};
	return cr_make_param_array(struct value_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct value_case *c, filter, values)
{
	struct filter f;
	const char *why;

	filter_init(&f);
	why = filter_set(&f, c->id, c->val);
	if (c->ok) {
		cr_assert_null(why, "--%s '%s': %s", filter_option(c->id)->name, c->val, why);
		cr_assert(filter_has(&f, c->id));
	} else {
		cr_assert_not_null(why, "--%s '%s' accepted", filter_option(c->id)->name, c->val);
		cr_assert(!filter_has(&f, c->id), "a refused value still set the filter");
	}
}

/* A session whose interface 2 is eth0, for --iface by name. */
static struct fmt_reader *session_with_eth0(void)
{
	char path[64];
	struct fmt_writer *w;
	struct fmt_reader *r;

	snprintf(path, sizeof(path), "/tmp/filter-%d.db", getpid());
	cr_assert_eq(fmt_writer_create(path, FMT_CREATE_FORCE, NULL, &w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_writer_set_meta(w, FMT_META_INTERFACES, "[{\"index\":2,\"name\":\"eth0\"}]"),
		     0);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	cr_assert_eq(fmt_reader_open(path, &r, &(char *){ NULL }), 0);
	unlink(path);
	return r;
}

/* Records: an exec of cc (pid 10, ppid 1, uid 1000), an exit of pid 10,
 * a TCP flow 10.0.0.1:443 -> 10.0.0.2:5000 in on ifindex 2. */
static void records(struct fmt_event ev[3])
{
	static const char *const argv[] = { "cc", "-c", "a.c" };

	ev[0] = (struct fmt_event){ .stream = FMT_STREAM_EXEC,
				    .exec = { .pid = 10, .ppid = 1, .uid = 1000, .comm = "cc",
					      .filename = "/usr/bin/cc", .argc = 3, .argv = argv } };
	ev[1] = (struct fmt_event){ .stream = FMT_STREAM_EXIT, .exit = { .pid = 10, .ppid = 1 } };
	ev[2] = (struct fmt_event){ .stream = FMT_STREAM_FLOW };
	ev[2].flow.key = (struct fmt_flow_key){ .ifindex = 2, .dir = FMT_DIR_INGRESS, .family = 4,
						.proto = 6, .sport = 443, .dport = 5000 };
	inet_pton(AF_INET, "10.0.0.1", ev[2].flow.key.src);
	inet_pton(AF_INET, "10.0.0.2", ev[2].flow.key.dst);
}

struct match_case {
	enum filter_id id;
	char val[32];
	int exec, exit, flow; /* does each record pass? */
};

ParameterizedTestParameters(filter, match)
{
	static struct match_case cases[] = {
		{ FILTER_SINCE, "+1s", 1, 1, 1 }, /* the window is applied to chunks */
		{ FILTER_PID, "10", 1, 1, 0 },	   { FILTER_PID, "11", 0, 0, 0 },
		{ FILTER_PPID, "1", 1, 1, 0 },	   { FILTER_UID, "1000", 1, 0, 0 },
		{ FILTER_UID, "0", 0, 0, 0 },	   { FILTER_COMM, "c?", 1, 0, 0 },
		{ FILTER_COMM, "make", 0, 0, 0 },   { FILTER_PATH, "/usr/*", 1, 0, 0 },
		{ FILTER_IP, "10.0.0.0/24", 0, 0, 1 }, { FILTER_IP, "10.0.0.2", 0, 0, 1 },
		{ FILTER_IP, "10.0.1.0/24", 0, 0, 0 }, { FILTER_IP, "10.0.0.1/31", 0, 0, 1 },
		{ FILTER_IP, "::/0", 0, 0, 0 },	   { FILTER_PORT, "5000", 0, 0, 1 },
		{ FILTER_PORT, "22", 0, 0, 0 },	   { FILTER_PROTO, "tcp", 0, 0, 1 },
		{ FILTER_PROTO, "udp", 0, 0, 0 },   { FILTER_IFACE, "eth0", 0, 0, 1 },
		{ FILTER_IFACE, "2", 0, 0, 1 },	   { FILTER_IFACE, "eth1", 0, 0, 0 },
		{ FILTER_DIR, "in", 0, 0, 1 },	   { FILTER_DIR, "egress", 0, 0, 0 },
		{ FILTER_TYPE, "exec,exit", 1, 1, 0 }, { FILTER_TYPE, "flow", 0, 0, 1 },
	};
	return cr_make_param_array(struct match_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct match_case *c, filter, match)
{
	struct fmt_reader *rd = session_with_eth0();
	struct fmt_event ev[3];
	struct filter f;
	int want[3] = { c->exec, c->exit, c->flow };

	records(ev);
	filter_init(&f);
	cr_assert_null(filter_set(&f, c->id, c->val));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(filter_match(&f, rd, &ev[i]), want[i], "--%s %s on record %d",
			     filter_option(c->id)->name, c->val, i);
	/* only the window and --type leave records unchecked one by one */
	cr_assert_eq(filter_by_record(&f), c->id != FILTER_SINCE && c->id != FILTER_TYPE);
	fmt_reader_close(rd);
}

/* Filters combine: every one must pass. */
Test(filter, all_must_pass)
{
	struct fmt_event ev[3];
	struct filter f;

	records(ev);
	filter_init(&f);
	cr_assert(filter_match(&f, NULL, &ev[0]), "no filter keeps everything");
	cr_assert_null(filter_set(&f, FILTER_PID, "10"));
	cr_assert_null(filter_set(&f, FILTER_COMM, "cc"));
	cr_assert(filter_match(&f, NULL, &ev[0]));
	cr_assert(!filter_match(&f, NULL, &ev[1]), "an exit has no comm");
	cr_assert_null(filter_set(&f, FILTER_UID, "0"));
	cr_assert(!filter_match(&f, NULL, &ev[0]));
}
