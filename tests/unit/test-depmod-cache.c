// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * depmod's incremental cache on a small tree of synthetic modules built here (a "fat"
 * exporting two symbols, "vfat" and "msdos" needing them, with CRCs, a weak import,
 * aliases, a softdep and a weakdep): round trip, what the key catches, caches that are
 * truncated, flipped, foreign or from another version (ignored with a warning, never
 * a crash), and where the cache lives: the rule of lkm_depmod_default_cache() against
 * a fake /proc, the old in-tree file removed, the caches of removed kernels pruned;
 * and writers at once: of one cache, and of one output directory (which they take in
 * turns). Uses the engine's internal header to see what was read.
 */
#include <fcntl.h>
#include <dirent.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "depmod-internal.h"
#include "elf-fixture.h"
#include "fixture.h"
#include "test.h"

#define KVER "9.9.9-lkm-live"

static char base[256], root[320], fatdir[400], cache[400], cachedir[320], proc[320];
static char logbuf[16384];

static void log_fn(void *data, enum lkm_depmod_level level, const char *msg)
{
	size_t l = strlen(logbuf);

	(void)data;
	if (level != LKM_DEPMOD_INFO)
		snprintf(logbuf + l, sizeof(logbuf) - l, "%s\n", msg);
}

static void put_file(const char *rel, const void *data, size_t len)
{
	fixture_write(root, rel, data, len, "w");
}

/* Space-separated names into NUL-separated ones; returns the length. */
static size_t nul_list(char *out, size_t size, const char *names, char sep)
{
	size_t n = 0, l;
	const char *p = names, *end;

	while (*p) {
		end = strchr(p, sep);
		l = end ? (size_t)(end - p) : strlen(p);
		if (l && n + l + 1 < size) {
			memcpy(out + n, p, l);
			out[n + l] = '\0';
			n += l + 1;
		}
		p += l + (end ? 1 : 0);
	}
	return n;
}

/*
 * A module exporting @exports, needing @imports (a name after '~' is a weak import),
 * each import with a __versions CRC, and with the '|'-separated @modinfo lines.
 */
static void put_module(const char *rel, const char *exports, const char *imports,
		       const char *modinfo)
{
	char ksym[256] = "", strtab[256] = "", mi[512], names[256], *name;
	uint8_t symtab[24 * 8] = { 0 }, versions[64 * 8] = { 0 };
	size_t ksl, stl = 1, mil, nsym = 1, nver = 0, n, i;
	struct fx_section secs[5];
	struct fx_image img;

	ksl = nul_list(ksym, sizeof(ksym), exports, ' ');
	n = nul_list(names, sizeof(names), imports, ' ');
	for (i = 0; i < n && nsym < 8; i += strlen(names + i) + 1) {
		uint8_t *s = symtab + 24 * nsym++;
		bool weak = names[i] == '~';

		name = names + i + weak;
		fx_store(s, false, 4, stl);
		s[4] = weak ? 0x20 : 0x10; /* STB_WEAK or STB_GLOBAL; st_shndx 0: undefined */
		strcpy(strtab + stl, name);
		stl += strlen(name) + 1;
		fx_store(versions + 64 * nver, false, 8, 0x1000u + 17u * (unsigned)stl);
		memcpy(versions + 64 * nver + 8, name, strnlen(name, 55));
		nver++;
	}
	mil = nul_list(mi, sizeof(mi), modinfo, '|');
	secs[0] = (struct fx_section){ ".modinfo", 1, mi, mil };
	secs[1] = (struct fx_section){ "__ksymtab_strings", 1, ksym, ksl ? ksl : 1 };
	secs[2] = (struct fx_section){ ".symtab", 2, symtab, 24 * nsym, 4, 24 };
	secs[3] = (struct fx_section){ ".strtab", 3, strtab, stl };
	secs[4] = (struct fx_section){ "__versions", 1, versions, 64 * nver };
	img = fx_build(true, false, 1, 62, secs, nver ? 5 : 4, false);
	if (!img.data) {
		fprintf(stderr, "cannot build %s\n", rel);
		exit(2);
	}
	put_file(rel, img.data, img.size);
	free(img.data);
}

