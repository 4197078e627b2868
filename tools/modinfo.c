// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo: show what a module declares. Output is kmod's, byte for byte.
 *
 * Arguments are resolved first (path, name or alias); then the module files are opened
 * and decoded by a pool of threads, because decompression dominates, and the results
 * are printed in argument order.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools.h"

static const struct tool_option options[] = {
	{ "author", 'a', no_argument, NULL, "Print only 'author'" },
	{ "description", 'd', no_argument, NULL, "Print only 'description'" },
	{ "license", 'l', no_argument, NULL, "Print only 'license'" },
	{ "parameters", 'p', no_argument, NULL, "Print only 'parm'" },
	{ "filename", 'n', no_argument, NULL, "Print only 'filename'" },
	{ "null", '0', no_argument, NULL, "Use \\0 instead of \\n" },
	{ "modname", 'm', no_argument, NULL,
	  "Handle argument as module name instead of alias or filename" },
	{ "field", 'F', required_argument, "FIELD", "Print only provided FIELD" },
	{ "set-version", 'k', required_argument, "VERSION", "Use VERSION instead of `uname -r`" },
	{ "basedir", 'b', required_argument, "DIR", "Use DIR as filesystem root for /lib/modules" },
	{ "version", 'V', no_argument, NULL, "Show version" },
	{ "help", 'h', no_argument, NULL, "Show this help" },
	{ 0 },
};

struct modinfo_opts {
	const char *field;  /* NULL: everything */
	char sep;
	bool by_name;
	const char *kver;
	const char *basedir;
};

/* One module to show: a file, or a built-in module by name. */
struct job {
	char *name;
	char *path;          /* NULL for a built-in module */
	struct lkm_buf out;  /* what goes to stdout */
	struct lkm_buf err;  /* what goes to stderr */
	int result;
	atomic_int done;
};

struct job_list {
	struct job *jobs;
	size_t count, cap;
	atomic_size_t next;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct modinfo_opts *opts;
	struct lkm_ctx *ctx;
};

/* parm and parmtype records of one parameter, merged as kmod does. */
struct param {
	const char *name;
	int namelen;
	const char *desc;
	const char *type;
};

static int add_job(struct job_list *l, const char *name, const char *path)
{
	struct job *j;

	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		j = realloc(l->jobs, cap * sizeof(*j));
		if (!j)
			return -ENOMEM;
		l->jobs = j;
		l->cap = cap;
	}
	j = &l->jobs[l->count];
	memset(j, 0, sizeof(*j));
	j->name = strdup(name);
	j->path = path ? strdup(path) : NULL;
	if (!j->name || (path && !j->path)) {
		free(j->name);
		free(j->path);
		return -ENOMEM;
	}
	l->count++;
	return 0;
}

/* An error line for a job, kept so that it prints in order with the output. */
static void job_error(struct job *j, const char *fmt, ...) LKM_PRINTF(2, 3);
static void job_error(struct job *j, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0 || lkm_buf_printf(&j->err, "modinfo: ERROR: %s\n", msg) < 0)
		j->result = -ENOMEM;
	if (n >= 0)
		free(msg);
}

/* FNV-1a of a parameter name, for the table that finds its earlier record. */
static size_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/*
 * kmod keeps parameters in a list where each new name goes first, so they print in
 * reverse order of their first record; a later record of the same kind replaces the
 * earlier one. A hash table of the names seen (open addressing, slot = index + 1)
 * finds that earlier record in constant time: a module with 200,000 parameters is
 * linear, not quadratic.
 */
static int collect_params(const struct lkm_modinfo *info, struct param **out, size_t *count,
			  struct job *j)
{
	struct param *params;
	size_t n = 0, i, k, mask = 15, *table, h;

	while (mask < 2 * info->count)
		mask = 2 * mask + 1;
	params = calloc(info->count ? info->count : 1, sizeof(*params));
	table = calloc(mask + 1, sizeof(*table));
	if (!params || !table) {
		free(params);
		free(table);
		return -ENOMEM;
	}
	for (i = 0; i < info->count; i++) {
		const char *key = info->entries[i].key, *value = info->entries[i].value;
		bool is_parm = strcmp(key, "parm") == 0;
		const char *colon;

		if (!is_parm && strcmp(key, "parmtype") != 0)
			continue;
		colon = strchr(value, ':');
		if (!colon) {
			job_error(j, "Found invalid \"%s=%s\": missing ':'", key, value);
			continue;
		}
		for (h = name_hash(value, (size_t)(colon - value)) & mask; table[h]; h = (h + 1) & mask)
			if (params[table[h] - 1].namelen == colon - value &&
			    memcmp(params[table[h] - 1].name, value, (size_t)(colon - value)) == 0)
				break;
		if (table[h]) {
			k = table[h] - 1;
		} else {
			k = n++;
			params[k].name = value;
			params[k].namelen = (int)(colon - value);
			table[h] = n;
		}
		if (is_parm)
			params[k].desc = colon + 1;
		else
			params[k].type = colon + 1;
	}
	free(table);
	*out = params;
	*count = n;
	return 0;
}

