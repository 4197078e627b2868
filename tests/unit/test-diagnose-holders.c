// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * diagnose-holders.c: what holds a module that no module holds, on fixture /proc and
 * /sys trees and a modules.alias: a mount of its filesystem type or on its block device,
 * an open device node (matched by st_rdev on a node made with mknod, and by the fd
 * link's text when the target cannot be stat()ed), a network interface; the assertions
 * are on the words lkm_diagnose_unload() makes of them.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lkm-internal.h"
#include "fixture.h"
#include "test.h"
#include "diagnose-fixture.h"

#define KVER "6.1.0-fix"

static const char *at(const char *rel)
{
	return dfx_at(rel);
}

static void put(const char *rel, const char *text)
{
	dfx_put(rel, text);
}

static void link_to(const char *rel, const char *target)
{
	char dir[512], *slash;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		fixture_mkdirs(dfx_root, dir);
	}
	unlink(at(rel));
	if (symlink(target, at(rel)) != 0) {
		perror(at(rel));
		exit(2);
	}
}

/* A loaded module held by no module, with @refcnt references. */
static void loaded(const char *name, int refcnt)
{
	char rel[128], text[128];

	snprintf(text, sizeof(text), "%s 16384 %d - Live 0x0\n", name, refcnt);
	dfx_append("proc/modules", text);
	snprintf(rel, sizeof(rel), "sys/module/%s/initstate", name);
	put(rel, "live\n");
	snprintf(rel, sizeof(rel), "sys/module/%s/refcnt", name);
	snprintf(text, sizeof(text), "%d\n", refcnt);
	put(rel, text);
	snprintf(rel, sizeof(rel), "sys/module/%s/holders", name);
	fixture_mkdirs(dfx_root, rel);
}

static struct lkm_ctx *fixture(void)
{
	dfx_fresh_tree();
	put("proc/modules", "");
	put("proc/mounts", "proc /proc proc rw,nosuid 0 0\nsysfs /sys sysfs rw 0 0\n");
	put("proc/filesystems", "nodev\tsysfs\nnodev\tproc\n\tminix\n");
	put("proc/devices", "Character devices:\n  1 mem\n 10 misc\n\nBlock devices:\n  7 loop\n");
	put("proc/misc", "200 tun\n 57 lkm_misc\n237 loop-control\n");
	put("lib/modules/" KVER "/modules.dep", "extra/lkm_fs.ko:\n");
	put("lib/modules/" KVER "/modules.alias",
	    "# Aliases extracted from modules themselves.\n"
	    "alias fs-lkmtestfs lkm_fs\n"
	    "alias devname:lkm_misc lkm_misc\n"
	    "alias char-major-10-200 tun\n"
	    "alias devname:net/tun tun\n"
	    "alias block-major-7-* loop\n"
	    "alias devname:loop-control loop\n"
	    "alias rtnl-link-bridge bridge\n");
	fixture_mkdirs(dfx_root, "proc/1/fd");
	put("proc/1/comm", "init\n");
	link_to("proc/1/fd/0", "/dev/null");
	link_to("proc/1/fd/1", "socket:[1234]");
	return dfx_ctx_new(KVER);
}

static void unload(struct lkm_ctx *ctx, const char *name, struct lkm_diagnosis *d)
{
	CHECK_INT(lkm_diagnose_unload(ctx, name, -EBUSY, 0, d), ==, 0);
	CHECK_INT(d->code, ==, -EBUSY);
}

