/* Human-readable dump of a decoded profile package (euicc-sim dump). */
#include "profiles/saip.h"
#include "sim/err.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MASK		"******** (use --show-keys)"
#define CONTENT_SHOWN	16	/* bytes of each file's content printed */

static void hex(FILE *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%02X", b[i]);
}

static void secret(FILE *out, const char *label, const uint8_t *b, size_t n, bool show)
{
	fprintf(out, "%s", label);
	if (show)
		hex(out, b, n);
	else
		fputs(MASK, out);
	fputc('\n', out);
}

static void aid(FILE *out, const struct sim_aid *a)
{
	hex(out, a->b, a->len);
}

static void text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 0x20 && *s < 0x7F ? *s : '?', out);
}

static void path(FILE *out, const struct sim_file *f)
{
	int w = 0;

	for (size_t i = 0; i < f->depth; i++)
		w += fprintf(out, "%04X/", f->path[i]);
	w += fprintf(out, "%04X", f->fid);
	fprintf(out, "%*s", w < 24 ? 24 - w : 1, "");
}

/* EF.ICCID holds the ICCID nibble-swapped (TS 102 221 §13.2). */
static void ef_iccid(FILE *out, const struct saip_profile *p, const char *header)
{
	const struct sim_file *f = saip_profile_file(p, SAIP_PATH(SAIP_MF_FID, SAIP_FID_ICCID));
	char d[21];
	size_t n = 0;

	if (!f || f->content_len < 10)
		return;
	for (size_t i = 0; i < 20; i++) {
		unsigned v = (f->content[i / 2] >> (i & 1 ? 4 : 0)) & 0xF;

		if (v > 9)
			break;
		d[n++] = (char)('0' + v);
	}
	d[n] = 0;
	fprintf(out, "EF.ICCID:   %s%s\n", d, strcmp(d, header) ? " (differs from the header)" : "");
}

static void files(FILE *out, const struct saip_profile *p)
{
	fprintf(out, "Files: %zu, %zu bytes of content\n", p->n_files, p->fs_bytes);
	for (size_t i = 0; i < p->n_files; i++) {
		const struct sim_file *f = &p->files[i];

		fputs("  ", out);
		path(out, f);
		fprintf(out, "%-16s %-3s", f->name ? f->name : "-", saip_ftype_name(f->type));
		if (f->type == SIM_FT_ADF) {
			fputs(" AID ", out);
			aid(out, &f->aid);
		}
		if (f->type == SIM_FT_MF || f->type == SIM_FT_DF || f->type == SIM_FT_ADF) {
			fputc('\n', out);
			continue;
		}
		if (f->link_len) {
			fputs(" link to ", out);
			hex(out, f->link, f->link_len);
			fputc('\n', out);
			continue;
		}
		if (!f->size_known)
			fprintf(out, " size ?");
		else if (f->nb_rec)
			fprintf(out, " %u x %u", f->nb_rec, f->rec_len);
		else
			fprintf(out, " %u", (unsigned)f->size);
		if (f->sfi)
			fprintf(out, " SFI %02X", f->sfi);
		if (f->content_len) {
			size_t n = f->content_len < CONTENT_SHOWN ? f->content_len : CONTENT_SHOWN;

			fputs(": ", out);
			hex(out, f->content, n);
			if (n < f->content_len)
				fputs("...", out);
		}
		fputc('\n', out);
	}
}

static void aka(FILE *out, const struct saip_aka *a, bool show)
{
	fprintf(out, "AKA (PE %u, ADF %04X): ", a->pe_id, a->adf);
	if (a->mapped) {
		fprintf(out, "mapped from ");
		aid(out, &a->mapping_source);
		fprintf(out, ", options %02X\n", a->mapping_options);
		return;
	}
	fprintf(out, "%s, options %02X\n", saip_algorithm_name(a->algorithm_id), a->algorithm_options);
	secret(out, "  K   = ", a->k, a->k_len, show);
	secret(out, "  OPc = ", a->opc, a->opc_len, show);
	if (a->sqn_given) {
		fprintf(out, "  sqn options %02X, delta ", a->sqn_options);
		hex(out, a->sqn_delta, 6);
		fputs(", age limit ", out);
		hex(out, a->sqn_age_limit, 6);
		fputc('\n', out);
	} else {
		fputs("  sqn parameters: defaults\n", out);
	}
}

