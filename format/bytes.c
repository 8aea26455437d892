/* bytes.c - growable buffer allocation for bytes.h. */
#include <stdlib.h>

#include "bytes.h"

void fmt_buf_free(struct fmt_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

uint8_t *fmt_buf_reserve(struct fmt_buf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->cap - b->len < n || !b->data) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->oom = 1;
				return NULL;
			}
			cap *= 2;
		}
		p = realloc(b->data, cap);
		if (!p) {
			b->oom = 1;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	return b->data + b->len;
}
