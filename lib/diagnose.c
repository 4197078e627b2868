// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Errors that explain themselves. kmod reports a refused load with one errno string
 * ("Invalid module format") and leaves the reader to dig through dmesg. Here a failure
 * is explained from everything there is to look at: the kernel's log records of that
 * very attempt (read from /dev/kmsg from just before the syscall), the module's ELF
 * contents, <proc>/kallsyms, <proc>/modules, <sys>/module and the indexes.
 *
 * This file words load and unload failures: the facts come from lib/diagnose-facts.c,
 * the formatting from lib/diagnose-text.c, the log from lib/kmsg.c;
 * lib/diagnose-probe.c words modprobe's own failures (not found, blacklisted, config
 * lines, loops) and lib/diagnose-check.c looks ahead. Nothing here prints: a struct
 * lkm_diagnosis holds one sentence and detail lines, and the tool decides where they go.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagnose-internal.h"

/*
 * The log records that matter for @name: those naming it, and the loader's own that
 * name no module. Stack dumps (records starting with a space) and the once-per-boot
 * taint notice are noise here.
 */
static bool record_relevant(const char *text, const char *name)
{
	static const char *const general[] = {
		"Loading of unsigned module", "Lockdown:", "No module found", "this_module",
		"version magic", "disagrees about version", "Unknown symbol", "Invalid ELF",
		"Invalid architecture", "signature", "Module len", "suspiciously returned",
	};
	size_t i;

	if (text[0] == ' ' || strstr(text, "required key missing - tainting kernel"))
		return false;
	if (name && *name && strstr(text, name))
		return true;
	for (i = 0; i < sizeof(general) / sizeof(general[0]); i++)
		if (strstr(text, general[i]))
			return true;
	return false;
}

/* One record as "kernel: " lines: the kernel escapes a newline inside it as \x0a. */
static int quote_record(struct lkm_diagnosis *d, const char *text)
{
	const char *nl;
	int r = 0;

	while (r == 0 && (nl = strstr(text, "\\x0a"))) {
		r = diag_line(d, "kernel: %.*s", (int)(nl - text), text);
		text = nl + 4;
	}
	return r ? r : diag_line(d, "kernel: %s", text);
}

static int quote_log(struct lkm_diagnosis *d, const struct lkm_kmsg_log *log, const char *name)
{
	size_t i, shown = 0;
	int r = 0;

	if (!log)
		return 0;
	for (i = 0; i < log->count && r == 0 && shown < 12; i++) {
		if (!record_relevant(log->recs[i].text, name))
			continue;
		r = quote_record(d, log->recs[i].text);
		shown++;
	}
	return r;
}

/* The first record holding @needle (and @name when given), or NULL. */
static const char *log_find(const struct lkm_kmsg_log *log, const char *needle, const char *name)
{
	size_t i;

	if (!log)
		return NULL;
	for (i = 0; i < log->count; i++) {
		const char *t = log->recs[i].text;

		if (strstr(t, needle) && (!name || strstr(t, name)))
			return t;
	}
	return NULL;
}

/* The symbols the log names ("NAME: Unknown symbol SYM (err -2)"), space-separated. */
static int log_unknown_symbols(const struct lkm_kmsg_log *log, const char *name,
			       struct lkm_buf *syms)
{
	size_t i;
	int r = 0;

	if (!log)
		return 0;
	for (i = 0; i < log->count && r == 0; i++) {
		const char *t = log->recs[i].text, *s = strstr(t, ": Unknown symbol ");

		if (!s || (name && strncmp(t, name, strlen(name)) != 0))
			continue;
		s += strlen(": Unknown symbol ");
		r = lkm_buf_printf(syms, "%.*s ", (int)strcspn(s, " "), s);
	}
	return r;
}

