/* The file system application (ETSI TS 102 221 §8, §11.1; TS 31.102).
 *
 * Files are addressed by FID paths from the MF, ADFs by their temporary
 * FID, as in the profile package. Each channel has its own current DF, EF
 * and record. Access rules and PINs are in sim/fs_sec.c. */
#include "sim/fs.h"
#include "sim/fs_sec.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

int sim_fs_new(const struct sim_fs_source *src, struct sim_fs **out)
{
	struct sim_fs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return -EU_E_NOMEM;
	fs->src = *src;
	*out = fs;
	return 0;
}

void sim_fs_free(struct sim_fs *fs)
{
	free(fs);
}

bool sim_fs_key_satisfied(struct sim_fs *fs, unsigned channel, uint8_t key_ref)
{
	return fs_key_satisfied(fs, channel, key_ref);
}

int sim_fs_add_naa(struct sim_fs *fs, const uint8_t *prefix, size_t len, const struct sim_naa_ops *ops,
		   void *arg)
{
	struct naa_entry *e;

	if (fs->n_naa == SIM_FS_MAX_NAA || len == 0 || len > SIM_AID_MAX || !ops)
		return -EU_E_PARAM;
	e = &fs->naa[fs->n_naa++];
	memcpy(e->prefix, prefix, len);
	e->len = len;
	e->ops = ops;
	e->arg = arg;
	return 0;
}

static const struct sim_file *lookup_sfi(const struct sim_fs *fs, const struct fs_channel *ch, uint8_t sfi)
{
	size_t n;
	const struct sim_file *f = sim_files(&fs->src, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].sfi == sfi && f[i].depth == ch->df_depth &&
		    !memcmp(f[i].path, ch->df_path, ch->df_depth * sizeof(uint16_t)))
			return &f[i];
	return NULL;
}

static const struct sim_file *current_ef(const struct sim_fs *fs, const struct fs_channel *ch)
{
	if (ch->ef == 0)
		return NULL;
	return sim_file_lookup(&fs->src, ch->df_path, ch->df_depth, ch->ef);
}

static bool is_df(const struct sim_file *f)
{
	return f->type == SIM_FT_MF || f->type == SIM_FT_DF || f->type == SIM_FT_ADF;
}

/* ---- FCP (TS 102 221 §11.1.1.3) ------------------------------------------------ */

static size_t put(uint8_t *b, size_t n, uint8_t tag, const uint8_t *v, size_t len)
{
	b[n++] = tag;
	b[n++] = (uint8_t)len;
	memcpy(b + n, v, len);
	return n + len;
}

/* The MF as a file (it is in no package's file list). */
static const struct sim_file mf_file = {
	.type = SIM_FT_MF, .fid = SIM_FID_MF, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x01 }, .arr_len = 3,
	.name = "MF",
};

#define FDB_DF 0x78		/* folder, no data coding (TS 102 221 §11.1.1.4.3) */
#define DATA_CODING 0x21
#define LCSI_OPERATIONAL_ACTIVATED 0x05
/* UICC characteristics (§11.1.1.4.6.1): clock stop allowed, no
 * preferred level; 3 V and 1.8 V (the MF's A5 template). */
#define UICC_CHARACTERISTICS 0x71

