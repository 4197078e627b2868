// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The depmod engine: find the modules, read what each exports and needs (in parallel),
 * turn symbols into dependencies and write kmod's indexes.
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
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-internal.h"

/* ---- small helpers ---- */

void depmod_log(struct lkm_depmod *d, enum lkm_depmod_level level, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	if (!d->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->cfg.log(d->cfg.log_data, level, msg);
}

/* Paul Hsieh's SuperFastHash, as kmod's hash uses: it fixes kmod's iteration order. */
uint32_t depmod_hash(const char *key)
{
	uint32_t len = (uint32_t)strlen(key), hash = len, tmp;
	uint32_t rem = len & 3;
	const unsigned char *k = (const unsigned char *)key;

	for (len /= 4; len > 0; len--, k += 4) {
		hash += (uint32_t)(k[0] | k[1] << 8);
		tmp = ((uint32_t)(k[2] | k[3] << 8) << 11) ^ hash;
		hash = (hash << 16) ^ tmp;
		hash += hash >> 11;
	}
	switch (rem) {
	case 3:
		hash += (uint32_t)(k[0] | k[1] << 8);
		hash ^= hash << 16;
		hash ^= (uint32_t)((int32_t)(signed char)k[2] << 18);
		hash += hash >> 11;
		break;
	case 2:
		hash += (uint32_t)(k[0] | k[1] << 8);
		hash ^= hash << 11;
		hash += hash >> 17;
		break;
	case 1:
		hash += (uint32_t)(int32_t)(signed char)k[0];
		hash ^= hash << 10;
		hash += hash >> 1;
	}
	hash ^= hash << 3;
	hash += hash >> 5;
	hash ^= hash << 4;
	hash += hash >> 17;
	hash ^= hash << 25;
	hash += hash >> 6;
	return hash;
}

/* ---- a string-keyed open-addressing map (keys are not copied) ---- */

static int smap_grow(struct smap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i;
	struct smap_ent *e = calloc(cap, sizeof(*e));

	if (!e)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->ent[i].key)
			continue;
		for (j = m->ent[i].hash & (cap - 1); e[j].key; j = (j + 1) & (cap - 1))
			;
		e[j] = m->ent[i];
	}
	free(m->ent);
	m->ent = e;
	m->cap = cap;
	return 0;
}

static struct smap_ent *smap_slot(const struct smap *m, const char *key, uint32_t h)
{
	size_t j;

	for (j = h & (m->cap - 1); m->ent[j].key; j = (j + 1) & (m->cap - 1))
		if (m->ent[j].hash == h && strcmp(m->ent[j].key, key) == 0)
			return &m->ent[j];
	return &m->ent[j];
}

void *smap_get(const struct smap *m, const char *key)
{
	struct smap_ent *e;

	if (!m->cap)
		return NULL;
	e = smap_slot(m, key, depmod_hash(key));
	return e->key ? e->val : NULL;
}

/* Insert or replace; returns the old value through @old (NULL if new). */
int smap_put(struct smap *m, const char *key, void *val, void **old)
{
	uint32_t h = depmod_hash(key);
	struct smap_ent *e;

	if ((m->n + 1) * 2 > m->cap && smap_grow(m) < 0)
		return -ENOMEM;
	e = smap_slot(m, key, h);
	if (old)
		*old = e->key ? e->val : NULL;
	if (!e->key)
		m->n++;
	e->key = key;
	e->hash = h;
	e->val = val;
	return 0;
}

void smap_del(struct smap *m, const char *key)
{
	struct smap_ent *e;
	size_t i, j;

	if (!m->cap)
		return;
	e = smap_slot(m, key, depmod_hash(key));
	if (!e->key)
		return;
	/* Backward-shift deletion keeps linear probing correct without tombstones. */
	i = (size_t)(e - m->ent);
	e->key = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->ent[j].key; j = (j + 1) & (m->cap - 1)) {
		size_t home = m->ent[j].hash & (m->cap - 1);

		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			m->ent[i] = m->ent[j];
			m->ent[j].key = NULL;
			i = j;
		}
	}
}

void smap_free(struct smap *m)
{
	free(m->ent);
	memset(m, 0, sizeof(*m));
}

/* ---- configuration: depmod.d ---- */

static bool cfg_excluded(const struct lkm_depmod *d, const char *name)
{
	size_t i;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return true;
	if (strcmp(name, "build") == 0 || strcmp(name, "source") == 0)
		return true;
	for (i = 0; i < d->dcfg.n_excludes; i++)
		if (strcmp(name, d->dcfg.excludes[i]) == 0)
			return true;
	return false;
}

/* ---- finding the modules ---- */

static bool has_module_ext(const char *name)
{
	static const char *const exts[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };
	size_t len = strlen(name), i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);

		if (len > el && strcmp(name + len - el, exts[i]) == 0)
			return true;
	}
	return false;
}

static bool starts_with_dir(const char *path, size_t len, const char *prefix, size_t plen)
{
	return len > plen && path[plen] == '/' && memcmp(path, prefix, plen) == 0;
}

/*
 * Whether the module already found (@old) wins over @newpath, with depmod.d's override
 * and search rules, quirks included: the search list is in reverse order of the
 * config words, and each search entry tests the new path before the old one.
 */
