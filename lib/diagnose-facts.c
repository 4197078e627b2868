// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The facts a diagnosis stands on: what a module file holds (ELF, machine, module
 * sections, vermagic), which of its symbols the running kernel lacks and who exports
 * them, and the system's policy (CAP_SYS_MODULE, modules_disabled, lockdown,
 * sig_enforce). lib/diagnose.c words failures with them; lib/diagnose-check.c checks
 * ahead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "diagnose-internal.h"


/* Read a small file under a ctx root; NULL when absent. Trailing newline cut. */
char *diag_read_small(const char *root, const char *rel)
{
	char path[4096], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lkm_read_file(path, 1 << 16, &text, &len) < 0)
		return NULL;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return text;
}

/* ------------------------------------------------------------------ the module file */

void diag_modfile_close(struct modfile *m)
{
	lkm_file_free(m->file);
	m->file = NULL;
}

void diag_modfile_open(struct modfile *m, const char *path, const char *name)
{
	struct lkm_elf_section sec;
	const char **info = NULL;
	size_t n = 0, i;

	memset(m, 0, sizeof(*m));
	if (name)
		snprintf(m->name, sizeof(m->name), "%s", name);
	else if (path && lkm_name_from_path(m->name, sizeof(m->name), path) < 0)
		m->name[0] = '\0';
	if (!path)
		return;
	m->open_error = lkm_file_open(path, &m->file, &m->err);
	if (m->open_error < 0)
		return;
	if (lkm_elf_parse(m->file->data, m->file->size, &m->elf, &m->err) < 0)
		return;
	m->elf_ok = true;
	m->has_modinfo = lkm_elf_find_section(&m->elf, ".modinfo", &sec) == 0;
	m->has_this_module = lkm_elf_find_section(&m->elf, ".gnu.linkonce.this_module",
						  &sec) == 0;
	if (!name && m->has_this_module) {
		char own[LKM_NAME_MAX];

		if (lkm_elf_get_this_module_name(&m->elf, own, sizeof(own)) == 0 && own[0])
			snprintf(m->name, sizeof(m->name), "%s", own);
	}
	if (lkm_elf_get_modinfo(&m->elf, &info, &n, NULL) == 0) {
		for (i = 0; i < n; i++)
			if (strncmp(info[i], "vermagic=", 9) == 0)
				m->vermagic = info[i] + 9;
			else if (strncmp(info[i], "license=", 8) == 0)
				m->license = info[i] + 8;
		free(info);
	}
}

/* The ELF machine of the running kernel, from uname(2); 0 when unknown. */
static uint16_t host_machine(void)
{
	static const struct {
		const char *prefix;
		uint16_t em;
	} map[] = {
		{ "x86_64", 62 }, { "i686", 3 }, { "i586", 3 }, { "i486", 3 }, { "i386", 3 },
		{ "aarch64", 183 }, { "arm", 40 }, { "ppc64", 21 }, { "ppc", 20 },
		{ "s390", 22 }, { "riscv", 243 }, { "mips", 8 }, { "loongarch", 258 },
		{ "sparc64", 43 }, { "sparc", 2 }, { "alpha", 0x9026 }, { "parisc", 15 },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) < 0)
		return 0;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(u.machine, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].em;
	return 0;
}

static const char *machine_words(uint16_t em, char *buf, size_t size)
{
	const char *n = lkm_elf_machine_name(em);

	if (n)
		snprintf(buf, size, "%s (e_machine %u)", n, em);
	else
		snprintf(buf, size, "an unknown machine (e_machine %u)", em);
	return buf;
}

/* The release word of a vermagic string ("6.1.0-56-amd64 SMP ..." gives its length). */
static size_t release_len(const char *vermagic)
{
	return strcspn(vermagic, " ");
}

/*
 * The running kernel's whole vermagic, which no file in /proc or /sys shows: every
 * module built with the kernel carries it, so take it from one in modules.dep.
 */
static bool kernel_vermagic(struct lkm_ctx *ctx, char *buf, size_t size)
{
	char path[4096], *text, *p;
	size_t len;
	int tries = 0;
	bool found = false;

	snprintf(path, sizeof(path), "%s/modules.dep", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &text, &len) < 0)
		return false;
	for (p = text; p && *p && !found && tries < 5; tries++) {
		char *colon = strchr(p, ':'), *eol = strchr(p, '\n');
		struct modfile ref;

		if (!colon)
			break;
		*colon = '\0';
		if (*p == '/')
			snprintf(path, sizeof(path), "%s", p);
		else
			snprintf(path, sizeof(path), "%s/%s", lkm_ctx_get_dirname(ctx), p);
		diag_modfile_open(&ref, path, NULL);
		if (ref.vermagic) {
			snprintf(buf, size, "%s", ref.vermagic);
			found = true;
		}
		diag_modfile_close(&ref);
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return found;
}

static bool has_versions(const struct modfile *m)
{
	struct lkm_elf_section sec;

	return lkm_elf_find_section(&m->elf, "__versions", &sec) == 0;
}

