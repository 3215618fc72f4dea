/* ES10b functions of the profile download before the BPP: AuthenticateServer
 * (SGP.22 §5.7.13), PrepareDownload (§5.7.5) and CancelSession (§5.7.14).
 *
 * Signatures are checked over the bytes as received (sim_asn1_span), and
 * what the card signs is DER-encoded by libtasn1 first, so that an SM-DP+
 * re-encoding the structure gets the same bytes. */
#include "isdr/es10.h"
#include "isdr/isdr.h"
#include "ecasd/ecasd.h"
#include "ecasd/ecka.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* AuthenticateErrorCode (§5.7.13) */
enum {
	AUTH_INVALID_CERTIFICATE = 1,
	AUTH_INVALID_SIGNATURE = 2,
	AUTH_UNSUPPORTED_CURVE = 3,
	AUTH_NO_SESSION_CONTEXT = 4,
	AUTH_INVALID_OID = 5,
	AUTH_EUICC_CHALLENGE_MISMATCH = 6,
	AUTH_CI_PK_UNKNOWN = 7,
	AUTH_UNDEFINED_ERROR = 127,
};

/* DownloadErrorCode (§5.7.5) */
enum {
	DL_INVALID_CERTIFICATE = 1,
	DL_INVALID_SIGNATURE = 2,
	DL_UNSUPPORTED_CURVE = 3,
	DL_NO_SESSION_CONTEXT = 4,
	DL_INVALID_TRANSACTION_ID = 5,
	DL_UNDEFINED_ERROR = 127,
};

static const char *auth_error_name(unsigned long code)
{
	switch (code) {
	case AUTH_INVALID_CERTIFICATE: return "invalidCertificate";
	case AUTH_INVALID_SIGNATURE: return "invalidSignature";
	case AUTH_UNSUPPORTED_CURVE: return "unsupportedCurve";
	case AUTH_NO_SESSION_CONTEXT: return "noSessionContext";
	case AUTH_INVALID_OID: return "invalidOid";
	case AUTH_EUICC_CHALLENGE_MISMATCH: return "euiccChallengeMismatch";
	case AUTH_CI_PK_UNKNOWN: return "ciPKUnknown";
	}
	return "undefinedError";
}

static const char *dl_error_name(unsigned long code)
{
	switch (code) {
	case DL_INVALID_CERTIFICATE: return "invalidCertificate";
	case DL_INVALID_SIGNATURE: return "invalidSignature";
	case DL_UNSUPPORTED_CURVE: return "unsupportedCurve";
	case DL_NO_SESSION_CONTEXT: return "noSessionContext";
	case DL_INVALID_TRANSACTION_ID: return "invalidTransactionId";
	}
	return "undefinedError";
}

/* Append the TLV 5F37 40 <sig>: what SGP.22 chains into the next
 * signature (euiccSignature1 into smdpSignature2, smdpSignature2 into
 * euiccSignature2). */
static size_t put_sig_do(uint8_t *out, const uint8_t sig[ECASD_SIG_LEN])
{
	out[0] = 0x5F;
	out[1] = 0x37;
	out[2] = ECASD_SIG_LEN;
	memcpy(out + 3, sig, ECASD_SIG_LEN);
	return 3 + ECASD_SIG_LEN;
}

/* Error answers carry the transactionId and a code under the [1] branch. */
static int error_response(const char *type, const char *branch, const char *code_name,
			  const uint8_t *txid, size_t txid_len, unsigned long code, asn1_node *rsp)
{
	char name[96];

	TRY(sim_asn1_new(type, rsp));
	TRY(sim_asn1_write(*rsp, "", branch, 1));
	snprintf(name, sizeof(name), "%s.transactionId", branch);
	TRY(sim_asn1_write(*rsp, name, txid, txid_len));
	snprintf(name, sizeof(name), "%s.%s", branch, code_name);
	return sim_asn1_write_uint(*rsp, name, code);
}

/* ---- AuthenticateServer ------------------------------------------------ */

static unsigned long auth_code_for(enum ecasd_cert_result r)
{
	switch (r) {
	case ECASD_CERT_OK: return 0;
	case ECASD_CERT_INVALID_OID: return AUTH_INVALID_OID;
	case ECASD_CERT_CI_UNKNOWN: return AUTH_CI_PK_UNKNOWN;
	case ECASD_CERT_UNSUPPORTED_CURVE: return AUTH_UNSUPPORTED_CURVE;
	case ECASD_CERT_INVALID: break;
	}
	return AUTH_INVALID_CERTIFICATE;
}

