// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * diagnose.c: every failure the issue lists, on a fixture ctx tree (fake /proc, /sys,
 * /dev/kmsg, module directory with modules.dep and a modules.symbols.bin made with
 * index.c's builder) and synthetic ELF modules; the assertions are on the words.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf-fixture.h"
#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"
#include "diagnose-fixture.h"

#define KVER "6.1.0-fix"
#define VERMAGIC KVER " SMP preempt mod_unload modversions "

static const char *at(const char *rel)
{
	return dfx_at(rel);
}

static void mkdirs(const char *rel)
{
	fixture_mkdirs(dfx_root, rel);
}

static void put(const char *rel, const char *text)
{
	dfx_put(rel, text);
}

/* ---------------------------------------------------------------- a module image */

struct modopts {
	uint16_t type, machine;
	bool no_modinfo, no_this_module;
	const char *vermagic;
	const char *name;
	const char *const *info; /* more .modinfo records, NULL-terminated */
};

static uint32_t str_add(char *buf, size_t *size, const char *s)
{
	uint32_t off;

	if (!*size)
		*size = 1;
	off = (uint32_t)*size;
	strcpy(buf + off, s);
	*size += strlen(s) + 1;
	return off;
}

/* Needs fat_time_fat2unix and _printk (weak_sym is weak); __versions for two. */
static struct fx_image module_image(const struct modopts *o)
{
	static uint8_t vers[2 * 64], this_module[0x100];
	static char modinfo[1024], strtab[256];
	struct fx_syms syms = { .is64 = true };
	struct fx_section secs[8];
	size_t strsize = 0, mlen;
	int n = 0;

	memset(vers, 0, sizeof(vers));
	memset(this_module, 0, sizeof(this_module));
	memset(strtab, 0, sizeof(strtab));
	fx_store(vers, false, 8, 0x11111111);
	strcpy((char *)vers + 8, "module_layout");
	fx_store(vers + 64, false, 8, 0x33333333);
	strcpy((char *)vers + 64 + 8, "_printk");
	strcpy((char *)this_module + 24, o->name ? o->name : "fix");
	mlen = (size_t)snprintf(modinfo, sizeof(modinfo), "license=GPL%cvermagic=%s%c", 0,
				o->vermagic ? o->vermagic : VERMAGIC, 0);
	for (const char *const *i = o->info; i && *i; i++)
		mlen += (size_t)snprintf(modinfo + mlen, sizeof(modinfo) - mlen, "%s%c", *i, 0);
	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, str_add(strtab, &strsize, "fat_time_fat2unix"), 1, 0, 0, 0);
	fx_sym(&syms, str_add(strtab, &strsize, "_printk"), 1, 0, 0, 0);
	fx_sym(&syms, str_add(strtab, &strsize, "weak_sym"), 2, 0, 0, 0);
	fx_sym(&syms, str_add(strtab, &strsize, "init_module"), 1, 2, 1, 0);

	secs[n++] = (struct fx_section){ ".text", 1, "\xc3\xc3\xc3\xc3", 4 };
	if (!o->no_modinfo)
		secs[n++] = (struct fx_section){ ".modinfo", 1, modinfo, mlen };
	secs[n++] = (struct fx_section){ "__versions", 1, vers, sizeof(vers) };
	if (!o->no_this_module)
		secs[n++] = (struct fx_section){ ".gnu.linkonce.this_module", 1, this_module,
						 sizeof(this_module) };
	secs[n] = (struct fx_section){ ".symtab", 2, syms.buf, syms.size, 0, 24 };
	secs[n].link = (uint32_t)n + 2; /* .strtab follows */
	n++;
	secs[n++] = (struct fx_section){ ".strtab", 3, strtab, strsize };
	return fx_build(true, false, o->type ? o->type : 1, o->machine ? o->machine : 62, secs, n,
			false);
}

static const char *write_module(const char *rel, const struct modopts *o)
{
	static char paths[4][512];
	static int n;
	struct fx_image img = module_image(o);
	char *path = paths[n++ % 4];

	fixture_write(dfx_root, rel, img.data, img.size, "w");
	free(img.data);
	/* Its own buffers: the tests call at() many times while they use the path. */
	snprintf(path, 512, "%s/%s", dfx_root, rel);
	return path;
}

/* ---------------------------------------------------------------- the fixture tree */

static void build_symbols_index(void)
{
	static const char *const symbols[] = {
		"symbol:fat_time_fat2unix", "fat", "symbol:lkm_dep_a_get", "lkm_dep_a", NULL,
	};

	dfx_index("lib/modules/" KVER "/modules.symbols.bin", symbols);
}

