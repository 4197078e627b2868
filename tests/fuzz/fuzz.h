/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz targets: how one input is cut into the several files a target
 * needs, and a scratch directory for the targets whose parser only reads files.
 *
 * Splitting: the input is cut at every line "%%" (the 4 bytes "\n%%\n"), so
 *
 *   part 0 bytes \n%%\n part 1 bytes \n%%\n part 2 bytes
 *
 * gives three parts; a part may be empty, and parts past the last marker are absent
 * (fuzz_split() returns how many there are). The marker is text, so a seed stays
 * readable, and libFuzzer learns it from the memmem() it sees.
 */
#ifndef LKM_FUZZ_H
#define LKM_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_MARKER "\n%%\n"
#define FUZZ_MARKER_LEN 4

struct fuzz_part {
	const uint8_t *data;
	size_t size;
};

static inline size_t fuzz_split(const uint8_t *data, size_t size, struct fuzz_part *parts,
				size_t max)
{
	size_t n = 0;

	/* A part the input does not reach is empty. */
	memset(parts, 0, max * sizeof(*parts));
	while (n < max) {
		const uint8_t *m = n + 1 < max ? memmem(data, size, FUZZ_MARKER, FUZZ_MARKER_LEN)
					       : NULL;

		parts[n].data = data;
		parts[n].size = m ? (size_t)(m - data) : size;
		n++;
		if (!m)
			break;
		size -= (size_t)(m - data) + FUZZ_MARKER_LEN;
		data = m + FUZZ_MARKER_LEN;
	}
	return n;
}

/* A NUL-terminated malloc'd copy; abort on ENOMEM (the input is bounded by -max_len). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char fuzz_scratch[256];

static inline int fuzz_remove_one(const char *path, const struct stat *st, int flag,
				  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm -rf @path (no symlink followed). */
static inline void fuzz_remove_tree(const char *path)
{
	nftw(path, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_scratch_remove(void)
{
	if (fuzz_scratch[0])
		fuzz_remove_tree(fuzz_scratch);
}

/*
 * A directory of this process's own, made once under $TMPDIR (tests/fuzz/run points it
 * at a tmpfs) and removed at exit.
 */
static inline const char *fuzz_scratch_dir(void)
{
	char *dir = fuzz_scratch;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(fuzz_scratch), "%s/lkm-fuzz-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_scratch_remove);
	}
	return dir;
}

/* Write @size bytes to @path (replacing it); abort when the scratch dir fails us. */
static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const uint8_t *p = data;

	if (fd < 0) {
		perror(path);
		abort();
	}
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror(path);
			abort();
		}
		p += n;
		size -= (size_t)n;
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Undefined behaviour is a finding like a crash: stop at the first report, in the
 * replay programs and under libFuzzer alike (UBSAN_OPTIONS still overrides this).
 */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1:print_stacktrace=1";
}

#endif
