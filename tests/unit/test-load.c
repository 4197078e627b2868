// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * load-plan.c, load.c, unload.c: plans, their runs and removals on the fixture tree of
 * test-resolve.c, with fake syscalls that record every module they are asked to load
 * or remove.
 */
#define LKM_FIXTURE_ONLY
#include "test-resolve.c"

#include <time.h>

static char calls[2048];
static int delete_errno; /* what the fake delete_module fails with; 0: success */
static const char *fail_name; /* the module the fake finit_module fails with fail_errno */
static int fail_errno;

static void record(const char *what, const char *name)
{
	size_t len = strlen(calls);

	snprintf(calls + len, sizeof(calls) - len, "%s%s %s", len ? "," : "", what, name);
}

static long fake_finit(int fd, const char *params, int flags)
{
	char name[LKM_NAME_MAX];

	(void)flags;
	if (fx_fd_module_name(fd, name, sizeof(name)) < 0)
		return -1;
	record("load", name);
	if (fail_name && strcmp(name, fail_name) == 0) {
		errno = fail_errno;
		return -1;
	}
	if (params && *params) {
		size_t len = strlen(calls);

		snprintf(calls + len, sizeof(calls) - len, "(%s)", params);
	}
	return 0;
}

static long fake_init(const void *image, unsigned long len, const char *params)
{
	(void)image;
	(void)len;
	(void)params;
	record("init", "?");
	return 0;
}

/* Removes the module's fixture /sys directory, so later checks see it gone. */
static long fake_delete(const char *name, unsigned int flags)
{
	char path[512], cmd[600];

	(void)flags;
	snprintf(path, sizeof(path), "%s/sys/module/%s", fx_root, name);
	if (access(path, F_OK) != 0) {
		errno = ENOENT;
		return -1;
	}
	record("rm", name);
	if (delete_errno) {
		errno = delete_errno;
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd) == 0 ? 0 : (errno = EIO, -1);
}

static const struct lkm_syscalls fake = {
	.finit_module = fake_finit, .init_module = fake_init, .delete_module = fake_delete,
};

struct env {
	struct lkm_ctx *ctx;
	struct lkm_config *cfg;
	struct lkm_resolved *found;
	size_t n;
};

static void env_open(struct env *e, const char *name)
{
	calls[0] = '\0';
	delete_errno = 0;
	fail_name = NULL;
	e->ctx = fx_ctx(&fake);
	e->cfg = fx_config(e->ctx);
	e->found = NULL;
	e->n = 0;
	if (lkm_resolve_lookup(e->ctx, e->cfg, name, &e->found, &e->n, NULL) < 1) {
		fprintf(stderr, "  lookup of %s found nothing\n", name);
		exit(2);
	}
}

static void env_close(struct env *e)
{
	lkm_resolved_free(e->found, e->n);
	lkm_config_free(e->cfg);
	lkm_ctx_unref(e->ctx);
	fx_teardown();
}

/* The plan as "action name" pairs: "load c,load b,install a,...". */
static void plan_text(const struct lkm_load_plan *p, char *buf, size_t size)
{
	static const char *const names[] = { "load", "install", "builtin", "missing", "rm",
					     "remove" };
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->count; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s", i ? "," : "",
					names[p->steps[i].action], p->steps[i].name);
}

static int plan_of(struct env *e, unsigned flags, const char *extra, char *buf, size_t size,
		   struct lkm_load_plan **out)
{
	struct lkm_load_plan *p;
	struct lkm_err err = { 0 };
	int r;

	buf[0] = '\0';
	r = lkm_load_plan_new(e->ctx, e->cfg, &e->found[0], flags, extra, &p, &err);
	if (r < 0) {
		snprintf(buf, size, "%s", err.why);
		return r;
	}
	plan_text(p, buf, size);
	if (out)
		*out = p;
	else
		lkm_load_plan_free(p);
	return r;
}

