/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkmod.h: the public interface of lkm's libkmod.so.2.
 *
 * This is lkm's own description of the kmod library interface (as of kmod 34): the
 * same functions, types, constants and macros, so that a program written for kmod's
 * libkmod builds against this header and runs on lkm's library unchanged. The text is
 * lkm's; where it says what a function returns, it says what kmod's library does.
 *
 * Conventions:
 *  - Objects are opaque. The context and modules are reference counted: a function
 *    that gives one back has taken a reference for the caller, who drops it with the
 *    matching unref. Lists are freed with the free function named for their entries.
 *  - Strings returned by getters belong to the object they came from.
 *  - Functions returning int give 0 (or a count) on success and a negative errno on
 *    failure, unless said otherwise.
 *  - Nothing prints: messages go to the context's log function (stderr by default).
 */
#pragma once
#ifndef _LIBKMOD_H_
#define _LIBKMOD_H_

/* Programs written for kmod's header get these with it. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h> /* NULL, in kmod_list_foreach */

#ifdef __cplusplus
extern "C" {
#endif

/* ==== The context ==== */

/* Everything the library knows about one module directory and its configuration. */
struct kmod_ctx;

/*
 * A new context, with one reference.
 * @dirname: the module directory; NULL means /lib/modules/`uname -r`, and a relative
 *   path is taken from the current working directory.
 * @config_paths: the modprobe.d directories and files to read, NULL-terminated, in
 *   order of precedence; NULL means the default list (/etc/modprobe.d,
 *   /run/modprobe.d, /usr/local/lib/modprobe.d, /usr/lib/modprobe.d, /lib/modprobe.d);
 *   an empty array reads none.
 * Returns: the context, or NULL on failure.
 */
struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths);

/* Take a reference. Returns: @ctx. */
struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx);

/* Drop a reference; the last one frees @ctx. Returns: @ctx while referenced, else NULL. */
struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx);

/*
 * Open every index of the module directory and keep it open in @ctx, so that later
 * lookups do not open them again (what a daemon that looks up many names wants).
 * Returns: 0, or a negative errno when an index other than modules.builtin.alias.bin
 * cannot be opened (then none stays open).
 */
int kmod_load_resources(struct kmod_ctx *ctx);

/* Close the indexes kmod_load_resources() opened. May be called any number of times. */
void kmod_unload_resources(struct kmod_ctx *ctx);

/* What kmod_validate_resources() found. */
enum kmod_resources {
	KMOD_RESOURCES_OK = 0,           /* nothing changed on disk */
	KMOD_RESOURCES_MUST_RELOAD = 1,  /* an index changed: unload and load them again */
	KMOD_RESOURCES_MUST_RECREATE = 2, /* the configuration changed: make a new context */
};

/* Returns: one of enum kmod_resources, for the files @ctx has read since it was made. */
int kmod_validate_resources(struct kmod_ctx *ctx);

/* The indexes kmod_dump_index() can write out. */
enum kmod_index {
	KMOD_INDEX_MODULES_DEP = 0,
	KMOD_INDEX_MODULES_ALIAS,
	KMOD_INDEX_MODULES_SYMBOL,
	KMOD_INDEX_MODULES_BUILTIN_ALIAS,
	KMOD_INDEX_MODULES_BUILTIN,
	/* Not an index: keeps the enum as wide as an int. */
	_KMOD_INDEX_PAD = 1U << 31,
};

/*
 * Write the index @type to @fd as text, one "KEY VALUE" line per value ("alias KEY
 * VALUE" for the alias and symbol indexes). Writes to the descriptor directly: flush
 * stdio buffers on it first.
 * Returns: 0, or a negative errno.
 */
int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd);

/* The syslog(3) priority up to which messages are logged (LOG_ERR by default). */
void kmod_set_log_priority(struct kmod_ctx *ctx, int priority);
int kmod_get_log_priority(const struct kmod_ctx *ctx);

/*
 * Send log messages to @log_fn instead of stderr, with @data as its first argument.
 * NULL silences the library.
 */
void kmod_set_log_fn(struct kmod_ctx *ctx,
		     void (*log_fn)(void *log_data, int priority, const char *file, int line,
				    const char *fn, const char *format, va_list args),
		     const void *data);

