// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kernel.c against fixture trees built here in a temporary directory, and against
 * fake syscalls that record what they were asked to do.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"

/* ---------------------------------------------------------------- fixtures */

static char root[64];

static void mkdirs(const char *rel)
{
	fixture_mkdirs(root, rel);
}

static void put_bytes(const char *rel, const void *data, size_t size)
{
	fixture_write(root, rel, data, size, "w");
}

static void put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text));
}

static const char *at(const char *rel)
{
	static char bufs[4][512];
	static int n;
	char *b = bufs[n++ % 4];

	snprintf(b, 512, "%s/%s", root, rel);
	return b;
}

static void new_root(void)
{
	char cmd[128];

	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			exit(2);
	}
	snprintf(root, sizeof(root), "/tmp/lkm-test-kernel-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(2);
	}
}

/* ---------------------------------------------------------------- fake syscalls */

static struct {
	int finit_calls, init_calls, delete_calls;
	ino_t finit_ino;
	int finit_flags;
	char params[256];
	uint8_t *image;
	size_t image_size;
	char name[64];
	unsigned delete_flags;
	int finit_errno, init_errno, delete_errno; /* what to fail with, 0 = succeed */
	bool return_negative_errno;                /* return -E instead of -1 + errno */
} rec;

static long fail_with(int e)
{
	if (!e)
		return 0;
	if (rec.return_negative_errno)
		return -e;
	errno = e;
	return -1;
}

static long fake_finit(int fd, const char *params, int flags)
{
	struct stat st;

	rec.finit_calls++;
	rec.finit_ino = fstat(fd, &st) == 0 ? st.st_ino : 0;
	rec.finit_flags = flags;
	snprintf(rec.params, sizeof(rec.params), "%s", params);
	return fail_with(rec.finit_errno);
}

static long fake_init(const void *image, unsigned long len, const char *params)
{
	rec.init_calls++;
	free(rec.image);
	rec.image = malloc(len ? len : 1);
	memcpy(rec.image, image, len);
	rec.image_size = len;
	snprintf(rec.params, sizeof(rec.params), "%s", params);
	return fail_with(rec.init_errno);
}

static long fake_delete(const char *name, unsigned int flags)
{
	rec.delete_calls++;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	rec.delete_flags = flags;
	return fail_with(rec.delete_errno);
}

static const struct lkm_syscalls fakes = {
	.finit_module = fake_finit,
	.init_module = fake_init,
	.delete_module = fake_delete,
};

static struct lkm_ctx *fixture_ctx(void)
{
	struct lkm_ctx_config cfg = {
		.kver = "6.1.0-test",
		.proc = at("proc"),
		.sys = at("sys"),
		.syscalls = &fakes,
	};
	struct lkm_ctx *ctx = NULL;

	free(rec.image);
	memset(&rec, 0, sizeof(rec));
	mkdirs("proc");
	mkdirs("sys/module");
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		exit(2);
	return ctx;
}

static ino_t inode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* ---------------------------------------------------------------- /proc/modules */

static const char proc_modules[] =
	"vfat 24576 1 - Live 0xffffffffc0a52000\n"
	"fat 86016 2 vfat,msdos, Live 0xffffffffc0a1b000\n"
	"msdos 20480 0 - Live 0x0000000000000000\n"
	"nvidia 56860672 12 nvidia_modeset,[permanent], Live 0xffffffffc1000000 (POE)\n"
	"loader 16384 0 - Loading 0xffffffffc0c00000\n"
	"leaving 16384 -1 - Unloading 0xffffffffc0d00000\n"
	"nounload 16384 - - Live 0xffffffffc0e00000\n"
	"forced 16384 0 [unsafe], Live 0xffffffffc0f00000 (F)\n"
	"\n"
	"garbage\n"                                   /* line 10: too few fields */
	"badsize 12a 0 - Live 0x0\n"                  /* size not a number */
	"badstate 1 0 - Dead 0x0\n"                   /* unknown state */
	"extra 1 0 - Live 0x0 (E) more\n"             /* too many fields */
	"badaddr 1 0 - Live ffff\n"                   /* address without 0x */
	"badtaint 1 0 - Live 0x0 OE\n"                /* taints without () */
	"last 4096 0 - Live 0x0";                     /* no final newline */

