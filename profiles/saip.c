/* Profile package stream: element framing, strict decoding, the ordering
 * rules, and the PEs that are not file systems. A package (TCA eUICC
 * Profile Package: Interoperable Format v2.3.1) is a sequence of PEs, the
 * ProfileHeader first and PE-End last; rules taken from the comments of the
 * ASN.1 module say so where they are applied. */
#include "profiles/saip.h"
#include "profiles/saip_priv.h"
#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TAG_HEADER	0xA0	/* ProfileElement [0] header */
#define MAX_PE_TAG	33	/* [33] opt-iot, the last alternative in pe.asn */
#define HDR_MAX		8	/* tag (3) + length (5) octets, sim/tlv.c limits */

enum { ST_START = 1, ST_BODY, ST_END };

typedef int pe_fn(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id);

static pe_fn pe_header, pe_files, pe_gfm, pe_pin, pe_puk, pe_aka, pe_count,
	pe_sd, pe_app, pe_rfm, pe_end;

/* Every ProfileElement alternative, in tag order [0]..[33]: its type, its
 * PEHeader component and handler. No handler: not modelled, left out
 * unless the PE says it is mandated. */
static const struct pe_kind {
	const char *name;
	const char *type;	/* the alternative's type, decoded on its own */
	const char *hdr;
	pe_fn *fn;
} pe_kinds[MAX_PE_TAG + 1] = {
	{ "header",                "PEDefinitions.ProfileHeader",            NULL,                 pe_header },
	{ "genericFileManagement", "PEDefinitions.PE-GenericFileManagement", "gfm-header",         pe_gfm },
	{ "pinCodes",              "PEDefinitions.PE-PINCodes",              "pin-Header",         pe_pin },
	{ "pukCodes",              "PEDefinitions.PE-PUKCodes",              "puk-Header",         pe_puk },
	{ "akaParameter",          "PEDefinitions.PE-AKAParameter",          "aka-header",         pe_aka },
	{ "cdmaParameter",         "PEDefinitions.PE-CDMAParameter",         "cdma-header",        pe_count },
	{ "securityDomain",        "PEDefinitions.PE-SecurityDomain",        "sd-Header",          pe_sd },
	{ "rfm",                   "PEDefinitions.PE-RFM",                   "rfm-header",         pe_rfm },
	{ "application",           "PEDefinitions.PE-Application",           "app-Header",         pe_app },
	{ "nonStandard",           "PEDefinitions.PE-NonStandard",           "nonStandard-header", pe_count },
	{ "end",                   "PEDefinitions.PE-End",                   "end-header",         pe_end },
	{ "rfu1",                  "PEDefinitions.PE-Dummy",                 NULL,                 NULL },
	{ "rfu2",                  "PEDefinitions.PE-Dummy",                 NULL,                 NULL },
	{ "rfu3",                  "PEDefinitions.PE-Dummy",                 NULL,                 NULL },
	{ "rfu4",                  "PEDefinitions.PE-Dummy",                 NULL,                 NULL },
	{ "rfu5",                  "PEDefinitions.PE-Dummy",                 NULL,                 NULL },
	{ "mf",                    "PEDefinitions.PE-MF",                    "mf-header",          pe_files },
	{ "cd",                    "PEDefinitions.PE-CD",                    "cd-header",          pe_files },
	{ "telecom",               "PEDefinitions.PE-TELECOM",               "telecom-header",     pe_files },
	{ "usim",                  "PEDefinitions.PE-USIM",                  "usim-header",        pe_files },
	{ "opt-usim",              "PEDefinitions.PE-OPT-USIM",              "optusim-header",     pe_files },
	{ "isim",                  "PEDefinitions.PE-ISIM",                  "isim-header",        pe_files },
	{ "opt-isim",              "PEDefinitions.PE-OPT-ISIM",              "optisim-header",     pe_files },
	{ "phonebook",             "PEDefinitions.PE-PHONEBOOK",             "phonebook-header",   pe_files },
	{ "gsm-access",            "PEDefinitions.PE-GSM-ACCESS",            "gsm-access-header",  pe_files },
	{ "csim",                  "PEDefinitions.PE-CSIM",                  "csim-header",        pe_files },
	{ "opt-csim",              "PEDefinitions.PE-OPT-CSIM",              "optcsim-header",     pe_files },
	{ "eap",                   "PEDefinitions.PE-EAP",                   "eap-header",         pe_files },
	{ "df-5gs",                "PEDefinitions.PE-DF-5GS",                "df-5gs-header",      pe_files },
	{ "df-saip",               "PEDefinitions.PE-DF-SAIP",               "df-saip-header",     pe_files },
	{ "df-snpn",               "PEDefinitions.PE-DF-SNPN",               "df-snpn-header",     pe_files },
	{ "df-5gprose",            "PEDefinitions.PE-DF-5GPROSE",            "df-5g-prose-header", pe_files },
	{ "iot",                   "PEDefinitions.PE-IoT",                   "iot-header",         NULL },
	{ "opt-iot",               "PEDefinitions.PE-OPT-IoT",               "optiot-header",      NULL },
};

/* ServicesList components, in tag order [0]..[29]. */
static const char *const services[SAIP_N_SERVICES] = {
	"contactless", "usim", "isim", "csim", "milenage", "tuak128", "cave",
	"gba-usim", "gba-isim", "mbms", "eap", "javacard", "multos",
	"multiple-usim", "multiple-isim", "multiple-csim", "tuak256",
	"usim-test-algorithm", "ber-tlv", "dfLink", "cat-tp", "get-identity",
	"profile-a-x25519", "profile-b-p256", "suciCalculatorApi",
	"dns-resolution", "scp11ac", "scp11c-authorization-mechanism",
	"s16mode", "eaka",
};

const char *saip_service_name(unsigned bit)
{
	return bit < SAIP_N_SERVICES ? services[bit] : "?";
}

const char *saip_algorithm_name(unsigned id)
{
	static const char *const names[] = { "?", "milenage", "tuak", "usim-test-algorithm" };

	return id < ARRAY_SIZE(names) ? names[id] : "?";
}

