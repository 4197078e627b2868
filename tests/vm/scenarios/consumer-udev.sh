# SPDX-License-Identifier: LGPL-2.1-or-later
# A real consumer of libkmod.so.2: Debian's systemd-udevd loads the drivers of the VM's
# devices as initramfs-tools' init has it do (udevd --daemon, trigger subsystems then
# devices with --action=add, settle), through 80-drivers.rules' RUN{builtin}+="kmod load"
# on each MODALIAS; with kmod's libkmod or lkm's (the wrappers in $TOOLS). modprobe.d
# gives e1000 an option and blacklists pcspkr (udev applies the blacklist to aliases).
# Drivers that bind add devices of their own, which udev then handles (virtio_pci's
# virtio devices on 6.1, the USB tablet behind ehci-pci, its HID device): the run waits
# until the module list stays the same. Devices stay between the runs; cleanup unloads
# their drivers, so lkm's run finds them as kmod's did.
# boot: own
# consumers: systemd
# modules: virtio_pci e1000 virtio_net virtio-rng virtio_balloon snd-hda-intel ehci-pci usbhid
# modules: hid-generic i2c-piix4 qemu_fw_cfg evdev button pcspkr
# qemu: -device e1000 -device virtio-net-pci -device virtio-rng-pci -device virtio-balloon-pci
# qemu: -audiodev none,id=snd0 -device intel-hda -device hda-duplex,audiodev=snd0
# qemu: -device usb-ehci,id=ehci -device usb-tablet,bus=ehci.0
# expect-kmod: libkmod=/kmod/lib/libkmod.so.2
# expect-lkm: libkmod=/lkm/lib/libkmod.so.2
# expect-lkm: libkmod.lacks=
# expect-kmod: udevd.maps=/kmod/lib/libkmod.so.2
# expect-lkm: udevd.maps=/lkm/lib/libkmod.so.2
# expect: udevd.rc=0
# expect: trigger-devices.rc=0
# expect: settle.rc=0
# expect: exit.rc=0
# expect: drivers.enough=yes
# expect: e1000=yes
# expect: copybreak=128
# expect: virtio_net=yes
# expect: virtio_rng=yes
# expect: virtio_balloon=yes
# expect: snd_hda_intel=yes
# expect: ehci_pci=yes
# expect: usbhid=yes
# expect: hid_generic=yes
# expect: evdev=yes
# expect: pcspkr=no
cat >/etc/modprobe.d/consumer.conf <<EOC
options e1000 copybreak=128
blacklist pcspkr
EOC
libkmod libkmod $TOOLS/systemd-udevd
t0=$(cut -d' ' -f1 /proc/uptime)
SYSTEMD_LOG_LEVEL=debug $TOOLS/systemd-udevd --daemon --resolve-names=never \
	>/tmp/scenario/udevd.log 2>&1
fact udevd.rc $?
pid=$(pidof systemd-udevd)
note udevd.pid "$pid"
note udevd.maps "$(grep -o '/[^ ]*libkmod[^ ]*' "/proc/${pid%% *}/maps" 2>/dev/null | sort -u)"
run trigger-subsystems $TOOLS/udevadm trigger --type=subsystems --action=add
run trigger-devices $TOOLS/udevadm trigger --type=devices --action=add
run settle $TOOLS/udevadm settle --timeout=60
t1=$(cut -d' ' -f1 /proc/uptime)
# Wait (20 s at most) until the modules, their references and users stayed the same for
# two seconds.
snapshot() { awk '{ print $1, $3, $4, $5 }' /proc/modules; }
prev=$(snapshot)
same=0
i=0
while [ $same -lt 2 ] && [ $i -lt 20 ]; do
	sleep 1
	$TOOLS/udevadm settle --timeout=30 >/dev/null 2>&1
	cur=$(snapshot)
	if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; prev=$cur; fi
	i=$((i + 1))
done
t2=$(cut -d' ' -f1 /proc/uptime)
note secs "settle $(awk "BEGIN { print $t1 - $t0 }"), stable after $(awk "BEGIN { print $t2 - $t1 }")"
run exit $TOOLS/udevadm control --exit
modstate modules
n=$(awk 'NR == FNR { b[$1] = 1; next } !($1 in b)' /run/baseline /proc/modules | wc -l)
note drivers.count "$n"
if [ "$n" -ge 15 ]; then fact drivers.enough yes; else fact drivers.enough "no ($n modules)"; fi
for m in e1000 virtio_net virtio_rng virtio_balloon snd_hda_intel ehci_pci usbhid hid_generic \
	i2c_piix4 qemu_fw_cfg evdev button pcspkr; do
	loaded "$m" "$m"
done
param copybreak e1000 copybreak
# What udev's kmod builtin reported (systemd's words for libkmod's results), by module.
fact inserted "$(sed -n "s/.*Inserted module '\([^']*\)'.*/\1/p" /tmp/scenario/udevd.log | sort -u | xargs)"
fact denied "$(sed -n "s/.*Module '\([^']*\)' is deny-listed.*/\1/p" /tmp/scenario/udevd.log | sort -u | xargs)"
# The rest of what udevd said about modules (libkmod's own messages come through it too).
grep -i -e module -e kmod /tmp/scenario/udevd.log | grep -v -e "Loading module: " \
	-e "Inserted module '" -e "RUN 'kmod load" -e 'built-in command "kmod load' \
	-e "SUBSYSTEM=module" -e "/module/" -e "^module: " | sort -u >/tmp/scenario/kmod.log
show /tmp/scenario/kmod.log "  u| " >/dev/null
note kmod.log "$joined"
note udevd.lines "$(wc -l </tmp/scenario/udevd.log)"
