/* ipfix_enc.h - flow rows as IPFIX (RFC 7011) or NetFlow v9 (RFC 3954)
 * messages: templates, data records, message size, sequence numbers and
 * template refresh. No I/O: finished messages go to a callback (the
 * transport is ipfix_udp.c), so the bytes can be checked in tests.
 *
 * One open message per observation domain (v9: source id). A message holds
 * the templates when they are due (a domain's first message, then as the
 * refresh policy says), then data sets; it is handed to the callback when
 * the next record does not fit in max_message bytes, or on flush. The
 * information elements of each template are listed in ipfix_enc.c and
 * docs/ipfix.md.
 */
#ifndef IPFIX_ENC_H
#define IPFIX_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "fmt_records.h"

enum ipfix_proto {
	IPFIX_PROTO_NF9 = 9,    /* NetFlow version 9 */
	IPFIX_PROTO_IPFIX = 10, /* IPFIX (version number 10) */
};

/* The Private Enterprise Number of ebpfrec's own information elements
 * (the owning process; docs/ipfix.md). ebpfrec has none registered with
 * IANA: this is RFC 5612's number for documentation and examples, which
 * no vendor uses. */
#define IPFIX_PEN 32473
/* The longest owner string an IPFIX record carries (its length fits the
 * one-byte form of RFC 7011's variable length); longer ones are cut. */
#define IPFIX_STRING_MAX 254

/* Bounds on the size of one message (the UDP payload). The smallest holds
 * a header, every template and one record of the largest kind. */
#define IPFIX_MIN_MESSAGE 512
#define IPFIX_MAX_MESSAGE 65535

/* Template ids, one per kind of record (data sets carry these ids). */
enum ipfix_template {
	IPFIX_TMPL_IPV4 = 256, /* IPv4, with ports (TCP, UDP, any non-ICMP protocol) */
	IPFIX_TMPL_IPV6 = 257,
	IPFIX_TMPL_ICMP4 = 258, /* ICMP: icmpTypeCodeIPv4 instead of ports */
	IPFIX_TMPL_ICMP6 = 259, /* ICMPv6: icmpTypeCodeIPv6 */
};
#define IPFIX_TMPL_FIRST IPFIX_TMPL_IPV4
#define IPFIX_TMPL_COUNT 4

/* A finished message of domain: len bytes holding `records` data records.
 * @return 0, or a negative errno that stops the encoder (it is returned by
 * the ipfix_enc_add or ipfix_enc_flush that emitted the message). */
typedef int (*ipfix_emit_fn)(void *ctx, uint32_t domain, const uint8_t *msg, size_t len,
                             uint32_t records);
/* The exporter's clocks: wall-clock ms since the epoch (the headers' export
 * time) and ms since the exporter started (v9 sysUptime, template refresh). */
typedef void (*ipfix_clock_fn)(void *ctx, uint64_t *wall_ms, uint64_t *uptime_ms);

struct ipfix_enc_opts {
	enum ipfix_proto proto;
	size_t max_message; /* IPFIX_MIN_MESSAGE .. IPFIX_MAX_MESSAGE */
	/* template refresh: resend a domain's templates in its next message
	 * once refresh_ms have passed since they were last sent, or once
	 * refresh_messages messages were sent since (0: not by that measure) */
	uint64_t refresh_ms;
	uint32_t refresh_messages;
	ipfix_emit_fn emit;
	ipfix_clock_fn clock; /* NULL: CLOCK_REALTIME and CLOCK_MONOTONIC */
	/* IPFIX: every template carries the owning process's enterprise
	 * elements (for sessions whose flows have owners); v9 ignores it */
	int owners;
	void *ctx;            /* for emit and clock */
};

/* Counts over all domains. */
struct ipfix_enc_stats {
	uint64_t messages;          /* emitted */
	uint64_t records;           /* data records in them */
	uint64_t template_messages; /* messages that carried the templates */
	uint64_t bytes;
};

struct ipfix_enc;

/* @return 0 and *out, -EINVAL for options out of bounds, -ENOMEM. */
int ipfix_enc_new(const struct ipfix_enc_opts *o, struct ipfix_enc **out);
/* Free e and its open messages without sending them (flush first). */
void ipfix_enc_free(struct ipfix_enc *e);

/* Add row f of observation domain `domain` as a data record; its interval
 * is [ts_ns - interval_ns, ts_ns] and wall_offset turns those boot-clock
 * times into wall-clock ones (fmt_reader_clock_offset).
 * @return 0; -EAFNOSUPPORT for a row without IP addresses (the "other" and
 * overflow buckets), nothing added; or the error of emit. */
int ipfix_enc_add(struct ipfix_enc *e, uint32_t domain, const struct fmt_flow *f,
                  int64_t wall_offset);
/* The process that owned a row's socket: a pid, when it started (boot
 * clock ns, sent as wall-clock ms like the row's times) and strings, any of
 * them NULL (sent empty). */
struct ipfix_owner {
	uint32_t pid;
	uint64_t start_ns;
	const char *comm, *cmdline, *cgroup, *container;
};
/* ipfix_enc_add with the row's owner (NULL: none) in the owner elements,
 * when the encoder was made with owners. Strings longer than 254 bytes are
 * cut, and more when the message size leaves less room. */
int ipfix_enc_add_owned(struct ipfix_enc *e, uint32_t domain, const struct fmt_flow *f,
			int64_t wall_offset, const struct ipfix_owner *owner);
/* Emit every open message. @return 0 or the first error of emit. */
int ipfix_enc_flush(struct ipfix_enc *e);
void ipfix_enc_stats(const struct ipfix_enc *e, struct ipfix_enc_stats *st);

/* @return the template a row is sent with, or -EAFNOSUPPORT if it has no
 * IP addresses */
int ipfix_template_of(const struct fmt_flow_key *k);
/* @return the bytes of one data record of template id without owners (0
 * if unknown) */
size_t ipfix_record_size(int template_id);

#endif
