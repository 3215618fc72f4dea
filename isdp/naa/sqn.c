/* 3GPP TS 33.102 Annex C.2: the USIM keeps SEQ_MS(i) per index i, accepts
 * an SQN whose SEQ is above the entry its IND selects, and otherwise
 * answers with a synchronisation failure carrying SQN_MS. The two optional
 * checks (wrap-around protection with delta, age limit L) compare with the
 * highest SEQ accepted anywhere in the array. */
#include "isdp/naa/sqn.h"

#include "sim/err.h"

#include <stdbool.h>
#include <string.h>

static uint64_t load48(const uint8_t b[NAA_SQN_LEN])
{
	uint64_t v = 0;

	for (unsigned i = 0; i < NAA_SQN_LEN; i++)
		v = v << 8 | b[i];
	return v;
}

static void store48(uint64_t v, uint8_t b[NAA_SQN_LEN])
{
	for (unsigned i = NAA_SQN_LEN; i-- > 0; v >>= 8)
		b[i] = (uint8_t)v;
}

void naa_sqn_default_params(struct naa_sqn_params *p)
{
	static const uint8_t dflt[NAA_SQN_LEN] = { 0x00, 0x00, 0x10, 0x00, 0x00, 0x00 };

	p->options = NAA_SQN_OPTIONS_DEFAULT;
	memcpy(p->delta, dflt, sizeof(dflt));
	memcpy(p->age_limit, dflt, sizeof(dflt));
}

int naa_sqn_state_init(struct naa_sqn_state *st, const uint8_t (*sqn_init)[NAA_SQN_LEN])
{
	memset(st, 0, sizeof(*st));
	if (!sqn_init)
		return 0;
	for (unsigned i = 0; i < NAA_SQN_ENTRIES; i++) {
		uint64_t v = load48(sqn_init[i]);

		if (v > NAA_SQN_SEQ_MAX) {
			memset(st, 0, sizeof(*st));
			return -EU_E_PARAM;
		}
		st->seq[i] = v;
	}
	return 0;
}

/* Index of the highest SEQ_MS (the lowest index among equals). */
static unsigned highest(const struct naa_sqn_state *st)
{
	unsigned best = 0;

	for (unsigned i = 1; i < NAA_SQN_ENTRIES; i++)
		if (st->seq[i] > st->seq[best])
			best = i;
	return best;
}

void naa_sqn_ms(const struct naa_sqn_state *st, uint8_t sqn_ms[NAA_SQN_LEN])
{
	unsigned i = highest(st);

	store48(st->seq[i] << NAA_SQN_IND_BITS | i, sqn_ms);
}

int naa_sqn_check(const struct naa_sqn_state *st, const struct naa_sqn_params *p,
		  const uint8_t sqn[NAA_SQN_LEN], struct naa_sqn_state *next,
		  uint8_t sqn_ms[NAA_SQN_LEN])
{
	uint64_t v = load48(sqn), seq = v >> NAA_SQN_IND_BITS, top;
	uint64_t delta = load48(p->delta), age = load48(p->age_limit);
	unsigned ind = (unsigned)(v & (NAA_SQN_ENTRIES - 1));
	bool fresh;

	if (next != st)
		*next = *st;
	if (delta > NAA_SQN_SEQ_MAX || age > NAA_SQN_SEQ_MAX)
		return -EU_E_PARAM;
	for (unsigned i = 0; i < NAA_SQN_ENTRIES; i++)
		if (st->seq[i] > NAA_SQN_SEQ_MAX)
			return -EU_E_PARAM;

	top = st->seq[highest(st)];
	fresh = seq > st->seq[ind];
	if (fresh && (p->options & NAA_SQN_OPT_WRAP) && seq > top && seq - top > delta)
		fresh = false;	/* too far ahead: would bring the counter near wrapping */
	if (fresh && (p->options & NAA_SQN_OPT_AGE) && top > seq && top - seq > age)
		fresh = false;	/* older than the age limit allows */
	if (!fresh) {
		if (sqn_ms)
			naa_sqn_ms(st, sqn_ms);
		return NAA_SQN_SYNC_FAILURE;
	}
	next->seq[ind] = seq;
	return 0;
}
