// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library on Debian's real module trees, the checks that need them (the unit tests
 * build their own modules): msdos and fat read through file.c and elf.c, plain (6.1)
 * and xz (6.12); their RSA and ECDSA signatures against kmod's modinfo, run here as the
 * oracle; and every index kmod's depmod wrote for the trees, against its text files
 * and rewritten through the builder.
 *
 * tests/diff/test-real-modules.sh runs it with LKM_REAL_TREES set to the "KVER ROOT"
 * lines of tests/tools/fetch-trees.sh.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "test.h"

#define MAX_TREES 4

static struct tree {
	char kver[256];
	char root[PATH_MAX];
	char dir[PATH_MAX + 300];   /* ROOT/lib/modules/KVER */
} trees[MAX_TREES];
static size_t ntrees;

__attribute__((constructor(101))) static void read_trees(void)
{
	const char *env = getenv("LKM_REAL_TREES");
	char *copy, *line, *save = NULL;

	if (!env)
		return;
	copy = strdup(env);
	for (line = strtok_r(copy, "\n", &save); line && ntrees < MAX_TREES;
	     line = strtok_r(NULL, "\n", &save)) {
		struct tree *t = &trees[ntrees];
		char dir[sizeof(t->dir)];

		if (sscanf(line, "%255s %4095s", t->kver, t->root) != 2)
			continue;
		snprintf(dir, sizeof(dir), "%s/lib/modules/%s", t->root, t->kver);
		memcpy(t->dir, dir, sizeof(dir));
		ntrees++;
	}
	free(copy);
}

/* The trees, or a failure: this program runs only where they were fetched. */
static bool have_trees(void)
{
	if (ntrees >= 2)
		return true;
	fprintf(stderr, "  LKM_REAL_TREES names %zu trees, 2 expected (6.1 and 6.12)\n", ntrees);
	test_failed = 1;
	return false;
}

/* kernel/fs/fat/NAME.ko or NAME.ko.xz of @t; NULL (and a failure) when neither is. */
static const char *module_path(const struct tree *t, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/kernel/fs/fat/%s.ko", t->dir, name);
	if (access(buf, R_OK) == 0)
		return buf;
	snprintf(buf, size, "%s/kernel/fs/fat/%s.ko.xz", t->dir, name);
	if (access(buf, R_OK) == 0)
		return buf;
	fprintf(stderr, "  %s has no %s.ko or %s.ko.xz\n", t->dir, name, name);
	test_failed = 1;
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* --------------------------------------------------------------- elf.c, file.c */

static bool open_module(const char *path, struct lkm_file **f, struct lkm_elf *elf)
{
	struct lkm_err err = { 0 };
	int r = lkm_file_open(path, f, &err);

	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, err.why);
		return false;
	}
	CHECK_INT((*f)->compression, ==, ends_with(path, ".xz") ? LKM_COMP_XZ : LKM_COMP_NONE);
	r = lkm_elf_parse((*f)->data, (*f)->size, elf, &err);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, err.why);
		lkm_file_free(*f);
		return false;
	}
	return true;
}

static bool has_string(const char **a, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(a[i], s) == 0)
			return true;
	}
	return false;
}

