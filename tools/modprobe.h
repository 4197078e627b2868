/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to modprobe's three files: the parsed options every part reads, and the few
 * functions one file calls in another, grouped by the file that defines them.
 *   modprobe.c       the tool's entry: options table, parsing, main, run()'s dispatch
 *   modprobe-load.c  one argument: looked up, then loaded, removed or its symbols shown
 *   modprobe-many.c  many loads at once: -a --jobs/--time, --coldplug's rounds
 * The other tools never include it.
 */
#ifndef LKM_TOOLS_MODPROBE_H
#define LKM_TOOLS_MODPROBE_H

#include "tools.h"

struct modprobe_opts {
	bool all, remove, show, lookup_only, syslog;
	bool show_config, show_modversions, show_exports, check, batch, report, coldplug;
	struct lkm_report *rep; /* --report: the load under way */
	bool parallel, time; /* --jobs (or --time): -a through lkm_load_many() */
	unsigned jobs;       /* 1 unless --jobs; 0: one per CPU */
	unsigned lineno; /* the line of --batch being answered; 0: the command line */
	struct lkm_ctx *shared_ctx; const struct lkm_config *shared_cfg; /* for --batch */
	bool explained;  /* the last failure was explained already (lib's ops->explain) */
	bool want_json;
	struct lkm_json *json; /* --json: the document of the request being answered */
	unsigned flags;
	unsigned long wait_msec;
	int verbose;     /* syslog priority threshold, as kmod: LOG_WARNING by default */
	int log_prio;    /* priority of "not found" messages: LOG_CRIT, LOG_WARNING with -a */
	struct lkm_ctx_config ctx; /* -d, -S, --sys, --proc; -C below */
	const char **config_paths; /* room for every argument, NULL-terminated */
	size_t n_config_paths;
};

/* kmod's modprobe: -v raises the threshold, -q lowers it, -s sends it to syslog. */
#define VOICE(o) (&(struct tool_voice){ "modprobe", (o)->syslog, (o)->verbose })
#define say(o, prio, ...) tool_say(VOICE(o), prio, __VA_ARGS__)

/* modprobe-load.c */
/*
 * The callbacks lib/load.c calls during @o's loads and removals: steps shown, commands
 * run, messages said, --report's snapshots taken.
 */
struct lkm_load_ops modprobe_load_ops(struct modprobe_opts *o);
/*
 * Each module @alias names loaded, with @extra options (NULL: none); the blacklisted
 * ones said. Return: the last module's 0 or -errno, as kmod (-ENOENT: none found).
 */
int modprobe_insert(struct modprobe_opts *o, struct lkm_ctx *ctx,
		    const struct lkm_config *cfg, const char *alias, const char *extra);
/* -r: each module @alias names removed. Return: 0 or the first failure's -errno. */
int modprobe_remove(struct modprobe_opts *o, struct lkm_ctx *ctx,
		    const struct lkm_config *cfg, const char *alias);
/*
 * --show-modversions (@exports false) or --show-exports of each module @arg names, or
 * of the file @arg. Return: the last module's 0 or -errno.
 */
int modprobe_show_symbols(const struct modprobe_opts *o, struct lkm_ctx *ctx,
			  const struct lkm_config *cfg, const char *arg, bool exports);
/*
 * What modprobe says of lkm_resolve_arg()'s answer @r for @alias (@file: it named a
 * module file): its error, or kmod's "not found" words with close names at -v.
 * Return: @r unless it is 0, then -ENOENT (nothing found).
 */
int modprobe_lookup_said(const struct modprobe_opts *o, struct lkm_ctx *ctx,
			 const char *alias, int r, const struct lkm_err *err, bool file);
/* A failed load of @name (-errno @r, lib's @err) in kmod's words, unless explained. */
void modprobe_insert_failed(const struct modprobe_opts *o, const char *name, int r,
			    const struct lkm_err *err);
/* Where @found[@n]'s blacklisted modules are blacklisted; @all: all are (a warning). */
void modprobe_say_blacklisted(const struct modprobe_opts *o, const struct lkm_config *cfg,
			      const struct lkm_resolved *found, size_t n, bool all);
/*
 * @m loaded (or -R printed, or --check reported) with @extra options, --report around
 * it; *@blacklisted: the blacklist kept it from loading.
 * Return: 0 or -errno (-EINVAL: --check found a problem).
 */
int modprobe_probe_one(struct modprobe_opts *o, struct lkm_ctx *ctx,
		       const struct lkm_config *cfg, const struct lkm_resolved *m,
		       const char *extra, bool *blacklisted);

/* modprobe-many.c */
/*
 * -a --jobs N (or --time) of @names[@nargs], said and exited as the serial -a would.
 * Return: 0, lkm_load_many()'s -errno, or else the last failed argument's.
 */
int modprobe_insert_many(struct modprobe_opts *o, struct lkm_ctx *ctx,
			 const struct lkm_config *cfg, char **names, int nargs);
/* tool_coldplug()'s load of a round's @modules (@data: the modprobe_opts). */
tool_coldplug_load_fn modprobe_coldplug_load;

#endif
