// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * resolve.c on a module directory built here: modules.dep/.alias/.symbols/.builtin
 * written as text and turned into .bin files with index.c's builder, a modprobe.d
 * directory, and /proc and /sys trees. test-load.c reuses the fixture part of this file
 * (it defines LKM_FIXTURE_ONLY before including it).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"

static char fx_root[64];

static void fx_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", fx_root, rel);
}

static void fx_mkdirs(const char *rel)
{
	fixture_mkdirs(fx_root, rel);
}

static void fx_put(const char *rel, const char *text)
{
	fixture_write(fx_root, rel, text, strlen(text), "w");
}

/*
 * An index from "key value" lines (value may hold spaces; "-" for an empty one),
 * written as <root>/mod/<file>.
 */
static void fx_index(const char *file, const char *lines)
{
	struct lkm_index_builder *b;
	char path[512], *copy = strdup(lines), *line, *save = NULL;
	int fd;

	if (lkm_index_builder_new(&b) < 0)
		exit(2);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp)
			continue;
		*sp = '\0';
		if (lkm_index_builder_add(b, line, strcmp(sp + 1, "-") ? sp + 1 : "", 0) < 0)
			exit(2);
	}
	free(copy);
	snprintf(path, sizeof(path), "mod/%s", file);
	fx_put(path, "");
	fx_path(path, sizeof(path), "mod/");
	strncat(path, file, sizeof(path) - strlen(path) - 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || lkm_index_builder_write(b, fd, NULL) < 0)
		exit(2);
	close(fd);
	lkm_index_builder_free(b);
}

/*
 * The standard tree:
 *   a depends on b and c (c is needed first); b on c; d, e, f, s1, s2 are plain;
 *   "alias-a" and "pci:v1234*" are aliases of a; "symbol:sym_c" is c's; "bi" is built in.
 */
static void fx_tree(void)
{
	static const char *const kos[] = { "a", "b", "c", "d", "e", "f", "s1", "s2" };
	char rel[64];
	size_t i;

	for (i = 0; i < sizeof(kos) / sizeof(kos[0]); i++) {
		snprintf(rel, sizeof(rel), "mod/kernel/%s.ko", kos[i]);
		fx_put(rel, "not really ELF");
	}
	fx_index("modules.dep.bin", "a kernel/a.ko: kernel/b.ko kernel/c.ko\n"
				    "b kernel/b.ko: kernel/c.ko\n"
				    "c kernel/c.ko:\n"
				    "d kernel/d.ko:\n"
				    "e kernel/e.ko:\n"
				    "f kernel/f.ko:\n"
				    "s1 kernel/s1.ko:\n"
				    "s2 kernel/s2.ko:\n");
	fx_index("modules.alias.bin", "alias_a a\npci:v1234* a\nalias_s1 s1\nalias_two d\n"
				      "alias_two e\n");
	fx_index("modules.symbols.bin", "symbol:sym_c c\n");
	fx_index("modules.builtin.bin", "bi -\n");
	fx_put("proc/cmdline", "quiet\n");
	fx_mkdirs("sys/module");
	fx_mkdirs("conf");
}

static void fx_setup(void)
{
	char cmd[128];

	if (fx_root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx_root);
		if (system(cmd) != 0)
			exit(2);
	}
	strcpy(fx_root, "/tmp/lkm-test-resolve-XXXXXX");
	if (!mkdtemp(fx_root)) {
		perror("mkdtemp");
		exit(2);
	}
	fx_tree();
}

static void fx_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx_root);
	if (system(cmd) != 0)
		exit(2);
	fx_root[0] = '\0';
}

/*
 * A context on the fixture, with @syscalls (NULL: none may be made) and the kernel log
 * <root>/@kmsg (NULL: the host's). Static inline, as fx_ctx() and fx_loaded() are: a test
 * that includes this fixture need not use them all.
 */
static inline struct lkm_ctx *fx_ctx_kmsg(const struct lkm_syscalls *syscalls,
					  const char *kmsg)
{
	static char dirname[512], conf[512], proc[512], sys[512], kmsg_path[512];
	static const char *paths[2];
	struct lkm_ctx_config cfg = { 0 };
	struct lkm_ctx *ctx;

	fx_path(dirname, sizeof(dirname), "mod");
	fx_path(conf, sizeof(conf), "conf");
	fx_path(proc, sizeof(proc), "proc");
	fx_path(sys, sizeof(sys), "sys");
	paths[0] = conf;
	cfg.dirname = dirname;
	cfg.kver = "1.0-test";
	cfg.config_paths = paths;
	cfg.proc = proc;
	cfg.sys = sys;
	if (kmsg) {
		fx_path(kmsg_path, sizeof(kmsg_path), kmsg);
		cfg.kmsg = kmsg_path;
	}
	cfg.syscalls = syscalls;
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		exit(2);
	return ctx;
}