TEST(proc_modules_fields_users_and_states)
{
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;
	const struct lkm_loaded *m;

	new_root();
	ctx = fixture_ctx();
	put("proc/modules", proc_modules);
	CHECK_INT(lkm_kernel_get_loaded(ctx, &l, NULL), ==, 0);
	CHECK_INT(l->count, ==, 9);
	CHECK_INT(l->skipped, ==, 6);
	CHECK_INT(l->first_bad_line, ==, 10);
	CHECK_STR(l->mods[0].name, "vfat");
	CHECK_INT(l->mods[0].size, ==, 24576);
	CHECK_INT(l->mods[0].refcount, ==, 1);
	CHECK_INT(l->mods[0].n_used_by, ==, 0);
	CHECK_INT(l->mods[0].address, ==, 0xffffffffc0a52000ull);

	m = lkm_loaded_list_find(l, "fat");
	CHECK(m && m->n_used_by == 2);
	if (m && m->n_used_by == 2) {
		CHECK_STR(m->used_by[0], "vfat");
		CHECK_STR(m->used_by[1], "msdos");
	}
	m = lkm_loaded_list_find(l, "nvidia");
	CHECK(m && m->permanent && m->n_used_by == 1 && m->taints);
	if (m && m->taints) {
		CHECK_STR(m->used_by[0], "nvidia_modeset");
		CHECK_STR(m->taints, "POE");
		CHECK_INT(m->size, ==, 56860672);
	}
	m = lkm_loaded_list_find(l, "loader");
	CHECK(m && m->state == LKM_LOADED_LOADING);
	m = lkm_loaded_list_find(l, "leaving");
	CHECK(m && m->state == LKM_LOADED_UNLOADING && m->refcount == -1 && m->has_refcount);
	m = lkm_loaded_list_find(l, "nounload");
	CHECK(m && !m->has_refcount && m->n_used_by == 0);
	m = lkm_loaded_list_find(l, "forced");
	CHECK(m && m->unsafe && !m->permanent && m->n_used_by == 0);
	CHECK(lkm_loaded_list_find(l, "last") != NULL);
	CHECK(lkm_loaded_list_find(l, "garbage") == NULL);
	CHECK(lkm_loaded_list_find(l, "badsize") == NULL);
	CHECK(lkm_loaded_list_find(l, "extra") == NULL);
	CHECK_STR(lkm_loaded_state_name(LKM_LOADED_UNLOADING), "Unloading");
	lkm_loaded_list_free(l);
	lkm_ctx_unref(ctx);
}

TEST(proc_modules_find_treats_dash_as_underscore)
{
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;

	new_root();
	ctx = fixture_ctx();
	put("proc/modules", "snd_hda_intel 61440 3 - Live 0x0\n");
	CHECK_INT(lkm_kernel_get_loaded(ctx, &l, NULL), ==, 0);
	CHECK(lkm_loaded_list_find(l, "snd-hda-intel") != NULL);
	CHECK(lkm_loaded_list_find(l, "snd-hda") == NULL);
	lkm_loaded_list_free(l);
	lkm_ctx_unref(ctx);
}

TEST(proc_modules_missing_or_empty)
{
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;

	new_root();
	ctx = fixture_ctx();
	CHECK_INT(lkm_kernel_get_loaded(ctx, &l, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "proc/modules") != NULL);
	put("proc/modules", "");
	CHECK_INT(lkm_kernel_get_loaded(ctx, &l, NULL), ==, 0);
	CHECK_INT(l->count, ==, 0);
	CHECK_INT(l->skipped, ==, 0);
	lkm_loaded_list_free(l);
	lkm_ctx_unref(ctx);
}

