/* status.c - a status line redrawn a few times a second on stderr, only when
 * stderr is a terminal (or --progress); nothing otherwise but errors. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostinfo.h"
#include "output.h"
#include "status.h"

static uint64_t file_bytes(const char *path)
{
	char side[4096];
	struct stat st;
	uint64_t n = 0;

	if (stat(path, &st) == 0)
		n += (uint64_t)st.st_size;
	snprintf(side, sizeof(side), "%s-wal", path);
	if (stat(side, &st) == 0)
		n += (uint64_t)st.st_size;
	return n;
}

static void human_bytes(char *buf, size_t len, uint64_t n)
{
	if (n < 1024)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < (1u << 20))
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else if (n < (1u << 30))
		snprintf(buf, len, "%.1f MiB", n / 1048576.0);
	else
		snprintf(buf, len, "%.2f GiB", n / 1073741824.0);
}

void status_init(struct status *s, struct output *out, int progress, uint64_t start_ns)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->on = progress == 1 || (progress == -1 && isatty(STDERR_FILENO));
	s->start_ns = s->last_ns = start_ns;
}

void status_start(struct status *s, const struct rec_options *o)
{
	s->ring = o->out.ring_ns != 0;
	if (!s->on)
		return;
	output_path(s->out, s->path, sizeof(s->path));
	fprintf(stderr, "ebpfrec: recording %s%s%s -> %s%s (Ctrl-C to stop)\n",
		o->no_exec ? "" : "execs and exits", !o->no_exec && !o->no_net ? ", " : "",
		o->no_net ? "" : "flows", s->ring ? "memory, dumps to " : "",
		s->ring ? o->output : s->path);
}

void status_update(struct status *s, struct exec_source *x, struct sink *sink)
{
	struct exec_counts c = { 0 };
	uint64_t now = host_boot_ns(), el = (now - s->start_ns) / 1000000000ull;
	double rate;
	char size[32];

	(void)sink;
	if (!s->on)
		return;
	if (x)
		exec_source_counts(x, &c);
	rate = now > s->last_ns ? (double)(c.execs - s->last_execs) * 1e9 / (double)(now - s->last_ns) : 0;
	s->last_ns = now;
	s->last_execs = c.execs;
	output_path(s->out, s->path, sizeof(s->path));
	human_bytes(size, sizeof(size), s->ring ? output_bytes(s->out) : file_bytes(s->path));
	fprintf(stderr, "\r%02llu:%02llu:%02llu  %llu execs  %.0f/s  %llu exits  %llu lost  | %s%s \033[K",
		(unsigned long long)(el / 3600), (unsigned long long)(el / 60 % 60),
		(unsigned long long)(el % 60), (unsigned long long)c.execs, rate,
		(unsigned long long)c.exits, (unsigned long long)c.lost_ringbuf,
		s->ring ? "in memory " : "", size);
	s->drawn = 1;
}

void status_finish_line(struct status *s)
{
	if (s->drawn)
		fputc('\n', stderr);
	s->drawn = 0;
}

void status_output(struct status *s)
{
	output_path(s->out, s->path, sizeof(s->path));
	s->files = atomic_load(&s->out->files);
	s->out = NULL; /* about to be closed */
}

void status_summary(struct status *s, const struct exec_counts *c, const struct flow_counts *fc,
		    const struct sink_stats *st)
{
	uint64_t el = (host_boot_ns() - s->start_ns) / 1000000000ull;
	char size[32];

	if (!s->on)
		return;
	human_bytes(size, sizeof(size), file_bytes(s->path));
	if (s->ring && !s->files)
		snprintf(size, sizeof(size), "no dump");
	else if (s->ring || s->files)
		snprintf(size + strlen(size), sizeof(size) - strlen(size), ", %llu %s",
			 (unsigned long long)s->files + !s->ring,
			 s->ring ? "dumps" : "files");
	fprintf(stderr,
		"ebpfrec: stopped after %llus: %llu execs (%llu failed), %llu exits, %llu flow rows "
		"(%llu packets), %llu lost, %llu packets in overflow; %s (%s)\n",
		(unsigned long long)el, (unsigned long long)c->execs, (unsigned long long)c->failed,
		(unsigned long long)c->exits, (unsigned long long)fc->rows,
		(unsigned long long)fc->packets,
		(unsigned long long)(c->lost_ringbuf + st->lost_queue),
		(unsigned long long)fc->overflow_packets, s->path, size);
}
