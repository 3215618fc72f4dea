#include "isdr/bsp.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

static void wipe(struct bsp *b)
{
	OPENSSL_cleanse(b, sizeof(*b));
	b->live = false;
}

/* AES-CMAC(S-MAC, MCV || data) into full[16] (SGP.22 §2.6.4; the MAC input
 * starts with the chaining value, GP Amendment F). */
static int cmac(const uint8_t key[BSP_KEY_LEN], const uint8_t mcv[BSP_KEY_LEN],
		const uint8_t *data, size_t len, uint8_t full[BSP_BLOCK])
{
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int rc = -EU_E_CRYPTO;

	mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	if (!mac)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx ||
	    !EVP_MAC_init(ctx, key, BSP_KEY_LEN, params) ||
	    !EVP_MAC_update(ctx, mcv, BSP_KEY_LEN) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, full, &n, BSP_BLOCK) || n != BSP_BLOCK)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* AES-128 over whole blocks, no padding by OpenSSL. ECB for the ICV,
 * CBC for the payload; in == out is allowed. */
static int aes(const EVP_CIPHER *cipher, bool enc, const uint8_t key[BSP_KEY_LEN],
	       const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = NULL;
	int n1 = 0, n2 = 0;
	int rc = -EU_E_CRYPTO;

	if (len % BSP_BLOCK || len > (size_t)TLV_MAX_LEN)
		return -EU_E_PARAM;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    !EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, enc) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_CipherUpdate(ctx, out, &n1, in, (int)len) ||
	    !EVP_CipherFinal_ex(ctx, out + n1, &n2) ||
	    (size_t)n1 + (size_t)n2 != len)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* ICV for this segment: the block counter, left-padded with zeroes to a
 * block, encrypted with S-ENC (SGP.22 §2.6.4, as GP Amendment F). */
static int icv(const struct bsp *b, uint8_t iv[BSP_BLOCK])
{
	uint8_t ctr[BSP_BLOCK] = { 0 };

	ctr[12] = (uint8_t)(b->counter >> 24);
	ctr[13] = (uint8_t)(b->counter >> 16);
	ctr[14] = (uint8_t)(b->counter >> 8);
	ctr[15] = (uint8_t)b->counter;
	return aes(EVP_aes_128_ecb(), true, b->s_enc, NULL, ctr, BSP_BLOCK, iv);
}

static bool tag_fits(uint32_t tag, bool encrypted)
{
	if (encrypted)
		return tag == BSP_TAG_PPP || tag == BSP_TAG_ENC;
	return tag == BSP_TAG_MAC;
}

/* ISO/IEC 9797-1 method 2 as SGP.22 §2.6.4 words it: the last non-zero byte
 * is '80' and it sits in the last block (at most 15 '00' after it). The
 * MAC was checked before, so this is no padding oracle. */
static int unpad(const uint8_t *p, size_t len, size_t *plain_len)
{
	size_t i = len;

	while (i > 0 && len - i < BSP_BLOCK && p[i - 1] == 0x00)
		i--;
	if (i == 0 || p[i - 1] != 0x80 || len - i >= BSP_BLOCK)
		return -EU_E_PADDING;
	*plain_len = i - 1;
	return 0;
}

void bsp_init(struct bsp *b, const uint8_t s_enc[BSP_KEY_LEN], const uint8_t s_mac[BSP_KEY_LEN],
	      const uint8_t initial_mcv[BSP_KEY_LEN])
{
	memcpy(b->s_enc, s_enc, BSP_KEY_LEN);
	memcpy(b->s_mac, s_mac, BSP_KEY_LEN);
	memcpy(b->mcv, initial_mcv, BSP_KEY_LEN);
	b->counter = 1;
	b->live = true;
}

int bsp_replace_keys(struct bsp *b, const uint8_t ppk_enc[BSP_KEY_LEN],
		     const uint8_t ppk_mac[BSP_KEY_LEN], const uint8_t initial_mcv[BSP_KEY_LEN])
{
	/* A session that failed once cannot be revived by new keys. */
	if (!b->live)
		return -EU_E_STATE;
	/* §5.5.4: the PPKs and the new MCV replace the session keys; the block
	 * counter starts again at 1 (the [bsp-ppk-keys] vectors need it). */
	bsp_init(b, ppk_enc, ppk_mac, initial_mcv);
	return 0;
}

