/* batch.c - a decoded chunk (struct fmt_batch, chunk_codec.h) as readers
 * see it: its records one at a time (fmt_batch_get, in time order or by
 * storage position), its columns and dictionaries as arrays for columnar
 * aggregation, and its memory. chunk_decode.c fills it. */
#include <stdlib.h>
#include <string.h>

#include "chunk_codec.h"
#include "fmt_text.h"
#include "par.h"

size_t batch_mem(const struct fmt_batch *b)
{
	size_t n = sizeof(*b);

	for (int i = 0; i < MEM_N; i++)
		n += b->mem[i].cap;
	return n;
}

void fmt_batch_free(struct fmt_batch *b)
{
	if (!b)
		return;
	for (int i = 0; i < MEM_N; i++)
		free(b->mem[i].p);
	free(b);
}

enum fmt_stream fmt_batch_stream(const struct fmt_batch *b)
{
	return b->stream;
}

uint32_t fmt_batch_count(const struct fmt_batch *b)
{
	return b->n;
}

uint64_t fmt_batch_ts(const struct fmt_batch *b, uint32_t i)
{
	return b->ts[b->order ? b->order[i] : i];
}

uint32_t fmt_batch_pos(const struct fmt_batch *b, uint32_t i)
{
	return b->order ? b->order[i] : i;
}

void fmt_batch_get(const struct fmt_batch *b, uint32_t i, struct fmt_event *ev)
{
	fmt_batch_get_at(b, fmt_batch_pos(b, i), ev);
}

/* An optional string column's value at j: NULL for 0 or no column. */
static const char *opt_str(const struct fmt_batch *b, const uint32_t *col, uint32_t j)
{
	return col && col[j] ? b->str[col[j] - 1] : NULL;
}

/* An optional 64-bit column's value at j: 0 for no column. */
static uint64_t opt_u64(const uint64_t *col, uint32_t j)
{
	return col ? col[j] : 0;
}

void fmt_batch_get_at(const struct fmt_batch *b, uint32_t j, struct fmt_event *ev)
{
	ev->stream = b->stream;
	if (b->stream == FMT_STREAM_EXEC) {
		const struct fmt_cmd *cmd = &b->cmds[b->cmd[j]];
		ev->exec = (struct fmt_exec){
			.ts_ns = b->ts[j],
			.cgroup_id = b->cgroup[j],
			.pid = b->pid[j],
			.tid = b->tid[j],
			.ppid = b->ppid[j],
			.uid = b->uid[j],
			.gid = b->gid[j],
			.ret = b->ret[j],
			.flags = b->flags[j],
			.argc = cmd->argc,
			.comm = cmd->comm,
			.pcomm = b->str[b->pcomm[j]],
			.filename = cmd->filename,
			.argv = cmd->argv,
			.interp = opt_str(b, b->interp, j),
			.cwd = opt_str(b, b->cwd, j),
			.start_ns = opt_u64(b->start, j),
		};
	} else if (b->stream == FMT_STREAM_EXIT) {
		ev->exit = (struct fmt_exit){
			.ts_ns = b->ts[j],
			.start_ns = b->start[j],
			.pid = b->pid[j],
			.ppid = b->ppid[j],
			.exit_code = b->code[j],
			.signal = b->sig[j],
		};
	} else if (b->stream == FMT_STREAM_PROC) {
		const struct fmt_cmd *cmd = &b->cmds[b->cmd[j]];
		ev->proc = (struct fmt_proc){
			.ts_ns = b->ts[j],
			.start_ns = opt_u64(b->start, j),
			.cgroup_id = b->cgroup[j],
			.pid = b->pid[j],
			.ppid = b->ppid[j],
			.uid = b->uid[j],
			.gid = b->gid[j],
			.flags = b->flags[j],
			.argc = cmd->argc,
			.comm = cmd->comm,
			.exe = cmd->filename,
			.argv = cmd->argv,
			.cwd = opt_str(b, b->cwd, j),
		};
	} else if (b->stream == FMT_STREAM_CGROUP) {
		ev->cgroup = (struct fmt_cgroup){
			.ts_ns = b->ts[j],
			.cgroup_id = b->cgroup[j],
			.kind = b->kind[j],
			.path = b->str[b->path[j]],
		};
	} else {
		ev->flow = (struct fmt_flow){
			.ts_ns = b->ts[j],
			.interval_ns = b->interval[j],
			.packets = b->packets[j],
			.bytes = b->bytes[j],
			.key = b->keys[b->key[j]],
		};
		if (b->owners)
			ev->flow.owner = b->owners[b->key[j]];
	}
}

const uint64_t *fmt_batch_ts_column(const struct fmt_batch *b)
{
	return b->ts;
}

const uint32_t *fmt_batch_exec_cmd_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->ncmd;
	return b->cmd;
}

const int32_t *fmt_batch_exec_rets(const struct fmt_batch *b)
{
	return b->ret;
}