static int print_params(struct lkm_buf *o, const struct lkm_modinfo *info, bool only_params,
			char sep, struct job *j)
{
	const char *prefix = only_params ? "" : "parm:           ";
	struct param *params;
	size_t n, i;
	int r;

	r = collect_params(info, &params, &n, j);
	if (r < 0)
		return r;
	for (i = n; i-- > 0 && r >= 0;) {
		const struct param *p = &params[i];

		if (!p->desc && only_params)
			r = lkm_buf_printf(o, "%.*s: (%s)%c", p->namelen, p->name, p->type, sep);
		else if (!p->desc)
			r = lkm_buf_printf(o, "%s%.*s:%s%c", prefix, p->namelen, p->name, p->type, sep);
		else if (p->type)
			r = lkm_buf_printf(o, "%s%.*s:%s (%s)%c", prefix, p->namelen, p->name, p->desc,
					   p->type, sep);
		else
			r = lkm_buf_printf(o, "%s%.*s:%s%c", prefix, p->namelen, p->name, p->desc, sep);
	}
	free(params);
	return r;
}

static int print_fields(struct lkm_buf *o, const struct lkm_modinfo *info,
			const struct modinfo_opts *opts)
{
	size_t i;
	int r = 0;

	for (i = 0; i < info->count && r >= 0; i++) {
		const char *key = info->entries[i].key, *value = info->entries[i].value;

		if (opts->field) {
			if (strcmp(opts->field, key) == 0)
				r = lkm_buf_printf(o, "%s%c", value, opts->sep);
		} else if (strcmp(key, "parm") == 0 || strcmp(key, "parmtype") == 0) {
			continue;
		} else if (opts->sep == '\0') {
			r = lkm_buf_printf(o, "%s=%s%c", key, value, opts->sep);
		} else {
			int pad = 15 - (int)strlen(key);

			r = lkm_buf_printf(o, "%s:%-*s%s%c", key, pad > 0 ? pad : 0, "", value,
					   opts->sep);
		}
	}
	return r;
}

static int get_info(struct job_list *l, struct job *j, struct lkm_modinfo *info)
{
	struct lkm_err err = { 0 };
	struct lkm_file *file;
	int r;

	if (!j->path) {
		r = lkm_modinfo_from_builtin(l->ctx, j->name, info, &err);
		if (r == -ENOENT)
			return 1; /* an old kernel without modules.builtin.modinfo */
	} else {
		r = lkm_file_open(j->path, &file, &err);
		if (r >= 0) {
			r = lkm_modinfo_from_file(file, info, &err);
			lkm_file_free(file);
		}
	}
	if (r < 0)
		job_error(j, "%s: %s", j->path ? j->path : j->name, lkm_err_reason(&err, r));
	return r;
}

static int show(struct job_list *l, struct job *j)
{
	const struct modinfo_opts *opts = l->opts;
	const char *filename = j->path ? j->path : "(builtin)";
	struct lkm_buf *o = &j->out;
	struct lkm_modinfo info;
	int r = 0;

	if (!j->path) {
		if (!opts->field)
			r = lkm_buf_printf(o, "%-16s%s%c", "name:", j->name, opts->sep);
		else if (strcmp(opts->field, "name") == 0)
			r = lkm_buf_printf(o, "%s%c", j->name, opts->sep);
	}
	if (r >= 0 && opts->field && strcmp(opts->field, "filename") == 0)
		return lkm_buf_printf(o, "%s%c", filename, opts->sep);
	if (r >= 0 && !opts->field)
		r = lkm_buf_printf(o, "%-16s%s%c", "filename:", filename, opts->sep);
	if (r < 0)
		return r;
	r = get_info(l, j, &info);
	if (r != 0)
		return r > 0 ? 0 : r;
	if (opts->field && strcmp(opts->field, "parm") == 0) {
		r = print_params(o, &info, true, opts->sep, j);
	} else {
		r = print_fields(o, &info, opts);
		if (r >= 0 && !opts->field)
			r = print_params(o, &info, false, opts->sep, j);
	}
	lkm_modinfo_release(&info);
	return r;
}

