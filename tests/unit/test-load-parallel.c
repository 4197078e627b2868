// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * load-parallel.c: lkm_load_many() on the fixture tree of test-resolve.c, with a fake
 * kernel whose finit_module sleeps a random while (threads really overlap), marks the
 * module live in the fixture /sys, and records when each load began and ended. Each
 * run is compared with the serial one: lkm_load_module() request after request.
 */
#define LKM_FIXTURE_ONLY
#include "test-resolve.c"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_CALLS 256

struct call {
	char name[LKM_NAME_MAX];
	unsigned begin, end; /* ticks of one clock shared by all loads */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct call calls[MAX_CALLS];
static size_t n_calls;
static unsigned ticks, in_flight, max_in_flight;
static bool twice_at_once;   /* a module was loaded while its own load ran */
static const char *fail_name; /* finit_module fails for it with fail_errno */
static int fail_errno;
static unsigned max_delay_us; /* each load sleeps up to this long */
static unsigned seed = 1;

static void reset_kernel(unsigned delay_us)
{
	n_calls = ticks = in_flight = max_in_flight = 0;
	twice_at_once = false;
	fail_name = NULL;
	max_delay_us = delay_us;
}

static void mark_live(const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/module/%s", fx_root, name);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", fx_root, name);
	f = fopen(path, "w");
	if (f) {
		fputs("live\n", f);
		fclose(f);
	}
}

static long fake_finit(int fd, const char *params, int flags)
{
	char name[LKM_NAME_MAX];
	struct timespec ts = { 0 };
	size_t me, i;
	bool fail;

	(void)params;
	(void)flags;
	if (fx_fd_module_name(fd, name, sizeof(name)) < 0)
		return -1;
	pthread_mutex_lock(&lock);
	for (i = 0; i < n_calls; i++)
		if (strcmp(calls[i].name, name) == 0 && !calls[i].end)
			twice_at_once = true;
	me = n_calls < MAX_CALLS ? n_calls++ : MAX_CALLS - 1;
	snprintf(calls[me].name, sizeof(calls[me].name), "%s", name);
	calls[me].begin = ++ticks;
	calls[me].end = 0;
	if (++in_flight > max_in_flight)
		max_in_flight = in_flight;
	ts.tv_nsec = max_delay_us ? (long)(rand_r(&seed) % max_delay_us) * 1000 : 0;
	pthread_mutex_unlock(&lock);
	nanosleep(&ts, NULL);
	fail = fail_name && strcmp(name, fail_name) == 0;
	if (!fail)
		mark_live(name);
	pthread_mutex_lock(&lock);
	calls[me].end = ++ticks;
	in_flight--;
	pthread_mutex_unlock(&lock);
	if (fail) {
		errno = fail_errno;
		return -1;
	}
	return 0;
}

static const struct lkm_syscalls fake = { .finit_module = fake_finit };

/* The fixture's context, with no kernel log to read (the host's is not ours). */
static struct lkm_ctx *ctx_open(void)
{
	return fx_ctx_kmsg(&fake, "no-kmsg");
}

/* What the requests said, in the order the ops heard it, and what each returned. */
struct said {
	struct lkm_buf text;
};

static void said_show(void *data, const struct lkm_load_step *s)
{
	struct said *w = data;

	if (lkm_load_step_show(s, &w->text) < 0)
		exit(2);
}

static void said_log(void *data, enum lkm_load_level level, const char *msg)
{
	if (lkm_buf_printf(&((struct said *)data)->text, "log %d %s\n", (int)level, msg) < 0)
		exit(2);
}

static void said_explain(void *data, enum lkm_load_level level, const char *lead,
			 const struct lkm_diagnosis *d)
{
	if (lkm_buf_printf(&((struct said *)data)->text, "explain %d %s: %s\n%s", (int)level,
			   lead ? lead : "-", d->first.data,
			   d->detail.len ? d->detail.data : "") < 0)
		exit(2);
}

static int said_command(void *data, const struct lkm_load_step *s)
{
	int code, r = lkm_command_run(s->cmdline, s->name, &code);

	if (lkm_buf_printf(&((struct said *)data)->text, "command %s: %d\n", s->name, code) < 0)
		exit(2);
	return r;
}

static void said_step_done(void *data, const struct lkm_load_step *s, int result)
{
	if (lkm_buf_printf(&((struct said *)data)->text, "step %s: %d\n", s->name, result) < 0)
		exit(2);
}

