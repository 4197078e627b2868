// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modprobe.d, depmod.d and kernel command line parsing, on config trees written into
 * a fresh temporary directory by each test, including lines of thousands of words. The
 * last tests compare lkm_config_show() with kmod's `modprobe -c` (kmod 30) on a module
 * directory made here; without kmod (or root and unshare) they are skips.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "test.h"

/* The kernel version of the module directory the kmod comparisons make. */
#define KMOD_KVER "1.0-fix"

static char root[64];

/* A new fixture root for one test. */
static const char *fixture(void)
{
	strcpy(root, "/tmp/lkm-test-config.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(2);
	}
	return root;
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", root);
}

static const char *path_of(const char *rel)
{
	static char buf[8][512];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, 512, "%s/%s", root, rel);
	return p;
}

/* Write @rel under the fixture root, making its directories. */
static void put(const char *rel, const char *fmt, ...)
{
	char path[512], *slash;
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

/* Every softdep's words split (they are split when first asked for). */
static const struct lkm_config_softdep *list_softdeps(const struct lkm_config *cfg)
{
	size_t n;

	return lkm_config_list_softdeps(cfg, &n);
}

/* Load with config paths relative to the fixture root (NULL-terminated). */
static struct lkm_config *load(unsigned flags, const char *const *rel_paths)
{
	const char *paths[8] = { 0 };
	struct lkm_ctx_config cc = { 0 };
	struct lkm_config *cfg = NULL;
	struct lkm_ctx *ctx = NULL;
	int i;

	for (i = 0; rel_paths[i] && i < 7; i++)
		paths[i] = path_of(rel_paths[i]);
	cc.kver = "1.0";
	cc.dirname = path_of("modules");
	cc.proc = path_of("proc");
	cc.config_paths = paths;
	CHECK_INT(lkm_ctx_new(&cc, &ctx), ==, 0);
	if (!ctx)
		return NULL;
	CHECK_INT(lkm_config_new(ctx, flags, &cfg), ==, 0);
	lkm_ctx_unref(ctx);
	return cfg;
}

static const char *show(const struct lkm_config *cfg)
{
	static struct lkm_buf b;

	lkm_buf_free(&b);
	CHECK_INT(lkm_config_show(cfg, &b), ==, 0);
	return b.data ? b.data : "";
}

/* True when some warning's text is exactly @text. */
static bool warned(const struct lkm_config_warning *w, size_t n, const char *text)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(w[i].text, text))
			return true;
	fprintf(stderr, "  no warning \"%s\" among %zu:\n", text, n);
	for (i = 0; i < n; i++)
		fprintf(stderr, "    %s\n", w[i].text);
	return false;
}

#define TRAILER "\n# End of configuration files. Dumping indexes now:\n\n"

TEST(same_name_in_a_higher_dir_hides_lower_and_names_sort_across_dirs)
{
	const char *paths[] = { "etc", "lib", NULL };
	struct lkm_config *cfg;

	fixture();
	put("etc/10-x.conf", "alias x-high m\n");
	put("etc/20-z.conf", "alias z m\n");
	put("lib/10-x.conf", "alias x-low m\n");
	put("lib/05-y.conf", "alias y m\n");
	put("lib/noconf", "alias not-conf m\n");
	put("lib/.hidden.conf", "alias hidden m\n");
	put("lib/.conf", "alias dotconf m\n");
	put("lib/sub.conf/a.conf", "alias in-subdir m\n");
	CHECK_INT(mkfifo(path_of("etc/fifo.conf"), 0600), ==, 0);
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_aliases, ==, 3);
	if (cfg->n_aliases == 3) {
		CHECK_STR(cfg->aliases[0].pattern, "y");
		CHECK_STR(cfg->aliases[1].pattern, "x_high");
		CHECK_STR(cfg->aliases[2].pattern, "z");
		CHECK_STR(cfg->aliases[0].src.file, path_of("lib/05-y.conf"));
		CHECK_INT(cfg->aliases[0].src.line, ==, 1);
	}
	CHECK_INT(cfg->n_warnings, ==, 2);
	if (cfg->n_warnings == 2) {
		CHECK(strstr(cfg->warnings[0].text, "Not a regular file") != NULL);
		CHECK(strstr(cfg->warnings[1].text,
			     "Directories inside directories are not supported") != NULL);
	}
	lkm_config_free(cfg);
	cleanup();
}

/*
 * With /lib a link to /usr/lib, /lib/modprobe.d is /usr/lib/modprobe.d: lkm reads such a
 * directory once (every name in it is hidden by the first reading anyway). Links in a
 * directory are followed; entries whose type readdir gives are not stat'ed, with the
 * same outcome as when they are.
 */
TEST(a_directory_met_twice_is_read_once_and_links_in_it_are_followed)
{
	const char *paths[] = { "usr", "lib", "other", NULL };
	struct lkm_config *cfg;
	char text[600];

	fixture();
	put("usr/10-a.conf", "alias a m\n");
	put("elsewhere/file", "alias linked m\n");
	put("elsewhere/dir/x", "");
	put("other/05-o.conf", "alias o m\n");
	CHECK_INT(symlink("usr", path_of("lib")), ==, 0);
	CHECK_INT(symlink("../elsewhere/file", path_of("usr/20-link.conf")), ==, 0);
	CHECK_INT(symlink("../elsewhere/dir", path_of("usr/30-dirlink.conf")), ==, 0);
	CHECK_INT(symlink("../nowhere", path_of("usr/40-dangling.conf")), ==, 0);
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_STR(show(cfg), "alias o m\nalias a m\nalias linked m\n" TRAILER);
	CHECK_INT(cfg->n_aliases, ==, 3);
	if (cfg->n_aliases == 3)
		CHECK_STR(cfg->aliases[1].src.file, path_of("usr/10-a.conf"));
	/* Each warning once: the directory was not read a second time through "lib". */
	CHECK_INT(cfg->n_warnings, ==, 2);
	snprintf(text, sizeof(text), "Directories inside directories are not supported: %s",
		 path_of("usr/30-dirlink.conf"));
	CHECK(warned(cfg->warnings, cfg->n_warnings, text));
	snprintf(text, sizeof(text), "Cannot stat directory entry: %s",
		 path_of("usr/40-dangling.conf"));
	CHECK(warned(cfg->warnings, cfg->n_warnings, text));
	lkm_config_free(cfg);
	cleanup();
}

