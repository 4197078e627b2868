// SPDX-License-Identifier: LGPL-2.1-or-later
/* One parameter of each common type, readable back in /sys/module/lkm_params/parameters. */
#include <linux/module.h>
#include <linux/moduleparam.h>

static int intp = -1;
module_param(intp, int, 0444);
MODULE_PARM_DESC(intp, "an int");

static bool boolp;
module_param(boolp, bool, 0444);
MODULE_PARM_DESC(boolp, "a bool");

static char *strp = "unset";
module_param(strp, charp, 0444);
MODULE_PARM_DESC(strp, "a string");

static int arr[8];
static int arr_count;
module_param_array(arr, int, &arr_count, 0444);
MODULE_PARM_DESC(arr, "an array of up to 8 ints");

static int __init lkm_params_init(void)
{
	pr_info("lkm_params: init intp=%d boolp=%d strp=%s arr_count=%d\n",
		intp, boolp, strp, arr_count);
	return 0;
}

static void __exit lkm_params_exit(void)
{
	pr_info("lkm_params: exit\n");
}

module_init(lkm_params_init);
module_exit(lkm_params_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: int, bool, charp and int array parameters");