static void put_msdos(void)
{
	put_module("kernel/fs/fat/msdos.ko", "", "fat_get fat_put",
		   "license=GPL|alias=fs-msdos|weakdep=nls_utf8");
}

/*
 * A fresh fixture: the tree BASE/lib/modules/KVER, a fake /proc saying KVER runs and
 * this is PID 1's root, and an empty cache directory.
 */
static void fresh(const char *name)
{
	char cmd[1400], path[400];

	snprintf(base, sizeof(base), "/tmp/lkm-test-depmod-cache.%d/%s", (int)getpid(), name);
	snprintf(root, sizeof(root), "%s/lib/modules/" KVER, base);
	snprintf(fatdir, sizeof(fatdir), "%s/kernel/fs/fat", root);
	snprintf(cachedir, sizeof(cachedir), "%s/var/cache/lkm", base);
	snprintf(cache, sizeof(cache), "%s/depmod/" KVER, cachedir);
	snprintf(proc, sizeof(proc), "%s/proc", base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' '%s/1' '%s'", base, root, proc,
		 cachedir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make %s\n", base);
		exit(2);
	}
	fixture_write(proc, "sys/kernel/osrelease", KVER "\n", strlen(KVER) + 1, "w");
	snprintf(path, sizeof(path), "%s/1/root", proc);
	if (symlink("/", path) < 0) {
		perror(path);
		exit(2);
	}
	put_module("kernel/fs/fat/fat.ko", "fat_get fat_put", "printk",
		   "license=GPL|alias=fs-fat");
	put_module("kernel/fs/fat/vfat.ko", "", "fat_get printk ~fat_opt",
		   "license=GPL|alias=fs-vfat|softdep=pre: nls_cp437");
	put_msdos();
	logbuf[0] = '\0';
}

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '/tmp/lkm-test-depmod-cache.%d'", (int)getpid());
	CHECK(system(cmd) == 0);
}

static void options(struct lkm_depmod_options *o, const char *cache_file)
{
	static const char *const none[] = { "/nonexistent", NULL };

	memset(o, 0, sizeof(*o));
	o->dirname = root;
	o->kver = KVER;
	o->config_paths = none;
	o->cache = cache_file;
	o->log = log_fn;
}

/*
 * One depmod run with @cache_file (NULL: none); the modules read from their file and
 * from the cache. Records are cached however recent (racy window 0) unless @racy.
 */
static int run_with(const char *cache_file, bool racy, int dry_run_fd, size_t *scanned,
		    size_t *cached)
{
	struct lkm_depmod_options o;
	struct lkm_err err = { 0 };
	struct lkm_depmod *d;
	int r;

	options(&o, cache_file);
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
	return run_with(use_cache ? cache : NULL, false, dry_run_fd, scanned, cached);
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

/* Every text file depmod writes, as one string to compare. */
static char *outputs(void)
{
	static const char *const names[] = { "modules.dep", "modules.alias", "modules.symbols",
					     "modules.softdep", "modules.weakdep" };
	struct lkm_buf all = { 0 };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *t = slurp(names[i]);

		if (!t || lkm_buf_puts(&all, t) < 0) {
			free(t);
			lkm_buf_free(&all);
			return NULL;
		}
		free(t);
	}
	if (lkm_buf_append(&all, "", 1) < 0) {
		lkm_buf_free(&all);
		return NULL;
	}
	return all.data;
}

/* The output of a run without a cache, checked to hold what the fixture declares. */
static char *reference(void)
{
	size_t scanned = 0;
	char *ref;

	CHECK_INT(run(false, -1, &scanned, NULL), ==, 0);
	CHECK_INT(scanned, ==, 3);
	ref = outputs();
	CHECK(ref != NULL);
	if (!ref)
		return NULL;
	CHECK(strstr(ref, "kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko\n") != NULL);
	CHECK(strstr(ref, "kernel/fs/fat/msdos.ko: kernel/fs/fat/fat.ko\n") != NULL);
	CHECK(strstr(ref, "alias fs-msdos msdos\n") != NULL);
	CHECK(strstr(ref, "alias symbol:fat_put fat\n") != NULL);
	CHECK(strstr(ref, "softdep vfat pre: nls_cp437\n") != NULL);
	CHECK(strstr(ref, "weakdep msdos nls_utf8\n") != NULL);
	return ref;
}

