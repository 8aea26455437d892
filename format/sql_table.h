/* sql_table.h - the columns of the SQL tables (exec, exit, flow, proc,
 * cgroup; docs/FORMAT.md section 4a) read straight from a decoded batch:
 * each column's name and type, the chunk columns it needs decoded, its
 * value for a record, and for columns that come from a chunk's dictionary
 * (command lines, strings, flow keys) the id its value depends on, so that
 * work on a value can be done once per id and chunk. Private to the SQL
 * tables (sql_vtab.c, sql_group.c). */
#ifndef FMT_SQL_TABLE_H
#define FMT_SQL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"
#include "json.h"

enum { SQL_C_TS, SQL_C_WALL, SQL_C_SOURCE }; /* the first columns of every stream table */
#define SQL_MAX_COLS 24

enum sqlv_type { SQLV_NULL, SQLV_INT, SQLV_TEXT };

/* A value as SQLite would get it. Text points into the batch or scratch. */
struct sqlv {
	enum sqlv_type type;
	int64_t i;
	const char *s;
	size_t len;
};

/* A record: storage position j of batch b, from file src of clock offset off. */
struct sql_row {
	const struct fmt_batch *b;
	uint32_t j;
	unsigned src;
	int64_t off;
};

struct sql_column {
	const char *name;
	const char *type; /* "INTEGER" or "TEXT" */
	uint64_t cols; /* FMT_COL_* it needs */
};

/* @return the columns of stream's table (*n of them), NULL for none */
const struct sql_column *sql_columns(int stream, int *n);
/* @return "CREATE TABLE x(...)" for stream's table (0: meta), static */
const char *sql_declaration(int stream);
/* The chunk columns to decode for the table columns in used (bit i:
 * column i; bit 63: columns 63 and up, as SQLite's colUsed). */
uint64_t sql_cols_needed(int stream, uint64_t used);

/* Where values that are not in the batch are built. */
struct sql_scratch {
	struct json j; /* argv as JSON */
	char addr[64]; /* an address as text */
};

/* The value of column col of stream's table for row r. Text may be built in
 * scratch (argv, addresses): valid until scratch is used again. */
void sql_value(int stream, int col, const struct sql_row *r, struct sql_scratch *scratch,
	       struct sqlv *v);

/* Dictionary-backed columns: the id of r's value in its chunk (equal ids,
 * equal values) and how many ids the chunk has; -1 for a column whose
 * value is the record's own. */
int64_t sql_dict_id(int stream, int col, const struct sql_row *r, uint32_t *count);

/* Where sql_dict_id takes a column's id from (0: nowhere, the column has
 * none): columns of one source have the same id for a record. */
int sql_dict_source(int stream, int col);

/* SQLite's order of two values of one column (NULL first, integers by
 * value, text by bytes). @return <0, 0 or >0 */
int sqlv_cmp(const struct sqlv *a, const struct sqlv *b);

#endif
