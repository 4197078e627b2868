// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The words of a diagnosis, at the bottom of the diagnostics: formatting a struct
 * lkm_diagnosis's sentence and detail lines, and the names of errnos. The facts
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
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == errnum)
			return names[i].name;
	return NULL;
}
