/* The schema walk of sim/asn1_ext.h over libtasn1's compiled tables.
 *
 * Pass 1 walks the received TLVs against the schema: it checks them,
 * records deviations, and lists every element it keeps in preorder with
 * its size in the copy. Pass 2, only when something has to change, writes
 * the copy from that list (headers re-encoded minimally, primitive and
 * ANY values copied as received). libtasn1 then decodes the copy; the
 * list maps the copy's offsets back to the received bytes. */
#include "sim/asn1_ext.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 8		/* tags stacked on one type, references included */
#define MAX_HOPS 16		/* type references followed for one element */
#define MAX_CHOICE_HOPS 8	/* untagged CHOICE within untagged CHOICE */
#define MAX_COMPONENTS 64	/* components of one SEQUENCE, SET or CHOICE */

/* Identifier octets (X.690 §8.1.2) as struct tlv keeps them, class bits. */
#define CLASS_UNIVERSAL   0x00u
#define CLASS_APPLICATION 0x40u
#define CLASS_CONTEXT     0x80u
#define CLASS_PRIVATE     0xC0u

struct sim_asn1_elem {
	size_t at;		/* offset in the received bytes */
	size_t hdr;		/* header length there */
	size_t len;		/* value length there */
	uint32_t tag;
	bool opaque;		/* value copied as received (primitive, ANY) */
	size_t end;		/* index after this element's descendants */
	size_t out_len;		/* value length in the copy */
	size_t out_at;		/* offset in the copy (pass 2) */
	size_t out_hdr;
};

struct walk {
	struct sim_asn1_schema s;
	bool default_explicit;	/* the module's tag default */
	const uint8_t *in;
	struct sim_asn1_ext *x;
	struct sim_asn1_elem *el;
	size_t n_el, cap_el;
	bool changed;
	char path[SIM_ASN1_PATH_MAX];
	size_t path_len;
};

/* A type as it is encoded: the tags in front of its underlying type,
 * outermost first (each given as its identifier with the constructed bit
 * clear), then the underlying (non-reference) type. */
struct chain {
	uint32_t id[MAX_TAGS];
	bool expl[MAX_TAGS];
	size_t n;
	size_t base;
	const char *label;	/* the last type referenced, or the component's name */
};

/* ---- the compiled schema ---------------------------------------------------- */

static unsigned etype(const struct walk *w, size_t i)
{
	unsigned t = w->s.tab[i].type & 0xFF;

	if (t == SIM_ASN1_ETYPE_TIME)	/* tables of old asn1Parsers */
		return (w->s.tab[i].type & SIM_ASN1_CONST_UTC) ? ASN1_ETYPE_UTC_TIME : ASN1_ETYPE_GENERALIZED_TIME;
	return t;
}

static long first_child(const struct walk *w, size_t i)
{
	return (w->s.tab[i].type & SIM_ASN1_CONST_DOWN) ? (long)i + 1 : -1;
}

static long next_sibling(const struct walk *w, size_t i)
{
	return w->s.right[i];
}

/* Children that are components (of a SEQUENCE, SET, CHOICE) or the
 * element type (of a SEQUENCE OF): not tags, sizes, defaults or named
 * numbers. */
static bool is_component(const struct walk *w, size_t i)
{
	unsigned t = etype(w, i);

	return t != ASN1_ETYPE_TAG && t != ASN1_ETYPE_SIZE && t != ASN1_ETYPE_DEFAULT && t != ASN1_ETYPE_CONSTANT;
}

/* The components of base into out[MAX_COMPONENTS]; SIZE_MAX for a type
 * with more than this walk takes (none in our modules). */
static size_t components(const struct walk *w, size_t base, size_t *out)
{
	size_t n = 0;

	for (long c = first_child(w, base); c >= 0; c = next_sibling(w, (size_t)c)) {
		if (!is_component(w, (size_t)c))
			continue;
		if (n == MAX_COMPONENTS)
			return SIZE_MAX;
		out[n++] = (size_t)c;
	}
	return n;
}

