/* fmt_row.h - the export schema: the columns of each stream as every
 * export writes them (JSON lines, CSV, the plain SQLite database and
 * ClickHouse), and the lossless encoding of strings they share.
 *
 * One table per stream names each column and its type; fmt_row_fill turns
 * a record into that row of values. Each export renders the same values
 * in its own medium (docs/FORMAT.md, "Exports"):
 *
 *   type    JSON lines / CSV          SQLite             ClickHouse
 *   U8..U64 number                    INTEGER            UInt8..UInt64
 *   I32     number                    INTEGER            Int32
 *   BOOL    true / false              BOOLEAN 1 / 0      UInt8 1 / 0
 *   TIME    "2023-11-14T22:13:20.000Z" TEXT (the same)   DateTime (seconds)
 *   STR     string (encoded)          TEXT (encoded)     String (encoded)
 *   STRS    array of strings          TEXT (JSON array)  Array(String)
 *   ADDR    "10.0.0.1", "fd00::1"     TEXT               FixedString(16),
 *                                                        IPv4-mapped
 *   ENUM    its name                  TEXT (its name)    Enum8
 *   null    null / empty field        NULL               Nullable(...)
 *
 * Strings are raw bytes in a session; exports write a string that is valid
 * UTF-8 as it is, and any other string in the lossless encoding
 * (fmt_str_encode): every byte that does not belong to a valid UTF-8
 * sequence as \xHH, every backslash as \\, then one NUL character as the
 * mark. Session strings never contain NUL, so the mark cannot be confused
 * with a recorded string and the encoding is reversible (fmt_str_decode).
 */
#ifndef FMT_ROW_H
#define FMT_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt_records.h"

enum fmt_col_type {
	FMT_COL_U8,
	FMT_COL_U16,
	FMT_COL_U32,
	FMT_COL_U64,
	FMT_COL_I32,
	FMT_COL_BOOL,
	FMT_COL_TIME, /* wall-clock ns, rendered as a time */
	FMT_COL_STR,
	FMT_COL_STRS, /* a list of strings (argv) */
	FMT_COL_ADDR, /* an IPv4 or IPv6 address */
	FMT_COL_ENUM, /* a small number with a name per value */
};

/* What a column's value follows from alone, within one decoded chunk:
 * writers may render it once per dictionary entry (fmt_batch's ids). */
enum fmt_col_by {
	FMT_BY_RECORD, /* the record itself */
	FMT_BY_FLOW_KEY, /* a flow row's key id (its key, interface name, owner) */
	FMT_BY_COMMAND, /* an exec's command-line id (comm, filename, argv) */
};

struct fmt_column {
	const char *name;
	enum fmt_col_type type;
	bool nullable; /* the value may be absent (not recorded, not IP) */
	const char *const *names; /* ENUM: the name of each value */
	unsigned nnames;
	enum fmt_col_by by;
};

#define FMT_ROW_MAX_COLUMNS 24

/* One value of a row; which member holds it follows the column's type. */
struct fmt_value {
	bool null;
	union {
		uint64_t u; /* U*, BOOL (0/1), ENUM (index), TIME (wall ns) */
		int64_t i; /* I32 */
		const char *s; /* STR: NUL-terminated raw bytes */
		struct {
			const char *const *v;
			uint32_t n;
		} strs; /* STRS */
		struct {
			const uint8_t *bytes; /* 4 (IPv4) or 16 bytes */
			uint8_t family; /* 4 or 6 */
		} addr; /* ADDR */
	};
};

/* A record as a row of its stream's columns. Strings point into the
 * record (or into scratch); the row is valid as long as both are. */
struct fmt_row {
	enum fmt_stream stream;
	unsigned n;
	struct fmt_value v[FMT_ROW_MAX_COLUMNS];
	char proto[8], iface[16]; /* names made up for the row */
};

/* @return the columns of stream (*n of them), or NULL for a stream this
 * version does not know. */
const struct fmt_column *fmt_row_columns(enum fmt_stream stream, unsigned *n);

/* Fill row with ev's values. clock_offset is its file's (wall = ts +
 * offset); iface names a flow's interface (NULL: "ifN"). @return 0, or
 * FMT_EINVAL for a stream this version does not know. */
int fmt_row_fill(const struct fmt_event *ev, int64_t clock_offset, const char *iface,
		 struct fmt_row *row);

/* "2023-11-14T22:13:20.123Z" (UTC, milliseconds, 24 characters and a NUL)
 * for wall-clock ns. cache remembers the last second formatted (start it
 * zeroed): consecutive rows then cost a copy. @return buf */
struct fmt_time_cache {
	int64_t sec;
	int valid;
	char text[20];
};
char *fmt_row_time(char buf[32], uint64_t wall_ns, struct fmt_time_cache *cache);

/* ---- lossless strings -------------------------------------------------- */

/* @return 1 if s[0..len) is valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0 */
int fmt_utf8_valid(const char *s, size_t len);

/* The most bytes fmt_str_encode writes for a string of len bytes. */
#define FMT_STR_ENCODED_MAX(len) (4 * (len) + 1)

/* Write the export form of the len raw bytes at s into out (room for
 * FMT_STR_ENCODED_MAX(len) bytes, not NUL-terminated: an encoded string
 * ends in a NUL byte of its own). @return the length written. */
size_t fmt_str_encode(const char *s, size_t len, char *out);

/* The export form of the *len raw bytes at s: s itself when they are
 * valid UTF-8, else their encoding in *buf (grown with realloc as needed;
 * *cap is its size). *len becomes the form's length. @return the form, or
 * NULL if memory ran out. */
const char *fmt_str_export(const char *s, size_t *len, char **buf, size_t *cap);

/* The reverse: the raw bytes of the export form s[0..len) into out (room
 * for len bytes). @return their count, or (size_t)-1 if s ends in the mark
 * but is not a valid encoding. */
size_t fmt_str_decode(const char *s, size_t len, char *out);

#endif
