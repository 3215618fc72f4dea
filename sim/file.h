/* The file system's model (ETSI TS 102 221 §8, §9.5): files, PINs and
 * unblock PINs; what an application provides to the file system (the
 * source of files and PINs, NAA handlers); and the lookups over a source's
 * files. sim/fs.h is the application that serves them. */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include "sim/app.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Directory levels above a file (MF, ADF/DF, DF, DF, ...). */
#define SIM_FS_MAX_DEPTH	6

#define SIM_FID_MF		0x3F00
#define SIM_FID_ICCID		0x2FE2	/* EF.ICCID, TS 102 221 §13.2 */
#define SIM_FID_DIR		0x2F00	/* EF.DIR, TS 102 221 §13.1 */

enum sim_ftype {
	SIM_FT_MF = 1,
	SIM_FT_DF,
	SIM_FT_ADF,
	SIM_FT_TRANSPARENT,
	SIM_FT_LINEAR_FIXED,
	SIM_FT_CYCLIC,
	SIM_FT_BER_TLV,
};

struct sim_aid {
	uint8_t b[16];
	uint8_t len;
};

/* One file. ADFs are addressed by a temporary file ID in paths. */
struct sim_file {
	uint16_t path[SIM_FS_MAX_DEPTH];	/* enclosing DFs from the MF: {3F00, 7FD0} */
	uint8_t depth;			/* entries in path; 0 for the MF itself */
	uint16_t fid;
	enum sim_ftype type;
	uint8_t fdb;		/* file descriptor byte, TS 102 221 §11.1.1.4.3 */
	uint8_t sfi;		/* short file identifier, 0: none */
	uint8_t lcsi;		/* life cycle status, TS 102 221 §11.1.1.4.9 */
	uint8_t arr[3];		/* security attributes referenced (EF.ARR) as coded */
	uint8_t arr_len;
	bool size_known;	/* false: no FCP size and no template size */
	uint32_t size;		/* EF size in bytes; BER-TLV: maximum size */
	uint16_t rec_len;	/* linear fixed / cyclic */
	uint16_t nb_rec;
	struct sim_aid aid;	/* ADF: DF name */
	uint8_t link[8];	/* linkPath of a linked EF (no content of its own) */
	uint8_t link_len;
	uint8_t *content;	/* content_len == size when size_known
				 * (BER-TLV: the bytes written) */
	size_t content_len;
	const char *name;	/* "EF.IMSI", or NULL */
	uint16_t pe_id;		/* profile element that created it (profiles/) */
};

/* PINs (TS 102 221 §9.5.1 key references: 01-08 and 11 global, 0A-0E
 * ADM, 81-88 local, 8A-8E local ADM). Values are 8 bytes as sent in
 * VERIFY: digits ('30'-'39') padded with 'FF' for user PINs, any coding
 * for ADM keys. */
#define SIM_PIN_LEN		8
#define SIM_FS_MAX_PINS		64

struct sim_pin {
	uint16_t df;		/* the DF/ADF a local PIN belongs to (its FID); SIM_FID_MF for global ones */
	uint8_t key_ref;
	uint8_t value[SIM_PIN_LEN];
	uint8_t max_attempts;
	uint8_t left;		/* attempts left; 0: blocked */
	bool enabled;		/* verification required (DISABLE/ENABLE PIN) */
	bool may_disable;	/* DISABLE PIN allowed */
	uint8_t puk_ref;	/* key reference of its unblock PIN, 0: none */
};

/* Unblock PINs (UNBLOCK PIN, TS 102 221 §11.1.13). */
struct sim_puk {
	uint8_t key_ref;
	uint8_t value[SIM_PIN_LEN];
	uint8_t max_attempts;
	uint8_t left;
};

/* The PINs of the current file system. `id` is different for every PIN
 * set the source ever hands out (another profile, the same profile
 * loaded again): the verification status, which is per card session and
 * never stored, belongs to one set. */
struct sim_fs_secrets {
	const struct sim_pin *pins;
	size_t n_pins;		/* at most SIM_FS_MAX_PINS are used */
	const struct sim_puk *puks;
	size_t n_puks;
	uint64_t id;
};

/* One change, made durable as a whole or not at all: a file's new content
 * (same length as now), a PIN's new state, its unblock PIN's new state.
 * The pointers are elements of what files() and secrets() returned. */
struct sim_fs_change {
	const struct sim_file *file;	/* NULL: no file changes */
	const uint8_t *content;		/* file->content_len bytes */
	const struct sim_pin *pin;	/* NULL: no PIN changes */
	struct sim_pin pin_new;
	const struct sim_puk *puk;	/* NULL: no unblock PIN changes */
	struct sim_puk puk_new;
};

/* Where the file system gets its files and PINs. files() is called for
 * every command, so a profile enabled or disabled in between is seen at
 * once. secrets() and commit() may be NULL: no PINs, read-only files. */
struct sim_fs_source {
	const struct sim_file *(*files)(void *arg, size_t *n);
	void (*secrets)(void *arg, struct sim_fs_secrets *out);
	/* Apply the change to memory and make it durable before returning 0;
	 * on any error memory is as before (the command then changes
	 * nothing and answers 6581). */
	int (*commit)(void *arg, const struct sim_fs_change *c);
	void *arg;
};

/* ---- network access applications -------------------------------------------- */

struct sim_fs;

/* Where an application command runs: the ADF the channel's current DF is
 * in (the DF itself or one below it). */
struct sim_naa_ctx {
	struct sim_fs *fs;
	unsigned channel;
	const struct sim_file *adf;
};

/* An application command of a NAA: a status word, data to out. */
typedef unsigned (*sim_naa_fn)(void *arg, const struct sim_naa_ctx *c, const struct sim_apdu *a,
			       struct sim_rbuf *out);

struct sim_naa_ops {
	const char *name;		/* "USIM", for the trace */
	sim_naa_fn authenticate;	/* AUTHENTICATE (INS 88); NULL: 6D00 */
	sim_naa_fn get_identity;	/* GET IDENTITY (INS 78); NULL: 6D00 */
};

#define SIM_FS_MAX_NAA 4

/* ---- lookups ------------------------------------------------------------------ */

/* The source's files now (none if it has none). */
const struct sim_file *sim_files(const struct sim_fs_source *src, size_t *n);

/* The file `fid` directly inside the DF at path[0..depth), or NULL. */
const struct sim_file *sim_file_lookup(const struct sim_fs_source *src, const uint16_t *path, uint8_t depth,
				       uint16_t fid);

#endif
