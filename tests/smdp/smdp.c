/* The test SM-DP+: the messages of a profile download (SGP.22 §3.1.2,
 * §3.1.3, §5.5, §5.7), built with libtasn1 from isdr/rsp.asn and signed
 * with the SGP.26 keys, and the checks an SM-DP+ makes on the card's
 * answers. See smdp.h. */
#include "tests/smdp/smdp_priv.h"
#include "sim/asn1.h"
#include "sim/asn1_ext.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SGP.22 module, compiled from isdr/rsp.asn by the Makefile. */
extern const asn1_static_node rsp_asn1_tab[];

#ifndef SIM_DATADIR
#define SIM_DATADIR "."
#endif

#define EID_LEN 16
#define OTPK_MAX 133
#define HOST_ID "euicc-sim-SMDP+"	/* 15 bytes, CRT hostId */

/* Tags of the BPP (SGP.22 §2.5.4) */
#define TAG_BPP     0xBF36
#define TAG_INIT_SC 0xBF23
#define TAG_SEQ87_1 0xA0
#define TAG_SEQ88   0xA1
#define TAG_SEQ87_2 0xA2
#define TAG_SEQ86   0xA3

struct smdp {
	struct smdp_opts o;
	char why[512];
	const char *group;		/* eUICC/SM-DP+ curve for ECKA */

	X509 *dpauth_cert, *dppb_cert, *ci_nist, *ci_brp;
	EVP_PKEY *dpauth_key, *dppb_key;
	uint8_t *dpauth_der, *dppb_der;
	size_t dpauth_len, dppb_len;
	uint8_t ci_id[32];		/* SKI of the CI of our curve */
	size_t ci_id_len;
	char oid[64];			/* SM-DP+ OID of CERT.DPauth */

	/* session */
	bool requested, authenticated, prepared;
	uint8_t txid[SMDP_TXID_LEN];
	uint8_t server_challenge[SMDP_CHALLENGE_LEN];
	uint8_t *ctx_params1;
	size_t ctx_params1_len;
	EVP_PKEY *euicc_pub;
	uint8_t eid[EID_LEN];
	uint8_t euicc_sig1[SMDP_SIG_MAX];
	size_t euicc_sig1_len;
	uint8_t smdp_sig2[SMDP_SIG_MAX];
	size_t smdp_sig2_len;
	uint8_t euicc_otpk[OTPK_MAX];
	size_t euicc_otpk_len;
	unsigned cancel_reason;
};

static int fail(struct smdp *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct smdp *s, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return rc;
}

const char *smdp_why(const struct smdp *s)
{
	return s->why;
}

const uint8_t *smdp_transaction_id(const struct smdp *s, size_t *len)
{
	*len = sizeof(s->txid);
	return s->txid;
}

const uint8_t *smdp_eid(const struct smdp *s)
{
	return s->eid;
}

const char *smdp_oid(const struct smdp *s)
{
	return s->oid;
}

/* ---- set-up ------------------------------------------------------------------ */

/* The registeredID of the subjectAltName: the SM-DP+ OID (SGP.22 §4.5.2.1). */
static int cert_rid(X509 *cert, char *out, size_t cap)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int rc = -SMDP_E_PARAM;

	out[0] = 0;
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

		if (gn->type == GEN_RID && OBJ_obj2txt(out, (int)cap, gn->d.registeredID, 1) > 0) {
			rc = 0;
			break;
		}
	}
	GENERAL_NAMES_free(names);
	return rc;
}

static int load_pair(struct smdp *s, const char *role, const char *cert_path, const char *key_path, X509 **cert,
		     EVP_PKEY **key, uint8_t **der, size_t *der_len, bool corrupt)
{
	char cp[4096], kp[4096];
	int rc;

	snprintf(cp, sizeof(cp), "%s/%s/CERT_S_SM_%s_ECDSA_%s.der", s->o.certs_dir, role, role, s->o.curve);
	snprintf(kp, sizeof(kp), "%s/%s/SK_S_SM_%s_ECDSA_%s.pem", s->o.certs_dir, role, role, s->o.curve);
	if (cert_path)
		snprintf(cp, sizeof(cp), "%s", cert_path);
	if (key_path)
		snprintf(kp, sizeof(kp), "%s", key_path);
	if ((rc = smdp_load_cert(cp, cert)) < 0)
		return fail(s, rc, "cannot load %s", cp);
	if ((rc = smdp_load_key(kp, key)) < 0)
		return fail(s, rc, "cannot load %s", kp);
	if ((rc = smdp_cert_der(*cert, der, der_len)) < 0)
		return rc;
	/* The last octet is inside the signature's s INTEGER: still DER, no
	 * longer a valid signature. */
	if (corrupt)
		(*der)[*der_len - 1] ^= 0x01;
	return 0;
}

int smdp_new(const struct smdp_opts *opts, struct smdp **out)
{
	static const struct smdp_opts defaults;
	struct smdp *s = calloc(1, sizeof(*s));
	const ASN1_OCTET_STRING *ski;
	char path[4096];
	X509 *ci;
	int rc;

	*out = NULL;
	if (!s)
		return -SMDP_E_NOMEM;
	s->o = opts ? *opts : defaults;
	if (!s->o.curve)
		s->o.curve = "NIST";
	if (!s->o.certs_dir)
		s->o.certs_dir = SIM_DATADIR "/certs/sgp26";
	if (!s->o.server_address)
		s->o.server_address = SMDP_DEFAULT_ADDRESS;
	if (!s->o.segment_size)
		s->o.segment_size = SMDP_DEFAULT_SEGMENT;
	if (!s->o.service_provider_name)
		s->o.service_provider_name = "euicc-sim test SP";
	if (!s->o.profile_name)
		s->o.profile_name = "TS.48 test profile";
	if (!s->o.remote_op_id)
		s->o.remote_op_id = 1;
	if (!s->o.crt_key_type)
		s->o.crt_key_type = 0x88;
	if (!s->o.crt_key_len)
		s->o.crt_key_len = 0x10;
	if (!strcmp(s->o.curve, "NIST")) {
		s->group = "prime256v1";
	} else if (!strcmp(s->o.curve, "BRP")) {
		s->group = "brainpoolP256r1";
	} else {
		rc = fail(s, -SMDP_E_PARAM, "curve must be NIST or BRP");
		goto out;
	}
	if (sim_asn1_add_module("RSPDefinitions", rsp_asn1_tab) < 0) {
		rc = -SMDP_E_ASN1;
		goto out;
	}
	rc = load_pair(s, "DPauth", s->o.dpauth_cert, s->o.dpauth_key, &s->dpauth_cert, &s->dpauth_key,
		       &s->dpauth_der, &s->dpauth_len, s->o.corrupt_dpauth_cert);
	if (rc == 0)
		rc = load_pair(s, "DPpb", s->o.dppb_cert, s->o.dppb_key, &s->dppb_cert, &s->dppb_key, &s->dppb_der,
			       &s->dppb_len, s->o.corrupt_dppb_cert);
	if (rc < 0)
		goto out;
	/* The CI of our curve is needed; the other one, if the PKI has it,
	 * only serves to check cards. */
	snprintf(path, sizeof(path), "%s/CertificateIssuer/CERT_CI_ECDSA_NIST.der", s->o.certs_dir);
	if ((rc = smdp_load_cert(path, &s->ci_nist)) < 0 && !strcmp(s->o.curve, "NIST")) {
		fail(s, rc, "cannot load %s", path);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/CertificateIssuer/CERT_CI_ECDSA_BRP.der", s->o.certs_dir);
	if ((rc = smdp_load_cert(path, &s->ci_brp)) < 0 && strcmp(s->o.curve, "NIST")) {
		fail(s, rc, "cannot load %s", path);
		goto out;
	}
	rc = 0;
	ci = !strcmp(s->o.curve, "NIST") ? s->ci_nist : s->ci_brp;
	ski = X509_get0_subject_key_id(ci);
	if (!ski || ski->length <= 0 || (size_t)ski->length > sizeof(s->ci_id)) {
		rc = fail(s, -SMDP_E_PARAM, "CI certificate without subjectKeyIdentifier");
		goto out;
	}
	memcpy(s->ci_id, ski->data, (size_t)ski->length);
	s->ci_id_len = (size_t)ski->length;
	if (cert_rid(s->dpauth_cert, s->oid, sizeof(s->oid)) < 0)
		snprintf(s->oid, sizeof(s->oid), "?");
	*out = s;
	s = NULL;
	rc = 0;
out:
	smdp_free(s);
	return rc;
}

static void session_clear(struct smdp *s)
{
	free(s->ctx_params1);
	s->ctx_params1 = NULL;
	EVP_PKEY_free(s->euicc_pub);
	s->euicc_pub = NULL;
	s->requested = s->authenticated = s->prepared = false;
}

void smdp_free(struct smdp *s)
{
	if (!s)
		return;
	session_clear(s);
	X509_free(s->dpauth_cert);
	X509_free(s->dppb_cert);
	X509_free(s->ci_nist);
	X509_free(s->ci_brp);
	EVP_PKEY_free(s->dpauth_key);
	EVP_PKEY_free(s->dppb_key);
	free(s->dpauth_der);
	free(s->dppb_der);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* ---- small helpers ---------------------------------------------------------- */

#define W(node, name, v, l) do { \
		if ((rc = sim_asn1_write((node), (name), (v), (l))) < 0) { \
			fail(s, rc, "cannot write %s", (name)); \
			goto out; \
		} \
	} while (0)
#define WU(node, name, v) do { \
		if ((rc = sim_asn1_write_uint((node), (name), (v))) < 0) { \
			fail(s, rc, "cannot write %s", (name)); \
			goto out; \
		} \
	} while (0)
