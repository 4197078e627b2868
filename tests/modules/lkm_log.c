// SPDX-License-Identifier: LGPL-2.1-or-later
/* Writes recognizable lines to the kernel log at init and exit. */
#include <linux/module.h>

static int __init lkm_log_init(void)
{
	pr_info("lkm_log: hello from init\n");
	pr_warn("lkm_log: a warning line\n");
	return 0;
}

static void __exit lkm_log_exit(void)
{
	pr_info("lkm_log: goodbye from exit\n");
}

module_init(lkm_log_init);
module_exit(lkm_log_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: kernel log lines");