TEST(dependencies_load_first_in_modules_dep_order)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	env_open(&e, "a");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_STR(buf, "load c,load b,load a");
	CHECK(p->steps[2].target && p->steps[0].required && p->steps[1].required);
	CHECK_INT(lkm_load_plan_run(e.ctx, p, 0, NULL, NULL), ==, 0);
	CHECK_STR(calls, "load c,load b,load a");
	lkm_load_plan_free(p);
	env_close(&e);
}

TEST(options_merge_in_config_order_then_alias_then_command_line)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/1.conf", "options a x=1\noptions alias_a y=2\noptions c z=3\n");
	fx_put("conf/2.conf", "options a w=4\n");
	env_open(&e, "alias-a");
	CHECK_INT(plan_of(&e, 0, "extra=5", buf, sizeof(buf), &p), ==, 0);
	CHECK_STR(p->steps[2].options, "x=1 y=2 w=4 extra=5");
	/* The command line's options are the target's alone; kmod's trailing space stays. */
	CHECK_STR(p->steps[0].options, "z=3 ");
	CHECK_STR(p->steps[1].options, "");
	CHECK_INT(lkm_load_plan_run(e.ctx, p, 0, NULL, NULL), ==, 0);
	CHECK_STR(calls, "load c(z=3 ),load b,load a(x=1 y=2 w=4 extra=5)");
	lkm_load_plan_free(p);
	env_close(&e);
}

TEST(blacklist_holds_for_aliases_and_for_names_only_with_use_blacklist)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/bl.conf", "blacklist a\n");
	env_open(&e, "alias-a");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_BLACKLISTED);
	CHECK_INT(p->count, ==, 0);
	lkm_load_plan_free(p);
	lkm_resolved_free(e.found, e.n);
	CHECK_INT(lkm_resolve_lookup(e.ctx, e.cfg, "a", &e.found, &e.n, NULL), ==, 1);
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_READY);
	lkm_load_plan_free(p);
	CHECK_INT(plan_of(&e, LKM_PROBE_USE_BLACKLIST, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_BLACKLISTED);
	lkm_load_plan_free(p);
	env_close(&e);
}

/* libkmod applies the blacklist to the target itself, as its caller's flags say. */
TEST(ignore_blacklist_plans_a_blacklisted_target_but_not_its_blacklisted_softdeps)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/bl.conf", "blacklist a\nsoftdep a pre: alias-s1 s2\nblacklist s1\n");
	env_open(&e, "alias-a");
	CHECK_INT(plan_of(&e, LKM_PROBE_IGNORE_BLACKLIST, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_READY);
	CHECK_STR(buf, "load c,load b,load s2,load a");
	lkm_load_plan_free(p);
	CHECK_INT(plan_of(&e, LKM_PROBE_IGNORE_BLACKLIST | LKM_PROBE_USE_BLACKLIST, NULL, buf,
			  sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_READY);
	lkm_load_plan_free(p);
	env_close(&e);
}

TEST(install_command_carries_cmdline_opts_and_is_handed_to_the_caller)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/i.conf", "install a /sbin/thing --opts=\"$CMDLINE_OPTS\" && echo\n"
			      "options a k=v\n");
	env_open(&e, "a");
	CHECK_INT(plan_of(&e, 0, "m=n", buf, sizeof(buf), &p), ==, 0);
	CHECK_STR(buf, "load c,load b,install a");
	CHECK_STR(p->steps[2].command, "/sbin/thing --opts=\"$CMDLINE_OPTS\" && echo");
	CHECK_STR(p->steps[2].cmdline, "/sbin/thing --opts=\"k=v m=n\" && echo");
	lkm_load_plan_free(p);
	/* -i: the target's command is ignored. */
	CHECK_INT(plan_of(&e, LKM_PROBE_IGNORE_COMMANDS, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load c,load b,load a");
	env_close(&e);
}

TEST(softdep_pre_before_post_after_with_their_own_dependencies)
{
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/s.conf", "softdep d pre: b post: s2\n");
	env_open(&e, "d");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load c,load b,load d,load s2");
	env_close(&e);
}

/* kmod issue 33: modules.softdep and modprobe.d softdeps add up. */
TEST(issue33_module_softdeps_survive_a_config_softdep)
{
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("mod/modules.softdep", "softdep d pre: s1\n");
	fx_put("conf/s.conf", "softdep d post: s2\n");
	env_open(&e, "d");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load s1,load d,load s2");
	env_close(&e);
}

/* kmod issue 446: softdeps made kmod skip the install command and the blacklist. */
TEST(issue446_install_and_blacklist_hold_for_modules_with_softdeps)
{
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("mod/modules.softdep", "softdep d pre: s1\n");
	fx_put("conf/s.conf", "blacklist d\ninstall d /bin/false\n"
			      "softdep e pre: alias-s1 s2\nblacklist s1\n");
	env_open(&e, "d");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "install d");
	lkm_resolved_free(e.found, e.n);
	/* A softdep reached through an alias obeys the blacklist; one by name does not. */
	CHECK_INT(lkm_resolve_lookup(e.ctx, e.cfg, "e", &e.found, &e.n, NULL), ==, 1);
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load s2,load e");
	env_close(&e);
}

