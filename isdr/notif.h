/* Pending notifications (SGP.22 §3.5): created by profile operations,
 * kept until the LPA removes them, numbered by a counter that never goes
 * back, across restarts. */
#ifndef ISDR_NOTIF_H
#define ISDR_NOTIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum notif_event {	/* NotificationEvent bit numbers */
	NOTIF_INSTALL = 0,
	NOTIF_ENABLE = 1,
	NOTIF_DISABLE = 2,
	NOTIF_DELETE = 3,
};

#define NOTIF_ADDR_MAX 255
/* Pending notifications kept at most; an operation that would need more
 * is refused (the LPA has to send and remove them first). */
#define NOTIF_MAX 256

struct notif {
	unsigned long seq;
	enum notif_event event;
	char address[NOTIF_ADDR_MAX + 1];
	uint8_t iccid[10];
	bool has_iccid;
	uint8_t *pending;	/* signed PendingNotification DER (BF37 or BF2F-signed) */
	size_t pending_len;
};

struct notif_list {
	struct notif *v;
	size_t n;
	unsigned long next_seq;
};

/* Reserve the next sequence number (not persisted by itself). */
unsigned long notif_take_seq(struct notif_list *l);
/* Give back the number just taken, when the operation is undone. */
void notif_return_seq(struct notif_list *l);

/* Append (taking ownership of n->pending); the caller persists and calls
 * notif_drop_last() if that fails. -EU_E_NOMEM when the list is full. */
bool notif_full(const struct notif_list *l);
int notif_append(struct notif_list *l, struct notif *n);
void notif_drop_last(struct notif_list *l);
/* Remove entry i (its buffer goes to *removed, for putting it back with
 * notif_insert() if persisting fails). */
void notif_remove(struct notif_list *l, size_t i, struct notif *removed);
void notif_insert(struct notif_list *l, size_t i, struct notif *n);

void notif_clear(struct notif *n);
void notif_list_free(struct notif_list *l);

#endif
