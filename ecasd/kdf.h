/* Key derivation for the profile download: the X9.63 KDF (BSI TR-03111
 * §4.3.3, SHA-256) and the BSP session keys of SGP.22 §2.6.4 / Annex G
 * derived from the ECKA shared secret. */
#ifndef ECASD_KDF_H
#define ECASD_KDF_H

#include <stddef.h>
#include <stdint.h>

#define ECASD_KDF_KEY_TYPE_AES	0x88	/* GP Card Spec Table 11-16; CRT tag 80 */
#define ECASD_KDF_KEY_LEN	16	/* the only length SGP.22 v2 allows; CRT tag 81 */
#define ECASD_KDF_HOST_ID_MAX	16	/* hostId is OctetTo16 */

/* X9.63 KDF with SHA-256: out = SHA-256(Z || counter || SharedInfo) || ...
 * with a 32-bit big-endian counter from 1, cut to out_len bytes.
 * si_len may be 0 (shared_info NULL). */
int ecasd_kdf_x963(const uint8_t *z, size_t zlen, const uint8_t *shared_info, size_t si_len,
		   uint8_t *out, size_t out_len);

/* BSP session keys from ShS: SharedInfo is keyType | keyLength |
 * len(hostId) | hostId | len(EID) | EID, and the 48 output bytes are, in
 * order, the initial MAC chaining value, S-ENC and S-MAC.
 * key_type must be 0x88 (AES) and key_len 16, otherwise -EU_E_UNSUPPORTED;
 * host_id must be 1..16 bytes (-EU_E_PARAM). Outputs are untouched on error. */
int ecasd_derive_session_keys(const uint8_t *shs, size_t shs_len, uint8_t key_type, uint8_t key_len,
			      const uint8_t *host_id, size_t host_id_len, const uint8_t eid[16],
			      uint8_t initial_mcv[16], uint8_t s_enc[16], uint8_t s_mac[16]);

#endif
