// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The words of a diagnosis, at the bottom of the diagnostics: formatting a struct
 * lkm_diagnosis's sentence and detail lines, finding and quoting the records of the
 * attempt's kernel log, and the names of errnos. The facts
 * (lib/diagnose-facts.c) and every file that words a failure (lib/diagnose.c,
 * lib/diagnose-probe.c, lib/diagnose-check.c) build on it; it needs none of them, so the
 * layering runs one way: text, then facts, then the wording of each failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diagnose-internal.h"

void lkm_diagnosis_release(struct lkm_diagnosis *d)
{
	lkm_buf_free(&d->first);
	lkm_buf_free(&d->detail);
	memset(d, 0, sizeof(*d));
}

/* The one place a diagnosis's text is formatted; first/line below are its two uses. */
int diag_vsay(struct lkm_diagnosis *d, bool is_first, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!is_first)
		return lkm_buf_printf(&d->detail, "%s\n", msg);
	d->first.len = 0;
	return lkm_buf_puts(&d->first, msg);
}

int diag_first(struct lkm_diagnosis *d, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vsay(d, true, fmt, ap);
	va_end(ap);
	return r;
}

int diag_line(struct lkm_diagnosis *d, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = diag_vsay(d, false, fmt, ap);
	va_end(ap);
	return r;
}

/* ------------------------------------------------------------------ the attempt's log */

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
		"Direct firmware load",
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

int diag_quote_log(struct lkm_diagnosis *d, const struct lkm_kmsg_log *log, const char *name)
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
const char *diag_log_find(const struct lkm_kmsg_log *log, const char *needle, const char *name)
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

/* ------------------------------------------------------------------ errno words */

const char *lkm_diagnose_load_reason(int errnum)
{
	switch (errnum) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	default:
		return strerror(errnum);
	}
}

const char *lkm_diagnose_errno_name(int errnum)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
		{ ENODATA, "ENODATA" }, { ETIMEDOUT, "ETIMEDOUT" }, { EBADMSG, "EBADMSG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOKEY, "ENOKEY" }, { EKEYREJECTED, "EKEYREJECTED" },
		{ DIAG_EPROBE_DEFER, "EPROBE_DEFER" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == errnum)
			return names[i].name;
	return NULL;
}
