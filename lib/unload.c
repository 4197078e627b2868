// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Removal: what modprobe -r does with a resolved module (lkm_remove_module()).
 *
 * kmod's order, for a module M: the post: softdeps of M (reversed, errors ignored),
 * the modules holding M when asked (--remove-holders), M itself (its remove command,
 * or delete_module: refused while in use, unless --wait retries it), the dependencies
 * nobody holds any more, then the pre: softdeps. It is apart from load.c because it
 * plans nothing ahead: each decision reads the kernel's state at that moment
 * (refcounts, holders, initstate).
 * Where kmod is wrong, this is not:
 *  - a removal still in use when --wait runs out fails (kmod issue 386);
 *  - dependencies go last-loaded first, so one freed by removing another goes too;
 *  - a softdep or remove-command chain that comes back to a module is a named loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lkm-internal.h"

/*
 * Why @name cannot be removed, explained (@error: delete_module's, or 0 before it),
 * after kmod's words @lead; @fallback is said instead when there is no diagnosis.
 */
static void explain_unload(struct lkm_ctx *ctx, const struct lkm_load_ops *ops,
			   const char *name, int error, unsigned uflags, const char *lead,
			   const char *fallback)
{
	struct lkm_diagnosis d;

	if (lkm_diagnose_unload(ctx, name, error, uflags, &d) == 0) {
		lkm_load_explain(ops, LKM_LOAD_ERROR, lead, &d);
		lkm_diagnosis_release(&d);
	} else {
		lkm_load_say(ops, LKM_LOAD_ERROR, "%s", fallback);
	}
}

struct remover {
	struct lkm_ctx *ctx;
	const struct lkm_config *config;
	unsigned flags;
	const struct lkm_load_ops *ops;
	const char *stack[64];
	size_t depth;
};

#define RM_HOLDERS        0x1u
#define RM_IGNORE_BUILTIN 0x2u

static int remove_one(struct remover *rm, const struct lkm_resolved *mod, unsigned how);

static void show_step(const struct remover *rm, enum lkm_step_action action, const char *name,
		      const char *cmd)
{
	struct lkm_load_step s = {
		.action = action, .name = (char *)name, .options = (char *)"",
		.command = (char *)cmd, .cmdline = (char *)cmd,
	};

	if (rm->ops && rm->ops->show)
		rm->ops->show(rm->ops->data, &s);
}

