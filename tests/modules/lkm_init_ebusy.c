// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Init fails with -EBUSY: it asks for the I/O port 0x60, which x86 kernels reserve at boot
 * as "keyboard" (/proc/ioports), and logs the port as drivers do.
 */
#include <linux/ioport.h>
#include <linux/module.h>

static int __init lkm_init_ebusy_init(void)
{
	if (request_region(0x60, 1, "lkm_init_ebusy")) {
		release_region(0x60, 1);
		pr_info("lkm_init_ebusy: I/O port 0x60 was free\n");
		return -EBUSY;
	}
	pr_err("lkm_init_ebusy: I/O port 0x60 is busy\n");
	return -EBUSY;
}

module_init(lkm_init_ebusy_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: init fails with -EBUSY on a taken I/O port");
