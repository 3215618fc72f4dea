/* The profile package decoder (profiles/saip*.c) over the GSMA TS.48 test
 * profiles in profiles/ts48/, fed whole and in segments, truncated,
 * mutated and rearranged. */
#define _GNU_SOURCE	/* memmem */
#include "tests/unit/helpers.h"
#include "profiles/saip.h"
#include "sim/err.h"
#include "sim/tlv.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS48_DIR	SIM_DATADIR "/profiles/ts48"
#define KNOWN		"TS48v5_SAIP2.3_BERTLV_SUCI.der"
#define KNOWN_UNIQUE	"TS48V1-A-UNIQUE.der"
#define N_TS48		36

struct pkg {
	uint8_t *b;
	size_t n;
};

static struct pkg load(const char *name)
{
	char path[512];
	struct pkg p = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", TS48_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	p.b = malloc((size_t)n);
	ck_assert_ptr_nonnull(p.b);
	p.n = fread(p.b, 1, (size_t)n, f);
	ck_assert_uint_eq(p.n, (size_t)n);
	fclose(f);
	return p;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The TS.48 file names, sorted. */
static size_t ts48_names(char names[N_TS48][64])
{
	DIR *d = opendir(TS48_DIR);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 4 || strcmp(e->d_name + l - 4, ".der"))
			continue;
		ck_assert_uint_lt(n, N_TS48);
		ck_assert_uint_lt(l, 64);
		memcpy(names[n++], e->d_name, l + 1);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	return n;
}

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	/* xorshift32: the same sequence on every run */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Feeds in segments of seg bytes (seg 0: random sizes 1..max). */
static int feed(const uint8_t *b, size_t n, size_t seg, size_t max, struct saip_stream *s,
		struct saip_profile **out)
{
	size_t off = 0;
	int rc;

	*out = NULL;
	ck_assert_int_eq(saip_stream_init(s), 0);
	while (off < n) {
		size_t k = seg ? seg : 1 + rnd() % max;

		if (k > n - off)
			k = n - off;
		rc = saip_stream_feed(s, b + off, k);
		if (rc < 0) {
			struct saip_profile *p;

			ck_assert_int_eq(saip_stream_feed(s, b, 1), rc);	/* sticky */
			ck_assert_int_eq(saip_stream_finish(s, &p), rc);
			ck_assert_ptr_null(p);
			return rc;
		}
		off += k;
	}
	return saip_stream_finish(s, out);
}

static int decode_seg(const struct pkg *p, size_t seg, size_t max, struct saip_profile **out)
{
	struct saip_stream s;

	return feed(p->b, p->n, seg, max, &s, out);
}

static char *dump(const struct saip_profile *p, bool secrets)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(saip_dump(p, secrets, f), 0);
	fclose(f);
	return text;
}

static void same_model(const struct saip_profile *a, const struct saip_profile *b)
{
	char *da = dump(a, true), *db = dump(b, true);

	ck_assert_str_eq(da, db);
	free(da);
	free(db);
	ck_assert_uint_eq(a->package_len, b->package_len);
	ck_assert_uint_eq(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++) {
		const struct sim_file *x = &a->files[i], *y = &b->files[i];

		ck_assert_uint_eq(x->depth, y->depth);
		ck_assert_mem_eq(x->path, y->path, sizeof(x->path));
		ck_assert_uint_eq(x->fid, y->fid);
		ck_assert_int_eq(x->type, y->type);
		ck_assert_uint_eq(x->fdb, y->fdb);
		ck_assert_uint_eq(x->size, y->size);
		ck_assert_uint_eq(x->rec_len, y->rec_len);
		ck_assert_uint_eq(x->content_len, y->content_len);
		if (x->content_len)
			ck_assert_mem_eq(x->content, y->content, x->content_len);
	}
	ck_assert_uint_eq(a->n_aka, b->n_aka);
	ck_assert_mem_eq(a->aka, b->aka, a->n_aka * sizeof(*a->aka));
	ck_assert_uint_eq(a->n_pins, b->n_pins);
	ck_assert_mem_eq(a->pins, b->pins, a->n_pins * sizeof(*a->pins));
	ck_assert_uint_eq(a->n_puks, b->n_puks);
	ck_assert_mem_eq(a->puks, b->puks, a->n_puks * sizeof(*a->puks));
}

/* Offsets of the top-level elements (PEs) of a package. */
static size_t elements(const struct pkg *p, size_t *off, size_t cap)
{
	size_t n = 0, o = 0;

	while (o < p->n) {
		struct tlv t;

		ck_assert_int_eq(tlv_parse(p->b + o, p->n - o, &t), 0);
		ck_assert_uint_lt(n, cap);
		off[n++] = o;
		o += t.raw_len;
	}
	ck_assert_uint_lt(n, cap);
	off[n] = o;
	return n;
}

/* A package assembled from pieces. */
static struct pkg cat(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
		      const uint8_t *c, size_t nc)
{
	struct pkg p = { malloc(na + nb + nc + 1), na + nb + nc };

	ck_assert_ptr_nonnull(p.b);
	memcpy(p.b, a, na);
	memcpy(p.b + na, b, nb);
	if (nc)
		memcpy(p.b + na + nb, c, nc);
	return p;
}

