/* ISO/IEC 7816-4 command layer: APDU parsing, class byte and logical
 * channels, the command table, GET RESPONSE chaining and STORE DATA
 * reassembly. Applications (ISD-R, ECASD, the file system) see complete,
 * length-checked commands only. */
#include "sim/card_priv.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/store.h"
#include "sim/sw.h"
#include "sim/tlv.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

/* T=0 only: TS=3B, T0 (TA1, TD1, 14 historical bytes), TA1=96, TD1=00
 * (T=0, nothing further, so no TCK). Historical bytes: category 80,
 * card service data 31 E0, card capabilities 73 FE 21 00, and
 * pre-issuing data "vEUICC". lpac connects with T=0 only. */
static const uint8_t atr[] = {
	0x3B, 0x9E, 0x96, 0x00, 0x80, 0x31, 0xE0, 0x73, 0xFE, 0x21, 0x00,
	0x66, 0x76, 0x45, 0x55, 0x49, 0x43, 0x43,
};

static const uint8_t aid_isdr[] = {
	0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00,
};
static const uint8_t aid_ecasd[] = {
	0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x02, 0x00,
};

const char *sim_sw_name(unsigned sw)
{
	switch (sw) {
#define SW_CASE(name, val, str) case val: return str;
	SIM_STATUS_WORDS(SW_CASE)
#undef SW_CASE
	}
	if ((sw & 0xFF00) == 0x6100)
		return "response bytes still available";
	return "unnamed status word";
}

const uint8_t *sim_atr(size_t *len)
{
	*len = sizeof(atr);
	return atr;
}

