/* The file system application (ETSI TS 102 221 §8, §11.1.1; TS 31.102).
 *
 * Files are addressed by FID paths from the MF, ADFs by their temporary
 * FID, as in the profile package. Each channel has its own current DF and
 * EF. */
#include "sim/fs.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <stdlib.h>
#include <string.h>

struct fs_channel {
	uint16_t df_path[SIM_FS_MAX_DEPTH];	/* current DF as FIDs from the MF */
	uint8_t df_depth;
	uint16_t ef;				/* current EF in that DF, 0 = none */
};

struct sim_fs {
	struct sim_fs_source src;
	struct fs_channel ch[SIM_MAX_CHANNELS];
};

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

static const struct sim_file *files(const struct sim_fs *fs, size_t *n)
{
	const struct sim_file *f = fs->src.files(fs->src.arg, n);

	if (!f)
		*n = 0;
	return f;
}

/* The file `fid` directly inside the DF at path[0..depth). */
static const struct sim_file *lookup(const struct sim_fs *fs, const uint16_t *path, uint8_t depth, uint16_t fid)
{
	size_t n;
	const struct sim_file *f = files(fs, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].fid == fid && f[i].depth == depth && !memcmp(f[i].path, path, depth * sizeof(*path)))
			return &f[i];
	return NULL;
}

