/* SUCI computation by the USIM (3GPP TS 33.501 Annex C): the scheme output
 * of the null scheme and of the ECIES profiles A (X25519) and B (P-256)
 * for a scheme input (the MSIN in packed BCD, TS 33.501 §C.3.1), and the
 * coding of that input from the IMSI's digits.
 *
 * ECIES as C.3.2/C.3.4: a fresh ephemeral key pair, ECDH with the home
 * network public key, ANSI-X9.63-KDF (SHA-256, SharedInfo = the ephemeral
 * public key as sent) for 16 bytes of AES-128 key, a 16-byte ICB and a
 * 32-byte MAC key; AES-128-CTR from the ICB; HMAC-SHA-256 of the
 * ciphertext cut to 8 bytes. Output: ephemeral public key (profile A 32
 * bytes, profile B 33 bytes compressed) || ciphertext || MAC tag. */
#ifndef ISDP_NAA_SUCI_H
#define ISDP_NAA_SUCI_H

#include <stddef.h>
#include <stdint.h>

enum naa_suci_scheme {
	NAA_SUCI_NULL = 0,
	NAA_SUCI_PROFILE_A = 1,
	NAA_SUCI_PROFILE_B = 2,
};

#define NAA_SUCI_MAC_LEN	8
#define NAA_SUCI_EPH_MAX	33	/* profile B: compressed P-256 point */
#define NAA_SUCI_INPUT_MAX	8	/* an MSIN has at most 10 digits */

/* Whether a home network public key of this length suits the scheme
 * (A: 32; B: 33 compressed or 65 uncompressed). */
int naa_suci_key_ok(unsigned scheme, size_t hn_pub_len);

/* The scheme output for in[0..in_len) (at most NAA_SUCI_INPUT_MAX bytes).
 * eph_priv: NULL for a fresh ephemeral key (OpenSSL's DRBG); 32 bytes
 * for the test data of Annex C.4. out needs room for
 * NAA_SUCI_EPH_MAX + in_len + NAA_SUCI_MAC_LEN. Returns 0, -EU_E_PARAM
 * (unknown scheme, a key that is not a point of the curve, ...) or
 * -EU_E_CRYPTO. */
int naa_suci_scheme_output(unsigned scheme, const uint8_t *hn_pub, size_t hn_pub_len, const uint8_t *eph_priv,
			   const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len);

/* The MSIN digits (0-9, n of them) as scheme input: packed BCD, the first
 * digit of each pair in the low nibble, an odd count padded with 'F'
 * (TS 33.501 §C.3.1, TS 24.501 Figure 9.11.3.4.3a). Returns the length. */
size_t naa_suci_msin_input(const uint8_t *digits, size_t n, uint8_t out[NAA_SUCI_INPUT_MAX]);

#endif
