// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The .bin index: builder and reader on indexes made here, kmod's wildcard order,
 * malformed files (checked where nodes are read, and by lkm_index_verify()), and an
 * index the size of a whole tree's written in two orders. The indexes kmod 30's depmod
 * wrote for Debian's trees are read in tests/diff/real-modules.c.
 * The expected orders and bytes below were checked against kmod (modprobe -R on an
 * index written here, and kmod 34's depmod writer on the same inserts).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "test.h"

/* ------------------------------------------------------------ helpers */

static int write_index(struct lkm_index_builder *b, char *path)
{
	struct lkm_err err = { 0 };
	int fd, r;

	strcpy(path, "/tmp/lkm-test-index-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	r = lkm_index_builder_write(b, fd, &err);
	close(fd);
	return r;
}

static void put_be32_test(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int read_bytes(const char *path, uint8_t **data, size_t *len)
{
	return lkm_read_file(path, (size_t)1 << 28, (char **)data, len);
}

/* The whole index as "KEY\tPRIORITY\tVALUE\n" lines, in foreach order. */
static char *dump(struct lkm_index *idx)
{
	struct lkm_buf b = { 0 };

	if (lkm_index_dump(idx, &b) < 0) {
		lkm_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* What a walk of every value returns (lkm_index_foreach's result), the text dropped. */
static int foreach_result(struct lkm_index *idx)
{
	struct lkm_buf b = { 0 };
	int r = lkm_index_dump(idx, &b);

	lkm_buf_free(&b);
	return r;
}

/* The values of a list joined by spaces ("" for none), for compact checks. */
static char *join(const struct lkm_index_value *v)
{
	struct lkm_buf b = { 0 };

	if (lkm_buf_puts(&b, "") < 0)
		return NULL;
	for (; v; v = v->next)
		if (lkm_buf_printf(&b, "%s%s:%u", b.len ? " " : "", v->value, v->priority) < 0)
			break;
	return b.data;
}

static char *lookup_str(struct lkm_index *idx, const char *key)
{
	struct lkm_index_value *v = NULL;
	char *s;

	if (lkm_index_lookup(idx, key, &v) < 0)
		return strdup("(error)");
	s = join(v);
	lkm_index_values_free(v);
	return s;
}

static char *match_str(struct lkm_index *idx, const char *key)
{
	struct lkm_index_value *v = NULL;
	char *s;

	if (lkm_index_match_wildcards(idx, key, &v) < 0)
		return strdup("(error)");
	s = join(v);
	lkm_index_values_free(v);
	return s;
}

#define CHECK_LOOKUP(idx, key, want)                                                       \
	do {                                                                               \
		char *_s = lookup_str(idx, key);                                           \
		CHECK_STR(_s, want);                                                       \
		free(_s);                                                                  \
	} while (0)

#define CHECK_MATCH(idx, key, want)                                                        \
	do {                                                                               \
		char *_s = match_str(idx, key);                                            \
		CHECK_STR(_s, want);                                                       \
		free(_s);                                                                  \
	} while (0)

/* ------------------------------------------------------------ builder and reader */

struct entry {
	const char *key, *value;
	uint32_t priority;
};

static const struct entry small[] = {
	{ "on", "v-on", 0 },        { "once", "v-once", 0 }, { "one", "v-one", 0 },
	{ "ask", "v-ask", 0 },      { "ate", "v-ate", 0 },   { "", "root-value", 0 },
	{ "one", "", 0 },           { "multi", "e5", 5 },    { "multi", "b1", 1 },
	{ "multi", "c3", 3 },       { "multi", "d1", 1 },    { "multi", "a0", 0 },
	{ "ask", "other", 2 },
};

/* The small entries, then "f" + every 7-bit byte but NUL, for a 127-way fan-out. */
static struct lkm_index_builder *build_small(void)
{
	struct lkm_index_builder *b;
	char key[3], value[16];
	size_t i;

	if (lkm_index_builder_new(&b) < 0)
		return NULL;
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		CHECK_INT(lkm_index_builder_add(b, small[i].key, small[i].value,
						small[i].priority), ==, 0);
	for (i = 1; i < 128; i++) {
		snprintf(key, sizeof(key), "f%c", (int)i);
		snprintf(value, sizeof(value), "fan%02zx", i);
		CHECK_INT(lkm_index_builder_add(b, key, value, (uint32_t)i), ==, 0);
	}
	return b;
}

static char *expected_small_dump(void)
{
	struct lkm_buf b = { 0 };
	int i, r;

	r = lkm_buf_puts(&b, "\t0\troot-value\n"
			     "ask\t0\tv-ask\n"
			     "ask\t2\tother\n"
			     "ate\t0\tv-ate\n");
	for (i = 1; i < 128 && r == 0; i++)
		r = lkm_buf_printf(&b, "f%c\t%d\tfan%02x\n", i, i, i);
	if (r == 0)
		r = lkm_buf_puts(&b, "multi\t0\ta0\n"
				     "multi\t1\td1\n"
				     "multi\t1\tb1\n"
				     "multi\t3\tc3\n"
				     "multi\t5\te5\n"
				     "on\t0\tv-on\n"
				     "once\t0\tv-once\n"
				     "one\t0\t\n"
				     "one\t0\tv-one\n");
	return r == 0 ? b.data : NULL;
}

TEST(builder_and_reader_agree_on_every_key_and_value)
{
	struct lkm_index_builder *b = build_small();
	struct lkm_index *idx = NULL;
	struct lkm_err err = { 0 };
	char path[64], *got, *want;
	const char *first;
	uint32_t prio = 99;

	CHECK(b != NULL);
	if (!b)
		return;
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &idx, &err), ==, 0);
	unlink(path);
	if (!idx)
		return;
	got = dump(idx);
	want = expected_small_dump();
	CHECK_STR(got, want);
	free(got);
	free(want);

	CHECK_LOOKUP(idx, "", "root-value:0");
	CHECK_LOOKUP(idx, "on", "v-on:0");
	CHECK_LOOKUP(idx, "one", ":0 v-one:0");
	CHECK_LOOKUP(idx, "multi", "a0:0 d1:1 b1:1 c3:3 e5:5");
	CHECK_LOOKUP(idx, "f\x7f", "fan7f:127");
	CHECK_LOOKUP(idx, "f\x01", "fan01:1");
	CHECK_LOOKUP(idx, "f", "");       /* an inner node, no values */
	CHECK_LOOKUP(idx, "o", "");
	CHECK_LOOKUP(idx, "onc", "");
	CHECK_LOOKUP(idx, "oncee", "");
	CHECK_LOOKUP(idx, "multiple", "");
	CHECK_LOOKUP(idx, "f\x80", "");
	CHECK_LOOKUP(idx, "zzz", "");
	CHECK_INT(lkm_index_lookup_first(idx, "multi", &first, &prio), ==, 1);
	CHECK_STR(first, "a0");
	CHECK_INT(prio, ==, 0);
	CHECK_INT(lkm_index_lookup_first(idx, "ask", &first, NULL), ==, 1);
	CHECK_STR(first, "v-ask");
	CHECK_INT(lkm_index_lookup_first(idx, "as", &first, NULL), ==, 0);
	CHECK(first == NULL);
	lkm_index_close(idx);
}

TEST(builder_reports_duplicates_and_keeps_them_as_depmod_does)
{
	struct lkm_index_builder *b;
	struct lkm_index *idx = NULL;
	char path[64];

	CHECK_INT(lkm_index_builder_new(&b), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "pci:v1", "snd", 4), ==, 0);
	CHECK(lkm_index_builder_contains(b, "pci:v1", "snd"));
	CHECK(!lkm_index_builder_contains(b, "pci:v1", "other"));
	CHECK(!lkm_index_builder_contains(b, "pci:v", "snd"));
	CHECK(!lkm_index_builder_contains(b, "pci:v12", "snd"));
	CHECK_INT(lkm_index_builder_add(b, "pci:v1", "snd", 4), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "pci:v1", "snd", 2), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "pci:v1", "other", 4), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	unlink(path);
	if (!idx)
		return;
	CHECK_LOOKUP(idx, "pci:v1", "snd:2 other:4 snd:4 snd:4");
	lkm_index_close(idx);
}

TEST(builder_refuses_what_kmod_cannot_read)
{
	struct lkm_index_builder *b;
	char key[LKM_INDEX_KEY_MAX + 2];

	CHECK_INT(lkm_index_builder_new(&b), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "caf\xc3\xa9", "m", 0), ==, -EINVAL);
	CHECK_INT(lkm_index_builder_add(b, "k", "\x80", 0), ==, -EINVAL);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	CHECK_INT(lkm_index_builder_add(b, key, "m", 0), ==, -EINVAL);
	key[LKM_INDEX_KEY_MAX] = '\0';
	CHECK_INT(lkm_index_builder_add(b, key, "m", 0), ==, 0);
	lkm_index_builder_free(b);
}

TEST(longest_key_round_trips)
{
	struct lkm_index_builder *b;
	struct lkm_index *idx = NULL;
	char key[LKM_INDEX_KEY_MAX + 1], path[64], *got;
	size_t i;

	CHECK_INT(lkm_index_builder_new(&b), ==, 0);
	/* Keys that branch at every byte make the deepest trie the limit allows. */
	for (i = 1; i <= LKM_INDEX_KEY_MAX; i += 97) {
		memset(key, 'a', i);
		key[i - 1] = 'b';
		key[i] = '\0';
		CHECK_INT(lkm_index_builder_add(b, key, "deep", (uint32_t)i), ==, 0);
	}
	memset(key, 'a', LKM_INDEX_KEY_MAX);
	key[LKM_INDEX_KEY_MAX] = '\0';
	CHECK_INT(lkm_index_builder_add(b, key, "longest", 1), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	unlink(path);
	if (!idx)
		return;
	CHECK_LOOKUP(idx, key, "longest:1");
	CHECK_MATCH(idx, key, "longest:1");
	got = dump(idx);
	CHECK(got && strstr(got, "\t1\tlongest\n") != NULL);
	free(got);
	lkm_index_close(idx);
}

/* Two keys written as kmod 34 writes them, byte for byte (checked with its depmod). */
static const uint8_t golden_preorder[] = {
	0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x0c,
	/* root @12: children 'a'..'a' */
	'a', 'a', 0x20, 0x00, 0x00, 0x12,
	/* "a" @18: children 's'..'t' */
	's', 't', 0xc0, 0x00, 0x00, 0x1c, 0xc0, 0x00, 0x00, 0x28,
	/* "ask" @28: prefix "k", one value (0, "A") */
	'k', 0, 0, 0, 0, 1, 0, 0, 0, 0, 'A', 0,
	/* "ate" @40: prefix "e", one value (1, "B") */
	'e', 0, 0, 0, 0, 1, 0, 0, 0, 1, 'B', 0,
};

/* The same trie as kmod up to v33 lays it out: children first, root last. */
static const uint8_t golden_postorder[] = {
	0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x2e,
	'k', 0, 0, 0, 0, 1, 0, 0, 0, 0, 'A', 0,                 /* @12 */
	'e', 0, 0, 0, 0, 1, 0, 0, 0, 1, 'B', 0,                 /* @24 */
	's', 't', 0xc0, 0x00, 0x00, 0x0c, 0xc0, 0x00, 0x00, 0x18, /* @36 */
	'a', 'a', 0x20, 0x00, 0x00, 0x24,                       /* @46 */
};

TEST(builder_writes_kmod34_bytes_and_reader_reads_both_orders)
{
	struct lkm_index_builder *b;
	struct lkm_index *idx = NULL;
	uint8_t *bytes = NULL;
	char path[64], *got;
	size_t len = 0;

	CHECK_INT(lkm_index_builder_new(&b), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "ask", "A", 0), ==, 0);
	CHECK_INT(lkm_index_builder_add(b, "ate", "B", 1), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(read_bytes(path, &bytes, &len), ==, 0);
	unlink(path);
	CHECK_INT(len, ==, sizeof(golden_preorder));
	CHECK(bytes && len == sizeof(golden_preorder) &&
	      memcmp(bytes, golden_preorder, len) == 0);
	free(bytes);

	CHECK_INT(lkm_index_open_memory(golden_postorder, sizeof(golden_postorder), &idx, NULL),
		  ==, 0);
	if (!idx)
		return;
	got = dump(idx);
	CHECK_STR(got, "ask\t0\tA\nate\t1\tB\n");
	free(got);
	CHECK_LOOKUP(idx, "ate", "B:1");
	lkm_index_close(idx);
}

TEST(empty_index_has_no_keys)
{
	struct lkm_index_builder *b;
	struct lkm_index *idx = NULL;
	char path[64], *got;

	CHECK_INT(lkm_index_builder_new(&b), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	unlink(path);
	if (!idx)
		return;
	got = dump(idx);
	CHECK_STR(got, "");
	free(got);
	CHECK_LOOKUP(idx, "", "");
	CHECK_MATCH(idx, "x", "");
	lkm_index_close(idx);
}

/* ------------------------------------------------------------ wildcards */

static struct lkm_index *build_patterns(const struct entry *e, size_t n)
{
	struct lkm_index_builder *b;
	struct lkm_index *idx = NULL;
	char path[64];
	size_t i;

	if (lkm_index_builder_new(&b) < 0)
		return NULL;
	for (i = 0; i < n; i++)
		CHECK_INT(lkm_index_builder_add(b, e[i].key, e[i].value, e[i].priority), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(lkm_index_open(path, &idx, NULL), ==, 0);
	unlink(path);
	return idx;
}

static const struct entry patterns[] = {
	{ "pci:v00008086d*", "intel_any", 0 },
	{ "pci:v00008086d00001234sv*", "intel_1234", 0 },
	{ "pci:v*d*", "any_pci", 0 },
	{ "pci:v0000808[0-9]d*", "range", 0 },
	{ "pci:v0000808?d*", "question", 0 },
	{ "pci:v00008087d*", "other", 0 },
	{ "usb:v*p*d*dc*", "usb", 0 },
	{ "acpi*:PNP0A03:*", "acpi", 0 },
	{ "fs-msdos", "msdos", 0 },
	{ "pci:v00008086d00001234sv00000000", "exact", 0 },
};

TEST(wildcards_match_in_kmod_order)
{
	struct lkm_index *idx = build_patterns(patterns, sizeof(patterns) / sizeof(patterns[0]));

	if (!idx)
		return;
	/* Equal priorities: the reverse of kmod's walk (modprobe -R gives this order). */
	CHECK_MATCH(idx, "pci:v00008086d00001234sv00000000",
		    "exact:0 intel_1234:0 intel_any:0 range:0 question:0 any_pci:0");
	CHECK_MATCH(idx, "pci:v00008087d0001", "other:0 range:0 question:0 any_pci:0");
	CHECK_MATCH(idx, "pci:v0000808Ad0001", "question:0 any_pci:0");
	CHECK_MATCH(idx, "pci:v00001002", "");
	CHECK_MATCH(idx, "usb:v046Dp0A0Bd0100dc00dsc00", "usb:0");
	CHECK_MATCH(idx, "usb:v046Dp0A0Bd0100", "");
	CHECK_MATCH(idx, "acpi:PNP0A03:", "acpi:0");
	CHECK_MATCH(idx, "acpiX:PNP0A03:Y", "acpi:0");
	CHECK_MATCH(idx, "acpi:PNP0A0:", "");
	CHECK_MATCH(idx, "fs-msdos", "msdos:0");
	CHECK_MATCH(idx, "fs-msdo", "");
	CHECK_MATCH(idx, "fs-msdoss", "");
	CHECK_MATCH(idx, "", "");
	/* An exact lookup does not expand patterns. */
	CHECK_LOOKUP(idx, "pci:v00008086d00001234", "");
	CHECK_LOOKUP(idx, "pci:v*d*", "any_pci:0");
	lkm_index_close(idx);
}

TEST(wildcard_results_sort_by_priority_first)
{
	static const struct entry prio[] = {
		{ "pci:v00008086d*", "intel_any", 0 },
		{ "pci:v00008086d00001234sv*", "intel_1234", 3 },
		{ "pci:v*d*", "any_pci", 2 },
		{ "pci:v0000808[0-9]d*", "range", 1 },
		{ "pci:v0000808?d*", "question", 1 },
		{ "pci:v00008086d00001234sv00000000", "exact", 1 },
	};
	struct lkm_index *idx = build_patterns(prio, sizeof(prio) / sizeof(prio[0]));

	if (!idx)
		return;
	CHECK_MATCH(idx, "pci:v00008086d00001234sv00000000",
		    "intel_any:0 exact:1 range:1 question:1 any_pci:2 intel_1234:3");
	lkm_index_close(idx);
}

/* ------------------------------------------------------------ malformed files */

/*
 * Nodes are checked where they are read, so a malformed file may open and fail only
 * later. use_bytes() opens @data and uses it every way; the result is the first error
 * of open, foreach, lookup and match, or 0 when all of them succeed. Any error other
 * than -EBADMSG fails the test, and the callers pass buffers of exactly @len bytes, so
 * ASan sees any read past them.
 */
static int use_result(int r, int *first)
{
	if (r < 0 && r != -EBADMSG) {
		fprintf(stderr, "  unexpected error %d\n", r);
		test_failed = 1;
	}
	if (r < 0 && *first == 0)
		*first = r;
	return r;
}

static int use_index(struct lkm_index *idx)
{
	static const char *const keys[] = { "pci:v00008086d00001234sv00000000", "fs-msdos",
					    "ask", "ate", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
					    "abababababababababababababababab" };
	struct lkm_index_value *v = NULL;
	struct lkm_buf b = { 0 };
	const char *first;
	size_t i;
	int r = 0;

	use_result(lkm_index_dump(idx, &b), &r);
	lkm_buf_free(&b);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		use_result(lkm_index_lookup(idx, keys[i], &v), &r);
		lkm_index_values_free(v);
		use_result(lkm_index_lookup_first(idx, keys[i], &first, NULL), &r);
		use_result(lkm_index_match_wildcards(idx, keys[i], &v), &r);
		lkm_index_values_free(v);
	}
	return r;
}

static int use_bytes(const uint8_t *data, size_t len, struct lkm_err *err)
{
	struct lkm_index *idx = NULL;
	int r;

	r = lkm_index_open_memory(data, len, &idx, err);
	if (r < 0)
		return r;
	r = use_index(idx);
	lkm_index_close(idx);
	return r;
}

/* Open and lkm_index_verify(): the whole-file check. */
static int verify_bytes(const uint8_t *data, size_t len, struct lkm_err *err)
{
	struct lkm_index *idx = NULL;
	int r;

	r = lkm_index_open_memory(data, len, &idx, err);
	if (r < 0)
		return r;
	r = lkm_index_verify(idx, err);
	lkm_index_close(idx);
	return r;
}

static uint8_t *bytes_of_patterns(size_t *len)
{
	struct lkm_index_builder *b;
	uint8_t *bytes = NULL;
	char path[64];
	size_t i;

	if (lkm_index_builder_new(&b) < 0)
		return NULL;
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		CHECK_INT(lkm_index_builder_add(b, patterns[i].key, patterns[i].value, 0), ==, 0);
	CHECK_INT(write_index(b, path), ==, 0);
	lkm_index_builder_free(b);
	CHECK_INT(read_bytes(path, &bytes, len), ==, 0);
	unlink(path);
	return bytes;
}

TEST(bad_magic_and_version_are_refused_at_open)
{
	uint8_t buf[sizeof(golden_preorder)];
	struct lkm_err err = { 0 };
	struct lkm_index *idx = NULL;

	memcpy(buf, golden_preorder, sizeof(buf));
	buf[3] = 0x58;
	CHECK_INT(lkm_index_open_memory(buf, sizeof(buf), &idx, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "magic") != NULL);
	memcpy(buf, golden_preorder, sizeof(buf));
	buf[5] = 3; /* major 3 */
	CHECK_INT(lkm_index_open_memory(buf, sizeof(buf), &idx, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "version") != NULL);
	memcpy(buf, golden_preorder, sizeof(buf));
	buf[7] = 9; /* minor 9: readable, as kmod treats it */
	CHECK_INT(use_bytes(buf, sizeof(buf), NULL), ==, 0);
	CHECK_INT(verify_bytes(buf, sizeof(buf), NULL), ==, 0);
	CHECK_INT(lkm_index_open_memory(buf, 0, &idx, NULL), ==, -EBADMSG);
	CHECK_INT(lkm_index_open_memory(buf, 11, &idx, NULL), ==, -EBADMSG);
}

TEST(open_checks_the_header_and_root_and_lookups_check_their_path)
{
	/* "ate" @40: a value count of 2 where one value of 6 bytes is left */
	uint8_t buf[sizeof(golden_preorder)];
	struct lkm_index_value *v = NULL;
	struct lkm_err err = { 0 };
	struct lkm_index *idx = NULL;
	const char *first;

	memcpy(buf, golden_preorder, sizeof(buf));
	buf[45] = 2;
	CHECK_INT(lkm_index_open_memory(buf, sizeof(buf), &idx, &err), ==, 0);
	if (!idx)
		return;
	CHECK_LOOKUP(idx, "ask", "A:0");
	CHECK_LOOKUP(idx, "ate", "(error)");
	CHECK_LOOKUP(idx, "other", "");
	CHECK_INT(lkm_index_lookup_first(idx, "ask", &first, NULL), ==, 1);
	CHECK_INT(lkm_index_lookup_first(idx, "ate", &first, NULL), ==, -EBADMSG);
	CHECK(first == NULL);
	CHECK_INT(lkm_index_lookup(idx, "ate", &v), ==, -EBADMSG);
	CHECK(v == NULL);
	CHECK_MATCH(idx, "ask", "A:0");
	CHECK_MATCH(idx, "ate", "(error)");
	CHECK_INT(foreach_result(idx), ==, -EBADMSG);
	CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "values") != NULL);
	lkm_index_close(idx);

	/* the last value without its NUL: found only when that value is read */
	memcpy(buf, golden_preorder, sizeof(buf));
	buf[sizeof(buf) - 1] = 'x';
	CHECK_INT(lkm_index_open_memory(buf, sizeof(buf), &idx, NULL), ==, 0);
	if (!idx)
		return;
	CHECK_LOOKUP(idx, "ask", "A:0");
	CHECK_INT(lkm_index_lookup_first(idx, "ate", &first, NULL), ==, -EBADMSG);
	CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "truncated") != NULL);
	lkm_index_close(idx);
}

