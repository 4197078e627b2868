// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a libkmod says about a module tree, as text, for tests/libkmod/test-diff.sh:
 * built once against Debian's libkmod and once against lkm's, run on the same tree,
 * the two outputs must be the same. Only kmod's public interface is used.
 *
 * usage: kmod-dump MODULE-DIR CONFIG-PATH NAME...
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

static const char *str(const char *s)
{
	return s ? s : "(null)";
}

static void print_names(const char *what, struct kmod_list *list)
{
	struct kmod_list *l;

	printf("    %s:", what);
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		printf(" %s", kmod_module_get_name(m));
		kmod_module_unref(m);
	}
	printf("\n");
}

static void print_module(struct kmod_module *m)
{
	struct kmod_list *deps, *pre = NULL, *post = NULL;

	printf("  module %s\n", kmod_module_get_name(m));
	printf("    path: %s\n", str(kmod_module_get_path(m)));
	printf("    options: %s\n", str(kmod_module_get_options(m)));
	printf("    install: %s\n", str(kmod_module_get_install_commands(m)));
	printf("    remove: %s\n", str(kmod_module_get_remove_commands(m)));
	deps = kmod_module_get_dependencies(m);
	print_names("deps", deps);
	kmod_module_unref_list(deps);
	printf("    softdeps: %d\n", kmod_module_get_softdeps(m, &pre, &post));
	print_names("pre", pre);
	print_names("post", post);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
}

static void lookup(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *out = NULL, *l;
	struct kmod_module *m = NULL;
	int r;

	r = kmod_module_new_from_lookup(ctx, name, &list);
	printf("lookup %s: %d\n", name, r);
	kmod_list_foreach(l, list) {
		m = kmod_module_get_module(l);
		print_module(m);
		kmod_module_unref(m);
	}
	r = kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, list, &out);
	printf("  filter %d,", r);
	print_names("not blacklisted", out);
	kmod_module_unref_list(out);
	kmod_module_unref_list(list);

	m = NULL;
	r = kmod_module_new_from_name_lookup(ctx, name, &m);
	printf("name lookup %s: %d %s %s\n", name, r, m ? kmod_module_get_name(m) : "-",
	       m ? str(kmod_module_get_path(m)) : "-");
	kmod_module_unref(m);
}

/* ==== part INFO: modinfo, __versions, exports and needed symbols ==== */

static void print_info_lists(struct kmod_module *m)
{
	struct kmod_list *list = NULL, *l;
	int r;

	r = kmod_module_get_info(m, &list);
	printf("  info: %d\n", r);
	kmod_list_foreach(l, list)
		printf("    %s=%s\n", kmod_module_info_get_key(l),
		       kmod_module_info_get_value(l));
	kmod_module_info_free_list(list);
	list = NULL;
	r = kmod_module_get_versions(m, &list);
	printf("  versions: %d\n", r);
	kmod_list_foreach(l, list)
		printf("    %s 0x%llx\n", kmod_module_version_get_symbol(l),
		       (unsigned long long)kmod_module_version_get_crc(l));
	kmod_module_versions_free_list(list);
	list = NULL;
	r = kmod_module_get_symbols(m, &list);
	printf("  symbols: %d\n", r);
	kmod_list_foreach(l, list)
		printf("    %s 0x%llx\n", kmod_module_symbol_get_symbol(l),
		       (unsigned long long)kmod_module_symbol_get_crc(l));
	kmod_module_symbols_free_list(list);
	list = NULL;
	r = kmod_module_get_dependency_symbols(m, &list);
	printf("  dependency symbols: %d\n", r);
	kmod_list_foreach(l, list)
		printf("    %s 0x%llx %c\n", kmod_module_dependency_symbol_get_symbol(l),
		       (unsigned long long)kmod_module_dependency_symbol_get_crc(l),
		       kmod_module_dependency_symbol_get_bind(l));
	kmod_module_dependency_symbols_free_list(list);
}

/*
 * The tree's modules by name and make-tree's extra files (info-fixtures.h) by path.
 * Left out, as kmod 30 and 34 differ there (tests/libkmod/test-info.c holds lkm to
 * kmod 34): a built-in module without modinfo records (kmod 30: -ENOSYS, 34: 0) and
 * files without .modinfo, __versions or exports (kmod 30: -ENOENT, 34: -ENODATA).
 */
static void dump_info(struct kmod_ctx *ctx, const char *dir)
{
	static const char *const names[] = { "foo", "bar_drv", "baz" };
	static const char *const files[] = { "signed.ko", "syms.ko", "notelf.ko" };
	struct kmod_module *m;
	char path[4096];
	size_t i;
	int r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = kmod_module_new_from_name(ctx, names[i], &m);
		printf("info of %s: %d\n", names[i], r);
		if (r < 0)
			continue;
		print_info_lists(m);
		kmod_module_unref(m);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/extra/%s", dir, files[i]);
		r = kmod_module_new_from_path(ctx, path, &m);
		printf("info of extra/%s: %d\n", files[i], r);
		if (r < 0)
			continue;
		print_info_lists(m);
		kmod_module_unref(m);
	}
}