static bool old_wins(const struct lkm_depmod *d, const struct dm_mod *old, const char *newpath,
		     size_t newlen)
{
	const struct depmod_cfg *c = &d->dcfg;
	size_t dl = d->dirnamelen, oldlen = strlen(old->path), i, k;
	const char *rn = NULL, *ro = NULL;
	size_t rnl = 0, rol = 0;
	long bprio = -1, oprio = -1, nprio = -1, pos = 0;

	/* Compare the paths without the extension, as kmod does (dir + '/' + name). */
	newlen = (size_t)(strrchr(newpath, '/') - newpath) + 1 + strlen(old->name);
	oldlen = (size_t)(strrchr(old->path, '/') - old->path) + 1 + strlen(old->name);
	if (strncmp(newpath, d->dirname, dl) == 0) {
		rn = newpath + dl + 1;
		rnl = newlen - (dl + 1);
	}
	if (strncmp(old->path, d->dirname, dl) == 0) {
		ro = old->path + dl + 1;
		rol = oldlen - (dl + 1);
	}
	for (i = 0; i < c->n_overrides; i++) {
		size_t ol = strlen(c->overrides[i]);

		if (rn && rnl == ol && memcmp(c->overrides[i], rn, ol) == 0)
			return false;
		if (ro && rol == ol && memcmp(c->overrides[i], ro, ol) == 0)
			return true;
	}
	for (i = 0; i < c->n_searches; i++, pos++) {
		const char *s = c->searches[i];
		size_t sl = strlen(s);

		if (strcmp(s, DEPMOD_SEARCH_BUILTIN) == 0) {
			bprio = pos;
		} else if (strcmp(s, DEPMOD_SEARCH_EXTERNAL) == 0) {
			for (k = 0; k < c->n_externals; k++, pos++) {
				const char *e = c->externals[k];

				if (starts_with_dir(newpath, newlen, e, strlen(e)))
					nprio = pos;
				if (starts_with_dir(old->path, oldlen, e, strlen(e)))
					oprio = pos;
			}
		} else if (rn && rnl > sl && rn[sl] == '/' && memcmp(s, rn, sl) == 0) {
			nprio = pos;
		} else if (ro && rol > sl && ro[sl] == '/' && memcmp(s, ro, sl) == 0) {
			oprio = pos;
		}
	}
	if (nprio < 0)
		nprio = bprio;
	if (oprio < 0)
		oprio = bprio;
	return nprio <= oprio;
}

static void mod_free(struct dm_mod *m)
{
	if (!m)
		return;
	free(m->info.blob);
	free(m->info.off);
	free(m->info.crc);
	free(m->info.weak);
	free(m->deps);
	free(m->uncrelpath);
	free(m->scan_error);
	free(m->path);
	free(m);
}

static int mod_new(struct lkm_depmod *d, const char *path, struct dm_mod **out)
{
	char name[LKM_NAME_MAX];
	struct dm_mod *m;
	const char *slash;
	size_t dl = d->dirnamelen;

	if (lkm_name_from_path(name, sizeof(name), path) < 0)
		return -ENAMETOOLONG;
	m = calloc(1, sizeof(*m) + strlen(name) + 1);
	if (!m)
		return -ENOMEM;
	strcpy(m->name, name);
	m->path = strdup(path);
	if (!m->path)
		goto nomem;
	m->dep_sort_idx = INT_MAX;
	slash = strrchr(m->path, '/');
	if (slash && strncmp(m->path, d->dirname, dl) == 0 && m->path[dl] == '/') {
		size_t n;

		m->relpath = m->path + dl + 1;
		/* modules.order names the uncompressed file: dir/name.ko */
		n = (size_t)(slash - m->relpath) + 1 + strlen(name) + 3;
		if (n > strlen(m->relpath))
			n = strlen(m->relpath);
		m->uncrelpath = strndup(m->relpath, n);
		if (!m->uncrelpath)
			goto nomem;
	}
	*out = m;
	return 0;
nomem:
	mod_free(m);
	return -ENOMEM;
}

static int add_candidate(struct lkm_depmod *d, const char *path)
{
	struct dm_mod *m, *old;
	char name[LKM_NAME_MAX];
	int r;

	if (lkm_name_from_path(name, sizeof(name), path) < 0) {
		depmod_log(d, LKM_DEPMOD_ERROR, "could not get modname from path %s", path);
		return 0;
	}
	old = smap_get(&d->by_name, name);
	if (old) {
		if (old_wins(d, old, path, strlen(path)))
			return 0;
		smap_del(&d->by_name, old->name);
		mod_free(old);
	}
	r = mod_new(d, path, &m);
	if (r < 0)
		return r;
	return smap_put(&d->by_name, m->name, m, NULL);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk @path (with a trailing '/' in @buf) depth first, names sorted bytewise. */
static int walk_dir(struct lkm_depmod *d, int dfd, struct lkm_buf *buf)
{
	size_t base = buf->len, n = 0, cap = 0, i;
	char **names = NULL;
	struct dirent *de;
	DIR *dir = fdopendir(dfd);
	int r = 0;

	if (!dir) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (cfg_excluded(d, de->d_name))
			continue;
		if (n == cap) {
			char **t = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*t));

			if (!t) {
				r = -ENOMEM;
				goto out;
			}
			names = t;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && r == 0; i++) {
		struct stat st;

		buf->len = base;
		r = lkm_buf_puts(buf, names[i]);
		if (r < 0)
			break;
		if (fstatat(dirfd(dir), names[i], &st, 0) < 0) {
			depmod_log(d, LKM_DEPMOD_ERROR, "fstatat(%s): %s", buf->data, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(dir), names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd < 0) {
				depmod_log(d, LKM_DEPMOD_ERROR, "openat(%s): %s", buf->data,
				     strerror(errno));
				continue;
			}
			r = lkm_buf_puts(buf, "/");
			if (r == 0)
				r = walk_dir(d, fd, buf);
			if (r < 0 && r != -ENOMEM) {
				depmod_log(d, LKM_DEPMOD_ERROR, "failed %s: %s", buf->data, strerror(-r));
				r = 0;
			}
		} else if (S_ISREG(st.st_mode) && has_module_ext(names[i])) {
			r = add_candidate(d, buf->data);
		}
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	buf->len = base;
	if (buf->data)
		buf->data[base] = '\0';
	return r;
}

static int search_path(struct lkm_depmod *d, const char *path)
{
	struct lkm_buf buf = { 0 };
	int fd, r;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = lkm_buf_printf(&buf, "%s/", path);
	if (r == 0)
		r = walk_dir(d, fd, &buf);
	else
		close(fd);
	lkm_buf_free(&buf);
	return r;
}

