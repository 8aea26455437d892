/* perfetto.c - see perfetto.h.
 *
 * Slices are the runs of proctrack.c (a program in a process, from its exec
 * to the next exec or the exit), as B/E pairs on the process's own track
 * (pid = tid), written as the events stream by, so memory is one entry per
 * live process plus the per-second counter buckets (series.c). A process
 * whose exec was not seen becomes a complete slice from its start time,
 * named by its comm if known, else by whether it started before the
 * recording or was forked during it (or by the name the process table
 * gave it). Processes of file N are shown as pid + N * 2^22 (pid_max) so
 * fleets' pids do not collide.
 *
 * Flow rows with an owner are also counted on the owner's own track: a
 * "packets/s" and a "bytes/s" counter, each with a sent (egress) and a
 * received (ingress) value, sampled at the start of each flow interval as
 * recorded (no spreading over seconds: the recorder's intervals are exact),
 * and back to 0 where the process has no row. Rows come in time order, so
 * each process needs only the interval it is summing. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "fmt_meta.h"
#include "json.h"
#include "out.h"
#include "perfetto.h"
#include "pidmap.h"
#include "proctrack.h"
#include "series.h"
#include "session.h"
#include "who.h"

#define PID_SPACE (1u << 22)
#define NET_PID 0x40000000u /* the "network" process holding the counters */
#define BUCKET_NS 1000000000ll
#define MAX_BUCKETS (10u << 20) /* a counter's seconds: four months */

struct counter {
	unsigned source;
	uint32_t ifindex;
	struct series s; /* packets and bytes per second */
};

/* The traffic of one process track (file, pid): the interval being summed
 * (ending at end_ns) and the end of the last one written. */
struct owner {
	unsigned source;
	uint32_t pid;
	uint64_t start_ns; /* the latest owner's, to name it */
	uint64_t end_ns, interval_ns, last_end_ns;
	uint64_t packets[2], bytes[2]; /* by enum fmt_dir */
	bool pending; /* an interval is being summed */
	bool named; /* its process_name was written (or cannot be) */
};

struct trace {
	FILE *f;
	struct json j;
	int first; /* no comma before the first event */
	struct report *r;
	struct counter *ctr;
	size_t nctr;
	int64_t origin; /* wall clock of the first counter bucket (whole seconds) */
	struct owner *owners;
	size_t nowners, capowners;
	struct pidmap owner_of; /* (file, pid) -> index in owners */
	int oom;
};

static double us(int64_t wall_ns)
{
	return (double)wall_ns / 1000.0;
}

static void emit(struct trace *t)
{
	char *s = json_take(&t->j);

	if (!s) {
		t->oom = 1;
		return;
	}
	fprintf(t->f, "%s\n%s", t->first ? "" : ",", s);
	t->first = 0;
	free(s);
}

static void begin_event(struct trace *t, const char *ph, const char *name, uint32_t pid,
			int64_t wall)
{
	json_begin_object(&t->j);
	json_kv_str(&t->j, "ph", ph);
	json_kv_str(&t->j, "name", name);
	json_kv_u64(&t->j, "pid", pid);
	json_kv_u64(&t->j, "tid", pid);
	json_kv_double(&t->j, "ts", us(wall));
}

static void process_name(struct trace *t, uint32_t pid, const char *name)
{
	json_begin_object(&t->j);
	json_kv_str(&t->j, "ph", "M");
	json_kv_str(&t->j, "name", "process_name");
	json_kv_u64(&t->j, "pid", pid);
	json_key(&t->j, "args");
	json_begin_object(&t->j);
	json_kv_str(&t->j, "name", name);
	json_end_object(&t->j);
	json_end_object(&t->j);
	emit(t);
}

static uint32_t track_of(unsigned source, uint32_t pid)
{
	return pid + source * PID_SPACE;
}

static int64_t wall_of(const struct trace *t, const struct proc_run *run, uint64_t ts)
{
	return (int64_t)ts + fmt_reader_clock_offset(t->r->readers[run->source]);
}