/* euiccSigned1 (§5.7.13): transactionId, serverAddress and serverChallenge
 * from serverSigned1, our EUICCInfo2, ctxParams1 exactly as received. */
static int build_euicc_signed1(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			       uint8_t **out, size_t *out_len)
{
	asn1_node signed1 = NULL, info2 = NULL;
	uint8_t *info2_der = NULL, *buf = NULL;
	const uint8_t *ctx;
	size_t info2_len = 0, ctx_len, n;
	uint8_t tmp[256];
	int rc;

	rc = sim_asn1_new("RSPDefinitions.EuiccSigned1", &signed1);
	if (rc < 0)
		goto out;
	if ((rc = sim_asn1_read(req, "serverSigned1.transactionId", tmp, sizeof(tmp), &n)) < 0 ||
	    (rc = sim_asn1_write(signed1, "transactionId", tmp, n)) < 0 ||
	    (rc = sim_asn1_read(req, "serverSigned1.serverAddress", tmp, sizeof(tmp), &n)) < 0 ||
	    (rc = sim_asn1_write(signed1, "serverAddress", tmp, n)) < 0 ||
	    (rc = sim_asn1_read(req, "serverSigned1.serverChallenge", tmp, sizeof(tmp), &n)) < 0 ||
	    (rc = sim_asn1_write(signed1, "serverChallenge", tmp, n)) < 0)
		goto out;
	if ((rc = es10b_get_euicc_info2(card, NULL, NULL, 0, &info2)) < 0 ||
	    (rc = sim_asn1_encode(info2, &info2_der, &info2_len)) < 0 ||
	    (rc = sim_asn1_set_der(signed1, "euiccInfo2", info2_der, info2_len)) < 0)
		goto out;
	if ((rc = sim_asn1_span(req, der, len, "ctxParams1", &ctx, &ctx_len)) < 0 ||
	    (rc = sim_asn1_set_der(signed1, "ctxParams1", ctx, ctx_len)) < 0)
		goto out;
	rc = sim_asn1_encode(signed1, &buf, &n);
	if (rc < 0)
		goto out;
	*out = buf;
	*out_len = n;
out:
	free(info2_der);
	asn1_delete_structure(&info2);
	asn1_delete_structure(&signed1);
	return rc;
}