const char *const *fmt_batch_exec_cmd_argv(const struct fmt_batch *b, uint32_t id,
					   uint32_t *argc)
{
	*argc = b->cmds[id].argc;
	return b->cmds[id].argv;
}

const uint32_t *fmt_batch_exec_cmd_arg_ids(const struct fmt_batch *b, uint32_t id,
					   uint32_t *argc)
{
	*argc = b->cmds[id].argc;
	return b->cmds[id].arg_ids;
}

/* Argument i of c: loaded as strings, or only as ids (top --by cmdline). */
static inline const char *cmd_arg(const struct fmt_batch *b, const struct fmt_cmd *c, uint32_t i)
{
	return c->argv ? c->argv[i] : b->str[c->arg_ids[i]];
}

/* fmt_text_join of c's arguments, whichever way they were loaded. */
static size_t join_careful(const struct fmt_batch *b, const struct fmt_cmd *c, char *buf,
			   size_t len)
{
	if (c->argv)
		return fmt_text_join(buf, len, c->argc, c->argv);
	return fmt_text_join_ids(buf, len, c->argc, b->str, c->arg_ids);
}

size_t fmt_batch_exec_cmd_join(const struct fmt_batch *b, uint32_t id, char *buf, size_t len)
{
	const struct fmt_cmd *c = &b->cmds[id];
	size_t n = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Eight bytes at a time up to each argument's NUL: the batch's strings
	 * lie in one arena with STR_SLACK bytes after the last one, so a read
	 * past a NUL stays inside it; the bytes copied past it are
	 * overwritten or past the end of the line. No strlen or memcpy call
	 * per argument (most are shorter than 16 bytes). */
	for (uint32_t i = 0; i < c->argc; i++) {
		const char *s = cmd_arg(b, c, i);
		if (i)
			buf[n++] = ' ';
		for (;;) {
			uint64_t w, zero;
			if (n + 8 >= len) /* a line near len: the careful way */
				return join_careful(b, c, buf, len);
			memcpy(&w, s, 8);
			memcpy(buf + n, &w, 8);
			/* the lowest bit set marks the first NUL byte (the
			 * bits above it may not mean anything) */
			zero = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
			if (zero) {
				n += (size_t)__builtin_ctzll(zero) / 8;
				break;
			}
			s += 8;
			n += 8;
		}
	}
	buf[n] = 0;
	return n;
#else
	(void)n;
	return join_careful(b, c, buf, len);
#endif
}

const uint32_t *fmt_batch_exec_uids(const struct fmt_batch *b)
{
	return b->uid;
}

const uint32_t *fmt_batch_exec_pcomm_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->nstr;
	return b->pcomm;
}

const char *fmt_batch_string(const struct fmt_batch *b, uint32_t id)
{
	return b->str[id];
}

void fmt_batch_exec_cmd_ids_of(const struct fmt_batch *b, uint32_t id, uint32_t *comm,
			       uint32_t *filename)
{
	*comm = b->cmds[id].comm_id;
	*filename = b->cmds[id].file_id;
}

uint32_t fmt_batch_nstrings(const struct fmt_batch *b)
{
	return b->nstr;
}

int fmt_batch_exec_columns(const struct fmt_batch *b, struct fmt_exec_columns *c)
{
	if (b->stream != FMT_STREAM_EXEC || !b->ts || !b->cgroup || !b->pid || !b->tid ||
	    !b->ppid || !b->uid || !b->gid || !b->flags || !b->ret || !b->cmd || !b->pcomm ||
	    !b->cmds || !b->str || (b->ncmd && !b->argv_pool))
		return -1;
	*c = (struct fmt_exec_columns){
		.ts = b->ts, .cgroup_id = b->cgroup, .start_ns = b->start,
		.pid = b->pid, .tid = b->tid, .ppid = b->ppid, .uid = b->uid, .gid = b->gid,
		.flags = b->flags, .ret = b->ret, .cmd = b->cmd, .pcomm = b->pcomm,
		.interp = b->interp, .cwd = b->cwd,
	};
	return 0;
}

uint64_t fmt_batch_serial(const struct fmt_batch *b)
{
	return b->serial;
}

const uint64_t *fmt_batch_flow_intervals(const struct fmt_batch *b)
{
	return b->interval;
}

const uint32_t *fmt_batch_flow_key_ids(const struct fmt_batch *b, uint32_t *ndict)
{
	*ndict = b->nkeys;
	return b->key;
}

const uint64_t *fmt_batch_flow_packets(const struct fmt_batch *b)
{
	return b->packets;
}

const uint64_t *fmt_batch_flow_bytes(const struct fmt_batch *b)
{
	return b->bytes;
}

const struct fmt_flow_key *fmt_batch_flow_key(const struct fmt_batch *b, uint32_t id)
{
	return &b->keys[id];
}

const struct fmt_owner *fmt_batch_flow_owner(const struct fmt_batch *b, uint32_t id)
{
	static const struct fmt_owner none;

	return b->owners ? &b->owners[id] : &none;
}
