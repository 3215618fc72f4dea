/* File-system PEs of the TCA eUICC Profile Package (v2.3.1): the PEs that
 * instantiate a file structure template (PE-MF, PE-TELECOM, PE-USIM,
 * PE-OPT-USIM, ...) and PE-GenericFileManagement, turned into the flat file
 * list of struct saip_profile.
 *
 * saip.c has already decoded each of these elements against PEDefinitions
 * (strict DER, canonical). Here they are walked by tag: a template member
 * is known by its tag number, and libtasn1 offers no way to list the
 * members of a decoded SEQUENCE by position. */
#include "profiles/saip_priv.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* Tags inside File (a SEQUENCE OF CHOICE, automatic tags). */
#define FILE_DO_NOT_CREATE	0x80
#define FILE_FCP		0xA1
#define FILE_FILL_OFFSET	0x82
#define FILE_FILL_CONTENT	0x83
/* Tags inside FileManagement (explicitly tagged, so partly UNIVERSAL). */
#define GFM_FILE_PATH		0x80
#define GFM_CREATE_FCP		0x62
#define GFM_FILL_OFFSET		0x02
#define GFM_FILL_CONTENT	0x81
#define GFM_CMD			0xA1
/* Tags inside Fcp: the FCP template tags of TS 102 222 §6.3 / TS 102 221
 * §11.1.1.3, and inside proprietaryEFInfo (tag A5). */
#define FCP_SIZE		0x80
#define FCP_DESCRIPTOR		0x82
#define FCP_FID			0x83
#define FCP_DF_NAME		0x84
#define FCP_SFI			0x88
#define FCP_LCSI		0x8A
#define FCP_ARR			0x8B
#define FCP_PROPRIETARY		0xA5
#define FCP_PIN_STATUS		0xC6
#define FCP_LINK_PATH		0xC7
#define PEFI_SPECIAL		0xC0
#define PEFI_FILL		0xC1
#define PEFI_REPEAT		0xC2
#define PEFI_MAX_SIZE		0x86
#define PEFI_DETAILS		0x84

#define PE_HEADER_TAG		0xA0
#define TEMPLATE_ID_TAG		0x81
#define BASE_MEMBER		2	/* first File member of every template PE */
#define LCSI_DEFAULT		0x05	/* Fcp.lcsi DEFAULT '05'H */
#define MAX_RECORDS		254	/* record numbers 01..FE, TS 102 221 */

struct fpath {
	uint16_t fid[SIM_FS_MAX_DEPTH + 1];
	size_t n;
};

struct fcp {
	const uint8_t *fd;
	size_t fd_len;
	bool has_fid;
	uint16_t fid;
	const uint8_t *df_name;
	size_t df_name_len;
	bool has_lcsi;
	uint8_t lcsi;
	const uint8_t *arr;
	size_t arr_len;
	bool has_size;
	uint32_t size;
	bool has_pin_status;
	bool has_sfi;
	const uint8_t *sfi;
	size_t sfi_len;
	const uint8_t *pattern;	/* fillPattern or repeatPattern */
	size_t pattern_len;
	bool repeat;
	bool has_max_size;
	uint32_t max_size;
	bool has_link;
	const uint8_t *link;
	size_t link_len;
};

void *saip_grow(void *arr, size_t n, size_t elem)
{
	uint8_t *na;
	size_t cap;

	if (n && (n < 4 || (n & (n - 1)))) {
		memset((uint8_t *)arr + n * elem, 0, elem);
		return arr;
	}
	cap = n ? 2 * n : 4;
	if (cap > SIZE_MAX / elem)
		return NULL;
	na = calloc(cap, elem);
	if (!na)
		return NULL;
	if (n) {
		memcpy(na, arr, n * elem);
		OPENSSL_cleanse(arr, n * elem);
	}
	free(arr);
	return na;
}

