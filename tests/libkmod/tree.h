/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module tree the libkmod tests read: synthetic modules (tests/unit/elf-fixture.h)
 * below ROOT/lib/modules/KVER, indexed by lkm's depmod ($LKM), and a modprobe.d file
 * at ROOT/etc/modprobe.d. What is in it:
 *
 *   foo      kernel/a/foo.ko       exports foo_fn; aliases "fooalias", "pci:v0000ABCDd*"
 *   bar_drv  kernel/b/bar-drv.ko   exports bar_fn, needs foo_fn
 *   baz      kernel/c/baz.ko       needs foo_fn and bar_fn
 *   bi       built in (modules.builtin)
 *
 * and tree_conf's configuration: aliases that shadow a module name and point to one,
 * options for names and aliases, install and remove commands, a softdep, a weakdep,
 * a blacklist.
 */
#ifndef LKM_TEST_LIBKMOD_TREE_H
#define LKM_TEST_LIBKMOD_TREE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf-fixture.h"
#include "fixture.h"

#define TREE_KVER "1.0-lkmtest"

static const char tree_conf[] =
	"alias myalias bar-drv\n"
	"alias foo baz\n"
	"options foo opt1=1\n"
	"options myalias aopt=2\n"
	"options bar_drv bopt=3\n"
	"options bar_drv bopt2=4\n"
	"install inst_only /bin/true\n"
	"install foo /bin/echo installing foo\n"
	"remove baz /bin/false\n"
	"softdep baz pre: foo post: bar_drv\n"
	"weakdep bar_drv foo nosuchmodule\n"
	"blacklist baz\n";

struct tree {
	char root[512];
	char dir[700];  /* ROOT/lib/modules/KVER */
	char conf[700]; /* ROOT/etc/modprobe.d */
};

static inline void tree_module(const char *dir, const char *rel, const char *name,
			       const char *modinfo, size_t modinfo_len,
			       const struct fx_crc_sym *imports, size_t n_imports,
			       const struct fx_crc_sym *exports, size_t n_exports)
{
	struct fx_module_spec m = { .is64 = true, .machine = 62, .name = name };
	struct fx_image img;

	m.modinfo = modinfo;
	m.modinfo_len = modinfo_len;
	m.imports = imports;
	m.n_imports = n_imports;
	m.exports = exports;
	m.n_exports = n_exports;
	img = fx_module(&m);
	fixture_write(dir, rel, img.data, img.size, "w");
	free(img.data);
}

/* Run lkm's depmod on the tree (exit 2 if it fails: nothing could be tested). */
static inline void tree_depmod(const struct tree *t)
{
	const char *lkm = getenv("LKM");
	char cmd[2048];

	if (!lkm) {
		fprintf(stderr, "LKM is not set: the path of the lkm binary\n");
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "'%s' depmod -C '%s/etc/depmod.d' -b '%s' %s", lkm, t->root,
		 t->root, TREE_KVER);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: failed\n", cmd);
		exit(2);
	}
}

/* Build the whole tree at @root (which exists). */
static inline void tree_make(struct tree *t, const char *root)
{
	static const char foo_mi[] = "alias=fooalias\0alias=pci:v0000ABCDd*\0license=GPL";
	static const char bar_mi[] = "license=GPL\0description=bar";
	static const char baz_mi[] = "license=GPL";
	static const char order[] = "kernel/a/foo.ko\nkernel/b/bar-drv.ko\nkernel/c/baz.ko\n";
	static const struct fx_crc_sym foo_fn[] = { { "foo_fn", 0x1111 } };
	static const struct fx_crc_sym bar_fn[] = { { "bar_fn", 0x2222 } };
	static const struct fx_crc_sym baz_needs[] = { { "foo_fn", 0x1111 },
						       { "bar_fn", 0x2222 } };

	snprintf(t->root, sizeof(t->root), "%s", root);
	snprintf(t->dir, sizeof(t->dir), "%s/lib/modules/%s", root, TREE_KVER);
	snprintf(t->conf, sizeof(t->conf), "%s/etc/modprobe.d", root);
	fixture_mkdirs(root, "etc/depmod.d");
	fixture_mkdirs(root, "lib/modules/" TREE_KVER);
	fixture_write(root, "etc/modprobe.d/test.conf", tree_conf, strlen(tree_conf), "w");
	tree_module(t->dir, "kernel/a/foo.ko", "foo", foo_mi, sizeof(foo_mi), NULL, 0, foo_fn,
		    1);
	tree_module(t->dir, "kernel/b/bar-drv.ko", "bar_drv", bar_mi, sizeof(bar_mi), foo_fn,
		    1, bar_fn, 1);
	tree_module(t->dir, "kernel/c/baz.ko", "baz", baz_mi, sizeof(baz_mi), baz_needs, 2,
		    NULL, 0);
	fixture_write(t->dir, "modules.builtin", "kernel/builtin/bi.ko\n", 21, "w");
	fixture_write(t->dir, "modules.builtin.modinfo", "", 0, "w");
	fixture_write(t->dir, "modules.order", order, strlen(order), "w");
	tree_depmod(t);
}

#endif
