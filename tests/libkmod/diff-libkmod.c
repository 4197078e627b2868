// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Differential program for libkmod.so.2: built twice from this one source, against
 * Debian's libkmod (kmod 30, the oracle) and against lkm's, and run on the same trees by
 * tests/libkmod/test-diff.sh, which compares the two outputs. It uses kmod 30's interface
 * only, and prints everything a call gives back (return codes included) one fact a line,
 * in the order the library gives it, so that a difference is a line of diff.
 *
 *   diff-libkmod which                      the path of the libkmod this process loaded
 *   diff-libkmod lookup DIR CONF <keys      new_from_lookup, new_from_name_lookup
 *   diff-libkmod modules DIR CONF <names    everything about each module (a name, or a
 *                                           path when the line holds a '/')
 *   diff-libkmod probe DIR CONF <names      probe_insert_module with KMOD_PROBE_DRY_RUN
 *                                           under several flag sets; the blacklist filters
 *   diff-libkmod config DIR CONF            the kmod_config_* iterators
 *   diff-libkmod dump DIR CONF              kmod_dump_index of every index kind
 *   diff-libkmod misc DIR CONF              context calls, loaded modules, initstate names,
 *                                           the state of each /sys/module entry
 *
 * DIR is the module directory (lib/modules/KVER of a tree), CONF the one configuration
 * directory kmod_new() is given: the host's configuration is never read.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

/*
 * Every kmod function called here is a weak reference, so that a library that lacks
 * some (lkm's, while it grows) runs all the rest: where a call is missing, the program
 * prints "missing NAME" instead of its answer.
 */
#pragma weak kmod_config_get_aliases
#pragma weak kmod_config_get_blacklists
#pragma weak kmod_config_get_install_commands
#pragma weak kmod_config_get_options
#pragma weak kmod_config_get_remove_commands
#pragma weak kmod_config_get_softdeps
#pragma weak kmod_config_iter_free_iter
#pragma weak kmod_config_iter_get_key
#pragma weak kmod_config_iter_get_value
#pragma weak kmod_config_iter_next
#pragma weak kmod_dump_index
#pragma weak kmod_get_dirname
#pragma weak kmod_list_last
#pragma weak kmod_list_prev
#pragma weak kmod_load_resources
#pragma weak kmod_module_apply_filter
#pragma weak kmod_module_dependency_symbol_get_bind
#pragma weak kmod_module_dependency_symbol_get_crc
#pragma weak kmod_module_dependency_symbol_get_symbol
#pragma weak kmod_module_dependency_symbols_free_list
#pragma weak kmod_module_get_dependencies
#pragma weak kmod_module_get_dependency_symbols
#pragma weak kmod_module_get_filtered_blacklist
#pragma weak kmod_module_get_holders
#pragma weak kmod_module_get_info
#pragma weak kmod_module_get_initstate
#pragma weak kmod_module_get_install_commands
#pragma weak kmod_module_get_module
#pragma weak kmod_module_get_name
#pragma weak kmod_module_get_options
#pragma weak kmod_module_get_path
#pragma weak kmod_module_get_refcnt
#pragma weak kmod_module_get_remove_commands
#pragma weak kmod_module_get_sections
#pragma weak kmod_module_get_size
#pragma weak kmod_module_get_softdeps
#pragma weak kmod_module_get_symbols
#pragma weak kmod_module_get_versions
#pragma weak kmod_module_info_free_list
#pragma weak kmod_module_info_get_key
#pragma weak kmod_module_info_get_value
#pragma weak kmod_module_initstate_str
#pragma weak kmod_module_new_from_loaded
#pragma weak kmod_module_new_from_lookup
#pragma weak kmod_module_new_from_name
#pragma weak kmod_module_new_from_name_lookup
#pragma weak kmod_module_new_from_path
#pragma weak kmod_module_probe_insert_module
#pragma weak kmod_module_section_free_list
#pragma weak kmod_module_symbol_get_crc
#pragma weak kmod_module_symbol_get_symbol
#pragma weak kmod_module_symbols_free_list
#pragma weak kmod_module_unref
#pragma weak kmod_module_unref_list
#pragma weak kmod_module_version_get_crc
#pragma weak kmod_module_version_get_symbol
#pragma weak kmod_module_versions_free_list
#pragma weak kmod_new
#pragma weak kmod_set_log_fn
#pragma weak kmod_unload_resources
#pragma weak kmod_unref
#pragma weak kmod_validate_resources