/* The package with extra bytes inserted before its last PE (PE-End). */
static struct pkg before_end(const struct pkg *p, const uint8_t *x, size_t nx)
{
	size_t off[64];
	size_t n = elements(p, off, 63);

	return cat(p->b, off[n - 1], x, nx, p->b + off[n - 1], p->n - off[n - 1]);
}

START_TEST(every_ts48_file_decodes_the_same_in_any_segmentation)
{
	char names[N_TS48][64];
	size_t n = ts48_names(names);

	ck_assert_uint_eq(n, N_TS48);
	rnd_state = 0x5A1F0001;
	for (size_t i = 0; i < n; i++) {
		struct pkg p = load(names[i]);
		struct saip_profile *whole, *seg, *rand_seg, *small;
		char iccid[21], imsi[17];

		ck_assert_int_eq(saip_decode(p.b, p.n, &whole), 0);
		ck_assert_uint_eq(whole->package_len, p.n);
		ck_assert_uint_ge(whole->n_pe, 28);
		ck_assert_uint_eq(whole->n_skipped, 0);
		ck_assert_int_ge(saip_profile_iccid(whole, iccid, sizeof(iccid)), 19);
		ck_assert_int_eq(saip_profile_imsi(whole, imsi, sizeof(imsi)), 15);
		ck_assert_str_eq(imsi, "001010123456063");

		ck_assert_int_eq(decode_seg(&p, 1020, 0, &seg), 0);	/* SGP.22 segments */
		ck_assert_int_eq(decode_seg(&p, 0, 1100, &rand_seg), 0);
		ck_assert_int_eq(decode_seg(&p, 0, 7, &small), 0);
		same_model(whole, seg);
		same_model(whole, rand_seg);
		same_model(whole, small);
		/* a copy is the same model and owns all it points to */
		{
			struct saip_profile *copy = saip_profile_dup(whole);

			ck_assert_ptr_nonnull(copy);
			ck_assert_ptr_ne(copy->files, whole->files);
			for (size_t k = 0; k < copy->n_files; k++)
				ck_assert(!copy->files[k].content || copy->files[k].content != whole->files[k].content);
			saip_profile_free(whole);
			same_model(copy, seg);
			whole = copy;
		}
		saip_profile_free(whole);
		saip_profile_free(seg);
		saip_profile_free(rand_seg);
		saip_profile_free(small);
		free(p.b);
	}
}
END_TEST

START_TEST(byte_by_byte)
{
	struct pkg p = load(KNOWN);
	struct saip_profile *a, *b;

	ck_assert_int_eq(saip_decode(p.b, p.n, &a), 0);
	ck_assert_int_eq(decode_seg(&p, 1, 0, &b), 0);
	same_model(a, b);
	saip_profile_free(a);
	saip_profile_free(b);
	free(p.b);
}
END_TEST

