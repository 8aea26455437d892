/* create_file.h - how every file this library writes comes to exist: new
 * (or replaced, when forced), never through a symlink, mode 0600 from the
 * first byte. Used by the session writer and the plain export. */
#ifndef FMT_CREATE_FILE_H
#define FMT_CREATE_FILE_H

#include <stddef.h>

/* @return FMT_OK or a FMT_E* code with a message in err. */
int fmt_create_file(const char *path, unsigned flags, char *err, size_t errlen);

#endif
