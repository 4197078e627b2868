// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writing depmod's output: every text file and .bin index kmod's depmod writes, built
 * in memory from the resolved modules, then written to temporary files in the output
 * directory and renamed over the old ones only when all are complete and synced.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-internal.h"

/* ---- output ---- */

static const char *mod_path(const struct dm_mod *m)
{
	return m->relpath ? m->relpath : m->path;
}

/* kmod's alias_normalize: '-' becomes '_' outside [...] ranges. */
static int alias_normalize(const char *alias, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && alias[i]; i++) {
		if (alias[i] == ']')
			return -EINVAL;
		if (alias[i] == '[') {
			while (alias[i] != ']' && alias[i] && i + 1 < size) {
				buf[i] = alias[i];
				i++;
			}
			if (alias[i] != ']')
				return -EINVAL;
			buf[i] = ']';
			continue;
		}
		buf[i] = alias[i] == '-' ? '_' : alias[i];
	}
	buf[i] = '\0';
	return 0;
}

static int collect_deps(const struct dm_mod *m, struct dm_mod ***list, size_t *n, size_t *cap,
			unsigned stamp)
{
	size_t i;

	for (i = 0; i < m->n_deps; i++) {
		struct dm_mod *dep = m->deps[i];
		int r;

		if (dep->stamp == stamp)
			continue;
		dep->stamp = stamp;
		r = lkm_array_grow(list, cap, *n + 1, sizeof(**list), 64);
		if (r < 0)
			return r;
		(*list)[(*n)++] = dep;
		r = collect_deps(dep, list, n, cap, stamp);
		if (r < 0)
			return r;
	}
	return 0;
}

/* "path: dep dep ..." with every dependency, direct or not, in topological order. */
static int dep_line(struct lkm_depmod *d, const struct dm_mod *m, struct lkm_buf *line,
		    struct dm_mod ***list, size_t *cap)
{
	static unsigned stamp = 0x40000000u; /* above the cycle walk's stamps */
	size_t n = 0, i;
	int r;

	line->len = 0;
	r = lkm_buf_printf(line, "%s:", mod_path(m));
	if (r < 0)
		return r;
	r = collect_deps(m, list, &n, cap, ++stamp);
	if (r < 0)
		return r;
	if (n > 1)
		qsort(*list, n, sizeof(**list), depmod_dep_cmp);
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(line, " %s", mod_path((*list)[i]));
	(void)d;
	return r;
}

struct out_file {
	const char *name;
	struct lkm_buf text;               /* a text file */
	struct lkm_index_builder *index;   /* or a .bin */
	bool empty;                        /* kmod writes an empty file when input is absent */
	bool written;                      /* its temporary file exists */
};

enum {
	F_DEP, F_DEP_BIN, F_ALIAS, F_ALIAS_BIN, F_SOFTDEP, F_WEAKDEP, F_SYMBOLS, F_SYMBOLS_BIN,
	F_BUILTIN_BIN, F_BUILTIN_ALIAS_BIN, F_DEVNAME, F_COUNT
};
static const char *const out_names[F_COUNT] = {
	"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
	"modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
	"modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
};

static int index_add(struct lkm_depmod *d, struct out_file *f, const char *key,
		     const char *value, uint32_t prio, const char *what)
{
	int r;

	if (d->cfg.warn_dups && lkm_index_builder_contains(f->index, key, value))
		depmod_log(d, LKM_DEPMOD_WARNING, "duplicate module %s:\n%s %s", what, key, value);
	r = lkm_index_builder_add(f->index, key, value, prio);
	if (r == -EINVAL) {
		depmod_log(d, LKM_DEPMOD_WARNING, "%s: cannot index key %s", f->name, key);
		r = 0;
	}
	return r < 0 ? r : 0;
}

static int out_deps(struct lkm_depmod *d, struct out_file *f)
{
	struct lkm_buf line = { 0 };
	struct dm_mod **list = NULL;
	size_t cap = 0, i;
	int r = 0;

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		r = dep_line(d, m, &line, &list, &cap);
		if (r == 0)
			r = lkm_buf_printf(&f[F_DEP].text, "%s\n", line.data);
		if (r == 0 && f[F_DEP_BIN].index) {
			if (d->cfg.warn_dups &&
			    lkm_index_builder_contains(f[F_DEP_BIN].index, m->name, line.data))
				depmod_log(d, LKM_DEPMOD_WARNING, "duplicate module deps:\n%s",
					   line.data);
			r = lkm_index_builder_add(f[F_DEP_BIN].index, m->name, line.data,
						  (uint32_t)m->idx);
		}
	}
	free(list);
	lkm_buf_free(&line);
	return r;
}

