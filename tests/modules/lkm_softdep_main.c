// SPDX-License-Identifier: LGPL-2.1-or-later
/* Declares soft dependencies only: no symbol ties it to pre or post. */
#include <linux/module.h>

static int __init lkm_softdep_main_init(void)
{
	pr_info("lkm_softdep_main: init\n");
	return 0;
}

static void __exit lkm_softdep_main_exit(void)
{
	pr_info("lkm_softdep_main: exit\n");
}

module_init(lkm_softdep_main_init);
module_exit(lkm_softdep_main_exit);
MODULE_LICENSE("GPL");
MODULE_SOFTDEP("pre: lkm_softdep_pre post: lkm_softdep_post");
MODULE_DESCRIPTION("lkm test: softdep pre and post");