/* A fresh tree: root may load modules, nothing odd loaded, _printk in kallsyms. */
static struct lkm_ctx *fixture(void)
{
	dfx_fresh_tree();
	put("proc/modules", "vfat 24576 0 - Live 0x0\nfat 90112 1 vfat, Live 0x0\n");
	put("proc/kallsyms", "ffffffff81000000 T _printk\n"
			     "ffffffff81000010 T module_layout\n"
			     "ffffffffc0000000 t fat_helper\t[fat]\n");
	put("proc/self/status", "Name:\tlkm\nCapEff:\t000001ffffffffff\n");
	put("proc/sys/kernel/modules_disabled", "0\n");
	put("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("sys/module/module/parameters/sig_enforce", "N\n");
	put("sys/module/fat/initstate", "live\n");
	put("sys/module/fat/refcnt", "1\n");
	mkdirs("sys/module/fat/holders/vfat");
	put("sys/module/vfat/initstate", "live\n");
	put("sys/module/vfat/refcnt", "0\n");
	mkdirs("sys/module/vfat/holders");
	mkdirs("sys/module/printk");
	put("kmsg", "6,1,100,-;an old record, before the attempt\n");
	put("lib/modules/" KVER "/modules.dep",
	    "kernel/fs/fat/fat.ko:\nkernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko\n"
	    "kernel/fs/ext4/ext4.ko:\nkernel/drivers/net/dummy.ko:\n");
	put("lib/modules/5.10.0-old/modules.dep", "extra/oldonly.ko:\nkernel/fs/fat/fat.ko:\n");
	build_symbols_index();
	return dfx_ctx_new(KVER);
}

static void capture(struct lkm_ctx *ctx, const char *records, struct lkm_kmsg_log *log)
{
	dfx_capture(ctx, records, log);
}

/* Diagnose a load of @path that failed with @error after the kernel logged @records. */
static void diagnose(struct lkm_ctx *ctx, const char *path, int error, const char *records,
		     struct lkm_diagnosis *d)
{
	dfx_diagnose_load_raw(ctx, path, error, records, d);
	CHECK(d->first.data != NULL);
	dfx_diagnosis_strings(d);
}

/* ---------------------------------------------------------------- kernel log */

TEST(kmsg_reads_only_records_after_the_mark)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_kmsg_log log = { 0 };

	capture(ctx, "4,2,200,-;fix: Unknown symbol foo (err -2)\n SUBSYSTEM=x\n"
		     "not a record\n3,3,300,c;second\n", &log);
	CHECK_INT(log.count, ==, 2);
	if (log.count == 2) {
		CHECK_STR(log.recs[0].text, "fix: Unknown symbol foo (err -2)");
		CHECK_INT(log.recs[0].level, ==, 4);
		CHECK_INT(log.recs[0].seq, ==, 2);
		CHECK_INT(log.recs[0].usec, ==, 200);
		CHECK_STR(log.recs[1].text, "second");
	}
	lkm_kmsg_log_release(&log);
	lkm_ctx_unref(ctx);
}

TEST(kmsg_unreadable_gives_no_records)
{
	struct lkm_ctx_config cfg = { .kmsg = "/nonexistent/kmsg", .kver = KVER };
	struct lkm_kmsg_capture cap;
	struct lkm_kmsg_log log = { 0 };
	struct lkm_ctx *ctx;
	struct lkm_kmsg_record rec;

	if (lkm_ctx_new(&cfg, &ctx) < 0)
		exit(2);
	CHECK_INT(lkm_kmsg_begin(ctx, &cap), ==, -ENOENT);
	CHECK_INT(lkm_kmsg_end(&cap, &log), ==, 0);
	CHECK_INT(log.count, ==, 0);
	CHECK_INT(lkm_kmsg_parse("garbage", 7, &rec), ==, -EINVAL);
	CHECK_INT(lkm_kmsg_parse("6,1;x", 5, &rec), ==, -EINVAL);
	lkm_ctx_unref(ctx);
}

TEST(kmsg_keeps_a_bounded_number_of_records)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_kmsg_log log = { 0 };
	struct lkm_buf many = { 0 };
	int i;

	for (i = 0; i < LKM_KMSG_MAX_RECORDS + 50; i++)
		if (lkm_buf_printf(&many, "6,%d,%d,-;record %d\n", i, i, i) < 0)
			exit(2);
	capture(ctx, many.data, &log);
	CHECK_INT(log.count, ==, LKM_KMSG_MAX_RECORDS);
	if (log.count)
		CHECK_STR(log.recs[log.count - 1].text, "record 305");
	lkm_kmsg_log_release(&log);
	lkm_buf_free(&many);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- unknown symbols */

