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

/* The compiled table is libtasn1's on-disk tree format: arrays made by an
 * older asn1Parser load in newer libtasn1, so the meaning of the bits of
 * asn1_static_node.type is stable. The node type is the low byte
 * (ASN1_ETYPE_*, public in libtasn1.h); the flags below are not public and
 * are restated here from libtasn1's lib/int.h (CONST_*; the same values
 * since libtasn1 2.x). Only the ones sim/ reads are listed. */
#define SIM_ASN1_CONST_UNIVERSAL   (1u << 8)
#define SIM_ASN1_CONST_PRIVATE     (1u << 9)
#define SIM_ASN1_CONST_APPLICATION (1u << 10)
#define SIM_ASN1_CONST_EXPLICIT    (1u << 11)
#define SIM_ASN1_CONST_IMPLICIT    (1u << 12)
#define SIM_ASN1_CONST_TAG         (1u << 13)	/* the node has TAG children */
#define SIM_ASN1_CONST_OPTION      (1u << 14)
#define SIM_ASN1_CONST_DEFAULT     (1u << 15)
#define SIM_ASN1_CONST_UTC         (1u << 24)	/* old ASN1_ETYPE_TIME (17) */
#define SIM_ASN1_CONST_DOWN        (1u << 29)	/* the next entry is the first child */
#define SIM_ASN1_CONST_RIGHT       (1u << 30)	/* a right sibling follows the subtree */
#define SIM_ASN1_ETYPE_TIME        17		/* old UTC/GeneralizedTime, see CONST_UTC */

/* A registered module's table, with the right sibling of every node (-1:
 * none); node 0 is the module (ASN1_ETYPE_DEFINITIONS), its children the
 * type assignments. */
struct sim_asn1_schema {
	const asn1_static_node *tab;
	const int32_t *right;
	size_t n_nodes;
};
/* The schema and node of "Module.Type". */
int sim_asn1_schema(const char *type, struct sim_asn1_schema *s, size_t *type_node);
/* The node of a type of the same module, by its plain name. */
int sim_asn1_schema_type(const struct sim_asn1_schema *s, const char *name, size_t *node);

/* Create an empty element of the named type. */
int sim_asn1_new(const char *type, asn1_node *out);

/* Decode exactly one strict-DER value of the named type from buf. */
int sim_asn1_decode(const char *type, const uint8_t *der, size_t len, asn1_node *out);
/* The libtasn1 half of it, for input whose TLV structure the caller has
 * already walked (sim/asn1_ext.c): STRICT_DER, and all of der used. */
int sim_asn1_decode_checked(const char *type, const uint8_t *der, size_t len, asn1_node *out);

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
