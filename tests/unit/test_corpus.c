/* The request corpus of tests/vectors/es10-requests/: ES10 requests as lpac
 * and pySim encode them (captured) and as a phone's LPA may (written from
 * the ASN.1), replayed through the APDU entry point, in the normal mode and
 * with --strict. Each runs on a fresh card in the same state: one
 * side-loaded profile (TS48V2-SAIP2-1-BERTLV-UNIQUE, disabled after an
 * enable and a disable, so notifications 1 and 2 are pending). The
 * AuthenticateServer entries (ctx) are whole downloads, in
 * tests/unit/test_download.c. */
#include "tests/unit/helpers.h"
#include "tests/unit/vectors.h"
#include "isdp/isdp.h"
#include "isdr/isdr.h"
#include "sim/err.h"
#include "sim/card.h"
#include "sim/host/config.h"
#include "sim/host/euicc.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACKAGE SIM_DATADIR "/profiles/ts48/TS48V2-SAIP2-1-BERTLV-UNIQUE.der"
#define NOTIFY "testsmdpplus1.example.com"

static const char *const files[] = { "lpac.txt", "pysim.txt", "phone.txt" };
static struct t_vectors *corpus[3];

/* The trace of the last replay. */
static char trace[16384];
static size_t trace_len;

static void sink(void *arg, const char *line)
{
	(void)arg;
	trace_len += (size_t)snprintf(trace + trace_len, sizeof(trace) - trace_len, "%s\n", line);
	if (trace_len >= sizeof(trace))
		trace_len = sizeof(trace) - 1;
}

static void setup(void)
{
	char path[512];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", T_VECTORS_ES10, files[i]);
		corpus[i] = t_vectors_load(path);
	}
	sim_log_set_sink(sink, NULL);
	sim_log_level = 1;
}

static void teardown(void)
{
	sim_log_level = 0;
	sim_log_set_sink(NULL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		t_vectors_free(corpus[i]);
}

static const char *key(const char *section, const char *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		const char *v = t_vec_str(corpus[i], section, k);

		if (v)
			return v;
	}
	return NULL;
}

static char *compact(const char *hex)
{
	char *out = malloc(strlen(hex) + 1), *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *hex; hex++)
		if (*hex != ' ')
			*o++ = *hex;
	*o = 0;
	return out;
}

/* A fresh card in the replay state; returns the ISD-R channel. */
static struct sim_card *replay_card(bool strict, unsigned *ch)
{
	struct sim_config *cfg = t_config();
	struct sim_card *card;
	char err[256];
	uint8_t *pkg;
	size_t len;
	FILE *f = fopen(PACKAGE, "rb");

	ck_assert_ptr_nonnull(f);
	pkg = malloc(64 * 1024);
	ck_assert_ptr_nonnull(pkg);
	len = fread(pkg, 1, 64 * 1024, f);
	fclose(f);
	ck_assert_int_eq(sim_config_set(cfg, "strict", strict ? "yes" : "no", NULL, err, sizeof(err)), 0);
	card = t_card_new_cfg(cfg);
	ck_assert_msg(isdp_sideload(sim_card_isdp(card), pkg, len, "Test SP", "Test profile", ISDP_CLASS_OPERATIONAL,
				    NOTIFY, err, sizeof(err)) == 0, "%s", err);
	free(pkg);
	*ch = t_open_isdr(card);
	ck_assert_str_eq(t_es10(card, *ch, "BF3111A00C5A0A989444999999990940F9810100", 120), "BF31038001009000");
	ck_assert_str_eq(t_es10(card, *ch, "BF3211A00C5A0A989444999999990940F9810100", 120), "BF32038001009000");
	return card;
}

/* The answer (data and SW, hex) to section's request on a fresh card. */
static char *replay(const char *section, bool strict)
{
	char *req = compact(key(section, "request")), *answer;
	struct sim_card *card;
	unsigned ch;

	card = replay_card(strict, &ch);
	trace_len = 0;
	trace[0] = 0;
	answer = strdup(t_es10(card, ch, req, 120));
	ck_assert_ptr_nonnull(answer);
	sim_card_free(card);
	free(req);
	return answer;
}

static void check(const char *section, const char *expect, const char *answer, bool strict)
{
	const char *mode = strict ? " (--strict)" : "";
	size_t n = strlen(answer);

	if (!strncmp(expect, "answer ", 7)) {
		char *want = compact(expect + 7);

		ck_assert_msg(!strcmp(answer, want), "[%s]%s: answered %s, expected %s", section, mode, answer, want);
		free(want);
	} else if (!strncmp(expect, "sw ", 3)) {
		ck_assert_msg(!strcmp(answer, expect + 3), "[%s]%s: answered %s, expected %s", section, mode, answer,
			      expect + 3);
	} else if (!strcmp(expect, "ok")) {
		uint8_t *rsp = malloc(n / 2 + 1), req_tag[2];
		size_t len = t_unhex(answer, rsp, n / 2 + 1);
		char *req = compact(key(section, "request"));

		req[4] = 0;
		t_unhex(req, req_tag, sizeof(req_tag) + 1);
		ck_assert_msg(n >= 4 && !strcmp(answer + n - 4, "9000"), "[%s]%s: answered %s", section, mode, answer);
		ck_assert_msg(len > 2 && tlv_check_der(rsp, len - 2, SIM_ASN1_MAX_DEPTH) == 0 && rsp[0] == req_tag[0] &&
			      rsp[1] == req_tag[1], "[%s]%s: the answer is not one DER element of the request's tag: %s",
			      section, mode, answer);
		free(rsp);
		free(req);
	} else if (!strncmp(expect, "like ", 5)) {
		char *other = replay(expect + 5, strict);

		ck_assert_msg(!strcmp(answer, other), "[%s]%s: answered %s, but [%s] %s", section, mode, answer,
			      expect + 5, other);
		free(other);
	} else {
		ck_abort_msg("[%s]: unknown expectation '%s'", section, expect);
	}
}

