/* test_html_text.c - recorded strings into the HTML page: whatever bytes
 * come in, what goes out is valid UTF-8 with no markup but ours; what
 * would hide, reorder or break the text is shown escaped; arguments that
 * would vanish stay visible. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_text.h"

/* What fn writes for s (malloc'd). */
static char *render(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

static void expect(void (*fn)(FILE *, const char *), const char *in, const char *want)
{
	char *got = render(fn, in);

	cr_assert_str_eq(got, want);
	free(got);
}

/* Strict UTF-8, as a browser's validator and RFC 3629 have it. */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned char c = *s;
		int n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
			c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (!n)
			return 0;
		for (int k = 1; k < n; k++)
			if (s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xbf))
				return 0;
		s += n;
	}
	return 1;
}

/* No markup but ours: no < > " left once our spans are taken out (nor '
 * outside an argument's quotes), and every & starts one of the entities
 * we write. */
static void expect_inert(const char *out, const char *in, bool arg)
{
	static const char *const ours[] = { "<span class=\"esc\">", "</span>",
					    "<span class=\"arg empty\" title=\"empty argument\">",
					    "<span class=\"arg blank\" title=\"blank argument (" };
	static const char *const entities[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&#39;" };

	cr_assert(utf8_ok((const unsigned char *)out), "not UTF-8 for input %s", in);
	for (const char *p = out; *p; p++) {
		size_t skip = 0;
		for (size_t i = 0; i < (arg ? 4 : 2) && !skip; i++)
			if (!strncmp(p, ours[i], strlen(ours[i])))
				skip = i == 3 ? (size_t)(strstr(p, ")\">") + 3 - p) : strlen(ours[i]);
		if (skip) {
			p += skip - 1;
			continue;
		}
		cr_assert_null(strchr(arg ? "<>\"" : "<>\"'", *p), "markup character in %s", out);
		if (*p == '&') {
			int ok = 0;
			for (size_t i = 0; i < 5; i++)
				ok |= !strncmp(p, entities[i], strlen(entities[i]));
			cr_assert(ok, "stray & in %s", out);
		}
	}
}

/* What each writer makes of an input. */
struct text_case {
	void (*fn)(FILE *, const char *);
	const char *in, *want;
};

static void expect_all(const struct text_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect(c[i].fn, c[i].in, c[i].want);
}

#define EXPECT_ALL(...)                                                   \
	do {                                                              \
		const struct text_case c_[] = { __VA_ARGS__ };            \
		expect_all(c_, sizeof(c_) / sizeof(c_[0]));               \
	} while (0)

Test(html_text, specials_become_entities)
{
	EXPECT_ALL({ html_text, "<a href=\"x\">&'", "&lt;a href=&quot;x&quot;&gt;&amp;&#39;" },
		   { html_attr, "\"><script>", "&quot;&gt;&lt;script&gt;" });
}

Test(html_text, bytes_that_are_not_utf8_are_escaped)
{
	EXPECT_ALL({ html_text, "a\xff", "a<span class=\"esc\">\\xff</span>" },
		   { html_attr, "a\xff", "a\\xff" },
		   /* an overlong '/', a surrogate, past U+10FFFF, a cut sequence */
		   { html_attr, "\xc0\xaf", "\\xc0\\xaf" },
		   { html_attr, "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		   { html_attr, "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		   { html_attr, "\xe2\x82", "\\xe2\\x82" },
		   /* valid UTF-8 passes as it is */
		   { html_attr, "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
		     "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7" });
}

Test(html_text, controls_and_hiding_code_points_are_escaped)
{
	EXPECT_ALL({ html_attr, "a\tb\nc\rd\x1b\x7f", "a\\tb\\nc\\rd\\x1b\\x7f" },
		   { html_text, "\n", "<span class=\"esc\">\\n</span>" },
		   /* C1 control, right-to-left override, zero-width space, BOM */
		   { html_attr, "\xc2\x85", "\\u{0085}" },
		   { html_attr, "\xe2\x80\xae" "abc", "\\u{202e}abc" },
		   { html_attr, "\xe2\x80\x8b", "\\u{200b}" },
		   { html_attr, "\xef\xbb\xbf", "\\u{feff}" });
}

Test(html_text, any_bytes_give_inert_utf8)
{
	char in[64], *out;

	for (int c = 1; c < 256; c++) {
		snprintf(in, sizeof(in), "%c", c);
		out = render(html_text, in);
		expect_inert(out, in, false);
		free(out);
	}
	srand(15);
	for (int n = 0; n < 20000; n++) {
		size_t len = (size_t)(rand() % 12);
		for (size_t i = 0; i < len; i++)
			in[i] = (char)(1 + rand() % 255);
		in[len] = 0;
		out = render(html_text, in);
		expect_inert(out, in, false);
		free(out);
		out = render(html_arg, in);
		expect_inert(out, in, true);
		free(out);
	}
}

Test(html_text, arguments_stay_visible)
{
	EXPECT_ALL({ html_arg, "-c", "-c" },
		   { html_arg, "", "<span class=\"arg empty\" title=\"empty argument\">''</span>" },
		   { html_arg, "  ",
		     "<span class=\"arg blank\" title=\"blank argument (2 characters)\">'  '</span>" },
		   { html_arg, "b c.c", "'b c.c'" },
		   { html_arg, "it's", "'it&#39;\\&#39;&#39;s'" },
		   { html_arg, "$HOME", "'$HOME'" },
		   { html_arg, "\xff", "'<span class=\"esc\">\\xff</span>'" });
}
