// SPDX-License-Identifier: LGPL-2.1-or-later
/* Bottom of the dependency chain a <- b <- c: exports one symbol. */
#include <linux/module.h>

int lkm_dep_a_get(void);

int lkm_dep_a_get(void)
{
	return 1;
}
EXPORT_SYMBOL(lkm_dep_a_get);

static int __init lkm_dep_a_init(void)
{
	pr_info("lkm_dep_a: init\n");
	return 0;
}

static void __exit lkm_dep_a_exit(void)
{
	pr_info("lkm_dep_a: exit\n");
}

module_init(lkm_dep_a_init);
module_exit(lkm_dep_a_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: exports lkm_dep_a_get");