/* Groups that switch back and forth, on a short line and on one of a hundred words. */
TEST(softdep_groups_interleave_in_order_on_short_and_long_lines)
{
	const char *paths[] = { "d", NULL };
	struct lkm_buf line = { 0 };
	struct lkm_config *cfg;
	int i, ok = 1;

	fixture();
	CHECK_INT(lkm_buf_puts(&line, "softdep long ignored"), ==, 0);
	for (i = 0; i < 100; i++)
		CHECK_INT(lkm_buf_printf(&line, " %s m%d", i % 3 ? "pre:" : "post:", i), ==, 0);
	put("d/a.conf", "softdep short x pre: a post: b c pre: d\n%s\n", line.data);
	lkm_buf_free(&line);
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_softdeps, ==, 2);
	CHECK(list_softdeps(cfg) == cfg->softdeps);
	if (cfg->n_softdeps == 2) {
		const struct lkm_config_softdep *s = &cfg->softdeps[0], *l = &cfg->softdeps[1];
		int pre = 0, post = 0;
		char want[16];

		CHECK_INT(s->n_pre, ==, 2);
		CHECK_INT(s->n_post, ==, 2);
		if (s->n_pre == 2 && s->n_post == 2) {
			CHECK_STR(s->pre[0], "a");
			CHECK_STR(s->pre[1], "d");
			CHECK_STR(s->post[0], "b");
			CHECK_STR(s->post[1], "c");
		}
		CHECK_INT(l->n_pre, ==, 66);
		CHECK_INT(l->n_post, ==, 34);
		for (i = 0; i < 100 && l->n_pre == 66 && l->n_post == 34; i++) {
			snprintf(want, sizeof(want), "m%d", i);
			if (strcmp(i % 3 ? l->pre[pre++] : l->post[post++], want))
				ok = 0;
		}
		CHECK(ok);
	}
	lkm_config_free(cfg);
	cleanup();
}

TEST(a_single_file_path_is_read_whatever_its_name_and_hides_by_basename)
{
	const char *paths[] = { "one/x.conf", "plain-file", "dir", NULL };
	struct lkm_config *cfg;

	fixture();
	put("one/x.conf", "blacklist from-file\n");
	put("plain-file", "blacklist plain\n");
	put("dir/x.conf", "blacklist hidden-by-file\n");
	put("dir/a.conf", "blacklist first\n");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_STR(show(cfg),
		  "blacklist first\nblacklist plain\nblacklist from_file\n" TRAILER);
	lkm_config_free(cfg);
	cleanup();
}

TEST(continued_lines_join_and_warnings_name_the_last_physical_line)
{
	const char *paths[] = { "d", NULL };
	struct lkm_config *cfg;

	fixture();
	put("d/a.conf",
	    "# comment\n\ninstall foo /bin/true a\\\n  b\naliass x y\n"
	    "alias a\\b c\n   # indented comment\n\talias tab-led m\noptions z q=1");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_installs, ==, 1);
	if (cfg->n_installs == 1) {
		CHECK_STR(cfg->installs[0].value, "/bin/true a  b");
		CHECK_INT(cfg->installs[0].src.line, ==, 4);
	}
	CHECK_INT(cfg->n_warnings, ==, 1);
	if (cfg->n_warnings == 1) {
		char want[600];

		snprintf(want, sizeof(want),
			 "%s line 5: ignoring bad line starting with 'aliass'",
			 path_of("d/a.conf"));
		CHECK_STR(cfg->warnings[0].text, want);
		CHECK_INT(cfg->warnings[0].line, ==, 5);
		CHECK_STR(cfg->warnings[0].file, path_of("d/a.conf"));
	}
	CHECK_INT(cfg->n_aliases, ==, 2);
	if (cfg->n_aliases == 2) {
		CHECK_STR(cfg->aliases[0].pattern, "ab");
		CHECK_STR(cfg->aliases[1].pattern, "tab_led");
	}
	/* The last line has no newline and still counts. */
	CHECK_INT(cfg->n_options, ==, 1);
	if (cfg->n_options == 1)
		CHECK_INT(cfg->options[0].src.line, ==, 9);
	lkm_config_free(cfg);
	cleanup();
}

TEST(every_command_parses_and_shows_in_kmod_order)
{
	const char *paths[] = { "d", NULL };
	struct lkm_config *cfg;

	fixture();
	put("d/a.conf", "softdep snd-hda pre: a-b c post: d pre: e\n"
			"weakdep w-x a-b  c\n"
			"alias pci:v[a-b]-x* foo-bar\n"
			"options foo-bar  x=1\ty=2\n"
			"install in-st /bin/true \"$CMDLINE_OPTS\"\n"
			"remove re-move /bin/false\n"
			"blacklist black-listed extra-ignored\n"
			"softdep only-post post: p\n"
			"softdep none garbage\n");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_warnings, ==, 0);
	CHECK_STR(show(cfg), "blacklist black_listed\n"
			     "install in_st /bin/true \"$CMDLINE_OPTS\"\n"
			     "remove re_move /bin/false\n"
			     "alias pci:v[a-b]_x* foo_bar\n"
			     "options foo_bar  x=1 y=2\n"
			     "softdep snd_hda pre: a-b c e post: d\n"
			     "softdep only_post post: p\n"
			     "softdep none \n"
			     "weakdep w_x a-b c\n" TRAILER);
	CHECK_INT(cfg->n_softdeps, ==, 3);
	CHECK(list_softdeps(cfg) == cfg->softdeps);
	if (cfg->n_softdeps == 3) {
		CHECK_INT(cfg->softdeps[0].n_pre, ==, 3);
		CHECK_INT(cfg->softdeps[0].n_post, ==, 1);
		CHECK_STR(cfg->softdeps[0].pre[2], "e");
		CHECK_STR(cfg->softdeps[0].post[0], "d");
	}
	CHECK_INT(cfg->n_weakdeps, ==, 1);
	if (cfg->n_weakdeps == 1)
		CHECK_INT(cfg->weakdeps[0].n_deps, ==, 2);
	lkm_config_free(cfg);
	cleanup();
}