/* A pointer kept for the caller, e.g. for its log function. */
void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata);
void *kmod_get_userdata(const struct kmod_ctx *ctx);

/* The absolute module directory of @ctx. */
const char *kmod_get_dirname(const struct kmod_ctx *ctx);

/* ==== Lists ==== */

/*
 * A list the library hands out: a circular doubly linked list whose head is its first
 * entry. NULL is the empty list.
 */
struct kmod_list;

/* Walk @list from first to last, with @curr at each entry. */
#define kmod_list_foreach(curr, list) \
	for (curr = list; curr != NULL; curr = kmod_list_next(list, curr))

/* Walk @list from last to first. */
#define kmod_list_foreach_reverse(curr, list) \
	for (curr = kmod_list_last(list); curr != NULL; curr = kmod_list_prev(list, curr))

/* The last entry (the head itself for a list of one), or NULL for an empty list. */
struct kmod_list *kmod_list_last(const struct kmod_list *list);
/* The entry after @curr, or NULL after the last one. */
struct kmod_list *kmod_list_next(const struct kmod_list *list, const struct kmod_list *curr);
/* The entry before @curr, or NULL before the first one. */
struct kmod_list *kmod_list_prev(const struct kmod_list *list, const struct kmod_list *curr);

/* ==== The configuration ==== */

/*
 * An iterator over one kind of modprobe.d entry. It starts before the first entry:
 * call kmod_config_iter_next() before reading a key or value.
 */
struct kmod_config_iter;

/* Each returns a new iterator (free it with kmod_config_iter_free_iter), or NULL. */
struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx);
struct kmod_config_iter *kmod_config_get_weakdeps(const struct kmod_ctx *ctx);

/* The key and value of the entry @iter is at; strings owned by the iterator. */
const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter);
const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter);
/*
 * Move to the next entry. Returns: true when there is one, false at the end; the call
 * after that starts again from the first entry.
 */
bool kmod_config_iter_next(struct kmod_config_iter *iter);
void kmod_config_iter_free_iter(struct kmod_config_iter *iter);

/* ==== Modules ==== */

/*
 * A module known to a context. The context keeps one object per module name (and per
 * name and alias, for modules found through an alias), so asking twice gives the same
 * object with one more reference. A module holds a reference on its context.
 */
struct kmod_module;

/*
 * Every module @given_alias names, as modprobe finds them: aliases in the
 * configuration, module names in modules.dep, "symbol:" aliases in modules.symbols,
 * install and remove commands, aliases in modules.alias, then built-in modules and
 * their aliases. The first of these that knows the name gives the result.
 * @list must point to an empty list (NULL). Release it with kmod_module_unref_list().
 * Returns: 0, also when nothing was found (@list stays empty); a negative errno.
 */
int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
				struct kmod_list **list);

/*
 * The module named @modname, looked up as a name only: modules.dep, then the built-in
 * modules. Returns: 0, with *@mod set when found and left alone when not; a negative
 * errno.
 */
int kmod_module_new_from_name_lookup(struct kmod_ctx *ctx, const char *modname,
				     struct kmod_module **mod);

/*
 * The module called @name ('-' read as '_', cut at the first '.'), whether or not it
 * exists. Returns: 0, or a negative errno.
 */
int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
			      struct kmod_module **mod);

/*
 * The module in the file @path (relative to the working directory unless absolute),
 * which must exist. Returns: 0; -errno of stat(2); -EEXIST when @ctx already has a
 * module of that name with another path; another negative errno.
 */
int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path,
			      struct kmod_module **mod);

/* Take a reference. Returns: @mod. */
struct kmod_module *kmod_module_ref(struct kmod_module *mod);
/* Drop a reference. Returns: @mod while referenced, else NULL. */
struct kmod_module *kmod_module_unref(struct kmod_module *mod);
/* Drop the reference each entry of @list holds and free the list. Returns: 0. */
int kmod_module_unref_list(struct kmod_list *list);

/* Flags of kmod_module_insert_module(). */
enum kmod_insert {
	KMOD_INSERT_FORCE_VERMAGIC = 0x1,
	KMOD_INSERT_FORCE_MODVERSION = 0x2,
};

