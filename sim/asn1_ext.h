/* Decoding input of an extensible ASN.1 module (X.680 §52, EXTENSIBILITY
 * IMPLIED), which libtasn1 cannot do itself: the TLVs are first walked
 * against the compiled schema of the named type, and a copy without what
 * the schema does not know is what libtasn1 decodes. The received bytes
 * stay available, element by element, for signatures and echoes.
 *
 * The walk (docs/design.md, "Extensibility"):
 *  - a SEQUENCE (or SET) element whose tag is that of no component left
 *    is unknown: skipped and reported, at every nesting level; known
 *    components must still come in order, once, and every mandatory one
 *    must be there;
 *  - "SEQUENCE OF NULL" is how our translations write an empty SEQUENCE
 *    (libtasn1 cannot): every element in it is unknown;
 *  - an element of a CHOICE must be one of its alternatives, an element
 *    of a SEQUENCE OF one of its element type, a primitive type must be
 *    primitive: anything else is an error, not an extension;
 *  - BER length octets that are longer than needed are accepted and
 *    reported; the copy has minimal ones. Indefinite lengths, truncated
 *    or overrunning elements, bad tag octets, excess depth and trailing
 *    bytes are errors (sim/tlv.h);
 *  - ANY is opaque: its TLV structure is checked, its value copied as is.
 * Every skipped element and non-minimal length is a deviation (struct
 * sim_asn1_dev). sim/ knows no application: the caller names the
 * function in its trace and decides what deviations mean. */
#ifndef SIM_ASN1_EXT_H
#define SIM_ASN1_EXT_H

#include "sim/asn1.h"

#include <stddef.h>
#include <stdint.h>

/* Flags of sim_asn1_decode_ext. */
#define SIM_ASN1_EXT_STRICT 1u	/* any deviation refuses the input: -EU_E_STRICT */

#define SIM_ASN1_PATH_MAX 128
#define SIM_ASN1_EXT_MAX_DEVS 16	/* deviations kept in detail (all are counted) */

enum sim_asn1_dev_kind {
	SIM_ASN1_DEV_UNKNOWN,	/* an element the schema does not define there, skipped */
	SIM_ASN1_DEV_LENGTH,	/* length octets longer than needed (BER, not DER) */
};

struct sim_asn1_dev {
	enum sim_asn1_dev_kind kind;
	uint32_t tag;		/* the element's tag octets, e.g. 0x9F7F */
	const char *in;		/* the type it was found in, e.g. "DeviceCapabilities" */
	char path[SIM_ASN1_PATH_MAX];	/* libtasn1 name of that enclosing element ("" at the top) */
	size_t offset;		/* of the element in the received bytes */
};

struct sim_asn1_elem;		/* one entry of the span map (private) */

struct sim_asn1_ext {
	const uint8_t *orig;	/* the bytes as received (not owned) */
	size_t orig_len;
	const uint8_t *der;	/* what libtasn1 decoded: orig, or copy */
	size_t len;
	uint8_t *copy;		/* the normalised copy; NULL when orig needed no change */
	struct sim_asn1_elem *map;	/* copy offsets -> received spans (with copy) */
	size_t n_map;
	struct sim_asn1_dev dev[SIM_ASN1_EXT_MAX_DEVS];
	size_t n_dev;		/* kept in dev[] */
	size_t total_dev;	/* found */
};

/* Walk der as one value of `type` ("Module.Type"), then decode what the
 * schema knows into *out. x is always filled (the deviations also on
 * failure, for the trace) and must be released with sim_asn1_ext_free().
 * Errors: those of sim/tlv.h, -EU_E_ASN1 (not of this type),
 * -EU_E_UNKNOWN_ALT, -EU_E_MISSING, -EU_E_ORDER, -EU_E_TOO_DEEP, and
 * -EU_E_STRICT with SIM_ASN1_EXT_STRICT when x->total_dev > 0. */
int sim_asn1_decode_ext(const char *type, const uint8_t *der, size_t len, unsigned flags, asn1_node *out,
			struct sim_asn1_ext *x);

/* Forget the copy and the map (secrets in the copy are wiped). */
void sim_asn1_ext_free(struct sim_asn1_ext *x);

/* The received bytes of element `name` (a libtasn1 name) of node, which
 * sim_asn1_decode_ext() decoded: what signatures are checked over and
 * what is echoed. */
int sim_asn1_ext_span(const struct sim_asn1_ext *x, asn1_node node, const char *name, const uint8_t **start,
		      size_t *len);

/* "unknown element 9F7F in DeviceCapabilities", "non-minimal length of
 * element 5C in GetEuiccDataRequest"; returns what snprintf returns. */
int sim_asn1_dev_describe(const struct sim_asn1_dev *d, char *buf, size_t cap);

#endif
