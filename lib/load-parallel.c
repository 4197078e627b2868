// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Many loads at once (modprobe -a --jobs N) with a serial run's outcome.
 *
 * Every request is planned first, in the caller's thread, as lkm_load_module() would.
 * Then each request walks its own plan in order, as lkm_load_plan_run() does, and the
 * requests walk side by side, under one rule: before request k takes a step for module
 * M, every earlier request whose plan still holds M at or after its current step must
 * have passed it (loaded it, failed it, or stopped before it). So at that moment /sys
 * says of M what it would say in a serial run, where all earlier requests are done:
 * a module loads once, and a module an earlier request failed (or never reached) is
 * tried again by the later one, as serial modprobe does. The plan's own check (is the
 * target in the kernel already?) is made again at the request's start under the same
 * rule, since an earlier request may load the target.
 *
 * Only the syscall leaves the caller's thread: a step that needs finit_module is given
 * to a worker (lkm_load_attempt: the kernel log around the call), and its diagnosis,
 * the checks of /sys and the messages stay in the caller's thread, which is why the ctx,
 * the indexes and the config need no locks. A request's messages are recorded and
 * handed to its ops in request order once it and every earlier one are done.
 *
 * An install command can load or remove anything: a request with one runs alone, as
 * lkm_load_module() with the caller's ops, once every earlier request is done and said,
 * and no later one starts before it ends.
 *
 * Failures need no extra edges: a plan stops at its first failed required step, as
 * serially, and a later request that needs the same module meets it unloaded and
 * tries it itself, with the same messages a serial run would print.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lkm-internal.h"

#define MAX_JOBS 64

enum event_kind { EV_SHOW, EV_LOG, EV_EXPLAIN, EV_STEP_DONE };

/* One call a request made to its ops, kept until the request's turn to speak. */
struct event {
	enum event_kind kind;
	enum lkm_load_level level;
	const struct lkm_load_step *step; /* EV_SHOW, EV_STEP_DONE: lives as the plan does */
	int result;                       /* EV_STEP_DONE */
	char *text;                       /* EV_LOG */
	char *lead;                       /* EV_EXPLAIN: NULL for none */
	struct lkm_diagnosis d;           /* EV_EXPLAIN */
	bool failed;                      /* a copy could not be made: say nothing */
};

struct req {
	struct lkm_load_request *in;
	struct lkm_load_plan *plan;
	struct lkm_load_ops rec; /* records into events; ->data is this req */
	struct event *events;
	size_t n_events, cap_events;
	size_t pos;              /* the next step (while running: the running one) */
	bool alone;              /* has an install step: runs by itself */
	bool started, running, finished, began;
	double turn_at;          /* when the step at pos became next, for --time */
};

struct work {
	struct req *req;
	const struct lkm_load_step *step;
	unsigned lflags;
	size_t left;  /* steps its request has left, this one included */
	int r;
	struct lkm_err err;
	struct lkm_kmsg_log log;
	double start, end;
	struct work *next;
};

struct sched {
	struct lkm_ctx *ctx;
	const struct lkm_config *config;
	unsigned flags;
	const struct lkm_load_many_opts *opts;
	struct req *reqs;
	size_t n, next_emit;
	size_t running;
	/* The workers' queues, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t todo_cond, done_cond;
	struct work *todo, **todo_tail; /* in the order given; taken by take_longest() */
	struct work *done;
	bool stop;
	pthread_t threads[MAX_JOBS];
	unsigned n_threads;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- recording a request's messages ---- */

static struct event *new_event(struct req *q, enum event_kind kind, enum lkm_load_level level)
{
	struct event *e;