#define WDER(node, name, v, l) do { \
		if ((rc = sim_asn1_set_der((node), (name), (v), (l))) < 0) { \
			fail(s, rc, "cannot set %s", (name)); \
			goto out; \
		} \
	} while (0)
#define ENC(node, p, l) do { \
		if ((rc = sim_asn1_encode((node), (p), (l))) < 0) { \
			fail(s, rc, "cannot encode"); \
			goto out; \
		} \
	} while (0)

/* sig_do = 5F37 len sig, what SGP.22 appends to chain signatures. */
static size_t put_sig_do(uint8_t *out, const uint8_t *sig, size_t len)
{
	size_t h = smdp_put_header(out, 0x5F37, len);

	memcpy(out + h, sig, len);
	return h + len;
}

/* ---- bytes the SM-DP+ passes on as given ------------------------------------ */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int buf_room(struct buf *b, size_t more)
{
	if (b->len + more > b->cap) {
		size_t cap = (b->len + more) * 2 + 256;
		uint8_t *p = realloc(b->p, cap);

		if (!p)
			return -SMDP_E_NOMEM;
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

static int buf_put(struct buf *b, const void *data, size_t len)
{
	TRY(buf_room(b, len));
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static int buf_tlv(struct buf *b, uint32_t tag, const uint8_t *val, size_t len)
{
	uint8_t h[8];

	TRY(buf_put(b, h, smdp_put_header(h, tag, len)));
	return buf_put(b, val, len);
}

/* Rebuild the constructed element *der: its child `index` replaced by
 * repl (when repl.p; SIZE_MAX: the last child), extra appended. *der is
 * replaced by the new encoding. */
static int rebuild(uint8_t **der, size_t *len, size_t index, struct smdp_bytes repl, struct smdp_bytes extra)
{
	struct smdp_tlv outer, t;
	struct buf body = { 0 }, all = { 0 };
	size_t off = 0, i = 0, n = 0;
	int rc = -SMDP_E_ASN1;

	if (!repl.p && !extra.p)
		return 0;
	if (smdp_tlv_parse(*der, *len, &outer) < 0)
		return -SMDP_E_ASN1;
	for (off = 0; off < outer.len; n++) {
		if (smdp_tlv_parse(outer.val + off, outer.len - off, &t) < 0)
			return -SMDP_E_ASN1;
		off += t.hdr_len + t.len;
	}
	if (index == SIZE_MAX)
		index = n - 1;
	for (off = 0; off < outer.len; i++) {
		smdp_tlv_parse(outer.val + off, outer.len - off, &t);
		if (i == index && repl.p)
			rc = buf_put(&body, repl.p, repl.len);
		else
			rc = buf_put(&body, t.raw, t.hdr_len + t.len);
		if (rc < 0)
			goto out;
		off += t.hdr_len + t.len;
	}
	if ((rc = buf_put(&body, extra.p, extra.len)) < 0 || (rc = buf_tlv(&all, outer.tag, body.p, body.len)) < 0)
		goto out;
	free(*der);
	*der = all.p;
	*len = all.len;
	all.p = NULL;
out:
	free(body.p);
	free(all.p);
	return rc;
}

/* A malloc'd copy of given bytes (an empty one is not NULL). */
static int copy_bytes(struct smdp_bytes b, uint8_t **der, size_t *len)
{
	*der = malloc(b.len ? b.len : 1);
	if (!*der)
		return -SMDP_E_NOMEM;
	if (b.len)
		memcpy(*der, b.p, b.len);
	*len = b.len;
	return 0;
}

static int extend(uint8_t **der, size_t *len, struct smdp_bytes extra)
{
	return rebuild(der, len, 0, (struct smdp_bytes){ 0 }, extra);
}

/* The name of the chosen alternative of a CHOICE node. */
static int choice(asn1_node n, const char *name, char *out, size_t cap)
{
	int len = (int)cap;

	if (asn1_read_value(n, name, out, &len) != ASN1_SUCCESS || len <= 0 || (size_t)len >= cap)
		return -SMDP_E_ASN1;
	out[len] = 0;
	return 0;
}

static int read_exact(asn1_node n, const char *name, uint8_t *buf, size_t want)
{
	size_t got = 0;

	if (sim_asn1_read(n, name, buf, want, &got) < 0 || got != want)
		return -SMDP_E_ASN1;
	return 0;
}

/* A dotted OID read from a node (libtasn1 gives a NUL-terminated string). */
static int read_oid(asn1_node n, const char *name, char *out, size_t cap)
{
	size_t got = 0;

	if (sim_asn1_read(n, name, (uint8_t *)out, cap - 1, &got) < 0)
		return -SMDP_E_ASN1;
	out[got] = 0;
	return 0;
}

/* ---- AuthenticateServer ---------------------------------------------------- */

static int build_ctx_params1(struct smdp *s)
{
	static const uint8_t tac[8] = { 0x35, 0x29, 0x06, 0x11, 0, 0, 0, 0 };
	static const char *const caps[] = {
		"gsmSupportedRelease", "utranSupportedRelease", "cdma2000onexSupportedRelease",
		"cdma2000hrpdSupportedRelease", "cdma2000ehrpdSupportedRelease", "eutranEpcSupportedRelease",
		"contactlessSupportedRelease", "rspCrlSupportedVersion", "nrEpcSupportedRelease",
		"nr5gcSupportedRelease", "eutran5gcSupportedRelease", "lpaSvn", "catSupportedClasses",
		"euiccFormFactorType", "deviceAdditionalFeatureSupport",
	};
	const char *base = "ctxParamsForCommonAuthentication";
	asn1_node n = NULL;
	char name[160];
	int rc;

	free(s->ctx_params1);
	s->ctx_params1 = NULL;
	if ((rc = sim_asn1_new("RSPDefinitions.CtxParams1", &n)) < 0)
		goto out;
	W(n, "", base, 1);
	snprintf(name, sizeof(name), "%s.matchingId", base);
	if (s->o.matching_id)
		W(n, name, s->o.matching_id, strlen(s->o.matching_id));
	else
		W(n, name, NULL, 0);
	snprintf(name, sizeof(name), "%s.deviceInfo.tac", base);
	W(n, name, tac, sizeof(tac));
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		snprintf(name, sizeof(name), "%s.deviceInfo.deviceCapabilities.%s", base, caps[i]);
		W(n, name, NULL, 0);
	}
	snprintf(name, sizeof(name), "%s.deviceInfo.imei", base);
	W(n, name, NULL, 0);
	ENC(n, &s->ctx_params1, &s->ctx_params1_len);
out:
	asn1_delete_structure(&n);
	return rc;
}

int smdp_authenticate_server_request(struct smdp *s, const uint8_t euicc_challenge[SMDP_CHALLENGE_LEN],
				     uint8_t **der, size_t *len)
{
	asn1_node signed1 = NULL, req = NULL;
	uint8_t *signed_der = NULL, sig[SMDP_SIG_MAX], challenge[SMDP_CHALLENGE_LEN];
	size_t signed_len = 0, sig_len = 0;
	int rc;

	session_clear(s);
	if (RAND_bytes(s->txid, sizeof(s->txid)) != 1 ||
	    RAND_bytes(s->server_challenge, sizeof(s->server_challenge)) != 1)
		return -SMDP_E_CRYPTO;
	memcpy(challenge, euicc_challenge, sizeof(challenge));
	if (s->o.wrong_euicc_challenge)
		challenge[0] ^= 0x01;
	if ((rc = build_ctx_params1(s)) < 0)
		goto out;

	/* serverSigned1, signed as encoded, extensions included (SGP.22
	 * §5.6.1 / §3.1.2.1) */
	if ((rc = sim_asn1_new("RSPDefinitions.ServerSigned1", &signed1)) < 0)
		goto out;
	W(signed1, "transactionId", s->txid, sizeof(s->txid));
	W(signed1, "euiccChallenge", challenge, sizeof(challenge));
	W(signed1, "serverAddress", s->o.server_address, strlen(s->o.server_address));
	W(signed1, "serverChallenge", s->server_challenge, sizeof(s->server_challenge));
	ENC(signed1, &signed_der, &signed_len);
	if ((rc = extend(&signed_der, &signed_len, s->o.signed1_extra)) < 0)
		goto out;
	if ((rc = smdp_sign(s->dpauth_key, signed_der, signed_len, sig, sizeof(sig), &sig_len)) < 0) {
		fail(s, rc, "cannot sign serverSigned1");
		goto out;
	}
	if (s->o.bad_server_signature)
		sig[sig_len / 3] ^= 0x01;

	if ((rc = sim_asn1_new("RSPDefinitions.AuthenticateServerRequest", &req)) < 0)
		goto out;
	/* libtasn1 takes only what the module knows: the typed request is
	 * built first, the given bytes go in afterwards. */
	W(req, "serverSigned1.transactionId", s->txid, sizeof(s->txid));
	W(req, "serverSigned1.euiccChallenge", challenge, sizeof(challenge));
	W(req, "serverSigned1.serverAddress", s->o.server_address, strlen(s->o.server_address));
	W(req, "serverSigned1.serverChallenge", s->server_challenge, sizeof(s->server_challenge));
	W(req, "serverSignature1", sig, sig_len);
	if (s->o.ci_to_be_used)
		W(req, "euiccCiPKIdToBeUsed", s->o.ci_to_be_used, s->o.ci_to_be_used_len);
	else
		W(req, "euiccCiPKIdToBeUsed", s->ci_id, s->ci_id_len);
	W(req, "serverCertificate", s->dpauth_der, s->dpauth_len);
	WDER(req, "ctxParams1", s->ctx_params1, s->ctx_params1_len);
	ENC(req, der, len);
	if ((rc = rebuild(der, len, SIZE_MAX, s->o.ctx_params1, (struct smdp_bytes){ 0 })) < 0 ||
	    (rc = rebuild(der, len, 0, (struct smdp_bytes){ signed_der, signed_len }, s->o.auth_extra)) < 0) {
		fail(s, rc, "cannot put the given bytes into AuthenticateServerRequest");
		goto out;
	}
	if (s->o.ctx_params1.p) {	/* what the card must echo */
		free(s->ctx_params1);
		s->ctx_params1 = malloc(s->o.ctx_params1.len);
		if (!s->ctx_params1) {
			rc = -SMDP_E_NOMEM;
			goto out;
		}
		memcpy(s->ctx_params1, s->o.ctx_params1.p, s->o.ctx_params1.len);
		s->ctx_params1_len = s->o.ctx_params1.len;
	}
	s->requested = true;
out:
	free(signed_der);
	asn1_delete_structure(&signed1);
	asn1_delete_structure(&req);
	return rc;
}

static X509 *d2i_exact(const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *c = d2i_X509(NULL, &p, (long)len);

	if (c && p != der + len) {
		X509_free(c);
		c = NULL;
	}
	return c;
}

static bool same_octets(const ASN1_OCTET_STRING *a, const ASN1_OCTET_STRING *b)
{
	/* (a missing CI certificate gives b == NULL below) */
	return a && b && a->length == b->length && !memcmp(a->data, b->data, (size_t)a->length);
}

/* CERT.EUICC <- CERT.EUM <- CI, one X509_verify per link: the SGP.26 EUM
 * carries name constraints that a stock verifier refuses (the EID prefix
 * is what it constrains; checked here on the EID instead). */
static int check_euicc_chain(struct smdp *s, const uint8_t *euicc_der, size_t euicc_len, const uint8_t *eum_der,
			     size_t eum_len)
{
	X509 *euicc = d2i_exact(euicc_der, euicc_len), *eum = d2i_exact(eum_der, eum_len), *ci = NULL;
	const X509_NAME *subj;
	const ASN1_STRING *sn;
	char digits[40];
	int idx, rc = -SMDP_E_CERT;

	if (!euicc || !eum) {
		fail(s, rc, "eUICC or EUM certificate does not decode");
		goto out;
	}
	if (s->ci_nist && same_octets(X509_get0_authority_key_id(eum), X509_get0_subject_key_id(s->ci_nist)))
		ci = s->ci_nist;
	else if (s->ci_brp && same_octets(X509_get0_authority_key_id(eum), X509_get0_subject_key_id(s->ci_brp)))
		ci = s->ci_brp;
	if (!ci) {
		fail(s, rc, "EUM certificate not issued by a known CI");
		goto out;
	}
	if (!s->o.ci_to_be_used && !same_octets(X509_get0_authority_key_id(eum), X509_get0_subject_key_id(
				       !strcmp(s->o.curve, "NIST") ? s->ci_nist : s->ci_brp))) {
		fail(s, rc, "EUM certificate chains to another CI than euiccCiPKIdToBeUsed");
		goto out;
	}
	if (X509_verify(eum, X509_get0_pubkey(ci)) != 1) {
		fail(s, rc, "EUM certificate signature does not verify with the CI key");
		goto out;
	}
	if (!same_octets(X509_get0_authority_key_id(euicc), X509_get0_subject_key_id(eum)) ||
	    X509_verify(euicc, X509_get0_pubkey(eum)) != 1) {
		fail(s, rc, "eUICC certificate not signed by the EUM certificate");
		goto out;
	}
	/* EID = subject serialNumber, 32 decimal digits (SGP.22 §4.5.2.1.0.2) */
	subj = X509_get_subject_name(euicc);
	idx = X509_NAME_get_index_by_NID(subj, NID_serialNumber, -1);
	sn = idx >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx)) : NULL;
	if (!sn || ASN1_STRING_length(sn) != 32) {
		fail(s, rc, "eUICC certificate subject has no 32-digit serialNumber (EID)");
		goto out;
	}
	memcpy(digits, ASN1_STRING_get0_data(sn), 32);
	for (int i = 0; i < 32; i++) {
		if (digits[i] < '0' || digits[i] > '9') {
			fail(s, rc, "EID is not decimal");
			goto out;
		}
		if (i % 2 == 0)
			s->eid[i / 2] = (uint8_t)((digits[i] - '0') << 4);
		else
			s->eid[i / 2] |= (uint8_t)(digits[i] - '0');
	}
	EVP_PKEY_free(s->euicc_pub);
	s->euicc_pub = X509_get_pubkey(euicc);
	rc = s->euicc_pub ? 0 : -SMDP_E_CRYPTO;
out:
	ERR_clear_error();
	X509_free(euicc);
	X509_free(eum);
	return rc;
}