int sim_rbuf_put(struct sim_rbuf *b, const void *data, size_t len)
{
	if (len > SIM_RESPONSE_MAX || b->len > SIM_RESPONSE_MAX - len)
		return -EU_E_TOO_LONG;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -EU_E_NOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

static void channel_drop_response(struct sim_channel *ch)
{
	free(ch->resp);
	ch->resp = NULL;
	ch->resp_len = ch->resp_off = 0;
}

static void channel_drop_store_data(struct sim_channel *ch)
{
	if (ch->sd)
		OPENSSL_cleanse(ch->sd, ch->sd_len);
	free(ch->sd);
	ch->sd = NULL;
	ch->sd_len = 0;
	ch->sd_next_block = 0;
	ch->sd_active = false;
}

static void channel_close(struct sim_channel *ch)
{
	channel_drop_response(ch);
	channel_drop_store_data(ch);
	memset(ch, 0, sizeof(*ch));
}

static const char *app_name(enum sim_app app)
{
	switch (app) {
	case SIM_APP_NONE: return "none";
	case SIM_APP_MF: return "MF";
	case SIM_APP_ISDR: return "ISD-R";
	case SIM_APP_ECASD: return "ECASD";
	}
	return "?";
}

/* ---- commands ---------------------------------------------------------- */

typedef unsigned (*cmd_fn)(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out);

/* Fixed FCI returned when an application is selected (GP CS §11.9.3). */
static int app_fci(const uint8_t *aid, size_t aid_len, struct sim_rbuf *out)
{
	uint8_t hdr[4] = { 0x6F, (uint8_t)(2 + aid_len + 6), 0x84, (uint8_t)aid_len };
	/* A5: proprietary data, 9F65: maximum length of data field in a
	 * command message. */
	static const uint8_t prop[] = { 0xA5, 0x04, 0x9F, 0x65, 0x01, 0xFF };

	TRY(sim_rbuf_put(out, hdr, sizeof(hdr)));
	TRY(sim_rbuf_put(out, aid, aid_len));
	return sim_rbuf_put(out, prop, sizeof(prop));
}

static unsigned cmd_select(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out)
{
	const uint8_t *aid = NULL;
	enum sim_app app;

	if (a->p1 != 0x04) {
		if (a->p1 != 0x00 && a->p1 != 0x08 && a->p1 != 0x09)
			return SW_WRONG_P1P2;
		return sim_fs_select_fid(card, ch, a, out);
	}
	/* Select by DF name, first or only occurrence: P2 00 (FCI, ISO
	 * 7816-4, what lpac sends), 04 (FCP, ETSI TS 102 221 §11.1.1, what
	 * pySim sends) or 0C (no data). Applications answer with their FCI
	 * template either way, as eUICCs do. */
	if (a->p2 != 0x00 && a->p2 != 0x04 && a->p2 != 0x0C)
		return SW_WRONG_P1P2;
	if (a->lc < 5 || a->lc > 16)
		return SW_WRONG_LENGTH;
	/* Right-truncated AIDs are accepted (ISO/IEC 7816-4 §8.2.2.2). */
	if (a->lc <= sizeof(aid_isdr) && !memcmp(a->data, aid_isdr, a->lc)) {
		aid = aid_isdr;
		app = SIM_APP_ISDR;
	} else if (a->lc <= sizeof(aid_ecasd) && !memcmp(a->data, aid_ecasd, a->lc)) {
		aid = aid_ecasd;
		app = SIM_APP_ECASD;
	} else {
		return sim_fs_select_aid(card, ch, a, out);
	}
	if (ch->app == SIM_APP_ISDR && app != SIM_APP_ISDR)
		channel_drop_store_data(ch);
	ch->app = app;
	ch->df_depth = 0;
	ch->ef = 0;
	LOG_INFO("SELECT %s on channel %u", app_name(app), a->channel);
	if (a->p2 == 0x0C)
		return SW_OK;
	return app_fci(aid, 16, out) < 0 ? SW_UNKNOWN : SW_OK;
}

/* Over T=0 a case 1 command travels as a 5-byte TPDU with P3 = 00, and
 * LPAs send it that way (lpac closes with 00 70 80 ch 00). */
static bool case1(const struct sim_apdu *a)
{
	return !a->has_le || a->ne == 256;
}

static unsigned cmd_manage_channel(struct sim_card *card, struct sim_channel *ch,
				   const struct sim_apdu *a, struct sim_rbuf *out)
{
	unsigned n;

	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p1 == 0x00) {
		/* Open: P2=00 lets the card choose; otherwise open that one. */
		if (a->p2 == 0x00) {
			for (n = 1; n < SIM_MAX_CHANNELS && card->ch[n].open; n++)
				;
			if (n == SIM_MAX_CHANNELS)
				return SW_FUNC_NOT_SUPPORTED;
			if (!a->has_le || a->ne != 1)
				return SW_WRONG_LENGTH;
		} else {
			n = a->p2;
			if (n >= SIM_MAX_CHANNELS)
				return SW_WRONG_P1P2;
			if (card->ch[n].open)
				return SW_CONDITIONS_NOT_SATISFIED;
			if (!case1(a))
				return SW_WRONG_LENGTH;
		}
		channel_close(&card->ch[n]);
		card->ch[n].open = true;
		/* From the basic channel the MF is selected; from another
		 * channel the new one inherits its selection (§11.1.2). */
		if (a->channel == 0 || ch->app == SIM_APP_MF)
			sim_fs_select_mf(&card->ch[n]);
		else
			card->ch[n].app = ch->app;
		LOG_INFO("MANAGE CHANNEL open %u", n);
		if (a->p2 == 0x00) {
			uint8_t b = (uint8_t)n;
			return sim_rbuf_put(out, &b, 1) < 0 ? SW_UNKNOWN : SW_OK;
		}
		return SW_OK;
	}
	if (a->p1 == 0x80) {
		if (!case1(a))
			return SW_WRONG_LENGTH;
		n = a->p2 ? a->p2 : a->channel;
		if (n == 0 || n >= SIM_MAX_CHANNELS)
			return SW_WRONG_P1P2;
		if (!card->ch[n].open)
			return SW_REF_DATA_NOT_FOUND;
		channel_close(&card->ch[n]);
		LOG_INFO("MANAGE CHANNEL close %u", n);
		return SW_OK;
	}
	return SW_WRONG_P1P2;
}

static unsigned cmd_terminal_capability(struct sim_card *card, struct sim_channel *ch,
					const struct sim_apdu *a, struct sim_rbuf *out)
{
	struct tlv t;
	struct tlv_iter it;
	int rc;

	(void)card; (void)ch; (void)out;
	/* ETSI TS 102 221 §11.1.19: P1=00, P2=00, data = terminal capability
	 * TLVs (A9 ...). We accept and record nothing, but check the syntax. */
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	it.p = a->data;
	it.left = a->lc;
	while ((rc = tlv_iter_next(&it, &t)) > 0)
		;
	if (rc < 0)
		return SW_WRONG_DATA;
	LOG_INFO("TERMINAL CAPABILITY accepted");
	return SW_OK;
}

