// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * elf.c: every getter on synthetic modules of each class and byte order, then damaged
 * images (each must give a negative errno and a reason, never a crash), then module
 * files written here (plain, signed, xz) read through file.c. Debian's real modules are
 * read in tests/diff/real-modules.c.
 */
#include <fcntl.h>
#include <unistd.h>

#include "elf-fixture.h"
#include "fixture.h"
#include "lkm-internal.h"
#include "test.h"

struct variant {
	bool is64, be;
	uint16_t machine;
	const char *machine_name;
};

static const struct variant variants[] = {
	{ true, false, 62, "x86_64" },
	{ true, true, 21, "ppc64" },
	{ false, false, 3, "i386" },
	{ false, true, 20, "ppc" },
};

#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static const char modinfo[] = "\0\0license=GPL\0name=fixture\0\0\0depends=fat\0"
			      "alias=fs-fixture\0\0";

struct strtab {
	char buf[512];
	size_t size;
};

static uint32_t str_add(struct strtab *t, const char *s)
{
	uint32_t off = (uint32_t)t->size;

	if (!t->size) {
		t->buf[0] = '\0';
		off = 1;
	}
	strcpy(t->buf + off, s);
	t->size = off + strlen(s) + 1;
	return off;
}

struct fixture_opts {
	bool with_crcs;      /* __crc_ symbols in .symtab (modversions) */
	bool shdr_first;     /* section headers right after the ELF header */
	uint16_t type;       /* ELF type, ET_REL unless set */
};

/* Section indices in the image fixture_module() builds. */
enum { S_TEXT = 1, S_MODINFO, S_VERSIONS, S_KCRCTAB, S_KSYMTAB_STRINGS, S_THIS_MODULE, S_BSS,
       S_SYMTAB, S_STRTAB, S_SHSTRTAB };

static struct fx_image fixture_module(const struct variant *v, const struct fixture_opts *o)
{
	static const struct {
		const char *name;
		uint64_t crc;
	} versions[] = {
		{ "module_layout", 0x11111111 },
		{ "fat_time_fat2unix", 0x22222222 },
		{ "_printk", 0x33333333 },
	};
	uint8_t vers[3 * 64] = { 0 }, kcrctab[8], this_module[0x100] = { 0 };
	unsigned ws = v->is64 ? 8 : 4;
	struct fx_syms syms = { .is64 = v->is64, .be = v->be };
	struct strtab str = { .size = 0 };
	size_t i;

	for (i = 0; i < 3; i++) {
		fx_store(vers + 64 * i, v->be, ws, versions[i].crc);
		strcpy((char *)vers + 64 * i + ws, versions[i].name);
	}
	fx_store(kcrctab, v->be, 4, 0xdeadbeef);
	fx_store(kcrctab + 4, v->be, 4, 0x12345678);
	/* struct module: state, list_head, then the name */
	strcpy((char *)this_module + (v->is64 ? 24 : 12), "fixture");

	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, str_add(&str, "local_thing"), 0 /* LOCAL */, 2 /* FUNC */, S_TEXT, 0);
	fx_sym(&syms, str_add(&str, "fat_time_fat2unix"), 1 /* GLOBAL */, 0, 0, 0);
	fx_sym(&syms, str_add(&str, "_printk"), 1, 0, 0, 0);
	fx_sym(&syms, str_add(&str, "weak_sym"), 2 /* WEAK */, 0, 0, 0);
	fx_sym(&syms, 0, 1, 0, 0, 0); /* an undefined symbol with no name: skipped */
	fx_sym(&syms, str_add(&str, "fixture_export"), 1, 2, S_TEXT, 0);
	if (o->with_crcs) {
		fx_sym(&syms, str_add(&str, "__crc_fixture_export"), 0, 0, S_KCRCTAB, 4);
		fx_sym(&syms, str_add(&str, "__crc_other_export"), 1, 0, 0xfff1 /* ABS */,
		       0xabcdef01);
	}

	struct fx_section secs[] = {
		{ ".text", 1, "\xc3\xc3\xc3\xc3", 4 },
		{ ".modinfo", 1, modinfo, sizeof(modinfo) - 1 },
		{ "__versions", 1, vers, sizeof(vers) },
		{ "__kcrctab", 1, kcrctab, sizeof(kcrctab) },
		{ "__ksymtab_strings", 1, "fixture_export\0other_export\0", 28 },
		{ ".gnu.linkonce.this_module", 1, this_module, sizeof(this_module) },
		{ ".bss", 8, NULL, 1 << 20 },
		{ ".symtab", 2, syms.buf, syms.size, S_STRTAB, v->is64 ? 24 : 16 },
		{ ".strtab", 3, str.buf, str.size },
	};
	return fx_build(v->is64, v->be, o->type ? o->type : 1, v->machine, secs,
			sizeof(secs) / sizeof(secs[0]), o->shdr_first);
}

static const struct fixture_opts plain_opts = { .with_crcs = true };