TEST(unknown_symbol_from_log_names_exporter_and_modprobe)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOENT, "4,5,500,-;fix: Unknown symbol lkm_dep_a_get (err -2)\n", &d);
	HAS(d.first, "fix needs a symbol that neither the kernel nor a loaded module exports: "
		     "lkm_dep_a_get");
	HAS(d.detail, "lkm_dep_a_get: exported by lkm_dep_a, which is not loaded");
	HAS(d.detail, "`modprobe fix`");
	HAS(d.detail, "kernel: fix: Unknown symbol lkm_dep_a_get (err -2)");
	HASNT(d.detail, "an old record");
	CHECK_INT(d.code, ==, -ENOENT);
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(unknown_symbol_without_log_compares_with_kallsyms)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	/*
	 * fat_time_fat2unix is missing from kallsyms; fat exports it and is loaded: the
	 * first sentence must not say that no loaded module exports it.
	 */
	diagnose(ctx, ko, -ENOENT, NULL, &d);
	HAS(d.first, "the kernel did not resolve fat_time_fat2unix for fix, though fat, which is "
		     "loaded, exports it");
	HASNT(d.first, "neither the kernel nor");
	HASNT(d.first, "_printk");
	HASNT(d.first, "weak_sym");
	HAS(d.detail, "fat_time_fat2unix: exported by fat, which is loaded");
	lkm_diagnosis_release(&d);

	put("proc/kallsyms", "ffffffff81000000 T _printk\n");
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;fix: Unknown symbol nobody_has (err -2)\n", &d);
	HAS(d.detail, "nobody_has: no module in");
	HAS(d.detail, "modules.symbols.bin exports it");
	HASNT(d.detail, "modprobe fix");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* A damaged modules.symbols.bin is named, not taken for "no module exports it". */
TEST(unknown_symbol_with_a_damaged_symbols_index_names_the_file)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	put("lib/modules/" KVER "/modules.symbols.bin", "junk");
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;fix: Unknown symbol lkm_dep_a_get (err -2)\n", &d);
	HAS(d.first, "fix needs a symbol that neither the kernel nor a loaded module exports");
	HAS(d.detail, "lkm_dep_a_get: who exports it is unknown: ");
	HAS(d.detail, "/modules.symbols.bin: too short for an index header");
	HASNT(d.detail, "no module in");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- invalid format */

