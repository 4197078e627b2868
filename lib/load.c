// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A load plan carried out (load-plan.c decides it): each step in order, skipped when
 * its module is in the kernel already, an insmod step's syscall with the kernel log's
 * records captured around it and the failure (or a positive init) diagnosed, an install
 * step's command run through ops. A soft dependency that fails is said and passed; a
 * required step that fails stops the plan. lkm_load_module() is the plan made and run;
 * lkm_load_check() (--check) is the plan made and checked instead of run.
 *
 * The words of a load (lkm_load_say/explain/explain_loop) live here too, and unload.c
 * says its failures with them; the pieces of a run that load-parallel.c runs apart are
 * declared in lkm-internal.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lkm-internal.h"

void lkm_load_say(const struct lkm_load_ops *ops, enum lkm_load_level level,
		  const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ops || !ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ops->log(ops->data, level, msg);
}

/* Hand @d to ops->explain, or word it as one log line when there is none. */
void lkm_load_explain(const struct lkm_load_ops *ops, enum lkm_load_level level,
		      const char *lead, const struct lkm_diagnosis *d)
{
	if (ops && ops->explain)
		ops->explain(ops->data, level, lead, d);
	else if (lead)
		lkm_load_say(ops, level, "%s: %s", lead, d->first.data);
	else
		lkm_load_say(ops, level, "%s", d->first.data);
}

int lkm_load_attempt(struct lkm_ctx *ctx, const char *path, const char *options,
		     unsigned lflags, struct lkm_err *err, struct lkm_kmsg_log *log)
{
	struct lkm_kmsg_capture cap;
	int r;

	memset(log, 0, sizeof(*log));
	/* Without the log a diagnosis is only less detailed: no error. */
	if (lkm_kmsg_begin(ctx, &cap) < 0)
		cap.fd = -1;
	r = lkm_kernel_load(ctx, path, options ? options : "", lflags, err);
	if (lkm_kmsg_end(&cap, log) < 0)
		log->count = 0;
	return r;
}

void lkm_load_diagnose(struct lkm_ctx *ctx, const char *path, const char *name, int r,
		       const struct lkm_err *err, const struct lkm_kmsg_log *log,
		       struct lkm_diagnosis *why)
{
	char own[LKM_NAME_MAX];

	memset(why, 0, sizeof(*why));
	if (r < 0 && !err->why[0]) {
		struct lkm_diag_load in = { .path = path, .name = name, .error = r, .log = log };

		if (lkm_diagnose_load(ctx, &in, why) < 0)
			memset(why, 0, sizeof(*why));
	} else if (r == 0 && !name && lkm_name_from_path(own, sizeof(own), path) == 0) {
		name = own;
	}
	if (r == 0 && name && lkm_diagnose_loaded(ctx, name, log, why) < 0)
		memset(why, 0, sizeof(*why));
	/* The file modules.dep names is gone: say the index is stale. */
	if (r == -ENOENT && name && !why->code && access(path, F_OK) < 0 && errno == ENOENT &&
	    lkm_diagnose_stale_file(ctx, name, path, why) < 0)
		memset(why, 0, sizeof(*why));
}

int lkm_load_explained(struct lkm_ctx *ctx, const char *path, const char *name,
		       const char *options, unsigned lflags, struct lkm_err *err,
		       struct lkm_diagnosis *why)
{
	struct lkm_kmsg_log log;
	int r = lkm_load_attempt(ctx, path, options, lflags, err, &log);

	lkm_load_diagnose(ctx, path, name, r, err, &log, why);
	lkm_kmsg_log_release(&log);
	return r;
}

/* @l explained on its own, as an error (without the memory for it: not at all). */
void lkm_load_explain_loop(const struct lkm_load_ops *ops, const struct lkm_loop *l)
{
	const char *chain[LKM_LOOP_MAX];
	struct lkm_diagnosis d;
	size_t i;

	for (i = 0; i < l->n; i++)
		chain[i] = l->names[i];
	if (lkm_diagnose_loop(l->kind, chain, l->n, &d) < 0)
		return;
	lkm_load_explain(ops, LKM_LOAD_ERROR, NULL, &d);
	lkm_diagnosis_release(&d);
}

unsigned lkm_load_step_lflags(unsigned flags)
{
	return (flags & LKM_PROBE_FORCE_MODVERSION ? LKM_LOAD_IGNORE_MODVERSIONS : 0) |
	       (flags & LKM_PROBE_FORCE_VERMAGIC ? LKM_LOAD_IGNORE_VERMAGIC : 0);
}

int lkm_load_step_do(struct lkm_ctx *ctx, const struct lkm_load_step *s, unsigned flags,
		     const struct lkm_load_ops *ops, struct lkm_err *err,
		     struct lkm_diagnosis *why)
{
	int r;

	switch (s->action) {
	case LKM_STEP_INSTALL:
		if (!ops || !ops->run_command)
			return lkm_err_set(err, -ENOTSUP, "no way to run install commands");
		r = lkm_command_loop(ops, "install", s->name, err);
		return r < 0 ? r : ops->run_command(ops->data, s);
	case LKM_STEP_INSMOD:
		return lkm_load_explained(ctx, s->path, s->name, s->options,
					  lkm_load_step_lflags(flags), err, why);
	case LKM_STEP_BUILTIN:
		return 0;
	default:
		return lkm_err_set(err, -ENOENT, "could not find module by name='%s'", s->name);
	}
}

