/* BSP (SCP03t, SGP.22 §2.6.4 and GP Amendment F): the protection of the
 * Bound Profile Package segments, card side.
 *
 * One context per download session. It holds S-ENC, S-MAC, the MAC
 * chaining value and the block counter; the caller owns it (no
 * allocation). Rules, as checked against the vectors in
 * tests/vectors/bsp.txt:
 *  - every segment is one TLV: tag 86/87 (encrypted then MACed) or 88
 *    (MAC only); its value is the payload followed by an 8-byte C-MAC;
 *  - C-MAC = first 8 bytes of AES-CMAC(S-MAC, MCV || tag || length ||
 *    payload), the length being the final one (MAC included); the full
 *    16-byte CMAC becomes the next MCV;
 *  - the block counter starts at 1 and goes up by one for every segment,
 *    MAC-only segments included; ICV = AES-ECB(S-ENC, counter as a 16-byte
 *    big-endian number), then AES-128-CBC;
 *  - padding is '80' then 0 to 15 '00' up to a multiple of 16 (so a
 *    plaintext already a multiple of 16 gets a whole extra block);
 *  - ReplaceSessionKeys (§5.5.4) installs PPK-ENC, PPK-MAC and a new
 *    initial MCV, and the block counter starts again at 1.
 * Any failure on received data (structure, MAC, padding) wipes the keys:
 * the context stays dead and every later call fails with -EU_E_STATE. */
#ifndef ISDR_BSP_H
#define ISDR_BSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BSP_KEY_LEN	16
#define BSP_MAC_LEN	8
#define BSP_BLOCK	16

/* Segment tags inside the BoundProfilePackage (SGP.22 §2.5.4). */
#define BSP_TAG_PPP	0x86	/* sequenceOf86: the protected profile package */
#define BSP_TAG_ENC	0x87	/* firstSequenceOf87 / secondSequenceOf87 */
#define BSP_TAG_MAC	0x88	/* sequenceOf88: StoreMetadata, MAC only */

struct bsp {
	uint8_t s_enc[BSP_KEY_LEN];
	uint8_t s_mac[BSP_KEY_LEN];
	uint8_t mcv[BSP_KEY_LEN];	/* MAC chaining value */
	uint32_t counter;		/* block counter for the next segment's ICV */
	bool live;
};

/* Session keys and the initial MCV as derived by ecasd_derive_session_keys. */
void bsp_init(struct bsp *b, const uint8_t s_enc[BSP_KEY_LEN], const uint8_t s_mac[BSP_KEY_LEN],
	      const uint8_t initial_mcv[BSP_KEY_LEN]);

/* ReplaceSessionKeys: PPK-ENC, PPK-MAC, initialMacChainingValue; the block
 * counter restarts at 1. -EU_E_STATE on a dead context. */
int bsp_replace_keys(struct bsp *b, const uint8_t ppk_enc[BSP_KEY_LEN],
		     const uint8_t ppk_mac[BSP_KEY_LEN], const uint8_t initial_mcv[BSP_KEY_LEN]);

/* Verify and open one segment, exactly the bytes of one TLV as received.
 * encrypted: the caller expects 86/87 (true) or 88 (false); another tag is
 * -EU_E_NOT_DER. out (not overlapping tlv) needs room for the value length
 * minus 8 (for encrypted segments that is the padded plaintext); too small
 * gives -EU_E_TOO_LONG and changes nothing. Errors on the received bytes:
 * TLV errors (-EU_E_TRUNCATED, -EU_E_NOT_DER, -EU_E_TRAILING, ...), a wrong
 * C-MAC -EU_E_CRYPTO, a ciphertext that is not whole blocks or bad
 * padding -EU_E_PADDING; all of them kill the context. */
int bsp_unwrap(struct bsp *b, const uint8_t *tlv, size_t tlv_len, bool encrypted, uint8_t *out,
	       size_t out_cap, size_t *out_len);

/* The SM-DP+ side, for tests: protect plain as one segment with the given
 * tag (86/87 with encrypt, 88 without) into out (not overlapping plain). */
int bsp_wrap(struct bsp *b, uint8_t tag, const uint8_t *plain, size_t plain_len, bool encrypt,
	     uint8_t *out, size_t out_cap, size_t *out_len);

bool bsp_live(const struct bsp *b);

/* Wipe the context (end of session); it is dead afterwards. */
void bsp_clear(struct bsp *b);

#endif