TEST(truncation_at_every_byte_is_an_error)
{
	size_t len = 0, cut;
	uint8_t *bytes = bytes_of_patterns(&len);

	CHECK(bytes && len > 100);
	if (!bytes)
		return;
	CHECK_INT(use_bytes(bytes, len, NULL), ==, 0);
	CHECK_INT(verify_bytes(bytes, len, NULL), ==, 0);
	for (cut = 0; cut < len; cut++) {
		/* A fresh copy, so ASan sees any read past the cut. */
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, bytes, cut);
		/* The walk reads every byte of a pre-order file, the last value last. */
		if (use_bytes(copy, cut, NULL) != -EBADMSG ||
		    verify_bytes(copy, cut, NULL) != -EBADMSG) {
			fprintf(stderr, "  cut at %zu was read without an error\n", cut);
			test_failed = 1;
		}
		free(copy);
	}
	free(bytes);
}

/* A header, then @body at offset 12, in a buffer of exactly that size. */
static uint8_t *crafted(uint32_t root, const uint8_t *body, size_t n)
{
	uint8_t *buf = malloc(12 + n);

	if (!buf)
		abort();
	memcpy(buf, (uint8_t[]){ 0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01 }, 8);
	buf[8] = root >> 24;
	buf[9] = root >> 16;
	buf[10] = root >> 8;
	buf[11] = root;
	if (n)
		memcpy(buf + 12, body, n);
	return buf;
}

