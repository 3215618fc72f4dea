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
 *   pcsc-test READER present S a card in READER within S seconds, pcscd
 *                              maybe still starting (prints the time)
 *   pcsc-test READER download CURVE FILE...
 *                              download each profile package through the
 *                              test SM-DP+ (tests/smdp) on NIST or BRP,
 *                              check it is listed, then delete it
 *   pcsc-test READER lifecycle / lifecycle-again
 *                              profile management on two side-loaded
 *                              profiles, and what must survive a restart
 *   pcsc-test READER aka SIM FILE...
 *                              download each package, enable it, and run
 *                              AUTHENTICATE on each of its NAAs against
 *                              vectors of an independent AuC (Debian's
 *                              osmo-auc-gen) from the K/OPc `SIM dump
 *                              FILE --show-keys` prints: RES, CK, IK, Kc
 *                              byte for byte, replay -> AUTS that
 *                              osmo-auc-gen -A resolves to the SQN, wrong
 *                              K -> 9862, GSM context; then delete it
 *   pcsc-test READER usim-write / usim-check
 *                              file updates and PIN state on the enabled
 *                              profile, across disable/enable, and after
 *                              a restart
 *   pcsc-test READER aka-die SIM FILE / aka-replay SIM FILE
 *                              one AUTHENTICATE to a card that kills
 *                              itself right after storing the SQN (test
 *                              hook), then the same AUTN after a restart:
 *                              refused with AUTS
 *   pcsc-test READER report-good / report-bad
 *                              an LPA that follows every rule of the
 *                              conformance report / breaks each once
 *
 * With PCSC_TEST_APDU_LOG=FILE every APDU exchanged is appended to FILE
 * as "COMMAND SW" in hex, for the trace test to compare with the card's
 * pcap and JSON trace.
 */
#include <stdint.h>
#include <winscard.h>
#include <wintypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "tests/integration/pcsc_lib.h"

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

