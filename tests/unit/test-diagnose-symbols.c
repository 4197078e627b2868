// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * diagnose-symbols.c and diagnose-exports.c: a load refused over symbols, told apart by
 * how each symbol is exported. A fixture tree holds an exporter module file (a plain, a
 * GPL-only and a namespaced export, as Kbuild lays them out: __ksymtab_<sym> in
 * __ksymtab or __ksymtab_gpl, __kstrtabns_<sym> in __ksymtab_strings), the indexes that
 * name it, a fake /proc and kernel log; importers are synthetic modules.
 */
#include <unistd.h>

#include "elf-fixture.h"
#include "diagnose-internal.h"
#include "fixture.h"
#include "test.h"
#include "diagnose-fixture.h"

#define KVER "6.1.0-fix"

static void put(const char *rel, const char *text)
{
	dfx_put(rel, text);
}

/* lkm_export: plain_sym (EXPORT_SYMBOL), gpl_sym (_GPL), ns_sym (_NS_GPL in NS_X). */
static void write_exporter(void)
{
	static const char kstr[] = "plain_sym\0\0gpl_sym\0\0ns_sym\0NS_X";
	static const char modinfo[] = "license=GPL\0name=lkm_export";
	static uint8_t ksymtab[12], ksymtab_gpl[24], this_module[0x100];
	struct fx_syms syms = { .is64 = true };
	char strtab[512] = "";
	size_t strsize = 1;
	struct fx_image img;
	const struct {
		const char *name;
		uint16_t shndx;
		uint64_t value;
	} s[] = {
		{ "__ksymtab_plain_sym", 3, 0 }, { "__ksymtab_gpl_sym", 4, 0 },
		{ "__ksymtab_ns_sym", 4, 12 }, { "__kstrtabns_ns_sym", 5, 27 },
		{ "__kstrtabns_gpl_sym", 5, 18 },
	};
	size_t i;

	strcpy((char *)this_module + 24, "lkm_export");
	fx_sym(&syms, 0, 0, 0, 0, 0);
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		fx_sym(&syms, (uint32_t)strsize, 0, 0, s[i].shndx, s[i].value);
		strcpy(strtab + strsize, s[i].name);
		strsize += strlen(s[i].name) + 1;
	}
	{
		/* fx_build numbers the sections from 1 in this order */
		struct fx_section secs[] = {
			{ ".text", 1, "\xc3\xc3\xc3\xc3", 4 },
			{ ".modinfo", 1, modinfo, sizeof(modinfo) },
			{ "__ksymtab", 1, ksymtab, sizeof(ksymtab) },
			{ "__ksymtab_gpl", 1, ksymtab_gpl, sizeof(ksymtab_gpl) },
			{ "__ksymtab_strings", 1, kstr, sizeof(kstr) },
			{ ".gnu.linkonce.this_module", 1, this_module, sizeof(this_module) },
			{ ".symtab", 2, syms.buf, syms.size, 8, 24 },
			{ ".strtab", 3, strtab, strsize },
		};

		img = fx_build(true, false, 1, 62, secs, sizeof(secs) / sizeof(secs[0]), false);
	}
	fixture_write(dfx_root, "lib/modules/" KVER "/extra/lkm_export.ko", img.data, img.size,
		      "w");
	free(img.data);
}

/* An importer called @name needing @sym, with .modinfo @info ("k=v\0k=v"). */
static const char *write_importer(const char *name, const char *sym, const char *info,
				  size_t info_len)
{
	static char path[512];
	const struct fx_crc_sym imp[] = { { sym, 0x1234 } };
	struct fx_module_spec spec = {
		.is64 = true, .machine = 62, .name = name, .modinfo = info,
		.modinfo_len = info_len, .imports = imp, .n_imports = 1,
	};
	struct fx_image img = fx_module(&spec);
	char rel[128];

	snprintf(rel, sizeof(rel), "%s.ko", name);
	fixture_write(dfx_root, rel, img.data, img.size, "w");
	free(img.data);
	snprintf(path, sizeof(path), "%s/%s", dfx_root, rel);
	return path;
}

