# SPDX-License-Identifier: LGPL-2.1-or-later
# A locked-down kernel (lockdown=integrity) refuses an unsigned module with EPERM; lkm
# names the lockdown mode, where kmod says only "Operation not permitted".
# boot: own
# cmdline: lockdown=integrity
# kernel: 6.1.*
# expect: lockdown=*[integrity]*
# expect: insmod.rc=1
# expect: modprobe.rc=1
# expect: loaded=no
# expect-kmod: table.insmod=*Operation not permitted*
# expect-lkm: table.insmod=*the kernel is locked down (integrity) and refused lkm_log*
# expect-lkm: table.modprobe=*the kernel is locked down (integrity) and refused lkm_log*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
# lkm reads the mode from securityfs; mount it the way a booted system has it.
[ -r /sys/kernel/security/lockdown ] || mount -t securityfs none /sys/kernel/security
fact lockdown "$(cat /sys/kernel/security/lockdown 2>&1)"
diag insmod $TOOLS/insmod $EXTRA/lkm_log$KO
diag modprobe $TOOLS/modprobe lkm_log
loaded loaded lkm_log