TEST(malformed_lines_warn_with_file_and_line_and_parsing_goes_on)
{
	const char *paths[] = { "d", NULL };
	const char *bad[] = { "options foo",	"options foo ",	 "blacklist",
			      "alias only-one", "alias bad] x",	 "alias [open x",
			      "softdep z",	"install x",	 "remove x",
			      "weakdep w",	"frobnicate all" };
	struct lkm_buf text = { 0 };
	struct lkm_config *cfg;
	char want[600], cmd[32];
	size_t i;

	fixture();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(lkm_buf_printf(&text, "%s\n", bad[i]), ==, 0);
	CHECK_INT(lkm_buf_puts(&text, "include /etc/other\nalias good m\n"), ==, 0);
	put("d/bad.conf", "%s", text.data);
	lkm_buf_free(&text);
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_warnings, ==, sizeof(bad) / sizeof(bad[0]) + 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sscanf(bad[i], "%31s", cmd);
		snprintf(want, sizeof(want),
			 "%s line %zu: ignoring bad line starting with '%s'",
			 path_of("d/bad.conf"), i + 1, cmd);
		CHECK(warned(cfg->warnings, cfg->n_warnings, want));
	}
	snprintf(want, sizeof(want),
		 "%s: command include is deprecated and not parsed anymore",
		 path_of("d/bad.conf"));
	CHECK(warned(cfg->warnings, cfg->n_warnings, want));
	CHECK_INT(cfg->n_aliases, ==, 1);
	CHECK_INT(cfg->n_options + cfg->n_blacklists + cfg->n_softdeps + cfg->n_installs,
		  ==, 0);
	lkm_config_free(cfg);
	cleanup();
}

TEST(options_merge_in_file_order_then_alias_then_kernel_command_line)
{
	const char *paths[] = { "d", NULL };
	struct lkm_config *cfg;
	char *opts = NULL;

	fixture();
	put("proc/cmdline", "quiet snd-hda.model=cmd\n");
	put("d/b.conf", "options snd_hda second=2\noptions other x=1\n");
	put("d/a.conf", "options snd-hda first=1\noptions my-alias via_alias=1\n"
			"options snd_hda  \n");
	cfg = load(0, paths);
	if (!cfg)
		return;
	CHECK_INT(lkm_config_get_options(cfg, "snd_hda", NULL, &opts), ==, 0);
	/* An entry of blanks only still counts, as in kmod; the kernel skips them. */
	CHECK_STR(opts, "first=1   second=2 model=cmd");
	free(opts);
	CHECK_INT(lkm_config_get_options(cfg, "snd_hda", "my_alias", &opts), ==, 0);
	CHECK_STR(opts, "first=1 via_alias=1   second=2 model=cmd");
	free(opts);
	CHECK_INT(lkm_config_get_options(cfg, "nothing", NULL, &opts), ==, 0);
	CHECK(opts == NULL);
	CHECK_STR(cfg->options[cfg->n_options - 1].src.file, "kernel command line");
	lkm_config_free(cfg);
	cleanup();
}

TEST(blacklist_lookup_is_exact_and_tells_where)
{
	const char *paths[] = { "d", NULL };
	const struct lkm_config_blacklist *b;
	struct lkm_config *cfg;

	fixture();
	put("proc/cmdline", "modprobe.blacklist=nouveau,radeon-x,,\"q\"\n");
	put("d/x.conf", "\n\nblacklist evil-mod\n");
	cfg = load(0, paths);
	if (!cfg)
		return;
	b = lkm_config_get_blacklist(cfg, "evil_mod");
	CHECK(b != NULL);
	if (b) {
		CHECK_STR(b->src.file, path_of("d/x.conf"));
		CHECK_INT(b->src.line, ==, 3);
	}
	CHECK(lkm_config_get_blacklist(cfg, "evil") == NULL);
	b = lkm_config_get_blacklist(cfg, "radeon_x");
	CHECK(b != NULL);
	if (b) {
		CHECK_STR(b->src.file, "kernel command line");
		CHECK_INT(b->src.line, ==, 0);
	}
	CHECK(lkm_config_get_blacklist(cfg, "nouveau") != NULL);
	CHECK(lkm_config_get_blacklist(cfg, "q") != NULL);
	CHECK_INT(cfg->n_blacklists, ==, 4);
	lkm_config_free(cfg);
	cleanup();
}

TEST(wildcard_lookups_take_the_first_match)
{
	const char *paths[] = { "d", NULL };
	const struct lkm_config_alias *a;
	const struct lkm_config_softdep *sd;
	struct lkm_config *cfg;

	fixture();
	put("d/x.conf",
	    "alias my-mod* first\nalias other x\nalias my_mod_a second\n"
	    "softdep snd_* pre: generic\nsoftdep snd_hda pre: specific\n"
	    "install snd_hda* /bin/a\ninstall snd_hda /bin/b\nremove r /bin/r\n"
	    "weakdep w* a\n");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	a = lkm_config_next_alias(cfg, "my_mod_a", NULL);
	CHECK(a && !strcmp(a->modname, "first"));
	a = lkm_config_next_alias(cfg, "my_mod_a", a);
	CHECK(a && !strcmp(a->modname, "second"));
	CHECK(lkm_config_next_alias(cfg, "my_mod_a", a) == NULL);
	CHECK(lkm_config_next_alias(cfg, "nomatch", NULL) == NULL);
	sd = lkm_config_get_softdep(cfg, "snd_hda");
	CHECK(sd && sd->n_pre == 1 && !strcmp(sd->pre[0], "generic"));
	CHECK(lkm_config_get_softdep(cfg, "usb") == NULL);
	CHECK(lkm_config_get_install(cfg, "snd_hda") &&
	      !strcmp(lkm_config_get_install(cfg, "snd_hda")->value, "/bin/a"));
	CHECK(lkm_config_get_remove(cfg, "r") != NULL);
	CHECK(lkm_config_get_remove(cfg, "snd_hda") == NULL);
	CHECK(lkm_config_get_weakdep(cfg, "wx") != NULL);
	lkm_config_free(cfg);
	cleanup();
}

