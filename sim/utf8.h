/*
 * Well-formed UTF-8 (RFC 3629 §4): no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
#ifndef SIM_UTF8_H
#define SIM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the well-formed sequence at s within n bytes, 0 if none. */
size_t sim_utf8_seq(const uint8_t *s, size_t n);

/* The number of characters in n bytes of well-formed UTF-8, or -1.
 * ASN.1 SIZE constraints on a UTF8String count these (X.680 §41.4). */
long sim_utf8_chars(const uint8_t *s, size_t n);

#endif
