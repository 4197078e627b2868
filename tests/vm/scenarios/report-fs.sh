# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe --report and insmod --report (lkm's) of filesystems: vfat's dependency fat
# registers nothing, vfat and msdos their filesystem types; with -n nothing loads and
# the report says so. kmod has no --report: its run loads the same modules without it,
# so the loads are compared and the report's words are lkm's expectations (notes).
# expect: dry.rc=0
# expect: dry.loaded=no
# expect: load.rc=0
# expect: state=fat:1:vfat vfat:0:
# expect: msdos.rc=0
# expect: msdos.loaded=yes
# expect-kmod: dry.out=
# expect-kmod: load.out=
# expect-lkm: dry.out=report: fat: would be loaded; nothing registered (dry run: nothing was loaded) report: vfat: would be loaded; nothing registered (dry run: nothing was loaded)
# expect-lkm: load.out=report: fat: registered nothing (not a driver) report: vfat: filesystem type vfat
# expect-lkm: msdos.out=report: msdos: filesystem type msdos
if [ "$TOOL" = lkm ]; then R=--report; else R=; fi
run dry $TOOLS/modprobe -n $R vfat
loaded dry.loaded vfat
run load $TOOLS/modprobe $R vfat
modstate state
# insmod takes the file; fat is in the kernel already (vfat's).
run msdos $TOOLS/insmod $R "$(/kmod/bin/modinfo -n msdos)"
loaded msdos.loaded msdos
