/* test_ipfix.c - the IPFIX / NetFlow v9 encoder (replay/ipfix_enc.c) byte
 * by byte: headers, templates and data records of each kind, the size of
 * messages, sequence numbers, template refresh; and the collector address
 * parser (ipfix_udp.c). Messages are read back with the tests' own decoder
 * (ipfix_decode.c). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_decode.h"
#include "ipfix_enc.h"
#include "ipfix_udp.h"

#define S 1000000000ull
#define OFFSET 1699999990000000000ll /* wall clock = ts + OFFSET */

struct msg {
	uint32_t domain;
	uint8_t *b;
	size_t len;
	uint32_t records;
};

/* What the encoder emitted, and the clock it reads. */
static struct {
	struct msg m[4096];
	size_t n;
	uint64_t wall_ms, uptime_ms;
	int fail_with; /* emit returns this */
} got;

static int emit(void *ctx, uint32_t domain, const uint8_t *b, size_t len, uint32_t records)
{
	(void)ctx;
	cr_assert_lt(got.n, 4096);
	got.m[got.n].domain = domain;
	got.m[got.n].b = malloc(len);
	memcpy(got.m[got.n].b, b, len);
	got.m[got.n].len = len;
	got.m[got.n++].records = records;
	return got.fail_with;
}

static void fake_clock(void *ctx, uint64_t *wall_ms, uint64_t *uptime_ms)
{
	(void)ctx;
	*wall_ms = got.wall_ms;
	*uptime_ms = got.uptime_ms;
}

static void reset(void)
{
	for (size_t i = 0; i < got.n; i++)
		free(got.m[i].b);
	memset(&got, 0, sizeof(got));
	got.wall_ms = 1700000005123;
	got.uptime_ms = 5000;
}

static struct ipfix_enc *enc(enum ipfix_proto proto, size_t max, uint64_t refresh_ms,
                             uint32_t refresh_msgs)
{
	struct ipfix_enc_opts o = { .proto = proto,
	                           .max_message = max,
	                           .refresh_ms = refresh_ms,
	                           .refresh_messages = refresh_msgs,
	                           .emit = emit,
	                           .clock = fake_clock};
	struct ipfix_enc *e;

	cr_assert_eq(ipfix_enc_new(&o, &e), 0);
	return e;
}

static struct fmt_flow flow(int fam, int proto, int dir, const char *src, int sport,
                            const char *dst, int dport, uint64_t pk, uint64_t by)
{
	struct fmt_flow f = { .ts_ns = 12 * S, .interval_ns = S, .packets = pk, .bytes = by };

	f.key.ifindex = 2;
	f.key.dir = (uint8_t)dir;
	f.key.family = (uint8_t)fam;
	f.key.proto = (uint8_t)proto;
	if (fam == 4 || fam == 6) {
		cr_assert_eq(inet_pton(fam == 4 ? AF_INET : AF_INET6, src, f.key.src), 1);
		cr_assert_eq(inet_pton(fam == 4 ? AF_INET : AF_INET6, dst, f.key.dst), 1);
	}
	f.key.sport = (uint16_t)sport;
	f.key.dport = (uint16_t)dport;
	return f;
}

static const struct fmt_flow *udp4(void)
{
	static struct fmt_flow f;
	f = flow(4, 17, FMT_DIR_EGRESS, "10.0.0.2", 53000, "10.0.0.53", 53, 2, 140);
	return &f;
}

/* Decode every message emitted so far; the test fails on a malformed one. */
static void decode_all(struct decoder *d, struct dec_msg *ms)
{
	char why[256];

	for (size_t i = 0; i < got.n; i++) {
		struct dec_msg m;
		cr_assert_eq(dec_message(d, got.m[i].b, got.m[i].len, &m, why, sizeof(why)), 0,
		             "message %zu: %s", i, why);
		cr_assert_eq(m.records, got.m[i].records, "message %zu", i);
		if (ms)
			ms[i] = m;
	}
}

/* The bytes of the one data record in the one message emitted, which must
 * be at the end of it. */