const char *saip_ftype_name(enum sim_ftype t)
{
	static const char *const names[] = { "?", "MF", "DF", "ADF", "TR", "LF", "CY", "BT" };

	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}

/* DEFAULT values of the source module that pe.asn turned into OPTIONAL
 * (docs/pe-asn1-translation.md, deviation 4): applied here when absent. */
static const uint8_t rotation_default[5] = { 0x40, 0x00, 0x20, 0x40, 0x60 };
static const uint8_t sqn_delta_default[6] = { 0x00, 0x00, 0x10, 0x00, 0x00, 0x00 };
#define SQN_OPTIONS_DEFAULT	0x02
#define LIFECYCLE_DEFAULT	0x07
#define KEY_ACCESS_DEFAULT	0x00

static void xoring_default(uint8_t x[80])
{
	static const uint8_t c[5] = { 0, 1, 2, 4, 8 };	/* c1..c5 */

	memset(x, 0, 80);
	for (size_t i = 0; i < 5; i++)
		x[16 * i + 15] = c[i];
}

/* ---- reading helpers ---------------------------------------------------- */

static const char *nm(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static const char *nm(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return buf;
}

/* An OCTET STRING of exactly want bytes (want 0: 1..cap bytes). */
static int rd_fixed(asn1_node n, const char *name, uint8_t *buf, size_t cap, size_t want, size_t *len)
{
	size_t l = 0;
	int rc = sim_asn1_read(n, name, buf, cap, &l);

	if (rc == -EU_E_TOO_LONG)
		return -EU_E_PE_VALUE;
	TRY(rc);
	if (want ? l != want : l == 0)
		return -EU_E_PE_VALUE;
	if (len)
		*len = l;
	return 0;
}

/* An INTEGER in 0..max; -EU_E_NOT_FOUND when absent. libtasn1 keeps the
 * contents octets as received, so redundant leading octets get here. */
static int rd_uint(asn1_node n, const char *name, unsigned long max, unsigned long *v)
{
	uint8_t b[8];
	size_t len;
	int rc = sim_asn1_read(n, name, b, sizeof(b), &len);

	if (rc == -EU_E_TOO_LONG)
		return -EU_E_PE_VALUE;
	TRY(rc);
	if (len == 0)
		return -EU_E_ASN1;
	if (len > 1 && ((b[0] == 0x00 && !(b[1] & 0x80)) || (b[0] == 0xFF && (b[1] & 0x80))))
		return -EU_E_NOT_DER;	/* X.690 §8.3.2: minimal contents octets */
	if (b[0] & 0x80)
		return -EU_E_PE_VALUE;	/* negative */
	*v = 0;
	for (size_t i = 0; i < len; i++) {
		if (*v > max)
			return -EU_E_PE_VALUE;
		*v = (*v << 8) | b[i];
	}
	return *v > max ? -EU_E_PE_VALUE : 0;
}

/* An INTEGER with a DEFAULT (kept as such in pe.asn): libtasn1 returns the
 * default when it is absent, and re-encodes it when it was written out, so
 * the canonical check cannot see the DEFAULT written out; this does. */
static int rd_uint_default(asn1_node n, const char *name, unsigned long max,
			   unsigned long dflt, unsigned long *v)
{
	asn1_node x = asn1_find_node(n, name);
	asn1_data_node_st d;

	TRY(rd_uint(n, name, max, v));
	memset(&d, 0, sizeof(d));
	if (x && asn1_read_node_value(x, &d) == ASN1_SUCCESS && d.value && *v == dflt)
		return -EU_E_NOT_DER;	/* X.690 §11.5 */
	return 0;
}

static int rd_aid(asn1_node n, const char *name, struct sim_aid *aid)
{
	size_t l;
	int rc = sim_asn1_read(n, name, aid->b, sizeof(aid->b), &l);

	if (rc == -EU_E_TOO_LONG)
		return -EU_E_PE_VALUE;
	TRY(rc);
	if (l < 5)	/* ApplicationIdentifier SIZE (5..16) */
		return -EU_E_PE_VALUE;
	aid->len = (uint8_t)l;
	return 0;
}

static bool present(asn1_node n, const char *name)
{
	char v[8];
	int len = sizeof(v);
	int rc = asn1_read_value(n, name, v, &len);

	return rc != ASN1_ELEMENT_NOT_FOUND && rc != ASN1_VALUE_NOT_FOUND;
}

static int count(asn1_node n, const char *name, size_t *c)
{
	int k = 0;
	int rc = asn1_number_of_elements(n, name, &k);

	*c = 0;
	if (rc == ASN1_ELEMENT_NOT_FOUND)
		return -EU_E_NOT_FOUND;
	if (rc != ASN1_SUCCESS || k < 0)
		return -EU_E_ASN1;
	*c = (size_t)k;
	return 0;
}

#define GROW(arr, n) do { \
		void *g_ = saip_grow((arr), (n), sizeof(*(arr))); \
		if (!g_) \
			return -EU_E_NOMEM; \
		(arr) = g_; \
	} while (0)

/* ---- PE handlers -------------------------------------------------------- */

static bool valid_iccid(const uint8_t iccid[10])
{
	bool pad = false;
	unsigned digits = 0;

	/* BCD in natural order, F-padded at the end */
	for (unsigned i = 0; i < 20; i++) {
		unsigned d = (iccid[i / 2] >> (i & 1 ? 0 : 4)) & 0xF;

		if (d == 0xF)
			pad = true;
		else if (pad || d > 9)
			return false;
		else
			digits++;
	}
	return digits >= 18;	/* ITU-T E.118: 18 or more with the check digit */
}