static int find_modules(struct lkm_depmod *d, struct lkm_err *err)
{
	size_t i;
	int r;

	if (d->cfg.files) {
		for (i = 0; d->cfg.files[i]; i++) {
			struct dm_mod *m, *old;

			r = mod_new(d, d->cfg.files[i], &m);
			if (r < 0)
				return lkm_err_set(err, r, "%s: %s", d->cfg.files[i], strerror(-r));
			old = smap_get(&d->by_name, m->name);
			if (old) {
				mod_free(m);
				return lkm_err_set(err, -EEXIST, "%s: module %s given twice",
						   d->cfg.files[i], old->name);
			}
			r = smap_put(&d->by_name, m->name, m, NULL);
			if (r < 0) {
				mod_free(m);
				return r;
			}
		}
		return 0;
	}
	r = search_path(d, d->dirname);
	if (r < 0)
		return lkm_err_set(err, r, "could not open directory %s: %s", d->dirname,
				   strerror(-r));
	for (i = 0; i < d->dcfg.n_externals; i++) {
		r = search_path(d, d->dcfg.externals[i]);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

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
	qsort(d->mods, n, sizeof(*d->mods), kmod_hash_cmp);
	for (i = 0; i < n; i++)
		d->mods[i]->hash_pos = i;
	apply_modules_order(d);
	for (i = 0; i < n; i++)
		d->mods[i]->idx = i;
	return 0;
}

/* ---- symbols and dependencies ---- */

static int symbol_add(struct lkm_depmod *d, const char *name, bool prefix_skipped, uint64_t crc,
		      struct dm_mod *owner)
{
	struct dm_sym *s;
	void *old = NULL;
	size_t len;
	int r;

	if (!prefix_skipped && d->cfg.sym_prefix && name[0] == d->cfg.sym_prefix)
		name++;
	len = strlen(name);
	s = malloc(sizeof(*s) + len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s->name, name, len + 1);
	s->owner = owner;
	s->crc = crc;
	r = smap_put(&d->symbols, s->name, s, &old);
	if (r < 0) {
		free(s);
		return r;
	}
	free(old);
	return 0;
}

static struct dm_sym *symbol_find(const struct lkm_depmod *d, const char *name)
{
	if (name[0] == '.')
		name++;
	if (d->cfg.sym_prefix && name[0] == d->cfg.sym_prefix)
		name++;
	return smap_get(&d->symbols, name);
}

static int add_fake_symbols(struct lkm_depmod *d)
{
	int r = symbol_add(d, "__this_module", true, 0, NULL);

	if (r == 0)
		r = symbol_add(d, "_GLOBAL_OFFSET_TABLE_", true, 0, NULL);
	if (r == 0 && !symbol_find(d, "TOC."))
		r = symbol_add(d, "TOC.", true, 0, NULL);
	return r;
}

static int load_symvers(struct lkm_depmod *d, const char *file, struct lkm_err *err)
{
	char line[10240];
	unsigned lineno = 0;
	FILE *fp = fopen(file, "re");
	int r = 0;

	if (!fp)
		return lkm_err_set(err, -errno, "could not load %s: %s", file, strerror(errno));
	/* "0xb352177e\tfind_first_bit\tvmlinux\tEXPORT_SYMBOL" */
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		char *save, *ver, *sym, *where, *end;
		uint64_t crc;

		lineno++;
		ver = strtok_r(line, " \t", &save);
		sym = strtok_r(NULL, " \t", &save);
		where = strtok_r(NULL, " \t", &save);
		if (!ver || !sym || !where || strcmp(where, "vmlinux") != 0)
			continue;
		crc = strtoull(ver, &end, 16);
		if (*end) {
			depmod_log(d, LKM_DEPMOD_ERROR, "%s:%u Invalid symbol version %s", file, lineno,
			     ver);
			continue;
		}
		r = symbol_add(d, sym, false, crc, NULL);
	}
	fclose(fp);
	return r ? r : add_fake_symbols(d);
}

static int load_system_map(struct lkm_depmod *d, const char *file, struct lkm_err *err)
{
	static const char ksym[] = "__ksymtab_";
	char line[10240];
	unsigned lineno = 0;
	FILE *fp = fopen(file, "re");
	int r = 0;

	if (!fp)
		return lkm_err_set(err, -errno, "could not load %s: %s", file, strerror(errno));
	/* "c0294200 R __ksymtab_devfs_alloc_devnum" */
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		char *p = strchr(line, ' '), *end;

		lineno++;
		if (p)
			p = strchr(p + 1, ' ');
		if (!p) {
			depmod_log(d, LKM_DEPMOD_ERROR, "%s:%u: invalid line: %s", file, lineno, line);
			continue;
		}
		p++;
		if (d->cfg.sym_prefix && p[0] == d->cfg.sym_prefix)
			p++;
		if (strncmp(p, ksym, sizeof(ksym) - 1) != 0)
			continue;
		end = strchr(p, '\n');
		if (end)
			*end = '\0';
		r = symbol_add(d, p + sizeof(ksym) - 1, true, 0, NULL);
	}
	fclose(fp);
	return r ? r : add_fake_symbols(d);
}

