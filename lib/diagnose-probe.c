// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's own failures, worded with what to do: a name that finds no module (a file
 * for it that depmod has not indexed yet, the close names in modules.dep, the other
 * kernel versions that have it), a modules.dep entry whose file is gone, a blacklisted
 * module (the file and line), a skipped config line, a softdep or install loop.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>

#include "diagnose-internal.h"


/* ------------------------------------------------------------------ not found */

/* Levenshtein distance, bounded: names are short, two rows suffice. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row0[LKM_NAME_MAX + 1], row1[LKM_NAME_MAX + 1], *prev = row0, *cur = row1, *t;

	if (la > LKM_NAME_MAX || lb > LKM_NAME_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* Each module name in DIR/modules.dep ("kernel/fs/fat/fat.ko: ..."), to @fn. */
static int foreach_dep_name(const char *dir, int (*fn)(const char *name, void *data),
			    void *data)
{
	char path[4096], *text, *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = lkm_read_file(path, (size_t)64 << 20, &text, &len);
	if (r < 0)
		return r;
	for (p = text; p && *p;) {
		char *eol = strchr(p, '\n'), *colon = strchr(p, ':'), name[LKM_NAME_MAX];

		if (eol)
			*eol = '\0';
		if (colon) {
			*colon = '\0';
			if (lkm_name_from_path(name, sizeof(name), p) == 0 && name[0]) {
				r = fn(name, data);
				if (r != 0)
					break;
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	free(text);
	return r;
}

struct close_names {
	const char *want;
	size_t limit;
	char best[3][LKM_NAME_MAX];
	size_t dist[3];
	size_t n;
};

static int consider_name(const char *name, void *data)
{
	struct close_names *c = data;
	size_t d = edit_distance(c->want, name), i, j;

	if (d == 0 || d > c->limit)
		return 0;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->best[i], name) == 0)
			return 0;
	for (i = 0; i < c->n && c->dist[i] <= d; i++)
		;
	if (i == 3)
		return 0;
	for (j = c->n < 3 ? c->n : 2; j > i; j--) {
		memcpy(c->best[j], c->best[j - 1], LKM_NAME_MAX);
		c->dist[j] = c->dist[j - 1];
	}
	snprintf(c->best[i], LKM_NAME_MAX, "%s", name);
	c->dist[i] = d;
	if (c->n < 3)
		c->n++;
	return 0;
}

static int match_name(const char *name, void *data)
{
	return strcmp(name, data) == 0 ? 1 : 0;
}

/* Other kernel versions next to ours under the module root that have @name. */
static int other_versions(struct lkm_ctx *ctx, const char *name, struct lkm_buf *out)
{
	char root[4096], dir[8192], *slash;
	const char *own = lkm_ctx_get_dirname(ctx);
	struct dirent *de;
	DIR *dp;
	int r = 0;

	snprintf(root, sizeof(root), "%s", own);
	slash = strrchr(root, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	dp = opendir(root[0] ? root : "/");
	if (!dp)
		return 0;
	while ((de = readdir(dp)) && r == 0) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, slash + 1) == 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		if (foreach_dep_name(dir, match_name, (void *)name) == 1)
			r = lkm_buf_printf(out, "%s%s", out->len ? ", " : "", de->d_name);
	}
	closedir(dp);
	return r;
}


/* ------------------------------------------------------------------ stale index */

/*
 * The walk of the module directory on the not-found path stops at the first file for
 * the name, and within these bounds: a distribution's tree holds some 7,000 entries,
 * 7 deep. One path buffer, no allocation but the DIR of each level.
 */
#define WALK_MAX_DEPTH 16
#define WALK_MAX_ENTRIES 100000

struct walk {
	const char *want; /* normalized */
	size_t seen;
	char path[4096];  /* the directory being read, then the file found */
	struct stat st;
};

static bool is_module_file(const char *name)
{
	static const char *const ext[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };
	size_t len = strlen(name), i;

	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (len > strlen(ext[i]) && strcmp(name + len - strlen(ext[i]), ext[i]) == 0)
			return true;
	return false;
}

