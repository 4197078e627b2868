/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fixture trees for unit tests: files written below a temporary root, with their
 * directories made on the way. A failure to write a fixture stops the test program
 * (exit 2): no assertion could mean anything after it.
 */
#ifndef LKM_TEST_FIXTURE_H
#define LKM_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p @base/@rel: every directory below @base on the way, and @rel itself. */
static inline void fixture_path(char *buf, size_t size, const char *base, const char *rel)
{
	if ((size_t)snprintf(buf, size, "%s/%s", base, rel) >= size) {
		fprintf(stderr, "fixture path too long: %s/%s\n", base, rel);
		exit(2);
	}
}

static inline void fixture_mkdirs(const char *base, const char *rel)
{
	char path[1024], *p;

	fixture_path(path, sizeof(path), base, rel);
	for (p = path + strlen(base) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

/* Write (mode "w") or append (mode "a") @len bytes to @base/@rel, making its directory. */
static inline void fixture_write(const char *base, const char *rel, const void *data,
				 size_t len, const char *mode)
{
	char path[1024], dir[1024], *slash;
	FILE *f;

	fixture_path(dir, sizeof(dir), ".", rel);
	slash = strrchr(dir, '/');
	if (slash > dir + 1) {
		*slash = '\0';
		fixture_mkdirs(base, dir + 2);
	}
	fixture_path(path, sizeof(path), base, rel);
	f = fopen(path, mode);
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

/* The test program's temporary directory, removed with everything in it at exit. */
static const char *fixture_tmpdir_made;

static inline void fixture_tmpdir_remove(void)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fixture_tmpdir_made);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fixture_tmpdir_made);
	free((char *)fixture_tmpdir_made);
}

/* Make $TMPDIR/lkm-test-@name.XXXXXX in @dir (exit 2 if it cannot be made). */
static inline void fixture_tmpdir(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	if ((size_t)snprintf(dir, size, "%s/lkm-test-%s.XXXXXX", tmp ? tmp : "/tmp", name) >=
		    size ||
	    !mkdtemp(dir)) {
		fprintf(stderr, "cannot make a temporary directory for %s\n", name);
		exit(2);
	}
	/* A copy: @dir may be main()'s local, gone when the atexit handler runs. */
	fixture_tmpdir_made = strdup(dir);
	if (!fixture_tmpdir_made) {
		fprintf(stderr, "out of memory for %s\n", dir);
		exit(2);
	}
	atexit(fixture_tmpdir_remove);
}

#endif