static inline struct lkm_ctx *fx_ctx(const struct lkm_syscalls *syscalls)
{
	return fx_ctx_kmsg(syscalls, NULL);
}

static struct lkm_config *fx_config(struct lkm_ctx *ctx)
{
	struct lkm_config *cfg;

	if (lkm_config_new(ctx, 0, &cfg) < 0)
		exit(2);
	return cfg;
}

/* A loaded module in the fixture /sys: initstate and refcnt, holders optional. */
static inline void fx_loaded(const char *name, int refcnt, const char *holder)
{
	char rel[256], val[32];

	snprintf(rel, sizeof(rel), "sys/module/%s/initstate", name);
	fx_put(rel, "live\n");
	snprintf(rel, sizeof(rel), "sys/module/%s/refcnt", name);
	snprintf(val, sizeof(val), "%d\n", refcnt);
	fx_put(rel, val);
	snprintf(rel, sizeof(rel), "sys/module/%s/holders", name);
	fx_mkdirs(rel);
	if (holder) {
		snprintf(rel, sizeof(rel), "sys/module/%s/holders/%s", name, holder);
		fx_mkdirs(rel);
	}
}

/*
 * The name of the module whose file a fake finit_module was given as @fd: 0, or
 * lkm_name_from_path()'s error.
 */
static inline int fx_fd_module_name(int fd, char *name, size_t size)
{
	char link[64], path[512];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	path[n < 0 ? 0 : n] = '\0';
	return lkm_name_from_path(name, size, path);
}

#ifndef LKM_FIXTURE_ONLY

static int lookup(struct lkm_ctx *ctx, const struct lkm_config *cfg, const char *alias,
		  struct lkm_resolved **found, size_t *n)
{
	return lkm_resolve_lookup(ctx, cfg, alias, found, n, NULL);
}

