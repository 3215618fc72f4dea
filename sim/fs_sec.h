/* EF.ARR access rules and PINs (sim/fs_sec.c), and the insides of the
 * file system application they work on, which sim/fs.c (files, SELECT,
 * reading and writing) shares. */
#ifndef SIM_FS_SEC_H
#define SIM_FS_SEC_H

#include "sim/file.h"

struct fs_channel {
	uint16_t df_path[SIM_FS_MAX_DEPTH];	/* current DF as FIDs from the MF */
	uint8_t df_depth;
	uint16_t ef;				/* current EF in that DF, 0 = none */
	uint16_t rec;				/* current record of that EF, 0 = none */
};

struct naa_entry {
	uint8_t prefix[SIM_AID_MAX];
	size_t len;
	const struct sim_naa_ops *ops;
	void *arg;
};

struct sim_fs {
	struct sim_fs_source src;
	struct fs_channel ch[SIM_MAX_CHANNELS];
	struct naa_entry naa[SIM_FS_MAX_NAA];
	size_t n_naa;
	/* PINs verified in this card session (bit i: pins[i] of the set
	 * with this id); TS 102 221 §11.1.9: valid on every channel. */
	uint64_t verified_id;
	uint8_t verified[SIM_FS_MAX_PINS / 8];
};

/* What a command does to an EF, for its access rule (TS 102 221 §9.2.4,
 * ISO/IEC 7816-4 Table 17: READ b1, UPDATE b2; INCREASE by its INS). */
enum fs_op { FS_READ, FS_UPDATE, FS_INCREASE };

/* The PIN set now, with the session's verification status reset when it
 * is another set than last time. */
void fs_secrets(struct sim_fs *fs, struct sim_fs_secrets *sec);
void fs_sec_reset(struct sim_fs *fs);

/* sim_fs_key_satisfied() (sim/fs.h). */
bool fs_key_satisfied(struct sim_fs *fs, unsigned channel, uint8_t key_ref);

/* Whether op on EF f is allowed now by its EF.ARR rule. */
bool fs_allowed(struct sim_fs *fs, const struct sim_file *f, enum fs_op op);

/* The PIN status template DO (C6) of a DF's FCP (TS 102 221
 * §11.1.1.4.10), written to b; returns its length, 0 if it does not fit. */
size_t fs_ps_do(struct sim_fs *fs, const struct sim_file *df, uint8_t *b, size_t cap);

/* The PIN commands (command table entries). */
unsigned fs_verify_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
unsigned fs_change_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
unsigned fs_disable_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
unsigned fs_enable_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out);
unsigned fs_unblock_pin(void *app, const struct sim_apdu *a, struct sim_rbuf *out);

#endif
