/* flow_order.h - one interval's flow rows in a stable order, merged: what the
 * flow chunk encoder wants (private to the library). */
#ifndef FMT_FLOW_ORDER_H
#define FMT_FLOW_ORDER_H

#include <stddef.h>

#include "fmt_records.h"

/* Reorder rows by a fixed 64-bit hash of their key and owner, so the same
 * flows come out in the same order every interval (what the chunk
 * encoder's delta-coded key ids want), and merge rows with equal keys and
 * owners (a flow drained from a cache line and a table). @return the new
 * row count. */
size_t flow_rows_order(struct fmt_flow *rows, size_t n);

#endif
