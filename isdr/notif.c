#include "isdr/notif.h"
#include "isdr/es10.h"
#include "sim/card_priv.h"
#include "sim/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct notif_list *list_of(const struct sim_card *card)
{
	return &card->isdr->notifs;
}

const struct notif_list *notif_list(const struct sim_card *card)
{
	return list_of(card);
}

unsigned long notif_take_seq(struct sim_card *card)
{
	struct notif_list *l = list_of(card);

	if (l->next_seq == 0)
		l->next_seq = 1;
	return l->next_seq++;
}

void notif_return_seq(struct sim_card *card)
{
	list_of(card)->next_seq--;
}

static void notif_clear(struct notif *n)
{
	free(n->pending);
	memset(n, 0, sizeof(*n));
}

bool notif_full(const struct sim_card *card)
{
	return list_of(card)->n >= NOTIF_MAX;
}

int notif_append(struct sim_card *card, struct notif *n)
{
	struct notif_list *l = list_of(card);

	if (!l->v) {
		l->v = calloc(NOTIF_MAX, sizeof(*l->v));
		if (!l->v)
			return -EU_E_NOMEM;
	}
	if (l->n == NOTIF_MAX)
		return -EU_E_NOMEM;
	l->v[l->n++] = *n;
	memset(n, 0, sizeof(*n));
	return 0;
}

void notif_drop_last(struct sim_card *card)
{
	struct notif_list *l = list_of(card);

	if (l->n)
		notif_clear(&l->v[--l->n]);
}

void notif_list_free(struct notif_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		notif_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int notif_state_write(struct sim_card *card, asn1_node st)
{
	const struct notif_list *l = list_of(card);
	char name[96];

	TRY(sim_asn1_write_uint(st, "nextSeqNumber", l->next_seq ? l->next_seq : 1));
	if (l->n == 0)
		return sim_asn1_write(st, "notifications", NULL, 0);
	for (size_t i = 0; i < l->n; i++) {
		const struct notif *n = &l->v[i];

		TRY(sim_asn1_write(st, "notifications", "NEW", 1));
#define F(f) (snprintf(name, sizeof(name), "notifications.?LAST.%s", f), name)
		TRY(sim_asn1_write_uint(st, F("seqNumber"), n->seq));
		TRY(sim_asn1_write_uint(st, F("event"), n->event));
		TRY(sim_asn1_write(st, F("address"), n->address, strlen(n->address)));
		if (n->has_iccid)
			TRY(sim_asn1_write(st, F("iccid"), n->iccid, sizeof(n->iccid)));
		else
			TRY(sim_asn1_write(st, F("iccid"), NULL, 0));
		TRY(sim_asn1_write(st, F("pending"), n->pending, n->pending_len));
#undef F
	}
	return 0;
}

int notif_state_read(struct sim_card *card, asn1_node st)
{
	struct notif_list *l = list_of(card);
	char name[96];
	int count = 0, rc;
	unsigned long v;

	rc = sim_asn1_read_uint(st, "nextSeqNumber", &v);
	if (rc == 0)
		l->next_seq = v;
	else if (rc != -EU_E_NOT_FOUND)
		return rc;
	if (asn1_number_of_elements(st, "notifications", &count) != ASN1_SUCCESS)
		count = 0;
	if (count > NOTIF_MAX)
		return -EU_E_CORRUPT;
	for (int i = 1; i <= count; i++) {
		struct notif n = { 0 };
		size_t len;
		int sz = 0;

#define F(f) (snprintf(name, sizeof(name), "notifications.?%d.%s", i, f), name)
		rc = sim_asn1_read_uint(st, F("seqNumber"), &n.seq);
		if (rc == 0)
			rc = sim_asn1_read_uint(st, F("event"), &v);
		if (rc == 0 && v > NOTIF_DELETE)
			rc = -EU_E_CORRUPT;
		n.event = (enum notif_event)v;
		if (rc == 0)
			rc = sim_asn1_read(st, F("address"), (uint8_t *)n.address, NOTIF_ADDR_MAX, &len);
		if (rc == 0)
			n.address[len] = 0;
		if (rc == 0) {
			rc = sim_asn1_read(st, F("iccid"), n.iccid, sizeof(n.iccid), &len);
			n.has_iccid = rc == 0 && len == sizeof(n.iccid);
			if (rc == -EU_E_NOT_FOUND)
				rc = 0;
		}
		if (rc == 0 && (asn1_read_value(st, F("pending"), NULL, &sz) != ASN1_MEM_ERROR || sz <= 0))
			rc = -EU_E_CORRUPT;
		if (rc == 0) {
			n.pending = malloc((size_t)sz);
			n.pending_len = (size_t)sz;
			if (!n.pending || asn1_read_value(st, F("pending"), n.pending, &sz) != ASN1_SUCCESS)
				rc = -EU_E_CORRUPT;
		}
#undef F
		if (rc == 0 && n.seq >= l->next_seq)
			rc = -EU_E_CORRUPT;	/* numbers are never reused */
		if (rc == 0) {
			/* it will be returned as it is: it must be one */
			asn1_node pn = NULL;

			if (sim_asn1_decode("RSPDefinitions.PendingNotification", n.pending, n.pending_len, &pn) < 0)
				rc = -EU_E_CORRUPT;
			asn1_delete_structure(&pn);
		}
		if (rc == 0)
			rc = notif_append(card, &n);
		if (rc < 0) {
			notif_clear(&n);
			return rc;
		}
	}
	return 0;
}
