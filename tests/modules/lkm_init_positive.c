// SPDX-License-Identifier: LGPL-2.1-or-later
/* Init returns 42: the kernel warns about the suspicious value but keeps the module. */
#include <linux/module.h>

static int __init lkm_init_positive_init(void)
{
	pr_info("lkm_init_positive: init returns 42\n");
	return 42;
}

static void __exit lkm_init_positive_exit(void)
{
	pr_info("lkm_init_positive: exit\n");
}

module_init(lkm_init_positive_init);
module_exit(lkm_init_positive_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: init returns a positive value");
