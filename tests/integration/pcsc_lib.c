/* The LPA side of the PC/SC tests (tests/integration/pcsc_lib.h). */
#include "tests/integration/pcsc_lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

SCARDCONTEXT ctx;
SCARDHANDLE card;
DWORD proto;

size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	unsigned x;

	for (; h[0] && h[1]; h += 2) {
		if (sscanf(h, "%2x", &x) != 1)
			break;
		out[n++] = (uint8_t)x;
	}
	return n;
}

void tohex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
	out[2 * n] = 0;
}

/* Every APDU goes through here. */
LONG transmit(const uint8_t *cmd, size_t len, uint8_t *rsp, DWORD *rlen)
{
	const SCARD_IO_REQUEST *pci = proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	LONG rv = SCardTransmit(card, pci, cmd, (DWORD)len, NULL, rsp, rlen);
	const char *path = getenv("PCSC_TEST_APDU_LOG");
	FILE *log = path && rv == SCARD_S_SUCCESS && *rlen >= 2 ? fopen(path, "a") : NULL;

	if (log) {
		for (size_t i = 0; i < len; i++)
			fprintf(log, "%02X", cmd[i]);
		fprintf(log, " %02X%02X\n", rsp[*rlen - 2], rsp[*rlen - 1]);
		fclose(log);
	}
	return rv;
}

/* Send one APDU; returns hex of data+SW in a static buffer. */
const char *xfer(const char *hex)
{
	static char out[2 * 300];
	uint8_t cmd[300], rsp[300];
	DWORD rlen = sizeof(rsp);
	size_t n = unhex(hex, cmd);
	LONG rv = transmit(cmd, n, rsp, &rlen);

	if (rv != SCARD_S_SUCCESS) {
		snprintf(out, sizeof(out), "ERR:%s", pcsc_stringify_error(rv));
		return out;
	}
	tohex(rsp, rlen, out);
	return out;
}

/* ES10 the way lpac sends it: STORE DATA blocks of 120 bytes, then GET
 * RESPONSE (CLA 0x8X) while the card says 61xx. out gets data + SW. */
int es10_bin(unsigned ch, const uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t cmd[5 + 255], rsp[300];
	size_t off = 0, n = 0;
	unsigned block = 0, sw = 0;
	DWORD rlen;

	do {
		size_t seg = len - off > 120 ? 120 : len - off;
		bool last = off + seg == len;

		cmd[0] = (uint8_t)(0x80 | ch);
		cmd[1] = 0xE2;
		cmd[2] = last ? 0x91 : 0x11;
		cmd[3] = (uint8_t)block++;
		cmd[4] = (uint8_t)seg;
		memcpy(cmd + 5, der + off, seg);
		rlen = sizeof(rsp);
		if (transmit(cmd, 5 + seg, rsp, &rlen) != SCARD_S_SUCCESS || rlen < 2)
			return -1;
		off += seg;
		sw = (unsigned)rsp[rlen - 2] << 8 | rsp[rlen - 1];
		if (!last && sw != 0x9000)
			break;
	} while (off < len);
	for (;;) {
		if (n + rlen > cap)
			return -1;
		memcpy(out + n, rsp, rlen - 2);
		n += rlen - 2;
		if ((sw & 0xFF00) != 0x6100)
			break;
		cmd[0] = (uint8_t)(0x80 | ch);
		cmd[1] = 0xC0;
		cmd[2] = cmd[3] = 0;
		cmd[4] = (uint8_t)sw;
		rlen = sizeof(rsp);
		if (transmit(cmd, 5, rsp, &rlen) != SCARD_S_SUCCESS || rlen < 2)
			return -1;
		sw = (unsigned)rsp[rlen - 2] << 8 | rsp[rlen - 1];
	}
	out[n++] = (uint8_t)(sw >> 8);
	out[n++] = (uint8_t)sw;
	*out_len = n;
	return 0;
}

/* The same with hex in and out. */
const char *es10(unsigned ch, const char *der_hex)
{
	static char acc[2 * 70000];
	static uint8_t der[4096], out[70000];
	size_t len = unhex(der_hex, der), n;

	if (es10_bin(ch, der, len, out, sizeof(out), &n) < 0)
		return "ERR:transmit";
	tohex(out, n, acc);
	return acc;
}

