/* libFuzzer targets: a real profile download, in process, between the card
 * and the test SM-DP+ (tests/smdp), with the fuzzer choosing what goes
 * inside the protection (fuzz_download) or changing the protected bytes
 * themselves (fuzz_download_raw, this file built with FUZZ_DOWNLOAD_RAW).
 *
 * Each input is one session as lpac runs it: GetEUICCChallenge,
 * AuthenticateServer, PrepareDownload, the BPP in the pieces of SGP.22
 * §2.5.5, every ES10 command in STORE DATA blocks and GET RESPONSE. The
 * SM-DP+ checks every answer; a ProfileInstallationResult must verify
 * (else abort: the card signed something wrong), and so must the card's
 * profile list afterwards. The card and its state live in memory; an
 * input that changed the state gets the empty state loaded back, so
 * inputs do not depend on each other.
 *
 * The cards: 0 the default one; 1 --strict, and EUICCInfo2 without the
 * optional versions, category and certification data; 2 with a RAT that
 * allows PPR1 and PPR2 for any operator; 3 with 20 KiB of profile memory,
 * no testProfileSupport and TS48V1-A-UNIQUE installed already (so the
 * default download fails on its ICCID); 4 the default card with every
 * notification slot (256) taken.
 *
 * Input of fuzz_download: a flags byte, maybe a second one, four slots,
 * then APDU frames.
 *   flags  bit 0   brainpool (else NIST) SM-DP+
 *          bit 1   no ReplaceSessionKeys
 *          bits 2-3 the card, 0..3
 *          bit 4   ccRequiredFlag (with the confirmation code "1234")
 *          bit 5   STORE DATA blocks of 255 bytes (else 120, as lpac)
 *          bit 6   CancelSession after PrepareDownload, before the BPP
 *          bit 7   a second flags byte follows:
 *   flags2 bit 0   BF23 remoteOpId 2 (not installBoundProfilePackage)
 *          bit 1   BF23 CRT keyType 80 (not AES)
 *          bit 2   BF23 transactionId not the session's (signed)
 *          bit 3   smdpSign damaged
 *          bits 4-5 1: a wrong euiccChallenge in serverSigned1, 2: CERT.DPpb
 *                  as the server certificate (a wrong role), 3: smdpSignature2
 *                  damaged (AuthenticateServer or PrepareDownload refused)
 *          bit 6   card 4
 *          bit 7   the session is cut after the piece the next byte names,
 *                  and the card reset
 *   slots  each a frame (tests/fuzz/fuzz_common.h) or, as a control event
 *          (00 xx) or missing, the SM-DP+'s own:
 *          1. ConfigureISDPRequest plaintext
 *          2. StoreMetadataRequest plaintext
 *          3. segmentation: m, then m 2-byte sizes of the StoreMetadata 88s,
 *             then 2-byte sizes of the 86s (the rest: 1020 bytes each)
 *          4. the profile package (default: TS48V1-A-UNIQUE cut to its
 *             first 11 PEs and End: header, MF, PIN/PUK, DF.TELECOM,
 *             ADF.USIM and its AKA parameters)
 *   then   APDU frames and power events run on the card after the
 *          download (as fuzz_transact), e.g. enabling the profile.
 *
 * Input of fuzz_download_raw: a flags byte (bits 0-3, 5 as above; bit 4
 * picks TS48V2-SAIP2-1-BERTLV-UNIQUE, whole, instead of the cut
 * TS48V1-A-UNIQUE), then up
 * to 32 mutation frames, each: which, op, 2-byte offset, data. which 0 is
 * the AuthenticateServer request, 1 PrepareDownload, 2 + k the k-th BPP
 * piece; op % 4: 0 XOR data in at the offset, 1 the piece replaced by
 * data, 2 data inserted at the offset, 3 cut at the offset and data
 * appended. */
#include "tests/fuzz/fuzz_common.h"
#include "tests/smdp/smdp.h"
#include "sim/card.h"
#include "sim/host/euicc.h"
#include "isdr/notif.h"
#include "sim/tlv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_CARDS 5
#define MAX_PIECES 4096
#define MAX_SEGMENTS 4096
#define MAX_MUTATIONS 32
#define RSP_CAP 70000

static const char *const card_settings[N_CARDS][13] = {
	{ NULL },
	{ "strict", "yes", "ts102241-version", "", "gp-version", "", "euicc-category", "none", "platform-label", "",
	  "discovery-base-url", "", NULL },
	/* one rule: PPR1 and PPR2 for any operator (EEEEEE), no flags */
	{ "rat", "3013" "3011" "80020560" "A1073005" "8003EEEEEE" "82020780", NULL },
	{ "profile-memory", "20k", "rsp-capability", "additionalProfile,deviceInfoExtensibilitySupport", NULL },
	{ NULL },
};