int smdp_check_authenticate_response(struct smdp *s, const uint8_t *rsp, size_t len)
{
	struct sim_asn1_ext x = { 0 };
	asn1_node n = NULL;
	char alt[64], addr[256];
	uint8_t txid[SMDP_TXID_LEN], chal[SMDP_CHALLENGE_LEN], *euicc = NULL, *eum = NULL;
	const uint8_t *span, *ctx;
	size_t span_len, ctx_len, euicc_len = 0, eum_len = 0, n_addr = 0;
	unsigned long code;
	int rc;

	s->why[0] = 0;
	if (!s->requested)
		return fail(s, -SMDP_E_STATE, "no AuthenticateServer request made");
	/* DER everywhere but in the echoed ctxParams1 (an open slot here),
	 * which carries what the LPA sent. */
	if (sim_asn1_decode_ext("RSPDefinitions.AuthenticateServerResponse", rsp, len, 0, &n, &x) < 0 ||
	    choice(n, "", alt, sizeof(alt)) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "AuthenticateServerResponse does not decode");
		goto out;
	}
	for (size_t i = 0; i < x.n_dev; i++) {
		if (x.dev[i].kind != SIM_ASN1_DEV_LENGTH ||
		    strcmp(x.dev[i].path, "authenticateResponseOk.euiccSigned1.ctxParams1")) {
			rc = fail(s, -SMDP_E_ASN1, "AuthenticateServerResponse is not DER (at %s)", x.dev[i].path);
			goto out;
		}
	}
	if (!strcmp(alt, "authenticateResponseError")) {
		if (read_exact(n, "authenticateResponseError.transactionId", txid, sizeof(txid)) < 0 ||
		    sim_asn1_read_uint(n, "authenticateResponseError.authenticateErrorCode", &code) < 0 || code == 0) {
			rc = fail(s, -SMDP_E_ASN1, "authenticateResponseError malformed");
			goto out;
		}
		if (memcmp(txid, s->txid, sizeof(txid))) {
			rc = fail(s, -SMDP_E_MISMATCH, "authenticateResponseError: transactionId is not ours");
			goto out;
		}
		rc = fail(s, (int)code, "authenticateResponseError %lu", code);
		goto out;
	}
	if (sim_asn1_read_alloc(n, "authenticateResponseOk.euiccCertificate", &euicc, &euicc_len) < 0 ||
	    sim_asn1_read_alloc(n, "authenticateResponseOk.eumCertificate", &eum, &eum_len) < 0 ||
	    sim_asn1_read(n, "authenticateResponseOk.euiccSignature1", s->euicc_sig1, sizeof(s->euicc_sig1),
			  &s->euicc_sig1_len) < 0 ||
	    sim_asn1_ext_span(&x, n, "authenticateResponseOk.euiccSigned1", &span, &span_len) < 0 ||
	    sim_asn1_ext_span(&x, n, "authenticateResponseOk.euiccSigned1.ctxParams1", &ctx, &ctx_len) < 0 ||
	    read_exact(n, "authenticateResponseOk.euiccSigned1.transactionId", txid, sizeof(txid)) < 0 ||
	    read_exact(n, "authenticateResponseOk.euiccSigned1.serverChallenge", chal, sizeof(chal)) < 0 ||
	    sim_asn1_read(n, "authenticateResponseOk.euiccSigned1.serverAddress", (uint8_t *)addr, sizeof(addr) - 1,
			  &n_addr) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "authenticateResponseOk lacks a field");
		goto out;
	}
	addr[n_addr] = 0;
	if ((rc = check_euicc_chain(s, euicc, euicc_len, eum, eum_len)) < 0)
		goto out;
	if (smdp_verify(s->euicc_pub, span, span_len, s->euicc_sig1, s->euicc_sig1_len) < 0) {
		rc = fail(s, -SMDP_E_SIGNATURE, "euiccSignature1 does not verify over euiccSigned1");
		goto out;
	}
	if (memcmp(txid, s->txid, sizeof(txid)) || memcmp(chal, s->server_challenge, sizeof(chal)) ||
	    strcmp(addr, s->o.server_address)) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccSigned1: transactionId, serverChallenge or serverAddress differ");
		goto out;
	}
	if (ctx_len != s->ctx_params1_len || memcmp(ctx, s->ctx_params1, ctx_len)) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccSigned1.ctxParams1 is not the ctxParams1 we sent");
		goto out;
	}
	s->authenticated = true;
	rc = 0;
