/* print.c - live event lines for --print: the line ebpfreport replay
 * writes for the same event (fmt_text_event), in local time, with the
 * interface named as this host names it now. */
#include <net/if.h>
#include <stdio.h>

#include "fmt_text.h"
#include "print.h"

static void line(struct printer *p, const struct fmt_event *ev, const char *iface)
{
	struct fmt_text_opts o = { .clock_offset = p->clock_offset_ns, .iface = iface };

	fmt_text_event(p->out, ev, &o);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}

void print_exec(struct printer *p, const struct fmt_exec *e)
{
	line(p, &(struct fmt_event){ .stream = FMT_STREAM_EXEC, .exec = *e }, NULL);
}

void print_exit(struct printer *p, const struct fmt_exit *e)
{
	line(p, &(struct fmt_event){ .stream = FMT_STREAM_EXIT, .exit = *e }, NULL);
}

void print_flow(struct printer *p, const struct fmt_flow *f)
{
	char ifn[IF_NAMESIZE];

	line(p, &(struct fmt_event){ .stream = FMT_STREAM_FLOW, .flow = *f },
	     if_indextoname(f->key.ifindex, ifn));
}
