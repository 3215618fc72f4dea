/* The file system the card shows (sim/fs.h): the enabled profile's
 * package is the file system; without one the eUICC shows an MF with
 * EF.ICCID ('FF' bytes) and EF.DIR (empty records). */
#include "isdp/isdp.h"
#include "isdp/isdp_priv.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/fs.h"

#define DIR_RECORDS   4
#define DIR_REC_LEN   32

static const uint8_t no_iccid[10] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};
static const uint8_t no_dir[DIR_RECORDS * DIR_REC_LEN] = {
#define FF8 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
	FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8, FF8,
#undef FF8
};
static const struct sim_file builtin[] = {
	{ .depth = 1, .path = { SIM_FID_MF }, .fid = SIM_FID_ICCID, .type = SIM_FT_TRANSPARENT, .fdb = 0x41,
	  .sfi = 0x02, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x02 }, .arr_len = 3, .size_known = true,
	  .size = 10, .content = (uint8_t *)no_iccid, .content_len = 10, .name = "EF.ICCID" },
	{ .depth = 1, .path = { SIM_FID_MF }, .fid = SIM_FID_DIR, .type = SIM_FT_LINEAR_FIXED, .fdb = 0x42,
	  .sfi = 0x1E, .lcsi = 0x05, .arr = { 0x2F, 0x06, 0x01 }, .arr_len = 3, .size_known = true,
	  .size = sizeof(no_dir), .rec_len = DIR_REC_LEN, .nb_rec = DIR_RECORDS,
	  .content = (uint8_t *)no_dir, .content_len = sizeof(no_dir), .name = "EF.DIR" },
};

const struct sim_file *isdp_files(void *store, size_t *n)
{
	const struct isdp_profile *p = isdp_enabled(store);

	if (p && p->decoded) {
		*n = p->decoded->n_files;
		return p->decoded->files;
	}
	*n = ARRAY_SIZE(builtin);
	return builtin;
}
