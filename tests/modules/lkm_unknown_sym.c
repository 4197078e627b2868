// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * References a symbol that no module exports, so loading fails with "Unknown symbol".
 * Built with KBUILD_MODPOST_WARN=1 so that modpost only warns.
 */
#include <linux/module.h>

int lkm_no_such_symbol(void);

static int __init lkm_unknown_sym_init(void)
{
	pr_info("lkm_unknown_sym: init %d\n", lkm_no_such_symbol());
	return 0;
}

module_init(lkm_unknown_sym_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: needs a symbol nobody exports");
