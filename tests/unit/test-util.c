// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	CHECK_INT(lkm_name_from_path(b, 4, "abcd"), ==, -ENAMETOOLONG);
}

/* A word of a modules.dep line, read in place: nothing past @len counts. */
TEST(name_from_path_len_reads_only_its_bytes)
{
	static const char line[] = "kernel/a/snd-hda.ko.xz kernel/b/c/fat kernel/d/e.ko";
	char b[32];

	CHECK_INT(lkm_name_from_path_len(b, sizeof(b), line, 22), ==, 0);
	CHECK_STR(b, "snd_hda");
	CHECK_INT(lkm_name_from_path_len(b, sizeof(b), line + 23, 14), ==, 0);
	CHECK_STR(b, "fat");
	/* The '/' of a later word is not this word's directory. */
	CHECK_INT(lkm_name_from_path_len(b, sizeof(b), "x.ko kernel/y.ko", 4), ==, 0);
	CHECK_STR(b, "x");
	CHECK_INT(lkm_name_from_path_len(b, sizeof(b), "abc/", 4), ==, 0);
	CHECK_STR(b, "");
	CHECK_INT(lkm_name_from_path_len(b, 3, "k/abc", 5), ==, -ENAMETOOLONG);
	CHECK_INT(lkm_name_from_path_len(b, 4, "k/abc", 5), ==, 0);
	CHECK_STR(b, "abc");
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

/* Sizes about the first read's page, and a bound of exactly the size. */
TEST(read_file_reads_every_size_and_a_bound_of_exactly_the_size)
{
	static const size_t sizes[] = { 0, 1, 4094, 4095, 4096, 4097, 8191, 8192, 12289, 100000 };
	char path[] = "/tmp/lkm-test-util.XXXXXX", *want, *data;
	size_t i, k, len;
	int fd;

	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	want = malloc(100000);
	CHECK(want != NULL);
	for (i = 0; want && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		FILE *f = fopen(path, "w");

		CHECK(f != NULL);
		if (!f)
			break;
		for (k = 0; k < sizes[i]; k++)
			want[k] = (char)('a' + (k * 7 + i) % 26);
		CHECK_INT(fwrite(want, 1, sizes[i], f), ==, sizes[i]);
		fclose(f);
		data = NULL;
		CHECK_INT(lkm_read_file(path, sizes[i], &data, &len), ==, 0);
		CHECK_INT(len, ==, sizes[i]);
		CHECK(data && memcmp(data, want, sizes[i]) == 0 && data[sizes[i]] == '\0');
		free(data);
		if (sizes[i])
			CHECK_INT(lkm_read_file(path, sizes[i] - 1, &data, &len), ==, -EFBIG);
		CHECK_INT(lkm_read_file(path, SIZE_MAX, &data, &len), ==, 0);
		CHECK_INT(len, ==, sizes[i]);
		free(data);
	}
	free(want);
	unlink(path);
}

TEST(path_join_and_strcat_all_make_one_string)
{
	const char *words[] = { "/b", "/lib/modules", "/", "6.1", NULL }, *none[] = { NULL };
	char *p = NULL;

	CHECK_INT(lkm_path_join(&p, "/lib/modules/6.1", "modules.dep.bin", 11), ==, 0);
	CHECK_STR(p, "/lib/modules/6.1/modules.dep");
	free(p);
	CHECK_INT(lkm_path_join(&p, "", "lib/firmware", 12), ==, 0);
	CHECK_STR(p, "/lib/firmware");
	free(p);
	p = lkm_strcat_all(words);
	CHECK_STR(p, "/b/lib/modules/6.1");
	free(p);
	p = lkm_strcat_all(none);
	CHECK_STR(p, "");
	free(p);
}

/*
 * kmod's path_make_absolute_cwd: the logical working directory ($PWD, when it names the
 * working directory) and the path as given, "./" and all; the physical one when $PWD
 * does not name it.
 */
TEST(path_absolute_takes_the_logical_working_directory)
{
	char real[] = "/tmp/lkm-test-abs.XXXXXX", link[64], phys[4096], *old, *out = NULL;

	old = getcwd(NULL, 0);
	if (!old || !mkdtemp(real) || !realpath(real, phys)) {
		CHECK(!"setup: a temporary directory");
		free(old);
		return;
	}
	snprintf(link, sizeof(link), "%s.link", real);
	CHECK_INT(symlink(real, link), ==, 0);
	CHECK_INT(lkm_path_absolute("/abs/x.ko", &out), ==, 0);
	CHECK_STR(out, "/abs/x.ko");
	free(out);
	CHECK_INT(chdir(link), ==, 0);
	setenv("PWD", link, 1);
	CHECK_INT(lkm_path_absolute("./x.ko", &out), ==, 0);
	CHECK(out && !strncmp(out, link, strlen(link)) && !strcmp(out + strlen(link), "/./x.ko"));
	free(out);
	/* A $PWD that names another directory is not believed. */
	setenv("PWD", "/", 1);
	CHECK_INT(lkm_path_absolute("x.ko", &out), ==, 0);
	CHECK(out && !strncmp(out, phys, strlen(phys)) && !strcmp(out + strlen(phys), "/x.ko"));
	free(out);
	CHECK_INT(chdir("/"), ==, 0);
	CHECK_INT(lkm_path_absolute("x.ko", &out), ==, 0);
	CHECK_STR(out, "//x.ko"); /* as kmod: the directory, '/', the path */
	free(out);
	/* A working directory that is gone: its errno, and no path. */
	CHECK_INT(chdir(real), ==, 0);
	unsetenv("PWD");
	CHECK_INT(rmdir(real), ==, 0);
	out = (char *)"unset";
	CHECK_INT(lkm_path_absolute("x.ko", &out), ==, -ENOENT);
	CHECK(out == NULL);
	CHECK_INT(chdir(old), ==, 0);
	unlink(link);
	free(old);
}

TEST(buf_printf_of_a_text_longer_than_the_room_in_one_call)
{
	struct lkm_buf b = { 0 };
	char *big = malloc(10001);

	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, 'x', 10000);
	big[10000] = '\0';
	CHECK_INT(lkm_buf_puts(&b, "head "), ==, 0);
	CHECK_INT(lkm_buf_printf(&b, "<%s>%d", big, 42), ==, 0);
	CHECK_INT(b.len, ==, 5 + 1 + 10000 + 1 + 2);
	CHECK_INT(strlen(b.data), ==, b.len);
	CHECK(strncmp(b.data, "head <xxx", 9) == 0 && strcmp(b.data + b.len - 4, "x>42") == 0);
	free(big);
	lkm_buf_free(&b);
}

