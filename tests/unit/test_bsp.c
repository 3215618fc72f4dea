/* BSP (SCP03t) segment protection, card side and SM-DP+ side, against the
 * vectors in tests/vectors/bsp.txt (Osmocom pySim, partly from traces of an
 * independent SM-DP+): every step in order, each step tampered, the
 * ReplaceSessionKeys hand-over, strict padding, and a whole
 * BoundProfilePackage decrypted segment by segment. */
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"
#include "isdr/bsp.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 8
#define SEG_MAX 2100

static struct t_vectors *vec;

static void setup(void)
{
	vec = t_vectors_load(T_VECTORS_BSP);
}

static void teardown(void)
{
	t_vectors_free(vec);
	vec = NULL;
}

struct step {
	bool enc;
	uint8_t tag;
	uint8_t *plain, *prot;
	size_t plain_len, prot_len;
};

struct block {
	uint8_t enc[16], mac[16], mcv[16];
	struct step s[MAX_STEPS];
	size_t n;
};

static void load_block(const char *section, struct block *bl)
{
	char key[32];

	memset(bl, 0, sizeof(*bl));
	t_vec_fixed(vec, section, "s_enc", bl->enc, 16);
	t_vec_fixed(vec, section, "s_mac", bl->mac, 16);
	t_vec_fixed(vec, section, "initial_mac_chaining_value", bl->mcv, 16);
	for (bl->n = 0; bl->n < MAX_STEPS; bl->n++) {
		struct step *s = &bl->s[bl->n];
		const char *op;
		unsigned i = (unsigned)bl->n + 1;

		snprintf(key, sizeof(key), "step%u.op", i);
		op = t_vec_str(vec, section, key);
		if (!op)
			break;
		ck_assert(!strcmp(op, "encrypt_and_mac") || !strcmp(op, "mac_only"));
		s->enc = !strcmp(op, "encrypt_and_mac");
		snprintf(key, sizeof(key), "step%u.tag", i);
		t_vec_fixed(vec, section, key, &s->tag, 1);
		snprintf(key, sizeof(key), "step%u.plain", i);
		s->plain = t_vec_bytes(vec, section, key, &s->plain_len);
		snprintf(key, sizeof(key), "step%u.protected", i);
		s->prot = t_vec_bytes(vec, section, key, &s->prot_len);
	}
	ck_assert_uint_gt(bl->n, 0);
}

static void free_block(struct block *bl)
{
	for (size_t i = 0; i < bl->n; i++) {
		free(bl->s[i].plain);
		free(bl->s[i].prot);
	}
}

