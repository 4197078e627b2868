// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a module's file declares, as kmod's lists: its modinfo fields (and signature),
 * its __versions entries, the symbols it exports and the symbols it needs. Each answer
 * is lib/'s (lkm_modinfo_*, lkm_elf_get_*) on the file the module keeps open
 * (kmod_module_get_elf); this file only copies it into list entries.
 *
 * The lists are new on each call and the caller's: every entry is one malloc'd block,
 * freed with its list by the matching *_free_list().
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libkmod-internal.h"

/* One modinfo field: the value, then the key, in the same block. */
struct info_entry {
	char *key;
	char value[];
};

/*
 * The entries of the symbol lists, laid out as kmod lays them out: { crc, name } for
 * versions and symbols, { crc, bind, name } for dependency symbols. Consumers rely on
 * the bytes, not only on the getters: dracut-install applies
 * kmod_module_symbol_get_symbol() to a dependency-symbol list and so reads the bind
 * byte as the name's first letter ("Ufoo" for "foo"), and its --mod-filter-nosymbol
 * patterns are written for that ("^Udrm_gem"). The same layout gives them the same
 * answers, and the same module sets, as with kmod's library.
 */
struct symbol_entry {
	uint64_t crc;
	char symbol[];
};

struct dependency_symbol_entry {
	uint64_t crc;
	uint8_t bind; /* enum kmod_symbol_bind */
	char symbol[];
};

/* Append a copy of @key and @value to *@list. Return: 0 or -ENOMEM. */
static int add_info(struct kmod_list **list, const char *key, const char *value)
{
	size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;
	struct info_entry *e = malloc(sizeof(*e) + vlen + klen);
	struct kmod_list *l;

	if (!e)
		return -ENOMEM;
	memcpy(e->value, value, vlen);
	e->key = e->value + vlen;
	memcpy(e->key, key, klen);
	l = kmod_list_append(*list, e);
	if (!l) {
		free(e);
		return -ENOMEM;
	}
	*list = l;
	return 0;
}

/* Append @e, a new entry, to *@list; free it on failure. Return: 0 or -ENOMEM. */
static int add_entry(struct kmod_list **list, void *e)
{
	struct kmod_list *l;

	if (!e)
		return -ENOMEM;
	l = kmod_list_append(*list, e);
	if (!l) {
		free(e);
		return -ENOMEM;
	}
	*list = l;
	return 0;
}

/* Append a copy of the version or exported symbol @name. Return: 0 or -ENOMEM. */
static int add_symbol(struct kmod_list **list, const char *name, uint64_t crc)
{
	size_t len = strlen(name) + 1;
	struct symbol_entry *e = malloc(sizeof(*e) + len);

	if (e) {
		e->crc = crc;
		memcpy(e->symbol, name, len);
	}
	return add_entry(list, e);
}

/* Append a copy of the needed symbol @name with its bind. Return: 0 or -ENOMEM. */
static int add_dependency_symbol(struct kmod_list **list, const char *name, uint64_t crc,
				 uint8_t bind)
{
	size_t len = strlen(name) + 1;
	struct dependency_symbol_entry *e = malloc(sizeof(*e) + len);

	if (e) {
		e->crc = crc;
		e->bind = bind;
		memcpy(e->symbol, name, len);
	}
	return add_entry(list, e);
}

static void free_data(void *data)
{
	free(data);
}

/*
 * Finish a get_*() call: on success @made goes after what *@list held and the count is
 * returned; on failure @made is freed and *@list left as it was. kmod asserts that
 * *@list is NULL; appending is what its code does when assertions are compiled out,
 * short of its freeing the caller's entries on a failure.
 */
static int hand_over(struct kmod_list **list, struct kmod_list *made, size_t n, int r)
{
	if (r >= 0 && n > INT_MAX)
		r = -EINVAL;
	if (r < 0) {
		kmod_list_release(made, free_data);
		return r;
	}
	*list = kmod_list_append_list(*list, made);
	return (int)n;
}

/* @mod's file and ELF image, or a negative errno. */
static int module_elf(const struct kmod_module *mod, const struct lkm_file **file,
		      const struct lkm_elf **elf)
{
	/* Opening the file changes only what the module caches, as in kmod. */
	return kmod_module_get_elf((struct kmod_module *)mod, file, elf);
}

