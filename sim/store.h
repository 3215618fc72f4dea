/* Durable card state in one directory. Every change is written atomically
 * (temp file, fsync, rename, fsync of the directory) before the command
 * that made it answers, so a kill at any moment leaves the old or the new
 * state. A corrupt or foreign state file is refused, never replaced. */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stddef.h>
#include <stdint.h>

struct sim_store;
struct sim_config;

#define SIM_STATE_FILE "card.state"
#define SIM_ADDR_MAX 255

struct sim_card;

/* Open (or create) the state of this card and load it into the card's
 * modules (profiles, notifications). Needs card->ecasd, card->isdp and
 * card->isdr to exist. */
int sim_store_open(struct sim_card *card, struct sim_store **out);
void sim_store_close(struct sim_store *s);

/* Write the card's whole state now. Callers change memory, call this,
 * and undo their change if it fails, so that memory and disk agree. */
int sim_store_save(struct sim_card *card);

const char *sim_store_default_dp(const struct sim_store *s);
/* Persist a new default SM-DP+ address ("" removes it). On failure the
 * stored and in-memory state are unchanged. */
int sim_store_set_default_dp(struct sim_card *card, const char *addr);

/* Write buf to dir/name atomically. */
int sim_atomic_write(const char *dir, const char *name, const uint8_t *buf, size_t len);

#endif