static int pe_header(struct saip_stream *s, asn1_node n, const char *name,
		     const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	unsigned long v;
	size_t len;
	int rc;

	(void)name; (void)el; (void)id;
	TRY(rd_uint(n, "major-version", 255, &v));
	p->major_version = (unsigned)v;
	TRY(rd_uint(n, "minor-version", 255, &v));
	p->minor_version = (unsigned)v;
	rc = sim_asn1_read(n, "profileType", (uint8_t *)p->profile_type,
			   sizeof(p->profile_type) - 1, &len);
	if (rc == -EU_E_NOT_FOUND)
		len = 0;
	else if (rc == -EU_E_TOO_LONG)
		return -EU_E_PE_VALUE;
	else
		TRY(rc);
	p->profile_type[len] = 0;
	TRY(rd_fixed(n, "iccid", p->iccid, sizeof(p->iccid), sizeof(p->iccid), NULL));
	if (!valid_iccid(p->iccid))
		return -EU_E_PE_VALUE;
	for (unsigned i = 0; i < SAIP_N_SERVICES; i++) {
		char nb[96];

		if (present(n, nm(nb, sizeof(nb), "eUICC-Mandatory-services.%s", services[i])))
			p->mandatory_services |= 1u << i;
	}
	TRY(count(n, "eUICC-Mandatory-GFSTEList", &p->n_gfste));
	rc = count(n, "eUICC-Mandatory-AIDs", &p->n_mandatory_aids);
	return rc == -EU_E_NOT_FOUND ? 0 : rc;
}

static int pe_files(struct saip_stream *s, asn1_node n, const char *name,
		    const struct tlv *el, uint16_t id)
{
	char oid[128];
	int len = sizeof(oid) - 1;

	if (asn1_read_value(n, "templateID", oid, &len) != ASN1_SUCCESS)
		return -EU_E_ASN1;
	oid[len] = 0;
	return saip_fs_template_pe(s, name, oid, el, id);
}

static int pe_gfm(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	(void)n; (void)name;
	return saip_fs_gfm(s, el, id);
}

/* PE-PINCodes: PINs of the DF/ADF the preceding file-system PE
 * created, or a reference to another DF's PINs (filePath). */
static int pe_pin(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	char choice[16], nb[96];
	int len = sizeof(choice);
	size_t c, first = p->n_pins;
	int rc = 0;

	(void)name; (void)el;
	if (asn1_read_value(n, "pinCodes", choice, &len) != ASN1_SUCCESS)
		return -EU_E_ASN1;
	if (!strcmp(choice, "filePath")) {
		p->n_pin_shared++;
		return 0;
	}
	TRY(count(n, "pinCodes.pinconfig", &c));
	if (c < 1 || c > 26)	/* SIZE (1..26), TS 102 221 */
		return -EU_E_PE_VALUE;
	for (size_t i = 1; i <= c; i++) {
		struct saip_pin *pin;
		unsigned long v;

		GROW(p->pins, p->n_pins);
		pin = &p->pins[p->n_pins++];	/* counted now: wiped on any error */
		pin->pe_id = id;
		pin->df = s->base_df;
		TRY(rd_uint(n, nm(nb, sizeof(nb), "pinCodes.pinconfig.?%zu.keyReference", i), 255, &v));
		pin->key_ref = (uint8_t)v;
		TRY(rd_fixed(n, nm(nb, sizeof(nb), "pinCodes.pinconfig.?%zu.pinValue", i),
			     pin->value, sizeof(pin->value), sizeof(pin->value), NULL));
		rc = rd_uint(n, nm(nb, sizeof(nb), "pinCodes.pinconfig.?%zu.unblockingPINReference", i), 255, &v);
		if (rc == -EU_E_NOT_FOUND)
			v = 0;
		else
			TRY(rc);
		pin->puk_ref = (uint8_t)v;
		TRY(rd_uint_default(n, nm(nb, sizeof(nb), "pinCodes.pinconfig.?%zu.pinAttributes", i),
				    255, 7, &v));
		pin->attributes = (uint8_t)v;
		TRY(rd_uint_default(n, nm(nb, sizeof(nb), "pinCodes.pinconfig.?%zu.maxNumOfAttemps-retryNumLeft", i),
				    255, 51, &v));
		pin->max_attempts = (uint8_t)(v >> 4);
		pin->retries_left = (uint8_t)(v & 0xF);
		/* one entry per key reference in a PE (PINConfiguration) */
		for (size_t j = first; j < p->n_pins - 1; j++)
			if (p->pins[j].key_ref == pin->key_ref)
				return -EU_E_PE_VALUE;
	}
	return 0;
}

static int pe_puk(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	char nb[96];
	size_t c;

	(void)name; (void)el;
	TRY(count(n, "pukCodes", &c));
	if (c < 1 || c > 16)
		return -EU_E_PE_VALUE;
	for (size_t i = 1; i <= c; i++) {
		struct saip_puk *puk;
		unsigned long v;

		GROW(p->puks, p->n_puks);
		puk = &p->puks[p->n_puks++];	/* counted now: wiped on any error */
		puk->pe_id = id;
		TRY(rd_uint(n, nm(nb, sizeof(nb), "pukCodes.?%zu.keyReference", i), 255, &v));
		puk->key_ref = (uint8_t)v;
		TRY(rd_fixed(n, nm(nb, sizeof(nb), "pukCodes.?%zu.pukValue", i),
			     puk->value, sizeof(puk->value), sizeof(puk->value), NULL));
		TRY(rd_uint_default(n, nm(nb, sizeof(nb), "pukCodes.?%zu.maxNumOfAttemps-retryNumLeft", i),
				    255, 170, &v));
		puk->max_attempts = (uint8_t)(v >> 4);
		puk->retries_left = (uint8_t)(v & 0xF);
		/* a PUK key reference is defined once (PUKConfiguration) */
		for (size_t j = 0; j < p->n_puks - 1; j++)
			if (p->puks[j].key_ref == puk->key_ref)
				return -EU_E_PE_VALUE;
	}
	return 0;
}

/* An optional OCTET STRING with a DEFAULT: the default when absent, and
 * the default written out is not DER (X.690 §11.5). */
static int rd_default(asn1_node n, const char *name, uint8_t *buf, size_t want, const uint8_t *dflt)
{
	int rc = rd_fixed(n, name, buf, want, want, NULL);

	if (rc == -EU_E_NOT_FOUND) {
		memcpy(buf, dflt, want);
		return 0;
	}
	TRY(rc);
	return memcmp(buf, dflt, want) ? 1 : -EU_E_NOT_DER;
}