TEST(format_not_elf_and_not_relocatable)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko;
	struct lkm_diagnosis d;

	put("junk.ko", "this is text\n");
	diagnose(ctx, at("junk.ko"), -ENOEXEC, NULL, &d);
	HAS(d.first, "junk.ko is not an ELF file");
	lkm_diagnosis_release(&d);

	ko = write_module("prog", &(struct modopts){ .type = 2 });
	diagnose(ctx, ko, -ENOEXEC, NULL, &d);
	HAS(d.first, "not a relocatable object (ELF type EXEC): this is a program, not a kernel "
		     "module");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(format_other_architecture_names_machine)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("arm.ko", &(struct modopts){ .machine = 183 });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOEXEC, "3,9,900,-;fix: Invalid ELF header magic: != ELF\n", &d);
	HAS(d.first, "fix was built for another architecture: aarch64 (e_machine 183), but this "
		     "kernel runs on x86_64 (e_machine 62)");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(format_not_a_module)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("plain.o", &(struct modopts){ .no_modinfo = true,
								    .no_this_module = true });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOEXEC, NULL, &d);
	HAS(d.first, "plain.o was built for linking into the kernel, not as a module");
	HAS(d.detail, "no .gnu.linkonce.this_module section");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(format_vermagic_side_by_side)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("old.ko", &(struct modopts){ .vermagic = "5.10.0-old SMP " });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOEXEC,
		 "3,9,900,-;fix: version magic '5.10.0-old SMP ' should be '" VERMAGIC "'\n", &d);
	HAS(d.first, "fix was built for another kernel: version magic '5.10.0-old SMP ' does not "
		     "match the kernel's '" VERMAGIC "'");
	HAS(d.detail, "module: 5.10.0-old SMP \n");
	HAS(d.detail, "kernel: " VERMAGIC "\n");
	lkm_diagnosis_release(&d);

	/* No log: the file's vermagic against the running release. */
	diagnose(ctx, ko, -ENOEXEC, NULL, &d);
	HAS(d.first, "fix was built for kernel 5.10.0-old, but the running kernel is " KVER);
	HAS(d.detail, "module vermagic: 5.10.0-old SMP ");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(check_vermagic_against_a_module_of_the_running_kernel)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko;
	struct lkm_diagnosis d;

	write_module("lib/modules/" KVER "/kernel/fs/fat/fat.ko", &(struct modopts){ .name = "fat" });
	put("proc/kallsyms", "ffffffff81000000 T _printk\nffffffff81000000 T module_layout\n"
			     "ffffffffc0000000 T fat_time_fat2unix\t[fat]\n");
	/* Same release, other flags: modversions does not hide that. */
	ko = write_module("smq.ko", &(struct modopts){ .vermagic = KVER " SMQ preempt " });
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), ==, 1);
	HAS(d.detail, "problem: fix was built for another kernel: version magic '" KVER
		      " SMQ preempt ' does not match the kernel's '" VERMAGIC "'");
	lkm_diagnosis_release(&d);
	/* Another release, same flags: with modversions the kernel skips the release. */
	ko = write_module("rel.ko", &(struct modopts){ .vermagic = "6.1.0-other SMP preempt "
								  "mod_unload modversions " });
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), ==, 0);
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(format_crc_mismatch_names_symbol)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOEXEC, "3,9,900,-;fix: disagrees about version of symbol module_layout\n",
		 &d);
	HAS(d.first, "fix was built against other kernel sources: the kernel disagrees about the "
		     "version (CRC) of module_layout");
	HAS(d.detail, "kernel: fix: disagrees about version of symbol module_layout");
	lkm_diagnosis_release(&d);

	/* A CRC mismatch of another symbol comes back as EINVAL with "Unknown symbol". */
	diagnose(ctx, ko, -EINVAL, "3,9,900,-;fix: disagrees about version of symbol _printk\n"
				   "4,10,901,-;fix: Unknown symbol _printk (err -22)\n", &d);
	HAS(d.first, "version (CRC) of _printk");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- init */

TEST(init_failure_names_errno_and_quotes_its_log)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("lkm_init_eio.ko", &(struct modopts){ .name = "lkm_init_eio" });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -EIO, "6,9,900,-;lkm_init_eio: init fails with -EIO\n"
				"6,10,901,-;unrelated: link up\n", &d);
	HAS(d.first, "lkm_init_eio was accepted, but its init function failed with EIO "
		     "(Input/output error)");
	HAS(d.detail, "kernel: lkm_init_eio: init fails with -EIO");
	HASNT(d.detail, "unrelated");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* The kernel answers an unknown parameter with -ENOENT: not an unknown symbol. */
TEST(unknown_parameter_is_named_not_taken_for_a_symbol)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("lkm_dep_a.ko", &(struct modopts){ .name = "lkm_dep_a" });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOENT, "4,11,910,-;lkm_dep_a: Unknown parameter `nosuch'\n", &d);
	HAS(d.first, "lkm_dep_a does not take the parameter 'nosuch' that was given to it");
	HASNT(d.first, "symbol");
	HAS(d.detail, "modinfo -p lkm_dep_a");
	HAS(d.detail, "kernel: lkm_dep_a: Unknown parameter `nosuch'");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(bad_parameter_value_names_value_and_parameter)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("lkm_params.ko", &(struct modopts){ .name = "lkm_params" });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -EINVAL, "3,12,920,-;lkm_params: `abc' invalid for parameter `intp'\n",
		 &d);
	HAS(d.first, "lkm_params rejected the value 'abc' of its parameter 'intp'");
	HAS(d.detail, "modinfo -p lkm_params");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(init_positive_is_a_warning)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_kmsg_log log = { 0 };
	struct lkm_diagnosis d;

	capture(ctx, "4,9,900,-;do_init_module: 'lkm_init_positive'->init suspiciously returned "
		     "42, it should follow 0/-E convention\n", &log);
	CHECK_INT(lkm_diagnose_loaded(ctx, "lkm_init_positive", &log, &d), ==, 0);
	HAS(d.first, "lkm_init_positive was loaded, but its init function returned 42");
	HAS(d.detail, "keeps the module loaded");
	lkm_diagnosis_release(&d);
	/* Nothing to say is not a diagnosis: -ENODATA, and nothing to release. */
	CHECK_INT(lkm_diagnose_loaded(ctx, "other", &log, &d), ==, -ENODATA);
	CHECK(d.first.data == NULL && d.detail.data == NULL);
	CHECK_INT(lkm_diagnose_loaded(ctx, "lkm_init_positive", NULL, &d), ==, -ENODATA);
	lkm_kmsg_log_release(&log);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- already there */

