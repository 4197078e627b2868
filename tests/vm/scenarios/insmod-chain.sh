# SPDX-License-Identifier: LGPL-2.1-or-later
# insmod the chain a <- b <- c in order, list it with lsmod, rmmod it in reverse order.
# expect: a.rc=0
# expect: b.rc=0
# expect: c.rc=0
# expect: order=lkm_dep_a lkm_dep_b lkm_dep_c
# expect: loaded=lkm_dep_a:1:lkm_dep_b lkm_dep_b:1:lkm_dep_c lkm_dep_c:0:
# expect: lsmod.rc=0
# expect: lsmod.a=lkm_dep_a 1 lkm_dep_b
# expect: rm_c.rc=0
# expect: rm_b.rc=0
# expect: rm_a.rc=0
# expect: after=
run a $TOOLS/insmod $EXTRA/lkm_dep_a$KO
run b $TOOLS/insmod $EXTRA/lkm_dep_b$KO
run c $TOOLS/insmod $EXTRA/lkm_dep_c$KO
initorder order
modstate loaded
run lsmod $TOOLS/lsmod
fact lsmod.header "$(head -n 1 /tmp/run.out)"
fact lsmod.a "$(awk '$1 == "lkm_dep_a" { print $1, $3, $4 }' /tmp/run.out)"
fact lsmod.c "$(awk '$1 == "lkm_dep_c" { print $1, $3, $4 }' /tmp/run.out)"
run rm_c $TOOLS/rmmod lkm_dep_c
run rm_b $TOOLS/rmmod lkm_dep_b
run rm_a $TOOLS/rmmod lkm_dep_a
modstate after
