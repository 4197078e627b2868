// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe.d(5) and the kernel command line, read into a struct lkm_config, and the
 * questions modprobe asks of it (aliases, options, install and remove commands,
 * softdeps, weakdeps, blacklists) and its `modprobe -c` dump. The file rules are
 * lib/config-read.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-internal.h"
#include "lkm-internal.h"

/* The command line is short; this only bounds memory on a hostile /proc. */
#define KCMDLINE_MAX ((size_t)1 << 20)
#define KCMDLINE_SOURCE "kernel command line"

/* ---- modprobe.d ---- */

struct mparse {
	struct lkm_config *cfg;
	struct sink sink;
};

/*
 * The strings the add_ functions are given live in the pool already (a file's text, the
 * command line's, or a copy): entries point at them.
 */
static int add_entry(struct lkm_config *cfg, struct lkm_config_entry **arr, size_t *n,
		     const char *modname, const char *value, struct lkm_config_source src)
{
	struct lkm_config_entry *e = APPEND(*arr, *n);

	if (!e)
		return -ENOMEM;
	e->modname = modname;
	e->value = value;
	e->src = src;
	return 0;
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
	b->modname = modname;
	return 0;
}

static int add_alias(struct lkm_config *cfg, const char *pattern, const char *modname,
		     struct lkm_config_source src)
{
	struct lkm_config_alias *a = APPEND(cfg->aliases, cfg->n_aliases);

	if (!a)
		return -ENOMEM;
	a->src = src;
	a->pattern = pattern;
	a->modname = modname;
	return 0;
}

/* isspace(3) in the C locale, which kmod's parsing uses; inline, as this is hot. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

struct word_at {
	char *w;
	size_t len;
	int group;
};

/*
 * The next word of the line at *@s and its group (*@group: -1 before any, with
 * @grouped, where "pre:" and "post:" switch between group 0 and 1 and are no words of
 * their own; else every word is group 0). The separator after the word is consumed, so
 * a NUL written there later cuts the word out without ending the line. Returns false
 * at the end of the line.
 */
static bool next_word(char **s, bool grouped, int *group, struct word_at *out)
{
	char *p = *s, *w;
	size_t len;

	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p) {
			*s = p;
			return false;
		}
		w = p;
		while (*p && !is_space(*p))
			p++;
		len = (size_t)(p - w);
		if (*p)
			p++;
		if (grouped && len == 4 && !memcmp(w, "pre:", 4))
			*group = 0;
		else if (grouped && len == 5 && !memcmp(w, "post:", 5))
			*group = 1;
		else if (*group >= 0)
			break;
	}
	*s = p;
	*out = (struct word_at){ w, len, *group };
	return true;
}

/*
 * The words of @s, split on white space and cut out in place, into two exactly sized
 * pool arrays by group (see next_word()): one pass counts, the second fills.
 */
static int words_arrays(struct lkm_config_pool *pool, char *s, bool grouped,
			const char *const *out[2], size_t n[2])
{
	struct word_at word;
	const char **v[2];
	char *p = s;
	size_t i, fill[2] = { 0, 0 };
	int group = grouped ? -1 : 0;

	n[0] = n[1] = 0;
	while (next_word(&p, grouped, &group, &word))
		n[word.group]++;
	for (i = 0; i < 2; i++) {
		v[i] = conf_pool_alloc(pool, (n[i] ? n[i] : 1) * sizeof(*v[i]));
		if (!v[i])
			return -ENOMEM;
	}
	p = s;
	group = grouped ? -1 : 0;
	while (next_word(&p, grouped, &group, &word)) {
		word.w[word.len] = '\0';
		v[word.group][fill[word.group]++] = word.w;
	}
	out[0] = v[0];
	out[1] = v[1];
	return 0;
}

static int add_softdep(struct lkm_config *cfg, const char *modname, char *line,
		       struct lkm_config_source src)
{
	struct lkm_config_softdep *d = APPEND(cfg->softdeps, cfg->n_softdeps);

	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->modname = modname;
	d->unsplit = line;
	return 0;
}

/*
 * A softdep's words are split when first asked for: a config has dozens of softdep
 * lines (modules.softdep) and a modprobe call asks for those of its few modules. The
 * config stays the same to its readers, so this is done through a const pointer; the
 * words are cut out of the line in the pool's copy of the file, which no one else reads.
 */
int lkm_config_softdep_split(const struct lkm_config *cfg, const struct lkm_config_softdep *sd)
{
	struct lkm_config_softdep *d = (struct lkm_config_softdep *)sd;
	const char *const *v[2];
	size_t n[2];

	if (!d->unsplit)
		return 0;
	if (words_arrays(cfg->pool, d->unsplit, true, v, n) < 0)
		return -ENOMEM;
	d->pre = v[0];
	d->n_pre = n[0];
	d->post = v[1];
	d->n_post = n[1];
	d->unsplit = NULL;
	return 0;
}