static int run_begin(void *ctx, struct proc_run *run)
{
	struct trace *t = ctx;
	const struct fmt_exec *e = run->exec;

	if (run->begin != PROC_EXEC)
		return 0; /* written whole at its end */
	process_name(t, track_of(run->source, run->pid), e->comm);
	begin_event(t, "B", e->comm, track_of(run->source, run->pid), wall_of(t, run, run->begin_ns));
	json_kv_str(&t->j, "cat", e->ret < 0 ? "exec-failed" : "exec");
	json_key(&t->j, "args");
	json_begin_object(&t->j);
	json_kv_str(&t->j, "filename", e->filename);
	json_key(&t->j, "argv");
	json_str_array(&t->j, e->argv, e->argc);
	json_kv_u64(&t->j, "pid", e->pid);
	json_kv_u64(&t->j, "ppid", e->ppid);
	json_kv_u64(&t->j, "uid", e->uid);
	json_kv_i64(&t->j, "ret", e->ret);
	json_end_object(&t->j);
	json_end_object(&t->j);
	emit(t);
	return t->oom;
}

static void exit_args(struct trace *t, const struct fmt_exit *x)
{
	json_key(&t->j, "args");
	json_begin_object(&t->j);
	json_kv_u64(&t->j, "exit_code", x->exit_code);
	json_kv_u64(&t->j, "signal", x->signal);
	json_end_object(&t->j);
}

/* The comm the session's execs or process table give process (pid, start)
 * of file source at ts, or NULL. */
static const char *known_comm(struct trace *t, unsigned source, uint32_t pid, uint64_t start,
			      uint64_t ts)
{
	const struct fmt_names *names = who_names(t->r);
	struct fmt_name n;

	return names && !fmt_names_get(names, source, pid, start, ts, &n) ? n.comm : NULL;
}

static int run_end(void *ctx, const struct proc_run *run)
{
	struct trace *t = ctx;
	const char *name;

	if (run->end == PROC_RUNNING)
		return 0; /* the slice stays open to the end of the trace */
	if (run->begin == PROC_EXEC) {
		begin_event(t, "E", run->end == PROC_FAILED ? run->comm : "", track_of(run->source, run->pid),
			    wall_of(t, run, run->end_ns));
		if (run->end == PROC_EXITED)
			exit_args(t, run->exit);
		json_end_object(&t->j);
		emit(t);
		return t->oom;
	}
	if (!run->begin_ns)
		return 0; /* no start time: nothing to draw */
	name = run->comm ?: known_comm(t, run->source, run->pid, run->exit->start_ns, run->end_ns);
	if (!name)
		name = run->begin == PROC_FORKED ? "(forked during recording, no exec)" :
						   "(started before recording)";
	process_name(t, track_of(run->source, run->pid), name);
	begin_event(t, "X", name, track_of(run->source, run->pid), wall_of(t, run, run->begin_ns));
	json_kv_str(&t->j, "cat", run->begin == PROC_FORKED ? "forked" : "before");
	json_kv_double(&t->j, "dur", us((int64_t)(run->end_ns - run->begin_ns)));
	exit_args(t, run->exit);
	json_end_object(&t->j);
	emit(t);
	return t->oom;
}

static struct counter *counter_for(struct trace *t, unsigned source, uint32_t ifindex)
{
	for (size_t i = 0; i < t->nctr; i++)
		if (t->ctr[i].source == source && t->ctr[i].ifindex == ifindex)
			return &t->ctr[i];
	struct counter *c = realloc(t->ctr, (t->nctr + 1) * sizeof(*c));
	if (!c)
		return NULL;
	t->ctr = c;
	c = &t->ctr[t->nctr++];
	*c = (struct counter){ .source = source, .ifindex = ifindex };
	series_init(&c->s, t->origin, BUCKET_NS, MAX_BUCKETS, true);
	return c;
}