static unsigned long long now_msec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static void sleep_msec(unsigned long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * delete_module, retried while the module is in use until wait_msec has passed, with
 * a growing interval. When the time is up this fails (kmod 30 could report success
 * for a removal that never happened, or retry without end: kmod issue 386).
 */
static int unload(struct remover *rm, const char *name)
{
	unsigned long wait = rm->ops ? rm->ops->wait_msec : 0;
	unsigned long long end = 0, interval = 1, now;
	unsigned uflags = rm->flags & LKM_PROBE_FORCE_REMOVE ? LKM_UNLOAD_FORCE : 0;
	int r;

	show_step(rm, LKM_STEP_RMMOD, name, NULL);
	if (rm->flags & LKM_PROBE_DRY_RUN)
		return 0;
	for (;;) {
		r = lkm_kernel_unload(rm->ctx, name, uflags);
		if (r == -ENOENT) {
			if (!(rm->flags & LKM_PROBE_FIRST_TIME))
				return 0;
			lkm_load_say(rm->ops, LKM_LOAD_ERROR, "Module %s is not in kernel.", name);
			return r;
		}
		/* EWOULDBLOCK is EAGAIN on Linux. */
		if (r != -EAGAIN || !wait)
			break;
		now = now_msec();
		if (!end)
			end = now + wait;
		if (now >= end) {
			lkm_load_say(rm->ops, LKM_LOAD_ERROR,
				     "could not remove '%s': still in use after %lu ms", name, wait);
			return -EAGAIN;
		}
		sleep_msec(interval < end - now ? interval : end - now);
		if (interval < 1000)
			interval *= 2;
	}
	if (r < 0) {
		char lead[LKM_NAME_MAX + 32], plain[LKM_NAME_MAX + 96];

		snprintf(lead, sizeof(lead), "could not remove '%s'", name);
		snprintf(plain, sizeof(plain), "%s: %s", lead, strerror(-r));
		explain_unload(rm->ctx, rm->ops, name, r, uflags, lead, plain);
	}
	return r;
}

/* Remove a list in reverse order; stop at the first error only when asked to. */
static int remove_list(struct remover *rm, const struct lkm_resolved *v, size_t n, bool stop)
{
	size_t i;
	int r;

	for (i = n; i > 0; i--) {
		r = remove_one(rm, &v[i - 1], RM_IGNORE_BUILTIN);
		if (r < 0 && stop)
			return r;
	}
	return 0;
}

static int remove_holders(struct remover *rm, const char *name)
{
	struct lkm_resolved *v;
	char **holders;
	size_t i, n;
	int r;

	if (lkm_kernel_get_holders(rm->ctx, name, &holders, &n) < 0)
		return 0;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		lkm_kernel_holders_free(holders);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		v[i].name = holders[i];
	r = remove_list(rm, v, n, true);
	for (i = 0; i < n; i++)
		v[i].name = NULL;
	free(v);
	lkm_kernel_holders_free(holders);
	return r;
}

/* Step 4 of kmod's removal: dependencies nobody holds any more. Errors do not count. */
static void remove_unused_deps(struct remover *rm, const struct lkm_resolved *mod)
{
	struct lkm_resolved *found = NULL, *deps = NULL;
	size_t n_found = 0, n = 0, i;
	const struct lkm_resolved *src = mod;
	int refcnt;

	/* A module named by a holder has no modules.dep line yet: look it up. */
	if (!mod->deps && !mod->path &&
	    lkm_resolve_name(rm->ctx, mod->name, &found, &n_found, NULL) > 0)
		src = &found[0];
	/*
	 * Last-loaded first, so a dependency freed by removing another one goes too (kmod
	 * walks them in load order and leaves, say, drm behind drm_kms_helper).
	 */
	if (lkm_resolve_deps(rm->ctx, src, &deps, &n) >= 0)
		for (i = n; i > 0; i--)
			if (lkm_kernel_get_refcnt(rm->ctx, deps[i - 1].name, &refcnt) == 0 &&
			    refcnt == 0)
				(void)unload(rm, deps[i - 1].name);
	lkm_resolved_free(deps, n);
	lkm_resolved_free(found, n_found);
}

static int check_state(struct remover *rm, const struct lkm_resolved *mod, unsigned how)
{
	int state = lkm_resolve_initstate(rm->ctx, mod);

	if (state == LKM_INITSTATE_BUILTIN) {
		char plain[LKM_NAME_MAX + 32];

		if (how & RM_IGNORE_BUILTIN)
			return 1;
		snprintf(plain, sizeof(plain), "Module %s is builtin.", mod->name);
		explain_unload(rm->ctx, rm->ops, mod->name, 0, 0, NULL, plain);
		return -ENOENT;
	}
	if (state < 0) {
		if (!(rm->flags & LKM_PROBE_FIRST_TIME))
			return 1;
		lkm_load_say(rm->ops, LKM_LOAD_ERROR, "Module %s is not in kernel.", mod->name);
		return -ENOENT;
	}
	return 0;
}

static int remove_body(struct remover *rm, const struct lkm_resolved *mod, unsigned how,
		       const struct lkm_softdeps *sd, const char *cmd)
{
	char *expanded;
	int r, refcnt;

	remove_list(rm, sd->post, sd->n_post, false);
	if (how & RM_HOLDERS) {
		r = remove_holders(rm, mod->name);
		if (r < 0)
			return r;
	}
	if (cmd) {
		r = lkm_command_expand(cmd, NULL, &expanded);
		if (r < 0)
			return r;
		show_step(rm, LKM_STEP_REMOVE, mod->name, expanded);
		r = 0;
		if (!(rm->flags & LKM_PROBE_DRY_RUN)) {
			struct lkm_load_step s = {
				.action = LKM_STEP_REMOVE, .name = mod->name, .options = (char *)"",
				.command = (char *)cmd, .cmdline = expanded,
			};

			struct lkm_err e = { 0 };

			if (!rm->ops || !rm->ops->run_command)
				r = -ENOTSUP;
			else if ((r = lkm_command_loop(rm->ops, "remove", mod->name, &e)) < 0)
				lkm_load_explain_loop(rm->ops, &e.loop);
			else
				r = rm->ops->run_command(rm->ops->data, &s);
		}
		free(expanded);
		if (r < 0)
			return r;
	} else {
		if (!(rm->flags & LKM_PROBE_IGNORE_LOADED) && !(rm->ops && rm->ops->wait_msec) &&
		    lkm_kernel_get_refcnt(rm->ctx, mod->name, &refcnt) == 0 && refcnt > 0) {
			char plain[LKM_NAME_MAX + 32];

			snprintf(plain, sizeof(plain), "Module %s is in use.", mod->name);
			explain_unload(rm->ctx, rm->ops, mod->name, 0, 0, NULL, plain);
			return -EBUSY;
		}
		r = unload(rm, mod->name);
		if (r < 0)
			return r;
		remove_unused_deps(rm, mod);
	}
	remove_list(rm, sd->pre, sd->n_pre, false);
	return 0;
}

/* The softdep chain from stack[@from] back to @name, explained. */
static int removal_loop(struct remover *rm, size_t from, const char *name)
{
	struct lkm_loop l;
	size_t j;

	lkm_loop_begin(&l, "softdep");
	for (j = from; j < rm->depth; j++)
		lkm_loop_add(&l, rm->stack[j], strlen(rm->stack[j]));
	lkm_loop_add(&l, name, strlen(name));
	lkm_load_explain_loop(rm->ops, &l);
	return -ELOOP;
}

static int remove_one(struct remover *rm, const struct lkm_resolved *mod, unsigned how)
{
	struct lkm_softdeps sd = { 0 };
	const struct lkm_config_entry *e;
	const char *cmd = NULL;
	size_t i;
	int r;

	for (i = 0; i < rm->depth; i++)
		if (strcmp(rm->stack[i], mod->name) == 0)
			return removal_loop(rm, i, mod->name);
	if (rm->depth == sizeof(rm->stack) / sizeof(rm->stack[0]))
		return -ELOOP;
	if (!(rm->flags & LKM_PROBE_IGNORE_COMMANDS)) {
		r = lkm_resolve_softdeps(rm->ctx, rm->config, mod->name, &sd);
		if (r < 0)
			return r;
		e = rm->config ? lkm_config_get_remove(rm->config, mod->name) : NULL;
		cmd = mod->remove ? mod->remove : e ? e->value : NULL;
	}
	if (!cmd && !(rm->flags & LKM_PROBE_IGNORE_LOADED)) {
		r = check_state(rm, mod, how);
		if (r != 0) {
			lkm_softdeps_release(&sd);
			return r > 0 ? 0 : r;
		}
	}
	rm->stack[rm->depth++] = mod->name;
	r = remove_body(rm, mod, how, &sd, cmd);
	rm->depth--;
	lkm_softdeps_release(&sd);
	return r;
}

int lkm_remove_module(struct lkm_ctx *ctx, const struct lkm_config *config,
		      const struct lkm_resolved *mod, unsigned flags,
		      const struct lkm_load_ops *ops)
{
	struct remover rm = { .ctx = ctx, .config = config, .flags = flags, .ops = ops };

	return remove_one(&rm, mod, flags & LKM_PROBE_REMOVE_HOLDERS ? RM_HOLDERS : 0);
}
