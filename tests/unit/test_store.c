#define _GNU_SOURCE
/* Durable state: persistence across restarts, refusal of corrupt and
 * foreign files, the directory lock, and atomic replacement under kill. */
#include "tests/unit/helpers.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/err.h"
#include "sim/store.h"
#include "isdp/isdp.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s", t_mkdtemp());
}

static void teardown(void)
{
	t_rmrf(dir);
}

static void spit(const char *path, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(buf, 1, n, f), n);
	fclose(f);
}

#define SET_DP "BF3F1B8019" "74657374736D6470706C7573312E6578616D706C652E636F6D"

START_TEST(default_dp_survives_restart)
{
	struct sim_card *card = t_card_new(dir);
	unsigned ch = t_open_isdr(card);
	char before[256];
	struct stat st;
	char path[128];

	ck_assert_str_eq(t_es10(card, ch, SET_DP, 120), "BF3F038001009000");
	snprintf(before, sizeof(before), "%s", t_es10(card, ch, "BF3C00", 120));
	sim_card_free(card);

	card = t_card_new(dir);
	ch = t_open_isdr(card);
	ck_assert_str_eq(t_es10(card, ch, "BF3C00", 120), before);
	sim_card_free(card);

	snprintf(path, sizeof(path), "%s/%s", dir, SIM_STATE_FILE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
}
END_TEST

/* A state file of the format before the sections (tests/data) loads,
 * answers as it did, and is written again byte for byte. */
START_TEST(old_state_file_loads)
{
	static uint8_t old[64 * 1024], again[64 * 1024];
	char path[128];
	size_t n, m;
	struct sim_card *card;
	unsigned ch;
	const char *r;

	n = t_slurp(SIM_DATADIR "/tests/data/state-v1.bin", old, sizeof(old));
	ck_assert_int_gt(n, 1000);
	ck_assert_int_lt(n, sizeof(old));
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_STATE_FILE);
	spit(path, old, n);
	card = t_card_new(dir);
	ch = t_open_isdr(card);
	/* the default SM-DP+ as stored ("smdp.example.com") */
	r = t_es10(card, ch, "BF3C00", 120);
	ck_assert_msg(strstr(r, "8010736D64702E6578616D706C652E636F6D") != NULL, "%s", r);
	/* two profiles, the first enabled */
	r = t_es10(card, ch, "BF2D055C035A9F70", 120);
	ck_assert_str_eq(r, "BF2D26A024"
			 "E3105A0A" "989444999999990940F9" "9F700101"
			 "E3105A0A" "989444999999990990F8" "9F700100" "9000");
	/* the enable notification, seqNumber 1 */
	r = t_es10(card, ch, "BF2800", 120);
	ck_assert_msg(strstr(r, "800101") != NULL, "%s", r);
	ck_assert_int_eq(isdp_persist(sim_card_isdp(card)), 0);
	sim_card_free(card);
	m = t_slurp(path, again, sizeof(again));
	ck_assert_int_eq(m, n);
	ck_assert_mem_eq(again, old, n);
}
END_TEST

/* Tests and fuzzers load a state file's bytes into a card in memory: the
 * same checks and sections as at start-up, and a load replaces the state,
 * it never adds to it. */
