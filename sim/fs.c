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

static int mf_fcp(struct sim_rbuf *out)
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

static int file_fcp(const struct sim_file *f, struct sim_rbuf *out)
{
	uint8_t b[96], v[8];
	size_t n = 2;

	if (f->type == SIM_FT_MF)
		return mf_fcp(out);
	if (is_df(f)) {
		v[0] = 0x78;
		v[1] = 0x21;
		n = put(b, n, 0x82, v, 2);
	} else if (f->type == SIM_FT_LINEAR_FIXED || f->type == SIM_FT_CYCLIC) {
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
	if (f->type == SIM_FT_ADF && f->aid.len)
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
	if (a->p2 == 0x0C)
		return SW_OK;
	return file_fcp(f, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Select `fid` as seen from the DF path[0..depth): the DF itself's
 * children, then (ISO 7816-4 §7.1.1) the MF's. */
static unsigned select_fid_from(struct sim_fs *fs, struct fs_channel *ch, const uint16_t *path, uint8_t depth,
				uint16_t fid, const struct sim_apdu *a, struct sim_rbuf *out)
{
	static const struct sim_file mf = { .type = SIM_FT_MF, .fid = SIM_FID_MF };
	const struct sim_file *f;
	uint16_t mfpath[1] = { SIM_FID_MF };

	if (fid == SIM_FID_MF) {
		select_df(ch, mfpath, 1);
		return selected(&mf, a, out);
	}
	f = lookup(fs, path, depth, fid);
	if (!f && depth > 1)
		f = lookup(fs, mfpath, 1, fid), path = mfpath, depth = 1;
	if (!f)
		return SW_FILE_NOT_FOUND;
	if (is_df(f)) {
		uint16_t sub[SIM_FS_MAX_DEPTH];

		if (depth >= SIM_FS_MAX_DEPTH)
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

static unsigned fs_select_file(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	uint16_t path[SIM_FS_MAX_DEPTH];
	uint8_t depth;

	if (a->p2 != 0x04 && a->p2 != 0x0C && a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->p1 == 0x00) {
		/* By FID, from the current DF. */
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		memcpy(path, ch->df_path, sizeof(path));
		depth = ch->df_depth;
		return select_fid_from(fs, ch, path, depth, (uint16_t)(a->data[0] << 8 | a->data[1]), a, out);
	}
	/* By path from the MF (08) or the current DF (09), without the
	 * starting DF's own FID. */
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
		if (i + 1 == n)
			return select_fid_from(fs, ch, path, depth, fid, a, out);
		f = lookup(fs, path, depth, fid);
		if (!f || !is_df(f) || depth >= SIM_FS_MAX_DEPTH)
			return SW_FILE_NOT_FOUND;
		path[depth++] = fid;
	}
	return SW_WRONG_P1P2;	/* not reached: lc >= 2 */
}

/* The ADF of the enabled profile whose name starts with aid. */
static const struct sim_file *find_adf(const struct sim_fs *fs, const uint8_t *aid, size_t len)
{
	size_t n;
	const struct sim_file *f = files(fs, &n);

	/* (an ADF too deep for a channel's path cannot be selected) */
	for (size_t i = 0; i < n; i++)
		if (f[i].type == SIM_FT_ADF && len <= f[i].aid.len && !memcmp(f[i].aid.b, aid, len) &&
		    f[i].depth < SIM_FS_MAX_DEPTH)
			return &f[i];
	return NULL;
}

static bool fs_match(void *app, const uint8_t *aid, size_t len)
{
	return find_adf(app, aid, len) != NULL;
}

static unsigned fs_select(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct sim_fs *fs = app;
	struct fs_channel *ch = &fs->ch[a->channel];
	const struct sim_file *f = find_adf(fs, a->data, a->lc);

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

static int fs_status(void *app, unsigned channel, struct sim_rbuf *out)
{
	(void)app;
	(void)channel;
	return mf_fcp(out);
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
