/* cmd_sql.c - `ebpfreport sql FILE... "SELECT ..."`: SQL over the
 * compressed sessions (tables exec, exit, flow, meta; see docs/FORMAT.md),
 * printed as an aligned table, --json (an array of objects per statement)
 * or --csv. --stats tells how many chunks the query decompressed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "out.h"
#include "report.h"
#include "options.h"

#define MAX_CELL 200 /* table cells are cut here (JSON and CSV are whole) */

struct table {
	struct report *r;
	int ncol;
	char **cells; /* rows * ncol, the header first */
	size_t rows, cap;
	unsigned stmt; /* the statement being printed */
	int started;
	int rows_in_stmt; /* JSON: no comma before the first */
	struct json j;
	int oom;
};

static char *cell_text(const struct fmt_sql_value *v)
{
	char buf[64];

	switch (v->type) {
	case FMT_SQL_NULL:
		return strdup("NULL");
	case FMT_SQL_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, v->i);
		return strdup(buf);
	case FMT_SQL_REAL:
		snprintf(buf, sizeof(buf), "%.15g", v->d);
		return strdup(buf);
	case FMT_SQL_BLOB:
		snprintf(buf, sizeof(buf), "<blob %zu bytes>", v->len);
		return strdup(buf);
	default:
		return strndup(v->s, v->len);
	}
}

static void json_value(struct json *j, const struct fmt_sql_value *v)
{
	char *s;

	switch (v->type) {
	case FMT_SQL_NULL:
		json_null(j);
		break;
	case FMT_SQL_INT:
		json_i64(j, v->i);
		break;
	case FMT_SQL_REAL:
		json_double(j, v->d);
		break;
	default:
		s = cell_text(v);
		json_str(j, s ? s : "");
		free(s);
	}
}

/* Print the buffered table of the statement that just ended. */
static void flush_table(struct table *t)
{
	size_t *w = calloc((size_t)t->ncol, sizeof(*w));

	if (!w || !t->rows) {
		free(w);
		return;
	}
	for (size_t r = 0; r < t->rows; r++)
		for (int c = 0; c < t->ncol; c++) {
			size_t n = strlen(t->cells[r * (size_t)t->ncol + (size_t)c]);
			n = n > MAX_CELL ? MAX_CELL : n;
			w[c] = n > w[c] ? n : w[c];
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (int c = 0; c < t->ncol; c++) {
			char *s = t->cells[r * (size_t)t->ncol + (size_t)c];
			printf("%s%-*.*s", c ? "  " : "", c == t->ncol - 1 ? 0 : (int)w[c], MAX_CELL, s);
			free(s);
		}
		putchar('\n');
	}
	t->rows = 0;
	free(w);
}

static int add_row(struct table *t, int ncol, char **cells)
{
	if ((t->rows + 1) * (size_t)ncol > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		while (cap < (t->rows + 1) * (size_t)ncol)
			cap *= 2;
		char **p = realloc(t->cells, cap * sizeof(*p));
		if (!p)
			return -1;
		t->cells = p;
		t->cap = cap;
	}
	memcpy(t->cells + t->rows * (size_t)ncol, cells, (size_t)ncol * sizeof(*cells));
	t->rows++;
	return 0;
}

static void begin_statement(struct table *t, unsigned stmt, int ncol, const char *const *names)
{
	struct report *r = t->r;

	if (t->started && r->out == OUT_TABLE) {
		flush_table(t);
		putchar('\n');
	}
	if (t->started && r->out == OUT_JSON)
		fputs("]\n", stdout);
	if (t->started && r->out == OUT_CSV)
		putchar('\n');
	t->started = 1;
	t->stmt = stmt;
	t->ncol = ncol;
	if (r->out == OUT_JSON) {
		fputs("[", stdout);
	} else if (r->out == OUT_CSV) {
		for (int c = 0; c < ncol; c++) {
			if (c)
				putchar(',');
			out_csv_field(stdout, names[c]);
		}
		putchar('\n');
	} else {
		char **head = calloc((size_t)ncol, sizeof(*head));
		for (int c = 0; head && c < ncol; c++)
			head[c] = strdup(names[c]);
		if (!head || add_row(t, ncol, head))
			t->oom = 1;
		free(head);
	}
}

static int row(void *ctx, unsigned stmt, int ncol, const char *const *names,
	       const struct fmt_sql_value *v)
{
	struct table *t = ctx;
	struct report *r = t->r;

	if (!t->started || stmt != t->stmt) {
		begin_statement(t, stmt, ncol, names);
		t->rows_in_stmt = 0;
	}
	if (r->out == OUT_JSON) {
		json_begin_object(&t->j);
		for (int c = 0; c < ncol; c++) {
			json_key(&t->j, names[c]);
			json_value(&t->j, &v[c]);
		}
		json_end_object(&t->j);
		fputs(t->rows_in_stmt ? ",\n" : "\n", stdout);
		json_flush(&t->j, stdout);
	} else if (r->out == OUT_CSV) {
		for (int c = 0; c < ncol; c++) {
			char *s = v[c].type == FMT_SQL_NULL ? strdup("") : cell_text(&v[c]);
			if (c)
				putchar(',');
			out_csv_field(stdout, s ? s : "");
			free(s);
		}
		putchar('\n');
	} else {
		char **cells = calloc((size_t)ncol, sizeof(*cells));
		for (int c = 0; cells && c < ncol; c++)
			cells[c] = cell_text(&v[c]);
		if (!cells || add_row(t, ncol, cells))
			t->oom = 1;
		free(cells);
	}
	t->rows_in_stmt++;
	return t->oom || ferror(stdout);
}

static int run(struct report *r)
{
	struct table t = { .r = r };
	struct fmt_sql *s;
	char *err = NULL;
	const char *query;
	int rc;

	query = r->query;
	if (fmt_sql_open(r->readers, r->nfiles, &s, &err)) {
		report_err("sql: %s", err ? err : "cannot start SQLite");
		free(err);
		return 1;
	}
	fmt_sql_set_threads(s, r->threads);
	rc = fmt_sql_query(s, query, row, &t, &err);
	if (r->out == OUT_TABLE)
		flush_table(&t);
	else if (r->out == OUT_JSON && t.started)
		fputs("]\n", stdout);
	if (rc) {
		report_err("sql: %s", err ? err : "query failed");
		rc = 1;
	} else if (t.oom) {
		report_err("out of memory");
		rc = 1;
	}
	if (r->stats)
		fprintf(stderr, "ebpfreport: %" PRIu64 " chunks decoded\n", fmt_sql_chunks_decoded(s));
	free(err);
	free(t.cells);
	json_free(&t.j);
	fmt_sql_close(s);
	return rc;
}

const struct report_cmd cmd_sql = {
	.name = "sql",
	.args = "FILE... \"SQL\"",
	.summary = "SQL over the sessions: tables exec, exit, flow and meta",
	.opts = OPT(JSON) | OPT(CSV) | OPT(STATS),
	.run = run,
	.takes_query = true,
};
