// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's lists of what a module's file declares, through kmod's public
 * interface only: modinfo fields (with the signature's, and a built-in module's from
 * modules.builtin.modinfo), __versions, exports and needed symbols with their CRCs and
 * bindings, in kmod 34's order and with its errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "info-fixtures.h"
#include "test.h"
#include "tree.h"

static struct tree tree;
static struct kmod_ctx *ctx;

static const char *path_of(const char *rel)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/%s", tree.dir, rel);
	return buf;
}

static struct kmod_module *by_path(const char *rel)
{
	struct kmod_module *m = NULL;

	CHECK_INT(kmod_module_new_from_path(ctx, path_of(rel), &m), ==, 0);
	return m;
}

static struct kmod_module *by_name(const char *name)
{
	struct kmod_module *m = NULL;

	CHECK_INT(kmod_module_new_from_name(ctx, name, &m), ==, 0);
	return m;
}

/* "key=value" for each entry of an info list, joined by '|', into @buf. */
static const char *info_text(struct kmod_list *list, char *buf, size_t size)
{
	struct kmod_list *l;
	size_t len = 0;

	buf[0] = '\0';
	kmod_list_foreach(l, list)
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", len ? "|" : "",
					kmod_module_info_get_key(l),
					kmod_module_info_get_value(l));
	return buf;
}

/* "name:crc" (crc in hex) for each entry, with ":B" for the bind when @bind. */
typedef const char *(*name_fn)(const struct kmod_list *entry);
typedef uint64_t (*crc_fn)(const struct kmod_list *entry);

static const char *symbols_text(struct kmod_list *list, name_fn name, crc_fn crc,
				bool bind, char *buf, size_t size)
{
	struct kmod_list *l;
	size_t len = 0;

	buf[0] = '\0';
	kmod_list_foreach(l, list) {
		len += (size_t)snprintf(buf + len, size - len, "%s%s:%llx", len ? " " : "",
					name(l), (unsigned long long)crc(l));
		if (bind)
			len += (size_t)snprintf(
				buf + len, size - len, ":%c",
				kmod_module_dependency_symbol_get_bind(l));
	}
	return buf;
}

static const char *versions_text(struct kmod_list *list, char *buf, size_t size)
{
	return symbols_text(list, kmod_module_version_get_symbol,
			    kmod_module_version_get_crc, false, buf, size);
}

static const char *exports_text(struct kmod_list *list, char *buf, size_t size)
{
	return symbols_text(list, kmod_module_symbol_get_symbol,
			    kmod_module_symbol_get_crc, false, buf, size);
}

static const char *deps_text(struct kmod_list *list, char *buf, size_t size)
{
	return symbols_text(list, kmod_module_dependency_symbol_get_symbol,
			    kmod_module_dependency_symbol_get_crc, true, buf, size);
}

TEST(info_in_file_order)
{
	struct kmod_module *m = by_name("foo");
	struct kmod_list *list = NULL;
	char buf[512];

	CHECK_INT(kmod_module_get_info(m, &list), ==, 3);
	CHECK_STR(info_text(list, buf, sizeof(buf)),
		  "alias=fooalias|alias=pci:v0000ABCDd*|license=GPL");
	kmod_module_info_free_list(list);
	list = NULL;
	/* Asked again (the file is open now), the same answer. */
	CHECK_INT(kmod_module_get_info(m, &list), ==, 3);
	kmod_module_info_free_list(list);
	kmod_module_unref(m);
}

/*
 * The fields, then the signature's: sig_id, signer, sig_key and signature in kmod's
 * hex (uppercase, ':'-joined, "\n\t\t" after every 20 bytes), sig_hashalgo.
 */
TEST(info_of_a_signed_file_ends_with_the_signature)
{
	struct kmod_module *m = by_path("extra/signed.ko");
	struct kmod_list *list = NULL;
	char buf[1024];

	CHECK_INT(kmod_module_get_info(m, &list), ==, 3 + 5);
	CHECK_STR(info_text(list, buf, sizeof(buf)),
		  "flag=|a=b=c|license=GPL|sig_id=X509|signer=Magrathea|sig_key=01:02:03|"
		  "sig_hashalgo=sha256|signature="
		  "41:42:43:44:45:46:47:48:49:4A:4B:4C:4D:4E:4F:50:51:52:53:54:\n\t\t"
		  "55:56:57:58:59");
	kmod_module_info_free_list(list);
	kmod_module_unref(m);
}

