// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe: load or remove modules by name or alias, with their dependencies, soft
 * dependencies, options and install/remove commands (lib/load-plan.c, load.c and
 * unload.c decide; modprobe's files parse, print and run commands). Output formats,
 * messages and exit codes are kmod's. This file is the tool's entry: the option table,
 * parsing, main and run(), which sends each request to its part (tools/modprobe.h
 * lists them): modprobe-load.c works on one argument, modprobe-many.c loads many at
 * once.
 * $MODPROBE_OPTIONS is read here, prepended to the arguments as kmod does.
 *
 * --sys=DIR and --proc=DIR (hidden) read another /sys and /proc, for the tool tests.
 * --batch answers each line of stdin (tools/batch.c) with one context and one config.
 * --report (lkm's) snapshots the kernel's state around each step of a load
 * (lib/report.c, through ops->step_done; modprobe-load.c) and prints what each module
 * registered.
 * --json (with -D, -R, -c or --check) prints one JSON document a request (run_json).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "modprobe.h"

enum {
	OPT_REMOVE_HOLDERS = 256, OPT_FIRST_TIME, OPT_FORCE_MODVERSION, OPT_FORCE_VERMAGIC,
	OPT_SHOW_MODVERSIONS, OPT_SHOW_EXPORTS, OPT_SYS, OPT_PROC, OPT_REMOVE_DEPS,
	OPT_DUMP_MODVERSIONS, OPT_IGNORE_REMOVE, OPT_SHOWCONFIG, OPT_SHOW, OPT_CHECK, OPT_BATCH,
	OPT_REPORT, OPT_COLDPLUG, OPT_JSON, OPT_JOBS, OPT_TIME,
};

static const struct tool_option options[] = {
	{ "all", 'a', no_argument, NULL, "every argument is a module to load or remove (-r)" },
	{ "jobs", OPT_JOBS, required_argument, "N",
	  "with -a: load up to N independent modules at once (0: one per CPU)" },
	{ "time", OPT_TIME, no_argument, NULL, "with -a: print how long each load took" },
	{ "remove", 'r', no_argument, NULL, "remove modules instead of loading them" },
	{ "remove-holders", OPT_REMOVE_HOLDERS, no_argument, NULL,
	  "also remove the modules holding it (with -r)" },
	{ "remove-dependencies", OPT_REMOVE_DEPS, no_argument, NULL, NULL },
	{ "wait", 'w', required_argument, "MSEC",
	  "with -r: wait up to MSEC for the module to become unused" },
	{ "first-time", OPT_FIRST_TIME, no_argument, NULL,
	  "fail if the module is already loaded (or, with -r, not loaded)" },
	{ "ignore-install", 'i', no_argument, NULL, "ignore install and remove commands" },
	{ "ignore-remove", OPT_IGNORE_REMOVE, no_argument, NULL, NULL },
	{ "use-blacklist", 'b', no_argument, NULL, "apply the blacklist to names too" },
	{ "force", 'f', no_argument, NULL, "force loading or removal (implies both below)" },
	{ "force-modversion", OPT_FORCE_MODVERSION, no_argument, NULL, "ignore symbol versions" },
	{ "force-vermagic", OPT_FORCE_VERMAGIC, no_argument, NULL, "ignore the version magic" },
	{ "resolve-alias", 'R', no_argument, NULL, "print the modules an alias resolves to" },
	{ "show-depends", 'D', no_argument, NULL, "print what loading would do, and exit" },
	{ "show-config", 'c', no_argument, NULL, "print the configuration and exit" },
	{ "showconfig", OPT_SHOWCONFIG, no_argument, NULL, NULL },
	{ "show-modversions", OPT_SHOW_MODVERSIONS, no_argument, NULL,
	  "print the symbol versions a module (name or file) needs" },
	{ "dump-modversions", OPT_DUMP_MODVERSIONS, no_argument, NULL, NULL },
	{ "show-exports", OPT_SHOW_EXPORTS, no_argument, NULL,
	  "print the symbols a module (name or file) exports" },
	{ "dry-run", 'n', no_argument, NULL, "do not load or remove anything" },
	{ "check", OPT_CHECK, no_argument, NULL,
	  "load nothing: report every problem that would stop the load" },
	{ "show", OPT_SHOW, no_argument, NULL, NULL },
	{ "report", OPT_REPORT, no_argument, NULL,
	  "then print what each module loaded registered (stdout)" },
	{ "batch", OPT_BATCH, no_argument, NULL,
	  "one request a line from stdin; exit 1 if any failed" },
	{ "coldplug", OPT_COLDPLUG, no_argument, NULL,
	  "load the drivers of the devices in /sys; print those left without one" },
	{ "json", OPT_JSON, no_argument, NULL, "with -D, -R, -c, --check or --report: print JSON" },
	{ "config", 'C', required_argument, "FILE", "read FILE or DIR instead of modprobe.d" },
	{ "dirname", 'd', required_argument, "DIR", "root directory for /lib/modules" },
	{ "set-version", 'S', required_argument, "VERSION", "kernel version instead of uname -r" },
	{ "syslog", 's', no_argument, NULL, "print messages to syslog" },
	{ "quiet", 'q', no_argument, NULL, "print no messages" },
	{ "verbose", 'v', no_argument, NULL, "print more messages" },
	{ NULL, 'k', no_argument, NULL, NULL },
	{ "sys", OPT_SYS, required_argument, "DIR", NULL },
	{ "proc", OPT_PROC, required_argument, "DIR", NULL },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

static int parse_one(void *data, int c)
{
	struct modprobe_opts *o = data;
	char *end;

	/* The lines of --batch share the context and the config the command line set. */
	if (o->lineno && (strchr("CdSs", c < 256 ? c : 'x') || c == OPT_SYS || c == OPT_PROC ||
			  c == OPT_BATCH))
		return say(o, LOG_ERR, "stdin line %u: -C -d -S -s --sys --proc --batch: not "
				       "here", o->lineno), -EINVAL;
	switch (c) {
	case 'a': o->all = true; o->log_prio = LOG_WARNING; break;
	case 'r': o->remove = true; break;
	case OPT_REMOVE_HOLDERS: case OPT_REMOVE_DEPS: o->flags |= LKM_PROBE_REMOVE_HOLDERS; break;
	case 'w':
		errno = 0;
		o->wait_msec = strtoul(optarg, &end, 0);
		if (!*optarg || *end || errno) {
			say(o, LOG_ERR, "unexpected wait value '%s'.", optarg);
			return -EINVAL;
		}
		break;
	case OPT_FIRST_TIME: o->flags |= LKM_PROBE_FIRST_TIME; break;
	case 'i': case OPT_IGNORE_REMOVE: o->flags |= LKM_PROBE_IGNORE_COMMANDS; break;
	case 'b': o->flags |= LKM_PROBE_USE_BLACKLIST; break;
	case 'f':
		o->flags |= LKM_PROBE_FORCE_MODVERSION | LKM_PROBE_FORCE_VERMAGIC |
			    LKM_PROBE_FORCE_REMOVE;
		break;
	case OPT_FORCE_MODVERSION: o->flags |= LKM_PROBE_FORCE_MODVERSION; break;
	case OPT_FORCE_VERMAGIC: o->flags |= LKM_PROBE_FORCE_VERMAGIC; break;
	case 'D':
		o->flags |= LKM_PROBE_IGNORE_LOADED | LKM_PROBE_DRY_RUN;
		o->show = true;
		break;
	case 'R': o->lookup_only = true; break;
	case 'c': case OPT_SHOWCONFIG: o->show_config = true; break;
	case OPT_SHOW_MODVERSIONS: case OPT_DUMP_MODVERSIONS: o->show_modversions = true; break;
	case OPT_SHOW_EXPORTS: o->show_exports = true; break;
	case 'n': case OPT_SHOW: o->flags |= LKM_PROBE_DRY_RUN; break;
	case OPT_CHECK: o->check = true; break;
	case OPT_BATCH: o->batch = true; break;
	case OPT_JOBS:
		errno = 0;
		o->jobs = (unsigned)strtoul(optarg, &end, 10);
		if (!*optarg || *end || errno || o->jobs > 1024) {
			say(o, LOG_ERR, "unexpected jobs value '%s' (0 to 1024).", optarg);
			return -EINVAL;
		}
		o->parallel = true;
		break;
	case OPT_TIME: o->parallel = o->time = true; break;
	case OPT_REPORT: o->report = true; break;
	case OPT_COLDPLUG: o->coldplug = true; break;
	case OPT_JSON: o->want_json = true; break;
	case 'C': o->config_paths[o->n_config_paths++] = optarg; break;
	case 'd': o->ctx.basedir = optarg; break;
	case 'S': o->ctx.kver = optarg; break;
	case 's': o->syslog = true; break;
	case 'q': o->verbose = LOG_EMERG; break;
	case 'v': o->verbose++; break;
	case 'k': break;
	case OPT_SYS: o->ctx.sys = optarg; break;
	case OPT_PROC: o->ctx.proc = optarg; break;
	case 'h':
		tool_print_help(stdout, "\tmodprobe [options] [-i] [-b] modulename [parameters...]\n"
			"\tmodprobe [options] -a [-i] [-b] modulename [modulename...]\n"
			"\tmodprobe [options] -r [-i] modulename [modulename...]\n"
			"\tmodprobe [options] -c\n"
			"\tmodprobe [options] --batch < requests\n"
			"\tmodprobe [options] [-n] --coldplug\n"
			"\tmodprobe [options] --show-modversions module|file", options);
		return 1;
	case 'V':
		tool_print_version("modprobe");
		return 1;
	default:
		return -EINVAL;
	}
	return 0;
}

static int run_json(struct modprobe_opts *o, struct lkm_ctx *ctx, const struct lkm_config *cfg,
		    char **args, int nargs);

static int run(struct modprobe_opts *o, struct lkm_ctx *ctx, const struct lkm_config *cfg,
	       char **args, int nargs)
{
	char *extra;
	int i, r, err = 0;

	if (o->want_json && !o->json)
		return run_json(o, ctx, cfg, args, nargs);
	tool_say_config_warnings(VOICE(o), cfg);
	if (o->coldplug)
		err = tool_coldplug(VOICE(o), ctx, cfg, o->flags & LKM_PROBE_DRY_RUN,
				    modprobe_coldplug_load, o);
	else if (o->show_modversions || o->show_exports)
		err = modprobe_show_symbols(o, ctx, cfg, args[0], o->show_exports);
	else if (o->show_config && o->json)
		err = lkm_config_show_json(cfg, ctx, o->json);
	else if (o->show_config) {
		struct lkm_buf b = { 0 };

		err = lkm_config_show(cfg, &b);
		if (err >= 0 && (err = lkm_config_show_indexes(ctx, &b)) >= 0)
			fwrite(b.data, 1, b.len, stdout);
		lkm_buf_free(&b);
	} else if (o->all && o->parallel && !o->remove && !o->check && !o->lookup_only)
		err = modprobe_insert_many(o, ctx, cfg, args, nargs);
	else if (o->remove || o->all)
		for (i = 0; i < nargs; i++) {
			r = o->remove ? modprobe_remove(o, ctx, cfg, args[i]) :
					modprobe_insert(o, ctx, cfg, args[i], NULL);
			if (r < 0)
				err = r;
		}
	else {
		err = lkm_options_join(args + 1, (size_t)nargs - 1, &extra);
		if (err == 0)
			err = modprobe_insert(o, ctx, cfg, args[0], extra);
		free(extra);
	}
	return err;
}

/*
 * --json: run() with its output as one JSON document, the object of -c or an array:
 * -D's steps, -R's names, --check's reports, --report's modules. Messages stay text on
 * stderr.
 */
static int run_json(struct modprobe_opts *o, struct lkm_ctx *ctx, const struct lkm_config *cfg,
		    char **args, int nargs)
{
	int r, err;

	if (!o->show_config && !o->show && !o->lookup_only && !o->check && !o->report) {
		say(o, LOG_ERR, "--json goes with -c, -D, -R, --check or --report.");
		return -EINVAL;
	}
	if (o->report && o->show) {
		/* Both would be elements of the one array: say which one is wanted. */
		say(o, LOG_ERR, "--json prints -D's steps or --report's modules, not both.");
		return -EINVAL;
	}
	if ((r = lkm_json_new(stdout, &o->json)) < 0) {
		say(o, LOG_ERR, "could not write the JSON: %s", strerror(-r));
		return r;
	}
	if (!o->show_config)
		lkm_json_begin_array(o->json);
	err = run(o, ctx, cfg, args, nargs);
	if (!o->show_config)
		lkm_json_end_array(o->json);
	r = lkm_json_free(o->json);
	o->json = NULL;
	if (r < 0)
		say(o, LOG_ERR, "could not write the JSON: %s", strerror(-r));
	return err < 0 ? err : r;
}

/* The options of @av into @o; 1: done (help, version), else 0 or -errno. */
static int parse(struct modprobe_opts *o, int argc, char **av)
{
	int r = tool_parse(options, argc, av, parse_one, o);

	if (r == 0 && o->report && o->parallel) {
		say(o, LOG_ERR, "--report tells what each load did, one after the other: "
				"not with --jobs or --time.");
		r = -EINVAL;
	}
	if (r == 0 && o->report && o->remove) {
		say(o, LOG_ERR, "--report tells what a load did: not with -r.");
		r = -EINVAL;
	}
	if (r == 0 && !o->show_config && !o->coldplug &&
	    (optind >= argc) != (o->batch && !o->lineno)) {
		say(o, LOG_ERR, !o->lineno && o->batch ? "--batch reads its modules from stdin." :
					   "missing parameters. See -h.");
		r = -EINVAL;
	} else if (r == 0 && o->coldplug && (optind < argc || o->remove)) {
		say(o, LOG_ERR, "--coldplug takes no module names and no -r.");
		r = -EINVAL;
	}
	return r;
}

/* A line of --batch: its options over the command line's, answered as modprobe would. */
static int request(void *data, int argc, char **av, unsigned lineno)
{
	struct modprobe_opts o = *(const struct modprobe_opts *)data;
	int r;

	o.lineno = lineno;
	if ((r = parse(&o, argc, av)) == 0)
		r = run(&o, o.shared_ctx, o.shared_cfg, av + optind, argc - optind);
	return r >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int tool_modprobe(int argc, char *argv[])
{
	struct modprobe_opts o = { .verbose = LOG_WARNING, .log_prio = LOG_CRIT, .jobs = 1 };
	struct lkm_config *cfg = NULL;
	struct lkm_ctx *ctx = NULL;
	const char *env = getenv("MODPROBE_OPTIONS");
	char **av = argv;
	int r = 0;

	/* $MODPROBE_OPTIONS goes before the arguments. */
	if (env && lkm_options_prepend(env, &argc, argv, &av) < 0) {
		say(&o, LOG_ERR, "Could not prepend options from command line");
		return EXIT_FAILURE;
	}
	o.config_paths = calloc((size_t)argc + 1, sizeof(*o.config_paths));
	r = o.config_paths ? parse(&o, argc, av) : -ENOMEM;
	if (r != 0)
		goto out;
	if (o.syslog)
		openlog("modprobe", LOG_CONS, LOG_DAEMON);
	o.ctx.config_paths = o.n_config_paths ? o.config_paths : NULL;
	r = lkm_ctx_new(&o.ctx, &ctx);
	if (r < 0)
		say(&o, LOG_ERR, "could not set up: %s", strerror(-r));
	else if ((r = lkm_config_new(ctx, 0, &cfg)) < 0)
		say(&o, LOG_ERR, "could not read the configuration: %s", strerror(-r));
	else if (o.batch) {
		o.shared_ctx = ctx, o.shared_cfg = cfg;
		r = tool_batch("modprobe", av[0], request, &o) == EXIT_SUCCESS ? 0 : -EINVAL;
	} else
		r = run(&o, ctx, cfg, av + optind, argc - optind);
	lkm_config_free(cfg);
	lkm_ctx_unref(ctx);
	if (o.syslog)
		closelog();
out:
	if (av != argv)
		free(av);
	free(o.config_paths);
	return r >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
