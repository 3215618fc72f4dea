/* Profile download end to end (SGP.22 §3.1.2, §3.1.3, §5.7.5, §5.7.6,
 * §5.7.13, §5.7.14), in-process through sim_transact(), with the test-side
 * SM-DP+ of tests/smdp/ on the other end and the traffic cut the way lpac
 * cuts it: ES10 in STORE DATA blocks of 120 bytes on a logical channel with
 * the ISD-R selected, 61xx answered with GET RESPONSE, the BPP sent in the
 * pieces of §2.5.5.
 *
 * Every TS.48 package in profiles/ts48/ installs on NIST and brainpool,
 * with and without ReplaceSessionKeys and with several segment sizes; each
 * error of AuthenticateServer, PrepareDownload and LoadBoundProfilePackage
 * is provoked on its own, its exact code checked, and the card must show
 * no new profile and complete a normal download afterwards; CancelSession,
 * a new session or a reset in the middle of the 86 segments; persistence. */
#define _GNU_SOURCE	/* memmem */
#include "tests/smdp/smdp.h"
#include "tests/store_data.h"
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"
#include "isdr/isdr.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TCase *smdp_kat_tcase(void);	/* tests/unit/test_smdp.c */

#define PROFILES_DIR SIM_DATADIR "/profiles/ts48"
#define CERTS_DIR SIM_DATADIR "/certs/sgp26"
#define SUBJECT "TS48V1-A-UNIQUE.der"			/* the profile of the error tests */
#define RECOVERY "TS48V2-SAIP2-1-BERTLV-UNIQUE.der"	/* the download that must work after */
#define STORE_DATA_BLOCK 120				/* what lpac sends */
#define MAX_PIECES 16384
#define MAX_PROFILES 64

/* AuthenticateErrorCode / DownloadErrorCode / ErrorReason / BppCommandId */
enum {
	AUTH_INVALID_CERTIFICATE = 1, AUTH_INVALID_SIGNATURE, AUTH_UNSUPPORTED_CURVE, AUTH_NO_SESSION_CONTEXT,
	AUTH_INVALID_OID, AUTH_EUICC_CHALLENGE_MISMATCH, AUTH_CI_PK_UNKNOWN,
};
enum {
	DL_INVALID_CERTIFICATE = 1, DL_INVALID_SIGNATURE, DL_UNSUPPORTED_CURVE, DL_NO_SESSION_CONTEXT,
	DL_INVALID_TRANSACTION_ID,
};
enum {
	CMD_INIT_SECURE_CHANNEL = 0, CMD_CONFIGURE_ISDP = 1, CMD_STORE_METADATA = 2, CMD_REPLACE_SESSION_KEYS = 4,
	CMD_LOAD_PROFILE_ELEMENTS = 5,
};
enum {
	ER_INVALID_SIGNATURE = 2, ER_INVALID_TRANSACTION_ID = 3, ER_UNSUPPORTED_CRT_VALUES = 4,
	ER_UNSUPPORTED_REMOTE_OPERATION = 5, ER_UNSUPPORTED_PROFILE_CLASS = 6, ER_SCP03T_STRUCTURE = 7,
	ER_SCP03T_SECURITY = 8, ER_ICCID_EXISTS = 9, ER_NO_MEMORY = 10, ER_PE_PROCESSING = 12,
	ER_ICCID_MISMATCH = 13, ER_PPR_NOT_ALLOWED = 15, ER_INCORRECT_INPUT_VALUES = 1,
};

/* ---- files ------------------------------------------------------------------ */

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static uint8_t *read_profile(const char *name, size_t *len)
{
	char path[512];

	if (name[0] == '/')	/* a package a test made */
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", PROFILES_DIR, name);
	return read_all(path, len);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.der files of profiles/ts48, sorted; unique selects *-UNIQUE.der
 * (true) or the others (false). */
static size_t list_profiles(bool unique, char **names, size_t cap)
{
	DIR *d = opendir(PROFILES_DIR);
	struct dirent *e;
	size_t n = 0;

	ck_assert_msg(d != NULL, "no %s", PROFILES_DIR);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".der"))
			continue;
		if ((strstr(e->d_name, "-UNIQUE.der") != NULL) != unique)
			continue;
		ck_assert_uint_lt(n, cap);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	return n;
}

/* ---- a card with an ES10 channel ------------------------------------------- */

struct card {
	struct sim_card *sc;
	struct sim_config *cfg;	/* the card keeps a pointer to it */
	unsigned ch;
	uint8_t rsp[70000];	/* last ES10 answer */
	size_t rsp_len;
};

/* settings: "key", "value", ..., NULL, applied after profile-memory 16M. */
static struct card *card_open(const char *state_dir, const char *const *settings)
{
	struct card *c = calloc(1, sizeof(*c));
	char err[256];

	ck_assert_ptr_nonnull(c);
	c->cfg = calloc(1, sizeof(*c->cfg));
	ck_assert_ptr_nonnull(c->cfg);
	sim_config_defaults(c->cfg, CERTS_DIR);
	ck_assert_int_eq(sim_config_set(c->cfg, "profile-memory", "16M", SIM_DATADIR, err, sizeof(err)), 0);
	for (size_t i = 0; settings && settings[i]; i += 2)
		ck_assert_msg(sim_config_set(c->cfg, settings[i], settings[i + 1], SIM_DATADIR, err, sizeof(err)) == 0,
			      "config %s = %s: %s", settings[i], settings[i + 1], err);
	if (state_dir)
		snprintf(c->cfg->state_dir, sizeof(c->cfg->state_dir), "%s", state_dir);
	c->sc = t_card_new_cfg(c->cfg);
	c->ch = t_open_isdr(c->sc);
	return c;
}

static void card_close(struct card *c)
{
	sim_card_free(c->sc);
	free(c->cfg);
	free(c);
}

static uint8_t cla(const struct card *c)
{
	return t_es10_cla(c->ch);
}

/* One ES10 command as lpac sends it: STORE DATA blocks of at most 120
 * bytes without Le (P1 11, last 91, P2 the block number), then GET
 * RESPONSE while the card answers 61xx. Returns the final SW; the data is
 * in c->rsp. An intermediate block not answered 9000 ends the command. */
static unsigned es10(struct card *c, const uint8_t *req, size_t len)
{
	uint8_t cmd[5 + STORE_DATA_BLOCK], rsp[SIM_RSP_MAX];
	size_t off = 0, r = 0;
	unsigned block = 0, sw = 0;

	c->rsp_len = 0;
	do {
		size_t n = len - off < STORE_DATA_BLOCK ? len - off : STORE_DATA_BLOCK;
		bool last = off + n == len;

		ck_assert_uint_lt(block, 256);
		r = sim_transact(c->sc, cmd, t_store_data_block(cmd, cla(c), block++, last, req + off, n), rsp);
		ck_assert_uint_ge(r, 2);
		off += n;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
		if (!last && sw != 0x9000)
			return sw;
	} while (off < len);
	memcpy(c->rsp, rsp, r - 2);
	c->rsp_len = r - 2;
	while ((sw & 0xFF00) == 0x6100) {
		uint8_t gr[5] = { cla(c), 0xC0, 0, 0, (uint8_t)sw };

		r = sim_transact(c->sc, gr, 5, rsp);
		ck_assert_uint_ge(r, 2);
		ck_assert_uint_le(c->rsp_len + r - 2, sizeof(c->rsp));
		memcpy(c->rsp + c->rsp_len, rsp, r - 2);
		c->rsp_len += r - 2;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
	}
	return sw;
}

static void get_challenge(struct card *c, uint8_t challenge[16])
{
	static const uint8_t req[] = { 0xBF, 0x2E, 0x00 };

	ck_assert_uint_eq(es10(c, req, sizeof(req)), 0x9000);
	/* BF2E 12 80 10 <16 bytes> */
	ck_assert_uint_eq(c->rsp_len, 21);
	ck_assert_mem_eq(c->rsp, "\xBF\x2E\x12\x80\x10", 5);
	memcpy(challenge, c->rsp + 5, 16);
}

/* GetProfilesInfo */
struct plist {
	size_t n;
	uint8_t iccid[MAX_PROFILES][10];
	int state[MAX_PROFILES];	/* 9F70 value, -1 if absent or not one byte */
	int pclass[MAX_PROFILES];	/* 95 value, -1 if absent */
};

static void get_profiles(struct card *c, struct plist *pl)
{
	static const uint8_t req[] = { 0xBF, 0x2D, 0x00 };
	struct tlv top, ok, e, f;
	struct tlv_iter it, jt;

	memset(pl, 0, sizeof(*pl));
	ck_assert_uint_eq(es10(c, req, sizeof(req)), 0x9000);
	ck_assert_int_eq(tlv_parse_exact(c->rsp, c->rsp_len, &top), 0);
	ck_assert_uint_eq(top.tag, 0xBF2D);
	ck_assert_int_eq(tlv_parse_exact(top.val, top.len, &ok), 0);
	ck_assert_uint_eq(ok.tag, 0xA0);
	tlv_iter_init(&it, &ok);
	while (tlv_iter_next(&it, &e) == 1) {
		ck_assert_uint_eq(e.tag, 0xE3);
		ck_assert_uint_lt(pl->n, MAX_PROFILES);
		pl->state[pl->n] = -1;
		pl->pclass[pl->n] = -1;
		tlv_iter_init(&jt, &e);
		while (tlv_iter_next(&jt, &f) == 1) {
			if (f.tag == 0x5A && f.len == 10)
				memcpy(pl->iccid[pl->n], f.val, 10);
			else if (f.tag == 0x9F70 && f.len == 1)
				pl->state[pl->n] = f.val[0];
			else if (f.tag == 0x95 && f.len == 1)
				pl->pclass[pl->n] = f.val[0];
		}
		pl->n++;
	}
}

static int find_profile(const struct plist *pl, const uint8_t iccid[10])
{
	for (size_t i = 0; i < pl->n; i++)
		if (!memcmp(pl->iccid[i], iccid, 10))
			return (int)i;
	return -1;
}

