// SPDX-License-Identifier: LGPL-2.1-or-later
/* Top of the chain of three: needs lkm_dep_b, so indirectly lkm_dep_a. */
#include <linux/module.h>

int lkm_dep_b_get(void);

static int __init lkm_dep_c_init(void)
{
	pr_info("lkm_dep_c: init %d\n", lkm_dep_b_get() + 1);
	return 0;
}

static void __exit lkm_dep_c_exit(void)
{
	pr_info("lkm_dep_c: exit\n");
}

module_init(lkm_dep_c_init);
module_exit(lkm_dep_c_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: uses lkm_dep_b");