static int add_weakdep(struct lkm_config *cfg, const char *modname, char *line,
		       struct lkm_config_source src)
{
	struct lkm_config_weakdep *d = APPEND(cfg->weakdeps, cfg->n_weakdeps);
	const char *const *v[2];
	size_t n[2];

	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->src = src;
	d->modname = modname;
	if (words_arrays(cfg->pool, line, false, v, n) < 0)
		return -ENOMEM;
	d->deps = v[0];
	d->n_deps = n[0];
	return 0;
}

enum mcmd { M_ALIAS, M_BLACKLIST, M_OPTIONS, M_INSTALL, M_REMOVE, M_SOFTDEP, M_WEAKDEP,
	    M_DEPRECATED, M_UNKNOWN };

/* Which command a line starts with; the first letter rules out most at once. */
static enum mcmd mcmd_of(const char *cmd)
{
	static const struct {
		const char *name;
		enum mcmd cmd;
	} cmds[] = {
		{ "alias", M_ALIAS },	  { "blacklist", M_BLACKLIST }, { "options", M_OPTIONS },
		{ "install", M_INSTALL }, { "remove", M_REMOVE },	{ "softdep", M_SOFTDEP },
		{ "weakdep", M_WEAKDEP }, { "include", M_DEPRECATED },	{ "config", M_DEPRECATED },
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].name[0] == cmd[0] && !strcmp(cmds[i].name, cmd))
			return cmds[i].cmd;
	return M_UNKNOWN;
}

/* Commands that take a module and the rest of the line. Returns 1 for a bad line. */
static int modprobe_rest_cmd(struct lkm_config *cfg, enum mcmd cmd, char **save,
			     struct lkm_config_source src)
{
	char *modname = conf_word(save);
	char *value = conf_rest(save);

	if (conf_underscores(modname) < 0 || !value)
		return 1;
	switch (cmd) {
	case M_OPTIONS:
		return add_options(cfg, modname, value, src);
	case M_INSTALL:
		return add_entry(cfg, &cfg->installs, &cfg->n_installs, modname, value,
				 src);
	case M_REMOVE:
		return add_entry(cfg, &cfg->removes, &cfg->n_removes, modname, value,
				 src);
	case M_SOFTDEP:
		return add_softdep(cfg, modname, value, src);
	default:
		return add_weakdep(cfg, modname, value, src);
	}
}

static int modprobe_cmd(struct lkm_config *cfg, enum mcmd cmd, char **save,
			struct lkm_config_source src)
{
	char *a, *b;

	switch (cmd) {
	case M_ALIAS:
		a = conf_word(save);
		b = conf_word(save);
		if (conf_underscores(a) < 0 || conf_underscores(b) < 0)
			return 1;
		return add_alias(cfg, a, b, src);
	case M_BLACKLIST:
		a = conf_word(save);
		if (conf_underscores(a) < 0)
			return 1;
		return add_blacklist(cfg, a, src);
	case M_UNKNOWN:
	case M_DEPRECATED:
		return 1;
	default:
		return modprobe_rest_cmd(cfg, cmd, save, src);
	}
}

static int modprobe_line(void *state, const char *file, unsigned line, char *text)
{
	struct mparse *mp = state;
	char *save = text, *cmd;
	enum mcmd which;
	int r;

	cmd = conf_word(&save);
	/* An indented '#' is a comment too (kmod warns about it). */
	if (!cmd || cmd[0] == '#')
		return 0;
	which = mcmd_of(cmd);
	if (which == M_DEPRECATED)
		return conf_warn(&mp->sink, file, line,
				 "%s: command %s is deprecated and not parsed anymore",
				 file, cmd);
	r = modprobe_cmd(mp->cfg, which, &save, src_at(file, line));
	if (r == 1)
		r = conf_warn(&mp->sink, file, line,
			      "%s line %u: ignoring bad line starting with '%s'", file,
			      line, cmd);
	return r;
}

/* ---- the kernel command line ---- */

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
	char *p = k->dot + 1, *param;
	size_t name_len, value_len;

	*k->dot = '\0';
	*end = '\0';
	if (!k->requote || !k->eq)
		return kcmdline_entry(mp, k->start, p);
	/* "mod.p=a b" as mod.p="a b": a new string, in the pool as the entry keeps it. */
	name_len = (size_t)(k->eq + 1 - p);
	value_len = strlen(k->eq + 1);
	param = conf_pool_alloc(mp->cfg->pool, name_len + 1 + value_len + 1);
	if (!param)
		return -ENOMEM;
	memcpy(param, p, name_len);
	param[name_len] = '"';
	memcpy(param + name_len + 1, k->eq + 1, value_len + 1);
	return kcmdline_entry(mp, k->start, param);
}

