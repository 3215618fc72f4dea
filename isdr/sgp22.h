/* SGP.22 v2.3 names: the ES10 tags, every result and error code the card
 * answers with, the named bits it reads or writes, and the limits it
 * enforces. Each code list is one X-macro: the enum and the name the trace
 * prints come from the same line. */
#ifndef ISDR_SGP22_H
#define ISDR_SGP22_H

/* ---- tags ------------------------------------------------------------------ */

/* Top-level tags of ES10 commands (§5.7). */
#define SGP22_TAG_GET_EUICC_INFO1          0xBF20
#define SGP22_TAG_PREPARE_DOWNLOAD         0xBF21
#define SGP22_TAG_GET_EUICC_INFO2          0xBF22
#define SGP22_TAG_LIST_NOTIFICATION        0xBF28
#define SGP22_TAG_SET_NICKNAME             0xBF29
#define SGP22_TAG_RETRIEVE_NOTIFICATIONS   0xBF2B
#define SGP22_TAG_GET_PROFILES_INFO        0xBF2D
#define SGP22_TAG_GET_EUICC_CHALLENGE      0xBF2E
#define SGP22_TAG_REMOVE_NOTIFICATION      0xBF30
#define SGP22_TAG_ENABLE_PROFILE           0xBF31
#define SGP22_TAG_DISABLE_PROFILE          0xBF32
#define SGP22_TAG_DELETE_PROFILE           0xBF33
#define SGP22_TAG_EUICC_MEMORY_RESET       0xBF34
#define SGP22_TAG_LOAD_CRL                 0xBF35
#define SGP22_TAG_BOUND_PROFILE_PACKAGE    0xBF36
#define SGP22_TAG_AUTHENTICATE_SERVER      0xBF38
#define SGP22_TAG_GET_EUICC_CONF_ADDRESSES 0xBF3C
#define SGP22_TAG_GET_EID                  0xBF3E
#define SGP22_TAG_SET_DEFAULT_DP_ADDRESS   0xBF3F
#define SGP22_TAG_CANCEL_SESSION           0xBF41
#define SGP22_TAG_GET_RAT                  0xBF43

/* Inside the BoundProfilePackage (§2.5.4). */
#define SGP22_TAG_INIT_SECURE_CHANNEL      0xBF23
#define SGP22_TAG_CONFIGURE_ISDP           0xBF24	/* inside the first 87 group */
#define SGP22_TAG_BPP_FIRST_SEQ87          0xA0
#define SGP22_TAG_BPP_SEQ88                0xA1
#define SGP22_TAG_BPP_SECOND_SEQ87         0xA2
#define SGP22_TAG_BPP_SEQ86                0xA3

/* Tags of ProfileInfo fields a tagList (§5.7.15) names. */
#define SGP22_TAG_ICCID                    0x5A
#define SGP22_TAG_ISDP_AID                 0x4F
#define SGP22_TAG_PROFILE_STATE            0x9F70
#define SGP22_TAG_PROFILE_NICKNAME         0x90
#define SGP22_TAG_PROFILE_CLASS            0x95
#define SGP22_TAG_DP_PROPRIETARY_DATA      0xB8

/* ---- limits ------------------------------------------------------------------ */

#define SGP22_CHALLENGE_LEN       16	/* Octet16: euiccChallenge, serverChallenge */
#define SGP22_TXID_MAX            16	/* TransactionId ::= OCTET STRING (SIZE(1..16)) */
#define SGP22_ADDR_MAX            255	/* UTF8String (SIZE(1..255)) addresses */
#define SGP22_NICKNAME_MAX        64	/* profileNickname UTF8String (SIZE(0..64)) */
#define SGP22_ICCID_LEN           10	/* Iccid ::= [APPLICATION 26] OCTET STRING (SIZE(10)) */
#define SGP22_OTPK_LEN            65	/* an uncompressed P-256 / brainpoolP256r1 point */

/* ---- named bits ---------------------------------------------------------------- */

/* RspCapability (§5.7.8) */
#define SGP22_RSP_CAP_ADDITIONAL_PROFILE  0
#define SGP22_RSP_CAP_CRL_SUPPORT         1
#define SGP22_RSP_CAP_RPM_SUPPORT         2
#define SGP22_RSP_CAP_TEST_PROFILE        3
#define SGP22_RSP_CAP_DEVICE_INFO_EXT     4	/* deviceInfoExtensibilitySupport */

