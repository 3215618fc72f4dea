/* A test-side SM-DP+ (SGP.22 v2.3 ES8+/ES9+ server half), independent of the
 * card: OpenSSL 3 EVP for the crypto, libtasn1 (through sim/asn1.h) for the
 * SGP.22 structures, and its own BSP (SCP03t), X9.63 KDF and ECDH. Nothing
 * from ecasd/ or isdr/ is used, so a test that runs a download through it
 * checks the card against a second implementation.
 *
 * A download, as the LPA relays it:
 *
 *   card: GetEUICCChallenge            -> euiccChallenge
 *   smdp_authenticate_server_request() -> BF38 request for the card
 *   smdp_check_authenticate_response() <- BF38 response of the card
 *   smdp_prepare_download_request()    -> BF21 request
 *   smdp_check_prepare_response()      <- BF21 response
 *   smdp_build_bpp()                   -> BF36, cut with smdp_bpp_pieces()
 *   smdp_check_pir()                   <- BF37 after the last piece
 *
 * Return values: 0 on success; a negative -SMDP_E_* when something is wrong
 * on this side or the card's answer fails a check (signature, chain, echo,
 * structure; smdp_why() says what); for the check_* functions a positive
 * value is the error code the card answered with (authenticateErrorCode,
 * downloadErrorCode, cancelSessionResponseError). Buffers returned through
 * uint8_t ** are malloc'd; the caller frees them. */
#ifndef TESTS_SMDP_SMDP_H
#define TESTS_SMDP_SMDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMDP_ERRORS(X) \
	X(SMDP_E_PARAM,     1, "invalid argument or option") \
	X(SMDP_E_NOMEM,     2, "out of memory") \
	X(SMDP_E_IO,        3, "cannot read a certificate or key file") \
	X(SMDP_E_CRYPTO,    4, "OpenSSL operation failed") \
	X(SMDP_E_ASN1,      5, "the card's answer does not decode") \
	X(SMDP_E_SIGNATURE, 6, "the card's signature does not verify") \
	X(SMDP_E_CERT,      7, "the card's certificate chain does not verify") \
	X(SMDP_E_MISMATCH,  8, "the card echoed a value that differs from ours") \
	X(SMDP_E_STATE,     9, "called out of order")

enum smdp_error {
#define SMDP_ENUM(name, val, str) name = val,
	SMDP_ERRORS(SMDP_ENUM)
#undef SMDP_ENUM
};

const char *smdp_strerror(int rc);

#define SMDP_DEFAULT_ADDRESS "testsmdpplus1.example.com"
#define SMDP_DEFAULT_SEGMENT 1020	/* plaintext bytes per 86 (and per 88) */
#define SMDP_TXID_LEN 16
#define SMDP_CHALLENGE_LEN 16
#define SMDP_ICCID_LEN 10

/* ProfileClass (SGP.22 §2.4.5 / StoreMetadataRequest) */
enum smdp_profile_class {
	SMDP_CLASS_TEST = 0,
	SMDP_CLASS_PROVISIONING = 1,
	SMDP_CLASS_OPERATIONAL = 2,
};

/* PprIds bits: bit n of the mask is named bit n of the BIT STRING. */
#define SMDP_PPR_UPDATE_CONTROL (1u << 0)
#define SMDP_PPR1 (1u << 1)
#define SMDP_PPR2 (1u << 2)

/* Bytes given as they are (an encoding the SM-DP+ does not make itself). */
struct smdp_bytes {
	const uint8_t *p;
	size_t len;
};

/* Everything zero / NULL gives the normal, valid behaviour. */
struct smdp_opts {
	const char *curve;		/* "NIST" (default) or "BRP": which SGP.26 set */
	const char *certs_dir;		/* default SIM_DATADIR "/certs/sgp26" */
	const char *server_address;	/* default SMDP_DEFAULT_ADDRESS */
	const char *matching_id;	/* ctxParams1 matchingId; NULL omits it */
	bool no_replace_session_keys;	/* default: send A2 ReplaceSessionKeys (random PPKs) */
	size_t segment_size;		/* plaintext bytes per 86 / 88; 0: 1020 */
	bool cc_required;		/* ccRequiredFlag, and hashCc from confirmation_code */
	const char *confirmation_code;

