// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Uses lkm_export's symbol of the namespace LKM_TEST_NS without MODULE_IMPORT_NS: the
 * kernel refuses the load with -EINVAL (modpost only warns: see Kbuild).
 */
#include <linux/module.h>

int lkm_export_ns(void);

static int __init lkm_ns_noimport_init(void)
{
	pr_info("lkm_ns_noimport: init %d\n", lkm_export_ns());
	return 0;
}

module_init(lkm_ns_noimport_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: uses a namespaced export without importing the namespace");
