// SPDX-License-Identifier: LGPL-2.1-or-later
#include "lkm-internal.h"
#include "test.h"

TEST(name_normalize_turns_dashes_into_underscores)
{
	char b[16];

	CHECK_INT(lkm_name_normalize(b, sizeof(b), "snd-hda-intel"), ==, 0);
	CHECK_STR(b, "snd_hda_intel");
	CHECK_INT(lkm_name_normalize(b, 4, "abcd"), ==, -ENAMETOOLONG);
}

TEST(name_from_path_cuts_directory_and_suffixes)
{
	char b[32];

	CHECK_INT(lkm_name_from_path(b, sizeof(b), "/lib/modules/x/snd-hda.ko.xz"), ==, 0);
	CHECK_STR(b, "snd_hda");
	CHECK_INT(lkm_name_from_path(b, sizeof(b), "fat"), ==, 0);
	CHECK_STR(b, "fat");
}

TEST(buf_printf_grows_and_stays_terminated)
{
	struct lkm_buf b = { 0 };
	int i;

	for (i = 0; i < 1000; i++)
		CHECK_INT(lkm_buf_printf(&b, "%d,", i), ==, 0);
	CHECK_INT(b.len, ==, strlen(b.data));
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	lkm_buf_free(&b);
}

TEST(array_grow_doubles_from_first_and_keeps_the_array_on_overflow)
{
	uint64_t *v = NULL;
	size_t cap = 0, i;

	/* Nothing to do: no allocation, even for a NULL array. */
	CHECK_INT(lkm_array_grow(&v, &cap, 0, sizeof(*v), 4), ==, 0);
	CHECK(v == NULL && cap == 0);
	CHECK_INT(lkm_array_grow(&v, &cap, 1, sizeof(*v), 4), ==, 0);
	CHECK(v != NULL);
	CHECK_INT(cap, ==, 4);
	for (i = 0; i < 4; i++)
		v[i] = i;
	CHECK_INT(lkm_array_grow(&v, &cap, 4, sizeof(*v), 4), ==, 0);
	CHECK_INT(cap, ==, 4);
	/* Past the room, doubled until it fits; the elements are kept. */
	CHECK_INT(lkm_array_grow(&v, &cap, 9, sizeof(*v), 4), ==, 0);
	CHECK_INT(cap, ==, 16);
	CHECK(v[0] == 0 && v[3] == 3);
	/* A count whose bytes overflow a size_t fails and changes nothing. */
	CHECK_INT(lkm_array_grow(&v, &cap, SIZE_MAX / 4, sizeof(*v), 4), ==, -ENOMEM);
	CHECK_INT(cap, ==, 16);
	CHECK(v[3] == 3);
	free(v);
}

TEST(read_file_bounds_the_size)
{
	char *data = NULL;
	size_t len;

	CHECK_INT(lkm_read_file("/proc/self/status", 1 << 20, &data, &len), ==, 0);
	CHECK(data && len > 0 && strlen(data) == len);
	free(data);
	CHECK_INT(lkm_read_file("/proc/self/status", 4, &data, &len), ==, -EFBIG);
	CHECK_INT(lkm_read_file("/nonexistent/x", 4, &data, &len), ==, -ENOENT);
}

TEST(err_set_keeps_the_reason)
{
	struct lkm_err e = { 0 };

	CHECK_INT(lkm_err_set(&e, -EINVAL, "section %d is bad", 3), ==, -EINVAL);
	CHECK_STR(lkm_err_reason(&e, -EINVAL), "section 3 is bad");
	CHECK_STR(lkm_err_reason(NULL, -ENOENT), "No such file or directory");
}

TEST_MAIN()
