/* The LPA conformance report (sim/host/report.h).
 *
 * The engine keeps a model of what the terminal has done, built from the
 * bytes alone: per channel whether it is open and what is selected there
 * and the STORE DATA chain in progress; per card session the TERMINAL
 * CAPABILITY, the challenge and EUICCInfo1 reads; the RSP session of a
 * download (challenged, authenticated, prepared, loading) as the eUICC
 * sees it; the BPP segment being expected; the notifications it has seen
 * created, retrieved and removed. Each rule is one row of the table below
 * and is judged where the model changes. */
#include "sim/host/report.h"
#include "ecasd/ecasd.h"
#include "isdr/bsp.h"
#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "isdr/sgp22.h"
#include "sim/app.h"
#include "sim/asn1.h"
#include "sim/err.h"
#include "sim/host/euicc.h"
#include "sim/tlv.h"
#include "sim/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const asn1_static_node rsp_asn1_tab[];

/* ---- the rules ------------------------------------------------------------------ */

/* id, statement, clause, basis (what the clause says as far as this
 * project could check it, and where the card's view ends). */
#define REPORT_RULES(X) \
	X(R_TERMCAP, "UICC-TERMCAP-01", \
	  "Before the first ES10 command of a card session the terminal sends TERMINAL CAPABILITY with its " \
	  "eUICC-related terminal capabilities (tag 83 in the A9 template).", \
	  "ETSI TS 102 221 §11.1.19; §11.1.19.2.4", \
	  "TS 102 221 §11.1.19 defines TERMINAL CAPABILITY; §11.1.19.2.4, \"Additional Terminal capability " \
	  "indications related to eUICC\", tag 83 in the A9 template (LPA support in the Device). Checked " \
	  "against quotations of the clause (Android's eSIM modem requirements, pySim), not its text.") \
	X(R_CHANNEL, "UICC-CHANNEL-01", \
	  "The ISD-R is selected on a logical channel other than the basic channel, and that channel is " \
	  "closed with MANAGE CHANNEL before the card session ends.", \
	  "ETSI TS 102 221 §11.1.17", \
	  "The basic channel carries the Device's telecom session; an LPA reaches the ISD-R on a logical channel " \
	  "it opens (MANAGE CHANNEL, TS 102 221 §11.1.17) and gives back. SGP.22 does not put this in one " \
	  "sentence that could be checked here; read a finding as what the LPA did with the channel.") \
	X(R_GETRESP, "UICC-GETRESP-01", \
	  "GET RESPONSE is sent only right after a 61xx answer, on the channel of that answer, with P1 P2 = " \
	  "00 00, no data, and Le no larger than the xx announced.", \
	  "ETSI TS 102 221 §7.3.1.1.4; §12.1.1", \
	  "Over T=0 the data of a command is fetched with GET RESPONSE right after the 61xx, on the same " \
	  "logical channel; the card keeps it for that one command only (the clause this card's GET RESPONSE " \
	  "follows, sim/card.c).") \
	X(R_RESPONSE, "ES10-RESPONSE-01", \
	  "The response of every ES10 command is read to its end: after 61xx, GET RESPONSE follows until the " \
	  "card answers 9000.", \
	  "SGP.22 v2.3 §5.7.2; ETSI TS 102 221 §7.3.1.1.4", \
	  "An ES10 function's result is its response (the ProfileInstallationResult, the signed answers of " \
	  "AuthenticateServer and PrepareDownload, ...); a response not fetched is lost at the next command.") \
	X(R_STOREDATA, "ES10-STOREDATA-01", \
	  "ES10 requests travel in STORE DATA blocks of class 8x/Cx: P1 11 on every block but the last and 91 " \
	  "on the last, P2 the block number from 00 up by one, no empty block, and no other command on that " \
	  "channel inside a chain.", \
	  "SGP.22 v2.3 §5.7.2; GlobalPlatform Card Specification §11.11", \
	  "§5.7.2 carries ES10 in GlobalPlatform STORE DATA with P1 '11' (more blocks) / '91' (last block) and " \
	  "P2 the block number (as Infineon's LPA and pySim quote it; the SGP.22 text was not at hand).") \
	X(R_TARGET, "ES10-TARGET-01", \
	  "STORE DATA is sent only on a channel on which the ISD-R is selected.", \
	  "SGP.22 v2.3 §2.4.3; §5.7.2", \
	  "The ES10 functions are functions of the ISD-R; a STORE DATA sent elsewhere reaches another " \
	  "application (this card answers 6985).") \
	X(R_DER, "ES10-DER-01", \
	  "Every ES10 request is one DER element: definite, minimal lengths, every element inside its parent, " \
	  "nothing after it.", \
	  "SGP.22 v2.3 §5.7; ITU-T X.690 §10", \
	  "The ES10 data objects are DER-encoded values of the SGP.22 ASN.1 module; X.690 §10 gives the rules " \
	  "checked here. Where SGP.22 says DER was recalled, not checked here.") \
	X(R_ASN1, "ES10-ASN1-01", \
	  "Every ES10 request is a value of its SGP.22 v2.3 request type with no element the type does not " \
	  "define: decoded and encoded again, it is the same bytes.", \
	  "SGP.22 v2.3 §5.7.3-§5.7.21 (the request type of each function); ITU-T X.690 §10-§11", \
	  "The module is EXTENSIBILITY IMPLIED, so an eUICC skips unknown elements; to an eUICC of v2.3 (its " \
	  "EUICCInfo2 says so) the LPA sends the v2.3 types. Also catches what a DER walk cannot: a DEFAULT value " \
	  "written out, an INTEGER with a redundant leading octet. Requests this card has no function for " \
	  "are not judged.") \
	X(R_INFO1, "ES10-AUTH-01", \
	  "GetEUICCInfo1 is read in the card session before AuthenticateServer.", \
	  "SGP.22 v2.3 §3.0.1; §5.7.8", \
	  "In the Common Mutual Authentication procedure the LPA reads euiccInfo1 from the eUICC " \
	  "(ES10b.GetEUICCInfo) for ES9+.InitiateAuthentication; a value kept from an earlier card session " \
	  "counts as not read. Recalled, not checked word for word here.") \
	X(R_CHALLENGE, "ES10-AUTH-02", \
	  "AuthenticateServer carries the euiccChallenge of the latest GetEUICCChallenge of the card session, " \
	  "and each challenge serves one AuthenticateServer.", \
	  "SGP.22 v2.3 §3.0.1; §5.7.7; §5.7.13", \
	  "The eUICC checks serverSigned1.euiccChallenge against the challenge it generated last " \
	  "(euiccChallengeMismatch otherwise); a new GetEUICCChallenge replaces the old one.") \
	X(R_ORDER, "ES10-ORDER-01", \
	  "PrepareDownload comes only after AuthenticateServer succeeded, and the Bound Profile Package only " \
	  "after PrepareDownload succeeded, in the same RSP session.", \
	  "SGP.22 v2.3 §3.1.3; §5.7.5; §5.7.6", \
	  "The order of the Profile Download and Installation procedure.") \
	X(R_BPP_SPLIT, "ES10-BPP-01", \
	  "The Bound Profile Package is sent in the segments §2.5.5 prescribes, each its own STORE DATA chain: " \
	  "the BF36 header with the whole BF23, the whole A0, the A1 header, each 88, the whole A2 (if present), " \
	  "the A3 header, each 86.", \
	  "SGP.22 v2.3 §2.5.5; §5.7.6", \
	  "The segmentation of §2.5.5 as this card implements it (docs/design.md, isdr/bpp.c); recalled, not " \
	  "checked word for word here.") \
	X(R_BPP_ALONE, "ES10-BPP-02", \
	  "No other ES10 command comes between the first segment of a Bound Profile Package and the end of the " \
	  "load.", \
	  "SGP.22 v2.3 §5.7.6; §2.5.5", \
	  "Another ES10 command interrupts the load: the eUICC ends it with installFailedDueToInterruption.") \
	X(R_BPP_AFTER, "ES10-BPP-03", \
	  "Once the eUICC has ended a load (ProfileInstallationResult or an error status word), no further " \
	  "segment of that Bound Profile Package is sent.", \
	  "SGP.22 v2.3 §5.7.6", \
	  "The ProfileInstallationResult is the final answer of ES10b.LoadBoundProfilePackage; after an " \
	  "errorResult the remaining segments have no load to go to.") \
	X(R_CANCEL, "ES10-CANCEL-01", \
	  "CancelSession is sent only while the eUICC holds an RSP session (AuthenticateServer or " \
	  "PrepareDownload succeeded, no BPP yet), with that session's transactionId and a CancelSessionReason " \
	  "SGP.22 defines.", \
	  "SGP.22 v2.3 §3.0.2; §5.7.14", \
	  "Otherwise the eUICC answers invalidTransactionId or undefinedError and the SM-DP+ gets no signed " \
	  "cancellation. The card does not see ES9+: a session left without CancelSession is not judged, " \
	  "since the SM-DP+ may have ended it.") \
	X(R_NOTIF_REMOVE, "ES10-NOTIF-01", \
	  "RemoveNotificationFromList removes only a notification the LPA has retrieved (RetrieveNotificationsList) " \
	  "before: a notification is removed after it was delivered, and delivery needs its signed content.", \
	  "SGP.22 v2.3 §3.5; §5.7.10; §5.7.11", \
	  "The LPA removes a notification once the SM-DP+ has acknowledged it. The card cannot see delivery " \
	  "(ES9+.HandleNotification); it sees whether the LPA ever had the signed notification. Notifications " \
	  "already on the card when the run began are not judged.") \
	X(R_NOTIF_SENT, "ES10-NOTIF-02", \
	  "Every notification created while the card ran (install, enable, disable, delete) is retrieved by " \
	  "the LPA before the card stops.", \
	  "SGP.22 v2.3 §3.1.3; §3.2.1-§3.2.3; §3.5", \
	  "The LPA delivers the ProfileInstallationResult and the other notifications to their SM-DP+ " \
	  "(ES9+.HandleNotification), which needs RetrieveNotificationsList. Judged when the card stops (ctl " \
	  "report: as if it stopped now): stop the card after the LPA is done.") \
	X(R_REFRESH, "ES10-REFRESH-01", \
	  "After EnableProfile or DisableProfile succeeded with refreshFlag FALSE, the terminal resets the UICC " \
	  "(power off or reset) before it uses the telecom side again (any command but MANAGE CHANNEL, " \
	  "TERMINAL CAPABILITY/PROFILE, STATUS, GET RESPONSE, STORE DATA and SELECT of the ISD-R or ECASD).", \
	  "SGP.22 v2.3 §3.2.1; §3.2.2; §5.7.16; §5.7.17", \
	  "With refreshFlag FALSE the eUICC does not REFRESH: the files the terminal sees belong to another " \
	  "profile now, so the Device resets the UICC before it uses them (with TRUE the eUICC's REFRESH does). " \
	  "Recalled, not checked word for word here.") \
	X(R_MGMT, "ES10-MGMT-01", \
	  "No profile is enabled, disabled or deleted, and no eUICCMemoryReset is done, while a profile " \
	  "download is in progress.", \
	  "SGP.22 v2.3 §3.1.3; §3.2", \
	  "A download runs from a successful AuthenticateServer to its ProfileInstallationResult or " \
	  "CancelSession. Judged where the card sees the download go on afterwards (PrepareDownload or BPP of " \
	  "the same RSP session) or while the BPP is loading; a session that was abandoned is not judged.") \
	X(R_NICKNAME, "ES10-NICKNAME-01", \
	  "SetNickname's profileNickname is valid UTF-8 of at most 64 characters.", \
	  "SGP.22 v2.3 §5.7.21", \
	  "SetNicknameRequest.profileNickname is UTF8String (SIZE(0..64)); a SIZE constraint on a character " \
	  "string counts characters (ITU-T X.680).")