static void check_getters(const struct variant *v, const struct fx_image *img, bool with_crcs)
{
	struct lkm_err err = { 0 };
	struct lkm_elf_section s;
	struct lkm_elf_version *ver;
	struct lkm_elf_export *ex;
	struct lkm_elf_import *im;
	struct lkm_elf elf;
	const char **mi;
	char name[64];
	size_t n;
	int r;

	r = lkm_elf_parse(img->data, img->size, &elf, &err);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  parse: %s\n", err.why);
		return;
	}
	CHECK_INT(elf.is64, ==, v->is64);
	CHECK_INT(elf.big_endian, ==, v->be);
	CHECK_INT(elf.type, ==, 1);
	CHECK_STR(lkm_elf_machine_name(elf.machine), v->machine_name);
	CHECK_INT(lkm_elf_section_count(&elf), ==, S_SHSTRTAB + 1);

	CHECK_INT(lkm_elf_find_section(&elf, "__kcrctab", &s), ==, 0);
	CHECK_INT(s.index, ==, S_KCRCTAB);
	CHECK_INT(s.size, ==, 8);
	CHECK_STR(s.name, "__kcrctab");
	CHECK(s.data == img->data + img->off[S_KCRCTAB]);
	CHECK_INT(lkm_elf_find_section(&elf, ".bss", &s), ==, 0);
	CHECK(s.data == NULL && s.size == 1 << 20);
	CHECK_INT(lkm_elf_find_section(&elf, ".nope", &s), ==, -ENOENT);
	CHECK_INT(lkm_elf_get_section(&elf, S_SYMTAB, &s), ==, 0);
	CHECK_STR(s.name, ".symtab");
	CHECK_INT(s.link, ==, S_STRTAB);
	CHECK_INT(lkm_elf_get_section(&elf, S_SHSTRTAB + 1, &s), ==, -ENOENT);

	CHECK_INT(lkm_elf_get_modinfo(&elf, &mi, &n, &err), ==, 0);
	CHECK_INT(n, ==, 4);
	if (n == 4) {
		CHECK_STR(mi[0], "license=GPL");
		CHECK_STR(mi[1], "name=fixture");
		CHECK_STR(mi[2], "depends=fat");
		CHECK_STR(mi[3], "alias=fs-fixture");
	}
	free(mi);

	CHECK_INT(lkm_elf_get_versions(&elf, &ver, &n, &err), ==, 0);
	CHECK_INT(n, ==, 3);
	if (n == 3) {
		CHECK_STR(ver[0].name, "module_layout");
		CHECK_INT(ver[0].crc, ==, 0x11111111);
		CHECK_STR(ver[2].name, "_printk");
		CHECK_INT(ver[2].crc, ==, 0x33333333);
	}
	free(ver);

	CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
	CHECK_INT(n, ==, 2);
	if (n == 2) {
		CHECK_STR(ex[0].name, "fixture_export");
		CHECK_STR(ex[1].name, "other_export");
		CHECK_INT(ex[0].has_crc, ==, with_crcs);
		CHECK_INT(ex[1].has_crc, ==, with_crcs);
		if (with_crcs) {
			/* one CRC read from __kcrctab at the symbol's offset, one absolute */
			CHECK_INT(ex[0].crc, ==, 0x12345678);
			CHECK_INT(ex[1].crc, ==, 0xabcdef01);
		}
	}
	free(ex);

	CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, 0);
	CHECK_INT(n, ==, 4);
	if (n == 4) {
		CHECK_STR(im[0].name, "fat_time_fat2unix");
		CHECK(im[0].has_crc && im[0].crc == 0x22222222);
		CHECK_INT(im[0].bind, ==, LKM_BIND_GLOBAL);
		CHECK_STR(im[1].name, "_printk");
		CHECK(im[1].has_crc && im[1].crc == 0x33333333);
		CHECK_STR(im[2].name, "weak_sym");
		CHECK(!im[2].has_crc);
		CHECK_INT(im[2].bind, ==, LKM_BIND_WEAK);
		/* a __versions entry no symbol uses comes last, as kmod lists it */
		CHECK_STR(im[3].name, "module_layout");
		CHECK(im[3].has_crc && im[3].crc == 0x11111111);
	}
	free(im);

	CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, 0);
	CHECK_STR(name, "fixture");
	CHECK_INT(lkm_elf_get_this_module_name(&elf, name, 4), ==, -ENAMETOOLONG);
}

TEST(getters_agree_on_all_classes_and_byte_orders)
{
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);
		struct fixture_opts first = { .with_crcs = true, .shdr_first = true };

		check_getters(&variants[i], &img, true);
		free(img.data);
		img = fixture_module(&variants[i], &first);
		check_getters(&variants[i], &img, true);
		free(img.data);
	}
}

TEST(exports_fall_back_to_ksymtab_strings_without_crc_symbols)
{
	struct fixture_opts o = { .with_crcs = false };
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &o);

		check_getters(&variants[i], &img, false);
		free(img.data);
	}
}

/*
 * kmod's modprobe --show-modversions fails (ENOENT) on a module without __versions, but
 * lists nothing on one with an empty __versions: the getter must tell the two apart.
 */
TEST(no_versions_section_is_enoent_an_empty_one_no_entries)
{
	static const char mi[] = "license=GPL";
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		const struct variant *v = &variants[i];
		struct fx_section secs[2] = {
			{ .name = ".modinfo", .type = 1, .data = mi, .size = sizeof(mi) },
			{ .name = "__versions", .type = 1, .data = "", .size = 0 },
		};
		struct lkm_elf_version *ver = NULL;
		struct lkm_err err = { 0 };
		struct fx_image img;
		struct lkm_elf elf;
		size_t n = 1;

		img = fx_build(v->is64, v->be, 1, v->machine, secs, 1, false);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_versions(&elf, &ver, &n, &err), ==, -ENOENT);
		CHECK(ver == NULL && n == 0);
		free(img.data);

		img = fx_build(v->is64, v->be, 1, v->machine, secs, 2, false);
		n = 1;
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_versions(&elf, &ver, &n, &err), ==, 0);
		CHECK(ver == NULL && n == 0);
		free(img.data);
	}
}