	/* StoreMetadataRequest */
	const char *service_provider_name;	/* default "euicc-sim test SP" */
	const char *profile_name;		/* default "TS.48 test profile" */
	bool has_profile_class;
	enum smdp_profile_class profile_class;
	uint32_t ppr;				/* PprIds; 0 omits profilePolicyRules */
	bool has_owner;
	uint8_t owner_mcc_mnc[3];		/* profileOwner.mccMnc */
	const char *notification_address;	/* non-NULL: notificationConfigurationInfo
						 * for enable, disable and delete */
	const uint8_t *metadata_iccid;		/* 10 bytes for tag 5A instead of the
						 * package's ICCID (iccidMismatch) */

	/* Tamper knobs for negative tests. */
	bool bad_server_signature;	/* flip a bit of serverSignature1 */
	const char *dpauth_cert;	/* path (DER or PEM) sent as serverCertificate */
	const char *dpauth_key;		/* path of the PEM key that signs serverSigned1 */
	bool corrupt_dpauth_cert;	/* flip a bit in the certificate's signature */
	const char *dppb_cert;		/* same for CERT.DPpb / smdpSignature2 / smdpSign */
	const char *dppb_key;
	bool corrupt_dppb_cert;
	const uint8_t *ci_to_be_used;	/* euiccCiPKIdToBeUsed instead of the CI's SKI */
	size_t ci_to_be_used_len;
	bool wrong_euicc_challenge;	/* echo a different euiccChallenge */
	bool bad_smdp_signature2;	/* flip a bit of smdpSignature2 */
	bool prepare_wrong_txid;	/* smdpSigned2.transactionId (signed) differs */
	bool bad_smdp_sign;		/* flip a bit of BF23 smdpSign */
	bool init_wrong_txid;		/* BF23 transactionId (signed) differs */
	unsigned remote_op_id;		/* BF23 remoteOpId; 0: 1 (installBoundProfilePackage) */
	uint8_t crt_key_type;		/* CRT keyType; 0: 0x88 (AES) */
	uint8_t crt_key_len;		/* CRT keyLen; 0: 0x10 */
	unsigned tamper_86;		/* 1-based: flip a ciphertext bit in that 86; 0: none */
	unsigned tamper_87;		/* 1-based over all 87s (1 = ConfigureISDP, 2 = RSK) */
	unsigned tamper_88;		/* 1-based over the 88s */

	/* What other LPAs and newer SM-DP+s send (SGP.22 EXTENSIBILITY IMPLIED):
	 * each *_extra is appended, as given, inside that element. */
	struct smdp_bytes ctx_params1;	/* ctxParams1 as an LPA encodes it, instead of ours */
	struct smdp_bytes auth_extra;	/* AuthenticateServerRequest (added by the LPA) */
	struct smdp_bytes signed1_extra;	/* serverSigned1, and signed */
	struct smdp_bytes signed2_extra;	/* smdpSigned2, and signed */
	struct smdp_bytes prepare_extra;	/* PrepareDownloadRequest */
	struct smdp_bytes bf23_extra;	/* InitialiseSecureChannelRequest, after smdpSign */
	struct smdp_bytes configure_extra;	/* ConfigureISDPRequest (a B8 here is dpProprietaryData) */
	struct smdp_bytes metadata_extra;	/* StoreMetadataRequest */
	struct smdp_bytes rsk_extra;	/* ReplaceSessionKeysRequest */

