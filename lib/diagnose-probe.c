// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe's own failures, worded with what to do: a name that finds no module (the
 * close names in modules.dep, the other kernel versions that have it), a blacklisted
 * module (the file and line), a skipped config line, a softdep or install loop.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
