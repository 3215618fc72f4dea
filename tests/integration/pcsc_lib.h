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
/* One download over PC/SC with these SM-DP+ options (or on curve with
 * the defaults): NULL on success with *pir filled, else why it failed. */
const char *download_with(unsigned ch, const struct smdp_opts *opts, const char *file, struct smdp_pir *pir);
const char *download(unsigned ch, const char *curve, const char *file, struct smdp_pir *pir);

#endif
