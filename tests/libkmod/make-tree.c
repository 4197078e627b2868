// SPDX-License-Identifier: LGPL-2.1-or-later
/* Write tree.h's module tree at ROOT (an empty directory): for tests/libkmod/test-diff.sh. */
#include <stdio.h>

#include "info-fixtures.h"
#include "tree.h"

int main(int argc, char **argv)
{
	struct tree t;

	if (argc != 2) {
		fprintf(stderr, "usage: make-tree ROOT\n");
		return 2;
	}
	tree_make(&t, argv[1]);
	info_fixtures(t.dir);
	printf("%s\n%s\n", t.dir, t.conf);
	return 0;
}
