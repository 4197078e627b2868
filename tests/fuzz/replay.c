// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The replay driver: without libFuzzer (gcc, CI), feed every file of the corpus
 * directories (or the files) named on the command line to LLVMFuzzerTestOneInput, one
 * check per file. Each input runs in a child process, so a crash or a sanitizer report
 * on one file is counted as that file's failure and the others still run; an input
 * that takes longer than REPLAY_TIMEOUT seconds is a failure too (a hang). The target
 * must return 0 or -1 (libFuzzer's "do not add to the corpus"). An argument that
 * yields no file at all is a failure: an empty corpus proves nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_TIMEOUT 60
#define REPLAY_MAX_INPUT ((size_t)16 << 20)

static int passed, failed;

static int read_input(const char *path, uint8_t **out, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f)
		return -errno;
	buf = malloc(REPLAY_MAX_INPUT + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, REPLAY_MAX_INPUT + 1, f);
	if (ferror(f) || n > REPLAY_MAX_INPUT) {
		fclose(f);
		free(buf);
		return n > REPLAY_MAX_INPUT ? -EFBIG : -EIO;
	}
	fclose(f);
	*out = buf;
	*size = n;
	return 0;
}

static void run_one(const char *path)
{
	int status, r;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (pid == 0) {
		uint8_t *data = NULL;
		size_t size = 0;

		r = read_input(path, &data, &size);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", path, strerror(-r));
			_exit(3);
		}
		alarm(REPLAY_TIMEOUT);
		r = LLVMFuzzerTestOneInput(data, size);
		free(data);
		exit(r == 0 || r == -1 ? 0 : 4); /* exit(): the target's atexit cleanup runs */
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("FAIL %s: waitpid: %s\n", path, strerror(errno));
			failed++;
			return;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok   %s\n", path);
		passed++;
	} else if (WIFSIGNALED(status)) {
		printf("FAIL %s: killed by signal %d%s\n", path, WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout: a hang)" : "");
		failed++;
	} else {
		printf("FAIL %s: exit status %d%s\n", path, WEXITSTATUS(status),
		       WEXITSTATUS(status) == 3 ? " (unreadable)" :
		       WEXITSTATUS(status) == 4 ? " (target returned neither 0 nor -1)" : "");
		failed++;
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of @dir, in name order so that the output is stable. */
static size_t run_dir(const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i, ran = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n] = strdup(de->d_name);
		if (!names[n])
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			run_one(path);
			ran++;
		}
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char *argv[])
{
	struct stat st;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		size_t ran = 0;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ran = run_dir(argv[i]);
		} else if (stat(argv[i], &st) == 0) {
			run_one(argv[i]);
			ran = 1;
		}
		if (!ran) {
			printf("FAIL %s: no input there (a missing or empty corpus proves nothing)\n",
			       argv[i]);
			failed++;
		}
	}
	printf("%d passed, %d failed, 0 skipped\n", passed, failed);
	return failed ? 1 : 0;
}