/* check() with a formatted description. */
static void checkf(bool ok, const char *detail, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void checkf(bool ok, const char *detail, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	check(ok, what, detail);
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
	check(!strncmp(r, "621A8202", 8) && ends_with(r, "9000"), "SELECT MF returns an FCP", r);
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

/* ---- faults and the control socket (tests/integration/faults.sh) ------------ */

static double now_us(void);

/* `euicc-sim ctl --socket $EUICC_CTL ARGS`: its one-line JSON answer. */
static const char *ctl(const char *args)
{
	static char line[65536];
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' ctl --socket '%s' %s", getenv("EUICC_SIM"), getenv("EUICC_CTL"), args);
	p = popen(cmd, "r");
	line[0] = 0;
	if (!p || !fgets(line, sizeof(line), p))
		snprintf(line, sizeof(line), "(no answer)");
	if (p)
		pclose(p);
	line[strcspn(line, "\n")] = 0;
	return line;
}

/* The control socket's status agrees with what the card says over ES10. */
static void status_agrees(unsigned ch)
{
	char iccids[16][21], want[128], eid[33];
	const char *r = es10(ch, "BF3E035C015A"), *st;
	int n;

	snprintf(eid, sizeof(eid), "%.32s", r + 10);
	n = list_iccids(ch, iccids, 16);
	st = ctl("status");
	snprintf(want, sizeof(want), "\"eid\":\"%s\"", eid);
	check(strstr(st, want) != NULL, "ctl status: the EID of GetEID", st);
	check(strstr(st, "\"inserted\":true") && strstr(st, "\"powered\":true"), "ctl status: inserted, powered", st);
	for (int i = 0; i < n; i++) {
		char digits[21];
		size_t k = 0;

		/* tag 5A hex -> digits: swap each byte's nibbles, drop F */
		for (size_t b = 0; b + 1 < strlen(iccids[i]); b += 2) {
			if (iccids[i][b + 1] != 'F')
				digits[k++] = iccids[i][b + 1];
			if (iccids[i][b] != 'F')
				digits[k++] = iccids[i][b];
		}
		digits[k] = 0;
		snprintf(want, sizeof(want), "\"iccid\":\"%s\"", digits);
		check(strstr(st, want) != NULL, "ctl status lists each profile of GetProfilesInfo", want);
	}
	r = es10(ch, "BF2800");
	check((strstr(r, "BF2F") != NULL) == (strstr(st, "\"seq\":") != NULL),
	      "ctl status: notifications as ListNotification", st);
}

static const char *TS48 = SIM_DATADIR "/profiles/ts48/TS48V2-SAIP2-1-BERTLV-UNIQUE.der";
static const char *TS48_OTHER = SIM_DATADIR "/profiles/ts48/TS48V3-SAIP2-1-BERTLV-UNIQUE.der";

static void faults_check(void)
{
	unsigned ch = open_isdr();
	struct smdp_pir pir = { 0 };
	const char *why, *r;
	double t0;
	char st[65536];

	status_agrees(ch);
	/* sw= on a named ES10 function */
	check(!strncmp(ctl("fault sw=6A88 on=ES10b.GetEUICCChallenge"), "{\"ok\":true", 10), "ctl fault sw=", NULL);
	r = es10(ch, "BF2E00");
	check(!strcmp(r, "6A88"), "sw=6A88 answers GetEUICCChallenge", r);
	r = es10(ch, "BF2E00");
	check(strlen(r) == 46, "... once (times=1): the next challenge comes", r);
	/* error= on PrepareDownload reaches the client as that error code */
	ctl("fault error=3 on=ES10b.PrepareDownload");
	why = download(ch, "NIST", TS48, &pir);
	check(why && strstr(why, "PrepareDownload: code 3"), "error=3 on PrepareDownload: downloadErrorCode 3", why);
	/* memory= gives installFailedDueToInsufficientMemoryForProfile (10) */
	ctl("fault memory=1k");
	snprintf(st, sizeof(st), "%s", ctl("status"));
	check(strstr(st, "\"memory_free\":1024") != NULL, "memory=1k: status reports 1024 bytes free", st);
	why = download(ch, "NIST", TS48, &pir);
	check(why && strstr(why, "errorReason 10"), "memory=1k: the download fails, insufficient memory", why);
	ctl("fault-clear");
	/* bpp-error= at the third piece: that errorResult, nothing installed */
	ctl("fault bpp-error=pprNotAllowed on=ES10b.LoadBoundProfilePackage nth=3");
	why = download(ch, "NIST", TS48, &pir);
	check(why && strstr(why, "errorReason 15"), "bpp-error=pprNotAllowed: errorResult 15", why);
	snprintf(st, sizeof(st), "%s", ctl("status"));
	check(strstr(st, "\"profiles\":[]") != NULL, "... and no profile installed", st);
	/* delay= holds the answer */
	ctl("fault delay=400 on=ES10c.GetEID");
	t0 = now_us();
	r = es10(ch, "BF3E035C015A");
	check(ends_with(r, "9000") && now_us() - t0 >= 400e3, "delay=400 answers GetEID after 400 ms", r);
	/* a fault that names an unknown action, or error= where there is no
	 * error code, is refused with a message */
	check(!strncmp(ctl("fault frobnicate on=SELECT"), "{\"ok\":false,\"error\":", 20), "unknown action refused", NULL);
	check(!strncmp(ctl("fault error=3 on=ES10c.GetEID"), "{\"ok\":false", 11), "error= on GetEID refused", NULL);
	/* the next download succeeds */
	why = download(ch, "NIST", TS48, &pir);
	check(why == NULL && pir.success, "after the faults a download succeeds", why);
	status_agrees(ch);
}

/* remove during LoadBoundProfilePackage: the download fails, no new
 * profile, and after ctl insert the next download succeeds. */
static void remove_check(const char *reader)
{
	unsigned ch = open_isdr();
	struct smdp_pir pir = { 0 };
	const char *why, *st;
	LONG rv;

	ctl("fault remove on=ES10b.LoadBoundProfilePackage nth=5");
	why = download(ch, "NIST", TS48_OTHER, &pir);
	check(why != NULL, "remove during LoadBoundProfilePackage: the download fails", why);
	check(wait_for_no_card(reader, 10), "pcscd sees the card leave", NULL);
	st = ctl("status");
	/* TS48V3-SAIP2-1-BERTLV-UNIQUE is ICCID 8949449999999990064 */
	check(strstr(st, "\"inserted\":false") && !strstr(st, "\"iccid\":\"8949449999999990064\",\"aid\""),
	      "status: removed, no new profile", st);
	check(strstr(st, "\"event\":\"install\"") != NULL,
	      "... and the interrupted load left its errorResult notification", st);
	ctl("insert");
	check(wait_for_card(reader, 10), "ctl insert: the card is back", NULL);
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	rv = SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0, &card, &proto);
	check(rv == SCARD_S_SUCCESS, "connect again", pcsc_stringify_error(rv));
	ch = open_isdr();
	why = download(ch, "NIST", TS48_OTHER, &pir);
	check(why == NULL && pir.success, "the next download succeeds", why);
}

/* mute: the client gets no answer (it times out); ctl reset brings the
 * card back. */
static void mute_check(void)
{
	unsigned ch = open_isdr();
	int pipefd[2];
	pid_t pid;
	char got[64] = "";
	struct pollfd pf;
	const char *r;

	ctl("fault mute on=ES10c.GetEID");
	if (pipe(pipefd) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		const char *a = es10(ch, "BF3E035C015A");

		if (write(pipefd[1], a, strlen(a)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	pf = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	check(poll(&pf, 1, 2000) == 0, "mute: no answer within 2 s (the client times out)", NULL);
	check(strstr(ctl("status"), "\"muted\":true") != NULL, "status says muted", NULL);
	ctl("reset");
	if (poll(&pf, 1, 10000) > 0 && read(pipefd[0], got, sizeof(got) - 1) < 0)
		got[0] = 0;
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	check(!strcmp(got, "6F00") || !strncmp(got, "ERR", 3), "ctl reset: the held command ends (6F00)", got);
	/* after the warm reset the channels are closed: open again */
	ch = open_isdr();
	r = es10(ch, "BF3E035C015A");
	check(ends_with(r, "9000"), "... and the card answers again", r);
}

/* The control socket keeps serving after a malformed line and a client
 * that leaves in the middle of one. */
static void control_robustness(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", getenv("EUICC_CTL"));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	check(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect to the control socket", NULL);
	static const char two[] = "{not json\n{\"cmd\":\"faults\"}\n";

	if (write(fd, two, sizeof(two) - 1) != (ssize_t)sizeof(two) - 1)
		return;
	usleep(200000);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	check(strstr(buf, "{\"ok\":false,\"error\":\"malformed JSON") == buf, "malformed JSON: an error line", buf);
	check(strstr(buf, "\n{\"ok\":true,\"faults\"") != NULL, "... and the next request is served", buf);
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && write(fd, "{\"cmd\":\"sta", 12) == 12)
		close(fd);	/* gone mid-line */
	check(!strncmp(ctl("status"), "{\"ok\":true", 10), "a client gone mid-line disturbs nothing", NULL);
}

/* ---- the enabled profile's NAAs over PC/SC --------------------------------------- */

/* An APDU on the basic channel, following 61xx with GET RESPONSE: the
 * whole answer and the final SW, in hex. */
static const char *xfer_data(const char *hex)
{
	static char all[4096];
	const char *r = xfer(hex);

	snprintf(all, sizeof(all), "%s", r);
	for (size_t n = strlen(all); n >= 4 && !strncmp(all + n - 4, "61", 2); n = strlen(all)) {
		char gr[16];

		snprintf(gr, sizeof(gr), "00C00000%.2s", all + n - 2);
		all[n - 4] = 0;
		strncat(all, xfer(gr), sizeof(all) - strlen(all) - 1);
	}
	return all;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

/* One NAA with AKA parameters, as `euicc-sim dump --show-keys` prints it. */
struct naa {
	char aid[33];
	char alg[32];		/* osmo-auc-gen's name: xor, milenage */
	char k[65], opc[65];
	bool usim;
};

/* The NAAs of a package: the ADFs (FID -> AID) and the AKA blocks. */
static int package_naas(const char *sim, const char *file, struct naa *out, int max)
{
	char cmd[1024], line[512], adf_fid[8][5], adf_aid[8][33];
	int n_adf = 0, n = 0;
	struct naa *cur = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' dump '%s' --show-keys", sim, file);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		char fid[5], aid[33], alg[32], hex[65];

		if (sscanf(line, " 3F00/%4s %*s ADF AID %32s", fid, aid) == 2 && n_adf < 8) {
			snprintf(adf_fid[n_adf], sizeof(adf_fid[0]), "%s", fid);
			snprintf(adf_aid[n_adf++], sizeof(adf_aid[0]), "%s", aid);
		} else if (sscanf(line, "AKA (PE %*u, ADF %4s): %31[^,]", fid, alg) == 2 && n < max) {
			cur = &out[n++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->aid, sizeof(cur->aid), "%s", fid);	/* the FID until the ADFs are known */
			snprintf(cur->alg, sizeof(cur->alg), "%s", !strcmp(alg, "usim-test-algorithm") ? "xor" :
				 !strcmp(alg, "milenage") ? "milenage" : alg);
		} else if (cur && sscanf(line, " K = %64s", hex) == 1) {
			snprintf(cur->k, sizeof(cur->k), "%s", hex);
		} else if (cur && sscanf(line, " OPc = %64s", hex) == 1) {
			snprintf(cur->opc, sizeof(cur->opc), "%s", hex);
		}
	}
	pclose(p);
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n_adf; j++)
			if (!strcmp(out[i].aid, adf_fid[j]))
				snprintf(out[i].aid, sizeof(out[i].aid), "%.32s", adf_aid[j]);
		out[i].usim = !strncmp(out[i].aid, "A0000000871002", 14);
	}
	return n;
}