static unsigned tag_number(uint32_t tag)
{
	return tag <= 0xFF ? (tag & 0x1F) : (tag & 0x7F);
}

/* Unsigned big-endian value of 1..4 octets. */
static int be_uint(const uint8_t *b, size_t n, uint32_t *v)
{
	if (n < 1 || n > 4)
		return -EU_E_PE_VALUE;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = (*v << 8) | b[i];
	return 0;
}

/* fillFileOffset: UInt16, an INTEGER whose range libtasn1 does not check. */
static int offset_value(const struct tlv *t, uint32_t *v)
{
	size_t n = t->len;
	const uint8_t *b = t->val;

	if (n == 0)
		return -EU_E_ASN1;
	if (n > 1 && ((b[0] == 0x00 && !(b[1] & 0x80)) || (b[0] == 0xFF && (b[1] & 0x80))))
		return -EU_E_NOT_DER;	/* X.690 §8.3.2: minimal contents octets */
	if (b[0] & 0x80)
		return -EU_E_PE_VALUE;	/* negative */
	if (n > 1 && b[0] == 0) {
		b++;
		n--;
	}
	if (n > 2)
		return -EU_E_PE_VALUE;
	return be_uint(b, n, v);
}

static int parse_pefi(const struct tlv *t, struct fcp *f)
{
	struct tlv_iter it;
	struct tlv c;
	int rc;

	tlv_iter_init(&it, t);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		switch (c.tag) {
		case PEFI_SPECIAL:
			if (c.len != 1)
				return -EU_E_PE_VALUE;
			if (c.val[0] == 0x00)	/* DEFAULT '00'H written out */
				return -EU_E_NOT_DER;
			break;
		case PEFI_FILL:
		case PEFI_REPEAT:
			/* TS 102 222 §6.3.2.2.2: one of the two, 1..200 bytes */
			if (f->pattern || c.len < 1 || c.len > 200)
				return -EU_E_PE_VALUE;
			f->pattern = c.val;
			f->pattern_len = c.len;
			f->repeat = c.tag == PEFI_REPEAT;
			break;
		case PEFI_MAX_SIZE:
			TRY(be_uint(c.val, c.len, &f->max_size));
			f->has_max_size = true;
			break;
		case PEFI_DETAILS:
			if (c.len != 1)
				return -EU_E_PE_VALUE;
			if (c.val[0] == 0x01)	/* DEFAULT '01'H written out */
				return -EU_E_NOT_DER;
			break;
		default:
			return -EU_E_ASN1;
		}
	}
	return rc;
}

static int parse_fcp(const struct tlv *t, struct fcp *f)
{
	struct tlv_iter it;
	struct tlv c;
	int rc;

	memset(f, 0, sizeof(*f));
	tlv_iter_init(&it, t);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		switch (c.tag) {
		case FCP_DESCRIPTOR:
			if (c.len < 2 || c.len > 4)
				return -EU_E_PE_VALUE;
			f->fd = c.val;
			f->fd_len = c.len;
			break;
		case FCP_FID:
			if (c.len != 2)
				return -EU_E_PE_VALUE;
			f->has_fid = true;
			f->fid = (uint16_t)(c.val[0] << 8 | c.val[1]);
			break;
		case FCP_DF_NAME:
			if (c.len < 5 || c.len > 16)
				return -EU_E_PE_VALUE;
			f->df_name = c.val;
			f->df_name_len = c.len;
			break;
		case FCP_LCSI:
			if (c.len != 1)
				return -EU_E_PE_VALUE;
			if (c.val[0] == LCSI_DEFAULT)	/* DEFAULT written out */
				return -EU_E_NOT_DER;
			f->has_lcsi = true;
			f->lcsi = c.val[0];
			break;
		case FCP_ARR:
			if (c.len < 1 || c.len > 3)
				return -EU_E_PE_VALUE;
			f->arr = c.val;
			f->arr_len = c.len;
			break;
		case FCP_SIZE:
			TRY(be_uint(c.val, c.len, &f->size));
			f->has_size = true;
			break;
		case FCP_PIN_STATUS:
			f->has_pin_status = true;
			break;
		case FCP_SFI:
			if (c.len > 1)
				return -EU_E_PE_VALUE;
			f->has_sfi = true;
			f->sfi = c.val;
			f->sfi_len = c.len;
			break;
		case FCP_PROPRIETARY:
			TRY(parse_pefi(&c, f));
			break;
		case FCP_LINK_PATH:
			if (c.len > 8 || (c.len & 1))
				return -EU_E_PE_VALUE;
			f->has_link = true;
			f->link = c.val;
			f->link_len = c.len;
			break;
		default:
			return -EU_E_ASN1;
		}
	}
	return rc;
}

