/* Crypto of the test SM-DP+, written against OpenSSL 3 EVP only: ECDSA in
 * the r||s form, ECKA-DH, the X9.63 KDF of SGP.22 Annex G and the BSP
 * (SCP03t) segment protection of SGP.22 §2.6.4. Checked against
 * tests/vectors/bsp.txt by tests/unit/test_smdp.c. */
#include "tests/smdp/smdp_priv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *smdp_strerror(int rc)
{
	switch (rc < 0 ? -rc : rc) {
	case 0:
		return "success";
#define SMDP_CASE(name, val, str) case val: return str;
		SMDP_ERRORS(SMDP_CASE)
#undef SMDP_CASE
	}
	return "unknown error";
}

/* ---- files ------------------------------------------------------------- */

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return -SMDP_E_IO;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -SMDP_E_IO;
	}
	fclose(f);
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int smdp_load_cert(const char *path, X509 **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	const uint8_t *p;
	X509 *cert = NULL;
	int rc;

	rc = read_file(path, &buf, &len);
	if (rc < 0)
		return rc;
	p = buf;
	cert = d2i_X509(NULL, &p, (long)len);
	if (!cert) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);

		cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		BIO_free(bio);
	}
	free(buf);
	ERR_clear_error();
	if (!cert)
		return -SMDP_E_IO;
	*out = cert;
	return 0;
}

int smdp_load_key(const char *path, EVP_PKEY **out)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *key;

	if (!f)
		return -SMDP_E_IO;
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key)
		return -SMDP_E_IO;
	*out = key;
	return 0;
}

int smdp_cert_der(X509 *cert, uint8_t **der, size_t *len)
{
	uint8_t *buf = NULL;
	int n = i2d_X509(cert, &buf);

	if (n <= 0)
		return -SMDP_E_CRYPTO;
	*der = malloc((size_t)n);
	if (!*der) {
		OPENSSL_free(buf);
		return -SMDP_E_NOMEM;
	}
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(buf);
	return 0;
}

/* ---- ECDSA, r||s ---------------------------------------------------------- */

static size_t order_bytes(EVP_PKEY *key)
{
	return (size_t)(EVP_PKEY_get_bits(key) + 7) / 8;
}

int smdp_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap, size_t *sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[SMDP_SIG_MAX + 16];
	size_t der_len = sizeof(der), n = order_bytes(key);
	const uint8_t *p = der;
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	int rc = -SMDP_E_CRYPTO;

	if (2 * n > cap)
		rc = -SMDP_E_PARAM;
	else if (md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
		 EVP_DigestSign(md, der, &der_len, msg, len) == 1 &&
		 (es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL) {
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, sig, (int)n) == (int)n && BN_bn2binpad(s, sig + n, (int)n) == (int)n) {
			*sig_len = 2 * n;
			rc = 0;
		}
	}
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return rc;
}

int smdp_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	size_t n = order_bytes(key);
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	uint8_t *der = NULL;
	int der_len, rc = -SMDP_E_SIGNATURE;
	EVP_MD_CTX *md = NULL;

	if (sig_len != 2 * n)
		return -SMDP_E_SIGNATURE;
	es = ECDSA_SIG_new();
	r = BN_bin2bn(sig, (int)n, NULL);
	s = BN_bin2bn(sig + n, (int)n, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -SMDP_E_CRYPTO;
	}
	der_len = i2d_ECDSA_SIG(es, &der);
	md = EVP_MD_CTX_new();
	if (der_len > 0 && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, der, (size_t)der_len, msg, len) == 1)
		rc = 0;
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return rc;
}

/* ---- ECKA ----------------------------------------------------------------- */

int smdp_key_group(EVP_PKEY *key, char *name, size_t cap)
{
	size_t n = 0;

	return EVP_PKEY_get_group_name(key, name, cap, &n) == 1 ? 0 : -SMDP_E_CRYPTO;
}

int smdp_ec_keygen(const char *group, EVP_PKEY **key, uint8_t *pub, size_t cap, size_t *pub_len)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);

	if (!k)
		return -SMDP_E_CRYPTO;
	/* Uncompressed point (04 || x || y), as SGP.22 §5.5.1 wants it. */
	if (EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed") != 1 ||
	    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, cap, pub_len) != 1 ||
	    pub[0] != 0x04) {
		EVP_PKEY_free(k);
		return -SMDP_E_CRYPTO;
	}
	*key = k;
	return 0;
}

