/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module files for the modinfo and symbol lists (kmod_module_get_info and the rest),
 * written below DIR/extra, outside modules.dep (they are opened by path):
 *
 *   extra/signed.ko   "flag" (no '='), "a=b=c", license=GPL, then a legacy X509
 *                     signature trailer: signer "Magrathea", key id 01:02:03, sha256,
 *                     a 25-byte signature (kmod breaks its hex after 20 bytes)
 *   extra/syms.ko     needs glob_fn (CRC 0xCCCC), weak_fn (weak, 0xBBBB) and nover_fn
 *                     (no __versions entry); __versions also holds module_layout
 *                     (0xAAAA), which no symbol matches; an empty __ksymtab_strings
 *   extra/bare.ko     .text, .symtab and .strtab only: no .modinfo, __versions,
 *                     __ksymtab_strings or __crc_ symbols
 *   extra/nosymtab.ko .modinfo and an empty __versions, no symbol table
 *   extra/notelf.ko   text, not ELF
 */
#ifndef LKM_TEST_LIBKMOD_INFO_FIXTURES_H
#define LKM_TEST_LIBKMOD_INFO_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include "elf-fixture.h"
#include "fixture.h"

/* The legacy (pre-4.3) trailer: algo RSA, hash sha256, id X509, signer 9, key id 3. */
static const uint8_t info_sig_hdr[8] = { 1, 4, 1, 9, 3, 0, 0, 0 };
static const char info_sig_blob[] = "Magrathea\x01\x02\x03"
				    "ABCDEFGHIJKLMNOPQRSTUVWXY";
#define INFO_SIG_LEN 25

static inline void info_fixture_signed(const char *dir)
{
	static const char mi[] = "flag\0a=b=c\0license=GPL";
	struct fx_module_spec m = { .is64 = true, .machine = 62, .name = "signed" };
	struct fx_image img;
	uint8_t *p;
	size_t len;

	m.modinfo = mi;
	m.modinfo_len = sizeof(mi);
	img = fx_module(&m);
	p = fx_append_sig(img.data, img.size, info_sig_blob, sizeof(info_sig_blob) - 1,
			  info_sig_hdr, INFO_SIG_LEN, &len);
	if (!p)
		abort();
	fixture_write(dir, "extra/signed.ko", p, len, "w");
	free(p);
	free(img.data);
}

/* Add @name to the string table @str (of length *@len); return its offset. */
static inline uint32_t info_str(char *str, size_t *len, const char *name)
{
	uint32_t off = (uint32_t)*len;

	strcpy(str + *len, name);
	*len += strlen(name) + 1;
	return off;
}

static inline void info_fixture_syms(const char *dir)
{
	static const char mi[] = "license=GPL";
	static const struct fx_crc_sym vers[] = {
		{ "module_layout", 0xAAAA },
		{ "weak_fn", 0xBBBB },
		{ "glob_fn", 0xCCCC },
	};
	struct fx_syms syms = { .is64 = true };
	uint8_t versions[3 * 64] = { 0 };
	char str[256] = "";
	size_t slen = 1, i;
	struct fx_image img;

	for (i = 0; i < 3; i++) {
		fx_store(versions + 64 * i, false, 8, vers[i].crc);
		strcpy((char *)versions + 64 * i + 8, vers[i].name);
	}
	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, info_str(str, &slen, "local_fn"), 0 /* LOCAL */, 2, 1, 0);
	fx_sym(&syms, info_str(str, &slen, "glob_fn"), 1 /* GLOBAL */, 0, 0, 0);
	fx_sym(&syms, info_str(str, &slen, "weak_fn"), 2 /* WEAK */, 0, 0, 0);
	fx_sym(&syms, info_str(str, &slen, "nover_fn"), 1, 0, 0, 0);
	{
		struct fx_section secs[] = {
			{ ".text", 1, "\xc3", 1 },
			{ ".modinfo", 1, mi, sizeof(mi) },
			{ "__versions", 1, versions, sizeof(versions) },
			{ "__ksymtab_strings", 1, "", 0 },
			{ ".symtab", 2, syms.buf, syms.size, 6, 24 },
			{ ".strtab", 3, str, slen },
		};

		img = fx_build(true, false, 1, 62, secs, 6, false);
	}
	fixture_write(dir, "extra/syms.ko", img.data, img.size, "w");
	free(img.data);
}

static inline void info_fixture_bare(const char *dir)
{
	struct fx_syms syms = { .is64 = true };
	char str[64] = "";
	size_t slen = 1;
	struct fx_image img;

	fx_sym(&syms, 0, 0, 0, 0, 0);
	fx_sym(&syms, info_str(str, &slen, "init_module"), 1, 2, 1, 0);
	{
		struct fx_section secs[] = {
			{ ".text", 1, "\xc3", 1 },
			{ ".symtab", 2, syms.buf, syms.size, 3, 24 },
			{ ".strtab", 3, str, slen },
		};

		img = fx_build(true, false, 1, 62, secs, 3, false);
	}
	fixture_write(dir, "extra/bare.ko", img.data, img.size, "w");
	free(img.data);
}

static inline void info_fixture_nosymtab(const char *dir)
{
	static const char mi[] = "license=GPL";
	struct fx_section secs[] = {
		{ ".modinfo", 1, mi, sizeof(mi) },
		{ "__versions", 1, "", 0 },
	};
	struct fx_image img = fx_build(true, false, 1, 62, secs, 2, false);

	fixture_write(dir, "extra/nosymtab.ko", img.data, img.size, "w");
	free(img.data);
}

/* Every file above, below @dir (the module directory). */
static inline void info_fixtures(const char *dir)
{
	info_fixture_signed(dir);
	info_fixture_syms(dir);
	info_fixture_bare(dir);
	info_fixture_nosymtab(dir);
	fixture_write(dir, "extra/notelf.ko", "not a module at all\n", 20, "w");
}

#endif