static void unwrap_ok(struct bsp *b, const struct step *s)
{
	uint8_t out[SEG_MAX];
	size_t n = 0;

	ck_assert_int_eq(bsp_unwrap(b, s->prot, s->prot_len, s->enc, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, s->plain_len);
	ck_assert_mem_eq(out, s->plain, n);
}

static void wrap_ok(struct bsp *b, const struct step *s)
{
	uint8_t out[SEG_MAX];
	size_t n = 0;

	ck_assert_int_eq(bsp_wrap(b, s->tag, s->plain, s->plain_len, s->enc, out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, s->prot_len);
	ck_assert_mem_eq(out, s->prot, n);
}

/* Card side: each step in order; the counter moves for MAC-only too. */
static void unwrap_block(const char *section)
{
	struct block bl;
	struct bsp b;

	load_block(section, &bl);
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	for (size_t i = 0; i < bl.n; i++) {
		ck_assert_uint_eq(bl.s[i].prot[0], bl.s[i].tag);
		unwrap_ok(&b, &bl.s[i]);
		ck_assert_uint_eq(b.counter, i + 2);
	}
	ck_assert(bsp_live(&b));
	bsp_clear(&b);
	ck_assert(!bsp_live(&b));
	free_block(&bl);
}

static void wrap_block(const char *section)
{
	struct block bl;
	struct bsp b;

	load_block(section, &bl);
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	for (size_t i = 0; i < bl.n; i++)
		wrap_ok(&b, &bl.s[i]);
	bsp_clear(&b);
	free_block(&bl);
}

START_TEST(session_keys_unwrap)
{
	unwrap_block("bsp-session-keys");
}
END_TEST

START_TEST(session_keys_wrap)
{
	wrap_block("bsp-session-keys");
}
END_TEST

START_TEST(ppk_keys_unwrap)
{
	unwrap_block("bsp-ppk-keys");
}
END_TEST

START_TEST(ppk_keys_wrap)
{
	wrap_block("bsp-ppk-keys");
}
END_TEST

/* ReplaceSessionKeysRequest (BF26): [0] initialMacChainingValue, [1] ppkEnc,
 * [2] ppkCmac, each 16 bytes. */
static void parse_rsk(const uint8_t *p, size_t len, uint8_t mcv[16], uint8_t enc[16], uint8_t mac[16])
{
	uint8_t *dst[3] = { mcv, enc, mac };
	struct tlv t, f;
	struct tlv_iter it;
	unsigned i = 0;

	ck_assert_int_eq(tlv_check_der(p, len, 4), 0);
	ck_assert_int_eq(tlv_parse_exact(p, len, &t), 0);
	ck_assert_uint_eq(t.tag, 0xBF26);
	tlv_iter_init(&it, &t);
	while (tlv_iter_next(&it, &f) == 1) {
		ck_assert_uint_lt(i, 3);
		ck_assert_uint_eq(f.tag, 0x80 + i);
		ck_assert_uint_eq(f.len, 16);
		memcpy(dst[i++], f.val, 16);
	}
	ck_assert_uint_eq(i, 3);
}

/* The two blocks are one session: the last session-key step carries the
 * ReplaceSessionKeys request whose keys the PPK block uses, and after
 * bsp_replace_keys the same context opens the PPK steps (counter back at 1,
 * MCV from the request). Both directions. */
START_TEST(replace_session_keys_hand_over)
{
	struct block ses, ppk;
	uint8_t mcv[16], enc[16], mac[16];
	struct bsp card, smdp;

	load_block("bsp-session-keys", &ses);
	load_block("bsp-ppk-keys", &ppk);
	parse_rsk(ses.s[ses.n - 1].plain, ses.s[ses.n - 1].plain_len, mcv, enc, mac);
	ck_assert_mem_eq(mcv, ppk.mcv, 16);
	ck_assert_mem_eq(enc, ppk.enc, 16);
	ck_assert_mem_eq(mac, ppk.mac, 16);

	bsp_init(&card, ses.enc, ses.mac, ses.mcv);
	bsp_init(&smdp, ses.enc, ses.mac, ses.mcv);
	for (size_t i = 0; i < ses.n; i++) {
		wrap_ok(&smdp, &ses.s[i]);
		unwrap_ok(&card, &ses.s[i]);
	}
	ck_assert_int_eq(bsp_replace_keys(&card, enc, mac, mcv), 0);
	ck_assert_int_eq(bsp_replace_keys(&smdp, enc, mac, mcv), 0);
	ck_assert_uint_eq(card.counter, 1);
	for (size_t i = 0; i < ppk.n; i++) {
		wrap_ok(&smdp, &ppk.s[i]);
		unwrap_ok(&card, &ppk.s[i]);
	}
	ck_assert_mem_eq(card.mcv, smdp.mcv, 16);
	bsp_clear(&card);
	bsp_clear(&smdp);
	free_block(&ses);
	free_block(&ppk);
}
END_TEST

enum tamper {
	T_PAYLOAD,	/* one bit of the payload */
	T_MAC,		/* one bit of the C-MAC */
	T_LEN_BIT,	/* one bit of the length: the TLV no longer fits */
	T_LEN_REFRAMED,	/* first payload byte dropped, length fixed up */
	T_TAG,		/* 86 <-> 87, 88 -> 89 */
	T_COUNT
};

/* Returns the tampered segment's length in out. */
static size_t tamper(const struct step *s, enum tamper how, uint8_t *out)
{
	struct tlv t;
	size_t hdr, n;

	ck_assert_int_eq(tlv_parse_exact(s->prot, s->prot_len, &t), 0);
	hdr = (size_t)(t.val - s->prot);
	memcpy(out, s->prot, s->prot_len);
	switch (how) {
	case T_PAYLOAD:
		out[hdr + (t.len - BSP_MAC_LEN) / 2] ^= 0x10;
		return s->prot_len;
	case T_MAC:
		out[s->prot_len - 1] ^= 0x01;
		return s->prot_len;
	case T_LEN_BIT:
		out[hdr - 1] ^= 0x01;
		return s->prot_len;
	case T_LEN_REFRAMED:
		n = tlv_put_header(out, SEG_MAX, t.tag, t.len - 1);
		ck_assert_uint_eq(n, hdr);	/* same header size for these vectors */
		memcpy(out + n, t.val + 1, t.len - 1);
		return n + t.len - 1;
	case T_TAG:
		out[0] ^= 0x01;
		return s->prot_len;
	default:
		ck_abort();
	}
	return 0;
}

/* Each step of both blocks, tampered each way, at its place in the
 * sequence: an error, and the context is dead for the genuine segment and
 * everything after it. */
static void tamper_block(const char *section)
{
	struct block bl;
	uint8_t bad[SEG_MAX], out[SEG_MAX];

	load_block(section, &bl);
	for (size_t i = 0; i < bl.n; i++) {
		for (int how = 0; how < T_COUNT; how++) {
			struct bsp b;
			size_t n, got = 12345;
			int rc;

			bsp_init(&b, bl.enc, bl.mac, bl.mcv);
			for (size_t j = 0; j < i; j++)
				unwrap_ok(&b, &bl.s[j]);
			n = tamper(&bl.s[i], (enum tamper)how, bad);
			rc = bsp_unwrap(&b, bad, n, bl.s[i].enc, out, sizeof(out), &got);
			switch (how) {
			case T_PAYLOAD:
			case T_MAC:
			case T_LEN_REFRAMED:
				ck_assert_int_eq(rc, -EU_E_CRYPTO);
				break;
			case T_LEN_BIT:
				ck_assert(rc == -EU_E_TRUNCATED || rc == -EU_E_TRAILING);
				break;
			case T_TAG:
				ck_assert_int_eq(rc, bl.s[i].enc ? -EU_E_CRYPTO : -EU_E_NOT_DER);
				break;
			}
			ck_assert_uint_eq(got, 12345);
			ck_assert(!bsp_live(&b));
			for (size_t j = i; j < bl.n; j++)
				ck_assert_int_eq(bsp_unwrap(&b, bl.s[j].prot, bl.s[j].prot_len,
							    bl.s[j].enc, out, sizeof(out), &got),
						 -EU_E_STATE);
		}
	}
	free_block(&bl);
}

START_TEST(session_keys_tampered)
{
	tamper_block("bsp-session-keys");
}
END_TEST

START_TEST(ppk_keys_tampered)
{
	tamper_block("bsp-ppk-keys");
}
END_TEST

/* An independent SM-DP+ for odd segments: the MAC and the encryption done
 * here with plain OpenSSL calls from the context's state, over a body the
 * test chooses (so it can carry bad padding or partial blocks). The
 * context itself is not advanced. */
static size_t forge(const struct bsp *b, uint8_t tag, const uint8_t *body, size_t len, bool encrypt,
		    uint8_t *out)
{
	uint8_t ctr[16] = { 0 }, icv[16], full[16];
	size_t hdr, mlen = 0;
	int n = 0;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();

	ctr[15] = (uint8_t)b->counter;
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, b->s_enc, NULL), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	ck_assert_int_eq(EVP_EncryptUpdate(c, icv, &n, ctr, 16), 1);
	hdr = tlv_put_header(out, SEG_MAX, tag, len + BSP_MAC_LEN);
	memcpy(out + hdr, body, len);
	if (encrypt) {
		ck_assert_uint_eq(len % 16, 0);
		ck_assert_int_eq(EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, b->s_enc, icv), 1);
		EVP_CIPHER_CTX_set_padding(c, 0);
		ck_assert_int_eq(EVP_EncryptUpdate(c, out + hdr, &n, body, (int)len), 1);
	}
	EVP_CIPHER_CTX_free(c);
	{
		uint8_t in[16 + SEG_MAX];

		memcpy(in, b->mcv, 16);
		memcpy(in + 16, out, hdr + len);
		ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, b->s_mac, 16,
						in, 16 + hdr + len, full, sizeof(full), &mlen));
	}
	ck_assert_uint_eq(mlen, 16);
	memcpy(out + hdr + len, full, BSP_MAC_LEN);
	return hdr + len + BSP_MAC_LEN;
}

