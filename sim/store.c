/* The state file and its sections (sim/store.h). */
#include "sim/store.h"
#include "sim/err.h"
#include "sim/log.h"
#include "sim/tlv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAGIC "EUSIMST1"
#define STATE_MAGIC_LEN 8
#define STATE_FORMAT 1
/* Largest state file written or read. Profile memory is capped far below
 * (sim/config.c), leaving room for metadata and notifications. */
#define STATE_MAX (64u * 1024u * 1024u)

#define STORE_PATH_MAX 4096

struct sim_store {
	char dir[STORE_PATH_MAX];
	bool persistent;
	int lock_fd;
	uint8_t eid[16];
	struct sim_store_section sec[SIM_STORE_MAX_SECTIONS];
	size_t n_sec;
	uint32_t tags;			/* all tags claimed */
	unsigned long changes;		/* sim_store_save() calls */
};

/* One element per tag, in tag order (DER wants SEQUENCE components in
 * their definition order). */
struct sim_store_out {
	uint32_t owned;			/* tags of the section writing now */
	uint8_t *el[SIM_STORE_MAX_TAGS];
	size_t len[SIM_STORE_MAX_TAGS];
};

struct sim_store_in {
	const uint8_t *el[SIM_STORE_MAX_TAGS];
	size_t len[SIM_STORE_MAX_TAGS];
	bool fresh;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EU_E_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sim_atomic_write(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char tmp[STORE_PATH_MAX + 64], dst[STORE_PATH_MAX + 64];
	int fd, dfd, rc = -EU_E_IO;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		LOG_ERR("state: cannot create %s: %s", tmp, strerror(errno));
		return -EU_E_IO;
	}
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		LOG_ERR("state: cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -EU_E_IO;
	}
	close(fd);
	if (rename(tmp, dst) < 0) {
		LOG_ERR("state: cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -EU_E_IO;
	}
	/* The rename made the new state the state: from here on the write
	 * counts as done (callers must not roll memory back). Syncing the
	 * directory makes the rename durable; if that fails we say so. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		LOG_ERR("state: warning: cannot fsync %s after the rename (%s); the change may not "
			"survive a power loss", dir, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	rc = 0;
	return rc;
}

/* ---- sections -------------------------------------------------------------- */

int sim_store_put(struct sim_store_out *out, unsigned tag, const uint8_t *der, size_t len)
{
	struct tlv t;
	uint8_t *copy;

	/* A section writes only its own tags, each once, as one element
	 * with that context tag. */
	if (tag >= SIM_STORE_MAX_TAGS || !(out->owned & (1u << tag)) || out->el[tag] ||
	    tlv_parse_exact(der, len, &t) < 0 || (t.tag & ~0x20u) != (0x80u | tag))
		return -EU_E_PARAM;
	copy = malloc(len);
	if (!copy)
		return -EU_E_NOMEM;
	memcpy(copy, der, len);
	out->el[tag] = copy;
	out->len[tag] = len;
	return 0;
}

int sim_store_put_asn1(struct sim_store_out *out, unsigned tag, asn1_node node)
{
	uint8_t *der = NULL;
	size_t len = 0;
	int rc = sim_asn1_encode(node, &der, &len);

	if (rc == 0)
		rc = sim_store_put(out, tag, der, len);
	if (der)
		OPENSSL_cleanse(der, len);
	free(der);
	return rc;
}

int sim_store_get_asn1(const struct sim_store_in *in, unsigned tag, const char *type, asn1_node *node)
{
	const uint8_t *der;
	size_t len;

	*node = NULL;
	TRY(sim_store_get(in, tag, &der, &len));
	return sim_asn1_decode(type, der, len, node) < 0 ? -EU_E_CORRUPT : 0;
}

int sim_store_get(const struct sim_store_in *in, unsigned tag, const uint8_t **der, size_t *len)
{
	if (tag >= SIM_STORE_MAX_TAGS || !in->el[tag])
		return -EU_E_NOT_FOUND;
	*der = in->el[tag];
	*len = in->len[tag];
	return 0;
}

bool sim_store_fresh(const struct sim_store_in *in)
{
	return in->fresh;
}

int sim_store_add_section(struct sim_store *s, const struct sim_store_section *sec)
{
	if (s->n_sec == SIM_STORE_MAX_SECTIONS || !sec->tags || (s->tags & sec->tags) ||
	    (sec->tags >> (SIM_STORE_MAX_TAGS - 1)) > 1)
		return -EU_E_PARAM;
	s->sec[s->n_sec++] = *sec;
	s->tags |= sec->tags;
	return 0;
}

static void out_clear(struct sim_store_out *out)
{
	for (size_t i = 0; i < SIM_STORE_MAX_TAGS; i++) {
		if (out->el[i])
			OPENSSL_cleanse(out->el[i], out->len[i]);	/* profiles hold keys */
		free(out->el[i]);
	}
	memset(out, 0, sizeof(*out));
}

/* magic ‖ SEQUENCE { INTEGER formatVersion, OCTET STRING eid, [n]... } ‖
 * SHA-256 over magic and DER. */
static int encode_state(struct sim_store *s, uint8_t **file, size_t *file_len)
{
	struct sim_store_out out = { 0 };
	static const uint8_t format[] = { 0x02, 0x01, STATE_FORMAT };
	size_t body = sizeof(format) + 2 + sizeof(s->eid), n, hdr;
	uint8_t *p;
	int rc = 0;

	for (size_t i = 0; i < s->n_sec && rc == 0; i++) {
		out.owned = s->sec[i].tags;
		rc = s->sec[i].save(s->sec[i].arg, &out);
	}
	for (size_t i = 0; i < SIM_STORE_MAX_TAGS && rc == 0; i++)
		body += out.len[i];
	if (rc == 0 && body > STATE_MAX)
		rc = -EU_E_TOO_LONG;
	if (rc < 0)
		goto out;
	hdr = tlv_put_header(NULL, 0, 0x30, body);
	n = STATE_MAGIC_LEN + hdr + body + SHA256_DIGEST_LENGTH;
	p = malloc(n);
	if (!p) {
		rc = -EU_E_NOMEM;
		goto out;
	}
	*file = p;
	*file_len = n;
	memcpy(p, STATE_MAGIC, STATE_MAGIC_LEN);
	p += STATE_MAGIC_LEN;
	p += tlv_put_header(p, hdr, 0x30, body);
	memcpy(p, format, sizeof(format));
	p += sizeof(format);
	*p++ = 0x04;
	*p++ = sizeof(s->eid);
	memcpy(p, s->eid, sizeof(s->eid));
	p += sizeof(s->eid);
	for (size_t i = 0; i < SIM_STORE_MAX_TAGS; i++) {
		if (out.el[i]) {
			memcpy(p, out.el[i], out.len[i]);
			p += out.len[i];
		}
	}
	SHA256(*file, n - SHA256_DIGEST_LENGTH, p);
out:
	out_clear(&out);
	return rc;
}

/* Test hook: EUICC_SIM_TEST_DIE_AFTER_SAVE=N makes the process kill itself
 * (SIGKILL, as kill -9) right after its N-th state write, before the
 * command that made it answers. The integration test uses it to show that
 * what a command stored holds even when its answer never left the card
 * (an AUTN accepted once is refused after the restart). */
static void test_die_after_save(void)
{
	static long count, at = -1;

	if (at < 0) {
		const char *e = getenv("EUICC_SIM_TEST_DIE_AFTER_SAVE");

		at = e ? strtol(e, NULL, 10) : 0;
	}
	if (at > 0 && ++count == at) {
		LOG_ERR("state: test hook EUICC_SIM_TEST_DIE_AFTER_SAVE=%ld: killed after that write", at);
		kill(getpid(), SIGKILL);
	}
}

int sim_store_save(struct sim_store *s)
{
	uint8_t *file = NULL;
	size_t len = 0;
	int rc;

	s->changes++;
	if (!s->persistent)
		return 0;
	rc = encode_state(s, &file, &len);
	if (rc == -EU_E_TOO_LONG)
		LOG_ERR("state: the state would exceed the %u-byte limit; change refused", STATE_MAX);
	if (rc == 0)
		rc = sim_atomic_write(s->dir, SIM_STATE_FILE, file, len);
	if (file)
		OPENSSL_cleanse(file, len);	/* holds every profile package (keys) */
	free(file);
	if (rc == 0)
		test_die_after_save();
	return rc;
}

static int load_sections(struct sim_store *s, const struct sim_store_in *in)
{
	for (size_t i = 0; i < s->n_sec; i++) {
		int rc = s->sec[i].load(s->sec[i].arg, in);

		if (rc < 0) {
			LOG_ERR("state: the %s in the state file do not load (%s)", s->sec[i].name, eu_strerror(rc));
			return rc;
		}
	}
	return 0;
}

/* Split the frame into its elements; the sections check their own. */
static int parse_frame(const struct sim_store *s, const uint8_t *der, size_t len, struct sim_store_in *in,
		       const char *path)
{
	struct tlv seq, t;
	struct tlv_iter it;
	int rc, next = 0;

	if (tlv_check_der(der, len, 32) < 0 || tlv_parse_exact(der, len, &seq) < 0 || seq.tag != 0x30)
		goto layout;
	tlv_iter_init(&it, &seq);
	if (tlv_iter_next(&it, &t) <= 0 || t.tag != 0x02 || t.len != 1 || t.val[0] != STATE_FORMAT) {
		LOG_ERR("state: %s has an unknown format version; refusing to start.", path);
		return -EU_E_CORRUPT;
	}
	if (tlv_iter_next(&it, &t) <= 0 || t.tag != 0x04 || t.len != sizeof(s->eid))
		goto layout;
	if (memcmp(t.val, s->eid, sizeof(s->eid))) {
		LOG_ERR("state: %s belongs to another card (other EID); use a separate --state "
			"directory for each card.", path);
		return -EU_E_FOREIGN;
	}
	while ((rc = tlv_iter_next(&it, &t)) > 0) {
		unsigned tag = t.tag & ~0x20u;

		/* [n] context tags, each once, in order, each claimed */
		if ((tag & 0xE0) != 0x80 || tag - 0x80 >= SIM_STORE_MAX_TAGS || (int)(tag - 0x80) < next ||
		    !(s->tags & (1u << (tag - 0x80))))
			goto layout;
		tag -= 0x80;
		in->el[tag] = t.raw;
		in->len[tag] = t.raw_len;
		next = (int)tag + 1;
	}
	if (rc == 0)
		return 0;
layout:
	LOG_ERR("state: %s has an unknown layout; refusing to start.", path);
	return -EU_E_CORRUPT;
}

static int load(struct sim_store *s, const uint8_t *buf, size_t len, const char *path)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	struct sim_store_in in = { 0 };

	if (len < STATE_MAGIC_LEN + SHA256_DIGEST_LENGTH || memcmp(buf, STATE_MAGIC, STATE_MAGIC_LEN)) {
		LOG_ERR("state: %s is not a euicc-sim state file; refusing to touch it. "
			"Point --state at an empty or euicc-sim directory.", path);
		return -EU_E_FOREIGN;
	}
	SHA256(buf, len - SHA256_DIGEST_LENGTH, digest);
	if (CRYPTO_memcmp(digest, buf + len - SHA256_DIGEST_LENGTH, sizeof(digest))) {
		LOG_ERR("state: %s is corrupt (checksum mismatch); refusing to start. "
			"Move it away to start this card fresh.", path);
		return -EU_E_CORRUPT;
	}
	TRY(parse_frame(s, buf + STATE_MAGIC_LEN, len - STATE_MAGIC_LEN - SHA256_DIGEST_LENGTH, &in, path));
	if (load_sections(s, &in) < 0) {
		LOG_ERR("state: %s: refusing to start.", path);
		return -EU_E_CORRUPT;
	}
	return 0;
}

static int read_state_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *p;
	size_t n;