	if (lkm_array_grow(&q->events, &q->cap_events, q->n_events + 1, sizeof(*e), 8) < 0)
		return NULL;
	e = &q->events[q->n_events++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->level = level;
	return e;
}

static void rec_show(void *data, const struct lkm_load_step *step)
{
	struct event *e = new_event(data, EV_SHOW, LKM_LOAD_INFO);

	if (e)
		e->step = step;
}

static void rec_log(void *data, enum lkm_load_level level, const char *msg)
{
	struct event *e = new_event(data, EV_LOG, level);

	if (e && !(e->text = strdup(msg)))
		e->failed = true;
}

static int copy_buf(struct lkm_buf *to, const struct lkm_buf *from)
{
	return from->len ? lkm_buf_append(to, from->data, from->len) : 0;
}

static void rec_explain(void *data, enum lkm_load_level level, const char *lead,
			const struct lkm_diagnosis *d)
{
	struct event *e = new_event(data, EV_EXPLAIN, level);

	if (!e)
		return;
	e->d.code = d->code;
	if ((lead && !(e->lead = strdup(lead))) || copy_buf(&e->d.first, &d->first) < 0 ||
	    copy_buf(&e->d.detail, &d->detail) < 0)
		e->failed = true;
	/* An empty first sentence is still a string to whoever prints it. */
	if (!e->d.first.data && lkm_buf_puts(&e->d.first, "") < 0)
		e->failed = true;
}

static void replay(struct req *q)
{
	const struct lkm_load_ops *ops = q->in->ops;
	size_t i;

	for (i = 0; i < q->n_events; i++) {
		struct event *e = &q->events[i];

		if (e->failed || !ops)
			continue;
		if (e->kind == EV_SHOW && ops->show)
			ops->show(ops->data, e->step);
		else if (e->kind == EV_LOG && ops->log)
			ops->log(ops->data, e->level, e->text);
		else if (e->kind == EV_EXPLAIN && ops->explain)
			ops->explain(ops->data, e->level, e->lead, &e->d);
		else if (e->kind == EV_EXPLAIN && ops->log)
			ops->log(ops->data, e->level, e->d.first.data);
		else if (e->kind == EV_STEP_DONE && ops->step_done)
			ops->step_done(ops->data, e->step, e->result);
	}
}

static void events_free(struct req *q)
{
	size_t i;

	for (i = 0; i < q->n_events; i++) {
		free(q->events[i].text);
		free(q->events[i].lead);
		lkm_diagnosis_release(&q->events[i].d);
	}
	free(q->events);
	q->events = NULL;
	q->n_events = q->cap_events = 0;
}

/* ---- the workers: the syscall and the kernel log around it, nothing else ---- */

/*
 * The queued load whose request has the most steps left (the first such): a long chain
 * started late would keep the others waiting at the end. Under s->lock.
 */
static struct work *take_longest(struct sched *s)
{
	struct work **best = &s->todo, **p, *w;