/* PprIds (§2.9.1) */
#define SGP22_PPR_UPDATE_CONTROL          0
#define SGP22_PPR1                        1	/* disabling not allowed */
#define SGP22_PPR2                        2	/* deletion not allowed */
#define SGP22_PPR3                        3	/* deletion required after disabling */

/* EuiccMemoryResetRequest resetOptions (§5.7.19) */
#define SGP22_RESET_OPERATIONAL_PROFILES  0
#define SGP22_RESET_FIELD_LOADED_TEST     1
#define SGP22_RESET_DEFAULT_SMDP_ADDRESS  2

#define SGP22_BIT(n) (1u << (n))

/* ---- codes ------------------------------------------------------------------------ */

#define SGP22_ENUM_ENTRY(name, val, str) name = val,
#define SGP22_NAME_CASE(name, val, str) case val: return str;
/* enum prefix_code and const char *prefix_name(code) from one list. */
#define SGP22_CODES(prefix, LIST) \
	enum prefix##_code { LIST(SGP22_ENUM_ENTRY) }; \
	static inline const char *prefix##_name(unsigned long v) \
	{ \
		switch (v) { LIST(SGP22_NAME_CASE) } \
		return "?"; \
	}

/* AuthenticateErrorCode (§5.7.13) */
#define SGP22_AUTH_ERRORS(X) \
	X(AUTH_INVALID_CERTIFICATE, 1, "invalidCertificate") \
	X(AUTH_INVALID_SIGNATURE, 2, "invalidSignature") \
	X(AUTH_UNSUPPORTED_CURVE, 3, "unsupportedCurve") \
	X(AUTH_NO_SESSION_CONTEXT, 4, "noSessionContext") \
	X(AUTH_INVALID_OID, 5, "invalidOid") \
	X(AUTH_EUICC_CHALLENGE_MISMATCH, 6, "euiccChallengeMismatch") \
	X(AUTH_CI_PK_UNKNOWN, 7, "ciPKUnknown") \
	X(AUTH_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_auth, SGP22_AUTH_ERRORS)

/* DownloadErrorCode (§5.7.5) */
#define SGP22_DOWNLOAD_ERRORS(X) \
	X(DL_INVALID_CERTIFICATE, 1, "invalidCertificate") \
	X(DL_INVALID_SIGNATURE, 2, "invalidSignature") \
	X(DL_UNSUPPORTED_CURVE, 3, "unsupportedCurve") \
	X(DL_NO_SESSION_CONTEXT, 4, "noSessionContext") \
	X(DL_INVALID_TRANSACTION_ID, 5, "invalidTransactionId") \
	X(DL_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_download, SGP22_DOWNLOAD_ERRORS)

/* CancelSessionResponse error (§5.7.14) */
#define SGP22_CANCEL_ERRORS(X) \
	X(CANCEL_INVALID_TRANSACTION_ID, 5, "invalidTransactionId") \
	X(CANCEL_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_cancel, SGP22_CANCEL_ERRORS)

/* BppCommandId (§2.5.6) */
#define SGP22_BPP_COMMANDS(X) \
	X(BPP_INITIALISE_SECURE_CHANNEL, 0, "initialiseSecureChannel") \
	X(BPP_CONFIGURE_ISDP, 1, "configureISDP") \
	X(BPP_STORE_METADATA, 2, "storeMetadata") \
	X(BPP_STORE_METADATA2, 3, "storeMetadata2") \
	X(BPP_REPLACE_SESSION_KEYS, 4, "replaceSessionKeys") \
	X(BPP_LOAD_PROFILE_ELEMENTS, 5, "loadProfileElements")
SGP22_CODES(sgp22_bpp_command, SGP22_BPP_COMMANDS)