int bsp_unwrap(struct bsp *b, const uint8_t *tlv, size_t tlv_len, bool encrypted, uint8_t *out,
	       size_t out_cap, size_t *out_len)
{
	uint8_t full[BSP_BLOCK], iv[BSP_BLOCK];
	struct tlv t;
	size_t body_len, hdr_len, plain_len = 0;
	int rc;

	if (!b->live)
		return -EU_E_STATE;
	/* Exactly one TLV, strict DER: the header is MACed as received, so a
	 * non-minimal length could only come from a broken sender. */
	rc = tlv_parse_exact(tlv, tlv_len, &t);
	if (rc < 0)
		goto dead;
	rc = -EU_E_NOT_DER;
	if (!tag_fits(t.tag, encrypted))
		goto dead;
	rc = -EU_E_TRUNCATED;
	if (t.len < BSP_MAC_LEN)
		goto dead;
	body_len = t.len - BSP_MAC_LEN;
	hdr_len = (size_t)(t.val - tlv);
	if (out_cap < body_len)
		return -EU_E_TOO_LONG;	/* the caller's buffer; nothing consumed */
	if (b->counter == UINT32_MAX) {
		rc = -EU_E_STATE;
		goto dead;
	}

	/* C-MAC over MCV || tag || length || payload: the received bytes up to
	 * the MAC itself. */
	rc = cmac(b->s_mac, b->mcv, tlv, hdr_len + body_len, full);
	if (rc < 0)
		goto dead;
	rc = -EU_E_CRYPTO;
	if (CRYPTO_memcmp(full, t.val + body_len, BSP_MAC_LEN) != 0)
		goto dead;
	memcpy(b->mcv, full, BSP_KEY_LEN);

	if (!encrypted) {
		/* The counter moves for MAC-only segments too. */
		b->counter++;
		if (body_len)
			memcpy(out, t.val, body_len);
		*out_len = body_len;
		rc = 0;
		goto out;
	}

	rc = -EU_E_PADDING;
	if (body_len == 0 || body_len % BSP_BLOCK)
		goto dead;
	rc = icv(b, iv);
	if (rc < 0)
		goto dead;
	b->counter++;
	rc = aes(EVP_aes_128_cbc(), false, b->s_enc, iv, t.val, body_len, out);
	if (rc == 0)
		rc = unpad(out, body_len, &plain_len);
	if (rc < 0) {
		OPENSSL_cleanse(out, body_len);
		goto dead;
	}
	*out_len = plain_len;
	goto out;
dead:
	wipe(b);
	ERR_clear_error();
out:
	OPENSSL_cleanse(full, sizeof(full));
	OPENSSL_cleanse(iv, sizeof(iv));
	return rc;
}

int bsp_wrap(struct bsp *b, uint8_t tag, const uint8_t *plain, size_t plain_len, bool encrypt,
	     uint8_t *out, size_t out_cap, size_t *out_len)
{
	uint8_t full[BSP_BLOCK], iv[BSP_BLOCK];
	size_t body_len, hdr_len;
	int rc;

	if (!b->live)
		return -EU_E_STATE;
	if (!tag_fits(tag, encrypt) || (plain_len && !plain))
		return -EU_E_PARAM;
	if (plain_len > TLV_MAX_LEN - 2 * BSP_BLOCK)
		return -EU_E_TOO_LONG;
	body_len = encrypt ? (plain_len / BSP_BLOCK + 1) * BSP_BLOCK : plain_len;
	hdr_len = tlv_put_header(out, out_cap, tag, body_len + BSP_MAC_LEN);
	if (!hdr_len || out_cap - hdr_len < body_len + BSP_MAC_LEN)
		return -EU_E_TOO_LONG;
	if (b->counter == UINT32_MAX)
		return -EU_E_STATE;

	if (plain_len)
		memcpy(out + hdr_len, plain, plain_len);
	if (encrypt) {
		out[hdr_len + plain_len] = 0x80;
		memset(out + hdr_len + plain_len + 1, 0, body_len - plain_len - 1);
		rc = icv(b, iv);
		if (rc == 0)
			rc = aes(EVP_aes_128_cbc(), true, b->s_enc, iv, out + hdr_len, body_len,
				 out + hdr_len);
		if (rc < 0)
			goto dead;
	}
	b->counter++;
	rc = cmac(b->s_mac, b->mcv, out, hdr_len + body_len, full);
	if (rc < 0)
		goto dead;
	memcpy(b->mcv, full, BSP_KEY_LEN);
	memcpy(out + hdr_len + body_len, full, BSP_MAC_LEN);
	*out_len = hdr_len + body_len + BSP_MAC_LEN;
	goto out;
dead:
	OPENSSL_cleanse(out, out_cap);
	wipe(b);
out:
	OPENSSL_cleanse(full, sizeof(full));
	OPENSSL_cleanse(iv, sizeof(iv));
	return rc;
}

bool bsp_live(const struct bsp *b)
{
	return b->live;
}

void bsp_clear(struct bsp *b)
{
	wipe(b);
}