/* Values checked against the bytes of the file and TS.48 itself. */
START_TEST(known_profile_values)
{
	struct pkg p = load(KNOWN);
	struct saip_profile *pr;
	const struct sim_file *f;
	const uint8_t *iccid_in_header;
	uint8_t k[16];
	char digits[21];

	ck_assert_int_eq(saip_decode(p.b, p.n, &pr), 0);
	ck_assert_uint_eq(pr->package_len, 12284);
	ck_assert_uint_eq(pr->n_pe, 30);
	ck_assert_uint_eq(pr->major_version, 2);
	ck_assert_uint_eq(pr->minor_version, 3);
	ck_assert_str_eq(pr->profile_type, "GSMA Generic eUICC Test Profile");

	/* header.iccid is the first [3] IMPLICIT OCTET STRING (83 0A) in the
	 * ProfileHeader; BCD in natural order */
	iccid_in_header = memmem(p.b, 200, "\x83\x0A", 2);
	ck_assert_ptr_nonnull(iccid_in_header);
	ck_assert_mem_eq(pr->iccid, iccid_in_header + 2, 10);
	ck_assert_int_eq(saip_profile_iccid(pr, digits, sizeof(digits)), 20);
	ck_assert_str_eq(digits, "89000123456789012341");
	/* EF.ICCID holds the same number nibble-swapped (TS 102 221 §13.2) */
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2FE2));
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->content_len, 10);
	ck_assert_mem_eq(f->content, "\x98\x00\x10\x32\x54\x76\x98\x10\x32\x14", 10);

	/* EF.IMSI: TS.48 test IMSI 001010123456063 (MCC 001, MNC 01) */
	ck_assert_uint_eq(pr->usim_adf, 0x7FD0);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x7FD0, 0x6F07));
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "EF.IMSI");
	ck_assert(f->size_known);
	ck_assert_uint_eq(f->size, 9);	/* from the USIM template: the Fcp has no size */
	ck_assert_mem_eq(f->content, "\x08\x09\x10\x10\x10\x32\x54\x06\x36", 9);
	ck_assert_int_eq(saip_profile_imsi(pr, digits, sizeof(digits)), 15);
	ck_assert_str_eq(digits, "001010123456063");
	ck_assert_int_eq(saip_profile_imsi(pr, digits, 15), -EU_E_PARAM);

	/* the MF and an ADF */
	f = saip_profile_file(pr, SAIP_PATH(0x3F00));
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->type, SIM_FT_MF);
	ck_assert_uint_eq(f->depth, 0);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x7FD0));
	ck_assert_int_eq(f->type, SIM_FT_ADF);
	ck_assert_uint_eq(f->aid.len, 12);
	ck_assert_mem_eq(f->aid.b, "\xA0\x00\x00\x00\x87\x10\x02\xFF\x49\xFF\x05\x89", 12);
	ck_assert_ptr_null(saip_profile_file(pr, SAIP_PATH(0x3F00, 0x7FD0, 0x1234)));
	ck_assert_ptr_null(saip_profile_file(pr, SAIP_PATH(0x7FD0, 0x6F07)));

	/* EF.SMS: fill pattern 00FF applied to each of its 10 records */
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x7FD0, 0x6F3C));
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->type, SIM_FT_LINEAR_FIXED);
	ck_assert_uint_eq(f->nb_rec, 10);
	ck_assert_uint_eq(f->rec_len, 176);
	for (size_t r = 0; r < 10; r++) {
		ck_assert_uint_eq(f->content[r * 176], 0x00);
		ck_assert_uint_eq(f->content[r * 176 + 1], 0xFF);
		ck_assert_uint_eq(f->content[r * 176 + 175], 0xFF);
	}
	/* EF.DIR: records written through fillFileContent / fillFileOffset */
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2F00));
	ck_assert_uint_eq(f->rec_len, 33);
	ck_assert_mem_eq(f->content, "\x61\x14\x4F\x0C\xA0\x00\x00\x00\x87\x10\x02", 11);
	ck_assert_mem_eq(f->content + 33, "\x61\x14\x4F\x0C\xA0\x00\x00\x00\x87\x10\x04", 11);
	ck_assert_mem_eq(f->content + 66, "\x61\x18\x4F\x10\xA0\x00\x00\x03\x43", 9);

	/* AKA for USIM and ISIM: test algorithm, K = 00..0F, sqn defaults */
	t_unhex("000102030405060708090A0B0C0D0E0F", k, sizeof(k));
	ck_assert_uint_eq(pr->n_aka, 2);
	ck_assert_uint_eq(pr->aka[0].adf, 0x7FD0);
	ck_assert_uint_eq(pr->aka[1].adf, 0x7FB0);
	for (size_t i = 0; i < 2; i++) {
		const struct saip_aka *a = &pr->aka[i];

		ck_assert_uint_eq(a->algorithm_id, 3);
		ck_assert_str_eq(saip_algorithm_name(a->algorithm_id), "usim-test-algorithm");
		ck_assert_uint_eq(a->algorithm_options, 0x02);
		ck_assert_uint_eq(a->k_len, 16);
		ck_assert_mem_eq(a->k, k, 16);
		ck_assert_uint_eq(a->opc_len, 16);
		ck_assert(!a->sqn_given);
		ck_assert_uint_eq(a->sqn_options, 0x02);
		ck_assert_mem_eq(a->sqn_delta, "\x00\x00\x10\x00\x00\x00", 6);
		ck_assert_mem_eq(a->rotation, "\x40\x00\x20\x40\x60", 5);
		ck_assert_uint_eq(a->xoring[79], 8);
		ck_assert_uint_eq(a->number_of_keccak, 1);
	}
	/* PIN1 0000, PUK1 11111111 (TS.48 defaults) */
	ck_assert_uint_eq(pr->n_puks, 2);
	ck_assert_uint_eq(pr->puks[0].key_ref, 0x01);
	ck_assert_mem_eq(pr->puks[0].value, "11111111", 8);
	ck_assert_uint_eq(pr->puks[0].max_attempts, 10);
	ck_assert_uint_eq(pr->n_pins, 7);
	ck_assert_uint_eq(pr->pins[0].key_ref, 0x01);
	ck_assert_uint_eq(pr->pins[0].df, 0x3F00);
	ck_assert_mem_eq(pr->pins[0].value, "0000\xFF\xFF\xFF\xFF", 8);
	ck_assert_uint_eq(pr->pins[0].puk_ref, 0x01);
	ck_assert_uint_eq(pr->pins[0].max_attempts, 3);	/* DEFAULT 51 = 0x33 */
	ck_assert_uint_eq(pr->pins[0].retries_left, 3);
	/* the ISD-P's security domain, and the RFM instances */
	ck_assert_uint_eq(pr->n_sds, 1);
	ck_assert_mem_eq(pr->sds[0].aid.b, "\xA0\x00\x00\x01\x51\x00\x00\x00", 8);
	ck_assert_uint_eq(pr->sds[0].n_keys, 6);
	ck_assert_uint_eq(pr->n_rfms, 4);
	ck_assert_uint_eq(pr->rfms[0].n_tar, 1);
	ck_assert_mem_eq(pr->rfms[0].tar[0], "\xB0\x01\x20", 3);
	ck_assert_uint_eq(pr->mandatory_services & (1u << 1), 1u << 1);	/* usim */
	ck_assert_uint_eq(pr->n_gfste, 11);
	saip_profile_free(pr);
	free(p.b);
}
END_TEST

