# SPDX-License-Identifier: LGPL-2.1-or-later
# Root without CAP_SYS_MODULE (a container, a confined service): /vm/dropcap removes it
# from the bounding and the process sets, then runs the tool. lkm says that the
# capability is missing, where kmod says only "Operation not permitted".
# expect: capeff=*
# expect: insmod.rc=1
# expect: modprobe.rc=1
# expect: rmmod.rc=1
# expect: loaded=no
# expect-kmod: table.insmod=*Operation not permitted*
# expect-lkm: table.insmod=*loading lkm_log needs root: this process lacks CAP_SYS_MODULE*
# expect-lkm: table.modprobe=*loading lkm_log needs root: this process lacks CAP_SYS_MODULE*
# expect-lkm: table.rmmod=*removing loop needs root: this process lacks CAP_SYS_MODULE*
# diag CASE CMD...: run (rc compared with kmod), and keep the whole stderr as note
# table.CASE ("<br>" between lines) for tests/vm/diag-table.sh.
diag() {
	k=$1
	shift
	run "$k" "$@"
	note "table.$k" "$(awk '{ printf "%s%s", (NR > 1 ? "<br>" : ""), $0 }' /tmp/run.err)"
}
note capeff "$(/vm/dropcap grep CapEff /proc/self/status)"
diag insmod /vm/dropcap $TOOLS/insmod $EXTRA/lkm_log$KO
diag modprobe /vm/dropcap $TOOLS/modprobe lkm_log
loaded loaded lkm_log
diag rmmod /vm/dropcap $TOOLS/rmmod loop
