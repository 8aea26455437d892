/* fmt.h - the session file API: the one place that touches SQLite.
 *
 * A session file is a SQLite database whose event data is stored as
 * zstd-compressed columnar chunks (docs/FORMAT.md). ebpfrec writes it through
 * fmt_writer; ebpfreport reads it through fmt_reader and the iterators.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * FMT_E* code on failure; a failing call may also set a human-readable error
 * that fmt_*_errmsg() returns (owned by the object). Free functions accept
 * NULL.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <stdint.h>

#include "fmt_records.h"

#define FMT_APPLICATION_ID 0x45425243 /* "EBRC" in the SQLite header */
#define FMT_VERSION_MAJOR 1 /* PRAGMA user_version */
#define FMT_VERSION_MINOR 1 /* meta format_version = "MAJOR.MINOR" */

/* Hard limits a reader enforces on anything it reads from disk. */
#define FMT_MAX_CHUNK_RECORDS (1u << 20)
#define FMT_MAX_CHUNK_RAW (64u << 20) /* decompressed chunk payload */
#define FMT_MAX_CHUNK_BLOB (64u << 20) /* compressed chunk */
#define FMT_MAX_ARGC (1u << 20) /* arguments of one exec */
#define FMT_MAX_META 4096 /* meta rows */
#define FMT_MAX_META_VALUE (1u << 20)

enum fmt_error {
	FMT_OK = 0,
	FMT_EIO = -1, /* operating system or SQLite I/O error */
	FMT_ENOMEM = -2,
	FMT_EEXIST = -3, /* output exists and overwrite was not asked for */
	FMT_ENOTSESSION = -4, /* not a SQLite file, or not ours */
	FMT_EVERSION = -5, /* written by a newer, incompatible format */
	FMT_ECORRUPT = -6, /* a chunk or table fails validation */
	FMT_ELIMIT = -7, /* a declared size exceeds a reader limit */
	FMT_EINVAL = -8, /* bad argument */
	FMT_EHOSTILE = -9, /* schema holds objects a session never has */
	FMT_ENOENT = -10, /* no such file or meta key */
	FMT_EFULL = -11, /* disk full */
	FMT_ESTREAM = -12, /* a chunk of a stream this version does not know */
};

/* @return a static description of a FMT_E* code. */
const char *fmt_strerror(int err);

/* ---- writer ------------------------------------------------------------ */

struct fmt_writer;

#define FMT_CREATE_FORCE 0x1 /* replace an existing file */

/* Default chunk bounds: a chunk closes at this many records or this span. */
#define FMT_CHUNK_RECORDS 65536
#define FMT_CHUNK_SPAN_NS (60ull * 1000000000ull)

struct fmt_writer_opts {
	uint32_t chunk_records; /* close a chunk at this many records (0: default) */
	uint64_t chunk_span_ns; /* ... or when it spans this long (0: default) */
	int zstd_level; /* 0: default */
};

/* Create a new session file with mode 0600. Without FMT_CREATE_FORCE an
 * existing path is refused with FMT_EEXIST. On failure *out is NULL and, if
 * errmsg is not NULL, *errmsg holds a malloc'd message the caller frees.
 * @return 0 or a negative FMT_E* code. */
int fmt_writer_create(const char *path, unsigned flags, const struct fmt_writer_opts *opts,
		      struct fmt_writer **out, char **errmsg);

/* Create an output file: new (or replaced with FMT_CREATE_FORCE, but never
 * another user's file in a world-writable directory), never through a
 * symlink, mode 0600 from the first byte. With fd_out the open fd is
 * returned (write-only), else closed. @return FMT_OK or a FMT_E* code with
 * a message in err. */
int fmt_create_file(const char *path, unsigned flags, int *fd_out, char *err, size_t errlen);

/* Remove a file created that way and SQLite's side files (-wal, -shm,
 * -journal). @return 0, or -1 with errno from removing the file itself. */
int fmt_remove_file(const char *path);

/* Set a meta key (replacing its value); committed with the next flush. */
int fmt_writer_set_meta(struct fmt_writer *w, const char *key, const char *value);
int fmt_writer_set_meta_u64(struct fmt_writer *w, const char *key, uint64_t value);

/* Append one record (of any stream) to its stream's open chunk. A chunk
 * that reaches its record or time bound, or a reader limit, is compressed
 * and stored. @return 0 or a FMT_E* code (fmt_writer_errmsg says why). */
