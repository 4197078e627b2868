// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2 runs inside udevd and PID 1: a malformed index, config or module file
 * must give a negative return and a message through the log callback that names the
 * file, never a crash (this runs under AddressSanitizer in the suite) and never a
 * silent "not found". Each index of the tree is damaged in turn (empty, wrong magic,
 * cut in half, bytes flipped), then a modprobe.d file, then a module file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "test.h"
#include "tree.h"

static struct tree tree;
static char logbuf[16384];
static size_t loglen;

static void log_fn(void *data, int priority, const char *file, int line, const char *fn,
		   const char *format, va_list args)
{
	int n;

	if (priority > 3 || loglen >= sizeof(logbuf) - 1) /* LOG_ERR and worse only */
		return;
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, format, args);
	if (n > 0)
		loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n : sizeof(logbuf) - loglen - 1;
}

static struct kmod_ctx *new_ctx(void)
{
	const char *paths[] = { tree.conf, NULL };
	struct kmod_ctx *ctx = kmod_new(tree.dir, paths);

	loglen = 0;
	logbuf[0] = '\0';
	if (!ctx) {
		fprintf(stderr, "kmod_new failed\n");
		exit(2);
	}
	kmod_set_log_fn(ctx, log_fn, NULL);
	kmod_set_log_priority(ctx, 7);
	return ctx;
}

/* Everything a consumer may call for @name; only the return of the lookup matters. */
static int exercise(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_new_from_lookup(ctx, name, &list);

	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);
		struct kmod_list *info = NULL, *deps, *pre = NULL, *post = NULL;

		if (kmod_module_get_info(m, &info) >= 0)
			kmod_module_info_free_list(info);
		deps = kmod_module_get_dependencies(m);
		kmod_module_unref_list(deps);
		if (kmod_module_get_softdeps(m, &pre, &post) >= 0) {
			kmod_module_unref_list(pre);
			kmod_module_unref_list(post);
		}
		(void)kmod_module_probe_insert_module(m, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL,
						      NULL);
		(void)kmod_module_get_initstate(m);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	return r;
}

/* Every index dumped to /dev/null, and the resources validated: no crash is all. */
static void dump_all(struct kmod_ctx *ctx)
{
	int fd = open("/dev/null", O_WRONLY), i;

	for (i = KMOD_INDEX_MODULES_DEP; i <= KMOD_INDEX_MODULES_BUILTIN; i++)
		(void)kmod_dump_index(ctx, (enum kmod_index)i, fd);
	(void)kmod_validate_resources(ctx);
	close(fd);
}

struct index_case {
	const char *file;
	const char *name; /* a lookup that must ask this index */
};

static const struct index_case indexes[] = {
	{ "modules.dep.bin", "bar-drv" },
	{ "modules.alias.bin", "pci:v0000ABCDd00001234" },
	{ "modules.symbols.bin", "symbol:foo_fn" },
	{ "modules.builtin.bin", "bi" },
	{ "modules.builtin.alias.bin", "nothing_at_all" },
};

