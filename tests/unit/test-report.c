// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/report.c over fixture /proc and /sys trees: each test writes the state before,
 * opens a report, changes the tree as a module's load would, and checks what the step
 * found and how the text says it.
 */
#include <unistd.h>

#include "elf-fixture.h"
#include "fixture.h"
#include "lkm.h"
#include "test.h"

TEST_GLOBALS;

static char root[512];

/* A fresh root (proc/, sys/, kmsg) for each test. */
static struct lkm_ctx *fresh(const char *name)
{
	static int n;
	char dir[600], proc[700], sys[700], kmsg[700];
	struct lkm_ctx_config cfg = { 0 };
	struct lkm_ctx *ctx;

	snprintf(dir, sizeof(dir), "%d-%s", n++, name);
	fixture_mkdirs(root, dir);
	snprintf(dir, sizeof(dir), "%s/%d-%s", root, n - 1, name);
	fixture_mkdirs(dir, "proc");
	fixture_mkdirs(dir, "sys/class");
	fixture_write(dir, "kmsg", "", 0, "w");
	snprintf(proc, sizeof(proc), "%s/proc", dir);
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", dir);
	cfg.proc = proc;
	cfg.sys = sys;
	cfg.kmsg = kmsg;
	cfg.dirname = dir;
	cfg.kver = "1.0-test";
	if (lkm_ctx_new(&cfg, &ctx) < 0) {
		fprintf(stderr, "no ctx for %s\n", dir);
		exit(2);
	}
	return ctx;
}

static const char *sys_of(struct lkm_ctx *ctx) { return lkm_ctx_get_sys(ctx); }
static const char *proc_of(struct lkm_ctx *ctx) { return lkm_ctx_get_proc(ctx); }

static void put(const char *base, const char *rel, const char *text)
{
	fixture_write(base, rel, text, strlen(text), "w");
}

static void append(const char *base, const char *rel, const char *text)
{
	fixture_write(base, rel, text, strlen(text), "a");
}

/* @base/@rel -> @target, its directory made first. */
static void link_to(const char *base, const char *rel, const char *target)
{
	char path[1024], dir[1024], *slash;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		fixture_mkdirs(base, dir);
	}
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (symlink(target, path) < 0) {
		perror(path);
		exit(2);
	}
}

