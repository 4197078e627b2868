// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/static-nodes.c: modules.devname's lines, kmod's three formats, mkdir -p. */
#include <sys/stat.h>

#include "fixture.h"
#include "lkm-internal.h"
#include "test.h"

/* One temporary directory for the program (fixture.h removes it at exit). */
static const char *tmpdir(void)
{
	static char dir[256];

	if (!dir[0])
		fixture_tmpdir(dir, sizeof(dir), "static-nodes");
	return dir;
}

/* Parse @line and format it as @f: the text, or NULL when it is not an entry. */
static char *parse_format(const char *line, enum lkm_static_nodes_format f)
{
	struct lkm_static_node n;
	struct lkm_buf b = { 0 };

	if (lkm_static_node_parse(line, &n) != 1)
		return NULL;
	if (lkm_static_node_format(&n, f, &b) < 0) {
		lkm_buf_free(&b);
		b.data = NULL;
	}
	lkm_static_node_release(&n);
	return b.data;
}

#define CHECK_FORMAT(line, f, want)                                                        \
	do {                                                                               \
		char *_s = parse_format(line, f);                                          \
		CHECK_STR(_s, want);                                                       \
		free(_s);                                                                  \
	} while (0)

TEST(parse_reads_the_five_fields)
{
	struct lkm_static_node n;

	CHECK_INT(lkm_static_node_parse("tun net/tun c10:200\n", &n), ==, 1);
	CHECK_STR(n.module, "tun");
	CHECK_STR(n.devname, "net/tun");
	CHECK_INT(n.type, ==, 'c');
	CHECK_INT(n.major, ==, 10);
	CHECK_INT(n.minor, ==, 200);
	lkm_static_node_release(&n);
	CHECK(n.module == NULL && n.devname == NULL);
}

TEST(parse_skips_comments_only_at_the_first_byte)
{
	struct lkm_static_node n;

	CHECK_INT(lkm_static_node_parse("# Device nodes\n", &n), ==, 0);
	CHECK_INT(lkm_static_node_parse("#fuse fuse c10:229\n", &n), ==, 0);
	/* After a blank, '#' is a module name. */
	CHECK_INT(lkm_static_node_parse("  # fuse c10:229\n", &n), ==, 1);
	CHECK_STR(n.module, "#");
	lkm_static_node_release(&n);
}

TEST(parse_refuses_what_scanf_does_not_read)
{
	static const char *const bad[] = { "", "\n", "bad\n", "a b\n", "a b c\n", "a b c1\n",
					   "a b c1:\n", "a b q1:2\n", "a b C1:2\n", "a b c1 :2\n",
					   "a b cx:2\n", "a b :1:2\n",
					   "a b c 7 : 8\n" };
	struct lkm_static_node n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(lkm_static_node_parse(bad[i], &n), ==, -EINVAL);
		CHECK(n.module == NULL && n.devname == NULL);
	}
}

TEST(parse_takes_what_scanf_takes)
{
	/* Blanks before a number (not before ':'), text after the minor, signs, overflow cut. */
	CHECK_FORMAT("  m   d\tc 7:8\n", LKM_STATIC_NODES_DEVNAME, "m d c7:8\n");
	CHECK_FORMAT("m d c7: 8", LKM_STATIC_NODES_DEVNAME, "m d c7:8\n");
	CHECK_FORMAT("m d b8:0 trailing", LKM_STATIC_NODES_DEVNAME, "m d b8:0\n");
	CHECK_FORMAT("m d c1:2x", LKM_STATIC_NODES_DEVNAME, "m d c1:2\n");
	CHECK_FORMAT("m d b-1:+5", LKM_STATIC_NODES_DEVNAME, "m d b4294967295:5\n");
	CHECK_FORMAT("m d c4294967296:99999999999999999999999", LKM_STATIC_NODES_DEVNAME,
		     "m d c0:4294967295\n");
}