/* File descriptor byte, TS 102 221 §11.1.1.4.3 Table 11.5. */
static int fdb_type(uint8_t fdb, enum sim_ftype *t)
{
	if (fdb & 0x80)
		return -EU_E_PE_VALUE;
	switch (fdb & 0x3F) {
	case 0x38:
		*t = SIM_FT_DF;
		return 0;
	case 0x39:
		*t = SIM_FT_BER_TLV;
		return 0;
	case 0x01: case 0x09:
		*t = SIM_FT_TRANSPARENT;
		return 0;
	case 0x02: case 0x0A:
		*t = SIM_FT_LINEAR_FIXED;
		return 0;
	case 0x06: case 0x0E:
		*t = SIM_FT_CYCLIC;
		return 0;
	default:
		return -EU_E_PE_VALUE;
	}
}

static bool is_df(enum sim_ftype t)
{
	return t == SIM_FT_MF || t == SIM_FT_DF || t == SIM_FT_ADF;
}

static bool is_record(enum sim_ftype t)
{
	return t == SIM_FT_LINEAR_FIXED || t == SIM_FT_CYCLIC;
}

static struct sim_file *find(struct saip_profile *p, const struct fpath *dir, uint16_t fid)
{
	for (size_t i = 0; i < p->n_files; i++) {
		struct sim_file *f = &p->files[i];

		if (f->fid == fid && f->depth == dir->n &&
		    !memcmp(f->path, dir->fid, dir->n * sizeof(dir->fid[0])))
			return f;
	}
	return NULL;
}

/* Does dir name an existing MF, DF or ADF? */
static bool dir_exists(struct saip_profile *p, const struct fpath *dir)
{
	struct fpath up = *dir;
	struct sim_file *f;

	if (dir->n == 0)
		return true;	/* the MF's own parent: creating the MF */
	up.n--;
	f = find(p, &up, dir->fid[dir->n - 1]);
	return f && is_df(f->type);
}

static int path_add(struct fpath *path, uint16_t fid)
{
	if (path->n > SIM_FS_MAX_DEPTH)
		return -EU_E_PE_VALUE;
	path->fid[path->n++] = fid;
	return 0;
}

static uint8_t hexval(char c)
{
	return (uint8_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
}

static size_t unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]));
	return n / 2;
}

/* Default content from Annex A notation: "00FF...FF" is 00, then FF up to
 * the end; "FF...FF07" ends with 07; text without "..." is the value itself,
 * or with repeat a pattern repeated to the end. */
static void expand_default(const char *dflt, bool repeat, uint8_t *out, size_t n)
{
	uint8_t pre[100], suf[100];
	const char *dots = strstr(dflt, "...");
	size_t np, ns, i;

	if (!dots) {
		np = unhex(dflt, strlen(dflt), pre);
		for (i = 0; i < n; i++)
			out[i] = repeat ? pre[i % np] : i < np ? pre[i] : 0xFF;
		return;
	}
	np = unhex(dflt, (size_t)(dots - dflt), pre);
	ns = unhex(dots + 3, strlen(dots + 3), suf);
	for (i = 0; i < n; i++)
		out[i] = pre[np - 1];
	memcpy(out, pre, np < n ? np : n);
	if (ns <= n)
		memcpy(out + n - ns, suf, ns);
}

