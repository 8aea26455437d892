/* ipfix_decode.c - see ipfix_decode.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_decode.h"

static uint64_t get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

const struct dec_template *dec_template(const struct decoder *d, uint32_t domain, uint16_t id)
{
	for (unsigned i = 0; i < d->nt; i++)
		if (d->t[i].domain == domain && d->t[i].id == id)
			return &d->t[i];
	return NULL;
}

static int templates(struct decoder *d, struct dec_msg *m, const uint8_t *p, size_t len, char *why,
                     size_t wl)
{
	while (len >= 4) {
		struct dec_template t = {
		    .domain = m->domain, .id = (uint16_t)get(p, 2), .n = (uint16_t)get(p + 2, 2)};
		struct dec_template *slot = (struct dec_template *)dec_template(d, t.domain, t.id);
		size_t off = 4;

		if (t.id < 256 || t.n == 0 || t.n > 64)
			return fail(why, wl, "bad template %u with %u fields", t.id, t.n);
		for (unsigned i = 0; i < t.n; i++) {
			if (len < off + 4)
				return fail(why, wl, "template %u cut at field %u", t.id, i);
			t.f[i].id = (uint16_t)get(p + off, 2);
			t.f[i].len = (uint16_t)get(p + off + 2, 2);
			off += 4;
			if (t.f[i].id & 0x8000) {
				if (m->version != 10 || len < off + 4)
					return fail(why, wl, "enterprise field in template %u", t.id);
				t.f[i].id &= 0x7fff;
				t.f[i].pen = (uint32_t)get(p + off, 4);
				off += 4;
			}
			if (t.f[i].len == 65535 && m->version != 10)
				return fail(why, wl, "variable-length field in v9 template %u", t.id);
		}
		if (!slot) {
			if (d->nt == 64)
				return fail(why, wl, "too many templates");
			slot = &d->t[d->nt++];
		}
		*slot = t;
		m->templates++;
		p += off;
		len -= off;
	}
	if (len && (m->version == 10 || get(p, len)))
		return fail(why, wl, "%zu bytes left in a template set", len);
	return 0;
}

/* a string element of ebpfrec's, NUL-terminated into dst */
static void str(char *dst, const uint8_t *p, size_t len)
{
	len = len < 255 ? len : 255;
	memcpy(dst, p, len);
	dst[len] = 0;
}

static void owner_field(struct dec_record *r, const struct dec_field *f, const uint8_t *p,
			size_t len)
{
	r->owned = true;
	switch (f->id) {
	case 1:
		r->pid = (uint32_t)get(p, len);
		break;
	case 2:
		r->proc_start_ms = get(p, len);
		break;
	case 3:
		str(r->comm, p, len);
		break;
	case 4:
		str(r->cmdline, p, len);
		break;
	case 5:
		str(r->cgroup, p, len);
		break;
	case 6:
		str(r->container, p, len);
		break;
	}
}

static void field(struct dec_record *r, const struct dec_field *f, const uint8_t *p, size_t len)
{
	uint64_t v = len <= 8 ? get(p, len) : 0;

	if (f->pen) {
		if (f->pen == 32473)
			owner_field(r, f, p, len);
		return;
	}
	switch (f->id) {
	case 1:
		r->bytes = v;
		break;
	case 2:
		r->packets = v;
		break;
	case 4:
		r->proto = (int)v;
		break;
	case 7:
		r->sport = (int)v;
		break;
	case 11:
		r->dport = (int)v;
		break;
	case 8:
		r->family = 4;
		memcpy(r->src, p, 4);
		break;
	case 12:
		r->family = 4;
		memcpy(r->dst, p, 4);
		break;
	case 27:
		r->family = 6;
		memcpy(r->src, p, 16);
		break;
	case 28:
		r->family = 6;
		memcpy(r->dst, p, 16);
		break;
	case 10:
		r->in_if = (uint32_t)v;
		break;
	case 14:
		r->out_if = (uint32_t)v;
		break;
	case 32:
	case 139:
		r->icmp = (int)v;
		r->icmp_ie = f->id;
		break;
	case 61:
		r->dir = (int)v;
		break;
	case 152:
		r->start_ms = v;
		break;
	case 153:
		r->end_ms = v;
		break;
	}
}

/* The length of field f at p (len bytes left): a fixed length, or a
 * variable one's prefix (RFC 7011 7: one byte, or 255 and two bytes),
 * whose size goes to *prefix. @return the length, or -1 if it runs past. */