TEST(info_of_a_builtin_module_from_builtin_modinfo)
{
	static const char bmi[] = "other.license=MIT\0bi.license=GPL\0"
				  "bi.description=built in\0bi.alias=bi-alias\0"
				  "other.alias=x\0";
	struct kmod_module *m = by_name("bi");
	struct kmod_list *list = NULL;
	char buf[512], old[1024], moved[1100];

	CHECK_INT(kmod_module_get_info(m, &list), ==, 0);
	CHECK(list == NULL);
	fixture_write(tree.dir, "modules.builtin.modinfo", bmi, sizeof(bmi) - 1, "w");
	CHECK_INT(kmod_module_get_info(m, &list), ==, 3);
	CHECK_STR(info_text(list, buf, sizeof(buf)),
		  "license=GPL|description=built in|alias=bi-alias");
	kmod_module_info_free_list(list);
	list = NULL;
	/* A built-in module has no file: the other lists have nothing to read. */
	CHECK_INT(kmod_module_get_versions(m, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_symbols(m, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, -ENOENT);
	CHECK(list == NULL);
	/* Without modules.builtin.modinfo, the open's error. */
	snprintf(old, sizeof(old), "%s/modules.builtin.modinfo", tree.dir);
	snprintf(moved, sizeof(moved), "%s.moved", old);
	CHECK_INT(rename(old, moved), ==, 0);
	CHECK_INT(kmod_module_get_info(m, &list), ==, -ENOENT);
	CHECK(list == NULL);
	CHECK_INT(rename(moved, old), ==, 0);
	fixture_write(tree.dir, "modules.builtin.modinfo", "", 0, "w");
	kmod_module_unref(m);
}

TEST(versions_in_file_order)
{
	struct kmod_module *baz = by_name("baz"), *foo = by_name("foo");
	struct kmod_list *list = NULL;
	char buf[512];

	CHECK_INT(kmod_module_get_versions(baz, &list), ==, 2);
	CHECK_STR(versions_text(list, buf, sizeof(buf)), "foo_fn:1111 bar_fn:2222");
	kmod_module_versions_free_list(list);
	list = NULL;
	/* An empty __versions is no entries, no error. */
	CHECK_INT(kmod_module_get_versions(foo, &list), ==, 0);
	CHECK(list == NULL);
	kmod_module_unref(baz);
	kmod_module_unref(foo);
}

TEST(exports_with_their_crcs)
{
	struct kmod_module *bar = by_name("bar-drv"), *baz = by_name("baz");
	struct kmod_list *list = NULL;
	char buf[512];

	CHECK_INT(kmod_module_get_symbols(bar, &list), ==, 1);
	CHECK_STR(exports_text(list, buf, sizeof(buf)), "bar_fn:2222");
	kmod_module_symbols_free_list(list);
	list = NULL;
	/* An empty __ksymtab_strings and no __crc_ symbol: no entries, no error. */
	CHECK_INT(kmod_module_get_symbols(baz, &list), ==, 0);
	CHECK(list == NULL);
	kmod_module_unref(bar);
	kmod_module_unref(baz);
}

/*
 * Undefined symbols in symbol table order with their __versions CRC (0 without), weak
 * ones 'W' and the others 'U', then the __versions entries no symbol matched.
 */
TEST(dependency_symbols_with_crc_and_bind)
{
	struct kmod_module *m = by_path("extra/syms.ko"), *baz = by_name("baz");
	struct kmod_list *list = NULL;
	char buf[512];

	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, 4);
	CHECK_STR(deps_text(list, buf, sizeof(buf)),
		  "glob_fn:cccc:U weak_fn:bbbb:W nover_fn:0:U module_layout:aaaa:U");
	CHECK_INT(kmod_module_dependency_symbol_get_bind(list), ==, KMOD_SYMBOL_UNDEF);
	kmod_module_dependency_symbols_free_list(list);
	list = NULL;
	CHECK_INT(kmod_module_get_dependency_symbols(baz, &list), ==, 2);
	CHECK_STR(deps_text(list, buf, sizeof(buf)), "foo_fn:1111:U bar_fn:2222:U");
	kmod_module_dependency_symbols_free_list(list);
	kmod_module_unref(m);
	kmod_module_unref(baz);
}

/*
 * dracut-install reads a dependency-symbol list with kmod_module_symbol_get_symbol():
 * with kmod's layouts that is the bind byte and the name ("Uglob_fn"), which its
 * --mod-filter-nosymbol patterns are written for; a version list read with the
 * dependency getter loses the name's first letter, as in kmod. crc is first in both.
 */
TEST(symbol_getters_on_the_other_lists_read_kmods_bytes)
{
	struct kmod_module *m = by_path("extra/syms.ko");
	struct kmod_list *list = NULL, *l;

	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, 4);
	CHECK_STR(kmod_module_symbol_get_symbol(list), "Uglob_fn");
	CHECK_INT(kmod_module_symbol_get_crc(list), ==, 0xCCCC);
	CHECK_STR(kmod_module_version_get_symbol(list), "Uglob_fn");
	CHECK_STR(kmod_module_dependency_symbol_get_symbol(list), "glob_fn");
	CHECK_INT(kmod_module_version_get_crc(list), ==, 0xCCCC);
	l = kmod_list_next(list, list);
	CHECK_STR(kmod_module_symbol_get_symbol(l), "Wweak_fn");
	kmod_module_dependency_symbols_free_list(list);
	list = NULL;
	CHECK_INT(kmod_module_get_versions(m, &list), ==, 3);
	CHECK_STR(kmod_module_dependency_symbol_get_symbol(list), "odule_layout");
	CHECK_STR(kmod_module_version_get_symbol(list), "module_layout");
	CHECK_INT(kmod_module_dependency_symbol_get_crc(list), ==, 0xAAAA);
	/* free_lists are interchangeable too */
	kmod_module_symbols_free_list(list);
	kmod_module_unref(m);
}