out:
	free(euicc);
	free(eum);
	sim_asn1_ext_free(&x);
	asn1_delete_structure(&n);
	return rc;
}

/* ---- PrepareDownload -------------------------------------------------------- */

static int hash_cc(struct smdp *s, uint8_t out[32])
{
	uint8_t h1[32], buf[32 + SMDP_TXID_LEN];
	const char *cc = s->o.confirmation_code ? s->o.confirmation_code : "";

	/* SGP.22 §3.1.3: SHA256(SHA256(Confirmation Code) | TransactionID) */
	if (!SHA256((const uint8_t *)cc, strlen(cc), h1))
		return -SMDP_E_CRYPTO;
	memcpy(buf, h1, 32);
	memcpy(buf + 32, s->txid, SMDP_TXID_LEN);
	return SHA256(buf, sizeof(buf), out) ? 0 : -SMDP_E_CRYPTO;
}

int smdp_prepare_download_request(struct smdp *s, uint8_t **der, size_t *len)
{
	asn1_node signed2 = NULL, req = NULL;
	uint8_t *signed_der = NULL, *chained = NULL, txid[SMDP_TXID_LEN], hcc[32];
	size_t signed_len = 0, cl;
	int rc;

	if (!s->authenticated)
		return fail(s, -SMDP_E_STATE, "AuthenticateServer not completed");
	memcpy(txid, s->txid, sizeof(txid));
	if (s->o.prepare_wrong_txid)
		txid[SMDP_TXID_LEN - 1] ^= 0x5A;
	if ((rc = sim_asn1_new("RSPDefinitions.SmdpSigned2", &signed2)) < 0)
		goto out;
	W(signed2, "transactionId", txid, sizeof(txid));
	W(signed2, "ccRequiredFlag", s->o.cc_required ? "TRUE" : "FALSE", 1);
	W(signed2, "bppEuiccOtpk", NULL, 0);
	ENC(signed2, &signed_der, &signed_len);
	if ((rc = sim_asn1_new("RSPDefinitions.PrepareDownloadRequest", &req)) < 0)
		goto out;
	WDER(req, "smdpSigned2", signed_der, signed_len);	/* before any extension */
	if ((rc = extend(&signed_der, &signed_len, s->o.signed2_extra)) < 0)
		goto out;
	/* smdpSignature2 over smdpSigned2 (as sent) || 5F37 len euiccSignature1 (§5.7.5) */
	chained = malloc(signed_len + 8 + s->euicc_sig1_len);
	if (!chained) {
		rc = -SMDP_E_NOMEM;
		goto out;
	}
	memcpy(chained, signed_der, signed_len);
	cl = signed_len + put_sig_do(chained + signed_len, s->euicc_sig1, s->euicc_sig1_len);
	if ((rc = smdp_sign(s->dppb_key, chained, cl, s->smdp_sig2, sizeof(s->smdp_sig2), &s->smdp_sig2_len)) < 0) {
		fail(s, rc, "cannot sign smdpSigned2");
		goto out;
	}
	if (s->o.bad_smdp_signature2)
		s->smdp_sig2[s->smdp_sig2_len / 2 + 3] ^= 0x01;

	W(req, "smdpSignature2", s->smdp_sig2, s->smdp_sig2_len);
	if (s->o.cc_required) {
		if ((rc = hash_cc(s, hcc)) < 0)
			goto out;
		W(req, "hashCc", hcc, sizeof(hcc));
	} else {
		W(req, "hashCc", NULL, 0);
	}
	W(req, "smdpCertificate", s->dppb_der, s->dppb_len);
	ENC(req, der, len);
	if ((rc = rebuild(der, len, 0, (struct smdp_bytes){ signed_der, signed_len }, s->o.prepare_extra)) < 0)
		fail(s, rc, "cannot put the given bytes into PrepareDownloadRequest");
out:
	free(signed_der);
	free(chained);
	asn1_delete_structure(&signed2);
	asn1_delete_structure(&req);
	return rc;
}

