// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's kernel state and configuration iterators, through kmod's public
 * interface only: initstate, refcnt, size, holders and sections of modules in a
 * fixture /sys/module (sysroot.h), the modules of a fixture /proc/modules, and every
 * kind of modprobe.d entry walked with kmod_config_iter, with kmod's answers for NULL,
 * modules that are not loaded and files that do not parse.
 */
#include "sysroot.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libkmod.h>

#include "test.h"
#include "list-names.h"
#include "tree.h"

static struct tree tree;
static struct kmod_ctx *ctx;
static char sys_root[600];
/* The messages the context logged since the last log_reset(). */
static char logged[8192];

__attribute__((format(printf, 6, 0)))
static void log_to_buf(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	size_t len = strlen(logged);

	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	if (len < sizeof(logged) - 1)
		vsnprintf(logged + len, sizeof(logged) - len, format, args);
}

static void log_reset(void)
{
	logged[0] = '\0';
}

static void sys_write(const char *rel, const char *text)
{
	fixture_write(sys_root, rel, text, strlen(text), "w");
}

static const char proc_modules[] =
	"foo 16384 2 bar_drv,baz, Live 0xffffffffc0a00000\n"
	"bar_drv 8192 1 baz, Live 0xffffffffc0b00000\n"
	"baz 12345 0 - Unloading 0xffffffffc0c00000\n";

/*
 * The kernel's view: foo live with two holders and sections; bar_drv coming; baz
 * going, without coresize (so its size comes from /proc/modules); bi built in with
 * parameters; vt a directory without initstate that modules.builtin does not name;
 * weird with attributes that do not parse.
 */
static void sys_make(const char *root)
{
	snprintf(sys_root, sizeof(sys_root), "%s/sysroot", root);
	fixture_mkdirs(root, "sysroot");
	sys_write("sys/module/foo/initstate", "live\n");
	sys_write("sys/module/foo/refcnt", "2\n");
	sys_write("sys/module/foo/coresize", "16384\n");
	fixture_mkdirs(sys_root, "sys/module/foo/holders/bar_drv");
	fixture_mkdirs(sys_root, "sys/module/foo/holders/baz");
	sys_write("sys/module/foo/sections/.text", "0xffffffffc0a00000\n");
	sys_write("sys/module/foo/sections/.data", "0xffffffffc0a04000\n");
	sys_write("sys/module/foo/sections/__ksymtab", "0x0000000000000000\n");
	sys_write("sys/module/bar_drv/initstate", "coming\n");
	sys_write("sys/module/bar_drv/refcnt", "1\n");
	sys_write("sys/module/bar_drv/coresize", "8192\n");
	fixture_mkdirs(sys_root, "sys/module/bar_drv/holders");
	sys_write("sys/module/baz/initstate", "going\n");
	sys_write("sys/module/baz/refcnt", "0\n");
	fixture_mkdirs(sys_root, "sys/module/baz/holders");
	sys_write("sys/module/bi/parameters/p", "1\n");
	fixture_mkdirs(sys_root, "sys/module/vt/parameters");
	sys_write("sys/module/weird/initstate", "bogus\n");
	sys_write("sys/module/weird/refcnt", "many\n");
	sys_write("sys/module/weird/coresize", "big\n");
	sys_write("sys/module/weird/sections/.text", "0xffffffffc0d00000\n");
	sys_write("sys/module/weird/sections/.bss", "nowhere\n");
	sys_write("proc/modules", proc_modules);
	sys_write("proc/cmdline",
		  "quiet foo-mod.kopt=5 modprobe.blacklist=cmdbl1,cmd-bl2 bar.x=y\n");
	sysroot_dir = sys_root;
}

static struct kmod_module *mod(const char *name)
{
	struct kmod_module *m = NULL;

	CHECK_INT(kmod_module_new_from_name(ctx, name, &m), ==, 0);
	return m;
}

/* The entries of the fixture directory @rel, in readdir order, space-separated. */
static const char *dir_order(const char *rel, char *buf, size_t size)
{
	char path[1024];
	struct dirent *de;
	size_t len = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", sys_root, rel);
	buf[0] = '\0';
	d = opendir(path);
	if (!d)
		return buf;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
						de->d_name);
	closedir(d);
	return buf;
}


