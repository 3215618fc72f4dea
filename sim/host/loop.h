/* The running card: the event loop around sim_transact(). It serves the
 * vpcd link (sim/host/vpcd.h), the control socket (sim/host/control.h),
 * the faults (sim/host/fault.h) and their timers, until *stop. */
#ifndef SIM_HOST_LOOP_H
#define SIM_HOST_LOOP_H

#include <signal.h>

struct sim_card;
struct sim_config;

/* 0 on a requested stop; -1 when the link or the control socket cannot be
 * set up (the reason is logged). */
int sim_host_run(struct sim_card *card, const struct sim_config *cfg, volatile sig_atomic_t *stop);

#endif
