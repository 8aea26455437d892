/* event_out.c - see event_out.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "event_out.h"
#include "out.h"
#include "fmt_text.h"
#include "who.h"

static int64_t wall(struct report *r, const struct fmt_event *ev)
{
	return (int64_t)fmt_event_ts(ev) + fmt_reader_clock_offset(r->readers[ev->source]);
}

void event_line(struct report *r, const struct fmt_event *ev, FILE *f)
{
	struct fmt_reader *rd = r->readers[ev->source];
	struct fmt_text_opts o = { .clock_offset = fmt_reader_clock_offset(rd), .utc = r->utc };

	if (r->nfiles > 1)
		o.source = fmt_reader_meta(rd, FMT_META_HOSTNAME) ?: r->paths[ev->source];
	if (ev->stream == FMT_STREAM_FLOW) {
		o.iface = fmt_reader_iface_name(rd, ev->flow.key.ifindex);
		o.owners = who_owners_recorded(r, ev->source);
	}
	if ((ev->stream == FMT_STREAM_FLOW && ev->flow.owner.pid) || ev->stream == FMT_STREAM_EXIT) {
		const struct fmt_names *names = who_names(r);
		if (names)
			fmt_text_name(&o, names, ev);
	}
	fmt_text_event(f, ev, &o);
}

static void flow_fields(struct report *r, const struct fmt_event *ev, struct json *j)
{
	const struct fmt_flow_key *k = &ev->flow.key;
	char a[64], pb[16];

	json_kv_u64(j, "interval_ns", ev->flow.interval_ns);
	json_kv_u64(j, "ifindex", k->ifindex);
	json_kv_str(j, "iface", out_iface(r->readers[ev->source], k->ifindex, a, sizeof(a)));
	json_kv_str(j, "dir", k->dir == FMT_DIR_EGRESS ? "egress" : "ingress");
	json_kv_u64(j, "family", k->family);
	json_kv_str(j, "proto", fmt_text_proto(k->proto, pb, sizeof(pb)));
	json_kv_str(j, "src", fmt_text_addr(a, sizeof(a), k->family, k->src));
	json_kv_u64(j, "sport", k->sport);
	json_kv_str(j, "dst", fmt_text_addr(a, sizeof(a), k->family, k->dst));
	json_kv_u64(j, "dport", k->dport);
	json_kv_u64(j, "packets", ev->flow.packets);
	json_kv_u64(j, "bytes", ev->flow.bytes);
	if (ev->flow.owner.pid) {
		json_kv_u64(j, "owner_pid", ev->flow.owner.pid);
		json_kv_u64(j, "owner_start_ns", ev->flow.owner.start_ns);
		json_kv_u64(j, "owner_cgroup_id", ev->flow.owner.cgroup_id);
	} else {
		json_key(j, "owner_pid");
		json_null(j);
	}
}

/* A string that may not have been recorded: null then. */
static void kv_opt_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	if (v)
		json_str(j, v);
	else
		json_null(j);
}

