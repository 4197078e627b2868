// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * struct kmod_config_iter: kmod's walk over one kind of entry of the context's modprobe
 * configuration (lib/config*.c read it: the modprobe.d files with depmod's
 * modules.softdep and modules.weakdep among them, then the kernel command line, in
 * kmod's order).
 *
 * As in kmod, a new iterator stands before the first entry, and the first call of
 * kmod_config_iter_next() moves to it. After the last entry it stands before the first
 * again, so the next call starts over. The keys and values are the configuration's,
 * which lives as long as the context; the iterator only indexes into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libkmod-internal.h"

enum config_kind {
	CONFIG_BLACKLIST,
	CONFIG_INSTALL,
	CONFIG_REMOVE,
	CONFIG_ALIAS,
	CONFIG_OPTIONS,
	CONFIG_SOFTDEP,
	CONFIG_WEAKDEP,
};

/* Where an iterator stands when it is before the first entry. */
#define BEFORE_FIRST ((size_t)-1)

struct kmod_config_iter {
	enum config_kind kind;
	/* The entries of @kind, an array of the lkm_config_* record of that kind. */
	union {
		const struct lkm_config_blacklist *blacklists;
		const struct lkm_config_entry *entries;
		const struct lkm_config_alias *aliases;
		const struct lkm_config_softdep *softdeps;
		const struct lkm_config_weakdep *weakdeps;
	} v;
	size_t n;
	size_t pos; /* BEFORE_FIRST or < n */
	/* A softdep's or weakdep's value, made for the entry at @value_pos. */
	char *value;
	size_t value_pos;
};

static struct kmod_config_iter *iter_new(const struct kmod_ctx *ctx,
					 enum config_kind kind)
{
	struct kmod_config_iter *iter;
	const struct lkm_config *cfg;

	if (!ctx)
		return NULL;
	iter = calloc(1, sizeof(*iter));
	if (!iter)
		return NULL;
	iter->kind = kind;
	iter->pos = BEFORE_FIRST;
	iter->value_pos = BEFORE_FIRST;
	/* Reading the configuration changes only the context's cache of it. */
	cfg = kmod_ctx_get_config((struct kmod_ctx *)ctx);
	/* Without the memory to read it the configuration is empty (see ctx.c). */
	if (!cfg)
		return iter;
	switch (kind) {
	case CONFIG_BLACKLIST:
		iter->v.blacklists = lkm_config_list_blacklists(cfg, &iter->n);
		break;
	case CONFIG_INSTALL:
		iter->v.entries = lkm_config_list_installs(cfg, &iter->n);
		break;
	case CONFIG_REMOVE:
		iter->v.entries = lkm_config_list_removes(cfg, &iter->n);
		break;
	case CONFIG_ALIAS:
		iter->v.aliases = lkm_config_list_aliases(cfg, &iter->n);
		break;
	case CONFIG_OPTIONS:
		iter->v.entries = lkm_config_list_options(cfg, &iter->n);
		break;
	case CONFIG_SOFTDEP:
		iter->v.softdeps = lkm_config_list_softdeps(cfg, &iter->n);
		break;
	case CONFIG_WEAKDEP:
		iter->v.weakdeps = lkm_config_list_weakdeps(cfg, &iter->n);
		break;
	}
	return iter;
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_BLACKLIST);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_INSTALL);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_REMOVE);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_ALIAS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_OPTIONS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_SOFTDEP);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_weakdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, CONFIG_WEAKDEP);
}

KMOD_EXPORT const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter)
{
	if (!iter || iter->pos == BEFORE_FIRST)
		return NULL;
	switch (iter->kind) {
	case CONFIG_BLACKLIST:
		return iter->v.blacklists[iter->pos].modname;
	case CONFIG_INSTALL:
	case CONFIG_REMOVE:
	case CONFIG_OPTIONS:
		return iter->v.entries[iter->pos].modname;
	case CONFIG_ALIAS:
		return iter->v.aliases[iter->pos].pattern;
	case CONFIG_SOFTDEP:
		return iter->v.softdeps[iter->pos].modname;
	case CONFIG_WEAKDEP:
		return iter->v.weakdeps[iter->pos].modname;
	}
	return NULL;
}

/* "PREFIX" then the words of @v separated by single spaces, appended to @b. */
static int put_words(struct lkm_buf *b, const char *prefix, const char *const *v,
		     size_t n)
{
	size_t i;
	int r = lkm_buf_puts(b, prefix);

	for (i = 0; i < n && r >= 0; i++)
		r = lkm_buf_printf(b, "%s%s", i ? " " : "", v[i]);
	return r;
}

/*
 * kmod's text of a softdep: "pre: A B" and "post: C", the groups' names each in
 * order; a weakdep's: its names. kmod glues the two groups ("pre: A Bpost: C"), and
 * when a line has pre: again after post:, its pre: text runs over the post: names too
 * (it copies from the first pre: name to the last). Here they are separated by a
 * space, as lib/'s `modprobe -c` shows them (lkm_config_show).
 */
static char *dep_text(const struct kmod_config_iter *iter)
{
	struct lkm_buf b = { 0 };
	int r;

	if (iter->kind == CONFIG_SOFTDEP) {
		const struct lkm_config_softdep *d = &iter->v.softdeps[iter->pos];

		r = lkm_buf_puts(&b, "");
		if (r >= 0 && d->n_pre)
			r = put_words(&b, "pre: ", d->pre, d->n_pre);
		if (r >= 0 && d->n_pre && d->n_post)
			r = lkm_buf_puts(&b, " ");
		if (r >= 0 && d->n_post)
			r = put_words(&b, "post: ", d->post, d->n_post);
	} else {
		const struct lkm_config_weakdep *d = &iter->v.weakdeps[iter->pos];

		r = put_words(&b, "", d->deps, d->n_deps);
	}
	if (r < 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

KMOD_EXPORT const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter)
{
	struct kmod_config_iter *it = (struct kmod_config_iter *)iter;

	if (!iter || iter->pos == BEFORE_FIRST)
		return NULL;
	switch (iter->kind) {
	case CONFIG_BLACKLIST:
		return NULL;
	case CONFIG_INSTALL:
	case CONFIG_REMOVE:
	case CONFIG_OPTIONS:
		return iter->v.entries[iter->pos].value;
	case CONFIG_ALIAS:
		return iter->v.aliases[iter->pos].modname;
	case CONFIG_SOFTDEP:
	case CONFIG_WEAKDEP:
		/*
		 * Made when asked, and kept until the iterator is asked for another
		 * entry's value or freed (kmod keeps it only until the next call).
		 */
		if (it->value_pos != it->pos) {
			free(it->value);
			it->value = dep_text(it);
			it->value_pos = it->value ? it->pos : BEFORE_FIRST;
		}
		return it->value;
	}
	return NULL;
}

KMOD_EXPORT bool kmod_config_iter_next(struct kmod_config_iter *iter)
{
	if (!iter)
		return false;
	if (iter->pos == BEFORE_FIRST)
		iter->pos = 0;
	else
		iter->pos++;
	if (iter->pos >= iter->n)
		iter->pos = BEFORE_FIRST;
	return iter->pos != BEFORE_FIRST;
}

KMOD_EXPORT void kmod_config_iter_free_iter(struct kmod_config_iter *iter)
{
	if (iter)
		free(iter->value);
	free(iter);
}
