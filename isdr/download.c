/* ES10b functions of the profile download before the BPP: AuthenticateServer
 * (SGP.22 §5.7.13), PrepareDownload (§5.7.5) and CancelSession (§5.7.14).
 *
 * Each is three steps: validate (the fields whose absence makes the
 * request malformed: 6A80), verify (the session state, certificates and
 * signatures: an error code in the response), build (the signed answer).
 * Signatures are checked over the bytes as received (sim_asn1_span), and
 * what the card signs is DER-encoded by libtasn1 first, so that an SM-DP+
 * re-encoding the structure gets the same bytes. */
#include "isdr/es10.h"
#include "isdr/pir.h"
#include "ecasd/ecasd.h"
#include "ecasd/ecka.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Signatures up to this size are read, so that a key on another curve is
 * refused as unsupportedCurve, not as a malformed request. */
#define SIG_READ_MAX 160
#define SKI_MAX 32		/* a SubjectKeyIdentifier (SHA-1: 20 bytes) */
#define HASH_CC_LEN 32		/* SHA-256 */
#define SIG_DO_LEN (3 + ECASD_SIG_LEN)

/* Append the TLV 5F37 40 <sig>: what SGP.22 chains into the next
 * signature (euiccSignature1 into smdpSignature2, smdpSignature2 into
 * euiccSignature2). */
