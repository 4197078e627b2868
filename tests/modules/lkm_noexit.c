// SPDX-License-Identifier: LGPL-2.1-or-later
/* An init but no exit function: the kernel treats the module as permanent. */
#include <linux/module.h>

static int __init lkm_noexit_init(void)
{
	pr_info("lkm_noexit: init (permanent)\n");
	return 0;
}

module_init(lkm_noexit_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: no exit function");