/* 1 and w->path, w->st when a module file of w->want is under w->path, else 0. */
static int walk_for(struct walk *w, size_t len, int depth)
{
	struct dirent *de;
	DIR *dp = opendir(w->path);
	int r = 0;

	if (!dp)
		return 0;
	while (r == 0 && (de = readdir(dp)) && ++w->seen <= WALK_MAX_ENTRIES) {
		char name[LKM_NAME_MAX];
		int n;

		if (de->d_name[0] == '.')
			continue;
		/* build and source lead into kernel sources, not modules */
		if (depth == 0 && (strcmp(de->d_name, "build") == 0 ||
				   strcmp(de->d_name, "source") == 0))
			continue;
		n = snprintf(w->path + len, sizeof(w->path) - len, "/%s", de->d_name);
		if (n < 0 || (size_t)n >= sizeof(w->path) - len)
			continue;
		if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
			/* lstat: a link to a directory is not followed */
			if (lstat(w->path, &w->st) == 0 && S_ISDIR(w->st.st_mode)) {
				if (depth < WALK_MAX_DEPTH)
					r = walk_for(w, len + (size_t)n, depth + 1);
				continue;
			}
		}
		if (!is_module_file(de->d_name) ||
		    lkm_name_from_path(name, sizeof(name), de->d_name) < 0 ||
		    strcmp(name, w->want) != 0)
			continue;
		if (stat(w->path, &w->st) == 0 && S_ISREG(w->st.st_mode))
			r = 1;
	}
	closedir(dp);
	if (r == 0)
		w->path[len] = '\0';
	return r;
}