int fmt_writer_append(struct fmt_writer *w, const struct fmt_event *ev);
/* The same for a record of a known stream. */
int fmt_writer_append_exec(struct fmt_writer *w, const struct fmt_exec *rec);
int fmt_writer_append_exit(struct fmt_writer *w, const struct fmt_exit *rec);
int fmt_writer_append_flow(struct fmt_writer *w, const struct fmt_flow *rec);
/* One interval's flow rows, as drained: they are put in a stable order
 * (rows is reordered in place) and rows with equal keys are merged, which
 * is what the flow encoder compresses best, then appended. */
int fmt_writer_append_flows(struct fmt_writer *w, struct fmt_flow *rows, size_t n);

/* Make everything appended so far durable against a crash of this process:
 * open chunks are written (and rewritten in place as they grow, so flushing
 * often does not fragment the file) and the transaction is committed. */
int fmt_writer_flush(struct fmt_writer *w);

/* Flush, store the record counts and the clean-close marker, checkpoint the
 * WAL and leave a single rollback-journal-mode file. Frees w whatever
 * happens; on failure *errmsg (if not NULL) holds a malloc'd message. */
int fmt_writer_close(struct fmt_writer *w, char **errmsg);

/* Free without closing cleanly (the file stays marked as not closed). */
void fmt_writer_abandon(struct fmt_writer *w);

/* While a writer has a file open it holds an open-file-description write
 * lock (fcntl F_OFD_SETLK) on this byte of it, far from SQLite's own lock
 * bytes; readers test it without taking it (docs/FORMAT.md, section 6). */
#define FMT_LOCK_OFFSET (1ll << 40)

const char *fmt_writer_errmsg(const struct fmt_writer *w);

/* Totals written so far (records per stream, chunks, bytes). */
struct fmt_writer_stats {
	uint64_t records[FMT_STREAM_MAX + 1];
	uint64_t chunks;
	uint64_t raw_bytes;
	uint64_t blob_bytes;
	/* compressed bytes the file's chunks hold now: a growing chunk counts
	 * as its last stored snapshot (what a rotation by size compares) */
	uint64_t data_bytes;
};
void fmt_writer_stats(const struct fmt_writer *w, struct fmt_writer_stats *st);

/* ---- records ----------------------------------------------------------- */

/* Bytes a deep copy of ev needs besides the struct itself: its strings and
 * argv array. */
size_t fmt_event_extra(const struct fmt_event *ev);
/* Deep-copy ev into *dst, its strings and argv into extra (at least
 * fmt_event_extra(ev) bytes, aligned for a pointer). The copy lives as long
 * as dst and extra do; NULL strings stay NULL. */
void fmt_event_copy(struct fmt_event *dst, const struct fmt_event *ev, void *extra);

/* ---- reader ------------------------------------------------------------ */

struct fmt_reader;

/* Open a session file read-only, as untrusted input. On failure *out is
 * NULL and *errmsg (if not NULL) holds a malloc'd message naming the file.
 * @return 0 or a negative FMT_E* code. */
int fmt_reader_open(const char *path, struct fmt_reader **out, char **errmsg);
void fmt_reader_close(struct fmt_reader *r);
const char *fmt_reader_path(const struct fmt_reader *r);
const char *fmt_reader_errmsg(const struct fmt_reader *r);

/* Meta values are loaded at open. @return the value or NULL if absent. */
const char *fmt_reader_meta(const struct fmt_reader *r, const char *key);
/* @return 0 and *val, FMT_ENOENT if absent, FMT_ECORRUPT if not a number */
int fmt_reader_meta_u64(const struct fmt_reader *r, const char *key, uint64_t *val);
/* Iterate meta in key order: @return the number of rows; key/value by index */
size_t fmt_reader_meta_count(const struct fmt_reader *r);
void fmt_reader_meta_at(const struct fmt_reader *r, size_t i, const char **key,
			const char **value);

/* The `interfaces` meta value, parsed at open (fmt_interfaces.h): NULL if
 * the file has none or it is not a valid list. */
struct fmt_ifaces;
const struct fmt_ifaces *fmt_reader_ifaces(const struct fmt_reader *r);
/* @return the name meta interfaces gives ifindex, or NULL */
const char *fmt_reader_iface_name(const struct fmt_reader *r, uint32_t ifindex);

