/* appender.c - see appender.h. */
#include <string.h>

#include "appender.h"

int appender_init(struct appender *a, enum fmt_stream stream, uint32_t max_records,
		  uint64_t max_span_ns, int64_t *next_id, appender_store_fn store, void *ctx)
{
	memset(a, 0, sizeof(*a));
	if (stream < FMT_STREAM_EXEC || stream > FMT_STREAM_MAX)
		return FMT_EINVAL;
	if (!(a->b = builder_new(stream)))
		return FMT_ENOMEM;
	a->max_records = max_records;
	a->max_span_ns = max_span_ns;
	a->next_id = next_id;
	a->store = store;
	a->ctx = ctx;
	return FMT_OK;
}

void appender_free(struct appender *a)
{
	builder_free(a->b);
	a->b = NULL;
}

int appender_store(struct appender *a, int final)
{
	struct fmt_chunk *c;
	int rc;

	if (builder_count(a->b) == 0)
		return FMT_OK;
	if (!a->open_id)
		a->open_id = (*a->next_id)++;
	c = builder_seal(a->b, a->open_id, final);
	if (!c)
		return FMT_ENOMEM;
	rc = a->store(a->ctx, c);
	chunk_free(c);
	if (rc == FMT_OK && final) {
		a->open_id = 0;
		a->chunks++;
	}
	return rc;
}

int appender_add(struct appender *a, const struct fmt_event *ev)
{
	int rc = builder_add(a->b, ev);

	if (rc == FMT_ELIMIT) { /* the chunk would pass a reader limit: it goes now */
		if ((rc = appender_store(a, 1)))
			return rc;
		rc = builder_add(a->b, ev);
	}
	if (rc)
		return rc;
	a->records++;
	if (builder_due(a->b, a->max_records, a->max_span_ns))
		rc = appender_store(a, 1);
	return rc;
}
