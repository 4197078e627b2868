# SPDX-License-Identifier: LGPL-2.1-or-later
# modprobe of an already loaded module succeeds silently, unless --first-time; the same
# for -r of a module that is not loaded. Aliases, plain and wildcard, and a miss.
# expect: first.rc=0
# expect: again.rc=0
# expect: firsttime.rc=1
# expect: rm.rc=0
# expect: rm_again_ft.rc=1
# expect: alias.rc=0
# expect: alias.loaded=yes
# expect: wild.rc=0
# expect: wild.loaded=yes
# expect: nomatch.rc=1
run first $TOOLS/modprobe lkm_log
run again $TOOLS/modprobe lkm_log
run firsttime $TOOLS/modprobe --first-time lkm_log
run rm $TOOLS/modprobe -r lkm_log
run rm_again $TOOLS/modprobe -r lkm_log
run rm_again_ft $TOOLS/modprobe -r --first-time lkm_log
run alias $TOOLS/modprobe lkm-test-alias
loaded alias.loaded lkm_alias
/kmod/bin/rmmod lkm_alias
run wild $TOOLS/modprobe lkm-test-wild:v99d1234x
loaded wild.loaded lkm_alias
run nomatch $TOOLS/modprobe lkm-test-nomatch
