/* What the libFuzzer targets share: reading frames from the input, a card
 * in memory, APDUs and ES10 commands sent through sim_transact() the way
 * an LPA sends them.
 *
 * Frames. A frame is a length byte n and n bytes:
 *   n = 1..254   that many bytes follow
 *   n = 255      a 2-byte big-endian length follows, then that many bytes
 *                (frames longer than 255 bytes: extended APDUs, ES10
 *                requests, profile packages)
 *   n = 0        no frame but a control event: the next byte says which
 * A length beyond the end of the input takes what is left. Every frame is
 * handed on in a buffer of exactly its size, so that ASan sees a read past
 * its end. */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_card;

struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* One byte, or false at the end of the input. */
bool fz_byte(struct fz_in *in, uint8_t *b);

enum fz_kind { FZ_END, FZ_FRAME, FZ_CONTROL };
/* The next frame (p/len) or control event (*event), or FZ_END. */
enum fz_kind fz_next(struct fz_in *in, const uint8_t **p, size_t *len, uint8_t *event);

/* A malloc'd copy of exactly len bytes (NULL only for len 0). */
uint8_t *fz_copy(const uint8_t *p, size_t len);

/* Up to SAIP_MAX_PACKAGE bytes of a file under SIM_DATADIR (malloc'd);
 * aborts when it cannot be read. */
uint8_t *fz_read_file(const char *rel_path, size_t *len);

/* The card's trace: formatted and dropped, or with FUZZ_LOG=N in the
 * environment printed at level N (0 errors, 1 commands, 2 APDUs). */
void fz_log_init(void);

/* A card with the default configuration, state in memory, after
 * `settings` ("key", "value", ..., NULL); aborts on failure. The
 * configuration lives as long as the process. */
struct sim_card *fz_card_new(const char *const *settings);

/* One APDU through an exact-size copy; returns the response length
 * (always >= 2, else abort). */
size_t fz_transact(struct sim_card *card, const uint8_t *cmd, size_t len, uint8_t *rsp);

/* Power events 0..2 (the event byte modulo 3: off, on, reset); events from
 * 0xF0 up are the target's own and go to `other` (may be NULL). */
typedef void (*fz_event_fn)(void *ctx, uint8_t event, struct fz_in *in);
/* Run the rest of the input as APDU frames and control events. */
void fz_run_apdus(struct sim_card *card, struct fz_in *in, fz_event_fn other, void *ctx);

/* MANAGE CHANNEL open + SELECT ISD-R; the channel, or 0 when that failed. */
unsigned fz_open_isdr(struct sim_card *card);

/* An ES10 command as lpac sends it on channel ch: STORE DATA blocks of at
 * most `block` bytes, then GET RESPONSE while the card answers 61xx. The
 * response data goes to out (cap bytes; what does not fit is dropped);
 * returns the final status word. */
unsigned fz_es10(struct sim_card *card, unsigned ch, const uint8_t *req, size_t len, size_t block, uint8_t *out,
		 size_t cap, size_t *out_len);

/* The ICCID of a package's ProfileHeader as tag 5A carries it (nibbles
 * swapped), or 98...98 when there is none. */
void fz_header_iccid(const uint8_t *pkg, size_t len, uint8_t iccid[10]);

/* A package made of the PEs of pkg whose index is in keep[] (up to
 * n_keep; -1 is the last one, PE-End), malloc'd. */
uint8_t *fz_subset(const uint8_t *pkg, size_t len, const int *keep, size_t n_keep, size_t *out_len);

/* A profile side-loaded (isdp_sideload_metadata) with a StoreMetadata of
 * the package's ICCID and these fields; aborts on failure. */
struct fz_md {
	const char *name;
	int cls;			/* profileClass, -1: left out (operational) */
	uint8_t events;			/* NotificationEvent bits (0x80: install) ... */
	const char *addr;		/* ... to this address; NULL: none */
	const uint8_t *owner;		/* mccMnc, or NULL */
	uint8_t ppr;			/* PprIds bits (0x40 PPR1, 0x20 PPR2, 0x10 PPR3) */
};
void fz_sideload(struct sim_card *card, const uint8_t *pkg, size_t len, const struct fz_md *md);

/* Disable and enable the profile with this ICCID (tag 5A order) on the
 * ISD-R's channel ch until the card holds `count` pending notifications
 * (its metadata must ask for enable and disable ones); aborts when the
 * card refuses. */
void fz_fill_notifications(struct sim_card *card, unsigned ch, const uint8_t iccid[10], size_t count);

/* A card's state kept as an image, so that every input starts from it:
 * fz_state_keep() takes the image now, fz_state_back() loads it again
 * when the card has saved anything since (cheap otherwise). */
struct fz_state {
	uint8_t *img;
	size_t len;
	unsigned long changes;
	bool dirty;		/* set when another state was loaded into the card */
};
void fz_state_keep(struct sim_card *card, struct fz_state *st);
void fz_state_back(struct sim_card *card, struct fz_state *st);
/* Has the card saved anything since fz_state_keep/back? */
bool fz_state_changed(const struct sim_card *card, const struct fz_state *st);

/* With FUZZ_DUMP_STATE=DIR in the environment: a card's state image
 * written to DIR as a fuzz_state input (seeds for that target), in the
 * mode that recomputes the checksum. */
void fz_dump_state(const uint8_t *img, size_t len);

#endif
