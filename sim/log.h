/* Trace and diagnostics. Level 0 prints errors only; -v names each command
 * and its result; -vv adds the APDU bytes. */
#ifndef SIM_LOG_H
#define SIM_LOG_H

#include <stddef.h>
#include <stdint.h>

extern int sim_log_level;

void sim_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Send the trace lines (without newline) to fn instead of stderr, e.g. for
 * a test that checks what the trace says; NULL restores stderr. */
void sim_log_set_sink(void (*fn)(void *arg, const char *line), void *arg);
void sim_log_hex(int level, const char *prefix, const uint8_t *buf, size_t len);

/* Time spent in cryptographic operations, for `make bench` (which splits
 * card time into crypto and the rest). CRYPTO(expr) evaluates expr and
 * adds its duration. */
extern uint64_t sim_crypto_ns;
uint64_t sim_now_ns(void);
#define CRYPTO(expr) __extension__ ({ \
	uint64_t crypto_t0_ = sim_now_ns(); \
	__typeof__(expr) crypto_r_ = (expr); \
	sim_crypto_ns += sim_now_ns() - crypto_t0_; \
	crypto_r_; })

#define LOG_ERR(...)   sim_log(0, __VA_ARGS__)
#define LOG_INFO(...)  sim_log(1, __VA_ARGS__)
#define LOG_DEBUG(...) sim_log(2, __VA_ARGS__)

#endif
