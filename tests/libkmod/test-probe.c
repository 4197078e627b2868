// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's loading and unloading through kmod's public interface only:
 * kmod_module_probe_insert_module's list (order, options, install commands, blacklist
 * codes, modules in the kernel, loops) seen through print_action in dry runs and
 * through run_install, and the errors of insert, remove and probe that come before the
 * kernel is asked. A real load is the VM suite's (tests/vm).
 *
 * The tree is tree.h's with these modules added, and probe.conf below:
 *   pa exports pa_fn; pb needs it; pc, pd, pe, pf, pg, lp1, lp2 are plain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libkmod.h>

#include "test.h"
#include "tree.h"

static const char probe_conf[] =
	"softdep pb pre: pc post: pd\n"
	"softdep pa pre: pe\n"
	"options pb pbopt=1\n"
	"options pc pcopt=2\n"
	"alias pbalias pb\n"
	"options pbalias aliasopt=3\n"
	"install pd /bin/echo pd $CMDLINE_OPTS\n"
	"alias pcalias pc\n"
	"blacklist pc\n"
	"softdep lp1 pre: lp2\n"
	"softdep lp2 pre: lp1\n"
	"install okcmd test \"$MODPROBE_MODULE\" = okcmd && "
	"test \"$CMDLINE_OPTS\" = \"o=1 x=2\"\n"
	"options okcmd o=1\n"
	"install failcmd /bin/false\n"
	"softdep bi pre: failcmd post: okcmd\n"
	"blacklist bi\n"
	"install pf /bin/true\n"
	"softdep pf pre: pe\n"
	"softdep pg pre: pcalias pe\n";

static struct tree tree;
static char conf_dir[700];
static struct kmod_ctx *ctx;

/* What print_action, run_install and the log were told, in order. */
static char actions[4096], installs[1024], logged[4096];
static int install_result;

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	size_t len = strlen(actions);
	const char *path = kmod_module_get_path(m);

	snprintf(actions + len, sizeof(actions) - len, "%s%s %s(%s)%s", len ? "," : "",
		 install ? "install" : "insmod", kmod_module_get_name(m), options,
		 install || path ? "" : "[no path]");
}

static int run_install(struct kmod_module *m, const char *cmd, void *data)
{
	size_t len = strlen(installs);

	CHECK(data == &install_result);
	snprintf(installs + len, sizeof(installs) - len, "%s%s: %s", len ? "," : "",
		 kmod_module_get_name(m), cmd);
	return install_result;
}

__attribute__((format(printf, 6, 0)))
static void log_cb(void *data, int priority, const char *file, int line, const char *fn,
		   const char *format, va_list args)
{
	size_t len = strlen(logged);

	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	vsnprintf(logged + len, sizeof(logged) - len, format, args);
}

static void reset(void)
{
	actions[0] = installs[0] = logged[0] = '\0';
	install_result = 0;
}

/* The first module of the lookup of @name (it must find one). */
static struct kmod_module *lookup(const char *name)
{
	struct kmod_list *list = NULL;
	struct kmod_module *m;

	if (kmod_module_new_from_lookup(ctx, name, &list) < 0 || !list) {
		fprintf(stderr, "  lookup of %s found nothing\n", name);
		exit(2);
	}
	m = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	return m;
}

/* Probe the lookup of @name with @flags, the list shown through print_action. */
static int probe(const char *name, unsigned flags, const char *extra)
{
	struct kmod_module *m = lookup(name);
	int r;

	reset();
	r = kmod_module_probe_insert_module(m, flags, extra, run_install, &install_result,
					    print_action);
	kmod_module_unref(m);
	return r;
}