TEST(initstate_str)
{
	CHECK_STR(kmod_module_initstate_str(KMOD_MODULE_BUILTIN), "builtin");
	CHECK_STR(kmod_module_initstate_str(KMOD_MODULE_LIVE), "live");
	CHECK_STR(kmod_module_initstate_str(KMOD_MODULE_COMING), "coming");
	CHECK_STR(kmod_module_initstate_str(KMOD_MODULE_GOING), "going");
	CHECK(kmod_module_initstate_str((enum kmod_module_initstate)4) == NULL);
	CHECK(kmod_module_initstate_str((enum kmod_module_initstate)-1) == NULL);
}

TEST(get_initstate)
{
	struct kmod_module *m;

	CHECK_INT(kmod_module_get_initstate(NULL), ==, -ENOENT);
	m = mod("foo");
	CHECK_INT(kmod_module_get_initstate(m), ==, KMOD_MODULE_LIVE);
	kmod_module_unref(m);
	m = mod("bar-drv");
	CHECK_INT(kmod_module_get_initstate(m), ==, KMOD_MODULE_COMING);
	kmod_module_unref(m);
	m = mod("baz");
	CHECK_INT(kmod_module_get_initstate(m), ==, KMOD_MODULE_GOING);
	kmod_module_unref(m);
	/* modules.builtin names it: built in, whatever /sys says. */
	m = mod("bi");
	CHECK_INT(kmod_module_get_initstate(m), ==, KMOD_MODULE_BUILTIN);
	kmod_module_unref(m);
	/* A directory without initstate, not built in: kmod takes it for one coming. */
	m = mod("vt");
	CHECK_INT(kmod_module_get_initstate(m), ==, KMOD_MODULE_COMING);
	kmod_module_unref(m);
	m = mod("nosuch");
	CHECK_INT(kmod_module_get_initstate(m), ==, -ENOENT);
	kmod_module_unref(m);
	m = mod("a/b");
	CHECK_INT(kmod_module_get_initstate(m), ==, -ENOENT);
	kmod_module_unref(m);
	log_reset();
	m = mod("weird");
	CHECK_INT(kmod_module_get_initstate(m), ==, -EINVAL);
	CHECK(strstr(logged, "weird/initstate") != NULL);
	kmod_module_unref(m);
}

TEST(get_refcnt)
{
	struct kmod_module *m;

	CHECK_INT(kmod_module_get_refcnt(NULL), ==, -ENOENT);
	m = mod("foo");
	CHECK_INT(kmod_module_get_refcnt(m), ==, 2);
	kmod_module_unref(m);
	m = mod("baz");
	CHECK_INT(kmod_module_get_refcnt(m), ==, 0);
	kmod_module_unref(m);
	m = mod("bi");
	CHECK_INT(kmod_module_get_refcnt(m), ==, -ENOENT);
	kmod_module_unref(m);
	m = mod("nosuch");
	CHECK_INT(kmod_module_get_refcnt(m), ==, -ENOENT);
	kmod_module_unref(m);
	log_reset();
	m = mod("weird");
	CHECK_INT(kmod_module_get_refcnt(m), ==, -EINVAL);
	CHECK(strstr(logged, "weird/refcnt") != NULL);
	kmod_module_unref(m);
}

TEST(get_size)
{
	struct kmod_module *m;

	CHECK_INT(kmod_module_get_size(NULL), ==, -ENOENT);
	m = mod("foo");
	CHECK_INT(kmod_module_get_size(m), ==, 16384);
	kmod_module_unref(m);
	/* No coresize: the size column of /proc/modules. */
	m = mod("baz");
	CHECK_INT(kmod_module_get_size(m), ==, 12345);
	kmod_module_unref(m);
	/* A directory, but no coresize and no line in /proc/modules. */
	m = mod("bi");
	CHECK_INT(kmod_module_get_size(m), ==, -ENOENT);
	kmod_module_unref(m);
	/* No directory: kmod does not look in /proc/modules. */
	m = mod("nosuch");
	CHECK_INT(kmod_module_get_size(m), ==, -ENOENT);
	kmod_module_unref(m);
	log_reset();
	m = mod("weird");
	CHECK_INT(kmod_module_get_size(m), <, 0);
	CHECK(strstr(logged, "coresize") != NULL);
	kmod_module_unref(m);
}

