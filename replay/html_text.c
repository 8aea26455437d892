/* html_text.c - see html_text.h. UTF-8 is decoded strictly (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), so what passes
 * through is what a validator accepts. */
#include <string.h>

#include "html_text.h"

#define MARK 0x1 /* escapes as <span class="esc"> (element text only) */
#define SQUOTE 0x2 /* inside '...': a quote is written '\'' */

/* @return the length of the valid UTF-8 sequence at s (2 to 4) and its
 * code point in *cp, or 0 if s does not start one. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	for (size_t i = 1; i < n; i++) {
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0; /* also stops at the NUL */
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return n;
}

/* Code points that print nothing, or reorder or hide the text around them
 * (a "Trojan Source" argv), and noncharacters. */
static int hidden(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
		{ 0x80, 0x9f },	      { 0xad, 0xad },	  { 0x61c, 0x61c },	{ 0x115f, 0x1160 },
		{ 0x180e, 0x180e },   { 0x200b, 0x200f }, { 0x2028, 0x202e },	{ 0x2060, 0x206f },
		{ 0x3164, 0x3164 },   { 0xfdd0, 0xfdef }, { 0xfeff, 0xfeff },	{ 0xfff9, 0xfffb },
		{ 0xe0000, 0xe007f },
	};

	if ((cp & 0xfffe) == 0xfffe)
		return 1;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

static void escape(FILE *f, const char *text, unsigned mode)
{
	fputs(mode & MARK ? "<span class=\"esc\">" : "", f);
	fputs(text, f);
	fputs(mode & MARK ? "</span>" : "", f);
}

static void put(FILE *f, const char *s, unsigned mode)
{
	static const char *const named[] = { ['\t'] = "\\t", ['\n'] = "\\n", ['\r'] = "\\r" };
	const unsigned char *p = (const unsigned char *)s;
	char b[16];

	while (*p) {
		uint32_t cp;
		size_t n;
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs(mode & SQUOTE ? "&#39;\\&#39;&#39;" : "&#39;", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				if (*p < sizeof(named) / sizeof(named[0]) && named[*p])
					escape(f, named[*p], mode);
				else
					snprintf(b, sizeof(b), "\\x%02x", *p), escape(f, b, mode);
			} else if (*p < 0x80) {
				fputc(*p, f);
			} else if (!(n = utf8_seq(p, &cp))) {
				snprintf(b, sizeof(b), "\\x%02x", *p);
				escape(f, b, mode);
			} else {
				if (hidden(cp))
					snprintf(b, sizeof(b), "\\u{%04x}", cp), escape(f, b, mode);
				else
					fwrite(p, 1, n, f);
				p += n;
				continue;
			}
		}
		p++;
	}
}

void html_text(FILE *f, const char *s)
{
	put(f, s, MARK);
}

void html_attr(FILE *f, const char *s)
{
	put(f, s, 0);
}

/* @return 1 if arg can be typed as it is: printable ASCII and UTF-8 text
 * with no blank, no shell special and nothing put() escapes */
static int plain(const char *arg)
{
	const unsigned char *p = (const unsigned char *)arg;
	uint32_t cp;

	if (!*p)
		return 0;
	while (*p) {
		size_t n = 1;
		if (*p <= ' ' || *p == 0x7f || strchr("'\"\\$`!*?;&|<>(){}[]#~", *p))
			return 0;
		if (*p >= 0x80 && (!(n = utf8_seq(p, &cp)) || hidden(cp)))
			return 0;
		p += n;
	}
	return 1;
}

void html_arg(FILE *f, const char *arg)
{
	size_t blank = strspn(arg, " \t");

	if (plain(arg)) {
		put(f, arg, MARK);
	} else if (!*arg) {
		fputs("<span class=\"arg empty\" title=\"empty argument\">''</span>", f);
	} else if (!arg[blank]) {
		fprintf(f, "<span class=\"arg blank\" title=\"blank argument (%zu characters)\">'", blank);
		put(f, arg, MARK | SQUOTE);
		fputs("'</span>", f);
	} else {
		fputs("'", f);
		put(f, arg, MARK | SQUOTE);
		fputs("'", f);
	}
}

void html_argv(FILE *f, uint32_t argc, const char *const *argv)
{
	for (uint32_t i = 0; i < argc; i++) {
		if (i)
			fputc(' ', f);
		html_arg(f, argv[i]);
	}
}