static void on_flow(struct trace *t, const struct fmt_event *ev, int64_t wall)
{
	struct counter *c = counter_for(t, ev->source, ev->flow.key.ifindex);

	if (!c) {
		t->oom = 1;
		return;
	}
	series_add_flow(&c->s, wall, ev->flow.interval_ns, ev->flow.packets, ev->flow.bytes);
}

/* ---- traffic per process ---------------------------------------------- */

/* One sample of o's counters at ts (its file's clock): packets and bytes
 * of each direction times scale. */
static void traffic_sample(struct trace *t, const struct owner *o, uint64_t ts, double scale)
{
	static const char *const names[] = { "packets/s", "bytes/s" };
	int64_t wall = (int64_t)ts + fmt_reader_clock_offset(t->r->readers[o->source]);

	for (int k = 0; k < 2; k++) {
		const uint64_t *v = k ? o->bytes : o->packets;
		begin_event(t, "C", names[k], track_of(o->source, o->pid), wall);
		json_key(&t->j, "args");
		json_begin_object(&t->j);
		json_kv_double(&t->j, "sent", (double)v[FMT_DIR_EGRESS] * scale);
		json_kv_double(&t->j, "received", (double)v[FMT_DIR_INGRESS] * scale);
		json_end_object(&t->j);
		json_end_object(&t->j);
		emit(t);
	}
}

/* Write the interval o has summed, after a 0 if there was a gap since
 * the last one. */
static void owner_flush(struct trace *t, struct owner *o)
{
	uint64_t start = o->end_ns > o->interval_ns ? o->end_ns - o->interval_ns : 0;
	const char *comm;

	if (!o->pending)
		return;
	if (!o->named && (comm = known_comm(t, o->source, o->pid, o->start_ns, o->end_ns)))
		process_name(t, track_of(o->source, o->pid), comm);
	o->named = true; /* else a forked process: proctrack names it at its exit */
	if (o->last_end_ns && o->last_end_ns < start)
		traffic_sample(t, o, o->last_end_ns, 0);
	traffic_sample(t, o, start, o->interval_ns ? 1e9 / (double)o->interval_ns : 1);
	o->last_end_ns = o->end_ns;
	o->pending = false;
	memset(o->packets, 0, sizeof(o->packets));
	memset(o->bytes, 0, sizeof(o->bytes));
}

static struct owner *owner_for(struct trace *t, unsigned source, uint32_t pid)
{
	struct owner *v;
	uint64_t i;

	if (pidmap_get(&t->owner_of, source, pid, &i))
		return &t->owners[i];
	if (!(v = array_room(t->owners, t->nowners, &t->capowners, sizeof(*v))))
		return NULL;
	t->owners = v;
	if (pidmap_put(&t->owner_of, source, pid, t->nowners))
		return NULL;
	t->owners[t->nowners] = (struct owner){ .source = source, .pid = pid };
	return &t->owners[t->nowners++];
}

/* Count a flow row on its owner's track: rows of one interval are summed
 * (the recorder writes an interval's rows with one timestamp). */
static void on_owned_flow(struct trace *t, const struct fmt_event *ev)
{
	const struct fmt_flow *f = &ev->flow;
	struct owner *o = owner_for(t, ev->source, f->owner.pid);
	int d = f->key.dir == FMT_DIR_EGRESS;

	if (!o) {
		t->oom = 1;
		return;
	}
	if (o->pending && (o->end_ns != f->ts_ns || o->interval_ns != f->interval_ns))
		owner_flush(t, o);
	o->start_ns = f->owner.start_ns;
	o->end_ns = f->ts_ns;
	o->interval_ns = f->interval_ns;
	o->pending = true;
	o->packets[d] += f->packets;
	o->bytes[d] += f->bytes;
}

/* The last interval of each process, and its fall back to 0. */
static void write_owner_counters(struct trace *t)
{
	for (size_t i = 0; i < t->nowners; i++) {
		struct owner *o = &t->owners[i];
		owner_flush(t, o);
		if (o->last_end_ns)
			traffic_sample(t, o, o->last_end_ns, 0);
	}
	free(t->owners);
	pidmap_free(&t->owner_of);
}

