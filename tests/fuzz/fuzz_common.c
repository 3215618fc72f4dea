/* What the libFuzzer targets share (tests/fuzz/fuzz_common.h). */
#include "tests/fuzz/fuzz_common.h"
#include "tests/store_data.h"
#include "profiles/saip.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool fz_byte(struct fz_in *in, uint8_t *b)
{
	if (in->n == 0)
		return false;
	*b = in->p[0];
	in->p++;
	in->n--;
	return true;
}

enum fz_kind fz_next(struct fz_in *in, const uint8_t **p, size_t *len, uint8_t *event)
{
	uint8_t n, hi, lo;
	size_t want;

	if (!fz_byte(in, &n))
		return FZ_END;
	if (n == 0)
		return fz_byte(in, event) ? FZ_CONTROL : FZ_END;
	want = n;
	if (n == 0xFF) {
		if (!fz_byte(in, &hi) || !fz_byte(in, &lo))
			return FZ_END;
		want = (size_t)hi << 8 | lo;
	}
	if (want > in->n)
		want = in->n;
	*p = in->p;
	*len = want;
	in->p += want;
	in->n -= want;
	return FZ_FRAME;
}

uint8_t *fz_copy(const uint8_t *p, size_t len)
{
	uint8_t *c;

	if (len == 0)
		return NULL;
	c = malloc(len);
	if (!c)
		abort();
	memcpy(c, p, len);
	return c;
}

uint8_t *fz_read_file(const char *rel_path, size_t *len)
{
	char path[4096];
	FILE *f;
	uint8_t *b = malloc(SAIP_MAX_PACKAGE);

	snprintf(path, sizeof(path), "%s/%s", SIM_DATADIR, rel_path);
	f = fopen(path, "rb");
	if (!f || !b) {
		fprintf(stderr, "fuzz: cannot read %s\n", path);
		abort();
	}
	*len = fread(b, 1, SAIP_MAX_PACKAGE, f);
	fclose(f);
	return b;
}

/* The trace is formatted (a bad format argument shows up) and dropped,
 * unless FUZZ_LOG=N asks for level N on stderr. */
static void drop_line(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

void fz_log_init(void)
{
	const char *env = getenv("FUZZ_LOG");

	if (env) {
		sim_log_level = atoi(env);
	} else {
		sim_log_level = 1;
		sim_log_set_sink(drop_line, NULL);
	}
}

struct sim_card *fz_card_new(const char *const *settings)
{
	struct sim_config *cfg = calloc(1, sizeof(*cfg));
	struct sim_card *card = NULL;
	char err[256];

	if (!cfg)
		abort();
	fz_log_init();
	sim_config_defaults(cfg, SIM_DATADIR "/certs/sgp26");
	for (size_t i = 0; settings && settings[i]; i += 2) {
		if (sim_config_set(cfg, settings[i], settings[i + 1], SIM_DATADIR, err, sizeof(err)) < 0) {
			fprintf(stderr, "fuzz: config %s = %s: %s\n", settings[i], settings[i + 1], err);
			abort();
		}
	}
	if (sim_card_new(cfg, &card) < 0)
		abort();
	/* the targets load states again and again: decode each package once */
	isdp_store_keep_decoded(sim_card_isdp(card), true);
	return card;	/* cfg stays: the card keeps a pointer to it */
}

size_t fz_transact(struct sim_card *card, const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	uint8_t *c = fz_copy(cmd, len);
	struct sim_command_names names;
	size_t r;

	/* the event loop names every command before it runs (faults, traces) */
	sim_card_names(card, c, len, &names);
	r = sim_transact(card, c, len, rsp);

	free(c);
	if (r < 2 || r > SIM_RSP_MAX)
		abort();
	return r;
}

void fz_run_apdus(struct sim_card *card, struct fz_in *in, fz_event_fn other, void *ctx)
{
	uint8_t rsp[SIM_RSP_MAX], ev = 0;
	const uint8_t *p = NULL;
	size_t len = 0;
	enum fz_kind k;

	while ((k = fz_next(in, &p, &len, &ev)) != FZ_END) {
		if (k == FZ_FRAME)
			fz_transact(card, p, len, rsp);
		else if (ev >= 0xF0 && other)
			other(ctx, ev, in);
		else
			sim_power(card, ev % 3 == 0 ? SIM_POWER_OFF : ev % 3 == 1 ? SIM_POWER_ON : SIM_RESET);
	}
}

unsigned fz_open_isdr(struct sim_card *card)
{
	static const uint8_t open[] = { 0x00, 0x70, 0x00, 0x00, 0x01 };
	uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x00, 0x10, 0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10,
			  0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00 };
	uint8_t rsp[SIM_RSP_MAX];
	size_t r = fz_transact(card, open, sizeof(open), rsp);
	unsigned ch;

	if (r != 3 || rsp[1] != 0x90 || rsp[0] == 0 || rsp[0] > 3)
		return 0;
	ch = rsp[0];
	sel[0] = (uint8_t)ch;
	r = fz_transact(card, sel, sizeof(sel), rsp);
	return rsp[r - 2] == 0x61 || rsp[r - 2] == 0x90 ? ch : 0;
}

