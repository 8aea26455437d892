/* print.c - live event lines for --print: the line ebpfreport replay
 * writes for the same event (fmt_text_event), in local time, with the
 * interface named as this host names it now and a flow's owner named from
 * the execs and process table seen so far, as replay names it. */
#include <net/if.h>
#include <stdio.h>

#include "fmt_names.h"
#include "fmt_text.h"
#include "print.h"

void print_event(struct printer *p, const struct fmt_event *ev)
{
	struct fmt_text_opts o = { .clock_offset = p->clock_offset_ns, .owners = p->owners };
	char ifn[IF_NAMESIZE];

	if (!p->names)
		p->names = fmt_names_new();
	if (p->names)
		fmt_names_add(p->names, ev);
	if (ev->stream == FMT_STREAM_FLOW)
		o.iface = if_indextoname(ev->flow.key.ifindex, ifn);
	if (p->names)
		fmt_text_name(&o, p->names, ev);
	fmt_text_event(p->out, ev, &o);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}

void print_exec(struct printer *p, const struct fmt_exec *e)
{
	print_event(p, &(struct fmt_event){ .stream = FMT_STREAM_EXEC, .exec = *e });
}

void print_exit(struct printer *p, const struct fmt_exit *e)
{
	print_event(p, &(struct fmt_event){ .stream = FMT_STREAM_EXIT, .exit = *e });
}

void print_flow(struct printer *p, const struct fmt_flow *f)
{
	print_event(p, &(struct fmt_event){ .stream = FMT_STREAM_FLOW, .flow = *f });
}

void print_free(struct printer *p)
{
	fmt_names_free(p->names);
	p->names = NULL;
}