TEST(null_and_no_file)
{
	struct kmod_module *m;
	char path[1024];

	reset();
	CHECK_INT(kmod_module_probe_insert_module(NULL, 0, NULL, NULL, NULL, NULL), ==, -ENOENT);
	CHECK_INT(kmod_module_insert_module(NULL, 0, NULL), ==, -ENOENT);
	CHECK_INT(kmod_module_remove_module(NULL, 0), ==, -ENOENT);
	/* No file: -ENOENT before the kernel is asked, and said in the log. */
	CHECK_INT(kmod_module_new_from_name(ctx, "no_such_module", &m), ==, 0);
	CHECK_INT(kmod_module_insert_module(m, 0, "a=1"), ==, -ENOENT);
	CHECK(strstr(logged, "could not find module by name='no_such_module'") != NULL);
	/* The probe of such a module shows it, then fails the same way. */
	reset();
	CHECK_INT(kmod_module_probe_insert_module(m, 0, "a=1", NULL, NULL, print_action), ==,
		  -ENOENT);
	CHECK_STR(actions, "insmod no_such_module(a=1)[no path]");
	kmod_module_unref(m);
	/*
	 * A file that went away after the module was made: the open fails, -ENOENT, and
	 * as in kmod the log says nothing of it above LOG_DEBUG.
	 */
	snprintf(path, sizeof(path), "%s/gone.ko", tree.root);
	fixture_write(tree.root, "gone.ko", "x", 1, "w");
	CHECK_INT(kmod_module_new_from_path(ctx, path, &m), ==, 0);
	CHECK_INT(unlink(path), ==, 0);
	reset();
	CHECK_INT(kmod_module_insert_module(m, KMOD_INSERT_FORCE_VERMAGIC, NULL), ==, -ENOENT);
	CHECK_STR(logged, "");
	kmod_module_unref(m);
}

TEST(remove_logs_unless_nolog)
{
	struct kmod_module *m;
	int r;

	char want[256];

	/*
	 * Not loaded: the kernel's -errno (-ENOENT; -EPERM without the right to unload,
	 * -ENOSYS where a sandbox forbids the call), and the log says so.
	 */
	CHECK_INT(kmod_module_new_from_name(ctx, "lkm_probe_not_loaded", &m), ==, 0);
	reset();
	r = kmod_module_remove_module(m, 0);
	CHECK_INT(r, <, 0);
	snprintf(want, sizeof(want), "could not remove 'lkm_probe_not_loaded': %s\n",
		 strerror(-r));
	CHECK_STR(logged, want);
	reset();
	CHECK_INT(kmod_module_remove_module(m, KMOD_REMOVE_NOLOG | KMOD_REMOVE_FORCE), ==, r);
	CHECK_STR(logged, "");
	kmod_module_unref(m);
}

