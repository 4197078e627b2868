// SPDX-License-Identifier: LGPL-2.1-or-later
/* Found by alias: a plain one and one with a wildcard that modprobe must match. */
#include <linux/module.h>

static int __init lkm_alias_init(void)
{
	pr_info("lkm_alias: init\n");
	return 0;
}

static void __exit lkm_alias_exit(void)
{
	pr_info("lkm_alias: exit\n");
}

module_init(lkm_alias_init);
module_exit(lkm_alias_exit);
MODULE_LICENSE("GPL");
MODULE_ALIAS("lkm-test-alias");
MODULE_ALIAS("lkm-test-wild:v*d1234*");
MODULE_DESCRIPTION("lkm test: aliases");