static int add_dep(struct dm_mod *m, struct dm_mod *dep)
{
	size_t i;

	for (i = 0; i < m->n_deps; i++)
		if (m->deps[i] == dep)
			return 0;
	if (m->n_deps == m->cap_deps) {
		size_t cap = m->cap_deps ? m->cap_deps * 2 : 4;
		struct dm_mod **t = realloc(m->deps, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		m->deps = t;
		m->cap_deps = cap;
	}
	m->deps[m->n_deps++] = dep;
	dep->users++;
	return 1;
}

static int resolve_module(struct lkm_depmod *d, struct dm_mod *m)
{
	const struct dm_info *in = &m->info;
	uint32_t i;

	for (i = 0; i < in->n_imp; i++) {
		const char *name = DM_IMP(in, i);
		uint64_t crc = in->crc[in->n_exp + i];
		bool weak = in->weak[i];
		struct dm_sym *s = symbol_find(d, name);
		int r;

		if (!s) {
			if (d->cfg.print_unknown && !weak)
				depmod_log(d, LKM_DEPMOD_WARNING, "%s needs unknown symbol %s", m->path,
				     name);
			continue;
		}
		if (d->check_symvers && s->crc != crc && !weak && d->cfg.print_unknown)
			depmod_log(d, LKM_DEPMOD_WARNING, "%s disagrees about version of symbol %s",
			     m->path, name);
		if (!s->owner)
			continue;
		r = add_dep(m, s->owner);
		if (r < 0)
			return r;
		if (r > 0)
			depmod_log(d, LKM_DEPMOD_INFO, "%s needs \"%s\": %s", m->path, s->name,
			     s->owner->path);
	}
	return 0;
}

static int resolve_symbols(struct lkm_depmod *d)
{
	size_t i;
	uint32_t k;
	int r;

	for (i = 0; i < d->n_mods; i++) {
		struct dm_mod *m = d->mods[i];

		if (m->scan_error)
			depmod_log(d, LKM_DEPMOD_ERROR, "failed to load symbols from %s: %s", m->path,
			     m->scan_error);
		for (k = 0; k < m->info.n_exp; k++) {
			r = symbol_add(d, DM_EXP(&m->info, k), false, m->info.crc[k], m);
			if (r < 0)
				return r;
		}
	}
	for (i = 0; i < d->n_mods; i++) {
		r = resolve_module(d, d->mods[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int dep_cmp(const void *pa, const void *pb)
{
	const struct dm_mod *a = *(struct dm_mod *const *)pa, *b = *(struct dm_mod *const *)pb;

	return (a->dep_sort_idx > b->dep_sort_idx) - (a->dep_sort_idx < b->dep_sort_idx);
}

/* kmod's topological sort: modules nobody uses first, the last root popped first. */
static int sort_topologically(struct lkm_depmod *d, unsigned *users)
{
	size_t *roots, n_roots = 0, i, n_sorted = 0;

	roots = malloc((d->n_mods + 1) * sizeof(*roots));
	if (!roots)
		return -ENOMEM;
	for (i = 0; i < d->n_mods; i++) {
		users[i] = d->mods[i]->users;
		if (users[i] == 0)
			roots[n_roots++] = i;
	}
	while (n_roots > 0) {
		struct dm_mod *m = d->mods[roots[--n_roots]];

		m->dep_sort_idx = (int)n_sorted++;
		for (i = 0; i < m->n_deps; i++)
			if (--users[m->deps[i]->idx] == 0)
				roots[n_roots++] = m->deps[i]->idx;
	}
	free(roots);
	return (int)n_sorted;
}

static int calculate_dependencies(struct lkm_depmod *d, struct lkm_err *err)
{
	unsigned *users = malloc((d->n_mods + 1) * sizeof(*users));
	size_t i;
	int n;

	if (!users)
		return -ENOMEM;
	n = sort_topologically(d, users);
	if (n >= 0 && (size_t)n < d->n_mods) {
		n = depmod_report_cycles(d, users);
		if (n >= 0)
			n = lkm_err_set(err, -ELOOP, "%d modules in dependency cycles", n);
	}
	free(users);
	if (n < 0)
		return n;
	for (i = 0; i < d->n_mods; i++)
		if (d->mods[i]->n_deps > 1)
			qsort(d->mods[i]->deps, d->mods[i]->n_deps, sizeof(struct dm_mod *),
			      dep_cmp);
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
	int r = 0;

	if (d->cfg.symvers) {
		d->check_symvers = true;
		r = load_symvers(d, d->cfg.symvers, err);
	} else if (d->cfg.system_map) {
		r = load_system_map(d, d->cfg.system_map, err);
	} else if (d->cfg.print_unknown) {
		depmod_log(d, LKM_DEPMOD_WARNING, "-e needs -E or -F");
		d->cfg.print_unknown = false;
	}
	if (r < 0)
		return r;
	r = find_modules(d, err);
	if (r < 0)
		return r;
	r = build_array(d);
	if (r < 0)
		return r;
	r = depmod_scan(d, err);
	if (r < 0)
		return r;
	r = resolve_symbols(d);
	if (r < 0)
		return r;
	return calculate_dependencies(d, err);
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
			mod_free(d->mods[i]);
	} else {
		for (i = 0; i < d->by_name.cap; i++)
			if (d->by_name.ent[i].key)
				mod_free(d->by_name.ent[i].val);
	}
	for (i = 0; i < d->symbols.cap; i++)
		if (d->symbols.ent[i].key)
			free(d->symbols.ent[i].val);
	smap_free(&d->symbols);
	smap_free(&d->by_name);
	depmod_cfg_release(&d->dcfg);
	free(d->mods);
	free(d->dirname);
	free(d->outdir);
	free(d);
}

/* ---- depmod.d ---- */

void depmod_cfg_release(struct depmod_cfg *c)
{
	size_t i;

	for (i = 0; i < c->n_searches; i++)
		free(c->searches[i]);
	for (i = 0; i < c->n_overrides; i++)
		free(c->overrides[i]);
	for (i = 0; i < c->n_externals; i++)
		free(c->externals[i]);
	for (i = 0; i < c->n_excludes; i++)
		free(c->excludes[i]);
	free(c->searches);
	free(c->overrides);
	free(c->externals);
	free(c->excludes);
	memset(c, 0, sizeof(*c));
}

static int list_add(char ***list, size_t *n, const char *a, const char *b)
{
	char **t = realloc(*list, (*n + 1) * sizeof(*t));
	char *copy = NULL;

	if (t)
		*list = t;
	if (!t || asprintf(&copy, "%s%s%s", a, b ? "/" : "", b ? b : "") < 0)
		return -ENOMEM;
	t[(*n)++] = copy;
	return 0;
}

/*
 * config.c gives depmod.d in file order; kmod keeps each list newest first, and its
 * priority numbers come from walking that reversed search list, so turn it around.
 */
int depmod_cfg_load(struct lkm_depmod *d, struct lkm_err *err)
{
	struct depmod_cfg *c = &d->dcfg;
	struct lkm_depmod_config *cfg = NULL;
	size_t i;
	int r;

	r = lkm_depmod_config_new(d->cfg.config_paths, d->cfg.kver ? d->cfg.kver : "", &cfg);
	if (r < 0)
		return lkm_err_set(err, r, "could not load configuration files: %s", strerror(-r));
	for (i = 0; i < cfg->n_warnings; i++)
		depmod_log(d, LKM_DEPMOD_ERROR, "%s", cfg->warnings[i].text);
	for (i = cfg->n_searches; r == 0 && i-- > 0;) {
		const struct lkm_depmod_search *s = &cfg->searches[i];

		r = list_add(&c->searches, &c->n_searches,
			     s->type == LKM_DEPMOD_SEARCH_BUILTIN	? DEPMOD_SEARCH_BUILTIN :
			     s->type == LKM_DEPMOD_SEARCH_EXTERNAL ? DEPMOD_SEARCH_EXTERNAL :
								      s->path,
			     NULL);
	}
	for (i = cfg->n_overrides; r == 0 && i-- > 0;)
		r = list_add(&c->overrides, &c->n_overrides, cfg->overrides[i].subdir,
			     cfg->overrides[i].modname);
	for (i = cfg->n_externals; r == 0 && i-- > 0;)
		r = list_add(&c->externals, &c->n_externals, cfg->externals[i].path, NULL);
	for (i = 0; r == 0 && i < cfg->n_excludes; i++)
		r = list_add(&c->excludes, &c->n_excludes, cfg->excludes[i].path, NULL);
	lkm_depmod_config_free(cfg);
	return r;
}

/* ---- cycles ---- */

struct vertex {
	struct vertex *parent;
	struct dm_mod *mod;
};

static int report_one_cycle(struct lkm_depmod *d, const struct vertex *v, bool *in_roots,
			    struct smap *loop_set)
{
	struct lkm_buf buf = { 0 };
	const struct vertex *p;
	size_t n = 0, i;
	const struct vertex **chain;
	int r = 0;

	for (p = v->parent; p; p = p->parent)
		n++;
	chain = malloc((n + 1) * sizeof(*chain));
	if (!chain)
		return -ENOMEM;
	for (p = v->parent, i = 0; p; p = p->parent, i++) {
		chain[i] = p;
		r = smap_put(loop_set, p->mod->name, p->mod, NULL);
		if (r < 0)
			goto out;
	}
	for (i = n; i-- > 0;) {
		r = lkm_buf_printf(&buf, "%s -> ", chain[i]->mod->name);
		if (r < 0)
			goto out;
		in_roots[chain[i]->mod->idx] = false;
	}
	r = lkm_buf_puts(&buf, v->mod->name);
	if (r == 0)
		depmod_log(d, LKM_DEPMOD_ERROR, "Cycle detected: %s", buf.data);
out:
	lkm_buf_free(&buf);
	free(chain);
	return r;
}

/*
 * A depth-first walk from @root along dependencies that names every path coming back
 * to @root, as kmod does. Unlike kmod it never expands a module twice in one walk, so
 * a root that only leads into some other cycle cannot loop forever.
 */
static int cycles_from_root(struct lkm_depmod *d, struct dm_mod *root, bool *in_roots,
			    struct smap *loop_set, unsigned stamp)
{
	struct vertex **all = NULL, **stack = NULL;
	size_t n_all = 0, cap = 0, sp = 0, i;
	int r = -ENOMEM;

#define PUSH(mod_, parent_)                                                           \
	do {                                                                          \
		struct vertex *v_ = malloc(sizeof(*v_));                              \
		if (!v_)                                                              \
			goto out;                                                     \
		if (n_all == cap) {                                                   \
			size_t c_ = cap ? cap * 2 : 64;                               \
			struct vertex **a_ = realloc(all, c_ * sizeof(*a_));          \
			struct vertex **s_ = a_ ? realloc(stack, c_ * sizeof(*s_)) : NULL; \
			if (a_)                                                       \
				all = a_;                                             \
			if (!s_) {                                                    \
				free(v_);                                             \
				goto out;                                             \
			}                                                             \
			stack = s_;                                                   \
			cap = c_;                                                     \
		}                                                                     \
		v_->mod = (mod_);                                                     \
		v_->parent = (parent_);                                               \
		all[n_all++] = v_;                                                    \
		stack[sp++] = v_;                                                     \
	} while (0)

	PUSH(root, NULL);
	while (sp > 0) {
		struct vertex *v = stack[--sp];
		struct dm_mod *m = v->mod;

		if (m->visited && m == root) {
			r = report_one_cycle(d, v, in_roots, loop_set);
			if (r < 0)
				goto out;
			continue;
		}
		if (m->stamp == stamp && m != root)
			continue;
		m->stamp = stamp;
		m->visited = true;
		if (m->n_deps == 0) {
			in_roots[m->idx] = false;
			continue;
		}
		for (i = 0; i < m->n_deps; i++)
			PUSH(m->deps[i], v);
	}
	r = 0;
out:
#undef PUSH
	for (i = 0; i < n_all; i++)
		free(all[i]);
	free(all);
	free(stack);
	return r;
}

/* Returns how many modules are in cycles, after naming each cycle. */
int depmod_report_cycles(struct lkm_depmod *d, const unsigned *users)
{
	struct smap loop_set = { 0 };
	bool *in_roots = calloc(d->n_mods + 1, sizeof(*in_roots));
	size_t i;
	unsigned stamp = 0;
	int r = 0;

	if (!in_roots)
		return -ENOMEM;
	for (i = 0; i < d->n_mods; i++)
		in_roots[i] = users[i] > 0;
	for (i = 0; i < d->n_mods && r == 0; i++) {
		if (!in_roots[i])
			continue;
		in_roots[i] = false;
		r = cycles_from_root(d, d->mods[i], in_roots, &loop_set, ++stamp);
	}
	if (r == 0) {
		r = (int)loop_set.n;
		depmod_log(d, LKM_DEPMOD_ERROR, "Found %d modules in dependency cycles!", r);
	}
	smap_free(&loop_set);
	free(in_roots);
	return r;
}

/* ---- -A ---- */

static int newer_module(int dfd, time_t mtime)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *de;
	int r = 1;

	if (!dir) {
		close(dfd);
		return 1;
	}
	while (r == 1 && (de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "build") == 0 || strcmp(de->d_name, "source") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd >= 0)
				r = newer_module(fd, mtime);
		} else if (S_ISREG(st.st_mode) && has_module_ext(de->d_name)) {
			r = st.st_mtime <= mtime;
		}
	}
	closedir(dir);
	return r;
}

int lkm_depmod_up_to_date(const char *dirname)
{
	struct stat st;
	int fd = open(dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstatat(fd, "modules.dep", &st, 0) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return newer_module(fd, st.st_mtime);
}

/* ---- output ---- */

static const char *mod_path(const struct dm_mod *m)
{
	return m->relpath ? m->relpath : m->path;
}

/* kmod's alias_normalize: '-' becomes '_' outside [...] ranges. */
static int alias_normalize(const char *alias, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && alias[i]; i++) {
		if (alias[i] == ']')
			return -EINVAL;
		if (alias[i] == '[') {
			while (alias[i] != ']' && alias[i] && i + 1 < size) {
				buf[i] = alias[i];
				i++;
			}
			if (alias[i] != ']')
				return -EINVAL;
			buf[i] = ']';
			continue;
		}
		buf[i] = alias[i] == '-' ? '_' : alias[i];
	}
	buf[i] = '\0';
	return 0;
}

static int collect_deps(const struct dm_mod *m, struct dm_mod ***list, size_t *n, size_t *cap,
			unsigned stamp)
{
	size_t i;

	for (i = 0; i < m->n_deps; i++) {
		struct dm_mod *dep = m->deps[i];
		int r;

		if (dep->stamp == stamp)
			continue;
		dep->stamp = stamp;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 64;
			struct dm_mod **t = realloc(*list, c * sizeof(*t));

			if (!t)
				return -ENOMEM;
			*list = t;
			*cap = c;
		}
		(*list)[(*n)++] = dep;
		r = collect_deps(dep, list, n, cap, stamp);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "path: dep dep ..." with every dependency, direct or not, in topological order. */
static int dep_line(struct lkm_depmod *d, const struct dm_mod *m, struct lkm_buf *line,
		    struct dm_mod ***list, size_t *cap)
{
	static unsigned stamp = 0x40000000u; /* above the cycle walk's stamps */
	size_t n = 0, i;
	int r;

	line->len = 0;
	r = lkm_buf_printf(line, "%s:", mod_path(m));
	if (r < 0)
		return r;
	r = collect_deps(m, list, &n, cap, ++stamp);
	if (r < 0)
		return r;
	if (n > 1)
		qsort(*list, n, sizeof(**list), dep_cmp);
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(line, " %s", mod_path((*list)[i]));
	(void)d;
	return r;
}

struct out_file {
	const char *name;
	struct lkm_buf text;               /* a text file */
	struct lkm_index_builder *index;   /* or a .bin */
	bool empty;                        /* kmod writes an empty file when input is absent */
};

enum {
	F_DEP, F_DEP_BIN, F_ALIAS, F_ALIAS_BIN, F_SOFTDEP, F_WEAKDEP, F_SYMBOLS, F_SYMBOLS_BIN,
	F_BUILTIN_BIN, F_BUILTIN_ALIAS_BIN, F_DEVNAME, F_COUNT
};
static const char *const out_names[F_COUNT] = {
	"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
	"modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
	"modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
};

static int index_add(struct lkm_depmod *d, struct out_file *f, const char *key,
		     const char *value, uint32_t prio, const char *what)
{
	int r = lkm_index_builder_add(f->index, key, value, prio);

	if (r == 1 && d->cfg.warn_dups)
		depmod_log(d, LKM_DEPMOD_WARNING, "duplicate module %s:\n%s %s", what, key, value);
	if (r == -EINVAL) {
		depmod_log(d, LKM_DEPMOD_WARNING, "%s: cannot index key %s", f->name, key);
		r = 0;
	}
	return r < 0 ? r : 0;
}

static int out_deps(struct lkm_depmod *d, struct out_file *f)
{
	struct lkm_buf line = { 0 };
	struct dm_mod **list = NULL;
	size_t cap = 0, i;
	int r = 0;

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		r = dep_line(d, m, &line, &list, &cap);
		if (r == 0)
			r = lkm_buf_printf(&f[F_DEP].text, "%s\n", line.data);
		if (r == 0 && f[F_DEP_BIN].index) {
			r = lkm_index_builder_add(f[F_DEP_BIN].index, m->name, line.data,
						  (uint32_t)m->idx);
			if (r == 1 && d->cfg.warn_dups)
				depmod_log(d, LKM_DEPMOD_WARNING, "duplicate module deps:\n%s",
					   line.data);
			r = r < 0 ? r : 0;
		}
	}
	free(list);
	lkm_buf_free(&line);
	return r;
}

static int out_aliases(struct lkm_depmod *d, struct out_file *f)
{
	char buf[PATH_MAX];
	size_t i;
	uint32_t k;
	int r = lkm_buf_puts(&f[F_ALIAS].text, "# Aliases extracted from modules themselves.\n");

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		for (k = 0; k < m->info.n_alias && r == 0; k++) {
			const char *a = DM_ALIAS(&m->info, k);

			r = lkm_buf_printf(&f[F_ALIAS].text, "alias %s %s\n", a, m->name);
			if (r < 0 || !f[F_ALIAS_BIN].index)
				continue;
			if (alias_normalize(a, buf, sizeof(buf)) < 0) {
				depmod_log(d, LKM_DEPMOD_WARNING, "Unmatched bracket in %s", a);
				continue;
			}
			r = index_add(d, &f[F_ALIAS_BIN], buf, m->name, (uint32_t)m->idx, "alias");
		}
	}
	return r;
}

