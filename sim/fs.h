/* The card's file system (ETSI TS 102 221 §8, §9, §11.1): the file model
 * and the application that serves it: SELECT by FID, path and ADF name,
 * STATUS, READ/UPDATE BINARY, READ/UPDATE/SEARCH RECORD, INCREASE, the
 * access rules of EF.ARR (§9.2.4), and the PIN commands VERIFY, CHANGE,
 * DISABLE, ENABLE and UNBLOCK PIN (§9.5, §11.1.9-§11.1.13). Which files
 * and PINs exist is not its business: a source hands it the current ones
 * (the enabled profile's, or those of an eUICC without one) every time it
 * looks, and makes each change durable before the command answers.
 *
 * The network access applications (USIM, ISIM) are ADFs of that file
 * system: their handlers register by AID prefix (sim_fs_add_naa) and get
 * the application commands (AUTHENTICATE, GET IDENTITY) sent while the
 * channel's current DF is inside one of their ADFs. */
#ifndef SIM_FS_H
#define SIM_FS_H

#include "sim/app.h"
#include "sim/file.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_fs;

int sim_fs_new(const struct sim_fs_source *src, struct sim_fs **out);
void sim_fs_free(struct sim_fs *fs);

/* ---- network access applications -------------------------------------------- */

/* The handler for ADFs whose AID starts with prefix[0..len). */
int sim_fs_add_naa(struct sim_fs *fs, const uint8_t *prefix, size_t len, const struct sim_naa_ops *ops,
		   void *arg);

/* Whether key reference key_ref (a PIN, TS 102 221 §9.5.1) is satisfied
 * now for the channel's current DF: verified in this card session, or
 * disabled. False for a PIN that does not exist. */
bool sim_fs_key_satisfied(struct sim_fs *fs, unsigned channel, uint8_t key_ref);

/* The root application of the card OS (register with SIM_APP_ROOT). */
extern const struct sim_app_ops sim_fs_app;

#endif