static bool same_output(const char *ref)
{
	char *out = outputs();
	bool same = out && ref && strcmp(out, ref) == 0;

	free(out);
	return same;
}

/* The names in the module directory itself that depmod's indexes do not explain. */
static int foreign_files_in_tree(void)
{
	struct dirent *e;
	int n = 0;
	DIR *dir = opendir(root);

	CHECK(dir != NULL);
	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "kernel") == 0)
			continue;
		if (strncmp(e->d_name, "modules.", 8) == 0 && !strstr(e->d_name, "lkm"))
			continue;
		fprintf(stderr, "  in the tree: %s\n", e->d_name);
		n++;
	}
	closedir(dir);
	return n;
}

TEST(cache_round_trip)
{
	size_t scanned = 0, cached = 0;
	struct stat st1, st2;
	char *ref;

	fresh("round");
	ref = reference();
	CHECK(access(cache, F_OK) < 0); /* no cache: none written */

	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 3);
	CHECK(stat(cache, &st1) == 0);
	CHECK(same_output(ref));

	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 0);
	CHECK_INT(cached, ==, 3);
	CHECK(same_output(ref));
	/* Nothing changed: the cache is not rewritten. */
	CHECK(stat(cache, &st2) == 0 && st2.st_ino == st1.st_ino);
	CHECK(strstr(logbuf, "ignoring the cache") == NULL);
	/* Written outside the tree, its directories made; nothing of lkm's in the tree. */
	CHECK_INT(foreign_files_in_tree(), ==, 0);
	free(ref);
}

TEST(cache_key_catches_changes)
{
	char path[512], *ref, *text = NULL, *at;
	struct timespec ts[2];
	struct stat st;
	size_t scanned = 0, cached = 0, len = 0;
	int fd;

	fresh("key");
	ref = reference();
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	snprintf(path, sizeof(path), "%s/msdos.ko", fatdir);
	/* ctime only (chmod): still caught. */
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);

	/* An edit in place, same size, mtime set back: ctime still moves. */
	CHECK(stat(path, &st) == 0);
	CHECK(lkm_read_file(path, 1 << 20, &text, &len) == 0);
	at = text ? memmem(text, len, "alias=fs-msdos", 14) : NULL;
	CHECK(at != NULL);
	fd = open(path, O_WRONLY);
	CHECK(fd >= 0);
	if (at && fd >= 0)
		CHECK(pwrite(fd, "z", 1, at + 13 - text) == 1);
	if (fd >= 0)
		close(fd);
	free(text);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	CHECK(stat(path, &st) == 0 && st.st_mtim.tv_nsec == ts[1].tv_nsec);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	text = slurp("modules.alias");
	CHECK(text && strstr(text, "alias fs-msdoz msdos\n") && !strstr(text, "fs-msdos"));
	free(text);

	/* A removed module leaves its entry unused. */
	CHECK(unlink(path) == 0);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 0);
	CHECK_INT(cached, ==, 2);
	text = outputs();
	CHECK(text && !strstr(text, "msdos"));
	free(text);
	/* An added one is read; the output is a full rebuild's. */
	put_msdos();
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);
	CHECK(same_output(ref));
	free(ref);
}

TEST(cache_dry_run_writes_nothing)
{
	size_t scanned = 0, cached = 0;
	struct stat st1, st2;
	char path[512];
	int fd;

	fresh("dry");
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK(stat(cache, &st1) == 0);
	/* msdos.ko changed: read again, but -n must not write the cache. */
	snprintf(path, sizeof(path), "%s/msdos.ko", fatdir);
	CHECK(chmod(path, 0640) == 0);
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_INT(run(true, fd, &scanned, &cached), ==, 0);
	close(fd);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(cached, ==, 2);
	CHECK(stat(cache, &st2) == 0 && st2.st_ino == st1.st_ino);
	CHECK(st2.st_mtim.tv_sec == st1.st_mtim.tv_sec &&
	      st2.st_mtim.tv_nsec == st1.st_mtim.tv_nsec);
}

