// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The depmod engine's steps, in order: the kernel's symbols and, after the modules are
 * found (depmod-find.c), put in order (here) and read (depmod-scan.c, in parallel or
 * from depmod-cache.c), the dependencies (depmod-graph.c); then kmod's indexes
 * (depmod-write.c). All of them log through depmod-log.c and keep names in depmod-map.c.
 *
 * The answers must be kmod's, line for line, so three orders are kmod's own:
 *  - the module order: modules.order first, then the rest in the iteration order of
 *    kmod's name hash (SuperFastHash modulo 512, then strcmp within a bucket);
 *  - the dependency order: a topological sort that pops the last root first and
 *    visits each module's direct dependencies in the order their first symbol
 *    appears in its symbol table; a module's dependency list is sorted by that rank;
 *  - the owner of a symbol exported twice: the later module in module order.
 * Nothing depends on readdir order or on thread timing: directories are read sorted
 * and each worker writes only into its own module's slot.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod-internal.h"

/* ---- module order ---- */

static int kmod_hash_cmp(const void *pa, const void *pb)
{
	const struct dm_mod *a = *(struct dm_mod *const *)pa, *b = *(struct dm_mod *const *)pb;
	uint32_t ha = depmod_hash(a->name) & 511, hb = depmod_hash(b->name) & 511;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int order_cmp(const void *pa, const void *pb)
{
	const struct dm_mod *a = *(struct dm_mod *const *)pa, *b = *(struct dm_mod *const *)pb;

	if (a->sort_idx != b->sort_idx)
		return a->sort_idx < b->sort_idx ? -1 : 1;
	return a->hash_pos < b->hash_pos ? -1 : a->hash_pos > b->hash_pos;
}

/* modules.order lines rank first; a last line without '\n' cancels the sort (kmod). */
static void apply_modules_order(struct lkm_depmod *d)
{
	struct smap by_rel = { 0 };
	char *text = NULL, *p, *nl;
	size_t len, i;
	char path[PATH_MAX + 32];
	int rank = 0;

	snprintf(path, sizeof(path), "%s/modules.order", d->dirname);
	rank = lkm_read_file(path, (size_t)64 << 20, &text, &len);
	if (rank < 0) {
		depmod_log(d, LKM_DEPMOD_WARNING, "could not open modules.order at %s: %s",
			   d->dirname, strerror(-rank));
		return;
	}
	for (i = 0; i < d->n_mods; i++)
		if (d->mods[i]->uncrelpath &&
		    smap_put(&by_rel, d->mods[i]->uncrelpath, d->mods[i], NULL) < 0)
			goto out;
	for (p = text; p < text + len; p = nl + 1) {
		struct dm_mod *m;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl) {
			depmod_log(d, LKM_DEPMOD_ERROR, "%s:%d corrupted line misses '\\n'", path,
			     rank + 1);
			goto out;
		}
		*nl = '\0';
		m = smap_get(&by_rel, p);
		if (m && m->sort_idx == 0)
			m->sort_idx = ++rank - INT_MAX / 2;
	}
	if (d->n_mods > 1)
		qsort(d->mods, d->n_mods, sizeof(*d->mods), order_cmp);
out:
	smap_free(&by_rel);
	free(text);
}

static int build_array(struct lkm_depmod *d)
{
	size_t i, n = 0;

	d->mods = malloc((d->by_name.n + 1) * sizeof(*d->mods));
	if (!d->mods)
		return -ENOMEM;
	for (i = 0; i < d->by_name.cap; i++)
		if (d->by_name.ent[i].key)
			d->mods[n++] = d->by_name.ent[i].val;
	d->n_mods = n;
	if (n > 1)
		qsort(d->mods, n, sizeof(*d->mods), kmod_hash_cmp);
	for (i = 0; i < n; i++)
		d->mods[i]->hash_pos = i;
	apply_modules_order(d);
	for (i = 0; i < n; i++)
		d->mods[i]->idx = i;
	return 0;
}

/* ---- the public entry points ---- */

int lkm_depmod_new(const struct lkm_depmod_options *cfg, struct lkm_depmod **out,
		   struct lkm_err *err)
{
	struct lkm_depmod *d;
	int r;

	if (!cfg->dirname)
		return lkm_err_set(err, -EINVAL, "no module directory");
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->racy_ns = DEPMOD_RACY_NS;
	d->dirname = strdup(cfg->dirname);
	d->outdir = strdup(cfg->outdir ? cfg->outdir : cfg->dirname);
	if (!d->dirname || !d->outdir) {
		lkm_depmod_free(d);
		return -ENOMEM;
	}
	while (d->dirnamelen = strlen(d->dirname),
	       d->dirnamelen > 1 && d->dirname[d->dirnamelen - 1] == '/')
		d->dirname[d->dirnamelen - 1] = '\0';
	r = depmod_cfg_load(d, err);
	if (r < 0) {
		lkm_depmod_free(d);
		return r;
	}
	*out = d;
	return 0;
}
int lkm_depmod_build(struct lkm_depmod *d, struct lkm_err *err)
{
	int r = depmod_symbols_load(d, err);

	if (r < 0)
		return r;
	r = depmod_find_modules(d, err);
	if (r < 0)
		return r;
	r = build_array(d);
	if (r < 0)
		return r;
	r = depmod_scan(d, err);
	if (r < 0)
		return r;
	return depmod_graph_build(d, err);
}

size_t lkm_depmod_count(const struct lkm_depmod *d)
{
	return d->n_mods;
}

void lkm_depmod_free(struct lkm_depmod *d)
{
	size_t i;

	if (!d)
		return;
	if (d->mods) {
		for (i = 0; i < d->n_mods; i++)
			depmod_mod_free(d->mods[i]);
	} else {
		for (i = 0; i < d->by_name.cap; i++)
			if (d->by_name.ent[i].key)
				depmod_mod_free(d->by_name.ent[i].val);
	}
	for (i = 0; i < d->symbols.cap; i++)
		if (d->symbols.ent[i].key)
			free(d->symbols.ent[i].val);
	smap_free(&d->symbols);
	smap_free(&d->by_name);
	depmod_cache_release(&d->cache); /* after the modules: they borrow from it */
	lkm_depmod_config_free(d->dconf);
	free(d->mods);
	free(d->dirname);
	free(d->outdir);
	free(d);
}