/* Padding after a good MAC: '80' then at most 15 '00', nothing else. */
START_TEST(padding_checked_strictly)
{
	static const struct {
		const char *body;	/* hex of the padded plaintext */
		int rc;
		size_t plain_len;
	} cases[] = {
		{ "BF240080000000000000000000000000", 0, 3 },
		{ "0102030405060708090A0B0C0D0E0F80", 0, 15 },
		{ "80000000000000000000000000000000", 0, 0 },
		{ "0102030405060708090A0B0C0D0E0F1080000000000000000000000000000000", 0, 16 },
		{ "BF240000000000000000000000000000", -EU_E_PADDING, 0 },	/* no 80 */
		{ "00000000000000000000000000000000", -EU_E_PADDING, 0 },	/* all zero */
		{ "BF240080000000000000000000000001", -EU_E_PADDING, 0 },	/* ends in 01 */
		/* an '80' inside the plaintext is data: only the last one pads */
		{ "BF240080000000000000000000008000", 0, 14 },
		{ "BF240081000000000000000000000000", -EU_E_PADDING, 0 },	/* 81 */
		/* 80 in the block before a whole block of zeroes */
		{ "0102030405060708090A0B0C0D0E0F8000000000000000000000000000000000", -EU_E_PADDING, 0 },
	};
	uint8_t body[64], seg[SEG_MAX], out[SEG_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct bsp b;
		size_t len = t_unhex(cases[i].body, body, sizeof(body)), n, got = 0;

		bsp_init(&b, (const uint8_t[16]){ 1 }, (const uint8_t[16]){ 2 }, (const uint8_t[16]){ 3 });
		n = forge(&b, BSP_TAG_ENC, body, len, true, seg);
		ck_assert_msg(bsp_unwrap(&b, seg, n, true, out, sizeof(out), &got) == cases[i].rc,
			      "padding case %zu", i);
		if (cases[i].rc == 0) {
			ck_assert_uint_eq(got, cases[i].plain_len);
			ck_assert_mem_eq(out, body, got);
			ck_assert(bsp_live(&b));
		} else {
			ck_assert(!bsp_live(&b));
			/* the rejected plaintext does not linger in the caller's buffer */
			for (size_t j = 0; j < len; j++)
				ck_assert_uint_eq(out[j], 0);
		}
	}
}
END_TEST