static int aka_algo(asn1_node n, struct saip_aka *a)
{
	const char *ap = "algoConfiguration.algoParameter";
	uint8_t dflt[80];
	char nb[96];
	unsigned long v;
	size_t len;
	int rc;

	TRY(rd_uint(n, nm(nb, sizeof(nb), "%s.algorithmID", ap), 255, &v));
	if (v < 1 || v > 3)
		return -EU_E_PE_UNSUPPORTED;
	a->algorithm_id = (unsigned)v;
	TRY(rd_fixed(n, nm(nb, sizeof(nb), "%s.algorithmOptions", ap), &a->algorithm_options, 1, 1, NULL));
	/* 128-bit keys; TUAK also 256-bit (TS 35.231) */
	TRY(rd_fixed(n, nm(nb, sizeof(nb), "%s.key", ap), a->k, sizeof(a->k), 0, &len));
	a->k_len = (uint8_t)len;
	/* may be empty for the test algorithm, which ignores it (pySim
	 * writes it so) */
	rc = sim_asn1_read(n, nm(nb, sizeof(nb), "%s.opc", ap), a->opc, sizeof(a->opc), &len);
	if (rc == -EU_E_TOO_LONG)
		return -EU_E_PE_VALUE;
	TRY(rc);
	a->opc_len = (uint8_t)len;
	/* What the card's algorithms can run (isdp/naa/aka.h): a card that
	 * would answer AUTHENTICATE wrongly must not install the profile. */
	switch (a->algorithm_id) {
	case 1:		/* MILENAGE: 128-bit K and OPc (TS 35.206) */
		if (a->k_len != 16 || a->opc_len != 16)
			return -EU_E_PE_UNSUPPORTED;
		break;
	case 2:		/* TUAK: 128/256-bit K, 256-bit TOPc (TS 35.231) */
		if ((a->k_len != 16 && a->k_len != 32) || a->opc_len != 32)
			return -EU_E_PE_UNSUPPORTED;
		break;
	default:	/* the test algorithm: 128-bit K; opc ignored (TS 34.108 §8.1.2) */
		if (a->k_len != 16)
			return -EU_E_PE_UNSUPPORTED;
		break;
	}
	rc = rd_default(n, nm(nb, sizeof(nb), "%s.rotationConstants", ap), a->rotation,
			sizeof(a->rotation), rotation_default);
	if (rc < 0)
		return rc;
	xoring_default(dflt);
	rc = rd_default(n, nm(nb, sizeof(nb), "%s.xoringConstants", ap), a->xoring, sizeof(a->xoring), dflt);
	OPENSSL_cleanse(dflt, sizeof(dflt));
	if (rc < 0)
		return rc;
	rc = rd_fixed(n, nm(nb, sizeof(nb), "%s.authCounterMax", ap), a->auth_counter_max,
		      sizeof(a->auth_counter_max), sizeof(a->auth_counter_max), NULL);
	if (rc != -EU_E_NOT_FOUND) {
		TRY(rc);
		a->has_auth_counter_max = true;
	}
	TRY(rd_uint_default(n, nm(nb, sizeof(nb), "%s.numberOfKeccak", ap), 255, 1, &v));
	a->number_of_keccak = (uint8_t)v;
	if (a->algorithm_id == 2 && a->number_of_keccak == 0)
		return -EU_E_PE_VALUE;
	/* MILENAGE rotations are bit counts of a 128-bit value (TS 35.206) */
	for (size_t i = 0; a->algorithm_id == 1 && i < sizeof(a->rotation); i++)
		if (a->rotation[i] > 127)
			return -EU_E_PE_VALUE;
	return 0;
}

/* SAIP: sqnDelta, sqnAgeLimit and every sqnInit value at most
 * '07FFFFFFFFFF'H (SEQ of TS 33.102 Annex C, IND excluded). */
static bool seq_ok(const uint8_t v[6])
{
	return v[0] <= 0x07;
}

/* PE-AKAParameter: for the NAA whose ADF came last. */
static int pe_aka(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	static const uint8_t zero[6];
	struct saip_aka *a;
	char choice[24];
	int len = sizeof(choice);
	size_t c;
	int rc, given = 0;

	(void)name; (void)el;
	GROW(p->aka, p->n_aka);
	a = &p->aka[p->n_aka++];
	a->pe_id = id;
	a->adf = s->naa_adf;
	if (asn1_read_value(n, "algoConfiguration", choice, &len) != ASN1_SUCCESS)
		return -EU_E_ASN1;
	if (!strcmp(choice, "mappingParameter")) {
		a->mapped = true;
		TRY(rd_fixed(n, "algoConfiguration.mappingParameter.mappingOptions",
			     &a->mapping_options, 1, 1, NULL));
		TRY(rd_aid(n, "algoConfiguration.mappingParameter.mappingSource",
			   &a->mapping_source));
	} else {
		TRY(aka_algo(n, a));
	}

	rc = rd_default(n, "sqnOptions", &a->sqn_options, 1,
			(const uint8_t[]){ SQN_OPTIONS_DEFAULT });
	TRY(rc);
	given += rc;
	rc = rd_default(n, "sqnDelta", a->sqn_delta, 6, sqn_delta_default);
	TRY(rc);
	given += rc;
	rc = rd_default(n, "sqnAgeLimit", a->sqn_age_limit, 6, sqn_delta_default);
	TRY(rc);
	given += rc;
	rc = count(n, "sqnInit", &c);
	if (rc != -EU_E_NOT_FOUND) {
		bool all_zero = true;
		char nb[64];

		TRY(rc);
		if (c != 32)
			return -EU_E_PE_VALUE;
		for (size_t i = 0; i < 32; i++) {
			TRY(rd_fixed(n, nm(nb, sizeof(nb), "sqnInit.?%zu", i + 1),
				     a->sqn_init[i], 6, 6, NULL));
			all_zero &= !memcmp(a->sqn_init[i], zero, 6);
		}
		if (all_zero)	/* the DEFAULT written out */
			return -EU_E_NOT_DER;
		given++;
	}
	a->sqn_given = given > 0;
	if (!seq_ok(a->sqn_delta) || !seq_ok(a->sqn_age_limit))
		return -EU_E_PE_VALUE;
	for (size_t i = 0; i < 32; i++)
		if (!seq_ok(a->sqn_init[i]))
			return -EU_E_PE_VALUE;
	return 0;
}

