/* notice.c - see notice.h. */
#include <stdarg.h>
#include <stdio.h>

#include "notice.h"

void rec_notice(const char *fmt, ...)
{
	va_list ap;

	fputs("ebpfrec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
