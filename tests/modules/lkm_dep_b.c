// SPDX-License-Identifier: LGPL-2.1-or-later
/* Middle of the chain: needs lkm_dep_a, and is needed by lkm_dep_c. */
#include <linux/module.h>

int lkm_dep_a_get(void);
int lkm_dep_b_get(void);

int lkm_dep_b_get(void)
{
	return lkm_dep_a_get() + 1;
}
EXPORT_SYMBOL(lkm_dep_b_get);

static int __init lkm_dep_b_init(void)
{
	pr_info("lkm_dep_b: init %d\n", lkm_dep_b_get());
	return 0;
}

static void __exit lkm_dep_b_exit(void)
{
	pr_info("lkm_dep_b: exit\n");
}

module_init(lkm_dep_b_init);
module_exit(lkm_dep_b_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: uses lkm_dep_a");
