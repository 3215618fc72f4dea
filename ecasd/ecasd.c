#include "ecasd/ecasd.h"
#include "sim/err.h"
#include "sim/log.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KEYID_MAX 32

struct ecasd_ci {
	X509 *cert;
	uint8_t id[KEYID_MAX];
	size_t id_len;
};

struct ecasd_cred {
	X509 *euicc;
	X509 *eum;
	uint8_t *euicc_der, *eum_der;	/* as sent in AuthenticateServer */
	size_t euicc_der_len, eum_der_len;
	EVP_PKEY *key;
	uint8_t ci_id[KEYID_MAX];	/* the CI this set chains to */
	size_t ci_id_len;
};

struct ecasd {
	uint8_t eid[ECASD_EID_LEN];
	struct ecasd_ci ci[ECASD_MAX_CI];
	size_t n_ci;
	struct ecasd_cred cred[ECASD_MAX_CRED];
	size_t n_cred;
};

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;
	int rc = -EU_E_IO;

	if (!f) {
		LOG_ERR("ECASD: cannot open %s", path);
		return -EU_E_IO;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > 1024 * 1024 || fseek(f, 0, SEEK_SET))
		goto out;
	p = malloc((size_t)n + 1);
	if (!p) {
		rc = -EU_E_NOMEM;
		goto out;
	}
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		goto out;
	*buf = p;
	*len = (size_t)n;
	p = NULL;
	rc = 0;
out:
	free(p);
	fclose(f);
	return rc;
}

/* A certificate in DER (exactly one, nothing trailing) or PEM. */
static int load_cert(const char *path, X509 **out)
{
	uint8_t *buf = NULL;
	const uint8_t *p;
	size_t len;
	X509 *cert = NULL;
	int rc;

	rc = read_file(path, &buf, &len);
	if (rc < 0)
		return rc;
	p = buf;
	cert = d2i_X509(NULL, &p, (long)len);
	if (cert && p != buf + len) {
		X509_free(cert);
		cert = NULL;
	}
	if (!cert) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);

		if (bio)
			cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	free(buf);
	if (!cert) {
		LOG_ERR("ECASD: %s is not a certificate (DER or PEM)", path);
		return -EU_E_CONFIG;
	}
	*out = cert;
	return 0;
}

