// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's incremental cache on a small tree of real modules (fat, vfat, msdos from the
 * Debian 6.1 test tree): round trip, what the key catches, and caches that are
 * truncated, flipped, foreign or from another version, which must be ignored with a
 * warning and never crash. Uses the engine's internal header to see what was read.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "depmod-internal.h"
#include "test.h"

#define SRC "/var/cache/lkm-test/trees/linux-image-6.1.0-56-amd64-unsigned/lib/modules/" \
	    "6.1.0-56-amd64/kernel/fs/fat/"

static char root[256], cache[300], fatdir[300];
static char logbuf[16384];
static bool have_tree;

static void log_fn(void *data, enum lkm_depmod_level level, const char *msg)
{
	size_t l = strlen(logbuf);

	(void)data;
	if (level != LKM_DEPMOD_INFO)
		snprintf(logbuf + l, sizeof(logbuf) - l, "%s\n", msg);
}

static void options(struct lkm_depmod_options *o, bool use_cache)
{
	static const char *const none[] = { "/nonexistent", NULL };

	memset(o, 0, sizeof(*o));
	o->dirname = root;
	o->kver = "6.1.0";
	o->config_paths = none;
	o->cache = use_cache ? cache : NULL;
	o->log = log_fn;
}

/*
 * One depmod run; the modules read from their file and from the cache. Records are
 * cached however recent (racy window 0) unless @racy.
 */
static int run_racy(bool use_cache, bool racy, int dry_run_fd, size_t *scanned,
		    size_t *cached)
{
	struct lkm_depmod_options o;
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	int r;

	options(&o, use_cache);
	logbuf[0] = '\0';
	r = lkm_depmod_new(&o, &d, &err);
	if (r < 0)
		return r;
	if (!racy)
		d->racy_ns = 0;
	r = lkm_depmod_build(d, &err);
	if (r == 0)
		r = lkm_depmod_write(d, dry_run_fd, &err);
	if (scanned)
		*scanned = d->n_scanned;
	if (cached)
		*cached = d->n_cached;
	lkm_depmod_free(d);
	return r;
}

static int run(bool use_cache, int dry_run_fd, size_t *scanned, size_t *cached)
{
	return run_racy(use_cache, false, dry_run_fd, scanned, cached);
}

static char *slurp(const char *rel)
{
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lkm_read_file(path, 64 << 20, &text, &len) < 0)
		return NULL;
	return text;
}

/* modules.dep + modules.alias + modules.symbols, as one string to compare. */
static char *outputs(void)
{
	char *a = slurp("modules.dep"), *b = slurp("modules.alias"), *c = slurp("modules.symbols");
	char *all = NULL;

	if (a && b && c && asprintf(&all, "%s%s%s", a, b, c) < 0)
		all = NULL;
	free(a);
	free(b);
	free(c);
	return all;
}

static void copy_file(const char *from, const char *to)
{
	char *text = NULL;
	size_t len = 0;
	int fd;

	CHECK(lkm_read_file(from, 64 << 20, &text, &len) == 0);
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0 && text)
		CHECK(write(fd, text, len) == (ssize_t)len);
	if (fd >= 0)
		close(fd);
	free(text);
}

static void setup(void)
{
	static const char *const mods[] = { "fat.ko", "vfat.ko", "msdos.ko" };
	char cmd[600], from[512], to[600];
	size_t i;

	have_tree = access(SRC "fat.ko", R_OK) == 0;
	if (!have_tree) {
		fprintf(stderr, "  (no Debian 6.1 tree: cache tests skipped)\n");
		return;
	}
	snprintf(root, sizeof(root), "/tmp/lkm-test-depmod-cache.%d", (int)getpid());
	snprintf(fatdir, sizeof(fatdir), "%s/kernel/fs/fat", root);
	snprintf(cache, sizeof(cache), "%s/modules.lkm-cache", root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", root, fatdir);
	CHECK(system(cmd) == 0);
	for (i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), SRC "%s", mods[i]);
		snprintf(to, sizeof(to), "%s/%s", fatdir, mods[i]);
		copy_file(from, to);
	}
}

