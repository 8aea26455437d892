/* sql_rows.h - a SQL table's rows grouped by some columns, each row kept
 * with the values of the other columns the query reads: what the tables
 * hand SQLite for a GROUP BY (or ORDER BY) whose query reads more than its
 * group columns (SELECT src, sum(packets) FROM flow GROUP BY src), so that
 * SQLite sorts nothing. Rows come from the time-ordered iterator (chunks
 * decoded ahead on the threads) and keep that order within their group;
 * groups come in the order SQLite's sorter would give them. Only used
 * when the rows fit in SQL_ROWS_LIMIT bytes (the tables check first).
 * Private to the SQL tables. */
#ifndef FMT_SQL_ROWS_H
#define FMT_SQL_ROWS_H

#include "sql_group.h"

#define SQL_MAX_VALS 16
#define SQL_ROWS_LIMIT (256u << 20)
/* What a row costs here: per value 8 bytes and a type byte. */
#define SQL_ROWS_BYTES(nvals) ((uint64_t)(nvals) * 9 + 1)

struct sql_rows;

struct sql_rows_pos {
	const void *block;
	uint32_t at;
};

/* The rows of q's table, grouped by q->cols, with the values of
 * vals[nvals]. @return 0, or <0 with a message in *err (malloc'd). */
int sql_rows_collect(const struct sql_group_query *q, int nvals, const int *vals,
		     struct sql_rows **out, uint64_t *chunks_read, char **err);
size_t sql_rows_groups(const struct sql_rows *r);
/* Group i (in order): its values (q->ncols of them), its first row. */
const struct sqlv *sql_rows_group_values(const struct sql_rows *r, size_t i);
void sql_rows_first(const struct sql_rows *r, size_t i, struct sql_rows_pos *p);
/* The next row of the group. @return 0 at its end. */
int sql_rows_next(const struct sql_rows *r, struct sql_rows_pos *p);
/* Value k (of vals) of the row at p. */
void sql_rows_value(const struct sql_rows *r, const struct sql_rows_pos *p, int k,
		    struct sqlv *v);
void sql_rows_free(struct sql_rows *r);

#endif
