// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A filesystem type, "lkmtestfs", with nothing in it: each mount holds the module (the
 * type's owner), so rmmod refuses it with no module among its holders. The fs_context
 * API (get_tree_nodev, simple_fill_super) is the same on 6.1 and 6.12.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>

#define LKMTESTFS_MAGIC 0x6c6b6d74 /* "lkmt" */

static int lkmtestfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	static const struct tree_descr no_files[] = { { "" } };

	return simple_fill_super(sb, LKMTESTFS_MAGIC, no_files);
}

static int lkmtestfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, lkmtestfs_fill_super);
}

static const struct fs_context_operations lkmtestfs_context_ops = {
	.get_tree = lkmtestfs_get_tree,
};

static int lkmtestfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &lkmtestfs_context_ops;
	return 0;
}

static struct file_system_type lkmtestfs_type = {
	.owner = THIS_MODULE,
	.name = "lkmtestfs",
	.init_fs_context = lkmtestfs_init_fs_context,
	.kill_sb = kill_litter_super,
};

static int __init lkm_fs_init(void)
{
	return register_filesystem(&lkmtestfs_type);
}

static void __exit lkm_fs_exit(void)
{
	unregister_filesystem(&lkmtestfs_type);
}

module_init(lkm_fs_init);
module_exit(lkm_fs_exit);
MODULE_ALIAS_FS("lkmtestfs");
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lkm test: a filesystem type whose mounts hold the module");
