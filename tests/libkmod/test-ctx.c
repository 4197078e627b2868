// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's context, through kmod's public interface only: kmod_new's defaults,
 * references, the log (priority, callback, $KMOD_LOG), userdata, resources and their
 * validation when the files change, index dumps. On the tree of tree.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <unistd.h>

#include <libkmod.h>

#include "test.h"
#include "tree.h"

static struct tree tree;

static struct kmod_ctx *tree_ctx(void)
{
	const char *paths[] = { tree.conf, NULL };

	return kmod_new(tree.dir, paths);
}

TEST(new_defaults)
{
	const char *none[] = { NULL };
	struct kmod_ctx *ctx;
	struct utsname u;
	char want[1024], cwd[512];

	unsetenv("KMOD_LOG");
	ctx = kmod_new(NULL, none);
	CHECK(ctx != NULL);
	CHECK(uname(&u) == 0);
	snprintf(want, sizeof(want), "/lib/modules/%s", u.release);
	CHECK_STR(kmod_get_dirname(ctx), want);
	CHECK_INT(kmod_get_log_priority(ctx), ==, LOG_ERR);
	CHECK(kmod_get_userdata(ctx) == NULL);
	CHECK(kmod_unref(ctx) == NULL);

	/* A relative directory is taken from the working directory. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	ctx = kmod_new("some/rel", none);
	snprintf(want, sizeof(want), "%s/some/rel", cwd);
	CHECK_STR(kmod_get_dirname(ctx), want);
	kmod_unref(ctx);

	/* NULL is answered without a crash, as kmod does. */
	CHECK(kmod_get_dirname(NULL) == NULL);
	CHECK_INT(kmod_get_log_priority(NULL), ==, -1);
	CHECK(kmod_ref(NULL) == NULL);
	CHECK(kmod_unref(NULL) == NULL);
	CHECK_INT(kmod_load_resources(NULL), ==, -ENOENT);
	CHECK_INT(kmod_validate_resources(NULL), ==, KMOD_RESOURCES_MUST_RECREATE);
	CHECK_INT(kmod_dump_index(NULL, KMOD_INDEX_MODULES_DEP, 1), ==, -ENOSYS);
}

TEST(refcount)
{
	struct kmod_ctx *ctx = tree_ctx();

	CHECK(kmod_ref(ctx) == ctx);
	CHECK(kmod_unref(ctx) == ctx);
	CHECK(kmod_unref(ctx) == NULL);
}

TEST(log_env)
{
	static const struct {
		const char *value;
		int prio;
	} cases[] = {
		{ "7", 7 }, { "6 ", 6 }, { "err", LOG_ERR }, { "info", LOG_INFO },
		{ "debugging", LOG_DEBUG }, { "nonsense", 0 }, { "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kmod_ctx *ctx;

		setenv("KMOD_LOG", cases[i].value, 1);
		ctx = tree_ctx();
		CHECK_INT(kmod_get_log_priority(ctx), ==, cases[i].prio);
		kmod_unref(ctx);
	}
	unsetenv("KMOD_LOG");
}

struct logged {
	int count;
	int max_prio;
	char last[512];
};

static void log_cb(void *data, int priority, const char *file, int line, const char *fn,
		   const char *format, va_list args)
{
	struct logged *l = data;

	l->count++;
	if (priority > l->max_prio)
		l->max_prio = priority;
	vsnprintf(l->last, sizeof(l->last), format, args);
}

TEST(log_callback)
{
	struct kmod_ctx *ctx = tree_ctx();
	struct logged l = { 0, -1, "" };
	struct kmod_list *list = (struct kmod_list *)&l;
	int userdata;

	kmod_set_userdata(ctx, &userdata);
	CHECK(kmod_get_userdata(ctx) == &userdata);
	kmod_set_log_fn(ctx, log_cb, &l);
	/* An error is logged at LOG_ERR; nothing above the priority reaches the callback. */
	CHECK_INT(kmod_module_new_from_lookup(ctx, "foo", &list), ==, -ENOSYS);
	CHECK_INT(l.count, ==, 1);
	CHECK_INT(l.max_prio, ==, LOG_ERR);
	CHECK(strstr(l.last, "empty list") != NULL);
	kmod_set_log_priority(ctx, LOG_CRIT);
	CHECK_INT(kmod_get_log_priority(ctx), ==, LOG_CRIT);
	CHECK_INT(kmod_module_new_from_lookup(ctx, "foo", &list), ==, -ENOSYS);
	CHECK_INT(l.count, ==, 1);
	/* At LOG_DEBUG the lookups say more, never above the priority. */
	kmod_set_log_priority(ctx, LOG_DEBUG);
	kmod_set_log_fn(ctx, log_cb, &l);
	CHECK_INT(l.count, >=, 2);
	CHECK_INT(l.max_prio, <=, LOG_DEBUG);
	/* NULL silences it. */
	kmod_set_log_fn(ctx, NULL, NULL);
	CHECK_INT(kmod_module_new_from_lookup(ctx, "foo", &list), ==, -ENOSYS);
	kmod_unref(ctx);
}

static void touch_rewrite(const char *dir, const char *file)
{
	char path[1024], tmp[1100], cmd[4400];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	/* A new file renamed over the old one, as depmod writes them. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && mv '%s' '%s'", path, tmp, tmp, path);
	if (system(cmd) != 0)
		exit(2);
}

TEST(resources)
{
	struct kmod_ctx *ctx = tree_ctx();

	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_OK);
	CHECK_INT(kmod_load_resources(ctx), ==, 0);
	CHECK_INT(kmod_load_resources(ctx), ==, 0);
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_OK);
	touch_rewrite(tree.dir, "modules.dep.bin");
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_MUST_RELOAD);
	kmod_unload_resources(ctx);
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_OK);
	CHECK_INT(kmod_load_resources(ctx), ==, 0);
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_OK);
	/* A config directory that changed (a file added) asks for a new context. */
	fixture_write(tree.conf, "added.conf", "alias x foo\n", 12, "w");
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_MUST_RECREATE);
	kmod_unref(ctx);
	{
		char p[800];

		snprintf(p, sizeof(p), "%s/added.conf", tree.conf);
		CHECK(unlink(p) == 0);
	}
}