/* TS 102 222 §6.3.2.2.2: a filling pattern ends with its last byte repeated,
 * a repeat pattern repeats whole. For record files each record is filled
 * on its own. */
static void expand_pattern(const uint8_t *pat, size_t np, bool repeat, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = repeat ? pat[i % np] : i < np ? pat[i] : pat[np - 1];
}

static void initial_content(struct sim_file *f, const struct fcp *fc, const struct saip_tpl_file *tf)
{
	size_t unit = is_record(f->type) ? f->rec_len : f->size;

	for (size_t off = 0; off < f->size; off += unit) {
		if (fc && fc->pattern)
			expand_pattern(fc->pattern, fc->pattern_len, fc->repeat, f->content + off, unit);
		else if (tf && tf->dflt)
			expand_default(tf->dflt, tf->repeat, f->content + off, unit);
		else
			memset(f->content + off, 0xFF, unit);
	}
}

/* EF sizes from the Fcp, else the template. */
static int ef_size(struct sim_file *f, const struct fcp *fc, const struct saip_tpl_file *tf)
{
	uint32_t size = 0;
	bool known = false;

	if (is_record(f->type)) {
		if (fc && fc->fd_len == 4)
			f->rec_len = (uint16_t)(fc->fd[2] << 8 | fc->fd[3]);
		else if (tf && is_record(tf->type))
			f->rec_len = tf->size;
		if (f->rec_len == 0)
			return -EU_E_PE_VALUE;
		if (fc && fc->has_size) {
			size = fc->size;
			known = true;
		} else if (tf && tf->nb_rec) {
			size = (uint32_t)tf->nb_rec * f->rec_len;
			known = true;
		}
		if (known) {
			if (size % f->rec_len || size / f->rec_len > MAX_RECORDS)
				return -EU_E_PE_VALUE;
			f->nb_rec = (uint16_t)(size / f->rec_len);
		}
	} else if (f->type == SIM_FT_BER_TLV) {
		if (fc && fc->has_max_size) {
			size = fc->max_size;
			known = true;
		} else if (tf && tf->size) {
			size = tf->size;
			known = true;
		}
	} else {
		if (fc && fc->has_size) {
			size = fc->size;
			known = true;
		} else if (tf && tf->size) {
			size = tf->size;
			known = true;
		}
	}
	if (known && f->type != SIM_FT_BER_TLV && size > SAIP_MAX_FILE_SIZE)
		return -EU_E_TOO_LONG;
	f->size = size;
	f->size_known = known;
	return 0;
}

/* Creates one file in dir from its Fcp and/or template entry; hint is the
 * type a template PE implies for its base DF. Returns the new index. */