TEST(name_in_modules_dep_has_path_deps_and_no_alias)
{
	struct lkm_ctx *ctx;
	struct lkm_resolved *f;
	size_t n;

	fx_setup();
	ctx = fx_ctx(NULL);
	CHECK_INT(lookup(ctx, NULL, "a", &f, &n), ==, 1);
	CHECK_STR(f[0].name, "a");
	CHECK(f[0].path && strstr(f[0].path, "/mod/kernel/a.ko"));
	CHECK_STR(f[0].deps, "kernel/b.ko kernel/c.ko");
	CHECK(f[0].alias == NULL);
	lkm_resolved_free(f, n);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(wildcard_alias_keeps_the_alias_and_dashes_are_underscores)
{
	struct lkm_ctx *ctx;
	struct lkm_resolved *f;
	size_t n;

	fx_setup();
	ctx = fx_ctx(NULL);
	CHECK_INT(lookup(ctx, NULL, "alias-a", &f, &n), ==, 1);
	CHECK_STR(f[0].name, "a");
	CHECK_STR(f[0].alias, "alias_a");
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, NULL, "pci:v12345678", &f, &n), ==, 1);
	CHECK_STR(f[0].name, "a");
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, NULL, "alias_two", &f, &n), ==, 2);
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, NULL, "symbol:sym_c", &f, &n), ==, 1);
	CHECK_STR(f[0].name, "c");
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, NULL, "bi", &f, &n), ==, 1);
	CHECK(f[0].builtin && !f[0].path);
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, NULL, "nosuch", &f, &n), ==, 0);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(config_alias_comes_first_and_commands_make_modules)
{
	struct lkm_config *cfg;
	struct lkm_ctx *ctx;
	struct lkm_resolved *f;
	size_t n;

	fx_setup();
	fx_put("conf/x.conf", "alias my-* d\nalias my-thing e\ninstall virt /bin/true\n"
			      "remove gone /bin/false\n");
	ctx = fx_ctx(NULL);
	cfg = fx_config(ctx);
	CHECK_INT(lookup(ctx, cfg, "my-thing", &f, &n), ==, 2);
	CHECK_STR(f[0].name, "d");
	CHECK_STR(f[0].alias, "my_*");
	CHECK_STR(f[1].name, "e");
	CHECK(f[1].path != NULL);
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, cfg, "virt", &f, &n), ==, 1);
	CHECK_STR(f[0].install, "/bin/true");
	CHECK(f[0].path == NULL);
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, cfg, "gone", &f, &n), ==, 1);
	CHECK_STR(f[0].remove, "/bin/false");
	lkm_resolved_free(f, n);
	lkm_config_free(cfg);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(deps_come_in_load_order)
{
	struct lkm_ctx *ctx;
	struct lkm_resolved *f, *d;
	size_t n, nd;

	fx_setup();
	ctx = fx_ctx(NULL);
	CHECK_INT(lookup(ctx, NULL, "a", &f, &n), ==, 1);
	CHECK_INT(lkm_resolve_deps(ctx, &f[0], &d, &nd), ==, 2);
	CHECK_STR(d[0].name, "c");
	CHECK_STR(d[1].name, "b");
	CHECK(d[1].path && strstr(d[1].path, "/mod/kernel/b.ko"));
	lkm_resolved_free(d, nd);
	lkm_resolved_free(f, n);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/* kmod issue 33: a modprobe.d softdep used to hide the module's own (modules.softdep). */
TEST(issue33_config_softdep_adds_to_modules_softdep)
{
	struct lkm_softdeps sd;
	struct lkm_config *cfg;
	struct lkm_ctx *ctx;

	fx_setup();
	fx_put("mod/modules.softdep", "softdep a pre: s1\n");
	fx_put("conf/local.conf", "softdep a post: s2\n");
	ctx = fx_ctx(NULL);
	cfg = fx_config(ctx);
	CHECK_INT(lkm_resolve_softdeps(ctx, cfg, "a", &sd), ==, 0);
	CHECK_INT(sd.n_pre, ==, 1);
	CHECK_INT(sd.n_post, ==, 1);
	if (sd.n_pre == 1 && sd.n_post == 1) {
		CHECK_STR(sd.pre[0].name, "s1");
		CHECK_STR(sd.post[0].name, "s2");
	}
	lkm_softdeps_release(&sd);
	lkm_config_free(cfg);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(builtin_and_initstate)
{
	struct lkm_resolved bi = { .name = (char *)"bi" }, a = { .name = (char *)"a" };
	struct lkm_ctx *ctx;

	fx_setup();
	fx_loaded("a", 0, NULL);
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_resolve_is_builtin(ctx, &bi, NULL), ==, 0);
	CHECK_INT(lkm_resolve_is_builtin(ctx, &a, NULL), ==, -ENOENT);
	CHECK_INT(lkm_resolve_initstate(ctx, &bi), ==, LKM_INITSTATE_BUILTIN);
	CHECK_INT(lkm_resolve_initstate(ctx, &a), ==, LKM_INITSTATE_LIVE);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/*
 * A damaged index is named in the reason: "too short for an index header" alone does not
 * say which of the five files it is.
 */
TEST(damaged_index_is_named_in_the_error)
{
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	struct lkm_ctx *ctx;

	fx_setup();
	fx_put("mod/modules.alias.bin", "junk");
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_ctx_get_index(ctx, LKM_INDEX_ALIAS, &idx, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.alias.bin: too short") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_ctx_get_index(ctx, LKM_INDEX_BUILTIN_ALIAS, &idx, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "/mod/modules.builtin.alias.bin: ") != NULL);
	CHECK_INT(lkm_ctx_get_index(ctx, LKM_INDEX_DEP, &idx, &err), ==, 0);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/* A damaged modules.builtin.bin is an error that names it, not "not built in". */
TEST(is_builtin_with_a_damaged_builtin_index_names_the_file)
{
	struct lkm_resolved bi = { .name = (char *)"bi" }, a = { .name = (char *)"a" };
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;

	fx_setup();
	fx_put("mod/modules.builtin.bin", "junk");
	fx_loaded("a", 0, NULL);
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_resolve_is_builtin(ctx, &bi, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.builtin.bin: ") != NULL);
	/* The kernel still answers for initstate. */
	CHECK_INT(lkm_resolve_initstate(ctx, &a), ==, LKM_INITSTATE_LIVE);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/*
 * A damaged modules.dep.bin or modules.alias.bin fails the lookup that asks it, with the
 * file named: taken for "not found", it sent the user looking for a module that is there.
 */
TEST(lookup_in_a_damaged_index_is_an_error_naming_the_file)
{
	struct lkm_err err = { 0 };
	struct lkm_resolved *f;
	struct lkm_ctx *ctx;
	char path[512];
	size_t n;

	fx_setup();
	fx_put("mod/modules.dep.bin", "junk");
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_resolve_lookup(ctx, NULL, "a", &f, &n, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.dep.bin: ") != NULL);
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_resolve_name(ctx, "a", &f, &n, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.dep.bin: ") != NULL);
	lkm_ctx_unref(ctx);

	fx_setup();
	fx_put("mod/modules.alias.bin", "junk");
	ctx = fx_ctx(NULL);
	/* A real module name is found before modules.alias.bin is asked. */
	CHECK_INT(lkm_resolve_lookup(ctx, NULL, "a", &f, &n, &err), ==, 1);
	lkm_resolved_free(f, n);
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_resolve_lookup(ctx, NULL, "alias-a", &f, &n, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.alias.bin: ") != NULL);
	CHECK(f == NULL && n == 0);
	lkm_ctx_unref(ctx);

	/* A missing index is still a source that knows nothing. */
	fx_setup();
	fx_path(path, sizeof(path), "mod/modules.alias.bin");
	CHECK_INT(unlink(path), ==, 0);
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_resolve_lookup(ctx, NULL, "alias-a", &f, &n, &err), ==, 0);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(a_path_starts_with_a_slash_or_dot_slash)
{
	CHECK(lkm_resolve_is_path("/x/a.ko"));
	CHECK(lkm_resolve_is_path("./a.ko"));
	CHECK(lkm_resolve_is_path("./"));
	/* kmod takes these for names: "a.ko" in modules.dep, never a file. */
	CHECK(!lkm_resolve_is_path("a.ko"));
	CHECK(!lkm_resolve_is_path("dir/a.ko"));
	CHECK(!lkm_resolve_is_path("../a.ko"));
	CHECK(!lkm_resolve_is_path(".a"));
}

/* kmod 31: the file is the one given; its dependencies are those of its name. */
TEST(module_file_keeps_its_path_and_gets_the_deps_of_its_name)
{
	struct lkm_resolved *f, *d;
	struct lkm_ctx *ctx;
	char path[512];
	size_t n, nd;

	fx_setup();
	fx_put("work/a.ko", "a newer build of a");
	fx_put("work/new-mod.ko.xz", "not in modules.dep");
	ctx = fx_ctx(NULL);
	fx_path(path, sizeof(path), "work/a.ko");
	CHECK_INT(lkm_resolve_path(ctx, path, &f, &n, NULL), ==, 1);
	CHECK_STR(f[0].name, "a");
	CHECK_STR(f[0].path, path);
	CHECK_STR(f[0].deps, "kernel/b.ko kernel/c.ko");
	CHECK(!f[0].builtin && !f[0].alias);
	CHECK_INT(lkm_resolve_deps(ctx, &f[0], &d, &nd), ==, 2);
	CHECK_STR(d[0].name, "c");
	CHECK(d[1].path && strstr(d[1].path, "/mod/kernel/b.ko"));
	lkm_resolved_free(d, nd);
	lkm_resolved_free(f, n);
	fx_path(path, sizeof(path), "work/new-mod.ko.xz");
	CHECK_INT(lkm_resolve_path(ctx, path, &f, &n, NULL), ==, 1);
	CHECK_STR(f[0].name, "new_mod");
	CHECK(f[0].deps == NULL);
	lkm_resolved_free(f, n);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/* As kmod: the working directory goes before the path, which stays as given. */
TEST(relative_module_file_gets_the_working_directory)
{
	char *before = getcwd(NULL, 0), *cwd, want[1024];
	struct lkm_resolved *f;
	struct lkm_ctx *ctx;
	char dir[512];
	size_t n;

	fx_setup();
	fx_put("work/b.ko", "b");
	ctx = fx_ctx(NULL);
	fx_path(dir, sizeof(dir), "work");
	CHECK_INT(chdir(dir), ==, 0);
	cwd = getcwd(NULL, 0);
	snprintf(want, sizeof(want), "%s/./b.ko", cwd ? cwd : "?");
	CHECK_INT(lkm_resolve_path(ctx, "./b.ko", &f, &n, NULL), ==, 1);
	CHECK_STR(f[0].path, want);
	CHECK_STR(f[0].deps, "kernel/c.ko");
	lkm_resolved_free(f, n);
	CHECK_INT(before && chdir(before) == 0, ==, 1);
	free(cwd);
	free(before);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(module_file_that_is_missing_or_has_no_name_fails)
{
	struct lkm_err err = { 0 };
	struct lkm_resolved *f;
	struct lkm_ctx *ctx;
	char path[512];
	size_t n;

	fx_setup();
	fx_mkdirs("work");
	fx_put("work/a.ko", "a");
	ctx = fx_ctx(NULL);
	fx_path(path, sizeof(path), "work/nope.ko");
	CHECK_INT(lkm_resolve_path(ctx, path, &f, &n, &err), ==, -ENOENT);
	CHECK(f == NULL && n == 0);
	fx_path(path, sizeof(path), "work/");
	CHECK_INT(lkm_resolve_path(ctx, path, &f, &n, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "no module name") != NULL);
	lkm_ctx_unref(ctx);

	/* A damaged modules.dep.bin is named, as for a lookup. */
	fx_put("mod/modules.dep.bin", "junk");
	ctx = fx_ctx(NULL);
	memset(&err, 0, sizeof(err));
	fx_path(path, sizeof(path), "work/a.ko");
	CHECK_INT(lkm_resolve_path(ctx, path, &f, &n, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "/mod/modules.dep.bin: ") != NULL);
	CHECK(f == NULL && n == 0);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(resolve_arg_takes_paths_names_and_with_the_fallback_files)
{
	char *before = getcwd(NULL, 0), dir[512];
	struct lkm_resolved *f;
	struct lkm_ctx *ctx;
	bool file;
	size_t n;

	fx_setup();
	fx_put("work/sub/a.ko", "a");
	fx_put("work/d", "a file named as a module");
	fx_mkdirs("work/subdir");
	ctx = fx_ctx(NULL);
	fx_path(dir, sizeof(dir), "work");
	CHECK_INT(chdir(dir), ==, 0);
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "./sub/a.ko", LKM_RESOLVE_PATHS, &f, &n, &file,
				  NULL), ==, 1);
	CHECK(file && strstr(f[0].path, "/work/./sub/a.ko"));
	lkm_resolved_free(f, n);
	/* Without the flag (modprobe -r) a path is a name that finds nothing. */
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "./sub/a.ko", 0, &f, &n, &file, NULL), ==, 0);
	CHECK(!file);
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "sub/a.ko", LKM_RESOLVE_PATHS, &f, &n, &file,
				  NULL), ==, 0);
	/* The fallback: a name that finds nothing, but is a file. */
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "sub/a.ko", LKM_RESOLVE_FILE_FALLBACK, &f, &n, &file,
				  NULL), ==, 1);
	CHECK(file && strstr(f[0].path, "/work/sub/a.ko"));
	CHECK_STR(f[0].deps, "kernel/b.ko kernel/c.ko");
	lkm_resolved_free(f, n);
	/* A name the indexes know wins over a file of that name; a directory is no file. */
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "d", LKM_RESOLVE_FILE_FALLBACK, &f, &n, &file,
				  NULL), ==, 1);
	CHECK(!file && strstr(f[0].path, "/mod/kernel/d.ko"));
	lkm_resolved_free(f, n);
	CHECK_INT(lkm_resolve_arg(ctx, NULL, "subdir", LKM_RESOLVE_FILE_FALLBACK, &f, &n, &file,
				  NULL), ==, 0);
	CHECK(!file);
	CHECK_INT(before && chdir(before) == 0, ==, 1);
	free(before);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/* --show-exports of a name whose module has no file says why (kmod: "No such file"). */
TEST(symbols_of_a_module_without_a_file)
{
	struct lkm_err err = { 0 };
	struct lkm_buf b = { 0 };
	struct lkm_config *cfg;
	struct lkm_resolved *f;
	struct lkm_ctx *ctx;
	size_t n;

	fx_setup();
	fx_put("conf/x.conf", "install virt /bin/true\n");
	ctx = fx_ctx(NULL);
	cfg = fx_config(ctx);
	CHECK_INT(lookup(ctx, cfg, "bi", &f, &n), ==, 1);
	CHECK_INT(lkm_resolved_show_symbols(&f[0], true, &b, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "built into the kernel") != NULL);
	lkm_resolved_free(f, n);
	CHECK_INT(lookup(ctx, cfg, "virt", &f, &n), ==, 1);
	CHECK_INT(lkm_resolved_show_symbols(&f[0], false, &b, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "not in modules.dep") != NULL);
	lkm_resolved_free(f, n);
	/* The fixture's files are not ELF: the file's reason, nothing shown. */
	CHECK_INT(lookup(ctx, cfg, "a", &f, &n), ==, 1);
	CHECK_INT(lkm_resolved_show_symbols(&f[0], true, &b, &err), <, 0);
	CHECK_INT(b.len, ==, 0);
	lkm_resolved_free(f, n);
	lkm_buf_free(&b);
	lkm_config_free(cfg);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST_MAIN()
#endif