TEST(nothing_found_keeps_the_general_words)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("lkm_fs", 1);
	unload(ctx, "lkm_fs", &d);
	HAS(d.first, "Module lkm_fs is in use (reference count 1), though no module holds it");
	HAS(d.detail, "something outside the module list holds it");
	HASNT(d.detail, "mounted:");
	HASNT(d.detail, "open:");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(mount_of_its_filesystem_type_names_the_mount_point)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("lkm_fs", 2);
	/* /proc/mounts escapes a space in a mount point as \040. */
	put("proc/mounts", "proc /proc proc rw 0 0\nnone /mnt/a\\040b lkmtestfs rw 0 0\n"
			   "tmpfs /tmp tmpfs rw 0 0\nnone /srv lkmtestfs rw 0 0\n");
	unload(ctx, "lkm_fs", &d);
	HAS(d.first, "Module lkm_fs is in use (reference count 2): a filesystem of type lkmtestfs is "
		     "mounted on /mnt/a b");
	HAS(d.detail, "mounted: /mnt/a b, of type lkmtestfs, from none: unmount it first "
		      "(umount /mnt/a b)");
	HAS(d.detail, "mounted: /srv, of type lkmtestfs, from none");
	HASNT(d.detail, "/tmp");
	HASNT(d.detail, "something outside");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(mount_of_a_type_of_its_own_name_without_an_alias)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("minix", 1);
	put("proc/mounts", "/dev/sdb1 /media minix rw 0 0\n");
	unload(ctx, "minix", &d);
	HAS(d.first, "a filesystem of type minix is mounted on /media");
	HAS(d.detail, "mounted: /media, of type minix, from /dev/sdb1");
	lkm_diagnosis_release(&d);
	/* The type is not in <proc>/filesystems and has no alias: not the module's. */
	loaded("hfs", 1);
	put("proc/mounts", "/dev/sdb2 /media2 hfs rw 0 0\n");
	unload(ctx, "hfs", &d);
	HAS(d.first, "though no module holds it");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(mount_on_its_block_device)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("loop", 3);
	put("sys/dev/block/7:0/uevent", "MAJOR=7\nMINOR=0\nDEVNAME=loop0\nDEVTYPE=disk\n");
	put("sys/dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
	put("proc/mounts", "/dev/sda /data ext4 rw 0 0\n/dev/loop0 /mnt vfat rw 0 0\n");
	unload(ctx, "loop", &d);
	HAS(d.first, "Module loop is in use (reference count 3): its device /dev/loop0 is mounted "
		     "on /mnt");
	HAS(d.detail, "mounted: /mnt (vfat) is on /dev/loop0, a device of loop: unmount it "
		      "first (umount /mnt)");
	HASNT(d.detail, "/data");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(open_device_by_the_fd_link_text)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("lkm_misc", 1);
	put("sys/dev/char/10:57/uevent", "MAJOR=10\nMINOR=57\nDEVNAME=lkm_misc\n");
	put("proc/4242/comm", "sleep\n");
	/* No such node on this machine: stat() fails, the link's text is compared. */
	link_to("proc/4242/fd/0", "/dev/lkm_misc");
	link_to("proc/4242/fd/1", "/dev/lkm_misc_not");
	unload(ctx, "lkm_misc", &d);
	HAS(d.first, "Module lkm_misc is in use (reference count 1): process 4242 (sleep) has "
		     "/dev/lkm_misc open");
	HAS(d.detail, "open: /dev/lkm_misc (char 10:57) by process 4242 (sleep) as fd 0: close it "
		      "or end the process (kill 4242)");
	HASNT(d.detail, "fd 1");
	HASNT(d.detail, "process 1 ");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(open_device_by_its_device_number)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	/* Made on the fixture's own file system: tmpfs allows device nodes for root. */
	fixture_mkdirs(dfx_root, "nodes");
	if (mknod(at("nodes/tun"), S_IFCHR | 0600, makedev(10, 200)) != 0 ||
	    mknod(at("nodes/other"), S_IFCHR | 0600, makedev(10, 201)) != 0) {
		SKIP("mknod of a character device in %s: %s", dfx_root, strerror(errno));
		lkm_ctx_unref(ctx);
		return;
	}
	loaded("tun", 1);
	put("proc/77/comm", "openvpn\n");
	/* The link's text is not a /dev path of tun's: only st_rdev ties it to tun. */
	link_to("proc/77/fd/5", at("nodes/tun"));
	put("proc/78/comm", "other\n");
	link_to("proc/78/fd/3", at("nodes/other"));
	unload(ctx, "tun", &d);
	HAS(d.first, "process 77 (openvpn) has ");
	HAS(d.detail, "(char 10:200) by process 77 (openvpn) as fd 5");
	HASNT(d.detail, "process 78");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(misc_minor_and_driver_link_without_aliases)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	/* No alias of lkm_chr: its major in <proc>/devices, under its own name. */
	put("proc/devices", "Character devices:\n 10 misc\n240 lkm_chr\n\nBlock devices:\n");
	put("sys/dev/char/240:3/uevent", "MAJOR=240\nMINOR=3\nDEVNAME=lkm_chr3\n");
	put("sys/dev/char/89:0/uevent", "MAJOR=89\nMINOR=0\nDEVNAME=i2c-0\n");
	link_to("sys/dev/char/89:0/device/driver/module", "../../../../../module/i2c_piix4");
	loaded("lkm_chr", 1);
	loaded("i2c_piix4", 1);
	put("proc/9/comm", "sensors\n");
	link_to("proc/9/fd/4", "/dev/lkm_chr3");
	link_to("proc/9/fd/6", "/dev/i2c-0");
	unload(ctx, "lkm_chr", &d);
	HAS(d.detail, "open: /dev/lkm_chr3 (char 240:3) by process 9 (sensors) as fd 4");
	HASNT(d.detail, "i2c-0");
	lkm_diagnosis_release(&d);
	unload(ctx, "i2c_piix4", &d);
	HAS(d.detail, "open: /dev/i2c-0 (char 89:0) by process 9 (sensors) as fd 6");
	HASNT(d.detail, "lkm_chr3");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(network_interfaces_are_leads_not_holders)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("e1000", 1);
	loaded("bridge", 1);
	link_to("sys/class/net/eth0/device/driver/module", "../../../../module/e1000");
	put("sys/class/net/eth0/uevent", "INTERFACE=eth0\nIFINDEX=2\n");
	put("sys/class/net/br0/uevent", "DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=3\n");
	put("sys/class/net/lo/uevent", "INTERFACE=lo\nIFINDEX=1\n");
	unload(ctx, "e1000", &d);
	HAS(d.first, "Module e1000 is in use (reference count 1), though no module holds it");
	HAS(d.detail, "network interface eth0 is driven by e1000");
	HAS(d.detail, "ip link set eth0 down");
	HAS(d.detail, "something outside the module list holds it");
	HASNT(d.detail, "br0");
	lkm_diagnosis_release(&d);
	unload(ctx, "bridge", &d);
	HAS(d.detail, "network interface br0 is a bridge of bridge");
	HAS(d.detail, "ip link delete br0");
	HASNT(d.detail, "eth0");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(many_mounts_are_bounded)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;
	char line[64];
	int i, lines = 0;
	const char *p;

	put("proc/mounts", "");
	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "none /m%d lkmtestfs rw 0 0\n", i);
		dfx_append("proc/mounts", line);
	}
	loaded("lkm_fs", 40);
	unload(ctx, "lkm_fs", &d);
	for (p = d.detail.data; p && (p = strstr(p, "mounted: ")); p++)
		lines++;
	CHECK_INT(lines, ==, 16);
	HAS(d.detail, "and more: only the first 16 are listed");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(module_holders_still_come_first)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	loaded("lkm_fs", 2);
	fixture_mkdirs(dfx_root, "sys/module/lkm_fs/holders/lkm_user");
	put("proc/mounts", "none /mnt lkmtestfs rw 0 0\n");
	unload(ctx, "lkm_fs", &d);
	HAS(d.first, "Module lkm_fs is in use by: lkm_user (reference count 2)");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

__attribute__((constructor(101))) static void setup(void)
{
	dfx_setup("diagnose-holders");
}

TEST_MAIN()
