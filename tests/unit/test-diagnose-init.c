// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * diagnose-init.c and diagnose-resources.c: an init function's errno in words, never
 * taken for a load step unless the kernel's log says so; a missing firmware file with
 * where the kernel looked; the driver holding a busy I/O port, memory range or IRQ, from
 * fixture /proc files.
 */
#include <unistd.h>

#include "elf-fixture.h"
#include "diagnose-internal.h"
#include "fixture.h"
#include "test.h"
#include "diagnose-fixture.h"

#define KVER "6.1.0-fix"

static char ko[512];

static void put(const char *rel, const char *text)
{
	dfx_put(rel, text);
}

/* A fresh tree and the module drv.ko, which needs nothing. */
static struct lkm_ctx *fixture(void)
{
	static const char modinfo[] = "license=GPL\0name=drv";
	struct fx_module_spec spec = {
		.is64 = true, .machine = 62, .name = "drv", .modinfo = modinfo,
		.modinfo_len = sizeof(modinfo),
	};
	struct fx_image img;

	dfx_fresh_tree();
	put("proc/modules", "");
	put("proc/kallsyms", "ffffffff81000000 T _printk\n");
	put("proc/ioports", "0000-0cf7 : PCI Bus 0000:00\n"
			    "  0000-001f : dma1\n"
			    "  0060-0060 : keyboard\n"
			    "  0064-0064 : keyboard\n"
			    "  03f8-03ff : serial\n");
	put("proc/iomem", "00000000-00000fff : Reserved\n"
			  "fed00000-fed003ff : HPET 0\n"
			  "  fed00000-fed003ff : PNP0103:00\n");
	put("proc/interrupts", "           CPU0       \n"
			       "  0:         45   IO-APIC   2-edge      timer\n"
			       "  4:         12   IO-APIC   4-edge      ttyS0\n"
			       " 11:          0   IO-APIC  11-fasteoi   uhci_hcd:usb1, virtio0\n"
			       "NMI:          0   Non-maskable interrupts\n");
	fixture_mkdirs(dfx_root, "sys/module");
	put("kmsg", "");
	img = fx_module(&spec);
	fixture_write(dfx_root, "drv.ko", img.data, img.size, "w");
	free(img.data);
	snprintf(ko, sizeof(ko), "%s/drv.ko", dfx_root);
	return dfx_ctx_new(KVER);
}

static void diagnose(struct lkm_ctx *ctx, int error, const char *records, struct lkm_diagnosis *d)
{
	dfx_diagnose_load(ctx, ko, error, records, d);
	CHECK_INT(d->code, ==, error);
}

#define FW_RECORD "4,8,700,-;drv drv: Direct firmware load for vendor/drv.bin failed with error -2\n"

