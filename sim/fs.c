/* The card's file system (ETSI TS 102 221 §8, §11.1.1; TS 31.102).
 *
 * Without an enabled profile the eUICC shows an MF with EF.ICCID ('FF'
 * bytes) and EF.DIR (empty records). With a profile enabled, the files of
 * its package are the file system: MF and its EFs, DFs, and the ADFs
 * (USIM, ISIM, ...) selectable by AID, with the contents the package
 * created. Files are addressed by FID paths from the MF; ADFs by their
 * temporary FID, as in the package (profiles/saip.h). */
#include "sim/card_priv.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "isdp/isdp.h"
#include "profiles/saip.h"

#include <string.h>

#define FID_MF      0x3F00
#define FID_ICCID   0x2FE2
#define FID_DIR     0x2F00

/* Files of the eUICC without a profile. */
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
static const struct saip_file builtin[] = {
	{ .depth = 1, .path = { FID_MF }, .fid = FID_ICCID, .type = SAIP_FT_TRANSPARENT, .fdb = 0x41,
	  .sfi = 0x02, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x02 }, .arr_len = 3, .size_known = true,
	  .size = 10, .content = (uint8_t *)no_iccid, .content_len = 10, .name = "EF.ICCID" },
	{ .depth = 1, .path = { FID_MF }, .fid = FID_DIR, .type = SAIP_FT_LINEAR_FIXED, .fdb = 0x42,
	  .sfi = 0x1E, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x01 }, .arr_len = 3, .size_known = true,
	  .size = sizeof(no_dir), .rec_len = DIR_REC_LEN, .nb_rec = DIR_RECORDS,
	  .content = (uint8_t *)no_dir, .content_len = sizeof(no_dir), .name = "EF.DIR" },
};

static const struct saip_profile *enabled_files(const struct sim_card *card)
{
	const struct isdp_profile *p = isdp_enabled(card);

	return p ? p->decoded : NULL;
}

/* The file `fid` directly inside the DF at path[0..depth). */
static const struct saip_file *lookup(const struct sim_card *card, const uint16_t *path, uint8_t depth,
				      uint16_t fid)
{
	const struct saip_profile *p = enabled_files(card);

	if (p) {
		for (size_t i = 0; i < p->n_files; i++) {
			const struct saip_file *f = &p->files[i];

			if (f->fid == fid && f->depth == depth && !memcmp(f->path, path, depth * sizeof(*path)))
				return f;
		}
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(builtin); i++)
		if (builtin[i].fid == fid && builtin[i].depth == depth &&
		    !memcmp(builtin[i].path, path, depth * sizeof(*path)))
			return &builtin[i];
	return NULL;
}

static const struct saip_file *lookup_sfi(const struct sim_card *card, const struct sim_channel *ch,
					  uint8_t sfi)
{
	const struct saip_profile *p = enabled_files(card);
	const struct saip_file *files = p ? p->files : builtin;
	size_t n = p ? p->n_files : ARRAY_SIZE(builtin);

	for (size_t i = 0; i < n; i++)
		if (files[i].sfi == sfi && files[i].depth == ch->df_depth &&
		    !memcmp(files[i].path, ch->df_path, ch->df_depth * sizeof(uint16_t)))
			return &files[i];
	return NULL;
}

static const struct saip_file *current_ef(const struct sim_card *card, const struct sim_channel *ch)
{
	if (ch->app != SIM_APP_MF || ch->ef == 0)
		return NULL;
	return lookup(card, ch->df_path, ch->df_depth, ch->ef);
}

static bool is_df(const struct saip_file *f)
{
	return f->type == SAIP_FT_MF || f->type == SAIP_FT_DF || f->type == SAIP_FT_ADF;
}

/* ---- FCP (TS 102 221 §11.1.1.3) ------------------------------------------------ */

static size_t put(uint8_t *b, size_t n, uint8_t tag, const uint8_t *v, size_t len)
{
	b[n++] = tag;
	b[n++] = (uint8_t)len;
	memcpy(b + n, v, len);
	return n + len;
}

int sim_fs_mf_fcp(struct sim_rbuf *out)
{
	/* 82 DF, 83 3F00, A5 UICC characteristics, 8A operational, 8B EF.ARR
	 * record 1, C6 PIN status template. */
	static const uint8_t fcp[] = {
		0x62, 0x1E,
		0x82, 0x02, 0x78, 0x21,
		0x83, 0x02, 0x3F, 0x00,
		0xA5, 0x03, 0x80, 0x01, 0x71,
		0x8A, 0x01, 0x05,
		0x8B, 0x03, 0x2F, 0x06, 0x01,
		0xC6, 0x06, 0x90, 0x01, 0x00, 0x83, 0x01, 0x01,
	};
	return sim_rbuf_put(out, fcp, sizeof(fcp));
}

