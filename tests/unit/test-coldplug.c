// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * coldplug.c on the module tree of test-resolve.c, with modaliases of its own and a
 * /sys/devices tree built here. Loads go through lkm_load_module() with a fake
 * finit_module that marks the module live in the fixture /sys and, as a driver that
 * binds would, gives devices their driver link and adds the devices the driver makes.
 */
#define LKM_FIXTURE_ONLY
#include "test-resolve.c"

#include <time.h>

static char calls[1024];

static void record(const char *name)
{
	size_t len = strlen(calls);

	snprintf(calls + len, sizeof(calls) - len, "%s%s", len ? "," : "", name);
}

/* A device directory below sys/devices with @modalias (NULL: none). */
static void fx_device(const char *dev, const char *modalias)
{
	char rel[512], text[512];

	snprintf(rel, sizeof(rel), "sys/devices/%s", dev);
	fx_mkdirs(rel);
	if (!modalias)
		return;
	snprintf(rel, sizeof(rel), "sys/devices/%s/modalias", dev);
	snprintf(text, sizeof(text), "%s\n", modalias);
	fx_put(rel, text);
}

static void fx_attr(const char *dev, const char *attr, const char *value)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "sys/devices/%s/%s", dev, attr);
	fx_put(rel, value);
}

/* @dev's driver link, as the kernel makes it: into sys/bus/BUS/drivers/DRIVER. */
static void fx_bind(const char *dev, const char *driver)
{
	char rel[256], link[1024], target[1024];

	snprintf(rel, sizeof(rel), "sys/bus/x/drivers/%s", driver);
	fx_mkdirs(rel);
	fx_path(target, sizeof(target), rel);
	snprintf(rel, sizeof(rel), "sys/devices/%s/driver", dev);
	fx_path(link, sizeof(link), rel);
	if (symlink(target, link) != 0) {
		perror(link);
		exit(2);
	}
}

#define PCI1 "pci:v00001111d00000001sv00000000sd00000000bc02sc00i00"
#define PCI2 "pci:v00002222d00000002sv00000000sd00000000bc02sc00i00"
#define PCI3 "pci:v00002222d00000003sv00000000sd00000000bc02sc00i00"
#define USB1 "usb:v3333p4444d0100dc00dsc00dp00ic03isc01ip02in00"
#define VIRTIO7 "virtio:d00000007v00001AF4"

/*
 * The tree's modaliases: PCI1 is a's (which needs b and c), PCI2 d's and e's, PCI3 d's,
 * USB1 f's, VIRTIO7 s1's, platform:blk s2's (blacklisted); platform:nothing no one's.
 * Devices: PCI1 twice, PCI2, PCI3, the USB interface behind 0000:00:05.0 (its ids only
 * in the modalias), platform blk, nothing and bound (driver bound already), and one
 * with an empty modalias. A link to sys/bus, which holds a modalias of its own, must
 * not be followed.
 */
static void fx_coldplug_tree(void)
{
	fx_setup();
	fx_index("modules.alias.bin", "pci:v00001111d* a\npci:v00002222d* d\n"
				      "pci:v00002222d00000002* e\nusb:v3333p* f\n"
				      "virtio:d00000007v* s1\nplatform:blk s2\n");
	fx_put("conf/bl.conf", "blacklist s2\n");
	fx_device("pci0000:00/0000:00:01.0", PCI1);
	fx_attr("pci0000:00/0000:00:01.0", "vendor", "0x1111\n");
	fx_attr("pci0000:00/0000:00:01.0", "device", "0x0001\n");
	fx_device("pci0000:00/0000:00:02.0", PCI1);
	fx_device("pci0000:00/0000:00:03.0", PCI2);
	fx_device("pci0000:00/0000:00:04.0", PCI3);
	fx_device("pci0000:00/0000:00:05.0/usb1/1-1/1-1:1.0", USB1);
	fx_device("platform/blk", "platform:blk");
	fx_device("platform/nothing", "platform:nothing");
	fx_device("platform/bound", "platform:bound");
	fx_bind("platform/bound", "boundy");
	fx_device("platform/empty", "");
	fx_device("pci0000:00", NULL);
	fx_put("sys/bus/x/devices/ghost/modalias", "platform:ghost\n");
	{
		char link[1024], target[1024];

		fx_path(target, sizeof(target), "sys/bus");
		fx_path(link, sizeof(link), "sys/devices/pci0000:00/0000:00:01.0/subsystem");
		if (symlink(target, link) != 0)
			exit(2);
	}
}