TEST(kernel_command_line_options_blacklists_and_quotes)
{
	const char *paths[] = { "none", NULL };
	struct lkm_config *cfg;
	char *o = NULL;

	fixture();
	put("proc/cmdline",
	    "BOOT_IMAGE=/vmlinuz root=/dev/sda1 snd_hda_intel.model=\"a b\" nomodeset "
	    "modprobe.blacklist=nouveau,radeon foo.bar=1 \"quoted.param=x y\" a.b.c=1 "
	    "snd-dash.flag \"bad quote\".x=1 dot.=v .nomod=1 tab.v=\"t\tu\" "
	    "empty. -- --init-arg 0.0.0.0:2024 last.unterminated=\"x y\n");
	cfg = load(0, paths);
	if (!cfg)
		return;
	CHECK_STR(show(cfg), "blacklist nouveau\nblacklist radeon\n"
			     "options snd_hda_intel model=\"a b\"\n"
			     "options foo bar=1\n"
			     "options quoted param=\"x y\"\n"
			     "options snd_dash flag\n"
			     "options dot =v\n"
			     "options tab v=\"t u\"\n"
			     "options empty \n" TRAILER);
	CHECK(warned(
		cfg->warnings, cfg->n_warnings,
		"Ignoring bad option on kernel command line while parsing module name: ''"));
	CHECK_INT(lkm_config_get_options(cfg, "quoted", NULL, &o), ==, 0);
	CHECK_STR(o, "param=\"x y\"");
	free(o);
	lkm_config_free(cfg);
	cleanup();
}

TEST(missing_cmdline_and_missing_dirs_are_not_errors)
{
	const char *paths[] = { "nope", "also/nope", NULL };
	struct lkm_config *cfg;

	fixture();
	cfg = load(0, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_warnings, ==, 0);
	CHECK_STR(show(cfg), TRAILER);
	lkm_config_free(cfg);
	cleanup();
}

TEST(module_dir_softdeps_sort_among_config_files)
{
	const char *paths[] = { "d", NULL };
	struct lkm_config *cfg;

	fixture();
	put("modules/modules.softdep", "# from modules\nsoftdep ext4 pre: crc32c\n");
	put("modules/modules.weakdep", "weakdep m w\n");
	put("d/a.conf", "softdep a pre: x\n");
	put("d/z.conf", "softdep z pre: y\n");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_STR(show(cfg),
		  "softdep a pre: x\nsoftdep ext4 pre: crc32c\nsoftdep z pre: y\n"
		  "weakdep m w\n" TRAILER);
	lkm_config_free(cfg);
	cfg = load(LKM_CONFIG_NO_KCMDLINE | LKM_CONFIG_NO_MODULE_DEPS, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_softdeps, ==, 2);
	CHECK_INT(cfg->n_weakdeps, ==, 0);
	lkm_config_free(cfg);
	cleanup();
}

/*
 * A softdep's words are split when it is first asked for, and only it: a lookup splits
 * the entry it finds, a listing (modprobe -c, libkmod's iterators) all of them, and what
 * each gives is what an eager split gave.
 */
TEST(softdep_split_when_asked)
{
	static const char *const paths[] = { "d", NULL };
	const struct lkm_config_softdep *a, *v;
	struct lkm_config *cfg;
	size_t n;

	fixture();
	put("d/a.conf", "softdep aa pre: x y post: z\nsoftdep b* post: w\nsoftdep cc pre:\n"
			"softdep aa pre: never\n");
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg)
		return;
	CHECK_INT(cfg->n_softdeps, ==, 4);
	if (cfg->n_softdeps != 4)
		goto out;
	CHECK(cfg->softdeps[0].unsplit && cfg->softdeps[1].unsplit && cfg->softdeps[3].unsplit);
	a = lkm_config_get_softdep(cfg, "aa");
	CHECK(a == &cfg->softdeps[0]);
	CHECK(a && !a->unsplit && a->n_pre == 2 && a->n_post == 1);
	if (a && a->n_pre == 2 && a->n_post == 1) {
		CHECK_STR(a->pre[0], "x");
		CHECK_STR(a->pre[1], "y");
		CHECK_STR(a->post[0], "z");
	}
	CHECK(cfg->softdeps[1].unsplit != NULL);
	CHECK(cfg->softdeps[3].unsplit != NULL); /* never asked: the first "aa" wins */
	CHECK(lkm_config_get_softdep(cfg, "aa") == a && a->n_pre == 2);
	v = lkm_config_list_softdeps(cfg, &n);
	CHECK(v == cfg->softdeps);
	CHECK_INT(n, ==, 4);
	if (v && n == 4) {
		CHECK(!v[1].unsplit && v[1].n_pre == 0 && v[1].n_post == 1);
		CHECK(v[1].n_post == 1 && !strcmp(v[1].post[0], "w"));
		CHECK(!v[2].unsplit && v[2].n_pre == 0 && v[2].n_post == 0);
		CHECK(!v[3].unsplit && v[3].n_pre == 1 && !strcmp(v[3].pre[0], "never"));
		/* Split once: the words stay where the first split put them. */
		CHECK(v[0].pre == a->pre);
	}
	CHECK_STR(show(cfg), "softdep aa pre: x y post: z\nsoftdep b* post: w\nsoftdep cc \n"
			     "softdep aa pre: never\n" TRAILER);
out:
	lkm_config_free(cfg);
	cleanup();
}

TEST(alias_normalize_keeps_brackets)
{
	char b[32];

	CHECK_INT(lkm_alias_normalize(b, sizeof(b), "pci:v[0-9]-a"), ==, 0);
	CHECK_STR(b, "pci:v[0-9]_a");
	CHECK_INT(lkm_alias_normalize(b, sizeof(b), "x]"), ==, -EINVAL);
	CHECK_INT(lkm_alias_normalize(b, sizeof(b), "x[-"), ==, -EINVAL);
	CHECK_INT(lkm_alias_normalize(b, 4, "abcd"), ==, -ENAMETOOLONG);
}

