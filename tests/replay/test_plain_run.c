/* test_plain_run.c - plain_run, the exports' scan for the first byte
 * that JSON or CSV must treat specially, finds what a byte-at-a-time scan
 * finds: for every byte value at every place of strings of every length
 * from every alignment, and for a string that ends where its page ends,
 * before a page that cannot be read. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "plain_run.h"

/* what each format treats specially, byte by byte (docs/FORMAT.md) */
static bool special(unsigned char c, bool csv)
{
	if (c == 0 || c >= 0x80 || c == '"')
		return true;
	if (csv)
		return c == ',' || c == '\n' || c == '\r';
	return c < 0x20 || c == '\\';
}

static size_t slow(const char *s, bool csv)
{
	size_t n = 0;

	while (!special((unsigned char)s[n], csv))
		n++;
	return n;
}

Test(plain_run, finds_the_first_special_byte_wherever_it_is)
{
	_Alignas(64) char buf[128];
	unsigned checked = 0;

	for (int csv = 0; csv <= 1; csv++)
		for (unsigned at = 0; at < 32; at++) /* the string's alignment */
			for (unsigned len = 0; len <= 40; len++)
				for (unsigned pos = 0; pos <= len; pos++)
					for (unsigned c = 1; c < 256; c++) {
						char *s = buf + at;
						memset(buf, 'a', sizeof(buf));
						s[len] = 0;
						if (pos < len)
							s[pos] = (char)c;
						else if (c > 1)
							break; /* no byte put: once */
						/* specials before the string must not count */
						if (at)
							buf[at - 1] = '"';
						size_t want = slow(s, csv), got = plain_run(s, csv);
						cr_assert_eq(got, want,
							     "%s: byte %#x at %u of %u, alignment %u: %zu, want %zu",
							     csv ? "csv" : "json", c, pos, len, at, got, want);
						checked++;
					}
	cr_assert_gt(checked, 1000000);
}

/* Nothing past the string's aligned block is read: a string that ends
 * on its page's last byte, before a page that is not mapped. */
Test(plain_run, stops_at_the_end_of_the_page)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	cr_assert_neq(m, MAP_FAILED);
	cr_assert_eq(mprotect(m + page, (size_t)page, PROT_NONE), 0);
	memset(m, 'a', (size_t)page);
	m[page - 1] = 0;
	for (long len = 0; len < 40; len++)
		for (int csv = 0; csv <= 1; csv++)
			cr_assert_eq(plain_run(m + page - 1 - len, csv), (size_t)len);
	munmap(m, 2 * (size_t)page);
}
