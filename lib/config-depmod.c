// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod.d(5), read into a struct lkm_depmod_config for depmod: search, override,
 * external and exclude. The file rules are lib/config-read.c's.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "lkm-internal.h"

const char *const lkm_default_depmod_paths[] = {
	"/etc/depmod.d",
	"/run/depmod.d",
	"/usr/local/lib/depmod.d",
	"/usr/lib/depmod.d",
	"/lib/depmod.d",
	NULL,
};

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

/*
 * glibc's regcomp copies the operand of '+' (twice) and of {m,n} (max(m, n) + 1 times),
 * so stacked or nested repetitions cost memory exponentially: "6.1" and twenty '+'
 * take 400 MB (the fuzzer's depmod.d line, with ninety, ran out of 2 GB). A kernel
 * version pattern needs a few repetitions; the product of every copy factor (a bound
 * on the nested ones) is kept under KVER_COPIES_MAX. Its epsilon closures cost time
 * exponential in stacked optional parts ("+???..." took the fuzzer past 20 s), so there
 * are at most KVER_REPEATS_MAX repetition operators, and none right after another (a
 * repetition of a repetition, which POSIX leaves undefined). '\\' escapes and [...]
 * hold no operators.
 */
#define KVER_PATTERN_MAX 256
#define KVER_COPIES_MAX 1024
#define KVER_REPEATS_MAX 16

static bool kver_pattern_too_costly(const char *p)
{
	unsigned long copies = 1, m, n;
	unsigned repeats = 0;
	bool after_repeat = false;
	char *end;

	if (strlen(p) > KVER_PATTERN_MAX)
		return true;
	for (; *p; p++) {
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (after_repeat || ++repeats > KVER_REPEATS_MAX)
				return true;
			after_repeat = true;
		} else {
			after_repeat = false;
		}
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '[') {
			p += p[1] == '^' ? 2 : 1;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (*p == '+') {
			m = 2;
		} else if (*p == '{') {
			m = strtoul(p + 1, &end, 10);
			if (*end == ',') {
				n = strtoul(end + 1, &end, 10);
				m = n > m ? n : m;
			}
			m++;
			/* The bound is one operator: go on after its '}'. */
			if (*end == '}')
				p = end;
		} else {
			continue;
		}
		if (m > KVER_COPIES_MAX || (copies *= m) > KVER_COPIES_MAX)
			return true;
	}
	return false;
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
	if (kver_pattern_too_costly(pattern)) {
		r = conf_warn(&dp->sink, src.file, src.line,
			      "%s:%u: kernel version pattern '%.64s%s' costs too much to compile: "
			      "at most %d repetitions, none repeated again, %d copies and %d bytes",
			      src.file, src.line, pattern, strlen(pattern) > 64 ? "..." : "",
			      KVER_REPEATS_MAX, KVER_COPIES_MAX, KVER_PATTERN_MAX);
		return r < 0 ? r : 0;
	}
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