TEST(err_set_keeps_the_reason)
{
	struct lkm_err e = { 0 };

	CHECK_INT(lkm_err_set(&e, -EINVAL, "section %d is bad", 3), ==, -EINVAL);
	CHECK_STR(lkm_err_reason(&e, -EINVAL), "section 3 is bad");
	CHECK_STR(lkm_err_reason(NULL, -ENOENT), "No such file or directory");
}

/* A random string of @max bytes at most from @alphabet, in @buf. */
static void random_word(char *buf, size_t max, const char *alphabet, unsigned *seed)
{
	size_t n = (size_t)rand_r(seed) % (max + 1), k = strlen(alphabet), i;

	for (i = 0; i < n; i++)
		buf[i] = alphabet[(size_t)rand_r(seed) % k];
	buf[n] = '\0';
}

/*
 * lkm_glob_match against fnmatch(3) itself: 200,000 random patterns of '*', '?' and
 * letters on random strings, full matches and prefixes (the pattern followed by '*'),
 * and modules.alias-shaped ones; '[', '\\' and bytes past ASCII are left to fnmatch.
 */
TEST(glob_match_is_fnmatch_for_alias_patterns)
{
	static const char *const alias[][2] = {
		{ "pci:v00008086d*sv*sd*bc03sc*i*", "pci:v00008086d00003E92sv00001028sd0000085Cbc03sc00i00" },
		{ "usb:v*p*d*dc*dsc*dp*ic03isc*ip*in*", "usb:v046Dp0A87d0100dc00dsc00dp00ic03isc00ip00in03" },
		{ "acpi*:PNP0C0A:*", "acpi:PNP0C0A:PNP0C0A:" },
		{ "of:N*T*Cnvidia,tegra20-uart", "of:NserialTCnvidia,tegra20-uart" },
	};
	unsigned seed = 12345;
	char pat[16], str[16], star[20];
	size_t i, mismatches = 0, decided = 0;

	for (i = 0; i < 200000; i++) {
		int want, got;

		random_word(pat, 10, "ab*?", &seed);
		random_word(str, 10, "ab", &seed);
		want = fnmatch(pat, str, 0) == 0;
		got = lkm_glob_match(pat, str, false);
		mismatches += got != want;
		snprintf(star, sizeof(star), "%s*", pat);
		want = fnmatch(star, str, 0) == 0;
		got = lkm_glob_match(pat, str, true);
		mismatches += got != want;
	}
	CHECK_INT(mismatches, ==, 0);
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		CHECK_INT(lkm_glob_match(alias[i][0], alias[i][1], false), ==, 1);
		CHECK_INT(lkm_glob_match(alias[i][0], "pci:v00001234d", false), ==, 0);
	}
	CHECK_INT(lkm_glob_match("pci:v0000", "pci:v00008086d1", true), ==, 1);
	CHECK_INT(lkm_glob_match("pci:v0001", "pci:v00008086d1", true), ==, 0);
	CHECK_INT(lkm_glob_match("pci:v*bc02", "pci:v00008086bc02sc00", true), ==, 1);
	CHECK_INT(lkm_glob_match("pci:v*bc03", "pci:v00008086bc02sc00", true), ==, 0);
	CHECK_INT(lkm_glob_match("pci:v*bc02sc01", "pci:v00008086bc02sc00", true), ==, 0);
	/* Not decided here: brackets, escapes, bytes past ASCII. */
	CHECK_INT(lkm_glob_match("a[bc]", "ab", false), ==, -1);
	CHECK_INT(lkm_glob_match("a\\*", "a*", false), ==, -1);
	CHECK_INT(lkm_glob_match("a?", "a\xc3\xa9", false), ==, -1);
	CHECK_INT(lkm_glob_match("a*", "a\xc3", false), ==, -1);
	for (i = 0; i < 20000; i++) {
		int got;

		random_word(pat, 8, "ab*?[]!^-\\", &seed);
		random_word(str, 8, "ab[]-\\", &seed);
		got = lkm_glob_match(pat, str, false);
		if (got < 0)
			continue;
		decided++;
		mismatches += got != (fnmatch(pat, str, 0) == 0);
	}
	CHECK_INT(mismatches, ==, 0);
	CHECK(decided > 1000);
}

