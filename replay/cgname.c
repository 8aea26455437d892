#define _GNU_SOURCE /* memmem */
/* cgname.c - see cgname.h.
 *
 * The layouts recognised (cgroup v2, systemd and cgroupfs drivers):
 *   /system.slice/docker-<id>.scope               docker, systemd driver
 *   /docker/<id>                                  docker, cgroupfs driver
 *   /system.slice/containerd.service/...:cri-containerd:<id>
 *   .../cri-containerd-<id>.scope                 containerd (CRI)
 *   .../crio-<id>.scope, .../crio-conmon-<id>.scope   cri-o
 *   .../libpod-<id>.scope, /machine.slice/libpod-<id>.scope  podman
 *   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/...
 *   /kubepods/burstable/pod<uid>/<id>             kubelet, cgroupfs driver
 * A pod UID is written with underscores under the systemd driver.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cgname.h"

#define ID_LEN 64

/* Is s[0..n) lowercase hex? */
static int hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The component of path starting at c, length in *n. @return its start,
 * or NULL at the end. */
static const char *next_component(const char *c, size_t *n)
{
	while (*c == '/')
		c++;
	if (!*c)
		return NULL;
	*n = strcspn(c, "/");
	return c;
}

char *cgname_unit(const char *path, char *buf, size_t len)
{
	static const char *const kinds[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	const char *c = path, *found = NULL;
	size_t n, fn = 0;

	while ((c = next_component(c, &n))) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			size_t kl = strlen(kinds[k]);
			if (n > kl && !memcmp(c + n - kl, kinds[k], kl)) {
				found = c;
				fn = n;
			}
		}
		c += n;
	}
	if (!found)
		return NULL;
	snprintf(buf, len, "%.*s", (int)fn, found);
	return buf;
}

char *cgname_container(const char *path, char *buf, size_t len)
{
	static const char *const prefixes[] = { "docker-", "cri-containerd-", "crio-conmon-",
						"crio-", "libpod-conmon-", "libpod-" };
	const char *c = path, *id = NULL;
	size_t n;

	while ((c = next_component(c, &n))) {
		const char *colon = memchr(c, ':', n);
		/* a bare id: /docker/<id>, /kubepods/.../<id> */
		if (n == ID_LEN && hex_run(c, n))
			id = c;
		/* <runtime>-<id>.scope */
		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			size_t pl = strlen(prefixes[p]);
			if (n == pl + ID_LEN + 6 && !memcmp(c, prefixes[p], pl) &&
			    !memcmp(c + pl + ID_LEN, ".scope", 6) && hex_run(c + pl, ID_LEN)) {
				id = c + pl;
				break;
			}
		}
		/* ...:cri-containerd:<id> (containerd, systemd driver, no scope) */
		if (colon && n >= ID_LEN && hex_run(c + n - ID_LEN, ID_LEN) &&
		    c[n - ID_LEN - 1] == ':')
			id = c + n - ID_LEN;
		c += n;
	}
	if (!id)
		return NULL;
	snprintf(buf, len, "%.*s", ID_LEN, id);
	return buf;
}

char *cgname_pod(const char *path, char *buf, size_t len)
{
	const char *c = path;
	size_t n;

	while ((c = next_component(c, &n))) {
		const char *pod = NULL, *colon = memchr(c, ':', n);
		size_t pn = 0, whole = n;
		if (colon) /* slice:runtime:id (containerd, systemd driver) */
			n = (size_t)(colon - c);
		/* kubepods-<qos>-pod<uid>.slice or kubepods-pod<uid>.slice */
		if (n > 6 && !memcmp(c + n - 6, ".slice", 6)) {
			const char *p = c;
			const char *end = c + n - 6;
			while ((p = memmem(p, (size_t)(end - p), "pod", 3))) {
				if (p > c && p[-1] == '-') {
					pod = p + 3;
					pn = (size_t)(end - pod);
				}
				p += 3;
			}
		} else if (n > 3 && !memcmp(c, "pod", 3)) { /* /kubepods/<qos>/pod<uid> */
			pod = c + 3;
			pn = n - 3;
		}
		if (pod && pn == 36 && len > 36) {
			for (size_t i = 0; i < 36; i++) {
				char ch = pod[i] == '_' ? '-' : pod[i];
				if (!(isxdigit((unsigned char)ch) || ch == '-'))
					goto next;
				buf[i] = ch;
			}
			buf[36] = 0;
			return buf;
		}
next:
		c += whole;
	}
	return NULL;
}