static int pe_count(struct saip_stream *s, asn1_node n, const char *name,
		    const struct tlv *el, uint16_t id)
{
	(void)n; (void)el; (void)id;
	if (!strcmp(name, "cdmaParameter"))
		s->p->n_cdma++;
	else
		s->p->n_nonstandard++;
	return 0;
}

/* lifeCycleState of an ApplicationInstance: DEFAULT '07'H. */
static int lifecycle(asn1_node n, const char *name, uint8_t *lcs)
{
	int rc = rd_default(n, name, lcs, 1, (const uint8_t[]){ LIFECYCLE_DEFAULT });

	return rc < 0 ? rc : 0;
}

static int sd_key(asn1_node n, size_t i, struct saip_key *k)
{
	char nb[96];
	uint8_t type;
	size_t len, comps;
	int sz = 0, rc;

	TRY(rd_fixed(n, nm(nb, sizeof(nb), "keyList.?%zu.keyUsageQualifier", i),
		     k->usage, sizeof(k->usage), 0, &len));
	k->usage_len = (uint8_t)len;
	rc = rd_default(n, nm(nb, sizeof(nb), "keyList.?%zu.keyAccess", i), &k->access, 1,
			(const uint8_t[]){ KEY_ACCESS_DEFAULT });
	TRY(rc < 0 ? rc : 0);
	TRY(rd_fixed(n, nm(nb, sizeof(nb), "keyList.?%zu.keyIdentifier", i), &k->kid, 1, 1, NULL));
	TRY(rd_fixed(n, nm(nb, sizeof(nb), "keyList.?%zu.keyVersionNumber", i), &k->kvn, 1, 1, NULL));
	TRY(count(n, nm(nb, sizeof(nb), "keyList.?%zu.keyComponents", i), &comps));
	if (comps < 1)
		return -EU_E_PE_VALUE;
	k->n_components = comps;
	for (size_t j = 1; j <= comps; j++) {
		unsigned long mac;

		TRY(rd_uint_default(n, nm(nb, sizeof(nb), "keyList.?%zu.keyComponents.?%zu.macLength",
					  i, j), 255, 8, &mac));
	}
	TRY(rd_fixed(n, nm(nb, sizeof(nb), "keyList.?%zu.keyComponents.?1.keyType", i),
		     &type, 1, 1, NULL));
	k->type = type;
	nm(nb, sizeof(nb), "keyList.?%zu.keyComponents.?1.keyData", i);
	rc = asn1_read_value(n, nb, NULL, &sz);
	if ((rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS) || sz <= 0)
		return -EU_E_PE_VALUE;
	k->data = malloc((size_t)sz);
	if (!k->data)
		return -EU_E_NOMEM;
	k->data_len = (size_t)sz;
	if (asn1_read_value(n, nb, k->data, &sz) != ASN1_SUCCESS)
		return -EU_E_ASN1;
	return 0;
}

/* PE-SecurityDomain: the instance and its keys. */
static int pe_sd(struct saip_stream *s, asn1_node n, const char *name,
		 const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	struct saip_sd *sd;
	size_t c, len;
	int rc;

	(void)name; (void)el;
	GROW(p->sds, p->n_sds);
	sd = &p->sds[p->n_sds++];
	sd->pe_id = id;
	TRY(rd_aid(n, "instance.instanceAID", &sd->aid));
	TRY(rd_aid(n, "instance.classAID", &sd->class_aid));
	TRY(rd_aid(n, "instance.applicationLoadPackageAID", &sd->package_aid));
	TRY(rd_fixed(n, "instance.applicationPrivileges", sd->privileges,
		     sizeof(sd->privileges), 0, &len));
	sd->privileges_len = (uint8_t)len;
	TRY(lifecycle(n, "instance.lifeCycleState", &sd->lifecycle));
	if (present(n, "catTpParameters")) {
		unsigned long v;	/* read for the INTEGER checks only */

		TRY(rd_uint(n, "catTpParameters.catTpMaxSduSize", 65535, &v));
		TRY(rd_uint(n, "catTpParameters.catTpMaxPduSize", 65535, &v));
	}
	rc = count(n, "keyList", &c);
	if (rc == -EU_E_NOT_FOUND)
		return 0;
	TRY(rc);
	for (size_t i = 1; i <= c; i++) {
		GROW(sd->keys, sd->n_keys);
		sd->n_keys++;
		TRY(sd_key(n, i, &sd->keys[sd->n_keys - 1]));
	}
	return 0;
}

/* PE-Application: load package and instances. */
static int pe_app(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	struct saip_app *app;
	char nb[96];
	size_t c;
	int rc, sz = 0;

	(void)name; (void)el;
	GROW(p->apps, p->n_apps);
	app = &p->apps[p->n_apps++];
	app->pe_id = id;
	rc = rd_aid(n, "loadBlock.loadPackageAID", &app->package_aid);
	if (rc != -EU_E_NOT_FOUND) {
		TRY(rc);
		app->has_load_block = true;
		rc = asn1_read_value(n, "loadBlock.loadBlockObject", NULL, &sz);
		if ((rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS) || sz < 0)
			return -EU_E_ASN1;
		app->load_block_len = (size_t)sz;
	}
	rc = count(n, "instanceList", &c);
	if (rc == -EU_E_NOT_FOUND)
		return 0;
	TRY(rc);
	for (size_t i = 1; i <= c; i++) {
		uint8_t lcs;

		GROW(app->instances, app->n_instances);
		TRY(rd_aid(n, nm(nb, sizeof(nb), "instanceList.?%zu.instanceAID", i),
			   &app->instances[app->n_instances]));
		app->n_instances++;
		TRY(lifecycle(n, nm(nb, sizeof(nb), "instanceList.?%zu.lifeCycleState", i), &lcs));
	}
	return 0;
}