static int create(struct saip_stream *s, const struct fpath *dir, const struct fcp *fc,
		  const struct saip_tpl_file *tf, enum sim_ftype hint, bool gfm,
		  uint16_t pe_id, size_t *index)
{
	struct saip_profile *p = s->p;
	struct sim_file nf, *f = &nf;
	enum sim_ftype implied;
	void *grown;

	memset(f, 0, sizeof(*f));
	if (dir->n > SIM_FS_MAX_DEPTH)
		return -EU_E_PE_VALUE;
	/* The FDB cannot tell MF, DF and ADF apart; the template or the PE
	 * member can. An Fcp may change an EF's structure, not make it a DF. */
	implied = tf ? tf->type : hint;
	if (fc && fc->fd) {
		TRY(fdb_type(fc->fd[0], &f->type));
		f->fdb = fc->fd[0];
		if (implied && is_df(implied) != is_df(f->type))
			return -EU_E_PE_VALUE;
		if (f->type == SIM_FT_DF && implied)
			f->type = implied;
	} else if (implied) {
		f->type = implied;
	} else if (fc && (fc->has_pin_status || fc->df_name)) {
		f->type = SIM_FT_DF;	/* pinStatusTemplateDO: DFs only */
	} else {
		return -EU_E_PE_UNSUPPORTED;	/* an EF we know nothing about */
	}
	if (f->type == SIM_FT_DF && fc && fc->df_name)
		f->type = SIM_FT_ADF;

	if (fc && fc->has_fid)
		f->fid = fc->fid;
	else if (tf && tf->fid)
		f->fid = tf->fid;
	else if (f->type == SIM_FT_MF)
		f->fid = SAIP_MF_FID;
	else
		return tf || hint ? -EU_E_PE_VALUE : -EU_E_PE_UNSUPPORTED;
	if ((f->type == SIM_FT_MF) != (f->fid == SAIP_MF_FID) ||
	    (f->type == SIM_FT_MF) != (dir->n == 0) || f->fid == 0xFFFF)
		return -EU_E_PE_VALUE;
	if (!dir_exists(p, dir) || find(p, dir, f->fid))
		return -EU_E_PE_VALUE;
	memcpy(f->path, dir->fid, dir->n * sizeof(dir->fid[0]));
	f->depth = (uint8_t)dir->n;
	f->name = tf ? tf->name : NULL;
	f->pe_id = pe_id;
	f->lcsi = fc && fc->has_lcsi ? fc->lcsi : LCSI_DEFAULT;
	if (fc && fc->arr) {
		memcpy(f->arr, fc->arr, fc->arr_len);
		f->arr_len = (uint8_t)fc->arr_len;
	} else if (tf && tf->arr) {
		f->arr[0] = tf->arr;	/* record of the EF.ARR in force */
		f->arr_len = 1;
	}
	if (fc && fc->df_name) {
		if (f->type != SIM_FT_ADF)
			return -EU_E_PE_VALUE;
		memcpy(f->aid.b, fc->df_name, fc->df_name_len);
		f->aid.len = (uint8_t)fc->df_name_len;
	}
	if (!f->fdb)	/* what the eUICC would create; template files are shareable */
		f->fdb = is_df(f->type) ? 0x78 : f->type == SIM_FT_BER_TLV ? 0x79 :
			 f->type == SIM_FT_LINEAR_FIXED ? 0x42 : f->type == SIM_FT_CYCLIC ? 0x46 : 0x41;

	if (!is_df(f->type)) {
		/* shortEFID (see its comment in pe.asn): absent means the
		 * template's SFI, or for GFM the low five bits of the FID;
		 * empty means none */
		if (fc && fc->has_sfi) {
			if (fc->sfi_len == 1 && (fc->sfi[0] & 0x07))
				return -EU_E_PE_VALUE;
			f->sfi = fc->sfi_len ? fc->sfi[0] >> 3 : 0;
		} else {
			f->sfi = tf ? tf->sfi : gfm ? (uint8_t)(f->fid & 0x1F) : 0;
		}
		if (fc && fc->has_link) {
			memcpy(f->link, fc->link, fc->link_len);
			f->link_len = (uint8_t)fc->link_len;
		} else {
			TRY(ef_size(f, fc, tf));
		}
	}
	if (f->size_known && f->type != SIM_FT_BER_TLV && f->size) {
		if (f->size > SAIP_MAX_FS_BYTES - p->fs_bytes)
			return -EU_E_TOO_LONG;
		f->content = malloc(f->size);
		if (!f->content)
			return -EU_E_NOMEM;
		f->content_len = f->size;
		p->fs_bytes += f->size;
		initial_content(f, fc, tf);
	}
	grown = saip_grow(p->files, p->n_files, sizeof(*p->files));
	if (!grown) {
		free(f->content);
		return -EU_E_NOMEM;
	}
	p->files = grown;
	p->files[p->n_files] = nf;
	*index = p->n_files++;
	return 0;
}

