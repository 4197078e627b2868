// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo of many modules: the specs are looked up first, in the caller's thread (the
 * indexes are mapped, a lookup costs microseconds), then the module files are decoded by
 * a pool of threads, because decompression dominates, and given back in spec order.
 *
 * Each job is decoded once, by a worker that takes the next index, or by the caller in
 * lkm_modinfo_jobs_next() when there is no worker: a single module, -n, or no thread
 * could start. The caller frees each result as it takes the next one, so what is held
 * is what the workers have decoded ahead of the reader.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"

/* As many threads as CPUs, and no more than this: the reader is one thread. */
#define MAX_THREADS 16

struct job {
	const char *spec;
	char *name;     /* NULL: the lookup failed */
	char *path;     /* NULL for a built-in module */
	int error;
	char *reason;   /* the lkm_err words, when it had any */
	struct lkm_modinfo *info;
	atomic_int done;
};

struct lkm_modinfo_jobs {
	struct lkm_ctx *ctx;
	struct job *jobs;
	size_t count, cap;
	size_t current;           /* the next job lkm_modinfo_jobs_next() gives */
	atomic_size_t next;       /* the next job a worker takes */
	bool decode;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t threads[MAX_THREADS];
	size_t nthreads;
	struct lkm_modinfo_result result;
};

static struct job *add_job(struct lkm_modinfo_jobs *l, const char *spec)
{
	struct job *j;

	if (lkm_array_grow(&l->jobs, &l->cap, l->count + 1, sizeof(*l->jobs), 16) < 0)
		return NULL;
	j = &l->jobs[l->count++];
	memset(j, 0, sizeof(*j));
	j->spec = spec;
	return j;
}

/* Words only when @err has them: strerror() is the default, given at the reading. */
static int set_error(struct job *j, int r, const struct lkm_err *err)
{
	j->error = r;
	if (err->why[0]) {
		j->reason = strdup(err->why);
		if (!j->reason)
			return -ENOMEM;
	}
	return 0;
}