static unsigned cmd_store_data(struct sim_card *card, struct sim_channel *ch,
			       const struct sim_apdu *a, struct sim_rbuf *out)
{
	unsigned sw;

	if (ch->app != SIM_APP_ISDR) {
		LOG_INFO("STORE DATA refused: ISD-R is not selected on channel %u", a->channel);
		return SW_CONDITIONS_NOT_SATISFIED;
	}
	/* GP CS §11.11.2: P1 b8 last block, b5-b4 '10' BER-TLV structure,
	 * no encryption; SGP.22 §5.7.2 uses exactly 11 (more) and 91 (last). */
	if (a->p1 != 0x11 && a->p1 != 0x91) {
		channel_drop_store_data(ch);
		return SW_WRONG_P1P2;
	}
	if (a->p2 != (ch->sd_active ? ch->sd_next_block : 0)) {
		LOG_INFO("STORE DATA refused: block number %02X, expected %02X",
			 a->p2, ch->sd_active ? ch->sd_next_block : 0);
		channel_drop_store_data(ch);
		return SW_WRONG_P1P2;
	}
	if (a->lc == 0) {
		channel_drop_store_data(ch);
		return SW_WRONG_LENGTH;
	}
	if (a->lc > SIM_STORE_DATA_MAX - ch->sd_len) {
		LOG_INFO("STORE DATA refused: command longer than %u bytes",
			 SIM_STORE_DATA_MAX);
		channel_drop_store_data(ch);
		return SW_NOT_ENOUGH_MEMORY;
	}
	if (!ch->sd_active && a->p1 == 0x91) {
		/* Single block: no copy needed. */
		return isdr_es10(card, a->data, a->lc, out);
	}
	{
		uint8_t *p = realloc(ch->sd, ch->sd_len + a->lc);

		if (!p) {
			channel_drop_store_data(ch);
			return SW_NOT_ENOUGH_MEMORY;
		}
		ch->sd = p;
		memcpy(ch->sd + ch->sd_len, a->data, a->lc);
		ch->sd_len += a->lc;
		ch->sd_active = true;
		ch->sd_next_block = (a->p2 + 1) & 0xFF;
	}
	if (a->p1 == 0x11)
		return SW_OK;
	sw = isdr_es10(card, ch->sd, ch->sd_len, out);
	channel_drop_store_data(ch);
	return sw;
}

static unsigned cmd_read_binary(struct sim_card *card, struct sim_channel *ch,
				const struct sim_apdu *a, struct sim_rbuf *out)
{
	return sim_fs_read_binary(card, ch, a, out);
}

static unsigned cmd_read_record(struct sim_card *card, struct sim_channel *ch,
				const struct sim_apdu *a, struct sim_rbuf *out)
{
	return sim_fs_read_record(card, ch, a, out);
}

static unsigned cmd_status(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out)
{
	(void)card;
	/* ETSI TS 102 221 §11.1.2: P1 00/01/02, P2 00 (FCP), 01 (DF name),
	 * 0C (no data). */
	if (a->p1 > 0x02 || (a->p2 != 0x00 && a->p2 != 0x01 && a->p2 != 0x0C))
		return SW_WRONG_P1P2;
	if (a->p2 == 0x0C)
		return SW_OK;
	if (ch->app == SIM_APP_ISDR || ch->app == SIM_APP_ECASD) {
		const uint8_t *aid = ch->app == SIM_APP_ISDR ? aid_isdr : aid_ecasd;
		return app_fci(aid, 16, out) < 0 ? SW_UNKNOWN : SW_OK;
	}
	return sim_fs_mf_fcp(out) < 0 ? SW_UNKNOWN : SW_OK;
}

enum cmd_class {
	CLS_ISO = 1,	/* CLA 0x0X / 0x4X-0x7X */
	CLS_GP = 2,	/* CLA 0x8X / 0xCX-0xEX */
};

/* Command case per ISO/IEC 7816-3 §12.1: whether data and Le may or must
 * be present. Checked here, before any handler runs. */
enum cmd_data { DATA_NONE, DATA_REQUIRED, DATA_OPTIONAL };

static const struct cmd_entry {
	uint8_t ins;
	unsigned classes;
	enum cmd_data data;
	cmd_fn fn;
	const char *name;
} cmd_table[] = {
	{ 0xA4, CLS_ISO,          DATA_REQUIRED, cmd_select,              "SELECT" },
	{ 0x70, CLS_ISO,          DATA_NONE,     cmd_manage_channel,      "MANAGE CHANNEL" },
	{ 0xE2, CLS_GP,           DATA_REQUIRED, cmd_store_data,          "STORE DATA" },
	{ 0xAA, CLS_GP,           DATA_REQUIRED, cmd_terminal_capability, "TERMINAL CAPABILITY" },
	{ 0xB0, CLS_ISO,          DATA_NONE,     cmd_read_binary,         "READ BINARY" },
	{ 0xB2, CLS_ISO,          DATA_NONE,     cmd_read_record,         "READ RECORD" },
	{ 0xF2, CLS_GP,           DATA_NONE,     cmd_status,              "STATUS" },
	/* GET RESPONSE is handled before the table: it must see the
	 * pending response that any other command discards. */
};

