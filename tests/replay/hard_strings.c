/* hard_strings.c - see hard_strings.h. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "fmt_row.h"
#include "hard_strings.h"

static char every_byte[256];

const char *const hard[NHARD] = {
	"caf\xe9", /* Latin-1: not UTF-8 */
	"caf\xc3\xa9 \xc3\xbf", /* UTF-8 "café ÿ": stays as it is */
	"\\xff", /* text that looks like the encoding: valid, stays */
	"\xff\\x41\\", /* a byte, then the encoding's own escapes as text */
	"\xed\xa0\x80", /* a UTF-16 surrogate in UTF-8 form: invalid */
	"\xc0\xaf", /* overlong '/' */
	"\xf4\x90\x80\x80", /* above U+10FFFF */
	"a\"b,c\nd\re\tf", /* quotes, commas, line breaks */
	"", /* empty */
	"\xe2\x82", /* a cut sequence at the end */
	"\x01\x1f\x7f", /* control bytes */
	every_byte,
};

const char *hard_session(void)
{
	const char *p = fixture_path("hard.db");
	struct fmt_writer *w;

	for (int i = 1; i < 256; i++)
		every_byte[i - 1] = (char)i;
	w = fixture_writer(p, "hard", "1700000000000000000", 1 * S, 9 * S);
	for (int k = 0; k < NHARD; k++) {
		struct fmt_exec e = { .ts_ns = S + (uint64_t)k, .pid = 10 + (uint32_t)k, .tid = 10,
				      .ppid = 1, .comm = hard[k], .pcomm = hard[k],
				      .filename = hard[k], .argv = (const char *const *)hard,
				      .argc = NHARD, .interp = hard[k], .cwd = hard[k],
				      .start_ns = S / 2 };
		cr_assert_eq(fmt_writer_append_exec(w, &e), 0);
		struct fmt_proc pr = { .ts_ns = S, .pid = 500 + (uint32_t)k, .ppid = 1,
				       .start_ns = S / 3, .comm = hard[k], .exe = hard[k],
				       .argv = (const char *const *)hard, .argc = NHARD,
				       .cwd = hard[k] };
		cr_assert_eq(fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_PROC,
								       .proc = pr }),
			     0);
		struct fmt_cgroup cg = { .ts_ns = S, .cgroup_id = 100 + (uint64_t)k,
					 .kind = (uint32_t)k % 3, .path = hard[k] };
		cr_assert_eq(fmt_writer_append(w, &(struct fmt_event){ .stream = FMT_STREAM_CGROUP,
								       .cgroup = cg }),
			     0);
	}
	cr_assert_eq(fmt_writer_append_exit(w, &(struct fmt_exit){ .ts_ns = 2 * S, .start_ns = S,
								   .pid = 10, .ppid = 1,
								   .exit_code = 3 }),
		     0);
	fixture_flow(w, 2 * S, 0, 4, 6, "10.0.0.1", 443, "10.0.0.2", 5000, 10, 1000);
	struct fmt_flow f = { .ts_ns = 3 * S, .interval_ns = S, .packets = 4, .bytes = 400,
			      .owner = { .pid = 10, .start_ns = S, .cgroup_id = 101 } };
	f.key.ifindex = 2;
	f.key.family = 6;
	f.key.proto = 17;
	inet_pton(AF_INET6, "fd00::1", f.key.src);
	inet_pton(AF_INET6, "fd00::2", f.key.dst);
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	memset(&f, 0, sizeof(f));
	f.ts_ns = 3 * S, f.interval_ns = S, f.packets = 2, f.bytes = 120, f.key.ifindex = 2;
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0); /* non-IP */
	f.key.family = FMT_FAMILY_OVERFLOW;
	cr_assert_eq(fmt_writer_append_flow(w, &f), 0);
	cr_assert_eq(fmt_writer_close(w, &(char *){ NULL }), 0);
	return p;
}

static int hexdig(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
}

long json_unstring(const char **pp, char *out)
{
	const char *p = *pp;
	long o = 0;

	if (*p++ != '"')
		return -1;
	while (*p != '"') {
		if (!*p || (unsigned char)*p < 0x20)
			return -1;
		if (*p != '\\') {
			out[o++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case '"': case '\\': case '/':
			out[o++] = *p++;
			break;
		case 'b': out[o++] = '\b', p++; break;
		case 'f': out[o++] = '\f', p++; break;
		case 'n': out[o++] = '\n', p++; break;
		case 'r': out[o++] = '\r', p++; break;
		case 't': out[o++] = '\t', p++; break;
		case 'u': {
			unsigned v = 0;
			for (int i = 1; i <= 4; i++) {
				if (hexdig(p[i]) < 0)
					return -1;
				v = v << 4 | (unsigned)hexdig(p[i]);
			}
			p += 5;
			if (v >= 0xd800 && v <= 0xdfff)
				return -1; /* the exports never write surrogates */
			if (v < 0x80) {
				out[o++] = (char)v;
			} else if (v < 0x800) {
				out[o++] = (char)(0xc0 | v >> 6);
				out[o++] = (char)(0x80 | (v & 63));
			} else {
				out[o++] = (char)(0xe0 | v >> 12);
				out[o++] = (char)(0x80 | (v >> 6 & 63));
				out[o++] = (char)(0x80 | (v & 63));
			}
			break;
		}
		default:
			return -1;
		}
	}
	*pp = p + 1;
	out[o] = 0;
	return o;
}

long lossless_decode(const char *s, size_t len, char *out)
{
	size_t n = fmt_str_decode(s, len, out);

	if (n == (size_t)-1)
		return -1;
	out[n] = 0;
	return (long)n;
}
