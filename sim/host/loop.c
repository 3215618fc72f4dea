#define _GNU_SOURCE		/* ppoll */
/* The event loop of a running card (sim/host/loop.h).
 *
 * One thread, poll(): the vpcd link, the control socket and its clients,
 * and the timers of faults (an answer delayed, a card back in the reader
 * after remove=MS). Before a command APDU runs, its names (command and
 * ES10 function, sim_card_names()) are matched against the faults; a
 * fault that fires changes what happens to that one command. */
#include "sim/host/loop.h"
#include "sim/host/config.h"
#include "sim/host/control.h"
#include "sim/host/euicc.h"
#include "sim/host/fault.h"
#include "sim/host/json.h"
#include "sim/host/report.h"
#include "sim/host/trace.h"
#include "sim/host/vpcd.h"
#include "isdp/isdp.h"
#include "isdr/fault.h"
#include "isdr/isdr.h"
#include "isdr/notif.h"
#include "sim/card.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/sw.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FDS (2 + 1 + CONTROL_CLIENTS)

struct host {
	struct sim_card *card;
	const struct sim_config *cfg;
	struct vpcd_link link;
	struct control *ctl;
	struct sim_trace *trace;		/* --pcap, --gsmtap, --trace-json; NULL: none */
	struct report *report;		/* --report, --junit; NULL: none */
	struct fault_set faults;
	bool inserted;			/* false: removed (ctl remove, remove fault) */
	uint64_t insert_at;		/* remove=MS: back in the reader then; 0 never */
	bool muted;			/* a command waits for no answer */
	uint8_t held[0xFFFF];		/* that command */
	size_t held_len;
	bool late;			/* delay=MS: an answer waits until late_at */
	uint8_t late_cmd[0xFFFF];	/* its command, for the trace */
	size_t late_cmd_len;
	uint8_t late_rsp[SIM_RSP_MAX];
	size_t late_len;
	uint64_t late_at;
	char late_name[64];
};

static uint64_t now_ms(void)
{
	return sim_now_ns() / 1000000u;
}

/* ---- the reader ------------------------------------------------------------- */

static void card_removed(struct host *h, uint64_t back_in_ms)
{
	h->muted = false;
	h->late = false;
	sim_power(h->card, SIM_POWER_OFF);	/* as after a power loss mid-command */
	vpcd_link_drop(&h->link);
	h->inserted = false;
	h->insert_at = back_in_ms ? now_ms() + back_in_ms : 0;
	sim_trace_power(h->trace, SIM_TRACE_REMOVED, NULL, 0);
	report_power(h->report, SIM_TRACE_REMOVED);
	LOG_INFO("card removed from the reader%s", back_in_ms ? " (back by itself)" : " (until ctl insert)");
}

static void card_inserted(struct host *h)
{
	h->inserted = true;
	h->insert_at = 0;
	h->link.retry_at = 0;
	h->link.backoff = 50;
	LOG_INFO("card back in the reader");
}

static void send_answer(struct host *h, const uint8_t *rsp, size_t len)
{
	if (vpcd_link_send(&h->link, rsp, len) < 0) {
		LOG_ERR("vpcd: cannot send the answer; the reader went away");
		vpcd_link_drop(&h->link);
		sim_power(h->card, SIM_POWER_OFF);
	}
}

/* Answer a command and trace the pair (after the answer: the terminal
 * does not wait for the trace). */
static void answer(struct host *h, const uint8_t *cmd, size_t len, const uint8_t *rsp, size_t n,
		   const char *name)
{
	send_answer(h, rsp, n);
	sim_trace_apdu(h->trace, cmd, len, rsp, n, name);
	report_response(h->report, rsp, n);
}

/* What the trace calls a command: its ES10 function, else the command. */
static const char *trace_name(const struct sim_command_names *nm)
{
	return nm->function ? nm->function : nm->command;
}

/* Run a command on the card and answer it (now, or after delay_ms). */
static void run_command(struct host *h, const uint8_t *cmd, size_t len, const char *name, uint64_t delay_ms)
{
	uint8_t rsp[SIM_RSP_MAX];
	size_t n = sim_transact(h->card, cmd, len, rsp);

	if (!delay_ms) {
		answer(h, cmd, len, rsp, n, name);
		return;
	}
	memcpy(h->late_cmd, cmd, len);
	h->late_cmd_len = len;
	memcpy(h->late_rsp, rsp, n);
	h->late_len = n;
	snprintf(h->late_name, sizeof(h->late_name), "%s", name);
	h->late = true;
	h->late_at = now_ms() + delay_ms;
}