static void same_profiles(const struct plist *a, const struct plist *b, const char *what)
{
	ck_assert_msg(a->n == b->n, "%s: %zu profiles before, %zu after", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		ck_assert_msg(find_profile(b, a->iccid[i]) >= 0, "%s: profile %zu changed", what, i);
}

/* ---- one download ----------------------------------------------------------- */

struct piece {
	const uint8_t *p;
	size_t len;
	uint8_t tag;	/* first tag octet (BF for the first piece) */
};

struct dl {
	struct card *c;
	struct smdp *smdp;
	const char *what;		/* for messages */
	uint8_t *bpp;
	size_t bpp_len;
	struct piece piece[MAX_PIECES];
	size_t n_pieces;
	uint8_t iccid[10];		/* ICCID as in 5A (EF.ICCID order) */
	bool got_pir;
	size_t pir_at;			/* the piece that answered the PIR */
	struct smdp_pir pir;
};

static void dl_init(struct dl *d, struct card *c, const struct smdp_opts *o, const char *what)
{
	memset(d, 0, sizeof(*d));
	d->c = c;
	d->what = what;
	ck_assert_msg(smdp_new(o, &d->smdp) == 0, "%s: smdp_new: %s", what, d->smdp ? smdp_why(d->smdp) : "");
}

static void dl_free(struct dl *d)
{
	smdp_free(d->smdp);
	free(d->bpp);
	d->smdp = NULL;
	d->bpp = NULL;
}

/* AuthenticateServer with the given challenge: returns 0 or the
 * authenticateErrorCode; anything else fails the test. */
static int dl_auth_with(struct dl *d, const uint8_t challenge[16])
{
	uint8_t *req = NULL;
	size_t len = 0;
	unsigned sw;
	int rc;

	ck_assert_int_eq(smdp_authenticate_server_request(d->smdp, challenge, &req, &len), 0);
	sw = es10(d->c, req, len);
	free(req);
	ck_assert_msg(sw == 0x9000, "%s: AuthenticateServer answered SW %04X", d->what, sw);
	rc = smdp_check_authenticate_response(d->smdp, d->c->rsp, d->c->rsp_len);
	ck_assert_msg(rc >= 0, "%s: AuthenticateServer response: %s (%s)", d->what, smdp_strerror(rc),
		      smdp_why(d->smdp));
	return rc;
}

static int dl_auth(struct dl *d)
{
	uint8_t challenge[16];

	get_challenge(d->c, challenge);
	return dl_auth_with(d, challenge);
}

/* PrepareDownload: returns 0 or the downloadErrorCode. */
static int dl_prepare(struct dl *d)
{
	uint8_t *req = NULL;
	size_t len = 0;
	unsigned sw;
	int rc;

	ck_assert_int_eq(smdp_prepare_download_request(d->smdp, &req, &len), 0);
	sw = es10(d->c, req, len);
	free(req);
	ck_assert_msg(sw == 0x9000, "%s: PrepareDownload answered SW %04X", d->what, sw);
	rc = smdp_check_prepare_response(d->smdp, d->c->rsp, d->c->rsp_len);
	ck_assert_msg(rc >= 0, "%s: PrepareDownload response: %s (%s)", d->what, smdp_strerror(rc),
		      smdp_why(d->smdp));
	return rc;
}

static int collect(void *ctx, size_t index, const uint8_t *p, size_t len)
{
	struct dl *d = ctx;

	ck_assert_uint_eq(index, d->n_pieces);
	ck_assert_uint_lt(d->n_pieces, MAX_PIECES);
	d->piece[d->n_pieces].p = p;
	d->piece[d->n_pieces].len = len;
	d->piece[d->n_pieces].tag = p[0];
	d->n_pieces++;
	return 0;
}

/* Bind the package and cut the BPP into pieces. */
static void dl_bind(struct dl *d, const uint8_t *upp, size_t upp_len)
{
	ck_assert_msg(smdp_build_bpp(d->smdp, upp, upp_len, &d->bpp, &d->bpp_len) == 0, "%s: build BPP: %s", d->what,
		      smdp_why(d->smdp));
	d->n_pieces = 0;
	ck_assert_int_eq(smdp_bpp_pieces(d->bpp, d->bpp_len, collect, d), 0);
	ck_assert_uint_ge(d->n_pieces, 6);
}

/* Index of the n-th (0-based) piece with this first tag octet. */
static size_t piece_index(const struct dl *d, uint8_t tag, size_t nth)
{
	for (size_t i = 0; i < d->n_pieces; i++)
		if (d->piece[i].tag == tag && nth-- == 0)
			return i;
	ck_abort_msg("%s: no piece %02X #%zu", d->what, tag, nth);
	return 0;
}

/* Send one piece. Intermediate pieces answer 9000 and nothing; a piece
 * answered with data carries the ProfileInstallationResult, which must
 * verify. Returns the SW. */
static unsigned dl_send(struct dl *d, size_t i)
{
	unsigned sw = es10(d->c, d->piece[i].p, d->piece[i].len);
	int rc;

	if (sw != 0x9000 || d->c->rsp_len == 0)
		return sw;
	ck_assert_msg(d->c->rsp_len >= 2 && d->c->rsp[0] == 0xBF && d->c->rsp[1] == 0x37,
		      "%s: piece %zu answered data that is not a BF37", d->what, i);
	rc = smdp_check_pir(d->smdp, d->c->rsp, d->c->rsp_len, &d->pir);
	ck_assert_msg(rc == 0, "%s: PIR: %s (%s)", d->what, smdp_strerror(rc), smdp_why(d->smdp));
	d->got_pir = true;
	d->pir_at = i;
	return sw;
}

/* Send pieces [from, to) until one answers with the PIR or fails. */
static void dl_send_range(struct dl *d, size_t from, size_t to)
{
	for (size_t i = from; i < to && !d->got_pir; i++) {
		unsigned sw = dl_send(d, i);

		ck_assert_msg(sw == 0x9000, "%s: BPP piece %zu of %zu (tag %02X, %zu bytes) answered SW %04X", d->what,
			      i, d->n_pieces, d->piece[i].tag, d->piece[i].len, sw);
	}
}

static void metadata_iccid(const uint8_t *upp, size_t len, uint8_t iccid[10])
{
	struct tlv pe, f;
	struct tlv_iter it;

	ck_assert_int_eq(tlv_parse(upp, len, &pe), 0);
	ck_assert_uint_eq(pe.tag, 0xA0);
	tlv_iter_init(&it, &pe);
	while (tlv_iter_next(&it, &f) == 1) {
		if (f.tag == 0x83 && f.len == 10) {
			for (size_t i = 0; i < 10; i++)
				iccid[i] = (uint8_t)(f.val[i] << 4 | f.val[i] >> 4);
			return;
		}
	}
	ck_abort_msg("no iccid in the ProfileHeader");
}

/* The whole download up to the PIR, every step expected to succeed. */
static void dl_run(struct dl *d, const uint8_t *upp, size_t upp_len)
{
	int rc;

	metadata_iccid(upp, upp_len, d->iccid);
	rc = dl_auth(d);
	ck_assert_msg(rc == 0, "%s: authenticateResponseError %d", d->what, rc);
	rc = dl_prepare(d);
	ck_assert_msg(rc == 0, "%s: downloadResponseError %d", d->what, rc);
	dl_bind(d, upp, upp_len);
	dl_send_range(d, 0, d->n_pieces);
}

static void expect_installed(struct dl *d, struct plist *before)
{
	struct plist after;
	int i;

	ck_assert_msg(d->got_pir, "%s: no ProfileInstallationResult after the last piece", d->what);
	ck_assert_msg(d->pir.success, "%s: errorResult bppCommandId %u errorReason %u at piece %zu of %zu", d->what,
		      d->pir.bpp_command_id, d->pir.error_reason, d->pir_at, d->n_pieces);
	ck_assert_msg(d->pir_at == d->n_pieces - 1, "%s: PIR at piece %zu of %zu", d->what, d->pir_at, d->n_pieces);
	ck_assert_uint_ge(d->pir.aid_len, 5);
	ck_assert_str_eq(d->pir.notification_address, SMDP_DEFAULT_ADDRESS);
	ck_assert(d->pir.has_iccid);
	ck_assert_mem_eq(d->pir.iccid, d->iccid, 10);
	ck_assert_str_eq(d->pir.smdp_oid, "2.999.10");
	get_profiles(d->c, &after);
	ck_assert_msg(after.n == before->n + 1, "%s: %zu profiles before, %zu after", d->what, before->n, after.n);
	i = find_profile(&after, d->iccid);
	ck_assert_msg(i >= 0, "%s: GetProfilesInfo does not list the ICCID", d->what);
	ck_assert_msg(after.state[i] == 0, "%s: profile state %d, want disabled (9F70 01 00)", d->what,
		      after.state[i]);
	*before = after;
}

/* Install one package from profiles/ts48 with these options; returns the
 * PIR's seqNumber. */
static unsigned long install(struct card *c, const struct smdp_opts *o, const char *name, struct plist *before)
{
	unsigned long seq;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp;
	size_t len;
	char what[256];

	ck_assert_ptr_nonnull(d);
	snprintf(what, sizeof(what), "%s on %s%s, segments of %zu", name, o && o->curve ? o->curve : "NIST",
		 o && o->no_replace_session_keys ? " without ReplaceSessionKeys" : "",
		 o && o->segment_size ? o->segment_size : (size_t)SMDP_DEFAULT_SEGMENT);
	upp = read_profile(name, &len);
	dl_init(d, c, o, what);
	dl_run(d, upp, len);
	expect_installed(d, before);
	seq = d->pir.seq_number;
	dl_free(d);
	free(upp);
	free(d);
	return seq;
}

/* After a failure: nothing new on the card, and a normal download works. */
static void expect_recovery(struct card *c, const struct plist *before, const char *curve, const char *what)
{
	struct smdp_opts o = { .curve = curve };
	struct plist now;

	get_profiles(c, &now);
	same_profiles(before, &now, what);
	install(c, &o, RECOVERY, &now);
}

/* ---- installs ---------------------------------------------------------------- */

static const size_t seg_sizes[] = { 1020, 333, 4000, 16, 1008, 1020, 1, 2048 };

/* All *-UNIQUE packages on one card; ReplaceSessionKeys on every other one
 * (the other half on the other curve), segment sizes rotating. */
static void unique_on_one_card(const char *curve, unsigned parity)
{
	char *names[64];
	size_t n = list_profiles(true, names, 64);
	struct card *c = card_open(NULL, NULL);
	struct plist pl;
	unsigned long seq, last_seq = 0;

	ck_assert_msg(n == 18, "%zu *-UNIQUE packages in %s, want 18", n, PROFILES_DIR);
	get_profiles(c, &pl);
	ck_assert_uint_eq(pl.n, 0);
	for (size_t i = 0; i < n; i++) {
		struct smdp_opts o = {
			.curve = curve,
			.no_replace_session_keys = (i + parity) % 2 == 1,
			.segment_size = seg_sizes[(i + parity) % (sizeof(seg_sizes) / sizeof(seg_sizes[0]))],
			.matching_id = i % 3 == 0 ? "MATCHING-ID-1" : i % 3 == 1 ? "" : NULL,
		};

		if (o.segment_size == 1 && i > 8)	/* one tiny run is enough */
			o.segment_size = 1020;
		seq = install(c, &o, names[i], &pl);
		/* each install notification gets a new, higher seqNumber */
		ck_assert_msg(i == 0 || seq > last_seq, "%s: seqNumber %lu after %lu", names[i], seq, last_seq);
		last_seq = seq;
		free(names[i]);
	}
	ck_assert_uint_eq(pl.n, 18);
	card_close(c);
}

START_TEST(ts48_unique_nist)
{
	unique_on_one_card("NIST", 0);
}
END_TEST

START_TEST(ts48_unique_brp)
{
	unique_on_one_card("BRP", 1);
}
END_TEST

/* The packages sharing ICCID 89000123456789012341: a fresh card each. */
static void shared_iccid(const char *curve, unsigned parity)
{
	char *names[64];
	size_t n = list_profiles(false, names, 64);

	ck_assert_msg(n == 18, "%zu shared-ICCID packages in %s, want 18", n, PROFILES_DIR);
	for (size_t i = 0; i < n; i++) {
		struct smdp_opts o = {
			.curve = curve,
			.no_replace_session_keys = (i + parity) % 2 == 0,
			.segment_size = seg_sizes[(i + parity + 3) % 6],
		};
		struct card *c = card_open(NULL, NULL);
		struct plist pl;

		get_profiles(c, &pl);
		install(c, &o, names[i], &pl);
		card_close(c);
		free(names[i]);
	}
}

START_TEST(ts48_shared_nist)
{
	shared_iccid("NIST", 0);
}
END_TEST

START_TEST(ts48_shared_brp)
{
	shared_iccid("BRP", 1);
}
END_TEST

/* A confirmation code: hashCc in PrepareDownload, echoed in euiccSigned2. */
START_TEST(confirmation_code)
{
	static const char *const curves[] = { "NIST", "BRP" };

	for (size_t k = 0; k < 2; k++) {
		struct smdp_opts o = { .curve = curves[k], .cc_required = true, .confirmation_code = "12345678" };
		struct card *c = card_open(NULL, NULL);
		struct plist pl;

		get_profiles(c, &pl);
		install(c, &o, SUBJECT, &pl);
		card_close(c);
	}
}
END_TEST

/* The optional StoreMetadata fields: class, notification configuration,
 * owner, PPR update control; a test profile on a card that supports them. */
START_TEST(metadata_options)
{
	struct smdp_opts o = {
		.has_profile_class = true,
		.profile_class = SMDP_CLASS_TEST,
		.notification_address = "notify.example.com",
		.has_owner = true,
		.owner_mcc_mnc = { 0x00, 0xF1, 0x10 },
		.ppr = SMDP_PPR_UPDATE_CONTROL,
		.service_provider_name = "An SP name of 32 characters....!",
		.profile_name = "A profile name",
	};
	struct card *c = card_open(NULL, NULL);
	struct plist pl;
	int i;
	uint8_t iccid[10];
	size_t len;
	uint8_t *upp = read_profile(SUBJECT, &len);

	get_profiles(c, &pl);
	install(c, &o, SUBJECT, &pl);
	metadata_iccid(upp, len, iccid);
	i = find_profile(&pl, iccid);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(pl.pclass[i], SMDP_CLASS_TEST);
	/* and an operational one next to it */
	o.profile_class = SMDP_CLASS_OPERATIONAL;
	install(c, &o, RECOVERY, &pl);
	free(upp);
	card_close(c);
}
END_TEST

/* What the fuzzers use: segments cut where a list says (empty ones too),
 * and ConfigureISDP / StoreMetadata plaintext given as bytes. */
START_TEST(given_plaintext_and_cuts)
{
	static const size_t cuts86[] = { 0, 1, 2, 333, 0, 16 }, cuts88[] = { 1, 0, 5 };
	/* ConfigureISDP with dpProprietaryData { dpOid 2.999.1 } */
	static const uint8_t conf[] = { 0xBF, 0x24, 0x07, 0xB8, 0x05, 0x80, 0x03, 0x88, 0x37, 0x01 };
	/* StoreMetadata: iccid, SP name "G", profile name "given" */
	uint8_t meta[32] = { 0xBF, 0x25, 0x16, 0x5A, 0x0A };
	struct smdp_opts o = {
		.segments = cuts86, .n_segments = 6, .metadata_segments = cuts88, .n_metadata_segments = 3,
		.configure_raw = { conf, sizeof(conf) }, .metadata_raw = { meta, 25 },
	};
	struct card *c = card_open(NULL, NULL);
	struct plist pl;
	size_t len;
	uint8_t *upp = read_profile(SUBJECT, &len);

	metadata_iccid(upp, len, meta + 5);
	memcpy(meta + 15, "\x91\x01G\x92\x05given", 10);
	get_profiles(c, &pl);
	install(c, &o, SUBJECT, &pl);
	ck_assert_str_eq(t_es10(c->sc, c->ch, "BF2D035C0192", 120), "BF2D0BA009E3079205" "676976656E" "9000");
	free(upp);
	card_close(c);
}
END_TEST

/* ---- AuthenticateServer errors ---------------------------------------------- */

/* Run AuthenticateServer with o on a fresh card (challenge from the card
 * unless no_challenge); it must fail with `code`; then nothing new, and a
 * normal download. */
static void auth_error(const struct smdp_opts *o, bool no_challenge, int code, const char *what)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	int rc;

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &before);
	dl_init(d, c, o, what);
	if (no_challenge) {
		static const uint8_t made_up[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

		rc = dl_auth_with(d, made_up);
	} else {
		rc = dl_auth(d);
	}
	ck_assert_msg(rc == code, "%s: authenticateErrorCode %d, want %d", what, rc, code);
	dl_free(d);
	expect_recovery(c, &before, o->curve, what);
	free(d);
	card_close(c);
}

