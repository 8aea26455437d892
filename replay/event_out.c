/* event_out.c - see event_out.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_meta.h"
#include "event_out.h"
#include "out.h"
#include "fmt_text.h"
#include "obuf.h"
#include "row_out.h"
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

int event_row(struct report *r, const struct fmt_event *ev, struct fmt_row *row,
	      char ifn[EVENT_IFNAME])
{
	struct fmt_reader *rd = r->readers[ev->source];

	return fmt_row_fill(ev, fmt_reader_clock_offset(rd),
			    ev->stream == FMT_STREAM_FLOW ?
				    out_iface(rd, ev->flow.key.ifindex, ifn, EVENT_IFNAME) :
				    NULL,
			    row);
}

void event_json(struct report *r, const struct fmt_event *ev, struct json *j)
{
	struct obuf o = { 0 };
	struct row_out w = { .o = &o };
	struct fmt_row row;
	char ifn[EVENT_IFNAME];

	if (event_row(r, ev, &row, ifn)) {
		json_null(j);
		return;
	}
	row_jsonl(&w, &row, fmt_stream_name(ev->stream), r->nfiles > 1 ? r->paths[ev->source] : NULL);
	if (o.err)
		j->oom = 1;
	else
		json_raw(j, o.buf, o.len - 1); /* without the newline */
	obuf_free(&o);
	row_out_free(&w);
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
		fmt_text_join_argv(argv, sizeof(argv), e->argc, e->argv);
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
		fmt_text_join_argv(argv, sizeof(argv), p->argc, p->argv);
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