/* A missing section and an empty one differ, and the first of two names is the one. */
TEST(section_size_tells_missing_from_empty)
{
	static const char mi[] = "license=GPL";
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		const struct variant *v = &variants[i];
		struct fx_section secs[3] = {
			{ .name = ".modinfo", .type = 1, .data = mi, .size = sizeof(mi) },
			{ .name = "__versions", .type = 1, .data = "", .size = 0 },
			{ .name = ".modinfo", .type = 1, .data = "x", .size = 1 },
		};
		struct lkm_err err = { 0 };
		struct fx_image img;
		struct lkm_elf elf;
		uint64_t size = 7;

		img = fx_build(v->is64, v->be, 1, v->machine, secs, 3, false);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_section_size(&elf, ".modinfo", &size), ==, 0);
		CHECK_INT(size, ==, sizeof(mi));
		CHECK_INT(lkm_elf_get_section_size(&elf, "__versions", &size), ==, 0);
		CHECK_INT(size, ==, 0);
		CHECK_INT(lkm_elf_get_section_size(&elf, "__versions", NULL), ==, 0);
		size = 7;
		CHECK_INT(lkm_elf_get_section_size(&elf, "__ksymtab_strings", &size), ==, -ENOENT);
		CHECK_INT(size, ==, 7);
		/* section 0, the null one, has an empty name but is no section */
		CHECK_INT(lkm_elf_get_section_size(&elf, "", &size), ==, -ENOENT);
		free(img.data);
	}
}

TEST(extended_section_numbering_is_followed)
{
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);

		/* e_shnum 0 and e_shstrndx SHN_XINDEX: the values move to section 0 */
		fx_put(&img, fx_e_shnum(&img), 2, 0);
		fx_put(&img, fx_e_shstrndx(&img), 2, 0xffff);
		fx_set_shdr(&img, 0, FX_SH_SIZE, S_SHSTRTAB + 1);
		fx_set_shdr(&img, 0, FX_SH_LINK, S_SHSTRTAB);
		check_getters(&variants[i], &img, true);
		free(img.data);
	}
}

/* Parse must fail with @code (or any negative if 0) and a reason; returns the reason. */
static const char *expect_parse_error(const void *data, size_t size, int code)
{
	static struct lkm_err err;
	struct lkm_elf elf;
	int r;

	memset(&err, 0, sizeof(err));
	r = lkm_elf_parse(data, size, &elf, &err);
	if (code)
		CHECK_INT(r, ==, code);
	else
		CHECK_INT(r, <, 0);
	CHECK(err.why[0] != '\0');
	return err.why;
}

TEST(every_truncation_is_refused)
{
	size_t i, cut;
	int s, layout;

	for (i = 0; i < NVARIANTS; i++) {
		for (layout = 0; layout < 2; layout++) {
			struct fixture_opts o = { .with_crcs = true, .shdr_first = layout };
			struct fx_image img = fixture_module(&variants[i], &o);
			uint8_t *copy;

			for (s = 0; s < img.nsec; s++) {
				cut = img.off[s];
				if (cut && cut < img.size) {
					copy = malloc(cut);
					memcpy(copy, img.data, cut);
					expect_parse_error(copy, cut, 0);
					free(copy);
				}
			}
			for (cut = 0; cut < img.size; cut += img.size / 64 + 1) {
				/* a fresh allocation of the exact size, so ASan sees overreads */
				copy = malloc(cut ? cut : 1);
				memcpy(copy, img.data, cut);
				expect_parse_error(copy, cut, 0);
				free(copy);
			}
			copy = malloc(img.size - 1);
			memcpy(copy, img.data, img.size - 1);
			expect_parse_error(copy, img.size - 1, 0);
			free(copy);
			free(img.data);
		}
	}
}

TEST(sections_past_the_end_are_named)
{
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);
		uint8_t *orig = malloc(img.size);
		const char *why;

		memcpy(orig, img.data, img.size);
		fx_set_shdr(&img, S_MODINFO, FX_SH_SIZE, img.size);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "section 2 (.modinfo) ends at byte") != NULL);
		CHECK(strstr(why, "past the end of the file") != NULL);

		memcpy(img.data, orig, img.size);
		fx_set_shdr(&img, S_VERSIONS, FX_SH_OFFSET, img.size + 100);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "__versions") != NULL);

		/* offset + size wraps around */
		memcpy(img.data, orig, img.size);
		fx_set_shdr(&img, S_STRTAB, FX_SH_SIZE, img.is64 ? UINT64_MAX : UINT32_MAX);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, ".strtab") != NULL);

		/* a huge NOBITS section is fine: it has no bytes in the file */
		memcpy(img.data, orig, img.size);
		fx_set_shdr(&img, S_BSS, FX_SH_SIZE, img.is64 ? UINT64_MAX : UINT32_MAX);
		{
			struct lkm_elf elf;
			struct lkm_err err = { 0 };

			CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		}
		free(orig);
		free(img.data);
	}
}