static void kword_reset(struct kword *k, char *start)
{
	*k = (struct kword){ .state = K_MODNAME, .start = start };
}

/* The characters that change kcmdline_parse()'s state, and the NUL that ends it. */
static bool kcmdline_special(char c)
{
	static const bool special[256] = {
		['\0'] = true, ['"'] = true, [' '] = true, ['\t'] = true, ['\n'] = true,
		['\v'] = true, ['\f'] = true, ['\r'] = true, ['.'] = true, ['='] = true,
	};

	return special[(unsigned char)c];
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
		/*
		 * Other characters change no state: over them at once (a table, not strcspn:
		 * libc's takes a page of code and one of tables that nothing else here reads).
		 */
		while (!kcmdline_special(*p))
			p++;
		if (*p == '"') {
			quoted = !quoted;
			if (quoted && k.state == K_MODNAME && p == k.start) {
				k.requote = true;
				k.start = p + 1;
			} else if (k.state != K_VALUE) {
				k.state = K_IGNORE;
			}
		} else if (*p == '\0' || is_space(*p)) {
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

	if (lkm_path_join(&path, proc, "cmdline", 7) < 0)
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
	/* The entries point into the text: it is the pool's now. */
	if (conf_pool_adopt(mp->cfg->pool, buf) < 0) {
		free(buf);
		return -ENOMEM;
	}
	return kcmdline_parse(mp, buf);
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
		if (lkm_fnmatch(cfg->aliases[i].pattern, name))
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
		if (lkm_fnmatch(v[i].modname, modname))
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
		if (lkm_fnmatch(cfg->softdeps[i].modname, modname))
			return lkm_config_softdep_split(cfg, &cfg->softdeps[i]) < 0 ?
				       NULL : &cfg->softdeps[i];
	return NULL;
}

const struct lkm_config_weakdep *lkm_config_get_weakdep(const struct lkm_config *cfg,
							const char *modname)
{
	size_t i;

	for (i = 0; i < cfg->n_weakdeps; i++)
		if (lkm_fnmatch(cfg->weakdeps[i].modname, modname))
			return &cfg->weakdeps[i];
	return NULL;
}

const struct lkm_config_alias *lkm_config_list_aliases(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_aliases;
	return cfg->aliases;
}

const struct lkm_config_entry *lkm_config_list_options(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_options;
	return cfg->options;
}

const struct lkm_config_entry *lkm_config_list_installs(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_installs;
	return cfg->installs;
}

const struct lkm_config_entry *lkm_config_list_removes(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_removes;
	return cfg->removes;
}

const struct lkm_config_blacklist *lkm_config_list_blacklists(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_blacklists;
	return cfg->blacklists;
}

const struct lkm_config_softdep *lkm_config_list_softdeps(const struct lkm_config *cfg, size_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; i < cfg->n_softdeps; i++)
		if (lkm_config_softdep_split(cfg, &cfg->softdeps[i]) < 0)
			return NULL;
	*n = cfg->n_softdeps;
	return cfg->softdeps;
}

const struct lkm_config_weakdep *lkm_config_list_weakdeps(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_weakdeps;
	return cfg->weakdeps;
}

const struct lkm_config_warning *lkm_config_list_warnings(const struct lkm_config *cfg, size_t *n)
{
	*n = cfg->n_warnings;
	return cfg->warnings;
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
	for (i = 0; i < cfg->n_softdeps && r >= 0; i++) {
		r = lkm_config_softdep_split(cfg, &cfg->softdeps[i]);
		if (r >= 0)
			r = show_softdep(out, &cfg->softdeps[i]);
	}
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

static int show_alias(const char *key, const char *value, uint32_t priority, void *data)
{
	(void)priority;
	return lkm_buf_printf(data, "alias %s %s\n", key, value);
}

int lkm_config_show_indexes(struct lkm_ctx *ctx, struct lkm_buf *out)
{
	static const enum lkm_index_kind kinds[] = { LKM_INDEX_ALIAS, LKM_INDEX_SYMBOLS };
	struct lkm_index *idx;
	size_t i;

	/* A missing or broken index shows what it has, as kmod's does: no error. */
	for (i = 0; i < 2; i++)
		if (lkm_ctx_get_index(ctx, kinds[i], &idx, NULL) == 0 &&
		    lkm_index_foreach(idx, show_alias, out) == -ENOMEM)
			return -ENOMEM;
	return 0;
}