static const uint8_t *only_record(size_t rlen)
{
	cr_assert_eq(got.n, 1);
	cr_assert_eq(got.m[0].records, 1);
	return got.m[0].b + got.m[0].len - rlen;
}

/* clang-format off */
#define FLOW_TIMES \
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x6b, 0xe8, /* flowStartMilliseconds 1700000001000 */ \
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x6f, 0xd0  /* flowEndMilliseconds, 1 s later */

Test(ipfix, first_message_header_templates_and_ipv4_record, .fini = reset)
{
	static const uint8_t header[] = {
		0x00, 0x0a,             /* version 10 */
		0x00, 0x00,             /* length: checked below */
		0x65, 0x53, 0xf1, 0x05, /* export time 1700000005 */
		0x00, 0x00, 0x00, 0x00, /* sequence number: no data record before */
		0x00, 0x00, 0x00, 0x07, /* observation domain 7 */
	};
	static const uint8_t template_set[] = {
		0x00, 0x02, 0x00, 0xcc, /* template set, 204 bytes: 4 templates */
		0x01, 0x00, 0x00, 0x0c, /* template 256, 12 fields */
		0x00, 0x98, 0x00, 0x08, /* flowStartMilliseconds */
		0x00, 0x99, 0x00, 0x08, /* flowEndMilliseconds */
		0x00, 0x02, 0x00, 0x08, /* packetDeltaCount */
		0x00, 0x01, 0x00, 0x08, /* octetDeltaCount */
		0x00, 0x08, 0x00, 0x04, /* sourceIPv4Address */
		0x00, 0x0c, 0x00, 0x04, /* destinationIPv4Address */
		0x00, 0x07, 0x00, 0x02, /* sourceTransportPort */
		0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort */
		0x00, 0x04, 0x00, 0x01, /* protocolIdentifier */
		0x00, 0x0a, 0x00, 0x04, /* ingressInterface */
		0x00, 0x0e, 0x00, 0x04, /* egressInterface */
		0x00, 0x3d, 0x00, 0x01, /* flowDirection */
		0x01, 0x01, 0x00, 0x0c, /* template 257 (IPv6), 12 fields */
	};
	static const uint8_t data[] = {
		0x01, 0x00, 0x00, 0x3a,     /* data set of template 256, 4 + 54 bytes */
		FLOW_TIMES,
		0, 0, 0, 0, 0, 0, 0, 2,     /* packetDeltaCount 2 */
		0, 0, 0, 0, 0, 0, 0, 140,   /* octetDeltaCount 140 */
		10, 0, 0, 2, 10, 0, 0, 53,  /* source, destination address */
		0xcf, 0x08, 0x00, 0x35,     /* ports 53000, 53 */
		17,                         /* UDP */
		0, 0, 0, 0, 0, 0, 0, 2,     /* egress: ingressInterface 0, egressInterface 2 */
		1,                          /* flowDirection egress */
	};
	/* clang-format on */
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 1472, 0, 0);
	const uint8_t *b;

	reset();
	cr_assert_eq(ipfix_enc_add(e, 7, udp4(), OFFSET), 0);
	cr_assert_eq(got.n, 0, "a message goes out when full or flushed, not per record");
	cr_assert_eq(ipfix_enc_flush(e), 0);
	cr_assert_eq(got.n, 1);
	b = got.m[0].b;
	cr_assert_eq(got.m[0].len, 16 + 204 + 58);
	cr_assert_eq(b[2] << 8 | b[3], 16 + 204 + 58, "header length");
	cr_assert_arr_eq(b, header, 2);
	cr_assert_arr_eq(b + 4, header + 4, sizeof(header) - 4);
	cr_assert_arr_eq(b + 16, template_set, sizeof(template_set));
	cr_assert_arr_eq(b + 16 + 204, data, sizeof(data));
	cr_assert_eq(ipfix_enc_flush(e), 0);
	cr_assert_eq(got.n, 1, "nothing open: nothing sent");
	ipfix_enc_free(e);
}