/* The fake driver a: binds both PCI1 devices, and the first gets a virtio child. */
static long fake_finit(int fd, const char *params, int flags)
{
	char name[LKM_NAME_MAX], rel[LKM_NAME_MAX + 32];

	(void)params;
	(void)flags;
	if (fx_fd_module_name(fd, name, sizeof(name)) < 0)
		return -1;
	record(name);
	snprintf(rel, sizeof(rel), "sys/module/%s/initstate", name);
	fx_put(rel, "live\n");
	if (strcmp(name, "a") == 0) {
		fx_bind("pci0000:00/0000:00:01.0", "a");
		fx_bind("pci0000:00/0000:00:02.0", "a");
		fx_device("pci0000:00/0000:00:01.0/virtio7", VIRTIO7);
	} else if (strcmp(name, "s1") == 0)
		fx_bind("pci0000:00/0000:00:01.0/virtio7", "s1");
	return 0;
}

static long fake_init(const void *image, unsigned long len, const char *params)
{
	(void)image, (void)len, (void)params;
	record("init_module?");
	return 0;
}

static long fake_delete(const char *name, unsigned int flags)
{
	(void)name, (void)flags;
	record("delete_module?");
	return 0;
}

static const struct lkm_syscalls fake = {
	.finit_module = fake_finit, .init_module = fake_init, .delete_module = fake_delete,
};

struct env {
	struct lkm_ctx *ctx;
	struct lkm_config *cfg;
	struct lkm_coldplug_plan plan;
	char rounds[256]; /* each round's batch: "a b c|d e" */
};

static void env_open(struct env *e)
{
	calls[0] = '\0';
	fx_coldplug_tree();
	e->ctx = fx_ctx(&fake);
	e->cfg = fx_config(e->ctx);
	memset(&e->plan, 0, sizeof(e->plan));
	e->rounds[0] = '\0';
}

static void env_close(struct env *e)
{
	lkm_coldplug_plan_release(&e->plan);
	lkm_config_free(e->cfg);
	lkm_ctx_unref(e->ctx);
	fx_teardown();
}

/* modprobe's load of each module of the round, as tools/coldplug.c does it. */
static int load(void *data, const struct lkm_resolved *modules, size_t count)
{
	struct env *e = data;
	size_t i, len = strlen(e->rounds);
	int r, err = 0;

	if (len)
		snprintf(e->rounds + len, sizeof(e->rounds) - len, "|");
	for (i = 0; i < count; i++) {
		const struct lkm_load_ops ops = { 0 };
		struct lkm_err why = { 0 };

		len = strlen(e->rounds);
		snprintf(e->rounds + len, sizeof(e->rounds) - len, "%s%s",
			 i ? " " : "", modules[i].name);
		r = lkm_load_module(e->ctx, e->cfg, &modules[i], 0, NULL, &ops, NULL, &why);
		if (r < 0)
			err = r;
	}
	return err;
}

static const struct lkm_coldplug_device *device(const struct lkm_coldplug_plan *p,
						const char *path)
{
	size_t i;

	for (i = 0; i < p->n_devices; i++)
		if (strcmp(p->devices[i].path, path) == 0)
			return &p->devices[i];
	return NULL;
}

static void modules_text(const struct lkm_resolved *m, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", m[i].name);
}

TEST(scan_finds_devices_by_path_with_ids_drivers_and_no_links)
{
	struct lkm_coldplug_device *d;
	struct lkm_ctx *ctx;
	char paths[1024] = "";
	size_t i, n;

	fx_coldplug_tree();
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_coldplug_scan(ctx, &d, &n, NULL), ==, 0);
	for (i = 0; i < n; i++)
		snprintf(paths + strlen(paths), sizeof(paths) - strlen(paths), "%s%s",
			 i ? "\n" : "", d[i].path);
	/* Sorted; no empty modalias, no pci0000:00 (none), nothing through subsystem. */
	CHECK_STR(paths, "devices/pci0000:00/0000:00:01.0\n"
			 "devices/pci0000:00/0000:00:02.0\n"
			 "devices/pci0000:00/0000:00:03.0\n"
			 "devices/pci0000:00/0000:00:04.0\n"
			 "devices/pci0000:00/0000:00:05.0/usb1/1-1/1-1:1.0\n"
			 "devices/platform/blk\n"
			 "devices/platform/bound\n"
			 "devices/platform/nothing");
	CHECK_INT(n, ==, 8);
	if (n == 8) {
		CHECK_STR(d[0].modalias, PCI1);
		CHECK_STR(d[0].vendor, "0x1111"); /* the files */
		CHECK_STR(d[0].device, "0x0001");
		CHECK_STR(d[2].vendor, "0x2222"); /* the modalias */
		CHECK_STR(d[2].device, "0x0002");
		CHECK_STR(d[4].vendor, "0x3333"); /* usb: v and p */
		CHECK_STR(d[4].device, "0x4444");
		CHECK(d[5].vendor == NULL && d[5].device == NULL); /* platform: no ids */
		CHECK_STR(d[6].driver, "boundy");
		CHECK(d[0].driver == NULL && d[7].driver == NULL);
	}
	lkm_coldplug_devices_free(d, n);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(scan_without_sys_devices_names_it)
{
	struct lkm_coldplug_device *d;
	struct lkm_err err = { 0 };
	struct lkm_ctx *ctx;
	size_t n;

	fx_setup();
	ctx = fx_ctx(NULL);
	CHECK_INT(lkm_coldplug_scan(ctx, &d, &n, &err), ==, -ENOENT);
	CHECK(strstr(err.why, "/sys/devices: ") != NULL);
	CHECK(d == NULL && n == 0);
	lkm_ctx_unref(ctx);
	fx_teardown();
}

