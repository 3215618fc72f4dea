/* Strict BER-TLV / DER element reader and header writer.
 *
 * Every byte from the card interface passes through here before anything
 * else looks at it. Rules (X.690 §10, DER): definite lengths only, length
 * octets minimal, tag octets minimal, the element fits in what the caller
 * gave, and callers that want exactly one element get EU_E_TRAILING for
 * anything left over. The *_ber variants relax the one rule BER and
 * ISO/IEC 7816-4 leave open (minimal length octets) and say when they
 * did; sim/asn1_ext.c uses them for requests that may come BER-encoded. */
#ifndef SIM_TLV_H
#define SIM_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest element length this implementation accepts (4 length octets). */
#define TLV_MAX_LEN (16u * 1024u * 1024u)

struct tlv {
	uint32_t tag;		/* tag octets as written, e.g. 0xBF22, 0x5A */
	bool constructed;
	const uint8_t *raw;	/* start of the tag octets */
	size_t raw_len;		/* tag + length + value */
	const uint8_t *val;
	size_t len;
};

/* Parse one element at the start of buf[0..len). */
int tlv_parse(const uint8_t *buf, size_t len, struct tlv *out);
/* Parse one element that must use all of buf[0..len). */
int tlv_parse_exact(const uint8_t *buf, size_t len, struct tlv *out);
/* Parse just the header; value may extend beyond len (for streaming).
 * out->len is the announced value length, out->raw_len the header size. */
int tlv_parse_header(const uint8_t *buf, size_t len, struct tlv *out);

/* The same with BER length octets (X.690 §8.1.3.5): a long form where a
 * shorter form fits (81 05, 82 00 05) is accepted and reported through
 * *non_minimal. Indefinite lengths, more than 4 length octets and every
 * tag rule stay refused: those are not valid BER-TLV either. */
int tlv_parse_ber(const uint8_t *buf, size_t len, struct tlv *out, bool *non_minimal);
int tlv_parse_header_ber(const uint8_t *buf, size_t len, struct tlv *out, bool *non_minimal);

/* Iterate over the elements of a constructed value. */
struct tlv_iter {
	const uint8_t *p;
	size_t left;
};
void tlv_iter_init(struct tlv_iter *it, const struct tlv *parent);
/* Returns 1 with *out set, 0 at the end, or a negative error. */
int tlv_iter_next(struct tlv_iter *it, struct tlv *out);

/* Write tag + length; returns the number of bytes written, or 0 if cap is
 * too small. Pass out == NULL to learn the size. */
size_t tlv_put_header(uint8_t *out, size_t cap, uint32_t tag, size_t len);



/* Walk a whole DER encoding: exactly one element in buf, every nested
 * element of every constructed value inside its parent, nothing left over,
 * at most max_depth levels. */
int tlv_check_der(const uint8_t *buf, size_t len, unsigned max_depth);
#endif