int es10b_authenticate_server(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			      asn1_node *rsp)
{
	struct rsp_session *s = &card->isdr->session;
	/* Signatures up to 160 bytes are read, so that a key on another
	 * curve is refused as unsupportedCurve, not as a malformed request. */
	uint8_t txid[RSP_TXID_MAX], ci_id[32], challenge[16], sig[160];
	char address[RSP_ADDR_MAX + 1];
	size_t txid_len, ci_len, n, sig_len, cred = 0;
	uint8_t *cert = NULL, *signed1 = NULL;
	size_t cert_len = 0, signed1_len = 0;
	const uint8_t *span, *euicc_der, *eum_der;
	size_t span_len, euicc_len, eum_len;
	struct ecasd_server dpauth = { 0 };
	enum ecasd_cert_result cr;
	unsigned long code = 0;
	int rc;

	/* Fields whose absence makes the request malformed (6A80). */
	if (sim_asn1_read(req, "serverSigned1.transactionId", txid, sizeof(txid), &txid_len) < 0 ||
	    txid_len == 0 ||
	    sim_asn1_read(req, "euiccCiPKIdToBeUsed", ci_id, sizeof(ci_id), &ci_len) < 0 ||
	    sim_asn1_read(req, "serverSigned1.euiccChallenge", challenge, sizeof(challenge), &n) < 0 ||
	    n != sizeof(challenge) ||
	    sim_asn1_read(req, "serverSignature1", sig, sizeof(sig), &sig_len) < 0 ||
	    sim_asn1_read(req, "serverSigned1.serverAddress", (uint8_t *)address, RSP_ADDR_MAX, &n) < 0 ||
	    sim_asn1_read_alloc(req, "serverCertificate", &cert, &cert_len) < 0)
		return -EU_E_PARAM;
	address[n] = 0;
	if (!sim_address_ok((const uint8_t *)address, n)) {
		free(cert);
		return -EU_E_PARAM;	/* serverAddress must be an FQDN */
	}

	if (s->state != RSP_CHALLENGED) {
		code = AUTH_NO_SESSION_CONTEXT;
		goto refuse;
	}
	cr = CRYPTO(ecasd_verify_server_cert(card->ecasd, cert, cert_len, ECASD_ROLE_DP_AUTH, NULL, 0, &dpauth));
	if (cr != ECASD_CERT_OK) {
		LOG_INFO("ES10b.AuthenticateServer: CERT.DPauth.ECDSA: %s", ecasd_cert_result_name(cr));
		code = auth_code_for(cr);
		goto refuse;
	}
	if (ecasd_find_credential(card->ecasd, ci_id, ci_len, &cred) < 0) {
		LOG_INFO("ES10b.AuthenticateServer: euiccCiPKIdToBeUsed names a CI this card cannot sign for");
		code = AUTH_CI_PK_UNKNOWN;
		goto refuse;
	}
	if (sim_asn1_span(req, der, len, "serverSigned1", &span, &span_len) < 0 ||
	    CRYPTO(ecasd_verify(&dpauth, span, span_len, sig, sig_len)) < 0) {
		LOG_INFO("ES10b.AuthenticateServer: serverSignature1 does not verify with CERT.DPauth.ECDSA");
		code = AUTH_INVALID_SIGNATURE;
		goto refuse;
	}
	if (CRYPTO_memcmp(challenge, s->challenge, sizeof(challenge))) {
		LOG_INFO("ES10b.AuthenticateServer: euiccChallenge is not the one this card issued");
		code = AUTH_EUICC_CHALLENGE_MISMATCH;
		goto refuse;
	}

	rc = build_euicc_signed1(card, req, der, len, &signed1, &signed1_len);
	if (rc == 0)
		rc = CRYPTO(ecasd_sign(card->ecasd, cred, signed1, signed1_len, s->euicc_sig1));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.AuthenticateServerResponse", rsp);
	ecasd_credential_certs(card->ecasd, cred, &euicc_der, &euicc_len, &eum_der, &eum_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "authenticateResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "authenticateResponseOk.euiccSigned1", signed1, signed1_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.euiccSignature1", s->euicc_sig1, ECASD_SIG_LEN);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.euiccCertificate", euicc_der, euicc_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.eumCertificate", eum_der, eum_len);
	if (rc < 0) {
		code = AUTH_UNDEFINED_ERROR;
		asn1_delete_structure(rsp);
		goto refuse;
	}
	memcpy(s->txid, txid, txid_len);
	s->txid_len = txid_len;
	memcpy(s->server_address, address, sizeof(address));
	sim_asn1_read(req, "serverSigned1.serverChallenge", s->server_challenge, sizeof(s->server_challenge), &n);
	s->cred = cred;
	s->dpauth = dpauth;
	s->state = RSP_AUTHENTICATED;
	LOG_INFO("ES10b.AuthenticateServer: server '%s' (SM-DP+ OID %s) authenticated; signing with the "
		 "credential set of CI #%zu", s->server_address, dpauth.oid_text, cred);
	free(cert);
	free(signed1);
	return 0;

refuse:
	/* A failed authentication ends the session: the challenge is spent. */
	LOG_INFO("ES10b.AuthenticateServer: refused with %s(%lu)", auth_error_name(code), code);
	ecasd_server_clear(&dpauth);
	free(cert);
	free(signed1);
	isdr_session_abort(card, NULL);
	return error_response("RSPDefinitions.AuthenticateServerResponse", "authenticateResponseError",
			      "authenticateErrorCode", txid, txid_len, code, rsp);
}

/* ---- PrepareDownload ------------------------------------------------------ */

static unsigned long dl_code_for(enum ecasd_cert_result r)
{
	return r == ECASD_CERT_UNSUPPORTED_CURVE ? DL_UNSUPPORTED_CURVE : DL_INVALID_CERTIFICATE;
}

/* euiccSigned2 (§5.7.5): transactionId, otPK.EUICC.ECKA, hashCc when the
 * SM-DP+ asked for a confirmation code. */