/* ---- lines of thousands of words ---- */

/*
 * A softdep with @n pre: and @n post: modules, a weakdep of 2n, and an alias whose
 * pattern is 10,000 characters, each with what show() must print for it.
 */
struct long_lines {
	struct lkm_buf softdep, weakdep, alias;
	struct lkm_buf show_softdep, show_weakdep, show_alias, pattern;
};

#define LONG_ALIAS_LEN 10000

static void long_lines_make(struct long_lines *l, size_t n)
{
	size_t i;
	int r = 0;

	memset(l, 0, sizeof(*l));
	r |= lkm_buf_puts(&l->softdep, "softdep big-mod pre:");
	r |= lkm_buf_puts(&l->show_softdep, "softdep big_mod pre:");
	for (i = 0; i < n; i++) {
		r |= lkm_buf_printf(&l->softdep, " m-%zu", i);
		r |= lkm_buf_printf(&l->show_softdep, " m-%zu", i);
	}
	r |= lkm_buf_puts(&l->softdep, "\tpost:");
	r |= lkm_buf_puts(&l->show_softdep, " post:");
	for (i = 0; i < n; i++) {
		r |= lkm_buf_printf(&l->softdep, " p-%zu", i);
		r |= lkm_buf_printf(&l->show_softdep, " p-%zu", i);
	}
	r |= lkm_buf_puts(&l->softdep, "\n");
	r |= lkm_buf_puts(&l->show_softdep, "\n");
	r |= lkm_buf_puts(&l->weakdep, "weakdep weak-mod");
	r |= lkm_buf_puts(&l->show_weakdep, "weakdep weak_mod");
	for (i = 0; i < 2 * n; i++) {
		r |= lkm_buf_printf(&l->weakdep, " w-%zu", i);
		r |= lkm_buf_printf(&l->show_weakdep, " w-%zu", i);
	}
	r |= lkm_buf_puts(&l->weakdep, "\n");
	r |= lkm_buf_puts(&l->show_weakdep, "\n");
	r |= lkm_buf_puts(&l->alias, "alias ");
	for (i = 0; i < LONG_ALIAS_LEN / 2; i++) {
		r |= lkm_buf_puts(&l->alias, "a-");
		r |= lkm_buf_puts(&l->pattern, "a_");
	}
	r |= lkm_buf_puts(&l->alias, " target-mod\n");
	r |= lkm_buf_printf(&l->show_alias, "alias %s target_mod\n", l->pattern.data);
	if (r) {
		fprintf(stderr, "out of memory making long lines\n");
		exit(2);
	}
}

static void long_lines_free(struct long_lines *l)
{
	lkm_buf_free(&l->softdep);
	lkm_buf_free(&l->weakdep);
	lkm_buf_free(&l->alias);
	lkm_buf_free(&l->show_softdep);
	lkm_buf_free(&l->show_weakdep);
	lkm_buf_free(&l->show_alias);
	lkm_buf_free(&l->pattern);
}

/* Every word of a list is the one written: @prefix and its index. */
static size_t words_differ(const char *const *v, size_t n, const char *prefix)
{
	char want[32];
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%s%zu", prefix, i);
		bad += strcmp(v[i], want) != 0;
	}
	return bad;
}

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

TEST(softdep_weakdep_and_alias_lines_of_thousands_keep_every_word)
{
	const char *paths[] = { "d", NULL };
	const struct lkm_config_alias *a;
	struct lkm_buf want = { 0 };
	struct lkm_config *cfg;
	struct long_lines l;

	fixture();
	long_lines_make(&l, 5000);
	put("d/long.conf", "%s%s%s", l.softdep.data, l.weakdep.data, l.alias.data);
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (!cfg) {
		long_lines_free(&l);
		return;
	}
	CHECK_INT(cfg->n_warnings, ==, 0);
	CHECK_INT(cfg->n_softdeps, ==, 1);
	CHECK(list_softdeps(cfg) == cfg->softdeps);
	if (cfg->n_softdeps == 1) {
		CHECK_STR(cfg->softdeps[0].modname, "big_mod");
		CHECK_INT(cfg->softdeps[0].n_pre, ==, 5000);
		CHECK_INT(cfg->softdeps[0].n_post, ==, 5000);
		CHECK_INT(words_differ(cfg->softdeps[0].pre, cfg->softdeps[0].n_pre, "m-"), ==,
			  0);
		CHECK_INT(words_differ(cfg->softdeps[0].post, cfg->softdeps[0].n_post, "p-"),
			  ==, 0);
		CHECK(lkm_config_get_softdep(cfg, "big_mod") == &cfg->softdeps[0]);
	}
	CHECK_INT(cfg->n_weakdeps, ==, 1);
	if (cfg->n_weakdeps == 1) {
		CHECK_INT(cfg->weakdeps[0].n_deps, ==, 10000);
		CHECK_INT(words_differ(cfg->weakdeps[0].deps, cfg->weakdeps[0].n_deps, "w-"),
			  ==, 0);
	}
	CHECK_INT(cfg->n_aliases, ==, 1);
	if (cfg->n_aliases == 1) {
		CHECK_INT(strlen(cfg->aliases[0].pattern), ==, LONG_ALIAS_LEN);
		CHECK_STR(cfg->aliases[0].pattern, l.pattern.data);
		CHECK_STR(cfg->aliases[0].modname, "target_mod");
	}
	a = lkm_config_next_alias(cfg, l.pattern.data, NULL);
	CHECK(a && strcmp(a->modname, "target_mod") == 0);
	CHECK(lkm_config_next_alias(cfg, "a_a_", NULL) == NULL);
	CHECK_INT(lkm_buf_printf(&want, "%s%s%s" TRAILER, l.show_alias.data,
				 l.show_softdep.data, l.show_weakdep.data), ==, 0);
	CHECK_STR(show(cfg), want.data);
	lkm_buf_free(&want);
	lkm_config_free(cfg);
	long_lines_free(&l);
	cleanup();
}

/*
 * 100,000 words a group: a parser that rescans the line per word would take minutes
 * (10^11 steps); a linear one takes well under a second, even under ASan.
 */
