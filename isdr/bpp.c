/* ES10b.LoadBoundProfilePackage (SGP.22 §5.7.6): the piece state machine.
 * The ProfileInstallationResult is built in isdr/pir.c.
 *
 * The BPP arrives in the pieces the LPA SHALL cut it into (§2.5.5): the
 * BF36 header with the whole BF23, the whole A0, the A1 header alone,
 * each 88, the whole A2 (optional), the A3 header alone, each 86. Each
 * piece is checked against the state it may arrive in; anything else is
 * an SCP03t structure error. The profile package itself is decoded as a
 * stream (profiles/saip.h) while the 86 segments are opened.
 *
 * All or nothing: the ISD-P is built in the session and joins the card
 * (memory and disk, with its install notification, in one write) only
 * when the last segment has been processed. Any failure ends the session
 * and leaves a signed errorResult as a pending notification. */
#include "isdr/es10.h"
#include "isdr/pir.h"
#include "isdr/rat.h"
#include "ecasd/ecasd.h"
#include "ecasd/ecka.h"
#include "ecasd/kdf.h"
#include "isdp/isdp.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define fail isdr_load_fail
#define FN "ES10b.LoadBoundProfilePackage"

/* ---- the pieces ------------------------------------------------------------ */

/* What BF23 InitialiseSecureChannelRequest (§2.5.4) carries. */
struct iscr {
	unsigned long op;
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	uint8_t key_type[2], key_len[2], host_id[ECASD_KDF_HOST_ID_MAX + 1], smdp_otpk[80], sig[72];
	size_t kt_len, kl_len, hid_len, otpk_len, sig_len;
	/* smdpSign covers remoteOpId, transactionId, controlRefTemplate and
	 * smdpOtpk as received, one after the other (§5.5.1); the card adds
	 * otPK.EUICC.ECKA (iscr_verify). */
	uint8_t signed_part[160];
	size_t signed_len;
};

/* The received bytes of the data objects smdpSign covers. */
static int iscr_signed_part(asn1_node n, const struct sim_asn1_ext *x, struct iscr *r)
{
	static const char *const covered[] = { "remoteOpId", "transactionId", "controlRefTemplate", "smdpOtpk" };

	r->signed_len = 0;
	for (size_t i = 0; i < ARRAY_SIZE(covered); i++) {
		const uint8_t *p;
		size_t l;

		TRY(sim_asn1_ext_span(x, n, covered[i], &p, &l));
		if (l > sizeof(r->signed_part) - r->signed_len)
			return -EU_E_TOO_LONG;
		memcpy(r->signed_part + r->signed_len, p, l);
		r->signed_len += l;
	}
	return 0;
}

