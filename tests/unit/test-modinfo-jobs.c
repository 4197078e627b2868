// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * modinfo-jobs.c: module files written here, decoded by the pool or by the caller,
 * come back in the order of the specs, each with its own fields or its own error; a
 * name that finds nothing is a result in its place; one module starts no thread.
 */
#include <unistd.h>

#include "elf-fixture.h"
#include "fixture.h"
#include "lkm-internal.h"
#include "test.h"

#define NSPECS 40

static char root[] = "/tmp/lkm-test-modinfo-jobs.XXXXXX";
static char paths[NSPECS][1100];
static char *specs[NSPECS];
static struct lkm_ctx *ctx;

/* Spec i: a module whose description is "module i"; 7 is broken, 20 a missing name. */
static void setup(void)
{
	struct lkm_ctx_config cfg = { 0 };
	size_t i;

	if (ctx)
		return;
	if (!mkdtemp(root))
		abort();
	for (i = 0; i < NSPECS; i++) {
		char rel[32], mi[64];
		struct fx_module_spec m = { .is64 = true, .machine = 62, .name = "m" };
		struct fx_image img;
		int n;

		snprintf(rel, sizeof(rel), "m%zu.ko", i);
		fixture_path(paths[i], sizeof(paths[i]), root, rel);
		specs[i] = paths[i];
		if (i == 20) {
			snprintf(paths[i], sizeof(paths[i]), "no_such_module");
			continue;
		}
		if (i == 7) {
			fixture_write(root, rel, "not a module", 12, "w");
			continue;
		}
		n = snprintf(mi, sizeof(mi), "description=module %zu%cparm=p:x", i, 0);
		m.modinfo = mi;
		m.modinfo_len = (size_t)n + 1;
		img = fx_module(&m);
		fixture_write(root, rel, img.data, img.size, "w");
		free(img.data);
	}
	cfg.dirname = root;
	cfg.kver = "1.0-test";
	if (lkm_ctx_new(&cfg, &ctx) < 0)
		abort();
}

static int threads_now(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static void check_result(const struct lkm_modinfo_result *res, size_t i)
{
	char want[32];

	CHECK(res->spec == specs[i]);
	if (i == 20) {
		CHECK(res->name == NULL);
		CHECK_INT(res->error, ==, -ENOENT);
		return;
	}
	snprintf(want, sizeof(want), "m%zu", i);
	CHECK_STR(res->name, want);
	CHECK_STR(res->path, paths[i]);
	if (i == 7) {
		CHECK_INT(res->error, <, 0);
		CHECK(res->reason && strstr(res->reason, "ELF"));
		CHECK(res->info == NULL);
		return;
	}
	snprintf(want, sizeof(want), "module %zu", i);
	CHECK_INT(res->error, ==, 0);
	CHECK(res->info != NULL);
	if (res->info) {
		size_t n;
		const struct lkm_modinfo_entry *e = lkm_modinfo_get_entries(res->info, &n);

		CHECK_INT(n, ==, 2);
		if (n == 2)
			CHECK_STR(e[0].value, want);
	}
}

TEST(many_in_order_each_with_its_result)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;
	size_t i = 0;
	int before;

	setup();
	before = threads_now();
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs, NSPECS, 0, &jobs), ==, 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		CHECK_INT(lkm_modinfo_jobs_threads(jobs), >, 0);
	while (lkm_modinfo_jobs_next(jobs, &res) > 0 && i < NSPECS)
		check_result(res, i++);
	CHECK_INT(i, ==, NSPECS);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 0);
	lkm_modinfo_jobs_free(jobs);
	CHECK_INT(threads_now(), ==, before);
}

TEST(one_module_starts_no_thread)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;
	int before;

	setup();
	before = threads_now();
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs + 3, 1, 0, &jobs), ==, 0);
	CHECK_INT(lkm_modinfo_jobs_threads(jobs), ==, 0);
	CHECK_INT(threads_now(), ==, before);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 1);
	check_result(res, 3);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 0);
	lkm_modinfo_jobs_free(jobs);
}

/* modinfo -n names a file without opening it: the broken one is no error. */
TEST(no_decode_finds_only)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;
	size_t i = 0;
	int before;

	setup();
	before = threads_now();
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs, NSPECS, LKM_MODINFO_JOBS_NO_DECODE,
				       &jobs), ==, 0);
	CHECK_INT(lkm_modinfo_jobs_threads(jobs), ==, 0);
	CHECK_INT(threads_now(), ==, before);
	while (lkm_modinfo_jobs_next(jobs, &res) > 0) {
		CHECK_INT(res->error, ==, i == 20 ? -ENOENT : 0);
		CHECK(res->info == NULL);
		i++;
	}
	CHECK_INT(i, ==, NSPECS);
	lkm_modinfo_jobs_free(jobs);
}

/* kmod shows a relative path joined to the working directory, as given. */
TEST(relative_path_joined_to_cwd)
{
	char spec[] = "./m3.ko", *rel[] = { spec }, *cwd = getcwd(NULL, 0), want[1200];
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;

	setup();
	if (!cwd || chdir(root) < 0)
		abort();
	snprintf(want, sizeof(want), "%s/./m3.ko", root);
	CHECK_INT(lkm_modinfo_jobs_new(ctx, rel, 1, 0, &jobs), ==, 0);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 1);
	CHECK_STR(res->path, want);
	CHECK_STR(res->name, "m3");
	CHECK_INT(res->error, ==, 0);
	lkm_modinfo_jobs_free(jobs);
	if (chdir(cwd) < 0)
		abort();
	free(cwd);
}

/* -m: a spec is a name even when a file of that name exists. */
TEST(by_name_never_a_path)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;

	setup();
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs, 2, LKM_MODINFO_JOBS_BY_NAME, &jobs),
		  ==, 0);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 1);
	CHECK(res->name == NULL);
	CHECK_INT(res->error, ==, -ENOENT);
	lkm_modinfo_jobs_free(jobs);
}

/* Freed half-way, with workers still decoding: they stop, and nothing leaks (ASan). */
TEST(free_before_the_end)
{
	const struct lkm_modinfo_result *res;
	struct lkm_modinfo_jobs *jobs;
	int before;

	setup();
	before = threads_now();
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs, NSPECS, 0, &jobs), ==, 0);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 1);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 1);
	check_result(res, 1);
	lkm_modinfo_jobs_free(jobs);
	CHECK_INT(threads_now(), ==, before);
	CHECK_INT(lkm_modinfo_jobs_new(ctx, specs, 0, 0, &jobs), ==, 0);
	CHECK_INT(lkm_modinfo_jobs_next(jobs, &res), ==, 0);
	lkm_modinfo_jobs_free(jobs);
}

TEST(cleanup)
{
	char path[1200];
	size_t i;

	for (i = 0; i < NSPECS; i++)
		unlink(paths[i]);
	snprintf(path, sizeof(path), "%s", root);
	rmdir(path);
	lkm_ctx_unref(ctx);
}

TEST_MAIN()