START_TEST(unique_variant_iccid)
{
	struct pkg p = load(KNOWN_UNIQUE);
	struct saip_profile *pr;
	char digits[21];

	ck_assert_int_eq(saip_decode(p.b, p.n, &pr), 0);
	/* 89 49 44 99 99 99 99 90 02 3F: 19 digits, F-padded */
	ck_assert_mem_eq(pr->iccid, "\x89\x49\x44\x99\x99\x99\x99\x90\x02\x3F", 10);
	ck_assert_int_eq(saip_profile_iccid(pr, digits, sizeof(digits)), 19);
	ck_assert_str_eq(digits, "8949449999999990023");
	ck_assert_mem_eq(saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2FE2))->content,
			 "\x98\x94\x44\x99\x99\x99\x99\x09\x20\xF3", 10);
	saip_profile_free(pr);
	free(p.b);
}
END_TEST

START_TEST(truncated_packages_fail_at_finish)
{
	struct pkg p = load(KNOWN);
	size_t off[64], n = elements(&p, off, 63);
	const size_t cuts[] = { 0, 1, 2, 3, 100, off[1], off[1] + 2, off[5] + 1, p.n / 2,
				off[n - 1], off[n - 1] + 1, p.n - 1 };

	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
		struct saip_stream s;
		struct saip_profile *pr = (void *)1;

		ck_assert_int_eq(saip_stream_init(&s), 0);
		ck_assert_int_eq(saip_stream_feed(&s, p.b, cuts[i]), 0);
		ck_assert_int_eq(saip_stream_finish(&s, &pr), -EU_E_TRUNCATED);
		ck_assert_ptr_null(pr);
		/* the stream is spent: feeding again is refused */
		ck_assert_int_eq(saip_stream_feed(&s, p.b, 1), -EU_E_TRUNCATED);
	}
	free(p.b);
}
END_TEST

START_TEST(mutated_packages_never_crash)
{
	static const char *const files[] = { KNOWN, KNOWN_UNIQUE, "TS48v2_SAIP2.1_NoBERTLV.der",
					     "TS48V4-SAIP2-1B-NOBERTLV-UNIQUE.der" };
	size_t ok = 0, failed = 0;

	rnd_state = 0x5A1F0002;
	for (size_t fi = 0; fi < ARRAY_SIZE(files); fi++) {
		struct pkg p = load(files[fi]);
		size_t off[64], n = elements(&p, off, 63);
		uint8_t *m = malloc(p.n);

		ck_assert_ptr_nonnull(m);
		for (size_t round = 0; round < 120; round++) {
			struct saip_stream s;
			struct saip_profile *pr;
			size_t at;
			int rc;

			memcpy(m, p.b, p.n);
			if (round % 2) {
				/* a PE's tag or length octets */
				at = off[rnd() % n] + rnd() % 4;
			} else {
				at = rnd() % p.n;
			}
			if (at >= p.n)
				at = p.n - 1;
			m[at] ^= (uint8_t)(1 + rnd() % 255);
			if (round % 5 == 0)
				m[rnd() % p.n] ^= (uint8_t)(1 << (rnd() % 8));
			rc = feed(m, p.n, 0, 1500, &s, &pr);
			ck_assert_int_le(rc, 0);
			if (rc == 0) {
				ck_assert_ptr_nonnull(pr);
				ok++;
				saip_profile_free(pr);
			} else {
				ck_assert_ptr_null(pr);
				failed++;
			}
		}
		free(m);
		free(p.b);
	}
	/* most mutations are caught; a few (a byte of file content) are not */
	ck_assert_uint_gt(failed, ok);
}
END_TEST

START_TEST(element_after_end)
{
	struct pkg p = load(KNOWN);
	size_t off[64], n = elements(&p, off, 63);
	struct pkg q = cat(p.b, p.n, p.b + off[n - 1], p.n - off[n - 1], NULL, 0);
	struct pkg r = cat(p.b, p.n, p.b + off[1], off[2] - off[1], NULL, 0);
	struct saip_profile *pr;
	struct saip_stream s;

	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_ORDER);
	ck_assert_uint_eq(s.err_offset, p.n);
	ck_assert_int_eq(feed(r.b, r.n, 0, 50, &s, &pr), -EU_E_PE_ORDER);
	ck_assert_uint_eq(s.err_offset, p.n);
	/* even a lone byte after PE-End */
	q.b[p.n] = 0x00;
	ck_assert_int_eq(feed(q.b, p.n + 1, 1020, 0, &s, &pr), -EU_E_PE_ORDER);
	free(q.b);
	free(r.b);
	free(p.b);
}
END_TEST