/* FCP template, TLVs in the order of §11.1.1.3.1 (DF) / §11.1.1.3.2 (EF). */
static int file_fcp(struct sim_fs *fs, const struct sim_file *f, struct sim_rbuf *out)
{
	uint8_t b[256], v[8];
	size_t n = 2, ps;

	if (is_df(f)) {
		v[0] = FDB_DF;
		v[1] = DATA_CODING;
		n = put(b, n, 0x82, v, 2);
	} else if (f->type == SIM_FT_LINEAR_FIXED || f->type == SIM_FT_CYCLIC) {
		v[0] = f->fdb;
		v[1] = DATA_CODING;
		v[2] = (uint8_t)(f->rec_len >> 8);
		v[3] = (uint8_t)f->rec_len;
		v[4] = (uint8_t)f->nb_rec;
		n = put(b, n, 0x82, v, 5);
	} else {
		v[0] = f->fdb;
		v[1] = DATA_CODING;
		n = put(b, n, 0x82, v, 2);
	}
	v[0] = (uint8_t)(f->fid >> 8);
	v[1] = (uint8_t)f->fid;
	n = put(b, n, 0x83, v, 2);
	if (f->type == SIM_FT_ADF && f->aid.len)
		n = put(b, n, 0x84, f->aid.b, f->aid.len);
	if (f->type == SIM_FT_MF) {
		v[0] = 0x80;
		v[1] = 1;
		v[2] = UICC_CHARACTERISTICS;
		n = put(b, n, 0xA5, v, 3);
	}
	v[0] = f->lcsi ? f->lcsi : LCSI_OPERATIONAL_ACTIVATED;
	n = put(b, n, 0x8A, v, 1);
	if (f->arr_len)
		n = put(b, n, 0x8B, f->arr, f->arr_len);
	if (is_df(f)) {
		/* the PIN status template: which PINs this DF uses, which are
		 * enabled now (§11.1.1.4.10) */
		ps = fs_ps_do(fs, f, b + n, sizeof(b) - n);
		if (!ps)
			return -EU_E_TOO_LONG;
		n += ps;
	} else {
		uint32_t size = f->size_known ? f->size : (uint32_t)f->content_len;

		v[0] = (uint8_t)(size >> 8);
		v[1] = (uint8_t)size;
		n = put(b, n, 0x80, v, 2);
		/* 88 absent would mean "SFI = the FID's low five bits"; files
		 * without an SFI say so with an empty 88 (§11.1.1.4.8). */
		v[0] = (uint8_t)(f->sfi << 3);
		n = put(b, n, 0x88, v, f->sfi ? 1 : 0);
	}
	if (n - 2 > 0x7F)
		return -EU_E_TOO_LONG;	/* one length octet, as everything above */
	b[0] = 0x62;
	b[1] = (uint8_t)(n - 2);
	return sim_rbuf_put(out, b, n);
}

/* The current DF of a channel as a file. */
static const struct sim_file *current_df(const struct sim_fs *fs, const struct fs_channel *ch)
{
	if (ch->df_depth <= 1)
		return &mf_file;
	return sim_file_lookup(&fs->src, ch->df_path, ch->df_depth - 1, ch->df_path[ch->df_depth - 1]);
}

/* ---- SELECT ---------------------------------------------------------------------- */

static void select_df(struct fs_channel *ch, const uint16_t *path, uint8_t depth)
{
	memcpy(ch->df_path, path, depth * sizeof(*path));
	ch->df_depth = depth;
	ch->ef = 0;
	ch->rec = 0;
}

static void select_mf(struct fs_channel *ch)
{
	static const uint16_t mf[1] = { SIM_FID_MF };

	select_df(ch, mf, 1);
}

