/* Soak test: one card over PC/SC for SOAK_OPS operations (default 2000) in
 * an order drawn from SOAK_SEED (default 1): downloads through the test
 * SM-DP+ on both curves, enables, switches, disables, deletes,
 * notification listing, retrieval and removal, card resets and simulator
 * restarts. After every step the card's profile list and pending
 * notifications must be what a model of the card says. Every 100
 * operations it prints the simulator's RSS and open file descriptors
 * (/proc/PID/status, /proc/PID/fd) and the state file's size: the fd
 * count must never change, the RSS of one simulator process must not grow
 * by more than 1 MiB plus 256 KiB per installed profile, and the state
 * file must track the installed packages. SOAK_RESTARTS sets the
 * simulator restarts per thousand operations (default 20, at most 80;
 * 0 keeps one process for the whole run).
 *
 *   soak READER SIM STATE_DIR LOG
 *
 * The simulator runs as `SIM --state STATE_DIR --vpcd 127.0.0.1:35963`
 * (this program starts, restarts and stops it); pcscd with a listening
 * vpcd reader must be running (tests/soak/run.sh). */
#include "tests/integration/pcsc_lib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROFILES 8		/* the model keeps the card below this */
#define MAX_NOTIFS 256
#define NOTIF_HIGH 40		/* above this, removals are favoured */
#define ICCID_HEX 21

/* ProfileInfo results, deleteNotificationStatus (SGP.22 §5.7.16-18, §5.6.4) */
enum { RES_OK = 0, RES_NOT_FOUND = 1, RES_WRONG_STATE = 2 };
enum { EV_INSTALL = 0, EV_ENABLE = 1, EV_DISABLE = 2, EV_DELETE = 3 };

static const char *const packages[] = {
	"TS48V1-A-UNIQUE.der", "TS48V1-B-UNIQUE.der", "TS48V2-SAIP2-1-BERTLV-UNIQUE.der",
	"TS48V2-SAIP2-1-NOBERTLV-UNIQUE.der", "TS48V2-SAIP2-3-BERTLV-UNIQUE.der",
	"TS48V2-SAIP2-3-NOBERTLV-UNIQUE.der", "TS48V3-SAIP2-1-BERTLV-UNIQUE.der",
	"TS48V3-SAIP2-3-NOBERTLV-UNIQUE.der", "TS48V4-SAIP2-1A-NOBERTLV-UNIQUE.der",
	"TS48V4-SAIP2-3-BERTLV-UNIQUE.der", "TS48V5-SAIP2-1B-NOBERTLV-UNIQUE.der",
	"TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der",
};
#define N_PACKAGES (sizeof(packages) / sizeof(packages[0]))

struct mprofile {
	int pkg;
	char iccid[ICCID_HEX];	/* tag 5A value, hex */
	bool enabled;
	bool notify;		/* notifications for enable, disable, delete */
};

struct mnotif {
	unsigned long seq;
	int event;
};

static struct {
	struct mprofile p[MAX_PROFILES];
	size_t n;
	struct mnotif nt[MAX_NOTIFS];
	size_t n_nt;
	unsigned long next_seq;
	size_t pkg_len[N_PACKAGES];
	char pkg_iccid[N_PACKAGES][ICCID_HEX];
} m;

static const char *reader, *sim, *state_dir, *log_path;
static pid_t sim_pid;
static unsigned ch;
static unsigned long op_no;
static int failures;
static uint64_t rng;