/* PE-RFM: an RFM instance, its TARs and ADF. */
static int pe_rfm(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	struct saip_profile *p = s->p;
	struct saip_rfm *r;
	char nb[64];
	size_t c;
	int rc;

	(void)name; (void)el;
	GROW(p->rfms, p->n_rfms);
	r = &p->rfms[p->n_rfms++];
	r->pe_id = id;
	TRY(rd_aid(n, "instanceAID", &r->aid));
	TRY(rd_fixed(n, "minimumSecurityLevel", &r->min_security_level, 1, 1, NULL));
	rc = rd_aid(n, "adfRFMAccess.adfAID", &r->adf);
	if (rc != -EU_E_NOT_FOUND)
		TRY(rc);
	rc = count(n, "tarList", &c);
	if (rc == -EU_E_NOT_FOUND)
		return 0;
	TRY(rc);
	r->n_tar = c;
	for (size_t i = 0; i < c; i++) {
		uint8_t tar[3];

		TRY(rd_fixed(n, nm(nb, sizeof(nb), "tarList.?%zu", i + 1), tar, 3, 3, NULL));
		if (i < SAIP_MAX_TARS)
			memcpy(r->tar[i], tar, 3);
	}
	return 0;
}

static int pe_end(struct saip_stream *s, asn1_node n, const char *name,
		  const struct tlv *el, uint16_t id)
{
	(void)n; (void)name; (void)el; (void)id;
	s->state = ST_END;
	return 0;
}

/* ---- elements ----------------------------------------------------------- */

/* Checks an element as soon as its TLV header is known, before its value
 * arrives: its size, and whether it may come here at all. */
static int element_start(struct saip_stream *s, const struct tlv *t, size_t *total)
{
	unsigned num;

	if (t->len > SAIP_MAX_ELEMENT || t->raw_len + t->len > SAIP_MAX_ELEMENT)
		return -EU_E_TOO_LONG;
	*total = t->raw_len + t->len;
	/* ProfileElement alternatives are context-specific and constructed */
	if (s->state == ST_END)
		return -EU_E_PE_ORDER;	/* nothing after PE-End */
	if ((s->state == ST_START) != (t->tag == TAG_HEADER))
		return -EU_E_PE_ORDER;	/* the header first, and only there */
	if ((t->raw[0] & 0xE0) != 0xA0)
		return -EU_E_ASN1;
	num = t->tag <= 0xFF ? (t->tag & 0x1F) : t->tag <= 0xFFFF ? (t->tag & 0x7F) : 0xFFFF;
	if (num > MAX_PE_TAG)
		return -EU_E_PE_UNSUPPORTED;	/* a PE of a later version */
	return 0;
}

/* The decoded node must encode back to exactly the bytes received: catches
 * what libtasn1's STRICT_DER lets through, such as a DEFAULT written out. */
static int canonical(asn1_node n, const uint8_t *der, size_t len)
{
	uint8_t *enc = NULL;
	size_t elen = 0;
	int rc = sim_asn1_encode(n, &enc, &elen);

	if (rc == 0 && (elen != len || memcmp(enc, der, len)))
		rc = -EU_E_NOT_DER;
	if (enc) {
		OPENSSL_cleanse(enc, elen);
		free(enc);
	}
	return rc;
}

/* A ProfileElement alternative [n] IMPLICIT T encodes as T with tag [n] in
 * place of SEQUENCE, so each element is decoded as its own type T: building
 * the whole CHOICE (every alternative, hundreds of File members) for each
 * element would cost libtasn1 ten times the decoding itself. */
static int element(struct saip_stream *s, const uint8_t *der, size_t len)
{
	const struct pe_kind *k;
	asn1_node n = NULL;
	struct tlv el;
	uint8_t *seq = NULL;
	size_t tag_len, seq_len = 0;
	uint16_t id = 0;
	int rc;

	TRY(tlv_parse_exact(der, len, &el));
	/* element_start() let through [0]..[33], constructed */
	k = &pe_kinds[el.tag <= 0xFF ? (el.tag & 0x1F) : (el.tag & 0x7F)];
	tag_len = el.tag <= 0xFF ? 1 : 2;
	seq_len = len - tag_len + 1;
	seq = malloc(seq_len);
	if (!seq)
		return -EU_E_NOMEM;
	seq[0] = 0x30;	/* SEQUENCE, then the element's length and value */
	memcpy(seq + 1, der + tag_len, len - tag_len);

	rc = sim_asn1_decode(k->type, seq, seq_len, &n);
	if (rc == -EU_E_TRUNCATED || rc == -EU_E_TRAILING)
		rc = -EU_E_NOT_DER;	/* the element is whole: its inside is bad */
	if (rc < 0)
		goto out;
	if ((rc = canonical(n, seq, seq_len)) < 0)
		goto out;
	if (k->hdr) {
		char nb[64];
		unsigned long v;

		rc = rd_uint(n, nm(nb, sizeof(nb), "%s.identification", k->hdr), 32767, &v);
		if (rc < 0)
			goto out;
		id = (uint16_t)v;
		s->err_pe_id = (long)id;
		/* PEHeader.identification: unique in a package */
		rc = -EU_E_PE_VALUE;
		if (s->ids[id / 8] & (1u << (id % 8)))
			goto out;
		s->ids[id / 8] |= (uint8_t)(1u << (id % 8));
	}
	if (k->fn) {
		rc = k->fn(s, n, k->name, &el, id);
	} else {
		char nb[64];

		rc = -EU_E_PE_UNSUPPORTED;
		if (k->hdr && present(n, nm(nb, sizeof(nb), "%s.mandated", k->hdr)))
			goto out;
		s->p->n_skipped++;
		rc = 0;
	}
	if (rc == 0 && s->state == ST_START)
		s->state = ST_BODY;
	s->p->n_pe++;
out:
	asn1_delete_structure2(&n, ASN1_DELETE_FLAG_ZEROIZE);
	OPENSSL_cleanse(seq, seq_len);
	free(seq);
	return rc;
}

/* ---- the stream --------------------------------------------------------- */

static int fail(struct saip_stream *s, int rc)
{
	s->err = rc;
	s->err_offset = s->elem_off;
	return rc;
}

static void release(struct saip_stream *s)
{
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->cap);
		free(s->buf);
	}
	s->buf = NULL;
	s->have = s->need = s->cap = 0;
	saip_profile_free(s->p);
	s->p = NULL;
	OPENSSL_cleanse(s->ids, sizeof(s->ids));
}