TEST(softdep_loop_is_reported_not_followed)
{
	struct env e;
	char buf[512];

	fx_setup();
	fx_put("conf/s.conf", "softdep d pre: e\nsoftdep e pre: f\nsoftdep f pre: d\n");
	env_open(&e, "d");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, -ELOOP);
	CHECK_STR(buf, "softdep loop: d -> e -> f -> d");
	env_close(&e);
	/* pre: one way and post: the other is an order, not a loop. */
	fx_setup();
	fx_put("conf/s.conf", "softdep d pre: e\nsoftdep e post: d\n");
	env_open(&e, "d");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load e,load d");
	env_close(&e);
}

TEST(already_loaded_and_builtin_targets_need_nothing_unless_first_time)
{
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	fx_loaded("a", 0, NULL);
	fx_loaded("c", 1, "b");
	env_open(&e, "a");
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_LOADED);
	lkm_load_plan_free(p);
	CHECK_INT(plan_of(&e, LKM_PROBE_FIRST_TIME, NULL, buf, sizeof(buf), NULL), ==, -EEXIST);
	/* -D plans as if nothing were loaded. */
	CHECK_INT(plan_of(&e, LKM_PROBE_IGNORE_LOADED, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "load c,load b,load a");
	lkm_resolved_free(e.found, e.n);
	/* A loaded dependency is skipped at run time. */
	CHECK_INT(lkm_resolve_lookup(e.ctx, e.cfg, "b", &e.found, &e.n, NULL), ==, 1);
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(lkm_load_plan_run(e.ctx, p, 0, NULL, NULL), ==, 0);
	CHECK_STR(calls, "load b");
	lkm_load_plan_free(p);
	lkm_resolved_free(e.found, e.n);
	CHECK_INT(lkm_resolve_lookup(e.ctx, e.cfg, "bi", &e.found, &e.n, NULL), ==, 1);
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(p->status, ==, LKM_PLAN_LOADED);
	lkm_load_plan_free(p);
	CHECK_INT(plan_of(&e, LKM_PROBE_IGNORE_LOADED, NULL, buf, sizeof(buf), NULL), ==, 0);
	CHECK_STR(buf, "builtin bi");
	env_close(&e);
}

TEST(remove_takes_the_module_then_its_unused_dependencies)
{
	struct env e;

	fx_setup();
	fx_loaded("a", 0, NULL);
	fx_loaded("b", 0, NULL);
	fx_loaded("c", 0, NULL);
	env_open(&e, "a");
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, NULL), ==, 0);
	CHECK_STR(calls, "rm a,rm b,rm c");
	env_close(&e);
	/* In use: refused without a call; not loaded: nothing, or an error with --first-time. */
	fx_setup();
	fx_loaded("a", 2, NULL);
	env_open(&e, "a");
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, NULL), ==, -EBUSY);
	CHECK_STR(calls, "");
	lkm_resolved_free(e.found, e.n);
	CHECK_INT(lkm_resolve_lookup(e.ctx, e.cfg, "d", &e.found, &e.n, NULL), ==, 1);
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, NULL), ==, 0);
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], LKM_PROBE_FIRST_TIME, NULL), ==,
		  -ENOENT);
	CHECK_STR(calls, "");
	env_close(&e);
}

