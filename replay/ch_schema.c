/* ch_schema.c - see ch_schema.h. The stream tables are made from the
 * export schema's column table, so ClickHouse has the columns jsonl, csv
 * and the plain database have, with the types listed in fmt_row.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_schema.h"
#include "fmt_records.h"

static const char sessions_cols[] =
	"session_id FixedString(32), host String, file String, fingerprint String, boot_id String,"
	" kernel_release String, tool_version String, format_version String,"
	" start_ns UInt64, end_ns UInt64, start_wall_ns UInt64, end_wall_ns UInt64,"
	" start_time DateTime, end_time DateTime, clock_offset_ns Int64, closed_clean UInt8,"
	" records_exec UInt64, records_exit UInt64, records_flow UInt64, records_proc UInt64,"
	" records_cgroup UInt64, lost_ringbuf UInt64, lost_queue UInt64,"
	" lost_flow_overflow UInt64, argv_truncated UInt64, failed_execs UInt64, lost_ring UInt64,"
	" lost_owners UInt64, lost_cgroups UInt64, cgroup_walk_errors UInt64, procs_unnamed UInt64,"
	" pushed_time DateTime, pushed_by String";

size_t ch_schema_type(char *buf, size_t len, const struct fmt_column *c)
{
	static const char *const base[] = {
		[FMT_COL_U8] = "UInt8",	   [FMT_COL_U16] = "UInt16",	 [FMT_COL_U32] = "UInt32",
		[FMT_COL_U64] = "UInt64",  [FMT_COL_I32] = "Int32",	 [FMT_COL_BOOL] = "UInt8",
		[FMT_COL_TIME] = "DateTime", [FMT_COL_STR] = "String",
		[FMT_COL_STRS] = "Array(String)", [FMT_COL_ADDR] = "FixedString(16)",
	};
	char t[256];
	size_t o;

	if (c->type == FMT_COL_ENUM) {
		o = (size_t)snprintf(t, sizeof(t), "Enum8(");
		for (unsigned i = 0; i < c->nnames && o < sizeof(t); i++)
			o += (size_t)snprintf(t + o, sizeof(t) - o, "%s'%s' = %u", i ? ", " : "",
					      c->names[i], i);
		if (o < sizeof(t))
			snprintf(t + o, sizeof(t) - o, ")");
	} else {
		snprintf(t, sizeof(t), "%s", base[c->type]);
	}
	return (size_t)snprintf(buf, len, c->nullable ? "Nullable(%s)" : "%s", t);
}

static char *stream_ddl(const char *db, enum fmt_stream s)
{
	unsigned n;
	const struct fmt_column *c = fmt_row_columns(s, &n);
	size_t len = 4096, o;
	char *buf = malloc(len);

	if (!buf)
		return NULL;
	o = (size_t)snprintf(buf, len, "CREATE TABLE IF NOT EXISTS %s.%s (session_id FixedString(32), host String",
			     db, fmt_stream_name(s));
	for (unsigned i = 0; i < n && o < len; i++) {
		o += (size_t)snprintf(buf + o, len - o, ", %s ", c[i].name);
		if (o < len)
			o += ch_schema_type(buf + o, len - o, &c[i]);
	}
	if (o < len)
		snprintf(buf + o, len - o,
			 ") ENGINE = MergeTree PARTITION BY toYYYYMMDD(time) ORDER BY (host, wall_ns)");
	return buf;
}

char **ch_schema_ddl(const char *db, size_t *n)
{
	char **v = calloc(FMT_STREAM_MAX + 3, sizeof(*v));
	size_t k = 0, len = 2048;
	int ok = v != NULL;

	if (ok && (v[k] = malloc(len)))
		snprintf(v[k++], len,
			 "CREATE TABLE IF NOT EXISTS %s.schema_version (version UInt32) ENGINE = TinyLog",
			 db);
	for (int s = 1; ok && s <= FMT_STREAM_MAX; s++)
		ok = (v[k++] = stream_ddl(db, (enum fmt_stream)s)) != NULL;
	if (ok && (v[k] = malloc(len)))
		snprintf(v[k++], len,
			 "CREATE TABLE IF NOT EXISTS %s.sessions (%s) ENGINE = MergeTree"
			 " PARTITION BY toYYYYMM(start_time) ORDER BY (host, start_wall_ns)",
			 db, sessions_cols);
	if (!ok || k != FMT_STREAM_MAX + 2) {
		ch_schema_free(v, k);
		*n = 0;
		return NULL;
	}
	*n = k;
	return v;
}

void ch_schema_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

char *ch_schema_insert(char *buf, size_t len, const char *db, enum fmt_stream s)
{
	snprintf(buf, len, "INSERT INTO %s.%s FORMAT Native", db, fmt_stream_name(s));
	return buf;
}

char *ch_schema_insert_session(char *buf, size_t len, const char *db)
{
	snprintf(buf, len, "INSERT INTO %s.sessions FORMAT RowBinary", db);
	return buf;
}

/* ---- the sessions row, in RowBinary ---------------------------------- */

void ch_session_row(struct obuf *o, const struct ch_session *s)
{
	uint64_t sw = (uint64_t)((int64_t)s->start_ns + s->clock_offset_ns);
	uint64_t ew = (uint64_t)((int64_t)s->end_ns + s->clock_offset_ns);
	const char *strs[] = { s->host,		  s->file,	     s->fingerprint,
			       s->boot_id,	  s->kernel_release, s->tool_version,
			       s->format_version };

	obuf_put(o, s->session_id, CH_SESSION_ID_LEN); /* FixedString */
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		obuf_lstr(o, strs[i] ? strs[i] : "", strs[i] ? strlen(strs[i]) : 0);
	obuf_le(o, s->start_ns, 8);
	obuf_le(o, s->end_ns, 8);
	obuf_le(o, sw, 8);
	obuf_le(o, ew, 8);
	obuf_le(o, sw / 1000000000u, 4);
	obuf_le(o, ew / 1000000000u, 4);
	obuf_le(o, (uint64_t)s->clock_offset_ns, 8);
	obuf_le(o, (uint64_t)!!s->closed_clean, 1);
	for (int k = FMT_STREAM_EXEC; k <= FMT_STREAM_CGROUP; k++)
		obuf_le(o, s->records[k], 8);
	obuf_le(o, s->lost_ringbuf, 8);
	obuf_le(o, s->lost_queue, 8);
	obuf_le(o, s->lost_flow_overflow, 8);
	obuf_le(o, s->argv_truncated, 8);
	obuf_le(o, s->failed_execs, 8);
	obuf_le(o, s->lost_ring, 8);
	obuf_le(o, s->lost_owners, 8);
	obuf_le(o, s->lost_cgroups, 8);
	obuf_le(o, s->cgroup_walk_errors, 8);
	obuf_le(o, s->procs_unnamed, 8);
	obuf_le(o, s->pushed_s, 4);
	obuf_lstr(o, "ebpfreport " EBPFREC_VERSION, strlen("ebpfreport " EBPFREC_VERSION));
}
