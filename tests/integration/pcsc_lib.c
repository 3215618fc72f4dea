/* The LPA side of the PC/SC tests (tests/integration/pcsc_lib.h). */
#include "tests/integration/pcsc_lib.h"
#include "tests/store_data.h"

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
		size_t clen = t_store_data_block(cmd, t_es10_cla(ch), block++, last, der + off, seg);

		rlen = sizeof(rsp);
		if (transmit(cmd, clen, rsp, &rlen) != SCARD_S_SUCCESS || rlen < 2)
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
		cmd[0] = t_es10_cla(ch);
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

uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	*len = f && b ? fread(b, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return b;
}


void dl_free(struct dl *d)
{
	smdp_free(d->dp);
	free(d->bpp);
	memset(d, 0, sizeof(*d));
}

bool dl_es10(unsigned ch, struct dl *d, const uint8_t *req, size_t len)
{
	return es10_bin(ch, req, len, d->rsp, sizeof(d->rsp), &d->rsp_len) == 0 && d->rsp_len >= 2;
}

bool dl_challenge(unsigned ch, struct dl *d, uint8_t chal[16])
{
	if (!dl_es10(ch, d, (const uint8_t *)"\xBF\x2E\x00", 3) || d->rsp_len != 23)
		return false;
	memcpy(chal, d->rsp + 5, 16);
	return true;
}

/* AuthenticateServer with this challenge; the authenticateErrorCode, or
 * -1 when something else failed. */
int dl_auth(unsigned ch, struct dl *d, const char *curve, const uint8_t chal[16])
{
	struct smdp_opts opts = { .curve = curve, .certs_dir = SIM_DATADIR "/certs/sgp26" };
	uint8_t *req = NULL;
	size_t len = 0;
	bool sent;

	if (!d->dp && smdp_new(d->opts ? d->opts : &opts, &d->dp) < 0)
		return -1;
	if (smdp_authenticate_server_request(d->dp, chal, &req, &len) < 0)
		return -1;
	sent = dl_es10(ch, d, req, len);
	free(req);
	return sent ? smdp_check_authenticate_response(d->dp, d->rsp, d->rsp_len - 2) : -1;
}

int dl_prepare(unsigned ch, struct dl *d)
{
	uint8_t *req = NULL;
	size_t len = 0;
	bool sent;

	if (smdp_prepare_download_request(d->dp, &req, &len) < 0)
		return -1;
	sent = dl_es10(ch, d, req, len);
	free(req);
	return sent ? smdp_check_prepare_response(d->dp, d->rsp, d->rsp_len - 2) : -1;
}

static int collect_segment(void *vd, size_t index, const uint8_t *p, size_t len)
{
	struct dl *d = vd;

	if (index >= 256)
		return 1;
	d->seg[index] = p;
	d->seg_len[index] = len;
	d->n_seg = index + 1;
	return 0;
}

bool dl_bind(struct dl *d, const char *file)
{
	size_t upp_len;
	uint8_t *upp = read_file(file, &upp_len);
	bool ok = upp_len && smdp_build_bpp(d->dp, upp, upp_len, &d->bpp, &d->bpp_len) == 0 &&
		  smdp_bpp_pieces(d->bpp, d->bpp_len, collect_segment, d) == 0;

	free(upp);
	return ok;
}

/* Send segments [from, to); stops at the PIR (returned in *pir, if any)
 * or at a refusal. Returns the number of the segment that answered the
 * PIR, or -1. */
long dl_segments(unsigned ch, struct dl *d, size_t from, size_t to, struct smdp_pir *pir)
{
	for (size_t i = from; i < to && i < d->n_seg; i++) {
		if (!dl_es10(ch, d, d->seg[i], d->seg_len[i]) || d->rsp[d->rsp_len - 2] != 0x90)
			return -1;
		if (d->rsp_len > 2) {
			if (pir && smdp_check_pir(d->dp, d->rsp, d->rsp_len - 2, pir) < 0)
				return -1;
			return (long)i;
		}
	}
	return -1;
}

/* One download over PC/SC; returns a message on failure, NULL on success. */
const char *download_with(unsigned ch, const struct smdp_opts *opts, const char *file, struct smdp_pir *pir)
{
	static char why[512];
	struct dl *d = calloc(1, sizeof(*d));
	const char *curve = opts && opts->curve ? opts->curve : "NIST";
	uint8_t chal[16];
	int rc = 0;
	long at;

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); goto out; } while (0)
	why[0] = 0;
	if (!d)
		FAIL("out of memory");
	d->opts = opts;
	if (!dl_challenge(ch, d, chal))
		FAIL("GetEUICCChallenge");
	if ((rc = dl_auth(ch, d, curve, chal)) != 0)
		FAIL("AuthenticateServer: code %d: %s", rc, d->dp ? smdp_why(d->dp) : "");
	if ((rc = dl_prepare(ch, d)) != 0)
		FAIL("PrepareDownload: code %d: %s", rc, smdp_why(d->dp));
	if (!dl_bind(d, file))
		FAIL("build BPP %s: %s", file, smdp_why(d->dp));
	at = dl_segments(ch, d, 0, d->n_seg, pir);
	if (at < 0)
		FAIL("LoadBoundProfilePackage: a segment refused, or no PIR came");
	if (!pir->success)
		FAIL("PIR errorResult: bppCommandId %u, errorReason %u", pir->bpp_command_id, pir->error_reason);
out:
#undef FAIL
	if (d)
		dl_free(d);
	free(d);
	return why[0] ? why : NULL;
}

const char *download(unsigned ch, const char *curve, const char *file, struct smdp_pir *pir)
{
	struct smdp_opts opts = { .curve = curve, .certs_dir = SIM_DATADIR "/certs/sgp26" };

	return download_with(ch, &opts, file, pir);
}
