/* ISO/IEC 7816-4 / ETSI TS 102 221 command layer: APDU parsing, class
 * byte and logical channels, the application table, SELECT by AID,
 * MANAGE CHANNEL, STATUS, TERMINAL CAPABILITY and GET RESPONSE chaining.
 * Everything else goes to the application current on the channel, after
 * the class and the command case have been checked against its table. */
#include "sim/app.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"
#include "sim/tlv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* T=0 only: TS=3B, T0 (TA1, TD1, 14 historical bytes), TA1=96, TD1=00
 * (T=0, nothing further, so no TCK). Historical bytes: category 80,
 * card service data 31 E0, card capabilities 73 FE 21 1F, and
 * pre-issuing data "vEUICC". lpac connects with T=0 only. The third
 * software function table (ISO/IEC 7816-4 §12.1.1.11) announces the
 * logical channels the card has: numbers assigned by the card (b5) and
 * by the interface device (b4), eight or more of them (b3-b1 = 111). */
#define ATR_LOGICAL_CHANNELS 0x1F
static const uint8_t atr[] = {
	0x3B, 0x9E, 0x96, 0x00, 0x80, 0x31, 0xE0, 0x73, 0xFE, 0x21, ATR_LOGICAL_CHANNELS,
	0x66, 0x76, 0x45, 0x55, 0x49, 0x43, 0x43,
};

/* TS 102 221 §11.1.17: three channels besides the basic one, nineteen
 * when the terminal announced extended logical channels (TERMINAL
 * CAPABILITY tag 81, §11.1.19). */
#define CHANNELS_PLAIN 3
#define CHANNELS_EXTENDED (SIM_MAX_CHANNELS - 1)
#define TAG_TERMINAL_CAPABILITY 0xA9
#define TAG_EXTENDED_CHANNELS 0x81

/* Candidates for SELECT by (truncated) AID, in table order. */
#define MAX_CANDIDATES 32

struct app_entry {
	const struct sim_app_ops *ops;
	void *app;
	uint8_t aid[SIM_AID_MAX];
	size_t aid_len;		/* 0: found through ops->match */
};

struct channel {
	bool open;
	const struct app_entry *app;	/* current application */
	uint8_t aid[SIM_AID_MAX];	/* its full AID when selected by AID */
	size_t aid_len;
	uint32_t seq;			/* commands so far (struct sim_apdu.seq) */
};

/* The response GET RESPONSE fetches: one for the whole card, since the
 * terminal must fetch it before any other command on any channel (TS
 * 102 221 §12.1.1.1). */
struct pending {
	uint8_t *p;
	size_t len, off;
	unsigned channel;
};

struct sim_card {
	struct app_entry apps[SIM_MAX_APPS];
	size_t n_apps;
	const struct app_entry *root;
	struct channel ch[SIM_MAX_CHANNELS];
	struct pending resp;
	bool extended_channels;		/* TERMINAL CAPABILITY said so */
	void *host;
	void (*free_host)(void *host);
};

const uint8_t *sim_atr(size_t *len)
{
	*len = sizeof(atr);
	return atr;
}

int sim_card_create(struct sim_card **out)
{
	struct sim_card *card = calloc(1, sizeof(*card));

	if (!card)
		return -EU_E_NOMEM;
	*out = card;
	return 0;
}

int sim_card_add_app(struct sim_card *card, const struct sim_app_ops *ops, void *app,
		     const uint8_t *aid, size_t aid_len, unsigned flags)
{
	struct app_entry *e;

	if (card->n_apps == SIM_MAX_APPS || (aid && (aid_len < SIM_AID_MIN || aid_len > SIM_AID_MAX)) ||
	    (!aid && !ops->match) || ((flags & SIM_APP_ROOT) && (card->root || !ops->select_file || !ops->open)))
		return -EU_E_PARAM;
	e = &card->apps[card->n_apps++];
	e->ops = ops;
	e->app = app;
	if (aid)
		memcpy(e->aid, aid, aid_len);
	e->aid_len = aid ? aid_len : 0;
	if (flags & SIM_APP_ROOT)
		card->root = e;
	return 0;
}

void sim_card_set_host(struct sim_card *card, void *host, void (*free_host)(void *host))
{
	card->host = host;
	card->free_host = free_host;
}

void *sim_card_host(const struct sim_card *card)
{
	return card->host;
}