static const char *when(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

void diag_depmod_command(struct lkm_ctx *ctx, char *buf, size_t size)
{
	const char *dir = lkm_ctx_get_dirname(ctx), *kver = lkm_ctx_get_kver(ctx);
	char tail[LKM_NAME_MAX + 16];
	size_t dl = strlen(dir), tl;
	struct utsname u;

	snprintf(tail, sizeof(tail), "/lib/modules/%s", kver);
	tl = strlen(tail);
	if (dl > tl && strcmp(dir + dl - tl, tail) == 0)
		snprintf(buf, size, "depmod -b %.*s %s", (int)(dl - tl), dir, kver);
	else if (uname(&u) == 0 && strcmp(u.release, kver) == 0 && dl == tl &&
		 strcmp(dir, tail) == 0)
		snprintf(buf, size, "depmod");
	else
		snprintf(buf, size, "depmod %s", kver);
}

/*
 * A module file for @norm that modules.dep does not know: depmod has not run since it
 * was installed. 1 with the lines in @d, 0 when there is no such file, -ENOMEM.
 */
static int unindexed_file(struct lkm_ctx *ctx, const char *norm, struct lkm_diagnosis *d)
{
	const char *dir = lkm_ctx_get_dirname(ctx);
	char dep[4096], cmd[4200], t1[64], t2[64];
	struct walk w = { .want = norm };
	struct stat st;
	int r;

	/* An alias (pci:v..., fs-*) names no file: the kernel's requests skip the walk. */
	if (norm[strspn(norm, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")])
		return 0;
	snprintf(w.path, sizeof(w.path), "%s", dir);
	if (walk_for(&w, strlen(w.path), 0) != 1)
		return 0;
	diag_depmod_command(ctx, cmd, sizeof(cmd));
	snprintf(dep, sizeof(dep), "%s/modules.dep", dir);
	if (stat(dep, &st) < 0)
		r = diag_line(d, "%s is a module file for it, but there is no %s: depmod has not "
			      "run for %s", w.path, dep, lkm_ctx_get_kver(ctx));
	else if (st.st_mtime < w.st.st_mtime)
		r = diag_line(d, "depmod has not run since %s was installed: the file is from %s, "
			      "%s from %s", w.path, when(w.st.st_mtime, t1, sizeof(t1)), dep,
			      when(st.st_mtime, t2, sizeof(t2)));
	else
		r = diag_line(d, "%s is a module file for it, but %s does not list it (the file "
			      "is older than the index: copied with its time kept, or left out by "
			      "a depmod.d search or exclude line)", w.path, dep);
	if (r == 0)
		r = diag_line(d, "run `%s` to index it", cmd);
	return r < 0 ? r : 1;
}

int lkm_diagnose_stale_file(struct lkm_ctx *ctx, const char *name, const char *path,
			    struct lkm_diagnosis *out)
{
	char dep[4096], cmd[4200], t[64];
	struct stat st;
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -ENOENT;
	snprintf(dep, sizeof(dep), "%s/modules.dep", lkm_ctx_get_dirname(ctx));
	diag_depmod_command(ctx, cmd, sizeof(cmd));
	r = diag_first(out, "%s has no module file: %s lists %s, which no longer exists (the "
		       "index is stale)", name, dep, path);
	if (r == 0 && stat(dep, &st) == 0)
		r = diag_line(out, "depmod has not run since the file was removed or moved "
			      "(%s is from %s)", dep, when(st.st_mtime, t, sizeof(t)));
	if (r == 0)
		r = diag_line(out, "run `%s` to rewrite the index; reinstall %s if its file was "
			      "removed by mistake", cmd, name);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

int lkm_diagnose_not_found(struct lkm_ctx *ctx, const char *name, struct lkm_diagnosis *out)
{
	struct close_names c = { .want = NULL };
	struct lkm_buf others = { 0 };
	char norm[LKM_NAME_MAX];
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -ENOENT;
	if (lkm_name_normalize(norm, sizeof(norm), name) < 0)
		snprintf(norm, sizeof(norm), "%.*s", (int)sizeof(norm) - 1, name);
	c.want = norm;
	c.limit = strlen(norm) / 4 > 2 ? strlen(norm) / 4 : 2;
	r = diag_first(out, "Module %s not found in directory %s", name, lkm_ctx_get_dirname(ctx));
	/* A file for it that the index does not know is the whole answer. */
	if (r == 0)
		r = unindexed_file(ctx, norm, out);
	if (r != 0)
		goto out;
	if (r == 0 && foreach_dep_name(lkm_ctx_get_dirname(ctx), consider_name, &c) == -ENOMEM)
		r = -ENOMEM;
	for (i = 0; r == 0 && i < c.n; i++)
		r = diag_line(out, "did you mean %s?", c.best[i]);
	if (r == 0)
		r = other_versions(ctx, norm, &others);
	if (r == 0 && others.len)
		r = diag_line(out, "%s exists for another kernel version: %s (this is %s)", norm,
			 others.data, lkm_ctx_get_kver(ctx));
	if (r == 0 && c.n == 0 && !others.len)
		r = diag_line(out, "no module of a similar name exists; if it was just installed, "
			 "run depmod");
out:
	r = r < 0 ? r : 0;
	lkm_buf_free(&others);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

/* ------------------------------------------------------------------ config */

int lkm_diagnose_blacklisted(const char *name, const struct lkm_config_blacklist *bl,
			     struct lkm_diagnosis *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -EPERM;
	if (bl && bl->src.line)
		r = diag_first(out, "Module %s is blacklisted by %s line %u", name, bl->src.file,
			  bl->src.line);
	else
		r = diag_first(out, "Module %s is blacklisted by the %s", name,
			  bl && bl->src.file ? bl->src.file : "configuration");
	if (r == 0)
		r = diag_line(out, "a blacklist stops loading through aliases; `modprobe %s` by name "
			 "still loads it, and removing the line lifts it", name);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

int lkm_diagnose_config(const struct lkm_config_warning *w, struct lkm_diagnosis *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->code = -EINVAL;
	if (w->file && w->line && !strstr(w->text, w->file))
		r = diag_first(out, "%s line %u: %s", w->file, w->line, w->text);
	else
		r = diag_first(out, "%s", w->text);
	if (r == 0 && w->file)
		r = diag_line(out, "that line was skipped; see modprobe.d(5) or depmod.d(5) for the "
			 "syntax");
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}

int lkm_diagnose_loop(const char *kind, const char *const *chain, size_t n,
		      struct lkm_diagnosis *out)
{
	struct lkm_buf path = { 0 };
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->code = -ELOOP;
	for (i = 0; i < n && r == 0; i++)
		r = lkm_buf_printf(&path, "%s%s", i ? " -> " : "", chain[i]);
	if (r == 0)
		r = diag_first(out, "%s loop: %s", kind, path.len ? path.data : "(empty)");
	if (r == 0 && strcmp(kind, "install") == 0)
		r = diag_line(out, "an install command that runs modprobe on a module whose own "
			 "command leads back here would run forever; use --ignore-install inside "
			 "the command");
	else if (r == 0)
		r = diag_line(out, "each module in the loop asks for the next to be loaded first: "
			 "remove one softdep of the loop");
	lkm_buf_free(&path);
	if (r < 0)
		lkm_diagnosis_release(out);
	return r;
}
