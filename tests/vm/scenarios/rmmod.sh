# SPDX-License-Identifier: LGPL-2.1-or-later
# rmmod refusals: a permanent module (no exit), then forced (Debian sets
# CONFIG_MODULE_FORCE_UNLOAD=y); a module in use, whose holder must be named; a module
# that is not loaded; removal by path and by a dashed name.
# expect: perm.rc=1
# expect: perm.loaded=yes
# expect: force.rc=0
# expect: force.loaded=no
# expect: inuse.rc=1
# expect: inuse.err=*lkm_holder*
# expect: inuse.loaded=yes
# expect: holder.rc=0
# expect: a.rc=0
# expect: notloaded.rc=1
# expect: bypath.rc=0
# expect: bypath.loaded=no
# expect: dashed.loaded=no
/kmod/bin/insmod $EXTRA/lkm_noexit$KO
run perm $TOOLS/rmmod lkm_noexit
loaded perm.loaded lkm_noexit
run force $TOOLS/rmmod -f lkm_noexit
loaded force.loaded lkm_noexit
klog force.logged "lkm_noexit"
/kmod/bin/insmod $EXTRA/lkm_dep_a$KO
/kmod/bin/insmod $EXTRA/lkm_holder$KO
run inuse $TOOLS/rmmod lkm_dep_a
loaded inuse.loaded lkm_dep_a
run holder $TOOLS/rmmod lkm_holder
run a $TOOLS/rmmod lkm_dep_a
run notloaded $TOOLS/rmmod lkm_dep_a
/kmod/bin/insmod $EXTRA/lkm_log$KO
run bypath $TOOLS/rmmod $EXTRA/lkm_log$KO
loaded bypath.loaded lkm_log
/kmod/bin/insmod $EXTRA/lkm_log$KO
run dashed $TOOLS/rmmod lkm-log
loaded dashed.loaded lkm_log
