/* create_file.h - how every file this library writes comes to exist: new
 * (or replaced, when forced), never through a symlink, mode 0600 from the
 * first byte. Used by the session writer and the plain export. */
#ifndef FMT_CREATE_FILE_H
#define FMT_CREATE_FILE_H

#include <stddef.h>

/* Declared in fmt.h: ebpfreport's text outputs are created the same way. */
#include "fmt.h"

#endif