int smdp_check_prepare_response(struct smdp *s, const uint8_t *rsp, size_t len)
{
	asn1_node n = NULL;
	char alt[64];
	uint8_t txid[SMDP_TXID_LEN], sig[SMDP_SIG_MAX], hcc[32], want[32], *chained = NULL;
	const uint8_t *span;
	size_t span_len, sig_len = 0, hcc_len = 0, cl;
	unsigned long code;
	int rc, hrc;

	s->why[0] = 0;
	s->prepared = false;
	if (!s->authenticated)
		return fail(s, -SMDP_E_STATE, "AuthenticateServer not completed");
	if (sim_asn1_decode("RSPDefinitions.PrepareDownloadResponse", rsp, len, &n) < 0 ||
	    choice(n, "", alt, sizeof(alt)) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "PrepareDownloadResponse does not decode");
		goto out;
	}
	if (!strcmp(alt, "downloadResponseError")) {
		if (read_exact(n, "downloadResponseError.transactionId", txid, sizeof(txid)) < 0 ||
		    sim_asn1_read_uint(n, "downloadResponseError.downloadErrorCode", &code) < 0 || code == 0) {
			rc = fail(s, -SMDP_E_ASN1, "downloadResponseError malformed");
			goto out;
		}
		rc = fail(s, (int)code, "downloadResponseError %lu", code);
		goto out;
	}
	if (sim_asn1_span(n, rsp, len, "downloadResponseOk.euiccSigned2", &span, &span_len) < 0 ||
	    sim_asn1_read(n, "downloadResponseOk.euiccSignature2", sig, sizeof(sig), &sig_len) < 0 ||
	    read_exact(n, "downloadResponseOk.euiccSigned2.transactionId", txid, sizeof(txid)) < 0 ||
	    sim_asn1_read(n, "downloadResponseOk.euiccSigned2.euiccOtpk", s->euicc_otpk, sizeof(s->euicc_otpk),
			  &s->euicc_otpk_len) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "downloadResponseOk lacks a field");
		goto out;
	}
	/* euiccSignature2 over euiccSigned2 || 5F37 len smdpSignature2 */
	chained = malloc(span_len + 8 + s->smdp_sig2_len);
	if (!chained) {
		rc = -SMDP_E_NOMEM;
		goto out;
	}
	memcpy(chained, span, span_len);
	cl = span_len + put_sig_do(chained + span_len, s->smdp_sig2, s->smdp_sig2_len);
	if (smdp_verify(s->euicc_pub, chained, cl, sig, sig_len) < 0) {
		rc = fail(s, -SMDP_E_SIGNATURE, "euiccSignature2 does not verify");
		goto out;
	}
	if (memcmp(txid, s->txid, sizeof(txid))) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccSigned2.transactionId is not ours");
		goto out;
	}
	hrc = sim_asn1_read(n, "downloadResponseOk.euiccSigned2.hashCc", hcc, sizeof(hcc), &hcc_len);
	if (s->o.cc_required) {
		if (hrc < 0 || hcc_len != 32 || hash_cc(s, want) < 0 || memcmp(hcc, want, 32)) {
			rc = fail(s, -SMDP_E_MISMATCH, "euiccSigned2.hashCc missing or wrong");
			goto out;
		}
	} else if (hrc == 0) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccSigned2 carries hashCc though none was asked for");
		goto out;
	}
	if (s->euicc_otpk_len == 0 || s->euicc_otpk[0] != 0x04) {
		rc = fail(s, -SMDP_E_ASN1, "otPK.EUICC.ECKA is not an uncompressed point");
		goto out;
	}
	s->prepared = true;
	rc = 0;
out:
	free(chained);
	asn1_delete_structure(&n);
	return rc;
}

/* ---- the Bound Profile Package ------------------------------------------------ */

/* Where segments end: the sizes listed, then `rest` bytes each. */
struct cuts {
	const size_t *v;
	size_t n, rest;
};

static struct cuts cuts_of(size_t rest, const size_t *v, size_t n)
{
	return (struct cuts){ v, n, rest };
}

/* Protect plain as segments cut by c (at least one segment; a listed 0
 * is an empty one) into b; *count counts segments of this tag across
 * calls; the segment whose 1-based number is `tamper` gets a bit flipped
 * in its payload. */
static int protect(struct smdp_bsp *bsp, struct buf *b, uint8_t tag, const uint8_t *plain, size_t len,
		   struct cuts c, bool encrypt, unsigned *count, unsigned tamper)
{
	size_t off = 0, i = 0;

	do {
		size_t seg = i < c.n ? c.v[i] : c.rest, n = len - off < seg ? len - off : seg, got = 0, hdr;

		TRY(buf_room(b, n + 40));
		TRY(smdp_bsp_wrap(bsp, tag, plain + off, n, encrypt, b->p + b->len, b->cap - b->len, &got));
		++*count;
		if (*count == tamper) {
			hdr = got - 8 - (encrypt ? (n / 16 + 1) * 16 : n);
			b->p[b->len + hdr + (got - hdr - 8) / 2] ^= 0x01;
		}
		b->len += got;
		off += n;
		i++;
	} while (off < len);
	return 0;
}