/* Validate: every field there. 0 or an ErrorReason. */
static unsigned iscr_read(struct isdr *isdr, const uint8_t *der, size_t len, struct iscr *r)
{
	struct sim_asn1_ext x;
	asn1_node n = NULL;
	unsigned reason = 0;

	if (isdr_decode(isdr, FN, "RSPDefinitions.InitialiseSecureChannelRequest", der, len, &n, &x) < 0 ||
	    sim_asn1_read_uint(n, "remoteOpId", &r->op) < 0 ||
	    sim_asn1_read(n, "transactionId", r->txid, sizeof(r->txid), &r->txid_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.keyType", r->key_type, sizeof(r->key_type), &r->kt_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.keyLen", r->key_len, sizeof(r->key_len), &r->kl_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.hostId", r->host_id, sizeof(r->host_id), &r->hid_len) < 0 ||
	    sim_asn1_read(n, "smdpOtpk", r->smdp_otpk, sizeof(r->smdp_otpk), &r->otpk_len) < 0 ||
	    sim_asn1_read(n, "smdpSign", r->sig, sizeof(r->sig), &r->sig_len) < 0 ||
	    iscr_signed_part(n, &x, r) < 0)
		reason = ER_INCORRECT_INPUT_VALUES;
	sim_asn1_ext_free(&x);
	asn1_delete_structure(&n);
	return reason;
}

/* Verify (§5.7.6 step 2): operation, transactionId, CRT, smdpSign over
 * the signed part followed by otPK.EUICC.ECKA as 5F49. */
static unsigned iscr_verify(const struct rsp_session *s, const struct iscr *r)
{
	uint8_t signed_data[256];
	size_t n = r->signed_len;

	if (r->op != SGP22_REMOTE_OP_INSTALL_BPP)
		return ER_UNSUPPORTED_REMOTE_OPERATION;
	if (r->txid_len != s->txid_len || memcmp(r->txid, s->txid, r->txid_len))
		return ER_INVALID_TRANSACTION_ID;
	if (r->kt_len != 1 || r->key_type[0] != ECASD_KDF_KEY_TYPE_AES || r->kl_len != 1 ||
	    r->key_len[0] != ECASD_KDF_KEY_LEN || r->hid_len == 0 || r->hid_len > ECASD_KDF_HOST_ID_MAX)
		return ER_UNSUPPORTED_CRT_VALUES;
	if (n + 3 + sizeof(s->otpk) > sizeof(signed_data))
		return ER_INCORRECT_INPUT_VALUES;
	memcpy(signed_data, r->signed_part, n);
	signed_data[n++] = 0x5F;
	signed_data[n++] = 0x49;
	signed_data[n++] = sizeof(s->otpk);
	memcpy(signed_data + n, s->otpk, sizeof(s->otpk));
	n += sizeof(s->otpk);
	if (CRYPTO(ecasd_verify(&s->dppb, signed_data, n, r->sig, r->sig_len)) < 0)
		return ER_INVALID_SIGNATURE;
	return 0;
}

/* Key agreement and session keys (§3.1.3, Annex G); the one-time key has
 * done its job afterwards. */
static unsigned iscr_keys(struct isdr *isdr, const struct iscr *r)
{
	struct rsp_session *s = &isdr->session;
	uint8_t shs[ECASD_ECKA_SECRET_LEN], mcv[BSP_KEY_LEN], s_enc[BSP_KEY_LEN], s_mac[BSP_KEY_LEN];
	unsigned reason = 0;

	if (CRYPTO(ecasd_ecka_shared_secret(s->otsk, r->smdp_otpk, r->otpk_len, shs)) < 0)
		reason = ER_INCORRECT_INPUT_VALUES;
	else if (CRYPTO(ecasd_derive_session_keys(shs, sizeof(shs), r->key_type[0], r->key_len[0], r->host_id,
						  r->hid_len, ecasd_eid(isdr->env.ecasd), mcv, s_enc, s_mac)) < 0)
		reason = ER_UNSUPPORTED_CRT_VALUES;
	else
		bsp_init(&s->bsp, s_enc, s_mac, mcv);
	OPENSSL_cleanse(shs, sizeof(shs));
	OPENSSL_cleanse(s_enc, sizeof(s_enc));
	OPENSSL_cleanse(s_mac, sizeof(s_mac));
	OPENSSL_cleanse(mcv, sizeof(mcv));
	if (!reason) {
		ecasd_ecka_free(s->otsk);
		s->otsk = NULL;
	}
	return reason;
}

/* BF23 InitialiseSecureChannelRequest (§5.7.6 step 2, §2.5.4). */
static unsigned init_secure_channel(struct isdr *isdr, const uint8_t *der, size_t len,
				    struct sim_rbuf *out)
{
	struct iscr r;
	unsigned reason;

	isdr->session.bpp_command = BPP_INITIALISE_SECURE_CHANNEL;
	reason = iscr_read(isdr, der, len, &r);
	if (!reason)
		reason = iscr_verify(&isdr->session, &r);
	if (!reason)
		reason = iscr_keys(isdr, &r);
	if (reason)
		return fail(isdr, reason, out);
	isdr->session.state = RSP_BPP_SECURED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: secure channel initialised");
	return SW_OK;
}

/* Open every 87 inside an A0 / A2 and concatenate the plaintext. */
static unsigned open_87s(struct isdr *isdr, const struct tlv *seq, uint8_t **plain, size_t *plain_len)
{
	struct rsp_session *s = &isdr->session;
	struct tlv_iter it;
	struct tlv t;
	uint8_t *buf;
	size_t n = 0, got;
	int rc;

	*plain = NULL;
	*plain_len = 0;
	buf = malloc(seq->len ? seq->len : 1);
	if (!buf)
		return ER_UNKNOWN;
	tlv_iter_init(&it, seq);
	while ((rc = tlv_iter_next(&it, &t)) > 0) {
		if (t.tag != BSP_TAG_ENC) {
			free(buf);
			return ER_SCP03T_STRUCTURE;
		}
		rc = CRYPTO(bsp_unwrap(&s->bsp, t.raw, t.raw_len, true, buf + n, seq->len - n, &got));
		if (rc < 0) {
			free(buf);
			return rc == -EU_E_CRYPTO ? ER_SCP03T_SECURITY : ER_SCP03T_STRUCTURE;
		}
		n += got;
	}
	if (rc < 0 || n == 0) {
		free(buf);
		return ER_SCP03T_STRUCTURE;
	}
	*plain = buf;
	*plain_len = n;
	return 0;
}

/* A0: ConfigureISDP (§5.5.2): creates the ISD-P (in the session). The
 * ISD-P keeps dpProprietaryData as the card understood it: elements the
 * module does not know are not stored (docs/design.md). */
static unsigned configure_isdp(struct isdr *isdr, const struct tlv *a0, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct sim_asn1_ext x = { 0 };
	uint8_t *plain = NULL;
	const uint8_t *dp;
	size_t plain_len, dp_len;
	asn1_node n = NULL;
	unsigned reason;

	s->bpp_command = BPP_CONFIGURE_ISDP;
	reason = open_87s(isdr, a0, &plain, &plain_len);
	if (reason)
		goto out;
	if (isdr_decode(isdr, FN, "RSPDefinitions.ConfigureISDPRequest", plain, plain_len, &n, &x) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (sim_asn1_span(n, x.der, x.len, "dpProprietaryData", &dp, &dp_len) == 0) {
		s->profile.dp_proprietary = malloc(dp_len);
		if (!s->profile.dp_proprietary) {
			reason = ER_UNKNOWN;
			goto out;
		}
		memcpy(s->profile.dp_proprietary, dp, dp_len);
		s->profile.dp_proprietary_len = dp_len;
	}
	if (isdp_count(isdr->env.isdp) >= ISDP_MAX_PROFILES) {
		reason = ER_NO_MEMORY;
		goto out;
	}
	isdp_next_aid(isdr->env.isdp, s->profile.aid, &s->profile.aid_len);
	s->state = RSP_BPP_CONFIGURED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: ISD-P configured");
out:
	sim_asn1_ext_free(&x);
	free(plain);
	asn1_delete_structure(&n);
	return reason ? fail(isdr, reason, out) : SW_OK;
}

/* Keep the metadata as the card understood it: the normalised copy when
 * the walk skipped extensions or re-encoded BER lengths. It is what
 * GetProfilesInfo copies fields from (docs/design.md). */
static int keep_understood(struct isdp_profile *p, const struct sim_asn1_ext *x)
{
	uint8_t *m;

	if (!x->copy)
		return 0;
	m = malloc(x->len);
	if (!m)
		return -EU_E_NOMEM;
	memcpy(m, x->der, x->len);
	free(p->metadata);
	p->metadata = m;
	p->metadata_len = x->len;
	return 0;
}

/* StoreMetadata (§5.5.3), after the last 88 of the A1 group. */
static unsigned store_metadata(struct isdr *isdr, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct isdp_profile *p = &s->profile;
	struct sim_asn1_ext x = { 0 };
	asn1_node n = NULL;
	uint8_t owner[3];
	size_t owner_len = 0;
	uint32_t pprs = 0;
	unsigned reason = 0;
	int rc;

	p->metadata = s->metadata;
	p->metadata_len = s->metadata_len;
	s->metadata = NULL;
	s->metadata_len = 0;
	if (isdr_decode(isdr, FN, "RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &n, &x) < 0 ||
	    keep_understood(p, &x) < 0 || isdp_parse_metadata(p) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	s->metadata_done = true;
	if (isdp_find_iccid(isdr->env.isdp, p->iccid)) {
		reason = ER_ICCID_EXISTS;
		goto out;
	}
	if (p->profile_class == ISDP_CLASS_TEST &&
	    !(isdr->cfg->rsp_capability & SGP22_BIT(SGP22_RSP_CAP_TEST_PROFILE))) {
		reason = ER_UNSUPPORTED_PROFILE_CLASS;	/* testProfileSupport not offered */
		goto out;
	}
	rc = sim_asn1_read_bits(n, "profilePolicyRules", &pprs);
	if (rc < 0 && rc != -EU_E_NOT_FOUND) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (sim_asn1_read(n, "profileOwner.mccMnc", owner, sizeof(owner), &owner_len) < 0)
		owner_len = 0;
	/* PPR1 and PPR2: not for test or provisioning profiles, and only
	 * where the RAT allows them. */
	pprs &= SGP22_BIT(SGP22_PPR1) | SGP22_BIT(SGP22_PPR2);
	if (pprs && (p->profile_class != ISDP_CLASS_OPERATIONAL ||
		     !rat_allows(isdr->cfg->rat, isdr->cfg->rat_len, pprs, owner_len ? owner : NULL, owner_len))) {
		reason = ER_PPR_NOT_ALLOWED;
		goto out;
	}
	s->state = RSP_BPP_STORED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: metadata stored");
out:
	sim_asn1_ext_free(&x);
	asn1_delete_structure(&n);
	return reason ? fail(isdr, reason, out) : SW_OK;
}

/* A2: ReplaceSessionKeys (§5.5.4). */
static unsigned replace_session_keys(struct isdr *isdr, const struct tlv *a2, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	uint8_t *plain = NULL, mcv[32], enc[32], mac[32];
	size_t plain_len, l1 = 0, l2 = 0, l3 = 0;
	struct sim_asn1_ext x = { 0 };
	asn1_node n = NULL;
	unsigned reason;

	s->bpp_command = BPP_REPLACE_SESSION_KEYS;
	reason = open_87s(isdr, a2, &plain, &plain_len);
	if (reason)
		goto out;
	if (isdr_decode(isdr, FN, "RSPDefinitions.ReplaceSessionKeysRequest", plain, plain_len, &n, &x) < 0 ||
	    sim_asn1_read(n, "initialMacChainingValue", mcv, sizeof(mcv), &l1) < 0 ||
	    sim_asn1_read(n, "ppkEnc", enc, sizeof(enc), &l2) < 0 ||
	    sim_asn1_read(n, "ppkCmac", mac, sizeof(mac), &l3) < 0 ||
	    l1 != BSP_KEY_LEN || l2 != BSP_KEY_LEN || l3 != BSP_KEY_LEN) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (CRYPTO(bsp_replace_keys(&s->bsp, enc, mac, mcv)) < 0) {
		reason = ER_SCP03T_SECURITY;
		goto out;
	}
	s->state = RSP_BPP_REKEYED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: session keys replaced (PPK)");
out:
	sim_asn1_ext_free(&x);	/* wipes the copy, which holds the keys */
	if (plain)
		OPENSSL_cleanse(plain, plain_len);
	free(plain);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(mac, sizeof(mac));
	asn1_delete_structure(&n);
	return reason ? fail(isdr, reason, out) : SW_OK;
}

/* The last 86 has been opened: finish decoding, install, answer. */
static unsigned install(struct isdr *isdr, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct saip_profile *decoded = NULL;
	unsigned long seq;
	uint8_t *pir = NULL;
	size_t len = 0;
	int rc;

	rc = saip_stream_finish(s->pe, &decoded);
	free(s->pe);
	s->pe = NULL;
	if (rc < 0) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: profile package: %s", eu_strerror(rc));
		return fail(isdr, ER_PE_PROCESSING, out);
	}
	if (!isdp_iccid_matches(s->profile.iccid, decoded)) {
		saip_profile_free(decoded);
		return fail(isdr, ER_ICCID_MISMATCH, out);
	}
	s->profile.decoded = decoded;
	if (notif_full(&isdr->notifs)) {
		/* No room for the install notification: the card is out of
		 * memory for this operation (see NOTIF_MAX). */
		LOG_INFO("ES10b.LoadBoundProfilePackage: %d pending notifications; send and remove some",
			 NOTIF_MAX);
		return fail(isdr, ER_NO_MEMORY, out);
	}
	s->profile.field_loaded_test = s->profile.profile_class == ISDP_CLASS_TEST;
	memcpy(s->profile.smdp_oid, s->dppb.oid, s->dppb.oid_len);
	s->profile.smdp_oid_len = s->dppb.oid_len;
	{
		size_t ci_len;
		const uint8_t *ci = ecasd_credential_ci(isdr->env.ecasd, s->cred, &ci_len);

		memcpy(s->profile.ci_id, ci, ci_len);
		s->profile.ci_id_len = ci_len;
	}

	seq = notif_take_seq(&isdr->notifs);
	rc = pir_build(isdr, seq, BPP_LOAD_PROFILE_ELEMENTS, 0, &pir, &len);
	if (rc < 0) {
		notif_return_seq(&isdr->notifs);
		return fail(isdr, ER_UNKNOWN, out);
	}
	/* Profile and install notification reach the disk in one write. */
	rc = pir_keep(isdr, seq, pir, len);
	if (rc == 0) {
		rc = isdp_install(isdr->env.isdp, &s->profile);
		if (rc < 0)
			notif_drop_last(&isdr->notifs);
	}
	if (rc == 0 && (rc = isdr_persist(isdr)) < 0) {
		isdp_uninstall_last(isdr->env.isdp);
		notif_drop_last(&isdr->notifs);
	}
	if (rc < 0) {
		free(pir);
		notif_return_seq(&isdr->notifs);
		LOG_ERR("ES10b.LoadBoundProfilePackage: cannot install: %s", eu_strerror(rc));
		return fail(isdr, ER_UNKNOWN, out);
	}
	LOG_INFO("ES10b.LoadBoundProfilePackage: profile installed (seqNumber %lu)", seq);
	rsp_session_clear(s);
	rc = sim_rbuf_put(out, pir, len);
	free(pir);
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}

/* Grow a buffer that holds secrets: the old block is wiped, not left in
 * the heap. */
static uint8_t *grow_wiped(uint8_t *old, size_t old_len, size_t new_len)
{
	uint8_t *p = malloc(new_len ? new_len : 1);

	if (!p)
		return NULL;
	if (old) {
		memcpy(p, old, old_len);
		OPENSSL_cleanse(old, old_len);
		free(old);
	}
	return p;
}

/* One 86: open it, account for memory, feed the decoder. */
static unsigned load_segment(struct isdr *isdr, const struct tlv *t, struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	uint64_t room = isdp_memory_free(isdr->env.isdp);
	size_t got;
	uint8_t *p;
	int rc;

	if (t->raw_len > s->part_left)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->part_left -= t->raw_len;
	if (s->profile.package_len + t->len > room)
		return fail(isdr, ER_NO_MEMORY, out);
	p = grow_wiped(s->profile.package, s->profile.package_len, s->profile.package_len + t->len);
	if (!p)
		return fail(isdr, ER_NO_MEMORY, out);
	s->profile.package = p;
	rc = CRYPTO(bsp_unwrap(&s->bsp, t->raw, t->raw_len, true, p + s->profile.package_len, t->len, &got));
	if (rc < 0)
		return fail(isdr, rc == -EU_E_CRYPTO ? ER_SCP03T_SECURITY : ER_SCP03T_STRUCTURE, out);
	rc = saip_stream_feed(s->pe, p + s->profile.package_len, got);
	s->profile.package_len += got;
	if (rc < 0) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: profile element rejected: %s", eu_strerror(rc));
		return fail(isdr, ER_PE_PROCESSING, out);
	}
	if (s->part_left == 0)
		return install(isdr, out);
	return SW_OK;
}

/* ---- the piece state machine -------------------------------------------------- */

/* A piece's handler: data[0..len) is the whole STORE DATA payload, t its
 * first TLV header (hdr bytes). */
typedef unsigned (*piece_fn)(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t,
			     size_t hdr, struct sim_rbuf *out);

/* BF36 header + the whole BF23, nothing else. */
static unsigned piece_bf36(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			   struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct tlv bf23;

	if (tlv_parse_header(data + hdr, len - hdr, &bf23) < 0 || bf23.tag != SGP22_TAG_INIT_SECURE_CHANNEL ||
	    bf23.raw_len + bf23.len != len - hdr || t->len <= len - hdr)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_left = t->len - (len - hdr);
	return init_secure_channel(isdr, data + hdr, len - hdr, out);
}

/* The whole A0 (ConfigureISDP). */
static unsigned piece_a0(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct tlv a0;

	(void)t;
	(void)hdr;
	if (tlv_parse_exact(data, len, &a0) < 0 || len > s->bpp_left)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_left -= len;
	return configure_isdp(isdr, &a0, out);
}

/* The A1 header alone: the 88s of StoreMetadata follow. */
static unsigned piece_a1(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;

	(void)data;
	if (hdr != len || t->len == 0 || hdr + t->len > s->bpp_left)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_left -= hdr + t->len;
	s->part_left = t->len;
	s->state = RSP_BPP_METADATA;
	return SW_OK;
}

/* One 88 of StoreMetadata (MAC only); the last one completes it. */
static unsigned piece_88(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct tlv seg;
	uint8_t *p;
	size_t got;
	int rc;

	(void)t;
	(void)hdr;
	if (tlv_parse_exact(data, len, &seg) < 0 || len > s->part_left ||
	    s->metadata_len + seg.len > RSP_METADATA_MAX)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->part_left -= len;
	p = realloc(s->metadata, s->metadata_len + seg.len);
	if (!p)
		return fail(isdr, ER_UNKNOWN, out);
	s->metadata = p;
	rc = CRYPTO(bsp_unwrap(&s->bsp, data, len, false, p + s->metadata_len, seg.len, &got));
	if (rc < 0)
		return fail(isdr, rc == -EU_E_CRYPTO ? ER_SCP03T_SECURITY : ER_SCP03T_STRUCTURE, out);
	s->metadata_len += got;
	return s->part_left ? SW_OK : store_metadata(isdr, out);
}

/* The whole A2 (ReplaceSessionKeys), optional. */
static unsigned piece_a2(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	struct tlv a2;

	(void)t;
	(void)hdr;
	if (tlv_parse_exact(data, len, &a2) < 0 || len > s->bpp_left)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_left -= len;
	return replace_session_keys(isdr, &a2, out);
}

/* The A3 header alone, the last part of the BF36: the 86s follow. */
static unsigned piece_a3(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;

	(void)data;
	if (hdr != len || t->len == 0 || hdr + t->len != s->bpp_left)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_left = 0;
	s->part_left = t->len;
	s->pe = malloc(sizeof(*s->pe));
	if (!s->pe || saip_stream_init(s->pe) < 0)
		return fail(isdr, ER_UNKNOWN, out);
	s->state = RSP_BPP_LOADING;
	return SW_OK;
}

/* One 86 of the profile package. */
static unsigned piece_86(struct isdr *isdr, const uint8_t *data, size_t len, const struct tlv *t, size_t hdr,
			 struct sim_rbuf *out)
{
	struct tlv seg;

	(void)t;
	(void)hdr;
	if (tlv_parse_exact(data, len, &seg) < 0)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	return load_segment(isdr, &seg, out);
}

/* Which piece each state accepts (§2.5.5), and the BppCommandId it
 * belongs to. A piece with another tag is an scp03tStructureError of the
 * state's last row. */
static const struct piece {
	enum rsp_state state;
	uint32_t tag;
	unsigned command;
	piece_fn fn;
} pieces[] = {
	{ RSP_PREPARED,       SGP22_TAG_BOUND_PROFILE_PACKAGE, BPP_INITIALISE_SECURE_CHANNEL, piece_bf36 },
	{ RSP_BPP_SECURED,    SGP22_TAG_BPP_FIRST_SEQ87,       BPP_CONFIGURE_ISDP,            piece_a0 },
	{ RSP_BPP_CONFIGURED, SGP22_TAG_BPP_SEQ88,             BPP_STORE_METADATA,            piece_a1 },
	{ RSP_BPP_METADATA,   BSP_TAG_MAC,                     BPP_STORE_METADATA,            piece_88 },
	{ RSP_BPP_STORED,     SGP22_TAG_BPP_SECOND_SEQ87,      BPP_REPLACE_SESSION_KEYS,      piece_a2 },
	{ RSP_BPP_STORED,     SGP22_TAG_BPP_SEQ86,             BPP_LOAD_PROFILE_ELEMENTS,     piece_a3 },
	{ RSP_BPP_REKEYED,    SGP22_TAG_BPP_SEQ86,             BPP_LOAD_PROFILE_ELEMENTS,     piece_a3 },
	{ RSP_BPP_LOADING,    BSP_TAG_PPP,                     BPP_LOAD_PROFILE_ELEMENTS,     piece_86 },
};

unsigned es10b_load_bpp(struct isdr *isdr, const uint8_t *data, size_t len, unsigned fault_reason,
			struct sim_rbuf *out)
{
	struct rsp_session *s = &isdr->session;
	const struct piece *expected = NULL;
	struct tlv t;

	if (s->state < RSP_PREPARED) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: no download session (state: %s) -> 6985",
			 rsp_state_name(s->state));
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	if (tlv_parse_header(data, len, &t) < 0)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	for (size_t i = 0; i < ARRAY_SIZE(pieces); i++) {
		if (pieces[i].state != s->state)
			continue;
		expected = &pieces[i];
		if (pieces[i].tag == t.tag)
			break;
	}
	if (!expected)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	s->bpp_command = expected->command;
	if (fault_reason) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: injected fault");
		return fail(isdr, fault_reason, out);
	}
	if (expected->tag != t.tag)
		return fail(isdr, ER_SCP03T_STRUCTURE, out);
	return expected->fn(isdr, data, len, &t, t.raw_len, out);
}
