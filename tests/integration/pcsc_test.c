/* Integration client: drives the card through libpcsclite, pcscd and the
 * vpcd driver exactly as an LPA would (T=0, logical channel, STORE DATA
 * segments of 120 bytes, GET RESPONSE with CLA 0x8X).
 *
 *   pcsc-test READER first     full check, then SetDefaultDpAddress
 *   pcsc-test READER again     check the address survived a restart
 *   pcsc-test READER bench N   print the mean APDU round trip in µs
 *   pcsc-test READER absent    wait until the reader is empty
 *   pcsc-test READER t1        a T=1-only connect must fail
 *   pcsc-test - readers        list the readers pcscd has
 *   pcsc-test READER eid       print the EID of the card in READER
 *   pcsc-test READER download CURVE FILE...
 *                              download each profile package through the
 *                              test SM-DP+ (tests/smdp) on NIST or BRP,
 *                              check it is listed, then delete it
 *   pcsc-test READER lifecycle / lifecycle-again
 *                              profile management on two side-loaded
 *                              profiles, and what must survive a restart
 *
 * With PCSC_TEST_APDU_LOG=FILE every APDU exchanged is appended to FILE
 * as "COMMAND SW" in hex, for the trace test to compare with the card's
 * pcap and JSON trace.
 */
#include <stdint.h>
#include <winscard.h>
#include <wintypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/smdp/smdp.h"

static SCARDCONTEXT ctx;
static SCARDHANDLE card;
static DWORD proto;
static int passed, failed;

#define EID "89049032123451234512345678901235"
#define CI_NIST "F54172BDF98A95D65CBEB88A38A1C11D800A85C3"
#define CI_BRP "C0BC70BA36929D43B467FF57570530E57AB8FCD8"
#define DP_ADDR "testsmdpplus1.example.com"

