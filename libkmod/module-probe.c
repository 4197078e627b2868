// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading and unloading: one module into the kernel and out of it through lib/'s
 * kernel calls (lkm_kernel_load, lkm_kernel_unload), and kmod's probe, which loads a
 * module with its dependencies, soft dependencies and install commands, on lib/'s load
 * plan (lkm_load_plan_new).
 *
 * The probe follows kmod 34's kmod_module_probe_insert_module: the target in the kernel
 * already, then the blacklist as the caller's flags ask, then the list in kmod's order
 * (each dependency with its pre: softdeps before it and post: after it, then the target
 * the same way), each entry skipped when it is in the kernel, a failure of a soft
 * dependency ignored. Where lib/'s plan deliberately differs from kmod, it is kept:
 *  - every softdep line that matches a module counts, not only the first (kmod issue 33);
 *  - a module with an install command runs that command even when it has softdeps, and
 *    its softdeps are not loaded; kmod loads the softdeps and the module instead,
 *    ignoring the command (issue 446); a softdep found through an alias obeys the
 *    blacklist as any alias does;
 *  - a softdep loop (a needs b before it, b needs a) fails the probe with -ELOOP where
 *    kmod silently picks an order;
 *  - a module is visited once per name, where kmod visits a module found through an
 *    alias once more as its own object.
 * print_action and run_install get the target itself and, for every other entry, the
 * context's module of that name (kmod hands a softdep found through an alias as that
 * alias's object: the same name and file).
 * Weak dependencies are not loaded, as in kmod.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "libkmod-internal.h"

KMOD_EXPORT int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags)
{
	const char *name;
	int r;

	if (!mod)
		return -ENOENT;
	name = kmod_module_get_name(mod);
	/* Never waits: O_NONBLOCK whatever the flags (KMOD_REMOVE_NOWAIT), as kmod 34. */
	r = lkm_kernel_unload(kmod_ctx_get_lkm(kmod_module_get_ctx(mod)), name,
			      (flags & KMOD_REMOVE_FORCE) ? LKM_UNLOAD_FORCE : 0);
	if (r < 0 && !(flags & KMOD_REMOVE_NOLOG))
		KMOD_ERR(kmod_module_get_ctx(mod), "could not remove '%s': %s\n", name,
			 strerror(-r));
	return r;
}

KMOD_EXPORT int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags,
					  const char *options)
{
	struct lkm_err err = { 0 };
	struct kmod_ctx *ctx;
	unsigned lflags = 0;
	const char *path;
	int r;

	if (!mod)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	path = kmod_module_get_path(mod);
	if (!path) {
		KMOD_ERR(ctx, "could not find module by name='%s'\n",
			 kmod_module_get_name(mod));
		return -ENOENT;
	}
	/* kmod's flags and the kernel's (lib/'s) have the two bits the other way round. */
	if (flags & KMOD_INSERT_FORCE_VERMAGIC)
		lflags |= LKM_LOAD_IGNORE_VERMAGIC;
	if (flags & KMOD_INSERT_FORCE_MODVERSION)
		lflags |= LKM_LOAD_IGNORE_MODVERSIONS;
	r = lkm_kernel_load(kmod_ctx_get_lkm(ctx), path, options ? options : "", lflags,
			    &err);
	/*
	 * A failure before the kernel was asked (the file) has its reason in err.why: kmod
	 * says nothing of a file it cannot open, so that is for debugging only.
	 */
	if (r < 0 && err.why[0])
		KMOD_DBG(ctx, "%s\n", err.why);
	else if (r < 0)
		KMOD_INFO(ctx, "Failed to insert module '%s': %s\n", path, strerror(-r));
	return r;
}

/*
 * kmod's "in the kernel": live, or built in, as kmod_module_get_initstate() tells
 * them. A /sys/module directory without initstate is "coming" there (a module being
 * loaded, or a built-in one with parameters the indexes do not name), so such a
 * module is probed, as kmod does.
 */
static bool in_kernel(struct kmod_module *m)
{
	int state = kmod_module_get_initstate(m);

	return state == KMOD_MODULE_LIVE || state == KMOD_MODULE_BUILTIN;
}

static bool blacklisted(const struct lkm_config *cfg, const char *name)
{
	return cfg && lkm_config_get_blacklist(cfg, name);
}

/* kmod's way of running an install command when the caller gives none: system(3). */
static int command_do(struct kmod_module *m, const char *cmd)
{
	struct kmod_ctx *ctx = kmod_module_get_ctx(m);
	const char *name = kmod_module_get_name(m);
	int status, e;

	KMOD_DBG(ctx, "install %s\n", cmd);
	setenv("MODPROBE_MODULE", name, 1);
	status = system(cmd);
	e = errno;
	unsetenv("MODPROBE_MODULE");
	if (status == -1) {
		KMOD_ERR(ctx, "Could not run install command '%s' for module %s: %s\n",
			 cmd, name, strerror(e));
		return -EINVAL;
	}
	/* As kmod: only the exit code counts (a command killed by a signal is "0"). */
	if (WEXITSTATUS(status)) {
		KMOD_ERR(ctx,
			 "Error running install command '%s' for module %s: retcode %d\n",
			 cmd, name, WEXITSTATUS(status));
		return -EINVAL;
	}
	return 0;
}

/* The probe's flags that kmod hands to kmod_module_insert_module: the same bits. */
#define FORCE_FLAGS (KMOD_PROBE_FORCE_VERMAGIC | KMOD_PROBE_FORCE_MODVERSION)

