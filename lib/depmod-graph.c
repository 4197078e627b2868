// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's graph: the symbols every module and the kernel export, each module's
 * dependencies through them, and kmod's topological order of the modules, with
 * every cycle named when there is none.
 */
#include <errno.h>
#include <stdint.h>
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

/*
 * The report, as kmod 34 makes it (tools/depmod.c: depmod_calculate_dependencies,
 * depmod_report_cycles, depmod_report_cycles_from_root, depmod_report_one_cycle; kmod
 * 30 does the same, `git log -p v30..v34 -- tools/depmod.c` only changes error paths):
 *  - The roots are the modules the topological sort left: those with a user left, that
 *    is every module in a cycle and every module a cycle depends on, in module order.
 *    They are a ring (kmod's list) with a first one: a module taken off it makes the
 *    one after it the first, going round (kmod_list_remove_data returns the next
 *    node), so the walks do not go in module order.
 *  - Until none is left, the first root is taken off and a walk starts there.
 *  - A walk is depth first, on a stack: a module's dependencies are pushed in their
 *    order, so the last one is followed first. Nothing is cut where a path meets a
 *    module seen before: every path from the root is followed, until it comes back to
 *    the root or ends at a module with no dependency, which is taken off the roots.
 *  - Each path back to the root is named as it is popped, root first:
 *    "Cycle detected: r -> m1 -> m2 -> r" (a module needing itself: "r -> r"). Its
 *    modules are taken off the roots and counted, each module once however often named.
 *  - A root some earlier walk went through is named alone when its turn comes,
 *    "Cycle detected: m", and not counted: when kmod gets there, such a module is below
 *    a cycle, not in one (it has a dependency, so it stayed a root).
 *  - Then "Found N modules in dependency cycles!", N the modules counted; depmod fails
 *    and writes nothing. Every line is an error ("depmod: ERROR: ...").
 * kmod's walk only ends when every cycle it can reach goes through its root. Where one
 * does not (two cycles sharing a module, walked from a module of only one of them; a
 * diamond entered below its top), kmod goes round that cycle for ever, naming ever
 * longer "cycles", or silently until out of memory, or dying on its stack's assertion
 * (`is < stack_size'). So each walk is checked first: one that ends in kmod is kmod's,
 * line for line; one that would not follows each module once (each line a cycle
 * through the root, no module twice) and marks no module as gone through, so a module
 * of the other cycle stays a root and its own walk names that cycle.
 * kmod's stack has room for as many entries as there were roots: a walk through
 * modules with many dependencies can need more even where it ends, and then kmod dies
 * on that assertion too. lkm's stack grows: its lines are those kmod's walk would give.
 */

/* An entry of a walk's stack: n is the module's place on the path (0: the root). */
struct cyc_ent {
	struct dm_mod *mod;
	size_t n;
};

#define NO_ROOT SIZE_MAX

/* One report: the ring of roots, the modules counted, and the walks' stacks. */
struct cycles {
	struct lkm_depmod *d;
	bool *in_roots, *on_stack; /* by module index */
	size_t *next, *prev;       /* the ring of roots, by module index */
	size_t first;              /* NO_ROOT once the ring is empty */
	struct smap counted;
	struct cyc_ent *stack;     /* the walk's entries not popped yet */
	size_t sp, cap_stack;
	struct dm_mod **path;      /* path[0..n-1]: the path to the entry popped */
	size_t cap_path;
	unsigned stamp;
};

/* Off the ring, the one after it first, as kmod_list_remove_data does. */
static void root_remove(struct cycles *c, size_t i)
{
	if (!c->in_roots[i])
		return;
	c->in_roots[i] = false;
	if (c->next[i] == i) {
		c->first = NO_ROOT;
		return;
	}
	c->next[c->prev[i]] = c->next[i];
	c->prev[c->next[i]] = c->prev[i];
	c->first = c->next[i];
}

static int cyc_push(struct cycles *c, struct dm_mod *mod, size_t n)
{
	if (lkm_array_grow(&c->stack, &c->cap_stack, c->sp + 1, sizeof(*c->stack), 64) < 0)
		return -ENOMEM;
	c->stack[c->sp++] = (struct cyc_ent){ mod, n };
	return 0;
}

/* "Cycle detected: " path[0..n-1] then @last; those n counted and off the roots. */
static int report_one_cycle(struct cycles *c, size_t n, struct dm_mod *last)
{
	struct lkm_buf buf = { 0 };
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		root_remove(c, c->path[i]->idx);
		r = smap_put(&c->counted, c->path[i]->name, c->path[i], NULL);
		if (r == 0)
			r = lkm_buf_printf(&buf, "%s -> ", c->path[i]->name);
	}
	if (r == 0)
		r = lkm_buf_puts(&buf, last->name);
	if (r == 0)
		depmod_log(c->d, LKM_DEPMOD_ERROR, "Cycle detected: %s", buf.data);
	lkm_buf_free(&buf);
	return r;
}

