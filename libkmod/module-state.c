// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the kernel says of a module: its initstate, reference count, size, holders and
 * sections (from /sys/module/NAME), and the modules of /proc/modules. Each answer comes
 * from lib/kernel.c, through the lib/ context's /sys and /proc.
 *
 * As in kmod, a module that is not loaded is an error (-ENOENT, or NULL for a list),
 * and the reasons go to the context's log: at debug level when a file is just absent,
 * as errors when it is there and cannot be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libkmod-internal.h"

/* A section of kmod_module_get_sections()'s list: its address, then its name. */
struct section {
	unsigned long address;
	char name[];
};

/*
 * Whether /sys/module could hold @name at all. lib/ refuses a name that is not one path
 * component (-EINVAL); kmod would look for that path and not find it, so here it is a
 * module the kernel does not know (-ENOENT), whatever its odd name.
 */
static bool sys_name_ok(const char *name)
{
	return name[0] != '\0' && !strchr(name, '/');
}

KMOD_EXPORT const char *kmod_module_initstate_str(enum kmod_module_initstate state)
{
	switch (state) {
	case KMOD_MODULE_BUILTIN:
		return "builtin";
	case KMOD_MODULE_LIVE:
		return "live";
	case KMOD_MODULE_COMING:
		return "coming";
	case KMOD_MODULE_GOING:
		return "going";
	default:
		return NULL;
	}
}