TEST(section_table_damage_is_refused)
{
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);
		uint8_t *orig = malloc(img.size);
		unsigned w = fx_word(&img);
		const char *why;

		memcpy(orig, img.data, img.size);
		fx_put(&img, fx_e_shoff(&img), w, img.size + 8);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "section table") != NULL);

		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shoff(&img), w, img.is64 ? UINT64_MAX - 8 : UINT32_MAX - 8);
		expect_parse_error(img.data, img.size, -EINVAL);

		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shoff(&img), w, 0);
		expect_parse_error(img.data, img.size, -EINVAL);

		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shnum(&img), 2, 0xfffe);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "past the end") != NULL);

		/* extended numbering claiming more sections than fit */
		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shnum(&img), 2, 0);
		fx_set_shdr(&img, 0, FX_SH_SIZE, 0x7fffffff);
		expect_parse_error(img.data, img.size, -EINVAL);

		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shstrndx(&img), 2, S_SHSTRTAB + 5);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "out of range") != NULL);

		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shstrndx(&img), 2, 0xffff);
		fx_set_shdr(&img, 0, FX_SH_LINK, 0x10000);
		expect_parse_error(img.data, img.size, -EINVAL);

		/* the name table pointing at NOBITS */
		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shstrndx(&img), 2, S_BSS);
		expect_parse_error(img.data, img.size, -EINVAL);

		/* wrong entry size */
		memcpy(img.data, orig, img.size);
		fx_put(&img, img.is64 ? 58 : 46, 2, 12);
		expect_parse_error(img.data, img.size, -EINVAL);

		/* a name offset past the name table */
		memcpy(img.data, orig, img.size);
		fx_set_shdr(&img, S_TEXT, FX_SH_NAME, img.len[S_SHSTRTAB] + 3);
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "section 1") != NULL);

		/* the name table not terminated: its last name runs off its end */
		memcpy(img.data, orig, img.size);
		img.data[img.off[S_SHSTRTAB] + img.len[S_SHSTRTAB] - 1] = 'x';
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "name") != NULL);

		free(orig);
		free(img.data);
	}
}

TEST(non_elf_and_non_relocatable_files_are_refused)
{
	const char *why;
	size_t i;

	why = expect_parse_error("hello, this is a text file\n", 27, -ENOEXEC);
	CHECK(strstr(why, "not an ELF file") != NULL);
	expect_parse_error("", 0, -ENOEXEC);
	expect_parse_error("\x7f" "EL", 3, -ENOEXEC);
	expect_parse_error("\x7f" "ELF\x03\x01\x01\0\0\0\0\0\0\0\0\0", 16, -ENOEXEC);
	expect_parse_error("\x7f" "ELF\x02\x05\x01\0\0\0\0\0\0\0\0\0", 16, -ENOEXEC);
	expect_parse_error("\x7f" "ELF\x02\x01\x07\0\0\0\0\0\0\0\0\0", 16, -ENOEXEC);
	/* an identification with no header after it */
	expect_parse_error("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16, -ENOEXEC);

	for (i = 0; i < NVARIANTS; i++) {
		struct fixture_opts o = { .with_crcs = true, .type = 2 /* ET_EXEC */ };
		struct fx_image img = fixture_module(&variants[i], &o);

		why = expect_parse_error(img.data, img.size, -ENOEXEC);
		CHECK(strstr(why, "EXEC") != NULL);
		CHECK(strstr(why, "program") != NULL);
		fx_put(&img, FX_E_TYPE, 2, 3);
		why = expect_parse_error(img.data, img.size, -ENOEXEC);
		CHECK(strstr(why, "DYN") != NULL);
		fx_put(&img, FX_E_TYPE, 2, 0x1234);
		expect_parse_error(img.data, img.size, -ENOEXEC);
		free(img.data);
	}
}

TEST(a_real_program_is_not_a_module)
{
	struct lkm_err err = { 0 };
	struct lkm_file *f;
	const char *why;

	if (lkm_file_open("/bin/true", &f, &err) < 0) {
		SKIP("/bin/true: %s", err.why);
		return;
	}
	why = expect_parse_error(f->data, f->size, -ENOEXEC);
	CHECK(strstr(why, "DYN") != NULL || strstr(why, "EXEC") != NULL);
	lkm_file_free(f);
}

/* Parse the fixture, damage its contents with @damage, and run one getter. */
static struct fx_image parsed_fixture(const struct variant *v, struct lkm_elf *elf)
{
	struct fx_image img = fixture_module(v, &plain_opts);
	struct lkm_err err = { 0 };

	CHECK_INT(lkm_elf_parse(img.data, img.size, elf, &err), ==, 0);
	return img;
}

TEST(section_contents_damage_is_refused)
{
	size_t i, n;

	for (i = 0; i < NVARIANTS; i++) {
		const struct variant *v = &variants[i];
		struct lkm_err err = { 0 };
		struct lkm_elf_version *ver;
		struct lkm_elf_import *im;
		struct lkm_elf elf;
		const char **mi;
		char name[64];
		struct fx_image img;

		/* .modinfo whose last string has no NUL */
		img = parsed_fixture(v, &elf);
		img.data[img.off[S_MODINFO] + img.len[S_MODINFO] - 1] = 'x';
		CHECK_INT(lkm_elf_get_modinfo(&elf, &mi, &n, &err), ==, -EINVAL);
		CHECK(strstr(err.why, ".modinfo") != NULL);
		free(img.data);

		/* __versions not a whole number of entries */
		img = parsed_fixture(v, &elf);
		fx_set_shdr(&img, S_VERSIONS, FX_SH_SIZE, 100);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_versions(&elf, &ver, &n, &err), ==, -EINVAL);
		CHECK(strstr(err.why, "__versions") != NULL);
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		free(img.data);

		/* a __versions name that fills its slot */
		img = parsed_fixture(v, &elf);
		memset(img.data + img.off[S_VERSIONS] + 64 + (v->is64 ? 8 : 4), 'a',
		       v->is64 ? 56 : 60);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_elf_get_versions(&elf, &ver, &n, &err), ==, -EINVAL);
		CHECK(err.why[0] != '\0');
		free(img.data);

		/* an undefined symbol naming a string past .strtab */
		img = parsed_fixture(v, &elf);
		fx_put(&img, img.off[S_SYMTAB] + 2 * (v->is64 ? 24 : 16), 4, 0x7ffffff0);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		CHECK(strstr(err.why, "symbol 2") != NULL);
		free(img.data);

		/* .strtab not terminated: the last name runs off its end */
		img = parsed_fixture(v, &elf);
		memset(img.data + img.off[S_STRTAB] + img.len[S_STRTAB] - 1, 'x', 1);
		{
			struct lkm_elf_export *ex;

			/* __crc_other_export is the last name: fall back, as kmod does */
			CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
			CHECK_INT(n, ==, 2);
			CHECK(n == 0 || !ex[0].has_crc);
			free(ex);
		}
		free(img.data);

		/* .symtab not a whole number of symbols */
		img = parsed_fixture(v, &elf);
		fx_set_shdr(&img, S_SYMTAB, FX_SH_SIZE, img.len[S_SYMTAB] - 1);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		CHECK(strstr(err.why, ".symtab") != NULL);
		free(img.data);

		/* the module name: unterminated, unprintable, empty */
		img = parsed_fixture(v, &elf);
		memset(img.data + img.off[S_THIS_MODULE] + (v->is64 ? 24 : 12), 'a', 200);
		CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, -EINVAL);
		img.data[img.off[S_THIS_MODULE] + (v->is64 ? 24 : 12) + 3] = '\0';
		CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, 0);
		CHECK_STR(name, "aaa");
		img.data[img.off[S_THIS_MODULE] + (v->is64 ? 24 : 12) + 1] = '\n';
		CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, -EINVAL);
		img.data[img.off[S_THIS_MODULE] + (v->is64 ? 24 : 12)] = '\0';
		CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, -EINVAL);
		/* the section too short to reach the name */
		fx_set_shdr(&img, S_THIS_MODULE, FX_SH_SIZE, v->is64 ? 24 : 12);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, -EINVAL);
		/* and absent */
		fx_put(&img, img.off[S_SHSTRTAB] + 1, 1, 'X');
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_find_section(&elf, ".text", &(struct lkm_elf_section){ 0 }), ==,
			  -ENOENT);
		free(img.data);
	}
}