struct walk {
	struct trace *t;
	struct proctrack *procs;
};

static int on_event(struct report *r, const struct fmt_event *ev, void *ctx)
{
	struct walk *w = ctx;
	int64_t wall = (int64_t)fmt_event_ts(ev) + fmt_reader_clock_offset(r->readers[ev->source]);

	if (ev->stream == FMT_STREAM_FLOW) {
		on_flow(w->t, ev, wall);
		if (ev->flow.owner.pid)
			on_owned_flow(w->t, ev);
	} else if (proctrack_add(w->procs, ev))
		w->t->oom = 1;
	return w->t->oom || ferror(w->t->f);
}

/* One sample of the counter track "IFACE UNIT" (one value named UNIT). */
static void counter_event(struct trace *t, const char *ifn, const char *unit, uint32_t pid,
			  int64_t wall, uint64_t value)
{
	char name[96];

	snprintf(name, sizeof(name), "%s %s", ifn, unit);
	begin_event(t, "C", name, pid, wall);
	json_key(&t->j, "args");
	json_begin_object(&t->j);
	json_kv_u64(&t->j, unit, value);
	json_end_object(&t->j);
	json_end_object(&t->j);
	emit(t);
}

static void write_counters(struct report *r, struct trace *t)
{
	char ifn[64];

	for (unsigned s = 0; t->nctr && s < r->nfiles; s++) {
		const char *host = fmt_reader_meta(r->readers[s], FMT_META_HOSTNAME);
		char label[128];
		snprintf(label, sizeof(label), "network%s%s", host ? " " : "", host ? host : "");
		process_name(t, NET_PID + s, label);
	}
	for (size_t k = 0; k < t->nctr; k++) {
		struct counter *c = &t->ctr[k];
		size_t first = 0;
		series_finish(&c->s);
		t->oom |= c->s.oom;
		out_iface(r->readers[c->source], c->ifindex, ifn, sizeof(ifn));
		while (first < c->s.n && !c->s.b[first].packets && !c->s.b[first].bytes)
			first++;
		/* from the first second with traffic to one past the last, so the
		 * track falls back to 0 */
		for (size_t i = first; i <= c->s.n && c->s.n; i++) {
			struct series_bucket b = series_at(&c->s, i);
			int64_t wall = t->origin + (int64_t)i * BUCKET_NS;
			counter_event(t, ifn, "packets/s", NET_PID + c->source, wall, b.packets);
			counter_event(t, ifn, "bytes/s", NET_PID + c->source, wall, b.bytes);
		}
		series_free(&c->s);
	}
	free(t->ctr);
}

/* Counters start on the whole second at or before the earliest session. */
static int64_t counters_origin(struct report *r)
{
	int64_t o = INT64_MAX;

	for (unsigned i = 0; i < r->nfiles; i++) {
		int64_t s = (int64_t)session_start_ns(r->readers[i]) +
			    fmt_reader_clock_offset(r->readers[i]);
		o = s < o ? s : o;
	}
	if (o == INT64_MAX)
		o = 0;
	return o - ((o % BUCKET_NS) + BUCKET_NS) % BUCKET_NS;
}

int perfetto_write(struct report *r, FILE *f)
{
	static const struct proc_ops ops = { run_begin, run_end };
	struct trace t = { .f = f, .first = 1, .r = r, .origin = counters_origin(r) };
	struct walk w = { &t, proctrack_new(&ops, &t, r->readers, r->nfiles) };
	int rc;

	if (!w.procs) {
		report_err("out of memory");
		return 1;
	}
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"ebpfreport " EBPFREC_VERSION
	      "\"},\n\"traceEvents\":[",
	      f);
	rc = report_each(r, on_event, &w);
	if (proctrack_finish(w.procs))
		t.oom = 1;
	write_counters(r, &t);
	write_owner_counters(&t);
	fputs("\n]}\n", f);
	proctrack_free(w.procs);
	json_free(&t.j);
	if (t.oom) {
		report_err("out of memory");
		return 1;
	}
	return rc;
}
