/* libtasn1 glue: a registry of compiled modules and strict decode /
 * canonical encode helpers. Modules are registered by the code that owns
 * them (isdr/rsp.asn, profiles/pe.asn, the state sections); type names
 * carry the module, e.g. "RSPDefinitions.EUICCInfo2". */
#ifndef SIM_ASN1_H
#define SIM_ASN1_H

/* libtasn1 would otherwise #define ASN1_TYPE, which clashes with OpenSSL. */
#define ASN1_DISABLE_DEPRECATED 1
#include <libtasn1.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_ASN1_MAX_DEPTH 16

/* Register a module compiled by asn1Parser (the table it generates) under
 * its module name. Registering the same table again is a no-op. */
int sim_asn1_add_module(const char *name, const asn1_static_node *tab);

/* Create an empty element of the named type. */
int sim_asn1_new(const char *type, asn1_node *out);

/* Decode exactly one strict-DER value of the named type from buf. */
int sim_asn1_decode(const char *type, const uint8_t *der, size_t len, asn1_node *out);

/* DER-encode node into a new buffer (caller frees). */
int sim_asn1_encode(asn1_node node, uint8_t **out, size_t *len);

/* Read helpers; return -EU_E_NOT_FOUND when an OPTIONAL is absent. */
int sim_asn1_read(asn1_node node, const char *name, uint8_t *buf, size_t cap, size_t *len);
int sim_asn1_read_uint(asn1_node node, const char *name, unsigned long *v);
/* A named BIT STRING as a mask (bit n = named bit n, up to 32);
 * -EU_E_NOT_FOUND if absent, -EU_E_ASN1 if its content is not valid. */
int sim_asn1_read_bits(asn1_node node, const char *name, uint32_t *bits);
/* A BOOLEAN (libtasn1 reads it as the string "TRUE" or "FALSE"). */
int sim_asn1_read_bool(asn1_node node, const char *name, bool *v);

/* Read a value of any size into a new buffer (caller frees). */
int sim_asn1_read_alloc(asn1_node node, const char *name, uint8_t **out, size_t *len);

/* The bytes of element `name` inside der, the encoding node was decoded
 * from: for checking signatures over what was received. */
int sim_asn1_span(asn1_node node, const uint8_t *der, size_t len, const char *name,
		  const uint8_t **start, size_t *span_len);

/* Set element `name` of node from its DER encoding (tag included). */
int sim_asn1_set_der(asn1_node node, const char *name, const uint8_t *der, size_t len);

/* Write helpers that turn libtasn1's codes into EU_E_ASN1. */
int sim_asn1_write(asn1_node node, const char *name, const void *value, size_t len);
int sim_asn1_write_uint(asn1_node node, const char *name, unsigned long v);
/* A named BIT STRING in DER: trailing zero bits are dropped (X.690 §11.2.2). */
int sim_asn1_write_bits(asn1_node node, const char *name, uint32_t bits);

#endif