static unsigned selected(struct sim_fs *fs, const struct sim_file *f, const struct sim_apdu *a,
			 struct sim_rbuf *out)
{
	if (SIM_SELECT_NO_DATA(a->p2))
		return SW_OK;
	return file_fcp(fs, f, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Make f (found inside the DF path[0..depth)) current. */
static unsigned select_found(struct sim_fs *fs, struct fs_channel *ch, const uint16_t *path, uint8_t depth,
			     const struct sim_file *f, const struct sim_apdu *a, struct sim_rbuf *out)
{
	if (f->type == SIM_FT_MF) {
		select_mf(ch);
	} else if (is_df(f)) {
		uint16_t sub[SIM_FS_MAX_DEPTH];

		if (depth >= SIM_FS_MAX_DEPTH)
			return SW_FILE_NOT_FOUND;
		memcpy(sub, path, depth * sizeof(*path));
		sub[depth] = f->fid;
		select_df(ch, sub, depth + 1);
	} else {
		select_df(ch, path, depth);
		ch->ef = f->fid;
	}
	return selected(fs, f, a, out);
}

/* SELECT by FID from the current DF, in the order of TS 102 221
 * §11.1.1.2: the MF, the current DF's children, its parent, the parent's
 * children; then, as cards do and terminals expect, the MF's children. */
static unsigned select_fid(struct sim_fs *fs, struct fs_channel *ch, uint16_t fid, const struct sim_apdu *a,
			   struct sim_rbuf *out)
{
	static const uint16_t mfpath[1] = { SIM_FID_MF };
	uint16_t path[SIM_FS_MAX_DEPTH];
	uint8_t depth = ch->df_depth;
	const struct sim_file *f;

	memcpy(path, ch->df_path, sizeof(path));
	if (fid == SIM_FID_MF)
		return select_found(fs, ch, mfpath, 0, &mf_file, a, out);
	f = sim_file_lookup(&fs->src, path, depth, fid);
	if (f)
		return select_found(fs, ch, path, depth, f, a, out);
	if (depth > 1 && path[depth - 1] == fid)
		return selected(fs, current_df(fs, ch), a, out);	/* the current DF itself */
	if (depth > 1) {
		if (path[depth - 2] == fid) {		/* the parent */
			const struct sim_file *parent = depth == 2 ? &mf_file :
				sim_file_lookup(&fs->src, path, depth - 2, fid);

			if (parent) {
				select_df(ch, path, depth - 1);
				return selected(fs, parent, a, out);
			}
		}
		f = sim_file_lookup(&fs->src, path, depth - 1, fid);	/* the parent's children */
		if (f)
			return select_found(fs, ch, path, depth - 1, f, a, out);
		f = sim_file_lookup(&fs->src, mfpath, 1, fid);
		if (f) {
			LOG_DEBUG("SELECT %04X: found among the MF's files, outside TS 102 221's search order",
				  fid);
			return select_found(fs, ch, mfpath, 1, f, a, out);
		}
	}
	return SW_FILE_NOT_FOUND;
}

/* By path from the MF (08) or from the current DF (09), without the
 * starting DF's own FID. */
static unsigned select_path(struct sim_fs *fs, struct fs_channel *ch, const struct sim_apdu *a,
			    struct sim_rbuf *out)
{
	uint16_t path[SIM_FS_MAX_DEPTH];
	uint8_t depth;

	if (a->lc < 2 || (a->lc & 1))
		return SW_WRONG_LENGTH;
	if (a->p1 == 0x08) {
		path[0] = SIM_FID_MF;
		depth = 1;
	} else {
		memcpy(path, ch->df_path, sizeof(path));
		depth = ch->df_depth;
	}
	for (size_t i = 0, n = a->lc / 2; i < n; i++) {
		uint16_t fid = (uint16_t)(a->data[2 * i] << 8 | a->data[2 * i + 1]);
		const struct sim_file *f;

		if (fid == SIM_FID_MF)
			return SW_WRONG_DATA;	/* the path excludes the MF */
		f = depth < SIM_FS_MAX_DEPTH ? sim_file_lookup(&fs->src, path, depth, fid) : NULL;
		if (i + 1 == n)
			return f ? select_found(fs, ch, path, depth, f, a, out) : SW_FILE_NOT_FOUND;
		if (!f || !is_df(f))
			return SW_FILE_NOT_FOUND;
		path[depth++] = fid;
	}
	return SW_FILE_NOT_FOUND;	/* not reached: lc >= 2 */
}

static unsigned fs_select_file(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;

	switch (a->p1) {
	case 0x00:
		/* No data: the MF, with P2 "no data" (TS 102 221 §11.1.1.2). */
		if (a->lc == 0) {
			if (!SIM_SELECT_NO_DATA(a->p2))
				return SW_WRONG_P1P2;
			select_mf(ch);
			return SW_OK;
		}
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		return select_fid(fs, ch, (uint16_t)(a->data[0] << 8 | a->data[1]), a, out);
	case 0x01:	/* a child DF of the current DF */
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		f = sim_file_lookup(&fs->src, ch->df_path, ch->df_depth, (uint16_t)(a->data[0] << 8 | a->data[1]));
		if (!f || !is_df(f))
			return SW_FILE_NOT_FOUND;
		return select_found(fs, ch, ch->df_path, ch->df_depth, f, a, out);
	case 0x03:	/* the parent DF of the current DF */
		if (a->lc)
			return SW_WRONG_LENGTH;
		if (ch->df_depth <= 1)
			return SW_FILE_NOT_FOUND;	/* the MF has none */
		select_df(ch, ch->df_path, ch->df_depth - 1);
		return selected(fs, current_df(fs, ch), a, out);
	default:	/* 08, 09 */
		return select_path(fs, ch, a, out);
	}
}

/* The n-th ADF of the enabled profile whose name starts with aid (an
 * ADF too deep for a channel's path cannot be selected). */
static const struct sim_file *find_adf(const struct sim_fs *fs, const uint8_t *aid, size_t len, size_t n)
{
	size_t count;
	const struct sim_file *f = sim_files(&fs->src, &count);

	for (size_t i = 0; i < count; i++)
		if (f[i].type == SIM_FT_ADF && len <= f[i].aid.len && !memcmp(f[i].aid.b, aid, len) &&
		    f[i].depth < SIM_FS_MAX_DEPTH && n-- == 0)
			return &f[i];
	return NULL;
}

static bool fs_match(void *app, const uint8_t *aid, size_t len, size_t n, uint8_t full[SIM_AID_MAX],
		     size_t *full_len)
{
	const struct sim_file *f = find_adf(app, aid, len, n);

	if (!f)
		return false;
	memcpy(full, f->aid.b, f->aid.len);
	*full_len = f->aid.len;
	return true;
}

static unsigned fs_select(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f = find_adf(fs, a->data, a->lc, 0);

	if (!f) {
		select_mf(ch);
		return SW_FILE_NOT_FOUND;
	}
	select_df(ch, f->path, f->depth);
	ch->df_path[ch->df_depth++] = f->fid;
	LOG_INFO("SELECT %s on channel %u", f->name ? f->name : "ADF", a->channel);
	return selected(fs, f, a, out);
}

static void fs_open(void *app, unsigned channel)
{
	struct sim_fs *fs = app;

	select_mf(&fs->ch[channel]);
}

static void fs_reset(void *app, enum sim_power_event ev)
{
	struct sim_fs *fs = app;

	(void)ev;
	/* After a reset or REFRESH every channel is back in the MF, and no
	 * PIN is verified any more. */
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		select_mf(&fs->ch[i]);
	fs_sec_reset(fs);
}

/* STATUS: the FCP of the current DF (an EF selected in it changes
 * nothing). */
static int fs_status(void *app, unsigned channel, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	const struct sim_file *df = current_df(fs, &fs->ch[channel]);

	return df ? file_fcp(fs, df, out) : -EU_E_NOT_FOUND;
}

/* ---- the current EF --------------------------------------------------------------- */

/* The EF a command names: by SFI in the current DF (it becomes the
 * current EF), or the current EF. */
static const struct sim_file *target_ef(struct sim_fs *fs, struct fs_channel *ch, bool by_sfi, uint8_t sfi,
					unsigned *sw)
{
	const struct sim_file *f;

	if (by_sfi) {
		f = lookup_sfi(fs, ch, sfi);
		if (!f) {
			*sw = SW_FILE_NOT_FOUND;
			return NULL;
		}
		if (ch->ef != f->fid)
			ch->rec = 0;
		ch->ef = f->fid;
		return f;
	}
	f = current_ef(fs, ch);
	if (!f)
		*sw = SW_NO_CURRENT_EF;
	return f;
}

/* READ/UPDATE BINARY P1-P2 (TS 102 221 §11.1.3.2): P1 b8 = 1 names an
 * EF by SFI (b5-b1, b7-b6 zero) with the offset in P2; otherwise P1-P2
 * is a 15-bit offset into the current EF. */
static const struct sim_file *binary_target(struct sim_fs *fs, const struct sim_apdu *a, size_t *off,
					    unsigned *sw)
{
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;

	if ((a->p1 & 0xE0) == 0x80) {
		f = target_ef(fs, ch, true, a->p1 & 0x1F, sw);
		*off = a->p2;
	} else if (a->p1 & 0x80) {
		*sw = SW_WRONG_P1P2;
		return NULL;
	} else {
		f = target_ef(fs, ch, false, 0, sw);
		*off = (size_t)a->p1 << 8 | a->p2;
	}
	if (f && f->type != SIM_FT_TRANSPARENT) {
		*sw = SW_INCOMPATIBLE_FILE;
		return NULL;
	}
	return f;
}

static bool is_record_ef(const struct sim_file *f)
{
	return f->type == SIM_FT_LINEAR_FIXED || f->type == SIM_FT_CYCLIC;
}

/* Records there are content for. */
static unsigned n_records(const struct sim_file *f)
{
	size_t n;

	if (!f->rec_len)
		return 0;
	n = f->content_len / f->rec_len;
	return n < f->nb_rec ? (unsigned)n : f->nb_rec;
}

static const uint8_t *record(const struct sim_file *f, unsigned r)
{
	return f->content + (size_t)(r - 1) * f->rec_len;
}

/* Hand a file's new content to the source, which makes it durable. */
static unsigned commit_content(struct sim_fs *fs, const struct sim_file *f, const uint8_t *content,
			       const char *cmd)
{
	struct sim_fs_change c = { .file = f, .content = content };
	int rc = fs->src.commit ? fs->src.commit(fs->src.arg, &c) : -EU_E_STATE;

	if (rc < 0) {
		LOG_ERR("%s %s: the change could not be stored (%s); nothing changed", cmd,
			f->name ? f->name : "EF", eu_strerror(rc));
		return SW_MEMORY_PROBLEM;
	}
	return SW_OK;
}

/* A copy of f's content to change. */
static uint8_t *content_copy(const struct sim_file *f)
{
	uint8_t *b = malloc(f->content_len ? f->content_len : 1);

	if (b && f->content_len)
		memcpy(b, f->content, f->content_len);
	return b;
}

/* ---- READ / UPDATE BINARY (§11.1.3, §11.1.4) ----------------------------------- */

static unsigned fs_read_binary(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	const struct sim_file *f;
	unsigned sw = SW_OK;
	size_t off, n, size;

	f = binary_target(fs, a, &off, &sw);
	if (!f)
		return sw;
	if (!fs_allowed(fs, f, FS_READ))
		return SW_SECURITY_STATUS;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
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

static unsigned fs_update_binary(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	const struct sim_file *f;
	unsigned sw = SW_OK;
	uint8_t *b;
	size_t off;

	(void)out;
	f = binary_target(fs, a, &off, &sw);
	if (!f)
		return sw;
	if (!fs_allowed(fs, f, FS_UPDATE))
		return SW_SECURITY_STATUS;
	if (off >= f->content_len)
		return SW_WRONG_OFFSET;
	if (a->lc > f->content_len - off)
		return SW_WRONG_LENGTH;		/* would run past the end of the EF */
	b = content_copy(f);
	if (!b)
		return SW_MEMORY_PROBLEM;
	memcpy(b + off, a->data, a->lc);
	sw = commit_content(fs, f, b, "UPDATE BINARY");
	free(b);
	if (sw == SW_OK)
		LOG_INFO("UPDATE BINARY %s: %zu bytes at %zu", f->name ? f->name : "EF", a->lc, off);
	return sw;
}

/* ---- records (§11.1.5, §11.1.6, §11.1.7, §11.1.8) ------------------------------------ */

/* READ/UPDATE RECORD P2 b3-b1 (§11.1.5.2, Table 11.11). */
#define REC_MODE(p2)	((p2) & 0x07)
enum { REC_NEXT = 2, REC_PREVIOUS = 3, REC_ABSOLUTE = 4 };

/* The record a READ/UPDATE RECORD names (0: none, 6A83), and whether it
 * becomes the current record. Absolute mode with P1 00 is the current
 * record; next and previous move the record pointer, wrapping round in
 * a cyclic file (§8.2.2). */
static unsigned pick_record(const struct sim_file *f, const struct fs_channel *ch, uint8_t p1, unsigned mode,
			    bool *moves)
{
	unsigned n = n_records(f), cur = ch->rec <= n ? ch->rec : 0;
	bool cyclic = f->type == SIM_FT_CYCLIC;

	*moves = mode != REC_ABSOLUTE;
	if (n == 0)
		return 0;
	switch (mode) {
	case REC_NEXT:
		if (cur == 0 || (cyclic && cur == n))
			return 1;
		return cur < n ? cur + 1 : 0;
	case REC_PREVIOUS:
		if (cur == 0 || (cyclic && cur == 1))
			return n;
		return cur > 1 ? cur - 1 : 0;
	default:
		if (p1 == 0)
			return cur;
		return p1 <= n ? p1 : 0;
	}
}

/* P2 b8-b4: SFI (0: the current EF), b3-b1: the mode. */
static const struct sim_file *record_target(struct sim_fs *fs, const struct sim_apdu *a, unsigned *sw)
{
	struct fs_channel *ch = &fs->ch[a->channel];
	uint8_t sfi = a->p2 >> 3;
	const struct sim_file *f;

	if (sfi == 0x1F) {
		*sw = SW_WRONG_P1P2;	/* RFU */
		return NULL;
	}
	f = target_ef(fs, ch, sfi != 0, sfi, sw);
	if (f && !is_record_ef(f)) {
		*sw = SW_INCOMPATIBLE_FILE;
		return NULL;
	}
	return f;
}

/* The record EF of a READ or UPDATE RECORD, its mode and access checked
 * (next and previous take no record number; a cyclic EF is written in
 * PREVIOUS mode only, its oldest record, §11.1.6.1). */
static const struct sim_file *record_ef(struct sim_fs *fs, const struct sim_apdu *a, enum fs_op op, unsigned *sw)
{
	unsigned m = REC_MODE(a->p2);
	const struct sim_file *f;

	if (m != REC_ABSOLUTE && !((m == REC_NEXT || m == REC_PREVIOUS) && a->p1 == 0)) {
		*sw = SW_WRONG_P1P2;
		return NULL;
	}
	f = record_target(fs, a, sw);
	if (f && op == FS_UPDATE && f->type == SIM_FT_CYCLIC && m != REC_PREVIOUS) {
		*sw = SW_INCOMPATIBLE_FILE;
		return NULL;
	}
	if (f && !fs_allowed(fs, f, op)) {
		*sw = SW_SECURITY_STATUS;
		return NULL;
	}
	return f;
}

static unsigned fs_read_record(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	unsigned sw = SW_OK, r;
	bool moves;

	f = record_ef(fs, a, FS_READ, &sw);
	if (!f)
		return sw;
	r = pick_record(f, ch, a->p1, REC_MODE(a->p2), &moves);
	if (r == 0)
		return SW_RECORD_NOT_FOUND;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
	if (a->ne != f->rec_len && a->ne != 256)
		return SW_WRONG_LENGTH;
	if (sim_rbuf_put(out, record(f, r), f->rec_len) < 0)
		return SW_UNKNOWN;
	if (moves)
		ch->rec = (uint16_t)r;
	return SW_OK;
}

/* The new content of a cyclic EF whose oldest record is replaced by rec
 * (it becomes record 1, §8.2.2); n_records(f) >= 1. */
static void cyclic_push(const struct sim_file *f, const uint8_t *rec, uint8_t *b)
{
	size_t keep = (size_t)(n_records(f) - 1) * f->rec_len;

	memmove(b + f->rec_len, f->content, keep);
	memcpy(b, rec, f->rec_len);
}

static unsigned fs_update_record(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	unsigned sw = SW_OK, r;
	bool moves;
	uint8_t *b;

	(void)out;
	f = record_ef(fs, a, FS_UPDATE, &sw);
	if (!f)
		return sw;
	if (a->lc != f->rec_len)
		return SW_WRONG_LENGTH;
	if (f->type == SIM_FT_CYCLIC) {
		r = n_records(f) ? 1 : 0;
		moves = true;
	} else {
		r = pick_record(f, ch, a->p1, REC_MODE(a->p2), &moves);
	}
	if (r == 0)
		return SW_RECORD_NOT_FOUND;
	b = content_copy(f);
	if (!b)
		return SW_MEMORY_PROBLEM;
	if (f->type == SIM_FT_CYCLIC)
		cyclic_push(f, a->data, b);
	else
		memcpy(b + (size_t)(r - 1) * f->rec_len, a->data, f->rec_len);
	sw = commit_content(fs, f, b, "UPDATE RECORD");
	free(b);
	if (sw != SW_OK)
		return sw;
	if (moves)
		ch->rec = (uint16_t)r;
	LOG_INFO("UPDATE RECORD %s: record %u", f->name ? f->name : "EF", r);
	return SW_OK;
}

/* SEARCH RECORD P2 b3-b1 and the enhanced search indication (§11.1.7.2,
 * Tables 11.12 and 11.13). */
enum { SEARCH_FWD_P1 = 4, SEARCH_BACK_P1 = 5, SEARCH_ENHANCED = 6 };
#define SEARCH_FROM_NEXT 6	/* enhanced: forward from the next record */
#define SEARCH_FROM_PREV 7	/* enhanced: backward from the previous record */
#define SEARCH_VALUE_MODE 0x08	/* enhanced byte 1 b8-b4 = 00001 */

struct search {
	unsigned first, step_back;	/* record to start at; direction */
	bool value_mode;
	uint8_t where;			/* offset, or the value to search after */
	const uint8_t *s;
	size_t len;
};

/* Whether record r matches: the string at the offset, or right after the
 * first occurrence of the value. */
static bool search_match(const struct sim_file *f, unsigned r, const struct search *q)
{
	const uint8_t *rec = record(f, r);
	size_t start = q->where;

	if (q->value_mode) {
		const uint8_t *hit = memchr(rec, q->where, f->rec_len);

		if (!hit)
			return false;
		start = (size_t)(hit - rec) + 1;
	}
	return start <= f->rec_len && q->len <= f->rec_len - start && !memcmp(rec + start, q->s, q->len);
}

/* Parse P1, P2 and the data into a search; 0 or a status word. */
static unsigned search_params(const struct sim_file *f, const struct fs_channel *ch, const struct sim_apdu *a,
			      struct search *q)
{
	unsigned mode = REC_MODE(a->p2), n = n_records(f), cur = ch->rec <= n ? ch->rec : 0, dir;
	unsigned p1 = a->p1 ? a->p1 : cur;

	memset(q, 0, sizeof(*q));
	q->s = a->data;
	q->len = a->lc;
	if (mode == SEARCH_ENHANCED) {
		uint8_t ind = a->data[0];

		if (a->lc < 3)
			return SW_WRONG_LENGTH;
		if ((ind & 0xF0) || !(ind & 0x04))
			return SW_WRONG_DATA;	/* RFU coding of the search indication */
		q->value_mode = ind & SEARCH_VALUE_MODE;
		q->where = a->data[1];
		q->s = a->data + 2;
		q->len = a->lc - 2;
		dir = ind & 0x07;
	} else if (mode == SEARCH_FWD_P1 || mode == SEARCH_BACK_P1) {
		dir = mode;
	} else {
		return SW_WRONG_P1P2;	/* RFU, or proprietary search */
	}
	if (q->len > f->rec_len)
		return SW_WRONG_LENGTH;
	if (a->p1 > n)
		return SW_RECORD_NOT_FOUND;
	switch (dir) {
	case SEARCH_FWD_P1: q->first = p1 ? p1 : 1; break;
	case SEARCH_BACK_P1: q->first = p1 ? p1 : n; q->step_back = 1; break;
	case SEARCH_FROM_NEXT: q->first = cur + 1; break;
	default: q->first = cur ? cur - 1 : n; q->step_back = 1; break;	/* SEARCH_FROM_PREV */
	}
	return 0;
}

static unsigned fs_search_record(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	struct search q;
	unsigned sw = SW_OK, found = 0, first = 0;

	f = record_target(fs, a, &sw);
	if (!f)
		return sw;
	if (!fs_allowed(fs, f, FS_READ))
		return SW_SECURITY_STATUS;
	sw = search_params(f, ch, a, &q);
	if (sw)
		return sw;
	for (unsigned r = q.first; r >= 1 && r <= n_records(f); r = q.step_back ? r - 1 : r + 1) {
		uint8_t b = (uint8_t)r;

		if (!search_match(f, r, &q))
			continue;
		if (sim_rbuf_put(out, &b, 1) < 0)
			return SW_UNKNOWN;
		if (!found++)
			first = r;
	}
	if (!found)
		return SW_WARN_EOF;	/* unsuccessful search, no data (§10.2.1.3) */
	ch->rec = (uint16_t)first;	/* the first record found becomes current */
	return SW_OK;
}

/* INCREASE (§11.1.8): adds the value to record 1 of a cyclic EF; the sum
 * goes into the oldest record, which becomes record 1. Answers the new
 * record and the value added. */
static unsigned fs_increase(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	unsigned sw = SW_OK, carry = 0;
	uint8_t sum[256], *b;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	f = target_ef(fs, ch, false, 0, &sw);
	if (!f)
		return sw;
	if (f->type != SIM_FT_CYCLIC)
		return SW_INCOMPATIBLE_FILE;
	if (!fs_allowed(fs, f, FS_INCREASE))
		return SW_SECURITY_STATUS;
	if (a->lc > f->rec_len || f->rec_len > sizeof(sum))
		return SW_WRONG_LENGTH;
	if (n_records(f) == 0)
		return SW_RECORD_NOT_FOUND;
	/* big-endian addition, the value right-aligned */
	for (size_t i = f->rec_len; i-- > 0;) {
		size_t k = f->rec_len - 1 - i;
		unsigned v = record(f, 1)[i] + carry + (k < a->lc ? a->data[a->lc - 1 - k] : 0);

		sum[i] = (uint8_t)v;
		carry = v >> 8;
	}
	if (carry)
		return SW_INCREASE_MAX;
	b = content_copy(f);
	if (!b)
		return SW_MEMORY_PROBLEM;
	cyclic_push(f, sum, b);
	sw = commit_content(fs, f, b, "INCREASE");
	free(b);
	if (sw != SW_OK)
		return sw;
	ch->rec = 1;
	LOG_INFO("INCREASE %s by %zu bytes", f->name ? f->name : "EF", a->lc);
	if (sim_rbuf_put(out, sum, f->rec_len) < 0 || sim_rbuf_put(out, a->data, a->lc) < 0)
		return SW_UNKNOWN;
	return SW_OK;
}

/* ---- application commands of the NAAs ------------------------------------------------- */

/* The NAA handler for the ADF the channel's current DF is in. Outside an
 * ADF the command has no application to run in (6985, TS 31.102 §7.3.2);
 * in an ADF no handler knows, the application lacks the command (6D00). */
static const struct naa_entry *channel_naa(struct sim_fs *fs, unsigned channel, struct sim_naa_ctx *ctx,
					   unsigned *sw)
{
	const struct fs_channel *ch = &fs->ch[channel];
	const struct sim_file *adf;

	*sw = SW_CONDITIONS_NOT_SATISFIED;
	if (ch->df_depth < 2)
		return NULL;
	adf = sim_file_lookup(&fs->src, ch->df_path, 1, ch->df_path[1]);
	if (!adf || adf->type != SIM_FT_ADF)
		return NULL;
	*sw = SW_INS_NOT_SUPPORTED;
	for (size_t i = 0; i < fs->n_naa; i++) {
		const struct naa_entry *e = &fs->naa[i];

		if (adf->aid.len >= e->len && !memcmp(adf->aid.b, e->prefix, e->len)) {
			ctx->fs = fs;
			ctx->channel = channel;
			ctx->adf = adf;
			return e;
		}
	}
	return NULL;
}

/* AUTHENTICATE and GET IDENTITY: to the NAA handler, if it has the
 * command. */
static unsigned naa_command(struct sim_fs *fs, const struct sim_apdu *a, struct sim_rbuf *out, bool auth)
{
	struct sim_naa_ctx ctx;
	unsigned sw;
	const struct naa_entry *e = channel_naa(fs, a->channel, &ctx, &sw);
	sim_naa_fn fn = !e ? NULL : auth ? e->ops->authenticate : e->ops->get_identity;

	if (!e) {
		LOG_INFO("%s refused: no network access application selected on channel %u",
			 auth ? "AUTHENTICATE" : "GET IDENTITY", a->channel);
		return sw;
	}
	return fn ? fn(e->arg, &ctx, a, out) : SW_INS_NOT_SUPPORTED;
}

static unsigned fs_authenticate(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	return naa_command(app, a, out, true);
}

static unsigned fs_get_identity(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	return naa_command(app, a, out, false);
}

/* The commands of the file system and of the NAAs in it. Class: TS 102
 * 221 Table 10.5 (INCREASE and GET IDENTITY are '8X'). Reaching another
 * application's channel: no current EF for file commands; the PIN and
 * NAA commands are not that application's. */
static const struct sim_cmd fs_cmds[] = {
	{ 0xB0, SIM_CLS_ISO, SIM_DATA_NONE, "READ BINARY", fs_read_binary, SW_NO_CURRENT_EF },
	{ 0xD6, SIM_CLS_ISO, SIM_DATA_REQUIRED, "UPDATE BINARY", fs_update_binary, SW_NO_CURRENT_EF },
	{ 0xB2, SIM_CLS_ISO, SIM_DATA_NONE, "READ RECORD", fs_read_record, SW_NO_CURRENT_EF },
	{ 0xDC, SIM_CLS_ISO, SIM_DATA_REQUIRED, "UPDATE RECORD", fs_update_record, SW_NO_CURRENT_EF },
	{ 0xA2, SIM_CLS_ISO, SIM_DATA_REQUIRED, "SEARCH RECORD", fs_search_record, SW_NO_CURRENT_EF },
	{ 0x32, SIM_CLS_GP, SIM_DATA_REQUIRED, "INCREASE", fs_increase, SW_NO_CURRENT_EF },
	{ 0x20, SIM_CLS_ISO, SIM_DATA_OPTIONAL, "VERIFY PIN", fs_verify_pin, SW_INS_NOT_SUPPORTED },
	{ 0x24, SIM_CLS_ISO, SIM_DATA_REQUIRED, "CHANGE PIN", fs_change_pin, SW_INS_NOT_SUPPORTED },
	{ 0x26, SIM_CLS_ISO, SIM_DATA_REQUIRED, "DISABLE PIN", fs_disable_pin, SW_INS_NOT_SUPPORTED },
	{ 0x28, SIM_CLS_ISO, SIM_DATA_REQUIRED, "ENABLE PIN", fs_enable_pin, SW_INS_NOT_SUPPORTED },
	{ 0x2C, SIM_CLS_ISO, SIM_DATA_OPTIONAL, "UNBLOCK PIN", fs_unblock_pin, SW_INS_NOT_SUPPORTED },
	{ 0x88, SIM_CLS_ISO, SIM_DATA_REQUIRED, "AUTHENTICATE", fs_authenticate, SW_INS_NOT_SUPPORTED },
	{ 0x78, SIM_CLS_GP, SIM_DATA_OPTIONAL, "GET IDENTITY", fs_get_identity, SW_INS_NOT_SUPPORTED },
};

const struct sim_app_ops sim_fs_app = {
	.name = "MF",
	.select = fs_select,
	.reset = fs_reset,
	.status = fs_status,
	.cmds = fs_cmds,
	.n_cmds = ARRAY_SIZE(fs_cmds),
	.match = fs_match,
	.select_file = fs_select_file,
	.open = fs_open,
};
