// SPDX-License-Identifier: LGPL-2.1-or-later
/* Init fails with -EIO: the loader must report it and the module must not stay. */
#include <linux/module.h>

static int __init lkm_init_eio_init(void)
{
	pr_info("lkm_init_eio: init fails with -EIO\n");
	return -EIO;
}

module_init(lkm_init_eio_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: init returns -EIO");