static size_t put_sig_do(uint8_t *out, const uint8_t sig[ECASD_SIG_LEN])
{
	out[0] = 0x5F;
	out[1] = 0x37;
	out[2] = ECASD_SIG_LEN;
	memcpy(out + 3, sig, ECASD_SIG_LEN);
	return SIG_DO_LEN;
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

static bool same_txid(const struct rsp_session *s, const uint8_t *txid, size_t len)
{
	return len == s->txid_len && !memcmp(txid, s->txid, len);
}

/* ---- AuthenticateServer ------------------------------------------------ */

struct auth_req {
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	uint8_t ci_id[SKI_MAX];
	size_t ci_len;
	uint8_t challenge[SGP22_CHALLENGE_LEN];
	uint8_t server_challenge[SGP22_CHALLENGE_LEN];
	uint8_t sig[SIG_READ_MAX];
	size_t sig_len;
	char address[SGP22_ADDR_MAX + 1];
	uint8_t *cert;
	size_t cert_len;
};

static int auth_validate(asn1_node req, struct auth_req *r)
{
	size_t n, an;

	if (sim_asn1_read(req, "serverSigned1.transactionId", r->txid, sizeof(r->txid), &r->txid_len) < 0 ||
	    r->txid_len == 0 ||
	    sim_asn1_read(req, "euiccCiPKIdToBeUsed", r->ci_id, sizeof(r->ci_id), &r->ci_len) < 0 ||
	    sim_asn1_read(req, "serverSigned1.euiccChallenge", r->challenge, sizeof(r->challenge), &n) < 0 ||
	    n != sizeof(r->challenge) ||
	    sim_asn1_read(req, "serverSigned1.serverChallenge", r->server_challenge,
			  sizeof(r->server_challenge), &n) < 0 || n != sizeof(r->server_challenge) ||
	    sim_asn1_read(req, "serverSignature1", r->sig, sizeof(r->sig), &r->sig_len) < 0 ||
	    sim_asn1_read(req, "serverSigned1.serverAddress", (uint8_t *)r->address, SGP22_ADDR_MAX, &an) < 0)
		return -EU_E_PARAM;
	r->address[an] = 0;
	if (!isdp_address_ok((const uint8_t *)r->address, an))
		return -EU_E_PARAM;	/* serverAddress must be an FQDN */
	if (sim_asn1_read_alloc(req, "serverCertificate", &r->cert, &r->cert_len) < 0)
		return -EU_E_PARAM;
	return 0;
}

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

/* §5.7.13 in the order the card checks: session, CERT.DPauth, a CI the
 * card signs for, serverSignature1, euiccChallenge. 0 or the code. */
static unsigned long auth_verify(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
				 const struct auth_req *r, struct ecasd_server *dpauth, size_t *cred)
{
	struct ecasd *ecasd = isdr->env.ecasd;
	enum ecasd_cert_result cr;
	const uint8_t *span;
	size_t span_len;

	if (isdr->session.state != RSP_CHALLENGED)
		return AUTH_NO_SESSION_CONTEXT;
	cr = CRYPTO(ecasd_verify_server_cert(ecasd, r->cert, r->cert_len, ECASD_ROLE_DP_AUTH, NULL, 0, dpauth));
	if (cr != ECASD_CERT_OK) {
		LOG_INFO("ES10b.AuthenticateServer: CERT.DPauth.ECDSA: %s", ecasd_cert_result_name(cr));
		return auth_code_for(cr);
	}
	if (ecasd_find_credential(ecasd, r->ci_id, r->ci_len, cred) < 0) {
		LOG_INFO("ES10b.AuthenticateServer: euiccCiPKIdToBeUsed names a CI this card cannot sign for");
		return AUTH_CI_PK_UNKNOWN;
	}
	if (sim_asn1_ext_span(x, req, "serverSigned1", &span, &span_len) < 0 ||
	    CRYPTO(ecasd_verify(dpauth, span, span_len, r->sig, r->sig_len)) < 0) {
		LOG_INFO("ES10b.AuthenticateServer: serverSignature1 does not verify with CERT.DPauth.ECDSA");
		return AUTH_INVALID_SIGNATURE;
	}
	if (CRYPTO_memcmp(r->challenge, isdr->session.challenge, sizeof(r->challenge))) {
		LOG_INFO("ES10b.AuthenticateServer: euiccChallenge is not the one this card issued");
		return AUTH_EUICC_CHALLENGE_MISMATCH;
	}
	return 0;
}

/* euiccSigned1 (§5.7.13): transactionId, serverAddress and serverChallenge
 * from serverSigned1, our EUICCInfo2, ctxParams1 exactly as received,
 * extensions and BER length octets included (EuiccSigned1.ctxParams1 is
 * an open slot in isdr/rsp.asn for this; docs/asn1-translation.md). */
static int build_euicc_signed1(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			       const struct auth_req *r, uint8_t **out, size_t *out_len)
{
	asn1_node signed1 = NULL, info2 = NULL;
	uint8_t *info2_der = NULL;
	const uint8_t *ctx;
	size_t info2_len = 0, ctx_len;
	int rc;

	rc = sim_asn1_new("RSPDefinitions.EuiccSigned1", &signed1);
	if (rc == 0)
		rc = sim_asn1_write(signed1, "transactionId", r->txid, r->txid_len);
	if (rc == 0)
		rc = sim_asn1_write(signed1, "serverAddress", r->address, strlen(r->address));
	if (rc == 0)
		rc = sim_asn1_write(signed1, "serverChallenge", r->server_challenge, sizeof(r->server_challenge));
	if (rc == 0)
		rc = es10b_get_euicc_info2(isdr, NULL, NULL, &info2);
	if (rc == 0)
		rc = sim_asn1_encode(info2, &info2_der, &info2_len);
	if (rc == 0)
		rc = sim_asn1_set_der(signed1, "euiccInfo2", info2_der, info2_len);
	if (rc == 0)
		rc = sim_asn1_ext_span(x, req, "ctxParams1", &ctx, &ctx_len);
	if (rc == 0)
		rc = sim_asn1_write(signed1, "ctxParams1", ctx, ctx_len);
	if (rc == 0)
		rc = sim_asn1_encode(signed1, out, out_len);
	free(info2_der);
	asn1_delete_structure(&info2);
	asn1_delete_structure(&signed1);
	return rc;
}

/* AuthenticateResponseOk, signed with the credential set cred. */
static int auth_build(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
		      const struct auth_req *r, size_t cred, asn1_node *rsp)
{
	struct ecasd *ecasd = isdr->env.ecasd;
	uint8_t *signed1 = NULL;
	size_t signed1_len = 0, euicc_len, eum_len;
	const uint8_t *euicc_der, *eum_der;
	int rc;

	ecasd_credential_certs(ecasd, cred, &euicc_der, &euicc_len, &eum_der, &eum_len);
	rc = build_euicc_signed1(isdr, req, x, r, &signed1, &signed1_len);
	if (rc == 0)
		rc = CRYPTO(ecasd_sign(ecasd, cred, signed1, signed1_len, isdr->session.euicc_sig1));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.AuthenticateServerResponse", rsp);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "authenticateResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "authenticateResponseOk.euiccSigned1", signed1, signed1_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.euiccSignature1", isdr->session.euicc_sig1,
				    ECASD_SIG_LEN);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.euiccCertificate", euicc_der, euicc_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "authenticateResponseOk.eumCertificate", eum_der, eum_len);
	if (rc < 0)
		asn1_delete_structure(rsp);
	free(signed1);
	return rc;
}

