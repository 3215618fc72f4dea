/* The LPA side of the PC/SC tests (tests/integration/pcsc_test.c,
 * tests/soak/soak.c): one card connection through libpcsclite, APDUs and
 * ES10 commands the way lpac sends them (T=0, STORE DATA blocks of 120
 * bytes, GET RESPONSE with CLA 0x8X), and a whole download through the
 * test SM-DP+ (tests/smdp). */
#ifndef TESTS_INTEGRATION_PCSC_LIB_H
#define TESTS_INTEGRATION_PCSC_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <winscard.h>
#include <wintypes.h>

#include "tests/smdp/smdp.h"

extern SCARDCONTEXT ctx;
extern SCARDHANDLE card;
extern DWORD proto;

size_t unhex(const char *h, uint8_t *out);
void tohex(const uint8_t *b, size_t n, char *out);

/* Every APDU goes through here. With PCSC_TEST_APDU_LOG=FILE each one is
 * appended to FILE as "COMMAND SW" in hex. */
LONG transmit(const uint8_t *cmd, size_t len, uint8_t *rsp, DWORD *rlen);
/* One APDU in hex; data + SW in hex (static), or "ERR:..." */
const char *xfer(const char *hex);
/* An ES10 command on channel ch: out gets the data and the final SW. */
int es10_bin(unsigned ch, const uint8_t *der, size_t len, uint8_t *out, size_t cap, size_t *out_len);
const char *es10(unsigned ch, const char *der_hex);

bool wait_for_card(const char *reader, int seconds);
bool wait_for_no_card(const char *reader, int seconds);

/* Up to 1 MiB of a file (malloc'd; *len 0 when it cannot be read). */
uint8_t *read_file(const char *path, size_t *len);

/* A download in steps, as an LPA runs it. */
struct dl {
	struct smdp *dp;
	const struct smdp_opts *opts;	/* NULL: the defaults on dl_auth's curve */
	uint8_t *bpp;
	size_t bpp_len;
	const uint8_t *seg[256];
	size_t seg_len[256], n_seg;
	uint8_t rsp[8192];	/* the last answer: data and SW */
	size_t rsp_len;
};

void dl_free(struct dl *d);
bool dl_es10(unsigned ch, struct dl *d, const uint8_t *req, size_t len);
bool dl_challenge(unsigned ch, struct dl *d, uint8_t chal[16]);
/* AuthenticateServer with this challenge; the authenticateErrorCode, or
 * -1 when something else failed. */
int dl_auth(unsigned ch, struct dl *d, const char *curve, const uint8_t chal[16]);
int dl_prepare(unsigned ch, struct dl *d);
bool dl_bind(struct dl *d, const char *file);
/* Send segments [from, to); stops at the PIR (returned in *pir, if any)
 * or at a refusal. Returns the number of the segment that answered the
 * PIR, or -1. */
long dl_segments(unsigned ch, struct dl *d, size_t from, size_t to, struct smdp_pir *pir);

/* One download over PC/SC with these SM-DP+ options (or on curve with
 * the defaults): NULL on success with *pir filled, else why it failed. */
const char *download_with(unsigned ch, const struct smdp_opts *opts, const char *file, struct smdp_pir *pir);
const char *download(unsigned ch, const char *curve, const char *file, struct smdp_pir *pir);

#endif