START_TEST(state_image_loads_in_place)
{
	static uint8_t old[64 * 1024];
	struct sim_card *card = t_card_new(NULL), *fresh = t_card_new(NULL);
	uint8_t *img = NULL, *empty = NULL;
	size_t n, len = 0, empty_len = 0;
	unsigned long changes;
	unsigned ch;

	n = t_slurp(SIM_DATADIR "/tests/data/state-v1.bin", old, sizeof(old));
	ck_assert_int_eq(sim_card_state_image(fresh, &empty, &empty_len), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(sim_card_state_load(card, old, n), 0);
		ck_assert_uint_eq(isdp_count(sim_card_isdp(card)), 2);
	}
	ck_assert_int_eq(sim_card_state_image(card, &img, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(img, old, n);
	ch = t_open_isdr(card);
	changes = sim_card_state_changes(card);
	ck_assert_str_eq(t_es10(card, ch, SET_DP, 120), "BF3F038001009000");
	ck_assert_uint_eq(sim_card_state_changes(card), changes + 1);
	/* a corrupt image is refused */
	old[n - 1] ^= 1;
	ck_assert_int_lt(sim_card_state_load(card, old, n), 0);
	/* the empty card's state: no profile, no notification, no address */
	ck_assert_int_eq(sim_card_state_load(card, empty, empty_len), 0);
	ck_assert_uint_eq(isdp_count(sim_card_isdp(card)), 0);
	ch = t_open_isdr(card);
	ck_assert_str_eq(t_es10(card, ch, "BF2800", 120), "BF2802A0009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3C00", 120),
			 "BF3C1A" "8118" "74657374726F6F74736D64732E6578616D706C652E636F6D" "9000");
	free(img);
	free(empty);
	sim_card_free(card);
	sim_card_free(fresh);
}
END_TEST

/* A state file is data from outside: what the card would never have
 * written is refused, even with a right checksum. Each case changes a
 * few bytes (same length) of a state the card wrote: a profile, its
 * enable and disable notifications, a default SM-DP+ address. Found by
 * fuzz_state, whose invariants a loaded state must keep. */
static uint8_t *patched;

static void reseal(uint8_t *img, size_t len)
{
	SHA256(img, len - SHA256_DIGEST_LENGTH, img + len - SHA256_DIGEST_LENGTH);
}

/* Replace the n-th occurrence (0-based) of `find` in a copy of img by
 * `repl` (same length); the copy is resealed and kept in `patched`. */
static const uint8_t *patch(const uint8_t *img, size_t len, const char *find, const char *repl, size_t flen,
			    int nth)
{
	free(patched);
	patched = malloc(len);
	ck_assert_ptr_nonnull(patched);
	memcpy(patched, img, len);
	for (size_t i = 0; i + flen <= len; i++) {
		if (!memcmp(patched + i, find, flen) && nth-- == 0) {
			memcpy(patched + i, repl, flen);
			reseal(patched, len);
			return patched;
		}
	}
	ck_abort_msg("pattern not in the state");
	return NULL;
}

START_TEST(state_the_card_never_writes_refused)
{
	static uint8_t pkg[1 << 16];
	struct sim_card *card = t_card_new(NULL), *other = t_card_new(NULL);
	size_t len, pkg_len = t_slurp(SIM_DATADIR "/profiles/ts48/TS48V1-A-UNIQUE.der", pkg, sizeof(pkg));
	uint8_t *img = NULL;
	char err[128], iccid[21], req[64];
	unsigned ch;

	ck_assert_msg(isdp_sideload(sim_card_isdp(card), pkg, pkg_len, "SP", "P", ISDP_CLASS_OPERATIONAL,
				    "smdp.example.com", err, sizeof(err)) == 0, "%s", err);
	t_hex(isdp_get(sim_card_isdp(card), 0)->iccid, 10, iccid);
	ch = t_open_isdr(card);
	snprintf(req, sizeof(req), "BF3111A00C5A0A%s810100", iccid);
	ck_assert_str_eq(t_es10(card, ch, req, 120), "BF31038001009000");
	req[3] = '2';	/* DisableProfile */
	ck_assert_str_eq(t_es10(card, ch, req, 120), "BF32038001009000");
	ck_assert_str_eq(t_es10(card, ch, "BF3F10800E" "64702E6578616D706C652E636F6D", 120), "BF3F038001009000");
	ck_assert_int_eq(sim_card_state_image(card, &img, &len), 0);
	ck_assert_int_eq(sim_card_state_load(other, img, len), 0);

	/* an ISD-P AID not of the card's form (its counter part is fine) */
	ck_assert_int_lt(sim_card_state_load(other, patch(img, len, "\x04\x10\xA0\x00\x00\x05\x59",
							   "\x04\x10\xA1\x00\x00\x05\x59", 7, 0), len), 0);
	/* the metadata's ICCID is not the package's */
	ck_assert_int_lt(sim_card_state_load(other, patch(img, len, "\x5A\x0A\x98", "\x5A\x0A\x99", 3, 0), len), 0);
	/* the disable notification (2) listed as an enable one; pending says disable */
	ck_assert_int_lt(sim_card_state_load(other, patch(img, len, "\x02\x01\x02\x02\x01\x02",
							   "\x02\x01\x02\x02\x01\x01", 6, 0), len), 0);
	/* two notifications numbered 1, each what its pending one says: the
	 * stored number of the second, and the one in its NotificationMetadata
	 * (seqNumber 80 01 02, profileManagementOperation disable 81 02 05 20) */
	patch(img, len, "\x02\x01\x02\x02\x01\x02", "\x02\x01\x01\x02\x01\x02", 6, 0);
	memcpy(img, patched, len);
	ck_assert_int_lt(sim_card_state_load(other, patch(img, len, "\x80\x01\x02\x81\x02\x05\x20",
							   "\x80\x01\x01\x81\x02\x05\x20", 7, 0), len), 0);
	free(img);
	img = NULL;
	ck_assert_int_eq(sim_card_state_image(card, &img, &len), 0);
	/* a default SM-DP+ address SetDefaultDpAddress would refuse */
	ck_assert_int_lt(sim_card_state_load(other, patch(img, len, "dp.example", "dp\x01example", 10, 0), len), 0);
	free(patched);
	patched = NULL;
	free(img);
	sim_card_free(card);
	sim_card_free(other);
}
END_TEST

START_TEST(corrupt_state_refused_and_kept)
{
	struct sim_card *card = t_card_new(dir);
	struct sim_config *cfg;
	uint8_t buf[4096], after[4096];
	char path[128];
	size_t n;

	sim_card_free(card);
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_STATE_FILE);
	n = t_slurp(path, buf, sizeof(buf));
	ck_assert_int_gt(n, 40);
	buf[12] ^= 0x01;
	spit(path, buf, n);
	card = NULL;
	cfg = t_config();
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	ck_assert_int_eq(sim_card_new(cfg, &card), -EU_E_CORRUPT);
	ck_assert_ptr_null(card);
	ck_assert_int_eq(t_slurp(path, after, sizeof(after)), n);
	ck_assert_mem_eq(after, buf, n);
	/* truncated */
	spit(path, buf, 20);
	ck_assert_int_lt(sim_card_new(cfg, &card), 0);
}
END_TEST

