// SPDX-License-Identifier: LGPL-2.1-or-later
/* Small shared helpers: failure detail, growable buffers, whole-file reads, names. */
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"

int lkm_err_set(struct lkm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
	return code;
}

const char *lkm_err_reason(const struct lkm_err *err, int code)
{
	if (err && err->why[0])
		return err->why;
	return strerror(code < 0 ? -code : code);
}

void lkm_loop_begin(struct lkm_loop *l, const char *kind)
{
	l->kind = kind;
	l->n = 0;
}

/* Past the end the last slot takes each name, so a loop still ends where it began. */
void lkm_loop_add(struct lkm_loop *l, const char *name, size_t len)
{
	size_t i = l->n < LKM_LOOP_MAX ? l->n++ : LKM_LOOP_MAX - 1;

	snprintf(l->names[i], sizeof(l->names[i]), "%.*s", (int)len, name);
}

int lkm_array_grow(void *arrp, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t c;
	void *p;

	if (need <= *cap)
		return 0;
	if (elem == 0 || need > SIZE_MAX / elem)
		return -ENOMEM;
	c = *cap ? *cap : first ? first : 1;
	/* Doubling keeps appends amortised O(1); near the limit, @need will do. */
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (c > SIZE_MAX / elem)
		c = need;
	memcpy(&p, arrp, sizeof(p));
	p = realloc(p, c * elem);
	if (!p)
		return -ENOMEM;
	/* Through memcpy: @arrp is any pointer type's address, not a void **. */
	memcpy(arrp, &p, sizeof(p));
	*cap = c;
	return 0;
}

static int buf_reserve(struct lkm_buf *b, size_t extra)
{
	/* The common case, without a call: there is room already. */
	if (b->data && extra < b->cap - b->len)
		return 0;
	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	return lkm_array_grow(&b->data, &b->cap, b->len + extra + 1, 1, 256);
}