static int build_euicc_signed2(const struct rsp_session *s, const uint8_t *hash_cc, uint8_t **out,
			       size_t *out_len)
{
	asn1_node n = NULL;
	int rc;

	rc = sim_asn1_new("RSPDefinitions.EUICCSigned2", &n);
	if (rc == 0)
		rc = sim_asn1_write(n, "transactionId", s->txid, s->txid_len);
	if (rc == 0)
		rc = sim_asn1_write(n, "euiccOtpk", s->otpk, sizeof(s->otpk));
	if (rc == 0)
		rc = sim_asn1_write(n, "hashCc", hash_cc, hash_cc ? 32 : 0);
	if (rc == 0)
		rc = sim_asn1_encode(n, out, out_len);
	asn1_delete_structure(&n);
	return rc;
}

int es10b_prepare_download(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			   asn1_node *rsp)
{
	struct rsp_session *s = &card->isdr->session;
	uint8_t txid[RSP_TXID_MAX], sig[160], hash_cc[32], sig2[ECASD_SIG_LEN];
	uint8_t chained[512], *cert = NULL, *signed2 = NULL;
	size_t txid_len, sig_len, cert_len = 0, signed2_len = 0, hash_len = 0, cl;
	const uint8_t *span;
	size_t span_len;
	struct ecasd_server dppb = { 0 };
	enum ecasd_cert_result cr;
	bool cc_required, have_hash;
	unsigned long code = 0;
	int rc;

	if (sim_asn1_read(req, "smdpSigned2.transactionId", txid, sizeof(txid), &txid_len) < 0 ||
	    txid_len == 0 ||
	    sim_asn1_read_bool(req, "smdpSigned2.ccRequiredFlag", &cc_required) < 0 ||
	    sim_asn1_read(req, "smdpSignature2", sig, sizeof(sig), &sig_len) < 0 ||
	    sim_asn1_read_alloc(req, "smdpCertificate", &cert, &cert_len) < 0)
		return -EU_E_PARAM;
	rc = sim_asn1_read(req, "hashCc", hash_cc, sizeof(hash_cc), &hash_len);
	have_hash = rc == 0 && hash_len == sizeof(hash_cc);
	if ((rc < 0 && rc != -EU_E_NOT_FOUND) || (rc == 0 && !have_hash)) {
		free(cert);
		return -EU_E_PARAM;
	}

	if (s->state != RSP_AUTHENTICATED) {
		code = DL_NO_SESSION_CONTEXT;
		goto refuse;
	}
	/* CERT.DPpb must come from the CI that issued CERT.DPauth. */
	cr = CRYPTO(ecasd_verify_server_cert(card->ecasd, cert, cert_len, ECASD_ROLE_DP_PB, s->dpauth.ci_id,
				      s->dpauth.ci_id_len, &dppb));
	if (cr != ECASD_CERT_OK) {
		LOG_INFO("ES10b.PrepareDownload: CERT.DPpb.ECDSA: %s", ecasd_cert_result_name(cr));
		code = dl_code_for(cr);
		goto refuse;
	}
	/* smdpSignature2 covers smdpSigned2 and euiccSignature1 (5F37 TLV). */
	if (sim_asn1_span(req, der, len, "smdpSigned2", &span, &span_len) < 0 ||
	    span_len > sizeof(chained) - 3 - ECASD_SIG_LEN) {
		code = DL_UNDEFINED_ERROR;
		goto refuse;
	}
	memcpy(chained, span, span_len);
	cl = span_len + put_sig_do(chained + span_len, s->euicc_sig1);
	if (CRYPTO(ecasd_verify(&dppb, chained, cl, sig, sig_len)) < 0) {
		LOG_INFO("ES10b.PrepareDownload: smdpSignature2 does not verify with CERT.DPpb.ECDSA");
		code = DL_INVALID_SIGNATURE;
		goto refuse;
	}
	if (txid_len != s->txid_len || memcmp(txid, s->txid, txid_len)) {
		LOG_INFO("ES10b.PrepareDownload: transactionId is not the session's");
		code = DL_INVALID_TRANSACTION_ID;
		goto refuse;
	}
	if (cc_required && !have_hash) {
		LOG_INFO("ES10b.PrepareDownload: the SM-DP+ requires a confirmation code but hashCc is missing");
		code = DL_UNDEFINED_ERROR;
		goto refuse;
	}

	/* One-time key pair on the SM-DP+'s curve (§3.1.3). */
	rc = CRYPTO(ecasd_ecka_generate(dppb.curve, &s->otsk, s->otpk));
	if (rc == 0)
		rc = build_euicc_signed2(s, cc_required ? hash_cc : NULL, &signed2, &signed2_len);
	if (rc == 0 && signed2_len > sizeof(chained) - 3 - ECASD_SIG_LEN)
		rc = -EU_E_TOO_LONG;
	if (rc == 0) {
		/* euiccSignature2 covers euiccSigned2 and smdpSignature2. */
		memcpy(chained, signed2, signed2_len);
		cl = signed2_len + put_sig_do(chained + signed2_len, sig);
		rc = CRYPTO(ecasd_sign(card->ecasd, s->cred, chained, cl, sig2));
	}
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.PrepareDownloadResponse", rsp);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "downloadResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "downloadResponseOk.euiccSigned2", signed2, signed2_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "downloadResponseOk.euiccSignature2", sig2, sizeof(sig2));
	if (rc < 0) {
		asn1_delete_structure(rsp);
		code = DL_UNDEFINED_ERROR;
		goto refuse;
	}
	s->dppb = dppb;
	s->state = RSP_PREPARED;
	LOG_INFO("ES10b.PrepareDownload: one-time key generated%s", cc_required ? ", hashCc bound" : "");
	free(cert);
	free(signed2);
	return 0;