bool wait_for_card(const char *reader, int seconds)
{
	SCARD_READERSTATE st = { .szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE };

	for (int i = 0; i < seconds * 10; i++) {
		LONG rv = SCardGetStatusChange(ctx, 100, &st, 1);

		if (rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) {
			if (st.dwEventState & SCARD_STATE_PRESENT)
				return true;
			st.dwCurrentState = st.dwEventState;
		} else {
			struct timespec ts = { 0, 100000000L };

			nanosleep(&ts, NULL);
		}
	}
	return false;
}

bool wait_for_no_card(const char *reader, int seconds)
{
	SCARD_READERSTATE st = { .szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE };

	for (int i = 0; i < seconds * 10; i++) {
		LONG rv = SCardGetStatusChange(ctx, 100, &st, 1);

		if ((rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) && (st.dwEventState & SCARD_STATE_EMPTY))
			return true;
		st.dwCurrentState = st.dwEventState;
	}
	return false;
}

/* ---- download through the test SM-DP+ ------------------------------------ */

struct piece_ctx {
	unsigned ch;
	uint8_t *pir;
	size_t pir_len, at;
	int bad;
};

static int send_piece(void *vctx, size_t index, const uint8_t *piece, size_t len)
{
	struct piece_ctx *c = vctx;
	static uint8_t out[4096];
	size_t n;

	if (es10_bin(c->ch, piece, len, out, sizeof(out), &n) < 0 || n < 2 ||
	    out[n - 2] != 0x90 || out[n - 1] != 0x00) {
		c->bad = 1;
		return 1;
	}
	if (n > 2) {
		/* The PIR: after the last piece, or at the piece that failed. */
		c->pir = malloc(n - 2);
		memcpy(c->pir, out, n - 2);
		c->pir_len = n - 2;
		c->at = index;
		return 2;
	}
	return 0;
}

uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	*len = f && b ? fread(b, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return b;
}

/* One download over PC/SC; returns a message on failure, NULL on success. */
const char *download_with(unsigned ch, const struct smdp_opts *opts, const char *file, struct smdp_pir *pir)
{
	static char why[512];
	static uint8_t rsp[8192];
	struct smdp *dp = NULL;
	struct piece_ctx pc = { .ch = ch };
	uint8_t *req = NULL, *bpp = NULL, *upp;
	size_t req_len, n, bpp_len, upp_len;
	int rc = 0;

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); goto out; } while (0)
	why[0] = 0;
	upp = read_file(file, &upp_len);
	if (!upp_len)
		FAIL("cannot read %s", file);
	if (smdp_new(opts, &dp) < 0)
		FAIL("smdp_new");
	if (es10_bin(ch, (const uint8_t *)"\xBF\x2E\x00", 3, rsp, sizeof(rsp), &n) < 0 || n != 23)
		FAIL("GetEUICCChallenge");
	if (smdp_authenticate_server_request(dp, rsp + 5, &req, &req_len) < 0 ||
	    es10_bin(ch, req, req_len, rsp, sizeof(rsp), &n) < 0 ||
	    (rc = smdp_check_authenticate_response(dp, rsp, n - 2)) != 0)
		FAIL("AuthenticateServer: code %d: %s", rc, smdp_why(dp));
	free(req);
	req = NULL;
	if (smdp_prepare_download_request(dp, &req, &req_len) < 0 ||
	    es10_bin(ch, req, req_len, rsp, sizeof(rsp), &n) < 0 ||
	    (rc = smdp_check_prepare_response(dp, rsp, n - 2)) != 0)
		FAIL("PrepareDownload: code %d: %s", rc, smdp_why(dp));
	if (smdp_build_bpp(dp, upp, upp_len, &bpp, &bpp_len) < 0)
		FAIL("build BPP: %s", smdp_why(dp));
	rc = smdp_bpp_pieces(bpp, bpp_len, send_piece, &pc);
	if (pc.bad || !pc.pir)
		FAIL("LoadBoundProfilePackage: piece %zu refused, or no PIR came", pc.at);
	if (smdp_check_pir(dp, pc.pir, pc.pir_len, pir) < 0)
		FAIL("PIR: %s", smdp_why(dp));
	if (!pir->success)
		FAIL("PIR errorResult: bppCommandId %u, errorReason %u", pir->bpp_command_id, pir->error_reason);
out:
#undef FAIL
	free(pc.pir);
	free(req);
	free(bpp);
	free(upp);
	smdp_free(dp);
	return why[0] ? why : NULL;
}


const char *download(unsigned ch, const char *curve, const char *file, struct smdp_pir *pir)
{
	struct smdp_opts opts = { .curve = curve, .certs_dir = SIM_DATADIR "/certs/sgp26" };

	return download_with(ch, &opts, file, pir);
}
