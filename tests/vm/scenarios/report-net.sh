# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe --report (lkm's) of network drivers: dummy with numdummies=1 makes dummy0,
# with numdummies=0 nothing (dummy has no device aliases: "not a driver"); e1000 finds
# no device (the VM has no NIC) and says how many device aliases it has, then its
# kernel log lines. kmod has no --report: its run loads the same modules without it.
# modules: e1000
# expect: dummy.rc=0
# expect: dummy.link=dummy0
# expect: none.rc=0
# expect: e1000.rc=0
# expect: e1000.loaded=yes
# expect-kmod: dummy.out=
# expect-lkm: dummy.out=report: dummy: network interface dummy0
# expect-lkm: none.out=report: dummy: registered nothing (not a driver)
# expect-lkm: e1000.out=report: e1000: registered nothing: no device on this machine matched it (* device aliases) report: e1000: kernel log: e1000: Intel(R) PRO/1000 Network Driver*
if [ "$TOOL" = lkm ]; then R=--report; else R=; fi
run dummy $TOOLS/modprobe $R dummy numdummies=1
fact dummy.link "$(ls /sys/class/net | grep '^dummy')"
/kmod/bin/rmmod dummy
run none $TOOLS/modprobe $R dummy numdummies=0
/kmod/bin/rmmod dummy
run e1000 $TOOLS/modprobe $R e1000
loaded e1000.loaded e1000
