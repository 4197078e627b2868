// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Configuration: modprobe.d(5), depmod.d(5) and the kernel command line.
 *
 * Both file formats share the same rules, which are kmod's:
 *  - a config path is a directory of *.conf files, or a single file;
 *  - a file name met in an earlier (higher precedence) path hides the same name
 *    later, and the surviving files are read in strcmp order of their names;
 *  - a line ending in '\' continues on the next; a '\' before any other character
 *    is dropped and the character kept; '#' first on a line makes a comment;
 *  - words are split on spaces and tabs; "the rest of the line" starts one
 *    separator after the word before it, so its leading blanks are kept.
 * Bad lines become warnings and parsing goes on, so one typo never hides a whole
 * configuration.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm.h"

/* Config files are small; this only bounds memory on a hostile one. */
#define CONF_FILE_MAX ((size_t)16 << 20)
#define KCMDLINE_MAX ((size_t)1 << 20)
#define KCMDLINE_SOURCE "kernel command line"

const char *const lkm_default_depmod_paths[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d",
	"/lib/depmod.d",
	NULL,
};

/* ---- a pool for every string and pointer array a config hands out ---- */

struct pool_block {
	struct pool_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

struct lkm_config_pool {
	struct pool_block *head;
};

static void *conf_pool_alloc(struct lkm_config_pool *pool, size_t size)
{
	const size_t align = sizeof(max_align_t);
	struct pool_block *b = pool->head;
	size_t cap;
	void *p;

	size = (size + align - 1) / align * align;
	if (!b || b->cap - b->used < size) {
		cap = size > 8192 ? size : 8192;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = pool->head;
		pool->head = b;
	}
	p = (char *)b->data + b->used;
	b->used += size;
	return p;
}

static char *conf_pool_strndup(struct lkm_config_pool *pool, const char *s, size_t n)
{
	char *p = conf_pool_alloc(pool, n + 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *conf_pool_strdup(struct lkm_config_pool *pool, const char *s)
{
	return conf_pool_strndup(pool, s, strlen(s));
}

static void conf_pool_free(struct lkm_config_pool *pool)
{
	struct pool_block *b, *next;

	if (!pool)
		return;
	for (b = pool->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(pool);
}

/*
 * Make room for element @n of a growable array; capacities are powers of two from 4,
 * so the capacity is implied by the count.
 */
static int conf_array_grow(void *arrayp, size_t n, size_t elsize)
{
	void **array = arrayp;
	size_t cap;
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	cap = n ? n * 2 : 4;
	if (cap > SIZE_MAX / elsize)
		return -ENOMEM;
	p = realloc(*array, cap * elsize);
	if (!p)
		return -ENOMEM;
	*array = p;
	return 0;
}

/* ---- warnings ---- */

struct sink {
	struct lkm_config_pool *pool;
	struct lkm_config_warning **warnings;
	size_t *n_warnings;
};

static int conf_warn(struct sink *s, const char *file, unsigned line, const char *fmt,
		     ...) LKM_PRINTF(4, 5);

static int conf_warn(struct sink *s, const char *file, unsigned line, const char *fmt,
		     ...)
{
	struct lkm_config_warning *w;
	va_list ap;
	char *text;
	int n, r;

	r = conf_array_grow(s->warnings, *s->n_warnings, sizeof(**s->warnings));
	if (r < 0)
		return r;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	w = &(*s->warnings)[*s->n_warnings];
	w->file = file ? conf_pool_strdup(s->pool, file) : NULL;
	w->text = conf_pool_strdup(s->pool, text);
	free(text);
	if ((file && !w->file) || !w->text)
		return -ENOMEM;
	w->line = line;
	(*s->n_warnings)++;
	return 0;
}

/* ---- which files, in which order ---- */

struct conf_file {
	char *name; /* what sorts and hides: the base name */
	char *path;
};

struct conf_list {
	struct conf_file *v;
	size_t n;
};

static void conf_list_free(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
}

/* Add @dir/@name, or the single file @dir when @name is NULL; a name already seen wins. */
static int conf_list_insert(struct conf_list *l, const char *dir, const char *name)
{
	struct conf_file f = { 0 };
	size_t lo = 0, hi = l->n, mid;
	int cmp, r;

	if (name) {
		if (asprintf(&f.path, "%s/%s", dir, name) < 0)
			return -ENOMEM;
	} else {
		f.path = strdup(dir);
		name = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	}
	f.name = strdup(name);
	if (!f.path || !f.name) {
		r = -ENOMEM;
		goto fail;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(f.name, l->v[mid].name);
		if (cmp == 0) {
			r = -EEXIST;
			goto fail;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	r = conf_array_grow(&l->v, l->n, sizeof(*l->v));
	if (r < 0)
		goto fail;
	memmove(&l->v[lo + 1], &l->v[lo], (l->n - lo) * sizeof(*l->v));
	l->v[lo] = f;
	l->n++;
	return 0;
fail:
	free(f.path);
	free(f.name);
	return r;
}

static bool is_conf_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".conf") == 0;
}

static int conf_list_scan_dir(struct conf_list *l, const char *path, struct sink *s)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	d = opendir(path);
	if (!d)
		return conf_warn(s, NULL, 0, "opendir(%s): %s", path, strerror(errno));
	while (r >= 0 && (de = readdir(d))) {
		if (!is_conf_name(de->d_name))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			r = conf_warn(s, NULL, 0, "Cannot stat directory entry: %s/%s",
				      path, de->d_name);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r = conf_warn(
				s, NULL, 0,
				"Directories inside directories are not supported: %s/%s",
				path, de->d_name);
			continue;
		}
		/* A fifo or device would block the read or make it endless. */
		if (!S_ISREG(st.st_mode)) {
			r = conf_warn(s, NULL, 0, "Not a regular file: %s/%s", path,
				      de->d_name);
			continue;
		}
		r = conf_list_insert(l, path, de->d_name);
		if (r == -EEXIST)
			r = 0;
	}
	closedir(d);
	return r;
}

static int conf_list_scan(struct conf_list *l, const char *path, struct sink *s)
{
	struct stat st;
	int r;

	if (stat(path, &st) < 0) {
		/* Most default directories do not exist; that is not worth a word. */
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return conf_warn(s, NULL, 0, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return conf_list_scan_dir(l, path, s);
	r = conf_list_insert(l, path, NULL);
	return r == -EEXIST ? 0 : r;
}

/* ---- logical lines and words ---- */

struct line_reader {
	const char *p;
	const char *end;
	unsigned lineno; /* last physical line of the current logical line */
	struct lkm_buf line;
};

/* Returns 1 with the next logical line in r->line.data, 0 at the end, or -ENOMEM. */
static int next_line(struct line_reader *r)
{
	unsigned n = 0;
	char c;
	int e;

	r->line.len = 0;
	e = lkm_buf_append(&r->line, "", 0);
	if (e < 0)
		return e;
	while (r->p < r->end) {
		c = *r->p++;
		if (c == '\n') {
			r->lineno += n + 1;
			return 1;
		}
		if (c == '\\') {
			if (r->p == r->end)
				break;
			c = *r->p++;
			if (c == '\n') {
				n++;
				continue;
			}
		}
		e = lkm_buf_append(&r->line, &c, 1);
		if (e < 0)
			return e;
	}
	if (r->line.len == 0)
		return 0;
	r->lineno += n + 1;
	return 1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated word, or NULL; like strtok_r with " \t". */
static char *conf_word(char **save)
{
	char *s = *save, *w;

	while (is_blank(*s))
		s++;
	if (!*s) {
		*save = s;
		return NULL;
	}
	w = s;
	while (*s && !is_blank(*s))
		s++;
	if (*s)
		*s++ = '\0';
	*save = s;
	return w;
}

/* The rest of the line after the last word's one separator; NULL when empty. */
static char *conf_rest(char **save)
{
	char *s = *save;

	*save = s + strlen(s);
	return *s ? s : NULL;
}

/* '-' to '_' in place, except inside [...]. */
static int conf_underscores(char *s)
{
	for (; s && *s; s++) {
		if (*s == '-') {
			*s = '_';
		} else if (*s == ']') {
			return -EINVAL;
		} else if (*s == '[') {
			s += strcspn(s, "]");
			if (!*s)
				return -EINVAL;
		}
	}
	return s ? 0 : -EINVAL;
}

int lkm_alias_normalize(char *dst, size_t dstsize, const char *src)
{
	size_t len = strlen(src);

	if (len >= dstsize)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return conf_underscores(dst);
}

/* Read @path and hand each logical line to @fn; a read problem is a warning. */
typedef int (*line_fn)(void *state, const char *file, unsigned line, char *text);

static int parse_file(const char *path, struct sink *s, line_fn fn, void *state)
{
	struct line_reader r = { 0 };
	const char *file;
	char *data;
	size_t len;
	int e;

	e = lkm_read_file(path, CONF_FILE_MAX, &data, &len);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e == -ENOMEM ? e
				    : conf_warn(s, path, 0, "%s: %s", path, strerror(-e));
	/* One copy of the name, shared by every entry from this file. */
	file = conf_pool_strdup(s->pool, path);
	if (!file) {
		free(data);
		return -ENOMEM;
	}
	r.p = data;
	r.end = data + len;
	while ((e = next_line(&r)) > 0) {
		if (r.line.data[0] == '\0' || r.line.data[0] == '#')
			continue;
		e = fn(state, file, r.lineno, r.line.data);
		if (e < 0)
			break;
	}
	lkm_buf_free(&r.line);
	free(data);
	return e;
}

static int conf_parse_files(const char *const *paths, struct conf_list *pre,
			    struct sink *s, line_fn fn, void *state)
{
	struct conf_list l = { 0 };
	size_t i;
	int r = 0;

	if (pre)
		l = *pre;
	for (i = 0; paths[i] && r >= 0; i++)
		r = conf_list_scan(&l, paths[i], s);
	for (i = 0; i < l.n && r >= 0; i++)
		r = parse_file(l.v[i].path, s, fn, state);
	conf_list_free(&l);
	return r;
}

/* ---- modprobe.d ---- */

struct mparse {
	struct lkm_config *cfg;
	struct sink sink;
};

#define APPEND(arr, n) \
	(conf_array_grow(&(arr), (n), sizeof(*(arr))) < 0 ? NULL : &(arr)[(n)++])

static struct lkm_config_source src_at(const char *file, unsigned line)
{
	return (struct lkm_config_source){ .file = file, .line = line };
}

static int add_entry(struct lkm_config *cfg, struct lkm_config_entry **arr, size_t *n,
		     const char *modname, const char *value, struct lkm_config_source src)
{
	struct lkm_config_entry *e = APPEND(*arr, *n);

	if (!e)
		return -ENOMEM;
	e->modname = conf_pool_strdup(cfg->pool, modname);
	e->value = conf_pool_strdup(cfg->pool, value);
	e->src = src;
	return e->modname && e->value ? 0 : -ENOMEM;
}

static int add_options(struct lkm_config *cfg, const char *modname, const char *opts,
		       struct lkm_config_source src)
{
	char *p;
	int r;

	r = add_entry(cfg, &cfg->options, &cfg->n_options, modname, opts, src);
	if (r < 0)
		return r;
	/* The kernel splits parameters on spaces only. */
	for (p = (char *)cfg->options[cfg->n_options - 1].value; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return 0;
}

static int add_blacklist(struct lkm_config *cfg, const char *modname,
			 struct lkm_config_source src)
{
	struct lkm_config_blacklist *b = APPEND(cfg->blacklists, cfg->n_blacklists);

	if (!b)
		return -ENOMEM;
	b->src = src;
	b->modname = conf_pool_strdup(cfg->pool, modname);
	return b->modname ? 0 : -ENOMEM;
}

static int add_alias(struct lkm_config *cfg, const char *pattern, const char *modname,
		     struct lkm_config_source src)
{
	struct lkm_config_alias *a = APPEND(cfg->aliases, cfg->n_aliases);

	if (!a)
		return -ENOMEM;
	a->src = src;
	a->pattern = conf_pool_strdup(cfg->pool, pattern);
	a->modname = conf_pool_strdup(cfg->pool, modname);
	return a->pattern && a->modname ? 0 : -ENOMEM;
}

/* Split @s on white space into a pool array; words before any group are dropped. */
static size_t split_words(struct lkm_config_pool *pool, const char *s, const char **out,
			  const char *want_group)
{
	const char *group = NULL, *w;
	size_t n = 0, len;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		len = (size_t)(s - w);
		if (want_group && len == 4 && !memcmp(w, "pre:", 4)) {
			group = "pre:";
			continue;
		}
		if (want_group && len == 5 && !memcmp(w, "post:", 5)) {
			group = "post:";
			continue;
		}
		if (want_group && (!group || strcmp(group, want_group)))
			continue;
		if (out) {
			out[n] = conf_pool_strndup(pool, w, len);
			if (!out[n])
				return SIZE_MAX;
		}
		n++;
	}
	return n;
}

/* Two passes: count, then fill an exactly sized array. */
static int words_array(struct lkm_config_pool *pool, const char *s, const char *group,
		       const char *const **out, size_t *n)
{
	const char **v;

	*n = split_words(pool, s, NULL, group);
	v = conf_pool_alloc(pool, (*n ? *n : 1) * sizeof(*v));
	if (!v || split_words(pool, s, v, group) == SIZE_MAX)
		return -ENOMEM;
	*out = v;
	return 0;
}

static int add_softdep(struct lkm_config *cfg, const char *modname, const char *line,
		       struct lkm_config_source src)
{
	struct lkm_config_softdep *d = APPEND(cfg->softdeps, cfg->n_softdeps);

	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->modname = conf_pool_strdup(cfg->pool, modname);
	if (!d->modname || words_array(cfg->pool, line, "pre:", &d->pre, &d->n_pre) < 0 ||
	    words_array(cfg->pool, line, "post:", &d->post, &d->n_post) < 0)
		return -ENOMEM;
	return 0;
}

static int add_weakdep(struct lkm_config *cfg, const char *modname, const char *line,
		       struct lkm_config_source src)
{
	struct lkm_config_weakdep *d = APPEND(cfg->weakdeps, cfg->n_weakdeps);

	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->modname = conf_pool_strdup(cfg->pool, modname);
	if (!d->modname || words_array(cfg->pool, line, NULL, &d->deps, &d->n_deps) < 0)
		return -ENOMEM;
	return 0;
}

/* Commands that take a module and the rest of the line. Returns 1 for a bad line. */
static int modprobe_rest_cmd(struct lkm_config *cfg, const char *cmd, char **save,
			     struct lkm_config_source src)
{
	char *modname = conf_word(save);
	char *value = conf_rest(save);

	if (conf_underscores(modname) < 0 || !value)
		return 1;
	if (!strcmp(cmd, "options"))
		return add_options(cfg, modname, value, src);
	if (!strcmp(cmd, "install"))
		return add_entry(cfg, &cfg->installs, &cfg->n_installs, modname, value,
				 src);
	if (!strcmp(cmd, "remove"))
		return add_entry(cfg, &cfg->removes, &cfg->n_removes, modname, value,
				 src);
	if (!strcmp(cmd, "softdep"))
		return add_softdep(cfg, modname, value, src);
	return add_weakdep(cfg, modname, value, src);
}

static int modprobe_cmd(struct lkm_config *cfg, const char *cmd, char **save,
			struct lkm_config_source src)
{
	static const char *const rest_cmds[] = { "options", "install", "remove",
						 "softdep", "weakdep", NULL };
	char *a, *b;
	size_t i;

	if (!strcmp(cmd, "alias")) {
		a = conf_word(save);
		b = conf_word(save);
		if (conf_underscores(a) < 0 || conf_underscores(b) < 0)
			return 1;
		return add_alias(cfg, a, b, src);
	}
	if (!strcmp(cmd, "blacklist")) {
		a = conf_word(save);
		if (conf_underscores(a) < 0)
			return 1;
		return add_blacklist(cfg, a, src);
	}
	for (i = 0; rest_cmds[i]; i++)
		if (!strcmp(cmd, rest_cmds[i]))
			return modprobe_rest_cmd(cfg, cmd, save, src);
	return 1;
}

static int modprobe_line(void *state, const char *file, unsigned line, char *text)
{
	struct mparse *mp = state;
	char *save = text, *cmd;
	int r;

	cmd = conf_word(&save);
	/* An indented '#' is a comment too (kmod warns about it). */
	if (!cmd || cmd[0] == '#')
		return 0;
	if (!strcmp(cmd, "include") || !strcmp(cmd, "config"))
		return conf_warn(&mp->sink, file, line,
				 "%s: command %s is deprecated and not parsed anymore",
				 file, cmd);
	r = modprobe_cmd(mp->cfg, cmd, &save, src_at(file, line));
	if (r == 1)
		r = conf_warn(&mp->sink, file, line,
			      "%s line %u: ignoring bad line starting with '%s'", file,
			      line, cmd);
	return r;
}

/* ---- the kernel command line ---- */

static bool is_kspace(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static int kcmdline_blacklist(struct mparse *mp, char *list)
{
	char *item, *save = NULL, *q, *w;
	int r = 0;

	for (item = strtok_r(list, ",", &save); item && r >= 0;
	     item = strtok_r(NULL, ",", &save)) {
		/* A quoted list keeps its quotes in the parameter; they name nothing. */
		for (q = w = item; *q; q++)
			if (*q != '"')
				*w++ = *q;
		*w = '\0';
		if (!*item)
			continue;
		if (conf_underscores(item) < 0)
			r = conf_warn(
				&mp->sink, KCMDLINE_SOURCE, 0,
				"Ignoring bad blacklist entry on kernel command line: '%s'",
				item);
		else
			r = add_blacklist(mp->cfg, item, src_at(KCMDLINE_SOURCE, 0));
	}
	return r;
}

/* One complete `modname.param[=value]` word of the command line. */
static int kcmdline_entry(struct mparse *mp, char *modname, char *param)
{
	if (!strcmp(modname, "modprobe") && !strncmp(param, "blacklist=", 10))
		return kcmdline_blacklist(mp, param + 10);
	if (!*modname || conf_underscores(modname) < 0)
		return conf_warn(
			&mp->sink, KCMDLINE_SOURCE, 0,
			"Ignoring bad option on kernel command line while parsing module name: '%s'",
			modname);
	return add_options(mp->cfg, modname, param, src_at(KCMDLINE_SOURCE, 0));
}

enum kstate { K_MODNAME, K_PARAM, K_VALUE, K_IGNORE };

struct kword {
	enum kstate state;
	char *start;  /* first character of the module name */
	char *dot;    /* the '.' after it */
	char *eq;     /* the '=' after the parameter name */
	bool requote; /* the whole word was quoted: "mod.p=a b" */
};

/*
 * Finish the word ending at @end. Bootloaders such as grub quote a whole word
 * ("mod.p=a b"); the kernel reads that as mod.p="a b", so the quote moves to
 * after the '='.
 */
static int kcmdline_complete(struct mparse *mp, struct kword *k, char *end)
{
	struct lkm_buf param = { 0 };
	char *p = k->dot + 1;
	int r;

	*k->dot = '\0';
	*end = '\0';
	if (!k->requote || !k->eq)
		return kcmdline_entry(mp, k->start, p);
	r = lkm_buf_append(&param, p, (size_t)(k->eq + 1 - p));
	if (r >= 0)
		r = lkm_buf_puts(&param, "\"");
	if (r >= 0)
		r = lkm_buf_puts(&param, k->eq + 1);
	if (r >= 0)
		r = kcmdline_entry(mp, k->start, param.data);
	lkm_buf_free(&param);
	return r;
}

static void kword_reset(struct kword *k, char *start)
{
	*k = (struct kword){ .state = K_MODNAME, .start = start };
}

/*
 * kmod's reading of the kernel command line: a word is `mod.param[=value]`; a quote
 * opens or closes a quoted stretch (only one around the whole word or inside the
 * value makes sense; others spoil the word); white space ends a word unless it is
 * inside a quoted value. Words with no '.' before '=', or a second '.' in the
 * parameter name, are not module options.
 */
static int kcmdline_parse(struct mparse *mp, char *buf)
{
	struct kword k;
	bool quoted = false, last = false;
	char *p;
	int r = 0;

	kword_reset(&k, buf);
	for (p = buf; !last && r >= 0; p++) {
		if (*p == '"') {
			quoted = !quoted;
			if (quoted && k.state == K_MODNAME && p == k.start) {
				k.requote = true;
				k.start = p + 1;
			} else if (k.state != K_VALUE) {
				k.state = K_IGNORE;
			}
		} else if (*p == '\0' || is_kspace(*p)) {
			last = *p == '\0';
			if (quoted && k.state == K_VALUE)
				continue;
			if (quoted)
				k.state = K_IGNORE;
			else if (k.state == K_VALUE || k.state == K_PARAM) {
				r = kcmdline_complete(mp, &k, p);
				kword_reset(&k, p + 1);
			} else {
				kword_reset(&k, p + 1);
			}
		} else if (*p == '.') {
			if (k.state == K_MODNAME) {
				k.dot = p;
				k.state = K_PARAM;
			} else if (k.state == K_PARAM) {
				k.state = K_IGNORE;
			}
		} else if (*p == '=') {
			if (k.state == K_PARAM) {
				k.eq = p;
				k.state = K_VALUE;
			} else if (k.state == K_MODNAME) {
				k.state = K_IGNORE;
			}
		}
	}
	return r;
}

static int kcmdline_load(struct mparse *mp, const char *proc)
{
	char *path, *buf;
	int r;

	if (asprintf(&path, "%s/cmdline", proc) < 0)
		return -ENOMEM;
	r = lkm_read_file(path, KCMDLINE_MAX, &buf, NULL);
	if (r < 0) {
		/* No /proc in a chroot or container is normal, as for kmod. */
		if (r != -ENOMEM && r != -ENOENT)
			r = conf_warn(&mp->sink, path, 0, "could not read '%s': %s", path,
				      strerror(-r));
		else if (r == -ENOENT)
			r = 0;
		free(path);
		return r;
	}
	free(path);
	r = kcmdline_parse(mp, buf);
	free(buf);
	return r;
}

/* ---- public: modprobe.d ---- */

void lkm_config_free(struct lkm_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->aliases);
	free(cfg->options);
	free(cfg->installs);
	free(cfg->removes);
	free(cfg->blacklists);
	free(cfg->softdeps);
	free(cfg->weakdeps);
	free(cfg->warnings);
	conf_pool_free(cfg->pool);
	free(cfg);
}

/* depmod's modules.softdep and modules.weakdep sort among the config files. */
static int module_dep_files(const struct lkm_ctx *ctx, struct conf_list *l)
{
	const char *dir = lkm_ctx_get_dirname(ctx);
	int r;

	r = conf_list_insert(l, dir, "modules.softdep");
	if (r >= 0)
		r = conf_list_insert(l, dir, "modules.weakdep");
	return r;
}

int lkm_config_new(const struct lkm_ctx *ctx, unsigned flags, struct lkm_config **out)
{
	struct conf_list pre = { 0 };
	struct lkm_config *cfg;
	struct mparse mp;
	int r = -ENOMEM;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->pool = calloc(1, sizeof(*cfg->pool));
	if (!cfg->pool)
		goto fail;
	mp = (struct mparse){ .cfg = cfg,
			      .sink = { cfg->pool, &cfg->warnings, &cfg->n_warnings } };
	if (!(flags & LKM_CONFIG_NO_MODULE_DEPS)) {
		r = module_dep_files(ctx, &pre);
		if (r < 0) {
			conf_list_free(&pre);
			goto fail;
		}
	}
	r = conf_parse_files(lkm_ctx_get_config_paths(ctx), &pre, &mp.sink, modprobe_line,
			     &mp);
	if (r >= 0 && !(flags & LKM_CONFIG_NO_KCMDLINE))
		r = kcmdline_load(&mp, lkm_ctx_get_proc(ctx));
	if (r < 0)
		goto fail;
	*out = cfg;
	return 0;
fail:
	lkm_config_free(cfg);
	return r;
}

const struct lkm_config_alias *lkm_config_next_alias(const struct lkm_config *cfg,
						     const char *name,
						     const struct lkm_config_alias *prev)
{
	size_t i = prev ? (size_t)(prev - cfg->aliases) + 1 : 0;

	for (; i < cfg->n_aliases; i++)
		if (fnmatch(cfg->aliases[i].pattern, name, 0) == 0)
			return &cfg->aliases[i];
	return NULL;
}

int lkm_config_get_options(const struct lkm_config *cfg, const char *modname,
			   const char *alias, char **out)
{
	struct lkm_buf b = { 0 };
	const struct lkm_config_entry *e;
	size_t i;
	int r;

	*out = NULL;
	for (i = 0; i < cfg->n_options; i++) {
		e = &cfg->options[i];
		if (strcmp(e->modname, modname) && (!alias || strcmp(e->modname, alias)))
			continue;
		if (!*e->value)
			continue;
		r = b.len ? lkm_buf_puts(&b, " ") : 0;
		if (r >= 0)
			r = lkm_buf_puts(&b, e->value);
		if (r < 0) {
			lkm_buf_free(&b);
			return r;
		}
	}
	*out = b.data;
	return 0;
}

static const struct lkm_config_entry *first_match(const struct lkm_config_entry *v,
						  size_t n, const char *modname)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fnmatch(v[i].modname, modname, 0) == 0)
			return &v[i];
	return NULL;
}

const struct lkm_config_entry *lkm_config_get_install(const struct lkm_config *cfg,
						      const char *modname)
{
	return first_match(cfg->installs, cfg->n_installs, modname);
}

const struct lkm_config_entry *lkm_config_get_remove(const struct lkm_config *cfg,
						     const char *modname)
{
	return first_match(cfg->removes, cfg->n_removes, modname);
}

const struct lkm_config_softdep *lkm_config_get_softdep(const struct lkm_config *cfg,
							const char *modname)
{
	size_t i;

	for (i = 0; i < cfg->n_softdeps; i++)
		if (fnmatch(cfg->softdeps[i].modname, modname, 0) == 0)
			return &cfg->softdeps[i];
	return NULL;
}

const struct lkm_config_weakdep *lkm_config_get_weakdep(const struct lkm_config *cfg,
							const char *modname)
{
	size_t i;

	for (i = 0; i < cfg->n_weakdeps; i++)
		if (fnmatch(cfg->weakdeps[i].modname, modname, 0) == 0)
			return &cfg->weakdeps[i];
	return NULL;
}

const struct lkm_config_blacklist *lkm_config_get_blacklist(const struct lkm_config *cfg,
							    const char *modname)
{
	size_t i;

	for (i = 0; i < cfg->n_blacklists; i++)
		if (!strcmp(cfg->blacklists[i].modname, modname))
			return &cfg->blacklists[i];
	return NULL;
}

static int show_words(struct lkm_buf *out, const char *prefix, const char *const *v,
		      size_t n)
{
	size_t i;
	int r = lkm_buf_puts(out, prefix);

	for (i = 0; i < n && r >= 0; i++)
		r = lkm_buf_printf(out, "%s%s", i ? " " : "", v[i]);
	return r;
}

static int show_softdep(struct lkm_buf *out, const struct lkm_config_softdep *d)
{
	int r = lkm_buf_printf(out, "softdep %s ", d->modname);

	if (r >= 0 && d->n_pre)
		r = show_words(out, "pre: ", d->pre, d->n_pre);
	if (r >= 0 && d->n_pre && d->n_post)
		r = lkm_buf_puts(out, " ");
	if (r >= 0 && d->n_post)
		r = show_words(out, "post: ", d->post, d->n_post);
	return r < 0 ? r : lkm_buf_puts(out, "\n");
}

static int show_entries(struct lkm_buf *out, const char *cmd,
			const struct lkm_config_entry *v, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++)
		r = lkm_buf_printf(out, "%s %s %s\n", cmd, v[i].modname, v[i].value);
	return r;
}

int lkm_config_show(const struct lkm_config *cfg, struct lkm_buf *out)
{
	size_t i;
	int r = 0;

	for (i = 0; i < cfg->n_blacklists && r >= 0; i++)
		r = lkm_buf_printf(out, "blacklist %s\n", cfg->blacklists[i].modname);
	if (r >= 0)
		r = show_entries(out, "install", cfg->installs, cfg->n_installs);
	if (r >= 0)
		r = show_entries(out, "remove", cfg->removes, cfg->n_removes);
	for (i = 0; i < cfg->n_aliases && r >= 0; i++)
		r = lkm_buf_printf(out, "alias %s %s\n", cfg->aliases[i].pattern,
				   cfg->aliases[i].modname);
	if (r >= 0)
		r = show_entries(out, "options", cfg->options, cfg->n_options);
	for (i = 0; i < cfg->n_softdeps && r >= 0; i++)
		r = show_softdep(out, &cfg->softdeps[i]);
	for (i = 0; i < cfg->n_weakdeps && r >= 0; i++) {
		r = lkm_buf_printf(out, "weakdep %s ", cfg->weakdeps[i].modname);
		if (r >= 0)
			r = show_words(out, "", cfg->weakdeps[i].deps,
				       cfg->weakdeps[i].n_deps);
		if (r >= 0)
			r = lkm_buf_puts(out, "\n");
	}
	if (r >= 0)
		r = lkm_buf_puts(
			out, "\n# End of configuration files. Dumping indexes now:\n\n");
	return r;
}

/* ---- depmod.d ---- */

struct dparse {
	struct lkm_depmod_config *cfg;
	const char *kver;
	struct sink sink;
};

static int add_search(struct lkm_depmod_config *cfg, const char *w,
		      struct lkm_config_source src)
{
	struct lkm_depmod_search *s = APPEND(cfg->searches, cfg->n_searches);

	if (!s)
		return -ENOMEM;
	s->src = src;
	s->path = NULL;
	if (!strcmp(w, "built-in")) {
		s->type = LKM_DEPMOD_SEARCH_BUILTIN;
	} else if (!strcmp(w, "external")) {
		s->type = LKM_DEPMOD_SEARCH_EXTERNAL;
	} else {
		s->type = LKM_DEPMOD_SEARCH_PATH;
		s->path = conf_pool_strdup(cfg->pool, w);
		if (!s->path)
			return -ENOMEM;
	}
	return 0;
}

static int add_dir(struct lkm_config_pool *pool, struct lkm_depmod_dir **v, size_t *n,
		   const char *path, struct lkm_config_source src)
{
	struct lkm_depmod_dir *d = APPEND(*v, *n);

	if (!d)
		return -ENOMEM;
	d->src = src;
	d->path = conf_pool_strdup(pool, path);
	return d->path ? 0 : -ENOMEM;
}

/* 1 if @pattern ("*" or a POSIX extended regex, unanchored) matches @kver, 0 if not. */
static int kver_matches(struct dparse *dp, const char *pattern,
			struct lkm_config_source src)
{
	regex_t re;
	int r;

	if (!strcmp(pattern, "*"))
		return 1;
	if (!dp->kver)
		return 0;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		r = conf_warn(&dp->sink, src.file, src.line,
			      "%s:%u: bad kernel version pattern '%s'", src.file,
			      src.line, pattern);
		return r < 0 ? r : 0;
	}
	r = regexec(&re, dp->kver, 0, NULL, 0) == 0;
	regfree(&re);
	return r;
}

static int depmod_cmd(struct dparse *dp, const char *cmd, char **save,
		      struct lkm_config_source src)
{
	struct lkm_depmod_config *cfg = dp->cfg;
	struct lkm_depmod_override *o;
	char *a, *b, *c;
	int r = 0;