static int file_fcp(const struct saip_file *f, struct sim_rbuf *out)
{
	uint8_t b[96], v[8];
	size_t n = 2;

	if (f->type == SAIP_FT_MF)
		return sim_fs_mf_fcp(out);
	if (is_df(f)) {
		v[0] = 0x78;
		v[1] = 0x21;
		n = put(b, n, 0x82, v, 2);
	} else if (f->type == SAIP_FT_LINEAR_FIXED || f->type == SAIP_FT_CYCLIC) {
		v[0] = f->fdb;
		v[1] = 0x21;
		v[2] = (uint8_t)(f->rec_len >> 8);
		v[3] = (uint8_t)f->rec_len;
		v[4] = (uint8_t)f->nb_rec;
		n = put(b, n, 0x82, v, 5);
	} else {
		v[0] = f->fdb;
		v[1] = 0x21;
		n = put(b, n, 0x82, v, 2);
	}
	v[0] = (uint8_t)(f->fid >> 8);
	v[1] = (uint8_t)f->fid;
	n = put(b, n, 0x83, v, 2);
	if (f->type == SAIP_FT_ADF && f->aid.len)
		n = put(b, n, 0x84, f->aid.b, f->aid.len);
	v[0] = f->lcsi ? f->lcsi : 0x05;
	n = put(b, n, 0x8A, v, 1);
	if (f->arr_len)
		n = put(b, n, 0x8B, f->arr, f->arr_len);
	if (is_df(f)) {
		static const uint8_t pin_tpl[] = { 0x90, 0x01, 0x00, 0x83, 0x01, 0x01 };

		n = put(b, n, 0xC6, pin_tpl, sizeof(pin_tpl));
	} else {
		uint32_t size = f->size_known ? f->size : (uint32_t)f->content_len;

		v[0] = (uint8_t)(size >> 8);
		v[1] = (uint8_t)size;
		n = put(b, n, 0x80, v, 2);
		if (f->sfi) {
			v[0] = (uint8_t)(f->sfi << 3);
			n = put(b, n, 0x88, v, 1);
		}
	}
	b[0] = 0x62;
	b[1] = (uint8_t)(n - 2);
	return sim_rbuf_put(out, b, n);
}

/* ---- SELECT ---------------------------------------------------------------------- */

static void select_df(struct sim_channel *ch, const uint16_t *path, uint8_t depth)
{
	ch->app = SIM_APP_MF;
	memcpy(ch->df_path, path, depth * sizeof(*path));
	ch->df_depth = depth;
	ch->ef = 0;
}

void sim_fs_select_mf(struct sim_channel *ch)
{
	static const uint16_t mf[1] = { FID_MF };

	select_df(ch, mf, 1);
}

_Static_assert(sizeof(((struct sim_channel *)0)->df_path) / sizeof(uint16_t) == SAIP_MAX_DEPTH,
	       "channel DF path depth");