int es10b_authenticate_server(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			      asn1_node *rsp)
{
	struct rsp_session *s = &isdr->session;
	struct auth_req r = { 0 };
	struct ecasd_server dpauth = { 0 };
	unsigned long code;
	size_t cred = 0;

	if (auth_validate(req, &r) < 0) {
		free(r.cert);
		return -EU_E_PARAM;
	}
	code = auth_verify(isdr, req, x, &r, &dpauth, &cred);
	if (code == 0 && auth_build(isdr, req, x, &r, cred, rsp) < 0)
		code = AUTH_UNDEFINED_ERROR;
	free(r.cert);
	if (code) {
		/* A failed authentication ends the session: the challenge is
		 * spent. */
		LOG_INFO("ES10b.AuthenticateServer: refused with %s(%lu)", sgp22_auth_name(code), code);
		ecasd_server_clear(&dpauth);
		isdr_session_end(isdr, NULL);
		return error_response("RSPDefinitions.AuthenticateServerResponse", "authenticateResponseError",
				      "authenticateErrorCode", r.txid, r.txid_len, code, rsp);
	}
	memcpy(s->txid, r.txid, r.txid_len);
	s->txid_len = r.txid_len;
	memcpy(s->server_address, r.address, sizeof(r.address));
	memcpy(s->server_challenge, r.server_challenge, sizeof(r.server_challenge));
	s->cred = cred;
	s->dpauth = dpauth;
	s->state = RSP_AUTHENTICATED;
	LOG_INFO("ES10b.AuthenticateServer: server '%s' (SM-DP+ OID %s) authenticated; signing with the "
		 "credential set of CI #%zu", s->server_address, dpauth.oid_text, cred);
	return 0;
}

/* ---- PrepareDownload ------------------------------------------------------ */

struct prepare_req {
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	bool cc_required;
	uint8_t hash_cc[HASH_CC_LEN];
	bool have_hash;
	uint8_t sig[SIG_READ_MAX];
	size_t sig_len;
	uint8_t *cert;
	size_t cert_len;
};

static int prepare_validate(asn1_node req, struct prepare_req *r)
{
	size_t hash_len = 0;
	int rc;

	if (sim_asn1_read(req, "smdpSigned2.transactionId", r->txid, sizeof(r->txid), &r->txid_len) < 0 ||
	    r->txid_len == 0 ||
	    sim_asn1_read_bool(req, "smdpSigned2.ccRequiredFlag", &r->cc_required) < 0 ||
	    sim_asn1_read(req, "smdpSignature2", r->sig, sizeof(r->sig), &r->sig_len) < 0)
		return -EU_E_PARAM;
	rc = sim_asn1_read(req, "hashCc", r->hash_cc, sizeof(r->hash_cc), &hash_len);
	r->have_hash = rc == 0 && hash_len == sizeof(r->hash_cc);
	if ((rc < 0 && rc != -EU_E_NOT_FOUND) || (rc == 0 && !r->have_hash))
		return -EU_E_PARAM;
	if (sim_asn1_read_alloc(req, "smdpCertificate", &r->cert, &r->cert_len) < 0)
		return -EU_E_PARAM;
	return 0;
}