START_TEST(header_first_and_only_first)
{
	struct pkg p = load(KNOWN);
	size_t off[64];
	struct saip_profile *pr;
	struct saip_stream s;
	struct pkg q;

	elements(&p, off, 63);
	/* without the header: fails on the first element */
	ck_assert_int_eq(feed(p.b + off[1], p.n - off[1], 1020, 0, &s, &pr), -EU_E_PE_ORDER);
	ck_assert_uint_eq(s.err_offset, 0);
	/* the header twice */
	q = cat(p.b, off[1], p.b, off[1], p.b + off[1], p.n - off[1]);
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_ORDER);
	ck_assert_uint_eq(s.err_offset, off[1]);
	free(q.b);
	/* header and End only: no MF, but nothing out of order either */
	q = cat(p.b, off[1], p.b + off[29], p.n - off[29], NULL, 0);
	ck_assert_int_eq(saip_decode(q.b, q.n, &pr), 0);
	ck_assert_uint_eq(pr->n_pe, 2);
	ck_assert_uint_eq(pr->n_files, 0);
	ck_assert_int_eq(saip_profile_imsi(pr, (char[20]){ 0 }, 20), -EU_E_NOT_FOUND);
	saip_profile_free(pr);
	free(q.b);
	/* PE-USIM before PE-MF */
	q = cat(p.b, off[1], p.b + off[7], off[8] - off[7], p.b + off[29], p.n - off[29]);
	ck_assert_int_eq(p.b[off[7]], 0xB3);	/* [19] usim */
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_ORDER);
	ck_assert_int_eq(s.err_pe_id, 8);
	free(q.b);
	free(p.b);
}
END_TEST

START_TEST(empty_package)
{
	struct saip_stream s;
	struct saip_profile *pr;

	ck_assert_int_eq(saip_stream_init(&s), 0);
	ck_assert_int_eq(saip_stream_finish(&s, &pr), -EU_E_TRUNCATED);
	ck_assert_int_eq(saip_decode((const uint8_t *)"", 0, &pr), -EU_E_TRUNCATED);
}
END_TEST

START_TEST(element_longer_than_maximum_fails_early)
{
	struct pkg p = load(KNOWN);
	size_t off[64];
	/* a PE-GenericFileManagement announcing 65536 bytes of value */
	static const uint8_t big[] = { 0xA1, 0x83, 0x01, 0x00, 0x00 };
	struct saip_stream s;

	elements(&p, off, 63);
	ck_assert_int_eq(saip_stream_init(&s), 0);
	ck_assert_int_eq(saip_stream_feed(&s, p.b, off[1]), 0);
	/* fails as soon as the length octets are complete */
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		ck_assert_int_eq(saip_stream_feed(&s, big + i, 1), 0);
	ck_assert_int_eq(saip_stream_feed(&s, big + 4, 1), -EU_E_TOO_LONG);
	ck_assert_uint_eq(s.err_offset, off[1]);
	saip_stream_abort(&s);

	/* and in one piece */
	ck_assert_int_eq(saip_stream_init(&s), 0);
	ck_assert_int_eq(saip_stream_feed(&s, p.b, off[1]), 0);
	ck_assert_int_eq(saip_stream_feed(&s, big, sizeof(big)), -EU_E_TOO_LONG);
	saip_stream_abort(&s);

	/* the largest accepted size passes the size check */
	ck_assert_int_eq(saip_stream_init(&s), 0);
	ck_assert_int_eq(saip_stream_feed(&s, p.b, off[1]), 0);
	ck_assert_int_eq(saip_stream_feed(&s, (const uint8_t[]){ 0xA1, 0x82, 0xFF, 0xFB }, 4), 0);
	saip_stream_abort(&s);
	free(p.b);
}
END_TEST

START_TEST(identification_unique)
{
	struct pkg p = load(KNOWN);
	/* PE-End with identification 4, the MF's */
	static const uint8_t end4[] = { 0xAA, 0x07, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x04 };
	size_t off[64], n = elements(&p, off, 63);
	struct pkg q = cat(p.b, off[n - 1], end4, sizeof(end4), NULL, 0);
	struct saip_profile *pr;
	struct saip_stream s;

	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_VALUE);
	ck_assert_int_eq(s.err_pe_id, 4);
	ck_assert_uint_eq(s.err_offset, off[n - 1]);
	free(q.b);
	free(p.b);
}
END_TEST

/* PE-PINCodes id 0x50 with one PIN (pinAppl2, "11111111") whose
 * pinAttributes is attr. */
static void pin_pe(uint8_t out[29], uint8_t attr)
{
	static const uint8_t pe[29] = {
		0xA2, 0x1B, 0xA0, 0x03, 0x81, 0x01, 0x50,
		0xA1, 0x14, 0xA0, 0x12, 0x30, 0x10,
		0x80, 0x01, 0x02,
		0x81, 0x08, '1', '1', '1', '1', '1', '1', '1', '1',
		0x83, 0x01, 0x00,
	};

	memcpy(out, pe, sizeof(pe));
	out[28] = attr;
}