static struct sim_card *cards[N_CARDS];
static struct fz_state empty[N_CARDS];
static uint8_t *pkg_a, *pkg_b;
static size_t pkg_a_len, pkg_b_len;
static uint8_t rsp[RSP_CAP];

struct mutation {
	uint8_t which, op;
	size_t off;
	const uint8_t *data;
	size_t len;
};

struct session {
	struct sim_card *card;
	struct smdp *smdp;
	unsigned ch;
	size_t block;
	size_t cut_after;		/* SIZE_MAX: none */
	struct mutation mut[MAX_MUTATIONS];
	size_t n_mut;
	size_t piece;			/* next BPP piece */
	bool done;			/* the session ended (PIR, error) */
	bool installed;
};

static void init(void)
{
	uint8_t iccid[10];
	unsigned ch;

	static const int keep[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1 };
	uint8_t *full;
	size_t full_len;

	/* header, MF, codes, DF.TELECOM, ADF.USIM and its AKA parameters, End:
	 * half the package, half the time to decode (the slot gives whole ones) */
	full = fz_read_file("profiles/ts48/TS48V1-A-UNIQUE.der", &full_len);
	pkg_a = fz_subset(full, full_len, keep, 12, &pkg_a_len);
	free(full);
	pkg_b = fz_read_file("profiles/ts48/TS48V2-SAIP2-1-BERTLV-UNIQUE.der", &pkg_b_len);
	for (int i = 0; i < N_CARDS; i++)
		cards[i] = fz_card_new(card_settings[i]);
	fz_sideload(cards[3], pkg_a, pkg_a_len, &(struct fz_md){ "installed", -1, 0, NULL, NULL, 0 });
	fz_sideload(cards[4], pkg_b, pkg_b_len, &(struct fz_md){ "busy", -1, 0x60, "dp.example.com", NULL, 0 });
	ch = fz_open_isdr(cards[4]);
	fz_header_iccid(pkg_b, pkg_b_len, iccid);
	fz_fill_notifications(cards[4], ch, iccid, NOTIF_MAX);
	for (int i = 0; i < N_CARDS; i++)
		fz_state_keep(cards[i], &empty[i]);
}

/* A card as new: its empty state again if the last input changed it. */
static struct sim_card *card_ready(unsigned i)
{
	fz_state_back(cards[i], &empty[i]);
	sim_power(cards[i], SIM_RESET);
	return cards[i];
}

/* Apply the mutations for message `which` to a copy of msg. */
static uint8_t *mutate(const struct session *s, unsigned which, const uint8_t *msg, size_t len, size_t *out_len)
{
	uint8_t *b = fz_copy(msg, len);
	size_t n = len;

	for (size_t i = 0; i < s->n_mut; i++) {
		const struct mutation *m = &s->mut[i];
		size_t off = n ? m->off % (n + 1) : 0;
		uint8_t *nb;

		if (m->which != which)
			continue;
		switch (m->op % 4) {
		case 0:
			for (size_t k = 0; k < m->len && off + k < n; k++)
				b[off + k] ^= m->data[k];
			continue;
		case 1:
			off = n = 0;
			break;
		case 2:
			break;
		default:
			n = off;
			break;
		}
		/* bytes [0, off) kept, data inserted, the rest of [off, n) after */
		nb = malloc(n + m->len ? n + m->len : 1);
		if (!nb)
			abort();
		if (off)
			memcpy(nb, b, off);
		if (m->len)
			memcpy(nb + off, m->data, m->len);
		if (n > off)
			memcpy(nb + off + m->len, b + off, n - off);
		free(b);
		b = nb;
		n += m->len;
	}
	*out_len = n;
	return b;
}

/* One ES10 command of the session (mutated as the input says). */
static unsigned es10(struct session *s, unsigned which, const uint8_t *req, size_t len, size_t *rsp_len)
{
	size_t n = 0;
	uint8_t *m = mutate(s, which, req, len, &n);
	unsigned sw = fz_es10(s->card, s->ch, m ? m : (const uint8_t *)"", n, s->block, rsp, sizeof(rsp), rsp_len);

	free(m);
	return sw;
}

static int send_piece(void *ctx, size_t index, const uint8_t *piece, size_t len)
{
	struct session *s = ctx;
	struct smdp_pir pir;
	size_t n = 0;
	unsigned sw;

	s->piece = index + 1;
	sw = es10(s, (unsigned)(index + 2 > 255 ? 255 : index + 2), piece, len, &n);
	if (sw != 0x9000 || n > 0) {
		s->done = true;
		if (n > 0 && rsp[0] == 0xBF && n > 1 && rsp[1] == 0x37) {
			/* whatever the card decided, it must say so correctly */
			if (smdp_check_pir(s->smdp, rsp, n, &pir) != 0) {
				fprintf(stderr, "fuzz_download: PIR does not verify: %s\n", smdp_why(s->smdp));
				abort();
			}
			s->installed = pir.success;
		}
		return 1;
	}
	return index == s->cut_after ? 1 : 0;
}

