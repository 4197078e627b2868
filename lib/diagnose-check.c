// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pre-flight check (insmod --check, modprobe --check): every problem that would
 * stop a load, found without loading. Each fact checked is a detail line: "ok: ",
 * "note: " (not checked, or not in the way of the load: a missing firmware) or
 * "problem: ".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diagnose-internal.h"


struct check {
	struct lkm_diagnosis *d;
	int problems;
	const char *const *coming; /* modules loaded before this one: their symbols count */
	size_t n_coming;
};

/* @sym is exported by a module that is loaded first: the one named in the line. */
static bool coming_owner(struct lkm_ctx *ctx, const struct check *c, const char *sym,
			 char *owner, size_t size)
{
	size_t i;

	/* A broken index is said by diag_explain_symbol(), which comes next. */
	if (!c->n_coming || diag_symbol_owner(ctx, sym, owner, size, NULL) < 0)
		return false;
	for (i = 0; i < c->n_coming; i++)
		if (strcmp(c->coming[i], owner) == 0)
			return true;
	return false;
}

static int problem(struct check *c, const char *fmt, ...) LKM_PRINTF(2, 3);

static int problem(struct check *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	return diag_line(c->d, "problem: %s", msg);
}

/* "0x1234abcd\tsym\tmodule\tEXPORT_SYMBOL\t..." -> the CRC of @sym in Module.symvers. */
static bool symvers_crc(const char *symvers, const char *sym, unsigned long long *crc)
{
	size_t len = strlen(sym);
	const char *p;

	for (p = symvers; (p = strstr(p, sym)); p += len) {
		const char *start = p;

		if (p == symvers || p[-1] != '\t' || (p[len] != '\t' && p[len] != '\n'))
			continue;
		while (start > symvers && start[-1] != '\n')
			start--;
		return sscanf(start, "%llx", crc) == 1;
	}
	return false;
}

static int check_crcs(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	struct lkm_elf_version *v = NULL;
	char path[4096], *symvers;
	size_t n = 0, i, len, compared = 0;
	int r;

	if (lkm_elf_get_versions(&m->elf, &v, &n, NULL) < 0 || n == 0) {
		free(v);
		return diag_line(c->d, "note: no __versions: the module was built without modversions");
	}
	snprintf(path, sizeof(path), "%s/build/Module.symvers", lkm_ctx_get_dirname(ctx));
	if (lkm_read_file(path, (size_t)64 << 20, &symvers, &len) < 0) {
		free(v);
		return diag_line(c->d, "note: CRCs not compared: no %s (the kernel exposes no CRCs in "
			    "kallsyms or sysfs)", path);
	}
	r = 0;
	for (i = 0; i < n && r == 0; i++) {
		unsigned long long crc;

		if (!symvers_crc(symvers, v[i].name, &crc))
			continue;
		compared++;
		if ((crc & 0xffffffffull) != (v[i].crc & 0xffffffffull))
			r = problem(c, "the version (CRC) of %s differs: module 0x%08llx, kernel "
				    "0x%08llx (built against other kernel sources)", v[i].name,
				    (unsigned long long)v[i].crc, crc);
	}
	if (r == 0)
		r = diag_line(c->d, "ok: %zu of %zu symbol versions compared with %s", compared, n,
			 path);
	free(symvers);
	free(v);
	return r;
}

static int check_symbols(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	struct lkm_loaded_list *loaded = NULL;
	struct lkm_buf syms = { 0 };
	bool any_owner = false;
	char *s, *save = NULL;
	int r;

	r = diag_missing_symbols(ctx, m, &syms);
	if (r == -ENOENT || r == -EACCES) {
		lkm_buf_free(&syms);
		return diag_line(c->d, "note: symbols not checked: %s/kallsyms is not readable",
			    lkm_ctx_get_proc(ctx));
	}
	if (r < 0)
		goto out;
	if (!syms.len) {
		r = diag_line(c->d, "ok: every symbol it needs is in %s/kallsyms",
			 lkm_ctx_get_proc(ctx));
		goto out;
	}
	if (lkm_kernel_get_loaded(ctx, &loaded, NULL) < 0)
		loaded = NULL;
	for (s = strtok_r(syms.data, " ", &save); s && r == 0; s = strtok_r(NULL, " ", &save)) {
		char owner[LKM_NAME_MAX];

		if (coming_owner(ctx, c, s, owner, sizeof(owner))) {
			r = diag_line(c->d, "ok: %s: exported by %s, which is loaded before it", s,
				 owner);
			continue;
		}
		c->problems++;
		r = lkm_buf_puts(&c->d->detail, "problem: ");
		if (r == 0)
			r = diag_explain_symbol(ctx, loaded, s, c->d, &any_owner);
	}
	if (r == 0 && any_owner)
		r = diag_line(c->d, "note: `modprobe %s` loads the modules it needs first", m->name);
	lkm_loaded_list_free(loaded);
out:
	lkm_buf_free(&syms);
	return r;
}

