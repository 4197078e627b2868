// SPDX-License-Identifier: LGPL-2.1-or-later
/* Init fails with -ENODEV, as a driver does that finds no device it can drive. */
#include <linux/module.h>

static int __init lkm_init_enodev_init(void)
{
	pr_info("lkm_init_enodev: no device found\n");
	return -ENODEV;
}

module_init(lkm_init_enodev_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: init returns -ENODEV");