static int use_crafted(uint32_t root, const uint8_t *body, size_t n, struct lkm_err *err)
{
	uint8_t *buf = crafted(root, body, n);
	int r = use_bytes(buf, 12 + n, err);

	free(buf);
	return r;
}

static int verify_crafted(uint32_t root, const uint8_t *body, size_t n, struct lkm_err *err)
{
	uint8_t *buf = crafted(root, body, n);
	int r = verify_bytes(buf, 12 + n, err);

	free(buf);
	return r;
}

TEST(bad_offsets_cycles_and_sharing_fail_where_they_are_read)
{
	/* root children 'a'..'a' -> itself */
	static const uint8_t self[] = { 'a', 'a', 0x20, 0, 0, 12 };
	/* root children 'a'..'b', both -> the same leaf "x" with one value */
	static const uint8_t shared[] = { 'a', 'b', 0xc0, 0, 0, 22, 0xc0, 0, 0, 22,
					  'x', 0, 0, 0, 0, 1, 0, 0, 0, 0, 'v', 0 };
	/* child -> past the end */
	static const uint8_t far[] = { 'a', 'a', 0x40, 0x0f, 0xff, 0xf0 };
	/* child range backwards */
	static const uint8_t backwards[] = { 'b', 'a', 0, 0, 0, 0 };
	/* a child under byte 0 */
	static const uint8_t nul_child[] = { 0, 0, 0x40, 0, 0, 18, 0, 0, 0, 1, 0, 0, 0, 0, 'v', 0 };
	/* 4 billion values announced, none there */
	static const uint8_t many[] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 'v', 0 };
	/* prefix without its NUL */
	static const uint8_t open_prefix[] = { 'a', 'b', 'c' };
	/* root 'a' -> @18, a node with no prefix whose 'b' child is the root again */
	static const uint8_t loop[] = { 'a', 'a', 0x20, 0, 0, 18, 'b', 'b', 0x20, 0, 0, 12 };
	/* a root overlapping the header */
	static const uint8_t header[] = { 0 };
	struct lkm_err err = { 0 };
	uint8_t *buf;
	char *got;
	struct lkm_index *idx = NULL;

	/* Refused at open: the root itself is bad. */
	CHECK_INT(use_crafted(0x2fffffff, far, sizeof(far), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "past the end") != NULL);
	CHECK_INT(use_crafted(0x2000000c, backwards, sizeof(backwards), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "child range") != NULL);
	CHECK_INT(use_crafted(0x4000000c, many, sizeof(many), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "values") != NULL);
	CHECK_INT(use_crafted(0x8000000c, open_prefix, sizeof(open_prefix), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "prefix") != NULL);

	/* Opened, then refused by the walks; lookups end after the key's bytes. */
	CHECK_INT(use_crafted(0x2000000c, self, sizeof(self), NULL), ==, -EBADMSG);
	CHECK_INT(use_crafted(0x2000000c, loop, sizeof(loop), NULL), ==, -EBADMSG);
	CHECK_INT(use_crafted(0x2000000c, far, sizeof(far), NULL), ==, -EBADMSG);
	CHECK_INT(use_crafted(0x2000000c, nul_child, sizeof(nul_child), NULL), ==, -EBADMSG);

	/* A shared leaf costs nothing more than a copy: a bounded result. */
	buf = crafted(0x2000000c, shared, sizeof(shared));
	CHECK_INT(lkm_index_open_memory(buf, 12 + sizeof(shared), &idx, NULL), ==, 0);
	if (idx) {
		got = dump(idx);
		CHECK_STR(got, "ax\t0\tv\nbx\t0\tv\n");
		free(got);
		CHECK_INT(use_index(idx), ==, 0);
		lkm_index_close(idx);
	}
	free(buf);

	/* The whole-file check refuses all of them. */
	CHECK_INT(verify_crafted(0x2000000c, self, sizeof(self), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "twice") != NULL);
	CHECK_INT(verify_crafted(0x2000000c, loop, sizeof(loop), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "twice") != NULL);
	CHECK_INT(verify_crafted(0x2000000c, shared, sizeof(shared), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "twice") != NULL);
	CHECK_INT(verify_crafted(0x2000000c, far, sizeof(far), NULL), ==, -EBADMSG);
	CHECK_INT(verify_crafted(0x2000000c, nul_child, sizeof(nul_child), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "byte 0") != NULL);
	CHECK_INT(verify_crafted(0x80000004, header, sizeof(header), &err), ==, -EBADMSG);
	CHECK(strstr(err.why, "overlaps") != NULL);

	/* A root reference of offset 0 is an empty index, as kmod reads it. */
	CHECK_INT(use_crafted(0, NULL, 0, NULL), ==, 0);
	CHECK_INT(verify_crafted(0, NULL, 0, NULL), ==, 0);
}