static unsigned selected(const struct saip_file *f, const struct sim_apdu *a, struct sim_rbuf *out)
{
	if (a->p2 == 0x0C)
		return SW_OK;
	return file_fcp(f, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Select `fid` as seen from the DF path[0..depth): the DF itself's
 * children, then (ISO 7816-4 §7.1.1) the MF's. */
static unsigned select_fid_from(struct sim_card *card, struct sim_channel *ch, const uint16_t *path,
				uint8_t depth, uint16_t fid, const struct sim_apdu *a, struct sim_rbuf *out)
{
	static const struct saip_file mf = { .type = SAIP_FT_MF, .fid = FID_MF };
	const struct saip_file *f;
	uint16_t mfpath[1] = { FID_MF };

	if (fid == FID_MF) {
		select_df(ch, mfpath, 1);
		return selected(&mf, a, out);
	}
	f = lookup(card, path, depth, fid);
	if (!f && depth > 1)
		f = lookup(card, mfpath, 1, fid), path = mfpath, depth = 1;
	if (!f)
		return SW_FILE_NOT_FOUND;
	if (is_df(f)) {
		uint16_t sub[SAIP_MAX_DEPTH];

		if (depth >= SAIP_MAX_DEPTH)
			return SW_FILE_NOT_FOUND;
		memcpy(sub, path, depth * sizeof(*path));
		sub[depth] = fid;
		select_df(ch, sub, depth + 1);
	} else {
		select_df(ch, path, depth);
		ch->ef = fid;
	}
	return selected(f, a, out);
}

unsigned sim_fs_select_fid(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out)
{
	uint16_t path[SAIP_MAX_DEPTH];
	uint8_t depth;

	if (a->p2 != 0x04 && a->p2 != 0x0C && a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p1 == 0x00) {
		/* By FID, from the current DF (MF when an application is
		 * selected on the channel). */
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		if (ch->app == SIM_APP_MF && ch->df_depth) {
			memcpy(path, ch->df_path, sizeof(path));
			depth = ch->df_depth;
		} else {
			path[0] = FID_MF;
			depth = 1;
		}
		return select_fid_from(card, ch, path, depth, (uint16_t)(a->data[0] << 8 | a->data[1]), a, out);
	}
	if (a->p1 == 0x08 || a->p1 == 0x09) {
		/* By path from the MF (08) or the current DF (09), without
		 * the starting DF's own FID. */
		size_t n;

		if (a->lc < 2 || (a->lc & 1))
			return SW_WRONG_LENGTH;
		if (a->p1 == 0x08 || ch->app != SIM_APP_MF || !ch->df_depth) {
			path[0] = FID_MF;
			depth = 1;
		} else {
			memcpy(path, ch->df_path, sizeof(path));
			depth = ch->df_depth;
		}
		n = a->lc / 2;
		for (size_t i = 0; i < n; i++) {
			uint16_t fid = (uint16_t)(a->data[2 * i] << 8 | a->data[2 * i + 1]);
			const struct saip_file *f;

			if (fid == FID_MF)
				return SW_WRONG_DATA;	/* the path excludes the MF */
			if (i + 1 == n)
				return select_fid_from(card, ch, path, depth, fid, a, out);
			f = lookup(card, path, depth, fid);
			if (!f || !is_df(f) || depth >= SAIP_MAX_DEPTH)
				return SW_FILE_NOT_FOUND;
			path[depth++] = fid;
		}
	}
	return SW_WRONG_P1P2;
}

unsigned sim_fs_select_aid(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out)
{
	const struct saip_profile *p = enabled_files(card);

	/* ADFs of the enabled profile, right-truncated AIDs allowed. */
	for (size_t i = 0; p && i < p->n_files; i++) {
		const struct saip_file *f = &p->files[i];

		if (f->type != SAIP_FT_ADF || a->lc > f->aid.len || memcmp(f->aid.b, a->data, a->lc))
			continue;
		if (f->depth >= SAIP_MAX_DEPTH)
			return SW_FILE_NOT_FOUND;	/* no room for its path */
		select_df(ch, f->path, f->depth);
		ch->df_path[ch->df_depth++] = f->fid;
		LOG_INFO("SELECT %s on channel %u", f->name ? f->name : "ADF", a->channel);
		return selected(f, a, out);
	}
	return SW_FILE_NOT_FOUND;
}

/* ---- READ BINARY / READ RECORD ------------------------------------------------------ */

static const struct saip_file *target_ef(struct sim_card *card, struct sim_channel *ch, bool by_sfi,
					 uint8_t sfi, unsigned *sw)
{
	const struct saip_file *f;

	if (by_sfi) {
		f = ch->app == SIM_APP_MF ? lookup_sfi(card, ch, sfi) : NULL;
		if (!f) {
			*sw = SW_FILE_NOT_FOUND;
			return NULL;
		}
		ch->ef = f->fid;
		return f;
	}
	f = current_ef(card, ch);
	if (!f)
		*sw = SW_NO_CURRENT_EF;
	return f;
}

unsigned sim_fs_read_binary(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out)
{
	const struct saip_file *f;
	unsigned sw = SW_OK;
	size_t off, n, size;

	if ((a->p1 & 0xE0) == 0x80)
		f = target_ef(card, ch, true, a->p1 & 0x1F, &sw);	/* P1 = 100x xxxx: SFI */
	else if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	else
		f = target_ef(card, ch, false, 0, &sw);
	if (!f)
		return sw;
	if (f->type != SAIP_FT_TRANSPARENT)
		return SW_INCOMPATIBLE_FILE;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
	off = (a->p1 & 0x80) ? a->p2 : ((size_t)a->p1 << 8 | a->p2);
	size = f->content_len;
	if (off >= size)
		return SW_WRONG_OFFSET;
	n = size - off;
	if (n > a->ne)
		n = a->ne;
	if (sim_rbuf_put(out, f->content + off, n) < 0)
		return SW_UNKNOWN;
	return off + a->ne > size && a->ne != 256 ? SW_WARN_EOF : SW_OK;
}

unsigned sim_fs_read_record(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out)
{
	const struct saip_file *f;
	unsigned sw = SW_OK;
	uint8_t sfi = a->p2 >> 3;

	/* P2: b8-b4 SFI (0: current EF), b3-b1 '100' absolute record. */
	if ((a->p2 & 0x07) != 0x04)
		return SW_WRONG_P1P2;
	f = target_ef(card, ch, sfi != 0, sfi, &sw);
	if (!f)
		return sw;
	if (f->type != SAIP_FT_LINEAR_FIXED && f->type != SAIP_FT_CYCLIC)
		return SW_INCOMPATIBLE_FILE;
	if (a->p1 == 0 || a->p1 > f->nb_rec || (size_t)a->p1 * f->rec_len > f->content_len)
		return SW_RECORD_NOT_FOUND;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
	if (a->ne != f->rec_len && a->ne != 256)
		return SW_WRONG_LENGTH;
	return sim_rbuf_put(out, f->content + (size_t)(a->p1 - 1) * f->rec_len, f->rec_len) < 0 ?
	       SW_UNKNOWN : SW_OK;
}