void event_json(struct report *r, const struct fmt_event *ev, struct json *j)
{
	json_begin_object(j);
	json_kv_str(j, "type", fmt_stream_name(ev->stream));
	json_kv_u64(j, "ts_ns", fmt_event_ts(ev));
	json_kv_i64(j, "wall_ns", wall(r, ev));
	if (r->nfiles > 1)
		json_kv_str(j, "file", r->paths[ev->source]);
	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		json_kv_u64(j, "pid", e->pid);
		json_kv_u64(j, "tid", e->tid);
		json_kv_u64(j, "ppid", e->ppid);
		json_kv_u64(j, "uid", e->uid);
		json_kv_u64(j, "gid", e->gid);
		json_kv_u64(j, "cgroup_id", e->cgroup_id);
		json_kv_str(j, "comm", e->comm);
		json_kv_str(j, "pcomm", e->pcomm);
		json_kv_str(j, "filename", e->filename);
		json_key(j, "argv");
		json_str_array(j, e->argv, e->argc);
		json_kv_bool(j, "argv_truncated", e->flags & FMT_EXEC_ARGV_TRUNCATED);
		json_kv_i64(j, "ret", e->ret);
		kv_opt_str(j, "interp", e->interp);
		kv_opt_str(j, "cwd", e->cwd);
		json_kv_bool(j, "cwd_truncated", e->flags & FMT_EXEC_CWD_TRUNCATED);
		json_kv_u64(j, "start_ns", e->start_ns);
	} else if (ev->stream == FMT_STREAM_PROC) {
		const struct fmt_proc *p = &ev->proc;
		json_kv_u64(j, "pid", p->pid);
		json_kv_u64(j, "ppid", p->ppid);
		json_kv_u64(j, "uid", p->uid);
		json_kv_u64(j, "gid", p->gid);
		json_kv_u64(j, "cgroup_id", p->cgroup_id);
		json_kv_u64(j, "start_ns", p->start_ns);
		json_kv_str(j, "comm", p->comm);
		json_kv_str(j, "exe", p->exe);
		json_key(j, "argv");
		json_str_array(j, p->argv, p->argc);
		json_kv_bool(j, "argv_truncated", p->flags & FMT_EXEC_ARGV_TRUNCATED);
		kv_opt_str(j, "cwd", p->cwd);
		json_kv_bool(j, "cwd_truncated", p->flags & FMT_EXEC_CWD_TRUNCATED);
		json_kv_bool(j, "kthread", p->flags & FMT_PROC_KTHREAD);
	} else if (ev->stream == FMT_STREAM_CGROUP) {
		static const char *const kinds[] = { "present", "created", "removed" };
		json_kv_u64(j, "cgroup_id", ev->cgroup.cgroup_id);
		json_kv_str(j, "kind", ev->cgroup.kind < 3 ? kinds[ev->cgroup.kind] : "?");
		json_kv_str(j, "path", ev->cgroup.path);
	} else if (ev->stream == FMT_STREAM_EXIT) {
		const struct fmt_exit *x = &ev->exit;
		json_kv_u64(j, "pid", x->pid);
		json_kv_u64(j, "ppid", x->ppid);
		json_kv_u64(j, "exit_code", x->exit_code);
		json_kv_u64(j, "signal", x->signal);
		json_kv_u64(j, "start_ns", x->start_ns);
	} else {
		flow_fields(r, ev, j);
	}
	json_end_object(j);
}

void event_csv_header(FILE *f)
{
	fputs("type,ts_ns,time,pid,tid,ppid,uid,gid,comm,pcomm,filename,argv,argv_truncated,ret,"
	      "exit_code,signal,start_ns,iface,dir,proto,src,sport,dst,dport,packets,bytes\n",
	      f);
}