static void teardown(void)
{
	char cmd[300];

	if (!root[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}

static char *reference;

TEST(cache_round_trip)
{
	size_t scanned = 0, cached = 0;
	struct stat st1, st2;
	char *out;

	setup();
	if (!have_tree)
		return;
	CHECK_INT(run(false, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 3);
	CHECK(access(cache, F_OK) < 0); /* no cache: none written */
	reference = outputs();
	CHECK(reference && strstr(reference, "kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko"));

	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 3);
	CHECK(stat(cache, &st1) == 0);
	out = outputs();
	CHECK(out && reference && strcmp(out, reference) == 0);
	free(out);

	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 0);
	CHECK_INT(cached, ==, 3);
	out = outputs();
	CHECK(out && reference && strcmp(out, reference) == 0);
	free(out);
	/* Nothing changed: the cache is not rewritten. */
	CHECK(stat(cache, &st2) == 0 && st2.st_ino == st1.st_ino);
	CHECK(strstr(logbuf, "ignoring the cache") == NULL);
}

TEST(cache_key_catches_changes)
{
	char path[512];
	struct timespec ts[2];
	struct stat st;
	size_t scanned = 0, cached = 0;
	int fd;

	if (!have_tree)
		return;
	snprintf(path, sizeof(path), "%s/msdos.ko", fatdir);
	/* ctime only (chmod): still caught. */
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);

	/* An edit in place, same size, mtime set back: ctime still moves. */
	CHECK(stat(path, &st) == 0);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, "\x7f", 1, 0) == 1);
	close(fd);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);

	/* A removed module leaves its entry unused; the output is a full rebuild's. */
	CHECK(unlink(path) == 0);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 0);
	CHECK_INT(cached, ==, 2);
	{
		char *out = outputs();

		CHECK(out && !strstr(out, "msdos"));
		free(out);
	}
	/* An added one is read. */
	copy_file(SRC "msdos.ko", path);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);
	{
		char *out = outputs();

		CHECK(out && reference && strcmp(out, reference) == 0);
		free(out);
	}
}

TEST(cache_dry_run_writes_nothing)
{
	size_t scanned = 0, cached = 0;
	struct stat st1, st2;
	int fd;

	if (!have_tree)
		return;
	CHECK(stat(cache, &st1) == 0);
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	CHECK(chmod(fatdir, 0755) == 0);
	CHECK(chmod(cache, 0644) == 0);
	CHECK(utimensat(AT_FDCWD, cache, NULL, 0) == 0);
	/* msdos.ko changed: read again, but -n must not write the cache. */
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/msdos.ko", fatdir);
		CHECK(chmod(path, 0640) == 0);
	}
	CHECK_INT(run(true, fd, &scanned, &cached), ==, 0);
	close(fd);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);
	CHECK(stat(cache, &st2) == 0 && st2.st_ino == st1.st_ino);
}

