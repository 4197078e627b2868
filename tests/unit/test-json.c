// SPDX-License-Identifier: LGPL-2.1-or-later
/* lib/json.c: the layout, the escaping of every byte that needs it, and misuse. */
#include <stdio.h>
#include <stdlib.h>

#include "lkm-internal.h"
#include "test.h"

struct sink {
	FILE *f;
	char *text;
	size_t len;
	struct lkm_json *json;
};

static void sink_open(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->f = open_memstream(&s->text, &s->len);
	CHECK(s->f != NULL);
	CHECK_INT(lkm_json_new(s->f, &s->json), ==, 0);
}

/* Return: lkm_json_free()'s; the text written is in s->text (free it). */
static int sink_close(struct sink *s)
{
	int r = lkm_json_free(s->json);

	fclose(s->f);
	return r;
}

/* The string @in (@len bytes) as the writer quotes it. */
static char *quoted(const char *in, size_t len)
{
	struct sink s;

	sink_open(&s);
	CHECK_INT(lkm_json_string_len(s.json, in, len), ==, 0);
	CHECK_INT(sink_close(&s), ==, 0);
	return s.text;
}

static void check_quoted(const char *in, size_t len, const char *want)
{
	char *got = quoted(in, len);

	CHECK_STR(got, want);
	free(got);
}

TEST(every_control_character_is_escaped)
{
	static const char *const short_forms[] = {
		['\b'] = "\"\\b\"\n", ['\f'] = "\"\\f\"\n", ['\n'] = "\"\\n\"\n",
		['\r'] = "\"\\r\"\n", ['\t'] = "\"\\t\"\n",
	};
	char want[16], c;
	int i;

	for (i = 0; i < 0x20; i++) {
		c = (char)i;
		if (i < (int)(sizeof(short_forms) / sizeof(short_forms[0])) && short_forms[i])
			snprintf(want, sizeof(want), "%s", short_forms[i]);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"\n", i);
		check_quoted(&c, 1, want);
	}
	check_quoted("\x7f", 1, "\"\\u007f\"\n");
}