	if (!f)
		return errno == ENOENT ? -EU_E_NOT_FOUND : -EU_E_IO;
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > STATE_MAX) {
		fclose(f);
		LOG_ERR("state: %s is larger than %u bytes; not a euicc-sim state file?", path, STATE_MAX);
		return -EU_E_TOO_LONG;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		fclose(f);
		return -EU_E_NOMEM;
	}
	n = fread(p, 1, (size_t)st.st_size + 1, f);
	fclose(f);
	if (n > (size_t)st.st_size) {
		free(p);
		LOG_ERR("state: %s changed while being read", path);
		return -EU_E_IO;
	}
	*buf = p;
	*len = n;
	return 0;
}

int sim_store_open(const char *dir, const uint8_t eid[16], struct sim_store **out)
{
	struct sim_store *s = calloc(1, sizeof(*s));
	char path[STORE_PATH_MAX + 64];
	int rc;

	if (!s)
		return -EU_E_NOMEM;
	s->lock_fd = -1;
	memcpy(s->eid, eid, sizeof(s->eid));
	if (!dir || !dir[0]) {
		*out = s;
		return 0;
	}
	if (strlen(dir) >= sizeof(s->dir)) {
		rc = -EU_E_TOO_LONG;
		goto fail;
	}
	s->persistent = true;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (mkdir(s->dir, 0700) < 0 && errno != EEXIST) {
		LOG_ERR("state: cannot create %s: %s", s->dir, strerror(errno));
		rc = -EU_E_IO;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/lock", s->dir);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0 || flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		LOG_ERR("state: %s is in use by another euicc-sim; give each card its own --state",
			s->dir);
		rc = -EU_E_BUSY;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sim_store_close(s);
	return rc;
}

int sim_store_load(struct sim_store *s)
{
	struct sim_store_in fresh = { .fresh = true };
	char path[STORE_PATH_MAX + 64];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (!s->persistent)
		return load_sections(s, &fresh);
	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_STATE_FILE);
	rc = read_state_file(path, &buf, &len);
	if (rc == -EU_E_NOT_FOUND) {
		/* a new card */
		rc = load_sections(s, &fresh);
		if (rc == 0)
			rc = sim_store_save(s);
	} else if (rc == 0) {
		rc = load(s, buf, len, path);
	} else {
		LOG_ERR("state: cannot read %s", path);
	}
	if (buf)
		OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

int sim_store_load_buffer(struct sim_store *s, const uint8_t *buf, size_t len)
{
	return load(s, buf, len, "the state image");
}

int sim_store_image(struct sim_store *s, uint8_t **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return encode_state(s, buf, len);
}

unsigned long sim_store_changes(const struct sim_store *s)
{
	return s->changes;
}

void sim_store_close(struct sim_store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
}