enum rule_id {
#define RULE_ENUM(e, id, st, cl, basis) e,
	REPORT_RULES(RULE_ENUM)
#undef RULE_ENUM
	R_COUNT
};

static const struct {
	const char *id, *statement, *clause, *basis;
} rules[] = {
#define RULE_ROW(e, id, st, cl, basis) [e] = { id, st, cl, basis },
	REPORT_RULES(RULE_ROW)
#undef RULE_ROW
};

size_t report_rule_count(void)
{
	return R_COUNT;
}

const char *report_rule_id(size_t i)
{
	return i < R_COUNT ? rules[i].id : NULL;
}

const char *report_verdict_name(enum report_verdict v)
{
	return v == REPORT_PASS ? "pass" : v == REPORT_FAIL ? "fail" : "n/a";
}

/* ---- the state ------------------------------------------------------------------- */

#define MAX_FINDINGS 16		/* kept whole per rule; the rest are counted */
#define EVIDENCE_BYTES 96	/* bytes of an APDU or request shown */
#define NOTE_MAX 320
#define MAX_SESSIONS 4096	/* listed in the report; the rest are counted */
#define CHAIN_MAX (64u * 1024u)	/* as the ISD-R (ISDR_STORE_DATA_MAX) */
#define MAX_MGMT 8
#define DER_DEPTH SIM_ASN1_MAX_DEPTH

/* What shows a finding: an event and the bytes of it that matter. */
struct finding {
	unsigned long seq;	/* event number (trace seq) */
	unsigned session;
	int channel;
	char command[48];
	uint8_t bytes[EVIDENCE_BYTES];
	size_t bytes_len, total_len;
	unsigned sw;		/* 0: none */
	char note[NOTE_MAX];
};

struct rule_state {
	unsigned long checked;	/* instances judged */
	unsigned long failed;
	struct finding f[MAX_FINDINGS];
	size_t n;
};

struct session_rec {
	unsigned n;
	unsigned long first, last, apdus;
	struct timespec start, end;
	const char *ended_by;	/* NULL: still open */
	uint32_t pass[R_COUNT], fail[R_COUNT];
};

/* One parsed command APDU with its response. */
struct apdu {
	unsigned long seq;
	const uint8_t *cmd, *data, *rsp;
	size_t len, lc, rsp_len;
	uint8_t cla, ins, p1, p2;
	bool ok;		/* a short APDU that parses */
	bool has_le;
	unsigned ne;		/* Le as a number of bytes (256 for 00) */
	int channel;		/* -1: the card could not place it */
	const char *name;	/* the card's name of it */
	unsigned sw;
};

/* The request being answered, or an ES10 request whose response is
 * still coming through GET RESPONSE. */
enum pend_kind { PEND_OTHER, PEND_CHANNEL, PEND_ES10 };

struct pending {
	bool on;
	enum pend_kind kind;
	int channel;
	unsigned long seq;	/* the command's number */
	uint8_t *data;
	size_t len, cap;
};

struct chain {
	bool active;
	bool dead;		/* the card refused a block: the rest is not judged */
	bool too_long;		/* more than the ISD-R takes */
	unsigned next;		/* next block number */
	unsigned long first_seq;
	uint8_t *buf;
	size_t len, cap;
};

struct channel {
	bool open, lpa_opened, isdr, isdr_used;
	unsigned long opened_at;
	struct chain sd;
};

enum rsp_state { RSP_NONE, RSP_CHALLENGED, RSP_AUTHED, RSP_PREPARED, RSP_LOADING, RSP_UNKNOWN };

/* The expected BPP segment (§2.5.5). */
enum bpp_expect { B_A0, B_A1_HDR, B_88, B_A2_OR_A3, B_A3_HDR, B_86, B_DONE };

enum notif_origin { ORIGIN_BEFORE, ORIGIN_RUN, ORIGIN_UNKNOWN };

struct nrec {
	unsigned long seq;
	int event;		/* NotificationEvent bit, -1 unknown */
	enum notif_origin origin;
	unsigned long created_at;	/* event number; 0 unknown */
	unsigned created_session;
	unsigned long retrieved_at;	/* 0: never */
	bool removed;
};

struct mgmt {
	unsigned long seq;
	unsigned session;
	unsigned long auth_seq;		/* the AuthenticateServer of the download */
	int channel;
	const char *name;
	uint8_t bytes[EVIDENCE_BYTES];
	size_t bytes_len, total_len;
};

/* The ES10 command being answered. */
struct es10 {
	bool on;
	bool bpp;		/* a BPP segment */
	uint32_t tag;
	const char *name;
	unsigned long seq;
	int channel;
	uint8_t *req;
	size_t len;
	/* what the response handler needs from the request */
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	unsigned long seq_number;	/* RemoveNotificationFromList */
	bool has_seq_number;
	bool refresh;			/* Enable/Disable refreshFlag */
};

struct report {
	const struct sim_card *card;
	struct rule_state rule[R_COUNT];
	struct session_rec *sessions;
	size_t n_sessions, sessions_cap;
	unsigned long sessions_dropped;
	unsigned session;		/* current session number, 0: none */
	bool in_session;
	unsigned long seq, apdus;
	struct timespec started;

	/* the command waiting for its response */
	uint8_t cmd[SIM_RSP_MAX + 0x10000];
	size_t cmd_len;
	bool cmd_on;
	struct sim_command_names nm;
	char nm_buf[48];

	/* the APDU layer */
	struct channel ch[SIM_MAX_CHANNELS];
	struct pending pend;
	struct {
		bool on;
		int channel;
		unsigned avail;
		unsigned long seq;
	} last61;
	struct {
		bool seen, euicc;
		unsigned long seq;
	} termcap;
	bool es10_seen;			/* an ES10 command in this session */

	/* ES10 */
	struct es10 es10;
	bool info1_read;
	struct {
		bool known, used;
		uint8_t v[SGP22_CHALLENGE_LEN];
		unsigned long seq, used_at;
	} challenge;
	enum rsp_state rsp;
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	unsigned long auth_seq;		/* its AuthenticateServer */
	unsigned long rsp_seq;		/* where the RSP state last changed */
	struct {
		bool on, bad, interrupted;
		enum bpp_expect expect;
		size_t part_left, segments;
		unsigned long first_seq;
	} bpp;
	struct {
		bool on;
		unsigned long seq;
		const char *how;
	} load_ended;			/* in this card session */
	struct mgmt mgmt[MAX_MGMT];
	size_t n_mgmt;
	struct {
		bool on;
		unsigned long seq;
		const char *name;
	} stale;			/* refreshFlag FALSE: telecom side not refreshed */
	struct nrec *notifs;
	size_t n_notifs, notifs_cap;
	bool have_baseline;
};

/* ---- findings ------------------------------------------------------------------------ */

static struct session_rec *cur_session(struct report *r)
{
	return r->in_session && r->n_sessions && r->sessions[r->n_sessions - 1].n == r->session ?
	       &r->sessions[r->n_sessions - 1] : NULL;
}

static void pass(struct report *r, enum rule_id id)
{
	struct session_rec *s = cur_session(r);

	r->rule[id].checked++;
	if (s)
		s->pass[id]++;
}

/* What a finding shows: the event, its channel, name and bytes. */
struct shown {
	unsigned long seq;
	int channel;
	const char *name;
	const uint8_t *bytes;
	size_t len;
	unsigned sw;
};

static struct shown show_apdu(const struct apdu *a)
{
	return (struct shown){ a->seq, a->channel, a->name, a->cmd, a->len, a->sw };
}

static struct shown show_es10(const struct report *r)
{
	return (struct shown){ r->es10.seq, r->es10.channel, r->es10.name, r->es10.req, r->es10.len, 0 };
}

static void fail(struct report *r, enum rule_id id, struct shown w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct report *r, enum rule_id id, struct shown w, const char *fmt, ...)
{
	struct rule_state *rs = &r->rule[id];
	struct session_rec *s = cur_session(r);
	struct finding *f;
	va_list ap;

	rs->checked++;
	rs->failed++;
	if (s)
		s->fail[id]++;
	if (rs->n == MAX_FINDINGS)
		return;
	f = &rs->f[rs->n++];
	memset(f, 0, sizeof(*f));
	f->seq = w.seq;
	f->session = r->session;
	f->channel = w.channel;
	snprintf(f->command, sizeof(f->command), "%s", w.name ? w.name : "");
	f->total_len = w.len;
	f->bytes_len = w.len < EVIDENCE_BYTES ? w.len : EVIDENCE_BYTES;
	if (w.bytes)
		memcpy(f->bytes, w.bytes, f->bytes_len);
	f->sw = w.sw;
	va_start(ap, fmt);
	vsnprintf(f->note, sizeof(f->note), fmt, ap);
	va_end(ap);
}