/* A correctly MACed 87/86 whose payload is not whole AES blocks (or empty)
 * is refused after the MAC check, as a padding error. */
START_TEST(partial_blocks_refused)
{
	static const size_t lens[] = { 0, 1, 15, 17, 31 };
	uint8_t body[64] = { 0x80 }, seg[SEG_MAX], out[SEG_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		struct bsp b;
		size_t n, got;

		bsp_init(&b, (const uint8_t[16]){ 4 }, (const uint8_t[16]){ 5 }, (const uint8_t[16]){ 6 });
		n = forge(&b, BSP_TAG_PPP, body, lens[i], false, seg);
		ck_assert_int_eq(bsp_unwrap(&b, seg, n, true, out, sizeof(out), &got), -EU_E_PADDING);
		ck_assert(!bsp_live(&b));
	}
}
END_TEST

/* Segments that are not one well-formed BSP TLV kill the context too. */
START_TEST(malformed_segments_refused)
{
	struct block bl;
	const struct step *s87, *s88;
	uint8_t seg[SEG_MAX], out[SEG_MAX];
	struct bsp b;
	size_t got, n;

	load_block("bsp-session-keys", &bl);
	s87 = &bl.s[0];
	s88 = &bl.s[1];
	ck_assert(s87->enc && !s88->enc);

#define REFUSED(seg_, len_, enc_, err_) do { \
		bsp_init(&b, bl.enc, bl.mac, bl.mcv); \
		ck_assert_int_eq(bsp_unwrap(&b, (seg_), (len_), (enc_), out, sizeof(out), &got), (err_)); \
		ck_assert(!bsp_live(&b)); \
	} while (0)

	/* an 87 where a MAC-only 88 is expected, and the reverse */
	REFUSED(s87->prot, s87->prot_len, false, -EU_E_NOT_DER);
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	unwrap_ok(&b, s87);
	ck_assert_int_eq(bsp_unwrap(&b, s88->prot, s88->prot_len, true, out, sizeof(out), &got),
			 -EU_E_NOT_DER);
	ck_assert(!bsp_live(&b));
	/* a byte too many, a byte too few, nothing at all */
	memcpy(seg, s87->prot, s87->prot_len);
	seg[s87->prot_len] = 0;
	REFUSED(seg, s87->prot_len + 1, true, -EU_E_TRAILING);
	REFUSED(s87->prot, s87->prot_len - 1, true, -EU_E_TRUNCATED);
	REFUSED(s87->prot, 0, true, -EU_E_TRUNCATED);
	/* non-minimal length octets (87 81 18 instead of 87 18) */
	seg[0] = s87->prot[0];
	seg[1] = 0x81;
	memcpy(seg + 2, s87->prot + 1, s87->prot_len - 1);
	REFUSED(seg, s87->prot_len + 1, true, -EU_E_NOT_DER);
	/* constructed form of the tag, and a value shorter than a MAC */
	memcpy(seg, s87->prot, s87->prot_len);
	seg[0] = 0xA7;
	REFUSED(seg, s87->prot_len, true, -EU_E_NOT_DER);
	REFUSED(((const uint8_t[]){ 0x88, 0x07, 1, 2, 3, 4, 5, 6, 7 }), 9, false, -EU_E_TRUNCATED);
	REFUSED(((const uint8_t[]){ 0x87, 0x00 }), 2, true, -EU_E_TRUNCATED);