/*
 * Load @mod's file into the kernel with @options (NULL: none).
 * Returns: 0, -EEXIST when it is loaded already, another negative errno.
 */
int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags,
			      const char *options);

/* Flags of kmod_module_probe_insert_module(); the last three are also its results. */
enum kmod_probe {
	KMOD_PROBE_FORCE_VERMAGIC = 0x00001,
	KMOD_PROBE_FORCE_MODVERSION = 0x00002,
	KMOD_PROBE_IGNORE_COMMAND = 0x00004,   /* no install commands, no softdeps */
	KMOD_PROBE_IGNORE_LOADED = 0x00008,    /* load even what is loaded already */
	KMOD_PROBE_DRY_RUN = 0x00010,          /* only call @print_action */
	KMOD_PROBE_FAIL_ON_LOADED = 0x00020,   /* -EEXIST when loaded already */

	KMOD_PROBE_APPLY_BLACKLIST_ALL = 0x10000, /* the module and its dependencies */
	KMOD_PROBE_APPLY_BLACKLIST = 0x20000,     /* the module */
	KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY = 0x40000, /* the module, if found by alias */
};

/*
 * Load @mod as modprobe does: dependencies, soft dependencies, install commands and
 * the blacklist. @extra_options apply to @mod only. @run_install runs an install
 * command (NULL: system(3)); @print_action is told of each step (may be NULL).
 * Returns: 0; a positive KMOD_PROBE_APPLY_BLACKLIST* flag when the blacklist stopped
 * it; a negative errno.
 */
int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data),
	const void *data,
	void (*print_action)(struct kmod_module *m, bool install, const char *options));

/* Flags of kmod_module_remove_module(); the first two go to delete_module(2). */
enum kmod_remove {
	KMOD_REMOVE_FORCE = O_TRUNC,
	KMOD_REMOVE_NOWAIT = O_NONBLOCK, /* always passed */
	KMOD_REMOVE_NOLOG = 1,           /* do not log a failure */
};

/* Unload @mod. Returns: 0, or a negative errno. */
int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags);

/* The module of a list entry, with a new reference (unref it), or NULL. */
struct kmod_module *kmod_module_get_module(const struct kmod_list *entry);

/*
 * The modules @mod depends on (modules.dep), in the order they load, as a new list
 * (release with kmod_module_unref_list), or NULL when there are none or on failure.
 */
struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod);

/*
 * The soft dependencies of @mod from the configuration, as two new lists (each
 * released with kmod_module_unref_list). *@pre and *@post must be NULL.
 * Returns: 0, or a negative errno.
 */
int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
			     struct kmod_list **post);

/* The weak dependencies of @mod, the same way. Returns: 0, or a negative errno. */
int kmod_module_get_weakdeps(const struct kmod_module *mod, struct kmod_list **weak);

/* What kmod_module_apply_filter() leaves out. */
enum kmod_filter {
	KMOD_FILTER_BLACKLIST = 0x00001,
	KMOD_FILTER_BUILTIN = 0x00002,
};

/*
 * A new list (*@output) of the modules of @input that @filter_type keeps, each with a
 * new reference. Returns: 0, or a negative errno.
 */
int kmod_module_apply_filter(const struct kmod_ctx *ctx, enum kmod_filter filter_type,
			     const struct kmod_list *input, struct kmod_list **output);

/* kmod_module_apply_filter() with KMOD_FILTER_BLACKLIST: use that instead. */
int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx,
				       const struct kmod_list *input,
				       struct kmod_list **output) __attribute__((deprecated));

/*
 * The first install (remove) command of the configuration for @mod, as written, or
 * NULL. Owned by @mod.
 */
const char *kmod_module_get_install_commands(const struct kmod_module *mod);
const char *kmod_module_get_remove_commands(const struct kmod_module *mod);

/* The module's name, normalized ('_' for '-'). */
const char *kmod_module_get_name(const struct kmod_module *mod);

/*
 * The options the configuration gives @mod (and the alias it was found by), joined
 * by spaces, or NULL for none. Owned by @mod.
 */
const char *kmod_module_get_options(const struct kmod_module *mod);

