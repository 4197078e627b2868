// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading configuration files: what modprobe.d(5) and depmod.d(5) have in common, for
 * lib/config.c and lib/config-depmod.c (private interface: config-internal.h).
 *
 * Both formats share the same rules, which are kmod's:
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-internal.h"
#include "lkm-internal.h"

/* Config files are small; this only bounds memory on a hostile one. */
#define CONF_FILE_MAX ((size_t)16 << 20)

/* ---- a pool for every string and pointer array a config hands out ---- */

struct pool_block {
	struct pool_block *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

/* @size bytes at a multiple of @align (a power of two) in the pool's newest block. */
static void *pool_take(struct lkm_config_pool *pool, size_t size, size_t align)
{
	struct pool_block *b = pool->head;
	size_t at, cap;

	at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->cap || b->cap - at < size) {
		/*
		 * The strings stay in the files' text and softdeps are split when asked for,
		 * so a modprobe call takes a few hundred bytes: the first block is small (a
		 * big one would push the rest of the heap onto one more page), each next one
		 * twice the last, up to a block and its malloc header in one page.
		 */
		cap = (b ? 2 * (b->cap + 64) : 512);
		cap = (cap < 4096 ? cap : 4096) - 64;
		if (cap < size)
			cap = size;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = pool->head;
		pool->head = b;
		at = 0;
	}
	b->used = at + size;
	return (char *)b->data + at;
}

void *conf_pool_alloc(struct lkm_config_pool *pool, size_t size)
{
	return pool_take(pool, size, _Alignof(max_align_t));
}

