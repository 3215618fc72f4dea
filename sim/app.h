/* Applications on the card OS.
 *
 * An application registers a small table of functions with the OS, in the
 * manner of OpenSC's card drivers: select, the commands it processes,
 * deselect, reset. The OS owns the class byte, the logical channels,
 * MANAGE CHANNEL, SELECT by AID (it finds the application in its table),
 * STATUS, TERMINAL CAPABILITY and GET RESPONSE; an application sees only
 * complete commands whose class and case (ISO/IEC 7816-3 §12.1) have been
 * checked against its command table. Applications keep their own
 * per-channel state, indexed by channel number. */
#ifndef SIM_APP_H
#define SIM_APP_H

#include "sim/card.h"
#include "sim/rbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Channels 0..19: the CLA coding covers 0-3 (first interindustry) and
 * 4-19 (further interindustry), ISO/IEC 7816-4 §5.4.1. */
#define SIM_MAX_CHANNELS 20

/* AIDs, ISO/IEC 7816-4 §8.2.1.2: 5 to 16 bytes. */
#define SIM_AID_MIN 5
#define SIM_AID_MAX 16

/* SELECT P2 (TS 102 221 Table 11.2): b4-b3 response, b2-b1 occurrence. */
#define SIM_SELECT_NO_DATA(p2)	(((p2) & 0x0C) == 0x0C)

/* A command APDU after parsing (short length fields only). */
struct sim_apdu {
	uint8_t cla, ins, p1, p2;
	unsigned channel;
	uint32_t seq;		/* commands on this channel so far, GET RESPONSE
				 * not counted: a chain of blocks (STORE DATA)
				 * sees from it that something came in between */
	const uint8_t *data;
	size_t lc;
	size_t ne;		/* 0 when Le is absent, else 1..256 */
	bool has_le;
};

enum sim_cmd_class {
	SIM_CLS_ISO = 1,	/* CLA 0x0X / 0x4X-0x7X */
	SIM_CLS_GP = 2,		/* CLA 0x8X / 0xCX-0xEX */
};

/* Command case per ISO/IEC 7816-3 §12.1: whether data may or must be
 * present. */
enum sim_cmd_data { SIM_DATA_NONE, SIM_DATA_REQUIRED, SIM_DATA_OPTIONAL };

/* Handlers return a status word; response data goes to out (sent at once
 * when the terminal asked for it and it fits, else through 61xx). */
typedef unsigned (*sim_cmd_fn)(void *app, const struct sim_apdu *a, struct sim_rbuf *out);

struct sim_cmd {
	uint8_t ins;
	unsigned classes;	/* enum sim_cmd_class bits */
	enum sim_cmd_data data;
	const char *name;
	sim_cmd_fn fn;
	/* The answer when this command reaches a channel whose current
	 * application does not process it (e.g. READ BINARY with the ISD-R
	 * selected: no current EF). */
	unsigned elsewhere_sw;
};

struct sim_app_ops {
	const char *name;
	/* SELECT by AID named this application on a->channel: it becomes
	 * current there. a->data is its full AID (the OS resolves truncated
	 * AIDs and occurrences). Answers with its FCI/FCP unless P2 (b4-b3)
	 * asks for none. */
	unsigned (*select)(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
	/* The channel closes, or a SELECT gives it to an application (this
	 * one again included): per-channel state goes. */
	void (*deselect)(void *app, unsigned channel);
	/* Power events and REFRESH (sim/card.h). */
	void (*reset)(void *app, enum sim_power_event ev);
	/* STATUS (TS 102 221 §11.1.2): the FCP/FCI of the current
	 * application or DF on the channel (what SELECT of it returns). */
	int (*status)(void *app, unsigned channel, struct sim_rbuf *out);
	/* process: the commands this application handles. */
	const struct sim_cmd *cmds;
	size_t n_cmds;
	/* Optional, for applications whose AIDs come and go (the ADFs of the
	 * enabled profile): the n-th (from 0) of yours whose AID starts with
	 * aid[0..len), its full AID in full; false when there is none. */
	bool (*match)(void *app, const uint8_t *aid, size_t len, size_t n, uint8_t full[SIM_AID_MAX],
		      size_t *full_len);
	/* Optional: the name of the function a command of this
	 * application's table completes ("ES10b.AuthenticateServer" for the
	 * last STORE DATA block of one), or NULL. Must not change anything:
	 * traces and fault injection ask before the command runs. */
	const char *(*function)(void *app, const struct sim_apdu *a);
	/* The root application (the MF's) only: SELECT by file identifier
	 * or path, and the implicit selection on a channel the OS opens
	 * (power on, MANAGE CHANNEL). */
	unsigned (*select_file)(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
	void (*open)(void *app, unsigned channel);
};

#define SIM_APP_ROOT 1u		/* flag: the MF's application */
#define SIM_MAX_APPS 8

/* Register an application: with a fixed AID (found by SELECT also when
 * right-truncated, ISO/IEC 7816-4 §8.2.2.2), or aid == NULL and ops->match.
 * Fixed AIDs are tried first, in registration order. */
int sim_card_add_app(struct sim_card *card, const struct sim_app_ops *ops, void *app,
		     const uint8_t *aid, size_t aid_len, unsigned flags);

#endif
