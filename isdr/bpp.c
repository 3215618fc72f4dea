/* ES10b.LoadBoundProfilePackage (SGP.22 §5.7.6) and the
 * ProfileInstallationResult (§5.7.6, §2.5.6).
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
#include "isdr/isdr.h"
#include "ecasd/ecasd.h"
#include "ecasd/ecka.h"
#include "ecasd/kdf.h"
#include "isdp/isdp.h"
#include "profiles/saip.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/store.h"
#include "sim/sw.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>


/* BppCommandId (§2.5.6) */
enum bpp_command {
	BPP_INITIALISE_SECURE_CHANNEL = 0,
	BPP_CONFIGURE_ISDP = 1,
	BPP_STORE_METADATA = 2,
	BPP_REPLACE_SESSION_KEYS = 4,
	BPP_LOAD_PROFILE_ELEMENTS = 5,
};

/* ErrorReason (§2.5.6) with the names the trace prints. */
#define ERROR_REASONS(X) \
	X(ER_INCORRECT_INPUT_VALUES, 1, "incorrectInputValues") \
	X(ER_INVALID_SIGNATURE, 2, "invalidSignature") \
	X(ER_INVALID_TRANSACTION_ID, 3, "invalidTransactionId") \
	X(ER_UNSUPPORTED_CRT_VALUES, 4, "unsupportedCrtValues") \
	X(ER_UNSUPPORTED_REMOTE_OPERATION, 5, "unsupportedRemoteOperationType") \
	X(ER_UNSUPPORTED_PROFILE_CLASS, 6, "unsupportedProfileClass") \
	X(ER_SCP03T_STRUCTURE, 7, "scp03tStructureError") \
	X(ER_SCP03T_SECURITY, 8, "scp03tSecurityError") \
	X(ER_ICCID_EXISTS, 9, "installFailedDueToIccidAlreadyExistsOnEuicc") \
	X(ER_NO_MEMORY, 10, "installFailedDueToInsufficientMemoryForProfile") \
	X(ER_INTERRUPTION, 11, "installFailedDueToInterruption") \
	X(ER_PE_PROCESSING, 12, "installFailedDueToPEProcessingError") \
	X(ER_ICCID_MISMATCH, 13, "installFailedDueToIccidMismatch") \
	X(ER_TEST_PROFILE_NAA_KEY, 14, "testProfileInstallFailedDueToInvalidNaaKey") \
	X(ER_PPR_NOT_ALLOWED, 15, "pprNotAllowed") \
	X(ER_UNKNOWN, 127, "installFailedDueToUnknownError")

enum error_reason {
#define ER_ENUM(name, val, str) name = val,
	ERROR_REASONS(ER_ENUM)
#undef ER_ENUM
};

static const char *reason_name(unsigned r)
{
	switch (r) {
#define ER_CASE(name, val, str) case val: return str;
	ERROR_REASONS(ER_CASE)
#undef ER_CASE
	}
	return "?";
}

static const char *command_name(unsigned c)
{
	static const char *const names[] = {
		"initialiseSecureChannel", "configureISDP", "storeMetadata", "storeMetadata2",
		"replaceSessionKeys", "loadProfileElements",
	};
	return c < ARRAY_SIZE(names) ? names[c] : "?";
}

/* ---- ProfileInstallationResult -------------------------------------------- */

/* simaResponse: one EUICCResponse (PE definitions) with a single PEStatus. */
static int sima_response(unsigned status, uint8_t **out, size_t *len)
{
	asn1_node n = NULL;
	int rc;

	rc = sim_asn1_new("PEDefinitions.EUICCResponse", &n);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus", "NEW", 1);
	if (rc == 0)
		rc = sim_asn1_write_uint(n, "peStatus.?LAST.status", status);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.identification", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.additional-information", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "peStatus.?LAST.offset", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "profileInstallationAborted", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_write(n, "statusMessage", NULL, 0);
	if (rc == 0)
		rc = sim_asn1_encode(n, out, len);
	asn1_delete_structure(&n);
	return rc;
}