START_TEST(auth_invalid_certificate)
{
	struct smdp_opts o = { .corrupt_dpauth_cert = true };

	auth_error(&o, false, AUTH_INVALID_CERTIFICATE, "CERT.DPauth with a broken signature");
	o.curve = "BRP";
	auth_error(&o, false, AUTH_INVALID_CERTIFICATE, "CERT.DPauth (brainpool) with a broken signature");
}
END_TEST

START_TEST(auth_invalid_signature)
{
	struct smdp_opts o = { .bad_server_signature = true };

	auth_error(&o, false, AUTH_INVALID_SIGNATURE, "serverSignature1 damaged");
	o.curve = "BRP";
	auth_error(&o, false, AUTH_INVALID_SIGNATURE, "serverSignature1 (brainpool) damaged");
}
END_TEST

START_TEST(auth_no_session_context)
{
	struct smdp_opts o = { 0 };

	auth_error(&o, true, AUTH_NO_SESSION_CONTEXT, "AuthenticateServer without GetEUICCChallenge");
}
END_TEST

START_TEST(auth_invalid_oid)
{
	struct smdp_opts o = {
		.dpauth_cert = CERTS_DIR "/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der",
		.dpauth_key = CERTS_DIR "/DPpb/SK_S_SM_DPpb_ECDSA_NIST.pem",
	};

	auth_error(&o, false, AUTH_INVALID_OID, "CERT.DPpb sent as CERT.DPauth");
}
END_TEST

START_TEST(auth_euicc_challenge_mismatch)
{
	struct smdp_opts o = { .wrong_euicc_challenge = true };

	auth_error(&o, false, AUTH_EUICC_CHALLENGE_MISMATCH, "another euiccChallenge");
}
END_TEST

START_TEST(auth_ci_pk_id_unknown)
{
	static const uint8_t ski[20] = { 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct smdp_opts o = { .ci_to_be_used = ski, .ci_to_be_used_len = sizeof(ski) };

	auth_error(&o, false, AUTH_CI_PK_UNKNOWN, "euiccCiPKIdToBeUsed of no CI the card knows");
}
END_TEST

/* Certificates made for the test with OpenSSL. */
static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ck_assert_msg(ext != NULL, "extension %d = %s", nid, value);
	ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* Certificate policies of the RSP roles (SGP.22 §4.5.2.1) */
#define ROLE_CI "2.23.146.1.2.1.0"
#define ROLE_DP_AUTH "2.23.146.1.2.1.4"
#define ROLE_DP_PB "2.23.146.1.2.1.5"

/* A critical certificatePolicies extension with one policy OID. */
static void add_policy(X509 *cert, const char *oid)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();

	ck_assert_ptr_nonnull(pols);
	ck_assert_ptr_nonnull(pi);
	ASN1_OBJECT_free(pi->policyid);
	pi->policyid = OBJ_txt2obj(oid, 1);
	ck_assert_ptr_nonnull(pi->policyid);
	ck_assert_int_gt(sk_POLICYINFO_push(pols, pi), 0);
	ck_assert_int_eq(X509_add1_ext_i2d(cert, NID_certificate_policies, pols, 1, X509V3_ADD_DEFAULT), 1);
	CERTIFICATEPOLICIES_free(pols);
}

/* A certificate on `group`, issued by issuer/issuer_key (self-signed CI
 * when issuer is NULL), written as DER to dir/name.der with its key in
 * dir/name.pem. */
static void make_cert(const char *dir, const char *name, const char *group, X509 *issuer, EVP_PKEY *issuer_key,
		      const char *policy, X509 **out_cert, EVP_PKEY **out_key)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
	X509 *cert = X509_new();
	X509_NAME *subj = X509_NAME_new();
	char path[512];
	FILE *f;

	ck_assert_ptr_nonnull(key);
	ck_assert_ptr_nonnull(cert);
	ck_assert_int_eq(X509_set_version(cert, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cert), 0x4242), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
	X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_ASC, (const unsigned char *)"euicc-sim test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC, (const unsigned char *)name, -1, -1, 0);
	ck_assert_int_eq(X509_set_subject_name(cert, subj), 1);
	ck_assert_int_eq(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subj), 1);
	ck_assert_int_eq(X509_set_pubkey(cert, key), 1);
	add_ext(cert, issuer, NID_subject_key_identifier, "hash");
	if (!strcmp(policy, ROLE_CI)) {
		add_ext(cert, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always");
		add_ext(cert, issuer, NID_key_usage, "critical,digitalSignature");
		add_ext(cert, issuer, NID_subject_alt_name, "RID:2.999.10");
	}
	add_policy(cert, policy);
	ck_assert_int_gt(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()), 0);
	snprintf(path, sizeof(path), "%s/%s.der", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(i2d_X509_fp(f, cert), 1);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.pem", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	X509_NAME_free(subj);
	*out_cert = cert;
	*out_key = key;
}