#undef REFUSED

	/* a MAC-only segment of just the MAC is fine (empty payload) */
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	n = forge(&b, BSP_TAG_MAC, seg + 100, 0, false, seg);
	got = 99;
	ck_assert_int_eq(bsp_unwrap(&b, seg, n, false, out, 0, &got), 0);
	ck_assert_uint_eq(got, 0);
	free_block(&bl);
}
END_TEST

/* The caller's buffer too small is the caller's problem: nothing consumed,
 * the context still works. */
START_TEST(small_buffer_keeps_context)
{
	struct block bl;
	uint8_t out[SEG_MAX];
	struct bsp b;
	size_t got = 7;

	load_block("bsp-session-keys", &bl);
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	/* 87 18: 16 bytes of ciphertext need 16 bytes of room, even for a
	 * 3-byte plaintext */
	ck_assert_int_eq(bsp_unwrap(&b, bl.s[0].prot, bl.s[0].prot_len, true, out, 15, &got),
			 -EU_E_TOO_LONG);
	ck_assert_uint_eq(got, 7);
	ck_assert(bsp_live(&b));
	ck_assert_uint_eq(b.counter, 1);
	ck_assert_int_eq(bsp_unwrap(&b, bl.s[0].prot, bl.s[0].prot_len, true, out, 16, &got), 0);
	ck_assert_uint_eq(got, 3);
	/* same on the wrapping side */
	ck_assert_int_eq(bsp_wrap(&b, 0x88, bl.s[1].plain, bl.s[1].plain_len, false, out,
				  bl.s[1].prot_len - 1, &got), -EU_E_TOO_LONG);
	ck_assert(bsp_live(&b));
	free_block(&bl);
}
END_TEST

START_TEST(dead_context_refuses_everything)
{
	struct block bl;
	uint8_t out[SEG_MAX], bad[SEG_MAX];
	struct bsp b;
	size_t got;

	load_block("bsp-session-keys", &bl);
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	memcpy(bad, bl.s[0].prot, bl.s[0].prot_len);
	bad[5] ^= 0x04;
	ck_assert_int_eq(bsp_unwrap(&b, bad, bl.s[0].prot_len, true, out, sizeof(out), &got),
			 -EU_E_CRYPTO);
	/* keys wiped, not just a flag */
	ck_assert_mem_eq(b.s_enc, (uint8_t[16]){ 0 }, 16);
	ck_assert_mem_eq(b.s_mac, (uint8_t[16]){ 0 }, 16);
	ck_assert_int_eq(bsp_replace_keys(&b, bl.enc, bl.mac, bl.mcv), -EU_E_STATE);
	ck_assert_int_eq(bsp_wrap(&b, 0x87, bl.s[0].plain, bl.s[0].plain_len, true, out,
				  sizeof(out), &got), -EU_E_STATE);
	ck_assert_int_eq(bsp_unwrap(&b, bl.s[0].prot, bl.s[0].prot_len, true, out, sizeof(out),
				    &got), -EU_E_STATE);
	ck_assert(!bsp_live(&b));
	/* wrapping refuses a tag that does not match the mode */
	bsp_init(&b, bl.enc, bl.mac, bl.mcv);
	ck_assert_int_eq(bsp_wrap(&b, 0x88, bl.s[0].plain, 3, true, out, sizeof(out), &got),
			 -EU_E_PARAM);
	ck_assert_int_eq(bsp_wrap(&b, 0x87, bl.s[0].plain, 3, false, out, sizeof(out), &got),
			 -EU_E_PARAM);
	ck_assert(bsp_live(&b));
	free_block(&bl);
}
END_TEST

/* Our SM-DP+ side and card side agree for every plaintext length around
 * the block size and the one/two-byte length forms, and segments cannot be
 * reordered. */