TEST(batch_split_words_as_a_shell_would)
{
	static const struct {
		const char *line;
		const char *words; /* the words after argv[0], each ended by '|' */
	} cases[] = {
		{ "", "" },
		{ "   \t ", "" },
		{ "# a comment", "" },
		{ "  -D fat", "-D|fat|" },
		{ "-n\t-v  mod x=1 'y=a b'", "-n|-v|mod|x=1|y=a b|" },
		{ "mod \"z=c d\" w=\"e\\\"f\"", "mod|z=c d|w=e\"f|" },
		{ "a\\ b 'c\\d' \"e\\g\"", "a b|c\\d|e\\g|" },
		{ "mod '' x", "mod||x|" },
		{ "fat # what follows is a comment", "fat|" },
		{ "a#b", "a#b|" },
	};
	char **v, got[256], big[LKM_BATCH_LINE_MAX + 2];
	size_t i;
	int n, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(lkm_batch_split(cases[i].line, "modprobe", &n, &v), ==, 0);
		CHECK_STR(v[0], "modprobe");
		got[0] = '\0';
		for (j = 1; j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s|", v[j]);
		CHECK_STR(got, cases[i].words);
		CHECK(v[n] == NULL);
		free(v);
	}
	CHECK_INT(lkm_batch_split("mod 'x", "m", &n, &v), ==, -EINVAL);
	CHECK(v == NULL);
	CHECK_INT(lkm_batch_split("mod \"x\\\"", "m", &n, &v), ==, -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(lkm_batch_split(big, "m", &n, &v), ==, -E2BIG);
	big[LKM_BATCH_LINE_MAX] = '\0';
	CHECK_INT(lkm_batch_split(big, "m", &n, &v), ==, 0);
	CHECK_INT(n, ==, 2);
	free(v);
	/* The most words a line can hold: one byte each. */
	for (j = 0; j < LKM_BATCH_LINE_MAX; j++)
		big[j] = j % 2 ? ' ' : 'w';
	CHECK_INT(lkm_batch_split(big, "m", &n, &v), ==, 0);
	CHECK_INT(n, ==, 1 + LKM_BATCH_LINE_MAX / 2);
	free(v);
}

/*
 * lkm_fnmatch() (a first byte that rules out, then lkm_glob_match, then fnmatch(3))
 * against fnmatch(3) on random config-shaped patterns, brackets, escapes and bytes
 * past ASCII included.
 */
TEST(fnmatch_is_fnmatch3_for_config_patterns)
{
	unsigned seed = 4242;
	char pat[12], str[12];
	int i, differ = 0;

	CHECK(lkm_fnmatch("snd_*", "snd_hda_intel"));
	CHECK(!lkm_fnmatch("snd_*", "usb"));
	CHECK(lkm_fnmatch("", ""));
	CHECK(!lkm_fnmatch("", "a"));
	CHECK(!lkm_fnmatch("a", ""));
	CHECK(lkm_fnmatch("[st]nd", "snd"));
	CHECK(lkm_fnmatch("\\snd", "snd"));
	CHECK(lkm_fnmatch("?nd", "snd"));
	for (i = 0; i < 200000; i++) {
		random_word(pat, 6, "ab*?[]\\\xc3\xa9", &seed);
		random_word(str, 6, "ab]\\\xc3\xa9", &seed);
		if (lkm_fnmatch(pat, str) != (fnmatch(pat, str, 0) == 0)) {
			if (differ++ < 5)
				fprintf(stderr, "  differs: '%s' on '%s'\n", pat, str);
		}
	}
	CHECK_INT(differ, ==, 0);
}

TEST_MAIN()
