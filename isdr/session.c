/* The RSP session's life cycle (isdr/session.h). */
#include "isdr/session.h"
#include "ecasd/ecka.h"
#include "profiles/saip.h"

#include <openssl/crypto.h>
#include <stdlib.h>

const char *rsp_state_name(enum rsp_state st)
{
	switch (st) {
#define RSP_CASE(name, str) case name: return str;
	RSP_STATES(RSP_CASE)
#undef RSP_CASE
	}
	return "?";
}

void rsp_session_clear(struct rsp_session *s)
{
	ecasd_ecka_free(s->otsk);
	ecasd_server_clear(&s->dpauth);
	ecasd_server_clear(&s->dppb);
	bsp_clear(&s->bsp);
	if (s->metadata)
		OPENSSL_cleanse(s->metadata, s->metadata_len);
	free(s->metadata);
	isdp_profile_clear(&s->profile);
	if (s->pe) {
		saip_stream_abort(s->pe);
		free(s->pe);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	s->state = RSP_IDLE;
}