START_TEST(wrap_unwrap_round_trip)
{
	static uint8_t plain[1100], seg[SEG_MAX], out[SEG_MAX];
	static uint8_t segs[3][SEG_MAX];
	size_t seglen[3];
	struct bsp smdp, card;
	size_t n, got, body;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + 1);
	bsp_init(&smdp, (const uint8_t[16]){ 9 }, (const uint8_t[16]){ 8 }, (const uint8_t[16]){ 7 });
	bsp_init(&card, (const uint8_t[16]){ 9 }, (const uint8_t[16]){ 8 }, (const uint8_t[16]){ 7 });
	for (size_t len = 0; len <= 300; len += (len < 70 ? 1 : 23)) {
		bool enc = (len % 3) != 0;
		uint8_t tag = enc ? (len & 1 ? BSP_TAG_PPP : BSP_TAG_ENC) : BSP_TAG_MAC;

		ck_assert_int_eq(bsp_wrap(&smdp, tag, plain, len, enc, seg, sizeof(seg), &n), 0);
		body = enc ? (len / 16 + 1) * 16 : len;	/* '80' always added */
		ck_assert_uint_eq(n, tlv_put_header(NULL, 0, tag, body + BSP_MAC_LEN) + body + BSP_MAC_LEN);
		ck_assert_int_eq(bsp_unwrap(&card, seg, n, enc, out, sizeof(out), &got), 0);
		ck_assert_uint_eq(got, len);
		ck_assert_mem_eq(out, plain, len);
	}
	ck_assert_mem_eq(card.mcv, smdp.mcv, 16);
	ck_assert_uint_eq(card.counter, smdp.counter);

	/* three 86 segments; the second one first is refused */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(bsp_wrap(&smdp, BSP_TAG_PPP, plain + 300 * i, 1000 - 300 * i, true,
					  segs[i], SEG_MAX, &seglen[i]), 0);
	ck_assert_int_eq(bsp_unwrap(&card, segs[1], seglen[1], true, out, sizeof(out), &got),
			 -EU_E_CRYPTO);
	ck_assert(!bsp_live(&card));
}
END_TEST

/* ---- a whole BoundProfilePackage ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

/* The segments of the vector's BPP are wrapped twice: each SEQUENCE OF
 * element [7]/[8]/[6] OCTET STRING carries the complete protected TLV
 * (87 18 ... MAC) as its content, i.e. the ASN.1 encoder added a second
 * tag and length around it. The MAC is over the inner TLV, so that inner
 * TLV is the segment the card gets. */
static void open_sequence(struct bsp *b, const struct tlv *seq, uint32_t seg_tag, bool enc,
			  struct buf *acc, size_t *count)
{
	static uint8_t out[SEG_MAX];
	struct tlv_iter it;
	struct tlv e, inner;
	size_t got;
	int rc;

	tlv_iter_init(&it, seq);
	while ((rc = tlv_iter_next(&it, &e)) == 1) {
		ck_assert_uint_eq(e.tag, seg_tag);
		ck_assert_int_eq(tlv_parse_exact(e.val, e.len, &inner), 0);
		ck_assert_uint_eq(inner.tag, seg_tag);
		ck_assert_int_eq(bsp_unwrap(b, inner.raw, inner.raw_len, enc, out, sizeof(out), &got), 0);
		ck_assert_uint_le(acc->len + got, acc->cap);
		memcpy(acc->p + acc->len, out, got);
		acc->len += got;
		(*count)++;
	}
	ck_assert_int_eq(rc, 0);
}

static void check_plain(const struct buf *b, const char *key)
{
	size_t n;
	uint8_t *x = t_vec_bytes(vec, "bound-profile-package", key, &n);

	ck_assert_uint_eq(b->len, n);
	ck_assert_mem_eq(b->p, x, n);
	free(x);
}

