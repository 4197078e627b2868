// SPDX-License-Identifier: LGPL-2.1-or-later
/* lkm index: look inside a .bin index (modules.dep.bin, modules.alias.bin, ...). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tools.h"

static const struct tool_voice voice = { "lkm index", false, LOG_DEBUG };

static const char usage_text[] =
	"\tlkm index dump FILE          every value: KEY<TAB>PRIORITY<TAB>VALUE, keys sorted\n"
	"\tlkm index lookup FILE KEY    the values of KEY exactly, in stored order\n"
	"\tlkm index match FILE KEY     the values of every stored pattern matching KEY,\n"
	"\t                             in the order modprobe uses (modules.alias.bin)\n"
	"Each output line is KEY<TAB>PRIORITY<TAB>VALUE; VALUE may hold spaces but no tab.\n"
	"lookup and match print the KEY given. A key with no value prints nothing and\n"
	"exits 0. A file that is not a valid index exits 1.";

static const struct tool_option options[] = {
	{ "help", 'h', no_argument, NULL, "show this help" },
	{ "version", 'V', no_argument, NULL, "show the version" },
	{ NULL, 0, 0, NULL, NULL },
};

static void print_list(const char *key, const struct lkm_index_value *v)
{
	for (; v; v = v->next)
		printf("%s\t%u\t%s\n", key, v->priority, v->value);
}

/* The whole index, as far as it reads. */
static int print_dump(struct lkm_index *idx)
{
	struct lkm_buf b = { 0 };
	int r = lkm_index_dump(idx, &b);

	if (b.data)
		fputs(b.data, stdout);
	lkm_buf_free(&b);
	return r;
}

static int run(const char *cmd, const char *path, const char *key)
{
	struct lkm_index_value *values = NULL;
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	int r;

	r = lkm_index_open(path, &idx, &err);
	/* A dump reads every node, so check them all first and name what is wrong. */
	if (r >= 0 && strcmp(cmd, "dump") == 0) {
		r = lkm_index_verify(idx, &err);
		if (r < 0)
			lkm_index_close(idx);
	}
	if (r < 0) {
		tool_say(&voice, LOG_ERR, "%s: %s", path, lkm_err_reason(&err, r));
		return r;
	}
	if (strcmp(cmd, "dump") == 0)
		r = print_dump(idx);
	else if (strcmp(cmd, "lookup") == 0)
		r = lkm_index_lookup(idx, key, &values);
	else
		r = lkm_index_match_wildcards(idx, key, &values);
	if (r < 0)
		tool_say(&voice, LOG_ERR, "%s: %s", path, lkm_err_reason(NULL, r));
	print_list(key, values);
	lkm_index_values_free(values);
	lkm_index_close(idx);
	if (fflush(stdout) != 0 && r >= 0) {
		tool_say(&voice, LOG_ERR, "standard output: %m");
		r = -EIO;
	}
	return r;
}

static bool known_command(const char *cmd, int nargs)
{
	if (strcmp(cmd, "dump") == 0)
		return nargs == 1;
	if (strcmp(cmd, "lookup") == 0 || strcmp(cmd, "match") == 0)
		return nargs == 2;
	return false;
}

int tool_index(int argc, char *argv[])
{
	struct tool_parser p;
	int c;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tool_print_help(stdout, usage_text, options);
			return EXIT_SUCCESS;
		case 'V':
			tool_print_version("index");
			return EXIT_SUCCESS;
		default:
			tool_print_help(stderr, usage_text, options);
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc || !known_command(argv[optind], argc - optind - 1)) {
		tool_say(&voice, LOG_ERR, "expected: dump FILE | lookup FILE KEY | match FILE KEY");
		return EXIT_FAILURE;
	}
	if (run(argv[optind], argv[optind + 1], argc - optind > 2 ? argv[optind + 2] : NULL) < 0)
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}