TEST(a_softdep_of_a_hundred_thousand_words_parses_in_linear_time)
{
	const char *paths[] = { "d", NULL };
	struct lkm_config *cfg;
	struct long_lines l;
	double t;

	fixture();
	long_lines_make(&l, 100000);
	put("d/long.conf", "%s%s", l.softdep.data, l.weakdep.data);
	t = seconds();
	cfg = load(LKM_CONFIG_NO_KCMDLINE, paths);
	if (cfg)
		CHECK_INT(strlen(show(cfg)), ==, l.show_softdep.len + l.show_weakdep.len +
						 strlen(TRAILER));
	t = seconds() - t;
	if (t > 10) {
		fprintf(stderr, "  parsing and showing took %.1f s\n", t);
		test_failed = 1;
	}
	if (cfg) {
		CHECK_INT(cfg->n_softdeps, ==, 1);
		CHECK(cfg->n_softdeps == 1 && cfg->softdeps[0].n_pre == 100000 &&
		      cfg->softdeps[0].n_post == 100000);
		CHECK(cfg->n_weakdeps == 1 && cfg->weakdeps[0].n_deps == 200000);
	}
	lkm_config_free(cfg);
	long_lines_free(&l);
	cleanup();
}

/* ---- depmod.d ---- */

static struct lkm_depmod_config *dload(const char *kver, const char *const *rel_paths)
{
	const char *paths[8] = { 0 };
	struct lkm_depmod_config *cfg = NULL;
	int i;

	for (i = 0; rel_paths[i] && i < 7; i++)
		paths[i] = path_of(rel_paths[i]);
	CHECK_INT(lkm_depmod_config_new(paths, kver, &cfg), ==, 0);
	return cfg;
}

TEST(depmod_d_commands_in_file_order_with_kernel_version_patterns)
{
	const char *paths[] = { "etc", "lib", NULL };
	struct lkm_depmod_config *c;
	char want[600];

	fixture();
	put("etc/10.conf",
	    "search updates extra \\\n built-in external\n"
	    "override kmod * extra\noverride other 6\\.1\\..* updates\n"
	    "override never ^5\\. updates\noverride unanchored 56 updates\nexternal * /opt/a /opt/b\n"
	    "external 9.9 /opt/never\n");
	put("lib/10.conf", "search hidden\n");
	put("lib/20.conf", "exclude drm  staging\noverride bad\nbogus line\n"
			   "override x [ y\ninclude whatever\nsearch later\n");
	c = dload("6.1.0-560-fix", paths);
	if (!c)
		return;
	CHECK_INT(c->n_searches, ==, 5);
	if (c->n_searches == 5) {
		CHECK(c->searches[0].type == LKM_DEPMOD_SEARCH_PATH);
		CHECK_STR(c->searches[0].path, "updates");
		CHECK_STR(c->searches[1].path, "extra");
		CHECK(c->searches[2].type == LKM_DEPMOD_SEARCH_BUILTIN &&
		      !c->searches[2].path);
		CHECK(c->searches[3].type == LKM_DEPMOD_SEARCH_EXTERNAL);
		CHECK_STR(c->searches[4].path, "later");
		CHECK_INT(c->searches[0].src.line, ==, 2);
	}
	CHECK_INT(c->n_overrides, ==, 3);
	if (c->n_overrides == 3) {
		CHECK_STR(c->overrides[2].modname, "unanchored");
		CHECK_STR(c->overrides[0].modname, "kmod");
		CHECK_STR(c->overrides[0].subdir, "extra");
		CHECK_STR(c->overrides[1].modname, "other");
	}
	CHECK_INT(c->n_externals, ==, 2);
	if (c->n_externals == 2)
		CHECK_STR(c->externals[1].path, "/opt/b");
	CHECK_INT(c->n_excludes, ==, 2);
	if (c->n_excludes == 2)
		CHECK_STR(c->excludes[1].path, "staging");
	CHECK_INT(c->n_warnings, ==, 3);
	snprintf(want, sizeof(want), "%s:2: ignoring bad line starting with 'override'",
		 path_of("lib/20.conf"));
	CHECK(warned(c->warnings, c->n_warnings, want));
	snprintf(want, sizeof(want), "%s:3: ignoring bad line starting with 'bogus'",
		 path_of("lib/20.conf"));
	CHECK(warned(c->warnings, c->n_warnings, want));
	snprintf(want, sizeof(want), "%s:4: bad kernel version pattern '['",
		 path_of("lib/20.conf"));
	CHECK(warned(c->warnings, c->n_warnings, want));
	lkm_depmod_config_free(c);
	cleanup();
}

/* glibc's regcomp takes memory or time exponential in some patterns (found by fuzzing). */
TEST(depmod_d_kernel_version_patterns_too_costly_to_compile_warn_and_match_nothing)
{
	const char *paths[] = { "etc", NULL };
	struct lkm_depmod_config *c;
	char want[600];
	size_t i;

	fixture();
	put("etc/10.conf",
	    "override a ^6\\.1\\.0-[0-9]+-amd64$ updates\n"
	    "override b 6(\\.[0-9]+)+-.* updates\n"
	    "override c 6+?????????????????? updates\n"
	    "override d 6{2000} updates\n"
	    "override e 6.1+++++++++++ updates\n");
	c = dload("6.1.0-56-amd64", paths);
	if (!c)
		return;
	CHECK_INT(c->n_overrides, ==, 2);
	if (c->n_overrides == 2) {
		CHECK_STR(c->overrides[0].modname, "a");
		CHECK_STR(c->overrides[1].modname, "b");
	}
	CHECK_INT(c->n_warnings, ==, 3);
	for (i = 0; i < c->n_warnings; i++) {
		snprintf(want, sizeof(want), "%s:%zu: kernel version pattern", path_of("etc/10.conf"),
			 i + 3);
		CHECK(!strncmp(c->warnings[i].text, want, strlen(want)));
		CHECK(strstr(c->warnings[i].text, "costs too much to compile") != NULL);
	}
	lkm_depmod_config_free(c);
	cleanup();
}

