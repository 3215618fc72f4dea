#include "isdp/isdp.h"
#include "sim/card_priv.h"
#include "sim/err.h"

#include <stdlib.h>
#include <string.h>

#define ISDP_MAX_PROFILES 32

struct isdp_store {
	struct isdp_profile p[ISDP_MAX_PROFILES];
	size_t n;
};

int isdp_store_new(struct sim_card *card, struct isdp_store **out)
{
	struct isdp_store *s = calloc(1, sizeof(*s));

	(void)card;
	if (!s)
		return -EU_E_NOMEM;
	*out = s;
	return 0;
}

void isdp_store_free(struct isdp_store *s)
{
	free(s);
}

size_t isdp_count(const struct isdp_store *s)
{
	return s->n;
}

const struct isdp_profile *isdp_get(const struct isdp_store *s, size_t i)
{
	return i < s->n ? &s->p[i] : NULL;
}

uint64_t isdp_memory_used(const struct isdp_store *s)
{
	uint64_t used = 0;

	for (size_t i = 0; i < s->n; i++)
		used += s->p[i].size;
	return used;
}

int isdp_enabled_iccid(const struct sim_card *card, uint8_t iccid[ISDP_ICCID_LEN])
{
	const struct isdp_store *s = card->isdp;

	for (size_t i = 0; i < s->n; i++) {
		if (s->p[i].state == ISDP_ENABLED) {
			memcpy(iccid, s->p[i].iccid, ISDP_ICCID_LEN);
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}