TEST(proc_modules_many_users_and_long_lines)
{
	struct lkm_buf b = { 0 };
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;
	int i;

	new_root();
	ctx = fixture_ctx();
	CHECK_INT(lkm_buf_puts(&b, "base 4096 300 "), ==, 0);
	for (i = 0; i < 300; i++)
		CHECK_INT(lkm_buf_printf(&b, "user%d,", i), ==, 0);
	CHECK_INT(lkm_buf_puts(&b, " Live 0x0\nnext 1 0 - Live 0x0\n"), ==, 0);
	put("proc/modules", b.data);
	CHECK_INT(lkm_kernel_get_loaded(ctx, &l, NULL), ==, 0);
	CHECK_INT(l->count, ==, 2);
	if (l->count == 2) {
		CHECK_INT(l->mods[0].n_used_by, ==, 300);
		CHECK_STR(l->mods[0].used_by[299], "user299");
		CHECK_STR(l->mods[1].name, "next");
	}
	lkm_loaded_list_free(l);
	lkm_buf_free(&b);
	lkm_ctx_unref(ctx);
}

/*
 * A NUL byte in /proc/modules used to end the parse there: every module after it was
 * dropped without a word. Now the line holding it is junk like any other (skipped and
 * counted, so lsmod warns with its line number) and the lines after it are read.
 */
static void put_bytes_and_load(struct lkm_ctx *ctx, const char *text, size_t len,
			       struct lkm_loaded_list **lp)
{
	struct lkm_loaded_list *mem, *l;

	put_bytes("proc/modules", text, len);
	CHECK_INT(lkm_kernel_get_loaded(ctx, lp, NULL), ==, 0);
	/* The in-memory parse (the fuzz target's entry) agrees with the file's. */
	CHECK_INT(lkm_kernel_parse_loaded(text, len, &mem), ==, 0);
	l = *lp;
	if (!mem || !l)
		abort();
	CHECK_INT(mem->count, ==, l->count);
	CHECK_INT(mem->skipped, ==, l->skipped);
	CHECK_INT(mem->first_bad_line, ==, l->first_bad_line);
	lkm_loaded_list_free(mem);
}

TEST(proc_modules_nul_byte_skips_its_line_only)
{
	static const char text[] = "fat 86016 2 vfat,msdos, Live 0x0\n"
				   "bad 1 0 -\0 Live 0x0\n"
				   "vfat 24576 1 - Live 0x0\n"
				   "msdos 20480 0 - Live 0x0";
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;

	new_root();
	ctx = fixture_ctx();
	put_bytes_and_load(ctx, text, sizeof(text) - 1, &l);
	CHECK_INT(l->count, ==, 3);
	CHECK_INT(l->skipped, ==, 1);
	CHECK_INT(l->first_bad_line, ==, 2);
	CHECK(lkm_loaded_list_find(l, "bad") == NULL);
	CHECK(lkm_loaded_list_find(l, "vfat") != NULL);
	CHECK(lkm_loaded_list_find(l, "msdos") != NULL);
	if (l->count == 3) {
		CHECK_INT(l->mods[0].n_used_by, ==, 2);
		CHECK_STR(l->mods[0].used_by[1], "msdos");
	}
	lkm_loaded_list_free(l);
	lkm_ctx_unref(ctx);
}

TEST(proc_modules_starting_with_nul)
{
	static const char nul_line[] = "\0\nfat 86016 0 - Live 0x0\nvfat 24576 0 - Live 0x0\n";
	static const char nul_glued[] = "\0fat 86016 0 - Live 0x0\nvfat 24576 0 - Live 0x0\n";
	static const char only_nuls[] = "\0\0\0";
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;

	new_root();
	ctx = fixture_ctx();
	put_bytes_and_load(ctx, nul_line, sizeof(nul_line) - 1, &l);
	CHECK_INT(l->count, ==, 2);
	CHECK_INT(l->skipped, ==, 1);
	CHECK_INT(l->first_bad_line, ==, 1);
	lkm_loaded_list_free(l);
	/* The NUL is on fat's line: that line is junk, vfat's is not. */
	put_bytes_and_load(ctx, nul_glued, sizeof(nul_glued) - 1, &l);
	CHECK_INT(l->count, ==, 1);
	CHECK_INT(l->skipped, ==, 1);
	CHECK_INT(l->first_bad_line, ==, 1);
	CHECK(l->count == 1 && strcmp(l->mods[0].name, "vfat") == 0);
	lkm_loaded_list_free(l);
	put_bytes_and_load(ctx, only_nuls, sizeof(only_nuls) - 1, &l);
	CHECK_INT(l->count, ==, 0);
	CHECK_INT(l->skipped, ==, 1);
	lkm_loaded_list_free(l);
	lkm_ctx_unref(ctx);
}