static int check_policy(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	const char *mode = diag_lockdown_mode(ctx);
	bool enforce = diag_sig_enforced(ctx), is_signed = false;
	int r = 0;

	if (diag_cap_sys_module(ctx) == 0)
		r = problem(c, "this process lacks CAP_SYS_MODULE: loading needs root");
	if (r == 0 && diag_modules_disabled(ctx))
		r = problem(c, "module loading is disabled (%s/sys/kernel/modules_disabled is 1)",
			    lkm_ctx_get_proc(ctx));
	if (r == 0 && m->file)
		is_signed = lkm_signature_strip(m->file->data, m->file->size) != m->file->size;
	if (r == 0 && !is_signed && enforce)
		r = problem(c, "%s is not signed, and the kernel requires signatures (sig_enforce "
			    "is Y)", m->name);
	else if (r == 0 && !is_signed && mode)
		r = problem(c, "%s is not signed, and the kernel is locked down (%s)", m->name,
			    mode);
	else if (r == 0)
		r = diag_line(c->d, "%s: %s; signatures %s", is_signed ? "ok" : "note",
			 is_signed ? "signed (the kernel verifies the key when loading)" :
				     "not signed",
			 enforce ? "required" : "not required (an unsigned module taints the "
						"kernel)");
	return r;
}

static int check_loaded(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	int state = lkm_kernel_get_initstate(ctx, m->name);

	if (!diag_module_support(ctx))
		return problem(c, "this kernel has no module support (no %s/modules)",
			       lkm_ctx_get_proc(ctx));
	if (state == LKM_INITSTATE_BUILTIN)
		return problem(c, "%s is built into the kernel", m->name);
	if (state > 0)
		return problem(c, "%s is already loaded (state: %s)", m->name,
			       lkm_initstate_name(state));
	return 0;
}

/* ------------------------------------------------------------------ firmware */

/*
 * A missing firmware is a "note: ", not a "problem: ": the kernel loads the module
 * without it (only the probe of a device that needs it fails later), and many drivers
 * declare every firmware any of their devices may ask for (iwlwifi, amdgpu: hundreds),
 * of which a system holds the few for its own hardware. As problems they would make
 * --check fail for such drivers on every machine, and its exit code means "would not
 * load". Each kind is listed up to FW_LINES names, then counted.
 */
#define FW_LINES 8

/* Where the kernel's firmware loader looks (fw_path[]), in its order, and its suffixes. */
static int firmware_find(struct lkm_ctx *ctx, const char *custom, const char *fw,
			 char *found, size_t size)
{
	static const char *const suffix[] = { "", ".zst", ".xz" };
	const char *base = lkm_ctx_get_firmware_dir(ctx), *kver = lkm_ctx_get_kver(ctx);
	const char *dirs[5][2] = {
		{ custom, "" }, { "/updates/", kver }, { "/updates", "" }, { "/", kver },
		{ "", "" },
	};
	size_t i, j;

	for (i = 0; i < 5; i++) {
		if (i == 0 && (!custom || !custom[0]))
			continue;
		for (j = 0; j < sizeof(suffix) / sizeof(suffix[0]); j++) {
			struct stat st;

			snprintf(found, size, "%s%s%s/%s%s", i ? base : "", dirs[i][0],
				 dirs[i][1], fw, suffix[j]);
			if (stat(found, &st) == 0 && S_ISREG(st.st_mode))
				return 0;
		}
	}
	return -ENOENT;
}