static int diag_unknown_symbol(struct lkm_ctx *ctx, const struct modfile *m,
			       const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	struct lkm_loaded_list *loaded = NULL;
	struct lkm_buf syms = { 0 };
	bool any_owner = false;
	size_t count = 0;
	char *s, *save = NULL;
	int r;

	r = log_unknown_symbols(in->log, m->name, &syms);
	if (r == 0 && syms.len == 0 && diag_missing_symbols(ctx, m, &syms) == -ENOMEM)
		r = -ENOMEM;
	if (r < 0)
		goto out;
	if (lkm_kernel_get_loaded(ctx, &loaded, NULL) < 0)
		loaded = NULL;
	for (s = syms.data; s && *s; s++)
		count += *s == ' ';
	if (count == 0) {
		r = diag_first(d, "%s needs a symbol that neither the kernel nor a loaded module "
			  "exports (Unknown symbol in module)", m->name);
		goto log;
	}
	syms.data[syms.len - 1] = '\0';
	r = diag_first(d, "%s needs %s that neither the kernel nor a loaded module exports: %s",
		  m->name, count == 1 ? "a symbol" : "symbols", syms.data);
	for (s = strtok_r(syms.data, " ", &save); s && r == 0; s = strtok_r(NULL, " ", &save))
		r = diag_explain_symbol(ctx, loaded, s, d, &any_owner);
	if (r == 0 && any_owner)
		r = diag_line(d, "load it with `modprobe %s`, which loads the modules it needs first, "
			 "instead of insmod", m->name);
log:
	if (r == 0)
		r = quote_log(d, in->log, m->name);
out:
	lkm_loaded_list_free(loaded);
	lkm_buf_free(&syms);
	return r;
}

/* ------------------------------------------------------------------ format errors */

/* "'…' should be '…'" from "NAME: version magic 'A' should be 'B'". */
static int diag_vermagic_log(const struct modfile *m, const char *rec, struct lkm_diagnosis *d)
{
	const char *a = strchr(rec, '\''), *a_end, *b, *b_end;
	int r;

	a_end = a ? strchr(a + 1, '\'') : NULL;
	b = a_end ? strchr(a_end + 1, '\'') : NULL;
	b_end = b ? strchr(b + 1, '\'') : NULL;
	if (!b_end)
		return diag_first(d, "%s was built for another kernel: its version magic does not "
			     "match", m->name);
	r = diag_first(d, "%s was built for another kernel: version magic '%.*s' does not match "
		  "the kernel's '%.*s'", m->name, (int)(a_end - a - 1), a + 1,
		  (int)(b_end - b - 1), b + 1);
	if (r == 0)
		r = diag_line(d, "module: %.*s", (int)(a_end - a - 1), a + 1);
	if (r == 0)
		r = diag_line(d, "kernel: %.*s", (int)(b_end - b - 1), b + 1);
	if (r == 0)
		r = diag_line(d, "install the module built for this kernel, or rebuild it against "
			 "its headers (--force-vermagic skips the check and taints the kernel)");
	return r;
}

static int diag_crc_log(const struct modfile *m, const struct lkm_kmsg_log *log,
			struct lkm_diagnosis *d)
{
	struct lkm_buf syms = { 0 };
	size_t i;
	int r = 0;

	for (i = 0; i < log->count && r == 0; i++) {
		const char *s = strstr(log->recs[i].text, "disagrees about version of symbol ");

		if (s)
			r = lkm_buf_printf(&syms, "%s%s", syms.len ? ", " : "",
					   s + strlen("disagrees about version of symbol "));
	}
	if (r == 0)
		r = diag_first(d, "%s was built against other kernel sources: the kernel disagrees "
			  "about the version (CRC) of %s", m->name, syms.data);
	if (r == 0)
		r = diag_line(d, "the module's __versions CRC of that symbol differs from the one the "
			 "running kernel exports (modversions)");
	if (r == 0)
		r = diag_line(d, "rebuild the module against this kernel's headers and Module.symvers "
			 "(--force-modversion skips the check and taints the kernel)");
	lkm_buf_free(&syms);
	return r;
}