static int out_aliases(struct lkm_depmod *d, struct out_file *f)
{
	char buf[PATH_MAX];
	size_t i;
	uint32_t k;
	int r = lkm_buf_puts(&f[F_ALIAS].text, "# Aliases extracted from modules themselves.\n");

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		for (k = 0; k < m->info.n_alias && r == 0; k++) {
			const char *a = DM_ALIAS(&m->info, k);

			r = lkm_buf_printf(&f[F_ALIAS].text, "alias %s %s\n", a, m->name);
			if (r < 0 || !f[F_ALIAS_BIN].index)
				continue;
			if (alias_normalize(a, buf, sizeof(buf)) < 0) {
				depmod_log(d, LKM_DEPMOD_WARNING, "Unmatched bracket in %s", a);
				continue;
			}
			r = index_add(d, &f[F_ALIAS_BIN], buf, m->name, (uint32_t)m->idx, "alias");
		}
	}
	return r;
}

static int out_softdeps(struct lkm_depmod *d, struct out_file *f)
{
	size_t i;
	uint32_t k;
	int r = lkm_buf_puts(&f[F_SOFTDEP].text,
			     "# Soft dependencies extracted from modules themselves.\n");

	if (r == 0)
		r = lkm_buf_puts(&f[F_WEAKDEP].text,
				 "# Weak dependencies extracted from modules themselves.\n");
	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];

		for (k = 0; k < m->info.n_soft && r == 0; k++)
			r = lkm_buf_printf(&f[F_SOFTDEP].text, "softdep %s %s\n", m->name,
					   DM_SOFT(&m->info, k));
		for (k = 0; k < m->info.n_weak && r == 0; k++)
			r = lkm_buf_printf(&f[F_WEAKDEP].text, "weakdep %s %s\n", m->name,
					   DM_WEAK(&m->info, k));
	}
	return r;
}

