/* Faults injected from outside the card (the control socket of
 * sim/host/): the answer a real card could give, chosen by the tester, on
 * the next command that completes a given ES10 function. One at a time;
 * the dispatcher takes it on its next function, whatever that is. */
#ifndef ISDR_FAULT_H
#define ISDR_FAULT_H

#include <stdbool.h>

struct isdr;

enum isdr_fault_kind {
	ISDR_FAULT_NONE,
	/* The function's own error structure with this code (signed where
	 * SGP.22 signs it: for LoadBoundProfilePackage, the PIR). */
	ISDR_FAULT_ERROR,
	/* The BPP piece fails with this ErrorReason (a signed errorResult). */
	ISDR_FAULT_BPP_ERROR,
};

/* Can `function` ("ES10b.PrepareDownload") answer with an error code? */
bool isdr_fault_has_error(const char *function);

/* An ErrorReason by name ("pprNotAllowed") or number; -1 if neither. */
long isdr_error_reason(const char *text);

/* Arm a fault for the next ES10 function the ISD-R runs; -EU_E_PARAM when
 * the function has no such answer. */
int isdr_arm_fault(struct isdr *isdr, enum isdr_fault_kind kind, const char *function, unsigned long code);

#endif
