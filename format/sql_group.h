/* sql_group.h - a SQL table's rows with the same values in some columns,
 * counted together: what the tables hand SQLite for GROUP BY, DISTINCT and
 * ORDER BY when the query reads no other column (SQLite then has nothing
 * to sort and each group comes as that many equal rows). The rows of every
 * chunk in the window are counted on the threads, by dictionary id within
 * a chunk and then by value; the groups come sorted by their values as
 * SQLite orders them, or in the order they first appear (the order of
 * the time-ordered rows: wall-clock time, file, chunk, position). Also the equality filters the tables apply to rows
 * (sql_filter), which both ways of reading use. Private to the SQL
 * tables. */
#ifndef FMT_SQL_GROUP_H
#define FMT_SQL_GROUP_H

#include "sql_table.h"

#define SQL_MAX_EQ 8
#define SQL_MAX_GROUP 8

/* Rows must have these values (column = value, BINARY collation). */
struct sql_filter {
	int n;
	struct sql_eq {
		int col;
		struct sqlv v; /* text owned by the filter */
	} eq[SQL_MAX_EQ];
};

/* What a filter remembers about the values of one chunk's dictionaries. */
struct sql_memo {
	uint64_t serial; /* the batch it is for */
	uint8_t *known[SQL_MAX_EQ]; /* per id: 0 not yet, 1 matches, 2 does not */
	uint32_t cap[SQL_MAX_EQ];
};

/* @return 1 if row r of stream's table passes f */
int sql_filter_pass(const struct sql_filter *f, int stream, const struct sql_row *r,
		    struct sql_scratch *sc, struct sql_memo *m);
void sql_memo_free(struct sql_memo *m);
void sql_filter_free(struct sql_filter *f);

struct sql_groups;

struct sql_group_query {
	struct fmt_reader *const *readers;
	unsigned nreaders;
	int stream;
	const uint64_t *from, *to; /* the window of each reader */
	int ncols, cols[SQL_MAX_GROUP]; /* the columns that make a group */
	int desc; /* bit k: column k sorts descending */
	int first; /* groups in the order their rows first appear in time instead */
	const struct sql_filter *filter;
	unsigned threads;
};

/* Count the groups. @return 0, or <0 with a message in *err (malloc'd). */
int sql_groups_count(const struct sql_group_query *q, struct sql_groups **out,
		     uint64_t *chunks_read, char **err);
size_t sql_groups_n(const struct sql_groups *g);
/* Group i (in order): its rows, and its values (ncols of them). */
uint64_t sql_groups_rows(const struct sql_groups *g, size_t i);
const struct sqlv *sql_groups_values(const struct sql_groups *g, size_t i);
void sql_groups_free(struct sql_groups *g);

#endif