/* §5.7.5: session, CERT.DPpb from the CI of CERT.DPauth, smdpSignature2
 * over smdpSigned2 ‖ euiccSignature1, transactionId, hashCc when asked. */
static unsigned long prepare_verify(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
				    const struct prepare_req *r, struct ecasd_server *dppb)
{
	struct rsp_session *s = &isdr->session;
	uint8_t chained[512];
	enum ecasd_cert_result cr;
	const uint8_t *span;
	size_t span_len, cl;

	if (s->state != RSP_AUTHENTICATED)
		return DL_NO_SESSION_CONTEXT;
	cr = CRYPTO(ecasd_verify_server_cert(isdr->env.ecasd, r->cert, r->cert_len, ECASD_ROLE_DP_PB,
					     s->dpauth.ci_id, s->dpauth.ci_id_len, dppb));
	if (cr != ECASD_CERT_OK) {
		LOG_INFO("ES10b.PrepareDownload: CERT.DPpb.ECDSA: %s", ecasd_cert_result_name(cr));
		return cr == ECASD_CERT_UNSUPPORTED_CURVE ? DL_UNSUPPORTED_CURVE : DL_INVALID_CERTIFICATE;
	}
	if (sim_asn1_ext_span(x, req, "smdpSigned2", &span, &span_len) < 0 ||
	    span_len > sizeof(chained) - SIG_DO_LEN)
		return DL_UNDEFINED_ERROR;
	memcpy(chained, span, span_len);
	cl = span_len + put_sig_do(chained + span_len, s->euicc_sig1);
	if (CRYPTO(ecasd_verify(dppb, chained, cl, r->sig, r->sig_len)) < 0) {
		LOG_INFO("ES10b.PrepareDownload: smdpSignature2 does not verify with CERT.DPpb.ECDSA");
		return DL_INVALID_SIGNATURE;
	}
	if (!same_txid(s, r->txid, r->txid_len)) {
		LOG_INFO("ES10b.PrepareDownload: transactionId is not the session's");
		return DL_INVALID_TRANSACTION_ID;
	}
	if (r->cc_required && !r->have_hash) {
		LOG_INFO("ES10b.PrepareDownload: the SM-DP+ requires a confirmation code but hashCc is missing");
		return DL_UNDEFINED_ERROR;
	}
	return 0;
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
		rc = sim_asn1_write(n, "hashCc", hash_cc, hash_cc ? HASH_CC_LEN : 0);
	if (rc == 0)
		rc = sim_asn1_encode(n, out, out_len);
	asn1_delete_structure(&n);
	return rc;
}

/* A one-time key pair on the SM-DP+'s curve (§3.1.3) and the signed
 * PrepareDownloadResponse. */
static int prepare_build(struct isdr *isdr, const struct prepare_req *r, int curve, asn1_node *rsp)
{
	struct rsp_session *s = &isdr->session;
	uint8_t chained[512], sig2[ECASD_SIG_LEN], *signed2 = NULL;
	size_t signed2_len = 0, cl;
	int rc;

	rc = CRYPTO(ecasd_ecka_generate(curve, &s->otsk, s->otpk));
	if (rc == 0)
		rc = build_euicc_signed2(s, r->cc_required ? r->hash_cc : NULL, &signed2, &signed2_len);
	if (rc == 0 && signed2_len > sizeof(chained) - SIG_DO_LEN)
		rc = -EU_E_TOO_LONG;
	if (rc == 0) {
		/* euiccSignature2 covers euiccSigned2 and smdpSignature2. */
		memcpy(chained, signed2, signed2_len);
		cl = signed2_len + put_sig_do(chained + signed2_len, r->sig);
		rc = CRYPTO(ecasd_sign(isdr->env.ecasd, s->cred, chained, cl, sig2));
	}
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.PrepareDownloadResponse", rsp);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "downloadResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "downloadResponseOk.euiccSigned2", signed2, signed2_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "downloadResponseOk.euiccSignature2", sig2, sizeof(sig2));
	if (rc < 0)
		asn1_delete_structure(rsp);
	free(signed2);
	return rc;
}

