#include "sim/rbuf.h"
#include "sim/err.h"

#include <stdlib.h>
#include <string.h>

int sim_rbuf_put(struct sim_rbuf *b, const void *data, size_t len)
{
	if (len > SIM_RESPONSE_MAX || b->len > SIM_RESPONSE_MAX - len)
		return -EU_E_TOO_LONG;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -EU_E_NOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void sim_rbuf_free(struct sim_rbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