/*
 * HAVE(fn): whether the library has fn, saying so when not; a chain of them is joined
 * with '|', so that each missing function is named.
 * DIFF_LIBKMOD_AS_MISSING=",NAME,NAME," makes this program treat those functions as
 * missing even where they exist: the test gives the oracle the list the other side
 * reported, and compares the rest of their answers line for line.
 */
static bool have(bool present, const char *name)
{
	const char *as_missing = getenv("DIFF_LIBKMOD_AS_MISSING");

	if (present && as_missing != NULL) {
		size_t len = strlen(name);
		for (const char *p = strstr(as_missing, name); p; p = strstr(p + 1, name))
			if (p > as_missing && p[-1] == ',' && p[len] == ',')
				present = false;
	}
	if (!present)
		printf(" missing %s\n", name);
	return present;
}
#define HAVE(fn) have((fn) != NULL, #fn)

/* A string on one line: NULL as (null), control bytes and backslashes escaped. */
static void put(const char *s)
{
	if (s == NULL) {
		fputs("(null)", stdout);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void put_line(const char *label, const char *s)
{
	fputs(label, stdout);
	put(s);
	putchar('\n');
}

/* Log messages go to stderr, which the test does not compare: wording may differ. */
static void log_to_stderr(void *data, int priority, const char *file, int line, const char *fn,
			  const char *format, va_list args)
{
	fprintf(stderr, "log %d: ", priority);
	vfprintf(stderr, format, args);
}

static struct kmod_ctx *open_ctx(const char *dir, const char *conf)
{
	const char *configs[] = { conf, NULL };
	struct kmod_ctx *ctx = kmod_new(dir, configs);
	if (ctx == NULL) {
		fprintf(stderr, "diff-libkmod: kmod_new(%s) failed\n", dir);
		exit(2);
	}
	kmod_set_log_fn(ctx, log_to_stderr, NULL);
	return ctx;
}

/* Each stdin line without its newline; *buf is reused. */
static bool next_line(char **buf, size_t *size)
{
	ssize_t n = getline(buf, size, stdin);
	if (n < 0)
		return false;
	if (n > 0 && (*buf)[n - 1] == '\n')
		(*buf)[n - 1] = '\0';
	return true;
}

/* The names of a module list, forwards, and a check that walking back gives the same. */
static void put_module_names(const struct kmod_list *list)
{
	const struct kmod_list *l;
	int n = 0, back = 0;

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		putchar(' ');
		put(kmod_module_get_name(m));
		kmod_module_unref(m);
		n++;
	}
	for (l = kmod_list_last(list); l != NULL; l = kmod_list_prev(list, l))
		back++;
	if (back != n)
		printf(" [list walks %d forwards, %d back]", n, back);
	putchar('\n');
}

static int cmd_which(void)
{
	Dl_info info;
	if (dladdr((void *)kmod_new, &info) == 0 || info.dli_fname == NULL)
		return 1;
	printf("%s\n", info.dli_fname);
	return 0;
}

static int cmd_lookup(struct kmod_ctx *ctx)
{
	char *key = NULL;
	size_t size = 0;

	while (next_line(&key, &size)) {
		struct kmod_list *list = NULL;
		struct kmod_module *mod = NULL;
		int err = kmod_module_new_from_lookup(ctx, key, &list);

		fputs("lookup ", stdout);
		put(key);
		printf(" = %d:", err);
		put_module_names(list);
		kmod_module_unref_list(list);

		err = kmod_module_new_from_name_lookup(ctx, key, &mod);
		printf("  name_lookup = %d ", err);
		put_line("", mod ? kmod_module_get_name(mod) : NULL);
		kmod_module_unref(mod);
	}
	free(key);
	return 0;
}

static void put_info(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int n;

	if (!HAVE(kmod_module_get_info) | !HAVE(kmod_module_info_get_key) |
	    !HAVE(kmod_module_info_get_value) | !HAVE(kmod_module_info_free_list))
		return;
	n = kmod_module_get_info(mod, &list);

	printf(" info = %d\n", n);
	kmod_list_foreach(l, list) {
		fputs("  ", stdout);
		put(kmod_module_info_get_key(l));
		putchar('=');
		put_line("", kmod_module_info_get_value(l));
	}
	kmod_module_info_free_list(list);
}

static void put_versions(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int n;

	if (!HAVE(kmod_module_get_versions) | !HAVE(kmod_module_version_get_crc) |
	    !HAVE(kmod_module_version_get_symbol) | !HAVE(kmod_module_versions_free_list))
		return;
	n = kmod_module_get_versions(mod, &list);

	printf(" versions = %d\n", n);
	kmod_list_foreach(l, list) {
		printf("  %016llx ", (unsigned long long)kmod_module_version_get_crc(l));
		put_line("", kmod_module_version_get_symbol(l));
	}
	kmod_module_versions_free_list(list);
}

static void put_symbols(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int n;

	if (!HAVE(kmod_module_get_symbols) | !HAVE(kmod_module_symbol_get_crc) |
	    !HAVE(kmod_module_symbol_get_symbol) | !HAVE(kmod_module_symbols_free_list))
		return;
	n = kmod_module_get_symbols(mod, &list);

	printf(" symbols = %d\n", n);
	kmod_list_foreach(l, list) {
		printf("  %016llx ", (unsigned long long)kmod_module_symbol_get_crc(l));
		put_line("", kmod_module_symbol_get_symbol(l));
	}
	kmod_module_symbols_free_list(list);
}

static void put_dependency_symbols(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL, *l;
	int n;

	if (!HAVE(kmod_module_get_dependency_symbols) |
	    !HAVE(kmod_module_dependency_symbol_get_bind) |
	    !HAVE(kmod_module_dependency_symbol_get_crc) |
	    !HAVE(kmod_module_dependency_symbol_get_symbol) |
	    !HAVE(kmod_module_dependency_symbols_free_list))
		return;
	n = kmod_module_get_dependency_symbols(mod, &list);

	printf(" dependency_symbols = %d\n", n);
	kmod_list_foreach(l, list) {
		int bind = kmod_module_dependency_symbol_get_bind(l);
		printf("  %016llx %c ",
		       (unsigned long long)kmod_module_dependency_symbol_get_crc(l),
		       bind > 0x20 && bind < 0x7f ? bind : '?');
		put_line("", kmod_module_dependency_symbol_get_symbol(l));
	}
	kmod_module_dependency_symbols_free_list(list);
}

static void put_module(struct kmod_module *mod)
{
	struct kmod_list *pre = NULL, *post = NULL, *deps;
	int err;

	put_line(" name ", kmod_module_get_name(mod));
	put_line(" path ", kmod_module_get_path(mod));
	put_line(" options ", kmod_module_get_options(mod));
	put_line(" install ", kmod_module_get_install_commands(mod));
	put_line(" remove ", kmod_module_get_remove_commands(mod));
	deps = kmod_module_get_dependencies(mod);
	fputs(" dependencies:", stdout);
	put_module_names(deps);
	kmod_module_unref_list(deps);
	err = kmod_module_get_softdeps(mod, &pre, &post);
	printf(" softdeps = %d pre:", err);
	put_module_names(pre);
	fputs(" softdeps post:", stdout);
	put_module_names(post);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	put_info(mod);
	put_versions(mod);
	put_symbols(mod);
	put_dependency_symbols(mod);
}

static int cmd_modules(struct kmod_ctx *ctx)
{
	char *line = NULL;
	size_t size = 0;

	while (next_line(&line, &size)) {
		struct kmod_module *mod = NULL;
		bool by_path = strchr(line, '/') != NULL;
		int err = by_path ? kmod_module_new_from_path(ctx, line, &mod)
				  : kmod_module_new_from_name(ctx, line, &mod);

		printf("module %s ", by_path ? "path" : "name");
		put(line);
		printf(" = %d\n", err);
		if (err == 0)
			put_module(mod);
		kmod_module_unref(mod);
	}
	free(line);
	return 0;
}

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	fputs("  action ", stdout);
	put(kmod_module_get_name(m));
	fputs(install ? " install " : " insmod ", stdout);
	put_line("", options);
}

