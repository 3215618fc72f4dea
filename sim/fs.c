/* The card's file system as far as the eUICC exposes it without an
 * enabled profile: MF, EF.ICCID and EF.DIR (ETSI TS 102 221 §13). Until a
 * profile is enabled EF.ICCID holds 'FF' bytes and EF.DIR empty records. */
#include "sim/card_priv.h"
#include "sim/err.h"
#include "sim/sw.h"
#include "isdp/isdp.h"

#include <string.h>

#define FID_MF      0x3F00
#define FID_ICCID   0x2FE2
#define FID_DIR     0x2F00

#define DIR_RECORDS   4
#define DIR_REC_LEN   32

static int put(struct sim_rbuf *out, const uint8_t *b, size_t n)
{
	return sim_rbuf_put(out, b, n);
}

int sim_fs_mf_fcp(struct sim_rbuf *out)
{
	/* 82 file descriptor (DF), 83 FID, A5 proprietary (UICC
	 * characteristics 80 71), 8A life cycle operational/activated,
	 * 8B security attributes (EF.ARR 2F06 record 1), C6 PIN status
	 * template (PS_DO 90 00, key reference 01 and 81 usage). */
	static const uint8_t fcp[] = {
		0x62, 0x1E,
		0x82, 0x02, 0x78, 0x21,
		0x83, 0x02, 0x3F, 0x00,
		0xA5, 0x03, 0x80, 0x01, 0x71,
		0x8A, 0x01, 0x05,
		0x8B, 0x03, 0x2F, 0x06, 0x01,
		0xC6, 0x06, 0x90, 0x01, 0x00, 0x83, 0x01, 0x01,
	};
	return put(out, fcp, sizeof(fcp));
}

static int ef_fcp(uint16_t fid, struct sim_rbuf *out)
{
	uint8_t fcp[32];
	size_t n = 0;

	fcp[n++] = 0x62;
	fcp[n++] = 0;	/* patched below */
	if (fid == FID_ICCID) {
		/* transparent, shareable, 10 bytes, SFI 02 */
		const uint8_t d[] = { 0x82, 0x02, 0x41, 0x21 };
		memcpy(fcp + n, d, sizeof(d));
		n += sizeof(d);
	} else {
		const uint8_t d[] = { 0x82, 0x05, 0x42, 0x21, 0x00, DIR_REC_LEN, DIR_RECORDS };
		memcpy(fcp + n, d, sizeof(d));
		n += sizeof(d);
	}
	fcp[n++] = 0x83;
	fcp[n++] = 0x02;
	fcp[n++] = (uint8_t)(fid >> 8);
	fcp[n++] = (uint8_t)fid;
	fcp[n++] = 0x8A;
	fcp[n++] = 0x01;
	fcp[n++] = 0x05;
	fcp[n++] = 0x8B;
	fcp[n++] = 0x03;
	fcp[n++] = 0x2F;
	fcp[n++] = 0x06;
	fcp[n++] = fid == FID_ICCID ? 0x02 : 0x01;
	fcp[n++] = 0x80;	/* file size */
	fcp[n++] = 0x02;
	fcp[n++] = 0x00;
	fcp[n++] = fid == FID_ICCID ? 10 : DIR_RECORDS * DIR_REC_LEN;
	fcp[n++] = 0x88;	/* short file identifier */
	fcp[n++] = 0x01;
	fcp[n++] = fid == FID_ICCID ? 0x10 : 0xF0;
	fcp[1] = (uint8_t)(n - 2);
	return put(out, fcp, n);
}

unsigned sim_fs_select_fid(struct sim_card *card, struct sim_channel *ch,
			   const struct sim_apdu *a, struct sim_rbuf *out)
{
	uint16_t fid;

	(void)card;
	/* P1 00: by file identifier; 08: by path from the MF (one level). */
	if (a->p1 != 0x00 && a->p1 != 0x08)
		return SW_WRONG_P1P2;
	if (a->p2 != 0x04 && a->p2 != 0x0C && a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->lc != 2)
		return SW_WRONG_LENGTH;
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	if (a->p1 == 0x08 && fid == FID_MF)
		return SW_WRONG_DATA;	/* the path excludes the MF */
	if (fid != FID_MF && fid != FID_ICCID && fid != FID_DIR)
		return SW_FILE_NOT_FOUND;
	if (ch->app != SIM_APP_MF && fid != FID_MF && a->p1 == 0x00)
		return SW_FILE_NOT_FOUND;	/* EFs live under the MF */
	ch->app = SIM_APP_MF;
	ch->ef = fid == FID_MF ? 0 : fid;
	if (a->p2 == 0x0C)
		return SW_OK;
	if (fid == FID_MF)
		return sim_fs_mf_fcp(out) < 0 ? SW_UNKNOWN : SW_OK;
	return ef_fcp(fid, out) < 0 ? SW_UNKNOWN : SW_OK;
}

unsigned sim_fs_read_binary(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out)
{
	uint8_t iccid[10];
	size_t off, n;

	if (a->p1 & 0x80)
		return SW_FUNC_NOT_SUPPORTED;	/* read by SFI */
	if (ch->app != SIM_APP_MF || ch->ef == 0)
		return SW_NO_CURRENT_EF;
	if (ch->ef != FID_ICCID)
		return SW_INCOMPATIBLE_FILE;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
	if (isdp_enabled_iccid(card, iccid) < 0)
		memset(iccid, 0xFF, sizeof(iccid));
	off = (size_t)a->p1 << 8 | a->p2;
	if (off >= sizeof(iccid))
		return SW_WRONG_OFFSET;
	n = sizeof(iccid) - off;
	if (n > a->ne)
		n = a->ne;
	if (put(out, iccid + off, n) < 0)
		return SW_UNKNOWN;
	return off + a->ne > sizeof(iccid) && a->ne != 256 ? SW_WARN_EOF : SW_OK;
}

unsigned sim_fs_read_record(struct sim_card *card, struct sim_channel *ch,
			    const struct sim_apdu *a, struct sim_rbuf *out)
{
	uint8_t rec[DIR_REC_LEN];

	(void)card;
	if (ch->app != SIM_APP_MF || ch->ef == 0)
		return SW_NO_CURRENT_EF;
	if (ch->ef != FID_DIR)
		return SW_INCOMPATIBLE_FILE;
	if ((a->p2 & 0x07) != 0x04 || (a->p2 >> 3) != 0)
		return SW_WRONG_P1P2;	/* absolute record of the current EF */
	if (a->p1 == 0 || a->p1 > DIR_RECORDS)
		return SW_RECORD_NOT_FOUND;
	if (!a->has_le)
		return SW_WRONG_LENGTH;
	if (a->ne != DIR_REC_LEN && a->ne != 256)
		return SW_WRONG_LENGTH;
	memset(rec, 0xFF, sizeof(rec));
	return put(out, rec, sizeof(rec)) < 0 ? SW_UNKNOWN : SW_OK;
}