static void fired(const struct fault *f, const struct sim_command_names *nm)
{
	LOG_INFO("fault fired on %s%s%s: %s (%u of %u)", nm->command, nm->function ? " / " : "",
		 nm->function ? nm->function : "", f->spec, f->fired, f->times);
}

/* A command APDU from the terminal, through the faults. */
static void command(struct host *h, const uint8_t *cmd, size_t len)
{
	struct sim_command_names nm;
	struct fault *f;
	uint8_t sw[2];

	sim_card_names(h->card, cmd, len, &nm);
	report_command(h->report, cmd, len, &nm);
	f = fault_next(&h->faults, nm.command, nm.function);
	if (!f) {
		run_command(h, cmd, len, trace_name(&nm), 0);
		return;
	}
	fired(f, &nm);
	switch (f->action) {
	case FAULT_SW:
		sw[0] = (uint8_t)(f->value >> 8);
		sw[1] = (uint8_t)f->value;
		answer(h, cmd, len, sw, sizeof(sw), trace_name(&nm));
		break;
	case FAULT_ERROR:
	case FAULT_BPP_ERROR:
		if (!nm.function || isdr_arm_fault(sim_card_isdr(h->card), f->action == FAULT_ERROR ?
						   ISDR_FAULT_ERROR : ISDR_FAULT_BPP_ERROR,
						   nm.function, (unsigned long)f->value) < 0)
			LOG_ERR("fault %s: %s cannot answer with that error", f->spec, nm.function ? nm.function : "?");
		run_command(h, cmd, len, trace_name(&nm), 0);
		break;
	case FAULT_MEMORY:
		isdp_set_memory_free(sim_card_isdp(h->card), f->value);
		run_command(h, cmd, len, trace_name(&nm), 0);
		break;
	case FAULT_DELAY:
		run_command(h, cmd, len, trace_name(&nm), (uint64_t)f->value);
		break;
	case FAULT_MUTE:
		memcpy(h->held, cmd, len);
		h->held_len = len;
		h->muted = true;
		LOG_INFO("card mute: no answer until fault-clear, reset or remove");
		break;
	case FAULT_REMOVE:
		card_removed(h, (uint64_t)f->value);
		break;
	}
}

static void frame(struct host *h, const uint8_t *f, size_t len)
{
	const uint8_t *atr;
	size_t atr_len;

	if (len == 0)
		return;
	if (len > 1) {
		command(h, f, len);
		return;
	}
	switch (f[0]) {
	case VPCD_CTRL_OFF:
		LOG_INFO("vpcd: power off");
		sim_power(h->card, SIM_POWER_OFF);
		sim_trace_power(h->trace, SIM_TRACE_POWER_OFF, NULL, 0);
		report_power(h->report, SIM_TRACE_POWER_OFF);
		break;
	case VPCD_CTRL_ON:
		LOG_INFO("vpcd: power on");
		sim_power(h->card, SIM_POWER_ON);
		sim_trace_power(h->trace, SIM_TRACE_POWER_ON, NULL, 0);
		report_power(h->report, SIM_TRACE_POWER_ON);
		break;
	case VPCD_CTRL_RESET:
		LOG_INFO("vpcd: reset");
		sim_power(h->card, SIM_RESET);
		sim_trace_power(h->trace, SIM_TRACE_RESET, NULL, 0);
		report_power(h->report, SIM_TRACE_RESET);
		break;
	case VPCD_CTRL_ATR:
		atr = sim_atr(&atr_len);
		send_answer(h, atr, atr_len);
		sim_trace_power(h->trace, SIM_TRACE_ATR, atr, atr_len);
		report_power(h->report, SIM_TRACE_ATR);
		break;
	default:
		LOG_INFO("vpcd: unknown control byte %02X ignored", f[0]);
	}
}

/* ---- control commands ----------------------------------------------------------- */

static void iccid_digits(const uint8_t *iccid, char out[21])
{
	size_t n = 0;

	/* tag 5A coding: each byte's nibbles swapped, F pads */
	for (size_t i = 0; i < ISDP_ICCID_LEN; i++) {
		unsigned lo = iccid[i] & 0xF, hi = iccid[i] >> 4;

		if (lo < 10)
			out[n++] = (char)('0' + lo);
		if (hi < 10)
			out[n++] = (char)('0' + hi);
	}
	out[n] = 0;
}

static const char *const class_names[] = { "test", "provisioning", "operational" };
static const char *const event_names[] = { "install", "enable", "disable", "delete" };

