// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The depmod engine on small synthetic trees: tiny ELF modules built here (exports in
 * __ksymtab_strings, imports as undefined symbols), then modules.dep and friends read
 * back as text.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-internal.h"
#include "elf-fixture.h"
#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"

static char root[256];

/*
 * A UBSan report fails this program (the sanitizer otherwise prints it and goes on),
 * so the depmod_hash test below fails on the shift it guards against.
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

static void put_file(const char *rel, const void *data, size_t len)
{
	fixture_write(root, rel, data, len, "w");
}

static void put_text(const char *rel, const char *text)
{
	put_file(rel, text, strlen(text));
}

/* A module exporting the names in @exports and needing those in @imports ("a b c"). */
static void put_module(const char *rel, const char *exports, const char *imports,
		       const char *alias)
{
	char ksym[512] = "", strtab[512] = "", modinfo[512] = "", imp[256], *tok, *save;
	uint8_t symtab[24 * 16] = { 0 };
	size_t ksl = 0, stl = 1, mil = 0, nsym = 1;
	struct fx_section secs[4];
	struct fx_image img;

	snprintf(imp, sizeof(imp), "%s", exports);
	for (tok = strtok_r(imp, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		strcpy(ksym + ksl, tok);
		ksl += strlen(tok) + 1;
	}
	snprintf(imp, sizeof(imp), "%s", imports);
	for (tok = strtok_r(imp, " ", &save); tok && nsym < 16; tok = strtok_r(NULL, " ", &save)) {
		uint8_t *s = symtab + 24 * nsym++;

		fx_store(s, false, 4, stl);
		s[4] = 0x10; /* STB_GLOBAL, STT_NOTYPE; st_shndx 0 = undefined */
		strcpy(strtab + stl, tok);
		stl += strlen(tok) + 1;
	}
	mil = (size_t)snprintf(modinfo, sizeof(modinfo), "license=GPL") + 1;
	if (alias)
		mil += (size_t)snprintf(modinfo + mil, sizeof(modinfo) - mil, "alias=%s", alias) + 1;
	secs[0] = (struct fx_section){ ".modinfo", 1, modinfo, mil };
	secs[1] = (struct fx_section){ "__ksymtab_strings", 1, ksym, ksl ? ksl : 1 };
	secs[2] = (struct fx_section){ ".symtab", 2, symtab, 24 * nsym, 4, 24 };
	secs[3] = (struct fx_section){ ".strtab", 3, strtab, stl };
	img = fx_build(true, false, 1, 62, secs, 4, false);
	put_file(rel, img.data, img.size);
	free(img.data);
}

static char logbuf[1 << 16]; /* a 300-module cycle is one 11 kB line */

static void log_fn(void *data, enum lkm_depmod_level level, const char *msg)
{
	size_t l = strlen(logbuf);

	(void)data;
	if (level != LKM_DEPMOD_INFO)
		snprintf(logbuf + l, sizeof(logbuf) - l, "%s\n", msg);
}

static void new_tree(const char *name)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/lkm-test-depmod.%d/%s", (int)getpid(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root, root);
	CHECK(system(cmd) == 0);
	logbuf[0] = '\0';
}

/* Run the engine on the tree; returns its result. */
static int depmod(const char *const *config)
{
	struct lkm_depmod_options o = { .dirname = root, .kver = "6.1.0", .log = log_fn,
					.config_paths = config };
	const char *none[] = { "/nonexistent", NULL };
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	int r;

	if (!config)
		o.config_paths = none;
	r = lkm_depmod_new(&o, &d, &err);
	if (r < 0)
		return r;
	r = lkm_depmod_build(d, &err);
	if (r == 0)
		r = lkm_depmod_write(d, -1, &err);
	lkm_depmod_free(d);
	return r;
}

static char *slurp(const char *rel)
{
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lkm_read_file(path, 1 << 20, &text, &len) < 0)
		return NULL;
	return text;
}

static void check_file(const char *rel, const char *want)
{
	char *got = slurp(rel);

	CHECK_STR(got, want);
	free(got);
}