static int ec_from_params(const char *group, const uint8_t *priv, size_t priv_len, const uint8_t *pub,
			  size_t pub_len, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *bn = NULL;
	int rc = -SMDP_E_CRYPTO;

	*out = NULL;
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0))
		goto out;
	if (pub && !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len))
		goto out;
	if (priv && (!(bn = BN_bin2bn(priv, (int)priv_len, NULL)) ||
		     !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	return rc;
}

int smdp_ecdh_key(EVP_PKEY *ours, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t cap,
		  size_t *secret_len)
{
	char group[64];
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = cap;
	int rc = -SMDP_E_CRYPTO;

	if (smdp_key_group(ours, group, sizeof(group)) < 0 || peer_len == 0 || peer[0] != 0x04 ||
	    ec_from_params(group, NULL, 0, peer, peer_len, &pk) < 0)
		goto out;
	ctx = EVP_PKEY_CTX_new(ours, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, pk) == 1 &&
	    EVP_PKEY_derive(ctx, secret, &n) == 1) {
		*secret_len = n;
		rc = 0;
	}
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}

int smdp_ecdh(const char *group, const uint8_t *priv, size_t priv_len, const uint8_t *peer, size_t peer_len,
	      uint8_t *secret, size_t cap, size_t *secret_len)
{
	EVP_PKEY *k = NULL;
	int rc;

	rc = ec_from_params(group, priv, priv_len, NULL, 0, &k);
	if (rc == 0)
		rc = smdp_ecdh_key(k, peer, peer_len, secret, cap, secret_len);
	EVP_PKEY_free(k);
	return rc;
}

/* ---- X9.63 KDF ------------------------------------------------------------- */

