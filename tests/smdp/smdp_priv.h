/* Internals of the test SM-DP+: key and certificate files, ECDSA with the
 * plain r||s signature form (BSI TR-03111) SGP.22 puts in tag 5F37, a small
 * DER writer and reader. */
#ifndef TESTS_SMDP_SMDP_PRIV_H
#define TESTS_SMDP_SMDP_PRIV_H

#include "tests/smdp/smdp.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#define SMDP_SIG_MAX 132		/* r||s up to P-521 */

/* Early return for functions that own nothing. */
#ifndef TRY
#define TRY(expr) do { int try_rc_ = (expr); if (try_rc_ < 0) return try_rc_; } while (0)
#endif

/* Load a certificate (DER or PEM) / a PEM private key. */
int smdp_load_cert(const char *path, X509 **out);
int smdp_load_key(const char *path, EVP_PKEY **out);
/* DER of a certificate (malloc'd). */
int smdp_cert_der(X509 *cert, uint8_t **der, size_t *len);

/* ECDSA with SHA-256; sig is r||s, each the size of the group order. */
int smdp_sign(EVP_PKEY *key, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap, size_t *sig_len);
/* 0 when the r||s signature verifies, -SMDP_E_SIGNATURE when not. */
int smdp_verify(EVP_PKEY *key, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len);

/* A fresh key pair on group; pub gets the uncompressed point. */
int smdp_ec_keygen(const char *group, EVP_PKEY **key, uint8_t *pub, size_t cap, size_t *pub_len);
/* ECKA-DH with an EVP key of ours. */
int smdp_ecdh_key(EVP_PKEY *ours, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t cap,
		  size_t *secret_len);
/* The group name of an EC key ("prime256v1", ...). */
int smdp_key_group(EVP_PKEY *key, char *name, size_t cap);

/* DER writer: tag (1 or 2 octets as written) and minimal length. Returns
 * the header size; out may be NULL to measure. */
size_t smdp_put_header(uint8_t *out, uint32_t tag, size_t len);

/* DER reader: one element at p[0..left). */
struct smdp_tlv {
	uint32_t tag;
	const uint8_t *raw, *val;
	size_t hdr_len, len;	/* header size, value length */
};
int smdp_tlv_parse(const uint8_t *p, size_t left, struct smdp_tlv *t);

#endif
