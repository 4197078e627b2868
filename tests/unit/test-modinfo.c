// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo.c: the parameter merge on modinfo lists built here (what kmod's modinfo
 * shows, in its order, for every shape of parm and parmtype records), and the fields
 * of a built-in module from a modules.builtin.modinfo written here. The fields of
 * module files are tested with the ELF images in test-elf.c and test-signature.c, and
 * against kmod on Debian's trees in tests/diff.
 */
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "lkm-internal.h"
#include "test.h"

/* A list of "key=value" strings, split as lkm_modinfo_from_file() splits them. */
struct list {
	struct lkm_modinfo info;
	struct lkm_modinfo_entry entries[16];
	char text[16][64];
};

static void make(struct list *l, const char *const records[])
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; records[i]; i++) {
		char *eq;

		snprintf(l->text[i], sizeof(l->text[i]), "%s", records[i]);
		eq = strchr(l->text[i], '=');
		*eq = '\0';
		l->entries[i].key = l->text[i];
		l->entries[i].value = eq + 1;
	}
	l->info.entries = l->entries;
	l->info.count = i;
}

/* "name|desc|type", with "-" for a record that is not there. */
static void check_param(const struct lkm_modinfo_param *p, const char *want)
{
	char got[256];

	snprintf(got, sizeof(got), "%.*s|%s|%s", p->namelen, p->name,
		 p->desc ? p->desc : "-", p->type ? p->type : "-");
	CHECK_STR(got, want);
}

TEST(params_in_reverse_order_of_first_record)
{
	static const char *const recs[] = {
		"license=GPL", "parm=a:first", "parmtype=a:int", "parmtype=b:charp",
		"parm=b:second", "author=x", "parm=c:third", "parmtype=c:bool", NULL,
	};
	struct lkm_modinfo_params ps;
	struct list l;

	make(&l, recs);
	CHECK_INT(lkm_modinfo_get_params(&l.info, &ps), ==, 0);
	CHECK_INT(ps.count, ==, 3);
	CHECK_INT(ps.invalid_count, ==, 0);
	if (ps.count == 3) {
		check_param(&ps.items[0], "c|third|bool");
		check_param(&ps.items[1], "b|second|charp");
		check_param(&ps.items[2], "a|first|int");
	}
	lkm_modinfo_params_release(&ps);
}

TEST(params_parm_alone_and_parmtype_alone)
{
	static const char *const recs[] = { "parm=d:described", "parmtype=t:uint", NULL };
	struct lkm_modinfo_params ps;
	struct list l;

	make(&l, recs);
	CHECK_INT(lkm_modinfo_get_params(&l.info, &ps), ==, 0);
	CHECK_INT(ps.count, ==, 2);
	if (ps.count == 2) {
		check_param(&ps.items[0], "t|-|uint");
		check_param(&ps.items[1], "d|described|-");
	}
	lkm_modinfo_params_release(&ps);
}

/* A later record of one kind replaces the earlier, where the name first came stays. */
TEST(params_duplicates_later_wins_first_place_kept)
{
	static const char *const recs[] = {
		"parm=x:one", "parm=y:why", "parmtype=x:int", "parm=x:two",
		"parmtype=x:long", "parm=xx:longer", "parm=:empty name", NULL,
	};
	struct lkm_modinfo_params ps;
	struct list l;

	make(&l, recs);
	CHECK_INT(lkm_modinfo_get_params(&l.info, &ps), ==, 0);
	CHECK_INT(ps.count, ==, 4);
	if (ps.count == 4) {
		check_param(&ps.items[0], "|empty name|-");
		check_param(&ps.items[1], "xx|longer|-");
		check_param(&ps.items[2], "y|why|-");
		check_param(&ps.items[3], "x|two|long");
	}
	lkm_modinfo_params_release(&ps);
}

