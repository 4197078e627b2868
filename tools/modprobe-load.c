// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's work on one argument, as the client of lib/load.c and lib/unload.c: the
 * name or alias looked up (none found said in kmod's words), then each module it names
 * loaded, removed, or its symbols printed (--show-modversions, --show-exports). Here
 * are the callbacks lib/ calls (steps shown, commands run, messages and diagnoses
 * said), kmod's wording of a failed insert, and --report's snapshots around each load
 * (lib/report.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "modprobe.h"

/* The library's levels as syslog priorities. */
static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO };

static void lib_explain(void *data, enum lkm_load_level level, const char *lead,
			const struct lkm_diagnosis *d)
{
	struct modprobe_opts *o = data;

	tool_say_diagnosis(VOICE(o), prio[level], lead, d);
	/* A failure explained under kmod's words; a loop of a soft dependency has none. */
	if (level == LKM_LOAD_ERROR && lead)
		o->explained = true;
}

/* The loop worded from its names, after @lead (NULL: none). */
static void say_loop(const struct modprobe_opts *o, const char *lead,
		     const struct lkm_loop *l)
{
	const char *chain[LKM_LOOP_MAX];
	struct lkm_diagnosis d;
	size_t i;

	for (i = 0; i < l->n; i++)
		chain[i] = l->names[i];
	if (lkm_diagnose_loop(l->kind, chain, l->n, &d) < 0) {
		say(o, LOG_ERR, "%s%s%s loop", lead ? lead : "", lead ? ": " : "", l->kind);
		return;
	}
	tool_say_diagnosis(VOICE(o), LOG_ERR, lead, &d);
	lkm_diagnosis_release(&d);
}

static void lib_log(void *data, enum lkm_load_level level, const char *msg)
{
	say((const struct modprobe_opts *)data, prio[level], "%s", msg);
}

static void show_step(void *data, const struct lkm_load_step *s)
{
	const struct modprobe_opts *o = data;
	struct lkm_buf b = { 0 };

	if (o->json && o->show)
		lkm_load_step_json(s, o->json);
	else if ((o->show || o->verbose > LOG_WARNING) && lkm_load_step_show(s, &b) == 0 && b.len)
		fwrite(b.data, 1, b.len, stdout);
	lkm_buf_free(&b);
	/* No flush per step: tool_vsay() and run_command() flush before others write. */
}

/* An install/remove command; the library keeps the chain of commands (loops). */
static int run_command(void *data, const struct lkm_load_step *s)
{
	int code, r;

	/* The command's own output follows the steps shown before it. */
	fflush(stdout);
	r = lkm_command_run(s->cmdline, s->name, &code);

	if (r == -EINVAL)
		say((const struct modprobe_opts *)data, LOG_ERR,
		    "Error running %s command '%s' for module %s: retcode %d",
		    s->action == LKM_STEP_INSTALL ? "install" : "remove", s->cmdline, s->name,
		    code);
	return r;
}

/* --report: a snapshot after each module loaded (or, with -n, not loaded). */
static void report_step(void *data, const struct lkm_load_step *s, int result)
{
	struct modprobe_opts *o = data;
	int r;

	if (o->rep && (r = lkm_report_step_done(o->rep, s, result, o->flags)) < 0)
		say(o, LOG_WARNING, "--report: %s: %s", s->name, strerror(-r));
}

/* The library calls back here; the chain of commands comes down from the parent. */
struct lkm_load_ops modprobe_load_ops(struct modprobe_opts *o)
{
	return (struct lkm_load_ops){ .show = show_step, .run_command = run_command,
				      .log = lib_log, .explain = lib_explain, .data = o,
				      .wait_msec = o->wait_msec,
				      .command_chain = getenv("LKM_MODPROBE_CHAIN"),
				      .step_done = report_step };
}

/* --report around one load: begun before it, printed after it, loaded or not. */
static void report_begin(struct modprobe_opts *o, struct lkm_ctx *ctx)
{
	int r;

	o->rep = NULL;
	if (o->report && (r = lkm_report_new(ctx, &o->rep)) < 0)
		say(o, LOG_WARNING, "--report: %s", strerror(-r));
}

static void report_end(struct modprobe_opts *o, const char *target,
		       enum lkm_plan_status status)
{
	struct lkm_buf b = { 0 };
	int r = 0;

	if (!o->rep)
		return;
	if (status == LKM_PLAN_LOADED)
		r = lkm_report_step(o->rep, target, NULL, LKM_REPORT_WAS_LOADED);
	if (r == 0 && o->json)
		lkm_report_json(o->rep, o->json);
	else if (r == 0)
		r = lkm_report_show(o->rep, &b);
	if (r < 0)
		say(o, LOG_WARNING, "--report: %s", strerror(-r));
	else if (b.len)
		fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	lkm_buf_free(&b);
	lkm_report_free(o->rep);
	o->rep = NULL;
}

void modprobe_insert_failed(const struct modprobe_opts *o, const char *name, int r,
			    const struct lkm_err *err)
{
	char lead[LKM_NAME_MAX + 32];

	snprintf(lead, sizeof(lead), "could not insert '%s'", name);
	if (o->explained)
		return;
	if (err->loop.kind && strcmp(err->loop.kind, "softdep") == 0)
		say_loop(o, lead, &err->loop);
	else if (err->loop.kind) {
		/* Found where a command was to run: the loop, then the failed insert. */
		say_loop(o, NULL, &err->loop);
		say(o, LOG_ERR, "%s: %s", lead, strerror(-r));
	} else if (r == -EEXIST)
		say(o, LOG_ERR, "could not insert '%s': Module already in kernel", name);
	else if (r == -ENOENT) {
		if (err->why[0])
			say(o, LOG_ERR, "%s", err->why);
		say(o, LOG_ERR, "could not insert '%s': Unknown symbol in module, "
				"or unknown parameter (see dmesg)", name);
	} else
		say(o, LOG_ERR, "could not insert '%s': %s", name, lkm_err_reason(err, r));
}

int modprobe_probe_one(struct modprobe_opts *o, struct lkm_ctx *ctx,
		       const struct lkm_config *cfg, const struct lkm_resolved *m,
		       const char *extra, bool *blacklisted)
{
	const struct lkm_load_ops ops = modprobe_load_ops(o);
	enum lkm_plan_status status;
	struct lkm_err err = { 0 };
	struct lkm_diagnosis d;
	int r;

	*blacklisted = false;
	if (o->lookup_only) {
		if (o->json)
			lkm_json_string(o->json, m->name);
		else
			printf("%s\n", m->name);
		return 0;
	}
	if (o->check) {
		/* What would stop this load, on stdout; 0 when nothing would. */
		r = lkm_load_check(ctx, cfg, m, o->flags, extra, &status, &d);
		if (r >= 0 && d.first.len && o->json)
			lkm_diagnose_check_json(&d, r, o->json);
		else if (r >= 0 && d.first.len)
			printf("%s\n%s", d.first.data, d.detail.len ? d.detail.data : "");
		lkm_diagnosis_release(&d);
	} else {
		o->explained = false;
		report_begin(o, ctx);
		r = lkm_load_module(ctx, cfg, m, o->flags, extra, &ops, &status, &err);
		if (r < 0)
			modprobe_insert_failed(o, m->name, r, &err);
		report_end(o, m->name, status);
	}
	*blacklisted = status == LKM_PLAN_BLACKLISTED;
	return r > 0 ? -EINVAL : r;
}

/* Every module @alias found is blacklisted: nothing loads, so say where (kmod: silent). */
void modprobe_say_blacklisted(const struct modprobe_opts *o, const struct lkm_config *cfg,
			      const struct lkm_resolved *found, size_t n, bool all)
{
	struct lkm_diagnosis d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (lkm_diagnose_blacklisted(found[i].name,
					     lkm_config_get_blacklist(cfg, found[i].name), &d) < 0)
			continue;
		tool_say_diagnosis(VOICE(o), all ? LOG_WARNING : LOG_NOTICE, NULL, &d);
		lkm_diagnosis_release(&d);
	}
}

