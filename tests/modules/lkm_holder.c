// SPDX-License-Identifier: LGPL-2.1-or-later
/* Uses lkm_dep_a's symbol, so lkm_dep_a is in use while this one is loaded. */
#include <linux/module.h>

int lkm_dep_a_get(void);

static int __init lkm_holder_init(void)
{
	pr_info("lkm_holder: init %d\n", lkm_dep_a_get());
	return 0;
}

static void __exit lkm_holder_exit(void)
{
	pr_info("lkm_holder: exit\n");
}

module_init(lkm_holder_init);
module_exit(lkm_holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: holds lkm_dep_a");
