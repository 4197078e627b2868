# SPDX-License-Identifier: LGPL-2.1-or-later
# lkm's modprobe --coldplug (no udev) against udev's coldplug, the oracle. kmod's modprobe
# has no --coldplug, so kmod's run is udev's coldplug with kmod's libkmod, as in
# consumer-udev (systemd-udevd --daemon, udevadm trigger of subsystems and devices,
# settle, then until the module list stays the same), and lkm's run is
# "modprobe --coldplug" alone; the module lists they leave are compared as facts.
# The devices are consumer-udev's: drivers that bind add devices of their own (virtio_pci's
# virtio devices on 6.1, the USB tablet behind ehci-pci, its HID device, the input
# devices evdev takes), which --coldplug finds by scanning again after each round.
# modprobe.d: an option (e1000), a blacklist (pcspkr: udev applies it to aliases), a
# softdep (dummy before virtio_net) and an install command (virtio_balloon), which udev's
# libkmod and modprobe both honour. lkm's run first prints the plan with -n, which must
# load nothing; its coldplug must have scanned more than once (the devices that drivers
# add are found only so).
# boot: own
# consumers: systemd
# modules: virtio_pci e1000 virtio_net virtio-rng virtio_balloon snd-hda-intel ehci-pci usbhid
# modules: hid-generic i2c-piix4 qemu_fw_cfg evdev button pcspkr dummy
# qemu: -device e1000 -device virtio-net-pci -device virtio-rng-pci -device virtio-balloon-pci
# qemu: -audiodev none,id=snd0 -device intel-hda -device hda-duplex,audiodev=snd0
# qemu: -device usb-ehci,id=ehci -device usb-tablet,bus=ehci.0
# expect: coldplug.rc=0
# expect: modules=?*
# expect: drivers.enough=yes
# expect: e1000=yes
# expect: copybreak=128
# expect: virtio_net=yes
# expect: dummy=yes
# expect: virtio_balloon=yes
# expect: install.ran=yes
# expect: usbhid=yes
# expect: hid_generic=yes
# expect: evdev=yes
# expect: pcspkr=no
# expect-kmod: udevd.maps=/kmod/lib/libkmod.so.2
# expect-lkm: plan.rc=0
# expect-lkm: plan.loaded=
# expect-lkm: plan.lines=*e1000*
# expect-lkm: plan.lines=*pcspkr(blacklisted)*
# expect-lkm: unbound.lines=*unbound /sys/devices/*
# expect-lkm: coldplug.err=*modules in ? scans*
# expect-lkm: rescanned=yes
rm -f /tmp/scenario/install.log
cat >/etc/modprobe.d/coldplug.conf <<EOC
options e1000 copybreak=128
blacklist pcspkr
softdep virtio_net pre: dummy
install virtio_balloon echo ran >>/tmp/scenario/install.log; $TOOLS/modprobe --ignore-install virtio_balloon
EOC
names() { awk 'NR == FNR { b[$1] = 1; next } !($1 in b) { print $1 }' /run/baseline /proc/modules | sort; }
# Wait (20 s at most) until the modules, their references and users stayed the same for
# two seconds (udev's settle first, on kmod's side).
stable() {
	local prev cur same=0 i=0
	prev=$(awk '{ print $1, $3, $4, $5 }' /proc/modules)
	while [ $same -lt 2 ] && [ $i -lt 20 ]; do
		sleep 1
		[ "$TOOL" = kmod ] && $TOOLS/udevadm settle --timeout=30 >/dev/null 2>&1
		cur=$(awk '{ print $1, $3, $4, $5 }' /proc/modules)
		if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; prev=$cur; fi
		i=$((i + 1))
	done
}
udev_coldplug() {
	local rc=0
	SYSTEMD_LOG_LEVEL=debug $TOOLS/systemd-udevd --daemon --resolve-names=never \
		>/tmp/scenario/udevd.log 2>&1 || { echo "udevd: $?"; rc=1; }
	pid=$(pidof systemd-udevd)
	grep -o '/[^ ]*libkmod[^ ]*' "/proc/${pid%% *}/maps" 2>/dev/null | sort -u >/tmp/scenario/maps
	$TOOLS/udevadm trigger --type=subsystems --action=add || { echo "subsystems: $?"; rc=1; }
	$TOOLS/udevadm trigger --type=devices --action=add || { echo "devices: $?"; rc=1; }
	$TOOLS/udevadm settle --timeout=60 || { echo "settle: $?"; rc=1; }
	stable
	$TOOLS/udevadm control --exit || { echo "exit: $?"; rc=1; }
	return $rc
}
t0=$(cut -d' ' -f1 /proc/uptime)
if [ "$TOOL" = kmod ]; then
	run coldplug udev_coldplug
	note udevd.maps "$(cat /tmp/scenario/maps)"
else
	before=$(names)
	$TOOLS/modprobe --coldplug -n >/tmp/scenario/plan.out 2>/tmp/scenario/plan.err
	note plan.rc $?
	note plan.loaded "$(names | grep -vxF -e "$before" -e '')"
	grep -v '^unbound ' /tmp/scenario/plan.out >/tmp/scenario/plan.lines
	show /tmp/scenario/plan.lines "  p| " >/dev/null
	note plan.lines "$joined"
	note plan.err "$(cat /tmp/scenario/plan.err)"
	run coldplug $TOOLS/modprobe --coldplug -v
	case $(cat /tmp/run.err) in
	*" in 1 scans,"*) note rescanned no ;;
	*" scans,"*) note rescanned yes ;;
	*) note rescanned "no count on stderr" ;;
	esac
	grep '^unbound ' /tmp/run.out >/tmp/scenario/unbound.lines
	show /tmp/scenario/unbound.lines "  u| " >/dev/null
	note unbound.lines "$joined"
	note unbound.count "$(wc -l </tmp/scenario/unbound.lines)"
	stable
fi
t1=$(cut -d' ' -f1 /proc/uptime)
note secs "$(awk "BEGIN { print $t1 - $t0 }")"
fact modules "$(names | xargs)"
n=$(names | wc -l)
note drivers.count "$n"
if [ "$n" -ge 15 ]; then fact drivers.enough yes; else fact drivers.enough "no ($n modules)"; fi
for m in e1000 virtio_net virtio_rng virtio_balloon snd_hda_intel ehci_pci usbhid hid_generic \
	i2c_piix4 qemu_fw_cfg evdev button pcspkr dummy; do
	loaded "$m" "$m"
done
param copybreak e1000 copybreak
if grep -q ran /tmp/scenario/install.log 2>/dev/null; then fact install.ran yes; else fact install.ran no; fi