TEST(remove_holders_goes_first_with_remove_holders)
{
	struct env e;

	fx_setup();
	fx_loaded("c", 0, "b");
	fx_loaded("b", 0, NULL);
	env_open(&e, "c");
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], LKM_PROBE_REMOVE_HOLDERS, NULL),
		  ==, 0);
	CHECK_STR(calls, "rm b,rm c");
	env_close(&e);
}

TEST(remove_command_and_softdeps_in_kmod_order)
{
	struct env e;

	fx_setup();
	fx_loaded("d", 0, NULL);
	fx_loaded("s1", 0, NULL);
	fx_loaded("s2", 0, NULL);
	fx_put("conf/s.conf", "softdep d pre: s1 post: s2\n");
	env_open(&e, "d");
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, NULL), ==, 0);
	CHECK_STR(calls, "rm s2,rm d,rm s1");
	env_close(&e);
}

/* kmod issue 386: --wait on a module that stays in use must give up, and fail. */
TEST(issue386_wait_gives_up_after_the_timeout_and_fails)
{
	const struct lkm_load_ops ops = { .wait_msec = 60 };
	struct timespec t0, t1;
	struct env e;
	long ms;

	fx_setup();
	fx_loaded("d", 1, NULL);
	env_open(&e, "d");
	delete_errno = EAGAIN;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, &ops), ==, -EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= 50 && ms < 2000);
	CHECK(strncmp(calls, "rm d,rm d", 9) == 0);
	env_close(&e);
}

/* What ops->explain was handed: "LEVEL LEAD: FIRST" lines. */
static char explained[2048];

static void record_explain(void *data, enum lkm_load_level level, const char *lead,
			   const struct lkm_diagnosis *d)
{
	size_t len = strlen(explained);

	(void)data;
	snprintf(explained + len, sizeof(explained) - len, "%d %s: %s\n", (int)level,
		 lead ? lead : "-", d->first.data);
}

TEST(a_failed_dependency_is_explained_under_the_target)
{
	const struct lkm_load_ops ops = { .explain = record_explain };
	struct lkm_err err = { 0 };
	struct lkm_load_plan *p;
	struct env e;
	char buf[512];

	fx_setup();
	env_open(&e, "a");
	fail_name = "b";
	fail_errno = EIO;
	explained[0] = '\0';
	CHECK_INT(plan_of(&e, 0, NULL, buf, sizeof(buf), &p), ==, 0);
	CHECK_INT(lkm_load_plan_run(e.ctx, p, 0, &ops, &err), ==, -EIO);
	CHECK_STR(calls, "load c,load b");
	CHECK(strstr(explained, "0 could not insert 'a': b was accepted, but its init "
				"function failed with EIO (Input/output error)") != NULL);
	/* Explained: no second reason for the caller to print. */
	CHECK_STR(err.why, "");
	CHECK_INT(err.code, ==, -EIO);
	lkm_load_plan_free(p);
	env_close(&e);
}

TEST(a_refused_removal_is_explained_with_its_reference_count)
{
	const struct lkm_load_ops ops = { .explain = record_explain };
	struct env e;

	fx_setup();
	fx_loaded("a", 2, NULL);
	env_open(&e, "a");
	explained[0] = '\0';
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, &ops), ==, -EBUSY);
	CHECK(strstr(explained, "0 -: Module a is in use (reference count 2)") != NULL);
	env_close(&e);
}

static int refuse_command(void *data, const struct lkm_load_step *s)
{
	(void)data;
	record("run", s->name);
	return -EIO;
}

