// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The depmod engine: find the modules (depmod-find.c), read what each exports and needs
 * (depmod-cache.c, in parallel or from the cache), turn symbols into dependencies here,
 * and write kmod's indexes (depmod-write.c).
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

/* ---- small helpers ---- */

/* Set in a worker thread: its messages are kept here, to be replayed in a fixed order. */
static __thread struct lkm_buf *log_capture;

void depmod_log(struct lkm_depmod *d, enum lkm_depmod_level level, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	if (!d->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!log_capture) {
		d->cfg.log(d->cfg.log_data, level, msg);
		return;
	}
	/* Out of memory, the message is lost; the work it describes goes on. */
	if (lkm_buf_append(log_capture, &(char){ (char)('0' + level) }, 1) == 0 &&
	    lkm_buf_append(log_capture, msg, strlen(msg) + 1) < 0)
		log_capture->len--;
}

void depmod_log_capture(struct lkm_buf *b)
{
	log_capture = b;
}

void depmod_log_replay(struct lkm_depmod *d, const struct lkm_buf *b)
{
	size_t pos = 0;

	while (pos < b->len) {
		const char *msg = b->data + pos + 1;

		d->cfg.log(d->cfg.log_data, (enum lkm_depmod_level)(b->data[pos] - '0'), msg);
		pos += 2 + strlen(msg);
	}
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
		/* kmod shifts a (signed) char: sign-extend first, shift unsigned (no UB). */
		hash ^= (uint32_t)(int32_t)(signed char)k[2] << 18;
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

int depmod_dep_cmp(const void *pa, const void *pb)
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
			      depmod_dep_cmp);
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
	r = depmod_find_modules(d, err);
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
	depmod_cfg_release(&d->dcfg);
	free(d->mods);
	free(d->dirname);
	free(d->outdir);
	free(d);
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
