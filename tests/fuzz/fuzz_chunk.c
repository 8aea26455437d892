/* fuzz_chunk.c - libFuzzer target: the chunk decoder on any payload.
 * Input: stream (1 byte, mod 3), record count (4 bytes LE, bounded by the
 * reader's limit), then the uncompressed payload, as a chunk row would
 * hand them to chunk_decode after its checksum and size checks. Every
 * decoded record is read back field by field. */
#include <string.h>

#include "chunk_codec.h"
#include "fuzz.h"

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
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
	if (chunk_decode(data + 5, size - 5, 1 + data[0] % 3, records, &b, &why))
		return 0; /* b was freed and is NULL */
	for (uint32_t i = 0; i < fmt_batch_count(b); i++) {
		struct fmt_event ev = { .stream = fmt_batch_stream(b) };
		fmt_batch_get(b, i, &ev);
		if (ev.stream == FMT_STREAM_EXEC) {
			sink += touch(ev.exec.comm) + touch(ev.exec.pcomm) + touch(ev.exec.filename);
			for (uint32_t a = 0; a < ev.exec.argc; a++)
				sink += touch(ev.exec.argv[a]);
		} else if (ev.stream == FMT_STREAM_FLOW) {
			sink += ev.flow.key.src[15] + ev.flow.packets;
		}
		sink += fmt_batch_ts(b, i);
	}
	(void)sink;
	return 0;
}