static int load_key(const char *path, EVP_PKEY **out)
{
	uint8_t *buf = NULL;
	size_t len;
	BIO *bio;
	EVP_PKEY *key;
	struct stat st;
	int rc;

	if (stat(path, &st) == 0 && (st.st_mode & 077))
		LOG_ERR("ECASD: warning: private key %s is readable by others (mode %03o); "
			"run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 0777), path);
	rc = read_file(path, &buf, &len);
	if (rc < 0)
		return rc;
	bio = BIO_new_mem_buf(buf, (int)len);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (!key) {
		LOG_ERR("ECASD: %s is not a PEM private key", path);
		return -EU_E_CONFIG;
	}
	*out = key;
	return 0;
}

static int copy_id(const ASN1_OCTET_STRING *os, uint8_t *dst, size_t *len)
{
	if (!os || os->length <= 0 || os->length > KEYID_MAX)
		return -EU_E_CONFIG;
	memcpy(dst, os->data, (size_t)os->length);
	*len = (size_t)os->length;
	return 0;
}

static int aki_id(X509 *cert, uint8_t *dst, size_t *len)
{
	return copy_id(X509_get0_authority_key_id(cert), dst, len);
}

int ecasd_eid_from_string(const char *s, uint8_t eid[ECASD_EID_LEN])
{
	if (strlen(s) != 2 * ECASD_EID_LEN)
		return -EU_E_PARAM;
	for (size_t i = 0; i < ECASD_EID_LEN; i++) {
		char a = s[2 * i], b = s[2 * i + 1];

		if (a < '0' || a > '9' || b < '0' || b > '9')
			return -EU_E_PARAM;
		eid[i] = (uint8_t)((a - '0') << 4 | (b - '0'));
	}
	return 0;
}

/* SGP.22 §4.5.2.1.0.2: the EID is the serialNumber of the eUICC
 * certificate's subject. */
static int cert_eid(X509 *cert, uint8_t eid[ECASD_EID_LEN])
{
	X509_NAME *name = X509_get_subject_name(cert);
	int idx = X509_NAME_get_index_by_NID(name, NID_serialNumber, -1);
	const ASN1_STRING *s;
	char buf[2 * ECASD_EID_LEN + 1];

	if (idx < 0)
		return -EU_E_CONFIG;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	if (!s || ASN1_STRING_length(s) != 2 * ECASD_EID_LEN)
		return -EU_E_CONFIG;
	memcpy(buf, ASN1_STRING_get0_data(s), 2 * ECASD_EID_LEN);
	buf[2 * ECASD_EID_LEN] = 0;
	return ecasd_eid_from_string(buf, eid);
}

static int load_cred(struct ecasd_cred *c, const struct ecasd_cred_files *cfg, uint8_t eid[ECASD_EID_LEN])
{
	uint8_t eum_id[KEYID_MAX], euicc_aki[KEYID_MAX];
	size_t eum_id_len = 0, euicc_aki_len = 0;
	EVP_PKEY *eum_pub;

	int n;

	TRY(load_cert(cfg->euicc_cert, &c->euicc));
	TRY(load_cert(cfg->eum_cert, &c->eum));
	c->euicc_der = NULL;
	c->eum_der = NULL;
	n = i2d_X509(c->euicc, &c->euicc_der);
	if (n <= 0)
		return -EU_E_NOMEM;
	c->euicc_der_len = (size_t)n;
	n = i2d_X509(c->eum, &c->eum_der);
	if (n <= 0)
		return -EU_E_NOMEM;
	c->eum_der_len = (size_t)n;
	TRY(load_key(cfg->euicc_key, &c->key));
	if (X509_check_private_key(c->euicc, c->key) != 1) {
		LOG_ERR("ECASD: %s does not match the key in %s", cfg->euicc_key, cfg->euicc_cert);
		return -EU_E_CONFIG;
	}
	eum_pub = X509_get0_pubkey(c->eum);
	if (!eum_pub || X509_verify(c->euicc, eum_pub) != 1) {
		LOG_ERR("ECASD: %s is not signed by the EUM in %s", cfg->euicc_cert, cfg->eum_cert);
		return -EU_E_CONFIG;
	}
	if (copy_id(X509_get0_subject_key_id(c->eum), eum_id, &eum_id_len) < 0 ||
	    aki_id(c->euicc, euicc_aki, &euicc_aki_len) < 0 ||
	    eum_id_len != euicc_aki_len || memcmp(eum_id, euicc_aki, eum_id_len)) {
		LOG_ERR("ECASD: key identifiers of %s and %s do not chain", cfg->euicc_cert, cfg->eum_cert);
		return -EU_E_CONFIG;
	}
	if (aki_id(c->eum, c->ci_id, &c->ci_id_len) < 0) {
		LOG_ERR("ECASD: %s has no authority key identifier naming its CI", cfg->eum_cert);
		return -EU_E_CONFIG;
	}
	if (cert_eid(c->euicc, eid) < 0) {
		LOG_ERR("ECASD: %s has no 32-digit EID in its subject serialNumber", cfg->euicc_cert);
		return -EU_E_CONFIG;
	}
	return 0;
}

int ecasd_new(const struct ecasd_config *cfg, struct ecasd **out)
{
	struct ecasd *e = calloc(1, sizeof(*e));
	int rc = -EU_E_CONFIG;

	if (!e)
		return -EU_E_NOMEM;
	if (cfg->n_ci == 0) {
		LOG_ERR("ECASD: no CI certificate configured (see --preset, or 'ci =' in the config)");
		goto fail;
	}
	if (cfg->n_cred == 0) {
		/* Verification only (e.g. gsma-prod): the EID comes from the
		 * configuration, and the card signs for no CI. */
		rc = ecasd_eid_from_string(cfg->eid, e->eid);
		if (rc < 0) {
			LOG_ERR("ECASD: no credential set and no valid 'eid' in the configuration");
			goto fail;
		}
		LOG_INFO("ECASD: no credential set: this card can verify but not sign; downloads "
			 "will be refused with ciPKUnknown");
	}
	for (size_t i = 0; i < cfg->n_ci; i++) {
		struct ecasd_ci *ci = &e->ci[e->n_ci];

		rc = load_cert(cfg->ci_cert[i], &ci->cert);
		if (rc < 0)
			goto fail;
		rc = copy_id(X509_get0_subject_key_id(ci->cert), ci->id, &ci->id_len);
		if (rc < 0) {
			LOG_ERR("ECASD: %s has no subject key identifier", cfg->ci_cert[i]);
			X509_free(ci->cert);
			goto fail;
		}
		e->n_ci++;
	}
	for (size_t i = 0; i < cfg->n_cred; i++) {
		uint8_t eid[ECASD_EID_LEN];

		rc = load_cred(&e->cred[e->n_cred++], &cfg->cred[i], eid);
		if (rc < 0)
			goto fail;
		if (i == 0) {
			memcpy(e->eid, eid, sizeof(eid));
		} else if (memcmp(e->eid, eid, sizeof(eid))) {
			LOG_ERR("ECASD: credential sets carry different EIDs (%s)", cfg->cred[i].euicc_cert);
			rc = -EU_E_CONFIG;
			goto fail;
		}
	}
	*out = e;
	return 0;
fail:
	ecasd_free(e);
	return rc;
}

void ecasd_free(struct ecasd *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n_ci; i++)
		X509_free(e->ci[i].cert);
	for (size_t i = 0; i < e->n_cred; i++) {
		X509_free(e->cred[i].euicc);
		X509_free(e->cred[i].eum);
		OPENSSL_free(e->cred[i].euicc_der);
		OPENSSL_free(e->cred[i].eum_der);
		EVP_PKEY_free(e->cred[i].key);
	}
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

const uint8_t *ecasd_eid(const struct ecasd *e)
{
	return e->eid;
}

/* Lists keep configured order and drop repeats (two credential sets may
 * chain to the same CI). */
static bool seen_before(const struct ecasd *e, enum ecasd_list which, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		size_t la, lb;
		const uint8_t *a = which == ECASD_FOR_SIGNING ? e->cred[j].ci_id : e->ci[j].id;
		const uint8_t *b = which == ECASD_FOR_SIGNING ? e->cred[i].ci_id : e->ci[i].id;

		la = which == ECASD_FOR_SIGNING ? e->cred[j].ci_id_len : e->ci[j].id_len;
		lb = which == ECASD_FOR_SIGNING ? e->cred[i].ci_id_len : e->ci[i].id_len;
		if (la == lb && !memcmp(a, b, la))
			return true;
	}
	return false;
}