TEST(already_loaded_gives_state)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fat.ko", &(struct modopts){ .name = "fat" });
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -EEXIST, NULL, &d);
	HAS(d.first, "fat already exists in the kernel: it is loaded (state: live)");
	lkm_diagnosis_release(&d);
	put("sys/module/fat/initstate", "coming\n");
	diagnose(ctx, ko, -EEXIST, NULL, &d);
	HAS(d.first, "fat already exists in the kernel: it is being loaded (state: coming)");
	lkm_diagnosis_release(&d);
	put("sys/module/fat/initstate", "going\n");
	diagnose(ctx, ko, -EEXIST, NULL, &d);
	HAS(d.first, "state: going");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(blacklist_config_and_loops)
{
	struct lkm_config_blacklist bl = { "pcspkr", { "/etc/modprobe.d/bl.conf", 3 } };
	struct lkm_config_warning w = { "/etc/modprobe.d/x.conf", 7,
					"ignoring bad line starting with 'aliass'" };
	const char *chain[] = { "a", "b", "a" };
	struct lkm_diagnosis d;

	CHECK_INT(lkm_diagnose_blacklisted("pcspkr", &bl, &d), ==, 0);
	HAS(d.first, "Module pcspkr is blacklisted by /etc/modprobe.d/bl.conf line 3");
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_config(&w, &d), ==, 0);
	HAS(d.first, "/etc/modprobe.d/x.conf line 7: ignoring bad line starting with 'aliass'");
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_loop("softdep", chain, 3, &d), ==, 0);
	HAS(d.first, "softdep loop: a -> b -> a");
	CHECK_INT(d.code, ==, -ELOOP);
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_loop("install", chain, 3, &d), ==, 0);
	HAS(d.detail, "--ignore-install");
	lkm_diagnosis_release(&d);
}

/* ---------------------------------------------------------------- not found */

TEST(not_found_suggests_close_names_and_other_kernels)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	CHECK_INT(lkm_diagnose_not_found(ctx, "fta", &d), ==, 0);
	HAS(d.first, "Module fta not found in directory");
	HAS(d.detail, "did you mean fat?");
	HASNT(d.detail, "ext4");
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_not_found(ctx, "oldonly", &d), ==, 0);
	HAS(d.detail, "oldonly exists for another kernel version: 5.10.0-old (this is " KVER ")");
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_not_found(ctx, "zzzzzzzzzz", &d), ==, 0);
	HAS(d.detail, "no module of a similar name");
	HASNT(d.detail, "did you mean");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* Set the mtime of ROOT/@rel to @t. */
static void set_mtime(const char *rel, time_t t)
{
	struct timespec ts[2] = { { .tv_sec = t }, { .tv_sec = t } };

	if (utimensat(AT_FDCWD, at(rel), ts, 0) < 0)
		exit(2);
}

