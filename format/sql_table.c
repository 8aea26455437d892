/* sql_table.c - see sql_table.h. One table of columns per stream; the
 * values are what the tables have always shown (docs/FORMAT.md 4a): NULL
 * for what was not recorded (start_ns 0, no owner), flags as 0/1, flow
 * directions and cgroup kinds as words, addresses as text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "chunk_codec.h"
#include "sql_table.h"

#define I "INTEGER"
#define T "TEXT"
#define NONE 0
#define CMD FMT_COL_CMD
#define KEY FMT_COL_FLOW_KEY

static const struct sql_column exec_cols[] = {
	{ "ts_ns", I, NONE }, { "wall_ns", I, NONE }, { "source", I, NONE },
	{ "pid", I, FMT_COL_PID }, { "tid", I, FMT_COL_TID }, { "ppid", I, FMT_COL_PPID },
	{ "uid", I, FMT_COL_UID }, { "gid", I, FMT_COL_GID }, { "cgroup_id", I, FMT_COL_CGROUP },
	{ "comm", T, CMD }, { "pcomm", T, FMT_COL_PCOMM }, { "filename", T, CMD },
	{ "argc", I, CMD }, { "argv", T, CMD | FMT_COL_ARGV },
	{ "argv_truncated", I, FMT_COL_FLAGS }, { "ret", I, FMT_COL_RET },
	{ "interp", T, FMT_COL_INTERP }, { "cwd", T, FMT_COL_CWD },
	{ "cwd_truncated", I, FMT_COL_FLAGS }, { "start_ns", I, FMT_COL_START },
};
static const struct sql_column exit_cols[] = {
	{ "ts_ns", I, NONE }, { "wall_ns", I, NONE }, { "source", I, NONE },
	{ "pid", I, FMT_COL_PID }, { "ppid", I, FMT_COL_PPID },
	{ "exit_code", I, FMT_COL_EXIT_CODE }, { "signal", I, FMT_COL_SIGNAL },
	{ "start_ns", I, FMT_COL_LIFETIME },
};
static const struct sql_column flow_cols[] = {
	{ "ts_ns", I, NONE }, { "wall_ns", I, NONE }, { "source", I, NONE },
	{ "interval_ns", I, FMT_COL_INTERVAL }, { "ifindex", I, KEY }, { "dir", T, KEY },
	{ "family", I, KEY }, { "proto", I, KEY }, { "src", T, KEY }, { "sport", I, KEY },
	{ "dst", T, KEY }, { "dport", I, KEY }, { "packets", I, FMT_COL_PACKETS },
	{ "bytes", I, FMT_COL_BYTES }, { "owner_pid", I, KEY }, { "owner_start_ns", I, KEY },
	{ "owner_cgroup_id", I, KEY },
};
static const struct sql_column proc_cols[] = {
	{ "ts_ns", I, NONE }, { "wall_ns", I, NONE }, { "source", I, NONE },
	{ "pid", I, FMT_COL_PID }, { "ppid", I, FMT_COL_PPID }, { "uid", I, FMT_COL_UID },
	{ "gid", I, FMT_COL_GID }, { "cgroup_id", I, FMT_COL_CGROUP },
	{ "start_ns", I, FMT_COL_START }, { "comm", T, CMD }, { "exe", T, CMD },
	{ "argc", I, CMD }, { "argv", T, CMD | FMT_COL_ARGV },
	{ "argv_truncated", I, FMT_COL_FLAGS }, { "cwd", T, FMT_COL_CWD },
	{ "cwd_truncated", I, FMT_COL_FLAGS }, { "kthread", I, FMT_COL_FLAGS },
};
static const struct sql_column cgroup_cols[] = {
	{ "ts_ns", I, NONE }, { "wall_ns", I, NONE }, { "source", I, NONE },
	{ "cgroup_id", I, FMT_COL_CGROUP }, { "kind", T, FMT_COL_CGROUP_KIND },
	{ "path", T, FMT_COL_PATH },
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

const struct sql_column *sql_columns(int stream, int *n)
{
	switch (stream) {
	case FMT_STREAM_EXEC:
		return *n = N(exec_cols), exec_cols;
	case FMT_STREAM_EXIT:
		return *n = N(exit_cols), exit_cols;
	case FMT_STREAM_FLOW:
		return *n = N(flow_cols), flow_cols;
	case FMT_STREAM_PROC:
		return *n = N(proc_cols), proc_cols;
	case FMT_STREAM_CGROUP:
		return *n = N(cgroup_cols), cgroup_cols;
	}
	*n = 0;
	return NULL;
}

const char *sql_declaration(int stream)
{
	static char decl[FMT_STREAM_MAX + 1][1024];
	static const char meta[] = "CREATE TABLE x(source INTEGER, key TEXT, value TEXT)";
	const struct sql_column *c;
	int n;
	size_t k;

	if (stream < 1 || stream > FMT_STREAM_MAX)
		return meta;
	if (decl[stream][0]) /* made once; the same text every time */
		return decl[stream];
	c = sql_columns(stream, &n);
	k = (size_t)snprintf(decl[stream], sizeof(decl[0]), "CREATE TABLE x(");
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(decl[stream] + k, sizeof(decl[0]) - k, "%s%s %s", i ? ", " : "",
				      c[i].name, c[i].type);
	snprintf(decl[stream] + k, sizeof(decl[0]) - k, ")");
	return decl[stream];
}