/*
 * The kernel's vermagic check: the whole string, except that with modversions the
 * release before the first space is skipped (the CRCs say more than it does).
 */
static int vermagic_problem(struct lkm_ctx *ctx, const struct modfile *m, const char *prefix,
			    struct lkm_diagnosis *d)
{
	const char *kver = lkm_ctx_get_kver(ctx), *a, *b;
	char kmagic[512];
	int r;

	if (!m->vermagic)
		return 0;
	if (kernel_vermagic(ctx, kmagic, sizeof(kmagic))) {
		a = m->vermagic;
		b = kmagic;
		if (has_versions(m)) {
			a += release_len(a);
			b += release_len(b);
		}
		if (strcmp(a, b) == 0)
			return 0;
		r = diag_first(d, "%s%s was built for another kernel: version magic '%s' does not match "
			  "the kernel's '%s'", prefix, m->name, m->vermagic, kmagic);
		if (r == 0)
			r = diag_line(d, "module: %s", m->vermagic);
		if (r == 0)
			r = diag_line(d, "kernel: %s (from the modules of %s)", kmagic, kver);
		return r < 0 ? r : 1;
	}
	if (!kver || (release_len(m->vermagic) == strlen(kver) &&
		      strncmp(m->vermagic, kver, strlen(kver)) == 0))
		return 0;
	r = diag_first(d, "%s%s was built for kernel %.*s, but the running kernel is %s", prefix,
		  m->name, (int)release_len(m->vermagic), m->vermagic, kver);
	if (r == 0)
		r = diag_line(d, "module vermagic: %s", m->vermagic);
	if (r == 0)
		r = diag_line(d, "kernel release:  %s", kver);
	if (r == 0)
		r = diag_line(d, "install the %s build of the module (or rebuild it against this "
			 "kernel's headers)", kver);
	return r < 0 ? r : 1;
}

/*
 * The format checks the kernel makes before anything else, in its order. Returns 1
 * and words @d when one fails (first sentence after @prefix), 0 when all hold.
 */
int diag_format_problem(struct lkm_ctx *ctx, const struct modfile *m, const char *prefix,
			  struct lkm_diagnosis *d)
{
	uint16_t host = host_machine();
	char a[64], b[64];
	int r;

	if (!m->file)
		return 0;
	if (!m->elf_ok) {
		r = diag_first(d, "%s%s is %s", prefix, m->file->path, m->err.why);
		return r < 0 ? r : 1;
	}
	if (host && m->elf.machine != host) {
		r = diag_first(d, "%s%s was built for another architecture: %s, but this kernel runs on %s",
			  prefix, m->name, machine_words(m->elf.machine, a, sizeof(a)),
			  machine_words(host, b, sizeof(b)));
		return r < 0 ? r : 1;
	}
	if (!m->has_modinfo || !m->has_this_module) {
		r = diag_first(d, "%s%s was built for linking into the kernel, not as a module", prefix,
			  m->file->path);
		if (r == 0)
			r = diag_line(d, "it has no %s section, which every loadable module has",
				 !m->has_this_module ? ".gnu.linkonce.this_module" : ".modinfo");
		if (r == 0)
			r = diag_line(d, "build it with obj-m in a Kbuild file to get a .ko");
		return r < 0 ? r : 1;
	}
	return vermagic_problem(ctx, m, prefix, d);
}

/* ------------------------------------------------------------------ symbols */

struct need {
	const char *name;
	bool found;
};

static int cmp_need(const void *a, const void *b)
{
	return strcmp(((const struct need *)a)->name, ((const struct need *)b)->name);
}

/*
 * Mark each needed symbol that <proc>/kallsyms lists: vmlinux and every loaded
 * module's symbols are there. One pass over the file, a binary search per line.
 */
