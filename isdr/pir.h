/* The end of a download: the ProfileInstallationResult (SGP.22 §5.7.6,
 * §2.5.6), signed and kept as the install notification, and the ways a
 * session ends before it. */
#ifndef ISDR_PIR_H
#define ISDR_PIR_H

#include "isdr/es10.h"

#include <stddef.h>
#include <stdint.h>

/* Build and sign the PIR for the session's download: reason 0 is the
 * successResult (the new ISD-P's AID), else an errorResult naming the
 * BppCommandId and the ErrorReason. */
int pir_build(struct isdr *isdr, unsigned long seq, unsigned command, unsigned reason, uint8_t **out,
	      size_t *out_len);

/* Add the PIR to the pending notifications (not persisted here). */
int pir_keep(struct isdr *isdr, unsigned long seq, const uint8_t *pir, size_t len);

/* End the load with an errorResult: sign it, keep and persist it as a
 * notification, drop the half-built ISD-P, end the session. The PIR is
 * the answer (status word returned). */
unsigned isdr_load_fail(struct isdr *isdr, unsigned reason, struct sim_rbuf *out);

/* End the RSP session; why (for the trace) may be NULL. During a BPP load
 * this records installFailedDueToInterruption (§5.7.6). */
void isdr_session_end(struct isdr *isdr, const char *why);

#endif