/* What lookup() says of lkm_resolve_arg()'s answer @r; its return. */
int modprobe_lookup_said(const struct modprobe_opts *o, struct lkm_ctx *ctx,
			 const char *alias, int r, const struct lkm_err *err, bool file)
{
	struct lkm_diagnosis d;

	if (r < 0 && file)
		say(o, o->log_prio, "Failed to get module from path %s: %s", alias,
		    lkm_err_reason(err, r));
	else if (r < 0)
		say(o, LOG_ERR, "%s: %s", alias, lkm_err_reason(err, r));
	if (r != 0)
		return r;
	if (o->remove)
		say(o, o->log_prio, "Module %s not found.", alias);
	else
		say(o, o->log_prio, "Module %s not found in directory %s", alias,
		    lkm_ctx_get_dirname(ctx));
	if (o->log_prio <= o->verbose && lkm_diagnose_not_found(ctx, alias, &d) == 0) {
		tool_say_detail(VOICE(o), o->log_prio, &d);
		lkm_diagnosis_release(&d);
	}
	return -ENOENT;
}

/*
 * The modules @alias names (LKM_RESOLVE_* @flags: or the module file, then *@file is
 * set); none found is said in kmod's words, with close names.
 */
static int lookup(const struct modprobe_opts *o, struct lkm_ctx *ctx,
		  const struct lkm_config *cfg, const char *alias, unsigned flags,
		  struct lkm_resolved **found, size_t *n, bool *file)
{
	struct lkm_err err = { 0 };
	int r;