/* An authentication vector from osmo-auc-gen. */
struct vec {
	char rand[33], autn[33], res[65], ck[65], ik[65], kc[17], sres[9];
	unsigned long long sqn;
};

static bool osmo_value(const char *out, const char *key, char *v, size_t cap)
{
	const char *p = strstr(out, key);
	char fmt[16];

	if (!p)
		return false;
	snprintf(fmt, sizeof(fmt), "%%%zus", cap - 1);
	if (sscanf(p + strlen(key), fmt, v) != 1)
		return false;
	upper(v);
	return true;
}

static bool osmo(const char *args, char *out, size_t cap)
{
	char cmd[512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "osmo-auc-gen -3 %s 2>&1", args);
	p = popen(cmd, "r");
	if (!p)
		return false;
	n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	return pclose(p) == 0;
}

/* "-o OPc" for MILENAGE; the test algorithm has no OPc input. */
static const char *opc_arg(const struct naa *a)
{
	static char arg[80];

	snprintf(arg, sizeof(arg), "%s%s", strcmp(a->alg, "xor") && a->opc[0] ? "-o " : "",
		 strcmp(a->alg, "xor") && a->opc[0] ? a->opc : "");
	return arg;
}

/* The vector for RAND and the -s value s (osmo-auc-gen prints the SQN it
 * put into AUTN); another K if wrong_k. */