/* One row through the encoder: the record's bytes must equal want. */
static void one_record(enum ipfix_proto proto, const struct fmt_flow *f, const uint8_t *want,
                       size_t len, int tmpl)
{
	struct ipfix_enc *e = enc(proto, 1472, 0, 0);
	struct decoder d = { 0 };

	reset();
	cr_assert_eq(ipfix_template_of(&f->key), tmpl);
	cr_assert_eq(ipfix_record_size(tmpl), len);
	cr_assert_eq(ipfix_enc_add(e, 1, f, OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, NULL);
	cr_assert_eq(d.nrec, 1);
	cr_assert_eq(d.rec[0].tmpl, tmpl);
	/* v9 pads the set: the record is then not the message's last bytes */
	cr_assert_arr_eq(
	    only_record(len + (proto == IPFIX_PROTO_NF9 ? (4 - (4 + len) % 4) % 4 : 0)), want, len);
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, ipv6_record, .fini = reset)
{
	/* clang-format off */
	static const uint8_t want[] = {
		FLOW_TIMES,
		0, 0, 0, 0, 0, 0, 0, 10,                          /* packetDeltaCount */
		0, 0, 0, 0, 0, 0, 0x03, 0xe8,                     /* octetDeltaCount 1000 */
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* fd00::1 */
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, /* fd00::2 */
		0x01, 0xbb, 0x13, 0x88,                           /* ports 443, 5000 */
		6,                                                /* TCP */
		0, 0, 0, 2, 0, 0, 0, 0,                           /* ingress on ifindex 2 */
		0,                                                /* flowDirection ingress */
	};
	/* clang-format on */
	struct fmt_flow f = flow(6, 6, FMT_DIR_INGRESS, "fd00::1", 443, "fd00::2", 5000, 10, 1000);

	one_record(IPFIX_PROTO_IPFIX, &f, want, sizeof(want), IPFIX_TMPL_IPV6);
	one_record(IPFIX_PROTO_NF9, &f, want, sizeof(want), IPFIX_TMPL_IPV6);
}

Test(ipfix, icmp4_record_has_type_and_code_not_ports, .fini = reset)
{
	/* clang-format off */
	static const uint8_t want[] = {
		FLOW_TIMES,
		0, 0, 0, 0, 0, 0, 0, 20,       /* packetDeltaCount */
		0, 0, 0, 0, 0, 0, 0x07, 0xd0,  /* octetDeltaCount 2000 */
		10, 99, 0, 1, 10, 99, 0, 2,    /* addresses */
		0x08, 0x03,                    /* icmpTypeCodeIPv4: type 8, code 3 */
		1,                             /* ICMP */
		0, 0, 0, 2, 0, 0, 0, 0,        /* ingress on ifindex 2 */
		0,                             /* flowDirection ingress */
	};
	/* clang-format on */
	struct fmt_flow f = flow(4, 1, FMT_DIR_INGRESS, "10.99.0.1", 8, "10.99.0.2", 3, 20, 2000);
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 1472, 0, 0);
	struct decoder d = { 0 };

	one_record(IPFIX_PROTO_IPFIX, &f, want, sizeof(want), IPFIX_TMPL_ICMP4);
	one_record(IPFIX_PROTO_NF9, &f, want, sizeof(want), IPFIX_TMPL_ICMP4);
	/* the template says which IE carries it */
	reset();
	cr_assert_eq(ipfix_enc_add(e, 1, &f, OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, NULL);
	cr_assert_eq(d.rec[0].icmp, 0x0803);
	cr_assert_eq(d.rec[0].icmp_ie, 32);
	cr_assert_eq(d.rec[0].sport, -1, "no ports in an ICMP record");
	cr_assert_eq(d.rec[0].dport, -1);
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, icmp6_record_ipfix_139_v9_32, .fini = reset)
{
	/* clang-format off */
	static const uint8_t want[] = {
		FLOW_TIMES,
		0, 0, 0, 0, 0, 0, 0, 1,                           /* packetDeltaCount */
		0, 0, 0, 0, 0, 0, 0, 100,                         /* octetDeltaCount */
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* fd00::1 */
		0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, /* fd00::2 */
		0x80, 0x00,                                       /* type 128 (echo request), code 0 */
		58,                                               /* ICMPv6 */
		0, 0, 0, 0, 0, 0, 0, 2,                           /* egress on ifindex 2 */
		1,                                                /* flowDirection egress */
	};
	/* clang-format on */
	struct fmt_flow f = flow(6, 58, FMT_DIR_EGRESS, "fd00::1", 128, "fd00::2", 0, 1, 100);
	int ie[2];

	for (int v = 0; v < 2; v++) {
		enum ipfix_proto proto = v ? IPFIX_PROTO_NF9 : IPFIX_PROTO_IPFIX;
		struct ipfix_enc *e = enc(proto, 1472, 0, 0);
		struct decoder d = { 0 };

		one_record(proto, &f, want, sizeof(want), IPFIX_TMPL_ICMP6);
		reset();
		cr_assert_eq(ipfix_enc_add(e, 1, &f, OFFSET), 0);
		cr_assert_eq(ipfix_enc_flush(e), 0);
		decode_all(&d, NULL);
		cr_assert_eq(d.rec[0].icmp, 0x8000);
		ie[v] = d.rec[0].icmp_ie;
		ipfix_enc_free(e);
		dec_free(&d);
	}
	cr_assert_eq(ie[0], 139, "IPFIX: icmpTypeCodeIPv6");
	cr_assert_eq(ie[1], 32, "v9: ICMP_TYPE, RFC 3954 has no ICMPv6 field");
}

Test(ipfix, rows_without_addresses_are_refused, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 1472, 0, 0);
	struct fmt_flow other = flow(FMT_FAMILY_OTHER, 0, 0, NULL, 0, NULL, 0, 5, 300);
	struct fmt_flow over = flow(FMT_FAMILY_OVERFLOW, 0, 0, NULL, 0, NULL, 0, 7, 700);
	struct ipfix_enc_stats st;

	reset();
	cr_assert_eq(ipfix_enc_add(e, 1, &other, OFFSET), -EAFNOSUPPORT);
	cr_assert_eq(ipfix_enc_add(e, 1, &over, OFFSET), -EAFNOSUPPORT);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	cr_assert_eq(got.n, 0);
	ipfix_enc_stats(e, &st);
	cr_assert_eq(st.records, 0);
	ipfix_enc_free(e);
}

