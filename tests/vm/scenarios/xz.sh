# SPDX-License-Identifier: LGPL-2.1-or-later
# Kernels with .ko.xz modules: insmod of a compressed test module and modprobe of a
# compressed real chain. The kernel can decompress (/sys/module/compression).
# kernel: 6.1[2-9]*
# expect: compression=xz
# expect: insmod.rc=0
# expect: insmod.loaded=yes
# expect: modprobe.rc=0
# expect: modprobe.state=fat:1:vfat lkm_log:0: vfat:0:
fact compression "$(cat /sys/module/compression 2>/dev/null || echo none)"
run insmod $TOOLS/insmod $EXTRA/lkm_log.ko.xz
loaded insmod.loaded lkm_log
run modprobe $TOOLS/modprobe vfat
modstate modprobe.state
