/* output.h - where the sink's writer thread puts what the event loop
 * queued: one session file, a rotated series of files (files.c), or the
 * flight recorder's memory (ring.c), behind one interface.
 *
 * Every call but output_bytes/output_path is made on the writer thread,
 * in queue order. Records are struct fmt_event of any stream; meta keys
 * are whatever the recorder sets: an output keeps a copy of them
 * (metacache.h) so that every file it starts gets them all.
 */
#ifndef REC_OUTPUT_H
#define REC_OUTPUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

struct rec_options;
struct output;

struct output_ops {
	int (*append)(struct output *out, const struct fmt_event *ev);
	int (*append_flows)(struct output *out, struct fmt_flow *rows, size_t n);
	int (*set_meta)(struct output *out, const char *key, const char *value);
	/* make what was appended durable (files) or due segments sealed (ring) */
	int (*flush)(struct output *out);
	/* finish and free; *errmsg (malloc'd) on failure */
	int (*close)(struct output *out, char **errmsg);
	/* free, leaving the current file as last committed */
	void (*abandon)(struct output *out);
};

struct output {
	const struct output_ops *ops;
	char err[512]; /* why the last call failed */
	/* what the event loop may read (status line, rotation by size) */
	_Atomic uint64_t bytes; /* data in the current file, or memory of the ring */
	_Atomic uint64_t files; /* files written: rotated or dumped */
	pthread_mutex_t mu; /* guards path */
	char path[4096]; /* the current file, or the last one written */
};

/* Open what the options ask for: the file -o names, the first file of a
 * series (--rotate-*), or the flight recorder (--ring). @return NULL with a
 * one-line message in *errmsg (malloc'd) on failure. */
struct output *output_open(const struct rec_options *o, char **errmsg);

/* The writer thread's calls (see output_ops). @return 0 or <0, the reason
 * in out->err. */
int output_append(struct output *out, const struct fmt_event *ev);
int output_append_flows(struct output *out, struct fmt_flow *rows, size_t n);
int output_set_meta(struct output *out, const char *key, const char *value);
int output_flush(struct output *out);
int output_close(struct output *out, char **errmsg);
void output_abandon(struct output *out);

/* Any thread: the current file (or the last dump) into buf, "" if none;
 * and the bytes it holds (the ring: the memory it holds). */
void output_path(struct output *out, char *buf, size_t len);
uint64_t output_bytes(struct output *out);

/* For implementations: set up the shared part, publish the current path,
 * set the error. */
void output_init(struct output *out, const struct output_ops *ops);
void output_set_path(struct output *out, const char *path);
int output_fail(struct output *out, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void output_destroy(struct output *out);

/* Under sudo a file belongs to the user who asked for it (with its -wal
 * and -shm). */
void output_give_to_sudo_user(const char *path);

#endif
