/* The network access applications of the enabled profile: USIM (3GPP TS
 * 31.102) and ISIM (TS 31.103), as ADFs of its file system. The file
 * system hands them AUTHENTICATE when the channel's current DF is in
 * their ADF (sim/fs.h); they run AKA with the AKA parameters the profile
 * package gives that ADF (aka.h) and keep the accepted SQNs of TS 33.102
 * Annex C (sqn.h) in the profile's runtime state. The USIM also answers
 * GET IDENTITY with a SUCI (suci.h) when the profile has it compute them.
 *
 * A new SQN is written to the card state before the answer leaves the
 * card: a replayed AUTN is refused even after a kill at any moment. */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "isdp/naa/aka.h"
#include "isdp/naa/sqn.h"
#include "isdp/naa/suci.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/fs.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/tlv.h"

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
#define FID_IMSI	0x6F07
#define FID_AD		0x6FAD
#define FID_DF_5GS	0x5FC0
#define FID_ROUTING	0x4F0A	/* EF.Routing_Indicator in DF.5GS, §4.4.11.11 */
#define FID_SUCI_INFO	0x4F07	/* EF.SUCI_Calc_Info in DF.5GS, §4.4.11.8 */
#define FID_DF_SAIP	0x5FD0	/* DF.SAIP (TCA SAIP Annex D) */
#define FID_SUCI_USIM	0x4F01	/* its EF.SUCI_Calc_Info_USIM */
#define UST_GSM_ACCESS	27	/* Kc in the 3G answer */
#define UST_GSM_CONTEXT	38	/* the GSM security context */
#define UST_SUPI_PRIVACY 124	/* subscription identifier privacy */
#define UST_SUCI_BY_USIM 125	/* SUCI calculation by the USIM */
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

/* ---- GET IDENTITY: the SUCI (TS 31.102 §7.5, TS 33.501 Annex C) ---- */

#define P2_IDENTITY(p2)	((p2) & 0x7F)	/* b8: scope (MF / this ADF) */
#define IDENTITY_SUCI	0x01
#define TAG_SUCI	0xA1
#define TAG_SCHEME_LIST	0xA0	/* EF.SUCI_Calc_Info: protection scheme identifiers */
#define TAG_KEY_LIST	0xA1	/* ... home network public keys: 80 id, 81 key */
#define TAG_KEY_ID	0x80
#define TAG_KEY		0x81
#define SUPI_FORMAT_IMSI 0x01	/* TS 24.501 §9.11.3.4 octet 4 */

struct suci_key {
	unsigned scheme;
	uint8_t id;
	const uint8_t *pub;
	size_t pub_len;
};

static const struct sim_file *adf_file(const struct saip_profile *d, uint16_t adf, uint16_t df, uint16_t fid)
{
	return df ? saip_profile_file(d, SAIP_PATH(SIM_FID_MF, adf, df, fid)) :
		    saip_profile_file(d, SAIP_PATH(SIM_FID_MF, adf, fid));
}