TEST(msdos_and_fat_read_through_file_and_elf)
{
	size_t t;

	if (!have_trees())
		return;
	for (t = 0; t < ntrees; t++) {
		struct lkm_err err = { 0 };
		struct lkm_elf_export *ex;
		struct lkm_elf_import *im;
		struct lkm_file *f;
		struct lkm_elf elf;
		const char **mi, *path;
		char name[64], buf[PATH_MAX + 400];
		size_t n, i;
		bool fat_sym = false, found = false;

		path = module_path(&trees[t], "msdos", buf, sizeof(buf));
		if (path && open_module(path, &f, &elf)) {
			CHECK_STR(lkm_elf_machine_name(elf.machine), "x86_64");
			CHECK_INT(lkm_elf_get_modinfo(&elf, &mi, &n, &err), ==, 0);
			CHECK(has_string(mi, n, "name=msdos"));
			CHECK(has_string(mi, n, "depends=fat"));
			free(mi);
			CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
			CHECK_INT(n, ==, 0);
			free(ex);
			CHECK_INT(lkm_elf_get_imports(&elf, &im, &n, &err), ==, 0);
			for (i = 0; i < n; i++)
				fat_sym |= strcmp(im[i].name, "fat_fill_super") == 0 &&
					   im[i].has_crc;
			CHECK(fat_sym);
			free(im);
			CHECK_INT(lkm_elf_get_this_module_name(&elf, name, sizeof(name)), ==, 0);
			CHECK_STR(name, "msdos");
			lkm_file_free(f);
		}
		path = module_path(&trees[t], "fat", buf, sizeof(buf));
		if (path && open_module(path, &f, &elf)) {
			CHECK_INT(lkm_elf_get_exports(&elf, &ex, &n, &err), ==, 0);
			CHECK_INT(n, >, 10);
			for (i = 0; i < n; i++)
				found |= strcmp(ex[i].name, "fat_time_fat2unix") == 0 &&
					 ex[i].has_crc;
			CHECK(found);
			free(ex);
			lkm_file_free(f);
		}
	}
}

/* ------------------------------------------------ signature.c against kmod's modinfo */