START_TEST(non_der_encodings_rejected)
{
	struct pkg p = load(KNOWN);
	struct saip_profile *pr;
	struct saip_stream s;
	uint8_t pe[29];
	struct pkg q;
	size_t off[64], n = elements(&p, off, 63);

	/* control: pinAttributes 6 is accepted */
	pin_pe(pe, 6);
	q = before_end(&p, pe, sizeof(pe));
	ck_assert_int_eq(saip_decode(q.b, q.n, &pr), 0);
	ck_assert_uint_eq(pr->n_pins, 8);
	ck_assert_uint_eq(pr->pins[7].key_ref, 2);
	ck_assert_uint_eq(pr->pins[7].attributes, 6);
	ck_assert_uint_eq(pr->pins[7].max_attempts, 3);
	saip_profile_free(pr);
	free(q.b);
	/* pinAttributes 7 is its DEFAULT: DER leaves it out (X.690 §11.5) */
	pin_pe(pe, 7);
	q = before_end(&p, pe, sizeof(pe));
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_NOT_DER);
	ck_assert_uint_eq(s.err_offset, off[n - 1]);
	free(q.b);
	/* non-minimal length octets on a PE */
	q = cat(p.b, off[n - 1], (const uint8_t[]){ 0xAA, 0x81, 0x07 }, 3, p.b + off[n - 1] + 2, 7);
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_NOT_DER);
	free(q.b);
	/* non-minimal INTEGER inside (identification 00 1F): libtasn1 takes
	 * it and re-encodes it unchanged */
	q = cat(p.b, off[n - 1], (const uint8_t[]){ 0xAA, 0x08, 0xA0, 0x06, 0x80, 0x00, 0x81, 0x02, 0x00, 0x1F },
		10, NULL, 0);
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_NOT_DER);
	free(q.b);
	/* a PIN naming a PUK that does not exist: pinAppl2 with PUK 5 */
	{
		static const uint8_t pe5[32] = {
			0xA2, 0x1E, 0xA0, 0x03, 0x81, 0x01, 0x50,
			0xA1, 0x17, 0xA0, 0x15, 0x30, 0x13,
			0x80, 0x01, 0x02,
			0x81, 0x08, '1', '1', '1', '1', '1', '1', '1', '1',
			0x82, 0x01, 0x05, 0x83, 0x01, 0x06,
		};

		q = before_end(&p, pe5, sizeof(pe5));
		ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_VALUE);
		ck_assert_int_eq(s.err_pe_id, 0x50);
		free(q.b);
	}
	free(p.b);
}
END_TEST

/* A PE-AKAParameter (identification 70) with algoParameter: algorithm,
 * K of klen bytes, OPc/TOPc of olen bytes. */
static size_t aka_pe(uint8_t *b, uint8_t alg, size_t klen, size_t olen)
{
	size_t n = 0, l2 = 3 + 3 + 2 + klen + 2 + olen;

	b[n++] = 0xA4;
	b[n++] = (uint8_t)(5 + 2 + 2 + l2);
	memcpy(b + n, (const uint8_t[]){ 0xA0, 0x03, 0x81, 0x01, 0x70, 0xA1, (uint8_t)(2 + l2), 0xA1, (uint8_t)l2,
					  0x80, 0x01, alg, 0x81, 0x01, 0x00, 0x82, (uint8_t)klen }, 17);
	n += 17;
	memset(b + n, 0x11, klen);
	n += klen;
	b[n++] = 0x83;
	b[n++] = (uint8_t)olen;
	memset(b + n, 0x22, olen);
	return n + olen;
}

/* AKA parameters the card's algorithms cannot run fail the package
 * (pe-not-supported: the download fails with a PE processing error),
 * never a card that would answer AUTHENTICATE wrongly. */
START_TEST(aka_the_card_cannot_run)
{
	static const struct {
		uint8_t alg;
		size_t klen, olen;
		int rc;
	} rows[] = {
		{ 1, 16, 16, 0 },
		{ 1, 32, 16, -EU_E_PE_UNSUPPORTED },	/* MILENAGE: 128-bit K only */
		{ 1, 16, 32, -EU_E_PE_UNSUPPORTED },
		{ 2, 32, 32, 0 },
		{ 2, 16, 32, 0 },
		{ 2, 16, 16, -EU_E_PE_UNSUPPORTED },	/* TUAK: TOPc is 256 bits */
		{ 2, 24, 32, -EU_E_PE_UNSUPPORTED },
		{ 3, 16, 0, 0 },			/* test algorithm: opc ignored */
		{ 3, 32, 16, -EU_E_PE_UNSUPPORTED },
	};
	struct pkg p = load(KNOWN);
	struct saip_profile *pr;
	struct saip_stream s;
	uint8_t pe[128];

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct pkg q;
		int rc;

		q = before_end(&p, pe, aka_pe(pe, rows[i].alg, rows[i].klen, rows[i].olen));
		rc = feed(q.b, q.n, 1020, 0, &s, &pr);
		ck_assert_msg(rc == rows[i].rc, "row %zu: %d", i, rc);
		if (rc == 0)
			saip_profile_free(pr);
		else
			ck_assert_int_eq(s.err_pe_id, 0x70);
		free(q.b);
	}
	/* a mapping to an AID no ADF of the package has (checked at the end) */
	{
		static const uint8_t mapped[] = {
			0xA4, 0x16, 0xA0, 0x03, 0x81, 0x01, 0x70, 0xA1, 0x0F, 0xA0, 0x0D,
			0x80, 0x01, 0x06, 0x81, 0x08, 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x09, 0xFF,
		};
		struct pkg q = before_end(&p, mapped, sizeof(mapped));

		ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_VALUE);
		ck_assert_int_eq(s.err_pe_id, 0x70);
		free(q.b);
	}
	/* to the USIM's: fine */
	{
		static const uint8_t mapped[] = {
			0xA4, 0x1A, 0xA0, 0x03, 0x81, 0x01, 0x70, 0xA1, 0x13, 0xA0, 0x11, 0x80, 0x01, 0x06,
			0x81, 0x0C, 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF, 0x49, 0xFF, 0x05, 0x89,
		};
		struct pkg q = before_end(&p, mapped, sizeof(mapped));

		ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), 0);
		ck_assert(pr->aka[pr->n_aka - 1].mapped);
		saip_profile_free(pr);
		free(q.b);
	}
	free(p.b);
}
END_TEST

