/* html.h - the parts of `ebpfreport html` (cmd_html.c): what the page
 * knows once the records are read, the charts (html_chart.c) and the
 * process tree (html_tree.c). Strings from the session go out through
 * html_text.h only. */
#ifndef HTML_H
#define HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "proctree.h"
#include "report.h"
#include "series.h"
#include "top.h"

#define HTML_MAX_BUCKETS 600
#define HTML_MAX_IFACES 12 /* chart series; the rest are summed as "other" */

struct html_iface {
	unsigned source;
	uint32_t ifindex;
	char name[64];
	struct series dir[2]; /* by enum fmt_dir: received, sent */
};

struct page {
	FILE *f;
	struct report *r;
	int64_t t0, bucket_ns; /* the charts' time grid (wall clock) */
	size_t nbuckets;
	struct series events; /* execs (and exits) per bucket */
	uint64_t nexec, nfailed, nexit, nflow, npackets, nbytes;
	bool net; /* some file recorded flows (not all were --no-net) */
	bool owners; /* some file's flows carry owners */
	struct html_iface ifs[HTML_MAX_IFACES + 1]; /* the last: "other" */
	size_t nifs;
	struct proctree *tree;
	struct top comms, flows, talkers;
	int oom;
};

/* The time grid: the session range over all files (within the time
 * filters), cut in at most HTML_MAX_BUCKETS buckets of a round width. */
void html_plan_buckets(struct page *p);
/* Count a flow row in its interface's chart series. */
void html_chart_flow(struct page *p, const struct fmt_event *ev, int64_t wall);
/* The Timeline section: execs/s, and when flows were recorded packets/s
 * and bytes/s per interface, sent above the axis and received below. */
void html_charts(struct page *p);
/* Spread the flow rows (series_finish); sets p->oom if out of memory. */
void html_charts_finish(struct page *p);
void html_charts_free(struct page *p);

/* The Processes section: the tree, or what stands in for it. */
void html_tree(struct page *p);

#endif
