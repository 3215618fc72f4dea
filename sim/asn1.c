#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The modules registered so far, parsed into trees on registration. Next
 * to each tree: its compiled table and, for sim/asn1_ext.c, the index of
 * every node's right sibling. */
#define MAX_MODULES 8

static struct {
	const char *name;
	const asn1_static_node *tab;
	asn1_node defs;
	int32_t *right;
	size_t n_nodes;
} modules[MAX_MODULES];
static size_t n_modules;

/* The table is a preorder listing: a node with SIM_ASN1_CONST_DOWN is
 * followed by its first child; one with SIM_ASN1_CONST_RIGHT has a right
 * sibling after its subtree. Returns the index after node i's subtree
 * and fills right[] for i's children; -1 when the table is inconsistent. */
static long index_subtree(const asn1_static_node *tab, size_t n, size_t i, int32_t *right, unsigned depth)
{
	size_t c;

	if (depth > 64 || i >= n)
		return -1;
	if (!(tab[i].type & SIM_ASN1_CONST_DOWN))
		return (long)i + 1;
	for (c = i + 1;;) {
		long end = index_subtree(tab, n, c, right, depth + 1);

		if (end < 0)
			return -1;
		if (!(tab[c].type & SIM_ASN1_CONST_RIGHT)) {
			right[c] = -1;
			return end;
		}
		right[c] = (int32_t)end;
		c = (size_t)end;
	}
}

static int index_module(const asn1_static_node *tab, int32_t **right, size_t *n_nodes)
{
	size_t n = 0;

	while (tab[n].name || tab[n].type || tab[n].value)
		n++;
	*right = malloc((n ? n : 1) * sizeof(**right));
	if (!*right)
		return -EU_E_NOMEM;
	(*right)[0] = -1;
	if (n == 0 || index_subtree(tab, n, 0, *right, 0) != (long)n) {
		free(*right);
		*right = NULL;
		return -EU_E_ASN1;
	}
	*n_nodes = n;
	return 0;
}