/* A record changed within the racy window is used but not saved: read next time too. */
TEST(cache_racy_records_not_saved)
{
	size_t scanned = 0, cached = 0;
	char path[512];

	if (!have_tree)
		return;
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	sleep(3); /* every module older than the window, but the one changed now */
	snprintf(path, sizeof(path), "%s/vfat.ko", fatdir);
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(run_racy(true, true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(run_racy(true, true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 0);
}

static void put_cache(const unsigned char *data, size_t len)
{
	int fd = open(cache, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(len == 0 || write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* Load @data as the cache; returns how many entries were accepted. */
static size_t load(const unsigned char *data, size_t len)
{
	struct lkm_depmod_options o;
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	size_t n;

	put_cache(data, len);
	options(&o, true);
	logbuf[0] = '\0';
	if (lkm_depmod_new(&o, &d, &err) < 0)
		return (size_t)-1;
	CHECK(depmod_cache_load(d) == 0);
	n = d->cache.n_entries;
	lkm_depmod_free(d);
	return n;
}

static unsigned char *good;
static size_t good_len;

static void read_good(void)
{
	char *text = NULL;
	size_t scanned;

	/* A fresh, complete cache: every module old enough by now. */
	unlink(cache);
	CHECK_INT(run(true, -1, &scanned, NULL), ==, 0);
	CHECK(lkm_read_file(cache, 64 << 20, &text, &good_len) == 0);
	good = (unsigned char *)text;
}

TEST(cache_truncated_at_every_byte)
{
	size_t i, bad = 0;

	if (!have_tree)
		return;
	read_good();
	if (!good)
		return;
	CHECK_INT(load(good, good_len), ==, 3);
	CHECK(logbuf[0] == '\0');
	for (i = 0; i < good_len; i++) {
		if (load(good, i) != 0 || !strstr(logbuf, "ignoring the cache"))
			bad++;
	}
	CHECK_INT(bad, ==, 0);
}

TEST(cache_bit_flips)
{
	unsigned char *copy;
	size_t i, bad = 0, crashed_not = 0;
	unsigned seed = 12345;

	if (!good)
		return;
	copy = malloc(good_len);
	CHECK(copy != NULL);
	if (!copy)
		return;
	/* Caught by the checksum. */
	for (i = 0; i < 3000; i++) {
		size_t bit = (size_t)rand_r(&seed) % (good_len * 8);

		memcpy(copy, good, good_len);
		copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (load(copy, good_len) != 0 || !strstr(logbuf, "ignoring the cache"))
			bad++;
	}
	CHECK_INT(bad, ==, 0);
	/* Past a recomputed checksum: the checks of every length and offset must hold. */
	for (i = 0; i < 3000; i++) {
		size_t k, n = 1 + (size_t)rand_r(&seed) % 4;
		uint64_t h;

		memcpy(copy, good, good_len);
		for (k = 0; k < n; k++) {
			size_t pos = 40 + (size_t)rand_r(&seed) % (good_len - 40);

			copy[pos] = (unsigned char)rand_r(&seed);
		}
		h = depmod_cache_checksum((const char *)copy + 40, good_len - 40);
		memcpy(copy + 24, &h, 8);
		load(copy, good_len); /* accepted or not, it must not crash */
		crashed_not++;
	}
	CHECK_INT(crashed_not, ==, 3000);
	free(copy);
}

TEST(cache_foreign_and_old)
{
	unsigned char *copy;
	uint32_t v;

	if (!good)
		return;
	copy = malloc(good_len);
	if (!copy)
		return;
	memcpy(copy, good, good_len);
	copy[0] = 'X';
	CHECK_INT(load(copy, good_len), ==, 0);
	CHECK(strstr(logbuf, "not an lkm depmod cache") != NULL);

	memcpy(copy, good, good_len);
	v = 0x04030201;
	memcpy(copy + 8, &v, 4);
	CHECK_INT(load(copy, good_len), ==, 0);
	CHECK(strstr(logbuf, "byte order") != NULL);

	memcpy(copy, good, good_len);
	memcpy(&v, copy + 12, 4);
	v++;
	memcpy(copy + 12, &v, 4);
	CHECK_INT(load(copy, good_len), ==, 0);
	CHECK(strstr(logbuf, "another version") != NULL);

	CHECK_INT(load((const unsigned char *)"hello", 5), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	CHECK_INT(load(copy, 0), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	free(copy);
}

TEST(cache_corrupt_gives_full_identical_output)
{
	size_t scanned = 0, cached = 0;
	char *out;

	if (!good)
		return;
	/* A flipped byte in the middle: warned about, then a full scan. */
	good[good_len / 2] ^= 0x20;
	put_cache(good, good_len);
	good[good_len / 2] ^= 0x20;
	logbuf[0] = '\0';
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	CHECK_INT(scanned, ==, 3);
	CHECK_INT(cached, ==, 0);
	out = outputs();
	CHECK(out && reference && strcmp(out, reference) == 0);
	free(out);
	/* And it was replaced by a good one. */
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(cached, ==, 3);
	free(good);
	free(reference);
	teardown();
}

TEST_MAIN()