static void fixture_write_path(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

enum damage { EMPTY, BAD_MAGIC, HALF, FLIPPED, N_DAMAGE };
static const char *const damage_names[] = { "empty", "bad magic", "cut in half",
					    "bytes flipped" };

static void damage(const char *path, const char *orig, size_t len, enum damage how)
{
	char *copy = malloc(len + 1);
	size_t i, n = len;

	if (!copy)
		abort();
	memcpy(copy, orig, len);
	if (how == EMPTY)
		n = 0;
	else if (how == BAD_MAGIC && len >= 4)
		copy[0] ^= 0x5a;
	else if (how == HALF)
		n = len / 2;
	else if (how == FLIPPED)
		for (i = 12; i < len; i += 7)
			copy[i] ^= (char)0xa5;
	fixture_write_path(path, copy, n);
	free(copy);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		abort();
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/*
 * A broken index fails the lookups that ask it, with the file named in the log (an
 * empty modules.builtin.bin or modules.builtin.alias.bin is no built-in module: depmod
 * writes them so); an empty one or one with a wrong magic also fails kmod_load_resources (except
 * modules.builtin.alias.bin, which kmod lets fail there for any reason). Flipped bytes
 * may go unseen where no lookup reads them: only "no crash" holds for those.
 */
TEST(each_damaged_index_fails_its_lookup_with_a_logged_reason)
{
	size_t k;
	int how;

	for (k = 0; k < sizeof(indexes) / sizeof(indexes[0]); k++) {
		char path[1024];
		size_t len;
		char *orig;

		snprintf(path, sizeof(path), "%s/%s", tree.dir, indexes[k].file);
		orig = slurp(path, &len);
		for (how = 0; how < N_DAMAGE; how++) {
			struct kmod_ctx *ctx;
			int r;

			damage(path, orig, len, (enum damage)how);
			ctx = new_ctx();
			r = exercise(ctx, indexes[k].name);
			if (how == EMPTY && strncmp(indexes[k].file, "modules.builtin.", 16) == 0) {
				/*
				 * Both depmods write these two empty when the directory has no
				 * modules.builtin: no built-in module, no error (as kmod's
				 * modprobe reads it too).
				 */
				if (r < 0)
					printf("  %s empty: lookup of %s gave %d, log: %s\n",
					       indexes[k].file, indexes[k].name, r, logbuf);
				CHECK(r >= 0);
			} else if (how != FLIPPED) {
				if (r >= 0 || !strstr(logbuf, indexes[k].file))
					printf("  %s %s: lookup of %s gave %d, log: %s\n",
					       indexes[k].file, damage_names[how], indexes[k].name,
					       r, logbuf);
				CHECK(r < 0);
				CHECK(strstr(logbuf, indexes[k].file) != NULL);
			}
			dump_all(ctx);
			kmod_unref(ctx);
			ctx = new_ctx();
			r = kmod_load_resources(ctx);
			/* kmod lets modules.builtin.alias fail for any reason: it is recent. */
			if ((how == EMPTY || how == BAD_MAGIC) &&
			    strcmp(indexes[k].file, "modules.builtin.alias.bin") != 0) {
				if (r >= 0)
					printf("  %s %s: kmod_load_resources gave %d\n",
					       indexes[k].file, damage_names[how], r);
				CHECK(r < 0);
			}
			(void)exercise(ctx, indexes[k].name);
			(void)exercise(ctx, "foo");
			dump_all(ctx);
			kmod_unref(ctx);
		}
		fixture_write_path(path, orig, len);
		free(orig);
	}
}

/* After the damage is undone, everything answers again (the tests above restored it). */
TEST(a_repaired_tree_answers_again)
{
	struct kmod_ctx *ctx = new_ctx();
	size_t k;

	CHECK_INT(kmod_load_resources(ctx), ==, 0);
	for (k = 0; k < 4; k++)
		CHECK_INT(exercise(ctx, indexes[k].name), ==, 0);
	CHECK_INT(loglen, ==, 0);
	kmod_unref(ctx);
}

/* A modprobe.d file of binary junk: its bad lines are logged with the file's name. */
TEST(a_junk_config_file_is_logged_and_the_rest_still_works)
{
	static const char junk[] = "alias\0\xff\xfe junk\nblacklist\noptions\n\x01\x02\x03\n"
				   "install x \\\n";
	char path[1024];
	struct kmod_ctx *ctx;
	struct kmod_list *list = NULL;
	char *big;

	snprintf(path, sizeof(path), "%s/zz-junk.conf", tree.conf);
	fixture_write_path(path, junk, sizeof(junk) - 1);
	ctx = new_ctx();
	CHECK_INT(kmod_module_new_from_lookup(ctx, "bar-drv", &list), ==, 0);
	CHECK(list != NULL);
	kmod_module_unref_list(list);
	CHECK(strstr(logbuf, "zz-junk.conf") != NULL);
	kmod_unref(ctx);

	/* One line of 4 MiB: read, judged, and the other files still count. */
	big = malloc(4u << 20);
	if (!big)
		abort();
	memset(big, 'x', 4u << 20);
	memcpy(big, "options bar_drv ", 16);
	big[(4u << 20) - 1] = '\n';
	fixture_write_path(path, big, 4u << 20);
	free(big);
	ctx = new_ctx();
	list = NULL;
	CHECK_INT(kmod_module_new_from_lookup(ctx, "myalias", &list), ==, 0);
	CHECK(list != NULL);
	kmod_module_unref_list(list);
	kmod_unref(ctx);
	unlink(path);
}

/* A module file cut short: the calls that read it fail, the others do not crash. */
TEST(a_truncated_module_fails_the_calls_that_read_it)
{
	struct kmod_list *list = NULL;
	struct kmod_module *m;
	struct kmod_ctx *ctx;
	char path[1024];
	size_t len;
	char *orig;

	snprintf(path, sizeof(path), "%s/kernel/b/bar-drv.ko", tree.dir);
	orig = slurp(path, &len);
	fixture_write_path(path, orig, 100);
	ctx = new_ctx();
	CHECK_INT(kmod_module_new_from_name(ctx, "bar_drv", &m), ==, 0);
	CHECK_INT(kmod_module_get_info(m, &list), <, 0);
	CHECK(list == NULL);
	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), <, 0);
	CHECK_INT(kmod_module_get_symbols(m, &list), <, 0);
	CHECK_INT(kmod_module_get_versions(m, &list), <, 0);
	CHECK(list == NULL);
	CHECK_INT(kmod_module_probe_insert_module(m, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL, NULL),
		  ==, 0);
	kmod_module_unref(m);
	kmod_unref(ctx);
	fixture_write_path(path, orig, len);
	free(orig);
}

int main(void)
{
	static char root[512];
	int r;

	fixture_tmpdir(root, sizeof(root), "libkmod-robust");
	tree_make(&tree, root);
	r = test_run_all();
	return r;
}

TEST_GLOBALS;