TEST(a_loop_is_carried_as_names)
{
	const struct lkm_load_ops ops = {
		.run_command = refuse_command, .explain = record_explain, .command_chain = "x a",
	};
	struct lkm_err err = { 0 };
	struct lkm_load_plan *p;
	struct env e;

	fx_setup();
	fx_put("conf/s.conf", "softdep d pre: e\nsoftdep e pre: f\nsoftdep f pre: d\n");
	env_open(&e, "d");
	CHECK_INT(lkm_load_plan_new(e.ctx, e.cfg, &e.found[0], 0, NULL, &p, &err), ==, -ELOOP);
	CHECK_STR(err.loop.kind, "softdep");
	CHECK_INT(err.loop.n, ==, 4);
	CHECK_STR(err.loop.names[0], "d");
	CHECK_STR(err.loop.names[2], "f");
	CHECK_STR(err.loop.names[3], "d");
	env_close(&e);
	/* An install command of a module whose command runs already is not run again. */
	fx_setup();
	fx_put("conf/i.conf", "install a /bin/true\nremove a /bin/true\n");
	fx_loaded("a", 0, NULL);
	env_open(&e, "a");
	memset(&err, 0, sizeof(err));
	CHECK_INT(lkm_load_plan_new(e.ctx, e.cfg, &e.found[0], LKM_PROBE_IGNORE_LOADED, NULL, &p,
				    &err), ==, 0);
	CHECK_INT(lkm_load_plan_run(e.ctx, p, LKM_PROBE_IGNORE_LOADED, &ops, &err), ==, -ELOOP);
	lkm_load_plan_free(p);
	CHECK_STR(calls, "load c,load b");
	CHECK_STR(err.loop.kind, "install");
	CHECK_INT(err.loop.n, ==, 3);
	CHECK_STR(err.loop.names[0], "x");
	CHECK_STR(err.loop.names[1], "a");
	CHECK_STR(err.loop.names[2], "a");
	/* The same for a remove command: explained, as removal's failures are. */
	explained[0] = '\0';
	CHECK_INT(lkm_remove_module(e.ctx, e.cfg, &e.found[0], 0, &ops), ==, -ELOOP);
	CHECK_STR(calls, "load c,load b");
	CHECK(strstr(explained, "0 -: remove loop: x -> a -> a") != NULL);
	env_close(&e);
}

TEST(command_expand_replaces_every_cmdline_opts)
{
	char *s;

	CHECK_INT(lkm_command_expand("a $CMDLINE_OPTS b $CMDLINE_OPTS", "x=1", &s), ==, 0);
	CHECK_STR(s, "a x=1 b x=1");
	free(s);
	CHECK_INT(lkm_command_expand("$CMDLINE_OPTS", NULL, &s), ==, 0);
	CHECK_STR(s, "");
	free(s);
}

TEST(options_join_quotes_a_spaced_value_as_kmod_34)
{
	/* Writable, as argv is. */
	char a[] = "a=1", b[] = "b=x y", c[] = "c=\"p q\"", d[] = "d", e[] = "e='r s'";
	char *args[] = { a, b, c, d, e };
	char *s;

	CHECK_INT(lkm_options_join(args, 5, &s), ==, 0);
	CHECK_STR(s, "a=1 b=\"x y\" c=\"p q\" d e='r s'");
	free(s);
	CHECK_INT(lkm_options_join(args, 0, &s), ==, 0);
	CHECK_STR(s, "");
	free(s);
}

TEST(options_prepend_splits_modprobe_options_as_kmod)
{
	char prog[] = "modprobe", fat[] = "fat";
	char *argv[] = { prog, fat, NULL };
	char **v;
	int n = 2;

	CHECK_INT(lkm_options_prepend("  -v \"-n\"  a'b c'd \"\" ", &n, argv, &v), ==, 0);
	CHECK_INT(n, ==, 6);
	CHECK_STR(v[0], "modprobe");
	CHECK_STR(v[1], "-v");
	CHECK_STR(v[2], "-n");
	CHECK_STR(v[3], "ab cd");
	CHECK_STR(v[4], "");
	CHECK_STR(v[5], "fat");
	CHECK(v[6] == NULL);
	free(v);
	n = 1;
	CHECK_INT(lkm_options_prepend("", &n, argv, &v), ==, 0);
	CHECK(n == 1 && v[1] == NULL);
	free(v);
}

