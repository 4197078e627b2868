// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a driver's init may have needed and not got: a firmware file (where the kernel's
 * firmware loader looks, for --check and for an init that failed over a missing one),
 * and I/O ports, memory ranges and interrupts another driver holds (<proc>/ioports,
 * <proc>/iomem, <proc>/interrupts), for an init that failed with -EBUSY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diagnose-internal.h"

/* ------------------------------------------------------------------ firmware */

char *diag_firmware_custom(struct lkm_ctx *ctx)
{
	char *custom = diag_read_small(lkm_ctx_get_sys(ctx), "module/firmware_class/parameters/path");

	if (custom && !custom[0]) {
		free(custom);
		return NULL;
	}
	return custom;
}

/* Where the kernel's firmware loader looks (fw_path[]), in its order, and its suffixes. */
int diag_firmware_find(struct lkm_ctx *ctx, const char *custom, const char *fw, char *found,
		       size_t size)
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

int diag_firmware_where(struct lkm_ctx *ctx, const char *custom, struct lkm_buf *out)
{
	const char *dir = lkm_ctx_get_firmware_dir(ctx), *kver = lkm_ctx_get_kver(ctx);

	return lkm_buf_printf(out, "%s%s%s/updates/%s, %s/updates, %s/%s or %s",
			      custom && custom[0] ? custom : "", custom && custom[0] ? ", " : "",
			      dir, kver, dir, dir, kver, dir);
}

/* ------------------------------------------------------------------ /proc resources */

/*
 * One file of nested ranges, "  0060-0060 : keyboard" (two spaces a level): the
 * innermost range holding @addr. Ranges of 0-0 are what non-root readers see.
 */
static int range_owner(const char *proc, const char *file, unsigned long long addr,
		       char *owner, size_t size, char *where, size_t where_size)
{
	char *text = diag_read_small(proc, file), *p;
	int r = -ENOENT;

	if (!text)
		return r;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long lo, hi;
		int n = 0;
		const char *name, *line;

		if (sscanf(p, " %llx-%llx : %n", &lo, &hi, &n) != 2 || n == 0 || hi == 0 ||
		    addr < lo || addr > hi)
			continue;
		name = p + n;
		line = p + strspn(p, " ");
		snprintf(owner, size, "%.*s", (int)strcspn(name, "\n"), name);
		snprintf(where, where_size, "%s/%s: %.*s", proc, file, (int)strcspn(line, "\n"),
			 line);
		r = 0; /* keep going: a nested range is more precise */
	}
	free(text);
	return r;
}

int diag_resource_owner(struct lkm_ctx *ctx, unsigned long long addr, char *owner,
			size_t size, char *where, size_t where_size)
{
	const char *proc = lkm_ctx_get_proc(ctx);

	/* An I/O port is below 64 KiB; memory there is rare, and ioports names it better. */
	if (addr <= 0xffff && range_owner(proc, "ioports", addr, owner, size, where,
					  where_size) == 0)
		return 0;
	return range_owner(proc, "iomem", addr, owner, size, where, where_size);
}

/* "  4:   123   0   IO-APIC   4-edge      ttyS0": the last field(s) name the handlers. */
int diag_irq_owner(struct lkm_ctx *ctx, unsigned irq, char *owner, size_t size)
{
	char *text = diag_read_small(lkm_ctx_get_proc(ctx), "interrupts"), *p;
	int r = -ENOENT;

	if (!text)
		return r;
	for (p = text; p && *p && r < 0; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t len = strcspn(p, "\n");
		char *last, *end = p + len;
		unsigned num;
		int n = 0;

		if (sscanf(p, " %u:%n", &num, &n) != 1 || n == 0 || num != irq)
			continue;
		/* The handler names follow the last run of two or more spaces. */
		while (end > p && end[-1] == ' ')
			end--;
		for (last = end; last > p + n && !(last[-1] == ' ' && last[-2] == ' '); last--)
			;
		if (last <= p + n || last >= end)
			break;
		snprintf(owner, size, "%.*s", (int)(end - last), last);
		r = 0;
	}
	free(text);
	return r;
}