START_TEST(bound_profile_package)
{
	const char *sec = "bound-profile-package";
	uint8_t s_enc[16], s_mac[16], s_mcv[16], p_enc[16], p_mac[16], p_mcv[16];
	struct buf a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
	size_t bpp_len, n87 = 0, n88 = 0, n87b = 0, n86 = 0, npe = 0, pos;
	uint8_t *bpp;
	struct tlv t, c, f;
	struct tlv_iter it, crt_it;
	struct bsp b;
	uint32_t last = 0;
	bool seen_bf23 = false;
	int rc;

	t_vec_fixed(vec, sec, "session.s_enc", s_enc, 16);
	t_vec_fixed(vec, sec, "session.s_mac", s_mac, 16);
	t_vec_fixed(vec, sec, "session.initial_mac_chaining_value", s_mcv, 16);
	t_vec_fixed(vec, sec, "ppk.s_enc", p_enc, 16);
	t_vec_fixed(vec, sec, "ppk.s_mac", p_mac, 16);
	t_vec_fixed(vec, sec, "ppk.initial_mac_chaining_value", p_mcv, 16);
	bpp = t_vec_bytes(vec, sec, "bpp", &bpp_len);
	a0.cap = a1.cap = a2.cap = a3.cap = bpp_len;
	a0.p = malloc(bpp_len);
	a1.p = malloc(bpp_len);
	a2.p = malloc(bpp_len);
	a3.p = malloc(bpp_len);
	ck_assert(a0.p && a1.p && a2.p && a3.p);

	ck_assert_int_eq(tlv_check_der(bpp, bpp_len, 16), 0);
	ck_assert_int_eq(tlv_parse_exact(bpp, bpp_len, &t), 0);
	ck_assert_uint_eq(t.tag, 0xBF36);
	bsp_init(&b, s_enc, s_mac, s_mcv);
	tlv_iter_init(&it, &t);
	while ((rc = tlv_iter_next(&it, &c)) == 1) {
		/* SGP.22 §2.5.4 order: BF23, A0, A1, [A2], A3 */
		switch (c.tag) {
		case 0xBF23:
			ck_assert_uint_eq(last, 0);
			seen_bf23 = true;
			/* controlRefTemplate [6]: keyType 88, keyLen 16, hostId */
			tlv_iter_init(&crt_it, &c);
			while (tlv_iter_next(&crt_it, &f) == 1) {
				struct tlv_iter in;
				struct tlv g;

				if (f.tag != 0xA6)
					continue;
				tlv_iter_init(&in, &f);
				ck_assert_int_eq(tlv_iter_next(&in, &g), 1);
				ck_assert(g.tag == 0x80 && g.len == 1 && g.val[0] == 0x88);
				ck_assert_int_eq(tlv_iter_next(&in, &g), 1);
				ck_assert(g.tag == 0x81 && g.len == 1 && g.val[0] == 0x10);
				ck_assert_int_eq(tlv_iter_next(&in, &g), 1);
				ck_assert(g.tag == 0x84 && g.len >= 1 && g.len <= 16);
			}
			break;
		case 0xA0:
			ck_assert(seen_bf23 && last == 0xBF23);
			open_sequence(&b, &c, BSP_TAG_ENC, true, &a0, &n87);
			break;
		case 0xA1:
			ck_assert_uint_eq(last, 0xA0);
			open_sequence(&b, &c, BSP_TAG_MAC, false, &a1, &n88);
			break;
		case 0xA2:
			ck_assert_uint_eq(last, 0xA1);
			open_sequence(&b, &c, BSP_TAG_ENC, true, &a2, &n87b);
			break;
		case 0xA3:
			ck_assert(last == 0xA1 || last == 0xA2);
			if (last == 0xA2) {
				uint8_t m[16], e[16], k[16];

				parse_rsk(a2.p, a2.len, m, e, k);
				ck_assert_mem_eq(m, p_mcv, 16);
				ck_assert_mem_eq(e, p_enc, 16);
				ck_assert_mem_eq(k, p_mac, 16);
			}
			/* This BPP has no A2: the vector gives the PPKs that its
			 * ReplaceSessionKeys would have carried. Same hand-over. */
			ck_assert_int_eq(bsp_replace_keys(&b, p_enc, p_mac, p_mcv), 0);
			open_sequence(&b, &c, BSP_TAG_PPP, true, &a3, &n86);
			break;
		default:
			ck_abort_msg("unexpected BPP element %x", c.tag);
		}
		last = c.tag;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(last, 0xA3);
	ck_assert_uint_eq(n87, 1);
	ck_assert_uint_eq(n88, 1);
	ck_assert_uint_eq(n86, 13);
	ck_assert(bsp_live(&b));

	check_plain(&a0, "plain.configure_isdp");
	check_plain(&a1, "plain.store_metadata");
	check_plain(&a3, "plain.profile_elements");
	/* The plaintexts are what ES8+ promises: ConfigureISDPRequest,
	 * StoreMetadataRequest, then profile elements back to back across the
	 * segment boundaries. */
	ck_assert_int_eq(tlv_check_der(a0.p, a0.len, 8), 0);
	ck_assert_uint_eq(a0.p[0], 0xBF);
	ck_assert_uint_eq(a0.p[1], 0x24);
	ck_assert_int_eq(tlv_check_der(a1.p, a1.len, 8), 0);
	ck_assert_uint_eq(a1.p[0], 0xBF);
	ck_assert_uint_eq(a1.p[1], 0x25);
	pos = 0;
	while (pos < a3.len) {
		ck_assert_int_eq(tlv_parse(a3.p + pos, a3.len - pos, &f), 0);
		if (npe++ == 0)
			ck_assert_uint_eq(f.tag, 0xA0);	/* ProfileHeader first */
		pos += f.raw_len;
	}
	ck_assert_uint_eq(pos, a3.len);
	ck_assert_uint_gt(npe, 10);

	bsp_clear(&b);
	free(a0.p);
	free(a1.p);
	free(a2.p);
	free(a3.p);
	free(bpp);
}
END_TEST

/* One bit flipped in the 5th 86 segment of the BPP: that segment and all
 * the later ones fail. */
START_TEST(bound_profile_package_tampered)
{
	const char *sec = "bound-profile-package";
	uint8_t s_enc[16], s_mac[16], s_mcv[16], p_enc[16], p_mac[16], p_mcv[16];
	static uint8_t out[SEG_MAX];
	size_t bpp_len, got, k = 0;
	uint8_t *bpp;
	struct tlv t, c, e, inner;
	struct tlv_iter it, si;
	struct bsp b;

	t_vec_fixed(vec, sec, "session.s_enc", s_enc, 16);
	t_vec_fixed(vec, sec, "session.s_mac", s_mac, 16);
	t_vec_fixed(vec, sec, "session.initial_mac_chaining_value", s_mcv, 16);
	t_vec_fixed(vec, sec, "ppk.s_enc", p_enc, 16);
	t_vec_fixed(vec, sec, "ppk.s_mac", p_mac, 16);
	t_vec_fixed(vec, sec, "ppk.initial_mac_chaining_value", p_mcv, 16);
	bpp = t_vec_bytes(vec, sec, "bpp", &bpp_len);
	ck_assert_int_eq(tlv_parse_exact(bpp, bpp_len, &t), 0);
	/* the PPK context straight away: only the 86 segments matter here */
	bsp_init(&b, p_enc, p_mac, p_mcv);
	tlv_iter_init(&it, &t);
	while (tlv_iter_next(&it, &c) == 1) {
		if (c.tag != 0xA3)
			continue;
		tlv_iter_init(&si, &c);
		while (tlv_iter_next(&si, &e) == 1) {
			ck_assert_int_eq(tlv_parse_exact(e.val, e.len, &inner), 0);
			if (k == 4)
				((uint8_t *)inner.val)[100] ^= 0x40;
			ck_assert_int_eq(bsp_unwrap(&b, inner.raw, inner.raw_len, true, out, sizeof(out),
						    &got),
					 k < 4 ? 0 : k == 4 ? -EU_E_CRYPTO : -EU_E_STATE);
			k++;
		}
	}
	ck_assert_uint_eq(k, 13);
	free(bpp);
}
END_TEST

Suite *bsp_suite(void)
{
	Suite *s = suite_create("bsp");
	TCase *kat = tcase_create("vectors");
	TCase *neg = tcase_create("refusals");
	TCase *bpp = tcase_create("bpp");

	tcase_add_checked_fixture(kat, setup, teardown);
	tcase_add_test(kat, session_keys_unwrap);
	tcase_add_test(kat, session_keys_wrap);
	tcase_add_test(kat, ppk_keys_unwrap);
	tcase_add_test(kat, ppk_keys_wrap);
	tcase_add_test(kat, replace_session_keys_hand_over);
	tcase_add_test(kat, wrap_unwrap_round_trip);
	suite_add_tcase(s, kat);

	tcase_add_checked_fixture(neg, setup, teardown);
	tcase_add_test(neg, session_keys_tampered);
	tcase_add_test(neg, ppk_keys_tampered);
	tcase_add_test(neg, padding_checked_strictly);
	tcase_add_test(neg, partial_blocks_refused);
	tcase_add_test(neg, malformed_segments_refused);
	tcase_add_test(neg, small_buffer_keeps_context);
	tcase_add_test(neg, dead_context_refuses_everything);
	suite_add_tcase(s, neg);

	tcase_add_checked_fixture(bpp, setup, teardown);
	tcase_add_test(bpp, bound_profile_package);
	tcase_add_test(bpp, bound_profile_package_tampered);
	suite_add_tcase(s, bpp);
	return s;
}
