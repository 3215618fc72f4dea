/* Security of the file system (ETSI TS 102 221 §9): the access rules an EF
 * refers to in EF.ARR (§9.2.4, expanded format of ISO/IEC 7816-4 §9.3),
 * PINs and their verification status (§9.5), the PIN status template of
 * DF FCPs (§11.1.1.4.10), and VERIFY, CHANGE, DISABLE, ENABLE and UNBLOCK
 * PIN (§11.1.9-§11.1.13).
 *
 * PIN values, retry counters and enabled flags belong to the source (the
 * profile) and change only through its commit(), before the command
 * answers; a wrong PIN costs an attempt even if the card dies right after.
 * Whether a PIN was verified lasts for the card session and lives here. */
#include "sim/fs_sec.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/tlv.h"

#include <openssl/crypto.h>
#include <string.h>

/* ---- PINs --------------------------------------------------------------------------- */

#define KEY_LOCAL 0x80		/* key references 81-8E: the DF's own */
#define KEY_UNIVERSAL 0x11

void fs_sec_reset(struct sim_fs *fs)
{
	memset(fs->verified, 0, sizeof(fs->verified));
}

void fs_secrets(struct sim_fs *fs, struct sim_fs_secrets *sec)
{
	memset(sec, 0, sizeof(*sec));
	if (fs->src.secrets)
		fs->src.secrets(fs->src.arg, sec);
	if (sec->n_pins > SIM_FS_MAX_PINS)
		sec->n_pins = SIM_FS_MAX_PINS;
	if (sec->id != fs->verified_id) {
		fs_sec_reset(fs);
		fs->verified_id = sec->id;
	}
}

static bool verified(const struct sim_fs *fs, size_t i)
{
	return fs->verified[i / 8] & (1u << (i % 8));
}

static void set_verified(struct sim_fs *fs, size_t i, bool on)
{
	if (on)
		fs->verified[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		fs->verified[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* TS 102 221 §9.5.1: the key references a PIN may have. */
static bool key_ref_valid(uint8_t k)
{
	uint8_t n = k & 0x7F;

	if (k & 0x60)
		return false;
	if (k == KEY_UNIVERSAL)
		return true;
	return (n >= 0x01 && n <= 0x08) || (n >= 0x0A && n <= 0x0E);
}

static bool is_adm(uint8_t k)
{
	return (k & 0x7F) >= 0x0A && (k & 0x7F) <= 0x0E;
}

/* The PIN with key reference k for a directory path[0..depth) (from the
 * MF): global references by themselves, local ones in the nearest DF of
 * the path that has one. Index into sec->pins, or -1. */
static int find_pin(const struct sim_fs_secrets *sec, const uint16_t *path, uint8_t depth, uint8_t k)
{
	if (!(k & KEY_LOCAL)) {
		for (size_t i = 0; i < sec->n_pins; i++)
			if (sec->pins[i].key_ref == k)
				return (int)i;
		return -1;
	}
	for (int d = depth - 1; d >= 1; d--)
		for (size_t i = 0; i < sec->n_pins; i++)
			if (sec->pins[i].key_ref == k && sec->pins[i].df == path[d])
				return (int)i;
	return -1;
}

static int find_puk(const struct sim_fs_secrets *sec, uint8_t k)
{
	for (size_t i = 0; i < sec->n_puks; i++)
		if (sec->puks[i].key_ref == k)
			return (int)i;
	return -1;
}

/* A PIN condition is met when the PIN is verified in this session or
 * disabled (§9.5.1: a disabled PIN's files are accessible as if ALWAYS). */
static bool key_ok(struct sim_fs *fs, const struct sim_fs_secrets *sec, const uint16_t *path, uint8_t depth,
		   uint8_t k)
{
	int i = find_pin(sec, path, depth, k);

	if (i < 0)
		return false;
	return !sec->pins[i].enabled || verified(fs, (size_t)i);
}

bool fs_key_satisfied(struct sim_fs *fs, unsigned channel, uint8_t key_ref)
{
	struct sim_fs_secrets sec;
	const struct fs_channel *ch;

	if (channel >= SIM_MAX_CHANNELS)
		return false;
	ch = &fs->ch[channel];
	fs_secrets(fs, &sec);
	return key_ok(fs, &sec, ch->df_path, ch->df_depth, key_ref);
}

/* ---- EF.ARR (TS 102 221 §9.2.4) --------------------------------------------------- */

#define TAG_AM_BYTE	0x80	/* AM_DO: access mode byte */
#define TAG_SC_ALWAYS	0x90
#define TAG_SC_NEVER	0x97
#define TAG_SC_CRT	0xA4	/* control reference template: 83 key reference */
#define TAG_SC_OR	0xA0
#define TAG_SC_AND	0xAF
#define TAG_KEY_REF	0x83
#define AM_READ		0x01	/* ISO/IEC 7816-4 Table 17, EFs */
#define AM_UPDATE	0x02
#define INS_INCREASE	0x32
#define SC_MAX_DEPTH	4

/* EF.ARR as the file's 8B names it: FID and record, the EF.ARR found in
 * the directory holding the file or, going up, the first one that has it
 * (§9.2.5 references by file ID). */
static bool arr_rule(struct sim_fs *fs, const struct sim_file *f, const uint8_t **rec, size_t *len)
{
	uint16_t fid;
	uint8_t r;

	if (f->arr_len != 3)
		return false;
	fid = (uint16_t)(f->arr[0] << 8 | f->arr[1]);
	r = f->arr[2];
	for (int d = f->depth; d >= 1; d--) {
		const struct sim_file *arr = sim_file_lookup(&fs->src, f->path, (uint8_t)d, fid);

		if (!arr)
			continue;
		if (arr->type != SIM_FT_LINEAR_FIXED || r == 0 || r > arr->nb_rec ||
		    (size_t)r * arr->rec_len > arr->content_len)
			return false;
		*rec = arr->content + (size_t)(r - 1) * arr->rec_len;
		*len = arr->rec_len;
		return true;
	}
	return false;
}

/* Whether one security condition DO holds. Anything not understood
 * (SE numbers, NOT templates, a malformed DO) does not. */
static bool sc_holds(struct sim_fs *fs, const struct sim_fs_secrets *sec, const struct sim_file *f,
		     const struct tlv *sc, unsigned depth)
{
	struct tlv_iter it;
	struct tlv t;
	bool any = false, all = true;
	int rc;

	switch (sc->tag) {
	case TAG_SC_ALWAYS:
		return true;
	case TAG_SC_CRT:
		tlv_iter_init(&it, sc);
		while ((rc = tlv_iter_next(&it, &t)) > 0)
			if (t.tag == TAG_KEY_REF && t.len == 1)
				return key_ok(fs, sec, f->path, f->depth, t.val[0]);
		return false;
	case TAG_SC_OR:
	case TAG_SC_AND:
		if (depth >= SC_MAX_DEPTH)
			return false;
		tlv_iter_init(&it, sc);
		while ((rc = tlv_iter_next(&it, &t)) > 0) {
			bool ok = sc_holds(fs, sec, f, &t, depth + 1);

			any |= ok;
			all &= ok;
		}
		if (rc < 0)
			return false;
		return sc->tag == TAG_SC_OR ? any : (any && all);
	default:
		return false;	/* NEVER (97) and the rest */
	}
}

/* Whether an access mode DO covers the command: an AM byte with the bit,
 * or a command header description (8X with b3, the INS) naming it. */
static bool am_covers(const struct tlv *am, enum fs_op op)
{
	if (am->tag == TAG_AM_BYTE) {
		if (am->len != 1 || (am->val[0] & 0x80))
			return false;	/* proprietary coding */
		return (op == FS_READ && (am->val[0] & AM_READ)) || (op == FS_UPDATE && (am->val[0] & AM_UPDATE));
	}
	if (am->tag >= 0x81 && am->tag <= 0x8F && (am->tag & 0x04)) {
		/* value: CLA (b4), INS (b3), P1 (b2), P2 (b1), those present */
		size_t at = (am->tag & 0x08) ? 1 : 0;

		return op == FS_INCREASE && am->len > at && am->val[at] == INS_INCREASE;
	}
	return false;
}

/* The rule is a list of AM_DO followed by SC_DOs; the command is allowed
 * when an AM_DO covering it has a condition that holds (several SC_DOs
 * after one AM_DO are alternatives). No AM_DO covering it: never. */
static bool rule_allows(struct sim_fs *fs, const struct sim_fs_secrets *sec, const struct sim_file *f,
			const uint8_t *rec, size_t len, enum fs_op op)
{
	bool covered = false;
	struct tlv t;

	while (len > 0 && rec[0] != 0xFF && rec[0] != 0x00) {
		if (tlv_parse(rec, len, &t) < 0)
			return false;
		if ((t.tag & 0xF0) == 0x80 && !(t.tag == TAG_SC_ALWAYS || t.tag == TAG_SC_NEVER))
			covered = am_covers(&t, op);
		else if (covered && sc_holds(fs, sec, f, &t, 0))
			return true;
		rec += t.raw_len;
		len -= t.raw_len;
	}
	return false;
}

bool fs_allowed(struct sim_fs *fs, const struct sim_file *f, enum fs_op op)
{
	struct sim_fs_secrets sec;
	const uint8_t *rec;
	size_t len;

	if (op != FS_READ && !fs->src.commit)
		return false;
	if (!arr_rule(fs, f, &rec, &len)) {
		/* No rule to find (the eUICC's own files without a
		 * profile): they can be read, never changed. */
		return op == FS_READ;
	}
	fs_secrets(fs, &sec);
	if (rule_allows(fs, &sec, f, rec, len, op))
		return true;
	LOG_INFO("%s %s: access condition not satisfied", op == FS_READ ? "READ" : op == FS_UPDATE ? "UPDATE" :
		 "INCREASE", f->name ? f->name : "EF");
	return false;
}

/* ---- PIN status template (§11.1.1.4.10) --------------------------------------------------- */

size_t fs_ps_do(struct sim_fs *fs, const struct sim_file *df, uint8_t *b, size_t cap)
{
	struct sim_fs_secrets sec;
	uint16_t path[SIM_FS_MAX_DEPTH + 1];
	uint8_t depth = df->depth, refs[SIM_FS_MAX_PINS], ps[SIM_FS_MAX_PINS / 8] = { 0 };
	size_t n = 0, ps_len, len;

	/* the DF itself ends the path its local PINs are looked up in */
	memcpy(path, df->path, depth * sizeof(*path));
	path[depth++] = df->fid;
	fs_secrets(fs, &sec);
	/* Every key reference that resolves from this DF, in key-reference
	 * order; PS_DO bit b8 of the first byte is the first one listed. */
	for (unsigned k = 1; k < 0x100 && n < SIM_FS_MAX_PINS; k++) {
		int i;

		if (!key_ref_valid((uint8_t)k) || (i = find_pin(&sec, path, depth, (uint8_t)k)) < 0)
			continue;
		if (sec.pins[i].enabled)
			ps[n / 8] |= (uint8_t)(0x80 >> (n % 8));
		refs[n++] = (uint8_t)k;
	}
	ps_len = n ? (n + 7) / 8 : 1;
	len = 2 + ps_len + 3 * n;
	if (len > 0x7F || 2 + len > cap)
		return 0;
	b[0] = 0xC6;
	b[1] = (uint8_t)len;
	b[2] = 0x90;
	b[3] = (uint8_t)ps_len;
	memcpy(b + 4, ps, ps_len);
	for (size_t i = 0, at = 4 + ps_len; i < n; i++, at += 3) {
		b[at] = TAG_KEY_REF;
		b[at + 1] = 1;
		b[at + 2] = refs[i];
	}
	return 2 + len;
}

/* ---- the PIN commands ------------------------------------------------------------------- */

/* §9.5.2: a user PIN is 4 to 8 digits, padded with 'FF'. ADM values are
 * coded as the issuer likes. */
static bool pin_format_ok(uint8_t k, const uint8_t v[SIM_PIN_LEN])
{
	size_t digits = 0;

	if (is_adm(k))
		return true;
	while (digits < SIM_PIN_LEN && v[digits] >= '0' && v[digits] <= '9')
		digits++;
	for (size_t i = digits; i < SIM_PIN_LEN; i++)
		if (v[i] != 0xFF)
			return false;
	return digits >= 4;
}

struct pin_cmd {
	struct sim_fs *fs;
	struct sim_fs_secrets sec;
	int i;			/* the PIN */
	const struct sim_pin *pin;
	const char *name;	/* "VERIFY PIN", for the trace */
};

/* P1 00, P2 a key reference that exists (§11.1.9.3 Table 11.15), Lc one
 * of the two lengths the command takes: 0 with pc filled in, or the
 * status word. */
static unsigned pin_cmd_init(void *app, const struct sim_apdu *a, const char *name, size_t lc1, size_t lc2,
			     struct pin_cmd *pc)
{
	struct fs_channel *ch;

	pc->fs = app;
	pc->name = name;
	ch = &pc->fs->ch[a->channel];
	if (a->p1 != 0x00 || !key_ref_valid(a->p2))
		return SW_WRONG_P1P2;
	fs_secrets(pc->fs, &pc->sec);
	pc->i = find_pin(&pc->sec, ch->df_path, ch->df_depth, a->p2);
	if (pc->i < 0) {
		LOG_INFO("%s %02X: no such PIN here", name, a->p2);
		return SW_REF_DATA_NOT_FOUND;
	}
	pc->pin = &pc->sec.pins[pc->i];
	return a->lc == lc1 || a->lc == lc2 ? 0 : SW_WRONG_LENGTH;
}

static unsigned commit_pin(struct pin_cmd *pc, const struct sim_pin *pin, const struct sim_puk *puk,
			   const struct sim_puk *puk_new)
{
	struct sim_fs_change c = { 0 };
	int rc;

	c.pin = pc->pin;
	c.pin_new = *pin;
	if (puk) {
		c.puk = puk;
		c.puk_new = *puk_new;
	}
	rc = pc->fs->src.commit ? pc->fs->src.commit(pc->fs->src.arg, &c) : -EU_E_STATE;
	OPENSSL_cleanse(&c, sizeof(c));
	if (rc < 0) {
		LOG_ERR("%s %02X: the PIN state could not be stored (%s); nothing changed", pc->name,
			pc->pin->key_ref, eu_strerror(rc));
		return SW_MEMORY_PROBLEM;
	}
	return SW_OK;
}

/* Compare the value presented with the PIN. A wrong one costs an attempt
 * (stored before the answer) and the verification status; a right one
 * gives all attempts back. 0 when right (nothing stored yet: the caller
 * stores its change with the reset counter), else the status word. */
static unsigned check_pin(struct pin_cmd *pc, const uint8_t *value, struct sim_pin *next)
{
	unsigned sw;

	*next = *pc->pin;
	if (!CRYPTO_memcmp(value, pc->pin->value, SIM_PIN_LEN)) {
		next->left = next->max_attempts;
		return 0;
	}
	next->left--;
	sw = commit_pin(pc, next, NULL, NULL);
	OPENSSL_cleanse(next, sizeof(*next));
	if (sw != SW_OK)
		return sw;
	set_verified(pc->fs, (size_t)pc->i, false);
	LOG_INFO("%s %02X: wrong PIN, %u attempts left%s", pc->name, pc->pin->key_ref, pc->pin->left,
		 pc->pin->left ? "" : " (blocked)");
	return SW_RETRIES(pc->pin->left);
}

/* Store the PIN's new state if it changed; verified on success. */
static unsigned pin_done(struct pin_cmd *pc, struct sim_pin *next, bool verify, const char *what)
{
	unsigned sw = SW_OK;

	if (memcmp(next, pc->pin, sizeof(*next)))
		sw = commit_pin(pc, next, NULL, NULL);
	OPENSSL_cleanse(next, sizeof(*next));
	if (sw != SW_OK)
		return sw;
	if (verify)
		set_verified(pc->fs, (size_t)pc->i, true);
	LOG_INFO("%s %02X: %s", pc->name, pc->pin->key_ref, what);
	return SW_OK;
}

/* VERIFY PIN (§11.1.9). Without data: 63CX while verification is needed,
 * 9000 when it is not (verified, or disabled). */
unsigned fs_verify_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct pin_cmd pc;
	struct sim_pin next;
	unsigned sw = pin_cmd_init(app, a, "VERIFY PIN", 0, SIM_PIN_LEN, &pc);

	(void)out;
	if (sw)
		return sw;
	if (pc.pin->left == 0)
		return SW_AUTH_BLOCKED;
	if (a->lc == 0)
		return !pc.pin->enabled || verified(pc.fs, (size_t)pc.i) ? SW_OK : SW_RETRIES(pc.pin->left);
	if (!pc.pin->enabled)
		return SW_REF_DATA_NOT_USABLE;	/* a disabled PIN is not verified */
	sw = check_pin(&pc, a->data, &next);
	return sw ? sw : pin_done(&pc, &next, true, "verified");
}

/* CHANGE PIN (§11.1.10): old PIN, new PIN. */
unsigned fs_change_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct pin_cmd pc;
	struct sim_pin next;
	unsigned sw = pin_cmd_init(app, a, "CHANGE PIN", 2 * SIM_PIN_LEN, 2 * SIM_PIN_LEN, &pc);

	(void)out;
	if (sw)
		return sw;
	if (!pin_format_ok(pc.pin->key_ref, a->data + SIM_PIN_LEN))
		return SW_WRONG_DATA;
	if (pc.pin->left == 0)
		return SW_AUTH_BLOCKED;
	if (!pc.pin->enabled)
		return SW_REF_DATA_NOT_USABLE;
	sw = check_pin(&pc, a->data, &next);
	if (sw)
		return sw;
	memcpy(next.value, a->data + SIM_PIN_LEN, SIM_PIN_LEN);
	return pin_done(&pc, &next, true, "changed");
}

/* DISABLE PIN (§11.1.11; P1 00: no alternative global key reference
 * replaces the PIN) and ENABLE PIN (§11.1.12), with the PIN's value.
 * Already in that state, or a PIN the profile does not let be disabled:
 * 6985. */
static unsigned set_enabled(void *app, const struct sim_apdu *a, bool enable)
{
	const char *name = enable ? "ENABLE PIN" : "DISABLE PIN";
	struct pin_cmd pc;
	struct sim_pin next;
	unsigned sw = pin_cmd_init(app, a, name, SIM_PIN_LEN, SIM_PIN_LEN, &pc);

	if (sw)
		return sw;
	if (pc.pin->left == 0)
		return SW_AUTH_BLOCKED;
	if (pc.pin->enabled == enable || (!enable && !pc.pin->may_disable)) {
		LOG_INFO("%s %02X: %s", name, pc.pin->key_ref, pc.pin->enabled != enable ?
			 "this PIN cannot be disabled" : enable ? "already enabled" : "already disabled");
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	sw = check_pin(&pc, a->data, &next);
	if (sw)
		return sw;
	next.enabled = enable;
	return pin_done(&pc, &next, enable, enable ? "enabled" : "disabled");
}

unsigned fs_disable_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	(void)out;
	return set_enabled(app, a, false);
}

unsigned fs_enable_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	(void)out;
	return set_enabled(app, a, true);
}

/* UNBLOCK PIN (§11.1.13): the unblock PIN and a new PIN. Without data:
 * 63CX, the unblock PIN's attempts left. */
unsigned fs_unblock_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct pin_cmd pc;
	struct sim_pin next;
	struct sim_puk puk_next;
	const struct sim_puk *puk;
	unsigned sw = pin_cmd_init(app, a, "UNBLOCK PIN", 0, 2 * SIM_PIN_LEN, &pc);
	int j;

	(void)out;
	if (sw)
		return sw;
	j = pc.pin->puk_ref ? find_puk(&pc.sec, pc.pin->puk_ref) : -1;
	if (j < 0) {
		LOG_INFO("UNBLOCK PIN %02X: this PIN has no unblock PIN", pc.pin->key_ref);
		return SW_REF_DATA_NOT_FOUND;
	}
	puk = &pc.sec.puks[j];
	if (a->lc && !pin_format_ok(pc.pin->key_ref, a->data + SIM_PIN_LEN))
		return SW_WRONG_DATA;
	if (puk->left == 0)
		return SW_AUTH_BLOCKED;
	if (a->lc == 0)
		return SW_RETRIES(puk->left);
	puk_next = *puk;
	next = *pc.pin;
	if (CRYPTO_memcmp(a->data, puk->value, SIM_PIN_LEN)) {
		puk_next.left--;
		sw = commit_pin(&pc, &next, puk, &puk_next);
		OPENSSL_cleanse(&next, sizeof(next));
		OPENSSL_cleanse(&puk_next, sizeof(puk_next));
		if (sw != SW_OK)
			return sw;
		LOG_INFO("UNBLOCK PIN %02X: wrong unblock PIN, %u attempts left%s", pc.pin->key_ref, puk->left,
			 puk->left ? "" : " (blocked)");
		return SW_RETRIES(puk->left);
	}
	/* the new value, all attempts back, enabled and verified */
	puk_next.left = puk_next.max_attempts;
	memcpy(next.value, a->data + SIM_PIN_LEN, SIM_PIN_LEN);
	next.left = next.max_attempts;
	next.enabled = true;
	sw = commit_pin(&pc, &next, puk, &puk_next);
	OPENSSL_cleanse(&next, sizeof(next));
	OPENSSL_cleanse(&puk_next, sizeof(puk_next));
	if (sw != SW_OK)
		return sw;
	set_verified(pc.fs, (size_t)pc.i, true);
	LOG_INFO("UNBLOCK PIN %02X: unblocked with a new value", pc.pin->key_ref);
	return SW_OK;
}
