/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of libkmod/ share, grouped by the file that implements it. libkmod/
 * only translates: every answer comes from lib/ (lkm.h), so a fix there reaches the
 * tools and the programs using this library alike.
 *
 * A public function is defined with KMOD_EXPORT, its name on that same line (the
 * build's libkmod/gen-sym.py reads it there to write the version script).
 */
#ifndef LKM_LIBKMOD_INTERNAL_H
#define LKM_LIBKMOD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>

#include "libkmod.h"
#include "lkm.h"

#define KMOD_EXPORT __attribute__((visibility("default")))
/*
 * Give @impl the versioned name @versioned ("name@@NODE" for the default version,
 * "name@NODE" for another one). gen-sym.py reads the name here too.
 */
#define KMOD_SYMVER(impl, versioned) __asm__(".symver " #impl ", " versioned)

/* ==== ctx.c: the context, its log and its module pool ==== */

void kmod_log(const struct kmod_ctx *ctx, int priority, const char *file, int line,
	      const char *fn, const char *format, ...) LKM_PRINTF(6, 7);
/* Messages for the caller's log function; each is filtered by the context's priority. */
#define KMOD_LOG(ctx, prio, ...) kmod_log(ctx, prio, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define KMOD_ERR(ctx, ...) KMOD_LOG(ctx, LOG_ERR, __VA_ARGS__)
#define KMOD_INFO(ctx, ...) KMOD_LOG(ctx, LOG_INFO, __VA_ARGS__)
#define KMOD_DBG(ctx, ...) KMOD_LOG(ctx, LOG_DEBUG, __VA_ARGS__)

/*
 * The modprobe configuration, read the first time it is asked for (its bad lines are
 * logged then). NULL only when there was no memory for it: a caller then goes on as
 * with an empty configuration (the lkm_config_* getters want a real one).
 */
const struct lkm_config *kmod_ctx_get_config(struct kmod_ctx *ctx);

/* The pool of modules by key ("name", or "name\alias" for one found by an alias). */
struct kmod_module *kmod_pool_find(struct kmod_ctx *ctx, const char *key);
LKM_MUST_CHECK int kmod_pool_add(struct kmod_ctx *ctx, struct kmod_module *mod,
				 const char *key);
void kmod_pool_del(struct kmod_ctx *ctx, const char *key);

/* ==== resources.c: lib/'s context, the indexes and what changed on disk ==== */

/* What identifies the version of a file that was read: changed when it is rewritten. */
struct kmod_stamp {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};
void kmod_stamp_take(const char *path, struct kmod_stamp *out);
bool kmod_stamp_changed(const char *path, const struct kmod_stamp *then);

/* A config path that existed when the context was made, as it was then. */
struct kmod_config_stamp {
	char *path;
	struct kmod_stamp stamp;
};

/* The lib/ context state held by struct kmod_ctx (which ctx.c allocates). */
struct kmod_lkm_state {
	struct lkm_ctx *lkm;
	/* Each index file as it was when @lkm was made (lkm opens them after that). */
	struct kmod_stamp stamps[LKM_INDEX_KIND_COUNT];
	bool loaded;                /* between kmod_load_resources and unload */
	bool index_loaded[LKM_INDEX_KIND_COUNT];
	struct kmod_config_stamp *config_stamps;
	size_t n_config_stamps;
};
/* @dirname absolute; @config_paths NULL for the default. Return: 0 or -ENOMEM. */
LKM_MUST_CHECK int kmod_lkm_state_init(struct kmod_lkm_state *res, const char *dirname,
				       const char *const *config_paths);
void kmod_lkm_state_release(struct kmod_lkm_state *res);
struct kmod_lkm_state *kmod_ctx_get_lkm_state(struct kmod_ctx *ctx);

/*
 * lib/'s context for @ctx, its indexes as fresh as kmod's would be: kept as loaded
 * after kmod_load_resources(); otherwise read again once a file changed on disk (kmod
 * opens them for each lookup then).
 */
struct lkm_ctx *kmod_ctx_get_lkm(struct kmod_ctx *ctx);

/* ==== list.c: struct kmod_list ==== */

/* A circular list: the head's prev is the last entry, the last entry's next the head. */
struct kmod_list {
	struct kmod_list *next, *prev;
	void *data;
};

/* Each returns the list's new head, or NULL when out of memory (@list is unchanged). */
LKM_MUST_CHECK struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data);
LKM_MUST_CHECK struct kmod_list *kmod_list_prepend(struct kmod_list *list, const void *data);
/* Remove @node from @list (freeing the node, not its data). Returns: the new head. */
LKM_MUST_CHECK struct kmod_list *kmod_list_remove(struct kmod_list *list,
						  struct kmod_list *node);
/* @second's entries after @first's. Returns: the joined list's head. */
struct kmod_list *kmod_list_append_list(struct kmod_list *first, struct kmod_list *second);
/* Free every node, calling @free_data (may be NULL) on each entry's data first. */
void kmod_list_release(struct kmod_list *list, void (*free_data)(void *data));

/* ==== module.c: struct kmod_module ==== */

/*
 * The module @found (one result of an lkm_resolve_* call), from the pool or new: with
 * its alias, file, dependency line, built-in state and install or remove command.
 * Return: 0, or a negative errno.
 */
LKM_MUST_CHECK int kmod_module_new_from_resolved(struct kmod_ctx *ctx,
						 const struct lkm_resolved *found,
						 struct kmod_module **out);
/* Append a module per entry of @found to *@list. Return: 0, or a negative errno. */
LKM_MUST_CHECK int kmod_module_list_from_resolved(struct kmod_ctx *ctx,
						  const struct lkm_resolved *found, size_t n,
						  struct kmod_list **list);
/* Whether @mod is built in (modules.builtin), asked once and remembered. */
bool kmod_module_is_builtin(struct kmod_module *mod);
/* The context @mod belongs to. */
struct kmod_ctx *kmod_module_get_ctx(const struct kmod_module *mod);
/* The alias @mod was found by, or NULL. */
const char *kmod_module_get_alias(const struct kmod_module *mod);
/*
 * @mod's file (from kmod_module_get_path) and its ELF image, opened the first time and
 * kept until @mod is freed. Return: 0, -ENOENT when @mod has no file, or lkm_file_open's
 * and lkm_elf_new's -errno (logged at debug level).
 */
LKM_MUST_CHECK int kmod_module_get_elf(struct kmod_module *mod, const struct lkm_file **file,
				       const struct lkm_elf **elf);
/*
 * @mod as lib/ takes a module (lkm_load_plan_new, lkm_resolve_*): its name, file,
 * modules.dep line, built-in state, alias and the install or remove command a lookup
 * found it by, each looked up first if it was not. A view, not a copy: the strings are
 * @mod's and live as long as it does; nothing is to be freed.
 */
void kmod_module_get_resolved(struct kmod_module *mod, struct lkm_resolved *out);

#endif