TEST(format_human_tmpfiles_devname)
{
	CHECK_FORMAT("fuse fuse c10:229\n", LKM_STATIC_NODES_HUMAN,
		     "Module: fuse\n\tDevice node: /dev/fuse\n\t\tType: character device\n"
		     "\t\tMajor: 10\n\t\tMinor: 229\n");
	CHECK_FORMAT("x sdx b8:0\n", LKM_STATIC_NODES_HUMAN,
		     "Module: x\n\tDevice node: /dev/sdx\n\t\tType: block device\n"
		     "\t\tMajor: 8\n\t\tMinor: 0\n");
	CHECK_FORMAT("fuse fuse c10:229\n", LKM_STATIC_NODES_TMPFILES,
		     "c! /dev/fuse 0600 - - - 10:229\n");
	/* The directory up to the last '/', then the node. */
	CHECK_FORMAT("v a/b/c b1:2\n", LKM_STATIC_NODES_TMPFILES,
		     "d /dev/a/b 0755 - - -\nb! /dev/a/b/c 0600 - - - 1:2\n");
	CHECK_FORMAT("tun net/tun c10:200\n", LKM_STATIC_NODES_DEVNAME, "tun net/tun c10:200\n");
}

TEST(format_names_are_kmods)
{
	enum lkm_static_nodes_format f;

	CHECK_INT(lkm_static_nodes_format_from_name("human", &f), ==, 0);
	CHECK_INT(f, ==, LKM_STATIC_NODES_HUMAN);
	CHECK_INT(lkm_static_nodes_format_from_name("tmpfiles", &f), ==, 0);
	CHECK_INT(f, ==, LKM_STATIC_NODES_TMPFILES);
	CHECK_INT(lkm_static_nodes_format_from_name("devname", &f), ==, 0);
	CHECK_INT(f, ==, LKM_STATIC_NODES_DEVNAME);
	CHECK_INT(lkm_static_nodes_format_from_name("Human", &f), ==, -EINVAL);
	CHECK_STR(lkm_static_nodes_format_name(LKM_STATIC_NODES_TMPFILES), "tmpfiles");
	CHECK(lkm_static_nodes_format_name((enum lkm_static_nodes_format)3) == NULL);
	CHECK(lkm_static_nodes_format_description(LKM_STATIC_NODES_HUMAN) != NULL);
}

TEST(read_splits_in_kmods_chunks)
{
	const struct lkm_devname_line *l;
	struct lkm_devname *d;
	struct lkm_err err = { 0 };
	const char *dir = tmpdir();
	char path[300], big[5000 + 32];
	size_t n;

	/* 5000 bytes of one word: a chunk of 4095, then the rest, " x c1:2\n", which parses. */
	memset(big, 'a', 5000);
	memcpy(big + 5000, " x c1:2\n#c\nok ok c1:1\nlast", 26);
	fixture_write(dir, "m/modules.devname", big, 5026, "w");
	snprintf(path, sizeof(path), "%s/m/modules.devname", dir);
	CHECK_INT(lkm_devname_read(path, &d, &err), ==, 0);
	l = lkm_devname_get_lines(d, &n);
	CHECK_INT(n, ==, 4);
	if (n == 4) {
		CHECK_INT(strlen(l[0].text), ==, 4095);
		CHECK(!l[0].valid);
		CHECK(l[1].valid && strlen(l[1].node.module) == 5000 - 4095);
		CHECK(l[2].valid);
		CHECK_STR(l[2].node.devname, "ok");
		CHECK(!l[3].valid);
		CHECK_STR(l[3].text, "last");
	}
	lkm_devname_free(d);
	snprintf(path, sizeof(path), "%s/none/modules.devname", dir);
	CHECK_INT(lkm_devname_read(path, &d, &err), ==, -ENOENT);
}

TEST(mkdir_parents_makes_each_missing_directory)
{
	const char *dir = tmpdir();
	char path[400];
	struct stat st;

	snprintf(path, sizeof(path), "%s/a/b//c/file", dir);
	CHECK_INT(lkm_mkdir_parents(path, 0755), ==, 0);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(lkm_mkdir_parents("file", 0755), ==, 0);
	CHECK_INT(lkm_mkdir_parents("/file", 0755), ==, 0);
	fixture_write(dir, "f", "", 0, "w");
	snprintf(path, sizeof(path), "%s/f/x/file", dir);
	CHECK_INT(lkm_mkdir_parents(path, 0755), ==, -ENOTDIR);
}

TEST_MAIN()
