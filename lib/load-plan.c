// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Load plans: what a modprobe load of a resolved module means, step by step (insmod a
 * file, run an install command, nothing for a built-in module, or a missing one),
 * decided before anything is loaded so that -D/--show-depends, --check and
 * load-parallel.c can read it; load.c carries a plan out.
 *
 * The plan follows kmod's probe list, so `modprobe -D` prints what kmod prints:
 *
 *   plan(M):  for each dependency D of M (modules.dep, needed-first order):
 *                 plan(pre: softdeps of D) ; D ; plan(post: softdeps of D)
 *             plan(pre: softdeps of M) ; M ; plan(post: softdeps of M)
 *
 * A module is planned once (later visits add nothing), except that a dependency is
 * appended each time it is met, as in kmod, where the run then finds it loaded.
 * Where kmod is wrong, this is not:
 *  - every matching softdep line counts, not only the first (kmod issue 33, in
 *    lkm_resolve_softdeps());
 *  - a module with an install command is replaced by that command even when it has
 *    softdeps, and its softdeps are not loaded; soft dependencies reached through an
 *    alias obey the blacklist like any alias (kmod issue 446);
 *  - a softdep chain that needs a module before itself is an error ("softdep loop:
 *    a -> b -> a") instead of a silently wrong order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lkm-internal.h"

/* How a module was reached: only "before" edges can close an ordering loop. */
enum edge { EDGE_TOP, EDGE_BEFORE, EDGE_AFTER };

struct frame {
	const char *name;
	bool pending; /* entered, not yet appended: it must not be needed before itself */
};

struct planner {
	struct lkm_ctx *ctx;
	const struct lkm_config *config;
	unsigned flags;
	const char *extra;
	const struct lkm_resolved *target;
	struct lkm_load_plan *plan;
	struct lkm_err *err;
	char **visited;
	size_t n_visited, cap_visited;
	char **required;
	size_t n_required;
	struct lkm_resolved *target_deps; /* collect_required()'s, until plan_module() takes them */
	size_t n_target_deps;
	struct frame stack[64];
	size_t depth;
};

int lkm_load_step_show(const struct lkm_load_step *s, struct lkm_buf *out)
{
	/* Plain appends: a printf per line showed in the profile of modprobe -D. */
	const char *words[4] = { NULL };
	int r = 0;
	size_t i;

	switch (s->action) {
	case LKM_STEP_INSMOD:
		words[0] = "insmod ", words[1] = s->path, words[2] = " ", words[3] = s->options;
		break;
	case LKM_STEP_INSTALL:
		words[0] = "install ", words[1] = s->command, words[2] = " ";
		words[3] = s->options;
		break;
	case LKM_STEP_BUILTIN:
		words[0] = "builtin ", words[1] = s->name;
		break;
	case LKM_STEP_RMMOD:
		words[0] = "rmmod ", words[1] = s->name;
		break;
	case LKM_STEP_REMOVE:
		words[0] = "remove ", words[1] = s->cmdline;
		break;
	default:
		return 0;
	}
	for (i = 0; i < 4 && r >= 0; i++)
		if (words[i])
			r = lkm_buf_puts(out, words[i]);
	return r < 0 ? r : lkm_buf_puts(out, "\n");
}

int lkm_load_step_json(const struct lkm_load_step *s, struct lkm_json *json)
{
	static const char *const actions[] = {
		[LKM_STEP_INSMOD] = "insmod", [LKM_STEP_INSTALL] = "install",
		[LKM_STEP_BUILTIN] = "builtin", [LKM_STEP_RMMOD] = "rmmod",
		[LKM_STEP_REMOVE] = "remove",
	};

	if ((size_t)s->action >= sizeof(actions) / sizeof(actions[0]) || !actions[s->action])
		return 0;
	lkm_json_begin_object(json);
	lkm_json_member_string(json, "action", actions[s->action]);
	lkm_json_member_string(json, "name", s->name);
	if (s->action == LKM_STEP_INSMOD)
		lkm_json_member_string(json, "path", s->path);
	if (s->action == LKM_STEP_INSTALL)
		lkm_json_member_string(json, "command", s->command);
	if (s->action == LKM_STEP_REMOVE)
		lkm_json_member_string(json, "command", s->cmdline);
	if (s->action == LKM_STEP_INSMOD || s->action == LKM_STEP_INSTALL)
		lkm_json_member_string(json, "options", s->options);
	return lkm_json_end_object(json);
}

static bool in_list(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

static int mark_visited(struct planner *p, const char *name)
{
	if (lkm_array_grow(&p->visited, &p->cap_visited, p->n_visited + 1,
			   sizeof(*p->visited), 32) < 0)
		return -ENOMEM;
	p->visited[p->n_visited] = strdup(name);
	if (!p->visited[p->n_visited])
		return -ENOMEM;
	p->n_visited++;
	return 0;
}

static void step_release(struct lkm_load_step *s)
{
	free(s->name);
	free(s->path);
	free(s->options);
	free(s->command);
	free(s->cmdline);
}

void lkm_load_plan_free(struct lkm_load_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->count; i++)
		step_release(&plan->steps[i]);
	free(plan->steps);
	free(plan);
}

enum lkm_plan_status lkm_load_plan_get_status(const struct lkm_load_plan *plan)
{
	return plan->status;
}

const struct lkm_load_step *lkm_load_plan_get_steps(const struct lkm_load_plan *plan,
						    size_t *count)
{
	*count = plan->count;
	return plan->steps;
}

static struct lkm_load_step *new_step(struct lkm_load_plan *plan)
{
	struct lkm_load_step *s;

	if (lkm_array_grow(&plan->steps, &plan->cap, plan->count + 1, sizeof(*s), 16) < 0)
		return NULL;
	s = &plan->steps[plan->count++];
	memset(s, 0, sizeof(*s));
	return s;
}

/* kmod joins the config's options and the command line's with one space. */
static int merged_options(const struct lkm_config *config, const struct lkm_resolved *m,
			  const char *extra, char **out)
{
	char *opts = NULL;
	int r;

	*out = NULL;
	if (config) {
		r = lkm_config_get_options(config, m->name, m->alias, &opts);
		if (r < 0)
			return r;
	}
	/* kmod adds the space after the config's options even when no more follow. */
	if (opts || (extra && *extra)) {
		char *both;

		r = asprintf(&both, "%s%s%s", opts ? opts : "", opts ? " " : "",
			     extra ? extra : "");
		free(opts);
		if (r < 0)
			return -ENOMEM;
		opts = both;
	}
	*out = opts ? opts : strdup("");
	return *out ? 0 : -ENOMEM;
}

/* The install command that replaces loading @m, or NULL. */
static const char *install_command(const struct planner *p, const struct lkm_resolved *m,
				   bool ignorecmd)
{
	const struct lkm_config_entry *e;

	if (ignorecmd || !p->config)
		return NULL;
	if (m->install)
		return m->install;
	e = lkm_config_get_install(p->config, m->name);
	return e ? e->value : NULL;
}

static int append_module(struct planner *p, const struct lkm_resolved *m, bool ignorecmd)
{
	const char *cmd = install_command(p, m, ignorecmd);
	struct lkm_load_step *s = new_step(p->plan);
	bool is_target = m == p->target;
	int r;

	if (!s)
		return -ENOMEM;
	s->target = is_target;
	s->required = in_list(p->required, p->n_required, m->name);
	s->name = strdup(m->name);
	if (!s->name)
		return -ENOMEM;
	r = merged_options(p->config, m, is_target ? p->extra : NULL, &s->options);
	if (r < 0)
		return r;
	if (cmd) {
		s->action = LKM_STEP_INSTALL;
		s->command = strdup(cmd);
		if (!s->command)
			return -ENOMEM;
		return lkm_command_expand(cmd, s->options, &s->cmdline);
	}
	if (m->path) {
		s->action = LKM_STEP_INSMOD;
		s->path = strdup(m->path);
		return s->path ? 0 : -ENOMEM;
	}
	/* A broken modules.builtin.bin fails the plan, named, rather than say "missing". */
	r = lkm_resolve_is_builtin(p->ctx, m, p->err);
	if (r < 0 && r != -ENOENT)
		return r;
	s->action = r == 0 ? LKM_STEP_BUILTIN : LKM_STEP_MISSING;
	return 0;
}

static bool blacklisted(const struct planner *p, const struct lkm_resolved *m)
{
	if (!p->config || (!m->alias && !(p->flags & LKM_PROBE_USE_BLACKLIST)))
		return false;
	return lkm_config_get_blacklist(p->config, m->name) != NULL;
}

static int loop_error(struct planner *p, const char *name)
{
	struct lkm_buf b = { 0 };
	size_t i = p->depth, from;
	int r;

	while (i > 0 && strcmp(p->stack[i - 1].name, name) != 0)
		i--;
	from = i ? i - 1 : 0;
	if (p->err) {
		lkm_loop_begin(&p->err->loop, "softdep");
		for (i = from; i < p->depth; i++)
			lkm_loop_add(&p->err->loop, p->stack[i].name, strlen(p->stack[i].name));
		lkm_loop_add(&p->err->loop, name, strlen(name));
	}
	r = lkm_buf_puts(&b, "softdep loop: ");
	for (i = from; r >= 0 && i < p->depth; i++)
		r = lkm_buf_printf(&b, "%s -> ", p->stack[i].name);
	if (r >= 0)
		r = lkm_buf_puts(&b, name);
	lkm_err_set(p->err, -ELOOP, "%s", r >= 0 ? b.data : "softdep loop");
	lkm_buf_free(&b);
	return -ELOOP;
}

static struct frame *find_frame(struct planner *p, const char *name)
{
	size_t i;

	for (i = p->depth; i > 0; i--)
		if (strcmp(p->stack[i - 1].name, name) == 0)
			return &p->stack[i - 1];
	return NULL;
}

static int push(struct planner *p, const char *name)
{
	if (p->depth == sizeof(p->stack) / sizeof(p->stack[0]))
		return lkm_err_set(p->err, -ELOOP, "soft dependencies nest deeper than %zu at %s",
				   p->depth, name);
	p->stack[p->depth].name = name;
	p->stack[p->depth].pending = true;
	p->depth++;
	return 0;
}

static int plan_module(struct planner *p, const struct lkm_resolved *m, enum edge how,
		       bool ignorecmd);

static int plan_list(struct planner *p, const struct lkm_resolved *v, size_t n, enum edge how)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		/* A softdep found through an alias obeys the blacklist (kmod issue 446). */
		if (blacklisted(p, &v[i]))
			continue;
		r = plan_module(p, &v[i], how, false);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * kmod's __kmod_module_fill_softdep: pre: softdeps, the module, post: softdeps. A
 * module replaced by an install command is just that command.
 */
static int fill_softdep(struct planner *p, const struct lkm_resolved *m, bool ignorecmd)
{
	struct lkm_softdeps sd = { 0 };
	int r;

	if (ignorecmd || install_command(p, m, false))
		return append_module(p, m, ignorecmd);
	r = lkm_resolve_softdeps(p->ctx, p->config, m->name, &sd);
	if (r < 0)
		return r;
	r = push(p, m->name);
	if (r < 0)
		goto out;
	r = plan_list(p, sd.pre, sd.n_pre, EDGE_BEFORE);
	if (r >= 0)
		r = append_module(p, m, false);
	p->stack[p->depth - 1].pending = false;
	if (r >= 0)
		r = plan_list(p, sd.post, sd.n_post, EDGE_AFTER);
	p->depth--;
out:
	lkm_softdeps_release(&sd);
	return r;
}

static int plan_module(struct planner *p, const struct lkm_resolved *m, enum edge how,
		       bool ignorecmd)
{
	struct lkm_resolved *deps = NULL;
	struct frame *f = find_frame(p, m->name);
	size_t i, n = 0;
	int r;

	if (f && f->pending && how == EDGE_BEFORE)
		return loop_error(p, m->name);
	if (in_list(p->visited, p->n_visited, m->name))
		return 0;
	r = mark_visited(p, m->name);
	if (r < 0)
		return r;
	if (m == p->target && p->target_deps) {
		deps = p->target_deps, n = p->n_target_deps;
		p->target_deps = NULL;
	} else {
		r = lkm_resolve_deps(p->ctx, m, &deps, &n);
		if (r < 0)
			return r;
	}
	r = push(p, m->name);
	for (i = 0; r >= 0 && i < n; i++) {
		f = find_frame(p, deps[i].name);
		if (f && f->pending)
			r = loop_error(p, deps[i].name);
		else
			r = fill_softdep(p, &deps[i], false);
	}
	if (r >= 0)
		p->depth--;
	lkm_resolved_free(deps, n);
	if (r < 0)
		return r;
	return fill_softdep(p, m, ignorecmd);
}

static int collect_required(struct planner *p)
{
	struct lkm_resolved *deps;
	size_t i, n;
	int r;

	r = lkm_resolve_deps(p->ctx, p->target, &deps, &n);
	if (r < 0)
		return r;
	p->required = calloc(n + 1, sizeof(char *));
	if (!p->required)
		goto nomem;
	p->required[p->n_required++] = strdup(p->target->name);
	for (i = 0; i < n; i++)
		p->required[p->n_required++] = strdup(deps[i].name);
	for (i = 0; i < p->n_required; i++)
		if (!p->required[i])
			goto nomem;
	/* plan_module() walks the same list for the target: it takes it from here. */
	p->target_deps = deps;
	p->n_target_deps = n;
	return 0;
nomem:
	lkm_resolved_free(deps, n);
	return -ENOMEM;
}

static bool in_kernel(struct lkm_ctx *ctx, const struct lkm_resolved *m)
{
	int state = lkm_resolve_initstate(ctx, m);

	return state == LKM_INITSTATE_LIVE || state == LKM_INITSTATE_BUILTIN;
}

bool lkm_load_step_loaded(struct lkm_ctx *ctx, const struct lkm_load_step *s)
{
	struct lkm_resolved m = {
		.name = s->name, .path = s->path, .builtin = s->action == LKM_STEP_BUILTIN,
	};

	return in_kernel(ctx, &m);
}

int lkm_load_plan_new(struct lkm_ctx *ctx, const struct lkm_config *config,
		      const struct lkm_resolved *target, unsigned flags,
		      const char *extra_options, struct lkm_load_plan **out, struct lkm_err *err)
{
	struct planner p = {
		.ctx = ctx, .config = config, .flags = flags, .extra = extra_options,
		.target = target, .err = err,
	};
	size_t i;
	int r;

	*out = NULL;
	p.plan = calloc(1, sizeof(*p.plan));
	if (!p.plan)
		return -ENOMEM;
	if (!(flags & LKM_PROBE_IGNORE_LOADED) && in_kernel(ctx, target)) {
		if (flags & LKM_PROBE_FIRST_TIME) {
			lkm_load_plan_free(p.plan);
			return lkm_err_set(err, -EEXIST, "Module already in kernel");
		}
		p.plan->status = LKM_PLAN_LOADED;
		*out = p.plan;
		return 0;
	}
	if (!(flags & LKM_PROBE_IGNORE_BLACKLIST) && blacklisted(&p, target)) {
		p.plan->status = LKM_PLAN_BLACKLISTED;
		*out = p.plan;
		return 0;
	}
	r = collect_required(&p);
	if (r >= 0)
		r = plan_module(&p, target, EDGE_TOP, flags & LKM_PROBE_IGNORE_COMMANDS);
	for (i = 0; i < p.n_visited; i++)
		free(p.visited[i]);
	free(p.visited);
	for (i = 0; i < p.n_required; i++)
		free(p.required[i]);
	free(p.required);
	lkm_resolved_free(p.target_deps, p.n_target_deps);
	if (r < 0) {
		lkm_load_plan_free(p.plan);
		return r;
	}
	*out = p.plan;
	return 0;
}