TEST(a_chain_deeper_than_the_key_limit_is_refused)
{
	size_t depth = LKM_INDEX_KEY_MAX + 10, i, size = 12 + 6 * depth + 1;
	uint8_t *buf = calloc(1, size);
	struct lkm_index *idx = NULL;
	struct lkm_index_value *v = NULL;
	char *key;
	uint32_t next;

	if (!buf)
		return;
	memcpy(buf, (uint8_t[]){ 0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0, 0, 12 },
	       12);
	for (i = 0; i < depth; i++) {
		uint8_t *n = buf + 12 + 6 * i;

		next = (i + 1 < depth) ? (uint32_t)(12 + 6 * (i + 1)) | 0x20000000 : 0;
		n[0] = n[1] = 'a';
		n[2] = next >> 24;
		n[3] = next >> 16;
		n[4] = next >> 8;
		n[5] = next;
	}
	CHECK_INT(use_bytes(buf, size, NULL), ==, -EBADMSG);
	CHECK_INT(verify_bytes(buf, size, NULL), ==, -EBADMSG);
	/* An exact lookup only goes as deep as its own key, whatever its length. */
	key = malloc(depth + 1);
	memset(key, 'a', depth);
	key[depth] = '\0';
	CHECK_INT(lkm_index_open_memory(buf, size, &idx, NULL), ==, 0);
	if (idx) {
		CHECK_INT(lkm_index_lookup(idx, key, &v), ==, 0);
		CHECK_INT(lkm_index_match_wildcards(idx, key, &v), ==, 0);
		lkm_index_close(idx);
	}
	free(key);
	free(buf);
}