/*
 * Random damage anywhere: whatever parses must survive every getter. Run under ASan
 * this is what proves the getters check what they read.
 */
TEST(random_damage_never_crashes)
{
	uint32_t x = 2463534242u;
	size_t i;
	int round, k;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);
		uint8_t *copy = malloc(img.size);

		for (round = 0; round < 3000; round++) {
			struct lkm_err err = { 0 };
			struct lkm_elf elf;
			int r;

			memcpy(copy, img.data, img.size);
			for (k = 0; k < 1 + round % 4; k++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				copy[x % img.size] = (uint8_t)(x >> 8);
			}
			r = lkm_elf_parse(copy, img.size, &elf, &err);
			if (r < 0) {
				CHECK(err.why[0] != '\0');
				continue;
			}
			{
				struct lkm_elf_version *ver = NULL;
				struct lkm_elf_export *ex = NULL;
				struct lkm_elf_import *im = NULL;
				const char **mi = NULL;
				char name[64];
				size_t n;

				if (lkm_elf_get_modinfo(&elf, &mi, &n, &err) == 0)
					free(mi);
				if (lkm_elf_get_versions(&elf, &ver, &n, &err) == 0)
					free(ver);
				if (lkm_elf_get_exports(&elf, &ex, &n, &err) == 0)
					free(ex);
				if (lkm_elf_get_imports(&elf, &im, &n, &err) == 0)
					free(im);
				if (lkm_elf_get_this_module_name(&elf, name, sizeof(name)) == 0)
					CHECK(name[0] != '\0');
			}
		}
		free(copy);
		free(img.data);
	}
}

TEST(machine_names)
{
	CHECK_STR(lkm_elf_machine_name(62), "x86_64");
	CHECK_STR(lkm_elf_machine_name(183), "aarch64");
	CHECK_STR(lkm_elf_machine_name(243), "riscv");
	CHECK_STR(lkm_elf_machine_name(258), "loongarch");
	CHECK_STR(lkm_elf_machine_name(43), "sparc64");
	CHECK(lkm_elf_machine_name(0x7777) == NULL);
}

/* ------------------------------------------------- modules written to files */

static char tmpdir[256];

static const char *tmp_file(const char *name, const void *data, size_t len)
{
	static char paths[4][512];
	static int n;
	char *p = paths[n++ % 4];

	fixture_write(tmpdir, name, data, len, "w");
	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static bool has_string(const char **a, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(a[i], s) == 0)
			return true;
	}
	return false;
}