	/* What goes inside the protection, as given (the fuzzers): MACs,
	 * encryption and signatures stay right whatever the bytes are. */
	struct smdp_bytes configure_raw;	/* ConfigureISDPRequest instead of ours (p != NULL) */
	struct smdp_bytes metadata_raw;		/* StoreMetadataRequest instead of ours */
	const size_t *segments;		/* plaintext bytes of the first n_segments 86s (0: an
					 * empty one), then segment_size each */
	size_t n_segments;
	const size_t *metadata_segments;	/* the same for the 88s of StoreMetadata */
	size_t n_metadata_segments;
};

struct smdp;

int smdp_new(const struct smdp_opts *opts, struct smdp **out);	/* opts NULL: defaults */
void smdp_free(struct smdp *s);

/* Why the last call failed, for test messages ("" if nothing to say). */
const char *smdp_why(const struct smdp *s);

/* The session's transactionId (fresh per AuthenticateServer request). */
const uint8_t *smdp_transaction_id(const struct smdp *s, size_t *len);
/* The EID from the eUICC certificate; valid after a successful
 * smdp_check_authenticate_response(). */
const uint8_t *smdp_eid(const struct smdp *s);
/* The SM-DP+ OID of CERT.DPauth (subjectAltName registeredID), dotted. */
const char *smdp_oid(const struct smdp *s);

/* ES9+.InitiateAuthentication + the ES10b.AuthenticateServer request (BF38):
 * serverSigned1 {transactionId (fresh), euiccChallenge, serverAddress,
 * serverChallenge (fresh)}, serverSignature1 (5F37, plain r||s),
 * euiccCiPKIdToBeUsed, serverCertificate (CERT.DPauth), ctxParams1
 * (ctxParamsForCommonAuthentication {matchingId, deviceInfo {tac, {}}}). */
int smdp_authenticate_server_request(struct smdp *s, const uint8_t euicc_challenge[SMDP_CHALLENGE_LEN],
				     uint8_t **der, size_t *len);

/* ES9+.AuthenticateClient: check the card's BF38 answer. 0 when
 * authenticateResponseOk verifies (euiccSignature1 over euiccSigned1 as
 * received, CERT.EUICC <- CERT.EUM <- CI, echoed transactionId,
 * serverAddress, serverChallenge, and ctxParams1 byte for byte); the
 * authenticateErrorCode (> 0) for authenticateResponseError; < 0
 * otherwise. The answer must be DER but for the echoed ctxParams1, which
 * is whatever the LPA sent. */
int smdp_check_authenticate_response(struct smdp *s, const uint8_t *rsp, size_t len);

/* The ES10b.PrepareDownload request (BF21): smdpSigned2 {transactionId,
 * ccRequiredFlag}, smdpSignature2 over smdpSigned2 || 5F37 40 euiccSignature1,
 * hashCc when cc_required (SHA-256(SHA-256(cc) || transactionId)),
 * smdpCertificate (CERT.DPpb). Needs a verified AuthenticateServer answer. */
int smdp_prepare_download_request(struct smdp *s, uint8_t **der, size_t *len);

/* ES9+.GetBoundProfilePackage: check the BF21 answer: 0 when
 * downloadResponseOk verifies (euiccSignature2 over euiccSigned2 ||
 * 5F37 40 smdpSignature2, transactionId, hashCc) and otPK.EUICC.ECKA is
 * kept; the downloadErrorCode (> 0) for downloadResponseError. */
int smdp_check_prepare_response(struct smdp *s, const uint8_t *rsp, size_t len);

/* Bind an unprotected profile package (a sequence of DER PEs, ProfileHeader
 * first) into a BoundProfilePackage (BF36): BF23 (fresh otPK.DP.ECKA on the
 * eUICC's curve, smdpSign by CERT.DPpb's key), A0 {87 ConfigureISDP}, A1
 * {88 StoreMetadata ...}, A2 {87 ReplaceSessionKeys} unless disabled, A3
 * {86 ...}. Needs a verified PrepareDownload answer. */
int smdp_build_bpp(struct smdp *s, const uint8_t *upp, size_t upp_len, uint8_t **bpp, size_t *len);

