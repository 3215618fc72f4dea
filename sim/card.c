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

struct app_entry {
	const struct sim_app_ops *ops;
	void *app;
	uint8_t aid[SIM_AID_MAX];
	size_t aid_len;		/* 0: found through ops->match */
};

struct channel {
	bool open;
	const struct app_entry *app;	/* current application */
	uint32_t seq;			/* commands so far (struct sim_apdu.seq) */
	uint8_t *resp;			/* pending response for GET RESPONSE */
	size_t resp_len, resp_off;
};

struct sim_card {
	struct app_entry apps[SIM_MAX_APPS];
	size_t n_apps;
	const struct app_entry *root;
	struct channel ch[SIM_MAX_CHANNELS];
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

static void drop_response(struct channel *ch)
{
	free(ch->resp);
	ch->resp = NULL;
	ch->resp_len = ch->resp_off = 0;
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
	drop_response(ch);
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
	if (ev != SIM_REFRESH)
		for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
			close_channel(card, i);
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
	if (card->free_host)
		card->free_host(card->host);
	free(card);
}

/* ---- commands of the OS ----------------------------------------------------- */

static const struct app_entry *find_app(const struct sim_card *card, const uint8_t *aid, size_t len)
{
	for (size_t i = 0; i < card->n_apps; i++) {
		const struct app_entry *e = &card->apps[i];

		if (e->aid_len && len <= e->aid_len && !memcmp(aid, e->aid, len))
			return e;
	}
	for (size_t i = 0; i < card->n_apps; i++) {
		const struct app_entry *e = &card->apps[i];

		if (!e->aid_len && e->ops->match(e->app, aid, len))
			return e;
	}
	return NULL;
}

static unsigned cmd_select(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			   struct sim_rbuf *out)
{
	const struct app_entry *e;
	unsigned sw;

	if (a->p1 != 0x04) {
		if (a->p1 != 0x00 && a->p1 != 0x08 && a->p1 != 0x09)
			return SW_WRONG_P1P2;
		if (!card->root)
			return SW_FILE_NOT_FOUND;
		/* Files belong to the MF's application: coming from another
		 * one, the channel starts from the MF. */
		if (ch->app != card->root)
			card->root->ops->open(card->root->app, a->channel);
		sw = card->root->ops->select_file(card->root->app, a, out);
		if ((sw == SW_OK || sw == SW_WARN_EOF) && ch->app != card->root) {
			leave_app(ch, a->channel);
			ch->app = card->root;
		}
		return sw;
	}
	/* Select by DF name, first or only occurrence: P2 00 (FCI, ISO
	 * 7816-4, what lpac sends), 04 (FCP, ETSI TS 102 221 §11.1.1, what
	 * pySim sends) or 0C (no data). */
	if (a->p2 != 0x00 && a->p2 != 0x04 && a->p2 != 0x0C)
		return SW_WRONG_P1P2;
	if (a->lc < SIM_AID_MIN || a->lc > SIM_AID_MAX)
		return SW_WRONG_LENGTH;
	e = find_app(card, a->data, a->lc);
	if (!e)
		return SW_FILE_NOT_FOUND;
	leave_app(ch, a->channel);
	ch->app = e;
	return e->ops->select(e->app, a, out);
}

/* Over T=0 a case 1 command travels as a 5-byte TPDU with P3 = 00, and
 * LPAs send it that way (lpac closes with 00 70 80 ch 00). */
static bool case1(const struct sim_apdu *a)
{
	return !a->has_le || a->ne == 256;
}

static unsigned cmd_manage_channel(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
				   struct sim_rbuf *out)
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
		close_channel(card, n);
		/* From the basic channel the MF is selected; from another
		 * channel the new one inherits its application (§11.1.17). */
		if (a->channel == 0 || ch->app == card->root) {
			open_in_root(card, n);
		} else {
			card->ch[n].open = true;
			card->ch[n].app = ch->app;
		}
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

	(void)card; (void)ch; (void)out;
	/* ETSI TS 102 221 §11.1.19: P1=00, P2=00, data = terminal capability
	 * TLVs (A9 ...). We accept and record nothing, but check the syntax. */
	if (a->p1 != 0 || a->p2 != 0)
		return SW_WRONG_P1P2;
	it.p = a->data;
	it.left = a->lc;
	while ((rc = tlv_iter_next(&it, &t)) > 0)
		;
	if (rc < 0)
		return SW_WRONG_DATA;
	LOG_INFO("TERMINAL CAPABILITY accepted");
	return SW_OK;
}

static unsigned cmd_status(struct sim_card *card, struct channel *ch, const struct sim_apdu *a,
			   struct sim_rbuf *out)
{
	(void)card;
	/* ETSI TS 102 221 §11.1.2: P1 00/01/02, P2 00 (FCP), 01 (DF name),
	 * 0C (no data). */
	if (a->p1 > 0x02 || (a->p2 != 0x00 && a->p2 != 0x01 && a->p2 != 0x0C))
		return SW_WRONG_P1P2;
	if (a->p2 == 0x0C)
		return SW_OK;
	if (!ch->app || !ch->app->ops->status)
		return SW_CONDITIONS_NOT_SATISFIED;
	return ch->app->ops->status(ch->app->app, a->channel, out) < 0 ? SW_UNKNOWN : SW_OK;
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
	{ { 0xA4, SIM_CLS_ISO, SIM_DATA_REQUIRED, "SELECT", NULL, 0 }, cmd_select },
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

/* Hand out up to ne bytes of the channel's pending response, then 61xx
 * while more remains. */
static size_t emit_pending(struct channel *ch, size_t ne, uint8_t *rsp)
{
	size_t left = ch->resp_len - ch->resp_off;
	size_t n = left < ne ? left : ne;

	memcpy(rsp, ch->resp + ch->resp_off, n);
	ch->resp_off += n;
	left -= n;
	if (left == 0) {
		drop_response(ch);
		return put_sw(rsp, n, SW_OK);
	}
	return put_sw(rsp, n, more_sw(left));
}

static size_t get_response(struct channel *ch, const struct sim_apdu *a, uint8_t *rsp)
{
	if (a->p1 || a->p2) {
		drop_response(ch);
		return put_sw(rsp, 0, SW_WRONG_P1P2);
	}
	if (a->lc) {
		drop_response(ch);
		return put_sw(rsp, 0, SW_WRONG_LENGTH);
	}
	if (!ch->resp) {
		LOG_INFO("GET RESPONSE refused: no response data pending");
		return put_sw(rsp, 0, SW_CONDITIONS_NOT_SATISFIED);
	}
	return emit_pending(ch, a->has_le ? a->ne : 256, rsp);
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
	drop_response(ch);
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
	ch->resp = out.p;
	ch->resp_len = out.len;
	ch->resp_off = 0;
	out.p = NULL;
	if (a.has_le)
		n = emit_pending(ch, a.ne, rsp);
	else
		n = put_sw(rsp, 0, more_sw(ch->resp_len));
done:
	sim_rbuf_free(&out);
	sim_log_hex(2, "R-APDU ", rsp, n);
	return n;
}