static char *run(const char *cmd)
{
	struct lkm_buf b = { 0 };
	char chunk[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (lkm_buf_append(&b, chunk, n) < 0)
			break;
	if (pclose(p) != 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	if (!b.data && lkm_buf_append(&b, "", 0) < 0)
		return NULL;
	return b.data;
}

/* kmod's `modinfo -F FIELD PATH` without its last newline; NULL when it failed. */
static char *kmod_field(const char *modinfo, const char *field, const char *path)
{
	char cmd[PATH_MAX + 600], *out;
	size_t n;

	snprintf(cmd, sizeof(cmd), "%s -F %s '%s'", modinfo, field, path);
	out = run(cmd);
	if (out && (n = strlen(out)) > 0 && out[n - 1] == '\n')
		out[n - 1] = '\0';
	return out;
}

static char *hex(const void *bytes, size_t len)
{
	struct lkm_buf b = { 0 };

	if (lkm_hex_format(&b, bytes, len, LKM_HEX_KMOD_PER_LINE) < 0 ||
	    lkm_buf_puts(&b, "") < 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

static void check_signature(const char *modinfo, const char *path)
{
	struct lkm_buf line = { 0 };
	struct lkm_signature s;
	struct lkm_err e = { 0 };
	struct lkm_file *f = NULL;
	char *key = NULL, *sig = NULL, *want, *plain, cmd[PATH_MAX + 600];
	int r;

	CHECK_INT(lkm_file_open(path, &f, &e), ==, 0);
	if (!f)
		return;
	r = lkm_signature_parse(f->data, f->size, &s, &e);
	CHECK_INT(r, ==, 0);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, lkm_err_reason(&e, r));
		lkm_file_free(f);
		return;
	}
	CHECK_STR(s.id_type, "PKCS#7");
	CHECK_INT(s.id, ==, LKM_SIG_ID_PKCS7);
	CHECK(s.algo == NULL);
	CHECK_INT(s.module_size + s.blob_len + 40, ==, f->size);
	CHECK_INT(s.blob_offset, ==, s.module_size);
	CHECK_INT(lkm_signature_strip(f->data, f->size), ==, s.module_size);
	{
		/* the unsigned module is ELF64-LE; its section table ends at the blob */
		const uint8_t *d = f->data;
		uint64_t shoff;
		uint16_t shentsize, shnum;

		CHECK(memcmp(d, "\177ELF", 4) == 0);
		memcpy(&shoff, d + 0x28, 8);
		memcpy(&shentsize, d + 0x3a, 2);
		memcpy(&shnum, d + 0x3c, 2);
		CHECK_INT(shoff + (uint64_t)shentsize * shnum, ==, s.module_size);
	}
	CHECK(s.details);
	key = hex(s.key_id, s.key_id_len);
	sig = hex(s.sig, s.sig_len);
	want = kmod_field(modinfo, "signer", path);
	CHECK(want && want[0]);
	CHECK_STR(s.signer, want);
	CHECK_INT(s.signer_len, ==, want ? strlen(want) : 0);
	free(want);
	want = kmod_field(modinfo, "sig_key", path);
	CHECK(want && want[0]);
	CHECK_STR(key, want);
	free(want);
	want = kmod_field(modinfo, "sig_hashalgo", path);
	CHECK(want && want[0]);
	CHECK_STR(s.hash_algo, want);
	free(want);
	want = kmod_field(modinfo, "signature", path);
	CHECK(want && strlen(want) > 40);
	CHECK_STR(sig, want);
	free(want);
	/* plain modinfo: "%s:%-*s%s\n" with the key padded to 16 columns, the last field */
	snprintf(cmd, sizeof(cmd), "%s '%s'", modinfo, path);
	plain = run(cmd);
	want = plain ? strstr(plain, "\nsignature:") : NULL;
	CHECK(want != NULL);
	CHECK_INT(lkm_buf_printf(&line, "%s:%-*s%s\n", "signature", 15 - 9, "", sig), ==, 0);
	if (want)
		CHECK_STR(line.data, want + 1);
	free(plain);
	free(key);
	free(sig);
	lkm_buf_free(&line);
	lkm_signature_release(&s);
	lkm_file_free(f);
}

TEST(signatures_of_msdos_match_kmod_modinfo)
{
	static char real[PATH_MAX];
	char buf[PATH_MAX + 400];
	const char *path;
	size_t t;

	if (!have_trees())
		return;
	if (!realpath("/sbin/modinfo", real) || !strstr(real, "kmod")) {
		SKIP("/sbin/modinfo is not kmod's: no oracle for the signature fields");
		return;
	}
	for (t = 0; t < ntrees; t++) {
		path = module_path(&trees[t], "msdos", buf, sizeof(buf));
		if (path)
			check_signature("/sbin/modinfo", path);
	}
}

/* ------------------------------------------------------ index.c on kmod's indexes */

static int write_index(struct lkm_index_builder *b, char *path)
{
	struct lkm_err err = { 0 };
	int fd, r;

	strcpy(path, "/tmp/lkm-test-real-index-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	r = lkm_index_builder_write(b, fd, &err);
	close(fd);
	return r;
}

static char *dump(struct lkm_index *idx)
{
	struct lkm_buf b = { 0 };

	if (lkm_index_dump(idx, &b) < 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

struct collect {
	char **keys, **values;
	uint32_t *prios;
	size_t n, cap, distinct;
	char last[LKM_INDEX_KEY_MAX + 1];
	int err;
};

static int collect_one(const char *key, const char *value, uint32_t priority, void *data)
{
	struct collect *c = data;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->keys = realloc(c->keys, c->cap * sizeof(char *));
		c->values = realloc(c->values, c->cap * sizeof(char *));
		c->prios = realloc(c->prios, c->cap * sizeof(uint32_t));
		if (!c->keys || !c->values || !c->prios)
			return c->err = -ENOMEM;
	}
	if (c->n == 0 || strcmp(c->last, key) != 0)
		c->distinct++;
	snprintf(c->last, sizeof(c->last), "%s", key);
	c->keys[c->n] = strdup(key);
	c->values[c->n] = strdup(value);
	c->prios[c->n] = priority;
	c->n++;
	return 0;
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->values[i]);
	}
	free(c->keys);
	free(c->values);
	free(c->prios);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t count_distinct(char **v, size_t n)
{
	size_t i, d = 0;

	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		d += i == 0 || strcmp(v[i - 1], v[i]) != 0;
	return d;
}

/* depmod's alias_normalize: '-' becomes '_' outside [ranges]; -1 for a bad bracket. */
static int alias_normalize(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++) {
		if (in[i] == ']')
			return -1;
		if (in[i] == '[') {
			for (; in[i] && in[i] != ']' && i + 1 < size; i++)
				out[i] = in[i];
			if (in[i] != ']')
				return -1;
		}
		out[i] = in[i] == '-' ? '_' : in[i];
	}
	out[i] = '\0';
	return 0;
}

/*
 * Re-insert everything through the builder (each key's values in reverse, which
 * rebuilds their stored order) and check the new file reads the same. kmod 30 wrote
 * the same nodes in another order, so the size must match too.
 */
static void check_rewrite(const char *path, struct collect *c)
{
	struct lkm_index_builder *b;
	struct lkm_index *a = NULL, *n = NULL;
	char out[64], *d1 = NULL, *d2 = NULL;
	struct stat st1, st2;
	size_t i;
	int bad = 0;

	if (lkm_index_builder_new(&b) < 0)
		return;
	for (i = c->n; i-- > 0;)
		bad |= lkm_index_builder_add(b, c->keys[i], c->values[i], c->prios[i]) < 0;
	CHECK(!bad);
	CHECK_INT(write_index(b, out), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &a, NULL), ==, 0);
	CHECK_INT(lkm_index_open(out, &n, NULL), ==, 0);
	if (a && n) {
		d1 = dump(a);
		d2 = dump(n);
		CHECK(d1 && d2 && strcmp(d1, d2) == 0);
	}
	CHECK(stat(path, &st1) == 0 && stat(out, &st2) == 0 && st1.st_size == st2.st_size);
	free(d1);
	free(d2);
	lkm_index_close(a);
	lkm_index_close(n);
	unlink(out);
}

static int collect_file(const char *dir, const char *name, struct collect *c)
{
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	char path[4200];
	int r;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = lkm_index_open(path, &idx, &err);
	if (r < 0) {
		fprintf(stderr, "  %s: %s\n", path, lkm_err_reason(&err, r));
		return r;
	}
	r = lkm_index_verify(idx, &err);
	if (r < 0)
		fprintf(stderr, "  %s: %s\n", path, lkm_err_reason(&err, r));
	if (r == 0)
		r = lkm_index_foreach(idx, collect_one, c);
	lkm_index_close(idx);
	if (r == 0)
		check_rewrite(path, c);
	return r;
}

/* Lines of a text file, without comments. */
static char **text_lines(const char *dir, const char *name, size_t *n, char **mem)
{
	char path[4200], *p, *nl, **lines = NULL;
	size_t len, cap = 0;

	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (lkm_read_file(path, (size_t)1 << 28, mem, &len) < 0)
		return NULL;
	for (p = *mem; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				return NULL;
		}
		lines[(*n)++] = p;
	}
	return lines;
}

