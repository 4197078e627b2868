// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A load refused over symbols. The kernel logs "Unknown symbol X (err -2)" alike for a
 * symbol nobody exports, for one whose exporter is not loaded and for a GPL-only export
 * a module with a licence that is not GPL-compatible asked for (the kernel hides those
 * from it); a namespaced export used without MODULE_IMPORT_NS gives -EINVAL and a line
 * of its own. The facts about each symbol's export (lib/diagnose-exports.c) tell the
 * classes apart, so the first sentence names the cause, not only the symbol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose-internal.h"

/* One refused symbol and what is known of its export. */
struct refused {
	char name[128];
	char ns_missing[128];  /* the namespace it does not import (log or file), or "" */
	struct diag_export exp;
	bool loaded;           /* its exporter is loaded (or is the kernel) */
	bool no_version;       /* the log says the module has no CRC for it */
};

struct refusals {
	struct refused *v;
	size_t n, cap;
};

/* The entry of symbol @name (@len bytes), added if new; *@out NULL for a bad name. */
static int refusal_add(struct refusals *l, const char *name, size_t len, struct refused **out)
{
	size_t i;

	*out = NULL;
	if (len == 0 || len >= sizeof(l->v[0].name))
		return 0;
	for (i = 0; i < l->n; i++)
		if (strncmp(l->v[i].name, name, len) == 0 && !l->v[i].name[len]) {
			*out = &l->v[i];
			return 0;
		}
	if (lkm_array_grow(&l->v, &l->cap, l->n + 1, sizeof(*l->v), 4) < 0)
		return -ENOMEM;
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%.*s", (int)len, name);
	*out = &l->v[l->n++];
	return 0;
}

/* Whether record @t is about module @name: "NAME: ..." or "module NAME ...". */
static bool record_of(const char *t, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (strncmp(t, name, n) == 0 && t[n] == ':')
		return true;
	p = strstr(t, "module ");
	return p && strncmp(p + 7, name, n) == 0 && p[7 + n] == ' ';
}

/*
 * The refusals the log records for @name: "NAME: Unknown symbol SYM (err -2)", and
 * "NAME: module uses symbol (SYM) from namespace NS, but does not import it." (6.1 to
 * 6.12; later kernels word it "module NAME uses symbol SYM from namespace NS, ...").
 */
static int refusals_from_log(const struct lkm_kmsg_log *log, const char *name,
			     struct refusals *l)
{
	size_t i;

	for (i = 0; log && i < log->count; i++) {
		const char *t = log->recs[i].text, *s, *ns, *end;
		struct refused *f;

		if (!record_of(t, name))
			continue;
		s = strstr(t, ": Unknown symbol ");
		if (s && t[strlen(name)] == ':') {
			s += strlen(": Unknown symbol ");
			if (refusal_add(l, s, strcspn(s, " "), &f) < 0)
				return -ENOMEM;
			continue;
		}
		ns = strstr(t, " from namespace ");
		if (!ns || !strstr(ns, "but does not import it"))
			continue;
		for (end = ns; end > t && end[-1] == ')'; end--)
			;
		for (s = end; s > t && s[-1] != ' ' && s[-1] != '('; s--)
			;
		if (refusal_add(l, s, (size_t)(end - s), &f) < 0)
			return -ENOMEM;
		ns += strlen(" from namespace ");
		if (f)
			snprintf(f->ns_missing, sizeof(f->ns_missing), "%.*s", (int)strcspn(ns, ", "),
				 ns);
	}
	/* "NAME: no symbol version for SYM": the kernel refuses a symbol without a CRC. */
	for (i = 0; log && i < log->count; i++) {
		const char *t = log->recs[i].text, *s = strstr(t, ": no symbol version for ");
		size_t k;

		if (!s || strncmp(t, name, strlen(name)) != 0 || t[strlen(name)] != ':')
			continue;
		s += strlen(": no symbol version for ");
		for (k = 0; k < l->n; k++)
			if (strncmp(l->v[k].name, s, strcspn(s, " ")) == 0 &&
			    !l->v[k].name[strcspn(s, " ")])
				l->v[k].no_version = true;
	}
	return 0;
}

/*
 * Without the log: the symbols the module needs that <proc>/kallsyms lacks, and, for a
 * module whose licence is not GPL-compatible, the GPL-only exports it needs, and the
 * namespaced exports it does not import.
 */
