/*
 * Decoding what the ISD-R receives (ES10 requests, BPP elements) with the
 * extensibility rules of sim/asn1_ext.h, and the record of what was
 * tolerated (or, with --strict, refused) for the trace, the control socket
 * and the conformance report.
 */
#include "isdr/isdr.h"
#include "isdr/es10.h"
#include "sim/asn1_ext.h"
#include "sim/log.h"

#include <stdio.h>
#include <string.h>

const struct isdr_deviations *isdr_deviations(const struct isdr *isdr)
{
	return &isdr->deviations;
}

void isdr_deviations_clear(struct isdr *isdr)
{
	memset(&isdr->deviations, 0, sizeof(isdr->deviations));
}

/* Trace and record what the walk tolerated (or, strict, refused). */
static void note_deviations(struct isdr *isdr, const char *function, const struct sim_asn1_ext *x)
{
	struct isdr_deviations *d = &isdr->deviations;
	const char *verdict = isdr->cfg->strict ? "refused (--strict)" : "ignored";

	for (size_t i = 0; i < x->n_dev; i++) {
		char what[160];

		sim_asn1_dev_describe(&x->dev[i], what, sizeof(what));
		LOG_INFO("%s: %s %s", function, what,
			 x->dev[i].kind == SIM_ASN1_DEV_UNKNOWN || isdr->cfg->strict ? verdict : "accepted");
		if (d->n < ISDR_DEVIATIONS_KEPT) {
			struct isdr_deviation *v = &d->v[d->n++];

			snprintf(v->function, sizeof(v->function), "%s", function);
			snprintf(v->what, sizeof(v->what), "%s", what);
			snprintf(v->path, sizeof(v->path), "%s", x->dev[i].path);
			v->refused = isdr->cfg->strict;
		}
	}
	if (x->total_dev > x->n_dev)
		LOG_INFO("%s: %zu more deviations", function, x->total_dev - x->n_dev);
	d->total += x->total_dev;
}

int isdr_decode(struct isdr *isdr, const char *function, const char *type, const uint8_t *der, size_t len,
		asn1_node *out, struct sim_asn1_ext *x)
{
	int rc = sim_asn1_decode_ext(type, der, len, isdr->cfg->strict ? SIM_ASN1_EXT_STRICT : 0, out, x);

	note_deviations(isdr, function, x);
	return rc;
}
