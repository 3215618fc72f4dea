/* File structure templates of the TCA eUICC Profile Package specification
 * (Annex A, "File Structure Templates Definition"; v2.3.1 and the v3.x
 * revisions), used to complete files whose PE does not spell out every
 * FCP field: TS.48 profiles, for example, rely on the template for the
 * size of EF.IMSI and the FID of the MF.
 *
 * Transcribed mechanically from the tables in Osmocom pySim
 * (pySim/esim/saip/templates.py), with each PE member mapped to its tag in
 * profiles/pe.asn. Corrected against the ETSI/3GPP file definitions
 * (TS 102 221 §13, TS 31.102 §4): EF.ICCID is 2FE2 with SFI 02 (pySim:
 * 2F02, no SFI), EF.ARR under the MF has SFI 06 (none), DF.5GS
 * 5FC0 (6FC0), DF.SAIP 5FD0 (6FD0), EF.MMSSMODE 4F22 (4F21), EF.EXT7 6FCC
 * (6FCB); the FID of EF.MudMidCfgData is left to the PE (pySim repeats a
 * neighbour's). TS.48 packages give all of these in their Fcps anyway.
 * A member listed several times in Annex A (EF.ICON, EF.IIDF, the phonebook
 * EFs) has no template FID: the PE names it. No CSIM template (OIDs 2.10,
 * 2.11) is included: CSIM files need their FID in the Fcp, and without a
 * size there their size stays unknown (struct sim_file.size_known).
 *
 * Columns: tag, type, fid, parent DF, EF.ARR record, records, size or
 * record length, SFI, repeat, name, default content. */
#include "profiles/saip_priv.h"
#include "sim/err.h"

#include <string.h>

static const struct saip_tpl_file tpl_atmf[] = {
	{  2, SIM_FT_MF,           0x3F00, 0x0000, 14,   0,   0, 0x00, false, "MF", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x2F05, 0x0000,  1,   0,   2, 0x05, false, "EF.PL", "FF...FF" },
	{  4, SIM_FT_TRANSPARENT,  0x2FE2, 0x0000, 11,   0,  10, 0x02, false, "EF.ICCID", NULL },
	{  5, SIM_FT_LINEAR_FIXED, 0x2F00, 0x0000, 10,   0,   0, 0x1E, false, "EF.DIR", NULL },
	{  6, SIM_FT_LINEAR_FIXED, 0x2F06, 0x0000, 10,   0,   0, 0x06, false, "EF.ARR", NULL },
	{  7, SIM_FT_TRANSPARENT,  0x2F08, 0x0000, 10,   0,   5, 0x08, false, "EF.UMPC", NULL },
};

static const struct saip_tpl_file tpl_cd[] = {
	{  2, SIM_FT_DF,           0x7F11, 0x0000, 14,   0,   0, 0x00, false, "DF.CD", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x6F01, 0x0000,  2,   0,   0, 0x00, false, "EF.LAUNCHPAD", NULL },
	{  4, SIM_FT_TRANSPARENT,  0x0000, 0x0000,  2,   0,   0, 0x00, false, "EF.ICON", NULL },
};

