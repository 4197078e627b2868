# SPDX-License-Identifier: LGPL-2.1-or-later
# insmod with parameters of every type, read back from sysfs; a quoted string with a
# space, an int array, a bare bool, an unknown parameter, an array that is too long.
# expect: load.rc=0
# expect: intp=-42
# expect: boolp=Y
# expect: strp=hello world
# expect: arr=1,2,3
# expect: bare.rc=0
# expect: bare.boolp=Y
# expect: unknown.rc=0
# expect: unknown.logged=yes
# expect: toolong.rc=1
# expect: toolong.loaded=no
run load $TOOLS/insmod $EXTRA/lkm_params$KO intp=-42 boolp=Y 'strp="hello world"' arr=1,2,3
param intp lkm_params intp
param boolp lkm_params boolp
param strp lkm_params strp
param arr lkm_params arr
/kmod/bin/rmmod lkm_params
run bare $TOOLS/insmod $EXTRA/lkm_params$KO boolp
param bare.boolp lkm_params boolp
/kmod/bin/rmmod lkm_params
run unknown $TOOLS/insmod $EXTRA/lkm_params$KO nosuch=1
klog unknown.logged "nosuch"
/kmod/bin/rmmod lkm_params
run toolong $TOOLS/insmod $EXTRA/lkm_params$KO arr=1,2,3,4,5,6,7,8,9
loaded toolong.loaded lkm_params