size_t ecasd_ci_count(const struct ecasd *e, enum ecasd_list which)
{
	size_t n = 0, total = which == ECASD_FOR_SIGNING ? e->n_cred : e->n_ci;

	for (size_t i = 0; i < total; i++)
		if (!seen_before(e, which, i))
			n++;
	return n;
}

const uint8_t *ecasd_ci_id(const struct ecasd *e, enum ecasd_list which, size_t idx, size_t *len)
{
	size_t total = which == ECASD_FOR_SIGNING ? e->n_cred : e->n_ci;

	for (size_t i = 0; i < total; i++) {
		if (seen_before(e, which, i))
			continue;
		if (idx-- == 0) {
			if (which == ECASD_FOR_SIGNING) {
				*len = e->cred[i].ci_id_len;
				return e->cred[i].ci_id;
			}
			*len = e->ci[i].id_len;
			return e->ci[i].id;
		}
	}
	*len = 0;
	return NULL;
}

/* ---- signing ------------------------------------------------------------ */

int ecasd_find_credential(const struct ecasd *e, const uint8_t *ci_id, size_t len, size_t *cred)
{
	for (size_t i = 0; i < e->n_cred; i++) {
		if (e->cred[i].ci_id_len == len && !memcmp(e->cred[i].ci_id, ci_id, len)) {
			*cred = i;
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}

void ecasd_credential_certs(const struct ecasd *e, size_t cred, const uint8_t **euicc, size_t *euicc_len,
			    const uint8_t **eum, size_t *eum_len)
{
	if (cred >= e->n_cred) {
		*euicc = *eum = NULL;
		*euicc_len = *eum_len = 0;
		return;
	}
	*euicc = e->cred[cred].euicc_der;
	*euicc_len = e->cred[cred].euicc_der_len;
	*eum = e->cred[cred].eum_der;
	*eum_len = e->cred[cred].eum_der_len;
}

size_t ecasd_credential_count(const struct ecasd *e)
{
	return e->n_cred;
}

const uint8_t *ecasd_credential_ci(const struct ecasd *e, size_t cred, size_t *len)
{
	if (cred >= e->n_cred) {
		*len = 0;
		return NULL;
	}
	*len = e->cred[cred].ci_id_len;
	return e->cred[cred].ci_id;
}

static int key_curve(const EVP_PKEY *key)
{
	char name[64];
	size_t n = 0;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof(name), &n))
		return NID_undef;
	return OBJ_txt2nid(name) != NID_undef ? OBJ_txt2nid(name) : OBJ_sn2nid(name);
}

/* The one place where ECDSA signatures change form: DER ECDSA-Sig-Value
 * (what OpenSSL speaks) <-> plain r || s (what SGP.22 carries). */
static int sig_der_to_plain(const uint8_t *der, size_t len, uint8_t out[ECASD_SIG_LEN])
{
	const uint8_t *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int rc = -EU_E_CRYPTO;

	if (!sig || p != der + len)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
		goto out;
	rc = 0;
out:
	ECDSA_SIG_free(sig);
	return rc;
}

static int sig_plain_to_der(const uint8_t *plain, size_t len, uint8_t **der, size_t *der_len)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int n, rc = -EU_E_CRYPTO;

	*der = NULL;
	if (len != ECASD_SIG_LEN)
		return -EU_E_CRYPTO;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(plain, 32, NULL);
	s = BN_bin2bn(plain + 32, 32, NULL);
	if (!sig || !r || !s || !ECDSA_SIG_set0(sig, r, s))
		goto out;
	r = s = NULL;
	n = i2d_ECDSA_SIG(sig, der);
	if (n <= 0)
		goto out;
	*der_len = (size_t)n;
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}

int ecasd_sign(const struct ecasd *e, size_t cred, const uint8_t *msg, size_t len,
	       uint8_t sig[ECASD_SIG_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t der_len = sizeof(der);
	int rc = -EU_E_CRYPTO;

	if (cred >= e->n_cred) {
		EVP_MD_CTX_free(md);
		return -EU_E_STATE;
	}
	if (!md)
		return -EU_E_NOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, e->cred[cred].key) != 1 ||
	    EVP_DigestSign(md, der, &der_len, msg, len) != 1)
		goto out;
	rc = sig_der_to_plain(der, der_len, sig);
out:
	EVP_MD_CTX_free(md);
	return rc;
}

/* ---- verification -------------------------------------------------------- */

const char *ecasd_cert_result_name(enum ecasd_cert_result r)
{
	switch (r) {
	case ECASD_CERT_OK: return "valid";
	case ECASD_CERT_INVALID: return "invalid certificate";
	case ECASD_CERT_INVALID_OID: return "certificate policy is not the expected RSP role";
	case ECASD_CERT_CI_UNKNOWN: return "issued by a CI the card does not trust";
	case ECASD_CERT_UNSUPPORTED_CURVE: return "key on an unsupported curve";
	}
	return "?";
}

static const struct ecasd_ci *find_ci(const struct ecasd *e, const uint8_t *id, size_t len)
{
	for (size_t i = 0; i < e->n_ci; i++)
		if (e->ci[i].id_len == len && !memcmp(e->ci[i].id, id, len))
			return &e->ci[i];
	return NULL;
}

/* SGP.22 §4.5.2.1: the role is carried as a certificate policy. */
static bool has_policy(X509 *cert, const char *oid)
{
	CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
	ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);
	bool found = false;

	for (int i = 0; pols && want && i < sk_POLICYINFO_num(pols); i++)
		if (!OBJ_cmp(sk_POLICYINFO_value(pols, i)->policyid, want))
			found = true;
	ASN1_OBJECT_free(want);
	CERTIFICATEPOLICIES_free(pols);
	return found;
}

/* The SM-DP+ OID: subjectAltName registeredID. */
static int rid_oid(X509 *cert, uint8_t *out, size_t cap, size_t *len, char *text, size_t text_cap)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int rc = -EU_E_NOT_FOUND;

	for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		size_t n;

		if (gn->type != GEN_RID)
			continue;
		n = OBJ_length(gn->d.rid);
		if (n == 0 || n > cap)
			break;
		memcpy(out, OBJ_get0_data(gn->d.rid), n);
		*len = n;
		if (OBJ_obj2txt(text, (int)text_cap, gn->d.rid, 1) <= 0 || strlen(text) >= text_cap - 1)
			break;
		rc = 0;
		break;
	}
	GENERAL_NAMES_free(names);
	return rc;
}

enum ecasd_cert_result ecasd_verify_server_cert(const struct ecasd *e, const uint8_t *der, size_t len,
						 enum ecasd_role role, const uint8_t *ci_id, size_t ci_id_len,
						 struct ecasd_server *out)
{
	const char *policy = role == ECASD_ROLE_DP_AUTH ? "2.23.146.1.2.1.4" : "2.23.146.1.2.1.5";
	const uint8_t *p = der;
	const struct ecasd_ci *ci;
	enum ecasd_cert_result res = ECASD_CERT_INVALID;
	X509 *cert = NULL;
	EVP_PKEY *pub;
	uint8_t aki[KEYID_MAX];
	size_t aki_len;
	int curve;

	memset(out, 0, sizeof(*out));
	if (len > 0x10000)
		return ECASD_CERT_INVALID;
	cert = d2i_X509(NULL, &p, (long)len);
	if (!cert || p != der + len)
		goto out;
	pub = X509_get0_pubkey(cert);
	if (!pub)
		goto out;
	curve = key_curve(pub);
	if (curve != NID_X9_62_prime256v1 && curve != NID_brainpoolP256r1) {
		res = ECASD_CERT_UNSUPPORTED_CURVE;
		goto out;
	}
	if (aki_id(cert, aki, &aki_len) < 0)
		goto out;
	ci = find_ci(e, aki, aki_len);
	if (!ci || (ci_id && (ci_id_len != aki_len || memcmp(ci_id, aki, aki_len)))) {
		res = ECASD_CERT_CI_UNKNOWN;
		goto out;
	}
	if (X509_verify(cert, X509_get0_pubkey(ci->cert)) != 1)
		goto out;
	/* An end-entity certificate for signing: not a CA, digitalSignature. */
	if (X509_check_ca(cert) != 0 || !(X509_get_extension_flags(cert) & EXFLAG_KUSAGE) ||
	    !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE))
		goto out;
	if (!has_policy(cert, policy)) {
		res = ECASD_CERT_INVALID_OID;
		goto out;
	}
	if (rid_oid(cert, out->oid, sizeof(out->oid), &out->oid_len, out->oid_text, sizeof(out->oid_text)) < 0)
		goto out;
	if (!EVP_PKEY_up_ref(pub))
		goto out;
	out->pubkey = pub;
	out->curve = curve;
	memcpy(out->ci_id, aki, aki_len);
	out->ci_id_len = aki_len;
	res = ECASD_CERT_OK;
out:
	X509_free(cert);
	return res;
}

void ecasd_server_clear(struct ecasd_server *srv)
{
	EVP_PKEY_free(srv->pubkey);
	memset(srv, 0, sizeof(*srv));
}

int ecasd_verify(const struct ecasd_server *srv, const uint8_t *msg, size_t len,
		 const uint8_t *sig, size_t sig_len)
{
	EVP_MD_CTX *md = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc = -EU_E_CRYPTO;

	if (!srv->pubkey || sig_plain_to_der(sig, sig_len, &der, &der_len) < 0)
		return -EU_E_CRYPTO;
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, srv->pubkey) == 1 &&
	    EVP_DigestVerify(md, der, der_len, msg, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return rc;
}