/* @return 1 if the writer closed the file cleanly, 0 if it was killed or
 * crashed (the file then holds everything flushed before that) or is still
 * writing it. */
int fmt_reader_closed_clean(const struct fmt_reader *r);
/* @return 1 if a writer held the file's lock when it was opened: it is
 * being recorded (or written by ebpfreport) */
int fmt_reader_being_written(const struct fmt_reader *r);

/* Wall-clock offset: wall_ns = ts_ns + offset (meta clock_offset_ns). A
 * file whose offset is beyond +-FMT_CLOCK_OFFSET_MAX does not open
 * (FMT_ECORRUPT). */
#define FMT_CLOCK_OFFSET_MAX (INT64_C(1) << 62)
int64_t fmt_reader_clock_offset(const struct fmt_reader *r);

/* Per-chunk index entry, as stored (not yet validated against the blob). */
struct fmt_chunk_info {
	int64_t id;
	int stream;
	uint64_t t_first, t_last;
	uint32_t records;
	uint64_t raw_size, blob_size;
	uint32_t checksum;
};
/* Load the chunk index (ordered by stream, t_first). @return count or <0. */
int fmt_reader_chunks(struct fmt_reader *r, struct fmt_chunk_info **out);

/* ---- decoded chunks ---------------------------------------------------- */

struct fmt_batch; /* one decoded chunk: columns plus its dictionaries */

/* Read, verify and decode one chunk into *inout. Pass *inout = NULL for a
 * new batch, or a batch you are done with to reuse its memory (decoding a
 * whole file then allocates nothing per chunk). On failure *inout is freed
 * and set to NULL. @return 0 or <0 (fmt_reader_errmsg names file and chunk);
 * FMT_ESTREAM for an intact chunk of a stream this version does not know
 * (a newer minor version's: to be skipped). */
int fmt_reader_load_chunk(struct fmt_reader *r, int64_t id, struct fmt_batch **inout);

/* Columns of a chunk, to load only some (the section numbers of
 * docs/FORMAT.md). Timestamps come too, unless FMT_COL_NO_TS says the
 * caller reads neither times nor records in time order (then the chunk's
 * time range is not checked against its records either, and
 * fmt_batch_ts_column is NULL; start times and lifetimes bring them back);
 * what a column needs comes with it (an id column its dictionary, bytes
 * the keys and packets). */
#define FMT_COL_NO_TS (1ull << 63)
#define FMT_COL_ARGV (1ull << 0) /* exec, proc: the argv of each command line */
/* the argv as ids of the string dictionary (fmt_batch_exec_cmd_arg_ids),
 * for counts keyed by them: without FMT_COL_ARGV, fmt_batch_exec_cmd_argv
 * is NULL and only fmt_batch_exec_cmd_join joins them; not in
 * FMT_COL_ALL */
#define FMT_COL_ARGV_IDS (1ull << 62)
#define FMT_COL_ALL (UINT64_MAX & ~FMT_COL_NO_TS & ~FMT_COL_ARGV_IDS)
#define FMT_COL_PID (1ull << 3)
#define FMT_COL_TID (1ull << 4)
#define FMT_COL_PPID (1ull << 5)
#define FMT_COL_UID (1ull << 6)
#define FMT_COL_GID (1ull << 7)
#define FMT_COL_CGROUP (1ull << 8)
#define FMT_COL_RET (1ull << 9)
#define FMT_COL_FLAGS (1ull << 10)
#define FMT_COL_CMD (1ull << 11) /* command line ids, with comm and filename */
#define FMT_COL_PCOMM (1ull << 12)
#define FMT_COL_INTERP (1ull << 14)
#define FMT_COL_CWD (1ull << 15)
#define FMT_COL_START (1ull << 16)
#define FMT_COL_EXIT_CODE (1ull << 20)
#define FMT_COL_SIGNAL (1ull << 21)
#define FMT_COL_LIFETIME (1ull << 22) /* exit: the start times */
#define FMT_COL_INTERVAL (1ull << 30)
#define FMT_COL_FLOW_KEY (1ull << 31) /* key ids, with the keys and their owners */
#define FMT_COL_PACKETS (1ull << 32)
#define FMT_COL_BYTES (1ull << 33)
#define FMT_COL_CGROUP_KIND (1ull << 40)
#define FMT_COL_PATH (1ull << 41)