/* What msdos.ko and fat.ko of a Debian kernel hold, in small. */
static const char msdos_modinfo[] = "alias=fs-msdos\0license=GPL\0description=MS-DOS filesystem support\0"
				    "depends=fat\0retpoline=Y\0intree=Y\0name=msdos\0"
				    "vermagic=6.1.0-fix SMP preempt mod_unload modversions \0";
static const struct fx_crc_sym msdos_imports[] = {
	{ "module_layout", 0x0e12cc3a }, { "fat_fill_super", 0x4f1b2c3d },
	{ "fat_time_fat2unix", 0x2d6a3f70 }, { "_printk", 0x92997ed8 },
};
static const char fat_modinfo[] = "license=GPL\0name=fat\0depends=\0";
static const struct fx_crc_sym fat_exports[] = {
	{ "fat_attach", 0x10000001 },	     { "fat_build_inode", 0x10000002 },
	{ "fat_dir_empty", 0x10000003 },     { "fat_fill_super", 0x4f1b2c3d },
	{ "fat_flush_inodes", 0x10000005 },  { "fat_free_clusters", 0x10000006 },
	{ "fat_get_dotdot_entry", 0x1007 }, { "fat_getattr", 0x10000008 },
	{ "fat_remove_entries", 0x10009 },   { "fat_scan", 0x1000000a },
	{ "fat_search_long", 0x1000000b },   { "fat_setattr", 0x1000000c },
	{ "fat_sync_inode", 0x1000000d },    { "fat_time_fat2unix", 0x2d6a3f70 },
	{ "fat_truncate_blocks", 0x1000000f },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct fx_image msdos_image(void)
{
	struct fx_module_spec m = {
		.is64 = true, .machine = 62, .name = "msdos",
		.modinfo = msdos_modinfo, .modinfo_len = sizeof(msdos_modinfo) - 1,
		.imports = msdos_imports, .n_imports = NELEM(msdos_imports),
	};

	return fx_module(&m);
}

/* A PKCS#7 trailer of junk, as an unparsed signature: the ELF reader must not mind. */
static uint8_t *with_trailer(const struct fx_image *img, size_t *len)
{
	static const uint8_t hdr[8] = { 0, 0, 2, 0, 0, 0, 0, 0 };
	uint8_t blob[300];
	size_t i;

	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 13 + 5);
	return fx_append_sig(img->data, img->size, blob, sizeof(blob), hdr, sizeof(blob), len);
}

/* Open @path with file.c and parse it; false (after failing the test) when it cannot. */
static bool open_module(const char *path, struct lkm_file **f, struct lkm_elf *elf)
{
	struct lkm_err err = { 0 };
	int r = lkm_file_open(path, f, &err);

	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, err.why);
		return false;
	}
	r = lkm_elf_parse((*f)->data, (*f)->size, elf, &err);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, err.why);
		lkm_file_free(*f);
		return false;
	}
	return true;
}

static void check_msdos(struct lkm_file *f, struct lkm_elf *elf)
{
	struct lkm_err err = { 0 };
	struct lkm_elf_export *ex;
	struct lkm_elf_import *im;
	const char **mi;
	char name[64];
	size_t n, i;
	bool fat_sym = false;

	CHECK_STR(lkm_elf_machine_name(elf->machine), "x86_64");
	CHECK_INT(lkm_elf_get_modinfo(elf, &mi, &n, &err), ==, 0);
	CHECK_INT(n, ==, 8);
	CHECK(has_string(mi, n, "name=msdos"));
	CHECK(has_string(mi, n, "depends=fat"));
	free(mi);
	CHECK_INT(lkm_elf_get_exports(elf, &ex, &n, &err), ==, 0);
	CHECK_INT(n, ==, 0);
	free(ex);
	CHECK_INT(lkm_elf_get_imports(elf, &im, &n, &err), ==, 0);
	CHECK_INT(n, ==, NELEM(msdos_imports));
	for (i = 0; i < n; i++) {
		fat_sym |= strcmp(im[i].name, "fat_fill_super") == 0 && im[i].has_crc &&
			   im[i].crc == 0x4f1b2c3d;
		CHECK(im[i].has_crc);
	}
	CHECK(fat_sym);
	free(im);
	CHECK_INT(lkm_elf_get_this_module_name(elf, name, sizeof(name)), ==, 0);
	CHECK_STR(name, "msdos");
	lkm_file_free(f);
}

TEST(plain_module_file_with_a_signature_trailer)
{
	struct fx_module_spec fat = {
		.is64 = true, .machine = 62, .name = "fat",
		.modinfo = fat_modinfo, .modinfo_len = sizeof(fat_modinfo) - 1,
		.exports = fat_exports, .n_exports = NELEM(fat_exports),
	};
	struct fx_image img = msdos_image();
	struct lkm_err err = { 0 };
	struct lkm_elf_export *ex;
	struct lkm_file *f;
	struct lkm_elf elf;
	uint8_t *signed_data;
	size_t n, i, len;
	bool found = false;

	signed_data = with_trailer(&img, &len);
	if (open_module(tmp_file("msdos.ko", signed_data, len), &f, &elf)) {
		CHECK_INT(f->compression, ==, LKM_COMP_NONE);
		CHECK_INT(f->size, ==, len);
		check_msdos(f, &elf);
	}
	free(signed_data);
	free(img.data);

	img = fx_module(&fat);
	signed_data = with_trailer(&img, &len);
	if (open_module(tmp_file("fat.ko", signed_data, len), &f, &elf)) {
		CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
		CHECK_INT(n, ==, NELEM(fat_exports));
		for (i = 0; i < n && i < NELEM(fat_exports); i++) {
			CHECK_STR(ex[i].name, fat_exports[i].name);
			CHECK(ex[i].has_crc && ex[i].crc == fat_exports[i].crc);
			found |= strcmp(ex[i].name, "fat_time_fat2unix") == 0 && ex[i].has_crc;
		}
		CHECK(found);
		free(ex);
		lkm_file_free(f);
	}
	free(signed_data);
	free(img.data);
}