static void check(bool ok, const char *what, const char *detail)
{
	if (ok) {
		passed++;
		printf("ok   %s\n", what);
	} else {
		failed++;
		printf("FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	}
}

static size_t unhex(const char *h, uint8_t *out)
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

static void tohex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
	out[2 * n] = 0;
}

/* Every APDU goes through here. */
static LONG transmit(const uint8_t *cmd, size_t len, uint8_t *rsp, DWORD *rlen)
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
static const char *xfer(const char *hex)
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
static int es10_bin(unsigned ch, const uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len)
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
static const char *es10(unsigned ch, const char *der_hex)
{
	static char acc[2 * 70000];
	static uint8_t der[4096], out[70000];
	size_t len = unhex(der_hex, der), n;

	if (es10_bin(ch, der, len, out, sizeof(out), &n) < 0)
		return "ERR:transmit";
	tohex(out, n, acc);
	return acc;
}

static bool wait_for_card(const char *reader, int seconds)
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

static bool wait_for_no_card(const char *reader, int seconds)
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

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static unsigned open_isdr(void)
{
	const char *r;
	unsigned ch = 0;
	char cmd[64];

	xfer("80AA00000AA9088100820101830107");
	r = xfer("0070000001");
	check(strlen(r) == 6 && ends_with(r, "9000") && sscanf(r, "%2x", &ch) == 1 && ch >= 1 && ch <= 3,
	      "MANAGE CHANNEL open answers <ch>9000", r);
	snprintf(cmd, sizeof(cmd), "0%XA4040010A0000005591010FFFFFFFF8900000100", ch);
	r = xfer(cmd);
	check(!strcmp(r, "611A"), "SELECT ISD-R on the new channel", r);
	return ch;
}

static void full_check(void)
{
	unsigned ch = open_isdr();
	const char *r;
	char cmd[64];

	r = es10(ch, "BF3E035C015A");
	check(!strcmp(r, "BF3E125A10" EID "9000"), "ES10c.GetEID", r);
	r = es10(ch, "BF2000");
	check(!strcmp(r, "BF20618203020300A92C0414" CI_NIST "0414" CI_BRP "AA2C0414" CI_NIST "0414" CI_BRP
		      "9000"), "ES10b.GetEUICCInfo1 lists both SGP.26 CIs", r);
	r = es10(ch, "BF2200");
	check(!strncmp(r, "BF2281", 6) && strstr(r, "8203020300") && strstr(r, "8103020301") &&
	      strstr(r, "0414" CI_BRP) && ends_with(r, "9000"), "ES10b.GetEUICCInfo2", r);
	r = es10(ch, "BF2D0D5C0B5A4F9F70909192939495B6");
	check(!strcmp(r, "BF2D02A0009000"), "ES10c.GetProfilesInfo is empty", r);
	r = es10(ch, "BF2E00");
	check(!strncmp(r, "BF2E128010", 10) && strlen(r) == 46 && ends_with(r, "9000"),
	      "ES10b.GetEUICCChallenge", r);
	r = es10(ch, "BF4300");
	check(!strcmp(r, "BF4302A0009000"), "ES10b.GetRAT", r);
	r = es10(ch, "BF3F1B8019" "74657374736D6470706C7573312E6578616D706C652E636F6D");
	check(!strcmp(r, "BF3F038001009000"), "ES10a.SetDefaultDpAddress", r);
	r = es10(ch, "BF3C00");
	check(strstr(r, "8019" "74657374736D6470706C7573312E6578616D706C652E636F6D") != NULL,
	      "ES10a.GetEuiccConfiguredAddresses shows the new address", r);
	r = es10(ch, "BF3500");
	check(!strcmp(r, "6A88"), "unsupported ES10 function answers 6A88", r);
	r = xfer("80E2910005BF20800000");
	check(!strcmp(r, "6E00") || !strcmp(r, "6985"), "STORE DATA on the basic channel without ISD-R", r);
	snprintf(cmd, sizeof(cmd), "007080%02X00", ch);
	r = xfer(cmd);
	check(!strcmp(r, "9000"), "MANAGE CHANNEL close", r);
	r = xfer("00A40004023F0000");
	check(!strncmp(r, "621D8202", 8) && ends_with(r, "9000"), "SELECT MF returns an FCP", r);
	r = xfer("00A4000C022FE2");
	check(!strcmp(r, "9000"), "SELECT EF.ICCID", r);
	r = xfer("00B000000A");
	check(strlen(r) == 24 && ends_with(r, "9000"), "READ BINARY EF.ICCID", r);
	r = xfer("00FF000000");
	check(!strcmp(r, "6D00"), "unknown INS answers 6D00", r);
	r = xfer("A0A40000023F00");
	check(!strcmp(r, "6E00"), "GSM class answers 6E00", r);
}

static void again_check(void)
{
	unsigned ch = open_isdr();
	const char *r = es10(ch, "BF3C00");

	check(strstr(r, "8019" "74657374736D6470706C7573312E6578616D706C652E636F6D") != NULL,
	      "default SM-DP+ address survived the restart", r);
	r = es10(ch, "BF3E035C015A");
	check(!strcmp(r, "BF3E125A10" EID "9000"), "ES10c.GetEID after restart", r);
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

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 20);

	*len = f && b ? fread(b, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	return b;
}

/* One download over PC/SC; returns a message on failure, NULL on success. */
static const char *download(unsigned ch, const char *curve, const char *file, struct smdp_pir *pir)
{
	static char why[512];
	static uint8_t rsp[8192];
	struct smdp_opts opts = { .curve = curve, .certs_dir = SIM_DATADIR "/certs/sgp26" };
	struct smdp *dp = NULL;
	struct piece_ctx pc = { .ch = ch };
	uint8_t *req = NULL, *bpp = NULL, *upp;
	size_t req_len, n, bpp_len, upp_len;
	int rc;

#define FAIL(...) do { snprintf(why, sizeof(why), __VA_ARGS__); goto out; } while (0)
	why[0] = 0;
	upp = read_file(file, &upp_len);
	if (!upp_len)
		FAIL("cannot read %s", file);
	if (smdp_new(&opts, &dp) < 0)
		FAIL("smdp_new");
	if (es10_bin(ch, (const uint8_t *)"\xBF\x2E\x00", 3, rsp, sizeof(rsp), &n) < 0 || n != 23)
		FAIL("GetEUICCChallenge");
	if (smdp_authenticate_server_request(dp, rsp + 5, &req, &req_len) < 0 ||
	    es10_bin(ch, req, req_len, rsp, sizeof(rsp), &n) < 0 ||
	    (rc = smdp_check_authenticate_response(dp, rsp, n - 2)) != 0)
		FAIL("AuthenticateServer: %s", smdp_why(dp));
	free(req);
	req = NULL;
	if (smdp_prepare_download_request(dp, &req, &req_len) < 0 ||
	    es10_bin(ch, req, req_len, rsp, sizeof(rsp), &n) < 0 ||
	    (rc = smdp_check_prepare_response(dp, rsp, n - 2)) != 0)
		FAIL("PrepareDownload: %s", smdp_why(dp));
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

static void download_all(const char *curve, int nfiles, char **files)
{
	unsigned ch = open_isdr();

	for (int i = 0; i < nfiles; i++) {
		struct smdp_pir pir = { 0 };
		const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
		const char *why = download(ch, curve, files[i], &pir);
		char what[256], aid[40], req[64];
		const char *r;

		snprintf(what, sizeof(what), "download %s on %s over PC/SC", base, curve);
		check(why == NULL, what, why);
		if (why)
			continue;
		tohex(pir.aid, pir.aid_len, aid);
		r = es10(ch, "BF2D00");
		snprintf(what, sizeof(what), "%s listed, disabled", base);
		check(strstr(r, aid) && strstr(strstr(r, aid), "9F700100"), what, r);
		/* make room for the next package with the same ICCID */
		snprintf(req, sizeof(req), "BF33124F10%s", aid);
		r = es10(ch, req);
		snprintf(what, sizeof(what), "%s deleted", base);
		check(!strcmp(r, "BF33038001009000"), what, r);
		/* the LPA's part: the install notification is sent and removed */
		snprintf(req, sizeof(req), "BF3003800%s%02lX", pir.seq_number > 0xFF ? "2" : "1",
			 pir.seq_number & 0xFF);
		if (pir.seq_number > 0xFF)
			snprintf(req, sizeof(req), "BF3004800200%02lX", pir.seq_number & 0xFF);
		r = es10(ch, req);
		snprintf(what, sizeof(what), "%s install notification %lu removed", base, pir.seq_number);
		check(!strcmp(r, "BF30038001009000"), what, r);
	}
}

/* ---- profile management over PC/SC ----------------------------------------- */

/* ICCIDs (tag 5A values, hex) of the listed profiles, in order. */
static int list_iccids(unsigned ch, char iccids[][21], int max)
{
	const char *r = es10(ch, "BF2D035C015A");
	int n = 0;

	for (const char *p = strstr(r, "5A0A"); p && n < max; p = strstr(p + 4 + 20, "5A0A")) {
		memcpy(iccids[n], p + 4, 20);
		iccids[n++][20] = 0;
	}
	return n;
}

static const char *by_iccid(unsigned ch, const char *tag, const char *iccid, const char *flag)
{
	char req[96];

	snprintf(req, sizeof(req), "%s11A00C5A0A%s8101%s", tag, iccid, flag);
	return es10(ch, req);
}

static void lifecycle(bool again)
{
	unsigned ch = open_isdr();
	char iccid[4][21], req[96], want[64];
	int n = list_iccids(ch, iccid, 4);
	const char *r;

	if (again) {
		check(n == 1, "after the restart one profile is left", es10(ch, "BF2D00"));
		r = es10(ch, "BF2D00");
		check(strstr(r, "90046E69636B") != NULL, "its nickname survived", r);
		check(strstr(r, "9F700100") != NULL, "it is disabled", r);
		r = es10(ch, "BF2800");
		check(strstr(r, "81020520") && !strstr(r, "81020640") && !strstr(r, "81020410"),
		      "removed notifications stay removed; the disable one is still pending", r);
		return;
	}
	check(n == 2, "two side-loaded profiles are listed", es10(ch, "BF2D00"));
	if (n != 2)
		return;
	r = by_iccid(ch, "BF31", iccid[0], "FF");
	check(!strcmp(r, "BF31038001009000"), "ES10c.EnableProfile", r);
	r = by_iccid(ch, "BF31", iccid[0], "FF");
	check(!strcmp(r, "BF31038001029000"), "enabling it again: profileNotInDisabledState", r);
	/* The enabled profile's files, on the basic channel. */
	r = xfer("00A4040C0CA0000000871002FF49FF0589");
	check(!strcmp(r, "9000"), "SELECT ADF.USIM of the enabled profile", r);
	r = xfer("00A4000C026F07");
	check(!strcmp(r, "9000"), "SELECT EF.IMSI", r);
	r = xfer("00B0000009");
	check(!strncmp(r, "08", 2) && ends_with(r, "9000"), "READ BINARY EF.IMSI", r);
	r = xfer("00A4000C022FE2");
	r = xfer("00B000000A");
	snprintf(want, sizeof(want), "%s9000", iccid[0]);
	check(!strcmp(r, want), "EF.ICCID is the enabled profile's", r);
	snprintf(req, sizeof(req), "BF29125A0A%s90046E69636B", iccid[0]);
	r = es10(ch, req);
	check(!strcmp(r, "BF29038001009000"), "ES10c.SetNickname", r);
	r = by_iccid(ch, "BF32", iccid[0], "FF");
	check(!strcmp(r, "BF32038001009000"), "ES10c.DisableProfile", r);
	r = xfer("00A4040C0CA0000000871002FF49FF0589");
	check(!strcmp(r, "6A82"), "ADF.USIM is gone once disabled", r);
	snprintf(req, sizeof(req), "BF330C5A0A%s", iccid[1]);
	r = es10(ch, req);
	check(!strcmp(r, "BF33038001009000"), "ES10c.DeleteProfile", r);
	r = es10(ch, req);
	check(!strcmp(r, "BF33038001019000"), "deleting it again: iccidOrAidNotFound", r);
	/* the side-loaded profiles notify enable/disable/delete to the
	 * address in their metadata */
	r = es10(ch, "BF2800");
	{
		/* the last three entries: BF2F L 80 01|02 seq 81 02 xx event */
		char seq[3][9] = { "", "", "" };
		const char *ev[3] = { "81020640", "81020520", "81020410" };
		int k = 0;

		for (const char *p = strstr(r, "BF2F"); p; p = strstr(p + 4, "BF2F")) {
			unsigned l = 0;

			sscanf(p + 8, "%2x", &l);
			if (l < 1 || l > 3)
				continue;
			for (int e = 0; e < 3; e++)
				if (!strncmp(p + 10 + 2 * l, ev[e], 8))
					snprintf(seq[e], sizeof(seq[e]), "%.*s", 4 + 2 * l, p + 6);
			k++;
		}
		check(seq[0][0] && seq[1][0] && seq[2][0], "ES10b.ListNotification: enable, disable, delete", r);
		/* remove enable and delete; disable stays for after the restart */
		snprintf(req, sizeof(req), "BF30%02zX%s", strlen(seq[0]) / 2, seq[0]);
		r = es10(ch, req);
		check(!strcmp(r, "BF30038001009000"), "ES10b.RemoveNotificationFromList", r);
		r = es10(ch, req);
		check(!strcmp(r, "BF30038001019000"), "... again: nothingToDelete", r);
		snprintf(req, sizeof(req), "BF30%02zX%s", strlen(seq[2]) / 2, seq[2]);
		r = es10(ch, req);
		check(!strcmp(r, "BF30038001009000"), "... and the delete notification", r);
		snprintf(req, sizeof(req), "BF2B%02zXA0%02zX%s", strlen(seq[1]) / 2 + 2, strlen(seq[1]) / 2, seq[1]);
		r = es10(ch, req);
		check(!strncmp(r, "BF2B", 4) && ends_with(r, "9000") && strlen(r) > 400,
		      "ES10b.RetrieveNotificationsList by seqNumber", r);
		(void)k;
	}
	r = es10(ch, "BF3403820100");
	check(!strcmp(r, "BF34038001019000"), "eUICCMemoryReset with no option: nothingToDelete", r);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	const char *reader, *mode;
	DWORD alen = 0;
	LONG rv;

	if (argc < 3) {
		fprintf(stderr, "usage: pcsc-test READER first|again|t1|bench N\n");
		return 2;
	}
	reader = argv[1];
	mode = argv[2];
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		printf("FAIL cannot reach pcscd\n0 passed, 1 failed\n");
		return 1;
	}
	if (!strcmp(mode, "readers")) {
		/* List reader names, one per line (READER is ignored). */
		char names[8192];
		DWORD len = sizeof(names);

		if (SCardListReaders(ctx, NULL, names, &len) != SCARD_S_SUCCESS)
			return 1;
		for (char *p = names; *p; p += strlen(p) + 1)
			printf("%s\n", p);
		SCardReleaseContext(ctx);
		return 0;
	}
	if (!strcmp(mode, "absent")) {
		check(wait_for_no_card(reader, 20), "pcscd saw the card leave the reader", NULL);
		goto out;
	}
	if (!wait_for_card(reader, 20)) {
		printf("FAIL no card in reader '%s' after 20 s\n0 passed, 1 failed\n", reader);
		return 1;
	}
	if (!strcmp(mode, "t1")) {
		/* The ATR offers T=0 only: a T=1-only connection must fail. */
		rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T1, &card, &proto);
		check(rv != SCARD_S_SUCCESS, "T=1-only connect is refused (ATR offers T=0)",
		      pcsc_stringify_error(rv));
		if (rv == SCARD_S_SUCCESS)
			SCardDisconnect(card, SCARD_UNPOWER_CARD);
		goto out;
	}
	rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0, &card, &proto);
	check(rv == SCARD_S_SUCCESS, "T=0 exclusive connect (as lpac does)", pcsc_stringify_error(rv));
	if (rv != SCARD_S_SUCCESS)
		goto out;
	rv = SCardStatus(card, NULL, NULL, NULL, NULL, NULL, &alen);
	check(rv == SCARD_S_SUCCESS && alen == 18, "ATR is 18 bytes", NULL);
	if (!strcmp(mode, "first")) {
		full_check();
	} else if (!strcmp(mode, "again")) {
		again_check();
	} else if (!strcmp(mode, "download") && argc > 4) {
		download_all(argv[3], argc - 4, argv + 4);
	} else if (!strcmp(mode, "eid")) {
		/* print the card's EID (ES10c.GetEID over a logical channel) */
		unsigned ch;
		const char *r;

		passed = failed = 0;
		ch = open_isdr();
		r = es10(ch, "BF3E035C015A");
		if (strlen(r) == 46 && !strncmp(r, "BF3E125A10", 10) && ends_with(r, "9000")) {
			printf("EID %.32s\n", r + 10);
			SCardDisconnect(card, SCARD_UNPOWER_CARD);
			SCardReleaseContext(ctx);
			return 0;
		}
		printf("FAIL GetEID answered %s\n", r);
		return 1;
	} else if (!strcmp(mode, "lifecycle") || !strcmp(mode, "lifecycle-again")) {
		lifecycle(!strcmp(mode, "lifecycle-again"));
	} else if (!strcmp(mode, "bench-download") && argc > 5) {
		/* CURVE FILE N: mean wall time of a whole download as the LPA
		 * sees it (card + pcscd/vpcd + the test SM-DP+'s own work). */
		unsigned ch = open_isdr();
		int n = atoi(argv[5]);
		double t0 = now_us(), total = 0;

		for (int i = 0; i < n; i++) {
			struct smdp_pir pir = { 0 };
			char req[64];
			const char *why;

			t0 = now_us();
			why = download(ch, argv[3], argv[4], &pir);
			total += now_us() - t0;
			if (why) {
				printf("FAIL %s\n", why);
				return 1;
			}
			snprintf(req, sizeof(req), "BF33124F10");
			tohex(pir.aid, pir.aid_len, req + strlen(req));
			es10(ch, req);
			snprintf(req, sizeof(req), "BF30%s", pir.seq_number > 0x7F ? "04800200" : "038001");
			snprintf(req + strlen(req), sizeof(req) - strlen(req), "%02lX", pir.seq_number & 0xFF);
			es10(ch, req);
		}
		printf("%.2f\n", total / n / 1000.0);
		SCardDisconnect(card, SCARD_UNPOWER_CARD);
		SCardReleaseContext(ctx);
		return 0;
	} else if (!strcmp(mode, "bench") && argc > 3) {
		int n = atoi(argv[3]);
		double t0;

		xfer("00A4040C10A0000005591010FFFFFFFF8900000100");
		t0 = now_us();
		for (int i = 0; i < n; i++)
			xfer("80E2910006BF3E035C015A00");
		printf("%.1f\n", (now_us() - t0) / n);
		SCardDisconnect(card, SCARD_UNPOWER_CARD);
		SCardReleaseContext(ctx);
		return 0;
	}
	SCardDisconnect(card, SCARD_UNPOWER_CARD);
out:
	SCardReleaseContext(ctx);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
