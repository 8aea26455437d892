/* fuzz_chunk.c - libFuzzer target: the chunk decoder on any payload.
 * Input: one byte (bits 0-2: the stream, mod 5; bits 3-7: which columns
 * to decode, 0 for all), record count (4 bytes LE, bounded by the
 * reader's limit), then the uncompressed payload, as a chunk row would
 * hand them to chunk_decode after its checksum and size checks. Every
 * decoded record is read back field by field; a decode of some columns
 * (what the SQL tables do; FMT_COL_NO_TS among them, as summary and top
 * ask) has each of its arrays read. */
#include <string.h>

#include "chunk_codec.h"
#include "fuzz.h"

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Read every value of every array a part decode filled. */
static void touch_columns(const struct fmt_batch *b)
{
	const uint32_t *c32[] = { b->pid, b->ppid, b->uid, b->gid, b->flags, b->cmd, b->cwd,
				  b->tid, b->pcomm, b->interp, (const uint32_t *)b->ret, b->code,
				  b->sig, b->kind, b->path, b->key };
	const uint64_t *c64[] = { b->cgroup, b->start, b->interval, b->packets, b->bytes };
	volatile uint64_t sink = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		sink += b->ts ? b->ts[i] : 0; /* none with FMT_COL_NO_TS */
		for (size_t k = 0; k < sizeof(c32) / sizeof(c32[0]); k++)
			sink += c32[k] ? c32[k][i] : 0;
		for (size_t k = 0; k < sizeof(c64) / sizeof(c64[0]); k++)
			sink += c64[k] ? c64[k][i] : 0;
	}
	for (uint32_t c = 0; b->cmds && c < b->ncmd; c++) {
		sink += touch(b->cmds[c].comm) + touch(b->cmds[c].filename);
		for (uint32_t a = 0; b->cmds[c].argv && a < b->cmds[c].argc; a++)
			sink += touch(b->cmds[c].argv[a]);
	}
	for (uint32_t i = 0; b->pcomm && i < b->n; i++)
		sink += touch(b->str[b->pcomm[i]]);
	for (uint32_t i = 0; b->key && i < b->n; i++)
		sink += b->keys[b->key[i]].src[15];
	(void)sink;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	static struct fmt_batch *b; /* reused across inputs, as the reader does */
	const char *why;
	uint32_t records;
	volatile size_t sink = 0;

	if (size < 5)
		return 0;
	records = (uint32_t)(data[1] | data[2] << 8 | data[3] << 16 | (uint32_t)data[4] << 24) %
		  (FMT_MAX_CHUNK_RECORDS + 1);
	if (data[0] >> 3) { /* some columns: a bit per section, from the input */
		uint64_t want = (uint64_t)(data[0] >> 3) * 0x9E3779B97F4A7C15ull;
		if (chunk_decode_cols(data + 5, size - 5, 1 + (data[0] & 7) % FMT_STREAM_MAX,
				      records, want, &b, &why))
			return 0;
		touch_columns(b);
		return 0;
	}
	if (chunk_decode(data + 5, size - 5, 1 + (data[0] & 7) % FMT_STREAM_MAX, records, &b,
			 &why))
		return 0; /* b was freed and is NULL */
	for (uint32_t i = 0; i < fmt_batch_count(b); i++) {
		struct fmt_event ev = { .stream = fmt_batch_stream(b) };
		fmt_batch_get(b, i, &ev);
		if (ev.stream == FMT_STREAM_EXEC) {
			sink += touch(ev.exec.comm) + touch(ev.exec.pcomm) + touch(ev.exec.filename) +
				touch(ev.exec.interp) + touch(ev.exec.cwd);
			for (uint32_t a = 0; a < ev.exec.argc; a++)
				sink += touch(ev.exec.argv[a]);
		} else if (ev.stream == FMT_STREAM_FLOW) {
			sink += ev.flow.key.src[15] + ev.flow.packets + ev.flow.owner.pid;
		} else if (ev.stream == FMT_STREAM_PROC) {
			sink += touch(ev.proc.comm) + touch(ev.proc.exe) + touch(ev.proc.cwd);
			for (uint32_t a = 0; a < ev.proc.argc; a++)
				sink += touch(ev.proc.argv[a]);
		} else if (ev.stream == FMT_STREAM_CGROUP) {
			sink += touch(ev.cgroup.path);
		}
		sink += fmt_batch_ts(b, i);
	}
	(void)sink;
	return 0;
}
