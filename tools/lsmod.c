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

enum { OPT_PROC = 256, OPT_SYS };

static const struct tool_option options[] = {
	{ "syslog", 's', no_argument, NULL, NULL },   /* kmod 34 compat: no messages to log */
	{ "verbose", 'v', no_argument, NULL, NULL },  /* kmod 34 compat */
	{ "proc", OPT_PROC, required_argument, "DIR", NULL },
	{ "sys", OPT_SYS, required_argument, "DIR", NULL },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

static void print_users(struct lkm_ctx *ctx, const struct lkm_loaded *m)
{
	char **holders;
	size_t i, n;
	int sep = ' ';

	if (lkm_kernel_get_holders(ctx, m->name, &holders, &n) < 0) {
		for (i = 0; i < m->n_used_by; i++, sep = ',')
			printf("%c%s", sep, m->used_by[i]);
		return;
	}
	for (i = 0; i < n; i++, sep = ',')
		printf("%c%s", sep, holders[i]);
	lkm_kernel_holders_free(holders);
}

static void print_module(struct lkm_ctx *ctx, const struct lkm_loaded *m)
{
	unsigned long size = m->size;
	int refcnt;

	if (lkm_kernel_get_coresize(ctx, m->name, &size) < 0)
		size = m->size;
	printf("%-19s %8lu  ", m->name, size);
	if (lkm_kernel_get_refcnt(ctx, m->name, &refcnt) == 0)
		printf("%d", refcnt);
	else if (m->has_refcount)
		printf("%d", m->refcount);
	else
		putchar('-');
	print_users(ctx, m);
	putchar('\n');
}

static int list_modules(struct lkm_ctx *ctx)
{
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
	puts("Module                  Size  Used by");
	mods = lkm_loaded_list_get(list, &n);
	for (i = 0; i < n; i++)
		print_module(ctx, &mods[i]);
	lkm_loaded_list_free(list);
	if (fflush(stdout) != 0 || ferror(stdout)) {
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
	r = list_modules(ctx);
	lkm_ctx_unref(ctx);
	return r;
}
