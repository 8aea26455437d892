/* json_path.h - a small validating JSON reader for the tests: parse a whole
 * document and fetch one value by a dotted path ("counts.execs",
 * "rows.0.key"). */
#ifndef TEST_JSON_PATH_H
#define TEST_JSON_PATH_H

#include <stddef.h>

/* @return 1 and the value's text in out (strings unquoted, escapes other
 * than \" and \\ kept verbatim; numbers, true, false, null as written),
 * 0 if the document is valid but the path is absent, -1 if it is not valid
 * JSON. */
int json_path(const char *doc, const char *path, char *out, size_t len);

#endif