int lkm_buf_append(struct lkm_buf *b, const void *data, size_t len)
{
	int r = buf_reserve(b, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int lkm_buf_puts(struct lkm_buf *b, const char *s)
{
	return lkm_buf_append(b, s, strlen(s));
}

int lkm_buf_printf(struct lkm_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n, r;

	/* Most texts fit the room left: one formatting pass, not a measuring one first. */
	r = buf_reserve(b, 128);
	if (r < 0)
		return r;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return -EINVAL;
	}
	if ((size_t)n >= room) {
		r = buf_reserve(b, (size_t)n);
		if (r < 0) {
			b->data[b->len] = '\0';
			return r;
		}
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

char *lkm_strcat_all(const char *const *words)
{
	size_t i, len = 0, n;
	char *p, *q;

	for (i = 0; words[i]; i++) {
		n = strlen(words[i]);
		if (n > SIZE_MAX - len - 1)
			return NULL;
		len += n;
	}
	p = q = malloc(len + 1);
	if (!p)
		return NULL;
	for (i = 0; words[i]; i++) {
		n = strlen(words[i]);
		memcpy(q, words[i], n);
		q += n;
	}
	*q = '\0';
	return p;
}

int lkm_path_join(char **out, const char *dir, const char *name, size_t name_len)
{
	size_t dir_len = strlen(dir);
	char *p;

	if (name_len > SIZE_MAX - dir_len - 2)
		return -ENOMEM;
	p = malloc(dir_len + 1 + name_len + 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, dir, dir_len);
	p[dir_len] = '/';
	memcpy(p + dir_len + 1, name, name_len);
	p[dir_len + 1 + name_len] = '\0';
	*out = p;
	return 0;
}

int lkm_path_absolute(const char *path, char **out)
{
	char *cwd;
	int r;

	*out = NULL;
	if (path[0] == '/') {
		*out = strdup(path);
		return *out ? 0 : -ENOMEM;
	}
	/* $PWD when it is the working directory, as kmod's path_make_absolute_cwd. */
	cwd = get_current_dir_name();
	if (!cwd)
		return errno ? -errno : -ENOENT;
	r = lkm_path_join(out, cwd, path, strlen(path));
	free(cwd);
	return r;
}

void lkm_buf_free(struct lkm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int lkm_read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct lkm_buf b = { 0 };
	size_t room;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* /proc and /sys files report size 0, so read until EOF rather than stat. */
	for (;;) {
		/*
		 * Straight into the buffer, 1 KiB of it at first (what most config files
		 * and /proc/cmdline need), grown only when little room is left: a file that
		 * fits meets EOF in the second read, and the heap stays small.
		 */
		if (!b.data || b.cap - b.len - 1 < 128) {
			r = buf_reserve(&b, b.data ? b.cap : 1023);
			if (r < 0)
				goto fail;
		}
		room = b.cap - b.len - 1;
		if (max - b.len < room)
			room = max - b.len + 1;
		n = read(fd, b.data + b.len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			r = -EFBIG;
			goto fail;
		}
		b.len += (size_t)n;
	}
	b.data[b.len] = '\0';
	close(fd);
	/* Give back the room not used: callers may keep the text (the config does). */
	if (b.cap - b.len > 256) {
		char *fit = realloc(b.data, b.len + 1);

		if (fit)
			b.data = fit;
	}
	*out = b.data;
	if (len)
		*len = b.len;
	return 0;
fail:
	close(fd);
	lkm_buf_free(&b);
	return r;
}

int lkm_name_normalize(char *dst, size_t dstsize, const char *src)
{
	size_t i;

	for (i = 0; src[i]; i++) {
		if (i + 1 >= dstsize)
			return -ENAMETOOLONG;
		dst[i] = src[i] == '-' ? '_' : src[i];
	}
	if (dstsize == 0)
		return -ENAMETOOLONG;
	dst[i] = '\0';
	return 0;
}

int lkm_name_from_path(char *dst, size_t dstsize, const char *path)
{
	return lkm_name_from_path_len(dst, dstsize, path, strlen(path));
}

int lkm_name_from_path_len(char *dst, size_t dstsize, const char *path, size_t len)
{
	const char *base = memrchr(path, '/', len);
	size_t i, n;

	base = base ? base + 1 : path;
	n = len - (size_t)(base - path);
	for (i = 0; i < n && base[i] != '.'; i++) {
		if (i + 1 >= dstsize)
			return -ENAMETOOLONG;
		dst[i] = base[i] == '-' ? '_' : base[i];
	}
	if (dstsize == 0)
		return -ENAMETOOLONG;
	dst[i] = '\0';
	return 0;
}

int lkm_glob_match(const char *pat, const char *str, bool prefix)
{
	const unsigned char *p = (const unsigned char *)pat, *s = (const unsigned char *)str;
	const unsigned char *star_p = NULL, *star_s = NULL;

	while (*s) {
		if (*s >= 0x80 || *p >= 0x80 || *p == '[' || *p == '\\')
			return -1;
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p && (*p == '?' || *p == *s)) {
			p++;
			s++;
			continue;
		}
		/* The pattern so far matched a prefix: what follows it may match the rest. */
		if (!*p && prefix)
			return 1;
		if (!star_p)
			return 0;
		/* Let the last star take one byte more, and try again after it. */
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	if (*p >= 0x80 || *p == '[' || *p == '\\')
		return -1;
	return *p == '\0';
}

bool lkm_fnmatch_any(const char *pat, const char *str)
{
	int r = lkm_glob_match(pat, str, false);

	return r < 0 ? fnmatch(pat, str, 0) == 0 : r == 1;
}

int lkm_batch_split(const char *line, const char *argv0, int *argc, char ***out)
{
	size_t len = strlen(line), room = len / 2 + 3, n = 0;
	char **v, *d, quote = 0;
	const char *s = line;

	*out = NULL;
	if (len > LKM_BATCH_LINE_MAX)
		return -E2BIG;
	/* One block: the pointers (a word takes two bytes at least), then the words. */
	v = malloc(room * sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	d = (char *)(v + room);
	v[n++] = (char *)argv0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		v[n++] = d;
		for (; *s && (quote || (*s != ' ' && *s != '\t')); s++) {
			if (!quote && (*s == '\'' || *s == '"'))
				quote = *s;
			else if (quote && *s == quote)
				quote = 0;
			else if (*s == '\\' && s[1] && (!quote || (quote == '"' &&
				 (s[1] == '"' || s[1] == '\\'))))
				*d++ = *++s;
			else
				*d++ = *s;
		}
		*d++ = '\0';
		if (quote) {
			free(v);
			return -EINVAL;
		}
	}
	v[n] = NULL;
	*argc = (int)n;
	*out = v;
	return 0;
}