static int refusals_from_file(struct lkm_ctx *ctx, const struct modfile *m, struct refusals *l)
{
	struct lkm_elf_import *imp = NULL;
	struct lkm_buf missing = { 0 };
	size_t n = 0, i;
	char *s, *save = NULL;
	int r;

	r = diag_missing_symbols(ctx, m, &missing);
	if (r == -ENOMEM)
		return r;
	for (s = missing.data ? strtok_r(missing.data, " ", &save) : NULL; s;
	     s = strtok_r(NULL, " ", &save)) {
		struct refused *f;

		if (refusal_add(l, s, strlen(s), &f) < 0) {
			lkm_buf_free(&missing);
			return -ENOMEM;
		}
	}
	lkm_buf_free(&missing);
	if (!m->elf_ok || lkm_elf_get_imports(&m->elf, &imp, &n, NULL) < 0)
		return 0;
	for (i = 0; i < n && r != -ENOMEM; i++) {
		struct diag_export exp;
		struct refused *f;

		r = diag_export_facts(ctx, imp[i].name, &exp);
		if (r < 0 || !exp.kind_known)
			continue;
		if (!(exp.gpl_only && !diag_license_gpl_compatible(m->license)) &&
		    !(exp.ns[0] && !diag_module_imports_ns(m, exp.ns)))
			continue;
		r = refusal_add(l, imp[i].name, strlen(imp[i].name), &f);
		if (r == 0 && f && exp.ns[0] && !diag_module_imports_ns(m, exp.ns))
			snprintf(f->ns_missing, sizeof(f->ns_missing), "%s", exp.ns);
	}
	free(imp);
	return r == -ENOMEM ? r : 0;
}

bool diag_symbol_refused(const struct modfile *m, const struct lkm_diag_load *in)
{
	const struct lkm_kmsg_log *log = in->log;
	size_t i;

	for (i = 0; log && i < log->count; i++) {
		const char *t = log->recs[i].text;

		if (!record_of(t, m->name))
			continue;
		if (t[strlen(m->name)] == ':' && strstr(t, ": Unknown symbol "))
			return true;
		if (strstr(t, " from namespace ") && strstr(t, "but does not import it"))
			return true;
	}
	return false;
}

/* The namespaces @m imports, "A, B", or "none". */
static int imported_namespaces(const struct modfile *m, struct lkm_buf *out)
{
	const char **info = NULL;
	size_t n = 0, i;
	int r = 0;

	if (m->elf_ok && lkm_elf_get_modinfo(&m->elf, &info, &n, NULL) < 0)
		n = 0;
	for (i = 0; i < n && r == 0; i++)
		if (strncmp(info[i], "import_ns=", 10) == 0)
			r = lkm_buf_printf(out, "%s%s", out->len ? ", " : "", info[i] + 10);
	free(info);
	if (r == 0 && !out->len)
		r = lkm_buf_puts(out, "none");
	return r;
}

static int word_namespace(const struct modfile *m, const struct refused *f,
			  struct lkm_diagnosis *d)
{
	struct lkm_buf imports = { 0 };
	const char *ns = f->ns_missing;
	int r;

	r = diag_first(d, "%s uses %s from the namespace %s without importing that namespace",
		       m->name, f->name, ns);
	if (r == 0)
		r = imported_namespaces(m, &imports);
	if (r == 0)
		r = diag_line(d, "%s: exported by %s in the namespace %s; %s imports: %s", f->name,
			      f->exp.owner[0] ? f->exp.owner : "a loaded module", ns, m->name,
			      imports.data);
	if (r == 0)
		r = diag_line(d, "add MODULE_IMPORT_NS(%s) to its source and rebuild (from Linux "
			      "6.13 on, MODULE_IMPORT_NS(\"%s\"))", ns, ns);
	if (r == 0)
		r = diag_line(d, "--force does not help: the kernel reads the imports from .modinfo "
			      "whatever --force strips, and this kernel refuses a missing import "
			      "(it was built without CONFIG_MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS)");
	lkm_buf_free(&imports);
	return r;
}

static int word_gpl_only(const struct modfile *m, const struct refused *f,
			 struct lkm_diagnosis *d)
{
	const char *lic = m->license ? m->license : "(none)";
	const char *owner = strcmp(f->exp.owner, "vmlinux") == 0 ? "the kernel" : f->exp.owner;
	int r;

	r = diag_first(d, "%s cannot use %s: %s exports it to GPL-compatible modules only "
		       "(EXPORT_SYMBOL_GPL), and the licence of %s is '%s'", m->name, f->name,
		       owner, m->name, lic);
	if (r == 0)
		r = diag_line(d, "%s: exported by %s with EXPORT_SYMBOL_GPL%s", f->name, owner,
			      strcmp(owner, "the kernel") == 0 ? "" :
			      f->loaded ? ", which is loaded" : ", which is not loaded");
	if (r == 0)
		r = diag_line(d, "the kernel hides GPL-only exports from a module whose "
			      "MODULE_LICENSE is not GPL-compatible (GPL, GPL v2, GPL and additional "
			      "rights, Dual BSD/GPL, Dual MIT/GPL, Dual MPL/GPL) and logs only "
			      "\"Unknown symbol\"");
	if (r == 0)
		r = diag_line(d, "give %s a GPL-compatible licence if its code allows, or do without "
			      "%s; --force does not help: it strips version checks, not the licence",
			      m->name, f->name);
	return r;
}