/* ---- channels ------------------------------------------------------------ */

static void drop_response(struct sim_card *card)
{
	free(card->resp.p);
	memset(&card->resp, 0, sizeof(card->resp));
}

static void leave_app(struct channel *ch, unsigned n)
{
	if (ch->app && ch->app->ops->deselect)
		ch->app->ops->deselect(ch->app->app, n);
	ch->app = NULL;
}

static void close_channel(struct sim_card *card, unsigned n)
{
	struct channel *ch = &card->ch[n];

	leave_app(ch, n);
	if (card->resp.p && card->resp.channel == n)
		drop_response(card);
	memset(ch, 0, sizeof(*ch));
}

/* A channel the OS opens (power on, MANAGE CHANNEL) starts in the MF. */
static void open_in_root(struct sim_card *card, unsigned n)
{
	struct channel *ch = &card->ch[n];

	ch->open = true;
	ch->app = card->root;
	if (card->root)
		card->root->ops->open(card->root->app, n);
}

void sim_power(struct sim_card *card, enum sim_power_event ev)
{
	if (ev != SIM_REFRESH) {
		for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
			close_channel(card, i);
		card->extended_channels = false;
	}
	for (size_t i = 0; i < card->n_apps; i++)
		if (card->apps[i].ops->reset)
			card->apps[i].ops->reset(card->apps[i].app, ev);
	/* After a reset the basic channel is open with the MF selected. */
	if (ev == SIM_POWER_ON || ev == SIM_RESET)
		open_in_root(card, 0);
}

void sim_card_free(struct sim_card *card)
{
	if (!card)
		return;
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		close_channel(card, i);
	drop_response(card);
	if (card->free_host)
		card->free_host(card->host);
	free(card);
}

/* ---- commands of the OS ----------------------------------------------------- */

/* An application instance SELECT by AID can name. */
struct candidate {
	const struct app_entry *e;
	uint8_t aid[SIM_AID_MAX];
	size_t aid_len;
};

/* Every instance whose AID starts with aid[0..len): fixed AIDs in table
 * order, then the ADFs the match() applications know. */
static size_t candidates(const struct sim_card *card, const uint8_t *aid, size_t len,
			 struct candidate c[MAX_CANDIDATES])
{
	size_t n = 0;

	for (size_t i = 0; i < card->n_apps && n < MAX_CANDIDATES; i++) {
		const struct app_entry *e = &card->apps[i];

		if (e->aid_len && len <= e->aid_len && !memcmp(aid, e->aid, len)) {
			c[n].e = e;
			memcpy(c[n].aid, e->aid, e->aid_len);
			c[n++].aid_len = e->aid_len;
		}
	}
	for (size_t i = 0; i < card->n_apps; i++) {
		const struct app_entry *e = &card->apps[i];

		for (size_t k = 0; !e->aid_len && n < MAX_CANDIDATES; k++) {
			if (!e->ops->match(e->app, aid, len, k, c[n].aid, &c[n].aid_len))
				break;
			c[n++].e = e;
		}
	}
	return n;
}

/* The position of the channel's current application among c, or -1. */
static int current_candidate(const struct channel *ch, const struct candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].e == ch->app && c[i].aid_len == ch->aid_len && !memcmp(c[i].aid, ch->aid, ch->aid_len))
			return (int)i;
	return -1;
}

/* TS 102 221 Table 11.2 (and ISO/IEC 7816-4 Table 39): b4-b3 (with b5
 * zero) say what comes back: 01 the FCP, 11 no data; 00, ISO's "FCI",
 * is what lpac sends and answered like 01. FMD (10) and the rest: no. */
static bool response_bits_ok(uint8_t p2)
{
	unsigned r = (p2 >> 2) & 0x7;

	return r == 0 || r == 1 || r == 3;
}

#define P2_SESSION(p2)    ((p2) & 0x60)	/* b7-b6, P1 = 04 only */
#define P2_ACTIVATION     0x00
#define P2_TERMINATION    0x40
#define P2_OCCURRENCE(p2) ((p2) & 0x03)	/* b2-b1, P1 = 04 only */
enum { OCC_FIRST, OCC_LAST, OCC_NEXT, OCC_PREVIOUS };

/* SELECT by DF name (P1 04): right-truncated AIDs, occurrences, and the
 * termination of an application session. */
