/* fmt_text.h - recorded values shown to people, and the one line per event
 * that both `ebpfrec --print` and `ebpfreport replay` write. Strings are
 * raw bytes (not necessarily UTF-8); arguments are quoted as a shell would
 * need them, with control bytes escaped. Buffers are the caller's; each
 * function returns the one it was given. */
#ifndef FMT_TEXT_H
#define FMT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt_records.h"

/* Write arg quoted if it has spaces or shell specials, with \xNN for
 * control bytes; an empty argument is written as ''. */
void fmt_text_arg(FILE *f, const char *arg);

/* argc arguments joined by spaces into buf, cut to its len - 1 bytes and a
 * NUL (len >= 1). @return buf */
char *fmt_text_join_argv(char *buf, size_t len, uint32_t argc, const char *const *argv);
/* The same. @return the length written (before the NUL) */
size_t fmt_text_join(char *buf, size_t len, uint32_t argc, const char *const *argv);
/* The same of arguments given as ids into a string table: str[ids[i]]
 * (ids NULL: str[i], fmt_text_join) */
size_t fmt_text_join_ids(char *buf, size_t len, uint32_t argc, const char *const *str,
			 const uint32_t *ids);

/* "2026-11-30 14:02:11" (with frac: ".123456"), local time or UTC */
char *fmt_text_wall(char *buf, size_t len, int64_t wall_ns, bool utc, bool frac);
/* "1m12s", "1.5s", "250.0ms", "80us" */
char *fmt_text_duration(char *buf, size_t len, uint64_t ns);
/* an address of the family as text, "-" for the "other"/overflow buckets */
char *fmt_text_addr(char *buf, size_t len, uint8_t family, const uint8_t *a);
/* "tcp", "udp", "icmp", "icmpv6", else "ipN" */
const char *fmt_text_proto(uint8_t proto, char *buf, size_t len);
/* "eth0 in  tcp 10.1.2.3:443 -> 10.1.9.9:51022"; iface NULL: "ifN" */
char *fmt_text_flow(char *buf, size_t len, const char *iface, const struct fmt_flow_key *k);

/* How an event line is written. */
struct fmt_text_opts {
	int64_t clock_offset; /* the file's: wall clock = timestamp + offset */
	bool utc; /* else local time */
	const char *source; /* written as " [SOURCE]" after the time, or NULL */
	const char *iface; /* a flow's interface name, or NULL ("ifN") */
	const char *owner; /* a flow's owner's, or an exit's process's, comm, or NULL */
	bool owners; /* the session attributes flows: say so of unowned ones */
};

/* One line for ev, newline included:
 *   TIME [SOURCE] exec PID ppid PPID uid UID COMM [failed: ERROR] ARGV [argv truncated]
 *   TIME [SOURCE] exit PID ppid PPID [COMM] code N|killed by SIGNAME after DURATION
 *   TIME [SOURCE] flow IFACE DIR PROTO SRC -> DST +N pkts +N bytes [by COMM PID|no local socket]
 *   TIME [SOURCE] proc PID ppid PPID uid UID COMM ARGV
 *   TIME [SOURCE] cgroup ID present|created|removed PATH
 * A #! script's exec shows what was run, then the interpreter:
 *   ... COMM ./hello.sh a b [#! /bin/sh] */
void fmt_text_event(FILE *f, const struct fmt_event *ev, const struct fmt_text_opts *o);

struct fmt_names;
/* Set o->owner for ev from names: a flow's owner's comm, an exit's
 * process's comm, at the event's time (NULL if unknown). */
void fmt_text_name(struct fmt_text_opts *o, const struct fmt_names *names,
		   const struct fmt_event *ev);

#endif
