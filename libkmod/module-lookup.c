// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Finding modules: by alias or name (lib/resolve.c's lookups, in kmod's order), the
 * soft and weak dependencies of one, and the blacklist and built-in filters.
 */
#include <errno.h>
#include <string.h>

#include "libkmod-internal.h"

/* lib/'s lookup of the alias or name @name, appended to *@list; failures are logged. */
static int lookup_into(struct kmod_ctx *ctx, const char *name, struct kmod_list **list)
{
	const struct lkm_config *cfg = kmod_ctx_get_config(ctx);
	struct lkm_err err = { 0 };
	struct lkm_resolved *found;
	size_t n;
	int r;

	r = lkm_resolve_lookup(kmod_ctx_get_lkm(ctx), cfg, name, &found, &n, &err);
	if (r < 0) {
		if (r == -EINVAL)
			KMOD_DBG(ctx, "invalid alias: %s\n", name);
		else
			KMOD_ERR(ctx, "%s: %s\n", name, lkm_err_reason(&err, r));
		return r;
	}
	r = kmod_module_list_from_resolved(ctx, found, n, list);
	lkm_resolved_free(found, n);
	return r;
}

KMOD_EXPORT int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
					    struct kmod_list **list)
{
	int r;

	if (!ctx || !given_alias)
		return -ENOENT;
	if (!list || *list) {
		KMOD_ERR(ctx, "An empty list is needed to create lookup\n");
		return -ENOSYS;
	}
	r = lookup_into(ctx, given_alias, list);
	if (r < 0) {
		kmod_module_unref_list(*list);
		*list = NULL;
	}
	return r;
}

/*
 * kmod 30 (Debian 12) gave this function the version LIBKMOD_5 and kmod 31 moved it to
 * LIBKMOD_30: one definition answers to both names, LIBKMOD_30 the default.
 */
extern __typeof__(kmod_module_new_from_name_lookup) kmod_module_new_from_name_lookup_v30
	KMOD_EXPORT;
extern __typeof__(kmod_module_new_from_name_lookup) kmod_module_new_from_name_lookup_v5
	KMOD_EXPORT __attribute__((alias("kmod_module_new_from_name_lookup_v30")));
KMOD_SYMVER(kmod_module_new_from_name_lookup_v30, "kmod_module_new_from_name_lookup@@LIBKMOD_30");
KMOD_SYMVER(kmod_module_new_from_name_lookup_v5, "kmod_module_new_from_name_lookup@LIBKMOD_5");

int kmod_module_new_from_name_lookup_v30(struct kmod_ctx *ctx, const char *modname,
					 struct kmod_module **mod)
{
	struct lkm_resolved *found;
	struct lkm_err err = { 0 };
	size_t n;
	int r;

	if (!ctx || !modname || !mod)
		return -ENOENT;
	r = lkm_resolve_name(kmod_ctx_get_lkm(ctx), modname, &found, &n, &err);
	if (r < 0) {
		KMOD_ERR(ctx, "%s: %s\n", modname, lkm_err_reason(&err, r));
		return r;
	}
	if (n > 0)
		r = kmod_module_new_from_resolved(ctx, &found[0], mod);
	lkm_resolved_free(found, n);
	return r < 0 ? r : 0;
}

KMOD_EXPORT int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
					 struct kmod_list **post)
{
	struct kmod_ctx *ctx;
	const struct lkm_config *cfg;
	struct lkm_softdeps sd;
	int r;

	if (!mod || !pre || !post)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	cfg = kmod_ctx_get_config(ctx);
	if (!cfg)
		return 0;
	r = lkm_resolve_softdeps(kmod_ctx_get_lkm(ctx), cfg, kmod_module_get_name(mod), &sd);
	if (r >= 0)
		r = kmod_module_list_from_resolved(ctx, sd.pre, sd.n_pre, pre);
	if (r >= 0)
		r = kmod_module_list_from_resolved(ctx, sd.post, sd.n_post, post);
	if (r < 0) {
		KMOD_ERR(ctx, "%s: soft dependencies: %s\n", kmod_module_get_name(mod),
			 strerror(-r));
		kmod_module_unref_list(*pre);
		kmod_module_unref_list(*post);
		*pre = *post = NULL;
	}
	/* Zeroed by lkm_resolve_softdeps() even when it failed. */
	lkm_softdeps_release(&sd);
	return r < 0 ? r : 0;
}

KMOD_EXPORT int kmod_module_get_weakdeps(const struct kmod_module *mod, struct kmod_list **weak)
{
	struct kmod_ctx *ctx;
	const struct lkm_config *cfg;
	const struct lkm_config_weakdep *w;
	size_t i;

	if (!mod || !weak)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	cfg = kmod_ctx_get_config(ctx);
	w = cfg ? lkm_config_get_weakdep(cfg, kmod_module_get_name(mod)) : NULL;
	for (i = 0; w && i < w->n_deps; i++) {
		struct kmod_list *found = NULL;

		/* As kmod: a dependency that cannot be looked up is left out. */
		if (lookup_into(ctx, w->deps[i], &found) < 0) {
			KMOD_ERR(ctx, "failed to lookup dependency '%s', continuing anyway.\n",
				 w->deps[i]);
			kmod_module_unref_list(found);
			continue;
		}
		*weak = kmod_list_append_list(*weak, found);
	}
	return 0;
}

KMOD_EXPORT int kmod_module_apply_filter(const struct kmod_ctx *ctx,
					 enum kmod_filter filter_type,
					 const struct kmod_list *input, struct kmod_list **output)
{
	/* The context is the caller's; its configuration is read here if it was not. */
	struct kmod_ctx *c = (struct kmod_ctx *)ctx;
	const struct lkm_config *cfg;
	const struct kmod_list *l;

	if (!ctx || !output)
		return -ENOENT;
	*output = NULL;
	if (!input)
		return 0;
	cfg = (filter_type & KMOD_FILTER_BLACKLIST) ? kmod_ctx_get_config(c) : NULL;
	kmod_list_foreach(l, input) {
		struct kmod_module *m = l->data;
		struct kmod_list *n;

		if (cfg && lkm_config_get_blacklist(cfg, kmod_module_get_name(m)))
			continue;
		if ((filter_type & KMOD_FILTER_BUILTIN) && kmod_module_is_builtin(m))
			continue;
		n = kmod_list_append(*output, m);
		if (!n) {
			kmod_module_unref_list(*output);
			*output = NULL;
			return -ENOMEM;
		}
		*output = n;
		kmod_module_ref(m);
	}
	return 0;
}

KMOD_EXPORT int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx,
						   const struct kmod_list *input,
						   struct kmod_list **output)
{
	return kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, input, output);
}