/* Build and sign the PIR. reason 0 means success (AID of the new ISD-P). */
static int build_pir(struct sim_card *card, unsigned long seq, unsigned command, unsigned reason,
		     uint8_t **out, size_t *out_len)
{
	struct rsp_session *s = &card->isdr->session;
	asn1_node data = NULL, pir = NULL;
	uint8_t *data_der = NULL, *sima = NULL, sig[ECASD_SIG_LEN];
	size_t data_len = 0, sima_len = 0;
	int rc;

	rc = sim_asn1_new("RSPDefinitions.ProfileInstallationResultData", &data);
	if (rc < 0)
		goto out;
#define W(name, v, l) do { if ((rc = sim_asn1_write(data, name, v, l)) < 0) goto out; } while (0)
	W("transactionId", s->txid, s->txid_len);
	if ((rc = sim_asn1_write_uint(data, "notificationMetadata.seqNumber", seq)) < 0 ||
	    (rc = sim_asn1_write_bits(data, "notificationMetadata.profileManagementOperation", 1u)) < 0)
		goto out;
	W("notificationMetadata.notificationAddress", s->server_address, strlen(s->server_address));
	if (s->metadata_done)
		W("notificationMetadata.iccid", s->profile.iccid, ISDP_ICCID_LEN);
	else
		W("notificationMetadata.iccid", NULL, 0);
	if (s->dppb.oid_len)
		W("smdpOid", s->dppb.oid_text, 0);
	else
		W("smdpOid", NULL, 0);
	if (reason == 0) {
		if ((rc = sima_response(0, &sima, &sima_len)) < 0)
			goto out;
		W("finalResult", "successResult", 1);
		W("finalResult.successResult.aid", s->profile.aid, s->profile.aid_len);
		W("finalResult.successResult.simaResponse", sima, sima_len);
	} else {
		W("finalResult", "errorResult", 1);
		if ((rc = sim_asn1_write_uint(data, "finalResult.errorResult.bppCommandId", command)) < 0 ||
		    (rc = sim_asn1_write_uint(data, "finalResult.errorResult.errorReason", reason)) < 0)
			goto out;
		W("finalResult.errorResult.simaResponse", NULL, 0);
	}
#undef W
	rc = sim_asn1_encode(data, &data_der, &data_len);
	if (rc == 0)
		rc = CRYPTO(ecasd_sign(card->ecasd, s->cred, data_der, data_len, sig));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.ProfileInstallationResult", &pir);
	if (rc == 0)
		rc = sim_asn1_set_der(pir, "profileInstallationResultData", data_der, data_len);
	if (rc == 0)
		rc = sim_asn1_write(pir, "euiccSignPIR", sig, sizeof(sig));
	if (rc == 0)
		rc = sim_asn1_encode(pir, out, out_len);
out:
	free(sima);
	free(data_der);
	asn1_delete_structure(&data);
	asn1_delete_structure(&pir);
	return rc;
}

/* Record the PIR as a pending notification; persist when asked (an
 * install persists it together with the profile). */
static int keep_pir(struct sim_card *card, unsigned long seq, const uint8_t *pir, size_t len)
{
	struct rsp_session *s = &card->isdr->session;
	struct notif n = { .seq = seq, .event = NOTIF_INSTALL };

	snprintf(n.address, sizeof(n.address), "%s", s->server_address);
	if (s->metadata_done) {
		memcpy(n.iccid, s->profile.iccid, sizeof(n.iccid));
		n.has_iccid = true;
	}
	int rc;

	n.pending = malloc(len);
	if (!n.pending)
		return -EU_E_NOMEM;
	memcpy(n.pending, pir, len);
	n.pending_len = len;
	rc = notif_append(card, &n);
	free(n.pending);	/* NULL when the list took it */
	return rc;
}

/* End the load with an errorResult: sign it, keep it as a notification,
 * drop the half-built ISD-P, end the session. Returns the PIR in out. */