static void said_done(void *data, size_t i, struct lkm_load_request *req)
{
	if (lkm_buf_printf(&((struct said *)data)->text, "done %zu %s: %d %d %s\n", i,
			   req->target->name, req->result, (int)req->status, req->err.why) < 0)
		exit(2);
}

struct outcome {
	char said[8192];
	char loaded[512];  /* the modules live in /sys at the end, sorted */
	char loads[1024];  /* the finit_module calls, sorted by name (each module's count) */
	char order[1024];  /* the calls in the order they began */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void outcome_of_kernel(struct outcome *out)
{
	static const char *const mods[] = { "a", "b", "c", "d", "e", "f", "s1", "s2" };
	const char *names[MAX_CALLS];
	char path[512];
	size_t i, len = 0;

	out->loaded[0] = out->loads[0] = out->order[0] = '\0';
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "%s/sys/module/%s/initstate", fx_root, mods[i]);
		if (access(path, F_OK) == 0)
			len += (size_t)snprintf(out->loaded + len, sizeof(out->loaded) - len, "%s ",
						mods[i]);
	}
	for (i = 0, len = 0; i < n_calls; i++) {
		names[i] = calls[i].name;
		len += (size_t)snprintf(out->order + len, sizeof(out->order) - len, "%s ",
					calls[i].name);
	}
	qsort(names, n_calls, sizeof(names[0]), cmp_str);
	for (i = 0, len = 0; i < n_calls; i++)
		len += (size_t)snprintf(out->loads + len, sizeof(out->loads) - len, "%s ", names[i]);
}

/* @text with the fixture's root (a new one each run) written ROOT. */
static void said_copy(char *out, size_t size, const char *text)
{
	size_t len = 0, root = strlen(fx_root);
	const char *p;

	out[0] = '\0';
	while ((p = strstr(text, fx_root))) {
		len += (size_t)snprintf(out + len, size - len, "%.*sROOT", (int)(p - text), text);
		text = p + root;
	}
	snprintf(out + len, size - len, "%s", text);
}

/* A fresh fixture with @conf in conf/t.conf, and @names loaded: @jobs 0 is the serial
 * reference (lkm_load_module in a loop); else lkm_load_many() with that many jobs. */