/* The key-index-th (from 1) home network key of the list. */
static int nth_key(const struct tlv *list, unsigned index, struct suci_key *k)
{
	struct tlv_iter it;
	struct tlv t;
	unsigned n = 0;
	int rc;

	tlv_iter_init(&it, list);
	while ((rc = tlv_iter_next(&it, &t)) > 0) {
		if (t.tag == TAG_KEY_ID && t.len == 1) {
			n++;
			k->id = t.val[0];
		} else if (t.tag == TAG_KEY && n == index) {
			k->pub = t.val;
			k->pub_len = t.len;
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}

/* The first protection scheme of EF.SUCI_Calc_Info(_USIM) the card can
 * run, with its key (TS 31.102 §4.4.11.8: in priority order). */
static int pick_scheme(const struct sim_file *f, struct suci_key *k)
{
	struct tlv schemes, keys = { 0 }, t;
	size_t off;

	if (!f || tlv_parse(f->content, f->content_len, &schemes) < 0 || schemes.tag != TAG_SCHEME_LIST)
		return -EU_E_NOT_FOUND;
	off = schemes.raw_len;
	if (off < f->content_len && tlv_parse(f->content + off, f->content_len - off, &t) == 0 &&
	    t.tag == TAG_KEY_LIST)
		keys = t;
	for (size_t i = 0; i + 1 < schemes.len; i += 2) {
		memset(k, 0, sizeof(*k));
		k->scheme = schemes.val[i];
		if (k->scheme == NAA_SUCI_NULL)
			return 0;
		if (k->scheme > NAA_SUCI_PROFILE_B || !keys.val || nth_key(&keys, schemes.val[i + 1], k) < 0 ||
		    !naa_suci_key_ok(k->scheme, k->pub_len))
			continue;	/* not one we run, or no usable key */
		return 0;
	}
	return -EU_E_NOT_FOUND;
}

/* IMSI digits from EF.IMSI (TS 31.102 §4.2.2): its first nibble is the
 * parity/type, then the digits. */
static size_t imsi_digits(const struct sim_file *f, uint8_t d[16])
{
	size_t n = 0;

	if (!f || f->content_len < 2 || f->content[0] < 4 || f->content[0] > 8 || f->content_len < 1u + f->content[0])
		return 0;
	for (size_t i = 1; i <= f->content[0]; i++) {
		uint8_t lo = f->content[i] & 0x0F, hi = f->content[i] >> 4;

		if (i > 1 && lo <= 9)
			d[n++] = lo;
		if (hi <= 9)
			d[n++] = hi;
	}
	return n;
}

/* The SUCI, TS 31.102 §7.5.2.2: 01, MCC/MNC as TS 24.501 codes them, the
 * routing indicator, the scheme, the key identifier, the scheme output. */
static int build_suci(const struct saip_profile *d, uint16_t adf, const struct suci_key *k, struct sim_rbuf *out)
{
	const struct sim_file *ad = adf_file(d, adf, 0, FID_AD);
	const struct sim_file *ri = adf_file(d, adf, FID_DF_5GS, FID_ROUTING);
	uint8_t dg[16], in[NAA_SUCI_INPUT_MAX], suci[8 + NAA_SUCI_EPH_MAX + NAA_SUCI_INPUT_MAX + NAA_SUCI_MAC_LEN];
	size_t n = imsi_digits(adf_file(d, adf, 0, FID_IMSI), dg), mnc, in_len, so_len;
	uint8_t hdr[2] = { TAG_SUCI, 0 };
	int rc;

	/* the MNC length is in EF.AD byte 4 (§4.2.18); 2 digits if absent */
	mnc = ad && ad->content_len >= 4 && (ad->content[3] & 0x0F) == 3 ? 3 : 2;
	if (n < 3 + mnc + 1)
		return -EU_E_NOT_FOUND;
	suci[0] = SUPI_FORMAT_IMSI;
	suci[1] = (uint8_t)(dg[1] << 4 | dg[0]);
	suci[2] = (uint8_t)((mnc == 3 ? dg[5] : 0x0F) << 4 | dg[2]);
	suci[3] = (uint8_t)(dg[4] << 4 | dg[3]);
	/* routing indicator: the EF's first two bytes, "0" without it */
	suci[4] = ri && ri->content_len >= 2 ? ri->content[0] : 0xF0;
	suci[5] = ri && ri->content_len >= 2 ? ri->content[1] : 0xFF;
	suci[6] = (uint8_t)k->scheme;
	suci[7] = k->id;
	in_len = naa_suci_msin_input(dg + 3 + mnc, n - 3 - mnc, in);
	rc = naa_suci_scheme_output(k->scheme, k->pub, k->pub_len, NULL, in, in_len, suci + 8, &so_len);
	OPENSSL_cleanse(in, sizeof(in));
	OPENSSL_cleanse(dg, sizeof(dg));
	if (rc == 0) {
		hdr[1] = (uint8_t)(8 + so_len);
		rc = sim_rbuf_put(out, hdr, 2);
	}
	if (rc == 0)
		rc = sim_rbuf_put(out, suci, 8 + so_len);
	OPENSSL_cleanse(suci, sizeof(suci));
	return rc;
}

static unsigned usim_get_identity(void *arg, const struct sim_naa_ctx *c, const struct sim_apdu *a,
				  struct sim_rbuf *out)
{
	struct isdp_profile *pr = isdp_enabled_mut(arg);
	const struct saip_profile *d;
	struct suci_key k;
	uint16_t adf = c->adf->fid;

	if (a->p1 != 0x00 || P2_IDENTITY(a->p2) != IDENTITY_SUCI)
		return SW_WRONG_P1P2;	/* only the SUCI context */
	if (a->lc)
		return SW_WRONG_LENGTH;	/* the SUCI context takes no data */
	if (!pr || !pr->rt || !pr->decoded)
		return SW_CONDITIONS_NOT_SATISFIED;
	d = pr->decoded;
	if (!service(d, adf, UST_SUPI_PRIVACY) || !service(d, adf, UST_SUCI_BY_USIM)) {
		LOG_INFO("USIM.GET IDENTITY: SUCI calculation by the USIM is not in EF.UST -> 6985");
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	if (has_pin(pr->rt, KEY_PIN_APPL1) && !sim_fs_key_satisfied(c->fs, c->channel, KEY_PIN_APPL1)) {
		LOG_INFO("USIM.GET IDENTITY: PIN not verified -> 6982");
		return SW_SECURITY_STATUS;
	}
	/* SAIP Annex D: the USIM's own copy in DF.SAIP, else DF.5GS's */
	if (pick_scheme(adf_file(d, adf, FID_DF_SAIP, FID_SUCI_USIM), &k) < 0 &&
	    pick_scheme(adf_file(d, adf, FID_DF_5GS, FID_SUCI_INFO), &k) < 0) {
		LOG_INFO("USIM.GET IDENTITY: no protection scheme the card runs, with its key -> 6985");
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	if (build_suci(d, adf, &k, out) < 0) {
		LOG_INFO("USIM.GET IDENTITY: no IMSI to conceal -> 6985");
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	LOG_INFO("USIM.GET IDENTITY: SUCI with %s (key %u)", k.scheme == NAA_SUCI_NULL ? "the null scheme" :
		 k.scheme == NAA_SUCI_PROFILE_A ? "ECIES profile A" : "ECIES profile B", k.id);
	return SW_OK;
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
	.get_identity = usim_get_identity,
};

const struct sim_naa_ops isdp_isim_naa = {
	.name = "ISIM",
	.authenticate = isim_authenticate,
};