/*
 * A 100 KB line: as junk it is one skipped line; as a module with 15,000 users it is
 * read whole. A million empty and junk lines give no module and cost no array sized
 * by the line count (the arrays grow with the lines that parse).
 */
TEST(proc_modules_100k_line_and_a_million_lines)
{
	struct lkm_buf b = { 0 };
	struct lkm_ctx *ctx;
	struct lkm_loaded_list *l = NULL;
	size_t i;

	new_root();
	ctx = fixture_ctx();
	for (i = 0; i < 100 * 1024; i++)
		CHECK_INT(lkm_buf_append(&b, "x", 1), ==, 0);
	CHECK_INT(lkm_buf_puts(&b, " 1 0 - Live 0x0\nafter 1 0 - Live 0x0\n"), ==, 0);
	put_bytes_and_load(ctx, b.data, b.len, &l);
	CHECK_INT(l->count, ==, 1);
	CHECK_INT(l->skipped, ==, 1);
	CHECK_INT(l->first_bad_line, ==, 1);
	CHECK(l->count == 1 && strcmp(l->mods[0].name, "after") == 0);
	lkm_loaded_list_free(l);

	b.len = 0;
	CHECK_INT(lkm_buf_puts(&b, "big 4096 15000 "), ==, 0);
	for (i = 0; i < 15000; i++)
		CHECK_INT(lkm_buf_printf(&b, "u%05zu,", i), ==, 0);
	CHECK_INT(lkm_buf_puts(&b, " Live 0x0\nafter 1 0 a,b, Live 0x0\n"), ==, 0);
	CHECK(b.len > 100 * 1024);
	put_bytes_and_load(ctx, b.data, b.len, &l);
	CHECK_INT(l->count, ==, 2);
	CHECK_INT(l->skipped, ==, 0);
	if (l->count == 2) {
		CHECK_INT(l->mods[0].n_used_by, ==, 15000);
		CHECK_STR(l->mods[0].used_by[14999], "u14999");
		CHECK_INT(l->mods[1].n_used_by, ==, 2);
		CHECK_STR(l->mods[1].used_by[0], "a");
	}
	lkm_loaded_list_free(l);

	b.len = 0;
	for (i = 0; i < 1000000; i++)
		CHECK_INT(lkm_buf_puts(&b, i % 2 ? "\n" : "j\n"), ==, 0);
	put_bytes_and_load(ctx, b.data, b.len, &l);
	CHECK_INT(l->count, ==, 0);
	CHECK_INT(l->skipped, ==, 500000);
	CHECK_INT(l->first_bad_line, ==, 1);
	lkm_loaded_list_free(l);
	lkm_buf_free(&b);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- /sys/module */

TEST(sys_initstate_and_builtin)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put("sys/module/fat/initstate", "live\n");
	put("sys/module/loader/initstate", "coming\n");
	put("sys/module/leaving/initstate", "going\n");
	put("sys/module/odd/initstate", "sleeping\n");
	put("sys/module/printk/parameters/time", "Y\n");
	CHECK_INT(lkm_kernel_get_initstate(ctx, "fat"), ==, LKM_INITSTATE_LIVE);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "loader"), ==, LKM_INITSTATE_COMING);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "leaving"), ==, LKM_INITSTATE_GOING);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "printk"), ==, LKM_INITSTATE_BUILTIN);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "odd"), ==, -EINVAL);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "absent"), ==, -ENOENT);
	CHECK_INT(lkm_kernel_get_initstate(ctx, "../module"), ==, -EINVAL);
	CHECK_INT(lkm_kernel_get_initstate(ctx, ".."), ==, -EINVAL);
	CHECK_INT(lkm_kernel_get_initstate(ctx, ""), ==, -EINVAL);
	CHECK_STR(lkm_initstate_name(LKM_INITSTATE_BUILTIN), "builtin");
	CHECK_STR(lkm_initstate_name(LKM_INITSTATE_GOING), "going");
	CHECK(lkm_initstate_name(0) == NULL);
	lkm_ctx_unref(ctx);
}