/* ---- small decoders --------------------------------------------------------------------- */

/* The element with this tag among the children of a constructed value
 * (one level); 1 found, 0 not, < 0 malformed. */
static int child(const struct tlv *parent, uint32_t tag, struct tlv *out)
{
	struct tlv_iter it;
	int rc;

	tlv_iter_init(&it, parent);
	while ((rc = tlv_iter_next(&it, out)) > 0)
		if (out->tag == tag)
			return 1;
	return rc;
}

static bool uint_value(const struct tlv *t, unsigned long *v)
{
	if (t->len == 0 || t->len > sizeof(*v))
		return false;
	*v = 0;
	for (size_t i = 0; i < t->len; i++)
		*v = *v << 8 | t->val[i];
	return true;
}

/* The outer tag of an ES10 response that came whole, and its value. */
static bool response_tlv(const uint8_t *p, size_t len, uint32_t tag, struct tlv *out)
{
	return p && tlv_parse_exact(p, len, out) == 0 && out->tag == tag;
}

/* A CHOICE response: the tag of its one alternative (A0, A1, 81, ...),
 * or 0. */
static uint32_t alternative(const uint8_t *p, size_t len, uint32_t tag)
{
	struct tlv t, a;

	if (!response_tlv(p, len, tag, &t) || tlv_parse(t.val, t.len, &a) < 0)
		return 0;
	return a.tag;
}

/* The first integer [0] (tag 80) of a response like BF31 { 80 result }. */
static bool result_code(const uint8_t *p, size_t len, uint32_t tag, unsigned long *v)
{
	struct tlv t, c;

	return response_tlv(p, len, tag, &t) && child(&t, 0x80, &c) == 1 && uint_value(&c, v);
}

static bool prefix_of(const uint8_t *data, size_t len, const uint8_t *aid, size_t aid_len)
{
	return len >= SIM_AID_MIN && len <= aid_len && !memcmp(data, aid, len);
}

/* SELECT by DF name of the ISD-R: its AID or a right-truncated one with
 * the first occurrence (the ISD-R comes first among the AIDs it starts). */
static bool selects_isdr(const struct apdu *a)
{
	return a->p1 == 0x04 && (a->p2 & 0x63) == 0 && prefix_of(a->data, a->lc, isdr_aid, sizeof(isdr_aid));
}

static bool is_sw_ok(unsigned sw)
{
	return sw == 0x9000 || (sw & 0xFF00) == 0x6100;
}

/* ---- growing buffers ---------------------------------------------------------------------- */

static bool append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
	if (*len + n > CHAIN_MAX)
		return false;
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : 1024;
		uint8_t *b;

		while (c < *len + n)
			c *= 2;
		b = realloc(*buf, c);
		if (!b)
			return false;
		*buf = b;
		*cap = c;
	}
	if (n)
		memcpy(*buf + *len, p, n);
	*len += n;
	return true;
}

/* ---- notifications -------------------------------------------------------------------------- */

static struct nrec *notif_find(struct report *r, unsigned long seq)
{
	for (size_t i = 0; i < r->n_notifs; i++)
		if (r->notifs[i].seq == seq)
			return &r->notifs[i];
	return NULL;
}

static struct nrec *notif_add(struct report *r, unsigned long seq, int event, enum notif_origin origin)
{
	struct nrec *n = notif_find(r, seq);

	if (n)
		return n;
	if (r->n_notifs == r->notifs_cap) {
		size_t cap = r->notifs_cap ? 2 * r->notifs_cap : 16;
		struct nrec *v = realloc(r->notifs, cap * sizeof(*v));

		if (!v)
			return NULL;
		r->notifs = v;
		r->notifs_cap = cap;
	}
	n = &r->notifs[r->n_notifs++];
	memset(n, 0, sizeof(*n));
	n->seq = seq;
	n->event = event;
	n->origin = origin;
	return n;
}

/* A notification seen in the traffic: created in this run if the card's
 * list at the start did not have it. */
static struct nrec *notif_seen(struct report *r, unsigned long seq)
{
	struct nrec *n = notif_find(r, seq);

	return n ? n : notif_add(r, seq, -1, r->have_baseline ? ORIGIN_RUN : ORIGIN_UNKNOWN);
}

/* Read the card's pending notifications: what is new was created by the
 * command at event `at` (or, at the start, was there before the run). */
static void notif_sync(struct report *r, bool baseline, unsigned long at)
{
	const struct notif_list *l;

	if (!r->card || !sim_card_isdr(r->card))
		return;
	l = isdr_notifications(sim_card_isdr(r->card));
	for (size_t i = 0; i < l->n; i++) {
		struct nrec *n = notif_find(r, l->v[i].seq);

		if (n) {
			if (n->event < 0)
				n->event = (int)l->v[i].event;
			continue;
		}
		n = notif_add(r, l->v[i].seq, (int)l->v[i].event, baseline ? ORIGIN_BEFORE : ORIGIN_RUN);
		if (n && !baseline) {
			n->created_at = at;
			n->created_session = r->session;
		}
	}
	if (baseline)
		r->have_baseline = true;
}

static const char *event_name(int event)
{
	static const char *const names[] = { "install", "enable", "disable", "delete" };

	return event >= 0 && event < 4 ? names[event] : "?";
}

/* The seqNumber in a NotificationMetadata (BF2F) found in v, at most two
 * levels down (BF37 { BF27 { BF2F } }, 30 { BF2F }). */
static bool metadata_seq(const struct tlv *v, unsigned depth, unsigned long *seq)
{
	struct tlv_iter it;
	struct tlv t, s;

	if (v->tag == 0xBF2F)
		return child(v, 0x80, &s) == 1 && uint_value(&s, seq);
	if (!v->constructed || depth == 0)
		return false;
	tlv_iter_init(&it, v);
	while (tlv_iter_next(&it, &t) > 0)
		if (metadata_seq(&t, depth - 1, seq))
			return true;
	return false;
}

/* ---- sessions ------------------------------------------------------------------------------- */

static void now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static void channel_clear(struct channel *c)
{
	free(c->sd.buf);
	memset(c, 0, sizeof(*c));
}

static void rsp_reset(struct report *r, enum rsp_state st)
{
	if (st == RSP_NONE || st == RSP_CHALLENGED || st == RSP_UNKNOWN)
		r->n_mgmt = 0;	/* an abandoned session: its candidates are not judged */
	r->rsp = st;
	r->rsp_seq = r->seq;
}

static void bpp_stop(struct report *r)
{
	memset(&r->bpp, 0, sizeof(r->bpp));
}

static void es10_clear(struct report *r)
{
	free(r->es10.req);
	memset(&r->es10, 0, sizeof(r->es10));
}

static void pend_clear(struct report *r)
{
	free(r->pend.data);
	memset(&r->pend, 0, sizeof(r->pend));
}

static void es10_response(struct report *r, const uint8_t *data, size_t len, unsigned sw, bool known);

/* A response no GET RESPONSE fetched: lost. */
static void pend_abandon(struct report *r, const char *why)
{
	if (r->pend.on && r->pend.kind == PEND_ES10 && r->es10.on) {
		fail(r, R_RESPONSE, show_es10(r), "the response of %s (#%lu) was left in the card after %zu bytes: %s",
		     r->es10.name, r->es10.seq, r->pend.len, why);
		es10_response(r, NULL, 0, 0, false);
	}
	pend_clear(r);
}

static void session_end(struct report *r, const char *how)
{
	struct session_rec *s = cur_session(r);

	if (!r->in_session)
		return;
	pend_abandon(r, how);
	for (unsigned i = 1; i < SIM_MAX_CHANNELS; i++) {
		if (r->ch[i].open && r->ch[i].isdr_used)
			fail(r, R_CHANNEL, (struct shown){ r->seq, (int)i, how, NULL, 0, 0 },
			     "channel %u, opened at #%lu and used for the ISD-R, was still open at the %s (#%lu)", i,
			     r->ch[i].opened_at, how, r->seq);
	}
	if (r->stale.on)
		pass(r, R_REFRESH);
	if (r->bpp.on)
		bpp_stop(r);	/* the eUICC ends the load: not judged further */
	es10_clear(r);
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		channel_clear(&r->ch[i]);
	memset(&r->last61, 0, sizeof(r->last61));
	memset(&r->termcap, 0, sizeof(r->termcap));
	memset(&r->challenge, 0, sizeof(r->challenge));
	memset(&r->load_ended, 0, sizeof(r->load_ended));
	memset(&r->stale, 0, sizeof(r->stale));
	r->es10_seen = false;
	r->info1_read = false;
	rsp_reset(r, RSP_NONE);
	if (s) {
		now(&s->end);
		s->ended_by = how;
		s->last = r->seq;
	}
	r->in_session = false;
}

static void session_start(struct report *r)
{
	struct session_rec *s;

	r->session++;
	r->in_session = true;
	r->ch[0].open = true;	/* the basic channel, the MF selected */
	if (r->n_sessions == MAX_SESSIONS) {
		r->sessions_dropped++;
		return;
	}
	if (r->n_sessions == r->sessions_cap) {
		size_t cap = r->sessions_cap ? 2 * r->sessions_cap : 16;
		struct session_rec *v = realloc(r->sessions, cap * sizeof(*v));

		if (!v) {
			r->sessions_dropped++;
			return;
		}
		r->sessions = v;
		r->sessions_cap = cap;
	}
	s = &r->sessions[r->n_sessions++];
	memset(s, 0, sizeof(*s));
	s->n = r->session;
	s->first = r->seq;
	now(&s->start);
}

void report_power(struct report *r, enum sim_trace_event ev)
{
	if (!r)
		return;
	r->cmd_on = false;	/* a command without an answer did not happen */
	r->seq++;
	switch (ev) {
	case SIM_TRACE_POWER_ON:
		session_end(r, "power-on");
		session_start(r);
		break;
	case SIM_TRACE_RESET:
		session_end(r, "reset");
		session_start(r);
		break;
	case SIM_TRACE_POWER_OFF:
		session_end(r, "power-off");
		break;
	case SIM_TRACE_REMOVED:
		session_end(r, "removal");
		break;
	case SIM_TRACE_ATR:
		break;
	}
}