/*
 * Every level's '*' and '+' both lead to the next level: 2^40 paths through 40 nodes.
 * Without the budget, dump and the search under '*' would never end.
 */
TEST(shared_subtrees_cannot_make_a_walk_exponential)
{
	size_t levels = 40, i, size = 12 + 10 * levels + 10;
	uint8_t *buf = calloc(1, size), *n;
	struct lkm_index *idx = NULL;
	struct lkm_index_value *v = NULL;
	uint32_t next;

	if (!buf)
		return;
	memcpy(buf, (uint8_t[]){ 0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0, 0, 12 },
	       12);
	for (i = 0; i < levels; i++) {
		n = buf + 12 + 10 * i;
		next = (uint32_t)(12 + 10 * (i + 1)) | (i + 1 < levels ? 0x20000000 : 0x40000000);
		n[0] = '*';
		n[1] = '+';
		put_be32_test(n + 2, next);
		put_be32_test(n + 6, next);
	}
	/* the leaf: one value (0, "v") */
	n = buf + 12 + 10 * levels;
	put_be32_test(n, 1);
	n[8] = 'v';
	CHECK_INT(lkm_index_open_memory(buf, size, &idx, NULL), ==, 0);
	if (idx) {
		CHECK_INT(foreach_result(idx), ==, -EBADMSG);
		CHECK_INT(lkm_index_match_wildcards(idx, "anything", &v), ==, -EBADMSG);
		CHECK(v == NULL);
		CHECK_INT(lkm_index_lookup(idx, "*+*+", &v), ==, 0);
		lkm_index_close(idx);
	}
	CHECK_INT(verify_bytes(buf, size, NULL), ==, -EBADMSG);
	free(buf);
}

