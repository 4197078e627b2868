# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe --report (lkm's) of tun: a misc device with its /dev node, and the line it
# writes to the kernel log. kmod has no --report: its run loads tun without it.
# expect: tun.rc=0
# expect: tun.loaded=yes
# expect: tun.node=yes
# expect-kmod: tun.out=
# expect-lkm: tun.out=report: tun: misc device tun (minor 200, /dev/net/tun) report: tun: kernel log: tun: Universal TUN/TAP device driver*
if [ "$TOOL" = lkm ]; then R=--report; else R=; fi
run tun $TOOLS/modprobe $R tun
loaded tun.loaded tun
if grep -q ' tun$' /proc/misc; then fact tun.node yes; else fact tun.node no; fi
