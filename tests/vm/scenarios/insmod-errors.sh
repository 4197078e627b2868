# SPDX-License-Identifier: LGPL-2.1-or-later
# insmod failures and odd successes: init returning -EIO, init returning 42, a symbol
# nobody exports, a module loaded twice, a missing file.
# expect: eio.rc=1
# expect: eio.err=*Input/output error*
# expect: eio.loaded=no
# expect: positive.rc=0
# expect: positive.loaded=yes
# expect: positive.warned=yes
# expect: unknown.rc=1
# expect: unknown.loaded=no
# expect: unknown.logged=yes
# expect: twice1.rc=0
# expect: twice2.rc=1
# expect: twice2.err=*exists*
# expect: missing.rc=1
# expect: missing.err=*No such file*
run eio $TOOLS/insmod $EXTRA/lkm_init_eio$KO
loaded eio.loaded lkm_init_eio
run positive $TOOLS/insmod $EXTRA/lkm_init_positive$KO
loaded positive.loaded lkm_init_positive
klog positive.warned "suspiciously returned 42"
run unknown $TOOLS/insmod $EXTRA/lkm_unknown_sym$KO
loaded unknown.loaded lkm_unknown_sym
klog unknown.logged "Unknown symbol lkm_no_such_symbol"
run twice1 $TOOLS/insmod $EXTRA/lkm_log$KO
run twice2 $TOOLS/insmod $EXTRA/lkm_log$KO
modstate state
run missing $TOOLS/insmod /nonexistent/lkm_missing.ko