Test(nf9, header_count_and_padding, .fini = reset)
{
	static const uint8_t header[] = {
	    0x00, 0x09,             /* version 9 */
	    0x00, 0x06,             /* count: 4 templates + 2 records */
	    0x00, 0x00, 0x13, 0x88, /* sysUptime 5000 ms */
	    0x65, 0x53, 0xf1, 0x05, /* UNIX seconds 1700000005 */
	    0x00, 0x00, 0x00, 0x00, /* sequence: first packet */
	    0x00, 0x00, 0x00, 0x2a, /* source id 42 */
	};
	struct ipfix_enc *e = enc(IPFIX_PROTO_NF9, 1472, 0, 0);
	const uint8_t *b, *set;

	reset();
	cr_assert_eq(ipfix_enc_add(e, 42, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_add(e, 42, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	cr_assert_eq(got.n, 1);
	b = got.m[0].b;
	cr_assert_arr_eq(b, header, sizeof(header));
	cr_assert_eq(b[20] << 8 | b[21], 0, "template flowset id 0");
	cr_assert_eq(b[22] << 8 | b[23], 204);
	set = b + 20 + 204;
	cr_assert_eq(set[0] << 8 | set[1], 256);
	cr_assert_eq(set[2] << 8 | set[3], 4 + 2 * 54 + 0, "112 is a multiple of 4 already");
	cr_assert_eq(got.m[0].len, 20u + 204 + 112);

	/* one record: 58 bytes, padded to 60 with zeros */
	cr_assert_eq(ipfix_enc_add(e, 42, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	b = got.m[1].b;
	cr_assert_eq(got.m[1].len, 20u + 60, "no templates in the second packet");
	cr_assert_eq(b[3], 1, "count 1");
	cr_assert_eq(b[15], 1, "sequence: one packet before");
	cr_assert_eq(b[22] << 8 | b[23], 60);
	cr_assert_eq(b[78] | b[79], 0, "padding is zeros");
	ipfix_enc_free(e);
}

/* The data records of one kind that fill a message without templates. */
static size_t per_message(enum ipfix_proto proto, size_t max)
{
	size_t k = 0, hdr = proto == IPFIX_PROTO_NF9 ? 20 : 16;

	while (hdr + 4 + 54 * (k + 1) + (proto == IPFIX_PROTO_NF9 ? 3 : 0) <= max ||
	       (proto == IPFIX_PROTO_NF9 && ((hdr + 4 + 54 * (k + 1) + 3) & ~3u) <= max))
		k++;
	return k;
}

/* Every message within max, the records all there, in order; messages of
 * one kind of record full. */
static void check_split(enum ipfix_proto proto, size_t max, int mixed)
{
	struct ipfix_enc *e = enc(proto, max, 0, 0);
	struct decoder d = { 0 };
	struct fmt_flow f4 = *udp4();
	struct fmt_flow f6 = flow(6, 6, 0, "fd00::1", 443, "fd00::2", 5000, 10, 1000);
	size_t full = per_message(proto, max);

	reset();
	for (int i = 0; i < 300; i++) {
		struct fmt_flow *f = mixed && i % 3 == 2 ? &f6 : &f4;
		f->packets = (uint64_t)i;
		cr_assert_eq(ipfix_enc_add(e, 9, f, OFFSET), 0);
	}
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, NULL);
	cr_assert_eq(d.nrec, 300);
	for (size_t i = 0; i < d.nrec; i++)
		cr_assert_eq(d.rec[i].packets, i, "record %zu out of order", i);
	for (size_t i = 0; i < got.n; i++) {
		cr_assert_leq(got.m[i].len, max, "max %zu, message %zu: %zu bytes", max, i,
		              got.m[i].len);
		if (!mixed && i > 0 && i + 1 < got.n)
			cr_assert_eq(got.m[i].records, full, "max %zu, message %zu", max, i);
	}
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, messages_split_at_max_size, .fini = reset)
{
	for (size_t max = IPFIX_MIN_MESSAGE; max < 700; max++)
		for (int mixed = 0; mixed < 2; mixed++) {
			check_split(IPFIX_PROTO_IPFIX, max, mixed);
			check_split(IPFIX_PROTO_NF9, max, mixed);
		}
	check_split(IPFIX_PROTO_IPFIX, 1472, 0);
	check_split(IPFIX_PROTO_NF9, 1452, 1);
	check_split(IPFIX_PROTO_IPFIX, 65535, 1);
	cr_assert_eq(per_message(IPFIX_PROTO_IPFIX, 1472), 26, "(1472 - 20) / 54");
	cr_assert_eq(per_message(IPFIX_PROTO_NF9, 563), 9, "24 + 540 = 564 > 563");
	cr_assert_eq(per_message(IPFIX_PROTO_NF9, 564), 10);
}

Test(ipfix, message_size_bounds, .fini = reset)
{
	struct ipfix_enc_opts o = { .proto = IPFIX_PROTO_IPFIX, .emit = emit };
	struct ipfix_enc *e;

	o.max_message = IPFIX_MIN_MESSAGE - 1;
	cr_assert_eq(ipfix_enc_new(&o, &e), -EINVAL);
	o.max_message = IPFIX_MAX_MESSAGE + 1;
	cr_assert_eq(ipfix_enc_new(&o, &e), -EINVAL);
	o.max_message = IPFIX_MIN_MESSAGE;
	cr_assert_eq(ipfix_enc_new(&o, &e), 0);
	ipfix_enc_free(e);
	o.proto = 5;
	cr_assert_eq(ipfix_enc_new(&o, &e), -EINVAL);
}

/* Two domains, interleaved: each has its own sequence. */
static void check_sequence(enum ipfix_proto proto)
{
	struct ipfix_enc *e = enc(proto, 512, 0, 0);
	struct decoder d = { 0 };
	struct dec_msg *ms = calloc(4096, sizeof(*ms));
	uint64_t records[2] = { 0 }, packets[2] = { 0 };

	reset();
	for (int i = 0; i < 300; i++)
		cr_assert_eq(ipfix_enc_add(e, i % 3 ? 100 : 200, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, ms);
	for (size_t i = 0; i < got.n; i++) {
		int k = ms[i].domain == 200;
		cr_assert(ms[i].domain == 100 || ms[i].domain == 200);
		cr_assert_eq(got.m[i].domain, ms[i].domain);
		if (proto == IPFIX_PROTO_IPFIX)
			cr_assert_eq(ms[i].seq, records[k], "message %zu: data records before", i);
		else
			cr_assert_eq(ms[i].seq, packets[k], "packet %zu: packets before", i);
		records[k] += ms[i].records;
		packets[k]++;
	}
	cr_assert_eq(records[0], 200);
	cr_assert_eq(records[1], 100);
	cr_assert_gt(packets[1], 1, "several messages per domain");
	free(ms);
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, sequence_counts_data_records_per_domain, .fini = reset)
{
	check_sequence(IPFIX_PROTO_IPFIX);
}

Test(nf9, sequence_counts_packets_per_source_id, .fini = reset)
{
	check_sequence(IPFIX_PROTO_NF9);
}

Test(ipfix, sequence_wraps_at_2_32, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 65535, 0, 0);
	struct decoder d = { 0 };
	struct dec_msg m;
	char why[128];

	reset();
	/* 2^32 records would take too long; count messages of 1,000 records
	 * instead through the same arithmetic: the sequence is uint32 */
	for (int msg = 0; msg < 3; msg++) {
		for (int i = 0; i < 1000; i++)
			cr_assert_eq(ipfix_enc_add(e, 1, udp4(), OFFSET), 0);
		cr_assert_eq(ipfix_enc_flush(e), 0);
	}
	cr_assert_eq(dec_message(&d, got.m[2].b, got.m[2].len, &m, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(m.seq, 2000);
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, templates_refreshed_every_n_messages, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 512, 0, 3);
	struct decoder d = { 0 };
	struct dec_msg *ms = calloc(4096, sizeof(*ms));
	struct ipfix_enc_stats st;

	reset();
	for (int i = 0; i < 200; i++)
		cr_assert_eq(ipfix_enc_add(e, 1, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, ms);
	cr_assert_geq(got.n, 7);
	for (size_t i = 0; i < got.n; i++)
		cr_assert_eq(ms[i].template_sets, i % 3 == 0, "message %zu", i);
	ipfix_enc_stats(e, &st);
	cr_assert_eq(st.template_messages, (got.n + 2) / 3);
	cr_assert_eq(st.messages, got.n);
	free(ms);
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, templates_refreshed_after_time, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_NF9, 1472, 10000, 0);
	struct decoder d = { 0 };
	struct dec_msg ms[8];
	static const uint64_t at[] = { 5000, 9000, 14999, 15000, 16000, 40000 };
	static const unsigned want[] = { 1, 0, 0, 1, 0, 1 };

	reset();
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		got.uptime_ms = at[i];
		cr_assert_eq(ipfix_enc_add(e, 1, udp4(), OFFSET), 0);
		cr_assert_eq(ipfix_enc_flush(e), 0);
	}
	decode_all(&d, ms);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		cr_assert_eq(ms[i].template_sets, want[i], "message at %llu ms",
		             (unsigned long long)at[i]);
		cr_assert_eq(ms[i].uptime_ms, at[i]);
	}
	ipfix_enc_free(e);
	dec_free(&d);
}

Test(ipfix, late_collector_learns_templates_at_refresh, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 512, 0, 4);
	struct decoder late = { 0 };
	struct dec_msg m;
	char why[128];
	size_t known = 0, unknown = 0;

	reset();
	for (int i = 0; i < 100; i++)
		cr_assert_eq(ipfix_enc_add(e, 1, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	/* a collector that missed the first two messages */
	for (size_t i = 2; i < got.n; i++) {
		cr_assert_eq(dec_message(&late, got.m[i].b, got.m[i].len, &m, why, sizeof(why)), 0);
		unknown += m.unknown;
		known += m.records;
	}
	cr_assert_eq(unknown, 2, "messages 2 and 3 before the refresh in message 4");
	cr_assert_eq(known, late.nrec);
	cr_assert_gt(known, 0);
	ipfix_enc_free(e);
	dec_free(&late);
}

Test(ipfix, emit_error_stops_the_encoder, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 512, 0, 0);
	int rc = 0, i;

	reset();
	got.fail_with = -ECONNREFUSED;
	for (i = 0; i < 100 && !rc; i++)
		rc = ipfix_enc_add(e, 1, udp4(), OFFSET);
	cr_assert_eq(rc, -ECONNREFUSED);
	cr_assert_eq(got.n, 1, "stopped at the first message");
	cr_assert_eq(ipfix_enc_add(e, 1, udp4(), OFFSET), 0);
	cr_assert_eq(ipfix_enc_flush(e), -ECONNREFUSED);
	ipfix_enc_free(e);
}

Test(ipfix, times_before_the_epoch_are_zero_and_never_overflow, .fini = reset)
{
	struct ipfix_enc *e = enc(IPFIX_PROTO_IPFIX, 1472, 0, 0);
	struct decoder d = { 0 };

	reset();
	cr_assert_eq(ipfix_enc_add(e, 1, udp4(), -(int64_t)(12 * S) + 500000000), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	decode_all(&d, NULL);
	cr_assert_eq(d.rec[0].start_ms, 0);
	cr_assert_eq(d.rec[0].end_ms, 500);
	/* an offset from a hostile file's meta does not overflow */
	cr_assert_eq(ipfix_enc_add(e, 1, udp4(), INT64_MAX), 0);
	cr_assert_eq(ipfix_enc_add(e, 1, udp4(), INT64_MIN), 0);
	cr_assert_eq(ipfix_enc_flush(e), 0);
	dec_free(&d);
	decode_all(&d, NULL);
	cr_assert_eq(d.rec[1].end_ms, (uint64_t)INT64_MAX / 1000000);
	cr_assert_eq(d.rec[2].end_ms, 0);
	ipfix_enc_free(e);
	dec_free(&d);
}

/* ---- the collector's address ------------------------------------------ */

static void parses(const char *text, const char *host, int port)
{
	char h[64], why[128];
	int p;

	cr_assert_eq(ipfix_udp_parse(text, 4739, h, sizeof(h), &p, why, sizeof(why)), 0, "'%s': %s",
	             text, why);
	cr_assert_str_eq(h, host, "'%s'", text);
	cr_assert_eq(p, port, "'%s'", text);
}

static void refused(const char *text, const char *reason)
{
	char h[64], why[128] = "";
	int p;

	cr_assert_eq(ipfix_udp_parse(text, 4739, h, sizeof(h), &p, why, sizeof(why)), -1,
	             "'%s' accepted", text);
	cr_assert(strstr(why, reason), "'%s': %s", text, why);
}

Test(ipfix_udp, collector_address)
{
	parses("127.0.0.1:2055", "127.0.0.1", 2055);
	parses("collector.example:9995", "collector.example", 9995);
	parses("localhost", "localhost", 4739);
	parses("[::1]:4740", "::1", 4740);
	parses("[fd00::5]", "fd00::5", 4739);
	parses("::1", "::1", 4739);
	refused("127.0.0.1:0", "port must be a number from 1 to 65535");
	refused("127.0.0.1:65536", "port must be");
	refused("127.0.0.1:", "port must be");
	refused("127.0.0.1:44x", "port must be");
	refused(":4739", "no host");
	refused("[::1", "[IPV6]:PORT");
	refused("[::1]4739", "[IPV6]:PORT");
}