static const struct sim_file *lookup_sfi(const struct sim_fs *fs, const struct fs_channel *ch, uint8_t sfi)
{
	size_t n;
	const struct sim_file *f = files(fs, &n);

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
	return lookup(fs, ch->df_path, ch->df_depth, ch->ef);
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
static int file_fcp(const struct sim_file *f, struct sim_rbuf *out)
{
	static const uint8_t pin_tpl[] = { 0x90, 0x01, 0x00, 0x83, 0x01, 0x01 };
	uint8_t b[128], v[8];
	size_t n = 2;

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
		n = put(b, n, 0xC6, pin_tpl, sizeof(pin_tpl));
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
	b[0] = 0x62;
	b[1] = (uint8_t)(n - 2);
	return sim_rbuf_put(out, b, n);
}

/* The current DF of a channel as a file. */
static const struct sim_file *current_df(const struct sim_fs *fs, const struct fs_channel *ch)
{
	if (ch->df_depth <= 1)
		return &mf_file;
	return lookup(fs, ch->df_path, ch->df_depth - 1, ch->df_path[ch->df_depth - 1]);
}

/* ---- SELECT ---------------------------------------------------------------------- */

static void select_df(struct fs_channel *ch, const uint16_t *path, uint8_t depth)
{
	memcpy(ch->df_path, path, depth * sizeof(*path));
	ch->df_depth = depth;
	ch->ef = 0;
}

static void select_mf(struct fs_channel *ch)
{
	static const uint16_t mf[1] = { SIM_FID_MF };

	select_df(ch, mf, 1);
}

static unsigned selected(const struct sim_file *f, const struct sim_apdu *a, struct sim_rbuf *out)
{
	if (SIM_SELECT_NO_DATA(a->p2))
		return SW_OK;
	return file_fcp(f, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Make f (found inside the DF path[0..depth)) current. */
static unsigned select_found(struct fs_channel *ch, const uint16_t *path, uint8_t depth, const struct sim_file *f,
			     const struct sim_apdu *a, struct sim_rbuf *out)
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
	return selected(f, a, out);
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
		return select_found(ch, mfpath, 0, &mf_file, a, out);
	f = lookup(fs, path, depth, fid);
	if (f)
		return select_found(ch, path, depth, f, a, out);
	if (depth > 1 && path[depth - 1] == fid)
		return selected(current_df(fs, ch), a, out);	/* the current DF itself */
	if (depth > 1) {
		if (path[depth - 2] == fid) {		/* the parent */
			const struct sim_file *parent = depth == 2 ? &mf_file :
				lookup(fs, path, depth - 2, fid);

			if (parent) {
				select_df(ch, path, depth - 1);
				return selected(parent, a, out);
			}
		}
		f = lookup(fs, path, depth - 1, fid);	/* the parent's children */
		if (f)
			return select_found(ch, path, depth - 1, f, a, out);
		f = lookup(fs, mfpath, 1, fid);
		if (f) {
			LOG_DEBUG("SELECT %04X: found among the MF's files, outside TS 102 221's search order",
				  fid);
			return select_found(ch, mfpath, 1, f, a, out);
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
		f = depth < SIM_FS_MAX_DEPTH ? lookup(fs, path, depth, fid) : NULL;
		if (i + 1 == n)
			return f ? select_found(ch, path, depth, f, a, out) : SW_FILE_NOT_FOUND;
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
		f = lookup(fs, ch->df_path, ch->df_depth, (uint16_t)(a->data[0] << 8 | a->data[1]));
		if (!f || !is_df(f))
			return SW_FILE_NOT_FOUND;
		return select_found(ch, ch->df_path, ch->df_depth, f, a, out);
	case 0x03:	/* the parent DF of the current DF */
		if (a->lc)
			return SW_WRONG_LENGTH;
		if (ch->df_depth <= 1)
			return SW_FILE_NOT_FOUND;	/* the MF has none */
		select_df(ch, ch->df_path, ch->df_depth - 1);
		return selected(current_df(fs, ch), a, out);
	default:	/* 08, 09 */
		return select_path(fs, ch, a, out);
	}
}

/* The n-th ADF of the enabled profile whose name starts with aid (an
 * ADF too deep for a channel's path cannot be selected). */
static const struct sim_file *find_adf(const struct sim_fs *fs, const uint8_t *aid, size_t len, size_t n)
{
	size_t count;
	const struct sim_file *f = files(fs, &count);

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
	return selected(f, a, out);
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
	/* After a reset or REFRESH every channel is back in the MF. */
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		select_mf(&fs->ch[i]);
}

/* STATUS: the FCP of the current DF (an EF selected in it changes
 * nothing). */
static int fs_status(void *app, unsigned channel, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	const struct sim_file *df = current_df(fs, &fs->ch[channel]);

	return df ? file_fcp(df, out) : -EU_E_NOT_FOUND;
}

/* ---- READ BINARY / READ RECORD ------------------------------------------------------ */

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
		ch->ef = f->fid;
		return f;
	}
	f = current_ef(fs, ch);
	if (!f)
		*sw = SW_NO_CURRENT_EF;
	return f;
}

static unsigned fs_read_binary(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	unsigned sw = SW_OK;
	size_t off, n, size;

	if ((a->p1 & 0xE0) == 0x80)
		f = target_ef(fs, ch, true, a->p1 & 0x1F, &sw);	/* P1 = 100x xxxx: SFI */
	else if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	else
		f = target_ef(fs, ch, false, 0, &sw);
	if (!f)
		return sw;
	if (f->type != SIM_FT_TRANSPARENT)
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

static unsigned fs_read_record(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f;
	unsigned sw = SW_OK;
	uint8_t sfi = a->p2 >> 3;

	/* P2: b8-b4 SFI (0: current EF), b3-b1 '100' absolute record. */
	if ((a->p2 & 0x07) != 0x04)
		return SW_WRONG_P1P2;
	f = target_ef(fs, ch, sfi != 0, sfi, &sw);
	if (!f)
		return sw;
	if (f->type != SIM_FT_LINEAR_FIXED && f->type != SIM_FT_CYCLIC)
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

static const struct sim_cmd fs_cmds[] = {
	{ 0xB0, SIM_CLS_ISO, SIM_DATA_NONE, "READ BINARY", fs_read_binary, SW_NO_CURRENT_EF },
	{ 0xB2, SIM_CLS_ISO, SIM_DATA_NONE, "READ RECORD", fs_read_record, SW_NO_CURRENT_EF },
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
