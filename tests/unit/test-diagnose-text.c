// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * diagnose-text.c, the formatting every diagnosis goes through, alone: no context, no
 * fixture, since it needs nothing above it.
 */
#include <errno.h>

#include "diagnose-internal.h"
#include "test.h"

TEST(first_replaces_the_sentence_and_lines_add_up)
{
	struct lkm_diagnosis d = { 0 };

	CHECK_INT(diag_first(&d, "%s is %d", "fat", 1), ==, 0);
	CHECK_INT(diag_line(&d, "detail %c", 'a'), ==, 0);
	CHECK_INT(diag_first(&d, "fat is %s", "two"), ==, 0);
	CHECK_INT(diag_line(&d, "detail b"), ==, 0);
	/* A tool prints the sentence after "ERROR: ": it has no newline, each line has one. */
	CHECK_STR(d.first.data, "fat is two");
	CHECK_STR(d.detail.data, "detail a\ndetail b\n");
	lkm_diagnosis_release(&d);
	CHECK(d.first.data == NULL && d.detail.data == NULL && d.code == 0);
	/* Released twice, as an error path may, is harmless. */
	lkm_diagnosis_release(&d);
}

TEST(an_overlong_sentence_is_cut_not_overrun)
{
	struct lkm_diagnosis d = { 0 };
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(diag_first(&d, "%s", big), ==, 0);
	CHECK_INT(d.first.len, ==, 1023);
	CHECK_INT(diag_line(&d, "%s", big), ==, 0);
	CHECK_INT(d.detail.len, ==, 1024);
	lkm_diagnosis_release(&d);
}

TEST(errno_names_and_kmod_words)
{
	CHECK_STR(lkm_diagnose_errno_name(ENOKEY), "ENOKEY");
	CHECK(lkm_diagnose_errno_name(0) == NULL);
	CHECK_STR(lkm_diagnose_load_reason(ESRCH), "Module has wrong symbol version");
	CHECK_STR(lkm_diagnose_load_reason(EINVAL), "Invalid parameters");
	/* Any other errno is strerror's, as kmod prints it. */
	CHECK_STR(lkm_diagnose_load_reason(EBUSY), strerror(EBUSY));
}

TEST_MAIN()