static int run_step(struct lkm_ctx *ctx, const struct lkm_load_step *s, unsigned flags,
		    const struct lkm_load_ops *ops, struct lkm_err *err, struct lkm_diagnosis *why)
{
	if (ops && ops->show)
		ops->show(ops->data, s);
	if (flags & LKM_PROBE_DRY_RUN)
		return 0;
	return lkm_load_step_do(ctx, s, flags, ops, err, why);
}

static const char *target_name(const struct lkm_load_plan *plan, const char *fallback)
{
	size_t i;

	for (i = 0; i < plan->count; i++)
		if (plan->steps[i].target)
			return plan->steps[i].name;
	return fallback;
}

/*
 * A step's outcome, explained when there is a diagnosis. Returns what the run goes on
 * with: 0 to continue, or the -errno that stops it.
 */
int lkm_load_step_outcome(const struct lkm_load_plan *plan, const struct lkm_load_step *s,
			  int r, unsigned flags, const struct lkm_load_ops *ops,
			  const struct lkm_err *e, const struct lkm_diagnosis *why,
			  struct lkm_err *err)
{
	char lead[LKM_NAME_MAX + 48];

	/* Loaded meanwhile: only the target with --first-time cares. */
	if (r == -EEXIST && s->target && (flags & LKM_PROBE_FIRST_TIME)) {
		lkm_err_set(err, r, "%s: Module already in kernel", s->name);
		return r;
	}
	if (r == 0 && why->first.len)
		lkm_load_explain(ops, LKM_LOAD_WARNING, NULL, why);
	if (r == 0 || r == -EEXIST)
		return 0;
	if (!s->required) {
		if (e->loop.kind)
			lkm_load_explain_loop(ops, &e->loop);
		snprintf(lead, sizeof(lead), "could not insert soft dependency '%s'", s->name);
		if (why->code)
			lkm_load_explain(ops, LKM_LOAD_INFO, lead, why);
		else
			lkm_load_say(ops, LKM_LOAD_INFO, "%s: %s", lead, lkm_err_reason(e, r));
		return 0;
	}
	if (err) {
		err->code = r;
		snprintf(err->why, sizeof(err->why), "%s", why->code ? "" : e->why);
		err->loop = e->loop;
	}
	if (why->code) {
		snprintf(lead, sizeof(lead), "could not insert '%s'", target_name(plan, s->name));
		lkm_load_explain(ops, LKM_LOAD_ERROR, lead, why);
	}
	return r;
}

int lkm_load_plan_run(struct lkm_ctx *ctx, const struct lkm_load_plan *plan, unsigned flags,
		      const struct lkm_load_ops *ops, struct lkm_err *err)
{
	size_t i;
	int r = 0;

	for (i = 0; i < plan->count; i++) {
		const struct lkm_load_step *s = &plan->steps[i];
		struct lkm_diagnosis why = { 0 };
		struct lkm_err e = { 0 };

		if (!(flags & LKM_PROBE_IGNORE_LOADED) && lkm_load_step_loaded(ctx, s))
			r = -EEXIST;
		else
			r = run_step(ctx, s, flags, ops, &e, &why);
		if (ops && ops->step_done)
			ops->step_done(ops->data, s, r);
		r = lkm_load_step_outcome(plan, s, r, flags, ops, &e, &why, err);
		lkm_diagnosis_release(&why);
		if (r < 0)
			return r;
	}
	return 0;
}

int lkm_load_module(struct lkm_ctx *ctx, const struct lkm_config *config,
		    const struct lkm_resolved *target, unsigned flags, const char *extra_options,
		    const struct lkm_load_ops *ops, enum lkm_plan_status *status,
		    struct lkm_err *err)
{
	struct lkm_load_plan *plan;
	int r;

	if (status)
		*status = LKM_PLAN_READY;
	r = lkm_load_plan_new(ctx, config, target, flags, extra_options, &plan, err);
	if (r < 0)
		return r;
	if (status)
		*status = plan->status;
	/* Blacklisted: nothing loads, and that is no error (kmod's exit code is 0). */
	if (plan->status == LKM_PLAN_READY)
		r = lkm_load_plan_run(ctx, plan, flags, ops, err);
	lkm_load_plan_free(plan);
	return r;
}

int lkm_load_check(struct lkm_ctx *ctx, const struct lkm_config *config,
		   const struct lkm_resolved *target, unsigned flags, const char *extra_options,
		   enum lkm_plan_status *status, struct lkm_diagnosis *out)
{
	struct lkm_load_plan *plan;
	int r;

	memset(out, 0, sizeof(*out));
	*status = LKM_PLAN_READY;
	r = lkm_load_plan_new(ctx, config, target, flags, extra_options, &plan, NULL);
	if (r < 0)
		return r;
	*status = plan->status;
	if (plan->status == LKM_PLAN_READY)
		r = lkm_diagnose_check_plan(ctx, plan, out);
	else if (plan->status == LKM_PLAN_LOADED)
		r = lkm_buf_printf(&out->first, "%s would load: it is in the kernel already, "
				   "modprobe has nothing to do", target->name);
	lkm_load_plan_free(plan);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}