/* Generated by asn1Parser from profiles/pe.asn. */
extern const asn1_static_node pe_asn1_tab[];

int saip_init(void)
{
	return sim_asn1_add_module("PEDefinitions", pe_asn1_tab);
}

int saip_stream_init(struct saip_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->err_pe_id = -1;
	s->state = ST_START;
	TRY(saip_init());
	s->p = calloc(1, sizeof(*s->p));
	return s->p ? 0 : -EU_E_NOMEM;
}

static int reserve(struct saip_stream *s, size_t n)
{
	uint8_t *nb;

	if (n <= s->cap)
		return 0;
	nb = malloc(n);
	if (!nb)
		return -EU_E_NOMEM;
	if (s->have)
		memcpy(nb, s->buf, s->have);
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->cap);
		free(s->buf);
	}
	s->buf = nb;
	s->cap = n;
	return 0;
}

int saip_stream_feed(struct saip_stream *s, const uint8_t *data, size_t len)
{
	struct tlv t;
	size_t total;
	int rc;

	if (s->err)
		return s->err;
	if (!s->p)
		return -EU_E_STATE;
	while (len > 0) {
		if (s->have == 0) {
			/* at an element boundary: decode in place when whole */
			s->elem_off = s->offset;
			s->err_pe_id = -1;
			if (s->state == ST_END)
				return fail(s, -EU_E_PE_ORDER);	/* not even a byte after PE-End */
			rc = tlv_parse_header(data, len, &t);
			if (rc == 0) {
				if ((rc = element_start(s, &t, &total)) < 0)
					return fail(s, rc);
				if (total <= len) {
					if ((rc = element(s, data, total)) < 0)
						return fail(s, rc);
					data += total;
					len -= total;
					s->offset += total;
					continue;
				}
				s->need = total;
			} else if (rc != -EU_E_TRUNCATED) {
				return fail(s, rc);
			}
		}
		/* keep the unfinished element: header octets one at a time,
		 * then as much of the value as there is */
		total = s->need ? s->need - s->have : 1;
		if (total > len)
			total = len;
		if ((rc = reserve(s, s->need ? s->need : HDR_MAX)) < 0)
			return fail(s, rc);
		memcpy(s->buf + s->have, data, total);
		s->have += total;
		s->offset += total;
		data += total;
		len -= total;
		if (!s->need) {
			rc = tlv_parse_header(s->buf, s->have, &t);
			if (rc == -EU_E_TRUNCATED)
				continue;
			if (rc < 0 || (rc = element_start(s, &t, &s->need)) < 0)
				return fail(s, rc);
			if ((rc = reserve(s, s->need)) < 0)
				return fail(s, rc);
		}
		if (s->have == s->need) {
			rc = element(s, s->buf, s->have);
			OPENSSL_cleanse(s->buf, s->have);
			s->have = s->need = 0;
			if (rc < 0)
				return fail(s, rc);
		}
	}
	return 0;
}

/* Every PUK a PIN names must exist (PINConfiguration.unblockingPINReference). */
static int check_puk_refs(struct saip_stream *s)
{
	struct saip_profile *p = s->p;

	for (size_t i = 0; i < p->n_pins; i++) {
		bool found = !p->pins[i].puk_ref;

		for (size_t j = 0; j < p->n_puks && !found; j++)
			found = p->puks[j].key_ref == p->pins[i].puk_ref;
		if (!found) {
			s->err_pe_id = p->pins[i].pe_id;
			return -EU_E_PE_VALUE;
		}
	}
	return 0;
}

/* A mappingParameter names the NAA whose algorithm and key it shares: an
 * ADF of this package with AKA parameters of its own. And the card keeps
 * the state of at most SIM_FS_MAX_PINS PINs. */
static int check_aka_and_pins(struct saip_stream *s)
{
	struct saip_profile *p = s->p;

	for (size_t i = 0; i < p->n_aka; i++) {
		const struct saip_aka *a = &p->aka[i];
		bool found = !a->mapped;

		for (size_t f = 0; f < p->n_files && !found; f++) {
			const struct sim_file *adf = &p->files[f];

			if (adf->type != SIM_FT_ADF || adf->aid.len != a->mapping_source.len ||
			    memcmp(adf->aid.b, a->mapping_source.b, adf->aid.len) || adf->fid == a->adf)
				continue;
			for (size_t j = 0; j < p->n_aka && !found; j++)
				found = !p->aka[j].mapped && p->aka[j].adf == adf->fid;
		}
		if (!found) {
			s->err_pe_id = a->pe_id;
			return -EU_E_PE_VALUE;
		}
	}
	if (p->n_pins > SIM_FS_MAX_PINS) {
		s->err_pe_id = p->pins[SIM_FS_MAX_PINS].pe_id;
		return -EU_E_PE_UNSUPPORTED;
	}
	return 0;
}

int saip_stream_finish(struct saip_stream *s, struct saip_profile **out)
{
	int rc = s->err;

	*out = NULL;
	if (!rc && !s->p)
		rc = -EU_E_STATE;
	if (!rc && (s->have || s->state != ST_END)) {
		/* stops inside an element, or before PE-End */
		rc = -EU_E_TRUNCATED;
		s->err_offset = s->have ? s->elem_off : s->offset;
		s->err_pe_id = -1;
	}
	if (!rc && ((rc = check_puk_refs(s)) < 0 || (rc = check_aka_and_pins(s)) < 0))
		s->err_offset = s->offset;
	if (!rc) {
		s->p->package_len = s->offset;
		*out = s->p;
		s->p = NULL;
	}
	s->err = rc;
	release(s);
	return rc;
}

void saip_stream_abort(struct saip_stream *s)
{
	release(s);
}

int saip_decode(const uint8_t *der, size_t len, struct saip_profile **out)
{
	struct saip_stream s;
	int rc;

	*out = NULL;
	if ((rc = saip_stream_init(&s)) < 0 || (rc = saip_stream_feed(&s, der, len)) < 0) {
		saip_stream_abort(&s);
		return rc;
	}
	return saip_stream_finish(&s, out);
}

/* ---- the model ---------------------------------------------------------- */