/* Cut a BPP as lpac sends it (SGP.22 §2.5.5): [BF36 header + BF23], [A0],
 * [A1 header], each 88, [A2], [A3 header], each 86. cb gets each piece in
 * order with its 0-based index; a non-zero return from cb stops the walk and
 * is returned. -SMDP_E_ASN1 if the BPP is not so structured. */
typedef int (*smdp_piece_cb)(void *ctx, size_t index, const uint8_t *piece, size_t len);
int smdp_bpp_pieces(const uint8_t *bpp, size_t len, smdp_piece_cb cb, void *ctx);

/* A verified ProfileInstallationResult (BF37). */
struct smdp_pir {
	bool success;
	uint8_t aid[16];		/* successResult: the ISD-P AID */
	size_t aid_len;
	unsigned bpp_command_id;	/* errorResult */
	unsigned error_reason;
	unsigned long seq_number;
	char notification_address[256];
	bool has_iccid;
	uint8_t iccid[SMDP_ICCID_LEN];
	char smdp_oid[64];		/* "" when absent */
};

/* Check the BF37: euiccSignPIR over the BF27 TLV as received with the
 * eUICC's key, the transactionId; fill *result. */
int smdp_check_pir(struct smdp *s, const uint8_t *pir, size_t len, struct smdp_pir *result);

/* ES10b.CancelSession request (BF41 {transactionId, reason}). */
int smdp_cancel_session_request(struct smdp *s, unsigned reason, uint8_t **der, size_t *len);
/* Check the BF41 answer: cancelSessionResponseOk verifies
 * (euiccCancelSessionSignature over euiccCancelSessionSigned as received,
 * transactionId, smdpOid = CERT.DPauth's OID, the reason of the request)
 * -> 0; cancelSessionResponseError -> its code (> 0). */
int smdp_check_cancel_response(struct smdp *s, const uint8_t *rsp, size_t len);

/* ---- building blocks, exposed for the known-answer tests ---------------- */

/* BSP (SCP03t, SGP.22 §2.6.4) protection of one segment, SM-DP+ side. */
struct smdp_bsp {
	uint8_t s_enc[16], s_mac[16], mcv[16];
	uint32_t counter;		/* block counter of the next segment, from 1 */
};
void smdp_bsp_init(struct smdp_bsp *b, const uint8_t s_enc[16], const uint8_t s_mac[16],
		   const uint8_t mcv[16]);
/* Protect plain as one TLV `tag` (encrypt: 86/87, else 88 MAC only); out
 * needs plain_len + 16 + 8 + 4 bytes. */
int smdp_bsp_wrap(struct smdp_bsp *b, uint8_t tag, const uint8_t *plain, size_t plain_len, bool encrypt,
		  uint8_t *out, size_t cap, size_t *out_len);
/* Open one protected TLV (for checking vectors the other way round). */
int smdp_bsp_unwrap(struct smdp_bsp *b, const uint8_t *seg, size_t seg_len, bool encrypt, uint8_t *out,
		    size_t cap, size_t *out_len);

/* X9.63 KDF with SHA-256 (BSI TR-03111 §4.3.3), SharedInfo as SGP.22 Annex G:
 * keyType | keyLen | len(hostId) | hostId | len(EID) | EID. Gives the
 * initial MAC chaining value, S-ENC and S-MAC. */
int smdp_kdf(const uint8_t *shs, size_t shs_len, uint8_t key_type, uint8_t key_len, const uint8_t *host_id,
	     size_t host_id_len, const uint8_t *eid, size_t eid_len, uint8_t mcv[16], uint8_t s_enc[16],
	     uint8_t s_mac[16]);

/* ECKA-DH (x coordinate) on the named group ("prime256v1",
 * "brainpoolP256r1") from our private scalar and the peer's uncompressed
 * point. */
int smdp_ecdh(const char *group, const uint8_t *priv, size_t priv_len, const uint8_t *peer, size_t peer_len,
	      uint8_t *secret, size_t cap, size_t *secret_len);

#endif