TEST(xz_module_file_reads_like_the_plain_one)
{
#if HAVE_XZ
	struct fx_image img = msdos_image();
	struct lkm_file *f;
	struct lkm_elf elf;
	uint8_t *signed_data, *z;
	size_t len, zlen;

	signed_data = with_trailer(&img, &len);
	z = fx_xz(signed_data, len, &zlen);
	CHECK(z != NULL);
	if (z && open_module(tmp_file("msdos.ko.xz", z, zlen), &f, &elf)) {
		CHECK_INT(f->compression, ==, LKM_COMP_XZ);
		CHECK_INT(f->size, ==, len);
		CHECK(memcmp(f->data, signed_data, len) == 0);
		check_msdos(f, &elf);
	}
	free(z);
	free(signed_data);
	free(img.data);
#else
	SKIP("lkm is built without xz support");
#endif
}

/* ---------------------------------------------- shapes that broke other parsers */

/*
 * A section whose offset + size wraps around the width of the class: in 32-bit
 * arithmetic (or 64-bit for ELF64) the end would land inside the file.
 */
TEST(offsets_that_wrap_when_added_are_refused)
{
	static const int secs[] = { S_MODINFO, S_VERSIONS, S_KSYMTAB_STRINGS, S_SYMTAB, S_STRTAB };
	size_t i, k;

	for (i = 0; i < NVARIANTS; i++) {
		struct fx_image img = fixture_module(&variants[i], &plain_opts);
		uint8_t *orig = malloc(img.size);
		uint64_t wrap = img.is64 ? 0 : (uint64_t)1 << 32; /* 2^64 is 0 in uint64_t */
		unsigned w = fx_word(&img);
		const char *why;
		char want[64];

		memcpy(orig, img.data, img.size);
		for (k = 0; k < NELEM(secs); k++) {
			int s = secs[k];
			uint64_t end = img.off[s] + img.len[s], off = wrap - 0x40;

			/* off + size == end (mod 2^32 or 2^64): "inside" the file */
			memcpy(img.data, orig, img.size);
			fx_set_shdr(&img, s, FX_SH_OFFSET, off);
			fx_set_shdr(&img, s, FX_SH_SIZE, end + 0x40);
			why = expect_parse_error(img.data, img.size, -EINVAL);
			snprintf(want, sizeof(want), "section %d (%s)", s, img.names[s]);
			CHECK(strstr(why, want) != NULL);
			CHECK(strstr(why, "past the end of the file") != NULL);

			/* the largest offset with a size of 1: the sum wraps to 0 */
			memcpy(img.data, orig, img.size);
			fx_set_shdr(&img, s, FX_SH_OFFSET, wrap - 1);
			fx_set_shdr(&img, s, FX_SH_SIZE, 1);
			why = expect_parse_error(img.data, img.size, -EINVAL);
			CHECK(strstr(why, want) != NULL);
		}
		/* the section table itself: e_shoff + e_shnum * e_shentsize wraps */
		memcpy(img.data, orig, img.size);
		fx_put(&img, fx_e_shoff(&img), w, wrap - fx_shdr_size(&img));
		why = expect_parse_error(img.data, img.size, -EINVAL);
		CHECK(strstr(why, "section table") != NULL);
		free(orig);
		free(img.data);
	}
}

/* An image with two undefined symbols whose .strtab is @strtab (@len bytes). */
static struct fx_image strtab_image(const struct variant *v, const char *strtab, size_t len,
				    uint32_t name1, uint32_t name2)
{
	struct fx_syms syms = { .is64 = v->is64, .be = v->be };

	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, name1, 1, 0, 0, 0);
	fx_sym(&syms, name2, 1, 0, 0, 0);
	struct fx_section secs[] = {
		{ ".symtab", 2, syms.buf, syms.size, 2, v->is64 ? 24 : 16 },
		{ ".strtab", 3, strtab, len },
	};
	return fx_build(v->is64, v->be, 1, v->machine, secs, 2, false);
}

