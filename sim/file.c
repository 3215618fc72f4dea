/* Lookups over the files a file system source hands out. */
#include "sim/file.h"

#include <string.h>

const struct sim_file *sim_files(const struct sim_fs_source *src, size_t *n)
{
	const struct sim_file *f = src->files(src->arg, n);

	if (!f)
		*n = 0;
	return f;
}

const struct sim_file *sim_file_lookup(const struct sim_fs_source *src, const uint16_t *path, uint8_t depth,
				       uint16_t fid)
{
	size_t n;
	const struct sim_file *f = sim_files(src, &n);

	for (size_t i = 0; i < n; i++)
		if (f[i].fid == fid && f[i].depth == depth && !memcmp(f[i].path, path, depth * sizeof(*path)))
			return &f[i];
	return NULL;
}
