/* Pending notifications (isdr/notif.h). */
#include "isdr/notif.h"
#include "sim/err.h"

#include <stdlib.h>
#include <string.h>

unsigned long notif_take_seq(struct notif_list *l)
{
	if (l->next_seq == 0)
		l->next_seq = 1;
	return l->next_seq++;
}

void notif_return_seq(struct notif_list *l)
{
	l->next_seq--;
}

void notif_clear(struct notif *n)
{
	free(n->pending);
	memset(n, 0, sizeof(*n));
}

bool notif_full(const struct notif_list *l)
{
	return l->n >= NOTIF_MAX;
}

int notif_append(struct notif_list *l, struct notif *n)
{
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

void notif_drop_last(struct notif_list *l)
{
	if (l->n)
		notif_clear(&l->v[--l->n]);
}

void notif_remove(struct notif_list *l, size_t i, struct notif *removed)
{
	*removed = l->v[i];
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

void notif_insert(struct notif_list *l, size_t i, struct notif *n)
{
	/* (only after notif_remove: the array has room) */
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i] = *n;
	l->n++;
	memset(n, 0, sizeof(*n));
}

void notif_list_free(struct notif_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		notif_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
