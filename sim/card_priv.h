/* Card internals shared by the card OS (sim/) and the applications that
 * run on it (isdr/, isdp/). Nothing outside the card includes this. */
#ifndef SIM_CARD_PRIV_H
#define SIM_CARD_PRIV_H

#include "sim/card.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Channels 0..19: CLA coding covers 0-3 (first interindustry) and 4-19
 * (further interindustry), ISO/IEC 7816-4 §5.4.1. */
#define SIM_MAX_CHANNELS 20

/* Largest ES10 command reassembled from STORE DATA blocks. */
#define SIM_STORE_DATA_MAX (64u * 1024u)

/* Largest response kept for GET RESPONSE: RetrieveNotificationsList of
 * every pending notification (isdr/notif.h NOTIF_MAX, ~1.3 KiB each). */
#define SIM_RESPONSE_MAX (512u * 1024u)

enum sim_app {
	SIM_APP_NONE,
	SIM_APP_MF,
	SIM_APP_ISDR,
	SIM_APP_ECASD,
};

struct sim_channel {
	bool open;
	enum sim_app app;
	uint16_t df_path[6];		/* current DF as FIDs from the MF (SAIP_MAX_DEPTH) */
	uint8_t df_depth;		/* 0: no DF (an application is selected) */
	uint16_t ef;			/* current EF in that DF, 0 = none */
	uint8_t *resp;			/* pending response for GET RESPONSE */
	size_t resp_len, resp_off;
	uint8_t *sd;			/* STORE DATA reassembly */
	size_t sd_len;
	unsigned sd_next_block;
	bool sd_active;
};

/* A command APDU after parsing (short length fields only). */
struct sim_apdu {
	uint8_t cla, ins, p1, p2;
	unsigned channel;
	const uint8_t *data;
	size_t lc;
	size_t ne;		/* 0 when Le is absent, else 1..256 */
	bool has_le;
};

/* Response data under construction. */
struct sim_rbuf {
	uint8_t *p;
	size_t len, cap;
};
int sim_rbuf_put(struct sim_rbuf *b, const void *data, size_t len);

struct ecasd;
struct isdr;
struct isdp_store;
struct sim_store;

struct sim_card {
	const struct sim_config *cfg;
	struct ecasd *ecasd;
	struct isdr *isdr;
	struct isdp_store *isdp;
	struct sim_store *store;
	struct sim_channel ch[SIM_MAX_CHANNELS];
};

/* File system (sim/fs.c). */
unsigned sim_fs_select_fid(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out);
unsigned sim_fs_select_aid(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out);
void sim_fs_select_mf(struct sim_channel *ch);
unsigned sim_fs_read_binary(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out);
unsigned sim_fs_read_record(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out);
int sim_fs_mf_fcp(struct sim_rbuf *out);

#endif