/* kmod's rule: a regular file with a module's extension is a file, not a name. */
static bool is_module_filename(const char *arg)
{
	static const char *const exts[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };
	size_t len = strlen(arg), i;
	struct stat st;

	if (stat(arg, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t e = strlen(exts[i]);

		if (len > e && strcmp(arg + len - e, exts[i]) == 0)
			return true;
	}
	return false;
}

/* kmod shows a relative path joined to the working directory, without cleaning it. */
static int add_path(struct lkm_modinfo_jobs *l, const char *spec)
{
	char name[LKM_NAME_MAX];
	struct job *j = add_job(l, spec);
	int n;

	if (!j)
		return -ENOMEM;
	if (lkm_name_from_path(name, sizeof(name), spec) < 0) {
		j->error = -ENAMETOOLONG;
		return 0;
	}
	j->name = strdup(name);
	n = lkm_path_absolute(spec, &j->path);
	if (n < 0 && n != -ENOMEM) {
		j->error = n; /* the working directory is gone: said of this file */
		return j->name ? 0 : -ENOMEM;
	}
	return j->name && j->path ? 0 : -ENOMEM;
}

static int add_lookup(struct lkm_modinfo_jobs *l, const char *spec, bool by_name)
{
	struct lkm_resolved *found = NULL;
	struct lkm_err err = { 0 };
	struct job *j;
	size_t n = 0, i;
	int r;

	if (by_name)
		r = lkm_resolve_name(l->ctx, spec, &found, &n, &err);
	else
		r = lkm_resolve_lookup(l->ctx, NULL, spec, &found, &n, &err);
	if (r == -ENOMEM)
		return r;
	if (r < 0 || n == 0) {
		j = add_job(l, spec);
		return j ? set_error(j, r < 0 ? r : -ENOENT, &err) : -ENOMEM;
	}
	for (i = 0, r = 0; i < n && r >= 0; i++) {
		j = add_job(l, spec);
		if (!j) {
			r = -ENOMEM;
			break;
		}
		j->name = strdup(found[i].name);
		j->path = found[i].path ? strdup(found[i].path) : NULL;
		if (!j->name || (found[i].path && !j->path))
			r = -ENOMEM;
	}
	lkm_resolved_free(found, n);
	return r;
}

static void decode(struct lkm_modinfo_jobs *l, struct job *j)
{
	struct lkm_err err = { 0 };
	struct lkm_file *file;
	int r;

	if (!j->path) {
		r = lkm_modinfo_from_builtin(l->ctx, j->name, &j->info, &err);
		/* A kernel too old for modules.builtin.modinfo: no fields, as in kmod. */
		if (r == -ENOENT)
			r = 0;
	} else {
		r = lkm_file_open(j->path, &file, &err);
		if (r >= 0) {
			r = lkm_modinfo_from_file(file, &j->info, &err);
			lkm_file_free(file);
		}
	}
	if (r < 0 && set_error(j, r, &err) < 0)
		j->error = -ENOMEM;
}

static void *worker(void *arg)
{
	struct lkm_modinfo_jobs *l = arg;
	size_t i;

	while ((i = atomic_fetch_add(&l->next, 1)) < l->count) {
		struct job *j = &l->jobs[i];

		if (j->name)
			decode(l, j);
		pthread_mutex_lock(&l->lock);
		atomic_store(&j->done, 1);
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
	return NULL;
}

/* No thread for one module: `modinfo NAME` pays for none, nor for the CPU count. */
static void start_threads(struct lkm_modinfo_jobs *l)
{
	size_t want, i;
	long ncpu;

	if (!l->decode || l->count < 2)
		return;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	want = ncpu > 1 ? (size_t)ncpu : 1;
	if (want > l->count)
		want = l->count;
	if (want > MAX_THREADS)
		want = MAX_THREADS;
	for (i = 0; i < want; i++)
		if (pthread_create(&l->threads[l->nthreads], NULL, worker, l) == 0)
			l->nthreads++;
}

int lkm_modinfo_jobs_new(struct lkm_ctx *ctx, char *const specs[], size_t count,
			 unsigned flags, struct lkm_modinfo_jobs **out)
{
	struct lkm_modinfo_jobs *l = calloc(1, sizeof(*l));
	bool by_name = flags & LKM_MODINFO_JOBS_BY_NAME;
	size_t i;
	int r = 0;

	if (!l)
		return -ENOMEM;
	l->ctx = ctx;
	l->decode = !(flags & LKM_MODINFO_JOBS_NO_DECODE);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	for (i = 0; i < count && r >= 0; i++) {
		if (!by_name && is_module_filename(specs[i]))
			r = add_path(l, specs[i]);
		else
			r = add_lookup(l, specs[i], by_name);
	}
	if (r < 0) {
		lkm_modinfo_jobs_free(l);
		return r;
	}
	start_threads(l);
	*out = l;
	return 0;
}

/* Twice is harmless: the last result is released by the call that ends, then by free. */
static void release_job(struct job *j)
{
	free(j->name);
	free(j->path);
	free(j->reason);
	j->name = j->path = j->reason = NULL;
	lkm_modinfo_free(j->info);
	j->info = NULL;
}

int lkm_modinfo_jobs_next(struct lkm_modinfo_jobs *l,
			  const struct lkm_modinfo_result **out)
{
	struct lkm_modinfo_result *res = &l->result;
	struct job *j;

	if (l->current > 0)
		release_job(&l->jobs[l->current - 1]);
	if (l->current >= l->count)
		return 0;
	j = &l->jobs[l->current++];
	if (l->nthreads == 0) {
		if (l->decode && j->name)
			decode(l, j);
	} else {
		pthread_mutex_lock(&l->lock);
		while (!atomic_load(&j->done))
			pthread_cond_wait(&l->cond, &l->lock);
		pthread_mutex_unlock(&l->lock);
	}
	res->spec = j->spec;
	res->name = j->name;
	res->path = j->path;
	res->error = j->error;
	res->reason = j->reason ? j->reason : strerror(-j->error);
	res->info = j->info;
	*out = res;
	return 1;
}

size_t lkm_modinfo_jobs_threads(const struct lkm_modinfo_jobs *jobs)
{
	return jobs->nthreads;
}

void lkm_modinfo_jobs_free(struct lkm_modinfo_jobs *l)
{
	size_t i;

	if (!l)
		return;
	/* Past the end: each worker stops after the job it holds. */
	atomic_store(&l->next, l->count);
	for (i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
	for (i = l->current ? l->current - 1 : 0; i < l->count; i++)
		release_job(&l->jobs[i]);
	free(l->jobs);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}