/* The card's profile list must decode whatever happened. */
static void check_profiles(struct session *s)
{
	static const uint8_t req[] = { 0xBF, 0x2D, 0x00 };
	size_t n = 0;
	struct tlv t;
	unsigned sw = fz_es10(s->card, s->ch, req, sizeof(req), 120, rsp, sizeof(rsp), &n);

	if (sw != 0x9000 || tlv_check_der(rsp, n, 16) < 0 || tlv_parse_exact(rsp, n, &t) < 0 || t.tag != 0xBF2D) {
		fprintf(stderr, "fuzz_download: GetProfilesInfo answered %04X\n", sw);
		abort();
	}
	/* an installed profile is listed: A0 { E3 ... } is not empty */
	if (s->installed && n < 8)
		abort();
}

/* The session up to the BPP; false when it ended before. */
static bool authenticate_and_prepare(struct session *s, uint8_t flags)
{
	static const uint8_t challenge_req[] = { 0xBF, 0x2E, 0x00 };
	uint8_t *req = NULL;
	size_t len = 0, n = 0;
	bool ok;

	if (fz_es10(s->card, s->ch, challenge_req, sizeof(challenge_req), 120, rsp, sizeof(rsp), &n) != 0x9000 ||
	    n != 21)
		abort();
	if (smdp_authenticate_server_request(s->smdp, rsp + 5, &req, &len) < 0)
		abort();
	ok = es10(s, 0, req, len, &n) == 0x9000 && smdp_check_authenticate_response(s->smdp, rsp, n) == 0;
	free(req);
	if (!ok)
		return false;
	if (smdp_prepare_download_request(s->smdp, &req, &len) < 0)
		abort();
	ok = es10(s, 1, req, len, &n) == 0x9000 && smdp_check_prepare_response(s->smdp, rsp, n) == 0;
	free(req);
	if (ok && (flags & 0x40)) {
		if (smdp_cancel_session_request(s->smdp, 1, &req, &len) < 0)
			abort();
		es10(s, 255, req, len, &n);
		free(req);
		/* the BPP after a cancelled session must be refused: go on */
	}
	return ok;
}

/* One session; with `strict`, AuthenticateServer and PrepareDownload
 * must succeed (nothing inside them is fuzzed). */
static void run(struct session *s, unsigned card, uint8_t flags, bool strict, const struct smdp_opts *o,
		const uint8_t *upp, size_t upp_len)
{
	uint8_t *bpp = NULL;
	size_t bpp_len = 0;
	bool ok;

	s->block = flags & 0x20 ? 255 : 120;
	s->card = card_ready(card);
	s->ch = fz_open_isdr(s->card);
	if (s->ch == 0)
		abort();
	if (smdp_new(o, &s->smdp) < 0)
		abort();
	ok = authenticate_and_prepare(s, flags);
	if (!ok && strict) {
		fprintf(stderr, "fuzz_download: the session failed before the BPP: %s\n", smdp_why(s->smdp));
		abort();
	}
	if (ok && smdp_build_bpp(s->smdp, upp, upp_len, &bpp, &bpp_len) == 0)
		smdp_bpp_pieces(bpp, bpp_len, send_piece, s);
	free(bpp);
	check_profiles(s);
	if (getenv("FUZZ_DUMP_STATE")) {
		uint8_t *img = NULL;
		size_t len = 0;

		if (sim_card_state_image(s->card, &img, &len) == 0)
			fz_dump_state(img, len);
		free(img);
	}
	smdp_free(s->smdp);
	s->smdp = NULL;
}

#ifndef FUZZ_DOWNLOAD_RAW