/* ---- the BPP (§2.5.5) -------------------------------------------------------------------------- */

static const char *const expect_text[] = {
	[B_A0] = "the whole A0 (firstSequenceOf87)",
	[B_A1_HDR] = "the A1 header (sequenceOf88) alone",
	[B_88] = "one whole 88",
	[B_A2_OR_A3] = "the whole A2 (secondSequenceOf87) or the A3 header alone",
	[B_A3_HDR] = "the A3 header (sequenceOf86) alone",
	[B_86] = "one whole 86",
	[B_DONE] = "nothing (the BF36 is complete)",
};

/* The load ended: by the eUICC (PIR, status word) or by another command. */
static void bpp_end(struct report *r, const char *how, bool by_card)
{
	if (!r->bpp.on)
		return;
	if (by_card) {
		if (!r->bpp.bad)
			pass(r, R_BPP_SPLIT);
		if (!r->bpp.interrupted)
			pass(r, R_BPP_ALONE);
		pass(r, R_BPP_AFTER);
		r->load_ended.on = true;
		r->load_ended.seq = r->seq;
		r->load_ended.how = how;
	}
	bpp_stop(r);
	rsp_reset(r, RSP_NONE);
}

/* One segment exactly one whole element with this tag (or its header
 * alone, header_only). */
static bool segment_is(const uint8_t *p, size_t len, uint32_t tag, bool header_only, struct tlv *t)
{
	if (header_only)
		return tlv_parse_header(p, len, t) == 0 && t->tag == tag && t->raw_len == len;
	return tlv_parse_exact(p, len, t) == 0 && t->tag == tag;
}

static void bpp_bad(struct report *r, const char *fmt_what, const uint8_t *p, size_t len)
{
	struct tlv t;
	char got[64];

	if (tlv_parse_header(p, len, &t) == 0)
		snprintf(got, sizeof(got), "tag %X, %zu of %zu+%zu bytes", (unsigned)t.tag, len, t.raw_len, t.len);
	else
		snprintf(got, sizeof(got), "%zu bytes that do not start with a TLV header", len);
	fail(r, R_BPP_SPLIT, show_es10(r), "segment %zu of the BPP started at #%lu: expected %s, got %s", r->bpp.segments,
	     r->bpp.first_seq, fmt_what, got);
	r->bpp.bad = true;
}

/* The first segment: the BF36 header and the whole BF23. */
static void bpp_first(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv h, t;
	size_t rest;

	memset(&r->bpp, 0, sizeof(r->bpp));
	r->bpp.on = true;
	r->bpp.first_seq = r->seq;
	r->bpp.segments = 1;
	r->bpp.expect = B_A0;
	if (tlv_parse_header(p, len, &h) < 0)
		return;
	rest = len - h.raw_len;
	if (tlv_parse_exact(p + h.raw_len, rest, &t) == 0 && t.tag == SGP22_TAG_INIT_SECURE_CHANNEL)
		return;
	fail(r, R_BPP_SPLIT, show_es10(r), "segment 1 of the BPP: expected the BF36 header followed by the whole "
	     "BF23, got the BF36 header and %zu bytes%s", rest, rest == h.len ? " (the whole BF36 in one segment)" : "");
	r->bpp.bad = true;
}

static void bpp_next(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv t;

	bool ok = false;

	r->bpp.segments++;
	if (r->bpp.bad)
		return;
	switch (r->bpp.expect) {
	case B_A0:
		if ((ok = segment_is(p, len, SGP22_TAG_BPP_FIRST_SEQ87, false, &t)))
			r->bpp.expect = B_A1_HDR;
		break;
	case B_A1_HDR:
		if ((ok = segment_is(p, len, SGP22_TAG_BPP_SEQ88, true, &t))) {
			r->bpp.part_left = t.len;
			r->bpp.expect = t.len ? B_88 : B_A2_OR_A3;
		}
		break;
	case B_88:
	case B_86:
		ok = segment_is(p, len, r->bpp.expect == B_88 ? BSP_TAG_MAC : BSP_TAG_PPP, false, &t) &&
		     len <= r->bpp.part_left;
		if (ok && !(r->bpp.part_left -= len))
			r->bpp.expect = r->bpp.expect == B_88 ? B_A2_OR_A3 : B_DONE;
		break;
	case B_A2_OR_A3:
		if ((ok = segment_is(p, len, SGP22_TAG_BPP_SECOND_SEQ87, false, &t))) {
			r->bpp.expect = B_A3_HDR;
			break;
		}
		__attribute__((fallthrough));
	case B_A3_HDR:
		if ((ok = segment_is(p, len, SGP22_TAG_BPP_SEQ86, true, &t))) {
			r->bpp.part_left = t.len;
			r->bpp.expect = t.len ? B_86 : B_DONE;
		}
		break;
	case B_DONE:
		break;
	}
	if (!ok)
		bpp_bad(r, expect_text[r->bpp.expect], p, len);
}

/* A BPP segment (the reassembled STORE DATA payload). */
static void bpp_segment(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv h;
	bool first = tlv_parse_header(p, len, &h) == 0 && h.tag == SGP22_TAG_BOUND_PROFILE_PACKAGE;

	if (r->bpp.on) {
		bpp_next(r, p, len);
		return;
	}
	if (!first) {
		if (r->load_ended.on)
			fail(r, R_BPP_AFTER, show_es10(r), "a BPP segment after the load ended at #%lu (%s)",
			     r->load_ended.seq, r->load_ended.how);
		else
			fail(r, R_ORDER, show_es10(r), "a BPP segment with no BoundProfilePackage (BF36) begun");
		return;
	}
	if (r->rsp == RSP_PREPARED)
		pass(r, R_ORDER);
	else if (r->rsp != RSP_UNKNOWN)
		fail(r, R_ORDER, show_es10(r), "the BPP begins without a successful PrepareDownload in this RSP "
		     "session (%s)", r->rsp == RSP_NONE ? "no session" : r->rsp == RSP_CHALLENGED ?
		     "challenged only" : "authenticated, not prepared");
	/* the download went on: profile changes since its authentication
	 * happened while it was in progress */
	for (size_t i = 0; i < r->n_mgmt; i++) {
		const struct mgmt *m = &r->mgmt[i];

		fail(r, R_MGMT, (struct shown){ m->seq, m->channel, m->name, m->bytes, m->bytes_len, 0 },
		     "%s at #%lu, then the download authenticated at #%lu went on with its BPP at #%lu", m->name,
		     m->seq, m->auth_seq, r->seq);
	}
	r->n_mgmt = 0;
	bpp_first(r, p, len);
	rsp_reset(r, RSP_LOADING);
}

/* ---- ES10 requests ---------------------------------------------------------------------------- */

static void check_der(struct report *r, bool *der_ok)
{
	int rc = tlv_check_der(r->es10.req, r->es10.len, DER_DEPTH);

	*der_ok = rc == 0;
	if (rc == 0)
		pass(r, R_DER);
	else
		fail(r, R_DER, show_es10(r), "%s request is not one DER element: %s", r->es10.name, eu_strerror(rc));
}

static void check_asn1(struct report *r)
{
	const char *type = NULL;
	asn1_node node = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0, at = 0;
	struct tlv t;
	int rc;

	if (!isdr_es10_request_type(r->es10.tag, &type))
		return;		/* no function of this card: not judged */
	if (!type) {
		if (tlv_parse_exact(r->es10.req, r->es10.len, &t) == 0 && t.len == 0)
			pass(r, R_ASN1);
		else
			fail(r, R_ASN1, show_es10(r), "the %s request has no fields: its value must be empty",
			     r->es10.name);
		return;
	}
	rc = sim_asn1_decode(type, r->es10.req, r->es10.len, &node);
	if (rc == 0)
		rc = sim_asn1_encode(node, &der, &der_len);
	if (rc < 0) {
		fail(r, R_ASN1, show_es10(r), "not a value of %s: %s", type, eu_strerror(rc));
	} else if (der_len == r->es10.len && !memcmp(der, r->es10.req, der_len)) {
		pass(r, R_ASN1);
	} else {
		while (at < der_len && at < r->es10.len && der[at] == r->es10.req[at])
			at++;
		fail(r, R_ASN1, show_es10(r), "decodes as %s, but encoded again it differs from byte %zu on (%zu "
		     "bytes against %zu): an element the type does not define, a DEFAULT value written out or a "
		     "non-minimal INTEGER", type, at, der_len, r->es10.len);
	}
	free(der);
	asn1_delete_structure(&node);
}

/* The value of an ES10 request (its outer TLV). */
static bool request_value(const struct report *r, struct tlv *t)
{
	return tlv_parse_exact(r->es10.req, r->es10.len, t) == 0;
}

static void authenticate_server(struct report *r)
{
	struct tlv t, s1, txid, chal;
	bool parsed = request_value(r, &t) && child(&t, 0x30, &s1) == 1 && child(&s1, 0x80, &txid) == 1 &&
		      child(&s1, 0x81, &chal) == 1;

	if (r->info1_read)
		pass(r, R_INFO1);
	else
		fail(r, R_INFO1, show_es10(r), "AuthenticateServer without GetEUICCInfo1 in this card session");
	if (parsed && txid.len <= sizeof(r->es10.txid)) {
		memcpy(r->es10.txid, txid.val, txid.len);
		r->es10.txid_len = txid.len;
	}
	if (!r->challenge.known && r->challenge.seq == 0) {
		fail(r, R_CHALLENGE, show_es10(r), "AuthenticateServer without GetEUICCChallenge in this card session");
	} else if (!r->challenge.known) {
		/* the challenge's response was not read: not judged */
	} else if (r->challenge.used) {
		fail(r, R_CHALLENGE, show_es10(r), "the challenge of #%lu was used already by the AuthenticateServer "
		     "at #%lu", r->challenge.seq, r->challenge.used_at);
	} else if (!parsed || chal.len != SGP22_CHALLENGE_LEN) {
		fail(r, R_CHALLENGE, show_es10(r), "serverSigned1 carries no 16-byte euiccChallenge");
	} else if (memcmp(chal.val, r->challenge.v, SGP22_CHALLENGE_LEN)) {
		fail(r, R_CHALLENGE, show_es10(r), "serverSigned1.euiccChallenge is not the challenge of the "
		     "GetEUICCChallenge at #%lu", r->challenge.seq);
	} else {
		pass(r, R_CHALLENGE);
	}
	if (r->challenge.known && !r->challenge.used) {
		r->challenge.used = true;
		r->challenge.used_at = r->seq;
	}
}

