/* make bench, in process: card-side time of one full profile download of
 * the largest TS.48 package, through the card's APDU entry point and the
 * test SM-DP+ (tests/smdp), split into crypto (ECDSA, certificate checks,
 * ECKA, KDF, BSP) and everything else (APDU layer, DER, profile decoding,
 * state write with fsync).
 *
 *   bench-download DIR N     DIR holds the TS.48 packages; N runs per curve */
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/log.h"
#include "tests/smdp/smdp.h"
#include "tests/store_data.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct sim_card *card;
static uint64_t card_ns;
static unsigned apdus;

static size_t xfer(const uint8_t *cmd, size_t len, uint8_t *rsp)
{
	uint64_t t0 = sim_now_ns();
	size_t n = sim_transact(card, cmd, len, rsp);

	card_ns += sim_now_ns() - t0;
	apdus++;
	return n;
}

/* STORE DATA in 120-byte blocks on channel 1, GET RESPONSE on 61xx. */
static size_t es10(const uint8_t *der, size_t len, uint8_t *out)
{
	uint8_t cmd[5 + 120], rsp[SIM_RSP_MAX];
	size_t off = 0, n = 0, r = 0;
	unsigned block = 0, sw = 0;

	do {
		size_t seg = len - off > 120 ? 120 : len - off;

		r = xfer(cmd, t_store_data_block(cmd, t_es10_cla(1), block++, off + seg == len, der + off, seg), rsp);
		off += seg;
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
	} while (off < len);
	for (;;) {
		memcpy(out + n, rsp, r - 2);
		n += r - 2;
		if ((sw & 0xFF00) != 0x6100)
			break;
		cmd[0] = 0x81;
		cmd[1] = 0xC0;
		cmd[2] = cmd[3] = 0;
		cmd[4] = (uint8_t)sw;
		r = xfer(cmd, 5, rsp);
		sw = (unsigned)rsp[r - 2] << 8 | rsp[r - 1];
	}
	return sw == 0x9000 ? n : 0;
}

struct pieces {
	uint8_t *pir;
	size_t pir_len;
};

static int piece(void *ctx, size_t index, const uint8_t *p, size_t len)
{
	struct pieces *pc = ctx;
	static uint8_t out[4096];
	size_t n = es10(p, len, out);

	(void)index;
	if (n) {
		pc->pir = malloc(n);
		memcpy(pc->pir, out, n);
		pc->pir_len = n;
	}
	return 0;
}

static int one_download(const char *curve, const uint8_t *upp, size_t upp_len, uint64_t *smdp_ns)
{
	static uint8_t rsp[8192];
	struct smdp_opts o = { .curve = curve, .certs_dir = SIM_DATADIR "/certs/sgp26" };
	struct smdp *dp = NULL;
	struct pieces pc = { 0 };
	struct smdp_pir pir;
	uint8_t *req = NULL, *bpp = NULL;
	size_t len, n, bpp_len;
	uint64_t t0;
	int ok = 0;

	t0 = sim_now_ns();
	smdp_new(&o, &dp);
	*smdp_ns += sim_now_ns() - t0;
	n = es10((const uint8_t *)"\xBF\x2E\x00", 3, rsp);
	t0 = sim_now_ns();
	smdp_authenticate_server_request(dp, rsp + 5, &req, &len);
	*smdp_ns += sim_now_ns() - t0;
	n = es10(req, len, rsp);
	free(req);
	t0 = sim_now_ns();
	if (smdp_check_authenticate_response(dp, rsp, n) != 0)
		goto out;
	smdp_prepare_download_request(dp, &req, &len);
	*smdp_ns += sim_now_ns() - t0;
	n = es10(req, len, rsp);
	free(req);
	t0 = sim_now_ns();
	if (smdp_check_prepare_response(dp, rsp, n) != 0 || smdp_build_bpp(dp, upp, upp_len, &bpp, &bpp_len) < 0)
		goto out;
	*smdp_ns += sim_now_ns() - t0;
	smdp_bpp_pieces(bpp, bpp_len, piece, &pc);
	t0 = sim_now_ns();
	ok = pc.pir && smdp_check_pir(dp, pc.pir, pc.pir_len, &pir) == 0 && pir.success;
	*smdp_ns += sim_now_ns() - t0;
out:
	free(pc.pir);
	free(bpp);
	smdp_free(dp);
	return ok;
}

int main(int argc, char **argv)
{
	static struct sim_config cfg;
	char best[1024] = "", path[1024], tmpl[] = "/tmp/euicc-sim-bench-XXXXXX";
	const char *curves[] = { "NIST", "BRP" };
	off_t best_size = 0;
	struct dirent *de;
	uint8_t *upp;
	size_t upp_len;
	int runs;
	DIR *d;
	FILE *f;

	if (argc != 3 || (runs = atoi(argv[2])) <= 0 || !(d = opendir(argv[1]))) {
		fprintf(stderr, "usage: bench-download TS48_DIR RUNS\n");
		return 2;
	}
	while ((de = readdir(d))) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		if (strstr(de->d_name, ".der") && !stat(path, &st) && st.st_size > best_size) {
			best_size = st.st_size;
			snprintf(best, sizeof(best), "%s", path);
		}
	}
	closedir(d);
	f = fopen(best, "rb");
	upp = malloc((size_t)best_size);
	if (!f || !upp || fread(upp, 1, (size_t)best_size, f) != (size_t)best_size)
		return 1;
	fclose(f);
	upp_len = (size_t)best_size;
	printf("Full download of %s (%zu bytes), card side, in process, mean of %d runs:\n",
	       strrchr(best, '/') + 1, upp_len, runs);
	for (size_t c = 0; c < 2; c++) {
		uint64_t total = 0, crypto = 0, smdp = 0;
		unsigned n_apdu = 0;

		for (int i = 0; i < runs; i++) {
			uint8_t rsp[SIM_RSP_MAX];
			uint64_t crypto0;

			if (!mkdtemp(tmpl))
				return 1;
			sim_config_defaults(&cfg, SIM_DATADIR "/certs/sgp26");
			snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", tmpl);
			if (sim_card_new(&cfg, &card) < 0)
				return 1;
			sim_transact(card, (const uint8_t *)"\x00\x70\x00\x00\x01", 5, rsp);
			sim_transact(card, (const uint8_t *)"\x01\xA4\x04\x0C\x10\xA0\x00\x00\x05\x59\x10\x10\xFF"
				     "\xFF\xFF\xFF\x89\x00\x00\x01\x00", 21, rsp);
			card_ns = 0;
			apdus = 0;
			crypto0 = sim_crypto_ns;
			if (!one_download(curves[c], upp, upp_len, &smdp)) {
				fprintf(stderr, "bench-download: the download failed on %s\n", curves[c]);
				return 1;
			}
			total += card_ns;
			crypto += sim_crypto_ns - crypto0;
			n_apdu = apdus;
			sim_card_free(card);
			snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
			if (system(path) != 0)
				return 1;
			memcpy(tmpl + strlen(tmpl) - 6, "XXXXXX", 6);
		}
		printf("  %-4s card %7.2f ms = crypto %6.2f ms + other %6.2f ms  (%u APDUs; "
		       "test SM-DP+ side %.2f ms)\n", curves[c], total / 1e6 / runs, crypto / 1e6 / runs,
		       (total - crypto) / 1e6 / runs, n_apdu, smdp / 1e6 / runs);
	}
	printf("  'other' includes the APDU layer, DER, profile decoding and the fsync'ed state write.\n");
	free(upp);
	return 0;
}