TEST(sys_refcnt_coresize)
{
	struct lkm_ctx *ctx;
	unsigned long size = 0;
	int refcnt = 7;

	new_root();
	ctx = fixture_ctx();
	put("sys/module/fat/refcnt", "2\n");
	put("sys/module/fat/coresize", "86016\n");
	put("sys/module/bad/refcnt", "two\n");
	put("sys/module/going/refcnt", "-1\n");
	CHECK_INT(lkm_kernel_get_refcnt(ctx, "fat", &refcnt), ==, 0);
	CHECK_INT(refcnt, ==, 2);
	CHECK_INT(lkm_kernel_get_refcnt(ctx, "going", &refcnt), ==, 0);
	CHECK_INT(refcnt, ==, -1);
	CHECK_INT(lkm_kernel_get_coresize(ctx, "fat", &size), ==, 0);
	CHECK_INT(size, ==, 86016);
	CHECK_INT(lkm_kernel_get_refcnt(ctx, "bad", &refcnt), ==, -EINVAL);
	CHECK_INT(lkm_kernel_get_refcnt(ctx, "absent", &refcnt), ==, -ENOENT);
	CHECK_INT(lkm_kernel_get_coresize(ctx, "bad", &size), ==, -ENOENT);
	lkm_ctx_unref(ctx);
}

TEST(sys_holders_listing)
{
	struct lkm_ctx *ctx;
	char **h = NULL;
	size_t n = 99, i;
	int seen = 0;

	new_root();
	ctx = fixture_ctx();
	mkdirs("sys/module/fat/holders");
	mkdirs("sys/module/vfat/holders");
	CHECK_INT(symlink("../../vfat", at("sys/module/fat/holders/vfat")), ==, 0);
	CHECK_INT(symlink("../../msdos", at("sys/module/fat/holders/msdos")), ==, 0);
	CHECK_INT(lkm_kernel_get_holders(ctx, "fat", &h, &n), ==, 0);
	CHECK_INT(n, ==, 2);
	for (i = 0; h && i < n; i++)
		seen |= strcmp(h[i], "vfat") == 0 ? 1 : strcmp(h[i], "msdos") == 0 ? 2 : 4;
	CHECK_INT(seen, ==, 3);
	CHECK(h && h[n] == NULL);
	lkm_kernel_holders_free(h);

	CHECK_INT(lkm_kernel_get_holders(ctx, "vfat", &h, &n), ==, 0);
	CHECK_INT(n, ==, 0);
	CHECK(h && h[0] == NULL);
	lkm_kernel_holders_free(h);
	CHECK_INT(lkm_kernel_get_holders(ctx, "absent", &h, &n), ==, -ENOENT);
	lkm_ctx_unref(ctx);
}

/* kmod_module_get_sections' source: each file of sections/ holds the address in hex. */
TEST(sys_sections_names_and_addresses)
{
	struct lkm_section *v = NULL;
	struct lkm_ctx *ctx;
	size_t n = 99, i;
	int seen = 0;

	new_root();
	ctx = fixture_ctx();
	put("sys/module/fat/sections/.text", "0xffffffffc0a52000\n");
	put("sys/module/fat/sections/.data", "0x0000000000000000\n");
	put("sys/module/fat/sections/__ksymtab", "0xffffffffc0a60010\n");
	CHECK_INT(lkm_kernel_get_sections(ctx, "fat", &v, &n), ==, 0);
	CHECK_INT(n, ==, 3);
	for (i = 0; v && i < n; i++) {
		if (strcmp(v[i].name, ".text") == 0 && v[i].address == 0xffffffffc0a52000ull)
			seen |= 1;
		else if (strcmp(v[i].name, ".data") == 0 && v[i].address == 0)
			seen |= 2;
		else if (strcmp(v[i].name, "__ksymtab") == 0 && v[i].address == 0xffffffffc0a60010ull)
			seen |= 4;
		else
			seen |= 8;
	}
	CHECK_INT(seen, ==, 7);
	lkm_kernel_sections_free(v, n);

	/* A file that is no number fails the list: nothing half read is given back. */
	put("sys/module/bad/sections/.text", "garbage\n");
	CHECK_INT(lkm_kernel_get_sections(ctx, "bad", &v, &n), ==, -EINVAL);
	CHECK(v == NULL && n == 0);
	CHECK_INT(lkm_kernel_get_sections(ctx, "absent", &v, &n), ==, -ENOENT);
	CHECK_INT(lkm_kernel_get_sections(ctx, "../fat", &v, &n), ==, -EINVAL);
	lkm_ctx_unref(ctx);
}