int es10b_prepare_download(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			   asn1_node *rsp)
{
	struct rsp_session *s = &isdr->session;
	struct prepare_req r = { 0 };
	struct ecasd_server dppb = { 0 };
	unsigned long code;

	if (prepare_validate(req, &r) < 0) {
		free(r.cert);
		return -EU_E_PARAM;
	}
	code = prepare_verify(isdr, req, x, &r, &dppb);
	if (code == 0 && prepare_build(isdr, &r, dppb.curve, rsp) < 0)
		code = DL_UNDEFINED_ERROR;
	free(r.cert);
	if (code) {
		LOG_INFO("ES10b.PrepareDownload: refused with %s(%lu)", sgp22_download_name(code), code);
		ecasd_server_clear(&dppb);
		isdr_session_end(isdr, NULL);
		return error_response("RSPDefinitions.PrepareDownloadResponse", "downloadResponseError",
				      "downloadErrorCode", r.txid, r.txid_len, code, rsp);
	}
	s->dppb = dppb;
	s->state = RSP_PREPARED;
	LOG_INFO("ES10b.PrepareDownload: one-time key generated%s", r.cc_required ? ", hashCc bound" : "");
	return 0;
}

/* ---- CancelSession ---------------------------------------------------------- */

/* euiccCancelSessionSigned: transactionId, the SM-DP+ OID from
 * CERT.DPauth.ECDSA, the reason as received; signed. */
static int cancel_build(struct isdr *isdr, const uint8_t *txid, size_t txid_len, unsigned long reason,
			asn1_node *rsp)
{
	struct rsp_session *s = &isdr->session;
	uint8_t sig[ECASD_SIG_LEN], *signed_der = NULL;
	asn1_node signed_node = NULL;
	size_t signed_len = 0;
	int rc;

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
		rc = CRYPTO(ecasd_sign(isdr->env.ecasd, s->cred, signed_der, signed_len, sig));
	if (rc == 0)
		rc = sim_asn1_new("RSPDefinitions.CancelSessionResponse", rsp);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "", "cancelSessionResponseOk", 1);
	if (rc == 0)
		rc = sim_asn1_set_der(*rsp, "cancelSessionResponseOk.euiccCancelSessionSigned", signed_der,
				      signed_len);
	if (rc == 0)
		rc = sim_asn1_write(*rsp, "cancelSessionResponseOk.euiccCancelSessionSignature", sig, sizeof(sig));
	asn1_delete_structure(&signed_node);
	free(signed_der);
	return rc;
}

int es10b_cancel_session(struct isdr *isdr, asn1_node req, const struct sim_asn1_ext *x,
			 asn1_node *rsp)
{
	struct rsp_session *s = &isdr->session;
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	unsigned long reason, code = 0;
	int rc;

	(void)x;
	if (sim_asn1_read(req, "transactionId", txid, sizeof(txid), &txid_len) < 0 || txid_len == 0 ||
	    sim_asn1_read_uint(req, "reason", &reason) < 0)
		return -EU_E_PARAM;
	if (s->state != RSP_AUTHENTICATED && s->state != RSP_PREPARED)
		code = CANCEL_UNDEFINED_ERROR;	/* no session to cancel */
	else if (!same_txid(s, txid, txid_len))
		code = CANCEL_INVALID_TRANSACTION_ID;
	if (code) {
		LOG_INFO("ES10b.CancelSession: refused with %s(%lu)", sgp22_cancel_name(code), code);
		TRY(sim_asn1_new("RSPDefinitions.CancelSessionResponse", rsp));
		TRY(sim_asn1_write(*rsp, "", "cancelSessionResponseError", 1));
		return sim_asn1_write_uint(*rsp, "cancelSessionResponseError", code);
	}
	rc = cancel_build(isdr, txid, txid_len, reason, rsp);
	LOG_INFO("ES10b.CancelSession: session cancelled (reason %lu)", reason);
	isdr_session_end(isdr, NULL);
	return rc;
}