START_TEST(unsupported_pes)
{
	struct pkg p = load(KNOWN);
	struct saip_profile *pr;
	struct saip_stream s;
	struct pkg q;
	/* PE-IoT (tag [32]) with empty ef-imsi [9] and ef-acc [18], not
	 * mandated: left out; mandated: pe-not-supported */
	static const uint8_t iot[] = {
		0xBF, 0x20, 0x11, 0xA0, 0x03, 0x81, 0x01, 0x60,
		0x81, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x11,
		0xA9, 0x00, 0xB2, 0x00,
	};
	static const uint8_t iot_mandated[] = {
		0xBF, 0x20, 0x13, 0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x60,
		0x81, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x11,
		0xA9, 0x00, 0xB2, 0x00,
	};
	/* a ProfileElement tag from a later version, [34] */
	static const uint8_t later[] = { 0xBF, 0x22, 0x00 };

	q = before_end(&p, iot, sizeof(iot));
	ck_assert_int_eq(saip_decode(q.b, q.n, &pr), 0);
	ck_assert_uint_eq(pr->n_skipped, 1);
	ck_assert_uint_eq(pr->n_pe, 31);
	saip_profile_free(pr);
	free(q.b);
	q = before_end(&p, iot_mandated, sizeof(iot_mandated));
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_UNSUPPORTED);
	ck_assert_int_eq(s.err_pe_id, 0x60);
	free(q.b);
	q = before_end(&p, later, sizeof(later));
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_PE_UNSUPPORTED);
	free(q.b);
	free(p.b);
}
END_TEST

/* A hand-made PE-MF without EF.PL and EF.UMPC. */
static const uint8_t mf_pe[] = {
		0xB0, 0x66,
		0xA0, 0x05, 0x80, 0x00, 0x81, 0x01, 0x04,		/* mf-header */
		0x81, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x01,		/* templateID 2.23.143.1.2.1 */
		0xA2, 0x0C, 0xA1, 0x0A, 0x8B, 0x03, 0x2F, 0x06, 0x01,	/* mf */
		0xC6, 0x03, 0x01, 0x0A, 0x0B,
		0xA4, 0x1B, 0xA1, 0x0D, 0x82, 0x02, 0x41, 0x21,		/* ef-iccid */
		0x83, 0x02, 0x2F, 0xE2, 0x8B, 0x03, 0x2F, 0x06, 0x03,
		0x83, 0x0A, 0x98, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x14,
		0xA5, 0x14, 0xA1, 0x12, 0x82, 0x04, 0x42, 0x21, 0x00, 0x26,	/* ef-dir */
		0x83, 0x02, 0x2F, 0x00, 0x8B, 0x03, 0x2F, 0x06, 0x02, 0x80, 0x01, 0x26,
		0xA6, 0x14, 0xA1, 0x12, 0x82, 0x04, 0x42, 0x21, 0x00, 0x10,	/* ef-arr */
		0x83, 0x02, 0x2F, 0x06, 0x8B, 0x03, 0x2F, 0x06, 0x02, 0x80, 0x01, 0x10,
};
#define MF_ICCID_FCP	(2 + 7 + 8 + 14 + 4)	/* after ef-iccid's fileID */

/* The same PE-MF with an lcsi in EF.ICCID's Fcp. */
static struct pkg mf_with_lcsi(uint8_t lcsi)
{
	struct pkg q = cat(mf_pe, MF_ICCID_FCP + 8, (const uint8_t[]){ 0x8A, 0x01, lcsi }, 3,
			   mf_pe + MF_ICCID_FCP + 8, sizeof(mf_pe) - MF_ICCID_FCP - 8);

	ck_assert_uint_eq(q.b[MF_ICCID_FCP + 4], 0x83);	/* the fileID we follow */
	q.b[1] += 3;			/* PE-MF */
	q.b[MF_ICCID_FCP - 3] += 3;	/* ef-iccid */
	q.b[MF_ICCID_FCP - 1] += 3;	/* its Fcp */
	return q;
}

/* The MF template is created by default: EF.PL and EF.UMPC exist with the
 * template's size and content. */
START_TEST(created_by_default)
{
	struct pkg p = load(KNOWN);
	size_t off[64], n = elements(&p, off, 63);
	struct pkg q = cat(p.b, off[1], mf_pe, sizeof(mf_pe), p.b + off[n - 1], p.n - off[n - 1]);
	struct saip_profile *pr;
	const struct sim_file *f;

	ck_assert_int_eq(saip_decode(q.b, q.n, &pr), 0);
	ck_assert_uint_eq(pr->n_files, 6);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2FE2));
	ck_assert_uint_eq(f->size, 10);	/* template size and SFI */
	ck_assert_uint_eq(f->sfi, 0x02);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2F05));
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f->name, "EF.PL");
	ck_assert_uint_eq(f->size, 2);
	ck_assert_uint_eq(f->sfi, 0x05);
	ck_assert_mem_eq(f->content, "\xFF\xFF", 2);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2F08));
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->size, 5);
	f = saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2F00));
	ck_assert_uint_eq(f->nb_rec, 1);
	ck_assert_uint_eq(f->rec_len, 0x26);
	ck_assert_uint_eq(saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2FE2))->lcsi, 0x05);
	saip_profile_free(pr);
	free(q.b);
	free(p.b);
}
END_TEST

