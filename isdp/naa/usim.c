/* The network access applications of the enabled profile: USIM (3GPP TS
 * 31.102) and ISIM (TS 31.103), as ADFs of its file system. The file
 * system hands them AUTHENTICATE when the channel's current DF is in
 * their ADF (sim/fs.h); they run AKA with the AKA parameters the profile
 * package gives that ADF (aka.h) and keep the accepted SQNs of TS 33.102
 * Annex C (sqn.h) in the profile's runtime state.
 *
 * A new SQN is written to the card state before the answer leaves the
 * card: a replayed AUTN is refused even after a kill at any moment. */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "isdp/naa/aka.h"
#include "isdp/naa/sqn.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/fs.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <openssl/crypto.h>
#include <string.h>

const uint8_t isdp_usim_prefix[7] = { 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
const uint8_t isdp_isim_prefix[7] = { 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04 };

/* AUTHENTICATE P2 (TS 31.102 §7.1.2 Table 1): b8 specific reference data
 * (the application's key), b3-b1 the security context. */
#define P2_SPECIFIC	0x80
#define CTX_GSM		0x00
#define CTX_3G		0x01	/* 3G/EPS/5G; ISIM: IMS AKA */
#define CTX_VGCS	0x02
#define CTX_GBA		0x04
#define TAG_3G_OK	0xDB	/* successful 3G authentication */
#define TAG_SYNC_FAIL	0xDC	/* synchronisation failure */

#define FID_UST		0x6F38	/* EF.UST, TS 31.102 §4.2.8 */
#define UST_GSM_ACCESS	27	/* Kc in the 3G answer */
#define UST_GSM_CONTEXT	38	/* the GSM security context */
#define KEY_PIN_APPL1	0x01	/* the application PIN, TS 102 221 §9.5.1 */

struct naa_kind {
	const char *name;
	bool gsm;		/* USIM: GSM context and Kc exist */
};

static const struct naa_kind usim = { "USIM", true };
static const struct naa_kind isim = { "ISIM", false };

/* The AKA parameters for an ADF: its own, or those of the NAA its
 * mappingParameter names (then the SQN array is that NAA's too). */
static int aka_for(const struct saip_profile *d, uint16_t adf, size_t *idx)
{
	for (size_t i = 0; i < d->n_aka; i++) {
		const struct saip_aka *a = &d->aka[i];

		if (a->adf != adf)
			continue;
		if (!a->mapped) {
			*idx = i;
			return 0;
		}
		for (size_t f = 0; f < d->n_files; f++) {
			const struct sim_file *src = &d->files[f];

			if (src->type == SIM_FT_ADF && src->aid.len == a->mapping_source.len &&
			    !memcmp(src->aid.b, a->mapping_source.b, src->aid.len) && src->fid != adf)
				return aka_for(d, src->fid, idx);
		}
		return -EU_E_NOT_FOUND;
	}
	return -EU_E_NOT_FOUND;
}

static void params_from(const struct saip_aka *a, struct naa_aka_params *p, struct naa_sqn_params *sp)
{
	memset(p, 0, sizeof(*p));
	p->algorithm = a->algorithm_id;
	memcpy(p->k, a->k, a->k_len);
	p->k_len = a->k_len;
	memcpy(p->opc, a->opc, a->opc_len);
	p->opc_len = a->opc_len;
	p->rotation = a->rotation;
	p->xoring = a->xoring;
	p->keccak_iterations = a->number_of_keccak;
	/* RES, MAC, CK and IK sizes: the algorithms' defaults (aka.h) */
	if (a->algorithm_id == NAA_ALG_TEST_XOR) {
		naa_sqn_default_params(sp);	/* SAIP: sqn* ignored for it */
	} else {
		sp->options = a->sqn_options;
		memcpy(sp->delta, a->sqn_delta, NAA_SQN_LEN);
		memcpy(sp->age_limit, a->sqn_age_limit, NAA_SQN_LEN);
	}
}

/* Service n of the ADF's EF.UST, as the UE may have written it. */
static bool service(const struct saip_profile *d, uint16_t adf, unsigned n)
{
	const struct sim_file *ust = saip_profile_file(d, SAIP_PATH(SIM_FID_MF, adf, FID_UST));
	size_t byte = (n - 1) / 8;

	return ust && ust->content_len > byte && (ust->content[byte] & (1u << ((n - 1) % 8)));
}

static bool has_pin(const struct isdp_runtime *rt, uint8_t key_ref)
{
	for (size_t i = 0; i < rt->n_pins; i++)
		if (rt->pins[i].key_ref == key_ref)
			return true;
	return false;
}

static int put_lv(struct sim_rbuf *out, const uint8_t *v, size_t len)
{
	uint8_t l = (uint8_t)len;

	TRY(sim_rbuf_put(out, &l, 1));
	return sim_rbuf_put(out, v, len);
}

static unsigned auth_gsm(const struct naa_kind *k, const struct naa_aka_params *p, const struct sim_apdu *a,
			 struct sim_rbuf *out)
{
	uint8_t sres[4], kc[8];
	int rc;

	/* data: L1 = 16, RAND */
	if (a->lc < 1 || a->lc != 1u + a->data[0])
		return SW_WRONG_LENGTH;
	if (a->data[0] != NAA_AKA_RAND_LEN)
		return SW_WRONG_DATA;
	rc = naa_aka_gsm(p, a->data + 1, sres, kc);
	if (rc < 0) {
		LOG_INFO("%s.AUTHENTICATE GSM: not defined for these AKA parameters -> 9864", k->name);
		return SW_AUTH_CONTEXT;
	}
	rc = put_lv(out, sres, sizeof(sres));
	if (rc == 0)
		rc = put_lv(out, kc, sizeof(kc));
	OPENSSL_cleanse(kc, sizeof(kc));
	OPENSSL_cleanse(sres, sizeof(sres));
	if (rc < 0)
		return SW_UNKNOWN;
	LOG_INFO("%s.AUTHENTICATE GSM: SRES and Kc computed", k->name);
	return SW_OK;
}

static unsigned answer_3g(const struct naa_aka_result *r, bool kc, struct sim_rbuf *out)
{
	uint8_t tag = TAG_3G_OK;
	int rc = sim_rbuf_put(out, &tag, 1);

	if (rc == 0)
		rc = put_lv(out, r->res, r->res_len);
	if (rc == 0)
		rc = put_lv(out, r->ck, r->ck_len);
	if (rc == 0)
		rc = put_lv(out, r->ik, r->ik_len);
	if (rc == 0 && kc)
		rc = put_lv(out, r->kc, sizeof(r->kc));
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}

static unsigned auth_3g(struct isdp_store *s, struct isdp_profile *pr, const struct naa_kind *k, size_t idx,
			const struct naa_aka_params *p, const struct naa_sqn_params *sp, uint16_t adf,
			const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct naa_sqn_state *st = &pr->rt->sqn[idx], old;
	struct naa_aka_result r;
	uint8_t sqn_ms[NAA_SQN_LEN], auts[NAA_AKA_AUTS_MAX], tag = TAG_SYNC_FAIL;
	size_t l1, l2, auts_len;
	unsigned sw;
	int rc;

	/* data: L1 RAND L2 AUTN; AUTN is SQN^AK (6), AMF (2), MAC-A (8) */
	if (a->lc < 2 || a->lc < 2u + a->data[0])
		return SW_WRONG_LENGTH;
	l1 = a->data[0];
	l2 = a->data[1 + l1];
	if (a->lc != 2 + l1 + l2)
		return SW_WRONG_LENGTH;
	if (l1 != NAA_AKA_RAND_LEN || l2 != 16)
		return SW_WRONG_DATA;
	rc = naa_aka_authenticate(p, a->data + 1, a->data + 2 + l1, l2, &r);
	if (rc == NAA_AKA_MAC_FAILURE) {
		LOG_INFO("%s.AUTHENTICATE 3G: MAC failure -> 9862", k->name);
		return SW_AUTH_MAC;
	}
	if (rc < 0) {
		LOG_ERR("%s.AUTHENTICATE 3G: %s", k->name, eu_strerror(rc));
		return SW_UNKNOWN;
	}
	old = *st;
	rc = naa_sqn_check(&old, sp, r.sqn, st, sqn_ms);
	if (rc == NAA_SQN_SYNC_FAILURE) {
		unsigned ind = r.sqn[NAA_SQN_LEN - 1] & (NAA_SQN_ENTRIES - 1);

		naa_aka_wipe(&r);
		if (naa_aka_auts(p, a->data + 1, sqn_ms, auts, sizeof(auts), &auts_len) < 0)
			return SW_UNKNOWN;
		LOG_INFO("%s.AUTHENTICATE 3G: MAC ok, SQN not fresh (IND %u): sync failure -> AUTS", k->name, ind);
		if (sim_rbuf_put(out, &tag, 1) < 0 || put_lv(out, auts, auts_len) < 0)
			return SW_UNKNOWN;
		return SW_OK;
	}
	if (rc < 0) {
		naa_aka_wipe(&r);
		LOG_ERR("%s.AUTHENTICATE 3G: SQN check: %s", k->name, eu_strerror(rc));
		return SW_UNKNOWN;
	}
	/* the accepted SQN reaches the disk before the answer leaves */
	rc = isdp_persist(s);
	if (rc < 0) {
		*st = old;
		naa_aka_wipe(&r);
		LOG_ERR("%s.AUTHENTICATE 3G: the SQN could not be stored (%s) -> 6581", k->name, eu_strerror(rc));
		return SW_MEMORY_PROBLEM;
	}
	LOG_INFO("%s.AUTHENTICATE 3G: MAC ok, SQN accepted (IND %u)", k->name,
		 r.sqn[NAA_SQN_LEN - 1] & (NAA_SQN_ENTRIES - 1));
	sw = answer_3g(&r, k->gsm && r.gsm && service(pr->decoded, adf, UST_GSM_ACCESS), out);
	naa_aka_wipe(&r);
	return sw;
}

static unsigned authenticate(const struct naa_kind *k, void *arg, const struct sim_naa_ctx *c,
			     const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct isdp_store *s = arg;
	struct isdp_profile *pr = isdp_enabled_mut(s);
	struct naa_aka_params p;
	struct naa_sqn_params sp;
	unsigned ctx = a->p2 & 0x07, sw;
	size_t idx;

	if (a->p1 != 0x00 || (a->p2 & 0x78) || !(a->p2 & P2_SPECIFIC) ||
	    (ctx != CTX_GSM && ctx != CTX_3G && ctx != CTX_VGCS && ctx != CTX_GBA))
		return SW_WRONG_P1P2;	/* RFU codings */
	if (!pr || !pr->rt || !pr->decoded)
		return SW_CONDITIONS_NOT_SATISFIED;
	if (ctx != CTX_3G && !(ctx == CTX_GSM && k->gsm && service(pr->decoded, c->adf->fid, UST_GSM_CONTEXT))) {
		LOG_INFO("%s.AUTHENTICATE: security context %u not supported -> 9864", k->name, ctx);
		return SW_AUTH_CONTEXT;
	}
	/* the application PIN, when the profile has one (TS 31.102 §7.1.1) */
	if (has_pin(pr->rt, KEY_PIN_APPL1) && !sim_fs_key_satisfied(c->fs, c->channel, KEY_PIN_APPL1)) {
		LOG_INFO("%s.AUTHENTICATE: PIN not verified -> 6982", k->name);
		return SW_SECURITY_STATUS;
	}
	if (aka_for(pr->decoded, c->adf->fid, &idx) < 0) {
		LOG_INFO("%s.AUTHENTICATE: the profile has no AKA parameters for this ADF -> 6985", k->name);
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	params_from(&pr->decoded->aka[idx], &p, &sp);
	if (ctx == CTX_GSM)
		sw = auth_gsm(k, &p, a, out);
	else
		sw = auth_3g(s, pr, k, idx, &p, &sp, c->adf->fid, a, out);
	OPENSSL_cleanse(&p, sizeof(p));
	return sw;
}

static unsigned usim_authenticate(void *arg, const struct sim_naa_ctx *c, const struct sim_apdu *a,
				  struct sim_rbuf *out)
{
	return authenticate(&usim, arg, c, a, out);
}

static unsigned isim_authenticate(void *arg, const struct sim_naa_ctx *c, const struct sim_apdu *a,
				  struct sim_rbuf *out)
{
	return authenticate(&isim, arg, c, a, out);
}

const struct sim_naa_ops isdp_usim_naa = {
	.name = "USIM",
	.authenticate = usim_authenticate,
};

const struct sim_naa_ops isdp_isim_naa = {
	.name = "ISIM",
	.authenticate = isim_authenticate,
};
