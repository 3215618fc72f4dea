/* The LPA conformance report: a rule engine over the event stream of a
 * running card. It is handed what the trace is handed (each command APDU
 * with the names sim_card_names() gave it before it ran, each response,
 * each power event) and judges what the terminal did against SGP.22 v2.3
 * (the LPA's side of ES10 and of the procedures of §3) and ETSI TS 102 221
 * (the terminal's side of the APDU layer).
 *
 * It decodes what it needs from the bytes itself: STORE DATA reassembly
 * per channel, the outer tag of each ES10 request and response and the few
 * fields the rules read. The only card state it reads is the list of
 * pending notifications (through the ISD-R's public API), to know which
 * notifications a command created; without a card it judges from the
 * stream alone.
 *
 * Sessions: a card session runs from power-on (or reset, or the first
 * command when no power event came) to the next power-off, reset or
 * removal; the run is everything from report_new() to the last event.
 * Each rule is judged per instance (each AuthenticateServer, each BPP,
 * each removed notification, ...): the rule fails when one instance
 * fails, passes when every judged instance passed, and is not applicable
 * when nothing was judged. Events are numbered as the APDU trace numbers
 * them (--trace-json "seq", the Wireshark frame number of --pcap): one
 * number per command/response pair and per power event. */
#ifndef SIM_HOST_REPORT_H
#define SIM_HOST_REPORT_H

#include "sim/card.h"
#include "sim/host/json.h"
#include "sim/host/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum report_verdict {
	REPORT_NA,
	REPORT_PASS,
	REPORT_FAIL,
};

struct report;

/* A report of the run that starts now. card (may be NULL) is read for its
 * pending notifications only. */
int report_new(const struct sim_card *card, struct report **out);
void report_free(struct report *r);

/* A command APDU and the names the card gave it before it ran; then its
 * response (data and SW1 SW2). A command that gets no response (the card
 * left the reader) is dropped at the next power event. */
void report_command(struct report *r, const uint8_t *cmd, size_t len, const struct sim_command_names *nm);
void report_response(struct report *r, const uint8_t *rsp, size_t len);
/* A power event, numbered as in the trace (SIM_TRACE_ATR counts too). */
void report_power(struct report *r, enum sim_trace_event ev);

/* The report as a JSON object: {"rules": [...], "summary": {...},
 * "sessions": [...]}. final: the run is over (judge what is still open:
 * the notifications left on the card); otherwise what is judged so far. */
void report_json(struct report *r, struct json_out *j, bool final);

/* Write the JSON report and/or the JUnit XML (NULL or "": not that one),
 * judging the run as over. 0, or -1 with a message in err. */
int report_write(struct report *r, const char *json_path, const char *junit_path, char *err, size_t err_len);

/* The verdict of one rule over the run so far (final: as at the end), and
 * how many instances were judged; for tests. REPORT_NA for an unknown id. */
enum report_verdict report_verdict(struct report *r, const char *id, bool final, unsigned long *checked);
const char *report_verdict_name(enum report_verdict v);

/* The rules, in report order. */
size_t report_rule_count(void);
const char *report_rule_id(size_t i);

#endif
