// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo: show what a module declares. Output is kmod's, byte for byte.
 *
 * lkm_modinfo_jobs_*() find and decode the modules (in parallel) and give them back in
 * argument order; this file only chooses the fields and prints them. --batch answers
 * each line of stdin (tools/batch.c) with one context.
 *
 * --json prints one JSON array of the modules found, one object each (lib/json.c's
 * layout; kmod issue 434: -0 mixes its separators, so a program has nothing sure to
 * split on). The keys are those of the text, in the module's order, after "name",
 * "filename" (null when built in) and "builtin". Some keys are always arrays, whether
 * the module has none, one or many (json_array_keys); "depends" is split at its commas;
 * any other key is a string, or an array of its values when the module repeats it.
 * "parm" and "parmtype" are the raw records, and "parameters" merges them as the text
 * does: [{"name", "type", "description"}], null where a module gives none; sig_key and
 * signature are their hex without the text's line breaks. -F FIELD
 * (and -a -d -l -p -n) keeps only that key; -0 changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

enum { OPT_BATCH = 256, OPT_JSON };

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
	{ "json", OPT_JSON, no_argument, NULL, "Print a JSON array, one object a module" },
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
	bool json;
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

/* The keys that are arrays in --json even when a module has one or none of them. */
static const char *const json_array_keys[] = {
	"alias", "author", "depends", "firmware", "import_ns", "parm", "parmtype", "softdep",
	"weakdep", NULL,
};

static bool json_array_key(const char *key)
{
	size_t i;

	for (i = 0; json_array_keys[i]; i++)
		if (strcmp(json_array_keys[i], key) == 0)
			return true;
	return false;
}

/* "a,b,c" as ["a","b","c"]; "" as []. */
static void json_depends(struct lkm_json *json, const char *value)
{
	while (*value) {
		size_t len = strcspn(value, ",");

		lkm_json_string_len(json, value, len);
		value += len + (value[len] == ',');
	}
}

/* The hex of sig_key and signature without the text's line breaks ("\n\t\t"). */
static void json_hex(struct lkm_json *json, const char *value)
{
	char *flat = malloc(strlen(value) + 1), *d = flat;
	const char *p;

	if (!flat) {
		lkm_json_string(json, value);
		return;
	}
	for (p = value; *p; p++)
		if (*p != '\n' && *p != '\t')
			*d++ = *p;
	*d = '\0';
	lkm_json_string(json, flat);
	free(flat);
}

/* Each distinct key of @e once, where it first appears, with every value it has. */
static void json_fields(struct lkm_json *json, const struct lkm_modinfo_entry *e, size_t n,
			const char *only)
{
	size_t i, j, count;

	for (i = 0; i < n; i++) {
		bool seen = false, array;

		if (strcmp(e[i].key, "name") == 0 || (only && strcmp(only, e[i].key) != 0 &&
						       (strcmp(only, "parm") != 0 ||
							strcmp(e[i].key, "parmtype") != 0)))
			continue;
		for (j = 0, count = 0; j < n && !seen; j++) {
			seen = j < i && strcmp(e[j].key, e[i].key) == 0;
			count += strcmp(e[j].key, e[i].key) == 0;
		}
		if (seen)
			continue;
		array = json_array_key(e[i].key) || count > 1;
		lkm_json_key(json, e[i].key);
		if (array)
			lkm_json_begin_array(json);
		for (j = i; j < n; j++) {
			if (strcmp(e[j].key, e[i].key) != 0)
				continue;
			if (strcmp(e[j].key, "depends") == 0)
				json_depends(json, e[j].value);
			else if (strcmp(e[j].key, "sig_key") == 0 ||
				 strcmp(e[j].key, "signature") == 0)
				json_hex(json, e[j].value);
			else
				lkm_json_string(json, e[j].value);
		}
		if (array)
			lkm_json_end_array(json);
	}
}

static void json_params(struct lkm_json *json, const struct lkm_modinfo_params *ps)
{
	size_t i;

	lkm_json_key(json, "parameters");
	lkm_json_begin_array(json);
	for (i = 0; i < ps->count; i++) {
		lkm_json_begin_object(json);
		lkm_json_key(json, "name");
		lkm_json_string_len(json, ps->items[i].name, (size_t)ps->items[i].namelen);
		lkm_json_member_string(json, "type", ps->items[i].type);
		lkm_json_member_string(json, "description", ps->items[i].desc);
		lkm_json_end_object(json);
	}
	lkm_json_end_array(json);
}

/* One module as a --json object; errors as show() says them. Return: 0 or -1. */
static int show_json(struct lkm_json *json, const struct lkm_modinfo_result *res,
		     const struct modinfo_opts *opts)
{
	const char *only = opts->field;
	struct lkm_modinfo_params ps = { 0 };
	const struct lkm_modinfo_entry *e = NULL;
	bool want_params = !only || strcmp(only, "parm") == 0;
	size_t i, n = 0;

	if (res->error < 0) {
		fprintf(stderr, "modinfo: ERROR: %s: %s\n", res->path ? res->path : res->name,
			res->reason);
		return -1;
	}
	if (res->info && want_params && lkm_modinfo_get_params(res->info, &ps) < 0) {
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(ENOMEM));
		return -1;
	}
	lkm_json_begin_object(json);
	lkm_json_member_string(json, "name", res->name);
	lkm_json_member_string(json, "filename", res->path);
	lkm_json_member_bool(json, "builtin", !res->path);
	if (res->info)
		e = lkm_modinfo_get_entries(res->info, &n);
	if (!only || (strcmp(only, "name") != 0 && strcmp(only, "filename") != 0))
		json_fields(json, e, n, only);
	if (res->info && want_params)
		json_params(json, &ps);
	lkm_json_end_object(json);
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
	case OPT_JSON: o->json = true; break;
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
	struct lkm_json *json = NULL;
	unsigned flags;
	int r, result = EXIT_SUCCESS;

	/* -n needs no fields: a file is named, never opened, as in kmod. */
	flags = opts->by_name ? LKM_MODINFO_JOBS_BY_NAME : 0;
	if (opts->field && strcmp(opts->field, "filename") == 0)
		flags |= LKM_MODINFO_JOBS_NO_DECODE;
	r = lkm_modinfo_jobs_new(ctx, args, n, flags, &jobs);
	if (r == 0 && opts->json && (r = lkm_json_new(stdout, &json)) < 0)
		lkm_modinfo_jobs_free(jobs);
	if (r < 0) {
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	if (json)
		lkm_json_begin_array(json);
	while (lkm_modinfo_jobs_next(jobs, &res) > 0) {
		if (res->name && (json ? show_json(json, res, opts) : show(res, opts)) == 0)
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
	if (json)
		lkm_json_end_array(json);
	r = lkm_json_free(json);
	if (r < 0) {
		fprintf(stderr, "modinfo: ERROR: could not write the JSON: %s\n", strerror(-r));
		result = EXIT_FAILURE;
	}
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
