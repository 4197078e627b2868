/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the configuration readers: lib/config-read.c (the rules modprobe.d and
 * depmod.d share: which files, in which order, logical lines and words, and the pool
 * their strings live in), lib/config.c (modprobe.d and the kernel command line) and
 * lib/config-depmod.c (depmod.d).
 */
#ifndef LKM_CONFIG_INTERNAL_H
#define LKM_CONFIG_INTERNAL_H

#include "lkm-internal.h"

/* config-read.c: every string and pointer array a config hands out, freed at once. */
struct pool_block;
struct pool_kept;
struct lkm_config_pool {
	struct pool_block *head;
	struct pool_kept *kept;
};
void *conf_pool_alloc(struct lkm_config_pool *pool, size_t size);
char *conf_pool_strndup(struct lkm_config_pool *pool, const char *s, size_t n);
char *conf_pool_strdup(struct lkm_config_pool *pool, const char *s);
/* @mem (malloc'd) is freed with the pool from now on; -ENOMEM leaves it to the caller. */
int conf_pool_adopt(struct lkm_config_pool *pool, void *mem);
void conf_pool_free(struct lkm_config_pool *pool);

/* Make room for element @n of a growable array (see config-read.c); -ENOMEM. */
int conf_array_grow(void *arrayp, size_t n, size_t elsize);
#define APPEND(arr, n) \
	(conf_array_grow(&(arr), (n), sizeof(*(arr))) < 0 ? NULL : &(arr)[(n)++])

/* config-read.c: warnings, kept in the config for the tools to word. */
struct sink {
	struct lkm_config_pool *pool;
	struct lkm_config_warning **warnings;
	size_t *n_warnings;
};

int conf_warn(struct sink *s, const char *file, unsigned line, const char *fmt, ...)
	LKM_PRINTF(4, 5);

/* config-read.c: which files, in which order. */
struct conf_file {
	char *name; /* what sorts and hides: the base name */
	char *path;
};

struct conf_list {
	struct conf_file *v;
	size_t n;
};
void conf_list_free(struct conf_list *l);
/* Add @dir/@name, or the single file @dir when @name is NULL; a name seen first wins. */
int conf_list_insert(struct conf_list *l, const char *dir, const char *name);

/* config-read.c: logical lines and words. */
/* The next blank-separated word, or NULL; like strtok_r with " \t". */
char *conf_word(char **save);
/* The rest of the line after the last word's one separator; NULL when empty. */
char *conf_rest(char **save);
/* '-' to '_' in place, except inside [...]; -EINVAL for an unmatched bracket or NULL. */
int conf_underscores(char *s);
/*
 * @text lives as long as the pool of the sink given to conf_parse_files(), and may be
 * changed: words cut out of it in place need no copy.
 */
typedef int (*line_fn)(void *state, const char *file, unsigned line, char *text);
/*
 * Scan @paths in order (each a directory of *.conf or a single file) after the files
 * already in @pre, which is taken over and freed, and hand each logical line of the
 * surviving files to @fn. A file that cannot be read is a warning; -ENOMEM, or what
 * @fn returns below 0, stops it.
 */
int conf_parse_files(const char *const *paths, struct conf_list *pre, struct sink *s,
		     line_fn fn, void *state);

static inline struct lkm_config_source src_at(const char *file, unsigned line)
{
	return (struct lkm_config_source){ .file = file, .line = line };
}

#endif