/* The ICCID of the ProfileHeader (first PE, [0] { ... [3] iccid ... }). */
static int upp_iccid(const uint8_t *upp, size_t len, uint8_t iccid[SMDP_ICCID_LEN])
{
	struct smdp_tlv pe, f;
	size_t off = 0;

	if (smdp_tlv_parse(upp, len, &pe) < 0 || pe.tag != 0xA0)
		return -SMDP_E_PARAM;
	while (off < pe.len) {
		if (smdp_tlv_parse(pe.val + off, pe.len - off, &f) < 0)
			return -SMDP_E_PARAM;
		if (f.tag == 0x83 && f.len == SMDP_ICCID_LEN) {
			memcpy(iccid, f.val, SMDP_ICCID_LEN);
			return 0;
		}
		off += f.hdr_len + f.len;
	}
	return -SMDP_E_PARAM;
}

static int build_metadata(struct smdp *s, const uint8_t *upp, size_t upp_len, uint8_t **der, size_t *len)
{
	static const char *const events[] = { NULL, "enable", "disable", "delete" };
	asn1_node n = NULL;
	uint8_t iccid[SMDP_ICCID_LEN];
	int rc;

	if (s->o.metadata_iccid) {
		memcpy(iccid, s->o.metadata_iccid, sizeof(iccid));
	} else {
		if ((rc = upp_iccid(upp, upp_len, iccid)) < 0)
			return fail(s, rc, "the package does not start with a ProfileHeader carrying an iccid");
		/* Tag 5A carries the ICCID as in EF.ICCID: nibbles swapped */
		for (size_t i = 0; i < sizeof(iccid); i++)
			iccid[i] = (uint8_t)(iccid[i] << 4 | iccid[i] >> 4);
	}
	if ((rc = sim_asn1_new("RSPDefinitions.StoreMetadataRequest", &n)) < 0)
		goto out;
	W(n, "iccid", iccid, sizeof(iccid));
	W(n, "serviceProviderName", s->o.service_provider_name, strlen(s->o.service_provider_name));
	W(n, "profileName", s->o.profile_name, strlen(s->o.profile_name));
	W(n, "iconType", NULL, 0);
	W(n, "icon", NULL, 0);
	if (s->o.has_profile_class)	/* else: DEFAULT operational, left out */
		WU(n, "profileClass", (unsigned long)s->o.profile_class);
	if (s->o.notification_address) {
		for (unsigned e = 1; e < sizeof(events) / sizeof(events[0]); e++) {
			W(n, "notificationConfigurationInfo", "NEW", 1);
			if ((rc = sim_asn1_write_bits(n, "notificationConfigurationInfo.?LAST.profileManagementOperation",
						      1u << e)) < 0)
				goto out;
			W(n, "notificationConfigurationInfo.?LAST.notificationAddress", s->o.notification_address,
			  strlen(s->o.notification_address));
		}
	} else {
		W(n, "notificationConfigurationInfo", NULL, 0);
	}
	if (s->o.has_owner) {
		W(n, "profileOwner.mccMnc", s->o.owner_mcc_mnc, 3);
		W(n, "profileOwner.gid1", NULL, 0);
		W(n, "profileOwner.gid2", NULL, 0);
	} else {
		W(n, "profileOwner", NULL, 0);
	}
	if (s->o.ppr) {
		if ((rc = sim_asn1_write_bits(n, "profilePolicyRules", s->o.ppr)) < 0)
			goto out;
	} else {
		W(n, "profilePolicyRules", NULL, 0);
	}
	W(n, "serviceSpecificDataStoredInEuicc", NULL, 0);
	W(n, "serviceSpecificDataNotStoredInEuicc", NULL, 0);
	W(n, "ecallIndication", NULL, 0);
	W(n, "fallbackAllowed", NULL, 0);
	W(n, "iotSpecificMetadata", NULL, 0);
	ENC(n, der, len);
out:
	asn1_delete_structure(&n);
	return rc;
}

/* BF23 InitialiseSecureChannelRequest (SGP.22 §5.5.1, §2.5.4): smdpSign
 * covers the encoded remoteOpId .. smdpOtpk TLVs followed by
 * 5F49 len otPK.EUICC.ECKA. Encoded once with a placeholder signature of the
 * right size, which is then overwritten (smdpSign is the last element). */
static int build_bf23(struct smdp *s, const uint8_t *otpk, size_t otpk_len, uint8_t **der, size_t *len)
{
	asn1_node n = NULL;
	uint8_t txid[SMDP_TXID_LEN], kt = s->o.crt_key_type, kl = s->o.crt_key_len, sig[SMDP_SIG_MAX] = { 0 };
	uint8_t *tbs = NULL, *out = NULL;
	size_t sig_len = (size_t)(EVP_PKEY_get_bits(s->dppb_key) + 7) / 8 * 2, out_len = 0, tbs_len, got = 0;
	struct smdp_tlv t;
	int rc;

	memcpy(txid, s->txid, sizeof(txid));
	if (s->o.init_wrong_txid)
		txid[0] ^= 0xA5;
	if ((rc = sim_asn1_new("RSPDefinitions.InitialiseSecureChannelRequest", &n)) < 0)
		goto out;
	WU(n, "remoteOpId", s->o.remote_op_id);
	W(n, "transactionId", txid, sizeof(txid));
	W(n, "controlRefTemplate.keyType", &kt, 1);
	W(n, "controlRefTemplate.keyLen", &kl, 1);
	W(n, "controlRefTemplate.hostId", HOST_ID, strlen(HOST_ID));
	W(n, "smdpOtpk", otpk, otpk_len);
	W(n, "smdpSign", sig, sig_len);
	ENC(n, &out, &out_len);
	if (smdp_tlv_parse(out, out_len, &t) < 0 || t.tag != TAG_INIT_SC || t.len < sig_len + 3) {
		rc = fail(s, -SMDP_E_ASN1, "BF23 encoding unexpected");
		goto out;
	}
	tbs_len = t.len - sig_len - smdp_put_header(NULL, 0x5F37, sig_len);
	tbs = malloc(tbs_len + 8 + s->euicc_otpk_len);
	if (!tbs) {
		rc = -SMDP_E_NOMEM;
		goto out;
	}
	memcpy(tbs, t.val, tbs_len);
	tbs_len += smdp_put_header(tbs + tbs_len, 0x5F49, s->euicc_otpk_len);
	memcpy(tbs + tbs_len, s->euicc_otpk, s->euicc_otpk_len);
	tbs_len += s->euicc_otpk_len;
	if ((rc = smdp_sign(s->dppb_key, tbs, tbs_len, sig, sizeof(sig), &got)) < 0 || got != sig_len) {
		rc = fail(s, rc < 0 ? rc : -SMDP_E_CRYPTO, "cannot sign BF23");
		goto out;
	}
	if (s->o.bad_smdp_sign)
		sig[5] ^= 0x01;
	memcpy(out + out_len - sig_len, sig, sig_len);
	if ((rc = extend(&out, &out_len, s->o.bf23_extra)) < 0)
		goto out;
	*der = out;
	*len = out_len;
	out = NULL;
out:
	free(out);
	free(tbs);
	asn1_delete_structure(&n);
	return rc;
}