static void status_profiles(struct json_out *j, const struct isdp_store *s)
{
	char digits[21];

	json_begin(j, '[');
	for (size_t i = 0; i < isdp_count(s); i++) {
		const struct isdp_profile *p = isdp_get(s, i);

		json_begin(j, '{');
		json_key(j, "iccid");
		iccid_digits(p->iccid, digits);
		json_str(j, digits);
		json_key(j, "aid");
		json_hex(j, p->aid, p->aid_len);
		json_key(j, "state");
		json_str(j, p->state == ISDP_ENABLED ? "enabled" : "disabled");
		json_key(j, "class");
		json_str(j, class_names[p->profile_class]);
		if (p->has_nickname) {
			json_key(j, "nickname");
			json_str(j, p->nickname);
		}
		json_end(j, '}');
	}
	json_end(j, ']');
}

static void status_notifications(struct json_out *j, const struct notif_list *l)
{
	char digits[21];

	json_begin(j, '[');
	for (size_t i = 0; i < l->n; i++) {
		const struct notif *n = &l->v[i];

		json_begin(j, '{');
		json_key(j, "seq");
		json_num(j, (long long)n->seq);
		json_key(j, "event");
		json_str(j, event_names[n->event]);
		if (n->has_iccid) {
			json_key(j, "iccid");
			iccid_digits(n->iccid, digits);
			json_str(j, digits);
		}
		json_key(j, "address");
		json_str(j, n->address);
		json_end(j, '}');
	}
	json_end(j, ']');
}

static void status(struct host *h, struct json_out *j)
{
	uint32_t open = sim_card_open_channels(h->card);

	json_key(j, "eid");
	json_hex(j, sim_card_eid(h->card), 16);
	json_key(j, "inserted");
	json_bool(j, h->inserted);
	json_key(j, "connected");
	json_bool(j, h->link.fd >= 0);
	json_key(j, "powered");
	json_bool(j, h->link.fd >= 0 && open != 0);
	json_key(j, "muted");
	json_bool(j, h->muted);
	json_key(j, "channels");
	json_begin(j, '[');
	for (unsigned i = 0; i < 32; i++)
		if (open & (1u << i))
			json_num(j, i);
	json_end(j, ']');
	json_key(j, "session");
	json_str(j, isdr_session_phase(sim_card_isdr(h->card)));
	json_key(j, "profiles");
	status_profiles(j, sim_card_isdp(h->card));
	json_key(j, "memory_free");
	json_num(j, (long long)isdp_memory_free(sim_card_isdp(h->card)));
	json_key(j, "notifications");
	status_notifications(j, isdr_notifications(sim_card_isdr(h->card)));
	json_key(j, "faults");
	fault_json(&h->faults, j);
}

/* Removal closes the link; Debian 12's vpcd aborts pcscd when a
 * reversed-mode card does that (docs/design.md, "vpcd modes"). */
#define REMOVE_NEEDS_CLIENT "remove needs --vpcd mode: in --listen mode Debian 12's vpcd aborts pcscd " \
	"when the card leaves (fixed upstream in vsmartcard 76543ea)"

static int add_fault(struct host *h, const char *spec, char *err, size_t err_len)
{
	struct fault *f;

	TRY(fault_add(&h->faults, spec, &f, err, err_len));
	if (f->action == FAULT_REMOVE && h->link.listen_mode) {
		h->faults.n--;
		snprintf(err, err_len, REMOVE_NEEDS_CLIENT);
		return -EU_E_PARAM;
	}
	if (f->action == FAULT_MEMORY && !f->on[0]) {
		isdp_set_memory_free(sim_card_isdp(h->card), f->value);
		f->fired = f->times;
	}
	LOG_INFO("fault added: %s", f->spec);
	return 0;
}

static void clear_faults(struct host *h)
{
	fault_clear(&h->faults);
	isdp_set_memory_free(sim_card_isdp(h->card), -1);
	if (h->muted) {
		/* the held command runs now and is answered, late */
		h->muted = false;
		LOG_INFO("card no longer mute: answering the held command");
		run_command(h, h->held, h->held_len, "held command", 0);
	}
	LOG_INFO("faults cleared");
}

static void warm_reset(struct host *h)
{
	if (h->muted) {
		/* the held command is abandoned: the terminal gets 6F00 */
		static const uint8_t sw[2] = { SW_UNKNOWN >> 8, SW_UNKNOWN & 0xFF };

		h->muted = false;
		answer(h, h->held, h->held_len, sw, sizeof(sw), "held command");
	}
	h->late = false;
	sim_power(h->card, SIM_RESET);
	sim_trace_power(h->trace, SIM_TRACE_RESET, NULL, 0);
	report_power(h->report, SIM_TRACE_RESET);
	LOG_INFO("warm reset (ctl)");
}