static unsigned rnd(unsigned n)
{
	/* xorshift64*: a sequence that depends on SOAK_SEED only */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static void fail(const char *what, const char *detail)
{
	failures++;
	printf("FAIL op %lu: %s%s%s\n", op_no, what, detail ? ": " : "", detail ? detail : "");
	fflush(stdout);
}

/* ---- the simulator and the connection -------------------------------------- */

static void start_sim(void)
{
	sim_pid = fork();
	if (sim_pid < 0) {
		perror("fork");
		exit(1);
	}
	if (sim_pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl(sim, sim, "--state", state_dir, "--vpcd", "127.0.0.1:35963", (char *)NULL);
		_exit(127);
	}
}

static void stop_sim(void)
{
	int status;

	kill(sim_pid, SIGINT);
	if (waitpid(sim_pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("the simulator did not stop cleanly", NULL);
	sim_pid = 0;
}

static bool open_channel(void)
{
	const char *r;
	char cmd[64];

	xfer("80AA00000AA9088100820101830107");
	r = xfer("0070000001");
	if (strlen(r) != 6 || strcmp(r + 2, "9000") || sscanf(r, "%2x", &ch) != 1)
		return false;
	snprintf(cmd, sizeof(cmd), "0%XA4040010A0000005591010FFFFFFFF8900000100", ch);
	return !strcmp(xfer(cmd), "611A");
}

static bool connect_card(void)
{
	if (!wait_for_card(reader, 20))
		return false;
	if (SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0, &card, &proto) != SCARD_S_SUCCESS)
		return false;
	return open_channel();
}

/* ---- the model's view of the card -------------------------------------------- */

static int find_pkg_profile(int pkg)
{
	for (size_t i = 0; i < m.n; i++)
		if (m.p[i].pkg == pkg)
			return (int)i;
	return -1;
}

static int enabled_profile(void)
{
	for (size_t i = 0; i < m.n; i++)
		if (m.p[i].enabled)
			return (int)i;
	return -1;
}

static void add_notif(int event)
{
	if (m.n_nt < MAX_NOTIFS)
		m.nt[m.n_nt++] = (struct mnotif){ m.next_seq, event };
	m.next_seq++;
}

/* A DER length in hex. */
static void put_len(char *out, size_t n)
{
	if (n < 0x80)
		sprintf(out, "%02zX", n);
	else
		sprintf(out, "81%02zX", n);
}

/* The next tag at a byte boundary of a hex string, or NULL. */
static const char *find_tag(const char *hex, const char *tag)
{
	for (size_t i = 0; hex[i] && hex[i + 1]; i += 2)
		if (!strncmp(hex + i, tag, strlen(tag)))
			return hex + i;
	return NULL;
}

/* GetProfilesInfo {tagList 5A 9F70}: E3 { 5A iccid 9F70 state } per profile. */
static void check_profiles(void)
{
	char want[4096], body[4096] = "", e[128], l1[8], l2[8];
	size_t len = 0;
	const char *r;

	for (size_t i = 0; i < m.n; i++) {
		snprintf(e, sizeof(e), "E3105A0A%s9F7001%s", m.p[i].iccid, m.p[i].enabled ? "01" : "00");
		strcat(body, e);
		len += 18;
	}
	put_len(l2, len);
	put_len(l1, len + 1 + strlen(l2) / 2);
	snprintf(want, sizeof(want), "BF2D%sA0%s%s9000", l1, l2, body);
	r = es10(ch, "BF2D055C035A9F70");
	if (strcmp(r, want))
		fail("GetProfilesInfo differs from the model", r);
}

/* ListNotification: the seqNumbers and events, in order. */
static void check_notifications(void)
{
	const char *r = es10(ch, "BF2800"), *p = r;
	size_t k = 0;

	/* each NotificationMetadata: BF2F len 80 n seq 81 02 unused bits ... */
	while ((p = find_tag(p, "BF2F"))) {
		unsigned long seq = 0;
		unsigned n = 0, bits = 0;

		p += 4;
		p += (p[0] == '8' && p[1] == '1') ? 4 : 2;	/* the length octets */
		if (strncmp(p, "80", 2) || sscanf(p + 2, "%2x", &n) != 1 || n > 4)
			break;
		for (unsigned i = 0; i < n; i++) {
			unsigned b = 0;

			sscanf(p + 4 + 2 * i, "%2x", &b);
			seq = seq << 8 | b;
		}
		p += 4 + 2 * n;
		if (strncmp(p, "8102", 4) || sscanf(p + 6, "%2x", &bits) != 1)
			break;
		if (k >= m.n_nt || m.nt[k].seq != seq || bits != (0x80u >> m.nt[k].event)) {
			fail("ListNotification differs from the model", r);
			return;
		}
		k++;
	}
	if (k != m.n_nt || strlen(r) < 4 || strcmp(r + strlen(r) - 4, "9000"))
		fail("ListNotification differs from the model", r);
}

/* ---- operations -------------------------------------------------------------- */

static void op_download(void)
{
	struct smdp_opts o = { .certs_dir = SIM_DATADIR "/certs/sgp26" };
	struct smdp_pir pir = { 0 };
	char path[512], what[128];
	const char *why;
	int pkg = (int)rnd(N_PACKAGES), have;
	bool notify = rnd(2);

	/* mostly a new package; sometimes one the card has (refused) */
	for (int k = 0; k < (int)N_PACKAGES && find_pkg_profile(pkg) >= 0 && rnd(10); k++)
		pkg = (pkg + 1) % (int)N_PACKAGES;
	have = find_pkg_profile(pkg);
	if (have < 0 && m.n == MAX_PROFILES)
		return;
	o.curve = rnd(2) ? "BRP" : "NIST";
	o.notification_address = notify ? "notify.example.com" : NULL;
	snprintf(path, sizeof(path), "%s/profiles/ts48/%s", SIM_DATADIR, packages[pkg]);
	why = download_with(ch, &o, path, &pir);
	snprintf(what, sizeof(what), "download %s on %s", packages[pkg], o.curve);
	if (have >= 0) {
		/* installFailedDueToIccidAlreadyExistsOnEuicc (9) at StoreMetadata (2) */
		if (!why || pir.success || pir.error_reason != 9 || pir.bpp_command_id != 2)
			fail(what, why ? why : "an ICCID the card has was accepted");
	} else if (why) {
		fail(what, why);
		return;
	} else {
		m.p[m.n++] = (struct mprofile){ pkg, "", false, notify };
		memcpy(m.p[m.n - 1].iccid, m.pkg_iccid[pkg], ICCID_HEX);
	}
	if (pir.seq_number != m.next_seq)
		fail(what, "the PIR's seqNumber is not the next one");
	add_notif(EV_INSTALL);
}

static void op_profile(const char *tag, int i, int expect_res)
{
	char req[96], want[32];
	const char *r;

	if (!strcmp(tag, "BF33"))
		snprintf(req, sizeof(req), "BF330C5A0A%s", m.p[i].iccid);
	else
		snprintf(req, sizeof(req), "%s11A00C5A0A%s810100", tag, m.p[i].iccid);
	snprintf(want, sizeof(want), "%s038001%02X9000", tag, expect_res);
	r = es10(ch, req);
	if (strcmp(r, want))
		fail(!strcmp(tag, "BF31") ? "EnableProfile" : !strcmp(tag, "BF32") ? "DisableProfile" : "DeleteProfile",
		     r);
}

static void op_enable(void)
{
	int i, cur = enabled_profile();

	if (m.n == 0)
		return;
	i = (int)rnd((unsigned)m.n);
	if (m.p[i].enabled) {
		op_profile("BF31", i, RES_WRONG_STATE);
		return;
	}
	op_profile("BF31", i, RES_OK);
	if (cur >= 0) {
		m.p[cur].enabled = false;
		if (m.p[cur].notify)
			add_notif(EV_DISABLE);
	}
	m.p[i].enabled = true;
	if (m.p[i].notify)
		add_notif(EV_ENABLE);
}

static void op_disable(void)
{
	int i = enabled_profile();

	if (m.n == 0)
		return;
	if (i < 0 || rnd(4) == 0) {
		i = (int)rnd((unsigned)m.n);
		if (!m.p[i].enabled) {
			op_profile("BF32", i, RES_WRONG_STATE);
			return;
		}
	}
	op_profile("BF32", i, RES_OK);
	m.p[i].enabled = false;
	if (m.p[i].notify)
		add_notif(EV_DISABLE);
}

static void op_delete(void)
{
	int i;

	if (m.n == 0)
		return;
	i = (int)rnd((unsigned)m.n);
	if (m.p[i].enabled) {
		op_profile("BF33", i, RES_WRONG_STATE);
		return;
	}
	op_profile("BF33", i, RES_OK);
	if (m.p[i].notify)
		add_notif(EV_DELETE);
	memmove(&m.p[i], &m.p[i + 1], (m.n - (size_t)i - 1) * sizeof(m.p[0]));
	m.n--;
}

static void op_retrieve(void)
{
	const char *r = es10(ch, "BF2B00");
	size_t count = 0;

	/* each PendingNotification: a PIR (BF37) or an OtherSignedNotification (30) holding BF2F */
	for (const char *p = find_tag(r, "BF2F"); p; p = find_tag(p + 4, "BF2F"))
		count++;
	if (count < m.n_nt || strcmp(r + strlen(r) - 4, "9000"))
		fail("RetrieveNotificationsList does not hold every pending notification", NULL);
}

static void op_remove(void)
{
	char req[32], want[32];
	unsigned long seq;
	size_t k = 0;
	const char *r;
	bool known = m.n_nt > 0 && rnd(8) != 0;

	if (known) {
		k = rnd((unsigned)m.n_nt);
		seq = m.nt[k].seq;
	} else {
		seq = m.next_seq + rnd(5);
	}
	/* NotificationSentRequest { seqNumber [0] INTEGER } */
	if (seq < 0x80)
		snprintf(req, sizeof(req), "BF30038001%02lX", seq);
	else if (seq < 0x8000)
		snprintf(req, sizeof(req), "BF30048002%04lX", seq);
	else
		snprintf(req, sizeof(req), "BF30058003%06lX", seq);
	snprintf(want, sizeof(want), "BF30038001%02X9000", known ? 0 : 1);
	r = es10(ch, req);
	if (strcmp(r, want))
		fail("RemoveNotificationFromList", r);
	if (known) {
		memmove(&m.nt[k], &m.nt[k + 1], (m.n_nt - k - 1) * sizeof(m.nt[0]));
		m.n_nt--;
	}
}

static void op_reset(void)
{
	if (SCardReconnect(card, SCARD_SHARE_EXCLUSIVE, SCARD_PROTOCOL_T0, SCARD_RESET_CARD, &proto) !=
	    SCARD_S_SUCCESS || !open_channel())
		fail("card reset", NULL);
}

static void op_restart(void)
{
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	stop_sim();
	if (!wait_for_no_card(reader, 20))
		fail("pcscd did not see the card leave", NULL);
	start_sim();
	if (!connect_card())
		fail("no card after the restart", NULL);
}

/* ---- measurements -------------------------------------------------------------- */

static long rss_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)sim_pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

static int fd_count(void)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)sim_pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static long state_size(void)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/card.state", state_dir);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static size_t packages_len(void)
{
	size_t n = 0;

	for (size_t i = 0; i < m.n; i++)
		n += m.pkg_len[m.p[i].pkg];
	return n;
}