static bool mandatory(const struct walk *w, size_t comp)
{
	return !(w->s.tab[comp].type & (SIM_ASN1_CONST_OPTION | SIM_ASN1_CONST_DEFAULT));
}

/* Identifier octets for a class and tag number (up to 3 octets, as
 * sim/tlv.c reads them); 0 for numbers it does not read. */
static uint32_t make_id(unsigned cls, unsigned long num)
{
	if (num < 31)
		return cls | (uint32_t)num;
	if (num < 128)
		return (cls | 0x1Fu) << 8 | (uint32_t)num;
	if (num < 16384)
		return (cls | 0x1Fu) << 16 | (0x80u | (uint32_t)(num >> 7)) << 8 | (uint32_t)(num & 0x7F);
	return 0;
}

/* The identifier of a TLV with the constructed bit cleared. */
static uint32_t tlv_id(uint32_t tag)
{
	unsigned shift = tag > 0xFFFF ? 16 : tag > 0xFF ? 8 : 0;

	return tag & ~(0x20u << shift);
}

/* The UNIVERSAL tag of an underlying type; 0 for CHOICE and ANY. */
static int universal_id(unsigned t, uint32_t *id, bool *constructed)
{
	static const struct {
		unsigned etype, tag;
		bool constructed;
	} u[] = {
		{ ASN1_ETYPE_BOOLEAN, 1, false }, { ASN1_ETYPE_INTEGER, 2, false },
		{ ASN1_ETYPE_BIT_STRING, 3, false }, { ASN1_ETYPE_OCTET_STRING, 4, false },
		{ ASN1_ETYPE_NULL, 5, false }, { ASN1_ETYPE_OBJECT_ID, 6, false },
		{ ASN1_ETYPE_ENUMERATED, 10, false }, { ASN1_ETYPE_UTF8_STRING, 12, false },
		{ ASN1_ETYPE_SEQUENCE, 16, true }, { ASN1_ETYPE_SEQUENCE_OF, 16, true },
		{ ASN1_ETYPE_SET, 17, true }, { ASN1_ETYPE_SET_OF, 17, true },
		{ ASN1_ETYPE_NUMERIC_STRING, 18, false }, { ASN1_ETYPE_PRINTABLE_STRING, 19, false },
		{ ASN1_ETYPE_TELETEX_STRING, 20, false }, { ASN1_ETYPE_IA5_STRING, 22, false },
		{ ASN1_ETYPE_UTC_TIME, 23, false }, { ASN1_ETYPE_GENERALIZED_TIME, 24, false },
		{ ASN1_ETYPE_VISIBLE_STRING, 26, false }, { ASN1_ETYPE_GENERALSTRING, 27, false },
		{ ASN1_ETYPE_UNIVERSAL_STRING, 28, false }, { ASN1_ETYPE_BMP_STRING, 30, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(u); i++) {
		if (u[i].etype == t) {
			*id = u[i].tag;
			*constructed = u[i].constructed;
			return 0;
		}
	}
	*id = 0;
	*constructed = false;
	return t == ASN1_ETYPE_CHOICE || t == ASN1_ETYPE_ANY ? 0 : -EU_E_ASN1;
}

/* Follow node k (a type or component) through its tags and references. */
static int resolve(const struct walk *w, size_t k, const char *label, struct chain *c)
{
	size_t node = k;

	c->n = 0;
	c->label = w->s.tab[k].name ? w->s.tab[k].name : label;
	for (unsigned hop = 0; hop < MAX_HOPS; hop++) {
		for (long t = first_child(w, node); t >= 0; t = next_sibling(w, (size_t)t)) {
			unsigned f = w->s.tab[t].type;
			unsigned cls = (f & SIM_ASN1_CONST_UNIVERSAL) ? CLASS_UNIVERSAL :
				       (f & SIM_ASN1_CONST_APPLICATION) ? CLASS_APPLICATION :
				       (f & SIM_ASN1_CONST_PRIVATE) ? CLASS_PRIVATE : CLASS_CONTEXT;
			const char *v = w->s.tab[t].value;
			char *end;
			unsigned long num;

			if (etype(w, (size_t)t) != ASN1_ETYPE_TAG)
				continue;
			if (c->n == MAX_TAGS || !v)
				return -EU_E_ASN1;
			num = strtoul(v, &end, 10);
			if (*end || !(c->id[c->n] = make_id(cls, num)))
				return -EU_E_ASN1;
			c->expl[c->n++] = (f & SIM_ASN1_CONST_EXPLICIT) ? true :
					  (f & SIM_ASN1_CONST_IMPLICIT) ? false : w->default_explicit;
		}
		if (etype(w, node) != ASN1_ETYPE_IDENTIFIER) {
			unsigned t = etype(w, node);

			c->base = node;
			/* X.680 §31.2.7: a tag on a CHOICE or an open type is
			 * explicit whatever the default says. */
			if (c->n && (t == ASN1_ETYPE_CHOICE || t == ASN1_ETYPE_ANY))
				c->expl[c->n - 1] = true;
			return 0;
		}
		if (!w->s.tab[node].value || sim_asn1_schema_type(&w->s, w->s.tab[node].value, &node) < 0)
			return -EU_E_ASN1;
		c->label = w->s.tab[node].name;
	}
	return -EU_E_ASN1;
}

enum match { NO_MATCH, MATCH, MATCH_ANY };

/* Can a TLV with identifier id be the encoding of chain c from tag i on? */
static enum match chain_matches(const struct walk *w, const struct chain *c, size_t i, uint32_t id, unsigned hops)
{
	size_t alt[MAX_COMPONENTS], n;
	unsigned t;
	uint32_t uid;
	bool cons;

	if (i < c->n)
		return c->id[i] == id ? MATCH : NO_MATCH;
	t = etype(w, c->base);
	if (t == ASN1_ETYPE_ANY)
		return MATCH_ANY;
	if (t != ASN1_ETYPE_CHOICE)
		return universal_id(t, &uid, &cons) == 0 && uid == id ? MATCH : NO_MATCH;
	if (hops >= MAX_CHOICE_HOPS)
		return NO_MATCH;
	n = components(w, c->base, alt);
	for (size_t j = 0; n != SIZE_MAX && j < n; j++) {
		struct chain a;

		if (resolve(w, alt[j], c->label, &a) == 0 && chain_matches(w, &a, 0, id, hops + 1) != NO_MATCH)
			return MATCH;
	}
	return NO_MATCH;
}

static enum match node_matches(const struct walk *w, size_t k, const char *label, uint32_t id)
{
	struct chain c;

	return resolve(w, k, label, &c) == 0 ? chain_matches(w, &c, 0, id, 0) : NO_MATCH;
}

/* ---- what the walk records ---------------------------------------------- */

static void path_push(struct walk *w, const char *name, size_t *saved)
{
	*saved = w->path_len;
	if (!name)
		return;
	w->path_len += (size_t)snprintf(w->path + w->path_len, sizeof(w->path) - w->path_len, "%s%s",
					w->path_len ? "." : "", name);
	if (w->path_len >= sizeof(w->path))
		w->path_len = sizeof(w->path) - 1;
}

static void path_pop(struct walk *w, size_t saved)
{
	w->path_len = saved;
	w->path[saved] = 0;
}

static void deviation(struct walk *w, enum sim_asn1_dev_kind kind, const struct tlv *t, const char *in)
{
	struct sim_asn1_ext *x = w->x;

	w->changed = true;
	x->total_dev++;
	if (x->n_dev == SIM_ASN1_EXT_MAX_DEVS)
		return;
	x->dev[x->n_dev].kind = kind;
	x->dev[x->n_dev].tag = t->tag;
	x->dev[x->n_dev].in = in ? in : "?";
	snprintf(x->dev[x->n_dev].path, sizeof(x->dev[x->n_dev].path), "%s", w->path);
	x->dev[x->n_dev].offset = (size_t)(t->raw - w->in);
	x->n_dev++;
}

/* The next element inside a constructed value; a non-minimal length is
 * recorded against `in`. */
static int next_child(struct walk *w, struct tlv_iter *it, struct tlv *u, const char *in)
{
	bool lax;
	int rc;

	if (it->left == 0)
		return 0;
	rc = tlv_parse_ber(it->p, it->left, u, &lax);
	if (rc < 0)
		return rc;
	it->p += u->raw_len;
	it->left -= u->raw_len;
	if (lax)
		deviation(w, SIM_ASN1_DEV_LENGTH, u, in);
	return 1;
}

static int push(struct walk *w, const struct tlv *t, bool opaque, size_t *idx)
{
	struct sim_asn1_elem *e;

	if (w->n_el == w->cap_el) {
		size_t cap = w->cap_el ? 2 * w->cap_el : 32;

		e = realloc(w->el, cap * sizeof(*e));
		if (!e)
			return -EU_E_NOMEM;
		w->el = e;
		w->cap_el = cap;
	}
	e = &w->el[w->n_el];
	memset(e, 0, sizeof(*e));
	e->at = (size_t)(t->raw - w->in);
	e->hdr = (size_t)(t->val - t->raw);
	e->len = t->len;
	e->tag = t->tag;
	e->opaque = opaque;
	e->out_len = opaque ? t->len : 0;
	e->end = w->n_el + 1;
	*idx = w->n_el++;
	return 0;
}

/* Close element idx: its children are all listed; *total is its size in
 * the copy. */
static void pop(struct walk *w, size_t idx, size_t *total)
{
	struct sim_asn1_elem *e = &w->el[idx];

	e->end = w->n_el;
	*total = tlv_put_header(NULL, 0, e->tag, e->out_len) + e->out_len;
}

/* ---- pass 1 -------------------------------------------------------------- */

/* An opaque value or an unknown element: only its TLV structure is
 * checked (as X.690 requires of a constructed encoding). Non-minimal
 * lengths are recorded when the value is kept (report). */
static int check_structure(struct walk *w, const struct tlv *t, unsigned depth, bool report, const char *in)
{
	struct tlv_iter it;
	struct tlv u;
	bool lax;
	int rc;

	if (!t->constructed)
		return 0;
	if (depth >= SIM_ASN1_MAX_DEPTH)
		return -EU_E_TOO_DEEP;
	tlv_iter_init(&it, t);
	while (it.left) {
		TRY(tlv_parse_ber(it.p, it.left, &u, &lax));
		it.p += u.raw_len;
		it.left -= u.raw_len;
		if (lax && report)
			deviation(w, SIM_ASN1_DEV_LENGTH, &u, in);
		rc = check_structure(w, &u, depth + 1, report, in);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int walk_tlv(struct walk *w, const struct chain *c, size_t i, const struct tlv *t, unsigned depth,
		    unsigned hops, size_t *total);

/* Element t, already known to start like component (or type) k. */
static int walk_elem(struct walk *w, size_t k, const char *label, const struct tlv *t, unsigned depth,
		     unsigned hops, size_t *total)
{
	struct chain c;

	TRY(resolve(w, k, label, &c));
	return walk_tlv(w, &c, 0, t, depth, hops, total);
}

static int walk_unknown(struct walk *w, const struct tlv *u, unsigned depth, const char *in)
{
	deviation(w, SIM_ASN1_DEV_UNKNOWN, u, in);
	return check_structure(w, u, depth, false, in);
}

/* The components of a SEQUENCE (in order) or SET (any order). */
static int walk_components(struct walk *w, const struct chain *c, const struct tlv *t, unsigned depth, bool set,
			   size_t *out_len)
{
	size_t comp[MAX_COMPONENTS], n = components(w, c->base, comp), pos = 0;
	bool seen[MAX_COMPONENTS] = { false };
	struct tlv_iter it;
	struct tlv u;
	int rc;

	if (n == SIZE_MAX)
		return -EU_E_TOO_LONG;
	tlv_iter_init(&it, t);
	while ((rc = next_child(w, &it, &u, c->label)) > 0) {
		uint32_t id = tlv_id(u.tag);
		size_t j, saved, sz;

		for (j = set ? 0 : pos; j < n; j++)
			if (!seen[j] && node_matches(w, comp[j], c->label, id) != NO_MATCH)
				break;
		if (j == n) {
			/* Defined before this position (or already seen):
			 * out of order, not an extension. */
			for (size_t k = 0; k < n; k++)
				if ((seen[k] || k < pos) && node_matches(w, comp[k], c->label, id) == MATCH)
					return -EU_E_ORDER;
			TRY(walk_unknown(w, &u, depth + 1, c->label));
			continue;
		}
		for (size_t k = pos; !set && k < j; k++)
			if (mandatory(w, comp[k]))
				return -EU_E_MISSING;
		path_push(w, w->s.tab[comp[j]].name, &saved);
		rc = walk_elem(w, comp[j], c->label, &u, depth + 1, 0, &sz);
		path_pop(w, saved);
		if (rc < 0)
			return rc;
		*out_len += sz;
		seen[j] = true;
		if (!set)
			pos = j + 1;
	}
	if (rc < 0)
		return rc;
	for (size_t k = 0; k < n; k++)
		if (!seen[k] && mandatory(w, comp[k]))
			return -EU_E_MISSING;
	return 0;
}

/* The elements of a SEQUENCE OF / SET OF; of an empty SEQUENCE written as
 * SEQUENCE OF NULL, all unknown. */
static int walk_list(struct walk *w, const struct chain *c, const struct tlv *t, unsigned depth, size_t *out_len)
{
	size_t comp[MAX_COMPONENTS], nth = 0;
	struct tlv_iter it;
	struct tlv u;
	bool empty_seq;
	int rc;

	if (components(w, c->base, comp) != 1)
		return -EU_E_ASN1;
	empty_seq = etype(w, comp[0]) == ASN1_ETYPE_NULL && !(w->s.tab[comp[0]].type & SIM_ASN1_CONST_TAG);
	tlv_iter_init(&it, t);
	while ((rc = next_child(w, &it, &u, c->label)) > 0) {
		char name[16];
		size_t saved, sz;

		if (empty_seq) {
			TRY(walk_unknown(w, &u, depth + 1, c->label));
			continue;
		}
		if (node_matches(w, comp[0], c->label, tlv_id(u.tag)) == NO_MATCH)
			return -EU_E_ASN1;
		snprintf(name, sizeof(name), "?%zu", ++nth);
		path_push(w, name, &saved);
		rc = walk_elem(w, comp[0], c->label, &u, depth + 1, 0, &sz);
		path_pop(w, saved);
		if (rc < 0)
			return rc;
		*out_len += sz;
	}
	return rc;
}

/* t is the encoding of the underlying type of c. */
static int walk_base(struct walk *w, const struct chain *c, const struct tlv *t, unsigned depth, unsigned hops,
		     size_t *total)
{
	unsigned type = etype(w, c->base);
	size_t idx, alt[MAX_COMPONENTS], n, saved, out_len = 0;
	uint32_t uid;
	bool cons;
	int rc;

	switch (type) {
	case ASN1_ETYPE_CHOICE:
		/* No TLV of its own: t is one of the alternatives. */
		if (hops >= MAX_CHOICE_HOPS)
			return -EU_E_TOO_DEEP;
		n = components(w, c->base, alt);
		if (n == SIZE_MAX)
			return -EU_E_TOO_LONG;
		for (size_t j = 0; j < n; j++) {
			if (node_matches(w, alt[j], c->label, tlv_id(t->tag)) == NO_MATCH)
				continue;
			path_push(w, w->s.tab[alt[j]].name, &saved);
			rc = walk_elem(w, alt[j], c->label, t, depth, hops + 1, total);
			path_pop(w, saved);
			return rc;
		}
		return -EU_E_UNKNOWN_ALT;
	case ASN1_ETYPE_ANY:
		TRY(push(w, t, true, &idx));
		TRY(check_structure(w, t, depth, true, c->label));
		pop(w, idx, total);
		return 0;
	case ASN1_ETYPE_SEQUENCE:
	case ASN1_ETYPE_SET:
	case ASN1_ETYPE_SEQUENCE_OF:
	case ASN1_ETYPE_SET_OF:
		if (!t->constructed)
			return -EU_E_ASN1;
		if (depth >= SIM_ASN1_MAX_DEPTH)
			return -EU_E_TOO_DEEP;
		TRY(push(w, t, false, &idx));
		/* not &w->el[idx].out_len: pushes inside may move w->el */
		if (type == ASN1_ETYPE_SEQUENCE || type == ASN1_ETYPE_SET)
			rc = walk_components(w, c, t, depth, type == ASN1_ETYPE_SET, &out_len);
		else
			rc = walk_list(w, c, t, depth, &out_len);
		if (rc < 0)
			return rc;
		w->el[idx].out_len = out_len;
		pop(w, idx, total);
		return 0;
	default:
		/* Primitive: constructed string encodings (BER) are not taken. */
		if (universal_id(type, &uid, &cons) < 0 || t->constructed)
			return -EU_E_ASN1;
		TRY(push(w, t, true, &idx));
		pop(w, idx, total);
		return 0;
	}
}

/* t is the encoding of c from tag i on (X.690 §8.14): an explicit tag is
 * a TLV of its own around the rest; an implicit one only replaced the
 * identifier of the rest, i.e. of this same TLV. */
static int walk_tlv(struct walk *w, const struct chain *c, size_t i, const struct tlv *t, unsigned depth,
		    unsigned hops, size_t *total)
{
	struct tlv_iter it;
	struct tlv u;
	size_t idx, sz;
	int rc;

	while (i < c->n && !c->expl[i])
		i++;
	if (i == c->n)
		return walk_base(w, c, t, depth, hops, total);
	if (!t->constructed)
		return -EU_E_ASN1;
	if (depth >= SIM_ASN1_MAX_DEPTH)
		return -EU_E_TOO_DEEP;
	TRY(push(w, t, false, &idx));
	tlv_iter_init(&it, t);
	rc = next_child(w, &it, &u, c->label);
	if (rc == 0)
		return -EU_E_MISSING;
	if (rc < 0)
		return rc;
	if (it.left)
		return -EU_E_TRAILING;	/* an explicit tag holds exactly one element */
	if (chain_matches(w, c, i + 1, tlv_id(u.tag), 0) == NO_MATCH)
		return i + 1 == c->n && etype(w, c->base) == ASN1_ETYPE_CHOICE ? -EU_E_UNKNOWN_ALT : -EU_E_ASN1;
	TRY(walk_tlv(w, c, i + 1, &u, depth + 1, hops, &sz));
	w->el[idx].out_len = sz;
	pop(w, idx, total);
	return 0;
}

/* ---- pass 2 ------------------------------------------------------------------ */

static size_t write_elem(struct walk *w, size_t i, uint8_t *out, size_t cap, size_t at)
{
	struct sim_asn1_elem *e = &w->el[i];

	e->out_at = at;
	e->out_hdr = tlv_put_header(out + at, cap - at, e->tag, e->out_len);
	at += e->out_hdr;
	if (e->opaque) {
		memcpy(out + at, w->in + e->at + e->hdr, e->len);
		return at + e->len;
	}
	for (size_t j = i + 1; j < e->end; j = w->el[j].end)
		at = write_elem(w, j, out, cap, at);
	return at;
}

static int write_copy(struct walk *w, size_t total)
{
	struct sim_asn1_ext *x = w->x;

	x->copy = malloc(total ? total : 1);
	if (!x->copy)
		return -EU_E_NOMEM;
	if (write_elem(w, 0, x->copy, total, 0) != total) {
		free(x->copy);
		x->copy = NULL;
		return -EU_E_ASN1;
	}
	x->der = x->copy;
	x->len = total;
	x->map = w->el;
	x->n_map = w->n_el;
	w->el = NULL;
	return 0;
}

/* ---- the API ----------------------------------------------------------------- */

int sim_asn1_decode_ext(const char *type, const uint8_t *der, size_t len, unsigned flags, asn1_node *out,
			struct sim_asn1_ext *x)
{
	struct walk w = { .in = der, .x = x };
	struct chain c;
	struct tlv t;
	size_t k, total = 0;
	const char *dot = strrchr(type, '.');
	bool lax;
	int rc;

	memset(x, 0, sizeof(*x));
	x->orig = x->der = der;
	x->orig_len = x->len = len;
	*out = NULL;
	if (len >= TLV_MAX_LEN)	/* the copy's headers have at most 3 length octets */
		return -EU_E_TOO_LONG;
	TRY(sim_asn1_schema(type, &w.s, &k));
	w.default_explicit = (w.s.tab[0].type & SIM_ASN1_CONST_EXPLICIT) != 0;
	TRY(tlv_parse_ber(der, len, &t, &lax));
	if (t.raw_len != len)
		return -EU_E_TRAILING;
	rc = resolve(&w, k, dot ? dot + 1 : type, &c);
	if (rc == 0 && chain_matches(&w, &c, 0, tlv_id(t.tag), 0) == NO_MATCH)
		rc = -EU_E_ASN1;	/* not a value of this type */
	if (rc == 0 && lax)
		deviation(&w, SIM_ASN1_DEV_LENGTH, &t, c.label);
	if (rc == 0)
		rc = walk_tlv(&w, &c, 0, &t, 0, 0, &total);
	if (rc == 0 && (flags & SIM_ASN1_EXT_STRICT) && x->total_dev)
		rc = -EU_E_STRICT;
	if (rc == 0 && w.changed)
		rc = write_copy(&w, total);
	free(w.el);
	if (rc == 0)
		rc = sim_asn1_decode_checked(type, x->der, x->len, out);
	return rc;
}

void sim_asn1_ext_free(struct sim_asn1_ext *x)
{
	if (x->copy)
		OPENSSL_cleanse(x->copy, x->len);
	free(x->copy);
	free(x->map);
	x->copy = NULL;
	x->map = NULL;
	x->n_map = 0;
	x->der = x->orig;
	x->len = x->orig_len;
}

int sim_asn1_ext_span(const struct sim_asn1_ext *x, asn1_node node, const char *name, const uint8_t **start,
		      size_t *len)
{
	size_t lo = 0, hi = x->n_map;
	int s = 0, e = 0;

	if (asn1_der_decoding_startEnd(node, x->der, (int)x->len, name, &s, &e) != ASN1_SUCCESS || s < 0 ||
	    e < s || (size_t)e >= x->len)
		return -EU_E_NOT_FOUND;
	if (!x->map) {
		*start = x->der + s;
		*len = (size_t)(e - s + 1);
		return 0;
	}
	/* Preorder offsets in the copy grow strictly. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct sim_asn1_elem *m = &x->map[mid];

		if (m->out_at < (size_t)s) {
			lo = mid + 1;
		} else if (m->out_at > (size_t)s) {
			hi = mid;
		} else {
			if (m->out_at + m->out_hdr + m->out_len != (size_t)e + 1)
				return -EU_E_ASN1;
			*start = x->orig + m->at;
			*len = m->hdr + m->len;
			return 0;
		}
	}
	return -EU_E_NOT_FOUND;
}

int sim_asn1_dev_describe(const struct sim_asn1_dev *d, char *buf, size_t cap)
{
	return snprintf(buf, cap, "%s %02X in %s",
			d->kind == SIM_ASN1_DEV_UNKNOWN ? "unknown element" : "non-minimal length octets of element",
			(unsigned)d->tag, d->in);
}
