// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * insmod FILENAME [module options]: insert one module file, no dependencies, no
 * config. The options are joined with spaces as kmod 34 does, and a value holding a
 * space is put in double quotes ("opt=a b" -> opt="a b") so the kernel keeps it whole.
 *
 * --sys=DIR, --proc=DIR and --firmware=DIR (hidden) read another /sys, /proc and
 * /lib/firmware, for the tool tests of --check (and --report).
 *
 * --report (lkm's): after the load, what the module registered (lib/report.c), on
 * stdout; a failed load prints only its error.
 *
 * --check --json prints the report of --check as one JSON object
 * (lkm_diagnose_check_json).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "tools.h"

enum {
	OPT_FORCE_MODVERSION = 256, OPT_FORCE_VERMAGIC, OPT_CHECK, OPT_SYS, OPT_PROC, OPT_FIRMWARE,
	OPT_REPORT,
	OPT_JSON,
};

static const struct tool_option options[] = {
	{ "force", 'f', no_argument, NULL,
	  "DANGEROUS: ignore the module's version and vermagic checks" },
	{ "force-modversion", OPT_FORCE_MODVERSION, no_argument, NULL,
	  "ignore symbol version (CRC) mismatches only" },
	{ "force-vermagic", OPT_FORCE_VERMAGIC, no_argument, NULL,
	  "ignore the kernel version magic only" },
	{ "check", OPT_CHECK, no_argument, NULL,
	  "load nothing: report every problem that would stop the load" },
	{ "report", OPT_REPORT, no_argument, NULL,
	  "then print what the module registered (stdout)" },
	{ "json", OPT_JSON, no_argument, NULL, "with --check: print the report as JSON" },
	{ "syslog", 's', no_argument, NULL, "print errors to syslog, not stderr" },
	{ "verbose", 'v', no_argument, NULL, "say what is being done" },
	{ NULL, 'p', no_argument, NULL, NULL }, /* kmod 30 compat: ignored */
	{ "sys", OPT_SYS, required_argument, "DIR", NULL },
	{ "proc", OPT_PROC, required_argument, "DIR", NULL },
	{ "firmware", OPT_FIRMWARE, required_argument, "DIR", NULL },
	{ "version", 'V', no_argument, NULL, "show version" },
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

struct insmod_opts {
	unsigned flags;
	bool check;
	bool report;
	bool json;
	bool syslog;
	int verbose;
	struct lkm_ctx_config ctx; /* --sys, --proc, --firmware */
};

static void say_error(const struct insmod_opts *o, const char *fmt, ...) LKM_PRINTF(2, 3);

static void say_error(const struct insmod_opts *o, const char *fmt, ...)
{
	const struct tool_voice v = { "insmod", o->syslog, LOG_DEBUG };
	va_list ap;

	va_start(ap, fmt);
	tool_vsay(&v, LOG_ERR, fmt, ap);
	va_end(ap);
}

/* --report: what the module @filename registered, once it is loaded; @rep is freed. */
static void report(const struct insmod_opts *o, struct lkm_report *rep, const char *filename)
{
	struct lkm_buf b = { 0 };
	char name[LKM_NAME_MAX];
	int r;

	r = lkm_name_from_path(name, sizeof(name), filename);
	if (r == 0)
		r = lkm_report_step(rep, name, filename, LKM_REPORT_LOADED);
	if (r == 0)
		r = lkm_report_show(rep, &b);
	if (r < 0)
		say_error(o, "--report: %s", strerror(-r));
	else
		fwrite(b.data, 1, b.len, stdout);
	lkm_buf_free(&b);
	lkm_report_free(rep);
}

static int insert(const struct insmod_opts *o, const char *filename, const char *params)
{
	struct lkm_report *rep = NULL;
	const struct tool_voice v = { "insmod", o->syslog, LOG_DEBUG };
	struct lkm_err err = { 0 };
	struct lkm_diagnosis why;
	struct lkm_ctx *ctx;
	struct stat st;
	char lead[4200];
	int r;

	if (stat(filename, &st) < 0) {
		r = -errno;
		say_error(o, "could not load module %s: %s", filename, strerror(-r));
		return r;
	}
	r = lkm_ctx_new(&o->ctx, &ctx);
	if (r < 0) {
		say_error(o, "could not set up: %s", strerror(-r));
		return r;
	}
	if (o->verbose)
		fprintf(stderr, "insmod: inserting %s, options \"%s\", flags %#x\n", filename,
			params, o->flags);
	if (o->report && (r = lkm_report_new(ctx, &rep)) < 0)
		say_error(o, "--report: %s", strerror(-r));
	r = lkm_load_explained(ctx, filename, NULL, params, o->flags, &err, &why);
	snprintf(lead, sizeof(lead), "could not insert module %s", filename);
	if (r < 0 && err.why[0])
		say_error(o, "%s: %s", lead, err.why);
	else if (r < 0 && why.code)
		tool_say_diagnosis(&v, LOG_ERR, lead, &why);
	else if (r < 0)
		say_error(o, "%s: %s", lead, lkm_diagnose_load_reason(-r));
	else if (why.first.len)
		tool_say_diagnosis(&v, LOG_WARNING, NULL, &why);
	lkm_diagnosis_release(&why);
	/* A failed load registered nothing: the error says it all. */
	if (rep && r == 0)
		report(o, rep, filename);
	else
		lkm_report_free(rep);
	lkm_ctx_unref(ctx);
	return r;
}

/* --check: load nothing, report what would stop the load. Exit 0 when it would load. */
static int check(const struct insmod_opts *o, const char *filename)
{
	/* The report goes to stdout and its errors to stderr, -s or not. */
	const struct tool_voice v = { "insmod", false, LOG_DEBUG };
	struct lkm_json *json = NULL;
	struct lkm_diagnosis d;
	struct lkm_ctx *ctx;
	int r, w = 0;

	r = lkm_ctx_new(&o->ctx, &ctx);
	if (r < 0) {
		tool_say(&v, LOG_ERR, "could not set up: %s", strerror(-r));
		return r;
	}
	r = lkm_diagnose_check(ctx, filename, &d);
	lkm_ctx_unref(ctx);
	if (r < 0) {
		tool_say(&v, LOG_ERR, "could not check %s: %s", filename, strerror(-r));
		return r;
	}
	if (!o->json) {
		printf("%s\n%s", d.first.data, d.detail.len ? d.detail.data : "");
	} else if ((w = lkm_json_new(stdout, &json)) == 0) {
		lkm_diagnose_check_json(&d, r, json);
		w = lkm_json_free(json);
	}
	lkm_diagnosis_release(&d);
	if (o->json && w < 0) {
		tool_say(&v, LOG_ERR, "could not write the JSON: %s", strerror(-w));
		return w;
	}
	return r > 0 ? -EINVAL : 0;
}

static int parse_options(int argc, char *argv[], struct insmod_opts *o)
{
	struct tool_parser p;
	int c;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->flags |= LKM_LOAD_FORCE;
			break;
		case OPT_FORCE_MODVERSION:
			o->flags |= LKM_LOAD_IGNORE_MODVERSIONS;
			break;
		case OPT_FORCE_VERMAGIC:
			o->flags |= LKM_LOAD_IGNORE_VERMAGIC;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_REPORT:
			o->report = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 's':
			o->syslog = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'p':
			break;
		case OPT_SYS:
			o->ctx.sys = optarg;
			break;
		case OPT_PROC:
			o->ctx.proc = optarg;
			break;
		case OPT_FIRMWARE:
			o->ctx.firmware_dir = optarg;
			break;
		case 'h':
			tool_print_help(stdout, "\tinsmod [options] filename [module options]", options);
			return 1;
		case 'V':
			tool_print_version("insmod");
			return 1;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

int tool_insmod(int argc, char *argv[])
{
	struct insmod_opts o = { 0 };
	char *params = NULL;
	const char *filename;
	int r;

	r = parse_options(argc, argv, &o);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	if (o.syslog)
		openlog("insmod", LOG_CONS, LOG_DAEMON);
	r = -EINVAL;
	if (optind >= argc) {
		say_error(&o, "missing filename.");
		goto out;
	}
	filename = argv[optind];
	if (strcmp(filename, "-") == 0) {
		say_error(&o, "this tool does not support loading from stdin!");
		goto out;
	}
	if (o.json && !o.check) {
		say_error(&o, "--json goes with --check.");
		goto out;
	}
	if (o.check) {
		r = check(&o, filename);
		goto out;
	}
	r = lkm_options_join(argv + optind + 1, (size_t)(argc - optind - 1), &params);
	if (r < 0) {
		say_error(&o, "could not gather module options: %s", strerror(-r));
		goto out;
	}
	r = insert(&o, filename, params);
out:
	free(params);
	if (o.syslog)
		closelog();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