/* fillFileOffset / fillFileContent: a cursor that moves forward from the
 * start of the file, across records too; an offset is relative to it (as
 * pySim reads it, and as TS.48's EF.DIR and EF.ARR need). */
static int fill(struct saip_stream *s, size_t fi, size_t *pos, const uint8_t *data, size_t n, bool skip)
{
	struct saip_profile *p = s->p;
	struct sim_file *f = &p->files[fi];
	size_t limit, end;

	if (is_df(f->type))
		return -EU_E_PE_VALUE;
	if (f->link_len)
		return -EU_E_PE_UNSUPPORTED;	/* would write through the link */
	if (n == 0)
		return 0;
	limit = f->size_known ? f->size : SAIP_MAX_FILE_SIZE;
	if (*pos > limit || n > limit - *pos)
		return f->size_known ? -EU_E_PE_VALUE : -EU_E_TOO_LONG;
	end = *pos + n;
	if (!skip && end > f->content_len) {
		uint8_t *nc;

		/* BER-TLV files and files of unknown size grow as written */
		if (end - f->content_len > SAIP_MAX_FS_BYTES - p->fs_bytes)
			return -EU_E_TOO_LONG;
		nc = realloc(f->content, end);
		if (!nc)
			return -EU_E_NOMEM;
		memset(nc + f->content_len, 0xFF, end - f->content_len);
		p->fs_bytes += end - f->content_len;
		f->content = nc;
		f->content_len = end;
	}
	if (!skip)
		memcpy(f->content + *pos, data, n);
	*pos = end;
	if (!f->size_known && f->content_len > f->size)
		f->size = (uint32_t)f->content_len;
	return 0;
}

struct tpl_pe {
	const char *pe;
	enum sim_ftype base;	/* type of member [2]; 0: no base DF (opt-*) */
	char under;		/* 'M': MF, 'U'/'I'/'C': the last USIM/ISIM/CSIM ADF */
};

static const struct tpl_pe tpl_pes[] = {
	{ "mf",         SIM_FT_MF,  0 },
	{ "cd",         SIM_FT_DF,  'M' },
	{ "telecom",    SIM_FT_DF,  'M' },
	{ "usim",       SIM_FT_ADF, 'M' },
	{ "opt-usim",   0,           'U' },
	{ "isim",       SIM_FT_ADF, 'M' },
	{ "opt-isim",   0,           'I' },
	{ "csim",       SIM_FT_ADF, 'M' },
	{ "opt-csim",   0,           'C' },
	{ "phonebook",  SIM_FT_DF,  'U' },
	{ "gsm-access", SIM_FT_DF,  'U' },
	{ "eap",        SIM_FT_DF,  'U' },
	{ "df-5gs",     SIM_FT_DF,  'U' },
	{ "df-saip",    SIM_FT_DF,  'U' },
	{ "df-snpn",    SIM_FT_DF,  'U' },
	{ "df-5gprose", SIM_FT_DF,  'U' },
};

/* One File member of a template PE: create it (unless doNotCreate), then
 * apply its fills in order. */