/*
 * Bit flips anywhere. Nothing may crash or hang, and whatever lkm_index_verify()
 * accepts, the lazy checks must read without an error.
 */
TEST(random_corruption_never_crashes)
{
	size_t len = 0, i;
	uint8_t *bytes = bytes_of_patterns(&len), *copy;
	uint32_t x = 2463534242u;
	int used = 0, verified = 0, bad = 0;

	if (!bytes)
		return;
	copy = malloc(len);
	for (i = 0; copy && i < 3000; i++) {
		int flips = 1 + i % 4, k, u, ver;

		memcpy(copy, bytes, len);
		for (k = 0; k < flips; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			copy[x % len] ^= (uint8_t)(1u << (x >> 29));
		}
		u = use_bytes(copy, len, NULL);
		ver = verify_bytes(copy, len, NULL);
		used += u == 0;
		verified += ver == 0;
		bad += ver == 0 && u != 0;
	}
	CHECK(used > 0); /* flips in values still give a readable index */
	CHECK(verified > 0);
	CHECK_INT(bad, ==, 0);
	free(copy);
	free(bytes);
}

/*
 * Child references deeper than the root that point past the end of the file, at its
 * last byte, or back up into a loop. Every operation must end (a watchdog turns a hang
 * into a failure) with -EBADMSG where it meets the bad node, and verify names it.
 */
