// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: a module's ELF image and everything read from it (lib/elf.c,
 * lib/modinfo.c, lib/signature.c). The input is an uncompressed module file, perhaps
 * with a signature appended: the header and section table are parsed, every section
 * is fetched by index and by name, then .modinfo, __versions, the exports, the imports
 * and the module's name are extracted; the signature trailer and its PKCS#7 message
 * are decoded; and modinfo's fields are built as `modinfo FILE` does, signature
 * fields included.
 *
 * Oracle: no crash, no sanitizer report, no read outside the input (the input is
 * copied into a buffer of its exact size, so ASan sees any overrun), and a few
 * invariants of the results: every pointer handed out lies inside the image, every
 * string ends inside it, a failure says why.
 */
#include "fuzz.h"
#include "lkm-internal.h"

static const uint8_t *img_begin, *img_end;

static void inside(const void *p, size_t len)
{
	const uint8_t *b = p;

	if (b < img_begin || b > img_end || len > (size_t)(img_end - b))
		abort();
}

static void inside_str(const char *s)
{
	const uint8_t *b = (const uint8_t *)s;

	inside(s, 0);
	if (!memchr(s, '\0', (size_t)(img_end - b)))
		abort();
}

static void sections(const struct lkm_elf *elf)
{
	struct lkm_elf_section sec, again;
	unsigned i, n = lkm_elf_section_count(elf);

	for (i = 0; i < n; i++) {
		if (lkm_elf_get_section(elf, i, &sec) < 0)
			continue;
		if (sec.data)
			inside(sec.data, (size_t)sec.size);
		if (sec.name) {
			inside_str(sec.name);
			/* A lookup by name walks the table: only the first few, or it is n^2. */
			if (i < 64 && lkm_elf_find_section(elf, sec.name, &again) == 0 && again.data)
				inside(again.data, (size_t)again.size);
		}
	}
	if (lkm_elf_get_section(elf, n, &sec) == 0)
		abort(); /* one past the last */
}

static void contents(const struct lkm_elf *elf)
{
	struct lkm_err err = { 0 };
	struct lkm_elf_version *vers;
	struct lkm_elf_export *exps;
	struct lkm_elf_import *imps;
	const char **strings;
	char name[LKM_NAME_MAX];
	size_t n, i;

	if (lkm_elf_get_modinfo(elf, &strings, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			inside_str(strings[i]);
		free(strings);
	}
	if (lkm_elf_get_versions(elf, &vers, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			inside_str(vers[i].name);
		free(vers);
	}
	if (lkm_elf_get_exports(elf, &exps, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			inside_str(exps[i].name);
		free(exps);
	}
	if (lkm_elf_get_imports(elf, &imps, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			inside_str(imps[i].name);
		free(imps);
	}
	if (lkm_elf_get_this_module_name(elf, name, sizeof(name)) == 0 &&
	    !memchr(name, '\0', sizeof(name)))
		abort();
	(void)lkm_elf_machine_name(elf->machine);
}

static void signature(const uint8_t *data, size_t size)
{
	struct lkm_err err = { 0 };
	struct lkm_signature sig;
	struct lkm_buf hex = { 0 };
	size_t stripped = lkm_signature_strip(data, size);
	int r;

	if (stripped > size)
		abort();
	r = lkm_signature_parse(data, size, &sig, &err);
	if (r == 0) {
		if (sig.module_size > size || sig.blob_offset > size ||
		    sig.blob_len > size - sig.blob_offset || !sig.hash_algo || !sig.signer ||
		    strlen(sig.signer) > sig.signer_len)
			abort();
		if (lkm_hex_format(&hex, sig.key_id, sig.key_id_len, LKM_HEX_KMOD_PER_LINE) < 0 ||
		    lkm_hex_format(&hex, sig.sig, sig.sig_len, LKM_HEX_KMOD_PER_LINE) < 0)
			abort();
		lkm_buf_free(&hex);
	} else if (r == -EBADMSG && !err.why[0]) {
		abort();
	}
	lkm_signature_release(&sig);
}

static void modinfo(const uint8_t *data, size_t size)
{
	struct lkm_file file = { .path = (char *)"fuzz.ko", .data = data, .size = size };
	struct lkm_err err = { 0 };
	struct lkm_modinfo *info;
	size_t i;

	if (lkm_modinfo_from_file(&file, &info, &err) < 0)
		return;
	for (i = 0; i < info->count; i++)
		if (strlen(info->entries[i].key) + strlen(info->entries[i].value) > 2 * size + 4096)
			abort();
	lkm_modinfo_free(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lkm_err err = { 0 };
	struct lkm_elf elf;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	img_begin = copy;
	img_end = copy + size;
	if (lkm_elf_parse(copy, size, &elf, &err) == 0) {
		sections(&elf);
		contents(&elf);
	} else if (!err.why[0]) {
		abort();
	}
	signature(copy, size);
	modinfo(copy, size);
	free(copy);
	return 0;
}