/* One control request; the answer starts with "ok" (control.c relies on it). */
static char *execute(void *arg, const struct json_object *req)
{
	struct host *h = arg;
	const char *cmd = json_get(req, "cmd"), *a = json_get(req, "arg");
	struct json_out j = { 0 };
	char err[256] = "";

	json_begin(&j, '{');
	json_key(&j, "ok");
	if (!cmd) {
		snprintf(err, sizeof(err), "a request is {\"cmd\": \"status|remove|insert|reset|fault|faults|"
			 "fault-clear|report\", \"arg\": \"...\"}");
	} else if (!strcmp(cmd, "status")) {
		json_bool(&j, true);
		status(h, &j);
	} else if (!strcmp(cmd, "remove")) {
		if (h->link.listen_mode)
			snprintf(err, sizeof(err), REMOVE_NEEDS_CLIENT);
		else
			card_removed(h, 0);
	} else if (!strcmp(cmd, "insert")) {
		card_inserted(h);
	} else if (!strcmp(cmd, "reset")) {
		warm_reset(h);
	} else if (!strcmp(cmd, "fault")) {
		if (!a)
			snprintf(err, sizeof(err), "fault needs a spec: ACTION on=WHAT [nth=N] [times=N]");
		else
			add_fault(h, a, err, sizeof(err));
	} else if (!strcmp(cmd, "faults")) {
		json_bool(&j, true);
		json_key(&j, "faults");
		fault_json(&h->faults, &j);
	} else if (!strcmp(cmd, "fault-clear")) {
		clear_faults(h);
	} else if (!strcmp(cmd, "report")) {
		if (!h->report) {
			snprintf(err, sizeof(err), "no report: start the card with --report FILE or --junit FILE");
		} else {
			json_bool(&j, true);
			json_key(&j, "report");
			report_json(h->report, &j, false);
		}
	} else {
		snprintf(err, sizeof(err), "unknown command '%s' (status, remove, insert, reset, fault, faults, "
			 "fault-clear, report)", cmd);
	}
	if (err[0]) {
		json_bool(&j, false);
		json_key(&j, "error");
		json_str(&j, err);
	} else if (strcmp(cmd, "status") && strcmp(cmd, "faults") && strcmp(cmd, "report")) {
		json_bool(&j, true);
	}
	json_end(&j, '}');
	return json_out_done(&j);
}

/* ---- the loop --------------------------------------------------------------------- */

static int timeout_ms(const struct host *h, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (h->late)
		next = h->late_at;
	if (!h->inserted && h->insert_at && h->insert_at < next)
		next = h->insert_at;
	if (h->inserted && !h->link.listen_mode && h->link.fd < 0 && h->link.retry_at < next)
		next = h->link.retry_at;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void timers(struct host *h)
{
	uint64_t now = now_ms();

	if (h->late && now >= h->late_at) {
		h->late = false;
		answer(h, h->late_cmd, h->late_cmd_len, h->late_rsp, h->late_len, h->late_name);
	}
	if (!h->inserted && h->insert_at && now >= h->insert_at)
		card_inserted(h);
	if (h->inserted && !h->link.listen_mode && h->link.fd < 0)
		vpcd_link_connect(&h->link, now);
}

static void link_readable(struct host *h)
{
	const uint8_t *f;
	size_t len;

	if (vpcd_link_read(&h->link, &f, &len) < 0) {
		vpcd_link_drop(&h->link);
		h->muted = false;
		h->late = false;
		/* The reader is gone: like a card pulled out. */
		sim_power(h->card, SIM_POWER_OFF);
		sim_trace_power(h->trace, SIM_TRACE_REMOVED, NULL, 0);
		report_power(h->report, SIM_TRACE_REMOVED);
		LOG_ERR("vpcd: the reader went away; %s", h->link.listen_mode ? "waiting for vpcd to connect again" :
			"reconnecting");
		return;
	}
	if (f)
		frame(h, f, len);
}

/* --report, --junit: the files are created now (so a path that cannot be
 * written stops the card at once) and written when it stops. */
static int open_report(struct host *h)
{
	const char *paths[] = { h->cfg->report, h->cfg->junit };

	if (!h->cfg->report[0] && !h->cfg->junit[0])
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		FILE *f = paths[i][0] ? fopen(paths[i], "w") : NULL;

		if (paths[i][0] && (!f || fclose(f) != 0)) {
			LOG_ERR("report %s: %s", paths[i], strerror(errno));
			return -1;
		}
	}
	if (report_new(h->card, &h->report) < 0) {
		LOG_ERR("report: %s", eu_strerror(-EU_E_NOMEM));
		return -1;
	}
	return 0;
}

