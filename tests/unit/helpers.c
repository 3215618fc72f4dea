#include "tests/unit/helpers.h"
#include "tests/store_data.h"
#include "sim/card.h"
#include "sim/asn1.h"
#include "profiles/saip.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sim_config cfg;
/* room for the largest response the card keeps (SIM_RESPONSE_MAX) */
#define T_MAX_RSP (600 * 1024)
static char out_hex[2 * T_MAX_RSP + 8];

extern const asn1_static_node rsp_asn1_tab[];

void t_asn1_init(void)
{
	ck_assert_int_eq(sim_asn1_add_module("RSPDefinitions", rsp_asn1_tab), 0);
	ck_assert_int_eq(saip_init(), 0);
}

struct sim_config *t_config(void)
{
	sim_config_defaults(&cfg, SIM_DATADIR "/certs/sgp26");
	return &cfg;
}

struct sim_card *t_card_new_cfg(struct sim_config *c)
{
	struct sim_card *card = NULL;

	ck_assert_int_eq(sim_card_new(c, &card), 0);
	return card;
}

struct sim_card *t_card_new(const char *state_dir)
{
	struct sim_config *c = t_config();

	if (state_dir)
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", state_dir);
	return t_card_new_cfg(c);
}

size_t t_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned x;

		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		ck_assert_int_lt(n, cap);
		ck_assert_int_eq(sscanf(hex, "%2x", &x), 1);
		out[n++] = (uint8_t)x;
		hex += 2;
	}
	return n;
}

void t_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
	out[2 * n] = 0;
}

const char *t_apdu(struct sim_card *card, const char *hex)
{
	uint8_t cmd[300], rsp[SIM_RSP_MAX];
	size_t n = t_unhex(hex, cmd, sizeof(cmd));
	size_t r = sim_transact(card, cmd, n, rsp);

	ck_assert_int_ge(r, 2);
	t_hex(rsp, r, out_hex);
	return out_hex;
}

const char *t_es10(struct sim_card *card, unsigned ch, const char *der_hex, size_t seg)
{
	static uint8_t der[65536 + 16];
	static uint8_t acc[T_MAX_RSP];
	uint8_t cmd[300], rsp[SIM_RSP_MAX];
	size_t len = t_unhex(der_hex, der, sizeof(der)), off = 0, acc_len = 0, r;
	unsigned block = 0, sw;
	uint8_t cla = t_es10_cla(ch);

	do {
		size_t n = len - off < seg ? len - off : seg;
		bool last = off + n == len;

		r = sim_transact(card, cmd, t_store_data_block(cmd, cla, block++, last, der + off, n), rsp);
		off += n;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
		if (!last && sw != 0x9000)
			break;
	} while (off < len);
	memcpy(acc, rsp, r - 2);
	acc_len = r - 2;
	while ((sw & 0xFF00) == 0x6100) {
		uint8_t gr[5] = { cla, 0xC0, 0, 0, (uint8_t)sw };

		r = sim_transact(card, gr, 5, rsp);
		ck_assert_uint_le(acc_len + r, sizeof(acc));
		memcpy(acc + acc_len, rsp, r - 2);
		acc_len += r - 2;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
	}
	acc[acc_len++] = (uint8_t)(sw >> 8);
	acc[acc_len++] = (uint8_t)sw;
	t_hex(acc, acc_len, out_hex);
	return out_hex;
}

const char *t_apdu_data(struct sim_card *card, const char *hex)
{
	static char all[2 * T_MAX_RSP + 8];
	const char *r = t_apdu(card, hex);

	snprintf(all, sizeof(all), "%s", r);
	for (size_t n = strlen(all); n >= 4 && !strncmp(all + n - 4, "61", 2); n = strlen(all)) {
		char gr[16];

		snprintf(gr, sizeof(gr), "00C00000%.2s", all + n - 2);
		all[n - 4] = 0;
		strncat(all, t_apdu(card, gr), sizeof(all) - strlen(all) - 1);
	}
	return all;
}

unsigned t_open_isdr(struct sim_card *card)
{
	const char *r = t_apdu(card, "0070000001");
	unsigned ch;
	char sel[64];

	ck_assert_int_eq(strlen(r), 6);
	ck_assert_str_eq(r + 2, "9000");
	sscanf(r, "%2x", &ch);
	snprintf(sel, sizeof(sel), "0%uA4040010A0000005591010FFFFFFFF8900000100", ch);
	r = t_apdu(card, sel);
	ck_assert_msg(r[0] == '6' && r[1] == '1', "SELECT ISD-R answered %s", r);
	return ch;
}

size_t t_slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

uint8_t *t_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(b);
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

char *t_mkdtemp(void)
{
	static char tmpl[64];

	snprintf(tmpl, sizeof(tmpl), "/tmp/euicc-sim-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return tmpl;
}

void t_rmrf(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
