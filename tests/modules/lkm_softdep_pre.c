// SPDX-License-Identifier: LGPL-2.1-or-later
/* Soft dependency (pre) of lkm_softdep_main: modprobe loads it before main. */
#include <linux/module.h>

static int __init lkm_softdep_pre_init(void)
{
	pr_info("lkm_softdep_pre: init\n");
	return 0;
}

static void __exit lkm_softdep_pre_exit(void)
{
	pr_info("lkm_softdep_pre: exit\n");
}

module_init(lkm_softdep_pre_init);
module_exit(lkm_softdep_pre_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: softdep pre");