static long field_len(const struct dec_field *f, const uint8_t *p, size_t len, size_t *prefix)
{
	size_t n = f->len;

	*prefix = 0;
	if (f->len == 65535) {
		if (len < 1)
			return -1;
		n = p[0];
		*prefix = 1;
		if (n == 255) {
			if (len < 3)
				return -1;
			n = get(p + 1, 2);
			*prefix = 3;
		}
	}
	return *prefix + n <= len ? (long)n : -1;
}

static int data(struct decoder *d, struct dec_msg *m, uint16_t id, const uint8_t *p, size_t len,
                char *why, size_t wl)
{
	const struct dec_template *t = dec_template(d, m->domain, id);
	size_t min = 0;

	if (!t) {
		m->unknown++;
		return 0;
	}
	for (unsigned i = 0; i < t->n; i++)
		min += t->f[i].len == 65535 ? 1 : t->f[i].len;
	while (len >= min) {
		struct dec_record r = { .domain = m->domain,
		                       .tmpl = id,
		                       .sport = -1,
		                       .dport = -1,
		                       .icmp = -1,
		                       .proto = -1,
		                       .dir = -1};
		for (unsigned i = 0; i < t->n; i++) {
			size_t prefix;
			long n = field_len(&t->f[i], p, len, &prefix);
			if (n < 0)
				return fail(why, wl, "record of set %u cut in field %u", id, i);
			field(&r, &t->f[i], p + prefix, (size_t)n);
			p += prefix + (size_t)n;
			len -= prefix + (size_t)n;
		}
		if (d->nrec == d->caprec) {
			d->caprec = d->caprec ? 2 * d->caprec : 256;
			d->rec = realloc(d->rec, d->caprec * sizeof(*d->rec));
		}
		d->rec[d->nrec++] = r;
		m->records++;
	}
	/* what is left is padding: v9 pads to 4 bytes with zeros; IPFIX
	 * allows padding too, but ebpfreport sends none */
	if (len && (m->version == 10 || len > 3 || get(p, len)))
		return fail(why, wl, "%zu bytes left in data set %u", len, id);
	return 0;
}

int dec_message(struct decoder *d, const uint8_t *msg, size_t len, struct dec_msg *m, char *why,
                size_t wl)
{
	size_t off;

	memset(m, 0, sizeof(*m));
	if (len < 16)
		return fail(why, wl, "message of %zu bytes", len);
	m->version = (int)get(msg, 2);
	if (m->version == 10) {
		m->length = get(msg + 2, 2);
		if (m->length != len)
			return fail(why, wl, "header length %zu, message %zu", m->length, len);
		m->export_secs = (uint32_t)get(msg + 4, 4);
		m->seq = (uint32_t)get(msg + 8, 4);
		m->domain = (uint32_t)get(msg + 12, 4);
		off = 16;
	} else if (m->version == 9) {
		if (len < 20)
			return fail(why, wl, "v9 packet of %zu bytes", len);
		m->length = len;
		m->count = (unsigned)get(msg + 2, 2);
		m->uptime_ms = (uint32_t)get(msg + 4, 4);
		m->export_secs = (uint32_t)get(msg + 8, 4);
		m->seq = (uint32_t)get(msg + 12, 4);
		m->domain = (uint32_t)get(msg + 16, 4);
		off = 20;
	} else {
		return fail(why, wl, "version %d", m->version);
	}
	while (off < len) {
		uint16_t id, slen;

		if (len - off < 4)
			return fail(why, wl, "%zu bytes after the last set", len - off);
		id = (uint16_t)get(msg + off, 2);
		slen = (uint16_t)get(msg + off + 2, 2);
		if (slen < 4 || slen > len - off)
			return fail(why, wl, "set %u of length %u at %zu", id, slen, off);
		if (m->version == 9 && slen % 4)
			return fail(why, wl, "v9 flowset %u of length %u is not padded", id, slen);
		if (id == (m->version == 10 ? 2 : 0)) {
			m->template_sets++;
			if (templates(d, m, msg + off + 4, slen - 4u, why, wl))
				return -1;
		} else if (id >= 256) {
			if (data(d, m, id, msg + off + 4, slen - 4u, why, wl))
				return -1;
		} else {
			return fail(why, wl, "set id %u", id);
		}
		off += slen;
	}
	if (m->version == 9 && !m->unknown && m->count != m->templates + m->records)
		return fail(why, wl, "v9 count %u, %u templates + %u records", m->count,
		            m->templates, m->records);
	return 0;
}

void dec_free(struct decoder *d)
{
	free(d->rec);
	memset(d, 0, sizeof(*d));
}
