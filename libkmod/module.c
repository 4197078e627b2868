// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct kmod_module: one object per module in a context, reference counted, found
 * again by its key in the context's pool. As in kmod, the key is the module's name, or
 * "name\alias" for a module found through an alias: such a module also takes the
 * alias's options and may be blacklisted as an alias, so it is a different object.
 *
 * What comes from modules.dep (the file, the dependencies) and from the configuration
 * (options, commands) is looked up when first asked for and kept, as kmod does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkmod-internal.h"

enum builtin_state { BUILTIN_UNKNOWN, BUILTIN_NO, BUILTIN_YES };

struct kmod_module {
	struct kmod_ctx *ctx;
	int refcount;
	char *name;
	char *alias;   /* NULL unless found through an alias */
	char *hashkey; /* name, or name\alias */
	char *path;
	/* The modules.dep line's dependencies, until they become @dep. */
	char *depline;
	bool have_depline; /* @path and @depline came from modules.dep */
	bool dep_done;
	struct kmod_list *dep;
	bool options_done;
	char *options;
	bool install_done, remove_done;
	const char *install, *remove; /* owned by the configuration or by @command */
	char *command;                /* the command a lookup found the module by */
	enum builtin_state builtin;
	/* The file, opened when first read, and its ELF image (kmod_module_get_elf). */
	struct lkm_file *file;
	struct lkm_elf *elf;
};

/*
 * kmod's module name: '-' read as '_', up to the first '.'. Return: 0, or
 * -ENAMETOOLONG.
 */
static int name_normalize(char *dst, size_t size, const char *src)
{
	int r = lkm_name_normalize(dst, size, src);

	if (r < 0)
		return r;
	dst[strcspn(dst, ".")] = '\0';
	return 0;
}

/* The module @name (normalized) with @alias (may be NULL), from the pool or new. */
static int module_get(struct kmod_ctx *ctx, const char *name, const char *alias,
		      struct kmod_module **out)
{
	size_t nlen = strlen(name), alen = alias ? strlen(alias) : 0;
	struct kmod_module *m;
	char *key;
	int r;

	/* One block: name, then alias, then the key "name\alias". */
	key = malloc(nlen + 1 + (alias ? alen + 1 + nlen + 1 + alen + 1 : 0));
	if (!key)
		return -ENOMEM;
	memcpy(key, name, nlen + 1);
	if (alias) {
		memcpy(key + nlen + 1, alias, alen + 1);
		sprintf(key + nlen + 1 + alen + 1, "%s\\%s", name, alias);
	}
	m = kmod_pool_find(ctx, alias ? key + nlen + 1 + alen + 1 : key);
	if (m) {
		free(key);
		*out = kmod_module_ref(m);
		return 0;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(key);
		return -ENOMEM;
	}
	m->name = key;
	m->alias = alias ? key + nlen + 1 : NULL;
	m->hashkey = alias ? key + nlen + 1 + alen + 1 : key;
	m->refcount = 1;
	r = kmod_pool_add(ctx, m, m->hashkey);
	if (r < 0) {
		free(key);
		free(m);
		return r;
	}
	m->ctx = kmod_ref(ctx);
	*out = m;
	return 0;
}

/* Keep what modules.dep says of @m: its file (unless it has one) and dependencies. */
static int set_depline(struct kmod_module *m, const char *path, const char *deps)
{
	char *p = NULL, *d = NULL;

	if (m->have_depline || !path)
		return 0;
	if ((!m->path && !(p = strdup(path))) || (deps && !(d = strdup(deps)))) {
		free(p);
		return -ENOMEM;
	}
	if (p)
		m->path = p;
	m->depline = d;
	m->have_depline = true;
	return 0;
}

int kmod_module_new_from_resolved(struct kmod_ctx *ctx, const struct lkm_resolved *found,
				  struct kmod_module **out)
{
	struct kmod_module *m;
	int r;

	r = module_get(ctx, found->name, found->alias, &m);
	if (r < 0)
		return r;
	if (found->builtin)
		m->builtin = BUILTIN_YES;
	r = set_depline(m, found->path, found->deps);
	/* A module an install (remove) command stands for runs that very command. */
	if (r >= 0 && (found->install || found->remove) && !m->command) {
		m->command = strdup(found->install ? found->install : found->remove);
		if (!m->command) {
			r = -ENOMEM;
		} else if (found->install) {
			m->install = m->command;
			m->install_done = true;
		} else {
			m->remove = m->command;
			m->remove_done = true;
		}
	}
	if (r < 0) {
		kmod_module_unref(m);
		return r;
	}
	*out = m;
	return 0;
}

int kmod_module_list_from_resolved(struct kmod_ctx *ctx, const struct lkm_resolved *found,
				   size_t n, struct kmod_list **list)
{
	struct kmod_list *l;
	struct kmod_module *m;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = kmod_module_new_from_resolved(ctx, &found[i], &m);
		if (r < 0) {
			KMOD_ERR(ctx, "could not create module %s: %s\n", found[i].name,
				 strerror(-r));
			return r;
		}
		l = kmod_list_append(*list, m);
		if (!l) {
			kmod_module_unref(m);
			return -ENOMEM;
		}
		*list = l;
	}
	return 0;
}