static void close_report(struct host *h)
{
	char err[256];

	if (!h->report)
		return;
	if (report_write(h->report, h->cfg->report, h->cfg->junit, err, sizeof(err)) < 0)
		LOG_ERR("%s", err);
	else
		LOG_ERR("LPA conformance report written:%s%s%s%s", h->cfg->report[0] ? " " : "", h->cfg->report,
			h->cfg->junit[0] ? " " : "", h->cfg->junit);
	report_free(h->report);
	h->report = NULL;
}

static int setup(struct host *h, struct sim_card *card, const struct sim_config *cfg)
{
	char err[256];

	h->card = card;
	h->cfg = cfg;
	h->inserted = true;
	if (vpcd_link_open(&h->link, cfg->listen_port != 0, cfg->listen_port ? cfg->listen_host : cfg->vpcd_host,
			   cfg->listen_port ? cfg->listen_port : cfg->vpcd_port) < 0)
		return -1;
	for (size_t i = 0; i < cfg->n_faults; i++) {
		if (add_fault(h, cfg->faults[i], err, sizeof(err)) < 0) {
			LOG_ERR("fault '%s': %s", cfg->faults[i], err);
			return -1;
		}
	}
	if (cfg->control_path[0] && control_open(cfg->control_path, execute, h, &h->ctl) < 0)
		return -1;
	{
		const struct sim_trace_opts opts = {
			.pcap = cfg->pcap, .json = cfg->trace_json,
			.gsmtap_host = cfg->gsmtap_host, .gsmtap_port = cfg->gsmtap_port,
		};

		if (sim_trace_open(&opts, &h->trace, err, sizeof(err)) < 0) {
			LOG_ERR("%s", err);
			return -1;
		}
	}
	return open_report(h);
}

int sim_host_run(struct sim_card *card, const struct sim_config *cfg, volatile sig_atomic_t *stop)
{
	struct host *h = calloc(1, sizeof(*h));
	sigset_t block, old;
	int rc = 0;

	if (!h)
		return -1;
	if (setup(h, card, cfg) < 0) {
		rc = -1;
		goto out;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	while (!*stop) {
		struct pollfd pfd[MAX_FDS];
		size_t n = 0, link_at = SIZE_MAX, listen_at = SIZE_MAX, ctl_at;
		struct timespec ts, *tsp = NULL;
		int t, r;

		timers(h);
		if (h->link.fd >= 0) {
			link_at = n;
			pfd[n++] = (struct pollfd){ .fd = h->link.fd, .events = POLLIN };
		}
		if (h->link.lfd >= 0) {
			listen_at = n;
			pfd[n++] = (struct pollfd){ .fd = h->link.lfd, .events = POLLIN };
		}
		ctl_at = n;
		n += control_fds(h->ctl, pfd + n, MAX_FDS - n);
		t = timeout_ms(h, now_ms());
		if (t >= 0) {
			ts.tv_sec = t / 1000;
			ts.tv_nsec = (long)(t % 1000) * 1000000L;
			tsp = &ts;
		}
		/* Signals blocked between the check and the wait, so a stop
		 * request cannot slip in between; ppoll unblocks them. */
		sigprocmask(SIG_BLOCK, &block, &old);
		r = *stop ? 0 : ppoll(pfd, n, tsp, &old);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (r < 0 && errno != EINTR)
			LOG_ERR("poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		/* The reader first: a vpcd that went away (pcscd restarted) has
		 * left its EOF here before its successor connects. */
		if (link_at != SIZE_MAX && pfd[link_at].revents)
			link_readable(h);
		if (listen_at != SIZE_MAX && (pfd[listen_at].revents & POLLIN))
			vpcd_link_accept(&h->link, h->inserted);
		control_service(h->ctl, pfd + ctl_at, n - ctl_at);
	}
out:
	if (h->link.fd >= 0) {
		sim_power(card, SIM_POWER_OFF);
		sim_trace_power(h->trace, SIM_TRACE_REMOVED, NULL, 0);
		report_power(h->report, SIM_TRACE_REMOVED);
	}
	vpcd_link_close(&h->link);
	control_close(h->ctl);
	sim_trace_close(h->trace);
	close_report(h);
	free(h);
	return rc;
}