TEST(list_in_kmod_order_with_options)
{
	struct kmod_module *m;

	/*
	 * Each dependency with its softdeps around it, then the target's pre: softdeps,
	 * the target with the extra options, its post: softdeps; config options keep
	 * kmod's trailing space; an install command is shown as one, with its options.
	 */
	CHECK_INT(probe("pb", KMOD_PROBE_DRY_RUN, "x=9"), ==, 0);
	CHECK_STR(actions, "insmod pe(),insmod pa(),insmod pc(pcopt=2 ),insmod pb(pbopt=1 x=9),"
			   "install pd()");
	CHECK_STR(installs, "");
	/* The modules handed to print_action are the context's, with their files. */
	CHECK_INT(kmod_module_new_from_name(ctx, "pa", &m), ==, 0);
	CHECK(strstr(kmod_module_get_path(m), "/kernel/p/pa.ko") != NULL);
	kmod_module_unref(m);
	/* Found through an alias: that alias's options too. */
	CHECK_INT(probe("pbalias", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_STR(actions, "insmod pe(),insmod pa(),insmod pc(pcopt=2 ),"
			   "insmod pb(pbopt=1 aliasopt=3 ),install pd()");
	/* tree.h's bar_drv: its dependency foo runs its install command; no weakdeps. */
	CHECK_INT(probe("bar-drv", KMOD_PROBE_DRY_RUN, ""), ==, 0);
	CHECK_STR(actions, "install foo(opt1=1 ),insmod bar_drv(bopt=3 bopt2=4 )");
}

TEST(ignore_command_skips_the_targets_softdeps_only)
{
	CHECK_INT(probe("pb", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_COMMAND, NULL), ==, 0);
	CHECK_STR(actions, "insmod pe(),insmod pa(),insmod pb(pbopt=1 )");
	/* ... and its install command: the module is loaded instead. */
	CHECK_INT(probe("fooalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_COMMAND, NULL), ==,
		  0);
	CHECK_STR(actions, "insmod foo(opt1=1 )");
	CHECK_INT(probe("fooalias", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_STR(actions, "install foo(opt1=1 )");
}

TEST(blacklist_codes_in_kmod_order)
{
	/* By name: only KMOD_PROBE_APPLY_BLACKLIST and _ALL stop it. */
	CHECK_INT(probe("pc", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL), ==,
		  KMOD_PROBE_APPLY_BLACKLIST);
	CHECK_INT(probe("pc", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL), ==,
		  KMOD_PROBE_APPLY_BLACKLIST_ALL);
	CHECK_STR(actions, "");
	CHECK_INT(probe("pc", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY, NULL),
		  ==, 0);
	CHECK_STR(actions, "insmod pc(pcopt=2 )");
	/* Through an alias: _ALIAS_ONLY first, then _ALL, then APPLY_BLACKLIST. */
	CHECK_INT(probe("pcalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY |
					   KMOD_PROBE_APPLY_BLACKLIST_ALL | KMOD_PROBE_APPLY_BLACKLIST,
			NULL), ==, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY);
	CHECK_INT(probe("pcalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL |
					   KMOD_PROBE_APPLY_BLACKLIST, NULL),
		  ==, KMOD_PROBE_APPLY_BLACKLIST_ALL);
	CHECK_INT(probe("pcalias", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL), ==,
		  KMOD_PROBE_APPLY_BLACKLIST);
	CHECK_STR(actions, "");
	/* Without a blacklist flag the caller gets it loaded. */
	CHECK_INT(probe("pcalias", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_STR(actions, "insmod pc(pcopt=2 )");
	/* _ALL takes blacklisted dependencies and softdeps out of the list. */
	CHECK_INT(probe("pb", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST_ALL, NULL), ==, 0);
	CHECK_STR(actions, "insmod pe(),insmod pa(),insmod pb(pbopt=1 ),install pd()");
}

TEST(in_kernel_comes_before_the_blacklist)
{
	/* bi is built in: in the kernel already, whatever the blacklist says. */
	CHECK_INT(probe("bi", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_INT(probe("bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_APPLY_BLACKLIST, NULL), ==, 0);
	CHECK_INT(probe("bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_FAIL_ON_LOADED, NULL), ==,
		  -EEXIST);
	CHECK_STR(actions, "");
	CHECK_INT(probe("bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED |
				      KMOD_PROBE_APPLY_BLACKLIST, NULL),
		  ==, KMOD_PROBE_APPLY_BLACKLIST);
	CHECK_INT(probe("bi", KMOD_PROBE_DRY_RUN | KMOD_PROBE_IGNORE_LOADED, NULL), ==, 0);
	CHECK_STR(actions, "install failcmd(),insmod bi()[no path],install okcmd(o=1 )");
}

TEST(run_install_and_softdep_failures)
{
	/*
	 * Not a dry run: the failing soft dependency is ignored, the built-in target has
	 * no file (-ENOENT, required: the probe stops there, before okcmd).
	 */
	reset();
	install_result = -EIO;
	{
		struct kmod_module *m = lookup("bi");

		CHECK_INT(kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, NULL,
							  run_install, &install_result,
							  print_action),
			  ==, -ENOENT);
		kmod_module_unref(m);
	}
	CHECK_STR(actions, "install failcmd(),insmod bi()[no path]");
	CHECK_STR(installs, "failcmd: /bin/false");
	/* The target's own install command: run_install's answer is the probe's. */
	reset();
	install_result = -EIO;
	{
		struct kmod_module *m = lookup("failcmd");

		CHECK_INT(kmod_module_probe_insert_module(m, 0, "y=1", run_install,
							  &install_result, NULL),
			  ==, -EIO);
		kmod_module_unref(m);
	}
	CHECK_STR(installs, "failcmd: /bin/false");
	CHECK_STR(actions, "");
	/* $CMDLINE_OPTS is replaced by the options in what run_install gets. */
	CHECK_INT(probe("okcmd", 0, "x=2"), ==, 0);
	CHECK_STR(installs, "okcmd: test \"$MODPROBE_MODULE\" = okcmd && test \"o=1 x=2\" = "
			    "\"o=1 x=2\"");
	CHECK_STR(actions, "install okcmd(o=1 x=2)");
}

TEST(install_commands_by_system)
{
	struct kmod_module *m = lookup("okcmd");

	/* MODPROBE_MODULE is set for the command, and unset after. */
	reset();
	CHECK_INT(kmod_module_probe_insert_module(m, 0, "x=2", NULL, NULL, NULL), ==, 0);
	CHECK(getenv("MODPROBE_MODULE") == NULL);
	CHECK_STR(logged, "");
	reset();
	CHECK_INT(kmod_module_probe_insert_module(m, 0, "x=3", NULL, NULL, NULL), ==, -EINVAL);
	CHECK(strstr(logged, "Error running install command 'test \"$MODPROBE_MODULE\" = okcmd "
			     "&& test \"o=1 x=3\" = \"o=1 x=2\"' for module okcmd: retcode 1") !=
	      NULL);
	kmod_module_unref(m);
	m = lookup("failcmd");
	reset();
	CHECK_INT(kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL), ==, -EINVAL);
	CHECK(strstr(logged, "for module failcmd: retcode 1") != NULL);
	kmod_module_unref(m);
}

TEST(softdep_loop_is_an_error)
{
	/* kmod would silently load lp2 then lp1; lib/'s plan calls it a loop. */
	CHECK_INT(probe("lp1", KMOD_PROBE_DRY_RUN, NULL), ==, -ELOOP);
	CHECK_STR(actions, "");
	CHECK(strstr(logged, "softdep loop: lp1 -> lp2 -> lp1") != NULL);
}

/* Where lib/'s plan deliberately differs from kmod (kmod issue 446). */
TEST(install_command_and_blacklist_hold_with_softdeps)
{
	/* kmod: "insmod pe(),insmod pf()", the command ignored for having softdeps. */
	CHECK_INT(probe("pf", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_STR(actions, "install pf()");
	/* kmod: pc too, though it was found through an alias and is blacklisted. */
	CHECK_INT(probe("pg", KMOD_PROBE_DRY_RUN, NULL), ==, 0);
	CHECK_STR(actions, "insmod pe(),insmod pg()");
}

static void add_modules(void)
{
	static const char gpl[] = "license=GPL";
	static const struct fx_crc_sym pa_fn[] = { { "pa_fn", 0x3333 } };
	static const char *const plain[] = { "pc", "pd", "pe", "pf", "pg", "lp1", "lp2" };
	char rel[64];
	size_t i;

	tree_module(tree.dir, "kernel/p/pa.ko", "pa", gpl, sizeof(gpl), NULL, 0, pa_fn, 1);
	tree_module(tree.dir, "kernel/p/pb.ko", "pb", gpl, sizeof(gpl), pa_fn, 1, NULL, 0);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		snprintf(rel, sizeof(rel), "kernel/p/%s.ko", plain[i]);
		tree_module(tree.dir, rel, plain[i], gpl, sizeof(gpl), NULL, 0, NULL, 0);
	}
	tree_depmod(&tree);
	snprintf(conf_dir, sizeof(conf_dir), "%s/etc/probe.d", tree.root);
	fixture_write(tree.root, "etc/probe.d/probe.conf", probe_conf, strlen(probe_conf), "w");
}

/* Last: every module the probes made or handed out was released with the context. */
TEST(every_module_is_released_with_the_context)
{
	CHECK(kmod_unref(ctx) == NULL);
	ctx = NULL;
}

int main(void)
{
	const char *paths[] = { NULL, NULL, NULL };
	/* Static: fixture_tmpdir() removes it at exit, after main has returned. */
	static char root[512];

	fixture_tmpdir(root, sizeof(root), "libkmod-probe");
	tree_make(&tree, root);
	add_modules();
	paths[0] = tree.conf;
	paths[1] = conf_dir;
	ctx = kmod_new(tree.dir, paths);
	if (!ctx)
		return 2;
	kmod_set_log_fn(ctx, log_cb, NULL);
	kmod_set_log_priority(ctx, LOG_INFO);
	return test_run_all();
}

TEST_GLOBALS;