void event_csv(struct report *r, const struct fmt_event *ev, FILE *f)
{
	char t[64], a[64], b[64], ifn[64], pb[16];

	fmt_text_wall(t, sizeof(t), wall(r, ev), r->utc, true);
	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		char argv[8192];
		size_t n = 0;
		argv[0] = 0;
		for (uint32_t i = 0; i < e->argc && n < sizeof(argv) - 1; i++)
			n += (size_t)snprintf(argv + n, sizeof(argv) - n, "%s%s", i ? " " : "", e->argv[i]);
		fprintf(f, "exec,%" PRIu64 ",%s,%u,%u,%u,%u,%u,", e->ts_ns, t, e->pid, e->tid, e->ppid,
			e->uid, e->gid);
		out_csv_field(f, e->comm);
		fputc(',', f);
		out_csv_field(f, e->pcomm);
		fputc(',', f);
		out_csv_field(f, e->filename);
		fputc(',', f);
		out_csv_field(f, argv);
		fprintf(f, ",%d,%d,,,,,,,,,,,,\n", !!(e->flags & FMT_EXEC_ARGV_TRUNCATED), e->ret);
	} else if (ev->stream == FMT_STREAM_PROC) {
		const struct fmt_proc *p = &ev->proc;
		char argv[8192];
		size_t n = 0;
		argv[0] = 0;
		for (uint32_t i = 0; i < p->argc && n < sizeof(argv) - 1; i++)
			n += (size_t)snprintf(argv + n, sizeof(argv) - n, "%s%s", i ? " " : "", p->argv[i]);
		fprintf(f, "proc,%" PRIu64 ",%s,%u,,%u,%u,%u,", p->ts_ns, t, p->pid, p->ppid, p->uid,
			p->gid);
		out_csv_field(f, p->comm);
		fputs(",,", f);
		out_csv_field(f, p->exe);
		fputc(',', f);
		out_csv_field(f, argv);
		fprintf(f, ",%d,,,,%" PRIu64 ",,,,,,,,,\n", !!(p->flags & FMT_EXEC_ARGV_TRUNCATED),
			p->start_ns);
	} else if (ev->stream == FMT_STREAM_CGROUP) {
		fprintf(f, "cgroup,%" PRIu64 ",%s,,,,,,,,", ev->cgroup.ts_ns, t);
		out_csv_field(f, ev->cgroup.path); /* in the filename column */
		fputs(",,,,,,,,,,,,,,,\n", f);
	} else if (ev->stream == FMT_STREAM_EXIT) {
		const struct fmt_exit *x = &ev->exit;
		fprintf(f, "exit,%" PRIu64 ",%s,%u,,%u,,,,,,,,,%u,%u,%" PRIu64 ",,,,,,,,,\n", x->ts_ns, t,
			x->pid, x->ppid, x->exit_code, x->signal, x->start_ns);
	} else {
		const struct fmt_flow_key *k = &ev->flow.key;
		fprintf(f, "flow,%" PRIu64 ",%s,,,,,,,,,,,,,,,%s,%s,%s,%s,%u,%s,%u,%" PRIu64 ",%" PRIu64 "\n",
			ev->flow.ts_ns, t, out_iface(r->readers[ev->source], k->ifindex, ifn, sizeof(ifn)),
			k->dir == FMT_DIR_EGRESS ? "egress" : "ingress", fmt_text_proto(k->proto, pb, sizeof(pb)),
			fmt_text_addr(b, sizeof(b), k->family, k->src), k->sport,
			fmt_text_addr(a, sizeof(a), k->family, k->dst), k->dport, ev->flow.packets,
			ev->flow.bytes);
	}
}

/* ---- one CSV table per stream (export): every field, argv as a JSON
 * array so that arguments with spaces or commas survive the round trip */

void event_csv_stream_header(enum fmt_stream s, FILE *f)
{
	static const char *const head[] = {
		"",
		"ts_ns,wall_ns,pid,tid,ppid,uid,gid,cgroup_id,comm,pcomm,filename,argv,"
		"argv_truncated,ret,interp,cwd,cwd_truncated,start_ns\n",
		"ts_ns,wall_ns,pid,ppid,exit_code,signal,start_ns\n",
		"ts_ns,wall_ns,interval_ns,ifindex,iface,dir,family,proto,src,sport,dst,dport,"
		"packets,bytes,owner_pid,owner_start_ns,owner_cgroup_id\n",
		"ts_ns,wall_ns,pid,ppid,uid,gid,cgroup_id,start_ns,comm,exe,argv,argv_truncated,"
		"cwd,cwd_truncated,kthread\n",
		"ts_ns,wall_ns,cgroup_id,kind,path\n",
	};
	fputs(head[s], f);
}