static void *worker(void *arg)
{
	struct job_list *l = arg;
	size_t i;

	while ((i = atomic_fetch_add(&l->next, 1)) < l->count) {
		struct job *j = &l->jobs[i];
		int r = show(l, j);

		if (r < 0 && j->result == 0)
			j->result = r;
		pthread_mutex_lock(&l->lock);
		atomic_store(&j->done, 1);
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
	return NULL;
}

static void flush_job(struct job *j)
{
	if (j->out.len)
		fwrite(j->out.data, 1, j->out.len, stdout);
	if (j->err.len) {
		fflush(stdout);
		fwrite(j->err.data, 1, j->err.len, stderr);
	}
	lkm_buf_free(&j->out);
	lkm_buf_free(&j->err);
}

/* Decode in parallel; print in order as soon as each next result is ready. */
static int run_jobs(struct job_list *l)
{
	pthread_t threads[16];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = 0, want, i;
	int result = 0;

	want = l->count < 2 ? 0 : (size_t)(ncpu > 1 ? ncpu : 1);
	if (want > l->count)
		want = l->count;
	if (want > sizeof(threads) / sizeof(threads[0]))
		want = sizeof(threads) / sizeof(threads[0]);
	for (i = 0; i < want; i++)
		if (pthread_create(&threads[nthreads], NULL, worker, l) == 0)
			nthreads++;
	if (nthreads == 0)
		worker(l);
	for (i = 0; i < l->count; i++) {
		struct job *j = &l->jobs[i];

		pthread_mutex_lock(&l->lock);
		while (!atomic_load(&j->done))
			pthread_cond_wait(&l->cond, &l->lock);
		pthread_mutex_unlock(&l->lock);
		flush_job(j);
		if (j->result < 0)
			result = j->result;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	return result;
}

static void clear_jobs(struct job_list *l)
{
	size_t i;

	for (i = 0; i < l->count; i++) {
		free(l->jobs[i].name);
		free(l->jobs[i].path);
	}
	l->count = 0;
	atomic_store(&l->next, 0);
}

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
static int add_path_job(struct job_list *l, const char *arg)
{
	char name[LKM_NAME_MAX], *abs = NULL, *cwd;
	int r;

	if (lkm_name_from_path(name, sizeof(name), arg) < 0)
		return -ENAMETOOLONG;
	if (arg[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd || asprintf(&abs, "%s/%s", cwd, arg) < 0) {
			free(cwd);
			return -ENOMEM;
		}
		free(cwd);
	}
	r = add_job(l, name, abs ? abs : arg);
	free(abs);
	return r;
}

static int add_lookup_jobs(struct job_list *l, const char *arg, bool by_name,
			   struct lkm_err *err)
{
	struct lkm_resolved *found = NULL;
	size_t n = 0, i;
	int r;

	if (by_name)
		r = lkm_resolve_name(l->ctx, arg, &found, &n, err);
	else
		r = lkm_resolve_lookup(l->ctx, NULL, arg, &found, &n, err);
	if (r >= 0 && n == 0)
		r = -ENOENT;
	if (r < 0)
		return r;
	for (i = 0; i < n && r >= 0; i++)
		r = add_job(l, found[i].name, found[i].path);
	lkm_resolved_free(found, n);
	return r;
}

static int parse_args(int argc, char *argv[], struct modinfo_opts *o)
{
	struct tool_parser p;
	int c;

	tool_parser_init(&p, options);
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->field = "author"; break;
		case 'd': o->field = "description"; break;
		case 'l': o->field = "license"; break;
		case 'p': o->field = "parm"; break;
		case 'n': o->field = "filename"; break;
		case '0': o->sep = '\0'; break;
		case 'm': o->by_name = true; break;
		case 'F': o->field = optarg; break;
		case 'k': o->kver = optarg; break;
		case 'b': o->basedir = optarg; break;
		case 'h':
			tool_print_help(stdout, "\tmodinfo [options] <modulename|filename> [args]",
					options);
			return 1;
		case 'V':
			tool_print_version("modinfo");
			return 1;
		default:
			return -EINVAL;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "modinfo: ERROR: missing module or filename.\n");
		return -EINVAL;
	}
	return 0;
}

int tool_modinfo(int argc, char *argv[])
{
	static const char *const no_config[] = { NULL };
	struct modinfo_opts opts = { .sep = '\n' };
	struct lkm_ctx_config cfg = { .config_paths = no_config };
	struct job_list l = { .lock = PTHREAD_MUTEX_INITIALIZER,
			      .cond = PTHREAD_COND_INITIALIZER, .opts = &opts };
	struct lkm_err err;
	int r, result = 0, i;

	r = parse_args(argc, argv, &opts);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	/* Like kmod: -b and -k give ROOT/lib/modules/KVER, whatever the moduledir. */
	cfg.basedir = opts.basedir;
	cfg.kver = opts.kver;
	r = lkm_ctx_new(&cfg, &l.ctx);
	if (r < 0) {
		fprintf(stderr, "modinfo: ERROR: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	for (i = optind; i < argc; i++) {
		memset(&err, 0, sizeof(err));
		if (opts.by_name)
			r = add_lookup_jobs(&l, argv[i], true, &err);
		else if (is_module_filename(argv[i]))
			r = add_path_job(&l, argv[i]);
		else
			r = add_lookup_jobs(&l, argv[i], false, &err);
		if (r >= 0)
			continue;
		/* Keep output in argument order: what came before prints first. */
		result = r;
		if (run_jobs(&l) < 0)
			result = -EINVAL;
		clear_jobs(&l);
		if (r == -ENOENT)
			fprintf(stderr, "modinfo: ERROR: Module %s%s not found.\n",
				opts.by_name ? "name " : "", argv[i]);
		else
			fprintf(stderr, "modinfo: ERROR: %s: %s\n", argv[i], lkm_err_reason(&err, r));
	}
	if (run_jobs(&l) < 0)
		result = -EINVAL;
	clear_jobs(&l);
	free(l.jobs);
	lkm_ctx_unref(l.ctx);
	return result < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