static bool make_vec(const struct naa *a, const char *rand, unsigned long long s, const char *amf, bool wrong_k,
		     struct vec *v)
{
	char args[256], k[65], out[4096];
	const char *p;

	snprintf(k, sizeof(k), "%s", a->k);
	/* another first digit: the test algorithm's MAC-A depends on the
	 * first 8 bytes of K only (TS 34.108 §8.1.2) */
	if (wrong_k)
		k[0] = k[0] == '0' ? '1' : '0';
	snprintf(args, sizeof(args), "-a %s -k %s %s -r %s -s %llu -f %s", a->alg, k, opc_arg(a), rand, s, amf);
	memset(v, 0, sizeof(*v));
	if (!osmo(args, out, sizeof(out)))
		return false;
	snprintf(v->rand, sizeof(v->rand), "%s", rand);
	upper(v->rand);
	if (!osmo_value(out, "AUTN:", v->autn, sizeof(v->autn)) || !osmo_value(out, "RES:", v->res, sizeof(v->res)) ||
	    !osmo_value(out, "CK:", v->ck, sizeof(v->ck)) || !osmo_value(out, "IK:", v->ik, sizeof(v->ik)) ||
	    !osmo_value(out, "Kc:", v->kc, sizeof(v->kc)) || !osmo_value(out, "SRES:", v->sres, sizeof(v->sres)))
		return false;
	p = strstr(out, "\nSQN:");
	return p && sscanf(p + 5, "%llu", &v->sqn) == 1;
}

static void random_hex(char *out, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02X", (unsigned)(rand() & 0xFF));
}

static const char *authenticate(const struct vec *v)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "008800812210%s10%s", v->rand, v->autn);
	return xfer_data(cmd);
}

/* The answer a vector calls for: DB RES CK IK, and Kc for the USIM. */
static const char *want_db(const struct vec *v, bool kc)
{
	static char w[256];

	snprintf(w, sizeof(w), "DB%02zX%s10%s10%s%s%s9000", strlen(v->res) / 2, v->res, v->ck, v->ik, kc ? "08" : "",
		 kc ? v->kc : "");
	return w;
}

/* osmo-auc-gen -A: the SQN_MS an AUTS carries (MAC-S checked). */
static bool osmo_auts(const struct naa *a, const char *rand, const char *auts, unsigned long long *sqn_ms)
{
	char args[256], out[4096];
	const char *p;

	snprintf(args, sizeof(args), "-a %s -k %s %s -r %s -A %s", a->alg, a->k, opc_arg(a), rand, auts);
	if (!osmo(args, out, sizeof(out)) || !(p = strstr(out, "SQN.MS:")))
		return false;
	return sscanf(p + 7, "%llu", sqn_ms) == 1;
}

/* Replaying v: DC AUTS, which osmo-auc-gen resolves to want. */
static void check_replay(const struct naa *a, const struct vec *v, unsigned long long want, const char *what)
{
	const char *r = authenticate(v);
	unsigned long long ms = 0;
	char auts[29];

	checkf(strlen(r) == 36 && !strncmp(r, "DC0E", 4) && ends_with(r, "9000"), r, "%s: replayed AUTN -> DC AUTS",
	       what);
	if (strlen(r) != 36)
		return;
	memcpy(auts, r + 4, 28);
	auts[28] = 0;
	checkf(osmo_auts(a, v->rand, auts, &ms) && ms == want, auts,
	       "%s: osmo-auc-gen -A resolves the AUTS to SQN %llu", what, want);
}