void saip_profile_free(struct saip_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_files; i++) {
		if (p->files[i].content)
			OPENSSL_cleanse(p->files[i].content, p->files[i].content_len);
		free(p->files[i].content);
	}
	free(p->files);
	if (p->aka)
		OPENSSL_cleanse(p->aka, p->n_aka * sizeof(*p->aka));
	free(p->aka);
	if (p->pins)
		OPENSSL_cleanse(p->pins, p->n_pins * sizeof(*p->pins));
	free(p->pins);
	if (p->puks)
		OPENSSL_cleanse(p->puks, p->n_puks * sizeof(*p->puks));
	free(p->puks);
	for (size_t i = 0; i < p->n_sds; i++) {
		for (size_t j = 0; j < p->sds[i].n_keys; j++) {
			struct saip_key *k = &p->sds[i].keys[j];

			if (k->data)
				OPENSSL_cleanse(k->data, k->data_len);
			free(k->data);
		}
		free(p->sds[i].keys);
	}
	free(p->sds);
	for (size_t i = 0; i < p->n_apps; i++)
		free(p->apps[i].instances);
	free(p->apps);
	free(p->rfms);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

static void *memdup(const void *src, size_t n, bool *ok)
{
	void *d;

	if (!src)
		return NULL;
	d = malloc(n ? n : 1);
	if (!d)
		*ok = false;
	else
		memcpy(d, src, n);
	return d;
}

struct saip_profile *saip_profile_dup(const struct saip_profile *p)
{
	struct saip_profile *d = malloc(sizeof(*d));
	bool ok = true;

	if (!d)
		return NULL;
	*d = *p;
	d->files = memdup(p->files, p->n_files * sizeof(*p->files), &ok);
	d->aka = memdup(p->aka, p->n_aka * sizeof(*p->aka), &ok);
	d->pins = memdup(p->pins, p->n_pins * sizeof(*p->pins), &ok);
	d->puks = memdup(p->puks, p->n_puks * sizeof(*p->puks), &ok);
	d->sds = memdup(p->sds, p->n_sds * sizeof(*p->sds), &ok);
	d->apps = memdup(p->apps, p->n_apps * sizeof(*p->apps), &ok);
	d->rfms = memdup(p->rfms, p->n_rfms * sizeof(*p->rfms), &ok);
	/* the copies' own pointers: NULL until copied, so that a failure
	 * half-way frees only what is the copy's */
	for (size_t i = 0; d->files && i < p->n_files; i++)
		d->files[i].content = NULL;
	for (size_t i = 0; d->sds && i < p->n_sds; i++)
		d->sds[i].keys = NULL;
	for (size_t i = 0; d->apps && i < p->n_apps; i++)
		d->apps[i].instances = NULL;
	if (!ok) {
		d->n_files = d->files ? d->n_files : 0;
		d->n_sds = d->sds ? d->n_sds : 0;
		d->n_apps = d->apps ? d->n_apps : 0;
		saip_profile_free(d);
		return NULL;
	}
	for (size_t i = 0; i < p->n_files; i++)
		d->files[i].content = memdup(p->files[i].content, p->files[i].content_len, &ok);
	for (size_t i = 0; i < p->n_sds; i++) {
		struct saip_sd *sd = &d->sds[i];

		sd->keys = memdup(p->sds[i].keys, p->sds[i].n_keys * sizeof(*sd->keys), &ok);
		for (size_t j = 0; sd->keys && j < sd->n_keys; j++)
			sd->keys[j].data = NULL;
		if (!sd->keys)
			sd->n_keys = 0;
		for (size_t j = 0; j < sd->n_keys; j++)
			sd->keys[j].data = memdup(p->sds[i].keys[j].data, p->sds[i].keys[j].data_len, &ok);
	}
	for (size_t i = 0; i < p->n_apps; i++)
		d->apps[i].instances = memdup(p->apps[i].instances,
					      p->apps[i].n_instances * sizeof(*p->apps[i].instances), &ok);
	if (!ok) {
		saip_profile_free(d);
		return NULL;
	}
	return d;
}

const struct sim_file *saip_profile_file(const struct saip_profile *p, const uint16_t *path, size_t n)
{
	if (!p || n == 0 || n > SIM_FS_MAX_DEPTH + 1)
		return NULL;
	for (size_t i = 0; i < p->n_files; i++) {
		const struct sim_file *f = &p->files[i];

		if (f->depth == n - 1 && f->fid == path[n - 1] &&
		    !memcmp(f->path, path, (n - 1) * sizeof(path[0])))
			return f;
	}
	return NULL;
}

int saip_profile_iccid(const struct saip_profile *p, char *out, size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < 20; i++) {
		unsigned d = (p->iccid[i / 2] >> (i & 1 ? 0 : 4)) & 0xF;

		if (d > 9)
			break;
		if (n + 1 >= cap)
			return -EU_E_PARAM;
		out[n++] = (char)('0' + d);
	}
	if (cap)
		out[n] = 0;
	return (int)n;
}

/* EF.IMSI, TS 31.102 §4.2.2: length, then digits low nibble first; the
 * first byte's low nibble is the parity/type nibble. */
int saip_profile_imsi(const struct saip_profile *p, char *out, size_t cap)
{
	const struct sim_file *f;
	size_t n = 0, len;

	if (!p->usim_adf)
		return -EU_E_NOT_FOUND;
	f = saip_profile_file(p, SAIP_PATH(SAIP_MF_FID, p->usim_adf, SAIP_FID_IMSI));
	if (!f || f->content_len < 2)
		return -EU_E_NOT_FOUND;
	len = f->content[0];
	if (len < 1 || len > 8 || f->content_len < 1 + len)
		return -EU_E_PE_VALUE;
	for (size_t i = 1; i < 2 * len; i++) {	/* nibble 0 is parity/type */
		unsigned d = (f->content[1 + i / 2] >> (i & 1 ? 4 : 0)) & 0xF;

		if (d == 0xF && i == 2 * len - 1)
			break;	/* even number of digits: filler */
		if (d > 9)
			return -EU_E_PE_VALUE;
		if (n + 1 >= cap)
			return -EU_E_PARAM;
		out[n++] = (char)('0' + d);
	}
	if (cap)
		out[n] = 0;
	return (int)n;
}