KMOD_EXPORT int kmod_module_get_info(const struct kmod_module *mod,
				     struct kmod_list **list)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const struct lkm_modinfo_entry *fields;
	struct lkm_modinfo *info = NULL;
	struct kmod_list *made = NULL;
	struct lkm_err err = { 0 };
	const struct lkm_file *file;
	const struct lkm_elf *elf;
	struct kmod_ctx *ctx;
	size_t n = 0, i;
	int r;

	if (!mod || !list)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	/*
	 * A built-in module's fields come from modules.builtin.modinfo (kmod 30 and 34
	 * alike), and it has no signature to show.
	 */
	if (kmod_module_is_builtin(m)) {
		r = lkm_modinfo_from_builtin(kmod_ctx_get_lkm(ctx),
					     kmod_module_get_name(mod), &info, &err);
	} else {
		r = module_elf(mod, &file, &elf);
		if (r < 0)
			return r;
		/* kmod 34 finds a file without .modinfo an error (kmod 30: -ENOENT). */
		if (lkm_elf_get_section_size(elf, ".modinfo", NULL) < 0)
			return -ENODATA;
		/*
		 * lib/ refuses a .modinfo whose last string is not ended (-EINVAL with
		 * the reason), where kmod ends it for the caller: a cut file is said to
		 * be one.
		 */
		r = lkm_modinfo_from_file(file, &info, &err);
	}
	if (r < 0) {
		KMOD_DBG(ctx, "%s: %s\n", kmod_module_get_name(mod),
			 lkm_err_reason(&err, r));
		return r;
	}
	fields = lkm_modinfo_get_entries(info, &n);
	for (i = 0; i < n && r >= 0; i++)
		r = add_info(&made, fields[i].key, fields[i].value);
	lkm_modinfo_free(info);
	return hand_over(list, made, n, r);
}

KMOD_EXPORT const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	const struct info_entry *e;

	if (!entry || !entry->data)
		return NULL;
	e = entry->data;
	return e->key;
}

KMOD_EXPORT const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	const struct info_entry *e;

	if (!entry || !entry->data)
		return NULL;
	e = entry->data;
	return e->value;
}

KMOD_EXPORT void kmod_module_info_free_list(struct kmod_list *list)
{
	kmod_list_release(list, free_data);
}

/* lib/'s reason for a failure to read @file, logged at debug level as kmod is silent. */
static int lib_failed(const struct kmod_module *mod, const struct lkm_file *file,
		      const struct lkm_err *err, int r)
{
	KMOD_DBG(kmod_module_get_ctx(mod), "%s: %s\n", lkm_file_get_path(file),
		 lkm_err_reason(err, r));
	return r;
}

KMOD_EXPORT int kmod_module_get_versions(const struct kmod_module *mod,
					 struct kmod_list **list)
{
	struct lkm_elf_version *vers = NULL;
	struct kmod_list *made = NULL;
	struct lkm_err err = { 0 };
	const struct lkm_file *file;
	const struct lkm_elf *elf;
	size_t n = 0, i;
	int r;

	if (!mod || !list)
		return -ENOENT;
	r = module_elf(mod, &file, &elf);
	if (r < 0)
		return r;
	/* No __versions: kmod 34 says -ENODATA (kmod 30 and lib/ -ENOENT). */
	if (lkm_elf_get_section_size(elf, "__versions", NULL) < 0)
		return -ENODATA;
	r = lkm_elf_get_versions(elf, &vers, &n, &err);
	if (r < 0)
		return lib_failed(mod, file, &err, r);
	for (i = 0; i < n && r >= 0; i++)
		r = add_symbol(&made, vers[i].name, vers[i].crc);
	free(vers);
	return hand_over(list, made, n, r);
}

/* The getters of versions and symbols; every entry's crc comes first. */
static const char *entry_symbol(const struct kmod_list *entry)
{
	const struct symbol_entry *e;

	if (!entry || !entry->data)
		return NULL;
	e = entry->data;
	return e->symbol;
}

static uint64_t entry_crc(const struct kmod_list *entry)
{
	const struct symbol_entry *e;

	if (!entry || !entry->data)
		return 0;
	e = entry->data;
	return e->crc;
}

