// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Finding the modules for depmod: walk the module directory and depmod.d's external
 * directories (names sorted bytewise, so readdir order never matters), choose between
 * two files of one module name with depmod.d's override and search rules, and read
 * depmod.d itself. Also -A's check for a module newer than modules.dep.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod-internal.h"

/* ---- configuration: depmod.d ---- */

static bool cfg_excluded(const struct lkm_depmod *d, const char *name)
{
	size_t i;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return true;
	if (strcmp(name, "build") == 0 || strcmp(name, "source") == 0)
		return true;
	for (i = 0; i < d->dconf->n_excludes; i++)
		if (strcmp(name, d->dconf->excludes[i].path) == 0)
			return true;
	return false;
}

/* ---- finding the modules ---- */

static bool has_module_ext(const char *name)
{
	static const char *const exts[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };
	size_t len = strlen(name), i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);

		if (len > el && strcmp(name + len - el, exts[i]) == 0)
			return true;
	}
	return false;
}

static bool starts_with_dir(const char *path, size_t len, const char *prefix, size_t plen)
{
	return len > plen && path[plen] == '/' && memcmp(path, prefix, plen) == 0;
}

/* Whether @rel (@len bytes, below the module directory) is @o's "subdir/modname". */
static bool is_override(const struct lkm_depmod_override *o, const char *rel, size_t len)
{
	size_t sl = strlen(o->subdir);

	return rel && len == sl + 1 + strlen(o->modname) &&
	       memcmp(rel, o->subdir, sl) == 0 && rel[sl] == '/' &&
	       memcmp(rel + sl + 1, o->modname, len - sl - 1) == 0;
}

/*
 * Whether the module already found (@old) wins over @newpath, with depmod.d's override
 * and search rules, quirks included: the search list is in reverse order of the
 * config words, and each search entry tests the new path before the old one.
 */
static bool old_wins(const struct lkm_depmod *d, const struct dm_mod *old, const char *newpath,
		     size_t newlen)
{
	const struct lkm_depmod_config *c = d->dconf;
	size_t dl = d->dirnamelen, oldlen = strlen(old->path), i, k;
	const char *rn = NULL, *ro = NULL;
	size_t rnl = 0, rol = 0;
	long bprio = -1, oprio = -1, nprio = -1, pos = 0;

	/* Compare the paths without the extension, as kmod does (dir + '/' + name). */
	newlen = (size_t)(strrchr(newpath, '/') - newpath) + 1 + strlen(old->name);
	oldlen = (size_t)(strrchr(old->path, '/') - old->path) + 1 + strlen(old->name);
	if (strncmp(newpath, d->dirname, dl) == 0) {
		rn = newpath + dl + 1;
		rnl = newlen - (dl + 1);
	}
	if (strncmp(old->path, d->dirname, dl) == 0) {
		ro = old->path + dl + 1;
		rol = oldlen - (dl + 1);
	}
	for (i = c->n_overrides; i-- > 0;) {
		if (is_override(&c->overrides[i], rn, rnl))
			return false;
		if (is_override(&c->overrides[i], ro, rol))
			return true;
	}
	for (i = c->n_searches; i-- > 0; pos++) {
		const char *s = c->searches[i].path;
		size_t sl = s ? strlen(s) : 0;

		if (c->searches[i].type == LKM_DEPMOD_SEARCH_BUILTIN) {
			bprio = pos;
		} else if (c->searches[i].type == LKM_DEPMOD_SEARCH_EXTERNAL) {
			for (k = c->n_externals; k-- > 0; pos++) {
				const char *e = c->externals[k].path;

				if (starts_with_dir(newpath, newlen, e, strlen(e)))
					nprio = pos;
				if (starts_with_dir(old->path, oldlen, e, strlen(e)))
					oprio = pos;
			}
		} else if (rn && rnl > sl && rn[sl] == '/' && memcmp(s, rn, sl) == 0) {
			nprio = pos;
		} else if (ro && rol > sl && ro[sl] == '/' && memcmp(s, ro, sl) == 0) {
			oprio = pos;
		}
	}
	if (nprio < 0)
		nprio = bprio;
	if (oprio < 0)
		oprio = bprio;
	return nprio <= oprio;
}

