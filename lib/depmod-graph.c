// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's graph: the symbols every module and the kernel export, each module's
 * dependencies through them, and kmod's topological order of the modules, with
 * every cycle named when there is none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod-internal.h"

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
	if (lkm_array_grow(&m->deps, &m->cap_deps, m->n_deps + 1, sizeof(dep), 4) < 0)
		return -ENOMEM;
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

/* Every vertex of one walk (freed at its end) and the stack of those not yet expanded. */
struct walk {
	struct vertex **all, **stack;
	size_t n_all, cap_all, sp, cap_stack;
};

static int walk_push(struct walk *w, struct dm_mod *mod, struct vertex *parent)
{
	struct vertex *v;

	if (lkm_array_grow(&w->all, &w->cap_all, w->n_all + 1, sizeof(v), 64) < 0 ||
	    lkm_array_grow(&w->stack, &w->cap_stack, w->sp + 1, sizeof(v), 64) < 0)
		return -ENOMEM;
	v = malloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->mod = mod;
	v->parent = parent;
	w->all[w->n_all++] = v;
	w->stack[w->sp++] = v;
	return 0;
}

/*
 * A depth-first walk from @root along dependencies that names every path coming back
 * to @root, as kmod does. Unlike kmod it never expands a module twice in one walk, so
 * a root that only leads into some other cycle cannot loop forever.
 */
static int cycles_from_root(struct lkm_depmod *d, struct dm_mod *root, bool *in_roots,
			    struct smap *loop_set, unsigned stamp)
{
	struct walk w = { 0 };
	size_t i;
	int r = walk_push(&w, root, NULL);

	while (r == 0 && w.sp > 0) {
		struct vertex *v = w.stack[--w.sp];
		struct dm_mod *m = v->mod;

		if (m->visited && m == root) {
			r = report_one_cycle(d, v, in_roots, loop_set);
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
		for (i = 0; i < m->n_deps && r == 0; i++)
			r = walk_push(&w, m->deps[i], v);
	}
	for (i = 0; i < w.n_all; i++)
		free(w.all[i]);
	free(w.all);
	free(w.stack);
	return r;
}

/* Returns how many modules are in cycles, after naming each cycle. */
static int report_cycles(struct lkm_depmod *d, const unsigned *users)
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

static int calculate_dependencies(struct lkm_depmod *d, struct lkm_err *err)
{
	unsigned *users = malloc((d->n_mods + 1) * sizeof(*users));
	size_t i;
	int n;

	if (!users)
		return -ENOMEM;
	n = sort_topologically(d, users);
	if (n >= 0 && (size_t)n < d->n_mods) {
		n = report_cycles(d, users);
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

/* ---- entry points ---- */

/* -E or -F: the kernel's own exports, there before any module's. */
int depmod_symbols_load(struct lkm_depmod *d, struct lkm_err *err)
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
	return r;
}

/* Each module's dependencies, from the symbols it needs, and their order. */
int depmod_graph_build(struct lkm_depmod *d, struct lkm_err *err)
{
	int r = resolve_symbols(d);

	if (r < 0)
		return r;
	return calculate_dependencies(d, err);
}