static int out_softdeps(struct lkm_depmod *d, struct out_file *f)
{
	size_t i;
	uint32_t k;
	int r = lkm_buf_puts(&f[F_SOFTDEP].text,
			     "# Soft dependencies extracted from modules themselves.\n");

	if (r == 0)
		r = lkm_buf_puts(&f[F_WEAKDEP].text,
				 "# Weak dependencies extracted from modules themselves.\n");
	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		for (k = 0; k < m->info.n_soft && r == 0; k++)
			r = lkm_buf_printf(&f[F_SOFTDEP].text, "softdep %s %s\n", m->name,
					   DM_SOFT(&m->info, k));
		for (k = 0; k < m->info.n_weak && r == 0; k++)
			r = lkm_buf_printf(&f[F_WEAKDEP].text, "weakdep %s %s\n", m->name,
					   DM_WEAK(&m->info, k));
	}
	return r;
}

static int sym_cmp(const void *pa, const void *pb)
{
	const struct dm_sym *a = *(struct dm_sym *const *)pa, *b = *(struct dm_sym *const *)pb;
	uint32_t ha = depmod_hash(a->name) & 2047, hb = depmod_hash(b->name) & 2047;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* In kmod's hash order (2048 buckets), which is what its modules.symbols shows. */
static int out_symbols(struct lkm_depmod *d, struct out_file *f)
{
	struct lkm_buf key = { 0 };
	struct dm_sym **syms = malloc((d->symbols.n + 1) * sizeof(*syms));
	size_t n = 0, i;
	int r;

	if (!syms)
		return -ENOMEM;
	for (i = 0; i < d->symbols.cap; i++) {
		struct dm_sym *s = d->symbols.ent[i].val;

		if (d->symbols.ent[i].key && s->owner)
			syms[n++] = s;
	}
	qsort(syms, n, sizeof(*syms), sym_cmp);
	r = lkm_buf_puts(&f[F_SYMBOLS].text, "# Aliases for symbols, used by symbol_request().\n");
	for (i = 0; i < n && r == 0; i++) {
		r = lkm_buf_printf(&f[F_SYMBOLS].text, "alias symbol:%s %s\n", syms[i]->name,
				   syms[i]->owner->name);
		if (r < 0 || !f[F_SYMBOLS_BIN].index)
			continue;
		key.len = 0;
		r = lkm_buf_printf(&key, "symbol:%s", syms[i]->name);
		if (r == 0)
			r = index_add(d, &f[F_SYMBOLS_BIN], key.data, syms[i]->owner->name,
				      (uint32_t)syms[i]->owner->idx, "syms");
	}
	lkm_buf_free(&key);
	free(syms);
	return r;
}

static int read_dir_file(struct lkm_depmod *d, const char *name, char **text, size_t *len)
{
	char path[PATH_MAX + 64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", d->dirname, name);
	r = lkm_read_file(path, (size_t)256 << 20, text, len);
	if (r < 0)
		depmod_log(d, LKM_DEPMOD_WARNING, "could not open %s at %s: %s", name, d->dirname,
			   strerror(-r));
	return r;
}

static int out_builtin(struct lkm_depmod *d, struct out_file *f)
{
	char *text, *p, *nl, name[PATH_MAX];
	size_t len;
	int r = 0;

	if (read_dir_file(d, "modules.builtin", &text, &len) < 0) {
		f->empty = true;
		return 0;
	}
	for (p = text; p < text + len && r == 0; p = nl + 1) {
		size_t i, n;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;
		if (!isalpha((unsigned char)p[0])) {
			depmod_log(d, LKM_DEPMOD_ERROR, "Invalid modules.builtin line: %.*s",
				   (int)(nl - p), p);
			continue;
		}
		/* The basename up to its first '.', '-' read as '_'; kmod keeps a '\n'. */
		for (i = (size_t)(nl - p); i > 0 && p[i - 1] != '/'; i--)
			;
		for (n = 0; p + i < nl + (nl < text + len) && p[i] != '.' && n + 1 < sizeof(name);
		     i++)
			name[n++] = p[i] == '-' ? '_' : p[i];
		name[n] = '\0';
		r = lkm_index_builder_add(f->index, name, "", 0);
		r = r < 0 && r != -EINVAL ? r : 0;
	}
	free(text);
	return r;
}

/*
 * modules.builtin.modinfo is "module.key=value\0" records. The scan follows kmod's
 * character by character, so a malformed record is skipped just as kmod skips it.
 */
static size_t take_until(const char *t, size_t len, size_t *pos, char end, char *dst,
			 size_t dst_size, bool *ok)
{
	size_t n = 0;
	char c = 0;
	bool eof = true;

	while (*pos < len) {
		c = t[(*pos)++];
		if (c == end || c == '\0') {
			eof = false;
			break;
		}
		if (dst && n + 1 < dst_size)
			dst[n++] = c;
	}
	if (dst)
		dst[n] = '\0';
	*ok = !eof && c == end;
	return *ok ? n : 0;
}

static int out_builtin_alias(struct lkm_depmod *d, struct out_file *f)
{
	char *text, mod[PATH_MAX], key[PATH_MAX], val[PATH_MAX], alias[PATH_MAX];
	size_t len, pos = 0;
	bool ok;
	int r = 0;

	if (read_dir_file(d, "modules.builtin.modinfo", &text, &len) < 0) {
		f->empty = true;
		return 0;
	}
	while (pos < len && r == 0) {
		if (!take_until(text, len, &pos, '.', mod, sizeof(mod), &ok))
			continue;
		take_until(text, len, &pos, '=', key, sizeof(key), &ok);
		if (!ok)
			key[0] = '\0';
		if (strcmp(key, "alias") != 0) {
			take_until(text, len, &pos, '\0', NULL, 0, &ok);
			continue;
		}
		if (!take_until(text, len, &pos, '\0', val, sizeof(val), &ok))
			continue;
		if (alias_normalize(val, alias, sizeof(alias)) < 0) {
			depmod_log(d, LKM_DEPMOD_WARNING, "Unmatched bracket in %s", val);
			continue;
		}
		r = lkm_index_builder_add(f->index, alias, mod, 0);
		r = r < 0 && r != -EINVAL ? r : 0;
	}
	free(text);
	return r;
}

static int out_devname(struct lkm_depmod *d, struct out_file *f)
{
	size_t i;
	uint32_t k;
	int r = 0;

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];
		const char *devname = NULL;
		unsigned maj, min, major = 0, minor = 0;
		char type = 0;

		for (k = 0; k < m->info.n_alias; k++) {
			const char *a = DM_ALIAS(&m->info, k);

			if (strncmp(a, "devname:", 8) == 0) {
				devname = a + 8;
			} else if (sscanf(a, "char-major-%u-%u", &maj, &min) == 2) {
				type = 'c';
				major = maj;
				minor = min;
			} else if (sscanf(a, "block-major-%u-%u", &maj, &min) == 2) {
				type = 'b';
				major = maj;
				minor = min;
			}
			if (type && devname)
				break;
		}
		if (!devname)
			continue;
		if (!type) {
			depmod_log(d, LKM_DEPMOD_ERROR,
				   "Module '%s' has devname (%s) but lacks major and minor information. Ignoring.",
				   m->name, devname);
			continue;
		}
		if (f->text.len == 0)
			r = lkm_buf_puts(&f->text,
					 "# Device nodes to trigger on-demand module loading.\n");
		if (r == 0)
			r = lkm_buf_printf(&f->text, "%s %s %c%u:%u\n", m->name, devname, type,
					   major, minor);
	}
	return r;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int build_outputs(struct lkm_depmod *d, struct out_file *f, bool bins)
{
	int r = 0, i;

	for (i = 0; i < F_COUNT; i++) {
		f[i].name = out_names[i];
		if (bins && strstr(out_names[i], ".bin") &&
		    (r = lkm_index_builder_new(&f[i].index)) < 0)
			return r;
	}
	r = out_deps(d, f);
	if (r == 0)
		r = out_aliases(d, f);
	if (r == 0)
		r = out_softdeps(d, f);
	if (r == 0)
		r = out_symbols(d, f);
	if (r == 0 && bins)
		r = out_builtin(d, &f[F_BUILTIN_BIN]);
	if (r == 0 && bins)
		r = out_builtin_alias(d, &f[F_BUILTIN_ALIAS_BIN]);
	if (r == 0)
		r = out_devname(d, &f[F_DEVNAME]);
	return r;
}

static int write_tmp(struct lkm_depmod *d, int dfd, struct out_file *f, const char *tmp,
		     struct lkm_err *err)
{
	int fd = openat(dfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return lkm_err_set(err, -errno, "%s/%s: %s", d->outdir, tmp, strerror(errno));
	if (f->index && !f->empty)
		r = lkm_index_builder_write(f->index, fd, err);
	else
		r = write_all(fd, f->text.data, f->text.len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0 && !err->why[0])
		lkm_err_set(err, r, "%s/%s: %s", d->outdir, f->name, strerror(-r));
	else if (r < 0)
		err->code = r;
	return r;
}

static int mkdir_parents(const char *dir)
{
	char *p, *copy = strdup(dir);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; r == 0; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return r;
}

/* Every file to a temporary name first; renames only when all of them are complete. */
static int write_files(struct lkm_depmod *d, struct out_file *f, struct lkm_err *err)
{
	char tmp[F_COUNT][128];
	int dfd, r, i, done = 0;

	r = mkdir_parents(d->outdir);
	if (r < 0)
		return lkm_err_set(err, r, "could not create directory %s: %s", d->outdir,
				   strerror(-r));
	dfd = open(d->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return lkm_err_set(err, -errno, "could not open directory %s: %s", d->outdir,
				   strerror(errno));
	for (i = 0; i < F_COUNT; i++) {
		snprintf(tmp[i], sizeof(tmp[i]), ".%s.lkm-tmp.%ld", f[i].name, (long)getpid());
		unlinkat(dfd, tmp[i], 0);
		r = write_tmp(d, dfd, &f[i], tmp[i], err);
		if (r < 0)
			goto unlink;
		done = i + 1;
	}
	for (i = 0; i < F_COUNT; i++) {
		if (renameat(dfd, tmp[i], dfd, f[i].name) < 0) {
			r = lkm_err_set(err, -errno, "could not rename %s/%s to %s: %s", d->outdir,
					tmp[i], f[i].name, strerror(errno));
			done = F_COUNT;
			goto unlink_from;
		}
	}
	if (fsync(dfd) < 0)
		r = lkm_err_set(err, -errno, "%s: %s", d->outdir, strerror(errno));
	close(dfd);
	return r;
unlink_from:
	for (; i < done; i++)
		unlinkat(dfd, tmp[i], 0);
	close(dfd);
	return r;
unlink:
	for (i = 0; i < done; i++)
		unlinkat(dfd, tmp[i], 0);
	close(dfd);
	return r;
}

int lkm_depmod_write(struct lkm_depmod *d, int dry_run_fd, struct lkm_err *err)
{
	static const int text_order[] = { F_DEP, F_ALIAS, F_SOFTDEP, F_WEAKDEP, F_SYMBOLS,
					  F_DEVNAME };
	struct out_file f[F_COUNT];
	size_t i;
	int r;

	memset(f, 0, sizeof(f));
	r = build_outputs(d, f, dry_run_fd < 0);
	if (r < 0) {
		lkm_err_set(err, r, "building the indexes: %s", strerror(-r));
		goto out;
	}
	if (dry_run_fd < 0) {
		r = write_files(d, f, err);
		goto out;
	}
	for (i = 0; i < sizeof(text_order) / sizeof(text_order[0]) && r == 0; i++)
		r = write_all(dry_run_fd, f[text_order[i]].text.data, f[text_order[i]].text.len);
	if (r < 0)
		lkm_err_set(err, r, "writing to standard output: %s", strerror(-r));
out:
	for (i = 0; i < F_COUNT; i++) {
		lkm_buf_free(&f[i].text);
		lkm_index_builder_free(f[i].index);
	}
	return r;
}
