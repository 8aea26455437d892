/* interfaces.c - see fmt_interfaces.h.
 *
 * The parser reads the JSON that json.c writes and nothing looser: strings
 * with the escapes \" \\ and \u00XX (a byte that is not valid UTF-8), plain
 * decimal numbers, true/false/null, no nesting beyond the list's own. All
 * strings are unescaped into one arena as long as the text (an unescaped
 * string and its NUL never take more room than the quoted original), so
 * memory is bounded by the input.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "fmt_interfaces.h"
#include "json.h"

struct fmt_ifaces {
	struct fmt_iface *v;
	size_t n, cap;
	const char **addr; /* every address, by iface in order */
	size_t naddr, addr_cap;
	char *arena;
	char *labels; /* "NETNS/NAME" of those in another namespace */
};

struct scan {
	const char *p;
	char *out; /* next free byte of the arena */
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

/* A string, unescaped into the arena. @return it, or NULL if malformed
 * (never reading past the text's NUL). */
static const char *str(struct scan *s)
{
	char *start = s->out;

	if (eat(s, '"'))
		return NULL;
	while (*s->p != '"') {
		char c = *s->p;
		if (!c || (unsigned char)c < 0x20)
			return NULL;
		s->p++;
		if (c == '\\') {
			c = *s->p;
			if (c == 'u') {
				unsigned v = 0;
				s->p++;
				for (int k = 0; k < 4; k++, s->p++) {
					char h = *s->p;
					if (!isxdigit((unsigned char)h))
						return NULL;
					v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' :
										   (h | 32) - 'a' + 10);
				}
				if (!v || v > 0xff)
					return NULL;
				c = (char)v;
			} else if (c == '"' || c == '\\') {
				s->p++;
			} else {
				return NULL;
			}
		}
		*s->out++ = c;
	}
	s->p++;
	*s->out++ = 0;
	return start;
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

static int word(struct scan *s, const char *w)
{
	size_t n = strlen(w);

	ws(s);
	if (strncmp(s->p, w, n))
		return -1;
	s->p += n;
	return 0;
}

static int boolean(struct scan *s, bool *v)
{
	if (!word(s, "true"))
		return *v = true, 0;
	if (!word(s, "false"))
		return *v = false, 0;
	return -1;
}

/* The value of a key we do not know: a string, number, boolean or null. */
static int skip(struct scan *s)
{
	uint32_t u;
	bool b;

	ws(s);
	if (*s->p == '"')
		return str(s) ? 0 : -1;
	if (!word(s, "null"))
		return 0;
	if (*s->p >= '0' && *s->p <= '9')
		return number(s, &u);
	return boolean(s, &b);
}

static int add_addr(struct fmt_ifaces *l, const char *a)
{
	if (l->naddr == l->addr_cap) {
		size_t cap = l->addr_cap ? l->addr_cap * 2 : 16;
		const char **v = realloc(l->addr, cap * sizeof(*v));
		if (!v)
			return FMT_ENOMEM;
		l->addr = v;
		l->addr_cap = cap;
	}
	l->addr[l->naddr++] = a;
	return FMT_OK;
}

/* "addresses": [...]. The entry's addresses are the last naddr of l->addr
 * (pointers are fixed up once the list is complete). */
static int addresses(struct scan *s, struct fmt_ifaces *l, struct fmt_iface *f,
		     size_t *first)
{
	const char *a;

	if (eat(s, '['))
		return FMT_ECORRUPT;
	*first = l->naddr; /* a repeated key: the last list wins */
	f->naddr = 0;
	ws(s);
	if (*s->p == ']') {
		s->p++;
		return FMT_OK;
	}
	do {
		int rc;
		if (!(a = str(s)))
			return FMT_ECORRUPT;
		if ((rc = add_addr(l, a)))
			return rc;
		f->naddr++;
	} while (!eat(s, ','));
	return eat(s, ']') ? FMT_ECORRUPT : FMT_OK;
}

static int object(struct scan *s, struct fmt_ifaces *l, struct fmt_iface *f, size_t *first)
{
	memset(f, 0, sizeof(*f));
	f->name = f->ingress = f->egress = "";
	*first = l->naddr;
	if (eat(s, '{'))
		return FMT_ECORRUPT;
	ws(s);
	if (*s->p == '}') {
		s->p++;
		return FMT_OK;
	}
	do {
		const char *key = str(s), **field = NULL;
		int rc = FMT_OK;

		if (!key || eat(s, ':'))
			return FMT_ECORRUPT;
		if (!strcmp(key, "index"))
			rc = number(s, &f->index) ? FMT_ECORRUPT : FMT_OK;
		else if (!strcmp(key, "name"))
			field = &f->name;
		else if (!strcmp(key, "netns"))
			field = &f->netns;
		else if (!strcmp(key, "ifindex"))
			rc = number(s, &f->ifindex) ? FMT_ECORRUPT : FMT_OK;
		else if (!strcmp(key, "ingress"))
			field = &f->ingress;
		else if (!strcmp(key, "egress"))
			field = &f->egress;
		else if (!strcmp(key, "addresses"))
			rc = addresses(s, l, f, first);
		else if (!strcmp(key, "gone"))
			rc = boolean(s, &f->gone) ? FMT_ECORRUPT : FMT_OK;
		else
			rc = skip(s) ? FMT_ECORRUPT : FMT_OK;
		if (field && !(*field = str(s)))
			rc = FMT_ECORRUPT;
		if (rc)
			return rc;
	} while (!eat(s, ','));
	return eat(s, '}') ? FMT_ECORRUPT : FMT_OK;
}

static int parse(struct scan *s, struct fmt_ifaces *l)
{
	size_t *first = NULL; /* each entry's first address in l->addr */
	int rc = FMT_OK;

	if (eat(s, '['))
		return FMT_ECORRUPT;
	ws(s);
	if (*s->p == ']')
		s->p++;
	else {
		do {
			if (l->n == FMT_MAX_IFACES) {
				rc = FMT_ECORRUPT;
				break;
			}
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 8;
				struct fmt_iface *v = realloc(l->v, cap * sizeof(*v));
				size_t *f = realloc(first, cap * sizeof(*f));
				if (v)
					l->v = v;
				if (f)
					first = f;
				if (!v || !f) {
					rc = FMT_ENOMEM;
					break;
				}
				l->cap = cap;
			}
			rc = object(s, l, &l->v[l->n], &first[l->n]);
			l->n++;
		} while (!rc && !eat(s, ','));
		if (!rc && eat(s, ']'))
			rc = FMT_ECORRUPT;
	}
	if (!rc) {
		ws(s);
		if (*s->p)
			rc = FMT_ECORRUPT;
	}
	for (size_t i = 0; !rc && i < l->n; i++)
		l->v[i].addr = l->v[i].naddr ? l->addr + first[i] : NULL;
	free(first);
	return rc;
}