/* ==== end of part INFO ==== */

/* ---- part PROBE: kmod_module_probe_insert_module, insert and remove ---- */

static void dump_print_action(struct kmod_module *m, bool install, const char *options)
{
	if (install)
		printf("    install %s '%s' [%s]\n", kmod_module_get_name(m),
		       str(kmod_module_get_install_commands(m)), options);
	else
		printf("    insmod %s %s [%s]\n", kmod_module_get_name(m),
		       str(kmod_module_get_path(m)), options);
}

static int dump_run_install(struct kmod_module *m, const char *cmd, void *data)
{
	printf("    run_install %s '%s' %s\n", kmod_module_get_name(m), cmd, (char *)data);
	return 0;
}

/*
 * Probes whose list cannot reach the kernel: dry runs, in-kernel and blacklisted
 * targets, and install commands. Left out are the cases where lkm's plan deliberately
 * differs from kmod's (libkmod/module-probe.c): baz, and foo (baz found by an alias),
 * without a blacklist flag that stops them, for baz's softdep on itself.
 */
static void dump_probes(struct kmod_ctx *ctx)
{
	static const struct {
		const char *name;
		unsigned flags;
		const char *extra;
	} probes[] = {
		{ "bar-drv", KMOD_PROBE_DRY_RUN, "x=1" },
		{ "bar-drv", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_COMMAND, NULL },
		{ "bar_drv", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL, "" },
		{ "myalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, "m=1" },
		{ "fooalias", KMOD_PROBE_DRY_RUN, NULL },
		{ "fooalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_COMMAND, "y=2" },
		{ "pci:v0000ABCDd00001234", KMOD_PROBE_DRY_RUN, NULL },
		{ "symbol:bar_fn", KMOD_PROBE_DRY_RUN, NULL },
		{ "inst_only", KMOD_PROBE_DRY_RUN, "z=3" },
		{ "foo", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL },
		{ "foo", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL },
		{ "foo", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL },
		{ "baz", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL },
		{ "baz", KMOD_PROBE_APPLY_BLACKLIST_ALL | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY,
		  NULL },
		{ "bi", KMOD_PROBE_DRY_RUN, NULL },
		{ "bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_FAIL_ON_LOADED, NULL },
		{ "bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED, "b=1" },
		/* Not dry: install commands only, handed to run_install. */
		{ "inst_only", 0, "z=4" },
		{ "fooalias", KMOD_PROBE_FAIL_ON_LOADED, "w=5" },
	};
	struct kmod_module *m;
	size_t i;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		struct kmod_list *list = NULL, *l;

		printf("probe %s 0x%x %s:\n", probes[i].name, probes[i].flags,
		       str(probes[i].extra));
		if (kmod_module_new_from_lookup(ctx, probes[i].name, &list) < 0)
			continue;
		kmod_list_foreach(l, list) {
			m = kmod_module_get_module(l);
			printf("  -> %d\n",
			       kmod_module_probe_insert_module(m, probes[i].flags, probes[i].extra,
							       dump_run_install, "data",
							       dump_print_action));
			kmod_module_unref(m);
		}
		kmod_module_unref_list(list);
	}
	printf("probe NULL: %d\n", kmod_module_probe_insert_module(NULL, 0, NULL, NULL, NULL,
								   NULL));
	printf("insert NULL: %d\n", kmod_module_insert_module(NULL, 0, NULL));
	printf("remove NULL: %d\n", kmod_module_remove_module(NULL, 0));
	if (kmod_module_new_from_name(ctx, "nothing_at_all", &m) == 0) {
		printf("probe nothing_at_all dry: %d\n",
		       kmod_module_probe_insert_module(m, KMOD_PROBE_DRY_RUN, "q=1", NULL, NULL,
						       dump_print_action));
		printf("insert nothing_at_all: %d\n", kmod_module_insert_module(m, 0, NULL));
		printf("remove nothing_at_all: %d\n",
		       kmod_module_remove_module(m, KMOD_REMOVE_NOLOG));
		kmod_module_unref(m);
	}
	/* An install command by system(3): its output between the two lines. */
	if (kmod_module_new_from_name(ctx, "foo", &m) == 0) {
		fflush(stdout);
		printf("  -> %d\n", kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL));
		kmod_module_unref(m);
	}
}

/* ---- end of part PROBE ---- */

/* ==== STATE: the configuration iterators, and the kernel's state of modules ==== */

/*
 * A softdep's text with its groups apart: kmod glues them ("pre: a bpost: c"), lkm
 * puts a space between them (as its modprobe -c does), and this prints both as lkm
 * does. Nothing else is changed.
 */
static void print_softdep_text(const char *v)
{
	const char *post = strstr(v, "post: ");

	if (post && post > v && post[-1] != ' ')
		printf("%.*s %s", (int)(post - v), v, post);
	else
		printf("%s", v);
}

static void dump_config_iter(const char *what, struct kmod_config_iter *iter)
{
	const char *v;
	bool again;

	printf("config %s:%s\n", what, iter ? "" : " (none)");
	while (kmod_config_iter_next(iter)) {
		v = kmod_config_iter_get_value(iter);
		printf("  %s = ", str(kmod_config_iter_get_key(iter)));
		if (v && strcmp(what, "softdeps") == 0)
			print_softdep_text(v);
		else
			printf("%s", str(v));
		printf("\n");
	}
	/* After the end the walk starts again from the first entry. */
	again = kmod_config_iter_next(iter);
	printf("  again: %d %s\n", again, str(kmod_config_iter_get_key(iter)));
	kmod_config_iter_free_iter(iter);
}

/* What the running kernel says of @name: both libraries read the real /sys and /proc. */
static void dump_module_state(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *m;
	struct kmod_list *list, *l;
	int state, refcnt;
	long size;

	if (kmod_module_new_from_name(ctx, name, &m) < 0)
		return;
	state = kmod_module_get_initstate(m);
	size = kmod_module_get_size(m);
	refcnt = kmod_module_get_refcnt(m);
	/* A live module's count may change between the two runs: only whether it reads. */
	printf("  %s: initstate %d %s size %ld refcnt %s", name, state,
	       str(state >= 0 ? kmod_module_initstate_str(state) : NULL), size,
	       refcnt >= 0 ? "ok" : "error");
	if (refcnt < 0)
		printf(" %d", refcnt);
	list = kmod_module_get_holders(m);
	printf(" holders:");
	kmod_list_foreach(l, list) {
		struct kmod_module *h = kmod_module_get_module(l);

		printf(" %s", kmod_module_get_name(h));
		kmod_module_unref(h);
	}
	kmod_module_unref_list(list);
	list = kmod_module_get_sections(m);
	printf(" sections:");
	kmod_list_foreach(l, list)
		printf(" %s", str(kmod_module_section_get_name(l)));
	kmod_module_section_free_list(list);
	printf("\n");
	kmod_module_unref(m);
}

static void dump_state(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL;
	struct dirent **ents;
	int r, i, n;

	dump_config_iter("blacklists", kmod_config_get_blacklists(ctx));
	dump_config_iter("install", kmod_config_get_install_commands(ctx));
	dump_config_iter("remove", kmod_config_get_remove_commands(ctx));
	dump_config_iter("aliases", kmod_config_get_aliases(ctx));
	dump_config_iter("options", kmod_config_get_options(ctx));
	dump_config_iter("softdeps", kmod_config_get_softdeps(ctx));

	r = kmod_module_new_from_loaded(ctx, &list);
	printf("loaded: %d,", r);
	print_names("modules", list);
	kmod_module_unref_list(list);
	printf("state:\n");
	dump_module_state(ctx, "foo");
	dump_module_state(ctx, "bi");
	dump_module_state(ctx, "nothing_at_all");
	n = scandir("/sys/module", &ents, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.')
			dump_module_state(ctx, ents[i]->d_name);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* ==== end of STATE ==== */

int main(int argc, char **argv)
{
	const char *paths[] = { NULL, NULL };
	struct kmod_ctx *ctx;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: kmod-dump MODULE-DIR CONFIG-PATH NAME...\n");
		return 2;
	}
	paths[0] = argv[2];
	ctx = kmod_new(argv[1], paths);
	if (!ctx)
		return 1;
	printf("dirname: %s\n", kmod_get_dirname(ctx));
	for (i = 3; i < argc; i++)
		lookup(ctx, argv[i]);
	for (i = KMOD_INDEX_MODULES_DEP; i <= KMOD_INDEX_MODULES_BUILTIN; i++) {
		printf("index %d:\n", i);
		fflush(stdout);
		printf("  -> %d\n", kmod_dump_index(ctx, (enum kmod_index)i, STDOUT_FILENO));
	}
	printf("load_resources: %d\n", kmod_load_resources(ctx));
	printf("validate: %d\n", kmod_validate_resources(ctx));
	lookup(ctx, "fooalias");
	dump_info(ctx, argv[1]);
	dump_probes(ctx);
	dump_state(ctx);
	kmod_unload_resources(ctx);
	kmod_unref(ctx);
	return 0;
}