static void prepare_download(struct report *r)
{
	if (r->rsp == RSP_AUTHED)
		pass(r, R_ORDER);
	else if (r->rsp != RSP_UNKNOWN)
		fail(r, R_ORDER, show_es10(r), "PrepareDownload without a successful AuthenticateServer in this RSP "
		     "session (%s)", r->rsp == RSP_NONE ? "no session" : r->rsp == RSP_CHALLENGED ? "challenged only" :
		     "already prepared");
	for (size_t i = 0; i < r->n_mgmt; i++) {
		const struct mgmt *m = &r->mgmt[i];

		fail(r, R_MGMT, (struct shown){ m->seq, m->channel, m->name, m->bytes, m->bytes_len, 0 },
		     "%s at #%lu, then the download authenticated at #%lu went on with PrepareDownload at #%lu",
		     m->name, m->seq, m->auth_seq, r->seq);
	}
	r->n_mgmt = 0;
}

static bool known_reason(unsigned long v)
{
	return v <= 5 || v == 127;	/* CancelSessionReason, §5.7.14 */
}

static void cancel_session(struct report *r)
{
	struct tlv t, txid, reason;
	unsigned long why = 0;
	bool parsed = request_value(r, &t) && child(&t, 0x80, &txid) == 1 && child(&t, 0x81, &reason) == 1 &&
		      uint_value(&reason, &why);

	if (r->rsp == RSP_UNKNOWN)
		return;
	if (r->rsp != RSP_AUTHED && r->rsp != RSP_PREPARED)
		fail(r, R_CANCEL, show_es10(r), "CancelSession with no RSP session the eUICC could cancel (%s since "
		     "#%lu)", r->rsp == RSP_NONE ? "no session" : r->rsp == RSP_CHALLENGED ? "challenged only" :
		     "the BPP is loading", r->rsp_seq);
	else if (!parsed)
		fail(r, R_CANCEL, show_es10(r), "CancelSession without transactionId and reason");
	else if (txid.len != r->txid_len || memcmp(txid.val, r->txid, txid.len))
		fail(r, R_CANCEL, show_es10(r), "the transactionId is not the one of the RSP session's "
		     "AuthenticateServer");
	else if (!known_reason(why))
		fail(r, R_CANCEL, show_es10(r), "reason %lu is no CancelSessionReason", why);
	else
		pass(r, R_CANCEL);
}

/* loading: the event number of the BPP this command interrupted, or 0. */
static void profile_change(struct report *r, unsigned long loading)
{
	struct tlv t, flag;
	struct mgmt *m;

	if (r->es10.tag == SGP22_TAG_ENABLE_PROFILE || r->es10.tag == SGP22_TAG_DISABLE_PROFILE)
		r->es10.refresh = request_value(r, &t) && child(&t, 0x81, &flag) == 1 && flag.len == 1 &&
				  flag.val[0] != 0;
	if (loading) {
		fail(r, R_MGMT, show_es10(r), "%s while the BPP begun at #%lu was loading", r->es10.name, loading);
		return;
	}
	if (r->rsp == RSP_UNKNOWN)
		return;
	if (r->rsp == RSP_AUTHED || r->rsp == RSP_PREPARED) {
		/* judged if the download goes on */
		if (r->n_mgmt == MAX_MGMT)
			return;
		m = &r->mgmt[r->n_mgmt++];
		m->seq = r->seq;
		m->session = r->session;
		m->auth_seq = r->auth_seq;
		m->channel = r->es10.channel;
		m->name = r->es10.name;
		m->total_len = r->es10.len;
		m->bytes_len = r->es10.len < EVIDENCE_BYTES ? r->es10.len : EVIDENCE_BYTES;
		memcpy(m->bytes, r->es10.req, m->bytes_len);
		return;
	}
	pass(r, R_MGMT);
}

static void set_nickname(struct report *r)
{
	struct tlv t, nick;
	long chars;

	if (!request_value(r, &t) || child(&t, 0x90, &nick) != 1)
		return;		/* not a SetNicknameRequest: ES10-ASN1-01 says so */
	chars = sim_utf8_chars(nick.val, nick.len);
	if (chars < 0)
		fail(r, R_NICKNAME, show_es10(r), "profileNickname (%zu bytes) is not valid UTF-8", nick.len);
	else if (chars > SGP22_NICKNAME_MAX)
		fail(r, R_NICKNAME, show_es10(r), "profileNickname has %ld characters", chars);
	else
		pass(r, R_NICKNAME);
}

static void remove_notification(struct report *r)
{
	struct tlv t, s;

	if (request_value(r, &t) && child(&t, 0x80, &s) == 1 && uint_value(&s, &r->es10.seq_number))
		r->es10.has_seq_number = true;
}

/* The request side of a complete ES10 command (the card has run it). */
static void es10_request(struct report *r)
{
	struct tlv h = { 0 };
	const char *type;
	bool der_ok = false;
	bool is_tlv = tlv_parse_header(r->es10.req, r->es10.len, &h) == 0;
	unsigned long loading = r->bpp.on ? r->bpp.first_seq : 0;

	r->es10.tag = is_tlv ? h.tag : 0;
	/* What the ISD-R takes for a BPP segment (isdr/isdr.c): these tags,
	 * or anything while a load is on that is no TLV. */
	r->es10.bpp = is_tlv ? h.tag == SGP22_TAG_BOUND_PROFILE_PACKAGE || h.tag == SGP22_TAG_BPP_FIRST_SEQ87 ||
			       h.tag == SGP22_TAG_BPP_SEQ88 || h.tag == SGP22_TAG_BPP_SECOND_SEQ87 ||
			       h.tag == SGP22_TAG_BPP_SEQ86 || h.tag == BSP_TAG_PPP || h.tag == BSP_TAG_ENC ||
			       h.tag == BSP_TAG_MAC : r->bpp.on;
	if (r->es10.bpp)
		r->es10.name = "ES10b.LoadBoundProfilePackage";
	else if (!is_tlv)
		r->es10.name = "ES10 (no DER header)";
	else if (!(r->es10.name = isdr_es10_request_type(h.tag, &type)))
		r->es10.name = "ES10 (no function of this card)";
	if (!r->es10_seen) {
		r->es10_seen = true;
		if (r->termcap.euicc)
			pass(r, R_TERMCAP);
		else if (r->termcap.seen)
			fail(r, R_TERMCAP, show_es10(r), "the TERMINAL CAPABILITY at #%lu has no eUICC-related "
			     "capabilities (tag 83 in A9)", r->termcap.seq);
		else
			fail(r, R_TERMCAP, show_es10(r), "the first ES10 command of the card session came without "
			     "TERMINAL CAPABILITY");
	}
	if (r->es10.bpp) {
		bpp_segment(r, r->es10.req, r->es10.len);
		return;
	}
	if (!is_tlv) {
		fail(r, R_DER, show_es10(r), "the request does not begin with a DER tag and length: %s",
		     eu_strerror(tlv_parse_header(r->es10.req, r->es10.len, &h)));
		return;
	}
	if (r->bpp.on) {
		r->bpp.interrupted = true;
		fail(r, R_BPP_ALONE, show_es10(r), "%s in the middle of the BPP begun at #%lu (segment %zu)",
		     r->es10.name, r->bpp.first_seq, r->bpp.segments);
		bpp_end(r, "interrupted", false);
	}
	check_der(r, &der_ok);
	if (der_ok)
		check_asn1(r);
	switch (h.tag) {
	case SGP22_TAG_GET_EUICC_CHALLENGE:
		/* a new challenge ends the RSP session before it */
		rsp_reset(r, RSP_NONE);
		break;
	case SGP22_TAG_AUTHENTICATE_SERVER:
		authenticate_server(r);
		break;
	case SGP22_TAG_PREPARE_DOWNLOAD:
		prepare_download(r);
		break;
	case SGP22_TAG_CANCEL_SESSION:
		cancel_session(r);
		break;
	case SGP22_TAG_ENABLE_PROFILE:
	case SGP22_TAG_DISABLE_PROFILE:
	case SGP22_TAG_DELETE_PROFILE:
	case SGP22_TAG_EUICC_MEMORY_RESET:
		profile_change(r, loading);
		break;
	case SGP22_TAG_SET_NICKNAME:
		set_nickname(r);
		break;
	case SGP22_TAG_REMOVE_NOTIFICATION:
		remove_notification(r);
		break;
	}
}

/* ---- ES10 responses ----------------------------------------------------------------------------- */

static void challenge_response(struct report *r, const uint8_t *p, size_t len, bool known)
{
	struct tlv t, c;

	r->challenge.known = false;
	r->challenge.used = false;
	r->challenge.seq = r->es10.seq;
	if (known && response_tlv(p, len, SGP22_TAG_GET_EUICC_CHALLENGE, &t) && child(&t, 0x80, &c) == 1 &&
	    c.len == SGP22_CHALLENGE_LEN) {
		memcpy(r->challenge.v, c.val, SGP22_CHALLENGE_LEN);
		r->challenge.known = true;
		rsp_reset(r, RSP_CHALLENGED);
	} else {
		rsp_reset(r, known ? RSP_NONE : RSP_UNKNOWN);
	}
}

/* The retrieved notifications of a RetrieveNotificationsList answer. */
static void retrieved(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv t, list, item;
	struct tlv_iter it;
	unsigned long seq;

	if (!response_tlv(p, len, SGP22_TAG_RETRIEVE_NOTIFICATIONS, &t) || child(&t, 0xA0, &list) != 1)
		return;
	tlv_iter_init(&it, &list);
	while (tlv_iter_next(&it, &item) > 0) {
		struct nrec *n;

		if (!metadata_seq(&item, 2, &seq))
			continue;
		n = notif_seen(r, seq);
		if (n && !n->retrieved_at)
			n->retrieved_at = r->es10.seq;
	}
}