TEST(not_found_names_a_file_depmod_has_not_indexed)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	/* Any depth, any compression, '-' for '_': the file for the name is found. */
	write_module("lib/modules/" KVER "/extra/a/b/c/new-mod.ko.zst", &(struct modopts){ 0 });
	write_module("lib/modules/" KVER "/extra/other.ko", &(struct modopts){ 0 });
	set_mtime("lib/modules/" KVER "/modules.dep", 1000000000);
	CHECK_INT(lkm_diagnose_not_found(ctx, "new_mod", &d), ==, 0);
	HAS(d.first, "Module new_mod not found in directory");
	HAS(d.detail, "depmod has not run since ");
	HAS(d.detail, "/lib/modules/" KVER "/extra/a/b/c/new-mod.ko.zst was installed: the file "
		      "is from ");
	HAS(d.detail, "/modules.dep from 2001-09-");
	HAS(d.detail, "run `depmod -b ");
	HAS(d.detail, " " KVER "` to index it");
	HASNT(d.detail, "did you mean");
	HASNT(d.detail, "no module of a similar name");
	lkm_diagnosis_release(&d);

	/* Older than modules.dep and not listed: still unindexed, said so. */
	set_mtime("lib/modules/" KVER "/extra/other.ko", 900000000);
	CHECK_INT(lkm_diagnose_not_found(ctx, "other", &d), ==, 0);
	HAS(d.detail, "/extra/other.ko is a module file for it, but ");
	HAS(d.detail, "modules.dep does not list it");
	HAS(d.detail, "run `depmod -b ");
	lkm_diagnosis_release(&d);

	/* A file of another name, and one past a link to a directory, are not taken. */
	CHECK_INT(symlink(at("lib/modules/" KVER "/extra"), at("lib/modules/" KVER "/build")), ==, 0);
	CHECK_INT(lkm_diagnose_not_found(ctx, "other_mod", &d), ==, 0);
	HASNT(d.detail, "depmod has not run since");
	lkm_diagnosis_release(&d);
	/* An alias is no file name: no walk. */
	write_module("lib/modules/" KVER "/extra/pci:v1.ko", &(struct modopts){ 0 });
	CHECK_INT(lkm_diagnose_not_found(ctx, "pci:v1", &d), ==, 0);
	HASNT(d.detail, "depmod has not run since");
	lkm_diagnosis_release(&d);
	CHECK_INT(unlink(at("lib/modules/" KVER "/modules.dep")), ==, 0);
	CHECK_INT(lkm_diagnose_not_found(ctx, "new-mod", &d), ==, 0);
	HAS(d.detail, "but there is no ");
	HAS(d.detail, "depmod has not run for " KVER);
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(stale_file_names_the_file_and_modules_dep)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	CHECK_INT(lkm_diagnose_stale_file(ctx, "vfat", at("lib/modules/" KVER "/kernel/fs/fat/vfat.ko"),
					  &d), ==, 0);
	CHECK_INT(d.code, ==, -ENOENT);
	HAS(d.first, "vfat has no module file: ");
	HAS(d.first, "/lib/modules/" KVER "/modules.dep lists ");
	HAS(d.first, "/kernel/fs/fat/vfat.ko, which no longer exists (the index is stale)");
	HAS(d.detail, "depmod has not run since the file was removed or moved");
	HAS(d.detail, "run `depmod -b ");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- unload */

TEST(unload_refusals)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	CHECK_INT(lkm_diagnose_unload(ctx, "fat", 0, 0, &d), ==, 0);
	HAS(d.first, "Module fat is in use by: vfat (reference count 1)");
	HAS(d.detail, "rmmod vfat");
	lkm_diagnosis_release(&d);

	CHECK_INT(lkm_diagnose_unload(ctx, "vfat", 0, 0, &d), ==, -ENODATA);
	CHECK(d.first.data == NULL && d.code == 0);
	CHECK_INT(lkm_diagnose_unload(ctx, "absent", 0, 0, &d), ==, 0);
	HAS(d.first, "Module absent is not currently loaded");
	CHECK_INT(d.code, ==, -ENOENT);
	lkm_diagnosis_release(&d);
	CHECK_INT(lkm_diagnose_unload(ctx, "printk", 0, 0, &d), ==, 0);
	HAS(d.first, "Module printk is builtin");
	lkm_diagnosis_release(&d);

	put("proc/modules", "lkm_noexit 16384 0 [permanent], Live 0x0 (OE)\n");
	put("sys/module/lkm_noexit/initstate", "live\n");
	put("sys/module/lkm_noexit/refcnt", "0\n");
	mkdirs("sys/module/lkm_noexit/holders");
	CHECK_INT(lkm_diagnose_unload(ctx, "lkm_noexit", 0, 0, &d), ==, 0);
	HAS(d.first, "Module lkm_noexit cannot be removed: it has no exit function");
	HAS(d.detail, "CONFIG_MODULE_FORCE_UNLOAD");
	HAS(d.detail, "taints the kernel and can crash it");
	lkm_diagnosis_release(&d);
	/* -f asked, and the kernel still refused. */
	CHECK_INT(lkm_diagnose_unload(ctx, "lkm_noexit", -EBUSY, LKM_UNLOAD_FORCE, &d), ==, 0);
	HAS(d.detail, "CONFIG_MODULE_FORCE_UNLOAD");
	lkm_diagnosis_release(&d);
	/* The kernel said EPERM for an unused module: modules_disabled is why. */
	put("proc/modules", "lkm_log 16384 0 - Live 0x0 (OE)\n");
	put("sys/module/lkm_log/initstate", "live\n");
	put("sys/module/lkm_log/refcnt", "0\n");
	mkdirs("sys/module/lkm_log/holders");
	put("proc/sys/kernel/modules_disabled", "1\n");
	CHECK_INT(lkm_diagnose_unload(ctx, "lkm_log", -EPERM, 0, &d), ==, 0);
	HAS(d.first, "module removal is disabled on this system");
	HAS(d.first, "modules_disabled is 1");
	lkm_diagnosis_release(&d);
	put("proc/sys/kernel/modules_disabled", "0\n");
	CHECK_INT(lkm_diagnose_unload(ctx, "lkm_log", -EPERM, 0, &d), ==, 0);
	HAS(d.first, "the kernel refused to remove lkm_log");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

