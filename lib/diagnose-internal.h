/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the diagnostics, in layers that only look down: lib/diagnose-text.c (the
 * formatting every other file uses), lib/diagnose-facts.c (what the module file and the
 * running system say: format, vermagic, symbols, policy), then the files that word a
 * failure with them: lib/diagnose.c (load and unload), lib/diagnose-probe.c and
 * lib/diagnose-check.c (the pre-flight check). The kernel log capture, lib/kmsg.c,
 * needs nothing from here.
 */
#ifndef LKM_DIAGNOSE_INTERNAL_H
#define LKM_DIAGNOSE_INTERNAL_H

#include "lkm-internal.h"

/*
 * diagnose-text.c: format into @d's first sentence (replacing it, @is_first) or a new
 * detail line. Each file wraps it in static first() and line(). 0 or -ENOMEM.
 */
int diag_vsay(struct lkm_diagnosis *d, bool is_first, const char *fmt, va_list ap);
/* The first sentence of a diagnosis, and a detail line after it. */
int diag_first(struct lkm_diagnosis *d, const char *fmt, ...) LKM_PRINTF(2, 3);
int diag_line(struct lkm_diagnosis *d, const char *fmt, ...) LKM_PRINTF(2, 3);

/* What one module file holds, as far as it could be read. */
struct modfile {
	struct lkm_file *file;
	struct lkm_elf elf;
	bool elf_ok;
	int open_error;
	struct lkm_err err;     /* why the file or its ELF could not be read */
	char name[LKM_NAME_MAX];
	const char *vermagic;   /* into the image, or NULL */
	bool has_modinfo, has_this_module;
};

/*
 * Open @path (may be NULL: only a name) as far as it goes; failures are kept in
 * ->open_error, ->err and ->elf_ok, never returned. @name NULL: from the file.
 */
void diag_modfile_open(struct modfile *m, const char *path, const char *name);
void diag_modfile_close(struct modfile *m);

/* A small text file ROOT/REL, trailing newlines and spaces cut; NULL when absent. */
char *diag_read_small(const char *root, const char *rel);

/*
 * The kernel's format checks in its order (ELF, machine, module sections, vermagic).
 * 1 and @d's first sentence (after @prefix) when one fails, 0 when all hold, -ENOMEM.
 */
int diag_format_problem(struct lkm_ctx *ctx, const struct modfile *m, const char *prefix,
			struct lkm_diagnosis *d);
/*
 * Append each needed (non-weak) symbol that <proc>/kallsyms lacks to @syms, with a
 * space after it. -ENOEXEC without an ELF, -errno when kallsyms is unreadable.
 */
int diag_missing_symbols(struct lkm_ctx *ctx, const struct modfile *m, struct lkm_buf *syms);
/*
 * The module that exports @sym (modules.symbols.bin) into @owner.
 * Return: 0; -ENOENT when none does (or there is no modules.symbols.bin); another
 * negative errno when the index is unreadable or malformed, with the file in @err.
 */
int diag_symbol_owner(struct lkm_ctx *ctx, const char *sym, char *owner, size_t size,
		      struct lkm_err *err);
/* One detail line for a missing @sym: who exports it (modules.symbols), if loaded. */
int diag_explain_symbol(struct lkm_ctx *ctx, const struct lkm_loaded_list *loaded,
			const char *sym, struct lkm_diagnosis *d, bool *any_owner);

/* diagnose-probe.c: the depmod command that rewrites the ctx's indexes, into @buf. */
void diag_depmod_command(struct lkm_ctx *ctx, char *buf, size_t size);

/* Policy and support, from the ctx's /proc and /sys. */
int diag_cap_sys_module(struct lkm_ctx *ctx);        /* 1, 0, or -ENOENT: unknown */
const char *diag_lockdown_mode(struct lkm_ctx *ctx); /* "integrity", ... or NULL */
bool diag_modules_disabled(struct lkm_ctx *ctx);
bool diag_sig_enforced(struct lkm_ctx *ctx);
bool diag_module_support(struct lkm_ctx *ctx);   /* <proc>/modules exists */
bool diag_sys_has_modules(struct lkm_ctx *ctx);  /* <sys>/module exists */

/*
 * diagnose-holders.c: what holds a module that no module holds. Each entry is one of a
 * mount of the module's filesystem type (or on its block device: ->by_device), an open
 * device node of the module's with the process holding it, or a network interface of the
 * module's (its driver: ->by_device, or its kind's rtnl-link alias).
 */
enum diag_held_kind { DIAG_HELD_MOUNT, DIAG_HELD_OPEN, DIAG_HELD_NETIF };

struct diag_held {
	enum diag_held_kind kind;
	bool by_device;
	char what[64];    /* MOUNT: fs type; OPEN: the process's comm; NETIF: interface */
	char where[512];  /* MOUNT: mount point; OPEN: the device's path (the fd's link) */
	char source[256]; /* MOUNT: device; NETIF: its DEVTYPE, or "" */
	int pid, fd;      /* OPEN */
	char dev_type;    /* OPEN: 'c' or 'b' */
	unsigned major, minor;
	bool any_minor;
};

struct diag_held_list {
	struct diag_held *v;
	size_t n, cap;
	bool more; /* there were more than fit */
};

/* Return: 0 (an empty list when nothing was found), or -ENOMEM. */
int diag_find_held(struct lkm_ctx *ctx, const char *name, struct diag_held_list *out);
void diag_held_list_free(struct diag_held_list *l);

#endif