TEST(symbol_name_without_its_nul_at_the_end_of_the_string_table)
{
	/* "\0first\0last" with no NUL after "last": 11 bytes, "last" at byte 7 */
	static const char strtab[] = "\0first\0last";
	size_t i;

	for (i = 0; i < NVARIANTS; i++) {
		const struct variant *v = &variants[i];
		struct lkm_elf_import *im = NULL;
		struct lkm_elf_export *ex = NULL;
		struct lkm_err err = { 0 };
		struct fx_image img;
		struct lkm_elf elf;
		size_t n = 99;

		img = strtab_image(v, strtab, sizeof(strtab) - 1, 1, 7);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		CHECK(im == NULL);
		CHECK_STR(err.why, "symbol 2 has its name at byte 7, which runs to the end of "
				   "the symbol string table (11 bytes) without a terminating NUL");
		/* exports come from nothing here: the symbol names are not read for them */
		CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
		CHECK_INT(n, ==, 0);
		free(ex);
		free(img.data);

		/* the same name terminated: both read */
		img = strtab_image(v, strtab, sizeof(strtab), 1, 7);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, 0);
		CHECK_INT(n, ==, 2);
		if (n == 2) {
			CHECK_STR(im[0].name, "first");
			CHECK_STR(im[1].name, "last");
		}
		free(im);
		free(img.data);

		/* a name that starts at the table's end is outside it */
		img = strtab_image(v, strtab, sizeof(strtab) - 1, 1, 11);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		CHECK_STR(err.why, "symbol 2 has its name at byte 11, outside the symbol string "
				   "table (11 bytes)");
		free(img.data);

		/* a one-byte table that is not even a NUL */
		img = strtab_image(v, "x", 1, 0, 0);
		CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
		CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, -EINVAL);
		CHECK_STR(err.why, "symbol 1 has its name at byte 0, which runs to the end of "
				   "the symbol string table (1 bytes) without a terminating NUL");
		free(img.data);
	}
}

/* A module whose .modinfo is @mi (@len bytes, maybe without its last NUL). */
static struct fx_image modinfo_image(const struct variant *v, const char *mi, size_t len)
{
	struct fx_section secs[] = { { ".modinfo", 1, mi, len } };

	return fx_build(v->is64, v->be, 1, v->machine, secs, 1, false);
}

TEST(an_unterminated_last_modinfo_string_is_refused_with_a_reason)
{
	static const struct {
		const char *data;
		size_t len;
	} shapes[] = {
		{ "license=GPL\0name=x\0alias=cut", 28 },  /* the last string cut */
		{ "license=GPL", 11 },                      /* one string, no NUL */
		{ "x", 1 },                                 /* one byte */
		{ "\0\0\0\0name=x\0\0\0version=1", 21 },    /* after padding */
	};
	const char *want = "section .modinfo ends in the middle of a string (its last byte "
			   "is not NUL)";
	size_t i, k;

	for (i = 0; i < NVARIANTS; i++) {
		for (k = 0; k < NELEM(shapes); k++) {
			struct fx_image img = modinfo_image(&variants[i], shapes[k].data,
							    shapes[k].len);
			struct lkm_err err = { 0 };
			struct lkm_elf elf;
			const char **mi = (const char **)&err;
			size_t n = 99;

			CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
			CHECK_INT(lkm_elf_get_modinfo(&elf, &mi, &n, &err), ==, -EINVAL);
			CHECK(mi == NULL && n == 0);
			CHECK_STR(err.why, want);
			free(img.data);

			/* with the NUL the same strings read, the last one whole */
			{
				char *fixed = malloc(shapes[k].len + 1);
				const char *last;

				memcpy(fixed, shapes[k].data, shapes[k].len);
				fixed[shapes[k].len] = '\0';
				img = modinfo_image(&variants[i], fixed, shapes[k].len + 1);
				CHECK_INT(lkm_elf_parse(img.data, img.size, &elf, &err), ==, 0);
				CHECK_INT(lkm_elf_get_modinfo(&elf, &mi, &n, &err), ==, 0);
				last = memrchr(fixed, '\0', shapes[k].len);
				last = last ? last + 1 : fixed;
				CHECK(n > 0 && strcmp(mi[n - 1], last) == 0);
				free(mi);
				free(fixed);
				free(img.data);
			}
		}
	}
}

/* The same through modinfo.c, from a file, as `modinfo` reads it. */
TEST(modinfo_of_a_file_whose_last_string_is_cut)
{
	static const char mi[] = "license=GPL\0name=cut\0alias=fs-cu";
	struct fx_image img = modinfo_image(&variants[0], mi, sizeof(mi) - 1);
	struct lkm_err err = { 0 };
	struct lkm_modinfo *info = NULL;
	struct lkm_file *f = NULL;

	CHECK_INT(lkm_file_open(tmp_file("cut.ko", img.data, img.size), &f, &err), ==, 0);
	if (f) {
		CHECK_INT(lkm_modinfo_from_file(f, &info, &err), ==, -EINVAL);
		CHECK(info == NULL);
		CHECK(strstr(err.why, ".modinfo ends in the middle of a string") != NULL);
		lkm_file_free(f);
	}
	free(img.data);
	img = modinfo_image(&variants[0], mi, sizeof(mi));
	CHECK_INT(lkm_file_open(tmp_file("whole.ko", img.data, img.size), &f, &err), ==, 0);
	if (f) {
		CHECK_INT(lkm_modinfo_from_file(f, &info, &err), ==, 0);
		CHECK(info != NULL);
		if (info) {
			size_t n;
			const struct lkm_modinfo_entry *e = lkm_modinfo_get_entries(info, &n);

			CHECK_INT(n, ==, 3);
			if (n == 3) {
				CHECK_STR(e[2].key, "alias");
				CHECK_STR(e[2].value, "fs-cu");
			}
		}
		lkm_modinfo_free(info);
		lkm_file_free(f);
	}
	free(img.data);
}

__attribute__((constructor(101))) static void setup(void)
{
	fixture_tmpdir(tmpdir, sizeof(tmpdir), "elf");
}

TEST_MAIN()