void depmod_mod_free(struct dm_mod *m)
{
	if (!m)
		return;
	dm_info_release(&m->info);
	free(m->deps);
	free(m->uncrelpath);
	free(m->scan_error);
	free(m->path);
	free(m);
}

/* The cache key: ctime cannot be set back by hand, so an edit in place always shows. */
static void key_from_stat(struct dm_key *k, const struct stat *st)
{
	k->ino = (uint64_t)st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	k->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/* @st: the file's stat, or NULL when unknown (then the cache is not used for it). */
static int mod_new(struct lkm_depmod *d, const char *path, const struct stat *st,
		   struct dm_mod **out)
{
	char name[LKM_NAME_MAX];
	struct dm_mod *m;
	const char *slash;
	size_t dl = d->dirnamelen;

	if (lkm_name_from_path(name, sizeof(name), path) < 0)
		return -ENAMETOOLONG;
	m = calloc(1, sizeof(*m) + strlen(name) + 1);
	if (!m)
		return -ENOMEM;
	strcpy(m->name, name);
	m->path = strdup(path);
	if (!m->path)
		goto nomem;
	m->dep_sort_idx = INT_MAX;
	if (st) {
		key_from_stat(&m->key, st);
		m->have_key = true;
	}
	slash = strrchr(m->path, '/');
	if (slash && strncmp(m->path, d->dirname, dl) == 0 && m->path[dl] == '/') {
		size_t n;

		m->relpath = m->path + dl + 1;
		/* modules.order names the uncompressed file: dir/name.ko */
		n = (size_t)(slash - m->relpath) + 1 + strlen(name) + 3;
		if (n > strlen(m->relpath))
			n = strlen(m->relpath);
		m->uncrelpath = strndup(m->relpath, n);
		if (!m->uncrelpath)
			goto nomem;
	}
	*out = m;
	return 0;
nomem:
	depmod_mod_free(m);
	return -ENOMEM;
}

static int add_candidate(struct lkm_depmod *d, const char *path, const struct stat *st)
{
	struct dm_mod *m, *old;
	char name[LKM_NAME_MAX];
	int r;

	if (lkm_name_from_path(name, sizeof(name), path) < 0) {
		depmod_log(d, LKM_DEPMOD_ERROR, "could not get modname from path %s", path);
		return 0;
	}
	old = smap_get(&d->by_name, name);
	if (old) {
		if (old_wins(d, old, path, strlen(path)))
			return 0;
		smap_del(&d->by_name, old->name);
		depmod_mod_free(old);
	}
	r = mod_new(d, path, st, &m);
	if (r < 0)
		return r;
	return smap_put(&d->by_name, m->name, m, NULL);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk @path (with a trailing '/' in @buf) depth first, names sorted bytewise. */
static int walk_dir(struct lkm_depmod *d, int dfd, struct lkm_buf *buf)
{
	size_t base = buf->len, n = 0, cap = 0, i;
	char **names = NULL;
	struct dirent *de;
	DIR *dir = fdopendir(dfd);
	int r = 0;

	if (!dir) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (cfg_excluded(d, de->d_name))
			continue;
		r = lkm_array_grow(&names, &cap, n + 1, sizeof(*names), 64);
		if (r < 0)
			goto out;
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n > 1) /* qsort must not see a NULL array, even for none */
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && r == 0; i++) {
		struct stat st;

		buf->len = base;
		r = lkm_buf_puts(buf, names[i]);
		if (r < 0)
			break;
		if (fstatat(dirfd(dir), names[i], &st, 0) < 0) {
			depmod_log(d, LKM_DEPMOD_ERROR, "fstatat(%s): %s", buf->data, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(dir), names[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd < 0) {
				depmod_log(d, LKM_DEPMOD_ERROR, "openat(%s): %s", buf->data,
				     strerror(errno));
				continue;
			}
			r = lkm_buf_puts(buf, "/");
			if (r == 0)
				r = walk_dir(d, fd, buf);
			if (r < 0 && r != -ENOMEM) {
				depmod_log(d, LKM_DEPMOD_ERROR, "failed %s: %s", buf->data, strerror(-r));
				r = 0;
			}
		} else if (S_ISREG(st.st_mode) && has_module_ext(names[i])) {
			r = add_candidate(d, buf->data, &st);
		}
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	buf->len = base;
	if (buf->data)
		buf->data[base] = '\0';
	return r;
}

static int search_path(struct lkm_depmod *d, const char *path)
{
	struct lkm_buf buf = { 0 };
	int fd, r;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = lkm_buf_printf(&buf, "%s/", path);
	if (r == 0)
		r = walk_dir(d, fd, &buf);
	else
		close(fd);
	lkm_buf_free(&buf);
	return r;
}

int depmod_find_modules(struct lkm_depmod *d, struct lkm_err *err)
{
	size_t i;
	int r;

	if (d->cfg.files) {
		for (i = 0; d->cfg.files[i]; i++) {
			struct dm_mod *m, *old;
			struct stat st;

			r = mod_new(d, d->cfg.files[i], stat(d->cfg.files[i], &st) == 0 ? &st : NULL,
				    &m);
			if (r < 0)
				return lkm_err_set(err, r, "%s: %s", d->cfg.files[i], strerror(-r));
			old = smap_get(&d->by_name, m->name);
			if (old) {
				depmod_mod_free(m);
				return lkm_err_set(err, -EEXIST, "%s: module %s given twice",
						   d->cfg.files[i], old->name);
			}
			r = smap_put(&d->by_name, m->name, m, NULL);
			if (r < 0) {
				depmod_mod_free(m);
				return r;
			}
		}
		return 0;
	}
	r = search_path(d, d->dirname);
	if (r < 0)
		return lkm_err_set(err, r, "could not open directory %s: %s", d->dirname,
				   strerror(-r));
	for (i = d->dconf->n_externals; i-- > 0;) {
		r = search_path(d, d->dconf->externals[i].path);
		if (r == -ENOMEM)
			return r;
	}
	return 0;
}

/* ---- depmod.d ---- */

/* depmod.d, kept as config-depmod.c reads it; its warnings are depmod's errors. */
int depmod_cfg_load(struct lkm_depmod *d, struct lkm_err *err)
{
	size_t i;
	int r;

	r = lkm_depmod_config_new(d->cfg.config_paths, d->cfg.kver ? d->cfg.kver : "",
				  &d->dconf);
	if (r < 0)
		return lkm_err_set(err, r, "could not load configuration files: %s", strerror(-r));
	for (i = 0; i < d->dconf->n_warnings; i++)
		depmod_log(d, LKM_DEPMOD_ERROR, "%s", d->dconf->warnings[i].text);
	return 0;
}

/* ---- -A ---- */

static int newer_module(int dfd, time_t mtime)
{
	DIR *dir = fdopendir(dfd);
	struct dirent *de;
	int r = 1;

	if (!dir) {
		close(dfd);
		return 1;
	}
	while (r == 1 && (de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "build") == 0 || strcmp(de->d_name, "source") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd >= 0)
				r = newer_module(fd, mtime);
		} else if (S_ISREG(st.st_mode) && has_module_ext(de->d_name)) {
			r = st.st_mtime <= mtime;
		}
	}
	closedir(dir);
	return r;
}

int lkm_depmod_up_to_date(const char *dirname)
{
	struct stat st;
	int fd = open(dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstatat(fd, "modules.dep", &st, 0) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return newer_module(fd, st.st_mtime);
}