/* Strings need no alignment: packed, a config's strings take a page or two. */
char *conf_pool_strndup(struct lkm_config_pool *pool, const char *s, size_t n)
{
	char *p = pool_take(pool, n + 1, 1);

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *conf_pool_strdup(struct lkm_config_pool *pool, const char *s)
{
	return conf_pool_strndup(pool, s, strlen(s));
}

/* A buffer the pool frees with itself: a file's text that entries point into. */
struct pool_kept {
	struct pool_kept *next;
	void *mem;
};

int conf_pool_adopt(struct lkm_config_pool *pool, void *mem)
{
	struct pool_kept *k = conf_pool_alloc(pool, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->mem = mem;
	k->next = pool->kept;
	pool->kept = k;
	return 0;
}

void conf_pool_free(struct lkm_config_pool *pool)
{
	struct pool_block *b, *next;
	struct pool_kept *k;

	if (!pool)
		return;
	/* The records live in the blocks: free what they hold first. */
	for (k = pool->kept; k; k = k->next)
		free(k->mem);
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
int conf_array_grow(void *arrayp, size_t n, size_t elsize)
{
	size_t cap = n; /* full when the count is 0 or a power of two from 4 */

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	return lkm_array_grow(arrayp, &cap, n + 1, elsize, 4);
}

/* ---- warnings ---- */

int conf_warn(struct sink *s, const char *file, unsigned line, const char *fmt, ...)
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

void conf_list_free(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
}

int conf_list_insert(struct conf_list *l, const char *dir, const char *name)
{
	struct conf_file f = { 0 };
	size_t lo = 0, hi = l->n, mid;
	int cmp, r;

	if (name) {
		if (lkm_path_join(&f.path, dir, name, strlen(name)) < 0)
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

/* One entry of a config directory: a regular *.conf file joins the list. */
static int conf_list_entry(struct conf_list *l, int dir_fd, const char *path,
			   const char *name, unsigned char type, struct sink *s)
{
	struct stat st;
	int r;

	if (!is_conf_name(name))
		return 0;
	/* A plain file needs no stat: only links and unknown types are followed. */
	if (type == DT_REG)
		st.st_mode = S_IFREG;
	else if (type == DT_DIR)
		st.st_mode = S_IFDIR;
	else if (fstatat(dir_fd, name, &st, 0) < 0)
		return conf_warn(s, NULL, 0, "Cannot stat directory entry: %s/%s", path, name);
	if (S_ISDIR(st.st_mode))
		return conf_warn(s, NULL, 0,
				 "Directories inside directories are not supported: %s/%s",
				 path, name);
	/* A fifo or device would block the read or make it endless. */
	if (!S_ISREG(st.st_mode))
		return conf_warn(s, NULL, 0, "Not a regular file: %s/%s", path, name);
	r = conf_list_insert(l, path, name);
	return r == -EEXIST ? 0 : r;
}

/*
 * getdents64(2) into a buffer of our own: opendir(3) would add an fstat and a 32 KiB
 * allocation to each directory, and these are read by every modprobe.
 */
static int conf_list_scan_dir(struct conf_list *l, const char *path, struct sink *s)
{
	char buf[2048] __attribute__((aligned(8)));
	const struct dirent64 *de;
	ssize_t n, off;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return conf_warn(s, NULL, 0, "opendir(%s): %s", path, strerror(errno));
	while (r >= 0) {
		n = getdents64(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = conf_warn(s, NULL, 0, "readdir(%s): %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (off = 0; off < n && r >= 0; off += de->d_reclen) {
			de = (const struct dirent64 *)(buf + off);
			r = conf_list_entry(l, fd, path, de->d_name, de->d_type, s);
		}
	}
	close(fd);
	return r;
}

/*
 * The directories already scanned. With /lib a link to /usr/lib, /lib/modprobe.d is
 * /usr/lib/modprobe.d: every name in it is then hidden by the same name met before,
 * so a second scan would change nothing. Only the first few are kept.
 */
struct seen_dirs {
	dev_t dev[8];
	ino_t ino[8];
	size_t n;
};

static bool seen_before(struct seen_dirs *seen, const struct stat *st)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (seen->dev[i] == st->st_dev && seen->ino[i] == st->st_ino)
			return true;
	if (seen->n < sizeof(seen->dev) / sizeof(seen->dev[0])) {
		seen->dev[seen->n] = st->st_dev;
		seen->ino[seen->n++] = st->st_ino;
	}
	return false;
}

static int conf_list_scan(struct conf_list *l, const char *path, struct seen_dirs *seen,
			  struct sink *s)
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
		return seen_before(seen, &st) ? 0 : conf_list_scan_dir(l, path, s);
	r = conf_list_insert(l, path, NULL);
	return r == -EEXIST ? 0 : r;
}

/* ---- logical lines and words ---- */

struct line_reader {
	char *p;         /* the rest of the file's text, which is ours to change */
	char *end;
	unsigned lineno; /* last physical line of the current logical line */
};

/*
 * The next logical line, joined and NUL-terminated in place: a continuation or an
 * escape only ever shortens the text, so it moves down over what was read. NULL at
 * the end of the text.
 */
static char *next_line(struct line_reader *r)
{
	char *p = r->p, *w = r->p, *start = r->p;
	unsigned n = 0;

	if (p >= r->end)
		return NULL;
	for (;;) {
		/* the plain run up to the next newline or backslash */
		char *nl = memchr(p, '\n', (size_t)(r->end - p));
		char *stop = nl ? nl : r->end;
		char *q = memchr(p, '\\', (size_t)(stop - p));

		if (!q)
			q = stop;
		if (w != p)
			memmove(w, p, (size_t)(q - p));
		w += q - p;
		p = q;
		if (p == r->end)
			break;
		if (*p++ == '\n')
			break;
		/* a backslash: a continued line, else the character after it, kept */
		if (p == r->end)
			break;
		if (*p == '\n') {
			p++;
			n++;
			continue;
		}
		*w++ = *p++;
	}
	/* At most at the newline read, or at the text's own terminating NUL. */
	*w = '\0';
	r->p = p;
	r->lineno += n + 1;
	return start;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *conf_word(char **save)
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

char *conf_rest(char **save)
{
	char *s = *save;

	*save = s + strlen(s);
	return *s ? s : NULL;
}

int conf_underscores(char *s)
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

static int parse_file(const char *path, struct sink *s, line_fn fn, void *state)
{
	struct line_reader r = { 0 };
	const char *file;
	char *data, *line;
	size_t len;
	int e;

	e = lkm_read_file(path, CONF_FILE_MAX, &data, &len);
	if (e == -ENOENT)
		return 0;
	if (e < 0)
		return e == -ENOMEM ? e
				    : conf_warn(s, path, 0, "%s: %s", path, strerror(-e));
	/*
	 * The text stays with the pool: its lines are cut into words in place, and what
	 * the entries keep of them is not copied.
	 */
	if (conf_pool_adopt(s->pool, data) < 0) {
		free(data);
		return -ENOMEM;
	}
	/* One copy of the name, shared by every entry from this file. */
	file = conf_pool_strdup(s->pool, path);
	if (!file)
		return -ENOMEM;
	r.p = data;
	r.end = data + len;
	while ((line = next_line(&r))) {
		if (line[0] == '\0' || line[0] == '#')
			continue;
		e = fn(state, file, r.lineno, line);
		if (e < 0)
			break;
	}
	return e < 0 ? e : 0;
}

int conf_parse_files(const char *const *paths, struct conf_list *pre, struct sink *s,
		     line_fn fn, void *state)
{
	struct conf_list l = { 0 };
	struct seen_dirs seen = { .n = 0 };
	size_t i;
	int r = 0;

	if (pre)
		l = *pre;
	for (i = 0; paths[i] && r >= 0; i++)
		r = conf_list_scan(&l, paths[i], &seen, s);
	for (i = 0; i < l.n && r >= 0; i++)
		r = parse_file(l.v[i].path, s, fn, state);
	conf_list_free(&l);
	return r;
}
