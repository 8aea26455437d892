/* print.c - live event lines for --print (time pid ppid uid comm argv). */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "print.h"

static void put_time(struct printer *p, uint64_t ts)
{
	int64_t wall = (int64_t)ts + p->clock_offset_ns;
	time_t sec = (time_t)(wall / 1000000000);
	struct tm tm;
	char buf[16];

	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(p->out, "%s.%06lld ", buf, (long long)(wall % 1000000000) / 1000);
}

/* An argument as a shell would need it: quoted if it has spaces or
 * specials, unprintable bytes as \xNN. */
static void put_arg(FILE *f, const char *a)
{
	int plain = *a != 0;

	for (const char *s = a; *s && plain; s++)
		if (!isgraph((unsigned char)*s) || strchr("'\"\\$`!*?;&|<>(){}[]#~", *s))
			plain = 0;
	if (plain) {
		fputs(a, f);
		return;
	}
	fputc('\'', f);
	for (const unsigned char *s = (const unsigned char *)a; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", *s);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void header(struct printer *p)
{
	if (p->header_done)
		return;
	p->header_done = 1;
	fprintf(p->out, "%-15s %-5s %7s %7s %6s %-15s %s\n", "TIME", "EVENT", "PID", "PPID", "UID",
		"COMM", "DETAIL");
}

void print_exec(struct printer *p, const struct fmt_exec *e)
{
	header(p);
	put_time(p, e->ts_ns);
	fprintf(p->out, "%-5s %7u %7u %6u %-15s ", "exec", e->pid, e->ppid, e->uid, e->comm);
	if (e->ret < 0)
		fprintf(p->out, "[%s] ", strerror(-e->ret));
	for (uint32_t i = 0; i < e->argc; i++) {
		if (i)
			fputc(' ', p->out);
		put_arg(p->out, e->argv[i]);
	}
	if (e->flags & FMT_EXEC_ARGV_TRUNCATED)
		fputs(" [...]", p->out);
	if (!e->argc)
		put_arg(p->out, e->filename);
	fputc('\n', p->out);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}

void print_exit(struct printer *p, const struct fmt_exit *e)
{
	double life = (double)(e->ts_ns - e->start_ns) / 1e9;

	header(p);
	put_time(p, e->ts_ns);
	fprintf(p->out, "%-5s %7u %7u %6s %-15s ", "exit", e->pid, e->ppid, "-", "-");
	if (e->signal)
		fprintf(p->out, "killed by signal %u (%s)", e->signal, strsignal((int)e->signal));
	else
		fprintf(p->out, "code %u", e->exit_code);
	fprintf(p->out, " after %.3fs\n", life);
	if (fflush(p->out) || ferror(p->out))
		p->write_error = 1;
}