int sim_asn1_add_module(const char *name, const asn1_static_node *tab)
{
	char err[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	asn1_node defs = NULL;

	for (size_t i = 0; i < n_modules; i++)
		if (modules[i].tab == tab)
			return 0;
	if (n_modules == MAX_MODULES)
		return -EU_E_PARAM;
	if (asn1_array2tree(tab, &defs, err) != ASN1_SUCCESS) {
		LOG_ERR("ASN.1: %s: %s", name, err);
		return -EU_E_ASN1;
	}
	if (index_module(tab, &modules[n_modules].right, &modules[n_modules].n_nodes) < 0) {
		LOG_ERR("ASN.1: %s: the compiled table is not a tree", name);
		asn1_delete_structure(&defs);
		return -EU_E_ASN1;
	}
	modules[n_modules].name = name;
	modules[n_modules].tab = tab;
	modules[n_modules].defs = defs;
	n_modules++;
	return 0;
}

/* Type names carry their module: "RSPDefinitions.EUICCInfo2". */
static int module_of(const char *type)
{
	for (size_t i = 0; i < n_modules; i++) {
		size_t n = strlen(modules[i].name);

		if (!strncmp(type, modules[i].name, n) && type[n] == '.')
			return (int)i;
	}
	return -1;
}

int sim_asn1_schema(const char *type, struct sim_asn1_schema *s, size_t *type_node)
{
	int m = module_of(type);
	const char *name;

	if (m < 0)
		return -EU_E_NOT_FOUND;
	s->tab = modules[m].tab;
	s->right = modules[m].right;
	s->n_nodes = modules[m].n_nodes;
	name = type + strlen(modules[m].name) + 1;
	return sim_asn1_schema_type(s, name, type_node);
}

int sim_asn1_schema_type(const struct sim_asn1_schema *s, const char *name, size_t *node)
{
	/* Types are the children of the definitions node (0). */
	for (int32_t i = (s->tab[0].type & SIM_ASN1_CONST_DOWN) ? 1 : -1; i >= 0; i = s->right[i]) {
		if (s->tab[i].name && !strcmp(s->tab[i].name, name)) {
			*node = (size_t)i;
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}

static asn1_node defs_for(const char *type)
{
	int m = module_of(type);

	return m < 0 ? NULL : modules[m].defs;
}

int sim_asn1_new(const char *type, asn1_node *out)
{
	asn1_node defs = defs_for(type);

	*out = NULL;
	if (!defs || asn1_create_element(defs, type, out) != ASN1_SUCCESS)
		return -EU_E_ASN1;
	return 0;
}

int sim_asn1_decode_checked(const char *type, const uint8_t *der, size_t len, asn1_node *out)
{
	asn1_node node = NULL;
	int used = (int)len;
	int rc;

	*out = NULL;
	if (len > TLV_MAX_LEN)
		return -EU_E_TOO_LONG;
	TRY(sim_asn1_new(type, &node));
	rc = asn1_der_decoding2(&node, der, &used, ASN1_DECODE_FLAG_STRICT_DER, NULL);
	if (rc != ASN1_SUCCESS || used != (int)len) {
		asn1_delete_structure(&node);
		return -EU_E_ASN1;
	}
	*out = node;
	return 0;
}

int sim_asn1_decode(const char *type, const uint8_t *der, size_t len, asn1_node *out)
{
	*out = NULL;
	if (len > TLV_MAX_LEN)
		return -EU_E_TOO_LONG;
	/* Our own strict walk first: definite, minimal lengths, every
	 * element inside its parent, bounded depth, nothing trailing. */
	TRY(tlv_check_der(der, len, SIM_ASN1_MAX_DEPTH));
	return sim_asn1_decode_checked(type, der, len, out);
}

int sim_asn1_encode(asn1_node node, uint8_t **out, size_t *len)
{
	int n = 0;
	uint8_t *buf;

	if (asn1_der_coding(node, "", NULL, &n, NULL) != ASN1_MEM_ERROR || n <= 0)
		return -EU_E_ASN1;
	buf = malloc((size_t)n);
	if (!buf)
		return -EU_E_NOMEM;
	if (asn1_der_coding(node, "", buf, &n, NULL) != ASN1_SUCCESS) {
		free(buf);
		return -EU_E_ASN1;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int sim_asn1_read(asn1_node node, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	int n = (int)cap;
	int rc = asn1_read_value(node, name, buf, &n);

	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -EU_E_NOT_FOUND;
	if (rc == ASN1_MEM_ERROR)
		return -EU_E_TOO_LONG;
	if (rc != ASN1_SUCCESS)
		return -EU_E_ASN1;
	*len = (size_t)n;
	return 0;
}

int sim_asn1_read_uint(asn1_node node, const char *name, unsigned long *v)
{
	uint8_t buf[9];
	size_t n;

	TRY(sim_asn1_read(node, name, buf, sizeof(buf), &n));
	if (n == 0 || (buf[0] & 0x80) || n > sizeof(unsigned long) + (buf[0] == 0))
		return -EU_E_ASN1;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = (*v << 8) | buf[i];
	return 0;
}

int sim_asn1_read_bits(asn1_node node, const char *name, uint32_t *bits)
{
	uint8_t b[4] = { 0 };
	/* libtasn1 takes the buffer size in bytes and answers in bits */
	int nbits = (int)sizeof(b), rc = asn1_read_value(node, name, b, &nbits);

	*bits = 0;
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -EU_E_NOT_FOUND;
	if (rc == ASN1_MEM_ERROR)
		return -EU_E_TOO_LONG;	/* more than 32 named bits */
	if (rc != ASN1_SUCCESS || nbits < 0 || nbits > 32)
		return -EU_E_ASN1;
	for (int i = 0; i < nbits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			*bits |= 1u << i;
	return 0;
}

int sim_asn1_read_bool(asn1_node node, const char *name, bool *v)
{
	char b[8] = "";
	size_t n;

	TRY(sim_asn1_read(node, name, (uint8_t *)b, sizeof(b) - 1, &n));
	b[n] = 0;
	if (!strcmp(b, "TRUE"))
		*v = true;
	else if (!strcmp(b, "FALSE"))
		*v = false;
	else
		return -EU_E_ASN1;
	return 0;
}

int sim_asn1_write(asn1_node node, const char *name, const void *value, size_t len)
{
	return asn1_write_value(node, name, value, (int)len) == ASN1_SUCCESS ? 0 : -EU_E_ASN1;
}

int sim_asn1_write_uint(asn1_node node, const char *name, unsigned long v)
{
	char dec[24];

	snprintf(dec, sizeof(dec), "%lu", v);
	return sim_asn1_write(node, name, dec, 0);
}

int sim_asn1_write_bits(asn1_node node, const char *name, uint32_t bits)
{
	uint8_t b[4] = { 0 };
	int nbits = 0;

	for (int i = 0; i < 32; i++) {
		if (bits & (1u << i)) {
			b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
			nbits = i + 1;
		}
	}
	return sim_asn1_write(node, name, b, (size_t)nbits);
}

int sim_asn1_read_alloc(asn1_node node, const char *name, uint8_t **out, size_t *len)
{
	int sz = 0;
	int rc = asn1_read_value(node, name, NULL, &sz);
	uint8_t *buf;

	*out = NULL;
	*len = 0;
	if (rc == ASN1_ELEMENT_NOT_FOUND || rc == ASN1_VALUE_NOT_FOUND)
		return -EU_E_NOT_FOUND;
	if (rc != ASN1_MEM_ERROR && rc != ASN1_SUCCESS)
		return -EU_E_ASN1;
	buf = malloc(sz > 0 ? (size_t)sz : 1);
	if (!buf)
		return -EU_E_NOMEM;
	if (sz > 0 && asn1_read_value(node, name, buf, &sz) != ASN1_SUCCESS) {
		free(buf);
		return -EU_E_ASN1;
	}
	*out = buf;
	*len = (size_t)sz;
	return 0;
}

int sim_asn1_span(asn1_node node, const uint8_t *der, size_t len, const char *name,
		  const uint8_t **start, size_t *span_len)
{
	int s = 0, e = 0;

	if (asn1_der_decoding_startEnd(node, der, (int)len, name, &s, &e) != ASN1_SUCCESS ||
	    s < 0 || e < s || (size_t)e >= len)
		return -EU_E_NOT_FOUND;
	*start = der + s;
	*span_len = (size_t)(e - s + 1);
	return 0;
}

int sim_asn1_set_der(asn1_node node, const char *name, const uint8_t *der, size_t len)
{
	asn1_node sub = asn1_find_node(node, name);
	int used = (int)len;

	if (len > TLV_MAX_LEN)
		return -EU_E_TOO_LONG;
	if (!sub)
		return -EU_E_ASN1;
	/* Decoding into a sub-node treats it as the root (as asn1_copy_node
	 * does); the bytes must be exactly one value of its type. */
	if (asn1_der_decoding2(&sub, der, &used, ASN1_DECODE_FLAG_STRICT_DER, NULL) != ASN1_SUCCESS ||
	    used != (int)len)
		return -EU_E_ASN1;
	return 0;
}