static void listed(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv t, list, item, ev;
	struct tlv_iter it;
	unsigned long seq;

	if (!response_tlv(p, len, SGP22_TAG_LIST_NOTIFICATION, &t) || child(&t, 0xA0, &list) != 1)
		return;
	tlv_iter_init(&it, &list);
	while (tlv_iter_next(&it, &item) > 0) {
		struct nrec *n;

		if (!metadata_seq(&item, 0, &seq) || !(n = notif_seen(r, seq)) || n->event >= 0)
			continue;
		/* NotificationEvent: one named bit set */
		if (child(&item, 0x81, &ev) == 1 && ev.len == 2)
			for (int b = 0; b < 4; b++)
				if (ev.val[1] & (0x80 >> b))
					n->event = b;
	}
}

static void removed(struct report *r, const uint8_t *p, size_t len)
{
	unsigned long status;
	struct nrec *n;

	if (!r->es10.has_seq_number || !result_code(p, len, SGP22_TAG_REMOVE_NOTIFICATION, &status) || status)
		return;		/* nothing removed */
	n = notif_seen(r, r->es10.seq_number);
	if (!n)
		return;
	n->removed = true;
	if (n->retrieved_at)
		pass(r, R_NOTIF_REMOVE);
	else if (n->origin == ORIGIN_RUN)
		fail(r, R_NOTIF_REMOVE, show_es10(r), "notification %lu (%s%s%lu) removed, never retrieved", n->seq,
		     event_name(n->event), n->created_at ? ", created at #" : "", n->created_at);
}

/* A ProfileInstallationResult: the install notification it is. */
static void pir(struct report *r, const uint8_t *p, size_t len)
{
	struct tlv t;
	unsigned long seq;
	struct nrec *n;

	if (!response_tlv(p, len, 0xBF37, &t) || !metadata_seq(&t, 2, &seq))
		return;
	n = notif_find(r, seq);
	if (!n)
		n = notif_add(r, seq, NOTIF_INSTALL, ORIGIN_RUN);
	if (n && !n->created_at) {
		n->origin = ORIGIN_RUN;
		n->event = NOTIF_INSTALL;
		n->created_at = r->es10.seq;
		n->created_session = r->session;
	}
}

/* The response of the ES10 command r->es10; known false when it was lost. */
static void es10_response(struct report *r, const uint8_t *p, size_t len, unsigned sw, bool known)
{
	unsigned long result;
	uint32_t alt;

	if (!r->es10.on)
		return;
	if (known)
		pass(r, R_RESPONSE);
	if (r->es10.bpp) {
		if (!r->bpp.on)
			goto out;
		if (!known)
			rsp_reset(r, RSP_UNKNOWN);
		if (known && len && p[0] == 0xBF && len > 1 && p[1] == 0x37) {
			pir(r, p, len);
			bpp_end(r, "ProfileInstallationResult", true);
		} else if (known && sw != 0x9000) {
			bpp_end(r, "error status word", true);
		}
		goto out;
	}
	switch (r->es10.tag) {
	case SGP22_TAG_GET_EUICC_CHALLENGE:
		challenge_response(r, p, len, known);
		break;
	case SGP22_TAG_GET_EUICC_INFO1:
		if (known && sw == 0x9000 && len > 2 && p[0] == 0xBF && p[1] == 0x20)
			r->info1_read = true;
		break;
	case SGP22_TAG_AUTHENTICATE_SERVER:
	case SGP22_TAG_PREPARE_DOWNLOAD:
		/* ok ([0]): the next step; error ([1]): the eUICC ends the
		 * session; anything else leaves it as it was */
		alt = known ? alternative(p, len, r->es10.tag) : 0;
		if (alt == 0xA0 && r->es10.tag == SGP22_TAG_AUTHENTICATE_SERVER) {
			memcpy(r->txid, r->es10.txid, r->es10.txid_len);
			r->txid_len = r->es10.txid_len;
			r->auth_seq = r->es10.seq;
		}
		if (!known)
			rsp_reset(r, RSP_UNKNOWN);
		else if (alt == 0xA0)
			rsp_reset(r, r->es10.tag == SGP22_TAG_AUTHENTICATE_SERVER ? RSP_AUTHED : RSP_PREPARED);
		else if (alt == 0xA1)
			rsp_reset(r, RSP_NONE);
		break;
	case SGP22_TAG_CANCEL_SESSION:
		if (known && alternative(p, len, SGP22_TAG_CANCEL_SESSION) == 0xA0)
			rsp_reset(r, RSP_NONE);
		else if (!known)
			rsp_reset(r, RSP_UNKNOWN);
		break;
	case SGP22_TAG_ENABLE_PROFILE:
	case SGP22_TAG_DISABLE_PROFILE:
		if (known && result_code(p, len, r->es10.tag, &result) && result == 0 && !r->es10.refresh) {
			r->stale.on = true;
			r->stale.seq = r->es10.seq;
			r->stale.name = r->es10.name;
		}
		break;
	case SGP22_TAG_RETRIEVE_NOTIFICATIONS:
		if (known)
			retrieved(r, p, len);
		break;
	case SGP22_TAG_LIST_NOTIFICATION:
		if (known)
			listed(r, p, len);
		break;
	case SGP22_TAG_REMOVE_NOTIFICATION:
		if (known)
			removed(r, p, len);
		break;
	}
out:
	notif_sync(r, false, r->es10.seq);
	es10_clear(r);
}

/* ---- the APDU layer ---------------------------------------------------------------------------- */

/* Short APDU forms (ISO/IEC 7816-3 §12.1.3). */
static void parse(struct apdu *a)
{
	a->ok = a->len >= 4;
	if (!a->ok)
		return;
	a->cla = a->cmd[0];
	a->ins = a->cmd[1];
	a->p1 = a->cmd[2];
	a->p2 = a->cmd[3];
	if (a->len == 5) {
		a->has_le = true;
		a->ne = a->cmd[4] ? a->cmd[4] : 256;
	} else if (a->len > 5) {
		a->lc = a->cmd[4];
		a->data = a->cmd + 5;
		a->ok = a->lc && (a->len == 5 + a->lc || a->len == 6 + a->lc);
		a->has_le = a->len == 6 + a->lc;
		a->ne = a->has_le ? (a->cmd[a->len - 1] ? a->cmd[a->len - 1] : 256) : 0;
	}
}

static bool valid_channel(int ch)
{
	return ch >= 0 && ch < SIM_MAX_CHANNELS;
}

static void get_response(struct report *r, const struct apdu *a)
{
	unsigned avail = r->last61.avail;

	if (!r->last61.on)
		fail(r, R_GETRESP, show_apdu(a), "GET RESPONSE, but #%lu did not answer 61xx", a->seq - 1);
	else if (a->channel != r->last61.channel)
		fail(r, R_GETRESP, show_apdu(a), "GET RESPONSE on channel %d for the 61xx of channel %d (#%lu)",
		     a->channel, r->last61.channel, r->last61.seq);
	else if (a->p1 || a->p2 || a->lc)
		fail(r, R_GETRESP, show_apdu(a), "GET RESPONSE with P1 P2 %02X %02X%s", a->p1, a->p2,
		     a->lc ? " and data" : "");
	else if ((a->has_le ? a->ne : 256) > avail)
		fail(r, R_GETRESP, show_apdu(a), "GET RESPONSE asks for %u bytes; #%lu announced %u",
		     a->has_le ? a->ne : 256, r->last61.seq, avail);
	else
		pass(r, R_GETRESP);
	if (!r->pend.on)
		return;
	if (a->channel != r->pend.channel || !is_sw_ok(a->sw)) {
		pend_abandon(r, "GET RESPONSE did not fetch it");
		return;
	}
	if (r->pend.kind != PEND_OTHER &&
	    !append(&r->pend.data, &r->pend.len, &r->pend.cap, a->rsp, a->rsp_len - 2))
		r->pend.kind = PEND_OTHER;
}

/* The response of the command in r->pend is complete. */
static void pend_done(struct report *r, unsigned sw)
{
	if (r->pend.kind == PEND_ES10)
		es10_response(r, r->pend.data, r->pend.len, sw, true);
	else if (r->pend.kind == PEND_CHANNEL && sw == 0x9000 && r->pend.len == 1 &&
		 valid_channel(r->pend.data[0])) {
		struct channel *c = &r->ch[r->pend.data[0]];

		channel_clear(c);
		c->open = c->lpa_opened = true;
		c->opened_at = r->pend.seq;
	}
	pend_clear(r);
}

static void terminal_capability(struct report *r, const struct apdu *a)
{
	struct tlv_iter it = { a->data, a->lc };
	struct tlv t, e;

	if (a->sw != 0x9000)
		return;
	r->termcap.seen = true;
	r->termcap.seq = a->seq;
	while (tlv_iter_next(&it, &t) > 0)
		if (t.tag == 0xA9 && child(&t, 0x83, &e) == 1)
			r->termcap.euicc = true;
}

static void manage_channel(struct report *r, const struct apdu *a)
{
	unsigned n;

	if (!is_sw_ok(a->sw))
		return;
	if (a->p1 == 0x80) {
		n = a->p2 ? a->p2 : (unsigned)a->channel;
		if (n == 0 || n >= SIM_MAX_CHANNELS)
			return;
		if (r->ch[n].isdr_used)
			pass(r, R_CHANNEL);
		if (r->ch[n].sd.active)
			r->ch[n].sd.active = false;
		channel_clear(&r->ch[n]);
		return;
	}
	if (a->p1 != 0x00)
		return;
	if (a->p2) {
		n = a->p2;
	} else if (a->rsp_len == 3) {
		n = a->rsp[0];
	} else {
		return;		/* the number comes with GET RESPONSE */
	}
	if (n == 0 || n >= SIM_MAX_CHANNELS)
		return;
	channel_clear(&r->ch[n]);
	r->ch[n].open = r->ch[n].lpa_opened = true;
	r->ch[n].opened_at = a->seq;
	/* from another channel the new one inherits its application */
	if (a->channel > 0 && valid_channel(a->channel) && r->ch[a->channel].isdr)
		r->ch[n].isdr = r->ch[n].isdr_used = true;
}