TEST(resources_missing)
{
	const char *none[] = { NULL };
	char dir[800];
	struct kmod_ctx *ctx;

	snprintf(dir, sizeof(dir), "%s/no-such-dir", tree.root);
	ctx = kmod_new(dir, none);
	CHECK_INT(kmod_load_resources(ctx), ==, -ENOENT);
	CHECK_INT(kmod_validate_resources(ctx), ==, KMOD_RESOURCES_OK);
	CHECK_INT(kmod_dump_index(ctx, KMOD_INDEX_MODULES_DEP, 1), ==, -ENOSYS);
	kmod_unref(ctx);
}

/* The dump of one index, read back through a pipe. */
static void dump(struct kmod_ctx *ctx, enum kmod_index type, char *buf, size_t size)
{
	int fds[2];
	ssize_t n;

	if (pipe(fds) != 0)
		exit(2);
	CHECK_INT(kmod_dump_index(ctx, type, fds[1]), ==, 0);
	close(fds[1]);
	n = read(fds[0], buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fds[0]);
}

TEST(dump_index)
{
	struct kmod_ctx *ctx = tree_ctx();
	char buf[8192];

	dump(ctx, KMOD_INDEX_MODULES_ALIAS, buf, sizeof(buf));
	CHECK_STR(buf, "alias fooalias foo\nalias pci:v0000ABCDd* foo\n");
	dump(ctx, KMOD_INDEX_MODULES_BUILTIN, buf, sizeof(buf));
	CHECK_STR(buf, "bi \n");
	dump(ctx, KMOD_INDEX_MODULES_DEP, buf, sizeof(buf));
	CHECK(strstr(buf, "bar_drv kernel/b/bar-drv.ko: kernel/a/foo.ko\n") != NULL);
	dump(ctx, KMOD_INDEX_MODULES_SYMBOL, buf, sizeof(buf));
	CHECK(strstr(buf, "alias symbol:foo_fn foo\n") != NULL);
	CHECK_INT(kmod_dump_index(ctx, (enum kmod_index)5, 1), ==, -ENOENT);
	/* The same with the indexes loaded. */
	CHECK_INT(kmod_load_resources(ctx), ==, 0);
	dump(ctx, KMOD_INDEX_MODULES_ALIAS, buf, sizeof(buf));
	CHECK_STR(buf, "alias fooalias foo\nalias pci:v0000ABCDd* foo\n");
	kmod_unref(ctx);
}

int main(void)
{
	char root[512];
	int r;

	fixture_tmpdir(root, sizeof(root), "libkmod-ctx");
	tree_make(&tree, root);
	r = test_run_all();
	return r;
}

TEST_GLOBALS;
