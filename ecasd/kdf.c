#include "ecasd/kdf.h"
#include "sim/err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#define SHA256_LEN 32

int ecasd_kdf_x963(const uint8_t *z, size_t zlen, const uint8_t *shared_info, size_t si_len,
		   uint8_t *out, size_t out_len)
{
	EVP_MD_CTX *ctx = NULL;
	uint8_t block[SHA256_LEN];
	uint32_t counter = 1;
	size_t done = 0;
	int rc = -EU_E_NOMEM;

	/* TR-03111 §4.3.3.1 bounds the output to hashlen * (2^32 - 1); we never
	 * need more than a few blocks, so a far smaller bound is fine. */
	if (!z || !zlen || !out || !out_len || out_len > 1024 || (si_len && !shared_info))
		return -EU_E_PARAM;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	rc = -EU_E_CRYPTO;
	while (done < out_len) {
		const uint8_t cnt[4] = {
			(uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
			(uint8_t)(counter >> 8), (uint8_t)counter,
		};
		size_t n = out_len - done < SHA256_LEN ? out_len - done : SHA256_LEN;

		if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
		    !EVP_DigestUpdate(ctx, z, zlen) ||
		    !EVP_DigestUpdate(ctx, cnt, sizeof(cnt)) ||
		    (si_len && !EVP_DigestUpdate(ctx, shared_info, si_len)) ||
		    !EVP_DigestFinal_ex(ctx, block, NULL))
			goto out;
		memcpy(out + done, block, n);
		done += n;
		counter++;
	}
	rc = 0;
out:
	if (rc < 0)
		OPENSSL_cleanse(out, out_len);
	OPENSSL_cleanse(block, sizeof(block));
	EVP_MD_CTX_free(ctx);
	return rc;
}

int ecasd_derive_session_keys(const uint8_t *shs, size_t shs_len, uint8_t key_type, uint8_t key_len,
			      const uint8_t *host_id, size_t host_id_len, const uint8_t eid[16],
			      uint8_t initial_mcv[16], uint8_t s_enc[16], uint8_t s_mac[16])
{
	uint8_t si[2 + 1 + ECASD_KDF_HOST_ID_MAX + 1 + 16];
	uint8_t keys[3 * ECASD_KDF_KEY_LEN];
	size_t n = 0;
	int rc;

	/* SGP.22 v2 allows AES-128 only (ControlRefTemplate keyType/keyLen). */
	if (key_type != ECASD_KDF_KEY_TYPE_AES || key_len != ECASD_KDF_KEY_LEN)
		return -EU_E_UNSUPPORTED;
	if (!host_id || !host_id_len || host_id_len > ECASD_KDF_HOST_ID_MAX || !eid)
		return -EU_E_PARAM;

	/* SharedInfo per SGP.22 Annex G: each variable field is preceded by its
	 * length on one byte (both are < 128, so this is also the BER length). */
	si[n++] = key_type;
	si[n++] = key_len;
	si[n++] = (uint8_t)host_id_len;
	memcpy(si + n, host_id, host_id_len);
	n += host_id_len;
	si[n++] = 16;
	memcpy(si + n, eid, 16);
	n += 16;

	rc = ecasd_kdf_x963(shs, shs_len, si, n, keys, sizeof(keys));
	if (rc == 0) {
		/* Output order: initial MAC chaining value, S-ENC, S-MAC. */
		memcpy(initial_mcv, keys, 16);
		memcpy(s_enc, keys + 16, 16);
		memcpy(s_mac, keys + 32, 16);
	}
	OPENSSL_cleanse(keys, sizeof(keys));
	return rc;
}