	r = lkm_resolve_arg(ctx, cfg, alias, flags, found, n, file, &err);
	return modprobe_lookup_said(o, ctx, alias, r, &err, *file);
}

/*
 * --show-modversions (__versions) and --show-exports of each module @arg names, or of
 * the file: a file is named as given, a module by its name.
 */
int modprobe_show_symbols(const struct modprobe_opts *o, struct lkm_ctx *ctx,
			  const struct lkm_config *cfg, const char *arg, bool exports)
{
	struct lkm_resolved *found = NULL;
	size_t i, n = 0;
	bool file;
	int r;

	/* As kmod: each module an alias names in turn; the last one's result counts. */
	r = lookup(o, ctx, cfg, arg, LKM_RESOLVE_PATHS | LKM_RESOLVE_FILE_FALLBACK,
		   &found, &n, &file);
	for (i = 0; i < n; i++) {
		struct lkm_err err = { 0 };
		struct lkm_buf b = { 0 };

		r = lkm_resolved_show_symbols(&found[i], exports, &b, &err);
		if (r < 0)
			say(o, o->log_prio, "could not get %s of %s: %s",
			    exports ? "symbols" : "modversions",
			    file ? arg : found[i].name,
			    lkm_err_reason(&err, r));
		else
			fwrite(b.data, 1, b.len, stdout);
		lkm_buf_free(&b);
	}
	lkm_resolved_free(found, n);
	return r;
}

int modprobe_insert(struct modprobe_opts *o, struct lkm_ctx *ctx,
		    const struct lkm_config *cfg, const char *alias, const char *extra)
{
	struct lkm_resolved *found;
	size_t i, n, blacklisted = 0;
	bool bl, file;
	int r;

	/* -R prints names: their files and dependencies are not needed (nor read by kmod). */
	r = lookup(o, ctx, cfg, alias, LKM_RESOLVE_PATHS | (o->lookup_only ? LKM_RESOLVE_NAMES : 0),
		   &found, &n, &file);
	if (r < 0)
		return r;
	/* As kmod: the last module's result is the alias's (one driver of many may fail). */
	for (i = 0; i < n; i++) {
		r = modprobe_probe_one(o, ctx, cfg, &found[i], extra, &bl);
		blacklisted += bl;
	}
	if (blacklisted)
		modprobe_say_blacklisted(o, cfg, found, n, blacklisted == n);
	lkm_resolved_free(found, n);
	return r;
}

int modprobe_remove(struct modprobe_opts *o, struct lkm_ctx *ctx,
		    const struct lkm_config *cfg, const char *alias)
{
	const struct lkm_load_ops ops = modprobe_load_ops(o);
	struct lkm_resolved *found;
	size_t i, n;
	bool file;
	int r;

	r = lookup(o, ctx, cfg, alias, 0, &found, &n, &file);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		r = lkm_remove_module(ctx, cfg, &found[i], o->flags, &ops);
		if (r < 0)
			break;
	}
	lkm_resolved_free(found, n);
	return r;
}