TEST(quotes_and_backslashes_are_escaped)
{
	check_quoted("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"\n");
	check_quoted("", 0, "\"\"\n");
}

TEST(valid_utf8_passes_through)
{
	/* é, €, U+10348, U+10FFFF, U+D7FF, U+E000 */
	const char *s = "\xc3\xa9\xe2\x82\xac\xf0\x90\x8d\x88\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80";
	char want[64];

	snprintf(want, sizeof(want), "\"%s\"\n", s);
	check_quoted(s, strlen(s), want);
}

TEST(invalid_utf8_becomes_one_replacement_per_maximal_subpart)
{
	check_quoted("a\x80z", 3, "\"a\\ufffdz\"\n");          /* stray continuation */
	check_quoted("\xff\xfe", 2, "\"\\ufffd\\ufffd\"\n");    /* never a lead */
	check_quoted("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"\n");    /* overlong lead */
	check_quoted("\xe0\x80\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"\n"); /* overlong */
	check_quoted("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"\n"); /* surrogate */
	check_quoted("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n"); /* > 10FFFF */
	check_quoted("\xe2\x82z", 3, "\"\\ufffdz\"\n");          /* truncated: one */
	check_quoted("\xf0\x90\x8d", 3, "\"\\ufffd\"\n");        /* truncated at the end */
	check_quoted("\xc3", 1, "\"\\ufffd\"\n");
	check_quoted("a\0b", 3, "\"a\\u0000b\"\n");
}

TEST(layout_puts_each_outer_member_on_its_own_line)
{
	static const char *const words[] = { "a", "b" };
	struct sink s;

	sink_open(&s);
	lkm_json_begin_array(s.json);
	lkm_json_begin_object(s.json);
	lkm_json_member_string(s.json, "name", "vfat");
	lkm_json_member_uint(s.json, "size", 24576);
	lkm_json_member_int(s.json, "use_count", -1);
	lkm_json_member_bool(s.json, "builtin", false);
	lkm_json_member_strings(s.json, "used_by", words, 2);
	lkm_json_member_strings(s.json, "none", NULL, 0);
	lkm_json_key(s.json, "nothing");
	lkm_json_null(s.json);
	lkm_json_key(s.json, "nested");
	lkm_json_begin_object(s.json);
	lkm_json_key(s.json, "x");
	lkm_json_begin_array(s.json);
	lkm_json_begin_array(s.json);
	lkm_json_end_array(s.json);
	lkm_json_end_array(s.json);
	lkm_json_end_object(s.json);
	lkm_json_end_object(s.json);
	lkm_json_string(s.json, NULL);
	CHECK_INT(lkm_json_end_array(s.json), ==, 0);
	CHECK_INT(sink_close(&s), ==, 0);
	CHECK_STR(s.text, "[\n{\"name\":\"vfat\",\"size\":24576,\"use_count\":-1,\"builtin\":false,"
			  "\"used_by\":[\"a\",\"b\"],\"none\":[],\"nothing\":null,"
			  "\"nested\":{\"x\":[[]]}},\nnull\n]\n");
	free(s.text);
}

TEST(empty_containers_and_top_level_values)
{
	struct sink s;

	sink_open(&s);
	lkm_json_begin_array(s.json);
	lkm_json_end_array(s.json);
	lkm_json_begin_object(s.json);
	lkm_json_end_object(s.json);
	lkm_json_begin_object(s.json);
	lkm_json_member_int(s.json, "a", 1);
	lkm_json_member_int(s.json, "b", 2);
	lkm_json_end_object(s.json);
	lkm_json_int(s.json, 7);
	CHECK_INT(sink_close(&s), ==, 0);
	CHECK_STR(s.text, "[]\n{}\n{\n\"a\":1,\n\"b\":2\n}\n7\n");
	free(s.text);
}

TEST(misuse_is_sticky_and_reported)
{
	struct sink s;
	int i;

	/* A value in an object without its key. */
	sink_open(&s);
	lkm_json_begin_object(s.json);
	CHECK_INT(lkm_json_string(s.json, "x"), ==, -EINVAL);
	CHECK_INT(lkm_json_end_object(s.json), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);

	/* A key in an array, and a mismatched end. */
	sink_open(&s);
	lkm_json_begin_array(s.json);
	CHECK_INT(lkm_json_key(s.json, "k"), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);
	sink_open(&s);
	lkm_json_begin_array(s.json);
	CHECK_INT(lkm_json_end_object(s.json), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);

	/* An object closed after its key, an end with nothing open, a document left open. */
	sink_open(&s);
	lkm_json_begin_object(s.json);
	lkm_json_key(s.json, "k");
	CHECK_INT(lkm_json_end_object(s.json), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);
	sink_open(&s);
	CHECK_INT(lkm_json_end_array(s.json), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);
	sink_open(&s);
	CHECK_INT(lkm_json_begin_array(s.json), ==, 0);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);

	/* Too deep. */
	sink_open(&s);
	for (i = 0; i < LKM_JSON_MAX_DEPTH; i++)
		CHECK_INT(lkm_json_begin_array(s.json), ==, 0);
	CHECK_INT(lkm_json_begin_array(s.json), ==, -EINVAL);
	CHECK_INT(sink_close(&s), ==, -EINVAL);
	free(s.text);
}

TEST(a_failed_write_is_reported)
{
	struct lkm_json *json;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		SKIP("no /dev/full");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	CHECK_INT(lkm_json_new(f, &json), ==, 0);
	CHECK_INT(lkm_json_string(json, "x"), ==, -EIO);
	CHECK_INT(lkm_json_free(json), ==, -EIO);
	fclose(f);
	CHECK_INT(lkm_json_free(NULL), ==, 0);
}

TEST_MAIN()
