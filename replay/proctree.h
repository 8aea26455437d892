/* proctree.h - the processes of a report as a tree, for the HTML report:
 * every process the records mention (the process table at start, execs,
 * exits, flow owners), with its parent, its lifetime and exit status, the
 * programs it ran or tried to run, and the traffic of the sockets it
 * owned (egress = sent, ingress = received).
 *
 * A process is (file, pid, start time): pid reuse makes a new one. Records
 * without a start time (format 1.0 execs) belong to the pid's current
 * process. Parents are resolved once all records are in: the process with
 * the parent's pid that had begun before the child and was alive when it
 * began. A parent the records never mention becomes a placeholder named by
 * the child's record of its parent's comm, so children of processes that
 * predate a recording without a process table still hang together. A
 * parent always begins before its child (ties broken by the order they
 * were seen), so whatever a hostile file claims the tree has no cycle. */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "fmt.h"

struct pt_traffic {
	uint64_t packets, bytes;
};

/* One program a process ran, or tried to: an exec (failed when ret < 0),
 * or what the process table says it was running when the recording began. */
struct pt_prog {
	uint64_t ts_ns; /* of the exec, or when the table was read */
	int32_t ret; /* 0, or the failed exec's negative errno */
	uint32_t flags; /* FMT_EXEC_* */
	bool from_table;
	char comm[16]; /* the comm it ran under (a failed exec's: the process's before) */
	bool argv_cut; /* argv not kept whole (page size bounds), besides the
			* recorder's own truncation in flags */
	uint32_t argc;
	const char *filename, *interp, *cwd; /* NULL when not recorded */
	const char *const *argv;
	uint32_t next; /* the process's next program (an id), 0 after the last */
};

enum pt_origin {
	PT_UNKNOWN, /* no start time: a format 1.0 file */
	PT_BEFORE, /* started before the recording */
	PT_DURING, /* started during it */
};

struct pt_proc {
	unsigned source; /* the file */
	uint32_t pid, ppid, uid;
	uint64_t start_ns; /* the file's boot clock; 0 if not known */
	uint64_t seen_ns; /* its first record */
	uint64_t end_ns; /* when it exited */
	enum pt_origin origin;
	bool from_table, exited;
	bool placeholder; /* a parent known only by its children's ppid */
	bool has_uid;
	uint32_t exit_code, signal;
	char comm[16]; /* the latest program's, else a failed exec's, or the one its parent
			* ran when it forked */
	struct pt_traffic sent, recv; /* its own sockets' */
	struct pt_traffic tree_sent, tree_recv; /* with all its descendants' */
	uint32_t parent, first_child, next_sibling; /* ids, 0 = none */
	uint32_t first_prog, last_prog; /* ids, 0 = none */
	uint32_t depth; /* in the tree: 0 for a root */
	char pcomm[16]; /* the parent's comm, as its first exec recorded it */
};

struct proctree;

/* The records will come from readers[nsources] (their recordings' starts
 * tell processes that began before from those that began during them).
 * @return NULL on out of memory. */
struct proctree *proctree_new(struct fmt_reader *const *readers, unsigned nsources);
/* Feed every record in time order (report_each); cgroup records are
 * ignored. @return 0, or -1 on out of memory. */
int proctree_add(struct proctree *t, const struct fmt_event *ev);
/* Link parents and children, sum traffic up the tree. Call once, after the
 * last record. @return 0, or -1 on out of memory. */
int proctree_finish(struct proctree *t);
/* The processes in tree order (each followed by its descendants, siblings
 * by when they began): *n ids. */
const uint32_t *proctree_order(const struct proctree *t, uint32_t *n);
/* @return process id (1 <= id <= n), program id */
const struct pt_proc *proctree_proc(const struct proctree *t, uint32_t id);
const struct pt_prog *proctree_prog(const struct proctree *t, uint32_t id);
/* Traffic of no local socket (flows whose owner is pid 0). */
struct pt_traffic proctree_unowned(const struct proctree *t, bool sent);
void proctree_free(struct proctree *t);

#endif
