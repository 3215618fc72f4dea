/* State file: "EUSIMST1" magic, the DER of EuiccSimState.CardState
 * (sim/state.asn), and a SHA-256 over magic and DER. */
#include "sim/store.h"
#include "sim/asn1.h"
#include "sim/card_priv.h"
#include "sim/config.h"
#include "ecasd/ecasd.h"
#include "isdp/isdp.h"
#include "isdr/notif.h"
#include "sim/err.h"
#include "sim/log.h"

#include <errno.h>
#include <fcntl.h>
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

struct sim_store {
	char dir[SIM_PATH_MAX];
	bool persistent;
	int lock_fd;
	uint8_t eid[16];
	char default_dp[SIM_ADDR_MAX + 1];
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
	char tmp[SIM_PATH_MAX + 64], dst[SIM_PATH_MAX + 64];
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

static int encode_state(struct sim_card *card, const struct sim_store *s, const char *default_dp,
			uint8_t **out, size_t *len)
{
	asn1_node node = NULL;
	uint8_t *der = NULL, *file = NULL;
	size_t der_len = 0;
	int rc;

	rc = sim_asn1_new("EuiccSimState.CardState", &node);
	if (rc < 0)
		goto out;
	if ((rc = sim_asn1_write_uint(node, "formatVersion", STATE_FORMAT)) < 0 ||
	    (rc = sim_asn1_write(node, "eid", s->eid, sizeof(s->eid))) < 0)
		goto out;
	if (*default_dp)
		rc = sim_asn1_write(node, "defaultDpAddress", default_dp, strlen(default_dp));
	else
		rc = sim_asn1_write(node, "defaultDpAddress", NULL, 0);
	if (rc < 0)
		goto out;
	if ((rc = isdp_state_write(card, node)) < 0 || (rc = notif_state_write(card, node)) < 0)
		goto out;
	rc = sim_asn1_encode(node, &der, &der_len);
	if (rc < 0)
		goto out;
	file = malloc(STATE_MAGIC_LEN + der_len + SHA256_DIGEST_LENGTH);
	if (!file) {
		rc = -EU_E_NOMEM;
		goto out;
	}
	memcpy(file, STATE_MAGIC, STATE_MAGIC_LEN);
	memcpy(file + STATE_MAGIC_LEN, der, der_len);
	SHA256(file, STATE_MAGIC_LEN + der_len, file + STATE_MAGIC_LEN + der_len);
	*out = file;
	*len = STATE_MAGIC_LEN + der_len + SHA256_DIGEST_LENGTH;
	rc = 0;
out:
	if (der)
		OPENSSL_cleanse(der, der_len);
	free(der);
	asn1_delete_structure2(&node, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
}

static int save(struct sim_card *card, struct sim_store *s, const char *default_dp)
{
	uint8_t *buf = NULL;
	size_t len;
	int rc;

	if (!s->persistent)
		return 0;
	TRY(encode_state(card, s, default_dp, &buf, &len));
	if (len > STATE_MAX) {
		LOG_ERR("state: %zu bytes would exceed the %u-byte limit; change refused", len, STATE_MAX);
		rc = -EU_E_NOMEM;
	} else {
		rc = sim_atomic_write(s->dir, SIM_STATE_FILE, buf, len);
	}
	/* The encoding holds every profile package (keys). */
	OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

int sim_store_save(struct sim_card *card)
{
	struct sim_store *s = card->store;

	return save(card, s, s->default_dp);
}

static int load(struct sim_card *card, struct sim_store *s, const uint8_t *buf, size_t len,
		const char *path)
{
	uint8_t digest[SHA256_DIGEST_LENGTH], eid[16];
	asn1_node node = NULL;
	unsigned long fmt;
	size_t n;
	int rc;

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
	rc = sim_asn1_decode("EuiccSimState.CardState", buf + STATE_MAGIC_LEN,
			     len - STATE_MAGIC_LEN - SHA256_DIGEST_LENGTH, &node);
	if (rc < 0 || sim_asn1_read_uint(node, "formatVersion", &fmt) < 0 || fmt != STATE_FORMAT ||
	    sim_asn1_read(node, "eid", eid, sizeof(eid), &n) < 0 || n != sizeof(eid)) {
		LOG_ERR("state: %s has an unknown layout (format %lu); refusing to start.", path,
			rc < 0 ? 0ul : fmt);
		rc = -EU_E_CORRUPT;
		goto out;
	}
	if (memcmp(eid, s->eid, sizeof(eid))) {
		LOG_ERR("state: %s belongs to another card (other EID); use a separate --state "
			"directory for each card.", path);
		rc = -EU_E_FOREIGN;
		goto out;
	}
	rc = sim_asn1_read(node, "defaultDpAddress", (uint8_t *)s->default_dp, SIM_ADDR_MAX, &n);
	if (rc == -EU_E_NOT_FOUND) {
		s->default_dp[0] = 0;
		rc = 0;
	} else if (rc == 0) {
		s->default_dp[n] = 0;
	} else {
		rc = -EU_E_CORRUPT;
	}
	if (rc == 0 && ((rc = isdp_state_read(card, node)) < 0 || (rc = notif_state_read(card, node)) < 0)) {
		LOG_ERR("state: %s: stored profiles or notifications do not decode (%s); refusing to start.",
			path, eu_strerror(rc));
		rc = -EU_E_CORRUPT;
	}
out:
	asn1_delete_structure2(&node, ASN1_DELETE_FLAG_ZEROIZE);
	return rc;
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

int sim_store_open(struct sim_card *card, struct sim_store **out)
{
	const struct sim_config *cfg = card->cfg;
	const uint8_t *eid = ecasd_eid(card->ecasd);
	struct sim_store *s = calloc(1, sizeof(*s));
	char path[SIM_PATH_MAX + 64];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (!s)
		return -EU_E_NOMEM;
	s->lock_fd = -1;
	memcpy(s->eid, eid, sizeof(s->eid));
	snprintf(s->default_dp, sizeof(s->default_dp), "%s", cfg->default_dp_address);
	if (!cfg->state_dir[0]) {
		*out = s;
		return 0;
	}
	s->persistent = true;
	snprintf(s->dir, sizeof(s->dir), "%s", cfg->state_dir);
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
	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_STATE_FILE);
	rc = read_state_file(path, &buf, &len);
	if (rc == -EU_E_NOT_FOUND) {
		rc = save(card, s, s->default_dp);	/* a new card */
	} else if (rc == 0) {
		rc = load(card, s, buf, len, path);
	} else {
		LOG_ERR("state: cannot read %s", path);
	}
	if (buf)
		OPENSSL_cleanse(buf, len);
	free(buf);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	sim_store_close(s);
	return rc;
}

void sim_store_close(struct sim_store *s)
{
	if (!s)
		return;
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
}

const char *sim_store_default_dp(const struct sim_store *s)
{
	return s->default_dp;
}

int sim_store_set_default_dp(struct sim_card *card, const char *addr)
{
	struct sim_store *s = card->store;

	if (strlen(addr) > SIM_ADDR_MAX)
		return -EU_E_TOO_LONG;
	TRY(save(card, s, addr));
	snprintf(s->default_dp, sizeof(s->default_dp), "%s", addr);
	return 0;
}