static const struct saip_tpl_file tpl_telecomv2[] = {
	{  2, SIM_FT_DF,           0x7F10, 0x0000, 14,   0,   0, 0x00, false, "DF.TELECOM", NULL },
	{  3, SIM_FT_LINEAR_FIXED, 0x6F06, 0x0000, 10,   0,   0, 0x00, false, "EF.ARR", NULL },
	{  4, SIM_FT_LINEAR_FIXED, 0x6F53, 0x0000,  3,   0,   0, 0x00, false, "EF.RMA", NULL },
	{  5, SIM_FT_TRANSPARENT,  0x6F54, 0x0000,  3,   0,  22, 0x00, false, "EF.SUME", NULL },
	{  6, SIM_FT_LINEAR_FIXED, 0x6FE0, 0x0000,  9,  50,  24, 0x00, false, "EF.ICE_DN", "FF...FF" },
	{  7, SIM_FT_LINEAR_FIXED, 0x6FE1, 0x0000,  9,   0,   0, 0x00, false, "EF.ICE_FF", "FF...FF" },
	{  8, SIM_FT_LINEAR_FIXED, 0x6FE5, 0x0000,  5,   0,   0, 0x00, false, "EF.PSISMSC", NULL },
	{  9, SIM_FT_DF,           0x5F50, 0x0000, 14,   0,   0, 0x00, false, "DF.GRAPHICS", NULL },
	{ 10, SIM_FT_LINEAR_FIXED, 0x4F20, 0x5F50,  2,   0,   0, 0x00, false, "EF.IMG", "00FF...FF" },
	{ 11, SIM_FT_TRANSPARENT,  0x0000, 0x5F50,  2,   0,   0, 0x00, false, "EF.IIDF", "FF...FF" },
	{ 12, SIM_FT_BER_TLV,      0x4F21, 0x5F50,  9,   0,   0, 0x00, false, "EF.ICE_GRAPHICS", NULL },
	{ 13, SIM_FT_TRANSPARENT,  0x4F01, 0x5F50, 10,   0,   0, 0x00, false, "EF.LAUNCH_SCWS", NULL },
	{ 14, SIM_FT_TRANSPARENT,  0x0000, 0x5F50, 10,   0,   0, 0x00, false, "EF.ICON", NULL },
	{ 15, SIM_FT_DF,           0x5F3A, 0x0000, 14,   0,   0, 0x00, false, "DF.PHONEBOOK", NULL },
	{ 16, SIM_FT_LINEAR_FIXED, 0x4F30, 0x5F3A,  2,   0,   0, 0x00, false, "EF.PBR", NULL },
	{ 17, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,  13, 0x00, false, "EF.EXT1", "00FF...FF" },
	{ 18, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.AAS", "FF...FF" },
	{ 19, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.GAS", "FF...FF" },
	{ 20, SIM_FT_TRANSPARENT,  0x4F22, 0x5F3A,  5,   0,   4, 0x00, false, "EF.PSC", "00000000" },
	{ 21, SIM_FT_TRANSPARENT,  0x4F23, 0x5F3A,  5,   0,   2, 0x00, false, "EF.CC", "0000" },
	{ 22, SIM_FT_TRANSPARENT,  0x4F24, 0x5F3A,  5,   0,   2, 0x00, false, "EF.PUID", "0000" },
	{ 23, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.IAP", "FF...FF" },
	{ 24, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.ADN", "FF...FF" },
	{ 26, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.ANR", "FF...FF" },
	{ 27, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.PURI", NULL },
	{ 28, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.EMAIL", "FF...FF" },
	{ 29, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.SNE", "FF...FF" },
	{ 30, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   2, 0x00, false, "EF.UID", "0000" },
	{ 31, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.GRP", "00...00" },
	{ 32, SIM_FT_LINEAR_FIXED, 0x0000, 0x5F3A,  5,   0,   0, 0x00, false, "EF.CCP1", "FF...FF" },
	{ 33, SIM_FT_DF,           0x5F3B, 0x0000, 14,   0,   0, 0x00, false, "DF.MULTIMEDIA", NULL },
	{ 34, SIM_FT_BER_TLV,      0x4F47, 0x5F3B,  5,   0,   0, 0x00, false, "EF.MML", NULL },
	{ 35, SIM_FT_BER_TLV,      0x4F48, 0x5F3B,  5,   0,   0, 0x00, false, "EF.MMDF", NULL },
	{ 36, SIM_FT_DF,           0x5F3C, 0x0000, 14,   0,   0, 0x00, false, "DF.MMSS", NULL },
	{ 37, SIM_FT_TRANSPARENT,  0x4F20, 0x5F3C,  2,   0,   0, 0x01, false, "EF.MLPL", NULL },
	{ 38, SIM_FT_TRANSPARENT,  0x4F21, 0x5F3C,  2,   0,   0, 0x02, false, "EF.MSPL", NULL },
	{ 39, SIM_FT_TRANSPARENT,  0x4F22, 0x5F3C,  2,   0,   1, 0x03, false, "EF.MMSSMODE", NULL },
	{ 40, SIM_FT_DF,           0x5F3D, 0x0000, 14,   0,   0, 0x00, false, "DF.MCS", NULL },
	{ 41, SIM_FT_TRANSPARENT,  0x4F01, 0x5F3D,  2,   0,   0, 0x01, false, "EF.MST", NULL },
	{ 42, SIM_FT_BER_TLV,      0x4F02, 0x5F3D,  2,   0,   0, 0x02, false, "EF.MCSCONFIG", NULL },
	{ 43, SIM_FT_DF,           0x5F3E, 0x0000, 14,   0,   0, 0x00, false, "DF.V2X", NULL },
	{ 44, SIM_FT_TRANSPARENT,  0x4F01, 0x5F3E,  2,   0,   0, 0x01, false, "EF.VST", NULL },
	{ 45, SIM_FT_BER_TLV,      0x4F02, 0x5F3E,  2,   0,   0, 0x02, false, "EF.V2X_CONFIG", NULL },
	{ 46, SIM_FT_TRANSPARENT,  0x4F03, 0x5F3E,  2,   0,   0, 0x00, false, "EF.V2XP_PC5", NULL },
	{ 47, SIM_FT_TRANSPARENT,  0x4F04, 0x5F3E,  2,   0,   0, 0x00, false, "EF.V2XP_Uu", NULL },
};

static const struct saip_tpl_file tpl_usimmandatory[] = {
	{  2, SIM_FT_ADF,          0x0000, 0x0000, 14,   0,   0, 0x00, false, "ADF.USIM", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x6F07, 0x0000,  2,   0,   9, 0x07, false, "EF.IMSI", NULL },
	{  4, SIM_FT_LINEAR_FIXED, 0x6F06, 0x0000, 10,   0,   0, 0x17, false, "EF.ARR", NULL },
	{  5, SIM_FT_TRANSPARENT,  0x6F08, 0x0000,  5,   0,  33, 0x08, false, "EF.Keys", "07FF...FF" },
	{  6, SIM_FT_TRANSPARENT,  0x6F09, 0x0000,  5,   0,  33, 0x09, false, "EF.KeysPS", "07FF...FF" },
	{  7, SIM_FT_TRANSPARENT,  0x6F31, 0x0000,  2,   0,   1, 0x12, false, "EF.HPPLMN", "0A" },
	{  8, SIM_FT_TRANSPARENT,  0x6F38, 0x0000,  2,   0,  14, 0x04, false, "EF.UST", NULL },
	{  9, SIM_FT_LINEAR_FIXED, 0x6F3B, 0x0000,  8,  20,  26, 0x00, false, "EF.FDN", "FF...FF" },
	{ 10, SIM_FT_LINEAR_FIXED, 0x6F3C, 0x0000,  5,  10, 176, 0x00, false, "EF.SMS", "00FF...FF" },
	{ 11, SIM_FT_LINEAR_FIXED, 0x6F42, 0x0000,  5,   1,  38, 0x00, false, "EF.SMSP", "FF...FF" },
	{ 12, SIM_FT_TRANSPARENT,  0x6F43, 0x0000,  5,   0,   2, 0x00, false, "EF.SMSS", "FFFF" },
	{ 13, SIM_FT_TRANSPARENT,  0x6F46, 0x0000, 10,   0,  17, 0x00, false, "EF.SPN", NULL },
	{ 14, SIM_FT_TRANSPARENT,  0x6F56, 0x0000,  8,   0,   1, 0x05, false, "EF.EST", NULL },
	{ 15, SIM_FT_TRANSPARENT,  0x6F5B, 0x0000,  5,   0,   6, 0x0F, false, "EF.START-HFN", "F00000F00000" },
	{ 16, SIM_FT_TRANSPARENT,  0x6F5C, 0x0000,  2,   0,   3, 0x10, false, "EF.THRESHOLD", "FFFFFF" },
	{ 17, SIM_FT_TRANSPARENT,  0x6F73, 0x0000,  5,   0,  14, 0x0C, false, "EF.PSLOCI", "FFFFFFFFFFFFFFFFFFFF0000FF01" },
	{ 18, SIM_FT_TRANSPARENT,  0x6F78, 0x0000,  2,   0,   2, 0x06, false, "EF.ACC", NULL },
	{ 19, SIM_FT_TRANSPARENT,  0x6F7B, 0x0000,  5,   0,  12, 0x0D, false, "EF.FPLMN", "FF...FF" },
	{ 20, SIM_FT_TRANSPARENT,  0x6F7E, 0x0000,  5,   0,  11, 0x0B, false, "EF.LOCI", "FFFFFFFFFFFFFF0000FF01" },
	{ 21, SIM_FT_TRANSPARENT,  0x6FAD, 0x0000, 10,   0,   4, 0x03, false, "EF.AD", "00000002" },
	{ 22, SIM_FT_LINEAR_FIXED, 0x6FB7, 0x0000, 10,   1,   4, 0x01, false, "EF.ECC", NULL },
	{ 23, SIM_FT_TRANSPARENT,  0x6FC4, 0x0000,  5,   0, 128, 0x00, false, "EF.NETPAR", "FF...FF" },
	{ 24, SIM_FT_TRANSPARENT,  0x6FE3, 0x0000,  5,   0,  18, 0x1E, false, "EF.EPSLOCI", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000001" },
	{ 25, SIM_FT_LINEAR_FIXED, 0x6FE4, 0x0000,  5,   1,  80, 0x18, false, "EF.EPSNSC", "FF...FF" },
};

static const struct saip_tpl_file tpl_usimmandatoryv2[] = {
	/* only what changed since usimmandatory: the other members are as there */
	{  8, SIM_FT_TRANSPARENT,  0x6F38, 0x0000,  2,   0,  17, 0x04, false, "EF.UST", NULL },
};

static const struct saip_tpl_file tpl_usimoptional[] = {
	{  2, SIM_FT_TRANSPARENT,  0x6F05, 0x0000,  1,   0,   6, 0x02, false, "EF.LI", "FF...FF" },
	{  3, SIM_FT_TRANSPARENT,  0x6F37, 0x0000,  5,   0,   3, 0x00, false, "EF.ACMmax", "000000" },
	{  4, SIM_FT_CYCLIC,       0x6F39, 0x0000,  7,   1,   3, 0x00, false, "EF.ACM", "000000" },
	{  5, SIM_FT_TRANSPARENT,  0x6F3E, 0x0000,  2,   0,   8, 0x00, false, "EF.GID1", NULL },
	{  6, SIM_FT_TRANSPARENT,  0x6F3F, 0x0000,  2,   0,   8, 0x00, false, "EF.GID2", NULL },
	{  7, SIM_FT_LINEAR_FIXED, 0x6F40, 0x0000,  2,   1,  24, 0x00, false, "EF.MSISDN", "FF...FF" },
	{  8, SIM_FT_TRANSPARENT,  0x6F41, 0x0000,  5,   0,   5, 0x00, false, "EF.PUCT", "FFFFFF0000" },
	{  9, SIM_FT_TRANSPARENT,  0x6F45, 0x0000,  5,   0,  10, 0x00, false, "EF.CBMI", "FF...FF" },
	{ 10, SIM_FT_TRANSPARENT,  0x6F48, 0x0000,  2,   0,  10, 0x0E, false, "EF.CBMID", "FF...FF" },
	{ 11, SIM_FT_LINEAR_FIXED, 0x6F49, 0x0000,  2,  10,  24, 0x00, false, "EF.SDN", "FF...FF" },
	{ 12, SIM_FT_LINEAR_FIXED, 0x6F4B, 0x0000,  8,  10,  13, 0x00, false, "EF.EXT2", "00FF...FF" },
	{ 13, SIM_FT_LINEAR_FIXED, 0x6F4C, 0x0000,  2,  10,  13, 0x00, false, "EF.EXT3", "00FF...FF" },
	{ 14, SIM_FT_TRANSPARENT,  0x6F50, 0x0000,  5,   0,  20, 0x00, false, "EF.CBMIR", "FF...FF" },
	{ 15, SIM_FT_TRANSPARENT,  0x6F60, 0x0000,  5,   0,  40, 0x0A, true, "EF.PLMNwAcT", "FFFFFF0000" },
	{ 16, SIM_FT_TRANSPARENT,  0x6F61, 0x0000,  2,   0,  40, 0x11, true, "EF.OPLMNwAcT", "FFFFFF0000" },
	{ 17, SIM_FT_TRANSPARENT,  0x6F62, 0x0000,  2,   0,   5, 0x13, true, "EF.HPLMNwAcT", "FFFFFF0000" },
	{ 18, SIM_FT_TRANSPARENT,  0x6F2C, 0x0000,  5,   0,  16, 0x00, false, "EF.DCK", "FF...FF" },
	{ 19, SIM_FT_TRANSPARENT,  0x6F32, 0x0000,  2,   0,  30, 0x00, false, "EF.CNL", "FF...FF" },
	{ 20, SIM_FT_LINEAR_FIXED, 0x6F47, 0x0000,  5,  10,  30, 0x00, false, "EF.SMSR", "00FF...FF" },
	{ 21, SIM_FT_LINEAR_FIXED, 0x6F4D, 0x0000,  8,  10,  25, 0x00, false, "EF.BDN", "FF...FF" },
	{ 22, SIM_FT_LINEAR_FIXED, 0x6F4E, 0x0000,  5,  10,  13, 0x00, false, "EF.EXT5", "00FF...FF" },
	{ 23, SIM_FT_LINEAR_FIXED, 0x6F4F, 0x0000,  5,   5,  15, 0x16, false, "EF.CCP2", "FF...FF" },
	{ 24, SIM_FT_LINEAR_FIXED, 0x6F55, 0x0000,  8,  10,  13, 0x00, false, "EF.EXT4", "00FF...FF" },
	{ 25, SIM_FT_TRANSPARENT,  0x6F57, 0x0000,  8,   0, 101, 0x00, false, "EF.ACL", "00FF...FF" },
	{ 26, SIM_FT_LINEAR_FIXED, 0x6F58, 0x0000,  2,  10,  11, 0x00, false, "EF.CMI", "FF...FF" },
	{ 27, SIM_FT_CYCLIC,       0x6F80, 0x0000,  5,  20,  38, 0x14, false, "EF.ICI", "FF...FF0000000001FFFF" },
	{ 28, SIM_FT_CYCLIC,       0x6F81, 0x0000,  5,  20,  37, 0x15, false, "EF.OCI", "FF...FF00000001FFFF" },
	{ 29, SIM_FT_CYCLIC,       0x6F82, 0x0000,  7,   1,   3, 0x00, false, "EF.ICT", "000000" },
	{ 30, SIM_FT_CYCLIC,       0x6F83, 0x0000,  7,   1,   3, 0x00, false, "EF.OCT", "000000" },
	{ 31, SIM_FT_TRANSPARENT,  0x6FB1, 0x0000,  2,   0,  20, 0x00, false, "EF.VGCS", NULL },
	{ 32, SIM_FT_TRANSPARENT,  0x6FB2, 0x0000,  5,   0,   7, 0x00, false, "EF.VGCSS", NULL },
	{ 33, SIM_FT_TRANSPARENT,  0x6FB3, 0x0000,  2,   0,  20, 0x00, false, "EF.VBS", NULL },
	{ 34, SIM_FT_TRANSPARENT,  0x6FB4, 0x0000,  5,   0,   7, 0x00, false, "EF.VBSS", NULL },
	{ 35, SIM_FT_TRANSPARENT,  0x6FB5, 0x0000,  2,   0,   2, 0x00, false, "EF.eMLPP", NULL },
	{ 36, SIM_FT_TRANSPARENT,  0x6FB6, 0x0000,  5,   0,   1, 0x00, false, "EF.AaeM", "00" },
	{ 37, SIM_FT_TRANSPARENT,  0x6FC3, 0x0000,  5,   0,   4, 0x00, false, "EF.HiddenKey", "FF...FF" },
	{ 38, SIM_FT_LINEAR_FIXED, 0x6FC5, 0x0000, 10,  10,  16, 0x19, false, "EF.PNN", NULL },
	{ 39, SIM_FT_LINEAR_FIXED, 0x6FC6, 0x0000, 10,   5,   8, 0x1A, false, "EF.OPL", NULL },
	{ 40, SIM_FT_LINEAR_FIXED, 0x6FC7, 0x0000,  5,   3,  24, 0x00, false, "EF.MBDN", NULL },
	{ 41, SIM_FT_LINEAR_FIXED, 0x6FC8, 0x0000,  5,  10,  13, 0x00, false, "EF.EXT6", "00FF...FF" },
	{ 42, SIM_FT_LINEAR_FIXED, 0x6FC9, 0x0000,  5,  10,   5, 0x00, false, "EF.MBI", NULL },
	{ 43, SIM_FT_LINEAR_FIXED, 0x6FCA, 0x0000,  5,  10,   6, 0x00, false, "EF.MWIS", "00...00" },
	{ 44, SIM_FT_LINEAR_FIXED, 0x6FCB, 0x0000,  5,  10,  16, 0x00, false, "EF.CFIS", "0100FF...FF" },
	{ 45, SIM_FT_LINEAR_FIXED, 0x6FCC, 0x0000,  5,  10,  13, 0x00, false, "EF.EXT7", "00FF...FF" },
	{ 46, SIM_FT_TRANSPARENT,  0x6FCD, 0x0000,  2,   0,  17, 0x1B, false, "EF.SPDI", NULL },
	{ 47, SIM_FT_LINEAR_FIXED, 0x6FCE, 0x0000,  5,  10,   6, 0x00, false, "EF.MMSN", "000000FF...FF" },
	{ 48, SIM_FT_LINEAR_FIXED, 0x6FCF, 0x0000,  5,  10,  13, 0x00, false, "EF.EXT8", "00FF...FF" },
	{ 49, SIM_FT_TRANSPARENT,  0x6FD0, 0x0000,  2,   0, 100, 0x00, false, "EF.MMSICP", "FF...FF" },
	{ 50, SIM_FT_LINEAR_FIXED, 0x6FD1, 0x0000,  5,   0,   0, 0x00, false, "EF.MMSUP", "FF...FF" },
	{ 51, SIM_FT_TRANSPARENT,  0x6FD2, 0x0000,  5,   0, 100, 0x00, false, "EF.MMSUCP", "FF...FF" },
	{ 52, SIM_FT_LINEAR_FIXED, 0x6FD3, 0x0000,  2,   5,  11, 0x00, false, "EF.NIA", "FF...FF" },
	{ 53, SIM_FT_TRANSPARENT,  0x6FD4, 0x0000,  2,   0,   0, 0x00, false, "EF.VGCSCA", "00...00" },
	{ 54, SIM_FT_TRANSPARENT,  0x6FD5, 0x0000,  2,   0,   0, 0x00, false, "EF.VBSCA", "00...00" },
	{ 55, SIM_FT_TRANSPARENT,  0x6FD6, 0x0000,  5,   0,   0, 0x00, false, "EF.GBABP", "FF...FF" },
	{ 56, SIM_FT_LINEAR_FIXED, 0x6FD7, 0x0000,  2,   0,   0, 0x00, false, "EF.MSK", "FF...FF" },
	{ 57, SIM_FT_LINEAR_FIXED, 0x6FD8, 0x0000,  2,   0,   0, 0x00, false, "EF.MUK", "FF...FF" },
	{ 58, SIM_FT_TRANSPARENT,  0x6FD9, 0x0000,  2,   0,  15, 0x1D, false, "EF.EHPLMN", "FF...FF" },
	{ 59, SIM_FT_LINEAR_FIXED, 0x6FDA, 0x0000,  2,   0,   0, 0x00, false, "EF.GBANL", "FF...FF" },
	{ 60, SIM_FT_TRANSPARENT,  0x6FDB, 0x0000,  2,   0,   1, 0x00, false, "EF.EHPLMNPI", "00" },
	{ 61, SIM_FT_TRANSPARENT,  0x6FDC, 0x0000,  2,   0,   1, 0x00, false, "EF.LRPLMNSI", "00" },
	{ 62, SIM_FT_LINEAR_FIXED, 0x6FDD, 0x0000,  2,   0,   0, 0x00, false, "EF.NAFKCA", "FF...FF" },
	{ 63, SIM_FT_TRANSPARENT,  0x6FDE, 0x0000, 10,   0,   0, 0x00, false, "EF.SPNI", "00FF...FF" },
	{ 64, SIM_FT_LINEAR_FIXED, 0x6FDF, 0x0000, 10,   0,   0, 0x00, false, "EF.PNNI", "00FF...FF" },
	{ 65, SIM_FT_LINEAR_FIXED, 0x6FE2, 0x0000,  2,   0,   0, 0x00, false, "EF.NCP-IP", NULL },
	{ 66, SIM_FT_TRANSPARENT,  0x6FE6, 0x0000, 10,   0,  30, 0x00, false, "EF.UFC", "801E60C01E900080040000000000000000F0000000004000000000000080" },
	{ 67, SIM_FT_TRANSPARENT,  0x6FE8, 0x0000,  2,   0,  18, 0x00, false, "EF.NASCONFIG", NULL },
	{ 68, SIM_FT_LINEAR_FIXED, 0x6FE7, 0x0000,  2,   0,   0, 0x00, false, "EF.UICCIARI", NULL },
	{ 69, SIM_FT_TRANSPARENT,  0x6FEC, 0x0000, 10,   0,   0, 0x00, false, "EF.PWS", NULL },
	{ 70, SIM_FT_LINEAR_FIXED, 0x6FED, 0x0000,  8,   0,   0, 0x00, false, "EF.FDNURI", "FF...FF" },
	{ 71, SIM_FT_LINEAR_FIXED, 0x6FEE, 0x0000,  8,   0,   0, 0x00, false, "EF.BDNURI", "FF...FF" },
	{ 72, SIM_FT_LINEAR_FIXED, 0x6FEF, 0x0000,  2,   0,   0, 0x00, false, "EF.SDNURI", "FF...FF" },
	{ 73, SIM_FT_LINEAR_FIXED, 0x6FF0, 0x0000,  3,   0,   0, 0x00, false, "EF.IWL", "FF...FF" },
	{ 74, SIM_FT_CYCLIC,       0x6FF1, 0x0000, 10,   0,   4, 0x00, false, "EF.IPS", "FF...FF" },
	{ 75, SIM_FT_LINEAR_FIXED, 0x6FF2, 0x0000,  3,   0,   0, 0x00, false, "EF.IPD", "FF...FF" },
};

static const struct saip_tpl_file tpl_usimoptionalv3[] = {
	/* only what changed since usimoptional: the other members are as there */
	{ 15, SIM_FT_TRANSPARENT,  0x6F60, 0x0000,  5,   0,  40, 0x0A, false, "EF.PLMNwAcT", "FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000" },
	{ 16, SIM_FT_TRANSPARENT,  0x6F61, 0x0000,  2,   0,  40, 0x11, false, "EF.OPLMNwAcT", "FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000FFFFFF0000" },
	{ 17, SIM_FT_TRANSPARENT,  0x6F62, 0x0000,  2,   0,   5, 0x13, false, "EF.HPLMNwAcT", "FFFFFF0000" },
	{ 76, SIM_FT_TRANSPARENT,  0x6FF3, 0x0000,  2,   0,   0, 0x00, false, "EF.EPDGID", NULL },
	{ 77, SIM_FT_TRANSPARENT,  0x6FF4, 0x0000,  2,   0,   0, 0x00, false, "EF.EPDGSELECTION", NULL },
	{ 78, SIM_FT_TRANSPARENT,  0x6FF5, 0x0000,  2,   0,   0, 0x00, false, "EF.EPDGIDEM", NULL },
	{ 79, SIM_FT_TRANSPARENT,  0x6FF6, 0x0000,  2,   0,   0, 0x00, false, "EF.EPDGIDEMSEL", NULL },
	{ 80, SIM_FT_TRANSPARENT,  0x6FF7, 0x0000,  2,   0,   1, 0x00, false, "EF.FromPreferred", "00" },
	{ 81, SIM_FT_BER_TLV,      0x6FF8, 0x0000,  2,   0,   0, 0x00, false, "EF.IMSConfigData", NULL },
	{ 82, SIM_FT_TRANSPARENT,  0x6FF9, 0x0000,  2,   0,   4, 0x00, false, "EF.3GPPPSDataOff", NULL },
	{ 83, SIM_FT_LINEAR_FIXED, 0x6FFA, 0x0000,  2,   0,   0, 0x00, false, "EF.3GPPPSDOSLIST", NULL },
	{ 84, SIM_FT_BER_TLV,      0x6FFC, 0x0000,  2,   0,   0, 0x00, false, "EF.XCAPConfigData", NULL },
	{ 85, SIM_FT_TRANSPARENT,  0x6FFD, 0x0000, 10,   0,   0, 0x00, false, "EF.EARFCNLIST", NULL },
	{ 86, SIM_FT_BER_TLV,      0x0000, 0x0000,  2,   0,   0, 0x00, false, "EF.MudMidCfgdata", NULL },
	{ 87, SIM_FT_TRANSPARENT,  0x6F01, 0x0000,  3,   0,   1, 0x00, false, "EF.eAKA", NULL },
};

static const struct saip_tpl_file tpl_usimdfphonebook[] = {
	{  2, SIM_FT_DF,           0x5F3A, 0x0000, 14,   0,   0, 0x00, false, "DF.PHONEBOOK", NULL },
	{  3, SIM_FT_LINEAR_FIXED, 0x4F30, 0x0000,  2,   0,   0, 0x00, false, "EF.PBR", NULL },
	{  4, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,  13, 0x00, false, "EF.EXT1", "00FF...FF" },
	{  5, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.AAS", "FF...FF" },
	{  6, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.GAS", "FF...FF" },
	{  7, SIM_FT_TRANSPARENT,  0x4F22, 0x0000,  5,   0,   4, 0x00, false, "EF.PSC", "00000000" },
	{  8, SIM_FT_TRANSPARENT,  0x4F23, 0x0000,  5,   0,   2, 0x00, false, "EF.CC", "0000" },
	{  9, SIM_FT_TRANSPARENT,  0x4F24, 0x0000,  5,   0,   2, 0x00, false, "EF.PUID", "0000" },
	{ 10, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.IAP", "FF...FF" },
	{ 11, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.ADN", "FF...FF" },
	{ 13, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.ANR", "FF...FF" },
	{ 14, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.PURI", NULL },
	{ 15, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.EMAIL", "FF...FF" },
	{ 16, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.SNE", "FF...FF" },
	{ 17, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   2, 0x00, false, "EF.UID", "0000" },
	{ 18, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.GRP", "00...00" },
	{ 19, SIM_FT_LINEAR_FIXED, 0x0000, 0x0000,  5,   0,   0, 0x00, false, "EF.CCP1", "FF...FF" },
};

static const struct saip_tpl_file tpl_usimdfgsmaccess[] = {
	{  2, SIM_FT_DF,           0x5F3B, 0x0000, 14,   0,   0, 0x00, false, "DF.GSM-ACCESS", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F20, 0x0000,  5,   0,   9, 0x01, false, "EF.Kc", "FF...FF07" },
	{  4, SIM_FT_TRANSPARENT,  0x4F52, 0x0000,  5,   0,   9, 0x02, false, "EF.KcGPRS", "FF...FF07" },
	{  5, SIM_FT_TRANSPARENT,  0x4F63, 0x0000,  5,   0,  10, 0x00, false, "EF.CPBCCH", "FF...FF" },
	{  6, SIM_FT_TRANSPARENT,  0x4F64, 0x0000,  2,   0,   1, 0x00, false, "EF.InvScan", "00" },
};

static const struct saip_tpl_file tpl_isimmandatory[] = {
	{  2, SIM_FT_ADF,          0x0000, 0x0000, 14,   0,   0, 0x00, false, "ADF.ISIM", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x6F02, 0x0000,  2,   0,   0, 0x02, false, "EF.IMPI", NULL },
	{  4, SIM_FT_LINEAR_FIXED, 0x6F04, 0x0000,  2,   1,   0, 0x04, false, "EF.IMPU", NULL },
	{  5, SIM_FT_TRANSPARENT,  0x6F03, 0x0000,  2,   0,   0, 0x05, false, "EF.Domain", NULL },
	{  6, SIM_FT_TRANSPARENT,  0x6F07, 0x0000,  2,   0,  14, 0x07, false, "EF.IST", NULL },
	{  7, SIM_FT_TRANSPARENT,  0x6FAD, 0x0000, 10,   0,   3, 0x03, false, "EF.AD", "000000" },
	{  8, SIM_FT_LINEAR_FIXED, 0x6F06, 0x0000, 10,   0,   0, 0x06, false, "EF.ARR", NULL },
};

static const struct saip_tpl_file tpl_isimoptional[] = {
	{  2, SIM_FT_LINEAR_FIXED, 0x6F09, 0x0000,  2,   1,   0, 0x00, false, "EF.P-CSCF", NULL },
	{  3, SIM_FT_LINEAR_FIXED, 0x6F3C, 0x0000,  5,  10, 176, 0x00, false, "EF.SMS", "00FF...FF" },
	{  4, SIM_FT_LINEAR_FIXED, 0x6F42, 0x0000,  5,   1,  38, 0x00, false, "EF.SMSP", "FF...FF" },
	{  5, SIM_FT_TRANSPARENT,  0x6F43, 0x0000,  5,   0,   2, 0x00, false, "EF.SMSS", "FFFF" },
	{  6, SIM_FT_LINEAR_FIXED, 0x6F47, 0x0000,  5,  10,  30, 0x00, false, "EF.SMSR", "00FF...FF" },
	{  7, SIM_FT_TRANSPARENT,  0x6FD5, 0x0000,  5,   0,   0, 0x00, false, "EF.GBABP", "FF...FF" },
	{  8, SIM_FT_LINEAR_FIXED, 0x6FD7, 0x0000,  2,   0,   0, 0x00, false, "EF.GBANL", "FF...FF" },
	{  9, SIM_FT_LINEAR_FIXED, 0x6FDD, 0x0000,  2,   0,   0, 0x00, false, "EF.NAFKCA", "FF...FF" },
	{ 10, SIM_FT_LINEAR_FIXED, 0x6FE7, 0x0000,  2,   0,   0, 0x00, false, "EF.UICCIARI", NULL },
};

static const struct saip_tpl_file tpl_isimoptionalv2[] = {
	/* only what changed since isimoptional: the other members are as there */
	{  2, SIM_FT_LINEAR_FIXED, 0x6F09, 0x0000,  2,   1,   0, 0x00, false, "EF.PCSCF", NULL },
	{ 11, SIM_FT_TRANSPARENT,  0x6FF7, 0x0000,  2,   0,   1, 0x00, false, "EF.FromPreferred", "00" },
	{ 12, SIM_FT_BER_TLV,      0x6FF8, 0x0000,  2,   0,   0, 0x00, false, "EF.ImsConfigData", NULL },
	{ 13, SIM_FT_BER_TLV,      0x6FFC, 0x0000,  2,   0,   0, 0x00, false, "EF.XcapconfigData", NULL },
	{ 14, SIM_FT_LINEAR_FIXED, 0x6FFA, 0x0000,  2,   0,   0, 0x00, false, "EF.WebRTCURI", NULL },
	{ 15, SIM_FT_BER_TLV,      0x0000, 0x0000,  2,   0,   0, 0x00, false, "EF.MudMidCfgData", NULL },
};

static const struct saip_tpl_file tpl_eap[] = {
	{  2, SIM_FT_DF,           0x0000, 0x0000, 14,   0,   0, 0x00, false, "DF.EAP", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F01, 0x0000,  2,   0,   0, 0x00, false, "EF.EAPKEYS", NULL },
	{  4, SIM_FT_TRANSPARENT,  0x4F02, 0x0000,  2,   0,   1, 0x00, false, "EF.EAPSTATUS", "00" },
	{  5, SIM_FT_TRANSPARENT,  0x4F03, 0x0000,  2,   0,   0, 0x00, false, "EF.PUId", NULL },
	{  6, SIM_FT_TRANSPARENT,  0x4F04, 0x0000,  5,   0,   0, 0x00, false, "EF.Ps", "FF...FF" },
	{  7, SIM_FT_TRANSPARENT,  0x4F20, 0x0000,  5,   0,   0, 0x00, false, "EF.CurID", "FF...FF" },
	{  8, SIM_FT_TRANSPARENT,  0x4F21, 0x0000,  5,   0,   0, 0x00, false, "EF.RelID", NULL },
	{  9, SIM_FT_TRANSPARENT,  0x4F22, 0x0000,  5,   0,   0, 0x00, false, "EF.Realm", NULL },
};

static const struct saip_tpl_file tpl_usimdf5gsv2[] = {
	{  2, SIM_FT_DF,           0x5FC0, 0x0000, 14,   0,   0, 0x00, false, "DF.5GS", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F01, 0x0000,  5,   0,  20, 0x01, false, "EF.5GS3GPPLOCI", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000001" },
	{  4, SIM_FT_TRANSPARENT,  0x4F02, 0x0000,  5,   0,  20, 0x02, false, "EF.5GSN3GPPLOCI", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000001" },
	{  5, SIM_FT_LINEAR_FIXED, 0x4F03, 0x0000,  5,   1,  57, 0x03, false, "EF.5GS3GPPNSC", "FF...FF" },
	{  6, SIM_FT_LINEAR_FIXED, 0x4F04, 0x0000,  5,   1,  57, 0x04, false, "EF.5GSN3GPPNSC", "FF...FF" },
	{  7, SIM_FT_TRANSPARENT,  0x4F05, 0x0000,  5,   0, 110, 0x05, false, "EF.5GAUTHKEYS", NULL },
	{  8, SIM_FT_TRANSPARENT,  0x4F06, 0x0000,  2,   0,   4, 0x06, false, "EF.UAC_AIC", NULL },
	{  9, SIM_FT_TRANSPARENT,  0x4F07, 0x0000,  2,   0,   0, 0x07, false, "EF.SUCI_Calc_Info", "FF...FF" },
	{ 10, SIM_FT_LINEAR_FIXED, 0x4F08, 0x0000, 10,   0,  10, 0x08, false, "EF.OPL5G", "FF...FF" },
	{ 11, SIM_FT_TRANSPARENT,  0x4F09, 0x0000,  2,   0,   0, 0x09, false, "EF.SUPI_NAI", NULL },
	{ 12, SIM_FT_TRANSPARENT,  0x4F0A, 0x0000,  2,   0,   4, 0x0A, false, "EF.Routing_Indicator", "F0FFFFFF" },
	{ 13, SIM_FT_BER_TLV,      0x4F0B, 0x0000,  2,   0,   0, 0x00, false, "EF.URSP", NULL },
	{ 14, SIM_FT_TRANSPARENT,  0x4F0C, 0x0000,  2,   0,   1, 0x0C, false, "EF.TN3GPPSNN", "00" },
};

static const struct saip_tpl_file tpl_usimdf5gsv3[] = {
	/* only what changed since usimdf5gsv2: the other members are as there */
	{  5, SIM_FT_LINEAR_FIXED, 0x4F03, 0x0000,  5,   2,  62, 0x03, false, "EF.5GS3GPPNSC", "FF...FF" },
	{  6, SIM_FT_LINEAR_FIXED, 0x4F04, 0x0000,  5,   2,  62, 0x04, false, "EF.5GSN3GPPNSC", "FF...FF" },
};

static const struct saip_tpl_file tpl_usimdf5gsv4[] = {
	/* only what changed since usimdf5gsv3: the other members are as there */
	{ 12, SIM_FT_TRANSPARENT,  0x4F0A, 0x0000,  2,   0,   4, 0x0A, false, "EF.Routing_Indicator", "F0FF0000" },
	{ 15, SIM_FT_TRANSPARENT,  0x4F0D, 0x0000,  2,   0,   2, 0x0D, false, "EF.CAG", NULL },
	{ 16, SIM_FT_TRANSPARENT,  0x4F0E, 0x0000,  2,   0,   0, 0x0E, false, "EF.SOR_CMCI", NULL },
	{ 17, SIM_FT_TRANSPARENT,  0x4F0F, 0x0000,  2,   0,   7, 0x0F, false, "EF.DRI", NULL },
	{ 18, SIM_FT_TRANSPARENT,  0x4F10, 0x0000,  2,   0,   2, 0x10, false, "EF.5GSEDRX", NULL },
	{ 19, SIM_FT_TRANSPARENT,  0x4F11, 0x0000,  2,   0,   1, 0x11, false, "EF.5GNSWO_CONF", NULL },
	{ 20, SIM_FT_TRANSPARENT,  0x4F15, 0x0000,  2,   0,   1, 0x15, false, "EF.MCHPPLMN", NULL },
	{ 21, SIM_FT_TRANSPARENT,  0x4F16, 0x0000,  2,   0,   1, 0x16, false, "EF.KAUSF_DERIVATION", NULL },
};

static const struct saip_tpl_file tpl_usimdfsaip[] = {
	{  2, SIM_FT_DF,           0x5FD0, 0x0000, 14,   0,   0, 0x00, false, "DF.SAIP", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F01, 0x0000,  3,   0,   0, 0x00, false, "EF.SUCICalcInfo", "FF...FF" },
};

static const struct saip_tpl_file tpl_dfsnpn[] = {
	{  2, SIM_FT_DF,           0x5FE0, 0x0000, 14,   0,   0, 0x00, false, "DF.SNPN", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F01, 0x0000, 10,   0,   1, 0x00, false, "EF.PWS_SNPN", NULL },
};

static const struct saip_tpl_file tpl_df5gprose[] = {
	{  2, SIM_FT_DF,           0x5FF0, 0x0000, 14,   0,   0, 0x00, false, "DF.5G_ProSe", NULL },
	{  3, SIM_FT_TRANSPARENT,  0x4F01, 0x0000,  2,   0,   1, 0x01, false, "EF.5G_PROSE_ST", NULL },
	{  4, SIM_FT_TRANSPARENT,  0x4F02, 0x0000,  2,   0,  26, 0x02, false, "EF.5G_PROSE_DD", NULL },
	{  5, SIM_FT_TRANSPARENT,  0x4F03, 0x0000,  2,   0,  12, 0x03, false, "EF.5G_PROSE_DC", NULL },
	{  6, SIM_FT_TRANSPARENT,  0x4F04, 0x0000,  2,   0,  32, 0x04, false, "EF.5G_PROSE_U2NRU", NULL },
	{  7, SIM_FT_TRANSPARENT,  0x4F05, 0x0000,  2,   0,  29, 0x05, false, "EF.5G_PROSE_RU", NULL },
	{  8, SIM_FT_TRANSPARENT,  0x4F06, 0x0000,  2,   0,  32, 0x06, false, "EF.5G_PROSE_UIR", NULL },
};

/* A revision lists what changed since the earlier table (Annex A only
 * ever amends or adds members); the lookup falls through to the base. */
static const struct saip_tpl_table tpl_atmf_t = { tpl_atmf, ARRAY_SIZE(tpl_atmf), NULL };
static const struct saip_tpl_table tpl_cd_t = { tpl_cd, ARRAY_SIZE(tpl_cd), NULL };
static const struct saip_tpl_table tpl_telecomv2_t = { tpl_telecomv2, ARRAY_SIZE(tpl_telecomv2), NULL };
static const struct saip_tpl_table tpl_usimmandatory_t = { tpl_usimmandatory, ARRAY_SIZE(tpl_usimmandatory), NULL };
static const struct saip_tpl_table tpl_usimoptional_t = { tpl_usimoptional, ARRAY_SIZE(tpl_usimoptional), NULL };
static const struct saip_tpl_table tpl_usimdfphonebook_t = { tpl_usimdfphonebook, ARRAY_SIZE(tpl_usimdfphonebook), NULL };
static const struct saip_tpl_table tpl_usimdfgsmaccess_t = { tpl_usimdfgsmaccess, ARRAY_SIZE(tpl_usimdfgsmaccess), NULL };
static const struct saip_tpl_table tpl_isimmandatory_t = { tpl_isimmandatory, ARRAY_SIZE(tpl_isimmandatory), NULL };
static const struct saip_tpl_table tpl_isimoptional_t = { tpl_isimoptional, ARRAY_SIZE(tpl_isimoptional), NULL };
static const struct saip_tpl_table tpl_eap_t = { tpl_eap, ARRAY_SIZE(tpl_eap), NULL };
static const struct saip_tpl_table tpl_usimdf5gsv2_t = { tpl_usimdf5gsv2, ARRAY_SIZE(tpl_usimdf5gsv2), NULL };
static const struct saip_tpl_table tpl_usimdfsaip_t = { tpl_usimdfsaip, ARRAY_SIZE(tpl_usimdfsaip), NULL };
static const struct saip_tpl_table tpl_dfsnpn_t = { tpl_dfsnpn, ARRAY_SIZE(tpl_dfsnpn), NULL };
static const struct saip_tpl_table tpl_df5gprose_t = { tpl_df5gprose, ARRAY_SIZE(tpl_df5gprose), NULL };
static const struct saip_tpl_table tpl_usimmandatoryv2_t = { tpl_usimmandatoryv2, ARRAY_SIZE(tpl_usimmandatoryv2), &tpl_usimmandatory_t };
static const struct saip_tpl_table tpl_usimoptionalv3_t = { tpl_usimoptionalv3, ARRAY_SIZE(tpl_usimoptionalv3), &tpl_usimoptional_t };
static const struct saip_tpl_table tpl_isimoptionalv2_t = { tpl_isimoptionalv2, ARRAY_SIZE(tpl_isimoptionalv2), &tpl_isimoptional_t };
static const struct saip_tpl_table tpl_usimdf5gsv3_t = { tpl_usimdf5gsv3, ARRAY_SIZE(tpl_usimdf5gsv3), &tpl_usimdf5gsv2_t };
static const struct saip_tpl_table tpl_usimdf5gsv4_t = { tpl_usimdf5gsv4, ARRAY_SIZE(tpl_usimdf5gsv4), &tpl_usimdf5gsv3_t };

static const struct saip_tpl saip_templates[] = {
	{ "2.23.143.1.2.1", "mf",         true, &tpl_atmf_t },
	{ "2.23.143.1.2.2", "cd",         false, &tpl_cd_t },
	{ "2.23.143.1.2.3", "telecom",    false, &tpl_telecomv2_t },
	{ "2.23.143.1.2.3.2", "telecom",    false, &tpl_telecomv2_t },
	{ "2.23.143.1.2.4", "usim",       true, &tpl_usimmandatory_t },
	{ "2.23.143.1.2.4.2", "usim",       true, &tpl_usimmandatoryv2_t },
	{ "2.23.143.1.2.5", "opt-usim",   false, &tpl_usimoptional_t },
	{ "2.23.143.1.2.5.2", "opt-usim",   false, &tpl_usimoptionalv3_t },
	{ "2.23.143.1.2.5.3", "opt-usim",   false, &tpl_usimoptionalv3_t },
	{ "2.23.143.1.2.6", "phonebook",  false, &tpl_usimdfphonebook_t },
	{ "2.23.143.1.2.7", "gsm-access", false, &tpl_usimdfgsmaccess_t },
	{ "2.23.143.1.2.8", "isim",       true, &tpl_isimmandatory_t },
	{ "2.23.143.1.2.9", "opt-isim",   false, &tpl_isimoptional_t },
	{ "2.23.143.1.2.9.2", "opt-isim",   false, &tpl_isimoptionalv2_t },
	{ "2.23.143.1.2.12", "eap",        false, &tpl_eap_t },
	{ "2.23.143.1.2.13", "df-5gs",     false, &tpl_usimdf5gsv2_t },
	{ "2.23.143.1.2.13.2", "df-5gs",     false, &tpl_usimdf5gsv2_t },
	{ "2.23.143.1.2.13.3", "df-5gs",     false, &tpl_usimdf5gsv3_t },
	{ "2.23.143.1.2.13.4", "df-5gs",     false, &tpl_usimdf5gsv4_t },
	{ "2.23.143.1.2.14", "df-saip",    false, &tpl_usimdfsaip_t },
	{ "2.23.143.1.2.15", "df-snpn",    false, &tpl_dfsnpn_t },
	{ "2.23.143.1.2.16", "df-5gprose", false, &tpl_df5gprose_t },
};

const struct saip_tpl *saip_tpl_find(const char *oid, const char *pe)
{
	for (size_t i = 0; i < ARRAY_SIZE(saip_templates); i++)
		if (!strcmp(saip_templates[i].oid, oid) && !strcmp(saip_templates[i].pe, pe))
			return &saip_templates[i];
	return NULL;
}

const struct saip_tpl_file *saip_tpl_member(const struct saip_tpl *t, unsigned tag)
{
	for (const struct saip_tpl_table *tb = t ? t->table : NULL; tb; tb = tb->base)
		for (size_t i = 0; i < tb->n; i++)
			if (tb->files[i].tag == tag)
				return &tb->files[i];
	return NULL;
}
