// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod.so.2's hot paths, timed inside one process: built against Debian's libkmod
 * (kmod 30) and against lkm's, and run side by side by bench/libkmod.sh.
 *
 *   libkmod-lookup DIR CONF ALIASES DEVICES ROUNDS
 *
 * Each round times, on a context made and loaded beforehand (kmod_new and
 * kmod_load_resources, as udev keeps one):
 *   alias-all      kmod_module_new_from_lookup of every line of ALIASES
 *   alias-devices  the same for every line of DEVICES (this machine's modaliases), the
 *                  list walked 50 times
 * and, alone, 20 times kmod_new + kmod_load_resources + kmod_unref (new-load).
 * It prints each case's median over the rounds, in nanoseconds per pass, and the number
 * of modules the lookups found (the same on both sides, or the work differs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libkmod.h>

#define DEVICE_PASSES 50
#define NEW_LOAD_PASSES 20

struct lines {
	char **v;
	size_t n;
};

static struct lines read_lines(const char *path)
{
	struct lines l = { NULL, 0 };
	size_t cap = 0, size = 0;
	char *buf = NULL;
	ssize_t len;
	FILE *f = fopen(path, "re");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&buf, &size, f)) >= 0) {
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len == 0)
			continue;
		if (l.n == cap) {
			cap = cap ? 2 * cap : 1024;
			l.v = realloc(l.v, cap * sizeof(*l.v));
			if (l.v == NULL)
				exit(2);
		}
		l.v[l.n++] = strdup(buf);
	}
	free(buf);
	fclose(f);
	return l;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct kmod_ctx *loaded_ctx(const char *dir, const char *conf)
{
	const char *configs[] = { conf, NULL };
	struct kmod_ctx *ctx = kmod_new(dir, configs);

	if (ctx == NULL || kmod_load_resources(ctx) < 0) {
		fprintf(stderr, "libkmod-lookup: cannot load %s\n", dir);
		exit(2);
	}
	return ctx;
}

/* One pass of lookups; the number of modules found. */
static long lookup_all(struct kmod_ctx *ctx, const struct lines *keys)
{
	long found = 0;

	for (size_t i = 0; i < keys->n; i++) {
		struct kmod_list *list = NULL, *l;
		if (kmod_module_new_from_lookup(ctx, keys->v[i], &list) < 0)
			continue;
		kmod_list_foreach(l, list)
			found++;
		kmod_module_unref_list(list);
	}
	return found;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static long long median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return v[(n - 1) / 2];
}

int main(int argc, char *argv[])
{
	if (argc != 6) {
		fprintf(stderr, "usage: libkmod-lookup DIR CONF ALIASES DEVICES ROUNDS\n");
		return 2;
	}
	const char *dir = argv[1], *conf = argv[2];
	struct lines aliases = read_lines(argv[3]), devices = read_lines(argv[4]);
	int rounds = atoi(argv[5]);
	long long *all = calloc(rounds, sizeof(long long));
	long long *dev = calloc(rounds, sizeof(long long));
	long long *newload = calloc(rounds, sizeof(long long));
	long found_all = 0, found_dev = 0;

	if (rounds < 1 || all == NULL || dev == NULL || newload == NULL)
		return 2;
	for (int r = 0; r < rounds; r++) {
		struct kmod_ctx *ctx = loaded_ctx(dir, conf);
		long long t0 = now_ns();
		found_all = lookup_all(ctx, &aliases);
		all[r] = now_ns() - t0;
		kmod_unref(ctx);

		ctx = loaded_ctx(dir, conf);
		t0 = now_ns();
		found_dev = 0;
		for (int p = 0; p < DEVICE_PASSES; p++)
			found_dev += lookup_all(ctx, &devices);
		dev[r] = (now_ns() - t0) / DEVICE_PASSES;
		found_dev /= DEVICE_PASSES;
		kmod_unref(ctx);

		t0 = now_ns();
		for (int p = 0; p < NEW_LOAD_PASSES; p++)
			kmod_unref(loaded_ctx(dir, conf));
		newload[r] = (now_ns() - t0) / NEW_LOAD_PASSES;
	}
	printf("alias-all %lld %zu %ld\n", median(all, rounds), aliases.n, found_all);
	printf("alias-devices %lld %zu %ld\n", median(dev, rounds), devices.n, found_dev);
	printf("new-load %lld 1 0\n", median(newload, rounds));
	return 0;
}