static int diag_format(struct lkm_ctx *ctx, const struct modfile *m,
		       const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	const char *rec;
	int r;

	rec = log_find(in->log, "version magic", NULL);
	if (rec)
		r = diag_vermagic_log(m, rec, d);
	else if (log_find(in->log, "disagrees about version of symbol", NULL))
		r = diag_crc_log(m, in->log, d);
	else {
		r = diag_format_problem(ctx, m, "", d);
		if (r == 0)
			r = diag_first(d, "%s: the kernel refused its format (Invalid module format)",
				  m->name);
		else if (r > 0)
			r = 0;
	}
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* The signer and key of the module file, as detail lines. */
static int signature_lines(const struct modfile *m, struct lkm_diagnosis *d, bool *signed_out)
{
	struct lkm_signature sig = { 0 };
	struct lkm_buf key = { 0 };
	int r;

	*signed_out = false;
	if (!m->file)
		return 0;
	r = lkm_signature_parse(m->file->data, m->file->size, &sig, NULL);
	if (r == -ENODATA)
		return diag_line(d, "%s carries no signature", m->file->path);
	if (r < 0)
		return diag_line(d, "%s carries a signature that does not decode", m->file->path);
	*signed_out = true;
	r = lkm_hex_format(&key, sig.key_id, sig.key_id_len, 0);
	if (r == 0)
		r = diag_line(d, "%s is signed by \"%s\" with key %s (%s)", m->file->path,
			 sig.signer[0] ? sig.signer : "(unknown signer)",
			 key.len ? key.data : "(unknown)", sig.hash_algo);
	lkm_buf_free(&key);
	lkm_signature_release(&sig);
	return r;
}

static int diag_signature(struct lkm_ctx *ctx, const struct modfile *m,
			  const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	bool is_signed, unsigned_rejected;
	int r;

	unsigned_rejected = log_find(in->log, "Loading of unsigned module is rejected", NULL);
	if (unsigned_rejected || (m->file && lkm_signature_strip(m->file->data, m->file->size) ==
					      m->file->size))
		r = diag_first(d, "%s is not signed, and this kernel only loads signed modules",
			  m->name);
	else if (-in->error == ENOKEY)
		r = diag_first(d, "%s is signed with a key the kernel does not have", m->name);
	else if (-in->error == EBADMSG)
		r = diag_first(d, "%s carries a malformed signature", m->name);
	else
		r = diag_first(d, "the kernel rejected the signature of %s (the module was changed "
			  "after signing, or its key is not trusted)", m->name);
	if (r == 0)
		r = signature_lines(m, d, &is_signed);
	if (r == 0)
		r = diag_line(d, "signatures are %s (%s/module/module/parameters/sig_enforce); a "
			 "signature that is present must verify either way",
			 diag_sig_enforced(ctx) ? "required" : "not required", lkm_ctx_get_sys(ctx));
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* EPERM: not root, no CAP_SYS_MODULE, modules_disabled, lockdown. */
static int diag_permission(struct lkm_ctx *ctx, const struct modfile *m,
			   const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	const char *mode = diag_lockdown_mode(ctx);
	int cap = diag_cap_sys_module(ctx), r;

	if (cap == 0)
		r = diag_first(d, "loading %s needs root: this process lacks CAP_SYS_MODULE%s", m->name,
			  geteuid() != 0 ? " (it does not run as root)" : "");
	else if (diag_modules_disabled(ctx))
		r = diag_first(d, "module loading is disabled on this system: %s/sys/kernel/"
			  "modules_disabled is 1, and only a reboot turns it back on",
			  lkm_ctx_get_proc(ctx));
	else if (mode || log_find(in->log, "Lockdown", NULL))
		r = diag_first(d, "the kernel is locked down (%s) and refused %s: under lockdown only "
			  "modules signed with a trusted key load", mode ? mode : "lockdown",
			  m->name);
	else
		r = diag_first(d, "the kernel did not permit loading %s (Operation not permitted)",
			  m->name);
	if (r == 0 && (mode || log_find(in->log, "Lockdown", NULL))) {
		bool is_signed;

		r = signature_lines(m, d, &is_signed);
	}
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

/* ------------------------------------------------------------------ other load errors */

static int diag_exists(struct lkm_ctx *ctx, const struct modfile *m, struct lkm_diagnosis *d)
{
	int state = lkm_kernel_get_initstate(ctx, m->name), r;

	switch (state) {
	case LKM_INITSTATE_BUILTIN:
		return diag_first(d, "%s is built into the kernel: there is nothing to load", m->name);
	case LKM_INITSTATE_COMING:
		r = diag_first(d, "%s already exists in the kernel: it is being loaded (state: "
			  "coming) and its init function is still running", m->name);
		return r < 0 ? r : diag_line(d, "wait for it; a stuck init shows in the kernel log");
	case LKM_INITSTATE_GOING:
		r = diag_first(d, "%s already exists in the kernel: it is being removed (state: going)",
			  m->name);
		return r < 0 ? r : diag_line(d, "try again once it is gone");
	default:
		r = diag_first(d, "%s already exists in the kernel: it is loaded (state: live)",
			  m->name);
		return r < 0 ? r : diag_line(d, "remove it first (rmmod %s) to load it again", m->name);
	}
}

/* A positive errno the kernel's loader itself does not produce: it came from init. */
static bool loader_errno(int e)
{
	switch (e) {
	case ENOEXEC: case ENOENT: case EEXIST: case EPERM: case EKEYREJECTED: case ENOKEY:
	case EBADMSG: case ENOSYS: case ENOMEM: case EFAULT: case EBUSY: case EINVAL:
	case ETXTBSY: case EFBIG: case EOVERFLOW:
		return true;
	default:
		return false;
	}
}

static int diag_init_failed(const struct modfile *m, const struct lkm_diag_load *in,
			    struct lkm_diagnosis *d)
{
	int e = -in->error, r;
	const char *name = lkm_diagnose_errno_name(e);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "error %d", e);
		name = num;
	}
	r = diag_first(d, "%s was accepted, but its init function failed with %s (%s)", m->name,
		  name, strerror(e));
	if (r == 0)
		r = diag_line(d, "the module is not loaded; the reason is the module's own: its "
			 "messages from this attempt follow, if it logged any");
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

static int diag_other(const struct modfile *m, const struct lkm_diag_load *in,
		      struct lkm_diagnosis *d)
{
	const char *param = log_find(in->log, "Unknown parameter", m->name);
	const char *q = param ? strchr(param, '`') : NULL; /* "Unknown parameter `x'" */
	size_t qlen = q ? strcspn(q + 1, "'") : 0;
	int e = -in->error, r;

	/* The kernel answers an unknown parameter with -ENOENT, a bad value with -EINVAL. */
	if (!param) {
		/* "NAME: `abc' invalid for parameter `intp'" */
		param = log_find(in->log, "' invalid for parameter `", m->name);
		q = param ? strchr(param, '`') : NULL;
		qlen = q ? strcspn(q + 1, "'") : 0;
	}
	if (q && strstr(param, "' invalid for parameter `")) {
		const char *p = strrchr(param, '`') + 1;

		r = diag_first(d, "%s rejected the value '%.*s' of its parameter '%.*s'", m->name,
			  (int)qlen, q + 1, (int)strcspn(p, "'"), p);
	} else if (q && q[1 + qlen] == '\'')
		r = diag_first(d, "%s does not take the parameter '%.*s' that was given to it",
			  m->name, (int)qlen, q + 1);
	else if (param)
		r = diag_first(d, "%s does not take a parameter that was given to it", m->name);
	else
		r = diag_first(d, "the kernel refused %s: %s (%s)", m->name, strerror(e),
			  lkm_diagnose_errno_name(e) ? lkm_diagnose_errno_name(e) : "?");
	if (r == 0 && param)
		r = diag_line(d, "see `modinfo -p %s` for the parameters it takes", m->name);
	if (r == 0)
		r = quote_log(d, in->log, m->name);
	return r;
}

int lkm_diagnose_load(struct lkm_ctx *ctx, const struct lkm_diag_load *in,
		      struct lkm_diagnosis *out)
{
	struct modfile m;
	int e = -in->error, r;

	memset(out, 0, sizeof(*out));
	out->code = in->error;
	diag_modfile_open(&m, in->path, in->name);
	if (!m.name[0])
		snprintf(m.name, sizeof(m.name), "the module");
	if (e == ENOSYS && !diag_module_support(ctx))
		r = diag_first(out, "this kernel was built without module support (no %s/modules): "
			  "%s cannot be loaded", lkm_ctx_get_proc(ctx), m.name);
	else if (e == ENOENT && log_find(in->log, "Unknown parameter", m.name))
		r = diag_other(&m, in, out);
	else if (e == ENOENT)
		r = diag_unknown_symbol(ctx, &m, in, out);
	else if (e == ENOEXEC)
		r = diag_format(ctx, &m, in, out);
	else if (e == EINVAL && log_find(in->log, "disagrees about version of symbol", NULL))
		r = diag_crc_log(&m, in->log, out);
	else if (e == EINVAL && log_find(in->log, "Unknown symbol", m.name))
		r = diag_unknown_symbol(ctx, &m, in, out);
	else if (e == EEXIST)
		r = diag_exists(ctx, &m, out);
	else if (e == EPERM || e == EACCES)
		r = diag_permission(ctx, &m, in, out);
	else if (e == EKEYREJECTED || e == ENOKEY || e == EBADMSG)
		r = diag_signature(ctx, &m, in, out);
	else if (!loader_errno(e))
		r = diag_init_failed(&m, in, out);
	else
		r = diag_other(&m, in, out);
	diag_modfile_close(&m);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r < 0 ? r : 0;
}

int lkm_diagnose_loaded(struct lkm_ctx *ctx, const char *name, const struct lkm_kmsg_log *log,
			struct lkm_diagnosis *out)
{
	char quoted[LKM_NAME_MAX + 4];
	const char *rec, *v;
	int r;

	(void)ctx;
	memset(out, 0, sizeof(*out));
	snprintf(quoted, sizeof(quoted), "'%s'", name);
	rec = log_find(log, "suspiciously returned", quoted);
	if (!rec)
		return -ENODATA;
	v = strstr(rec, "suspiciously returned ") + strlen("suspiciously returned ");
	r = diag_first(out, "%s was loaded, but its init function returned %.*s instead of 0 or a "
		  "negative errno", name, (int)strspn(v, "-0123456789"), v);
	if (r == 0)
		r = diag_line(out, "the kernel keeps the module loaded and only warns; the module's "
			 "author should fix its init");
	if (r == 0)
		r = quote_log(out, log, name);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

/* ------------------------------------------------------------------ unload */

/* One detail line for what holds the module (lib/diagnose-holders.c). */
static int held_line(const struct diag_held *h, const char *name, struct lkm_diagnosis *d)
{
	switch (h->kind) {
	case DIAG_HELD_MOUNT:
		if (h->by_device)
			return diag_line(d, "mounted: %s (%s) is on %s, a device of %s: unmount it "
					 "first (umount %s)", h->where, h->what, h->source, name,
					 h->where);
		return diag_line(d, "mounted: %s, of type %s, from %s: unmount it first (umount "
				 "%s)", h->where, h->what, h->source, h->where);
	case DIAG_HELD_OPEN:
		return diag_line(d, "open: %s (%s %u:%u) by process %d (%s) as fd %d: close it or "
				 "end the process (kill %d)", h->where[0] ? h->where : "a device",
				 h->dev_type == 'b' ? "block" : "char", h->major, h->minor, h->pid,
				 h->what, h->fd, h->pid);
	default:
		if (h->by_device)
			return diag_line(d, "network interface %s is driven by %s: an interface does "
					 "not hold its driver by itself, but what uses it may "
					 "(ip link set %s down)", h->what, name, h->what);
		return diag_line(d, "network interface %s is a %s of %s: it holds the module "
				 "only while something uses it (ip link delete %s)", h->what,
				 h->source, name, h->what);
	}
}

/*
 * Held by no module: name the mount, the open file or the interface that holds it,
 * when lib/diagnose-holders.c finds one; the first of them goes into the sentence.
 */
static int diag_held(struct lkm_ctx *ctx, const char *name, int refcnt, struct lkm_diagnosis *d)
{
	struct diag_held_list held;
	const struct diag_held *h;
	size_t i;
	int r;

	r = diag_find_held(ctx, name, &held);
	if (r < 0)
		return r;
	h = held.n > 0 ? &held.v[0] : NULL;
	if (h && h->kind == DIAG_HELD_MOUNT && h->by_device)
		r = diag_first(d, "Module %s is in use (reference count %d): its device %s is "
			       "mounted on %s", name, refcnt, h->source, h->where);
	else if (h && h->kind == DIAG_HELD_MOUNT)
		r = diag_first(d, "Module %s is in use (reference count %d): a filesystem of type "
			       "%s is mounted on %s", name, refcnt, h->what, h->where);
	else if (h && h->kind == DIAG_HELD_OPEN)
		r = diag_first(d, "Module %s is in use (reference count %d): process %d (%s) has "
			       "%s open", name, refcnt, h->pid, h->what,
			       h->where[0] ? h->where : "one of its devices");
	else
		r = diag_first(d, "Module %s is in use (reference count %d), though no module "
			       "holds it", name, refcnt);
	for (i = 0; i < held.n && r == 0; i++)
		r = held_line(&held.v[i], name, d);
	if (r == 0 && held.more)
		r = diag_line(d, "and more: only the first %zu are listed", held.n);
	if (r == 0 && (!h || h->kind == DIAG_HELD_NETIF))
		r = diag_line(d, "something outside the module list holds it (an open device, a "
			      "mounted filesystem, a socket of its protocol): release that first");
	diag_held_list_free(&held);
	return r;
}

static int diag_holders(struct lkm_ctx *ctx, const char *name, const struct lkm_loaded *lm,
			struct lkm_diagnosis *d)
{
	struct lkm_buf users = { 0 };
	char **holders = NULL;
	size_t n = 0, i;
	int refcnt = lm && lm->has_refcount ? lm->refcount : -1, r = 0;

	if (lkm_kernel_get_holders(ctx, name, &holders, &n) < 0)
		n = 0;
	if (lkm_kernel_get_refcnt(ctx, name, &refcnt) < 0 && !lm)
		refcnt = -1;
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(&users, "%s%s", i ? " " : "", holders[i]);
	if (r == 0 && n > 0)
		r = diag_first(d, "Module %s is in use by: %s (reference count %d)", name, users.data,
			  refcnt);
	else if (r == 0)
		r = diag_held(ctx, name, refcnt, d);
	if (r == 0 && n > 0)
		r = diag_line(d, "remove the modules that use it first (rmmod %s), or run "
			 "`modprobe -r %s`, which removes its users' dependencies as it goes",
			 users.data, holders[0]);
	lkm_buf_free(&users);
	if (holders)
		lkm_kernel_holders_free(holders);
	return r;
}

static int diag_permanent(const char *name, struct lkm_diagnosis *d)
{
	int r = diag_first(d, "Module %s cannot be removed: it has no exit function, so the kernel "
		      "marks it permanent", name);

	if (r == 0)
		r = diag_line(d, "/proc/modules lists it as [permanent]; rmmod -f can remove it only "
			 "on a kernel built with CONFIG_MODULE_FORCE_UNLOAD");
	if (r == 0)
		r = diag_line(d, "forcing it frees code that may still run: it taints the kernel and "
			 "can crash it; a reboot is the safe way");
	return r;
}

int lkm_diagnose_unload(struct lkm_ctx *ctx, const char *name, int error, unsigned flags,
			struct lkm_diagnosis *out)
{
	struct lkm_loaded_list *loaded = NULL;
	const struct lkm_loaded *lm = NULL;
	char **holders = NULL;
	size_t n = 0;
	int state, refcnt = 0, r = 0;

	memset(out, 0, sizeof(*out));
	out->code = error ? error : -EBUSY;
	state = lkm_kernel_get_initstate(ctx, name);
	if (lkm_kernel_get_loaded(ctx, &loaded, NULL) == 0)
		lm = lkm_loaded_list_find(loaded, name);
	if (state == LKM_INITSTATE_BUILTIN) {
		out->code = -ENOENT;
		r = diag_first(out, "Module %s is builtin: it is part of the kernel image and cannot "
			  "be removed", name);
		goto out;
	}
	/* Without <proc>/modules a fixture /sys may still know modules: ask both. */
	if (error == -ENOSYS || (state < 0 && !lm && !diag_module_support(ctx) &&
				 !diag_sys_has_modules(ctx))) {
		out->code = -ENOSYS;
		r = diag_first(out, "this kernel has no module support: there is no %s to remove",
			  name);
		goto out;
	}
	if (state < 0 && !lm) {
		out->code = -ENOENT;
		r = diag_first(out, "Module %s is not currently loaded", name);
		goto out;
	}
	if (state == LKM_INITSTATE_GOING || (lm && lm->state == LKM_LOADED_UNLOADING)) {
		r = diag_first(out, "Module %s is already being removed (state: going)", name);
		goto out;
	}
	if (state == LKM_INITSTATE_COMING || (lm && lm->state == LKM_LOADED_LOADING)) {
		r = diag_first(out, "Module %s is still being loaded (state: coming): its init "
			  "function has not finished", name);
		goto out;
	}
	if (lkm_kernel_get_holders(ctx, name, &holders, &n) == 0 && n > 0) {
		r = diag_holders(ctx, name, lm, out);
		goto out;
	}
	if (lm && lm->permanent && !(flags & LKM_UNLOAD_FORCE)) {
		r = diag_permanent(name, out);
		goto out;
	}
	if (lkm_kernel_get_refcnt(ctx, name, &refcnt) == -ENOENT && state > 0) {
		out->code = -ENOSYS;
		r = diag_first(out, "Module unloading is not supported: this kernel was built without "
			  "CONFIG_MODULE_UNLOAD, so %s stays until reboot", name);
		goto out;
	}
	if (refcnt > 0) {
		r = diag_holders(ctx, name, lm, out);
		goto out;
	}
	if (error == 0) {
		r = -ENODATA;
		goto out;
	}
	if (lm && lm->permanent)
		r = diag_permanent(name, out);
	else if (error == -EPERM && diag_cap_sys_module(ctx) == 0)
		r = diag_first(out, "removing %s needs root: this process lacks CAP_SYS_MODULE%s",
			       name, geteuid() != 0 ? " (it does not run as root)" : "");
	else if (error == -EPERM && diag_modules_disabled(ctx))
		r = diag_first(out, "module removal is disabled on this system: %s/sys/kernel/"
			       "modules_disabled is 1, and only a reboot turns it back on",
			       lkm_ctx_get_proc(ctx));
	else
		r = diag_first(out, "the kernel refused to remove %s: %s", name, strerror(-error));
out:
	if (holders)
		lkm_kernel_holders_free(holders);
	lkm_loaded_list_free(loaded);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}