static int check_firmware(struct lkm_ctx *ctx, const struct modfile *m, struct check *c)
{
	const char *dir = lkm_ctx_get_firmware_dir(ctx), *kver = lkm_ctx_get_kver(ctx);
	char *custom = diag_read_small(lkm_ctx_get_sys(ctx),
				       "module/firmware_class/parameters/path");
	const char **info = NULL;
	struct lkm_buf where = { 0 };
	size_t n = 0, i, found = 0, missing = 0;
	int r = 0;

	if (lkm_elf_get_modinfo(&m->elf, &info, &n, NULL) < 0)
		n = 0;
	for (i = 0; i < n && r == 0; i++) {
		const char *fw = info[i] + 9;
		char path[8192];

		if (strncmp(info[i], "firmware=", 9) != 0 || !fw[0])
			continue;
		if (firmware_find(ctx, custom, fw, path, sizeof(path)) == 0) {
			if (++found <= FW_LINES)
				r = diag_line(c->d, "ok: firmware %s: %s", fw, path);
			continue;
		}
		if (++missing > FW_LINES)
			continue;
		if (!where.len)
			r = lkm_buf_printf(&where, "%s%s%s/updates/%s, %s/updates, %s/%s or %s",
					   custom && custom[0] ? custom : "",
					   custom && custom[0] ? ", " : "", dir, kver, dir, dir,
					   kver, dir);
		if (r == 0)
			r = diag_line(c->d, "note: firmware %s is missing: not in %s (nor as .zst or "
				      ".xz); %s loads without it, but a device that needs it will "
				      "fail to start", fw, where.data, m->name);
	}
	if (r == 0 && found > FW_LINES)
		r = diag_line(c->d, "ok: %zu more firmware files found", found - FW_LINES);
	if (r == 0 && missing > FW_LINES)
		r = diag_line(c->d, "note: %zu more firmware files missing", missing - FW_LINES);
	if (r == 0 && missing)
		r = diag_line(c->d, "note: install the missing firmware (the distribution's "
			      "firmware packages, or linux-firmware) if this machine has such a "
			      "device");
	lkm_buf_free(&where);
	free(custom);
	free(info);
	return r;
}

int lkm_diagnose_check(struct lkm_ctx *ctx, const char *path, struct lkm_diagnosis *out)
{
	return lkm_diagnose_check_with(ctx, path, NULL, 0, out);
}

int lkm_diagnose_check_with(struct lkm_ctx *ctx, const char *path, const char *const *coming,
			    size_t n_coming, struct lkm_diagnosis *out)
{
	struct check c = { .d = out, .coming = coming, .n_coming = n_coming };
	struct lkm_diagnosis fmt = { 0 };
	struct modfile m;
	int r;

	memset(out, 0, sizeof(*out));
	diag_modfile_open(&m, path, NULL);
	if (m.open_error < 0) {
		out->code = m.open_error;
		r = problem(&c, "%s", lkm_err_reason(&m.err, m.open_error));
		goto sum;
	}
	r = diag_format_problem(ctx, &m, "", &fmt);
	if (r > 0) {
		r = problem(&c, "%s", fmt.first.data);
		if (r == 0 && fmt.detail.len)
			r = lkm_buf_puts(&out->detail, fmt.detail.data);
		if (!m.elf_ok || !m.has_modinfo || !m.has_this_module)
			goto sum; /* nothing else can be read from it */
	} else if (r == 0) {
		r = diag_line(out, "ok: an ELF module for this machine, vermagic %s",
			 m.vermagic ? m.vermagic : "(none)");
	}
	if (r == 0)
		r = check_symbols(ctx, &m, &c);
	if (r == 0)
		r = check_crcs(ctx, &m, &c);
	if (r == 0)
		r = check_firmware(ctx, &m, &c);
	if (r == 0)
		r = check_policy(ctx, &m, &c);
	if (r == 0)
		r = check_loaded(ctx, &m, &c);
sum:
	if (r == 0 && c.problems == 0)
		r = diag_first(out, "%s would load: no problem found without loading it", m.name);
	else if (r == 0)
		r = diag_first(out, "%s would not load: %d problem%s found", m.name[0] ? m.name : path,
			  c.problems, c.problems == 1 ? "" : "s");
	if (!out->code && c.problems)
		out->code = -EINVAL;
	lkm_diagnosis_release(&fmt);
	diag_modfile_close(&m);
	if (r < 0) {
		lkm_diagnosis_release(out);
		return r;
	}
	return c.problems;
}

/* ------------------------------------------------------------------ modprobe --check */

static bool step_in_kernel(struct lkm_ctx *ctx, const struct lkm_load_step *s)
{
	struct lkm_resolved m = {
		.name = s->name, .path = s->path, .builtin = s->action == LKM_STEP_BUILTIN,
	};
	int state = lkm_resolve_initstate(ctx, &m);

	return state == LKM_INITSTATE_LIVE || state == LKM_INITSTATE_BUILTIN;
}

