/* The RSP session of a profile download (SGP.22 §3.1.2, §3.1.3), from
 * GetEUICCChallenge to the ProfileInstallationResult. One at a time; any
 * reset or power loss ends it. */
#ifndef ISDR_SESSION_H
#define ISDR_SESSION_H

#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "isdr/bsp.h"
#include "isdr/sgp22.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ecasd_ecka;
struct saip_stream;

/* The states, in the order a download goes through them. The BPP states
 * follow the segmentation of SGP.22 §5.7.6 / §2.5.5: BF36 header with
 * BF23, A0 with the ConfigureISDP 87, the A1 header, each 88, A2 with the
 * ReplaceSessionKeys 87 (optional), the A3 header, each 86. */
#define RSP_STATES(X) \
	X(RSP_IDLE,             "no session") \
	X(RSP_CHALLENGED,       "challenge issued") \
	X(RSP_AUTHENTICATED,    "server authenticated") \
	X(RSP_PREPARED,         "download prepared") \
	X(RSP_BPP_SECURED,      "secure channel initialised, expecting A0") \
	X(RSP_BPP_CONFIGURED,   "ISD-P configured, expecting the A1 header") \
	X(RSP_BPP_METADATA,     "receiving StoreMetadata (88)") \
	X(RSP_BPP_STORED,       "metadata stored, expecting A2 or the A3 header") \
	X(RSP_BPP_REKEYED,      "session keys replaced, expecting the A3 header") \
	X(RSP_BPP_LOADING,      "receiving profile elements (86)")

enum rsp_state {
#define RSP_ENUM(name, str) name,
	RSP_STATES(RSP_ENUM)
#undef RSP_ENUM
};

const char *rsp_state_name(enum rsp_state s);

#define RSP_METADATA_MAX 4096	/* StoreMetadata: icon ≤ 1024 plus names and addresses */

struct rsp_session {
	enum rsp_state state;
	uint8_t challenge[SGP22_CHALLENGE_LEN];
	uint8_t server_challenge[SGP22_CHALLENGE_LEN];
	uint8_t txid[SGP22_TXID_MAX];
	size_t txid_len;
	char server_address[SGP22_ADDR_MAX + 1];
	size_t cred;			/* credential set chosen by euiccCiPKIdToBeUsed */
	struct ecasd_server dpauth;	/* from AuthenticateServer */
	uint8_t euicc_sig1[64];		/* euiccSignature1, chained into smdpSignature2 */
	struct ecasd_server dppb;	/* from PrepareDownload */
	struct ecasd_ecka *otsk;	/* otSK.EUICC.ECKA */
	uint8_t otpk[SGP22_OTPK_LEN];	/* otPK.EUICC.ECKA */
	struct bsp bsp;
	size_t bpp_left;		/* BF36 value bytes still to come */
	size_t part_left;		/* A1 / A3 value bytes still to come */
	unsigned bpp_command;		/* BppCommandId of the part being processed */
	uint8_t *metadata;		/* StoreMetadata plaintext being assembled */
	size_t metadata_len;
	bool metadata_done;		/* profile.iccid is known */
	struct isdp_profile profile;	/* the ISD-P under construction */
	struct saip_stream *pe;		/* profile elements decoder */
	uint64_t loaded;		/* plaintext profile bytes so far */
};

/* Wipe everything; the caller records an interruption first if needed
 * (isdr/pir.h isdr_session_end). */
void rsp_session_clear(struct rsp_session *s);

#endif
