// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's loads of many modules at once through lkm_load_many() (lib/load-parallel.c):
 * -a with --jobs N or --time, and each round of --coldplug. What is said and the exit
 * code stay those of the one-by-one loads, which is why this takes a file of its own:
 * the messages come out in argument order, each lookup failure before the loads after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "modprobe.h"

/*
 * -a --jobs N (or --time): every argument looked up first, then all of them loaded by
 * lkm_load_many(), which says each request's messages in argument order through the
 * callbacks below; what is said and the exit code are the serial loop's in run().
 */
struct many_arg {
	int r;                  /* lkm_resolve_arg()'s answer, then the argument's result */
	struct lkm_err err;
	bool file, said;
	struct lkm_resolved *found;
	size_t n, blacklisted;
};

struct many {
	struct modprobe_opts *o;
	struct lkm_ctx *ctx;
	const struct lkm_config *cfg;
	const char *const *names;
	struct many_arg *args;
	size_t nargs, next;     /* the next argument to be said */
	size_t *arg_of;         /* request -> argument */
	struct lkm_buf times;   /* --time: the table's lines */
	size_t n_times;
};

/* The arguments before @upto that load nothing: their lookup failures, said. */
static void many_say_until(struct many *m, size_t upto)
{
	for (; m->next < upto; m->next++)
		if (!m->args[m->next].said)
			m->args[m->next].r =
				modprobe_lookup_said(m->o, m->ctx, m->names[m->next],
						     m->args[m->next].r, &m->args[m->next].err,
						     m->args[m->next].file);
}

static void many_begin(void *data, size_t i, struct lkm_load_request *req)
{
	struct many *m = data;

	(void)req;
	many_say_until(m, m->arg_of[i]);
	m->o->explained = false;
}

static void many_done(void *data, size_t i, struct lkm_load_request *req)
{
	struct many *m = data;
	struct many_arg *a = &m->args[m->arg_of[i]];

	if (req->result < 0)
		modprobe_insert_failed(m->o, req->target->name, req->result, &req->err);
	a->blacklisted += req->status == LKM_PLAN_BLACKLISTED;
	/* As do_insert(): the last module's result is the argument's. */
	a->r = req->result > 0 ? -EINVAL : req->result;
	a->said = true;
	if (req->target == &a->found[a->n - 1]) {
		if (a->blacklisted)
			modprobe_say_blacklisted(m->o, m->cfg, a->found, a->n, a->blacklisted == a->n);
		m->next = m->arg_of[i] + 1;
	}
}

static void many_timed(void *data, const struct lkm_load_timing *t)
{
	struct many *m = data;

	if (lkm_buf_printf(&m->times, "%-24s %10.1f %10.1f %10.1f\n", t->name, t->load_ms,
			   t->wait_ms, t->load_ms + t->wait_ms) == 0)
		m->n_times++;
}

int modprobe_insert_many(struct modprobe_opts *o, struct lkm_ctx *ctx,
			 const struct lkm_config *cfg, char **names, int nargs)
{
	const struct lkm_load_ops ops = modprobe_load_ops(o);
	struct many m = { .o = o, .ctx = ctx, .cfg = cfg, .names = (const char *const *)names,
			  .nargs = (size_t)nargs };
	struct lkm_load_many_opts lo = { .jobs = o->jobs, .begin = many_begin,
					 .done = many_done, .data = &m };
	struct lkm_load_request *reqs = NULL;
	size_t i, j, n = 0;
	double start = 0;
	int r = 0, err = 0;

	m.args = calloc(m.nargs + 1, sizeof(*m.args));
	if (!m.args)
		return -ENOMEM;
	for (i = 0; i < m.nargs; i++) {
		struct many_arg *a = &m.args[i];

		a->r = lkm_resolve_arg(ctx, cfg, names[i], LKM_RESOLVE_PATHS, &a->found, &a->n,
				       &a->file, &a->err);
		n += a->r > 0 ? a->n : 0;
	}
	reqs = calloc(n + 1, sizeof(*reqs));
	m.arg_of = calloc(n + 1, sizeof(*m.arg_of));
	if (!reqs || !m.arg_of) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0, n = 0; i < m.nargs; i++)
		for (j = 0; m.args[i].r > 0 && j < m.args[i].n; j++, n++) {
			reqs[n] = (struct lkm_load_request){ .target = &m.args[i].found[j],
							     .ops = &ops };
			m.arg_of[n] = i;
		}
	if (o->time) {
		struct timespec ts;

		lo.timed = many_timed;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		start = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
	}
	r = lkm_load_many(ctx, cfg, reqs, n, o->flags, &lo);
	many_say_until(&m, m.nargs);
	if (o->time) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		fflush(stdout);
		fprintf(stderr, "%-24s %10s %10s %10s\n%s%zu loads in %.1f ms\n", "module",
			"load ms", "waited ms", "total ms", m.times.len ? m.times.data : "",
			m.n_times, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6 - start);
	}
	for (i = 0; i < m.nargs; i++)
		if (m.args[i].r < 0)
			err = m.args[i].r;
out:
	for (i = 0; i < m.nargs; i++)
		lkm_resolved_free(m.args[i].found, m.args[i].n);
	lkm_buf_free(&m.times);
	free(m.args);
	free(m.arg_of);
	free(reqs);
	return r < 0 ? r : err;
}

static void coldplug_begin(void *data, size_t i, struct lkm_load_request *req)
{
	((struct modprobe_opts *)data)->explained = false;
}

static void coldplug_done(void *data, size_t i, struct lkm_load_request *req)
{
	if (req->result < 0)
		modprobe_insert_failed(data, req->target->name, req->result, &req->err);
}

/*
 * --coldplug loads a round's modules as -a loads what an alias finds, all at once as
 * --jobs does (one worker a CPU unless --jobs says), or one by one with --report, whose
 * snapshots take one load at a time.
 */
int modprobe_coldplug_load(void *data, struct lkm_ctx *ctx, const struct lkm_config *cfg,
			   const struct lkm_resolved *modules, size_t count)
{
	struct modprobe_opts *o = data;
	const struct lkm_load_ops ops = modprobe_load_ops(o);
	struct lkm_load_many_opts lo = { .jobs = o->parallel ? o->jobs : 0,
					 .begin = coldplug_begin, .done = coldplug_done, .data = o };
	struct lkm_load_request *reqs;
	bool blacklisted;
	size_t i;
	int r, err = 0;

	if (o->report) {
		for (i = 0; i < count; i++)
			if ((r = modprobe_probe_one(o, ctx, cfg, &modules[i], NULL,
						    &blacklisted)) < 0)
				err = r;
		return err;
	}
	reqs = calloc(count, sizeof(*reqs));
	if (!reqs)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		reqs[i] = (struct lkm_load_request){ .target = &modules[i], .ops = &ops };
	err = lkm_load_many(ctx, cfg, reqs, count, o->flags, &lo);
	for (i = 0; err == 0 && i < count; i++)
		if (reqs[i].result)
			err = reqs[i].result > 0 ? -EINVAL : reqs[i].result;
	free(reqs);
	return err;
}
