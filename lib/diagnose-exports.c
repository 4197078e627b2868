// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How a symbol is exported, for a load the kernel refused over it: who exports it
 * (modules.symbols, or the kernel's Module.symvers), whether only to GPL-compatible
 * modules (EXPORT_SYMBOL_GPL), and in which namespace (EXPORT_SYMBOL_NS*). The kernel's
 * log says only "Unknown symbol" for a GPL-only export a proprietary module asked for:
 * these facts tell that apart from a symbol nobody exports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose-internal.h"

/* The kernel's license_is_gpl_compatible() list (include/linux/license.h). */
bool diag_license_gpl_compatible(const char *license)
{
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
		"Dual MPL/GPL",
	};
	size_t i;

	for (i = 0; license && i < sizeof(gpl) / sizeof(gpl[0]); i++)
		if (strcmp(license, gpl[i]) == 0)
			return true;
	return false;
}

bool diag_module_imports_ns(const struct modfile *m, const char *ns)
{
	const char **info = NULL;
	size_t n = 0, i;
	bool found = false;

	if (!m->elf_ok || lkm_elf_get_modinfo(&m->elf, &info, &n, NULL) < 0)
		return false;
	for (i = 0; i < n && !found; i++)
		found = strncmp(info[i], "import_ns=", 10) == 0 && strcmp(info[i] + 10, ns) == 0;
	free(info);
	return found;
}

/* The file of module @name from modules.dep.bin, into @path; -ENOENT. */
static int module_path(struct lkm_ctx *ctx, const char *name, char *path, size_t size)
{
	struct lkm_index *idx;
	const char *line;
	size_t len;

	if (lkm_ctx_get_index(ctx, LKM_INDEX_DEP, &idx, NULL) < 0 ||
	    lkm_index_lookup_first(idx, name, &line, NULL) <= 0)
		return -ENOENT;
	len = strcspn(line, ":");
	if (line[0] == '/')
		snprintf(path, size, "%.*s", (int)len, line);
	else
		snprintf(path, size, "%s/%.*s", lkm_ctx_get_dirname(ctx), (int)len, line);
	return 0;
}

/* From the exporter's module file: its __ksymtab_gpl and __kstrtabns_ entries. */
static void kind_from_file(struct lkm_ctx *ctx, const char *sym, struct diag_export *out)
{
	struct modfile m;
	char path[4096];
	const char *ns;
	bool gpl;

	if (module_path(ctx, out->owner, path, sizeof(path)) < 0)
		return;
	diag_modfile_open(&m, path, out->owner);
	if (m.elf_ok && lkm_elf_get_export_kind(&m.elf, sym, &gpl, &ns) == 0) {
		out->kind_known = true;
		out->gpl_only = gpl;
		snprintf(out->ns, sizeof(out->ns), "%s", ns);
	}
	diag_modfile_close(&m);
}

/*
 * From <dirname>/build/Module.symvers, where the kernel's headers are installed:
 * "CRC<TAB>SYMBOL<TAB>MODULE<TAB>EXPORT_SYMBOL[_GPL]<TAB>NAMESPACE" lines.
 */
static int kind_from_symvers(struct lkm_ctx *ctx, const char *sym, struct diag_export *out)
{
	char path[4096], *text, *p;
	size_t len, slen = strlen(sym);

	snprintf(path, sizeof(path), "%s/build/Module.symvers", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &text, &len) < 0)
		return 0;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *f = strchr(p, '\t'), *mod, *type, *ns;
		size_t eol = strcspn(p, "\n");

		if (!f || f > p + eol || strncmp(f + 1, sym, slen) != 0 || f[1 + slen] != '\t')
			continue;
		mod = f + 2 + slen;
		type = mod + strcspn(mod, "\t\n");
		if (*type != '\t')
			break;
		ns = type + 1 + strcspn(type + 1, "\t\n");
		if (!out->owner[0]) {
			char *base = memrchr(mod, '/', (size_t)(type - mod));

			base = base ? base + 1 : mod;
			snprintf(out->owner, sizeof(out->owner), "%.*s", (int)(type - base), base);
		}
		out->kind_known = true;
		out->gpl_only = strncmp(type + 1, "EXPORT_SYMBOL_GPL", 17) == 0 &&
				strchr("\t\n", type[18]) != NULL;
		if (*ns == '\t')
			snprintf(out->ns, sizeof(out->ns), "%.*s", (int)strcspn(ns + 1, "\t\n"),
				 ns + 1);
		break;
	}
	free(text);
	return 0;
}

int diag_export_facts(struct lkm_ctx *ctx, const char *sym, struct diag_export *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = diag_symbol_owner(ctx, sym, out->owner, sizeof(out->owner), NULL);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		out->owner[0] = '\0';
	else
		kind_from_file(ctx, sym, out);
	if (!out->kind_known)
		return kind_from_symvers(ctx, sym, out);
	return 0;
}