static int member(struct saip_stream *s, const struct tpl_pe *k, const struct saip_tpl *tpl,
		  const struct tlv *m, unsigned num, struct fpath *base, struct fpath *sub,
		  uint16_t pe_id)
{
	const struct saip_tpl_file *tf = saip_tpl_member(tpl, num);
	bool is_base = k->base && num == BASE_MEMBER;
	struct tlv_iter it;
	struct tlv c;
	struct fcp fc, *fcp = NULL;
	struct fpath dir;
	size_t fi, pos = 0;
	bool skip = false;
	int rc;

	/* doNotCreate and the Fcp come before any content */
	tlv_iter_init(&it, m);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		if (c.tag == FILE_DO_NOT_CREATE) {
			if (skip || fcp)
				return -EU_E_PE_VALUE;
			/* no effect on the files of the MF (File, pe.asn) */
			skip = strcmp(k->pe, "mf") != 0;
		} else if (c.tag == FILE_FCP) {
			if (fcp)
				return -EU_E_PE_VALUE;
			TRY(parse_fcp(&c, &fc));
			fcp = &fc;
		}
	}
	TRY(rc);
	if (skip)
		return 0;

	if (is_base)
		dir = *base;	/* base holds the parent until the base exists */
	else if (tf && tf->parent) {
		dir = *base;
		TRY(path_add(&dir, tf->parent));
	} else if (!tf && sub->n && !(fcp && ((fcp->fd && (fcp->fd[0] & 0x3F) == 0x38) || fcp->has_pin_status)))
		dir = *sub;	/* an unknown EF after a DF of this PE goes into it */
	else
		dir = *base;
	TRY(create(s, &dir, fcp, tf, is_base ? k->base : 0, false, pe_id, &fi));
	if (is_base) {
		TRY(path_add(base, s->p->files[fi].fid));
	} else if (is_df(s->p->files[fi].type)) {
		*sub = dir;
		TRY(path_add(sub, s->p->files[fi].fid));
	}

	tlv_iter_init(&it, m);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		uint32_t off;

		if (c.tag == FILE_FILL_OFFSET) {
			TRY(offset_value(&c, &off));
			TRY(fill(s, fi, &pos, NULL, off, true));
		} else if (c.tag == FILE_FILL_CONTENT) {
			TRY(fill(s, fi, &pos, c.val, c.len, false));
		} else if (c.tag != FILE_DO_NOT_CREATE && c.tag != FILE_FCP) {
			return -EU_E_ASN1;
		}
	}
	return rc;
}

static uint16_t *last_adf(struct saip_stream *s, char kind)
{
	return kind == 'U' ? &s->last_usim : kind == 'I' ? &s->last_isim : &s->last_csim;
}

int saip_fs_template_pe(struct saip_stream *s, const char *pe, const char *oid,
			const struct tlv *el, uint16_t pe_id)
{
	const struct tpl_pe *k = NULL;
	const struct saip_tpl *tpl = saip_tpl_find(oid, pe);
	struct fpath base = { .n = 0 }, sub = { .n = 0 };
	bool seen[128] = { false };
	struct tlv_iter it;
	struct tlv c;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(tpl_pes); i++)
		if (!strcmp(tpl_pes[i].pe, pe))
			k = &tpl_pes[i];
	if (!k)
		return -EU_E_PE_UNSUPPORTED;
	/* Everything hangs off the MF; NAA extensions off their ADF. */
	if (k->base != SIM_FT_MF && !dir_exists(s->p, &(struct fpath){ .fid = { SAIP_MF_FID }, .n = 1 }))
		return -EU_E_PE_ORDER;
	if (k->under) {
		base.fid[base.n++] = SAIP_MF_FID;
		if (k->under != 'M') {
			if (!*last_adf(s, k->under))
				return -EU_E_PE_ORDER;
			base.fid[base.n++] = *last_adf(s, k->under);
		}
	}

	tlv_iter_init(&it, el);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		unsigned num = tag_number(c.tag);

		if (c.tag == PE_HEADER_TAG || c.tag == TEMPLATE_ID_TAG)
			continue;
		if (num < BASE_MEMBER || num >= ARRAY_SIZE(seen) || !c.constructed)
			return -EU_E_ASN1;
		seen[num] = true;
		TRY(member(s, k, tpl, &c, num, &base, &sub, pe_id));
	}
	TRY(rc);
	if (k->base && base.n == (k->under ? (k->under == 'M' ? 1u : 2u) : 0u))
		return -EU_E_PE_VALUE;	/* base DF marked doNotCreate */

	/* A "created by default" template creates its files even when the PE
	 * leaves them out (doNotCreate exists to prevent it), where the
	 * template defines them fully. */
	for (unsigned tag = 0; tpl && tpl->by_default && tag < ARRAY_SIZE(seen); tag++) {
		const struct saip_tpl_file *tf = saip_tpl_member(tpl, tag);
		struct fpath dir = base;
		size_t fi;

		if (!tf || seen[tag] || !tf->fid || (!is_df(tf->type) && !tf->size) ||
		    (is_record(tf->type) && !tf->nb_rec))
			continue;
		if (tf->parent)
			TRY(path_add(&dir, tf->parent));
		TRY(create(s, &dir, NULL, tf, 0, false, pe_id, &fi));
	}

	if (base.n)
		s->base_df = base.fid[base.n - 1];
	if (k->base == SIM_FT_ADF) {
		uint16_t adf = base.fid[base.n - 1];
		char kind = !strcmp(pe, "usim") ? 'U' : !strcmp(pe, "isim") ? 'I' : 'C';
		uint16_t *first = kind == 'U' ? &s->p->usim_adf : kind == 'I' ? &s->p->isim_adf : &s->p->csim_adf;

		*last_adf(s, kind) = adf;
		s->naa_adf = adf;
		if (!*first)
			*first = adf;
	}
	return 0;
}

int saip_fs_gfm(struct saip_stream *s, const struct tlv *el, uint16_t pe_id)
{
	struct fpath dir = { .fid = { SAIP_MF_FID }, .n = 1 };
	struct tlv_iter it, cmds, ops;
	struct tlv c, cmd, op;
	size_t fi = 0, pos = 0;
	bool have_file = false;
	int rc;

	if (!dir_exists(s->p, &dir))
		return -EU_E_PE_ORDER;
	tlv_iter_init(&it, el);
	while ((rc = tlv_iter_next(&it, &c)) > 0) {
		if (c.tag == PE_HEADER_TAG)
			continue;
		if (c.tag != GFM_CMD)
			return -EU_E_ASN1;
		/* the current DF and file carry over from one FileManagement to
		 * the next, as in pySim */
		tlv_iter_init(&cmds, &c);
		while ((rc = tlv_iter_next(&cmds, &cmd)) > 0) {
			tlv_iter_init(&ops, &cmd);
			while ((rc = tlv_iter_next(&ops, &op)) > 0) {
				struct fcp fc;
				uint32_t off;

				switch (op.tag) {
				case GFM_FILE_PATH:
					/* from the MF, ADFs by temporary FID (§8.3.5) */
					if ((op.len & 1) || op.len > 2 * SIM_FS_MAX_DEPTH)
						return -EU_E_PE_VALUE;
					dir.n = 1;
					for (size_t i = 0; i < op.len; i += 2) {
						uint16_t fid = (uint16_t)(op.val[i] << 8 | op.val[i + 1]);

						if (i == 0 && fid == SAIP_MF_FID)
							continue;
						TRY(path_add(&dir, fid));
					}
					if (!dir_exists(s->p, &dir))
						return -EU_E_PE_VALUE;
					have_file = false;
					break;
				case GFM_CREATE_FCP:
					TRY(parse_fcp(&op, &fc));
					TRY(create(s, &dir, &fc, NULL, 0, true, pe_id, &fi));
					have_file = true;
					pos = 0;
					break;
				case GFM_FILL_OFFSET:
					if (!have_file)
						return -EU_E_PE_VALUE;
					TRY(offset_value(&op, &off));
					TRY(fill(s, fi, &pos, NULL, off, true));
					break;
				case GFM_FILL_CONTENT:
					if (!have_file)
						return -EU_E_PE_VALUE;
					TRY(fill(s, fi, &pos, op.val, op.len, false));
					break;
				default:
					return -EU_E_ASN1;
				}
			}
			TRY(rc);
		}
		TRY(rc);
	}
	return rc;
}