unsigned fz_es10(struct sim_card *card, unsigned ch, const uint8_t *req, size_t len, size_t block, uint8_t *out,
		 size_t cap, size_t *out_len)
{
	uint8_t cmd[5 + 255], rsp[SIM_RSP_MAX];
	size_t off = 0, r = 0, n;
	unsigned blk = 0, sw = 0;

	*out_len = 0;
	if (block == 0 || block > 255)
		block = 255;
	do {
		bool last;

		n = len - off < block ? len - off : block;
		last = off + n == len;
		r = fz_transact(card, cmd, t_store_data_block(cmd, t_es10_cla(ch), blk++, last, req + off, n), rsp);
		off += n;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
		if (!last && sw != 0x9000)
			return sw;
	} while (off < len);
	for (;;) {
		n = r - 2 < cap - *out_len ? r - 2 : cap - *out_len;
		memcpy(out + *out_len, rsp, n);
		*out_len += n;
		if ((sw & 0xFF00) != 0x6100)
			return sw;
		cmd[0] = t_es10_cla(ch);
		cmd[1] = 0xC0;
		cmd[2] = cmd[3] = 0;
		cmd[4] = (uint8_t)sw;
		r = fz_transact(card, cmd, 5, rsp);
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
	}
}

void fz_header_iccid(const uint8_t *pkg, size_t len, uint8_t iccid[10])
{
	struct tlv pe, f;
	struct tlv_iter it;

	memset(iccid, 0x98, 10);
	if (tlv_parse(pkg, len, &pe) < 0 || pe.tag != 0xA0)
		return;
	tlv_iter_init(&it, &pe);
	while (tlv_iter_next(&it, &f) == 1) {
		if (f.tag == 0x83 && f.len == 10) {
			for (size_t i = 0; i < 10; i++)
				iccid[i] = (uint8_t)(f.val[i] << 4 | f.val[i] >> 4);
			return;
		}
	}
}

void fz_dump_state(const uint8_t *img, size_t len)
{
	const char *dir = getenv("FUZZ_DUMP_STATE");
	uint8_t md[SHA256_DIGEST_LENGTH], mode = 1;
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	SHA256(img, len, md);
	snprintf(path, sizeof(path), "%s/state-%02x%02x%02x%02x%02x%02x%02x%02x", dir, md[0], md[1], md[2], md[3],
		 md[4], md[5], md[6], md[7]);
	f = fopen(path, "wb");
	if (!f)
		return;
	/* fuzz_state's mode byte: the checksum recomputed, so that the
	 * fuzzer's changes to these states get past it */
	fwrite(&mode, 1, 1, f);
	fwrite(img, 1, len, f);
	fclose(f);
}

void fz_state_keep(struct sim_card *card, struct fz_state *st)
{
	free(st->img);
	if (sim_card_state_image(card, &st->img, &st->len) < 0)
		abort();
	st->changes = sim_card_state_changes(card);
}

bool fz_state_changed(const struct sim_card *card, const struct fz_state *st)
{
	return sim_card_state_changes(card) != st->changes;
}

void fz_state_back(struct sim_card *card, struct fz_state *st)
{
	if (!fz_state_changed(card, st) && !st->dirty)
		return;
	st->dirty = false;
	if (sim_card_state_load(card, st->img, st->len) < 0) {
		fprintf(stderr, "fuzz: the card refuses the state it started from\n");
		abort();
	}
	st->changes = sim_card_state_changes(card);
}

/* ---- side-loaded profiles ---------------------------------------------- */

