// SPDX-License-Identifier: LGPL-2.1-or-later
/* Soft dependency (post) of lkm_softdep_main: modprobe loads it after main. */
#include <linux/module.h>

static int __init lkm_softdep_post_init(void)
{
	pr_info("lkm_softdep_post: init\n");
	return 0;
}

static void __exit lkm_softdep_post_exit(void)
{
	pr_info("lkm_softdep_post: exit\n");
}

module_init(lkm_softdep_post_init);
module_exit(lkm_softdep_post_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: softdep post");
