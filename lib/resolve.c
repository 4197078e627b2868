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

#include "lkm.h"

struct found_list {
	struct lkm_resolved *items;
	size_t count, cap;
};

void lkm_resolved_free(struct lkm_resolved *found, size_t count)
{
	size_t i;

	if (!found)
		return;
	for (i = 0; i < count; i++) {
		free(found[i].name);
		free(found[i].path);
		free(found[i].deps);
	}
	free(found);
}

/* Open an index; a missing or unreadable one is a source that knows nothing, as in kmod. */
static struct lkm_index *get_index(struct lkm_ctx *ctx, enum lkm_index_kind kind)
{
	struct lkm_index *idx;

	return lkm_ctx_get_index(ctx, kind, &idx, NULL) < 0 ? NULL : idx;
}

/*
 * Fill path and deps from a modules.dep line "rel/path.ko: dep1.ko dep2.ko". Relative
 * paths are below the module directory; absolute ones stay as they are.
 */
static int parse_dep_line(struct lkm_ctx *ctx, const char *line, struct lkm_resolved *m)
{
	const char *colon = strchr(line, ':');
	const char *deps;
	int n;

	if (!colon)
		return 0;
	if (line[0] == '/')
		n = asprintf(&m->path, "%.*s", (int)(colon - line), line);
	else
		n = asprintf(&m->path, "%s/%.*s", lkm_ctx_get_dirname(ctx), (int)(colon - line),
			     line);
	if (n < 0) {
		m->path = NULL;
		return -ENOMEM;
	}
	deps = colon + 1;
	deps += strspn(deps, " \t");
	if (*deps) {
		m->deps = strdup(deps);
		if (!m->deps)
			return -ENOMEM;
	}
	return 0;
}

static int find_dep(struct lkm_ctx *ctx, const char *name, struct lkm_resolved *m)
{
	struct lkm_index *idx = get_index(ctx, LKM_INDEX_DEP);
	const char *line;
	int r;

	if (!idx)
		return 0;
	r = lkm_index_lookup_first(idx, name, &line, NULL);
	if (r <= 0)
		return r;
	r = parse_dep_line(ctx, line, m);
	return r < 0 ? r : 1;
}

static int add_found(struct found_list *l, struct lkm_ctx *ctx, const char *name, bool builtin)
{
	struct lkm_resolved *m;
	int r;

	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;

		m = realloc(l->items, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		l->items = m;
		l->cap = cap;
	}
	m = &l->items[l->count];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name)
		return -ENOMEM;
	l->count++;
	m->builtin = builtin;
	if (builtin)
		return 0;
	/* A module found through an alias takes its file from modules.dep. */
	r = find_dep(ctx, m->name, m);
	return r < 0 ? r : 0;
}

static int from_moddep(struct lkm_ctx *ctx, const char *name, struct found_list *l)
{
	struct lkm_index *idx = get_index(ctx, LKM_INDEX_DEP);
	const char *line;
	int r;

	/* Module names hold no ':'; an alias such as "pci:v..." cannot be one. */
	if (!idx || strchr(name, ':'))
		return 0;
	r = lkm_index_lookup_first(idx, name, &line, NULL);
	if (r <= 0)
		return r;
	return add_found(l, ctx, name, false);
}

static int from_wildcard_index(struct lkm_ctx *ctx, enum lkm_index_kind kind, const char *name,
			       bool builtin, struct found_list *l)
{
	struct lkm_index *idx = get_index(ctx, kind);
	struct lkm_index_value *values = NULL, *v;
	int r;

	if (!idx)
		return 0;
	r = lkm_index_match_wildcards(idx, name, &values);
	for (v = values; r >= 0 && v; v = v->next)
		r = add_found(l, ctx, v->value, builtin);
	lkm_index_values_free(values);
	return r < 0 ? r : 0;
}

static int from_builtin(struct lkm_ctx *ctx, const char *name, struct found_list *l)
{
	struct lkm_index *idx = get_index(ctx, LKM_INDEX_BUILTIN);
	const char *value;
	int r;

	if (!idx)
		return 0;
	r = lkm_index_lookup_first(idx, name, &value, NULL);
	if (r <= 0)
		return r;
	return add_found(l, ctx, name, true);
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
static int from_config_aliases(struct lkm_ctx *ctx, const struct lkm_config *config,
			       const char *name, struct found_list *l)
{
	if (!config)
		return 0;
	return -EOPNOTSUPP;
}

static int from_config_commands(struct lkm_ctx *ctx, const struct lkm_config *config,
				const char *name, struct found_list *l)
{
	if (!config)
		return 0;
	return -EOPNOTSUPP;
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

int lkm_resolve_lookup(struct lkm_ctx *ctx, const struct lkm_config *config, const char *alias,
		       struct lkm_resolved **out, size_t *count)
{
	struct found_list l = { 0 };
	char name[LKM_INDEX_KEY_MAX + 1];
	int r;

	r = lkm_alias_normalize(name, sizeof(name), alias);
	if (r < 0)
		return r;
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
	return finish(&l, r, out, count);
}

int lkm_resolve_name(struct lkm_ctx *ctx, const char *name, struct lkm_resolved **out,
		     size_t *count)
{
	struct found_list l = { 0 };
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
		for (size_t i = 1; i < l.count; i++) {
			free(l.items[i].name);
			free(l.items[i].path);
			free(l.items[i].deps);
		}
		l.count = 1;
	}
	return finish(&l, r, out, count);
}
