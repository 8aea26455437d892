/* ipfix_decode.h - an IPFIX (RFC 7011) and NetFlow v9 (RFC 3954) reader
 * for the tests, written from the RFCs and not from the encoder: it checks
 * each message's structure strictly (lengths, set ids, v9 counts and
 * padding), learns templates per observation domain (enterprise elements
 * and variable-length fields included) and hands back the data records
 * with the information elements ebpfreport sends. */
#ifndef TEST_IPFIX_DECODE_H
#define TEST_IPFIX_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dec_field {
	uint16_t id, len; /* id without the enterprise bit; len 65535: variable */
	uint32_t pen;     /* enterprise number, 0 for IANA elements */
};

struct dec_template {
	uint32_t domain;
	uint16_t id;
	uint16_t n;
	struct dec_field f[64];
};

struct dec_record {
	uint32_t domain;
	uint16_t tmpl;
	uint64_t start_ms, end_ms, packets, bytes;
	int family; /* 4 or 6, from the address fields */
	uint8_t src[16], dst[16];
	int sport, dport; /* -1: not in the record */
	int icmp;         /* type << 8 | code, -1: not in the record */
	int icmp_ie;      /* which IE carried it */
	int proto;
	uint32_t in_if, out_if;
	int dir;
	/* ebpfrec's owner elements (PEN 32473), if the template has them */
	bool owned;
	uint32_t pid;
	uint64_t proc_start_ms;
	char comm[256], cmdline[256], cgroup[256], container[256];
};

/* What one message's header and sets said. */
struct dec_msg {
	int version;
	size_t length;
	uint32_t export_secs;
	uint32_t uptime_ms; /* v9 */
	uint32_t seq;
	uint32_t domain;
	unsigned count; /* v9: the header's record count */
	unsigned template_sets, templates;
	unsigned records; /* data records decoded */
	unsigned unknown; /* data sets whose template is not known (skipped) */
};

struct decoder {
	struct dec_template t[64];
	unsigned nt;
	struct dec_record *rec; /* every record decoded so far */
	size_t nrec, caprec;
};

/* Decode one message into d (templates learned, records appended).
 * @return 0, or -1 with why (the message is malformed). */
int dec_message(struct decoder *d, const uint8_t *msg, size_t len, struct dec_msg *m, char *why,
                size_t whylen);
/* The template id of domain, NULL if not learned. */
const struct dec_template *dec_template(const struct decoder *d, uint32_t domain, uint16_t id);
void dec_free(struct decoder *d);

#endif