/* One module file of the plan: its check, indented under its name. */
static int check_step(struct lkm_ctx *ctx, const struct lkm_load_step *s,
		      const char *const *coming, size_t n_coming, struct lkm_diagnosis *out)
{
	struct lkm_diagnosis d;
	const char *p;
	int n, r;

	if (access(s->path, F_OK) < 0 && errno == ENOENT) {
		char cmd[4200];

		diag_depmod_command(ctx, cmd, sizeof(cmd));
		r = diag_line(out, "%s: problem: %s lists %s, which no longer exists: the index is "
			      "stale; run `%s`", s->name, "modules.dep", s->path, cmd);
		return r < 0 ? r : s->required;
	}
	n = lkm_diagnose_check_with(ctx, s->path, coming, n_coming, &d);
	if (n < 0)
		return n;
	r = diag_line(out, "%s%s", d.first.data,
		 n && !s->required ? " (a soft dependency: modprobe goes on without it)" : "");
	for (p = d.detail.data; r == 0 && p && *p;) {
		int len = (int)strcspn(p, "\n");

		r = diag_line(out, "  %.*s", len, p);
		p += len + (p[len] == '\n');
	}
	lkm_diagnosis_release(&d);
	if (r < 0)
		return r;
	return s->required ? n : 0;
}

int lkm_diagnose_check_plan(struct lkm_ctx *ctx, const struct lkm_load_plan *plan,
			    struct lkm_diagnosis *out)
{
	const char **coming, *target = NULL;
	size_t i, n_coming = 0;
	int problems = 0, r = 0;

	memset(out, 0, sizeof(*out));
	coming = calloc(plan->count + 1, sizeof(*coming));
	if (!coming)
		return -ENOMEM;
	for (i = 0; i < plan->count && r >= 0; i++) {
		const struct lkm_load_step *s = &plan->steps[i];

		if (s->target)
			target = s->name;
		if (step_in_kernel(ctx, s))
			r = diag_line(out, "%s: already in the kernel, skipped", s->name);
		else if (s->action == LKM_STEP_INSTALL)
			r = diag_line(out, "%s: note: its install command runs instead of a load "
				 "(not checked): %s", s->name, s->cmdline);
		else if (s->action == LKM_STEP_BUILTIN)
			r = diag_line(out, "%s: built into the kernel", s->name);
		else if (s->action == LKM_STEP_MISSING) {
			problems += s->required;
			r = diag_line(out, "%s: problem: no module file for it in modules.dep", s->name);
		} else {
			r = check_step(ctx, s, coming, n_coming, out);
			problems += r > 0 ? r : 0;
			coming[n_coming++] = s->name;
		}
	}
	free(coming);
	if (r >= 0 && !target)
		target = plan->count ? plan->steps[plan->count - 1].name : "the module";
	if (r >= 0 && problems == 0)
		r = diag_first(out, "%s would load: no problem found in %zu module%s, without "
			  "loading any", target, plan->count, plan->count == 1 ? "" : "s");
	else if (r >= 0)
		r = diag_first(out, "%s would not load: %d problem%s found", target, problems,
			  problems == 1 ? "" : "s");
	out->code = problems ? -EINVAL : 0;
	if (r < 0) {
		lkm_diagnosis_release(out);
		return r;
	}
	return problems;
}

/* ------------------------------------------------------------------ --check --json */

/* "ok", "note" or "problem" when @line starts with it (or with "NAME: " and it). */
static const char *line_level(const char *line)
{
	static const char *const levels[] = { "ok", "note", "problem" };
	const char *after_name = strstr(line, ": ");
	size_t i, len;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		len = strlen(levels[i]);
		if (strncmp(line, levels[i], len) == 0 && strncmp(line + len, ": ", 2) == 0)
			return levels[i];
		if (after_name && !memchr(line, ' ', (size_t)(after_name - line)) &&
		    strncmp(after_name + 2, levels[i], len) == 0 &&
		    strncmp(after_name + 2 + len, ": ", 2) == 0)
			return levels[i];
	}
	return "info";
}

int lkm_diagnose_check_json(const struct lkm_diagnosis *d, int problems, struct lkm_json *json)
{
	const char *p = d->detail.data;

	lkm_json_begin_object(json);
	lkm_json_member_string(json, "summary", d->first.data ? d->first.data : "");
	lkm_json_member_int(json, "problems", problems);
	lkm_json_key(json, "lines");
	lkm_json_begin_array(json);
	while (p && *p) {
		size_t len = strcspn(p, "\n"), indent = strspn(p, " ");
		char line[4096];

		if (indent > len)
			indent = len;
		snprintf(line, sizeof(line), "%.*s", (int)(len - indent), p + indent);
		lkm_json_begin_object(json);
		lkm_json_member_uint(json, "depth", indent / 2);
		lkm_json_member_string(json, "level", line_level(line));
		lkm_json_key(json, "text");
		lkm_json_string_len(json, p + indent, len - indent);
		lkm_json_end_object(json);
		p += len + (p[len] == '\n');
	}
	lkm_json_end_array(json);
	return lkm_json_end_object(json);
}
