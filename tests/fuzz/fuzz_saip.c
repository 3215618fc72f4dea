/* libFuzzer target: the profile-package decoder (profiles/saip.h) on raw
 * bytes, whole and as a stream cut anywhere, the way a download feeds it
 * the plaintext of each 86 segment.
 *
 * Input: one byte c, then the package. The package is decoded whole
 * (saip_decode), then streamed in segments whose lengths come from c:
 * c = 0 one byte at a time, otherwise a xorshift generator seeded with c
 * picks each length in 1 .. 2^(c % 13 + 1). Both runs must agree (the
 * same error, or profiles with the same shape): the decoder may not
 * depend on where the segments end. A decoded profile is also dumped
 * (saip_dump, keys shown when c is odd) and searched (ICCID, IMSI). Each
 * segment is fed from a buffer of exactly its size. */
#include "tests/fuzz/fuzz_common.h"
#include "profiles/saip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *devnull;

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static int stream(const uint8_t *pkg, size_t len, uint8_t c, struct saip_profile **out)
{
	struct saip_stream s;
	uint32_t x = 0x9E3779B9u ^ c;
	size_t off = 0, max = (size_t)2 << (c % 13);

	if (saip_stream_init(&s) < 0)
		abort();
	while (off < len) {
		size_t n = c == 0 ? 1 : 1 + xorshift(&x) % max;
		uint8_t *seg;

		if (n > len - off)
			n = len - off;
		seg = fz_copy(pkg + off, n);
		saip_stream_feed(&s, seg, n);
		free(seg);
		off += n;
	}
	return saip_stream_finish(&s, out);
}

/* The same profile, as far as its shape goes. */
static void same(const struct saip_profile *a, const struct saip_profile *b)
{
	if (a->package_len != b->package_len || a->n_pe != b->n_pe || a->n_files != b->n_files ||
	    a->fs_bytes != b->fs_bytes || a->n_aka != b->n_aka || a->n_pins != b->n_pins || a->n_puks != b->n_puks ||
	    a->n_sds != b->n_sds || a->n_apps != b->n_apps || a->n_rfms != b->n_rfms ||
	    a->n_skipped != b->n_skipped || memcmp(a->iccid, b->iccid, sizeof(a->iccid)) ||
	    a->mandatory_services != b->mandatory_services || a->usim_adf != b->usim_adf)
		abort();
	for (size_t i = 0; i < a->n_files; i++)
		if (a->files[i].fid != b->files[i].fid || a->files[i].content_len != b->files[i].content_len ||
		    (a->files[i].content_len &&
		     memcmp(a->files[i].content, b->files[i].content, a->files[i].content_len)))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saip_profile *whole = NULL, *streamed = NULL;
	uint8_t *pkg;
	size_t len;
	char digits[64];
	uint8_t c;
	int rw, rs;

	if (!devnull) {
		fz_log_init();
		devnull = fopen("/dev/null", "w");
		if (!devnull || saip_init() < 0)
			abort();
	}
	if (size == 0)
		return 0;
	c = data[0];
	len = size - 1;
	pkg = fz_copy(data + 1, len);
	rw = saip_decode(pkg, len, &whole);
	rs = stream(pkg, len, c, &streamed);
	if ((rw < 0) != (rs < 0) || (rw < 0 && rw != rs)) {
		fprintf(stderr, "saip: whole %d, streamed %d\n", rw, rs);
		abort();
	}
	if (rw == 0) {
		same(whole, streamed);
		saip_dump(whole, c & 1, devnull);
		saip_profile_iccid(whole, digits, sizeof(digits));
		saip_profile_imsi(whole, digits, sizeof(digits));
	}
	saip_profile_free(whole);
	saip_profile_free(streamed);
	free(pkg);
	return 0;
}
