#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# modprobe --coldplug on a module tree made here (tests/tools/make-module.c, indexes by
# lkm's depmod) and a /sys/devices tree made here: the plan (-n) and the devices without
# a driver, word for word, and the errors. Only -n runs load nothing; loading is the VM
# scenario coldplug's (tests/vm/scenarios/coldplug.sh), the library's rounds are
# tests/unit/test-coldplug.c's. kmod has no --coldplug: there is no oracle here.
set -u
# shellcheck source=../lib.sh
. "${LKM_SOURCE_ROOT:-$(dirname "$0")/../..}/tests/lib.sh"
test_setup coldplug LKM LKM_MAKE_MODULE

# The tree: net_a drives PCI 1111:* (and 1111:0001 again: the lookup finds it twice,
# the plan names it once), net_b and net_c both PCI 2222:0002, snd_d the platform
# device "snd"; spk is blacklisted in conf/.
kver=1.0-test root=$tmp/root
dir=$root/lib/modules/$kver
mk() { "$LKM_MAKE_MODULE" "$@" license=GPL || need "make-module $*" false; }
mkdir -p "$dir/kernel" "$tmp/proc" "$tmp/conf" "$tmp/sys/module"
mk "$dir/kernel/net_a.ko" net_a 'alias=pci:v00001111d*sv*sd*bc*sc*i*' \
	'alias=pci:v00001111d00000001sv*sd*bc*sc*i*'
mk "$dir/kernel/net_b.ko" net_b 'alias=pci:v00002222d00000002sv*sd*bc*sc*i*'
mk "$dir/kernel/net_c.ko" net_c 'alias=pci:v00002222d*sv*sd*bc*sc*i*'
mk "$dir/kernel/snd_d.ko" snd_d alias=platform:snd
mk "$dir/kernel/spk.ko" spk alias=platform:pcspkr
printf 'kernel/net_a.ko\nkernel/net_b.ko\nkernel/net_c.ko\nkernel/snd_d.ko\nkernel/spk.ko\n' \
	>"$dir/modules.order"
printf 'kernel/bi.ko\n' >"$dir/modules.builtin"
: >"$dir/modules.builtin.modinfo"
need "lkm depmod of the fixture tree" "$LKM" depmod -b "$root" "$kver"
need "modules.alias has net_b's alias" grep -q 'pci:v00002222d00000002.* net_b' "$dir/modules.alias"
need "modprobe -R finds net_a twice for 1111:0001" test "$("$LKM" modprobe -d "$root" -S "$kver" \
	-R pci:v00001111d00000001sv00000000sd00000000bc02sc00i00)" = "net_a
net_a"
echo quiet >"$tmp/proc/cmdline"
echo "blacklist spk" >"$tmp/conf/bl.conf"

# Devices: two of PCI 1111:0001 (one with vendor/device files), 2222:0002 bound to net_b
# already, a platform device for snd_d, pcspkr, and one nobody drives.
s=$tmp/sys
dev() { mkdir -p "$s/devices/$1" && echo "$2" >"$s/devices/$1/modalias"; }
P1=pci:v00001111d00000001sv00000000sd00000000bc02sc00i00
P2=pci:v00002222d00000002sv00000000sd00000000bc02sc00i00
dev pci0000:00/0000:00:01.0 "$P1"
echo 0x1111 >"$s/devices/pci0000:00/0000:00:01.0/vendor"
echo 0x0001 >"$s/devices/pci0000:00/0000:00:01.0/device"
dev pci0000:00/0000:00:02.0 "$P1"
dev pci0000:00/0000:00:03.0 "$P2"
mkdir -p "$s/bus/pci/drivers/net_b"
ln -s ../../../bus/pci/drivers/net_b "$s/devices/pci0000:00/0000:00:03.0/driver"
dev platform/snd platform:snd
dev platform/pcspkr platform:pcspkr
dev platform/odd platform:odd
# A link back into the tree must not be walked (sysfs has them everywhere).
ln -s ../../bus "$s/devices/platform/subsystem"