static unsigned select_by_name(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			       struct sim_rbuf *out)
{
	struct candidate c[MAX_CANDIDATES];
	struct sim_apdu full = *a;
	int cur, pick = -1;
	size_t n;

	if ((a->p2 & 0x80) || !response_bits_ok(a->p2) ||
	    (P2_SESSION(a->p2) != P2_ACTIVATION && P2_SESSION(a->p2) != P2_TERMINATION))
		return SW_WRONG_P1P2;
	if (a->lc < SIM_AID_MIN || a->lc > SIM_AID_MAX)
		return SW_WRONG_LENGTH;
	n = candidates(card, a->data, a->lc, c);
	cur = current_candidate(ch, c, n);
	if (P2_SESSION(a->p2) == P2_TERMINATION) {
		/* The session of the channel's application ends; the channel
		 * is back in the MF. */
		if (cur < 0 || P2_OCCURRENCE(a->p2) != OCC_FIRST)
			return SW_FILE_NOT_FOUND;
		LOG_INFO("SELECT: %s terminated on channel %u", ch->app->ops->name, a->channel);
		leave_app(ch, a->channel);
		open_in_root(card, a->channel);
		return SW_OK;
	}
	switch (P2_OCCURRENCE(a->p2)) {
	case OCC_FIRST: pick = n ? 0 : -1; break;
	case OCC_LAST: pick = (int)n - 1; break;
	case OCC_NEXT: pick = cur < 0 ? (n ? 0 : -1) : (cur + 1 < (int)n ? cur + 1 : -1); break;
	case OCC_PREVIOUS: pick = cur < 0 ? (int)n - 1 : cur - 1; break;
	}
	if (pick < 0)
		return SW_FILE_NOT_FOUND;
	leave_app(ch, a->channel);
	ch->app = c[pick].e;
	memcpy(ch->aid, c[pick].aid, c[pick].aid_len);
	ch->aid_len = c[pick].aid_len;
	full.data = ch->aid;
	full.lc = ch->aid_len;
	return ch->app->ops->select(ch->app->app, &full, out);
}

static unsigned cmd_select(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			   struct sim_rbuf *out)
{
	unsigned sw;

	if (a->p1 == 0x04)
		return select_by_name(card, ch, a, out);
	/* By FID (00), child DF (01), parent DF (03), path from the MF (08)
	 * or from the current DF (09): b8-b6 and b2-b1 of P2 are 0. */
	if ((a->p1 != 0x00 && a->p1 != 0x01 && a->p1 != 0x03 && a->p1 != 0x08 && a->p1 != 0x09) ||
	    (a->p2 & 0xE3) || !response_bits_ok(a->p2))
		return SW_WRONG_P1P2;
	if (!card->root)
		return SW_FILE_NOT_FOUND;
	/* Files belong to the MF's application: coming from another one, the
	 * channel starts from the MF. */
	if (ch->app != card->root)
		card->root->ops->open(card->root->app, a->channel);
	sw = card->root->ops->select_file(card->root->app, a, out);
	if ((sw == SW_OK || sw == SW_WARN_EOF) && ch->app != card->root) {
		leave_app(ch, a->channel);
		ch->app = card->root;
		ch->aid_len = 0;
	}
	return sw;
}

/* Over T=0 a case 1 command travels as a 5-byte TPDU with P3 = 00, and
 * LPAs send it that way (lpac closes with 00 70 80 ch 00). */
static bool case1(const struct sim_apdu *a)
{
	return !a->has_le || a->ne == 256;
}

/* MANAGE CHANNEL open (TS 102 221 §11.1.17). P2 00: the card picks the
 * lowest free channel and returns its number: as a case 2 command with
 * Le 01, or as case 1 (the number then comes through 61 01 and GET
 * RESPONSE, as every answer to a command without Le); any other Le gets
 * 6C01 as over T=0 (nothing opened: the terminal repeats with P3 01).
 * P2 n: the terminal picks channel n (case 1). */
static unsigned open_channel(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			     struct sim_rbuf *out)
{
	unsigned last = card->extended_channels ? CHANNELS_EXTENDED : CHANNELS_PLAIN, n;

	if (a->p2 == 0x00) {
		if (a->has_le && a->ne != 1)
			return 0x6C01;
		for (n = 1; n <= last && card->ch[n].open; n++)
			;
		if (n > last) {
			LOG_INFO("MANAGE CHANNEL refused: channels 1-%u are open%s", last,
				 card->extended_channels ? "" :
				 " (19 need TERMINAL CAPABILITY with extended logical channels)");
			return SW_FUNC_NOT_SUPPORTED;
		}
	} else {
		n = a->p2;
		if (n >= SIM_MAX_CHANNELS)
			return SW_WRONG_P1P2;
		if (n > last)
			return SW_FUNC_NOT_SUPPORTED;
		if (card->ch[n].open)
			return SW_CONDITIONS_NOT_SATISFIED;
		if (!case1(a))
			return SW_WRONG_LENGTH;
	}
	close_channel(card, n);
	/* From the basic channel the MF is selected; from another channel
	 * the new one inherits its application (§11.1.17.1). */
	if (a->channel == 0 || ch->app == card->root) {
		open_in_root(card, n);
	} else {
		card->ch[n].open = true;
		card->ch[n].app = ch->app;
		memcpy(card->ch[n].aid, ch->aid, ch->aid_len);
		card->ch[n].aid_len = ch->aid_len;
	}
	LOG_INFO("MANAGE CHANNEL open %u", n);
	if (a->p2 == 0x00) {
		uint8_t b = (uint8_t)n;
		return sim_rbuf_put(out, &b, 1) < 0 ? SW_UNKNOWN : SW_OK;
	}
	return SW_OK;
}

static unsigned cmd_manage_channel(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
				   struct sim_rbuf *out)
{
	unsigned n;

	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p1 == 0x00)
		return open_channel(card, ch, a, out);
	if (a->p1 == 0x80) {
		if (!case1(a))
			return SW_WRONG_LENGTH;
		n = a->p2 ? a->p2 : a->channel;
		if (n == 0 || n >= SIM_MAX_CHANNELS)
			return SW_WRONG_P1P2;
		if (!card->ch[n].open)
			return SW_REF_DATA_NOT_FOUND;
		close_channel(card, n);
		LOG_INFO("MANAGE CHANNEL close %u", n);
		return SW_OK;
	}
	return SW_WRONG_P1P2;
}

static unsigned cmd_terminal_capability(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
					struct sim_rbuf *out)
{
	struct tlv t;
	struct tlv_iter it;
	int rc;

	bool extended = false;

	(void)ch; (void)out;
	/* ETSI TS 102 221 §11.1.19: P1=00, P2=00, data = terminal capability
	 * TLVs: A9 { 80 power supply, 81 extended logical channels, 82
	 * additional interfaces, 83 eUICC-related indications }. The syntax is
	 * checked; 81 lifts the channel limit until the next reset. */
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	it.p = a->data;
	it.left = a->lc;
	while ((rc = tlv_iter_next(&it, &t)) > 0) {
		struct tlv_iter in;
		struct tlv d;

		if (t.tag != TAG_TERMINAL_CAPABILITY)
			continue;
		tlv_iter_init(&in, &t);
		while ((rc = tlv_iter_next(&in, &d)) > 0)
			extended |= d.tag == TAG_EXTENDED_CHANNELS;
		if (rc < 0)
			break;
	}
	if (rc < 0)
		return SW_WRONG_DATA;
	card->extended_channels = extended;
	LOG_INFO("TERMINAL CAPABILITY accepted%s", extended ? " (extended logical channels)" : "");
	return SW_OK;
}

/* The DF name (tag 84) inside an FCP (62) or FCI (6F) template. */
static int df_name(const uint8_t *fcp, size_t len, struct sim_rbuf *out)
{
	struct tlv tpl, t;
	struct tlv_iter it;
	int rc;

	if (tlv_parse_exact(fcp, len, &tpl) < 0)
		return -EU_E_NOT_DER;
	tlv_iter_init(&it, &tpl);
	while ((rc = tlv_iter_next(&it, &t)) > 0)
		if (t.tag == 0x84)
			return sim_rbuf_put(out, t.raw, t.raw_len);
	return rc;	/* no application: no DF name */
}

static unsigned cmd_status(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			   struct sim_rbuf *out)
{
	struct sim_rbuf fcp = { 0 };
	int rc;

	(void)card;
	/* ETSI TS 102 221 §11.1.2: P1 00/01/02 (application status), P2 00
	 * (what SELECT of the current application/DF returns), 01 (the DF
	 * name of the current application), 0C (no data). */
	if (a->p1 > 0x02 || (a->p2 != 0x00 && a->p2 != 0x01 && a->p2 != 0x0C))
		return SW_WRONG_P1P2;
	if (a->p2 == 0x0C)
		return SW_OK;
	if (!ch->app || !ch->app->ops->status)
		return SW_CONDITIONS_NOT_SATISFIED;
	if (a->p2 == 0x00)
		return ch->app->ops->status(ch->app->app, a->channel, out) < 0 ? SW_UNKNOWN : SW_OK;
	rc = ch->app->ops->status(ch->app->app, a->channel, &fcp);
	if (rc == 0)
		rc = df_name(fcp.p, fcp.len, out);
	sim_rbuf_free(&fcp);
	return rc < 0 ? SW_UNKNOWN : SW_OK;
}

typedef unsigned (*os_fn)(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			  struct sim_rbuf *out);

/* The commands of the OS itself. GET RESPONSE is handled before any
 * table: it must see the pending response that every other command
 * discards. */
static const struct os_cmd {
	struct sim_cmd c;
	os_fn fn;
} os_cmds[] = {
	{ { 0xA4, SIM_CLS_ISO, SIM_DATA_OPTIONAL, "SELECT", NULL, 0 }, cmd_select },
	{ { 0x70, SIM_CLS_ISO, SIM_DATA_NONE, "MANAGE CHANNEL", NULL, 0 }, cmd_manage_channel },
	{ { 0xAA, SIM_CLS_GP, SIM_DATA_REQUIRED, "TERMINAL CAPABILITY", NULL, 0 }, cmd_terminal_capability },
	{ { 0xF2, SIM_CLS_GP, SIM_DATA_NONE, "STATUS", NULL, 0 }, cmd_status },
};

/* The table entry for ins: the OS's, the current application's, or the
 * first other application's that knows the command (for its class and
 * case, and the answer when it reaches the wrong application). */
static const struct sim_cmd *lookup(const struct sim_card *card, const struct app_entry *cur, uint8_t ins,
				    os_fn *os, bool *here)
{
	*os = NULL;
	*here = true;
	for (size_t i = 0; i < ARRAY_SIZE(os_cmds); i++) {
		if (os_cmds[i].c.ins == ins) {
			*os = os_cmds[i].fn;
			return &os_cmds[i].c;
		}
	}
	for (size_t i = 0; cur && i < cur->ops->n_cmds; i++)
		if (cur->ops->cmds[i].ins == ins)
			return &cur->ops->cmds[i];
	*here = false;
	for (size_t k = 0; k < card->n_apps; k++)
		for (size_t i = 0; i < card->apps[k].ops->n_cmds; i++)
			if (card->apps[k].ops->cmds[i].ins == ins)
				return &card->apps[k].ops->cmds[i];
	return NULL;
}

/* ---- the APDU ------------------------------------------------------------------- */

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
		*cls = type ? SIM_CLS_GP : SIM_CLS_ISO;
		if (cla & 0x10)
			return SW_CHAINING_NOT_SUPPORTED;
		if (cla & 0x0C)
			return SW_SM_NOT_SUPPORTED;
		*channel = cla & 0x03;
		return 0;
	}
	if (type == 0x40 || type == 0x60 || type == 0xC0 || type == 0xE0) {
		/* Further interindustry: b6 SM, b5 chaining, b4-b1 channel-4. */
		*cls = (cla & 0x80) ? SIM_CLS_GP : SIM_CLS_ISO;
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

/* 61xx: xx = min(remaining, 256) mod 256. */
static unsigned more_sw(size_t left)
{
	return 0x6100 | (left >= 256 ? 0 : (unsigned)left);
}

/* Hand out up to ne bytes of the pending response, then 61xx while more
 * remains. */
static size_t emit_pending(struct sim_card *card, size_t ne, uint8_t *rsp)
{
	struct pending *r = &card->resp;
	size_t left = r->len - r->off;
	size_t n = left < ne ? left : ne;

	memcpy(rsp, r->p + r->off, n);
	r->off += n;
	left -= n;
	if (left == 0) {
		drop_response(card);
		return put_sw(rsp, n, SW_OK);
	}
	return put_sw(rsp, n, more_sw(left));
}

/* TS 102 221 §12.1.1: GET RESPONSE follows its command at once, on the
 * same channel; otherwise "technical problem, no precise diagnosis"
 * (6F00) and the response is lost. */
static size_t get_response(struct sim_card *card, const struct sim_apdu *a, uint8_t *rsp)
{
	if (a->p1 || a->p2) {
		drop_response(card);
		return put_sw(rsp, 0, SW_WRONG_P1P2);
	}
	if (a->lc) {
		drop_response(card);
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	}
	if (!card->resp.p || card->resp.channel != a->channel) {
		LOG_INFO("GET RESPONSE refused: no response pending on channel %u", a->channel);
		drop_response(card);
		return put_sw(rsp, 0, SW_UNKNOWN);
	}
	return emit_pending(card, a->has_le ? a->ne : 256, rsp);
}

/* Run one command on its channel; the response data goes to out. */
static unsigned dispatch(struct sim_card *card, struct channel *ch, unsigned cls, const struct sim_apdu *a,
			 struct sim_rbuf *out)
{
	const struct sim_cmd *c;
	os_fn os;
	bool here;

	c = lookup(card, ch->app, a->ins, &os, &here);
	if (!c)
		return SW_INS_NOT_SUPPORTED;
	if (!(c->classes & cls))
		return SW_CLA_NOT_SUPPORTED;
	if ((c->data == SIM_DATA_REQUIRED && a->lc == 0) || (c->data == SIM_DATA_NONE && a->lc))
		return SW_WRONG_LENGTH;
	if (os)
		return os(card, ch, a, out);
	if (!here) {
		LOG_INFO("%s refused: %s is selected on channel %u", c->name,
			 ch->app ? ch->app->ops->name : "nothing", a->channel);
		return c->elsewhere_sw;
	}
	return c->fn(ch->app->app, a, out);
}

void sim_card_names(const struct sim_card *card, const uint8_t *cmd, size_t len, struct sim_command_names *out)
{
	static char unknown[8];
	struct sim_apdu a;
	const struct sim_cmd *c;
	const struct channel *ch;
	unsigned cls;
	os_fn os;
	bool here;

	out->channel = -1;
	out->command = "?";
	out->function = NULL;
	if (parse_apdu(cmd, len, &a) || decode_cla(a.cla, &a.channel, &cls))
		return;
	out->channel = (int)a.channel;
	if (a.ins == 0xC0) {
		out->command = "GET RESPONSE";
		return;
	}
	ch = a.channel < SIM_MAX_CHANNELS ? &card->ch[a.channel] : NULL;
	c = lookup(card, ch ? ch->app : NULL, a.ins, &os, &here);
	if (!c) {
		snprintf(unknown, sizeof(unknown), "INS %02X", a.ins);
		out->command = unknown;
		return;
	}
	out->command = c->name;
	a.seq = ch ? ch->seq + 1 : 0;
	if (here && !os && ch && ch->open && ch->app->ops->function && (c->classes & cls))
		out->function = ch->app->ops->function(ch->app->app, &a);
}

uint32_t sim_card_open_channels(const struct sim_card *card)
{
	uint32_t open = 0;

	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		if (card->ch[i].open)
			open |= 1u << i;
	return open;
}

size_t sim_transact(struct sim_card *card, const uint8_t *cmd, size_t cmd_len,
		    uint8_t rsp[SIM_RSP_MAX])
{
	struct sim_apdu a;
	struct sim_rbuf out = { 0 };
	struct channel *ch;
	unsigned cls = 0, sw;
	size_t n;

	sim_log_hex(2, "C-APDU ", cmd, cmd_len);
	sw = parse_apdu(cmd, cmd_len, &a);
	/* Any command but GET RESPONSE, even a refused one, discards what
	 * GET RESPONSE would have returned (TS 102 221 §12.1.1). */
	if (sw || a.ins != 0xC0)
		drop_response(card);
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
		n = get_response(card, &a, rsp);
		goto done;
	}
	a.seq = ++ch->seq;

	sw = dispatch(card, ch, cls, &a, &out);
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
	card->resp.p = out.p;
	card->resp.len = out.len;
	card->resp.off = 0;
	card->resp.channel = a.channel;
	out.p = NULL;
	if (a.has_le)
		n = emit_pending(card, a.ne, rsp);
	else
		n = put_sw(rsp, 0, more_sw(card->resp.len));
done:
	sim_rbuf_free(&out);
	sim_log_hex(2, "R-APDU ", rsp, n);
	return n;
}
