// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fuzz target: the .bin index reader (lib/index.c), as modprobe, modinfo and
 * `lkm index` use it. Input (see fuzz.h for the split):
 *
 *   part 0  the index file (modules.dep.bin, modules.alias.bin, ...)
 *   part 1  optional: keys to look up, one per line
 *
 * The file is opened from memory and verified; it is dumped (every key and value, as
 * `lkm index dump` does); the first keys of the dump, the given keys and a few fixed
 * ones are looked up exactly (all values and the first) and matched as wildcards, as
 * modprobe matches an alias.
 *
 * Oracle: no crash, no sanitizer report, no hang (the reader's budgets), a failure is
 * -EBADMSG with a reason when one is asked for; a file that verifies gives no -EBADMSG
 * from any later walk.
 */
#include "fuzz.h"
#include "lkm-internal.h"

#define DUMP_KEYS 8

/* A walk may fail for want of memory, or for a bad node unless the file verified. */
static void check_walk(int r, bool verified)
{
	if (r < 0 && r != -ENOMEM && (r != -EBADMSG || verified))
		abort();
}

struct dump {
	char *keys[DUMP_KEYS];
	size_t n, values;
};

static int dump_one(const char *key, const char *value, uint32_t priority, void *data)
{
	struct dump *d = data;

	(void)priority;
	if (strlen(key) > LKM_INDEX_KEY_MAX || !value)
		abort();
	if (d->n < DUMP_KEYS && (d->n == 0 || strcmp(d->keys[d->n - 1], key) != 0)) {
		d->keys[d->n] = strdup(key);
		if (!d->keys[d->n])
			abort();
		d->n++;
	}
	d->values++;
	return 0;
}

static void look_up(struct lkm_index *idx, const char *key, bool verified)
{
	struct lkm_index_value *v, *p;
	const char *first;
	uint32_t prio;
	int r, n;

	r = lkm_index_lookup(idx, key, &v);
	check_walk(r, verified);
	for (n = 0, p = r > 0 ? v : NULL; p; p = p->next, n++)
		if (strlen(p->value) != p->len)
			abort();
	if (r >= 0 && n != r)
		abort();
	if (r > 0)
		lkm_index_values_free(v);
	r = lkm_index_lookup_first(idx, key, &first, &prio);
	check_walk(r, verified);
	r = lkm_index_match_wildcards(idx, key, &v);
	check_walk(r, verified);
	if (r > 0)
		lkm_index_values_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "", "a", "pci:v00008086d00001234sv*", "ext4",
					     "symbol:printk", "*" };
	struct fuzz_part parts[2];
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	struct dump d = { 0 };
	size_t nparts = fuzz_split(data, size, parts, 2), i;
	uint8_t *file;
	bool verified;
	int r;

	/* An exact-size copy: ASan sees a read past the end of the file. */
	file = malloc(parts[0].size ? parts[0].size : 1);
	if (!file)
		return 0;
	memcpy(file, parts[0].data, parts[0].size);
	r = lkm_index_open_memory(file, parts[0].size, &idx, &err);
	if (r < 0) {
		if (r != -EBADMSG && r != -ENOMEM)
			abort();
		if (r == -EBADMSG && !err.why[0])
			abort();
		free(file);
		return 0;
	}
	r = lkm_index_verify(idx, &err);
	if (r < 0 && (r != -EBADMSG || !err.why[0]))
		abort();
	verified = r == 0;
	r = lkm_index_foreach(idx, dump_one, &d);
	check_walk(r, verified);
	for (i = 0; i < d.n; i++) {
		look_up(idx, d.keys[i], verified);
		free(d.keys[i]);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		look_up(idx, fixed[i], verified);
	if (nparts > 1) {
		char *keys = fuzz_strndup(parts[1].data, parts[1].size), *save, *k;

		for (k = strtok_r(keys, "\n", &save); k; k = strtok_r(NULL, "\n", &save))
			if (strlen(k) <= LKM_INDEX_KEY_MAX)
				look_up(idx, k, verified);
		free(keys);
	}
	lkm_index_close(idx);
	free(file);
	return 0;
}