TEST(sys_kernel_compression)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	CHECK_INT(lkm_kernel_get_compression(ctx), ==, LKM_COMP_NONE);
	put("sys/module/compression", "xz\n");
	CHECK_INT(lkm_kernel_get_compression(ctx), ==, LKM_COMP_XZ);
	put("sys/module/compression", "zstd\n");
	CHECK_INT(lkm_kernel_get_compression(ctx), ==, LKM_COMP_ZSTD);
	put("sys/module/compression", "gzip\n");
	CHECK_INT(lkm_kernel_get_compression(ctx), ==, LKM_COMP_GZIP);
	put("sys/module/compression", "lz4\n");
	CHECK_INT(lkm_kernel_get_compression(ctx), ==, LKM_COMP_NONE);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- loading */

/*
 * A minimal relocatable ELF64 LE: __versions and .modinfo (both SHF_ALLOC) and the
 * section name table. Enough for the strip done before a forced init_module.
 */
static const char shstr[] = "\0__versions\0.modinfo\0.shstrtab";
static const char modinfo[] = "license=GPL\0vermagic=6.1.0 SMP mod_unload\0name=x";

static size_t build_module(uint8_t *buf, size_t cap)
{
	size_t off_shstr = sizeof(Elf64_Ehdr), off_modinfo = off_shstr + sizeof(shstr);
	size_t off_versions = off_modinfo + sizeof(modinfo);
	size_t off_sh = (off_versions + 64 + 7) & ~(size_t)7, total = off_sh + 4 * sizeof(Elf64_Shdr);
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh[4] = { { 0 } };

	if (total > cap)
		exit(2);
	memset(buf, 0, total);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_shoff = off_sh;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 4;
	eh.e_shstrndx = 3;
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			      .sh_offset = off_versions, .sh_size = 64, .sh_addralign = 8 };
	sh[2] = (Elf64_Shdr){ .sh_name = 12, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			      .sh_offset = off_modinfo, .sh_size = sizeof(modinfo), .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = 21, .sh_type = SHT_STRTAB, .sh_offset = off_shstr,
			      .sh_size = sizeof(shstr), .sh_addralign = 1 };
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + off_shstr, shstr, sizeof(shstr));
	memcpy(buf + off_modinfo, modinfo, sizeof(modinfo));
	memcpy(buf + off_versions + 8, "module_layout", 13);
	memcpy(buf + off_sh, sh, sizeof(sh));
	return total;
}

static uint8_t module[4096];
static size_t module_size;

static void put_module(const char *rel)
{
	module_size = build_module(module, sizeof(module));
	put_bytes(rel, module, module_size);
}

/* Compress a fixture file with the CLI; false when the tool is missing. */
static bool compress(const char *tool, const char *rel)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "%s -k -q '%s' 2>/dev/null", tool, at(rel));
	return system(cmd) == 0;
}

TEST(load_plain_uses_finit_with_flags_and_params)
{
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "a=1 b=\"x y\"", 0, &err), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 1);
	CHECK_INT(rec.init_calls, ==, 0);
	CHECK_INT(rec.finit_flags, ==, 0);
	CHECK_STR(rec.params, "a=1 b=\"x y\"");
	CHECK(rec.finit_ino == inode_of(at("m/x.ko")));

	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), NULL, LKM_LOAD_FORCE, &err), ==, 0);
	CHECK_INT(rec.finit_flags, ==, 3);
	CHECK_STR(rec.params, "");
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), NULL, LKM_LOAD_IGNORE_VERMAGIC, &err), ==, 0);
	CHECK_INT(rec.finit_flags, ==, 2);
	CHECK_INT(rec.init_calls, ==, 0);
	lkm_ctx_unref(ctx);
}