/* Decode the class byte (ISO/IEC 7816-4 §5.4.1). Returns a status word on
 * failure, 0 on success. */
static unsigned decode_cla(uint8_t cla, unsigned *channel, unsigned *cls)
{
	uint8_t type = cla & 0xE0;

	if (cla == 0xFF)
		return SW_CLA_NOT_SUPPORTED;
	if (type == 0x00 || type == 0x80) {
		/* First interindustry (or GP 0x80-0x8F): b2-b1 channel,
		 * b4-b3 secure messaging, b5 chaining. */
		*cls = type ? CLS_GP : CLS_ISO;
		if (cla & 0x10)
			return SW_CHAINING_NOT_SUPPORTED;
		if (cla & 0x0C)
			return SW_SM_NOT_SUPPORTED;
		*channel = cla & 0x03;
		return 0;
	}
	if (type == 0x40 || type == 0x60 || type == 0xC0 || type == 0xE0) {
		/* Further interindustry: b6 SM, b5 chaining, b4-b1 channel-4. */
		*cls = (cla & 0x80) ? CLS_GP : CLS_ISO;
		if (cla & 0x10)
			return SW_CHAINING_NOT_SUPPORTED;
		if (cla & 0x20)
			return SW_SM_NOT_SUPPORTED;
		*channel = 4 + (cla & 0x0F);
		return 0;
	}
	return SW_CLA_NOT_SUPPORTED;	/* 0x20-0x3F RFU, 0xA0-0xBF (GSM) */
}

/* Short APDU forms only (ISO/IEC 7816-3 §12.1.3). Returns 0 or a SW. */
static unsigned parse_apdu(const uint8_t *cmd, size_t len, struct sim_apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 4)
		return SW_WRONG_LENGTH;
	a->cla = cmd[0];
	a->ins = cmd[1];
	a->p1 = cmd[2];
	a->p2 = cmd[3];
	if (len == 4)
		return 0;				/* case 1 */
	if (len == 5) {					/* case 2 */
		a->has_le = true;
		a->ne = cmd[4] ? cmd[4] : 256;
		return 0;
	}
	if (cmd[4] == 0)
		return SW_WRONG_LENGTH;			/* extended length */
	a->lc = cmd[4];
	a->data = cmd + 5;
	if (len == 5 + a->lc)
		return 0;				/* case 3 */
	if (len == 6 + a->lc) {				/* case 4 */
		a->has_le = true;
		a->ne = cmd[len - 1] ? cmd[len - 1] : 256;
		return 0;
	}
	return SW_WRONG_LENGTH;
}

static size_t put_sw(uint8_t *rsp, size_t off, unsigned sw)
{
	rsp[off] = (uint8_t)(sw >> 8);
	rsp[off + 1] = (uint8_t)sw;
	return off + 2;
}

/* Hand out up to ne bytes of the channel's pending response, then 61xx
 * while more remains (xx = min(remaining, 256) mod 256). */
static size_t emit_pending(struct sim_channel *ch, size_t ne, uint8_t *rsp)
{
	size_t left = ch->resp_len - ch->resp_off;
	size_t n = left < ne ? left : ne;

	memcpy(rsp, ch->resp + ch->resp_off, n);
	ch->resp_off += n;
	left -= n;
	if (left == 0) {
		channel_drop_response(ch);
		return put_sw(rsp, n, SW_OK);
	}
	return put_sw(rsp, n, 0x6100 | (left >= 256 ? 0 : (unsigned)left));
}

static size_t get_response(struct sim_channel *ch, const struct sim_apdu *a, uint8_t *rsp)
{
	if (a->p1 || a->p2) {
		channel_drop_response(ch);
		return put_sw(rsp, 0, SW_WRONG_P1P2);
	}
	if (a->lc) {
		channel_drop_response(ch);
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	}
	if (!ch->resp) {
		LOG_INFO("GET RESPONSE refused: no response data pending");
		return put_sw(rsp, 0, SW_CONDITIONS_NOT_SATISFIED);
	}
	return emit_pending(ch, a->has_le ? a->ne : 256, rsp);
}