static void security(FILE *out, const struct saip_profile *p, bool show)
{
	for (size_t i = 0; i < p->n_puks; i++) {
		const struct saip_puk *k = &p->puks[i];
		char label[64];

		snprintf(label, sizeof(label), "PUK %02X: attempts %u/%u, value ", k->key_ref,
			 k->retries_left, k->max_attempts);
		secret(out, label, k->value, sizeof(k->value), show);
	}
	for (size_t i = 0; i < p->n_pins; i++) {
		const struct saip_pin *k = &p->pins[i];
		char label[96];

		snprintf(label, sizeof(label), "PIN %02X (DF %04X): PUK %02X, attributes %02X, attempts %u/%u, value ",
			 k->key_ref, k->df, k->puk_ref, k->attributes, k->retries_left, k->max_attempts);
		secret(out, label, k->value, sizeof(k->value), show);
	}
	if (p->n_pin_shared)
		fprintf(out, "PINs shared with another DF: %zu\n", p->n_pin_shared);
	for (size_t i = 0; i < p->n_sds; i++) {
		const struct saip_sd *sd = &p->sds[i];

		fputs("Security domain ", out);
		aid(out, &sd->aid);
		fputs(": class ", out);
		aid(out, &sd->class_aid);
		fputs(", privileges ", out);
		hex(out, sd->privileges, sd->privileges_len);
		fprintf(out, ", life cycle %02X, %zu keys\n", sd->lifecycle, sd->n_keys);
		for (size_t j = 0; j < sd->n_keys; j++) {
			const struct saip_key *k = &sd->keys[j];
			char label[96];

			snprintf(label, sizeof(label), "  key KVN %02X KID %02X usage %02X type %02X: ",
				 k->kvn, k->kid, k->usage[0], k->type);
			secret(out, label, k->data, k->data_len, show);
		}
	}
	for (size_t i = 0; i < p->n_rfms; i++) {
		const struct saip_rfm *r = &p->rfms[i];

		fputs("RFM ", out);
		aid(out, &r->aid);
		fprintf(out, ": MSL %02X, TAR", r->min_security_level);
		for (size_t j = 0; j < r->n_tar && j < SAIP_MAX_TARS; j++) {
			fputc(' ', out);
			hex(out, r->tar[j], 3);
		}
		if (r->adf.len) {
			fputs(", ADF ", out);
			aid(out, &r->adf);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_apps; i++) {
		const struct saip_app *a = &p->apps[i];

		fputs("Application", out);
		if (a->has_load_block) {
			fputs(" package ", out);
			aid(out, &a->package_aid);
			fprintf(out, " (%zu bytes)", a->load_block_len);
		}
		for (size_t j = 0; j < a->n_instances; j++) {
			fputs(" instance ", out);
			aid(out, &a->instances[j]);
		}
		fputc('\n', out);
	}
}

int saip_dump(const struct saip_profile *p, bool show_secrets, FILE *out)
{
	char iccid[21], imsi[17];
	int rc;

	fprintf(out, "Package:    %zu bytes, %zu PEs", p->package_len, p->n_pe);
	if (p->n_skipped)
		fprintf(out, " (%zu not modelled)", p->n_skipped);
	fprintf(out, "\nVersion:    %u.%u\nType:       ", p->major_version, p->minor_version);
	text(out, p->profile_type);
	TRY(saip_profile_iccid(p, iccid, sizeof(iccid)));
	fprintf(out, "\nICCID:      %s\n", iccid);
	ef_iccid(out, p, iccid);
	rc = saip_profile_imsi(p, imsi, sizeof(imsi));
	fprintf(out, "IMSI:       %s\n", rc >= 0 ? imsi : "-");
	fputs("Services:  ", out);
	for (unsigned i = 0; i < SAIP_N_SERVICES; i++)
		if (p->mandatory_services & (1u << i))
			fprintf(out, " %s", saip_service_name(i));
	fprintf(out, "\nGFSTEs:     %zu mandatory; mandatory AIDs: %zu\n", p->n_gfste, p->n_mandatory_aids);
	if (p->n_cdma || p->n_nonstandard)
		fprintf(out, "CDMA parameters: %zu, non-standard PEs: %zu\n", p->n_cdma, p->n_nonstandard);
	for (size_t i = 0; i < p->n_aka; i++)
		aka(out, &p->aka[i], show_secrets);
	security(out, p, show_secrets);
	files(out, p);
	return ferror(out) ? -EU_E_IO : 0;
}

int saip_dump_file(const char *path, bool show_secrets, FILE *out)
{
	struct saip_profile *p = NULL;
	struct saip_stream s;
	uint8_t *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc;

	if ((rc = saip_stream_init(&s)) < 0) {
		saip_stream_abort(&s);
		return rc;
	}
	rc = -EU_E_IO;
	f = fopen(path, "rb");
	if (!f)
		goto out;
	rc = -EU_E_NOMEM;
	buf = malloc(SAIP_MAX_PACKAGE + 1);
	if (!buf)
		goto out;
	len = fread(buf, 1, SAIP_MAX_PACKAGE + 1, f);
	rc = -EU_E_IO;
	if (ferror(f))
		goto out;
	rc = -EU_E_TOO_LONG;
	if (len > SAIP_MAX_PACKAGE)
		goto out;
	rc = saip_stream_feed(&s, buf, len);
	if (rc == 0)
		rc = saip_stream_finish(&s, &p);
	if (rc < 0) {
		fprintf(out, "%s: %s, in the element at byte %zu", path, eu_strerror(rc), s.err_offset);
		if (s.err_pe_id >= 0)
			fprintf(out, " (PE identification %ld)", s.err_pe_id);
		fputc('\n', out);
		goto out;
	}
	rc = saip_dump(p, show_secrets, out);
out:
	saip_stream_abort(&s);
	saip_profile_free(p);
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	if (f)
		fclose(f);
	return rc;
}