TEST(get_holders)
{
	struct kmod_list *list, *l;
	struct kmod_module *m, *h, *bar;
	char want[256], got[256];

	CHECK(kmod_module_get_holders(NULL) == NULL);
	m = mod("foo");
	bar = mod("bar_drv");
	list = kmod_module_get_holders(m);
	CHECK_STR(names(list, got, sizeof(got)),
		  dir_order("sys/module/foo/holders", want, sizeof(want)));
	/* The list holds the context's own objects, one reference each. */
	kmod_list_foreach(l, list) {
		h = kmod_module_get_module(l);
		if (strcmp(kmod_module_get_name(h), "bar_drv") == 0)
			CHECK(h == bar);
		kmod_module_unref(h);
	}
	CHECK_INT(kmod_module_unref_list(list), ==, 0);
	CHECK_STR(kmod_module_get_name(bar), "bar_drv");
	CHECK(kmod_module_unref(bar) == NULL);
	kmod_module_unref(m);
	/* No holders: an empty list, which is NULL. */
	m = mod("bar_drv");
	CHECK(kmod_module_get_holders(m) == NULL);
	kmod_module_unref(m);
	log_reset();
	m = mod("nosuch");
	CHECK(kmod_module_get_holders(m) == NULL);
	CHECK(strstr(logged, "nosuch/holders") != NULL);
	kmod_module_unref(m);
}

TEST(get_sections)
{
	struct kmod_list *list, *l;
	struct kmod_module *m;
	char want[256], got[256];
	size_t len = 0;

	CHECK(kmod_module_get_sections(NULL) == NULL);
	CHECK(kmod_module_section_get_name(NULL) == NULL);
	CHECK(kmod_module_section_get_address(NULL) == ULONG_MAX);
	kmod_module_section_free_list(NULL);
	m = mod("foo");
	list = kmod_module_get_sections(m);
	got[0] = '\0';
	kmod_list_foreach(l, list) {
		const char *name = kmod_module_section_get_name(l);
		unsigned long addr = kmod_module_section_get_address(l);

		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", len ? " " : "",
					name);
		if (strcmp(name, ".text") == 0)
			CHECK(addr == 0xffffffffc0a00000UL);
		else if (strcmp(name, ".data") == 0)
			CHECK(addr == 0xffffffffc0a04000UL);
		else
			CHECK(addr == 0);
	}
	CHECK_STR(got, dir_order("sys/module/foo/sections", want, sizeof(want)));
	kmod_module_section_free_list(list);
	kmod_module_unref(m);
	/* One file that holds no address: no list, and why in the log. */
	log_reset();
	m = mod("weird");
	CHECK(kmod_module_get_sections(m) == NULL);
	CHECK(strstr(logged, "weird/sections") != NULL);
	kmod_module_unref(m);
	m = mod("bar_drv");
	CHECK(kmod_module_get_sections(m) == NULL);
	kmod_module_unref(m);
}