static X509 *load_x509(const char *path)
{
	FILE *f = fopen(path, "rb");
	X509 *c;

	ck_assert_ptr_nonnull(f);
	c = d2i_X509_fp(f, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(c);
	return c;
}

static EVP_PKEY *load_pkey(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	ck_assert_ptr_nonnull(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* A CERT.DPauth on P-384, issued and signed by the SGP.26 NIST CI. */
START_TEST(auth_unsupported_curve)
{
	char *dir = strdup(t_mkdtemp());
	X509 *ci = load_x509(CERTS_DIR "/CertificateIssuer/CERT_CI_ECDSA_NIST.der");
	EVP_PKEY *ci_key = load_pkey(CERTS_DIR "/CertificateIssuer/SK_CI_ECDSA_NIST.pem");
	X509 *cert;
	EVP_PKEY *key;
	char cp[512], kp[512];
	struct smdp_opts o = { .dpauth_cert = cp, .dpauth_key = kp };

	make_cert(dir, "dpauth-p384", "secp384r1", ci, ci_key, ROLE_DP_AUTH, &cert, &key);
	/* sanity: the certificate is good apart from its curve */
	ck_assert_int_eq(X509_verify(cert, X509_get0_pubkey(ci)), 1);
	snprintf(cp, sizeof(cp), "%s/dpauth-p384.der", dir);
	/* serverSignature1 made with a P-256 key (64 bytes), so only the
	 * certificate's curve is wrong */
	snprintf(kp, sizeof(kp), "%s", CERTS_DIR "/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem");
	auth_error(&o, false, AUTH_UNSUPPORTED_CURVE, "CERT.DPauth on P-384, 64-byte serverSignature1");
	/* what a P-384 SM-DP+ sends: its own key's 96-byte signature */
	snprintf(kp, sizeof(kp), "%s/dpauth-p384.pem", dir);
	auth_error(&o, false, AUTH_UNSUPPORTED_CURVE, "CERT.DPauth on P-384, 96-byte serverSignature1");
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(ci);
	EVP_PKEY_free(ci_key);
	t_rmrf(dir);
	free(dir);
}
END_TEST

/* A CERT.DPauth from a CI the card does not know (made here). */
START_TEST(auth_ci_unknown_issuer)
{
	char *dir = strdup(t_mkdtemp());
	X509 *ci, *cert;
	EVP_PKEY *ci_key, *key;
	char cp[512], kp[512];
	struct smdp_opts o = { .dpauth_cert = cp, .dpauth_key = kp };

	make_cert(dir, "other-ci", "prime256v1", NULL, NULL, ROLE_CI, &ci, &ci_key);
	make_cert(dir, "other-dpauth", "prime256v1", ci, ci_key, ROLE_DP_AUTH, &cert, &key);
	ck_assert_int_eq(X509_verify(cert, X509_get0_pubkey(ci)), 1);
	snprintf(cp, sizeof(cp), "%s/other-dpauth.der", dir);
	snprintf(kp, sizeof(kp), "%s/other-dpauth.pem", dir);
	auth_error(&o, false, AUTH_CI_PK_UNKNOWN, "CERT.DPauth from an unknown CI");
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(ci);
	EVP_PKEY_free(ci_key);
	t_rmrf(dir);
	free(dir);
}
END_TEST

/* The same AuthenticateServer request a second time: the challenge was
 * spent by the first one. SGP.22 does not name the code for a replay; the
 * card may call it noSessionContext or euiccChallengeMismatch, not success. */
START_TEST(auth_replayed_request)
{
	struct card *c = card_open(NULL, NULL);
	struct smdp *smdp;
	struct plist before;
	uint8_t challenge[16], *req = NULL;
	size_t len = 0;
	int rc;

	get_profiles(c, &before);
	ck_assert_int_eq(smdp_new(NULL, &smdp), 0);
	get_challenge(c, challenge);
	ck_assert_int_eq(smdp_authenticate_server_request(smdp, challenge, &req, &len), 0);
	ck_assert_uint_eq(es10(c, req, len), 0x9000);
	ck_assert_int_eq(smdp_check_authenticate_response(smdp, c->rsp, c->rsp_len), 0);
	ck_assert_uint_eq(es10(c, req, len), 0x9000);
	rc = smdp_check_authenticate_response(smdp, c->rsp, c->rsp_len);
	ck_assert_msg(rc == AUTH_NO_SESSION_CONTEXT || rc == AUTH_EUICC_CHALLENGE_MISMATCH,
		      "replayed AuthenticateServer: %d (%s)", rc, smdp_why(smdp));
	free(req);
	smdp_free(smdp);
	expect_recovery(c, &before, NULL, "replayed AuthenticateServer");
	card_close(c);
}
END_TEST

/* ---- PrepareDownload errors ------------------------------------------------- */

static void prepare_error(const struct smdp_opts *o, int code, const char *what)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	int rc;

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &before);
	dl_init(d, c, o, what);
	ck_assert_int_eq(dl_auth(d), 0);
	rc = dl_prepare(d);
	ck_assert_msg(rc == code, "%s: downloadErrorCode %d, want %d", what, rc, code);
	dl_free(d);
	expect_recovery(c, &before, o->curve, what);
	free(d);
	card_close(c);
}

START_TEST(prepare_invalid_certificate)
{
	struct smdp_opts o = { .corrupt_dppb_cert = true };

	prepare_error(&o, DL_INVALID_CERTIFICATE, "CERT.DPpb with a broken signature");
	o.curve = "BRP";
	prepare_error(&o, DL_INVALID_CERTIFICATE, "CERT.DPpb (brainpool) with a broken signature");
}
END_TEST

/* CERT.DPauth where CERT.DPpb belongs (wrong policy: DownloadErrorCode has
 * no invalidOid), and a CERT.DPpb from the other CI than CERT.DPauth's. */
START_TEST(prepare_wrong_certificate)
{
	struct smdp_opts o = {
		.dppb_cert = CERTS_DIR "/DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der",
		.dppb_key = CERTS_DIR "/DPauth/SK_S_SM_DPauth_ECDSA_NIST.pem",
	};

	prepare_error(&o, DL_INVALID_CERTIFICATE, "CERT.DPauth sent as CERT.DPpb");
	o.dppb_cert = CERTS_DIR "/DPpb/CERT_S_SM_DPpb_ECDSA_BRP.der";
	o.dppb_key = CERTS_DIR "/DPpb/SK_S_SM_DPpb_ECDSA_BRP.pem";
	prepare_error(&o, DL_INVALID_CERTIFICATE, "brainpool CERT.DPpb after a NIST CERT.DPauth");
}
END_TEST

/* A CERT.DPpb on P-384 issued by the SGP.26 NIST CI. */
START_TEST(prepare_unsupported_curve)
{
	char *dir = strdup(t_mkdtemp());
	X509 *ci = load_x509(CERTS_DIR "/CertificateIssuer/CERT_CI_ECDSA_NIST.der");
	EVP_PKEY *ci_key = load_pkey(CERTS_DIR "/CertificateIssuer/SK_CI_ECDSA_NIST.pem");
	X509 *cert;
	EVP_PKEY *key;
	char cp[512], kp[512];
	struct smdp_opts o = { .dppb_cert = cp, .dppb_key = kp };

	make_cert(dir, "dppb-p384", "secp384r1", ci, ci_key, ROLE_DP_PB, &cert, &key);
	ck_assert_int_eq(X509_verify(cert, X509_get0_pubkey(ci)), 1);
	snprintf(cp, sizeof(cp), "%s/dppb-p384.der", dir);
	snprintf(kp, sizeof(kp), "%s/dppb-p384.pem", dir);
	prepare_error(&o, DL_UNSUPPORTED_CURVE, "CERT.DPpb on P-384");
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(ci);
	EVP_PKEY_free(ci_key);
	t_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(prepare_invalid_signature)
{
	struct smdp_opts o = { .bad_smdp_signature2 = true };

	prepare_error(&o, DL_INVALID_SIGNATURE, "smdpSignature2 damaged");
	o.curve = "BRP";
	prepare_error(&o, DL_INVALID_SIGNATURE, "smdpSignature2 (brainpool) damaged");
}
END_TEST

START_TEST(prepare_invalid_transaction_id)
{
	struct smdp_opts o = { .prepare_wrong_txid = true };

	prepare_error(&o, DL_INVALID_TRANSACTION_ID, "smdpSigned2 with another transactionId");
}
END_TEST

/* PrepareDownload after a reset (the session is gone) and a second
 * PrepareDownload in the same session. */
START_TEST(prepare_no_session_context)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &before);
	dl_init(d, c, NULL, "PrepareDownload after a reset");
	ck_assert_int_eq(dl_auth(d), 0);
	sim_power(c->sc, SIM_RESET);
	c->ch = t_open_isdr(c->sc);
	ck_assert_int_eq(dl_prepare(d), DL_NO_SESSION_CONTEXT);
	dl_free(d);

	dl_init(d, c, NULL, "PrepareDownload twice");
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	ck_assert_int_eq(dl_prepare(d), DL_NO_SESSION_CONTEXT);
	dl_free(d);
	expect_recovery(c, &before, NULL, "PrepareDownload without a session");
	free(d);
	card_close(c);
}
END_TEST

/* ---- LoadBoundProfilePackage errors ----------------------------------------- */

static size_t last_piece(const struct dl *d, uint8_t tag)
{
	for (size_t i = d->n_pieces; i-- > 0;)
		if (d->piece[i].tag == tag)
			return i;
	ck_abort_msg("%s: no piece %02X", d->what, tag);
	return 0;
}

/* The piece whose answer must carry the errorResult: the one with the
 * fault, or the last of its group for faults found when the group is
 * complete. SIZE_MAX: not pinned down (memory accounting is the card's). */
static size_t error_piece(const struct dl *d, const struct smdp_opts *o, unsigned cmd, unsigned reason)
{
	switch (cmd) {
	case CMD_INIT_SECURE_CHANNEL:
		return 0;
	case CMD_CONFIGURE_ISDP:
		return piece_index(d, 0xA0, 0);
	case CMD_STORE_METADATA:
		return o && o->tamper_88 ? piece_index(d, 0x88, o->tamper_88 - 1) : last_piece(d, 0x88);
	case CMD_REPLACE_SESSION_KEYS:
		return piece_index(d, 0xA2, 0);
	case CMD_LOAD_PROFILE_ELEMENTS:
		if (o && o->tamper_86)
			return piece_index(d, 0x86, o->tamper_86 - 1);
		return reason == ER_NO_MEMORY ? SIZE_MAX : last_piece(d, 0x86);
	}
	return SIZE_MAX;
}

/* Run a download with o of `name` on c; the card must end it with an
 * errorResult (cmd, reason) in the answer to the faulty piece; then
 * nothing new, and a normal download. */
static void bpp_error_on(struct card *c, const struct smdp_opts *o, const char *name, size_t truncate, unsigned cmd,
			 unsigned reason, const char *what)
{
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp;
	size_t len, at;

	ck_assert_ptr_nonnull(d);
	upp = read_profile(name, &len);
	ck_assert_uint_lt(truncate, len);
	get_profiles(c, &before);
	dl_init(d, c, o, what);
	dl_run(d, upp, len - truncate);
	ck_assert_msg(d->got_pir, "%s: no ProfileInstallationResult", what);
	ck_assert_msg(!d->pir.success, "%s: the profile was installed", what);
	ck_assert_msg(d->pir.bpp_command_id == cmd && d->pir.error_reason == reason,
		      "%s: errorResult bppCommandId %u errorReason %u (at piece %zu of %zu), want %u / %u", what,
		      d->pir.bpp_command_id, d->pir.error_reason, d->pir_at, d->n_pieces, cmd, reason);
	at = error_piece(d, o, cmd, reason);
	ck_assert_msg(at == SIZE_MAX || d->pir_at == at, "%s: errorResult in the answer to piece %zu, want %zu", what,
		      d->pir_at, at);
	ck_assert_str_eq(d->pir.notification_address, SMDP_DEFAULT_ADDRESS);
	dl_free(d);
	free(d);
	free(upp);
	expect_recovery(c, &before, o ? o->curve : NULL, what);
}