int smdp_kdf(const uint8_t *shs, size_t shs_len, uint8_t key_type, uint8_t key_len, const uint8_t *host_id,
	     size_t host_id_len, const uint8_t *eid, size_t eid_len, uint8_t mcv[16], uint8_t s_enc[16],
	     uint8_t s_mac[16])
{
	uint8_t info[2 + 1 + 127 + 1 + 127], out[64];
	size_t info_len = 0;
	int rc = 0;

	if (host_id_len > 127 || eid_len > 127)
		return -SMDP_E_PARAM;
	info[info_len++] = key_type;
	info[info_len++] = key_len;
	info[info_len++] = (uint8_t)host_id_len;
	memcpy(info + info_len, host_id, host_id_len);
	info_len += host_id_len;
	info[info_len++] = (uint8_t)eid_len;
	memcpy(info + info_len, eid, eid_len);
	info_len += eid_len;
	/* K_i = SHA-256(Z || counter_i (32-bit big endian, from 1) || SharedInfo) */
	for (uint32_t i = 1; i <= 2 && rc == 0; i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		uint8_t ctr[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		unsigned int n = 0;

		if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(md, shs, shs_len) != 1 || EVP_DigestUpdate(md, ctr, 4) != 1 ||
		    EVP_DigestUpdate(md, info, info_len) != 1 ||
		    EVP_DigestFinal_ex(md, out + 32 * (i - 1), &n) != 1 || n != 32)
			rc = -SMDP_E_CRYPTO;
		EVP_MD_CTX_free(md);
	}
	if (rc == 0) {
		memcpy(mcv, out, 16);
		memcpy(s_enc, out + 16, 16);
		memcpy(s_mac, out + 32, 16);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

/* ---- DER ------------------------------------------------------------------- */

size_t smdp_put_header(uint8_t *out, uint32_t tag, size_t len)
{
	uint8_t h[8];
	size_t n = 0;

	if (tag > 0xFF)
		h[n++] = (uint8_t)(tag >> 8);
	h[n++] = (uint8_t)tag;
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else if (len <= 0xFF) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len <= 0xFFFF) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = 0x83;
		h[n++] = (uint8_t)(len >> 16);
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	if (out)
		memcpy(out, h, n);
	return n;
}

int smdp_tlv_parse(const uint8_t *p, size_t left, struct smdp_tlv *t)
{
	size_t i = 0, len = 0;

	if (left < 2)
		return -SMDP_E_ASN1;
	t->raw = p;
	t->tag = p[i++];
	if ((t->tag & 0x1F) == 0x1F) {
		if (p[i] & 0x80)
			return -SMDP_E_ASN1;	/* tags of more than 2 octets: not in SGP.22 */
		t->tag = t->tag << 8 | p[i++];
	}
	if (i >= left)
		return -SMDP_E_ASN1;
	if (p[i] < 0x80) {
		len = p[i++];
	} else {
		size_t nl = p[i++] & 0x7F;

		if (nl == 0 || nl > 3 || i + nl > left)
			return -SMDP_E_ASN1;
		while (nl--)
			len = len << 8 | p[i++];
	}
	if (len > left - i)
		return -SMDP_E_ASN1;
	t->hdr_len = i;
	t->len = len;
	t->val = p + i;
	return 0;
}

/* ---- BSP (SCP03t) ---------------------------------------------------------- */

void smdp_bsp_init(struct smdp_bsp *b, const uint8_t s_enc[16], const uint8_t s_mac[16], const uint8_t mcv[16])
{
	memcpy(b->s_enc, s_enc, 16);
	memcpy(b->s_mac, s_mac, 16);
	memcpy(b->mcv, mcv, 16);
	b->counter = 1;
}

static int aes(const EVP_CIPHER *c, bool enc, const uint8_t key[16], const uint8_t *iv, const uint8_t *in,
	       size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, rc = -SMDP_E_CRYPTO;

	if (ctx && EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 && (size_t)n == len)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* ICV = AES-ECB(S-ENC, block counter as a 16-byte big-endian number). */
static int icv(const struct smdp_bsp *b, uint8_t out[16])
{
	uint8_t ctr[16] = { 0 };

	ctr[12] = (uint8_t)(b->counter >> 24);
	ctr[13] = (uint8_t)(b->counter >> 16);
	ctr[14] = (uint8_t)(b->counter >> 8);
	ctr[15] = (uint8_t)b->counter;
	return aes(EVP_aes_128_ecb(), true, b->s_enc, NULL, ctr, 16, out);
}

/* CMAC over MCV || tag || length || body; the full value is the next MCV. */
static int cmac(const struct smdp_bsp *b, const uint8_t *hdr, size_t hdr_len, const uint8_t *body, size_t len,
		uint8_t full[16])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int rc = -SMDP_E_CRYPTO;

	if (ctx && EVP_MAC_init(ctx, b->s_mac, 16, params) == 1 && EVP_MAC_update(ctx, b->mcv, 16) == 1 &&
	    EVP_MAC_update(ctx, hdr, hdr_len) == 1 && EVP_MAC_update(ctx, body, len) == 1 &&
	    EVP_MAC_final(ctx, full, &n, 16) == 1 && n == 16)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

int smdp_bsp_wrap(struct smdp_bsp *b, uint8_t tag, const uint8_t *plain, size_t plain_len, bool encrypt,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	size_t body = encrypt ? (plain_len / 16 + 1) * 16 : plain_len;
	size_t hdr = smdp_put_header(NULL, tag, body + 8);
	uint8_t iv[16], full[16];
	int rc;

	if (hdr + body + 8 > cap)
		return -SMDP_E_PARAM;
	smdp_put_header(out, tag, body + 8);
	if (encrypt) {
		/* '80' then '00' up to a whole block (SGP.22 §2.6.4.4), always. */
		uint8_t *pad = out + hdr;

		memcpy(pad, plain, plain_len);
		pad[plain_len] = 0x80;
		memset(pad + plain_len + 1, 0, body - plain_len - 1);
		rc = icv(b, iv);
		if (rc == 0)
			rc = aes(EVP_aes_128_cbc(), true, b->s_enc, iv, pad, body, pad);
		if (rc < 0)
			return rc;
	} else {
		memmove(out + hdr, plain, plain_len);
	}
	rc = cmac(b, out, hdr, out + hdr, body, full);
	if (rc < 0)
		return rc;
	memcpy(out + hdr + body, full, 8);
	memcpy(b->mcv, full, 16);
	b->counter++;	/* for MAC-only segments too */
	*out_len = hdr + body + 8;
	return 0;
}

int smdp_bsp_unwrap(struct smdp_bsp *b, const uint8_t *seg, size_t seg_len, bool encrypt, uint8_t *out,
		    size_t cap, size_t *out_len)
{
	struct smdp_tlv t;
	uint8_t full[16], iv[16];
	size_t body;
	int rc;

	if (smdp_tlv_parse(seg, seg_len, &t) < 0 || t.hdr_len + t.len != seg_len || t.len < 8)
		return -SMDP_E_ASN1;
	body = t.len - 8;
	if (body > cap || (encrypt && (body == 0 || body % 16)))
		return -SMDP_E_PARAM;
	rc = cmac(b, seg, t.hdr_len, t.val, body, full);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(full, t.val + body, 8))
		return -SMDP_E_SIGNATURE;
	if (encrypt) {
		size_t n = body;

		rc = icv(b, iv);
		if (rc == 0)
			rc = aes(EVP_aes_128_cbc(), false, b->s_enc, iv, t.val, body, out);
		if (rc < 0)
			return rc;
		while (n > 0 && out[n - 1] == 0)
			n--;
		if (n == 0 || out[n - 1] != 0x80 || body - n >= 16)
			return -SMDP_E_ASN1;
		*out_len = n - 1;
	} else {
		memcpy(out, t.val, body);
		*out_len = body;
	}
	memcpy(b->mcv, full, 16);
	b->counter++;
	return 0;
}
