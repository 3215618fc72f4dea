/* The file system the card shows (sim/fs.h): the enabled profile's
 * package is the file system; without one the eUICC shows an MF with
 * EF.ICCID ('FF' bytes) and EF.DIR (empty records). Its PINs, and the
 * changes the UE makes to files and PINs, which are written to the state
 * before the command answers. */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/fs.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define DIR_RECORDS   4
#define DIR_REC_LEN   32

static const uint8_t no_iccid[10] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};
static const uint8_t no_dir[DIR_RECORDS * DIR_REC_LEN] = {
#define FF8 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
	FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8,
#undef FF8
};
static const struct sim_file builtin[] = {
	{ .depth = 1, .path = { SIM_FID_MF }, .fid = SIM_FID_ICCID, .type = SIM_FT_TRANSPARENT, .fdb = 0x41,
	  .sfi = 0x02, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x02 }, .arr_len = 3, .size_known = true,
	  .size = 10, .content = (uint8_t *)no_iccid, .content_len = 10, .name = "EF.ICCID" },
	{ .depth = 1, .path = { SIM_FID_MF }, .fid = SIM_FID_DIR, .type = SIM_FT_LINEAR_FIXED, .fdb = 0x42,
	  .sfi = 0x1E, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x01 }, .arr_len = 3, .size_known = true,
	  .size = sizeof(no_dir), .rec_len = DIR_REC_LEN, .nb_rec = DIR_RECORDS,
	  .content = (uint8_t *)no_dir, .content_len = sizeof(no_dir), .name = "EF.DIR" },
};

const struct sim_file *isdp_files(void *store, size_t *n)
{
	const struct isdp_profile *p = isdp_enabled(store);

	if (p && p->decoded) {
		*n = p->decoded->n_files;
		return p->decoded->files;
	}
	*n = ARRAY_SIZE(builtin);
	return builtin;
}

void isdp_fs_secrets(void *store, struct sim_fs_secrets *out)
{
	const struct isdp_profile *p = isdp_enabled(store);

	memset(out, 0, sizeof(*out));
	if (!p || !p->rt)
		return;
	out->pins = p->rt->pins;
	out->n_pins = p->rt->n_pins;
	out->puks = p->rt->puks;
	out->n_puks = p->rt->n_puks;
	out->id = p->rt->id;
}

/* What a change replaces, to put back if the state cannot be written. */
struct undo {
	uint8_t *content;
	bool written;
	struct sim_pin pin;
	struct sim_puk puk;
};

static void put_back(struct isdp_profile *p, const struct sim_fs_change *c, size_t fi, size_t pi, size_t ki,
		     const struct undo *u)
{
	struct isdp_runtime *rt = p->rt;

	if (c->file) {
		memcpy(p->decoded->files[fi].content, u->content, c->file->content_len);
		if (!u->written)
			rt->written[fi / 8] &= (uint8_t)~(1u << (fi % 8));
	}
	if (c->pin)
		rt->pins[pi] = u->pin;
	if (c->puk)
		rt->puks[ki] = u->puk;
}

/* Memory first, then the state file; memory back as it was if the write
 * fails (docs/design.md "Changing persistent state"). */
int isdp_fs_commit(void *store, const struct sim_fs_change *c)
{
	struct isdp_store *s = store;
	struct isdp_profile *p = isdp_enabled_mut(s);
	struct isdp_runtime *rt = p ? p->rt : NULL;
	struct undo u = { 0 };
	size_t fi = 0, pi = 0, ki = 0;
	int rc;

	if (!rt || !p->decoded)
		return -EU_E_STATE;
	/* the change must be about this profile's objects */
	if (c->file) {
		fi = (size_t)(c->file - p->decoded->files);
		if (c->file < p->decoded->files || fi >= p->decoded->n_files || !c->content)
			return -EU_E_PARAM;
	}
	if (c->pin) {
		pi = (size_t)(c->pin - rt->pins);
		if (c->pin < rt->pins || pi >= rt->n_pins)
			return -EU_E_PARAM;
	}
	if (c->puk) {
		ki = (size_t)(c->puk - rt->puks);
		if (c->puk < rt->puks || ki >= rt->n_puks)
			return -EU_E_PARAM;
	}
	if (c->file) {
		struct sim_file *f = &p->decoded->files[fi];

		u.content = malloc(f->content_len ? f->content_len : 1);
		if (!u.content)
			return -EU_E_NOMEM;
		memcpy(u.content, f->content, f->content_len);
		u.written = rt->written[fi / 8] & (1u << (fi % 8));
		memcpy(f->content, c->content, f->content_len);
		rt->written[fi / 8] |= (uint8_t)(1u << (fi % 8));
	}
	if (c->pin) {
		u.pin = rt->pins[pi];
		rt->pins[pi] = c->pin_new;
		rt->pins[pi].df = u.pin.df;		/* identity and limits stay */
		rt->pins[pi].key_ref = u.pin.key_ref;
		rt->pins[pi].max_attempts = u.pin.max_attempts;
		rt->pins[pi].may_disable = u.pin.may_disable;
		rt->pins[pi].puk_ref = u.pin.puk_ref;
	}
	if (c->puk) {
		u.puk = rt->puks[ki];
		rt->puks[ki].left = c->puk_new.left <= u.puk.max_attempts ? c->puk_new.left : u.puk.max_attempts;
	}
	if (c->pin && rt->pins[pi].left > rt->pins[pi].max_attempts)
		rt->pins[pi].left = rt->pins[pi].max_attempts;
	rc = isdp_persist(s);
	if (rc < 0)
		put_back(p, c, fi, pi, ki, &u);
	if (u.content) {
		OPENSSL_cleanse(u.content, c->file->content_len);
		free(u.content);
	}
	OPENSSL_cleanse(&u, sizeof(u));
	return rc;
}
