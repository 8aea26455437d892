/* fmt_text.h - showing recorded strings to people: argv as a shell would need
 * it, control bytes escaped. Shared by ebpfrec --print and ebpfreport. */
#ifndef FMT_TEXT_H
#define FMT_TEXT_H

#include <stdio.h>

/* Write arg quoted if it has spaces or shell specials, with \xNN for
 * control bytes; an empty argument is written as ''. */
void text_put_arg(FILE *f, const char *arg);

#endif