	for (p = &s->todo; *p; p = &(*p)->next)
		if ((*p)->left > (*best)->left)
			best = p;
	w = *best;
	*best = w->next;
	if (!w->next)
		s->todo_tail = best;
	return w;
}

static void *worker(void *arg)
{
	struct sched *s = arg;
	struct work *w;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->todo && !s->stop)
			pthread_cond_wait(&s->todo_cond, &s->lock);
		if (!s->todo)
			break;
		w = take_longest(s);
		pthread_mutex_unlock(&s->lock);
		w->start = now_ms();
		w->r = lkm_load_attempt(s->ctx, w->step->path, w->step->options, w->lflags,
					&w->err, &w->log);
		w->end = now_ms();
		pthread_mutex_lock(&s->lock);
		w->next = s->done;
		s->done = w;
		pthread_cond_signal(&s->done_cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void start_workers(struct sched *s, unsigned jobs)
{
	while (s->n_threads < jobs &&
	       pthread_create(&s->threads[s->n_threads], NULL, worker, s) == 0)
		s->n_threads++;
}

static void stop_workers(struct sched *s)
{
	unsigned i;

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->todo_cond);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < s->n_threads; i++)
		pthread_join(s->threads[i], NULL);
}

/* ---- the caller's thread: the walk of the plans ---- */

static bool plan_holds_from(const struct req *q, const char *name)
{
	size_t i;

	for (i = q->pos; q->plan && i < q->plan->count; i++)
		if (strcmp(q->plan->steps[i].name, name) == 0)
			return true;
	return false;
}

/* Must request @k wait before it touches @name? (See the rule at the top.) */
static bool must_wait(const struct sched *s, size_t k, const char *name)
{
	size_t j;

	for (j = 0; j < k; j++) {
		const struct req *q = &s->reqs[j];

		if (q->finished)
			continue;
		if (q->alone || plan_holds_from(q, name))
			return true;
	}
	return false;
}

static void finish(struct req *q, int r)
{
	q->finished = true;
	q->in->result = r;
}

static void timed(const struct sched *s, const struct req *q, const char *name, double start,
		  double end)
{
	struct lkm_load_timing t = {
		.name = name, .wait_ms = start - q->turn_at, .load_ms = end - start,
	};

	if (s->opts->timed)
		s->opts->timed(s->opts->data, &t);
}

/* The step at q->pos ended with @r: word it, then go on or stop as serially. */
static void step_ended(struct sched *s, struct req *q, int r, const struct lkm_err *e,
		       const struct lkm_diagnosis *why)
{
	struct event *ev = new_event(q, EV_STEP_DONE, LKM_LOAD_INFO);

	if (ev) {
		ev->step = &q->plan->steps[q->pos];
		ev->result = r;
	}
	r = lkm_load_step_outcome(q->plan, &q->plan->steps[q->pos], r, s->flags, &q->rec, e,
				  why, &q->in->err);
	if (r < 0) {
		finish(q, r);
		return;
	}
	q->pos++;
	q->turn_at = now_ms();
	if (q->pos == q->plan->count)
		finish(q, 0);
}

/* The check lkm_load_plan_new() made of the target, made again now it is our turn. */
static bool target_still_wanted(struct sched *s, struct req *q)
{
	struct lkm_load_step step = {
		.name = (char *)q->in->target->name, .path = (char *)q->in->target->path,
		.action = q->in->target->builtin ? LKM_STEP_BUILTIN : LKM_STEP_INSMOD,
	};

	if ((s->flags & LKM_PROBE_IGNORE_LOADED) || !lkm_load_step_loaded(s->ctx, &step))
		return true;
	if (s->flags & LKM_PROBE_FIRST_TIME) {
		finish(q, lkm_err_set(&q->in->err, -EEXIST, "Module already in kernel"));
		return false;
	}
	q->in->status = LKM_PLAN_LOADED;
	finish(q, 0);
	return false;
}

static void run_alone(struct sched *s, struct req *q)
{
	const struct lkm_load_many_opts *o = s->opts;

	if (o->begin)
		o->begin(o->data, (size_t)(q - s->reqs), q->in);
	q->began = true;
	/* Planned again: what the earlier requests did may change the plan, as serially. */
	q->in->status = LKM_PLAN_READY;
	memset(&q->in->err, 0, sizeof(q->in->err));
	finish(q, lkm_load_module(s->ctx, s->config, q->in->target, s->flags,
				  q->in->extra_options, q->in->ops, &q->in->status, &q->in->err));
}

static int give_to_worker(struct sched *s, struct req *q, const struct lkm_load_step *st)
{
	struct work *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->req = q;
	w->step = st;
	w->lflags = lkm_load_step_lflags(s->flags);
	w->left = q->plan->count - q->pos;
	pthread_mutex_lock(&s->lock);
	*s->todo_tail = w;
	s->todo_tail = &w->next;
	pthread_cond_signal(&s->todo_cond);
	pthread_mutex_unlock(&s->lock);
	q->running = true;
	s->running++;
	return 0;
}

/* A load finished by a worker (or in this thread): diagnose it and go on. */
static void load_done(struct sched *s, struct req *q, const struct lkm_load_step *st, int r,
		      const struct lkm_err *e, struct lkm_kmsg_log *log, double start,
		      double end)
{
	struct lkm_diagnosis why;

	lkm_load_diagnose(s->ctx, st->path, st->name, r, e, log, &why);
	lkm_kmsg_log_release(log);
	timed(s, q, st->name, start, end);
	step_ended(s, q, r, e, &why);
	lkm_diagnosis_release(&why);
}

/* Take request @k's steps as far as it may go now. Return: whether anything moved. */
static bool advance(struct sched *s, size_t k)
{
	struct req *q = &s->reqs[k];
	bool moved = false;

	if (q->finished || q->running)
		return false;
	if (!q->started) {
		if (q->alone) {
			if (s->next_emit != k)
				return false;
			run_alone(s, q);
			return true;
		}
		if (must_wait(s, k, q->in->target->name))
			return false;
		q->started = moved = true;
		q->turn_at = now_ms();
		if (!target_still_wanted(s, q))
			return true;
	}
	while (!q->finished) {
		const struct lkm_load_step *st = &q->plan->steps[q->pos];
		struct lkm_diagnosis why = { 0 };
		struct lkm_err e = { 0 };
		int r;

		if (must_wait(s, k, st->name))
			return moved;
		moved = true;
		if (!(s->flags & LKM_PROBE_IGNORE_LOADED) && lkm_load_step_loaded(s->ctx, st)) {
			step_ended(s, q, -EEXIST, &e, &why);
			continue;
		}
		rec_show(q, st);
		if (!(s->flags & LKM_PROBE_DRY_RUN) && st->action == LKM_STEP_INSMOD) {
			struct lkm_kmsg_log log;
			double start;

			if (s->n_threads && give_to_worker(s, q, st) == 0)
				return true;
			start = now_ms();
			r = lkm_load_attempt(s->ctx, st->path, st->options,
					     lkm_load_step_lflags(s->flags), &e, &log);
			load_done(s, q, st, r, &e, &log, start, now_ms());
			continue;
		}
		r = s->flags & LKM_PROBE_DRY_RUN ? 0 : lkm_load_step_do(s->ctx, st, s->flags,
									&q->rec, &e, &why);
		step_ended(s, q, r, &e, &why);
		lkm_diagnosis_release(&why);
	}
	return true;
}

/* The finished requests at the front, said in order. */
static void emit(struct sched *s)
{
	const struct lkm_load_many_opts *o = s->opts;

	while (s->next_emit < s->n && s->reqs[s->next_emit].finished) {
		struct req *q = &s->reqs[s->next_emit];

		if (!q->began && o->begin)
			o->begin(o->data, s->next_emit, q->in);
		q->began = true;
		replay(q);
		events_free(q);
		if (o->done)
			o->done(o->data, s->next_emit, q->in);
		s->next_emit++;
	}
}

/* Wait for a worker to end a load, and take every load that ended. */
static void collect(struct sched *s)
{
	struct work *w, *next;

	pthread_mutex_lock(&s->lock);
	while (!s->done)
		pthread_cond_wait(&s->done_cond, &s->lock);
	w = s->done;
	s->done = NULL;
	pthread_mutex_unlock(&s->lock);
	for (; w; w = next) {
		next = w->next;
		w->req->running = false;
		s->running--;
		load_done(s, w->req, w->step, w->r, &w->err, &w->log, w->start, w->end);
		free(w);
	}
}

static bool has_install(const struct lkm_load_plan *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (p->steps[i].action == LKM_STEP_INSTALL)
			return true;
	return false;
}

static void plan_all(struct sched *s)
{
	size_t k;

	for (k = 0; k < s->n; k++) {
		struct req *q = &s->reqs[k];
		struct lkm_load_request *in = q->in;
		int r;

		in->status = LKM_PLAN_READY;
		memset(&in->err, 0, sizeof(in->err));
		q->rec = (struct lkm_load_ops){
			.show = rec_show, .log = rec_log, .explain = rec_explain, .data = q,
			.wait_msec = in->ops ? in->ops->wait_msec : 0,
			.command_chain = in->ops ? in->ops->command_chain : NULL,
			.run_command = in->ops ? in->ops->run_command : NULL,
		};
		r = lkm_load_plan_new(s->ctx, s->config, in->target, s->flags, in->extra_options,
				      &q->plan, &in->err);
		if (r < 0) {
			q->plan = NULL;
			finish(q, r);
			continue;
		}
		in->status = q->plan->status;
		if (q->plan->status != LKM_PLAN_READY || q->plan->count == 0)
			finish(q, 0);
		else
			q->alone = has_install(q->plan);
	}
}

static unsigned count_jobs(const struct sched *s)
{
	long n = s->opts->jobs ? (long)s->opts->jobs : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1 || (s->flags & LKM_PROBE_DRY_RUN))
		n = 1;
	return n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

int lkm_load_many(struct lkm_ctx *ctx, const struct lkm_config *config,
		  struct lkm_load_request *reqs, size_t n, unsigned flags,
		  const struct lkm_load_many_opts *opts)
{
	static const struct lkm_load_many_opts none = { .jobs = 1 };
	struct sched s = {
		.ctx = ctx, .config = config, .flags = flags, .opts = opts ? opts : &none, .n = n,
		.lock = PTHREAD_MUTEX_INITIALIZER, .todo_cond = PTHREAD_COND_INITIALIZER,
		.done_cond = PTHREAD_COND_INITIALIZER,
	};
	unsigned jobs;
	size_t k;

	s.reqs = calloc(n + 1, sizeof(*s.reqs));
	if (!s.reqs) {
		for (k = 0; k < n; k++)
			reqs[k].result = -ENOMEM;
		return -ENOMEM;
	}
	s.todo_tail = &s.todo;
	for (k = 0; k < n; k++)
		s.reqs[k].in = &reqs[k];
	plan_all(&s);
	jobs = count_jobs(&s);
	/* One job: no thread, and this is lkm_load_module() request after request. */
	if (jobs > 1)
		start_workers(&s, jobs);
	for (;;) {
		bool moved = false;

		emit(&s);
		if (s.next_emit == n)
			break;
		for (k = s.next_emit; k < n; k++)
			moved = advance(&s, k) || moved;
		if (s.running) {
			collect(&s);
		} else if (!moved) {
			/* Cannot happen: the first request not yet said never waits. */
			for (k = s.next_emit; k < n; k++)
				if (!s.reqs[k].finished)
					finish(&s.reqs[k], lkm_err_set(&reqs[k].err, -EDEADLK,
								       "load scheduler stalled"));
		}
	}
	stop_workers(&s);
	for (k = 0; k < n; k++) {
		events_free(&s.reqs[k]);
		lkm_load_plan_free(s.reqs[k].plan);
	}
	free(s.reqs);
	return 0;
}
