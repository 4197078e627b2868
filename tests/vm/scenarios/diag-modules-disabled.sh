# SPDX-License-Identifier: LGPL-2.1-or-later
# kernel.modules_disabled=1 (irreversible until reboot, hence a boot of its own: kmod's
# run sets it, lkm's run finds it set) refuses every load and every removal with EPERM;
# lkm names the sysctl, where kmod says only "Operation not permitted".
# boot: own
# kernel: 6.1.*
# expect: disabled=1
# expect: insmod.rc=1
# expect: modprobe.rc=1
# expect: rmmod.rc=1
# expect: loaded=no
# expect-kmod: table.insmod=*Operation not permitted*
# expect-lkm: table.insmod=*module loading is disabled on this system: /proc/sys/kernel/modules_disabled is 1*
# expect-lkm: table.modprobe=*module loading is disabled on this system: /proc/sys/kernel/modules_disabled is 1*
# expect-lkm: table.rmmod=*module removal is disabled on this system*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
echo 1 >/proc/sys/kernel/modules_disabled
fact disabled "$(cat /proc/sys/kernel/modules_disabled)"
diag insmod $TOOLS/insmod $EXTRA/lkm_log$KO
diag modprobe $TOOLS/modprobe lkm_log
loaded loaded lkm_log
diag rmmod $TOOLS/rmmod loop