TEST(plan_dedupes_modaliases_and_modules_and_keeps_blacklisted_out)
{
	struct env e;
	char text[256];
	size_t i;

	env_open(&e);
	CHECK_INT(lkm_coldplug_plan_scan(e.ctx, e.cfg, &e.plan, NULL), ==, 4);
	/* Seven distinct modaliases in the order of the devices; PCI1 once for two. */
	CHECK_INT(e.plan.n_aliases, ==, 7);
	CHECK_INT(e.plan.n_devices, ==, 8);
	if (e.plan.n_aliases == 7) {
		CHECK_STR(e.plan.aliases[0].modalias, PCI1);
		CHECK_STR(e.plan.aliases[1].modalias, PCI2);
		modules_text(e.plan.aliases[1].modules, e.plan.aliases[1].n_modules, text,
			     sizeof(text));
		CHECK_STR(text, "e d"); /* the lookup's order, as modprobe's */
		CHECK_STR(e.plan.aliases[4].modalias, "platform:blk");
		/* The blacklisted module still matches its device... */
		modules_text(e.plan.aliases[4].modules, e.plan.aliases[4].n_modules, text,
			     sizeof(text));
		CHECK_STR(text, "s2");
		CHECK_STR(e.plan.aliases[6].modalias, "platform:nothing");
		CHECK_INT(e.plan.aliases[6].n_modules, ==, 0);
		for (i = 0; i < 7; i++)
			CHECK_INT(e.plan.aliases[i].round, ==, 0);
	}
	if (e.plan.n_devices == 8) {
		CHECK_INT(e.plan.devices[0].alias, ==, 0);
		CHECK_INT(e.plan.devices[1].alias, ==, 0);
		CHECK_INT(e.plan.devices[7].alias, ==, 6);
	}
	/* ...but does not load; d, matched by PCI2 and PCI3, loads once. */
	modules_text(e.plan.loads, e.plan.n_loads, text, sizeof(text));
	CHECK_STR(text, "a e d f");
	/* An alias-reached module: modprobe applies the blacklist and alias options. */
	CHECK(e.plan.n_loads && e.plan.loads[0].alias != NULL);
	CHECK_INT(e.plan.n_loaded, ==, 0);
	CHECK_STR(calls, "");
	/* The same tree again: nothing new. */
	CHECK_INT(lkm_coldplug_plan_scan(e.ctx, e.cfg, &e.plan, NULL), ==, 0);
	CHECK_INT(e.plan.n_aliases, ==, 7);
	CHECK_INT(e.plan.rounds, ==, 2);
	env_close(&e);
}

TEST(run_loads_in_order_rescans_for_new_devices_and_sees_them_bound)
{
	const struct lkm_coldplug_device *d;
	struct env e;
	struct lkm_coldplug_ops ops = { .load = load, .data = &e, .max_rounds = 5 };

	env_open(&e);
	CHECK_INT(lkm_coldplug_run(e.ctx, e.cfg, &e.plan, &ops, NULL), ==, 0);
	/* Round 1: the first devices' modules; a's driver made virtio7: round 2 s1. */
	CHECK_STR(e.rounds, "a e d f|s1");
	/* modprobe's order: a's dependencies first, and each module once. */
	CHECK_STR(calls, "c,b,a,e,d,f,s1");
	CHECK_INT(e.plan.rounds, ==, 3);
	CHECK_INT(e.plan.n_loaded, ==, 5);
	CHECK_INT(e.plan.n_loads, ==, 5);
	d = device(&e.plan, "devices/pci0000:00/0000:00:01.0/virtio7");
	CHECK(d && d->driver && strcmp(d->driver, "s1") == 0);
	CHECK_INT(e.plan.aliases[d ? d->alias : 0].round, ==, 1);
	d = device(&e.plan, "devices/pci0000:00/0000:00:02.0");
	CHECK(d && d->driver && strcmp(d->driver, "a") == 0);
	/* Nothing in this fake binds d, e, f: those stay without a driver. */
	d = device(&e.plan, "devices/pci0000:00/0000:00:03.0");
	CHECK(d && d->driver == NULL);
	env_close(&e);
}