TEST(missing_sections_are_enodata_as_in_kmod_34)
{
	struct kmod_module *m = by_path("extra/bare.ko");
	struct kmod_list *list = NULL;

	CHECK_INT(kmod_module_get_info(m, &list), ==, -ENODATA);
	CHECK_INT(kmod_module_get_versions(m, &list), ==, -ENODATA);
	CHECK_INT(kmod_module_get_symbols(m, &list), ==, -ENODATA);
	CHECK(list == NULL);
	/* Nothing undefined, no __versions: an empty list. */
	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, 0);
	CHECK(list == NULL);
	kmod_module_unref(m);

	m = by_path("extra/nosymtab.ko");
	CHECK_INT(kmod_module_get_info(m, &list), ==, 1);
	kmod_module_info_free_list(list);
	list = NULL;
	CHECK_INT(kmod_module_get_versions(m, &list), ==, 0);
	CHECK_INT(kmod_module_get_symbols(m, &list), ==, -ENODATA);
	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, -EINVAL);
	CHECK(list == NULL);
	kmod_module_unref(m);
}

TEST(errors)
{
	struct kmod_module *m = by_name("foo"), *none = by_name("nothing_at_all");
	struct kmod_list *list = NULL;

	CHECK_INT(kmod_module_get_info(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_info(m, NULL), ==, -ENOENT);
	CHECK_INT(kmod_module_get_versions(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_versions(m, NULL), ==, -ENOENT);
	CHECK_INT(kmod_module_get_symbols(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_symbols(m, NULL), ==, -ENOENT);
	CHECK_INT(kmod_module_get_dependency_symbols(NULL, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_dependency_symbols(m, NULL), ==, -ENOENT);
	/* A module with no file anywhere. */
	CHECK_INT(kmod_module_get_info(none, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_versions(none, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_symbols(none, &list), ==, -ENOENT);
	CHECK_INT(kmod_module_get_dependency_symbols(none, &list), ==, -ENOENT);
	CHECK(list == NULL);
	CHECK(kmod_module_info_get_key(NULL) == NULL);
	CHECK(kmod_module_info_get_value(NULL) == NULL);
	CHECK(kmod_module_version_get_symbol(NULL) == NULL);
	CHECK_INT(kmod_module_version_get_crc(NULL), ==, 0);
	CHECK(kmod_module_symbol_get_symbol(NULL) == NULL);
	CHECK_INT(kmod_module_symbol_get_crc(NULL), ==, 0);
	CHECK(kmod_module_dependency_symbol_get_symbol(NULL) == NULL);
	CHECK_INT(kmod_module_dependency_symbol_get_crc(NULL), ==, 0);
	CHECK_INT(kmod_module_dependency_symbol_get_bind(NULL), ==, 0);
	kmod_module_info_free_list(NULL);
	kmod_module_versions_free_list(NULL);
	kmod_module_symbols_free_list(NULL);
	kmod_module_dependency_symbols_free_list(NULL);
	kmod_module_unref(m);
	kmod_module_unref(none);
}

TEST(a_file_that_is_not_elf)
{
	struct kmod_module *m = by_path("extra/notelf.ko");
	struct kmod_list *list = NULL;

	CHECK_INT(kmod_module_get_info(m, &list), ==, -ENOEXEC);
	/* Asked again, the same answer: the file is kept, its image checked again. */
	CHECK_INT(kmod_module_get_versions(m, &list), ==, -ENOEXEC);
	CHECK_INT(kmod_module_get_symbols(m, &list), ==, -ENOEXEC);
	CHECK_INT(kmod_module_get_dependency_symbols(m, &list), ==, -ENOEXEC);
	CHECK(list == NULL);
	kmod_module_unref(m);
}

/*
 * The file is opened once and kept with the module, as kmod keeps it: removed after
 * the first call, it still answers. The lists are copies, valid after the module.
 */
TEST(file_kept_open_lists_outlive_the_module)
{
	static const struct fx_crc_sym needs[] = { { "foo_fn", 0x1111 } };
	static const char mi[] = "license=GPL\0description=gone";
	struct kmod_module *m;
	struct kmod_list *info = NULL, *vers = NULL;
	char buf[512];

	tree_module(tree.dir, "extra/gone.ko", "gone", mi, sizeof(mi), needs, 1, NULL, 0);
	m = by_path("extra/gone.ko");
	CHECK_INT(kmod_module_get_info(m, &info), ==, 2);
	CHECK_INT(unlink(path_of("extra/gone.ko")), ==, 0);
	CHECK_INT(kmod_module_get_versions(m, &vers), ==, 1);
	CHECK(kmod_module_unref(m) == NULL);
	CHECK_STR(info_text(info, buf, sizeof(buf)), "license=GPL|description=gone");
	CHECK_STR(versions_text(vers, buf, sizeof(buf)), "foo_fn:1111");
	kmod_module_info_free_list(info);
	kmod_module_versions_free_list(vers);
	/* A new module of that name finds no file. */
	CHECK_INT(kmod_module_new_from_path(ctx, path_of("extra/gone.ko"), &m), ==,
		  -ENOENT);
}

#if HAVE_XZ
TEST(a_compressed_file_reads_like_the_plain_one)
{
	static const char mi[] = "license=GPL\0description=packed";
	static const struct fx_crc_sym exps[] = { { "packed_fn", 0x4242 } };
	struct fx_module_spec spec = { .is64 = true, .machine = 62, .name = "packed" };
	struct kmod_module *m;
	struct kmod_list *list = NULL;
	struct fx_image img;
	uint8_t *xz;
	size_t len;
	char buf[512];

	spec.modinfo = mi;
	spec.modinfo_len = sizeof(mi);
	spec.exports = exps;
	spec.n_exports = 1;
	img = fx_module(&spec);
	xz = fx_xz(img.data, img.size, &len);
	CHECK(xz != NULL);
	if (!xz) {
		free(img.data);
		return;
	}
	fixture_write(tree.dir, "extra/packed.ko.xz", xz, len, "w");
	free(xz);
	free(img.data);
	m = by_path("extra/packed.ko.xz");
	CHECK_INT(kmod_module_get_info(m, &list), ==, 2);
	CHECK_STR(info_text(list, buf, sizeof(buf)), "license=GPL|description=packed");
	kmod_module_info_free_list(list);
	list = NULL;
	CHECK_INT(kmod_module_get_symbols(m, &list), ==, 1);
	CHECK_STR(exports_text(list, buf, sizeof(buf)), "packed_fn:4242");
	kmod_module_symbols_free_list(list);
	kmod_module_unref(m);
}
#endif

/*
 * kmod asserts that *list is NULL; lkm appends after what is there, and returns the
 * number it added.
 */
TEST(a_list_given_with_entries_is_appended_to)
{
	struct kmod_module *m = by_name("baz");
	struct kmod_list *list = NULL;
	char buf[512];

	CHECK_INT(kmod_module_get_versions(m, &list), ==, 2);
	CHECK_INT(kmod_module_get_versions(m, &list), ==, 2);
	CHECK_STR(versions_text(list, buf, sizeof(buf)),
		  "foo_fn:1111 bar_fn:2222 foo_fn:1111 bar_fn:2222");
	kmod_module_versions_free_list(list);
	kmod_module_unref(m);
}

int main(void)
{
	const char *paths[] = { NULL, NULL };
	static char root[512]; /* fixture_tmpdir() removes it at exit, after main */
	int r;

	fixture_tmpdir(root, sizeof(root), "libkmod-info");
	tree_make(&tree, root);
	info_fixtures(tree.dir);
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
