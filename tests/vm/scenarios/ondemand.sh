# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel asks the tool in /proc/sys/kernel/modprobe for modules: fs-msdos on mount,
# rtnl-link-dummy on "ip link add ... type dummy".
# expect: mount.rc=0
# expect: msdos.loaded=yes
# expect: fat.loaded=yes
# expect: link.rc=0
# expect: dummy.loaded=yes
echo "$TOOLS/modprobe" >/proc/sys/kernel/modprobe
mkdir -p /mnt
run mount mount -t msdos -o loop /tmp/fat.img /mnt
loaded msdos.loaded msdos
loaded fat.loaded fat
umount /mnt 2>/dev/null
run link ip link add d0 type dummy
loaded dummy.loaded dummy
ip link del d0 2>/dev/null