static void bpp_error(const struct smdp_opts *o, unsigned cmd, unsigned reason, const char *what)
{
	struct card *c = card_open(NULL, NULL);

	bpp_error_on(c, o, SUBJECT, 0, cmd, reason, what);
	card_close(c);
}

/* One row for each errorResult a damaged or refused BPP must give:
 * the SM-DP+ option that causes it, and the command and reason the
 * ProfileInstallationResult must name. */
static const uint8_t other_iccid[10] = { 0x98, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x54 };

static const struct bpp_case {
	const char *what;
	struct smdp_opts o;
	unsigned cmd, reason;
} bpp_cases[] = {
	{ "smdpSign damaged", { .bad_smdp_sign = true }, CMD_INIT_SECURE_CHANNEL, ER_INVALID_SIGNATURE },
	{ "smdpSign (brainpool) damaged", { .bad_smdp_sign = true, .curve = "BRP" },
	  CMD_INIT_SECURE_CHANNEL, ER_INVALID_SIGNATURE },
	{ "BF23 with another transactionId", { .init_wrong_txid = true },
	  CMD_INIT_SECURE_CHANNEL, ER_INVALID_TRANSACTION_ID },
	{ "CRT keyType 80 (DES)", { .crt_key_type = 0x80 }, CMD_INIT_SECURE_CHANNEL, ER_UNSUPPORTED_CRT_VALUES },
	{ "CRT keyLen 32", { .crt_key_len = 0x20 }, CMD_INIT_SECURE_CHANNEL, ER_UNSUPPORTED_CRT_VALUES },
	{ "remoteOpId 2", { .remote_op_id = 2 }, CMD_INIT_SECURE_CHANNEL, ER_UNSUPPORTED_REMOTE_OPERATION },
	{ "ConfigureISDP 87 damaged", { .tamper_87 = 1 }, CMD_CONFIGURE_ISDP, ER_SCP03T_SECURITY },
	{ "StoreMetadata 88 damaged", { .tamper_88 = 1 }, CMD_STORE_METADATA, ER_SCP03T_SECURITY },
	{ "second StoreMetadata 88 damaged", { .tamper_88 = 2, .segment_size = 16 },
	  CMD_STORE_METADATA, ER_SCP03T_SECURITY },
	{ "ReplaceSessionKeys 87 damaged", { .tamper_87 = 2 }, CMD_REPLACE_SESSION_KEYS, ER_SCP03T_SECURITY },
	{ "first 86 damaged", { .tamper_86 = 1 }, CMD_LOAD_PROFILE_ELEMENTS, ER_SCP03T_SECURITY },
	{ "fifth 86 damaged", { .tamper_86 = 5 }, CMD_LOAD_PROFILE_ELEMENTS, ER_SCP03T_SECURITY },
	/* the last one (11768 bytes in 12 segments) */
	{ "last 86 damaged", { .tamper_86 = 12 }, CMD_LOAD_PROFILE_ELEMENTS, ER_SCP03T_SECURITY },
	{ "third 86 damaged, no ReplaceSessionKeys", { .tamper_86 = 3, .no_replace_session_keys = true },
	  CMD_LOAD_PROFILE_ELEMENTS, ER_SCP03T_SECURITY },
	{ "StoreMetadata ICCID is not the package's", { .metadata_iccid = other_iccid },
	  CMD_LOAD_PROFILE_ELEMENTS, ER_ICCID_MISMATCH },
	{ "PPR1 with an empty RAT", { .ppr = SMDP_PPR1 }, CMD_STORE_METADATA, ER_PPR_NOT_ALLOWED },
	{ "PPR2 with an owner and an empty RAT",
	  { .ppr = SMDP_PPR2, .has_owner = true, .owner_mcc_mnc = { 0x00, 0xF1, 0x10 } },
	  CMD_STORE_METADATA, ER_PPR_NOT_ALLOWED },
};

START_TEST(bpp_errors)
{
	const struct bpp_case *k = &bpp_cases[_i];

	bpp_error(&k->o, k->cmd, k->reason, k->what);
}
END_TEST

/* Pieces out of order: the A1 header before the A0; two 86s swapped. */
START_TEST(bpp_wrong_order)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp;
	size_t len, a1, first86;

	ck_assert_ptr_nonnull(d);
	upp = read_profile(SUBJECT, &len);
	get_profiles(c, &before);

	dl_init(d, c, NULL, "A1 header before A0");
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	dl_bind(d, upp, len);
	a1 = piece_index(d, 0xA1, 0);
	ck_assert_uint_eq(a1, 2);
	dl_send_range(d, 0, 1);
	ck_assert(!d->got_pir);
	ck_assert_uint_eq(dl_send(d, a1), 0x9000);
	ck_assert_msg(d->got_pir && !d->pir.success, "A1 header before A0: no errorResult");
	ck_assert_msg(d->pir.bpp_command_id == CMD_CONFIGURE_ISDP && d->pir.error_reason == ER_SCP03T_STRUCTURE,
		      "A1 header before A0: errorResult %u / %u, want %u / %u", d->pir.bpp_command_id,
		      d->pir.error_reason, CMD_CONFIGURE_ISDP, ER_SCP03T_STRUCTURE);
	dl_free(d);

	dl_init(d, c, NULL, "86 segments swapped");
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	dl_bind(d, upp, len);
	first86 = piece_index(d, 0x86, 0);
	dl_send_range(d, 0, first86);
	ck_assert(!d->got_pir);
	ck_assert_uint_eq(dl_send(d, first86 + 1), 0x9000);
	ck_assert_msg(d->got_pir && !d->pir.success, "86 swapped: no errorResult");
	ck_assert_msg(d->pir.bpp_command_id == CMD_LOAD_PROFILE_ELEMENTS && d->pir.error_reason == ER_SCP03T_SECURITY,
		      "86 swapped: errorResult %u / %u", d->pir.bpp_command_id, d->pir.error_reason);
	dl_free(d);

	free(upp);
	free(d);
	expect_recovery(c, &before, NULL, "pieces out of order");
	card_close(c);
}
END_TEST

START_TEST(bpp_iccid_already_exists)
{
	struct card *c = card_open(NULL, NULL);
	struct plist pl;

	get_profiles(c, &pl);
	install(c, NULL, SUBJECT, &pl);
	bpp_error_on(c, NULL, SUBJECT, 0, CMD_STORE_METADATA, ER_ICCID_EXISTS, "the same profile twice");
	card_close(c);
}
END_TEST

/* profile-memory 4k: the package does not fit. The card in its state
 * directory then reopens with room and downloads normally. */
START_TEST(bpp_insufficient_memory)
{
	static const char *const small[] = { "profile-memory", "4k", NULL };
	char *dir = strdup(t_mkdtemp());
	struct card *c = card_open(dir, small);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp;
	size_t len;

	ck_assert_ptr_nonnull(d);
	upp = read_profile(SUBJECT, &len);
	get_profiles(c, &before);
	dl_init(d, c, NULL, "profile-memory 4k");
	dl_run(d, upp, len);
	ck_assert_msg(d->got_pir && !d->pir.success, "profile-memory 4k: no errorResult");
	ck_assert_msg(d->pir.bpp_command_id == CMD_LOAD_PROFILE_ELEMENTS && d->pir.error_reason == ER_NO_MEMORY,
		      "profile-memory 4k: errorResult %u / %u, want %u / %u", d->pir.bpp_command_id,
		      d->pir.error_reason, CMD_LOAD_PROFILE_ELEMENTS, ER_NO_MEMORY);
	dl_free(d);
	free(d);
	free(upp);
	get_profiles(c, &before);
	ck_assert_uint_eq(before.n, 0);
	card_close(c);

	c = card_open(dir, NULL);
	expect_recovery(c, &before, NULL, "profile-memory 4k, reopened with 16M");
	card_close(c);
	t_rmrf(dir);
	free(dir);
}
END_TEST

/* A package cut short: the last PE is incomplete. */
START_TEST(bpp_pe_processing_error)
{
	static const size_t cut[] = { 100, 1 };

	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		struct card *c = card_open(NULL, NULL);
		char what[64];

		snprintf(what, sizeof(what), "package %zu byte(s) short", cut[i]);
		bpp_error_on(c, NULL, SUBJECT, cut[i], CMD_LOAD_PROFILE_ELEMENTS, ER_PE_PROCESSING, what);
		card_close(c);
	}
}
END_TEST

/* AKA parameters the card cannot run (MILENAGE with a 256-bit K, PE
 * identification 70, before the End PE): the download fails with a PE
 * processing error, not a profile whose USIM would answer wrongly. */
