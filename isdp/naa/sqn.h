/* Sequence number verification in the USIM, 3GPP TS 33.102 Annex C.2, with
 * the options a SAIP PE-AKAParameter carries (profiles/pe.asn, struct
 * saip_aka in profiles/saip.h).
 *
 * SQN (48 bits) = SEQ (43 bits) || IND (5 bits): the profile package fixes
 * 32 array entries (sqnInit has SIZE (32)), so IND is the low 5 bits.
 *
 * Parameters, in the SAIP representation:
 *   options    sqnOptions, one octet, DEFAULT '02'H:
 *                NAA_SQN_OPT_WRAP  (b2) protection against wrap around of
 *                    the counter: reject SEQ - SEQ_MS > delta, SEQ_MS being
 *                    the highest SEQ accepted so far in the array;
 *                NAA_SQN_OPT_AGE   (b3) age limit: reject SEQ_MS - SEQ >
 *                    age_limit (the limit L of Annex C.2);
 *                other bits are accepted and have no effect.
 *              The freshness check (SEQ > SEQ_MS(IND)) is always applied.
 *   delta      sqnDelta, 6 octets big-endian, in SEQ units (IND excluded),
 *              at most 07FFFFFFFFFF, DEFAULT 000010000000 (2^28).
 *   age_limit  sqnAgeLimit, likewise.
 * The SAIP text that assigns b2 and b3 could not be consulted when this was
 * written: the assignment follows the GSMA TS.48 description of the
 * default '02' as "SQN wrap around" and the order of the Annex C checks.
 * SAIP says the sqn* fields are ignored for the usim-test-algorithm; the
 * caller decides whether to call naa_sqn_check() at all then.
 *
 * The state is a plain array, to be persisted by the caller as it is. */
#ifndef ISDP_NAA_SQN_H
#define ISDP_NAA_SQN_H

#include <stdint.h>

#define NAA_SQN_LEN		6
#define NAA_SQN_IND_BITS	5
#define NAA_SQN_ENTRIES		(1u << NAA_SQN_IND_BITS)
#define NAA_SQN_SEQ_MAX		((1ULL << (48 - NAA_SQN_IND_BITS)) - 1)	/* 07FFFFFFFFFF */

#define NAA_SQN_OPT_WRAP	0x02
#define NAA_SQN_OPT_AGE		0x04
#define NAA_SQN_OPTIONS_DEFAULT	0x02

/* Positive result of naa_sqn_check(): a spec outcome, not an error. */
#define NAA_SQN_SYNC_FAILURE	1

struct naa_sqn_params {
	uint8_t options;
	uint8_t delta[NAA_SQN_LEN];
	uint8_t age_limit[NAA_SQN_LEN];
};

struct naa_sqn_state {
	uint64_t seq[NAA_SQN_ENTRIES];	/* SEQ_MS(i), each <= NAA_SQN_SEQ_MAX */
};

/* The SAIP defaults: options 02, delta and age limit 2^28. */
void naa_sqn_default_params(struct naa_sqn_params *p);

/* State from the SAIP sqnInit values (SEQ, IND excluded), or all zero when
 * sqn_init is NULL. -EU_E_PARAM if a value exceeds NAA_SQN_SEQ_MAX. */
int naa_sqn_state_init(struct naa_sqn_state *st, const uint8_t (*sqn_init)[NAA_SQN_LEN]);

/* Verify the SQN recovered from AUTN (after the MAC check).
 *   0                     fresh: *next is the state to persist (a copy of
 *                         *st with SEQ_MS(IND) = SEQ); sqn_ms untouched.
 *   NAA_SQN_SYNC_FAILURE  rejected: *next = *st, and sqn_ms (if not NULL)
 *                         holds SQN_MS for AUTS: the highest accepted SEQ
 *                         in the array with the IND of its entry.
 *   -EU_E_PARAM           delta/age limit above 07FFFFFFFFFF or a state
 *                         entry above NAA_SQN_SEQ_MAX; *next = *st.
 * `next` may be `st`. */
int naa_sqn_check(const struct naa_sqn_state *st, const struct naa_sqn_params *p,
		  const uint8_t sqn[NAA_SQN_LEN], struct naa_sqn_state *next,
		  uint8_t sqn_ms[NAA_SQN_LEN]);

/* SQN_MS as naa_sqn_check() reports it, e.g. for an AUTS the caller sends
 * for another reason. */
void naa_sqn_ms(const struct naa_sqn_state *st, uint8_t sqn_ms[NAA_SQN_LEN]);

#endif