static int mark_kallsyms(struct lkm_ctx *ctx, struct need *needs, size_t n)
{
	char path[4096], *text, *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/kallsyms", lkm_ctx_get_proc(ctx));
	r = lkm_read_file(path, (size_t)256 << 20, &text, &len);
	if (r < 0)
		return r;
	if (n > 1)
		qsort(needs, n, sizeof(*needs), cmp_need);
	for (p = text; p && *p;) {
		char *eol = strchr(p, '\n'), *sym, *end;
		struct need key, *hit;

		if (eol)
			*eol = '\0';
		/* "ffffffff81000000 T name\t[mod]" */
		sym = strchr(p, ' ');
		sym = sym ? strchr(sym + 1, ' ') : NULL;
		if (sym) {
			sym++;
			end = sym + strcspn(sym, " \t");
			*end = '\0';
			key.name = strncmp(sym, "__ksymtab_", 10) == 0 ? sym + 10 : sym;
			hit = bsearch(&key, needs, n, sizeof(*needs), cmp_need);
			if (hit)
				hit->found = true;
		}
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return 0;
}

/* The module that exports @sym according to modules.symbols.bin, copied to @owner. */
int diag_symbol_owner(struct lkm_ctx *ctx, const char *sym, char *owner, size_t size,
		      struct lkm_err *err)
{
	struct lkm_index *idx;
	const char *value;
	char key[LKM_NAME_MAX + 16];
	int r;

	r = lkm_ctx_get_index(ctx, LKM_INDEX_SYMBOLS, &idx, err);
	if (r < 0)
		return r;
	snprintf(key, sizeof(key), "symbol:%s", sym);
	r = lkm_index_lookup_first(idx, key, &value, NULL);
	if (r < 0)
		return lkm_err_set(err, r, "%s/%s: %s", lkm_ctx_get_dirname(ctx),
				   lkm_index_kind_filename(LKM_INDEX_SYMBOLS), strerror(-r));
	if (r == 0)
		return lkm_err_set(err, -ENOENT, "no module exports %s", sym);
	snprintf(owner, size, "%s", value);
	return 0;
}

/* One line per missing symbol: who exports it, and whether that module is loaded. */
int diag_explain_symbol(struct lkm_ctx *ctx, const struct lkm_loaded_list *loaded,
			  const char *sym, struct lkm_diagnosis *d, bool *any_owner)
{
	struct lkm_err err = { 0 };
	char owner[LKM_NAME_MAX];
	int r;

	r = diag_symbol_owner(ctx, sym, owner, sizeof(owner), &err);
	if (r == -ENOENT)
		return diag_line(d, "%s: no module in %s/%s exports it", sym, lkm_ctx_get_dirname(ctx),
			    lkm_index_kind_filename(LKM_INDEX_SYMBOLS));
	if (r == -ENOMEM)
		return r;
	/* A broken index is worth a line, not the whole diagnosis: the rest still holds. */
	if (r < 0)
		return diag_line(d, "%s: who exports it is unknown: %s", sym, lkm_err_reason(&err, r));
	*any_owner = true;
	if (loaded && lkm_loaded_list_find(loaded, owner))
		return diag_line(d, "%s: exported by %s, which is loaded (its version of the symbol "
			    "may differ)", sym, owner);
	return diag_line(d, "%s: exported by %s, which is not loaded", sym, owner);
}

/* Needed symbols that nothing provides; from the file, against kallsyms. */
int diag_missing_symbols(struct lkm_ctx *ctx, const struct modfile *m, struct lkm_buf *syms)
{
	struct lkm_elf_import *imp = NULL;
	struct need *needs = NULL;
	size_t n = 0, i, k = 0;
	int r;

	if (!m->elf_ok)
		return -ENOEXEC;
	r = lkm_elf_get_imports(&m->elf, &imp, &n, NULL);
	if (r < 0)
		return r;
	needs = calloc(n ? n : 1, sizeof(*needs));
	if (!needs) {
		free(imp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (imp[i].bind != LKM_BIND_WEAK)
			needs[k++].name = imp[i].name;
	r = mark_kallsyms(ctx, needs, k);
	for (i = 0; r == 0 && i < k; i++)
		if (!needs[i].found)
			r = lkm_buf_printf(syms, "%s ", needs[i].name);
	free(needs);
	free(imp);
	return r;
}

/* ------------------------------------------------------------------ policy */

/* Whether this process may load modules: CapEff bit 16 of <proc>/self/status. */
int diag_cap_sys_module(struct lkm_ctx *ctx)
{
	char *status = diag_read_small(lkm_ctx_get_proc(ctx), "self/status"), *p;
	unsigned long long caps;
	int r = -ENOENT;

	if (!status)
		return r;
	p = strstr(status, "\nCapEff:");
	if (p && sscanf(p + 8, "%llx", &caps) == 1)
		r = (caps >> 16) & 1;
	free(status);
	return r;
}

/* "integrity" or "confidentiality" when the kernel is locked down; NULL otherwise. */
const char *diag_lockdown_mode(struct lkm_ctx *ctx)
{
	char *text = diag_read_small(lkm_ctx_get_sys(ctx), "kernel/security/lockdown");
	const char *mode = NULL;

	if (text && strstr(text, "[integrity]"))
		mode = "integrity";
	else if (text && strstr(text, "[confidentiality]"))
		mode = "confidentiality";
	free(text);
	return mode;
}

static bool flag_file(const char *root, const char *rel, const char *yes)
{
	char *text = diag_read_small(root, rel);
	bool on = text && strcmp(text, yes) == 0;

	free(text);
	return on;
}

bool diag_modules_disabled(struct lkm_ctx *ctx)
{
	return flag_file(lkm_ctx_get_proc(ctx), "sys/kernel/modules_disabled", "1");
}

bool diag_sig_enforced(struct lkm_ctx *ctx)
{
	return flag_file(lkm_ctx_get_sys(ctx), "module/module/parameters/sig_enforce", "Y");
}

bool diag_module_support(struct lkm_ctx *ctx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/modules", lkm_ctx_get_proc(ctx));
	return access(path, F_OK) == 0;
}

bool diag_sys_has_modules(struct lkm_ctx *ctx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/module", lkm_ctx_get_sys(ctx));
	return access(path, F_OK) == 0;
}