/* lkm_export loaded, its symbols in kallsyms; kernel log empty. */
static struct lkm_ctx *fixture(void)
{
	static const char *const symbols[] = {
		"symbol:plain_sym", "lkm_export", "symbol:gpl_sym", "lkm_export",
		"symbol:ns_sym", "lkm_export", NULL,
	};
	static const char *const dep[] = { "lkm_export", "extra/lkm_export.ko:", NULL };

	dfx_fresh_tree();
	put("proc/modules", "lkm_export 16384 0 - Live 0x0\n");
	put("proc/kallsyms", "ffffffff81000000 T _printk\n"
			     "ffffffffc0000000 T plain_sym\t[lkm_export]\n"
			     "ffffffffc0000010 T gpl_sym\t[lkm_export]\n"
			     "ffffffffc0000020 T ns_sym\t[lkm_export]\n");
	put("sys/module/lkm_export/initstate", "live\n");
	put("kmsg", "");
	write_exporter();
	dfx_index("lib/modules/" KVER "/modules.symbols.bin", symbols);
	dfx_index("lib/modules/" KVER "/modules.dep.bin", dep);
	return dfx_ctx_new(KVER);
}

static void diagnose(struct lkm_ctx *ctx, const char *path, int error, const char *records,
		     struct lkm_diagnosis *d)
{
	dfx_diagnose_load(ctx, path, error, records, d);
}

#define PROPRIETARY "license=Proprietary"

TEST(export_facts_from_the_exporter_file)
{
	struct lkm_ctx *ctx = fixture();
	struct diag_export e;

	CHECK_INT(diag_export_facts(ctx, "gpl_sym", &e), ==, 0);
	CHECK_STR(e.owner, "lkm_export");
	CHECK(e.kind_known && e.gpl_only);
	CHECK_STR(e.ns, "");
	CHECK_INT(diag_export_facts(ctx, "plain_sym", &e), ==, 0);
	CHECK(e.kind_known && !e.gpl_only);
	CHECK_INT(diag_export_facts(ctx, "ns_sym", &e), ==, 0);
	CHECK(e.kind_known && e.gpl_only);
	CHECK_STR(e.ns, "NS_X");
	CHECK_INT(diag_export_facts(ctx, "nobody_has", &e), ==, 0);
	CHECK_STR(e.owner, "");
	CHECK(!e.kind_known);
	lkm_ctx_unref(ctx);
}

TEST(gpl_compatible_licences_are_the_kernels_list)
{
	CHECK(diag_license_gpl_compatible("GPL"));
	CHECK(diag_license_gpl_compatible("GPL v2"));
	CHECK(diag_license_gpl_compatible("GPL and additional rights"));
	CHECK(diag_license_gpl_compatible("Dual BSD/GPL"));
	CHECK(diag_license_gpl_compatible("Dual MIT/GPL"));
	CHECK(diag_license_gpl_compatible("Dual MPL/GPL"));
	CHECK(!diag_license_gpl_compatible("Proprietary"));
	CHECK(!diag_license_gpl_compatible("BSD"));
	CHECK(!diag_license_gpl_compatible("gpl"));
	CHECK(!diag_license_gpl_compatible(NULL));
}