START_TEST(bpp_aka_the_card_cannot_run)
{
	static const uint8_t head[] = {
		0xA4, 0x43, 0xA0, 0x03, 0x81, 0x01, 0x70, 0xA1, 0x3C, 0xA1, 0x3A,
		0x80, 0x01, 0x01, 0x81, 0x01, 0x00, 0x82, 0x20,
	};
	uint8_t pe[sizeof(head) + 32 + 18];
	struct card *c = card_open(NULL, NULL);
	size_t len, end = 0;
	uint8_t *upp = read_profile(SUBJECT, &len);
	char *dir = strdup(t_mkdtemp()), path[256];
	struct tlv t;
	FILE *f;

	memcpy(pe, head, sizeof(head));
	memset(pe + sizeof(head), 0x11, 32);
	pe[sizeof(head) + 32] = 0x83;
	pe[sizeof(head) + 33] = 0x10;
	memset(pe + sizeof(head) + 34, 0x22, 16);
	/* the End PE is the last element */
	for (size_t off = 0; off < len; off += t.raw_len) {
		ck_assert_int_eq(tlv_parse(upp + off, len - off, &t), 0);
		end = off;
	}
	snprintf(path, sizeof(path), "%s/milenage-k256.der", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(upp, 1, end, f), end);
	ck_assert_uint_eq(fwrite(pe, 1, sizeof(pe), f), sizeof(pe));
	ck_assert_uint_eq(fwrite(upp + end, 1, len - end, f), len - end);
	fclose(f);
	bpp_error_on(c, NULL, path, 0, CMD_LOAD_PROFILE_ELEMENTS, ER_PE_PROCESSING, "MILENAGE with a 256-bit K");
	card_close(c);
	free(upp);
	t_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(bpp_unsupported_profile_class)
{
	static const char *const no_test[] = { "rsp-capability", "additionalProfile", NULL };
	struct smdp_opts o = { .has_profile_class = true, .profile_class = SMDP_CLASS_TEST };
	struct card *c = card_open(NULL, no_test);

	bpp_error_on(c, &o, SUBJECT, 0, CMD_STORE_METADATA, ER_UNSUPPORTED_PROFILE_CLASS,
		     "test profile on a card without testProfileSupport");
	card_close(c);
}
END_TEST

/* ---- CancelSession and interruptions ---------------------------------------- */

static void cancel(struct dl *d, unsigned reason)
{
	uint8_t *req = NULL;
	size_t len = 0;
	unsigned sw;
	int rc;

	ck_assert_int_eq(smdp_cancel_session_request(d->smdp, reason, &req, &len), 0);
	sw = es10(d->c, req, len);
	free(req);
	ck_assert_msg(sw == 0x9000, "%s: CancelSession answered SW %04X", d->what, sw);
	rc = smdp_check_cancel_response(d->smdp, d->c->rsp, d->c->rsp_len);
	ck_assert_msg(rc == 0, "%s: CancelSession response: %d %s (%s)", d->what, rc, rc < 0 ? smdp_strerror(rc) : "",
		      smdp_why(d->smdp));
	ck_assert_str_eq(smdp_oid(d->smdp), "2.999.10");
}

static void cancel_after(bool prepared, const char *curve, unsigned reason)
{
	struct card *c = card_open(NULL, NULL);
	struct smdp_opts o = { .curve = curve };
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	const char *what = prepared ? "CancelSession after PrepareDownload" : "CancelSession after AuthenticateServer";

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &before);
	dl_init(d, c, &o, what);
	ck_assert_int_eq(dl_auth(d), 0);
	if (prepared)
		ck_assert_int_eq(dl_prepare(d), 0);
	cancel(d, reason);
	/* the session is over */
	ck_assert_int_eq(dl_prepare(d), DL_NO_SESSION_CONTEXT);
	dl_free(d);
	free(d);
	expect_recovery(c, &before, curve, what);
	card_close(c);
}

START_TEST(cancel_after_authenticate)
{
	cancel_after(false, "NIST", 0);	/* endUserRejection */
	cancel_after(false, "BRP", 2);	/* timeout */
}
END_TEST

START_TEST(cancel_after_prepare)
{
	cancel_after(true, "NIST", 1);	/* postponed */
	cancel_after(true, "BRP", 3);	/* pprNotAllowed */
}
END_TEST

enum interruption { INT_CHALLENGE, INT_RESET, INT_POWER_CYCLE };

/* Send the BPP up to and including the third 86, interrupt, and look. */
static void interrupt_86(enum interruption how, const char *what)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp, challenge[16];
	size_t len, third;
	unsigned sw;

	ck_assert_ptr_nonnull(d);
	upp = read_profile(SUBJECT, &len);
	get_profiles(c, &before);
	dl_init(d, c, NULL, what);
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	dl_bind(d, upp, len);
	third = piece_index(d, 0x86, 2);
	dl_send_range(d, 0, third + 1);
	ck_assert(!d->got_pir);
	switch (how) {
	case INT_CHALLENGE:
		get_challenge(c, challenge);
		break;
	case INT_RESET:
		sim_power(c->sc, SIM_RESET);
		c->ch = t_open_isdr(c->sc);
		break;
	case INT_POWER_CYCLE:
		sim_power(c->sc, SIM_POWER_OFF);
		sim_power(c->sc, SIM_POWER_ON);
		c->ch = t_open_isdr(c->sc);
		break;
	}
	/* The rest of the BPP does not install anything. */
	sw = dl_send(d, third + 1);
	ck_assert_msg(sw != 0x9000 || (d->got_pir && !d->pir.success),
		      "%s: the next 86 was accepted (SW %04X)", what, sw);
	dl_free(d);
	free(d);
	free(upp);
	expect_recovery(c, &before, NULL, what);
	card_close(c);
}

START_TEST(challenge_during_86)
{
	interrupt_86(INT_CHALLENGE, "GetEUICCChallenge in the middle of the 86s");
}
END_TEST

START_TEST(reset_during_86)
{
	interrupt_86(INT_RESET, "reset in the middle of the 86s");
	interrupt_86(INT_POWER_CYCLE, "power off/on in the middle of the 86s");
}
END_TEST

/* A malformed or unsupported ES10 command during the 86s is refused and
 * leaves the load alone; the download then completes. */
START_TEST(refused_command_during_86_keeps_load)
{
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	struct dl *d = malloc(sizeof(*d));
	/* truncated inside (BF20 02 0500 was malformed before issue 9; an
	 * element in an empty request is an extension now) */
	static const uint8_t malformed[] = { 0xBF, 0x20, 0x02, 0xA1, 0x05 };
	static const uint8_t load_crl[] = { 0xBF, 0x35, 0x00 };
	uint8_t *upp;
	size_t len, third;

	ck_assert_ptr_nonnull(d);
	upp = read_profile(SUBJECT, &len);
	get_profiles(c, &before);
	dl_init(d, c, NULL, "refused commands during the 86s");
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	dl_bind(d, upp, len);
	third = piece_index(d, 0x86, 2);
	dl_send_range(d, 0, third + 1);
	ck_assert_uint_eq(es10(c, malformed, sizeof(malformed)), 0x6A80);
	ck_assert_uint_eq(es10(c, load_crl, sizeof(load_crl)), 0x6A88);
	dl_send_range(d, third + 1, d->n_pieces);
	ck_assert(d->got_pir && d->pir.success);
	dl_free(d);
	free(d);
	free(upp);
	card_close(c);
}
END_TEST

/* StoreMetadata values beyond the SGP.22 sizes are refused at install, so
 * GetProfilesInfo never meets one. */
START_TEST(bpp_metadata_too_long)
{
	static char name[1401];
	struct smdp_opts o = { 0 };

	memset(name, 'n', sizeof(name) - 1);
	o.profile_name = name;
	bpp_error(&o, CMD_STORE_METADATA, 1 /* incorrectInputValues */, "a 1400-byte profileName");
	o.profile_name = NULL;
	o.service_provider_name = "an SPN of more than thirty-two bytes";
	bpp_error(&o, CMD_STORE_METADATA, 1, "a 36-byte serviceProviderName");
}
END_TEST

/* The names are UTF8Strings: their SIZE counts characters (X.680 §41.4),
 * so 32 two-byte characters are a valid serviceProviderName and 64
 * four-byte ones a valid profileName; one more, or a string that is not
 * UTF-8, is refused. */
START_TEST(bpp_metadata_names_in_characters)
{
	static char spn[4 * 33 + 1], name[4 * 65 + 1];
	struct smdp_opts o = { 0 };
	struct card *c = card_open(NULL, NULL);
	struct plist before;
	static const uint8_t req[] = { 0xBF, 0x2D, 0x00 };

	for (int i = 0; i < 32; i++)
		strcat(spn, "\xC3\xA9");	/* é */
	for (int i = 0; i < 64; i++)
		strcat(name, "\xF0\x9F\x93\xB6");	/* U+1F4F6 */
	o.service_provider_name = spn;
	o.profile_name = name;
	get_profiles(c, &before);
	install(c, &o, SUBJECT, &before);
	ck_assert_uint_eq(es10(c, req, sizeof(req)), 0x9000);
	ck_assert(memmem(c->rsp, c->rsp_len, "\x91\x40", 2) != NULL);	/* 64 bytes */
	ck_assert(memmem(c->rsp, c->rsp_len, spn, strlen(spn)) != NULL);
	ck_assert(memmem(c->rsp, c->rsp_len, "\x92\x82\x01\x00", 4) != NULL);	/* 256 bytes */
	ck_assert(memmem(c->rsp, c->rsp_len, name, strlen(name)) != NULL);
	card_close(c);

	strcat(spn, "\xC3\xA9");
	o.profile_name = NULL;
	bpp_error(&o, CMD_STORE_METADATA, 1, "a serviceProviderName of 33 characters (66 bytes)");
	o.service_provider_name = NULL;
	strcat(name, "\xF0\x9F\x93\xB6");
	o.profile_name = name;
	bpp_error(&o, CMD_STORE_METADATA, 1, "a profileName of 65 characters (260 bytes)");
	o.profile_name = "\xC0\x80 overlong NUL";
	bpp_error(&o, CMD_STORE_METADATA, 1, "a profileName that is not UTF-8");
}
END_TEST

/* ---- persistence ------------------------------------------------------------ */

/* The profiles element ([3], tag A3) of the state file, or empty. */
static size_t state_profiles(const char *dir, uint8_t **out)
{
	char path[512];
	uint8_t *file;
	size_t len;
	struct tlv top, e;
	struct tlv_iter it;

	snprintf(path, sizeof(path), "%s/card.state", dir);
	file = read_all(path, &len);
	ck_assert_uint_gt(len, 8 + 32);
	ck_assert_mem_eq(file, "EUSIMST1", 8);
	ck_assert_int_eq(tlv_parse_exact(file + 8, len - 8 - 32, &top), 0);
	ck_assert_uint_eq(top.tag, 0x30);
	*out = NULL;
	tlv_iter_init(&it, &top);
	while (tlv_iter_next(&it, &e) == 1) {
		if (e.tag == 0xA3) {
			*out = malloc(e.raw_len);
			ck_assert_ptr_nonnull(*out);
			memcpy(*out, e.raw, e.raw_len);
			free(file);
			return e.raw_len;
		}
	}
	free(file);
	return 0;
}

START_TEST(state_keeps_installed_profile)
{
	char *dir = strdup(t_mkdtemp());
	struct card *c = card_open(dir, NULL);
	struct plist pl, again;

	get_profiles(c, &pl);
	install(c, NULL, SUBJECT, &pl);
	card_close(c);
	c = card_open(dir, NULL);
	get_profiles(c, &again);
	same_profiles(&pl, &again, "after reopening");
	ck_assert_int_eq(again.state[0], 0);
	/* and the reopened card goes on: the same ICCID is refused, another installs */
	bpp_error_on(c, NULL, SUBJECT, 0, CMD_STORE_METADATA, ER_ICCID_EXISTS, "the same profile after reopening");
	card_close(c);
	t_rmrf(dir);
	free(dir);
}
END_TEST