TEST(load_kernel_refusal_is_returned_without_a_reason)
{
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	rec.finit_errno = EEXIST;
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "", 0, &err), ==, -EEXIST);
	CHECK_STR(err.why, "");
	CHECK_INT(rec.init_calls, ==, 0);
	rec.return_negative_errno = true;
	rec.finit_errno = ENOEXEC;
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "", 0, &err), ==, -ENOEXEC);
	CHECK_INT(lkm_kernel_load(ctx, at("m/absent.ko"), "", 0, &err), ==, -ENOENT);
	CHECK_INT(rec.finit_calls, ==, 2);
	lkm_ctx_unref(ctx);
}

TEST(load_falls_back_to_init_module_on_enosys)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	rec.finit_errno = ENOSYS;
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "p=1", 0, NULL), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 1);
	CHECK_INT(rec.init_calls, ==, 1);
	CHECK_INT(rec.image_size, ==, module_size);
	CHECK(rec.image && memcmp(rec.image, module, module_size) == 0);
	CHECK_STR(rec.params, "p=1");
	rec.init_errno = EEXIST;
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "p=1", 0, NULL), ==, -EEXIST);
	lkm_ctx_unref(ctx);
}

static size_t count_diff(const uint8_t *a, const uint8_t *b, size_t n, size_t *where)
{
	size_t i, d = 0;

	if (!a)
		return (size_t)-1;
	for (i = 0; i < n; i++)
		if (a[i] != b[i]) {
			if (!d)
				*where = i;
			d++;
		}
	return d;
}

static bool has_string(const uint8_t *image, size_t size, const char *s)
{
	if (!image)
		return strcmp(s, "vermagic=") == 0; /* no image: fail both kinds of check */
	return memmem(image, size, s, strlen(s)) != NULL;
}

TEST(load_forced_init_module_strips_a_copy)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)module;
	struct lkm_ctx *ctx;
	size_t where = 0, flags_off;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	flags_off = eh->e_shoff + 1 * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_flags);
	rec.finit_errno = ENOSYS;

	/* modversions only: exactly the SHF_ALLOC bit of __versions goes */
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "", LKM_LOAD_IGNORE_MODVERSIONS, NULL), ==, 0);
	CHECK_INT(rec.finit_flags, ==, 1);
	CHECK_INT(rec.image_size, ==, module_size);
	CHECK_INT(count_diff(rec.image, module, module_size, &where), ==, 1);
	CHECK_INT(where, ==, flags_off);
	CHECK(rec.image && rec.image[flags_off] == (module[flags_off] & ~SHF_ALLOC));

	/* vermagic only: the string is blanked, nothing else changes */
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "", LKM_LOAD_IGNORE_VERMAGIC, NULL), ==, 0);
	CHECK(!has_string(rec.image, rec.image_size, "vermagic="));
	CHECK(has_string(rec.image, rec.image_size, "license=GPL"));
	CHECK_INT(count_diff(rec.image, module, module_size, &where), ==,
		  strlen("vermagic=6.1.0 SMP mod_unload"));

	/* both */
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko"), "", LKM_LOAD_FORCE, NULL), ==, 0);
	CHECK(rec.image && rec.image[flags_off] == (module[flags_off] & ~SHF_ALLOC));
	CHECK(!has_string(rec.image, rec.image_size, "vermagic="));
	/* the file itself is untouched */
	CHECK(has_string(module, module_size, "vermagic="));
	lkm_ctx_unref(ctx);
}

TEST(load_forced_image_that_is_not_elf_fails_before_the_kernel)
{
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	CHECK_INT(lkm_kernel_load_image(ctx, "not an elf file at all", 22, "", LKM_LOAD_FORCE, &err),
		  <, 0);
	CHECK(err.why[0] != '\0');
	CHECK_INT(rec.init_calls, ==, 0);
	CHECK_INT(lkm_kernel_load_image(ctx, "plain", 5, "q", 0, &err), ==, 0);
	CHECK_INT(rec.init_calls, ==, 1);
	CHECK_STR(rec.params, "q");
	lkm_ctx_unref(ctx);
}