TEST(gpl_only_export_to_a_proprietary_module_names_symbol_exporter_and_licence)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_importer("prop", "gpl_sym", PROPRIETARY, sizeof(PROPRIETARY));
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOENT, "4,5,500,-;prop: Unknown symbol gpl_sym (err -2)\n", &d);
	HAS(d.first, "prop cannot use gpl_sym: lkm_export exports it to GPL-compatible modules "
		     "only (EXPORT_SYMBOL_GPL), and the licence of prop is 'Proprietary'");
	HAS(d.detail, "gpl_sym: exported by lkm_export with EXPORT_SYMBOL_GPL, which is loaded");
	HAS(d.detail, "Dual MIT/GPL");
	HAS(d.detail, "--force does not help");
	HAS(d.detail, "kernel: prop: Unknown symbol gpl_sym (err -2)");
	HASNT(d.first, "neither");
	HASNT(d.detail, "neither");
	CHECK_INT(d.code, ==, -ENOENT);
	lkm_diagnosis_release(&d);

	/* The exporter not loaded: still the licence, and that it is not loaded. */
	put("proc/modules", "");
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;prop: Unknown symbol gpl_sym (err -2)\n", &d);
	HAS(d.first, "prop cannot use gpl_sym: lkm_export exports it to GPL-compatible modules");
	HAS(d.detail, "gpl_sym: exported by lkm_export with EXPORT_SYMBOL_GPL, which is not loaded");
	lkm_diagnosis_release(&d);
	put("proc/modules", "lkm_export 16384 0 - Live 0x0\n");

	/* Without the log: from the files alone. */
	diagnose(ctx, ko, -ENOENT, "", &d);
	HAS(d.first, "prop cannot use gpl_sym: lkm_export exports it to GPL-compatible modules");
	lkm_diagnosis_release(&d);

	/* A symbol the module has no CRC of (6.1 and 6.12 refuse it with -EINVAL). */
	ko = write_importer("nocrc", "plain_sym", "license=GPL", sizeof("license=GPL"));
	diagnose(ctx, ko, -EINVAL, "4,5,500,-;nocrc: no symbol version for plain_sym\n"
		 "4,6,500,-;nocrc: Unknown symbol plain_sym (err -22)\n", &d);
	HAS(d.first, "nocrc carries no version (CRC) of plain_sym, which lkm_export exports, and "
		     "the kernel checks symbol versions (modversions)");
	HAS(d.detail, "plain_sym: the module's __versions has no entry for it");
	HASNT(d.first, "neither");
	lkm_diagnosis_release(&d);

	/* A plain export the kernel did not resolve is not a licence problem. */
	ko = write_importer("prop", "plain_sym", PROPRIETARY, sizeof(PROPRIETARY));
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;prop: Unknown symbol plain_sym (err -2)\n", &d);
	HAS(d.first, "the kernel did not resolve plain_sym for prop, though lkm_export, which is "
		     "loaded, exports it");
	HASNT(d.first, "neither");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(gpl_only_export_to_a_gpl_compatible_module_is_no_licence_problem)
{
	static const char dual[] = "license=Dual MIT/GPL";
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_importer("free", "gpl_sym", dual, sizeof(dual));
	struct lkm_diagnosis d;

	diagnose(ctx, ko, -ENOENT, "4,5,500,-;free: Unknown symbol gpl_sym (err -2)\n", &d);
	HASNT(d.first, "cannot use");
	HAS(d.first, "the kernel did not resolve gpl_sym for free");
	HASNT(d.detail, "not GPL-compatible");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(gpl_only_kernel_export_from_module_symvers)
{
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_importer("prop", "kern_gpl", PROPRIETARY, sizeof(PROPRIETARY));
	struct lkm_diagnosis d;

	put("lib/modules/" KVER "/build/Module.symvers",
	    "0x11111111\tkern_plain\tvmlinux\tEXPORT_SYMBOL\t\n"
	    "0x22222222\tkern_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t\n"
	    "0x33333333\tkern_ns\tvmlinux\tEXPORT_SYMBOL_GPL\tDEVMEM\n");
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;prop: Unknown symbol kern_gpl (err -2)\n", &d);
	HAS(d.first, "prop cannot use kern_gpl: the kernel exports it to GPL-compatible modules "
		     "only (EXPORT_SYMBOL_GPL)");
	HAS(d.detail, "kern_gpl: exported by the kernel with EXPORT_SYMBOL_GPL\n");
	lkm_diagnosis_release(&d);
	{
		struct diag_export e;

		CHECK_INT(diag_export_facts(ctx, "kern_ns", &e), ==, 0);
		CHECK_STR(e.owner, "vmlinux");
		CHECK_STR(e.ns, "DEVMEM");
		CHECK_INT(diag_export_facts(ctx, "kern_plain", &e), ==, 0);
		CHECK(e.kind_known && !e.gpl_only);
	}
	lkm_ctx_unref(ctx);
}

TEST(namespace_not_imported_names_namespace_and_the_fix)
{
	static const char gpl[] = "license=GPL";
	static const char other[] = "license=GPL\0import_ns=OTHER_NS";
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_importer("nsuser", "ns_sym", gpl, sizeof(gpl));
	struct lkm_diagnosis d;

	/* 6.1 and 6.12 word it so; the first sentence must not say nobody exports it. */
	diagnose(ctx, ko, -EINVAL,
		 "3,6,600,-;nsuser: module uses symbol (ns_sym) from namespace NS_X, but does not "
		 "import it.\n4,7,600,-;nsuser: Unknown symbol ns_sym (err -22)\n", &d);
	HAS(d.first, "nsuser uses ns_sym from the namespace NS_X without importing that "
		     "namespace");
	HAS(d.detail, "ns_sym: exported by lkm_export in the namespace NS_X; nsuser imports: none");
	HAS(d.detail, "add MODULE_IMPORT_NS(NS_X) to its source and rebuild");
	HAS(d.detail, "--force does not help");
	HAS(d.detail, "CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS");
	HAS(d.detail, "kernel: nsuser: module uses symbol (ns_sym) from namespace NS_X");
	HASNT(d.first, "neither");
	HASNT(d.first, "parameter");
	CHECK_INT(d.code, ==, -EINVAL);
	lkm_diagnosis_release(&d);

	/* Later kernels' wording, and a module importing another namespace. */
	ko = write_importer("nsuser", "ns_sym", other, sizeof(other));
	diagnose(ctx, ko, -EINVAL,
		 "3,6,600,-;module nsuser uses symbol ns_sym from namespace NS_X, but does not "
		 "import it.\n", &d);
	HAS(d.first, "nsuser uses ns_sym from the namespace NS_X without importing");
	HAS(d.detail, "nsuser imports: OTHER_NS");
	lkm_diagnosis_release(&d);

	/* Without the log: the exporter's file gives the namespace. */
	diagnose(ctx, ko, -EINVAL, "", &d);
	HAS(d.first, "nsuser uses ns_sym from the namespace NS_X without importing");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(namespace_imported_and_symbols_nobody_exports_keep_their_words)
{
	static const char ok[] = "license=GPL\0import_ns=NS_X";
	struct lkm_ctx *ctx = fixture();
	const char *ko = write_importer("nsok", "ns_sym", ok, sizeof(ok));
	struct lkm_diagnosis d;

	CHECK(diag_module_imports_ns(&(struct modfile){ 0 }, "NS_X") == false);
	/* EINVAL without any record: nothing to blame on a symbol, the kernel's words. */
	diagnose(ctx, ko, -EINVAL, "", &d);
	HASNT(d.first, "namespace");
	HAS(d.first, "the kernel refused nsok: Invalid argument");
	lkm_diagnosis_release(&d);

	/* Another module's records are not this one's (names that share a prefix). */
	ko = write_importer("ns", "ns_sym", "license=GPL", sizeof("license=GPL"));
	diagnose(ctx, ko, -EINVAL, "4,5,500,-;nsuser: Unknown symbol ns_sym (err -22)\n"
		 "3,6,600,-;nsuser: module uses symbol (ns_sym) from namespace NS_X, but does not "
		 "import it.\n", &d);
	HASNT(d.first, "NS_X");
	HASNT(d.first, "symbol");
	lkm_diagnosis_release(&d);

	ko = write_importer("lost", "nobody_has", ok, sizeof(ok));
	diagnose(ctx, ko, -ENOENT, "4,5,500,-;lost: Unknown symbol nobody_has (err -2)\n", &d);
	HAS(d.first, "lost needs a symbol that neither the kernel nor a loaded module exports: "
		     "nobody_has");
	HAS(d.detail, "nobody_has: no module in");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

__attribute__((constructor(101))) static void setup(void)
{
	dfx_setup("diagnose-symbols");
}

TEST_MAIN()