static const struct {
	const char *name;
	unsigned int flags;
	const char *extra_options;
} probe_modes[] = {
	{ "plain", 0, NULL },
	{ "extra-options", 0, "lkmdiff=1 quoted=\"a b\"" },
	{ "blacklist", KMOD_PROBE_APPLY_BLACKLIST, NULL },
	{ "blacklist-all", KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL },
	{ "blacklist-alias-only", KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL },
	{ "ignore-command", KMOD_PROBE_IGNORE_COMMAND, NULL },
	{ "ignore-loaded", KMOD_PROBE_IGNORE_LOADED, NULL },
	{ "fail-on-loaded", KMOD_PROBE_FAIL_ON_LOADED, NULL },
};

static void put_filter(struct kmod_ctx *ctx, const char *label, int err,
		       struct kmod_list *out)
{
	printf(" %s = %d:", label, err);
	put_module_names(out);
	kmod_module_unref_list(out);
}

static int cmd_probe(struct kmod_ctx *ctx)
{
	char *name = NULL;
	size_t size = 0;

	while (next_line(&name, &size)) {
		struct kmod_list *list = NULL, *out, *l;
		int err = kmod_module_new_from_lookup(ctx, name, &list);

		fputs("probe ", stdout);
		put(name);
		printf(" lookup = %d:", err);
		put_module_names(list);

		out = NULL;
		/* Deprecated, and still called by consumers: it must keep working. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		err = kmod_module_get_filtered_blacklist(ctx, list, &out);
#pragma GCC diagnostic pop
		put_filter(ctx, "filtered_blacklist", err, out);
		static const enum kmod_filter filters[] = { KMOD_FILTER_BLACKLIST,
							   KMOD_FILTER_BUILTIN,
							   KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN };
		for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
			char label[32];
			snprintf(label, sizeof(label), "apply_filter %d", (int)filters[f]);
			out = NULL;
			err = kmod_module_apply_filter(ctx, filters[f], list, &out);
			put_filter(ctx, label, err, out);
		}

		for (size_t i = 0; HAVE(kmod_module_probe_insert_module) &&
				   i < sizeof(probe_modes) / sizeof(probe_modes[0]); i++) {
			kmod_list_foreach(l, list) {
				struct kmod_module *mod = kmod_module_get_module(l);
				printf(" %s ", probe_modes[i].name);
				put_line("", kmod_module_get_name(mod));
				err = kmod_module_probe_insert_module(
					mod, probe_modes[i].flags | KMOD_PROBE_DRY_RUN,
					probe_modes[i].extra_options, NULL, NULL, print_action);
				printf("  = %d\n", err);
				kmod_module_unref(mod);
			}
		}
		kmod_module_unref_list(list);
	}
	free(name);
	return 0;
}

static int cmd_config(struct kmod_ctx *ctx)
{
	static const struct {
		const char *name, *fn;
		struct kmod_config_iter *(*get)(const struct kmod_ctx *ctx);
	} kinds[] = {
#define KIND(name, fn) { name, #fn, fn }
		KIND("blacklist", kmod_config_get_blacklists),
		KIND("install", kmod_config_get_install_commands),
		KIND("remove", kmod_config_get_remove_commands),
		KIND("alias", kmod_config_get_aliases),
		KIND("options", kmod_config_get_options),
		KIND("softdep", kmod_config_get_softdeps),
#undef KIND
	};

	if (!HAVE(kmod_config_iter_next) | !HAVE(kmod_config_iter_get_key) |
	    !HAVE(kmod_config_iter_get_value) | !HAVE(kmod_config_iter_free_iter))
		return 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct kmod_config_iter *iter;
		int n = 0;

		printf("config %s\n", kinds[i].name);
		if (!have(kinds[i].get != NULL, kinds[i].fn))
			continue;
		iter = kinds[i].get(ctx);

		if (iter == NULL)
			printf(" no iterator\n");
		while (iter && kmod_config_iter_next(iter)) {
			fputs("  ", stdout);
			put(kmod_config_iter_get_key(iter));
			fputs(" -> ", stdout);
			put_line("", kmod_config_iter_get_value(iter));
			n++;
		}
		printf(" %d entries\n", n);
		kmod_config_iter_free_iter(iter);
	}
	return 0;
}

static int cmd_dump(struct kmod_ctx *ctx)
{
	static const char *const kinds[] = { "modules.dep", "modules.alias", "modules.symbols",
					     "modules.builtin.alias", "modules.builtin" };

	for (int i = 0; i < 5; i++) {
		printf("dump %s\n", kinds[i]);
		fflush(stdout);
		int err = kmod_dump_index(ctx, (enum kmod_index)i, STDOUT_FILENO);
		printf("dump %s = %d\n", kinds[i], err);
		fflush(stdout);
	}
	return 0;
}

static int cmd_misc(struct kmod_ctx *ctx)
{
	struct kmod_list *loaded = NULL, *l;
	int err;

	printf("validate before load = %d\n", kmod_validate_resources(ctx));
	printf("load_resources = %d\n", kmod_load_resources(ctx));
	printf("validate after load = %d\n", kmod_validate_resources(ctx));
	kmod_unload_resources(ctx);
	printf("validate after unload = %d\n", kmod_validate_resources(ctx));
	for (int s = 0; HAVE(kmod_module_initstate_str) && s <= 4; s++) {
		printf("initstate_str %d ", s);
		put_line("", kmod_module_initstate_str((enum kmod_module_initstate)s));
	}
	if (!HAVE(kmod_module_new_from_loaded) | !HAVE(kmod_module_get_holders) |
	    !HAVE(kmod_module_get_sections) | !HAVE(kmod_module_get_initstate) |
	    !HAVE(kmod_module_get_refcnt) | !HAVE(kmod_module_get_size) |
	    !HAVE(kmod_module_section_free_list))
		return 0;
	err = kmod_module_new_from_loaded(ctx, &loaded);
	printf("new_from_loaded = %d:", err);
	put_module_names(loaded);
	kmod_list_foreach(l, loaded) {
		struct kmod_module *mod = kmod_module_get_module(l);
		struct kmod_list *holders = kmod_module_get_holders(mod);
		struct kmod_list *sections = kmod_module_get_sections(mod), *s;
		int n = 0;

		put_line(" loaded ", kmod_module_get_name(mod));
		printf("  initstate %d refcnt %d size %ld holders:",
		       kmod_module_get_initstate(mod), kmod_module_get_refcnt(mod),
		       kmod_module_get_size(mod));
		put_module_names(holders);
		kmod_module_unref_list(holders);
		kmod_list_foreach(s, sections)
			n++;
		printf("  sections %d\n", n);
		kmod_module_section_free_list(sections);
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(loaded);

	/* What the library makes of each /sys/module entry (built in, loaded, or a mere
	 * parameters directory), in name order: the probe decides by it. */
	struct dirent **names;
	int n = scandir("/sys/module", &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct kmod_module *mod = NULL;
		if (names[i]->d_name[0] != '.' &&
		    kmod_module_new_from_name(ctx, names[i]->d_name, &mod) == 0) {
			printf("sys/module %s initstate %d refcnt %d\n", names[i]->d_name,
			       kmod_module_get_initstate(mod), kmod_module_get_refcnt(mod));
			kmod_module_unref(mod);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return 0;
}

int main(int argc, char *argv[])
{
	struct kmod_ctx *ctx;
	const char *cmd = argc > 1 ? argv[1] : "";
	int ret;

	if (strcmp(cmd, "which") == 0)
		return cmd_which();
	if (argc != 4) {
		fprintf(stderr, "usage: diff-libkmod which | lookup|modules|probe|config|dump|misc "
				"DIR CONF\n");
		return 2;
	}
	ctx = open_ctx(argv[2], argv[3]);
	put_line("dirname ", kmod_get_dirname(ctx));
	if (strcmp(cmd, "lookup") == 0)
		ret = cmd_lookup(ctx);
	else if (strcmp(cmd, "modules") == 0)
		ret = cmd_modules(ctx);
	else if (strcmp(cmd, "probe") == 0)
		ret = cmd_probe(ctx);
	else if (strcmp(cmd, "config") == 0)
		ret = cmd_config(ctx);
	else if (strcmp(cmd, "dump") == 0)
		ret = cmd_dump(ctx);
	else if (strcmp(cmd, "misc") == 0)
		ret = cmd_misc(ctx);
	else {
		fprintf(stderr, "diff-libkmod: unknown command %s\n", cmd);
		ret = 2;
	}
	kmod_unref(ctx);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return ret;
}
