// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's modules, through kmod's public interface only: one object per name
 * (and per name and alias), lookups in kmod's order, paths, options, commands,
 * dependencies, soft and weak dependencies, filters, and the errors kmod gives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "test.h"
#include "list-names.h"
#include "tree.h"

static struct tree tree;
static struct kmod_ctx *ctx;

static const char *path_of(const char *rel)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", tree.dir, rel);
	return buf;
}


TEST(same_object)
{
	struct kmod_module *a, *b, *c;

	CHECK_INT(kmod_module_new_from_name(ctx, "bar-drv", &a), ==, 0);
	CHECK_INT(kmod_module_new_from_name(ctx, "bar_drv.ko", &b), ==, 0);
	CHECK(a == b);
	CHECK_STR(kmod_module_get_name(a), "bar_drv");
	CHECK_INT(kmod_module_new_from_path(ctx, path_of("kernel/b/bar-drv.ko"), &c), ==, 0);
	CHECK(c == a);
	CHECK_STR(kmod_module_get_path(c), path_of("kernel/b/bar-drv.ko"));
	CHECK(kmod_module_ref(a) == a);
	CHECK(kmod_module_unref(a) == a);
	CHECK(kmod_module_unref(a) == a);
	CHECK(kmod_module_unref(b) == b);
	CHECK(kmod_module_unref(c) == NULL);
	CHECK(kmod_module_unref(NULL) == NULL);
	CHECK(kmod_module_ref(NULL) == NULL);
}

