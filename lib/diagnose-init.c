// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A module's init function failed. Its errno is the module's own: -ENOENT from init is
 * not an unknown symbol, -EINVAL not a bad parameter (lib/diagnose.c calls a failure a
 * load step's only when the attempt's log says so). Drivers use a few errnos by
 * convention; each is put in words, with what the log and /proc add: the firmware file
 * request_firmware() did not find and where the kernel looked, the I/O port, memory
 * range or interrupt another driver holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "diagnose-internal.h"

/* What drivers mean by the errnos their init functions return by convention. */
static const char *init_meaning(int e)
{
	switch (e) {
	case ENODEV:
	case ENXIO:
		return "the driver found no device it can drive";
	case EBUSY:
		return "a resource it needs is taken by another driver";
	case ENOENT:
		return "something it looked for does not exist";
	case ETIMEDOUT:
		return "its device did not answer in time";
	case DIAG_EPROBE_DEFER:
		return "it waits for another driver or a resource that is not ready yet, "
		       "which an init function should not return";
	case ENOMEM:
		return "a memory allocation failed";
	case EIO:
		return "its device or bus reported an input/output error";
	case EINVAL:
		return "it rejected an argument, a parameter value or what it found";
	case EOPNOTSUPP:
	case ENOSYS:
		return "the hardware or the kernel lacks a feature it needs";
	default:
		return NULL;
	}
}

/* "Direct firmware load for NAME failed with error -2": the firmware NAME, or NULL. */
static const char *firmware_failed(const struct lkm_kmsg_log *log, size_t *len)
{
	const char *rec = diag_log_find(log, "Direct firmware load for ", NULL), *fw;

	if (!rec)
		return NULL;
	fw = strstr(rec, "Direct firmware load for ") + strlen("Direct firmware load for ");
	*len = strcspn(fw, " ");
	return *len ? fw : NULL;
}

static int firmware_lines(struct lkm_ctx *ctx, const char *fw, struct lkm_diagnosis *d)
{
	char *custom = diag_firmware_custom(ctx);
	struct lkm_buf where = { 0 };
	char found[8192];
	int r;

	r = diag_firmware_where(ctx, custom, &where);
	if (r == 0)
		r = diag_line(d, "the kernel looked for %s in %s (also as .zst or .xz, where it can "
			      "decompress them)", fw, where.data);
	if (r == 0)
		r = diag_line(d, "firmware_class.path (%s/module/firmware_class/parameters/path) "
			      "%s%s%s", lkm_ctx_get_sys(ctx), custom ? "is " : "is not set",
			      custom ? custom : "", custom ? "" : ": no directory before those");
	if (r == 0 && diag_firmware_find(ctx, custom, fw, found, sizeof(found)) == 0)
		r = diag_line(d, "%s is there now: it was added since, or could not be read then",
			      found);
	else if (r == 0)
		r = diag_line(d, "install the firmware (the distribution's firmware packages, or "
			      "linux-firmware), or put the file in one of those directories");
	lkm_buf_free(&where);
	free(custom);
	return r;
}

/* An address ("0x60", "0xfed00000") or an interrupt ("IRQ 4", "irq 4") the line names. */
static int resource_line(struct lkm_ctx *ctx, const char *text, struct lkm_diagnosis *d,
			 bool *named)
{
	char owner[256], where[512];
	const char *p;
	int r = 0;

	for (p = text; r == 0 && (p = strstr(p, "0x")); p += 2) {
		unsigned long long addr = strtoull(p + 2, NULL, 16);

		if (!isxdigit((unsigned char)p[2]))
			continue;
		if (diag_resource_owner(ctx, addr, owner, sizeof(owner), where,
					sizeof(where)) == 0) {
			r = diag_line(d, "0x%llx is held by %s (%s)", addr, owner, where);
			*named = true;
		}
	}
	for (p = text; r == 0 && *p; p++) {
		unsigned irq;

		if (strncasecmp(p, "irq ", 4) != 0 || sscanf(p + 4, "%u", &irq) != 1)
			continue;
		if (diag_irq_owner(ctx, irq, owner, sizeof(owner)) == 0) {
			r = diag_line(d, "IRQ %u is held by %s (%s/interrupts)", irq, owner,
				      lkm_ctx_get_proc(ctx));
			*named = true;
		}
		p += 3;
	}
	return r;
}

/* Who holds what the module's own log lines name, from <proc>. */
static int busy_lines(struct lkm_ctx *ctx, const struct modfile *m,
		      const struct lkm_kmsg_log *log, struct lkm_diagnosis *d)
{
	bool named = false;
	size_t i;
	int r = 0;

	for (i = 0; log && i < log->count && r == 0 && !named; i++)
		if (strstr(log->recs[i].text, m->name))
			r = resource_line(ctx, log->recs[i].text, d, &named);
	if (r == 0 && !named)
		r = diag_line(d, "its messages name no resource another driver holds; %s/ioports, "
			      "%s/iomem and %s/interrupts show who holds what", lkm_ctx_get_proc(ctx),
			      lkm_ctx_get_proc(ctx), lkm_ctx_get_proc(ctx));
	if (r == 0)
		r = diag_line(d, "if a module holds it and its device is not in use, unload that "
			      "module before loading %s; what the kernel reserved at boot stays "
			      "taken", m->name);
	return r;
}

int diag_init_failed(struct lkm_ctx *ctx, const struct modfile *m,
		     const struct lkm_diag_load *in, struct lkm_diagnosis *d)
{
	int e = -in->error, r;
	const char *name = lkm_diagnose_errno_name(e), *meaning = init_meaning(e), *fw = NULL;
	char num[24], fwname[512];
	size_t fwlen = 0;

	if (!name) {
		snprintf(num, sizeof(num), "error %d", e);
		name = num;
	}
	if (e == ENOENT)
		fw = firmware_failed(in->log, &fwlen);
	if (fw) {
		snprintf(fwname, sizeof(fwname), "%.*s", (int)fwlen, fw);
		r = diag_first(d, "%s was accepted, but its init function failed with %s (%s): its "
			       "firmware file %s is missing", m->name, name, strerror(e), fwname);
	} else {
		r = diag_first(d, "%s was accepted, but its init function failed with %s (%s)%s%s",
			       m->name, name, e == DIAG_EPROBE_DEFER ? "probe deferred" : strerror(e),
			       meaning ? ": " : "", meaning ? meaning : "");
	}
	if (r == 0 && fw)
		r = firmware_lines(ctx, fwname, d);
	else if (r == 0 && e == EBUSY)
		r = busy_lines(ctx, m, in->log, d);
	else if (r == 0 && e == DIAG_EPROBE_DEFER)
		r = diag_line(d, "load the modules it depends on (or the driver of its bus) first, "
			      "then try again");
	if (r == 0)
		r = diag_line(d, "the module is not loaded; the reason is the module's own: its "
			      "messages from this attempt follow, if it logged any");
	if (r == 0)
		r = diag_quote_log(d, in->log, m->name);
	return r;
}