uint64_t sql_cols_needed(int stream, uint64_t used)
{
	const struct sql_column *c;
	uint64_t cols = 0;
	int n;

	c = sql_columns(stream, &n);
	for (int i = 0; i < n; i++)
		if (used >> (i < 63 ? i : 63) & 1)
			cols |= c[i].cols;
	return cols;
}

static void v_int(struct sqlv *v, int64_t i)
{
	*v = (struct sqlv){ .type = SQLV_INT, .i = i };
}

/* NULL for 0 (not recorded) */
static void v_opt(struct sqlv *v, uint64_t i)
{
	if (i)
		v_int(v, (int64_t)i);
	else
		*v = (struct sqlv){ .type = SQLV_NULL };
}

static void v_text(struct sqlv *v, const char *s)
{
	if (s)
		*v = (struct sqlv){ .type = SQLV_TEXT, .s = s, .len = strlen(s) };
	else
		*v = (struct sqlv){ .type = SQLV_NULL };
}

static void v_argv(struct sqlv *v, const struct fmt_cmd *cmd, struct sql_scratch *scratch)
{
	json_reset(&scratch->j);
	json_str_array(&scratch->j, cmd->argv, cmd->argc);
	if (scratch->j.oom)
		*v = (struct sqlv){ .type = SQLV_NULL };
	else
		*v = (struct sqlv){ .type = SQLV_TEXT, .s = scratch->j.buf, .len = scratch->j.len };
}

/* An address as text (in scratch), NULL for the buckets that have none. */
static void v_addr(struct sqlv *v, const struct fmt_flow_key *k, const uint8_t *a,
		   struct sql_scratch *scratch)
{
	if (k->family != FMT_FAMILY_IPV4 && k->family != FMT_FAMILY_IPV6) {
		*v = (struct sqlv){ .type = SQLV_NULL };
		return;
	}
	inet_ntop(k->family == FMT_FAMILY_IPV4 ? AF_INET : AF_INET6, a, scratch->addr,
		  sizeof(scratch->addr));
	v_text(v, scratch->addr);
}

static const char *opt_str(const struct fmt_batch *b, const uint32_t *col, uint32_t j)
{
	return col && col[j] ? b->str[col[j] - 1] : NULL;
}

static void exec_value(int col, const struct sql_row *r, struct sql_scratch *scratch,
			 struct sqlv *v)
{
	const struct fmt_batch *b = r->b;
	uint32_t j = r->j;

