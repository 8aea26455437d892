/* privs.c - capability check from /proc/self/status (no libcap needed).
 *
 * CAP_BPF loads programs and creates maps; CAP_PERFMON lets tracing
 * programs read kernel memory (task structs, argv); CAP_NET_ADMIN attaches
 * XDP and tc programs. CAP_SYS_ADMIN implies the first two on every kernel.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "privs.h"

#define CAP_NET_ADMIN 12
#define CAP_SYS_ADMIN 21
#define CAP_PERFMON 38
#define CAP_BPF 39

static uint64_t effective_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t caps = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
			break;
	fclose(f);
	return caps;
}

int privs_check(bool need_net, char *msg, size_t len)
{
	uint64_t caps = effective_caps();
	char missing[128] = "";
	int has_admin = !!(caps & (1ull << CAP_SYS_ADMIN));

	if (!has_admin && !(caps & (1ull << CAP_BPF)))
		strcat(missing, ", CAP_BPF");
	if (!has_admin && !(caps & (1ull << CAP_PERFMON)))
		strcat(missing, ", CAP_PERFMON");
	if (need_net && !(caps & (1ull << CAP_NET_ADMIN)))
		strcat(missing, ", CAP_NET_ADMIN");
	if (!missing[0])
		return 0;
	snprintf(msg, len,
		 "need root or the capabilities CAP_BPF, CAP_PERFMON%s (missing: %s); try sudo",
		 need_net ? ", CAP_NET_ADMIN" : "", missing + 2);
	return -1;
}
