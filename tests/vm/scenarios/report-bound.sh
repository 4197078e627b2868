# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe --report (lkm's) of a driver with its device: e1000 binds the machine's
# e1000 NIC (a PCI device) and makes its interface, both filed under e1000 (the
# interface through its device's driver), then e1000's kernel log lines. Its own boot:
# the NIC would change what e1000 finds in report-net. kmod has no --report: its run
# loads e1000 without it.
# boot: own
# modules: e1000
# qemu: -device e1000
# expect: load.rc=0
# expect: bound=yes
# expect-kmod: load.out=
# expect-lkm: load.out=report: e1000: bound 0000:00:*.0 (pci, driver e1000) report: e1000: network interface eth* (driver e1000) report: e1000: kernel log: e1000: Intel(R) PRO/1000 Network Driver*
if [ "$TOOL" = lkm ]; then R=--report; else R=; fi
run load $TOOLS/modprobe $R e1000
if ls /sys/bus/pci/drivers/e1000 | grep -q '^0000:'; then fact bound yes; else fact bound no; fi