struct probe {
	struct kmod_module *target;
	unsigned flags;
	int (*run_install)(struct kmod_module *m, const char *cmd, void *data);
	void *data;
	void (*print_action)(struct kmod_module *m, bool install, const char *options);
};

/* One entry of the list: shown, then (unless a dry run) carried out. */
static int run_step(const struct probe *p, struct kmod_module *m,
		    const struct lkm_load_step *s)
{
	bool install = s->action == LKM_STEP_INSTALL;

	if (!(p->flags & KMOD_PROBE_IGNORE_LOADED) && in_kernel(m)) {
		KMOD_DBG(kmod_module_get_ctx(m), "Ignoring module '%s': already loaded\n",
			 s->name);
		return -EEXIST;
	}
	if (p->print_action)
		p->print_action(m, install, s->options);
	if (p->flags & KMOD_PROBE_DRY_RUN)
		return 0;
	if (install)
		return p->run_install ? p->run_install(m, s->cmdline, p->data)
				      : command_do(m, s->cmdline);
	/* A built-in or missing module has no file: -ENOENT, as kmod. */
	return kmod_module_insert_module(m, p->flags & FORCE_FLAGS, s->options);
}

/* The probe list's entries in order, @skip[i] set for those the blacklist took out. */
static int run_plan(const struct probe *p, const struct lkm_load_step *steps, size_t n,
		    const bool *skip)
{
	struct kmod_ctx *ctx = kmod_module_get_ctx(p->target);
	struct kmod_module *m;
	size_t i;
	int r = 0;

	for (i = 0; i < n; i++) {
		const struct lkm_load_step *s = &steps[i];

		if (skip[i])
			continue;
		/* What print_action and run_install get: the context's module of that name. */
		if (s->target) {
			m = kmod_module_ref(p->target);
		} else {
			r = kmod_module_new_from_name(ctx, s->name, &m);
			if (r < 0) {
				KMOD_ERR(ctx, "could not create module %s: %s\n", s->name,
					 strerror(-r));
				break;
			}
		}
		r = run_step(p, m, s);
		kmod_module_unref(m);
		/* Loaded meanwhile: only the target with KMOD_PROBE_FAIL_ON_LOADED fails. */
		if (r == -EEXIST && s->target && (p->flags & KMOD_PROBE_FAIL_ON_LOADED))
			break;
		if (r == -EEXIST || !s->required)
			r = 0;
		else if (r < 0)
			break;
	}
	return r;
}

KMOD_EXPORT int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmd, void *data),
	const void *data,
	void (*print_action)(struct kmod_module *m, bool install, const char *options))
{
	struct probe p = {
		.target = mod,
		.flags = flags,
		.run_install = run_install,
		.data = (void *)data,
		.print_action = print_action,
	};
	/* The target's in-kernel state and blacklist are checked here, as kmod orders them. */
	unsigned pflags = LKM_PROBE_IGNORE_LOADED | LKM_PROBE_IGNORE_BLACKLIST;
	const struct lkm_load_step *steps;
	const struct lkm_config *cfg;
	struct lkm_load_plan *plan;
	struct lkm_resolved target;
	struct lkm_err err = { 0 };
	struct kmod_ctx *ctx;
	size_t n, i, kept;
	bool *skip;
	int r;

	if (!mod)
		return -ENOENT;
	ctx = kmod_module_get_ctx(mod);
	if (!(flags & KMOD_PROBE_IGNORE_LOADED) && in_kernel(mod))
		return (flags & KMOD_PROBE_FAIL_ON_LOADED) ? -EEXIST : 0;
	cfg = kmod_ctx_get_config(ctx);
	if (blacklisted(cfg, kmod_module_get_name(mod))) {
		if (kmod_module_get_alias(mod) &&
		    (flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY))
			return KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
		if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL)
			return KMOD_PROBE_APPLY_BLACKLIST_ALL;
		if (flags & KMOD_PROBE_APPLY_BLACKLIST)
			return KMOD_PROBE_APPLY_BLACKLIST;
	}

	if (flags & KMOD_PROBE_IGNORE_COMMAND)
		pflags |= LKM_PROBE_IGNORE_COMMANDS;
	kmod_module_get_resolved(mod, &target);
	r = lkm_load_plan_new(kmod_ctx_get_lkm(ctx), cfg, &target, pflags, extra_options,
			      &plan, &err);
	if (r < 0) {
		KMOD_ERR(ctx, "could not get the probe list of %s: %s\n",
			 kmod_module_get_name(mod), lkm_err_reason(&err, r));
		return r;
	}
	steps = lkm_load_plan_get_steps(plan, &n);
	skip = calloc(n ? n : 1, sizeof(*skip));
	if (!skip) {
		lkm_load_plan_free(plan);
		return -ENOMEM;
	}
	/* KMOD_PROBE_APPLY_BLACKLIST_ALL: the blacklist applies to every entry. */
	for (i = 0, kept = 0; i < n; i++) {
		skip[i] = (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL) &&
			  blacklisted(cfg, steps[i].name);
		kept += !skip[i];
	}
	if ((flags & KMOD_PROBE_APPLY_BLACKLIST_ALL) && kept == 0)
		r = KMOD_PROBE_APPLY_BLACKLIST_ALL;
	else
		r = run_plan(&p, steps, n, skip);
	free(skip);
	lkm_load_plan_free(plan);
	return r;
}
