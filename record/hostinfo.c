/* hostinfo.c - see hostinfo.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "fmt_meta.h"
#include "hostinfo.h"
#include "sink.h"

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t host_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

int64_t host_clock_offset_ns(void)
{
	/* bracket the wall-clock read between two boot-clock reads and keep
	 * the tightest of a few tries */
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t b0 = clock_ns(CLOCK_BOOTTIME);
		uint64_t w = clock_ns(CLOCK_REALTIME);
		uint64_t b1 = clock_ns(CLOCK_BOOTTIME);
		if (b1 - b0 < best_gap) {
			best_gap = b1 - b0;
			best = (int64_t)(w - (b0 + (b1 - b0) / 2));
		}
	}
	return best;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

const char *host_random_id(char *buf)
{
	uint8_t b[16] = { 0 };
	ssize_t n = getrandom(b, sizeof(b), 0);

	if (n != (ssize_t)sizeof(b)) { /* never in practice: still unique enough */
		uint64_t t = clock_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 48;
		memcpy(b, &t, sizeof(t));
		t = clock_ns(CLOCK_BOOTTIME);
		memcpy(b + 8, &t, sizeof(t));
	}
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	return buf;
}

void host_meta(struct sink *s, int64_t clock_offset_ns)
{
	struct utsname u;
	char buf[256];

	if (uname(&u) == 0) {
		sink_meta(s, FMT_META_HOSTNAME, u.nodename);
		sink_meta(s, FMT_META_KERNEL_RELEASE, u.release);
		sink_meta(s, FMT_META_MACHINE, u.machine);
	}
	read_line("/proc/sys/kernel/random/boot_id", buf, sizeof(buf));
	sink_meta(s, FMT_META_BOOT_ID, buf);
	sink_meta(s, FMT_META_CLOCK, "boottime");
	snprintf(buf, sizeof(buf), "%lld", (long long)clock_offset_ns);
	sink_meta(s, FMT_META_CLOCK_OFFSET_NS, buf);
	sink_meta(s, FMT_META_TOOL_VERSION, "ebpfrec " EBPFREC_VERSION);
	sink_meta(s, FMT_META_SESSION_ID, host_random_id(buf));
}

char *host_cmdline(int argc, char **argv)
{
	size_t len = 1;
	char *out, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	out = p = malloc(len);
	if (!out)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789-_./=:,+@%") == strlen(a);
		if (i)
			*p++ = ' ';
		if (plain) {
			p = stpcpy(p, a);
			continue;
		}
		*p++ = '\'';
		for (; *a; a++) {
			if (*a == '\'')
				p = stpcpy(p, "'\\''");
			else
				*p++ = *a;
		}
		*p++ = '\'';
	}
	*p = 0;
	return out;
}