int smdp_build_bpp(struct smdp *s, const uint8_t *upp, size_t upp_len, uint8_t **bpp, size_t *len)
{
	asn1_node n = NULL;
	EVP_PKEY *otsk = NULL;
	uint8_t otpk[OTPK_MAX], shs[66], mcv[16], enc[16], mac[16], ppk[48];
	uint8_t *bf23 = NULL, *conf = NULL, *meta = NULL, *rsk = NULL;
	size_t otpk_len = 0, shs_len = 0, bf23_len = 0, conf_len = 0, meta_len = 0, rsk_len = 0;
	struct buf a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 }, body = { 0 }, all = { 0 };
	unsigned n86 = 0, n87 = 0, n88 = 0;
	struct smdp_bsp bsp;
	char group[64];
	int rc;

	*bpp = NULL;
	if (!s->prepared)
		return fail(s, -SMDP_E_STATE, "PrepareDownload not completed");
	/* otPK.DP.ECKA on the eUICC's curve, which is CERT.DPpb's (§3.1.3) */
	if ((rc = smdp_key_group(s->dppb_key, group, sizeof(group))) < 0 ||
	    (rc = smdp_ec_keygen(group, &otsk, otpk, sizeof(otpk), &otpk_len)) < 0 ||
	    (rc = smdp_ecdh_key(otsk, s->euicc_otpk, s->euicc_otpk_len, shs, sizeof(shs), &shs_len)) < 0) {
		fail(s, rc, "key agreement with otPK.EUICC.ECKA failed");
		goto out;
	}
	if ((rc = smdp_kdf(shs, shs_len, 0x88, 0x10, (const uint8_t *)HOST_ID, strlen(HOST_ID), s->eid, EID_LEN, mcv,
			   enc, mac)) < 0)
		goto out;
	smdp_bsp_init(&bsp, enc, mac, mcv);
	if ((rc = build_bf23(s, otpk, otpk_len, &bf23, &bf23_len)) < 0)
		goto out;

	/* A0: ConfigureISDPRequest, no dpProprietaryData (or as given) */
	if (s->o.configure_raw.p) {
		if ((rc = copy_bytes(s->o.configure_raw, &conf, &conf_len)) < 0)
			goto out;
	} else {
		if ((rc = sim_asn1_new("RSPDefinitions.ConfigureISDPRequest", &n)) < 0)
			goto out;
		W(n, "dpProprietaryData", NULL, 0);
		ENC(n, &conf, &conf_len);
		asn1_delete_structure(&n);
	}
	if ((rc = extend(&conf, &conf_len, s->o.configure_extra)) < 0)
		goto out;
	if ((rc = protect(&bsp, &a0, 0x87, conf, conf_len, cuts_of(conf_len, NULL, 0), true, &n87,
			  s->o.tamper_87)) < 0)
		goto out;

	/* A1: StoreMetadataRequest (ours or as given), MAC only, cut at the
	 * segment size */
	if (s->o.metadata_raw.p)
		rc = copy_bytes(s->o.metadata_raw, &meta, &meta_len);
	else
		rc = build_metadata(s, upp, upp_len, &meta, &meta_len);
	if (rc < 0 || (rc = extend(&meta, &meta_len, s->o.metadata_extra)) < 0 ||
	    (rc = protect(&bsp, &a1, 0x88, meta, meta_len,
			  cuts_of(s->o.segment_size, s->o.metadata_segments, s->o.n_metadata_segments), false, &n88,
			  s->o.tamper_88)) < 0)
		goto out;

	/* A2: ReplaceSessionKeysRequest with fresh PPKs (§5.5.4) */
	if (!s->o.no_replace_session_keys) {
		if (RAND_bytes(ppk, sizeof(ppk)) != 1) {
			rc = -SMDP_E_CRYPTO;
			goto out;
		}
		if ((rc = sim_asn1_new("RSPDefinitions.ReplaceSessionKeysRequest", &n)) < 0)
			goto out;
		W(n, "initialMacChainingValue", ppk, 16);
		W(n, "ppkEnc", ppk + 16, 16);
		W(n, "ppkCmac", ppk + 32, 16);
		ENC(n, &rsk, &rsk_len);
		asn1_delete_structure(&n);
		if ((rc = extend(&rsk, &rsk_len, s->o.rsk_extra)) < 0)
			goto out;
		if ((rc = protect(&bsp, &a2, 0x87, rsk, rsk_len, cuts_of(rsk_len, NULL, 0), true, &n87,
				  s->o.tamper_87)) < 0)
			goto out;
		smdp_bsp_init(&bsp, ppk + 16, ppk + 32, ppk);
	}

	/* A3: the profile package, cut anywhere */
	if (upp_len == 0) {
		rc = fail(s, -SMDP_E_PARAM, "empty profile package");
		goto out;
	}
	if ((rc = protect(&bsp, &a3, 0x86, upp, upp_len, cuts_of(s->o.segment_size, s->o.segments, s->o.n_segments),
			  true, &n86, s->o.tamper_86)) < 0)
		goto out;

	if ((rc = buf_put(&body, bf23, bf23_len)) < 0 || (rc = buf_tlv(&body, TAG_SEQ87_1, a0.p, a0.len)) < 0 ||
	    (rc = buf_tlv(&body, TAG_SEQ88, a1.p, a1.len)) < 0 ||
	    (!s->o.no_replace_session_keys && (rc = buf_tlv(&body, TAG_SEQ87_2, a2.p, a2.len)) < 0) ||
	    (rc = buf_tlv(&body, TAG_SEQ86, a3.p, a3.len)) < 0 || (rc = buf_tlv(&all, TAG_BPP, body.p, body.len)) < 0)
		goto out;
	*bpp = all.p;
	*len = all.len;
	all.p = NULL;
	rc = 0;
out:
	asn1_delete_structure(&n);
	EVP_PKEY_free(otsk);
	OPENSSL_cleanse(shs, sizeof(shs));
	OPENSSL_cleanse(ppk, sizeof(ppk));
	OPENSSL_cleanse(&bsp, sizeof(bsp));
	free(bf23);
	free(conf);
	free(meta);
	if (rsk)
		OPENSSL_cleanse(rsk, rsk_len);
	free(rsk);
	free(a0.p);
	free(a1.p);
	free(a2.p);
	free(a3.p);
	free(body.p);
	free(all.p);
	return rc;
}

int smdp_bpp_pieces(const uint8_t *bpp, size_t len, smdp_piece_cb cb, void *ctx)
{
	struct smdp_tlv outer, t, e;
	size_t off, idx = 0;
	int rc;

	if (smdp_tlv_parse(bpp, len, &outer) < 0 || outer.tag != TAG_BPP || outer.hdr_len + outer.len != len)
		return -SMDP_E_ASN1;
	off = outer.hdr_len;
	if (smdp_tlv_parse(bpp + off, len - off, &t) < 0 || t.tag != TAG_INIT_SC)
		return -SMDP_E_ASN1;
	/* [BF36 header + BF23] */
	if ((rc = cb(ctx, idx++, bpp, outer.hdr_len + t.hdr_len + t.len)) != 0)
		return rc;
	off += t.hdr_len + t.len;
	while (off < len) {
		if (smdp_tlv_parse(bpp + off, len - off, &t) < 0)
			return -SMDP_E_ASN1;
		if (t.tag == TAG_SEQ87_1 || t.tag == TAG_SEQ87_2) {
			if ((rc = cb(ctx, idx++, t.raw, t.hdr_len + t.len)) != 0)
				return rc;
		} else if (t.tag == TAG_SEQ88 || t.tag == TAG_SEQ86) {
			if ((rc = cb(ctx, idx++, t.raw, t.hdr_len)) != 0)
				return rc;
			for (size_t i = 0; i < t.len; i += e.hdr_len + e.len) {
				if (smdp_tlv_parse(t.val + i, t.len - i, &e) < 0)
					return -SMDP_E_ASN1;
				if ((rc = cb(ctx, idx++, e.raw, e.hdr_len + e.len)) != 0)
					return rc;
			}
		} else {
			return -SMDP_E_ASN1;
		}
		off += t.hdr_len + t.len;
	}
	return 0;
}

