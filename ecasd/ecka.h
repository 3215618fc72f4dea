/* ECKA-DH (BSI TR-03111) for the profile download: the eUICC's one-time
 * key pair otSK/otPK.EUICC.ECKA (SGP.22 §3.1.3, ES10b.PrepareDownload) and
 * the shared secret ShS with the SM-DP+'s otPK.DP.ECKA.
 *
 * Curves: NIST P-256 (NID_X9_62_prime256v1) and brainpoolP256r1
 * (NID_brainpoolP256r1), both with cofactor 1, so plain ECDH is ECKA-DH.
 * Public keys travel as uncompressed points 04 || X || Y. The private key
 * stays inside the opaque handle and is wiped when it is freed. */
#ifndef ECASD_ECKA_H
#define ECASD_ECKA_H

#include <stddef.h>
#include <stdint.h>

#define ECASD_ECKA_PUB_LEN	65	/* 04 || X || Y */
#define ECASD_ECKA_PRIV_LEN	32
#define ECASD_ECKA_SECRET_LEN	32	/* ShS: the X coordinate */

struct ecasd_ecka;

/* A fresh key pair on curve nid; pub receives the uncompressed point.
 * Another curve: -EU_E_UNSUPPORTED. */
int ecasd_ecka_generate(int nid, struct ecasd_ecka **out, uint8_t pub[ECASD_ECKA_PUB_LEN]);

/* A key pair from a raw big-endian private scalar (1..32 bytes, 1 <= d < n,
 * else -EU_E_PARAM): for known-answer tests. pub may be NULL. */
int ecasd_ecka_import(int nid, const uint8_t *priv, size_t priv_len, struct ecasd_ecka **out,
		      uint8_t pub[ECASD_ECKA_PUB_LEN]);

/* ShS = X coordinate of d * Q_peer. The peer key must be an uncompressed
 * point on the handle's curve (not the point at infinity); anything else
 * is -EU_E_CRYPTO and z is left zeroed. */
int ecasd_ecka_shared_secret(const struct ecasd_ecka *k, const uint8_t *peer, size_t peer_len,
			     uint8_t z[ECASD_ECKA_SECRET_LEN]);

int ecasd_ecka_nid(const struct ecasd_ecka *k);

/* Wipes and frees; NULL is fine. */
void ecasd_ecka_free(struct ecasd_ecka *k);

#endif
