#include "sim/tlv.h"
#include "sim/err.h"

#include <string.h>

static int parse_tag(const uint8_t *p, size_t left, uint32_t *tag, size_t *used)
{
	uint32_t t;
	size_t n = 1;

	if (left < 1)
		return -EU_E_TRUNCATED;
	t = p[0];
	if ((p[0] & 0x1F) == 0x1F) {
		/* High tag number form: at most 3 tag octets (tag numbers up to
		 * 16383), first subsequent octet not 0x80, number >= 31. */
		for (;;) {
			if (n >= left)
				return -EU_E_TRUNCATED;
			if (n == 1 && p[n] == 0x80)
				return -EU_E_NOT_DER;
			t = (t << 8) | p[n];
			if (!(p[n++] & 0x80))
				break;
			if (n >= 3)
				return -EU_E_TOO_LONG;
		}
		if (n == 2 && p[1] < 0x1F)
			return -EU_E_NOT_DER;
	}
	*tag = t;
	*used = n;
	return 0;
}

/* Length octets (X.690 §8.1.3): definite form, at most 4 subsequent
 * octets. With lax NULL they must be minimal (DER, §10.1); otherwise a
 * long form that a shorter one could express is accepted (BER, and the
 * '81 00'..'84 ..' forms of ISO/IEC 7816-4 BER-TLV) and *lax is set. */
static int parse_len(const uint8_t *p, size_t left, size_t *len, size_t *used, bool *lax)
{
	size_t n, v = 0;

	if (left < 1)
		return -EU_E_TRUNCATED;
	if (p[0] < 0x80) {
		*len = p[0];
		*used = 1;
		return 0;
	}
	if (p[0] == 0x80)
		return -EU_E_NOT_DER;	/* indefinite length */
	n = p[0] & 0x7F;
	if (n > 4)
		return -EU_E_TOO_LONG;
	if (left < 1 + n)
		return -EU_E_TRUNCATED;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[1 + i];
	if (p[1] == 0 || v < 0x80) {	/* leading zero octet, or long form where short fits */
		if (!lax)
			return -EU_E_NOT_DER;
		*lax = true;
	}
	if (v > TLV_MAX_LEN)
		return -EU_E_TOO_LONG;
	*len = v;
	*used = 1 + n;
	return 0;
}

static int parse_header(const uint8_t *buf, size_t len, struct tlv *out, bool *lax)
{
	size_t tag_used, len_used;

	memset(out, 0, sizeof(*out));
	TRY(parse_tag(buf, len, &out->tag, &tag_used));
	TRY(parse_len(buf + tag_used, len - tag_used, &out->len, &len_used, lax));
	out->constructed = (buf[0] & 0x20) != 0;
	out->raw = buf;
	out->raw_len = tag_used + len_used;
	out->val = buf + out->raw_len;
	return 0;
}

int tlv_parse_header(const uint8_t *buf, size_t len, struct tlv *out)
{
	return parse_header(buf, len, out, NULL);
}

int tlv_parse_header_ber(const uint8_t *buf, size_t len, struct tlv *out, bool *non_minimal)
{
	*non_minimal = false;
	return parse_header(buf, len, out, non_minimal);
}

static int parse_whole(const uint8_t *buf, size_t len, struct tlv *out, bool *lax)
{
	size_t hdr;

	TRY(parse_header(buf, len, out, lax));
	hdr = out->raw_len;
	if (out->len > len - hdr)
		return -EU_E_TRUNCATED;
	out->raw_len = hdr + out->len;
	return 0;
}

int tlv_parse(const uint8_t *buf, size_t len, struct tlv *out)
{
	return parse_whole(buf, len, out, NULL);
}

int tlv_parse_ber(const uint8_t *buf, size_t len, struct tlv *out, bool *non_minimal)
{
	*non_minimal = false;
	return parse_whole(buf, len, out, non_minimal);
}

int tlv_parse_exact(const uint8_t *buf, size_t len, struct tlv *out)
{
	TRY(tlv_parse(buf, len, out));
	if (out->raw_len != len)
		return -EU_E_TRAILING;
	return 0;
}

void tlv_iter_init(struct tlv_iter *it, const struct tlv *parent)
{
	it->p = parent->val;
	it->left = parent->len;
}

int tlv_iter_next(struct tlv_iter *it, struct tlv *out)
{
	if (it->left == 0)
		return 0;
	TRY(tlv_parse(it->p, it->left, out));
	it->p += out->raw_len;
	it->left -= out->raw_len;
	return 1;
}

size_t tlv_put_header(uint8_t *out, size_t cap, uint32_t tag, size_t len)
{
	uint8_t tmp[8];
	size_t n = 0;

	if (tag > 0xFFFF)
		tmp[n++] = (uint8_t)(tag >> 16);
	if (tag > 0xFF)
		tmp[n++] = (uint8_t)(tag >> 8);
	tmp[n++] = (uint8_t)tag;
	if (len < 0x80) {
		tmp[n++] = (uint8_t)len;
	} else if (len <= 0xFF) {
		tmp[n++] = 0x81;
		tmp[n++] = (uint8_t)len;
	} else if (len <= 0xFFFF) {
		tmp[n++] = 0x82;
		tmp[n++] = (uint8_t)(len >> 8);
		tmp[n++] = (uint8_t)len;
	} else {
		tmp[n++] = 0x83;
		tmp[n++] = (uint8_t)(len >> 16);
		tmp[n++] = (uint8_t)(len >> 8);
		tmp[n++] = (uint8_t)len;
	}
	if (out) {
		if (cap < n)
			return 0;
		memcpy(out, tmp, n);
	}
	return n;
}

static int check_value(const struct tlv *t, unsigned depth)
{
	struct tlv_iter it;
	struct tlv child;
	int rc;

	if (!t->constructed)
		return 0;
	if (depth == 0)
		return -EU_E_TOO_DEEP;
	tlv_iter_init(&it, t);
	while ((rc = tlv_iter_next(&it, &child)) > 0)
		TRY(check_value(&child, depth - 1));
	return rc;
}

int tlv_check_der(const uint8_t *buf, size_t len, unsigned max_depth)
{
	struct tlv t;

	TRY(tlv_parse_exact(buf, len, &t));
	return check_value(&t, max_depth);
}