/* A record changed within the racy window is used but not saved: read next time too. */
TEST(cache_racy_records_not_saved)
{
	size_t scanned = 0, cached = 0;
	char path[512];

	fresh("racy");
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	sleep(3); /* every module older than the window, but the one changed now */
	snprintf(path, sizeof(path), "%s/vfat.ko", fatdir);
	CHECK(chmod(path, 0600) == 0);
	CHECK_INT(run_with(cache, true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(scanned, ==, 1);
	CHECK_INT(run_with(cache, true, -1, &scanned, &cached), ==, 0);
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
	options(&o, cache);
	logbuf[0] = '\0';
	if (lkm_depmod_new(&o, &d, &err) < 0)
		return (size_t)-1;
	CHECK(depmod_cache_load(d) == 0);
	n = d->cache.n_entries;
	lkm_depmod_free(d);
	return n;
}

/* A fresh tree and a complete cache of it, read into *@len bytes. */
static unsigned char *good_cache(const char *name, size_t *len)
{
	char *text = NULL;

	fresh(name);
	*len = 0;
	CHECK_INT(run(true, -1, NULL, NULL), ==, 0);
	CHECK(lkm_read_file(cache, 64 << 20, &text, len) == 0);
	CHECK(text && *len > 200);
	return (unsigned char *)text;
}

TEST(cache_truncated_at_every_byte)
{
	size_t len, i, bad = 0;
	unsigned char *good = good_cache("truncated", &len);

	if (!good)
		return;
	CHECK_INT(load(good, len), ==, 3);
	CHECK(logbuf[0] == '\0');
	for (i = 0; i < len; i++) {
		if (load(good, i) != 0 || !strstr(logbuf, "ignoring the cache"))
			bad++;
	}
	CHECK_INT(bad, ==, 0);
	free(good);
}

TEST(cache_bit_flips)
{
	size_t len, i, bad = 0, accepted = 0, loads = 0;
	unsigned char *good = good_cache("flips", &len), *copy;
	unsigned seed = 12345;

	copy = good ? malloc(len) : NULL;
	CHECK(copy != NULL);
	if (!copy) {
		free(good);
		return;
	}
	/* Caught by the checksum. */
	for (i = 0; i < 3000; i++) {
		size_t bit = (size_t)rand_r(&seed) % (len * 8);

		memcpy(copy, good, len);
		copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (load(copy, len) != 0 || !strstr(logbuf, "ignoring the cache"))
			bad++;
	}
	CHECK_INT(bad, ==, 0);
	/* Past a recomputed checksum: the checks of every length and offset must hold. */
	for (i = 0; i < 3000; i++) {
		size_t k, n = 1 + (size_t)rand_r(&seed) % 4, got;
		uint64_t h;

		memcpy(copy, good, len);
		for (k = 0; k < n; k++) {
			size_t pos = 40 + (size_t)rand_r(&seed) % (len - 40);

			copy[pos] = (unsigned char)rand_r(&seed);
		}
		h = depmod_cache_checksum((const char *)copy + 40, len - 40);
		memcpy(copy + 24, &h, 8);
		got = load(copy, len); /* accepted or not, it must not crash */
		CHECK(got == 0 || got == 3);
		accepted += got == 3;
		loads++;
	}
	CHECK_INT(loads, ==, 3000);
	printf("  %zu of 3000 forged caches passed every check\n", accepted);
	free(copy);
	free(good);
}

TEST(cache_foreign_and_old)
{
	size_t len;
	unsigned char *good = good_cache("foreign", &len), *copy;
	uint32_t v;

	copy = good ? malloc(len) : NULL;
	CHECK(copy != NULL);
	if (!copy) {
		free(good);
		return;
	}
	memcpy(copy, good, len);
	copy[0] = 'X';
	CHECK_INT(load(copy, len), ==, 0);
	CHECK(strstr(logbuf, "not an lkm depmod cache") != NULL);

	memcpy(copy, good, len);
	v = 0x04030201;
	memcpy(copy + 8, &v, 4);
	CHECK_INT(load(copy, len), ==, 0);
	CHECK(strstr(logbuf, "byte order") != NULL);

	memcpy(copy, good, len);
	memcpy(&v, copy + 12, 4);
	v++;
	memcpy(copy + 12, &v, 4);
	CHECK_INT(load(copy, len), ==, 0);
	CHECK(strstr(logbuf, "another version") != NULL);

	CHECK_INT(load((const unsigned char *)"hello", 5), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	CHECK_INT(load(copy, 0), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	free(copy);
	free(good);
}

TEST(cache_corrupt_gives_full_identical_output)
{
	size_t len, scanned = 0, cached = 0;
	unsigned char *good = good_cache("corrupt", &len);
	char *ref = outputs();

	CHECK(ref != NULL);
	if (!good || !ref) {
		free(good);
		free(ref);
		return;
	}
	/* A flipped byte in the middle: warned about, then a full scan. */
	good[len / 2] ^= 0x20;
	put_cache(good, len);
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK(strstr(logbuf, "ignoring the cache") != NULL);
	CHECK_INT(scanned, ==, 3);
	CHECK_INT(cached, ==, 0);
	CHECK(same_output(ref));
	/* And it was replaced by a good one. */
	CHECK_INT(run(true, -1, &scanned, &cached), ==, 0);
	CHECK_INT(cached, ==, 3);
	free(good);
	free(ref);
}

/* A context for the fixture: its /proc, its cache directory, its modules. */
static struct lkm_ctx *fixture_ctx(const char *kver)
{
	char moduledir[400];
	struct lkm_ctx_config cc = { .kver = kver, .moduledir = moduledir, .proc = proc,
				     .cache_dir = cachedir };
	struct lkm_ctx *ctx = NULL;

	snprintf(moduledir, sizeof(moduledir), "%s/lib/modules", base);
	CHECK(lkm_ctx_new(&cc, &ctx) == 0);
	return ctx;
}

/* lkm_depmod_default_cache() for @kver's ctx, @dirname and @outdir: 1/0, and the path. */
static int default_cache(const char *kver, const char *dirname, const char *outdir,
			 char **path)
{
	struct lkm_ctx *ctx = fixture_ctx(kver);
	int r;

	*path = NULL;
	if (!ctx)
		return -1;
	r = lkm_depmod_default_cache(ctx, dirname, outdir, path);
	lkm_ctx_unref(ctx);
	CHECK((r == 1) == (*path != NULL));
	return r;
}

static void proc_file(const char *rel, const char *text, const char *mode)
{
	fixture_write(proc, rel, text, strlen(text), mode);
}

static void relink_root(const char *to)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/1/root", proc);
	CHECK(unlink(path) == 0);
	CHECK(symlink(to, path) == 0);
}

TEST(default_cache_only_for_the_running_systems_tree)
{
	char other[400], same[400], osrel[400], mountinfo[400], *path = NULL;

	fresh("rule");
	snprintf(mountinfo, sizeof(mountinfo), "%s/self/mountinfo", proc);
	/* The running kernel's tree, written in place: the cache under CACHE_DIR. */
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 1);
	CHECK_STR(path, cache);
	free(path);
	CHECK_INT(default_cache(KVER, root, root, &path), ==, 1);
	free(path);
	/* The same directory by another name (-b /, -o /): the same tree. */
	snprintf(same, sizeof(same), "%s//lib/modules/./" KVER, base);
	CHECK_INT(default_cache(KVER, same, same, &path), ==, 1);
	free(path);

	/* -b DIR: another tree (a copy of this one, as mkinitramfs's). */
	snprintf(other, sizeof(other), "%s/initramfs/lib/modules/" KVER, base);
	fixture_mkdirs(base, "initramfs/lib/modules/" KVER);
	CHECK_INT(default_cache(KVER, other, NULL, &path), ==, 0);
	CHECK(path == NULL);
	/* -o DIR: written elsewhere; and an -o that does not exist yet. */
	CHECK_INT(default_cache(KVER, root, other, &path), ==, 0);
	snprintf(other, sizeof(other), "%s/out/lib/modules/" KVER, base);
	CHECK_INT(default_cache(KVER, root, other, &path), ==, 0);
	/* A kernel installed, not running: no cache. */
	fixture_mkdirs(base, "lib/modules/9.9.8-other");
	snprintf(other, sizeof(other), "%s/lib/modules/9.9.8-other", base);
	CHECK_INT(default_cache("9.9.8-other", other, NULL, &path), ==, 0);
	/* A version that is not a file name. */
	CHECK_INT(default_cache("../" KVER, root, NULL, &path), ==, 0);

	/* A chroot: PID 1's root is not ours. */
	relink_root(base);
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 0);
	/*
	 * PID 1's root out of reach (not dumpable, hidepid): the mount on "/" tells,
	 * the top one of a stack. A bind-mounted directory as the root is a chroot.
	 */
	relink_root("/nonexistent");
	proc_file("self/mountinfo", "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
				    "22 21 0:5 / /proc rw - proc proc rw\n", "w");
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 1);
	free(path);
	proc_file("self/mountinfo", "30 21 8:1 /srv/image / rw - ext4 /dev/sda1 rw\n", "a");
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 0);
	proc_file("self/mountinfo", "22 21 0:5 / /proc rw - proc proc rw\n", "w");
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 0);
	/* No /proc to tell: no cache. */
	CHECK(unlink(mountinfo) == 0);
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 0);
	relink_root("/");
	snprintf(osrel, sizeof(osrel), "%s/sys/kernel/osrelease", proc);
	CHECK(unlink(osrel) == 0);
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 0);
	/* Back as it was: the control, so that the refusals above were the rule's. */
	fixture_write(proc, "sys/kernel/osrelease", KVER, strlen(KVER), "w");
	CHECK_INT(default_cache(KVER, root, NULL, &path), ==, 1);
	free(path);
}