/* A slot: the bytes given, or NULL for the SM-DP+'s own. */
static const uint8_t *slot(struct fz_in *in, size_t *len)
{
	const uint8_t *p = NULL;
	uint8_t ev;

	*len = 0;
	if (fz_next(in, &p, len, &ev) != FZ_FRAME)
		return NULL;
	return p ? p : (const uint8_t *)"";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t seg86[MAX_SEGMENTS], seg88[MAX_SEGMENTS];
	struct fz_in in = { data, size };
	struct session s = { 0 };
	struct smdp_opts o = { 0 };
	const uint8_t *conf, *meta, *cuts, *upp;
	uint8_t *conf_c = NULL, *meta_c = NULL, *upp_c = NULL, flags = 0, flags2 = 0, cut = 0;
	size_t conf_len, meta_len, cuts_len, upp_len;
	uint8_t iccid[SMDP_ICCID_LEN];

	if (!cards[0])
		init();
	fz_byte(&in, &flags);
	if (flags & 0x80)
		fz_byte(&in, &flags2);
	if (flags2 & 0x80)
		fz_byte(&in, &cut);
	conf = slot(&in, &conf_len);
	meta = slot(&in, &meta_len);
	cuts = slot(&in, &cuts_len);
	upp = slot(&in, &upp_len);

	o.curve = flags & 1 ? "BRP" : "NIST";
	o.no_replace_session_keys = flags & 2;
	o.cc_required = flags & 0x10;
	o.confirmation_code = "1234";
	o.remote_op_id = flags2 & 1 ? 2 : 0;
	o.crt_key_type = flags2 & 2 ? 0x80 : 0;
	o.init_wrong_txid = flags2 & 4;
	o.bad_smdp_sign = flags2 & 8;
	switch ((flags2 >> 4) & 3) {
	case 1:
		o.wrong_euicc_challenge = true;
		break;
	case 2:
		o.dpauth_cert = flags & 1 ? SIM_DATADIR "/certs/sgp26/DPpb/CERT_S_SM_DPpb_ECDSA_BRP.der" :
					    SIM_DATADIR "/certs/sgp26/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der";
		o.dpauth_key = flags & 1 ? SIM_DATADIR "/certs/sgp26/DPpb/SK_S_SM_DPpb_ECDSA_BRP.pem" :
					   SIM_DATADIR "/certs/sgp26/DPpb/SK_S_SM_DPpb_ECDSA_NIST.pem";
		break;
	case 3:
		o.bad_smdp_signature2 = true;
		break;
	}
	if (conf)
		o.configure_raw = (struct smdp_bytes){ conf_c = fz_copy(conf, conf_len), conf_len };
	if (conf && !conf_c)
		o.configure_raw.p = (const uint8_t *)"";
	if (meta)
		o.metadata_raw = (struct smdp_bytes){ meta_c = fz_copy(meta, meta_len), meta_len };
	if (meta && !meta_c)
		o.metadata_raw.p = (const uint8_t *)"";
	if (cuts && cuts_len > 0) {
		size_t m = cuts[0], k = 1;

		for (; k + 1 < cuts_len && o.n_metadata_segments < m && o.n_metadata_segments < MAX_SEGMENTS; k += 2)
			seg88[o.n_metadata_segments++] = (size_t)cuts[k] << 8 | cuts[k + 1];
		for (; k + 1 < cuts_len && o.n_segments < MAX_SEGMENTS; k += 2)
			seg86[o.n_segments++] = (size_t)cuts[k] << 8 | cuts[k + 1];
		o.segments = seg86;
		o.metadata_segments = seg88;
	}
	if (upp && upp_len > 0) {
		upp_c = fz_copy(upp, upp_len);
	} else {
		upp_c = fz_copy(pkg_a, pkg_a_len);
		upp_len = pkg_a_len;
	}
	fz_header_iccid(upp_c, upp_len, iccid);
	o.metadata_iccid = iccid;

	s.cut_after = flags2 & 0x80 ? cut : SIZE_MAX;
	run(&s, flags2 & 0x40 ? 4u : (flags >> 2) & 3u, flags, !(flags2 & 0x30), &o, upp_c, upp_len);
	if (flags2 & 0x80)
		sim_power(s.card, SIM_RESET);	/* in the middle of the BPP */
	fz_run_apdus(s.card, &in, NULL, NULL);
	free(conf_c);
	free(meta_c);
	free(upp_c);
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct session s = { 0 };
	struct smdp_opts o = { 0 };
	const uint8_t *p = NULL;
	size_t len = 0;
	uint8_t flags = 0, ev;
	enum fz_kind k;

	if (!cards[0])
		init();
	fz_byte(&in, &flags);
	while (s.n_mut < MAX_MUTATIONS && (k = fz_next(&in, &p, &len, &ev)) != FZ_END) {
		struct mutation *m = &s.mut[s.n_mut];

		if (k != FZ_FRAME || len < 4)
			continue;	/* (events mean nothing here) */
		m->which = p[0];
		m->op = p[1];
		m->off = (size_t)p[2] << 8 | p[3];
		m->data = p + 4;
		m->len = len - 4;
		s.n_mut++;
	}
	o.curve = flags & 1 ? "BRP" : "NIST";
	o.no_replace_session_keys = flags & 2;
	s.cut_after = SIZE_MAX;
	if (flags & 0x10)
		run(&s, (flags >> 2) & 3u, flags & 0x23, false, &o, pkg_b, pkg_b_len);
	else
		run(&s, (flags >> 2) & 3u, flags & 0x23, false, &o, pkg_a, pkg_a_len);
	return 0;
}

#endif
