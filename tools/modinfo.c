// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo: show what a module declares. Output is kmod's, byte for byte.
 *
 * lkm_modinfo_jobs_*() find and decode the modules (in parallel) and give them back in
 * argument order; this file only chooses the fields and prints them. --batch answers
 * each line of stdin (tools/batch.c) with one context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

enum { OPT_BATCH = 256 };

static const struct tool_option options[] = {
	{ "author", 'a', no_argument, NULL, "Print only 'author'" },
	{ "description", 'd', no_argument, NULL, "Print only 'description'" },
	{ "license", 'l', no_argument, NULL, "Print only 'license'" },
	{ "parameters", 'p', no_argument, NULL, "Print only 'parm'" },
	{ "filename", 'n', no_argument, NULL, "Print only 'filename'" },
	{ "null", '0', no_argument, NULL, "Use \\0 instead of \\n" },
	{ "modname", 'm', no_argument, NULL,
	  "Handle argument as module name instead of alias or filename" },
	{ "field", 'F', required_argument, "FIELD", "Print only provided FIELD" },
	{ "set-version", 'k', required_argument, "VERSION", "Use VERSION instead of `uname -r`" },
	{ "basedir", 'b', required_argument, "DIR", "Use DIR as filesystem root for /lib/modules" },
	{ "batch", OPT_BATCH, no_argument, NULL,
	  "One request a line from stdin; exit 1 if any failed" },
	{ "version", 'V', no_argument, NULL, "Show version" },
	{ "help", 'h', no_argument, NULL, "Show this help" },
	{ 0 },
};

struct modinfo_opts {
	const char *field;  /* NULL: everything */
	char sep;
	bool by_name;
	const char *kver;
	const char *basedir;
	bool batch;
	unsigned lineno;     /* the line of --batch being answered; 0: the command line */
	struct lkm_ctx *ctx; /* --batch: the one context of every line */
};

/* -p shows a parameter without parm record as "NAME: (TYPE)", the full list otherwise. */
static void print_params(const struct lkm_modinfo_params *ps, bool only_params, char sep)
{
	const char *prefix = only_params ? "" : "parm:           ";
	size_t i;

	for (i = 0; i < ps->count; i++) {
		const struct lkm_modinfo_param *p = &ps->items[i];

		if (!p->desc && only_params)
			printf("%.*s: (%s)%c", p->namelen, p->name, p->type, sep);
		else if (!p->desc)
			printf("%s%.*s:%s%c", prefix, p->namelen, p->name, p->type, sep);
		else if (p->type)
			printf("%s%.*s:%s (%s)%c", prefix, p->namelen, p->name, p->desc,
			       p->type, sep);
		else
			printf("%s%.*s:%s%c", prefix, p->namelen, p->name, p->desc, sep);
	}
}

static void print_fields(const struct lkm_modinfo *info, const struct modinfo_opts *opts)
{
	const struct lkm_modinfo_entry *e;
	size_t i, n;

	e = lkm_modinfo_get_entries(info, &n);
	for (i = 0; i < n; i++) {
		const char *key = e[i].key, *value = e[i].value;

		if (opts->field) {
			if (strcmp(opts->field, key) == 0)
				printf("%s%c", value, opts->sep);
		} else if (strcmp(key, "parm") == 0 || strcmp(key, "parmtype") == 0) {
			continue;
		} else if (opts->sep == '\0') {
			printf("%s=%s%c", key, value, opts->sep);
		} else {
			int pad = 15 - (int)strlen(key);

			printf("%s:%-*s%s%c", key, pad > 0 ? pad : 0, "", value,
			       opts->sep);
		}
	}
}

/*
 * One module, as kmod prints it. Its errors follow what it printed, stdout flushed
 * first, so that on a shared terminal they come after it. Return: 0, or -1 when the
 * module could not be shown.
 */
static int show(const struct lkm_modinfo_result *res, const struct modinfo_opts *opts)
{
	const char *filename = res->path ? res->path : "(builtin)";
	bool want_params = !opts->field || strcmp(opts->field, "parm") == 0;
	struct lkm_modinfo_params ps = { 0 };
	size_t i;

	if (!res->path && !opts->field)
		printf("%-16s%s%c", "name:", res->name, opts->sep);
	else if (!res->path && strcmp(opts->field, "name") == 0)
		printf("%s%c", res->name, opts->sep);
	if (opts->field && strcmp(opts->field, "filename") == 0) {
		printf("%s%c", filename, opts->sep);
		return 0;
	}
	if (!opts->field)
		printf("%-16s%s%c", "filename:", filename, opts->sep);
	if (res->info && want_params && lkm_modinfo_get_params(res->info, &ps) < 0) {
		fflush(stdout);
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(ENOMEM));
		return -1;
	}
	if (res->error < 0) {
		fflush(stdout);
		fprintf(stderr, "modinfo: ERROR: %s: %s\n",
			res->path ? res->path : res->name, res->reason);
		return -1;
	}
	if (res->info && (!opts->field || strcmp(opts->field, "parm") != 0))
		print_fields(res->info, opts);
	if (want_params)
		print_params(&ps, opts->field != NULL, opts->sep);
	if (ps.invalid_count)
		fflush(stdout);
	for (i = 0; i < ps.invalid_count; i++)
		fprintf(stderr, "modinfo: ERROR: Found invalid \"%s=%s\": missing ':'\n",
			ps.invalid[i]->key, ps.invalid[i]->value);
	lkm_modinfo_params_release(&ps);
	return 0;
}

