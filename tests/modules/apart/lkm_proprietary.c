// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A module whose licence is not GPL-compatible, using lkm_export's GPL-only symbol: the
 * kernel hides GPL-only exports from it, so the load fails with "Unknown symbol".
 */
#include <linux/module.h>

int lkm_export_gplonly(void);

static int __init lkm_proprietary_init(void)
{
	pr_info("lkm_proprietary: init %d\n", lkm_export_gplonly());
	return 0;
}

module_init(lkm_proprietary_init);
MODULE_LICENSE("Proprietary");
MODULE_DESCRIPTION("lkm test: a proprietary module using a GPL-only export");