	switch (col) {
	case 3: return v_int(v, b->pid[j]);
	case 4: return v_int(v, b->tid[j]);
	case 5: return v_int(v, b->ppid[j]);
	case 6: return v_int(v, b->uid[j]);
	case 7: return v_int(v, b->gid[j]);
	case 8: return v_int(v, (int64_t)b->cgroup[j]);
	case 9: return v_text(v, b->cmds[b->cmd[j]].comm);
	case 10: return v_text(v, b->str[b->pcomm[j]]);
	case 11: return v_text(v, b->cmds[b->cmd[j]].filename);
	case 12: return v_int(v, b->cmds[b->cmd[j]].argc);
	case 13: return v_argv(v, &b->cmds[b->cmd[j]], scratch);
	case 14: return v_int(v, !!(b->flags[j] & FMT_EXEC_ARGV_TRUNCATED));
	case 15: return v_int(v, b->ret[j]);
	case 16: return v_text(v, opt_str(b, b->interp, j));
	case 17: return v_text(v, opt_str(b, b->cwd, j));
	case 18: return v_int(v, !!(b->flags[j] & FMT_EXEC_CWD_TRUNCATED));
	case 19: return v_opt(v, b->start ? b->start[j] : 0);
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

static void exit_value(int col, const struct sql_row *r, struct sqlv *v)
{
	const struct fmt_batch *b = r->b;
	uint32_t j = r->j;

	switch (col) {
	case 3: return v_int(v, b->pid[j]);
	case 4: return v_int(v, b->ppid[j]);
	case 5: return v_int(v, b->code[j]);
	case 6: return v_int(v, b->sig[j]);
	case 7: return v_int(v, (int64_t)b->start[j]);
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

static void flow_value(int col, const struct sql_row *r, struct sql_scratch *scratch,
			 struct sqlv *v)
{
	const struct fmt_batch *b = r->b;
	uint32_t j = r->j;
	const struct fmt_flow_key *k = col >= 4 && col != 12 && col != 13 ? &b->keys[b->key[j]] : NULL;
	const struct fmt_owner *o = b->owners && k ? &b->owners[b->key[j]] : NULL;

	switch (col) {
	case 3: return v_int(v, (int64_t)b->interval[j]);
	case 4: return v_int(v, k->ifindex);
	case 5: return v_text(v, k->dir == FMT_DIR_EGRESS ? "egress" : "ingress");
	case 6: return v_int(v, k->family);
	case 7: return v_int(v, k->proto);
	case 8: return v_addr(v, k, k->src, scratch);
	case 9: return v_int(v, k->sport);
	case 10: return v_addr(v, k, k->dst, scratch);
	case 11: return v_int(v, k->dport);
	case 12: return v_int(v, (int64_t)b->packets[j]);
	case 13: return v_int(v, (int64_t)b->bytes[j]);
	case 14: return v_opt(v, o ? o->pid : 0);
	case 15: return v_opt(v, o && o->pid ? o->start_ns : 0);
	case 16: return v_opt(v, o && o->pid ? o->cgroup_id : 0);
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

static void proc_value(int col, const struct sql_row *r, struct sql_scratch *scratch,
			 struct sqlv *v)
{
	const struct fmt_batch *b = r->b;
	uint32_t j = r->j;

	switch (col) {
	case 3: return v_int(v, b->pid[j]);
	case 4: return v_int(v, b->ppid[j]);
	case 5: return v_int(v, b->uid[j]);
	case 6: return v_int(v, b->gid[j]);
	case 7: return v_int(v, (int64_t)b->cgroup[j]);
	case 8: return v_opt(v, b->start ? b->start[j] : 0);
	case 9: return v_text(v, b->cmds[b->cmd[j]].comm);
	case 10: return v_text(v, b->cmds[b->cmd[j]].filename);
	case 11: return v_int(v, b->cmds[b->cmd[j]].argc);
	case 12: return v_argv(v, &b->cmds[b->cmd[j]], scratch);
	case 13: return v_int(v, !!(b->flags[j] & FMT_EXEC_ARGV_TRUNCATED));
	case 14: return v_text(v, opt_str(b, b->cwd, j));
	case 15: return v_int(v, !!(b->flags[j] & FMT_EXEC_CWD_TRUNCATED));
	case 16: return v_int(v, !!(b->flags[j] & FMT_PROC_KTHREAD));
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

static void cgroup_value(int col, const struct sql_row *r, struct sqlv *v)
{
	static const char *const kinds[] = { "present", "created", "removed" };
	const struct fmt_batch *b = r->b;
	uint32_t j = r->j;

	switch (col) {
	case 3: return v_int(v, (int64_t)b->cgroup[j]);
	case 4: return v_text(v, b->kind[j] < 3 ? kinds[b->kind[j]] : "?");
	case 5: return v_text(v, b->str[b->path[j]]);
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

void sql_value(int stream, int col, const struct sql_row *r, struct sql_scratch *scratch,
	       struct sqlv *v)
{
	uint64_t ts = r->b->ts[r->j];

	switch (col) {
	case SQL_C_TS:
		return v_int(v, (int64_t)ts);
	case SQL_C_WALL:
		return v_int(v, (int64_t)ts + r->off);
	case SQL_C_SOURCE:
		return v_int(v, r->src);
	}
	switch (stream) {
	case FMT_STREAM_EXEC:
		return exec_value(col, r, scratch, v);
	case FMT_STREAM_EXIT:
		return exit_value(col, r, v);
	case FMT_STREAM_FLOW:
		return flow_value(col, r, scratch, v);
	case FMT_STREAM_PROC:
		return proc_value(col, r, scratch, v);
	case FMT_STREAM_CGROUP:
		return cgroup_value(col, r, v);
	}
	*v = (struct sqlv){ .type = SQLV_NULL };
}

int64_t sql_dict_id(int stream, int col, const struct sql_row *r, uint32_t *count)
{
	const struct fmt_batch *b = r->b;
	const uint32_t *opt = NULL;

	switch (stream) {
	case FMT_STREAM_EXEC:
		if (col == 9) /* comm and filename: strings of the command line */
			return *count = b->nstr, b->cmds[b->cmd[r->j]].comm_id;
		if (col == 11)
			return *count = b->nstr, b->cmds[b->cmd[r->j]].file_id;
		if (col == 12 || col == 13)
			return *count = b->ncmd, b->cmd[r->j];
		if (col == 10)
			return *count = b->nstr, b->pcomm[r->j];
		if (col == 16 || col == 17) {
			opt = col == 16 ? b->interp : b->cwd;
			return *count = b->nstr + 1, opt ? opt[r->j] : 0;
		}
		break;
	case FMT_STREAM_PROC:
		if (col == 9)
			return *count = b->nstr, b->cmds[b->cmd[r->j]].comm_id;
		if (col == 10)
			return *count = b->nstr, b->cmds[b->cmd[r->j]].file_id;
		if (col == 11 || col == 12)
			return *count = b->ncmd, b->cmd[r->j];
		if (col == 14)
			return *count = b->nstr + 1, b->cwd ? b->cwd[r->j] : 0;
		break;
	case FMT_STREAM_FLOW:
		if (col >= 4 && col != 12 && col != 13)
			return *count = b->nkeys, b->key[r->j];
		break;
	case FMT_STREAM_CGROUP:
		if (col == 5)
			return *count = b->nstr, b->path[r->j];
		break;
	}
	return -1;
}

int sql_dict_source(int stream, int col)
{
	enum { D_NONE, D_CMD, D_COMM, D_FILE, D_PCOMM, D_INTERP, D_CWD, D_KEY, D_PATH };

	switch (stream) {
	case FMT_STREAM_EXEC:
		return col == 9 ? D_COMM : col == 11 ? D_FILE : col == 12 || col == 13 ? D_CMD :
		       col == 10 ? D_PCOMM : col == 16 ? D_INTERP : col == 17 ? D_CWD : D_NONE;
	case FMT_STREAM_PROC:
		return col == 9 ? D_COMM : col == 10 ? D_FILE : col == 11 || col == 12 ? D_CMD :
		       col == 14 ? D_CWD : D_NONE;
	case FMT_STREAM_FLOW:
		return col >= 4 && col != 12 && col != 13 ? D_KEY : D_NONE;
	case FMT_STREAM_CGROUP:
		return col == 5 ? D_PATH : D_NONE;
	}
	return D_NONE;
}

int sqlv_cmp(const struct sqlv *a, const struct sqlv *b)
{
	int c;

	if (a->type != b->type) /* NULL, then numbers, then text */
		return a->type < b->type ? -1 : 1;
	if (a->type == SQLV_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->type == SQLV_NULL)
		return 0;
	c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}