/* ErrorReason (§2.5.6) */
#define SGP22_ERROR_REASONS(X) \
	X(ER_INCORRECT_INPUT_VALUES, 1, "incorrectInputValues") \
	X(ER_INVALID_SIGNATURE, 2, "invalidSignature") \
	X(ER_INVALID_TRANSACTION_ID, 3, "invalidTransactionId") \
	X(ER_UNSUPPORTED_CRT_VALUES, 4, "unsupportedCrtValues") \
	X(ER_UNSUPPORTED_REMOTE_OPERATION, 5, "unsupportedRemoteOperationType") \
	X(ER_UNSUPPORTED_PROFILE_CLASS, 6, "unsupportedProfileClass") \
	X(ER_SCP03T_STRUCTURE, 7, "scp03tStructureError") \
	X(ER_SCP03T_SECURITY, 8, "scp03tSecurityError") \
	X(ER_ICCID_EXISTS, 9, "installFailedDueToIccidAlreadyExistsOnEuicc") \
	X(ER_NO_MEMORY, 10, "installFailedDueToInsufficientMemoryForProfile") \
	X(ER_INTERRUPTION, 11, "installFailedDueToInterruption") \
	X(ER_PE_PROCESSING, 12, "installFailedDueToPEProcessingError") \
	X(ER_ICCID_MISMATCH, 13, "installFailedDueToIccidMismatch") \
	X(ER_TEST_PROFILE_NAA_KEY, 14, "testProfileInstallFailedDueToInvalidNaaKey") \
	X(ER_PPR_NOT_ALLOWED, 15, "pprNotAllowed") \
	X(ER_UNKNOWN, 127, "installFailedDueToUnknownError")
SGP22_CODES(sgp22_error_reason, SGP22_ERROR_REASONS)

/* RemoteOpId (§2.5.4) */
#define SGP22_REMOTE_OP_INSTALL_BPP 1	/* installBoundProfilePackage */

/* EnableProfileResponse, DisableProfileResponse, DeleteProfileResponse
 * (§5.7.16-18); each function uses the codes its ASN.1 type lists. */
#define SGP22_PROFILE_RESULTS(X) \
	X(PROFILE_OK, 0, "ok") \
	X(PROFILE_NOT_FOUND, 1, "iccidOrAidNotFound") \
	X(PROFILE_WRONG_STATE, 2, "profileNotInRequiredState") \
	X(PROFILE_DISALLOWED_BY_POLICY, 3, "disallowedByPolicy") \
	X(PROFILE_WRONG_REENABLING, 4, "wrongProfileReenabling") \
	X(PROFILE_CAT_BUSY, 5, "catBusy") \
	X(PROFILE_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_profile_result, SGP22_PROFILE_RESULTS)

/* EuiccMemoryResetResponse (§5.7.19) */
#define SGP22_RESET_RESULTS(X) \
	X(RESET_OK, 0, "ok") \
	X(RESET_NOTHING_TO_DELETE, 1, "nothingToDelete") \
	X(RESET_CAT_BUSY, 5, "catBusy") \
	X(RESET_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_reset_result, SGP22_RESET_RESULTS)

/* SetNicknameResponse (§5.7.21) */
#define SGP22_NICKNAME_RESULTS(X) \
	X(NICKNAME_OK, 0, "ok") \
	X(NICKNAME_ICCID_NOT_FOUND, 1, "iccidNotFound") \
	X(NICKNAME_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_nickname_result, SGP22_NICKNAME_RESULTS)

/* SetDefaultDpAddressResponse (§5.7.4) */
#define SGP22_SET_DP_RESULTS(X) \
	X(SET_DP_OK, 0, "ok") \
	X(SET_DP_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_set_dp_result, SGP22_SET_DP_RESULTS)

/* NotificationSentResponse deleteNotificationStatus (§5.7.11) */
#define SGP22_REMOVE_RESULTS(X) \
	X(REMOVE_OK, 0, "ok") \
	X(REMOVE_NOTHING_TO_DELETE, 1, "nothingToDelete") \
	X(REMOVE_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_remove_result, SGP22_REMOVE_RESULTS)

/* RetrieveNotificationsListResponse notificationsListResultError (§5.7.10) */
#define SGP22_RETRIEVE_ERRORS(X) \
	X(RETRIEVE_NO_RESULT, 1, "noResultAvailable") \
	X(RETRIEVE_UNDEFINED_ERROR, 127, "undefinedError")
SGP22_CODES(sgp22_retrieve_error, SGP22_RETRIEVE_ERRORS)

#endif
