#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot one image of the whole-system test under qemu (TCG) until its report unit powers
# it off:
#   boot.sh ROOT IMAGE KVER OUTDIR
# ROOT is the image's tree (its /boot gives -kernel and -initrd), IMAGE its ext4 disk.
# The serial console goes to OUTDIR/console.txt, the report (ttyS1) to OUTDIR/report.txt.
# Every device but the 8250 serial ports has a driver that Debian builds as a module: the
# root disk (virtio-blk; ext4 is a module too, so the initramfs must load both), a NIC,
# virtio rng and balloon, a sound card, a watchdog, USB with a tablet, an AHCI
# controller with a small disk.
# Environment: LKM_SYSTEM_TIMEOUT (seconds, default 900), LKM_SYSTEM_SMP (default 1),
# LKM_SYSTEM_QEMU (more qemu options), LKM_SYSTEM_APPEND (more kernel command line).
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: boot.sh ROOT IMAGE KVER OUTDIR" >&2; exit 2; }
root=$1 img=$2 kver=$3 out=$4
mkdir -p "$out"
rm -f "$out/console.txt" "$out/report.txt"
truncate -s 16M "$out/ahci-disk.img"
# panic=5 with -no-reboot: a failing initramfs ends qemu instead of waiting at a shell.
# shellcheck disable=SC2086
timeout "${LKM_SYSTEM_TIMEOUT:-900}" qemu-system-x86_64 \
	-machine pc -accel tcg -smp "${LKM_SYSTEM_SMP:-1}" -m 1024 \
	-display none -monitor none -no-reboot \
	-kernel "$root/boot/vmlinuz-$kver" -initrd "$root/boot/initrd.img-$kver" \
	-append "root=/dev/vda rw console=ttyS0 panic=5 ${LKM_SYSTEM_APPEND:-}" \
	-serial "file:$out/console.txt" -serial "file:$out/report.txt" \
	-drive "file=$img,if=virtio,format=raw" \
	-nic user,model=e1000,restrict=on \
	-device virtio-rng-pci -device virtio-balloon-pci \
	-device intel-hda -device hda-duplex \
	-device i6300esb \
	-device qemu-xhci -device usb-tablet \
	-device ahci,id=ahci0 -drive "file=$out/ahci-disk.img,if=none,id=disk2,format=raw" \
	-device ide-hd,drive=disk2,bus=ahci0.0 \
	${LKM_SYSTEM_QEMU:-}
