// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * repeat N CMD [ARGS...]: run CMD N times with posix_spawn (stdout and stderr to
 * /dev/null) and print the mean wall time of one run in nanoseconds. Spawning from a
 * small C program keeps the shell's own fork cost out of a per-call benchmark, so the
 * figure is what the command itself costs: exec, loading, work and exit.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	long n, i;
	int status;
	pid_t pid;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: repeat N CMD [ARGS...]\n");
		return 2;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
			perror(argv[2]);
			return 1;
		}
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld\n", ((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)) / n);
	return 0;
}
