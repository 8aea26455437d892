/* text.c - see fmt_text.h. */
#include <ctype.h>
#include <string.h>

#include "fmt_text.h"

void text_put_arg(FILE *f, const char *a)
{
	int plain = *a != 0;

	for (const char *s = a; *s && plain; s++)
		if (!isgraph((unsigned char)*s) || strchr("'\"\\$`!*?;&|<>(){}[]#~", *s))
			plain = 0;
	if (plain) {
		fputs(a, f);
		return;
	}
	fputc('\'', f);
	for (const unsigned char *s = (const unsigned char *)a; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", *s);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}