base=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$s" --proc="$tmp/proc")
# expect NAME RC STDOUT STDERR args...: stdout and stderr exact ("\n" separates lines), or
# with STDERR "^TEXT", the first line of stderr starts with TEXT.
expect() {
	local name=$1 rc=$2 out=$3 err=$4 got why=
	shift 4
	"$LKM" modprobe "${base[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$rc" ] || why="exit $got, want $rc"
	[ "$(cat "$tmp/out")" = "$(printf '%b' "$out")" ] || why="${why:+$why; }stdout differs"
	if [ "${err#^}" != "$err" ]; then
		case $(head -n 1 "$tmp/err") in "${err#^}"*) ;; *) why="${why:+$why; }stderr differs" ;; esac
	elif [ "$(cat "$tmp/err")" != "$(printf '%b' "$err")" ]; then
		why="${why:+$why; }stderr differs"
	fi
	if [ -z "$why" ]; then
		ok "$name"
	else
		bad "$name" "$why"
		sed 's/^/  stdout: /' "$tmp/out"
		sed 's/^/  stderr: /' "$tmp/err"
	fi
}

plan="$P1: net_a
  $s/devices/pci0000:00/0000:00:01.0
  $s/devices/pci0000:00/0000:00:02.0
$P2: net_b net_c
  $s/devices/pci0000:00/0000:00:03.0 (driver net_b)
platform:odd: -
  $s/devices/platform/odd
platform:pcspkr: spk(blacklisted)
  $s/devices/platform/pcspkr
platform:snd: snd_d
  $s/devices/platform/snd"
unbound="unbound $s/devices/pci0000:00/0000:00:01.0 modalias=$P1 vendor=0x1111 device=0x0001 match=net_a
unbound $s/devices/pci0000:00/0000:00:02.0 modalias=$P1 vendor=0x1111 device=0x0001 match=net_a
unbound $s/devices/platform/odd modalias=platform:odd vendor=- device=- match=-
unbound $s/devices/platform/pcspkr modalias=platform:pcspkr vendor=- device=- match=spk
unbound $s/devices/platform/snd modalias=platform:snd vendor=- device=- match=snd_d"
expect "-n: each modalias once with its modules and devices, then the unbound devices" 0 \
	"$plan\n$unbound" "" --coldplug -n
expect "-n -v: the same, and the count on stderr" 0 "$plan\n$unbound" \
	"modprobe: NOTICE: coldplug: 6 devices, 5 modaliases, 0 modules in 1 scans, 5 devices without a driver" \
	--coldplug -n -v
# The bound device, once its driver is gone, is unbound too, with its ids from the
# modalias and both its modules.
rm "$s/devices/pci0000:00/0000:00:03.0/driver"
expect "a device without its driver link is unbound; ids from the modalias" 0 \
	"$(printf '%s\n' "$plan" | sed 's| (driver net_b)||')\n$(printf '%s\n' "$unbound" | sed "2a unbound $s/devices/pci0000:00/0000:00:03.0 modalias=$P2 vendor=0x2222 device=0x0002 match=net_b,net_c")" \
	"" --coldplug -n

# Errors: named, exit 1.
expect "--coldplug takes no module names" 1 "" \
	"modprobe: ERROR: --coldplug takes no module names and no -r." --coldplug -n net_a
expect "--coldplug takes no -r" 1 "" \
	"modprobe: ERROR: --coldplug takes no module names and no -r." --coldplug -r
mkdir -p "$tmp/nosys"
base=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$tmp/nosys" --proc="$tmp/proc")
expect "no /sys/devices: named" 1 "" \
	"modprobe: ERROR: coldplug: $tmp/nosys/devices: No such file or directory" --coldplug -n
base=(-C "$tmp/conf" -d "$root" -S "$kver" --sys="$s" --proc="$tmp/proc")
printf 'broken' >"$dir/modules.alias.bin"
expect "a broken modules.alias.bin: named" 1 "" \
	"^modprobe: ERROR: coldplug: $dir/modules.alias.bin: " --coldplug -n
finish