static void run(const char *conf, const char *const *names, size_t n, unsigned flags,
		unsigned jobs, unsigned delay_us, const char *fail, struct outcome *out)
{
	struct lkm_resolved *found[16];
	struct lkm_load_request reqs[16];
	size_t counts[16], i;
	struct said w = { 0 };
	const struct lkm_load_ops ops = {
		.show = said_show, .log = said_log, .explain = said_explain,
		.run_command = said_command, .step_done = said_step_done, .data = &w,
	};
	struct lkm_load_many_opts lo = { .jobs = jobs, .done = said_done, .data = &w };
	struct lkm_config *cfg;
	struct lkm_ctx *ctx;

	fx_setup();
	if (conf)
		fx_put("conf/t.conf", conf);
	ctx = ctx_open();
	cfg = fx_config(ctx);
	reset_kernel(delay_us);
	fail_name = fail;
	fail_errno = EIO;
	for (i = 0; i < n; i++) {
		if (lkm_resolve_lookup(ctx, cfg, names[i], &found[i], &counts[i], NULL) != 1) {
			fprintf(stderr, "  lookup of %s: not one module\n", names[i]);
			exit(2);
		}
		reqs[i] = (struct lkm_load_request){ .target = found[i], .ops = &ops };
	}
	if (jobs == 0) {
		for (i = 0; i < n; i++) {
			reqs[i].result = lkm_load_module(ctx, cfg, found[i], flags, NULL, &ops,
							 &reqs[i].status, &reqs[i].err);
			said_done(&w, i, &reqs[i]);
		}
	} else {
		CHECK_INT(lkm_load_many(ctx, cfg, reqs, n, flags, &lo), ==, 0);
	}
	said_copy(out->said, sizeof(out->said), w.text.data ? w.text.data : "");
	outcome_of_kernel(out);
	lkm_buf_free(&w.text);
	for (i = 0; i < n; i++)
		lkm_resolved_free(found[i], counts[i]);
	lkm_config_free(cfg);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

/* The same outcome serially, with --jobs 1 (and the same calls in the same order), and
 * with 4 jobs several times with random delays. Return: how many parallel runs had two
 * loads at once. */
static unsigned same_as_serial(const char *conf, const char *const *names, size_t n,
			       unsigned flags, const char *fail)
{
	struct outcome serial, got;
	unsigned overlapped = 0;
	int round;

	run(conf, names, n, flags, 0, 0, fail, &serial);
	CHECK(serial.said[0] != '\0');
	run(conf, names, n, flags, 1, 0, fail, &got);
	CHECK_STR(got.said, serial.said);
	CHECK_STR(got.order, serial.order);
	CHECK_STR(got.loaded, serial.loaded);
	for (round = 0; round < 8; round++) {
		run(conf, names, n, flags, 4, 3000, fail, &got);
		CHECK_STR(got.said, serial.said);
		CHECK_STR(got.loaded, serial.loaded);
		CHECK_STR(got.loads, serial.loads);
		CHECK(!twice_at_once);
		overlapped += max_in_flight > 1;
	}
	return overlapped;
}

static size_t call_of(const char *name)
{
	size_t i;

	for (i = 0; i < n_calls; i++)
		if (strcmp(calls[i].name, name) == 0)
			return i;
	fprintf(stderr, "  %s was not loaded\n", name);
	test_failed = 1;
	return 0;
}

/* @first's load ended before @then's began. */
static bool before(const char *first, const char *then)
{
	return calls[call_of(first)].end < calls[call_of(then)].begin;
}

TEST(independent_modules_load_at_once_with_serial_outcome)
{
	static const char *const names[] = { "c", "d", "e", "f", "s1", "s2" };

	CHECK_INT(same_as_serial(NULL, names, 6, 0, NULL), >, 0);
}

TEST(dependencies_and_pre_softdeps_before_post_softdeps_after)
{
	static const char *const names[] = { "a", "d", "e" };
	struct outcome got;
	int round;

	same_as_serial("softdep d pre: s1 post: s2\nsoftdep e pre: f\n", names, 3, 0, NULL);
	for (round = 0; round < 8; round++) {
		run("softdep d pre: s1 post: s2\nsoftdep e pre: f\n", names, 3, 0, 4, 3000, NULL,
		    &got);
		CHECK(before("c", "b") && before("b", "a"));
		CHECK(before("s1", "d") && before("d", "s2"));
		CHECK(before("f", "e"));
		CHECK_STR(got.loads, "a b c d e f s1 s2 ");
	}
}

TEST(shared_dependencies_load_once)
{
	static const char *const names[] = { "a", "b", "c", "a", "d" };
	struct outcome got;

	same_as_serial(NULL, names, 5, 0, NULL);
	run(NULL, names, 5, 0, 4, 3000, NULL, &got);
	CHECK_STR(got.loads, "a b c d ");
}

TEST(a_failed_dependency_fails_each_dependant_as_serially)
{
	static const char *const names[] = { "a", "d", "b", "c", "e" };

	/* c fails: a stops there, b and c try it again (serial modprobe does), d, e load. */
	same_as_serial(NULL, names, 5, 0, "c");
}

TEST(a_failed_soft_dependency_is_said_and_the_module_loads)
{
	static const char *const names[] = { "d", "s1", "e" };

	same_as_serial("softdep d pre: s1 post: s2\n", names, 3, 0, "s1");
	same_as_serial("softdep d pre: s1 post: s2\n", names, 3, 0, "s2");
}

TEST(first_time_and_already_loaded_as_serially)
{
	static const char *const names[] = { "a", "c", "b", "f" };

	same_as_serial(NULL, names, 4, LKM_PROBE_FIRST_TIME, NULL);
	same_as_serial(NULL, names, 4, 0, NULL);
}

TEST(install_commands_and_blacklist_as_serially)
{
	static const char *const names[] = { "a", "e", "alias_s1", "d", "f" };

	same_as_serial("install e /bin/true\nblacklist d\noptions f x=1\n", names, 5, 0, NULL);
	same_as_serial("install e /bin/false\n", names, 5, 0, NULL);
}

TEST(dry_run_shows_every_step_in_argument_order)
{
	static const char *const names[] = { "a", "d", "b" };

	same_as_serial("softdep d pre: s1 post: s2\n", names, 3, LKM_PROBE_DRY_RUN, NULL);
	same_as_serial(NULL, names, 3, LKM_PROBE_DRY_RUN | LKM_PROBE_IGNORE_LOADED, NULL);
	CHECK_INT(n_calls, ==, 0);
}

TEST_MAIN()