TEST(dependency_chain_lists_every_dependency_in_load_order)
{
	new_tree("chain");
	put_module("kernel/a.ko", "a_fn", "b_fn", NULL);
	put_module("kernel/b.ko", "b_fn", "c_fn", NULL);
	put_module("kernel/c.ko", "c_fn", "", "pci:v0000*");
	put_text("modules.order", "kernel/a.ko\nkernel/b.ko\nkernel/c.ko\n");
	CHECK_INT(depmod(NULL), ==, 0);
	check_file("modules.dep", "kernel/a.ko: kernel/b.ko kernel/c.ko\n"
				  "kernel/b.ko: kernel/c.ko\nkernel/c.ko:\n");
	check_file("modules.alias",
		   "# Aliases extracted from modules themselves.\nalias pci:v0000* c\n");
	check_file("modules.weakdep", "# Weak dependencies extracted from modules themselves.\n");
	CHECK(strstr(logbuf, "could not open modules.builtin at ") != NULL);
	CHECK(strstr(logbuf, "needs") == NULL);
}

TEST(cycle_is_reported_whole_and_fails)
{
	new_tree("cycle");
	put_module("kernel/a.ko", "a_fn", "b_fn", NULL);
	put_module("kernel/b.ko", "b_fn", "c_fn", NULL);
	put_module("kernel/c.ko", "c_fn", "a_fn", NULL);
	put_module("kernel/d.ko", "d_fn", "a_fn", NULL);
	put_text("modules.order", "kernel/d.ko\nkernel/a.ko\nkernel/b.ko\nkernel/c.ko\n");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: a -> b -> c -> a\n"
			  "Found 3 modules in dependency cycles!\n");
	CHECK(slurp("modules.dep") == NULL);
}

/*
 * A tree from "a:b,c b:a c:": module kernel/a.ko exporting a_fn and needing b_fn then
 * c_fn, and so on; then modules.order listing @order ("b a c") if not NULL.
 */
static void put_graph(const char *graph, const char *order)
{
	char spec[1024], list[1024], rel[128], exp[64], imp[512], *tok, *save, *dep, *save2;
	size_t n = 0;

	snprintf(spec, sizeof(spec), "%s", graph);
	for (tok = strtok_r(spec, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *deps = strchr(tok, ':');
		size_t il = 0;

		*deps++ = '\0';
		imp[0] = '\0';
		for (dep = strtok_r(deps, ",", &save2); dep; dep = strtok_r(NULL, ",", &save2))
			il += (size_t)snprintf(imp + il, sizeof(imp) - il, "%s%s_fn", il ? " " : "",
					       dep);
		snprintf(rel, sizeof(rel), "kernel/%s.ko", tok);
		snprintf(exp, sizeof(exp), "%s_fn", tok);
		put_module(rel, exp, imp, NULL);
	}
	if (!order)
		return;
	snprintf(spec, sizeof(spec), "%s", order);
	list[0] = '\0';
	for (tok = strtok_r(spec, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		n += (size_t)snprintf(list + n, sizeof(list) - n, "kernel/%s.ko\n", tok);
	put_text("modules.order", list);
}

/* kmod 30 gives these same lines on the same trees (tests/tools/test-depmod-cycles.sh). */
TEST(two_separate_cycles_are_named_in_kmods_ring_order)
{
	new_tree("two-cycles");
	put_graph("a:b b:a p:q q:p", "a p b q");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	/* Taking b off kmod's ring of roots makes q, after b, the next walk's start. */
	CHECK_STR(logbuf, "Cycle detected: a -> b -> a\n"
			  "Cycle detected: q -> p -> q\n"
			  "Found 4 modules in dependency cycles!\n");
	CHECK(slurp("modules.dep") == NULL);
}

TEST(two_cycles_sharing_a_module_walked_from_it)
{
	new_tree("shared");
	put_graph("a:b b:a,c c:b", "b a c");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	/* The last dependency first: b needs a_fn then c_fn. */
	CHECK_STR(logbuf, "Cycle detected: b -> c -> b\n"
			  "Cycle detected: b -> a -> b\n"
			  "Found 3 modules in dependency cycles!\n");
}

TEST(two_cycles_sharing_two_modules_every_path_is_named)
{
	new_tree("diamond");
	put_graph("a:b,c b:d c:d d:a", "a b c d");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: a -> c -> d -> a\n"
			  "Cycle detected: a -> b -> d -> a\n"
			  "Found 4 modules in dependency cycles!\n");
	/* A chord: both ways back to a, the shorter first. */
	new_tree("chord");
	put_graph("a:b,c b:c c:a", "a b c");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: a -> c -> a\n"
			  "Cycle detected: a -> b -> c -> a\n"
			  "Found 3 modules in dependency cycles!\n");
}

/*
 * Walked from a, kmod never ends (it goes round b -> c -> b, here until its stack's
 * assertion kills it; with c before a in b, naming ever longer "cycles"). lkm names
 * each cycle once instead, each walk following a module once.
 */
TEST(two_cycles_sharing_a_module_walked_from_another)
{
	new_tree("shared-other");
	put_graph("a:b b:a,c c:b", "a b c");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: a -> b -> a\n"
			  "Cycle detected: c -> b -> c\n"
			  "Found 3 modules in dependency cycles!\n");
	new_tree("shared-other2");
	put_graph("a:b b:c,a c:b", "a b c");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: a -> b -> a\n"
			  "Cycle detected: c -> b -> c\n"
			  "Found 3 modules in dependency cycles!\n");
	/* The diamond entered below its top: each module of it in a line. */
	new_tree("diamond-below");
	put_graph("a:b,c b:d c:d d:a", "c b a d");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: c -> d -> a -> c\n"
			  "Cycle detected: b -> d -> a -> b\n"
			  "Found 4 modules in dependency cycles!\n");
}