/* The same as fmt_reader_load_chunk for the columns in cols only: the
 * chunk's container, header, timestamps and the columns loaded are
 * checked; the others are neither read nor checked. Such a batch is read
 * through the column accessors below, for the columns loaded, never with
 * fmt_batch_get. */
int fmt_reader_load_cols(struct fmt_reader *r, int64_t id, uint64_t cols, struct fmt_batch **inout);
void fmt_batch_free(struct fmt_batch *b);
enum fmt_stream fmt_batch_stream(const struct fmt_batch *b);
uint32_t fmt_batch_count(const struct fmt_batch *b);
uint64_t fmt_batch_ts(const struct fmt_batch *b, uint32_t i);
/* Fill ev with record i in time order. Pointers stay valid until the batch
 * is freed. */
void fmt_batch_get(const struct fmt_batch *b, uint32_t i, struct fmt_event *ev);
/* The same for the record at storage position j (the order of the column
 * arrays below). */
void fmt_batch_get_at(const struct fmt_batch *b, uint32_t j, struct fmt_event *ev);
/* The storage position of record i in time order. */
uint32_t fmt_batch_pos(const struct fmt_batch *b, uint32_t i);

/* Columnar access to a batch, for aggregations that need no per-record
 * structs. Arrays are in storage order (not time order) and hold
 * fmt_batch_count() values; ids index the batch's dictionaries. */
const uint64_t *fmt_batch_ts_column(const struct fmt_batch *b); /* NULL: not loaded */
/* exec: command-line id per record (*ndict: dictionary size), return codes */
const uint32_t *fmt_batch_exec_cmd_ids(const struct fmt_batch *b, uint32_t *ndict);
const int32_t *fmt_batch_exec_rets(const struct fmt_batch *b);
/* exec: the argv of command line `id` of the dictionary */
const char *const *fmt_batch_exec_cmd_argv(const struct fmt_batch *b, uint32_t id,
					   uint32_t *argc);
/* exec: that argv joined by spaces into buf, the line fmt_text_join
 * writes (fmt_text.h), only faster; the bytes of buf after its NUL (up to
 * len) may change. Needs FMT_COL_ARGV or FMT_COL_ARGV_IDS. @return its
 * length. */
size_t fmt_batch_exec_cmd_join(const struct fmt_batch *b, uint32_t id, char *buf, size_t len);
/* exec: that argv as ids of the string dictionary (fmt_batch_string);
 * NULL unless the batch was loaded with FMT_COL_ARGV_IDS */
const uint32_t *fmt_batch_exec_cmd_arg_ids(const struct fmt_batch *b, uint32_t id,
					   uint32_t *argc);
/* exec: uid per record; parent comm per record as an id of the batch's
 * string dictionary (*ndict: its size), and the strings by id */
const uint32_t *fmt_batch_exec_uids(const struct fmt_batch *b);
const uint32_t *fmt_batch_exec_pcomm_ids(const struct fmt_batch *b, uint32_t *ndict);
const char *fmt_batch_string(const struct fmt_batch *b, uint32_t id);
/* exec: command line `id` as ids of the string dictionary */
void fmt_batch_exec_cmd_ids_of(const struct fmt_batch *b, uint32_t id, uint32_t *comm,
			       uint32_t *filename);
/* the number of strings in the batch's dictionary */
uint32_t fmt_batch_nstrings(const struct fmt_batch *b);
/* exec: every column as an array in storage order (what fmt_batch_get_at
 * reads), for encoders that go a column at a time. @return 0, or -1 if b
 * is not an exec batch with every column loaded (FMT_COL_ALL). */
struct fmt_exec_columns {
	const uint64_t *ts, *cgroup_id;
	const uint64_t *start_ns; /* 0: not recorded; NULL: none in the chunk */
	const uint32_t *pid, *tid, *ppid, *uid, *gid, *flags;
	const int32_t *ret;
	const uint32_t *cmd; /* command-line ids (fmt_batch_exec_cmd_argv ...) */
	const uint32_t *pcomm; /* string ids (fmt_batch_string) */
	const uint32_t *interp, *cwd; /* 0: none, else 1 + string id; NULL: none in the chunk */
};
int fmt_batch_exec_columns(const struct fmt_batch *b, struct fmt_exec_columns *c);
/* A number no other decode of a chunk has had (in this process): tells
 * whether what was worked out for a batch's dictionaries still holds. */