static void hang(int sig)
{
	static const char msg[] = "FAIL child_offsets_outside_the_file_or_in_a_loop: hung\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

/* @body at offset 12 with the root at 12 (children only). */
static struct lkm_index *open_crafted(const uint8_t *body, size_t n, uint8_t **buf)
{
	struct lkm_index *idx = NULL;
	struct lkm_err err = { 0 };

	*buf = crafted(0x2000000c, body, n);
	CHECK_INT(lkm_index_open_memory(*buf, 12 + n, &idx, &err), ==, 0);
	return idx;
}

TEST(child_offsets_outside_the_file_or_in_a_loop)
{
	/* root 'a' -> X at 18: prefix "bc", child 'd' -> (patched below) */
	uint8_t deep[] = { 'a', 'a', 0xa0, 0, 0, 18, 'b', 'c', 0, 'd', 'd', 0, 0, 0, 0 };
	/* root 'a' -> X at 18, X 'b' -> X */
	static const uint8_t self[] = { 'a', 'a', 0x20, 0, 0, 18, 'b', 'b', 0x20, 0, 0, 18 };
	/* root 'a' -> X at 18, X '*' -> Y at 24, Y '*' -> X */
	static const uint8_t pair[] = { 'a', 'a', 0x20, 0, 0, 18, '*', '*', 0x20, 0, 0, 24,
					'*', '*', 0x20, 0, 0, 18 };
	struct lkm_index_value *v = NULL;
	struct lkm_err err = { 0 };
	struct lkm_index *idx;
	const size_t size = 12 + sizeof(deep);
	uint8_t *buf;
	char *key, want[128];

	signal(SIGALRM, hang);
	alarm(60);

	/* far past the end, with values announced there */
	put_be32_test(deep + 11, 0x4ffffff0);
	idx = open_crafted(deep, sizeof(deep), &buf);
	if (idx) {
		CHECK_INT(lkm_index_lookup(idx, "abcd", &v), ==, -EBADMSG);
		CHECK(v == NULL);
		CHECK_INT(lkm_index_lookup(idx, "abc", &v), ==, 0);
		CHECK_INT(lkm_index_match_wildcards(idx, "abcd", &v), ==, -EBADMSG);
		CHECK_INT(foreach_result(idx), ==, -EBADMSG);
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		snprintf(want, sizeof(want), "node at %u is past the end of the file (%zu)",
			 0x0ffffff0, size);
		CHECK_STR(err.why, want);
		lkm_index_close(idx);
	}
	free(buf);

	/* one byte past the end: still outside */
	put_be32_test(deep + 11, (uint32_t)size + 1);
	idx = open_crafted(deep, sizeof(deep), &buf);
	if (idx) {
		CHECK_INT(lkm_index_lookup(idx, "abcd", &v), ==, -EBADMSG);
		CHECK_INT(foreach_result(idx), ==, -EBADMSG);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		snprintf(want, sizeof(want), "node at %zu is past the end of the file (%zu)",
			 size + 1, size);
		CHECK_STR(err.why, want);
		lkm_index_close(idx);
	}
	free(buf);

	/* at the end, announcing values: they would be read from past it */
	put_be32_test(deep + 11, 0x40000000 | (uint32_t)size);
	idx = open_crafted(deep, sizeof(deep), &buf);
	if (idx) {
		CHECK_INT(lkm_index_lookup(idx, "abcd", &v), ==, -EBADMSG);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		snprintf(want, sizeof(want), "values of node at %zu are truncated", size);
		CHECK_STR(err.why, want);
		lkm_index_close(idx);
	}
	free(buf);

	/* into the header */
	put_be32_test(deep + 11, 0x20000004);
	idx = open_crafted(deep, sizeof(deep), &buf);
	if (idx) {
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		CHECK(strstr(err.why, "node at 4") != NULL);
		lkm_index_close(idx);
	}
	free(buf);

	/* a loop below the root: an exact lookup ends with its key, walks are refused */
	idx = open_crafted(self, sizeof(self), &buf);
	key = malloc(100002);
	if (idx && key) {
		key[0] = 'a';
		memset(key + 1, 'b', 100000);
		key[100001] = '\0';
		CHECK_INT(lkm_index_lookup(idx, key, &v), ==, 0);
		CHECK(v == NULL);
		CHECK_INT(lkm_index_match_wildcards(idx, "ab*", &v), ==, 0);
		CHECK_INT(foreach_result(idx), ==, -EBADMSG);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		CHECK_STR(err.why, "node at 18 is reached twice or overlaps another node");
	}
	lkm_index_close(idx);
	free(key);
	free(buf);

	/* two nodes pointing at each other under '*': the wildcard search must stop */
	idx = open_crafted(pair, sizeof(pair), &buf);
	if (idx) {
		CHECK_INT(lkm_index_match_wildcards(idx, "abc", &v), ==, -EBADMSG);
		CHECK(v == NULL);
		CHECK_INT(foreach_result(idx), ==, -EBADMSG);
		memset(&err, 0, sizeof(err));
		CHECK_INT(lkm_index_verify(idx, &err), ==, -EBADMSG);
		CHECK_STR(err.why, "node at 18 is reached twice or overlaps another node");
		lkm_index_close(idx);
	}
	free(buf);
	alarm(0);
}

/* ------------------------------------------------------ an index of a tree's size */

struct tree_entry {
	char key[64], value[160];
	uint32_t priority;
};

/*
 * What depmod gives the indexes of a tree of @n modules: a key per module (its
 * modules.dep line as the value), alias patterns with wildcards and brackets shared by
 * several modules, and symbols.
 */
static struct tree_entry *tree_entries(size_t n, size_t *count)
{
	struct tree_entry *e = calloc(4 * n, sizeof(*e));
	size_t i, k = 0;

	if (!e)
		abort();
	for (i = 0; i < n; i++) {
		snprintf(e[k].key, sizeof(e[k].key), "mod_%zu", i);
		snprintf(e[k].value, sizeof(e[k].value),
			 "kernel/drivers/d%zu/mod-%zu.ko: kernel/lib/dep_%zu.ko", i % 37, i,
			 i % 11);
		k++;
		snprintf(e[k].key, sizeof(e[k].key), "pci:v%08zXd*sv*sd*bc0[1-3]sc*i*", i / 3);
		snprintf(e[k].value, sizeof(e[k].value), "mod_%zu", i);
		e[k].priority = (uint32_t)(i % 3);
		k++;
		snprintf(e[k].key, sizeof(e[k].key), "symbol:mod_%zu_export", i);
		snprintf(e[k].value, sizeof(e[k].value), "mod_%zu", i);
		k++;
		if (i % 5 == 0) {
			snprintf(e[k].key, sizeof(e[k].key), "fs-type%zu", i % 7);
			snprintf(e[k].value, sizeof(e[k].value), "mod_%zu", i);
			k++;
		}
	}
	*count = k;
	return e;
}

static int write_entries(const struct tree_entry *e, size_t n, bool reverse, char *path)
{
	struct lkm_index_builder *b;
	size_t i;
	int r = 0;

	if (lkm_index_builder_new(&b) < 0)
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		const struct tree_entry *x = &e[reverse ? n - 1 - i : i];

		r = lkm_index_builder_add(b, x->key, x->value, x->priority);
	}
	if (r == 0)
		r = write_index(b, path);
	lkm_index_builder_free(b);
	return r;
}