struct der {
	uint8_t b[2048];
	size_t n;
};

static void put_tlv(struct der *d, uint32_t tag, const void *v, size_t n)
{
	uint8_t h[8];
	size_t hl = tlv_put_header(h, sizeof(h), tag, n);

	if (d->n + hl + n > sizeof(d->b))
		abort();
	memcpy(d->b + d->n, h, hl);
	memcpy(d->b + d->n + hl, v, n);
	d->n += hl + n;
}

/* A named BIT STRING's value: unused bits = the trailing zeros (DER). */
static void put_bits(struct der *d, uint32_t tag, uint8_t bits)
{
	uint8_t v[2] = { 0, bits };

	while (v[0] < 7 && !(bits & (1u << v[0])))
		v[0]++;
	put_tlv(d, tag, v, 2);
}

void fz_sideload(struct sim_card *card, const uint8_t *pkg, size_t len, const struct fz_md *md)
{
	struct der body = { .n = 0 }, all = { .n = 0 };
	uint8_t iccid[10];
	char err[256];

	/* StoreMetadataRequest (SGP.22 §5.5.3), in its components' order */
	fz_header_iccid(pkg, len, iccid);
	put_tlv(&body, 0x5A, iccid, 10);
	put_tlv(&body, 0x91, "fuzz SP", 7);
	put_tlv(&body, 0x92, md->name, strlen(md->name));
	if (md->cls >= 0) {
		uint8_t c = (uint8_t)md->cls;

		put_tlv(&body, 0x95, &c, 1);
	}
	if (md->addr) {
		struct der one = { .n = 0 }, nci = { .n = 0 };

		put_bits(&one, 0x80, md->events);
		put_tlv(&one, 0x81, md->addr, strlen(md->addr));
		put_tlv(&nci, 0x30, one.b, one.n);
		put_tlv(&body, 0xB6, nci.b, nci.n);
	}
	if (md->owner) {
		struct der op = { .n = 0 };

		put_tlv(&op, 0x80, md->owner, 3);
		put_tlv(&body, 0xB7, op.b, op.n);
	}
	if (md->ppr)
		put_bits(&body, 0x99, md->ppr);
	put_tlv(&all, 0xBF25, body.b, body.n);
	if (isdp_sideload_metadata(sim_card_isdp(card), pkg, len, all.b, all.n, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz: side-load %s: %s\n", md->name, err);
		abort();
	}
}

void fz_fill_notifications(struct sim_card *card, unsigned ch, const uint8_t iccid[10], size_t count)
{
	/* Enable / DisableProfile {iccid, refreshFlag false}: BF3x 11 A0 0C 5A 0A .. 81 01 00 */
	uint8_t req[20] = { 0xBF, 0x31, 0x11, 0xA0, 0x0C, 0x5A, 0x0A }, rsp[64];
	const struct notif_list *l = isdr_notifications(sim_card_isdr(card));
	size_t n;

	const struct isdp_profile *p = isdp_find_iccid(sim_card_isdp(card), iccid);
	bool enabled = p && p->state == ISDP_ENABLED;

	memcpy(req + 7, iccid, 10);
	memcpy(req + 17, "\x81\x01\x00", 3);
	while (l->n < count) {
		req[1] = enabled ? 0x32 : 0x31;
		enabled = !enabled;
		if (fz_es10(card, ch, req, sizeof(req), 255, rsp, sizeof(rsp), &n) != 0x9000 || n != 6 || rsp[5] != 0) {
			fprintf(stderr, "fuzz: enable/disable refused with %zu notifications\n", l->n);
			abort();
		}
	}
}

uint8_t *fz_subset(const uint8_t *pkg, size_t len, const int *keep, size_t n_keep, size_t *out_len)
{
	uint8_t *out = malloc(len);
	size_t off = 0, o = 0;
	int idx = 0;

	if (!out)
		abort();
	while (off < len) {
		struct tlv t;
		bool last;

		if (tlv_parse(pkg + off, len - off, &t) < 0)
			abort();
		last = off + t.raw_len == len;
		for (size_t k = 0; k < n_keep; k++) {
			if (keep[k] == idx || (keep[k] < 0 && last)) {
				memcpy(out + o, t.raw, t.raw_len);
				o += t.raw_len;
			}
		}
		off += t.raw_len;
		idx++;
	}
	*out_len = o;
	return out;
}