TEST(old_cache_in_the_tree_is_removed)
{
	char old[500];
	struct stat st;
	size_t scanned = 0;
	int fd;

	fresh("old");
	snprintf(old, sizeof(old), "%s/" LKM_DEPMOD_OLD_CACHE, root);
	fixture_write(root, LKM_DEPMOD_OLD_CACHE, "LKMDEPC", 8, "w");
	/* -n writes nothing: the old file stays. */
	fd = open("/dev/null", O_WRONLY);
	CHECK(fd >= 0);
	CHECK_INT(run(true, fd, &scanned, NULL), ==, 0);
	close(fd);
	CHECK(stat(old, &st) == 0);
	/* Any run that writes the indexes removes it, with a cache or without. */
	CHECK_INT(run(false, -1, &scanned, NULL), ==, 0);
	CHECK(stat(old, &st) < 0 && errno == ENOENT);
	fixture_write(root, LKM_DEPMOD_OLD_CACHE, "LKMDEPC", 8, "w");
	CHECK_INT(run(true, -1, &scanned, NULL), ==, 0);
	CHECK(stat(old, &st) < 0 && errno == ENOENT);
	CHECK_INT(foreign_files_in_tree(), ==, 0);
	/* Unless it is the very file named as the cache. */
	CHECK_INT(run_with(old, false, -1, &scanned, NULL), ==, 0);
	CHECK(stat(old, &st) == 0 && st.st_size > 200);
	CHECK_INT(run_with(old, false, -1, &scanned, NULL), ==, 0);
	CHECK_INT(scanned, ==, 0);
	CHECK(strstr(logbuf, "ignoring") == NULL);
}