/* kmod reports a record without ':' and leaves it out; a description may hold ':'. */
TEST(params_without_colon_are_invalid)
{
	static const char *const recs[] = { "parm=nocolon", "parm=a:b:c", "parmtype=bad",
					    "name=parm", NULL };
	struct lkm_modinfo_params ps;
	struct list l;

	make(&l, recs);
	CHECK_INT(lkm_modinfo_get_params(&l.info, &ps), ==, 0);
	CHECK_INT(ps.count, ==, 1);
	CHECK_INT(ps.invalid_count, ==, 2);
	if (ps.count == 1)
		check_param(&ps.items[0], "a|b:c|-");
	if (ps.invalid_count == 2) {
		CHECK(ps.invalid[0] == &l.entries[0]);
		CHECK(ps.invalid[1] == &l.entries[2]);
	}
	lkm_modinfo_params_release(&ps);
}

TEST(params_none)
{
	struct lkm_modinfo info = { 0 };
	struct lkm_modinfo_params ps;

	CHECK_INT(lkm_modinfo_get_params(&info, &ps), ==, 0);
	CHECK_INT(ps.count, ==, 0);
	CHECK_INT(ps.invalid_count, ==, 0);
	lkm_modinfo_params_release(&ps);
	lkm_modinfo_params_release(&ps);
}

/* Searching every earlier record took minutes for this many; the table takes one pass. */
TEST(params_200000_in_bounded_time)
{
	const size_t n = 200000;
	struct lkm_modinfo info = { 0 };
	struct lkm_modinfo_params ps;
	struct timespec t0, t1;
	char (*names)[16] = calloc(n, sizeof(*names));
	size_t i;

	info.entries = calloc(2 * n, sizeof(*info.entries));
	if (!names || !info.entries)
		abort();
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "p%zu:int", i);
		info.entries[2 * i] = (struct lkm_modinfo_entry){ "parmtype", names[i] };
		info.entries[2 * i + 1] = (struct lkm_modinfo_entry){ "parm", names[i] };
	}
	info.count = 2 * n;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(lkm_modinfo_get_params(&info, &ps), ==, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Linear is well under a second, even under ASan; quadratic was minutes. */
	CHECK_INT(t1.tv_sec - t0.tv_sec, <, 5);
	CHECK_INT(ps.count, ==, n);
	if (ps.count == n) {
		check_param(&ps.items[0], "p199999|int|int");
		check_param(&ps.items[n - 1], "p0|int|int");
	}
	lkm_modinfo_params_release(&ps);
	free(info.entries);
	free(names);
}

TEST(builtin_fields_of_one_module)
{
	static const char data[] = "fat.license=GPL\0vfat.alias=fs-vfat\0"
				   "fat.description=FAT\0fatx.author=no\0fat.flag\0";
	char root[] = "/tmp/lkm-test-modinfo.XXXXXX", path[1024];
	struct lkm_ctx_config cfg = { 0 };
	struct lkm_err err = { 0 };
	struct lkm_modinfo *info = NULL;
	struct lkm_ctx *ctx;

	if (!mkdtemp(root))
		abort();
	fixture_write(root, "modules.builtin.modinfo", data, sizeof(data) - 1, "w");
	cfg.dirname = root;
	cfg.kver = "1.0-test";
	CHECK_INT(lkm_ctx_new(&cfg, &ctx), ==, 0);
	CHECK_INT(lkm_modinfo_from_builtin(ctx, "fat", &info, &err), ==, 0);
	if (info) {
		size_t n;
		const struct lkm_modinfo_entry *e = lkm_modinfo_get_entries(info, &n);

		CHECK_INT(n, ==, 3);
		if (n == 3) {
			CHECK_STR(e[0].key, "license");
			CHECK_STR(e[1].value, "FAT");
			CHECK_STR(e[2].key, "flag");
			CHECK_STR(e[2].value, "");
		}
	}
	lkm_modinfo_free(info);
	/* No file: -ENOENT, which modinfo takes for a kernel too old to have one. */
	fixture_path(path, sizeof(path), root, "modules.builtin.modinfo");
	unlink(path);
	CHECK_INT(lkm_modinfo_from_builtin(ctx, "fat", &info, &err), ==, -ENOENT);
	CHECK(info == NULL);
	CHECK(strstr(err.why, "modules.builtin.modinfo") != NULL);
	lkm_ctx_unref(ctx);
	rmdir(root);
}

TEST_MAIN()