/*
 * kmod's stack holds as many entries as there are roots (5), this walk needs more: kmod
 * dies on its assertion. lkm names what kmod's walk would, every path back to r.
 */
TEST(a_walk_kmods_stack_cannot_hold_is_named_whole)
{
	new_tree("fan-out");
	put_graph("r:m4,m3,m2,m1 m1:m4,m3,m2 m2:m4,m3 m3:m4 m4:r", "r m1 m2 m3 m4");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: r -> m1 -> m2 -> m3 -> m4 -> r\n"
			  "Cycle detected: r -> m1 -> m2 -> m4 -> r\n"
			  "Cycle detected: r -> m1 -> m3 -> m4 -> r\n"
			  "Cycle detected: r -> m1 -> m4 -> r\n"
			  "Cycle detected: r -> m2 -> m3 -> m4 -> r\n"
			  "Cycle detected: r -> m2 -> m4 -> r\n"
			  "Cycle detected: r -> m3 -> m4 -> r\n"
			  "Cycle detected: r -> m4 -> r\n"
			  "Found 5 modules in dependency cycles!\n");
}

TEST(modules_around_a_cycle_are_not_counted)
{
	new_tree("around");
	/* q and p need the cycle, x and y are needed by it. */
	put_graph("q:p p:a a:b b:c c:a,x x:y y:", "q p a b c x y");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	/* kmod names x alone: a walk went through it and it has a dependency left. */
	CHECK_STR(logbuf, "Cycle detected: a -> b -> c -> a\n"
			  "Cycle detected: x\n"
			  "Found 3 modules in dependency cycles!\n");
	CHECK(slurp("modules.dep") == NULL);
	new_tree("self");
	put_graph("s:s t:s", "t s");
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, "Cycle detected: s -> s\nFound 1 modules in dependency cycles!\n");
}

