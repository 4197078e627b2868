# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe of a module file (kmod 31): a copy of lkm_dep_c outside the module tree,
# given as ./FILE and as /abs/FILE, loads after the dependencies modules.dep gives its
# name (lkm_dep_a, lkm_dep_b, from the tree); -r by name removes the three. kmod 30,
# the oracle here, predates this: it looks the path up as a name and fails.
# expect: show.rc=0
# expect-lkm: show.out=insmod /lib/modules/*/extra/lkm_dep_a.ko* insmod /lib/modules/*/extra/lkm_dep_b.ko* insmod /tmp/modpath/./lkm_dep_c.ko*
# expect: rel.rc=0
# expect: rel.order=lkm_dep_a lkm_dep_b lkm_dep_c
# expect: rel.state=lkm_dep_a:1:lkm_dep_b lkm_dep_b:1:lkm_dep_c lkm_dep_c:0:
# expect: rm.rc=0
# expect: rm.state=
# expect: abs.rc=0
# expect-lkm: abs.out=insmod /lib/modules/*/extra/lkm_dep_a.ko* insmod /lib/modules/*/extra/lkm_dep_b.ko* insmod /tmp/modpath/lkm_dep_c.ko*
# expect: abs.state=lkm_dep_a:1:lkm_dep_b lkm_dep_b:1:lkm_dep_c lkm_dep_c:0:
# expect: missing.rc=1
# expect-lkm: missing.err=modprobe: FATAL: Failed to get module from path ./nope.ko: No such file or directory
# kmod-bug: kmod30-has-no-module-paths show.rc
# kmod-bug: kmod30-has-no-module-paths rel.rc
# kmod-bug: kmod30-has-no-module-paths rel.order
# kmod-bug: kmod30-has-no-module-paths rel.state
# kmod-bug: kmod30-has-no-module-paths abs.rc
# kmod-bug: kmod30-has-no-module-paths abs.state
mkdir -p /tmp/modpath
cp "$EXTRA/lkm_dep_c$KO" /tmp/modpath/
cd /tmp/modpath || exit 1
run show $TOOLS/modprobe -D "./lkm_dep_c$KO"
run rel $TOOLS/modprobe "./lkm_dep_c$KO"
initorder rel.order
modstate rel.state
run rm $TOOLS/modprobe -r lkm_dep_c
modstate rm.state
run abs $TOOLS/modprobe -v "/tmp/modpath/lkm_dep_c$KO"
modstate abs.state
run missing $TOOLS/modprobe ./nope.ko
cd /tmp/scenario || exit 1