static void check_dep(const char *dir)
{
	struct collect c;
	struct lkm_index *idx = NULL;
	char **lines, *mem = NULL, path[4200], name[LKM_NAME_MAX], *colon;
	const char *first;
	size_t n, i, bad = 0;

	CHECK_INT(collect_file(dir, "modules.dep.bin", &c), ==, 0);
	lines = text_lines(dir, "modules.dep", &n, &mem);
	CHECK(lines && n > 1000);
	printf("  %s/modules.dep: %zu lines, %zu keys in the .bin\n", dir, n, c.distinct);
	CHECK_INT(c.distinct, ==, n);
	CHECK_INT(c.n, ==, n);
	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	/* Each line is the value of its module's name, as modprobe reads it. */
	for (i = 0; idx && lines && i < n; i++) {
		colon = strchr(lines[i], ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (lkm_name_from_path(name, sizeof(name), lines[i]) < 0)
			continue;
		*colon = ':';
		if (lkm_index_lookup_first(idx, name, &first, NULL) != 1 ||
		    strcmp(first, lines[i]) != 0)
			bad++;
	}
	CHECK_INT(bad, ==, 0);
	lkm_index_close(idx);
	free(lines);
	free(mem);
	collect_free(&c);
}

/* "alias KEY MODULE" lines against the index: key count, and every pair found. */
static void check_alias_file(const char *dir, const char *bin, const char *text, bool normalize)
{
	struct collect c;
	struct lkm_index *idx = NULL;
	char **lines, **keys, *mem = NULL, path[4200], key[4096];
	size_t n, i, nkeys = 0, bad = 0;

	CHECK_INT(collect_file(dir, bin, &c), ==, 0);
	lines = text_lines(dir, text, &n, &mem);
	CHECK(lines && n > 1000);
	keys = calloc(n + 1, sizeof(*keys));
	snprintf(path, sizeof(path), "%s/%s", dir, bin);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	for (i = 0; idx && lines && keys && i < n; i++) {
		struct lkm_index_value *v = NULL, *it;
		char *k = lines[i] + 6, *mod = strrchr(lines[i], ' ');
		bool found = false;

		if (strncmp(lines[i], "alias ", 6) != 0 || !mod || mod < k)
			continue;
		*mod++ = '\0';
		if (normalize ? alias_normalize(k, key, sizeof(key)) < 0
			      : snprintf(key, sizeof(key), "%s", k) < 0)
			continue;
		keys[nkeys++] = strdup(key);
		if (lkm_index_lookup(idx, key, &v) > 0)
			for (it = v; it; it = it->next)
				found |= strcmp(it->value, mod) == 0;
		lkm_index_values_free(v);
		bad += !found;
	}
	CHECK_INT(bad, ==, 0);
	printf("  %s/%s: %zu pairs, each found in the .bin\n", dir, text, nkeys);
	CHECK_INT(c.distinct, ==, count_distinct(keys, nkeys));
	CHECK_INT(c.n, ==, nkeys);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	lkm_index_close(idx);
	free(lines);
	free(mem);
	collect_free(&c);
}

static void check_builtin(const char *dir)
{
	struct collect c;
	char **lines, **names, *mem = NULL, name[LKM_NAME_MAX];
	size_t n, i, m = 0;

	CHECK_INT(collect_file(dir, "modules.builtin.bin", &c), ==, 0);
	lines = text_lines(dir, "modules.builtin", &n, &mem);
	names = calloc(n + 1, sizeof(*names));
	for (i = 0; lines && names && i < n; i++)
		if (lkm_name_from_path(name, sizeof(name), lines[i]) == 0)
			names[m++] = strdup(name);
	CHECK(m > 100);
	CHECK_INT(c.distinct, ==, count_distinct(names, m));
	for (i = 0; i < m; i++)
		free(names[i]);
	free(names);
	free(lines);
	free(mem);
	collect_free(&c);

	CHECK_INT(collect_file(dir, "modules.builtin.alias.bin", &c), ==, 0);
	CHECK(c.n > 0);
	collect_free(&c);
}

TEST(indexes_kmod_wrote_read_and_rewrite)
{
	size_t t;

	if (!have_trees())
		return;
	for (t = 0; t < ntrees; t++) {
		const char *dir = trees[t].dir;

		if (access(dir, R_OK) != 0) {
			fprintf(stderr, "  %s is missing\n", dir);
			test_failed = 1;
			continue;
		}
		check_dep(dir);
		check_alias_file(dir, "modules.alias.bin", "modules.alias", true);
		check_alias_file(dir, "modules.symbols.bin", "modules.symbols", false);
		check_builtin(dir);
	}
}

TEST_MAIN()
