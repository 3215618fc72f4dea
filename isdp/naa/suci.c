/* SUCI scheme outputs (TS 33.501 Annex C), see suci.h. */
#include "isdp/naa/suci.h"

#include "sim/err.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <string.h>

#define EK_LEN	16	/* AES-128 key */
#define ICB_LEN	16
#define MK_LEN	32	/* HMAC-SHA-256 key */
#define X25519_LEN 32
#define P256_LEN 32

int naa_suci_key_ok(unsigned scheme, size_t hn_pub_len)
{
	switch (scheme) {
	case NAA_SUCI_NULL: return 1;
	case NAA_SUCI_PROFILE_A: return hn_pub_len == X25519_LEN;
	case NAA_SUCI_PROFILE_B: return hn_pub_len == 1 + P256_LEN || hn_pub_len == 1 + 2 * P256_LEN;
	default: return 0;
	}
}

size_t naa_suci_msin_input(const uint8_t *digits, size_t n, uint8_t out[NAA_SUCI_INPUT_MAX])
{
	size_t len = 0;

	for (size_t i = 0; i < n && len < NAA_SUCI_INPUT_MAX; i += 2, len++)
		out[len] = (uint8_t)((i + 1 < n ? digits[i + 1] : 0x0F) << 4 | digits[i]);
	return len;
}

/* A P-256 key from its public point and, for a key pair, its scalar
 * (EVP_PKEY_fromdata refuses points that are not on the curve). */
static EVP_PKEY *p256_key(const uint8_t *pub, size_t pub_len, const BIGNUM *d)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM *p = NULL;
	EVP_PKEY *k = NULL;

	if (bld && c && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) &&
	    (!d || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) && (p = OSSL_PARAM_BLD_to_param(bld)) &&
	    EVP_PKEY_fromdata_init(c) > 0 &&
	    EVP_PKEY_fromdata(c, &k, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, p) <= 0)
		k = NULL;
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* The ephemeral key: the given private key (test data), or a fresh one. */
static EVP_PKEY *eph_key(unsigned scheme, const uint8_t *priv)
{
	uint8_t pub[1 + 2 * P256_LEN];
	EC_GROUP *g = NULL;
	EC_POINT *q = NULL;
	BIGNUM *d = NULL;
	EVP_PKEY *k = NULL;

	if (scheme == NAA_SUCI_PROFILE_A)
		return priv ? EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, X25519_LEN) :
			      EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (!priv)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	d = BN_secure_new();
	q = g ? EC_POINT_new(g) : NULL;
	if (q && d && BN_bin2bn(priv, P256_LEN, d) && EC_POINT_mul(g, q, d, NULL, NULL, NULL) &&
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) == sizeof(pub))
		k = p256_key(pub, sizeof(pub), d);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	BN_clear_free(d);
	return k;
}

/* The home network's public key as an EVP_PKEY of the scheme's curve. */
static EVP_PKEY *hn_key(unsigned scheme, const uint8_t *pub, size_t len)
{
	if (scheme == NAA_SUCI_PROFILE_A)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, len);
	return p256_key(pub, len, NULL);
}

/* The ephemeral public key as the scheme output carries it. */
static int eph_public(unsigned scheme, EVP_PKEY *eph, uint8_t *out, size_t *len)
{
	size_t n = NAA_SUCI_EPH_MAX;

	if (scheme == NAA_SUCI_PROFILE_A)
		return EVP_PKEY_get_raw_public_key(eph, out, &n) == 1 && (*len = n) == X25519_LEN ? 0 : -EU_E_CRYPTO;
	/* profile B: the point compressed (C.3.4.2), 02/03 by the parity of
	 * y, then x (SEC 1 §2.3.3) */
	uint8_t q[1 + 2 * P256_LEN];

	if (EVP_PKEY_get_octet_string_param(eph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, q, sizeof(q), &n) != 1 ||
	    n != sizeof(q) || q[0] != 0x04)
		return -EU_E_CRYPTO;
	out[0] = (uint8_t)(0x02 | (q[2 * P256_LEN] & 1));
	memcpy(out + 1, q + 1, P256_LEN);
	*len = 1 + P256_LEN;
	return 0;
}

static int ecdh(EVP_PKEY *eph, EVP_PKEY *peer, uint8_t z[32])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(eph, NULL);
	size_t n = 32;
	int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 &&
		 EVP_PKEY_derive(c, z, &n) > 0 && n == 32;

	EVP_PKEY_CTX_free(c);
	return ok ? 0 : -EU_E_CRYPTO;
}

/* ANSI-X9.63-KDF with SHA-256 (OpenSSL's X963KDF). */
static int kdf(const uint8_t *z, size_t zlen, const uint8_t *info, size_t info_len, uint8_t *out, size_t len)
{
	EVP_KDF *k = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_X963KDF, NULL);
	EVP_KDF_CTX *c = k ? EVP_KDF_CTX_new(k) : NULL;
	OSSL_PARAM p[4];
	int ok;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, zlen);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	p[3] = OSSL_PARAM_construct_end();
	ok = c && EVP_KDF_derive(c, out, len, p) == 1;
	EVP_KDF_CTX_free(c);
	EVP_KDF_free(k);
	return ok ? 0 : -EU_E_CRYPTO;
}

static int aes_ctr(const uint8_t ek[EK_LEN], const uint8_t icb[ICB_LEN], const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;
	int ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, ek, icb) &&
		 EVP_EncryptUpdate(c, out, &n, in, (int)len) && EVP_EncryptFinal_ex(c, out + n, &m) &&
		 (size_t)(n + m) == len;

	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EU_E_CRYPTO;
}

int naa_suci_scheme_output(unsigned scheme, const uint8_t *hn_pub, size_t hn_pub_len, const uint8_t *eph_priv,
			   const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len)
{
	uint8_t z[32], keys[EK_LEN + ICB_LEN + MK_LEN], mac[32];
	EVP_PKEY *eph = NULL, *hn = NULL;
	unsigned mac_len = 0;
	size_t eph_len = 0;
	int rc;

	*out_len = 0;
	if (in_len > NAA_SUCI_INPUT_MAX || !naa_suci_key_ok(scheme, hn_pub_len))
		return -EU_E_PARAM;
	if (scheme == NAA_SUCI_NULL) {
		memcpy(out, in, in_len);
		*out_len = in_len;
		return 0;
	}
	rc = -EU_E_PARAM;
	hn = hn_key(scheme, hn_pub, hn_pub_len);
	if (!hn)
		goto out;
	rc = -EU_E_CRYPTO;
	eph = eph_key(scheme, eph_priv);
	if (!eph)
		goto out;
	if ((rc = eph_public(scheme, eph, out, &eph_len)) < 0 || (rc = ecdh(eph, hn, z)) < 0 ||
	    (rc = kdf(z, sizeof(z), out, eph_len, keys, sizeof(keys))) < 0 ||
	    (rc = aes_ctr(keys, keys + EK_LEN, in, in_len, out + eph_len)) < 0)
		goto out;
	rc = -EU_E_CRYPTO;
	if (!HMAC(EVP_sha256(), keys + EK_LEN + ICB_LEN, MK_LEN, out + eph_len, in_len, mac, &mac_len) ||
	    mac_len != sizeof(mac))
		goto out;
	memcpy(out + eph_len + in_len, mac, NAA_SUCI_MAC_LEN);
	*out_len = eph_len + in_len + NAA_SUCI_MAC_LEN;
	rc = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(keys, sizeof(keys));
	OPENSSL_cleanse(mac, sizeof(mac));
	EVP_PKEY_free(eph);
	EVP_PKEY_free(hn);
	return rc;
}