/* ---- main ---------------------------------------------------------------------- */

static void load_packages(void)
{
	for (size_t i = 0; i < N_PACKAGES; i++) {
		char path[512];
		size_t len, k;
		uint8_t *b;

		snprintf(path, sizeof(path), "%s/profiles/ts48/%s", SIM_DATADIR, packages[i]);
		b = read_file(path, &len);
		m.pkg_len[i] = len;
		for (k = 0; k + 12 <= len && !(b[k] == 0x83 && b[k + 1] == 0x0A); k++)
			;
		for (size_t j = 0; j < 10; j++) {
			uint8_t v = b[k + 2 + j];

			snprintf(m.pkg_iccid[i] + 2 * j, 3, "%02X", (uint8_t)(v << 4 | v >> 4));
		}
		free(b);
	}
}

int main(int argc, char **argv)
{
	unsigned long ops = getenv("SOAK_OPS") ? strtoul(getenv("SOAK_OPS"), NULL, 0) : 2000;
	unsigned long seed = getenv("SOAK_SEED") ? strtoul(getenv("SOAK_SEED"), NULL, 0) : 1;
	/* simulator restarts per thousand operations (SOAK_RESTARTS, default
	 * 20, at most 80; the rest of the 8% are card resets) */
	unsigned long restart_pm = getenv("SOAK_RESTARTS") ? strtoul(getenv("SOAK_RESTARTS"), NULL, 0) : 20;
	long rss0 = -1, rss_max = 0, size, pid_rss0 = 0;
	pid_t pid0 = 0;
	int fds0 = -1, fds;
	unsigned long restarts = 0, resets = 0, downloads = 0;
	time_t t0 = time(NULL);

	if (argc != 5) {
		fprintf(stderr, "usage: soak READER SIM STATE_DIR LOG\n");
		return 2;
	}
	reader = argv[1];
	sim = argv[2];
	state_dir = argv[3];
	log_path = argv[4];
	rng = 0x9E3779B97F4A7C15ULL ^ seed;
	load_packages();
	m.next_seq = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
		printf("FAIL cannot reach pcscd\n");
		return 1;
	}
	start_sim();
	if (!connect_card()) {
		printf("FAIL no card\n");
		return 1;
	}
	printf("soak: %lu operations, seed %lu\n", ops, seed);
	printf("   ops     pid   rss_kB  fds  state_B  profiles  packages_B  notifications\n");
	for (op_no = 1; op_no <= ops && failures < 10; op_no++) {
		unsigned k = rnd(100);

		if (m.n_nt > NOTIF_HIGH && k < 50)
			k = 60;		/* a removal */
		if (k < 22) {
			op_download();
			downloads++;
		} else if (k < 36) {
			op_enable();
		} else if (k < 44) {
			op_disable();
		} else if (k < 52) {
			op_delete();
		} else if (k < 58) {
			check_notifications();
		} else if (k < 62) {
			op_retrieve();
		} else if (k < 92) {
			op_remove();
		} else if (rnd(80) >= restart_pm) {
			op_reset();
			resets++;
		} else {
			op_restart();
			restarts++;
		}
		check_profiles();
		check_notifications();
		if (op_no % 100 == 0) {
			long rss = rss_kb();

			fds = fd_count();
			size = state_size();
			printf("%6lu %7d %8ld %4d %8ld %9zu %11zu %14zu\n", op_no, (int)sim_pid, rss, fds, size, m.n,
			       packages_len(), m.n_nt);
			if (rss0 < 0)
				rss0 = rss;
			if (rss > rss_max)
				rss_max = rss;
			/* within one simulator process: no growth beyond the
			 * share of the profiles it has decoded since */
			if (sim_pid != pid0) {
				pid0 = sim_pid;
				pid_rss0 = rss;
			} else if (rss > pid_rss0 + 1024 + 256 * (long)m.n) {
				fail("the RSS of the simulator grew", NULL);
			}
			if (fds0 < 0)
				fds0 = fds;
			else if (fds != fds0)
				fail("the open file descriptors changed", NULL);
			/* every byte of every package, and not much more */
			if (size < (long)packages_len() || size > (long)packages_len() + 2048 * (long)(m.n + m.n_nt) + 4096)
				fail("the state file size does not track the installed profiles", NULL);
		}
	}
	printf("soak: %lu operations (%lu downloads, %lu resets, %lu restarts) in %ld s; RSS %ld..%ld kB, "
	       "fds %d\n", op_no - 1, downloads, resets, restarts, (long)(time(NULL) - t0), rss0, rss_max, fds0);
	/* the profiles are decoded in memory: allow their share, nothing more */
	if (rss_max > rss0 + 2 * (long)(MAX_PROFILES * 200) + 2048)
		fail("the RSS grew", NULL);
	SCardDisconnect(card, SCARD_LEAVE_CARD);
	stop_sim();
	SCardReleaseContext(ctx);
	printf("%d passed, %d failed\n", failures ? 0 : 1, failures);
	return failures ? 1 : 0;
}