/* 300 modules in one cycle: one line of 11 kB, whole, from the first in modules.order. */
TEST(long_cycle_is_named_whole)
{
	static char want[1 << 15], order[1 << 15];
	size_t wl, ol = 0;
	int i;

	new_tree("long");
	for (i = 0; i < 300; i++) {
		char rel[96], exp[64], imp[64];

		snprintf(rel, sizeof(rel), "kernel/cycle_member_with_a_long_name_%03d.ko", i);
		snprintf(exp, sizeof(exp), "fn_%03d", i);
		snprintf(imp, sizeof(imp), "fn_%03d", (i + 1) % 300);
		put_module(rel, exp, imp, NULL);
		ol += (size_t)snprintf(order + ol, sizeof(order) - ol,
				       "kernel/cycle_member_with_a_long_name_%03d.ko\n",
				       (i + 150) % 300);
	}
	put_text("modules.order", order);
	wl = (size_t)snprintf(want, sizeof(want), "Cycle detected: ");
	for (i = 0; i <= 300; i++)
		wl += (size_t)snprintf(want + wl, sizeof(want) - wl,
				       "cycle_member_with_a_long_name_%03d%s", (i + 150) % 300,
				       i < 300 ? " -> " : "\n");
	snprintf(want + wl, sizeof(want) - wl, "Found 300 modules in dependency cycles!\n");
	CHECK_INT(wl, >, 8192);
	CHECK_INT(depmod(NULL), ==, -ELOOP);
	CHECK_STR(logbuf, want);
}

TEST(modules_missing_from_modules_order_come_last)
{
	new_tree("order");
	put_module("kernel/x.ko", "", "", NULL);
	put_module("kernel/y.ko", "", "", NULL);
	put_module("kernel/z.ko", "", "", NULL);
	put_text("modules.order", "kernel/z.ko\nkernel/x.ko\n");
	CHECK_INT(depmod(NULL), ==, 0);
	check_file("modules.dep", "kernel/z.ko:\nkernel/x.ko:\nkernel/y.ko:\n");
}

TEST(updates_wins_over_kernel_by_default)
{
	new_tree("updates");
	put_module("kernel/m.ko", "", "", NULL);
	put_module("updates/m.ko", "", "", NULL);
	put_module("extra/n.ko", "", "", NULL);
	CHECK_INT(depmod(NULL), ==, 0);
	/* No modules.order: kmod's hash order, checked against kmod 30. */
	check_file("modules.dep", "extra/n.ko:\nupdates/m.ko:\n");
}

TEST(depmod_d_search_order_picks_the_module)
{
	char conf[300];
	const char *paths[] = { conf, NULL };

	new_tree("search");
	put_module("kernel/m.ko", "", "", NULL);
	put_module("updates/m.ko", "", "", NULL);
	put_module("extra/m.ko", "", "", NULL);
	put_text("conf/depmod.conf", "search extra updates built-in\n");
	snprintf(conf, sizeof(conf), "%s/conf/depmod.conf", root);
	CHECK_INT(depmod(paths), ==, 0);
	check_file("modules.dep", "extra/m.ko:\n");
	put_text("conf/depmod.conf", "search built-in extra\n");
	CHECK_INT(depmod(paths), ==, 0);
	check_file("modules.dep", "kernel/m.ko:\n");
}

TEST(failed_write_leaves_old_indexes_and_no_temporary_files)
{
	char path[600];
	DIR *dir;
	struct dirent *de;
	int tmp = 0;

	new_tree("atomic");
	put_module("kernel/a.ko", "a_fn", "", NULL);
	put_text("modules.dep", "old\n");
	/* A directory where a temporary file must go makes the third file fail. */
	snprintf(path, sizeof(path), "%s/.modules.alias.lkm-tmp.%d", root, (int)getpid());
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/.modules.alias.lkm-tmp.%d/x", root, (int)getpid());
	put_text(path + strlen(root) + 1, "x");
	CHECK(depmod(NULL) < 0);
	check_file("modules.dep", "old\n");
	dir = opendir(root);
	while (dir && (de = readdir(dir)))
		tmp += strstr(de->d_name, "lkm-tmp") && !strstr(de->d_name, "alias");
	if (dir)
		closedir(dir);
	CHECK_INT(tmp, ==, 0);
}