TEST(depmod_d_default_search_is_updates_then_built_in)
{
	const char *paths[] = { "etc", NULL };
	struct lkm_depmod_config *c;

	fixture();
	put("etc/x.conf", "exclude foo\n");
	c = dload("1.0", paths);
	if (!c)
		return;
	CHECK_INT(c->n_searches, ==, 2);
	if (c->n_searches == 2) {
		CHECK_STR(c->searches[0].path, "updates");
		CHECK(c->searches[1].type == LKM_DEPMOD_SEARCH_BUILTIN);
		CHECK(c->searches[0].src.file == NULL);
	}
	lkm_depmod_config_free(c);
	cleanup();
}

/* ---- against kmod's modprobe -c ---- */

/* kmod then dumps two whole indexes; stopping it early saves seconds. */
#define SED_STOP " | sed '/^# End of configuration files/q'"

/* Everything up to and including the "# End of configuration files" line. */
static char *config_part(char *text)
{
	char *end = strstr(text, "# End of configuration files");

	if (end)
		end[strcspn(end, "\n")] = '\0';
	return text;
}

static char *run(const char *cmd)
{
	struct lkm_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (lkm_buf_append(&b, chunk, n) < 0)
			break;
	pclose(p);
	if (!b.data && lkm_buf_append(&b, "", 0) < 0)
		return NULL;
	return b.data;
}

/*
 * Every command in forms kmod 30 and lkm read alike. Left out on purpose, where lkm
 * differs: weakdep (kmod 30 does not know it), a softdep with both pre: and post: (kmod
 * prints "pre: apost: b"), two blanks before pre: (kmod then drops the group) and an
 * indented '#' (kmod warns).
 */
static const char oracle_conf[] =
	"# all commands\n"
	"alias my-mod* snd-hda_intel\nalias pci:v[a-b]-x foo-bar\n"
	"options foo-bar  x=1\ty=2\noptions tail  \noptions foo\n"
	"softdep s-d pre: a-b c\nsoftdep s2 post: p q\nsoftdep junk nothing\n"
	"blacklist nouveau extra\nblacklist\n"
	"install in-st /bin/true a\\\n  b\nremove x\nremove x-y /bin/false\n"
	"aliass x y\nalias a\\b c\ninclude foo\nalias bad] x\nsoftdep z\n";

/* kmod's modprobe, or NULL (with the reason in @why) when /sbin/modprobe is not kmod. */
static const char *kmod_modprobe(const char **why)
{
	static char real[4096];

	if (!realpath("/sbin/modprobe", real)) {
		*why = "no /sbin/modprobe (kmod) installed";
		return NULL;
	}
	if (!strstr(real, "kmod")) {
		*why = "/sbin/modprobe is not kmod's";
		return NULL;
	}
	return "/sbin/modprobe";
}

/* A module directory of the fixture, for kmod's -d: its config output needs no module. */
static const char *kmod_basedir(void)
{
	put("kmod-root/lib/modules/" KMOD_KVER "/modules.dep", "%s", "");
	return path_of("kmod-root");
}

/*
 * lkm's show() and kmod's `modprobe -c` of the config at @cpaths (NULL-terminated),
 * up to the end of the configuration files. kmod's warnings go to @stderr_rel.
 */
static void compare_with_kmod(const char *modprobe, const char *const *cpaths,
			      const char *stderr_rel, struct lkm_config **out)
{
	struct lkm_ctx_config cc = { 0 };
	struct lkm_buf cmd = { 0 };
	struct lkm_config *cfg = NULL;
	struct lkm_ctx *ctx = NULL;
	const char *base = kmod_basedir();
	char dirname[512], *want;
	size_t i;

	CHECK_INT(lkm_buf_puts(&cmd, modprobe), ==, 0);
	for (i = 0; cpaths[i]; i++)
		CHECK_INT(lkm_buf_printf(&cmd, " -C %s", cpaths[i]), ==, 0);
	CHECK_INT(lkm_buf_printf(&cmd, " -c -S " KMOD_KVER " -d %s 2>%s" SED_STOP, base,
				 path_of(stderr_rel)), ==, 0);
	want = run(cmd.data);
	lkm_buf_free(&cmd);
	CHECK(want != NULL && strstr(want, "# End of configuration files") != NULL);
	snprintf(dirname, sizeof(dirname), "%s/lib/modules/" KMOD_KVER, base);
	cc.kver = KMOD_KVER;
	cc.dirname = dirname;
	cc.config_paths = cpaths;
	CHECK_INT(lkm_ctx_new(&cc, &ctx), ==, 0);
	if (ctx)
		CHECK_INT(lkm_config_new(ctx, 0, &cfg), ==, 0);
	if (cfg && want) {
		char *got = strdup(show(cfg));

		/* something to compare: at least one line before the trailer */
		CHECK(strlen(config_part(want)) > strlen("# End of configuration files"));
		config_part(got);
		config_part(want);
		if (strcmp(got, want) != 0) {
			size_t at = 0;

			while (got[at] && got[at] == want[at])
				at++;
			at = at > 40 ? at - 40 : 0;
			fprintf(stderr, "  lkm and kmod differ after byte %zu:\n  lkm:  %.120s\n"
					"  kmod: %.120s\n", at, got + at, want + at);
			test_failed = 1;
		}
		free(got);
	}
	lkm_ctx_unref(ctx);
	free(want);
	*out = cfg;
}

TEST(show_matches_kmod_modprobe_c)
{
	const char *paths[] = { "a", "b", NULL };
	struct lkm_config *cfg = NULL;
	const char *cpaths[3], *modprobe, *why;
	char cmd[1024], *errs;
	size_t i;

	modprobe = kmod_modprobe(&why);
	if (!modprobe) {
		SKIP("%s", why);
		return;
	}
	fixture();
	put("a/10-x.conf", "%s", oracle_conf);
	put("b/10-x.conf", "alias hidden x\n");
	put("b/05-y.conf", "alias in-b x\nblacklist b-first\n");
	put("b/sub.conf/x.conf", "alias nested x\n");
	cpaths[0] = path_of(paths[0]);
	cpaths[1] = path_of(paths[1]);
	cpaths[2] = NULL;
	compare_with_kmod(modprobe, cpaths, "stderr", &cfg);
	if (cfg) {
		/* Every bad-line warning of ours is one kmod printed too. */
		snprintf(cmd, sizeof(cmd), "cat %s", path_of("stderr"));
		errs = run(cmd);
		for (i = 0; errs && i < cfg->n_warnings; i++)
			if (!strstr(errs, cfg->warnings[i].text)) {
				fprintf(stderr, "  kmod did not say: %s\n",
					cfg->warnings[i].text);
				test_failed = 1;
			}
		CHECK_INT(cfg->n_warnings, ==, 8);
		free(errs);
	}
	lkm_config_free(cfg);
	cleanup();
}

