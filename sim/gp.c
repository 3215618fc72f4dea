#include "sim/gp.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

int sim_gp_fci(const uint8_t *aid, size_t aid_len, struct sim_rbuf *out)
{
	uint8_t hdr[4] = { 0x6F, (uint8_t)(2 + aid_len + 6), 0x84, (uint8_t)aid_len };
	static const uint8_t prop[] = { 0xA5, 0x04, 0x9F, 0x65, 0x01, 0xFF };

	if (aid_len > SIM_AID_MAX)
		return -EU_E_PARAM;
	TRY(sim_rbuf_put(out, hdr, sizeof(hdr)));
	TRY(sim_rbuf_put(out, aid, aid_len));
	return sim_rbuf_put(out, prop, sizeof(prop));
}

unsigned sim_gp_select(const uint8_t *aid, size_t aid_len, const struct sim_apdu *a, struct sim_rbuf *out)
{
	if (a->p2 == 0x0C)
		return SW_OK;
	return sim_gp_fci(aid, aid_len, out) < 0 ? SW_UNKNOWN : SW_OK;
}

void sim_gp_store_data_clear(struct sim_gp_store_data *sd)
{
	if (sd->buf)
		OPENSSL_cleanse(sd->buf, sd->len);
	free(sd->buf);
	memset(sd, 0, sizeof(*sd));
}

unsigned sim_gp_store_data(struct sim_gp_store_data *sd, const struct sim_apdu *a, size_t max,
			   const uint8_t **data, size_t *len, bool *complete)
{
	uint8_t *p;

	*complete = false;
	/* Another command on the channel since the last block ended the
	 * chain (GP CS §11.11.2.1). */
	if (sd->active && a->seq != sd->last_seq + 1)
		sim_gp_store_data_clear(sd);
	/* GP CS §11.11.2: P1 b8 last block, b5-b4 '10' BER-TLV structure,
	 * no encryption; SGP.22 §5.7.2 uses exactly 11 (more) and 91 (last). */
	if (a->p1 != 0x11 && a->p1 != 0x91) {
		sim_gp_store_data_clear(sd);
		return SW_WRONG_P1P2;
	}
	if (a->p2 != (sd->active ? sd->next_block : 0)) {
		LOG_INFO("STORE DATA refused: block number %02X, expected %02X",
			 a->p2, sd->active ? sd->next_block : 0);
		sim_gp_store_data_clear(sd);
		return SW_WRONG_P1P2;
	}
	if (a->lc == 0) {
		sim_gp_store_data_clear(sd);
		return SW_WRONG_LENGTH;
	}
	if (a->lc > max - sd->len) {
		LOG_INFO("STORE DATA refused: command longer than %zu bytes", max);
		sim_gp_store_data_clear(sd);
		return SW_NOT_ENOUGH_MEMORY;
	}
	if (!sd->active && a->p1 == 0x91) {
		/* A single block: no copy needed. */
		*data = a->data;
		*len = a->lc;
		*complete = true;
		return SW_OK;
	}
	p = realloc(sd->buf, sd->len + a->lc);
	if (!p) {
		sim_gp_store_data_clear(sd);
		return SW_NOT_ENOUGH_MEMORY;
	}
	sd->buf = p;
	memcpy(sd->buf + sd->len, a->data, a->lc);
	sd->len += a->lc;
	sd->active = true;
	sd->next_block = (a->p2 + 1) & 0xFF;
	sd->last_seq = a->seq;
	if (a->p1 == 0x91) {
		*data = sd->buf;
		*len = sd->len;
		*complete = true;
	}
	return SW_OK;
}
