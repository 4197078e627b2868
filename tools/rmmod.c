// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * rmmod MODULE...: remove modules by name or by file path ("-" and "_" alike; a path
 * or a name like "snd-hda.ko" gives its base name cut at the first dot). Unless
 * --force, each module is first checked as kmod does: built in, not loaded, held by
 * other modules, or still used; lib/diagnose.c words why, with what to do. Each argument is handled in turn; any failure makes
 * the exit status 1.
 *
 * --sys=DIR (hidden) reads another /sys: the tool tests use it to check the messages
 * on fixture trees.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

enum { OPT_SYS = 256 };

static const struct tool_option options[] = {
	{ "force", 'f', no_argument, NULL,
	  "DANGEROUS: remove even if in use (needs CONFIG_MODULE_FORCE_UNLOAD)" },
	{ "syslog", 's', no_argument, NULL, "print errors to syslog, not stderr" },
	{ "verbose", 'v', no_argument, NULL, "say what is being done" },
	{ "sys", OPT_SYS, required_argument, "DIR", NULL },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

struct rmmod_opts {
	unsigned flags;
	bool syslog;
	int verbose;
	const char *sys;
};

static void say_error(const struct rmmod_opts *o, const char *fmt, ...) LKM_PRINTF(2, 3);

static void say_error(const struct rmmod_opts *o, const char *fmt, ...)
{
	const struct tool_voice v = { "rmmod", o->syslog, LOG_DEBUG };
	va_list ap;

	va_start(ap, fmt);
	tool_vsay(&v, LOG_ERR, fmt, ap);
	va_end(ap);
}

/* Print the diagnosis: its sentence as the error, its detail lines indented. */
static void say_diagnosis(const struct rmmod_opts *o, const char *name, int error,
			  const struct lkm_diagnosis *d)
{
	/* After the kernel refused, kmod's "could not remove module" leads, as before. */
	if (error)
		say_error(o, "could not remove module %s: %s", name, d->first.data);
	else
		say_error(o, "%s", d->first.data);
	tool_say_detail(&(struct tool_voice){ "rmmod", o->syslog, LOG_DEBUG }, LOG_ERR, d);
}

/*
 * Before asking the kernel (@error 0) or after it refused (@error < 0): whether
 * something stands in the way, explained. Returns the error to report, or 0.
 */
static int explain(const struct rmmod_opts *o, struct lkm_ctx *ctx, const char *name,
		   int error)
{
	struct lkm_diagnosis d;
	int r;

	r = lkm_diagnose_unload(ctx, name, error, o->flags, &d);
	if (r == -ENODATA)
		return error;
	if (r < 0) {
		if (error)
			say_error(o, "could not remove module %s: %s", name, strerror(-error));
		return error ? error : r;
	}
	say_diagnosis(o, name, error, &d);
	r = d.code;
	lkm_diagnosis_release(&d);
	return r ? r : -EBUSY;
}

static int remove_one(const struct rmmod_opts *o, struct lkm_ctx *ctx, const char *arg)
{
	char name[LKM_NAME_MAX];
	int r;

	r = lkm_name_from_path(name, sizeof(name), arg);
	if (r < 0 || !name[0]) {
		say_error(o, "could not use module %s: %s", arg, strerror(r < 0 ? -r : EINVAL));
		return r < 0 ? r : -EINVAL;
	}
	if (!(o->flags & LKM_UNLOAD_FORCE)) {
		r = explain(o, ctx, name, 0);
		if (r < 0)
			return r;
	}
	if (o->verbose)
		fprintf(stderr, "rmmod: removing %s%s\n", name,
			o->flags & LKM_UNLOAD_FORCE ? " (forced)" : "");
	r = lkm_kernel_unload(ctx, name, o->flags);
	if (r < 0)
		r = explain(o, ctx, name, r);
	return r;
}

static int parse_options(int argc, char *argv[], struct rmmod_opts *o)
{
	struct tool_parser p;
	int c;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->flags |= LKM_UNLOAD_FORCE;
			break;
		case 's':
			o->syslog = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_SYS:
			o->sys = optarg;
			break;
		case 'h':
			tool_print_help(stdout, "\trmmod [options] modulename ...", options);
			return 1;
		case 'V':
			tool_print_version("rmmod");
			return 1;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int tool_rmmod(int argc, char *argv[])
{
	struct lkm_ctx_config cfg = { 0 };
	struct rmmod_opts o = { 0 };
	struct lkm_ctx *ctx = NULL;
	int i, r, failed = 0;

	r = parse_options(argc, argv, &o);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	if (o.syslog)
		openlog("rmmod", LOG_CONS, LOG_DAEMON);
	if (optind >= argc) {
		say_error(&o, "missing module name.");
		failed = 1;
		goto out;
	}
	cfg.sys = o.sys;
	r = lkm_ctx_new(&cfg, &ctx);
	if (r < 0) {
		say_error(&o, "could not set up: %s", strerror(-r));
		failed = 1;
		goto out;
	}
	for (i = optind; i < argc; i++)
		failed |= remove_one(&o, ctx, argv[i]) < 0;
	lkm_ctx_unref(ctx);
out:
	if (o.syslog)
		closelog();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