static void aka_naa(const struct naa *a, const char *base)
{
	unsigned long long s0 = 1000 + (unsigned)(rand() % 100000);
	char what[160], sel[64], rnd[33], cmd[64], want[64];
	struct vec v1, v2, bad;
	const char *r;

	snprintf(sel, sizeof(sel), "00A4040C%02zX%s", strlen(a->aid) / 2, a->aid);
	snprintf(what, sizeof(what), "%s %s", base, a->usim ? "USIM" : strncmp(a->aid, "A0000000871004", 14) ?
		 a->aid : "ISIM");
	r = xfer(sel);
	checkf(!strcmp(r, "9000"), r, "%s: SELECT ADF", what);
	random_hex(rnd, 16);
	if (!make_vec(a, rnd, s0, "8000", false, &v1)) {
		checkf(false, a->alg, "%s: osmo-auc-gen gives a vector", what);
		return;
	}
	r = authenticate(&v1);
	checkf(!strcmp(r, want_db(&v1, a->usim)), r, "%s: AUTHENTICATE 3G (AMF 8000) = osmo-auc-gen's RES, CK, IK%s",
	       what, a->usim ? ", Kc" : "");
	check_replay(a, &v1, v1.sqn, what);
	random_hex(rnd, 16);
	make_vec(a, rnd, s0 + 64, "0000", true, &bad);
	r = authenticate(&bad);
	checkf(!strcmp(r, "9862"), r, "%s: AUTN under another K -> 9862", what);
	random_hex(rnd, 16);
	make_vec(a, rnd, s0 + 32, "0000", false, &v2);
	r = authenticate(&v2);
	checkf(!strcmp(r, want_db(&v2, a->usim)), r, "%s: the next SQN is accepted", what);
	if (!a->usim)
		return;
	/* GSM context: SRES and Kc of the same RAND */
	snprintf(cmd, sizeof(cmd), "008800801110%s", v2.rand);
	snprintf(want, sizeof(want), "04%s08%s9000", v2.sres, v2.kc);
	r = xfer_data(cmd);
	checkf(!strcmp(r, want), r, "%s: AUTHENTICATE GSM = osmo-auc-gen's SRES, Kc", what);
}

static void aka_all(const char *sim, int nfiles, char **files)
{
	unsigned ch = open_isdr();

	srand((unsigned)time(NULL));
	for (int i = 0; i < nfiles; i++) {
		struct smdp_pir pir = { 0 };
		const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
		const char *why = download(ch, "NIST", files[i], &pir);
		char what[256], aid[40], req[64];
		struct naa naas[4];
		int n = package_naas(sim, files[i], naas, 4);
		const char *r;

		snprintf(what, sizeof(what), "%s downloaded over PC/SC, with %d NAA(s)", base, n);
		check(!why && n >= 1, what, why);
		if (why)
			continue;
		tohex(pir.aid, pir.aid_len, aid);
		snprintf(req, sizeof(req), "BF3117A0124F10%s8101FF", aid);	/* ISD-P AID, refreshFlag */
		r = es10(ch, req);
		snprintf(what, sizeof(what), "%s enabled", base);
		check(!strcmp(r, "BF31038001009000"), what, r);
		for (int k = 0; k < n; k++)
			aka_naa(&naas[k], base);
		snprintf(req, sizeof(req), "BF3217A0124F10%s8101FF", aid);
		r = es10(ch, req);
		snprintf(req, sizeof(req), "BF33124F10%s", aid);
		r = es10(ch, req);
		snprintf(what, sizeof(what), "%s disabled and deleted", base);
		check(!strcmp(r, "BF33038001009000"), what, r);
		snprintf(req, sizeof(req), "BF3003800%s%02lX", pir.seq_number > 0xFF ? "2" : "1", pir.seq_number & 0xFF);
		if (pir.seq_number > 0xFF)
			snprintf(req, sizeof(req), "BF3004800200%02lX", pir.seq_number & 0xFF);
		es10(ch, req);
	}
}

/* ---- files and PINs of the enabled profile ---------------------------------------- */

#define SEL_USIM "00A4040C07A0000000871002"	/* right-truncated AID */
#define LOCI_NEW "1122334442F6180001FF00"
#define PIN1 "30303030FFFFFFFF"
#define PIN_WRONG "39393939FFFFFFFF"

static void expect(const char *cmd, const char *want, const char *what)
{
	const char *r = xfer_data(cmd);

	check(!strcmp(r, want), what, r);
}

/* ES10c disable and enable of the enabled profile (its ICCID from its
 * EF.ICCID, coded as tag 5A), on a logical channel. */
static void disable_enable(void)
{
	char iccid[32], req[96];
	unsigned ch;

	xfer("00A4000C022FE2");
	snprintf(iccid, sizeof(iccid), "%s", xfer("00B000000A"));
	check(strlen(iccid) == 24 && ends_with(iccid, "9000"), "EF.ICCID of the enabled profile", iccid);
	iccid[20] = 0;
	ch = open_isdr();
	snprintf(req, sizeof(req), "BF3211A00C5A0A%s8101FF", iccid);
	check(!strcmp(es10(ch, req), "BF32038001009000"), "ES10c.DisableProfile", NULL);
	snprintf(req, sizeof(req), "BF3111A00C5A0A%s8101FF", iccid);
	check(!strcmp(es10(ch, req), "BF31038001009000"), "ES10c.EnableProfile", NULL);
	snprintf(req, sizeof(req), "007080%02X00", ch);
	xfer(req);
}