KMOD_EXPORT int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
					  struct kmod_module **mod)
{
	char norm[PATH_MAX];
	int r;

	if (!ctx || !name || !mod)
		return -ENOENT;
	r = name_normalize(norm, sizeof(norm), name);
	if (r < 0)
		return r;
	return module_get(ctx, norm, NULL, mod);
}

static char *absolute_path(const char *path)
{
	char *abs;

	return lkm_path_absolute(path, &abs) < 0 ? NULL : abs;
}

KMOD_EXPORT int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path,
					  struct kmod_module **mod)
{
	char name[PATH_MAX];
	struct kmod_module *m;
	struct stat st;
	char *abs;
	int r;

	if (!ctx || !path || !mod)
		return -ENOENT;
	abs = absolute_path(path);
	if (!abs)
		return -ENOMEM;
	if (stat(abs, &st) < 0) {
		r = -errno;
		KMOD_DBG(ctx, "stat %s: %s\n", path, strerror(-r));
		free(abs);
		return r;
	}
	r = lkm_name_from_path(name, sizeof(name), path);
	if (r < 0 || !name[0]) {
		KMOD_DBG(ctx, "could not get modname from path %s\n", path);
		free(abs);
		return -ENOENT;
	}
	r = module_get(ctx, name, NULL, &m);
	if (r < 0) {
		free(abs);
		return r;
	}
	if (!m->path) {
		m->path = abs;
	} else if (strcmp(m->path, abs) == 0) {
		free(abs);
	} else {
		KMOD_ERR(ctx,
			 "kmod_module '%s' already exists with different path: new-path='%s' old-path='%s'\n",
			 name, abs, m->path);
		free(abs);
		kmod_module_unref(m);
		return -EEXIST;
	}
	m->builtin = BUILTIN_NO;
	*mod = m;
	return 0;
}

KMOD_EXPORT struct kmod_module *kmod_module_ref(struct kmod_module *mod)
{
	if (!mod)
		return NULL;
	mod->refcount++;
	return mod;
}

KMOD_EXPORT struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	struct kmod_ctx *ctx;

	if (!mod)
		return NULL;
	if (--mod->refcount > 0)
		return mod;
	ctx = mod->ctx;
	KMOD_DBG(ctx, "kmod_module %p released\n", (void *)mod);
	kmod_pool_del(ctx, mod->hashkey);
	kmod_module_unref_list(mod->dep);
	lkm_elf_free(mod->elf);
	lkm_file_free(mod->file);
	free(mod->path);
	free(mod->depline);
	free(mod->options);
	free(mod->command);
	free(mod->name);
	free(mod);
	kmod_unref(ctx);
	return NULL;
}

static void unref_data(void *data)
{
	kmod_module_unref(data);
}

KMOD_EXPORT int kmod_module_unref_list(struct kmod_list *list)
{
	kmod_list_release(list, unref_data);
	return 0;
}

KMOD_EXPORT struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	return entry ? kmod_module_ref(entry->data) : NULL;
}

KMOD_EXPORT const char *kmod_module_get_name(const struct kmod_module *mod)
{
	return mod ? mod->name : NULL;
}

struct kmod_ctx *kmod_module_get_ctx(const struct kmod_module *mod)
{
	return mod->ctx;
}

const char *kmod_module_get_alias(const struct kmod_module *mod)
{
	return mod->alias;
}

int kmod_module_get_elf(struct kmod_module *mod, const struct lkm_file **file,
			const struct lkm_elf **elf)
{
	struct lkm_err err = { 0 };
	const char *path;
	int r;

	/* As kmod: the file stays open once opened; a bad image is tried again next time. */
	if (!mod->file) {
		path = kmod_module_get_path(mod);
		if (!path)
			return -ENOENT;
		r = lkm_file_open(path, &mod->file, &err);
		if (r < 0) {
			KMOD_DBG(mod->ctx, "%s: %s\n", path, lkm_err_reason(&err, r));
			return r;
		}
	}
	if (!mod->elf) {
		r = lkm_elf_new(mod->file, &mod->elf, &err);
		if (r < 0) {
			KMOD_DBG(mod->ctx, "%s: %s\n", lkm_file_get_path(mod->file),
				 lkm_err_reason(&err, r));
			return r;
		}
	}
	*file = mod->file;
	*elf = mod->elf;
	return 0;
}

/*
 * Ask modules.dep for @m's line, unless it was given already. Not found is no error:
 * kmod asks again next time, for the index may change.
 */
