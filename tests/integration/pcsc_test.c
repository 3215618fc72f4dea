/* Integration client: drives the card through libpcsclite, pcscd and the
 * vpcd driver exactly as an LPA would (T=0, logical channel, STORE DATA
 * segments of 120 bytes, GET RESPONSE with CLA 0x8X).
 *
 *   pcsc-test READER first     full check, then SetDefaultDpAddress
 *   pcsc-test READER again     check the address survived a restart
 *   pcsc-test READER bench N   print the mean APDU round trip in µs
 *   pcsc-test READER absent    wait until the reader is empty
 *   pcsc-test READER t1        a T=1-only connect must fail
 */
#include <stdint.h>
#include <winscard.h>
#include <wintypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Send one APDU; returns hex of data+SW in a static buffer. */
static const char *xfer(const char *hex)
{
	static char out[2 * 300];
	uint8_t cmd[300], rsp[300];
	DWORD rlen = sizeof(rsp);
	size_t n = unhex(hex, cmd);
	const SCARD_IO_REQUEST *pci = proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	LONG rv = SCardTransmit(card, pci, cmd, (DWORD)n, NULL, rsp, &rlen);

	if (rv != SCARD_S_SUCCESS) {
		snprintf(out, sizeof(out), "ERR:%s", pcsc_stringify_error(rv));
		return out;
	}
	tohex(rsp, rlen, out);
	return out;
}

/* ES10 the way lpac sends it. Returns data+SW hex. */
static const char *es10(unsigned ch, const char *der_hex)
{
	static char acc[2 * 70000];
	uint8_t der[4096];
	size_t len = unhex(der_hex, der), off = 0;
	unsigned block = 0;
	const char *r = "";
	char cmd[2 * 300];

	acc[0] = 0;
	while (off < len) {
		size_t n = len - off > 120 ? 120 : len - off;
		bool last = off + n == len;
		char data[2 * 130];

		tohex(der + off, n, data);
		snprintf(cmd, sizeof(cmd), "8%XE2%s%02X%02X%s", ch, last ? "91" : "11", block++,
			 (unsigned)n, data);
		r = xfer(cmd);
		off += n;
		if (!last && strcmp(r, "9000"))
			return r;
	}
	for (;;) {
		size_t rl = strlen(r);

		if (rl < 4 || !strncmp(r, "ERR", 3))
			return r;
		size_t al = strlen(acc);

		if (al + rl >= sizeof(acc))
			return "ERR:response too long";
		memcpy(acc + al, r, rl - 4);
		acc[al + rl - 4] = 0;
		if (strncmp(r + rl - 4, "61", 2)) {
			strcat(acc, r + rl - 4);
			return acc;
		}
		snprintf(cmd, sizeof(cmd), "8%XC00000%s", ch, r + rl - 2);
		r = xfer(cmd);
	}
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
	check(!strncmp(r, "621E8202", 8) && ends_with(r, "9000"), "SELECT MF returns an FCP", r);
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