static unsigned fail(struct sim_card *card, unsigned reason, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	unsigned command = s->bpp_command;
	unsigned long seq = notif_take_seq(card);
	uint8_t *pir = NULL;
	size_t len = 0;
	int rc;

	LOG_INFO("ES10b.LoadBoundProfilePackage: %s failed: %s(%u)", command_name(command),
		 reason_name(reason), reason);
	rc = build_pir(card, seq, command, reason, &pir, &len);
	if (rc == 0 && keep_pir(card, seq, pir, len) == 0) {
		if (sim_store_save(card) < 0) {
			notif_drop_last(card);
			LOG_ERR("ES10b.LoadBoundProfilePackage: cannot persist the failure notification");
		}
	} else {
		notif_return_seq(card);
		if (notif_full(card))
			LOG_INFO("ES10b.LoadBoundProfilePackage: %d notifications pending, this result is not "
				 "kept: send them and remove them with RemoveNotificationFromList", NOTIF_MAX);
	}
	rsp_session_clear(s);
	if (rc < 0 || sim_rbuf_put(out, pir, len) < 0) {
		free(pir);
		return SW_UNKNOWN;
	}
	free(pir);
	return SW_OK;
}

void isdr_session_abort(struct sim_card *card, const char *why)
{
	struct rsp_session *s = &card->isdr->session;
	struct sim_rbuf discard = { 0 };

	if (s->state >= RSP_BPP_SECURED) {
		/* §5.7.6: an interrupted load leaves an errorResult behind, so
		 * the SM-DP+ learns of it through the notification. */
		LOG_INFO("ES10b.LoadBoundProfilePackage interrupted (%s)", why ? why : "session ended");
		fail(card, ER_INTERRUPTION, &discard);
		free(discard.p);
		return;
	}
	if (why && s->state != RSP_IDLE)
		LOG_INFO("RSP session ended (%s)", why);
	rsp_session_clear(s);
}

/* ---- the pieces ------------------------------------------------------------ */

