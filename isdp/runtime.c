/* What the UE changes in a profile: its PINs and unblock PINs (TS 102
 * 221 §9.5), the files it writes, the SQNs it accepted (TS 33.102 Annex
 * C). Built from the package when the profile is installed or loaded;
 * state.c stores and restores the changes ([5]). */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "isdp/naa/aka.h"
#include "profiles/saip.h"
#include "sim/err.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* SAIP pinAttributes (PINConfiguration, DEFAULT 7). The TCA text with the
 * bit assignment could not be consulted; this follows how the TS.48 test
 * profiles use it: PIN1 '06' (disabled, as TS.48 delivers it, and
 * disable-able), ADM and second PINs '03' (enabled, never disabled). */
#define PIN_ATTR_ENABLED	0x01
#define PIN_ATTR_MAY_DISABLE	0x04

static uint64_t next_id = 1;

void isdp_runtime_pin0(const struct saip_profile *d, size_t i, struct sim_pin *out)
{
	const struct saip_pin *pin = &d->pins[i];

	memset(out, 0, sizeof(*out));
	/* global key references belong to no DF (TS 102 221 §9.5.1) */
	out->df = pin->key_ref & 0x80 ? pin->df : SIM_FID_MF;
	out->key_ref = pin->key_ref;
	memcpy(out->value, pin->value, SIM_PIN_LEN);
	out->max_attempts = pin->max_attempts;
	out->left = pin->retries_left < pin->max_attempts ? pin->retries_left : pin->max_attempts;
	out->enabled = pin->attributes & PIN_ATTR_ENABLED;
	out->may_disable = pin->attributes & PIN_ATTR_MAY_DISABLE;
	out->puk_ref = pin->puk_ref;
}

void isdp_runtime_puk0(const struct saip_profile *d, size_t i, struct sim_puk *out)
{
	const struct saip_puk *puk = &d->puks[i];

	memset(out, 0, sizeof(*out));
	out->key_ref = puk->key_ref;
	memcpy(out->value, puk->value, SIM_PIN_LEN);
	out->max_attempts = puk->max_attempts;
	out->left = puk->retries_left < puk->max_attempts ? puk->retries_left : puk->max_attempts;
}

/* sqnInit; the test algorithm ignores the sqn* fields (SAIP). The decoder
 * has checked every value fits SEQ (profiles/saip.c). */
void isdp_runtime_sqn0(const struct saip_profile *d, size_t i, struct naa_sqn_state *out)
{
	const struct saip_aka *a = &d->aka[i];

	if (naa_sqn_state_init(out, a->algorithm_id == NAA_ALG_TEST_XOR || a->mapped ? NULL :
			       (const uint8_t (*)[NAA_SQN_LEN])a->sqn_init) < 0)
		naa_sqn_state_init(out, NULL);
}

void isdp_runtime_free(struct isdp_runtime *rt)
{
	if (!rt)
		return;
	if (rt->pins)
		OPENSSL_cleanse(rt->pins, rt->n_pins * sizeof(*rt->pins));
	if (rt->puks)
		OPENSSL_cleanse(rt->puks, rt->n_puks * sizeof(*rt->puks));
	free(rt->pins);
	free(rt->puks);
	free(rt->written);
	free(rt->sqn);
	free(rt);
}

int isdp_runtime_new(struct isdp_profile *p)
{
	const struct saip_profile *d = p->decoded;
	struct isdp_runtime *rt;

	if (!d)
		return -EU_E_STATE;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -EU_E_NOMEM;
	rt->id = next_id++;
	rt->n_pins = d->n_pins;
	rt->n_puks = d->n_puks;
	rt->n_sqn = d->n_aka;
	rt->pins = calloc(d->n_pins ? d->n_pins : 1, sizeof(*rt->pins));
	rt->puks = calloc(d->n_puks ? d->n_puks : 1, sizeof(*rt->puks));
	rt->written = calloc(d->n_files / 8 + 1, 1);
	rt->sqn = calloc(d->n_aka ? d->n_aka : 1, sizeof(*rt->sqn));
	if (!rt->pins || !rt->puks || !rt->written || !rt->sqn) {
		isdp_runtime_free(rt);
		return -EU_E_NOMEM;
	}
	for (size_t i = 0; i < d->n_pins; i++)
		isdp_runtime_pin0(d, i, &rt->pins[i]);
	for (size_t i = 0; i < d->n_puks; i++)
		isdp_runtime_puk0(d, i, &rt->puks[i]);
	for (size_t i = 0; i < d->n_aka; i++)
		isdp_runtime_sqn0(d, i, &rt->sqn[i]);
	isdp_runtime_free(p->rt);
	p->rt = rt;
	return 0;
}

bool isdp_runtime_changed(const struct isdp_profile *p)
{
	const struct isdp_runtime *rt = p->rt;
	const struct saip_profile *d = p->decoded;
	bool changed = false;

	if (!rt || !d)
		return false;
	for (size_t i = 0; i < d->n_files / 8 + 1 && !changed; i++)
		changed = rt->written[i] != 0;
	for (size_t i = 0; i < rt->n_pins && !changed; i++) {
		struct sim_pin x;

		isdp_runtime_pin0(d, i, &x);
		changed = memcmp(&x, &rt->pins[i], sizeof(x)) != 0;
		OPENSSL_cleanse(&x, sizeof(x));
	}
	for (size_t i = 0; i < rt->n_puks && !changed; i++) {
		struct sim_puk x;

		isdp_runtime_puk0(d, i, &x);
		changed = memcmp(&x, &rt->puks[i], sizeof(x)) != 0;
		OPENSSL_cleanse(&x, sizeof(x));
	}
	for (size_t i = 0; i < rt->n_sqn && !changed; i++) {
		struct naa_sqn_state x;

		isdp_runtime_sqn0(d, i, &x);
		changed = memcmp(&x, &rt->sqn[i], sizeof(x)) != 0;
	}
	return changed;
}