	if (!strcmp(cmd, "search") || !strcmp(cmd, "exclude")) {
		while (r >= 0 && (a = conf_word(save)))
			r = cmd[0] == 's' ? add_search(cfg, a, src)
					  : add_dir(cfg->pool, &cfg->excludes,
						    &cfg->n_excludes, a, src);
		return r;
	}
	if (!strcmp(cmd, "override")) {
		a = conf_word(save);
		b = conf_word(save);
		c = conf_word(save);
		if (!c)
			return 1;
		r = kver_matches(dp, b, src);
		if (r <= 0)
			return r;
		o = APPEND(cfg->overrides, cfg->n_overrides);
		if (!o)
			return -ENOMEM;
		o->src = src;
		o->modname = conf_pool_strdup(cfg->pool, a);
		o->subdir = conf_pool_strdup(cfg->pool, c);
		return o->modname && o->subdir ? 0 : -ENOMEM;
	}
	if (!strcmp(cmd, "external")) {
		a = conf_word(save);
		b = conf_word(save);
		if (!b)
			return 1;
		r = kver_matches(dp, a, src);
		if (r <= 0)
			return r;
		/* depmod.d(5) documents several directories; kmod reads only the first. */
		for (r = 0; r >= 0 && b; b = conf_word(save))
			r = add_dir(cfg->pool, &cfg->externals, &cfg->n_externals, b,
				    src);
		return r;
	}
	/* Accepted and ignored, as kmod does. */
	if (!strcmp(cmd, "include") || !strcmp(cmd, "make_map_files"))
		return 0;
	return 1;
}

static int depmod_line(void *state, const char *file, unsigned line, char *text)
{
	struct dparse *dp = state;
	char *save = text, *cmd;
	int r;

	cmd = conf_word(&save);
	if (!cmd || cmd[0] == '#')
		return 0;
	r = depmod_cmd(dp, cmd, &save, src_at(file, line));
	if (r == 1)
		r = conf_warn(&dp->sink, file, line,
			      "%s:%u: ignoring bad line starting with '%s'", file, line,
			      cmd);
	return r;
}

void lkm_depmod_config_free(struct lkm_depmod_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->searches);
	free(cfg->overrides);
	free(cfg->externals);
	free(cfg->excludes);
	free(cfg->warnings);
	conf_pool_free(cfg->pool);
	free(cfg);
}

int lkm_depmod_config_new(const char *const *paths, const char *kver,
			  struct lkm_depmod_config **out)
{
	struct lkm_depmod_config *cfg;
	struct dparse dp;
	int r = -ENOMEM;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->pool = calloc(1, sizeof(*cfg->pool));
	if (!cfg->pool)
		goto fail;
	dp = (struct dparse){ .cfg = cfg,
			      .kver = kver,
			      .sink = { cfg->pool, &cfg->warnings, &cfg->n_warnings } };
	r = conf_parse_files(paths ? paths : lkm_default_depmod_paths, NULL, &dp.sink,
			     depmod_line, &dp);
	/* kmod's default when no search line was given: "updates built-in". */
	if (r >= 0 && cfg->n_searches == 0) {
		r = add_search(cfg, "updates", src_at(NULL, 0));
		if (r >= 0)
			r = add_search(cfg, "built-in", src_at(NULL, 0));
	}
	if (r < 0)
		goto fail;
	*out = cfg;
	return 0;
fail:
	lkm_depmod_config_free(cfg);
	return r;
}
