/* Internals shared by profiles/saip*.c. */
#ifndef PROFILES_SAIP_PRIV_H
#define PROFILES_SAIP_PRIV_H

#include "profiles/saip.h"
#include "sim/tlv.h"

/* One file of a file structure template (TCA specification Annex A), as
 * the member [tag] of the PE type that instantiates the template. A zero
 * fid, size or nb_rec means the PE must supply it in the file's Fcp. */
struct saip_tpl_file {
	uint8_t tag;
	enum sim_ftype type;
	uint16_t fid;
	uint16_t parent;	/* DF inside the template holding it, 0: base DF */
	uint8_t arr;		/* record of EF.ARR */
	uint16_t nb_rec;
	uint16_t size;		/* transparent: file size; records: record length */
	uint8_t sfi;
	bool repeat;		/* dflt is a repeat pattern */
	const char *name;
	const char *dflt;	/* default content in Annex A notation: "00FF...FF" */
};

/* The members of one template version, in tag order; a later version
 * lists only the members it changes or adds and names the earlier one. */
struct saip_tpl_table {
	const struct saip_tpl_file *files;
	size_t n;
	const struct saip_tpl_table *base;
};

struct saip_tpl {
	const char *oid;	/* templateID, dotted */
	const char *pe;		/* ProfileElement alternative using it */
	bool by_default;	/* "created by default": absent members are created */
	const struct saip_tpl_table *table;
};

const struct saip_tpl *saip_tpl_find(const char *oid, const char *pe);
const struct saip_tpl_file *saip_tpl_member(const struct saip_tpl *t, unsigned tag);

/* File-system PEs, walked by tag over the (already schema-checked) DER. */
int saip_fs_template_pe(struct saip_stream *s, const char *pe, const char *oid,
			const struct tlv *el, uint16_t pe_id);
int saip_fs_gfm(struct saip_stream *s, const struct tlv *el, uint16_t pe_id);

/* An array with room for element n (it holds n): arr itself while it has
 * room, else a copy twice the size (capacity 4, 8, 16, ...); the old storage
 * is wiped before it is freed, since some arrays hold secrets. Element n is
 * zeroed. NULL when out of memory (arr is then untouched). */
void *saip_grow(void *arr, size_t n, size_t elem);

#endif