static bool exists(const char *dir, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

TEST(prune_removes_the_caches_of_removed_kernels)
{
	char dir[400], path[600];
	time_t then = time(NULL) - 7200;
	struct timespec old[2] = { { .tv_sec = then }, { .tv_sec = then } };
	struct lkm_ctx *ctx;

	fresh("prune");
	CHECK_INT(run(true, -1, NULL, NULL), ==, 0);
	snprintf(dir, sizeof(dir), "%s/depmod", cachedir);
	CHECK(exists(dir, KVER));
	fixture_write(dir, "9.9.7-removed", "x", 1, "w");
	fixture_write(dir, ".9.9.7-removed.lkm-tmp.AbCdEf", "x", 1, "w");
	fixture_write(dir, "." KVER ".lkm-tmp.fresh1", "x", 1, "w");
	fixture_write(dir, "." KVER ".lkm-tmp.stale1", "x", 1, "w");
	fixture_mkdirs(dir, "9.9.6-a-directory");
	snprintf(path, sizeof(path), "%s/." KVER ".lkm-tmp.stale1", dir);
	CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);
	snprintf(path, sizeof(path), "%s/.9.9.7-removed.lkm-tmp.AbCdEf", dir);
	CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);

	ctx = fixture_ctx(KVER);
	if (!ctx)
		return;
	CHECK_INT(lkm_depmod_cache_prune(ctx), ==, 3);
	CHECK(exists(dir, KVER));                        /* its kernel is there */
	CHECK(!exists(dir, "9.9.7-removed"));            /* its kernel is gone */
	CHECK(!exists(dir, ".9.9.7-removed.lkm-tmp.AbCdEf"));
	CHECK(!exists(dir, "." KVER ".lkm-tmp.stale1")); /* a killed depmod's */
	CHECK(exists(dir, "." KVER ".lkm-tmp.fresh1"));  /* maybe a depmod at work */
	CHECK(exists(dir, "9.9.6-a-directory"));         /* not a file of ours */
	CHECK_INT(lkm_depmod_cache_prune(ctx), ==, 0);
	/* The cache is still used. */
	{
		size_t scanned = 1;

		CHECK_INT(run(true, -1, &scanned, NULL), ==, 0);
		CHECK_INT(scanned, ==, 0);
	}
	lkm_ctx_unref(ctx);
	/* No cache directory: nothing to prune, and it says so. */
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(system(path) == 0);
	ctx = fixture_ctx(KVER);
	if (ctx)
		CHECK_INT(lkm_depmod_cache_prune(ctx), ==, -ENOENT);
	lkm_ctx_unref(ctx);
}