TEST(errors)
{
	struct kmod_module *m = NULL;
	struct kmod_list *list = NULL;

	CHECK_INT(kmod_module_new_from_name(NULL, "x", &m), ==, -ENOENT);
	CHECK_INT(kmod_module_new_from_name(ctx, NULL, &m), ==, -ENOENT);
	CHECK_INT(kmod_module_new_from_path(ctx, path_of("kernel/none.ko"), &m), ==, -ENOENT);
	CHECK_INT(kmod_module_new_from_lookup(ctx, NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_new_from_lookup(ctx, "x", NULL), ==, -ENOSYS);
	CHECK_INT(kmod_module_new_from_lookup(ctx, "bad]alias", &list), ==, -EINVAL);
	CHECK(list == NULL);
	CHECK_INT(kmod_module_new_from_name_lookup(ctx, NULL, &m), ==, -ENOENT);
	CHECK_INT(kmod_module_get_softdeps(NULL, &list, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_weakdeps(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_apply_filter(NULL, KMOD_FILTER_BLACKLIST, NULL, &list), ==, -ENOENT);
	CHECK(kmod_module_get_name(NULL) == NULL);
	CHECK(kmod_module_get_path(NULL) == NULL);
	CHECK(kmod_module_get_dependencies(NULL) == NULL);
	CHECK(kmod_module_get_module(NULL) == NULL);
	CHECK_INT(kmod_module_unref_list(NULL), ==, 0);
	/* Another path for a module the context knows by another one. */
	{
		struct kmod_module *a, *b = NULL;
		char other[1024];

		snprintf(other, sizeof(other), "%s/foo.ko", tree.root);
		fixture_write(tree.root, "foo.ko", "x", 1, "w");
		CHECK_INT(kmod_module_new_from_path(ctx, path_of("kernel/a/foo.ko"), &a), ==, 0);
		CHECK_INT(kmod_module_new_from_path(ctx, other, &b), ==, -EEXIST);
		CHECK(b == NULL);
		kmod_module_unref(a);
	}
}

TEST(lookup_order)
{
	struct kmod_list *list = NULL;
	struct kmod_module *m;
	char buf[256];

	/* A config alias wins over the module of that name. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "foo", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "baz");
	kmod_module_unref_list(list);
	list = NULL;
	/* A module name wins over the aliases of modules.alias. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "bar-drv", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "bar_drv");
	kmod_module_unref_list(list);
	list = NULL;
	CHECK_INT(kmod_module_new_from_lookup(ctx, "pci:v0000ABCDd00001234", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "foo");
	kmod_module_unref_list(list);
	list = NULL;
	CHECK_INT(kmod_module_new_from_lookup(ctx, "symbol:bar_fn", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "bar_drv");
	kmod_module_unref_list(list);
	list = NULL;
	/* An install command alone makes a module, with that command. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "inst_only", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "inst_only");
	m = kmod_module_get_module(list);
	CHECK_STR(kmod_module_get_install_commands(m), "/bin/true");
	CHECK(kmod_module_get_path(m) == NULL);
	kmod_module_unref(m);
	kmod_module_unref_list(list);
	list = NULL;
	CHECK_INT(kmod_module_new_from_lookup(ctx, "bi", &list), ==, 0);
	CHECK_STR(names(list, buf, sizeof(buf)), "bi");
	kmod_module_unref_list(list);
	list = NULL;
	/* Nothing found: 0 and an empty list. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "nothing_at_all", &list), ==, 0);
	CHECK(list == NULL);
}

TEST(alias_object)
{
	struct kmod_list *list = NULL;
	struct kmod_module *byname, *byalias;

	/* Found through an alias, a module is another object, with the alias's options. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "myalias", &list), ==, 0);
	byalias = kmod_module_get_module(list);
	CHECK_INT(kmod_module_new_from_name(ctx, "bar_drv", &byname), ==, 0);
	CHECK(byalias != byname);
	CHECK_STR(kmod_module_get_name(byalias), "bar_drv");
	CHECK_STR(kmod_module_get_options(byalias), "aopt=2 bopt=3 bopt2=4");
	CHECK_STR(kmod_module_get_options(byname), "bopt=3 bopt2=4");
	CHECK_STR(kmod_module_get_path(byalias), path_of("kernel/b/bar-drv.ko"));
	kmod_module_unref(byalias);
	kmod_module_unref(byname);
	kmod_module_unref_list(list);
}

TEST(name_lookup)
{
	struct kmod_module *m = NULL;

	/* By name only: the config alias "foo" does not count here. */
	CHECK_INT(kmod_module_new_from_name_lookup(ctx, "foo", &m), ==, 0);
	CHECK(m != NULL);
	CHECK_STR(kmod_module_get_name(m), "foo");
	CHECK_STR(kmod_module_get_path(m), path_of("kernel/a/foo.ko"));
	kmod_module_unref(m);
	m = NULL;
	CHECK_INT(kmod_module_new_from_name_lookup(ctx, "fooalias", &m), ==, 0);
	CHECK(m == NULL);
	CHECK_INT(kmod_module_new_from_name_lookup(ctx, "bi", &m), ==, 0);
	CHECK(m != NULL);
	CHECK(m && kmod_module_get_path(m) == NULL);
	kmod_module_unref(m);
}

TEST(config_strings)
{
	struct kmod_module *m;

	CHECK_INT(kmod_module_new_from_name(ctx, "foo", &m), ==, 0);
	CHECK_STR(kmod_module_get_options(m), "opt1=1");
	CHECK_STR(kmod_module_get_install_commands(m), "/bin/echo installing foo");
	CHECK(kmod_module_get_remove_commands(m) == NULL);
	kmod_module_unref(m);
	CHECK_INT(kmod_module_new_from_name(ctx, "baz", &m), ==, 0);
	CHECK(kmod_module_get_options(m) == NULL);
	CHECK_STR(kmod_module_get_remove_commands(m), "/bin/false");
	kmod_module_unref(m);
}

TEST(dependencies)
{
	struct kmod_module *m;
	struct kmod_list *deps, *pre = NULL, *post = NULL, *weak = NULL;
	char buf[256];

	CHECK_INT(kmod_module_new_from_name(ctx, "baz", &m), ==, 0);
	deps = kmod_module_get_dependencies(m);
	/* In the order they load: foo before bar_drv. */
	CHECK_STR(names(deps, buf, sizeof(buf)), "foo bar_drv");
	{
		struct kmod_module *d = kmod_module_get_module(kmod_list_last(deps));

		CHECK_STR(kmod_module_get_path(d), path_of("kernel/b/bar-drv.ko"));
		kmod_module_unref(d);
	}
	kmod_module_unref_list(deps);
	/* The second call gives the same. */
	deps = kmod_module_get_dependencies(m);
	CHECK_STR(names(deps, buf, sizeof(buf)), "foo bar_drv");
	kmod_module_unref_list(deps);
	CHECK_INT(kmod_module_get_softdeps(m, &pre, &post), ==, 0);
	/* "pre: foo" is looked up as any name: the config alias makes it baz. */
	CHECK_STR(names(pre, buf, sizeof(buf)), "baz");
	CHECK_STR(names(post, buf, sizeof(buf)), "bar_drv");
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	kmod_module_unref(m);

	CHECK_INT(kmod_module_new_from_name(ctx, "bar_drv", &m), ==, 0);
	CHECK_INT(kmod_module_get_weakdeps(m, &weak), ==, 0);
	CHECK_STR(names(weak, buf, sizeof(buf)), "baz");
	kmod_module_unref_list(weak);
	kmod_module_unref(m);

	/* A module modules.dep does not know: no path, no dependencies. */
	CHECK_INT(kmod_module_new_from_name(ctx, "unknown_mod", &m), ==, 0);
	CHECK(kmod_module_get_path(m) == NULL);
	CHECK(kmod_module_get_dependencies(m) == NULL);
	kmod_module_unref(m);
}

/* What each filter leaves of the lookup of @name. */
static void check_filter(const char *name, enum kmod_filter filter, const char *want)
{
	struct kmod_list *in = NULL, *out = NULL;
	char buf[256];

	CHECK_INT(kmod_module_new_from_lookup(ctx, name, &in), ==, 0);
	CHECK(in != NULL);
	CHECK_INT(kmod_module_apply_filter(ctx, filter, in, &out), ==, 0);
	CHECK_STR(names(out, buf, sizeof(buf)), want);
	kmod_module_unref_list(out);
	kmod_module_unref_list(in);
}

TEST(filters)
{
	struct kmod_list *out = (struct kmod_list *)&out;

	check_filter("baz", KMOD_FILTER_BLACKLIST, "");
	check_filter("baz", KMOD_FILTER_BUILTIN, "baz");
	check_filter("bi", KMOD_FILTER_BUILTIN, "");
	check_filter("bi", KMOD_FILTER_BLACKLIST, "bi");
	check_filter("bar-drv", KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN, "bar_drv");
	/* An empty input gives an empty output. */
	CHECK_INT(kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, NULL, &out), ==, 0);
	CHECK(out == NULL);
}

TEST(module_keeps_ctx)
{
	const char *paths[] = { tree.conf, NULL };
	struct kmod_ctx *c = kmod_new(tree.dir, paths);
	struct kmod_module *m;

	CHECK_INT(kmod_module_new_from_name(c, "foo", &m), ==, 0);
	/* The module holds a reference: the context lives until the module goes. */
	CHECK(kmod_unref(c) == c);
	CHECK_STR(kmod_module_get_path(m), path_of("kernel/a/foo.ko"));
	/* The last reference was the module's: the context went with it. */
	CHECK(kmod_module_unref(m) == NULL);
}

int main(void)
{
	const char *paths[] = { NULL, NULL };
	char root[512];
	int r;

	fixture_tmpdir(root, sizeof(root), "libkmod-module");
	tree_make(&tree, root);
	paths[0] = tree.conf;
	ctx = kmod_new(tree.dir, paths);
	if (!ctx)
		return 2;
	kmod_set_log_priority(ctx, 0);
	r = test_run_all();
	kmod_unref(ctx);
	return r;
}

TEST_GLOBALS;