/* Today's wording for symbols nobody loaded exports, and one line per symbol. */
static int word_unresolved(struct lkm_ctx *ctx, const struct lkm_loaded_list *loaded,
			   const struct modfile *m, const struct refusals *l,
			   struct lkm_diagnosis *d)
{
	struct lkm_buf syms = { 0 };
	bool any_owner = false;
	size_t i, count = 0;
	int r = 0;

	for (i = 0; i < l->n && r == 0; i++)
		if (!l->v[i].loaded) {
			r = lkm_buf_printf(&syms, "%s%s", count ? " " : "", l->v[i].name);
			count++;
		}
	if (r == 0 && count)
		r = diag_first(d, "%s needs %s that neither the kernel nor a loaded module "
			       "exports: %s", m->name, count == 1 ? "a symbol" : "symbols", syms.data);
	else if (r == 0 && l->v[0].no_version)
		r = diag_first(d, "%s carries no version (CRC) of %s, which %s exports, and the "
			       "kernel checks symbol versions (modversions)", m->name, l->v[0].name,
			       strcmp(l->v[0].exp.owner, "vmlinux") == 0 ? "the kernel" :
			       l->v[0].exp.owner);
	else if (r == 0)
		r = diag_first(d, "the kernel did not resolve %s for %s, though %s, which is loaded, "
			       "exports it", l->v[0].name, m->name,
			       strcmp(l->v[0].exp.owner, "vmlinux") == 0 ? "the kernel" :
			       l->v[0].exp.owner);
	for (i = 0; i < l->n && r == 0; i++)
		if (l->v[i].no_version && l->v[i].loaded)
			r = diag_line(d, "%s: the module's __versions has no entry for it: rebuild the "
				      "module with the exporter's Module.symvers (KBUILD_EXTRA_SYMBOLS)"
				      " (--force-modversion skips the check and taints the kernel)",
				      l->v[i].name);
	for (i = 0; i < l->n && r == 0; i++)
		r = diag_explain_symbol(ctx, loaded, l->v[i].name, d, &any_owner);
	if (r == 0 && count < l->n && !diag_license_gpl_compatible(m->license))
		r = diag_line(d, "the licence of %s, '%s', is not GPL-compatible: the kernel hides "
			      "GPL-only exports (EXPORT_SYMBOL_GPL) from it", m->name,
			      m->license ? m->license : "(none)");
	if (r == 0 && any_owner && count)
		r = diag_line(d, "load it with `modprobe %s`, which loads the modules it needs first, "
			      "instead of insmod", m->name);
	lkm_buf_free(&syms);
	return r;
}

int diag_symbols(struct lkm_ctx *ctx, const struct modfile *m, const struct lkm_diag_load *in,
		 struct lkm_diagnosis *d)
{
	struct lkm_loaded_list *loaded = NULL;
	struct refusals l = { 0 };
	const struct refused *gpl = NULL, *ns = NULL;
	size_t i;
	int r;

	r = refusals_from_log(in->log, m->name, &l);
	if (r == 0 && l.n == 0 && (!in->log || in->log->count == 0))
		r = refusals_from_file(ctx, m, &l);
	if (r < 0 || l.n == 0)
		goto out;
	if (lkm_kernel_get_loaded(ctx, &loaded, NULL) < 0)
		loaded = NULL;
	for (i = 0; i < l.n && r == 0; i++) {
		struct refused *f = &l.v[i];

		r = diag_export_facts(ctx, f->name, &f->exp);
		f->loaded = strcmp(f->exp.owner, "vmlinux") == 0 ||
			    (f->exp.owner[0] && loaded && lkm_loaded_list_find(loaded, f->exp.owner));
		if (!ns && f->ns_missing[0])
			ns = f;
		if (!gpl && f->exp.kind_known && f->exp.gpl_only && !f->ns_missing[0] &&
		    !diag_license_gpl_compatible(m->license))
			gpl = f;
	}
	if (r < 0)
		goto out;
	if (gpl)
		r = word_gpl_only(m, gpl, d);
	else if (ns)
		r = word_namespace(m, ns, d);
	else
		r = word_unresolved(ctx, loaded, m, &l, d);
	if (r == 0)
		r = diag_quote_log(d, in->log, m->name);
out:
	lkm_loaded_list_free(loaded);
	free(l.v);
	if (r == 0 && l.n == 0)
		return 1;
	return r;
}