uint64_t fmt_batch_serial(const struct fmt_batch *b);
/* flow: key id per record (*ndict: dictionary size), packets, bytes,
 * interval */
const uint32_t *fmt_batch_flow_key_ids(const struct fmt_batch *b, uint32_t *ndict);
const uint64_t *fmt_batch_flow_packets(const struct fmt_batch *b);
const uint64_t *fmt_batch_flow_bytes(const struct fmt_batch *b);
const uint64_t *fmt_batch_flow_intervals(const struct fmt_batch *b);
const struct fmt_flow_key *fmt_batch_flow_key(const struct fmt_batch *b, uint32_t id);
/* flow: the owner of key `id` (all zero when the chunk has no owners) */
const struct fmt_owner *fmt_batch_flow_owner(const struct fmt_batch *b, uint32_t id);

/* ---- parallel decoding -------------------------------------------------
 * Readers are not thread-safe; these run chunks of them on several threads,
 * each with its own reader of each file (opened again, and checked to be
 * the same file), the calling thread with the originals. Memory stays
 * bounded whatever the thread count: the chunks being decoded (or decoded
 * and waiting) hold at most FMT_PAR_BUDGET bytes of payload together, as
 * much as one chunk at the reader's limit, besides the one chunk that is
 * always let through (the next one the caller needs); between chunks a
 * thread keeps the buffers of a chunk of FMT_PAR_KEEP bytes of payload at
 * most. */

#define FMT_PAR_BUDGET FMT_MAX_CHUNK_RAW
#define FMT_PAR_KEEP (4u << 20) /* payload; what a chunk of 65,536 records takes */

/* @return the threads `threads` asks for: itself, or for 0 the processors
 * this process may run on (at least 1) */
unsigned fmt_threads(unsigned threads);

struct fmt_par_chunk {
	unsigned src; /* index of its reader */
	int64_t id;
	uint64_t raw_size; /* from the chunk index (fmt_chunk_info), for the budget */
};

struct fmt_par {
	struct fmt_reader *const *readers;
	const struct fmt_par_chunk *chunks;
	size_t n;
	uint64_t cols; /* FMT_COL_* to decode */
	unsigned threads; /* 0: all processors */
	/* On a worker thread (worker < threads; 0 is the calling thread):
	 * chunk i decoded. What it leaves in *partial goes to commit. @return
	 * 0, or non-zero to stop the run. */
	int (*each)(void *ctx, unsigned worker, size_t i, const struct fmt_batch *b, void **partial);
	/* On the calling thread, in chunk order, for every chunk (NULL: none):
	 * what each left, or for a chunk that failed to load rc < 0 and the
	 * reader's message. @return 0, or non-zero to stop. */
	int (*commit)(void *ctx, size_t i, void *partial, int rc, const char *errmsg);
	void *ctx;
};

/* Chunks per thread that may be decoded ahead of the one to commit next:
 * what each leaves for commit is held for at most this many at once. */
#define FMT_PAR_WINDOW 4
/* Run p. Once each or commit asks to stop, no further chunk is taken;
 * every chunk each ran on is still committed (so partials can be freed),
 * commit's answers then being ignored. @return 0, 1 if stopped, or
 * FMT_ENOMEM. */
int fmt_par_run(const struct fmt_par *p);

/* ---- iteration --------------------------------------------------------- */

struct fmt_iter;

/* Iterate the streams in mask (bit 1<<FMT_STREAM_x) of one or more readers
 * in time order (wall-clock order across files), keeping records with
 * t_from <= ts_ns <= t_to (boot-clock ns of each file; pass 0 / UINT64_MAX
 * for no bound). Chunks outside the window are never decompressed. */
int fmt_iter_open(struct fmt_reader *const *readers, unsigned n, unsigned mask,
		  uint64_t t_from, uint64_t t_to, struct fmt_iter **out);
/* The same with a window per reader (from[i], to[i] in reader i's clock). */
int fmt_iter_open_windows(struct fmt_reader *const *readers, unsigned n, unsigned mask,
			  const uint64_t *from, const uint64_t *to, struct fmt_iter **out);
/* The same, decoding the chunks ahead on threads (0: all processors; 1:
 * none, as above). The records and errors come in the same order whatever
 * the count. */
int fmt_iter_open_threads(struct fmt_reader *const *readers, unsigned n, unsigned mask,
			  const uint64_t *from, const uint64_t *to, unsigned threads,
			  struct fmt_iter **out);
