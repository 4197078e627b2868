# SPDX-License-Identifier: LGPL-2.1-or-later
# Init failures: -EIO (its name, its meaning and the module's own log lines), and a
# positive return (the module stays loaded; the kernel only warns, and so does lkm).
# An init errno is the module's own: -ENODEV (no device), -ENOENT from request_firmware()
# (the missing firmware and where the kernel looked, not an unknown symbol), -EBUSY on
# the I/O port 0x60, which x86 kernels reserve as "keyboard" (its holder, from
# /proc/ioports).
# expect: eio.rc=1
# expect: positive.rc=0
# expect: table.eio=*lkm_init_eio was accepted, but its init function failed with EIO (Input/output error)*kernel: lkm_init_eio*
# expect: table.positive=*lkm_init_positive was loaded, but its init function returned 42*
# expect: enodev.rc=1
# expect: table.enodev=*lkm_init_enodev was accepted, but its init function failed with ENODEV (No such device): the driver found no device it can drive*kernel: lkm_init_enodev: no device found*
# expect: firmware.rc=1
# expect: firmware.klog=yes
# expect: table.firmware=*lkm_firmware was accepted, but its init function failed with ENOENT (No such file or directory): its firmware file lkm-test/missing.bin is missing*the kernel looked for lkm-test/missing.bin in /lib/firmware/updates/*, /lib/firmware/updates, /lib/firmware/* or /lib/firmware (*firmware_class.path*kernel: *Direct firmware load for lkm-test/missing.bin failed with error -2*
# expect: ebusy.rc=1
# expect: table.ebusy=*lkm_init_ebusy was accepted, but its init function failed with EBUSY (Device or resource busy): a resource it needs is taken by another driver*0x60 is held by keyboard (/proc/ioports: 0060-0060 : keyboard)*kernel: lkm_init_ebusy: I/O port 0x60 is busy*
# kmod-bug: terse table.eio kmod says only "Input/output error"
# kmod-bug: terse table.positive kmod says nothing about the kernel's warning
# kmod-bug: terse table.enodev kmod says only "No such device"
# kmod-bug: terse table.firmware kmod says "Unknown symbol in module", though the init failed over a missing firmware file
# kmod-bug: terse table.ebusy kmod says only "Device or resource busy"
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
diag eio $TOOLS/insmod $EXTRA/lkm_init_eio$KO
diag positive $TOOLS/insmod $EXTRA/lkm_init_positive$KO
diag enodev $TOOLS/insmod $EXTRA/lkm_init_enodev$KO
diag firmware $TOOLS/insmod $EXTRA/lkm_firmware$KO
klog firmware.klog 'Direct firmware load for lkm-test/missing.bin failed with error -2'
diag ebusy $TOOLS/insmod $EXTRA/lkm_init_ebusy$KO