KMOD_EXPORT int kmod_module_get_initstate(const struct kmod_module *mod)
{
	const char *name;
	struct kmod_ctx *ctx;
	int r;

	if (!mod)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	name = kmod_module_get_name(mod);
	/* Built in by modules.builtin, as kmod asks first, without /sys. */
	if (kmod_module_is_builtin((struct kmod_module *)mod))
		return KMOD_MODULE_BUILTIN;
	if (!sys_name_ok(name))
		return -ENOENT;
	r = lkm_kernel_get_initstate(kmod_ctx_get_lkm(ctx), name);
	switch (r) {
	case LKM_INITSTATE_BUILTIN:
		/*
		 * lib/ reads a directory without initstate as a built-in module. kmod
		 * (since its commit fd44a98, "Fix race while loading modules") has
		 * asked modules.builtin already, so for it such a directory is a module
		 * whose initstate file the kernel has not created yet: coming.
		 */
		return KMOD_MODULE_COMING;
	case LKM_INITSTATE_LIVE:
		return KMOD_MODULE_LIVE;
	case LKM_INITSTATE_COMING:
		return KMOD_MODULE_COMING;
	case LKM_INITSTATE_GOING:
		return KMOD_MODULE_GOING;
	case -EINVAL:
		KMOD_ERR(ctx, "unknown %s/module/%s/initstate\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name);
		return r;
	default:
		if (r >= 0)
			return -EINVAL;
		KMOD_DBG(ctx, "could not read %s/module/%s/initstate: %s\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name, strerror(-r));
		return r;
	}
}

KMOD_EXPORT int kmod_module_get_refcnt(const struct kmod_module *mod)
{
	struct kmod_ctx *ctx;
	const char *name;
	int r, refcnt;

	if (!mod)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	name = kmod_module_get_name(mod);
	if (!sys_name_ok(name))
		return -ENOENT;
	r = lkm_kernel_get_refcnt(kmod_ctx_get_lkm(ctx), name, &refcnt);
	if (r == -ENOENT) {
		KMOD_DBG(ctx, "could not open '%s/module/%s/refcnt': %s\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name, strerror(-r));
		return r;
	}
	if (r < 0) {
		KMOD_ERR(ctx, "could not read integer from '%s/module/%s/refcnt': '%s'\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name, strerror(-r));
		return r;
	}
	return refcnt;
}

/* kmod's fallback for kernels without coresize (before 3.3): the size column. */
static long size_from_proc_modules(struct kmod_ctx *ctx, const char *name)
{
	struct lkm_loaded_list *loaded;
	const struct lkm_loaded *m;
	struct lkm_err err = { 0 };
	long size = -ENOENT;
	int r;

	r = lkm_kernel_get_loaded(kmod_ctx_get_lkm(ctx), &loaded, &err);
	if (r < 0) {
		KMOD_ERR(ctx, "could not open %s\n", lkm_err_reason(&err, r));
		return r;
	}
	m = lkm_loaded_list_find(loaded, name);
	if (m)
		size = (long)m->size;
	lkm_loaded_list_free(loaded);
	return size;
}

KMOD_EXPORT long kmod_module_get_size(const struct kmod_module *mod)
{
	struct lkm_ctx *lkm;
	struct kmod_ctx *ctx;
	const char *name;
	unsigned long size;
	int r;

	if (!mod)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	name = kmod_module_get_name(mod);
	if (!sys_name_ok(name))
		return -ENOENT;
	lkm = kmod_ctx_get_lkm(ctx);
	r = lkm_kernel_get_coresize(lkm, name, &size);
	if (r == 0)
		return (long)size;
	if (r == -EINVAL || r == -ERANGE) {
		/*
		 * kmod logs this too, and then returns 0 (its reader zeroes the number
		 * before it fails); a size it could not read is an error here.
		 */
		KMOD_ERR(ctx, "failed to read coresize from %s/module/%s\n",
			 lkm_ctx_get_sys(lkm), name);
		return r;
	}
	/* No /sys/module/NAME: not loaded, and kmod does not look further. */
	r = lkm_kernel_get_initstate(lkm, name);
	if (r == -ENOENT)
		return r;
	return size_from_proc_modules(ctx, name);
}

KMOD_EXPORT struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *holder;
	struct kmod_ctx *ctx;
	const char *name;
	char **names;
	size_t n, i;
	int r;

	if (!mod)
		return NULL;
	ctx = kmod_module_get_ctx(mod);
	name = kmod_module_get_name(mod);
	r = -ENOENT;
	if (sys_name_ok(name))
		r = lkm_kernel_get_holders(kmod_ctx_get_lkm(ctx), name, &names, &n);
	if (r < 0) {
		KMOD_ERR(ctx, "could not open '%s/module/%s/holders': %s\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name, strerror(-r));
		return NULL;
	}
	for (i = 0; i < n; i++) {
		r = kmod_module_new_from_name(ctx, names[i], &holder);
		if (r < 0) {
			KMOD_ERR(ctx, "could not create module for '%s': %s\n", names[i],
				 strerror(-r));
			goto fail;
		}
		l = kmod_list_append(list, holder);
		if (!l) {
			KMOD_ERR(ctx, "out of memory\n");
			kmod_module_unref(holder);
			goto fail;
		}
		list = l;
	}
	lkm_kernel_holders_free(names);
	return list;
fail:
	lkm_kernel_holders_free(names);
	kmod_module_unref_list(list);
	return NULL;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	struct lkm_section *sections;
	struct section *s;
	struct kmod_ctx *ctx;
	const char *name;
	size_t n, i, len;
	int r;

	if (!mod)
		return NULL;
	ctx = kmod_module_get_ctx(mod);
	name = kmod_module_get_name(mod);
	r = -ENOENT;
	if (sys_name_ok(name))
		r = lkm_kernel_get_sections(kmod_ctx_get_lkm(ctx), name, &sections, &n);
	if (r < 0) {
		KMOD_ERR(ctx, "could not read '%s/module/%s/sections': %s\n",
			 lkm_ctx_get_sys(kmod_ctx_get_lkm(ctx)), name, strerror(-r));
		return NULL;
	}
	for (i = 0; i < n; i++) {
		len = strlen(sections[i].name) + 1;
		s = malloc(sizeof(*s) + len);
		if (!s)
			goto oom;
		s->address = (unsigned long)sections[i].address;
		memcpy(s->name, sections[i].name, len);
		l = kmod_list_append(list, s);
		if (!l) {
			free(s);
			goto oom;
		}
		list = l;
	}
	lkm_kernel_sections_free(sections, n);
	return list;
oom:
	/* kmod releases this list as one of modules, which would crash: sections here. */
	KMOD_ERR(ctx, "out of memory\n");
	lkm_kernel_sections_free(sections, n);
	kmod_module_section_free_list(list);
	return NULL;
}

KMOD_EXPORT const char *kmod_module_section_get_name(const struct kmod_list *entry)
{
	const struct section *s;

	if (!entry)
		return NULL;
	s = entry->data;
	return s->name;
}

KMOD_EXPORT unsigned long kmod_module_section_get_address(const struct kmod_list *entry)
{
	const struct section *s;

	if (!entry)
		return (unsigned long)-1;
	s = entry->data;
	return s->address;
}

KMOD_EXPORT void kmod_module_section_free_list(struct kmod_list *list)
{
	kmod_list_release(list, free);
}

KMOD_EXPORT int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list)
{
	const struct lkm_loaded *mods;
	struct lkm_loaded_list *loaded;
	struct lkm_err err = { 0 };
	struct kmod_list *out = NULL, *l;
	struct kmod_module *m;
	size_t n, i;
	int r;

	if (!ctx || !list)
		return -ENOENT;
	r = lkm_kernel_get_loaded(kmod_ctx_get_lkm(ctx), &loaded, &err);
	if (r < 0) {
		/* lib/ names the file: "could not open /proc/modules: WHY", as kmod. */
		KMOD_ERR(ctx, "could not open %s\n", lkm_err_reason(&err, r));
		return r;
	}
	/*
	 * Every line in order; as in kmod, a module that cannot be made is logged and
	 * left out, and the others are still given. A line lib/ cannot parse is skipped
	 * (kmod takes its first word); the kernel writes none.
	 */
	mods = lkm_loaded_list_get(loaded, &n);
	for (i = 0; i < n; i++) {
		r = kmod_module_new_from_name(ctx, mods[i].name, &m);
		if (r < 0) {
			KMOD_ERR(ctx, "could not get module from name '%s': %s\n",
				 mods[i].name, strerror(-r));
			continue;
		}
		l = kmod_list_append(out, m);
		if (!l) {
			KMOD_ERR(ctx, "out of memory\n");
			kmod_module_unref(m);
			continue;
		}
		out = l;
	}
	lkm_loaded_list_free(loaded);
	*list = out;
	return 0;
}