static void find_depline(struct kmod_module *m)
{
	struct lkm_resolved *found;
	struct lkm_err err = { 0 };
	size_t n;
	int r;

	if (m->have_depline)
		return;
	r = lkm_resolve_name(kmod_ctx_get_lkm(m->ctx), m->name, &found, &n, &err);
	if (r < 0) {
		KMOD_ERR(m->ctx, "%s\n", lkm_err_reason(&err, r));
		return;
	}
	/* A built-in module has no line: lkm_resolve_name() found it elsewhere. */
	if (n == 1 && !found[0].builtin && strcmp(found[0].name, m->name) == 0 &&
	    set_depline(m, found[0].path, found[0].deps) < 0)
		KMOD_ERR(m->ctx, "out of memory\n");
	lkm_resolved_free(found, n);
}

KMOD_EXPORT const char *kmod_module_get_path(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;

	if (!mod)
		return NULL;
	if (m->path || m->dep_done)
		return m->path;
	find_depline(m);
	return m->path;
}

/* Turn the modules.dep line into modules, made from their paths as kmod does. */
static int load_dependencies(struct kmod_module *m)
{
	struct lkm_resolved self = { .name = m->name, .path = m->path, .deps = m->depline };
	struct lkm_resolved *deps;
	struct kmod_list *list = NULL, *l;
	struct kmod_module *dm;
	size_t n, i;
	int r;

	r = lkm_resolve_deps(kmod_ctx_get_lkm(m->ctx), &self, &deps, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r >= 0; i++) {
		r = kmod_module_new_from_path(m->ctx, deps[i].path, &dm);
		if (r < 0) {
			KMOD_ERR(m->ctx, "ctx=%p path=%s error=%s\n", (void *)m->ctx, deps[i].path,
				 strerror(-r));
			break;
		}
		l = kmod_list_append(list, dm);
		if (!l) {
			kmod_module_unref(dm);
			r = -ENOMEM;
			break;
		}
		list = l;
	}
	lkm_resolved_free(deps, n);
	if (r < 0) {
		kmod_module_unref_list(list);
		return r;
	}
	m->dep = list;
	m->dep_done = true;
	return 0;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	struct kmod_list *out = NULL, *l, *n;

	if (!mod)
		return NULL;
	if (!m->dep_done) {
		find_depline(m);
		if (!m->have_depline || load_dependencies(m) < 0)
			return NULL;
	}
	kmod_list_foreach(l, m->dep) {
		n = kmod_list_append(out, l->data);
		if (!n) {
			KMOD_ERR(m->ctx, "out of memory\n");
			kmod_module_unref_list(out);
			return NULL;
		}
		kmod_module_ref(l->data);
		out = n;
	}
	return out;
}

KMOD_EXPORT const char *kmod_module_get_options(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const struct lkm_config *cfg;

	if (!mod)
		return NULL;
	if (m->options_done)
		return m->options;
	cfg = kmod_ctx_get_config(m->ctx);
	if (cfg && lkm_config_get_options(cfg, m->name, m->alias, &m->options) < 0) {
		KMOD_ERR(m->ctx, "out of memory\n");
		return NULL;
	}
	m->options_done = true;
	return m->options;
}

KMOD_EXPORT const char *kmod_module_get_install_commands(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const struct lkm_config *cfg;
	const struct lkm_config_entry *e;

	if (!mod)
		return NULL;
	if (!m->install_done) {
		cfg = kmod_ctx_get_config(m->ctx);
		e = cfg ? lkm_config_get_install(cfg, m->name) : NULL;
		m->install = e ? e->value : NULL;
		m->install_done = true;
	}
	return m->install;
}

KMOD_EXPORT const char *kmod_module_get_remove_commands(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const struct lkm_config *cfg;
	const struct lkm_config_entry *e;

	if (!mod)
		return NULL;
	if (!m->remove_done) {
		cfg = kmod_ctx_get_config(m->ctx);
		e = cfg ? lkm_config_get_remove(cfg, m->name) : NULL;
		m->remove = e ? e->value : NULL;
		m->remove_done = true;
	}
	return m->remove;
}

bool kmod_module_is_builtin(struct kmod_module *mod)
{
	/* By name only, as kmod: a file of the same name does not say it is not built in. */
	struct lkm_resolved self = { .name = mod->name };
	struct lkm_err err = { 0 };
	int r;

	if (mod->builtin == BUILTIN_UNKNOWN) {
		r = lkm_resolve_is_builtin(kmod_ctx_get_lkm(mod->ctx), &self, &err);
		if (r < 0 && r != -ENOENT)
			KMOD_ERR(mod->ctx, "%s\n", lkm_err_reason(&err, r));
		mod->builtin = r == 0 ? BUILTIN_YES : BUILTIN_NO;
	}
	return mod->builtin == BUILTIN_YES;
}

void kmod_module_get_resolved(struct kmod_module *mod, struct lkm_resolved *out)
{
	memset(out, 0, sizeof(*out));
	out->name = mod->name;
	out->path = (char *)kmod_module_get_path(mod);
	/* A module made from its path has not asked modules.dep for its line yet. */
	if (out->path && !mod->have_depline)
		find_depline(mod);
	out->deps = mod->depline;
	out->builtin = kmod_module_is_builtin(mod);
	out->alias = mod->alias;
	if (mod->command && mod->install == mod->command)
		out->install = mod->command;
	else if (mod->command)
		out->remove = mod->command;
}
