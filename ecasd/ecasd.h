/* ECASD: the card's keys and certificates. CI public keys for
 * verification, eUICC credential sets (eUICC certificate, EUM certificate,
 * private key) for signing. Nothing outside ecasd/ touches a private key. */
#ifndef ECASD_H
#define ECASD_H

#include <stddef.h>
#include <stdint.h>

struct sim_app_ops;

struct ecasd;

#define ECASD_EID_LEN 16
#define ECASD_MAX_CI 16
#define ECASD_MAX_CRED 16
#define ECASD_PATH_MAX 4096

/* Where the keys and certificates come from: CI certificates for
 * verification and eUICC credential sets for signing, in order. */
struct ecasd_cred_files {
	char euicc_cert[ECASD_PATH_MAX];
	char eum_cert[ECASD_PATH_MAX];
	char euicc_key[ECASD_PATH_MAX];
};

struct ecasd_config {
	char ci_cert[ECASD_MAX_CI][ECASD_PATH_MAX];
	size_t n_ci;
	struct ecasd_cred_files cred[ECASD_MAX_CRED];
	size_t n_cred;
	/* EID of a card without any credential set (a verification-only
	 * card); otherwise it comes from the eUICC certificates. */
	char eid[33];
};

enum ecasd_list {
	ECASD_FOR_VERIFICATION,	/* euiccCiPKIdListForVerification */
	ECASD_FOR_SIGNING,	/* euiccCiPKIdListForSigning */
};

int ecasd_new(const struct ecasd_config *cfg, struct ecasd **out);
void ecasd_free(struct ecasd *e);

const uint8_t *ecasd_eid(const struct ecasd *e);

/* CI public key identifiers (SubjectKeyIdentifier values) in configured
 * order, without duplicates. */
size_t ecasd_ci_count(const struct ecasd *e, enum ecasd_list which);
const uint8_t *ecasd_ci_id(const struct ecasd *e, enum ecasd_list which, size_t i, size_t *len);

/* Decode an EID written as 32 decimal digits. */
int ecasd_eid_from_string(const char *s, uint8_t eid[ECASD_EID_LEN]);

/* ---- signing (eUICC credential sets) ---------------------------------- */

/* The credential set that chains to the CI with this key identifier;
 * -EU_E_NOT_FOUND when the card cannot sign for that CI. */
int ecasd_find_credential(const struct ecasd *e, const uint8_t *ci_id, size_t len, size_t *cred);

/* DER of CERT.EUICC.ECDSA and CERT.EUM.ECDSA of a credential set. */
void ecasd_credential_certs(const struct ecasd *e, size_t cred, const uint8_t **euicc, size_t *euicc_len,
			    const uint8_t **eum, size_t *eum_len);

/* Number of credential sets (0 for a verification-only card). */
size_t ecasd_credential_count(const struct ecasd *e);

/* Key identifier of the CI a credential set chains to (NULL, 0 if none). */
const uint8_t *ecasd_credential_ci(const struct ecasd *e, size_t cred, size_t *len);

/* ECDSA with SHA-256 over msg with SK.EUICC.ECDSA; the signature is the
 * plain r || s form of BSI TR-03111 that SGP.22 puts in tag 5F37. */
#define ECASD_SIG_LEN 64
int ecasd_sign(const struct ecasd *e, size_t cred, const uint8_t *msg, size_t len,
	       uint8_t sig[ECASD_SIG_LEN]);

/* ---- verification (SM-DP+ certificates) -------------------------------- */

/* Why a server certificate was refused; the ES10b functions map these to
 * their AuthenticateErrorCode / DownloadErrorCode values. */
enum ecasd_cert_result {
	ECASD_CERT_OK = 0,
	ECASD_CERT_INVALID,		/* malformed, bad signature, wrong extensions */
	ECASD_CERT_INVALID_OID,		/* certificate policy is not the expected role */
	ECASD_CERT_CI_UNKNOWN,		/* issuer is not on the verification list */
	ECASD_CERT_UNSUPPORTED_CURVE,	/* key not on NIST P-256 / brainpoolP256r1 */
};
const char *ecasd_cert_result_name(enum ecasd_cert_result r);

enum ecasd_role {
	ECASD_ROLE_DP_AUTH,	/* id-rspRole-dp-auth 2.23.146.1.2.1.4 */
	ECASD_ROLE_DP_PB,	/* id-rspRole-dp-pb   2.23.146.1.2.1.5 */
};

/* What the card keeps of a verified server certificate. */
struct ecasd_server {
	void *pubkey;			/* EVP_PKEY *, owned */
	int curve;			/* NID */
	uint8_t ci_id[32];
	size_t ci_id_len;
	uint8_t oid[64];		/* DER content of the SM-DP+ OID (subjectAltName RID) */
	size_t oid_len;
	char oid_text[128];		/* the same, dotted */
};

/* Verify a server certificate: issued and signed by a CI on the
 * verification list (if ci_id is given, by that CI), key usage and
 * certificate policy of the role. No validity-period check: the card
 * has no trusted clock. */
enum ecasd_cert_result ecasd_verify_server_cert(const struct ecasd *e, const uint8_t *der, size_t len,
						 enum ecasd_role role, const uint8_t *ci_id, size_t ci_id_len,
						 struct ecasd_server *out);
void ecasd_server_clear(struct ecasd_server *srv);

/* Verify a plain r || s ECDSA-SHA256 signature with the server's key:
 * 0 if valid, -EU_E_CRYPTO if not. */
int ecasd_verify(const struct ecasd_server *srv, const uint8_t *msg, size_t len,
		 const uint8_t *sig, size_t sig_len);

/* ---- the ECASD application (GP Amendment / SGP.22 §2.3.3) ------------------ */

extern const uint8_t ecasd_aid[16];	/* A0000005591010FFFFFFFF8900000200 */
extern const struct sim_app_ops ecasd_app;

#endif
