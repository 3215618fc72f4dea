/* Status words: ISO/IEC 7816-4 (§5.6), named as there, and the few that
 * ETSI TS 102 221 (§10.2.1) and 3GPP TS 31.102 (§7.3.1) add. */
#ifndef SIM_SW_H
#define SIM_SW_H

#define SIM_STATUS_WORDS(X) \
	X(SW_OK,                        0x9000, "normal processing") \
	X(SW_WARN_EOF,                  0x6282, "end of file reached before reading Ne bytes (or unsuccessful search)") \
	X(SW_MEMORY_PROBLEM,            0x6581, "memory problem") \
	X(SW_WRONG_LENGTH,              0x6700, "wrong length") \
	X(SW_CHANNEL_NOT_SUPPORTED,     0x6881, "logical channel not supported") \
	X(SW_SM_NOT_SUPPORTED,          0x6882, "secure messaging not supported") \
	X(SW_CHAINING_NOT_SUPPORTED,    0x6884, "command chaining not supported") \
	X(SW_INCOMPATIBLE_FILE,         0x6981, "command incompatible with file structure") \
	X(SW_SECURITY_STATUS,           0x6982, "security status not satisfied") \
	X(SW_AUTH_BLOCKED,              0x6983, "authentication method blocked") \
	X(SW_REF_DATA_NOT_USABLE,       0x6984, "reference data not usable") \
	X(SW_CONDITIONS_NOT_SATISFIED,  0x6985, "conditions of use not satisfied") \
	X(SW_NO_CURRENT_EF,             0x6986, "command not allowed (no current EF)") \
	X(SW_WRONG_DATA,                0x6A80, "incorrect parameters in the command data field") \
	X(SW_FUNC_NOT_SUPPORTED,        0x6A81, "function not supported") \
	X(SW_FILE_NOT_FOUND,            0x6A82, "file or application not found") \
	X(SW_RECORD_NOT_FOUND,          0x6A83, "record not found") \
	X(SW_NOT_ENOUGH_MEMORY,         0x6A84, "not enough memory space in the file") \
	X(SW_WRONG_P1P2,                0x6A86, "incorrect parameters P1-P2") \
	X(SW_REF_DATA_NOT_FOUND,        0x6A88, "referenced data or reference data not found") \
	X(SW_WRONG_OFFSET,              0x6B00, "wrong parameters P1-P2 (offset outside the EF)") \
	X(SW_INS_NOT_SUPPORTED,         0x6D00, "instruction code not supported or invalid") \
	X(SW_CLA_NOT_SUPPORTED,         0x6E00, "class not supported") \
	X(SW_UNKNOWN,                   0x6F00, "no precise diagnosis") \
	X(SW_INCREASE_MAX,              0x9850, "INCREASE cannot be performed, maximum value reached") \
	X(SW_AUTH_MAC,                  0x9862, "authentication error, incorrect MAC") \
	X(SW_AUTH_CONTEXT,              0x9864, "authentication error, security context not supported")

/* 63CX: a wrong PIN or unblock PIN, X attempts left (TS 102 221 §10.2.1.3). */
#define SW_RETRIES(x) (0x63C0u | ((x) & 0x0Fu))

enum sim_sw {
#define SW_ENUM(name, val, str) name = val,
	SIM_STATUS_WORDS(SW_ENUM)
#undef SW_ENUM
};


#endif