TEST(from_loaded)
{
	struct kmod_list *list = NULL, *l, *sentinel = (struct kmod_list *)&list;
	struct kmod_module *foo, *m;
	char got[256];

	CHECK_INT(kmod_module_new_from_loaded(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_new_from_loaded(ctx, NULL), ==, -ENOENT);
	foo = mod("foo");
	CHECK_INT(kmod_module_new_from_loaded(ctx, &list), ==, 0);
	CHECK_STR(names(list, got, sizeof(got)), "foo bar_drv baz");
	m = kmod_module_get_module(list);
	CHECK(m == foo);
	kmod_module_unref(m);
	kmod_list_foreach(l, list) {
		m = kmod_module_get_module(l);
		CHECK_INT(kmod_module_get_initstate(m), >, 0);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	CHECK_STR(kmod_module_get_name(foo), "foo");
	kmod_module_unref(foo);

	/* Nothing loaded: 0 and no list. */
	sys_write("proc/modules", "");
	list = sentinel;
	CHECK_INT(kmod_module_new_from_loaded(ctx, &list), ==, 0);
	CHECK(list == NULL);
	/* No /proc/modules: its open's error, logged, and the list left alone. */
	CHECK_INT(unlink(strcat(strcpy(got, sys_root), "/proc/modules")), ==, 0);
	list = sentinel;
	log_reset();
	CHECK_INT(kmod_module_new_from_loaded(ctx, &list), ==, -ENOENT);
	CHECK(list == sentinel);
	CHECK(strstr(logged, "could not open") != NULL && strstr(logged, "/proc/modules"));
	/* Nor a size from it, for a module that has no coresize. */
	m = mod("baz");
	CHECK_INT(kmod_module_get_size(m), ==, -ENOENT);
	kmod_module_unref(m);
	sys_write("proc/modules", proc_modules);
}

/* ---- the configuration iterators ---- */

static const char rich_a[] =
	"# a comment\n"
	"alias  pci:v00001234d*  foo-mod\n"
	"alias snd-card-0 snd_hda\n"
	"blacklist evil-mod\n"
	"blacklist other\n"
	"options foo-mod  opt1=1\topt2=\"a b\"\n"
	"options bar a=1\n"
	"install foo-mod /sbin/modprobe --ignore-install foo-mod $CMDLINE_OPTS && echo hi\n"
	"remove foo-mod /bin/true\n"
	"softdep foo-mod pre: a  b post: c\n"
	"softdep only-post post: x\n"
	"softdep words-only just words\n"
	"softdep interleaved pre: p1 post: q1 pre: p2\n"
	"weakdep foo-mod w1  w2\n"
	"bogus line here\n";
static const char rich_z[] = "alias zalias zmod\noptions foo-mod last=1\n";

/* Every key and value of @iter as "key=value;" (value "(null)" when there is none). */
static const char *walk(struct kmod_config_iter *iter, char *buf, size_t size)
{
	size_t len = 0;
	const char *v;

	buf[0] = '\0';
	while (kmod_config_iter_next(iter)) {
		v = kmod_config_iter_get_value(iter);
		len += (size_t)snprintf(buf + len, size - len, "%s=%s;",
					kmod_config_iter_get_key(iter), v ? v : "(null)");
	}
	return buf;
}

static struct kmod_ctx *rich_ctx(void)
{
	const char *paths[] = { NULL, NULL };
	char dir[1024];
	struct kmod_ctx *c;

	snprintf(dir, sizeof(dir), "%s/etc/rich.d", tree.root);
	fixture_mkdirs(tree.root, "etc/rich.d");
	fixture_write(dir, "a.conf", rich_a, strlen(rich_a), "w");
	fixture_write(dir, "z.conf", rich_z, strlen(rich_z), "w");
	/* depmod's files sort among the config files by their names. */
	fixture_write(tree.dir, "modules.softdep", "softdep depsoft pre: dsa\n", 25, "w");
	fixture_write(tree.dir, "modules.weakdep", "weakdep depweak dwa\n", 20, "w");
	paths[0] = dir;
	c = kmod_new(tree.dir, paths);
	CHECK(c != NULL);
	if (c) {
		kmod_set_log_fn(c, log_to_buf, NULL);
		kmod_set_log_priority(c, LOG_ERR);
	}
	return c;
}

TEST(config_iterators)
{
	struct kmod_ctx *c = rich_ctx();
	struct kmod_config_iter *it;
	char buf[2048];

	if (!c)
		return;
	log_reset();
	it = kmod_config_get_aliases(c);
	/* The configuration is read when first asked for; its bad line is logged. */
	CHECK(strstr(logged, "bogus") != NULL);
	CHECK_STR(walk(it, buf, sizeof(buf)),
		  "pci:v00001234d*=foo_mod;snd_card_0=snd_hda;zalias=zmod;");
	kmod_config_iter_free_iter(it);

	it = kmod_config_get_blacklists(c);
	/* kmod keeps a command line blacklist as written; lib/ normalizes it like a file's. */
	CHECK_STR(walk(it, buf, sizeof(buf)),
		  "evil_mod=(null);other=(null);cmdbl1=(null);cmd_bl2=(null);");
	kmod_config_iter_free_iter(it);

	/* The rest of the line after the one space that ends the name, as kmod takes it. */
	it = kmod_config_get_options(c);
	CHECK_STR(walk(it, buf, sizeof(buf)),
		  "foo_mod= opt1=1 opt2=\"a b\";bar=a=1;foo_mod=last=1;foo_mod=kopt=5;bar=x=y;");
	kmod_config_iter_free_iter(it);

	it = kmod_config_get_install_commands(c);
	CHECK_STR(walk(it, buf, sizeof(buf)),
		  "foo_mod=/sbin/modprobe --ignore-install foo-mod $CMDLINE_OPTS && echo hi;");
	kmod_config_iter_free_iter(it);

	it = kmod_config_get_remove_commands(c);
	CHECK_STR(walk(it, buf, sizeof(buf)), "foo_mod=/bin/true;");
	kmod_config_iter_free_iter(it);

	/*
	 * a.conf, then depmod's modules.softdep. kmod glues two groups ("pre: a bpost:
	 * c") and lets a second pre: run over the post: names; lib/'s text is kept.
	 */
	it = kmod_config_get_softdeps(c);
	CHECK_STR(walk(it, buf, sizeof(buf)),
		  "foo_mod=pre: a b post: c;only_post=post: x;words_only=;"
		  "interleaved=pre: p1 p2 post: q1;depsoft=pre: dsa;");
	kmod_config_iter_free_iter(it);

	it = kmod_config_get_weakdeps(c);
	CHECK_STR(walk(it, buf, sizeof(buf)), "foo_mod=w1 w2;depweak=dwa;");
	kmod_config_iter_free_iter(it);
	kmod_unref(c);
}

TEST(config_iter_semantics)
{
	struct kmod_ctx *c = rich_ctx();
	struct kmod_config_iter *it;
	const char *v;
	char buf[2048], again[2048];

	if (!c)
		return;
	CHECK(kmod_config_get_aliases(NULL) == NULL);
	CHECK(kmod_config_get_blacklists(NULL) == NULL);
	CHECK(kmod_config_get_install_commands(NULL) == NULL);
	CHECK(kmod_config_get_remove_commands(NULL) == NULL);
	CHECK(kmod_config_get_options(NULL) == NULL);
	CHECK(kmod_config_get_softdeps(NULL) == NULL);
	CHECK(kmod_config_get_weakdeps(NULL) == NULL);
	CHECK(kmod_config_iter_get_key(NULL) == NULL);
	CHECK(kmod_config_iter_get_value(NULL) == NULL);
	CHECK(!kmod_config_iter_next(NULL));
	kmod_config_iter_free_iter(NULL);

	/* Before the first call of next, there is no entry. */
	it = kmod_config_get_softdeps(c);
	CHECK(kmod_config_iter_get_key(it) == NULL);
	CHECK(kmod_config_iter_get_value(it) == NULL);
	CHECK(kmod_config_iter_next(it));
	CHECK_STR(kmod_config_iter_get_key(it), "foo_mod");
	v = kmod_config_iter_get_value(it);
	CHECK_STR(v, "pre: a b post: c");
	/* Asked again for the same entry, the same string. */
	CHECK(kmod_config_iter_get_value(it) == v);
	/* Past the end, then from the first entry again. */
	walk(it, buf, sizeof(buf));
	CHECK(kmod_config_iter_get_key(it) == NULL);
	CHECK_STR(walk(it, again, sizeof(again)),
		  "foo_mod=pre: a b post: c;only_post=post: x;words_only=;"
		  "interleaved=pre: p1 p2 post: q1;depsoft=pre: dsa;");
	kmod_config_iter_free_iter(it);
	kmod_unref(c);

	/* The tree's configuration, read before the rich one's files were written. */
	it = kmod_config_get_softdeps(ctx);
	CHECK(it != NULL);
	CHECK_STR(walk(it, buf, sizeof(buf)), "baz=pre: foo post: bar_drv;");
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_install_commands(ctx);
	CHECK_STR(walk(it, buf, sizeof(buf)), "inst_only=/bin/true;foo=/bin/echo installing foo;");
	kmod_config_iter_free_iter(it);
}

TEST(config_iter_empty)
{
	const char *paths[] = { NULL, NULL };
	struct kmod_config_iter *it;
	struct kmod_ctx *c;
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/etc/empty.d", tree.root);
	fixture_mkdirs(tree.root, "etc/empty.d");
	paths[0] = dir;
	sys_write("proc/cmdline", "quiet\n");
	c = kmod_new(tree.dir, paths);
	CHECK(c != NULL);
	if (!c)
		return;
	/* The tree's modules.softdep still counts; nothing else is there. */
	it = kmod_config_get_aliases(c);
	CHECK(it != NULL);
	CHECK(!kmod_config_iter_next(it));
	CHECK(kmod_config_iter_get_key(it) == NULL);
	CHECK(!kmod_config_iter_next(it));
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_options(c);
	CHECK(!kmod_config_iter_next(it));
	kmod_config_iter_free_iter(it);
	kmod_unref(c);
}

int main(void)
{
	const char *paths[] = { NULL, NULL };
	/* Static: fixture_tmpdir() removes it at exit, after main's frame is gone. */
	static char root[512];
	int r;

	fixture_tmpdir(root, sizeof(root), "libkmod-state");
	tree_make(&tree, root);
	sys_make(root);
	paths[0] = tree.conf;
	ctx = kmod_new(tree.dir, paths);
	if (!ctx)
		return 2;
	kmod_set_log_fn(ctx, log_to_buf, NULL);
	kmod_set_log_priority(ctx, LOG_ERR);
	/* Its configuration now, before rich_ctx() writes the tree's modules.softdep. */
	kmod_config_iter_free_iter(kmod_config_get_aliases(ctx));
	r = test_run_all();
	kmod_unref(ctx);
	return r;
}

TEST_GLOBALS;
