// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A misc device, /dev/lkm_misc: its file operations belong to this module, so an open
 * file of it holds the module, and rmmod refuses it with no module among its holders.
 * No devname: alias: depmod wants a fixed minor with one, and this minor is dynamic, so
 * lkm finds the device by its name in /proc/misc.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static const struct file_operations lkm_misc_fops = {
	.owner = THIS_MODULE,
	.llseek = noop_llseek,
};

static struct miscdevice lkm_misc_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lkm_misc",
	.fops = &lkm_misc_fops,
};

module_misc_device(lkm_misc_device);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: a misc device whose open files hold the module");
