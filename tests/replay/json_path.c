/* json_path.c - see json_path.h. Recursive descent over RFC 8259 JSON. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"

struct jp {
	const char *p;
	const char *want; /* remaining path, NULL once matched or abandoned */
	char *out;
	size_t len;
	int found;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')
		j->p++;
}

static int value(struct jp *j, const char *path);

/* A string; if dst, its unescaped text. */
static int string(struct jp *j, char *dst, size_t len)
{
	size_t o = 0;

	if (*j->p != '"')
		return -1;
	j->p++;
	while (*j->p != '"') {
		char c = *j->p;
		if (!c || (unsigned char)c < 0x20)
			return -1;
		if (c == '\\') {
			j->p++;
			if (!strchr("\"\\/bfnrtu", *j->p))
				return -1;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return -1;
				if (dst && o + 6 < len)
					memcpy(dst + o, j->p - 1, 6), o += 6;
				j->p += 5;
				continue;
			}
			c = *j->p;
		}
		if (dst && o + 1 < len)
			dst[o++] = c;
		j->p++;
	}
	j->p++;
	if (dst)
		dst[o] = 0;
	return 0;
}

/* Does path's first component equal name? Sets *rest. */
static int step(const char *path, const char *name, const char **rest)
{
	size_t n;

	if (!path)
		return 0;
	n = strcspn(path, ".");
	if (strlen(name) != n || strncmp(path, name, n))
		return 0;
	*rest = path[n] ? path + n + 1 : "";
	return 1;
}

static int value(struct jp *j, const char *path)
{
	const char *start;

	ws(j);
	start = j->p;
	if (*j->p == '{') {
		j->p++;
		ws(j);
		if (*j->p == '}')
			return j->p++, 0;
		for (;;) {
			char key[256];
			const char *rest = NULL;
			ws(j);
			if (string(j, key, sizeof(key)))
				return -1;
			ws(j);
			if (*j->p++ != ':')
				return -1;
			if (value(j, step(path, key, &rest) ? rest : NULL))
				return -1;
			ws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != '}')
				return -1;
			break;
		}
	} else if (*j->p == '[') {
		int i = 0;
		j->p++;
		ws(j);
		if (*j->p == ']')
			return j->p++, 0;
		for (;; i++) {
			char idx[16];
			const char *rest = NULL;
			snprintf(idx, sizeof(idx), "%d", i);
			if (value(j, step(path, idx, &rest) ? rest : NULL))
				return -1;
			ws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != ']')
				return -1;
			break;
		}
	} else if (*j->p == '"') {
		if (path && !*path) {
			if (string(j, j->out, j->len))
				return -1;
			j->found = 1;
			return 0;
		}
		return string(j, NULL, 0);
	} else if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4)) {
		j->p += 4;
	} else if (!strncmp(j->p, "false", 5)) {
		j->p += 5;
	} else {
		char *end;
		if (*j->p != '-' && !isdigit((unsigned char)*j->p))
			return -1;
		strtod(j->p, &end);
		if (end == j->p)
			return -1;
		j->p = end;
	}
	if (path && !*path && !j->found) { /* a scalar or a container matched */
		size_t n = (size_t)(j->p - start);
		if (n >= j->len)
			n = j->len - 1;
		memcpy(j->out, start, n);
		j->out[n] = 0;
		j->found = 1;
	}
	return 0;
}

int json_path(const char *doc, const char *path, char *out, size_t len)
{
	struct jp j = { .p = doc, .out = out, .len = len };

	out[0] = 0;
	if (value(&j, path))
		return -1;
	ws(&j);
	if (*j.p)
		return -1; /* trailing garbage */
	return j.found;
}
