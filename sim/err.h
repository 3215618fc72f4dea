/* Internal error codes. Functions return 0 or a negative EU_E_* value; the
 * boundary that speaks to the outside world (status words, SGP.22 result
 * codes) translates them. One list, one string per value. */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#define EU_ERRORS(X) \
	X(EU_E_TRUNCATED,  1, "input ends inside an element") \
	X(EU_E_NOT_DER,    2, "not valid DER") \
	X(EU_E_TRAILING,   3, "bytes left over after the element") \
	X(EU_E_TOO_DEEP,   4, "elements nested too deeply") \
	X(EU_E_TOO_LONG,   5, "element longer than this implementation accepts") \
	X(EU_E_NOMEM,      6, "out of memory") \
	X(EU_E_STATE,      7, "not allowed in the current state") \
	X(EU_E_PARAM,      8, "invalid parameter") \
	X(EU_E_IO,         9, "input/output error") \
	X(EU_E_CRYPTO,    10, "cryptographic operation failed") \
	X(EU_E_CONFIG,    11, "invalid configuration") \
	X(EU_E_NOT_FOUND, 12, "not found") \
	X(EU_E_UNSUPPORTED, 13, "not supported") \
	X(EU_E_ASN1,      14, "ASN.1 structure does not match the schema") \
	X(EU_E_CORRUPT,   15, "stored data is corrupt") \
	X(EU_E_FOREIGN,   16, "stored data belongs to another card") \
	X(EU_E_BUSY,      17, "in use by another process") \
	X(EU_E_PADDING,   18, "bad padding in decrypted data") \
	X(EU_E_PE_ORDER,  19, "profile element out of order") \
	X(EU_E_PE_UNSUPPORTED, 20, "profile element not supported") \
	X(EU_E_PE_VALUE,  21, "profile element has an invalid value") \
	X(EU_E_UNKNOWN_ALT, 22, "an alternative of a CHOICE that the schema does not define") \
	X(EU_E_MISSING,   23, "a mandatory element is missing") \
	X(EU_E_ORDER,     24, "an element out of order or repeated") \
	X(EU_E_STRICT,    25, "a tolerated deviation, refused in strict mode")

enum eu_error {
	EU_OK = 0,
#define EU_ENUM(name, val, str) name = val,
	EU_ERRORS(EU_ENUM)
#undef EU_ENUM
};

const char *eu_strerror(int rc);

/* Early return for functions that own nothing. */
#define TRY(expr) do { int try_rc_ = (expr); if (try_rc_ < 0) return try_rc_; } while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