/* After disable/enable or a restart: PIN1 still enabled with 2 attempts
 * left, not verified, and EF.LOCI as written. */
static void check_kept(const char *after)
{
	char what[128];

	snprintf(what, sizeof(what), "SELECT ADF.USIM after %s", after);
	expect(SEL_USIM, "9000", what);
	snprintf(what, sizeof(what), "PIN1 still enabled with 2 attempts after %s", after);
	expect("00200001", "63C2", what);
	expect("00A4000C026F7E", "9000", "SELECT EF.LOCI");
	expect("00B000000B", "6982", "EF.LOCI needs PIN1");
	expect("0020000108" PIN1, "9000", "VERIFY PIN1");
	snprintf(what, sizeof(what), "EF.LOCI kept its content across %s", after);
	expect("00B000000B", LOCI_NEW "9000", what);
}

static void usim_write(void)
{
	expect(SEL_USIM, "9000", "SELECT ADF.USIM (right-truncated AID)");
	expect("00A4000C026F7E", "9000", "SELECT EF.LOCI");
	expect("00D600000B" LOCI_NEW, "9000", "UPDATE BINARY EF.LOCI (PIN1 disabled as TS.48 delivers it)");
	expect("00B000000B", LOCI_NEW "9000", "READ BINARY gives it back");
	expect("0028000108" PIN1, "9000", "ENABLE PIN1");
	expect("0020000108" PIN_WRONG, "63C2", "VERIFY PIN1 with a wrong value: 63C2");
	disable_enable();
	check_kept("disable/enable");
	expect("0020000108" PIN_WRONG, "63C2", "a wrong PIN1 again: 63C2 (left so for the restart)");
}

static void usim_check(void)
{
	check_kept("the restart");
	expect("002C0001", "63CA", "UNBLOCK PIN1 without data: the PUK's 10 attempts");
	expect("0026000108" PIN1, "9000", "DISABLE PIN1 again");
	expect("00D600000B" "FFFFFFFF42F618FFFEFF01", "9000", "EF.LOCI back to the package's content");
}

/* A fixed vector, the same in both runs of the kill test. */
static bool fixed_vec(const char *sim, const char *file, struct naa *a, struct vec *v)
{
	struct naa naas[4];
	int n = package_naas(sim, file, naas, 4);

	for (int i = 0; i < n; i++)
		if (naas[i].usim) {
			*a = naas[i];
			return make_vec(a, "00112233445566778899AABBCCDDEEFF", 4096 + 32 + 7, "8000", false, v);
		}
	return false;
}

static void aka_die(const char *sim, const char *file)
{
	struct naa a;
	struct vec v;
	const char *r;

	check(fixed_vec(sim, file, &a, &v), "a vector from osmo-auc-gen", NULL);
	expect(SEL_USIM, "9000", "SELECT ADF.USIM");
	r = authenticate(&v);
	/* vpcd reports a card that died as success with no data, or fails */
	check(!*r || !strncmp(r, "ERR", 3), "the card died after storing the SQN, before answering", r);
}

static void aka_replay(const char *sim, const char *file)
{
	struct naa a;
	struct vec v;

	check(fixed_vec(sim, file, &a, &v), "a vector from osmo-auc-gen", NULL);
	expect(SEL_USIM, "9000", "SELECT ADF.USIM after the kill");
	check_replay(&a, &v, v.sqn, "the AUTN the killed card had accepted");
}

/* ---- the LPA conformance report (tests/integration/report.sh) -------------------- */

#define TS48_ICCID "989444999999990940F9"	/* TS48 as in tag 5A */

/* The LPA program ends (power off) and the next one starts. */
static bool next_program(const char *reader)
{
	SCardDisconnect(card, SCARD_UNPOWER_CARD);
	return SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0, &card, &proto) == SCARD_S_SUCCESS;
}

static void close_channel(unsigned ch)
{
	char cmd[16];

	snprintf(cmd, sizeof(cmd), "007080%02X00", ch);
	check(!strcmp(xfer(cmd), "9000"), "MANAGE CHANNEL close", NULL);
}

/* An LPA that does what every rule says: each rule passes. */
static void report_good(const char *reader)
{
	unsigned ch = open_isdr();
	struct dl *d = calloc(1, sizeof(*d));
	struct smdp_pir pir = { 0 };
	uint8_t chal[16], *req = NULL;
	size_t len = 0;
	char hex[64];
	const char *r;

	/* a session the LPA postpones: CancelSession with its transactionId */
	check(dl_challenge(ch, d, chal) && ends_with(es10(ch, "BF2000"), "9000") && dl_auth(ch, d, "NIST", chal) == 0,
	      "GetEUICCChallenge, GetEUICCInfo1, AuthenticateServer", NULL);
	check(smdp_cancel_session_request(d->dp, 1, &req, &len) == 0 && dl_es10(ch, d, req, len) &&
	      smdp_check_cancel_response(d->dp, d->rsp, d->rsp_len - 2) == 0, "CancelSession (postponed)", NULL);
	free(req);
	dl_free(d);
	/* a download as lpac runs it */
	check(dl_challenge(ch, d, chal) && ends_with(es10(ch, "BF2000"), "9000") && dl_auth(ch, d, "NIST", chal) == 0 &&
	      dl_prepare(ch, d) == 0 && dl_bind(d, TS48) && dl_segments(ch, d, 0, d->n_seg, &pir) ==
	      (long)d->n_seg - 1 && pir.success, "a download in the segments of §2.5.5", NULL);
	dl_free(d);
	/* its notification: retrieved (and delivered), then removed */
	snprintf(hex, sizeof(hex), "BF2B05A0038001%02lX", pir.seq_number);
	r = es10(ch, hex);
	check(!strncmp(r, "BF2B", 4) && ends_with(r, "9000"), "RetrieveNotificationsList", r);
	snprintf(hex, sizeof(hex), "BF30038001%02lX", pir.seq_number);
	r = es10(ch, hex);
	check(!strcmp(r, "BF30038001009000"), "RemoveNotificationFromList", r);
	/* enabled with refreshFlag FALSE: the program ends, the card is reset */
	r = by_iccid(ch, "BF31", TS48_ICCID, "00");
	check(!strcmp(r, "BF31038001009000"), "EnableProfile, refreshFlag FALSE", r);
	r = es10(ch, "BF29125A0A" TS48_ICCID "900474657374");
	check(!strcmp(r, "BF29038001009000"), "SetNickname", r);
	close_channel(ch);
	check(next_program(reader), "power off, power on", NULL);
	ch = open_isdr();
	r = by_iccid(ch, "BF32", TS48_ICCID, "FF");
	check(!strcmp(r, "BF32038001009000"), "DisableProfile", r);
	r = es10(ch, "BF330C5A0A" TS48_ICCID);
	check(!strcmp(r, "BF33038001009000"), "DeleteProfile", r);
	close_channel(ch);
	free(d);
}

/* An LPA that gets every rule wrong once: each rule fails. */
static void report_bad(const char *reader)
{
	struct dl *d = calloc(1, sizeof(*d));
	struct smdp_pir pir = { 0 };
	uint8_t chal[16], chal2[16], *req = NULL;
	size_t len = 0;
	unsigned ch = 0;
	char cmd[600], nick[140] = "";
	const char *r;

	/* no TERMINAL CAPABILITY */
	r = xfer("0070000001");
	sscanf(r, "%2x", &ch);
	snprintf(cmd, sizeof(cmd), "0%XA4040010A0000005591010FFFFFFFF8900000100", ch);
	check(!strcmp(xfer(cmd), "611A"), "SELECT ISD-R on a channel, no TERMINAL CAPABILITY", NULL);
	es10(ch, "BF3E035C015A");
	/* GET RESPONSE with nothing announced */
	snprintf(cmd, sizeof(cmd), "8%XC0000010", ch);
	check(!strcmp(xfer(cmd), "6F00"), "GET RESPONSE with nothing pending", NULL);
	/* an ES10 response left in the card */
	snprintf(cmd, sizeof(cmd), "8%XE2910003BF2200", ch);
	check(!strncmp(xfer(cmd), "61", 2), "EUICCInfo2 announced", NULL);
	es10(ch, "BF3E035C015A");
	/* STORE DATA block 2 after block 0 */
	snprintf(cmd, sizeof(cmd), "8%XE2110003BF3E03", ch);
	xfer(cmd);
	snprintf(cmd, sizeof(cmd), "8%XE29102035C015A", ch);
	xfer(cmd);
	/* STORE DATA to the MF */
	check(!strcmp(xfer("80E2910006BF3E035C015A"), "6985"), "STORE DATA on the basic channel", NULL);
	/* not DER; an element the type does not have */
	es10(ch, "BF3E81035C015A");
	es10(ch, "BF3E065C015A9F7F00");
	/* 65 characters of nickname */
	for (int i = 0; i < 65; i++)
		strcat(nick, "61");
	snprintf(cmd, sizeof(cmd), "BF294F5A0A" TS48_ICCID "9041%s", nick);
	es10(ch, cmd);
	/* no EUICCInfo1, and the older of two challenges */
	check(dl_challenge(ch, d, chal) && dl_challenge(ch, d, chal2) && dl_auth(ch, d, "NIST", chal) == 6,
	      "AuthenticateServer with a stale challenge: euiccChallengeMismatch", NULL);
	dl_free(d);
	/* the channel left open */
	check(next_program(reader), "power off with the channel open, power on", NULL);

	ch = open_isdr();
	/* PrepareDownload after a new challenge; then CancelSession with no session */
	check(dl_challenge(ch, d, chal) && ends_with(es10(ch, "BF2000"), "9000") && dl_auth(ch, d, "NIST", chal) == 0 &&
	      dl_challenge(ch, d, chal2) && dl_prepare(ch, d) == 4, "PrepareDownload out of order: noSessionContext",
	      NULL);
	check(smdp_cancel_session_request(d->dp, 0, &req, &len) == 0 && dl_es10(ch, d, req, len),
	      "CancelSession with no session", NULL);
	free(req);
	dl_free(d);
	/* EnableProfile between AuthenticateServer and PrepareDownload; then
	 * the A1 header and its first 88 in one segment, and a segment after
	 * the eUICC ended the load */
	check(dl_challenge(ch, d, chal) && ends_with(es10(ch, "BF2000"), "9000") && dl_auth(ch, d, "NIST", chal) == 0,
	      "AuthenticateServer", NULL);
	by_iccid(ch, "BF31", TS48_ICCID, "FF");
	check(dl_prepare(ch, d) == 0 && dl_bind(d, TS48) && d->seg[2][0] == 0xA1 &&
	      d->seg[2] + d->seg_len[2] == d->seg[3], "PrepareDownload after EnableProfile", NULL);
	dl_segments(ch, d, 0, 2, NULL);
	dl_es10(ch, d, d->seg[2], d->seg_len[2] + d->seg_len[3]);
	dl_segments(ch, d, 4, 5, NULL);
	dl_free(d);
	/* GetEID in the middle of a BPP */
	check(dl_challenge(ch, d, chal) && ends_with(es10(ch, "BF2000"), "9000") && dl_auth(ch, d, "NIST", chal) == 0 &&
	      dl_prepare(ch, d) == 0 && dl_bind(d, TS48), "a download up to the BPP", NULL);
	dl_segments(ch, d, 0, 3, NULL);
	es10(ch, "BF3E035C015A");
	dl_free(d);
	/* an install notification removed without being retrieved; another
	 * one left on the card */
	check(download(ch, "NIST", TS48, &pir) == NULL, "download", NULL);
	snprintf(cmd, sizeof(cmd), "BF30038001%02lX", pir.seq_number);
	check(!strcmp(es10(ch, cmd), "BF30038001009000"), "RemoveNotificationFromList, never retrieved", NULL);
	check(download(ch, "NIST", TS48_OTHER, &pir) == NULL, "another download", NULL);
	/* enabled with refreshFlag FALSE, then the MF without a reset */
	r = by_iccid(ch, "BF31", TS48_ICCID, "00");
	check(!strcmp(r, "BF31038001009000"), "EnableProfile, refreshFlag FALSE", r);
	r = xfer("00A40004023F00");
	close_channel(ch);
	free(d);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* pcscd reachable and a card in the reader within the given time (pcscd
 * may still be starting, or its socket be a dead one's); prints how long
 * it took. */
static int wait_present(const char *reader, double seconds)
{
	double t0 = now_us(), end = t0 + seconds * 1e6;
	struct timespec ts = { 0, 50000000L };

	while (now_us() < end) {
		SCARDCONTEXT c;
		SCARD_READERSTATE st = { .szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE };
		LONG rv;

		if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c) == SCARD_S_SUCCESS) {
			rv = SCardGetStatusChange(c, 0, &st, 1);
			SCardReleaseContext(c);
			if ((rv == SCARD_S_SUCCESS || rv == SCARD_E_TIMEOUT) &&
			    (st.dwEventState & SCARD_STATE_PRESENT)) {
				printf("card present after %.0f ms\n", (now_us() - t0) / 1000);
				return 0;
			}
		}
		nanosleep(&ts, NULL);
	}
	printf("FAIL no card in '%s' within %g s\n", reader, seconds);
	return 1;
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
	if (!strcmp(mode, "present") && argc > 3)
		return wait_present(reader, atof(argv[3]));
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
	} else if (!strcmp(mode, "faults")) {
		faults_check();
		control_robustness();
	} else if (!strcmp(mode, "remove")) {
		remove_check(reader);
	} else if (!strcmp(mode, "mute")) {
		mute_check();
	} else if (!strcmp(mode, "report-good")) {
		report_good(reader);
	} else if (!strcmp(mode, "report-bad")) {
		report_bad(reader);
	} else if (!strcmp(mode, "lifecycle") || !strcmp(mode, "lifecycle-again")) {
		lifecycle(!strcmp(mode, "lifecycle-again"));
	} else if (!strcmp(mode, "aka") && argc > 4) {
		aka_all(argv[3], argc - 4, argv + 4);
	} else if (!strcmp(mode, "usim-write")) {
		usim_write();
	} else if (!strcmp(mode, "usim-check")) {
		usim_check();
	} else if (!strcmp(mode, "aka-die") && argc > 4) {
		aka_die(argv[3], argv[4]);
	} else if (!strcmp(mode, "aka-replay") && argc > 4) {
		aka_replay(argv[3], argv[4]);
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
