# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe loads a real dependency chain (msdos -> fat) and a chain of three test
# modules in order; modprobe -r removes them with their now unused dependencies.
# expect: msdos.rc=0
# expect: msdos.state=fat:1:msdos msdos:0:
# expect: rm_msdos.rc=0
# expect: rm_msdos.state=
# expect: c.rc=0
# expect: c.order=lkm_dep_a lkm_dep_b lkm_dep_c
# expect: rm_c.rc=0
# expect: rm_c.state=
# kmod v30 to v34 check the refcount of each dependency once, before the ones above it
# are gone, so "modprobe -r lkm_dep_c" leaves lkm_dep_a loaded although man modprobe
# says unused dependencies are removed too (tools/modprobe.c, rmmod_do_module, step 4).
# kmod-bug: modprobe-r-single-pass rm_c.state
run msdos $TOOLS/modprobe msdos
modstate msdos.state
run rm_msdos $TOOLS/modprobe -r msdos
modstate rm_msdos.state
run c $TOOLS/modprobe lkm_dep_c
initorder c.order
modstate c.state
run rm_c $TOOLS/modprobe -r lkm_dep_c
modstate rm_c.state