/* BF23 InitialiseSecureChannelRequest (§5.7.6 step 2, §2.5.4). */
static unsigned init_secure_channel(struct sim_card *card, const uint8_t *der, size_t len,
				    struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	uint8_t txid[RSP_TXID_MAX], key_type[2], key_len[2], host_id[17], smdp_otpk[80], sig[72];
	uint8_t signed_data[256], shs[ECASD_ECKA_SECRET_LEN], mcv[16], s_enc[16], s_mac[16];
	size_t txid_len, kt_len, kl_len, hid_len, otpk_len, sig_len, sd_len;
	const uint8_t *sig_span;
	size_t sig_span_len;
	unsigned long op;
	asn1_node n = NULL;
	struct tlv bf23;
	unsigned reason = 0;

	s->bpp_command = BPP_INITIALISE_SECURE_CHANNEL;
	if (tlv_parse_exact(der, len, &bf23) < 0 ||
	    sim_asn1_decode("RSPDefinitions.InitialiseSecureChannelRequest", der, len, &n) < 0 ||
	    sim_asn1_read_uint(n, "remoteOpId", &op) < 0 ||
	    sim_asn1_read(n, "transactionId", txid, sizeof(txid), &txid_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.keyType", key_type, sizeof(key_type), &kt_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.keyLen", key_len, sizeof(key_len), &kl_len) < 0 ||
	    sim_asn1_read(n, "controlRefTemplate.hostId", host_id, sizeof(host_id), &hid_len) < 0 ||
	    sim_asn1_read(n, "smdpOtpk", smdp_otpk, sizeof(smdp_otpk), &otpk_len) < 0 ||
	    sim_asn1_read(n, "smdpSign", sig, sizeof(sig), &sig_len) < 0 ||
	    sim_asn1_span(n, der, len, "smdpSign", &sig_span, &sig_span_len) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (op != 1) {		/* installBoundProfilePackage */
		reason = ER_UNSUPPORTED_REMOTE_OPERATION;
		goto out;
	}
	if (txid_len != s->txid_len || memcmp(txid, s->txid, txid_len)) {
		reason = ER_INVALID_TRANSACTION_ID;
		goto out;
	}
	if (kt_len != 1 || key_type[0] != ECASD_KDF_KEY_TYPE_AES || kl_len != 1 ||
	    key_len[0] != ECASD_KDF_KEY_LEN || hid_len == 0 || hid_len > ECASD_KDF_HOST_ID_MAX) {
		reason = ER_UNSUPPORTED_CRT_VALUES;
		goto out;
	}
	/* smdpSign covers remoteOpId .. smdpOtpk as received (everything in
	 * BF23 before the signature) followed by otPK.EUICC.ECKA as 5F49. */
	sd_len = (size_t)(sig_span - bf23.val);
	if (sig_span + sig_span_len != bf23.val + bf23.len || sd_len + 3 + sizeof(s->otpk) > sizeof(signed_data)) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	memcpy(signed_data, bf23.val, sd_len);
	signed_data[sd_len++] = 0x5F;
	signed_data[sd_len++] = 0x49;
	signed_data[sd_len++] = sizeof(s->otpk);
	memcpy(signed_data + sd_len, s->otpk, sizeof(s->otpk));
	sd_len += sizeof(s->otpk);
	if (CRYPTO(ecasd_verify(&s->dppb, signed_data, sd_len, sig, sig_len)) < 0) {
		reason = ER_INVALID_SIGNATURE;
		goto out;
	}
	/* Key agreement and session keys (§3.1.3, Annex G). */
	if (CRYPTO(ecasd_ecka_shared_secret(s->otsk, smdp_otpk, otpk_len, shs)) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (CRYPTO(ecasd_derive_session_keys(shs, sizeof(shs), key_type[0], key_len[0], host_id, hid_len,
				      ecasd_eid(card->ecasd), mcv, s_enc, s_mac)) < 0) {
		reason = ER_UNSUPPORTED_CRT_VALUES;
		goto out;
	}
	bsp_init(&s->bsp, s_enc, s_mac, mcv);
	/* The one-time key has done its job. */
	ecasd_ecka_free(s->otsk);
	s->otsk = NULL;
	s->state = RSP_BPP_SECURED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: secure channel initialised");
out:
	OPENSSL_cleanse(shs, sizeof(shs));
	OPENSSL_cleanse(s_enc, sizeof(s_enc));
	OPENSSL_cleanse(s_mac, sizeof(s_mac));
	OPENSSL_cleanse(mcv, sizeof(mcv));
	asn1_delete_structure(&n);
	return reason ? fail(card, reason, out) : SW_OK;
}

/* Open every 87 inside an A0 / A2 and concatenate the plaintext. */
static unsigned open_87s(struct sim_card *card, const struct tlv *seq, uint8_t **plain, size_t *plain_len)
{
	struct rsp_session *s = &card->isdr->session;
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

/* A0: ConfigureISDP (§5.5.2): creates the ISD-P (in the session). */
static unsigned configure_isdp(struct sim_card *card, const struct tlv *a0, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	uint8_t *plain = NULL;
	const uint8_t *dp;
	size_t plain_len, dp_len;
	asn1_node n = NULL;
	unsigned reason;

	s->bpp_command = BPP_CONFIGURE_ISDP;
	reason = open_87s(card, a0, &plain, &plain_len);
	if (reason)
		goto out;
	if (sim_asn1_decode("RSPDefinitions.ConfigureISDPRequest", plain, plain_len, &n) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	if (sim_asn1_span(n, plain, plain_len, "dpProprietaryData", &dp, &dp_len) == 0) {
		s->profile.dp_proprietary = malloc(dp_len);
		if (!s->profile.dp_proprietary) {
			reason = ER_UNKNOWN;
			goto out;
		}
		memcpy(s->profile.dp_proprietary, dp, dp_len);
		s->profile.dp_proprietary_len = dp_len;
	}
	if (isdp_count(card->isdp) >= ISDP_MAX_PROFILES) {
		reason = ER_NO_MEMORY;
		goto out;
	}
	isdp_next_aid(card->isdp, s->profile.aid, &s->profile.aid_len);
	s->state = RSP_BPP_CONFIGURED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: ISD-P configured");
out:
	free(plain);
	asn1_delete_structure(&n);
	return reason ? fail(card, reason, out) : SW_OK;
}

/* PPR rules (§2.9.2): a profile may carry PPR1/PPR2 only where the RAT
 * allows them for its owner. An empty RAT allows none. */
static bool pprs_allowed(struct sim_card *card, uint32_t pprs, const uint8_t *owner, size_t owner_len)
{
	const struct sim_config *cfg = card->cfg;
	asn1_node rat = NULL;
	bool ok = false;
	int rules = 0;

	if (pprs == 0)
		return true;
	if (!owner || cfg->rat_len == 0)
		return false;
	if (sim_asn1_decode("RSPDefinitions.RulesAuthorisationTable", cfg->rat, cfg->rat_len, &rat) < 0)
		return false;
	asn1_number_of_elements(rat, "", &rules);
	for (int i = 1; i <= rules && !ok; i++) {
		char name[64];
		size_t n;
		int ops = 0;
		uint32_t allowed = 0;

		snprintf(name, sizeof(name), "?%d.pprIds", i);
		if (sim_asn1_read_bits(rat, name, &allowed) < 0)
			continue;
		if ((allowed & pprs) != pprs)
			continue;
		snprintf(name, sizeof(name), "?%d.allowedOperators", i);
		asn1_number_of_elements(rat, name, &ops);
		for (int j = 1; j <= ops && !ok; j++) {
			uint8_t plmn[3];
			bool match = true;

			snprintf(name, sizeof(name), "?%d.allowedOperators.?%d.mccMnc", i, j);
			if (sim_asn1_read(rat, name, plmn, sizeof(plmn), &n) < 0 || n != 3 || owner_len != 3)
				continue;
			/* 'E' nibbles in the RAT are wildcards (§2.9.2.1). */
			for (int k = 0; k < 6; k++) {
				unsigned want = (plmn[k / 2] >> (k % 2 ? 4 : 0)) & 0xF;
				unsigned have = (owner[k / 2] >> (k % 2 ? 4 : 0)) & 0xF;

				if (want != 0xE && want != have)
					match = false;
			}
			ok = match;
		}
	}
	asn1_delete_structure(&rat);
	return ok;
}

/* StoreMetadata (§5.5.3), after the last 88 of the A1 group. */
static unsigned store_metadata(struct sim_card *card, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	struct isdp_profile *p = &s->profile;
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
	if (isdp_parse_metadata(p) < 0 ||
	    sim_asn1_decode("RSPDefinitions.StoreMetadataRequest", p->metadata, p->metadata_len, &n) < 0) {
		reason = ER_INCORRECT_INPUT_VALUES;
		goto out;
	}
	s->metadata_done = true;
	if (isdp_find_iccid(card->isdp, p->iccid)) {
		reason = ER_ICCID_EXISTS;
		goto out;
	}
	if (p->profile_class == ISDP_CLASS_TEST && !(card->cfg->rsp_capability & (1u << 3))) {
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
	/* PPR1 (bit 1) and PPR2 (bit 2): not for test or provisioning
	 * profiles, and only where the RAT allows them. */
	if ((pprs & 0x6) && (p->profile_class != ISDP_CLASS_OPERATIONAL ||
			     !pprs_allowed(card, pprs & 0x6, owner_len ? owner : NULL, owner_len))) {
		reason = ER_PPR_NOT_ALLOWED;
		goto out;
	}
	s->state = RSP_BPP_STORED;
	LOG_INFO("ES10b.LoadBoundProfilePackage: metadata stored");
out:
	asn1_delete_structure(&n);
	return reason ? fail(card, reason, out) : SW_OK;
}

/* A2: ReplaceSessionKeys (§5.5.4). */
static unsigned replace_session_keys(struct sim_card *card, const struct tlv *a2, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	uint8_t *plain = NULL, mcv[32], enc[32], mac[32];
	size_t plain_len, l1 = 0, l2 = 0, l3 = 0;
	asn1_node n = NULL;
	unsigned reason;

	s->bpp_command = BPP_REPLACE_SESSION_KEYS;
	reason = open_87s(card, a2, &plain, &plain_len);
	if (reason)
		goto out;
	if (sim_asn1_decode("RSPDefinitions.ReplaceSessionKeysRequest", plain, plain_len, &n) < 0 ||
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
	if (plain)
		OPENSSL_cleanse(plain, plain_len);
	free(plain);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(mac, sizeof(mac));
	asn1_delete_structure(&n);
	return reason ? fail(card, reason, out) : SW_OK;
}

/* Compare the header ICCID of the package with StoreMetadata's. The
 * package codes it with the digits in order; tag 5A carries it as in
 * EF.ICCID, each byte's nibbles swapped. */
static bool iccid_matches(const uint8_t *header_iccid, const uint8_t *metadata_iccid)
{
	for (size_t i = 0; i < ISDP_ICCID_LEN; i++) {
		uint8_t b = header_iccid[i];

		if ((uint8_t)(b << 4 | b >> 4) != metadata_iccid[i])
			return false;
	}
	return true;
}

/* The last 86 has been opened: finish decoding, install, answer. */
static unsigned install(struct sim_card *card, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
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
		return fail(card, ER_PE_PROCESSING, out);
	}
	if (!iccid_matches(decoded->iccid, s->profile.iccid)) {
		saip_profile_free(decoded);
		return fail(card, ER_ICCID_MISMATCH, out);
	}
	s->profile.decoded = decoded;
	if (notif_full(card)) {
		/* No room for the install notification: the card is out of
		 * memory for this operation (see NOTIF_MAX). */
		LOG_INFO("ES10b.LoadBoundProfilePackage: %d pending notifications; send and remove some",
			 NOTIF_MAX);
		return fail(card, ER_NO_MEMORY, out);
	}
	s->profile.field_loaded_test = s->profile.profile_class == ISDP_CLASS_TEST;
	memcpy(s->profile.smdp_oid, s->dppb.oid, s->dppb.oid_len);
	s->profile.smdp_oid_len = s->dppb.oid_len;
	{
		size_t ci_len;
		const uint8_t *ci = ecasd_credential_ci(card->ecasd, s->cred, &ci_len);

		memcpy(s->profile.ci_id, ci, ci_len);
		s->profile.ci_id_len = ci_len;
	}

	seq = notif_take_seq(card);
	rc = build_pir(card, seq, BPP_LOAD_PROFILE_ELEMENTS, 0, &pir, &len);
	if (rc < 0) {
		notif_return_seq(card);
		return fail(card, ER_UNKNOWN, out);
	}
	/* Profile and install notification reach the disk in one write. */
	rc = keep_pir(card, seq, pir, len);
	if (rc == 0) {
		rc = isdp_install(card->isdp, &s->profile);
		if (rc < 0)
			notif_drop_last(card);
	}
	if (rc == 0 && (rc = sim_store_save(card)) < 0) {
		isdp_uninstall_last(card->isdp);
		notif_drop_last(card);
	}
	if (rc < 0) {
		free(pir);
		notif_return_seq(card);
		LOG_ERR("ES10b.LoadBoundProfilePackage: cannot install: %s", eu_strerror(rc));
		return fail(card, ER_UNKNOWN, out);
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
static unsigned load_segment(struct sim_card *card, const struct tlv *t, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	const struct sim_config *cfg = card->cfg;
	uint64_t used = isdp_memory_used(card->isdp);
	uint64_t room = used < cfg->profile_memory ? cfg->profile_memory - used : 0;
	size_t got;
	uint8_t *p;
	int rc;

	if (t->raw_len > s->part_left)
		return fail(card, ER_SCP03T_STRUCTURE, out);
	s->part_left -= t->raw_len;
	if (s->profile.package_len + t->len > room)
		return fail(card, ER_NO_MEMORY, out);
	p = grow_wiped(s->profile.package, s->profile.package_len, s->profile.package_len + t->len);
	if (!p)
		return fail(card, ER_NO_MEMORY, out);
	s->profile.package = p;
	rc = CRYPTO(bsp_unwrap(&s->bsp, t->raw, t->raw_len, true, p + s->profile.package_len, t->len, &got));
	if (rc < 0)
		return fail(card, rc == -EU_E_CRYPTO ? ER_SCP03T_SECURITY : ER_SCP03T_STRUCTURE, out);
	rc = saip_stream_feed(s->pe, p + s->profile.package_len, got);
	s->profile.package_len += got;
	if (rc < 0) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: profile element rejected: %s", eu_strerror(rc));
		return fail(card, ER_PE_PROCESSING, out);
	}
	if (s->part_left == 0)
		return install(card, out);
	return SW_OK;
}

unsigned es10b_load_bpp(struct sim_card *card, const uint8_t *data, size_t len, struct sim_rbuf *out)
{
	struct rsp_session *s = &card->isdr->session;
	struct tlv t;
	size_t hdr;

	if (s->state < RSP_PREPARED) {
		LOG_INFO("ES10b.LoadBoundProfilePackage: no download session (state: %s) -> 6985",
			 rsp_state_name(s->state));
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	if (tlv_parse_header(data, len, &t) < 0)
		return fail(card, ER_SCP03T_STRUCTURE, out);
	hdr = t.raw_len;

	switch (s->state) {
	case RSP_PREPARED: {
		struct tlv bf23;

		/* BF36 header + the whole BF23, nothing else. */
		s->bpp_command = BPP_INITIALISE_SECURE_CHANNEL;
		if (t.tag != SGP22_TAG_BOUND_PROFILE_PACKAGE || tlv_parse_header(data + hdr, len - hdr, &bf23) < 0 ||
		    bf23.tag != SGP22_TAG_INIT_SECURE_CHANNEL || bf23.raw_len + bf23.len != len - hdr || t.len <= len - hdr)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		s->bpp_left = t.len - (len - hdr);
		return init_secure_channel(card, data + hdr, len - hdr, out);
	}
	case RSP_BPP_SECURED:
		s->bpp_command = BPP_CONFIGURE_ISDP;
		if (t.tag != SGP22_TAG_BPP_FIRST_SEQ87 || tlv_parse_exact(data, len, &t) < 0 || len > s->bpp_left)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		s->bpp_left -= len;
		return configure_isdp(card, &t, out);
	case RSP_BPP_CONFIGURED:
		s->bpp_command = BPP_STORE_METADATA;
		if (t.tag != SGP22_TAG_BPP_SEQ88 || hdr != len || t.len == 0 || hdr + t.len > s->bpp_left)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		s->bpp_left -= hdr + t.len;
		s->part_left = t.len;
		s->state = RSP_BPP_METADATA;
		return SW_OK;
	case RSP_BPP_METADATA: {
		uint8_t *p;
		size_t got;
		int rc;

		if (t.tag != BSP_TAG_MAC || tlv_parse_exact(data, len, &t) < 0 || len > s->part_left ||
		    s->metadata_len + t.len > RSP_METADATA_MAX)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		s->part_left -= len;
		p = realloc(s->metadata, s->metadata_len + t.len);
		if (!p)
			return fail(card, ER_UNKNOWN, out);
		s->metadata = p;
		rc = CRYPTO(bsp_unwrap(&s->bsp, data, len, false, p + s->metadata_len, t.len, &got));
		if (rc < 0)
			return fail(card, rc == -EU_E_CRYPTO ? ER_SCP03T_SECURITY : ER_SCP03T_STRUCTURE, out);
		s->metadata_len += got;
		return s->part_left ? SW_OK : store_metadata(card, out);
	}
	case RSP_BPP_STORED:
		if (t.tag == SGP22_TAG_BPP_SECOND_SEQ87) {
			s->bpp_command = BPP_REPLACE_SESSION_KEYS;
			if (tlv_parse_exact(data, len, &t) < 0 || len > s->bpp_left)
				return fail(card, ER_SCP03T_STRUCTURE, out);
			s->bpp_left -= len;
			return replace_session_keys(card, &t, out);
		}
		/* fall through: no ReplaceSessionKeys, the A3 header comes */
		/* FALLTHROUGH */
	case RSP_BPP_REKEYED:
		s->bpp_command = BPP_LOAD_PROFILE_ELEMENTS;
		/* The A3 header alone; A3 is the last part of the BF36. */
		if (t.tag != SGP22_TAG_BPP_SEQ86 || hdr != len || t.len == 0 || hdr + t.len != s->bpp_left)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		s->bpp_left = 0;
		s->part_left = t.len;
		s->pe = malloc(sizeof(*s->pe));
		if (!s->pe || saip_stream_init(s->pe) < 0)
			return fail(card, ER_UNKNOWN, out);
		s->state = RSP_BPP_LOADING;
		return SW_OK;
	case RSP_BPP_LOADING:
		if (t.tag != BSP_TAG_PPP || tlv_parse_exact(data, len, &t) < 0)
			return fail(card, ER_SCP03T_STRUCTURE, out);
		return load_segment(card, &t, out);
	default:
		break;
	}
	return fail(card, ER_SCP03T_STRUCTURE, out);
}