TEST(missing_firmware_names_the_file_and_where_the_kernel_looked)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;
	char where[2048];

	diagnose(ctx, -ENOENT, FW_RECORD, &d);
	HAS(d.first, "drv was accepted, but its init function failed with ENOENT (No such file "
		     "or directory): its firmware file vendor/drv.bin is missing");
	snprintf(where, sizeof(where), "the kernel looked for vendor/drv.bin in %s/lib/firmware/"
		 "updates/" KVER ", %s/lib/firmware/updates, %s/lib/firmware/" KVER " or "
		 "%s/lib/firmware", dfx_root, dfx_root, dfx_root, dfx_root);
	HAS(d.detail, where);
	HAS(d.detail, "firmware_class.path");
	HAS(d.detail, "is not set");
	HAS(d.detail, "install the firmware");
	HAS(d.detail, "kernel: drv drv: Direct firmware load for vendor/drv.bin failed");
	HASNT(d.first, "symbol");
	HASNT(d.detail, "symbol");
	lkm_diagnosis_release(&d);

	/* firmware_class.path comes first; a file there now is named. */
	put("sys/module/firmware_class/parameters/path", "/opt/fw\n");
	diagnose(ctx, -ENOENT, FW_RECORD, &d);
	HAS(d.detail, "in /opt/fw, ");
	HAS(d.detail, "firmware_class.path (");
	HAS(d.detail, "parameters/path) is /opt/fw");
	lkm_diagnosis_release(&d);
	put("lib/firmware/" KVER "/vendor/drv.bin", "x");
	diagnose(ctx, -ENOENT, FW_RECORD, &d);
	HAS(d.detail, "/lib/firmware/" KVER "/vendor/drv.bin is there now");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(enoent_from_init_is_not_an_unknown_symbol)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	diagnose(ctx, -ENOENT, "3,9,800,-;drv: no table in /etc/drv.conf\n", &d);
	HAS(d.first, "drv was accepted, but its init function failed with ENOENT (No such file "
		     "or directory): something it looked for does not exist");
	HAS(d.detail, "kernel: drv: no table in /etc/drv.conf");
	HASNT(d.first, "symbol");
	HASNT(d.detail, "firmware");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(errnos_drivers_return_are_put_in_words)
{
	static const struct {
		int e;
		const char *words;
	} cases[] = {
		{ ENODEV, "failed with ENODEV (No such device): the driver found no device it "
			  "can drive" },
		{ ENXIO, "failed with ENXIO (No such device or address): the driver found no "
			 "device it can drive" },
		{ ETIMEDOUT, "failed with ETIMEDOUT (Connection timed out): its device did not "
			     "answer in time" },
		{ DIAG_EPROBE_DEFER, "failed with EPROBE_DEFER (probe deferred): it waits for "
				     "another driver or a resource that is not ready yet" },
		{ ENOMEM, "failed with ENOMEM (Cannot allocate memory): a memory allocation "
			  "failed" },
		{ EINVAL, "failed with EINVAL (Invalid argument): it rejected an argument, a "
			  "parameter value or what it found" },
	};
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		diagnose(ctx, -cases[i].e, "3,9,800,-;drv: giving up\n", &d);
		HAS(d.first, "drv was accepted, but its init function ");
		HAS(d.first, cases[i].words);
		HAS(d.detail, "kernel: drv: giving up");
		lkm_diagnosis_release(&d);
	}
	diagnose(ctx, -DIAG_EPROBE_DEFER, "", &d);
	HAS(d.detail, "load the modules it depends on");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(load_step_records_keep_their_diagnosis)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;

	/* The kernel's log names a load step: not init's. */
	diagnose(ctx, -EINVAL, "3,9,800,-;drv: `x' invalid for parameter `mode'\n", &d);
	HAS(d.first, "drv rejected the value 'x' of its parameter 'mode'");
	HASNT(d.first, "init function");
	lkm_diagnosis_release(&d);
	diagnose(ctx, -ENOENT, "4,9,800,-;drv: Unknown symbol nobody_has (err -2)\n", &d);
	HAS(d.first, "drv needs a symbol that neither the kernel nor a loaded module exports: "
		     "nobody_has");
	lkm_diagnosis_release(&d);
	/* No log at all: EINVAL stays the kernel's refusal, not a guess about init. */
	diagnose(ctx, -EINVAL, "", &d);
	HAS(d.first, "the kernel refused drv: Invalid argument");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

TEST(busy_names_the_driver_holding_the_resource)
{
	struct lkm_ctx *ctx = fixture();
	struct lkm_diagnosis d;
	char owner[64], where[256];

	diagnose(ctx, -EBUSY, "3,9,800,-;drv: I/O port 0x60 is busy\n", &d);
	HAS(d.first, "drv was accepted, but its init function failed with EBUSY (Device or "
		     "resource busy): a resource it needs is taken by another driver");
	HAS(d.detail, "0x60 is held by keyboard (");
	HAS(d.detail, "/proc/ioports: 0060-0060 : keyboard)");
	HAS(d.detail, "kernel: drv: I/O port 0x60 is busy");
	lkm_diagnosis_release(&d);

	diagnose(ctx, -EBUSY, "3,9,800,-;drv: cannot map 0xfed00000\n", &d);
	HAS(d.detail, "0xfed00000 is held by PNP0103:00 (");
	lkm_diagnosis_release(&d);

	diagnose(ctx, -EBUSY, "3,9,800,-;drv: request for IRQ 4 failed\n", &d);
	HAS(d.detail, "IRQ 4 is held by ttyS0 (");
	lkm_diagnosis_release(&d);

	diagnose(ctx, -EBUSY, "3,9,800,-;drv: busy\n", &d);
	HAS(d.detail, "its messages name no resource another driver holds");
	HAS(d.detail, "/proc/ioports, ");
	lkm_diagnosis_release(&d);

	CHECK_INT(diag_irq_owner(ctx, 11, owner, sizeof(owner)), ==, 0);
	CHECK_STR(owner, "uhci_hcd:usb1, virtio0");
	CHECK_INT(diag_irq_owner(ctx, 7, owner, sizeof(owner)), ==, -ENOENT);
	CHECK_INT(diag_resource_owner(ctx, 0x3f9, owner, sizeof(owner), where, sizeof(where)),
		  ==, 0);
	CHECK_STR(owner, "serial");
	CHECK_INT(diag_resource_owner(ctx, 0x20000000, owner, sizeof(owner), where,
				      sizeof(where)), ==, -ENOENT);

	/* The module is still being loaded: that EBUSY is the loader's. */
	put("sys/module/drv/initstate", "coming\n");
	diagnose(ctx, -EBUSY, "3,9,800,-;drv: I/O port 0x60 is busy\n", &d);
	HASNT(d.first, "init function failed");
	lkm_diagnosis_release(&d);
	lkm_ctx_unref(ctx);
}

__attribute__((constructor(101))) static void setup(void)
{
	dfx_setup("diagnose-init");
}

TEST_MAIN()