static int sym_cmp(const void *pa, const void *pb)
{
	const struct dm_sym *a = *(struct dm_sym *const *)pa, *b = *(struct dm_sym *const *)pb;
	uint32_t ha = depmod_hash(a->name) & 2047, hb = depmod_hash(b->name) & 2047;

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* In kmod's hash order (2048 buckets), which is what its modules.symbols shows. */
static int out_symbols(struct lkm_depmod *d, struct out_file *f)
{
	struct lkm_buf key = { 0 };
	struct dm_sym **syms = malloc((d->symbols.n + 1) * sizeof(*syms));
	size_t n = 0, i;
	int r;

	if (!syms)
		return -ENOMEM;
	for (i = 0; i < d->symbols.cap; i++) {
		struct dm_sym *s = d->symbols.ent[i].val;

		if (d->symbols.ent[i].key && s->owner)
			syms[n++] = s;
	}
	if (n > 1)
		qsort(syms, n, sizeof(*syms), sym_cmp);
	r = lkm_buf_puts(&f[F_SYMBOLS].text, "# Aliases for symbols, used by symbol_request().\n");
	for (i = 0; i < n && r == 0; i++) {
		r = lkm_buf_printf(&f[F_SYMBOLS].text, "alias symbol:%s %s\n", syms[i]->name,
				   syms[i]->owner->name);
		if (r < 0 || !f[F_SYMBOLS_BIN].index)
			continue;
		key.len = 0;
		r = lkm_buf_printf(&key, "symbol:%s", syms[i]->name);
		if (r == 0)
			r = index_add(d, &f[F_SYMBOLS_BIN], key.data, syms[i]->owner->name,
				      (uint32_t)syms[i]->owner->idx, "syms");
	}
	lkm_buf_free(&key);
	free(syms);
	return r;
}

static int read_dir_file(struct lkm_depmod *d, const char *name, char **text, size_t *len)
{
	char path[PATH_MAX + 64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", d->dirname, name);
	r = lkm_read_file(path, (size_t)256 << 20, text, len);
	if (r < 0)
		depmod_log(d, LKM_DEPMOD_WARNING, "could not open %s at %s: %s", name, d->dirname,
			   strerror(-r));
	return r;
}

static int out_builtin(struct lkm_depmod *d, struct out_file *f)
{
	char *text, *p, *nl, name[PATH_MAX];
	size_t len;
	int r = 0;

	if (read_dir_file(d, "modules.builtin", &text, &len) < 0) {
		f->empty = true;
		return 0;
	}
	for (p = text; p < text + len && r == 0; p = nl + 1) {
		size_t i, n;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;
		if (!isalpha((unsigned char)p[0])) {
			depmod_log(d, LKM_DEPMOD_ERROR, "Invalid modules.builtin line: %.*s",
				   (int)(nl - p), p);
			continue;
		}
		/* The basename up to its first '.', '-' read as '_'; kmod keeps a '\n'. */
		for (i = (size_t)(nl - p); i > 0 && p[i - 1] != '/'; i--)
			;
		for (n = 0; p + i < nl + (nl < text + len) && p[i] != '.' && n + 1 < sizeof(name);
		     i++)
			name[n++] = p[i] == '-' ? '_' : p[i];
		name[n] = '\0';
		r = lkm_index_builder_add(f->index, name, "", 0);
		r = r < 0 && r != -EINVAL ? r : 0;
	}
	free(text);
	return r;
}

/*
 * modules.builtin.modinfo is "module.key=value\0" records. The scan follows kmod's
 * character by character, so a malformed record is skipped just as kmod skips it.
 */
static size_t take_until(const char *t, size_t len, size_t *pos, char end, char *dst,
			 size_t dst_size, bool *ok)
{
	size_t n = 0;
	char c = 0;
	bool eof = true;

	while (*pos < len) {
		c = t[(*pos)++];
		if (c == end || c == '\0') {
			eof = false;
			break;
		}
		if (dst && n + 1 < dst_size)
			dst[n++] = c;
	}
	if (dst)
		dst[n] = '\0';
	*ok = !eof && c == end;
	return *ok ? n : 0;
}

static int out_builtin_alias(struct lkm_depmod *d, struct out_file *f)
{
	char *text, mod[PATH_MAX], key[PATH_MAX], val[PATH_MAX], alias[PATH_MAX];
	size_t len, pos = 0;
	bool ok;
	int r = 0;

	if (read_dir_file(d, "modules.builtin.modinfo", &text, &len) < 0) {
		f->empty = true;
		return 0;
	}
	while (pos < len && r == 0) {
		if (!take_until(text, len, &pos, '.', mod, sizeof(mod), &ok))
			continue;
		take_until(text, len, &pos, '=', key, sizeof(key), &ok);
		if (!ok)
			key[0] = '\0';
		if (strcmp(key, "alias") != 0) {
			take_until(text, len, &pos, '\0', NULL, 0, &ok);
			continue;
		}
		if (!take_until(text, len, &pos, '\0', val, sizeof(val), &ok))
			continue;
		if (alias_normalize(val, alias, sizeof(alias)) < 0) {
			depmod_log(d, LKM_DEPMOD_WARNING, "Unmatched bracket in %s", val);
			continue;
		}
		r = lkm_index_builder_add(f->index, alias, mod, 0);
		r = r < 0 && r != -EINVAL ? r : 0;
	}
	free(text);
	return r;
}

static int out_devname(struct lkm_depmod *d, struct out_file *f)
{
	size_t i;
	uint32_t k;
	int r = 0;

	for (i = 0; i < d->n_mods && r == 0; i++) {
		const struct dm_mod *m = d->mods[i];
		const char *devname = NULL;
		unsigned maj, min, major = 0, minor = 0;
		char type = 0;

		for (k = 0; k < m->info.n_alias; k++) {
			const char *a = DM_ALIAS(&m->info, k);

			if (strncmp(a, "devname:", 8) == 0) {
				devname = a + 8;
			} else if (sscanf(a, "char-major-%u-%u", &maj, &min) == 2) {
				type = 'c';
				major = maj;
				minor = min;
			} else if (sscanf(a, "block-major-%u-%u", &maj, &min) == 2) {
				type = 'b';
				major = maj;
				minor = min;
			}
			if (type && devname)
				break;
		}
		if (!devname)
			continue;
		if (!type) {
			depmod_log(d, LKM_DEPMOD_ERROR,
				   "Module '%s' has devname (%s) but lacks major and minor information. Ignoring.",
				   m->name, devname);
			continue;
		}
		if (f->text.len == 0)
			r = lkm_buf_puts(&f->text,
					 "# Device nodes to trigger on-demand module loading.\n");
		if (r == 0)
			r = lkm_buf_printf(&f->text, "%s %s %c%u:%u\n", m->name, devname, type,
					   major, minor);
	}
	return r;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_tmp(struct lkm_depmod *d, int dfd, struct out_file *f, const char *tmp,
		     struct lkm_err *err)
{
	int fd = openat(dfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return lkm_err_set(err, -errno, "%s/%s: %s", d->outdir, tmp, strerror(errno));
	if (f->index && !f->empty)
		r = lkm_index_builder_write(f->index, fd, err);
	else
		r = write_all(fd, f->text.data, f->text.len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		char why[sizeof(err->why)];

		/* A full disk must not leave a partial file behind, nor an unnamed error. */
		unlinkat(dfd, tmp, 0);
		snprintf(why, sizeof(why), "%s", lkm_err_reason(err, r));
		lkm_err_set(err, r, "%s/%s: %s", d->outdir, f->name, why);
	}
	return r;
}

/*
 * The files are independent, so they are built, and written to their temporary
 * names, by a few threads; each job owns its files. Messages are kept per job and
 * replayed in job order, which is the order of a single-threaded run.
 */
struct job {
	int (*fn)(struct lkm_depmod *d, struct out_file *f);
	int first, count; /* the files it owns: f[first], ... */
	bool bins_only;   /* builtin indexes: not part of the -n output */
	struct lkm_buf log;
	struct lkm_err err;
	int r;
};

struct job_pool {
	struct lkm_depmod *d;
	struct out_file *f;
	struct job *jobs;
	size_t n_jobs;
	int dfd;          /* the output directory, or -1 for -n */
	atomic_size_t next;
};

static int out_builtin_job(struct lkm_depmod *d, struct out_file *f)
{
	return out_builtin(d, &f[F_BUILTIN_BIN]);
}

static int out_builtin_alias_job(struct lkm_depmod *d, struct out_file *f)
{
	return out_builtin_alias(d, &f[F_BUILTIN_ALIAS_BIN]);
}

static int out_devname_job(struct lkm_depmod *d, struct out_file *f)
{
	return out_devname(d, &f[F_DEVNAME]);
}

static void tmp_name(char *buf, size_t size, const struct out_file *f)
{
	snprintf(buf, size, ".%s.lkm-tmp.%ld", f->name, (long)getpid());
}

static int run_job(struct job_pool *p, struct job *j)
{
	char tmp[128];
	int r, i;

	r = j->fn(p->d, p->f);
	if (r < 0)
		return lkm_err_set(&j->err, r, "building the indexes: %s", strerror(-r));
	for (i = j->first; i < j->first + j->count && p->dfd >= 0; i++) {
		tmp_name(tmp, sizeof(tmp), &p->f[i]);
		unlinkat(p->dfd, tmp, 0);
		r = write_tmp(p->d, p->dfd, &p->f[i], tmp, &j->err);
		if (r < 0)
			return r;
		p->f[i].written = true;
		/* Free what is written now, so the peak is not every file at once. */
		lkm_index_builder_free(p->f[i].index);
		p->f[i].index = NULL;
	}
	return 0;
}

static void *job_worker(void *arg)
{
	struct job_pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n_jobs) {
		if (!p->jobs[i].fn)
			continue;
		depmod_log_capture(&p->jobs[i].log);
		p->jobs[i].r = run_job(p, &p->jobs[i]);
		depmod_log_capture(NULL);
	}
	return NULL;
}

static unsigned job_threads(const struct lkm_depmod *d, size_t n_jobs)
{
	long n = d->cfg.threads ? (long)d->cfg.threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if ((size_t)n > n_jobs)
		n = (long)n_jobs;
	return (unsigned)n;
}

/* Build every file (into f[]) and, with @dfd >= 0, write each to its temporary name. */
static int build_outputs(struct lkm_depmod *d, struct out_file *f, int dfd, struct lkm_err *err)
{
	struct job jobs[] = {
		{ out_deps, F_DEP, 2 },
		{ out_aliases, F_ALIAS, 2 },
		{ out_softdeps, F_SOFTDEP, 2 },
		{ out_symbols, F_SYMBOLS, 2 },
		{ out_builtin_job, F_BUILTIN_BIN, 1, true },
		{ out_builtin_alias_job, F_BUILTIN_ALIAS_BIN, 1, true },
		{ out_devname_job, F_DEVNAME, 1 },
	};
	struct job_pool p = { .d = d, .f = f, .jobs = jobs, .dfd = dfd };
	bool bins = dfd >= 0;
	pthread_t tids[F_COUNT];
	unsigned n, started = 0, t;
	size_t i;
	int r = 0;

	for (i = 0; i < F_COUNT; i++) {
		f[i].name = out_names[i];
		if (bins && strstr(out_names[i], ".bin") &&
		    (r = lkm_index_builder_new(&f[i].index)) < 0)
			return lkm_err_set(err, r, "building the indexes: %s", strerror(-r));
	}
	/* -n prints the text files only; kmod does not read modules.builtin for it. */
	p.n_jobs = sizeof(jobs) / sizeof(jobs[0]);
	for (i = 0; i < p.n_jobs; i++)
		if (!bins && jobs[i].bins_only)
			jobs[i].fn = NULL;
	atomic_init(&p.next, 0);
	n = job_threads(d, p.n_jobs);
	for (t = 1; t < n; t++) {
		if (pthread_create(&tids[t], NULL, job_worker, &p) != 0)
			break;
		started++;
	}
	job_worker(&p);
	for (t = 1; t <= started; t++)
		pthread_join(tids[t], NULL);
	for (i = 0; i < p.n_jobs; i++) {
		depmod_log_replay(d, &jobs[i].log);
		lkm_buf_free(&jobs[i].log);
		if (jobs[i].r < 0 && r == 0) {
			*err = jobs[i].err;
			r = jobs[i].r;
		}
	}
	return r;
}

static int mkdir_parents(const char *dir)
{
	char *p, *copy = strdup(dir);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (p = copy + 1; r == 0; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			r = -errno;
		*p = c;
		if (!c)
			break;
	}
	free(copy);
	return r;
}

/* Every file is at its temporary name: rename them all, then sync the directory. */
static int rename_files(struct lkm_depmod *d, int dfd, struct out_file *f, struct lkm_err *err)
{
	char tmp[128];
	int i;

	for (i = 0; i < F_COUNT; i++) {
		tmp_name(tmp, sizeof(tmp), &f[i]);
		if (renameat(dfd, tmp, dfd, f[i].name) < 0)
			return lkm_err_set(err, -errno, "could not rename %s/%s to %s: %s",
					   d->outdir, tmp, f[i].name, strerror(errno));
		f[i].written = false;
	}
	if (fsync(dfd) < 0)
		return lkm_err_set(err, -errno, "%s: %s", d->outdir, strerror(errno));
	return 0;
}

static int open_outdir(struct lkm_depmod *d, struct lkm_err *err)
{
	int dfd, r = mkdir_parents(d->outdir);

	if (r < 0)
		return lkm_err_set(err, r, "could not create directory %s: %s", d->outdir,
				   strerror(-r));
	dfd = open(d->outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return lkm_err_set(err, -errno, "could not open directory %s: %s", d->outdir,
				   strerror(errno));
	/*
	 * One writer at a time, until its files are renamed: two depmods in two pid
	 * namespaces (containers sharing a tree) can have the same pid, and so the same
	 * temporary names; without the lock one renames the other's half-written file.
	 * Serialized, the set of files is one run's, never a mix of two. Where flock is
	 * refused (NFS wants a file open for writing), go on without it.
	 */
	while (flock(dfd, LOCK_EX) < 0 && errno == EINTR)
		;
	return dfd;
}

/* Only once the indexes are written: -n writes nothing, the cache included. */
static void save_cache(struct lkm_depmod *d)
{
	int r;

	if (!d->cfg.cache || !depmod_cache_stale(d))
		return;
	r = depmod_cache_save(d);
	if (r < 0)
		depmod_log(d, LKM_DEPMOD_WARNING, "could not write the cache %s: %s",
			   d->cfg.cache, strerror(-r));
}

int lkm_depmod_write(struct lkm_depmod *d, int dry_run_fd, struct lkm_err *err)
{
	static const int text_order[] = { F_DEP, F_ALIAS, F_SOFTDEP, F_WEAKDEP, F_SYMBOLS,
					  F_DEVNAME };
	struct out_file f[F_COUNT];
	char tmp[128];
	int dfd = -1, r = 0;
	size_t i;

	memset(f, 0, sizeof(f));
	if (dry_run_fd < 0) {
		dfd = open_outdir(d, err);
		if (dfd < 0)
			return dfd;
	}
	r = build_outputs(d, f, dfd, err);
	if (r == 0 && dfd >= 0)
		r = rename_files(d, dfd, f, err);
	if (r == 0 && dfd >= 0) {
		save_cache(d);
		depmod_cache_remove_old(d, dfd);
	}
	for (i = 0; i < sizeof(text_order) / sizeof(text_order[0]) && r == 0 && dfd < 0; i++) {
		r = write_all(dry_run_fd, f[text_order[i]].text.data, f[text_order[i]].text.len);
		if (r < 0)
			lkm_err_set(err, r, "writing to standard output: %s", strerror(-r));
	}
	/* After a failure, no temporary file may stay, written or not (gone after renames). */
	for (i = 0; i < F_COUNT; i++) {
		if (dfd >= 0 && f[i].name) {
			tmp_name(tmp, sizeof(tmp), &f[i]);
			unlinkat(dfd, tmp, 0);
		}
		lkm_buf_free(&f[i].text);
		lkm_index_builder_free(f[i].index);
	}
	if (dfd >= 0)
		close(dfd);
	return r;
}