START_TEST(state_failed_download_keeps_profile_list)
{
	char *dir = strdup(t_mkdtemp());
	struct card *c = card_open(dir, NULL);
	struct smdp_opts bad = { .tamper_86 = 3 };
	struct plist pl, again;
	uint8_t *before = NULL, *after = NULL;
	size_t nb, na;
	struct dl *d = malloc(sizeof(*d));
	uint8_t *upp;
	size_t len;

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &pl);
	install(c, NULL, SUBJECT, &pl);
	nb = state_profiles(dir, &before);
	ck_assert_uint_gt(nb, 0);

	upp = read_profile(RECOVERY, &len);
	dl_init(d, c, &bad, "86 damaged, with a state directory");
	dl_run(d, upp, len);
	ck_assert(d->got_pir && !d->pir.success);
	ck_assert_uint_eq(d->pir.error_reason, ER_SCP03T_SECURITY);
	dl_free(d);
	free(d);
	free(upp);
	na = state_profiles(dir, &after);
	ck_assert_uint_eq(na, nb);
	ck_assert_mem_eq(after, before, na);
	card_close(c);

	c = card_open(dir, NULL);
	get_profiles(c, &again);
	same_profiles(&pl, &again, "failed download, reopened");
	card_close(c);
	free(before);
	free(after);
	t_rmrf(dir);
	free(dir);
}
END_TEST

/* ---- certificate issuers: presets and mixes ---------------------------------- */

#define PRIVATE_DIR SIM_DATADIR "/certs/private"
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define GSMA_CI SIM_DATADIR "/certs/gsma-ci/gsma-rsp2-root-ci1.pem"

/* SubjectKeyIdentifier of a CI certificate, as 20 bytes. */
static void ski_of(const char *path, uint8_t out[20])
{
	X509 *x = NULL;
	FILE *f = fopen(path, "rb");

	/* DER or PEM */
	ck_assert_ptr_nonnull(f);
	x = d2i_X509_fp(f, NULL);
	if (!x) {
		rewind(f);
		x = PEM_read_X509(f, NULL, NULL, NULL);
	}
	fclose(f);
	ck_assert_ptr_nonnull(x);
	{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);

	ck_assert_ptr_nonnull(ski);
	ck_assert_int_eq(ASN1_STRING_length(ski), 20);
	memcpy(out, ASN1_STRING_get0_data(ski), 20);
	}
	X509_free(x);
}

/* The expected EUICCInfo1 for the given lists of CI certificate files. */
static size_t info1_for(const char *const *verif, size_t nv, const char *const *sign, size_t ns, uint8_t *out)
{
	size_t body = 5 + 2 + 22 * nv + 2 + 22 * ns;
	size_t n = tlv_put_header(out, 8, 0xBF20, body);

	memcpy(out + n, "\x82\x03\x02\x03\x00", 5);
	n += 5;
	out[n++] = 0xA9;
	out[n++] = (uint8_t)(22 * nv);
	for (size_t i = 0; i < nv; i++) {
		out[n++] = 0x04;
		out[n++] = 20;
		ski_of(verif[i], out + n);
		n += 20;
	}
	out[n++] = 0xAA;
	out[n++] = (uint8_t)(22 * ns);
	for (size_t i = 0; i < ns; i++) {
		out[n++] = 0x04;
		out[n++] = 20;
		ski_of(sign[i], out + n);
		n += 20;
	}
	return n;
}

START_TEST(preset_ci_lists)
{
	static const char *const N = CERTS_DIR "/CertificateIssuer/CERT_CI_ECDSA_NIST.der";
	static const char *const B = CERTS_DIR "/CertificateIssuer/CERT_CI_ECDSA_BRP.der";
	static const char *const P = PRIVATE_DIR "/CertificateIssuer/CERT_CI_ECDSA_NIST.der";
	static const char *const G = GSMA_CI;
	static const struct {
		const char *preset;
		const char *verif[4];
		size_t nv;
		const char *sign[3];
		size_t ns;
	} want[] = {
		{ "sgp26", { N, B }, 2, { N, B }, 2 },
		{ "sgp26-nist", { N }, 1, { N }, 1 },
		{ "sgp26-brp", { B }, 1, { B }, 1 },
		{ "gsma-prod", { G }, 1, { NULL }, 0 },
		{ "private", { P }, 1, { P }, 1 },
		{ "hybrid", { G, N, B, P }, 4, { N, B, P }, 3 },
	};
	static const uint8_t req[] = { 0xBF, 0x20, 0x00 };
	uint8_t expect[256];
	uint8_t gsma[20];

	/* the GSMA root is the one SGP.22 users know by its key ID */
	ski_of(G, gsma);
	ck_assert_mem_eq(gsma, "\x81\x37\x0F\x51\x25\xD0\xB1\xD4\x08\xD4\xC3\xB2\x32\xE6\xD2\x5E\x79\x5B\xEB\xFB", 20);
	for (size_t i = 0; i < N_OF(want); i++) {
		const char *const settings[] = { "preset", want[i].preset, NULL };
		struct card *c = card_open(NULL, settings);
		size_t n = info1_for(want[i].verif, want[i].nv, want[i].sign, want[i].ns, expect);

		ck_assert_uint_eq(es10(c, req, sizeof(req)), 0x9000);
		ck_assert_msg(c->rsp_len == n && !memcmp(c->rsp, expect, n), "preset %s: EUICCInfo1 differs",
			      want[i].preset);
		card_close(c);
	}
}
END_TEST

START_TEST(downloads_per_issuer)
{
	static const struct {
		const char *preset, *curve, *certs, *profile;
	} runs[] = {
		{ "sgp26-nist", "NIST", CERTS_DIR, "TS48V1-A-UNIQUE.der" },
		{ "sgp26-brp", "BRP", CERTS_DIR, "TS48V1-B-UNIQUE.der" },
		{ "private", "NIST", PRIVATE_DIR, "TS48V2-SAIP2-1-BERTLV-UNIQUE.der" },
	};
	struct plist before;

	for (size_t i = 0; i < N_OF(runs); i++) {
		const char *const settings[] = { "preset", runs[i].preset, NULL };
		struct smdp_opts o = { .curve = runs[i].curve, .certs_dir = runs[i].certs };
		struct card *c = card_open(NULL, settings);

		get_profiles(c, &before);
		install(c, &o, runs[i].profile, &before);
		card_close(c);
	}
	/* The hybrid card, with an SM-DP+ of each CI it can sign for. */
	{
		const char *const settings[] = { "preset", "hybrid", NULL };
		struct card *c = card_open(NULL, settings);

		for (size_t i = 0; i < N_OF(runs); i++) {
			struct smdp_opts o = { .curve = runs[i].curve, .certs_dir = runs[i].certs };

			get_profiles(c, &before);
			install(c, &o, runs[i].profile, &before);
		}
		card_close(c);
	}
}
END_TEST

/* AuthenticateServer on a card of the given preset must fail with code. */
static void auth_error_on(const char *preset, const struct smdp_opts *o, int code, const char *what)
{
	const char *const settings[] = { "preset", preset, NULL };
	struct card *c = card_open(NULL, settings);
	struct dl *d = malloc(sizeof(*d));
	struct plist before, after;
	int rc;

	ck_assert_ptr_nonnull(d);
	get_profiles(c, &before);
	dl_init(d, c, o, what);
	rc = dl_auth(d);
	ck_assert_msg(rc == code, "%s: authenticateErrorCode %d, want %d", what, rc, code);
	dl_free(d);
	free(d);
	get_profiles(c, &after);
	same_profiles(&before, &after, what);
	card_close(c);
}

START_TEST(issuer_refusals)
{
	struct smdp_opts private_dp = { .curve = "NIST", .certs_dir = PRIVATE_DIR };
	struct smdp_opts sgp26_dp = { .curve = "NIST" };
	struct smdp_opts private_pb_as_auth = {
		.curve = "NIST", .certs_dir = PRIVATE_DIR,
		.dpauth_cert = PRIVATE_DIR "/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der",
		.dpauth_key = PRIVATE_DIR "/DPpb/SK_S_SM_DPpb_ECDSA_NIST.pem",
	};

	auth_error_on("sgp26", &private_dp, AUTH_CI_PK_UNKNOWN,
		      "SGP.26 card, SM-DP+ of a private CI it does not trust");
	auth_error_on("private", &sgp26_dp, AUTH_CI_PK_UNKNOWN,
		      "private card, SM-DP+ of the SGP.26 CI");
	auth_error_on("gsma-prod", &sgp26_dp, AUTH_CI_PK_UNKNOWN,
		      "verification-only card: no credential set to sign with");
	auth_error_on("private", &private_pb_as_auth, AUTH_INVALID_OID,
		      "private card, DPpb certificate offered as DPauth");
}
END_TEST

/* ---- suite ------------------------------------------------------------------ */

/* ---- other LPAs, newer SM-DP+s: extensions (SGP.22 EXTENSIBILITY IMPLIED) ------ */

static const char *const corpus_files[] = { "lpac.txt", "pysim.txt", "phone.txt" };

static const char *const extra_keys[] = {
	"ctx", "auth_extra", "signed1_extra", "signed2_extra", "prepare_extra", "bf23_extra", "configure_extra",
	"metadata_extra", "rsk_extra",
};

/* The SM-DP+ options of a corpus AuthenticateServer entry; keep[] holds the
 * bytes (free them). */
static void corpus_opts(const struct t_vectors *v, const char *section, struct smdp_opts *o,
			uint8_t *keep[ARRAY_SIZE(extra_keys)])
{
	struct smdp_bytes *dst[] = {
		&o->ctx_params1, &o->auth_extra, &o->signed1_extra, &o->signed2_extra, &o->prepare_extra,
		&o->bf23_extra, &o->configure_extra, &o->metadata_extra, &o->rsk_extra,
	};

	for (size_t k = 0; k < ARRAY_SIZE(extra_keys); k++) {
		keep[k] = NULL;
		if (!t_vec_str(v, section, extra_keys[k]))
			continue;
		keep[k] = t_vec_bytes(v, section, extra_keys[k], &dst[k]->len);
		dst[k]->p = keep[k];
	}
}

static void free_kept(uint8_t *keep[ARRAY_SIZE(extra_keys)])
{
	for (size_t k = 0; k < ARRAY_SIZE(extra_keys); k++)
		free(keep[k]);
}

static struct t_vectors *corpus_file(size_t i)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", T_VECTORS_ES10, corpus_files[i]);
	return t_vectors_load(path);
}

/* GetProfilesInfo (all fields) as bytes, into out. */
static size_t profiles_info(struct card *c, uint8_t *out, size_t cap)
{
	static const uint8_t req[] = { 0xBF, 0x2D, 0x00 };

	ck_assert_uint_eq(es10(c, req, sizeof(req)), 0x9000);
	ck_assert_uint_le(c->rsp_len, cap);
	memcpy(out, c->rsp, c->rsp_len);
	return c->rsp_len;
}

static char trace[32768];
static size_t trace_len;

static void trace_sink(void *arg, const char *line)
{
	(void)arg;
	if (trace_len < sizeof(trace) - 1)
		trace_len += (size_t)snprintf(trace + trace_len, sizeof(trace) - trace_len, "%s\n", line);
}