void event_csv_stream(struct report *r, const struct fmt_event *ev, struct json *j, FILE *f)
{
	char a[64], b[64], ifn[64];
	int64_t w = wall(r, ev);

	if (ev->stream == FMT_STREAM_EXEC) {
		const struct fmt_exec *e = &ev->exec;
		char *argv;
		json_str_array(j, e->argv, e->argc);
		argv = json_take(j);
		fprintf(f, "%" PRIu64 ",%" PRId64 ",%u,%u,%u,%u,%u,%" PRIu64 ",", e->ts_ns, w, e->pid,
			e->tid, e->ppid, e->uid, e->gid, e->cgroup_id);
		out_csv_field(f, e->comm);
		fputc(',', f);
		out_csv_field(f, e->pcomm ? e->pcomm : "");
		fputc(',', f);
		out_csv_field(f, e->filename);
		fputc(',', f);
		out_csv_field(f, argv ? argv : "");
		fprintf(f, ",%d,%d,", !!(e->flags & FMT_EXEC_ARGV_TRUNCATED), e->ret);
		if (e->interp)
			out_csv_field(f, e->interp);
		fputc(',', f);
		if (e->cwd)
			out_csv_field(f, e->cwd);
		fprintf(f, ",%d,%" PRIu64 "\n", !!(e->flags & FMT_EXEC_CWD_TRUNCATED), e->start_ns);
		free(argv);
	} else if (ev->stream == FMT_STREAM_PROC) {
		const struct fmt_proc *p = &ev->proc;
		char *argv;
		json_str_array(j, p->argv, p->argc);
		argv = json_take(j);
		fprintf(f, "%" PRIu64 ",%" PRId64 ",%u,%u,%u,%u,%" PRIu64 ",%" PRIu64 ",", p->ts_ns, w,
			p->pid, p->ppid, p->uid, p->gid, p->cgroup_id, p->start_ns);
		out_csv_field(f, p->comm);
		fputc(',', f);
		out_csv_field(f, p->exe);
		fputc(',', f);
		out_csv_field(f, argv ? argv : "");
		fprintf(f, ",%d,", !!(p->flags & FMT_EXEC_ARGV_TRUNCATED));
		if (p->cwd)
			out_csv_field(f, p->cwd);
		fprintf(f, ",%d,%d\n", !!(p->flags & FMT_EXEC_CWD_TRUNCATED),
			!!(p->flags & FMT_PROC_KTHREAD));
		free(argv);
	} else if (ev->stream == FMT_STREAM_CGROUP) {
		static const char *const kinds[] = { "present", "created", "removed" };
		fprintf(f, "%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%s,", ev->cgroup.ts_ns, w,
			ev->cgroup.cgroup_id, ev->cgroup.kind < 3 ? kinds[ev->cgroup.kind] : "?");
		out_csv_field(f, ev->cgroup.path);
		fputc('\n', f);
	} else if (ev->stream == FMT_STREAM_EXIT) {
		const struct fmt_exit *x = &ev->exit;
		fprintf(f, "%" PRIu64 ",%" PRId64 ",%u,%u,%u,%u,%" PRIu64 "\n", x->ts_ns, w, x->pid,
			x->ppid, x->exit_code, x->signal, x->start_ns);
	} else {
		const struct fmt_flow_key *k = &ev->flow.key;
		fprintf(f, "%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%u,", ev->flow.ts_ns, w,
			ev->flow.interval_ns, k->ifindex);
		out_csv_field(f, out_iface(r->readers[ev->source], k->ifindex, ifn, sizeof(ifn)));
		fprintf(f, ",%s,%u,%u,%s,%u,%s,%u,%" PRIu64 ",%" PRIu64 ",",
			k->dir == FMT_DIR_EGRESS ? "egress" : "ingress", k->family, k->proto,
			fmt_text_addr(a, sizeof(a), k->family, k->src), k->sport,
			fmt_text_addr(b, sizeof(b), k->family, k->dst), k->dport, ev->flow.packets,
			ev->flow.bytes);
		if (ev->flow.owner.pid)
			fprintf(f, "%u,%" PRIu64 ",%" PRIu64 "\n", ev->flow.owner.pid,
				ev->flow.owner.start_ns, ev->flow.owner.cgroup_id);
		else
			fputs(",,\n", f);
	}
}