/* ---------------------------------------------------------------- permission, policy */

TEST(permission_and_policy)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	put("proc/self/status", "Name:\tlkm\nCapEff:\t0000000000000000\n");
	diagnose(ctx, ko, -EPERM, NULL, &d);
	HAS(d.first, "loading fix needs root: this process lacks CAP_SYS_MODULE");
	lkm_diagnosis_release(&d);

	put("proc/self/status", "Name:\tlkm\nCapEff:\t000001ffffffffff\n");
	put("proc/sys/kernel/modules_disabled", "1\n");
	diagnose(ctx, ko, -EPERM, NULL, &d);
	HAS(d.first, "module loading is disabled on this system");
	HAS(d.first, "modules_disabled is 1");
	lkm_diagnosis_release(&d);

	put("proc/sys/kernel/modules_disabled", "0\n");
	put("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	diagnose(ctx, ko, -EPERM, "5,9,900,-;Lockdown: insmod: unsigned module loading is "
				  "restricted; see man kernel_lockdown.7\n", &d);
	HAS(d.first, "the kernel is locked down (integrity) and refused fix");
	HAS(d.detail, "carries no signature");
	HAS(d.detail, "kernel: Lockdown: insmod");
	lkm_diagnosis_release(&d);

	put("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	put("sys/module/module/parameters/sig_enforce", "Y\n");
	diagnose(ctx, ko, -EKEYREJECTED, "3,9,900,-;Loading of unsigned module is rejected\n", &d);
	HAS(d.first, "fix is not signed, and this kernel only loads signed modules");
	HAS(d.detail, "signatures are required");
	lkm_diagnosis_release(&d);

	unlink(at("proc/modules"));
	diagnose(ctx, ko, -ENOSYS, NULL, &d);
	HAS(d.first, "this kernel was built without module support");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(signature_rejected_names_signer_when_signed)
{
#if HAVE_LIBCRYPTO
	static const char *const rdn[] = { "O", "lkm", "CN", "lkm diagnose key", NULL };
	struct lkm_ctx *ctx = fixture();
	struct fx_image img = module_image(&(struct modopts){ 0 });
	struct fx_signer sg = { 0 };
	struct fx_signed sd = { 0 };
	struct lkm_diagnosis d;
	char want[700];

	CHECK_INT(fx_signer_make(&sg, FX_KEY_RSA, rdn, "66F54E1566A043CC30"), ==, 0);
	CHECK_INT(fx_sign(&sg, EVP_sha256(), img.data, img.size, &sd), ==, 0);
	if (sd.data) {
		fixture_write(dfx_root, "signed.ko", sd.data, sd.len, "w");
		diagnose(ctx, at("signed.ko"), -EKEYREJECTED, NULL, &d);
		HAS(d.first, "the kernel rejected the signature of fix");
		snprintf(want, sizeof(want),
			 "%s is signed by \"lkm diagnose key\" with key "
			 "66:F5:4E:15:66:A0:43:CC:30 (sha256)",
			 at("signed.ko"));
		HAS(d.detail, want);
		HASNT(d.detail, "carries no signature");
		lkm_diagnosis_release(&d);
	}
	fx_signed_free(&sd);
	fx_signer_free(&sg);
	free(img.data);
	lkm_ctx_unref(ctx);
#else
	SKIP("lkm is built without libcrypto: no module can be signed here");
#endif
}

/* ---------------------------------------------------------------- pre-flight */

TEST(check_passes_a_module_that_would_load)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ 0 });
	struct lkm_diagnosis d;

	put("proc/kallsyms", "ffffffff81000000 T _printk\nffffffff81000000 r __ksymtab_module_layout\n"
			     "ffffffffc0000000 T fat_time_fat2unix\t[fat]\n");
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), ==, 0);
	HAS(d.first, "fix would load");
	HAS(d.detail, "ok: every symbol it needs is in");
	HAS(d.detail, "note: CRCs not compared");
	HASNT(d.detail, "problem:");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(check_finds_every_problem_without_loading)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ .vermagic = "5.10.0-old SMP " });
	struct lkm_diagnosis d;

	put("lib/modules/" KVER "/build/Module.symvers",
	    "0x11111111\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n"
	    "0x44444444\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n");
	put("sys/module/module/parameters/sig_enforce", "Y\n");
	put("sys/module/fix/initstate", "live\n");
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), ==, 5);
	HAS(d.first, "fix would not load: 5 problems found");
	HAS(d.detail, "problem: fix was built for kernel 5.10.0-old, but the running kernel is "
		      KVER);
	HAS(d.detail, "problem: fat_time_fat2unix: exported by fat, which is loaded");
	HAS(d.detail, "problem: the version (CRC) of _printk differs: module 0x33333333, kernel "
		      "0x44444444");
	HASNT(d.detail, "CRC) of module_layout");
	HAS(d.detail, "problem: fix is not signed, and the kernel requires signatures");
	HAS(d.detail, "problem: fix is already loaded (state: live)");
	lkm_diagnosis_release(&d);

	CHECK_INT(lkm_diagnose_check(ctx, at("absent.ko"), &d), ==, 1);
	HAS(d.first, "would not load: 1 problem found");
	lkm_diagnosis_release(&d);
	put("junk.ko", "junk");
	CHECK_INT(lkm_diagnose_check(ctx, at("junk.ko"), &d), ==, 1);
	HAS(d.detail, "problem: ");
	HAS(d.detail, "is not an ELF file");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(check_finds_firmware_where_the_kernel_looks)
{
	static const char *const fw[] = {
		"firmware=plain.bin", "firmware=vendor/zst.bin", "firmware=xz.bin",
		"firmware=upd.bin", "firmware=kver.bin", "firmware=custom.bin",
		"firmware=absent.bin", NULL,
	};
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_module("fix.ko", &(struct modopts){ .info = fw });
	struct lkm_diagnosis d;

	put("proc/kallsyms", "ffffffff81000000 T _printk\nffffffff81000000 r __ksymtab_module_layout\n"
			     "ffffffffc0000000 T fat_time_fat2unix\t[fat]\n");
	put("lib/firmware/plain.bin", "x");
	put("lib/firmware/vendor/zst.bin.zst", "x");
	put("lib/firmware/xz.bin.xz", "x");
	put("lib/firmware/updates/upd.bin", "x");
	put("lib/firmware/" KVER "/kver.bin", "x");
	put("fwpath/custom.bin", "x");
	put("sys/module/firmware_class/parameters/path", at("fwpath\n"));
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), >=, 0);
	HAS(d.detail, "ok: firmware plain.bin: ");
	HAS(d.detail, "/lib/firmware/plain.bin\n");
	HAS(d.detail, "ok: firmware vendor/zst.bin: ");
	HAS(d.detail, "/lib/firmware/vendor/zst.bin.zst\n");
	HAS(d.detail, "/lib/firmware/xz.bin.xz\n");
	HAS(d.detail, "/lib/firmware/updates/upd.bin\n");
	HAS(d.detail, "/lib/firmware/" KVER "/kver.bin\n");
	HAS(d.detail, "/fwpath/custom.bin\n");
	/* Missing firmware is a note: the module loads without it. */
	HAS(d.detail, "note: firmware absent.bin is missing: not in ");
	HAS(d.detail, "/fwpath, ");
	HAS(d.detail, "fix loads without it");
	HASNT(d.detail, "problem: firmware");
	HAS(d.first, "fix would load");
	lkm_diagnosis_release(&d);

	/* The updates directory comes first, as in the kernel. */
	put("lib/firmware/updates/" KVER "/plain.bin", "x");
	CHECK_INT(lkm_diagnose_check(ctx, ko, &d), >=, 0);
	HAS(d.detail, "/lib/firmware/updates/" KVER "/plain.bin\n");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(errno_names_and_kmod_words)
{
	CHECK_STR(lkm_diagnose_errno_name(EIO), "EIO");
	CHECK_STR(lkm_diagnose_errno_name(EKEYREJECTED), "EKEYREJECTED");
	CHECK(lkm_diagnose_errno_name(4000) == NULL);
	CHECK_STR(lkm_diagnose_load_reason(ENOEXEC), "Invalid module format");
	CHECK_STR(lkm_diagnose_load_reason(ENOENT), "Unknown symbol in module");
}

__attribute__((constructor(101))) static void setup(void)
{
	dfx_setup("diagnose");
}

TEST_MAIN()