TEST(run_stops_after_max_rounds_and_rescans_for_the_report)
{
	const struct lkm_coldplug_device *d;
	struct env e;
	struct lkm_coldplug_ops ops = { .load = load, .data = &e, .max_rounds = 1 };

	env_open(&e);
	CHECK_INT(lkm_coldplug_run(e.ctx, e.cfg, &e.plan, &ops, NULL), ==, 0);
	CHECK_STR(e.rounds, "a e d f");
	/* virtio7 was found by the last scan, its module queued but never loaded. */
	CHECK_INT(e.plan.n_loaded, ==, 4);
	CHECK_INT(e.plan.n_loads, ==, 5);
	d = device(&e.plan, "devices/pci0000:00/0000:00:01.0/virtio7");
	CHECK(d && d->driver == NULL);
	d = device(&e.plan, "devices/pci0000:00/0000:00:01.0");
	CHECK(d && d->driver && strcmp(d->driver, "a") == 0);
	env_close(&e);
}

TEST(run_without_load_scans_once_and_loads_nothing)
{
	struct env e;
	struct lkm_coldplug_ops ops = { .load = NULL, .max_rounds = 5 };

	env_open(&e);
	CHECK_INT(lkm_coldplug_run(e.ctx, e.cfg, &e.plan, &ops, NULL), ==, 0);
	CHECK_INT(e.plan.rounds, ==, 1);
	CHECK_INT(e.plan.n_loads, ==, 4);
	CHECK_INT(e.plan.n_loaded, ==, 0);
	CHECK_STR(calls, "");
	env_close(&e);
}

TEST(run_reports_a_failed_load_and_goes_on)
{
	struct env e;
	struct lkm_coldplug_ops ops = { .load = load, .data = &e, .max_rounds = 5 };
	char rel[512];

	env_open(&e);
	/* d's file gone: its load fails (-ENOENT), the others still load. */
	fx_path(rel, sizeof(rel), "mod/kernel/d.ko");
	CHECK_INT(unlink(rel), ==, 0);
	CHECK_INT(lkm_coldplug_run(e.ctx, e.cfg, &e.plan, &ops, NULL), <, 0);
	CHECK_STR(calls, "c,b,a,e,f,s1");
	CHECK_STR(e.rounds, "a e d f|s1");
	env_close(&e);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Two rounds (a's driver adds virtio7), each followed by a settle of @quiet/@max ms. */
static long run_settled(unsigned quiet, unsigned max)
{
	struct env e;
	struct lkm_coldplug_ops ops = { .load = load, .data = &e, .max_rounds = 5,
					.settle_quiet_ms = quiet, .settle_max_ms = max };
	struct timespec t0;
	long ms;

	env_open(&e);
	fx_put("sys/kernel/uevent_seqnum", "1234\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(lkm_coldplug_run(e.ctx, e.cfg, &e.plan, &ops, NULL), ==, 0);
	ms = elapsed_ms(&t0);
	CHECK_STR(e.rounds, "a e d f|s1");
	env_close(&e);
	return ms;
}

TEST(settle_waits_for_quiet_uevents_and_no_longer_than_its_bound)
{
	long ms;

	/* The seqnum stays: each settle ends after the quiet time. */
	ms = run_settled(150, 5000);
	CHECK_INT(ms, >=, 300);
	CHECK_INT(ms, <, 3000);
	/* A quiet time longer than the bound: the bound ends it. */
	ms = run_settled(60000, 200);
	CHECK_INT(ms, >=, 400);
	CHECK_INT(ms, <, 5000);
}

TEST(broken_alias_index_fails_the_scan_naming_it)
{
	struct env e;
	struct lkm_err err = { 0 };

	env_open(&e);
	fx_put("mod/modules.alias.bin", "not an index");
	CHECK_INT(lkm_coldplug_plan_scan(e.ctx, e.cfg, &e.plan, &err), <, 0);
	CHECK(strstr(err.why, "modules.alias.bin") != NULL);
	CHECK_INT(e.plan.n_devices, ==, 0);
	env_close(&e);
}

TEST_MAIN()