static int parse_one(void *data, int c)
{
	struct modinfo_opts *o = data;

	if (o->lineno && (c == 'k' || c == 'b' || c == OPT_BATCH)) {
		fprintf(stderr, "modinfo: ERROR: stdin line %u: -k -b --batch: not here\n",
			o->lineno);
		return -EINVAL;
	}
	switch (c) {
	case 'a': o->field = "author"; break;
	case 'd': o->field = "description"; break;
	case 'l': o->field = "license"; break;
	case 'p': o->field = "parm"; break;
	case 'n': o->field = "filename"; break;
	case '0': o->sep = '\0'; break;
	case 'm': o->by_name = true; break;
	case 'F': o->field = optarg; break;
	case 'k': o->kver = optarg; break;
	case 'b': o->basedir = optarg; break;
	case OPT_BATCH: o->batch = true; break;
	case 'h':
		tool_print_help(stdout, "\tmodinfo [options] <modulename|filename> [args]\n"
				"\tmodinfo [options] --batch < requests", options);
		return 1;
	case 'V':
		tool_print_version("modinfo");
		return 1;
	default:
		return -EINVAL;
	}
	return 0;
}

static int parse_args(int argc, char *argv[], struct modinfo_opts *o)
{
	int r = tool_parse(options, argc, argv, parse_one, o);

	if (r == 0 && (optind >= argc) != (o->batch && !o->lineno)) {
		fprintf(stderr, "modinfo: ERROR: %s\n", o->batch && !o->lineno ?
			"--batch reads its modules from stdin." : "missing module or filename.");
		return -EINVAL;
	}
	return r;
}

/* Each of @args shown. Return: the exit code. */
static int answer(const struct modinfo_opts *opts, struct lkm_ctx *ctx, char **args,
		  size_t n)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;
	unsigned flags;
	int r, result = EXIT_SUCCESS;

	/* -n needs no fields: a file is named, never opened, as in kmod. */
	flags = opts->by_name ? LKM_MODINFO_JOBS_BY_NAME : 0;
	if (opts->field && strcmp(opts->field, "filename") == 0)
		flags |= LKM_MODINFO_JOBS_NO_DECODE;
	r = lkm_modinfo_jobs_new(ctx, args, n, flags, &jobs);
	if (r < 0) {
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	while (lkm_modinfo_jobs_next(jobs, &res) > 0) {
		if (res->name && show(res, opts) == 0)
			continue;
		result = EXIT_FAILURE;
		if (res->name)
			continue;
		if (res->error == -ENOENT)
			fprintf(stderr, "modinfo: ERROR: Module %s%s not found.\n",
				opts->by_name ? "name " : "", res->spec);
		else
			fprintf(stderr, "modinfo: ERROR: %s: %s\n", res->spec,
				res->reason);
	}
	lkm_modinfo_jobs_free(jobs);
	return result;
}

/* A line of --batch: its options over the command line's, answered as modinfo would. */
static int request(void *data, int argc, char **av, unsigned lineno)
{
	struct modinfo_opts o = *(const struct modinfo_opts *)data;
	int r;

	o.lineno = lineno;
	r = parse_args(argc, av, &o);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	return answer(&o, o.ctx, av + optind, (size_t)(argc - optind));
}

int tool_modinfo(int argc, char *argv[])
{
	static const char *const no_config[] = { NULL };
	struct modinfo_opts opts = { .sep = '\n' };
	struct lkm_ctx_config cfg = { .config_paths = no_config };
	struct lkm_ctx *ctx;
	int r;

	r = parse_args(argc, argv, &opts);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	/* Like kmod: -b and -k give ROOT/lib/modules/KVER, whatever the moduledir. */
	cfg.basedir = opts.basedir;
	cfg.kver = opts.kver;
	r = lkm_ctx_new(&cfg, &ctx);
	if (r < 0) {
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	opts.ctx = ctx;
	if (opts.batch)
		r = tool_batch("modinfo", argv[0], request, &opts);
	else
		r = answer(&opts, ctx, argv + optind, (size_t)(argc - optind));
	lkm_ctx_unref(ctx);
	return r;
}