/* What reports call each interface: its name, or "NETNS/NAME" if it is
 * in another network namespace than the recorder's (the same name, eth0,
 * is in every container). */
static int make_labels(struct fmt_ifaces *l)
{
	size_t len = 0;
	char *p;

	for (size_t i = 0; i < l->n; i++) {
		l->v[i].label = l->v[i].name;
		if (l->v[i].netns)
			len += strlen(l->v[i].netns) + strlen(l->v[i].name) + 2;
	}
	if (!len)
		return FMT_OK;
	if (!(p = l->labels = malloc(len)))
		return FMT_ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].netns)
			continue;
		l->v[i].label = p;
		p += sprintf(p, "%s/%s", l->v[i].netns, l->v[i].name) + 1;
	}
	return FMT_OK;
}

int fmt_ifaces_parse(const char *text, struct fmt_ifaces **out)
{
	struct fmt_ifaces *l = calloc(1, sizeof(*l));
	struct scan s = { text, NULL };
	int rc;

	*out = NULL;
	if (!l || !(l->arena = malloc(strlen(text) + 1))) {
		free(l);
		return FMT_ENOMEM;
	}
	s.out = l->arena;
	rc = parse(&s, l);
	if (!rc)
		rc = make_labels(l);
	if (rc) {
		fmt_ifaces_free(l);
		return rc;
	}
	*out = l;
	return FMT_OK;
}

void fmt_ifaces_free(struct fmt_ifaces *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->addr);
	free(l->arena);
	free(l->labels);
	free(l);
}

size_t fmt_ifaces_count(const struct fmt_ifaces *l)
{
	return l->n;
}

const struct fmt_iface *fmt_ifaces_at(const struct fmt_ifaces *l, size_t i)
{
	return &l->v[i];
}

const struct fmt_iface *fmt_ifaces_find(const struct fmt_ifaces *l, uint32_t index)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (l->v[i].index == index)
			return &l->v[i];
	return NULL;
}

char *fmt_ifaces_format(const struct fmt_iface *v, size_t n)
{
	struct json j = { 0 };

	json_begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(&j);
		json_kv_u64(&j, "index", v[i].index);
		json_kv_str(&j, "name", v[i].name ? v[i].name : "");
		if (v[i].netns) {
			json_kv_str(&j, "netns", v[i].netns);
			json_kv_u64(&j, "ifindex", v[i].ifindex);
		}
		json_key(&j, "addresses");
		json_str_array(&j, v[i].addr, v[i].naddr);
		json_kv_str(&j, "ingress", v[i].ingress ? v[i].ingress : "");
		json_kv_str(&j, "egress", v[i].egress ? v[i].egress : "");
		json_kv_bool(&j, "gone", v[i].gone);
		json_end_object(&j);
	}
	json_end_array(&j);
	return json_take(&j);
}