static const struct lkm_report_module *module(const struct lkm_report *rep, const char *name)
{
	const struct lkm_report_module *m;
	size_t i, n;

	m = lkm_report_get_modules(rep, &n);
	for (i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return &m[i];
	return NULL;
}

static size_t count_kind(const struct lkm_report_module *m, enum lkm_report_kind kind)
{
	size_t i, n = 0;

	for (i = 0; m && i < m->n_items; i++)
		n += m->items[i].kind == kind;
	return n;
}

static const struct lkm_report_item *item(const struct lkm_report_module *m,
					  enum lkm_report_kind kind)
{
	size_t i;

	for (i = 0; m && i < m->n_items; i++)
		if (m->items[i].kind == kind)
			return &m->items[i];
	return NULL;
}

/* The text of the report; "" when it could not be made (a CHECK fails then). */
static char text[8192];

static const char *show(const struct lkm_report *rep)
{
	struct lkm_buf b = { 0 };

	text[0] = '\0';
	CHECK_INT(lkm_report_show(rep, &b), ==, 0);
	if (b.data)
		snprintf(text, sizeof(text), "%s", b.data);
	lkm_buf_free(&b);
	return text;
}

/* The report as JSON (lkm_report_json) in one array; "" when it could not be made. */
static char json_text[8192];

static const char *show_json(const struct lkm_report *rep)
{
	struct lkm_json *w = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_text[0] = '\0';
	CHECK(f != NULL);
	if (!f)
		return json_text;
	CHECK_INT(lkm_json_new(f, &w), ==, 0);
	if (w) {
		lkm_json_begin_array(w);
		lkm_report_json(rep, w);
		lkm_json_end_array(w);
		CHECK_INT(lkm_json_free(w), ==, 0);
	}
	fclose(f);
	if (buf)
		snprintf(json_text, sizeof(json_text), "%s", buf);
	free(buf);
	return json_text;
}

/* A module file with these NUL-separated modinfo strings, at @dir/@name.ko. */
static void module_file(char *path, size_t size, const char *dir, const char *name,
			const char *mi, size_t mi_len)
{
	struct fx_module_spec spec = { .is64 = true, .machine = 62, .name = name,
				       .modinfo = mi, .modinfo_len = mi_len };
	struct fx_image img = fx_module(&spec);
	char rel[300];

	snprintf(rel, sizeof(rel), "%s.ko", name);
	fixture_write(dir, rel, img.data, img.size, "w");
	free(img.data);
	snprintf(path, size, "%s/%s", dir, rel);
}

TEST(filesystem_type)
{
	struct lkm_ctx *ctx = fresh("fs");
	const struct lkm_report_item *it;
	struct lkm_report *rep;

	put(proc_of(ctx), "filesystems", "nodev\tsysfs\n\text4\n");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	append(proc_of(ctx), "filesystems", "\tvfat\n");
	CHECK_INT(lkm_report_step(rep, "vfat", NULL, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(count_kind(module(rep, "vfat"), LKM_REPORT_FILESYSTEM), ==, 1);
	it = item(module(rep, "vfat"), LKM_REPORT_FILESYSTEM);
	CHECK(it && strcmp(it->name, "vfat") == 0);
	CHECK_STR(show(rep), "report: vfat: filesystem type vfat\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

/* eth0 of PCI device 0000:00:03.0, bound to e1000 (module e1000), as sysfs links it. */
static void e1000_device(const char *sys)
{
	fixture_mkdirs(sys, "devices/pci0000:00/0000:00:03.0/net/eth0");
	fixture_mkdirs(sys, "module/e1000");
	link_to(sys, "bus/pci/drivers/e1000/module", "../../../../module/e1000");
	fixture_write(sys, "bus/pci/drivers/e1000/uevent", "", 0, "w");
	link_to(sys, "bus/pci/drivers/e1000/0000:00:03.0",
		"../../../../devices/pci0000:00/0000:00:03.0");
	link_to(sys, "devices/pci0000:00/0000:00:03.0/driver", "../../../bus/pci/drivers/e1000");
	link_to(sys, "class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/net/eth0");
	link_to(sys, "devices/pci0000:00/0000:00:03.0/net/eth0/device", "../../../0000:00:03.0");
}

TEST(network_interface_and_bound_device)
{
	struct lkm_ctx *ctx = fresh("net");
	const struct lkm_report_item *it;
	struct lkm_report *rep;

	fixture_mkdirs(sys_of(ctx), "class/net/lo");
	fixture_mkdirs(sys_of(ctx), "bus/pci/drivers/pcieport");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	e1000_device(sys_of(ctx));
	CHECK_INT(lkm_report_step(rep, "e1000", NULL, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(count_kind(module(rep, "e1000"), LKM_REPORT_NETDEV), ==, 1);
	it = item(module(rep, "e1000"), LKM_REPORT_NETDEV);
	CHECK(it && strcmp(it->name, "eth0") == 0 && it->driver &&
	      strcmp(it->driver, "e1000") == 0);
	it = item(module(rep, "e1000"), LKM_REPORT_BOUND);
	CHECK(it && strcmp(it->name, "0000:00:03.0") == 0 && it->group && it->driver &&
	      strcmp(it->group, "pci") == 0 && strcmp(it->driver, "e1000") == 0);
	/* The driver's own files (module, uevent) are no bound devices. */
	CHECK_INT(count_kind(module(rep, "e1000"), LKM_REPORT_BOUND), ==, 1);
	CHECK_STR(show(rep), "report: e1000: bound 0000:00:03.0 (pci, driver e1000)\n"
			     "report: e1000: network interface eth0 (driver e1000)\n");
	/* The same as JSON: the kinds and their members, null where the text shows none. */
	CHECK_STR(show_json(rep),
		  "[\n{\"name\":\"e1000\",\"state\":\"loaded\",\"device_aliases\":null,"
		  "\"registered\":[{\"kind\":\"bound\",\"device\":\"0000:00:03.0\",\"bus\":\"pci\","
		  "\"driver\":\"e1000\"},{\"kind\":\"network_interface\",\"name\":\"eth0\","
		  "\"driver\":\"e1000\"}],\"log\":[]}\n]\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

/* What sysfs says owns a thing wins over load order, when that module is this run's. */
TEST(attributed_to_the_owner)
{
	struct lkm_ctx *ctx = fresh("owner");
	const struct lkm_report_module *m;
	struct lkm_report *rep;

	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	CHECK_INT(lkm_report_step(rep, "e1000", NULL, LKM_REPORT_LOADED), ==, 0);
	/* e1000 probes late: its device shows up during the next module's load. */
	e1000_device(sys_of(ctx));
	fixture_mkdirs(sys_of(ctx), "class/net/dummy0");
	CHECK_INT(lkm_report_step(rep, "dummy", NULL, LKM_REPORT_LOADED), ==, 0);
	m = module(rep, "e1000");
	CHECK_INT(count_kind(m, LKM_REPORT_NETDEV), ==, 1);
	CHECK_INT(count_kind(m, LKM_REPORT_BOUND), ==, 1);
	m = module(rep, "dummy");
	CHECK_INT(count_kind(m, LKM_REPORT_NETDEV), ==, 1);
	CHECK(item(m, LKM_REPORT_NETDEV) && strcmp(item(m, LKM_REPORT_NETDEV)->name, "dummy0") == 0);
	CHECK(item(m, LKM_REPORT_NETDEV) && !item(m, LKM_REPORT_NETDEV)->driver);
	CHECK_INT(count_kind(m, LKM_REPORT_BOUND), ==, 0);
	/* A driver of a module this run did not load binds: the step's module made that. */
	fixture_mkdirs(sys_of(ctx), "devices/platform/serial8250");
	link_to(sys_of(ctx), "bus/platform/drivers/serial8250/module", "../../../../module/8250");
	link_to(sys_of(ctx), "bus/platform/drivers/serial8250/serial8250",
		"../../../../devices/platform/serial8250");
	CHECK_INT(lkm_report_step(rep, "uart_bus", NULL, LKM_REPORT_LOADED), ==, 0);
	m = module(rep, "uart_bus");
	CHECK_INT(count_kind(m, LKM_REPORT_BOUND), ==, 1);
	CHECK(item(m, LKM_REPORT_BOUND) && item(m, LKM_REPORT_BOUND)->driver &&
	      strcmp(item(m, LKM_REPORT_BOUND)->driver, "serial8250") == 0);
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(class_and_class_device)
{
	struct lkm_ctx *ctx = fresh("class");
	const struct lkm_report_module *m;
	const struct lkm_report_item *it;
	struct lkm_report *rep;

	fixture_mkdirs(sys_of(ctx), "class/tty/tty0");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	put(sys_of(ctx), "class/gpio_test/gpt0/uevent", "MAJOR=240\nMINOR=0\nDEVNAME=gpt/0\n");
	fixture_mkdirs(sys_of(ctx), "class/tty/ttyX1");
	CHECK_INT(lkm_report_step(rep, "gpt", NULL, LKM_REPORT_LOADED), ==, 0);
	m = module(rep, "gpt");
	CHECK_INT(count_kind(m, LKM_REPORT_CLASS), ==, 1);
	CHECK_INT(count_kind(m, LKM_REPORT_CLASS_DEVICE), ==, 2);
	it = item(m, LKM_REPORT_CLASS);
	CHECK(it && strcmp(it->name, "gpio_test") == 0);
	CHECK_STR(show(rep), "report: gpt: device class gpio_test\n"
			     "report: gpt: device gpio_test/gpt0 (/dev/gpt/0)\n"
			     "report: gpt: device tty/ttyX1\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(device_major)
{
	struct lkm_ctx *ctx = fresh("major");
	const struct lkm_report_item *it;
	struct lkm_report *rep;

	put(proc_of(ctx), "devices", "Character devices:\n  1 mem\n  4 tty\n\n"
				     "Block devices:\n  8 sd\n");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	put(proc_of(ctx), "devices", "Character devices:\n  1 mem\n  4 tty\n254 gpiochip\n\n"
				     "Block devices:\n  8 sd\n 43 nbd\n");
	CHECK_INT(lkm_report_step(rep, "m", NULL, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(count_kind(module(rep, "m"), LKM_REPORT_MAJOR), ==, 2);
	it = item(module(rep, "m"), LKM_REPORT_MAJOR);
	CHECK(it && it->number == 43 && it->group && strcmp(it->group, "block") == 0 &&
	      strcmp(it->name, "nbd") == 0);
	CHECK_STR(show(rep), "report: m: block device major 43 (nbd)\n"
			     "report: m: char device major 254 (gpiochip)\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(misc_device)
{
	struct lkm_ctx *ctx = fresh("misc");
	const struct lkm_report_module *m;
	const struct lkm_report_item *it;
	struct lkm_report *rep;

	put(proc_of(ctx), "misc", "130 watchdog\n");
	fixture_mkdirs(sys_of(ctx), "class/misc/watchdog");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	append(proc_of(ctx), "misc", "223 uinput\n");
	put(sys_of(ctx), "class/misc/uinput/uevent", "MAJOR=10\nMINOR=223\nDEVNAME=uinput\n");
	CHECK_INT(lkm_report_step(rep, "uinput", NULL, LKM_REPORT_LOADED), ==, 0);
	m = module(rep, "uinput");
	CHECK_INT(count_kind(m, LKM_REPORT_MISC), ==, 1);
	it = item(m, LKM_REPORT_MISC);
	CHECK(it && it->number == 223 && strcmp(it->name, "uinput") == 0 && it->node &&
	      strcmp(it->node, "/dev/uinput") == 0);
	/* Its /sys/class/misc entry is the same device: said once. */
	CHECK_INT(count_kind(m, LKM_REPORT_CLASS_DEVICE), ==, 0);
	CHECK_STR(show(rep), "report: uinput: misc device uinput (minor 223, /dev/uinput)\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(nothing_registered_by_a_driver)
{
	static const char mi[] = "alias=pci:v00008086d0000100Esv*sd*bc*sc*i*\0"
				 "alias=pci:v00008086d0000100Fsv*sd*bc*sc*i*\0"
				 "alias=usb:v0B95p1790d*dc*dsc*dp*ic*isc*ip*in*\0"
				 "alias=devname:e1k\0alias=char-major-10-99\0license=GPL";
	static const char lib[] = "alias=fs-libfoo\0license=GPL";
	struct lkm_ctx *ctx = fresh("none");
	char drv[1024], libpath[1024], dir[1024];
	struct lkm_report *rep;

	snprintf(dir, sizeof(dir), "%s/..", sys_of(ctx));
	module_file(drv, sizeof(drv), dir, "e1k", mi, sizeof(mi));
	module_file(libpath, sizeof(libpath), dir, "libfoo", lib, sizeof(lib));
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	CHECK_INT(lkm_report_step(rep, "libfoo", libpath, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(lkm_report_step(rep, "e1k", drv, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(module(rep, "e1k") ? module(rep, "e1k")->device_aliases : -9, ==, 3);
	CHECK_INT(module(rep, "libfoo") ? module(rep, "libfoo")->device_aliases : -9, ==, 0);
	CHECK_INT(module(rep, "e1k") ? module(rep, "e1k")->n_items : 99, ==, 0);
	CHECK_STR(show(rep), "report: libfoo: registered nothing (not a driver)\n"
			     "report: e1k: registered nothing: no device on this machine matched "
			     "it (3 device aliases)\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(kernel_log_lines)
{
	struct lkm_ctx *ctx = fresh("log");
	const struct lkm_report_item *it;
	struct lkm_report *rep;
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", lkm_ctx_get_kmsg(ctx));
	*strrchr(dir, '/') = '\0';
	put(dir, "kmsg", "6,10,5,-;before the report\n");
	put(proc_of(ctx), "filesystems", "\text4\n");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	append(dir, "kmsg", "6,11,6,-;dummy: loaded\n");
	CHECK_INT(lkm_report_step(rep, "dummy", NULL, LKM_REPORT_LOADED), ==, 0);
	append(dir, "kmsg", "4,12,7,-;other: a warning\n");
	append(proc_of(ctx), "filesystems", "\tother\n");
	CHECK_INT(lkm_report_step(rep, "other", NULL, LKM_REPORT_LOADED), ==, 0);
	CHECK_INT(count_kind(module(rep, "dummy"), LKM_REPORT_LOG), ==, 1);
	CHECK_INT(count_kind(module(rep, "other"), LKM_REPORT_LOG), ==, 1);
	it = item(module(rep, "other"), LKM_REPORT_LOG);
	CHECK(it && it->number == 4 && strcmp(it->name, "other: a warning") == 0);
	/* Log lines are no registration; they follow what was registered. */
	CHECK_STR(show(rep), "report: dummy: registered nothing (not a driver)\n"
			     "report: dummy: kernel log: dummy: loaded\n"
			     "report: other: filesystem type other\n"
			     "report: other: kernel log: other: a warning\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

TEST(dry_run_and_already_loaded)
{
	struct lkm_ctx *ctx = fresh("dry");
	struct lkm_report *rep;

	put(proc_of(ctx), "filesystems", "\text4\n");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	/* Nothing is snapshotted for these: a change meanwhile is nobody's. */
	append(proc_of(ctx), "filesystems", "\tvfat\n");
	CHECK_INT(lkm_report_step(rep, "fat", NULL, LKM_REPORT_DRY_RUN), ==, 0);
	CHECK_INT(lkm_report_step(rep, "vfat", NULL, LKM_REPORT_WAS_LOADED), ==, 0);
	CHECK_INT(module(rep, "fat") ? module(rep, "fat")->n_items : 99, ==, 0);
	CHECK_STR(show(rep), "report: fat: would be loaded; nothing registered (dry run: "
			     "nothing was loaded)\n"
			     "report: vfat: already in the kernel; not loaded by this run\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

/* modprobe's ops->step_done: which steps of a load are filed, and in which state. */
TEST(step_done_files_loads_only)
{
	struct lkm_ctx *ctx = fresh("step-done");
	char vfat[] = "vfat", snd[] = "snd", ext4[] = "ext4", gone[] = "gone";
	char msdos[] = "msdos", broken[] = "broken", fat[] = "fat";
	struct lkm_load_step insmod = { .action = LKM_STEP_INSMOD, .name = vfat };
	struct lkm_load_step install = { .action = LKM_STEP_INSTALL, .name = snd };
	struct lkm_load_step builtin = { .action = LKM_STEP_BUILTIN, .name = ext4 };
	struct lkm_load_step missing = { .action = LKM_STEP_MISSING, .name = gone };
	struct lkm_load_step rmmod = { .action = LKM_STEP_RMMOD, .name = msdos };
	struct lkm_load_step failed = { .action = LKM_STEP_INSMOD, .name = broken };
	struct lkm_load_step dry = { .action = LKM_STEP_INSMOD, .name = fat };
	struct lkm_report *rep;
	size_t n = 0;

	put(proc_of(ctx), "filesystems", "\text4\n");
	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	append(proc_of(ctx), "filesystems", "\tvfat\n");
	CHECK_INT(lkm_report_step_done(rep, &insmod, 0, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &install, 0, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &builtin, 0, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &missing, 0, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &rmmod, 0, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &failed, -ENOEXEC, 0), ==, 0);
	CHECK_INT(lkm_report_step_done(rep, &dry, 0, LKM_PROBE_DRY_RUN), ==, 0);
	CHECK(lkm_report_get_modules(rep, &n) != NULL);
	CHECK_INT(n, ==, 3);
	CHECK(module(rep, "vfat") && module(rep, "vfat")->state == LKM_REPORT_LOADED);
	CHECK_INT(count_kind(module(rep, "vfat"), LKM_REPORT_FILESYSTEM), ==, 1);
	CHECK(module(rep, "snd") && module(rep, "snd")->state == LKM_REPORT_LOADED);
	CHECK(module(rep, "fat") && module(rep, "fat")->state == LKM_REPORT_DRY_RUN);
	CHECK(!module(rep, "ext4") && !module(rep, "gone") && !module(rep, "msdos"));
	CHECK(!module(rep, "broken"));
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

/* No /proc files, no /sys/bus, no log: an empty state, and still a report. */
TEST(empty_tree)
{
	struct lkm_ctx *ctx = fresh("empty");
	struct lkm_report *rep;
	size_t n = 9;

	CHECK_INT(lkm_report_new(ctx, &rep), ==, 0);
	CHECK_INT(lkm_report_step(rep, "x", NULL, LKM_REPORT_LOADED), ==, 0);
	CHECK(lkm_report_get_modules(rep, &n) != NULL);
	CHECK_INT(n, ==, 1);
	CHECK_STR(show(rep), "report: x: registered nothing (not a driver)\n");
	lkm_report_free(rep);
	lkm_ctx_unref(ctx);
}

int main(void)
{
	fixture_tmpdir(root, sizeof(root), "report");
	return test_run_all();
}