TEST(output_does_not_depend_on_thread_count)
{
	struct lkm_depmod_options o = { .log = log_fn };
	const char *none[] = { "/nonexistent", NULL };
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	char *one = NULL, *many;
	unsigned t;
	int i;

	new_tree("threads");
	for (i = 0; i < 40; i++) {
		char rel[64], exp[32], imp[64];

		snprintf(rel, sizeof(rel), "kernel/d%d/m%d.ko", i % 3, i);
		snprintf(exp, sizeof(exp), "f%d", i);
		snprintf(imp, sizeof(imp), "f%d f%d", (i * 7 + 3) % (i ? i : 1), i / 2);
		put_module(rel, exp, i ? imp : "", NULL);
	}
	o.dirname = root;
	o.config_paths = none;
	for (t = 1; t <= 4; t += 3) {
		o.threads = t;
		CHECK_INT(lkm_depmod_new(&o, &d, &err), ==, 0);
		CHECK_INT(lkm_depmod_build(d, &err), ==, 0);
		CHECK_INT(lkm_depmod_write(d, -1, &err), ==, 0);
		lkm_depmod_free(d);
		if (t == 1)
			one = slurp("modules.dep");
	}
	many = slurp("modules.dep");
	CHECK(one && many && strcmp(one, many) == 0);
	free(one);
	free(many);
}

/*
 * depmod_hash is kmod's hash_superfast, which orders modules.dep's equal ranks: the
 * values are kmod's on x86 (char signed), from an independent implementation. A key
 * of length 3 mod 4 whose last byte is >= 0x80 used to left-shift a negative value
 * (undefined behaviour that UBSan reports; the fuzzer found it through a cache path).
 */
TEST(depmod_hash_matches_kmod_for_high_bytes)
{
	CHECK_INT(depmod_hash("ab\xe9"), ==, 0xb4dfd4b5u);
	CHECK_INT(depmod_hash("\xff\xff\xff"), ==, 0xcd1ca2a0u);
	CHECK_INT(depmod_hash("/lib/modules/6.1.0-fuzz/\xe9t\xe9.ko\xff"), ==, 0xdbefeeeeu);
	CHECK_INT(depmod_hash("abc"), ==, 0xd2be198au);
	CHECK_INT(depmod_hash("snd\xe9t\xe9"), ==, 0xbf8853eau);
	CHECK_INT(depmod_hash("ext4"), ==, 0xe679ab16u);
}

/*
 * depmod -w names an alias a module declares twice, and both copies stay in
 * modules.alias.bin as kmod's depmod keeps them: the builder stores a duplicate and
 * returns 0, and depmod asks it first whether the pair is there.
 */
TEST(warn_dups_names_an_alias_declared_twice_and_keeps_both)
{
	static const char modinfo[] = "license=GPL\0alias=dup-twice\0alias=dup-twice";
	static const uint8_t symtab[24];
	const char *none[] = { "/nonexistent", NULL };
	struct fx_section secs[] = {
		{ ".modinfo", 1, modinfo, sizeof(modinfo) },
		{ "__ksymtab_strings", 1, "", 1 },
		{ ".symtab", 2, symtab, sizeof(symtab), 4, 24 },
		{ ".strtab", 3, "", 1 },
	};
	struct lkm_depmod_options o = { .kver = "6.1.0", .log = log_fn,
					.config_paths = none, .warn_dups = true };
	struct lkm_index_value *v = NULL;
	struct lkm_index *idx = NULL;
	struct lkm_err err = { 0 };
	struct lkm_depmod *d = NULL;
	struct fx_image img;
	char path[512];

	new_tree("warn-dups");
	img = fx_build(true, false, 1, 62, secs, 4, false);
	put_file("kernel/m.ko", img.data, img.size);
	free(img.data);
	o.dirname = root;
	CHECK_INT(lkm_depmod_new(&o, &d, &err), ==, 0);
	if (!d)
		return;
	CHECK_INT(lkm_depmod_build(d, &err), ==, 0);
	CHECK_INT(lkm_depmod_write(d, -1, &err), ==, 0);
	lkm_depmod_free(d);
	CHECK(strstr(logbuf, "duplicate module alias:\ndup_twice m\n") != NULL);
	snprintf(path, sizeof(path), "%s/modules.alias.bin", root);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	if (!idx)
		return;
	CHECK_INT(lkm_index_lookup(idx, "dup_twice", &v), ==, 2);
	lkm_index_values_free(v);
	lkm_index_close(idx);
}

/* Last: remove the trees (tests run in the order they are defined). */
TEST(zz_cleanup)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf /tmp/lkm-test-depmod.%d", (int)getpid());
	CHECK(system(cmd) == 0);
}

TEST_MAIN()