TEST(an_index_of_a_trees_size_reads_back_in_any_insert_order)
{
	size_t n, i, bad = 0, nkeys;
	struct tree_entry *e = tree_entries(5000, &n);
	struct lkm_index *a = NULL, *r = NULL;
	uint8_t *ba = NULL, *br = NULL;
	size_t la = 0, lr = 0;
	char pa[64], pr[64], *da = NULL, *dr = NULL;
	const char *first;

	CHECK_INT(write_entries(e, n, false, pa), ==, 0);
	CHECK_INT(write_entries(e, n, true, pr), ==, 0);
	CHECK_INT(lkm_index_open(pa, &a, NULL), ==, 0);
	CHECK_INT(lkm_index_open(pr, &r, NULL), ==, 0);
	if (a && r) {
		CHECK_INT(lkm_index_verify(a, NULL), ==, 0);
		CHECK_INT(lkm_index_verify(r, NULL), ==, 0);
		da = dump(a);
		dr = dump(r);
		/* one line per entry */
		for (i = 0, nkeys = 0; da && da[i]; i++)
			nkeys += da[i] == '\n';
		CHECK_INT(nkeys, ==, n);
		/* the keys, and so the nodes, are the same whatever the order */
		CHECK(da && dr && strlen(da) == strlen(dr));
		for (i = 0; i < n; i++) {
			struct lkm_index_value *v = NULL, *it;
			bool found = false;

			if (lkm_index_lookup(a, e[i].key, &v) <= 0)
				bad++;
			for (it = v; it; it = it->next)
				found |= strcmp(it->value, e[i].value) == 0 &&
					 it->priority == e[i].priority;
			bad += !found;
			lkm_index_values_free(v);
			if (strncmp(e[i].key, "mod_", 4) == 0 &&
			    (lkm_index_lookup_first(r, e[i].key, &first, NULL) != 1 ||
			     strcmp(first, e[i].value) != 0))
				bad++;
		}
		CHECK_INT(bad, ==, 0);
		/* a wildcard key matches as modprobe -R would match a device's alias */
		CHECK_MATCH(a, "pci:v00000010d00001234sv0sd0bc02sc00i00",
			    "mod_48:0 mod_49:1 mod_50:2");
	}
	CHECK_INT(read_bytes(pa, &ba, &la), ==, 0);
	CHECK_INT(read_bytes(pr, &br, &lr), ==, 0);
	CHECK(la > 100000);
	CHECK_INT(la, ==, lr);
	free(ba);
	free(br);
	free(da);
	free(dr);
	lkm_index_close(a);
	lkm_index_close(r);
	unlink(pa);
	unlink(pr);
	free(e);
}

TEST_MAIN()