TEST(a_step_is_shown_as_kmod_prints_it)
{
	char name[] = "a", path[] = "/m/a.ko", options[] = "x=1";
	char command[] = "/bin/true $CMDLINE_OPTS", cmdline[] = "/bin/true x=1";
	struct lkm_load_step s = {
		.action = LKM_STEP_INSMOD, .name = name, .path = path, .options = options,
		.command = command, .cmdline = cmdline,
	};
	struct lkm_buf b = { 0 };

	CHECK_INT(lkm_load_step_show(&s, &b), ==, 0);
	s.action = LKM_STEP_INSTALL;
	CHECK_INT(lkm_load_step_show(&s, &b), ==, 0);
	s.action = LKM_STEP_MISSING;
	CHECK_INT(lkm_load_step_show(&s, &b), ==, 0);
	s.action = LKM_STEP_REMOVE;
	CHECK_INT(lkm_load_step_show(&s, &b), ==, 0);
	CHECK_STR(b.data, "insmod /m/a.ko x=1\ninstall /bin/true $CMDLINE_OPTS x=1\n"
			  "remove /bin/true x=1\n");
	lkm_buf_free(&b);
}

TEST(a_blacklisted_or_loaded_module_is_a_status_not_an_error)
{
	enum lkm_plan_status st;
	struct lkm_diagnosis d;
	struct env e;

	fx_setup();
	fx_put("conf/bl.conf", "blacklist a\n");
	env_open(&e, "alias-a");
	CHECK_INT(lkm_load_module(e.ctx, e.cfg, &e.found[0], 0, NULL, NULL, &st, NULL), ==, 0);
	CHECK_INT(st, ==, LKM_PLAN_BLACKLISTED);
	CHECK_STR(calls, "");
	CHECK_INT(lkm_load_check(e.ctx, e.cfg, &e.found[0], 0, NULL, &st, &d), ==, 0);
	CHECK_INT(st, ==, LKM_PLAN_BLACKLISTED);
	CHECK_INT(d.first.len, ==, 0);
	lkm_diagnosis_release(&d);
	env_close(&e);
	fx_setup();
	fx_loaded("a", 0, NULL);
	env_open(&e, "a");
	CHECK_INT(lkm_load_module(e.ctx, e.cfg, &e.found[0], 0, NULL, NULL, &st, NULL), ==, 0);
	CHECK_INT(st, ==, LKM_PLAN_LOADED);
	CHECK_STR(calls, "");
	CHECK_INT(lkm_load_check(e.ctx, e.cfg, &e.found[0], 0, NULL, &st, &d), ==, 0);
	CHECK_INT(st, ==, LKM_PLAN_LOADED);
	CHECK_STR(d.first.data,
		  "a would load: it is in the kernel already, modprobe has nothing to do");
	lkm_diagnosis_release(&d);
	env_close(&e);
}

TEST(command_run_sets_the_module_and_the_chain_then_puts_them_back)
{
	int code;

	unsetenv("LKM_MODPROBE_CHAIN");
	unsetenv("MODPROBE_MODULE");
	CHECK_INT(lkm_command_run("test \"$MODPROBE_MODULE\" = foo && "
				  "test \"$LKM_MODPROBE_CHAIN\" = foo", "foo", &code), ==, 0);
	CHECK_INT(code, ==, 0);
	CHECK(getenv("LKM_MODPROBE_CHAIN") == NULL && getenv("MODPROBE_MODULE") == NULL);
	setenv("LKM_MODPROBE_CHAIN", "a b", 1);
	CHECK_INT(lkm_command_run("test \"$LKM_MODPROBE_CHAIN\" = 'a b foo'", "foo", &code),
		  ==, 0);
	CHECK_STR(getenv("LKM_MODPROBE_CHAIN"), "a b");
	unsetenv("LKM_MODPROBE_CHAIN");
	CHECK_INT(lkm_command_run("exit 3", "foo", &code), ==, -EINVAL);
	CHECK_INT(code, ==, 3);
}

TEST_MAIN()
