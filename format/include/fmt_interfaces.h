/* fmt_interfaces.h - the `interfaces` meta value (docs/FORMAT.md): a JSON
 * array with one object per hooked interface. One writer and one strict,
 * bounded parser (the value comes from strangers' files); object keys may
 * come in any order, unknown keys are skipped, a repeated key's last value
 * wins. fmt_reader parses it once at open (fmt_reader_ifaces).
 */
#ifndef FMT_INTERFACES_H
#define FMT_INTERFACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FMT_MAX_IFACES 65536 /* objects in one list */

struct fmt_iface {
	uint32_t index; /* "index": the ifindex flow records carry */
	const char *name; /* "name" */
	const char *netns; /* "netns": the network namespace it is in, when that
			    * is not the recorder's; NULL otherwise */
	uint32_t ifindex; /* "ifindex": with netns, its index in that namespace */
	const char *const *addr; /* "addresses": IPv4/IPv6 addresses as text */
	unsigned naddr;
	const char *ingress; /* "ingress": hook used, "xdp-native", "xdp-generic",
			      * "tcx (xdp busy)", or "" if none */
	const char *egress; /* "egress": "tcx", "tc", or "" */
	bool gone; /* "gone": the interface disappeared while recording */
	const char *label; /* not stored: what reports call it, the name or,
			    * with netns, "NETNS/NAME" */
};

struct fmt_ifaces; /* a parsed list; its strings live as long as it does */

/* Parse text. @return 0 and *out (free with fmt_ifaces_free), FMT_ECORRUPT
 * if text is not such a list (or exceeds FMT_MAX_IFACES), FMT_ENOMEM. */
int fmt_ifaces_parse(const char *text, struct fmt_ifaces **out);
void fmt_ifaces_free(struct fmt_ifaces *l);
size_t fmt_ifaces_count(const struct fmt_ifaces *l);
/* @return entry i (i < count) */
const struct fmt_iface *fmt_ifaces_at(const struct fmt_ifaces *l, size_t i);
/* @return the first entry with that index, or NULL */
const struct fmt_iface *fmt_ifaces_find(const struct fmt_ifaces *l, uint32_t index);

/* The JSON text of n interfaces (malloc'd), or NULL when out of memory.
 * NULL strings are written as "" (netns: not written, nor ifindex). */
char *fmt_ifaces_format(const struct fmt_iface *v, size_t n);

#endif
