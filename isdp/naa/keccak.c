/* Keccak-f[1600], written from the step mappings of FIPS 202 §3.2
 * (theta, rho, pi, chi, iota) with w = 64 and 24 rounds. The round constants
 * and the rho offsets are derived here from their definitions (§3.2.5
 * Algorithm 5 and §3.2.2 Algorithm 2) rather than typed in as tables; the
 * unit test checks the whole permutation against OpenSSL's SHA3. */
#include "isdp/naa/keccak.h"

#include <openssl/crypto.h>
#include <stdbool.h>

#define ROUNDS	24	/* nr = 12 + 2l, l = 6 for b = 1600 */

struct kc_tables {
	uint64_t rc[ROUNDS];	/* iota round constants */
	unsigned rho[25];	/* rho offsets by lane index x + 5y */
};

/* rc(t) of FIPS 202 Algorithm 5 as a running LFSR over GF(2)[x]/(x^8+x^6+x^5+x^4+1):
 * successive calls give rc(0), rc(1), ... */
static unsigned lfsr_next(uint8_t *r)
{
	unsigned out = *r & 1;
	bool carry = *r & 0x80;

	*r = (uint8_t)(*r << 1);
	if (carry)
		*r ^= 0x71;	/* x^8 = x^6 + x^5 + x^4 + 1 */
	return out;
}

static void make_tables(struct kc_tables *t)
{
	uint8_t r = 1;
	unsigned x = 1, y = 0;

	/* iota: bit 2^j - 1 of RC[ir] is rc(j + 7 ir), j = 0..6 */
	for (unsigned ir = 0; ir < ROUNDS; ir++) {
		t->rc[ir] = 0;
		for (unsigned j = 0; j < 7; j++)
			if (lfsr_next(&r))
				t->rc[ir] |= 1ULL << ((1u << j) - 1);
	}
	/* rho: lane (0,0) stays; walking (x,y) -> (y, 2x+3y) from (1,0), step t
	 * rotates by (t+1)(t+2)/2 */
	t->rho[0] = 0;
	for (unsigned step = 0; step < 24; step++) {
		unsigned nx = y, ny = (2 * x + 3 * y) % 5;

		t->rho[x + 5 * y] = ((step + 1) * (step + 2) / 2) % 64;
		x = nx;
		y = ny;
	}
}

static uint64_t rotl(uint64_t v, unsigned n)
{
	return n ? (v << n) | (v >> (64 - n)) : v;
}

static void round_1600(uint64_t a[25], const struct kc_tables *t, unsigned ir)
{
	uint64_t c[5], d[5], b[25];

	/* theta: each bit gets the parities of two neighbouring columns */
	for (unsigned x = 0; x < 5; x++)
		c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
	for (unsigned x = 0; x < 5; x++)
		d[x] = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
	for (unsigned i = 0; i < 25; i++)
		a[i] ^= d[i % 5];
	/* rho and pi: rotate each lane, then move (x,y) to (y, 2x+3y) */
	for (unsigned y = 0; y < 5; y++)
		for (unsigned x = 0; x < 5; x++)
			b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], t->rho[x + 5 * y]);
	/* chi: the only non-linear step, along rows */
	for (unsigned y = 0; y < 5; y++)
		for (unsigned x = 0; x < 5; x++)
			a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
	/* iota */
	a[0] ^= t->rc[ir];
	OPENSSL_cleanse(b, sizeof(b));
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(d, sizeof(d));
}

void naa_keccak_f1600(uint8_t state[NAA_KECCAK_STATE_BYTES], unsigned times)
{
	struct kc_tables t;
	uint64_t a[25];

	if (!times)
		return;
	make_tables(&t);
	for (unsigned i = 0; i < 25; i++) {
		a[i] = 0;
		for (unsigned k = 0; k < 8; k++)
			a[i] |= (uint64_t)state[8 * i + k] << (8 * k);
	}
	while (times--)
		for (unsigned ir = 0; ir < ROUNDS; ir++)
			round_1600(a, &t, ir);
	for (unsigned i = 0; i < 25; i++)
		for (unsigned k = 0; k < 8; k++)
			state[8 * i + k] = (uint8_t)(a[i] >> (8 * k));
	OPENSSL_cleanse(a, sizeof(a));
}