START_TEST(foreign_state_refused)
{
	struct sim_card *card = t_card_new(dir);
	struct sim_config *cfg;
	uint8_t buf[4096], eid[16];
	char path[128];
	size_t n;
	uint8_t *p;

	sim_card_free(card);
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_STATE_FILE);
	n = t_slurp(path, buf, sizeof(buf));
	/* Same format, valid checksum, another card's EID. */
	t_unhex(EID_HEX, eid, sizeof(eid));
	p = memmem(buf, n, eid, sizeof(eid));
	ck_assert_ptr_nonnull(p);
	p[15] ^= 0x11;
	SHA256(buf, n - 32, buf + n - 32);
	spit(path, buf, n);
	cfg = t_config();
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	card = NULL;
	ck_assert_int_eq(sim_card_new(cfg, &card), -EU_E_FOREIGN);
	/* not ours at all */
	spit(path, (const uint8_t *)"hello, this is some other program's file\n", 41);
	ck_assert_int_eq(sim_card_new(cfg, &card), -EU_E_FOREIGN);
	ck_assert_ptr_null(card);
}
END_TEST

START_TEST(one_card_per_directory)
{
	struct sim_card *a = t_card_new(dir), *b = NULL;
	struct sim_config *cfg = t_config();

	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	ck_assert_int_eq(sim_card_new(cfg, &b), -EU_E_BUSY);
	sim_card_free(a);
	b = t_card_new(dir);
	sim_card_free(b);
}
END_TEST

/* A child rewrites the file over and over with two different contents;
 * it is killed at random moments. Whatever is on disk afterwards must be
 * one of the two, whole. */
START_TEST(kill_during_atomic_write)
{
	static uint8_t a[200000], b[150000], got[250000];
	char path[128];
	unsigned seed = (unsigned)time(NULL);

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	snprintf(path, sizeof(path), "%s/f", dir);
	ck_assert_int_eq(sim_atomic_write(dir, "f", a, sizeof(a)), 0);
	for (int round = 0; round < 30; round++) {
		pid_t pid = fork();
		size_t n;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			for (int i = 0;; i++)
				if (sim_atomic_write(dir, "f", i & 1 ? a : b, i & 1 ? sizeof(a) : sizeof(b)))
					_exit(1);
		}
		usleep(1000 + rand_r(&seed) % 20000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		n = t_slurp(path, got, sizeof(got));
		ck_assert_msg((n == sizeof(a) && !memcmp(got, a, n)) ||
			      (n == sizeof(b) && !memcmp(got, b, n)),
			      "round %d: %zu bytes, neither old nor new", round, n);
	}
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, default_dp_survives_restart);
	tcase_add_test(tc, old_state_file_loads);
	tcase_add_test(tc, state_image_loads_in_place);
	tcase_add_test(tc, state_the_card_never_writes_refused);
	tcase_add_test(tc, corrupt_state_refused_and_kept);
	tcase_add_test(tc, foreign_state_refused);
	tcase_add_test(tc, one_card_per_directory);
	tcase_add_test(tc, kill_during_atomic_write);
	suite_add_tcase(s, tc);
	return s;
}
