/*
 * Well-formed UTF-8 (RFC 3629 §4).
 */
#include "sim/utf8.h"

size_t sim_utf8_seq(const uint8_t *s, size_t n)
{
	unsigned c, cp, min;
	size_t len;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, cp = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

long sim_utf8_chars(const uint8_t *s, size_t n)
{
	long chars = 0;

	for (size_t i = 0, k; i < n; i += k, chars++)
		if (!(k = sim_utf8_seq(s + i, n - i)))
			return -1;
	return chars;
}