/* Fcp.lcsi DEFAULT '05'H (an OPTIONAL in pe.asn): written out, not DER. */
START_TEST(explicit_hex_default_rejected)
{
	struct pkg p = load(KNOWN);
	size_t off[64], n = elements(&p, off, 63);
	struct pkg mf = mf_with_lcsi(0x07), q;
	struct saip_profile *pr;
	struct saip_stream s;

	q = cat(p.b, off[1], mf.b, mf.n, p.b + off[n - 1], p.n - off[n - 1]);
	ck_assert_int_eq(saip_decode(q.b, q.n, &pr), 0);
	ck_assert_uint_eq(saip_profile_file(pr, SAIP_PATH(0x3F00, 0x2FE2))->lcsi, 0x07);
	saip_profile_free(pr);
	free(q.b);
	free(mf.b);
	mf = mf_with_lcsi(0x05);
	q = cat(p.b, off[1], mf.b, mf.n, p.b + off[n - 1], p.n - off[n - 1]);
	ck_assert_int_eq(feed(q.b, q.n, 1020, 0, &s, &pr), -EU_E_NOT_DER);
	ck_assert_int_eq(s.err_pe_id, 4);
	free(q.b);
	free(mf.b);
	free(p.b);
}
END_TEST

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

START_TEST(dump_masks_secrets)
{
	struct pkg p = load(KNOWN);
	struct saip_profile *pr;
	char *text;

	ck_assert_int_eq(saip_decode(p.b, p.n, &pr), 0);
	text = dump(pr, false);
	ck_assert(contains(text, "ICCID:      89000123456789012341\n"));
	ck_assert(contains(text, "IMSI:       001010123456063\n"));
	ck_assert(contains(text, "usim-test-algorithm"));
	ck_assert(contains(text, "K   = ******** (use --show-keys)\n"));
	ck_assert(contains(text, "3F00/7FD0/6F07"));
	ck_assert(contains(text, "080910101032540636"));	/* EF.IMSI content */
	ck_assert(!contains(text, "000102030405060708090A0B0C0D0E0F"));
	ck_assert(!contains(text, "30303030FFFFFFFF"));		/* PIN1 */
	ck_assert(!contains(text, "3131313131313131"));		/* PUK1 */
	free(text);
	text = dump(pr, true);
	ck_assert(contains(text, "K   = 000102030405060708090A0B0C0D0E0F\n"));
	ck_assert(contains(text, "30303030FFFFFFFF"));
	ck_assert(!contains(text, "********"));
	free(text);
	saip_profile_free(pr);
	free(p.b);
}
END_TEST

START_TEST(dump_file)
{
	char *text = NULL, *dir, path[512];
	size_t len = 0;
	struct pkg p = load(KNOWN);
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(saip_dump_file(TS48_DIR "/" KNOWN, false, f), 0);
	ck_assert_int_eq(saip_dump_file(TS48_DIR "/no-such-file.der", false, f), -EU_E_IO);
	dir = t_mkdtemp();
	snprintf(path, sizeof(path), "%s/cut.der", dir);
	{
		FILE *w = fopen(path, "wb");

		ck_assert_ptr_nonnull(w);
		ck_assert_uint_eq(fwrite(p.b, 1, 5000, w), 5000);
		fclose(w);
	}
	ck_assert_int_eq(saip_dump_file(path, false, f), -EU_E_TRUNCATED);
	fclose(f);
	ck_assert(contains(text, "ICCID:      89000123456789012341\n"));
	ck_assert(contains(text, "******** (use --show-keys)"));
	ck_assert(contains(text, "cut.der: input ends inside an element"));
	free(text);
	t_rmrf(dir);
	free(p.b);
}
END_TEST

Suite *saip_suite(void)
{
	Suite *s = suite_create("saip");
	TCase *tc = tcase_create("package");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_ts48_file_decodes_the_same_in_any_segmentation);
	tcase_add_test(tc, byte_by_byte);
	tcase_add_test(tc, known_profile_values);
	tcase_add_test(tc, unique_variant_iccid);
	tcase_add_test(tc, truncated_packages_fail_at_finish);
	tcase_add_test(tc, mutated_packages_never_crash);
	tcase_add_test(tc, element_after_end);
	tcase_add_test(tc, header_first_and_only_first);
	tcase_add_test(tc, empty_package);
	tcase_add_test(tc, element_longer_than_maximum_fails_early);
	tcase_add_test(tc, identification_unique);
	tcase_add_test(tc, non_der_encodings_rejected);
	tcase_add_test(tc, unsupported_pes);
	tcase_add_test(tc, aka_the_card_cannot_run);
	tcase_add_test(tc, created_by_default);
	tcase_add_test(tc, explicit_hex_default_rejected);
	tcase_add_test(tc, dump_masks_secrets);
	tcase_add_test(tc, dump_file);
	suite_add_tcase(s, tc);
	return s;
}