refuse:
	LOG_INFO("ES10b.PrepareDownload: refused with %s(%lu)", dl_error_name(code), code);
	ecasd_server_clear(&dppb);
	free(cert);
	free(signed2);
	isdr_session_abort(card, NULL);
	return error_response("RSPDefinitions.PrepareDownloadResponse", "downloadResponseError",
			      "downloadErrorCode", txid, txid_len, code, rsp);
}

/* ---- CancelSession ---------------------------------------------------------- */

int es10b_cancel_session(struct sim_card *card, asn1_node req, const uint8_t *der, size_t len,
			 asn1_node *rsp)
{
	struct rsp_session *s = &card->isdr->session;
	uint8_t txid[RSP_TXID_MAX], sig[ECASD_SIG_LEN], *signed_der = NULL;
	size_t txid_len, signed_len = 0;
	unsigned long reason, code = 0;
	asn1_node signed_node = NULL;
	int rc;

	(void)der;
	(void)len;
	if (sim_asn1_read(req, "transactionId", txid, sizeof(txid), &txid_len) < 0 || txid_len == 0 ||
	    sim_asn1_read_uint(req, "reason", &reason) < 0)
		return -EU_E_PARAM;
	if (s->state != RSP_AUTHENTICATED && s->state != RSP_PREPARED)
		code = 127;	/* undefinedError: no session to cancel */
	else if (txid_len != s->txid_len || memcmp(txid, s->txid, txid_len))
		code = 5;	/* invalidTransactionId */
	if (code) {
		LOG_INFO("ES10b.CancelSession: refused with %s(%lu)",
			 code == 5 ? "invalidTransactionId" : "undefinedError", code);
		TRY(sim_asn1_new("RSPDefinitions.CancelSessionResponse", rsp));
		TRY(sim_asn1_write(*rsp, "", "cancelSessionResponseError", 1));
		return sim_asn1_write_uint(*rsp, "cancelSessionResponseError", code);
	}
	/* euiccCancelSessionSigned: transactionId, the SM-DP+ OID from
	 * CERT.DPauth.ECDSA, the reason as received. */
	rc = sim_asn1_new("RSPDefinitions.EuiccCancelSessionSigned", &signed_node);
	if (rc == 0)
		rc = sim_asn1_write(signed_node, "transactionId", txid, txid_len);
	if (rc == 0)
		rc = sim_asn1_write(signed_node, "smdpOid", s->dpauth.oid_text, 0);
	if (rc == 0)
		rc = sim_asn1_write_uint(signed_node, "reason", reason);
	if (rc == 0)
		rc = sim_asn1_encode(signed_node, &signed_der, &signed_len);
	if (rc == 0)
		rc = CRYPTO(ecasd_sign(card->ecasd, s->cred, signed_der, signed_len, sig));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.CancelSessionResponse", rsp);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "cancelSessionResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "cancelSessionResponseOk.euiccCancelSessionSigned", signed_der, signed_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "cancelSessionResponseOk.euiccCancelSessionSignature", sig, sizeof(sig));
	asn1_delete_structure(&signed_node);
	free(signed_der);
	LOG_INFO("ES10b.CancelSession: session cancelled (reason %lu)", reason);
	isdr_session_abort(card, NULL);
	return rc;
}