/* ---- ProfileInstallationResult ---------------------------------------------- */

int smdp_check_pir(struct smdp *s, const uint8_t *pir, size_t len, struct smdp_pir *r)
{
	const char *d = "profileInstallationResultData";
	asn1_node n = NULL;
	const uint8_t *span;
	size_t span_len, sig_len = 0, got = 0;
	uint8_t sig[SMDP_SIG_MAX], txid[SMDP_TXID_LEN];
	char name[128], alt[64];
	unsigned long v;
	int rc;

	memset(r, 0, sizeof(*r));
	s->why[0] = 0;
	if (!s->euicc_pub)
		return fail(s, -SMDP_E_STATE, "no eUICC certificate known");
	if (sim_asn1_decode("RSPDefinitions.ProfileInstallationResult", pir, len, &n) < 0 ||
	    sim_asn1_span(n, pir, len, d, &span, &span_len) < 0 ||
	    sim_asn1_read(n, "euiccSignPIR", sig, sizeof(sig), &sig_len) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "ProfileInstallationResult does not decode");
		goto out;
	}
	if (smdp_verify(s->euicc_pub, span, span_len, sig, sig_len) < 0) {
		rc = fail(s, -SMDP_E_SIGNATURE, "euiccSignPIR does not verify over the BF27 as received");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.transactionId", d);
	if (read_exact(n, name, txid, sizeof(txid)) < 0 || memcmp(txid, s->txid, sizeof(txid))) {
		rc = fail(s, -SMDP_E_MISMATCH, "PIR transactionId is not ours");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.notificationMetadata.seqNumber", d);
	if (sim_asn1_read_uint(n, name, &r->seq_number) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "PIR seqNumber");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.notificationMetadata.notificationAddress", d);
	if (sim_asn1_read(n, name, (uint8_t *)r->notification_address, sizeof(r->notification_address) - 1,
			  &got) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "PIR notificationAddress");
		goto out;
	}
	r->notification_address[got] = 0;
	snprintf(name, sizeof(name), "%s.notificationMetadata.iccid", d);
	r->has_iccid = read_exact(n, name, r->iccid, sizeof(r->iccid)) == 0;
	snprintf(name, sizeof(name), "%s.smdpOid", d);
	if (read_oid(n, name, r->smdp_oid, sizeof(r->smdp_oid)) < 0)
		r->smdp_oid[0] = 0;
	snprintf(name, sizeof(name), "%s.finalResult", d);
	if (choice(n, name, alt, sizeof(alt)) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "PIR finalResult");
		goto out;
	}
	if (!strcmp(alt, "successResult")) {
		r->success = true;
		snprintf(name, sizeof(name), "%s.finalResult.successResult.aid", d);
		if (sim_asn1_read(n, name, r->aid, sizeof(r->aid), &r->aid_len) < 0) {
			rc = fail(s, -SMDP_E_ASN1, "PIR successResult.aid");
			goto out;
		}
	} else {
		snprintf(name, sizeof(name), "%s.finalResult.errorResult.bppCommandId", d);
		if (sim_asn1_read_uint(n, name, &v) < 0) {
			rc = fail(s, -SMDP_E_ASN1, "PIR bppCommandId");
			goto out;
		}
		r->bpp_command_id = (unsigned)v;
		snprintf(name, sizeof(name), "%s.finalResult.errorResult.errorReason", d);
		if (sim_asn1_read_uint(n, name, &v) < 0) {
			rc = fail(s, -SMDP_E_ASN1, "PIR errorReason");
			goto out;
		}
		r->error_reason = (unsigned)v;
	}
	rc = 0;
out:
	asn1_delete_structure(&n);
	return rc;
}

/* ---- CancelSession ---------------------------------------------------------- */

int smdp_cancel_session_request(struct smdp *s, unsigned reason, uint8_t **der, size_t *len)
{
	asn1_node n = NULL;
	int rc;

	if (!s->requested)
		return fail(s, -SMDP_E_STATE, "no session");
	s->cancel_reason = reason;
	if ((rc = sim_asn1_new("RSPDefinitions.CancelSessionRequest", &n)) < 0)
		goto out;
	W(n, "transactionId", s->txid, sizeof(s->txid));
	WU(n, "reason", reason);
	ENC(n, der, len);
out:
	asn1_delete_structure(&n);
	return rc;
}

int smdp_check_cancel_response(struct smdp *s, const uint8_t *rsp, size_t len)
{
	const char *d = "cancelSessionResponseOk.euiccCancelSessionSigned";
	asn1_node n = NULL;
	const uint8_t *span;
	size_t span_len, sig_len = 0;
	uint8_t sig[SMDP_SIG_MAX], txid[SMDP_TXID_LEN];
	char name[128], alt[64], oid[64];
	unsigned long v;
	int rc;

	s->why[0] = 0;
	if (sim_asn1_decode("RSPDefinitions.CancelSessionResponse", rsp, len, &n) < 0 ||
	    choice(n, "", alt, sizeof(alt)) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "CancelSessionResponse does not decode");
		goto out;
	}
	if (!strcmp(alt, "cancelSessionResponseError")) {
		if (sim_asn1_read_uint(n, "cancelSessionResponseError", &v) < 0 || v == 0) {
			rc = fail(s, -SMDP_E_ASN1, "cancelSessionResponseError malformed");
			goto out;
		}
		rc = fail(s, (int)v, "cancelSessionResponseError %lu", v);
		goto out;
	}
	if (!s->euicc_pub) {
		rc = fail(s, -SMDP_E_STATE, "no eUICC certificate known");
		goto out;
	}
	if (sim_asn1_span(n, rsp, len, d, &span, &span_len) < 0 ||
	    sim_asn1_read(n, "cancelSessionResponseOk.euiccCancelSessionSignature", sig, sizeof(sig), &sig_len) < 0) {
		rc = fail(s, -SMDP_E_ASN1, "cancelSessionResponseOk lacks a field");
		goto out;
	}
	if (smdp_verify(s->euicc_pub, span, span_len, sig, sig_len) < 0) {
		rc = fail(s, -SMDP_E_SIGNATURE, "euiccCancelSessionSignature does not verify");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.transactionId", d);
	if (read_exact(n, name, txid, sizeof(txid)) < 0 || memcmp(txid, s->txid, sizeof(txid))) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccCancelSessionSigned.transactionId is not ours");
		goto out;
	}
	snprintf(name, sizeof(name), "%s.smdpOid", d);
	if (read_oid(n, name, oid, sizeof(oid)) < 0 || strcmp(oid, s->oid)) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccCancelSessionSigned.smdpOid '%s' is not CERT.DPauth's %s", oid,
			  s->oid);
		goto out;
	}
	snprintf(name, sizeof(name), "%s.reason", d);
	if (sim_asn1_read_uint(n, name, &v) < 0 || v != s->cancel_reason) {
		rc = fail(s, -SMDP_E_MISMATCH, "euiccCancelSessionSigned.reason differs");
		goto out;
	}
	rc = 0;
out:
	asn1_delete_structure(&n);
	return rc;
}
