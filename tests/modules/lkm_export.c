// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Exports a GPL-only symbol and a symbol in the namespace LKM_TEST_NS, for the modules
 * in apart/ that use them wrongly (a proprietary licence; no MODULE_IMPORT_NS).
 */
#include <linux/module.h>
#include <linux/version.h>

int lkm_export_gplonly(void);
int lkm_export_ns(void);

int lkm_export_gplonly(void)
{
	return 1;
}
EXPORT_SYMBOL_GPL(lkm_export_gplonly);

int lkm_export_ns(void)
{
	return 2;
}
/* Up to 6.12 the namespace is a bare word; from 6.13 on, a string. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
EXPORT_SYMBOL_NS_GPL(lkm_export_ns, "LKM_TEST_NS");
#else
EXPORT_SYMBOL_NS_GPL(lkm_export_ns, LKM_TEST_NS);
#endif

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: a GPL-only export and a namespaced export");