START_TEST(replay_all)
{
	size_t requests = 0, tolerated = 0;

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		const char *section;

		for (size_t i = 0; (section = t_vec_section(corpus[f], i)); i++) {
			const char *expect = t_vec_str(corpus[f], section, "expect");
			const char *strict = t_vec_str(corpus[f], section, "strict");
			const char *fn = t_vec_str(corpus[f], section, "function");
			char *answer;

			if (!t_vec_str(corpus[f], section, "request"))
				continue;	/* a ctx entry: a download */
			ck_assert_msg(expect && fn, "[%s]: expect and function are required", section);
			requests++;
			answer = replay(section, false);
			/* the dispatcher took it for the function the file says */
			ck_assert_msg(strncmp(fn, "ES10", 4) || strncmp(expect, "sw ", 3) == 0 || strstr(trace, fn),
				      "[%s]: %s not in the trace:\n%s", section, fn, trace);
			if (strict && strstr(strict, "6A80") && strstr(expect, "6A80") == NULL) {
				/* a tolerated deviation: named in the trace */
				ck_assert_msg(strstr(trace, " ignored\n") || strstr(trace, " accepted\n"),
					      "[%s]: the trace names no tolerated deviation:\n%s", section, trace);
				tolerated++;
			}
			check(section, expect, answer, false);
			free(answer);
			answer = replay(section, true);
			if (strict && strstr(strict, "6A80") && strstr(expect, "6A80") == NULL)
				ck_assert_msg(strstr(trace, " refused (--strict)\n"),
					      "[%s] (--strict): the trace names no refused deviation:\n%s", section, trace);
			check(section, strict ? strict : expect, answer, true);
			free(answer);
		}
	}
	ck_assert_uint_ge(requests, 70);
	ck_assert_uint_ge(tolerated, 15);
}
END_TEST

/* The record the ISD-R keeps for a conformance report. */
START_TEST(deviation_record)
{
	const struct isdr_deviations *d;
	struct sim_card *card;
	unsigned ch;

	card = replay_card(false, &ch);
	d = isdr_deviations(sim_card_isdr(card));
	ck_assert_uint_eq(d->total, 0);
	ck_assert_str_eq(t_es10(card, ch, "BF3E075C015A9F7F0100", 120), "BF3E125A10" EID_HEX "9000");
	ck_assert_str_eq(t_es10(card, ch, "BF2081038001 00", 120), t_es10(card, ch, "BF2000", 120));
	ck_assert_str_eq(t_es10(card, ch, "BF2003A10500", 120), "6A80");	/* malformed: no deviation */
	ck_assert_uint_eq(d->total, 3);
	ck_assert_uint_eq(d->n, 3);
	ck_assert_str_eq(d->v[0].function, "ES10c.GetEID");
	ck_assert_str_eq(d->v[0].what, "unknown element 9F7F in GetEuiccDataRequest");
	ck_assert_str_eq(d->v[0].path, "");
	ck_assert(!d->v[0].refused);
	ck_assert_str_eq(d->v[1].function, "ES10b.GetEUICCInfo1");
	ck_assert_str_eq(d->v[1].what, "non-minimal length octets of element BF20 in GetEuiccInfo1Request");
	ck_assert_str_eq(d->v[2].what, "unknown element 80 in GetEuiccInfo1Request");
	ck_assert(strstr(trace, "ES10c.GetEID: unknown element 9F7F in GetEuiccDataRequest ignored\n"));
	ck_assert(strstr(trace, "ES10b.GetEUICCInfo1: non-minimal length octets of element BF20 in "
			 "GetEuiccInfo1Request accepted\n"));
	/* a card reset does not clear it; isdr_deviations_clear() does */
	sim_power(card, SIM_RESET);
	ck_assert_uint_eq(d->total, 3);
	isdr_deviations_clear(sim_card_isdr(card));
	ck_assert_uint_eq(d->total, 0);
	ck_assert_uint_eq(d->n, 0);
	sim_card_free(card);

	card = replay_card(true, &ch);
	d = isdr_deviations(sim_card_isdr(card));
	ck_assert_str_eq(t_es10(card, ch, "BF3E075C015A9F7F0100", 120), "6A80");
	ck_assert_uint_eq(d->total, 1);
	ck_assert(d->v[0].refused);
	ck_assert(strstr(trace, "ES10c.GetEID: unknown element 9F7F in GetEuiccDataRequest refused (--strict)\n"));
	sim_card_free(card);
}
END_TEST

Suite *corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc = tcase_create("es10-requests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, replay_all);
	tcase_add_test(tc, deviation_record);
	suite_add_tcase(s, tc);
	return s;
}
