// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lsmod: list the loaded modules, in /proc/modules order, in kmod's exact format:
 *
 *   Module                  Size  Used by
 *   fat                    86016  2 vfat,msdos
 *
 * As kmod does, the size comes from /sys/module/<m>/coresize, the use count from
 * /sys/module/<m>/refcnt and the users from /sys/module/<m>/holders/ in readdir order.
 *
 * A module can go away between the read of /proc/modules and the reads of /sys
 * (kmod issue #41: kmod then prints "-2" for the size and count and a libkmod error).
 * Here a missing /sys value falls back to what /proc/modules said at the moment it
 * was read, so the line stays consistent and lsmod still succeeds.
 *
 * --json prints the same lines as one JSON array (lib/json.c's layout), one object a
 * module: {"name":"fat","size":86016,"use_count":2,"used_by":["vfat","msdos"]},
 * use_count null where the text says "-".
 *
 * --proc=DIR and --sys=DIR (hidden) read another /proc and /sys: the tool tests use
 * them on recorded fixture trees. They are options rather than environment variables
 * so that nothing outside the command line changes what lsmod shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

static const struct tool_voice voice = { "lsmod", false, LOG_DEBUG };

enum { OPT_PROC = 256, OPT_SYS, OPT_JSON };

static const struct tool_option options[] = {
	{ "syslog", 's', no_argument, NULL, NULL },   /* kmod 34 compat: no messages to log */
	{ "verbose", 'v', no_argument, NULL, NULL },  /* kmod 34 compat */
	{ "json", OPT_JSON, no_argument, NULL, "print the list as JSON" },
	{ "proc", OPT_PROC, required_argument, "DIR", NULL },
	{ "sys", OPT_SYS, required_argument, "DIR", NULL },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

/* One line's values: /sys first, /proc/modules when /sys has none. */
struct row {
	unsigned long size;
	bool has_use_count;
	int use_count;
	const char *const *users;
	size_t n_users;
	char **holders; /* from /sys, freed after the row is shown; NULL: used_by of /proc */
};

static void row_get(struct lkm_ctx *ctx, const struct lkm_loaded *m, struct row *row)
{
	size_t n;

	if (lkm_kernel_get_coresize(ctx, m->name, &row->size) < 0)
		row->size = m->size;
	row->has_use_count = true;
	if (lkm_kernel_get_refcnt(ctx, m->name, &row->use_count) < 0) {
		row->has_use_count = m->has_refcount;
		row->use_count = m->refcount;
	}
	if (lkm_kernel_get_holders(ctx, m->name, &row->holders, &n) == 0) {
		row->users = (const char *const *)row->holders;
		row->n_users = n;
	} else {
		row->holders = NULL;
		row->users = m->used_by;
		row->n_users = m->n_used_by;
	}
}

static void print_module(const struct lkm_loaded *m, const struct row *row)
{
	size_t i;

	printf("%-19s %8lu  ", m->name, row->size);
	if (row->has_use_count)
		printf("%d", row->use_count);
	else
		putchar('-');
	for (i = 0; i < row->n_users; i++)
		printf("%c%s", i ? ',' : ' ', row->users[i]);
	putchar('\n');
}

static void print_module_json(struct lkm_json *json, const struct lkm_loaded *m,
			      const struct row *row)
{
	lkm_json_begin_object(json);
	lkm_json_member_string(json, "name", m->name);
	lkm_json_member_uint(json, "size", row->size);
	if (row->has_use_count)
		lkm_json_member_int(json, "use_count", row->use_count);
	else if (lkm_json_key(json, "use_count") == 0)
		lkm_json_null(json);
	lkm_json_member_strings(json, "used_by", row->users, row->n_users);
	lkm_json_end_object(json);
}

static int list_modules(struct lkm_ctx *ctx, bool as_json)
{
	struct lkm_json *json = NULL;
	const struct lkm_loaded *mods;
	struct lkm_loaded_list *list;
	struct lkm_err err = { 0 };
	size_t i, n, skipped, first_bad;
	int r;

	r = lkm_kernel_get_loaded(ctx, &list, &err);
	if (r < 0) {
		/* The reason names the file; a kernel without module support has none. */
		tool_say(&voice, LOG_ERR, "could not get list of modules: %s%s",
			 lkm_err_reason(&err, r),
			 r == -ENOENT ? " (this kernel has no module support)" : "");
		return EXIT_FAILURE;
	}
	skipped = lkm_loaded_list_get_skipped(list, &first_bad);
	if (skipped)
		tool_say(&voice, LOG_WARNING,
			 "%s/modules: skipped %zu line(s) that do not parse, first: line %zu",
			 lkm_ctx_get_proc(ctx), skipped, first_bad);
	if (as_json && (r = lkm_json_new(stdout, &json)) < 0) {
		tool_say(&voice, LOG_ERR, "could not write the list: %s", strerror(-r));
		lkm_loaded_list_free(list);
		return EXIT_FAILURE;
	}
	if (json)
		lkm_json_begin_array(json);
	else
		puts("Module                  Size  Used by");
	mods = lkm_loaded_list_get(list, &n);
	for (i = 0; i < n; i++) {
		struct row row;

		row_get(ctx, &mods[i], &row);
		if (json)
			print_module_json(json, &mods[i], &row);
		else
			print_module(&mods[i], &row);
		lkm_kernel_holders_free(row.holders);
	}
	lkm_loaded_list_free(list);
	if (json)
		lkm_json_end_array(json);
	r = lkm_json_free(json);
	if (r == -EINVAL)
		tool_say(&voice, LOG_ERR, "could not write the list: %s", strerror(-r));
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		tool_say(&voice, LOG_ERR, "could not write the list: %m");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int tool_lsmod(int argc, char *argv[])
{
	struct lkm_ctx_config cfg = { 0 };
	struct tool_parser p;
	struct lkm_ctx *ctx;
	bool as_json = false;
	int c, r;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'v':
			break;
		case OPT_PROC:
			cfg.proc = optarg;
			break;
		case OPT_SYS:
			cfg.sys = optarg;
			break;
		case OPT_JSON:
			as_json = true;
			break;
		case 'h':
			tool_print_help(stdout, "\tlsmod [options]", options);
			return EXIT_SUCCESS;
		case 'V':
			tool_print_version("lsmod");
			return EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	if (optind < argc) {
		tool_say(&voice, LOG_ERR, "too many arguments provided.");
		return EXIT_FAILURE;
	}
	r = lkm_ctx_new(&cfg, &ctx);
	if (r < 0) {
		tool_say(&voice, LOG_ERR, "could not set up: %s", strerror(-r));
		return EXIT_FAILURE;
	}
	r = list_modules(ctx, as_json);
	lkm_ctx_unref(ctx);
	return r;
}