static void select_cmd(struct report *r, const struct apdu *a)
{
	struct channel *c = &r->ch[a->channel];

	if (!is_sw_ok(a->sw) && (a->sw & 0xFF00) != 0x6200)
		return;		/* nothing changed */
	c->isdr = selects_isdr(a);
	if (!c->isdr)
		return;
	c->isdr_used = true;
	if (a->channel == 0)
		fail(r, R_CHANNEL, show_apdu(a), "the ISD-R is selected on the basic channel");
}

/* Commands that leave the telecom side alone (ES10-REFRESH-01). */
static bool telecom_use(const struct apdu *a)
{
	switch (a->ins) {
	case 0x10: case 0x70: case 0xAA: case 0xC0: case 0xE2: case 0xF2:
		return false;
	case 0xA4:
		return !(a->p1 == 0x04 && (prefix_of(a->data, a->lc, isdr_aid, sizeof(isdr_aid)) ||
					  prefix_of(a->data, a->lc, ecasd_aid, sizeof(ecasd_aid))));
	}
	return true;
}

static bool storedata_class(uint8_t cla)
{
	return (cla & 0xFC) == 0x80 || (cla & 0xF0) == 0xC0;	/* GP class, no SM */
}

static void store_data(struct report *r, const struct apdu *a)
{
	struct channel *c = &r->ch[a->channel];
	struct chain *sd = &c->sd;
	const char *bad = NULL;
	char why[96];

	if (!sd->active) {
		if (sd->dead && a->p2 && a->p2 == (sd->next & 0xFF)) {
			/* more of a chain the card refused: judged once */
			sd->next++;
			sd->dead = a->p1 == 0x11;
			return;
		}
		if (c->isdr)
			pass(r, R_TARGET);
		else
			fail(r, R_TARGET, show_apdu(a), "STORE DATA on channel %d, where the ISD-R is not selected",
			     a->channel);
		sd->dead = sd->too_long = false;
		sd->next = 0;
		sd->len = 0;
		sd->first_seq = a->seq;
	}
	if (!storedata_class(a->cla)) {
		bad = "class not 8x/Cx";
	} else if (a->p1 != 0x11 && a->p1 != 0x91) {
		bad = "P1 neither 11 nor 91";
	} else if (a->p2 != (sd->next & 0xFF)) {
		snprintf(why, sizeof(why), "P2 %02X where block %02X was due", a->p2, sd->next & 0xFF);
		bad = why;
	} else if (!a->lc) {
		bad = "an empty block";
	}
	if (bad) {
		fail(r, R_STOREDATA, show_apdu(a), "%s (chain begun at #%lu)", bad, sd->first_seq);
		sd->active = sd->dead = false;
		return;
	}
	if (!append(&sd->buf, &sd->len, &sd->cap, a->data, a->lc))
		sd->too_long = true;
	sd->next++;
	if (a->p1 == 0x11) {
		sd->active = a->sw == 0x9000;
		sd->dead = !sd->active;
		return;
	}
	sd->active = false;
	pass(r, R_STOREDATA);
	if (!c->isdr || sd->too_long)
		return;
	/* the ES10 command is complete and the card has run it */
	es10_clear(r);
	r->es10.on = true;
	r->es10.seq = a->seq;
	r->es10.channel = a->channel;
	r->es10.req = sd->buf;
	r->es10.len = sd->len;
	sd->buf = NULL;
	sd->len = sd->cap = 0;
	es10_request(r);
}

static void apdu(struct report *r, struct apdu *a)
{
	bool chained;

	if (!a->ok || !valid_channel(a->channel))
		return;
	if (a->ins == 0xC0) {
		get_response(r, a);
		if (r->pend.on && (a->sw & 0xFF00) != 0x6100)
			pend_done(r, a->sw);
		goto out;
	}
	pend_abandon(r, "another command came");
	if (r->stale.on && telecom_use(a)) {
		fail(r, R_REFRESH, show_apdu(a), "%s at #%lu with refreshFlag FALSE, then this command before a reset "
		     "of the UICC", r->stale.name, r->stale.seq);
		r->stale.on = false;
	}
	chained = r->ch[a->channel].sd.active;
	if (chained && a->ins != 0xE2) {
		fail(r, R_STOREDATA, show_apdu(a), "%s inside the STORE DATA chain begun at #%lu on channel %d", a->name,
		     r->ch[a->channel].sd.first_seq, a->channel);
		r->ch[a->channel].sd.active = false;
	}
	switch (a->ins) {
	case 0xAA: terminal_capability(r, a); break;
	case 0x70: manage_channel(r, a); break;
	case 0xA4: select_cmd(r, a); break;
	case 0xE2: store_data(r, a); break;
	}
	/* data that waits for GET RESPONSE */
	if ((a->sw & 0xFF00) == 0x6100) {
		bool es10 = a->ins == 0xE2 && r->es10.on && r->es10.seq == a->seq;

		r->pend.on = true;
		r->pend.kind = es10 ? PEND_ES10 : a->ins == 0x70 && a->p1 == 0 && !a->p2 ? PEND_CHANNEL : PEND_OTHER;
		r->pend.channel = a->channel;
		r->pend.seq = a->seq;
		append(&r->pend.data, &r->pend.len, &r->pend.cap, a->rsp, a->rsp_len - 2);
	} else if (a->ins == 0xE2 && r->es10.on && r->es10.seq == a->seq) {
		es10_response(r, a->rsp, a->rsp_len - 2, a->sw, true);
	}
out:
	r->last61.on = (a->sw & 0xFF00) == 0x6100;
	r->last61.channel = a->channel;
	r->last61.avail = (a->sw & 0xFF) ? (a->sw & 0xFF) : 256;
	r->last61.seq = a->seq;
}

void report_command(struct report *r, const uint8_t *cmd, size_t len, const struct sim_command_names *nm)
{
	if (!r)
		return;
	if (len > sizeof(r->cmd))
		len = sizeof(r->cmd);
	memcpy(r->cmd, cmd, len);
	r->cmd_len = len;
	r->nm = *nm;
	/* the name may live in the card's static buffer: keep a copy */
	snprintf(r->nm_buf, sizeof(r->nm_buf), "%s", nm->function ? nm->function : nm->command ? nm->command : "?");
	r->cmd_on = true;
}

void report_response(struct report *r, const uint8_t *rsp, size_t len)
{
	struct apdu a = { 0 };

	if (!r || !r->cmd_on || len < 2)
		return;
	r->cmd_on = false;
	r->seq++;
	r->apdus++;
	if (!r->in_session)
		session_start(r);
	if (cur_session(r)) {
		cur_session(r)->apdus++;
		cur_session(r)->last = r->seq;
	}
	a.seq = r->seq;
	a.cmd = r->cmd;
	a.len = r->cmd_len;
	a.rsp = rsp;
	a.rsp_len = len;
	a.sw = (unsigned)rsp[len - 2] << 8 | rsp[len - 1];
	a.channel = r->nm.channel;
	a.name = r->nm_buf;
	parse(&a);
	apdu(r, &a);
}

/* ---- set-up -------------------------------------------------------------------------------------- */

int report_new(const struct sim_card *card, struct report **out)
{
	struct report *r;

	TRY(sim_asn1_add_module("RSPDefinitions", rsp_asn1_tab));
	r = calloc(1, sizeof(*r));
	if (!r)
		return -EU_E_NOMEM;
	r->card = card;
	now(&r->started);
	notif_sync(r, true, 0);
	*out = r;
	return 0;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < SIM_MAX_CHANNELS; i++)
		channel_clear(&r->ch[i]);
	pend_clear(r);
	es10_clear(r);
	free(r->sessions);
	free(r->notifs);
	free(r);
}

/* ---- verdicts ------------------------------------------------------------------------------------ */

/* The rules as judged now: the run's rules and, on a copy, the
 * notifications still on the card (ES10-NOTIF-02). */
static struct rule_state *judge(struct report *r)
{
	struct rule_state *v = malloc(sizeof(r->rule));

	if (!v)
		return NULL;
	memcpy(v, r->rule, sizeof(r->rule));
	notif_sync(r, false, r->seq);
	for (size_t i = 0; i < r->n_notifs; i++) {
		const struct nrec *n = &r->notifs[i];
		struct rule_state *rs = &v[R_NOTIF_SENT];
		struct finding *f;

		if (n->origin != ORIGIN_RUN || (n->removed && !n->retrieved_at))
			continue;	/* not ours, or ES10-NOTIF-01's */
		rs->checked++;
		if (n->retrieved_at)
			continue;
		rs->failed++;
		if (rs->n == MAX_FINDINGS)
			continue;
		f = &rs->f[rs->n++];
		memset(f, 0, sizeof(*f));
		f->seq = n->created_at;
		f->session = n->created_session;
		f->channel = -1;
		snprintf(f->note, sizeof(f->note), "notification %lu (%s), created %s%lu, was never retrieved", n->seq,
			 event_name(n->event), n->created_at ? "at #" : "in this run", n->created_at);
	}
	return v;
}

static enum report_verdict verdict_of(const struct rule_state *rs)
{
	return rs->failed ? REPORT_FAIL : rs->checked ? REPORT_PASS : REPORT_NA;
}

enum report_verdict report_verdict(struct report *r, const char *id, bool final, unsigned long *checked)
{
	struct rule_state *v;
	enum report_verdict out = REPORT_NA;

	(void)final;
	if (checked)
		*checked = 0;
	v = judge(r);
	if (!v)
		return REPORT_NA;
	for (size_t i = 0; i < R_COUNT; i++) {
		if (strcmp(rules[i].id, id))
			continue;
		out = verdict_of(&v[i]);
		if (checked)
			*checked = v[i].checked;
	}
	free(v);
	return out;
}

/* ---- JSON ------------------------------------------------------------------------------------------ */

static void json_time(struct json_out *j, const struct timespec *ts)
{
	char b[40];

	snprintf(b, sizeof(b), "%lld.%06ld", (long long)ts->tv_sec, ts->tv_nsec / 1000);
	json_raw(j, b);
}