KMOD_EXPORT const char *kmod_module_version_get_symbol(const struct kmod_list *entry)
{
	return entry_symbol(entry);
}

KMOD_EXPORT uint64_t kmod_module_version_get_crc(const struct kmod_list *entry)
{
	return entry_crc(entry);
}

KMOD_EXPORT void kmod_module_versions_free_list(struct kmod_list *list)
{
	kmod_list_release(list, free_data);
}

KMOD_EXPORT int kmod_module_get_symbols(const struct kmod_module *mod,
					struct kmod_list **list)
{
	struct lkm_elf_export *exps = NULL;
	struct kmod_list *made = NULL;
	struct lkm_err err = { 0 };
	const struct lkm_file *file;
	const struct lkm_elf *elf;
	size_t n = 0, i;
	int r;

	if (!mod || !list)
		return -ENOENT;
	r = module_elf(mod, &file, &elf);
	if (r < 0)
		return r;
	/*
	 * The __crc_ symbols with their CRCs, else the names in __ksymtab_strings
	 * with CRC 0, as kmod 34 lists them.
	 */
	r = lkm_elf_get_exports(elf, &exps, &n, &err);
	if (r < 0)
		return lib_failed(mod, file, &err, r);
	/* Neither: kmod 34 says -ENODATA (kmod 30 -ENOENT); an empty section is 0. */
	if (n == 0 && lkm_elf_get_section_size(elf, "__ksymtab_strings", NULL) < 0)
		return -ENODATA;
	for (i = 0; i < n && r >= 0; i++)
		r = add_symbol(&made, exps[i].name, exps[i].has_crc ? exps[i].crc : 0);
	free(exps);
	return hand_over(list, made, n, r);
}

KMOD_EXPORT const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry)
{
	return entry_symbol(entry);
}

KMOD_EXPORT uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry)
{
	return entry_crc(entry);
}

KMOD_EXPORT void kmod_module_symbols_free_list(struct kmod_list *list)
{
	kmod_list_release(list, free_data);
}

KMOD_EXPORT int kmod_module_get_dependency_symbols(const struct kmod_module *mod,
						   struct kmod_list **list)
{
	struct lkm_elf_import *imps = NULL;
	struct kmod_list *made = NULL;
	struct lkm_err err = { 0 };
	const struct lkm_file *file;
	const struct lkm_elf *elf;
	size_t n = 0, i;
	int r;

	if (!mod || !list)
		return -ENOENT;
	r = module_elf(mod, &file, &elf);
	if (r < 0)
		return r;
	/*
	 * The undefined symbols in symbol table order, each with its first __versions CRC
	 * (0 without one), then the __versions entries no symbol matched, as kmod 34. No
	 * symbol table is -EINVAL in both. lib/ also refuses a __versions that is not a
	 * whole number of entries (-EINVAL with the reason) where kmod drops it silently:
	 * a damaged file is said to be one.
	 */
	r = lkm_elf_get_imports(elf, &imps, &n, &err);
	if (r < 0)
		return lib_failed(mod, file, &err, r);
	for (i = 0; i < n && r >= 0; i++)
		r = add_dependency_symbol(&made, imps[i].name,
					  imps[i].has_crc ? imps[i].crc : 0,
					  imps[i].bind == LKM_BIND_WEAK ? KMOD_SYMBOL_WEAK :
									  KMOD_SYMBOL_UNDEF);
	free(imps);
	return hand_over(list, made, n, r);
}

// clang-format off
KMOD_EXPORT const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry)
// clang-format on
{
	const struct dependency_symbol_entry *e;

	if (!entry || !entry->data)
		return NULL;
	e = entry->data;
	return e->symbol;
}

KMOD_EXPORT uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry)
{
	return entry_crc(entry);
}

KMOD_EXPORT int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry)
{
	const struct dependency_symbol_entry *e;

	if (!entry || !entry->data)
		return 0;
	e = entry->data;
	return e->bind;
}

KMOD_EXPORT void kmod_module_dependency_symbols_free_list(struct kmod_list *list)
{
	kmod_list_release(list, free_data);
}