/*
 * Whether a cycle reached from @root misses it: kmod's walk would never end. A
 * depth-first search on c->stack, where n is the next dependency to look at and the
 * root ends every path.
 */
static int walk_would_loop(struct cycles *c, struct dm_mod *root)
{
	unsigned seen = ++c->stamp;
	int loops = 0;

	c->sp = 0;
	if (cyc_push(c, root, 0) < 0)
		return -ENOMEM;
	root->stamp = seen;
	while (c->sp > 0 && loops == 0) {
		struct cyc_ent *e = &c->stack[c->sp - 1];
		struct dm_mod *dep;

		if (e->n == e->mod->n_deps) {
			c->on_stack[e->mod->idx] = false;
			c->sp--;
			continue;
		}
		dep = e->mod->deps[e->n++];
		if (c->on_stack[dep->idx])
			loops = 1;
		else if (dep->stamp != seen) {
			dep->stamp = seen;
			c->on_stack[dep->idx] = true;
			loops = cyc_push(c, dep, 0);
		}
	}
	for (; c->sp > 0; c->sp--)
		c->on_stack[c->stack[c->sp - 1].mod->idx] = false;
	return loops;
}

/*
 * kmod's walk from @root (see above); with @once, each module is followed once only
 * and none is marked as gone through.
 */
static int walk(struct cycles *c, struct dm_mod *root, bool once)
{
	unsigned stamp = ++c->stamp;
	size_t i;
	int r;

	c->sp = 0;
	r = cyc_push(c, root, 0);
	while (r == 0 && c->sp > 0) {
		struct cyc_ent e = c->stack[--c->sp];
		struct dm_mod *m = e.mod;

		if (m == root && e.n > 0) {
			r = report_one_cycle(c, e.n, root);
			continue;
		}
		if (once && m->stamp == stamp)
			continue;
		m->stamp = stamp;
		m->visited = m->visited || !once;
		r = lkm_array_grow(&c->path, &c->cap_path, e.n + 1, sizeof(*c->path), 16);
		if (r < 0)
			break;
		c->path[e.n] = m;
		if (m->n_deps == 0)
			root_remove(c, m->idx);
		for (i = 0; i < m->n_deps && r == 0; i++)
			r = cyc_push(c, m->deps[i], e.n + 1);
	}
	return r;
}

static int cycles_from_root(struct cycles *c, struct dm_mod *root)
{
	int loops;

	if (root->visited)
		return report_one_cycle(c, 0, root);
	loops = walk_would_loop(c, root);
	if (loops < 0)
		return loops;
	return walk(c, root, loops);
}

/* The ring of the modules still used, in module order. */
static int roots_make(struct cycles *c, const unsigned *users)
{
	size_t n = c->d->n_mods, i, last = NO_ROOT;

	c->in_roots = calloc(n + 1, sizeof(*c->in_roots));
	c->on_stack = calloc(n + 1, sizeof(*c->on_stack));
	c->next = malloc((n + 1) * sizeof(*c->next));
	c->prev = malloc((n + 1) * sizeof(*c->prev));
	if (!c->in_roots || !c->on_stack || !c->next || !c->prev)
		return -ENOMEM;
	c->first = NO_ROOT;
	for (i = 0; i < n; i++) {
		if (users[i] == 0)
			continue;
		c->in_roots[i] = true;
		if (last == NO_ROOT)
			c->first = i;
		else
			c->next[last] = i;
		c->prev[i] = last;
		last = i;
	}
	if (last != NO_ROOT) {
		c->next[last] = c->first;
		c->prev[c->first] = last;
	}
	return 0;
}

/* Names each cycle; returns how many modules are in them. */
static int report_cycles(struct lkm_depmod *d, const unsigned *users)
{
	struct cycles c = { .d = d };
	int r = roots_make(&c, users);

	while (r == 0 && c.first != NO_ROOT) {
		struct dm_mod *root = d->mods[c.first];

		root_remove(&c, root->idx);
		r = cycles_from_root(&c, root);
	}
	if (r == 0) {
		r = (int)c.counted.n;
		depmod_log(d, LKM_DEPMOD_ERROR, "Found %d modules in dependency cycles!", r);
	}
	smap_free(&c.counted);
	free(c.in_roots);
	free(c.on_stack);
	free(c.next);
	free(c.prev);
	free(c.stack);
	free(c.path);
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