/* @return 1 with *ev filled, 0 at the end, or <0 on a bad chunk (the
 * message is on the reader named by ev->source; iteration may continue). */
int fmt_iter_next(struct fmt_iter *it, struct fmt_event *ev);
/* The batch and storage position (fmt_batch_get_at's) of the record
 * fmt_iter_next returned last: valid until the next call. */
void fmt_iter_where(const struct fmt_iter *it, const struct fmt_batch **b, uint32_t *j);
/* Chunks decoded so far (to check pruning, to show progress), and the
 * chunks in the window that the iteration will decode in all. */
uint64_t fmt_iter_chunks_decoded(const struct fmt_iter *it);
uint64_t fmt_iter_chunks_total(const struct fmt_iter *it);
void fmt_iter_free(struct fmt_iter *it);

/* ---- SQL over sessions -------------------------------------------------
 * An in-memory SQLite connection whose tables exec, exit, flow, proc,
 * cgroup and meta read the given files (columns in docs/FORMAT.md). Time
 * constraints on ts_ns / wall_ns are pushed down to the chunk index,
 * `column = value` to the rows, and only the columns a query uses are
 * decoded. */

struct fmt_sql;

enum fmt_sql_type { FMT_SQL_NULL, FMT_SQL_INT, FMT_SQL_REAL, FMT_SQL_TEXT, FMT_SQL_BLOB };
struct fmt_sql_value {
	enum fmt_sql_type type;
	int64_t i;
	double d;
	const char *s; /* text (NUL-terminated) or blob */
	size_t len;
};

/* One result row of statement number stmt (a query may hold several);
 * @return non-zero to stop. */
typedef int (*fmt_sql_row_cb)(void *ctx, unsigned stmt, int ncol, const char *const *names,
			      const struct fmt_sql_value *values);

/* The readers stay the caller's and must outlive s. */
int fmt_sql_open(struct fmt_reader *const *readers, unsigned n, struct fmt_sql **out,
		 char **errmsg);
/* Threads the tables decode chunks on (default 0: every processor; the
 * results are the same). */
void fmt_sql_set_threads(struct fmt_sql *s, unsigned threads);
/* Run every statement of sql. @return 0, or <0 with *errmsg (malloc'd). */
int fmt_sql_query(struct fmt_sql *s, const char *sql, fmt_sql_row_cb cb, void *ctx,
		  char **errmsg);
/* Chunks decompressed by the queries so far (to check pruning). */
uint64_t fmt_sql_chunks_decoded(const struct fmt_sql *s);
void fmt_sql_close(struct fmt_sql *s);

/* ---- plain relational export ------------------------------------------
 * A decompressed, ordinary SQLite database (one table per stream, indexes,
 * views; schema in docs/FORMAT.md) for DuckDB, Datasette or pandas. Not a
 * session file: readers of sessions refuse it. */

struct fmt_plain;

int fmt_plain_create(const char *path, unsigned flags, struct fmt_plain **out, char **errmsg);
/* A meta row of source file `source`. */
int fmt_plain_meta(struct fmt_plain *p, unsigned source, const char *key, const char *value);
/* One record; wall_offset turns its boot-clock times into wall-clock ones,
 * iface names its flow's interface (or NULL). */
int fmt_plain_add(struct fmt_plain *p, const struct fmt_event *ev, int64_t wall_offset,
		  const char *iface);
/* The process table: one row per run of a program, from its exec to what
 * ended it. begin stores the exec (its row id in *row); end says how the
 * run ended: ended is "exit" (x then holds the exit), "exec" (the process
 * exec'd another program), "failed" (the exec failed) or NULL (still
 * running at the end of the recording). Times as for fmt_plain_add. */
int fmt_plain_process_begin(struct fmt_plain *p, unsigned source, const struct fmt_exec *e,
			    int64_t wall_offset, int64_t *row);
int fmt_plain_process_end(struct fmt_plain *p, int64_t row, const char *ended,
			  uint64_t begin_ns, uint64_t end_ns, int64_t wall_offset,
			  const struct fmt_exit *x);
/* Index, add the views, commit. Frees p; *errmsg as for the writer. */
int fmt_plain_close(struct fmt_plain *p, char **errmsg);
/* Free without committing (the caller removes the file). */
void fmt_plain_abandon(struct fmt_plain *p);
const char *fmt_plain_errmsg(const struct fmt_plain *p);

#endif
