// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: depmod's incremental cache file (lib/depmod-cache.c). Input:
 *
 *   byte 0  flags: bit 0 set: before use, the header's payload length and checksum
 *           are recomputed over the rest, so the fuzzer reaches the entry checks that
 *           sit behind the checksum; clear: the file is used as it is
 *   rest    the cache file (modules.lkm-cache)
 *
 * The file is loaded as depmod loads it; every record it accepted is then taken for
 * a module whose key matches, as a scan does, and each of the record's arrays and
 * strings is checked to lie inside the file. Those modules are saved to a second
 * cache, which must load again with every record.
 *
 * Oracle: no crash, no sanitizer report; loading only fails on -ENOMEM (a bad file is
 * a warning); a record that was accepted is safe to use; save and load round-trip.
 */
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "depmod-internal.h"

#define HDR_LEN 40

static char path_in[600], path_out[600];
static unsigned warnings;

static void log_fn(void *data, enum lkm_depmod_level level, const char *msg)
{
	(void)data;
	(void)level;
	if (!msg[0])
		abort();
	warnings++;
}

static void setup(void)
{
	const char *dir = fuzz_scratch_dir();

	snprintf(path_in, sizeof(path_in), "%s/in.lkm-cache", dir);
	snprintf(path_out, sizeof(path_out), "%s/out.lkm-cache", dir);
}

static void inside(const struct depmod_cache *c, const void *p, size_t len)
{
	const char *b = p;

	if (b < c->buf || b > c->buf + c->len || len > (size_t)(c->buf + c->len - b))
		abort();
}

static struct dm_mod *module_for(const char *path, const char *entry)
{
	struct dm_mod *m = calloc(1, sizeof(*m) + 1);

	if (!m || !(m->path = strdup(path)))
		abort();
	/* The entry opens with its key: u64 ino, u64 size, s64 mtime_ns, s64 ctime_ns. */
	memcpy(&m->key.ino, entry, 8);
	memcpy(&m->key.size, entry + 8, 8);
	memcpy(&m->key.mtime_ns, entry + 16, 8);
	memcpy(&m->key.ctime_ns, entry + 24, 8);
	m->have_key = true;
	return m;
}

static void check_info(const struct depmod_cache *c, const struct dm_info *in)
{
	size_t n_str = (size_t)in->n_exp + in->n_imp + in->n_alias + in->n_soft + in->n_weak;
	size_t i;

	inside(c, in->crc, 8 * ((size_t)in->n_exp + in->n_imp));
	inside(c, in->off, 4 * n_str);
	inside(c, in->weak, in->n_imp);
	inside(c, in->blob, in->blob_len);
	for (i = 0; i < n_str; i++)
		if (in->off[i] >= in->blob_len ||
		    !memchr(DM_STR(in, i), '\0', in->blob_len - in->off[i]))
			abort();
	for (i = 0; i < in->n_imp; i++)
		if (in->weak[i] > 1)
			abort();
}

static size_t load(struct lkm_depmod *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->cfg.cache = path;
	d->cfg.log = log_fn;
	if (depmod_cache_load(d) < 0)
		abort();
	return d->cache.n_entries;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lkm_depmod d, again;
	struct dm_mod **mods;
	size_t n = 0, i, loaded;
	uint8_t *file;

	if (!path_in[0])
		setup();
	if (size < 1)
		return -1;
	file = malloc(size);
	if (!file)
		return 0;
	memcpy(file, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= HDR_LEN) {
		uint64_t payload = size - 1 - HDR_LEN,
			 sum = depmod_cache_checksum((const char *)file + HDR_LEN, payload);

		memcpy(file + 16, &payload, 8);
		memcpy(file + 24, &sum, 8);
	}
	fuzz_write_file(path_in, file, size - 1);
	free(file);

	warnings = 0;
	loaded = load(&d, path_in);
	mods = calloc(loaded ? loaded : 1, sizeof(*mods));
	if (!mods)
		abort();
	for (i = 0; i < d.cache.by_path.cap; i++) {
		const struct smap_ent *e = &d.cache.by_path.ent[i];
		struct dm_mod *m;

		if (!e->key)
			continue;
		if (n == loaded)
			abort(); /* more records indexed than counted */
		inside(&d.cache, e->key, strlen(e->key) + 1);
		m = module_for(e->key, e->val);
		if (!depmod_cache_fill(&d, m))
			abort(); /* the key is the record's own: it must be used */
		check_info(&d.cache, &m->info);
		mods[n++] = m;
	}
	if (n != loaded)
		abort();

	/* Save what was taken, as depmod does after a run; it must load back whole. */
	d.mods = mods;
	d.n_mods = n;
	d.n_cached = n;
	d.scan_start_ns = INT64_MAX;
	d.racy_ns = 0;
	d.cfg.cache = path_out;
	if (n && depmod_cache_save(&d) == 0) {
		size_t saved = 0;

		for (i = 0; i < n; i++)
			saved += mods[i]->key.ctime_ns < INT64_MAX &&
				 strlen(mods[i]->path) < PATH_MAX;
		warnings = 0;
		if (load(&again, path_out) != saved || warnings)
			abort();
		depmod_cache_release(&again.cache);
		unlink(path_out);
	}
	for (i = 0; i < n; i++) {
		free(mods[i]->path);
		free(mods[i]);
	}
	free(mods);
	depmod_cache_release(&d.cache);
	return 0;
}