/*
 * Writers of one cache at once: each renames a complete file of its own (the
 * temporary names are unique), so every load after them accepts the file whole.
 */
TEST(concurrent_writers_leave_a_whole_cache)
{
	char dir[400];
	struct dirent *e;
	size_t len;
	int i, status, ok_children = 0, left = 0;
	pid_t pids[4];
	unsigned char *good = good_cache("writers", &len);
	DIR *d;

	free(good);
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int k, r = 0;

			/* A reader of a torn file would warn "ignoring the cache". */
			for (k = 0; k < 20 && r == 0; k++) {
				if (k % 2)
					CHECK(unlink(cache) == 0 || errno == ENOENT);
				r = run(true, -1, NULL, NULL);
				if (strstr(logbuf, "ignoring the cache"))
					r = -EIO;
			}
			if (r < 0)
				fprintf(stderr, "  writer %d, run %d: %s%s", i, k, strerror(-r),
					logbuf);
			_exit(r == 0 && !test_failed ? 0 : 1);
		}
		CHECK(pids[i] > 0);
	}
	for (i = 0; i < 4; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			ok_children++;
	CHECK_INT(ok_children, ==, 4);
	/* What they left is whole. */
	good = NULL;
	CHECK(lkm_read_file(cache, 64 << 20, (char **)&good, &len) == 0);
	CHECK(good && load(good, len) == 3);
	free(good);
	snprintf(dir, sizeof(dir), "%s/depmod", cachedir);
	d = opendir(dir);
	CHECK(d != NULL);
	while (d && (e = readdir(d)))
		left += strstr(e->d_name, ".lkm-tmp.") != NULL;
	if (d)
		closedir(d);
	CHECK_INT(left, ==, 0);
}

/*
 * Two writers of one output directory take turns (flock on the directory): two
 * depmods in two pid namespaces may have one pid and so one set of temporary names.
 * Here the test holds the lock: the writer must wait for it, then finish.
 */
TEST(a_second_writer_waits_for_the_first)
{
	char dep[500];
	struct stat st;
	int fd, status = -1, done_early;
	pid_t pid;

	fresh("lock");
	snprintf(dep, sizeof(dep), "%s/modules.dep", root);
	fd = open(root, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0 && flock(fd, LOCK_EX) == 0);
	pid = fork();
	if (pid == 0)
		_exit(run(false, -1, NULL, NULL) == 0 ? 0 : 1);
	CHECK(pid > 0);
	usleep(500 * 1000); /* a run on three modules takes a few ms */
	done_early = stat(dep, &st) == 0 || waitpid(pid, &status, WNOHANG) == pid;
	CHECK(!done_early);
	CHECK(fd >= 0 && flock(fd, LOCK_UN) == 0);
	if (fd >= 0)
		close(fd);
	if (pid > 0 && !done_early)
		CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(stat(dep, &st) == 0 && st.st_size > 0);
	cleanup();
}

TEST_MAIN()