/* Every AuthenticateServer of the corpus (lpac's, pySim's, the phone-like
 * ones) in a whole download through the test SM-DP+, which checks that
 * euiccSigned1 carries the ctxParams1 as sent and verifies the card's
 * signatures. The phone entry with extensions has one unknown element at
 * every level of everything the card decodes; the profile it leaves is
 * the one a download without them leaves. */
START_TEST(corpus_downloads)
{
	size_t done = 0;

	for (size_t f = 0; f < ARRAY_SIZE(corpus_files); f++) {
		struct t_vectors *v = corpus_file(f);
		const char *section;

		for (size_t i = 0; (section = t_vec_section(v, i)); i++) {
			struct smdp_opts o = { .curve = i % 2 ? "BRP" : "NIST" };
			uint8_t *keep[ARRAY_SIZE(extra_keys)];
			struct card *c;
			struct plist pl = { 0 };

			if (!t_vec_str(v, section, "ctx"))
				continue;
			corpus_opts(v, section, &o, keep);
			c = card_open(NULL, NULL);
			trace_len = 0;
			sim_log_set_sink(getenv("T_TRACE") ? NULL : trace_sink, NULL);
			sim_log_level = 1;
			install(c, &o, RECOVERY, &pl);
			sim_log_level = 0;
			sim_log_set_sink(NULL, NULL);
			if (t_vec_str(v, section, "configure_plain")) {
				/* the same download without extensions, for comparison */
				struct smdp_opts plain = { .curve = o.curve };
				uint8_t *a = malloc(4096), *b = malloc(4096), *cp;
				struct card *ref = card_open(NULL, NULL);
				const struct isdr_deviations *d = isdr_deviations(sim_card_isdr(c->sc));
				size_t la, lb;

				ck_assert(a && b);
				cp = t_vec_bytes(v, section, "configure_plain", &plain.configure_extra.len);
				plain.configure_extra.p = cp;
				install(ref, &plain, RECOVERY, &(struct plist){ 0 });
				la = profiles_info(c, a, 4096);
				lb = profiles_info(ref, b, 4096);
				ck_assert_msg(la == lb && !memcmp(a, b, la), "%s: GetProfilesInfo differs from a plain download",
					      section);
				ck_assert_uint_eq(isdr_deviations(sim_card_isdr(ref->sc))->total, 0);
				ck_assert_uint_ge(d->total, 13);
				ck_assert(strstr(trace, "ES10b.AuthenticateServer: unknown element 9F7F in DeviceCapabilities ignored\n"));
				ck_assert(strstr(trace, "ES10b.PrepareDownload: unknown element 9F7F in SmdpSigned2 ignored\n"));
				ck_assert(strstr(trace, "ES10b.LoadBoundProfilePackage: unknown element 9F7F in StoreMetadataRequest ignored\n"));
				ck_assert(strstr(trace, "ES10b.LoadBoundProfilePackage: unknown element 9F7F in DpProprietaryData ignored\n"));
				card_close(ref);
				free(cp);
				free(a);
				free(b);
			}
			card_close(c);
			free_kept(keep);
			done++;
		}
		t_vectors_free(v);
	}
	ck_assert_uint_eq(done, 4);
}
END_TEST

/* A request or BPP element with one extension, in strict mode: refused
 * where it is met (6A80 for requests, incorrectInputValues for BPP
 * elements); without extensions a v2.3 DeviceInfo downloads. */
START_TEST(strict_download)
{
	static const char *const strict[] = { "strict", "yes", NULL };
	static const char *const bpp_keys[] = { "bf23_extra", "configure_extra", "metadata_extra", "rsk_extra" };
	static const unsigned bpp_cmds[] = { CMD_INIT_SECURE_CHANNEL, CMD_CONFIGURE_ISDP, CMD_STORE_METADATA,
					     CMD_REPLACE_SESSION_KEYS };
	struct t_vectors *v = corpus_file(2);
	struct card *c = card_open(NULL, strict);
	struct smdp_opts o = { 0 }, all = { 0 };
	uint8_t *keep[ARRAY_SIZE(extra_keys)], *keep_all[ARRAY_SIZE(extra_keys)], challenge[16], *req;
	struct plist pl = { 0 };
	size_t len;

	corpus_opts(v, "phone.AuthenticateServer", &o, keep);
	install(c, &o, SUBJECT, &pl);
	free_kept(keep);
	corpus_opts(v, "phone.AuthenticateServer.extensions", &all, keep_all);
	for (size_t k = 0; k < 3; k++) {	/* ctx, auth_extra, signed1_extra */
		struct smdp_opts one = { 0 };
		struct smdp *s;

		*(&one.ctx_params1 + k) = *(&all.ctx_params1 + k);
		ck_assert_int_eq(smdp_new(&one, &s), 0);
		get_challenge(c, challenge);
		ck_assert_int_eq(smdp_authenticate_server_request(s, challenge, &req, &len), 0);
		ck_assert_uint_eq(es10(c, req, len), 0x6A80);
		free(req);
		smdp_free(s);
	}
	for (size_t k = 0; k < ARRAY_SIZE(bpp_keys); k++) {
		struct smdp_opts one = { .no_replace_session_keys = false };
		struct smdp_bytes *src[] = { &all.bf23_extra, &all.configure_extra, &all.metadata_extra, &all.rsk_extra };
		struct smdp_bytes *dst[] = { &one.bf23_extra, &one.configure_extra, &one.metadata_extra, &one.rsk_extra };

		struct card *fresh = card_open(NULL, strict);

		*dst[k] = *src[k];
		bpp_error_on(fresh, &one, SUBJECT, 0, bpp_cmds[k], ER_INCORRECT_INPUT_VALUES, bpp_keys[k]);
		card_close(fresh);
	}
	free_kept(keep_all);
	t_vectors_free(v);
	card_close(c);
}
END_TEST

/* What a newer SM-DP+ signs is checked over the bytes it sent: a flipped
 * bit in an extension of serverSigned1 or smdpSigned2 breaks the
 * signature, so the card must have verified over them. */
START_TEST(extension_is_signed)
{
	static const uint8_t ext[] = { 0x9F, 0x7F, 0x01, 0x01 };
	struct card *c = card_open(NULL, NULL);
	struct dl *d = malloc(sizeof(*d));
	struct smdp_opts o = { .signed1_extra = { ext, sizeof(ext) }, .signed2_extra = { ext, sizeof(ext) } };
	uint8_t challenge[16], *req;
	size_t len;

	ck_assert_ptr_nonnull(d);
	dl_init(d, c, &o, "signed extensions");
	ck_assert_int_eq(dl_auth(d), 0);
	ck_assert_int_eq(dl_prepare(d), 0);
	dl_free(d);
	/* the same request with the extension's value changed after signing */
	dl_init(d, c, &o, "tampered extension");
	get_challenge(c, challenge);
	ck_assert_int_eq(smdp_authenticate_server_request(d->smdp, challenge, &req, &len), 0);
	for (size_t i = 0; i + 4 <= len; i++) {
		if (!memcmp(req + i, ext, sizeof(ext))) {
			req[i + 3] ^= 0x02;
			break;
		}
	}
	ck_assert_uint_eq(es10(c, req, len), 0x9000);
	ck_assert_int_eq(smdp_check_authenticate_response(d->smdp, c->rsp, c->rsp_len), AUTH_INVALID_SIGNATURE);
	free(req);
	dl_free(d);
	free(d);
	card_close(c);
}
END_TEST

static TCase *tcase(Suite *s, const char *name, double timeout)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout);
	suite_add_tcase(s, tc);
	return tc;
}

Suite *download_suite(void)
{
	Suite *s = suite_create("download");
	TCase *tc;

	suite_add_tcase(s, smdp_kat_tcase());

	tc = tcase(s, "install_ts48", 300);
	tcase_add_test(tc, ts48_unique_nist);
	tcase_add_test(tc, ts48_unique_brp);
	tcase_add_test(tc, ts48_shared_nist);
	tcase_add_test(tc, ts48_shared_brp);
	tcase_add_test(tc, confirmation_code);
	tcase_add_test(tc, metadata_options);
	tcase_add_test(tc, given_plaintext_and_cuts);

	tc = tcase(s, "authenticate_errors", 120);
	tcase_add_test(tc, auth_invalid_certificate);
	tcase_add_test(tc, auth_invalid_signature);
	tcase_add_test(tc, auth_unsupported_curve);
	tcase_add_test(tc, auth_no_session_context);
	tcase_add_test(tc, auth_invalid_oid);
	tcase_add_test(tc, auth_euicc_challenge_mismatch);
	tcase_add_test(tc, auth_ci_pk_id_unknown);
	tcase_add_test(tc, auth_ci_unknown_issuer);
	tcase_add_test(tc, auth_replayed_request);

	tc = tcase(s, "prepare_errors", 120);
	tcase_add_test(tc, prepare_invalid_certificate);
	tcase_add_test(tc, prepare_wrong_certificate);
	tcase_add_test(tc, prepare_unsupported_curve);
	tcase_add_test(tc, prepare_invalid_signature);
	tcase_add_test(tc, prepare_invalid_transaction_id);
	tcase_add_test(tc, prepare_no_session_context);

	tc = tcase(s, "load_bpp_errors", 120);
	tcase_add_loop_test(tc, bpp_errors, 0, (int)(sizeof(bpp_cases) / sizeof(bpp_cases[0])));
	tcase_add_test(tc, bpp_wrong_order);
	tcase_add_test(tc, bpp_iccid_already_exists);
	tcase_add_test(tc, bpp_insufficient_memory);
	tcase_add_test(tc, bpp_pe_processing_error);
	tcase_add_test(tc, bpp_aka_the_card_cannot_run);
	tcase_add_test(tc, bpp_unsupported_profile_class);

	tc = tcase(s, "cancel_and_interrupt", 120);
	tcase_add_test(tc, cancel_after_authenticate);
	tcase_add_test(tc, cancel_after_prepare);
	tcase_add_test(tc, challenge_during_86);
	tcase_add_test(tc, reset_during_86);

	tc = tcase(s, "hostile_input", 120);
	tcase_add_test(tc, refused_command_during_86_keeps_load);
	tcase_add_test(tc, bpp_metadata_too_long);
	tcase_add_test(tc, bpp_metadata_names_in_characters);

	tc = tcase(s, "issuers", 120);
	tcase_add_test(tc, preset_ci_lists);
	tcase_add_test(tc, downloads_per_issuer);
	tcase_add_test(tc, issuer_refusals);

	tc = tcase(s, "extensions", 120);
	tcase_add_test(tc, corpus_downloads);
	tcase_add_test(tc, strict_download);
	tcase_add_test(tc, extension_is_signed);

	tc = tcase(s, "state", 120);
	tcase_add_test(tc, state_keeps_installed_profile);
	tcase_add_test(tc, state_failed_download_keeps_profile_list);
	return s;
}