TEST(load_compressed_with_kernel_support_uses_finit_compressed)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	if (!compress("xz", "m/x.ko")) {
		printf("  (xz not installed: skipped)\n");
		lkm_ctx_unref(ctx);
		return;
	}
	put("sys/module/compression", "xz\n");
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko.xz"), "", 0, NULL), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 1);
	CHECK_INT(rec.finit_flags, ==, 4);
	CHECK(rec.finit_ino == inode_of(at("m/x.ko.xz")));
	CHECK_INT(rec.init_calls, ==, 0);
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko.xz"), "", LKM_LOAD_FORCE, NULL), ==, 0);
	CHECK_INT(rec.finit_flags, ==, 7);
	lkm_ctx_unref(ctx);
}

TEST(load_compressed_without_kernel_support_decompresses)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	put_module("m/x.ko");
	if (!compress("xz", "m/x.ko") || !compress("gzip", "m/x.ko")) {
		printf("  (xz or gzip not installed: skipped)\n");
		lkm_ctx_unref(ctx);
		return;
	}
	/* no <sys>/module/compression: userspace decompresses */
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko.xz"), "a=b", 0, NULL), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 0);
	CHECK_INT(rec.init_calls, ==, 1);
	CHECK_INT(rec.image_size, ==, module_size);
	CHECK(rec.image && memcmp(rec.image, module, module_size) == 0);
	CHECK_STR(rec.params, "a=b");

	/* the kernel undoes xz, but this file is gzip */
	put("sys/module/compression", "xz\n");
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko.gz"), "", 0, NULL), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 0);
	CHECK_INT(rec.init_calls, ==, 2);
	CHECK(rec.image && rec.image_size == module_size &&
	      memcmp(rec.image, module, module_size) == 0);

	/* finit with the compressed flag gives ENOSYS: fall back too */
	rec.finit_errno = ENOSYS;
	CHECK_INT(lkm_kernel_load(ctx, at("m/x.ko.xz"), "", 0, NULL), ==, 0);
	CHECK_INT(rec.finit_calls, ==, 1);
	CHECK_INT(rec.finit_flags, ==, 4);
	CHECK_INT(rec.init_calls, ==, 3);
	lkm_ctx_unref(ctx);
}

TEST(load_corrupt_compressed_file_fails_with_a_reason)
{
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;
	static const uint8_t bad_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6, 7, 8 };

	new_root();
	ctx = fixture_ctx();
	put_bytes("m/bad.ko.xz", bad_xz, sizeof(bad_xz));
	CHECK_INT(lkm_kernel_load(ctx, at("m/bad.ko.xz"), "", 0, &err), <, 0);
	CHECK(err.why[0] != '\0');
	CHECK_INT(rec.finit_calls + rec.init_calls, ==, 0);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- unloading */

TEST(unload_is_nonblocking_and_force_adds_trunc)
{
	struct lkm_ctx *ctx;

	new_root();
	ctx = fixture_ctx();
	CHECK_INT(lkm_kernel_unload(ctx, "fat", 0), ==, 0);
	CHECK_STR(rec.name, "fat");
	CHECK_INT(rec.delete_flags, ==, O_NONBLOCK);
	CHECK_INT(lkm_kernel_unload(ctx, "fat", LKM_UNLOAD_FORCE), ==, 0);
	CHECK_INT(rec.delete_flags, ==, O_NONBLOCK | O_TRUNC);
	rec.delete_errno = EWOULDBLOCK;
	CHECK_INT(lkm_kernel_unload(ctx, "fat", 0), ==, -EWOULDBLOCK);
	rec.delete_errno = ENOENT;
	rec.return_negative_errno = true;
	CHECK_INT(lkm_kernel_unload(ctx, "fat", 0), ==, -ENOENT);
	CHECK_INT(rec.delete_calls, ==, 4);
	lkm_ctx_unref(ctx);
}

static void cleanup(void) __attribute__((destructor));
static void cleanup(void)
{
	char cmd[128];

	free(rec.image);
	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", root);
	}
}

TEST_MAIN()