static void finding_json(struct json_out *j, const struct finding *f)
{
	json_begin(j, '{');
	if (f->seq) {
		json_key(j, "apdu");
		json_num(j, (long long)f->seq);
	}
	json_key(j, "session");
	json_num(j, f->session);
	if (f->channel >= 0) {
		json_key(j, "channel");
		json_num(j, f->channel);
	}
	if (f->command[0]) {
		json_key(j, "command");
		json_str(j, f->command);
	}
	if (f->total_len) {
		json_key(j, "bytes");
		json_hex(j, f->bytes, f->bytes_len);
		json_key(j, "length");
		json_num(j, (long long)f->total_len);
	}
	if (f->sw) {
		char sw[16];

		snprintf(sw, sizeof(sw), "%04X", f->sw & 0xFFFF);
		json_key(j, "sw");
		json_str(j, sw);
	}
	json_key(j, "finding");
	json_str(j, f->note);
	json_end(j, '}');
}

static void sessions_json(struct report *r, struct json_out *j)
{
	json_begin(j, '[');
	for (size_t i = 0; i < r->n_sessions; i++) {
		const struct session_rec *s = &r->sessions[i];

		json_begin(j, '{');
		json_key(j, "session");
		json_num(j, s->n);
		json_key(j, "first");
		json_num(j, (long long)s->first);
		json_key(j, "last");
		json_num(j, (long long)s->last);
		json_key(j, "apdus");
		json_num(j, (long long)s->apdus);
		json_key(j, "start");
		json_time(j, &s->start);
		if (s->ended_by) {
			json_key(j, "end");
			json_time(j, &s->end);
		}
		json_key(j, "ended_by");
		json_str(j, s->ended_by ? s->ended_by : "open");
		for (int want = REPORT_FAIL; want >= REPORT_PASS; want--) {
			json_key(j, want == REPORT_FAIL ? "fail" : "pass");
			json_begin(j, '[');
			for (size_t k = 0; k < R_COUNT; k++)
				if ((want == REPORT_FAIL) ? s->fail[k] != 0 : (s->pass[k] && !s->fail[k]))
					json_str(j, rules[k].id);
			json_end(j, ']');
		}
		json_end(j, '}');
	}
	json_end(j, ']');
}

void report_json(struct report *r, struct json_out *j, bool final)
{
	struct rule_state *v = judge(r);
	unsigned long count[3] = { 0 };
	struct timespec ts;

	if (!v) {
		j->failed = true;
		return;
	}
	now(&ts);
	json_begin(j, '{');
	json_key(j, "report");
	json_str(j, "euicc-sim LPA conformance report: SGP.22 v2.3 (LPA side), ETSI TS 102 221 (terminal side)");
	json_key(j, "final");
	json_bool(j, final);
	json_key(j, "started");
	json_time(j, &r->started);
	json_key(j, "at");
	json_time(j, &ts);
	json_key(j, "rules");
	json_begin(j, '[');
	for (size_t i = 0; i < R_COUNT; i++) {
		enum report_verdict vd = verdict_of(&v[i]);

		count[vd]++;
		json_begin(j, '{');
		json_key(j, "id");
		json_str(j, rules[i].id);
		json_key(j, "statement");
		json_str(j, rules[i].statement);
		json_key(j, "clause");
		json_str(j, rules[i].clause);
		json_key(j, "basis");
		json_str(j, rules[i].basis);
		json_key(j, "verdict");
		json_str(j, report_verdict_name(vd));
		json_key(j, "checked");
		json_num(j, (long long)v[i].checked);
		json_key(j, "failed");
		json_num(j, (long long)v[i].failed);
		json_key(j, "evidence");
		json_begin(j, '[');
		for (size_t k = 0; k < v[i].n; k++)
			finding_json(j, &v[i].f[k]);
		json_end(j, ']');
		if (v[i].failed > v[i].n) {
			json_key(j, "evidence_omitted");
			json_num(j, (long long)(v[i].failed - v[i].n));
		}
		json_end(j, '}');
	}
	json_end(j, ']');
	json_key(j, "summary");
	json_begin(j, '{');
	json_key(j, "verdict");
	json_str(j, count[REPORT_FAIL] ? "fail" : count[REPORT_PASS] ? "pass" : "n/a");
	json_key(j, "rules");
	json_num(j, R_COUNT);
	json_key(j, "pass");
	json_num(j, (long long)count[REPORT_PASS]);
	json_key(j, "fail");
	json_num(j, (long long)count[REPORT_FAIL]);
	json_key(j, "n/a");
	json_num(j, (long long)count[REPORT_NA]);
	json_key(j, "sessions");
	json_num(j, r->session);
	json_key(j, "apdus");
	json_num(j, (long long)r->apdus);
	json_key(j, "events");
	json_num(j, (long long)r->seq);
	json_end(j, '}');
	json_key(j, "sessions");
	sessions_json(r, j);
	if (r->sessions_dropped) {
		json_key(j, "sessions_not_listed");
		json_num(j, (long long)r->sessions_dropped);
	}
	json_end(j, '}');
	free(v);
}

/* ---- JUnit XML -------------------------------------------------------------------------------------- */

/* Text for XML 1.0 content and attributes: markup characters escaped;
 * control characters XML cannot carry replaced. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': fputs("&#10;", f); break;
		default:
			if (c < 0x20 && c != '\t')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static void xml_hex(FILE *f, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02X", b[i]);
}

static void junit_finding(FILE *f, const struct finding *x)
{
	char head[96];

	snprintf(head, sizeof(head), "#%lu (session %u%s", x->seq, x->session, x->channel >= 0 ? ", channel " : "");
	xml_text(f, head);
	if (x->channel >= 0)
		fprintf(f, "%d", x->channel);
	fputs(") ", f);
	xml_text(f, x->command);
	fputs(": ", f);
	xml_text(f, x->note);
	if (x->total_len) {
		fputs("&#10;  ", f);
		xml_hex(f, x->bytes, x->bytes_len);
		if (x->total_len > x->bytes_len)
			fprintf(f, "... (%zu bytes)", x->total_len);
		if (x->sw)
			fprintf(f, " -&gt; %04X", x->sw);
	}
	fputs("&#10;", f);
}

static int junit_write(struct report *r, const struct rule_state *v, FILE *f)
{
	unsigned long failures = 0, skipped = 0;
	char stamp[32];
	struct tm tm;

	for (size_t i = 0; i < R_COUNT; i++) {
		failures += verdict_of(&v[i]) == REPORT_FAIL;
		skipped += verdict_of(&v[i]) == REPORT_NA;
	}
	gmtime_r(&r->started.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites name=\"euicc-sim LPA conformance\" tests=\"%zu\" failures=\"%lu\" errors=\"0\" "
		"skipped=\"%lu\">\n", (size_t)R_COUNT, failures, skipped);
	fprintf(f, "  <testsuite name=\"lpa-conformance\" tests=\"%zu\" failures=\"%lu\" errors=\"0\" skipped=\"%lu\" "
		"timestamp=\"%s\" hostname=\"euicc-sim\">\n", (size_t)R_COUNT, failures, skipped, stamp);
	fprintf(f, "    <properties>\n      <property name=\"sessions\" value=\"%u\"/>\n"
		"      <property name=\"apdus\" value=\"%lu\"/>\n    </properties>\n", r->session, r->apdus);
	for (size_t i = 0; i < R_COUNT; i++) {
		enum report_verdict vd = verdict_of(&v[i]);

		/* classname "lpa.UICC" or "lpa.ES10", name the rule's id */
		fprintf(f, "    <testcase classname=\"lpa.%.*s\" name=\"%s\">\n",
			(int)strcspn(rules[i].id, "-"), rules[i].id, rules[i].id);
		if (vd == REPORT_NA) {
			fputs("      <skipped message=\"not applicable: nothing in this run to judge\"/>\n", f);
		} else if (vd == REPORT_FAIL) {
			fprintf(f, "      <failure type=\"%s\" message=\"", rules[i].id);
			fprintf(f, "%lu of %lu judged instances failed (", v[i].failed, v[i].checked);
			xml_text(f, rules[i].clause);
			fputs(")\">", f);
			for (size_t k = 0; k < v[i].n; k++)
				junit_finding(f, &v[i].f[k]);
			if (v[i].failed > v[i].n)
				fprintf(f, "(%lu more)&#10;", v[i].failed - v[i].n);
			fputs("</failure>\n", f);
		}
		fputs("      <system-out>", f);
		xml_text(f, rules[i].statement);
		fputs("&#10;", f);
		xml_text(f, rules[i].clause);
		fputs(": ", f);
		xml_text(f, rules[i].basis);
		fputs("</system-out>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- files --------------------------------------------------------------------------------------------- */

/* Write via a temporary file renamed over path, so a reader never sees
 * half a report. */
static int write_file(const char *path, int (*fill)(struct report *r, FILE *f, void *arg), struct report *r,
		      void *arg, char *err, size_t err_len)
{
	char tmp[4200];
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, err_len, "report %s: %s", tmp, strerror(errno));
		return -1;
	}
	rc = fill(r, f, arg);
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) < 0) {
		snprintf(err, err_len, "report %s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int fill_json(struct report *r, FILE *f, void *arg)
{
	struct json_out j = { 0 };
	char *text;
	int rc;

	(void)arg;
	report_json(r, &j, true);
	text = json_out_done(&j);
	if (!text)
		return -1;
	rc = fprintf(f, "%s\n", text) < 0 ? -1 : 0;
	free(text);
	return rc;
}

static int fill_junit(struct report *r, FILE *f, void *arg)
{
	return junit_write(r, arg, f);
}

int report_write(struct report *r, const char *json_path, const char *junit_path, char *err, size_t err_len)
{
	struct rule_state *v;
	int rc = 0;

	if (json_path && *json_path && write_file(json_path, fill_json, r, NULL, err, err_len) < 0)
		return -1;
	if (!junit_path || !*junit_path)
		return 0;
	v = judge(r);
	if (!v) {
		snprintf(err, err_len, "report: %s", eu_strerror(-EU_E_NOMEM));
		return -1;
	}
	rc = write_file(junit_path, fill_junit, r, v, err, err_len);
	free(v);
	return rc;
}
