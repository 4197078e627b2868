// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Name or alias to modules, through the module directory's indexes, in kmod's order.
 * Each source is asked in turn and the first one that knows the name wins, so an alias
 * can never shadow a real module name, and built-in modules come last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"

struct found_list {
	struct lkm_resolved *items;
	size_t count, cap;
	struct lkm_err *err; /* names a broken index; may be NULL */
	bool names_only;     /* LKM_RESOLVE_NAMES: no modules.dep lookup for what is found */
};

static void resolved_release(struct lkm_resolved *m)
{
	free(m->name);
	free(m->path);
	free(m->deps);
	free(m->alias);
	free(m->install);
	free(m->remove);
	memset(m, 0, sizeof(*m));
}

void lkm_resolved_free(struct lkm_resolved *found, size_t count)
{
	size_t i;

	if (!found)
		return;
	for (i = 0; i < count; i++)
		resolved_release(&found[i]);
	free(found);
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int lkm_resolved_copy(struct lkm_resolved *dst, const struct lkm_resolved *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->builtin = src->builtin;
	if (dup_opt(&dst->name, src->name) < 0 || dup_opt(&dst->path, src->path) < 0 ||
	    dup_opt(&dst->deps, src->deps) < 0 || dup_opt(&dst->alias, src->alias) < 0 ||
	    dup_opt(&dst->install, src->install) < 0 ||
	    dup_opt(&dst->remove, src->remove) < 0) {
		resolved_release(dst);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Open an index. A missing one is a source that knows nothing, as in kmod: 0 and *out
 * NULL. One that is there but unreadable or malformed is an error that names the file:
 * taken for a source that knows nothing, it made a module that is there "not found".
 */
static int get_index(struct lkm_ctx *ctx, enum lkm_index_kind kind, struct lkm_index **out,
		     struct lkm_err *err)
{
	int r = lkm_ctx_get_index(ctx, kind, out, err);

	/*
	 * A lookup's record holds nothing before its first failure, which ends it: what
	 * a missing file wrote there is taken back, and no 2 KiB copy of it is made on
	 * the stack of every lookup.
	 */
	if (r == -ENOENT) {
		if (err)
			lkm_err_clear(err);
		*out = NULL;
		return 0;
	}
	return r;
}

/* A lookup that met a malformed node deeper in the file: named as get_index() does. */
static int lookup_failed(struct lkm_ctx *ctx, enum lkm_index_kind kind, int r,
			 struct lkm_err *err)
{
	if (r == -ENOMEM)
		return r;
	return lkm_err_set(err, r, "%s/%s: %s", lkm_ctx_get_dirname(ctx),
			   lkm_index_kind_filename(kind), strerror(-r));
}

/*
 * The file of a modules.dep path, its first @len bytes at @p: a relative path is below
 * the module directory, an absolute one stays as it is. malloc'd, or NULL.
 */
static char *dep_path(struct lkm_ctx *ctx, const char *p, size_t len)
{
	char *path;

	if (p[0] == '/')
		return strndup(p, len);
	return lkm_path_join(&path, lkm_ctx_get_dirname(ctx), p, len) < 0 ? NULL : path;
}

/* Fill path and deps from a modules.dep line "rel/path.ko: dep1.ko dep2.ko". */
static int parse_dep_line(struct lkm_ctx *ctx, const char *line, struct lkm_resolved *m)
{
	const char *colon = strchr(line, ':');
	const char *deps;

	if (!colon)
		return 0;
	m->path = dep_path(ctx, line, (size_t)(colon - line));
	if (!m->path)
		return -ENOMEM;
	deps = colon + 1;
	while (*deps == ' ' || *deps == '\t')
		deps++;
	if (*deps) {
		m->deps = strdup(deps);
		if (!m->deps)
			return -ENOMEM;
	}
	return 0;
}

static int find_dep(struct lkm_ctx *ctx, const char *name, struct lkm_resolved *m,
		    struct lkm_err *err)
{
	struct lkm_index *idx;
	const char *line;
	int r;

	r = get_index(ctx, LKM_INDEX_DEP, &idx, err);
	if (r < 0 || !idx)
		return r;
	r = lkm_index_lookup_first(idx, name, &line, NULL);
	if (r < 0)
		return lookup_failed(ctx, LKM_INDEX_DEP, r, err);
	if (r == 0)
		return 0;
	r = parse_dep_line(ctx, line, m);
	return r < 0 ? r : 1;
}

/*
 * Append a module to @l. @alias is what led to it (NULL: its own name). Unless built
 * in, or only names are asked for, its file and dependencies come from modules.dep:
 * from @dep_line when the caller has it already, else looked up.
 */
static int add_found(struct found_list *l, struct lkm_ctx *ctx, const char *name, bool builtin,
		     const char *alias, const char *dep_line)
{
	struct lkm_resolved *m;
	int r;

	if (lkm_array_grow(&l->items, &l->cap, l->count + 1, sizeof(*l->items), 4) < 0)
		return -ENOMEM;
	m = &l->items[l->count];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return -ENOMEM;
	l->count++;
	m->builtin = builtin;
	if (dup_opt(&m->alias, alias) < 0)
		return -ENOMEM;
	if (builtin || l->names_only)
		return 0;
	r = dep_line ? parse_dep_line(ctx, dep_line, m) : find_dep(ctx, m->name, m, l->err);
	return r < 0 ? r : 0;
}

static int from_moddep(struct lkm_ctx *ctx, const char *name, struct found_list *l)
{
	struct lkm_index *idx;
	const char *line;
	int r;

	/* Module names hold no ':'; an alias such as "pci:v..." cannot be one. */
	if (strchr(name, ':'))
		return 0;
	r = get_index(ctx, LKM_INDEX_DEP, &idx, l->err);
	if (r < 0 || !idx)
		return r;
	r = lkm_index_lookup_first(idx, name, &line, NULL);
	if (r < 0)
		return lookup_failed(ctx, LKM_INDEX_DEP, r, l->err);
	if (r == 0)
		return 0;
	return add_found(l, ctx, name, false, NULL, line);
}

static int from_wildcard_index(struct lkm_ctx *ctx, enum lkm_index_kind kind, const char *name,
			       bool builtin, struct found_list *l)
{
	struct lkm_index *idx;
	struct lkm_index_value *values = NULL, *v;
	int r;

	r = get_index(ctx, kind, &idx, l->err);
	if (r < 0 || !idx)
		return r;
	r = lkm_index_match_wildcards(idx, name, &values);
	if (r < 0)
		return lookup_failed(ctx, kind, r, l->err);
	for (v = values; r >= 0 && v; v = v->next)
		r = add_found(l, ctx, v->value, builtin, name, NULL);
	lkm_index_values_free(values);
	return r < 0 ? r : 0;
}

static int from_builtin(struct lkm_ctx *ctx, const char *name, struct found_list *l)
{
	struct lkm_index *idx;
	const char *value;
	int r;

	r = get_index(ctx, LKM_INDEX_BUILTIN, &idx, l->err);
	if (r < 0 || !idx)
		return r;
	r = lkm_index_lookup_first(idx, name, &value, NULL);
	if (r < 0)
		return lookup_failed(ctx, LKM_INDEX_BUILTIN, r, l->err);
	if (r == 0)
		return 0;
	return add_found(l, ctx, name, true, NULL, NULL);
}

static int from_symbols(struct lkm_ctx *ctx, const char *name, struct found_list *l)
{
	if (strncmp(name, "symbol:", 7) != 0)
		return 0;
	return from_wildcard_index(ctx, LKM_INDEX_SYMBOLS, name, false, l);
}

/*
 * Aliases and install/remove commands from modprobe.d. Without a config (modinfo reads
 * none, as kmod's modinfo does) these sources know nothing.
 */
/*
 * Aliases from modprobe.d: every alias whose pattern matches, in file order. The module
 * keeps the pattern as its alias, for blacklisting and "options PATTERN". Without a
 * config (modinfo reads none, as kmod's modinfo does) this source knows nothing.
 */
static int from_config_aliases(struct lkm_ctx *ctx, const struct lkm_config *config,
			       const char *name, struct found_list *l)
{
	const struct lkm_config_alias *a = NULL;
	int r;

	if (!config)
		return 0;
	while ((a = lkm_config_next_alias(config, name, a))) {
		r = add_found(l, ctx, a->modname, false, a->pattern, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct lkm_config_entry *exact_entry(const struct lkm_config_entry *v, size_t n,
						  const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].modname, name) == 0)
			return &v[i];
	return NULL;
}

/*
 * A name that only an install (else a remove) command knows is a module too, backed by
 * that command; the first entry naming it exactly counts, as in module-init-tools.
 */
static int from_config_commands(struct lkm_ctx *ctx, const struct lkm_config *config,
				const char *name, struct found_list *l)
{
	const struct lkm_config_entry *e;
	struct lkm_resolved *m;
	bool install = true;
	int r;

	if (!config)
		return 0;
	e = exact_entry(config->installs, config->n_installs, name);
	if (!e) {
		install = false;
		e = exact_entry(config->removes, config->n_removes, name);
	}
	if (!e)
		return 0;
	r = add_found(l, ctx, e->modname, false, NULL, NULL);
	if (r < 0)
		return r;
	m = &l->items[l->count - 1];
	return dup_opt(install ? &m->install : &m->remove, e->value);
}

static int finish(struct found_list *l, int r, struct lkm_resolved **out, size_t *count)
{
	if (r < 0) {
		lkm_resolved_free(l->items, l->count);
		*out = NULL;
		*count = 0;
		return r;
	}
	*out = l->items;
	*count = l->count;
	return (int)l->count;
}

static int resolve_lookup(struct lkm_ctx *ctx, const struct lkm_config *config,
			  const char *alias, bool names_only, struct lkm_resolved **out,
			  size_t *count, struct lkm_err *err)
{
	struct found_list l = { .err = err, .names_only = names_only };
	char small[LKM_NAME_MAX], *name = small;
	size_t len = strlen(alias);
	int r;

	/* Aliases are short: a long one (up to an index key's bound) on the heap. */
	if (len > LKM_INDEX_KEY_MAX)
		return -ENAMETOOLONG;
	if (len >= sizeof(small) && !(name = malloc(len + 1)))
		return -ENOMEM;
	r = lkm_alias_normalize(name, len + 1, alias);
	if (r < 0)
		goto out;
	r = from_config_aliases(ctx, config, name, &l);
	if (r >= 0 && !l.count)
		r = from_moddep(ctx, name, &l);
	if (r >= 0 && !l.count)
		r = from_symbols(ctx, name, &l);
	if (r >= 0 && !l.count)
		r = from_config_commands(ctx, config, name, &l);
	if (r >= 0 && !l.count)
		r = from_wildcard_index(ctx, LKM_INDEX_ALIAS, name, false, &l);
	if (r >= 0 && !l.count)
		r = from_builtin(ctx, name, &l);
	if (r >= 0 && !l.count)
		r = from_wildcard_index(ctx, LKM_INDEX_BUILTIN_ALIAS, name, true, &l);
	r = finish(&l, r, out, count);
out:
	if (name != small)
		free(name);
	return r;
}

int lkm_resolve_lookup(struct lkm_ctx *ctx, const struct lkm_config *config, const char *alias,
		       struct lkm_resolved **out, size_t *count, struct lkm_err *err)
{
	return resolve_lookup(ctx, config, alias, false, out, count, err);
}

int lkm_resolve_name(struct lkm_ctx *ctx, const char *name, struct lkm_resolved **out,
		     size_t *count, struct lkm_err *err)
{
	struct found_list l = { .err = err };
	char norm[LKM_NAME_MAX];
	int r;

	/* As kmod: the name ends at the first '.', so "fat.ko" means fat. */
	r = lkm_name_from_path(norm, sizeof(norm), name);
	if (r < 0)
		return r;
	if (strchr(name, '/'))
		return finish(&l, 0, out, count);
	r = from_moddep(ctx, norm, &l);
	if (r >= 0 && !l.count)
		r = from_builtin(ctx, norm, &l);
	if (r >= 0 && !l.count)
		r = from_wildcard_index(ctx, LKM_INDEX_BUILTIN_ALIAS, norm, true, &l);
	if (r >= 0 && l.count > 1) {
		/* A name resolves to one module at most. */
		for (size_t i = 1; i < l.count; i++)
			resolved_release(&l.items[i]);
		l.count = 1;
	}
	return finish(&l, r, out, count);
}

bool lkm_resolve_is_path(const char *arg)
{
	return arg[0] == '/' || strncmp(arg, "./", 2) == 0;
}

int lkm_resolve_path(struct lkm_ctx *ctx, const char *path, struct lkm_resolved **out,
		     size_t *count, struct lkm_err *err)
{
	struct found_list l = { .err = err };
	struct lkm_resolved dep = { 0 };
	char name[LKM_NAME_MAX];
	struct lkm_resolved *m;
	struct stat st;
	int r;

	*out = NULL;
	*count = 0;
	if (stat(path, &st) < 0)
		return -errno;
	r = lkm_name_from_path(name, sizeof(name), path);
	if (r < 0)
		return r;
	if (!name[0])
		return lkm_err_set(err, -ENOENT, "the file name gives no module name");
	if (lkm_array_grow(&l.items, &l.cap, 1, sizeof(*l.items), 1) < 0)
		return -ENOMEM;
	m = &l.items[l.count++];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	r = m->name ? lkm_path_absolute(path, &m->path) : -ENOMEM;
	/* The dependencies are those of the module of that name; the file is this one. */
	if (r >= 0)
		r = find_dep(ctx, name, &dep, err);
	if (r > 0) {
		m->deps = dep.deps;
		dep.deps = NULL;
	}
	resolved_release(&dep);
	return finish(&l, r, out, count);
}

int lkm_resolve_arg(struct lkm_ctx *ctx, const struct lkm_config *config, const char *arg,
		    unsigned flags, struct lkm_resolved **out, size_t *count, bool *file,
		    struct lkm_err *err)
{
	struct stat st;
	int r;

	*file = (flags & LKM_RESOLVE_PATHS) && lkm_resolve_is_path(arg);
	if (*file)
		return lkm_resolve_path(ctx, arg, out, count, err);
	r = resolve_lookup(ctx, config, arg, flags & LKM_RESOLVE_NAMES, out, count, err);
	if (r == 0 && (flags & LKM_RESOLVE_FILE_FALLBACK) && stat(arg, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		lkm_resolved_free(*out, *count);
		*file = true;
		return lkm_resolve_path(ctx, arg, out, count, err);
	}
	return r;
}

int lkm_resolved_show_symbols(const struct lkm_resolved *mod, bool exports,
			      struct lkm_buf *out, struct lkm_err *err)
{
	struct lkm_file *f;
	int r;

	if (!mod->path)
		return lkm_err_set(err, -ENOENT, "%s", mod->builtin ?
				   "built into the kernel, there is no module file" :
				   "not in modules.dep, there is no module file");
	r = lkm_file_open(mod->path, &f, err);
	if (r < 0)
		return r;
	r = lkm_elf_show_symbols(f, exports, out, err);
	lkm_file_free(f);
	return r;
}

int lkm_resolve_deps(struct lkm_ctx *ctx, const struct lkm_resolved *mod,
		     struct lkm_resolved **out, size_t *count)
{
	struct found_list l = { 0 };
	const char *p, *end;
	char name[LKM_NAME_MAX];
	struct lkm_resolved *m;
	size_t len;
	int r = 0;

	/* modules.dep lists the dependency needed last first: walk it backwards. */
	end = mod->deps ? mod->deps + strlen(mod->deps) : NULL;
	while (end && end > mod->deps && r >= 0) {
		while (end > mod->deps && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		p = end;
		while (p > mod->deps && p[-1] != ' ' && p[-1] != '\t')
			p--;
		if (p == end)
			break;
		len = (size_t)(end - p);
		end = p;
		if (lkm_name_from_path_len(name, sizeof(name), p, len) < 0 || !name[0])
			continue;
		/* Added as built in so no modules.dep lookup is made; the path is known. */
		r = add_found(&l, ctx, name, true, NULL, NULL);
		if (r < 0)
			break;
		m = &l.items[l.count - 1];
		m->builtin = false;
		m->path = dep_path(ctx, p, len);
		r = m->path ? 0 : -ENOMEM;
	}
	return finish(&l, r, out, count);
}

static int append_lookups(struct lkm_ctx *ctx, const struct lkm_config *config,
			  const char *const *names, size_t n, struct found_list *l)
{
	struct lkm_resolved *found;
	size_t i, j, count;
	int r;

	for (i = 0; i < n; i++) {
		/* As kmod, a name that finds nothing is skipped, even for a broken index. */
		r = lkm_resolve_lookup(ctx, config, names[i], &found, &count, NULL);
		if (r == -ENOMEM)
			return r;
		if (r <= 0)
			continue;
		for (j = 0; j < count; j++) {
			if (lkm_array_grow(&l->items, &l->cap, l->count + 1,
					   sizeof(*l->items), 4) < 0) {
				lkm_resolved_free(found, count);
				return -ENOMEM;
			}
			/* Moved, not copied: the lookup's array loses its entries. */
			l->items[l->count++] = found[j];
		}
		free(found);
	}
	return 0;
}

void lkm_softdeps_release(struct lkm_softdeps *sd)
{
	lkm_resolved_free(sd->pre, sd->n_pre);
	lkm_resolved_free(sd->post, sd->n_post);
	memset(sd, 0, sizeof(*sd));
}

int lkm_resolve_softdeps(struct lkm_ctx *ctx, const struct lkm_config *config, const char *name,
			 struct lkm_softdeps *out)
{
	struct found_list pre = { 0 }, post = { 0 };
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; config && i < config->n_softdeps && r >= 0; i++) {
		const struct lkm_config_softdep *d = &config->softdeps[i];

		if (!lkm_fnmatch(d->modname, name))
			continue;
		r = lkm_config_softdep_split(config, d);
		if (r >= 0)
			r = append_lookups(ctx, config, d->pre, d->n_pre, &pre);
		if (r >= 0)
			r = append_lookups(ctx, config, d->post, d->n_post, &post);
	}
	if (r < 0) {
		lkm_resolved_free(pre.items, pre.count);
		lkm_resolved_free(post.items, post.count);
		return r;
	}
	out->pre = pre.items;
	out->n_pre = pre.count;
	out->post = post.items;
	out->n_post = post.count;
	return 0;
}

int lkm_resolve_is_builtin(struct lkm_ctx *ctx, const struct lkm_resolved *mod,
			   struct lkm_err *err)
{
	struct lkm_index *idx;
	const char *value;
	int r;

	if (mod->builtin)
		return 0;
	if (mod->path)
		return -ENOENT;
	r = lkm_ctx_get_index(ctx, LKM_INDEX_BUILTIN, &idx, err);
	if (r < 0)
		return r;
	r = lkm_index_lookup_first(idx, mod->name, &value, NULL);
	if (r < 0)
		return lookup_failed(ctx, LKM_INDEX_BUILTIN, r, err);
	return r == 1 ? 0 : -ENOENT;
}

int lkm_resolve_initstate(struct lkm_ctx *ctx, const struct lkm_resolved *mod)
{
	/* A broken modules.builtin.bin leaves the question to the kernel, which knows. */
	if (lkm_resolve_is_builtin(ctx, mod, NULL) == 0)
		return LKM_INITSTATE_BUILTIN;
	return lkm_kernel_get_initstate(ctx, mod->name);
}
