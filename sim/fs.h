/* The card's file system (ETSI TS 102 221 §8, §11.1.1): the file model and
 * the application that serves it (SELECT by FID, path and ADF name, READ
 * BINARY, READ RECORD, STATUS). Which files exist is not its business: a
 * source hands it the current file list (the enabled profile's files, or
 * those of an eUICC without one) every time it looks. */
#ifndef SIM_FS_H
#define SIM_FS_H

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

/* The files the card shows now; called for every command, so a profile
 * enabled or disabled in between is seen at once. */
struct sim_fs_source {
	const struct sim_file *(*files)(void *arg, size_t *n);
	void *arg;
};

struct sim_fs;

int sim_fs_new(const struct sim_fs_source *src, struct sim_fs **out);
void sim_fs_free(struct sim_fs *fs);

/* The root application of the card OS (register with SIM_APP_ROOT). */
extern const struct sim_app_ops sim_fs_app;

#endif
