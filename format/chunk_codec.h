/* chunk_codec.h - the columnar chunk payload: encoder state and decoded form.
 *
 * Payload layout (before zstd; every integer a LEB128 varint unless noted;
 * docs/FORMAT.md section "Chunk payload" is the normative text):
 *
 *   OFFSET  SIZE  DESCRIPTION
 *   0       4     magic "EBC1"
 *   4       1     stream (1 exec, 2 exit, 3 flow)
 *   5       var   n_records
 *           var   t_base: timestamp the first ts delta is taken from
 *           var   n_sections
 *           ...   n_sections x { var section id, var byte length }
 *           ...   the sections' bytes, in directory order
 *
 * A section is one column (n_records values) or one dictionary. Readers skip
 * section ids they do not know, so new optional columns are compatible.
 */
#ifndef FMT_CHUNK_CODEC_H
#define FMT_CHUNK_CODEC_H

#include <stdint.h>

#include "bytes.h"
#include "fmt.h"
#include "intern.h"

#define CHUNK_MAGIC "EBC1"

enum chunk_section {
	SEC_STRINGS = 1, /* string dictionary: count, lengths, bytes */
	SEC_TS = 2, /* zigzag delta from the previous ts (first: t_base) */
	SEC_PID = 3, /* zigzag delta from the previous record's pid */
	SEC_TID = 4, /* zigzag (tid - pid) */
	SEC_PPID = 5, /* zigzag delta from the previous ppid */
	SEC_UID = 6, /* zigzag delta from the previous uid */
	SEC_GID = 7, /* zigzag delta from the previous gid */
	SEC_CGROUP = 8, /* zigzag delta from the previous cgroup id */
	SEC_RET = 9, /* zigzag ret */
	SEC_FLAGS = 10, /* flags */
	SEC_CMD = 11, /* id in SEC_CMDS (fixed width) */
	SEC_PCOMM = 12, /* id in SEC_STRINGS (fixed width) */
	SEC_CMDS = 13, /* command dictionary (string ids fixed width) */
	SEC_INTERP = 14, /* 1.1, exec: 0 none, else 1 + string id */
	SEC_CWD = 15, /* 1.1, exec and proc: 0 none, else 1 + string id */
	SEC_START = 16, /* 1.1, exec and proc: zigzag (ts - start_ns) */
	SEC_EXIT_CODE = 20,
	SEC_SIGNAL = 21,
	SEC_LIFETIME = 22, /* zigzag (ts - start_ns) */
	SEC_INTERVAL = 30, /* zigzag delta from the previous interval */
	SEC_FLOWKEY = 31, /* zigzag delta from the previous key id */
	SEC_PACKETS = 32,
	SEC_BYTES = 33, /* zigzag (bytes - packets * bytes_per_packet of the key's last row) */
	SEC_FLOWKEYS = 34, /* flow key dictionary */
	SEC_FLOWOWNERS = 35, /* 1.1: the owner of each flow key dictionary entry */
	SEC_CGROUP_KIND = 40, /* 1.1, cgroup: enum fmt_cgroup_kind */
	SEC_PATH = 41, /* 1.1, cgroup: id in SEC_STRINGS (fixed width) */
};
#define SEC_MAX 42

/* A sealed chunk: the uncompressed payload plus its index fields. */
struct fmt_chunk {
	int64_t id;
	int stream;
	uint32_t records;
	uint64_t t_first, t_last;
	struct fmt_buf payload;
};

/* Zero bytes after a batch's last string, so that fmt_batch_exec_cmd_join
 * may read a word past any NUL. */
#define STR_SLACK 8

/* A command line: what SEC_CMDS interns for each exec. */
struct fmt_cmd {
	const char *comm;
	const char *filename;
	uint32_t comm_id, file_id; /* the same, as ids of the string dictionary */
	uint32_t argc;
	const char **argv;
	const uint32_t *arg_ids; /* the same, as ids of the string dictionary */
};

enum batch_mem {
	MEM_COLS,
	MEM_STR,
	MEM_ARENA,
	MEM_CMDS,
	MEM_ARGV,
	MEM_ARGV_IDS,
	MEM_KEYS,
	MEM_ORDER,
	MEM_TMP,
	MEM_OWNERS,
};
#define MEM_N 10

struct fmt_batch {
	int stream;
	uint32_t n;
	uint64_t serial; /* unique to this decode: tells chunks apart when memory is reused */
	uint64_t cols; /* the sections decoded (1 << SEC_x); the others' arrays are NULL */
	uint32_t *order; /* time order permutation, or NULL when already sorted */
	uint64_t *ts;
	/* exec, exit, proc */
	uint32_t *pid, *ppid;
	uint64_t *start; /* process start (exec and proc: 0 when not recorded, NULL
			  * when no record of the chunk has one) */
	/* exec and proc */
	uint32_t *uid, *gid, *flags, *cmd;
	uint32_t *cwd; /* 0 none, else 1 + string id; NULL: none in the chunk */
	/* exec (and cgroup ids of proc and cgroup) */
	uint32_t *tid, *pcomm, *interp; /* interp: as cwd */
	int32_t *ret;
	uint64_t *cgroup;
	/* exit */
	uint32_t *code, *sig;
	/* cgroup */
	uint32_t *kind, *path;
	/* flow */
	uint64_t *interval, *packets, *bytes;
	uint32_t *key;
	struct fmt_flow_key *keys;
	struct fmt_owner *owners; /* per key, or NULL: no owners in the chunk */
	uint32_t nkeys;
	/* dictionaries */
	uint32_t nstr;
	const char **str;
	char *arena;
	uint32_t ncmd;
	struct fmt_cmd *cmds;
	const char **argv_pool;
	uint32_t *arg_id_pool;
	struct {
		void *p;
		size_t cap;
	} mem[MEM_N]; /* owned memory, by enum batch_mem; reused when recycled */
};


/* Decode and validate a payload. The chunk row's stream and record count
 * must match. If *out is a batch, its memory is reused (and on failure it
 * is freed). @return 0 or FMT_ECORRUPT / FMT_ELIMIT / FMT_ENOMEM, with a
 * static reason in *why. */
int chunk_decode(const uint8_t *p, size_t len, int stream, uint32_t records,
		 struct fmt_batch **out, const char **why);

/* Every column: what chunk_decode decodes. */
#define CHUNK_ALL (~0ull)
/* Not a section (ids start at 1): the argv of each command line of
 * SEC_CMDS as strings (without it the ids are checked, argv is NULL). */
#define CHUNK_ARGV_BIT 0
#define CHUNK_ARGV (1ull << CHUNK_ARGV_BIT)
/* Nor this: the argv as ids of SEC_STRINGS (with CHUNK_ARGV, as strings
 * too). */
#define CHUNK_ARGV_IDS_BIT 62
#define CHUNK_ARGV_IDS (1ull << CHUNK_ARGV_IDS_BIT)

/* The same for some columns only: want holds 1 << SEC_x for each column
 * (or dictionary) wanted; what they need comes too (an id column its
 * dictionary, bytes the keys and packets, tid the pid), timestamps always.
 * The header, the directory, the timestamps and the presence of every
 * required section are checked whatever is wanted; the columns left out
 * are not read (nor checked) and their arrays are NULL, so such a batch is
 * read through its arrays only, never with fmt_batch_get(). */
int chunk_decode_cols(const uint8_t *p, size_t len, int stream, uint32_t records, uint64_t want,
		      struct fmt_batch **out, const char **why);

#endif