/* The module's file (from modules.dep if it was not made from a path), or NULL. */
const char *kmod_module_get_path(const struct kmod_module *mod);

/* Symbol bindings, as kmod_module_dependency_symbol_get_bind() gives them. */
enum kmod_symbol_bind {
	KMOD_SYMBOL_NONE = '\0',
	KMOD_SYMBOL_LOCAL = 'L',
	KMOD_SYMBOL_GLOBAL = 'G',
	KMOD_SYMBOL_WEAK = 'W',
	KMOD_SYMBOL_UNDEF = 'U',
};

/*
 * The symbols @mod's file needs from elsewhere, in a new *@list (free it with
 * kmod_module_dependency_symbols_free_list). Returns: the count, or a negative errno.
 */
int kmod_module_get_dependency_symbols(const struct kmod_module *mod,
				       struct kmod_list **list);
/* An entry's binding (enum kmod_symbol_bind), or 0 for no entry. */
int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry);
/* An entry's CRC, 0 when it has none. */
uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry);
/* An entry's symbol name, owned by the list, or NULL. */
const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry);
void kmod_module_dependency_symbols_free_list(struct kmod_list *list);

/*
 * The sections of loaded @mod and their addresses, from /sys/module, as a new list
 * (free with kmod_module_section_free_list), or NULL.
 */
struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod);
/* An entry's address, ULONG_MAX on failure. */
unsigned long kmod_module_section_get_address(const struct kmod_list *entry);
/* An entry's section name, owned by the list, or NULL. */
const char *kmod_module_section_get_name(const struct kmod_list *entry);
void kmod_module_section_free_list(struct kmod_list *list);

/*
 * The symbols @mod's file exports, in a new *@list (free with
 * kmod_module_symbols_free_list). Returns: the count, or a negative errno.
 */
int kmod_module_get_symbols(const struct kmod_module *mod, struct kmod_list **list);
uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry);
const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry);
void kmod_module_symbols_free_list(struct kmod_list *list);

/*
 * The __versions entries of @mod's file, in a new *@list (free with
 * kmod_module_versions_free_list). Returns: the count, or a negative errno.
 */
int kmod_module_get_versions(const struct kmod_module *mod, struct kmod_list **list);
uint64_t kmod_module_version_get_crc(const struct kmod_list *entry);
const char *kmod_module_version_get_symbol(const struct kmod_list *entry);
void kmod_module_versions_free_list(struct kmod_list *list);

/*
 * The .modinfo fields of @mod's file, then its signature's fields when signed (for a
 * built-in module, its fields in modules.builtin.modinfo), in a new *@list (free with
 * kmod_module_info_free_list). Returns: the count, or a negative errno.
 */
int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list);
const char *kmod_module_info_get_key(const struct kmod_list *entry);
const char *kmod_module_info_get_value(const struct kmod_list *entry);
void kmod_module_info_free_list(struct kmod_list *list);

/* ==== What the kernel has loaded ==== */

/*
 * Every module in /proc/modules, in a new *@list (release with
 * kmod_module_unref_list). Returns: 0, or a negative errno.
 */
int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list);

/* A module's state in the kernel. */
enum kmod_module_initstate {
	KMOD_MODULE_BUILTIN = 0,
	KMOD_MODULE_LIVE,
	KMOD_MODULE_COMING,
	KMOD_MODULE_GOING,
	/* Not a state: keeps the enum as wide as an int. */
	_KMOD_MODULE_PAD = 1U << 31,
};

/* Returns: @mod's enum kmod_module_initstate, or a negative errno (-ENOENT: not loaded). */
int kmod_module_get_initstate(const struct kmod_module *mod);
/* "builtin", "live", "coming", "going", or NULL. Static. */
const char *kmod_module_initstate_str(enum kmod_module_initstate state);
/* The size of loaded @mod in bytes, or a negative errno. */
long kmod_module_get_size(const struct kmod_module *mod);
/* The reference count of loaded @mod, or a negative errno. */
int kmod_module_get_refcnt(const struct kmod_module *mod);
/* The modules holding loaded @mod, as a new list (kmod_module_unref_list), or NULL. */
struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif
