#include "ecasd/ecka.h"
#include "sim/err.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

struct ecasd_ecka {
	EVP_PKEY *pkey;		/* owns the private scalar; EVP_PKEY_free clears it */
	int nid;
};

static const char *group_name(int nid)
{
	switch (nid) {
	case NID_X9_62_prime256v1:
		return SN_X9_62_prime256v1;
	case NID_brainpoolP256r1:
		return SN_brainpoolP256r1;
	}
	return NULL;
}

static int public_point(const EVP_PKEY *pkey, uint8_t pub[ECASD_ECKA_PUB_LEN])
{
	size_t len = 0;

	if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
					     pub, ECASD_ECKA_PUB_LEN, &len) ||
	    len != ECASD_ECKA_PUB_LEN || pub[0] != 0x04)
		return -EU_E_CRYPTO;
	return 0;
}

/* An EVP_PKEY from parameters: the group, the public point and, for a key
 * pair, the private scalar. EVP_PKEY_fromdata decodes the point with
 * EC_POINT_oct2point, which refuses points that are not on the curve. */
static int pkey_from(const char *name, const uint8_t *pub, size_t pub_len, const BIGNUM *d,
		     EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = -EU_E_NOMEM;

	bld = OSSL_PARAM_BLD_new();
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, name, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) ||
	    (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	/* d is a secure BIGNUM, so its copy lands in the secure heap, which
	 * OSSL_PARAM_free clears. */
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx)
		goto out;
	rc = -EU_E_CRYPTO;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	*out = pkey;
	pkey = NULL;
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

int ecasd_ecka_generate(int nid, struct ecasd_ecka **out, uint8_t pub[ECASD_ECKA_PUB_LEN])
{
	const char *name = group_name(nid);
	struct ecasd_ecka *k = NULL;
	int rc = -EU_E_NOMEM;

	if (!name)
		return -EU_E_UNSUPPORTED;
	k = calloc(1, sizeof(*k));
	if (!k)
		goto out;
	k->nid = nid;
	rc = -EU_E_CRYPTO;
	/* Random scalar from OpenSSL's DRBG (SGP.22 §3.1.3: a new key pair for
	 * every download session). */
	k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", name);
	if (!k->pkey)
		goto out;
	rc = public_point(k->pkey, pub);
	if (rc < 0)
		goto out;
	*out = k;
	k = NULL;
out:
	ecasd_ecka_free(k);
	return rc;
}

int ecasd_ecka_import(int nid, const uint8_t *priv, size_t priv_len, struct ecasd_ecka **out,
		      uint8_t pub[ECASD_ECKA_PUB_LEN])
{
	const char *name = group_name(nid);
	struct ecasd_ecka *k = NULL;
	EC_GROUP *group = NULL;
	EC_POINT *q = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *d = NULL;
	uint8_t q_oct[ECASD_ECKA_PUB_LEN];
	int rc = -EU_E_NOMEM;

	if (!name)
		return -EU_E_UNSUPPORTED;
	if (!priv || !priv_len || priv_len > ECASD_ECKA_PRIV_LEN)
		return -EU_E_PARAM;
	k = calloc(1, sizeof(*k));
	group = EC_GROUP_new_by_curve_name(nid);
	bnctx = BN_CTX_secure_new();
	d = BN_secure_new();
	if (!k || !group || !bnctx || !d || !BN_bin2bn(priv, (int)priv_len, d))
		goto out;
	k->nid = nid;
	rc = -EU_E_PARAM;
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0)
		goto out;
	/* The provider does not compute Q from d on import; do it here with
	 * the (non-deprecated) EC_POINT API so the handle is a full key pair. */
	rc = -EU_E_CRYPTO;
	q = EC_POINT_new(group);
	if (!q || !EC_POINT_mul(group, q, d, NULL, NULL, bnctx) ||
	    EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, q_oct, sizeof(q_oct),
			       bnctx) != sizeof(q_oct))
		goto out;
	rc = pkey_from(name, q_oct, sizeof(q_oct), d, &k->pkey);
	if (rc < 0)
		goto out;
	if (pub)
		memcpy(pub, q_oct, sizeof(q_oct));
	*out = k;
	k = NULL;
out:
	ecasd_ecka_free(k);
	BN_clear_free(d);
	BN_CTX_free(bnctx);
	EC_POINT_free(q);
	EC_GROUP_free(group);
	return rc;
}

int ecasd_ecka_shared_secret(const struct ecasd_ecka *k, const uint8_t *peer, size_t peer_len,
			     uint8_t z[ECASD_ECKA_SECRET_LEN])
{
	EVP_PKEY *peer_key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t zlen = ECASD_ECKA_SECRET_LEN;
	int rc = -EU_E_CRYPTO;

	memset(z, 0, ECASD_ECKA_SECRET_LEN);
	if (!k || !k->pkey)
		return -EU_E_PARAM;
	/* Only the uncompressed form: SGP.22 carries otPK as 04 || X || Y, and
	 * this also rules out the one-byte encoding of the point at infinity. */
	if (!peer || peer_len != ECASD_ECKA_PUB_LEN || peer[0] != 0x04)
		return -EU_E_CRYPTO;
	rc = pkey_from(group_name(k->nid), peer, peer_len, NULL, &peer_key);
	if (rc < 0) {
		rc = -EU_E_CRYPTO;	/* not on the curve, or not a point at all */
		goto out;
	}
	rc = -EU_E_NOMEM;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx)
		goto out;
	rc = -EU_E_CRYPTO;
	/* validate_peer = 1: EVP_PKEY_public_check on top of the decode check
	 * (on the curve, not infinity, in the subgroup). */
	if (EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer_key, 1) <= 0 ||
	    EVP_PKEY_derive(ctx, z, &zlen) <= 0 ||
	    zlen != ECASD_ECKA_SECRET_LEN)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		OPENSSL_cleanse(z, ECASD_ECKA_SECRET_LEN);
		ERR_clear_error();	/* a refused point is an answer, not a fault to report later */
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer_key);
	return rc;
}

int ecasd_ecka_nid(const struct ecasd_ecka *k)
{
	return k ? k->nid : 0;
}

void ecasd_ecka_free(struct ecasd_ecka *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