size_t sim_transact(struct sim_card *card, const uint8_t *cmd, size_t cmd_len,
		    uint8_t rsp[SIM_RSP_MAX])
{
	struct sim_apdu a;
	struct sim_rbuf out = { 0 };
	const struct cmd_entry *e = NULL;
	struct sim_channel *ch;
	unsigned cls = 0, sw;
	size_t n;

	sim_log_hex(2, "C-APDU ", cmd, cmd_len);
	sw = parse_apdu(cmd, cmd_len, &a);
	if (!sw)
		sw = decode_cla(a.cla, &a.channel, &cls);
	if (sw) {
		n = put_sw(rsp, 0, sw);
		goto done;
	}
	if (a.channel >= SIM_MAX_CHANNELS || !card->ch[a.channel].open) {
		n = put_sw(rsp, 0, SW_CHANNEL_NOT_SUPPORTED);
		goto done;
	}
	ch = &card->ch[a.channel];
	if (a.ins == 0xC0) {
		n = get_response(ch, &a, rsp);
		goto done;
	}
	/* Any other command discards what GET RESPONSE would have returned. */
	channel_drop_response(ch);
	for (size_t i = 0; i < ARRAY_SIZE(cmd_table); i++)
		if (cmd_table[i].ins == a.ins)
			e = &cmd_table[i];
	if (!e) {
		n = put_sw(rsp, 0, SW_INS_NOT_SUPPORTED);
		goto done;
	}
	if (!(e->classes & cls)) {
		n = put_sw(rsp, 0, SW_CLA_NOT_SUPPORTED);
		goto done;
	}
	if ((e->data == DATA_REQUIRED && a.lc == 0) || (e->data == DATA_NONE && a.lc)) {
		n = put_sw(rsp, 0, SW_WRONG_LENGTH);
		goto done;
	}
	/* A STORE DATA sequence is interrupted by any other command on the
	 * channel (GP CS §11.11.2.1). */
	if (a.ins != 0xE2 && ch->sd_active)
		channel_drop_store_data(ch);

	sw = e->fn(card, ch, &a, &out);
	if ((sw != SW_OK && sw != SW_WARN_EOF) || out.len == 0) {
		n = put_sw(rsp, 0, sw);
		goto done;
	}
	/* Response data: returned at once when the terminal asked for it
	 * (Le present) and it fits; otherwise kept for GET RESPONSE and
	 * announced with 61xx, as a T=0 card does. */
	if (a.has_le && out.len <= a.ne) {
		memcpy(rsp, out.p, out.len);
		n = put_sw(rsp, out.len, sw);
		goto done;
	}
	ch->resp = out.p;
	ch->resp_len = out.len;
	ch->resp_off = 0;
	out.p = NULL;
	if (a.has_le) {
		n = emit_pending(ch, a.ne, rsp);
	} else {
		size_t left = ch->resp_len;
		n = put_sw(rsp, 0, 0x6100 | (left >= 256 ? 0 : (unsigned)left));
	}
done:
	free(out.p);
	sim_log_hex(2, "R-APDU ", rsp, n);
	return n;
}

void sim_power(struct sim_card *card, enum sim_power_event ev)
{
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		channel_close(&card->ch[i]);
	isdr_session_reset(card);
	if (ev == SIM_POWER_OFF)
		return;
	/* After reset the basic channel is open with the MF selected. */
	card->ch[0].open = true;
	sim_fs_select_mf(&card->ch[0]);
}

int sim_card_new(const struct sim_config *cfg, struct sim_card **out)
{
	struct sim_card *card = calloc(1, sizeof(*card));
	int rc;

	if (!card)
		return -EU_E_NOMEM;
	card->cfg = cfg;
	rc = ecasd_new(cfg, &card->ecasd);
	if (rc < 0)
		goto fail;
	rc = isdp_store_new(card, &card->isdp);
	if (rc < 0)
		goto fail;
	rc = isdr_new(card, &card->isdr);
	if (rc < 0)
		goto fail;
	rc = sim_store_open(card, &card->store);
	if (rc < 0)
		goto fail;
	sim_power(card, SIM_POWER_ON);
	*out = card;
	return 0;
fail:
	sim_card_free(card);
	return rc;
}

void sim_card_free(struct sim_card *card)
{
	if (!card)
		return;
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		channel_close(&card->ch[i]);
	isdr_free(card->isdr);
	isdp_store_free(card->isdp);
	sim_store_close(card->store);
	ecasd_free(card->ecasd);
	free(card);
}

const uint8_t *sim_card_eid(const struct sim_card *card)
{
	return ecasd_eid(card->ecasd);
}
