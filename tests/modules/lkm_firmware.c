// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A driver whose firmware file is missing: init registers a platform device, asks
 * request_firmware() for lkm-test/missing.bin (which no test system has) and fails with
 * its error, -ENOENT, as drivers that load their firmware in probe or init do.
 */
#include <linux/firmware.h>
#include <linux/module.h>
#include <linux/platform_device.h>

static int __init lkm_firmware_init(void)
{
	struct platform_device *pdev;
	const struct firmware *fw;
	int err;

	pdev = platform_device_register_simple("lkm_firmware", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	err = request_firmware(&fw, "lkm-test/missing.bin", &pdev->dev);
	if (err == 0)
		release_firmware(fw);
	platform_device_unregister(pdev);
	return err ? err : -EEXIST;
}

module_init(lkm_firmware_init);
MODULE_LICENSE("GPL");
MODULE_FIRMWARE("lkm-test/missing.bin");
MODULE_DESCRIPTION("lkm test: init fails because its firmware file is missing");
