/* APDU trace for tools: a pcap file and live GSMTAP for Wireshark, and
 * JSON lines for scripts. The -v log stays the human view.
 *
 * Host side and independent of the card: it is handed the bytes of each
 * command and its response, an optional printable name, and power events.
 * Every event is written at once (nothing is kept beyond the event being
 * written, so a killed card leaves a readable file), and no failure of a
 * writer reaches the card: the first one is logged, the rest counted.
 *
 * pcap: classic libpcap (microseconds), LINKTYPE_RAW, one IPv4/UDP
 * datagram to port 4729 per event, carrying GSMTAP v2:
 * - an APDU is GSMTAP type SIM (4), sub-type APDU (0), laid out as
 *   simtrace2 sends it: the command as a T=0 TPDU (CLA INS P1 P2 P3 and
 *   data: a 4-byte case 1 command gets P3 = 00, a case 4 command loses its
 *   Le), then the response data and SW1 SW2. Wireshark's gsm_sim dissector
 *   decodes both halves. The logical channel is in the timeslot field, the
 *   event number (JSON "seq") in the frame number, for GSMTAP readers
 *   (Wireshark 4.0 does not show the GSMTAP header of SIM messages; its
 *   frame number is the event number, one record per event);
 * - a power event is GSMTAP type OSMOCORE_LOG (0x10), a libosmocore log
 *   line ("power on", "ATR 3B9E..."): Wireshark 4.0 hands every SIM
 *   sub-type, ATR included, to gsm_sim, which would show an ATR as a
 *   bogus APDU.
 * The live GSMTAP feed sends the same GSMTAP messages over UDP.
 *
 * JSON: one object per line, for each command APDU, response APDU and
 * power event, in order:
 *   {"seq":7,"t":1718000000.123456,"dir":"cmd","ch":1,"name":"STORE DATA","hex":"81E29100..."}
 *   {"seq":7,"t":1718000000.123456,"dir":"rsp","ch":1,"name":"STORE DATA","hex":"6114",
 *    "sw":"6114","result":"20 bytes available"}
 *   {"seq":8,"t":1718000000.200000,"event":"atr","hex":"3B9E..."}
 * "event" is one of power-off, power-on, reset, atr, removed. */
#ifndef SIM_HOST_TRACE_H
#define SIM_HOST_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIM_GSMTAP_PORT 4729

enum sim_trace_event {
	SIM_TRACE_POWER_OFF,
	SIM_TRACE_POWER_ON,
	SIM_TRACE_RESET,
	SIM_TRACE_ATR,		/* the terminal read the ATR (bytes given) */
	SIM_TRACE_REMOVED,	/* the reader went away: as a card pulled out */
};

struct sim_trace;

/* Where to write; NULL or "" leaves that writer out. gsmtap_port 0 means
 * SIM_GSMTAP_PORT. */
struct sim_trace_opts {
	const char *pcap;
	const char *json;
	const char *gsmtap_host;
	uint16_t gsmtap_port;
};

/* Open the writers (files are created or truncated, the pcap header is
 * written). On failure nothing is left open and err says why. With no
 * writer at all *out is NULL, which every function below accepts. */
int sim_trace_open(const struct sim_trace_opts *opts, struct sim_trace **out, char *err, size_t err_len);

/* Report what could not be written, close, free. NULL is fine. */
void sim_trace_close(struct sim_trace *t);


/* One command and its response. name: what the command is (the card may
 * know better, e.g. "ES10b.AuthenticateServer"); NULL names it by INS. */
void sim_trace_apdu(struct sim_trace *t, const uint8_t *cmd, size_t cmd_len,
		    const uint8_t *rsp, size_t rsp_len, const char *name);

/* A power event; atr/atr_len only with SIM_TRACE_ATR. */
void sim_trace_power(struct sim_trace *t, enum sim_trace_event ev, const uint8_t *atr, size_t atr_len);

/* Events lost so far (each writer counts the events it could not write). */
unsigned long sim_trace_errors(const struct sim_trace *t);

/* ---- the pieces, for tests ---------------------------------------------- */

/* Logical channel of a CLA byte (ISO/IEC 7816-4 §5.4.1): first
 * interindustry and the proprietary classes coded like it (b7 = 0): b2-b1;
 * further interindustry and its proprietary twin (b7 = 1): 4 + b4-b1. */
unsigned sim_trace_channel(uint8_t cla);

/* Printable name of an instruction byte; NULL if unknown. */
const char *sim_trace_ins_name(uint8_t ins);

/* Replace the clock (CLOCK_REALTIME), e.g. with a fixed one. */
void sim_trace_set_clock(struct sim_trace *t, void (*now)(struct timespec *ts));

/* The GSMTAP v2 message of an APDU pair or of a log line (header and
 * payload) into buf, at most cap bytes; returns the whole length (as
 * snprintf). seq goes into the frame number. */
size_t sim_gsmtap_apdu(uint8_t *buf, size_t cap, uint32_t seq, const uint8_t *cmd, size_t cmd_len,
		       const uint8_t *rsp, size_t rsp_len);
size_t sim_gsmtap_log(uint8_t *buf, size_t cap, uint32_t seq, const struct timespec *ts, const char *msg);

/* s as the contents of a JSON string (no quotes) into out, always
 * terminated when cap > 0: '"', '\\', control characters and bytes that
 * are not UTF-8 are escaped. Returns the length it needed (as snprintf). */
size_t sim_trace_json_escape(const char *s, char *out, size_t cap);

#endif
