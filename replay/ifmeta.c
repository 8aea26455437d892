/* ifmeta.c - see ifmeta.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ifmeta.h"
#include "json.h"

struct scan {
	const char *p;
};

static void ws(struct scan *s)
{
	while (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r')
		s->p++;
}

static int eat(struct scan *s, char c)
{
	ws(s);
	if (*s->p != c)
		return -1;
	s->p++;
	return 0;
}

/* A string with the escapes json.c writes: \" \\ and \u00XX (a byte that
 * is not valid UTF-8); anything else is refused rather than guessed. */
static int str(struct scan *s, char *out, size_t len)
{
	size_t n = 0;

	if (eat(s, '"'))
		return -1;
	memset(out, 0, len); /* a repeated key leaves no trace of the first value */
	while (*s->p != '"') {
		char c = *s->p++;
		if (!c || (unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			c = *s->p++;
			if (c == 'u') {
				unsigned v = 0;
				for (int k = 0; k < 4; k++) {
					char h = *s->p++;
					if (!isxdigit((unsigned char)h))
						return -1;
					v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (h | 32) - 'a' + 10);
				}
				if (!v || v > 0xff)
					return -1;
				c = (char)v;
			} else if (c != '"' && c != '\\') {
				return -1;
			}
		}
		if (n + 1 >= len)
			return -1;
		out[n++] = c;
	}
	s->p++;
	out[n] = 0;
	return 0;
}

static int number(struct scan *s, uint32_t *v)
{
	uint64_t x = 0;

	ws(s);
	if (*s->p < '0' || *s->p > '9')
		return -1;
	while (*s->p >= '0' && *s->p <= '9') {
		x = x * 10 + (uint64_t)(*s->p++ - '0');
		if (x > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

static int boolean(struct scan *s, int *v)
{
	ws(s);
	if (!strncmp(s->p, "true", 4)) {
		*v = 1;
		s->p += 4;
	} else if (!strncmp(s->p, "false", 5)) {
		*v = 0;
		s->p += 5;
	} else {
		return -1;
	}
	return 0;
}

/* Skip a value of an unknown key: a string, number, boolean or null. */
static int skip(struct scan *s)
{
	char tmp[256];
	uint32_t u;
	int b;

	ws(s);
	if (*s->p == '"')
		return str(s, tmp, sizeof(tmp));
	if (!strncmp(s->p, "null", 4)) {
		s->p += 4;
		return 0;
	}
	if (*s->p >= '0' && *s->p <= '9')
		return number(s, &u);
	return boolean(s, &b);
}

static int addresses(struct scan *s, struct ifmeta *f)
{
	if (eat(s, '['))
		return -1;
	ws(s);
	if (*s->p == ']') {
		s->p++;
		return 0;
	}
	do {
		if (f->naddr >= IFMETA_ADDRS || str(s, f->addr[f->naddr++], sizeof(f->addr[0])))
			return -1;
	} while (!eat(s, ','));
	return eat(s, ']');
}

static int object(struct scan *s, struct ifmeta *f)
{
	char key[32];

	memset(f, 0, sizeof(*f));
	if (eat(s, '{'))
		return -1;
	ws(s);
	if (*s->p == '}') {
		s->p++;
		return 0;
	}
	do {
		int rc;
		if (str(s, key, sizeof(key)) || eat(s, ':'))
			return -1;
		if (!strcmp(key, "index"))
			rc = number(s, &f->index);
		else if (!strcmp(key, "name"))
			rc = str(s, f->name, sizeof(f->name));
		else if (!strcmp(key, "addresses"))
			rc = addresses(s, f);
		else if (!strcmp(key, "ingress"))
			rc = str(s, f->ingress, sizeof(f->ingress));
		else if (!strcmp(key, "egress"))
			rc = str(s, f->egress, sizeof(f->egress));
		else if (!strcmp(key, "gone"))
			rc = boolean(s, &f->gone);
		else
			rc = skip(s);
		if (rc)
			return -1;
	} while (!eat(s, ','));
	return eat(s, '}');
}

int ifmeta_parse(const char *text, struct ifmeta *v, size_t max)
{
	struct scan s = { text };
	size_t n = 0;

	if (eat(&s, '['))
		return -1;
	ws(&s);
	if (*s.p == ']')
		return 0;
	do {
		if (n >= max || object(&s, &v[n++]))
			return -1;
	} while (!eat(&s, ','));
	if (eat(&s, ']'))
		return -1;
	ws(&s);
	return *s.p ? -1 : (int)n;
}

char *ifmeta_format(const struct ifmeta *v, size_t n)
{
	struct json j = { 0 };

	json_begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(&j);
		json_kv_u64(&j, "index", v[i].index); /* first: see sess_iface_name() */
		json_kv_str(&j, "name", v[i].name);
		json_key(&j, "addresses");
		json_begin_array(&j);
		for (unsigned a = 0; a < v[i].naddr; a++)
			json_str(&j, v[i].addr[a]);
		json_end_array(&j);
		json_kv_str(&j, "ingress", v[i].ingress);
		json_kv_str(&j, "egress", v[i].egress);
		json_kv_bool(&j, "gone", v[i].gone);
		json_end_object(&j);
	}
	json_end_array(&j);
	return json_take(&j);
}