/*
 * Lines of thousands of words, in the forms kmod 30 shows as lkm does: no weakdep and
 * no softdep with both groups (see above).
 */
TEST(long_lines_show_as_kmod_modprobe_c_shows_them)
{
	const char *cpaths[2], *modprobe, *why;
	struct lkm_config *cfg = NULL;
	struct lkm_buf text = { 0 };
	struct long_lines l;
	size_t i;
	int r = 0;

	modprobe = kmod_modprobe(&why);
	if (!modprobe) {
		SKIP("%s", why);
		return;
	}
	fixture();
	long_lines_make(&l, 0);
	r |= lkm_buf_puts(&text, "softdep big-pre pre:");
	for (i = 0; i < 5000; i++)
		r |= lkm_buf_printf(&text, " m-%zu", i);
	r |= lkm_buf_puts(&text, "\nsoftdep big-post post:");
	for (i = 0; i < 5000; i++)
		r |= lkm_buf_printf(&text, " p-%zu", i);
	r |= lkm_buf_printf(&text, "\n%s", l.alias.data);
	CHECK_INT(r, ==, 0);
	put("d/long.conf", "%s", text.data);
	cpaths[0] = path_of("d");
	cpaths[1] = NULL;
	compare_with_kmod(modprobe, cpaths, "stderr", &cfg);
	if (cfg) {
		CHECK_INT(cfg->n_warnings, ==, 0);
		CHECK(cfg->n_softdeps == 2 && cfg->softdeps[0].n_pre == 5000 &&
		      cfg->softdeps[1].n_post == 5000);
		CHECK(cfg->n_aliases == 1 && strlen(cfg->aliases[0].pattern) == LONG_ALIAS_LEN);
	}
	lkm_config_free(cfg);
	lkm_buf_free(&text);
	long_lines_free(&l);
	cleanup();
}

/*
 * kmod reads the real /proc/cmdline, so each command line is bind-mounted over it in a
 * private mount namespace (root only; skipped otherwise). The lines avoid the cases
 * where lkm differs on purpose: an empty module name, '-' or quotes in a blacklist.
 */
static const char *const oracle_cmdlines[] = {
	"BOOT_IMAGE=/vmlinuz root=/dev/sda1 snd_hda_intel.model=\"a b\" nomodeset "
	"modprobe.blacklist=nouveau,radeon foo.bar=1 \"quoted.param=x y\"\n",
	"a.b.c=1 snd-dash.flag \"bad quote\".x=1 dot.=v tab.v=\"t\tu\" empty. x.y=\"1 2\"z\n",
	"-- --init-arg 0.0.0.0:2024 m.p=a=b \"m2.p=\"q\" last.unterminated=\"x y\n",
	"a\"b c\" d.e=1 \"f.g h.i=2 j.k=\"l m\" n\"o.p=3 q.r==s\tt.u\n",
};

TEST(kernel_command_line_matches_kmod)
{
	const char *paths[] = { "none", NULL };
	char cmd[1024], dirname[512], *want;
	struct lkm_ctx_config cc = { 0 };
	const char *cpaths[2], *modprobe, *why, *base;
	size_t i;

	modprobe = kmod_modprobe(&why);
	if (!modprobe) {
		SKIP("%s", why);
		return;
	}
	if (geteuid() != 0) {
		SKIP("not root: no mount namespace to put a command line over /proc/cmdline");
		return;
	}
	if (system("unshare -m true 2>/dev/null") != 0) {
		SKIP("unshare -m does not work here (no unshare, or no mount namespaces)");
		return;
	}
	fixture();
	base = kmod_basedir();
	snprintf(dirname, sizeof(dirname), "%s/lib/modules/" KMOD_KVER, base);
	cpaths[0] = path_of(paths[0]);
	cpaths[1] = NULL;
	cc.kver = KMOD_KVER;
	cc.dirname = dirname;
	cc.config_paths = cpaths;
	cc.proc = path_of("proc");
	for (i = 0; i < sizeof(oracle_cmdlines) / sizeof(oracle_cmdlines[0]); i++) {
		struct lkm_config *cfg = NULL;
		struct lkm_ctx *ctx = NULL;
		char *got;

		put("proc/cmdline", "%s", oracle_cmdlines[i]);
		snprintf(cmd, sizeof(cmd),
			 "unshare -m sh -c 'mount --bind %s /proc/cmdline && exec %s "
			 "-C %s -c -S " KMOD_KVER " -d %s' 2>/dev/null" SED_STOP,
			 path_of("proc/cmdline"), modprobe, cpaths[0], base);
		want = run(cmd);
		CHECK(want && strstr(want, "# End of configuration files"));
		CHECK_INT(lkm_ctx_new(&cc, &ctx), ==, 0);
		if (ctx)
			CHECK_INT(lkm_config_new(ctx, 0, &cfg), ==, 0);
		if (cfg && want) {
			got = strdup(show(cfg));
			/* every command line here gives kmod at least one option line */
			CHECK(strncmp(want, "options ", 8) == 0 || strncmp(want, "blacklist ", 10) == 0);
			if (strcmp(config_part(got), config_part(want))) {
				fprintf(stderr, "  differs from kmod for: %s", oracle_cmdlines[i]);
				test_failed = 1;
			}
			free(got);
		}
		lkm_config_free(cfg);
		lkm_ctx_unref(ctx);
		free(want);
	}
	cleanup();
}

TEST_MAIN()
